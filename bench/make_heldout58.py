"""Held-out report-check set 58: NHS GP direct-access chest X-ray lists (written blind).

Written blind: without reading the checker, its tests, its docs or any other generator; only the
scorer's format, the IU archive and the dev set's ``uid`` field (to exclude those reports) were used.

Styles: the ordinary day-to-day list of GP direct-access chest radiographs in UK NHS hospitals --
persistent cough, haemoptysis, two-week-wait (2WW) suspected lung cancer referrals, breathlessness,
smokers and six-week follow-up films after treated pneumonia -- reported by consultant radiologists,
registrars and reporting radiographers, with British spelling, headed "Findings" and
"Impression"/"Conclusion"/"Opinion"/"Summary" sections, sign-off lines, and the usual closing
phrases ("No evidence of malignancy", "No follow-up required", "Suggest repeat CXR in 6 weeks").
Half of each group is composed from a phrase bank, half are real IU (Open-i) reports re-laid-out in
the same NHS layouts with British spelling (IU's ``XXXX`` mask kept).  Errors are slips of ordinary
work: a side flipped while dictating, an impression pasted from the normal macro, a template field
left unfilled, a conclusion never dictated.

usage: python -m bench.make_heldout58 OUT.jsonl --seed S [--show N]
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

# ---------------------------------------------------------------- shared dir / IU data


def shared_dir() -> Path | None:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    return p if (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file() else None


def dev_uids(shared: Path) -> set[str]:
    path = shared / "eval" / "report_errors_dev.jsonl"
    if not path.is_file():
        return set()
    return {json.loads(line)["uid"] for line in path.open() if line.strip()}


def load_iu(shared: Path) -> list[dict]:
    excl = dev_uids(shared)
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tar:
        for m in tar.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tar.extractfile(m).read())
            uid_el = root.find("uId")
            uid = uid_el.get("id") if uid_el is not None else m.name
            if uid in excl:
                continue
            d = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            f, i = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if not f or not i or re.search(r"\[|___|<|\*\*", f + i):
                continue
            out.append({"uid": uid, "findings": f, "impression": i, "indication": d.get("INDICATION", "")})
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return out


# ---------------------------------------------------------------- text helpers

UK = [(r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bhemithorax", "hemithorax"),
      (r"\bcentimeters?\b", "cm"), (r"\bhilum\b", "hilum"), (r"\bfissure\b", "fissure"),
      (r"\bhemidiaphragm", "hemidiaphragm"), (r"\besophag", "oesophag"), (r"\bcalcified granulomas?\b",
      "calcified granuloma"), (r"\bcardiopulmonary process\b", "cardiopulmonary abnormality"),
      (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary abnormality"),
      (r"\bx-XXXX\b", "x-XXXX"), (r"\bcolor\b", "colour"), (r"\bleukocyt", "leucocyt"),
      (r"\bhemorrhag", "haemorrhag"), (r"\banemia\b", "anaemia"), (r"\bfeces\b", "faeces")]


def uk(text: str) -> str:
    for a, b in UK:
        text = re.sub(a, b, text)
    return text


def sents(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+", text.strip()) if s]


NEG = re.compile(r"\b(no|not|without|negative|resolved|resolution|clear|free|normal|removed|cleared|"
                 r"exclude|excluded|rule out|unremarkable|less likely|unlikely)\b", re.I)

# synonym groups: used both to pick findings and to prove an omission (no wording left)
GROUPS = {
    "effusion": r"effusion|pleural fluid|blunt|meniscus",
    "pneumothorax": r"pneumothora|pleural air|lung edge|lung margin",
    "consolidation": r"consolidat|airspace|air space|infiltrat|pneumoni|opacif|infect|alveolar",
    "oedema": r"oedema|edema|congesti|vascular redistribution|upper lobe diversion|kerley|interstitial "
              r"markings|fluid overload|heart failure|vascular prominence",
    "mass": r"mass|nodul|lesion|neoplas|malignan|tumou?r|carcinoma|rounded opacity|density",
    "collapse": r"collapse|atelecta|volume loss",
}
SIG_IU = {  # affirmed-in-findings patterns treated as significant (spec list)
    "effusion": r"\b(moderate|large|moderate-sized|large-sized)\b[^.]*effusion",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|airspace disease|air space disease|infiltrate",
    "oedema": r"\b(pulmonary )?(oedema|edema)\b|vascular congestion",
    "mass": r"\bmass\b",
    "collapse": r"\bcollapse",
}
SIDE = re.compile(r"\b(right|left)\b", re.I)


def affirmed(sentences: list[str], pat: str) -> list[str]:
    return [s for s in sentences if re.search(pat, s, re.I) and not NEG.search(s)]


def flip(word: str) -> str:
    o = {"right": "left", "left": "right"}[word.lower()]
    return o.capitalize() if word[0].isupper() else (o.upper() if word.isupper() else o)


# ---------------------------------------------------------------- NHS layouts

READERS = [
    "Dr A. Patel, Consultant Radiologist", "Dr H. Mahmood, Consultant Radiologist",
    "Dr C. Lloyd-Evans, Consultant Radiologist", "Dr S. O'Neill, Consultant Thoracic Radiologist",
    "Dr F. Adeyemi, ST4 Radiology Registrar", "Dr K. Wong, Consultant Radiologist",
    "Sarah Whitfield, Reporting Radiographer", "Gareth Price, Consultant Radiographer",
    "Priya Nair, Advanced Practitioner Radiographer (Reporting)", "Dr M. Kowalski, Consultant Radiologist",
    "Dr J. Ferguson, Consultant Radiologist", "Helen Dawes, Reporting Radiographer",
]
EXAM = ["XR Chest PA", "CHEST X-RAY PA", "XR CHEST", "Chest PA", "X-ray Chest (PA)", "CXR PA"]
FHEAD = ["Findings:", "FINDINGS:", "Findings", "Findings:"]
IHEAD = ["Impression:", "IMPRESSION:", "Conclusion:", "CONCLUSION:", "Opinion:", "Summary:", "Impression:"]
GP_MASK = ["Referrer: Dr ___ (GP)", "Requested by: GP, ___ Medical Centre", "Referring GP: Dr ___"]


def layout(rng: random.Random, indication: str, findings: str | None, impression: str | None,
           comparison: str = "", style: int | None = None) -> str:
    """Lay a report out as an NHS RIS report; None drops a section, '' leaves its header empty."""
    style = rng.randrange(4) if style is None else style
    fh, ih = rng.choice(FHEAD), rng.choice(IHEAD)
    reader = rng.choice(READERS)
    lines: list[str] = []
    if style == 0:
        lines += [rng.choice(EXAM), f"Clinical details: {indication}"]
    elif style == 1:
        lines += [f"Examination: {rng.choice(EXAM)}", f"Clinical indication: {indication}"]
    elif style == 2:
        lines += [f"{rng.choice(EXAM)} - GP direct access", f"History: {indication}"]
    else:
        lines += [f"Reason for request: {indication}"]
    if rng.random() < 0.15:
        lines.insert(1, rng.choice(GP_MASK))
    if comparison:
        lines.append(f"Comparison: {comparison}")
    lines.append("")
    if findings is not None:
        lines += [fh, findings]
        lines.append("")
    if impression is not None:
        lines += [ih, impression]
        lines.append("")
    if style == 3 or "Radiographer" in reader:
        lines.append(f"Reported by: {reader}")
    else:
        lines.append(reader)
    if "Registrar" in reader:
        lines.append(f"Verified by: {rng.choice(READERS[:4])}")
    return "\n".join(lines).strip() + "\n"


# ---------------------------------------------------------------- composed phrase bank

INDICATIONS = [
    "Persistent cough for 3 months. Ex-smoker, 40 pack years. ?malignancy",
    "2WW suspected lung cancer. Haemoptysis x2. Current smoker.",
    "Cough > 3 weeks, weight loss. Smoker.",
    "Haemoptysis. 62 year old smoker.",
    "Increasing breathlessness on exertion. ?cause",
    "SOB and wheeze. COPD. Exclude infection.",
    "Follow-up of lower lobe pneumonia treated 6 weeks ago.",
    "6/52 follow up after community-acquired pneumonia. Now well.",
    "Chronic cough, non-smoker. ?underlying pathology",
    "Hoarse voice 4 weeks, ex-smoker. Urgent suspected cancer referral.",
    "Recurrent chest infections. Smoker.",
    "Unexplained fatigue and weight loss. Raised platelets. ?lung ca",
    "Chest pain, pleuritic, 2 weeks. Breathless.",
    "Productive cough, not settling with antibiotics.",
    "Finger clubbing noted by GP. Ex-smoker.",
    "Persistent cough. Asbestos exposure (builder).",
]
NORMAL_F = [
    "The lungs are clear.", "Lungs are clear.", "No focal lung lesion.", "Clear lungs.",
    "No consolidation or collapse.", "No pleural effusion.", "The costophrenic angles are clear.",
    "Heart size is normal.", "Normal cardiac size and contour.", "The heart is not enlarged.",
    "Mediastinal and hilar contours are normal.", "Hila are normal.", "No pneumothorax.",
    "No bony abnormality.", "The visualised bones are unremarkable.", "Normal pulmonary vasculature.",
    "Normal heart size.", "No focal consolidation, collapse or mass.", "Both hila are of normal size and "
    "density.", "The lungs and pleural spaces are clear.", "No effusion.",
    "No suspicious pulmonary nodule or mass is seen.", "Cardiomediastinal contours are within normal limits.",
]
NORMAL_I = [
    "Normal chest radiograph.", "No significant abnormality seen.", "No evidence of malignancy.",
    "No active lung disease. No evidence of malignancy.", "Normal appearances. No follow-up required.",
    "No abnormality detected.", "Normal chest X-ray. No evidence of malignancy. No follow-up required.",
    "Clear chest.",
]
# blocks that each normal sentence contradicts (key of a finding item)
NORMAL_CONFLICTS = {
    "The lungs are clear.": "lung", "Lungs are clear.": "lung", "No focal lung lesion.": "lung",
    "Clear lungs.": "lung", "No consolidation or collapse.": "lung", "No pleural effusion.": "pleura",
    "The costophrenic angles are clear.": "pleura", "Heart size is normal.": "heart",
    "Normal cardiac size and contour.": "heart", "The heart is not enlarged.": "heart",
    "Mediastinal and hilar contours are normal.": "hila", "Hila are normal.": "hila",
    "No pneumothorax.": "pleura", "No bony abnormality.": "bone",
    "The visualised bones are unremarkable.": "bone", "Normal pulmonary vasculature.": "vasc",
    "Normal heart size.": "heart", "No focal consolidation, collapse or mass.": "lung,hila",
    "Both hila are of normal size and density.": "hila", "The lungs and pleural spaces are clear.":
    "lung,pleura", "No effusion.": "pleura", "No suspicious pulmonary nodule or mass is seen.": "lung,hila",
    "Cardiomediastinal contours are within normal limits.": "heart",
}
ZONES = ["lower", "mid", "upper"]


def item(rng: random.Random, key: str, side: str | None = None) -> dict:
    """One finding: findings sentence, impression sentence, region, significance, group."""
    s = side or rng.choice(["right", "left"])
    z = rng.choice(ZONES)
    mm = rng.choice([8, 11, 12, 15, 18, 22, 25])
    S = s.capitalize()
    size = rng.choice(["moderate", "moderate", "large"])
    bank = {
        "consolidation": ("lung", True, "consolidation", [
            f"Patchy consolidation in the {s} {z} zone.",
            f"There is airspace opacification in the {s} {z} zone with air bronchograms.",
            f"Ill-defined consolidation in the {s} {z} zone.",
        ], [
            f"{S} {z} zone consolidation in keeping with infection. Suggest repeat CXR in 6 weeks post treatment "
            "to confirm resolution.",
            f"{S} sided consolidation, likely infective. Follow-up film in 6 weeks recommended.",
            f"Consolidation {s} {z} zone. Please repeat after treatment.",
        ]),
        "nodule": ("lung", True, "mass", [
            f"There is a {mm} mm rounded opacity projected over the {s} {z} zone.",
            f"A {mm} mm nodule is seen in the {s} {z} zone.",
            f"{mm} mm well-defined nodular opacity in the {s} {z} zone, not clearly seen previously.",
        ], [
            f"{mm} mm {s} {z} zone nodule. CT chest recommended; this has been flagged to the lung cancer "
            "pathway.",
            f"{S} {z} zone nodule. Recommend CT thorax for further assessment.",
            f"Indeterminate {s} lung nodule - suggest CT chest.",
        ]),
        "mass": ("hila", True, "mass", [
            f"The {s} hilum is enlarged and lobulated.",
            f"There is a {rng.choice([3, 4, 5])} cm mass at the {s} hilum.",
            f"Bulky {s} hilar opacity.",
        ], [
            f"{S} hilar mass, suspicious for malignancy. Urgent CT chest recommended; 2WW alert sent.",
            f"Enlarged {s} hilum - possible neoplasm. Urgent CT thorax advised.",
        ]),
        "effusion_mod": ("pleura", True, "effusion", [
            f"{size.capitalize()} {s} pleural effusion.",
            f"There is a {size} {s} pleural effusion.",
            f"{size.capitalize()} {s} pleural effusion with some associated basal atelectasis.",
        ], [
            f"{size.capitalize()} {s} pleural effusion. Further assessment advised, consider ultrasound and CT.",
            f"{S} pleural effusion - cause not evident; CT chest recommended.",
        ]),
        "effusion_small": ("pleura", False, "effusion", [
            f"Small {s} pleural effusion.",
            f"Blunting of the {s} costophrenic angle, in keeping with a small effusion.",
        ], [
            f"Small {s} pleural effusion.",
            f"Small {s} effusion.",
        ]),
        "pneumothorax": ("pleura", True, "pneumothorax", [
            f"There is a {s} apical pneumothorax, lung edge {rng.choice([2, 3])} cm from the apex.",
            f"Small {s} apical pneumothorax.",
        ], [
            f"{S} pneumothorax. Patient contacted and advised to attend ED.",
            f"{S} apical pneumothorax - GP informed by telephone.",
        ]),
        "collapse": ("lung", True, "collapse", [
            f"Increased density behind the heart with loss of the medial {s} hemidiaphragm, in keeping with "
            f"{s} lower lobe collapse.",
            f"Triangular opacity in the {s} lower zone consistent with {s} lower lobe collapse.",
        ], [
            f"{S} lower lobe collapse. Urgent CT chest recommended to exclude an obstructing lesion.",
            f"Collapse of the {s} lower lobe; CT advised.",
        ]),
        "oedema": ("vasc", True, "oedema", [
            "Upper lobe venous diversion and septal lines at both bases, in keeping with pulmonary oedema.",
            "Bilateral perihilar haziness and Kerley B lines consistent with interstitial oedema.",
        ], [
            "Features of pulmonary oedema / fluid overload.",
            "Appearances consistent with cardiac failure.",
        ]),
        "cardiomegaly": ("heart", False, "heart", [
            "The heart is mildly enlarged.", "Borderline cardiomegaly.", "Mild cardiomegaly (CTR 0.55).",
        ], [
            "Mild cardiomegaly.", "Borderline heart size.", "Mild cardiomegaly.",
        ]),
        "copd": ("none", False, "copd", [
            "The lungs are hyperinflated with flattening of the hemidiaphragms.",
            "Hyperexpanded lungs.",
        ], [
            "Hyperinflation in keeping with COPD.", "Changes of chronic obstructive airways disease.",
        ]),
        "granuloma": ("none", False, "granuloma", [
            f"Small calcified granuloma in the {s} {z} zone.",
            f"A 4 mm calcified nodule in the {s} {z} zone, a benign granuloma.",
        ], [
            f"Calcified {s} granuloma, of no significance.", "Old granulomatous disease.",
        ]),
        "ribs": ("bone", False, "ribs", [
            f"Old healed fractures of the {s} {rng.choice(['6th', '7th', '8th'])} and "
            f"{rng.choice(['9th', '10th'])} ribs laterally.",
        ], [f"Old {s} rib fractures."]),
        "scarring": ("none", False, "scar", [
            f"Linear scarring at the {s} base.", f"Minor {s} apical pleural thickening.",
            f"Some linear atelectasis at the {s} base.",
        ], [f"Minor {s} basal scarring only.", f"Minor {s} apical pleural thickening, likely old.",
            f"Minor {s} basal atelectasis."]),
        "resolved": ("none", False, "resolved", [
            f"The previously seen {s} lower zone consolidation has resolved.",
            f"Interval clearance of the {s} {z} zone consolidation.",
        ], ["Resolution of previous consolidation.", f"Resolved {s} sided pneumonia."]),
    }
    region, sig, group, fs, isents = bank[key]
    j = rng.randrange(len(fs))
    paired = key in ("cardiomegaly", "scarring")
    sided = key not in ("oedema", "cardiomegaly", "copd")
    return {"key": key, "side": s if sided else None, "region": region, "sig": sig, "group": group,
            "f": fs[j], "i": isents[j] if paired else rng.choice(isents)}


SIG_KEYS = ["consolidation", "nodule", "mass", "effusion_mod", "pneumothorax", "collapse", "oedema"]
MINOR_KEYS = ["effusion_small", "cardiomegaly", "copd", "granuloma", "ribs", "scarring", "resolved"]


def compose_findings(rng: random.Random, items: list[dict], keep_normal: list[str] | None = None) -> str:
    taken = {it["region"] for it in items}
    normals = [n for n in NORMAL_F if not set(NORMAL_CONFLICTS[n].split(",")) & taken]
    rng.shuffle(normals)
    chosen, regions = [], set()
    for n in normals:
        r = set(NORMAL_CONFLICTS[n].split(","))
        if not r & regions and len(chosen) < rng.choice([2, 3, 4]):
            chosen.append(n)
            regions |= r
    for n in keep_normal or []:
        if n not in chosen:
            chosen.append(n)
    out = [it["f"] for it in items]
    if "lung" in taken:
        out.append(rng.choice(["The lungs are otherwise clear.", "Elsewhere the lungs are clear."]))
    out += chosen
    sep = "\n" if rng.random() < 0.35 else " "
    return sep.join(out)


def compose_impression(rng: random.Random, items: list[dict]) -> str:
    if not items:
        return rng.choice(NORMAL_I)
    parts = [it["i"] for it in sorted(items, key=lambda x: not x["sig"])]
    if not any(it["group"] == "mass" for it in items) and rng.random() < 0.3:
        parts.append("No evidence of malignancy.")
    if not any(it["sig"] for it in items) and rng.random() < 0.3:
        parts.append("No follow-up required.")
    return " ".join(parts)


def pick_items(rng: random.Random, need_sig: bool = False, n_extra: int | None = None) -> list[dict]:
    items, regions, used_sides = [], set(), set()
    keys = [rng.choice(SIG_KEYS)] if need_sig else []
    n_extra = rng.choice([0, 0, 1, 1, 2]) if n_extra is None else n_extra
    keys += rng.sample(MINOR_KEYS, n_extra)
    for k in keys:
        it = item(rng, k)
        if it["region"] in regions and it["region"] != "none":
            continue
        regions.add(it["region"])
        if it["side"]:
            used_sides.add(it["side"])
        items.append(it)
    return items


# ---------------------------------------------------------------- composed cases


def composed(rng: random.Random, kind: str | None) -> tuple[str, str] | None:
    ind = rng.choice(INDICATIONS)
    if kind is None:
        items = pick_items(rng, need_sig=rng.random() < 0.3) if rng.random() < 0.55 else []
        return layout(rng, ind, compose_findings(rng, items), compose_impression(rng, items)), ""
    if kind == "missing_section":
        items = pick_items(rng, need_sig=rng.random() < 0.3) if rng.random() < 0.5 else []
        f, i = compose_findings(rng, items), compose_impression(rng, items)
        mode = rng.choice(["no_imp", "no_imp", "empty_imp", "empty_find"])
        if mode == "no_imp":
            return layout(rng, ind, f, None), "IMPRESSION/conclusion not dictated (section absent)"
        if mode == "empty_imp":
            return layout(rng, ind, f, ""), "conclusion header left empty"
        return layout(rng, ind, "", i), "findings header left empty"
    if kind == "laterality_conflict":
        k = rng.choice(["consolidation", "nodule", "mass", "effusion_mod", "pneumothorax", "collapse",
                        "effusion_small", "granuloma"])
        it = item(rng, k)
        items = [it] + [x for x in pick_items(rng, n_extra=rng.choice([0, 1])) if x["region"] != it["region"]
                        and not x["side"]]
        f = compose_findings(rng, items)
        i = compose_impression(rng, items)
        s = it["side"]
        if rng.random() < 0.7:
            new_i = re.sub(rf"\b{s}\b", flip(s), it["i"])
            new_i = re.sub(rf"\b{s.capitalize()}\b", flip(s).capitalize(), new_i)
            i = i.replace(it["i"], new_i)
            where = "impression"
        else:
            new_f = re.sub(rf"\b{s}\b", flip(s), it["f"])
            f = f.replace(it["f"], new_f)
            where = "findings"
        return layout(rng, ind, f, i), f"{k}: side flipped to {flip(s)} in {where} only"
    if kind == "negation_conflict":
        mode = rng.randrange(3)
        if mode == 0:  # findings rule out, impression affirms
            pair = rng.choice([
                ("No pleural effusion.", item(rng, "effusion_small")),
                ("The lungs are clear.", item(rng, "consolidation")),
                ("Heart size is normal.", item(rng, "cardiomegaly")),
                ("No pneumothorax.", item(rng, "pneumothorax")),
            ])
            neg, it = pair
            f = compose_findings(rng, [], keep_normal=[neg])
            return layout(rng, ind, f, it["i"]), f"findings: '{neg}' but impression affirms {it['key']}"
        it = item(rng, rng.choice(["cardiomegaly", "cardiomegaly", "effusion_small", "effusion_small",
                                   "consolidation"]))
        if it["key"] == "cardiomegaly":
            it["f"] = rng.choice(["The heart is enlarged.", "Cardiomegaly (CTR 0.6).",
                                  "The cardiac silhouette is enlarged."])
        f = compose_findings(rng, [it])
        neg = {"cardiomegaly": ["Heart size normal.", "Normal cardiac size."],
               "effusion_small": ["No pleural effusion.", "No effusion."],
               "consolidation": ["No consolidation.", "No focal consolidation."]}[it["key"]]
        i = rng.choice(neg) + " " + rng.choice(["No evidence of malignancy.", "Otherwise normal.",
                                                  "No other abnormality."])
        if it["key"] == "consolidation":  # keep it from also being an omission: name it as ruled out only
            return layout(rng, ind, f, i), "findings affirm consolidation; impression says no consolidation"
        return layout(rng, ind, f, i), f"findings affirm {it['key']}; impression rules it out"
    if kind == "impression_omits_finding":
        sig = item(rng, rng.choice(SIG_KEYS))
        normal = rng.random() < 0.5
        others = [] if normal else [x for x in pick_items(rng, n_extra=rng.choice([1, 2]))
                                    if x["region"] != sig["region"] and x["group"] != sig["group"]]
        if not normal and not others:
            others = [item(rng, "copd")]
        f = compose_findings(rng, [sig] + others)
        if normal:
            i = rng.choice(["No significant abnormality seen.", "No acute abnormality.",
                            "No active disease. No follow-up required.", "Unremarkable study."])
        else:
            i = " ".join(x["i"] for x in others)
            if rng.random() < 0.4:
                i += " No other significant abnormality."
        if re.search(GROUPS.get(sig["group"], sig["group"]), i, re.I):
            return None
        return layout(rng, ind, f, i), f"{sig['key']} in findings left out of impression" + (
            " (normal macro)" if normal else " (impression lists other findings)")
    if kind == "placeholder":
        mode = rng.randrange(5)
        if mode == 0:
            it = item(rng, "nodule")
            it["f"] = re.sub(r"\d+ mm", rng.choice(["XX mm", "__ mm", "[size] mm"]), it["f"])
            it["i"] = re.sub(r"^\d+ mm ", "", it["i"])
            it["i"] = it["i"][0].upper() + it["i"][1:]
            items, det = [it], "nodule size left blank"
        elif mode == 1:
            it = item(rng, rng.choice(["consolidation", "effusion_mod", "effusion_small"]))
            it["f"] = re.sub(rf"\b{it['side']}\b", rng.choice(["[LEFT/RIGHT]", "[right/left]", "***"]), it["f"],
                             count=1)
            items, det = [it], "side left as template field in findings"
        elif mode == 2:
            items = [x for x in pick_items(rng) if x["region"] != "heart"]
            f = compose_findings(rng, items)
            f = f.replace("Heart size is normal.", "Heart size is [normal/enlarged].")
            if "[normal/enlarged]" not in f:
                for n, r in NORMAL_CONFLICTS.items():
                    if "heart" in r:
                        f = f.replace(n + " ", "").replace(n + "\n", "").replace(n, "").strip()
                f = rng.choice(["Heart size: [***].", "Cardiac size <normal/enlarged>."]) + " " + f
            return layout(rng, ind, f, compose_impression(rng, items)), "cardiac size field unfilled"
        elif mode == 3:
            it = item(rng, "consolidation")
            it["i"] = re.sub(r"in 6 weeks|after treatment|Follow-up film in 6 weeks",
                             lambda m: rng.choice(["in [X] weeks", "in ** weeks", "<insert interval>"]), it["i"])
            if not re.search(r"\[X\]|\*\*|<insert", it["i"]):
                it["i"] += " Repeat CXR in [X] weeks."
            items, det = [it], "follow-up interval left as template field"
        else:
            items = pick_items(rng)
            f = compose_findings(rng, items) + " " + rng.choice(["[***]", "<insert findings>", "[Further findings]"])
            return layout(rng, ind, f, compose_impression(rng, items)), "unfilled template line in findings"
        return layout(rng, ind, compose_findings(rng, items), compose_impression(rng, items)), det
    raise ValueError(kind)


# ---------------------------------------------------------------- IU cases


def iu_ind(r: dict, rng: random.Random) -> str:
    ind = r["indication"].strip().rstrip(".")
    if not re.search(r"[a-wyz]{3}", ind, re.I):  # empty, ICD codes only or fully masked
        ind = rng.choice(INDICATIONS).rstrip(".")
    return ind[0].upper() + ind[1:] + "." + rng.choice(["", "", " GP referral.", " ?infection"])


def iu_sig_affirmed(r: dict) -> list[str]:
    fs = sents(r["findings"])
    return sorted(g for g, p in SIG_IU.items() if affirmed(fs, p))


def iu_case(rng: random.Random, r: dict, kind: str | None) -> tuple[str, str] | None:
    f, i = uk(r["findings"]), uk(r["impression"])
    ind = iu_ind(r, rng)
    fs, is_ = sents(f), sents(i)
    if kind is None:
        for g in iu_sig_affirmed(r):
            if not re.search(GROUPS[g], i, re.I):
                return None
        return layout(rng, ind, f, i), ""
    if kind == "missing_section":
        mode = rng.choice(["no_imp", "empty_imp", "empty_find"])
        if mode == "no_imp":
            return layout(rng, ind, f, None), "impression absent"
        if mode == "empty_imp":
            return layout(rng, ind, f, ""), "impression header empty"
        return layout(rng, ind, "", i), "findings header empty"
    if kind == "laterality_conflict":
        for k, s in enumerate(is_):
            sides = {m.lower() for m in SIDE.findall(s)}
            if len(sides) != 1 or NEG.search(s):
                continue
            side = sides.pop()
            for g, p in GROUPS.items():
                if not re.search(p, s, re.I):
                    continue
                match = [x for x in fs if re.search(p, x, re.I) and side in x.lower() and
                         flip(side) not in x.lower() and not NEG.search(x)]
                other = [x for x in fs if re.search(p, x, re.I) and flip(side) in x.lower()]
                if match and not other:
                    new = SIDE.sub(lambda m: flip(m.group(0)), s)
                    is_[k] = new
                    return layout(rng, ind, f, " ".join(is_)), f"{g}: impression side flipped to {flip(side)}"
        return None
    if kind == "negation_conflict":
        if iu_sig_affirmed(r) or any(re.search(GROUPS[g], i, re.I) for g in GROUPS) and not NEG.search(i):
            return None
        opts = []
        if any(re.search(r"\bno\b[^.]*effusion", x, re.I) for x in fs):
            opts.append(("effusion", rng.choice(["Small left pleural effusion.", "Small right pleural effusion."])))
        if any(re.search(r"\bno\b[^.]*pneumothora", x, re.I) for x in fs):
            opts.append(("pneumothorax", rng.choice(["Small right apical pneumothorax.", "Left apical pneumothorax."])))
        if any(re.search(r"lungs are clear|lungs clear|clear lungs", x, re.I) for x in fs):
            opts.append(("consolidation", rng.choice(["Right lower zone consolidation.",
                                                      "Left basal consolidation, likely infective."])))
        if any(re.search(r"heart size (is )?(within )?normal|normal heart size|heart is normal in size", x, re.I)
               for x in fs):
            opts.append(("heart", "Mild cardiomegaly."))
        if not opts:
            return None
        g, new = rng.choice(opts)
        return layout(rng, ind, f, new + " " + rng.choice(["Otherwise no acute abnormality.", "",
                                                          "No evidence of malignancy."])).replace(
            new + " \n", new + "\n"), f"impression affirms {g} that findings rule out"
    if kind == "impression_omits_finding":
        sig = [g for g in iu_sig_affirmed(r) if affirmed(is_, GROUPS[g])]
        if not sig:
            return None
        g = sig[0]
        keep = [s for s in is_ if not any(re.search(GROUPS[h], s, re.I) for h in set(iu_sig_affirmed(r)) | {g})
                and not re.search(r"\b(acute|normal)\b", s, re.I) and len(re.sub(r"[\d.\s]", "", s)) > 3]
        if re.search(r"(^|\s)\d\.", i):  # numbered list: take the normal macro rather than renumber
            keep = []
        new = re.sub(r"\.\s*\.+", ".", " ".join(keep)) if keep and rng.random() < 0.6 else rng.choice(
            ["No acute cardiopulmonary abnormality.", "No significant abnormality.", "No acute disease."])
        if re.search(GROUPS[g], new, re.I):
            return None
        return layout(rng, ind, f, new), f"{g} in findings left out of impression"
    if kind == "placeholder":
        m = re.search(r"\b\d+(\.\d+)? ?(cm|mm)\b", f)
        if m:
            f2 = f[:m.start()] + rng.choice(["__ ", "XX ", "[ ] "]) + m.group(2) + f[m.end():]
            return layout(rng, ind, f2, i), "measurement blanked"
        m = SIDE.search(f)
        if m:
            f2 = f[:m.start()] + rng.choice(["[LEFT/RIGHT]", "[side]", "***"]) + f[m.end():]
            return layout(rng, ind, f2, i), f"side '{m.group(0)}' left as template field"
        m = re.search(r"\b(normal|clear)\b", f)
        if m:
            f2 = f[:m.start()] + rng.choice(["[***]", "<normal/abnormal>", "[ ]"]) + f[m.end():]
            return layout(rng, ind, f2, i), f"word '{m.group(0)}' left as template field"
        return None
    raise ValueError(kind)


# ---------------------------------------------------------------- checks

PH = re.compile(r"\[(\*\*\*|LEFT/RIGHT|right/left|side|size|X|normal/enlarged| |Further findings)\]|<[a-z /]+>|"
                r"\bXX mm|__ ?(mm|cm)|\*\*\*|\*\* weeks|\bXX (cm|mm)")


def sections(report: str) -> tuple[str | None, str | None]:
    fm = re.search(r"^(Findings:?|FINDINGS:)\n(.*?)(?=\n\n)", report, re.M | re.S)
    im = re.search(r"^(Impression|IMPRESSION|Conclusion|CONCLUSION|Opinion|Summary):\n(.*?)(?=\n\n)", report,
                   re.M | re.S)
    return (fm.group(2).strip() if fm else None), (im.group(2).strip() if im else None)


def verify(kind: str | None, report: str, detail: str) -> bool:
    f, i = sections(report)
    if kind is None:
        return bool(f) and bool(i) and not PH.search(report)
    if kind == "missing_section":
        return not f or not i
    if not f or not i:
        return False
    if kind == "placeholder":
        return bool(PH.search(report))
    if PH.search(report):
        return False
    if kind == "laterality_conflict":
        m = re.search(r"flipped to (right|left)( in (impression|findings))?", detail)
        if not m:
            return False
        new, where = m.group(1), m.group(3) or "impression"
        a, b = (i, f) if where == "impression" else (f, i)
        return bool(re.search(rf"\b{new}\b", a, re.I)) and bool(re.search(rf"\b{flip(new)}\b", b, re.I))
    if kind == "impression_omits_finding":
        key = detail.split(" ")[0]
        group = {"effusion_mod": "effusion", "nodule": "mass"}.get(key, key)
        return group in GROUPS and not re.search(GROUPS[group], i, re.I)
    if kind == "negation_conflict":
        neg = re.compile(r"\bno\b|\bnormal\b|\bclear\b", re.I)
        if "impression affirms" in detail or "but impression affirms" in detail:
            return bool(neg.search(f)) and not neg.search(sents(i)[0])
        return bool(neg.search(sents(i)[0]))
    return False


# ---------------------------------------------------------------- build


def build(seed: int, shared: Path) -> list[dict]:
    rng = random.Random(seed)
    iu = load_iu(shared)
    rng.shuffle(iu)
    pool = iter(iu)
    rows = []
    for kind, n in [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]:
        for j in range(n):
            while True:
                if j < n // 2:
                    got = composed(rng, kind)
                else:
                    r = next(pool)
                    got = iu_case(rng, r, kind)
                if got and verify(kind, got[0], got[1]):
                    break
            report, detail = got
            rows.append({"injected": kind, "detail": detail or "unmodified", "report": report})
    rng.shuffle(rows)
    out = []
    for k, row in enumerate(rows):
        cid = hashlib.sha1(f"h58:{seed}:{k}:{row['report']}".encode()).hexdigest()[:16]
        out.append({"id": cid, **row})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=5801)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if shared is None:
        print("shared data not found: set MEDRAG_SHARED_DIR to the shared folder "
              "(with data/iu_reports/NLMCXR_reports.tgz)", file=sys.stderr)
        return 2
    rows = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for row in [r for r in rows if r["injected"] == kind][:a.show]:
                print(f"===== {kind} | {row['detail']}\n{row['report']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
