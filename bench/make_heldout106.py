"""Held-out report-check set 106, written blind (without reading the checker).

Setting: Canadian community and regional hospitals working in English (small-city and rural
Ontario, British Columbia, Alberta, Saskatchewan, Manitoba and the Maritimes): emergency
department, inpatient wards, outpatient and family-physician referrals and long-term-care
residents, read by general radiologists, some of them remotely (teleradiology).  Reports use the
exam line / clinical history / comparison / technique / findings / impression (or conclusion,
opinion) layout with dictation sign-off lines, mixed Canadian spelling (mostly "edema", some
"oedema", "centre", "hiatus hernia"), ISO-style dates, "?pneumonia", "SOB", "LTC", "in keeping
with".  Most films are normal or near-normal.

400 cases: 200 clean (``injected`` null) and 40 of each kind (missing_section,
laterality_conflict, negation_conflict, impression_omits_finding, placeholder).  Half of every
group is composed from the phrase bank below, half are real IU reports (never a uid of the dev
set) re-laid-out in the setting's style and lightly re-worded.

    python -m bench.make_heldout106 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

KINDS = [
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
]
N_CLEAN = 200
N_KIND = 40

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


def archive_path() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# --------------------------------------------------------------------------------------------
# real reports
# --------------------------------------------------------------------------------------------

_CACHE: dict[str, list[dict]] = {}


def _clean_text(t: str | None) -> str:
    t = (t or "").strip()
    t = re.sub(r"\s+", " ", t)
    t = re.sub(r"\.(\s*\.)+", ".", t)
    return t.strip()


def dev_uids() -> set[str]:
    out = set()
    with open(dev_path(), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


def load_real() -> list[dict]:
    key = str(archive_path())
    if key in _CACHE:
        return _CACHE[key]
    rows = []
    with tarfile.open(archive_path(), "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            fh = tf.extractfile(m)
            if fh is None:
                continue
            root = ET.fromstring(fh.read())
            uid_el = root.find(".//uId")
            if uid_el is None:
                continue
            rec = {"uid": uid_el.get("id", "")}
            for at in root.iter("AbstractText"):
                rec[(at.get("Label") or "").lower()] = _clean_text(at.text)
            rec["major"] = [(e.text or "").strip().lower() for e in root.iter("major")]
            rows.append(rec)
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _CACHE[key] = rows
    return rows


def split_sents(t: str) -> list[str]:
    t = t.strip()
    if not t:
        return []
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])", t)
    return [p.strip() for p in parts if p.strip()]


CONC = {
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|airspace|air space|infiltrat|pneumonia",
    "edema": r"edema|oedema|congesti",
    "cardiomegaly": r"cardiomegaly|(heart|cardiac)( size| silhouette)?( is| are)? (mildly |moderately "
    r"|markedly |slightly |borderline )?(enlarged|large)|enlarged (heart|cardiac)",
    "mass": r"\bmass\b|nodul",
    "atelectasis": r"atelecta",
    "opacity": r"opacit|density|densities",
    "granuloma": r"granulom",
    "fracture": r"fractur",
    "line": r"catheter|picc|port\b|pacemaker|tube|line\b",
}
NEG = re.compile(
    r"\b(no|not|without|negative|free of|resolved|resolution|clear|cleared|normal|removed|"
    r"unremarkable|exclude|excluded|rather than)\b",
    re.I,
)
HEDGE = re.compile(
    r"\b(possibl\w*|may|might|could|question\w*|suspect\w*|cannot|can't|versus|vs|chronic|scar\w*|"
    r"small|trace|tiny|minimal|blunting|stable|unchanged|old|healed|calcified|likely|probable|"
    r"atelecta\w*|streaky|subtle|mild|low lung volumes|borderline|residual|improv\w*|vague|"
    r"not well|equivocal|faint)\b",
    re.I,
)
SIGNIFICANT = {"effusion", "pneumothorax", "consolidation", "edema", "mass"}
SIDE = re.compile(r"\b(right|left)\b", re.I)


def concepts_of(sent: str) -> set[str]:
    low = sent.lower()
    return {c for c, rx in CONC.items() if re.search(rx, low)}


def analyse(text: str) -> dict:
    """Per concept: sentences affirming it / negating it (crude, sentence level)."""
    aff: dict[str, list[str]] = {}
    neg: dict[str, list[str]] = {}
    for s in split_sents(text):
        cs = concepts_of(s)
        if not cs:
            continue
        target = neg if NEG.search(s) else aff
        for c in cs:
            target.setdefault(c, []).append(s)
    return {"aff": aff, "neg": neg}


HEART_NORMAL = re.compile(
    r"heart (size )?(is |appears |are )?(within normal|normal)|normal (heart|cardiac) size|"
    r"cardiac (silhouette|size|contours?) (is |are |appears )?(within normal|normal)|"
    r"cardiomediastinal (silhouette|contours?) (is |are |appears )?(within normal|normal)|"
    r"heart and (mediastinum|lungs) (are )?(within normal|normal)",
    re.I,
)
LUNGS_CLEAR = re.compile(r"lungs (are |appear |remain )?(clear|grossly clear)|clear lungs", re.I)

BRIT = [
    (r"\bedema\b", "oedema"),
    (r"\bEdema\b", "Oedema"),
    (r"\bhiatal hernia\b", "hiatus hernia"),
    (r"\bcenter\b", "centre"),
]
REWORD = [
    (r"\bNo acute cardiopulmonary abnormality\b",
     ["No acute cardiopulmonary process", "No acute cardiopulmonary findings",
      "No acute cardiopulmonary abnormality"]),
    (r"\bNo acute cardiopulmonary disease\b",
     ["No acute cardiopulmonary process", "No acute cardiopulmonary disease"]),
    (r"\bchest x-ray\b", ["chest radiograph", "chest x-ray"]),
    (r"\bThere is no evidence of\b", ["No evidence of", "There is no evidence of"]),
    (r"\bThe heart size is normal\b", ["Heart size is normal", "Normal heart size"]),
    (r"\bcentimeters?\b", ["cm"]),
    (r"\bNo pneumothorax or pleural effusion\b", ["No pleural effusion or pneumothorax"]),
    (r"\bThe lungs are clear\b", ["The lungs are clear", "Lungs are clear"]),
]


def reword(t: str, rng: random.Random, brit: bool) -> str:
    for pat, opts in REWORD:
        if re.search(pat, t) and rng.random() < 0.6:
            t = re.sub(pat, rng.choice(opts), t)
    if brit:
        for pat, rep in BRIT:
            t = re.sub(pat, rep, t)
    return t


# --------------------------------------------------------------------------------------------
# layout: exam line, history, comparison, technique, findings, impression, sign-off
# --------------------------------------------------------------------------------------------

SURNAMES = [
    "Tremblay", "MacDonald", "Gagnon", "Singh", "Chen", "Campbell", "Fraser", "Nguyen", "LeBlanc",
    "Stewart", "Morrison", "Patel", "Wong", "MacKenzie", "Boucher", "Olson", "Friesen", "Sawatzky",
    "Dueck", "Gill", "Richard", "Cormier", "McLean", "Bergeron", "Kowalchuk", "Thiessen", "Grewal",
    "O'Neill", "Hennigar", "Arsenault", "Lam", "Dhillon", "Penner", "Yuen", "Melanson",
]
INITIALS = "ABCDEGHJKLMNPRSTW"
PLACES = [
    "Brandon", "Kamloops", "Nanaimo", "Red Deer", "Lethbridge", "Moose Jaw", "Prince Albert",
    "Thunder Bay", "Sault Ste. Marie", "Moncton", "Truro", "Charlottetown", "Cranbrook",
    "Medicine Hat", "Yorkton", "Owen Sound", "Timmins", "Bathurst", "Antigonish", "Penticton",
]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def a_date(rng: random.Random) -> str:
    y, m, d = rng.randint(2016, 2024), rng.randint(1, 12), rng.randint(1, 28)
    f = rng.random()
    if f < 0.55:
        return f"{y}-{m:02d}-{d:02d}"
    if f < 0.85:
        return f"{d:02d}-{MONTHS[m - 1]}-{y}"
    return f"{MONTHS[m - 1]} {d}, {y}"


def a_doctor(rng: random.Random) -> str:
    return f"Dr. {rng.choice(INITIALS)}. {rng.choice(SURNAMES)}"


def signoff(rng: random.Random, remote: bool) -> str:
    doc = a_doctor(rng)
    dt = a_date(rng)
    tm = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
    opts = [
        f"Dictated by: {doc}, MD, FRCPC\nTranscribed: {dt} {tm}",
        f"Electronically signed by: {doc}, Radiologist\nSigned: {dt} {tm}",
        f"{doc}, FRCPC\nDiagnostic Imaging",
        f"Reported by: {doc}\nVerified: {dt} {tm}",
        f"DICTATED BY: {doc.upper()}\nD: {dt}  T: {dt}",
    ]
    s = rng.choice(opts)
    if remote:
        s = rng.choice([
            "This examination was reported remotely via PACS.\n",
            "Teleradiology report.\n",
            f"Read remotely for {rng.choice(PLACES)} Regional Hospital.\n",
        ]) + s
    return s


EXAM_2V = [
    "XR CHEST PA AND LATERAL", "CHEST 2 VIEWS", "X-RAY CHEST PA/LAT", "Chest PA and lateral",
    "XR Chest 2V", "CHEST X-RAY (2 VIEWS)", "RADIOGRAPH CHEST PA + LATERAL",
]
EXAM_1V = [
    "XR CHEST PORTABLE", "CHEST 1 VIEW (PORTABLE)", "XR Chest AP portable", "CHEST AP (MOBILE)",
    "X-RAY CHEST SINGLE VIEW",
]


def layout(rng: random.Random) -> dict:
    st = rng.randrange(4)
    imp_label = rng.choice(["IMPRESSION", "IMPRESSION", "IMPRESSION", "CONCLUSION", "OPINION",
                            "INTERPRETATION"])
    if st == 0:
        return {"exam": "EXAM", "hist": "CLINICAL HISTORY", "comp": "COMPARISON",
                "tech": "TECHNIQUE", "find": "FINDINGS", "imp": imp_label, "inline": False}
    if st == 1:
        return {"exam": "Exam", "hist": "History", "comp": "Comparison", "tech": "Technique",
                "find": "Findings", "imp": imp_label.title(), "inline": True}
    if st == 2:
        return {"exam": "PROCEDURE", "hist": "REASON FOR EXAM", "comp": "COMPARISON",
                "tech": "TECHNIQUE", "find": "FINDINGS", "imp": imp_label, "inline": True}
    return {"exam": None, "hist": "Clinical information", "comp": "Comparison",
            "tech": None, "find": "Report", "imp": imp_label.title(), "inline": True}


def render(parts: dict, lay: dict) -> str:
    """parts: exam, hist, comp, tech, find (str or None), imp (str or None), sign."""
    out = []
    if lay["exam"] and parts.get("exam"):
        out.append(f"{lay['exam']}: {parts['exam']}")
    elif parts.get("exam"):
        out.append(parts["exam"].upper())
    head = []
    if parts.get("hist") is not None:
        head.append(f"{lay['hist']}: {parts['hist']}")
    if parts.get("comp") is not None:
        head.append(f"{lay['comp']}: {parts['comp']}")
    if lay["tech"] and parts.get("tech"):
        head.append(f"{lay['tech']}: {parts['tech']}")
    if head:
        out.append("\n".join(head))
    for key in ("find", "imp"):
        val = parts.get(key)
        if val is None:
            continue
        label = lay[key]
        if val == "":
            out.append(f"{label}:")
        elif lay["inline"] and "\n" not in val:
            out.append(f"{label}: {val}")
        else:
            out.append(f"{label}:\n{val}")
    if parts.get("sign"):
        out.append(parts["sign"])
    return "\n\n".join(out)


def fmt_impression(items: list[str], rng: random.Random) -> str:
    if len(items) == 1:
        return items[0]
    if rng.random() < 0.7:
        return "\n".join(f"{i}. {t}" for i, t in enumerate(items, 1))
    return " ".join(items)


# --------------------------------------------------------------------------------------------
# phrase bank
# --------------------------------------------------------------------------------------------

HIST = {
    "ed": [
        "SOB ?pneumonia", "Cough and fever x 4 days. ?pneumonia", "Chest pain, r/o acute process",
        "Fall, left sided chest pain", "Shortness of breath. Hx CHF", "COPD exacerbation",
        "MVC, chest wall pain", "Fever, elevated WBC", "Pleuritic chest pain", "Hemoptysis",
        "Dyspnea on exertion, bilateral leg swelling", "Syncope", "Rule out pneumothorax",
    ],
    "ward": [
        "Post-op day 2, desaturation",
        "Increasing O2 requirement", "Follow-up pneumonia", "CHF, on diuretics, reassess",
        "Fever post-op", "Reduced air entry right base", "Admission chest",
    ],
    "op": [
        "Chronic cough x 6 weeks", "Pre-op assessment, hip arthroplasty", "Smoker, cough",
        "Follow-up of pneumonia treated in ED", "Immigration medical", "Annual review, asthma",
        "Positive TB skin test", "Weight loss", "Pre-op cholecystectomy", "Hoarse voice",
        "Follow-up lung nodule",
    ],
    "ltc": [
        "LTC resident, increased confusion, ?aspiration", "LTC resident, fever and cough",
        "Nursing home resident, decreased O2 sats", "LTC, fall, ?rib fracture",
        "LTC resident, crackles left base", "Aspiration risk, new cough",
    ],
}


def a_history(rng: random.Random, ctx: str) -> str:
    h = rng.choice(HIST[ctx])
    if rng.random() < 0.35:
        age = rng.randint(22, 96) if ctx != "ltc" else rng.randint(74, 99)
        sex = rng.choice(["M", "F", "male", "female"])
        h = f"{age} yo {sex}. {h}" if rng.random() < 0.5 else f"{age}{sex[0]}, {h}"
    if rng.random() < 0.2:
        h += f". Referred by {a_doctor(rng)} ({rng.choice(['FP', 'GP', 'ED', 'NP'])})"
    return h


def a_comparison(rng: random.Random) -> str:
    f = rng.random()
    if f < 0.35:
        return rng.choice(["None.", "None available.", "No prior studies available.", "Nil."])
    if f < 0.8:
        return f"{a_date(rng)}."
    return rng.choice([
        f"Previous chest radiograph from {a_date(rng)}.",
        f"Outside films from {rng.choice(PLACES)}, {a_date(rng)}.",
        f"CT chest {a_date(rng)} and radiograph {a_date(rng)}.",
    ])


def opp(side: str) -> str:
    return "left" if side == "right" else "right"


def cap(s: str) -> str:
    if s.startswith("{side}"):
        return "{Side}" + s[6:]
    return s[:1].upper() + s[1:]


def a_finding(kind: str, rng: random.Random, side: str | None = None, brit: bool = False) -> dict:
    """Return a finding: f (findings text with {side}), imp (impression text or None),
    sig (impression must mention it), lat (lateralised), block (normal lines it rules out),
    neg_imp (an impression line that would negate it), assert_imp (impression line asserting it)."""
    side = side or rng.choice(["right", "left"])
    ed = "oedema" if brit else "edema"
    d: dict = {"kind": kind, "side": side, "lat": False, "sig": False, "block": set(), "imp": None}
    if kind == "cardiomegaly":
        d["f"] = rng.choice(["Mild cardiomegaly.", "The heart is mildly enlarged.",
                             "Heart size is mildly enlarged, similar to prior.",
                             "Mild enlargement of the cardiac silhouette."])
        d["imp"] = rng.choice(["Mild cardiomegaly.", "Stable mild cardiomegaly.", None])
        d["block"] = {"heart"}
        d["neg_imp"] = rng.choice(["Normal heart size. No acute cardiopulmonary process.",
                                   "Heart size within normal limits. No acute findings."])
    elif kind == "copd":
        d["f"] = rng.choice([
            "The lungs are hyperinflated with flattening of the hemidiaphragms, in keeping with COPD.",
            "Hyperinflation and increased AP diameter, consistent with emphysema.",
            "Lungs are hyperexpanded. Coarse interstitial markings, likely chronic."])
        d["imp"] = rng.choice(["Hyperinflation in keeping with COPD. No acute process.",
                               "COPD. No superimposed acute abnormality.", None])
        d["block"] = {"lungs_plain"}
    elif kind == "granuloma":
        d["f"] = rng.choice(["Small calcified granuloma in the {side} upper zone.",
                             "Calcified granuloma projects over the {side} mid zone, unchanged.",
                             "Punctate calcified nodule at the {side} lung apex, a benign granuloma."])
        d["imp"] = None
        d["lat"] = True
        d["block"] = {"lungs_plain"}
    elif kind == "spine":
        d["f"] = rng.choice(["Degenerative changes of the thoracic spine.",
                             "Mild multilevel degenerative disc disease in the thoracic spine.",
                             "Osteopenia and degenerative change of the spine."])
        d["block"] = {"bones_plain"}
    elif kind == "ribfx":
        d["f"] = rng.choice(["Old healed fractures of the {side} lateral 6th and 7th ribs.",
                             "Healed {side} posterior rib fracture, remote.",
                             "Remote healed {side} clavicle fracture."])
        d["lat"] = True
        d["block"] = {"bones_plain"}
    elif kind == "aorta":
        d["f"] = rng.choice(["Tortuous calcified thoracic aorta.", "Unfolding of the thoracic aorta.",
                             "Atherosclerotic calcification of the aortic arch."])
        d["block"] = {"medi"}
    elif kind == "sternotomy":
        d["f"] = rng.choice(["Median sternotomy wires and mediastinal surgical clips.",
                             "Post CABG changes with intact sternotomy wires."])
    elif kind == "hiatus":
        d["f"] = rng.choice(["Small hiatus hernia projects behind the heart.",
                             "Retrocardiac air-fluid level in keeping with a hiatus hernia."])
        d["imp"] = rng.choice(["Small hiatus hernia.", None])
    elif kind == "atelectasis":
        d["f"] = rng.choice(["Linear opacity at the {side} base, likely subsegmental atelectasis.",
                             "Mild plate-like atelectasis in the {side} lower zone.",
                             "Minor discoid atelectasis at the {side} lung base."])
        d["imp"] = rng.choice(["Minor {side} basal atelectasis.", "Mild {side} basilar atelectasis.",
                               None])
        d["lat"] = True
        d["block"] = {"lungs_plain"}
    elif kind == "small_eff":
        d["f"] = rng.choice(["Small {side} pleural effusion.",
                             "Blunting of the {side} costophrenic angle in keeping with a small effusion.",
                             "Trace {side} pleural effusion."])
        d["imp"] = rng.choice(["Small {side} pleural effusion.", "Small {side} effusion."])
        d["lat"] = True
        d["block"] = {"eff"}
        d["neg_imp"] = rng.choice(["No pleural effusion. No acute process.",
                                   "No acute cardiopulmonary process. No effusion."])
    elif kind == "picc":
        f_i = rng.choice([
            ("{Side} arm PICC with tip projecting over the distal SVC.",
             ["{Side} PICC tip in the distal SVC.", "{Side} PICC in satisfactory position."]),
            ("{Side}-sided PICC line, tip at the cavoatrial junction.",
             ["{Side} PICC tip at the cavoatrial junction.", "{Side} PICC in satisfactory position."]),
            ("{Side} PICC tip in the lower SVC.",
             ["{Side} PICC tip in the lower SVC.", "{Side} PICC in satisfactory position."])])
        d["f"] = f_i[0]
        d["imp"] = rng.choice(f_i[1])
        d["lat"] = True
    elif kind == "ngt":
        d["f"] = rng.choice(["NG tube courses below the diaphragm with tip in the stomach.",
                             "Nasogastric tube tip and side port are in the stomach."])
        d["imp"] = rng.choice(["NG tube in satisfactory position.", "NG tube tip in the stomach."])
    elif kind == "pacer":
        d["f"] = rng.choice(["Left chest wall dual-chamber pacemaker with leads in expected position.",
                             "Cardiac pacemaker in situ, leads unchanged."])
    elif kind == "consolidation":
        lobe = rng.choice(["lower lobe", "lower zone", "base"] + (["middle lobe"] if side == "right"
                                                                 else ["lingula"]))
        if lobe == "lingula":
            side = "left"
            d["side"] = "left"
            where = "lingula"
        else:
            where = "{side} " + lobe
        d["f"] = rng.choice([
            "Focal airspace consolidation in the " + where + ".",
            "Patchy airspace opacity in the " + where + ", in keeping with pneumonia in the "
            "appropriate clinical setting.",
            "New consolidation in the " + where + " with air bronchograms.",
            "Ill-defined airspace disease at the " + where + ", new since the prior study."])
        d["imp"] = rng.choice([
            cap(where) + " pneumonia.",
            cap(where) + " consolidation, likely pneumonia. Suggest follow-up radiograph in 6-8 "
            "weeks to document resolution.",
            "Findings in keeping with " + where + " pneumonia."])
        d["lat"] = lobe not in ("lingula", "middle lobe")
        d["sig"] = True
        d["block"] = {"lungs_plain", "consol"}
        d["omit_desc"] = where + " consolidation"
    elif kind == "mod_eff":
        size = rng.choice(["Moderate", "Large", "Moderate-sized"])
        d["f"] = rng.choice([
            size + " {side} pleural effusion with adjacent compressive atelectasis.",
            size + " {side} pleural effusion, increased since the prior study.",
            "{Side} pleural effusion, now moderate in size, obscuring the hemidiaphragm."])
        d["imp"] = rng.choice(["Moderate {side} pleural effusion.",
                               "Increasing {side} pleural effusion, now moderate.",
                               "{Side} pleural effusion, moderate. Underlying consolidation not excluded."])
        d["lat"] = True
        d["sig"] = True
        d["block"] = {"eff", "lungs_plain"}
        d["omit_desc"] = "moderate {side} pleural effusion"
    elif kind == "chf":
        d["f"] = rng.choice([
            f"Cardiomegaly with pulmonary vascular redistribution and interstitial {ed}. Small bilateral "
            "pleural effusions.",
            f"Enlarged heart. Perihilar haziness and Kerley B lines in keeping with interstitial {ed}.",
            f"The heart is enlarged. Upper lobe venous diversion and bilateral perihilar airspace {ed}."])
        d["imp"] = rng.choice([f"Congestive heart failure with interstitial {ed}.",
                               f"Findings in keeping with CHF / pulmonary {ed}.",
                               f"Cardiomegaly and pulmonary {ed}, increased since the prior."])
        d["sig"] = True
        d["block"] = {"lungs_plain", "heart", "vasc", "eff", "consol"}
        d["omit_desc"] = f"pulmonary {ed} / CHF"
    elif kind == "ptx":
        d["f"] = rng.choice([
            "Small {side} apical pneumothorax, approximately 1.5 cm.",
            "{Side} pneumothorax with the visceral pleural line 2 cm from the apex.",
            "Moderate {side} pneumothorax. No mediastinal shift.",
            "Thin {side} apical pleural line in keeping with a small pneumothorax."])
        d["imp"] = rng.choice(["{Side} pneumothorax.", "Small {side} apical pneumothorax.",
                               "{Side} pneumothorax, referring physician informed by telephone."])
        d["lat"] = True
        d["sig"] = True
        d["block"] = {"ptx"}
        d["omit_desc"] = "{side} pneumothorax"
    elif kind == "nodule":
        mm = rng.randint(7, 19)
        zone = rng.choice(["upper", "mid", "lower"])
        d["f"] = (f"{mm} mm nodule projecting over the {{side}} {zone} zone." if rng.random() < 0.5
                  else f"New {mm} mm rounded opacity in the {{side}} {zone} zone.")
        d["imp"] = rng.choice([f"{mm} mm {{side}} {zone} zone nodule. CT chest recommended.",
                               f"Indeterminate {{side}} {zone} zone nodule; recommend CT for further "
                               "characterization."])
        d["lat"] = True
        d["sig"] = True
        d["block"] = {"lungs_plain"}
        d["omit_desc"] = f"{mm} mm {{side}} nodule"
    elif kind == "mass":
        cm = rng.choice(["3", "3.5", "4", "4.5", "5"])
        d["f"] = rng.choice([f"{cm} cm mass in the {{side}} upper lobe.",
                             f"Lobulated {cm} cm {{side}} hilar mass."])
        d["imp"] = "{Side} lung mass, suspicious for malignancy. CT chest recommended."
        d["lat"] = True
        d["sig"] = True
        d["block"] = {"lungs_plain"}
        d["omit_desc"] = "{side} lung mass"
    else:
        raise ValueError(kind)
    return d


def fill(t: str | None, side: str) -> str | None:
    if t is None:
        return None
    return t.format(side=side, Side=cap(side))


NORMAL_LINES = {
    "lungs_plain": ["The lungs are clear.", "Lungs are clear bilaterally.",
                    "The lungs are well expanded and clear.", "No focal airspace disease."],
    "lungs_other": ["The lungs are otherwise clear.", "No other focal airspace disease."],
    "consol": ["No focal consolidation.", "No consolidation."],
    "eff": ["No pleural effusion.", "Costophrenic angles are sharp.", "No pleural fluid."],
    "ptx": ["No pneumothorax."],
    "heart": ["Heart size is normal.", "Normal heart size.", "The cardiac silhouette is not enlarged."],
    "medi": ["Mediastinal contours are normal.", "Normal mediastinal and hilar contours.",
             "Hila are unremarkable."],
    "vasc": ["Pulmonary vascularity is normal.", "No pulmonary edema.", "No vascular congestion."],
    "bones_plain": ["No acute osseous abnormality.", "Bony structures are intact.",
                    "Visualized bones are unremarkable."],
}
NORMAL_IMP = [
    "No acute cardiopulmonary process.", "Normal chest.", "No acute findings.",
    "No acute cardiopulmonary abnormality.", "Normal chest radiograph.",
    "No active disease in the chest.", "Unremarkable chest radiograph.",
    "No radiographic evidence of acute cardiopulmonary disease.",
]
MINOR = ["cardiomegaly", "copd", "granuloma", "spine", "ribfx", "aorta", "sternotomy", "hiatus",
         "atelectasis", "small_eff", "picc", "ngt", "pacer"]
MAJOR = ["consolidation", "consolidation", "consolidation", "mod_eff", "chf", "chf", "ptx",
         "nodule", "mass"]


def normal_findings(rng: random.Random, blocked: set[str], lung_finding: bool) -> list[str]:
    """Normal sentences, in a usual order, leaving out any the present findings rule out."""
    out = []
    if "lungs_plain" not in blocked:
        out.append(rng.choice(NORMAL_LINES["lungs_plain"]))
    elif lung_finding and "consol" not in blocked and rng.random() < 0.6:
        out.append(rng.choice(NORMAL_LINES["lungs_other"]))
    if "consol" not in blocked and "lungs_plain" not in blocked and rng.random() < 0.3:
        out.append(rng.choice(NORMAL_LINES["consol"]))
    combo = "eff" not in blocked and "ptx" not in blocked and rng.random() < 0.5
    if combo:
        out.append(rng.choice(["No pleural effusion or pneumothorax.",
                               "No pneumothorax or pleural effusion."]))
    else:
        if "eff" not in blocked:
            out.append(rng.choice(NORMAL_LINES["eff"]))
        if "ptx" not in blocked:
            out.append(rng.choice(NORMAL_LINES["ptx"]))
    if "heart" not in blocked:
        out.append(rng.choice(NORMAL_LINES["heart"]))
    if "medi" not in blocked and rng.random() < 0.6:
        out.append(rng.choice(NORMAL_LINES["medi"]))
    if "vasc" not in blocked and rng.random() < 0.3:
        out.append(rng.choice(NORMAL_LINES["vasc"]))
    if "bones_plain" not in blocked:
        if rng.random() < 0.7:
            out.append(rng.choice(NORMAL_LINES["bones_plain"]))
    elif rng.random() < 0.5:
        out.append("No acute bony abnormality.")
    return out


def compose_case(rng: random.Random, finds: list[dict], brit: bool) -> dict:
    """Build the parts of a consistent report from a list of findings."""
    ctx = rng.choices(["ed", "ward", "op", "ltc"], weights=[4, 3, 3, 2])[0]
    portable = ctx in ("ward", "ltc") and rng.random() < 0.6 or (ctx == "ed" and rng.random() < 0.2)
    blocked: set[str] = set()
    lung_finding = False
    for f in finds:
        blocked |= f["block"]
        if "lungs_plain" in f["block"]:
            lung_finding = True
    normals = normal_findings(rng, blocked, lung_finding)
    if brit:
        normals = [n.replace("edema", "oedema") for n in normals]
    ab_lines = [fill(f["f"], f["side"]) for f in finds]
    # abnormal findings first (major ones), incidental after the normal lines
    major = [x for x, f in zip(ab_lines, finds, strict=True) if f["sig"] or f["kind"] in
             ("small_eff", "atelectasis", "cardiomegaly", "picc", "ngt", "copd", "granuloma")]
    minor = [x for x in ab_lines if x not in major]
    find_sents = major + normals + minor
    if portable and rng.random() < 0.5:
        find_sents = ["Single portable AP view."] + find_sents
    hist = a_history(rng, ctx)
    kinds = {f["kind"] for f in finds}
    if "picc" in kinds and rng.random() < 0.6:
        hist = rng.choice(["PICC line insertion, tip position", "PICC placed today, confirm tip"])
    elif "ngt" in kinds and rng.random() < 0.6:
        hist = rng.choice(["NG tube placement", "NG tube inserted, position?"])
    imp_items = [fill(f["imp"], f["side"]) for f in finds if f["imp"]]
    sig = [f for f in finds if f["sig"]]
    if not imp_items:
        imp_items = [rng.choice(NORMAL_IMP)]
        if "pneumonia" in hist and rng.random() < 0.5:
            imp_items = ["No radiographic evidence of pneumonia."]
    elif not sig and rng.random() < 0.5:
        imp_items = [rng.choice(["No acute cardiopulmonary process.", "No acute findings."])] + imp_items
    parts = {
        "ctx": ctx,
        "exam": rng.choice(EXAM_1V if portable else EXAM_2V),
        "hist": hist,
        "comp": a_comparison(rng),
        "tech": ("AP portable." if portable else rng.choice(["PA and lateral.", "2 views.", None])),
        "find_sents": find_sents,
        "imp_items": imp_items,
        "sign": signoff(rng, rng.random() < 0.35),
    }
    return parts


def finish(parts: dict, rng: random.Random, lay: dict | None = None) -> str:
    lay = lay or layout(rng)
    p = dict(parts)
    body = " ".join((p.get("find_sents") or []) + (p.get("imp_items") or []))
    if re.search(r"prior|unchanged|since|interval|increas|similar to|again", body, re.I) and \
            re.match(r"(None|No prior|Nil)", p.get("comp") or ""):
        p["comp"] = f"{a_date(rng)}."
    if "find" not in p:
        p["find"] = " ".join(p["find_sents"]) if p["find_sents"] is not None else None
    if "imp" not in p:
        p["imp"] = fmt_impression(p["imp_items"], rng) if p["imp_items"] is not None else None
    return render(p, lay)


def pick_finds(rng: random.Random, profile: str) -> list[dict]:
    brit = False
    if profile == "normal":
        return []
    if profile == "minor":
        ks = rng.sample(MINOR, rng.choice([1, 1, 2]))
    else:
        ks = [rng.choice(MAJOR)] + (rng.sample(MINOR, 1) if rng.random() < 0.4 else [])
    # at most one lateralised finding per case, to keep sides unambiguous
    out, lat_used = [], False
    for k in ks:
        f = a_finding(k, rng, brit=brit)
        if f["lat"]:
            if lat_used:
                continue
            lat_used = True
        if k == "chf" and any(x["kind"] in ("cardiomegaly", "small_eff") for x in out):
            continue
        if k in ("cardiomegaly", "small_eff") and any(x["kind"] == "chf" for x in out):
            continue
        out.append(f)
    return out


# ---- composed cases, one builder per group --------------------------------------------------

def comp_clean(rng: random.Random) -> tuple[str, str]:
    brit = rng.random() < 0.25
    profile = rng.choices(["normal", "minor", "major"], weights=[55, 27, 18])[0]
    finds = pick_finds(rng, profile)
    parts = compose_case(rng, finds, brit)
    return finish(parts, rng), ""


def comp_missing(rng: random.Random) -> tuple[str, str]:
    brit = rng.random() < 0.25
    profile = rng.choices(["normal", "minor", "major"], weights=[40, 30, 30])[0]
    finds = pick_finds(rng, profile)
    parts = compose_case(rng, finds, brit)
    mode = rng.choices(["imp_absent", "imp_empty", "find_empty"], weights=[4, 3, 3])[0]
    if mode == "imp_absent":
        parts["imp_items"] = None
        return finish(parts, rng), "impression section left out; findings described"
    if mode == "imp_empty":
        parts["imp"] = ""
        return finish(parts, rng), "impression header dictated but left empty"
    parts["find"] = ""
    parts["imp_items"] = [rng.choice([
        "No interval change.", "Unchanged from prior.", "As above.",
        f"No significant change since {a_date(rng)}.", "Stable appearance. Clinical correlation.",
        "Follow-up as clinically indicated."])]
    return finish(parts, rng), "findings header left empty; impression does not describe the image"


LAT_KINDS = ["consolidation", "mod_eff", "ptx", "nodule", "small_eff", "picc", "atelectasis", "mass"]


def comp_laterality(rng: random.Random) -> tuple[str, str]:
    brit = rng.random() < 0.25
    while True:
        k = rng.choice(LAT_KINDS)
        f = a_finding(k, rng, brit=brit)
        if f["lat"]:
            break
    if f["imp"] is None:
        f["imp"] = "Minor {side} basal atelectasis."
    extra = [a_finding(rng.choice(["cardiomegaly", "spine", "aorta", "hiatus", "copd"]), rng)] \
        if rng.random() < 0.4 else []
    finds = [f] + extra
    parts = compose_case(rng, finds, brit)
    side = f["side"]
    wrong = opp(side)
    where = rng.choice(["imp", "find"])
    if where == "imp":
        good, bad = fill(f["imp"], side), fill(f["imp"], wrong)
        parts["imp_items"] = [bad if x == good else x for x in parts["imp_items"]]
        det = f"impression puts the {k} on the {wrong}; findings say {side}"
    else:
        good, bad = fill(f["f"], side), fill(f["f"], wrong)
        parts["find_sents"] = [bad if x == good else x for x in parts["find_sents"]]
        det = f"findings put the {k} on the {wrong}; impression says {side}"
    assert good != bad
    return finish(parts, rng), det


NEG_ASSERT = {
    "eff": ["Small {side} pleural effusion.", "{Side} pleural effusion, small to moderate.",
            "Small bilateral pleural effusions."],
    "ptx": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "lungs_plain": ["{Side} lower lobe pneumonia.", "{Side} basal consolidation, likely pneumonia.",
                    "Patchy {side} lower zone airspace disease."],
    "heart": ["Cardiomegaly. No acute process.", "Moderate cardiomegaly.",
              "Enlarged cardiac silhouette."],
    "vasc": ["Mild pulmonary vascular congestion.", "Mild interstitial edema."],
}
NEG_LINE_OF = {
    "eff": ("No pleural effusion.", "Costophrenic angles are sharp.", "No pleural fluid.",
            "No pleural effusion or pneumothorax.", "No pneumothorax or pleural effusion."),
    "ptx": ("No pneumothorax.", "No pleural effusion or pneumothorax.",
            "No pneumothorax or pleural effusion."),
    "lungs_plain": tuple(NORMAL_LINES["lungs_plain"]),
    "heart": tuple(NORMAL_LINES["heart"]),
    "vasc": ("Pulmonary vascularity is normal.", "No pulmonary edema.", "No vascular congestion.",
             "No pulmonary oedema."),
}


def comp_negation(rng: random.Random) -> tuple[str, str]:
    brit = rng.random() < 0.25
    mode = rng.choices(["imp_asserts", "imp_negates"], weights=[6, 4])[0]
    if mode == "imp_negates":
        k = rng.choice(["cardiomegaly", "small_eff"])
        f = a_finding(k, rng, brit=brit)
        extra = [a_finding(rng.choice(["spine", "aorta", "granuloma"]), rng)] if rng.random() < 0.3 else []
        if extra and extra[0]["lat"]:
            extra = []
        parts = compose_case(rng, [f] + extra, brit)
        parts["imp_items"] = [f["neg_imp"]]
        return finish(parts, rng), f"findings report {k}; impression states it is absent"
    for _ in range(50):
        finds = pick_finds(rng, rng.choice(["normal", "normal", "minor"]))
        finds = [x for x in finds if not x["lat"]]
        parts = compose_case(rng, finds, brit)
        options = [c for c, lines in NEG_LINE_OF.items()
                   if any(s in lines for s in parts["find_sents"])]
        if options:
            break
    c = rng.choice(options)
    side = rng.choice(["right", "left"])
    line = fill(rng.choice(NEG_ASSERT[c]), side)
    if brit:
        line = line.replace("edema", "oedema")
    negl = [s for s in parts["find_sents"] if s in NEG_LINE_OF[c]][0]
    keep = [x for x in parts["imp_items"] if not re.search(
        r"No acute|Normal chest|Unremarkable|No active|No radiographic|No superimposed", x)]
    parts["imp_items"] = [line] + keep
    return finish(parts, rng), f"impression asserts '{line}' but findings say '{negl}'"


def comp_omits(rng: random.Random) -> tuple[str, str]:
    brit = rng.random() < 0.25
    k = rng.choice(MAJOR)
    f = a_finding(k, rng, brit=brit)
    extra = []
    if rng.random() < 0.4:
        e = a_finding(rng.choice(["cardiomegaly", "spine", "aorta", "hiatus", "sternotomy"]), rng)
        if not (k == "chf" and e["kind"] == "cardiomegaly"):
            extra = [e]
    parts = compose_case(rng, [f] + extra, brit)
    others = [fill(x["imp"], x["side"]) for x in extra if x["imp"]]
    if others and rng.random() < 0.6:
        parts["imp_items"] = others
        how = "impression lists only the incidental finding"
    else:
        parts["imp_items"] = [rng.choice(NORMAL_IMP)] + others
        how = "normal impression macro"
    return finish(parts, rng), f"findings report {fill(f['omit_desc'], f['side'])}; {how}"


STOP = {"the", "and", "with", "from", "since", "there", "this", "that", "into", "over", "are",
        "is", "of", "in", "at", "to", "a", "an", "by", "for", "on", "or", "as", "be"}


def pick_word(words: list[str], rng: random.Random) -> int:
    good = [k for k, w in enumerate(words) if len(w.strip(".,;:")) >= 4
            and w.strip(".,;:").lower() not in STOP and not w[0].isdigit()]
    return rng.choice(good) if good else rng.randrange(len(words))


PH_TOKENS = ["[***]", "***", "[ ]", "[**]", "<>", "[...]", "{ }", "[  ]"]


def comp_placeholder(rng: random.Random) -> tuple[str, str]:
    brit = rng.random() < 0.25
    profile = rng.choices(["normal", "minor", "major"], weights=[45, 30, 25])[0]
    finds = pick_finds(rng, profile)
    parts = compose_case(rng, finds, brit)
    tok = rng.choice(PH_TOKENS)
    lat = [f for f in finds if f["lat"] and f["imp"]]
    modes = ["comp_date", "heart_pick", "history", "find_word", "imp_word"]
    if lat:
        modes += ["side", "side"]
    if any(f["kind"] == "nodule" for f in finds):
        modes += ["size"]
    mode = rng.choice(modes)
    if mode == "comp_date":
        parts["comp"] = rng.choice([f"{tok}.", "[date].", "[Date of prior]", f"Chest radiograph {tok}."])
        return finish(parts, rng), "comparison date field left unfilled"
    if mode == "heart_pick":
        line = rng.choice(["Heart size is [normal/enlarged].", "Heart size: [***].",
                           "Cardiac silhouette [ ] in size."])
        sents = [s for s in parts["find_sents"] if s not in NORMAL_LINES["heart"]]
        if any("heart" in f["block"] for f in finds):
            line = "Mediastinal contours: [normal/widened]."
        sents.insert(min(len(sents), 2), line)
        parts["find_sents"] = sents
        return finish(parts, rng), f"template pick-list left unfilled: '{line}'"
    if mode == "history":
        parts["hist"] = rng.choice([tok, "[Reason for exam]", f"{tok} ?pneumonia"])
        return finish(parts, rng), "clinical history field left unfilled"
    if mode == "side":
        f = lat[0]
        tgt = rng.choice(["find", "imp"])
        ph = rng.choice(["[side]", tok, "[right/left]"])
        if tgt == "find":
            good = fill(f["f"], f["side"])
            bad = f["f"].format(side=ph, Side=ph)
            parts["find_sents"] = [bad if x == good else x for x in parts["find_sents"]]
        else:
            good = fill(f["imp"], f["side"])
            bad = f["imp"].format(side=ph, Side=ph)
            parts["imp_items"] = [bad if x == good else x for x in parts["imp_items"]]
        return finish(parts, rng), f"side of the {f['kind']} left as '{ph}' in {tgt}"
    if mode == "size":
        sents = []
        for s in parts["find_sents"]:
            sents.append(re.sub(r"\b\d+ mm\b", f"{rng.choice(['[ ]', '***', '[**]'])} mm", s, count=1))
        parts["find_sents"] = sents
        return finish(parts, rng), "nodule size left unfilled"
    if mode == "find_word":
        sents = list(parts["find_sents"])
        i = rng.randrange(len(sents))
        words = sents[i].rstrip(".").split(" ")
        j = pick_word(words, rng)
        old = words[j]
        words[j] = tok
        sents[i] = " ".join(words) + "."
        parts["find_sents"] = sents
        return finish(parts, rng), f"word '{old}' in findings replaced by '{tok}'"
    items = list(parts["imp_items"])
    i = rng.randrange(len(items))
    words = items[i].split(" ")
    j = pick_word(words, rng)
    old = words[j]
    trail = "." if old.endswith(".") else ""
    words[j] = tok + trail
    items[i] = " ".join(words)
    parts["imp_items"] = items
    return finish(parts, rng), f"word '{old}' in impression replaced by '{tok}'"


COMPOSERS = {
    None: comp_clean,
    "missing_section": comp_missing,
    "laterality_conflict": comp_laterality,
    "negation_conflict": comp_negation,
    "impression_omits_finding": comp_omits,
    "placeholder": comp_placeholder,
}


# ---- real reports ----------------------------------------------------------------------------

def real_parts(rec: dict, rng: random.Random, brit: bool) -> dict:
    ind = rec.get("indication") or ""
    comp = rec.get("comparison") or ""
    if not comp or comp.lower().rstrip(".") in ("none", "no comparison"):
        comp = rng.choice(["None.", "None available.", "Nil."])
    lateral = "lateral" in (rec.get("findings", "") + comp).lower() or rng.random() < 0.8
    return {
        "exam": rng.choice(EXAM_2V if lateral else EXAM_1V),
        "hist": ind or rng.choice(["Not provided.", "Chest pain", "SOB", "Cough"]),
        "comp": comp,
        "tech": rng.choice(["PA and lateral.", "2 views.", None] if lateral
                           else ["AP portable.", "Single frontal view.", None]),
        "find": reword(rec["findings"], rng, brit),
        "imp": reword(rec["impression"], rng, brit),
        "sign": signoff(rng, rng.random() < 0.35),
    }


def is_normalish_imp(t: str) -> bool:
    return bool(re.match(r"^(1\. )?(no acute|normal|negative|no active|no evidence of acute|"
                         r"no radiographic|no acute cardiopulmonary)", t.strip(), re.I))


def consistent(rec: dict) -> bool:
    """Conservative screen for real reports used as clean cases."""
    f, i = rec["findings"], rec["impression"]
    if len(f) < 40 or len(i) < 8 or "XXXX" in i[:6]:
        return False
    if re.search(r"\[|\*\*|___|<|dictat", f + i, re.I):
        return False
    af, ai = analyse(f), analyse(i)
    for c in af["aff"]:
        if c in SIGNIFICANT and c not in ai["aff"]:
            return False
        if c in ai["neg"] and c not in ai["aff"]:
            return False
    for c in ai["aff"]:
        if c in af["neg"] and c not in af["aff"]:
            return False
        if c not in af["aff"]:
            return False
    if LUNGS_CLEAR.search(f) and any(c in ai["aff"] for c in ("consolidation", "opacity", "mass")):
        return False
    if HEART_NORMAL.search(f) and "cardiomegaly" in ai["aff"]:
        return False
    if HEART_NORMAL.search(i) and "cardiomegaly" in af["aff"]:
        return False
    sf = {s.lower() for s in SIDE.findall(f)}
    si = {s.lower() for s in SIDE.findall(i)}
    if si and not si <= sf:
        return False
    return True


def sig_affirmed(text: str) -> list[tuple[str, str]]:
    """(concept, sentence) for clearly affirmed significant findings (no hedge, not small)."""
    out = []
    for s in split_sents(text):
        if NEG.search(s) or HEDGE.search(s):
            continue
        for c in concepts_of(s) & SIGNIFICANT:
            out.append((c, s))
    return out


def lat_candidate(rec: dict) -> tuple | None:
    fs, is_ = split_sents(rec["findings"]), split_sents(rec["impression"])
    for c in ("effusion", "pneumothorax", "consolidation", "atelectasis", "opacity", "mass",
              "granuloma", "fracture", "line"):
        fh = [s for s in fs if c in concepts_of(s) and not re.search(r"bilateral|both", s, re.I)]
        ih = [s for s in is_ if c in concepts_of(s) and not re.search(r"bilateral|both", s, re.I)]
        fsides = [{x.lower() for x in SIDE.findall(s)} for s in fh]
        isides = [{x.lower() for x in SIDE.findall(s)} for s in ih]
        for s, sd in zip(ih, isides, strict=True):
            if len(sd) != 1:
                continue
            side = next(iter(sd))
            same_f = [t for t, tsd in zip(fh, fsides, strict=True) if tsd == {side}]
            other = any(opp(side) in tsd for tsd in fsides + isides)
            if same_f and not other and not NEG.search(s) and not NEG.search(same_f[0]):
                return c, side, s, same_f[0]
    return None


def flip_side(s: str) -> str:
    def rep(m):
        w = m.group(0)
        o = "left" if w.lower() == "right" else "right"
        if w.isupper():
            return o.upper()
        if w[0].isupper():
            return o.capitalize()
        return o
    return SIDE.sub(rep, s)


def real_case(kind: str | None, rec: dict, rng: random.Random) -> tuple[str, str]:
    brit = rng.random() < 0.25
    parts = real_parts(rec, rng, brit)
    lay = layout(rng)
    uid = rec["uid"]
    if kind is None:
        return render(parts, lay), ""
    if kind == "missing_section":
        if rng.random() < 0.55:
            parts["imp"] = None
            return render(parts, lay), f"{uid}: impression section removed"
        parts["imp"] = ""
        return render(parts, lay), f"{uid}: impression emptied"
    if kind == "laterality_conflict":
        c, side, isent, fsent = lat_candidate(rec)
        isent2 = split_sents(parts["imp"])
        fsent2 = split_sents(parts["find"])
        # locate the sentences again after re-wording
        ii = [k for k, s in enumerate(isent2) if c in concepts_of(s) and side in s.lower()]
        fi = [k for k, s in enumerate(fsent2) if c in concepts_of(s) and side in s.lower()]
        if ii and (rng.random() < 0.55 or not fi):
            isent2[ii[0]] = flip_side(isent2[ii[0]])
            parts["imp"] = " ".join(isent2)
            det = f"{uid}: {c} side flipped to {opp(side)} in impression"
        else:
            fsent2[fi[0]] = flip_side(fsent2[fi[0]])
            parts["find"] = " ".join(fsent2)
            det = f"{uid}: {c} side flipped to {opp(side)} in findings"
        return render(parts, lay), det
    if kind == "negation_conflict":
        mode = rec["_neg_mode"]
        side = rng.choice(["right", "left"])
        if mode == "heart_neg":
            parts["imp"] = rng.choice(["Normal heart size. ", "Heart size is normal. "]) + parts["imp"]
            return render(parts, lay), f"{uid}: impression says heart size normal; findings report enlargement"
        line = fill(rng.choice(NEG_ASSERT[mode]), side)
        if brit:
            line = line.replace("edema", "oedema")
        if is_normalish_imp(parts["imp"]):
            parts["imp"] = line + rng.choice(["", " Otherwise no acute abnormality."])
        else:
            parts["imp"] = line + " " + parts["imp"]
        return render(parts, lay), f"{uid}: impression asserts '{line}' which findings negate"
    if kind == "impression_omits_finding":
        c, s = rec["_omit"]
        parts["imp"] = rng.choice(NORMAL_IMP)
        return render(parts, lay), f"{uid}: findings affirm {c} ('{s[:60]}'); impression replaced by normal statement"
    if kind == "placeholder":
        tok = rng.choice(PH_TOKENS + ["[side]", "[size]"])
        tgt = rng.choice(["find", "imp"]) if len(parts["imp"]) > 25 else "find"
        text = parts[tgt]
        words = list(re.finditer(r"[A-Za-z][A-Za-z-]+", text))
        pref = [m for m in words if m.group(0).lower() in (
            "right", "left", "effusion", "pneumothorax", "normal", "clear", "mild", "small",
            "stable", "heart", "lungs", "acute", "consolidation", "atelectasis", "cardiomegaly",
            "opacity", "lobe", "moderate", "unchanged", "granuloma")]
        if tok == "[side]":
            pref = [m for m in words if m.group(0).lower() in ("right", "left")]
            if not pref:
                tok = "[***]"
        if tok == "[size]":
            nums = list(re.finditer(r"\b\d+(\.\d+)? ?(mm|cm)\b", text))
            if nums:
                pref = words = nums
            else:
                tok = "[ ]"
        m = rng.choice(pref or words)
        parts[tgt] = text[:m.start()] + tok + text[m.end():]
        return render(parts, lay), f"{uid}: '{m.group(0)}' in {tgt} replaced by '{tok}'"
    raise ValueError(kind)


def real_pools(rng: random.Random) -> dict:
    excl = dev_uids()
    recs = [r for r in load_real() if r["uid"] not in excl and r.get("findings")
            and r.get("impression") and len(r["findings"]) > 30]
    rng.shuffle(recs)
    used: set[str] = set()
    pools: dict = {k: [] for k in [None] + KINDS}

    def take(kind, pred, n):
        for r in recs:
            if len(pools[kind]) >= n:
                break
            if r["uid"] in used:
                continue
            if pred(r):
                used.add(r["uid"])
                pools[kind].append(r)

    half = N_KIND // 2

    def lat_ok(r):
        return lat_candidate(r) is not None

    def omit_ok(r):
        fa = sig_affirmed(r["findings"])
        ia = analyse(r["impression"])["aff"]
        for c, s in fa:
            if c in ia and not re.search(r"\b(small|trace|tiny|minimal)\b", s, re.I):
                r["_omit"] = (c, s)
                return True
        return False

    def neg_ok(r):
        f, i = r["findings"], r["impression"]
        if not consistent(r):
            return False
        ai = analyse(i)["aff"]
        af = analyse(f)
        opts = []
        if re.search(r"\bno (pleural )?effusions?\b|no pleural effusion", f, re.I) and "effusion" not in ai \
                and "effusion" not in af["aff"]:
            opts.append("eff")
        if re.search(r"\bno (evidence of )?pneumothora", f, re.I) and "pneumothorax" not in af["aff"]:
            opts.append("ptx")
        if LUNGS_CLEAR.search(f) and not af["aff"].get("consolidation") and not af["aff"].get("opacity"):
            opts.append("lungs_plain")
        if HEART_NORMAL.search(f) and "cardiomegaly" not in af["aff"]:
            opts.append("heart")
        if "cardiomegaly" in af["aff"] and not HEART_NORMAL.search(i) and not [
                c for c, _ in sig_affirmed(f)]:
            opts += ["heart_neg", "heart_neg"]
        if not opts:
            return False
        r["_neg_mode"] = rng.choice(opts)
        return True

    def normal_tag(r):
        return "normal" in r["major"] and consistent(r)

    def any_ok(r):
        return consistent(r) and len(r["findings"]) > 50

    take("laterality_conflict", lat_ok, half)
    take("impression_omits_finding", omit_ok, half)
    take("negation_conflict", neg_ok, half)
    take(None, normal_tag, 65)
    take(None, lambda r: "normal" not in r["major"] and consistent(r), N_CLEAN // 2)
    take("missing_section", lambda r: len(split_sents(r["findings"])) >= 2, half)
    take("placeholder", any_ok, half)
    for k, v in pools.items():
        need = N_CLEAN // 2 if k is None else half
        if len(v) < need:
            raise RuntimeError(f"not enough real reports for {k}: {len(v)}")
    return pools


# --------------------------------------------------------------------------------------------

def build(seed: int) -> list[dict]:
    rng = random.Random(seed)
    pools = real_pools(random.Random(seed * 7919 + 106))
    rows = []
    for kind in [None] + KINDS:
        total = N_CLEAN if kind is None else N_KIND
        n_real = total // 2
        for rec in pools[kind][:n_real]:
            text, det = real_case(kind, rec, rng)
            rows.append({"injected": kind, "detail": det, "report": text, "_src": "iu"})
        for _ in range(total - n_real):
            text, det = COMPOSERS[kind](rng)
            rows.append({"injected": kind, "detail": det, "report": text, "_src": "bank"})
    rng.shuffle(rows)
    out = []
    for n, r in enumerate(rows):
        out.append({"id": f"h106-{seed}-{n}", "injected": r["injected"],
                    "detail": (r["detail"] or "") if r["injected"] else "",
                    "report": r["report"]})
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
        for kind in [None] + KINDS:
            for r in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
