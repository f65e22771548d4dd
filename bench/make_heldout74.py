"""Held-out report-check set 74, written blind (without reading the checker).

Setting: immigration and occupational-health screening chest X-rays -- IOM and US panel
physicians' sites (visa / immigrant medicals under the CDC Technical Instructions, UK, Canadian
and Australian visa medicals) and pre-employment / health-care-worker TB screening (positive
IGRA or Mantoux).  Mostly normal adults, old granulomatous disease, the odd active finding.
Reports are laid out the way those sites dictate: exam line, clinical history, comparison,
technique, findings, impression / conclusion / opinion, sign-off lines; British and American
spellings, zones as well as lobes, "No radiographic evidence of active pulmonary TB".

400 cases: 200 clean, 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder.  Half of each group is composed from the phrase bank
below, half are real IU reports (never a uid of the dev set) re-laid-out and lightly re-worded.

    python -m bench.make_heldout74 OUT.jsonl --seed S [--show N]
"""
from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import sys
import tarfile
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# ---------------------------------------------------------------- IU reports
_IU_CACHE: dict[str, list[dict]] = {}


def load_iu() -> list[dict]:
    tgz = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    key = str(tgz)
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    out = []
    with tarfile.open(tgz) as t:
        for m in t:
            if not m.name.endswith(".xml"):
                continue
            x = t.extractfile(m).read().decode("utf-8")
            u = re.search(r'<uId id="([^"]+)"', x)
            if not u:
                continue
            d = {"uid": u.group(1)}
            for lab, txt in re.findall(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', x, re.S):
                d[lab.lower()] = html.unescape(txt.strip())
            out.append(d)
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE[key] = out
    return out


def dev_uids() -> set[str]:
    p = shared_dir() / "eval" / "report_errors_dev.jsonl"
    uids = set()
    with open(p) as f:
        for line in f:
            line = line.strip()
            if line:
                uids.add(json.loads(line).get("uid"))
    return uids


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+", text.strip()) if s]


# ---------------------------------------------------------------- layout
EXAM_LINES = [
    "EXAMINATION: CHEST X-RAY PA VIEW", "EXAM: XR CHEST PA", "Examination: Chest radiograph, PA erect",
    "CHEST X-RAY (PA)", "STUDY: CXR PA - immigration medical", "Exam: Chest PA and lateral",
    "XR CHEST 1 VIEW", "Procedure: Chest X-ray PA", "EXAMINATION: CXR (PA view) - TB screening",
    "Chest X-Ray PA View",
]
HIST_LABELS = ["CLINICAL HISTORY:", "CLINICAL INFORMATION:", "HISTORY:", "Indication:",
               "REASON FOR EXAM:", "Clinical details:", "Clinical notes:"]
HISTORIES = [
    "Immigration medical examination.", "US immigrant visa applicant, TB screening per CDC Technical Instructions.",
    "Pre-employment medical. Health care worker.", "Annual TB screening, health care worker. IGRA positive.",
    "Positive QuantiFERON-TB Gold. Asymptomatic.", "UK visa medical - TB screening.",
    "Positive Mantoux (15 mm). BCG vaccinated. No symptoms.",
    "Pre-placement occupational health screen, nursing staff.",
    "IME, Canada. No respiratory symptoms.", "Australian visa health examination (501 chest X-ray).",
    "Panel physician referral, visa applicant aged 15 years or over.", "New starter, hospital porter. TB screen.",
    "Pre-employment, food handler.", "Student visa medical.", "Positive IGRA on occupational screening. Well.",
    "Migrant health screen. Asymptomatic.", "Health care worker, positive TST. Routine screening.",
    "Pre-deployment medical, overseas contract worker.",
]
COMP_LABELS = ["COMPARISON:", "Comparison:", "PRIOR:", "Previous:"]
COMPARISONS = ["None.", "None available.", "No previous films.", "No prior imaging available.", "Nil.",
               "None on file."]
COMPARISONS_PRIOR = ["Previous IME film XXXX.", "Prior CXR XXXX.", "Chest X-ray of XXXX.",
                     "Previous screening film dated XXXX."]
TECH_LABELS = ["TECHNIQUE:", "Technique:", "VIEWS:"]
TECHNIQUES = ["Single PA erect view.", "PA view.", "PA and lateral views.",
              "PA erect, adequate inspiration, not rotated.", "PA chest, good inspiratory effort.",
              "Frontal (PA) projection."]
FIND_LABELS = ["FINDINGS:", "Findings:", "FINDINGS", "REPORT:"]
IMP_LABELS = ["IMPRESSION:", "CONCLUSION:", "OPINION:", "Impression:", "Conclusion:", "Opinion:",
              "IMPRESSION", "SUMMARY:"]
SIGNOFFS = [
    "Reported by: Dr XXXX, Consultant Radiologist", "Electronically signed by: XXXX XXXX, MD",
    "Dr XXXX MBBS FRCR", "Reported by Dr XXXX XXXX\nDate reported: XXXX",
    "Radiologist: XXXX, MD (panel site)", "Dictated: XXXX  Transcribed: XXXX\nXXXX, MD",
    "Verified by: Dr XXXX", "-- Dr XXXX, Radiologist", "Signed: XXXX, FRANZCR",
]


def layout(rng: random.Random, parts: dict, drop: str | None = None, empty: str | None = None) -> str:
    """parts: exam, history, comparison, technique, findings, impression, signoff (None = omit)."""
    inline = rng.random() < 0.7
    blocks = []
    if parts.get("exam"):
        blocks.append(parts["exam"])

    def sec(label: str, text: str | None) -> None:
        if text is None:
            return
        if text == "":
            blocks.append(label.rstrip(":") + ":" if rng.random() < 0.7 else label.rstrip(":"))
            return
        lab = label if label.endswith(":") else label
        if inline and "\n" not in text:
            blocks.append(f"{lab} {text}" if lab.endswith(":") else f"{lab}\n{text}")
        else:
            blocks.append(f"{lab}\n{text}")

    sec(parts["hist_label"], parts.get("history"))
    sec(parts["comp_label"], parts.get("comparison"))
    sec(parts["tech_label"], parts.get("technique"))
    if drop != "findings":
        sec(parts["find_label"], "" if empty == "findings" else parts.get("findings"))
    if drop != "impression":
        sec(parts["imp_label"], "" if empty == "impression" else parts.get("impression"))
    if parts.get("signoff"):
        blocks.append(parts["signoff"])
    return "\n\n".join(blocks)


def base_parts(rng: random.Random, prior: bool = False) -> dict:
    p = {
        "exam": rng.choice(EXAM_LINES) if rng.random() < 0.85 else None,
        "hist_label": rng.choice(HIST_LABELS), "history": rng.choice(HISTORIES),
        "comp_label": rng.choice(COMP_LABELS),
        "comparison": (rng.choice(COMPARISONS_PRIOR if prior else COMPARISONS)
                       if (prior or rng.random() < 0.75) else None),
        "tech_label": rng.choice(TECH_LABELS),
        "technique": rng.choice(TECHNIQUES) if rng.random() < 0.55 else None,
        "find_label": rng.choice(FIND_LABELS), "imp_label": rng.choice(IMP_LABELS),
        "signoff": rng.choice(SIGNOFFS) if rng.random() < 0.8 else None,
    }
    if p["exam"] and "lateral" in p["exam"] and p["technique"]:
        p["technique"] = "PA and lateral views."
    elif p["exam"] and p["technique"] and "lateral" in p["technique"]:
        p["technique"] = "PA erect view."
    return p


# ---------------------------------------------------------------- phrase bank
def brit_word(brit: bool, us: str, uk: str) -> str:
    return uk if brit else us


def normal_findings(rng: random.Random, brit: bool, omit: set[str] = frozenset()) -> list[str]:
    """One sentence per structure; `omit` drops the structures a finding replaces."""
    hd = brit_word(brit, "hemidiaphragms", "hemidiaphragms" if rng.random() < 0.5 else "haemidiaphragms")
    bank = {
        "trachea": ["Trachea is central.", "The trachea is midline.", "Trachea central."],
        "heart": ["The heart is normal in size.", "Heart size is normal.", "Cardiac size within normal limits.",
                  "Normal cardiothoracic ratio.", "CTR within normal limits.", "The cardiac silhouette is normal."],
        "mediastinum": ["Mediastinal contours are normal.", "The mediastinum is not widened.",
                        "Normal mediastinal outline."],
        "hila": ["Both hila are normal.", "Hila normal in size and density.", "No hilar lymphadenopathy."],
        "lungs": ["The lungs are clear.", "Both lung fields are clear.",
                  "Lungs are clear with no focal consolidation, nodule or mass.",
                  "No focal lung lesion.", "Clear lung fields bilaterally.", "No active lung parenchymal lesion seen."],
        "apices": ["The apices are clear.", "Both apices are clear.", "No apical abnormality."],
        "pleura": ["No pleural effusion or pneumothorax.", "Costophrenic angles are sharp.",
                   "No pleural effusion.", "Both costophrenic angles are clear."],
        "diaphragm": [f"Both {hd} are well defined.", f"Normal {hd}.", "Domes of the diaphragm are normal."],
        "bones": ["No bony abnormality.", "Bony thorax is intact.", "Visualised bones are unremarkable."
                  if brit else "Visualized osseous structures are unremarkable.", "Soft tissues and bones normal."],
    }
    order = ["trachea", "heart", "mediastinum", "hila", "lungs", "apices", "pleura", "diaphragm", "bones"]
    out = []
    for k in order:
        if k in omit:
            continue
        if k in ("trachea", "apices", "diaphragm") and rng.random() < 0.5:
            continue
        if k in ("hila", "mediastinum") and rng.random() < 0.25:
            continue
        out.append(rng.choice(bank[k]))
    if "pleura" not in omit and rng.random() < 0.3 and "pneumothorax" not in " ".join(out):
        out.append("No pneumothorax.")
    return out


NORMAL_IMPS = [
    "Normal chest radiograph.", "No radiographic evidence of active pulmonary tuberculosis.",
    "Normal chest X-ray. No evidence of active TB.", "No active lung disease.",
    "No abnormality detected.", "Normal study.", "No acute cardiopulmonary abnormality.",
    "Normal chest X-ray.", "No radiological evidence of active or old TB.",
    "No significant abnormality. No features of active tuberculosis.",
    "NAD.", "Chest X-ray within normal limits.",
]
# Normal macros for pasting over impressions (no organ named, so they omit rather than negate).
MACRO_IMPS = [
    "Normal chest radiograph.", "No radiographic evidence of active pulmonary tuberculosis.",
    "No acute cardiopulmonary abnormality.", "Normal study.", "No abnormality detected.",
    "Chest X-ray within normal limits. No evidence of active TB.", "NAD.",
    "No significant abnormality.", "No active disease.",
]


def side(rng: random.Random) -> str:
    return rng.choice(["right", "left"])


def other(s: str) -> str:
    return {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT"}[s]


def zone(rng: random.Random) -> str:
    return rng.choice(["upper", "mid", "lower"])


def incidental(rng: random.Random, brit: bool, prior: bool) -> dict:
    """Chronic / incidental finding: findings sentence, impression sentence, side or None."""
    s, z = side(rng), zone(rng)
    n = rng.choice([3, 4, 5])
    choices = [
        ("granuloma", f"A {n} mm calcified granuloma in the {s} {z} zone.",
         f"Calcified granuloma {s} {z} zone, in keeping with healed granulomatous disease. No evidence of active TB.",
         s, {"lungs"}),
        ("granuloma", f"Small calcified nodule projected over the {s} {z} zone, consistent with a granuloma.",
         f"Old healed granuloma {s} {z} zone. No active disease.", s, {"lungs"}),
        ("hilar nodes", f"Calcified {s} hilar lymph nodes.",
         f"Calcified {s} hilar nodes, sequelae of previous granulomatous infection.", s, {"hila"}),
        ("pleural thickening", f"Minor {s} apical pleural thickening, likely old.",
         f"Minor {s} apical pleural thickening, likely old. No active TB.", s, {"apices"}),
        ("rib fracture", f"Healed fracture of the {s} {rng.choice(['5th', '6th', '7th', '8th'])} rib.",
         f"Old healed {s} rib fracture. Otherwise normal.", s, {"bones"}),
        ("scoliosis", "Mild thoracic scoliosis.", "Mild scoliosis. Lungs clear.", None, {"bones"}),
        ("spine", "Degenerative changes in the thoracic spine.",
         "No active lung disease. Degenerative thoracic spine.", None, {"bones"}),
        ("azygos", "Azygos fissure noted, a normal variant.", "Normal variant azygos lobe. Otherwise normal.",
         None, set()),
        ("cervical rib", f"{s.capitalize()} cervical rib.", f"Incidental {s} cervical rib. Normal chest.", s, set()),
        ("heart", "Heart size at the upper limit of normal.", "Borderline heart size. Lungs clear.", None, {"heart"}),
    ]
    if prior:
        choices.append((
            "scarring", f"Linear fibrotic scarring in the {s} upper zone, unchanged from the previous film.",
                        f"Stable {s} upper zone scarring. No evidence of active TB.", s, {"lungs", "apices"}))
    name, f, i, sd, om = rng.choice(choices)
    return {"name": name, "find": f, "imp": i, "side": sd, "omit": om, "sig": False}


def significant(rng: random.Random, brit: bool, prior: bool) -> dict:
    s = side(rng)
    n = rng.choice([7, 8, 9, 10, 12, 14, 15, 18])
    oed = brit_word(brit, "edema", "oedema")
    choices = [
        ("consolidation", f"Patchy consolidation in the {s} upper zone.",
         f"Patchy {s} upper zone consolidation; active TB cannot be excluded. Sputum examination recommended.",
         s, {"lungs", "apices"}),
        ("consolidation", f"There is airspace opacification in the {s} lower zone.",
         f"{s.capitalize()} lower zone consolidation, likely infective. Clinical correlation.", s, {"lungs"}),
        ("cavity", f"A thick-walled cavitating lesion measuring {rng.choice([2, 3, 4])} cm in the {s} upper zone.",
         f"Cavitating {s} upper zone lesion, suspicious for active TB. Sputum AFB and referral advised.",
         s, {"lungs", "apices"}),
        ("nodule", f"A {n} mm non-calcified nodule in the {s} mid zone.",
         f"{n} mm non-calcified nodule {s} mid zone. CT chest recommended.", s, {"lungs"}),
        ("effusion", f"Moderate {s} pleural effusion.",
         f"Moderate {s} pleural effusion. Further evaluation advised.", s, {"pleura"}),
        ("pneumothorax", f"Small {s} apical pneumothorax.",
         f"Small {s} apical pneumothorax. Clinical team informed.", s, {"pleura", "apices"}),
        ("oedema", f"Upper lobe venous diversion with interstitial {oed} and bilateral Kerley B lines.",
         f"Features of pulmonary {oed}.", None, {"lungs"}),
    ]
    if prior:
        choices.append(("new opacity", f"New nodular opacity in the {s} upper zone, not present on the previous film.",
                        f"New {s} upper zone nodular opacity since the prior study; active TB to be excluded.",
                        s, {"lungs", "apices"}))
    name, f, i, sd, om = rng.choice(choices)
    return {"name": name, "find": f, "imp": i, "side": sd, "omit": om, "sig": True}


def structured(rng: random.Random) -> bool:
    return rng.random() < 0.2


def compose_findings(rng: random.Random, brit: bool, finding: dict | None) -> str:
    omit = set(finding["omit"]) if finding else set()
    sents = normal_findings(rng, brit, omit)
    if finding:
        pos = rng.randint(0, len(sents))
        sents.insert(pos, finding["find"])
    if structured(rng) and not finding:
        return "\n".join(f"- {s}" for s in sents)
    return " ".join(sents)


def tb_line(rng: random.Random) -> str:
    return rng.choice(["", "", "", " No evidence of active TB.", " TB screening: negative radiograph."])


# ---------------------------------------------------------------- composed cases
def comp_clean(rng: random.Random) -> tuple[str, str]:
    brit = rng.random() < 0.5
    prior = rng.random() < 0.15
    p = base_parts(rng, prior)
    r = rng.random()
    if r < 0.06:  # impression-only report that describes the image
        p["findings"] = None
        p["impression"] = rng.choice([
            "Heart size normal. Lungs clear. No pleural effusion. No evidence of active pulmonary TB.",
            "Normal heart, mediastinum and hila. Clear lungs and pleural spaces. Normal chest X-ray.",
            "Heart and lungs normal. No radiographic evidence of active or healed TB.",
        ])
        return layout(rng, p), "impression-only normal report"
    if r < 0.66:
        p["findings"] = compose_findings(rng, brit, None)
        p["impression"] = rng.choice(NORMAL_IMPS)
        return layout(rng, p), "normal"
    if r < 0.9:
        f = incidental(rng, brit, prior)
        p["findings"] = compose_findings(rng, brit, f)
        p["impression"] = f["imp"] if rng.random() < 0.6 else rng.choice(MACRO_IMPS)
        return layout(rng, p), f"incidental {f['name']}"
    f = significant(rng, brit, prior)
    p["findings"] = compose_findings(rng, brit, f)
    p["impression"] = f["imp"]
    return layout(rng, p), f"significant {f['name']} reported in impression"


def comp_missing(rng: random.Random) -> tuple[str, str]:
    brit = rng.random() < 0.5
    p = base_parts(rng)
    f = None
    if rng.random() < 0.4:
        f = (incidental if rng.random() < 0.6 else significant)(rng, brit, False)
    p["findings"] = compose_findings(rng, brit, f)
    p["impression"] = f["imp"] if f else rng.choice(NORMAL_IMPS)
    r = rng.random()
    if r < 0.4:
        return layout(rng, p, empty="impression"), "impression header left empty"
    if r < 0.7:
        p["signoff"] = p["signoff"] or rng.choice(SIGNOFFS)
        return layout(rng, p, drop="impression"), "impression section absent"
    p["impression"] = rng.choice(["As above.", "See findings above.", "Refer to report above.",
                                  "As described.", "See above."])
    if rng.random() < 0.5:
        return layout(rng, p, empty="findings"), "findings header left empty; impression only says 'as above'"
    return layout(rng, p, drop="findings"), "findings section absent; impression only says 'as above'"


def comp_laterality(rng: random.Random) -> tuple[str, str]:
    brit = rng.random() < 0.5
    prior = rng.random() < 0.15
    p = base_parts(rng, prior)
    while True:
        f = (incidental if rng.random() < 0.6 else significant)(rng, brit, prior)
        if f["side"]:
            break
    s = f["side"]
    o = other(s)
    mode = rng.random()
    if mode < 0.5:  # impression side flipped
        p["findings"] = compose_findings(rng, brit, f)
        p["impression"] = re.sub(rf"\b{s}\b", o, re.sub(rf"\b{s.capitalize()}\b", o.capitalize(), f["imp"]))
        return layout(rng, p), f"impression puts the {f['name']} on the {o}; findings on the {s}"
    if mode < 0.8:  # findings side flipped
        f2 = dict(f)
        f2["find"] = re.sub(rf"\b{s}\b", o, re.sub(rf"\b{s.capitalize()}\b", o.capitalize(), f["find"]))
        p["findings"] = compose_findings(rng, brit, f2)
        p["impression"] = f["imp"]
        return layout(rng, p), f"findings put the {f['name']} on the {o}; impression on the {s}"
    # two sentences of the findings disagree
    extra = {
        "granuloma": f"The {o}-sided granuloma is densely calcified.",
        "hilar nodes": f"The {o} hilum is otherwise normal in size, the calcified nodes lying within it.",
        "pleural thickening": f"The {o} apical thickening is smooth.",
        "rib fracture": f"The {o} rib fracture is well healed with callus.",
        "cervical rib": f"The {o} cervical rib is incidental.",
        "consolidation": f"The {o}-sided consolidation shows no cavitation.",
        "cavity": f"The {o} cavity has an irregular inner wall.",
        "nodule": f"The {o} nodule has smooth margins.",
        "effusion": f"The {o} effusion tracks up the lateral chest wall.",
        "pneumothorax": f"The {o} lung edge is visible at the apex.",
        "new opacity": f"The new {o}-sided opacity measures about 2 cm.",
        "scarring": f"The {o} upper zone scarring shows volume loss.",
    }[f["name"]]
    f2 = dict(f)
    f2["find"] = f["find"] + " " + extra
    p["findings"] = compose_findings(rng, brit, f2)
    p["impression"] = rng.choice([f["imp"], rng.choice(NORMAL_IMPS)]) if not f["sig"] else f["imp"]
    return layout(rng, p), f"findings: {f['name']} on the {s}, then a later sentence says {o}"


def comp_negation(rng: random.Random) -> tuple[str, str]:
    brit = rng.random() < 0.5
    p = base_parts(rng)
    s = side(rng)
    mode = rng.randrange(6)
    oed = brit_word(brit, "edema", "oedema")
    if mode == 0:  # findings: no effusion; impression: effusion
        sents = normal_findings(rng, brit, {"pleura"}) + ["No pleural effusion."]
        rng.shuffle(sents)
        p["findings"] = " ".join(sents)
        p["impression"] = rng.choice([f"Small {s} pleural effusion.",
                                      f"Blunting of the {s} costophrenic angle due to a small effusion."])
        d = "findings negate an effusion; impression reports one"
    elif mode == 1:  # heart normal vs cardiomegaly
        sents = normal_findings(rng, brit, {"heart"})
        sents.insert(0, rng.choice(["Heart size is normal.", "The cardiac silhouette is not enlarged.", "CTR normal."]))
        p["findings"] = " ".join(sents)
        p["impression"] = rng.choice(["Cardiomegaly. Lungs clear.", "Mild cardiomegaly. No active TB.",
                                      "Enlarged cardiac silhouette; echocardiogram suggested."])
        d = "findings: heart normal size; impression: cardiomegaly"
    elif mode == 2:  # lungs clear vs consolidation in impression
        sents = normal_findings(rng, brit, {"lungs"})
        sents.insert(rng.randint(0, len(sents)), rng.choice(["The lungs are clear.", "Both lung fields are clear.",
                                                                "No focal consolidation."]))
        p["findings"] = " ".join(sents)
        p["impression"] = rng.choice([f"{s.capitalize()} upper zone consolidation, suspicious for active TB.",
                                      f"Patchy {s} lower zone pneumonia."])
        d = "findings: lungs clear; impression: consolidation"
    elif mode == 3:  # findings affirm effusion; impression negates
        f = {"name": "effusion", "find": f"Moderate {s} pleural effusion.", "omit": {"pleura"}}
        p["findings"] = compose_findings(rng, brit, f)
        p["impression"] = rng.choice(["No pleural effusion. No evidence of active TB.",
                                      "Clear lungs and pleural spaces. No effusion."])
        d = "findings: moderate effusion; impression: no effusion"
    elif mode == 4:  # findings affirm granuloma / nodes; impression: no granuloma / hila normal
        z = zone(rng)
        if rng.random() < 0.5:
            f = {"name": "granuloma", "find": f"Calcified granuloma in the {s} {z} zone.", "omit": {"lungs"}}
            p["impression"] = "No calcified granuloma or other evidence of previous TB. Normal chest."
        else:
            f = {"name": "hilar nodes", "find": f"Enlarged {s} hilar lymph nodes.", "omit": {"hila"}}
            p["impression"] = "Normal hila. No lymphadenopathy. No active TB."
        p["findings"] = compose_findings(rng, brit, f)
        d = f"findings: {f['name']}; impression denies it"
    else:  # findings: no oedema / no pneumothorax; impression asserts
        if rng.random() < 0.5:
            sents = normal_findings(rng, brit, {"pleura"}) + ["No pneumothorax or pleural effusion."]
            p["findings"] = " ".join(sents)
            p["impression"] = f"Small {s} apical pneumothorax."
            d = "findings: no pneumothorax; impression: pneumothorax"
        else:
            sents = normal_findings(rng, brit, set()) + [f"No pulmonary {oed}."]
            p["findings"] = " ".join(sents)
            p["impression"] = f"Mild interstitial pulmonary {oed}."
            d = f"findings: no {oed}; impression: {oed}"
    return layout(rng, p), d


def comp_omits(rng: random.Random) -> tuple[str, str]:
    brit = rng.random() < 0.5
    prior = rng.random() < 0.2
    p = base_parts(rng, prior)
    f = significant(rng, brit, prior)
    p["findings"] = compose_findings(rng, brit, f)
    p["impression"] = rng.choice(MACRO_IMPS)
    return layout(rng, p), f"findings: {f['name']}; impression is a normal macro"


PLACEHOLDERS = ["[***]", "***", "[ ]", "[side]", "<<>>", "[select]", "[insert]", "{finding}", "[size]",
                "<FIELD>", "[?]", "[Enter text]", "**"]


def comp_placeholder(rng: random.Random) -> tuple[str, str]:
    brit = rng.random() < 0.5
    p = base_parts(rng)
    mode = rng.randrange(5)
    if mode == 0:
        f = incidental(rng, brit, False)
        while not f["side"]:
            f = incidental(rng, brit, False)
        tok = rng.choice(["[side]", "[***]", "[LEFT/RIGHT]", "***"])
        f["find"] = re.sub(rf"\b{f['side']}\b", tok, f["find"], count=1)
        p["findings"] = compose_findings(rng, brit, f)
        p["impression"] = f["imp"]
        d = f"side of the {f['name']} in findings left as {tok}"
    elif mode == 1:
        tok = rng.choice(["[size]", "[ ]", "***", "[**]"])
        s = side(rng)
        f = {"name": "nodule", "find": f"A {tok} mm non-calcified nodule in the {s} mid zone.", "omit": {"lungs"}}
        p["findings"] = compose_findings(rng, brit, f)
        p["impression"] = f"Non-calcified nodule {s} mid zone. CT chest recommended."
        d = f"nodule size left as {tok}"
    elif mode == 2:
        tok = rng.choice(["[Normal/Abnormal]", "[select]", "<<IMPRESSION>>", "[***]"])
        p["findings"] = compose_findings(rng, brit, None)
        p["impression"] = rng.choice([f"{tok} chest radiograph.", f"{tok}. No evidence of active TB."])
        d = f"impression word left as {tok}"
    elif mode == 3:
        tok = rng.choice(["[insert]", "***", "{finding}", "[ ]"])
        sents = normal_findings(rng, brit)
        i = rng.randrange(len(sents))
        words = sents[i].split()
        j = rng.randrange(len(words))
        words[j] = tok + ("." if words[j].endswith(".") else "")
        sents[i] = " ".join(words)
        p["findings"] = " ".join(sents)
        p["impression"] = rng.choice(NORMAL_IMPS)
        d = f"a word of the findings left as {tok}"
    else:
        tok = rng.choice(["[date]", "<DATE>", "[***]", "[Enter text]"])
        p["findings"] = compose_findings(rng, brit, None)
        p["impression"] = rng.choice(NORMAL_IMPS)
        if rng.random() < 0.5:
            p["comparison"] = f"Previous CXR dated {tok}." if "date" in tok.lower() else f"Previous CXR {tok}."
            d = f"comparison date left as {tok}"
        else:
            if "date" in tok.lower():
                p["history"] = f"Pre-employment screen, IGRA positive on {tok}."
            else:
                p["history"] = rng.choice([f"Immigration medical. {tok}", f"TB screening. {tok}."])
            d = f"history field left as {tok}"
    return layout(rng, p), d


COMPOSERS = {None: comp_clean, "missing_section": comp_missing, "laterality_conflict": comp_laterality,
             "negation_conflict": comp_negation, "impression_omits_finding": comp_omits,
             "placeholder": comp_placeholder}


# ---------------------------------------------------------------- real IU reports
EXCLUDE = re.compile(r"\[|\]|___|\*\*|picc|catheter|tube|pacemaker|\bport\b|sternotomy|cabg|metasta|lymphoma|"
                     r"carcinoma|cancer|mastectomy|post-?op|line tip|\bicd\b|aicd|defibrillator|stent|dialysis|"
                     r"surg|suture|resection|lobectomy|pre-?op|clips|malignan|neoplas|tumou?r|xxxx xxxx xxxx", re.I)
SIG = re.compile(r"pneumothorax|consolidation|pneumonia|airspace disease|air space disease|infiltrate|"
                 r"edema|effusion|\bmass\b|congestion|widen", re.I)
HEDGE = re.compile(r"\b(no|not|without|negative|free|resolv\w*|clear\w*|chronic|stable|unchanged|old|scar\w*|"
                   r"prior|previous\w*|improv\w*|decreas\w*|history|or|versus|vs|small|trace|tiny|minimal|mild|"
                   r"possibl\w*|may|could|cannot|question\w*|likely|suggest\w*|known|redemonstrat\w*|again|"
                   r"residual|probabl\w*|vague|subtle|faint|XXXX|atelecta\w*|and/or)\b|/|lungs focal", re.I)
SCREEN = re.compile(r"\bTB\b|tuberc|\bPPD\b|quantiferon|screen|employ|immigra|\bIGRA\b|\bvisa\b|mantoux", re.I)
NORMAL_IMP = re.compile(r"^(1\. )?(no acute|normal|no active|no evidence|negative|clear|no radiographic)", re.I)


def sig_sentences(findings: str) -> list[tuple[str, str]]:
    out = []
    for s in sentences(findings):
        m = SIG.search(s)
        if not m or len(s) > 200:
            continue
        if HEDGE.search(s):
            continue
        term = m.group(0).lower()
        if term == "effusion" and not re.search(r"moderate|large", s, re.I):
            continue
        out.append((s, term))
    return out


def reword(text: str, brit: bool) -> str:
    t = re.sub(r"\.\.+", ".", text)
    t = re.sub(r"\s+\.", ".", t)
    t = re.sub(r"x-XXXX", "X-ray", t)
    t = t.replace("cardio mediastinal", "cardiomediastinal").replace("Cardio mediastinal", "Cardiomediastinal")
    t = re.sub(r"\bThere is no\b", "No", t)
    t = re.sub(r"\bThere are no\b", "No", t)
    t = re.sub(r"\bappear within normal limits\b", "are within normal limits", t)
    t = re.sub(r"\bVisualized\b", "Visualised" if brit else "Visualized", t)
    if brit:
        t = re.sub(r"\bedema\b", "oedema", t)
        t = re.sub(r"\bhemidiaphragm", "haemidiaphragm", t)
        t = re.sub(r"\bhemithorax", "haemithorax", t)
    t = re.sub(r"\bNo ([a-z])", lambda m: "No " + m.group(1), t)
    t = re.sub(r"(^|[.]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), t)
    return t.strip()


def real_parts(rng: random.Random, r: dict, brit: bool) -> dict:
    p = base_parts(rng)
    ind = r.get("indication", "")
    if ind and SCREEN.search(ind) and ind.count("XXXX") <= 1:
        p["history"] = reword(ind, brit).rstrip(".") + "."
    comp = r.get("comparison", "")
    if comp and re.search(r"\d|XXXX", comp) and not re.search(r"^none", comp, re.I):
        p["comparison"] = reword(comp, brit)
    elif re.search(r"\b(prior|previous|unchanged|stable|interval)\b", r["findings"] + r["impression"], re.I):
        p["comparison"] = rng.choice(COMPARISONS_PRIOR)
    p["findings"] = reword(r["findings"], brit)
    p["impression"] = reword(r["impression"], brit)
    if "(PA view)" in (p["exam"] or "") or "1 VIEW" in (p["exam"] or "") or "PA erect" in (p["exam"] or ""):
        if re.search(r"lateral", r["findings"], re.I):
            p["exam"] = "Chest X-ray PA and lateral"
    if p["technique"] and re.search(r"lateral", r["findings"], re.I):
        p["technique"] = "PA and lateral views."
    return p


def real_pool(uids_excl: set[str]) -> list[dict]:
    pool = []
    for r in load_iu():
        if r["uid"] in uids_excl:
            continue
        f, i = r.get("findings", ""), r.get("impression", "")
        if not f or not i or len(f) > 800 or len(i) > 350:
            continue
        if EXCLUDE.search(f + " " + i + " " + r.get("indication", "")):
            continue
        if f.count("XXXX") > 2:
            continue
        pool.append(r)
    return pool


def clean_ok(r: dict) -> bool:
    f, i = r["findings"], r["impression"]
    for _s, term in sig_sentences(f):
        if term.split()[0][:5] not in i.lower():
            return False
    if re.search(r"\b(new|increas\w*|enlarg\w*|worse\w*|cardiomegaly|nodule|mass)\b", f, re.I) and NORMAL_IMP.search(i):
        if re.search(r"\b(new|increas\w*|worse\w*|mass)\b", f, re.I) or re.search(r"normal heart|heart size", i, re.I):
            return False
        m = re.search(r"(\d+(\.\d+)?) ?(mm|cm)", f)
        if m and (m.group(3) == "cm" or float(m.group(1)) >= 6):
            return False
    fl = set(re.findall(r"\b(left|right)\b", f, re.I))
    il = set(re.findall(r"\b(left|right)\b", i, re.I))
    if il and fl and not (il & {x.lower() for x in fl} or {x.lower() for x in il} & {x.lower() for x in fl}):
        return False
    if re.search(r"normal heart|heart size is normal|heart is normal", i, re.I) and re.search(
            r"cardiomegaly|heart (size )?is (mildly |moderately )?enlarged", f, re.I):
        return False
    return True


def flip_sentence(s: str, sd: str) -> str:
    o = other(sd.lower())
    s = re.sub(rf"\b{sd.lower()}\b", o, s)
    s = re.sub(rf"\b{sd.lower().capitalize()}\b", o.capitalize(), s)
    return s


LAT_TERM = re.compile(r"\b(left|right)[- ](sided )?(upper|lower|lung|base|basilar|apex|apical|hilar|hilum|"
                      r"hemidiaphragm|pleural|costophrenic|perihilar|midlung|mid lung|chest|hemithorax)\b", re.I)


def real_case(rng: random.Random, r: dict, kind: str | None) -> tuple[str, str] | None:
    brit = rng.random() < 0.45
    p = real_parts(rng, r, brit)
    if kind is None:
        return layout(rng, p), "real report, re-laid-out"
    if kind == "missing_section":
        if rng.random() < 0.5:
            return layout(rng, p, empty="impression"), "impression emptied"
        return layout(rng, p, drop="impression"), "impression section removed"
    if kind == "impression_omits_finding":
        ss = sig_sentences(r["findings"])
        ss = [x for x in ss if x[1].split()[0][:5] in r["impression"].lower()]
        if not ss:
            return None
        p["impression"] = rng.choice(MACRO_IMPS)
        return layout(rng, p), f"impression replaced by a normal macro; findings: '{ss[0][0]}'"
    if kind == "laterality_conflict":
        f, i = p["findings"], p["impression"]
        for m in LAT_TERM.finditer(i):
            sd = m.group(1).lower()
            key = re.escape(m.group(0).lower())
            if not re.search(key, f.lower()):
                continue
            if re.search(rf"\b{other(sd)}\b", f + " " + i, re.I) or re.search(
                    r"bilateral|both|middle lobe|lingula", f + i, re.I):
                continue
            if rng.random() < 0.5:
                ss = sentences(i)
                k = next(n for n, s in enumerate(ss) if re.search(rf"\b{sd}\b", s, re.I))
                ss[k] = flip_sentence(ss[k], sd)
                p["impression"] = " ".join(ss)
                return layout(rng, p), f"impression sentence side flipped {sd} -> {other(sd)}: '{ss[k]}'"
            ss = sentences(f)
            cand = [n for n, s in enumerate(ss) if re.search(key, s.lower())]
            k = rng.choice(cand)
            ss[k] = flip_sentence(ss[k], sd)
            p["findings"] = " ".join(ss)
            return layout(rng, p), f"findings sentence side flipped {sd} -> {other(sd)}: '{ss[k]}'"
        return None
    if kind == "negation_conflict":
        f, i = p["findings"], p["impression"]
        if not NORMAL_IMP.search(i) or not clean_ok(r):
            return None
        s = side(rng)
        opts = []
        if re.search(r"\bno (\w+ ){0,4}pneumothorax|pneumothorax[^.]*(not|none)", f, re.I):
            opts.append((f"Small {s} apical pneumothorax.", "pneumothorax"))
        if re.search(r"\bno (\w+ ){0,5}(pleural )?effusions?\b", f, re.I) and not re.search(
                r"large|sizable|significant", f, re.I):
            opts.append((f"Small {s} pleural effusion.", "pleural effusion"))
        heart_normal = re.search(r"heart size (is )?(normal|within normal)|normal heart size|heart is normal|"
                                 r"cardiac silhouette (is )?(normal|within)|heart size and|normal cardiac", f, re.I)
        if heart_normal and not re.search(r"enlarg|cardiomegaly|upper limits? of normal|top normal|borderl", f, re.I):
            opts.append(("Cardiomegaly.", "cardiomegaly"))
        if re.search(r"lungs are clear|clear lungs|no (focal )?(airspace )?consolidation|"
                     r"no focal (airspace )?(disease|opacit)", f, re.I):
            opts.append((f"{s.capitalize()} upper lobe consolidation.", "consolidation"))
        if not opts:
            return None
        a, name = rng.choice(opts)
        tail = rng.choice(["Clinical correlation.", "Follow-up advised.", "Otherwise no active TB."])
        p["impression"] = a if rng.random() < 0.6 else a + " " + tail
        return layout(rng, p), f"impression replaced: asserts {name}, which the findings negate"
    if kind == "placeholder":
        f = p["findings"]
        ss = sentences(f)
        k = rng.randrange(len(ss))
        words = ss[k].split()
        cand = [n for n, w in enumerate(words)
                if re.fullmatch(r"[A-Za-z-]{4,}[.,]?", w) and w.strip(".,") != "XXXX"]
        if not cand:
            return None
        j = rng.choice(cand)
        tok = rng.choice(PLACEHOLDERS)
        old = words[j]
        words[j] = tok + (old[-1] if old[-1] in ".," else "")
        ss[k] = " ".join(words)
        p["findings"] = " ".join(ss)
        return layout(rng, p), f"findings word '{old.strip('.,')}' replaced by {tok}"
    raise ValueError(kind)


# ---------------------------------------------------------------- build
def build(seed: int) -> list[dict]:
    rng = random.Random(f"h74-{seed}")
    dev = dev_uids()
    pool = real_pool(dev)
    rng.shuffle(pool)
    # screening-type indications first, then the rest in shuffled order
    pool.sort(key=lambda r: 0 if SCREEN.search(r.get("indication", "")) else 1)
    used: set[str] = set()
    counts = {None: N_CLEAN, **{k: N_KIND for k in KINDS}}
    rows = []
    for kind, n in counts.items():
        for _ in range(n - n // 2):
            report, detail = COMPOSERS[kind](rng)
            rows.append({"injected": kind, "detail": "composed: " + detail, "report": report, "uid": None})
    # the scarcest real kinds pick first
    for kind in ["impression_omits_finding", "laterality_conflict", "negation_conflict",
                 "missing_section", "placeholder", None]:
        n_real = counts[kind] // 2
        got = 0
        for r in pool:
            if got >= n_real:
                break
            if r["uid"] in used:
                continue
            if kind is None and (not clean_ok(r) or rng.random() < 0.25 and not SCREEN.search(r.get("indication", ""))):
                continue
            if kind in ("missing_section", "placeholder") and not clean_ok(r):
                continue
            res = real_case(rng, r, kind)
            if res is None:
                continue
            used.add(r["uid"])
            rows.append({"injected": kind, "detail": f"real {r['uid']}: {res[1]}", "report": res[0], "uid": r["uid"]})
            got += 1
        if got < n_real:
            raise RuntimeError(f"only {got} real reports for {kind}")
    rng.shuffle(rows)
    out = []
    for n, row in enumerate(rows):
        out.append({"id": f"h74-{seed}-{n}", "injected": row["injected"], "detail": row["detail"],
                    "report": row["report"]})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            for row in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"=== {row['id']} {kind} | {row['detail']}\n{row['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
