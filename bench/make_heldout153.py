"""Held-out report-error set 153: offshore, seafarer and commercial-diver medicals (UK, Norway, Gulf of Mexico).

Written blind (without sight of the checker).  400 rows: 200 clean and 40 of each of the five error kinds,
half composed from a phrase bank in the setting's style and half real IU reports re-laid out in that style.

usage: python -m bench.make_heldout153 OUT.jsonl --seed S [--show N]
"""

import argparse
import json
import os
import random
import re
import sys
import tarfile
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40


def shared_dir():
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# ----------------------------------------------------------------------------------------------------------------
# IU archive
# ----------------------------------------------------------------------------------------------------------------

_LABEL_RE = re.compile(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', re.S)
_UID_RE = re.compile(r'<uId id="(CXR\d+)"')


def _unescape(s):
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace(
        "&amp;", "&")


_IU_CACHE = {}


def load_iu(shared):
    key = str(shared)
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    dev = set()
    with open(shared / "eval" / "report_errors_dev.jsonl") as f:
        for line in f:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    reports = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        for m in t.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            text = t.extractfile(m).read().decode("utf-8", "replace")
            um = _UID_RE.search(text)
            if not um or um.group(1) in dev:
                continue
            secs = {k: " ".join(_unescape(v).split()) for k, v in _LABEL_RE.findall(text)}
            fnd, imp = secs.get("FINDINGS", ""), secs.get("IMPRESSION", "")
            if len(fnd) < 30 or len(imp) < 5:
                continue
            if any(b in fnd + imp for b in ("[", "]", "***", "<<", "___", "{")):
                continue
            reports.append({"uid": um.group(1), "findings": fnd, "impression": imp,
                            "indication": secs.get("INDICATION", ""), "comparison": secs.get("COMPARISON", "")})
    reports.sort(key=lambda r: int(r["uid"][3:]))
    _IU_CACHE[key] = (reports, dev)
    return reports, dev


def sentences(text):
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text.strip())
    return [p.strip() for p in parts if p.strip()]


NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|clear|resolved|resolution|normal|unremarkable|absent|"
                     r"removed|interval clearing|otherwise)\b", re.I)
SIG_WORDS = re.compile(r"\b(pneumothorax|effusions?|consolidations?|edema|oedema|opacit(y|ies)|infiltrates?|"
                       r"pneumonia|nodules?|nodular|mass|masses|cardiomegaly|enlarged|enlargement|atelectasis|"
                       r"airspace|fractures?|emphysema|hyperinflat\w*|granulomas?|calcifi\w*|scar\w*|"
                       r"congestion|thickening|deformity|elevat\w*|tortuous|ectatic|prominent|degenerative|"
                       r"spondylosis|copd|fibrosis|interstitial|hernia|surgical|sternotomy|clips?|catheter|tube|"
                       r"pacemaker|kyphosis|scoliosis|osteophytes?|density|densities|lesion|bulla\w*|blebs?)\b", re.I)
NORMAL_IMP = re.compile(r"^(no acute|normal|no active|negative|no evidence of acute|clear lungs|no radiographic "
                        r"evidence of (acute|active)|no acute cardiopulmonary|no cardiopulmonary|no significant)",
                        re.I)


def affirmed_sig(text):
    return [s for s in sentences(text) if SIG_WORDS.search(s) and not NEG_CUE.search(s)]


def is_normal_iu(r):
    imp = r["impression"]
    if not NORMAL_IMP.match(imp) or len(imp) > 110 or affirmed_sig(imp):
        return False
    if re.search(r"\b(left|right|bilateral)\b", imp, re.I):
        return False
    fnd = r["findings"]
    if affirmed_sig(fnd):
        return False
    # hedged or mixed sentences ("no ... but ...") are not safe for a clean normal report
    return not re.search(r"\b(but|however|although|except|possibl\w*|may|cannot|suggest\w*|versus|likely)\b", fnd,
                         re.I)


