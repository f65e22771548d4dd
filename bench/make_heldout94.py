"""Held-out report-check set 94, written blind (without reading the checker).

Setting: a large US integrated health system (Kaiser-style HMO). Chest films come from
medical-office-building outpatient imaging, the system's own EDs and wards, ordered by primary
care, pulmonology and cardiology, and are read by the system's own radiology group on a common
structured template (EXAM / CLINICAL HISTORY / COMPARISON / TECHNIQUE / FINDINGS with
Lines-tubes, Lungs, Pleura, Heart, Mediastinum, Bones sub-headings or prose / IMPRESSION or
CONCLUSION / electronic sign-off). Unfilled template fields in this setting look like the
EHR wildcard ``***`` or dictation-system brackets (``[***]``, ``[ ]``, ``{***}``).

400 cases: 200 clean and 40 of each injected kind (missing_section, laterality_conflict,
negation_conflict, impression_omits_finding, placeholder). Half of every group is composed from
a phrase bank written here; half are real IU (Open-i) reports, never one whose uid is in the dev
set, re-laid-out on the setting's template and lightly re-worded. ``XXXX`` / ``___`` are
de-identification masks of the IU collection, never placeholders.

Usage: ``python -m bench.make_heldout94 OUT.jsonl --seed S [--show N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

KINDS = (
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
)
N_CLEAN = 200
N_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


def dev_uids(shared: Path) -> set[str]:
    out = set()
    with open(shared / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


_IU_CACHE: dict[str, list[dict]] = {}


def load_iu(shared: Path) -> list[dict]:
    key = str(shared)
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    rows = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            d = {"uid": None}
            for a in root.iter("AbstractText"):
                d[(a.get("Label") or "").upper()] = " ".join((a.text or "").split())
            for u in root.iter("uId"):
                d["uid"] = u.get("id")
            if d["uid"]:
                rows.append(d)
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE[key] = rows
    return rows


# --------------------------------------------------------------------------------------------
# Setting: headers, histories, sign-off
# --------------------------------------------------------------------------------------------

EXAMS_2V = ["XR CHEST 2 VIEWS", "XR CHEST PA AND LATERAL", "XR CHEST 2 VW (PA/LAT)", "CHEST 2 VIEWS"]
EXAMS_1V = ["XR CHEST 1 VIEW", "XR CHEST PORTABLE 1 VIEW", "XR CHEST 1 VW AP PORTABLE"]
TECH_2V = [
    "PA and lateral views of the chest.",
    "Frontal and lateral views of the chest were obtained.",
    "2 views of the chest.",
    "PA and lateral radiographs of the chest.",
]
TECH_1V = [
    "Single AP portable view of the chest.",
    "Single frontal view of the chest.",
    "Portable AP upright view of the chest.",
]
HIST_OUTPT = [
    "Cough x 3 weeks.",
    "Persistent cough, nonsmoker.",
    "Chronic cough. Ordered by primary care.",
    "Pre-op evaluation, scheduled for knee arthroplasty.",
    "Pre-operative clearance.",
    "Positive QuantiFERON, asymptomatic.",
    "Positive PPD.",
    "COPD, routine follow-up. Pulmonology.",
    "Dyspnea on exertion.",
    "Shortness of breath, h/o CHF. Cardiology.",
    "Atrial fibrillation, SOB.",
    "Follow-up pneumonia, completed antibiotics.",
    "Follow-up pulmonary nodule.",
    "Former smoker, 30 pack-years, cough.",
    "Wheezing, h/o asthma.",
    "Hemoptysis x1.",
    "Unintentional weight loss.",
    "Annual exam, abnormal lung sounds.",
    "Hypertension, chest tightness.",
    "Immigration / TB screening.",
]
HIST_ACUTE = [
    "Fever and cough, r/o pneumonia.",
    "Chest pain.",
    "SOB.",
    "Hypoxia.",
    "Fall, left chest wall pain.",
    "Fall, right rib pain.",
    "Syncope.",
    "Tachycardia, shortness of breath.",
    "Leukocytosis, fever.",
    "Post-op day 1, decreased O2 sats.",
    "CHF exacerbation.",
    "Altered mental status.",
]
COMPARISONS = [
    "None.",
    "None available.",
    "None.",
    "Chest radiograph 06/14/2023.",
    "XR chest 2 views 11/02/2022.",
    "Prior chest x-ray 2 years ago.",
    "01/09/2024.",
    "Chest x-ray from 3 days prior.",
    "CT chest 08/2023.",
    "Outside film not available.",
    "Multiple prior chest radiographs, most recent 04/27/2024.",
]
RADS = [
    "A. Nguyen, MD",
    "R. Castillo, MD",
    "S. Patel, MD",
    "M. Okafor, MD",
    "J. Lindqvist, MD",
    "K. Tanaka, MD",
    "D. Hernandez, MD",
    "L. Brennan, MD",
]
NORMAL_IMP = [
    "No acute cardiopulmonary process.",
    "No acute cardiopulmonary abnormality.",
    "No acute cardiopulmonary disease.",
    "No radiographic evidence of acute cardiopulmonary disease.",
    "No acute findings in the chest.",
    "Negative chest radiograph.",
    "No acute cardiopulmonary process identified.",
]


def signoff(rng: random.Random) -> str:
    rad = rng.choice(RADS)
    t = f"{rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}"
    forms = [
        f"Electronically signed by: {rad} on 05/{rng.randint(1, 28):02d}/2024 {t}",
        f"Dictated and signed by: {rad}",
        f"Signed: {rad}  Date/Time: 05/{rng.randint(1, 28):02d}/2024 {t}",
        f"I have personally reviewed the images and agree with this report.\nElectronically signed by: {rad}",
        f"Interpreted by: {rad}",
    ]
    return rng.choice(forms)


def header(rng: random.Random, portable: bool, history: str, comparison: str | None) -> dict:
    exam = rng.choice(EXAMS_1V if portable else EXAMS_2V)
    tech = rng.choice(TECH_1V if portable else TECH_2V)
    return {"exam": exam, "history": history, "comparison": comparison, "technique": tech}


def render(
    rng: random.Random,
    hdr: dict,
    findings: str | None,
    impression: str | None,
    *,
    findings_blank_header: bool = False,
    impression_blank_header: bool = False,
) -> str:
    """Lay out on the group's template; ``None`` sections are left out (or kept blank)."""
    style = rng.random()
    hist_lbl = rng.choice(["CLINICAL HISTORY", "CLINICAL HISTORY", "HISTORY", "INDICATION", "REASON FOR EXAM"])
    imp_lbl = "IMPRESSION" if rng.random() < 0.82 else "CONCLUSION"
    parts = []
    if style < 0.55:
        parts.append(f"EXAM: {hdr['exam']}")
    elif style < 0.8:
        parts.append(f"PROCEDURE: {hdr['exam']}")
    else:
        parts.append(hdr["exam"])
    parts.append(f"{hist_lbl}: {hdr['history']}")
    if hdr.get("comparison") is not None:
        parts.append(f"COMPARISON: {hdr['comparison']}")
    if rng.random() < 0.75:
        parts.append(f"TECHNIQUE: {hdr['technique']}")
    body = "\n".join(parts)
    if findings is not None:
        if findings.strip():
            sep = "\n" if "\n" in findings or rng.random() < 0.4 else " "
            body += f"\n\nFINDINGS:{sep}{findings}"
        else:
            body += "\n\nFINDINGS:"
    elif findings_blank_header:
        body += "\n\nFINDINGS:"
    if impression is not None:
        if impression.strip():
            sep = "\n" if "\n" in impression or rng.random() < 0.4 else " "
            body += f"\n\n{imp_lbl}:{sep}{impression}"
        else:
            body += f"\n\n{imp_lbl}:"
    elif impression_blank_header:
        body += f"\n\n{imp_lbl}:"
    body += "\n\n" + signoff(rng)
    return body


