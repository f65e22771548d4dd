"""Held-out report-error set 174, written blind.

Setting: long-term ventilation and neuromuscular disease services (UK and US): tracheostomy and home
ventilation, scoliosis and rotated films, diaphragm weakness, recurrent aspiration and basal atelectasis,
gastrostomy, spinal rods.

usage: python -m bench.make_heldout174 OUT.jsonl --seed S [--show N]

400 rows: 200 clean, 40 of each of the five kinds; half of every group composed from a phrase bank,
half real IU reports (never a dev-set uid, each used at most once) re-laid out in the setting's style.
"""

import argparse
import functools
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40


def shared_dir():
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


# ----------------------------------------------------------------------------------------------------------
# IU archive
# ----------------------------------------------------------------------------------------------------------

NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|clear|normal|unremarkable|within normal limits)\b", re.I)
BENIGN = re.compile(
    r"\b(degenerative|spondylosis|osteophyte|granuloma|granulomas|calcified|tortuous|atherosclerotic|"
    r"calcification|intact|unchanged|stable|consists of|frontal and lateral|pa and lateral)\b",
    re.I,
)
SIG = re.compile(
    r"\b(effusions?|pneumothora(x|ces)|consolidations?|infiltrates?|pneumonia|edema|oedema|airspace|"
    r"opacity|opacities|atelectasis|nodules?|mass|cardiomegaly|enlarged|congestion|widened|collapse|"
    r"fracture|hyperinflat\w*|emphysema|scarring|density|densities|elevat\w*|blunting|interstitial)\b",
    re.I,
)
HEDGE = re.compile(r"\b(but|however|although|except|large|small|mild|minimal|trace|may|possibl\w*|versus|vs)\b", re.I)
NORMAL_IMP = re.compile(
    r"^\s*(\d\.\s*)?(no acute|normal chest|no active|negative|no evidence of (acute|active)|"
    r"no radiographic evidence of acute|no acute cardiopulmonary|normal exam|no acute disease|"
    r"no acute pulmonary|clear lungs|no cardiopulmonary)",
    re.I,
)
SIDE = re.compile(r"\b(right|left)\b", re.I)


def split_sentences(text):
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text.strip())
    return [p.strip() for p in parts if p.strip()]


@functools.lru_cache(maxsize=4)
def _load_iu(path):
    out = []
    with tarfile.open(path) as tar:
        for m in tar.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tar.extractfile(m).read())
            uid = root.find("uId").get("id")
            d = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            out.append(
                {
                    "uid": uid,
                    "indication": d.get("INDICATION", ""),
                    "comparison": d.get("COMPARISON", ""),
                    "findings": d.get("FINDINGS", ""),
                    "impression": d.get("IMPRESSION", ""),
                }
            )
    out.sort(key=lambda r: int(r["uid"][3:]))
    return tuple(out)


@functools.lru_cache(maxsize=4)
def _dev_uids(path):
    uids = []
    with open(path) as fh:
        for line in fh:
            uids.append(json.loads(line)["uid"])
    return frozenset(uids)


def load_iu():
    sd = shared_dir()
    reports = _load_iu(str(sd / "data" / "iu_reports" / "NLMCXR_reports.tgz"))
    dev = _dev_uids(str(sd / "eval" / "report_errors_dev.jsonl"))
    return [r for r in reports if r["uid"] not in dev and r["findings"] and r["impression"]]


def is_normal_sentence(s):
    if HEDGE.search(s):
        return False
    if SIG.search(s):
        return bool(re.search(r"\b(no|without|negative|free of)\b", s, re.I)) and not SIDE.search(s)
    return bool(NEG_CUE.search(s) or BENIGN.search(s))


def is_normal_report(r):
    fs = split_sentences(r["findings"])
    ims = split_sentences(r["impression"])
    if len(fs) < 2 or len(r["findings"]) > 600:
        return False
    if not all(is_normal_sentence(s) for s in fs):
        return False
    if SIDE.search(r["findings"]) or SIDE.search(r["impression"]):
        return False
    return all(NORMAL_IMP.search(s) for s in ims) and len(r["impression"]) < 120


LAT_KEYS = {
    "effusion": ["effusion", "pleural fluid", "blunting"],
    "atelectasis": ["atelectasis", "collapse", "volume loss", "scarring", "atelectatic"],
    "airspace": ["airspace", "consolidation", "infiltrate", "pneumonia", "opacity", "opacities", "opacification"],
    "nodule": ["nodule", "nodular", "granuloma", "mass"],
    "diaphragm": ["hemidiaphragm", "diaphragm", "eventration"],
    "pneumothorax": ["pneumothorax"],
}


def _lat_key(s):
    low = s.lower()
    for k in sorted(LAT_KEYS):
        if any(w in low for w in LAT_KEYS[k]):
            return k
    return None


