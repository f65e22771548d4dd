"""Held-out report-error set 57: the everyday chest list of West and East African teaching hospitals.

Written BLIND: without reading the checker (medrag_core), its tests, docs or any other bench generator.
Only the scorer's format, the shared eval README, the IU (Open-i) archive and the dev set's `uid` field
(to exclude those reports) were used.

Styles (several readers of teaching hospitals in Nigeria, Kenya, Ghana and Uganda, reporting in
British-influenced English): a consultant's line-per-sentence report with numbered impression, a
paragraph report, a dashed-list report closing with CONCLUSION, an EXAMINATION/HISTORY/ADVICE layout,
and a registrar's short ward/portable report. Ordinary case mix: many normal films, cardiomegaly
(with cardiothoracic ratios) and congestive failure, pulmonary tuberculosis, HIV-related infection,
pneumonia, pleural effusions, some masses, collapse and pneumothorax. Errors are ordinary slips: a side
flipped in dictation, an unfilled template field, a normal impression macro pasted over a real finding,
a section left empty or not typed.

usage: python -m bench.make_heldout57 OUT.jsonl --seed S [--show N]
"""

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
OTHER = {"right": "left", "left": "right"}

READERS = [
    ("Dr A. O. Adeyemi", "Consultant Radiologist"),
    ("Dr C. N. Okafor", "Consultant Radiologist"),
    ("Dr F. B. Ibrahim", "Senior Registrar"),
    ("Dr J. K. Mwangi", "Consultant Radiologist"),
    ("Dr W. Otieno", "Registrar, Radiology"),
    ("Dr E. A. Mensah", "Radiologist"),
    ("Dr K. Owusu-Ansah", "Senior Resident"),
    ("Dr R. Nakato", "Radiologist"),
    ("Dr P. Ssempijja", "Senior House Officer, Radiology"),
    ("Dr H. Bello", "Consultant Radiologist"),
]
INDICATIONS = [
    "Cough of 3 weeks duration, ?PTB",
    "Chronic cough, weight loss and night sweats. ?PTB",
    "RVI on HAART, fever and cough",
    "RVD patient, dyspnoea and fever. ?PCP ?PTB",
    "Known hypertensive, breathlessness and leg swelling. ?CCF",
    "Difficulty in breathing, orthopnoea",
    "Fever, cough and pleuritic chest pain. ?Pneumonia",
    "Pre-employment medical",
    "Routine medical examination",
    "Pre-operative assessment",
    "Visa medical",
    "Chest pain",
    "Sickle cell disease, chest pain and fever. ?ACS",
    "RTA, left chest wall pain",
    "Haemoptysis",
    "Follow-up of PTB on treatment (2 months)",
    "Hypertension, for baseline assessment",
    "Diabetic with productive cough",
    "Shortness of breath, ?pleural effusion",
    "Sudden onset chest pain and breathlessness",
    "Chronic kidney disease on dialysis, dyspnoea",
    "Weight loss, chest pain. ?Bronchial carcinoma",
    "Peripartum cardiomyopathy ?",
    "Admission chest film",
    "Persistent fever despite antibiotics",
]


def shared_dir():
    d = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(d) if d else Path(__file__).resolve().parents[1].parent / "shared"


# ---------------------------------------------------------------- IU archive


def load_iu(shared):
    dev = set()
    with open(shared / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tar.extractfile(m).read())
            uid = root.find("uId").get("id")
            sec = {}
            for a in root.iter("AbstractText"):
                sec[a.get("Label")] = " ".join((a.text or "").split())
            if uid in dev or not sec.get("FINDINGS") or not sec.get("IMPRESSION"):
                continue
            out.append(
                {
                    "uid": uid,
                    "indication": sec.get("INDICATION", ""),
                    "findings": sec["FINDINGS"],
                    "impression": sec["IMPRESSION"],
                }
            )
    return out, dev


NEG = re.compile(r"\b(no|not|without|negative|clear|free|resolved|resolution|removed|nor|normal|unremarkable)\b", re.I)
HEDGE = re.compile(
    r"\b(may|might|possible|possibly|questionable|cannot|can't|versus|vs|likely|probabl\w*|"
    r"stable|unchanged|chronic|old|healed|prior|previous|again|small|trace|tiny|minimal|"
    r"mild|minor|subtle|borderline|blunting|slight|slightly|subpleural|fissure|minimally)\b|\?",
    re.I,
)
SIG = {  # finding: (terms that affirm it in findings, words that would name it in an impression)
    "pneumothorax": (r"pneumothora", r"pneumothora|lung edge|air"),
    "pleural effusion": (r"effusion", r"effusion|fluid|pleural|costophrenic|empyema|hydrothorax"),
    "pulmonary oedema": (
        r"\bo?edema\b|congestion",
        r"o?edema|congest|failure|\bCHF\b|\bCCF\b|fluid|vascular|overload|interstitial",
    ),
    "consolidation": (
        r"consolidation|airspace disease|airspace opacit|infiltrate|pneumonia",
        r"consolidat|airspace|air space|infiltrat|pneumon|opacit|infect|atelecta|haz",
    ),
    "mass": (r"\bmass\b", r"mass|lesion|opacit|neoplas|malign|tumou?r|nodul|cancer|carcinoma"),
}


def sentences(text):
    return [s.strip() for s in re.split(r"(?<=[.!])\s+(?=[A-Z0-9])", text) if s.strip()]


def affirmed(text, term):
    return [s for s in sentences(text) if re.search(term, s, re.I) and not NEG.search(s) and not HEDGE.search(s)]


def iu_sig(findings):
    return [k for k, (t, _) in SIG.items() if affirmed(findings, t)]


def names(text, key):
    return re.search(SIG[key][1], text, re.I) is not None


def sides(text):
    return {w.lower() for w in re.findall(r"\b(left|right)\b", text, re.I)}


def iu_is_clean(r):
    f, i = r["findings"], r["impression"]
    if re.search(r"\[|\*\*\*|__|<", f + i):
        return False
    if any(not names(i, k) for k in iu_sig(f)):
        return False
    si, sf = sides(i), sides(f)
    if si and sf and not (si & sf):
        return False
    if re.search(r"\b(normal|no acute|negative)\b", i, re.I) and affirmed(f, r"enlarged|cardiomegaly"):
        return False
    if re.search(r"\b(foot|knee|ankle|hand|wrist|hip|pelvis|abdomen|lumbar)\b", f + i, re.I):
        return False
    return len(f) < 900


