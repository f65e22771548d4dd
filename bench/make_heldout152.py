"""Held-out report-error set 152: English-language private/international hospitals in Indonesia.

usage: python -m bench.make_heldout152 OUT.jsonl --seed S [--show N]

400 rows: 200 clean, 40 of each of five injected kinds; half of every group composed from a phrase
bank in the setting's style, half real IU reports re-laid out in that style. Written blind.
"""
import argparse
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

ROOT = Path(__file__).resolve().parents[1]


def shared_dir():
    return Path(os.environ.get("MEDRAG_SHARED_DIR") or ROOT.parent / "shared")


# ---------------------------------------------------------------- setting: headers, sign-offs
HOSPITALS = [
    "Siloam Hospitals Kebon Jeruk - Department of Radiology",
    "RS Premier Surabaya - Radiology Unit",
    "BIMC Hospital Nusa Dua - Imaging Department",
    "Mayapada Hospital Jakarta Selatan - Radiology",
    "RS Pondok Indah - Instalasi Radiologi / Radiology Department",
    "International Clinic Kuta - Diagnostic Imaging",
    "Mitra Keluarga Kemayoran - Radiology",
    "National Hospital Surabaya - Radiology Department",
]
EXAMS = [
    "Chest X-ray PA view", "Thorax PA", "CHEST X-RAY (PA)", "Thorax PA/Lateral", "Chest radiograph, PA erect",
    "Thorax AP (supine)",
]
DENGUE_EXAM = "Chest X-ray PA + Right Lateral Decubitus (RLD)"
CLIN_NORMAL = [
    "Medical check-up", "Pre-employment medical check-up", "Visa application (KITAS)", "MCU executive package",
    "Routine annual check-up", "Student visa screening", "Pre-operative assessment",
]
CLIN = {
    "tb": ["Chronic cough > 3 weeks, night sweats", "Suspected pulmonary TB", "Cough, weight loss, haemoptysis"],
    "pneu": ["Fever and productive cough 5 days", "Suspected pneumonia", "Fever, dyspnoea, raised CRP"],
    "dengue": ["Dengue fever day 5, NS1 positive", "DHF, thrombocytopenia, monitor plasma leakage",
               "Dengue haemorrhagic fever, day 4"],
    "heart": ["Dyspnoea on exertion, hypertension", "Known CHF, bilateral leg oedema", "Hypertensive heart disease"],
    "ptx": ["Sudden chest pain and shortness of breath", "Acute pleuritic chest pain", "Post-CVC insertion"],
    "nodule": ["Smoker, chronic cough", "Incidental finding on MCU", "Weight loss, ex-smoker"],
    "misc": ["Cough", "Chest pain", "Follow-up", "Shortness of breath"],
}
FIND_HDR = ["FINDINGS:", "Findings:", "FINDINGS", "Findings :", "Radiological findings:", "RESULT / FINDINGS:"]
IMP_HDR = ["CONCLUSION:", "Conclusion:", "IMPRESSION:", "Impression:", "Kesan / Impression:", "CONCLUSION",
           "Conclusion :"]
SIGNOFF = [
    "dr. Andreas Wijaya, Sp.Rad", "dr. Made Suastika, Sp.Rad(K)", "dr. Rina Kusumawardhani, Sp.Rad",
    "Dr. Hendra Gunawan, Sp.Rad, FRCR", "dr. Putu Ayu Lestari, M.Ked.Klin, Sp.Rad",
    "Reported by: Dr. S. Tan, MBBS, FRANZCR", "dr. Yohanes Setiadi, Sp.Rad - electronically signed",
]
GREETINGS = ["Dear colleague,", "TS Yth.,", "Thank you for the referral.", ""]
CLOSINGS = ["Thank you.", "Best regards,", "Kind regards,", "Thank you for your kind referral.", ""]

SIDE = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "dextra": "sinistra",
        "sinistra": "dextra", "RIGHT": "LEFT", "LEFT": "RIGHT"}