def number_lines(lines: list[str], rng: random.Random) -> str:
    if len(lines) == 1 and rng.random() < 0.7:
        return lines[0]
    return "\n".join(f"{i}. {t}" for i, t in enumerate(lines, 1))


# --------------------------------------------------------------------------------------------
# Phrase bank (synthetic half)
# --------------------------------------------------------------------------------------------

SUBS = ("Lines/tubes", "Lungs", "Pleura", "Heart", "Mediastinum", "Bones/soft tissues")


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def item(key, f, imp=None, sig=False, side=None, neg_f=None, neg_i=None, imp_opt=False, kind="other"):
    """f: dict sub -> sentence. imp: impression line. sig: must appear in impression."""
    return {
        "key": key, "f": f, "imp": imp, "sig": sig, "side": side, "neg_f": neg_f,
        "neg_i": neg_i, "imp_opt": imp_opt, "kind": kind,
    }


def it_pneumonia(rng):
    side = rng.choice(["right", "left"])
    lobe = rng.choice(["lower lobe", "lower lobe",
        "upper lobe"] + (["middle lobe"] if side == "right" else ["lingula"]))
    where = f"{side} {lobe}" if lobe != "lingula" else "lingula"
    if lobe == "lingula":
        where_f = "the lingula (left midlung)"
    else:
        where_f = f"the {where}"
    f = rng.choice([
        f"Patchy airspace opacity in {where_f}.",
        f"Focal consolidation in {where_f}.",
        f"New airspace consolidation in {where_f}.",
        f"Ill-defined opacity in {where_f}, new from prior.",
    ])
    imp = rng.choice([
        f"{cap(where)} pneumonia.",
        f"{cap(where)} airspace disease, likely pneumonia in the appropriate clinical setting.",
        f"Findings compatible with {where} pneumonia. Recommend follow-up PA and lateral radiographs "
        f"in 6-8 weeks after treatment to document resolution.",
        f"{cap(where)} consolidation concerning for pneumonia.",
    ])
    return item("pneumonia", {"Lungs": f}, imp, True, side if lobe != "lingula" else "left",
                neg_f=("Lungs", rng.choice(["Clear.", "The lungs are clear.", "No focal consolidation."])),
                kind="airspace")


def it_effusion(rng, size):
    side = rng.choice(["right", "left", "bilateral"])
    if side == "bilateral":
        f = f"{cap(size)} bilateral pleural effusions."
        imp = f"{cap(size)} bilateral pleural effusions."
        s = None
    else:
        f = rng.choice([
            f"{cap(size)} {side} pleural effusion.",
            f"{cap(size)} {side} pleural effusion with adjacent basilar opacity, likely atelectasis.",
        ] + ([f"Blunting of the {side} costophrenic angle, likely a small effusion."] if size == "small" else []))
        imp = f"{cap(size)} {side} pleural effusion."
        s = side
    sig = size != "small"
    return item(f"effusion_{size}", {"Pleura": f}, imp, sig, s,
                neg_f=("Pleura", "No pleural effusion or pneumothorax."),
                neg_i=["No pleural effusion.", "No pleural effusion or pneumothorax.", "No effusion."],
                imp_opt=not sig, kind="effusion")


def it_ptx(rng):
    side = rng.choice(["right", "left"])
    cm = rng.choice(["1", "1.5", "2", "2.5"])
    f = rng.choice([
        f"Small {side} apical pneumothorax measuring approximately {cm} cm.",
        f"{cap(side)} apical pneumothorax, {cm} cm apex to dome.",
        f"Thin {side} apical pleural line with absent lung markings peripherally, "
        f"consistent with a small pneumothorax.",
    ])
    imp = rng.choice([
        f"Small {side} apical pneumothorax. Findings were called to the ordering provider "
        f"at the time of interpretation.",
        f"{cap(side)} pneumothorax, small. Critical result communicated to the ED physician.",
        f"Small {side} pneumothorax.",
    ])
    return item("ptx", {"Pleura": f}, imp, True, side,
                neg_f=("Pleura", "No pleural effusion or pneumothorax."), kind="ptx")


def it_cardiomegaly_mild(rng):
    f = rng.choice([
        "Mild cardiomegaly, stable.",
        "Heart size is mildly enlarged, unchanged.",
        "Stable mildly enlarged cardiac silhouette.",
        "Borderline cardiomegaly.",
    ])
    imp = rng.choice(["Stable mild cardiomegaly.", "Mild cardiomegaly, unchanged.", "Borderline heart size."])
    if f.startswith("Borderline"):
        imp = "Borderline heart size."
    return item("cardiomegaly", {"Heart": f}, imp, False,
                neg_f=("Heart", "Heart size is normal."), neg_i=["Normal heart size.", "Heart size is normal.",
                    "Normal cardiomediastinal silhouette."],
                imp_opt=True,
                kind="cardiomegaly")


def it_chf(rng):
    f = {
        "Heart": rng.choice(["Moderate cardiomegaly.", "Cardiomegaly.", "Enlarged cardiac silhouette."]),
        "Lungs": rng.choice([
            "Pulmonary vascular congestion with mild interstitial edema.",
            "Cephalization and interstitial edema, increased from prior.",
            "Diffuse interstitial prominence and Kerley B lines, consistent with interstitial edema.",
        ]),
    }
    if rng.random() < 0.5:
        f["Pleura"] = "Trace bilateral pleural effusions."
    imp = rng.choice([
        "Cardiomegaly with mild pulmonary edema, consistent with CHF.",
        "Findings compatible with congestive heart failure with interstitial edema.",
        "Mild interstitial pulmonary edema and cardiomegaly.",
    ])
    return item("chf", f, imp, True, None, neg_f=("Lungs", "Lungs are clear. No pulmonary edema."), kind="edema")


