"""Held-out report-error set 172: pulmonary hypertension / pulmonary embolism services (UK and US).

usage: python -m bench.make_heldout172 OUT.jsonl --seed S [--show N]

Writes 400 rows {"id", "injected", "detail", "report"}: 200 clean reports and 40 of each of the five
kinds (missing_section, laterality_conflict, negation_conflict, impression_omits_finding, placeholder).
Half of every group is composed from a phrase bank in the style of PH/PE services, half is real IU
reports (never a dev-set uid, each used at most once) re-laid out and lightly re-worded.
Standard library only; deterministic per seed and independent of PYTHONHASHSEED.
"""
import argparse
import html
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
REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_dir():
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


# ----------------------------------------------------------------------------- style of the setting

UK_STYLE = {
    "exam": ["CHEST X-RAY PA", "XR Chest PA", "Chest radiograph (PA)", "CXR PA erect", "XR CHEST AP (mobile)"],
    "clin": ["Clinical details", "CLINICAL DETAILS", "Clinical information", "History"],
    "comp": ["Comparison", "Compared with", "Previous"],
    "find": ["Findings", "FINDINGS", "Report"],
    "imp": ["Conclusion", "CONCLUSION", "Comment", "Opinion", "Impression"],
    "sign": [
        "Dr R. Pennington, Consultant Cardiothoracic Radiologist",
        "Reported by: Dr A. Mahmood, Consultant Radiologist, Pulmonary Vascular Service",
        "Dr S. Kowalski FRCR, Consultant Radiologist",
        "Reported by Dr H. Adeyemi (StR), verified by Dr C. Lloyd, Consultant Radiologist",
        "Dr E. Whitfield, Consultant Thoracic Radiologist. Report authorised electronically.",
    ],
    "normal_imp": [
        "No acute abnormality.",
        "Normal chest radiograph.",
        "No significant abnormality demonstrated.",
        "Appearances within normal limits.",
        "No acute cardiopulmonary abnormality.",
    ],
    "uk": True,
}
US_STYLE = {
    "exam": ["XR CHEST PA AND LATERAL", "CHEST, 2 VIEWS", "CHEST 1 VIEW PORTABLE", "Radiograph chest PA/lateral"],
    "clin": ["INDICATION", "CLINICAL HISTORY", "History", "Reason for exam"],
    "comp": ["COMPARISON", "Comparison"],
    "find": ["FINDINGS", "Findings"],
    "imp": ["IMPRESSION", "Impression"],
    "sign": [
        "Electronically signed by: M. Alvarez, MD, Pulmonary Vascular Imaging",
        "Interpreted by L. Brennan, MD. Signed electronically.",
        "Attending radiologist: D. Nakamura, MD",
        "Dictated by K. Osei, MD; final report signed by K. Osei, MD",
        "Read by: P. Hoffman, DO, Cardiothoracic Radiology",
    ],
    "normal_imp": [
        "No acute cardiopulmonary process.",
        "No acute cardiopulmonary abnormality.",
        "Negative chest radiograph.",
        "No acute disease in the chest.",
        "No radiographic evidence of acute cardiopulmonary disease.",
    ],
    "uk": False,
}

UK_CLIN = [
    "Known CTEPH, annual follow-up.", "Idiopathic PAH on IV epoprostenol via Hickman line. Febrile.",
    "Post thrombolysis for massive PE yesterday. ?bleed ?effusion.", "SOB, raised NT-proBNP. Known PH.",
    "Pleuritic chest pain, CTPA confirmed PE. Baseline film.", "Pre-assessment for pulmonary endarterectomy.",
    "Hickman line inserted today. Position?", "PH clinic review. Increasing breathlessness.",
    "Haemoptysis. Recent PE on apixaban.", "Routine review, treprostinil infusion.",
]
US_CLIN = [
    "Pulmonary hypertension, dyspnea on exertion.", "PE status post tPA, evaluate for hemorrhage.",
    "CTEPH s/p pulmonary thromboendarterectomy, follow up.", "Hickman placement for prostacyclin infusion.",
    "Chest pain, history of PE.", "Right heart failure, worsening edema.", "Fever, Hickman catheter in place.",
    "Hypoxia, known PAH on epoprostenol.", "Syncope, elevated RVSP on echo.",
    "Pre-op, pulmonary arterial hypertension.",
]


def side_word(side, cap=False):
    return side.capitalize() if cap else side


def other(side):
    return "left" if side == "right" else "right"


# ----------------------------------------------------------------------------- composed phrase bank
# each item: dom (domain it replaces), side (or None), f (findings sentence), i (impression line),
# sig (significant: leaving it out of the impression is an omission), neg (impression line negating it)