PLACEHOLDERS = ["[***]", "[ ]", "<<size>>", "[...]", "[SIZE] mm", "XX cm", "<<side>>", "[normal/abnormal]",
                "[  ]", "{{finding}}", "*** ", "[insert finding]"]


def header_block(rng, clin, comparison=None, exam=None):
    lines = [rng.choice(HOSPITALS), "RADIOLOGY REPORT" if rng.random() < 0.5 else "Radiology Report"]
    lines.append(f"Name: XXXX    MRN: {rng.randint(100000, 999999)}")
    lines.append(f"Examination: {exam or rng.choice(EXAMS)}")
    lines.append(f"{rng.choice(['Clinical data', 'Clinical information', 'Clinical notes', 'Indication'])}: {clin}")
    if comparison:
        lines.append(f"Comparison: {comparison}")
    g = rng.choice(GREETINGS)
    if g:
        lines += ["", g]
    return lines


def assemble(rng, head, findings_lines, imp_lines, *, drop=None, empty_sig=False):
    """Lay out a report. drop: 'findings' or 'impression' -> header kept empty (or signature only)."""
    fh, ih = rng.choice(FIND_HDR), rng.choice(IMP_HDR)
    out = list(head) + [""]
    if drop == "findings_removed":
        pass
    else:
        out.append(fh)
        if drop != "findings":
            out += findings_lines
    out.append("")
    sig = rng.choice(SIGNOFF)
    closing = rng.choice(CLOSINGS)
    out.append(ih)
    if drop == "impression":
        if empty_sig:
            out += ["", sig]
            return "\n".join(out).strip() + "\n"
    else:
        if len(imp_lines) > 1 and rng.random() < 0.7:
            out += [f"{i}. {s}" for i, s in enumerate(imp_lines, 1)]
        elif len(imp_lines) > 1 and rng.random() < 0.5:
            out += [f"- {s}" for s in imp_lines]
        else:
            out.append(" ".join(imp_lines))
    out.append("")
    if closing:
        out.append(closing)
    out.append(sig)
    return "\n".join(out).strip() + "\n"


# ---------------------------------------------------------------- composed phrase bank
def normal_parts(rng):
    ctr = rng.randint(41, 49)
    return {
        "heart": rng.choice([f"Cor: not enlarged, CTR {ctr}%.", f"Heart size is normal (CTR {ctr}%).",
                             "Cardiac silhouette within normal limits.", "Cor: normal size and shape."]),
        "lungs": rng.choice(["Pulmo: no infiltrates, no nodules. Bronchovascular markings normal.",
                             "Both lungs are clear. No active lesion.", "Lung fields are clear bilaterally.",
                             "Pulmo: hila normal, bronchovascular pattern normal, no infiltrate."]),
        "pleura": rng.choice(["Both costophrenic angles are sharp. No pleural effusion.",
                              "Sinuses and diaphragms: sharp costophrenic angles, smooth domes.",
                              "No pleural effusion or pneumothorax.",
                              "Costophrenic sinuses sharp bilaterally; diaphragm domes normal."]),
        "bones": rng.choice(["Bony thorax intact.", "Visualised bones and soft tissues unremarkable.",
                             "Bones: no abnormality seen."]),
    }


NORMAL_IMP = [
    "Normal chest X-ray.", "Cor and pulmo within normal limits.", "No active lung lesion. Heart not enlarged.",
    "No abnormality detected on this chest radiograph.",
    "No radiological evidence of active pulmonary tuberculosis. Normal chest X-ray.",
    "Normal study.", "No cardiopulmonary abnormality seen.",
]