def it_nodule(rng):
    side = rng.choice(["right", "left"])
    mm = rng.choice([6, 7, 8, 9, 10, 12, 14])
    zone = rng.choice(["upper lobe", "lower lobe", "midlung"])
    where = f"{side} {zone}" if zone != "midlung" else f"{side} midlung"
    f = rng.choice([
        f"{mm} mm nodular opacity in the {where}.",
        f"New {mm} mm pulmonary nodule projecting over the {where}.",
        f"Rounded {mm} mm nodule in the {where}, not seen on prior.",
    ])
    imp = rng.choice([
        f"{mm} mm {where} nodule. Recommend non-emergent CT chest for further characterization.",
        f"{cap(where)} pulmonary nodule measuring {mm} mm. CT chest recommended.",
    ])
    return item("nodule", {"Lungs": f}, imp, True, side,
                neg_f=("Lungs", "Lungs are clear. No suspicious pulmonary nodule."), kind="nodule")


def it_mass(rng):
    side = rng.choice(["right", "left"])
    cm = rng.choice(["3.2", "4", "4.5", "5"])
    where = rng.choice([f"{side} upper lobe", f"{side} perihilar region", f"{side} lower lobe"])
    f = f"{cm} cm mass in the {where}."
    imp = rng.choice([
        f"{cm} cm {where.replace(' region', '')} mass, concerning for neoplasm. Recommend CT chest with contrast.",
        f"{cap(where.replace(' region', ''))} mass. CT chest recommended. "
        f"Results communicated to the ordering provider.",
    ])
    return item("mass", {"Lungs": f}, imp, True, side,
                neg_f=("Lungs", "The lungs are clear."), kind="mass")


def it_atelectasis(rng):
    side = rng.choice(["right", "left", "bibasilar"])
    if side == "bibasilar":
        f = rng.choice(["Mild bibasilar linear atelectasis.", "Bibasilar subsegmental atelectasis or scarring."])
        imp = "Mild bibasilar atelectasis."
        s = None
    else:
        f = f"Linear atelectasis or scarring at the {side} lung base."
        imp = f"Minimal {side} basilar atelectasis/scarring."
        s = side
    return item("atelectasis", {"Lungs": f}, imp, False, s, imp_opt=True, kind="atelectasis")


def it_copd(rng):
    f = rng.choice([
        "Hyperinflation with flattening of the hemidiaphragms, consistent with COPD.",
        "Hyperexpanded lungs with increased retrosternal clear space, compatible with emphysema.",
        "Lungs are hyperinflated. Coarse interstitial markings, chronic.",
    ])
    imp = rng.choice(["COPD. No acute process.", "Emphysema/COPD without acute superimposed process.",
                      "Hyperinflation, compatible with COPD."])
    return item("copd", {"Lungs": f}, imp, False, imp_opt=True, kind="copd")


def it_granuloma(rng):
    side = rng.choice(["right", "left"])
    zone = rng.choice(["upper lobe", "lower lobe", "midlung", "hilum"])
    f = rng.choice([
        f"Calcified granuloma in the {side} {zone}.",
        f"Small calcified granuloma {side} {zone}, unchanged.",
    ])
    return item("granuloma", {"Lungs": f}, None, False, side, kind="granuloma")


def it_degen(rng):
    f = rng.choice([
        "Degenerative changes of the thoracic spine.",
        "Mild multilevel degenerative disc disease of the thoracic spine.",
        "Degenerative changes of both shoulders.",
        "Thoracic spondylosis.",
    ])
    return item("degen", {"Bones/soft tissues": f}, None, False, kind="bones")


def it_oldfx(rng):
    side = rng.choice(["right", "left"])
    n = rng.choice(["5th", "6th", "7th", "8th"])
    f = rng.choice([f"Healed {side} {n} rib fracture.", f"Old healed fractures of the {side} lateral ribs."])
    return item("oldfx", {"Bones/soft tissues": f}, None, False, side, kind="bones")


def it_aorta(rng):
    f = rng.choice([
        "Atherosclerotic calcification of the aortic arch.",
        "Tortuous thoracic aorta with aortic knob calcification.",
        "Aortic atherosclerosis.",
    ])
    return item("aorta", {"Mediastinum": f}, None, False, kind="aorta")


def it_pacer(rng):
    f = rng.choice([
        "Left chest wall dual-chamber pacemaker with leads in the right atrium and right ventricle.",
        "Left-sided AICD with lead tip in the right ventricle, unchanged.",
        "Left chest wall cardiac device with leads in expected position.",
    ])
    return item("pacer", {"Lines/tubes": f}, None, False, kind="device")


def it_sternotomy(rng):
    f = rng.choice(["Median sternotomy wires and CABG clips.", "Intact median sternotomy wires.",
                    "Post CABG changes."])
    return item("sternotomy", {"Mediastinum": f}, None, False, kind="device")


def it_hernia(rng):
    return item("hernia", {"Mediastinum": "Small hiatal hernia."}, None, False, kind="hernia")


def it_picc(rng):
    side = rng.choice(["Right", "Left"])
    f = rng.choice([
        f"{side} upper extremity PICC with tip at the cavoatrial junction.",
        f"{side} arm PICC terminates in the distal SVC.",
    ])
    imp = rng.choice([f"{side} PICC tip at the cavoatrial junction.", f"{side} PICC tip in the distal SVC."])
    if "SVC" in f:
        imp = f"{side} PICC tip in the distal SVC."
    else:
        imp = f"{side} PICC tip at the cavoatrial junction."
    return item("picc", {"Lines/tubes": f}, imp, True, side.lower(), kind="device")


MAIN = [
    (it_pneumonia, 20), (lambda r: it_effusion(r, "small"), 10), (lambda r: it_effusion(r, "moderate"), 4),
    (it_ptx, 3), (it_cardiomegaly_mild, 16), (it_chf, 8), (it_nodule, 6), (it_mass, 1.5),
    (it_atelectasis, 15), (it_copd, 10), (it_picc, 4),
]
SIG_MAIN = [(it_pneumonia, 8), (lambda r: it_effusion(r, "moderate"), 4), (it_ptx, 3), (it_chf, 5),
            (it_nodule, 4), (it_mass, 1.5)]
INCIDENTAL = [(it_granuloma, 4), (it_degen, 8), (it_oldfx, 2), (it_aorta, 6), (it_pacer, 2),
              (it_sternotomy, 2), (it_hernia, 1.5)]


def wchoice(rng, pairs):
    tot = sum(w for _, w in pairs)
    x = rng.random() * tot
    for f, w in pairs:
        x -= w
        if x <= 0:
            return f
    return pairs[-1][0]


LUNG_NORMAL = ["Clear. No focal consolidation.", "The lungs are clear.", "Lungs are clear without focal consolidation.",
               "No focal airspace consolidation.", "Clear bilaterally."]