SUBS = [
    (r"\bedema\b", "oedema"),
    (r"\bEdema\b", "Oedema"),
    (r"\btumor", "tumour"),
    (r"\bhemithorax", "hemithorax"),
    (r"\bx-XXXX\b", "X-ray"),
    (r"\bx-ray\b", "X-ray"),
    (r"\bThe lungs are clear\b", "Both lung fields are clear"),
    (r"\bThe heart is normal in size\b", "The heart size is normal"),
    (r"\bcolor\b", "colour"),
    (r"\bLungs are clear\b", "The lung fields are clear"),
    (r"\bopacification\b", "opacification"),
    (r"\bfissure\b", "fissure"),
    (r"\bhemidiaphragm", "hemidiaphragm"),
    (r"\banemia\b", "anaemia"),
]


def reword(text):
    for a, b in SUBS:
        text = re.sub(a, b, text)
    text = re.sub(r"\s*\.(\s*\.)+", ".", text)
    return text.strip()


# ---------------------------------------------------------------- phrase bank (composed reports)


def ctr(rng, lo, hi):
    return f"{rng.uniform(lo, hi):.2f}"


def zone(rng):
    return rng.choice(["upper", "mid", "lower", "lower", "lower"])


def F(key, side, sig, fnd, imp, region, syn=""):
    return {"key": key, "side": side, "sig": sig, "fnd": fnd, "imp": imp, "region": region, "syn": syn}


def find_cardiomegaly(rng, side=None):
    c = ctr(rng, 0.56, 0.69)
    fnd = rng.choice(
        [
            f"The heart is enlarged (CTR = {c}).",
            f"There is cardiomegaly with a cardiothoracic ratio of {c}.",
            f"The cardiac shadow is enlarged and globular in outline, CTR {c}.",
            f"Cardiac size is increased; cardiothoracic ratio measures {c}.",
            f"Cardiomegaly is noted (CTR: {c}) with left ventricular configuration.",
        ]
    )
    imp = rng.choice(
        [
            "Cardiomegaly.",
            "Cardiomegaly ? hypertensive heart disease.",
            "Cardiomegaly. Suggest echocardiography.",
            "Cardiomegaly - ?cardiomyopathy; kindly correlate with echocardiography.",
        ]
    )
    return F("cardiomegaly", None, False, fnd, imp, {"heart"}, r"cardiomegal|heart|cardiac|HHD|cardiomyopath")


def find_congestion(rng, side=None):
    fnd = rng.choice(
        [
            "There is upper lobe blood diversion with prominent hilar vessels and Kerley B lines at both bases.",
            "Bilateral perihilar haziness with upper lobe venous diversion is seen, in keeping with pulmonary "
            "venous congestion.",
            "The pulmonary vascular markings are prominent with upper lobe diversion and septal lines.",
            "Bilateral fluffy perihilar opacities in a bat-wing distribution are noted.",
        ]
    )
    imp = rng.choice(
        [
            "Pulmonary venous congestion.",
            "Features of congestive cardiac failure.",
            "Pulmonary oedema.",
            "Features in keeping with CCF.",
        ]
    )
    return F("pulmonary oedema", None, True, fnd, imp, {"lungs"}, SIG["pulmonary oedema"][1] + r"|diversion|kerley")


def find_pneumonia(rng, side):
    z = zone(rng)
    fnd = rng.choice(
        [
            f"There is an ill-defined inhomogeneous opacity in the {side} {z} zone with air bronchograms.",
            f"Patchy airspace opacities are seen in the {side} {z} zone.",
            f"A homogeneous opacity with air bronchograms is noted in the {side} {z} zone, consistent with "
            "consolidation.",
            f"Consolidation is seen in the {side} {z} zone.",
        ]
    )
    lobe = {"upper": "upper lobe", "lower": "lower lobe", "mid": "mid zone"}[z]
    imp = rng.choice(
        [
            f"{side.capitalize()} {lobe} pneumonia.",
            f"{side.capitalize()} {z} zone consolidation ? pneumonia.",
            f"Features in keeping with {side} {lobe} pneumonia.",
            f"Lobar pneumonia, {side} {lobe}.",
        ]
    )
    return F("consolidation", side, True, fnd, imp, {"lungs"}, SIG["consolidation"][1] + r"|bronchopneum|lobar")


def find_tb(rng, side):
    n = rng.choice(["2.5", "3.0", "3.4", "4.1", "2.8"])
    fnd = rng.choice(
        [
            f"There is patchy consolidation in the {side} upper zone with a thick-walled cavity measuring "
            f"about {n} cm.",
            f"Patchy consolidation with cavitation and fibronodular opacities is seen in the {side} upper zone.",
            f"Inhomogeneous consolidation with areas of breakdown (cavitation) is noted in the {side} upper "
            "and mid zones.",
        ]
    )
    imp = rng.choice(
        [
            f"Features suggestive of pulmonary tuberculosis ({side} upper zone cavitary disease).",
            f"Cavitating {side} upper zone consolidation - PTB likely. Suggest sputum GeneXpert.",
            f"{side.capitalize()} upper zone cavitary lesion, in keeping with active PTB.",
        ]
    )
    return F(
        "consolidation",
        side,
        True,
        fnd,
        imp,
        {"lungs"},
        SIG["consolidation"][1] + r"|tubercul|PTB|\bTB\b|cavit|fibro|koch|lesion",
    )