def laterality_candidate(r):
    """A report whose findings and impression place one finding on the same single side."""
    text = r["findings"] + " " + r["impression"]
    sides = {m.lower() for m in SIDE.findall(text)}
    if len(sides) != 1 or re.search(r"\b(bilateral|both|bibasilar|bibasal|biapical)\b", text, re.I):
        return None
    fs = [s for s in split_sentences(r["findings"]) if len(SIDE.findall(s)) == 1 and _lat_key(s)]
    ims = [s for s in split_sentences(r["impression"]) if len(SIDE.findall(s)) == 1 and _lat_key(s)]
    for f in fs:
        for i in ims:
            if _lat_key(f) == _lat_key(i) and not re.search(r"\b(no|without|resolved)\b", f + " " + i, re.I):
                return f, i
    return None


OMIT_SIG = re.compile(
    r"\b(pneumothorax|consolidation|infiltrates?|pneumonia|edema|pulmonary vascular congestion|"
    r"airspace disease|moderate (?:\w+ )?(?:pleural )?effusion|large (?:\w+ )?(?:pleural )?effusion|"
    r"effusions)\b",
    re.I,
)


def omission_candidate(r):
    for s in split_sentences(r["findings"]):
        if not OMIT_SIG.search(s):
            continue
        if re.search(
            r"\b(no|not|without|negative|resolved|resolving|improved|improving|decreased|clear(ed|ing)?|"
            r"small|trace|tiny|minimal|mild|possibl\w*|may|could|versus|vs|cannot|question|\?|"
            r"chronic|history|prior|old|scar\w*)\b",
            s,
            re.I,
        ):
            continue
        if len(s) > 200:
            continue
        return s
    return None


# ----------------------------------------------------------------------------------------------------------
# setting style: headers, sign-offs, wording
# ----------------------------------------------------------------------------------------------------------

UK_RADS = ["Dr S Okafor", "Dr R. Hughes", "Dr A Bhattacharya", "Dr C. Lloyd-Evans", "Dr M Whitfield", "Dr H. Osei"]
US_RADS = ["Jennifer Alvarez, MD", "Robert K. Chen, MD", "Anita Desai, MD", "Michael O'Brien, DO", "Laura Fitch, MD"]


def sign_off(rng, uk):
    if uk:
        name = rng.choice(UK_RADS)
        return rng.choice(
            [
                f"{name}, Consultant Radiologist",
                f"Reported by: {name} (Consultant Radiologist)",
                f"{name}\nConsultant Radiologist, XXXX NHS Foundation Trust",
                f"Verified: {name}, Consultant Paediatric Radiologist",
                f"Reported by {name}, ST5 Radiology Registrar / verified by {UK_RADS[UK_RADS.index(name) - 1]}",
            ]
        )
    name = rng.choice(US_RADS)
    return rng.choice(
        [
            f"Electronically signed by: {name} on XXXX",
            f"Dictated by: {name}\nSigned: XXXX",
            f"Interpreting radiologist: {name}",
            f"I have personally reviewed the images and agree with the report above.\n{name}",
        ]
    )


UK_INDICATIONS = [
    "Long-term ventilated via tracheostomy. Increased oxygen requirement, ?chest infection.",
    "DMD, home NIV overnight. Increased secretions and pyrexia.",
    "SMA type 2. Wet chest, coughing on feeds. ?aspiration.",
    "Annual LTV review. Background neuromuscular weakness.",
    "MND, PEG fed. Spiking temperatures.",
    "Trache change today, check position.",
    "Scoliosis with spinal rods. Reduced saturations on home ventilator.",
    "Congenital myopathy, tracheostomy ventilated. Increased work of breathing.",
    "Known diaphragmatic weakness. Breathless on lying flat.",
    "Recurrent aspiration. Gastrostomy fed. Increased FiO2.",
    "Cerebral palsy, GOR, recurrent chest infections.",
    "Pre-admission baseline film. LTV patient.",
]
US_INDICATIONS = [
    "Chronic respiratory failure on home ventilator via trach, fever.",
    "Duchenne muscular dystrophy, increased secretions.",
    "ALS, G-tube dependent, concern for aspiration.",
    "Trach exchange, confirm placement.",
    "Neuromuscular scoliosis s/p posterior spinal fusion, hypoxia.",
    "Vent-dependent patient, increased oxygen requirement.",
    "Diaphragm weakness, dyspnea when supine.",
    "Cough, fever. History of aspiration pneumonia.",
    "Routine surveillance, home mechanical ventilation.",
]
UK_COMPARISONS = [
    "Previous film XXXX.",
    "XXXX (last LTV review).",
    "None available.",
    "Multiple previous, most recent XXXX.",
]
US_COMPARISONS = ["XXXX.", "Chest radiograph XXXX.", "None.", "Prior exam from XXXX."]
UK_EXAMS = ["XR Chest (portable AP)", "Chest X-ray - AP sitting", "XR CHEST", "CXR (ward film)", "Chest radiograph PA"]
US_EXAMS = ["EXAM: XR CHEST 1 VIEW PORTABLE", "EXAMINATION: CHEST, SINGLE AP VIEW", "XR CHEST 2 VIEWS PA AND LATERAL"]