PLEURA_NORMAL = ["No pleural effusion or pneumothorax.", "No effusion or pneumothorax.", "Normal."]
HEART_NORMAL = ["Normal heart size.", "Heart size is within normal limits.", "Normal."]
MED_NORMAL = ["Normal mediastinal contours.", "Mediastinal and hilar contours are unremarkable.", "Normal."]
BONE_NORMAL = ["No acute osseous abnormality.", "Unremarkable.", "No acute bony abnormality."]
LINES_NORMAL = ["None.", "None."]


def syn_profile(rng, mode: str):
    """mode: 'any' (real-list mix), 'sig' (needs a significant item), 'minor' (has an imp-able minor item),
    'lateral' (significant lateralised item mentioned in impression)."""
    items = []
    if mode == "any":
        if rng.random() < 0.42:
            items.append(wchoice(rng, MAIN)(rng))
    elif mode == "sig":
        it = wchoice(rng, SIG_MAIN)(rng)
        items.append(it)
        if rng.random() < 0.3:
            it2 = wchoice(rng, MAIN)(rng)
            if not it2["sig"] and not _clash(items, it2):
                items.append(it2)
    elif mode == "lateral":
        while True:
            it = rng.choice([it_pneumonia, it_ptx, it_nodule, it_mass, lambda r: it_effusion(r, "moderate"),
                             lambda r: it_effusion(r, "small"), it_atelectasis, it_picc])(rng)
            if it["side"] and it["imp"] and "middle" not in it["imp"] and re.search(
                    rf"\b{it['side']}\b", it["imp"], re.I) and all(
                    re.search(rf"\b{it['side']}\b", t, re.I) for t in it["f"].values()):
                break
        it["sig"] = True  # keep it in the impression
        items.append(it)
    elif mode == "minor":
        it = rng.choice([lambda r: it_effusion(r, "small"), it_cardiomegaly_mild, it_cardiomegaly_mild])(rng)
        items.append(it)
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        inc = wchoice(rng, INCIDENTAL)(rng)
        if not _clash(items, inc):
            items.append(inc)
    return items


def _clash(items, new):
    keys = {i["key"] for i in items}
    if new["key"] in keys:
        return True
    subs_used = {s for i in items for s in i["f"]}
    if "Pleura" in new["f"] and "Pleura" in subs_used:
        return True
    if new["key"] == "cardiomegaly" and "chf" in keys:
        return True
    if new["key"] == "chf" and "cardiomegaly" in keys:
        return True
    return False


def build_findings(rng, items, structured: bool, override: dict | None = None) -> str:
    """override: sub -> text that replaces whatever would be there."""
    override = override or {}
    by = {s: [] for s in SUBS}
    for it in items:
        for s, t in it["f"].items():
            by[s].append(t)
    keys = {i["key"] for i in items}
    out = {}
    for s in SUBS:
        if s in override:
            out[s] = override[s]
            continue
        lst = by[s]
        if s == "Lungs":
            if not lst:
                out[s] = rng.choice(LUNG_NORMAL)
            else:
                txt = " ".join(lst)
                if not keys & {"pneumonia", "chf", "mass"} and rng.random() < 0.6:
                    txt += " No focal consolidation."
                out[s] = txt
        elif s == "Pleura":
            if not lst:
                out[s] = rng.choice(PLEURA_NORMAL)
            else:
                txt = " ".join(lst)
                txt += " No pneumothorax." if "ptx" not in keys else " No pleural effusion."
                out[s] = txt
        elif s == "Heart":
            out[s] = " ".join(lst) if lst else rng.choice(HEART_NORMAL)
        elif s == "Mediastinum":
            out[s] = " ".join(lst) if lst else rng.choice(MED_NORMAL)
        elif s == "Bones/soft tissues":
            out[s] = " ".join(lst) if lst else rng.choice(BONE_NORMAL)
        else:
            out[s] = " ".join(lst) if lst else rng.choice(LINES_NORMAL)
    if structured:
        lines = []
        for s in SUBS:
            if s == "Lines/tubes" and out[s] == "None." and rng.random() < 0.3:
                continue
            lab = s
            if s == "Heart" and rng.random() < 0.5:
                lab = "Heart/pericardium"
            lines.append(f"{lab}: {out[s]}")
        return "\n".join(lines)
    # prose: turn terse "Normal."/"Clear." into sentences
    prose_map = {
        ("Heart", "Normal."): "Heart size is normal.",
        ("Mediastinum", "Normal."): "Mediastinal contours are normal.",
        ("Pleura", "Normal."): "No pleural effusion or pneumothorax.",
        ("Bones/soft tissues", "Unremarkable."): "Osseous structures are unremarkable.",
        ("Lungs", "Clear. No focal consolidation."): "The lungs are clear.",
        ("Lungs", "Clear bilaterally."): "Lungs are clear bilaterally.",
        ("Lungs", "Clear."): "The lungs are clear.",
    }
    order = ["Lines/tubes", "Heart", "Mediastinum", "Lungs", "Pleura", "Bones/soft tissues"]
    sents = []
    for s in order:
        t = out[s]
        if s == "Lines/tubes" and t == "None.":
            continue
        sents.append(prose_map.get((s, t), t))
    return " ".join(sents)


def build_impression(rng, items, drop_key=None, extra=None) -> str:
    lines = []
    for it in items:
        if it["key"] == drop_key or not it["imp"]:
            continue
        if it["sig"]:
            lines.append(it["imp"])
    minors = [it for it in items if it["imp"] and not it["sig"] and it["key"] != drop_key]
    add_minor = [it["imp"] for it in minors if rng.random() < 0.5]
    if not lines:
        if add_minor and rng.random() < 0.5:
            lines = add_minor + [rng.choice(["No acute cardiopulmonary process.", "No acute process."])]
        else:
            lines = [rng.choice(NORMAL_IMP)] + add_minor
    else:
        lines += add_minor
    if extra:
        lines.append(extra)
    return number_lines(lines, rng)


DATED_COMP = [c for c in COMPARISONS if re.search(r"\d", c)]


def syn_header(rng, items):
    acute = any(i["sig"] for i in items) and rng.random() < 0.6
    portable = acute and rng.random() < 0.5 or rng.random() < 0.1
    hist = rng.choice(HIST_ACUTE if acute or portable else HIST_OUTPT)
    comp = rng.choice(COMPARISONS) if rng.random() < 0.93 else None
    txt = " ".join(t for i in items for t in i["f"].values())
    if re.search(r"\b(new|prior|unchanged|stable|increased)\b", txt, re.I) and not (comp and re.search(r"\d", comp)):
        comp = rng.choice(DATED_COMP)
    return header(rng, portable, hist, comp)