def scenario(rng, name):
    """Return dict(parts, imp, side, sig, key, omit_other, clin, comp)."""
    p = normal_parts(rng)
    side = rng.choice(["right", "left"])
    S = side.capitalize()
    lat = side if rng.random() < 0.75 else {"right": "dextra", "left": "sinistra"}[side]
    d = {"side": None, "sig": False, "clin": rng.choice(CLIN["misc"]), "comp": None, "extra_imp": []}
    if name == "normal":
        d["clin"] = rng.choice(CLIN_NORMAL)
        imp = [rng.choice(NORMAL_IMP)]
    elif name == "tb_active":
        zone = rng.choice(["upper zone", "apex", "upper lobe"])
        p["lungs"] = rng.choice([
            f"Patchy fibroinfiltrates in the {side} {zone} with a small cavity.",
            f"Fibro-infiltrates and nodular opacities in the {side} {zone}; a thin-walled cavity is suspected.",
        ])
        imp = [rng.choice([f"Active pulmonary TB, {side} {zone}.",
                           f"Features suggestive of active pulmonary tuberculosis in the {side} {zone}."]),
               rng.choice(["Suggest sputum AFB / GeneXpert correlation.", "Suggest GeneXpert MTB/RIF."])]
        d.update(side=side, sig=True, clin=rng.choice(CLIN["tb"]), key="tb")
    elif name == "tb_old":
        p["lungs"] = rng.choice([f"Fibrotic strands and calcified nodules in the {side} apex.",
                                 f"Fibrocalcified lesions at the {side} apex with mild volume loss."])
        imp = [rng.choice([f"Old (inactive) pulmonary TB, {side} apex.",
                           f"Fibrocalcified changes at the {side} apex, likely healed TB; no active lesion."])]
        d.update(side=side, clin=rng.choice(CLIN_NORMAL + CLIN["tb"]))
    elif name == "pneumonia":
        zone = rng.choice(["lower zone", "lower lobe", "middle zone", "paracardial region"])
        p["lungs"] = rng.choice([
            f"Consolidation in the {lat} {zone} with air bronchograms.",
            f"Airspace opacity in the {lat} {zone}, consistent with consolidation.",
        ])
        imp = [rng.choice([f"{S} {zone} pneumonia.", f"Pneumonia in the {side} {zone}.",
                           f"{S} {zone} consolidation, in keeping with pneumonia."]),
               rng.choice(["Follow-up film after treatment is suggested.", "Clinical correlation suggested."])]
        if lat in ("dextra", "sinistra"):
            imp[0] = f"Pneumonia {lat} ({zone})."
        d.update(side=side, sig=True, clin=rng.choice(CLIN["pneu"]), key="pneumonia")
    elif name == "bronchopneumonia":
        p["lungs"] = "Patchy infiltrates in both perihilar and paracardial regions."
        imp = [rng.choice(["Bronchopneumonia.", "Bilateral bronchopneumonia."])]
        d.update(sig=True, clin=rng.choice(CLIN["pneu"]), key="bronchopneumonia")
    elif name == "bronchitis":
        p["lungs"] = "Increased bronchovascular markings in both lungs, no infiltrate."
        imp = [rng.choice(["Bronchitis.", "Suggestive of bronchitis."])]
    elif name == "dengue":
        size = rng.choice(["moderate", "large"]) if rng.random() < 0.6 else "small"
        pei = {"small": rng.randint(5, 12), "moderate": rng.randint(18, 30), "large": rng.randint(35, 50)}[size]
        side = "right"
        p["pleura"] = (f"The right costophrenic angle is blunted. Right lateral decubitus view shows a {size} right "
                       f"pleural effusion, pleural effusion index (PEI) {pei}%.")
        imp = [f"{size.capitalize()} right pleural effusion (PEI {pei}%).",
               "In the clinical setting of dengue, consistent with plasma leakage."]
        d.update(side=side, sig=size != "small", clin=rng.choice(CLIN["dengue"]), key="effusion", exam=DENGUE_EXAM)
    elif name == "effusion":
        size = rng.choice(["moderate", "large"])
        p["pleura"] = f"{size.capitalize()} {side} pleural effusion, obscuring the {side} hemidiaphragm."
        imp = [f"{size.capitalize()} {side} pleural effusion.",
               "Suggest ultrasound-guided thoracocentesis if indicated."]
        d.update(side=side, sig=True, clin=rng.choice(CLIN["pneu"] + CLIN["tb"]), key="effusion")
    elif name == "chf":
        ctr = rng.randint(56, 65)
        p["heart"] = f"Cor: enlarged, CTR {ctr}%, apex displaced laterocaudally."
        p["lungs"] = "Cephalisation with perihilar haziness and Kerley B lines, suggestive of pulmonary oedema."
        imp = [f"Cardiomegaly (CTR {ctr}%).", "Pulmonary venous congestion / interstitial oedema."]
        d.update(sig=True, clin=rng.choice(CLIN["heart"]), key="oedema")
    elif name == "mild_cardiomegaly":
        ctr = rng.randint(51, 54)
        p["heart"] = f"Cor: mildly enlarged, CTR {ctr}%."
        imp = [f"Mild cardiomegaly (CTR {ctr}%).", "Lungs clear."]
        d.update(clin=rng.choice(CLIN["heart"] + CLIN_NORMAL))
    elif name == "ptx":
        cm = rng.choice(["1.5", "2", "2.5", "3"])
        p["pleura"] = (f"{S} pneumothorax with a visible pleural line, rim about {cm} cm at the apex. "
                       "No mediastinal shift.")
        imp = [f"{S} pneumothorax (about {cm} cm).", "Clinicians informed."]
        d.update(side=side, sig=True, clin=rng.choice(CLIN["ptx"]), key="pneumothorax")
    elif name == "nodule":
        mm = rng.choice([8, 10, 12, 15, 18])
        p["lungs"] = f"A well-defined {mm} mm nodule is seen in the {side} mid zone. Remaining lung fields clear."
        imp = [f"{S} mid zone nodule, {mm} mm.", "Recommend CT thorax for further evaluation."]
        d.update(side=side, sig=True, clin=rng.choice(CLIN["nodule"]), key="nodule")
    elif name == "aorta":
        p["heart"] += " Aortic knob calcification."
        imp = ["Aortosclerosis.", "Cor and pulmo within normal limits."]
        d.update(clin=rng.choice(CLIN_NORMAL))
    elif name == "spondylosis":
        p["bones"] = "Thoracic spondylosis with marginal osteophytes."
        imp = ["Thoracic spondylosis.", "No active lung lesion."]
        d.update(clin=rng.choice(CLIN_NORMAL))
    else:
        raise ValueError(name)
    if rng.random() < 0.25 and name not in ("normal",):
        d["comp"] = rng.choice(["Previous film dated 03/02/2024", "Prior chest X-ray from another hospital (CD)",
                                "Chest X-ray 2 weeks ago"])
        if name in ("pneumonia", "ptx", "effusion", "bronchopneumonia"):
            if rng.random() < 0.3:
                imp[0] = "New since the previous film: " + imp[0][0].lower() + imp[0][1:]
    d["parts"], d["imp"] = p, imp
    return d


