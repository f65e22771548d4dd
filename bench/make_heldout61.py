"""Held-out report-check set 61: the everyday chest list of South Asian hospitals (written blind).

Written blind: without reading the checker, its tests, its docs or any other generator; only the
scorer's format, the shared eval README, the IU archive and the dev-set uids were used.

Styles: the ordinary English-language chest reports of hospitals and diagnostic centres in India,
Pakistan and Sri Lanka: private diagnostic-centre letterheads ("X-RAY CHEST PA VIEW", Name/Age/Sex,
Ref. by), government and teaching-hospital inpatient films, pre-employment and pre-operative fitness
films, outpatient TB/pneumonia/COPD work; "lung fields", "CP angles", "domes of diaphragm",
"bony cage", "Koch's", "suggest clinical correlation"; bullet, numbered and prose findings, several
readers' sign-offs. Half of each group is composed from the phrase bank below, half are real IU
reports (dev uids excluded) re-laid-out and re-worded in these styles (IU's XXXX mask kept).

usage: python -m bench.make_heldout61 OUT.jsonl --seed S [--show N]
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

# ----------------------------------------------------------------------------------------- shared


def shared_dir() -> Path:
    d = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(d) if d else Path(__file__).resolve().parents[1].parent / "shared"
    if not (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file():
        print(
            f"shared data not found at {p}: set MEDRAG_SHARED_DIR to the shared folder "
            "(with data/iu_reports/NLMCXR_reports.tgz and eval/report_errors_dev.jsonl)",
            file=sys.stderr,
        )
        sys.exit(2)
    return p


def dev_uids(shared: Path) -> set[str]:
    f = shared / "eval" / "report_errors_dev.jsonl"
    if not f.is_file():
        return set()
    return {json.loads(line)["uid"] for line in f.open() if line.strip()}


def load_iu(shared: Path) -> list[dict]:
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        for m in sorted(t.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(t.extractfile(m).read())
            uid = root.find("uId")
            d = {(a.get("Label") or "").lower(): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            d["uid"] = uid.get("id") if uid is not None else m.name
            out.append(d)
    return out


# ------------------------------------------------------------------------------------- vocabulary

SIDES = {"right": "left", "left": "right"}
SIG = {  # significant-finding groups: every wording that would name it in an impression
    "effusion": r"effusion|fluid|cp angle|costophrenic|meniscus|hydrothorax|blunt",
    "pneumothorax": r"pneumothora|ptx|pleural air|collapsed lung margin",
    "consolidation": r"consolidat|airspace|air space|infiltrat|pneumoni|pneumonitis|opacit|koch|tubercul|\btb\b|cavit|"
    r"air bronchogram|haz",
    "oedema": r"o?edema|congesti|kerley|failure|chf|cephali|upper lobe diversion|vascular",
    "mass": r"\bmass|nodul|\bsol\b|space occupying|lesion|neoplas|malignan|tumou?r|rounded opacity|opacity",
    "collapse": r"collapse|atelecta|volume loss|fissure",
}
REFERRERS = ["Self", "Dr. R. Gupta", "Dr. S. Hameed", "Dr. A. Jayawardena", "Dr. V. Rao", "Dr. Nasreen (OPD)"]
# generic "normal" impressions used where a finding is left out (none of them names a structure)
OMIT_IMPS = [
    "No significant abnormality detected.",
    "Chest X-ray within normal limits.",
    "Essentially normal study.",
    "NAD.",
    "No obvious abnormality seen in the present study.",
    "Normal chest radiograph.",
]
NORMAL_IMPS = [
    "No significant abnormality detected.",
    "Normal chest radiograph.",
    "Chest X-ray within normal limits.",
    "No active lung parenchymal lesion seen.",
    "Essentially normal study.",
    "NAD.",
    "No obvious abnormality seen in the present study.",
    "Normal study. No active pulmonary lesion.",
]
READERS = [
    "Dr. S. Raghavan, MD (Radio-diagnosis)\nConsultant Radiologist",
    "Dr. Ayesha Siddiqui, FCPS (Radiology)",
    "Dr. N. Perera, MBBS, MD (Radiology)\nConsultant Radiologist",
    "Dr. P. K. Sharma, DMRD, DNB",
    "Dr. Farhan Qureshi\nSenior Registrar, Radiology",
    "Dr. K. Lakshmi, DMRD\nRadiologist",
    "Reported by: Dr. M. Iqbal, MCPS, FCPS",
    "Dr. R. Wickramasinghe\nRadiologist",
    "(Electronically signed) Dr. Anjali Menon, MD RD",
]
INDICATIONS = [
    "Cough with fever x 2 weeks.",
    "Pre-employment medical check-up.",
    "Pre-operative evaluation (lap. cholecystectomy).",
    "Known case of pulmonary TB, on ATT. Follow-up.",
    "Breathlessness on exertion.",
    "Chest pain.",
    "Haemoptysis, weight loss.",
    "Pre-op for hernia repair.",
    "Routine health check-up.",
    "Fever, cough with expectoration.",
    "K/c/o COPD, increased breathlessness.",
    "Visa medical.",
    "Known diabetic, cough x 1 month.",
    "RTA, chest trauma.",
    "Post ICD insertion.",
    "Evening rise of temperature, loss of appetite.",
]
NAMES = [
    "Mr. Ramesh Kumar",
    "Mrs. Fatima Bibi",
    "Mr. Muhammad Asif",
    "Ms. Priya Nair",
    "Mr. Suresh Babu",
    "Mrs. Kamala Devi",
    "Mr. Nimal Fernando",
    "Mrs. Shahnaz Akhtar",
    "Mr. Abdul Rehman",
    "Mr. Ravi Shankar",
    "Mrs. Lalitha Jayasuriya",
    "Mr. Imran Khan",
    "Mrs. Sunita Patil",
    "Mr. Bilal Ahmed",
    "Ms. Dilani Silva",
]

# normal findings slots: slot -> variants
NORMAL = {
    "trachea": ["Trachea is central.", "Trachea is in midline.", "Trachea and mediastinum are central."],
    "lungs": [
        "Both lung fields are clear.",
        "Bilateral lung fields appear normal.",
        "Both lung fields show normal translucency.",
        "No focal lesion is seen in either lung field.",
        "Lung parenchyma appears normal.",
    ],
    "hila": ["Both hila are normal.", "Bilateral hilar shadows are normal.", "Hila appear normal in size and density."],
    "heart": [
        "Cardiac size is normal.",
        "Heart size is within normal limits.",
        "Cardiac shadow is normal in size and configuration.",
        "CTR is within normal limits.",
        "Cardiac silhouette is normal.",
    ],
    "cp": ["Both costophrenic angles are clear.", "Both CP angles are clear.", "Bilateral CP angles are normal."],
    "dome": [
        "Both domes of diaphragm are normal in position and contour.",
        "Both hemidiaphragms are normal.",
        "Domes of diaphragm are normal.",
    ],
    "bones": [
        "Bony thorax appears normal.",
        "Visualised bony cage is normal.",
        "Bony cage and soft tissues are normal.",
        "No bony abnormality seen.",
    ],
}
SLOT_ORDER = ["trachea", "lungs", "hila", "heart", "cp", "dome", "bones"]

# findings: key -> (slot replaced, findings text, impression text, significant?, sided?, group, neg-macro slot)
FIND = {
    "pneumonia": (
        "lungs",
        [
            "Patchy consolidation with air bronchograms is seen in the {s} lower zone.",
            "Non-homogeneous opacity is noted in the {s} mid and lower zones.",
            "Ill-defined patchy opacities are seen in the {s} lower zone, rest of the lung fields clear.",
        ],
        [
            "{S} lower zone consolidation - likely infective. Suggest clinical correlation.",
            "Pneumonitis in {s} lower zone.",
            "{S} lower lobe pneumonia.",
        ],
        True,
        True,
        "consolidation",
    ),
    "activetb": (
        "lungs",
        [
            "Patchy areas of consolidation with a thick-walled cavity are seen in the {s} upper zone.",
            "Fibro-cavitary lesion with surrounding patchy infiltrates noted in the {s} upper zone.",
        ],
        [
            "{S} upper zone cavitary consolidation - s/o active Koch's. Suggest sputum AFB / CBNAAT.",
            "Features suggestive of active pulmonary tuberculosis, {s} upper zone.",
        ],
        True,
        True,
        "consolidation",
    ),
    "effusion": (
        "cp",
        [
            "Homogeneous opacity with a concave upper border is seen in the {s} lower zone obliterating "
            "the {s} CP angle.",
            "{S} CP angle is obliterated with a meniscus sign - moderate effusion.",
        ],
        [
            "Moderate {s} sided pleural effusion.",
            "{S} pleural effusion (moderate).",
            "{S} moderate pleural effusion. Suggest USG chest and tap.",
        ],
        True,
        True,
        "effusion",
    ),
    "ptx": (
        "lungs",
        [
            "A {s} sided pneumothorax is seen with visible collapsed lung margin; no mediastinal shift.",
            "Hyperlucent {s} hemithorax devoid of lung markings with a visible pleural line.",
        ],
        ["{S} pneumothorax.", "{S} sided pneumothorax - suggest urgent clinical correlation."],
        True,
        True,
        "pneumothorax",
    ),
    "nodule": (
        "lungs",
        [
            "A well-defined rounded opacity measuring approx. 2.2 x 1.9 cm is seen in the {s} mid zone.",
            "A soft tissue density nodule of about 14 mm is seen in the {s} mid zone.",
        ],
        [
            "{S} mid zone nodular opacity - suggest CECT chest for further evaluation.",
            "{S} mid zone SOL. CT correlation advised.",
        ],
        True,
        True,
        "mass",
    ),
    "oedema": (
        "lungs",
        [
            "Bilateral perihilar haziness with upper lobe diversion and Kerley B lines.",
            "Prominent upper lobe vessels with bilateral perihilar alveolar opacities (bat-wing).",
        ],
        ["Features suggestive of pulmonary oedema.", "Pulmonary venous congestion with interstitial oedema."],
        True,
        False,
        "oedema",
    ),
    "collapse": (
        "lungs",
        [
            "Homogeneous opacity in the {s} upper zone with elevation of the horizontal fissure and "
            "tracheal shift to the {s}.",
        ],
        ["{S} upper lobe collapse. Suggest bronchoscopy/CT correlation."],
        True,
        True,
        "collapse",
    ),
    # not significant (may stay out of an impression, may fill the "other" list)
    "oldtb": (
        "lungs",
        [
            "Fibrotic strands with calcific foci are seen in the {s} upper zone.",
            "Fibro-calcific lesions are seen in the {s} upper zone with mild volume loss.",
        ],
        [
            "Old healed Koch's lesion in {s} upper zone.",
            "{S} upper zone fibrocalcific changes - sequelae of old Koch's.",
        ],
        False,
        True,
        "old",
    ),
    "smalleff": (
        "cp",
        ["Blunting of {s} CP angle.", "{S} costophrenic angle is blunted."],
        ["Minimal {s} pleural effusion / pleural thickening.", "Blunted {s} CP angle - minimal effusion."],
        False,
        True,
        "small",
    ),
    "cardio": (
        "heart",
        ["Cardiac size is enlarged (CTR ~0.58).", "Heart is mildly enlarged."],
        ["Cardiomegaly.", "Mild cardiomegaly."],
        False,
        False,
        "cardio",
    ),
    "copd": (
        "dome",
        [
            "Both lung fields are hyperinflated with flattened domes of diaphragm and a tubular heart.",
            "Hyperinflated lungs with low flat hemidiaphragms.",
        ],
        ["Features of COPD / emphysema.", "Hyperinflation - s/o COPD."],
        False,
        False,
        "copd",
    ),
    "spondy": (
        "bones",
        ["Degenerative changes are seen in the dorsal spine.", "Osteophytes noted in the dorsal spine."],
        ["Dorsal spondylosis.", "Degenerative changes of dorsal spine."],
        False,
        False,
        "spondy",
    ),
    "aorta": (
        "hila",
        ["Aortic knuckle is prominent with calcification.", "Unfolding of aorta noted."],
        ["Atherosclerotic aorta.", "Unfolded aorta."],
        False,
        False,
        "aorta",
    ),
}
# what a normal-macro sentence negates (for negation conflicts)
NEG_OF = {
    "consolidation": ("lungs", ["Both lung fields are clear.", "No focal consolidation is seen."]),
    "effusion": ("cp", ["Both CP angles are clear.", "No pleural effusion."]),
    "pneumothorax": ("lungs", ["No pneumothorax."]),
    "mass": ("lungs", ["No focal lesion is seen in either lung field."]),
    "oedema": ("lungs", ["Lung fields are clear. No features of pulmonary oedema."]),
    "collapse": ("lungs", ["Both lung fields are clear."]),
    "cardio": ("heart", ["Cardiac size is normal.", "Heart size is within normal limits."]),
}


def sided(text: str, side: str) -> str:
    return text.replace("{s}", side).replace("{S}", side.capitalize())


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


# ----------------------------------------------------------------------------------------- layout


def render(
    rng: random.Random,
    findings: list[str] | None,
    impression: list[str] | None,
    *,
    indication: str,
    comparison: str = "",
    iu: bool = False,
    style: int | None = None,
    empty_imp_header: bool = False,
    empty_find_header: bool = False,
) -> str:
    style = rng.randrange(5) if style is None else style
    fh = rng.choice(["FINDINGS:", "FINDINGS:", "Findings:", "OBSERVATIONS:"])
    ih = rng.choice(["IMPRESSION:", "IMPRESSION:", "Impression:", "IMPRESSION:", "OPINION:"])
    lines: list[str] = []
    if style == 0:  # private diagnostic centre letterhead
        age = rng.randint(19, 78)
        name = "XXXX" if iu else rng.choice(NAMES)
        sex = rng.choice("MF") if iu else ("M" if name.startswith("Mr.") else "F")
        lines += [
            f"Name: {name}    Age/Sex: {age}Y/{sex}    Ref. by: {rng.choice(REFERRERS)}",
            "",
            "X-RAY CHEST PA VIEW",
            "",
        ]
        if indication:
            lines += [f"Clinical details: {indication}", ""]
    elif style == 1:  # government / teaching hospital inpatient
        lines += [
            rng.choice(["DEPARTMENT OF RADIODIAGNOSIS", "Department of Radiology", "RADIOLOGY REPORT"]),
            f"Examination: {rng.choice(['Chest X-ray PA view', 'CXR PA', 'Chest AP (portable)', 'X-Ray Chest PA'])}",
        ]
        lines += [f"Ward: {rng.choice(['Medical Unit II', 'TB & Chest ward', 'Surgical ward 4', 'OPD', 'ICU'])}"]
        if indication:
            lines.append(f"History: {indication}")
        if comparison:
            lines.append(f"Comparison: {comparison}")
        lines.append("")
    elif style == 2:  # pre-employment / pre-op fitness
        head = (
            "CHEST RADIOGRAPH (PA) - PRE-EMPLOYMENT MEDICAL"
            if re.search(r"employ|visa", indication, re.I)
            else "CHEST X-RAY PA VIEW - PRE-OP"
            if re.search(r"pre-?op", indication, re.I)
            else rng.choice(["X-RAY CHEST PA", "CHEST RADIOGRAPH - PA VIEW"])
        )
        lines += [head, ""]
        if indication:
            lines += [f"Indication: {indication}", ""]
    elif style == 3:  # plain prose, Sri Lankan / Pakistani teaching hospital
        lines += [
            f"CXR {rng.choice(['PA', 'PA erect', 'AP supine'])}." + (f" Clinical: {indication}" if indication else ""),
            "",
        ]
    else:  # short OPD slip
        lines += [f"X-ray chest PA view.{' C/o ' + indication if indication else ''}", ""]
    bullet = style in (0, 2) and rng.random() < 0.6
    if findings is not None:
        lines.append(fh)
        if not empty_find_header:
            if bullet:
                lines += [f"- {s}" if rng.random() < 0.85 else f"* {s}" for s in findings]
            elif style == 3 or rng.random() < 0.5:
                lines.append(" ".join(findings))
            else:
                lines += findings
        lines.append("")
    if impression is not None:
        if empty_imp_header:
            lines.append(ih)
        elif len(impression) > 1 and rng.random() < 0.6:
            lines.append(ih)
            lines += [f"{i}. {s}" for i, s in enumerate(impression, 1)]
        elif rng.random() < 0.5:
            lines.append(f"{ih} {' '.join(impression)}")
        else:
            lines.append(ih)
            lines.append(" ".join(impression))
        lines.append("")
    if rng.random() < 0.7:
        lines.append(rng.choice(READERS))
    return "\n".join(lines).strip() + "\n"


# -------------------------------------------------------------------------------- composed reports


def compose_parts(rng: random.Random, keys: list[str], sides: dict[str, str]):
    slots = {k: rng.choice(v) for k, v in NORMAL.items()}
    extra: dict[str, list[str]] = {}
    imp: list[str] = []
    used_slots: set[str] = set()
    for k in keys:
        slot, ftxts, itxts, _sig, sd, _g = FIND[k]
        s = sides.get(k, "")
        f = sided(rng.choice(ftxts), s) if sd else rng.choice(ftxts)
        if slot in used_slots:
            extra.setdefault(slot, []).append(f)
        else:
            used_slots.add(slot)
            slots[slot] = f
            if slot == "lungs" and sd and rng.random() < 0.6 and "rest of" not in f.lower():
                extra.setdefault(slot, []).append(
                    "Rest of the lung fields are clear."
                    if k not in ("ptx", "collapse")
                    else f"{cap(SIDES[s])} lung is clear."
                )
            if slot == "cp" and sd:
                extra.setdefault(slot, []).append(f"{cap(SIDES[s])} CP angle is clear.")
        imp.append(sided(rng.choice(itxts), s) if sd else rng.choice(itxts))
    order = [s for s in SLOT_ORDER if rng.random() < 0.85 or s in used_slots or s in ("lungs", "heart", "cp")]
    findings = [x for s in order for x in [slots[s]] + extra.get(s, [])]
    if not keys:
        imp = [rng.choice(NORMAL_IMPS)]
    return findings, imp


def pick_keys(rng: random.Random, need_sig: bool = False, need_sided: bool = False) -> list[str]:
    sig = [k for k, v in FIND.items() if v[3] and (v[4] or not need_sided)]
    non = [k for k, v in FIND.items() if not v[3] and (v[4] or not need_sided)]
    if need_sig or need_sided:
        first = rng.choice(sig if need_sig else sig + non)
        keys = [first]
    else:
        r = rng.random()
        keys = [] if r < 0.5 else [rng.choice(sig + non + non)]
    if keys and rng.random() < 0.35:
        o = rng.choice([k for k in FIND if not FIND[k][3] and FIND[k][0] != FIND[keys[0]][0] and k not in keys])
        keys.append(o)
    return keys


def composed(rng: random.Random, kind: str | None):
    ind = rng.choice(INDICATIONS) if rng.random() < 0.8 else ""
    kw = {"indication": ind}
    if kind is None:
        keys = pick_keys(rng)
        sides = {k: rng.choice(["right", "left"]) for k in keys}
        f, i = compose_parts(rng, keys, sides)
        return render(rng, f, i, **kw), ""
    if kind == "missing_section":
        keys = pick_keys(rng)
        sides = {k: rng.choice(["right", "left"]) for k in keys}
        f, i = compose_parts(rng, keys, sides)
        v = rng.randrange(3)
        if v == 0:
            return render(rng, f, i, empty_imp_header=True, **kw), "IMPRESSION header left empty"
        if v == 1:
            return render(rng, f, None, **kw), "IMPRESSION section absent"
        return render(
            rng, None, [rng.choice(["No significant abnormality detected.", "NAD.", "Normal study."])], **kw
        ), "FINDINGS section absent; impression is a bare normal statement"
    if kind == "laterality_conflict":
        keys = pick_keys(rng, need_sided=True)
        k = keys[0]
        keys = [k] + [o for o in keys[1:] if not FIND[o][4]]
        s = rng.choice(["right", "left"])
        sides = {kk: rng.choice(["right", "left"]) for kk in keys}
        sides[k] = s
        f, i = compose_parts(rng, keys, sides)
        itxt = i[0]
        flipped = re.sub(
            r"\b(right|left|Right|Left)\b",
            lambda m: cap(SIDES[m.group(1).lower()]) if m.group(1)[0].isupper() else SIDES[m.group(1)],
            itxt,
        )
        i[0] = flipped
        return render(rng, f, i, **kw), f"{k}: {s} in FINDINGS, impression says {SIDES[s]} ('{flipped}')"
    if kind == "negation_conflict":
        v = rng.random()
        cands = [k for k in FIND if FIND[k][5] in NEG_OF]
        k = rng.choice(cands)
        grp = FIND[k][5]
        keys = [k]
        sides = {k: rng.choice(["right", "left"])}
        f, i = compose_parts(rng, keys, sides)
        slot, negs = NEG_OF[grp]
        neg = rng.choice(negs)
        if v < 0.65:  # normal macro line left in FINDINGS, finding stated in impression
            fn, _ = compose_parts(rng, [], {})
            fn = [x for x in fn if x not in NORMAL[slot]]
            fn.insert(1 if slot == "lungs" else len(fn) // 2, neg)
            return render(rng, fn, i, **kw), f"FINDINGS say '{neg}'; impression affirms {k}: '{i[0]}'"
        imp_negs = {
            "consolidation": ["Both lung fields are clear.", "No active lung parenchymal lesion."],
            "mass": ["No focal lung lesion seen.", "Both lung fields are clear."],
            "collapse": ["Both lung fields are clear."],
            "effusion": ["No pleural effusion.", "Both CP angles are clear."],
            "pneumothorax": ["No pneumothorax."],
            "oedema": ["No evidence of pulmonary oedema."],
            "cardio": ["Normal cardiac size.", "No cardiomegaly."],
        }
        i2 = [rng.choice(imp_negs[grp])]
        return render(rng, f, i2, **kw), f"FINDINGS affirm {k}; impression rules it out: '{i2[0]}'"
    if kind == "impression_omits_finding":
        sig = [k for k in FIND if FIND[k][3]]
        k = rng.choice(sig)
        others = [o for o in FIND if not FIND[o][3] and FIND[o][0] != FIND[k][0]]
        listing = rng.random() < 0.5
        keys = [k] + ([rng.choice(others)] if listing else [])
        sides = {kk: rng.choice(["right", "left"]) for kk in keys}
        f, i = compose_parts(rng, keys, sides)
        imp = i[1:] if listing else [rng.choice(OMIT_IMPS)]
        return render(rng, f, imp, **kw), f"FINDINGS affirm {k} ({FIND[k][5]}); impression omits it: '{' '.join(imp)}'"
    # placeholder
    keys = pick_keys(rng)
    sides = {k: rng.choice(["right", "left"]) for k in keys}
    f, i = compose_parts(rng, keys, sides)
    v = rng.randrange(5)
    if v == 0:
        j = next((n for n, x in enumerate(f) if x in NORMAL["heart"]), None)
        line = "Cardiac size is normal. CTR: ___."
        if j is None:
            f.append(line)
        else:
            f[j] = line
        d = "'CTR: ___' measurement blank"
    elif v == 1 and any("{s}" in t for k in keys for t in FIND[k][1]):
        k = next(k for k in keys if FIND[k][4])
        i = [re.sub(r"\b(right|left)\b", "[right/left]", x, count=1, flags=re.I) for x in i]
        d = f"side of {k} left as [right/left] in impression"
        if not any("[right/left]" in x for x in i):
            i[0] = i[0] + " [right/left]"
    elif v == 2:
        f.append(
            rng.choice(
                [
                    "A cervical rib is seen on the __ side.",
                    "Old healed rib fracture noted in the left __ rib.",
                ]
            )
        )
        d = "side/number blank '__' left in findings"
    elif v == 3:
        f.append("Cardiac size: normal / enlarged.")
        d = "template alternatives 'normal / enlarged' left unselected"
    else:
        f, d = star_blank(rng, f)
    return render(rng, f, i, **kw), d


# ------------------------------------------------------------------------------------ IU reports

REWORD = [
    (r"\b(both |the )?lungs are clear( bilaterally)?\b", "both lung fields are clear"),
    (r"\bheart size (is )?normal\b", "cardiac size is normal"),
    (r"\bnormal heart size\b", "normal cardiac size"),
    (r"\bthe heart is normal in size\b", "cardiac size is normal"),
    (
        r"\bno acute cardiopulmonary (abnormality|abnormalities|disease|process)\b",
        "no significant cardiopulmonary abnormality",
    ),
    (r"\bno acute disease\b", "no significant abnormality detected"),
    (r"\bcardiomediastinal silhouette\b", "cardiac and mediastinal shadow"),
    (r"\bbases\b", "lower zones"),
    (r"\bhemidiaphragms?\b", "dome of diaphragm"),
    (r"\bosseous structures\b", "bony structures"),
    (r"\bedema\b", "oedema"),
    (r"\bthoracic spine\b", "dorsal spine"),
    (r"\bbibasilar\b", "bilateral basal"),
]


def reword(text: str) -> str:
    for a, b in REWORD:
        text = re.sub(a, lambda m, b=b: cap(b) if m.group(0)[0].isupper() else b, text, flags=re.I)
    return text


def sents(t: str) -> list[str]:
    t = re.sub(r"\s*\b\d\.\s+", " ", t)
    return [s.strip() for s in re.split(r"(?<=[.])\s+", t) if len(re.sub(r"\W", "", s)) > 2]


def groups_in(t: str) -> set[str]:
    t = t.lower()
    return {g for g, rx in SIG.items() if re.search(rx, t)}


def small_only(t: str, g: str) -> bool:
    hits = [
        s
        for s in sents(t)
        if re.search(SIG[g], s.lower()) and not re.search(r"\bno\b|without|negative|clear", s.lower())
    ]
    return bool(hits) and all(
        re.search(
            r"small|trace|tiny|minimal|mild|minor|slight|subcentimeter|scar|granulom|"
            r"calcifi|old|chronic|stable|unchanged|possible|may|could|likely|borderline",
            s.lower(),
        )
        for s in hits
    )


def affirmed(t: str, g: str) -> list[str]:
    return [
        s
        for s in sents(t)
        if re.search(SIG[g], s.lower())
        and not re.search(r"\bno\b|without|negative|clear|resolved|free of|not |normal", s.lower())
    ]


def star_blank(rng: random.Random, f: list[str]) -> tuple[list[str], str]:
    rx = r"\b(normal|clear|central|midline|unremarkable|enlarged)\b"
    js = [j for j, x in enumerate(f) if re.search(rx, x, re.I)]
    f = list(f)
    if not js:
        f.append("Cardiac size is [***].")
        return f, "finding word left as dictation blank [***]"
    j = rng.choice(js)
    m = list(re.finditer(rx, f[j], re.I))[-1]
    f[j] = f[j][: m.start()] + "[***]" + f[j][m.end() :]
    return f, f"word '{m.group(0)}' left as dictation blank [***]: '{f[j]}'"


def neg_opts(rng: random.Random, low: str) -> list[str]:
    opts = []
    if re.search(r"lungs are clear|no focal (airspace|consolidation)", low):
        opts.append(f"{rng.choice(['Right', 'Left'])} lower zone consolidation - likely infective.")
    if re.search(
        r"heart size (is )?normal|normal heart size|heart is normal in size|"
        r"cardiomediastinal silhouette (is )?(within normal|normal)",
        low,
    ):
        opts.append("Cardiomegaly.")
    if re.search(r"no (pleural )?effusion|no pneumothorax or (pleural )?effusion|no .{0,30}pleural effusion", low):
        opts.append(f"Moderate {rng.choice(['right', 'left'])} pleural effusion.")
    return opts


def iu_case(rng: random.Random, d: dict, kind: str | None):
    f, i = sents(d["findings"]), sents(d["impression"])
    ind = d.get("indication", "")
    kw = {"indication": ind, "comparison": d.get("comparison", ""), "iu": True}
    F, Im = [reword(x) for x in f], [reword(x) for x in i]
    if kind is None:
        return render(rng, F, Im, **kw), ""
    if kind == "missing_section":
        v = rng.randrange(3)
        if v == 0:
            return render(rng, F, Im, empty_imp_header=True, **kw), "IMPRESSION emptied (header kept)"
        if v == 1:
            return render(rng, F, None, **kw), "IMPRESSION section removed"
        return render(rng, F, Im, empty_find_header=True, **kw), "FINDINGS emptied (header kept)"
    if kind == "laterality_conflict":
        return None  # handled by iu_lat
    if kind == "negation_conflict":
        opts = neg_opts(rng, d["findings"].lower())
        new = rng.choice(opts)
        return render(rng, F, [new], **kw), f"impression replaced by '{new}', which FINDINGS rule out"
    if kind == "impression_omits_finding":
        g = d["_g"]
        rest = [x for x in Im if not groups_in(x) & {g} and not re.search(SIG[g], x.lower())]
        rest = (
            [
                x
                for x in rest
                if not re.search(
                    r"no (acute|significant)|normal|clear|follow|resol|treat|recommend|"
                    r"consider|clinical|correlat|compar",
                    x.lower(),
                )
                and len(x.split()) > 2
                and not re.match(r"(this|these|it|associated|which)\b", x.lower())
                and "suggest" not in x.lower()
            ]
            if d["_list"]
            else []
        )
        imp = rest if rest else [rng.choice(OMIT_IMPS)]
        return render(rng, F, imp, **kw), f"FINDINGS affirm {g}; impression now '{' '.join(imp)}'"
    # placeholder
    v = rng.randrange(3)
    if v == 0:
        F = F + ["CTR: ___."]
        dd = "'CTR: ___' left in findings"
    elif v == 1:
        F, dd = star_blank(rng, F)
    else:
        F = F + [rng.choice(["Cardiac size: normal / enlarged.", "CP angles: clear / blunted."])]
        dd = "template alternatives left unselected in findings"
    return render(rng, F, Im, **kw), dd


def iu_lat(rng: random.Random, d: dict):
    fi, im = d["_lat"]
    f, i = [reword(x) for x in sents(d["findings"])], [reword(x) for x in sents(d["impression"])]
    which = rng.random() < 0.6
    arr, j = (i, im) if which else (f, fi)
    orig = arr[j]
    arr[j] = re.sub(
        r"\b(right|left)\b",
        lambda m: (cap if m.group(1)[0].isupper() else str)(SIDES[m.group(1).lower()]),
        orig,
        flags=re.I,
    )
    txt = render(rng, f, i, indication=d.get("indication", ""), comparison=d.get("comparison", ""), iu=True)
    return txt, f"side flipped in {'IMPRESSION' if which else 'FINDINGS'}: '{arr[j]}'"


def classify_iu(reports: list[dict], banned: set[str]):
    pools = {k: [] for k in ["clean", "missing", "lat", "neg", "omit", "ph"]}
    for d in reports:
        if d["uid"] in banned:
            continue
        fx, ix = d.get("findings", ""), d.get("impression", "")
        if not fx or not ix or len(fx) > 600:
            continue
        fl, il = fx.lower(), ix.lower()
        gf = {g for g in SIG if affirmed(fx, g)}
        gi = {g for g in SIG if affirmed(ix, g)}
        normal_f = not gf and not re.search(r"\b(right|left)\b", fl + il)
        normal_i = re.fullmatch(
            r"(no acute (cardiopulmonary )?(disease|abnormality|abnormalities|process)|"
            r"normal chest( x-?ray)?|no active disease|negative chest( x-?ray)?)\.?",
            il.strip(),
        )
        if normal_f and normal_i and "xxxx" not in fl:
            pools["clean"].append(d)
            if neg_opts(random.Random(0), fl):
                pools["neg"].append(d)
            pools["ph"].append(d)
        elif normal_f and not gi:
            pools["missing"].append(d)
        strict = {
            "effusion": r"pleural effusion|effusions?\b",
            "pneumothorax": r"pneumothorax",
            "consolidation": r"consolidation|airspace disease|pneumonia|infiltrate",
            "oedema": r"\bedema\b",
        }
        messy = re.search(r"nodul|mass|\bnew\b|increas|worse|cancer|malignan|lesion", fl + il)
        hedge = (
            r"may\b|either|suspicious|possib|question|improv|residual|minimal|vague|could|cannot|small|trace|"
            r"tiny|subtle|resol|probabl|atelectasis or|or atelectasis|atelectasis/|/atelectasis"
        )
        hit = [
            g
            for g in strict
            if any(
                re.search(strict[g], x.lower()) and not re.search(hedge + "|xxxx", x.lower()) for x in affirmed(fx, g)
            )
        ]
        # abnormal clean: one strict group, named in the impression, single consistent side
        if len(hit) == 1 and not messy and hit[0] in gi and gf <= gi:
            sides_f = set(re.findall(r"\b(right|left)\b", fl))
            sides_i = set(re.findall(r"\b(right|left)\b", il))
            if sides_i <= sides_f and len(sides_f) <= 1:
                pools["clean"].append(d)
        # omission: one significant, not small, named in the impression; nothing messy around it
        if len(hit) == 1 and not messy and hit[0] in gi and not small_only(fx, hit[0]) and len(ix) < 200:
            pools["omit"].append(dict(d, _g=hit[0], _list=len(sents(ix)) > 1))
        # laterality: a sided finding sentence in both sections, same group, same single side
        fs, is_ = sents(fx), sents(ix)
        for a, s1 in enumerate(is_):
            side1 = set(re.findall(r"\b(right|left)\b", s1.lower()))
            g1 = groups_in(s1) - {"mass"} if "nodul" not in s1.lower() else groups_in(s1)
            if len(side1) != 1 or not g1 or re.search(r"\bno\b|bilateral|both", s1.lower()):
                continue
            for b, s2 in enumerate(fs):
                side2 = set(re.findall(r"\b(right|left)\b", s2.lower()))
                if side2 == side1 and groups_in(s2) & g1 and not re.search(r"\bno\b|bilateral|both", s2.lower()):
                    allsides = set(re.findall(r"\b(right|left)\b", fl + il))
                    if len(allsides) == 1:
                        pools["lat"].append(dict(d, _lat=(b, a)))
                    break
            else:
                continue
            break
    return pools


# ----------------------------------------------------------------------------------------- build


def verify(kind: str | None, report: str, detail: str) -> None:
    low = report.lower()
    if kind != "placeholder":
        assert not re.search(
            r"\[\*\*\*\]|\[right/left\]|ctr: ___|normal / enlarged|clear / blunted|__ side|__ rib", low
        )
    if kind is None or kind in ("laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"):
        m = re.search(r"^(findings|observations):\s*(.*?)\n\s*\n", report, re.I | re.S | re.M)
        assert m and m.group(2).strip(), report
        mi = re.search(r"^(impression|opinion):[ \t]*(.*?)(\n\s*\n|\Z)", report, re.I | re.S | re.M)
        assert mi and mi.group(2).strip(), report
    if kind == "missing_section":
        mi = re.search(r"^(impression|opinion):[ \t]*(.*?)(\n\s*\n|\Z)", report, re.I | re.S | re.M)
        mf = re.search(r"^(findings|observations):[ \t]*(.*?)(\n\s*\n|\Z)", report, re.I | re.S | re.M)
        assert (not mi or not mi.group(2).strip()) or (not mf or not mf.group(2).strip()), report
    if kind == "impression_omits_finding":
        g = re.search(r"\((\w+)\)|affirm (\w+);", detail)
        grp = g.group(1) or g.group(2)
        grp = FIND[grp][5] if grp in FIND else grp
        mi = re.search(r"^(impression|opinion):[ \t]*(.*?)(\n\s*\n|\Z)", report, re.I | re.S | re.M)
        assert not re.search(SIG[grp], mi.group(2).lower()), (grp, mi.group(2))
    if kind == "placeholder":
        assert re.search(r"\[\*\*\*\]|\[right/left\]|ctr: ___|normal / enlarged|clear / blunted|__ side|__ rib", low)
    if kind == "laterality_conflict":
        mi = re.search(r"^(impression|opinion):[ \t]*(.*?)(\n\s*\n|\Z)", report, re.I | re.S | re.M)
        mf = re.search(r"^(findings|observations):\s*(.*?)\n\s*\n", report, re.I | re.S | re.M)
        si = set(re.findall(r"\b(right|left)\b", mi.group(2).lower()))
        sf = set(re.findall(r"\b(right|left)\b", mf.group(2).lower()))
        assert si and sf and si != sf, report


def build(seed: int, shared: Path) -> list[dict]:
    rng = random.Random(seed)
    pools = classify_iu(load_iu(shared), dev_uids(shared))
    for p in pools.values():
        rng.shuffle(p)
    used: set[str] = set()

    def take(pool: str, n: int) -> list[dict]:
        out = []
        for d in pools[pool]:
            if d["uid"] not in used:
                used.add(d["uid"])
                out.append(d)
                if len(out) == n:
                    return out
        raise RuntimeError(f"IU pool {pool} too small")

    cases = []
    plan = [(None, N_CLEAN, "clean")] + [
        (k, N_KIND, p) for k, p in zip(KINDS, ["missing", "lat", "neg", "omit", "ph"], strict=True)
    ]
    for kind, n, pool in plan:
        for _ in range(n // 2):
            rep, det = composed(rng, kind)
            verify(kind, rep, det)
            cases.append(
                {"injected": kind, "detail": det or "unmodified composed report", "report": rep, "src": "composed"}
            )
        if pool == "missing":
            src = take("missing", n // 4) + take("clean", n // 2 - n // 4)
        else:
            src = take(pool, n // 2)
        for d in src:
            rep, det = iu_lat(rng, d) if kind == "laterality_conflict" else iu_case(rng, d, kind)
            verify(kind, rep, det if kind != "impression_omits_finding" else f"affirm {d['_g']};")
            cases.append(
                {
                    "injected": kind,
                    "detail": det or f"unmodified IU report {d['uid']} re-laid-out",
                    "report": rep,
                    "src": d["uid"],
                }
            )
    rng.shuffle(cases)
    out = []
    for n, c in enumerate(cases):
        h = hashlib.sha256(f"61|{seed}|{n}|{c['report']}".encode()).hexdigest()[:16]
        out.append(
            {
                "id": f"h61-{h}",
                "injected": c["injected"],
                "detail": c["detail"],
                "report": c["report"],
                "_src": c["src"],
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=61)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    cases = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps({k: c[k] for k in ("id", "injected", "detail", "report")}) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == kind][: a.show]:
                print(f"===== {kind} | {c['_src']} | {c['detail']}\n{c['report']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
