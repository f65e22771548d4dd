"""Held-out report-check set 101, written blind (without reading the checker).

Setting: US mobile X-ray providers serving skilled nursing facilities, long-term care and
assisted-living homes and home-bound patients. Portable chest films are taken at the bedside by a
visiting technologist and read remotely by a contracted radiology group, on the group's templates
(exam line, clinical history, comparison, technique, findings, impression/conclusion, sign-off).
Patients are frail elderly residents: cough, fever, falls, aspiration, heart failure, line and tube
checks, follow-up of pneumonia.

Usage: python -m bench.make_heldout101 OUT.jsonl --seed S [--show N]

400 cases: 200 clean, 40 of each injected kind (missing_section, laterality_conflict,
negation_conflict, impression_omits_finding, placeholder). In every group half the cases are
composed from the phrase bank below and half are real IU reports (never a dev-set uid) re-laid-out
on the group templates and lightly re-worded. ``XXXX`` (IU de-identification mask) is kept as is and
is never a placeholder.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import tarfile
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


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# ---------------------------------------------------------------------------
# IU reports
# ---------------------------------------------------------------------------

_LABEL_RE = re.compile(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', re.S)
_UID_RE = re.compile(r'<uId id="([^"]+)"')


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


def load_iu(shared: Path) -> list[dict]:
    path = shared / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    rows = []
    with tarfile.open(path) as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            txt = tf.extractfile(m).read().decode("utf-8", "replace")
            um = _UID_RE.search(txt)
            if not um:
                continue
            rec = {"uid": um.group(1)}
            for lab, val in _LABEL_RE.findall(txt):
                rec[lab.lower()] = " ".join(html.unescape(val).split())
            rows.append(rec)
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return rows


# ---------------------------------------------------------------------------
# text helpers for the IU reports
# ---------------------------------------------------------------------------

NEG_RE = re.compile(
    r"\b(no|not|without|negative|resolved|resolution|clear|free|absence|absent|removed|"
    r"normal|unremarkable|nor|neither|cleared|interval removal)\b",
    re.I,
)
HEDGE_RE = re.compile(r"\b(may|might|possibl\w*|question\w*|cannot|versus|vs|suggest\w*|"
                      r"probabl\w*|likely|could|concern|can't)\b|\?", re.I)
SMALL_RE = re.compile(r"\b(small|trace|tiny|minimal|minor|mild|slight|trivial|blunting)\b", re.I)

SIG = {
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "consolidation": re.compile(r"consolidat|pneumonia|infiltrat|airspace (?:disease|opacit)",
                                re.I),
    "edema": re.compile(r"\bedema|vascular congestion|pulmonary congestion|\bCHF\b|"
                        r"heart failure", re.I),
    "effusion": re.compile(r"effusion", re.I),
    "mass": re.compile(r"\bmass\b|\bmasses\b", re.I),
    "free air": re.compile(r"free air|pneumoperitoneum", re.I),
    "widened mediastinum": re.compile(r"widen\w* (?:of the )?mediastin|mediastin\w* widen",
                                      re.I),
}
FAMILY = {
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "consolidation": re.compile(r"consolidat|pneumonia|infiltrat|airspace|opacit|atelecta|"
                                r"infect|aspiration", re.I),
    "edema": re.compile(r"edema|congesti|CHF|failure|fluid overload|vascular", re.I),
    "effusion": re.compile(r"effusion|pleural fluid", re.I),
    "mass": re.compile(r"mass|neoplas|malignan|tumor|lesion", re.I),
    "free air": re.compile(r"free air|pneumoperitoneum", re.I),
    "widened mediastinum": re.compile(r"mediastin", re.I),
}


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text.strip())
    return [p for p in parts if p.strip()]


def mentioned_sig(findings: str) -> set[str]:
    """Significant terms mentioned without negation (hedged or not)."""
    out = set()
    for s in sentences(findings):
        if NEG_RE.search(s):
            continue
        for k, rx in SIG.items():
            if rx.search(s):
                out.add(k)
    return out


def affirmed_sig(findings: str) -> dict[str, str]:
    """Clearly affirmed significant terms (no negation, no hedge, effusion not small)."""
    out = {}
    for s in sentences(findings):
        if NEG_RE.search(s) or HEDGE_RE.search(s) or re.search(r"atelecta", s, re.I):
            continue
        if re.search(r"\b(stable|unchanged|chronic|old|prior|previous|healed|scar)", s, re.I):
            continue
        for k, rx in SIG.items():
            if rx.search(s):
                if k == "effusion" and SMALL_RE.search(s):
                    continue
                if k == "edema" and re.search(r"soft tissue|extremit", s, re.I):
                    continue
                out.setdefault(k, s)
    return out


def iu_clean(r: dict) -> bool:
    f, i = r.get("findings", ""), r.get("impression", "")
    if len(f) < 40 or len(i) < 8:
        return False
    if f.count("XXXX") + i.count("XXXX") > 3:
        return False
    if re.search(r"\[|\*\*\*|___|<<", f + i):
        return False
    for k in mentioned_sig(f):
        if not FAMILY[k].search(i):
            return False
    # impression affirming something the findings negate (crude guard)
    for term in ("effusion", "pneumothorax", "consolidation", "cardiomegaly", "edema"):
        if re.search(term, i, re.I) and not any(NEG_RE.search(s) for s in sentences(i)
                                                if re.search(term, s, re.I)):
            negated = any(NEG_RE.search(s) and re.search(term, s, re.I) for s in sentences(f))
            affirmed = any(not NEG_RE.search(s) and re.search(term, s, re.I)
                           for s in sentences(f))
            if negated and not affirmed:
                return False
    if re.search(r"\bnormal (heart|cardiac)|heart size (is )?(normal|within normal)", f, re.I) \
            and re.search(r"cardiomegaly|enlarged", i, re.I):
        return False
    for x in sentences(f):
        if re.search(r"cardiomegaly|heart (size )?is enlarged|enlarged (heart|cardiac)", x, re.I) \
                and not NEG_RE.search(x) and not re.search(
                    r"mild|borderline|stable|slight|minimal|upper limit|unchanged|top", x, re.I) \
                and not re.search(r"cardi|heart|enlarg", i, re.I):
            return False
    has_l = re.search(r"\bleft\b", f + " " + i, re.I)
    has_r = re.search(r"\bright\b", f + " " + i, re.I)
    if has_l and has_r:
        # keep only when each side appears in one section at most once: avoid real mix-ups
        for side in ("left", "right"):
            if len(re.findall(rf"\b{side}\b", f + " " + i, re.I)) > 3:
                return False
    return True


REWORD = [
    (r"\bPA and lateral (views|radiographs?) of the chest\b", "portable AP view of the chest"),
    (r"\bPA and lateral\b", "portable"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary process"),
    (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary findings"),
    (r"\bThe cardiomediastinal silhouette is within normal limits\b",
     "Cardiomediastinal silhouette is within normal limits"),
    (r"\bThe heart is normal in size\b", "Heart size is normal"),
    (r"\bThere is no pneumothorax\b", "No pneumothorax"),
    (r"\bThere is no pleural effusion\b", "No pleural effusion"),
    (r"\bThere is no focal consolidation\b", "No focal consolidation"),
    (r"\bLungs are clear\b", "The lungs are clear"),
    (r"\bvisualized osseous structures\b", "visualized bones"),
    (r"\bx-XXXX\b", "x-ray"),
    (r"\.\.", "."),
]


def reword(text: str, rng: random.Random) -> str:
    for pat, rep in REWORD:
        if rng.random() < 0.6:
            text = re.sub(pat, rep, text)
    text = text.replace("..", ".")
    return text.strip()


# ---------------------------------------------------------------------------
# setting: templates, histories, sign-offs
# ---------------------------------------------------------------------------

EXAM_LINES = [
    "EXAM: XR CHEST 1 VIEW PORTABLE",
    "EXAM: XR CHEST PORTABLE, 1 VIEW",
    "EXAMINATION: Chest, single AP portable view",
    "PROCEDURE: CHEST 1V AP (MOBILE)",
    "EXAM: Portable chest x-ray, one view",
    "XR CHEST AP PORTABLE",
    "EXAM: CHEST X-RAY, PORTABLE AP",
    "PROCEDURE: Chest radiograph, 1 view, bedside",
]
EXAM_LINES_2V = [
    "EXAM: XR CHEST 2 VIEWS (PORTABLE)",
    "EXAMINATION: Chest, AP and lateral, portable",
]
FACILITY = [
    "Location: Skilled nursing facility",
    "Site: Long-term care facility",
    "Location: Assisted living",
    "Site: Home visit",
    "Location: SNF, rehab unit",
    "Location: Nursing home",
]
HISTORY = [
    "Cough.", "Cough and congestion x 3 days.", "Fever, cough. R/O pneumonia.",
    "Productive cough, low-grade fever.", "Hypoxia, O2 sat 88% on room air.",
    "SOB.", "Shortness of breath, wheezing.", "CHF, increased lower extremity edema.",
    "History of CHF, weight gain.", "Fall from bed, chest wall pain.",
    "Unwitnessed fall, rib pain.", "Fall, chest wall tenderness.",
    "Possible aspiration at lunch.", "Dysphagia, coughing with meals, r/o aspiration.",
    "Follow-up pneumonia.", "F/U pneumonia after antibiotics.",
    "F/U infiltrate, completed course of antibiotics.", "Altered mental status, r/o infection.",
    "Lethargy, decreased PO intake.", "Rhonchi on exam.", "Crackles at the bases.",
    "Elevated WBC.", "COPD exacerbation.", "Congestion, on home O2.",
    "Chest pain.", "Tachypnea.", "Admission screening, TB screen.",
    "Annual TB screening, resident.", "Decreased breath sounds at the bases.",
    "Wheezing, history of COPD.", "Persistent cough after URI.",
]
LINE_HISTORY = [
    "PICC placement, verify tip position.", "PICC line placed today, confirm placement.",
    "New PICC, tip check.", "NG tube placement.", "Dobhoff placement check.",
]
AGES = ["74", "78", "81", "83", "85", "86", "87", "88", "89", "90", "91", "92", "94", "96"]
SEX = [("F", "female"), ("M", "male")]
MONTHS = ["09", "10", "11"]


def rand_date(rng: random.Random) -> str:
    return f"{rng.choice(MONTHS)}/{rng.randint(1, 28):02d}/2026"


def comparison_line(rng: random.Random, prior: bool) -> str:
    if not prior:
        return rng.choice([
            "None.", "None available.", "No prior studies available for comparison.",
            "None on file.", "No previous exams.",
        ])
    d = rand_date(rng)
    return rng.choice([
        f"{d}.", f"Portable chest {d}.", f"Prior portable chest x-ray dated {d}.",
        f"Chest radiograph from {d}.", f"Previous study of {d}.",
        f"{d} (outside mobile study).",
    ])


TECHNIQUE = [
    "Single portable AP view of the chest obtained at the bedside.",
    "1 view, AP semi-upright.",
    "Portable AP upright view of the chest.",
    "Single frontal view, patient seated in wheelchair.",
    "AP portable, semi-erect. Image obtained by mobile technologist at the facility.",
    "Single AP view. Patient unable to stand; image obtained supine.",
    "Portable frontal chest radiograph, 1 image.",
]
TECHNIQUE_2V = ["Portable AP and lateral views obtained at the facility."]

RADIOLOGISTS = ["R. Nguyen, MD", "A. Patel, MD", "M. Goldberg, DO", "S. Okafor, MD",
                "J. Hernandez, MD", "K. Lindqvist, MD", "D. Romano, MD", "T. Brooks, DO"]


def signoff(rng: random.Random) -> str:
    who = rng.choice(RADIOLOGISTS)
    d = rand_date(rng)
    t = f"{rng.randint(1, 12)}:{rng.randint(0, 59):02d} {rng.choice(['AM', 'PM'])}"
    return rng.choice([
        f"Electronically signed by: {who} on {d} {t}",
        f"Dictated by: {who}\nSigned: {d} {t} ET",
        f"Interpreted remotely by {who}, board-certified radiologist.",
        f"{who}\nElectronically signed {d}",
        f"Reading radiologist: {who}. Report finalized {d} {t}.",
        f"Thank you for this referral.\n{who}",
    ])


def render(sec: dict, rng: random.Random, style: int | None = None) -> str:
    """Lay out a report on one of the group templates.

    sec keys: exam, facility, history, comparison, technique, findings, impression,
    imp_label, signoff; findings/impression None means the section (header too) is absent,
    "" means header with nothing after it.
    """
    style = rng.randrange(4) if style is None else style
    out = []
    if style == 0:
        out.append(sec["exam"])
        if sec.get("facility"):
            out.append(sec["facility"])
        out.append("")
        out.append(f"CLINICAL HISTORY: {sec['history']}")
        out.append("")
        out.append(f"COMPARISON: {sec['comparison']}")
        out.append("")
        out.append(f"TECHNIQUE: {sec['technique']}")
        out.append("")
        if sec["findings"] is not None:
            out.append("FINDINGS:")
            out.append(sec["findings"])
            out.append("")
        if sec["impression"] is not None:
            out.append(f"{sec['imp_label'].upper()}:")
            out.append(sec["impression"])
            out.append("")
    elif style == 1:
        out.append(sec["exam"])
        out.append(f"HISTORY: {sec['history']}")
        out.append(f"COMPARISON: {sec['comparison']}")
        out.append("")
        if sec["findings"] is not None:
            out.append(f"FINDINGS: {sec['findings']}")
            out.append("")
        if sec["impression"] is not None:
            out.append(f"{sec['imp_label'].upper()}: {sec['impression']}")
            out.append("")
    elif style == 2:
        out.append(sec["exam"].replace("EXAM: ", "Exam: ").replace("EXAMINATION: ", "Exam: "))
        if sec.get("facility"):
            out.append(sec["facility"])
        out.append(f"Reason for exam: {sec['history']}")
        out.append(f"Comparison: {sec['comparison']}")
        out.append(f"Technique: {sec['technique']}")
        out.append("")
        if sec["findings"] is not None:
            out.append(f"Findings: {sec['findings']}")
            out.append("")
        if sec["impression"] is not None:
            out.append(f"{sec['imp_label'].capitalize()}: {sec['impression']}")
            out.append("")
    else:
        out.append(sec["exam"])
        out.append("")
        out.append(f"INDICATION: {sec['history']}")
        out.append(f"COMPARISON: {sec['comparison']}")
        out.append(f"TECHNIQUE: {sec['technique']}")
        out.append("")
        if sec["findings"] is not None:
            out.append("FINDINGS:")
            out.append(sec["findings"])
            out.append("")
        if sec["impression"] is not None:
            out.append(f"{sec['imp_label'].upper()}:")
            out.append(sec["impression"])
            out.append("")
    out.append(sec["signoff"])
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def frame(rng: random.Random, history: str | None = None, prior: bool | None = None) -> dict:
    age = rng.choice(AGES)
    s_short, s_long = rng.choice(SEX)
    hist = history or rng.choice(HISTORY)
    if rng.random() < 0.5:
        hist = rng.choice([f"{age} y/o {s_short}. {hist}", f"{age}-year-old {s_long}. {hist}",
                           f"{age}{s_short}, {hist[0].lower() if hist[1:2].islower() else hist[0]}{hist[1:]}"])
    two_view = rng.random() < 0.08
    if prior is None:
        prior = rng.random() < 0.55
    return {
        "exam": rng.choice(EXAM_LINES_2V if two_view else EXAM_LINES),
        "facility": rng.choice(FACILITY) if rng.random() < 0.4 else "",
        "history": hist,
        "comparison": comparison_line(rng, prior),
        "technique": rng.choice(TECHNIQUE_2V if two_view else TECHNIQUE),
        "imp_label": rng.choices(["Impression", "Conclusion", "Impression/Recommendation"],
                                 [75, 20, 5])[0],
        "signoff": signoff(rng),
        "prior": prior,
    }


def fmt_impression(items: list[str], rng: random.Random) -> str:
    if len(items) > 1 and rng.random() < 0.6:
        return "\n".join(f"{i}. {t}" for i, t in enumerate(items, 1)) if rng.random() < 0.5 \
            else " ".join(f"{i}. {t}" for i, t in enumerate(items, 1))
    return " ".join(items)


# ---------------------------------------------------------------------------
# phrase bank: structured portable-chest cases
# ---------------------------------------------------------------------------

SIDES = ["right", "left"]
LIMIT = [
    "Low lung volumes.", "Patient is rotated.", "Limited by low lung volumes and rotation.",
    "Limited exam due to patient positioning.", "Overlying soft tissues limit evaluation.",
    "Chin overlies the apices.", "Semi-upright positioning limits evaluation of the bases.",
]
BONES = [
    "Osteopenia.", "Degenerative changes of the thoracic spine.",
    "Degenerative changes in both shoulders.", "Diffuse osteopenia. Thoracic kyphosis.",
    "No acute osseous abnormality.", "No acute bony abnormality identified.",
    "Bones are osteopenic without acute fracture.", "Old healed right rib fractures.",
    "Old healed left rib fractures.", "Compression deformity of a midthoracic vertebral body, "
    "age indeterminate, unchanged when compared.",
]
AORTA = ["Aortic atherosclerotic calcification.", "Tortuous, calcified thoracic aorta.",
         "Atherosclerotic aorta.", "The aorta is tortuous."]


def bank_case(rng: random.Random, want: str) -> dict:
    """Compose a structured case. want: 'normal', 'chronic', 'acute' or one acute sub-type."""
    c = {"devices": [], "f_extra": [], "i_extra": [], "sig": None}
    c["heart"] = rng.choices(["normal", "mild", "stable", "enlarged"], [60, 15, 15, 10])[0]
    c["copd"] = rng.random() < 0.15
    c["chronic"] = []
    if rng.random() < 0.35 or want == "chronic":
        c["chronic"] = rng.sample([
            "Chronic interstitial markings are again noted.",
            "Calcified granuloma in the {s} upper lobe.",
            "Linear scarring at the {s} lung base.",
            "Biapical pleural thickening.",
            "Chronic elevation of the {s} hemidiaphragm.",
        ], rng.choice([1, 1, 2]))
        c["chronic"] = [t.format(s=rng.choice(SIDES)) for t in c["chronic"]]
    if rng.random() < 0.25:
        c["devices"].append(rng.choice([
            "Left chest wall dual-lead pacemaker with leads in expected position.",
            "Right chest wall pacemaker, leads unchanged.",
            "Median sternotomy wires.", "Median sternotomy wires and mediastinal clips.",
            "Cardiac loop recorder.", "Gastrostomy tube projects over the upper abdomen.",
        ]))
    c["limit"] = rng.choice(LIMIT) if rng.random() < 0.35 else ""
    c["bones"] = rng.choice(BONES)
    c["aorta"] = rng.choice(AORTA) if rng.random() < 0.4 else ""
    c["effusion"] = None
    c["opacity"] = None
    c["edema"] = False
    c["atel"] = None
    c["line"] = None
    c["ptx"] = None
    kind = want
    if want == "acute":
        kind = rng.choices(["pneumonia", "effusion", "chf", "atel", "line", "aspiration",
                            "improving", "ptx"], [30, 15, 18, 12, 10, 7, 6, 2])[0]
    if kind == "pneumonia" or kind == "aspiration" or kind == "improving":
        side = rng.choice(SIDES)
        zone = rng.choice(["lower lobe", "base", "lower lobe", "midlung", "upper lobe"])
        if kind == "aspiration":
            zone = rng.choice(["lower lobe", "base"])
        c["opacity"] = {"side": side, "zone": zone, "type": kind}
        c["sig"] = "consolidation"
    elif kind == "effusion":
        side = rng.choice(SIDES + ["bilateral"])
        size = rng.choice(["moderate", "moderate", "large", "small-to-moderate"])
        c["effusion"] = {"side": side, "size": size}
        c["sig"] = "effusion"
    elif kind == "chf":
        c["edema"] = True
        c["heart"] = rng.choice(["enlarged", "stable", "mild"])
        c["sig"] = "edema"
        if rng.random() < 0.6:
            c["effusion"] = {"side": "bilateral", "size": "small"}
    elif kind == "atel":
        c["atel"] = rng.choice(["bibasilar", "right basilar", "left basilar", "left retrocardiac"])
    elif kind == "line":
        side = rng.choice(SIDES)
        c["line"] = {"side": side, "type": rng.choice(["PICC", "PICC", "enteric"])}
    elif kind == "ptx":
        c["ptx"] = {"side": rng.choice(SIDES)}
        c["sig"] = "pneumothorax"
    elif want == "normal":
        c["heart"] = rng.choices(["normal", "mild", "stable"], [80, 10, 10])[0]
        c["chronic"] = c["chronic"][:1] if rng.random() < 0.3 else []
    # small incidental effusion in some non-acute cases
    if c["effusion"] is None and want not in ("normal",) and rng.random() < 0.12:
        c["effusion"] = {"side": rng.choice(SIDES), "size": rng.choice(["small", "trace"])}
    c["kind"] = kind
    return c


HEART_F = {
    "normal": ["Heart size is normal.", "The cardiac silhouette is normal in size.",
               "Normal heart size.", "Cardiomediastinal silhouette is within normal limits.",
               "Heart size within normal limits for technique."],
    "mild": ["Mild cardiomegaly.", "The heart is mildly enlarged.",
             "Borderline to mildly enlarged cardiac silhouette."],
    "stable": ["Stable cardiomegaly.", "Cardiac silhouette remains enlarged, unchanged.",
               "Enlarged cardiac silhouette, similar to prior."],
    "enlarged": ["Cardiomegaly.", "The heart is enlarged.", "Moderate cardiomegaly.",
                 "Enlarged cardiac silhouette."],
}
ZONE_DESC = {
    "lower lobe": "{S} lower lobe", "base": "{S} lung base", "midlung": "{S} midlung",
    "upper lobe": "{S} upper lobe",
}


def opacity_words(o: dict) -> tuple[str, str]:
    S = o["side"].capitalize()
    where = ZONE_DESC[o["zone"]].format(S=S)
    where_l = where[0].lower() + where[1:]
    if o["type"] == "improving":
        f = rng_pick(o, [f"Decreased but persistent airspace opacity in the {where_l}.",
                         f"Interval improvement of the {where_l} consolidation, with residual "
                         "opacity."])
        i = rng_pick(o, [f"Improving {where_l} pneumonia.",
                         f"Partially resolved {where_l} consolidation; recommend continued "
                         "follow-up to resolution."])
        return f, i
    if o["type"] == "aspiration":
        f = rng_pick(o, [f"New patchy airspace opacity in the {where_l}.",
                         f"Patchy opacity in the {where_l}, new since the prior exam."])
        i = rng_pick(o, [f"New {where_l} opacity, compatible with aspiration pneumonitis or "
                         "pneumonia in this clinical setting.",
                         f"{where} airspace disease, likely aspiration."])
        return f, i
    f = rng_pick(o, [f"Focal consolidation in the {where_l}.",
                     f"Patchy airspace opacity in the {where_l}.",
                     f"There is airspace disease in the {where_l}.",
                     f"Hazy opacity at the {where_l} concerning for infiltrate."])
    i = rng_pick(o, [f"{where} pneumonia.", f"{where} airspace disease, consistent with "
                     "pneumonia in the appropriate clinical setting.",
                     f"Findings concerning for {where_l} pneumonia. Recommend follow-up to "
                     "resolution.", f"{where} infiltrate."])
    return f, i


def rng_pick(o: dict, opts: list[str]) -> str:
    return opts[o.setdefault("_pick", o.get("seedpick", 0)) % len(opts)]


def effusion_words(e: dict) -> tuple[str, str]:
    size = e["size"]
    if e["side"] == "bilateral":
        f = f"{size.capitalize()} bilateral pleural effusions."
        i = f"{size.capitalize()} bilateral pleural effusions."
    else:
        f = rng_pick(e, [f"{size.capitalize()} {e['side']} pleural effusion.",
                         f"There is a {size} {e['side']} pleural effusion.",
                         f"{size.capitalize()} {e['side']} pleural effusion with adjacent "
                         "basilar opacity, likely atelectasis."])
        i = f"{size.capitalize()} {e['side']} pleural effusion."
    return f, i


def bank_sections(c: dict, rng: random.Random) -> dict:
    """Build findings list (sentences) and impression items from a structured case."""
    for key in ("opacity", "effusion", "line", "ptx"):
        if c.get(key):
            c[key]["seedpick"] = rng.randrange(12)
    f: list[str] = []
    imp: list[str] = []
    if c["limit"]:
        f.append(c["limit"])
    line = c["line"]
    if line:
        if line["type"] == "PICC":
            side = line["side"]
            tip = rng.choice(["the distal SVC", "the cavoatrial junction", "the mid SVC"])
            f.append(f"{side.capitalize()} upper extremity PICC with tip projecting over {tip}.")
            imp.append(rng.choice([f"{side.capitalize()} PICC tip at {tip}.",
                                   f"{side.capitalize()} arm PICC terminates at {tip}. "
                                   "Ready for use."]))
        else:
            f.append("Enteric tube courses below the diaphragm with tip in the expected region "
                     "of the stomach.")
            imp.append("Enteric tube tip in the stomach.")
    f.extend(c["devices"])
    hw = rng.choice(HEART_F[c["heart"]])
    f.append(hw)
    if c["aorta"]:
        f.append(c["aorta"])
    if c["copd"]:
        f.append(rng.choice(["The lungs are hyperinflated.", "Hyperinflation with flattened "
                             "hemidiaphragms, consistent with COPD."]))
    lung_abn = False
    if c["edema"]:
        f.append(rng.choice([
            "Pulmonary vascular congestion with interstitial edema.",
            "Cephalization of pulmonary vessels and diffuse interstitial opacities, consistent "
            "with edema.",
            "Increased interstitial markings and Kerley B lines, in keeping with interstitial "
            "edema.",
        ]))
        imp.append(rng.choice(["Congestive heart failure with interstitial edema.",
                               "Findings consistent with CHF / pulmonary edema.",
                               "Pulmonary edema, increased from prior." if c["prior"] else
                               "Mild pulmonary edema."]))
        lung_abn = True
    if c["opacity"]:
        fo, io = opacity_words(c["opacity"])
        f.append(fo)
        imp.append(io)
        lung_abn = True
    if c["atel"]:
        a = c["atel"]
        f.append(rng.choice([f"Linear {a} atelectasis.", f"Streaky {a} opacities, likely "
                             "atelectasis."]))
        imp.append(rng.choice([f"{a.capitalize()} atelectasis. No focal consolidation.",
                               f"Mild {a} atelectasis."]))
        lung_abn = True
    f.extend(c["chronic"])
    if c["chronic"]:
        lung_abn = True
    if not lung_abn:
        f.append(rng.choice(["The lungs are clear.", "Lungs are clear bilaterally.",
                             "No focal consolidation.", "No focal airspace consolidation.",
                             "No focal airspace disease.", "Lungs are grossly clear."]))
    elif not c["opacity"] and not c["edema"]:
        f.append(rng.choice(["No focal consolidation.", "No focal airspace consolidation."]))
    eff = c["effusion"]
    if eff:
        fe, ie = effusion_words(eff)
        f.append(fe)
        if eff["size"] not in ("small", "trace") or c["sig"] == "effusion" or rng.random() < 0.6:
            imp.append(ie)
    else:
        if c["ptx"]:
            f.append(rng.choice(["No pleural effusion.", "No large pleural effusion."]))
        else:
            f.append(rng.choice(["No pleural effusion.", "No large pleural effusion.",
                                 "No pleural effusion or pneumothorax.",
                                 "No effusion or pneumothorax."]))
    if c["ptx"]:
        s = c["ptx"]["side"]
        f.append(f"Small {s} apical pneumothorax, new since prior.")
        imp.append(f"New small {s} apical pneumothorax. Findings called to the facility nurse "
                   f"at {rng.randint(1, 11)}:{rng.randint(0, 59):02d}.")
    elif not any("pneumothorax" in x for x in f):
        f.append(rng.choice(["No pneumothorax.", "No visible pneumothorax."]))
    f.append(c["bones"])
    if not imp:
        base = rng.choice([
            "No acute cardiopulmonary process.", "No acute cardiopulmonary disease.",
            "No acute cardiopulmonary findings.", "No acute process.",
            "No active disease.", "No radiographic evidence of acute cardiopulmonary disease.",
            "No acute findings in the chest.",
        ])
        if c["heart"] == "stable" and rng.random() < 0.5:
            base = base.rstrip(".") + ". Stable cardiomegaly."
        if c["copd"] and rng.random() < 0.5:
            base = "COPD. " + base
        imp.append(base)
    elif rng.random() < 0.3 and not c["opacity"] and not any("consolidation" in x
                                                              for x in imp):
        imp.append("No focal consolidation." if not c["edema"] else
                   "No focal consolidation to suggest pneumonia.")
    if c["heart"] == "enlarged" and not any(re.search(r"cardiomegaly|heart|CHF", x)
                                            for x in imp):
        imp.append(rng.choice(["Cardiomegaly.", "Cardiomegaly without edema." if not c["edema"]
                               else "Cardiomegaly."]))
    if c["limit"] and rng.random() < 0.25:
        imp.append("Limited portable exam.")
    return {"f": f, "imp": imp}


def join_findings(f: list[str], rng: random.Random) -> str:
    if rng.random() < 0.25:
        return "\n".join(f)
    return " ".join(f)


# ---------------------------------------------------------------------------
# injections on bank cases
# ---------------------------------------------------------------------------

PLACE_TOKENS = ["***", "[***]", "[ ]", "<<>>", "[  ]", "{***}", "[select]", "[ *** ]"]
NORMAL_IMP = [
    "No acute cardiopulmonary process.", "No acute cardiopulmonary disease.",
    "No acute cardiopulmonary abnormality.", "No acute findings.", "Negative chest.",
    "No radiographic evidence of acute disease.", "Normal portable chest.",
    "No acute process in the chest.", "Unremarkable portable chest.",
]


def flip_side(s: str) -> str:
    def rep(m):
        w = m.group(0)
        o = {"left": "right", "right": "left"}[w.lower()]
        return o.capitalize() if w[0].isupper() else o
    return re.sub(r"\b[Ll]eft\b|\b[Rr]ight\b", rep, s)


def bank_clean(rng: random.Random) -> tuple[dict, dict, str]:
    want = rng.choices(["normal", "chronic", "acute"], [55, 18, 27])[0]
    c = bank_case(rng, want)
    hist = rng.choice(LINE_HISTORY) if c["kind"] == "line" else None
    if c["kind"] == "improving":
        hist = rng.choice(["Follow-up pneumonia.", "F/U pneumonia, on antibiotics."])
    fr = frame(rng, hist, prior=True if c["kind"] in ("improving", "ptx") else None)
    c["prior"] = fr["prior"]
    s = bank_sections(c, rng)
    return c, fr, s


def finalize(fr: dict, findings: str | None, impression: str | None, rng) -> str:
    sec = dict(fr)
    sec["findings"] = findings
    sec["impression"] = impression
    return render(sec, rng)


def bank_make(kind: str | None, rng: random.Random) -> tuple[str, str]:
    for _ in range(200):
        if kind is None:
            c, fr, s = bank_clean(rng)
            return finalize(fr, join_findings(s["f"], rng), fmt_impression(s["imp"], rng),
                            rng), ""
        if kind in ("impression_omits_finding", "laterality_conflict"):
            want = "acute"
        elif kind == "negation_conflict":
            want = rng.choice(["normal", "normal", "acute", "chronic"])
        else:
            want = rng.choices(["normal", "chronic", "acute"], [55, 15, 30])[0]
        c = bank_case(rng, want)
        hist = rng.choice(LINE_HISTORY) if c["kind"] == "line" else None
        fr = frame(rng, hist, prior=True if c["kind"] in ("improving", "ptx") else None)
        c["prior"] = fr["prior"]
        s = bank_sections(c, rng)
        f, imp = s["f"], s["imp"]
        res = INJECT_BANK[kind](c, fr, f, imp, rng)
        if res is None:
            continue
        return res
    raise RuntimeError(f"could not make bank case for {kind}")


def inj_missing(c, fr, f, imp, rng):
    r = rng.random()
    if r < 0.4:
        return finalize(fr, join_findings(f, rng), "", rng), "impression header left empty"
    if r < 0.7:
        return finalize(fr, join_findings(f, rng), None, rng), "impression section absent"
    if r < 0.85:
        ib = rng.choice(["See findings above.", "As above.", "See above.",
                         "Please see findings."])
        return finalize(fr, "", ib, rng), "findings left empty; impression refers to them"
    ib = rng.choice(["No significant change from prior.", "Unchanged.",
                     "Stable compared with prior."])
    fr["comparison"] = comparison_line(rng, True)
    return finalize(fr, None, ib, rng), "findings section absent; impression only says unchanged"


def inj_laterality(c, fr, f, imp, rng):
    targets = []
    if c["opacity"] and c["kind"] != "improving":
        targets.append("opacity")
    if c["effusion"] and c["effusion"]["side"] != "bilateral" and any(
            "effusion" in x for x in imp):
        targets.append("effusion")
    if c["line"] and c["line"]["type"] == "PICC":
        targets.append("line")
    if c["ptx"]:
        targets.append("ptx")
    if c["atel"] and c["atel"].split()[0] in SIDES:
        targets.append("atel")
    if not targets:
        return None
    t = rng.choice(targets)
    key = {"opacity": r"opacit|consolidation|airspace|infiltrate",
           "effusion": "effusion", "line": "PICC", "ptx": "pneumothorax",
           "atel": "atelectasis|opacities"}[t]
    ikey = {"opacity": r"pneumonia|opacity|airspace|infiltrate|consolidation",
            "effusion": "effusion", "line": "PICC", "ptx": "pneumothorax",
            "atel": "atelectasis"}[t]
    if rng.random() < 0.6:
        idx = [i for i, x in enumerate(imp) if re.search(ikey, x)]
        if not idx:
            return None
        j = idx[0]
        # flip only the first side word of that item
        imp[j] = re.sub(r"\b([Ll]eft|[Rr]ight)\b", lambda m: flip_side(m.group(0)), imp[j],
                        count=1)
        where = "impression"
    else:
        idx = [i for i, x in enumerate(f) if re.search(key, x) and re.search(r"left|right", x,
                                                                            re.I)]
        if not idx:
            return None
        j = idx[0]
        f[j] = re.sub(r"\b([Ll]eft|[Rr]ight)\b", lambda m: flip_side(m.group(0)), f[j], count=1)
        where = "findings"
    return (finalize(fr, join_findings(f, rng), fmt_impression(imp, rng), rng),
            f"side of the {t} flipped in the {where}")


def inj_negation(c, fr, f, imp, rng):
    opts = []
    if not c["effusion"]:
        opts.append("add_eff")
    if c["heart"] == "normal":
        opts.append("add_cm")
    if not c["opacity"] and not c["edema"] and not c["atel"]:
        opts.append("add_pna")
    if c["heart"] in ("enlarged", "stable"):
        opts.append("neg_cm")
    if c["opacity"]:
        opts.append("neg_pna")
    if c["effusion"] and c["effusion"]["size"] not in ("small", "trace"):
        opts.append("neg_eff")
    if c["edema"]:
        opts.append("neg_edema")
    if not opts:
        return None
    o = rng.choice(opts)
    s = rng.choice(SIDES)
    if o == "add_eff":
        new = rng.choice([f"Small {s} pleural effusion.", f"{s.capitalize()} pleural effusion, "
                          "new.", f"Small {s} effusion with basilar atelectasis."])
        imp = [x for x in imp if "No acute" not in x and "No active" not in x] or []
        imp.insert(0, new)
        f = [rng.choice(["No pleural effusion.", "Costophrenic angles are sharp; no pleural "
                         "effusion."] + ([] if c["ptx"] else ["No pleural effusion or "
                                                             "pneumothorax."]))
             if re.search(r"effusion", x) else x for x in f]
        d = "impression reports an effusion that the findings negate"
    elif o == "add_cm":
        imp = [x for x in imp if "cardiomegaly" not in x.lower()]
        imp.append(rng.choice(["Cardiomegaly.", "Moderate cardiomegaly.",
                               "Enlarged cardiac silhouette."]))
        d = "impression reports cardiomegaly; findings say heart size normal"
    elif o == "add_pna":
        lung = rng.choice(["lower lobe", "base"])
        new = rng.choice([f"{s.capitalize()} {lung} pneumonia.",
                          f"Patchy {s} {lung} infiltrate, concerning for pneumonia."])
        imp = [x for x in imp if not re.search(r"No acute|No active|No radiographic", x)]
        imp.insert(0, new)
        # make the findings explicit about clear lungs
        f = [x for x in f if not re.search(r"No focal|clear", x)]
        f.insert(len(f) - 2, rng.choice(["The lungs are clear.", "Lungs are clear bilaterally.",
                                         "No focal consolidation."]))
        d = "impression reports pneumonia; findings say lungs clear / no consolidation"
    elif o == "neg_cm":
        imp = [x for x in imp if "cardiomegaly" not in x.lower()]
        imp.append(rng.choice(["Heart size is normal.", "Normal heart size.",
                               "No cardiomegaly."]))
        d = "impression says heart size normal; findings describe cardiomegaly"
    elif o == "neg_pna":
        imp = [x for x in imp if not re.search(r"pneumonia|opacity|airspace|infiltrate|"
                                               r"consolidation|aspiration", x, re.I)]
        imp.insert(0, rng.choice(["Lungs are clear.", "No pneumonia.",
                                  "No focal consolidation or pneumonia."]))
        d = "impression negates the consolidation the findings describe"
    elif o == "neg_eff":
        imp = [x for x in imp if "effusion" not in x]
        imp.append(rng.choice(["No pleural effusion.", "No effusion."]))
        d = "impression says no effusion; findings describe an effusion"
    else:
        imp = [x for x in imp if not re.search(r"edema|CHF|failure", x)]
        imp.insert(0, rng.choice(["No pulmonary edema.", "No evidence of CHF."]))
        d = "impression denies edema the findings describe"
    if not imp:
        return None
    return finalize(fr, join_findings(f, rng), fmt_impression(imp, rng), rng), d


def inj_omits(c, fr, f, imp, rng):
    if not c["sig"]:
        return None
    if c["kind"] == "improving":
        return None
    if c["effusion"] and c["sig"] == "effusion" and c["effusion"]["size"] == "small":
        return None
    r = rng.random()
    sigre = {"consolidation": r"pneumonia|opacity|airspace|infiltrate|consolidation|aspiration",
             "effusion": "effusion", "edema": r"edema|CHF|failure", "pneumothorax":
             "pneumothorax"}[c["sig"]]
    rest = [x for x in imp if not re.search(sigre, x, re.I) and not re.search(
        r"effusion|edema|CHF|pneumonia|consolidation|pneumothorax", x, re.I)]
    if r < 0.35 and rest and c["line"]:
        new = rest
        d = f"impression keeps only the line position; omits the {c['sig']}"
    elif r < 0.55 and c["heart"] in ("stable", "mild"):
        new = [rng.choice(["Stable mild cardiomegaly. No acute process.",
                           "Stable cardiomegaly."])]
        d = f"impression mentions only stable cardiomegaly; omits the {c['sig']}"
    else:
        new = [rng.choice(NORMAL_IMP)]
        d = f"normal impression macro; findings describe {c['sig']}"
    return finalize(fr, join_findings(f, rng), fmt_impression(new, rng), rng), d


def inj_placeholder(c, fr, f, imp, rng):
    tok = rng.choice(PLACE_TOKENS)
    r = rng.random()
    if r < 0.2:
        fr["comparison"] = rng.choice([f"{tok}", f"Prior chest x-ray dated {tok}.",
                                       "[date of prior]", "Compared to {DATE}."])
        d = "comparison field left unfilled"
    elif r < 0.35:
        fr["history"] = rng.choice([tok, "[Reason for exam]", f"{tok} y/o with cough.",
                                    "[indication]"])
        d = "clinical history field left unfilled"
    elif r < 0.45:
        fr["technique"] = rng.choice([f"Portable AP view, {tok} views obtained.",
                                      "[Number] view(s) of the chest, portable.",
                                      f"{tok}"])
        d = "technique field left unfilled"
    else:
        sided = [i for i, x in enumerate(f) if re.search(r"\b(left|right|Left|Right)\b", x)
                 and not re.search(r"pacemaker|rib", x)]
        if sided and rng.random() < 0.5:
            j = rng.choice(sided)
            pick = rng.choice([tok, "[left/right]", "[RIGHT/LEFT]", "[side]"])
            f[j] = re.sub(r"\b([Ll]eft|[Rr]ight)\b", pick, f[j], count=1)
            d = "side word in findings left as a template field"
        else:
            j = next((i for i, x in enumerate(f) if re.search(
                r"Heart size|cardiac silhouette|Cardiomediastinal|lungs are|Lungs are", x)), None)
            if j is None:
                return None
            old = f[j]
            f[j] = re.sub(r"\b(normal|clear|enlarged|within normal limits|normal in size)\b",
                          rng.choice([tok, "[normal/enlarged]", "[***]", "[ ]"]), f[j],
                          count=1)
            if f[j] == old:
                return None
            d = "finding word left as an unfilled pick-list field"
    return finalize(fr, join_findings(f, rng), fmt_impression(imp, rng), rng), d


INJECT_BANK = {
    "missing_section": inj_missing,
    "laterality_conflict": inj_laterality,
    "negation_conflict": inj_negation,
    "impression_omits_finding": inj_omits,
    "placeholder": inj_placeholder,
}


# ---------------------------------------------------------------------------
# IU-derived cases
# ---------------------------------------------------------------------------

def iu_frame(r: dict, rng: random.Random) -> dict:
    fr = frame(rng)
    ind = r.get("indication", "").strip()
    if ind and rng.random() < 0.85:
        fr["history"] = ind if ind.endswith(".") else ind + "."
    comp = r.get("comparison", "").strip()
    if comp and rng.random() < 0.7:
        fr["comparison"] = comp
        fr["prior"] = not re.match(r"none", comp, re.I)
    return fr


SIDE_FIND = re.compile(r"opacit|consolidat|infiltrat|airspace|effusion|pneumothora|atelecta|"
                       r"granuloma|nodul|scar|pneumonia|density|thickening|fracture", re.I)


def lat_candidate(r: dict):
    f, i = r.get("findings", ""), r.get("impression", "")
    both = f + " " + i
    has_l = bool(re.search(r"\bleft\b", both, re.I))
    has_r = bool(re.search(r"\bright\b", both, re.I))
    if has_l == has_r:
        return None
    side = "left" if has_l else "right"
    fs = [s for s in sentences(f) if re.search(rf"\b{side}\b", s, re.I) and SIDE_FIND.search(s)]
    is_ = [s for s in sentences(i) if re.search(rf"\b{side}\b", s, re.I) and SIDE_FIND.search(s)]
    if not fs or not is_:
        return None
    if re.search(r"bilateral|both", both, re.I):
        return None
    return fs[0], is_[0]


def negation_candidate(r: dict):
    f = r.get("findings", "")
    opts = []
    if re.search(r"no large|no significant|no sizable|no definite", f, re.I):
        pass
    elif re.search(r"\bno (pleural )?effusions?\b|without (pleural )?effusion|"
                 r"no (evidence of )?(pleural effusion|pneumothorax or (pleural )?effusion)|"
                 r"effusion or pneumothorax", f, re.I) and not re.search(
            r"effusion", r.get("impression", ""), re.I):
        opts.append("eff")
    if re.search(r"heart (size )?(is )?(normal|within normal)|normal (heart|cardiac)|"
                 r"heart is normal|cardiomediastinal silhouette (is )?(normal|within normal)",
                 f, re.I) and not re.search(r"cardiomegaly|enlarge", f + r.get("impression", ""),
                                            re.I):
        opts.append("cm")
    if re.search(r"lungs are clear|no focal (airspace )?(consolidation|opacit|airspace)",
                 f, re.I) and not re.search(r"opacit|consolidat|pneumonia|infiltrat",
                                            r.get("impression", ""), re.I):
        opts.append("pna")
    if re.search(r"no (evidence of )?pneumothorax", f, re.I):
        opts.append("ptx")
    return opts


def iu_make(kind: str | None, pools: dict, used: set, rng: random.Random):
    def pick(pool):
        cand = [r for r in pool if r["uid"] not in used]
        r = rng.choice(cand)
        used.add(r["uid"])
        return r

    if kind is None:
        r = pick(pools["clean"])
        fr = iu_frame(r, rng)
        return finalize(fr, reword(r["findings"], rng), reword(r["impression"], rng), rng), "", r
    if kind == "missing_section":
        r = pick(pools["clean"])
        fr = iu_frame(r, rng)
        x = rng.random()
        f = reword(r["findings"], rng)
        if x < 0.5:
            return finalize(fr, f, "", rng), "impression emptied (header kept)", r
        return finalize(fr, f, None, rng), "impression section removed", r
    if kind == "laterality_conflict":
        r = pick(pools["lat"])
        fs, is_ = lat_candidate(r)
        f, i = r["findings"], r["impression"]
        if rng.random() < 0.5:
            i = i.replace(is_, re.sub(r"\b([Ll]eft|[Rr]ight)\b", lambda m: flip_side(m.group(0)),
                                      is_, count=1), 1)
            d = f"side flipped in impression sentence: {is_!r}"
        else:
            f = f.replace(fs, re.sub(r"\b([Ll]eft|[Rr]ight)\b", lambda m: flip_side(m.group(0)),
                                     fs, count=1), 1)
            d = f"side flipped in findings sentence: {fs!r}"
        fr = iu_frame(r, rng)
        return finalize(fr, reword(f, rng), reword(i, rng), rng), d, r
    if kind == "negation_conflict":
        r = pick(pools["neg"])
        o = rng.choice(negation_candidate(r))
        s = rng.choice(SIDES)
        imp = reword(r["impression"], rng)
        normalish = re.compile(r"\b(no acute|normal chest|negative|clear lungs|lungs are clear|"
                               r"no evidence of|no active|otherwise normal|normal heart|"
                               r"heart size (is )?normal|unremarkable)", re.I)
        keep = [x for x in sentences(re.sub(r"(?:^|\s)\d\.\s", " ", imp))
                if not normalish.search(x) and len(x) > 3]
        imp_wo = " ".join(keep).strip()
        if o == "eff":
            new = rng.choice([f"Small {s} pleural effusion.", f"{s.capitalize()} pleural "
                              "effusion."])
            d = "impression asserts an effusion the findings negate"
        elif o == "cm":
            new = rng.choice(["Cardiomegaly.", "Moderate cardiomegaly.",
                              "Enlarged heart."])
            d = "impression asserts cardiomegaly; findings say heart size normal"
        elif o == "pna":
            new = rng.choice([f"{s.capitalize()} lower lobe pneumonia.",
                              f"{s.capitalize()} basilar infiltrate, likely pneumonia."])
            d = "impression asserts pneumonia; findings say lungs clear / no consolidation"
        else:
            new = f"Small {s} apical pneumothorax."
            d = "impression asserts a pneumothorax the findings negate"
        if keep and rng.random() < 0.5:
            imp2 = " ".join(f"{n}. {x}" for n, x in enumerate([new] + keep, 1))
        else:
            imp2 = (new + " " + imp_wo).strip() if imp_wo else new
        fr = iu_frame(r, rng)
        return finalize(fr, reword(r["findings"], rng), imp2, rng), d, r
    if kind == "impression_omits_finding":
        r = pick(pools["omit"])
        aff = affirmed_sig(r["findings"])
        k = sorted(x for x in aff if SIG[x].search(r["impression"]))[0]
        fr = iu_frame(r, rng)
        new = rng.choice(NORMAL_IMP)
        return (finalize(fr, reword(r["findings"], rng), new, rng),
                f"impression replaced by normal statement; findings affirm {k}: {aff[k]!r}", r)
    # placeholder
    r = pick(pools["clean"])
    fr = iu_frame(r, rng)
    f = reword(r["findings"], rng)
    i = reword(r["impression"], rng)
    tok = rng.choice(PLACE_TOKENS)
    x = rng.random()
    if x < 0.3:
        fr["comparison"] = rng.choice([f"Prior portable chest {tok}.", tok, "[date]",
                                       f"{tok} (outside study)."])
        d = "comparison left as template field"
    elif x < 0.45:
        fr["history"] = rng.choice(["[Reason for exam]", tok, f"{tok}."])
        d = "history left as template field"
    else:
        words = [m for m in re.finditer(
            r"\b(left|right|normal|clear|small|mild|stable|unchanged|enlarged|"
            r"unremarkable|upper|lower)\b", f, re.I)]
        if words:
            m = rng.choice(words)
            f = f[:m.start()] + tok + f[m.end():]
            d = f"word {m.group(0)!r} in findings replaced by {tok}"
        else:
            i = tok + " " + i if rng.random() < 0.5 else i + " " + tok
            d = "unfilled template field left in impression"
    return finalize(fr, f, i, rng), d, r


def build_pools(rows: list[dict]) -> dict:
    clean = [r for r in rows if iu_clean(r)]
    lat = [r for r in clean if lat_candidate(r)]
    neg = [r for r in clean if negation_candidate(r)]
    omit = []
    for r in rows:
        f, i = r.get("findings", ""), r.get("impression", "")
        if len(f) < 40 or len(i) < 5 or f.count("XXXX") > 3:
            continue
        if re.search(r"\[|\*\*\*|___", f):
            continue
        aff = affirmed_sig(f)
        if aff and all(FAMILY[k].search(i) for k in aff) and any(
                SIG[k].search(i) for k in aff):
            omit.append(r)
    return {"clean": clean, "lat": lat, "neg": neg, "omit": omit}


def build(seed: int) -> list[dict]:
    shared = shared_dir()
    rng = random.Random(f"h101-{seed}")
    excl = dev_uids(shared)
    rows = [r for r in load_iu(shared) if r["uid"] not in excl]
    pools = build_pools(rows)
    used: set[str] = set()
    cases = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        for j in range(n):
            if j < n // 2:
                text, detail = bank_make(kind, rng)
                src = "bank"
            else:
                text, detail, r = iu_make(kind, pools, used, rng)
                src = f"iu:{r['uid']}"
            if kind is not None:
                detail = f"{detail} [{src}]"
            elif src != "bank":
                detail = ""
            cases.append({"injected": kind, "detail": detail, "report": text, "_src": src})
    rng.shuffle(cases)
    out = []
    for n, c in enumerate(cases):
        out.append({"id": f"h101-{seed}-{n}", "injected": c["injected"],
                    "detail": c["detail"], "report": c["report"]})
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
            sel = [r for r in rows if r["injected"] == kind][: a.show]
            for r in sel:
                print(f"===== {r['id']} {kind} :: {r['detail']}")
                print(r["report"])
                print()
    print(f"wrote {len(rows)} cases to {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