def find_effusion(rng, side, size=None):
    size = size or rng.choice(["small", "moderate", "moderate", "large"])
    if size == "small":
        fnd = rng.choice(
            [
                f"The {side} costophrenic angle is blunted, in keeping with a small pleural effusion.",
                f"There is blunting of the {side} costophrenic angle (small effusion).",
            ]
        )
        imp = f"Small {side} pleural effusion."
    else:
        fnd = rng.choice(
            [
                f"There is a homogeneous opacity in the {side} lower zone obliterating the {side} costophrenic "
                f"angle and hemidiaphragm with a meniscus sign, in keeping with a {size} pleural effusion.",
                f"A {size} {side} pleural effusion is seen, extending to the {side} mid zone.",
                f"{side.capitalize()} {size} pleural effusion with obliteration of the {side} costophrenic angle.",
            ]
        )
        if size == "large":
            fnd += f" The mediastinum is shifted to the {OTHER[side]}."
        imp = rng.choice(
            [
                f"{size.capitalize()} {side} pleural effusion.",
                f"{side.capitalize()} pleural effusion ({size}).",
                f"{size.capitalize()} {side} pleural effusion ? tuberculous. Suggest diagnostic tap.",
            ]
        )
    return F(
        "pleural effusion" if size != "small" else "small effusion",
        side,
        size != "small",
        fnd,
        imp,
        {"pleura"} | ({"mediastinum"} if size == "large" else set()),
        SIG["pleural effusion"][1] + r"|meniscus",
    )


def find_pneumothorax(rng, side):
    fnd = rng.choice(
        [
            f"There is a {side} pneumothorax with a visible pleural line and absent lung markings peripherally.",
            f"A {side} sided pneumothorax is seen with partial collapse of the {side} lung.",
            f"Hyperlucency of the {side} hemithorax with a visible lung edge, in keeping with pneumothorax.",
        ]
    )
    imp = rng.choice(
        [
            f"{side.capitalize()} pneumothorax.",
            f"{side.capitalize()} pneumothorax - urgent clinical review advised.",
            f"{side.capitalize()} sided pneumothorax.",
        ]
    )
    return F("pneumothorax", side, True, fnd, imp, {"lungs"}, SIG["pneumothorax"][1] + r"|collapse|hyperlucen")


def find_mass(rng, side):
    z = rng.choice(["upper", "mid", "mid", "lower"])
    a, b = rng.choice([("4.2", "3.8"), ("5.0", "4.5"), ("3.1", "2.7"), ("6.4", "5.9"), ("2.9", "2.6")])
    fnd = rng.choice(
        [
            f"A well-defined rounded soft tissue opacity measuring {a} x {b} cm is seen in the {side} {z} zone.",
            f"There is a lobulated mass in the {side} {z} zone measuring about {a} x {b} cm.",
            f"A round opacity ({a} cm x {b} cm) with irregular margins is noted in the {side} {z} zone.",
        ]
    )
    imp = rng.choice(
        [
            f"{side.capitalize()} {z} zone mass. Suggest CT chest.",
            f"{side.capitalize()} {z} zone mass lesion ? bronchogenic carcinoma. CT chest advised.",
        ]
    )
    return F("mass", side, True, fnd, imp, {"lungs"}, SIG["mass"][1] + r"|SOL|space occupying")


def find_collapse(rng, side):
    fnd = rng.choice(
        [
            f"There is a triangular homogeneous opacity in the {side} upper zone with elevation of the {side} "
            f"hilum and tracheal deviation to the {side}, in keeping with {side} upper lobe collapse.",
            f"Volume loss of the {side} hemithorax with a homogeneous {side} upper zone opacity and "
            "elevated horizontal fissure.",
        ]
    )
    imp = rng.choice(
        [
            f"{side.capitalize()} upper lobe collapse.",
            f"{side.capitalize()} upper lobe collapse - suggest bronchoscopy.",
        ]
    )
    return F("collapse", side, True, fnd, imp, {"lungs", "mediastinum", "hila"}, r"collaps|volume loss|atelecta|opacit")


def find_hilar(rng, side):
    fnd = rng.choice(
        [
            f"The {side} hilum is bulky, suggestive of hilar lymphadenopathy.",
            f"There is {side} hilar fullness likely due to enlarged lymph nodes.",
        ]
    )
    imp = rng.choice([f"{side.capitalize()} hilar lymphadenopathy.", f"{side.capitalize()} hilar adenopathy ? TB."])
    return F("hilar", side, False, fnd, imp, {"hila"}, r"hil|lymph|adenopath|node")


def find_oldtb(rng, side):
    fnd = rng.choice(
        [
            f"Fibrotic strands and a few calcified foci are seen in the {side} upper zone.",
            f"There are fibrocalcific changes in the {side} apical region with mild volume loss.",
        ]
    )
    imp = rng.choice(
        [
            f"Old (healed) {side} upper zone tuberculosis.",
            f"Fibrocalcific {side} apical changes - likely healed PTB. No active disease.",
        ]
    )
    return F("oldtb", side, False, fnd, imp, {"lungs"}, r"fibro|calcif|healed|old|TB|tuberc")


def find_miliary(rng, side=None):
    fnd = rng.choice(
        [
            "Diffuse tiny nodular (miliary) opacities are seen in both lung fields.",
            "There are innumerable fine micronodular opacities distributed uniformly throughout both lungs.",
        ]
    )
    imp = rng.choice(["Miliary pattern - ? miliary tuberculosis.", "Miliary mottling, in keeping with miliary TB."])
    return F("miliary", None, False, fnd, imp, {"lungs"}, r"miliar|nodul|TB|tuberc")


def find_pcp(rng, side=None):
    fnd = rng.choice(
        [
            "There are bilateral perihilar ground-glass (hazy) opacities sparing the apices.",
            "Bilateral diffuse interstitial reticular shadowing is seen, more prominent in the perihilar regions.",
        ]
    )
    imp = rng.choice(
        [
            "Bilateral perihilar interstitial opacities - ? PCP in the setting of RVI.",
            "Diffuse interstitial pattern; PCP is a consideration given the clinical history.",
        ]
    )
    return F("pcp", None, False, fnd, imp, {"lungs"}, r"interstit|ground|PCP|pneumocyst|haz|opacit")


def find_aorta(rng, side=None):
    fnd = rng.choice(["The aorta is unfolded.", "The aortic knuckle is prominent and calcified."])
    return F("aorta", None, False, fnd, "Unfolded aorta.", {"aorta"}, r"aort")


def find_spine(rng, side=None):
    fnd = rng.choice(
        [
            "There are degenerative changes in the thoracic spine.",
            "Mild dorsal scoliosis is noted, convex to the right.",
        ]
    )
    return F("spine", None, False, fnd, "Degenerative thoracic spine.", {"bones"}, r"spin|scolio|degenerat")


