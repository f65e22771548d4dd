"""Held-out report-check set 53: the everyday emergency-department chest list (NHS / European, in English).

Written blind: without reading the checker, its tests, its docs or any other held-out generator; only the
scorer, the eval README, the IU archive and the `uid` field of the dev set were read.

Styles: plain-prose ED chest radiograph reports as NHS and European departments issue them: exam title line,
"Clinical details"/"History"/"Indication", optional comparison, then "Findings" and one of "Conclusion",
"Impression", "Opinion" or "Comment", signed by a consultant radiologist, a radiology registrar (StR) or a
reporting radiographer. Case-mix: chest pain, shortness of breath, falls and trauma, infection/sepsis screens,
query pneumothorax, query foreign body, elderly confusion screens, in ordinary ED proportions (many normal films,
consolidation, effusions, failure, rib fractures, pneumothorax, the odd mass). Half of each group is composed
from the phrase bank below, half is real IU (Open-i) reports re-laid-out in these styles with light UK
re-wording (edema -> oedema, "x-XXXX" -> "X-ray"); IU's XXXX mask is kept elsewhere.

Errors are real slips: a side flipped while dictating, a normal macro pasted as the conclusion, a conclusion
never dictated, a template field ("[left/right]", "XX mm", "[small/moderate/large]") left unfilled.

usage: python -m bench.make_heldout53 OUT.jsonl --seed S [--show N]
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
N_CLEAN, N_KIND = 200, 40

# ----------------------------------------------------------------------------------------------------------
# shared data
# ----------------------------------------------------------------------------------------------------------


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    d = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    if not (d / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file():
        sys.stderr.write(
            f"make_heldout53: IU reports not found under {d}; set MEDRAG_SHARED_DIR to the shared folder "
            "(holding data/iu_reports/NLMCXR_reports.tgz and eval/report_errors_dev.jsonl)\n"
        )
        sys.exit(2)
    return d


def dev_uids(d: Path) -> set[str]:
    p = d / "eval" / "report_errors_dev.jsonl"
    out = set()
    if p.is_file():
        with open(p) as fh:
            for line in fh:
                if line.strip():
                    out.add(json.loads(line)["uid"])
    return out


def load_iu(d: Path) -> list[dict]:
    excl = dev_uids(d)
    out = []
    with tarfile.open(d / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in sorted((m for m in tf.getmembers() if m.isfile() and m.name.endswith(".xml")), key=lambda m: m.name):
            root = ET.parse(tf.extractfile(m)).getroot()
            u = root.find(".//uId")
            uid = u.get("id") if u is not None else None
            if not uid or uid in excl:
                continue
            sec = {}
            for a in root.iter("AbstractText"):
                sec[(a.get("Label") or "").upper()] = " ".join((a.text or "").split())
            f, i = sec.get("FINDINGS", ""), sec.get("IMPRESSION", "")
            if len(f) < 20 or len(i) < 5:
                continue
            out.append({"uid": uid, "ind": sec.get("INDICATION", ""), "cmp": sec.get("COMPARISON", ""),
                        "f": f, "i": i})
    return out


# ----------------------------------------------------------------------------------------------------------
# layout: the ED report styles
# ----------------------------------------------------------------------------------------------------------

SIGNERS = [
    "Dr R. Okafor, Consultant Radiologist", "Dr S. Whitfield, Consultant Radiologist",
    "Dr H. Lindqvist, Consultant Radiologist", "Dr M. Brennan, ST4 Radiology Registrar",
    "Dr A. Kowalczyk, Radiology Registrar (StR)", "J. Pearce, Reporting Radiographer",
    "L. Murray, Advanced Practitioner (Reporting Radiographer)", "Dr E. Moreau, Consultant Radiologist",
    "Dr P. Nair, Consultant Radiologist", "C. Doyle, Consultant Reporting Radiographer",
    "Dr T. van Dijk, Radiologist", "Dr K. Iqbal, ST2 Radiology Registrar",
]
EXAMS = ["XR Chest", "CXR PA", "Chest X-ray PA", "XR CHEST PA", "Chest radiograph (AP erect)",
         "CXR AP (portable, ED resus)", "XR Chest AP supine", "Chest PA", "Thorax PA", "X-ray chest PA and lateral",
         "CHEST X-RAY", "CXR (ED)"]
F_HEADS = ["Findings:", "FINDINGS:", "Findings", "Findings -"]
I_HEADS = ["Conclusion:", "Impression:", "Opinion:", "Comment:", "CONCLUSION:", "IMPRESSION:", "Conclusion",
           "Opinion -"]
IND_HEADS = ["Clinical details:", "Clinical history:", "History:", "Indication:", "Clinical information:",
             "Clinical indication:", "CLINICAL DETAILS:"]
CMP_HEADS = ["Comparison:", "Previous:", "Compared with:", "Prior imaging:"]


def render(rng, c, miss=None):
    """Lay a case out as a free-text report. c: ind, cmp, f (text), i (text); miss: how a section is missing."""
    style = rng.randrange(5)
    fh, ih = rng.choice(F_HEADS), rng.choice(I_HEADS)
    exam = rng.choice(EXAMS)
    lines = [exam]
    if c.get("ind"):
        lines.append(f"{rng.choice(IND_HEADS)} {c['ind']}")
    if c.get("cmp"):
        lines.append(f"{rng.choice(CMP_HEADS)} {c['cmp']}")
    f, i = c["f"], c["i"]
    inline = style in (0, 2) and not fh.endswith("-")
    block = []
    if miss != "findings_absent":
        if miss == "findings_empty":
            block.append(fh.rstrip(" -:") + ":")
        else:
            block.append(f"{fh} {f}" if inline else f"{fh}\n{f}")
    if miss == "impression_empty":
        block.append(ih.rstrip(" -:") + ":")
    elif miss != "impression_absent":
        if style == 3 and c.get("src") == "composed" and "\n" not in i and not re.search(r"(^|\s)\d\.\s", i):
            sents = split_sents(i)
            if len(sents) > 1:
                i = "\n".join(f"{n}. {s}" for n, s in enumerate(sents, 1))
        block.append(f"{ih} {i}" if inline and "\n" not in i else f"{ih}\n{i}")
    sep = "\n" if style == 4 else "\n\n"
    body = "\n".join(lines) + "\n\n" + sep.join(block)
    if c.get("comm"):
        body += "\n\n" + c["comm"]
    sign = rng.choice(SIGNERS)
    if style == 1:
        body += f"\n\nReported by: {sign}"
    elif style == 4:
        body += f"\n\n{sign}"
    elif rng.random() < 0.6:
        body += f"\n\n{sign}"
    return body


def split_sents(t):
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", t.strip()) if s]


# ----------------------------------------------------------------------------------------------------------
# the phrase bank (composed reports)
# ----------------------------------------------------------------------------------------------------------

# normal statements: (text, tags it rules out)
NORMALS = {
    "heart": [("Heart size is normal.", {"heart"}), ("The heart is not enlarged.", {"heart"}),
              ("Cardiac size is within normal limits.", {"heart"}), ("Normal heart size.", {"heart"}),
              ("The cardiomediastinal contours are normal.", {"heart", "mediastinum"}),
              ("CTR within normal limits.", {"heart"})],
    "mediastinum": [("Mediastinal contours are unremarkable.", {"mediastinum"}),
                    ("The mediastinum is not widened.", {"mediastinum"}), ("Normal hilar appearances.", set()),
                    ("Trachea central.", set())],
    "lungs": [("The lungs are clear.", {"lungs"}), ("Clear lungs.", {"lungs"}),
              ("No focal consolidation.", {"consolidation"}), ("No consolidation or collapse.", {"consolidation",
                                                                                           "collapse"}),
              ("Lung fields are clear.", {"lungs"}), ("No focal lung lesion.", {"mass"})],
    "pleura": [("No pleural effusion.", {"effusion"}), ("Costophrenic angles are clear.", {"effusion"}),
               ("No pleural effusion or pneumothorax.", {"effusion", "pneumothorax"}),
               ("No effusion.", {"effusion"})],
    "ptx": [("No pneumothorax.", {"pneumothorax"}), ("No pneumothorax is seen.", {"pneumothorax"}),
            ("No evidence of pneumothorax.", {"pneumothorax"})],
    "bones": [("No displaced rib fracture is seen.", {"fracture"}), ("No acute bony injury identified.",
                                                                     {"fracture"}),
              ("Bony thorax appears intact.", {"fracture"}), ("Visualised bones unremarkable.", {"fracture"})],
}
LUNG_TAGS = {"lungs", "consolidation", "collapse", "mass", "oedema"}


def _cap(s):
    return s[:1].upper() + s[1:]


def mk_finding(rng, key, side=None):
    """Return a finding dict: key, side, f (findings sentence), i (impression phrase), sig, terms, tags, size."""
    sd = side or rng.choice(["right", "left"])
    S = _cap(sd)
    zone = rng.choice(["lower", "mid"])
    if key == "consolidation":
        f = rng.choice([
            f"There is consolidation in the {sd} {zone} zone.",
            f"Patchy airspace opacification at the {sd} base, in keeping with infection.",
            f"Consolidation in the {sd} lower lobe with air bronchograms.",
            f"New area of consolidation in the {sd} {zone} zone.",
            f"Increased airspace shadowing in the {sd} {zone} zone compatible with consolidation.",
        ])
        i = rng.choice([f"{S} {zone} zone consolidation, likely infective.", f"{S} basal pneumonia.",
                        f"{S} lower lobe consolidation in keeping with infection.",
                        f"Features of {sd}-sided pneumonia."])
        return dict(key=key, side=sd, f=f, i=i, sig=True, tags={"consolidation", "lungs"},
                    terms=["consolidat", "pneumon", "infect", "airspace", "air space", "opacif", "shadowing",
                           "opacit", "sepsis", "lrti"], scen="infection")
    if key == "ptx":
        n = rng.choice(["1.5", "2", "2.5", "3", "4"])
        f = rng.choice([
            f"There is a {sd} apical pneumothorax, measuring {n} cm at the level of the hilum.",
            f"{S}-sided pneumothorax with a {n} cm rim of air at the apex. No mediastinal shift.",
            f"A {sd} pneumothorax is present, {n} cm at the apex. No tension.",
            f"Visceral pleural line seen at the {sd} apex in keeping with a pneumothorax, measuring {n} cm.",
        ])
        i = rng.choice([f"{S} pneumothorax.", f"{S} apical pneumothorax, {n} cm.",
                        f"{S}-sided pneumothorax; no features of tension."])
        return dict(key=key, side=sd, f=f, i=i, sig=True, tags={"pneumothorax"}, size=n,
                    terms=["pneumothora", "ptx", "air", "pleural line"], scen="ptx")
    if key == "effusion":
        grade = rng.choice(["moderate", "large", "moderate-sized"])
        f = rng.choice([
            f"There is a {grade} {sd} pleural effusion.",
            f"{_cap(grade)} {sd} pleural effusion with adjacent basal atelectasis.",
            f"Opacification of the {sd} lower zone with a meniscus, in keeping with a {grade} pleural effusion.",
        ])
        i = rng.choice([f"{_cap(grade)} {sd} pleural effusion.", f"{S} pleural effusion.",
                        f"{S} pleural effusion - consider ultrasound-guided aspiration if clinically indicated."])
        return dict(key=key, side=sd, f=f, i=i, sig=True, tags={"effusion", "lungs"}, grade=grade,
                    terms=["effusion", "fluid", "pleural", "meniscus"], scen="sob")
    if key == "small_effusion":
        f = rng.choice([f"Small {sd} pleural effusion.", f"Blunting of the {sd} costophrenic angle, likely a small "
                        "effusion.", f"Trace of {sd} pleural fluid."])
        i = rng.choice([f"Small {sd} pleural effusion.", f"Small {sd} effusion."])
        return dict(key=key, side=sd, f=f, i=i, sig=False, tags={"effusion"},
                    terms=["effusion", "fluid", "pleural", "costophrenic"], scen="sob")
    if key == "oedema":
        f = rng.choice([
            "Upper lobe venous diversion, bilateral perihilar airspace shadowing and small bilateral effusions, "
            "in keeping with pulmonary oedema.",
            "Interstitial oedema with septal lines and prominent upper lobe vessels.",
            "Bilateral perihilar haziness and Kerley B lines consistent with fluid overload.",
        ])
        i = rng.choice(["Pulmonary oedema.", "Features of left ventricular failure.", "Appearances in keeping "
                        "with fluid overload / cardiac failure.", "Pulmonary oedema, likely cardiogenic."])
        return dict(key=key, side=None, f=f, i=i, sig=True, tags={"oedema", "lungs", "effusion"},
                    terms=["oedema", "edema", "failure", "overload", "congest", "lvf", "fluid", "venous"],
                    scen="sob")
    if key == "collapse":
        if sd == "left":
            f = rng.choice(["Retrocardiac opacity with loss of the medial left hemidiaphragm, in keeping with "
                            "left lower lobe collapse.", "Left lower lobe collapse (sail sign behind the heart)."])
            i = "Left lower lobe collapse."
        else:
            f = rng.choice(["Opacification in the right upper zone with elevation of the horizontal fissure, "
                            "consistent with right upper lobe collapse.",
                            "Right lower lobe collapse with loss of the right hemidiaphragm outline medially."])
            i = rng.choice(["Right upper lobe collapse." if "upper" in f else "Right lower lobe collapse.",
                            ("Right upper" if "upper" in f else "Right lower") + " lobe collapse - ?mucus plugging; "
                            "if persistent, consider CT to exclude an obstructing lesion."])
        return dict(key=key, side=sd, f=f, i=i, sig=True, tags={"collapse", "lungs"},
                    terms=["collapse", "atelecta", "lobe", "volume loss", "opacit"], scen="sob")
    if key == "mass":
        n = rng.choice(["2.5", "3", "4", "3.5"])
        f = rng.choice([f"A {n} cm rounded mass projects over the {sd} mid zone.",
                        f"There is a {n} cm spiculated mass in the {sd} upper zone."])
        i = rng.choice([f"{S} lung mass, {n} cm - suspicious. Recommend CT chest; referred via the lung cancer "
                        "pathway.", f"{n} cm {sd} lung mass. Urgent CT chest advised."])
        return dict(key=key, side=sd, f=f, i=i, sig=True, tags={"mass", "lungs"}, size=n,
                    terms=["mass", "lesion", "malignan", "neoplas", "ct ", "cancer", "nodul", "opacit"],
                    scen="pain")
    if key == "nodule":
        n = rng.choice(["8", "10", "12", "15"])
        f = rng.choice([f"A {n} mm nodule is noted in the {sd} upper zone.",
                        f"There is a {n} mm rounded nodular opacity in the {sd} mid zone."])
        i = rng.choice([f"{n} mm {sd} lung nodule. CT chest recommended.", f"{S} pulmonary nodule ({n} mm) - "
                        "suggest CT for further characterisation."])
        return dict(key=key, side=sd, f=f, i=i, sig=True, tags={"mass", "lungs"}, size=n,
                    terms=["nodul", "lesion", "mass", "opacit", "ct "], scen="pain")
    if key == "mediastinum":
        f = rng.choice(["The mediastinum appears widened on this supine AP film.",
                        "Widened superior mediastinum, measuring 9 cm at the level of the aortic knuckle."])
        i = rng.choice(["Widened mediastinum - CT aortogram recommended in view of the mechanism.",
                        "Widened mediastinum; consider CT to exclude aortic injury."])
        return dict(key=key, side=None, f=f, i=i, sig=True, tags={"mediastinum"},
                    terms=["mediastin", "aort", "widen"], scen="trauma")
    if key == "ribs":
        ribs = rng.choice(["5th to 7th", "4th and 5th", "6th", "8th and 9th", "7th"])
        plural = "s" if ("and" in ribs or "to" in ribs) else ""
        f = rng.choice([f"Acute displaced fracture{plural} of the {sd} {ribs} rib{plural} laterally.",
                        f"There {'are' if plural else 'is a'} fracture{plural} of the {sd} {ribs} "
                        f"rib{plural} anterolaterally."])
        i = rng.choice([f"{S} rib fracture{plural}, as above.", f"Fracture{plural} of the {sd} {ribs} "
                        f"rib{plural}. No pneumothorax."])
        return dict(key=key, side=sd, f=f, i=i, sig=False, listed=True, tags={"fracture"},
                    terms=["fractur", "rib"], scen="fall", noptx="No pneumothorax" in i)
    if key == "cardiomegaly":
        f = rng.choice(["Mild cardiomegaly.", "The heart is mildly enlarged.", "Borderline cardiac size.",
                        "Cardiomegaly, unchanged from the previous film."])
        i = rng.choice(["Mild cardiomegaly.", "Stable cardiomegaly."]) if "Border" not in f else \
            "Borderline heart size."
        return dict(key=key, side=None, f=f, i=i, sig=False, tags={"heart"}, terms=["cardi", "heart"],
                    scen="sob")
    if key == "minor":
        f, i = rng.choice([
            ("Unfolded thoracic aorta.", "Unfolded aorta."),
            ("Degenerative change in the thoracic spine.", "Degenerative thoracic spine."),
            ("Small hiatus hernia.", "Small hiatus hernia."),
            ("Hyperinflated lungs in keeping with known COPD.", "Hyperexpanded lungs, COPD."),
            (f"Calcified granuloma in the {sd} upper zone.", f"Old granulomatous disease ({sd} upper zone)."),
            (f"Old healed fractures of the {sd} lateral ribs.", f"Old {sd} rib fractures."),
            ("Dual-chamber pacemaker in situ with leads in satisfactory position.", "Pacemaker in situ."),
            (f"Linear atelectasis at the {sd} base.", f"Minor {sd} basal atelectasis."),
            ("Sternotomy wires and mediastinal clips noted.", "Previous sternotomy."),
        ])
        sided = sd in f
        return dict(key=key, side=sd if sided else None, f=f, i=i, sig=False, tags=set(),
                    terms=[], scen=None)
    if key == "fb":
        f = rng.choice(["A round radio-opaque foreign body, 2 cm in diameter, projects over the upper oesophagus "
                        "at the level of the thoracic inlet.", "Round metallic density over the upper chest, "
                        "in keeping with a coin in the proximal oesophagus."])
        i = rng.choice(["Coin in the upper oesophagus.", "Radio-opaque foreign body (coin) at the level of the "
                        "thoracic inlet, within the oesophagus. Discussed with the ED team."])
        return dict(key=key, side=None, f=f, i=i, sig=False, listed=True, tags={"fb"},
                    terms=["coin", "foreign", "oesophag", "radio-opaque"], scen="fb")
    raise KeyError(key)


INDICATIONS = {
    "pain": ["Chest pain.", "Central chest pain, ECG normal.", "Chest pain, troponin pending.",
             "Atypical chest pain.", "Left-sided chest pain radiating to arm. ACS?", "Pleuritic chest pain. ?PE",
             "Chest pain ?cause", "Chest tightness, smoker."],
    "sob": ["SOB.", "Shortness of breath. ?LVF", "Increasing breathlessness, bilateral leg swelling.",
            "Known COPD, worsening SOB.", "Acute SOB, sats 89% on air.", "Breathless, ?fluid overload.",
            "Dyspnoea on exertion, ?effusion"],
    "infection": ["Cough and fever, raised CRP. ?chest infection", "?LRTI", "Sepsis ?source.",
                  "Productive cough, pyrexial, crackles at base.", "?Pneumonia, CURB-65 2.",
                  "Temp 38.6, tachypnoeic. ?chest source"],
    "fall": ["Fall at home, chest wall pain. ?rib fractures", "Mechanical fall, tender over ribs.",
             "Fall down stairs. Chest wall tenderness.", "Fall. ?injury", "Fall onto side, pleuritic pain."],
    "trauma": ["Trauma call - RTC, driver, seatbelt sign.", "Motorcyclist vs car. Primary survey.",
               "Trauma. Fall from height (3 m).", "Assault, kicked to chest."],
    "ptx": ["?Pneumothorax", "Sudden onset pleuritic chest pain and SOB. ?PTX", "Tall thin male, sudden SOB. "
            "?pneumothorax", "Pleuritic pain after coughing fit. ?pneumothorax"],
    "fb": ["?Swallowed coin.", "Child swallowed a coin, drooling. ?FB", "?Foreign body ingestion."],
    "confusion": ["Confusion. ?infective source.", "Acute confusion, off legs. ?sepsis", "Elderly, "
                  "increased confusion, ?chest", "Delirium screen.", "Found on floor, confused. ?aspiration"],
}
NORMAL_IMPS = {
    None: ["No acute abnormality.", "No acute cardiopulmonary abnormality.", "Normal chest radiograph.",
           "No acute findings.", "Normal chest X-ray.", "No significant abnormality detected.",
           "No active lung disease.", "Normal appearances."],
    "ptx": ["No pneumothorax.", "No pneumothorax seen. Normal chest radiograph."],
    "fall": ["No acute bony injury or pneumothorax.", "No displaced rib fracture or pneumothorax identified. "
             "Note that undisplaced rib fractures may not be visible on plain film."],
    "trauma": ["No acute traumatic abnormality seen on the chest radiograph.",
               "No pneumothorax, haemothorax or widened mediastinum."],
    "fb": ["No radio-opaque foreign body seen.", "No radio-opaque foreign body identified in the chest or neck. "
           "A non-radio-opaque object cannot be excluded."],
    "infection": ["No consolidation.", "No radiographic evidence of chest infection."],
    "confusion": ["No acute abnormality. No chest source of infection seen.", "No acute chest pathology."],
}
NORMAL_MINOR_IMPS = ["No acute abnormality.", "No acute cardiopulmonary abnormality.", "No acute findings.",
                     "Nil acute.", "No acute change."]
COMMS = ["Discussed with the ED registrar by telephone at {t}.", "Urgent finding - telephoned to the ED "
         "team at {t} and flagged on the alert system.", "Result communicated to the referring clinician at {t}.",
         "ED consultant informed at {t}."]
COMPARE = ["None available.", "None.", "CXR 14 months ago.", "Previous chest radiograph 2019.",
           "Prior film from last admission.", "No previous imaging for comparison."]

SCEN_POOLS = {
    # scenario: (probability the film is normal, finding keys by weight)
    "pain": (0.7, ["minor", "cardiomegaly", "nodule", "mass", "consolidation", "small_effusion"]),
    "sob": (0.35, ["oedema", "effusion", "small_effusion", "cardiomegaly", "consolidation", "collapse", "minor"]),
    "infection": (0.4, ["consolidation", "consolidation", "small_effusion", "effusion", "collapse", "minor"]),
    "fall": (0.55, ["ribs", "ribs", "minor", "ptx", "small_effusion"]),
    "trauma": (0.45, ["ribs", "ptx", "mediastinum", "small_effusion"]),
    "ptx": (0.5, ["ptx", "ptx", "minor"]),
    "fb": (0.55, ["fb"]),
    "confusion": (0.55, ["consolidation", "cardiomegaly", "minor", "small_effusion", "effusion"]),
}


def compose(rng, need=None, n_extra=None):
    """Compose an ED case. need: a finding key that must be present. Returns a case dict."""
    if need:
        scen = mk_finding(random.Random(rng.random()), need)["scen"] or rng.choice(list(SCEN_POOLS))
    else:
        scen = rng.choice(["pain", "pain", "sob", "sob", "infection", "infection", "fall", "fall", "trauma",
                           "ptx", "fb", "confusion", "confusion"])
    pnormal, pool = SCEN_POOLS[scen]
    keys = []
    if need:
        keys.append(need)
    elif rng.random() > pnormal:
        keys.append(rng.choice(pool))
    extra = n_extra if n_extra is not None else (1 if keys and rng.random() < 0.35 else 0)
    for _ in range(extra):
        k = rng.choice(["minor", "minor", "cardiomegaly", "small_effusion"] + pool)
        if k not in keys and not ({"effusion", "small_effusion"} <= set(keys + [k])) and not (
                k == "oedema" or (k in ("effusion", "small_effusion") and "oedema" in keys)):
            keys.append(k)
    findings, used_sides = [], {}
    for k in keys:
        fd = mk_finding(rng, k)
        findings.append(fd)
        used_sides[k] = fd["side"]
    # indication: sided indications only where a side-carrying finding agrees
    ind = rng.choice(INDICATIONS[scen])
    sides = {fd["side"] for fd in findings if fd["side"]}
    if "Left-sided" in ind and sides != {"left"}:
        ind = "Chest pain, ?cause."
    # normal statements not contradicting any finding
    blocked = set().union(*[fd["tags"] for fd in findings]) if findings else set()
    lung_finding = bool(blocked & LUNG_TAGS)
    normals = []
    order = ["heart", "mediastinum", "lungs", "pleura", "ptx"]
    if scen in ("fall", "trauma") or rng.random() < 0.15:
        order.append("bones")
    for grp in order:
        if rng.random() < {"mediastinum": 0.55, "lungs": 1.0, "heart": 0.85}.get(grp, 0.8):
            opts = [(t, tags) for t, tags in NORMALS[grp] if not (tags & blocked)]
            if grp == "lungs" and lung_finding:
                opts = [("The lungs are otherwise clear.", set())] if "oedema" not in blocked and (
                    "consolidation" not in blocked or rng.random() < 0.5) else []
            if opts:
                t, tags = rng.choice(opts)
                if any(t.split()[0:2] == n.split()[0:2] for n in normals) or (
                        grp == "mediastinum" and any("mediastin" in n for n in normals)) or (
                        "pneumothorax" in t.lower() and any("pneumothorax" in n.lower() for n in normals)):
                    continue
                normals.append(t)
    # order: positives first (ED habit), sometimes heart first
    if rng.random() < 0.5 or (normals and "otherwise" in normals[0]):
        fsents = [fd["f"] for fd in findings] + normals
    else:
        fsents = normals[:1] + [fd["f"] for fd in findings] + normals[1:]
    # conclusion
    listed = [fd for fd in findings if fd["sig"] or fd.get("listed") or rng.random() < 0.5]
    if listed:
        isents = [fd["i"] for fd in listed]
        if scen in ("fall", "trauma") and not any(fd["key"] == "ptx" for fd in findings) and not any(
                fd.get("noptx") for fd in listed) and rng.random() < 0.5:
            isents.append("No pneumothorax.")
        imp = " ".join(isents)
    elif findings:
        imp = rng.choice(NORMAL_MINOR_IMPS)
    else:
        imp = rng.choice(NORMAL_IMPS.get(scen, []) + NORMAL_IMPS[None])
    cmp = rng.choice(COMPARE) if rng.random() < 0.35 else ""
    comm = ""
    if any(fd["sig"] for fd in findings) and rng.random() < 0.3:
        comm = rng.choice(COMMS).format(t=f"{rng.randrange(8, 23):02d}:{rng.randrange(60):02d}")
    return dict(ind=ind, cmp=cmp, comm=comm, f=" ".join(fsents), i=imp, findings=findings, normals=normals, scen=scen,
                src="composed")


# ----------------------------------------------------------------------------------------------------------
# IU reports: re-worded, classified
# ----------------------------------------------------------------------------------------------------------

NEG_CUES = re.compile(r"\b(no|not|without|negative|resolved|resolution|clear|free of|removed|cleared|"
                      r"no evidence|unremarkable|exclude|excluded)\b", re.I)
SIG_IU = re.compile(r"\b(pneumothora\w*|edema|oedema|consolidat\w*|airspace|air space|infiltrat\w*|pneumonia|"
                    r"mass|collapse[d]?|congest\w*|effusions?|opacit\w*|atelecta\w*|nodules?|cardiomegaly|"
                    r"enlarged|widen\w*|fracture\w*|granuloma\w*|scar\w*|hernia|emphysema|hyperinflat\w*|"
                    r"interstitial|fibros\w*|calcifi\w*|lesion|density|densities|prominent|elevat\w*|tortuous)\b",
                    re.I)
STRONG = re.compile(r"\b(pneumothora\w*|edema|consolidat\w*|airspace disease|air space disease|infiltrat\w*|"
                    r"pneumonia|mass|collapsed?)\b", re.I)
MINOR_CUES = re.compile(r"\b(small|trace|tiny|minimal|mild|stable|chronic|old|unchanged|healed|calcified|"
                        r"borderline|subsegmental|possible|may|cannot|could|versus|vs|likely)\b", re.I)
NORMAL_IMP_RE = re.compile(r"^(no acute|normal|negative|no active|no evidence|no radiographic|clear)", re.I)
SIDE_RE = re.compile(r"\b(right|left)\b", re.I)
OPP = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT"}
TERM_GROUPS = [
    ["pneumothora"], ["effusion", "pleural fluid"], ["edema", "oedema", "congest", "failure", "overload"],
    ["consolidat", "airspace", "air space", "infiltrat", "pneumon", "opacit", "infect", "density", "densit"],
    ["atelecta", "collapse", "scar", "volume loss"], ["nodul", "mass", "lesion", "granuloma", "calcifi"],
    ["fractur", "rib"], ["pacemaker", "catheter", "tube", "line", "port"], ["hemidiaphragm", "diaphragm"],
]


def uk(rng, t, ukp):
    t = re.sub(r"x-XXXX", "X-ray", t)
    t = re.sub(r"\bXXXX-ray", "X-ray", t)
    if ukp:
        t = t.replace("edema", "oedema").replace("Edema", "Oedema").replace("hemithorax", "haemithorax")
        t = t.replace("hemidiaphragm", "hemidiaphragm")
    return t


def tidy(t):
    t = re.sub(r"\.(\s*\.)+", ".", t)
    return re.sub(r"\s+([.,;])", r"\1", t).strip()


def imp_items(i):
    """IU impressions: numbered items when numbered, otherwise sentences."""
    if re.match(r"\s*1\.\s", i):
        return [x.strip() for x in re.split(r"(?:^|\s)\d+\.\s+", i) if x.strip()]
    return split_sents(i)


def iu_case(rng, r):
    ukp = rng.random() < 0.6
    f, i = uk(rng, r["f"], ukp), uk(rng, r["i"], ukp)
    f, i = tidy(f), tidy(i)
    ind = tidy(r["ind"]).rstrip(" ;,.") if r["ind"] and r["ind"].lower().rstrip(".") not in ("none", "") else ""
    cmp = tidy(r["cmp"]) if r["cmp"] and r["cmp"].lower().rstrip(".") not in ("none", "") else ""
    if not cmp and rng.random() < 0.3:
        cmp = "None available."
    if ind and not ind.endswith((".", "?")):
        ind += "."
    i = re.sub(r"^1\.\s*", "", i) if not re.search(r"\b2\.", i) else i
    return dict(ind=ind, cmp=cmp, f=f, i=i, uid=r["uid"], src="iu")


def affirmed_sents(text, rx):
    out = []
    for s in split_sents(text):
        if rx.search(s) and not NEG_CUES.search(s):
            out.append(s)
    return out


def iu_is_clean(r):
    """Conservative: every affirmed notable finding in FINDINGS is echoed in IMPRESSION; no side clashes."""
    f, i = r["f"], r["i"]
    il = i.lower()
    if re.search(r"\[|\*\*|_{2,}|<", f + i):
        return False
    for s in affirmed_sents(f, SIG_IU):
        m = STRONG.search(s)
        if m or not MINOR_CUES.search(s):
            words = [w.lower() for w in SIG_IU.findall(s)]
            grp_hit = False
            for w in words:
                for g in TERM_GROUPS:
                    if any(w.startswith(x) or x in w for x in g) and any(x in il for x in g):
                        grp_hit = True
            if not grp_hit:
                return False
    # side clash: impression side sentence with a term whose findings side differs
    for s in split_sents(i):
        sides = {x.lower() for x in SIDE_RE.findall(s)}
        if len(sides) == 1:
            side = sides.pop()
            for g in TERM_GROUPS:
                if any(x in s.lower() for x in g):
                    fsides = {x.lower() for fs in split_sents(f) if any(y in fs.lower() for y in g)
                              for x in SIDE_RE.findall(fs)}
                    if fsides and side not in fsides:
                        return False
    # impression affirms something findings negate (cheap check)
    for s in affirmed_sents(i, STRONG):
        w = STRONG.search(s).group(0).lower()[:6]
        for fs in split_sents(f):
            if w in fs.lower() and NEG_CUES.search(fs):
                return False
    return True


# ----------------------------------------------------------------------------------------------------------
# injections. Each returns (case, detail, miss) or None when this case does not suit.
# ----------------------------------------------------------------------------------------------------------

OMIT_NORMALS = ["No acute cardiopulmonary abnormality.", "No acute abnormality.", "Normal chest radiograph.",
                "No acute findings.", "No active disease.", "No significant abnormality."]


def inj_missing(rng, c):
    c = dict(c, comm="")
    r = rng.random()
    if r < 0.35:
        return c, "IMPRESSION/conclusion section left out (never dictated)", "impression_absent"
    if r < 0.65:
        return c, "conclusion heading left with nothing under it", "impression_empty"
    if r < 0.9:
        return c, "findings heading left with nothing under it", "findings_empty"
    # FINDINGS removed only beside a bare impression that describes nothing
    c = dict(c)
    c["i"] = rng.choice(["No acute abnormality.", "No acute disease.", "Nil acute."])
    return c, "FINDINGS section removed; only a bare conclusion left", "findings_absent"


def _flip_in(text, sent, rng):
    """Flip the (single) side word in sentence `sent` of text."""
    new = SIDE_RE.sub(lambda m: OPP[m.group(0)] if m.group(0) in OPP else OPP[m.group(0).capitalize()].lower(),
                      sent, count=1)
    return text.replace(sent, new, 1), new


ANAT_SIDE = re.compile(r"\b(right|left) (coronary|atri|ventric|heart|main ?stem|bundle)|coronary|atrial|ventricular",
                       re.I)


def inj_laterality(rng, c):
    if c["src"] == "composed":
        sided = [fd for fd in c["findings"] if fd["side"] and fd["i"] in c["i"] and fd["side"] in fd["i"].lower()]
        if not sided:
            return None
        fd = rng.choice(sided)
        c = dict(c)
        if rng.random() < 0.7 or len(SIDE_RE.findall(fd["f"])) != 1:
            c["i"], new = _flip_in(c["i"], fd["i"], rng)
            where = "conclusion"
        else:
            c["f"], new = _flip_in(c["f"], fd["f"], rng)
            where = "findings"
        c["check"] = ("lat", fd["side"], where, new)
        return c, f"{fd['key']} side flipped in the {where}: '{new}' (other section says {fd['side']})", None
    # IU: impression sentence with one side and a term that a findings sentence places on the same side
    f, i = c["f"], c["i"]
    cands = []
    for s in split_sents(i):
        sides = {x.lower() for x in SIDE_RE.findall(s)}
        if len(sides) != 1 or len(SIDE_RE.findall(s)) != 1 or ANAT_SIDE.search(s):
            continue
        side = next(iter(sides))
        for g in TERM_GROUPS[:6]:
            if any(x in s.lower() for x in g):
                fs_match = [fs for fs in split_sents(f) if any(x in fs.lower() for x in g)
                            and {y.lower() for y in SIDE_RE.findall(fs)} == {side}]
                other = [fs for fs in split_sents(f) if any(x in fs.lower() for x in g)
                         and OPP[side] in fs.lower()]
                if fs_match and not other:
                    cands.append((s, side, fs_match[0]))
                break
    if not cands:
        return None
    s, side, fs = rng.choice(cands)
    c = dict(c)
    if rng.random() < 0.65:
        c["i"], new = _flip_in(i, s, rng)
        where, other = "impression", fs
    else:
        if len(SIDE_RE.findall(fs)) != 1 or ANAT_SIDE.search(fs):
            return None
        c["f"], new = _flip_in(f, fs, rng)
        where, other = "findings", s
    c["check"] = ("lat", side, where, new)
    return c, f"side flipped in the {where}: '{new}' vs '{other}'", None


AFFIRM = {
    "pneumothorax": ["Small right apical pneumothorax.", "Left pneumothorax.", "Small left apical pneumothorax."],
    "effusion": ["Right pleural effusion.", "Small left pleural effusion.", "Bilateral pleural effusions."],
    "consolidation": ["Right lower zone consolidation, likely infective.", "Left basal pneumonia.",
                      "Right middle lobe consolidation."],
    "heart": ["Cardiomegaly.", "Cardiomegaly with early pulmonary venous congestion."],
}
NEG_OF = {  # a finding key -> how a pasted normal conclusion rules it out
    "consolidation": ["The lungs are clear.", "No consolidation.", "Clear lungs. No acute abnormality."],
    "ptx": ["No pneumothorax.", "No pneumothorax seen."],
    "effusion": ["No pleural effusion.", "No effusion or consolidation."],
    "small_effusion": ["No pleural effusion."],
    "cardiomegaly": ["Heart size normal. No acute abnormality.", "Normal heart size."],
    "collapse": ["The lungs are clear.", "No collapse or consolidation."],
    "oedema": ["No pulmonary oedema. Lungs clear.", "No features of cardiac failure."],
    "ribs": ["No rib fracture seen.", "No acute bony injury."],
    "nodule": ["No focal lung lesion.", "The lungs are clear."],
}
NEG_FINDINGS_RX = {
    "pneumothorax": re.compile(r"\bno (evidence of )?(a |visible )?pneumothorax|without (a )?pneumothorax|"
                               r"(or|nor) pneumothorax\b", re.I),
    "effusion": re.compile(r"\bno (large |visible )?pleural effusions?|\bno effusion|(or|nor) (a )?pleural "
                           r"effusion|without (a )?(pleural )?effusion", re.I),
    "consolidation": re.compile(r"lungs are clear|lungs? (fields )?(are )?clear|no focal consolidation|"
                                r"no consolidation|without (focal )?consolidation|clear lungs", re.I),
    "heart": re.compile(r"heart (size )?(is )?(within )?normal|normal heart size|heart size is normal|"
                        r"normal cardiac size|heart is not enlarged|normal cardiomediastinal", re.I),
}


IU_AFF = [
    ("effusion", re.compile(r"\bpleural effusions?\b|\beffusions?\b", re.I),
     ["No pleural effusion.", "No pleural effusion. No acute cardiopulmonary abnormality."]),
    ("pneumothorax", re.compile(r"\bpneumothorax\b", re.I), ["No pneumothorax.", "No pneumothorax seen."]),
    ("consolidation", re.compile(r"\b(consolidation|airspace disease|infiltrates?|pneumonia)\b", re.I),
     ["The lungs are clear.", "Clear lungs. No acute abnormality."]),
    ("heart", re.compile(r"\bcardiomegaly\b|\bheart (size )?is enlarged\b|\benlarged heart\b", re.I),
     ["Normal heart size. No acute abnormality.", "Heart size normal."]),
]


def inj_negation(rng, c, mode=None):
    c = dict(c)
    if c["src"] != "composed" and mode == "a":
        opts = []
        for _key, rx, negs in IU_AFF:
            for s in split_sents(c["f"]):
                if rx.search(s) and not NEG_CUES.search(s) and not re.search(
                        r"borderline|upper limits|possibl|may|versus|cannot|questionable|\?", s, re.I):
                    opts.append((s, rng.choice(negs)))
        if not opts:
            return None
        s, neg = rng.choice(opts)
        c["i"] = neg
        c["check"] = ("neg", s, neg)
        return c, f"findings affirm: '{s}'; impression pasted as '{neg}'", None
    if c["src"] == "composed":
        affirmed = [fd for fd in c["findings"] if fd["key"] in NEG_OF and "Borderline" not in fd["f"]]
        if affirmed and mode != "b":
            # pasted normal conclusion rules out what FINDINGS affirm
            fd = rng.choice(affirmed)
            neg = rng.choice(NEG_OF[fd["key"]])
            rest = [x["i"] for x in c["findings"] if x is not fd and x["sig"]]
            c["i"] = " ".join([neg] + rest) if rng.random() < 0.5 else " ".join(rest + [neg])
            c["check"] = ("neg", fd["f"], neg)
            return c, f"findings affirm {fd['key']} ('{fd['f']}'); conclusion says '{neg}'", None
        if mode == "a":
            return None
        # FINDINGS rule out; conclusion affirms (wrong-patient / wrong-macro slip)
        opts = []
        for n in c["normals"]:
            nl = n.lower()
            if "pneumothorax" in nl:
                opts.append(("pneumothorax", n))
            if "effusion" in nl or "costophrenic" in nl:
                opts.append(("effusion", n))
            if "lungs are clear" in nl or "clear lungs" in nl or "consolidation" in nl or "lung fields" in nl:
                opts.append(("consolidation", n))
            if ("heart" in nl or "cardiac" in nl or "ctr" in nl) and "cardiomediastinal" not in nl:
                opts.append(("heart", n))
        if not opts:
            return None
        key, n = rng.choice(opts)
        aff = rng.choice(AFFIRM[key])
        sides = {fd["side"] for fd in c["findings"] if fd["side"]}
        if sides and SIDE_RE.search(aff) and SIDE_RE.search(aff).group(0).lower() not in sides:
            aff = SIDE_RE.sub(lambda m: next(iter(sides)).capitalize() if m.group(0)[0].isupper()
                              else next(iter(sides)), aff)
        base = c["i"] if c["findings"] and not NORMAL_IMP_RE.match(c["i"]) else ""
        c["i"] = (base + " " + aff).strip()
        c["check"] = ("neg", n, aff)
        return c, f"findings: '{n}'; conclusion affirms '{aff}'", None
    # IU: findings explicitly/semantically negate; impression affirms
    opts = []
    for key, rx in NEG_FINDINGS_RX.items():
        m = rx.search(c["f"])
        if m:
            opts.append((key, m.group(0)))
    if not opts:
        return None
    key, neg = rng.choice(opts)
    aff = rng.choice(AFFIRM[key])
    stem = {"pneumothorax": "pneumothora", "effusion": "effusion", "consolidation": "consolidat",
            "heart": "cardi"}[key]
    if NORMAL_IMP_RE.match(c["i"]) or rng.random() < 0.5 or stem in c["i"].lower() or (
            key == "heart" and "heart" in c["i"].lower()) or re.search(r"(^|\s)\d\.\s", c["i"]):
        c["i"] = aff
    else:
        c["i"] = c["i"].rstrip() + " " + aff
    c["check"] = ("neg", neg, aff)
    return c, f"findings: '{neg}'; impression affirms '{aff}'", None


IU_SIG_OMIT = re.compile(r"\b(pneumothorax|(pulmonary )?(o)?edema|consolidation|airspace disease|"
                         r"air space disease|(focal )?infiltrates?|pneumonia|mass|(moderate|large) "
                         r"(\w+ )?(pleural )?effusions?|collapse[d]?)\b", re.I)
OMIT_TERMS = ["pneumothora", "edema", "oedema", "consolidat", "airspace", "air space", "infiltrat", "pneumon",
              "mass", "effusion", "collapse", "opacit", "infect", "fluid", "failure", "congest", "atelecta",
              "lesion", "density", "densit", "new", "increas", "worse", "progress"]


def inj_omit(rng, c, want_normal, strict=False):
    c = dict(c)
    if c["src"] == "composed":
        sig = [fd for fd in c["findings"] if fd["sig"]]
        if not sig:
            return None
        fd = sig[0]
        others = [x for x in c["findings"] if x is not fd]
        if want_normal or not others:
            c["i"] = rng.choice(OMIT_NORMALS)
            how = "conclusion is a normal macro"
        else:
            c["i"] = " ".join(x["i"] for x in others)
            how = "conclusion lists the other findings only"
        il = c["i"].lower()
        if any(t in il for t in fd["terms"]):
            return None
        c["check"] = ("omit", fd["f"], fd["terms"])
        return c, f"findings: '{fd['f']}' - {how}, omitting it", None
    sents = affirmed_sents(c["f"], IU_SIG_OMIT)
    sents = [s for s in sents if not re.search(r"\b(small|trace|tiny|minimal|mild|stable|chronic|old|"
                                                r"unchanged|possible|questionable|may|cannot|versus|"
                                                r"likely|borderline)\b", s, re.I)]
    if not sents:
        return None
    s = rng.choice(sents)
    isents = imp_items(c["i"])
    keep = [x for x in isents if not any(t in x.lower() for t in OMIT_TERMS)
            and not re.search(r"recommend|follow|resolution|\bthis\b|above|these|finding|process", x, re.I)]
    good = keep and all(len(x.split()) >= 3 for x in keep)
    if not want_normal and good and len(keep) < len(isents) and not NORMAL_IMP_RE.match(" ".join(keep)):
        c["i"] = " ".join(keep) if len(keep) == 1 else " ".join(f"{n}. {x}" for n, x in enumerate(keep, 1))
        how = "impression keeps only the other findings"
    elif strict and not want_normal:
        return None
    else:
        c["i"] = rng.choice(OMIT_NORMALS)
        how = "impression replaced by a normal macro"
    if any(t in c["i"].lower() for t in OMIT_TERMS):
        return None
    c["check"] = ("omit", s, OMIT_TERMS)
    return c, f"findings: '{s}' - {how}, omitting it", None


PH_SIDE = ["[LEFT/RIGHT]", "[left/right]", "[side]", "***", "[R/L]"]
PH_NUM = ["___", "XX", "**", "[ ]", "<insert>"]
PH_GRADE = ["[small/moderate/large]", "[mild/moderate/severe]", "***", "[grade]"]
PH_WORD = ["[***]", "<finding>", "[insert finding]", "***"]


def negated_at(t, pos):
    """Is the sentence of text t holding position pos a negative one?"""
    a = max(t.rfind(". ", 0, pos), -1)
    b = t.find(". ", pos)
    return bool(NEG_CUES.search(t[a + 1:b if b >= 0 else len(t)]))


def inj_placeholder(rng, c, need_field=False):
    c = dict(c)
    texts = [("findings", "f"), ("conclusion", "i")]
    rng.shuffle(texts)
    opts = []
    for where, k in texts:
        t = c[k]
        for m in re.finditer(r"\b\d+(\.\d+)? ?(cm|mm)\b", t):
            opts.append((k, where, m.start(), m.end(), rng.choice(PH_NUM) + " " + m.group(2), "measurement"))
        for m in re.finditer(r"\b(small|moderate|large|mild|moderate-sized)\b", t, re.I):
            if negated_at(t, m.start()):
                continue
            opts.append((k, where, m.start(), m.end(), rng.choice(PH_GRADE), "grade"))
        for m in SIDE_RE.finditer(t):
            opts.append((k, where, m.start(), m.end(), rng.choice(PH_SIDE), "side"))
        for m in re.finditer(r"\b(consolidation|pneumothorax|effusion|atelectasis|opacity|granuloma|"
                             r"normal|clear)\b", t, re.I):
            if m.group(0).lower() == "clear" or (m.group(0).lower() != "normal" and negated_at(t, m.start())):
                continue
            if m.group(0).lower() == "normal":
                rep = rng.choice(["[normal/abnormal]", "***"])
            else:
                rep = rng.choice(PH_WORD)
            opts.append((k, where, m.start(), m.end(), rep, "finding word"))
    if not opts:
        return None
    # prefer measurement / side / grade (the common template fields)
    pri = [o for o in opts if o[5] != "finding word"]
    if need_field and not pri:
        return None
    k, where, a, b, rep, what = rng.choice(pri if pri and rng.random() < 0.8 else opts)
    old = c[k][a:b]
    c[k] = c[k][:a] + rep + c[k][b:]
    c["check"] = ("ph", rep)
    return c, f"{what} left as template field in the {where}: '{old}' -> '{rep}'", None


# ----------------------------------------------------------------------------------------------------------
# verification of each injected case (in code)
# ----------------------------------------------------------------------------------------------------------

PH_RX = re.compile(r"\[[^\]]*\]|\*\*|<[^>]*>|\bXX\b|_{3}")


def verify(kind, c, miss, report):
    if kind is None:
        assert not PH_RX.search(report.replace("XXXX", "")), report
        return
    chk = c.get("check")
    if kind == "missing_section":
        if miss == "findings_absent":
            assert not re.search(r"(?im)^findings", report)
            assert NORMAL_IMP_RE.match(c["i"]) or c["i"].startswith("Nil"), c["i"]
        elif miss == "impression_absent":
            assert not re.search(r"(?im)^(conclusion|impression|opinion|comment)", report)
        else:
            head = r"(findings)" if miss == "findings_empty" else r"(conclusion|impression|opinion|comment)"
            m = re.search(r"(?im)^" + head + r"[^\n]*$", report)
            assert m and re.fullmatch(r"(?i)" + head + r":?", m.group(0).strip()), report
            nxt = report[m.end():].lstrip("\n").split("\n", 1)[0]
            assert not nxt or re.match(r"(?i)(conclusion|impression|opinion|comment|reported by|dr |[a-z]\. )",
                                       nxt) or nxt in SIGNERS, (nxt, report)
    elif kind == "laterality_conflict":
        _, side, where, new = chk
        sec_new, sec_other = (c["i"], c["f"]) if where in ("conclusion", "impression") else (c["f"], c["i"])
        assert new in sec_new and OPP[side] in new.lower() and side not in new.lower(), chk
        assert side in sec_other.lower(), chk
    elif kind == "negation_conflict":
        _, a, b = chk
        assert a in c["f"] and b in c["i"], chk
    elif kind == "impression_omits_finding":
        _, s, terms = chk
        assert s in c["f"] and not any(t in c["i"].lower() for t in terms), chk
    elif kind == "placeholder":
        assert chk[1] in report
    if miss is None:
        assert c["f"] in report and c["i"] in report or "\n1. " in report


# ----------------------------------------------------------------------------------------------------------
# build
# ----------------------------------------------------------------------------------------------------------


def build(seed):
    d = shared_dir()
    iu = load_iu(d)
    rng = random.Random(seed)
    rng.shuffle(iu)
    used = set()
    clean_iu = [r for r in iu if iu_is_clean(r)]
    out = []

    def take_iu(pred, pool=None):
        for r in pool if pool is not None else iu:
            if r["uid"] in used:
                continue
            c = iu_case(rng, r)
            res = pred(c)
            if res:
                used.add(r["uid"])
                return res
        raise RuntimeError("IU pool exhausted")

    def add(kind, c, detail, miss):
        rep = render(rng, c, miss)
        verify(kind, c, miss, rep)
        out.append({"injected": kind, "detail": detail, "report": rep, "_uid": c.get("uid")})

    half_c, half_k = N_CLEAN // 2, N_KIND // 2
    for _ in range(half_c):
        c = compose(rng)
        add(None, c, "unmodified (composed ED report)", None)
    for _ in range(half_c):
        c = take_iu(lambda c: c, clean_iu)
        add(None, c, f"unmodified (IU {c['uid']}, re-laid-out)", None)

    def composed_until(fn, need=None, extra=None):
        for _ in range(500):
            res = fn(compose(rng, need=need() if callable(need) else need, n_extra=extra))
            if res:
                return res
        raise RuntimeError("could not compose")

    # missing_section
    for _ in range(half_k):
        c, det, miss = composed_until(lambda c: inj_missing(rng, c))
        add("missing_section", c, det, miss)
    for _ in range(half_k):
        c, det, miss = take_iu(lambda c: inj_missing(rng, c), clean_iu)
        add("missing_section", c, det + f" (IU {c['uid']})", miss)
    # laterality
    sided = ["consolidation", "ptx", "effusion", "ribs", "collapse", "mass", "nodule", "small_effusion"]
    for _ in range(half_k):
        c, det, miss = composed_until(lambda c: inj_laterality(rng, c), need=lambda: rng.choice(sided))
        add("laterality_conflict", c, det, miss)
    for _ in range(half_k):
        c, det, miss = take_iu(lambda c: inj_laterality(rng, c))
        add("laterality_conflict", c, det + f" (IU {c['uid']})", miss)
    # negation
    neg_keys = ["consolidation", "ptx", "effusion", "small_effusion", "cardiomegaly", "collapse", "oedema", "ribs",
                "nodule"]
    for n in range(half_k):
        md = "a" if n % 2 else "b"
        c, det, miss = composed_until(lambda c, md=md: inj_negation(rng, c, md),
                                      need=(lambda: rng.choice(neg_keys)) if md == "a" else None)
        add("negation_conflict", c, det, miss)
    for n in range(half_k):
        md = "a" if n % 3 == 0 else "b"
        c, det, miss = take_iu(lambda c, md=md: inj_negation(rng, c, md), iu if md == "a" else clean_iu)
        add("negation_conflict", c, det + f" (IU {c['uid']})", miss)
    # omission: half beside a normal conclusion, half beside other listed findings
    sig_keys = ["consolidation", "ptx", "effusion", "oedema", "collapse", "mass", "nodule", "mediastinum"]
    for n in range(half_k):
        want_normal = n % 2 == 0
        c, det, miss = composed_until(lambda c, w=want_normal: inj_omit(rng, c, w),
                                      need=lambda: rng.choice(sig_keys), extra=0 if want_normal else 1)
        add("impression_omits_finding", c, det, miss)
    for n in range(half_k):
        try:
            c, det, miss = take_iu(lambda c, w=(n % 2 == 0): inj_omit(rng, c, w, strict=True))
        except RuntimeError:
            c, det, miss = take_iu(lambda c, w=(n % 2 == 0): inj_omit(rng, c, w))
        add("impression_omits_finding", c, det + f" (IU {c['uid']})", miss)
    # placeholder
    for _ in range(half_k):
        c, det, miss = composed_until(lambda c: inj_placeholder(rng, c),
                                      need=lambda: rng.choice(sided + [None, None, None]))
        add("placeholder", c, det, miss)
    for n in range(half_k):
        c, det, miss = take_iu(lambda c, f=(n % 4 != 0): inj_placeholder(rng, c, need_field=f), clean_iu)
        add("placeholder", c, det + f" (IU {c['uid']})", miss)

    rng.shuffle(out)
    rows = []
    for n, o in enumerate(out):
        h = hashlib.sha256(f"h53|{seed}|{n}|{o['report']}".encode()).hexdigest()[:16]
        rows.append({"id": f"h53-{h}", "injected": o["injected"], "detail": o["detail"], "report": o["report"]})
    return rows, {o["_uid"] for o in out if o["_uid"]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=5401)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows, _ = build(a.seed)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for k in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == k][: a.show]:
                print(f"===== {k} | {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
