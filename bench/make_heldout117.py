"""Held-out report-check set 117, written blind.

Setting: The Gambia and the English-speaking (North-West and South-West) regions of Cameroon --
teaching and regional hospitals (Banjul, Serrekunda, Bansang, Bamenda, Buea, Limbe, Kumba), plain
chest films reported by radiologists trained in the West African colleges, in a mix of British and
local styles: an exam line ("EXAMINATION: CHEST X-RAY (PA VIEW)"), clinical history written as the
ward sends it ("Cough x 3/52, ? PTB", "RVD on HAART", "Pre-employment medical"), comparison and
technique lines ("Film is well centred and adequately penetrated"), findings as a paragraph or a
line-by-line list (trachea, heart/CTR, mediastinum, hila, lung fields by zone, costophrenic angles,
domes of the diaphragm, bony thorax), an IMPRESSION / CONCLUSION / OPINION, and a sign-off
("Kindly correlate clinically", "Dr ..., FWACS, Consultant Radiologist"). British spellings
(oedema, haemithorax, visualised), zones instead of lobes, PTB and cardiomegaly in ordinary
proportions; most films normal or near-normal.

400 cases: 200 clean, 40 of each injected kind (missing_section, laterality_conflict,
negation_conflict, impression_omits_finding, placeholder). Half of each group is composed from the
phrase bank below; half are real IU (Open-i) reports, never one whose uid is in the dev set,
re-laid-out in the setting's headers and lightly re-worded (British spellings, local phrasing).

    python -m bench.make_heldout117 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import sys
import tarfile
from pathlib import Path

KINDS = (
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
)
N_CLEAN = 200
N_PER_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def dev_uids(shared: Path | None = None) -> set[str]:
    shared = shared or shared_dir()
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


def load_iu(shared: Path | None = None) -> list[dict]:
    """All IU reports as {uid, indication, comparison, findings, impression, major}, one pass."""
    shared = shared or shared_dir()
    key = str(shared)
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    rows = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            text = tf.extractfile(m).read().decode("utf-8", "replace")
            mu = re.search(r'<uId id="([^"]+)"', text)
            if not mu:
                continue
            secs = {
                k: html.unescape(v).strip()
                for k, v in re.findall(r'<AbstractText Label="(\w+)">(.*?)</AbstractText>', text, re.S)
            }
            rows.append({
                "uid": mu.group(1),
                "indication": secs.get("INDICATION", ""),
                "comparison": secs.get("COMPARISON", ""),
                "findings": secs.get("FINDINGS", ""),
                "impression": secs.get("IMPRESSION", ""),
                "major": re.findall(r"<major>(.*?)</major>", text),
            })
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE[key] = rows
    return rows


# ---------------------------------------------------------------------------------------------
# Setting: headers, histories, sign-offs
# ---------------------------------------------------------------------------------------------

HOSPITALS = [
    "EDWARD FRANCIS SMALL TEACHING HOSPITAL, BANJUL",
    "SERREKUNDA GENERAL HOSPITAL",
    "KANIFING GENERAL HOSPITAL",
    "BANSANG HOSPITAL",
    "BAMENDA REGIONAL HOSPITAL",
    "BUEA REGIONAL HOSPITAL",
    "LIMBE REGIONAL HOSPITAL",
    "KUMBA DISTRICT HOSPITAL",
]
DEPTS = ["DEPARTMENT OF RADIOLOGY", "RADIOLOGY DEPARTMENT", "MEDICAL IMAGING UNIT", "X-RAY DEPARTMENT"]
EXAMS = [
    "EXAMINATION: CHEST X-RAY (PA VIEW)",
    "EXAMINATION: CHEST RADIOGRAPH, PA ERECT",
    "EXAM: CXR PA",
    "X-RAY: CHEST PA",
    "INVESTIGATION: Chest X-ray (PA view)",
    "CHEST X-RAY REPORT",
    "RADIOGRAPH OF THE CHEST (PA)",
    "EXAMINATION: CHEST X-RAY PA AND LATERAL VIEWS",
]
H_HIST = ["CLINICAL HISTORY", "CLINICAL INFORMATION", "CLINICAL DETAILS", "INDICATION", "CLINICAL NOTES"]
H_COMP = ["COMPARISON", "PREVIOUS FILMS", "PRIOR STUDY", "COMPARISON"]
H_TECH = ["TECHNIQUE", "TECHNIQUE", "VIEW"]
H_FIND = ["FINDINGS", "FINDINGS", "FINDINGS", "REPORT", "OBSERVATIONS", "Findings"]
H_IMP = ["IMPRESSION", "IMPRESSION", "CONCLUSION", "CONCLUSION", "OPINION", "Impression"]
COMPS = [
    "None.",
    "None available.",
    "No previous film available for comparison.",
    "No prior study.",
    "Nil.",
]
TECHS = [
    "PA erect view.",
    "Single PA erect view. Adequate inspiration and penetration.",
    "Film is well centred and adequately penetrated, with good inspiratory effort.",
    "PA view; satisfactory exposure.",
    "Erect PA projection. Technically adequate.",
]
DOCTORS = [
    "Dr. A. Jallow", "Dr. F. Ceesay", "Dr. M. Sowe", "Dr. I. Touray", "Dr. B. Njie", "Dr. O. Bah",
    "Dr. E. Nfor", "Dr. N. Tanyi", "Dr. C. Fon", "Dr. P. Ngwa", "Dr. L. Ebai", "Dr. S. Mbah",
]
TITLES = ["Consultant Radiologist", "Radiologist", "MBBS, FWACS (Radiology)", "Senior Registrar, Radiology"]
GENERIC_HIST = [
    "Cough for 3 weeks, ? PTB.",
    "Productive cough and fever x 1/52.",
    "Chest pain.",
    "Pre-employment medical.",
    "Medical fitness for school admission.",
    "Known hypertensive, exertional dyspnoea.",
    "RVD patient on HAART, chronic cough.",
    "Sickle cell disease, fever and chest pain.",
    "Pre-operative assessment.",
    "Weight loss and night sweats.",
    "Contact of a smear-positive TB case.",
    "Routine medical check-up.",
    "Visa medical.",
    "Fever and cough, ? LRTI.",
    "Asthmatic, acute exacerbation.",
    "Difficulty in breathing.",
    "RTA, chest trauma.",
    "Haemoptysis.",
    "Diabetic, cough x 2/52.",
    "Follow-up after treatment of pneumonia.",
]
CLOSERS = ["Kindly correlate clinically.", "Thank you.", "Thanks.", "Please correlate clinically."]


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(19, 25)}"


def make_style(rng: random.Random) -> dict:
    return {
        "hosp": rng.random() < 0.35,
        "hospital": rng.choice(HOSPITALS),
        "dept": rng.choice(DEPTS),
        "exam": rng.choice(EXAMS),
        "date": rng.random() < 0.3,
        "h_hist": rng.choice(H_HIST),
        "h_comp": rng.choice(H_COMP),
        "h_tech": rng.choice(H_TECH),
        "h_find": rng.choice(H_FIND),
        "h_imp": rng.choice(H_IMP),
        "list": rng.random() < 0.4,
        "bullet": rng.choice(["- ", "* ", ""]),
        "number_imp": rng.random() < 0.6,
        "closer": rng.choice(CLOSERS) if rng.random() < 0.55 else None,
        "doctor": rng.choice(DOCTORS),
        "title": rng.choice(TITLES),
        "sign": rng.choice(["reported", "plain", "signed", "none"]),
        "imp_inline": rng.random() < 0.5,
    }


def render(parts: dict, st: dict, rng: random.Random) -> str:
    """parts: hist, comp, tech (str or None), findings (list[str]|None), impression (list[str]|None),
    plus flags find_header_empty / imp_header_empty / imp_absent, and signoff override."""
    blocks = []
    head = []
    if st["hosp"]:
        head += [st["hospital"], st["dept"]]
    head.append(st["exam"])
    if st["date"]:
        head.append(f"Date: {parts.get('date') or _date(rng)}")
    blocks.append("\n".join(head))
    if parts.get("hist") is not None:
        blocks.append(f"{st['h_hist']}: {parts['hist']}")
    if parts.get("comp") is not None:
        blocks.append(f"{st['h_comp']}: {parts['comp']}")
    if parts.get("tech") is not None:
        blocks.append(f"{st['h_tech']}: {parts['tech']}")
    fnd = parts.get("findings")
    if parts.get("find_header_empty"):
        blocks.append(f"{st['h_find']}:")
    elif fnd:
        if st["list"]:
            blocks.append(f"{st['h_find']}:\n" + "\n".join(st["bullet"] + s for s in fnd))
        else:
            blocks.append(f"{st['h_find']}:\n" + " ".join(fnd))
    imp = parts.get("impression")
    if parts.get("imp_absent"):
        pass
    elif parts.get("imp_header_empty"):
        blocks.append(f"{st['h_imp']}:")
    elif imp:
        if len(imp) > 1 and st["number_imp"]:
            body = "\n".join(f"{i}. {s}" for i, s in enumerate(imp, 1))
            blocks.append(f"{st['h_imp']}:\n{body}")
        elif st["imp_inline"]:
            blocks.append(f"{st['h_imp']}: " + " ".join(imp))
        else:
            blocks.append(f"{st['h_imp']}:\n" + " ".join(imp))
    sign = parts.get("signoff")
    if sign is None:
        doc, title = st["doctor"], st["title"]
        if st["sign"] == "reported":
            sign = f"Reported by: {doc} ({title})"
        elif st["sign"] == "plain":
            sign = f"{doc}\n{title}"
        elif st["sign"] == "signed":
            sign = f"Signed: {doc}, {title}"
        else:
            sign = ""
    tail = []
    if st["closer"]:
        tail.append(st["closer"])
    if sign:
        tail.append(sign)
    if tail:
        blocks.append("\n".join(tail))
    return "\n\n".join(blocks)


# ---------------------------------------------------------------------------------------------
# Phrase bank
# ---------------------------------------------------------------------------------------------

NORMAL = {
    "trachea": ["The trachea is central.", "Trachea is central and of normal calibre.", "Trachea midline."],
    "heart": [
        "The heart size is normal (CTR {ctr}).",
        "Cardiac size is within normal limits.",
        "Heart is normal in size and configuration.",
        "Normal cardiac silhouette, CTR {ctr}.",
    ],
    "mediastinum": ["The mediastinum is not widened.", "Mediastinal outline is normal.", "Normal mediastinal contour."],
    "hila": ["Both hila are normal in size and position.", "Hilar shadows are normal.", "Normal hila."],
    "lungs": [
        "Both lung fields are clear.",
        "The lung fields are clear with normal bronchovascular markings.",
        "No focal lung lesion is seen.",
        "Clear lungs bilaterally.",
    ],
    "pleura": [
        "Both costophrenic angles are sharp.",
        "The costophrenic angles are clear. No pleural effusion.",
        "No pleural effusion or pneumothorax.",
        "Both costophrenic recesses are preserved.",
    ],
    "diaphragm": [
        "Both hemidiaphragms are well outlined.",
        "Diaphragmatic contours are normal.",
        "Both domes of the diaphragm are normal in position and outline.",
    ],
    "bones": [
        "The visualised bony thorax is intact.",
        "Bony thorax is normal.",
        "No bony abnormality seen.",
        "Visualised bones are unremarkable.",
    ],
    "soft": ["Soft tissues are normal.", "The chest wall soft tissues are unremarkable."],
}
ORDER = ["trachea", "heart", "mediastinum", "hila", "lungs", "pleura", "diaphragm", "bones", "soft"]
REST = {
    "lungs": ["The rest of the lung fields are clear.", "The other lung fields are clear.",
              "The {other} lung is clear."],
    "pleura": ["The {other} costophrenic angle is sharp.", "The {other} costophrenic angle is clear."],
    "bones": ["The rest of the bony thorax is intact.", ""],
}

# Explicit normal sentences used when a category must be stated as negative (negation_conflict).
EXPLICIT_NEG = {
    "heart": ["The heart size is normal (CTR {ctr}).", "Cardiac size is within normal limits.",
              "Heart is not enlarged."],
    "lungs": ["Both lung fields are clear.", "Clear lungs bilaterally. No consolidation.",
              "No focal lung lesion is seen."],
    "pleura": ["No pleural effusion.", "Both costophrenic angles are sharp; no pleural effusion."],
    "ptx": ["No pneumothorax.", "There is no pneumothorax."],
    "mediastinum": ["The mediastinum is not widened."],
}

NORMAL_IMP = [
    "Normal chest radiograph.",
    "Normal chest X-ray.",
    "No significant abnormality detected.",
    "No active chest disease.",
    "No radiological evidence of active lung disease.",
    "Normal study.",
    "No active lung lesion seen.",
    "Essentially normal chest radiograph.",
]
# Allowed when only minor/chronic findings are present (does not claim a normal film).
NO_ACTIVE_IMP = [
    "No active chest disease.",
    "No acute cardiopulmonary abnormality.",
    "No active lung disease.",
    "No radiological evidence of acute cardiopulmonary disease.",
]


def F(key, cat, lat, zones, find, imp, sig, must, neg_imp=(), hist=(), extra=None):
    return {
        "key": key, "cat": cat, "lat": lat, "zones": zones, "find": find, "imp": imp, "sig": sig,
        "must": must, "neg_imp": list(neg_imp), "hist": list(hist), "extra": extra,
    }


BANK = [
    F("consolidation", "lungs", True, ["lower", "mid", "upper", "lower"],
      ["There is a homogeneous opacity in the {side} {zone} zone with air bronchograms, in keeping with consolidation.",
       "Ill-defined airspace opacities are seen in the {side} {zone} zone.",
       "Patchy consolidation is noted in the {side} {zone} zone."],
      ["{Side} {zone} zone consolidation, likely pneumonia.",
       "Features in keeping with {side} {zone} zone pneumonia.",
       "{Side} {zone} zone pneumonic consolidation. Follow-up film after treatment advised."],
      True, True,
      ["Both lung fields are clear.", "No consolidation seen.", "Lungs are clear."],
      ["Fever and productive cough x 5 days.", "Cough, fever, ? pneumonia.", "SCD, fever and chest pain. ? ACS."]),
    F("effusion", "pleura", True, ["lower"],
      ["There is a {size} {side} pleural effusion obliterating the {side} costophrenic angle.",
       "Homogeneous opacity with a meniscus is seen in the {side} lower zone, "
       "in keeping with a {size} pleural effusion.",
       "{Size} {side}-sided pleural effusion."],
      ["{Size} {side} pleural effusion.",
       "{Side} {size} pleural effusion; ? tuberculous. Diagnostic tap advised.",
       "{Side}-sided pleural effusion ({size})."],
      True, True,
      ["No pleural effusion.", "Costophrenic angles are clear; no effusion."],
      ["Dyspnoea and {side} chest pain.", "RVD, fever and breathlessness."]),
    F("pneumothorax", "pleura", True, [""],
      ["There is a {side} pneumothorax with a visible visceral pleural line and absent lung markings "
       "peripherally. No mediastinal shift.",
       "A {side}-sided pneumothorax is seen, the lung edge lying about 2 cm from the chest wall."],
      ["{Side} pneumothorax. Findings communicated to the ward.",
       "{Side}-sided pneumothorax; no features of tension."],
      True, True,
      ["No pneumothorax.", "No pneumothorax seen."],
      ["Sudden onset breathlessness.", "Stab wound to the {side} chest.", "RTA, chest trauma."]),
    F("ptb", "lungs", True, ["upper"],
      ["There are patchy opacities with a thick-walled cavity in the {side} upper zone.",
       "Fluffy nodular opacities with areas of cavitation are seen in the {side} upper zone."],
      ["{Side} upper zone cavitating consolidation, suggestive of active pulmonary tuberculosis. "
       "Kindly correlate with GeneXpert.",
       "Features suggestive of active PTB ({side} upper zone)."],
      True, True,
      ["The lung fields are clear.", "No active lung lesion; lungs are clear."],
      ["Cough for 3 weeks, weight loss, ? PTB.", "RVD on HAART, chronic cough, night sweats."]),
    F("oedema", "lungs", False, [""],
      ["There is upper lobe blood diversion with bilateral perihilar haziness and Kerley B lines, "
       "in keeping with pulmonary oedema.",
       "Pulmonary venous congestion with bilateral hazy perihilar opacities (interstitial oedema)."],
      ["Cardiomegaly with pulmonary oedema, in keeping with congestive cardiac failure.",
       "Congestive cardiac failure: cardiomegaly and pulmonary venous congestion."],
      True, True,
      ["No pulmonary oedema.", "Normal pulmonary vasculature; no oedema."],
      ["Known hypertensive, orthopnoea and bilateral leg swelling.", "Difficulty in breathing, ? CCF."],
      extra="cardiomegaly"),
    F("mass", "lungs", True, ["mid", "lower", "upper"],
      ["A well-defined rounded opacity measuring about {cm} cm is seen in the {side} {zone} zone.",
       "There is a {cm} cm soft tissue mass with lobulated margins in the {side} {zone} zone."],
      ["{Side} {zone} zone mass ({cm} cm). CT chest advised for further evaluation.",
       "{Side} lung mass; neoplasm to be excluded. Suggest CT chest."],
      True, True,
      ["No lung mass seen.", "Lung fields are clear."],
      ["Haemoptysis and weight loss.", "Breast mass, staging.", "Chronic smoker, chest pain."]),
    F("nodule", "lungs", True, ["mid", "upper", "lower"],
      ["A {mm} mm nodular opacity is seen in the {side} {zone} zone.",
       "There is a solitary {mm} mm nodule in the {side} {zone} zone."],
      ["{Side} {zone} zone pulmonary nodule ({mm} mm). CT chest advised.",
       "Solitary {side} pulmonary nodule, {mm} mm; further evaluation with CT recommended."],
      True, True,
      ["No pulmonary nodule.", "Lung fields are clear."],
      ["Chronic cough.", "Staging, known malignancy."]),
    F("mediastinum", "mediastinum", False, [""],
      ["The superior mediastinum is widened with a lobulated contour.",
       "Widened superior mediastinum is noted."],
      ["Widened superior mediastinum; lymphadenopathy or mass to be excluded. CT chest advised.",
       "Mediastinal widening, ? lymphadenopathy. Suggest contrast CT."],
      True, True,
      ["The mediastinum is normal.", "No mediastinal widening."],
      ["RVD, cough and weight loss.", "Dysphagia and weight loss."]),
    F("cardiomegaly", "heart", False, [""],
      ["The heart is enlarged (CTR {bigctr}).", "Cardiomegaly with a CTR of {bigctr}.",
       "The cardiac shadow is enlarged, CTR {bigctr}."],
      ["Cardiomegaly.", "Cardiomegaly, ? hypertensive heart disease. Echocardiography advised.",
       "Cardiomegaly (CTR {bigctr})."],
      False, True,
      ["Heart size is normal.", "Normal cardiac size."],
      ["Known hypertensive, exertional dyspnoea.", "Palpitations and leg swelling."]),
    F("hilar", "hila", False, [""],
      ["Both hila are bulky, suggestive of hilar lymphadenopathy.", "Bilateral hilar enlargement is noted."],
      ["Bilateral hilar lymphadenopathy; ? TB, ? sarcoidosis. Correlate clinically.",
       "Bilateral hilar adenopathy."],
      False, True, [], ["RVD, chronic cough."]),
    # minor / chronic findings: may be left out of the impression
    F("mild_cm", "heart", False, [""],
      ["The heart is mildly enlarged (CTR {midctr}).", "Borderline cardiomegaly (CTR {midctr})."],
      ["Mild cardiomegaly.", "Borderline cardiac size."],
      False, False),
    F("granuloma", "lungs", True, ["upper", "mid"],
      ["A small calcified granuloma is noted in the {side} {zone} zone.",
       "Tiny calcified nodule in the {side} {zone} zone, likely an old granuloma."],
      ["Old calcified granuloma, {side} {zone} zone."],
      False, False),
    F("old_ptb", "lungs", True, ["upper"],
      ["Fibrotic strands with mild volume loss are seen in the {side} upper zone, in keeping with old healed PTB.",
       "Linear fibrotic opacities in the {side} upper zone with elevation of the {side} hilum; "
       "sequelae of treated PTB."],
      ["Fibrotic changes in the {side} upper zone, sequelae of old PTB. No features of active disease."],
      False, False, [], ["Treated PTB 2018, now well. Medical fitness."]),
    F("rib", "bones", True, [""],
      ["Old healed fracture of the {side} {ord} rib is noted.", "Healed {side} {ord} rib fracture with callus."],
      ["Old healed {side} rib fracture."],
      False, False),
    F("spine", "bones", False, [""],
      ["Degenerative changes (osteophytes) of the thoracic spine.", "Thoracic spondylosis noted."],
      ["Thoracic spondylosis."],
      False, False),
    F("aorta", "mediastinum", False, [""],
      ["The aortic arch is unfolded.", "Unfolded aorta with mural calcification."],
      ["Unfolded aorta."],
      False, False),
    F("bronchitic", "lungs", False, [""],
      ["Bilateral prominent bronchovascular markings are noted, more in the lower zones.",
       "Increased peribronchial markings in both perihilar regions."],
      ["Prominent bronchovascular markings, ? bronchitis. Correlate clinically."],
      False, False, [], ["Asthmatic, acute exacerbation.", "Chronic cough."]),
    F("small_eff", "pleura", True, [""],
      ["Blunting of the {side} costophrenic angle, likely minimal effusion or pleural thickening.",
       "Minimal {side} pleural effusion."],
      ["Minimal {side} pleural effusion.", "Blunted {side} costophrenic angle."],
      False, False),
]
BYKEY = {f["key"]: f for f in BANK}
SIG_KEYS = [k for k, f in BYKEY.items() if f["sig"]]
MUST_KEYS = [k for k, f in BYKEY.items() if f["must"]]
MINOR_KEYS = [k for k, f in BYKEY.items() if not f["must"]]
LAT_SIG = [k for k in SIG_KEYS if BYKEY[k]["lat"]]
ORDS = ["4th", "5th", "6th", "7th", "8th"]


def _other(side: str) -> str:
    return "left" if side == "right" else "right"


def _fill(tpl: str, v: dict) -> str:
    out = tpl
    for k, val in v.items():
        out = out.replace("{" + k + "}", val)
    out = re.sub(r"\s+", " ", out).strip()
    return out[0].upper() + out[1:] if out else out


def make_finding(key: str, rng: random.Random, side: str | None = None) -> dict:
    f = BYKEY[key]
    side = side or rng.choice(["right", "left"])
    size = rng.choice(["moderate", "moderate", "large"])
    v = {
        "side": side, "Side": side.capitalize(), "other": _other(side), "zone": rng.choice(f["zones"]),
        "size": size, "Size": size.capitalize(), "cm": f"{rng.randint(3, 7)}.{rng.randint(0, 9)}",
        "mm": str(rng.randint(8, 18)), "ord": rng.choice(ORDS),
        "bigctr": f"0.{rng.randint(58, 66)}", "midctr": f"0.{rng.randint(51, 54)}",
    }
    return {"key": key, "f": f, "v": v, "side": side if f["lat"] else None,
            "fi": rng.randrange(len(f["find"])), "ii": rng.randrange(len(f["imp"]))}


def fsent(fd: dict, side: str | None = None) -> str:
    v = dict(fd["v"])
    if side:
        v.update(side=side, Side=side.capitalize(), other=_other(side))
    return _fill(fd["f"]["find"][fd["fi"]], v)


def isent(fd: dict, side: str | None = None) -> str:
    v = dict(fd["v"])
    if side:
        v.update(side=side, Side=side.capitalize(), other=_other(side))
    return _fill(fd["f"]["imp"][fd["ii"]], v)


def compose(rng: random.Random, fds: list[dict], explicit: dict | None = None) -> list[str]:
    """Findings sentences in the usual head-to-toe order. explicit: cat -> forced negative sentence."""
    explicit = explicit or {}
    bycat = {}
    for fd in fds:
        bycat.setdefault(fd["f"]["cat"], []).append(fd)
        if fd["f"]["extra"]:
            bycat.setdefault("heart", []).append(make_finding(fd["f"]["extra"], rng))
    ctr = f"0.{rng.randint(42, 49)}"
    out = []
    for cat in ORDER:
        if cat in bycat:
            lat_side = None
            for fd in bycat[cat][:1]:
                out.append(fsent(fd))
                lat_side = fd["side"]
            if cat in REST and rng.random() < 0.7:
                if lat_side:
                    s = rng.choice(REST[cat])
                elif cat == "lungs" and bycat[cat][0]["key"] in ("granuloma",):
                    s = REST[cat][0]
                else:
                    s = ""
                if s and "{other}" in s and not lat_side:
                    s = ""
                if s:
                    out.append(_fill(s, {"other": _other(lat_side or "right")}))
            if cat in explicit:
                out.append(_fill(explicit[cat], {"ctr": ctr}))
            continue
        if cat in explicit:
            out.append(_fill(explicit[cat], {"ctr": ctr}))
            continue
        if cat in ("heart", "lungs", "pleura") or rng.random() < 0.55:
            out.append(_fill(rng.choice(NORMAL[cat]), {"ctr": ctr}))
    if "ptx" in explicit:
        out.insert(min(len(out), max(1, len(out) - 2)), explicit["ptx"])
    return out


def clean_impression(rng: random.Random, fds: list[dict]) -> list[str]:
    imp = []
    minors = []
    for fd in fds:
        if fd["f"]["must"]:
            imp.append(isent(fd))
        else:
            minors.append(fd)
    for fd in minors:
        if rng.random() < 0.5:
            imp.append(isent(fd))
    if not fds:
        return [rng.choice(NORMAL_IMP)]
    if not any(fd["f"]["must"] for fd in fds):
        if imp:
            return [rng.choice(NO_ACTIVE_IMP)] + imp if rng.random() < 0.5 else imp
        return [rng.choice(NO_ACTIVE_IMP)]
    return imp


def pick_findings(rng: random.Random, profile: str) -> list[dict]:
    """profile: normal / minor / sig / any."""
    if profile == "any":
        r = rng.random()
        profile = "normal" if r < 0.5 else "minor" if r < 0.7 else "sig"
    if profile == "normal":
        return []
    cats = set()
    out = []

    def add(key):
        fd = make_finding(key, rng)
        cat = fd["f"]["cat"]
        if cat in cats or (fd["f"]["extra"] and "heart" in cats):
            return
        if key in ("cardiomegaly", "mild_cm") and any(o["f"]["extra"] for o in out):
            return
        cats.add(cat)
        if fd["f"]["extra"]:
            cats.add("heart")
        out.append(fd)

    if profile == "minor":
        add(rng.choice(MINOR_KEYS))
        if rng.random() < 0.3:
            add(rng.choice(MINOR_KEYS))
    else:
        add(rng.choice(SIG_KEYS + ["consolidation", "consolidation", "ptb", "effusion", "cardiomegaly", "oedema"]))
        if rng.random() < 0.35:
            add(rng.choice(MINOR_KEYS))
    return out


def _hist(rng: random.Random, fds: list[dict]) -> str:
    pool = [h for fd in fds for h in fd["f"]["hist"]]
    if pool and rng.random() < 0.7:
        side = next((fd["side"] for fd in fds if fd["side"]), "right")
        return _fill(rng.choice(pool), {"side": side})
    return rng.choice(GENERIC_HIST)


def base_parts(rng: random.Random, fds: list[dict], findings: list[str], impression: list[str]) -> dict:
    return {
        "hist": _hist(rng, fds) if rng.random() < 0.9 else None,
        "comp": rng.choice(COMPS) if rng.random() < 0.45 else None,
        "tech": rng.choice(TECHS) if rng.random() < 0.4 else None,
        "findings": findings,
        "impression": impression,
    }


# ---------------------------------------------------------------------------------------------
# Synthetic cases
# ---------------------------------------------------------------------------------------------

PH_TOKENS = ["........", "[ ]", "***", "[  ]", "......"]
GENERIC_OMIT_IMP = [
    "Normal chest radiograph.",
    "No active chest disease.",
    "No significant abnormality detected.",
    "No radiological evidence of acute cardiopulmonary disease.",
    "Essentially normal chest X-ray.",
    "No acute cardiopulmonary abnormality.",
]


def synth_clean(rng):
    r = rng.random()
    profile = "normal" if r < 0.58 else "minor" if r < 0.76 else "sig"
    fds = pick_findings(rng, profile)
    parts = base_parts(rng, fds, compose(rng, fds), clean_impression(rng, fds))
    if profile == "normal" and rng.random() < 0.1:
        # impression-only short form that itself describes the film (complete)
        parts["findings"] = None
        parts["impression"] = [rng.choice([
            "Normal chest radiograph: heart size normal, lung fields clear, costophrenic angles sharp.",
            "Heart and lungs appear normal. No pleural effusion. Bony thorax intact. Normal study.",
            "Clear lung fields, normal cardiac size (CTR 0.45), sharp costophrenic angles. No abnormality seen.",
        ])]
    return parts, ""


def synth_missing(rng):
    fds = pick_findings(rng, rng.choice(["normal", "sig", "sig", "minor"]))
    parts = base_parts(rng, fds, compose(rng, fds), clean_impression(rng, fds))
    r = rng.random()
    if r < 0.45:
        parts["imp_header_empty"] = True
        return parts, "impression section left empty under its header"
    if r < 0.7:
        parts["imp_absent"] = True
        return parts, "impression/conclusion section absent, report ends after findings"
    parts["find_header_empty"] = True
    parts["impression"] = [rng.choice(["As above.", "Findings as described.", "Kindly correlate clinically.",
                                       "See above.", "Features as described above."])]
    return parts, "findings section left empty; impression only refers to it"


def synth_laterality(rng):
    key = rng.choice(LAT_SIG + ["consolidation", "effusion", "granuloma", "old_ptb", "rib", "small_eff"])
    fd = make_finding(key, rng)
    fds = [fd]
    if rng.random() < 0.3:
        extra = make_finding(rng.choice(["spine", "aorta", "mild_cm"]), rng)
        fds.append(extra)
    findings = compose(rng, fds)
    imp = [isent(x) for x in fds if x["f"]["must"] or x is fd]
    side, other = fd["side"], _other(fd["side"])
    r = rng.random()
    if r < 0.6:
        imp[0] = isent(fd, other)
        detail = f"{key}: findings {side}, impression flipped to {other}"
    elif r < 0.85 or key not in ("effusion", "consolidation", "pneumothorax"):
        idx = findings.index(fsent(fd))
        findings[idx] = fsent(fd, other)
        # the 'other lung clear' companion sentence must follow the flipped side to stay a single slip
        for j, s in enumerate(findings):
            if j != idx and f"The {other} " in s and ("clear" in s or "sharp" in s):
                findings[j] = s.replace(f"The {other} ", f"The {side} ")
        detail = f"{key}: impression {side}, findings sentence flipped to {other}"
    else:
        extra_s = {
            "effusion": f"The {other} costophrenic angle is obliterated by the effusion.",
            "consolidation": f"Air bronchograms are seen within the {other} lower zone opacity.",
            "pneumothorax": f"The {other} lung is partially collapsed.",
        }[key]
        idx = findings.index(fsent(fd))
        findings = [s for s in findings if not (f"The {other} " in s and ("clear" in s or "sharp" in s))]
        findings.insert(idx + 1, extra_s)
        detail = f"{key}: findings say {side}, a second findings sentence puts it on the {other}"
    return base_parts(rng, fds, findings, imp), detail


NEG_ASSERT = {
    "heart": ("cardiomegaly", "heart"),
    "lungs": ("consolidation", "lungs"),
    "pleura": ("effusion", "pleura"),
    "ptx": ("pneumothorax", "ptx"),
    "mediastinum": ("mediastinum", "mediastinum"),
}


def synth_negation(rng):
    if rng.random() < 0.55:
        cat = rng.choice(["heart", "lungs", "lungs", "pleura", "pleura", "ptx"])
        key, _ = NEG_ASSERT[cat]
        explicit = {cat: rng.choice(EXPLICIT_NEG[cat])}
        fds = []
        if rng.random() < 0.3:
            fds = [make_finding(rng.choice(["spine", "rib", "aorta"]), rng)]
            if fds[0]["f"]["cat"] == cat:
                fds = []
        findings = compose(rng, fds, explicit)
        asserted = make_finding(key, rng)
        imp = [isent(asserted)]
        if rng.random() < 0.3:
            imp.append("No other significant abnormality.")
        detail = f"findings state '{explicit[cat]}' but impression asserts {key}"
        return base_parts(rng, fds + [asserted], findings, imp), detail
    key = rng.choice(["consolidation", "effusion", "cardiomegaly", "cardiomegaly", "ptb", "pneumothorax",
                      "oedema", "mass"])
    fd = make_finding(key, rng)
    findings = compose(rng, [fd])
    neg = rng.choice(fd["f"]["neg_imp"])
    imp = [neg]
    if rng.random() < 0.5:
        imp.append(rng.choice(["No other abnormality seen.", "Otherwise normal study."]))
    return base_parts(rng, [fd], findings, imp), f"findings affirm {key}; impression states '{neg}'"


def synth_omits(rng):
    key = rng.choice(SIG_KEYS + ["consolidation", "effusion", "ptb"])
    fd = make_finding(key, rng)
    fds = [fd]
    if rng.random() < 0.35:
        m = make_finding(rng.choice(["spine", "aorta", "rib", "granuloma"]), rng)
        if m["f"]["cat"] != fd["f"]["cat"]:
            fds.append(m)
    findings = compose(rng, fds)
    r = rng.random()
    if key == "oedema" and r < 0.5:
        imp = [rng.choice(["Cardiomegaly.", "Cardiomegaly, ? hypertensive heart disease."])]
        detail = "findings describe pulmonary oedema; impression gives cardiomegaly only"
    elif len(fds) > 1 and r < 0.6:
        imp = [isent(fds[1])]
        detail = f"findings affirm {key}; impression mentions only {fds[1]['key']}"
    else:
        imp = [rng.choice(GENERIC_OMIT_IMP)]
        if key == "oedema":
            imp.insert(0, "Cardiomegaly.")
        detail = f"findings affirm {key}; impression '{' '.join(imp)}' omits it"
    return base_parts(rng, fds, findings, imp), detail


def synth_placeholder(rng):
    fds = pick_findings(rng, "any")
    findings = compose(rng, fds)
    imp = clean_impression(rng, fds)
    parts = base_parts(rng, fds, findings, imp)
    tok = rng.choice(PH_TOKENS)
    opts = ["hist", "comp", "ctr", "heartchoice", "tech", "sign", "impadd"]
    if any(fd["side"] for fd in fds):
        opts += ["side", "side"]
    while True:
        o = rng.choice(opts)
        if o == "hist":
            parts["hist"] = tok
            return parts, f"clinical history left as '{tok}'"
        if o == "comp":
            parts["comp"] = rng.choice([f"Previous film dated {tok}", "[date of previous study]", tok])
            return parts, f"comparison field not filled: {parts['comp']!r}"
        if o == "ctr":
            for i, s in enumerate(findings):
                m = re.search(r"CTR(?: of)? (0\.\d\d)", s)
                if m:
                    findings[i] = s.replace(m.group(1), rng.choice(["....", "[ ]", "***"]))
                    return parts, f"CTR value left blank in '{findings[i]}'"
        if o == "heartchoice":
            for i, s in enumerate(findings):
                if s in NORMAL["heart"] or "CTR" in s and "normal" in s:
                    findings[i] = "The heart size is [normal/enlarged]."
                    return parts, "template choice '[normal/enlarged]' not deleted in heart line"
        if o == "tech":
            parts["tech"] = rng.choice(["[PA/AP] [erect/supine] view.", f"PA view. Exposure: {tok}"])
            return parts, f"technique template not filled: {parts['tech']!r}"
        if o == "sign":
            parts["signoff"] = rng.choice([f"Reported by: Dr. {tok}", f"Radiologist: {tok}",
                                           "Signed: <RADIOLOGIST NAME>"])
            return parts, f"sign-off name field not filled: {parts['signoff']!r}"
        if o == "impadd":
            parts["impression"] = list(imp) + [rng.choice(["[ADDITIONAL COMMENTS]", "Recommendation: ........",
                                                           "Advice: [ ]"])]
            return parts, f"template line left in impression: {parts['impression'][-1]!r}"
        if o == "side":
            fd = next(fd for fd in fds if fd["side"])
            s = fsent(fd)
            if s in findings and f"{fd['side']}" in s:
                idx = findings.index(s)
                findings[idx] = s.replace(fd["side"], rng.choice(["[side]", "[right/left]", "...."]), 1)
                return parts, f"side left as a template field in '{findings[idx]}'"


SYNTH = {
    None: synth_clean,
    "missing_section": synth_missing,
    "laterality_conflict": synth_laterality,
    "negation_conflict": synth_negation,
    "impression_omits_finding": synth_omits,
    "placeholder": synth_placeholder,
}


# ---------------------------------------------------------------------------------------------
# Real IU reports
# ---------------------------------------------------------------------------------------------

REWORD = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"),
    (r"\bhemidiaphragm", "haemidiaphragm"), (r"\bHemidiaphragm", "Haemidiaphragm"),
    (r"\bhemithorax", "haemithorax"), (r"\bHemithorax", "Haemithorax"),
    (r"\bvisualized\b", "visualised"), (r"\bVisualized\b", "Visualised"),
    (r"\bcentimeters?\b", "cm"), (r"\bcolor\b", "colour"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal outline"),
    (r"\bCardiomediastinal silhouette\b", "Cardiomediastinal outline"),
    (r"\bpulmonary vascularity\b", "pulmonary vascular markings"),
    (r"\bThe lungs are clear\b", "Both lung fields are clear"),
    (r"\bLungs are clear\b", "Lung fields are clear"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary abnormality seen"),
    (r"\bNo acute cardiopulmonary disease\b", "No active cardiopulmonary disease"),
    (r"\bosseous structures\b", "bony structures"),
    (r"\bx-XXXX\b", "X-ray"),
    (r"\bdyspnea\b", "dyspnoea"), (r"\bDyspnea\b", "Dyspnoea"),
    (r"\bhemoptysis\b", "haemoptysis"), (r"\bHemoptysis\b", "Haemoptysis"),
    (r"\b[Ss]hortness of breath\b", "difficulty in breathing"),
    (r"\bSOB\b", "DIB"),
]

SIDE_RE = re.compile(r"\b(right|left|Right|Left|RIGHT|LEFT)\b")
NEG_CUE = re.compile(
    r"\b(no|not|without|negative|resolved|resolution|resolving|clear|cleared|free|removed|absence|absent|"
    r"exclude|excluded|rule|ruled|previously|prior|interval|improv\w*|decreas\w*|less|versus|vs|"
    r"or|may|might|possible|possibly|question\w*|cannot|could|suspect\w*|concern|likely|"
    r"small|trace|tiny|minimal|mild|minor|chronic|stable|unchanged|old|scar\w*|healed|sequela\w*|"
    r"calcifi\w*|granulom\w*|atelecta\w*|subsegmental|linear)\b", re.I)
GROUPS = {
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|airspace disease|air space disease|pneumonia|infiltrate",
    "oedema": r"oedema|edema|vascular congestion|pulmonary congestion",
    "effusion": r"effusion",
    "mass": r"\bmass\b",
}
GROUP_IMP = {
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|airspace|air space|pneumonia|infiltrate|opacit|infect",
    "oedema": r"oedema|edema|congestion|failure|chf",
    "effusion": r"effusion",
    "mass": r"mass|neoplas|malignan|tumo",
}


def reword(text: str) -> str:
    text = re.sub(r"\.\s*\.", ".", text)
    for pat, rep in REWORD:
        text = re.sub(pat, rep, text)
    return re.sub(r"\s+", " ", text).strip()


def split_sents(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text) if s.strip()]


def affirmed(sents: list[str], grp: str) -> list[str]:
    return [s for s in sents if re.search(GROUPS[grp], s, re.I) and not NEG_CUE.search(s)]


def mentions(text: str, pat: str) -> bool:
    return re.search(pat, text, re.I) is not None


def real_safe(r: dict) -> bool:
    """An IU report one would sign as it stands: both sections, every significant finding affirmed in
    the findings is named in the impression, no side named in one section for a group and the other
    side in the other."""
    f, i = r["findings"], r["impression"]
    if not f or not i or len(f) < 40:
        return False
    if re.search(r"[\[\]_*<>{}]|\.\.\.", f + i + r["indication"] + r["comparison"]):
        return False
    fs, is_ = split_sents(f), split_sents(i)
    for g in GROUPS:
        if any(re.search(GROUPS[g], s, re.I) and not re.search(r"\bno\b|\bnot\b|without|negative", s, re.I)
               for s in fs) and not mentions(i, GROUP_IMP[g]):
            return False
        sf = {m.lower() for s in fs if re.search(GROUP_IMP[g], s, re.I) for m in SIDE_RE.findall(s)}
        si = {m.lower() for s in is_ if re.search(GROUP_IMP[g], s, re.I) for m in SIDE_RE.findall(s)}
        if si and sf and not si <= sf:
            return False
    # an impression that calls the film normal while the findings name cardiomegaly etc.
    pos = " ".join(s for s in fs if not re.search(r"\bno\b|\bnot\b|without|negative|mild|borderline|stable", s, re.I))
    if re.search(r"\bnormal (chest|study|exam)|\bno (acute|active)", i, re.I) and re.search(
            r"cardiomegaly|enlarged|pneumothora|consolidat|effusion|edema|mass", pos, re.I):
        return False
    return True


def real_parts(rng: random.Random, r: dict, findings: str | None, impression: str | None) -> dict:
    ind = re.sub(r"^(INDICATION|HISTORY)\s*:\s*", "", r["indication"], flags=re.I)
    hist = reword(ind) if ind else None
    comp = r["comparison"]
    if comp and re.fullmatch(r"(none|none\.|no prior.*)", comp, re.I):
        comp = rng.choice(COMPS)
    return {
        "hist": hist,
        "comp": reword(comp) if comp else (rng.choice(COMPS) if rng.random() < 0.3 else None),
        "tech": rng.choice(TECHS) if rng.random() < 0.3 else None,
        "findings": split_sents(findings) if findings else None,
        "impression": [impression] if impression else None,
    }


def flip_side(s: str) -> str:
    return SIDE_RE.sub(lambda m: {"right": "left", "left": "right", "Right": "Left", "Left": "Right",
                                  "RIGHT": "LEFT", "LEFT": "RIGHT"}[m.group(1)], s)


class RealPool:
    def __init__(self, shared: Path | None = None):
        dev = dev_uids(shared)
        rows = [r for r in load_iu(shared) if r["uid"] not in dev]
        self.safe = [r for r in rows if real_safe(r)]
        self.normal = [r for r in self.safe if r["major"] == ["normal"]]
        self.abn = [r for r in self.safe if r["major"] != ["normal"]]
        self.lat = []
        self.omit = []
        self.affirm_neg = []
        for r in self.safe:
            f, i = reword(r["findings"]), reword(r["impression"])
            fs, is_ = split_sents(f), split_sents(i)
            # laterality: one side-named sentence per section for the same group, same side
            for g, pat in GROUP_IMP.items():
                fsd = [s for s in fs if re.search(pat, s, re.I) and SIDE_RE.search(s)]
                isd = [s for s in is_ if re.search(pat, s, re.I) and SIDE_RE.search(s)]
                if len(fsd) == 1 and len(isd) == 1:
                    a = {m.lower() for m in SIDE_RE.findall(fsd[0])}
                    b = {m.lower() for m in SIDE_RE.findall(isd[0])}
                    every = {m.lower() for m in SIDE_RE.findall(f + " " + i)}
                    odd = re.search(r"bilateral|both|bibasilar|middle lobe|lingula", f + i, re.I)
                    if len(a) == 1 and a == b and every == a and not odd:
                        self.lat.append((r, g, fsd[0], isd[0]))
                        break
            for g in ("pneumothorax", "consolidation", "oedema", "effusion", "mass"):
                aff = affirmed(fs, g)
                if (aff and mentions(i, GROUP_IMP[g]) and "XXXX" not in aff[0]
                        and not re.search(r"\b(small|trace|tiny|minimal|mild)\b", f + " " + i, re.I)):
                    self.omit.append((r, g, aff[0]))
                    if g in ("consolidation", "effusion", "pneumothorax", "oedema"):
                        self.affirm_neg.append((r, g, aff[0]))
                    break
        self.neg_explicit = []
        for r in self.normal:
            f = reword(r["findings"])
            for g, pat in (("effusion", r"\bno\b[^.]*effusion"), ("pneumothorax", r"\bno\b[^.]*pneumothora"),
                           ("consolidation", r"\bno\b[^.]*consolidation|lung fields are clear|lungs are clear"),
                           ("cardiomegaly", r"heart size is normal|heart (size )?is (within )?normal|"
                                            r"normal heart size|heart is normal in size")):
                if re.search(pat, f, re.I):
                    self.neg_explicit.append((r, g))
                    break


ASSERT_REAL = {
    "effusion": ["{Side} pleural effusion.", "Moderate {side} pleural effusion.",
                 "{Side}-sided pleural effusion; suggest ultrasound."],
    "pneumothorax": ["{Side} apical pneumothorax.", "Small {side} pneumothorax."],
    "consolidation": ["{Side} lower zone consolidation, ? pneumonia.", "{Side} mid zone pneumonic consolidation."],
    "cardiomegaly": ["Cardiomegaly.", "Cardiomegaly, ? hypertensive heart disease."],
}
NEG_REAL = {
    "effusion": ["No pleural effusion.", "Costophrenic angles are clear; no effusion."],
    "pneumothorax": ["No pneumothorax.", "Lungs fully expanded; no pneumothorax."],
    "consolidation": ["Both lung fields are clear.", "No consolidation."],
    "oedema": ["No pulmonary oedema.", "Normal pulmonary vasculature."],
}


def real_case(rng: random.Random, pool: RealPool, kind: str | None, used: set) -> tuple[dict, str, str]:
    def take(lst, key=lambda x: x):
        cands = [x for x in lst if key(x)["uid"] not in used]
        x = rng.choice(cands)
        used.add(key(x)["uid"])
        return x

    if kind is None:
        r = take(pool.normal if rng.random() < 0.6 else pool.abn)
        return real_parts(rng, r, reword(r["findings"]), reword(r["impression"])), "", r["uid"]
    if kind == "missing_section":
        if rng.random() < 0.65:
            r = take(pool.abn if rng.random() < 0.6 else pool.normal)
            parts = real_parts(rng, r, reword(r["findings"]), None)
            if rng.random() < 0.5:
                parts["imp_header_empty"] = True
                return parts, "impression emptied (header kept)", r["uid"]
            parts["imp_absent"] = True
            return parts, "impression section dropped", r["uid"]
        cands = [x for x in pool.normal if re.fullmatch(r"No acute (cardiopulmonary|disease|abnormality)[^.]*\.?",
                                                        x["impression"].strip(), re.I)]
        r = take(cands)
        parts = real_parts(rng, r, None, reword(r["impression"]))
        parts["find_header_empty"] = True
        return parts, "findings emptied (header kept); impression is a bare conclusion", r["uid"]
    if kind == "laterality_conflict":
        r, g, fsent_, isent_ = take(pool.lat, key=lambda x: x[0])
        f, i = reword(r["findings"]), reword(r["impression"])
        if rng.random() < 0.55:
            i = i.replace(isent_, flip_side(isent_), 1)
            det = f"{g}: impression sentence side flipped: '{flip_side(isent_)}'"
        else:
            f = f.replace(fsent_, flip_side(fsent_), 1)
            det = f"{g}: findings sentence side flipped: '{flip_side(fsent_)}'"
        return real_parts(rng, r, f, i), det, r["uid"]
    if kind == "negation_conflict":
        if rng.random() < 0.6 or not pool.affirm_neg:
            r, g = take(pool.neg_explicit, key=lambda x: x[0])
            side = rng.choice(["right", "left"])
            add = _fill(rng.choice(ASSERT_REAL[g]), {"side": side, "Side": side.capitalize()})
            i = reword(r["impression"])
            if rng.random() < 0.6 or re.search(r"normal|no acute|no active|negative", i, re.I):
                i = add
            else:
                i = add + " " + i
            det = f"findings negate {g}; impression adds '{add}'"
            return real_parts(rng, r, reword(r["findings"]), i), det, r["uid"]
        r, g, s = take(pool.affirm_neg, key=lambda x: x[0])
        neg = rng.choice(NEG_REAL[g])
        return (real_parts(rng, r, reword(r["findings"]), neg),
                f"findings affirm {g} ('{s}'); impression replaced by '{neg}'", r["uid"])
    if kind == "impression_omits_finding":
        r, g, s = take(pool.omit, key=lambda x: x[0])
        imp = rng.choice(GENERIC_OMIT_IMP)
        return (real_parts(rng, r, reword(r["findings"]), imp),
                f"findings affirm {g} ('{s}'); impression replaced by '{imp}'", r["uid"])
    if kind == "placeholder":
        r = take(pool.normal if rng.random() < 0.6 else pool.abn)
        parts = real_parts(rng, r, reword(r["findings"]), reword(r["impression"]))
        tok = rng.choice(PH_TOKENS)
        o = rng.choice(["word", "word", "word", "hist", "comp", "sign"])
        if o == "word":
            fs = parts["findings"]
            cands = [(j, m) for j, s in enumerate(fs) for m in
                     re.finditer(r"\b(normal|right|left|clear|mild|small|stable|upper|lower)\b", s)]
            if cands:
                j, m = rng.choice(cands)
                s = fs[j]
                fs[j] = s[:m.start()] + tok + s[m.end():]
                return parts, f"word '{m.group(1)}' in findings replaced by '{tok}'", r["uid"]
            o = "hist"
        if o == "hist":
            parts["hist"] = tok
            return parts, f"clinical history left as '{tok}'", r["uid"]
        if o == "comp":
            parts["comp"] = f"Previous film dated {tok}"
            return parts, f"comparison date not filled: '{parts['comp']}'", r["uid"]
        parts["signoff"] = f"Reported by: Dr. {tok}"
        return parts, f"sign-off name not filled: '{parts['signoff']}'", r["uid"]
    raise ValueError(kind)


# ---------------------------------------------------------------------------------------------


def build(seed: int, with_uid: bool = False) -> list[dict]:
    rng = random.Random(f"h117-{seed}")
    pool = RealPool()
    used: set[str] = set()
    plan = [(None, N_CLEAN)] + [(k, N_PER_KIND) for k in KINDS]
    rows = []
    for kind, n in plan:
        for j in range(n):
            st = make_style(rng)
            if j < n // 2:
                parts, detail = SYNTH[kind](rng)
                uid = None
            else:
                parts, detail, uid = real_case(rng, pool, kind, used)
            report = render(parts, st, rng)
            row = {"injected": kind, "detail": detail or "", "report": report}
            if with_uid:
                row["uid"] = uid
            rows.append(row)
    rng.shuffle(rows)
    out = []
    for n, row in enumerate(rows):
        d = {"id": f"h117-{seed}-{n}", "injected": row["injected"], "detail": row["detail"], "report": row["report"]}
        if with_uid:
            d["uid"] = row["uid"]
        out.append(d)
    return out


def main(argv: list[str] | None = None) -> int:
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
        for kind in (None,) + KINDS:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"==== {r['id']} [{kind}] {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