def normal_lines(rng, drop, lung_side=None, pleura_side=None):
    out = []
    if rng.random() < 0.35:
        out.append(
            rng.choice(
                [
                    "Adequate inspiratory effort.",
                    "The film is well centred and adequately penetrated.",
                    "Satisfactory inspiration and penetration.",
                ]
            )
        )
    if "mediastinum" not in drop:
        out.append(
            rng.choice(
                [
                    "The trachea is central.",
                    "The trachea is central and the mediastinum is not widened.",
                    "Trachea and mediastinum are central.",
                ]
            )
        )
    if "hila" not in drop and rng.random() < 0.5:
        out.append(rng.choice(["Both hila are normal in size and position.", "The hilar shadows are normal."]))
    if "heart" not in drop:
        c = ctr(rng, 0.40, 0.49)
        out.append(
            rng.choice(
                [
                    f"The heart is normal in size (CTR {c}).",
                    "Cardiac size is within normal limits.",
                    f"The cardiac shadow is not enlarged (CTR = {c}).",
                    "The heart size and shape are normal.",
                ]
            )
        )
    if "lungs" not in drop:
        out.append(
            rng.choice(
                [
                    "Both lung fields are clear.",
                    "The lung fields are clear with normal vascular markings.",
                    "No focal lung lesion is seen.",
                    "Both lungs are clear.",
                    "The lungs are well expanded and clear.",
                ]
            )
        )
    elif lung_side:
        out.append(
            rng.choice(
                [
                    f"The {OTHER[lung_side]} lung is clear.",
                    f"The {OTHER[lung_side]} lung field is clear.",
                    "The rest of the lung fields are clear.",
                ]
            )
        )
    if "pleura" not in drop:
        out.append(
            rng.choice(
                [
                    "Both costophrenic angles are sharp.",
                    "The costophrenic angles are clear.",
                    "Both hemidiaphragms and costophrenic angles are normal.",
                    "Both domes of the diaphragm are well outlined and the costophrenic angles are clear.",
                ]
            )
        )
    elif pleura_side:
        out.append(f"The {OTHER[pleura_side]} costophrenic angle is clear.")
    if "bones" not in drop and rng.random() < 0.7:
        out.append(
            rng.choice(
                [
                    "The bony thorax is intact.",
                    "The visualised bones and soft tissues are normal.",
                    "No bony abnormality is seen.",
                    "The bony thoracic cage and soft tissues are unremarkable.",
                ]
            )
        )
    return out


NORMAL_IMP = [
    "Normal chest radiograph.",
    "Normal chest X-ray.",
    "No significant abnormality detected.",
    "No active lung disease.",
    "Normal study.",
    "No radiological evidence of active chest disease.",
    "Essentially normal chest radiograph.",
]
SIDED = [find_pneumonia, find_tb, find_effusion, find_pneumothorax, find_mass, find_collapse, find_hilar, find_oldtb]
SIG_MAKERS = [
    find_pneumonia,
    find_pneumonia,
    find_tb,
    find_tb,
    find_effusion,
    find_congestion,
    find_congestion,
    find_pneumothorax,
    find_mass,
    find_collapse,
]


def pick_findings(rng):
    """An everyday case mix: a list of finding dicts (empty = normal film)."""
    r = rng.random()
    side = rng.choice(["right", "left"])
    if r < 0.42:
        return []
    if r < 0.55:
        return [find_cardiomegaly(rng)] + ([find_aorta(rng)] if rng.random() < 0.4 else [])
    if r < 0.63:
        out = [find_cardiomegaly(rng), find_congestion(rng)]
        if rng.random() < 0.5:
            out.append(find_effusion(rng, side, "small"))
        return out
    if r < 0.73:
        out = [find_tb(rng, side)]
        if rng.random() < 0.4:
            out.append(find_hilar(rng, side))
        return out
    if r < 0.82:
        return [find_pneumonia(rng, side)]
    if r < 0.87:
        return [find_effusion(rng, side)]
    if r < 0.91:
        return [rng.choice([find_miliary, find_pcp])(rng)]
    if r < 0.95:
        return [rng.choice([find_oldtb, find_hilar])(rng, side)] + ([find_spine(rng)] if rng.random() < 0.3 else [])
    return [rng.choice([find_mass, find_pneumothorax, find_collapse])(rng, side)]


ORDER = {
    "cardiomegaly": 3,
    "aorta": 3.5,
    "hilar": 2,
    "pulmonary oedema": 4,
    "consolidation": 4,
    "mass": 4,
    "collapse": 4,
    "oldtb": 4,
    "miliary": 4,
    "pcp": 4,
    "pneumothorax": 4.5,
    "pleural effusion": 5,
    "small effusion": 5,
    "spine": 6,
}


def order(s):
    for k, pat in enumerate(
        [
            r"^(Adequate|The film|Satisfactory)",
            r"trachea|Trachea",
            r"hil",
            r"heart|cardiac|Cardiac",
            r"lung",
            r"costophrenic|diaphragm",
            r"bon",
        ]
    ):
        if re.search(pat, s):
            return k
    return 4


def compose(rng, flist):
    """Return (findings sentences, impression sentences) for a list of findings, internally consistent."""
    drop, lung_side, pleura_side = set(), None, None
    for f in flist:
        drop |= f["region"]
        if "lungs" in f["region"]:
            lung_side = f["side"] if (lung_side in (None, f["side"])) and f["side"] and lung_side != "both" else "both"
        if "pleura" in f["region"] and f["side"]:
            pleura_side = f["side"]
    if lung_side == "both":
        lung_side = None
    fnd = normal_lines(rng, drop, lung_side, pleura_side)
    # place finding sentences after the matching normal lines, radiologist order: heart, lungs, pleura
    lead = flist and rng.random() < 0.2  # some readers open with the main abnormality
    items = [(order(s), k, s) for k, s in enumerate(fnd)]
    items += [(0.5 if lead else ORDER[f["key"]], k - 50, f["fnd"]) for k, f in enumerate(flist)]
    fnd = [s for _, _, s in sorted(items)]
    imp = [
        f["imp"]
        for f in flist
        if f["sig"] or f["key"] in ("cardiomegaly", "miliary", "pcp", "hilar", "oldtb") or rng.random() < 0.3
    ]
    if not imp:
        imp = [rng.choice(NORMAL_IMP)]
    return fnd, imp