UK_SPELL = [(r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bhemithorax\b", "haemithorax"),
            (r"\bx-ray\b", "X-ray"), (r"\bbony\b", "bony"), (r"\bcalcified granulomas?\b", "calcified granuloma(s)"),
            (r"\bcardiomediastinal silhouette\b", "cardiomediastinal contour"),
            (r"\bcostophrenic\b", "costophrenic")]


def uk_reword(text):
    out = text
    for pat, rep in UK_SPELL:
        if "granuloma" in pat:
            continue
        out = re.sub(pat, rep, out)
    out = re.sub(r"\bNo acute cardiopulmonary (abnormality|disease|process)\b", r"No acute cardiopulmonary \1",
                 out)
    return out


# ----------------------------------------------------------------------------------------------------------------
# Setting style: headers, contexts, sign-offs
# ----------------------------------------------------------------------------------------------------------------

EXAMS = ["EXAMINATION: XR Chest PA", "Examination: Chest X-ray PA", "EXAM: CXR PA (fitness medical)",
         "Examination: Chest radiograph, PA erect", "PROCEDURE: Chest PA and lateral", "XR THORAX PA"]
INDICATIONS = [
    "OGUK offshore medical, periodic. Asymptomatic.", "ENG1 seafarer medical. Routine.",
    "HSE commercial diver medical (annual). Ex-smoker.", "Offshore fitness medical, first certificate.",
    "Norwegian offshore health certificate (helseerklæring). Routine.",
    "Diver medical, IMCA. Previous spontaneous pneumothorax declared.",
    "BSEE / USCG merchant mariner physical, Gulf of Mexico.",
    "Pre-employment medical, drilling contractor. TB screen (born in high-incidence country).",
    "Saturation diver, periodic review.", "Positive IGRA at crew change screening.",
    "Medevac from installation: chest pain and dyspnoea after heavy lift.",
    "Fall on deck, left-sided chest wall pain.", "Cough and fever on rig, flown to shore.",
    "Seafarer, repatriation medical. Smoker 20 pack-years.", "Rope access technician, offshore renewal.",
]
IND_HEADERS = ["CLINICAL DETAILS:", "Clinical details:", "Clinical information:", "INDICATION:", "History:",
               "Clinical indication:"]
COMP_HEADERS = ["COMPARISON:", "Comparison:", "Previous imaging:", "Prior:"]
COMPARISONS = ["None available.", "Previous fitness film XXXX.", "Compared with pre-employment film of XXXX.",
               "No previous films for comparison.", "Prior CXR XXXX (Stavanger).", "Last periodic film XXXX.",
               "Nil."]
FIND_HEADERS = ["FINDINGS:", "Findings:", "REPORT:", "Report:", "FINDINGS"]
IMP_HEADERS = ["IMPRESSION:", "Impression:", "CONCLUSION:", "Conclusion:", "OPINION:", "Opinion:", "SUMMARY:"]
SIGNOFFS = ["Dr XXXX, Consultant Radiologist", "Reported by: Dr XXXX FRCR", "Electronically signed: Dr XXXX",
            "Dr XXXX, Overlege, Radiologisk avdeling", "XXXX, MD, Diagnostic Radiology",
            "Verified by Dr XXXX (GMC XXXX)", "Reporting radiographer: XXXX / Countersigned Dr XXXX"]
FITNESS_CLOSERS = ["No radiological contraindication to offshore work.", "No radiological bar to diving.",
                   "Radiologically fit for duty."]


def layout(rng, findings, impression, indication=None, comparison=None, find_header=None, imp_header=None,
           imp_list=False, keep_imp_header=True, drop_imp=False, drop_find=False, signoff=None):
    """Lay out a report; impression is a list of sentences (numbered when imp_list)."""
    lines = []
    if rng.random() < 0.6:
        lines.append(rng.choice(EXAMS))
    if indication is None:
        indication = rng.choice(INDICATIONS)
    if indication:
        lines.append(f"{rng.choice(IND_HEADERS)} {indication}")
    if comparison is None:
        comparison = rng.choice(COMPARISONS) if rng.random() < 0.6 else ""
    if comparison:
        lines.append(f"{rng.choice(COMP_HEADERS)} {comparison}")
    lines.append("")
    fh = find_header or rng.choice(FIND_HEADERS)
    if not drop_find:
        if fh.endswith(":") and rng.random() < 0.5:
            lines.append(f"{fh} {findings}".rstrip())
        else:
            lines.append(fh)
            lines.append(findings)
        lines.append("")
    ih = imp_header or rng.choice(IMP_HEADERS)
    if not drop_imp:
        if imp_list and len(impression) > 1:
            lines.append(ih)
            lines.extend(f"{i}. {s}" for i, s in enumerate(impression, 1))
        elif not impression:
            lines.append(ih)
        else:
            lines.append(f"{ih}\n{' '.join(impression)}" if rng.random() < 0.5 else f"{ih} {' '.join(impression)}")
        lines.append("")
    sig = signoff if signoff is not None else rng.choice(SIGNOFFS)
    if sig:
        lines.append(sig)
    return "\n".join(lines).strip() + "\n"


# ----------------------------------------------------------------------------------------------------------------
# Phrase bank (composed cases)
# ----------------------------------------------------------------------------------------------------------------

# normal sentences, tagged by what they state is normal
NORMALS = {
    "lungs": ["The lungs are clear.", "Both lung fields are clear.", "Lung fields clear.",
              "No focal lung lesion or consolidation.", "No active lung lesion seen."],
    "heart": ["Heart size is normal.", "Cardiac size within normal limits (CTR < 0.5).",
              "Normal heart size and mediastinal contours.", "Cardiomediastinal outline is normal."],
    "pleura": ["No pleural effusion.", "Costophrenic angles are sharp.", "CP angles clear."],
    "ptx": ["No pneumothorax.", "No pneumothorax seen.", "No evidence of pneumothorax."],
    "bullae": ["No bullae or blebs identified.", "No apical bullae seen.", "No blebs demonstrated at the apices."],
    "bones": ["Bony thorax intact.", "No acute bony injury.", "Visualised skeleton unremarkable."],
    "diaphragm": ["Hemidiaphragms are normal in contour.", "No free subdiaphragmatic gas.",
                  "Diaphragms well defined."],
}
NORMAL_IMPS = ["Normal chest radiograph.", "No active lung disease.", "Normal chest X-ray.",
               "No acute cardiopulmonary abnormality.", "Normal study.", "No significant abnormality detected.",
               "Normal CXR. No bullae, no evidence of active or previous TB."]

# findings: (key, sided, significant, conflicts(normal tags), findings template, impression template,
#            negation of the finding for negation_conflict, assertion of it)
BANK = [
    dict(key="ptx", sided=True, sig=True, conf={"ptx", "lungs"},
         f=["There is a {side} apical pneumothorax with a rim of {n} cm. No mediastinal shift.",
            "{Side} pneumothorax, lung edge visible {n} cm from the chest wall at the apex."],
         i=["{Side} pneumothorax ({n} cm apical rim). Urgent clinical review.",
            "{Side}-sided pneumothorax. Unfit for diving / offshore travel pending treatment."],
         neg="No pneumothorax.", sizes=["1.5", "2", "3"]),
    dict(key="consol", sided=True, sig=True, conf={"lungs"},
         f=["Airspace consolidation in the {side} lower zone with air bronchograms.",
            "Patchy consolidation in the {side} mid and lower zones."],
         i=["{Side} lower zone consolidation, in keeping with pneumonia.",
            "Changes consistent with {side} basal pneumonia. Follow-up film in 6 weeks to confirm resolution."],
         neg="Lungs are clear."),
    dict(key="effusion", sided=True, sig=True, conf={"pleura"},
         f=["Moderate {side} pleural effusion with blunting and meniscus to the mid zone.",
            "Large {side} pleural effusion."],
         i=["Moderate {side} pleural effusion.", "{Side} pleural effusion; suggest ultrasound and clinical review."],
         neg="No pleural effusion."),
    dict(key="nodule", sided=True, sig=True, conf={"lungs"},
         f=["A {n} mm non-calcified nodule projects over the {side} mid zone.",
            "Well-defined {n} mm pulmonary nodule in the {side} upper zone."],
         i=["{n} mm {side} lung nodule. CT chest recommended.",
            "Indeterminate {side} pulmonary nodule ({n} mm); CT advised before certification."],
         neg="No lung nodule or mass.", sizes=["8", "10", "12", "15"]),
    dict(key="bulla", sided=True, sig=False, conf={"bullae", "lungs"},
         f=["A thin-walled bulla measuring {n} cm is present at the {side} apex.",
            "{Side} apical bleb/bulla, approximately {n} cm."],
         i=["{Side} apical bulla ({n} cm). Relevant to diving fitness; CT thorax suggested.",
            "Bullous change at the {side} apex, {n} cm."],
         neg="No bullae or blebs.", sizes=["2", "3", "4"]),
    dict(key="granuloma", sided=True, sig=False, conf={"lungs"},
         f=["Small calcified granuloma in the {side} upper zone.",
            "Calcified {side} hilar nodes and a small calcified granuloma in the {side} mid zone."],
         i=["Calcified granuloma {side} upper zone, old healed infection. No active TB.",
            "Old granulomatous disease, {side} lung. No evidence of active tuberculosis."],
         neg=None),
    dict(key="oldtb", sided=True, sig=False, conf={"lungs"},
         f=["Fibrocalcific scarring at the {side} apex with mild volume loss, unchanged from the prior film.",
            "Stable apical pleural thickening and linear scarring on the {side}."],
         i=["Stable {side} apical fibrocalcific change, likely old (treated) TB. No active disease.",
            "Old inactive {side} apical scarring, unchanged."],
         neg=None),
    dict(key="rib", sided=True, sig=False, conf={"bones"},
         f=["Healed fractures of the {side} {n}th and {m}th ribs laterally.",
            "Old healed {side} clavicle fracture with callus."],
         i=["Old healed {side}-sided fracture. No acute bony injury.", "Old healed fracture on the {side}."],
         neg=None, sizes=["5", "6", "7"]),
    dict(key="oldptx", sided=True, sig=False, conf=set(),
         f=["Surgical staple line at the {side} apex from previous pleurectomy/bullectomy. Lung fully expanded.",
            "Post-pleurodesis change at the {side} apex; no residual pneumothorax."],
         i=["Previous {side} apical surgery for pneumothorax; no recurrence.",
            "Stable post-surgical {side} apex, lung fully expanded."],
         neg=None),
    dict(key="emphysema", sided=False, sig=False, conf={"lungs"},
         f=["The lungs are hyperinflated with flattened hemidiaphragms, in keeping with emphysema."],
         i=["Hyperinflated lungs consistent with COPD/emphysema."],
         neg="Lungs are normally inflated."),
    dict(key="freeair", sided=True, sig=True, conf={"diaphragm"},
         f=["Free gas is seen under the {side} hemidiaphragm."],
         i=["Pneumoperitoneum (free gas under the {side} hemidiaphragm). Surgical referral."],
         neg="No free subdiaphragmatic gas."),
    dict(key="oedema", sided=False, sig=True, conf={"lungs", "heart"},
         f=["Upper lobe blood diversion, bilateral perihilar haze and Kerley B lines in keeping with pulmonary "
            "oedema."],
         i=["Pulmonary oedema. Cardiac work-up advised."],
         neg="No pulmonary oedema."),
]
BANK_BY_KEY = {b["key"]: b for b in BANK}
SIG_KEYS = [b["key"] for b in BANK if b["sig"]]
MINOR_KEYS = [b["key"] for b in BANK if not b["sig"]]
SIDED_KEYS = [b["key"] for b in BANK if b["sided"]]


def inst(rng, key, side):
    b = BANK_BY_KEY[key]
    j = rng.randrange(len(b["f"]))
    k = rng.randrange(len(b["i"]))
    n = rng.choice(b.get("sizes", ["2"]))
    m = str(int(n) + 1) if n.isdigit() else n

    def fill(t, sd):
        return t.format(side=sd, Side=sd.capitalize(), n=n, m=m)

    return {"key": key, "side": side, "f": fill(b["f"][j], side), "i": fill(b["i"][k], side),
            "ftmpl": b["f"][j], "itmpl": b["i"][k], "fill": fill}


def compose(rng, items, extra_normal_drop=()):
    conf = set()
    for it in items:
        conf |= BANK_BY_KEY[it["key"]]["conf"]
    tags = ["heart", "lungs", "pleura", "ptx", "bullae", "bones", "diaphragm"]
    sents = []
    for tag in tags:
        if tag in extra_normal_drop:
            continue
        if tag in conf:
            if tag == "lungs" and rng.random() < 0.5:
                sents.append("The lungs are otherwise clear.")
            continue
        if tag in ("bullae", "diaphragm", "bones") and rng.random() < 0.4:
            continue
        sents.append(rng.choice(NORMALS[tag]))
    rng.shuffle(sents)
    # keep heart first most of the time (common habit)
    sents.sort(key=lambda s: 0 if "eart" in s or "ardi" in s else 1)
    pos = rng.randrange(len(sents) + 1) if rng.random() < 0.5 else 0
    fsents = sents[:pos] + [it["f"] for it in items] + sents[pos:]
    return fsents


def pick_items(rng, n_sig=0, n_minor=0, need_sided=False):
    keys = []
    pool_sig = [k for k in SIG_KEYS if (not need_sided or BANK_BY_KEY[k]["sided"])]
    if n_sig:
        keys += rng.sample(pool_sig, n_sig)
    if n_minor:
        pool = [k for k in MINOR_KEYS if k not in keys]
        keys += rng.sample(pool, n_minor)
    items = []
    for k in keys:
        side = rng.choice(["right", "left"]) if BANK_BY_KEY[k]["sided"] else ""
        items.append(inst(rng, k, side))
    return items


def flip(side):
    return "left" if side == "right" else "right"


def composed_case(rng, kind):
    imp_list = rng.random() < 0.45
    if kind is None:
        r = rng.random()
        items = [] if r < 0.4 else pick_items(rng, n_sig=1 if r > 0.75 else 0, n_minor=1 if r < 0.9 else 0)
        fs = compose(rng, items)
        imp = [it["i"] for it in items] or [rng.choice(NORMAL_IMPS)]
        if not any(BANK_BY_KEY[it["key"]]["sig"] for it in items) and rng.random() < 0.4:
            imp.append(rng.choice(FITNESS_CLOSERS))
        return layout(rng, " ".join(fs), imp, imp_list=imp_list), "composed clean"

    if kind == "missing_section":
        items = pick_items(rng, n_minor=1) if rng.random() < 0.5 else []
        fs = compose(rng, items)
        imp = [it["i"] for it in items] or [rng.choice(NORMAL_IMPS)]
        mode = rng.choice(["imp_empty", "imp_sig_only", "imp_removed", "find_empty"])
        if mode == "imp_empty":
            return layout(rng, " ".join(fs), [], imp_list=imp_list), "composed: IMPRESSION header left empty"
        if mode == "imp_sig_only":
            return (layout(rng, " ".join(fs), [], imp_list=imp_list),
                    "composed: IMPRESSION header with only the sign-off under it")
        if mode == "imp_removed":
            return layout(rng, " ".join(fs), imp, drop_imp=True), "composed: IMPRESSION section removed"
        return (layout(rng, "", ["Normal chest radiograph."] if not items else ["See above."], imp_list=False),
                "composed: FINDINGS header left empty (impression does not describe the film)")

    if kind == "laterality_conflict":
        items = pick_items(rng, n_sig=1 if rng.random() < 0.6 else 0, n_minor=1, need_sided=True)
        items = [it for it in items if it["side"]] or pick_items(rng, n_minor=1)
        items = [it for it in items if it["side"]]
        if not items:
            items = [inst(rng, "granuloma", rng.choice(["left", "right"]))]
        t = rng.choice(items)
        wrong = flip(t["side"])
        where = rng.choice(["impression", "findings"])
        if where == "impression":
            t_imp = t["fill"](t["itmpl"], wrong)
            fs = compose(rng, items)
            imp = [t_imp if it is t else it["i"] for it in items]
        else:
            orig_f = t["f"]
            t["f"] = t["fill"](t["ftmpl"], wrong)
            fs = compose(rng, items)
            imp = [it["i"] for it in items]
            t["f"] = orig_f
        det = (f"composed: {t['key']} is {t['side']} in the "
               f"{'findings' if where == 'impression' else 'impression'} but {wrong} in the {where}")
        return layout(rng, " ".join(fs), imp, imp_list=imp_list), det

    if kind == "negation_conflict":
        if rng.random() < 0.5:
            # impression asserts what the findings negate
            key = rng.choice(["ptx", "effusion", "consol", "bulla", "freeair", "nodule"])
            side = rng.choice(["right", "left"])
            it = inst(rng, key, side)
            fs = compose(rng, [])
            neg = BANK_BY_KEY[key]["neg"]
            # make sure the findings state the negative explicitly
            tag = {"ptx": "ptx", "effusion": "pleura", "consol": "lungs", "bulla": "bullae", "freeair": "diaphragm",
                   "nodule": "lungs"}[key]
            fs = [s for s in fs if s not in NORMALS[tag]] + [neg]
            imp = [it["i"]]
            return layout(rng, " ".join(fs), imp, imp_list=imp_list), (
                f"composed: findings say '{neg}' but impression asserts {key}")
        # impression negates what the findings affirm
        key = rng.choice(["ptx", "effusion", "consol", "nodule", "bulla", "freeair"])
        it = inst(rng, key, rng.choice(["right", "left"]))
        minors = pick_items(rng, n_minor=1) if rng.random() < 0.4 else []
        minors = [m for m in minors if m["key"] not in ("bulla",)]
        fs = compose(rng, [it] + minors)
        neg_imp = {"ptx": "No pneumothorax.", "effusion": "No pleural effusion.", "consol": "Lungs are clear.",
                   "nodule": "No pulmonary nodule or mass.", "bulla": "No bullae or blebs.",
                   "freeair": "No free subdiaphragmatic gas."}[key]
        imp = [m["i"] for m in minors] + [neg_imp]
        if rng.random() < 0.5:
            imp.append(rng.choice(FITNESS_CLOSERS))
        return layout(rng, " ".join(fs), imp, imp_list=imp_list), (
            f"composed: findings affirm {key} ('{it['f']}') but impression says '{neg_imp}'")

    if kind == "impression_omits_finding":
        key = rng.choice(SIG_KEYS)
        side = rng.choice(["right", "left"]) if BANK_BY_KEY[key]["sided"] else ""
        it = inst(rng, key, side)
        if rng.random() < 0.5:
            fs = compose(rng, [it])
            imp = [rng.choice(NORMAL_IMPS)]
            if rng.random() < 0.4:
                imp.append(rng.choice(FITNESS_CLOSERS))
            det = f"composed: findings affirm {key} ('{it['f']}'); impression replaced by a normal statement"
        else:
            minors = pick_items(rng, n_minor=rng.choice([1, 2]))
            fs = compose(rng, [it] + minors)
            imp = [m["i"] for m in minors]
            det = (f"composed: findings affirm {key} ('{it['f']}'); impression lists only "
                   f"{', '.join(m['key'] for m in minors)}")
        return layout(rng, " ".join(fs), imp, imp_list=imp_list), det

    if kind == "placeholder":
        items = pick_items(rng, n_minor=1) if rng.random() < 0.6 else []
        if items and items[0]["key"] in ("bulla", "rib") and rng.random() < 0.5:
            it = items[0]
            n = re.search(r"\d+", it["f"])
            if n:
                ph = rng.choice(["<<size>>", "XX", "[***]", "[ ]"])
                it["f"] = it["f"][:n.start()] + ph + it["f"][n.end():]
                fs = compose(rng, items)
                return (layout(rng, " ".join(fs), [items[0]["i"]], imp_list=imp_list),
                        f"composed: measurement in findings left as template field {ph}")
        fs = compose(rng, items)
        imp = [it["i"] for it in items] or [rng.choice(NORMAL_IMPS)]
        ph_kind = rng.choice(["comparison", "findings", "impression", "signoff"])
        if ph_kind == "comparison":
            ph = rng.choice(["[date of prior]", "<<comparison>>", "[***]"])
            return (layout(rng, " ".join(fs), imp, comparison=f"Compared with {ph}.", imp_list=imp_list),
                    f"composed: comparison date left as {ph}")
        if ph_kind == "findings":
            ph = rng.choice(["[***]", "[ ]", "<<additional findings>>", "[FINDINGS]"])
            fs.insert(rng.randrange(len(fs) + 1), ph)
            return layout(rng, " ".join(fs), imp, imp_list=imp_list), f"composed: unfilled field {ph} in findings"
        if ph_kind == "impression":
            ph = rng.choice(["[***]", "<<fitness category>>", "[fit / unfit]", "Radiologically ___ for duty."])
            imp = imp + [ph]
            return layout(rng, " ".join(fs), imp, imp_list=imp_list), f"composed: unfilled field '{ph}' in impression"
        ph = rng.choice(["[Radiologist name]", "<<signature>>", "Dr [***], Consultant Radiologist"])
        return layout(rng, " ".join(fs), imp, signoff=ph, imp_list=imp_list), f"composed: sign-off left as {ph}"
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------------------------
# IU-based cases
# ----------------------------------------------------------------------------------------------------------------

SIDE_RE = re.compile(r"\b(left|right)\b", re.I)
LAT_WORDS = re.compile(r"\b(opacit\w*|atelectasis|effusion|pneumonia|consolidation|nodul\w*|granuloma\w*|"
                       r"airspace|infiltrat\w*|pneumothorax|scar\w*|fracture\w*|hemidiaphragm|mass|lobe|base|"
                       r"basilar|apex|apical|calcifi\w*|thickening|density)\b", re.I)


def _sided_sentences(text):
    out = []
    for i, s in enumerate(sentences(text)):
        sides = {m.group(1).lower() for m in SIDE_RE.finditer(s)}
        if len(sides) == 1 and not re.search(r"\bbilateral|both\b", s, re.I):
            out.append((i, s, sides.pop()))
    return out


def lat_candidate(r):
    fnd, imp = r["findings"], r["impression"]
    fs_sides = {m.group(1).lower() for m in SIDE_RE.finditer(fnd)}
    is_sides = {m.group(1).lower() for m in SIDE_RE.finditer(imp)}
    if len(fs_sides) != 1 or len(is_sides) != 1 or fs_sides != is_sides:
        return None
    if re.search(r"\bbilateral|both\b|lingul|coronary|breast|shoulder|humer|clavic", fnd + " " + imp, re.I):
        return None
    fsided, isided = _sided_sentences(fnd), _sided_sentences(imp)
    if not fsided or not isided:
        return None
    for _, fs, _ in fsided:
        fw = {w.lower()[:6] for w in LAT_WORDS.findall(fs)}
        for _, s, _ in isided:
            iw = {w.lower()[:6] for w in LAT_WORDS.findall(s)}
            if fw and iw and fw & iw:
                return True
    return None


OMIT_RE = re.compile(r"\b(pneumothorax|consolidation|pneumonia|edema|airspace disease|infiltrate|mass|"
                     r"pleural effusions?|effusions?)\b", re.I)


def omit_candidate(r):
    fnd, imp = r["findings"], r["impression"]
    fa = [s for s in sentences(fnd) if OMIT_RE.search(s) and not re.search(
        r"\b(no|not|without|negative|resolved|resolution|resolving|small|tiny|trace|minimal|mild|mildly|possibl\w*|"
        r"may|might|cannot|questionable|versus|subtle|chronic|stable|unchanged|improv\w*|decreas\w*|healed|old|"
        r"clear\w*|free|removed|prior|previous|likely|probabl\w*|suggest\w*|borderline|if|or)\b", s, re.I)]
    ia = [s for s in sentences(imp) if OMIT_RE.search(s) and not re.search(r"\b(no|not|without|negative)\b", s, re.I)]
    if not fa or not ia:
        return None
    return fa[0]


def iu_clean_layout(rng, r, fnd=None, imp=None, **kw):
    fnd = uk_reword(r["findings"] if fnd is None else fnd)
    imp_s = sentences(uk_reword(r["impression"] if imp is None else imp))
    ind = r["indication"] if r["indication"] and rng.random() < 0.5 else rng.choice(INDICATIONS)
    comp = r["comparison"] if r["comparison"] and rng.random() < 0.6 else None
    return layout(rng, fnd, imp_s, indication=ind, comparison=comp, imp_list=kw.pop("imp_list", rng.random() < 0.4),
                  **kw)


def iu_case(rng, kind, r):
    tag = f"IU {r['uid']}"
    relaid = "re-laid out in offshore-medical style (UK spelling, local headers and sign-off)"
    if kind is None:
        return iu_clean_layout(rng, r), f"{tag}: unmodified apart from being {relaid}"

    if kind == "missing_section":
        mode = rng.choice(["imp_empty", "imp_removed", "imp_empty", "find_empty"])
        if mode == "imp_empty":
            return iu_clean_layout(rng, r, imp=""), f"{tag}: IMPRESSION emptied (header kept); {relaid}"
        if mode == "imp_removed":
            return iu_clean_layout(rng, r, drop_imp=True), f"{tag}: IMPRESSION section removed; {relaid}"
        return (iu_clean_layout(rng, r, fnd="", imp="Normal chest radiograph." if is_normal_iu(r) else None),
                f"{tag}: FINDINGS emptied (header kept); {relaid}")

    if kind == "laterality_conflict":
        fsided, isided = _sided_sentences(r["findings"]), _sided_sentences(r["impression"])
        where = rng.choice(["findings", "impression"])
        pool = isided if where == "impression" else fsided
        other = fsided if where == "impression" else isided
        other_words = {w.lower()[:6] for _, s, _ in other for w in LAT_WORDS.findall(s)}
        good = [p for p in pool if {w.lower()[:6] for w in LAT_WORDS.findall(p[1])} & other_words] or pool
        i, s, side = rng.choice(good)
        new = SIDE_RE.sub(lambda m: (flip(side).capitalize() if m.group(1)[0].isupper() else flip(side)), s)
        text = r["impression"] if where == "impression" else r["findings"]
        sents = sentences(text)
        sents[i] = new
        joined = " ".join(sents)
        if where == "impression":
            rep = iu_clean_layout(rng, r, imp=joined)
        else:
            rep = iu_clean_layout(rng, r, fnd=joined)
        return rep, f"{tag}: {side} -> {flip(side)} in {where} sentence '{new}'; {relaid}"

    if kind == "negation_conflict":
        opts = neg_options(r["findings"])
        name, tmpl = rng.choice(opts)
        side = rng.choice(["right", "left"])
        new_imp = tmpl.format(side=side, Side=side.capitalize())
        return (iu_clean_layout(rng, r, imp=new_imp),
                f"{tag}: findings negate {name}; impression replaced by '{new_imp}'; {relaid}")

    if kind == "impression_omits_finding":
        fa = omit_candidate(r)
        others = [s for s in sentences(r["impression"]) if not OMIT_RE.search(s) and not NORMAL_IMP.match(s)
                  and len(s) > 15 and not s[0].isdigit()
                  and not re.search(r"\b(opacit|atelect|airspace|infiltr|pneumon|consolid|edema|effus|change|"
                                    r"unchanged|stable|interval|improv|worse|increas|decreas|resol)", s, re.I)]
        if others and rng.random() < 0.6:
            imp = " ".join(others)
            how = "impression reduced to its other findings"
        else:
            imp = rng.choice(NORMAL_IMPS)
            how = "impression replaced by a normal statement"
        return iu_clean_layout(rng, r, imp=imp), f"{tag}: findings affirm '{fa}'; {how} ('{imp}'); {relaid}"

    if kind == "placeholder":
        fnd = r["findings"]
        mode = rng.choice(["word", "insert_f", "imp", "sig"])
        if mode == "word":
            words = [m for m in re.finditer(r"\b(heart|lungs|mediastinum|pneumothorax|effusion|normal|clear|"
                                            r"cardiac|pulmonary|osseous|bony|focal|pleural)\b", fnd)]
            if words:
                m = rng.choice(words)
                ph = rng.choice(["[***]", "[ ]", "<<finding>>", "[ORGAN]"])
                new = fnd[:m.start()] + ph + fnd[m.end():]
                return (iu_clean_layout(rng, r, fnd=new),
                        f"{tag}: word '{m.group(0)}' in findings replaced by {ph}; {relaid}")
            mode = "insert_f"
        if mode == "insert_f":
            ph = rng.choice(["[***]", "<<additional findings>>", "No bullae seen at [ ] apex.", "Bullae: ___."])
            sents = sentences(fnd)
            sents.insert(rng.randrange(len(sents) + 1), ph)
            return (iu_clean_layout(rng, r, fnd=" ".join(sents)),
                    f"{tag}: unfilled template field '{ph}' added to findings; {relaid}")
        if mode == "imp":
            ph = rng.choice(["[fit / unfit]", "<<fitness category>>", "[***]", "Follow-up in ___ months."])
            return (iu_clean_layout(rng, r, imp=r["impression"] + " " + ph),
                    f"{tag}: unfilled field '{ph}' appended to impression; {relaid}")
        ph = rng.choice(["[Radiologist name]", "<<signature>>", "Dr [***], Consultant Radiologist"])
        return iu_clean_layout(rng, r, signoff=ph), f"{tag}: sign-off left as template field {ph}; {relaid}"
    raise ValueError(kind)


def neg_options(fnd):
    """What a normal IU findings text explicitly negates, with an impression that would assert it."""
    opts = []
    if re.search(r"\bno\b[^.]{0,40}\bpneumothora(x|ces)\b", fnd, re.I):
        opts.append(("pneumothorax", "Small {side} apical pneumothorax."))
    if re.search(r"\bno\b[^.]{0,40}\beffusions?\b", fnd, re.I):
        opts.append(("effusion", "Moderate {side} pleural effusion."))
    if re.search(r"\bno (focal )?(airspace|consolidation|infiltrate)|lungs are clear|clear lungs", fnd, re.I):
        opts.append(("consolidation", "{Side} lower zone consolidation, likely infective."))
    if re.search(r"heart (size )?is normal|normal (heart|cardiac) size|heart size (is )?(within )?normal|"
                 r"cardiac silhouette (is )?(within )?normal|cardiomediastinal silhouette (is )?(within )?normal",
                 fnd, re.I):
        opts.append(("cardiomegaly", "Cardiomegaly."))
    return opts


def _has_neg_target(r):
    return bool(neg_options(r["findings"]))


# ----------------------------------------------------------------------------------------------------------------


def build(seed):
    shared = shared_dir()
    reports, _dev = load_iu(shared)
    rng = random.Random(f"heldout153-{seed}")
    half_clean, half_kind = N_CLEAN // 2, N_KIND // 2

    normal = [r for r in reports if is_normal_iu(r)]
    lat = [r for r in reports if lat_candidate(r)]
    omit = [r for r in reports if omit_candidate(r)]
    rng.shuffle(normal)
    rng.shuffle(lat)
    rng.shuffle(omit)
    used = set()

    def take(pool, n, cond=None):
        out = []
        for r in pool:
            if len(out) == n:
                break
            if r["uid"] in used or (cond and not cond(r)):
                continue
            used.add(r["uid"])
            out.append(r)
        if len(out) < n:
            raise RuntimeError(f"not enough IU reports ({len(out)} < {n})")
        return out

    iu_sel = {
        "laterality_conflict": take(lat, half_kind),
        "impression_omits_finding": take(omit, half_kind),
        "negation_conflict": take(normal, half_kind, _has_neg_target),
        "missing_section": take(normal, half_kind),
        "placeholder": take(normal, half_kind),
        None: take(normal, half_clean),
    }

    plan = []
    for kind in [None] + KINDS:
        n = half_clean if kind is None else half_kind
        plan += [(kind, "composed", None)] * n
        plan += [(kind, "iu", r) for r in iu_sel[kind]]
    rng.shuffle(plan)

    rows = []
    for k, (kind, src, r) in enumerate(plan):
        if src == "composed":
            report, detail = composed_case(rng, kind)
        else:
            report, detail = iu_case(rng, kind, r)
        rows.append({"id": f"h153-{seed}-{k}", "injected": kind, "detail": detail, "report": report})
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for row in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"===== {row['id']}  injected={kind}\n-- {row['detail']}\n{row['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