NORMALS = {
    "heart": ["Heart size is normal.", "Cardiothoracic ratio within normal limits.", "The heart is not enlarged."],
    "pa": ["The central pulmonary arteries are of normal calibre.", "Hila are normal in size and density.",
           "No enlargement of the pulmonary arteries."],
    "lungs": ["The lungs are clear.", "No consolidation or focal lung lesion.", "Clear lung fields."],
    "pleura": ["No pleural effusion or pneumothorax.", "Costophrenic angles are clear. No pneumothorax.",
               "No pleural effusion. No pneumothorax."],
    "bones": ["No acute bony abnormality.", "Bones unremarkable."],
}
NORMALS_US = {"pa": ["The central pulmonary arteries are of normal caliber.", "Hila are normal in size.",
                     "No enlargement of the pulmonary arteries."]}

# negation-by-meaning assertion for a normal domain statement (findings negate, impression asserts)
ASSERT_FOR_NORMAL = {
    "heart": ["Cardiomegaly.", "Enlarged heart with right ventricular configuration."],
    "pa": ["Enlarged central pulmonary arteries, in keeping with pulmonary hypertension.",
           "Dilated main pulmonary artery consistent with PH."],
    "lungs": ["{Side} lower zone consolidation.", "Wedge-shaped {side} basal opacity, likely pulmonary infarct."],
    "pleura": ["{Side} pleural effusion.", "Small {side} apical pneumothorax."],
}


def bank_item(kind, side, rng, uk):
    oe = "oedema" if uk else "edema"
    cal = "calibre" if uk else "caliber"
    S = side.capitalize() if side else ""
    s = side or ""
    if kind == "pa":
        size = rng.choice(["Enlarged", "Markedly enlarged", "Dilated"])
        return dict(dom="pa", side=None, sig=False,
                    f=f"{size} central pulmonary arteries with prominent main pulmonary artery segment.",
                    i=rng.choice(["Enlarged pulmonary arteries in keeping with known pulmonary hypertension.",
                                  "Appearances of pulmonary arterial hypertension, unchanged."]),
                    neg=f"Pulmonary arteries of normal {cal}.")
    if kind == "rv":
        return dict(dom="heart", side=None, sig=False,
                    f="Cardiomegaly with a right ventricular configuration and filling of the retrosternal space.",
                    i="Cardiomegaly with right heart enlargement, stable.", neg="Heart size normal.")
    if kind == "infarct":
        zone = rng.choice(["lower zone", "base", "costophrenic region"])
        return dict(dom="lungs", side=side, sig=True,
                    f=f"New peripheral wedge-shaped pleural-based opacity at the {s} {zone} (Hampton hump).",
                    i=f"New {s} basal opacity, in keeping with pulmonary infarction in the context of PE.",
                    neg="The lungs are clear.")
    if kind == "consol":
        lobe = rng.choice(["lower lobe", "middle lobe" if side == "right" else "lingula", "upper lobe"])
        return dict(dom="lungs", side=side, sig=True,
                    f=f"Consolidation in the {s} {lobe}.",
                    i=f"{S} {lobe} consolidation, infection or infarction.",
                    neg="No consolidation.")
    if kind == "effusion":
        size = rng.choice(["Moderate", "Large", "Moderate-sized"])
        return dict(dom="pleura", side=side, sig=True,
                    f=f"{size} {s} pleural effusion. No pneumothorax.",
                    i=f"{size} {s} pleural effusion.", neg="No pleural effusion.")
    if kind == "small_eff":
        return dict(dom="pleura", side=side, sig=False,
                    f=f"Small {s} pleural effusion. No pneumothorax.",
                    i=f"Small {s} pleural effusion.", neg="No pleural effusion.")
    if kind == "ptx":
        return dict(dom="pleura", side=side, sig=True,
                    f=f"There is a {rng.choice(['small', 'shallow', '2 cm'])} {s} apical pneumothorax. No effusion.",
                    i=f"{S} apical pneumothorax.", neg="No pneumothorax.")
    if kind == "oedema":
        return dict(dom="lungs", side=None, sig=True,
                    f=f"Upper lobe venous diversion with septal lines and bilateral perihilar airspace {oe}.",
                    i=f"Pulmonary {oe}, likely right heart decompensation/fluid overload.",
                    neg=f"No pulmonary {oe}.")
    if kind == "oligaemia":
        return dict(dom="lungs", side=side, sig=False,
                    f=f"Relative oligaemia of the {s} upper zone" + (" (Westermark sign)." if uk else "."),
                    i=f"{S} upper zone oligaemia, compatible with known thromboembolic disease.",
                    neg="The lungs are clear.")
    if kind == "nodule":
        mm = rng.choice([7, 8, 9, 12, 14])
        return dict(dom="lungs", side=side, sig=True, mm=mm,
                    f=f"New {mm} mm nodule in the {s} mid zone.",
                    i=f"New {mm} mm {s} mid zone nodule. CT chest recommended.", neg="No pulmonary nodule.")
    if kind == "atel":
        return dict(dom="lungs", side=side, sig=False,
                    f=f"Linear atelectasis at the {s} base.",
                    i=f"Minor {s} basal atelectasis.", neg="The lungs are clear.")
    if kind == "hickman":
        tip = rng.choice(["in the SVC", "at the cavoatrial junction", "in the lower SVC"])
        dev = rng.choice(["Hickman line", "tunnelled Hickman line", "tunneled central venous catheter"
                          if not uk else "tunnelled central line"])
        return dict(dom="lines", side=side, sig=False,
                    f=f"{S}-sided {dev} for prostanoid infusion, tip projected {tip}.",
                    i=f"{S}-sided Hickman line, tip satisfactorily {tip}.", neg=None)
    if kind == "sternotomy":
        return dict(dom="bones", side=None, sig=False,
                    f="Median sternotomy wires intact following pulmonary endarterectomy.",
                    i="Post pulmonary endarterectomy appearances.", neg=None)
    raise ValueError(kind)