def syn_case(rng, kind):
    structured = rng.random() < 0.6
    if kind is None:
        items = syn_profile(rng, "any")
        hdr = syn_header(rng, items)
        return render(rng, hdr, build_findings(rng, items, structured), build_impression(rng, items)), ""
    if kind == "missing_section":
        items = syn_profile(rng, "any" if rng.random() < 0.6 else "sig")
        hdr = syn_header(rng, items)
        fnd = build_findings(rng, items, structured)
        r = rng.random()
        if r < 0.35:
            return render(rng, hdr, fnd, None), "IMPRESSION section absent (report ends after findings)"
        if r < 0.7:
            return render(rng, hdr, fnd, ""), "IMPRESSION header present but left empty"
        items = [i for i in items if not i["sig"]] if rng.random() < 0.5 else []
        imp = rng.choice(["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
                          "No significant change.", "Stable chest.", "No acute process."])
        return render(rng, hdr, "", imp), "FINDINGS header present but empty; impression does not describe the image"
    if kind == "laterality_conflict":
        items = syn_profile(rng, "lateral")
        lat = items[0]
        hdr = syn_header(rng, items)
        side, opp = lat["side"], ("left" if lat["side"] == "right" else "right")
        fnd = build_findings(rng, items, structured)
        imp = build_impression(rng, items)
        if rng.random() < 0.5:
            new_imp = _flip_first(imp, lat["imp"], side, opp)
            return render(rng, hdr, fnd, new_imp), f"impression puts the {lat['key']} on the {opp}; findings say {side}"
        ftxt = list(lat["f"].values())[0]
        nf = _flip_first(fnd, ftxt, side, opp)
        return render(rng, hdr, nf, imp), f"findings put the {lat['key']} on the {opp}; impression says {side}"
    if kind == "negation_conflict":
        if rng.random() < 0.55:
            # normal template line left in findings while the impression affirms the finding
            while True:
                items = syn_profile(rng, "sig" if rng.random() < 0.7 else "minor")
                main = items[0]
                if main["neg_f"] and main["imp"]:
                    break
            main["sig"] = True
            sub, txt = main["neg_f"]
            others = [i for i in items if i is not main]
            hdr = syn_header(rng, items)
            fnd = build_findings(rng, others, structured, override={sub: txt} if structured else None)
            if not structured:
                fnd = build_findings(rng, others, False)
                fnd = _ensure_negation(fnd, main["kind"])
            imp = build_impression(rng, items)
            return render(rng, hdr, fnd, imp), (
                f"findings keep the normal line negating the {main['key']} that the impression affirms")
        items = syn_profile(rng, "minor")
        main = items[0]
        hdr = syn_header(rng, items)
        fnd = build_findings(rng, items, structured)
        rest = [i for i in items if i is not main]
        neg = rng.choice(main["neg_i"])
        lines = [i["imp"] for i in rest if i["imp"] and i["sig"]]
        lines = [rng.choice(["No acute cardiopulmonary process.", "No acute process.",
            "No focal consolidation."])] + lines
        lines.insert(rng.randint(0, len(lines)), neg)
        return render(rng, hdr, fnd, number_lines(lines, rng)), (
            f"impression says '{neg}' while findings affirm the {main['key']}")
    if kind == "impression_omits_finding":
        items = syn_profile(rng, "sig")
        main = items[0]
        hdr = syn_header(rng, items)
        fnd = build_findings(rng, items, structured)
        others = [i for i in items[1:] if i["imp"]]
        if others and rng.random() < 0.6:
            lines = [others[0]["imp"], rng.choice(["No acute cardiopulmonary process.",
                "Otherwise no acute findings."])]
            if others[0]["key"] == "copd":
                lines = [others[0]["imp"]]
            imp = number_lines(lines, rng)
        else:
            imp = rng.choice(NORMAL_IMP)
        return render(rng, hdr, fnd, imp), f"impression ('{imp[:60]}') leaves out the {main['key']} in findings"
    if kind == "placeholder":
        items = syn_profile(rng, "any")
        hdr = syn_header(rng, items)
        fnd = build_findings(rng, items, structured)
        imp = build_impression(rng, items)
        tok = rng.choice(["***", "***", "[***]", "[ ]", "{***}", "***"])
        avail = ["history", "comparison", "impression", "impression"]
        if re.search(r"\b\d+(\.\d+)? (mm|cm)\b", fnd):
            avail += ["number"] * 3
        if re.search(r"\b(right|left)\b", fnd):
            avail += ["side"] * 2
        if structured:
            avail += ["sub"] * 2
        slot = rng.choice(avail)
        if slot == "number" and re.search(r"\b\d+(\.\d+)? (mm|cm)\b", fnd):
            fnd = re.sub(r"\b\d+(\.\d+)? (mm|cm)\b", lambda m: f"{tok} {m.group(2)}", fnd, count=1)
            return render(rng, hdr, fnd, imp), f"measurement in findings left as '{tok}'"
        if slot == "side" and re.search(r"\b(right|left)\b", fnd):
            fnd = re.sub(r"\b(right|left)\b", tok, fnd, count=1)
            return render(rng, hdr, fnd, imp), f"side in findings left as '{tok}'"
        if slot == "sub" and structured:
            sub = rng.choice(["Bones/soft tissues", "Mediastinum", "Lines/tubes"])
            lines = fnd.split("\n")
            for k, ln in enumerate(lines):
                if ln.startswith(sub):
                    lines[k] = f"{sub}: {tok}"
                    break
            else:
                lines.insert(len(lines), f"Bones/soft tissues: {tok}")
            fnd = "\n".join(lines)
            return render(rng, hdr, fnd, imp), f"'{sub}' template line not filled ('{tok}')"
        if slot == "impression":
            if any(i["sig"] for i in items) and rng.random() < 0.6:
                imp = imp + ("\n" if "\n" in imp else " ") + rng.choice([
                    f"Follow-up chest radiograph in {tok} weeks recommended.",
                    f"Findings discussed with Dr. {tok} at {tok}.",
                    f"Results communicated to {tok}."])
            elif "\n" in imp:
                imp = imp + f"\n{imp.count(chr(10)) + 2}. {tok}"
            else:
                imp = f"1. {imp}\n2. {tok}"
            return render(rng, hdr, fnd, imp), f"impression has an unfilled field '{tok}'"
        if slot == "comparison" or hdr["comparison"] is None:
            hdr["comparison"] = rng.choice([tok, f"{tok}.", f"Chest radiograph {tok}."])
            return render(rng, hdr, fnd, imp), f"COMPARISON field left as '{hdr['comparison']}'"
        hdr["history"] = rng.choice([tok, f"{tok}.", f"{hdr['history'].rstrip('.')}. {tok}"])
        return render(rng, hdr, fnd, imp), f"CLINICAL HISTORY field left as '{hdr['history']}'"
    raise ValueError(kind)