# ---------------------------------------------------------------- layouts (readers)


def render(rng, style, ind, fnd, imp, missing=None, iu=False):
    """missing: None | 'imp_empty' | 'imp_absent' | 'fnd_empty' | 'fnd_absent'."""
    name, title = rng.choice(READERS)
    rec = (
        r"(\s*Suggest [^.]*\.|\s*CT chest advised\.|;? kindly correlate with echocardiography\.?"
        r"| - urgent clinical review advised\.?)$"
    )
    imp = [
        re.sub(rec, "", s).rstrip(" .") + "." if k < len(imp) - 1 and re.search(rec, s) else s
        for k, s in enumerate(imp)
    ]
    lo, hi = (20, 45) if re.search(r"employment|Visa", ind) else (18, 82)
    age = f"{rng.randint(lo, hi)}{'F' if 'Peripartum' in ind else rng.choice(['M', 'F'])}"
    adv = ""
    if imp and re.search(r"Suggest|advised|correlate|echocardiography", imp[-1]) is None and rng.random() < 0.3:
        adv = rng.choice(
            [
                "Kindly correlate clinically.",
                "Please correlate with clinical findings.",
                "Clinical correlation is advised.",
            ]
            + (["Suggest sputum for AFB/GeneXpert if clinically indicated."] if re.search(r"PTB|cough", ind) else [])
        )
    L = []
    if style == 0:
        L += ["RADIOLOGY DEPARTMENT", "EXAMINATION: CHEST X-RAY (PA VIEW)", f"CLINICAL INFORMATION: {ind}", ""]
        if missing != "fnd_absent":
            L += ["FINDINGS:"] + ([] if missing == "fnd_empty" else fnd) + [""]
        if missing != "imp_absent":
            L += ["IMPRESSION:"]
            if missing != "imp_empty":
                L += [f"{i + 1}. {s}" for i, s in enumerate(imp)] if len(imp) > 1 else imp
            L += [""]
        if adv and missing not in ("imp_absent", "imp_empty"):
            L += [adv, ""]
        L += [name, title]
    elif style == 1:
        L += [
            rng.choice(["CHEST X-RAY PA", "CHEST RADIOGRAPH - PA VIEW", "X-RAY CHEST (PA ERECT)"]),
            f"Clinical details: {ind}" if iu else f"Clinical details: {age}. {ind}",
            "",
        ]
        if missing != "fnd_absent":
            L += ["Findings:", "" if missing == "fnd_empty" else " ".join(fnd), ""]
        if missing != "imp_absent":
            L += ["Impression:", "" if missing == "imp_empty" else " ".join(imp + ([adv] if adv else [])), ""]
        L += [f"Reported by: {name} ({title})"]
    elif style == 2:
        L += ["CHEST RADIOGRAPH (PA ERECT)", f"Clinical history: {ind}", "Comparison: None available.", ""]
        if missing != "fnd_absent":
            L += ["FINDINGS"] + ([] if missing == "fnd_empty" else [f"- {s}" for s in fnd]) + [""]
        if missing != "imp_absent":
            L += ["CONCLUSION" if rng.random() < 0.5 else "IMPRESSION"]
            if missing != "imp_empty":
                L += imp + ([adv] if adv else [])
            L += [""]
        L += [f"{name}, {title}"]
    elif style == 3:
        L += ["EXAMINATION: Chest X-ray, PA", f"HISTORY: {ind}", ""]
        if missing != "fnd_absent":
            L += ["FINDINGS: " + ("" if missing == "fnd_empty" else " ".join(fnd)), ""]
        if missing != "imp_absent":
            L += ["IMPRESSION: " + ("" if missing == "imp_empty" else " ".join(imp)), ""]
        if adv and missing not in ("imp_absent", "imp_empty"):
            L += [f"ADVICE: {adv}", ""]
        L += [f"Signed: {name}"]
    else:
        L += [
            rng.choice(["CXR AP (ward portable)", "CXR AP sitting - ward", "Chest X-ray, AP supine (mobile)"]),
            f"Indication: {ind}",
            "",
        ]
        f2 = [s for s in fnd if not s.startswith(("Adequate", "The film", "Satisfactory"))]
        f2 = [re.sub(r"\s*\(CTR:?=? ?=? ?0\.\d\d\)|,? CTR:? ?=? ?0\.\d\d", "", s) for s in f2]  # no CTR on AP film
        if missing != "fnd_absent":
            L += ["Findings: " + ("" if missing == "fnd_empty" else " ".join(f2))]
        if missing != "imp_absent":
            L += ["Impression: " + ("" if missing == "imp_empty" else " ".join(imp))]
        L += [
            "",
            f"{name} ({title})",
            f"Verified by: {rng.choice([r for r in READERS if r[0] != name])[0]}" if rng.random() < 0.5 else "",
        ]
    return "\n".join(L).strip() + "\n"


# ---------------------------------------------------------------- composed cases


def flip_side(text, side=None):
    """Swap every right/left (as a dictating slip would carry through a whole sentence)."""
    swap = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT"}
    return re.sub(r"\b(right|left|Right|Left|RIGHT|LEFT)\b", lambda m: swap[m.group(1)], text)