SIDED = ["infarct", "consol", "effusion", "small_eff", "ptx", "oligaemia", "nodule", "atel", "hickman"]
SIG = ["infarct", "consol", "effusion", "ptx", "oedema", "nodule"]
NONSIG = ["pa", "rv", "small_eff", "oligaemia", "atel", "hickman", "sternotomy"]


def pick_items(rng, uk, kinds, sides=None):
    items, doms = [], []
    for j, k in enumerate(kinds):
        side = (sides[j] if sides and sides[j] else rng.choice(["left", "right"])) if k in SIDED else None
        it = bank_item(k, side, rng, uk)
        if it["dom"] in doms and it["dom"] != "lines":
            continue
        doms.append(it["dom"])
        items.append(it)
    return items


def compose_findings(rng, uk, items, negate_dom=None):
    """Findings sentences: items replace their domain's normal statement."""
    normals = dict(NORMALS)
    if not uk:
        normals.update(NORMALS_US)
    by_dom = {it["dom"]: it for it in items}
    sents = []
    order = ["lines", "heart", "pa", "lungs", "pleura", "bones"]
    if rng.random() < 0.4:
        order = ["lines", "lungs", "pleura", "heart", "pa", "bones"]
    chosen_normal = {}
    for d in order:
        if d in by_dom:
            sents.append(by_dom[d]["f"])
        elif d in normals and (d != "bones" or rng.random() < 0.5 or d == negate_dom):
            if d == "pa" and rng.random() < 0.3 and d != negate_dom:
                continue
            t = rng.choice(normals[d])
            chosen_normal[d] = t
            sents.append(t)
    return sents, chosen_normal


def layout(rng, style, clin, comp, findings, impression, sign=True, find_list=None, imp_list=None,
           omit_find=False, find_empty=False, imp_mode="normal", rec=None):
    """findings / impression: lists of sentences. imp_mode: normal | empty | signonly | removed."""
    lines = []
    if rng.random() < 0.7:
        lines.append(rng.choice(style["exam"]))
    if clin:
        lines.append(f"{rng.choice(style['clin'])}: {clin}")
    if comp:
        lines.append(f"{rng.choice(style['comp'])}: {comp}")
    lines.append("")
    fh = rng.choice(style["find"])
    ih = rng.choice(style["imp"])
    if find_list is None:
        find_list = rng.random() < 0.3
    if imp_list is None:
        imp_list = len(impression) > 1 and rng.random() < 0.6
    if not omit_find:
        if find_empty:
            lines.append(f"{fh}:")
            lines.append("")
        elif find_list:
            lines.append(f"{fh}:")
            lines.extend(f"- {s}" for s in findings)
            lines.append("")
        elif rng.random() < 0.5:
            lines.append(f"{fh}: " + " ".join(findings))
            lines.append("")
        else:
            lines.append(f"{fh}:")
            lines.append(" ".join(findings))
            lines.append("")
    signature = rng.choice(style["sign"])
    if imp_mode == "normal":
        if imp_list:
            lines.append(f"{ih}:")
            lines.extend(f"{n}. {s}" for n, s in enumerate(impression, 1))
        else:
            lines.append(f"{ih}: " + " ".join(impression))
        if rec:
            lines.append(rec)
    elif imp_mode == "empty":
        lines.append(f"{ih}:")
        lines.append("")
    elif imp_mode == "signonly":
        lines.append(f"{ih}:")
        lines.append(signature)
        return "\n".join(lines).strip() + "\n"
    if sign:
        lines.append("")
        lines.append(signature)
    return "\n".join(lines).strip() + "\n"


def comp_text(rng, uk):
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.choice([2021, 2022, 2023, 2024])
    date = f"{d:02d}/{m:02d}/{y}" if uk else f"{m}/{d}/{y}"
    return rng.choice([f"Chest radiograph {date}.", f"Previous film of {date}.", f"CTPA {date}.",
                       "None available.", f"{date}.", "No previous imaging."])


RECS = ["Recommend clinical correlation.", "Suggest correlation with CTPA findings.",
        "Discussed with the PH team.", "Follow-up film after treatment suggested."]