def _ensure_negation(fnd, kind):
    neg = {
        "airspace": "The lungs are clear.",
        "effusion": "No pleural effusion or pneumothorax.",
        "ptx": "No pleural effusion or pneumothorax.",
        "cardiomegaly": "Heart size is normal.",
        "edema": "No pulmonary edema.",
        "nodule": "The lungs are clear.",
        "mass": "The lungs are clear.",
    }[kind]
    if neg.lower() in fnd.lower():
        return fnd
    return fnd + " " + neg


def _flip_first(text, anchor, side, opp):
    """Flip the side word inside the first occurrence of anchor's side phrase."""
    def sw(m):
        w = m.group(0)
        return opp.capitalize() if w[0].isupper() else opp
    idx = text.find(anchor)
    if idx < 0:
        return re.sub(rf"\b{side}\b", sw, text, count=1, flags=re.I)
    seg = re.sub(rf"\b{side}\b", sw, anchor, count=1, flags=re.I)
    return text[:idx] + seg + text[idx + len(anchor):]


# --------------------------------------------------------------------------------------------
# Real IU reports
# --------------------------------------------------------------------------------------------

NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|resolved|resolution|clear|absent|removed|nor)\b", re.I)
HIST_CUE = re.compile(r"\b(previous|prior|old|chronic|stable|unchanged|history|healed|resolv|improv|"
                      r"decreas|remote|again|persistent|redemonstrat|calcified|granulom|scar)", re.I)
HEDGE = re.compile(r"\b(possibl|may|might|question|suspect|versus|vs|cannot|could|likely|probabl|"
                   r"suggest|concern|consider|equivocal|borderline|minimal|trace)", re.I)
GROUPS = {
    "ptx": r"pneumothora",
    "airspace": r"consolidat|pneumonia|infiltrat|air ?space (disease|opacit|consolidat)|airspace",
    "edema": r"edema|vascular congestion|pulmonary congestion|\bchf\b|heart failure",
    "effusion": r"effusion",
    "mass": r"\bmass(es)?\b",
    "nodule": r"\bnodul",
    "mediastinum": r"widen",
    "freeair": r"free air|pneumoperitoneum|free intraperitoneal",
    "cardiomegaly": r"cardiomegaly|heart (size )?is (mildly |moderately |markedly )?enlarged|enlarged (heart|cardiac)|"
                    r"heart size is (mildly )?increased|cardiac (silhouette|size) is (mildly |moderately )?enlarged",
    "atelectasis": r"atelecta",
    "opacity": r"opacit|density|densities",
}
SIG_GROUPS = ("ptx", "airspace", "edema", "mass", "mediastinum", "freeair")


def sentences(text):
    return [s.strip() for s in re.split(r"(?<=\.)\s+|\s*\d\.\s+(?=[A-Z])", text) if s and s.strip(" .")]


def affirmed_strict(sent, pat):
    return re.search(pat, sent, re.I) and not NEG_CUE.search(sent)


def affirmed_loose(sent, pat):
    for m in re.finditer(pat, sent, re.I):
        start = max(sent.rfind(c, 0, m.start()) for c in ",;:")
        pre = sent[start + 1:m.start()]
        if not NEG_CUE.search(pre):
            return True
    return False


def negated(sent, pat):
    m = re.search(pat, sent, re.I)
    return bool(m and NEG_CUE.search(sent[:m.start()]))


def sides(sent):
    return set(w.lower() for w in re.findall(r"\b(right|left)\b", sent, re.I))


def iu_screen(r) -> bool:
    """True if the real report looks like one a reviewer would sign as it is."""
    f, i = r.get("FINDINGS", ""), r.get("IMPRESSION", "")
    if len(f) < 40 or len(i) < 8 or len(f) > 900:
        return False
    all_t = " ".join([f, i, r.get("INDICATION", ""), r.get("COMPARISON", "")])
    if re.search(r"\[|\]|\*\*|_|\{|<", all_t):
        return False
    if re.search(r"\b(see above|as above|findings above|dictated|addendum)\b", i, re.I):
        return False
    fs, is_ = sentences(f), sentences(i)
    for g, pat in GROUPS.items():
        f_aff = [s for s in fs if affirmed_loose(s, pat)]
        i_aff = [s for s in is_ if affirmed_loose(s, pat)]
        f_neg = [s for s in fs if negated(s, pat)]
        i_neg = [s for s in is_ if negated(s, pat)]
        if g in SIG_GROUPS and f_aff and not re.search(pat, i, re.I):
            return False
        if g == "effusion" and any(re.search(r"moderate|large", s, re.I) for s in f_aff) and not re.search(pat, i,
            re.I):
            return False
        if f_aff and i_neg and not i_aff:
            return False
        if i_aff and f_neg and not f_aff:
            return False
        fsd = set().union(*[sides(s) for s in f_aff]) if f_aff else set()
        isd = set().union(*[sides(s) for s in i_aff]) if i_aff else set()
        if isd and fsd and not (isd & fsd):
            return False
        if isd and not fsd and f_aff and len(isd) == 1:
            pass
    if re.search(r"\b(lungs? (are|is) clear|clear lungs)\b", i, re.I):
        if any(affirmed_loose(s, GROUPS["airspace"] + "|" + GROUPS["opacity"]) for s in fs):
            return False
    if re.search(r"\bnormal (chest|heart size)|heart size (is )?normal", i, re.I):
        if any(affirmed_loose(s, GROUPS["cardiomegaly"]) for s in fs):
            return False
    if any(re.search(r"\b(new|increas|worsen)", s, re.I) and not NEG_CUE.search(s) for s in fs):
        if not re.search(r"\b(new|increas|worsen|progress)", i, re.I):
            return False
    return True


REWORD = [
    (r"\bNo acute cardiopulmonary abnormalit(y|ies)\b", ["No acute cardiopulmonary process",
        "No acute cardiopulmonary abnormality"]),
    (r"\bNo acute cardiopulmonary disease\b", ["No acute cardiopulmonary process", "No acute cardiopulmonary disease"]),
    (r"\bNo acute disease\b", ["No acute cardiopulmonary process", "No acute disease"]),
    (r"\bchest x-XXXX\b", ["chest radiograph"]),
    (r"\bx-XXXX\b", ["radiograph"]),
    (r"\bCardio mediastinal\b", ["Cardiomediastinal"]),
    (r"\bcardio mediastinal\b", ["cardiomediastinal"]),
    (r"\bThe lungs are clear bilaterally\b", ["Lungs are clear bilaterally", "The lungs are clear"]),
    (r"\bwithin normal limits\b", ["within normal limits", "normal"]),
    (r"\bosseous structures\b", ["osseous structures", "bony structures"]),
    (r"\bpulmonary vascularity\b", ["pulmonary vasculature", "pulmonary vascularity"]),
]


