"""Held-out report-check set 109, written blind (without reading the checker).

Setting: government, CHAM mission and private hospitals of Malawi, Lesotho and Eswatini
(Lilongwe, Blantyre, Maseru, Mbabane, Manzini); chest X-ray reports dictated in English by
radiologists, registrars and clinical officers for casualty, medical wards, HIV and TB clinics,
miners' and pre-employment medicals. Mostly normal or near-normal films, ordinary findings
(PTB, pneumonia, effusion, cardiomegaly/CCF, PCP-like change, miner's nodular change).

400 cases: 200 clean, 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder. Half of each group is composed from a phrase bank;
half are real IU (Open-i) reports, never a dev-set uid, re-laid-out and lightly re-worded.

    python -m bench.make_heldout109 OUT.jsonl --seed S [--show N]
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import random
import re
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
    return Path(__file__).resolve().parent.parent.parent / "shared"


def archive_path() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


@functools.lru_cache(maxsize=1)
def dev_uids() -> frozenset:
    out = set()
    with open(dev_path(), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return frozenset(out)


def _tidy(s: str | None) -> str:
    s = (s or "").strip()
    s = re.sub(r"\.{2,}", ".", s)
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r"\s+\.", ".", s)
    s = re.sub(r"\.\s*\.", ".", s)
    return s


@functools.lru_cache(maxsize=1)
def load_iu() -> tuple:
    """(uid, findings, impression, indication, major-terms) for usable non-dev reports."""
    dev = dev_uids()
    rows = []
    with tarfile.open(archive_path()) as tf:
        for m in tf:
            if not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find(".//uId")
            uid = uid_el.get("id") if uid_el is not None else None
            if not uid or uid in dev:
                continue
            sec = {}
            for el in root.iter("AbstractText"):
                sec[el.get("Label", "").upper()] = _tidy(el.text)
            majors = tuple(sorted({(e.text or "").strip() for e in root.iter("major")}))
            f, i = sec.get("FINDINGS", ""), sec.get("IMPRESSION", "")
            if not f or not i:
                continue
            blob = f + " " + i + " " + sec.get("INDICATION", "")
            if re.search(r"[\[\]<>*_]|\( \)", blob):
                continue
            rows.append((uid, f, i, sec.get("INDICATION", ""), majors))
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r[0]) or 0))
    return tuple(rows)


# --------------------------------------------------------------------------- setting

PLACES = [
    "Kamuzu Central Hospital, Lilongwe", "Bwaila Hospital, Lilongwe",
    "Queen Elizabeth Central Hospital, Blantyre", "Mwaiwathu Private Hospital, Blantyre",
    "Blantyre Adventist Hospital", "Mlambe Mission Hospital (CHAM)",
    "Queen 'Mamohato Memorial Hospital, Maseru", "Maseru Private Hospital",
    "Mbabane Government Hospital", "Mbabane Clinic", "Raleigh Fitkin Memorial Hospital, Manzini",
    "Nkanyezi Private Hospital, Manzini", "St Gabriel's Mission Hospital (CHAM), Lilongwe",
]
DEPTS = ["Casualty", "Medical Ward 3A", "Female Medical Ward", "Male Medical Ward", "ART Clinic",
         "TB Clinic", "OPD", "Occupational Health", "Pre-employment medical",
         "Chest Clinic", "Lighthouse Clinic", "Staff Clinic"]
SURN = ["Banda", "Phiri", "Mwale", "Chirwa", "Kumwenda", "Nyirenda", "Gondwe", "Mhango", "Kachingwe",
        "Mokoena", "Mohapi", "Letsie", "Ramakau", "Thabane", "Sekhonyana", "Mosothoane",
        "Dlamini", "Simelane", "Nxumalo", "Mamba", "Shongwe", "Magagula", "Matsebula", "Vilakati",
        "Ng'ambi", "Kalua"]
INIT = ["A.", "B.", "C.", "D.", "E.", "F.", "G.", "J.", "K.", "L.", "M.", "N.", "P.", "R.", "S.",
        "T.", "W."]
ROLES = ["Consultant Radiologist", "Radiologist", "Registrar, Radiology", "Radiology Registrar",
         "Clinical Officer (Radiology)", "Senior Registrar"]

HIST = {
    "normal": ["Cough for 2/52. ?PTB", "Pre-employment medical", "Pre-employment medical, food handler",
               "Annual miners' medical, ex-RSA gold mines", "RVD +ve on ART, cough x 1/52",
               "Chest pain, ?musculoskeletal", "Fever and cough, GeneXpert negative",
               "Visa medical", "Contact of PTB case, asymptomatic", "Staff medical screening",
               "HTN, routine work-up", "Asthmatic, wheeze", "RTA, chest wall pain",
               "Productive cough x 3/52", "Follow-up, completed TB treatment", "Dyspnoea on exertion",
               "Pre-op assessment", "Miner, 12 yrs underground, routine screen",
               "Loss of weight and night sweats", "c/o chest tightness"],
    "abn": ["Cough x 3/52, night sweats, wt loss. ?PTB", "Fever, cough, SOB. ?pneumonia",
            "RVD +ve, not on ART, cough and fever", "SOB, bilateral pedal oedema. ?CCF",
            "Chest pain and dyspnoea. ?effusion", "Known PTB, month 2 of Rx, not improving",
            "Sudden onset SOB", "Stab wound chest, casualty", "Haemoptysis x 1/52",
            "Ex-miner, progressive SOB", "High fever, pleuritic chest pain", "Dyspnoea, orthopnoea, HTN"],
}
EXAMS = ["CHEST X-RAY PA", "CXR PA VIEW", "X-RAY CHEST (PA)", "CHEST RADIOGRAPH PA & LATERAL",
         "CHEST X-RAY AP (MOBILE)", "XR CHEST PA", "Chest X-ray, PA erect"]

# (label text, style) for sections
HEADS = [
    {"exam": "EXAMINATION:", "hist": "CLINICAL HISTORY:", "comp": "COMPARISON:", "find": "FINDINGS:",
     "imp": "IMPRESSION:"},
    {"exam": "EXAM:", "hist": "CLINICAL INFORMATION:", "comp": "PREVIOUS:", "find": "REPORT:",
     "imp": "CONCLUSION:"},
    {"exam": "Examination:", "hist": "Clinical details:", "comp": "Comparison:", "find": "Findings:",
     "imp": "Opinion:"},
    {"exam": "", "hist": "History:", "comp": "Comparison:", "find": "FINDINGS:", "imp": "COMMENT:"},
    {"exam": "PROCEDURE:", "hist": "INDICATION:", "comp": "COMPARISON:", "find": "FINDINGS:",
     "imp": "IMPRESSION:"},
    {"exam": "Exam:", "hist": "Hx:", "comp": "Prior:", "find": "Findings:", "imp": "Impression:"},
]
COMPS = ["None.", "None available.", "No previous films.", "Nil.", "Previous film of last year.",
         "CXR dated 3 months ago.", "None on PACS."]
TECH = ["Adequate inspiration and penetration.", "Erect film, adequate inspiration.",
        "Satisfactory exposure. Slightly rotated.", "Good inspiratory effort."]


def signoff(rng: random.Random) -> str:
    name = f"Dr {rng.choice(INIT)} {rng.choice(SURN)}"
    return rng.choice([
        f"Reported by: {name}, {rng.choice(ROLES)}",
        f"{name}\n{rng.choice(ROLES)}",
        f"Dictated by {name} ({rng.choice(ROLES)})",
        f"Thank you for the referral.\n{name}, {rng.choice(ROLES)}",
        f"Verified: {name}",
    ])


def layout(rng: random.Random, findings: str | None, impression: str | None, history: str,
           exam: str | None = None, drop_imp_header: bool = False,
           drop_find_header: bool = False, abnormal: bool = False, comparison: bool = True) -> str:
    h = rng.choice(HEADS)
    parts = []
    if rng.random() < 0.35:
        parts.append(rng.choice(PLACES).upper() + " - DEPARTMENT OF RADIOLOGY")
    ex = exam or rng.choice(EXAMS)
    parts.append(f"{h['exam']} {ex}".strip())
    if rng.random() < 0.3:
        parts.append(f"Ward/Clinic: {rng.choice(DEPTS[:7] if abnormal else DEPTS)}")
    parts.append(f"{h['hist']} {history}")
    if comparison and rng.random() < 0.6:
        parts.append(f"{h['comp']} {rng.choice(COMPS)}")
    if rng.random() < 0.25:
        parts.append(f"TECHNIQUE: {rng.choice(TECH)}")
    if findings is not None:
        if not drop_find_header:
            parts.append(f"{h['find']}\n{findings}".rstrip())
    if impression is not None and not drop_imp_header:
        parts.append(f"{h['imp']} {impression}".rstrip())
    parts.append(signoff(rng))
    return "\n\n".join(parts)


# --------------------------------------------------------------------------- phrase bank

NORMAL = {
    "lungs": ["Both lung fields are clear.", "The lungs are clear.", "Lung fields are clear bilaterally.",
              "No focal lung lesion seen.", "Clear lung fields, no consolidation or mass."],
    "heart": ["Heart size is normal.", "Cardiac size within normal limits (CTR < 0.5).",
              "Normal cardiac silhouette.", "The heart is not enlarged."],
    "media": ["Mediastinum is central and not widened.", "Trachea central. Mediastinal contours normal.",
              "Hila are normal in size and position."],
    "pleura": ["Both costophrenic angles are clear.", "No pleural effusion.",
               "Costophrenic angles are sharp.", "No pleural effusion or thickening."],
    "ptx": ["No pneumothorax.", "No pneumothorax seen."],
    "diaph": ["Both hemidiaphragms are well outlined.", "Diaphragmatic contours are normal."],
    "bones": ["Bony thorax intact.", "Visualised bones are normal.", "No bony abnormality.",
              "Ribs intact, no fracture seen."],
}
NORMAL_IMP = ["Normal chest X-ray.", "No active chest disease.", "Normal chest.",
              "No radiological evidence of active pulmonary TB.", "No acute cardiopulmonary abnormality.",
              "Normal study.", "No significant abnormality detected.", "NAD.",
              "Normal chest radiograph. No evidence of active PTB."]

SIDE = {"R": "right", "L": "left"}

# each item: key, find template, impression templates, significant?, conflicting normal groups,
# negation phrase (for impression), sided?
ITEMS = [
    dict(key="cons", sided=True, sig=True, kill=["lungs"],
         find=["There is airspace consolidation in the {s} lower zone with air bronchograms.",
               "Patchy consolidation is seen in the {s} mid and lower zones.",
               "Homogeneous opacity in the {s} lower zone with air bronchograms, in keeping with consolidation."],
         imp=["{S} lower zone consolidation, likely pneumonia.", "{S} basal pneumonia.",
              "Features of {s} lower lobe pneumonia."],
         neg=["Lungs are clear.", "No consolidation."]),
    dict(key="ptb", sided=True, sig=True, kill=["lungs"],
         find=["Fibronodular opacities are seen in the {s} upper zone with a thin-walled cavity.",
               "There are patchy opacities in the {s} upper zone with cavitation.",
               "Reticulonodular shadowing in the {s} apical and upper zone with a small cavity."],
         imp=["{S} upper zone fibrocavitary changes, consistent with active PTB.",
              "Features suggestive of pulmonary TB, {s} upper lobe.",
              "{S} upper zone cavitating lesion - PTB until proven otherwise. Suggest sputum GeneXpert."],
         neg=["Lung fields are clear. No evidence of PTB.", "No features of PTB."]),
    dict(key="eff", sided=True, sig=True, kill=["pleura", "diaph"],
         find=["There is a moderate {s} pleural effusion with a meniscus sign.",
               "Large {s} pleural effusion obscuring the {s} hemidiaphragm.",
               "Moderate {s} sided pleural effusion."],
         imp=["Moderate {s} pleural effusion.", "{S} pleural effusion, ?TB. Suggest diagnostic tap.",
              "Large {s} pleural effusion."],
         neg=["No pleural effusion.", "Costophrenic angles are clear."]),
    dict(key="ptx", sided=True, sig=True, kill=["ptx", "lungs"],
         find=["There is a {s} pneumothorax with a visible lung edge and absent lung markings peripherally.",
               "A moderate {s} pneumothorax is present, with no mediastinal shift.",
               "{S} apical pneumothorax, about 2 cm rim."],
         imp=["{S} pneumothorax.", "Moderate {s} pneumothorax. Findings communicated to casualty.",
              "{S} sided pneumothorax, no tension."],
         neg=["No pneumothorax."]),
    dict(key="ccf", sided=False, sig=True, kill=["heart", "lungs"],
         find=["The heart is enlarged (CTR 0.62). Upper lobe venous diversion and bilateral perihilar haziness "
               "with Kerley B lines.",
               "Cardiomegaly with pulmonary venous congestion and interstitial oedema.",
               "Globular cardiomegaly. Prominent upper lobe vessels, perihilar oedema."],
         imp=["Cardiomegaly with pulmonary oedema, in keeping with CCF.",
              "Features of congestive cardiac failure.", "Cardiomegaly and pulmonary congestion - ?cardiomyopathy."],
         neg=["Heart size is normal. No pulmonary oedema.", "No features of cardiac failure."]),
    dict(key="pcp", sided=False, sig=True, kill=["lungs"],
         find=["Bilateral perihilar ground-glass and reticular opacities.",
               "Diffuse bilateral interstitial infiltrates, perihilar predominance."],
         imp=["Bilateral interstitial infiltrates - ?PCP in RVD patient.",
              "Bilateral perihilar infiltrates, consider PCP or atypical pneumonia."],
         neg=["Lungs are clear."]),
    dict(key="mass", sided=True, sig=True, kill=["lungs"],
         find=["A well-defined round opacity measuring 3.5 cm is noted in the {s} mid zone.",
               "There is a 2 cm nodule in the {s} upper zone."],
         imp=["{S} mid zone mass. CT chest recommended.", "{S} lung nodule, further evaluation with CT advised."],
         neg=["No lung mass or nodule."]),
    dict(key="miliary", sided=False, sig=True, kill=["lungs"],
         find=["Innumerable tiny nodules are distributed uniformly throughout both lungs."],
         imp=["Miliary pattern, likely miliary TB.", "Miliary shadowing - ?disseminated TB."],
         neg=["Lungs are clear."]),
]
# near-normal / chronic: allowed to be left out of the impression
MINOR = [
    dict(key="gran", find="Small calcified granuloma in the {s} mid zone.",
         imp="Old calcified granuloma {s} mid zone.", kill=[]),
    dict(key="fib", find="Fibrotic strands and volume loss in the {s} upper zone, in keeping with old healed TB.",
         imp="Old healed PTB {s} upper zone, no active disease.", kill=["lungs"]),
    dict(key="mildcm", find="Heart is at the upper limit of normal size, CTR about 0.52.",
         imp="Borderline cardiomegaly.", kill=["heart"]),
    dict(key="rib", find="Old healed fracture of the {s} 6th rib.",
         imp="Old {s} rib fracture.", kill=["bones"]),
    dict(key="spine", find="Mild degenerative changes of the thoracic spine.",
         imp="Thoracic spondylosis.", kill=[]),
    dict(key="blunt", find="Minimal blunting of the {s} costophrenic angle, likely pleural thickening.",
         imp="Minor {s} pleural thickening.", kill=["pleura"]),
]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def fill(t: str, side: str | None) -> str:
    s = SIDE.get(side or "", "")
    out = t.replace("{s}", s).replace("{S}", cap(s))
    return cap(out)


def normal_findings(rng: random.Random, kill: set) -> list[str]:
    groups = ["lungs", "heart", "media", "pleura", "ptx", "diaph", "bones"]
    out = []
    for g in groups:
        if g in kill:
            continue
        if g in ("ptx", "diaph", "bones", "media") and rng.random() < 0.35:
            continue
        out.append(rng.choice(NORMAL[g]))
    return out


def synth_case(rng: random.Random, kind: str | None) -> tuple[str, str]:
    """Compose one report; returns (report, detail)."""
    # choose content
    if kind in ("laterality_conflict",):
        item = rng.choice([i for i in ITEMS if i["sided"]])
    elif kind in ("impression_omits_finding",):
        item = rng.choice(ITEMS)
    elif kind == "negation_conflict":
        item = rng.choice(ITEMS)
    else:
        r = rng.random()
        item = rng.choice(ITEMS) if r < 0.3 else None
    minor = rng.choice(MINOR) if rng.random() < 0.25 else None
    side = rng.choice("RL")
    mside = rng.choice("RL")
    if minor and item and (kind == "laterality_conflict" or item["key"] in ("ptb", "mass")) \
            and "{s}" in minor["find"]:
        minor = None
    kill = set()
    if item:
        kill |= set(item["kill"])
    if minor:
        kill |= set(minor["kill"])
    if item and minor and minor["key"] == "mildcm" and item["key"] == "ccf":
        minor = None
    if item and minor and minor.get("kill") == ["pleura"] and item["key"] == "eff":
        minor = None
    abn_f = fill(rng.choice(item["find"]), side) if item else None
    abn_i = fill(rng.choice(item["imp"]), side) if item else None
    min_f = fill(minor["find"], mside) if minor else None
    fl = normal_findings(rng, kill)
    pos = rng.randint(0, 1)
    if item and "lungs" in kill and item["key"] not in ("pcp", "miliary") and rng.random() < 0.5:
        fl.insert(0, "The rest of the lung fields are clear." if item["sided"] else "No focal consolidation.")
        pos = 0
    if abn_f:
        fl.insert(pos, abn_f)
    if min_f:
        fl.insert(len(fl) // 2 + 1, min_f)
    imp_parts = []
    if abn_i:
        imp_parts.append(abn_i)
    if minor and rng.random() < 0.5:
        imp_parts.append(fill(minor["imp"], mside))
    if not imp_parts:
        imp_parts.append(rng.choice(NORMAL_IMP))
    hist = rng.choice(HIST["abn"] if item else HIST["normal"])
    detail = ""
    impression = " ".join(imp_parts) if len(imp_parts) == 1 or rng.random() < 0.6 else "\n".join(
        f"{n}. {p}" for n, p in enumerate(imp_parts, 1))
    findings = " ".join(fl) if rng.random() < 0.6 else "\n".join(fl)
    drop_imp = drop_find = False

    if kind is None and not item and rng.random() < 0.08:
        # short complete report: single conclusion line that itself describes the film
        findings = None
        impression = rng.choice([
            "Heart and lungs normal. No pleural effusion. No evidence of active PTB.",
            "Normal heart size, clear lung fields and sharp costophrenic angles. Normal chest.",
        ])
    elif kind == "missing_section":
        r = rng.random()
        if r < 0.35:
            impression = ""
            detail = "impression section left empty"
        elif r < 0.6:
            drop_imp = True
            detail = "impression section omitted entirely"
        elif r < 0.8:
            findings = ""
            impression = rng.choice(["As above.", "See findings.", "Kindly correlate clinically.",
                                     "Compared with previous film."])
            detail = "findings section left empty; impression does not describe the film"
        else:
            impression = rng.choice(["-", "", ":"])
            detail = "impression header left with no text"
    elif kind == "laterality_conflict":
        other = "L" if side == "R" else "R"
        if rng.random() < 0.6:
            new_i = fill(rng.choice(item["imp"]), other)
            impression = impression.replace(abn_i, new_i)
            detail = f"impression puts the {item['key']} finding on the {SIDE[other]}, findings on the {SIDE[side]}"
        else:
            new_f = fill(rng.choice(item["find"]), other)
            findings = findings.replace(abn_f, new_f)
            detail = f"findings put the {item['key']} finding on the {SIDE[other]}, impression on the {SIDE[side]}"
    elif kind == "negation_conflict":
        neg = rng.choice(item["neg"])
        if rng.random() < 0.5:
            # impression negates what findings affirm
            new_imp = [neg] + ([fill(minor["imp"], mside)] if minor and rng.random() < 0.3 else [])
            impression = " ".join(new_imp)
            detail = f"findings affirm {item['key']}; impression states '{neg}'"
        else:
            # findings negate (normal template) what impression asserts
            fl2 = [s for s in fl if s != abn_f]
            fl2.insert(0, neg)
            findings = " ".join(dict.fromkeys(fl2))
            detail = f"findings state '{neg}' (normal template) while impression asserts {item['key']}"
    elif kind == "impression_omits_finding":
        impression = rng.choice(NORMAL_IMP)
        detail = f"findings describe {item['key']} but impression is a normal macro: '{impression}'"
    elif kind == "placeholder":
        opts = []
        if item and item["sided"]:
            opts.append("side")
        opts += ["imp", "hist"] + ([] if "CTR" in findings else ["ctr"])
        what = rng.choice(opts)
        blank = rng.choice(["[ ]", "[***]", "<>", "( )", "[...]", "**"])
        if what == "side":
            sw = SIDE[side]
            tgt = rng.choice(["find", "imp"])
            if tgt == "find" and sw in findings:
                findings = findings.replace(sw, rng.choice(["[right/left]", "(R/L)", blank]), 1)
            else:
                impression = re.sub(sw, rng.choice(["[right/left]", "(R/L)", blank]), impression,
                                    count=1, flags=re.I)
            detail = "side field of template left unfilled"
        elif what == "ctr":
            findings = findings + " Cardiothoracic ratio: " + rng.choice(["[ ]", "....", "< >", "[  ]"]) + "."
            detail = "CTR measurement field left unfilled"
        elif what == "hist":
            hist = rng.choice(["[clinical history]", "<history>", "[ ]", "***"])
            detail = "clinical history template field left unfilled"
        else:
            impression = impression + " " + rng.choice(
                ["Recommend [ ].", "Suggest <recommendation>.", "Follow-up in [ ] weeks.",
                 "Compared with [date]."])
            detail = "recommendation field of template left unfilled"
    report = layout(rng, findings, impression, hist, drop_imp_header=drop_imp, drop_find_header=drop_find,
                    abnormal=bool(item))
    if findings is None:
        report = report.replace("IMPRESSION:", "REPORT:").replace("Impression:", "Report:")
    return report, detail


# --------------------------------------------------------------------------- real reports

REWORD = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"hemorrhage", "haemorrhage"),
    (r"\bx-XXXX\b", "X-ray"), (r"\bcardiopulmonary disease\b", "cardiopulmonary disease"),
    (r"\bvisualized\b", "visualised"), (r"\bVisualized\b", "Visualised"), (r"\bcenter\b", "centre"),
    (r"\bradiograph\b", "film"), (r"\bgray\b", "grey"), (r"\bhilum\b", "hilum"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No active cardiopulmonary disease"),
    (r"\bNo acute cardiopulmonary disease\b", "No active cardiopulmonary disease"),
    (r"\bwithin normal limits\b", "within normal limits"), (r"\bcalcified granuloma\b", "calcified granuloma"),
    (r"\bleukemia\b", "leukaemia"), (r"\bfavor\b", "favour"), (r"\bhemithorax\b", "hemithorax"),
]

SIG = r"(pneumothorax|consolidat\w*|airspace disease|air space disease|infiltrat\w*|pneumonia|oedema|edema|" \
      r"effusions?|mass|congestion|widened mediastinum|free air)"
NEGCUE = r"\b(no|not|without|negative|resolved|resolution|clear|free|exclude|excluded|removed|" \
         r"improved|decreased|versus|vs|or|may|might|possible|possibly|cannot|could|questionable|" \
         r"small|trace|tiny|minimal|stable|chronic|unchanged|previous|prior|old|if|probable|probably|" \
         r"likely|suspect\w*|concern|XXXX)\b"
BENIGN = ("normal", "Calcified Granuloma", "Granulomatous Disease", "Spine", "Thoracic Vertebrae",
          "Osteophyte", "Spondylosis", "Calcinosis", "Aorta", "Cicatrix", "Atherosclerosis", "Kyphosis",
          "Scoliosis")


def reword(text: str) -> str:
    for a, b in REWORD:
        text = re.sub(a, b, text)
    return text


def sentences(t: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.])\s+", t.strip()) if s]


def affirmed_sig(findings: str, strict: bool = True) -> list[str]:
    out = []
    for s in sentences(findings):
        cue = NEGCUE if strict else r"\b(no|not|without|negative|resolved|clear|free)\b"
        if re.search(SIG, s, re.I) and not re.search(cue, s, re.I):
            out.append(s)
    return out


def real_history(rng: random.Random, ind: str, normal: bool) -> str:
    ind = ind.strip()
    if ind and rng.random() < 0.6:
        return reword(ind)
    return rng.choice(HIST["normal"] if normal else HIST["abn"])


def real_layout(rng: random.Random, row, findings: str, impression: str | None, **kw) -> str:
    uid, f, i, ind, majors = row
    normal = majors == ("normal",)
    if findings and rng.random() < 0.3:
        findings = "\n".join(sentences(findings))
    return layout(rng, findings, impression, real_history(rng, ind, normal), abnormal=not normal,
                  comparison=False, **kw)


def real_pools(rows) -> dict:
    pools = {k: [] for k in ["clean", "any", "lat", "neg", "omit"]}
    for row in rows:
        uid, f, i, ind, majors = row
        normal = majors == ("normal",)
        both = f + " " + i
        if len(f) > 40 and not (affirmed_sig(f, strict=False) and not re.search(SIG, i, re.I)):
            pools["any"].append(row)
        benign = all(m.startswith(BENIGN) for m in majors) and majors
        if normal or (benign and not affirmed_sig(f)):
            if len(f) > 40 and not re.search(r"\b(XXXX XXXX|comparison XXXX|interval|resolv\w*|improv\w*)\b",
                                             both, re.I):
                pools["clean"].append(row)
        if normal and re.search(r"\bno\b[^.]*\b(pleural effusion|pneumothorax|consolidation)", f, re.I):
            pools["neg"].append(row)
        aff = affirmed_sig(f)
        if aff and not normal:
            # impression must have named it (so the original report was complete)
            if re.search(SIG, i, re.I):
                pools["omit"].append(row)
        sides = set(w.lower() for w in re.findall(r"\b(right|left)\b", both, re.I))
        if len(sides) == 1 and not re.search(r"lingula|middle lobe|left heart|right heart|atri|ventric|PICC|"
                                            r"catheter|port|shoulder|humer|clavic|arm|breast|line|tube|"
                                            r"\w+ectomy|\w+otomy|surg", both, re.I):
            s = sides.pop()
            for g in LAT_GROUPS:
                isent = [x for x in sentences(i) if re.search(rf"\b{s}\b", x, re.I) and re.search(g, x, re.I)]
                fsent = [x for x in sentences(f) if re.search(rf"\b{s}\b", x, re.I) and re.search(g, x, re.I)]
                if isent and fsent:
                    pools["lat"].append((row, s, isent, fsent))
                    break
    return pools


LAT_GROUPS = [r"opaci|consolidat|airspace|air space|infiltrat|pneumonia|atelecta|scar|densit",
              r"effusion|pleural fluid|costophrenic", r"pneumothora", r"nodul|mass|granulom",
              r"hemidiaphragm", r"fractur"]


def flip(sent: str, side: str) -> str:
    other = "left" if side == "right" else "right"

    def rep(m):
        w = m.group(0)
        return other.capitalize() if w[0].isupper() else other
    return re.sub(rf"\b{side}\b", rep, sent, flags=re.I)


NEG_ADD = {
    "pleural effusion": ["Small right pleural effusion.", "Left pleural effusion.",
                         "Bilateral small pleural effusions."],
    "pneumothorax": ["Small left apical pneumothorax.", "Right pneumothorax."],
    "consolidation": ["Right lower zone consolidation, ?pneumonia.", "Left basal consolidation."],
}


def real_case(rng: random.Random, kind: str | None, pools: dict, used: set) -> tuple[str, str, str]:
    def pick(pool):
        for _ in range(5000):
            x = rng.choice(pool)
            uid = (x[0] if isinstance(x[0], tuple) else x)[0]
            if uid not in used:
                used.add(uid)
                return x
        raise RuntimeError("pool exhausted")

    if kind is None:
        row = pick(pools["clean"])
        return row[0], real_layout(rng, row, reword(row[1]), reword(row[2])), ""
    if kind == "missing_section":
        row = pick(pools["any"])
        r = rng.random()
        if r < 0.5:
            return row[0], real_layout(rng, row, reword(row[1]), ""), "impression emptied"
        return row[0], real_layout(rng, row, reword(row[1]), None), "impression section omitted"
    if kind == "laterality_conflict":
        row, s, isent, fsent = pick(pools["lat"])
        f, i = row[1], row[2]
        if rng.random() < 0.5:
            sent = rng.choice(isent)
            i = i.replace(sent, flip(sent, s), 1)
            d = f"impression sentence flipped from {s}: '{sent}'"
        else:
            sent = rng.choice(fsent)
            f = f.replace(sent, flip(sent, s), 1)
            d = f"findings sentence flipped from {s}: '{sent}'"
        return row[0], real_layout(rng, row, reword(f), reword(i)), d
    if kind == "negation_conflict":
        row = pick(pools["neg"])
        f, i = reword(row[1]), reword(row[2])
        keys = [k for k in NEG_ADD if re.search(rf"\bno\b[^.]*\b{k}", f, re.I)]
        k = rng.choice(keys)
        add = rng.choice(NEG_ADD[k])
        i = add if rng.random() < 0.6 else add + " " + i
        return row[0], real_layout(rng, row, f, i), f"findings negate {k}; impression asserts '{add}'"
    if kind == "impression_omits_finding":
        row = pick(pools["omit"])
        f = reword(row[1])
        i = rng.choice(NORMAL_IMP)
        return row[0], real_layout(rng, row, f, i), \
            f"impression replaced by normal macro '{i}'; findings: '{affirmed_sig(row[1])[0]}'"
    if kind == "placeholder":
        row = pick(pools["any"])
        f, i = reword(row[1]), reword(row[2])
        blank = rng.choice(["[ ]", "[***]", "<>", "( )", "[...]", "**", "[insert]"])
        words = [m for m in re.finditer(r"\b(right|left|mild|moderate|small|large|normal|clear|"
                                        r"stable|enlarged|upper|lower)\b", f, re.I)]
        if words and rng.random() < 0.7:
            m = rng.choice(words)
            f = f[:m.start()] + blank + f[m.end():]
            d = f"findings word '{m.group(0)}' replaced by {blank}"
        else:
            ws = list(re.finditer(r"\b[a-z]{4,}\b", i))
            if ws:
                m = rng.choice(ws)
                i = i[:m.start()] + blank + i[m.end():]
                d = f"impression word '{m.group(0)}' replaced by {blank}"
            else:
                m = rng.choice(list(re.finditer(r"\b[a-z]{4,}\b", f)))
                f = f[:m.start()] + blank + f[m.end():]
                d = f"findings word '{m.group(0)}' replaced by {blank}"
        return row[0], real_layout(rng, row, f, i), d
    raise ValueError(kind)


# --------------------------------------------------------------------------- build

def build_with_sources(seed: int) -> tuple[list[dict], list[str]]:
    rng = random.Random(f"h109-{seed}")
    pools = real_pools(load_iu())
    used: set = set()
    plan = [None] * N_CLEAN + [k for k in KINDS for _ in range(N_KIND)]
    cases, sources = [], []
    for n_in_group, kind in _enumerate_groups(plan):
        half = N_CLEAN // 2 if kind is None else N_KIND // 2
        if n_in_group < half:
            rep, det = synth_case(rng, kind)
            src = ""
        else:
            src, rep, det = real_case(rng, kind, pools, used)
        cases.append({"injected": kind, "detail": det, "report": rep})
        sources.append(src)
    order = list(range(len(cases)))
    rng.shuffle(order)
    rows, srcs = [], []
    for n, j in enumerate(order):
        c = cases[j]
        rows.append({"id": f"h109-{seed}-{n}", "injected": c["injected"], "detail": c["detail"],
                     "report": c["report"]})
        srcs.append(sources[j])
    return rows, srcs


def _enumerate_groups(plan):
    seen: dict = {}
    for k in plan:
        seen[k] = seen.get(k, -1) + 1
        yield seen[k], k


def build(seed: int) -> list[dict]:
    return build_with_sources(seed)[0]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if a.show:
        for k in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == k][: a.show]:
                print(f"=== {r['id']} [{k}] {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}")


if __name__ == "__main__":
    main()
