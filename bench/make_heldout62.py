"""Held-out report-error set 62: the everyday adult ED chest list of US hospitals.

Written blind: without reading the checker, its tests, its docs or any other generator. Only the scorer,
the eval README, the IU archive and the dev-set `uid` field were read.

Styles: final attending reports from several US ED readers, each with their own template --
PA/lateral with "EXAMINATION/CLINICAL INDICATION/TECHNIQUE/COMPARISON", portable AP with organ
sub-headings (Lines/tubes, Lungs, Pleura, Heart and mediastinum, Bones), a terse one-line-per-section
reader, a trauma-bay supine AP template, and numbered impressions with electronic signature lines.
Indications: chest pain, shortness of breath, cough and fever, trauma, syncope. Half of every group is
composed from a phrase bank (ordinary ED mix: clear chests, pneumonia, effusions, CHF, pneumothorax,
nodules, rib fractures, atelectasis, COPD, mild cardiomegaly, granulomas); half are real IU reports
(dev uids excluded) re-laid-out in those templates with light re-wording. Errors are ordinary slips:
a side flipped while dictating, a normal macro left in FINDINGS or pasted into IMPRESSION, an Epic
`***` wildcard or PowerScribe `[right/left]` pick-list left unfilled, an impression never dictated.

usage: python -m bench.make_heldout62 OUT.jsonl --seed S [--show N]
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


# ---------------------------------------------------------------- shared data
def shared_dir():
    env = os.environ.get("MEDRAG_SHARED_DIR")
    d = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    if not (d / "data/iu_reports/NLMCXR_reports.tgz").exists() or not (d / "eval/report_errors_dev.jsonl").exists():
        print(f"shared data not found in {d}: set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        sys.exit(2)
    return d


def dev_uids(d):
    with open(d / "eval/report_errors_dev.jsonl") as f:
        return {json.loads(line)["uid"] for line in f if line.strip()}


def load_iu(d):
    out = []
    with tarfile.open(d / "data/iu_reports/NLMCXR_reports.tgz") as t:
        for m in sorted((m for m in t.getmembers() if m.isfile() and m.name.endswith(".xml")), key=lambda m: m.name):
            root = ET.fromstring(t.extractfile(m).read())
            uid = root.find("uId").get("id")
            sec = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            out.append({"uid": uid, **{k.lower(): v for k, v in sec.items()}})
    return out


# ---------------------------------------------------------------- vocabulary
NEG = re.compile(
    r"\b(no|not|without|negative|free of|resolved|resolution|clear|normal|unremarkable|removed|exclude[ds]?)\b", re.I
)
FAM = {
    "pneumothorax": r"pneumothora",
    "effusion": r"effusion",
    "consolidation": r"consolidat|airspace|air space|infiltrat|pneumonia",
    "edema": r"edema|congesti|kerley",
    "mass": r"\bmass",
    "nodule": r"nodul",
    "collapse": r"collapse",
    "mediastinum": r"mediastin.{0,20}widen|widen.{0,20}mediastin",
    "new": r"\bnew\b|increas",
}
SIDE_OF = {"left": "right", "right": "left", "Left": "Right", "Right": "Left", "LEFT": "RIGHT", "RIGHT": "LEFT"}
NORMAL_IMP = [
    "No acute cardiopulmonary process.",
    "No acute cardiopulmonary abnormality.",
    "No acute intrathoracic process.",
    "No radiographic evidence of acute cardiopulmonary disease.",
    "Negative chest.",
    "No acute findings in the chest.",
]
INDICATIONS = [
    "Chest pain.",
    "Chest pain, rule out acute process.",
    "Shortness of breath.",
    "Dyspnea on exertion, worsening.",
    "Cough and fever.",
    "Fever, productive cough x 3 days.",
    "Syncope.",
    "Syncopal episode at home.",
    "Motor vehicle collision, chest wall pain.",
    "Fall from standing, left-sided chest pain.",
    "Pleuritic chest pain.",
    "Hypoxia.",
    "SOB, hx CHF.",
    "Cough, r/o pneumonia.",
    "Palpitations and chest tightness.",
    "Trauma.",
    "Weakness.",
    "Hemoptysis.",
]
READERS = ["Michael Chen, MD", "Sarah K. Patel, MD", "David Okafor, MD", "Laura Brennan, MD", "James Whitfield, DO"]


def sentences(text):
    return [s.strip() for s in re.split(r"(?<=[.;])\s+|\n+", text) if s.strip()]


def clauses(text):
    return [c for s in sentences(text) for c in re.split(r",\s*(?:and\s+)?|;\s*|\bbut\b|\bhowever\b", s) if c.strip()]


def affirmed(text, fam):
    """Families affirmed in any clause of text (clause containing the term and no negation cue)."""
    return any(re.search(FAM[fam], c, re.I) and not NEG.search(c) for c in clauses(text))


def affirmed_strict(text, fam):
    """Affirmed in a whole sentence with no negation cue anywhere in it (for choosing what to omit)."""
    return any(re.search(FAM[fam], s, re.I) and not NEG.search(s) for s in sentences(text))


def mentions(text, fam):
    return bool(re.search(FAM[fam], text, re.I))


# ---------------------------------------------------------------- composed finding bank
def cap(s):
    return s[:1].upper() + s[1:]


def make_finding(rng, kind, side=None):
    side = side or rng.choice(["right", "left"])
    lobe = (
        rng.choice(["lower", "lower", "upper", "middle"])
        if side == "right"
        else rng.choice(["lower", "lower", "upper"])
    )
    if kind == "pneumonia":
        f = rng.choice(
            [
                f"Patchy airspace opacity in the {side} {lobe} lobe.",
                f"Focal consolidation in the {side} {lobe} lobe with air bronchograms.",
                f"There is a new ill-defined opacity at the {side} lung base."
                if lobe == "lower"
                else f"Airspace opacity in the {side} {lobe} lobe.",
                f"Hazy {side} {lobe} lobe airspace disease.",
            ]
        )
        i = rng.choice(
            [
                f"{cap(side)} {lobe} lobe pneumonia.",
                f"{cap(side)} {lobe} lobe airspace disease, compatible with pneumonia"
                " in the appropriate clinical setting.",
                f"Findings concerning for {side} {lobe} lobe pneumonia. Follow-up to resolution recommended.",
            ]
        )
        return dict(fam="consolidation", side=side, sig=True, f=f, i=i, sec="lungs", grade=None)
    if kind == "effusion":
        g = rng.choice(["moderate", "moderate", "large"])
        f = rng.choice(
            [
                f"{cap(g)} {side} pleural effusion with adjacent compressive atelectasis.",
                f"{cap(g)} {side} pleural effusion with meniscus and blunting of the costophrenic angle.",
                f"There is a {g} {side} pleural effusion.",
            ]
        )
        i = rng.choice(
            [
                f"{cap(g)} {side} pleural effusion.",
                f"{cap(g)} {side} pleural effusion with basilar atelectasis; underlying infection not excluded.",
            ]
        )
        return dict(fam="effusion", side=side, sig=True, f=f, i=i, sec="pleura", grade=g)
    if kind == "small_effusion":
        f = rng.choice(
            [
                f"Small {side} pleural effusion.",
                f"Trace {side} pleural effusion with blunting of the costophrenic angle.",
                f"Blunting of the {side} costophrenic angle, likely a small effusion.",
            ]
        )
        return dict(
            fam="effusion", side=side, sig=False, f=f, i=f"Small {side} pleural effusion.", sec="pleura", grade="small"
        )
    if kind == "pneumothorax":
        n = rng.choice(["8 mm", "1.2 cm", "2 cm", "1.5 cm"])
        f = rng.choice(
            [
                f"Small {side} apical pneumothorax measuring {n} from apex to dome.",
                f"{cap(side)} apical pneumothorax, apex-to-cupola distance {n}.",
                f"There is a {side} pneumothorax with visible pleural line, approximately {n}.",
            ]
        )
        i = rng.choice(
            [
                f"{cap(side)} apical pneumothorax, {n}."
                " Results called to the ED physician at the time of interpretation.",
                f"Small {side} pneumothorax.",
                f"{cap(side)} pneumothorax as described.",
            ]
        )
        return dict(fam="pneumothorax", side=side, sig=True, f=f, i=i, sec="pleura", grade=None)
    if kind == "edema":
        f = rng.choice(
            [
                "Pulmonary vascular congestion with interstitial edema and Kerley B lines.",
                "Cephalization of the pulmonary vasculature and diffuse interstitial edema.",
                "Bilateral perihilar haziness and interstitial markings consistent with edema.",
            ]
        )
        i = rng.choice(
            [
                "Mild interstitial pulmonary edema.",
                "Findings consistent with CHF with interstitial edema.",
                "Pulmonary edema.",
            ]
        )
        return dict(fam="edema", side=None, sig=True, f=f, i=i, sec="lungs", grade=None)
    if kind == "nodule":
        n = rng.choice([8, 9, 11, 14, 18])
        z = rng.choice(["upper", "mid", "lower"])
        f = rng.choice(
            [
                f"{n} mm nodular opacity in the {side} {z} lung zone.",
                f"There is {'an' if n in (8, 11, 18) else 'a'} {n} mm nodule projecting over the {side} {z} lung.",
            ]
        )
        i = rng.choice(
            [
                f"{n} mm {side} {z} lung nodule. Recommend nonemergent CT chest for further evaluation.",
                f"{cap(side)} {z} lung nodule, {n} mm; CT chest recommended.",
            ]
        )
        return dict(fam="nodule", side=side, sig=True, f=f, i=i, sec="lungs", grade=None)
    if kind == "rib_fx":
        r = rng.choice(["5th and 6th", "7th", "4th through 6th", "8th"])
        pl = "s" if ("and" in r or "through" in r) else ""
        f = rng.choice(
            [
                f"Acute appearing fracture{pl} of the {side} lateral {r} rib{pl}.",
                f"Nondisplaced {side} {r} anterolateral rib fracture{pl}.",
            ]
        )
        return dict(
            fam="rib",
            side=side,
            sig=False,
            f=f,
            i=f"Acute {side} {r} rib fracture{'s' if 'and' in r or 'through' in r else ''}.",
            sec="bones",
            grade=None,
        )
    if kind == "atelectasis":
        f = rng.choice(
            [
                "Mild bibasilar atelectasis.",
                "Linear subsegmental atelectasis at the lung bases.",
                "Streaky bibasilar opacities, likely atelectasis.",
            ]
        )
        return dict(fam="atelectasis", side=None, sig=False, f=f, i="Bibasilar atelectasis.", sec="lungs", grade=None)
    if kind == "copd":
        f = rng.choice(
            ["The lungs are hyperinflated with flattened hemidiaphragms.", "Hyperexpanded lungs, consistent with COPD."]
        )
        return dict(
            fam="copd", side=None, sig=False, f=f, i="Hyperinflation consistent with COPD.", sec="lungs", grade=None
        )
    if kind == "cardiomegaly":
        f = rng.choice(["Mild cardiomegaly.", "The heart is mildly enlarged.", "Borderline cardiomegaly, stable."])
        return dict(fam="heart", side=None, sig=False, f=f, i="Mild cardiomegaly.", sec="heart", grade="mild")
    if kind == "granuloma":
        f = rng.choice(
            [f"Calcified granuloma in the {side} upper lobe.", f"Small calcified granuloma at the {side} lung base."]
        )
        return dict(fam="granuloma", side=side, sig=False, f=f, i=None, sec="lungs", grade=None)
    raise ValueError(kind)


NEG_SENT = {
    "consolidation": ["No focal consolidation.", "No focal airspace disease.", "The lungs are clear."],
    "edema": ["No pulmonary edema.", "Pulmonary vasculature is normal."],
    "effusion": ["No pleural effusion."],
    "pneumothorax": ["No pneumothorax."],
    "heart": [
        "Heart size is normal.",
        "The cardiomediastinal silhouette is within normal limits.",
        "Normal heart size.",
    ],
    "rib": [
        "No acute osseous abnormality.",
        "No acute osseous abnormality.",
        "No displaced rib fracture.",
        "Osseous structures are unremarkable.",
    ],
}
OTHER = [
    "Degenerative changes of the thoracic spine.",
    "Atherosclerotic calcification of the aortic arch.",
    "Tortuous thoracic aorta.",
    "Surgical clips in the right upper quadrant.",
    "Mediastinal contours are normal.",
    "Visualized upper abdomen is unremarkable.",
]


def negatives(rng, present, section):
    out = []
    for fam, opts in NEG_SENT.items():
        if fam in present:
            continue
        if fam == "consolidation" and (
            {"edema", "nodule", "atelectasis", "copd", "granuloma", "effusion", "pneumothorax"} & present
        ):
            opts = ["No focal consolidation.", "No focal airspace disease."]
        if section and fam not in section:
            continue
        out.append(rng.choice(opts))
    if "effusion" not in present and "pneumothorax" not in present and rng.random() < 0.6:
        out = [o for o in out if o not in ("No pleural effusion.", "No pneumothorax.")]
        out.append(
            rng.choice(
                [
                    "No pleural effusion or pneumothorax.",
                    "No pneumothorax or pleural effusion.",
                    "No effusion or pneumothorax.",
                ]
            )
        )
    return out


def composed_sections(rng, finds, negated_fams=()):
    """Return dict of organ-section -> sentences (affirmed findings + consistent negatives)."""
    present = {f["fam"] for f in finds} | set(negated_fams and [])
    secs = {"lines": [], "lungs": [], "pleura": [], "heart": [], "bones": []}
    for f in finds:
        secs[f["sec"]].append(f["f"])
    group = {
        "consolidation": "lungs",
        "edema": "lungs",
        "effusion": "pleura",
        "pneumothorax": "pleura",
        "heart": "heart",
        "rib": "bones",
    }
    for s in negatives(rng, present, None):
        low = s.lower()
        g = (
            "pleura"
            if ("effusion" in low or "pneumothorax" in low)
            else "heart"
            if ("heart" in low or "cardio" in low)
            else "bones"
            if ("osseous" in low or "rib" in low)
            else "lungs"
        )
        secs[g].append(s)
    del group
    if rng.random() < 0.35:
        o = rng.choice(OTHER)
        if "ediastin" in o and "ediastin" in " ".join(secs["heart"]):
            o = OTHER[0]
        secs["heart" if "contour" in o or "aort" in o else "bones"].append(o)
    return secs


# ---------------------------------------------------------------- layouts
def fmt_date(rng):
    day = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/20{rng.randint(19, 24)}"
    return f"{day} {rng.randint(0, 23):02d}:{rng.choice(['04', '17', '32', '48', '55'])}"


def render(rng, style, indication, comparison, findings, impression, view=None, missing=None):
    """findings: str or dict of subsections; impression: list of sentences.
    missing: None | 'drop_imp' | 'empty_imp' | 'empty_find'."""
    reader = rng.choice(READERS)
    view = view or rng.choice(["PA AND LATERAL", "2 VIEWS", "1 VIEW PORTABLE"])
    if isinstance(findings, dict):
        if style == "organ":
            ftxt = "\n".join(
                f"{lab}: {' '.join(findings[k]) or 'Unremarkable.'}"
                for k, lab in [
                    ("lines", "Lines/tubes"),
                    ("lungs", "Lungs"),
                    ("pleura", "Pleura"),
                    ("heart", "Heart and mediastinum"),
                    ("bones", "Bones/soft tissues"),
                ]
            )
            ftxt = ftxt.replace("Lines/tubes: Unremarkable.", "Lines/tubes: None.")
        else:
            order = (
                ["lines", "heart", "lungs", "pleura", "bones"]
                if rng.random() < 0.5
                else ["lines", "lungs", "pleura", "heart", "bones"]
            )
            ftxt = " ".join(s for k in order for s in findings[k])
    else:
        ftxt = findings
    if len(impression) > 1 and style in ("academic", "organ", "trauma"):
        itxt = "\n" * (style == "trauma") + "\n".join(f"{n}. {s}" for n, s in enumerate(impression, 1))
    else:
        itxt = " ".join(impression)
    if missing == "empty_find":
        ftxt = ""
    sig = rng.choice(
        [
            f"Electronically signed by: {reader} on {fmt_date(rng)}",
            f"Dictated by {reader}. Signed {fmt_date(rng)}.",
            f"Attending radiologist: {reader}",
        ]
    )
    if style == "academic":
        parts = [
            f"EXAMINATION: XR CHEST {view}",
            f"CLINICAL INDICATION: {indication}",
            "TECHNIQUE: "
            + (
                "Frontal and lateral views of the chest."
                if "PORTABLE" not in view
                else "Single portable AP view of the chest."
            ),
            f"COMPARISON: {comparison}",
            f"FINDINGS:\n{ftxt}".rstrip(),
            f"IMPRESSION:\n{itxt}".rstrip(),
            sig,
        ]
    elif style == "organ":
        parts = [
            f"XR CHEST {view}",
            f"HISTORY: {indication}",
            f"COMPARISON: {comparison}",
            f"FINDINGS:\n{ftxt}".rstrip(),
            f"IMPRESSION:\n{itxt}".rstrip(),
            sig,
        ]
    elif style == "terse":
        parts = [
            f"CHEST {view.replace('2 VIEWS', 'PA/LAT')}. INDICATION: {indication} COMPARISON: {comparison}",
            f"FINDINGS: {ftxt}".rstrip(),
            f"IMPRESSION: {itxt}".rstrip(),
            sig,
        ]
    else:  # trauma / portable
        parts = [
            "CHEST AP SUPINE, TRAUMA BAY" if style == "trauma" else f"PROCEDURE: CHEST X-RAY {view}",
            f"REASON FOR EXAM: {indication}",
            f"COMPARISON: {comparison}",
            f"FINDINGS: {ftxt}".rstrip(),
            f"IMPRESSION: {itxt}".rstrip(),
            sig,
        ]
    if missing == "drop_imp":
        parts = [p for p in parts if not p.startswith("IMPRESSION")]
    return "\n\n".join(parts).replace(": \n", ":\n")


STYLES = ["academic", "organ", "terse", "portable", "trauma"]
COMPARISONS = ["None.", "None available.", "Chest radiograph {d}.", "Prior study from {d}.", "CT chest {d}.", "None."]


def comparison(rng):
    return rng.choice(COMPARISONS).format(d=f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/20{rng.randint(15, 23)}")


# ---------------------------------------------------------------- composed cases
SIG_KINDS = ["pneumonia", "effusion", "pneumothorax", "edema", "nodule"]
MINOR = ["small_effusion", "atelectasis", "copd", "cardiomegaly", "granuloma", "rib_fx"]


def pick_findings(rng, style, need_sig=False, need_side=False):
    finds, used = [], set()
    n_sig = 1 if need_sig or need_side else (0 if rng.random() < 0.5 else 1)
    pool = [k for k in SIG_KINDS if not need_side or k != "edema"]
    if style == "trauma":
        pool = ["pneumothorax", "effusion"] if need_sig or need_side else pool
    for _ in range(n_sig):
        k = rng.choice(pool)
        finds.append(make_finding(rng, k))
        used.add(finds[-1]["fam"])
    for f in finds:
        if style == "trauma" and f["fam"] == "effusion":
            f["i"] = f"{cap(f['grade'])} {f['side']} pleural effusion, possibly hemothorax in the setting of trauma."
    if style == "trauma" and rng.random() < 0.7:
        s = finds[0]["side"] if finds and finds[0].get("side") else None
        finds.append(make_finding(rng, "rib_fx", s))
        used.add("rib")
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        k = rng.choice(MINOR)
        f = make_finding(rng, k, finds[0]["side"] if k == "rib_fx" and finds and finds[0].get("side") else None)
        if (
            f["fam"] in used
            or (f["fam"] == "effusion" and "pneumothorax" in used)
            or (k == "rib_fx" and style != "trauma")
        ):
            continue
        if f["fam"] in ("heart", "copd", "atelectasis") and "edema" in used and f["fam"] == "copd":
            continue
        finds.append(f)
        used.add(f["fam"])
    return finds


def impression_for(rng, finds):
    imp = [f["i"] for f in finds if f["i"] and (f["sig"] or f["fam"] == "rib" or rng.random() < 0.5)]
    if not any(f["sig"] for f in finds):
        imp.append(rng.choice(NORMAL_IMP) if not imp else "No acute cardiopulmonary process.")
    return imp


def composed_case(rng, kind):
    style = rng.choice(STYLES)
    ind = rng.choice(
        [i for i in INDICATIONS if (style == "trauma") == (i.startswith(("Motor", "Fall", "Trauma")))] or INDICATIONS
    )
    comp = comparison(rng)
    view = "AP PORTABLE" if style == "trauma" else None
    detail = ""
    missing = None
    if kind is None:
        finds = pick_findings(rng, style)
        secs = composed_sections(rng, finds)
        imp = impression_for(rng, finds)
    elif kind == "missing_section":
        finds = pick_findings(rng, style)
        secs = composed_sections(rng, finds)
        imp = impression_for(rng, finds)
        missing = rng.choice(["drop_imp", "empty_imp", "empty_imp", "empty_find"])
        if missing == "empty_imp":
            imp = []
        detail = {
            "drop_imp": "IMPRESSION section never dictated (absent)",
            "empty_imp": "IMPRESSION header left with nothing under it",
            "empty_find": "FINDINGS header left empty",
        }[missing]
    elif kind == "laterality_conflict":
        finds = pick_findings(rng, style, need_side=True)
        secs = composed_sections(rng, finds)
        imp = impression_for(rng, finds)
        tgt = finds[0]
        if "middle" in tgt["f"] + (tgt["i"] or ""):
            raise AssertionError("no left middle lobe")
        old, new = tgt["side"], SIDE_OF[tgt["side"]]
        flip = lambda s: re.sub(rf"\b{old}\b", new, re.sub(rf"\b{cap(old)}\b", cap(new), s))  # noqa: E731
        if rng.random() < 0.6:
            imp = [flip(s) if s == tgt["i"] else s for s in imp]
            detail = f"IMPRESSION gives the {tgt['fam']} on the {new}; FINDINGS on the {old}"
        else:
            secs[tgt["sec"]] = [flip(s) if s == tgt["f"] else s for s in secs[tgt["sec"]]]
            detail = f"FINDINGS give the {tgt['fam']} on the {new}; IMPRESSION on the {old}"
        # drop other sided findings of the same family / rib fractures on the same side stay consistent
    elif kind == "negation_conflict":
        mode = rng.random()
        if mode < 0.55:  # normal findings macro left in place, impression dictated with a finding
            f = make_finding(rng, rng.choice(["pneumonia", "effusion", "pneumothorax", "edema", "cardiomegaly"]))
            if f["fam"] == "effusion" and style == "trauma":
                f["i"] = (
                    f"{cap(f['grade'])} {f['side']} pleural effusion, possibly hemothorax in the setting of trauma."
                )
            if f["fam"] == "heart":
                f["i"] = rng.choice(
                    ["Cardiomegaly.", "Mild cardiomegaly without edema.", "Enlarged cardiac silhouette."]
                )
            finds = []
            secs = composed_sections(rng, [])
            neg = {
                "consolidation": "The lungs are clear.",
                "effusion": "No pleural effusion.",
                "pneumothorax": "No pneumothorax.",
                "edema": "No pulmonary edema.",
                "heart": "Heart size is normal.",
            }[f["fam"]]
            allf = " ".join(s for v in secs.values() for s in v)
            if neg not in allf:
                g = {
                    "consolidation": "lungs",
                    "edema": "lungs",
                    "effusion": "pleura",
                    "pneumothorax": "pleura",
                    "heart": "heart",
                }[f["fam"]]
                drop = {
                    "consolidation": "consolidation|airspace|clear",
                    "edema": "edema|vasculature",
                    "effusion": "effusion",
                    "pneumothorax": "pneumothorax",
                    "heart": "heart|cardio",
                }[f["fam"]]
                secs[g] = [s for s in secs[g] if not re.search(drop, s, re.I)] + [neg]
            imp = [f["i"]]
            detail = f"FINDINGS (normal macro) rule out {f['fam']}; IMPRESSION affirms it: {f['i']}"
        else:  # finding described, impression states it is absent
            f = make_finding(rng, rng.choice(["effusion", "pneumothorax", "pneumonia", "cardiomegaly"]))
            if f["fam"] == "heart":
                f["f"] = rng.choice(
                    ["The heart is enlarged.", "Moderate cardiomegaly.", "Cardiac silhouette is enlarged."]
                )
            finds = [f]
            secs = composed_sections(rng, finds)
            neg = {
                "effusion": ["No pleural effusion or pneumothorax.", "No pleural effusion."],
                "pneumothorax": ["No pneumothorax.", "No pneumothorax or effusion."],
                "consolidation": [
                    "Clear lungs. No acute cardiopulmonary process.",
                    "No focal consolidation to suggest pneumonia.",
                ],
                "heart": ["Normal heart size. No acute cardiopulmonary process.", "Heart size within normal limits."],
            }[f["fam"]]
            if f["fam"] == "pneumothorax" and "effusion" in " ".join(neg):
                neg = ["No pneumothorax."]
            imp = [rng.choice(neg)]
            if rng.random() < 0.4 and "acute" not in imp[0]:
                imp.append(rng.choice(NORMAL_IMP))
            detail = f"FINDINGS affirm {f['fam']} ({f['f']}); IMPRESSION: {imp[0]}"
    elif kind == "impression_omits_finding":
        finds = pick_findings(rng, style, need_sig=True)
        tgt = finds[0]
        secs = composed_sections(rng, finds)
        if rng.random() < 0.5:
            imp = [rng.choice(NORMAL_IMP)]
            detail = f"FINDINGS: {tgt['f']} IMPRESSION is a normal macro"
        else:
            others = [f for f in finds[1:] if f["i"]]
            if not others:
                extra = make_finding(rng, rng.choice(["atelectasis", "copd", "cardiomegaly"]))
                if extra["fam"] not in {f["fam"] for f in finds}:
                    finds.append(extra)
                    secs[extra["sec"]].insert(0, extra["f"])
                    others = [extra]
            imp = [f["i"] for f in others] or [rng.choice(NORMAL_IMP)]
            detail = f"FINDINGS: {tgt['f']} IMPRESSION lists only other findings"
        if tgt["fam"] == "rib":
            raise AssertionError
    else:  # placeholder
        finds = pick_findings(rng, style, need_sig=rng.random() < 0.7)
        secs = composed_sections(rng, finds)
        imp = impression_for(rng, finds)
        opts = []
        for f in finds:
            if f["side"] and f["fam"] != "granuloma":
                opts.append(("side", f))
            if re.search(r"\d+(\.\d+)? (mm|cm)", f["f"]):
                opts.append(("meas", f))
            if f["grade"]:
                opts.append(("grade", f))
        if not opts or rng.random() < 0.3:
            opts.append(("heart", None))
        how, f = rng.choice(opts)
        tok = None
        if how == "heart":
            src = [s for s in secs["heart"] if s in NEG_SENT["heart"]]
            if not src:
                secs["heart"].append("Heart size is normal.")
                src = ["Heart size is normal."]
            tok = rng.choice(["[normal/enlarged]", "***"])
            new = "Heart size is " + tok + "."
            secs["heart"] = [new if s == src[0] else s for s in secs["heart"]]
            detail = f"heart size left as {tok}"
        else:
            if how == "side":
                tok = rng.choice(["[right/left]", "***", "[ ]"])
                newf = re.sub(rf"\b{f['side']}\b", tok, f["f"], count=1)
                if newf == f["f"]:
                    newf = re.sub(rf"\b{cap(f['side'])}\b", tok, f["f"], count=1)
            elif how == "meas":
                tok = rng.choice(["*** mm", "*** cm", "__ cm", "XX mm"])
                newf = re.sub(r"\d+(\.\d+)? (mm|cm)", tok, f["f"], count=1)
            else:
                tok = rng.choice(["[small/moderate/large]", "***"])
                newf = re.sub(rf"\b{f['grade']}\b", tok, f["f"], count=1, flags=re.I)
                newf = cap(newf) if not newf.startswith("[") else newf
            secs[f["sec"]] = [newf if s == f["f"] else s for s in secs[f["sec"]]]
            detail = f"{how} left unfilled as {tok!r} in FINDINGS: {newf}"
        assert tok
    report = render(rng, style, ind, comp, secs, imp, view=view, missing=missing)
    return report, detail, style


# ---------------------------------------------------------------- real IU cases
REWORD = [
    (
        r"^No acute cardiopulmonary abnormality\.?$",
        [
            "No acute cardiopulmonary abnormality.",
            "No acute cardiopulmonary process.",
            "No acute cardiopulmonary disease.",
        ],
    ),
    (r"^No active disease\.?$", ["No active disease.", "No acute disease."]),
    (r"^Negative chest x-ray\.?$", ["Negative chest x-ray.", "Negative chest radiograph."]),
]
NORMAL_RE = re.compile(r"^(no (acute|active)[^.]*|negative (chest|exam)[^.]*|normal chest[^.]*)\.?$", re.I)


def big_nodule(text):
    """A size of 6 mm (0.6 cm) or more written in a sentence that names a nodule."""
    for x in sentences(text):
        if re.search(r"nodul", x, re.I):
            for n, u in re.findall(r"(\d+(?:\.\d+)?) ?(mm|cm)", x):
                if float(n) * (10 if u == "cm" else 1) >= 6:
                    return True
    return False


def real_sig_ok(r):
    """A real report is usable as clean if every significant finding affirmed in FINDINGS is named in IMPRESSION."""
    for fam in FAM:
        if fam in ("new",):
            if affirmed(r["findings"], fam) and not mentions(r["impression"], "new"):
                return False
            continue
        if affirmed(r["findings"], fam) and not mentions(r["impression"], fam):
            if fam == "effusion" and not re.search(r"moderate|large", r["findings"], re.I):
                continue
            if (
                fam == "nodule"
                and re.search(r"calcified|granulom", r["findings"], re.I)
                and not big_nodule(r["findings"])
            ):
                continue
            return False
    return True


def real_layout(rng, r, findings, impression, missing=None):
    style = rng.choice(["academic", "organ", "terse", "portable"])
    ind = r.get("indication") or rng.choice(INDICATIONS)
    ind = ind if ind.endswith(".") else ind + "."
    comp = r.get("comparison") or rng.choice(["None.", "None available."])
    imp = [x for x in sentences(re.sub(r"(^|\s)\d\.\s+", " ", impression)) if re.search(r"\w", x)]
    for pat, alts in REWORD:
        imp = [rng.choice(alts) if re.match(pat, s, re.I) else s for s in imp]
    imp = [re.sub(r"^\d+\.\s*", "", s) for s in imp]
    return render(rng, "academic" if style == "organ" else style, ind, comp, findings, imp, missing=missing), style


NEG_AFFIRM = {
    "effusion": [
        "Small {s} pleural effusion.",
        "{S} pleural effusion.",
        "Small bilateral pleural effusions.",
        "Small {s} effusion with adjacent atelectasis.",
    ],
    "pneumothorax": ["Small {s} apical pneumothorax.", "Tiny {s} apical pneumothorax.", "{S} pneumothorax, small."],
    "consolidation": [
        "{S} lower lobe pneumonia.",
        "{S} basilar airspace disease, likely pneumonia.",
        "Patchy {s} lower lobe infiltrate.",
        "{S} upper lobe consolidation concerning for pneumonia.",
    ],
    "heart": ["Cardiomegaly.", "Mild cardiomegaly.", "Enlarged cardiac silhouette.", "Cardiomegaly without edema."],
}
SIDED = re.compile(r"\b(left|right)\b", re.I)
NOUN = (
    r"effusion|pneumothora|opacit|atelecta|consolidat|pneumonia|nodul|granulom|infiltrat|airspace|scar|fracture"
    r"|hilar|mass|base|lobe|apex|apical|hemidiaphragm|costophrenic"
)


def real_case(rng, r, kind):
    """Return (report, detail, style) or None when this report does not fit the kind."""
    fnd, imp = r["findings"], r["impression"]
    if kind is None:
        return _pack(real_layout(rng, r, fnd, imp), "")
    if kind == "missing_section":
        m = rng.choice(["drop_imp", "empty_imp", "empty_find"])
        if m == "empty_find" and not NORMAL_RE.match(imp.strip()) and rng.random() < 0.5:
            m = "empty_imp"
        rep = real_layout(rng, r, fnd, "" if m != "empty_find" else imp, missing=m)
        if m == "empty_imp":
            rep = (re.sub(r"IMPRESSION:[^\n]*(\n(?!\n).*)*", "IMPRESSION:", rep[0]), rep[1])
        return _pack(
            rep,
            {
                "drop_imp": "IMPRESSION absent",
                "empty_imp": "IMPRESSION header empty",
                "empty_find": "FINDINGS header empty",
            }[m],
        )
    if kind == "laterality_conflict":
        for s in sentences(imp):
            sides = {m.lower() for m in SIDED.findall(s)}
            nouns = set(re.findall(NOUN, s, re.I))
            if len(sides) != 1 or not nouns or NEG.search(s) or re.search(r"middle|lingul", s, re.I):
                continue
            side = sides.pop()
            fs = [
                x
                for x in sentences(fnd)
                if re.search(rf"\b{side}\b", x, re.I)
                and set(re.findall(NOUN, x, re.I)) & nouns
                and not NEG.search(x)
                and not re.search(rf"\b{SIDE_OF[side]}\b", x, re.I)
            ]
            if not fs or re.search(rf"\b{SIDE_OF[side]}\b", fnd, re.I):
                continue
            new_s = re.sub(r"\b(left|right|Left|Right|LEFT|RIGHT)\b", lambda m: SIDE_OF[m.group(0)], s)
            if rng.random() < 0.6:
                imp2, fnd2, where = imp.replace(s, new_s, 1), fnd, "IMPRESSION"
            else:
                x = fs[0]
                nx = re.sub(r"\b(left|right|Left|Right|LEFT|RIGHT)\b", lambda m: SIDE_OF[m.group(0)], x)
                imp2, fnd2, where = imp, fnd.replace(x, nx, 1), "FINDINGS"
                new_s = nx
            return _pack(real_layout(rng, r, fnd2, imp2), f"side flipped in {where}: {new_s}")
        return None
    if kind == "negation_conflict":
        opts, sd = [], rng.choice(["right", "left"])
        if re.search(r"\b(no|without) (pleural )?effusions?\b", fnd, re.I) and not mentions(imp, "effusion"):
            opts.append(("effusion", rng.choice(NEG_AFFIRM["effusion"]).format(s=sd, S=cap(sd))))
        if re.search(r"\bno (evidence of |visualized |visible )?pneumothora", fnd, re.I) and not mentions(
            imp, "pneumothorax"
        ):
            opts.append(("pneumothorax", rng.choice(NEG_AFFIRM["pneumothorax"]).format(s=sd, S=cap(sd))))
        if re.search(r"lungs are clear|clear lungs|no focal (airspace|consolidation)", fnd, re.I) and not mentions(
            imp, "consolidation"
        ):
            opts.append(("consolidation", rng.choice(NEG_AFFIRM["consolidation"]).format(s=sd, S=cap(sd))))
        if re.search(
            r"heart (size )?(is )?(within )?normal|normal heart size|heart size normal|normal cardiac", fnd, re.I
        ) and not re.search(r"cardiomegal|heart|cardiac", imp, re.I):
            opts.append(("heart", rng.choice(NEG_AFFIRM["heart"])))
        if not opts or not NORMAL_RE.match(imp.strip()) and rng.random() < 0.5:
            return None
        fam, s = rng.choice(opts)
        imp2 = s if NORMAL_RE.match(imp.strip()) else s + " " + imp
        return _pack(real_layout(rng, r, fnd, imp2), f"FINDINGS rule out {fam}; IMPRESSION: {s}")
    if kind == "impression_omits_finding":
        for fam in ("pneumothorax", "consolidation", "edema", "effusion", "mass"):
            if not affirmed_strict(fnd, fam) or not mentions(imp, fam):
                continue
            hedge = (
                r"minimal|subtle|trace|tiny|question|possibl|may represent|atelecta|stable|chronic|scar|vague"
                r"|resolv|improv|fibrosis|appears to be"
            )
            if any(re.search(FAM[fam], x, re.I) and re.search(hedge, x, re.I) for x in sentences(fnd)):
                continue
            if fam == "effusion" and not re.search(r"moderate|large", fnd, re.I):
                continue
            keep = [
                s
                for s in sentences(re.sub(r"(^|\s)\d\.\s+", " ", imp))
                if not mentions(s, fam)
                and not re.search(r"pneumonia|infect|failure|chf|nodul|resolution|treatment", s, re.I)
            ]
            if any(
                re.match(r"(maybe|this|which|these|it|follow|recommend|comparison|correlat)", x, re.I)
                or not re.search(NOUN + r"|cardiomegal|heart|degenerat|emphysema|copd|hyperinfl", x, re.I)
                for x in keep
            ):
                keep = []
            if keep and not all(NORMAL_RE.match(s) for s in keep) and rng.random() < 0.6:
                imp2, how = " ".join(keep), "IMPRESSION keeps only its other findings"
            else:
                imp2, how = rng.choice(NORMAL_IMP), "IMPRESSION replaced by a normal macro"
            if any(
                mentions(imp2, f2)
                for f2 in ("consolidation", "edema", "effusion", "pneumothorax", "mass")
                if affirmed(fnd, f2)
            ):
                continue
            return _pack(real_layout(rng, r, fnd, imp2), f"FINDINGS affirm {fam}; {how}")
        return None
    # placeholder
    pats = [
        (r"\b\d+(\.\d+)? ?(mm|cm)\b", ["*** cm", "*** mm"]),
        (r"\b(left|right)\b", ["[right/left]", "***", "[ ]"]),
        (r"\b(mild|moderate|small|large)\b", ["***", "[mild/moderate/severe]"]),
        (
            r"(?<=Heart size is )normal|(?<=Heart size )normal|(?<=heart is )normal(?= in size)",
            ["[normal/enlarged]", "***"],
        ),
    ]
    rng.shuffle(pats)
    for pat, toks in pats + [(r"(?<=lungs are )clear", ["***"])]:
        m = re.search(pat, fnd, re.I)
        if (
            m
            and NEG.search(next((c for c in clauses(fnd) if m.group(0) in c), ""))
            and "clear" not in pat
            and "normal" not in pat
        ):
            continue
        if m and rng.random() < 0.8:
            tok = rng.choice(toks)
            if "***" in tok and "mm" in tok or "cm" in tok:
                tok = "*** " + m.group(2) if m.lastindex and m.lastindex >= 2 and m.group(2) else tok
            fnd2 = fnd[: m.start()] + tok + fnd[m.end() :]
            return _pack(real_layout(rng, r, fnd2, imp), f"{m.group(0)!r} in FINDINGS left as {tok!r}")
    return None


def _pack(rep_style, detail):
    return rep_style[0], detail, "iu-" + rep_style[1]


# ---------------------------------------------------------------- checks
def check(kind, rep, detail):
    f = re.search(r"FINDINGS:(.*?)(?=\n\nIMPRESSION:|\n\n(Electronically|Dictated|Attending)|\Z)", rep, re.S)
    i = re.search(r"IMPRESSION:(.*?)(?=\n\n(Electronically|Dictated|Attending)|\Z)", rep, re.S)
    ftxt, itxt = (f.group(1).strip() if f else ""), (i.group(1).strip() if i else "")
    ph = re.search(r"\*\*\*|\[[a-z/ ]*\]|__ |XX mm", rep)
    if kind == "placeholder":
        assert ph, rep
        return
    assert not ph, (kind, rep)
    if kind == "missing_section":
        assert not ftxt or not itxt, rep
        return
    assert ftxt and itxt, (kind, rep)
    if kind == "laterality_conflict":
        assert re.search(r"\b(left|right)\b", itxt, re.I) and re.search(r"\b(left|right)\b", ftxt, re.I), rep
    if kind == "impression_omits_finding":
        m = re.search(r"affirm (\w+)", detail)
        fams = (
            [m.group(1)]
            if m
            else [k for k in FAM if k != "new" and re.search(FAM[k], detail.split("IMPRESSION")[0], re.I)]
        )
        assert fams, detail
        for k in fams:
            assert affirmed_strict(ftxt, k) and not mentions(itxt, k), (k, rep)
    if kind == "negation_conflict":
        assert NEG.search(ftxt + " " + itxt), rep
    if kind is None:
        assert "XX mm" not in rep


# ---------------------------------------------------------------- main
def build(seed):
    d = shared_dir()
    dev = dev_uids(d)
    iu = [
        r
        for r in load_iu(d)
        if r["uid"] not in dev
        and r.get("findings")
        and r.get("impression")
        and "XXXX" not in r["findings"] + r["impression"]
        and len(r["findings"]) > 40
    ]
    rng = random.Random(seed)
    rng.shuffle(iu)
    used = set()
    cases = []
    for kind in [None] + KINDS:
        n = N_CLEAN if kind is None else N_KIND
        for _ in range(n // 2):
            for _try in range(50):
                try:
                    rep, det, style = composed_case(rng, kind)
                    check(kind, rep, det)
                    break
                except AssertionError:
                    continue
            else:
                raise RuntimeError(f"could not compose {kind}")
            cases.append({"injected": kind, "detail": det or "unmodified (composed)", "report": rep, "_style": style})
        got = 0
        for r in iu:
            if got >= n - n // 2:
                break
            if (
                r["uid"] in used
                or (kind is None and not real_sig_ok(r))
                or (kind and kind != "impression_omits_finding" and not real_sig_ok(r))
            ):
                continue
            res = real_case(rng, r, kind)
            if not res:
                continue
            rep, det, style = res
            try:
                check(kind, rep, det)
            except AssertionError:
                continue
            used.add(r["uid"])
            got += 1
            cases.append(
                {
                    "injected": kind,
                    "detail": (det or "unmodified") + f" (IU {r['uid']})",
                    "report": rep,
                    "_style": style,
                    "_uid": r["uid"],
                }
            )
        if got < n - n // 2:
            raise RuntimeError(f"only {got} IU reports fit {kind}")
    rng.shuffle(cases)
    for n, c in enumerate(cases):
        c["id"] = "h62-" + hashlib.sha256(f"{seed}:{n}:{c['report']}".encode()).hexdigest()[:12]
    return cases


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=62)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    cases = build(a.seed)
    with open(a.out, "w") as f:
        for c in cases:
            f.write(
                json.dumps({"id": c["id"], "injected": c["injected"], "detail": c["detail"], "report": c["report"]})
                + "\n"
            )
    if a.show:
        for kind in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == kind][: a.show]:
                print(f"=== {kind} [{c['_style']}] {c['detail']}\n{c['report']}\n")
    print(f"wrote {len(cases)} cases to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
