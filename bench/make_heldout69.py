"""Held-out report-check set 69, written blind.

Setting: US Veterans Affairs medical centres -- an older, mostly male veteran population (smokers, COPD,
heart failure, CABG, pre-op and follow-up chest films), reports laid out the way VA radiologists dictate
them in VistA/PowerScribe: an exam line (``Procedure: CHEST 2 VIEWS PA&LAT``), ``Clinical History`` /
``Reason For Study``, ``Comparison``, sometimes ``Technique``, ``Findings`` (or ``Report:``), ``Impression``
(occasionally ``Conclusion`` / ``Opinion``), a ``Primary Diagnostic Code`` and an ``/ES/`` sign-off.
US spelling, VA abbreviations (yo, h/o, s/p, CABG, COPD, CHF, r/o, f/u, pre-op, SOB, DOE).

Written without looking at the checker. 400 cases: 200 clean, 40 each of ``missing_section``,
``laterality_conflict``, ``negation_conflict``, ``impression_omits_finding`` and ``placeholder``. Half of
every group is composed from the phrase bank below; half are real Indiana University reports (never a uid
of the development set) re-laid-out in the VA style and lightly re-worded.

    python -m bench.make_heldout69 OUT.jsonl --seed S [--show N]
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


def _paths():
    sd = shared_dir()
    return sd / "data" / "iu_reports" / "NLMCXR_reports.tgz", sd / "eval" / "report_errors_dev.jsonl"


# ---------------------------------------------------------------------------------------------
# Real IU reports
# ---------------------------------------------------------------------------------------------

_IU_CACHE: list[dict] | None = None


def dev_uids() -> set[str]:
    out = set()
    with open(_paths()[1], encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


def load_iu() -> list[dict]:
    """All IU reports (uid sorted), one pass over the archive."""
    global _IU_CACHE
    if _IU_CACHE is not None:
        return _IU_CACHE
    rows = []
    with tarfile.open(_paths()[0], "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            u = root.find("uId")
            uid = u.get("id") if u is not None else None
            if not uid:
                continue
            sec = {}
            for at in root.iter("AbstractText"):
                sec[(at.get("Label") or "").upper()] = " ".join((at.text or "").split())
            rows.append({"uid": uid, "findings": sec.get("FINDINGS", ""),
                         "impression": sec.get("IMPRESSION", ""),
                         "indication": sec.get("INDICATION", ""),
                         "comparison": sec.get("COMPARISON", "")})
    rows.sort(key=lambda r: r["uid"])
    _IU_CACHE = rows
    return rows


SIG = re.compile(r"\b(pneumothora(?:x|ces)|consolidat\w*|pneumonia|infiltrates?|airspace (?:disease|opacit\w+)|"
                 r"(?:pulmonary |interstitial )?edema|(?:vascular )?congestion|mass(?:es)?|free air|"
                 r"(?:moderate|large)(?: to large)?(?: sized?)?(?: left| right| bilateral)? (?:pleural )?effusions?|"
                 r"widen\w* mediastinum)\b", re.I)
HEDGE = re.compile(r"\b(no|not|without|negative|free|clear|resolv\w*|resolution|removed|rule|r/o|versus|vs|"
                   r"cannot|may|possible|possibly|question\w*|could|likely|suggest\w*|concern\w*|differential|"
                   r"or|nor|improv\w*|previous|prior|history|old|chronic|stable|unchanged|decreas\w*|"
                   r"exclude\w*|evaluat\w*|if|recommend\w*)\b", re.I)
STEM = {"pneumothor": "pneumothor", "consolidat": "consolidat|pneumonia|airspace|infiltrat|opacit",
        "pneumonia": "consolidat|pneumonia|airspace|infiltrat|opacit",
        "infiltrat": "consolidat|pneumonia|airspace|infiltrat|opacit",
        "airspace": "consolidat|pneumonia|airspace|infiltrat|opacit",
        "edema": "edema|congest|chf|failure|overload", "congestion": "edema|congest|chf|failure|overload",
        "vascular": "edema|congest|chf|failure|overload", "pulmonary": "edema|congest|chf|failure|overload",
        "interstitial": "edema|congest|chf|failure|overload|interstitial",
        "mass": "mass|neoplas|malignan|tumor|lesion|carcinoma|cancer", "free": "free air|pneumoperit",
        "moderate": "effusion", "large": "effusion", "widen": "mediastin"}


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\s+(?=\d\.\s)", text) if s.strip()]


MILD = re.compile(r"\b(minimal|mild|trace|tiny|subtle|minor|slight\w*|small|probabl\w*|residual)\b", re.I)


def affirmed_sig(findings: str, strict: bool = False) -> list[str]:
    """Significant terms affirmed (unhedged, unnegated) in a findings text; strict also drops mild ones."""
    out = []
    for s in _sentences(findings):
        m = SIG.search(s)
        if m and not HEDGE.search(s) and not (strict and MILD.search(s)):
            out.append(m.group(0))
    return out


def _mentions(impression: str, term: str) -> bool:
    key = term.lower().split()[0]
    for k, pat in STEM.items():
        if key.startswith(k):
            return re.search(pat, impression, re.I) is not None
    return term.lower() in impression.lower()


def omitted_sig(findings: str, impression: str) -> list[str]:
    return [t for t in affirmed_sig(findings) if not _mentions(impression, t)]


BAD_TEXT = re.compile(r"\*\*\*|\[|\]|___|<|>|\{|\}|\?\?", re.I)


# ---------------------------------------------------------------------------------------------
# VA layout
# ---------------------------------------------------------------------------------------------

PROCEDURES = [("CHEST 2 VIEWS PA&LAT", "71020"), ("CHEST 2 VIEWS PA&LAT", "71046"),
              ("CHEST PA&LAT", "71046"), ("CHEST 2 VIEWS PA&LAT", ""), ("CHEST SINGLE VIEW", "71045"),
              ("CHEST 2 VIEWS", "71046")]
STAFF = ["Staff Radiologist", "Staff Physician", "Radiology Resident", "Chief, Radiology Service"]


def _exam_line(rng: random.Random, single: bool) -> list[str]:
    proc, cpt = ("CHEST SINGLE VIEW", "71045") if single else rng.choice(
        [p for p in PROCEDURES if p[0] != "CHEST SINGLE VIEW"])
    style = rng.random()
    if style < 0.45:
        cpt_txt = f"    (CPT: {cpt})" if cpt and rng.random() < 0.5 else ""
        lines = ["Exam Date: XXXX", f"Procedure: {proc}{cpt_txt}"]
    elif style < 0.75:
        lines = [f"EXAM: {proc}"]
    else:
        lines = [f"{proc} (XXXX)"]
    return lines


def va_layout(rng: random.Random, *, history: str, comparison: str, findings: str | None,
              impression: str | None, technique: str | None = None, dx: str | None = None,
              single: bool = False, findings_hdr: str | None = None, imp_hdr: str | None = None,
              blank_headers: bool = True) -> str:
    """Lay the sections out as a VA report. findings/impression None -> section left out entirely;
    "" -> header kept with nothing under it."""
    upper = rng.random() < 0.5
    parts = ["\n".join(_exam_line(rng, single))]
    if history:
        h = rng.choice(["Clinical History", "Reason For Study", "History", "Clinical Hx"])
        parts.append(f"{h.upper() if upper else h}:\n  {history}" if rng.random() < 0.5
                     else f"{h.upper() if upper else h}: {history}")
    if rng.random() < 0.35:
        parts.append("Report Status: Verified")
    if comparison:
        c = "COMPARISON" if upper else "Comparison"
        parts.append(f"{c}: {comparison}")
    if technique:
        t = "TECHNIQUE" if upper else "Technique"
        parts.append(f"{t}: {technique}")
    fh = findings_hdr or rng.choice(["Findings", "Findings", "Findings", "Report"])
    ih = imp_hdr or rng.choices(["Impression", "Conclusion", "Opinion"], [12, 2, 1])[0]
    if upper:
        fh, ih = fh.upper(), ih.upper()
    if findings is not None:
        parts.append(f"{fh}:\n{findings}" if findings else f"{fh}:")
    if impression is not None:
        parts.append(f"{ih}:\n{impression}" if impression else f"{ih}:")
    if dx:
        parts.append(f"Primary Diagnostic Code: {dx}")
    parts.append(rng.choice([f"Primary Interpreting Staff:\n  XXXX, MD, {rng.choice(STAFF)}\n/ES/ XXXX, MD",
                             "/ES/ XXXX, MD\nStaff Radiologist",
                             "Interpreted by: XXXX, MD\nVerified by: /ES/ XXXX, M.D. XXXX",
                             "/ES/ XXXX XXXX, MD"]))
    return "\n\n".join(parts)


# ---------------------------------------------------------------------------------------------
# Composed cases: phrase bank
# ---------------------------------------------------------------------------------------------

AGES = list(range(48, 94))
HISTORY = [
    "{a} yo male with cough x 2 weeks, r/o pneumonia",
    "{a} y/o M, SOB, h/o COPD",
    "{a} yo male smoker, 40 pack-yr hx, annual f/u",
    "Pre-op chest, {a} yo male for R knee arthroplasty",
    "Pre-op eval, {a} yo M scheduled for inguinal hernia repair",
    "{a} yo male with CHF, increased DOE",
    "{a} yo M s/p CABG, routine f/u",
    "Chest pain. {a} yo male, h/o CAD",
    "{a} y/o male with fever and productive cough",
    "{a} yo female veteran, cough",
    "f/u pneumonia, {a} yo male",
    "{a} yo M, hx HTN, DM2, pre-op for cataract surgery",
    "PPD positive, {a} yo male",
    "{a} yo M, COPD exacerbation?",
    "Dyspnea on exertion. {a} yo male, former smoker",
    "{a} yo male, weight loss, 50 pk-yr smoker",
    "{a} yo M, hemoptysis",
    "Admission film, {a} yo male with altered mental status",
    "{a} yo male, fall, chest wall pain",
    "Screening, {a} yo M, Agent Orange exposure",
]
COMPARISONS = ["XXXX", "Prior chest radiograph XXXX", "PA and lateral chest XXXX", "None.", "None available.",
               "CXR dated XXXX", "Chest 2 views XXXX", "XXXX (outside films not available)",
               "Previous exam of XXXX", "CT chest XXXX and CXR XXXX"]
TECHNIQUES = [None, None, None, "PA and lateral views of the chest.", "Frontal and lateral views.",
              "2 views of the chest were obtained.", "PA and lateral chest radiographs."]

NORMAL_MACROS = [
    "No acute cardiopulmonary process.",
    "No acute cardiopulmonary disease.",
    "Negative chest.",
    "No active disease in the chest.",
    "No acute cardiopulmonary abnormality identified.",
    "Normal chest.",
    "No radiographic evidence of acute cardiopulmonary disease.",
    "No acute disease. No change from prior.",
]

# (findings sentence, impression phrase or None)
LUNG_NORMAL = ["The lungs are clear.", "Lungs are clear bilaterally.", "The lungs are well expanded and clear.",
               "No focal consolidation.", "Lungs clear without focal infiltrate.",
               "No focal airspace disease."]
PLEURA_NORMAL = ["No pleural effusion or pneumothorax.", "No effusion or pneumothorax.",
                 "Costophrenic angles are sharp.", "No pleural effusion. No pneumothorax."]
HEART_NORMAL = ["The heart is normal in size.", "Heart size is within normal limits.",
                "Cardiomediastinal silhouette is within normal limits.", "Normal heart size and mediastinal contour.",
                "Cardiac silhouette is normal."]
BONE_NORMAL = ["No acute osseous abnormality.", "Bony structures are intact.", "No acute bony abnormality.",
               ""]

# chronic / incidental: may be left out of the impression; (findings, impression-or-None, group)
CHRONIC = [
    ("The lungs are hyperexpanded with flattening of the hemidiaphragms, consistent with COPD.",
     "COPD/hyperinflation.", "lung"),
    ("Hyperinflation and increased AP diameter compatible with emphysema.", "Emphysema.", "lung"),
    ("Calcified granuloma in the {side} upper lobe.", None, "lung"),
    ("Minimal {side} basilar scarring/atelectasis.", None, "lung"),
    ("Biapical pleural thickening, chronic.", None, "pleura"),
    ("Median sternotomy wires and CABG clips are noted.", "Post CABG changes.", "heart"),
    ("Heart is mildly enlarged, unchanged from prior.", "Stable mild cardiomegaly.", "heart"),
    ("Borderline heart size, stable.", None, "heart"),
    ("{Side} chest wall pacemaker with leads in the right atrium and right ventricle.", None, "heart"),
    ("Tortuous thoracic aorta with atherosclerotic calcification.", None, "heart"),
    ("Degenerative changes of the thoracic spine.", None, "bone"),
    ("Old healed {side} rib fractures.", None, "bone"),
    ("Mild DJD of the thoracic spine.", None, "bone"),
    ("Small {side} pleural effusion, blunting the costophrenic angle.", "Small {side} pleural effusion.",
     "pleura"),
    ("Trace {side} pleural effusion.", None, "pleura"),
]

# significant: impression must mention. (findings, impression, group, kind)
SIGNIF = [
    ("There is consolidation in the {side} lower lobe.", "{Side} lower lobe pneumonia.", "lung", "cons"),
    ("New patchy airspace opacity at the {side} base.", "{Side} basilar airspace disease, likely pneumonia.",
     "lung", "cons"),
    ("Focal infiltrate in the {side} upper lobe.", "{Side} upper lobe infiltrate consistent with pneumonia.",
     "lung", "cons"),
    ("Dense consolidation in the right middle lobe.", "Right middle lobe pneumonia.", "lung", "rml"),
    ("Moderate {side} pleural effusion with adjacent compressive atelectasis.",
     "Moderate {side} pleural effusion.", "pleura", "eff"),
    ("Large {side} pleural effusion, increased from prior.", "Enlarging large {side} pleural effusion.",
     "pleura", "eff"),
    ("Small {side} apical pneumothorax measuring approximately 1.5 cm.", "Small {side} apical pneumothorax.",
     "pleura", "ptx"),
    ("Cardiomegaly with pulmonary vascular congestion and interstitial edema. Small bilateral effusions.",
     "CHF with interstitial edema.", "heart", "chf"),
    ("Enlarged cardiac silhouette. Cephalization of pulmonary vessels and Kerley B lines consistent with "
     "interstitial pulmonary edema.", "Findings consistent with CHF/pulmonary edema.", "heart", "chf"),
    ("A 1.4 cm nodule projects over the {side} mid lung, new since prior.",
     "New 1.4 cm {side} lung nodule. Recommend CT chest.", "lung", "nod"),
    ("There is a 3 cm mass in the {side} upper lobe.", "{Side} upper lobe mass, suspicious for neoplasm. CT "
     "chest recommended.", "lung", "mass"),
    ("{Side} hilar fullness, new since XXXX, suggestive of a hilar mass.",
     "New {side} hilar mass. Recommend CT chest with contrast.", "lung", "mass"),
]

OPP = {"right": "left", "left": "right"}


def _fill(s: str, side: str) -> str:
    return s.replace("{side}", side).replace("{Side}", side.capitalize())


def _compose_parts(rng: random.Random, want_sig: bool | None, need_side: bool = False) -> dict:
    """A composed report as findings sentences + impression items. want_sig: True forces a significant
    finding, False forbids one, None draws the ordinary mix."""
    hist = rng.choice(HISTORY).format(a=rng.choice(AGES))
    r = rng.random()
    if want_sig is None:
        want_sig = r < 0.18
    side = rng.choice(["right", "left"])
    n_chronic = rng.choices([0, 1, 2], [5, 4, 2])[0] if not want_sig else rng.choices([0, 1], [3, 2])[0]
    chronic = rng.sample(CHRONIC, n_chronic)
    # one effusion at most among chronic items
    seen, cl = set(), []
    for c in chronic:
        key = "eff" if "effusion" in c[0] else "copd" if c[1] in ("COPD/hyperinflation.", "Emphysema.") else c[0]
        if key not in seen:
            seen.add(key)
            cl.append(c)
    sig = None
    if want_sig:
        pool = [s for s in SIGNIF if "{side}" in s[0]] if need_side else SIGNIF
        sig = rng.choice(pool)
        if sig[3] in ("eff", "chf"):
            cl = [c for c in cl if "effusion" not in c[0]]
        if sig[3] == "chf":
            cl = [c for c in cl if c[2] != "heart" or "sternotomy" in c[0]]
    groups = {c[2] for c in cl} | ({sig[2]} if sig else set())
    items = []  # (sentence, impression phrase, role)
    csides = [rng.choice(["right", "left"]) for _ in cl]
    if sig:
        items.append((_fill(sig[0], side), _fill(sig[1], side), "sig", side if "{side}" in sig[0] else None,
                      sig[3]))
    for c, cs in zip(cl, csides, strict=True):
        s = side if sig else cs
        items.append((_fill(c[0], s), _fill(c[1], s) if c[1] else None, "chronic",
                      s if "{side}" in c[0] else None, "chronic"))
    f = []
    heart_items = [i for i in items if i[0] and any(w in i[0].lower() for w in ("heart", "cardi"))]
    if "heart" not in groups or not heart_items:
        f.append(("heart", rng.choice(HEART_NORMAL)))
    lung_n = [x for x in LUNG_NORMAL]
    if "lung" not in groups:
        # with a pleural or cardiac finding the lungs are not simply 'clear'
        f.append(("lung", rng.choice(["No focal consolidation.", "No focal airspace disease."] if sig
                                     else lung_n)))
    if "pleura" not in groups and not (sig and sig[3] == "chf"):
        f.append(("pleura", rng.choice(PLEURA_NORMAL)))
    elif sig and sig[2] != "pleura" and sig[3] != "chf":
        f.append(("pleura", "No pneumothorax."))
    elif sig and sig[3] == "ptx":
        pass
    b = rng.choice(BONE_NORMAL)
    body = [(g, s) for g, s in f]
    for it in items:
        body.append(("item", it))
    rng.shuffle(body)
    # keep heart/lung order plausible: normal sentences first in usual VA order half the time
    if rng.random() < 0.5:
        order = {"heart": 0, "lung": 1, "pleura": 2, "item": 1}
        body.sort(key=lambda x: order[x[0]])
    if b and not any(i[0].startswith(("Degenerative", "Mild DJD", "Old healed")) for i in items):
        body.append(("bone", b))
    return {"history": hist, "items": items, "body": body, "side": side, "sig": sig}


def _render_findings(body, style: str) -> str:
    sents = [x[1] if x[0] != "item" else x[1][0] for x in body]
    if style == "list":
        return "\n".join(f"  {s}" for s in sents)
    return " ".join(sents)


def _impression(rng: random.Random, items, *, normal_macro: str | None = None) -> tuple[str, str]:
    """Impression text and primary dx code."""
    sig = [i for i in items if i[2] == "sig"]
    chron = [i for i in items if i[2] == "chronic" and i[1]]
    phrases = [i[1] for i in sig]
    if chron and (sig or rng.random() < 0.55):
        phrases += [i[1] for i in chron if rng.random() < 0.7]
    if not sig:
        # 'Normal chest' / 'Negative chest' only when the findings are all normal
        macro = normal_macro or rng.choice([m for m in NORMAL_MACROS if not items or
                                            not m.startswith(("Normal", "Negative"))])
        if phrases:
            phrases = [macro.rstrip(".") + "." ] + phrases if rng.random() < 0.5 else phrases + [macro]
        else:
            phrases = [macro]
    if len(phrases) == 1:
        text = phrases[0]
    elif rng.random() < 0.7:
        text = "\n".join(f"{k}. {p}" for k, p in enumerate(phrases, 1))
    else:
        text = " ".join(phrases)
    if sig:
        dx = rng.choice(["ABNORMALITY, ATTN. NEEDED", "ABNORMALITY, ATTN. NEEDED",
                         "MAJOR ABNORMALITY, PHYSICIAN AWARE"])
    elif items:
        dx = "MINOR ABNORMALITY"
    else:
        dx = "NORMAL"
    return text, dx


PRIOR_WORDS = re.compile(r"\b(prior|new|unchanged|increased|stable|since|change|interval|previous)\b", re.I)


def _comparison(rng: random.Random, text: str) -> str:
    """A comparison line that agrees with the report: no 'None' when the text refers to a prior."""
    if PRIOR_WORDS.search(text):
        return rng.choice([c for c in COMPARISONS if not c.startswith("None") and "not available" not in c])
    return rng.choice(COMPARISONS)


def _layout_composed(rng, parts, findings, impression, dx, **kw) -> str:
    comp = _comparison(rng, f"{findings or ''} {impression or ''}")
    return va_layout(rng, history=parts["history"], comparison=comp, findings=findings,
                     impression=impression, technique=rng.choice(TECHNIQUES),
                     dx=dx if rng.random() < 0.6 else None, **kw)


def composed_clean(rng: random.Random) -> tuple[str, str]:
    parts = _compose_parts(rng, None)
    style = rng.choice(["prose", "prose", "list"])
    imp, dx = _impression(rng, parts["items"])
    if not parts["items"] and rng.random() < 0.12:
        # impression-only normal: impression itself describes the film
        imp = rng.choice(["Heart size normal. Lungs clear. No effusion or pneumothorax. No acute process.",
                          "The heart and lungs are within normal limits. No acute cardiopulmonary disease.",
                          "Lungs are clear. Cardiomediastinal silhouette normal. Negative chest."])
        return _layout_composed(rng, parts, None, imp, "NORMAL"), "impression-only normal report"
    return _layout_composed(rng, parts, _render_findings(parts["body"], style), imp, dx), ""


EMPTY_IMP_FOLLOW = ["", "", "", "Dictated but not read."]


def composed_missing(rng: random.Random) -> tuple[str, str]:
    mode = rng.random()
    if mode < 0.7:
        parts = _compose_parts(rng, rng.random() < 0.5)
        fnd = _render_findings(parts["body"], rng.choice(["prose", "list"]))
        if rng.random() < 0.55:
            return _layout_composed(rng, parts, fnd, "", None), "impression section left empty"
        return _layout_composed(rng, parts, fnd, None, None), "impression section left out"
    parts = _compose_parts(rng, False)
    imp = rng.choice(["See findings above.", "As above.", "No significant interval change.", "Stable exam.",
                      "Unchanged from prior.", "Compared with prior, no change.", "Findings as above."])
    if rng.random() < 0.6:
        return (_layout_composed(rng, parts, "", imp, None),
                f"findings section left empty; impression ('{imp}') does not describe the film")
    return (_layout_composed(rng, parts, None, imp, None),
            f"findings section left out; impression ('{imp}') does not describe the film")


def composed_laterality(rng: random.Random) -> tuple[str, str]:
    parts = _compose_parts(rng, True, need_side=True)
    side = parts["side"]
    style = rng.choice(["prose", "list"])
    items = parts["items"]
    sig = items[0]
    imp, dx = _impression(rng, items)
    if rng.random() < 0.6:
        # impression dictated with the wrong side
        new_imp = _swap_side(imp, sig[1], side)
        fnd = _render_findings(parts["body"], style)
        detail = f"impression puts the {sig[4]} finding on the {OPP[side]}, findings on the {side}"
        return _layout_composed(rng, parts, fnd, new_imp, dx), detail
    # findings sentence flipped
    new_body = [(g, (_fill_side(x[0], side, OPP[side]),) + tuple(x[1:])) if g == "item" and x is sig else (g, x)
                for g, x in parts["body"]]
    fnd = _render_findings(new_body, style)
    detail = f"findings put the {sig[4]} finding on the {OPP[side]}, impression on the {side}"
    return _layout_composed(rng, parts, fnd, imp, dx), detail


DEVICE_AFTER = (r"(?i:(?![- ]+(?:atri|ventric|internal jugular|ij\b|subclavian|brachio|upper extremity|"
                r"arm\b|picc|chest wall)))")


def _fill_side(text: str, side: str, new: str) -> str:
    """Flip a side word, leaving device/vascular positions (right atrium, left IJ line) alone."""
    text = re.sub(rf"\b{side}\b{DEVICE_AFTER}", new, text, flags=0)
    return re.sub(rf"\b{side.capitalize()}\b{DEVICE_AFTER}", new.capitalize(), text)


def _swap_side(imp: str, phrase: str, side: str) -> str:
    return imp.replace(phrase, _fill_side(phrase, side, OPP[side]), 1)


def composed_negation(rng: random.Random) -> tuple[str, str]:
    mode = rng.randrange(5)
    style = rng.choice(["prose", "list"])
    if mode in (0, 1):
        # findings affirm a significant finding, impression negates it explicitly
        parts = _compose_parts(rng, True)
        sig = parts["items"][0]
        neg = {"cons": ["No focal consolidation or pneumonia.", "No infiltrate."],
               "rml": ["No pneumonia.", "Lungs are clear."],
               "eff": ["No pleural effusion.", "No effusion."],
               "ptx": ["No pneumothorax.", "No pneumothorax identified."],
               "chf": ["No CHF or pulmonary edema.", "No evidence of failure."],
               "nod": ["No suspicious pulmonary nodule.", "No lung nodule or mass."],
               "mass": ["No mass.", "No suspicious mass lesion."]}[sig[4]]
        n = rng.choice(neg)
        rest = [i[1] for i in parts["items"][1:] if i[1]]
        imp = " ".join([n] + rest + (["No acute cardiopulmonary process."] if rng.random() < 0.3 else []))
        fnd = _render_findings(parts["body"], style)
        return (_layout_composed(rng, parts, fnd, imp, None),
                f"findings affirm {sig[4]} ('{sig[0]}'); impression says '{n}'")
    parts = _compose_parts(rng, False)
    fnd_sents = [x for x in parts["body"]]
    side = parts["side"]
    if mode == 2:
        # findings: lungs clear; impression: pneumonia
        fnd_body = [(g, x) for g, x in fnd_sents if g != "lung"] + [("lung", "The lungs are clear.")]
        fnd_body = [b for b in fnd_body
                    if not (b[0] == "item" and b[1][0].lower().startswith(("minimal", "calcified")))]
        if rng.random() < 0.5:
            fnd_body = [fnd_body[-1]] + fnd_body[:-1]
        claim = rng.choice([f"{side.capitalize()} lower lobe pneumonia.", f"{side.capitalize()} basilar infiltrate.",
                            f"Patchy {side} upper lobe airspace disease, likely pneumonia."])
        imp = claim
        det = f"findings say the lungs are clear; impression says '{claim}'"
        fnd = _render_findings(fnd_body, style)
    elif mode == 3:
        # findings: heart normal; impression: cardiomegaly
        fnd_body = [(g, x) for g, x in fnd_sents if g != "heart" and not (g == "item" and any(
            w in x[0].lower() for w in ("heart", "cardi")))]
        fnd_body.insert(0, ("heart", rng.choice(["Heart size is normal.", "The heart is not enlarged.",
                                                 "Normal cardiac size."])))
        claim = rng.choice(["Cardiomegaly.", "Moderate cardiomegaly, stable.", "Enlarged heart. No acute process."])
        imp = claim
        det = f"findings say heart size normal; impression says '{claim}'"
        fnd = _render_findings(fnd_body, style)
    else:
        # findings: no effusion / no pneumothorax; impression affirms it
        fnd_body = [(g, x) for g, x in fnd_sents if g != "pleura" and not (g == "item" and "effusion" in x[0])]
        which = rng.choice(["eff", "ptx"])
        if which == "eff":
            fnd_body.append(("pleura", "No pleural effusion or pneumothorax."))
            claim = f"Small {side} pleural effusion."
        else:
            fnd_body.append(("pleura", "No pneumothorax."))
            claim = f"Tiny {side} apical pneumothorax."
        imp = rng.choice([claim, f"1. {claim}\n2. Otherwise no acute cardiopulmonary process."])
        det = f"findings negate it; impression says '{claim}'"
        fnd = _render_findings(fnd_body, style)
    return _layout_composed(rng, parts, fnd, imp, None), det


def composed_omits(rng: random.Random) -> tuple[str, str]:
    parts = _compose_parts(rng, True)
    sig = parts["items"][0]
    fnd = _render_findings(parts["body"], rng.choice(["prose", "list"]))
    chron = [i[1] for i in parts["items"][1:] if i[1]]
    mode = rng.random()
    if mode < 0.55 or not chron:
        imp = rng.choice(NORMAL_MACROS)
        dx = "NORMAL" if rng.random() < 0.5 else None
        det = f"normal macro '{imp}' in the impression; findings affirm {sig[4]}"
    else:
        imp = "\n".join(f"{k}. {p}" for k, p in enumerate(chron + ["No acute process."], 1))
        dx = None
        det = f"impression lists only chronic findings; findings affirm {sig[4]}"
    return _layout_composed(rng, parts, fnd, imp, dx), det


PH_TOKENS = ["***", "[***]", "[ ]", "<<>>", "[   ]", "{***}", "***.", "[ *** ]"]


def composed_placeholder(rng: random.Random) -> tuple[str, str]:
    parts = _compose_parts(rng, None)
    style = rng.choice(["prose", "list"])
    imp, dx = _impression(rng, parts["items"])
    tok = rng.choice(PH_TOKENS)
    mode = rng.randrange(5)
    fnd = _render_findings(parts["body"], style)
    comp = _comparison(rng, f"{fnd} {imp}")
    if mode == 0:
        comp = tok if rng.random() < 0.5 else f"Chest radiograph dated {tok}"
        det = f"comparison field left as '{tok}'"
    elif mode == 1:
        fld = rng.choice(["Heart size is {t}.", "The {t} lung is clear.", "No {t} pleural effusion.",
                          "There is a {t} cm calcified granuloma."])
        sent = fld.replace("{t}", tok.rstrip("."))
        fnd = fnd + ("\n  " if style == "list" else " ") + sent
        det = f"template field '{tok}' left unfilled in findings"
    elif mode == 2:
        t = tok.rstrip(".")
        extra = [f"Compared with {t}, no change.", f"Clinical correlation re: {t}."]
        if parts["sig"]:
            extra += [f"Recommend follow-up in {t} weeks.", f"Findings discussed with Dr. {t} at {t}."]
        imp = imp + ("\n" if "\n" in imp else " ") + rng.choice(extra)
        det = f"template field '{tok}' left unfilled in impression"
    elif mode == 3:
        word = rng.choice([w for w in ("clear", "normal", "No") if w in fnd] or ["No"])
        fnd = fnd.replace(word, tok.rstrip("."), 1)
        det = f"'{word}' replaced by unfilled field '{tok}'"
    else:
        hist_tok = rng.choice(["***", "[reason for exam]", "<<Reason for exam>>", "[ ]"])
        parts = dict(parts, history=hist_tok)
        tok = hist_tok
        det = f"clinical history field left as '{hist_tok}'"
    rep = va_layout(rng, history=parts["history"], comparison=comp, findings=fnd, impression=imp,
                    technique=rng.choice(TECHNIQUES), dx=dx if rng.random() < 0.5 else None)
    return rep, det


COMPOSERS = {"missing_section": composed_missing, "laterality_conflict": composed_laterality,
             "negation_conflict": composed_negation, "impression_omits_finding": composed_omits,
             "placeholder": composed_placeholder}


# ---------------------------------------------------------------------------------------------
# Real reports: re-laid-out, lightly re-worded
# ---------------------------------------------------------------------------------------------

REWORD = [
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary process"),
    (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary process"),
    (r"\bXXXX-year-old\b", "XXXX yo"),
    (r"\byear-old\b", "yo"),
    (r"\bhistory of\b", "h/o"),
    (r"\bshortness of breath\b", "SOB"),
    (r"\bCardiomediastinal\b", "Cardiomediastinal"),
    (r"\bwithin normal limits\b", "WNL"),
    (r"\bchronic obstructive pulmonary disease\b", "COPD"),
    (r"\bcongestive heart failure\b", "CHF"),
    (r"\bpreoperative\b", "pre-op"),
    (r"\bPreoperative\b", "Pre-op"),
    (r"\bfollow-up\b", "f/u"),
    (r"\.\.+", "."),
]


def reword(text: str, rng: random.Random) -> str:
    for pat, rep in REWORD:
        if rep in ("WNL", "f/u", "h/o") and rng.random() < 0.5:
            continue
        text = re.sub(pat, rep, text)
    return text.strip()


def _real_layout(rng, r, findings, impression, *, comparison=None, history=None) -> str:
    hist = reword(history if history is not None else r["indication"], rng)
    comp = comparison if comparison is not None else reword(r["comparison"], rng)
    if findings is not None and findings and rng.random() < 0.25:
        findings = "\n".join(f"  {s}" for s in _sentences(findings))
    return va_layout(rng, history=hist, comparison=comp, findings=findings, impression=impression,
                     technique=rng.choice(TECHNIQUES))


NORMAL_IMP = re.compile(r"^(\d\.\s*)?(no acute|normal chest|negative|no active|no evidence of acute|"
                        r"no radiographic evidence of acute|no acute cardiopulmonary)[^.]*\.?$", re.I)
SIDE_T = re.compile(r"\b(right|left)\s+(upper lobe|middle lobe|lower lobe|lung base|base|basilar|basal|apical|"
                    r"apex|perihilar|hilar|pleural effusion|effusion|midlung|mid lung|hemithorax|"
                    r"costophrenic|lung)\b", re.I)


NORMALISH_IMP = re.compile(r"^\W*(?:1\.\s*)?(?:no acute|no active|no evidence of (?:acute|active)|normal chest|"
                           r"negative|unremarkable|clear lungs|no radiographic evidence|no significant|"
                           r"no cardiopulmonary|heart size normal)", re.I)


def _ok_real(r) -> bool:
    txt = " ".join([r["findings"], r["impression"], r["indication"], r["comparison"]])
    return bool(r["findings"]) and bool(r["impression"]) and not BAD_TEXT.search(txt) and \
        len(r["findings"]) > 40 and len(r["impression"]) < 500 and \
        not re.search(r"\b(IMPRESSION|FINDINGS|Exam|History|Comparison|Indication)\s*:", txt, re.I)


def real_candidates(rows):
    cand = {k: [] for k in ["clean"] + KINDS}
    for r in rows:
        if not _ok_real(r):
            continue
        f, i = r["findings"], r["impression"]
        om = omitted_sig(f, i)
        if om:
            continue  # the original itself leaves a significant finding out: not a clean base
        cand["clean"].append(r)
        cand["missing_section"].append(r)
        cand["placeholder"].append(r)
        aff = affirmed_sig(f)
        if affirmed_sig(f, strict=True) and not NORMAL_IMP.match(i.strip()):
            cand["impression_omits_finding"].append(r)
        fs = {(m.group(1).lower(), m.group(2).lower()) for m in SIDE_T.finditer(f)}
        im = {(m.group(1).lower(), m.group(2).lower()) for m in SIDE_T.finditer(i)}
        both = fs & im
        sides_all = {s for s, _ in fs | im}
        if both and len(sides_all) == 1 and not re.search(r"\b(bilateral|both|bibasilar|biapical)\b",
                                                          f + " " + i, re.I):
            cand["laterality_conflict"].append(r)
        negs = re.search(r"\bno (?:pleural )?effusions?\b|\bno pneumothorax\b|\blungs are clear\b|"
                         r"\bheart size is normal\b|\bnormal heart size\b|\bno (?:focal )?consolidation\b", f, re.I)
        if not aff and len(i) < 140 and NORMALISH_IMP.match(i) and negs:
            cand["negation_conflict"].append(r)
    return cand


def real_clean(rng, r):
    return _real_layout(rng, r, reword(r["findings"], rng), reword(r["impression"], rng)), ""


def real_missing(rng, r):
    f, _ = reword(r["findings"], rng), reword(r["impression"], rng)
    if rng.random() < 0.75:
        if rng.random() < 0.5:
            return _real_layout(rng, r, f, ""), "impression emptied"
        return _real_layout(rng, r, f, None), "impression section removed"
    imp = rng.choice(["No change.", "See above.", "Stable.", "No significant change from prior.",
                      "As described above."])
    return _real_layout(rng, r, "", imp), f"findings emptied; impression replaced by '{imp}'"


def real_laterality(rng, r):
    f, i = reword(r["findings"], rng), reword(r["impression"], rng)
    side = SIDE_T.search(i).group(1).lower()
    if rng.random() < 0.6:
        return _real_layout(rng, r, f, _fill_side(i, side, OPP[side])), \
            f"{side} changed to {OPP[side]} throughout the impression"
    return _real_layout(rng, r, _fill_side(f, side, OPP[side]), i), \
        f"{side} changed to {OPP[side]} throughout the findings"


def real_negation(rng, r):
    f, _ = reword(r["findings"], rng), reword(r["impression"], rng)
    side = rng.choice(["right", "left"])
    opts = []
    if re.search(r"\bno (?:pleural )?effusions?\b", f, re.I):
        opts.append((f"Small {side} pleural effusion.", "findings say no effusion"))
    if re.search(r"\bno pneumothorax\b", f, re.I):
        opts.append((f"Small {side} apical pneumothorax.", "findings say no pneumothorax"))
    if re.search(r"\blungs are clear\b|\bno (?:focal )?consolidation\b", f, re.I):
        opts.append((f"{side.capitalize()} lower lobe infiltrate, likely pneumonia.",
                     "findings say lungs clear / no consolidation"))
    if re.search(r"\bheart size is normal\b|\bnormal heart size\b", f, re.I):
        opts.append(("Cardiomegaly.", "findings say heart size normal"))
    claim, why = rng.choice(opts)
    # the dictated impression is replaced by the wrong statement (the findings stay as they were)
    new_i = rng.choice([claim, claim, f"1. {claim}\n2. Otherwise no acute cardiopulmonary process.",
                        f"{claim} Otherwise negative."])
    return _real_layout(rng, r, f, new_i), f"impression now says '{claim}'; {why}"


def real_omits(rng, r):
    f = reword(r["findings"], rng)
    term = affirmed_sig(r["findings"], strict=True)[0]
    imp = rng.choice(NORMAL_MACROS)
    return _real_layout(rng, r, f, imp), f"impression replaced by '{imp}'; findings affirm '{term}'"


def real_placeholder(rng, r):
    f, i = reword(r["findings"], rng), reword(r["impression"], rng)
    tok = rng.choice(PH_TOKENS).rstrip(".")
    mode = rng.randrange(3)
    words = [w for w in ("normal", "clear", "right", "left", "No", "mild", "small") if re.search(rf"\b{w}\b", f)]
    if mode == 0 and words:
        w = rng.choice(words)
        f = re.sub(rf"\b{w}\b", tok, f, count=1)
        return _real_layout(rng, r, f, i), f"'{w}' in findings replaced by '{tok}'"
    if mode == 1:
        w_i = [w for w in ("acute", "normal", "No", "right", "left", "stable") if re.search(rf"\b{w}\b", i)]
        if w_i:
            w = rng.choice(w_i)
            i = re.sub(rf"\b{w}\b", tok, i, count=1)
            return _real_layout(rng, r, f, i), f"'{w}' in impression replaced by '{tok}'"
    return _real_layout(rng, r, f, i, comparison=rng.choice([tok, f"PA and lateral chest {tok}"])), \
        f"comparison left as unfilled field '{tok}'"


REAL = {"clean": real_clean, "missing_section": real_missing, "laterality_conflict": real_laterality,
        "negation_conflict": real_negation, "impression_omits_finding": real_omits,
        "placeholder": real_placeholder}


# ---------------------------------------------------------------------------------------------

def build(seed: int) -> list[dict]:
    rng = random.Random(f"h69-{seed}")
    dev = dev_uids()
    rows = [r for r in load_iu() if r["uid"] not in dev]
    cand = real_candidates(rows)
    used: set[str] = set()
    cases = []
    plan = [("clean", N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        half = n // 2
        for _ in range(half):
            if kind == "clean":
                rep, det = composed_clean(rng)
            else:
                rep, det = COMPOSERS[kind](rng)
            cases.append({"injected": None if kind == "clean" else kind, "detail": det, "report": rep,
                          "_src": "composed"})
        pool = [r for r in cand[kind] if r["uid"] not in used]
        picks = rng.sample(pool, n - half)
        for r in picks:
            used.add(r["uid"])
            rep, det = REAL[kind](rng, r)
            det = (det + f" (real {r['uid']})").strip() if det else f"real {r['uid']}, re-laid-out"
            cases.append({"injected": None if kind == "clean" else kind, "detail": det, "report": rep,
                          "_src": r["uid"]})
    rng.shuffle(cases)
    out = []
    for n, c in enumerate(cases):
        out.append({"id": f"h69-{seed}-{n}", "injected": c["injected"], "detail": c["detail"],
                    "report": c["report"]})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    cases = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for c in cases:
            fh.write(json.dumps(c) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == kind][: a.show]:
                print(f"===== {c['id']}  {kind}  | {c['detail']}\n{c['report']}\n")
    print(f"wrote {len(cases)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