CLEAN_SCEN = ["normal"] * 5 + ["tb_active", "tb_old", "pneumonia", "bronchopneumonia", "bronchitis", "dengue",
                               "effusion", "chf", "mild_cardiomegaly", "ptx", "nodule", "aorta", "spondylosis"]
SIDED = ["tb_active", "tb_old", "pneumonia", "effusion", "ptx", "nodule"]
SIGNIF = ["pneumonia", "effusion", "chf", "ptx", "nodule", "bronchopneumonia"]


def find_lines(rng, parts):
    order = ["heart", "lungs", "pleura", "bones"]
    if rng.random() < 0.5:
        lab = {"heart": "Heart", "lungs": "Lungs", "pleura": "Pleura", "bones": "Bones"}
        return [f"- {lab[k]}: {re.sub(r'^(Cor|Pulmo|Bones): ', '', parts[k])}" for k in order]
    if rng.random() < 0.5:
        return [" ".join(parts[k] for k in order)]
    return [parts[k] for k in order]


def composed(rng, kind):
    if kind is None:
        d = scenario(rng, rng.choice(CLEAN_SCEN))
        return d, find_lines(rng, d["parts"]), d["imp"], {}, "composed clean"
    if kind == "missing_section":
        d = scenario(rng, rng.choice(CLEAN_SCEN))
        which = rng.choice(["findings", "impression", "impression"])
        return d, find_lines(rng, d["parts"]), d["imp"], {"drop": which, "empty_sig": rng.random() < 0.5}, \
            f"composed: {which.upper()} header left with nothing under it"
    if kind == "laterality_conflict":
        d = scenario(rng, rng.choice(SIDED))
        fl = find_lines(rng, d["parts"])
        imp = list(d["imp"])
        if rng.random() < 0.5:
            i = next(i for i, s in enumerate(imp) if re.search(r"\b(right|left|Right|Left|dextra|sinistra)\b", s))
            imp[i] = flip(imp[i])
            det = f"composed: side flipped in impression line '{imp[i]}'"
        else:
            tag = next(k for k, s in d["parts"].items() if re.search(r"\b(right|left|Right|Left|dextra|sinistra)\b", s))
            d["parts"][tag] = flip(d["parts"][tag])
            fl = find_lines(rng, d["parts"])
            det = "composed: side flipped in the findings sentence about the lesion"
        return d, fl, imp, {}, det
    if kind == "negation_conflict":
        if rng.random() < 0.5:
            d = scenario(rng, rng.choice(["normal", "normal", "spondylosis", "aorta"]))
            side = rng.choice(["right", "left"])
            assert_ = rng.choice([
                ("pleura", f"{side.capitalize()} pleural effusion.", "Both costophrenic angles are sharp. "
                 "No pleural effusion."),
                ("lungs", f"{side.capitalize()} lower zone pneumonia.", "Both lungs are clear. No infiltrate."),
                ("heart", "Cardiomegaly.", f"Cor: not enlarged, CTR {rng.randint(42, 48)}%."),
                ("pleura", f"{side.capitalize()} pneumothorax.", "No pneumothorax. No pleural effusion."),
            ])
            d["parts"][assert_[0]] = assert_[2]
            imp = [assert_[1]]
            det = f"composed: impression asserts '{assert_[1]}' while findings say '{assert_[2]}'"
        else:
            d = scenario(rng, rng.choice(["pneumonia", "effusion", "chf", "ptx", "tb_active"]))
            neg = {"pneumonia": "Lungs are clear. No pneumonia.", "effusion": "No pleural effusion.",
                   "oedema": "Heart size normal. No pulmonary oedema.", "pneumothorax": "No pneumothorax.",
                   "tb": "No active pulmonary TB."}
            key = d["key"]
            imp = [neg[key]]
            det = f"composed: impression negates the {key} the findings describe"
        return d, find_lines(rng, d["parts"]), imp, {}, det
    if kind == "impression_omits_finding":
        d = scenario(rng, rng.choice(SIGNIF))
        fl = find_lines(rng, d["parts"])
        if rng.random() < 0.5:
            imp = [rng.choice(NORMAL_IMP)]
            det = f"composed: {d['key']} in findings, impression replaced by a normal statement"
        else:
            other = rng.choice([("bones", "Thoracic spondylosis with marginal osteophytes.", "Thoracic spondylosis."),
                                ("heart", "Cor: not enlarged. Aortic knob calcification.", "Aortosclerosis."),
                                ("bones", "Old healed fracture of the right 6th rib.", "Old right 6th rib fracture.")])
            if d["key"] == "oedema" and other[0] == "heart":
                other = ("bones", "Thoracic spondylosis with marginal osteophytes.", "Thoracic spondylosis.")
            d["parts"][other[0]] = other[1]
            fl = find_lines(rng, d["parts"])
            imp = [other[2]]
            det = f"composed: {d['key']} in findings, impression lists only '{other[2]}'"
        return d, fl, imp, {}, det
    if kind == "placeholder":
        d = scenario(rng, rng.choice(CLEAN_SCEN))
        fl = find_lines(rng, d["parts"])
        imp = list(d["imp"])
        ph = rng.choice(PLACEHOLDERS)
        if rng.random() < 0.5:
            i = rng.randrange(len(fl))
            fl[i] = replace_word(rng, fl[i], ph)
            det = f"composed: a word in findings replaced by template field '{ph.strip()}'"
        else:
            i = rng.randrange(len(imp))
            imp[i] = replace_word(rng, imp[i], ph)
            det = f"composed: a word in impression replaced by template field '{ph.strip()}'"
        return d, fl, imp, {}, det
    raise ValueError(kind)


