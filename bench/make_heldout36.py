"""Held-out report-check set 36: impressions written as clinical diagnoses (written blind).

Written without seeing the checker, its rules, its tests or any other held-out generator. Only the
scorer's format, the shared eval README, the IU (Open-i) archive and the ``uid`` field of the dev set
were read.

Theme: FINDINGS described radiologically (consolidation, effusion, cavity, nodules, oedema) and the
IMPRESSION naming a clinical diagnosis ("Left lower lobe pneumonia", "Community-acquired pneumonia",
"Congestive cardiac failure", "LVF", "Pulmonary oedema secondary to fluid overload", "Primary lung
malignancy until proven otherwise", "Reactivation TB", "COPD", "Pneumothorax requiring drainage",
"Aspiration", "Empyema", "Sarcoidosis", "Metastatic disease"), with or without the finding named.

Styles (layouts): UK district-general (Clinical details / Findings / Opinion), ward-round style with
"Report:" and "Conclusion:", numbered diagnosis lists, "Radiological diagnosis:" with ICD-10 codes in
brackets, "Impression" with "?CAP"/"likely" hedges and a "Suggest ..." recommendation line, and
real IU reports re-laid out in those styles (US -> UK spelling, XXXX kept).
Composed reports may carry MIMIC-style ``___`` identifier masks (names, dates, ages), never XXXX.

usage: python -m bench.make_heldout36 OUT.jsonl --seed S [--show N]
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

# ---------------------------------------------------------------- phrase bank (composed reports)
# Each diagnosis: findings sentences ({s}=side word, {S}=Side), impression wordings with a side and
# without, words that name it (for the omission check) and a findings sentence ruling it out.
DX = {
    "pneumonia": {
        "sided": True,
        "find": [
            "Dense consolidation in the {s} lower lobe with air bronchograms.",
            "Patchy airspace opacification at the {s} base, obscuring the {s} hemidiaphragm.",
            "Airspace consolidation in the {s} mid and lower zones.",
            "New {s} lower zone consolidation compared with the film of ___.",
        ],
        "imp_side": [
            "{S} lower lobe pneumonia.",
            "{S} basal pneumonia.",
            "Community-acquired pneumonia, {s} lower lobe.",
            "{S} lower zone consolidation in keeping with pneumonia.",
        ],
        "imp": [
            "Community-acquired pneumonia.",
            "Pneumonia.",
            "Changes consistent with CAP.",
            "Lobar pneumonia; suggest follow-up film in 6 weeks to confirm resolution.",
        ],
        "names": ["pneumon", "consolidat", "airspace", "opacit", "infect", "cap", "aspirat", "lrti"],
        "rule_out": [
            "The lungs are clear.",
            "No focal consolidation.",
            "Both lungs are clear with no airspace opacity.",
        ],
    },
    "aspiration": {
        "sided": True,
        "find": [
            "Patchy airspace opacity in the {s} lower zone, more marked posteriorly on the lateral view.",
            "Ill-defined opacification at the {s} base in a dependent distribution.",
        ],
        "imp_side": [
            "Aspiration, {s} lower lobe.",
            "Appearances suggest aspiration pneumonia at the {s} base.",
            "{S} basal aspiration.",
        ],
        "imp": ["Aspiration.", "In keeping with aspiration pneumonia."],
        "names": ["aspirat", "pneumon", "consolidat", "opacit", "airspace"],
        "rule_out": ["The lungs are clear.", "No airspace opacity at either base."],
    },
    "oedema": {
        "sided": False,
        "find": [
            "Upper lobe venous diversion with bilateral perihilar haziness and Kerley B lines.",
            "Bilateral alveolar shadowing in a bat's-wing distribution with septal lines.",
            "Interstitial oedema with peribronchial cuffing and fluid in the horizontal fissure.",
        ],
        "imp": [
            "Congestive cardiac failure.",
            "LVF.",
            "Pulmonary oedema secondary to fluid overload.",
            "Appearances are those of left ventricular failure.",
            "Fluid overload.",
        ],
        "names": ["oedema", "edema", "failure", "lvf", "overload", "congest", "ccf"],
        "rule_out": [
            "No pulmonary oedema.",
            "No features of pulmonary venous hypertension or oedema.",
            "Pulmonary vasculature is normal with no oedema.",
        ],
    },
    "empyema": {
        "sided": True,
        "find": [
            "Loculated {s} pleural collection with a lentiform configuration along the lateral chest wall.",
            "Moderate {s} pleural effusion with a loculated component laterally.",
            "Large {s} pleural effusion with mediastinal shift to the opposite side.",
        ],
        "imp_side": [
            "{S} empyema.",
            "{S}-sided empyema until proven otherwise.",
            "{S} empyema; suggest ultrasound and aspiration.",
        ],
        "imp": ["Empyema.", "Probable empyema."],
        "names": ["empyema", "effusion", "fluid", "collection", "pleural"],
        "rule_out": ["No pleural effusion.", "The costophrenic angles are clear.", "No pleural fluid."],
    },
    "pneumothorax": {
        "sided": True,
        "find": [
            "Large {s} pneumothorax with the visceral pleural edge 4 cm from the chest wall at the hilum.",
            "{S} pneumothorax with a 3.5 cm apical rim; no mediastinal shift.",
            "Large {s} pneumothorax with partial collapse of the {s} lung.",
        ],
        "imp_side": [
            "{S} pneumothorax requiring drainage.",
            "Large {s} pneumothorax requiring drainage.",
            "{S} pneumothorax - needs a chest drain.",
        ],
        "imp": ["Pneumothorax requiring drainage.", "Large pneumothorax, for drainage."],
        "names": ["pneumothora", "drain", "ptx"],
        "rule_out": ["No pneumothorax.", "No pneumothorax is seen.", "Lung edges are at the chest wall bilaterally."],
    },
    "malignancy": {
        "sided": True,
        "find": [
            "A 3.4 cm spiculated mass in the {s} upper lobe.",
            "Lobulated 28 mm mass projected over the {s} hilum.",
            "Irregular 4 cm opacity in the {s} upper zone with ipsilateral hilar enlargement.",
        ],
        "imp_side": [
            "{S} lung mass - primary lung malignancy until proven otherwise.",
            "{S} lung cancer until proven otherwise.",
            "{S}-sided mass, likely bronchogenic carcinoma.",
        ],
        "imp": [
            "Primary lung malignancy until proven otherwise.",
            "Primary bronchogenic carcinoma until proven otherwise.",
        ],
        "names": ["mass", "malignan", "cancer", "carcinoma", "neoplas", "tumour", "tumor", "lesion", "nodul"],
        "rule_out": ["No pulmonary mass or nodule.", "No focal lung lesion.", "Hila are normal and there is no mass."],
    },
    "tb": {
        "sided": True,
        "find": [
            "Cavitating consolidation in the {s} upper lobe with fibrotic volume loss.",
            "A thick-walled 2.5 cm cavity in the {s} apex with surrounding nodular opacity.",
            "Patchy {s} upper zone consolidation with a small cavity and tree-in-bud nodularity.",
        ],
        "imp_side": [
            "{S} upper lobe cavitation, likely reactivation TB.",
            "Reactivation TB, {s} upper lobe.",
            "{S} apical cavitating TB.",
        ],
        "imp": ["Reactivation TB.", "Post-primary tuberculosis.", "Active TB - isolate and send sputum."],
        "names": ["tb", "tubercul", "cavit", "consolidat", "infect", "mycobact"],
        "rule_out": ["The lung apices are clear.", "No cavitation or consolidation.", "The lungs are clear."],
    },
    "metastases": {
        "sided": False,
        "find": [
            "Multiple rounded nodules throughout both lungs, the largest 18 mm in the right lower zone.",
            "Numerous well-defined pulmonary nodules bilaterally, up to 2 cm, a cannonball pattern.",
            "Several new bilateral nodules, the largest 14 mm, not present previously.",
        ],
        "imp": ["Metastatic disease.", "Pulmonary metastases.", "Appearances in keeping with metastatic disease."],
        "names": ["metasta", "nodul", "deposit", "secondar", "malignan", "cannonball"],
        "rule_out": ["No pulmonary nodules.", "No lung nodules or masses."],
    },
}
# diagnoses that are not significant findings in themselves (may sit alone in an impression)
MINOR = {
    "copd": (
        [
            "Hyperexpanded lungs with flattened hemidiaphragms.",
            "Hyperinflated lungs, 7 anterior ribs above the diaphragm, with a long narrow heart.",
        ],
        ["COPD.", "Changes of COPD.", "Emphysema/COPD."],
    ),
    "sarcoid": (
        [
            "Bilateral hilar lymphadenopathy with fine perihilar reticulonodular change.",
            "Bilateral lobulated hilar enlargement with right paratracheal fullness.",
        ],
        ["Sarcoidosis.", "Stage II sarcoidosis.", "Likely sarcoidosis."],
    ),
}
# incidental, not significant (may be left out of a clean impression)
INCIDENTAL = [
    "Azygos fissure, a normal variant.",
    "Mild thoracic spondylosis.",
    "Calcified granuloma in the right mid zone, unchanged.",
    "A 4 mm nodule in the left mid zone, likely a granuloma.",
    "Old healed left rib fractures.",
    "Small hiatus hernia.",
    "Unfolded thoracic aorta.",
    "Surgical clips in the left axilla.",
]
NORMALS = {
    "heart": ["Heart size is normal.", "Cardiothoracic ratio within normal limits.", "The heart is not enlarged."],
    "medi": ["Mediastinal contours are normal.", "Normal mediastinal contour.", "Trachea central."],
    "eff": ["No pleural effusion.", "Costophrenic angles clear."],
    "ptx": ["No pneumothorax."],
    "bones": ["No acute bony abnormality.", "Bones and soft tissues are unremarkable."],
    "oed": ["No pulmonary oedema."],
}
# which normal statements a diagnosis excludes from its findings section
EXCLUDE = {
    "oedema": {"oed", "heart"},
    "empyema": {"eff"},
    "pneumothorax": {"ptx"},
    "malignancy": {"medi"},
    "metastases": set(),
    "pneumonia": set(),
    "aspiration": set(),
    "tb": set(),
}
LUNG_DX = {"pneumonia", "aspiration", "malignancy", "tb", "metastases", "oedema", "pneumothorax"}
NORMAL_IMPS = [
    "No acute cardiopulmonary abnormality.",
    "Normal chest.",
    "No active disease.",
    "No significant abnormality.",
    "Normal chest radiograph.",
    "No acute disease.",
]

HISTORY = [
    "___-year-old with cough, fever and raised CRP. ?CAP",
    "SOB, bilateral leg oedema. ?LVF",
    "Haemoptysis, weight loss, ex-smoker 40 pack-years.",
    "Sudden pleuritic chest pain. ?pneumothorax",
    "Night sweats, cough 6 weeks, from a high-incidence area.",
    "Known breast carcinoma, restaging.",
    "Post-op day 3, spiking temperature, ?aspiration",
    "Reduced breath sounds at the base.",
    "Pyrexia despite 5 days of antibiotics. ?empyema",
    "Exacerbation of breathlessness.",
    "Referred by Dr. ___, GP, with persistent cough.",
]
VIEWS = ["CHEST X-RAY PA", "CXR PA AND LATERAL", "CHEST RADIOGRAPH AP (mobile)", "XR CHEST", "Chest PA"]
SIGNOFF = [
    "Dictated by Dr. ___, Consultant Radiologist.",
    "Reported by ___ (StR), verified ___.",
    "Discussed with the ward team on ___ at ___.",
    "",
    "",
    "",
]

SIDES = {"left": "right", "right": "left"}


def cap(s):
    return s[:1].upper() + s[1:]


def fill(t, side):
    return t.replace("{s}", side).replace("{S}", cap(side))


# ---------------------------------------------------------------- layouts
def render(style, rng, history, findings, impression, fhead=True, ihead=True, view=None):
    """Lay a report out; findings/impression are lists of sentences (impression: items)."""
    view = view or rng.choice(VIEWS)
    sign = rng.choice(SIGNOFF)
    if style == "uk":
        parts = [
            view,
            f"Clinical details: {history}",
            "Findings: " + " ".join(findings) if fhead else None,
            ("Opinion: " + " ".join(impression)).rstrip() if ihead else None,
        ]
    elif style == "ward":
        parts = [
            f"{view}\nHistory: {history}",
            "Report:\n" + " ".join(findings) if fhead else None,
            ("Conclusion:\n" + " ".join(impression)).rstrip() if ihead else None,
        ]
    elif style == "list":
        items = "\n".join(f"{i}. {x}" for i, x in enumerate(impression, 1))
        parts = [
            f"EXAMINATION: {view}\nINDICATION: {history}",
            "FINDINGS:\n" + "\n".join(findings) if fhead else None,
            ("IMPRESSION:\n" + items).rstrip() if ihead else None,
        ]
    elif style == "icd":
        codes = []
        for x in impression:
            code = next((c for k, c in ICD if k in x.lower()), "")
            codes.append(re.sub(r"\.?$", f" ({code}).", x, count=1) if code and rng.random() < 0.7 else x)
        parts = [
            f"{view}\nReason for request: {history}",
            "FINDINGS: " + " ".join(findings) if fhead else None,
            ("RADIOLOGICAL DIAGNOSIS: " + " ".join(codes)).rstrip() if ihead else None,
        ]
    else:  # "hedge"
        parts = [
            f"{view}. {history}",
            "Findings:\n" + " ".join(findings) if fhead else None,
            ("Impression:\n" + " ".join(impression)).rstrip() if ihead else None,
        ]
    text = "\n\n".join(p for p in parts if p is not None)
    return text + ("\n\n" + sign if sign else "")


ICD = [
    ("pneumonia", "J18.9"),
    ("cardiac failure", "I50.0"),
    ("lvf", "I50.1"),
    ("tb", "A15.0"),
    ("copd", "J44.9"),
    ("sarcoid", "D86.0"),
    ("empyema", "J86.9"),
    ("pneumothorax", "J93.9"),
    ("metasta", "C78.0"),
    ("malignancy", "C34.9"),
    ("aspiration", "J69.0"),
]
STYLES = ["uk", "ward", "list", "icd", "hedge"]


def normals(rng, exclude, lung_finding):
    out = []
    for key in ["heart", "medi", "oed", "eff", "ptx", "bones"]:
        if key in exclude or (key == "oed" and rng.random() < 0.5) or (key == "bones" and rng.random() < 0.5):
            continue
        out.append(rng.choice(NORMALS[key]))
    out.insert(2, "The lungs are otherwise clear." if lung_finding else "The lungs are clear.")
    return out


def dx_find(rng, d, side):
    return fill(rng.choice(DX[d]["find"]), side)


def dx_imp(rng, d, side, sided=None):
    e = DX[d]
    if sided is None:
        sided = e["sided"] and rng.random() < 0.6
    return fill(rng.choice(e["imp_side"] if sided else e["imp"]), side)


def names_any(text, d):
    low = text.lower()
    return any(re.search(r"\b" + re.escape(n), low) for n in DX[d]["names"])


def compose(rng, kind):
    """Return (report, detail) for one composed case of `kind` (None = clean)."""
    style = rng.choice(STYLES)
    hist = rng.choice(HISTORY)
    side = rng.choice(["left", "right"])
    sided_dx = [d for d in DX if DX[d]["sided"]]
    detail = ""
    fhead = ihead = True
    if kind == "negation_conflict":
        d = rng.choice(list(DX))
        base = rng.choice(["copd", "sarcoid", None])
        find = [rng.choice(MINOR[base][0])] if base else []
        norm = normals(rng, {"eff", "ptx", "oed"} if d in ("empyema", "pneumothorax", "oedema") else set(), bool(base))
        if d in LUNG_DX and d != "oedema":
            norm = [x for x in norm if "lungs are" not in x]
        ro = rng.choice([x for x in DX[d]["rule_out"] if not (base and "lungs are clear" in x)])
        find += norm[:2] + [ro] + norm[2:]
        imp = ([rng.choice(MINOR[base][1])] if base and rng.random() < 0.5 else []) + [dx_imp(rng, d, side)]
        detail = f"IMPRESSION gives the diagnosis '{imp[-1]}' which FINDINGS rule out ('{ro}')"
        rep = render(style, rng, hist, find, imp)
        assert ro in rep and imp[-1].rstrip(".") in rep
        return rep, detail
    if kind == "impression_omits_finding":
        omit = rng.choice(["pneumonia", "oedema", "empyema", "pneumothorax", "malignancy", "metastases", "tb"])
        oside = rng.choice(["left", "right"])
        normal_imp = rng.random() < 0.15
        others = [
            d
            for d in DX
            if d != omit
            and not (set(DX[d]["names"]) & set(DX[omit]["names"]))
            and {d, omit} not in ({"oedema", "empyema"}, {"malignancy", "tb"})
        ]
        find, imp = [], []
        if normal_imp:
            imp = [rng.choice(NORMAL_IMPS)]
            kept = None
        else:
            kept = rng.choice(others + ["copd", "sarcoid"])
            kside = oside if rng.random() < 0.5 else side
            if kept in DX:
                find.append(dx_find(rng, kept, kside))
                imp.append(dx_imp(rng, kept, kside))
            else:
                find.append(rng.choice(MINOR[kept][0]))
                imp.append(rng.choice(MINOR[kept][1]))
        omitted = dx_find(rng, omit, oside)
        find.append(omitted)
        excl = set(EXCLUDE[omit]) | (set(EXCLUDE[kept]) if kept in DX else set())
        find += normals(rng, excl, True)
        if rng.random() < 0.3:
            find.append(rng.choice(INCIDENTAL[:3]))
        rep = render(style, rng, hist, find, imp)
        assert not any(names_any(x, omit) for x in imp), (imp, omit)
        detail = f"FINDINGS affirm '{omitted}'; the IMPRESSION ({' '.join(imp)}) leaves it out"
        return rep, detail
    # clean / laterality / placeholder / missing: one or two real diagnoses, named in the impression
    d = rng.choice(sided_dx if kind in ("laterality_conflict",) else list(DX) + ["copd", "sarcoid"])
    find, imp = [], []
    if d in DX:
        fs = dx_find(rng, d, side)
        find.append(fs)
        want_side = True if kind == "laterality_conflict" else None
        imp.append(dx_imp(rng, d, side, want_side))
        excl = set(EXCLUDE[d])
    else:
        fs = rng.choice(MINOR[d][0])
        find.append(fs)
        imp.append(rng.choice(MINOR[d][1]))
        excl = set()
    extra = rng.random() < 0.35 and d not in ("copd", "sarcoid")
    if extra:
        m = rng.choice(["copd", "sarcoid"])
        find.insert(0, rng.choice(MINOR[m][0]))
        imp.append(rng.choice(MINOR[m][1]))
    find += normals(rng, excl, extra or d in LUNG_DX or d in ("copd", "sarcoid"))
    if rng.random() < 0.4:
        find.append(rng.choice(INCIDENTAL))
    if style == "hedge" and rng.random() < 0.5:
        imp.append(
            rng.choice(
                [
                    "Suggest clinical correlation.",
                    "Recommend follow-up radiograph after treatment.",
                    "Please correlate with inflammatory markers.",
                ]
            )
        )
    if kind == "laterality_conflict":
        wrong = SIDES[side]
        imp[0] = fill(rng.choice(DX[d]["imp_side"]), wrong)
        detail = f"FINDINGS place the {d} on the {side} ('{fs}'); IMPRESSION says '{imp[0]}'"
        rep = render(style, rng, hist, find, imp)
        assert wrong in imp[0].lower() and side not in imp[0].lower() and side in fs.lower()
        return rep, detail
    if kind == "placeholder":
        pat = rng.choice(["side", "size", "word"])
        idx = find.index(fs)
        tgt = find[idx]
        m_size = re.search(r"\b\d+(\.\d+)? ?(cm|mm)\b", tgt)
        if pat == "size" and m_size:
            ph = rng.choice(["___ cm", "XX mm", "[size] cm", "<insert size>"])
            new = tgt[: m_size.start()] + ph + tgt[m_size.end() :]
        elif re.search(r"\b(left|right)\b", tgt, re.I):
            ph = rng.choice(["[LEFT/RIGHT]", "[***]", "<side>", "[ ]", "***"])
            new = re.sub(r"\b(left|right)\b", ph, tgt, count=1, flags=re.I)
        elif re.search(r"\b(Moderate|Large|Dense|Patchy|Multiple|Several|Numerous)\b", tgt):
            ph = rng.choice(["[grade]", "[***]", "<insert>"])
            new = re.sub(r"\b(Moderate|Large|Dense|Patchy|Multiple|Several|Numerous)\b", ph, tgt, count=1)
        else:  # a template line left unfilled beside the finding
            ph = rng.choice(["[normal/enlarged]", "___", "[***]"])
            new = {
                "[normal/enlarged]": "Heart size: [normal/enlarged].",
                "___": "Cardiothoracic ratio: ___.",
                "[***]": "Pleural spaces: [***].",
            }[ph]
            idx += 1
            find.insert(idx, new)
            find = [x for x in find if not (x.startswith(new.split(":")[0][:10]) and x != new)]
            if ph == "[***]":
                find = [x for x in find if x not in NORMALS["eff"]]
            elif ph:
                find = [x for x in find if x not in NORMALS["heart"]]
        find[find.index(new) if new in find else idx] = new
        detail = f"placeholder '{ph}' left in FINDINGS: '{new}'"
        rep = render(style, rng, hist, find, imp)
        assert ph in rep
        return rep, detail
    if kind == "missing_section":
        how = rng.choice(["imp_empty", "imp_absent", "imp_empty", "find_empty"])
        if how == "find_empty":
            imp = [rng.choice(["No acute disease.", "No acute cardiopulmonary abnormality.", "Nil acute."])]
            find = []
            detail = "FINDINGS header left empty; bare normal impression"
        elif how == "imp_empty":
            imp = []
            detail = "IMPRESSION header left empty"
        else:
            ihead = False
            detail = "IMPRESSION section absent"
        rep = render(style, rng, hist, find, imp, fhead, ihead)
        return rep, detail
    return render(style, rng, hist, find, imp), ""


# ---------------------------------------------------------------- IU reports
UK = [
    (r"\bedema\b", "oedema"),
    (r"\bEdema\b", "Oedema"),
    (r"\bhemidiaphragm", "hemidiaphragm"),
    (r"\bx-XXXX\b", "radiograph"),
    (r"\bopacified\b", "opacified"),
    (r"\bcenter", "centre"),
    (r"\bhilum\b", "hilum"),
]
NEG = re.compile(
    r"\b(no|not|without|negative|resolved|resolution|clear|free|removed|improv\w*|decreas\w*|"
    r"unchanged|stable|chronic|small|trace|tiny|minimal|possibl\w*|probabl\w*|may|could|question|"
    r"versus|vs|cannot|can't|exclude|atelecta\w*|scar\w*|blunting|old|prior|previous\w*)\b",
    re.I,
)
SIG = {
    "pneumothorax": r"pneumothora",
    "effusion": r"effusion",
    "consolidation": r"consolidat|airspace (disease|opac)",
    "oedema": r"\bedema|oedema",
    "infiltrate": r"infiltrat",
}


def load_iu(shared):
    dev = set()
    with open(shared / "eval" / "report_errors_dev.jsonl") as f:
        for line in f:
            dev.add(json.loads(line)["uid"])  # only the uid is used
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        for m in t.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            x = ET.fromstring(t.extractfile(m).read())
            uid = x.find(".//uId").attrib.get("id")
            if uid in dev:
                continue
            sec = {a.attrib.get("Label"): (a.text or "").strip() for a in x.iter("AbstractText")}
            if sec.get("FINDINGS") and sec.get("IMPRESSION"):
                out.append({"uid": uid, **{k.lower(): v for k, v in sec.items()}})
    out.sort(key=lambda r: int(r["uid"][3:]))
    return out, dev


def sents(text):
    text = re.sub(r"\.(\s*\.)+", ".", text)
    return [s.strip() for s in re.split(r"(?<=\.)\s+", text) if re.search(r"\w", s)]


def uk(text):
    for a, b in UK:
        text = re.sub(a, b, text)
    return text


def iu_render(rng, r, findings, impression, fhead=True, ihead=True):
    hist = r.get("indication") or "XXXX"
    style = rng.choice(STYLES)
    if re.match(r"^1\.\s", impression or ""):
        imp = [x.strip() for x in re.split(r"(?:^|\s)\d\.\s+", impression) if re.search(r"\w", x)]
        imp = [re.sub(r"\.(\s*\.)+", ".", x) for x in imp]
        imp = [x if x.endswith(".") else x + "." for x in imp]
    else:
        imp = sents(impression) if impression else []
    return render(
        style,
        rng,
        uk(hist),
        sents(uk(findings)) if findings else [],
        [uk(x) for x in imp],
        fhead,
        ihead,
        view=rng.choice(VIEWS),
    )


def iu_affirmed(find):
    """Significant affirmed finding sentences in IU findings: list of (key, sentence)."""
    hits = []
    for s in sents(find):
        if NEG.search(s):
            continue
        for k, p in SIG.items():
            if re.search(p, s, re.I) and "XXXX" not in s:
                hits.append((k, s))
    return hits


def iu_case(rng, r, kind):
    """Return (report, detail) or None if this IU report does not suit `kind`."""
    f, i = r["findings"], r["impression"]
    if kind is None:
        return iu_render(rng, r, f, i), ""
    if kind == "missing_section":
        if re.match(r"^(no acute|normal chest|no active|negative)", i, re.I) and rng.random() < 0.3:
            return iu_render(rng, r, "", i), "FINDINGS header left empty; bare normal impression"
        if rng.random() < 0.5:
            return iu_render(rng, r, f, "", ihead=False), "IMPRESSION section absent"
        return iu_render(rng, r, f, ""), "IMPRESSION header left empty"
    if kind == "laterality_conflict":
        il, fl = i.lower(), f.lower()
        sides = [s for s in SIDES if re.search(rf"\b{s}\b", il)]
        if len(sides) != 1 or re.search(r"bilateral|both|bibasilar", il):
            return None
        s = sides[0]
        if not re.search(rf"\b{s}\b", fl) or re.search(rf"\b{SIDES[s]}\b", fl):
            return None
        if not re.search(r"opaci|consolid|effusion|pneumo|infiltr|airspace|atelect|nodul|mass|granulom", il):
            return None
        new_i = re.sub(rf"\b{s}\b", SIDES[s], i, count=1)
        new_i = re.sub(rf"\b{cap(s)}\b", cap(SIDES[s]), new_i, count=1) if new_i == i else new_i
        if new_i == i:
            new_i = re.sub(rf"\b{s}\b", SIDES[s], i, count=1, flags=re.I)
        assert re.search(rf"\b{SIDES[s]}\b", new_i, re.I) and re.search(rf"\b{s}\b", fl)
        return iu_render(rng, r, f, new_i), f"IMPRESSION side flipped {s}->{SIDES[s]}: '{new_i}'"
    if kind == "negation_conflict":
        vague = r"opacit|densit|infiltrat|airspace|consolidat|pneumon|effusion|pneumothora|edema|nodul|mass"
        if any(re.search(vague, x, re.I) and not NEG.search(x) for x in sents(f)):
            return None  # the findings must plainly be normal, not just lack a keyword
        if iu_affirmed(f) or not re.match(r"^(no acute|normal chest|no active|negative)", i, re.I):
            return None
        side = rng.choice(["left", "right"])
        opts = []
        # only unqualified negatives count ("no large effusion" does not rule a small one out)
        q = r"\b(large|significant|sizable|substantial|definite|gross|overt|frank|obvious|acute)\b"
        fl = " ".join(x for x in sents(f.lower()) if not re.search(q, x))
        if re.search(r"no (evidence of )?pneumothora|without pneumothora|no pleural effusion or pneumothorax", fl):
            opts.append(("pneumothorax", "no pneumothorax"))
        if re.search(r"no (\w+ )?(pleural )?effusion", fl):
            opts.append(("empyema", "no effusion"))
        if re.search(r"lungs are clear|no focal (airspace )?(consolidation|opacit)|no (focal )?consolidation", fl):
            opts.append(("pneumonia", "lungs clear / no consolidation"))
        if re.search(r"no (pulmonary )?edema|no edema", fl):
            opts.append(("oedema", "no oedema"))
        if not opts:
            return None
        d, why = rng.choice(opts)
        new_i = dx_imp(rng, d, side)
        return iu_render(rng, r, f, new_i), f"IMPRESSION replaced by the diagnosis '{new_i}'; FINDINGS say {why}"
    if kind == "impression_omits_finding":
        hits = iu_affirmed(f)
        hits = [(k, s) for k, s in hits if re.search(SIG[k], i, re.I)]  # the original impression named it
        if not hits:
            return None
        k, s = hits[0]
        new_i = rng.choice(NORMAL_IMPS)
        if (
            re.search(
                r"(pulmonary|centrilobular|bullous|paraseptal) emphysema|emphysematous|hyperinfla|hyperexpan|copd",
                f,
                re.I,
            )
            and rng.random() < 0.7
        ):
            new_i = rng.choice(["COPD. No acute disease.", "Changes of COPD."])
        assert not re.search(SIG[k] + r"|pneumon|infect|failure|fluid|collection", new_i, re.I)
        return iu_render(rng, r, f, new_i), f"FINDINGS affirm '{s}'; IMPRESSION replaced by '{new_i}'"
    if kind == "placeholder":
        ss = sents(f)
        for j, s in enumerate(ss):
            m = re.search(r"\b\d+(\.\d+)? ?(cm|mm)\b", s)
            if m:
                ph = rng.choice(["___ cm", "XX mm", "[***] cm"])
                ss[j] = s[: m.start()] + ph + s[m.end() :]
                break
            if re.search(r"\b(left|right)\b", s, re.I) and not NEG.search(s):
                ph = rng.choice(["[LEFT/RIGHT]", "[***]", "<side>"])
                ss[j] = re.sub(r"\b(left|right)\b", ph, s, count=1, flags=re.I)
                break
        else:
            return None
        return iu_render(rng, r, " ".join(ss), i), f"placeholder '{ph}' left in FINDINGS: '{ss[j]}'"
    return None


def verify(kind, rep, detail):
    low = rep.lower()
    if kind == "placeholder":
        ph = re.search(r"placeholder '([^']+)'", detail).group(1)
        assert ph in rep
    if kind == "laterality_conflict":
        assert re.search(r"\b(left|right)\b", low)
    if kind == "missing_section":
        assert "empty" in detail or "absent" in detail
        if "absent" in detail:
            assert not re.search(r"^(opinion|conclusion|impression|radiological diagnosis):", low, re.M)
        if "IMPRESSION header left empty" in detail:
            assert re.search(
                r"^(opinion|conclusion|impression|radiological diagnosis):\s*($|\n\n|\Z)", low, re.M
            ) or re.search(r"(opinion|conclusion|impression|radiological diagnosis):\s*\Z", low)
    if kind is None or kind not in ("missing_section",):
        assert re.search(r"^(opinion|conclusion|impression|radiological diagnosis):\s*\S", low, re.M)
    if kind is None:
        assert not re.search(r"\[\*+\]|<insert|<side>|\[left/right\]|xx mm|___ cm|\[ \]", low)


def build(shared, seed):
    rng = random.Random(seed)
    iu, _ = load_iu(shared)
    rng.shuffle(iu)
    used, out = set(), []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        for _ in range(n // 2):
            rep, det = compose(rng, kind)
            verify(kind, rep, det)
            out.append((kind, det, rep, "composed"))
        got = 0
        for r in iu:
            if got == n - n // 2:
                break
            if r["uid"] in used:
                continue
            if kind is None and any(
                not re.search(SIG[k], r["impression"], re.I) for k, _ in iu_affirmed(r["findings"])
            ):
                continue  # a clean report must not leave a significant finding out of its impression
            res = iu_case(rng, r, kind)
            if res is None:
                continue
            verify(kind, res[0], res[1])
            used.add(r["uid"])
            out.append((kind, res[1], res[0], r["uid"]))
            got += 1
        assert got == n - n // 2, (kind, got)
    rng.shuffle(out)
    rows = []
    for n, (kind, det, rep, src) in enumerate(out):
        hid = hashlib.sha256(f"{seed}|{n}|{rep}".encode()).hexdigest()[:16]
        rows.append({"id": f"h36-{hid}", "injected": kind, "detail": det, "report": rep, "_src": src})
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=3601)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parents[1].parent / "shared")
    if not (shared / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        sys.stderr.write(f"shared data not found at {shared}; set MEDRAG_SHARED_DIR to the shared folder\n")
        return 2
    rows = build(shared, a.seed)
    with open(a.out, "w") as f:
        for r in rows:
            f.write(json.dumps({k: r[k] for k in ("id", "injected", "detail", "report")}) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {kind} [{r['_src']}] {r['detail']}\n{r['report']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