def composed(rng, kind):
    """Return (findings, impression, missing, detail) for one composed case."""
    if kind is None:
        fl = pick_findings(rng)
        fnd, imp = compose(rng, fl)
        return fnd, imp, None, ""
    if kind == "missing_section":
        fnd, imp = compose(rng, pick_findings(rng))
        how = rng.choice(["imp_empty", "imp_empty", "imp_absent", "imp_absent", "fnd_empty", "fnd_absent"])
        if how == "fnd_absent":
            imp = [rng.choice(["No acute disease.", "No active disease."])]
        return (
            fnd,
            imp,
            how,
            {
                "imp_empty": "IMPRESSION header left with nothing under it",
                "imp_absent": "IMPRESSION section not typed (absent)",
                "fnd_empty": "FINDINGS header left empty",
                "fnd_absent": "FINDINGS section absent; impression is a bare 'no acute disease'",
            }[how],
        )
    if kind == "laterality_conflict":
        side = rng.choice(["right", "left"])
        mk = rng.choice(
            [
                find_pneumonia,
                find_pneumonia,
                find_tb,
                find_effusion,
                find_effusion,
                find_hilar,
                find_pneumothorax,
                find_mass,
                find_collapse,
                find_oldtb,
            ]
        )
        f = mk(rng, side)
        extra = [find_cardiomegaly(rng)] if rng.random() < 0.3 else []
        fnd, imp = compose(rng, extra + [f])
        imp = [f["imp"]] + [i for i in imp if i != f["imp"]]
        j = 0
        if rng.random() < 0.6:
            imp[j] = flip_side(imp[j], side)
            return fnd, imp, None, f"{f['key']}: {side} in FINDINGS, flipped to {OTHER[side]} in IMPRESSION"
        # flipped while dictating the findings: the whole finding sentence carries the other side
        k = fnd.index(f["fnd"])
        fnd[k] = flip_side(f["fnd"], side)
        fnd = [
            flip_side(s) if re.search(r"lung is clear|lung field is clear|costophrenic angle is clear", s) else s
            for s in fnd
        ]
        return fnd, imp, None, f"{f['key']}: {OTHER[side]} in FINDINGS but {side} in IMPRESSION"
    if kind == "negation_conflict":
        side = rng.choice(["right", "left"])
        v = rng.choice(
            [
                "imp_pneumonia",
                "imp_cardiomegaly",
                "imp_effusion",
                "imp_normal_heart",
                "imp_no_effusion",
                "imp_clear_lungs",
                "imp_pneumonia",
            ]
        )
        if v == "imp_pneumonia":  # findings: clear lungs; impression: pneumonia
            fl = [find_cardiomegaly(rng)] if rng.random() < 0.4 else []
            fnd, imp = compose(rng, fl)
            fnd = [s for s in fnd if "lung" not in s.lower()]
            fnd.insert(
                min(2, len(fnd)),
                rng.choice(
                    [
                        "Both lung fields are clear.",
                        "The lung fields are clear.",
                        "No lung parenchymal opacity is seen.",
                    ]
                ),
            )
            p = find_pneumonia(rng, side)
            imp = [p["imp"]] + [i for i in imp if i not in NORMAL_IMP]
            return fnd, imp, None, "FINDINGS: lungs clear; IMPRESSION affirms pneumonia"
        if v == "imp_cardiomegaly":
            fnd, imp = compose(rng, [])
            fnd = [s for s in fnd if not re.search(r"heart|cardiac", s, re.I)]
            fnd.insert(1, f"The heart is normal in size (CTR {ctr(rng, 0.41, 0.48)}).")
            imp = [
                rng.choice(["Cardiomegaly.", "Cardiomegaly ? hypertensive heart disease."]),
                rng.choice(["Lung fields are clear.", "No active lung disease."]),
            ]
            return fnd, imp, None, "FINDINGS: heart normal size; IMPRESSION: cardiomegaly"
        if v == "imp_effusion":
            fl = [rng.choice([find_cardiomegaly, find_aorta])(rng)] if rng.random() < 0.5 else []
            fnd, imp = compose(rng, fl)
            fnd = [s for s in fnd if "costophrenic" not in s]
            at = next((k for k, s in enumerate(fnd) if re.search(r"bon", s)), len(fnd))
            fnd.insert(
                at,
                rng.choice(
                    [
                        "Both costophrenic angles are sharp and clear.",
                        "No pleural effusion is seen.",
                        "The costophrenic angles are clear; no pleural effusion.",
                    ]
                ),
            )
            imp = [i for i in imp if i not in NORMAL_IMP] + [
                rng.choice([f"{side.capitalize()} pleural effusion.", f"Moderate {side} pleural effusion."])
            ]
            return fnd, imp, None, "FINDINGS: no effusion / clear angles; IMPRESSION affirms pleural effusion"
        if v == "imp_normal_heart":
            s2 = rng.choice([find_pneumonia, find_tb, find_oldtb])(rng, side)
            c = find_cardiomegaly(rng)
            fnd, imp = compose(rng, [c, s2])
            imp = [s2["imp"], rng.choice(["Normal heart size.", "The heart is not enlarged."])]
            return fnd, imp, None, "FINDINGS: cardiomegaly; IMPRESSION: normal heart size"
        if v == "imp_no_effusion":
            e = find_effusion(rng, side, rng.choice(["moderate", "large", "small"]))
            fl = [e] + ([find_cardiomegaly(rng)] if rng.random() < 0.5 else [])
            fnd, imp = compose(rng, fl)
            imp = [i for i in imp if i != e["imp"]] + [rng.choice(["No pleural effusion.", "No effusion."])]
            return fnd, imp, None, f"FINDINGS: {side} pleural effusion; IMPRESSION: no pleural effusion"
        p = rng.choice([find_pneumonia, find_tb])(rng, side)
        c = find_cardiomegaly(rng)
        fnd, imp = compose(rng, [c, p])
        imp = [c["imp"], rng.choice(["Lung fields are clear.", "Clear lungs.", "No lung parenchymal lesion."])]
        return fnd, imp, None, f"FINDINGS: {side} consolidation; IMPRESSION: lungs clear"
    if kind == "impression_omits_finding":
        side = rng.choice(["right", "left"])
        f = rng.choice(SIG_MAKERS)(rng, side)
        normal = rng.random() < 0.5
        others = (
            []
            if normal
            else [
                rng.choice([find_cardiomegaly, find_aorta, find_hilar, find_oldtb, find_spine])(
                    rng, OTHER[side] if f["key"] != "pulmonary oedema" else side
                )
            ]
        )
        if f["key"] == "pulmonary oedema" and not normal:
            others = [find_cardiomegaly(rng)]
        others = [o for o in others if not re.search(f["syn"], o["imp"], re.I)] or [find_spine(rng)]
        fnd, imp = compose(rng, ([] if normal else others) + [f])
        if normal:
            imp = [rng.choice(NORMAL_IMP)]
        else:
            imp = [o["imp"] for o in others]
        return (
            fnd,
            imp,
            None,
            f"FINDINGS affirm {f['key']} ({f['fnd']}); IMPRESSION omits it"
            + (" (normal macro)" if normal else " (lists other findings)"),
            f["syn"],
        )
    # placeholder
    side = rng.choice(["right", "left"])
    v = rng.choice(["ctr", "side", "measure", "grade", "zone", "word"])
    if v == "ctr":
        fnd, imp = compose(rng, [])
        fnd = [s for s in fnd if not re.search(r"heart|cardiac", s, re.I)]
        tok = rng.choice(["___", "[***]", "XX"])
        fnd.insert(1, rng.choice([f"The heart is normal in size (CTR {tok}).", f"Cardiothoracic ratio: {tok}."]))
        return fnd, imp, None, f"CTR value left as {tok}", tok
    if v in ("side", "zone"):
        f = rng.choice([find_pneumonia, find_tb, find_effusion, find_hilar])(rng, side)
        fnd, imp = compose(rng, [f])
        k = fnd.index(f["fnd"])
        tok = rng.choice(["[LEFT/RIGHT]", "[right/left]", "***"]) if v == "side" else "***"
        if v == "side":
            fnd[k] = re.sub(rf"\b{side}\b", tok, f["fnd"], count=1)
        else:
            fnd[k] = re.sub(r"\b(upper|mid|lower) zone", f"{tok} zone", f["fnd"], count=1)
            if fnd[k] == f["fnd"]:
                fnd[k] = re.sub(rf"\b{side}\b", tok, f["fnd"], count=1)
        return fnd, imp, None, f"{f['key']}: side/zone word left as {tok} in FINDINGS", tok
    if v == "measure":
        f = rng.choice([find_mass, find_tb])(rng, side)
        fnd, imp = compose(rng, [f])
        k = fnd.index(f["fnd"])
        tok = rng.choice(["XX", "___", "[***]"])
        if f["key"] == "mass":
            fnd[k] = re.sub(r"\d\.\d( cm)? x \d\.\d", f"{tok} x {tok}", f["fnd"], count=1)
        else:
            fnd[k] = re.sub(r"\d\.\d cm", f"{tok} cm", f["fnd"], count=1)
            if fnd[k] == f["fnd"]:
                fnd[k] = (
                    f["fnd"]
                    .replace("is seen", f"measuring {tok} cm is seen", 1)
                    .replace("is noted", f"measuring {tok} cm is noted", 1)
                )
        return fnd, imp, None, f"measurement left as {tok}", tok
    if v == "grade":
        size = rng.choice(["moderate", "large"])
        f = find_effusion(rng, side, size)
        fnd, imp = compose(rng, [f])
        tok = rng.choice(["[small/moderate/large]", "[***]", "<grade>"])
        imp = [re.sub(rf"\b{size}\b", tok, re.sub(rf"\b{size.capitalize()}\b", tok, f["imp"]))] + imp[1:]
        if tok not in imp[0]:
            imp[0] = f"{tok} " + imp[0][0].lower() + imp[0][1:]
        return fnd, imp, None, f"effusion grade left as {tok} in IMPRESSION", tok
    f = rng.choice([find_pneumonia, find_congestion])(rng, side)
    fnd, imp = compose(rng, [f])
    tok = rng.choice(["[***]", "<insert finding>", "***"])
    k = fnd.index(f["fnd"])
    fnd.insert(
        k + 1, rng.choice([f"There is also {tok} in the {OTHER[side]} lower zone.", f"Additionally, {tok} noted."])
    )
    return fnd, imp, None, f"dictation blank {tok} left in FINDINGS", tok