def flip(s):
    return re.sub(r"\b(right|left|Right|Left|RIGHT|LEFT|dextra|sinistra)\b", lambda m: SIDE[m.group(1)], s)


def replace_word(rng, s, ph):
    words = list(re.finditer(r"\b[A-Za-z]{4,}\b", s))
    m = rng.choice(words[1:] if len(words) > 1 else words)
    return s[:m.start()] + ph.strip() + s[m.end():]


# ---------------------------------------------------------------- IU archive
def load_iu():
    tgz = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    out = {}
    with tarfile.open(tgz) as tf:
        for m in tf.getmembers():
            if not m.name.endswith(".xml"):
                continue
            root = ET.parse(tf.extractfile(m)).getroot()
            uid = root.find("uId").get("id")
            sec = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            if sec.get("FINDINGS") and sec.get("IMPRESSION"):
                out[uid] = sec
    return out


def dev_uids():
    p = shared_dir() / "eval" / "report_errors_dev.jsonl"
    return {json.loads(line)["uid"] for line in open(p)}


SENT = re.compile(r"(?<=[.!?])\s+")
NEGW = re.compile(r"\b(no|not|without|negative|normal|clear|unremarkable|within normal limits|intact|free)\b", re.I)
NORMAL_IMP_RE = re.compile(r"^(no acute|normal|negative|no active|no evidence|no radiographic evidence|"
                           r"clear lungs|no significant|no cardiopulmonary)", re.I)