def reword(text, rng):
    text = re.sub(r"\.\s*\.", ".", text)
    for pat, choices in REWORD:
        text = re.sub(pat, lambda m, c=choices: rng.choice(c), text)
    return text.strip()


def iu_impression_layout(imp, rng):
    parts = [p.strip() for p in re.split(r"\s*\b\d\.\s+(?=[A-Z])", imp) if p.strip()]
    if len(parts) > 1:
        return "\n".join(f"{k}. {p}" for k, p in enumerate(parts, 1))
    return imp


def iu_header(r, rng):
    ind = r.get("INDICATION", "").strip() or rng.choice(HIST_OUTPT)
    ind = ind[:1].upper() + ind[1:]
    if not ind.endswith("."):
        ind += "."
    comp = r.get("COMPARISON", "").strip()
    comp = comp if comp else "None."
    comp = comp[:1].upper() + comp[1:]
    portable = bool(re.search(r"portable|\bAP\b|single", r.get("FINDINGS", "") + " " + comp, re.I))
    return header(rng, portable, ind, comp)


def iu_prep(r, rng):
    return reword(r.get("FINDINGS", ""), rng), reword(r.get("IMPRESSION", ""), rng)


def flip_word(s, side):
    opp = "left" if side == "right" else "right"
    return re.sub(rf"\b{side}\b", lambda m: opp.capitalize() if m.group(0)[0].isupper() else opp, s, count=1,
        flags=re.I)


LAT_GROUPS = {
    "airspace": r"consolidat|pneumonia|infiltrat|airspace|air space|opacit|density",
    "effusion": r"effusion|costophrenic",
    "atelectasis": r"atelecta|scar",
    "ptx": r"pneumothora",
    "nodule": r"nodul|granulom|mass",
    "diaphragm": r"hemidiaphragm",
}


def iu_lat_candidate(f, i):
    """Pairs (group, findings sentence, impression sentence, side) where the group is placed on one
    side only, in exactly one sentence of each section, and on the same side."""
    fs, is_ = sentences(f), sentences(i)
    out = []
    for g, pat in LAT_GROUPS.items():
        fa = [s for s in fs if re.search(pat, s, re.I) and sides(s)]
        ia = [s for s in is_ if re.search(pat, s, re.I) and sides(s)]
        if len(fa) != 1 or len(ia) != 1:
            continue
        a, b = fa[0], ia[0]
        if len(re.findall(r"\b(right|left)\b", a, re.I)) != 1 or len(re.findall(r"\b(right|left)\b", b, re.I)) != 1:
            continue
        if sides(a) != sides(b) or re.search(r"bilateral|both", a + " " + b, re.I):
            continue
        if NEG_CUE.search(a) or NEG_CUE.search(b):
            continue
        out.append((g, a, b, next(iter(sides(a)))))
    return out


NEG_MACRO = {
    "airspace": ["The lungs are clear.", "Lungs are clear. No focal consolidation.",
        "No focal airspace consolidation."],
    "effusion": ["No pleural effusion.", "No pleural effusion or pneumothorax."],
    "ptx": ["No pneumothorax.", "No pleural effusion or pneumothorax."],
    "cardiomegaly": ["Heart size is normal.", "Normal heart size.",
        "The cardiomediastinal silhouette is within normal limits."],
    "edema": ["No pulmonary edema.", "No edema."],
    "atelectasis": ["The lungs are clear."],
    "nodule": ["The lungs are clear. No pulmonary nodules.", "No suspicious pulmonary nodules or masses."],
    "mass": ["No suspicious pulmonary nodules or masses."],
}


def iu_case(r, rng, kind):
    f, i = iu_prep(r, rng)
    hdr = iu_header(r, rng)
    uid = r["uid"]
    if kind is None:
        return render(rng, hdr, f, iu_impression_layout(i, rng)), ""
    if kind == "missing_section":
        if r["_generic_imp"] and rng.random() < 0.5:
            return render(rng, hdr, "", iu_impression_layout(i, rng)), f"{uid}: FINDINGS emptied (header kept)"
        if rng.random() < 0.5:
            return render(rng, hdr, f, None), f"{uid}: IMPRESSION section removed"
        return render(rng, hdr, f, ""), f"{uid}: IMPRESSION emptied (header kept)"
    fr, ir = r.get("FINDINGS", ""), r.get("IMPRESSION", "")
    if kind == "laterality_conflict":
        g, a, b, side = rng.choice(r["_lat"])
        if rng.random() < 0.5 and b in ir:
            ir = ir.replace(b, flip_word(b, side), 1)
            det = f"{uid}: impression side flipped ({side} -> other) in '{b}'"
        else:
            assert a in fr
            fr = fr.replace(a, flip_word(a, side), 1)
            det = f"{uid}: findings side flipped ({side} -> other) in '{a}'"
        f, i = reword(fr, rng), reword(ir, rng)
        return render(rng, hdr, f, iu_impression_layout(i, rng)), det
    if kind == "negation_conflict":
        mode, g, sent = r["_neg"]
        f = fr
        if mode == "A":
            s2 = sent
            rest = f.replace(s2, "")
            macros = [m for m in NEG_MACRO[g]
                      if not any(w in rest.lower() and w in m.lower() and w not in s2.lower()
                                 for w in ("pneumothora", "effusion", "nodul", "consolidat", "edema", "heart size"))]
            macro = rng.choice(macros or NEG_MACRO[g][:1])
            if g == "effusion" and "pneumothora" in rest.lower():
                macro = "No pleural effusion."
            if g == "ptx" and "effusion" in rest.lower():
                macro = "No pneumothorax."
            assert s2 in f
            f = reword(f.replace(s2, macro, 1), rng)
            return render(rng, hdr, f, iu_impression_layout(i, rng)), (
                f"{uid}: findings sentence '{s2}' replaced by '{macro}'; impression affirms it")
        f = reword(f, rng)
        macro = rng.choice(NEG_MACRO[g][:2])
        i = i.rstrip()
        i = (i if i.endswith(".") else i + ".") + " " + macro
        det = f"{uid}: impression adds '{macro}' but findings affirm it"
        return render(rng, hdr, f, iu_impression_layout(i, rng)), det
    if kind == "impression_omits_finding":
        g = r["_omit"]
        imp = rng.choice(NORMAL_IMP)
        return render(rng, hdr, f, imp), f"{uid}: impression replaced by '{imp}', findings affirm {g}"
    if kind == "placeholder":
        tok = rng.choice(["***", "***", "[***]", "[ ]", "{***}"])
        avail = ["history", "comparison", "word", "word", "word"]
        if re.search(r"\b(right|left)\b", f, re.I):
            avail += ["side"] * 2
        if re.search(r"\b\d+(\.\d+)? ?(mm|cm)\b", f):
            avail += ["number"] * 3
        slot = rng.choice(avail)
        if slot == "side" and re.search(r"\b(right|left)\b", f, re.I):
            f = re.sub(r"\b(right|left)\b", tok, f, count=1, flags=re.I)
            return render(rng, hdr, f, iu_impression_layout(i, rng)), f"{uid}: a side in findings left as '{tok}'"
        if slot == "number" and re.search(r"\b\d+(\.\d+)? ?(mm|cm)\b", f):
            f = re.sub(r"\b\d+(\.\d+)? ?(mm|cm)\b", lambda m: f"{tok} {m.group(2)}", f, count=1)
            return render(rng, hdr, f, iu_impression_layout(i, rng)), f"{uid}: a measurement left as '{tok}'"
        if slot == "word":
            words = [m for m in re.finditer(r"\b(normal|clear|unremarkable|stable|intact|mild|small|"
                                            r"enlarged)\b", f, re.I)]
            if words:
                m = rng.choice(words)
                f = f[:m.start()] + tok + f[m.end():]
                return render(rng, hdr, f, iu_impression_layout(i, rng)), f"{uid}: '{m.group(0)}' left as '{tok}'"
        if slot == "comparison":
            hdr["comparison"] = rng.choice([tok, f"Chest radiograph {tok}."])
            return render(rng, hdr, f, iu_impression_layout(i, rng)), f"{uid}: COMPARISON left as '{hdr['comparison']}'"
        hdr["history"] = rng.choice([tok, f"{tok}."])
        return render(rng, hdr, f, iu_impression_layout(i, rng)), f"{uid}: CLINICAL HISTORY left as '{hdr['history']}'"
    raise ValueError(kind)