def composed_case(rng, kind):
    uk = rng.random() < 0.55
    style = UK_STYLE if uk else US_STYLE
    clin = rng.choice(UK_CLIN if uk else US_CLIN)
    comp = comp_text(rng, uk) if rng.random() < 0.8 else None
    detail = ""
    imp_mode, find_empty = "normal", False
    rec = rng.choice(RECS) if rng.random() < 0.2 else None

    def pool(n_sig, n_non, need_side=False, min_items=0):
        while True:
            ks = rng.sample(SIG, n_sig) + rng.sample(NONSIG, n_non)
            if need_side and not any(k in SIDED for k in ks):
                ks.append(rng.choice(["effusion", "consol", "hickman", "infarct", "oligaemia"]))
            rng.shuffle(ks)
            items = pick_items(rng, uk, ks)
            if sum(it["sig"] for it in items) != n_sig or len(items) < min_items:
                continue
            if need_side and not any(it["side"] for it in items):
                continue
            return items

    if kind is None or kind in ("missing_section", "placeholder"):
        n_sig = rng.choice([0, 0, 1, 1, 2])
        items = pool(n_sig, rng.choice([0, 1, 1, 2]), need_side=(kind == "placeholder"))
        findings, _ = compose_findings(rng, uk, items)
        imp = [it["i"] for it in items] or [rng.choice(style["normal_imp"])]
        if items and not any(it["sig"] for it in items) and rng.random() < 0.5:
            imp.append("No acute change.")
        if kind == "missing_section":
            mode = rng.choice(["imp_empty", "imp_sign", "imp_removed", "find_empty"])
            if mode == "find_empty":
                find_empty = True
                detail = "FINDINGS header kept with nothing under it"
            elif mode == "imp_empty":
                imp_mode = "empty"
                detail = "IMPRESSION/conclusion header kept, section left empty"
            elif mode == "imp_sign":
                imp_mode = "signonly"
                detail = "IMPRESSION/conclusion header followed only by the sign-off"
            else:
                imp_mode = "removed"
                rec = None
                detail = "IMPRESSION/conclusion section removed; report ends after findings"
        text = layout(rng, style, clin, comp, findings, imp, find_empty=find_empty, imp_mode=imp_mode, rec=rec)
        if kind == "placeholder":
            text, detail = put_placeholder(rng, text, items)
        return text, detail

    if kind == "laterality_conflict":
        items = pool(rng.choice([0, 1]), rng.choice([0, 1]), need_side=True)
        sided = [it for it in items if it["side"]]
        tgt = rng.choice(sided)
        findings, _ = compose_findings(rng, uk, items)
        imp = [it["i"] for it in items]
        sd = tgt["side"]
        where = rng.choice(["findings", "impression"])
        if where == "findings":
            k = findings.index(tgt["f"])
            findings[k] = flip(tgt["f"])
            new = findings[k]
        else:
            k = imp.index(tgt["i"])
            imp[k] = flip(tgt["i"])
            new = imp[k]
        detail = f"{sd} changed to {other(sd)} in the {where}: '{new}'; the other section keeps {sd}"
        return layout(rng, style, clin, comp, findings, imp, rec=rec), detail

    if kind == "negation_conflict":
        if rng.random() < 0.5:
            # findings negate a domain, impression asserts it
            items = pool(0, rng.choice([0, 1]))
            dom = rng.choice([d for d in ["heart", "pa", "lungs", "pleura"] if d not in [i["dom"] for i in items]])
            findings, normals = compose_findings(rng, uk, items, negate_dom=dom)
            if dom not in normals:
                findings.append(NORMALS[dom][0])
                normals[dom] = NORMALS[dom][0]
            a = rng.choice(ASSERT_FOR_NORMAL[dom])
            sd = rng.choice(["left", "right"])
            a = a.replace("{Side}", sd.capitalize()).replace("{side}", sd)
            if dom == "pleura" and "pneumothorax" in a and "pneumothorax" not in normals[dom]:
                a = f"{sd.capitalize()} pleural effusion."
            if dom == "pleura" and "effusion" in a and "effusion" not in normals[dom]:
                a = f"Small {sd} apical pneumothorax."
            imp = [it["i"] for it in items] + [a]
            rng.shuffle(imp)
            detail = f"findings say '{normals[dom]}' but the impression asserts '{a}'"
        else:
            items = pool(1, rng.choice([0, 1]))
            tgt = [it for it in items if it["sig"]][0]
            findings, _ = compose_findings(rng, uk, items)
            imp = [it["neg"] if it is tgt else it["i"] for it in items]
            detail = f"findings affirm '{tgt['f']}' but the impression says '{tgt['neg']}'"
        return layout(rng, style, clin, comp, findings, imp, rec=rec), detail

    if kind == "impression_omits_finding":
        if rng.random() < 0.5:
            items = pool(1, 0)
            findings, _ = compose_findings(rng, uk, items)
            imp = [rng.choice(style["normal_imp"])]
            detail = f"findings affirm '{items[0]['f']}'; impression replaced by a normal statement"
        else:
            items = pool(1, rng.choice([1, 2]), min_items=2)
            tgt = [it for it in items if it["sig"]][0]
            findings, _ = compose_findings(rng, uk, items)
            imp = [it["i"] for it in items if it is not tgt]
            detail = f"findings affirm '{tgt['f']}'; impression lists only the other findings"
        return layout(rng, style, clin, comp, findings, imp, rec=None), detail
    raise ValueError(kind)