# ---------------------------------------------------------------- IU cases


def iu_case(rng, r, kind):
    """Return (findings text, impression text, missing, detail, check) or None when r does not fit kind."""
    f, i = reword(r["findings"]), reword(r["impression"])
    if kind is None:
        return f, i, None, "", None
    if kind == "missing_section":
        how = rng.choice(["imp_empty", "imp_absent", "imp_empty", "fnd_empty"])
        return f, i, how, f"IU report: {how.replace('_', ' ')}", None
    if kind == "laterality_conflict":
        sf, si = sides(f), sides(i)
        if len(sf) != 1 or sf != si:
            return None
        side = next(iter(sf))
        where = rng.choice(["imp", "fnd"])
        text = i if where == "imp" else f
        ss = sentences(text)
        cand = [k for k, s in enumerate(ss) if re.search(rf"\b{side}\b", s, re.I)]
        other = [s for s in sentences(f if where == "imp" else i) if re.search(rf"\b{side}\b", s, re.I)]
        if len(cand) != 1 or len(other) != 1 or NEG.search(ss[cand[0]]):
            return None
        groups = [
            r"opacit|airspace|infiltrat|consolidat|pneumon|atelecta|scar",
            r"effusion|pleural",
            r"pneumothora",
            r"nodul|granulom|calcif",
            r"fractur|\brib",
            r"mass",
            r"hil",
            r"diaphragm",
            r"catheter|tube|line|port|pacemaker|device|clip",
        ]
        if not any(re.search(g, ss[cand[0]], re.I) and re.search(g, other[0], re.I) for g in groups):
            return None
        k = cand[0]
        old = ss[k]
        ss[k] = flip_side(old, side)
        new = " ".join(ss)
        if where == "imp":
            return f, new, None, f"IMPRESSION sentence flipped {side}->{OTHER[side]}: {ss[k]}", None
        return new, i, None, f"FINDINGS sentence flipped {side}->{OTHER[side]}: {ss[k]}", None
    if kind == "negation_conflict":
        if iu_sig(f) or not re.search(r"\b(no|normal|negative)\b", i, re.I) or len(sentences(i)) > 2:
            return None
        side = rng.choice(["right", "left"])
        opts = []
        if re.search(r"\bno\b[^.]*pneumothora", f, re.I):
            opts.append((f"Small {side} apical pneumothorax.", "pneumothorax"))
        if re.search(r"\bno\b[^.]*effusion", f, re.I):
            opts.append((f"{side.capitalize()} pleural effusion.", "pleural effusion"))
        if re.search(r"\bno\b[^.]*(consolidation|airspace)|lungs are clear|lung fields are clear", f, re.I):
            opts.append((f"{side.capitalize()} lower lobe pneumonia.", "pneumonia"))
        if re.search(
            r"heart size is normal|heart (is )?normal in size|normal heart size|cardiac silhouette[^.]*normal", f, re.I
        ):
            opts.append(("Cardiomegaly.", "cardiomegaly"))
        if not opts:
            return None
        new, what = rng.choice(opts)
        return f, new, None, f"IU: FINDINGS negate {what}; IMPRESSION replaced with '{new}'", None
    if kind == "impression_omits_finding":
        keys = [k for k in iu_sig(f) if names(i, k)]
        if not keys:
            return None
        key = keys[0]
        keep = [s for s in sentences(i) if not re.search(SIG[key][1], s, re.I) and not NEG.search(s)]
        keep = [re.sub(r"^\d+\.\s*", "", s) for s in keep if len(s) > 12]
        if keep and rng.random() < 0.5:
            new, how = " ".join(keep), "other findings kept"
        else:
            new, how = rng.choice(NORMAL_IMP), "normal macro"
        if any(names(new, k) for k in iu_sig(f)) and how == "other findings kept":
            return None
        return f, new, None, f"IU: FINDINGS affirm {key}; IMPRESSION ({how}) omits it", SIG[key][1]
    # placeholder
    opts = []
    for text, where in ((f, "f"), (i, "i")):
        for m in re.finditer(r"\b(left|right)\b", text, re.I):
            opts.append((where, m.start(), m.end(), rng.choice(["[LEFT/RIGHT]", "[***]"])))
        for m in re.finditer(r"\b\d+(\.\d+)?\s?(cm|mm)\b", text):
            opts.append((where, m.start(), m.end(), rng.choice(["XX mm", "___ cm", "[***] mm"])))
        for m in re.finditer(r"\b(mild|moderate|small|large)\b", text, re.I):
            opts.append((where, m.start(), m.end(), rng.choice(["[mild/moderate/severe]", "***"])))
    if not opts:
        m = re.search(r"\b(normal)\b", f)
        if not m:
            return None
        tok = "[***]" if f[m.end() :].startswith(" limits") else rng.choice(["[normal/enlarged]", "[***]"])
        opts.append(("f", m.start(), m.end(), tok))
    where, a, b, tok = rng.choice(opts)
    if where == "f":
        old, f = f[a:b], f[:a] + tok + f[b:]
    else:
        old, i = i[a:b], i[:a] + tok + i[b:]
    return f, i, None, f"IU: '{old}' replaced by {tok} in {'FINDINGS' if where == 'f' else 'IMPRESSION'}", tok