def choose_headers(rng, uk):
    if uk:
        f = rng.choice(["Findings:", "FINDINGS:", "Findings:", "Report:", "REPORT:"])
        i = rng.choice(["Conclusion:", "CONCLUSION:", "Impression:", "IMPRESSION:", "Opinion:", "Summary:"])
        h = rng.choice(["Clinical details:", "CLINICAL DETAILS:", "Clinical information:", "Clinical history:"])
        c = rng.choice(["Comparison:", "Compared with:", "Previous:"])
    else:
        f = rng.choice(["FINDINGS:", "FINDINGS:", "Findings:"])
        i = rng.choice(["IMPRESSION:", "IMPRESSION:", "Impression:", "CONCLUSION:"])
        h = rng.choice(["HISTORY:", "INDICATION:", "CLINICAL HISTORY:", "Reason for exam:"])
        c = rng.choice(["COMPARISON:", "Comparison:"])
    return h, c, f, i


def format_block(sentences, rng, style):
    if style == "bullets":
        return "\n".join(f"- {s}" for s in sentences)
    if style == "lines":
        return "\n".join(sentences)
    return " ".join(sentences)


def format_impression(sentences, rng, style):
    if len(sentences) > 1 and style in ("numbered", "bullets"):
        if style == "numbered":
            return "\n".join(f"{k}. {s}" for k, s in enumerate(sentences, 1))
        return "\n".join(f"- {s}" for s in sentences)
    return " ".join(sentences)


def assemble(rng, uk, indication, comparison, findings, impression, mode=None, inline=None):
    """Lay out a report. findings / impression: lists of sentences (or a ready string).

    mode: None, or one of 'f_empty', 'f_removed', 'i_empty', 'i_signature', 'i_removed'.
    """
    h, c, fh, ih = choose_headers(rng, uk)
    if inline is None:
        inline = rng.random() < 0.25
    fstyle = rng.choice(["prose", "prose", "lines", "bullets"])
    istyle = rng.choice(["prose", "numbered", "numbered", "bullets"])
    ftext = findings if isinstance(findings, str) else format_block(findings, rng, fstyle)
    itext = impression if isinstance(impression, str) else format_impression(impression, rng, istyle)
    exam = rng.choice(UK_EXAMS if uk else US_EXAMS)
    lines = [exam]
    if not uk and rng.random() < 0.5:
        lines.append("TECHNIQUE: Single portable AP view of the chest." if "1 VIEW" in exam or "AP" in exam
                     else "TECHNIQUE: PA and lateral views of the chest.")
    lines.append(f"{h} {indication}")
    lines.append(f"{c} {comparison}")
    sig = sign_off(rng, uk)

    def section(header, text):
        if inline and "\n" not in text and text:
            return [f"{header} {text}"]
        return [header, text] if text else [header]

    if mode == "f_removed":
        pass
    elif mode == "f_empty":
        lines += [fh, ""]
    else:
        lines += section(fh, ftext)
    if mode == "i_removed":
        lines.append(sig)
    elif mode == "i_empty":
        lines += [ih, "", sig]
    elif mode == "i_signature":
        lines += [ih, sig]
    else:
        lines += section(ih, itext)
        lines.append(sig)
    return "\n".join(lines)