SIDE_RE = re.compile(r"\b(left|right)\b", re.I)


def sents(t):
    return [s for s in SENT.split(t.strip()) if s]


def is_normal(sec):
    f, i = sec["FINDINGS"], sec["IMPRESSION"]
    if SIDE_RE.search(f + " " + i) or re.search(r"\d\.", i):
        return False
    if not all(NEGW.search(s) for s in sents(f)):
        return False
    if re.search(r"\b(mild|stable|changes|opacit|granuloma|degenerat|atelecta|scar|calcif|enlarg|tortuous|"
                 r"hyperinfla|prominen|borderline|increas|decreas|hernia|surg|post)", f, re.I):
        return False
    return all(NORMAL_IMP_RE.search(s) for s in sents(i)) and len(f) > 60


SIG_RE = re.compile(r"\b(pneumothorax|consolidation|(moderate|large) (right |left |bilateral )?pleural effusion|"
                    r"pulmonary edema|airspace disease|pneumonia|mass)\b", re.I)
HEDGE_RE = re.compile(r"\b(no|not|without|negative|resolv|resolution|clear|free|improv|decreas|small|trace|tiny|"
                      r"minimal|possible|cannot|exclude|versus|vs|may|questionable|previously|prior|XXXX|or|"
                      r"stable|mild|chronic)\b", re.I)
KEYS = ["pneumothorax", "consolidation", "effusion", "edema", "airspace", "pneumonia", "mass", "opacit",
        "infiltrate", "atelectasis", "nodule", "lung", "pleural", "acute"]


def omit_candidate(sec):
    f, i = sec["FINDINGS"], sec["IMPRESSION"]
    hits = [s for s in sents(f) if SIG_RE.search(s) and not HEDGE_RE.search(s)]
    if not hits:
        return None
    rest = [s for s in sents(i) if not any(k in s.lower() for k in KEYS)
            and not re.search(r"^\d\.?$", s.strip()) and len(s) > 8]
    return hits[0], rest