def iu_render(rng, style, r, f, i, missing):
    ind = r["indication"] or rng.choice(INDICATIONS)
    fnd = sentences(f)
    imp = [s for s in re.split(r"\s*(?=\b\d\.\s)", i) if s.strip()] if re.match(r"\s*1\.", i) else [i]
    imp = [re.sub(r"^\d\.\s*", "", s).strip() for s in imp]
    return render(rng, style, ind, fnd, imp, missing, iu=True)


# ---------------------------------------------------------------- checks


def section(report, which):
    """Text under a section header ('' if header present but empty, None if absent)."""
    hdr = r"(FINDINGS|Findings)" if which == "f" else r"(IMPRESSION|Impression|CONCLUSION)"
    stop = r"^\s*$|^(FINDINGS|Findings|IMPRESSION|Impression|CONCLUSION|ADVICE)\b|\Z"
    m = re.search(rf"^{hdr}:?[ \t]*(.*?)(?={stop})", report, re.M | re.S)
    if not m:
        return None
    return m.group(2).strip()


def verify(kind, rec, report, extra):
    f, i = section(report, "f"), section(report, "i")
    assert "XXXX" not in report or rec == "iu", report
    if kind is None:
        assert f and i, report
        assert not re.search(r"\[\*\*\*\]|\[LEFT|<insert|<grade>", report), report
        return
    if kind == "missing_section":
        assert not f or not i, report
        return
    assert f and i, report
    if kind == "laterality_conflict":
        assert sides(f) and sides(i) and sides(f) != sides(i), report
    elif kind == "impression_omits_finding":
        assert not re.search(extra, i, re.I), (extra, report)
    elif kind == "placeholder":
        assert extra in report, report
    elif kind == "negation_conflict":
        assert re.search(r"\b(no|normal|clear|not)\b", f + " " + i, re.I), report


# ---------------------------------------------------------------- build


def build(seed):
    shared = shared_dir()
    iu, dev = load_iu(shared)
    rng = random.Random(seed)
    pool = [r for r in iu if iu_is_clean(r)]
    rng.shuffle(pool)
    used = set()
    cases = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        half = n // 2
        for _ in range(n - half):  # composed
            style = rng.randrange(5)
            out = composed(rng, kind)
            fnd, imp, missing, detail = out[:4]
            extra = out[4] if len(out) > 4 else None
            ind = rng.choice(INDICATIONS)
            report = render(rng, style, ind, fnd, imp, missing)
            verify(kind, "composed", report, extra)
            cases.append({"injected": kind, "detail": detail or "unmodified (composed)", "report": report})
        got = 0
        for r in pool:
            if got == half:
                break
            if r["uid"] in used:
                continue
            res = iu_case(rng, r, kind)
            if res is None:
                continue
            f, i, missing, detail, extra = res
            report = iu_render(rng, rng.randrange(5), r, f, i, missing)
            try:
                verify(kind, "iu", report, extra)
            except AssertionError:
                continue
            used.add(r["uid"])
            got += 1
            cases.append({"injected": kind, "detail": (detail or "unmodified") + f" [IU {r['uid']}]", "report": report})
        if got < half:
            raise SystemExit(f"only {got} IU reports fit {kind}")
    assert not used & dev
    rng.shuffle(cases)
    out = []
    for n, c in enumerate(cases):
        h = hashlib.sha1(f"57|{seed}|{n}|{c['report']}".encode()).hexdigest()[:16]
        out.append({"id": f"h57-{h}", **c})
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=5801)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if (
        not (shared / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()
        or not (shared / "eval" / "report_errors_dev.jsonl").exists()
    ):
        print(f"shared data not found under {shared}: set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        sys.exit(2)
    cases = build(a.seed)
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == kind][: a.show]:
                print(f"==== {kind} | {c['detail']}\n{c['report']}")
    print(f"wrote {len(cases)} cases to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