def flip(sentence):
    def rep(m):
        w = m.group(0)
        o = "left" if w.lower() == "right" else "right"
        return o.capitalize() if w[0].isupper() else o
    return re.sub(r"\b(left|right|Left|Right)\b", rep, sentence)


PH_TOKENS = ["[***]", "[ ]", "***", "<<size>>", "[SIDE]", "[LEFT/RIGHT]", "XX", "[level]", "<<>>", "[ measurement ]"]


def put_placeholder(rng, text, items):
    """Replace one value/word in the body with an unfilled template field."""
    lines = text.split("\n")
    body = [k for k, ln in enumerate(lines) if ln and not ln.startswith(tuple(UK_STYLE["sign"] + US_STYLE["sign"]))]
    choices = []
    for k in body:
        ln = lines[k]
        for m in re.finditer(r"\b(\d+) (mm|cm)\b", ln):
            choices.append((k, m.start(1), m.end(1), rng.choice(["<<size>>", "XX", "___", "[***]"]), "size"))
        for m in re.finditer(r"\b(left|right|Left|Right)\b", ln):
            choices.append((k, m.start(), m.end(), rng.choice(["[SIDE]", "[LEFT/RIGHT]", "[ ]"]), "side"))
        for m in re.finditer(r"\b(SVC|cavoatrial junction)\b", ln):
            choices.append((k, m.start(), m.end(), rng.choice(["[tip position]", "[level]", "***"]), "tip position"))
        for m in re.finditer(r"\b(\d{1,2}/\d{1,2}/\d{4})\b", ln):
            choices.append((k, m.start(), m.end(), rng.choice(["<<date>>", "[date of prior]"]), "comparison date"))
        for m in re.finditer(r"\b(clear|normal|Moderate|Large|enlarged|Enlarged|consolidation|oligaemia)\b", ln):
            choices.append((k, m.start(), m.end(), rng.choice(["[***]", "[ ]", "***"]), "word"))
    k, a, b, tok, what = rng.choice(choices)
    old = lines[k][a:b]
    lines[k] = lines[k][:a] + tok + lines[k][b:]
    return "\n".join(lines), f"{what} '{old}' replaced by template field '{tok}'"


# ----------------------------------------------------------------------------- IU reports

_IU_CACHE = {}


