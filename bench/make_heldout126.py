"""Held-out report-check set 126, written blind.

Setting: UK and Irish private health-screening and executive medical centres -- wellness,
corporate, insurance and pre-employment screens of mostly well adults.  Chest films there are
mostly normal or near-normal, with the ordinary incidental findings (calcified granuloma, old rib
fracture, minor apical scarring, degenerative spine, unfolded aorta, nipple shadows) and the
occasional significant one (a nodule or mass needing CT, a consolidation, a pneumothorax, a
moderate effusion, cardiac failure).  Reports are laid out the way British and Irish consultant
radiologists dictate them: an exam line (``XR CHEST PA``), clinical details / history,
comparison, sometimes a technique line, findings (or "Report:"), a conclusion / opinion /
impression / comment, and a sign-off line with GMC (UK) or IMC (Ireland) registration number.
British spellings (oedema, haemorrhage, visualised), UK phrasing ("no active disease",
"costophrenic angles are clear", "?infection" in the clinical details).

400 cases per seed: 200 clean and 40 each of ``missing_section``, ``laterality_conflict``,
``negation_conflict``, ``impression_omits_finding`` and ``placeholder``.  Half of every group is
composed from the phrase bank below; half are real IU (Open-i) reports, never one whose uid is in
the development set, re-laid-out and lightly re-worded (British spelling, UK headers).

    python -m bench.make_heldout126 OUT.jsonl --seed S [--show N]

``build(seed)`` returns the list of cases.  The shared dir is ``$MEDRAG_SHARED_DIR`` or
``<repo>/../shared``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import re
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


# --------------------------------------------------------------------------------------------
# Real IU reports
# --------------------------------------------------------------------------------------------

_ABS_RE = re.compile(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', re.S)


def _unescape(s: str) -> str:
    return (
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        .replace("&apos;", "'").replace("&amp;", "&")
    )


def _tidy(s: str) -> str:
    s = re.sub(r"\s+", " ", s or "").strip()
    s = re.sub(r"\.(\s*\.)+", ".", s)
    return s


@functools.lru_cache(maxsize=2)
def _load_iu(shared: str) -> tuple:
    dev_path = Path(shared) / "eval" / "report_errors_dev.jsonl"
    dev = set()
    with open(dev_path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    dev.add(uid)
    out = []
    tgz = Path(shared) / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    with tarfile.open(tgz) as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            s = tf.extractfile(m).read().decode("utf-8", "replace")
            mu = re.search(r'<uId id="([^"]+)"', s)
            if not mu or mu.group(1) in dev:
                continue
            sec = {k: _tidy(_unescape(v)) for k, v in _ABS_RE.findall(s)}
            major = [x.split("/")[0].lower() for x in re.findall(r"<major>(.*?)</major>", s)]
            out.append({
                "uid": mu.group(1),
                "findings": sec.get("FINDINGS", ""),
                "impression": sec.get("IMPRESSION", ""),
                "indication": sec.get("INDICATION", ""),
                "comparison": sec.get("COMPARISON", ""),
                "normal": major == ["normal"],
            })
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(out), frozenset(dev)


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])", text.strip())
    return [p for p in parts if p]


HEDGE = re.compile(
    r"\b(no|not|without|negative|resolved|resolution|resolving|clear|free|removed|rather|vs|versus|"
    r"cannot|can't|may|might|possible|possibly|could|questionable|suggest|consider|previous|"
    r"previously|prior|improved|improving|decrease|decreased|healed|old|stable|unchanged|chronic|"
    r"small|trace|tiny|minimal|minor|mild|blunting|exclude|excluded|evaluate|concern|versus|"
    r"likely|probable|probably|improvement|clearing|either|or|known|minimally|subsegmental|"
    r"fibrosis|fibrotic|redemonstrat\w*|XXXX)\b|\?|/", re.I)

SIG_CATS = {
    "pneumothorax": (re.compile(r"pneumothora", re.I), re.compile(r"pneumothora", re.I)),
    "consolidation": (re.compile(r"consolidat|pneumonia|air ?space (disease|opacit)", re.I),
                      re.compile(r"consolidat|pneumonia|air ?space|infiltrat|opacit|infect", re.I)),
    "oedema": (re.compile(r"\bedema|vascular congestion|pulmonary congestion", re.I),
               re.compile(r"edema|congestion|failure|chf", re.I)),
    "effusion": (re.compile(r"(moderate|large|massive)[^.]*effusion", re.I),
                 re.compile(r"effusion", re.I)),
    "mass": (re.compile(r"\bmass\b", re.I), re.compile(r"\bmass|neoplas|malignan|tumou?r", re.I)),
    "nodule": (re.compile(r"\b([6-9]|[1-9]\d)(\.\d+)? ?mm[^.]*nodul|nodul[^.]*\b([6-9]|[1-9]\d)"
                          r"(\.\d+)? ?mm|\d(\.\d+)? ?cm[^.]*nodul|nodul[^.]*\d(\.\d+)? ?cm", re.I),
               re.compile(r"nodul|mass|opacit|lesion|neoplas", re.I)),
    "free air": (re.compile(r"free (intraperitoneal )?air|pneumoperitoneum", re.I),
                 re.compile(r"free air|pneumoperitoneum|perforat", re.I)),
    "mediastinum": (re.compile(r"widen\w* (superior )?mediastinum|mediastin\w* (is )?widen", re.I),
                    re.compile(r"mediastin", re.I)),
}


def _affirmed_sig(findings: str) -> list[tuple[str, str]]:
    hits = []
    for s in _sentences(findings):
        if HEDGE.search(s):
            continue
        for cat, (rx, _) in SIG_CATS.items():
            if rx.search(s):
                hits.append((cat, s))
    return hits


NEG_FIND = {
    "effusion": re.compile(r"\bno\b[^.]*effusion", re.I),
    "pneumothorax": re.compile(r"\bno\b[^.]*pneumothora", re.I),
    "consolidation": re.compile(r"\bno\b[^.]*consolidat|lungs are clear", re.I),
    "heart": re.compile(r"heart size (is )?(within normal|normal)|normal heart size|"
                        r"heart is normal in size|cardiac silhouette is normal|heart is not enlarged",
                        re.I),
}

CARDIO_AFF = re.compile(r"cardiomegaly|heart (size )?is (mildly |moderately |markedly )?enlarged|"
                        r"enlarged (heart|cardiac)", re.I)

UK_SPELL = [
    (r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"esophag", "oesophag"),
    (r"Esophag", "Oesophag"), (r"hemorrhag", "haemorrhag"), (r"anemia", "anaemia"),
    (r"\btumor", "tumour"), (r"\bcenter", "centre"), (r"\bcolor", "colour"),
    (r"leukemia", "leukaemia"), (r"ischemi", "ischaemi"), (r"hematoma", "haematoma"),
    (r"orthopedic", "orthopaedic"), (r"isualized", "isualised"), (r"haracterized", "haracterised"),
    (r"ecognized", "ecognised"), (r"ormalized", "ormalised"), (r"\bx-XXXX\b", "radiograph"),
    (r"\bX-XXXX\b", "Radiograph"), (r"\bgray\b", "grey"), (r"\bfavor", "favour"),
    (r"\bbasilar\b", "basal"), (r"\bhyperexpanded\b", "hyperinflated"),
]

PHRASE_SWAP = [
    ("No acute cardiopulmonary abnormality", [
        "No acute cardiopulmonary abnormality", "No acute cardiopulmonary abnormality identified",
        "No active cardiopulmonary disease"]),
    ("No acute cardiopulmonary disease", [
        "No acute cardiopulmonary disease", "No active cardiopulmonary disease",
        "No acute cardiopulmonary disease demonstrated"]),
    ("No acute disease", ["No acute disease", "No active disease"]),
    ("Cardiomediastinal silhouette", ["Cardiomediastinal silhouette", "Cardiomediastinal contour"]),
    ("There is no pneumothorax", ["There is no pneumothorax", "No pneumothorax is seen"]),
]


def _uk(text: str, rng: random.Random) -> str:
    for pat, rep in UK_SPELL:
        text = re.sub(pat, rep, text)
    for src, opts in PHRASE_SWAP:
        if src in text:
            rep = rng.choice(opts)
            text = re.sub(re.escape(src) + r"(?=\s*[.,;]|\s*$)", lambda _m, r=rep: r, text)
    return text


# --------------------------------------------------------------------------------------------
# Setting: layouts, headers, sign-offs
# --------------------------------------------------------------------------------------------

EXAM_LINES = [
    "XR CHEST PA", "XR Chest PA", "Examination: Chest X-ray PA", "CHEST X-RAY (PA)",
    "Exam: CXR PA erect", "Procedure: CR Chest", "Examination: PA chest radiograph",
    "X-RAY CHEST", "Chest radiograph (PA)", "Examination: XR Thorax PA",
]
HIST_HEAD = ["Clinical details:", "Clinical history:", "CLINICAL DETAILS:", "Clinical indication:",
             "History:", "Reason for referral:", "Clinical information:"]
COMP_HEAD = ["Comparison:", "COMPARISON:", "Previous imaging:", "Comparison:"]
TECH_LINES = ["", "", "", "Technique: Single PA erect projection.", "Technique: PA view.",
              "Technique: Erect PA radiograph, good inspiration."]
FIND_HEAD = ["Findings:", "FINDINGS:", "Report:", "Findings:", "REPORT:"]
IMP_HEAD = ["Conclusion:", "Impression:", "Opinion:", "CONCLUSION:", "IMPRESSION:", "Comment:",
            "Summary:", "OPINION:"]
HISTORIES = [
    "Executive health assessment. Asymptomatic.", "Annual corporate medical.",
    "Insurance medical.", "Well-person screen. Non-smoker.",
    "Health screen. Ex-smoker, 20 pack years.", "Pre-employment medical.",
    "Executive medical. Current smoker.", "Routine screening. No respiratory symptoms.",
    "Comprehensive health check, 54M.", "Well woman screen.",
    "Health assessment. Occasional dry cough. ?Any abnormality.",
    "Life insurance medical, raised BP.", "Annual health MOT.", "Corporate screen, 48F, smoker.",
    "Screening medical. Mild exertional SOB.", "Visa medical - TB screen.",
    "Health check. Recent chest infection, ?resolved.", "Routine screen. FH lung cancer.",
]
FIRST = ["Aoife", "Ciaran", "Siobhan", "James", "Fiona", "Rhys", "Niamh", "Alistair", "Priya",
         "Eoin", "Catriona", "Oliver", "Sinead", "Hamish", "Deirdre", "Rajesh", "Gwen", "Tom"]
LAST = ["Byrne", "McCarthy", "Whitfield", "O'Sullivan", "Fraser", "Evans", "Kavanagh",
        "MacLeod", "Patel", "Doherty", "Hughes", "Campbell", "Nolan", "Reid", "Shah", "Morgan"]


def _date(rng: random.Random, year=None) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year or rng.randint(2019, 2025)}"


def _signoff(rng: random.Random) -> str:
    name = f"Dr {rng.choice(FIRST)} {rng.choice(LAST)}"
    irish = rng.random() < 0.35
    reg = f"IMC {rng.randint(10000, 499999)}" if irish else f"GMC {rng.randint(2000000, 7999999)}"
    forms = [
        f"{name}\nConsultant Radiologist\n{reg}",
        f"Reported by {name}, Consultant Radiologist ({reg})",
        f"Electronically signed by {name} FRCR, {reg}, {_date(rng, 2025)}",
        f"{name} MB FRCR, Consultant Radiologist. {reg}",
        f"Dictated and verified by {name}, Consultant Radiologist",
        f"Reported: {_date(rng, 2025)} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"
        f" by {name} ({reg})",
    ]
    if irish:
        forms.append(f"{name} FFR RCSI, Consultant Radiologist, {reg}")
    return rng.choice(forms)


def _comparison(rng: random.Random) -> str:
    return rng.choice(["None.", "None available.", "No previous imaging for comparison.",
                       f"Previous screening film {_date(rng)}.", "None.",
                       f"CXR {_date(rng)}.", "No prior films available on PACS."])


def _layout(rng: random.Random, p: dict) -> str:
    """p: exam, hist, comp, tech, fhead, findings, ihead, impression, sign, and flags
    omit_findings / omit_impression (whole section absent)."""
    parts = [p["exam"]]
    if p.get("date_line"):
        parts[0] += f"\nDate of exam: {p['date_line']}"
    if p.get("hist") is not None:
        parts.append(f"{p['hhead']} {p['hist']}".rstrip())
    if p.get("comp") is not None:
        parts.append(f"{p['chead']} {p['comp']}".rstrip())
    if p.get("tech"):
        parts.append(p["tech"])
    if not p.get("omit_findings"):
        f = p["findings"]
        if p.get("findings_inline", True):
            parts.append(f"{p['fhead']} {f}".rstrip())
        else:
            parts.append(f"{p['fhead']}\n{f}".rstrip())
    if not p.get("omit_impression"):
        i = p["impression"]
        if p.get("impression_inline", True):
            parts.append(f"{p['ihead']} {i}".rstrip())
        else:
            parts.append(f"{p['ihead']}\n{i}".rstrip())
    if p.get("sign"):
        parts.append(p["sign"])
    return "\n\n".join(parts)


def _frame(rng: random.Random, hist=None, comp=None) -> dict:
    return {
        "exam": rng.choice(EXAM_LINES),
        "date_line": _date(rng, 2025) if rng.random() < 0.3 else None,
        "hhead": rng.choice(HIST_HEAD),
        "hist": hist if hist is not None else rng.choice(HISTORIES),
        "chead": rng.choice(COMP_HEAD),
        "comp": comp if comp is not None else (_comparison(rng) if rng.random() < 0.75 else None),
        "tech": rng.choice(TECH_LINES),
        "fhead": rng.choice(FIND_HEAD),
        "ihead": rng.choice(IMP_HEAD),
        "findings_inline": rng.random() < 0.6,
        "impression_inline": rng.random() < 0.6,
        "sign": _signoff(rng),
    }


# --------------------------------------------------------------------------------------------
# Phrase bank
# --------------------------------------------------------------------------------------------

NORMAL = {
    "heart": ["The heart is not enlarged.", "Heart size is normal.",
              "Normal cardiac size and contour.", "Cardiothoracic ratio is within normal limits.",
              "The cardiac silhouette is normal in size."],
    "media": ["Mediastinal contours are normal.", "The mediastinum is central and not widened.",
              "Normal hilar and mediastinal outlines.", "Hila are normal in size and position.",
              ""],
    "lungs": ["The lungs are clear.", "Both lungs are clear.",
              "The lung fields are clear with no focal consolidation or mass.",
              "No focal lung lesion is seen.", "Clear lungs with no active lung lesion."],
    "pleura": ["No pleural effusion.", "Costophrenic angles are clear.",
               "No pleural effusion or pneumothorax.", "The pleural spaces are clear.",
               "No pneumothorax or effusion."],
    "diaph": ["", "", "Both hemidiaphragms are well defined.", "Normal diaphragmatic contours."],
    "bones": ["No bony abnormality.", "Visualised bones are unremarkable.",
              "The bony thorax is intact.", "Visualised skeleton unremarkable.", ""],
}
NORMAL_IMP = [
    "Normal chest radiograph.", "No active cardiopulmonary disease.", "Normal study.",
    "No acute abnormality.", "No significant abnormality detected.", "Normal appearances.",
    "Clear chest. No active disease.", "Normal chest X-ray.", "No active lung disease.",
    "Normal PA chest radiograph.",
]
ZONES = ["upper", "mid", "lower"]
RIBS = ["4th", "5th", "6th", "7th", "8th", "9th"]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _unit(name: str, rng: random.Random) -> dict:
    """One finding: slot it replaces (or 'extra'), findings sentence template with {side},
    impression template, whether it is significant, whether it has a side, and an explicit
    negation of it for an impression."""
    z = rng.choice(ZONES)
    n = rng.randint(7, 19)
    rib = rng.choice(RIBS)
    U = {
        "granuloma": dict(slot="lungs", sig=False, sided=True,
                          f=rng.choice([f"Small calcified granuloma in the {{side}} {z} zone. "
                                        "The lungs are otherwise clear.",
                                        f"A {rng.randint(2, 4)} mm calcified granuloma projects "
                                        f"over the {{side}} {z} zone. Lungs otherwise clear."]),
                          i=f"Incidental calcified granuloma, {{side}} {z} zone."),
        "scar": dict(slot="lungs", sig=False, sided=True,
                     f="Minor pleuro-parenchymal scarring at the {side} apex. Lungs otherwise "
                       "clear.",
                     i="Minor {side} apical scarring, of no clinical significance."),
        "rib": dict(slot="bones", sig=False, sided=True,
                    f=rng.choice([f"Old healed fracture of the {{side}} {rib} rib laterally.",
                                  f"Healed {{side}} {rib} rib fracture."]),
                    i=f"Old healed {{side}} {rib} rib fracture."),
        "spine": dict(slot="bones", sig=False, sided=False,
                      f="Mild degenerative change in the thoracic spine.",
                      i="Mild thoracic spondylosis."),
        "aorta": dict(slot="media", sig=False, sided=False,
                      f="Unfolded thoracic aorta. Mediastinum otherwise normal.",
                      i="Unfolded aorta, in keeping with age."),
        "borderline": dict(slot="heart", sig=False, sided=False,
                           f="The heart size is at the upper limit of normal.",
                           i="Borderline heart size."),
        "nipple": dict(slot="extra", sig=False, sided=False,
                       f="Bilateral nipple shadows are noted.",
                       i="Nipple shadows only; no active disease."),
        "cervical": dict(slot="extra", sig=False, sided=True,
                         f="Incidental {side} cervical rib.", i="Incidental {side} cervical rib."),
        "azygos": dict(slot="extra", sig=False, sided=False,
                       f="Azygos fissure noted, a normal variant.", i="Azygos lobe, normal variant."),
        "clips": dict(slot="extra", sig=False, sided=False,
                      f="Cholecystectomy clips in the right upper quadrant.",
                      i="Post-cholecystectomy clips."),
        "hiatus": dict(slot="extra", sig=False, sided=False,
                       f="Small hiatus hernia projected behind the heart.",
                       i="Small hiatus hernia."),
        "copd": dict(slot="lungs", sig=False, sided=False,
                     f="The lungs are hyperinflated with flattened hemidiaphragms. No focal "
                       "consolidation.",
                     i="Hyperinflation in keeping with COPD. No active disease."),
        "thickening": dict(slot="pleura", sig=False, sided=True,
                           f="Minor blunting of the {side} costophrenic angle, likely pleural "
                             "thickening. No pneumothorax.",
                           i="Minor {side} pleural thickening."),
        # significant
        "nodule": dict(slot="lungs", sig=True, sided=True, cat="nodule",
                       f=rng.choice([f"There is a {n} mm well-defined nodule in the {{side}} "
                                     f"{z} zone. The lungs are otherwise clear.",
                                     f"{n} mm soft tissue nodule projected over the {{side}} "
                                     f"{z} zone."]),
                       i=rng.choice([f"{n} mm {{side}} {z} zone nodule. CT chest recommended.",
                                     f"Indeterminate {n} mm nodule in the {{side}} {z} zone; "
                                     "suggest CT thorax for further characterisation."]),
                       neg="No pulmonary nodule or mass."),
        "mass": dict(slot="lungs", sig=True, sided=True, cat="mass",
                     f=f"There is a {rng.randint(3, 6)} cm lobulated mass in the {{side}} "
                       f"{rng.choice(['upper', 'mid'])} zone.",
                     i="{Side} lung mass, suspicious for malignancy. Urgent CT chest advised "
                       "and referral via the 2-week-wait pathway.",
                     neg="No lung mass."),
        "consol": dict(slot="lungs", sig=True, sided=True, cat="consolidation",
                       f=rng.choice(["Patchy consolidation in the {side} lower zone.",
                                     "There is airspace opacification in the {side} mid and "
                                     "lower zones in keeping with consolidation.",
                                     "Consolidation in the {side} lower lobe with air "
                                     "bronchograms."]),
                       i=rng.choice(["{Side} lower zone consolidation in keeping with infection. "
                                     "Suggest repeat film in 6 weeks to confirm resolution.",
                                     "{Side} basal pneumonia."]),
                       neg=rng.choice(["The lungs are clear.", "No consolidation."])),
        "effusion": dict(slot="pleura", sig=True, sided=True, cat="effusion",
                         f=rng.choice(["Moderate {side} pleural effusion.",
                                       "There is a moderate-sized {side} pleural effusion with "
                                       "a meniscus."]),
                         i="Moderate {side} pleural effusion; clinical correlation and "
                           "ultrasound advised.",
                         neg="No pleural effusion."),
        "ptx": dict(slot="pleura", sig=True, sided=True, cat="pneumothorax",
                    f=f"There is a {{side}} apical pneumothorax with a {rng.randint(1, 3)} cm rim "
                      "at the apex. No mediastinal shift.",
                    i="{Side} pneumothorax. Findings telephoned to the referring doctor.",
                    neg="No pneumothorax."),
        "oedema": dict(slot="lungs", sig=True, sided=False, cat="oedema",
                       f="Upper lobe blood diversion with interstitial oedema and septal lines "
                         "at both bases.",
                       i="Features of pulmonary venous congestion and interstitial oedema.",
                       neg="No pulmonary oedema."),
        "mediastinum": dict(slot="media", sig=True, sided=False, cat="mediastinum",
                            f="The superior mediastinum is widened.",
                            i="Widened superior mediastinum; CT thorax recommended.",
                            neg="Normal mediastinal width."),
        "cardiomegaly": dict(slot="heart", sig=False, sided=False, cat="heart",
                             f="The heart is enlarged, CTR 0.58.",
                             i="Cardiomegaly.", neg="Normal heart size."),
    }
    u = dict(U[name])
    u["name"] = name
    return u


INCIDENTAL = ["granuloma", "scar", "rib", "spine", "aorta", "borderline", "nipple", "cervical",
              "azygos", "clips", "hiatus", "copd", "thickening"]
SIGNIFICANT = ["nodule", "nodule", "mass", "consol", "consol", "effusion", "ptx", "oedema",
               "mediastinum"]
SIDED_SIG = ["nodule", "mass", "consol", "effusion", "ptx"]
SIDED_INC = ["granuloma", "scar", "rib", "cervical", "thickening"]


def _fill(t: str, side: str) -> str:
    return t.replace("{side}", side).replace("{Side}", _cap(side))


def _findings(rng: random.Random, units: list[dict], sides: dict, keep_normal=True) -> str:
    slots = {u["slot"]: u for u in units if u["slot"] != "extra"}
    out = []
    for slot in ("heart", "media", "lungs", "pleura", "diaph", "bones"):
        if slot in slots:
            u = slots[slot]
            out.append(_fill(u["f"], sides.get(u["name"], "right")))
            if slot == "pleura" and u["name"] in ("effusion",):
                out.append("No pneumothorax.")
            if slot == "pleura" and u["name"] == "ptx":
                out.append("No pleural effusion.")
        else:
            out.append(rng.choice(NORMAL[slot]))
    for u in units:
        if u["slot"] == "extra":
            out.insert(rng.randint(2, len(out)), _fill(u["f"], sides.get(u["name"], "right")))
    return " ".join(s for s in out if s)


def _pick_units(rng, mode):
    """mode: normal | incidental | significant"""
    if mode == "normal":
        return []
    if mode == "incidental":
        names = rng.sample(INCIDENTAL, rng.choice([1, 1, 1, 2]))
    else:
        names = [rng.choice(SIGNIFICANT)]
        if rng.random() < 0.3:
            names.append(rng.choice(INCIDENTAL))
    units, seen = [], set()
    for nm in names:
        u = _unit(nm, rng)
        if u["slot"] in seen and u["slot"] != "extra":
            continue
        seen.add(u["slot"])
        units.append(u)
    return units


def _imp_for(rng, units, sides, mention_incidental=None) -> str:
    bits = []
    for u in units:
        if u["sig"] or u["name"] == "cardiomegaly":
            bits.append(_fill(u["i"], sides.get(u["name"], "right")))
        elif mention_incidental if mention_incidental is not None else rng.random() < 0.5:
            bits.append(_fill(u["i"], sides.get(u["name"], "right")))
    if not bits:
        return rng.choice(NORMAL_IMP)
    if not any(u["sig"] for u in units) and rng.random() < 0.6:
        bits.append(rng.choice(["Otherwise normal.", "No active disease.",
                                "No acute cardiopulmonary abnormality."]))
    if len(bits) > 1 and rng.random() < 0.4:
        return " ".join(f"{k + 1}. {b}" for k, b in enumerate(bits))
    return " ".join(bits)


PH_TOKENS = ["[***]", "[ ]", "***", "[...]", "<< >>", "[*]", "<>", "[ *** ]", "[?]", "[  ]"]


def _own_case(rng: random.Random, kind) -> tuple[str, str]:
    fr = _frame(rng)
    detail = ""
    if kind is None:
        mode = rng.choices(["normal", "incidental", "significant"], [62, 28, 10])[0]
        units = _pick_units(rng, mode)
        sides = {u["name"]: rng.choice(["right", "left"]) for u in units}
        fr["findings"] = _findings(rng, units, sides)
        fr["impression"] = _imp_for(rng, units, sides)
        if mode == "normal" and rng.random() < 0.12:
            # single-section report whose opinion itself describes the film
            fr["omit_findings"] = True
            fr["impression"] = rng.choice([
                "Normal heart size. Clear lungs. No pleural effusion or pneumothorax. "
                "Normal chest radiograph.",
                "Heart and mediastinum normal. Lungs clear. No effusion. No active disease.",
            ])
        return _layout(rng, fr), detail

    if kind == "missing_section":
        mode = rng.choice(["normal", "normal", "incidental", "significant"])
        units = _pick_units(rng, mode)
        sides = {u["name"]: rng.choice(["right", "left"]) for u in units}
        fr["findings"] = _findings(rng, units, sides)
        fr["impression"] = _imp_for(rng, units, sides)
        v = rng.choice(["imp_blank", "imp_blank", "imp_absent", "find_blank", "find_absent"])
        if v == "imp_blank":
            fr["impression"] = ""
            detail = f"{fr['ihead'].rstrip(':')} section left empty"
        elif v == "imp_absent":
            fr["omit_impression"] = True
            detail = "conclusion/impression section missing; report goes from findings to sign-off"
        else:
            fr["impression"] = rng.choice([
                "As above.", "See above.", f"Comparison made with the film of {_date(rng)}.",
                "Please correlate clinically.", "Discussed with the screening physician.",
            ])
            if v == "find_blank":
                fr["findings"] = ""
                detail = "findings section left empty; impression does not describe the film"
            else:
                fr["omit_findings"] = True
                detail = "findings section missing; impression does not describe the film"
        return _layout(rng, fr), detail

    if kind == "laterality_conflict":
        pool = SIDED_SIG if rng.random() < 0.6 else SIDED_INC
        u = _unit(rng.choice(pool), rng)
        units = [u]
        side = rng.choice(["right", "left"])
        opp = "left" if side == "right" else "right"
        sides = {u["name"]: side}
        fr["findings"] = _findings(rng, units, sides)
        v = rng.random()
        if v < 0.7:
            fr["impression"] = _fill(u["i"], opp)
            if not u["sig"] and rng.random() < 0.5:
                fr["impression"] += " " + rng.choice(["Otherwise normal.", "No active disease."])
            detail = f"{u['name']}: findings say {side}, impression says {opp}"
        else:
            fr["impression"] = _fill(u["i"], side)
            extra = {
                "effusion": f"The {opp} effusion obscures the {opp} hemidiaphragm.",
                "consol": f"The {opp} lower zone consolidation effaces the {opp} hemidiaphragm.",
                "ptx": f"The {opp}-sided pneumothorax is not under tension.",
                "nodule": f"The {opp} lung nodule was not present on the previous screen.",
                "mass": f"The {opp} lung mass has a spiculated margin.",
                "granuloma": f"The {opp}-sided granuloma is densely calcified and benign.",
                "scar": f"The {opp} apical scarring is unchanged in appearance.",
                "rib": f"The {opp} rib fracture is well united.",
                "cervical": f"The {opp} cervical rib is of no clinical significance.",
                "thickening": f"The {opp} pleural thickening is smooth.",
            }[u["name"]]
            fr["findings"] = fr["findings"] + " " + extra
            detail = f"{u['name']}: findings place it {side} then say {opp} in a later sentence"
        return _layout(rng, fr), detail

    if kind == "negation_conflict":
        v = rng.choice(["assert", "assert", "negate", "heart_imp", "heart_find"])
        side = rng.choice(["right", "left"])
        if v == "assert":
            u = _unit(rng.choice(["effusion", "ptx", "consol", "nodule"]), rng)
            fr["findings"] = _findings(rng, [], {})
            # make the explicit negation present in the findings
            neg_sent = {"effusion": "No pleural effusion.", "ptx": "No pneumothorax.",
                        "consol": "No consolidation.", "nodule": "No focal lung nodule."}[u["name"]]
            if neg_sent.lower().rstrip(".") not in fr["findings"].lower():
                fs = _sentences(fr["findings"])
                fs.insert(min(3, len(fs)), neg_sent)
                fr["findings"] = " ".join(fs)
            fr["impression"] = _fill(u["i"], side)
            detail = f"impression asserts {u['name']} ({side}) that the findings negate"
        elif v == "negate":
            u = _unit(rng.choice(["effusion", "ptx", "consol", "nodule", "oedema"]), rng)
            fr["findings"] = _findings(rng, [u], {u["name"]: side})
            fr["impression"] = u["neg"] + " " + rng.choice(["Otherwise normal.",
                                                            "No other abnormality.", ""])
            fr["impression"] = fr["impression"].strip()
            detail = f"findings affirm {u['name']}; impression states '{u['neg']}'"
        elif v == "heart_imp":
            fr["findings"] = _findings(rng, [], {})
            if not re.search(r"heart|cardi", fr["findings"], re.I):
                fr["findings"] = "Heart size is normal. " + fr["findings"]
            fr["impression"] = rng.choice(["Cardiomegaly. Lungs clear.",
                                           "Enlarged heart; suggest echocardiogram.",
                                           "Moderate cardiomegaly. No active lung disease."])
            detail = "findings: heart size normal; impression: cardiomegaly"
        else:
            u = _unit("cardiomegaly", rng)
            fr["findings"] = _findings(rng, [u], {})
            fr["impression"] = rng.choice(["Normal heart size. Clear lungs.",
                                           "Heart size normal. No active disease."])
            detail = "findings: heart enlarged; impression: normal heart size"
        return _layout(rng, fr), detail

    if kind == "impression_omits_finding":
        u = _unit(rng.choice(["nodule", "nodule", "mass", "consol", "consol", "effusion", "ptx",
                              "oedema", "mediastinum"]), rng)
        units = [u]
        inc = None
        if rng.random() < 0.35:
            inc = _unit(rng.choice(["rib", "spine", "granuloma", "clips", "aorta"]), rng)
            if inc["slot"] != u["slot"]:
                units.append(inc)
            else:
                inc = None
        side = rng.choice(["right", "left"])
        sides = {x["name"]: side for x in units}
        fr["findings"] = _findings(rng, units, sides)
        if inc is not None:
            fr["impression"] = _fill(inc["i"], side) + " " + rng.choice(
                ["Otherwise normal.", "No other abnormality.", "No active disease."])
            detail = f"findings affirm {u['name']}; impression mentions only {inc['name']}"
        else:
            fr["impression"] = rng.choice(NORMAL_IMP)
            detail = f"findings affirm {u['name']}; impression is the normal macro"
        return _layout(rng, fr), detail

    # placeholder
    tok = rng.choice(PH_TOKENS)
    v = rng.choice(["side", "size", "heart", "hist", "comp", "sign", "imp_extra", "date"])
    units, sides = [], {}
    if v == "side":
        u = _unit(rng.choice(SIDED_SIG + SIDED_INC), rng)
        units = [u]
        side = rng.choice(["right", "left"])
        tok = rng.choice([tok, "[left/right]", "[side]"])
        sides = {u["name"]: side}
        fr["findings"] = _findings(rng, units, {u["name"]: tok})
        fr["impression"] = _imp_for(rng, units, sides, mention_incidental=True)
        detail = f"side of {u['name']} in findings left as template field {tok}"
    elif v == "size":
        u = _unit("nodule", rng)
        side = rng.choice(["right", "left"])
        sides = {"nodule": side}
        fr["findings"] = _findings(rng, [u], sides)
        fr["findings"] = re.sub(r"\b\d+ mm", f"{rng.choice([tok, '[size]', '[**]'])} mm",
                                fr["findings"], count=1)
        fr["impression"] = _fill("Indeterminate {side} pulmonary nodule; CT chest recommended.",
                                 side)
        detail = "nodule size in findings left as template field"
    else:
        mode = rng.choice(["normal", "normal", "incidental"])
        units = _pick_units(rng, mode)
        sides = {x["name"]: rng.choice(["right", "left"]) for x in units}
        fr["findings"] = _findings(rng, units, sides)
        fr["impression"] = _imp_for(rng, units, sides)
        if v == "heart":
            ht = rng.choice(["[normal/enlarged]", tok])
            fr["findings"] = re.sub(r"^[^.]*\.", f"The heart size is {ht}.", fr["findings"],
                                    count=1)
            detail = f"heart size sentence left as template choice {ht}"
        elif v == "hist":
            fr["hist"] = rng.choice(["[Clinical details]", tok, "<clinical history>"])
            detail = f"clinical details field left as {fr['hist']}"
        elif v == "comp":
            fr["comp"] = rng.choice(["[date of previous]", tok, f"CXR {tok}."])
            detail = f"comparison field left as {fr['comp']}"
        elif v == "sign":
            fr["sign"] = rng.choice(["Reported by: [Radiologist]", f"Dr {tok}\nConsultant Radiologist",
                                     f"Electronically signed by {tok}, Consultant Radiologist"])
            detail = "reporting radiologist field in sign-off left unfilled"
        elif v == "date":
            fr["date_line"] = rng.choice(["[DATE]", tok, "[dd/mm/yyyy]"])
            detail = f"exam date field left as {fr['date_line']}"
        else:
            fr["impression"] = fr["impression"] + " " + rng.choice(
                [f"Recommend {tok}.", f"Follow-up: {tok}", f"{tok}"])
            detail = "recommendation field in the conclusion left unfilled"
    return _layout(rng, fr), detail


# --------------------------------------------------------------------------------------------
# Real-report cases
# --------------------------------------------------------------------------------------------

SIDE_RE = re.compile(r"\b(left|right)\b", re.I)
ANAT = re.compile(r"lobe|base|basal|basilar|effusion|opacit|nodul|granuloma|pneumothora|"
                  r"atelecta|consolidat|airspace|infiltrat|hilar|hilum|apex|apical|upper|lower|"
                  r"rib|fracture|hemidiaphragm|pneumonia|scar|mass|lung|pleural|midlung|"
                  r"costophrenic|clavicle|shoulder|chest", re.I)


def _flip(word: str) -> str:
    o = "left" if word.lower() == "right" else "right"
    if word.isupper():
        return o.upper()
    if word[0].isupper():
        return o.capitalize()
    return o


def _usable(r) -> bool:
    txt = r["findings"] + " " + r["impression"]
    if re.search(r"[\[\]*_<>{}]", txt):
        return False
    if txt.count("XXXX") > 2:
        return False
    return True


LAT_KEYS = ("lobe", "apex", "apical", "base", "basal", "basilar", "hilar", "hilum", "effusion",
            "pneumothora", "granuloma", "nodul", "rib", "hemidiaphragm", "midlung", "mid lung",
            "opacit", "airspace", "atelecta", "scar", "upper", "lower", "cavit", "mass",
            "consolidat", "infiltrat", "pneumonia", "clavicle", "shoulder", "picc", "catheter")


def _side_keys(text: str) -> dict:
    out: dict = {}
    for s in _sentences(text):
        sw = {w.lower() for w in SIDE_RE.findall(s)}
        if len(sw) != 1:
            continue
        low = s.lower()
        for k in LAT_KEYS:
            if k in low:
                out.setdefault(k, set()).update(sw)
    return out


def _sides_consistent(f: str, i: str) -> bool:
    a, b = _side_keys(f), _side_keys(i)
    return all(not (a[k] and b[k]) or (a[k] & b[k]) for k in a.keys() & b.keys())


def _clean_real_ok(r) -> bool:
    f, i = r["findings"], r["impression"]
    if not _sides_consistent(f, i):
        return False
    if not f or not i or len(_sentences(f)) < 2:
        return False
    for cat, _s in _affirmed_sig(f):
        if not SIG_CATS[cat][1].search(i):
            return False
    fs = {w.lower() for w in SIDE_RE.findall(f)}
    is_ = {w.lower() for w in SIDE_RE.findall(i)}
    if is_ and fs and not (is_ & fs):
        return False
    if is_ and not fs:
        return False
    if CARDIO_AFF.search(f) and re.search(r"normal|no acute|negative", i, re.I) and \
            not re.search(r"cardiomegaly|enlarge|heart", i, re.I):
        return False
    if re.search(r"effusion", i, re.I) and not re.search(r"\bno\b[^.]*effusion", i, re.I) and \
            NEG_FIND["effusion"].search(f) and not re.search(r"(?<!no )effusion", f.lower().replace(
                "no pleural effusion", "")):
        return False
    if re.search(r"\b(normal|unremarkable|negative)\b", i, re.I) and len(i) < 60 and \
            not r["normal"] and _affirmed_sig(f):
        return False
    return True


def _real_frame(rng, r):
    hist = r["indication"] or rng.choice(HISTORIES)
    hist = _uk(hist, rng)
    if r["indication"] and rng.random() < 0.4:
        hist = rng.choice(["Health screen. ", "Insurance medical. ", "Executive medical. ",
                           "Screening. "]) + hist
    comp = r["comparison"]
    if comp:
        comp = _uk(comp, rng)
        if comp.lower().rstrip(".") == "none":
            comp = rng.choice(["None.", "None available.", "No previous imaging."])
    fr = _frame(rng, hist=hist, comp=comp or None)
    fr["exam"] = rng.choice(["XR CHEST", "Examination: Chest X-ray", "CHEST X-RAY",
                             "Exam: CXR", "Procedure: CR Chest", "XR Chest PA and lateral",
                             "Examination: Chest radiograph"])
    fr["tech"] = rng.choice(["", "", "Technique: Standard views.", "TECHNIQUE: Erect views."])
    if not comp and rng.random() < 0.5:
        fr["comp"] = None
    return fr


def _real_case(rng, r, kind):
    fr = _real_frame(rng, r)
    f = _uk(r["findings"], rng)
    i = _uk(r["impression"], rng)
    fr["findings"], fr["impression"] = f, i
    detail = ""
    if kind is None:
        return _layout(rng, fr), detail
    if kind == "missing_section":
        if rng.random() < 0.65:
            fr["impression"] = ""
            detail = f"{fr['ihead'].rstrip(':')} emptied (findings kept)"
        else:
            fr["omit_impression"] = True
            detail = "impression section removed (findings kept)"
        return _layout(rng, fr), detail
    if kind == "laterality_conflict":
        target = r["_lat"]
        sec = fr[target]
        sents = _sentences(sec)
        idx = r["_lat_idx"]
        s = sents[idx]
        m = SIDE_RE.search(s)
        sents[idx] = SIDE_RE.sub(lambda x: _flip(x.group(0)), s)
        fr[target] = " ".join(sents)
        detail = (f"{m.group(0).lower()}->{_flip(m.group(0)).lower()} in {target} sentence: "
                  f"{sents[idx]!r}")
        return _layout(rng, fr), detail
    if kind == "negation_conflict":
        mode = r["_neg"]
        side = rng.choice(["right", "left"])
        if mode == "assert_effusion":
            fr["impression"] = rng.choice([f"Small {side} pleural effusion. Otherwise no acute "
                                           "abnormality.", f"{_cap(side)} pleural effusion."])
            detail = "impression asserts an effusion the findings negate"
        elif mode == "assert_ptx":
            fr["impression"] = f"Small {side} apical pneumothorax."
            detail = "impression asserts a pneumothorax the findings negate"
        elif mode == "assert_consol":
            fr["impression"] = rng.choice([f"{_cap(side)} lower zone consolidation.",
                                           f"{_cap(side)} basal pneumonia."])
            detail = "impression asserts consolidation; findings say no consolidation / lungs clear"
        elif mode == "assert_heart":
            fr["impression"] = rng.choice(["Cardiomegaly. No active lung disease.",
                                           "Enlarged cardiac silhouette."])
            detail = "impression asserts cardiomegaly; findings say heart size normal"
        elif mode == "neg_heart":
            fr["impression"] = rng.choice(["Normal heart size. No active disease.",
                                           "Heart size normal. Lungs clear."])
            detail = "findings affirm cardiomegaly; impression says heart size normal"
        else:  # neg_sig:<cat>
            cat = mode.split(":")[1]
            fr["impression"] = {
                "pneumothorax": "No pneumothorax. No acute cardiopulmonary abnormality.",
                "consolidation": rng.choice(["Lungs clear. No consolidation.",
                                             "No focal consolidation."]),
                "oedema": "No pulmonary oedema or effusion.",
                "effusion": "No pleural effusion.",
                "mass": "No lung mass.",
                "nodule": "No pulmonary nodule.",
                "free air": "No free air under the diaphragm.",
                "mediastinum": "Normal mediastinal width.",
            }[cat]
            detail = f"findings affirm {cat}; impression negates it"
        return _layout(rng, fr), detail
    if kind == "impression_omits_finding":
        fr["impression"] = rng.choice(NORMAL_IMP + ["No acute cardiopulmonary abnormality."])
        detail = f"findings affirm {r['_sig']}; impression replaced by normal statement"
        return _layout(rng, fr), detail
    # placeholder: one word (or one template field) left unfilled
    tok = rng.choice(PH_TOKENS)
    v = rng.choices(["findings", "impression", "hist", "comp", "sign"], [50, 20, 12, 8, 10])[0]
    if v == "impression" and not re.search(r"[a-z]{4,}", fr["impression"]):
        v = "findings"
    if v in ("findings", "impression"):
        sec = fr[v]
        groups = [
            r"\b(left|right)\b", r"\b\d+(\.\d+)?(?= ?(mm|cm|th|st|nd|rd)\b)",
            r"\b(mild|small|moderate|minimal|large)\b",
            r"\b(normal|unremarkable|clear|stable)\b", r"\b[a-z]{6,}\b",
        ]
        rng.shuffle(groups)
        words = []
        for g in groups:
            words = list(re.finditer(g, sec, re.I))
            if words:
                break
        m = rng.choice(words)
        fr[v] = sec[:m.start()] + tok + sec[m.end():]
        detail = f"'{m.group(0)}' in {v} replaced by {tok}"
    elif v == "hist":
        fr["hist"] = rng.choice(["[Clinical details]", tok, "<clinical history>"])
        detail = f"clinical details field left as {fr['hist']}"
    elif v == "comp":
        fr["comp"] = rng.choice([f"CXR {tok}.", "[date of previous]", f"Previous film dated {tok}."])
        detail = f"comparison field left as {fr['comp']}"
    else:
        fr["sign"] = rng.choice(["Reported by: [Radiologist]", f"Dr {tok}, Consultant Radiologist",
                                 f"Verified by {tok}"])
        detail = "reporting radiologist field in the sign-off left unfilled"
    return _layout(rng, fr), detail


def _real_candidates(reports):
    """Per-kind candidate lists of real reports (annotated copies)."""
    cands = {k: [] for k in (None,) + KINDS}
    normal_clean, abn_clean = [], []
    for r in reports:
        if not _usable(r):
            continue
        f, i = r["findings"], r["impression"]
        if not f or not i:
            continue
        ok = _clean_real_ok(r)
        if ok:
            (normal_clean if r["normal"] else abn_clean).append(r)
            if len(_sentences(f)) >= 3:
                cands["missing_section"].append(dict(r))
            # placeholder target
            q = dict(r)
            cands["placeholder"].append(q)
        # laterality
        fsent, isent = _sentences(f), _sentences(i)
        if ok:
            for target, sents, other in (("impression", isent, f), ("findings", fsent, i)):
                done = False
                for k, s in enumerate(sents):
                    sw = {w.lower() for w in SIDE_RE.findall(s)}
                    if len(sw) != 1 or re.search(r"bilateral|both", s, re.I) or not ANAT.search(s):
                        continue
                    w = next(iter(sw))
                    ow = {x.lower() for x in SIDE_RE.findall(other)}
                    if ow == {w}:
                        q = dict(r)
                        q["_lat"], q["_lat_idx"] = target, k
                        cands["laterality_conflict"].append(q)
                        done = True
                        break
                if done:
                    break
        # impression omits / negated significant finding
        sig = _affirmed_sig(f)
        if sig and re.search(r"chronic|scar|may be due|may represent|could represent|"
                             r"atelectasis or|or atelectasis|known", f, re.I):
            sig = []
        if sig and SIG_CATS[sig[0][0]][1].search(i):
            q = dict(r)
            q["_sig"] = sig[0][0]
            cands["impression_omits_finding"].append(q)
            q2 = dict(r)
            q2["_neg"] = "neg_sig:" + sig[0][0]
            cands["negation_conflict"].append(q2)
        elif ok and r["normal"]:
            q = dict(r)
            if NEG_FIND["effusion"].search(f):
                q["_neg"] = "assert_effusion"
            elif NEG_FIND["pneumothorax"].search(f):
                q["_neg"] = "assert_ptx"
            elif NEG_FIND["consolidation"].search(f):
                q["_neg"] = "assert_consol"
            elif NEG_FIND["heart"].search(f):
                q["_neg"] = "assert_heart"
            else:
                q = None
            if q:
                cands["negation_conflict"].append(q)
        elif ok and CARDIO_AFF.search(f) and not re.search(
                r"\b(no|not|without|borderline|upper limit)\b[^.]*(cardiomegaly|enlarged)", f, re.I):
            q = dict(r)
            q["_neg"] = "neg_heart"
            cands["negation_conflict"].append(q)
    return cands, normal_clean, abn_clean


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h126-{seed}")
    reports, dev = _load_iu(str(shared_dir()))
    cands, normal_clean, abn_clean = _real_candidates(reports)
    used: set[str] = set()

    def take(pool, n, pred=None):
        pool = [p for p in pool if p["uid"] not in used and (pred is None or pred(p))]
        pool = sorted(pool, key=lambda p: p["uid"])
        rng.shuffle(pool)
        got = pool[:n]
        if len(got) < n:
            raise RuntimeError(f"not enough real reports ({len(got)} < {n})")
        used.update(p["uid"] for p in got)
        return got

    rows = []
    # injected kinds first (they have the narrowest pools)
    for kind in ("impression_omits_finding", "laterality_conflict", "negation_conflict",
                 "missing_section", "placeholder"):
        half = N_PER_KIND // 2
        if kind == "negation_conflict":
            # mix of modes: spread over what is there
            by_mode = {}
            for p in cands[kind]:
                by_mode.setdefault(p["_neg"].split(":")[0], []).append(p)
            quota = {"neg_sig": 6, "neg_heart": 4, "assert_effusion": 3, "assert_ptx": 2,
                     "assert_consol": 3, "assert_heart": 2}
            chosen = []
            for mode, q in quota.items():
                avail = [p for p in by_mode.get(mode, []) if p["uid"] not in used]
                chosen += take(avail, min(q, len(avail)))
            chosen += take(cands[kind], half - len(chosen))
        elif kind == "missing_section":
            chosen = take(cands[kind], 12, lambda p: not p["normal"]) + take(cands[kind], 8)
        else:
            chosen = take(cands[kind], half)
        for r in chosen:
            text, detail = _real_case(rng, r, kind)
            rows.append({"injected": kind, "detail": f"[IU {r['uid']}] {detail}", "report": text,
                         "_uid": r["uid"]})
        for _ in range(N_PER_KIND - half):
            text, detail = _own_case(rng, kind)
            rows.append({"injected": kind, "detail": f"[bank] {detail}", "report": text})
    # clean real: mostly normal, some with ordinary findings
    for r in take(normal_clean, 68) + take(abn_clean, 32):
        text, _ = _real_case(rng, r, None)
        rows.append({"injected": None, "detail": f"[IU {r['uid']}] unmodified (re-laid-out)",
                     "report": text, "_uid": r["uid"]})
    for _ in range(N_CLEAN // 2):
        text, _ = _own_case(rng, None)
        rows.append({"injected": None, "detail": "[bank] clean", "report": text})
    assert not (used & dev)
    rng.shuffle(rows)
    out = []
    for n, row in enumerate(rows):
        out.append({"id": f"h126-{seed}-{n}", "injected": row["injected"],
                    "detail": row["detail"], "report": row["report"]})
    return out


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
        for kind in (None,) + KINDS:
            for r in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"=== {r['id']} {kind} :: {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} cases to {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
