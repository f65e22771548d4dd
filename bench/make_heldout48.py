"""Held-out report-error set no. 48: occupational / dust-disease screening chest films.

Written BLIND: without reading the checker, its tests, its docs or any other generator. Only the scorer
(/work/shared/eval/score_report_checks.py), the eval README, the IU archive and the `uid` field of the dev set
were read.

usage: python -m bench.make_heldout48 OUT.jsonl --seed S [--show N]

400 cases: 200 clean, 40 per kind (missing_section, laterality_conflict, negation_conflict,
impression_omits_finding, placeholder). Half of every group is composed from the phrase bank below, half are
real IU (Open-i) reports, not in the dev set, re-laid-out as occupational/pre-employment screening films and
lightly re-worded (Open-i's `XXXX` mask is kept as it is).

Styles of the composed half:
  * "breader": ILO-classification B-reader narrative (film quality, parenchymal / pleural / other rows,
    profusion "1/0", small-opacity shapes "p/q", zones, large opacities A/B/C, plaques in profile / face on,
    ILO symbols such as "em", "es", "hi"), de-identified header fields ("Examinee: ___", "Dr. ___");
  * "surveillance": UK/Australian asbestos / silica surveillance letter-style prose with "Opinion:" or
    "Conclusion:" in place of IMPRESSION on some reports, British spelling (oedema, haemithorax);
  * "mine": terse coal-mine / quarry medical with bullet findings and numbered impression;
  * IU reports wrapped as pre-placement / occupational screening films.

Which dust findings count as significant for `impression_omits_finding`: only what is on the spec's list.
A large opacity / progressive massive fibrosis (ILO A/B/C) is a mass, so it is significant; a moderate or
large effusion, pneumothorax, consolidation, oedema and a nodule of 6 mm or more are significant. Small
opacities of any profusion, pleural plaques (calcified or not, in profile, face on, diaphragmatic),
diffuse pleural thickening, costophrenic-angle obliteration, eggshell hilar calcification, emphysema,
mild cardiomegaly, small effusions, nodules under 6 mm, granulomas and old rib fractures are not on the list,
so they are never the omitted finding; clean reports may leave them out of the impression. No finding in
this set is described as new or increasing.
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
OPP = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT"}
SIDE_RE = re.compile(r"\b(right|left|Right|Left|RIGHT|LEFT)\b")


def shared_dir() -> Path | None:
    d = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(d) if d else Path(__file__).resolve().parent.parent.parent / "shared"
    return p if (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file() else None


# ----------------------------------------------------------------------------- phrase bank
class F:
    """One finding: findings sentence, impression phrase, side, significance, ruling-out phrase."""

    def __init__(self, key, cat, f, i, side=None, sig=False, neg=None, terms=None, acute=False, dust=False):
        self.key, self.cat, self.f, self.i, self.side = key, cat, f, i, side
        self.sig, self.neg, self.terms, self.acute, self.dust = sig, neg, terms, acute, dust


def _uk(style):
    return style == "surveillance"


def f_small_opac(r, style, exposure):
    prof = r.choice(["1/0", "1/1", "1/1", "1/2", "2/1", "2/2", "2/3", "3/2"])
    if exposure == "asbestos":
        sh = r.choice(["s/s", "s/t", "t/s", "t/t"])
        f = r.choice([
            f"Irregular small opacities, shape {sh}, profusion {prof}, in both lower zones.",
            f"Small irregular opacities ({sh}) at both bases, lower zones only, profusion {prof}.",
        ])
        i = r.choice([f"Basal irregular opacities, ILO {prof} {sh}, in keeping with asbestosis.",
                      f"Lower-zone interstitial change, category {prof}, consistent with asbestosis "
                      "in view of the exposure history."])
    else:
        sh = r.choice(["p/p", "p/q", "q/q", "q/p", "q/r", "r/q"])
        zones = r.choice(["the upper and middle zones bilaterally", "both upper zones", "all six zones",
                          "the upper zones, both sides, sparing the lower zones"])
        f = r.choice([
            f"Small rounded opacities, primary {sh[0]}, secondary {sh[2]}, profusion {prof}, in {zones}.",
            f"Profusion {prof}; small rounded opacities {sh} distributed through {zones}.",
        ])
        dis = "coal workers' pneumoconiosis" if exposure == "coal" else "silicosis"
        i = r.choice([f"Simple {dis}, ILO category {prof} ({sh}).",
                      f"Appearances consistent with simple {dis}, profusion {prof}."])
    neg = r.choice(["No radiographic evidence of pneumoconiosis (profusion 0/0).",
                    "No parenchymal abnormality consistent with pneumoconiosis."])
    return F("small_opac", "parenchyma", f, i, neg=neg, dust=True)


def f_pmf(r, style, side):
    size = round(r.uniform(1.4, 4.6), 1)
    zone = r.choice(["upper zone", "upper zone", "mid zone"])
    f = r.choice([
        f"Large opacity in the {side} {zone} measuring {size} cm, ILO category A, on a background of small "
        "rounded opacities.",
        f"There is a {size} cm conglomerate large opacity in the {side} {zone} (size A).",
    ])
    i = r.choice([f"Progressive massive fibrosis in the {side} {zone} (large opacity category A).",
                  f"{side.capitalize()} {zone} large opacity, {size} cm, in keeping with progressive massive "
                  "fibrosis; CT would exclude a superimposed neoplasm."])
    return F("pmf", "parenchyma", f, i, side=side, sig=True, neg="No large opacities.",
             terms=r"large opacit|massive fibrosis|\bPMF\b|conglomerat|\bmass\b|categor(y|ies) [ABC]\b|size [ABC]\b"
             r"|\bA opacity|fibrotic mass|neoplas",
             dust=True)


def f_plaque(r, style, side):
    if side is None:
        f = r.choice([
            "Bilateral calcified pleural plaques along the lateral chest walls, in profile, and on both "
            "hemidiaphragms.",
            "Multiple calcified pleural plaques bilaterally, seen in profile on the chest walls and face on over "
            "both mid zones, with diaphragmatic plaques.",
        ])
        i = r.choice(["Bilateral calcified pleural plaques, consistent with previous asbestos exposure.",
                      "Asbestos-related pleural plaques, both sides."])
    else:
        th = r.choice([3, 4, 5, 6, 8])
        f = r.choice([
            f"Calcified pleural plaque along the {side} lateral chest wall, in profile, up to {th} mm thick.",
            f"Face-on plaque projected over the {side} mid zone with irregular 'holly leaf' calcification.",
            f"Calcified plaque on the dome of the {side} hemidiaphragm.",
            f"Non-calcified pleural plaque in profile along the {side} chest wall, width {th} mm, "
            "extent less than a quarter of the chest wall.",
        ])
        i = r.choice([f"{side.capitalize()} pleural plaque, in keeping with asbestos exposure.",
                      f"Benign asbestos-related pleural plaque on the {side}."])
    return F("plaque", "pleura", f, i, side=side, neg="No pleural plaques.", dust=True)


def f_dpt(r, style, side):
    f = r.choice([
        f"Diffuse pleural thickening along the {side} lateral chest wall, about a quarter of the chest wall in "
        f"extent, with obliteration of the {side} costophrenic angle.",
        f"{side.capitalize()} costophrenic angle obliterated, with diffuse pleural thickening extending up the "
        f"{side} lateral chest wall (width 5-10 mm).",
    ])
    i = r.choice([f"{side.capitalize()} diffuse pleural thickening with obliteration of the costophrenic angle.",
                  f"Diffuse pleural thickening on the {side}, likely asbestos related."])
    return F("dpt", "pleura", f, i, side=side, neg="No pleural thickening.", dust=True)


def f_eggshell(r, style):
    f = r.choice(["Eggshell calcification of the hilar lymph nodes bilaterally (symbol es).",
                  "Both hila show rim-like 'eggshell' nodal calcification."])
    i = r.choice(["Eggshell calcification of the hilar nodes, typical of silica exposure.",
                  "Eggshell hilar nodal calcification."])
    return F("eggshell", "hila", f, i, neg="Hila normal.", dust=True)


def f_effusion(r, style, side, big):
    if big:
        sz = r.choice(["Moderate", "Large", "Moderate to large"])
        f = r.choice([f"{sz} {side} pleural effusion with a meniscus extending to the mid zone.",
                      f"{sz} {side} pleural effusion, obscuring the {side} hemidiaphragm."])
        if _uk(style):
            f = f.replace(f"the {side} hemidiaphragm", f"the lower third of the {side} haemithorax")
    else:
        sz = r.choice(["Small", "Trace"])
        f = f"{sz} {side} pleural effusion blunting the {side} costophrenic angle."
    i = f"{sz} {side} pleural effusion."
    return F("effusion", "pleura", f, i, side=side, sig=big, neg="No pleural effusion.",
             terms=r"effusion|fluid|hydrothorax|haemothorax|hemothorax|meniscus", acute=big)


def f_ptx(r, style, side):
    rim = r.choice(["1 cm", "1.5 cm", "2 cm", "3 cm"])
    f = r.choice([f"{side.capitalize()} apical pneumothorax with a {rim} rim; no mediastinal shift.",
                  f"{side.capitalize()} pneumothorax, visceral pleural line {rim} from the chest wall at the apex."])
    i = f"{side.capitalize()} pneumothorax ({rim})."
    return F("ptx", "pleura", f, i, side=side, sig=True, neg="No pneumothorax.",
             terms=r"pneumothora|\bPTX\b|pleural (air|line)|air leak", acute=True)


def f_consol(r, style, side):
    zone = r.choice(["lower zone", "mid zone", "lower lobe"])
    f = r.choice([f"Consolidation in the {side} {zone} with air bronchograms.",
                  f"Patchy airspace opacification in the {side} {zone}."])
    i = r.choice([f"{side.capitalize()} {zone} consolidation, likely infective.",
                  f"{side.capitalize()} {zone} pneumonia."])
    return F("consol", "parenchyma", f, i, side=side, sig=True,
             neg=r.choice(["Lungs are clear.", "No consolidation."]),
             terms=r"consolidat|airspace|air-space|pneumoni|infect|opacif|infiltrat|collapse|atelecta", acute=True)


def f_nodule(r, style, side, big):
    mm = r.choice([7, 8, 9, 11, 12, 14, 18]) if big else r.choice([3, 4, 5])
    zone = r.choice(["upper zone", "mid zone", "lower zone"])
    f = r.choice([f"A {mm} mm non-calcified nodule in the {side} {zone}.",
                  f"Solitary {mm} mm soft-tissue nodule projected over the {side} {zone}."])
    i = (f"{mm} mm {side} {zone} nodule" + (r.choice(["; CT chest recommended.", ", needs CT."]) if big else "."))
    return F("nodule", "parenchyma", f, i[0].upper() + i[1:], side=side, sig=big, neg="No pulmonary nodule.",
             terms=r"nodul|lesion|\bmass\b|\d+ ?mm|neoplas|malignan|\bCT\b")


def f_oedema(r, style):
    w = "oedema" if _uk(style) else "edema"
    f = r.choice([f"Upper lobe venous diversion, bilateral perihilar haze and septal lines, in keeping with "
                  f"interstitial {w}.",
                  f"Interstitial pulmonary {w} with Kerley B lines and small fissural thickening."])
    i = f"Interstitial pulmonary {w}."
    return F("oedema", "parenchyma", f, i, sig=True, neg=f"No pulmonary {w}.",
             terms=r"o?edema|congest|failure|overload|venous|kerley|septal|fluid", acute=True)


def f_cardio(r, style):
    f = r.choice(["Heart mildly enlarged, cardiothoracic ratio 0.55.", "Borderline cardiomegaly, unchanged."])
    i = "Mild cardiomegaly." if "mildly" in f else "Borderline heart size."
    return F("cardio", "heart", f, i, neg="Heart size is normal.")


def f_emph(r, style):
    f = r.choice(["Hyperinflated lungs with flattened hemidiaphragms and upper-zone bullae (symbol em).",
                  "Emphysematous change in both upper zones (em)."])
    return F("emph", "parenchyma", f, "Emphysema.", neg="Lungs are clear.")


def f_gran(r, style, side):
    f = f"Calcified granuloma in the {side} mid zone (symbol cg)."
    return F("gran", "parenchyma", f, f"Old granulomatous disease on the {side}.", side=side)


def f_ribs(r, style, side):
    f = f"Old healed fractures of the {side} {r.choice(['6th and 7th ribs', '5th rib', '8th to 10th ribs'])}."
    return F("ribs", "bones", f, f"Old {side} rib fractures.", side=side)


NORMAL = {
    "parenchyma": ["Lungs are clear. No small or large opacities (profusion 0/0).",
                   "No small opacities; no large opacities; lungs clear."],
    "pleura": ["No pleural plaques, diffuse pleural thickening or effusion. Costophrenic angles sharp.",
               "Pleura normal; no plaques in profile or face on; costophrenic angles clear."],
    "heart": ["Heart size is normal.", "Cardiac size and contour normal."],
    "hila": ["Hila and mediastinum normal.", "Mediastinal and hilar contours unremarkable."],
    "bones": ["Bones unremarkable.", "No rib or bony abnormality."],
}

EXPOSURE = {
    "asbestos": ["Former pipe lagger, 22 years asbestos exposure.", "Shipyard boilermaker 1978-2001; asbestos.",
                 "Brake-lining fitter, asbestos exposure. Routine surveillance.", "Ex-insulation worker (asbestos)."],
    "coal": ["Underground coal miner x 24 years, roof bolter.", "Longwall coal miner, 31 years underground.",
             "Surface coal miner, highwall drill operator 18 years."],
    "silica": ["Sandblaster, 15 years respirable crystalline silica.", "Quarry driller; silica exposure.",
               "Engineered stone benchtop fabricator, 9 years dry cutting.", "Foundry fettler, silica."],
}


# ----------------------------------------------------------------------------- composed cases
def make_findings(r, style, exposure, force=None):
    """A random, internally consistent set of findings (unique keys, one finding per key)."""
    out = []
    sides = ["right", "left"]
    if r.random() < 0.55:
        out.append(f_small_opac(r, style, exposure) if exposure != "asbestos" or r.random() < 0.4 else
                   f_plaque(r, style, r.choice(sides + [None])))
    if exposure == "asbestos" and r.random() < 0.5 and not any(x.key == "plaque" for x in out):
        out.append(f_plaque(r, style, r.choice(sides + [None, None])))
    if exposure == "asbestos" and r.random() < 0.2:
        out.append(f_dpt(r, style, r.choice(sides)))
    if exposure == "silica" and r.random() < 0.25:
        out.append(f_eggshell(r, style))
    extras = [lambda: f_cardio(r, style), lambda: f_emph(r, style), lambda: f_gran(r, style, r.choice(sides)),
              lambda: f_ribs(r, style, r.choice(sides)), lambda: f_effusion(r, style, r.choice(sides), False),
              lambda: f_nodule(r, style, r.choice(sides), False)]
    for mk in r.sample(extras, r.choice([0, 0, 1, 1, 2])):
        out.append(mk())
    if force is not None:
        out = [x for x in out if x.key != force.key and not (x.key == "effusion" and force.key == "ptx")]
        out.append(force)
    if any(x.key == "pmf" for x in out) and not any(x.key == "small_opac" for x in out):
        out.insert(0, f_small_opac(r, style, exposure))
    # one finding per (key); avoid two findings of the same category on opposite sides for sided checks
    seen, res = set(), []
    for x in out:
        if x.key not in seen:
            seen.add(x.key)
            res.append(x)
    return res


def sig_finding(r, style, exposure, side=None):
    side = side or r.choice(["right", "left"])
    opts = [lambda: f_effusion(r, style, side, True), lambda: f_ptx(r, style, side),
            lambda: f_consol(r, style, side), lambda: f_nodule(r, style, side, True), lambda: f_oedema(r, style)]
    if exposure in ("coal", "silica"):
        opts += [lambda: f_pmf(r, style, side)] * 3
    return r.choice(opts)()


def closing(r, style, finds):
    acute = any(x.acute for x in finds)
    dust = any(x.dust for x in finds)
    opts = []
    if not acute:
        opts += ["No acute cardiopulmonary abnormality.", "No acute chest disease."]
    if not dust and not acute and not finds:
        opts += ["No radiographic evidence of pneumoconiosis. Normal chest.", "ILO 0/0. Normal chest radiograph."]
    if not dust and not finds:
        opts += ["Normal chest radiograph."]
    return r.choice(opts) if opts else ""


def impression_for(r, style, finds, skip=None, extra=None):
    imp = []
    for x in finds:
        if x is skip:
            continue
        if x.sig or x.dust or r.random() < 0.5:
            imp.append(x.i)
    if extra:
        imp.append(extra)
    if not any(x.acute for x in finds) or r.random() < 0.0:
        c = closing(r, style, [x for x in finds if x is not skip])
        if c and (not imp or r.random() < 0.6):
            imp.append(c)
    return imp


def render_findings(r, style, finds, normals_skip=()):
    by = {}
    for x in finds:
        by.setdefault(x.cat, []).append(x.f)
    for cat in NORMAL:
        if cat not in by and cat not in normals_skip:
            by[cat] = [r.choice(NORMAL[cat])]
    return by


def symbols(finds):
    s = []
    for x in finds:
        s += {"emph": ["em", "bu"], "eggshell": ["es"], "gran": ["cg"], "ribs": ["fr"], "cardio": ["co"],
              "effusion": ["ef"], "pmf": ["ax"], "ptx": ["px"], "oedema": ["kl"]}.get(
            x.key, [])
    return ", ".join(s) if s else "none"


def compose(r, style, exposure, finds_by_cat, imp, finds, missing=None, ihead_override=None):
    """Lay out a composed report. missing: None | 'imp_empty' | 'imp_absent' | 'find_empty'."""
    hist = r.choice(EXPOSURE[exposure])
    L = []
    if style == "breader":
        L.append(r.choice(["CHEST RADIOGRAPH, PA - ILO CLASSIFICATION (B READER)",
                           "PNEUMOCONIOSIS SURVEILLANCE CXR - PA VIEW", "ILO 2011 CLASSIFICATION READING - CHEST PA"]))
        L.append("Examinee: ___   Employer: ___   Date of radiograph: ___")
        L.append(f"Exposure: {hist}")
        L.append("Film quality: " + r.choice(["1", "1 (good)", "2 - slightly underexposed", "2 (scapulae overlap)"]))
        L.append("")
        fh, ih = r.choice([("FINDINGS:", "IMPRESSION:"), ("FINDINGS", "IMPRESSION"), ("Findings:", "Impression:")])
        L.append(fh)
        if missing != "find_empty":
            L.append("Parenchymal abnormalities: " + " ".join(finds_by_cat.get("parenchyma", [])))
            L.append("Pleural abnormalities: " + " ".join(finds_by_cat.get("pleura", [])))
            oth = finds_by_cat.get("heart", []) + finds_by_cat.get("hila", []) + finds_by_cat.get("bones", [])
            L.append("Other abnormalities: " + " ".join(oth))
            L.append("Symbols: " + symbols(finds))
        L.append("")
        if missing != "imp_absent":
            L.append(ih_override(ihead_override, ih))
            if missing != "imp_empty":
                L.append(" ".join(imp))
            L.append("")
        L.append(r.choice(["NIOSH-certified B Reader: Dr. ___", "B Reader: ___, MD", "Read by: Dr. ___ (B reader)"]))
    elif style == "surveillance":
        prog = {"asbestos": "Asbestos", "coal": "Coal mine dust", "silica": "Silica"}[exposure]
        L.append(f"{prog} health surveillance - PA chest radiograph")
        L.append(f"Clinical details: {hist} " + r.choice(["Routine periodic review.", "Asymptomatic.",
                                                         "Mild exertional breathlessness.", "Exit medical."]))
        L.append("Comparison: " + r.choice(["none available.", "surveillance film ___.", "previous film 2019."]))
        L.append("")
        fh, ih = r.choice([("Findings:", "Opinion:"), ("Report:", "Conclusion:"), ("FINDINGS:", "IMPRESSION:"),
                           ("Findings:", "Impression:")])
        L.append(fh)
        if missing != "find_empty":
            body = []
            for cat in ("parenchyma", "pleura", "heart", "hila", "bones"):
                body += finds_by_cat.get(cat, [])
            L.append(" ".join(body))
        L.append("")
        if missing != "imp_absent":
            L.append(ih_override(ihead_override, ih))
            if missing != "imp_empty":
                L.append(" ".join(imp))
            L.append("")
        L.append(r.choice(["Reported by Dr ___, Consultant Radiologist.", "Dr ___ FRCR", "Dr ___ FRANZCR"]))
    else:  # mine
        L.append(r.choice([{"coal": "COAL WORKERS' HEALTH SURVEILLANCE - CXR PA",
                            "silica": "QUARRY/MINE MEDICAL - CHEST X-RAY",
                            "asbestos": "ASBESTOS MEDICAL - CHEST X-RAY PA"}[exposure],
                           "RESPIRATORY SURVEILLANCE PROGRAM CXR"]))
        L.append(f"Hx: {hist}")
        L.append("")
        L.append("FINDINGS:")
        if missing != "find_empty":
            for cat in ("parenchyma", "pleura", "heart", "hila", "bones"):
                for s in finds_by_cat.get(cat, []):
                    L.append(f"- {s}")
        L.append("")
        if missing != "imp_absent":
            L.append(ih_override(ihead_override, "IMPRESSION:"))
            if missing != "imp_empty":
                for k, s in enumerate(imp, 1):
                    L.append(f"{k}. {s}" if len(imp) > 1 else s)
            L.append("")
        L.append(r.choice(["Electronically signed: ___, MD", "Reader: Dr. ___", "-- dictated, not read back --"
                           .replace(", not read back", "")]))
    return "\n".join(L).strip() + "\n"


def ih_override(o, ih):
    return o if o is not None else ih


def flip_sides(s):
    return SIDE_RE.sub(lambda m: OPP[m.group(1)], s)


def composed_case(r, kind):
    style = r.choice(["breader", "breader", "surveillance", "mine"])
    exposure = r.choice(["asbestos", "coal", "silica"])
    detail = ""
    missing = None
    target = None
    normals_skip = ()
    if kind is None:
        force = sig_finding(r, style, exposure) if r.random() < 0.35 else None
        finds = make_findings(r, style, exposure, force)
        imp = impression_for(r, style, finds)
        if not imp:
            imp = [r.choice(["No acute abnormality.", "See above."]).replace("See above.", "No acute abnormality.")]
        detail = "clean composed"
    elif kind == "missing_section":
        finds = make_findings(r, style, exposure, sig_finding(r, style, exposure) if r.random() < 0.3 else None)
        imp = impression_for(r, style, finds) or ["No acute abnormality."]
        missing = r.choice(["imp_empty", "imp_empty", "imp_absent", "find_empty"])
        detail = {"imp_empty": "impression header left with nothing under it",
                  "imp_absent": "impression section absent",
                  "find_empty": "findings header left with nothing under it"}[missing]
    elif kind == "laterality_conflict":
        target = None
        while target is None:
            side = r.choice(["right", "left"])
            cand = r.choice(["pmf", "plaque", "dpt", "sig", "sig"])
            if cand == "pmf" and exposure != "asbestos":
                target = f_pmf(r, style, side)
            elif cand == "plaque":
                target = f_plaque(r, style, side)
            elif cand == "dpt":
                target = f_dpt(r, style, side)
            elif cand == "sig":
                target = sig_finding(r, style, exposure, side)
                if target.side is None:
                    target = None
        finds = make_findings(r, style, exposure, target)
        # no other finding of the same key on the other side; same-category findings removed for clarity
        finds = [x for x in finds if x is target or x.cat != target.cat or x.side is None]
        imp = impression_for(r, style, finds)
        if target.i not in imp:
            imp.insert(0, target.i)
        if r.random() < 0.6:
            imp = [flip_sides(s) if s == target.i else s for s in imp]
            detail = f"side flipped in IMPRESSION: {target.side} -> {OPP[target.side]} ({target.key})"
        else:
            target.f = flip_sides(target.f)
            detail = f"side flipped in FINDINGS: {target.side} -> {OPP[target.side]} ({target.key})"
    elif kind == "negation_conflict":
        mode = r.choice(["affirm_f", "affirm_i", "affirm_i"])
        if mode == "affirm_f":
            pool = [f_effusion(r, style, r.choice(["right", "left"]), True), f_ptx(r, style, "right"),
                    f_plaque(r, style, None), f_cardio(r, style), f_consol(r, style, "left")]
            if exposure != "asbestos":
                pool += [f_small_opac(r, style, exposure)] * 2
            target = r.choice(pool)
            finds = make_findings(r, style, exposure, target)
            imp = [x for x in impression_for(r, style, finds, skip=target)]
            imp = [s for s in imp if "normal" not in s.lower()]
            imp.insert(r.randrange(len(imp) + 1), target.neg)
            detail = f"FINDINGS affirm {target.key}; IMPRESSION says '{target.neg}'"
        else:
            pool = [f_plaque(r, style, None), f_plaque(r, style, "left"), f_effusion(r, style, "right", False),
                    f_nodule(r, style, "right", True), f_consol(r, style, "right")]
            if exposure != "asbestos":
                pool += [f_small_opac(r, style, exposure)] * 2
            target = r.choice(pool)
            finds = [x for x in make_findings(r, style, exposure) if x.cat != target.cat]
            imp = impression_for(r, style, finds) + [target.i]
            imp = [s for s in imp if not s.startswith(("No ", "Normal", "ILO 0/0"))]
            if len(imp) > 1:
                imp.remove(target.i)
                imp.insert(r.randrange(len(imp) + 1), target.i)
            detail = f"FINDINGS rule out ({NORMAL_NAME[target.cat]}); IMPRESSION asserts {target.key}"
            normals_skip = ()
            fb = render_findings(r, style, finds)
            return style, exposure, finds, fb, imp, None, detail, target
    elif kind == "impression_omits_finding":
        target = sig_finding(r, style, exposure)
        finds = make_findings(r, style, exposure, target)
        finds = [x for x in finds if x is target or not x.sig]
        if r.random() < 0.5:
            imp = [r.choice(["No acute cardiopulmonary abnormality.", "No acute chest disease.",
                             "No acute abnormality. Routine surveillance interval."])]
            detail = f"IMPRESSION normal macro; omits {target.key}"
        else:
            others = [x for x in finds if x is not target]
            if not others:
                extra = (f_small_opac(r, style, exposure) if exposure != "asbestos"
                         else f_plaque(r, style, None))
                finds.insert(0, extra)
                others = [extra]
            imp = [x.i for x in others if x.dust or r.random() < 0.6] or [others[0].i]
            detail = f"IMPRESSION lists other findings; omits {target.key}"
    else:  # placeholder
        finds = make_findings(r, style, exposure, sig_finding(r, style, exposure) if r.random() < 0.4 else None)
        imp = impression_for(r, style, finds) or ["No acute abnormality."]
        target = None
        detail = "placeholder"
    fb = render_findings(r, style, finds, normals_skip)
    return style, exposure, finds, fb, imp, missing, detail, (target if kind != "missing_section" else None)


NORMAL_NAME = {"parenchyma": "lungs clear, 0/0", "pleura": "no plaques/thickening/effusion",
               "heart": "heart normal", "hila": "hila normal", "bones": "bones normal"}


PH_RULES = [
    (re.compile(r"(profusion |ILO |category |Profusion )([1-3]/[0-3])"), lambda m: m.group(1) + "[profusion]",
     "profusion"),
    (re.compile(r"(?<![\d.-])(\d+(?:\.\d)?) cm"), lambda m: "___ cm", "size in cm"),
    (re.compile(r"(?<![\d.-])(\d+) mm"), lambda m: "XX mm", "size in mm"),
    (re.compile(r"\b(right|left)\b"), lambda m: "[RIGHT/LEFT]", "side"),
    (re.compile(r"category A\b"), lambda m: "category [A/B/C]", "large-opacity grade"),
    (re.compile(r"\b(Moderate|Large|Small|Trace)\b"), lambda m: "<insert size>", "effusion grade"),
    (re.compile(r"shape ([stpqru]/[stpqru])|opacities \(?([pqrstu]/[pqrstu])\)?"),
     lambda m: m.group(0).replace(m.group(1) or m.group(2), "[*/*]"), "shape"),
]


def inject_placeholder(r, report):
    lines = report.split("\n")
    # only touch FINDINGS / IMPRESSION body lines, never header fields with de-id masks
    body = [k for k, ln in enumerate(lines) if ln and "___" not in ln and not ln.startswith(
        ("Exposure", "Hx", "Clinical", "Comparison", "Film", "Symbols"))]
    cands = []
    for k in body:
        for rx, fn, what in PH_RULES:
            for m in rx.finditer(lines[k]):
                cands.append((k, m, fn, what))
    if not cands:
        # "Heart size is normal." style: grade left as template choice
        for k in body:
            if "Heart size is normal" in lines[k]:
                lines[k] = lines[k].replace("Heart size is normal", "Heart size is [normal/enlarged]")
                return "\n".join(lines), "heart size left as template choice [normal/enlarged]", "[normal/enlarged]"
        return None
    k, m, fn, what = r.choice(cands)
    rep = fn(m)
    lines[k] = lines[k][:m.start()] + rep + lines[k][m.end():]
    return "\n".join(lines), f"{what} '{m.group(0)}' left as '{rep}'", rep


def composed_report(r, kind):
    for _ in range(200):
        style, exposure, finds, fb, imp, missing, detail, target = composed_case(r, kind)
        report = compose(r, style, exposure, fb, imp, finds, missing)
        if kind == "placeholder":
            res = inject_placeholder(r, report)
            if res is None:
                continue
            report, detail, tok = res
            assert tok in report
        ok = check_composed(kind, report, target, detail)
        if ok:
            return report, f"[{style}/{exposure}] {detail}"
    raise RuntimeError(f"could not compose {kind}")


def sections(report):
    """Split a laid-out report into (findings, impression) using the headers this module writes."""
    m = re.search(r"^(FINDINGS:?|Findings:|Report:)\s*$(.*?)^(IMPRESSION:?|Impression:|Opinion:|Conclusion:)\s*$(.*)",
                  report, re.M | re.S)
    if m:
        return m.group(2), m.group(4)
    m = re.search(r"^(FINDINGS:?|Findings:|Report:)\s*$(.*)", report, re.M | re.S)
    return (m.group(2) if m else ""), None


def strip_sig(s):
    return re.sub(r"(Dr\.? ___.*|B Reader.*|Reader:.*|Electronically signed.*|-- dictated.*|Reported by.*)", "",
                  s or "").strip()


def check_composed(kind, report, target, detail):
    fnd, imp = sections(report)
    imp_body = strip_sig(imp)
    if kind != "missing_section" and (not fnd.strip() or not imp_body):
        return False
    if kind == "missing_section":
        if "findings header" in detail:
            return not fnd.strip() and bool(imp_body)
        return imp is None or not imp_body
    if kind == "laterality_conflict":
        s = target.side
        if "IMPRESSION" in detail:
            return target.f in fnd and flip_sides(target.i) in imp and target.i not in imp
        return target.f in fnd and target.i in imp and OPP[s] in target.f
    if kind == "negation_conflict":
        if "IMPRESSION says" in detail:
            return target.f in fnd and target.neg in imp
        return target.i in imp and any(n in fnd for n in NORMAL[target.cat])
    if kind == "impression_omits_finding":
        return target.f in fnd and not re.search(target.terms, imp_body, re.I) and target.sig
    return True


# ----------------------------------------------------------------------------- IU reports
SIG_IU = [
    ("effusion", r"effusion", r"effusion|fluid"),
    ("pneumothorax", r"pneumothorax", r"pneumothora"),
    ("edema", r"edema|vascular congestion|pulmonary congestion", r"edema|congest|failure|overload"),
    ("consolidation", r"consolidation|airspace (disease|opacit)|infiltrate|pneumonia",
     r"consolidat|airspace|infiltrat|pneumoni|opacit|infect|atelecta"),
    ("mass", r"\bmass\b", r"mass|neoplas|malignan|lesion|nodul"),
]
NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|resolved|resolution|clear|removed|"
                     r"cannot|can't|could|may|possib|question|versus|vs|exclude|rule|previously|prior|small|"
                     r"trace|tiny|minimal|mild|stable|unchanged|chronic|blunting)\b", re.I)


def sents(t):
    return [s for s in re.split(r"(?<=[.!?])\s+", t.strip()) if s]


def sig_affirmed(findings):
    out = []
    for key, rx, _ in SIG_IU:
        for s in sents(findings):
            if re.search(rx, s, re.I) and not NEG_CUE.search(s):
                out.append((key, s))
                break
    return out


def sig_mentioned(findings):
    """Looser than sig_affirmed: any significant term in a sentence that does not plainly negate it."""
    out = []
    for key, rx, _ in SIG_IU:
        for s in sents(findings):
            if re.search(rx, s, re.I) and not re.search(r"\b(no|without|negative|free of|clear)\b", s, re.I):
                out.append((key, s))
                break
    return out


def load_iu(shared):
    dev = {json.loads(ln)["uid"] for ln in open(shared / "eval" / "report_errors_dev.jsonl")}
    reps = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        for m in t.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(t.extractfile(m).read())
            uid = root.find("uId").get("id")
            if uid in dev:
                continue
            d = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            f, i = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if len(f) < 40 or len(i) < 5 or len(f) > 700:
                continue
            reps.append({"uid": uid, "ind": d.get("INDICATION", ""), "cmp": d.get("COMPARISON", ""),
                         "f": f, "i": i})
    reps.sort(key=lambda x: int(x["uid"][3:]))
    return reps, dev


REWORD = [(r"\bThere is no\b", "No"), (r"\bThere are no\b", "No"), (r"\bwithin normal limits\b", "normal"),
          (r"\bcardiomediastinal silhouette\b", "cardiomediastinal contour"), (r"\bx-ray\b", "radiograph"),
          (r"\bacute cardiopulmonary abnormality\b", "acute cardiopulmonary abnormality"),
          (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary disease")]


def reword(t, r_on):
    if not r_on:
        return t
    for a, b in REWORD:
        t = re.sub(a, b, t)
    return t


def iu_layout(r, rep, f, i, missing=None):
    ind = rep["ind"] or "Pre-placement medical."
    head = r.choice([("PRE-EMPLOYMENT CHEST RADIOGRAPH", "Reason:"), ("OCCUPATIONAL HEALTH SCREEN - CXR 2 VIEWS",
                                                                     "Indication:"),
                     ("Chest PA and lateral (periodic medical)", "Clinical history:")])
    fh, ih = r.choice([("FINDINGS:", "IMPRESSION:"), ("Findings:", "Impression:"), ("FINDINGS", "IMPRESSION")])
    L = [head[0], f"{head[1]} {ind}"]
    if rep["cmp"]:
        L.append(f"Comparison: {rep['cmp']}")
    L += ["", fh]
    if missing != "find_empty":
        L.append(f)
    L.append("")
    if missing != "imp_absent":
        L.append(ih)
        if missing != "imp_empty":
            L.append(i)
        L.append("")
    L.append(r.choice(["Dictated by: XXXX, MD", "Reading radiologist: ___", "Signed: Dr. ___"]))
    return "\n".join(L).strip() + "\n"


def iu_clean_ok(rep):
    f, i = rep["f"], rep["i"]
    for key, _s in sig_mentioned(f):
        if not re.search(dict((k, c) for k, _, c in SIG_IU)[key], i, re.I):
            return False
    sf, si = set(m.lower() for m in SIDE_RE.findall(f)), set(m.lower() for m in SIDE_RE.findall(i))
    if si and not (si & sf):
        return False
    if re.search(r"\[|___|<|\*\*", f + i):
        return False
    return True


NOUNS = r"(lobe|base|basilar|effusion|opacit|atelecta|nodul|granuloma|hil|apex|apical|pneumothorax|consolidat|" \
        r"infiltrat|airspace|hemidiaphragm|lung|pleural|scar|fracture|rib|mass|costophrenic)"


def after_side(s):
    """Content words in the three words after the side word (what the side is attached to)."""
    m = SIDE_RE.search(s)
    stop = {"the", "of", "is", "a", "sided", "side", "xxxx", "and", "in", "are", "there"}
    words = [w for w in re.findall(r"[a-z]+", s[m.end():].lower()) if w not in stop][:2]
    return {" ".join(words)} if len(words) == 2 else set()


def iu_lat(r, rep):
    fs, is_ = sents(rep["f"]), sents(rep["i"])
    pairs = []
    for a, s in enumerate(is_):
        ws = set(m.lower() for m in SIDE_RE.findall(s))
        if len(ws) != 1:
            continue
        side = ws.pop()
        if re.search(r"greater|more|than|bibasilar|bilateral", s, re.I):
            continue
        nouns_i = after_side(s)
        for b, t in enumerate(fs):
            wt = set(m.lower() for m in SIDE_RE.findall(t))
            if wt == {side} and nouns_i & after_side(t):
                if not NEG_CUE.search(t) or re.search(r"mild|small|chronic|stable", t):
                    pairs.append((a, b, side))
    if not pairs:
        return None
    a, b, side = r.choice(pairs)
    if r.random() < 0.6:
        is_[a] = flip_sides(is_[a])
        where = "IMPRESSION"
    else:
        fs[b] = flip_sides(fs[b])
        where = "FINDINGS"
    return " ".join(fs), " ".join(is_), f"{side} -> {OPP[side]} flipped in {where}"


NEG_IU = [
    (r"\bno (evidence of )?(a )?(focal )?(pleural )?effusions?\b|\bno (pneumothorax or |)(pleural )?effusion",
     ["Small {s} pleural effusion.", "{S} pleural effusion, new."]),
    (r"\bno (evidence of )?pneumothorax|\bno pneumothorax", ["Small {s} apical pneumothorax."]),
    (r"\blungs are clear\b|\bclear lungs\b", ["{S} lower lobe airspace disease, likely pneumonia.",
                                              "Patchy {s} basilar consolidation."]),
    (r"\bheart size (is )?normal\b|\bnormal heart size\b|\bheart is normal in size\b",
     ["Cardiomegaly.", "Moderate cardiomegaly."]),
    (r"\bno (focal )?(airspace )?(consolidation|infiltrate)", ["Right middle lobe infiltrate.".replace("Right",
                                                                                                       "{S}")]),
]


def iu_neg(r, rep):
    if sig_mentioned(rep["f"]):
        return None
    opts = [(rx, tpl) for rx, tpl in NEG_IU if re.search(rx, rep["f"], re.I)]
    if not opts:
        return None
    rx, tpl = r.choice(opts)
    s = r.choice(["right", "left"])
    claim = r.choice(tpl).format(s=s, S=s.capitalize())
    rest = r.choice(["", " Otherwise no acute abnormality.", " Remainder unremarkable."])
    if "airspace" in claim or "consolidation" in claim or "infiltrate" in claim:
        rest = ""
    return rep["f"], claim + rest, f"FINDINGS: '{re.search(rx, rep['f'], re.I).group(0)}'; IMPRESSION: '{claim}'"


OTHER_IU = [(r"granuloma", "Old granulomatous disease."), (r"degenerative", "Degenerative change of the spine."),
            (r"tortuous|ectatic", "Tortuous aorta."), (r"hyperexpan|hyperinfla|emphysema", "Hyperinflation / COPD."),
            (r"cardiomegaly|heart (size )?is (mildly )?enlarged", "Cardiomegaly.")]


def iu_omit(r, rep):
    aff = [(k, s) for k, s in sig_affirmed(rep["f"])]
    big = r"moderate|large|sizable|massive"
    aff = [(k, s) for k, s in aff if not (k == "effusion" and not re.search(big, s, re.I))]
    aff = [(k, s) for k, s in aff if not re.search(r"small|trace|tiny|minimal|XXXX (effusion|pleural|left|right)", s)]
    if not aff:
        return None
    key, sent = r.choice(aff)
    terms = dict((k, c) for k, _, c in SIG_IU)[key]
    others = [t for rx, t in OTHER_IU if re.search(rx, rep["f"], re.I) and not re.search(rx, sent, re.I)]
    if others and r.random() < 0.6:
        imp = " ".join(r.sample(others, min(2, len(others))))
        how = "impression lists other findings"
    else:
        imp = r.choice(["No acute cardiopulmonary abnormality.", "No acute disease.", "Negative chest."])
        how = "impression replaced by normal macro"
    # all affirmed significant findings must be absent from the new impression
    for k, _s in sig_affirmed(rep["f"]):
        if re.search(dict((kk, c) for kk, _, c in SIG_IU)[k], imp, re.I):
            return None
    if re.search(terms, imp, re.I):
        return None
    return rep["f"], imp, f"{how}; omits {key}: '{sent}'"


PH_IU = [
    (re.compile(r"\b(\d+(?:\.\d+)?) ?(cm|mm)\b"), lambda m: "___ " + m.group(2), "measurement"),
    (re.compile(r"\b(right|left)\b"), lambda m: "[LEFT/RIGHT]" if m.group(1) == "left" else "[RIGHT/LEFT]", "side"),
    (re.compile(r"\b(mild|moderate|small|large)\b", re.I), lambda m: "[***]", "grade"),
    (re.compile(r"\b(normal)\b"), lambda m: "[normal/abnormal]", "normal/abnormal choice"),
    (re.compile(r"\b(clear)\b"), lambda m: "<insert>", "lung field word"),
]


def iu_ph(r, rep):
    cands = []
    for where in ("f", "i"):
        for rx, fn, what in PH_IU:
            for m in rx.finditer(rep[where]):
                cands.append((where, m, fn, what))
    if not cands:
        return None
    where, m, fn, what = r.choice(cands)
    rep2 = dict(rep)
    rep2[where] = rep[where][:m.start()] + fn(m) + rep[where][m.end():]
    return rep2["f"], rep2["i"], f"{what} '{m.group(0)}' in {'FINDINGS' if where == 'f' else 'IMPRESSION'} -> " \
                                 f"'{fn(m)}'"


def iu_case(r, rep, kind):
    rw = r.random() < 0.7
    rep = dict(rep, f=reword(rep["f"], rw), i=reword(rep["i"], rw))
    if kind is None:
        return iu_layout(r, rep, rep["f"], rep["i"]), "clean IU"
    if kind == "missing_section":
        m = r.choice(["imp_empty", "imp_absent", "imp_empty", "find_empty"])
        rpt = iu_layout(r, rep, rep["f"], rep["i"], m)
        return rpt, {"imp_empty": "IMPRESSION header left empty", "imp_absent": "IMPRESSION removed",
                     "find_empty": "FINDINGS header left empty"}[m]
    fn = {"laterality_conflict": iu_lat, "negation_conflict": iu_neg, "impression_omits_finding": iu_omit,
          "placeholder": iu_ph}[kind]
    res = fn(r, rep)
    if res is None:
        return None
    f, i, det = res
    return iu_layout(r, rep, f, i), det


def iu_check(kind, rep, report, detail):
    fnd, imp = sections(report)
    fnd, imp_b = fnd.strip(), strip_sig(imp)
    if kind == "missing_section":
        return (not fnd and imp_b) if "FINDINGS" in detail else (imp is None or not imp_b)
    if not fnd or not imp_b:
        return False
    if kind is None:
        return True
    if kind == "laterality_conflict":
        return fnd != rep["f"] or imp_b != rep["i"]
    if kind == "negation_conflict":
        return imp_b != rep["i"]
    if kind == "impression_omits_finding":
        return all(not re.search(dict((k, c) for k, _, c in SIG_IU)[k], imp_b, re.I) for k, _ in sig_affirmed(fnd))
    if kind == "placeholder":
        return bool(re.search(r"\[[A-Za-z*/]+\]|___ (cm|mm)|<insert>", report))
    return True


# ----------------------------------------------------------------------------- main
def build(seed, shared):
    r = random.Random(seed)
    reps, _dev = load_iu(shared)
    clean_pool = [x for x in reps if iu_clean_ok(x)]
    order = list(reps)
    r.shuffle(order)
    r.shuffle(clean_pool)
    used = set()
    cases = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        half = n // 2
        for _ in range(half):
            report, det = composed_report(r, kind)
            cases.append((kind, det, report))
        got = 0
        pool = clean_pool if kind is None else order
        for rep in pool:
            if got >= n - half:
                break
            if rep["uid"] in used:
                continue
            if kind is not None and kind != "missing_section" and kind != "placeholder" and not iu_clean_ok(rep):
                continue
            res = iu_case(r, rep, kind)
            if res is None:
                continue
            report, det = res
            if not iu_check(kind, rep, report, det):
                continue
            used.add(rep["uid"])
            cases.append((kind, f"[IU {rep['uid']}] {det}", report))
            got += 1
        if got < n - half:
            raise RuntimeError(f"not enough IU reports for {kind}")
    ph = re.compile(r"\[[A-Za-z*/ ]+\]|<insert[^>]*>|\bXX mm|___ (cm|mm)")
    for kind, det, report in cases:  # final self-check over the whole set
        fnd, imp = sections(report)
        assert bool(ph.search(report)) == (kind == "placeholder"), (kind, det)
        if kind != "missing_section":
            assert fnd.strip() and strip_sig(imp), (kind, det)
    r.shuffle(cases)
    out = []
    for n, (kind, det, report) in enumerate(cases):
        cid = hashlib.sha1(f"h48:{seed}:{n}:{report}".encode()).hexdigest()[:16]
        out.append({"id": cid, "injected": kind, "detail": det, "report": report})
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=48)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if shared is None:
        print("shared data not found: set MEDRAG_SHARED_DIR to the shared folder (with data/iu_reports and eval/)",
              file=sys.stderr)
        return 2
    cases = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == kind][:a.show]:
                print(f"===== {kind} | {c['detail']}\n{c['report']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
