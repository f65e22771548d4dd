"""Held-out report-check set 103, written blind (without reading the checker).

Setting: public referral and teaching hospitals of Ethiopia, Tanzania and Rwanda (Addis Ababa, Dar es
Salaam, Moshi, Mwanza, Kigali, Butare). Chest X-ray reports dictated in English by local radiologists
and residents for OPD, emergency, medical wards, TB and HIV (ART / CTC) clinics, pre-employment and visa
medicals: exam line, clinical history, comparison, technique, findings, impression / conclusion /
opinion and sign-off lines, British spellings and local abbreviations (PTB, RVI/RVD, CTR, CP angle).

400 cases: 200 clean and 40 of each injected kind (missing_section, laterality_conflict,
negation_conflict, impression_omits_finding, placeholder). Half of every group is composed from a
phrase bank below, half are real IU reports (Open-i, never a dev-set uid) re-laid-out and lightly
re-worded in the setting's style.

    python -m bench.make_heldout103 OUT.jsonl --seed S [--show N]
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# --------------------------------------------------------------------------- setting furniture

HOSPITALS = [
    "Tikur Anbessa Specialized Hospital, Addis Ababa",
    "St. Paul's Hospital Millennium Medical College, Addis Ababa",
    "ALERT Hospital, Addis Ababa",
    "Muhimbili National Hospital, Dar es Salaam",
    "Amana Regional Referral Hospital, Dar es Salaam",
    "KCMC, Moshi",
    "Bugando Medical Centre, Mwanza",
    "CHUK, Kigali",
    "Rwanda Military Hospital, Kigali",
    "CHUB, Butare",
]
UNITS = [
    "OPD",
    "EOPD",
    "Emergency",
    "Medical ward",
    "TB clinic",
    "ART clinic",
    "CTC",
    "Pre-employment",
    "Visa medical",
    "Chest clinic",
    "Medical OPD",
    "Casualty",
]
EXAMS = [
    "CHEST X-RAY PA VIEW",
    "X-RAY CHEST (PA)",
    "CHEST RADIOGRAPH - PA ERECT",
    "Examination: Chest X-ray, PA view",
    "CXR PA",
    "CHEST X-RAY (PA AND LATERAL)",
    "Exam: CXR PA erect",
    "CHEST X-RAY AP (portable)",
]
TECHNIQUE = [
    "PA erect view. Adequate inspiration and penetration, no rotation.",
    "Single PA view. Film adequately exposed, patient well centred.",
    "PA and lateral views obtained.",
    "AP sitting view (portable); inspiration fair.",
    "PA view, good inspiratory effort.",
    "Adequate technical factors.",
]
COMPARISON = [
    "None.",
    "None available.",
    "No previous film.",
    "Nil.",
    "No prior images for comparison.",
    "Previous film not available.",
    "Not applicable.",
]
RESIDENTS = [
    "Dr. Selam T.",
    "Dr. Abebe M.",
    "Dr. Hana G.",
    "Dr. Yonas K.",
    "Dr. Neema M.",
    "Dr. Baraka J.",
    "Dr. Rehema S.",
    "Dr. Juma H.",
    "Dr. Aline U.",
    "Dr. Eric N.",
    "Dr. Claudine M.",
    "Dr. Dawit A.",
]
CONSULTANTS = [
    "Dr. Tesfaye B., Consultant Radiologist",
    "Dr. Mekdes A., Consultant Radiologist",
    "Dr. G. Mwakyusa, MMed (Rad)",
    "Dr. F. Lyimo, Radiologist",
    "Dr. P. Ngowi, MMed Radiology",
    "Dr. J. Uwimana, Consultant Radiologist",
    "Dr. E. Mukamana, Radiologist",
    "Dr. Solomon W., Assistant Professor of Radiology",
]
HIST_NORMAL = [
    "Pre-employment medical examination.",
    "Visa medical.",
    "Routine check-up.",
    "Cough for 2 weeks. ?PTB",
    "Cough x 3/52, r/o PTB.",
    "RVI on ART, screening for TB.",
    "RVD client on ART, cough for 1/12.",
    "Chest pain, ?cause.",
    "Known hypertensive, for work-up.",
    "Fever and cough for 5 days.",
    "Pre-operative assessment.",
    "Contact of smear positive PTB patient.",
    "Shortness of breath on exertion.",
    "Known asthmatic, acute exacerbation.",
    "DM, cough for 1/52.",
    "Medical screening for school admission.",
]
HIST_ABN = {
    "cons": [
        "Fever, cough and right-sided chest pain x 4 days.",
        "Productive cough and fever. ?pneumonia",
        "High grade fever, cough, SOB. ?CAP",
        "Cough and fever for 1/52, RVI not on ART.",
    ],
    "eff": [
        "SOB and chest pain for 2 weeks.",
        "Dyspnoea, decreased air entry on exam. ?effusion",
        "Known RVD, chest pain and cough. ?TB pleurisy",
        "Chest heaviness and SOB x 3/52.",
    ],
    "ptx": [
        "Sudden onset SOB and chest pain.",
        "RTA, chest trauma.",
        "Stab wound to the chest.",
        "Acute chest pain, reduced breath sounds.",
    ],
    "card": [
        "Known hypertensive with SOB.",
        "Known RHD, SOB on exertion.",
        "Bilateral leg swelling, orthopnoea.",
        "Known CCF on follow-up.",
        "Palpitation and easy fatigability.",
    ],
    "tb": [
        "Cough for 2 months, night sweats, weight loss. ?PTB",
        "Known PTB, completed treatment, follow-up.",
        "Chronic cough, haemoptysis.",
        "RVI, cough and weight loss. r/o PTB",
    ],
    "mass": ["Chronic cough, weight loss. ?mass", "Haemoptysis, heavy smoker.", "Chest pain and weight loss x 3/12."],
    "other": ["Chronic cough.", "Wheezing and cough.", "Cough for 3/52.", "Follow-up film."],
}

# --------------------------------------------------------------------------- phrase bank

N_LUNG = [
    "Both lung fields are clear.",
    "Lung fields are clear bilaterally; no focal opacity.",
    "The lungs are well expanded and clear.",
    "No focal lung parenchymal lesion seen.",
    "Normal bronchovascular markings; no consolidation or mass.",
]
N_PLEURA = [
    "Both costophrenic angles are sharp.",
    "CP angles are clear.",
    "No pleural effusion or pneumothorax.",
    "Both costophrenic and cardiophrenic angles are sharp.",
]
N_HEART = [
    "Heart size is within normal limits.",
    "Cardiac size and contour are normal (CTR 0.45).",
    "Normal cardiothoracic ratio.",
    "The heart is normal in size and shape.",
]
N_MED = [
    "Trachea is central. Mediastinum is not widened.",
    "Both hila are normal.",
    "Mediastinum and hilar shadows are normal.",
    "Trachea central; hila normal in size and position.",
]
N_DIAPH = [
    "Both hemidiaphragms are smooth and well outlined.",
    "Domes of diaphragm are normal.",
    "Normal diaphragmatic outline.",
]
N_BONE = [
    "Visualised bony thorax is intact.",
    "Bony cage and soft tissues are unremarkable.",
    "No bony abnormality detected.",
    "Bony thorax and chest wall soft tissues are normal.",
]
IMP_NORMAL = [
    "Normal chest X-ray.",
    "Normal study.",
    "No active lung lesion.",
    "No significant radiological abnormality detected.",
    "Normal chest radiograph. No radiological evidence of active PTB.",
    "Essentially normal chest X-ray.",
    "No acute cardiopulmonary disease.",
    "Normal chest X-ray study. Fit from radiological point of view.",
]
ZONES = ["lower", "mid", "upper"]

# Each abnormal item: slot it replaces, history group, significant flag, findings + impression templates.
ITEMS = {
    "cons": dict(
        slot="lung",
        hist="cons",
        sig=True,
        sided=True,
        f=[
            "There is a homogeneous opacity in the {s} {z} zone with air bronchograms.",
            "Patchy airspace opacities are seen in the {s} {z} zone.",
            "Ill-defined consolidation in the {s} {z} zone with air bronchograms.",
            "Non-homogeneous opacity involving the {s} {z} zone.",
        ],
        i=[
            "{S} {z} zone consolidation, likely pneumonia.",
            "Features of {s} {z} zone pneumonia.",
            "{S} {z} zone airspace disease - ?pneumonia; correlate clinically.",
            "Radiological features in keeping with {s} {z} zone pneumonia.",
        ],
        term="consolidation",
    ),
    "eff": dict(
        slot="pleura",
        hist="eff",
        sig=True,
        sided=True,
        f=[
            "Homogeneous opacity in the {s} lower hemithorax with a meniscus sign, obliterating the {s} "
            "costophrenic angle - moderate pleural effusion.",
            "Moderate {s} pleural effusion obscuring the {s} hemidiaphragm.",
            "Large {s} pleural effusion with mediastinal shift to the opposite side.",
        ],
        i=[
            "Moderate {s} pleural effusion.",
            "{S} sided pleural effusion (moderate).",
            "{S} pleural effusion; ?TB pleurisy, suggest diagnostic tap.",
        ],
        term="pleural effusion",
    ),
    "smalleff": dict(
        slot="pleura",
        hist="eff",
        sig=False,
        sided=True,
        f=["Blunting of the {s} costophrenic angle.", "Minimal blunting of the {s} CP angle."],
        i=["Blunted {s} CP angle - small effusion vs pleural thickening.", "Small {s} pleural effusion."],
        term="pleural effusion",
    ),
    "ptx": dict(
        slot="pleura",
        hist="ptx",
        sig=True,
        sided=True,
        f=[
            "Hyperlucent {s} hemithorax with absent lung markings peripherally and a visible lung edge.",
            "There is a {s} pneumothorax with about 2 cm rim of air and partial lung collapse.",
            "Visceral pleural line seen in the {s} apex with no lung markings beyond it - pneumothorax.",
        ],
        i=["{S} pneumothorax.", "{S} sided pneumothorax; urgent clinical attention.", "Moderate {s} pneumothorax."],
        term="pneumothorax",
    ),
    "card": dict(
        slot="heart",
        hist="card",
        sig=False,
        sided=False,
        f=[
            "The heart is enlarged (CTR 0.58).",
            "Cardiomegaly with CTR about 0.6.",
            "Enlarged cardiac silhouette, globular in shape.",
        ],
        i=[
            "Cardiomegaly.",
            "Cardiomegaly - correlate with echocardiography.",
            "Enlarged heart; ?cardiomyopathy vs pericardial effusion.",
        ],
        term="cardiomegaly",
    ),
    "oed": dict(
        slot="lung",
        hist="card",
        sig=True,
        sided=False,
        f=[
            "Upper lobe venous diversion with bilateral perihilar haziness and Kerley B lines.",
            "Bilateral perihilar alveolar opacities in a bat-wing distribution - pulmonary oedema.",
            "Prominent upper lobe vessels and interstitial oedema.",
        ],
        i=[
            "Cardiomegaly with pulmonary oedema.",
            "Cardiomegaly and pulmonary venous congestion - ?CCF.",
            "Cardiomegaly with pulmonary congestion; correlate with cardiac status.",
        ],
        term="pulmonary oedema",
    ),
    "fib": dict(
        slot="lung",
        hist="tb",
        sig=False,
        sided=True,
        f=[
            "Fibrotic strands with volume loss in the {s} upper zone and upward retraction of the {s} hilum.",
            "Fibrocalcific changes in the {s} upper zone.",
            "Reticular fibrotic opacities in the {s} upper zone.",
        ],
        i=[
            "Fibrotic changes in the {s} upper zone, likely sequelae of old PTB.",
            "{S} upper zone fibrocalcific changes - healed PTB.",
            "Post-TB fibrosis of the {s} upper zone.",
        ],
        term="fibrosis",
    ),
    "cav": dict(
        slot="lung",
        hist="tb",
        sig=True,
        sided=True,
        f=[
            "Patchy consolidation in the {s} upper zone with a thin-walled cavity.",
            "There are patchy opacities with cavitation in the {s} upper zone.",
        ],
        i=[
            "{S} upper zone cavitating consolidation - suggestive of active PTB; suggest GeneXpert.",
            "Features suggestive of active PTB ({s} upper zone).",
        ],
        term="cavitating consolidation",
    ),
    "mass": dict(
        slot="lung",
        hist="mass",
        sig=True,
        sided=True,
        f=[
            "A well-defined round opacity measuring about 3.5 cm is seen in the {s} mid zone.",
            "There is a lobulated mass of about 5 x 4 cm in the {s} {z} zone.",
            "An irregular soft tissue opacity (approx. 4 cm) in the {s} perihilar region.",
        ],
        i=[
            "{S} lung mass; ?bronchogenic carcinoma - CT chest advised.",
            "{S} {z} zone mass lesion, further evaluation with CT recommended.",
        ],
        term="lung mass",
    ),
    "bron": dict(
        slot="lung",
        hist="other",
        sig=False,
        sided=False,
        f=[
            "Bilateral increased bronchovascular markings, more in the perihilar regions.",
            "Peribronchial cuffing noted bilaterally.",
        ],
        i=["Features suggestive of bronchitis.", "Peribronchial thickening - ?bronchitis / reactive airway."],
        term="bronchitis",
    ),
    "hyper": dict(
        slot="diaph",
        hist="other",
        sig=False,
        sided=False,
        f=[
            "Lungs are hyperinflated with flattened hemidiaphragms.",
            "Hyperinflated lung fields; flat domes of diaphragm.",
        ],
        i=["Hyperinflated lungs - ?COPD / asthma.", "Hyperinflation, correlate with PFT."],
        term="hyperinflation",
    ),
}
# Incidental findings a consultant would not require in the impression.
INCIDENTAL = [
    "A small calcified granuloma in the {s} mid zone.",
    "Mild dorsal scoliosis.",
    "Old healed fracture of the {s} {n}th rib.",
    "Degenerative changes of the thoracic spine.",
    "Unfolded aorta.",
]
MILD_CARD = ["The heart is borderline enlarged (CTR 0.52).", "Mild cardiomegaly, CTR 0.53."]

HDR = {
    "hist": ["Clinical history:", "Clinical information:", "Clinical notes:", "Indication:", "History:"],
    "comp": ["Comparison:", "Previous study:", "Comparison:"],
    "tech": ["Technique:", "Technique:", "View:"],
    "find": ["Findings:", "FINDINGS:", "Radiological findings:", "Findings:"],
    "imp": ["Impression:", "IMPRESSION:", "Conclusion:", "Opinion:", "CONCLUSION:", "Impression:"],
}


def cap(s):
    return s[:1].upper() + s[1:]


def style(rng):
    return {
        "hosp": rng.choice(HOSPITALS) if rng.random() < 0.5 else None,
        "exam": rng.choice(EXAMS),
        "unit": rng.choice(UNITS) if rng.random() < 0.6 else None,
        "age": f"{rng.randint(18, 74)} yrs / {rng.choice(['M', 'F'])}" if rng.random() < 0.5 else None,
        "h_hist": rng.choice(HDR["hist"]),
        "h_comp": rng.choice(HDR["comp"]),
        "h_tech": rng.choice(HDR["tech"]),
        "h_find": rng.choice(HDR["find"]),
        "h_imp": rng.choice(HDR["imp"]),
        "tech": rng.choice(TECHNIQUE) if rng.random() < 0.55 else None,
        "bullets": rng.random() < 0.35,
        "numbered": rng.random() < 0.4,
        "res": rng.choice(RESIDENTS) if rng.random() < 0.7 else None,
        "cons": rng.choice(CONSULTANTS),
        "abbr": rng.random() < 0.2,
    }


def render(st, hist, comp, find, imp, drop=None):
    """find / imp: lists of sentences. drop: 'find' or 'imp' section to leave empty, ('find','hdr') to omit."""
    out = []
    if st["hosp"]:
        out.append(f"Department of Radiology, {st['hosp']}")
    out.append(st["exam"])
    meta = []
    if st["age"]:
        meta.append(f"Age/Sex: {st['age']}")
    if st["unit"]:
        meta.append(f"Referred from: {st['unit']}")
    if meta:
        out.append("    ".join(meta))
    out.append("")
    if hist:
        out.append(f"{st['h_hist']} {hist}")
    if comp:
        out.append(f"{st['h_comp']} {comp}")
    if st["tech"]:
        out.append(f"{st['h_tech']} {st['tech']}")
    out.append("")
    fnd = [s for s in find if s]
    if drop == ("find", "hdr") or drop == ("find", "blank"):
        if drop[1] == "blank":
            out.append(st["h_find"])
            out.append("")
    elif st["bullets"]:
        out.append(st["h_find"])
        out.extend(f"- {s}" for s in fnd)
        out.append("")
    else:
        out.append(f"{st['h_find']}\n{' '.join(fnd)}")
        out.append("")
    ims = [s for s in imp if s]
    if drop == ("imp", "blank"):
        out.append(st["h_imp"])
        out.append("")
    elif drop == ("imp", "hdr"):
        pass
    elif st["numbered"] and len(ims) > 1:
        out.append(st["h_imp"])
        out.extend(f"{k}. {s}" for k, s in enumerate(ims, 1))
        out.append("")
    else:
        out.append(f"{st['h_imp']} {' '.join(ims)}")
        out.append("")
    if st["res"]:
        out.append(f"Reported by: {st['res']} (Radiology Resident)")
        out.append(f"Verified by: {st['cons']}")
    else:
        out.append(f"Radiologist: {st['cons']}")
    text = "\n".join(out)
    if st["abbr"]:
        text = re.sub(r"\bright\b", "Rt", text)
        text = re.sub(r"\bleft\b", "Lt", text)
        text = re.sub(r"\bRight\b", "Rt", text)
        text = re.sub(r"\bLeft\b", "Lt", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def opp(side):
    return "left" if side == "right" else "right"


def normal_findings(rng, skip=()):
    slots = {"lung": N_LUNG, "pleura": N_PLEURA, "heart": N_HEART, "med": N_MED, "diaph": N_DIAPH, "bone": N_BONE}
    out = {}
    for k, v in slots.items():
        if k in skip:
            continue
        if k in ("diaph", "med") and rng.random() < 0.3:
            continue
        out[k] = rng.choice(v)
    return out


def order(fd):
    return [fd[k] for k in ["lung", "abn", "abn2", "pleura", "heart", "med", "diaph", "bone", "inc"] if k in fd]


def fill(t, side, zone, rng):
    return t.format(s=side, S=cap(side), z=zone, n=rng.choice([4, 5, 6, 7]))


def bank_case(rng, item_key=None, incidental=None):
    """Return a structured bank report: dict(hist, comp, fd (slot->sentence), imp list, item, side, zone)."""
    side = rng.choice(["right", "left"])
    zone = rng.choice(ZONES)
    if item_key is None:
        fd = normal_findings(rng)
        hist = rng.choice(HIST_NORMAL)
        imp = [rng.choice(IMP_NORMAL if re.search("employment|Visa|school", hist) else IMP_NORMAL[:-1])]
        item = None
    else:
        item = ITEMS[item_key]
        if item_key in ("cav", "fib"):
            zone = "upper"
        if item_key == "cons" and zone == "upper" and rng.random() < 0.5:
            zone = "lower"
        fd = normal_findings(rng, skip=(item["slot"], "lung") if item["slot"] == "pleura" else (item["slot"],))
        if item_key == "oed":
            fd.pop("heart", None)
            fd["heart"] = rng.choice(ITEMS["card"]["f"])
        fd["abn"] = fill(rng.choice(item["f"]), side, zone, rng)
        imp = [fill(rng.choice(item["i"]), side, zone, rng)]
        hist = rng.choice(HIST_ABN[item["hist"]])
    if incidental:
        fd["inc"] = fill(incidental, side if item is None or rng.random() < 0.5 else opp(side), "mid", rng)
    comp = rng.choice(COMPARISON) if rng.random() < 0.6 else None
    return dict(hist=hist, comp=comp, fd=fd, imp=imp, item=item_key, side=side, zone=zone)


def bank_clean(rng):
    r = rng.random()
    if r < 0.55:
        inc = None
        if rng.random() < 0.25:
            inc = rng.choice(INCIDENTAL + MILD_CARD)
        c = bank_case(rng, None, inc)
        if inc in MILD_CARD:
            c["fd"].pop("heart", None)
            c["fd"]["heart"] = c["fd"].pop("inc")
        if inc:
            c["imp"] = [
                rng.choice(
                    [
                        "No active lung lesion.",
                        "No acute cardiopulmonary disease.",
                        "No radiological evidence of active PTB.",
                        "No active chest disease.",
                    ]
                )
            ]
    else:
        key = rng.choice(
            [
                "cons",
                "cons",
                "eff",
                "smalleff",
                "card",
                "card",
                "fib",
                "fib",
                "cav",
                "bron",
                "hyper",
                "oed",
                "ptx",
                "mass",
            ]
        )
        c = bank_case(rng, key)
        if key == "fib" and rng.random() < 0.4:
            c["imp"].append("No radiological evidence of active disease.")
    return c


def bank_render(rng, c, drop=None):
    st = style(rng)
    return render(st, c["hist"], c["comp"], order(c["fd"]), c["imp"], drop)


def bank_inject(rng, kind):
    if kind == "missing_section":
        if rng.random() < 0.7:
            c = bank_case(rng, rng.choice(["cons", "eff", "card", "fib", "cav", "ptx", "bron", None]))
            drop = ("imp", rng.choice(["blank", "hdr"]))
            return bank_render(rng, c, drop), "impression/conclusion section left empty"
        c = bank_case(rng, rng.choice(["cons", "eff", "card", None]))
        c["imp"] = [
            rng.choice(
                [
                    "Kindly correlate clinically.",
                    "Please correlate with clinical findings.",
                    "Follow-up film advised after treatment.",
                    "Compare with previous films.",
                    "Clinical correlation is recommended.",
                ]
            )
        ]
        drop = ("find", rng.choice(["blank", "hdr"]))
        return bank_render(rng, c, drop), "findings section left empty; impression only advises correlation"
    if kind == "laterality_conflict":
        key = rng.choice(["cons", "eff", "ptx", "fib", "cav", "mass", "cons", "eff"])
        c = bank_case(rng, key)
        s = c["side"]
        if rng.random() < 0.6:
            c["imp"] = [fill(rng.choice(ITEMS[key]["i"]), opp(s), c["zone"], rng)]
            det = f"findings put the {ITEMS[key]['term']} on the {s}, impression on the {opp(s)}"
        else:
            c["fd"]["abn"] = fill(rng.choice(ITEMS[key]["f"]), opp(s), c["zone"], rng)
            det = f"findings put the {ITEMS[key]['term']} on the {opp(s)}, impression on the {s}"
        return bank_render(rng, c), det
    if kind == "negation_conflict":
        v = rng.randrange(6)
        if v == 0:  # lungs clear vs pneumonia in impression
            c = bank_case(rng, None)
            c["fd"]["lung"] = rng.choice(N_LUNG[:3])
            c["imp"] = [fill(rng.choice(ITEMS["cons"]["i"]), c["side"], "lower", rng)]
            det = "findings: lungs clear; impression asserts pneumonia/consolidation"
        elif v == 1:  # heart normal vs cardiomegaly
            c = bank_case(rng, None)
            c["fd"]["heart"] = rng.choice(N_HEART)
            c["imp"] = [rng.choice(ITEMS["card"]["i"])]
            det = "findings: heart size normal; impression: cardiomegaly"
        elif v == 2:  # no effusion vs effusion
            c = bank_case(rng, rng.choice([None, "card"]))
            c["fd"]["pleura"] = rng.choice(
                ["No pleural effusion or pneumothorax.", "No pleural effusion.", "Both costophrenic angles are sharp."]
            )
            c["imp"] = c["imp"][:1] if c["item"] else []
            c["imp"].append(f"{cap(c['side'])} pleural effusion.")
            det = "findings: no pleural effusion / sharp CP angles; impression asserts effusion"
        elif v == 3:  # effusion in findings, impression negates
            c = bank_case(rng, "eff")
            c["imp"] = [
                rng.choice(
                    [
                        "No pleural effusion.",
                        "Clear CP angles; no effusion.",
                        "Lungs clear. No pleural effusion or pneumothorax.",
                    ]
                )
            ]
            if rng.random() < 0.5:
                c["imp"].insert(0, "Cardiomegaly.")
                c["fd"]["heart"] = rng.choice(ITEMS["card"]["f"])
            det = "findings: pleural effusion; impression states no effusion"
        elif v == 4:  # no pneumothorax vs pneumothorax
            c = bank_case(rng, None)
            c["fd"]["pleura"] = rng.choice(["No pneumothorax or pleural effusion.", "No pneumothorax."])
            c["hist"] = rng.choice(HIST_ABN["ptx"])
            c["imp"] = [f"Small {c['side']} apical pneumothorax."]
            det = "findings: no pneumothorax; impression asserts pneumothorax"
        else:  # cardiomegaly in findings, impression says heart normal
            c = bank_case(rng, "card")
            c["imp"] = [
                rng.choice(
                    [
                        "Normal heart size. Clear lungs.",
                        "Heart size normal; no active lung lesion.",
                        "Normal cardiac size. No acute cardiopulmonary disease.",
                    ]
                )
            ]
            det = "findings: enlarged heart; impression: heart size normal"
        return bank_render(rng, c), det
    if kind == "impression_omits_finding":
        key = rng.choice(["cons", "cons", "eff", "ptx", "oed", "cav", "mass", "cons", "eff"])
        c = bank_case(rng, key)
        if rng.random() < 0.65:
            c["imp"] = [
                rng.choice(
                    [
                        "Normal chest X-ray.",
                        "No significant abnormality detected.",
                        "No acute cardiopulmonary disease.",
                        "Normal study.",
                        "No radiological abnormality seen.",
                    ]
                )
            ]
            det = f"impression normal macro; findings show {ITEMS[key]['term']}"
        else:
            other = rng.choice(["fib", "bron", "card"] if key != "oed" else ["fib", "bron"])
            c["fd"]["abn2"] = fill(rng.choice(ITEMS[other]["f"]), c["side"], "upper", rng)
            if other == "card":
                c["fd"].pop("heart", None)
            c["imp"] = [
                fill(rng.choice([t for t in ITEMS[other]["i"] if "effusion" not in t]), c["side"], "upper", rng)
            ]
            det = f"impression mentions only {ITEMS[other]['term']}; findings also show {ITEMS[key]['term']}"
        return bank_render(rng, c), det
    # placeholder
    c = bank_clean(rng)
    st = style(rng)
    st["abbr"] = False
    ph = rng.choice(["[ ]", "[***]", "<side>", "(R/L)", "......", "[...]", "***", "< >", "xx", "[  ]"])
    v = rng.randrange(5)
    fl = order(c["fd"])
    if v == 0 and c["item"] and ITEMS[c["item"]]["sided"]:
        c["imp"][0] = re.sub(r"\b(right|left|Right|Left)\b", ph, c["imp"][0], count=1)
        det = f"side in impression left as template blank {ph}"
    elif v == 1:
        c["hist"] = rng.choice(["[clinical history]", "***", "........", "[ ]", "<history>"])
        det = f"clinical history field not filled ({c['hist']})"
    elif v == 2:
        ph2 = rng.choice(["[ ]", "xx", "0.[ ]", "...", "[**]"])
        fl = [s for s in fl if "CTR" not in s and "heart" not in s.lower() and "cardi" not in s.lower()]
        fl.insert(min(2, len(fl)), f"Heart size normal, CTR {ph2}.")
        det = f"CTR value left unfilled ({ph2})"
    elif v == 3:
        st["res"] = None
        st["cons"] = rng.choice(["Dr. ............", "[Radiologist name]", "Dr. [ ]", "<name>", "Dr. ***"])
        det = f"radiologist sign-off field not filled ({st['cons']})"
    else:
        i = rng.randrange(len(fl))
        words = fl[i].split(" ")
        j = rng.randrange(1, len(words)) if len(words) > 1 else 0
        old = words[j]
        words[j] = ph + ("." if old.endswith(".") else "")
        fl[i] = " ".join(words)
        det = f"word '{old.rstrip('.')}' in findings replaced by {ph}"
    return render(st, c["hist"], c["comp"], fl, c["imp"]), det


# --------------------------------------------------------------------------- real IU reports

_CACHE = {}
RX = re.compile(r'<AbstractText Label="(\w+)"(?:/>|>(.*?)</AbstractText>)', re.S)


def load_iu():
    if "iu" in _CACHE:
        return _CACHE["iu"]
    path = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    out = []
    with tarfile.open(path, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            t = tf.extractfile(m).read().decode("utf-8", "replace")
            um = re.search(r'<uId id="([^"]+)"', t)
            if not um:
                continue
            sec = {k.lower(): html.unescape((v or "").strip()) for k, v in RX.findall(t)}
            sec["uid"] = um.group(1)
            sec["normal"] = "<major>normal</major>" in t.lower()
            out.append(sec)
    out.sort(key=lambda d: int(re.sub(r"\D", "", d["uid"]) or 0))
    _CACHE["iu"] = out
    return out


def dev_uids():
    p = shared_dir() / "eval" / "report_errors_dev.jsonl"
    uids = set()
    with open(p) as f:
        for line in f:
            if line.strip():
                uids.add(json.loads(line).get("uid"))
    return uids


REWORD = [
    (r"\bx-XXXX\b", "X-ray"),
    (r"\bedema\b", "oedema"),
    (r"\bEdema\b", "Oedema"),
    (r"\bvisualized\b", "visualised"),
    (r"\bVisualized\b", "Visualised"),
    (r"\bhemorrhage\b", "haemorrhage"),
    (r"\bThe lungs are clear\b", "Both lung fields are clear"),
    (r"\bLungs are clear\b", "Lung fields are clear"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary abnormality seen"),
    (r"\bcentimeters?\b", "cm"),
    (r"\bcostophrenic\b", "costophrenic"),
    (r"\bairspace\b", "air space"),
    (r"\bopacification\b", "opacification"),
    (r"\.\.+", "."),
    (r"\s+", " "),
]


def reword(s):
    for a, b in REWORD:
        s = re.sub(a, b, s)
    return s.strip()


def sents(text):
    if not text:
        return []
    text = re.sub(r"(^|\s)\d+\.\s+", r"\1", text)
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)
    out = []
    for p in parts:
        p = reword(p)
        if p and not re.fullmatch(r"[\d.\s]*", p):
            out.append(p if p.endswith((".", "!", "?")) else p + ".")
    return out


FAM = {
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|air ?space (disease|opacit)|infiltrat|pneumonia",
    "oedema": r"oedema|edema|vascular congestion|pulmonary congestion",
    "effusion": r"effusion",
    "mass": r"\bmass\b(?! effect)",
    "mediastinum": r"widen\w* (of the )?mediastin|mediastin\w* widen",
    "cardiomegaly": r"cardiomegaly|heart (size )?(is )?enlarged|enlarged (heart|cardiac)",
}
NEG = re.compile(
    r"\b(no|not|without|negative|free of|clear of|resolv\w*|resolution|removed|cleared|exclude\w*|"
    r"rather than|nor|clear)\b",
    re.I,
)
HEDGE = re.compile(
    r"\b(possibl\w*|may|might|could|question\w*|suspect\w*|suggest\w*|cannot|versus|vs|likely|"
    r"probabl\w*|borderline|minimal|mild\w*|small|trace|tiny|subtle|stable|unchanged|old|chronic|"
    r"calcified|granuloma\w*|scar\w*|atelecta\w*|improv\w*|decreas\w*|previous\w*|prior|"
    r"history|concern|differential|or|again|persist\w*)\b",
    re.I,
)
BIG = re.compile(r"\b(moderate|large|massive|sizable|substantial|moderate-sized|large-sized)\b", re.I)


def affirmed(sentences, strict):
    fams = set()
    for s in sentences:
        if NEG.search(s):
            continue
        if strict and (HEDGE.search(s) or "XXXX" in s):
            continue
        for f, rx in FAM.items():
            if strict and f == "effusion" and not BIG.search(s):
                continue
            if re.search(rx, s, re.I):
                fams.add(f)
    return fams


def mentions(sentences, fam):
    return any(re.search(FAM[fam], s, re.I) for s in sentences)


def real_hist(rng, r):
    ind = reword(r.get("indication", "") or "").strip(" ;,.")
    if not ind:
        return rng.choice(HIST_NORMAL) if rng.random() < 0.5 else None
    return ind if ind.endswith(".") else ind + "."


def real_comp(rng, r):
    c = reword(r.get("comparison", "") or "")
    if not c or c.lower().startswith("none"):
        return rng.choice(COMPARISON) if rng.random() < 0.7 else None
    return c if c.endswith(".") else c + "."


def real_render(rng, r, fs, im, drop=None, st=None):
    st = st or style(rng)
    st["abbr"] = False
    st["age"] = None
    if not r.get("indication") and st["unit"] is None:
        st["unit"] = rng.choice(UNITS)
    return render(st, real_hist(rng, r), real_comp(rng, r), fs, im, drop)


SIDE_FAM = r"effusion|consolidat|opacit|air ?space|pneumonia|atelecta|pneumothora|nodul|granuloma|infiltrat|scar|mass"


def side_of(s):
    r = bool(re.search(r"\bright\b", s, re.I))
    ll = bool(re.search(r"\bleft\b", s, re.I))
    if r == ll or re.search(r"bilateral|both", s, re.I):
        return None
    return "right" if r else "left"


def flip(s):
    return re.sub(
        r"\b(right|left|Right|Left|RIGHT|LEFT)\b",
        lambda m: {
            "right": "left",
            "left": "right",
            "Right": "Left",
            "Left": "Right",
            "RIGHT": "LEFT",
            "LEFT": "RIGHT",
        }[m.group(1)],
        s,
    )


def real_pools(seed_rng, excl):
    pools = {k: [] for k in ["clean_n", "clean_a", "missing", "lat", "neg", "omit", "ph"]}
    for r in load_iu():
        if r["uid"] in excl:
            continue
        fs, im = sents(r.get("findings")), sents(r.get("impression"))
        if not fs or not im:
            continue
        raw = r.get("findings", "") + r.get("impression", "")
        if re.search(r"\[|\]|___|\*\*", raw):
            continue
        loose = affirmed(fs, strict=False)
        ok = all(mentions(im, f) for f in loose) and not (affirmed(im, False) - loose - {"cardiomegaly"})
        if r["normal"] and not loose and ok:
            pools["clean_n"].append((r, fs, im))
        elif ok and loose and len(fs) >= 2:
            pools["clean_a"].append((r, fs, im))
        strict = affirmed(fs, strict=True) - {"cardiomegaly"}
        if strict and all(mentions(im, f) for f in strict) and not NEG.search(" ".join(fs[:0])):
            pools["omit"].append((r, fs, im, sorted(strict)))
        if len(fs) >= 2:
            pools["missing"].append((r, fs, im))
        pairs = []
        for i, a in enumerate(fs):
            sa = side_of(a)
            if not sa or NEG.search(a):
                continue
            if sum(side_of(x) == sa for x in fs) != 1 or "XXXX" in a or "middle lobe" in a.lower():
                continue
            for j, b in enumerate(im):
                if (
                    side_of(b) == sa
                    and not NEG.search(b)
                    and "middle lobe" not in b.lower()
                    and sum(side_of(x) == sa for x in im) == 1
                ):
                    fa = set(re.findall(SIDE_FAM, a, re.I))
                    fb = set(re.findall(SIDE_FAM, b, re.I))
                    if fa and fb:
                        pairs.append((i, j, sa))
        if pairs:
            pools["lat"].append((r, fs, im, pairs))
        if r["normal"] and not loose and ok:
            pools["neg"].append((r, fs, im))
            pools["ph"].append((r, fs, im))
    for v in pools.values():
        seed_rng.shuffle(v)
    return pools


NEG_TRIGGERS = [
    (
        r"lung fields are clear|lungs are clear|no focal (air ?space )?(consolidation|opacit)|"
        r"no (focal )?consolidation|no (focal )?infiltrat|clear lungs",
        [
            "{S} lower zone pneumonia.",
            "Features of {s} basal consolidation.",
            "{S} lower lobe consolidation - ?pneumonia.",
        ],
        "lungs clear / no consolidation",
        "consolidation",
    ),
    (
        r"no (evidence of )?pneumothora|no pleural effusion or pneumothora|pneumothorax or (pleural )?effusion",
        ["Small {s} apical pneumothorax.", "{S} sided pneumothorax."],
        "no pneumothorax",
        "pneumothorax",
    ),
    (
        r"no (pleural )?effusion|no large pleural effusion|effusions? (are|is) not seen|without (pleural )?effusion",
        ["{S} pleural effusion.", "Moderate {s} pleural effusion."],
        "no pleural effusion",
        "effusion",
    ),
    (
        r"heart size (is )?(within )?normal|normal heart size|heart (is )?normal in size|"
        r"cardiac silhouette (is )?(within )?normal|cardiomediastinal silhouette (is )?(within )?normal|"
        r"heart and mediastinum (are )?normal|"
        r"heart size and .* (are )?(within )?normal",
        ["Cardiomegaly.", "Enlarged heart.", "Cardiomegaly; correlate with echo."],
        "heart size normal",
        "cardiomegaly",
    ),
]


def real_inject(rng, kind, pools):
    if kind == "missing_section":
        r, fs, im = pools["missing"].pop()
        drop = ("imp", rng.choice(["blank", "hdr"]))
        return r, real_render(rng, r, fs, im, drop), "impression section emptied (real report)"
    if kind == "laterality_conflict":
        r, fs, im, pairs = pools["lat"].pop()
        i, j, sa = rng.choice(pairs)
        fs, im = list(fs), list(im)
        if rng.random() < 0.5:
            old = im[j]
            im[j] = flip(im[j])
            det = f"impression side flipped: '{old}' -> '{im[j]}'; findings keep {sa}"
        else:
            old = fs[i]
            fs[i] = flip(fs[i])
            det = f"findings side flipped: '{old}' -> '{fs[i]}'; impression keeps {sa}"
        return r, real_render(rng, r, fs, im), det
    if kind == "negation_conflict":
        while True:
            r, fs, im = pools["neg"].pop()
            cands = [t for t in NEG_TRIGGERS if any(re.search(t[0], s, re.I) for s in fs)]
            if cands:
                break
        rx, tmpl, what, fam = rng.choice(cands)
        side = rng.choice(["right", "left"])
        new = fill(rng.choice(tmpl), side, "lower", rng)
        det = f"findings: {what}; impression replaced by '{new}'"
        return r, real_render(rng, r, fs, [new]), det
    if kind == "impression_omits_finding":
        r, fs, im, fams = pools["omit"].pop()
        new = rng.choice(
            [
                "No acute cardiopulmonary disease.",
                "Normal chest X-ray.",
                "No active lung lesion.",
                "No significant radiological abnormality.",
                "Normal study.",
            ]
        )
        return r, real_render(rng, r, fs, [new]), f"impression replaced by '{new}'; findings affirm {', '.join(fams)}"
    # placeholder
    r, fs, im = pools["ph"].pop()
    fs, im = list(fs), list(im)
    st = style(rng)
    ph = rng.choice(["[ ]", "[***]", "......", "<   >", "[...]", "***", "[  ]"])
    v = rng.randrange(3)
    if v == 0:
        st["res"] = None
        st["cons"] = rng.choice(["Dr. ............", "[Radiologist]", "Dr. [ ]", "Dr. ***"])
        det = f"sign-off name left unfilled ({st['cons']})"
    else:
        i = rng.randrange(len(fs))
        words = fs[i].split(" ")
        cand = [k for k, w in enumerate(words) if len(w.strip(".,")) > 3 and "XXXX" not in w]
        if not cand:
            cand = [len(words) - 1]
        k = rng.choice(cand)
        old = words[k]
        words[k] = ph + ("." if old.endswith(".") else "")
        fs[i] = " ".join(words)
        det = f"word '{old.strip('.,')}' in findings replaced by {ph}"
    return r, real_render(rng, r, fs, im, st=st), det


# --------------------------------------------------------------------------- build


def build(seed):
    rng = random.Random(f"h103-{seed}")
    excl = dev_uids()
    pools = real_pools(random.Random(f"h103-pools-{seed}"), excl)
    rows = []
    for _ in range(N_CLEAN // 2):
        rows.append(dict(injected=None, detail="", report=bank_render(rng, bank_clean(rng)), src="bank"))
    for k in range(N_CLEAN // 2):
        pool = pools["clean_n"] if k % 10 < 6 else pools["clean_a"]
        r, fs, im = pool.pop()
        rows.append(dict(injected=None, detail="", report=real_render(rng, r, fs, im), src=r["uid"]))
    used = {x["src"] for x in rows}
    for kind in KINDS:
        for _ in range(N_KIND // 2):
            rep, det = bank_inject(rng, kind)
            rows.append(dict(injected=kind, detail=det, report=rep, src="bank"))
        for _ in range(N_KIND // 2):
            while True:
                r, rep, det = real_inject(rng, kind, pools)
                if r["uid"] not in used:
                    break
            used.add(r["uid"])
            rows.append(dict(injected=kind, detail=det, report=rep, src=r["uid"]))
    rng.shuffle(rows)
    out = []
    for n, x in enumerate(rows):
        src = "phrase bank" if x["src"] == "bank" else f"IU {x['src']}"
        det = f"{x['detail']} [source: {src}]" if x["detail"] else f"unmodified [source: {src}]"
        out.append({"id": f"h103-{seed}-{n}", "injected": x["injected"], "detail": det, "report": x["report"]})
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as f:
        for x in rows:
            f.write(json.dumps(x) + "\n")
    print(f"wrote {len(rows)} cases to {a.out}")
    if a.show:
        for kind in [None, *KINDS]:
            for x in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {x['id']} {kind} | {x['detail']}\n{x['report']}")


if __name__ == "__main__":
    main()