def iu_annotate(r):
    f, i = r.get("FINDINGS", ""), r.get("IMPRESSION", "")
    r["_generic_imp"] = bool(re.fullmatch(
        r"(No acute (cardiopulmonary )?(abnormality|abnormalities|disease|process|findings?)|Normal chest( x-XXXX)?|"
        r"Negative chest( x-XXXX)?|No active disease)[\s.]*", i, re.I))
    r["_lat"] = iu_lat_candidate(f, i)
    fs, is_ = sentences(f), sentences(i)
    neg = None
    for g in ("airspace", "effusion", "ptx", "cardiomegaly", "edema", "nodule"):
        pat = GROUPS[g]
        fa = [s for s in fs if affirmed_strict(s, pat)]
        ia = [s for s in is_ if affirmed_strict(s, pat)]
        if fa and ia and len(fa) == 1 and not HEDGE.search(fa[0]) and not HEDGE.search(" ".join(ia)):
            neg = ("A", g, fa[0])
            break
    if neg is None:
        for g in ("effusion", "cardiomegaly"):
            pat = GROUPS[g]
            fa = [s for s in fs if affirmed_strict(s, pat)]
            if fa and not re.search(pat, i, re.I) and not re.search(r"effusion|heart|cardi", i, re.I) and not any(
                    HEDGE.search(x) for x in fa):
                if g == "effusion" and any(re.search("moderate|large", s, re.I) for s in fa):
                    continue
                neg = ("B", g, fa[0])
                break
    r["_neg"] = neg
    omit = None
    if r["_generic_imp"] is False:
        for g in ("ptx", "airspace", "edema", "mass"):
            pat = GROUPS[g]
            fa = [s for s in fs if affirmed_strict(s, pat) and not HIST_CUE.search(s)]
            ia = [s for s in is_ if affirmed_strict(s, pat)]
            if fa and ia:
                omit = g
                break
        if omit is None:
            fa = [s for s in fs if affirmed_strict(s, r"(moderate|large)[\w\s-]*effusion") and not HIST_CUE.search(s)]
            if fa and re.search("effusion", i, re.I):
                omit = "effusion (moderate/large)"
    r["_omit"] = omit


# --------------------------------------------------------------------------------------------


def build(seed: int) -> list[dict]:
    """The 400 labelled cases for ``seed``."""
    return _build(seed)[0]


def used_uids(seed: int) -> set[str]:
    """IU uids of the real reports used for ``seed`` (clean and injected)."""
    return _build(seed)[1]


def _build(seed: int) -> tuple[list[dict], set[str]]:
    shared = shared_dir()
    rng = random.Random(f"h94-{seed}")
    excl = dev_uids(shared)
    pool = [dict(r) for r in load_iu(shared) if r["uid"] not in excl and iu_screen(r)]
    for r in pool:
        iu_annotate(r)
    rng.shuffle(pool)
    used: set[str] = set()

    def take(pred, n):
        got = []
        for r in pool:
            if len(got) == n:
                break
            if r["uid"] in used or not pred(r):
                continue
            used.add(r["uid"])
            got.append(r)
        if len(got) < n:
            raise RuntimeError(f"not enough IU candidates ({len(got)}/{n})")
        return got

    half_clean, half_kind = N_CLEAN // 2, N_KIND // 2
    rows = []
    # real: the scarce kinds first
    for r in take(lambda r: r["_omit"] is not None, half_kind):
        rows.append(("impression_omits_finding", *iu_case(r, rng, "impression_omits_finding"), r["uid"]))
    for r in take(lambda r: bool(r["_lat"]), half_kind):
        rows.append(("laterality_conflict", *iu_case(r, rng, "laterality_conflict"), r["uid"]))
    for r in take(lambda r: r["_neg"] is not None, half_kind):
        rows.append(("negation_conflict", *iu_case(r, rng, "negation_conflict"), r["uid"]))
    for r in take(lambda r: True, half_kind):
        rows.append(("missing_section", *iu_case(r, rng, "missing_section"), r["uid"]))
    for r in take(lambda r: True, half_kind):
        rows.append(("placeholder", *iu_case(r, rng, "placeholder"), r["uid"]))
    for r in take(lambda r: True, half_clean):
        rows.append((None, *iu_case(r, rng, None), r["uid"]))
    # synthetic
    for kind in KINDS:
        for _ in range(half_kind):
            rows.append((kind, *syn_case(rng, kind), None))
    for _ in range(half_clean):
        rows.append((None, *syn_case(rng, None), None))
    rng.shuffle(rows)
    out = []
    for n, (kind, report, detail, uid) in enumerate(rows):
        src = f"IU {uid}" if uid else "phrase bank"
        d = detail if detail else ""
        if uid and d.startswith(uid + ": "):
            d = d[len(uid) + 2:]
        out.append({
            "id": f"h94-{seed}-{n}",
            "injected": kind,
            "detail": f"[{src}] {d}".strip() if kind else "",
            "report": report,
        })
    return out, used


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in (None, *KINDS):
            sel = [r for r in rows if r["injected"] == kind][: a.show]
            for r in sel:
                print(f"===== {r['id']}  {kind}  {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