LAT_TERMS = ["effusion", "opacit", "atelecta", "pneumonia", "airspace", "infiltrate", "consolidation", "nodule",
             "pneumothorax", "granuloma", "mass", "scar"]


def lat_candidate(sec):
    f, i = sec["FINDINGS"], sec["IMPRESSION"]
    sides = {m.group(1).lower() for m in SIDE_RE.finditer(f + " " + i)}
    if len(sides) != 1:
        return None
    side = sides.pop()
    fs = [s for s in sents(f) if SIDE_RE.search(s)]
    is_ = [s for s in sents(i) if SIDE_RE.search(s)]
    if len(fs) != 1 or len(is_) != 1:
        return None
    shared = [t for t in LAT_TERMS if t in fs[0].lower() and t in is_[0].lower()]
    if not shared or len(SIDE_RE.findall(fs[0])) != 1 or len(SIDE_RE.findall(is_[0])) != 1:
        return None
    return side, fs[0], is_[0], shared[0]


def reword(t):
    t = re.sub(r"x-XXXX", "X-ray", t)
    t = re.sub(r"\.\.+", ".", t).replace(" .", ".")
    for a, b in [("edema", "oedema"), ("hemithorax", "haemithorax"), ("hemidiaphragm", "haemidiaphragm"),
                 ("calcified granuloma", "calcified granuloma (likely old healed TB/granulomatous disease)"),
                 ("No acute cardiopulmonary abnormality", "No acute cardiopulmonary abnormality detected"),
                 ("No acute cardiopulmonary disease", "No active cardiopulmonary disease"),
                 ("within normal limits", "within normal limits")]:
        t = t.replace(a, b)
    return t


def iu_lines(rng, text):
    ss = sents(text)
    if rng.random() < 0.4:
        return [f"- {s}" for s in ss]
    if rng.random() < 0.5:
        return ss
    return [" ".join(ss)]


def iu_imp_lines(text):
    parts = [p.strip() for p in re.split(r"\s*\b\d\.\s+", text) if not re.fullmatch(r"[\d.\s]*", p)]
    if len(parts) > 1:
        return parts
    return sents(text)


def iu_case(rng, kind, uid, sec, extra):
    f, i = reword(sec["FINDINGS"]), reword(sec["IMPRESSION"])
    clin = sec.get("INDICATION") or rng.choice(CLIN_NORMAL)
    comp = sec.get("COMPARISON") or None
    if comp and comp.lower().rstrip(".") in ("none", "none available"):
        comp = None
    head = header_block(rng, reword(clin), comp and reword(comp))
    n = uid.replace("CXR", "")
    opts = {}
    if kind is None:
        det = f"IU CXR{n}: re-laid out in setting style, light rewording (British spelling), unmodified content"
        fl, il = iu_lines(rng, f), iu_imp_lines(i)
    elif kind == "missing_section":
        which = rng.choice(["impression", "impression", "findings"])
        opts = {"drop": which, "empty_sig": rng.random() < 0.5}
        fl, il = iu_lines(rng, f), iu_imp_lines(i)
        det = f"IU CXR{n}: {which.upper()} emptied (header kept" + (", signature only)" if opts["empty_sig"] and
                                                                   which == "impression" else ")")
    elif kind == "laterality_conflict":
        side, fs, is_, term = extra
        if rng.random() < 0.5:
            f = f.replace(reword(fs), flip(reword(fs)))
            det = f"IU CXR{n}: side of '{term}' flipped in findings sentence; impression keeps {side}"
        else:
            i = i.replace(reword(is_), flip(reword(is_)))
            det = f"IU CXR{n}: side of '{term}' flipped in impression; findings keep {side}"
        fl, il = iu_lines(rng, f), iu_imp_lines(i)
    elif kind == "negation_conflict":
        side = rng.choice(["Right", "Left"])
        low = f.lower()
        choices = []
        if "effusion" in low:
            choices.append(f"{side} pleural effusion.")
        if "pneumothorax" in low:
            choices.append(f"Small {side.lower()} apical pneumothorax.")
        if re.search(r"consolidation|lungs are clear|clear lungs|airspace", low):
            choices.append(f"{side} lower lobe consolidation, in keeping with pneumonia.")
        if re.search(r"heart size is normal|heart is normal|cardiac silhouette is normal|heart size normal|"
                     r"cardiomediastinal silhouette is (normal|within normal limits)|"
                     r"heart and mediastinum are normal", low):
            choices.append("Cardiomegaly.")
        a = rng.choice(choices)
        il = [a]
        fl = iu_lines(rng, f)
        det = f"IU CXR{n}: impression replaced by '{a}', which the findings negate"
    elif kind == "impression_omits_finding":
        hit, rest = extra
        if rest and rng.random() < 0.6:
            il = rest
            det = f"IU CXR{n}: impression reduced to other findings, omits '{hit}'"
        else:
            il = [rng.choice(["No active lung lesion.", "Normal chest X-ray.", "No acute cardiopulmonary abnormality.",
                              "Cor and pulmo within normal limits."])]
            det = f"IU CXR{n}: impression replaced by normal statement '{il[0]}', omits '{hit}'"
        fl = iu_lines(rng, f)
    elif kind == "placeholder":
        ph = rng.choice(PLACEHOLDERS)
        if rng.random() < 0.6:
            ss = sents(f)
            k = rng.randrange(len(ss))
            ss[k] = replace_word(rng, ss[k], ph)
            fl, il = iu_lines(rng, " ".join(ss)), iu_imp_lines(i)
            det = f"IU CXR{n}: one word in findings replaced by '{ph.strip()}'"
        else:
            fl, il = iu_lines(rng, f), [replace_word(rng, " ".join(iu_imp_lines(i)), ph)]
            det = f"IU CXR{n}: one word in impression replaced by '{ph.strip()}'"
    return assemble(rng, head, fl, il, **opts), det