def load_iu(sd):
    key = str(sd)
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    out = []
    with tarfile.open(sd / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf.getmembers():
            if not m.name.endswith(".xml"):
                continue
            t = tf.extractfile(m).read().decode("utf-8", "replace")
            uid = re.search(r'<uId id="([^"]+)"', t)
            if not uid:
                continue
            d = {}
            for mm in re.finditer(r'<AbstractText Label="(\w+)"(?:\s*/>|>(.*?)</AbstractText>)', t, re.S):
                d[mm.group(1).lower()] = " ".join(html.unescape(mm.group(2) or "").split())
            d["uid"] = uid.group(1)
            out.append(d)
    out.sort(key=lambda d: int(re.sub(r"\D", "", d["uid"]) or 0))
    _IU_CACHE[key] = out
    return out


def dev_uids(sd):
    p = sd / "eval" / "report_errors_dev.jsonl"
    if not p.exists():
        return set()
    return {json.loads(ln)["uid"] for ln in open(p) if ln.strip()}


def sents(t):
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", t.strip()) if s.strip()]


FAM = {
    "effusion": r"effusion|pleural fluid",
    "ptx": r"pneumothora",
    "airspace": r"consolidat|airspace|air space|infiltrat|pneumonia|opacit",
    "edema": r"edema|oedema|congestion",
    "heart": r"cardiomegaly|heart (size )?is enlarged|enlarged heart|enlargement of the cardiac|cardiac enlargement",
    "nodule": r"nodul|mass|granuloma",
    "atel": r"atelecta|scar",
    "other": r"emphysema|hyperinfla|fracture|degenerat|spondyl|scoliosis|tortuous|calcif|elevat|hernia|sternotomy"
             r"|catheter|pacemaker|kyphosis|copd|blunting|thickening|prominen|deformit|osteophyt|hilar|interstitial",
}
ABN = "|".join(FAM.values())
NEG = r"\b(no|not|without|negative|free of|clear|resolved|resolution|normal|unremarkable|within normal)\b"
MIXED = r"\b(but|however|although|except|other than|otherwise|small|mild|minimal|trace|tiny|stable|chronic|old)\b"
NORMAL_IMP = r"^(\d\.\s*)?(no acute|normal|negative|no active|no radiographic evidence|no evidence of acute|" \
             r"no acute cardiopulmonary|unremarkable|no significant)"


def fams(s):
    return [f for f, r in FAM.items() if re.search(r, s, re.I)]


def affirmed(s):
    """families a sentence affirms (crude: a sentence with a negation word affirms nothing unless mixed)."""
    f = fams(s)
    if not f:
        return []
    if re.search(NEG, s, re.I) and not re.search(MIXED, s, re.I):
        return []
    if re.search(NEG, s, re.I):
        return ["?"]
    return f


def is_normal_report(d):
    f, i = d.get("findings", ""), d.get("impression", "")
    if not f or not i or len(f) > 600 or len(i) > 200:
        return False
    for s in sents(f) + sents(i):
        if re.search(ABN, s, re.I) and not (re.search(NEG, s, re.I) and not re.search(MIXED, s, re.I)):
            return False
        if re.search(r"\b(left|right|bilateral)\b", s, re.I):
            return False
    return bool(re.search(NORMAL_IMP, i.strip(), re.I))


def sides_in(t):
    return sorted({w.lower() for w in re.findall(r"\b(left|right)\b", t, re.I)})


def consistent_abnormal(d):
    f, i = d.get("findings", ""), d.get("impression", "")
    if not f or not i or len(f) > 700 or len(i) > 300:
        return False
    fa, ia = [], []
    for s in sents(f):
        a = affirmed(s)
        if "?" in a:
            return False
        fa += a
    for s in sents(i):
        a = affirmed(s)
        if "?" in a:
            return False
        ia += a
        if re.search(NEG, s, re.I) and fams(s) and any(x in fa for x in fams(s)):
            return False
    for s in sents(f):
        if re.search(NEG, s, re.I) and any(x in ia for x in fams(s)):
            return False
    core = [x for x in fa if x in ("effusion", "ptx", "airspace", "edema", "heart", "nodule", "atel")]
    if not core or any(x not in ia for x in core) or any(x not in fa for x in ia if x != "other"):
        return False
    if re.search(NORMAL_IMP, i, re.I) or re.search(r"bilateral|both", f + i, re.I):
        return False
    return sides_in(f) == sides_in(i) and len(sides_in(f)) <= 1


def lat_candidate(d):
    f, i = d.get("findings", ""), d.get("impression", "")
    if not f or not i or len(f) > 700 or len(i) > 300:
        return None
    sf, si = sides_in(f), sides_in(i)
    if len(sf) != 1 or sf != si or re.search(r"bilateral|both|bibasilar", f + i, re.I):
        return None
    sd = sf[0]
    fs = [s for s in sents(f) if re.search(rf"\b{sd}\b", s, re.I)]
    is_ = [s for s in sents(i) if re.search(rf"\b{sd}\b", s, re.I)]
    if len(fs) != 1 or len(is_) != 1:
        return None
    share = [x for x in fams(fs[0]) if x in fams(is_[0]) and x != "other"]
    if not share or affirmed(fs[0]) == [] or affirmed(is_[0]) == []:
        return None
    return sd, fs[0], is_[0]


SIG_SENT = {
    "effusion": lambda s: re.search(r"effusion", s, re.I)
                          and not re.search(r"small|trace|tiny|minimal|blunting|stable|chronic|unchanged", s, re.I),
    "ptx": lambda s: re.search(r"pneumothora", s, re.I) and not re.search(r"resolv|decreas|stable", s, re.I),
    "airspace": lambda s: re.search(r"consolidat|airspace|air space|infiltrat|pneumonia", s, re.I)
                          and not re.search(r"scar|chronic|old|stable|resolv|improv|subsegmental|atelecta|mild",
                                            s, re.I),
    "edema": lambda s: re.search(r"edema", s, re.I)
                       and not re.search(r"mild|resolv|improv|minimal|stable|unchanged", s, re.I),
}


def omit_candidate(d):
    f, i = d.get("findings", ""), d.get("impression", "")
    if not f or not i or len(f) > 700 or len(i) > 300:
        return None
    for s in sents(f):
        a = affirmed(s)
        if not a or "?" in a:
            continue
        for fam in ("ptx", "effusion", "airspace", "edema"):
            if fam in a and SIG_SENT[fam](s) and any(fam in affirmed(x) for x in sents(i)):
                rest = [x for x in sents(i) if not (set(fams(x)) & {"effusion", "ptx", "airspace", "edema"})
                        and not re.search(NORMAL_IMP, x, re.I) and re.search(ABN, x, re.I)
                        and not re.search(r"otherwise|other", x, re.I)]
                return fam, s, rest
    return None


REWORD_COMMON = [
    (r"\bchest x-XXXX\b", "chest radiograph"), (r"\bx-XXXX\b", "radiograph"),
    (r"\bThere is no evidence of\b", "No"), (r"\bThere are no\b", "No"), (r"\bThere is no\b", "No"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal contour"),
    (r"\bpulmonary vascularity\b", "pulmonary vasculature"),
    (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary process"),
]
REWORD_COMMON_UK = [(a, "No acute cardiopulmonary abnormality" if "disease" in a else b) for a, b in REWORD_COMMON]
REWORD_UK = [(r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bhemorrhage\b", "haemorrhage"),
             (r"\bcaliber\b", "calibre"), (r"\bcenter\b", "centre"), (r"\bhemithorax\b", "hemithorax"),
             (r"\bNo acute cardiopulmonary process\b", "No acute cardiopulmonary abnormality")]


def reword(t, uk):
    changed = []
    for a, b in (REWORD_COMMON_UK + REWORD_UK) if uk else REWORD_COMMON:
        t2 = re.sub(a, b, t)
        if t2 != t:
            changed.append(f"'{a.strip(chr(92) + 'b')}'->'{b}'")
            t = t2
    t = re.sub(r"(^|\s)No ([a-z])", lambda m: m.group(1) + "No " + m.group(2), t)
    return t, changed


def iu_layout(rng, d, uk, findings, impression, **kw):
    style = UK_STYLE if uk else US_STYLE
    clin = d.get("indication") or None
    comp = d.get("comparison") or None
    return layout(rng, style, clin, comp, findings, impression, **kw)


NEG_BY_FAM = {"effusion": ["No pleural effusion."], "ptx": ["No pneumothorax."],
              "airspace": ["The lungs are clear.", "No focal consolidation."],
              "edema": ["No pulmonary edema."]}


def iu_case(rng, d, kind, data=None):
    uk = rng.random() < 0.5
    f, changed_f = reword(d["findings"], uk)
    i, changed_i = reword(d["impression"], uk)
    fs, is_ = sents(f), sents(i)
    lay = f"IU {d['uid']}: re-laid out in {'UK' if uk else 'US'} PH-service style"
    ch = sorted(set(changed_f + changed_i))
    lay += (", reworded " + ", ".join(ch)) if ch else ""
    if kind is None:
        return iu_layout(rng, d, uk, fs, is_), lay + "; unmodified content"
    if kind == "missing_section":
        mode = rng.choice(["imp_empty", "imp_sign", "imp_removed", "find_empty"])
        if mode == "find_empty":
            return iu_layout(rng, d, uk, fs, is_, find_empty=True), lay + "; FINDINGS emptied (header kept)"
        m = {"imp_empty": "empty", "imp_sign": "signonly", "imp_removed": "removed"}[mode]
        return iu_layout(rng, d, uk, fs, is_, imp_mode=m), lay + f"; IMPRESSION emptied ({mode})"
    if kind == "laterality_conflict":
        sd, fsent, isent = data
        f_s = next(s for s in fs if re.search(rf"\b{sd}\b", s, re.I))
        i_s = next(s for s in is_ if re.search(rf"\b{sd}\b", s, re.I))
        if rng.random() < 0.5:
            fs = [flip(s) if s == f_s else s for s in fs]
            msg = f"; {sd}->{other(sd)} in findings sentence '{flip(f_s)}' (impression keeps {sd}: '{i_s}')"
        else:
            is_ = [flip(s) if s == i_s else s for s in is_]
            msg = f"; {sd}->{other(sd)} in impression sentence '{flip(i_s)}' (findings keep {sd}: '{f_s}')"
        return iu_layout(rng, d, uk, fs, is_), lay + msg
    if kind == "negation_conflict":
        if data is not None:
            fam, s, rest = data
            neg = rng.choice(NEG_BY_FAM[fam])
            if uk:
                neg = neg.replace("edema", "oedema")
            imp = [neg] + rest
            return iu_layout(rng, d, uk, fs, imp), lay + f"; findings affirm '{s}' but impression now says '{neg}'"
        opts = []
        for s in fs:
            if re.search(r"effusion", s, re.I) and re.search(r"\bno\b", s, re.I) and not re.search(r"large", s, re.I):
                opts.append((s, "{Side} pleural effusion."))
            if re.search(r"pneumothora", s, re.I) and re.search(r"\bno\b", s, re.I):
                opts.append((s, "{Side} apical pneumothorax."))
            if re.search(r"lungs are (grossly )?clear|clear lungs", s, re.I):
                opts.append((s, "{Side} lower lobe consolidation, possible pulmonary infarct."))
            if re.search(r"heart (size )?is normal|normal heart|heart size (is )?(within )?normal", s, re.I):
                opts.append((s, "Cardiomegaly with right heart configuration."))
        s, a = rng.choice(opts)
        sd = rng.choice(["left", "right"])
        a = a.replace("{Side}", sd.capitalize())
        return iu_layout(rng, d, uk, fs, [a]), lay + f"; impression replaced by '{a}' although findings say '{s}'"
    if kind == "impression_omits_finding":
        fam, s, rest = data
        if rest:
            msg = f"; findings affirm '{s}', impression cut to the other findings"
            return iu_layout(rng, d, uk, fs, rest), lay + msg
        style = UK_STYLE if uk else US_STYLE
        n = rng.choice(style["normal_imp"])
        return iu_layout(rng, d, uk, fs, [n]), lay + f"; findings affirm '{s}', impression replaced by '{n}'"
    if kind == "placeholder":
        text = iu_layout(rng, d, uk, fs, is_)
        lines = text.split("\n")
        sec = [k for k, ln in enumerate(lines) if re.match(r"^(- |\d\. )?[A-Za-z]", ln) and ":" not in ln[:4]]
        choices = []
        start = next(k for k, ln in enumerate(lines) if ln == "")
        for k in range(start, len(lines)):
            ln = lines[k]
            if ln.startswith(tuple(UK_STYLE["sign"] + US_STYLE["sign"])):
                continue
            for m in re.finditer(r"\b(normal|clear|unremarkable|heart|lungs|effusion|pneumothorax|left|right|"
                                 r"mediastinum|size|acute)\b", ln):
                choices.append((k, m.start(), m.end()))
        del sec
        k, a, b = rng.choice(choices)
        old = lines[k][a:b]
        tok = rng.choice(["[***]", "[ ]", "***", "<<>>", "[normal/abnormal]"]) if old not in ("left", "right") \
            else rng.choice(["[SIDE]", "[LEFT/RIGHT]"])
        lines[k] = lines[k][:a] + tok + lines[k][b:]
        return "\n".join(lines), lay + f"; word '{old}' replaced by template field '{tok}'"
    raise ValueError(kind)


def candidates(sd):
    key = ("cands", str(sd))
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    iu = [d for d in load_iu(sd) if d["uid"] not in dev_uids(sd)]
    normal = [d for d in iu if is_normal_report(d)]
    abn_clean = [d for d in iu if consistent_abnormal(d)]
    lat = [(d, lat_candidate(d)) for d in iu]
    lat = [x for x in lat if x[1]]
    om = [(d, omit_candidate(d)) for d in iu]
    om = [x for x in om if x[1]]
    om_rest = [x for x in om if x[1][2]]
    om_none = [x for x in om if not x[1][2]]
    neg_ok = [d for d in normal if re.search(r"(\bno\b.*(effusion|pneumothora))|lungs are (grossly )?clear|clear lungs|"
                                             r"heart (size )?is normal|normal heart", d["findings"], re.I)]
    _IU_CACHE[key] = (normal, abn_clean, lat, om, om_rest, om_none, neg_ok)
    return _IU_CACHE[key]


def build(seed, shared=None):
    sd = Path(shared) if shared else shared_dir()
    rng = random.Random(f"h172-{seed}")
    normal, abn_clean, lat, om, om_rest, om_none, neg_ok = candidates(sd)
    used = set()

    def take(cands, n, key=lambda x: x):
        out = []
        for x in rng.sample(cands, len(cands)):
            u = key(x)["uid"]
            if u in used:
                continue
            used.add(u)
            out.append(x)
            if len(out) == n:
                break
        if len(out) < n:
            raise RuntimeError(f"not enough IU candidates ({len(out)}/{n})")
        return out

    plan = []  # (kind, source, data)
    h = N_KIND // 2
    for x in take(lat, h, key=lambda x: x[0]):
        plan.append(("laterality_conflict", x[0], x[1]))
    n_rest = h // 2
    for x in take(om_rest, n_rest, key=lambda x: x[0]):
        plan.append(("impression_omits_finding", x[0], x[1]))
    for x in take(om_none + om_rest, h - n_rest, key=lambda x: x[0]):
        plan.append(("impression_omits_finding", x[0], (x[1][0], x[1][1], [])))
    for x in take(om, 6, key=lambda x: x[0]):
        plan.append(("negation_conflict", x[0], x[1]))
    for d in take(neg_ok, h - 6):
        plan.append(("negation_conflict", d, None))
    for d in take(normal + abn_clean, h):
        plan.append(("missing_section", d, None))
    for d in take(normal + abn_clean, h):
        plan.append(("placeholder", d, None))
    for d in take(abn_clean, 30):
        plan.append((None, d, None))
    for d in take(normal, N_CLEAN // 2 - 30):
        plan.append((None, d, None))

    rows = []
    for kind, d, data in plan:
        text, detail = iu_case(rng, d, kind, data)
        rows.append({"injected": kind, "detail": detail, "report": text})
    for kind in [None] * (N_CLEAN // 2) + [k for k in KINDS for _ in range(h)]:
        text, detail = composed_case(rng, kind)
        rows.append({"injected": kind, "detail": "composed (PH/PE phrase bank)" + (f": {detail}" if detail else ""),
                     "report": text})
    rng.shuffle(rows)
    return [{"id": f"h172-{seed}-{k}", **r} for k, r in enumerate(rows)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
            for r in [r for r in rows if r["injected"] == k][: a.show]:
                print(f"=== {r['id']} [{k}] {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