def light_reword(text, uk):
    if uk:
        text = re.sub(r"\bedema\b", "oedema", text)
        text = re.sub(r"\bEdema\b", "Oedema", text)
        text = re.sub(r"\bhilar\b", "hilar", text)
        text = re.sub(r"\bx-XXXX\b", "radiograph", text)
        text = re.sub(r"\bopacity\b", "opacification", text)
    text = re.sub(r"\bThere (is|are) no\b", "No", text)
    text = re.sub(r"\bthere (is|are) no\b", "no", text)
    text = re.sub(r"\bcardiomediastinal\b", "cardiomediastinal", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\.(\s*\.)+", ".", text)
    return text


def iu_indication(r, rng, uk):
    ind = r["indication"].strip() or "XXXX"
    bg = rng.choice(UK_INDICATIONS if uk else US_INDICATIONS)
    # keep the archive's own indication, prefixed by the service's background line
    return f"{bg.split('.')[0]}. {ind}" if rng.random() < 0.5 else ind


def iu_comparison(r):
    comp = (r["comparison"] or "").strip()
    return comp if comp else "None."


NORMAL_IMPRESSIONS = [
    "No acute cardiopulmonary abnormality.",
    "No significant change since the previous film.",
    "Stable appearances. No new focal abnormality.",
    "No acute change.",
    "No active chest disease.",
    "Normal chest radiograph for this patient.",
]


def flip_side(sentence):
    def rep(m):
        w = m.group(0)
        new = "left" if w.lower() == "right" else "right"
        return new.capitalize() if w[0].isupper() else new

    return SIDE.sub(rep, sentence, count=1)


PLACEHOLDERS = ["[***]", "[ ]", "***", "[FINDING]", "<< >>", "[insert]", "<<finding>>", "___"]


# ----------------------------------------------------------------------------------------------------------
# phrase bank (composed cases)
# ----------------------------------------------------------------------------------------------------------


def S(side):
    return side.capitalize()


def item_bank(rng, uk):
    """Return a dict of item factories: key -> callable(side) -> item dict."""
    oed = "oedema" if uk else "edema"
    opac = "opacification" if uk else "opacity"

    def trach(_side):
        n = rng.choice([2, 3, 4, 5])
        f = rng.choice(
            [
                f"Tracheostomy tube in situ, tip projected {n} cm above the carina.",
                "Tracheostomy tube in satisfactory position, tip at the level of T2.",
                f"Trach tube tip approximately {n} cm above the carina.",
            ]
        )
        i = rng.choice(["Tracheostomy tube satisfactorily sited.", "Tracheostomy in good position."])
        return {"key": "trach", "f": f, "i": i, "sig": False}

    def peg(_side):
        f = rng.choice(
            [
                "Gastrostomy tube projected over the upper abdomen.",
                "PEG tube noted in the upper abdomen." if uk else "G-tube in the upper abdomen.",
                "Gastrostomy button projects over the stomach.",
            ]
        )
        return {"key": "peg", "f": f, "i": "Gastrostomy in situ.", "sig": False}

    def rods(_side):
        f = rng.choice(
            [
                "Posterior spinal fixation rods from the upper thoracic spine to the pelvis, appearances unchanged.",
                "Spinal instrumentation in situ, unchanged in position with no evidence of metalwork fracture.",
                "Bilateral spinal rods in situ with residual thoracolumbar curvature.",
            ]
        )
        return {"key": "rods", "f": f, "i": "Spinal fixation in situ, unchanged.", "sig": False}

    def scoliosis(side):
        f = rng.choice(
            [
                f"Marked thoracolumbar scoliosis convex to the {side}, which limits assessment of the lung bases.",
                f"Severe neuromuscular scoliosis convex to the {side} with crowding of the ribs.",
            ]
        )
        return {"key": "scoliosis", "f": f, "i": "Known scoliosis, unchanged.", "sig": False}

    def rotated(_side):
        f = rng.choice(
            [
                "Rotated film which limits assessment of the mediastinum.",
                "Patient rotated; the mediastinal contour is difficult to assess but is probably unchanged.",
                "AP sitting film, rotated, with the patient in the wheelchair.",
            ]
        )
        return {"key": "rotated", "f": f, "i": None, "sig": False}

    def hemidiaphragm(side):
        f = rng.choice(
            [
                f"The {side} hemidiaphragm is elevated, unchanged from the previous film.",
                f"Raised {side} hemidiaphragm, as before.",
                f"Persistent elevation of the {side} hemidiaphragm.",
            ]
        )
        i = rng.choice(
            [
                f"Chronically raised {side} hemidiaphragm, in keeping with known diaphragmatic weakness.",
                f"Stable elevation of the {side} hemidiaphragm.",
                f"{S(side)} hemidiaphragm remains high, unchanged.",
            ]
        )
        return {"key": "diaphragm", "f": f, "i": i, "sig": False, "side": side}

    def atelectasis(side):
        zone = rng.choice(["base", "lower zone"])
        f = rng.choice(
            [
                f"Linear atelectasis at the {side} {zone}.",
                f"Plate atelectasis in the {side} {zone}.",
                f"Band of subsegmental atelectasis at the {side} {zone}.",
            ]
        )
        i = rng.choice(
            [
                f"{S(side)} basal atelectasis.",
                f"Minor {side} basal collapse.",
                f"Subsegmental atelectasis at the {side} base.",
            ]
        )
        return {"key": "atelectasis", "f": f, "i": i, "sig": False, "side": side}

    def aspiration(side):
        new = rng.choice(["New", "Patchy", "Increasing"])
        zone = rng.choice(["lower zone", "base", "retrocardiac region" if side == "left" else "lower zone"])
        f = rng.choice(
            [
                f"{new} airspace {opac} in the {side} {zone}.",
                f"{new} consolidation at the {side} {zone}.",
                f"{new} patchy shadowing in the {side} {zone} with air bronchograms."
                if uk
                else f"{new} airspace disease in the {side} {zone}.",
            ]
        )
        i = rng.choice(
            [
                f"{S(side)} basal consolidation, in keeping with aspiration in this clinical context.",
                f"{S(side)} lower zone infection / aspiration.",
                f"{S(side)} lower lobe pneumonia, likely aspiration.",
                f"New {side} basal airspace disease, consistent with aspiration pneumonia.",
            ]
        )
        return {"key": "airspace", "f": f, "i": i, "sig": True, "side": side}

    def effusion(side):
        size = rng.choice(["Moderate", "Moderate-sized", "Large"])
        f = rng.choice(
            [
                f"{size} {side} pleural effusion.",
                f"{size} {side} pleural effusion with adjacent basal atelectasis.",
                f"There is a {size.lower()} {side} pleural effusion, increased since the previous film.",
            ]
        )
        i = rng.choice([f"{S(side)} pleural effusion.", f"{size} {side} effusion.", f"{S(side)} pleural fluid."])
        return {"key": "effusion", "f": f, "i": i, "sig": True, "side": side}

    def small_effusion(side):
        f = rng.choice([f"Small {side} pleural effusion.", f"Blunting of the {side} costophrenic angle."])
        i = rng.choice([f"Small {side} effusion.", f"Small {side} pleural effusion."])
        return {"key": "effusion", "f": f, "i": i, "sig": False, "side": side}

    def pneumothorax(side):
        f = rng.choice(
            [
                f"Small {side} apical pneumothorax with a rim of 1 cm.",
                f"{S(side)} pneumothorax, lung edge visible at the apex.",
                f"New shallow {side} pneumothorax.",
            ]
        )
        i = rng.choice([f"{S(side)} pneumothorax.", f"Small {side} apical pneumothorax."])
        return {"key": "pneumothorax", "f": f, "i": i, "sig": True, "side": side}

    def oedema(_side):
        f = rng.choice(
            [
                f"Upper lobe venous diversion with bilateral perihilar haze and septal lines, in keeping with {oed}.",
                f"Increased interstitial markings with Kerley B lines, consistent with interstitial {oed}.",
                "Bilateral perihilar airspace shadowing with upper lobe blood diversion.",
            ]
        )
        i = rng.choice([f"Pulmonary {oed}.", "Fluid overload.", f"Interstitial pulmonary {oed}."])
        return {"key": "oedema", "f": f, "i": i, "sig": True}

    def nodule(side):
        n = rng.choice([8, 9, 10, 12, 14])
        f = f"{n} mm nodule projected over the {side} mid zone."
        i = rng.choice([f"New {side} mid zone nodule; CT chest recommended.", f"{S(side)} lung nodule, CT advised."])
        return {"key": "nodule", "f": f, "i": i, "sig": True, "side": side}

    def cardiomegaly(_side):
        f = rng.choice(["Mild cardiomegaly, stable.", "Heart size at the upper limit of normal, unchanged."])
        return {"key": "heart", "f": f, "i": None, "sig": False}

    def picc(side):
        f = rng.choice(
            [
                f"{S(side)} sided PICC line with tip in the SVC.",
                f"{S(side)} arm PICC, tip at the cavoatrial junction.",
            ]
        )
        return {"key": "line", "f": f, "i": "Line appropriately sited.", "sig": False}

    return {
        "trach": trach,
        "peg": peg,
        "rods": rods,
        "scoliosis": scoliosis,
        "rotated": rotated,
        "hemidiaphragm": hemidiaphragm,
        "atelectasis": atelectasis,
        "aspiration": aspiration,
        "effusion": effusion,
        "small_effusion": small_effusion,
        "pneumothorax": pneumothorax,
        "oedema": oedema,
        "nodule": nodule,
        "cardiomegaly": cardiomegaly,
        "picc": picc,
    }


BACKGROUND = ["trach", "peg", "rods", "scoliosis", "rotated", "cardiomegaly", "picc"]
SIDED_MINOR = ["hemidiaphragm", "atelectasis", "small_effusion"]
SIGNIFICANT = ["aspiration", "effusion", "pneumothorax", "oedema", "nodule"]

NORMAL_FINDINGS = {
    "heart": ["Heart size is normal.", "Cardiomediastinal contours are within normal limits.", "Normal heart size."],
    "lungs": ["Lungs are clear.", "The lung fields are clear.", "No focal consolidation."],
    "effusion": ["No pleural effusion.", "Costophrenic angles are clear."],
    "pneumothorax": ["No pneumothorax."],
    "oedema": [],
}


def normal_lines(rng, keys, uk):
    """Normal statements that do not contradict the items present (keys)."""
    out = []
    if "heart" not in keys and rng.random() < 0.7:
        out.append(rng.choice(NORMAL_FINDINGS["heart"]))
    if not ({"airspace", "oedema", "nodule", "atelectasis"} & keys) and rng.random() < 0.8:
        out.append(rng.choice(NORMAL_FINDINGS["lungs"]))
    elif "airspace" not in keys and "oedema" not in keys and rng.random() < 0.5:
        out.append("No new consolidation elsewhere." if "atelectasis" in keys else "No consolidation.")
    if "effusion" not in keys and "pneumothorax" not in keys and rng.random() < 0.7:
        out.append(rng.choice(["No pleural effusion or pneumothorax.", "No effusion or pneumothorax."]))
    elif "pneumothorax" not in keys and rng.random() < 0.5:
        out.append("No pneumothorax.")
    elif "effusion" not in keys and rng.random() < 0.5:
        out.append("No pleural effusion.")
    return out


def compose_items(rng, uk, n_sig=None, need_sided=False):
    bank = item_bank(rng, uk)
    sides = ["right", "left"]
    names = rng.sample(BACKGROUND, rng.randint(1, 3))
    if n_sig is None:
        n_sig = rng.choice([0, 0, 1, 1, 1, 2])
    sig_names = rng.sample(SIGNIFICANT, n_sig)
    minor = rng.sample(SIDED_MINOR, rng.choice([0, 1, 1, 2]))
    if need_sided and not [n for n in sig_names + minor if n != "oedema"]:
        minor = [rng.choice(SIDED_MINOR)]
    items = []
    used_keys = set()
    for rank, name in enumerate(sig_names + minor + names):
        it = bank[name](rng.choice(sides))
        if it["key"] in used_keys:
            continue
        used_keys.add(it["key"])
        it["name"] = name
        it["rank"] = (0 if name in BACKGROUND else 1 if name in SIDED_MINOR else 2, rank)
        items.append(it)
    # lines, tubes and background first, then pathology, as these radiologists order it
    items.sort(key=lambda it: it["rank"])
    return items


def composed_report(rng, kind):
    uk = rng.random() < 0.6
    indication = rng.choice(UK_INDICATIONS if uk else US_INDICATIONS)
    comparison = rng.choice(UK_COMPARISONS if uk else US_COMPARISONS)
    detail = ""
    mode = None

    if kind == "impression_omits_finding":
        items = compose_items(rng, uk, n_sig=1)
    elif kind == "laterality_conflict":
        items = compose_items(rng, uk, need_sided=True)
    elif kind in ("missing_section",):
        items = compose_items(rng, uk, n_sig=rng.choice([0, 0, 1]))
    else:
        items = compose_items(rng, uk)
    keys = {it["key"] for it in items}
    findings = [it["f"] for it in items]
    findings += normal_lines(rng, keys, uk)
    # clean impression: every significant and sided finding, maybe devices
    imp = []
    for it in items:
        if it["i"] and (it["sig"] or it.get("side") or rng.random() < 0.4):
            imp.append(it["i"])
    if not any(it["sig"] for it in items) and (not imp or rng.random() < 0.5):
        imp.append(rng.choice(NORMAL_IMPRESSIONS[:5]) if not imp else "No acute change otherwise.")
    if any(it["sig"] for it in items) and rng.random() < 0.3:
        imp.append(rng.choice(["Suggest clinical correlation.", "Chest physiotherapy review suggested.",
                               "Follow-up film after treatment recommended."]))

    if kind is None:
        detail = "composed clean: " + ", ".join(it["name"] for it in items)
    elif kind == "missing_section":
        if any(it["sig"] for it in items) or rng.random() < 0.6:
            mode = rng.choice(["i_empty", "i_signature", "i_removed"])
            detail = f"composed: IMPRESSION emptied ({mode})"
        else:
            imp = [rng.choice(NORMAL_IMPRESSIONS[:5])]
            mode = rng.choice(["f_empty", "f_removed"])
            detail = f"composed: FINDINGS emptied ({mode}); impression is a bare normal statement"
    elif kind == "laterality_conflict":
        sided = [it for it in items if it.get("side") and it["i"] and it["i"] in imp]
        it = rng.choice(sided)
        if rng.random() < 0.5:
            findings[findings.index(it["f"])] = flip_side(it["f"])
            detail = f"composed: side flipped in FINDINGS sentence '{it['f']}' (impression keeps {it['side']})"
        else:
            imp[imp.index(it["i"])] = flip_side(it["i"])
            detail = f"composed: side flipped in IMPRESSION sentence '{it['i']}' (findings keep {it['side']})"
    elif kind == "negation_conflict":
        sig = [it for it in items if it["sig"] and it["key"] in ("airspace", "effusion", "pneumothorax", "oedema")]
        if sig and rng.random() < 0.5:
            it = sig[0]
            neg = {
                "airspace": ["No consolidation.", "Lungs clear.", "No evidence of aspiration or consolidation."],
                "effusion": ["No pleural effusion.", "No effusion."],
                "pneumothorax": ["No pneumothorax."],
                "oedema": ["No pulmonary oedema." if uk else "No pulmonary edema.", "No fluid overload."],
            }[it["key"]]
            new = rng.choice(neg)
            imp[imp.index(it["i"])] = new
            detail = f"composed: IMPRESSION negates affirmed finding ('{it['f']}' vs '{new}')"
        else:
            # impression asserts something the findings negate
            negs = [(i, s) for i, s in enumerate(findings) if s in sum(NORMAL_FINDINGS.values(), [])
                    or s.startswith("No ")]
            options = []
            for _, s in negs:
                low = s.lower()
                side = rng.choice(["right", "left"])
                if "effusion" in low or "costophrenic" in low:
                    options.append((s, f"{S(side)} pleural effusion."))
                if "pneumothorax" in low:
                    options.append((s, f"Small {side} apical pneumothorax."))
                if "clear" in low and "lung" in low or "consolidation" in low and "elsewhere" not in low:
                    options.append((s, f"{S(side)} basal consolidation, in keeping with aspiration."))
                if "heart" in low or "cardiomediastinal" in low:
                    options.append((s, "Cardiomegaly."))
            if not options:
                findings.append("Lungs are clear.")
                options.append(("Lungs are clear.", "Bibasal consolidation, likely aspiration."))
            s, new = rng.choice(options)
            # remove any impression sentence that already says the same side/key to keep one error
            imp = [x for x in imp if x not in NORMAL_IMPRESSIONS and not x.startswith("No acute change")]
            imp.insert(0, new)
            detail = f"composed: IMPRESSION asserts '{new}' but FINDINGS say '{s}'"
    elif kind == "impression_omits_finding":
        it = [x for x in items if x["sig"]][0]
        others = [x["i"] for x in items if x is not it and x["i"] and not x["sig"]]
        if rng.random() < 0.5 or not others:
            imp = [rng.choice(NORMAL_IMPRESSIONS[:5])]
            detail = f"composed: IMPRESSION replaced by a normal statement, omits '{it['f']}'"
        else:
            imp = others
            detail = f"composed: IMPRESSION lists other findings only, omits '{it['f']}'"
    elif kind == "placeholder":
        choices = []
        for k, s in enumerate(findings):
            m = re.search(r"\b(\d+) (cm|mm)\b", s)
            if m:
                choices.append(("f", k, m.group(1), rng.choice(["XX", "[***]", "<<size>>", "[ ]", "___"])))
            m = SIDE.search(s)
            if m:
                choices.append(("f", k, m.group(0), rng.choice(["<<side>>", "[side]", "[RIGHT/LEFT]", "[ ]"])))
            m = re.search(r"\b(normal|clear|satisfactory|unchanged)\b", s)
            if m:
                choices.append(("f", k, m.group(0), rng.choice(["[***]", "[ ]", "***", "[normal/abnormal]"])))
        for k, s in enumerate(imp):
            m = re.search(r"\b(consolidation|effusion|atelectasis|pneumothorax|hemidiaphragm|change)\b", s)
            if m:
                choices.append(("i", k, m.group(0), rng.choice(["[FINDING]", "[***]", "<< >>", "[insert]"])))
        sec, k, word, ph = rng.choice(choices)
        target = findings if sec == "f" else imp
        target[k] = re.sub(rf"\b{re.escape(word)}\b", ph, target[k], count=1)
        detail = f"composed: '{word}' replaced by placeholder '{ph}' in {'FINDINGS' if sec == 'f' else 'IMPRESSION'}"
    report = assemble(rng, uk, indication, comparison, findings, imp, mode=mode)
    return report, detail


# ----------------------------------------------------------------------------------------------------------
# IU-based cases
# ----------------------------------------------------------------------------------------------------------


def iu_report(rng, r, kind, extra=None):
    uk = rng.random() < 0.6
    fs = split_sentences(light_reword(r["findings"], uk))
    ims = split_sentences(light_reword(r["impression"], uk))
    ims = [re.sub(r"^\d\.\s*", "", s) for s in ims]
    ims = [s for s in ims if s]
    ind = iu_indication(r, rng, uk)
    comp = iu_comparison(r)
    tag = f"IU {r['uid']}"
    layout = "UK layout" if uk else "US layout"
    mode = None
    if kind is None:
        detail = f"{tag}: clean, re-laid out ({layout}), light rewording"
    elif kind == "missing_section":
        if rng.random() < 0.6:
            mode = rng.choice(["i_empty", "i_signature", "i_removed"])
            detail = f"{tag}: IMPRESSION emptied ({mode}), {layout}"
        else:
            mode = rng.choice(["f_empty", "f_removed"])
            ims = [rng.choice(NORMAL_IMPRESSIONS[:5])]
            detail = f"{tag}: FINDINGS emptied ({mode}), impression a bare normal statement, {layout}"
    elif kind == "laterality_conflict":
        f_s, i_s = extra
        f_s = light_reword(f_s, uk)
        i_s = light_reword(re.sub(r"^\d\.\s*", "", i_s), uk)
        if rng.random() < 0.5 and f_s in fs:
            fs[fs.index(f_s)] = flip_side(f_s)
            detail = f"{tag}: side flipped in FINDINGS sentence '{f_s}', impression keeps it ({layout})"
        else:
            ks = [k for k, s in enumerate(ims) if s.startswith(i_s[:30]) or i_s.startswith(s[:30])]
            if ks:
                old = ims[ks[0]]
                ims[ks[0]] = flip_side(old)
                detail = f"{tag}: side flipped in IMPRESSION sentence '{old}', findings keep it ({layout})"
            else:
                k = next(k for k, s in enumerate(fs) if SIDE.search(s) and _lat_key(s))
                old = fs[k]
                fs[k] = flip_side(old)
                detail = f"{tag}: side flipped in FINDINGS sentence '{old}', impression keeps it ({layout})"
    elif kind == "negation_conflict":
        options = []
        side = rng.choice(["right", "left"])
        for s in fs:
            low = s.lower()
            if "effusion" in low:
                options.append((s, rng.choice([f"{S(side)} pleural effusion.", f"Moderate {side} effusion."])))
            if "pneumothorax" in low:
                options.append((s, f"Small {side} pneumothorax."))
            if re.search(r"lungs are clear|lungs clear|clear lungs|no focal (airspace|consolidation)|no (acute )?"
                         r"(airspace|consolidation|infiltrate)", low):
                options.append((s, rng.choice([f"{S(side)} basal consolidation, likely aspiration.",
                                               f"{S(side)} lower lobe pneumonia."])))
            if re.search(r"heart (size )?(is )?(normal|within normal)|normal heart|heart size normal|"
                         r"cardiac silhouette.*normal|heart is normal", low):
                options.append((s, "Cardiomegaly."))
            if "edema" in low or "oedema" in low:
                options.append((s, "Pulmonary oedema." if uk else "Pulmonary edema."))
        s, new = rng.choice(options)
        ims = [new]
        detail = f"{tag}: IMPRESSION replaced by '{new}' which FINDINGS negate ('{s}'), {layout}"
    elif kind == "impression_omits_finding":
        sent = light_reword(extra, uk)
        others = [s for s in fs if s != sent and BENIGN.search(s) and not NEG_CUE.search(s) and not SIG.search(s)]
        if rng.random() < 0.5 or not others:
            ims = [rng.choice(NORMAL_IMPRESSIONS[:5])]
            detail = f"{tag}: IMPRESSION replaced by a normal statement, omits '{sent}' ({layout})"
        else:
            ims = others[:2]
            detail = f"{tag}: IMPRESSION replaced by other findings only, omits '{sent}' ({layout})"
    elif kind == "placeholder":
        choices = []
        for k, s in enumerate(fs):
            for w in re.findall(r"\b(normal|clear|pneumothorax|effusion|consolidation|unremarkable|size|"
                                r"mediastinal|silhouette|contours?|limits|osseous|stable)\b", s):
                choices.append(("f", k, w))
        for k, s in enumerate(ims):
            for w in re.findall(r"\b(acute|cardiopulmonary|abnormality|disease|chest)\b", s):
                choices.append(("i", k, w))
        sec, k, w = rng.choice(choices)
        ph = rng.choice(PLACEHOLDERS)
        target = fs if sec == "f" else ims
        target[k] = re.sub(rf"\b{w}\b", ph, target[k], count=1)
        detail = f"{tag}: '{w}' replaced by placeholder '{ph}' in {'FINDINGS' if sec == 'f' else 'IMPRESSION'}"
    report = assemble(rng, uk, ind, comp, fs, ims, mode=mode)
    return report, detail


def _has_neg_target(r):
    low = r["findings"].lower()
    return bool(
        re.search(r"effusion|pneumothorax|edema|lungs are clear|lungs clear|clear lungs|no focal (airspace|"
                  r"consolidation)|heart (size )?(is )?(normal|within normal)|normal heart|heart is normal", low)
    )


def build(seed):
    rng = random.Random(f"heldout174-{seed}")
    iu = load_iu()
    normal = [r for r in iu if is_normal_report(r)]
    lat = [(r, laterality_candidate(r)) for r in iu]
    lat = [(r, c) for r, c in lat if c]
    omit = [(r, omission_candidate(r)) for r in iu]
    omit = [(r, c) for r, c in omit if c]
    rng.shuffle(normal)
    rng.shuffle(lat)
    rng.shuffle(omit)
    used = set()
    rows = []

    def take(pool, pred=lambda x: True):
        for x in pool:
            r = x[0] if isinstance(x, tuple) else x
            if r["uid"] not in used and pred(r):
                used.add(r["uid"])
                return x
        raise RuntimeError("IU pool exhausted")

    half = N_KIND // 2
    for kind in KINDS:
        for _ in range(half):
            report, detail = composed_report(rng, kind)
            rows.append({"injected": kind, "detail": detail, "report": report})
        for _ in range(half):
            if kind == "laterality_conflict":
                r, c = take(lat)
                report, detail = iu_report(rng, r, kind, c)
            elif kind == "impression_omits_finding":
                r, c = take(omit)
                report, detail = iu_report(rng, r, kind, c)
            elif kind == "negation_conflict":
                r = take(normal, _has_neg_target)
                report, detail = iu_report(rng, r, kind)
            else:
                r = take(normal)
                report, detail = iu_report(rng, r, kind)
            rows.append({"injected": kind, "detail": detail, "report": report})
    for _ in range(N_CLEAN // 2):
        report, detail = composed_report(rng, None)
        rows.append({"injected": None, "detail": detail, "report": report})
    for _ in range(N_CLEAN // 2):
        r = take(normal)
        report, detail = iu_report(rng, r, None)
        rows.append({"injected": None, "detail": detail, "report": report})
    rng.shuffle(rows)
    return [{"id": f"h174-{seed}-{k}", **row} for k, row in enumerate(rows)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    args = ap.parse_args(argv)
    rows = build(args.seed)
    with open(args.out, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    if args.show:
        for kind in [None, *KINDS]:
            for row in [r for r in rows if r["injected"] == kind][: args.show]:
                print(f"===== {row['id']} injected={kind} :: {row['detail']}\n{row['report']}\n", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