def neg_ok(sec):
    low = sec["FINDINGS"].lower()
    return bool(re.search(r"effusion|pneumothorax|consolidation|lungs are clear|clear lungs|airspace|"
                          r"heart size is normal|heart is normal|cardiac silhouette is normal|heart size normal|"
                          r"cardiomediastinal silhouette is (normal|within normal limits)", low))


# ---------------------------------------------------------------- build
def build(seed):
    rng = random.Random(f"h152-{seed}")
    iu = load_iu()
    dev = dev_uids()
    uids = sorted((u for u in iu if u not in dev), key=lambda u: int(u[3:]))
    rng.shuffle(uids)
    used = set()

    def take(pred, n):
        got = []
        for u in uids:
            if u in used:
                continue
            r = pred(iu[u])
            if r:
                got.append((u, r))
                used.add(u)
                if len(got) == n:
                    return got
        raise RuntimeError(f"not enough IU reports ({len(got)}/{n})")

    half = N_KIND // 2
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    iu_pick = {
        "laterality_conflict": take(lat_candidate, half),
        "impression_omits_finding": take(omit_candidate, half),
        "negation_conflict": take(lambda s: is_normal(s) and neg_ok(s), half),
        None: take(is_normal, N_CLEAN // 2),
        "missing_section": take(is_normal, half),
        "placeholder": take(is_normal, half),
    }
    rows = []
    for kind, n in plan:
        for _ in range(n // 2):
            d, fl, il, opts, det = composed(rng, kind)
            head = header_block(rng, d["clin"], d["comp"], d.get("exam"))
            rows.append({"injected": kind, "detail": det, "report": assemble(rng, head, fl, il, **opts)})
        for uid, extra in iu_pick[kind]:
            rep, det = iu_case(rng, kind, uid, iu[uid], extra)
            rows.append({"injected": kind, "detail": det, "report": rep})
    rng.shuffle(rows)
    return [{"id": f"h152-{seed}-{k}", **r} for k, r in enumerate(rows)]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if a.show:
        for k in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == k][: a.show * 2: 1][: a.show]:
                print(f"===== {k} | {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}")


if __name__ == "__main__":
    main()
