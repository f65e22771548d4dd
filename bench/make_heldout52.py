"""Held-out report-check set 52: the everyday list of a US community hospital (written blind).

Written without looking at the checker, its tests, its docs or any other generator; only the scorer's
format, the IU archive and the dev set's `uid` field (to exclude those reports) were read.

Theme: the ordinary day-to-day list of portable and departmental chest films read by a private radiology
group for a community hospital: ward inpatients, nursing-home admissions, heart failure, pneumonia, COPD
exacerbations, post-op day 1 films, line and tube checks (PICC, central lines, ET/NG/OG tubes, pacemakers),
AP portable technique limits. Styles (one per reader of the group):

- ``template``: EXAM / CLINICAL HISTORY / COMPARISON / TECHNIQUE / FINDINGS / IMPRESSION with a numbered
  impression and an electronic signature line;
- ``terse``: one-line headers with text on the same line, short sentences, no technique line;
- ``subhead``: departmental template with organ rows under FINDINGS (Lines/tubes, Lungs, Pleura, ...);
- ``prose``: mixed-case headers, one findings paragraph and a voice-recognition disclaimer.

Half of every group is composed from the phrase bank below, half are real IU reports (dev uids excluded)
laid out in these styles with some stock phrases re-worded. Each injected report carries one error written
as a real slip (side flipped while dictating, normal macro pasted, template field left, section lost).

usage: python -m bench.make_heldout52 OUT.jsonl --seed S [--show N]
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
STYLES = ["template", "terse", "subhead", "prose"]
OPP = {"right": "left", "left": "right"}


def cap(s):
    return s[:1].upper() + s[1:]


# --------------------------------------------------------------------------- phrase bank (composed reports)

HISTORY = [
    "Shortness of breath.", "SOB, r/o CHF.", "Cough and fever.", "Fever, evaluate for pneumonia.",
    "CHF exacerbation.", "COPD exacerbation.", "Hypoxia.",
    "Post-op day 1, hypoxia.",
    "Nursing home admission, altered mental status.", "Weakness.", "Chest pain.",
    "Leukocytosis.", "Pre-op.", "Dyspnea, history of CHF.", "Aspiration risk.", "Sepsis.", "Fall.",
    "Desaturation.", "Follow-up pneumonia.", "Pleural effusion follow-up.",
    "Decreased breath sounds.", "Tachypnea.", "Wheezing.",
]
COMPARISON = ["None.", "None available.", "{d}.", "Chest x-ray {d}.", "Portable chest {d}.", "{d} and {d2}.",
              "Prior from {d}.", "CT chest {d}."]
DEVICE_HISTORY = {
    "picc": ["PICC placement.", "PICC line placement, check tip.", "Line placement."],
    "ij": ["Central line placement.", "R/o pneumothorax after line placement.", "Line check."],
    "ett": ["Intubated.", "ETT placement.", "Respiratory failure, intubated."],
    "ng": ["NG tube placement.", "Feeding tube placement.", "Enteric tube placement, verify position."],
    "pacer": ["Pacemaker placement.", "Post pacemaker insertion.", "S/p pacemaker, r/o pneumothorax."],
    "sternotomy": ["S/p CABG, POD 1.", "Post-op day 1, CABG.", "Post CABG, shortness of breath."],
}
READERS = ["Mark T. Delaney, MD", "Susan K. Okafor, MD", "R. Patel, MD", "James Whitcomb, DO", "Linda Moreau, MD",
           "Kevin O'Brien, MD", "A. Nguyen, MD"]

NORMALS = {
    "heart": ["Heart size is normal.", "The cardiomediastinal silhouette is within normal limits.",
              "Cardiac silhouette is normal in size.", "Heart size is within normal limits for AP technique.",
              "Normal heart size.", "The heart and mediastinum are unremarkable."],
    "lungs": ["The lungs are clear.", "Lungs are clear.", "No focal consolidation.",
              "The lungs are clear without focal airspace disease.", "No focal airspace opacity.",
              "Lungs are well expanded and clear."],
    "effusion": ["No pleural effusion.", "No effusion.", "No significant pleural effusion."],
    "ptx": ["No pneumothorax.", "No pneumothorax is seen.", "There is no pneumothorax."],
    "both": ["No pleural effusion or pneumothorax.", "No effusion or pneumothorax.",
             "No pneumothorax or large pleural effusion.", "There is no pleural effusion or pneumothorax."],
    "bones": ["No acute osseous abnormality.", "Osseous structures are intact.",
              "Degenerative changes of the thoracic spine.", "No acute bony abnormality.",
              "Bones are osteopenic.", "Visualized osseous structures are unremarkable."],
}
NORMAL_IMP = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.", "No acute disease.",
              "No acute cardiopulmonary disease.", "No active disease.", "Negative chest.",
              "No acute findings."]
TECH_LIMIT = ["Portable AP technique limits evaluation.", "Low lung volumes.",
              "Patient rotation limits evaluation.", "Exam is limited by low lung volumes and patient positioning.",
              "Semi-upright AP portable technique."]


def F(kind, area, f, i, sig, terms, side=None, neg_f=None, neg_i=None, fields=(), device=False):
    return {"kind": kind, "area": area, "f": f, "i": i, "sig": sig, "terms": terms, "side": side,
            "neg_f": neg_f, "neg_i": neg_i, "fields": list(fields), "device": device}


def mk_consolidation(rng, side):
    lobe = rng.choice(["lower lobe", "lower lobe", "base", "upper lobe"] + (["middle lobe"] if side == "right" else []))
    where = f"{side} {lobe}" if lobe != "base" else f"{side} lung base"
    f = rng.choice([f"There is patchy airspace opacity in the {where}.",
                    f"New consolidation in the {where}.",
                    f"Focal airspace disease in the {where}, new since prior.",
                    f"Patchy opacity in the {where} concerning for pneumonia.",
                    f"Increased opacity in the {where} compatible with infiltrate."])
    i = rng.choice([f"{cap(where)} pneumonia.", f"{cap(where)} airspace disease, likely pneumonia.",
                    f"{cap(where)} consolidation, suspicious for pneumonia in the appropriate clinical setting.",
                    f"{cap(where)} infiltrate."])
    neg_i = rng.choice(["Lungs are clear.", "No consolidation.", "No pneumonia.", "Clear lungs."])
    return F("consolidation", "lungs", f, i, True, r"pneumon|consolid|airspace|opacit|infiltrat|aspiration",
             side, neg_f=rng.choice(NORMALS["lungs"]), neg_i=neg_i)


def mk_effusion(rng, side, big):
    loc = f"{side} pleural effusion" if side else "bilateral pleural effusions"
    a_ = "a " if side else ""
    is_ = "is" if side else "are"
    if big:
        size = rng.choice(["moderate", "moderate", "large", "moderate to large"])
        f, i = rng.choice([
            (f"There {is_} {a_}{size} {loc}.", [f"{cap(size)} {loc}."]),
            (f"There {is_} {a_}{size} {loc} with adjacent atelectasis.",
             [f"{cap(size)} {loc} with adjacent atelectasis.", f"{cap(size)} {loc}."]),
            (f"{cap(size)} {loc}, increased from prior.", [f"{cap(size)} {loc}, increased.",
                                                             f"Increasing {size} {loc}."]),
            (f"{cap(size)} {loc} obscuring the hemidiaphragm.", [f"{cap(size)} {loc}."]),
        ])
        i = rng.choice(i)
    else:
        size = rng.choice(["small", "trace", "small"])
        f = rng.choice([f"{cap(size)} {loc}.", f"There {is_} {a_}{size} {loc}."]) if side is None or rng.random() < .6 \
            else f"Blunting of the {side} costophrenic angle, likely a {size} effusion."
        i = f"{cap(size)} {loc}."
    return F("effusion_big" if big else "effusion_small", "effusion", f, i, big, r"effusion|fluid", side,
             neg_f=rng.choice(NORMALS["effusion"]), neg_i=rng.choice(["No pleural effusion.", "No effusion."]),
             fields=[(size, "[small/moderate/large]")])


def mk_edema(rng):
    f, i = rng.choice([
        ("Pulmonary vascular congestion with mild interstitial edema.",
         ["Findings consistent with CHF with mild interstitial edema.", "Mild pulmonary edema.",
          "Vascular congestion and interstitial edema, compatible with CHF."]),
        ("Cephalization of the pulmonary vasculature and interstitial edema.",
         ["Interstitial pulmonary edema.", "Findings compatible with CHF."]),
        ("Diffuse interstitial opacities with Kerley B lines, consistent with edema.",
         ["Interstitial edema.", "Congestive heart failure."]),
        ("Increased pulmonary vascular congestion and perihilar haziness, worse than prior.",
         ["Worsening pulmonary edema.", "Worsening CHF."]),
        ("Interstitial and mild alveolar edema.", ["Pulmonary edema.", "Mild pulmonary edema, likely CHF."]),
    ])
    i = rng.choice(i)
    return F("edema", "lungs", f, i, True, r"edema|congest|CHF|heart failure|fluid overload|volume overload",
             neg_f=rng.choice(["No pulmonary edema.", "No vascular congestion or edema.", "Lungs are clear."]),
             neg_i=rng.choice(["No pulmonary edema.", "No CHF.", "No evidence of congestive heart failure."]))


def mk_cardiomegaly(rng):
    f = rng.choice(["The heart is mildly enlarged, unchanged.", "Stable mild cardiomegaly.",
                    "Heart size is borderline enlarged.", "Cardiomegaly, stable.",
                    "The cardiac silhouette is enlarged but stable."])
    i = rng.choice(["Stable cardiomegaly.", "Mild cardiomegaly.", "Stable mild cardiomegaly."])
    return F("cardiomegaly", "heart", f, i, False, r"cardiomegal|heart|cardiac", neg_f="Heart size is normal.",
             neg_i=rng.choice(["Heart size is normal.", "Normal heart size."]))


def mk_ptx(rng, side):
    cm = rng.choice(["1", "1.5", "2", "0.8", "3"])
    f = rng.choice([f"Small {side} apical pneumothorax measuring approximately {cm} cm.",
                    f"There is a {side} apical pneumothorax, {cm} cm from apex to pleural line.",
                    f"New small {side} pneumothorax, about {cm} cm at the apex."])
    i = rng.choice([f"Small {side} apical pneumothorax.", f"{cap(side)} pneumothorax, approximately {cm} cm.",
                    f"New small {side} pneumothorax."])
    return F("ptx", "ptx", f, i, True, r"pneumothora|PTX|pleural line", side, neg_f=rng.choice(NORMALS["ptx"]),
             neg_i="No pneumothorax.", fields=[(f"{cm} cm", "___ cm")])


def mk_atelectasis(rng, side):
    where = rng.choice([f"{side} lung base", f"{side} base", f"{side} lower lobe"]) if side else "lung bases"
    f = rng.choice([f"Linear atelectasis at the {where}.", f"Subsegmental atelectasis in the {where}.",
                    f"Mild atelectasis at the {where}.", f"Streaky opacity at the {where}, likely atelectasis."])
    i = rng.choice([f"{cap(where)} atelectasis.", f"Mild {where} atelectasis.",
                    f"Atelectasis at the {where}."]) if side else rng.choice(["Bibasilar atelectasis.",
                                                                              "Mild bibasilar atelectasis."])
    return F("atelectasis", "lungs", f, i, False, r"atelecta", side)


def mk_copd(rng):
    f = rng.choice(["The lungs are hyperinflated with flattening of the hemidiaphragms.",
                    "Hyperinflation consistent with COPD.", "Emphysematous changes with hyperexpansion."])
    i = rng.choice(["COPD.", "Hyperinflation consistent with COPD.", "Chronic obstructive changes."])
    return F("copd", "inflation", f, i, False, r"COPD|hyperinfl|emphysem|obstructive")


def mk_nodule(rng, side):
    mm = rng.choice(["8", "9", "12", "1.4 cm", "7"])
    size = mm if "cm" in mm else f"{mm} mm"
    lobe = rng.choice(["upper lobe", "mid lung", "lower lobe"])
    f = rng.choice([f"There is a {size} nodule in the {side} {lobe}, not seen previously.",
                    f"New {size} nodular opacity in the {side} {lobe}."])
    i = rng.choice([f"{size} {side} {lobe} nodule. Recommend CT chest for further evaluation.",
                    f"New {side} {lobe} nodule measuring {size}; CT chest recommended."])
    return F("nodule", "lungs", f, i, True, r"nodul|mass|lesion|CT", side,
             fields=[(size, "XX mm" if "mm" in size else "___ cm")])


def mk_free_air(rng):
    f = rng.choice(["Free intraperitoneal air beneath the right hemidiaphragm.",
                    "Lucency beneath both hemidiaphragms consistent with free air."])
    i = rng.choice(["Free intraperitoneal air, likely postoperative given recent surgery. Clinical correlation.",
                    "Pneumoperitoneum, may be postoperative."])
    return F("free_air", "abdomen", f, i, True, r"free air|pneumoperitone|intraperitoneal|subdiaphragmatic")


def mk_devices(rng, n):
    out = []
    pool = ["picc", "ij", "ett", "ng", "pacer", "sternotomy"]
    rng.shuffle(pool)
    for d in pool[:n]:
        if d == "picc":
            s = rng.choice(["right", "left", "right"])
            loc = rng.choice(["distal SVC", "cavoatrial junction", "mid SVC", "proximal right atrium"])
            out.append(F("picc", "lines", rng.choice([f"{cap(s)} upper extremity PICC with tip in the {loc}.",
                                                      f"{cap(s)} arm PICC terminates in the {loc}."]),
                         rng.choice([f"{cap(s)} PICC tip in the {loc}.", f"PICC tip at the {loc}."]), False,
                         r"PICC", fields=[(loc, "[***]")], device=True))
        elif d == "ij":
            s = rng.choice(["right", "left", "right"])
            out.append(F("ij", "lines", f"{cap(s)} internal jugular central venous catheter with tip in the "
                         "SVC.", "Central line tip in the SVC.", False, r"line|catheter", device=True,
                         fields=[("SVC", "[***]")]))
        elif d == "ett":
            cm = rng.choice(["3", "4", "4.5", "5", "2.5"])
            out.append(F("ett", "lines", rng.choice([f"Endotracheal tube tip {cm} cm above the carina.",
                                                     f"ETT is in good position, {cm} cm above the carina."]),
                         rng.choice([f"ETT {cm} cm above the carina.", "Endotracheal tube in satisfactory position."]),
                         False, r"ETT|endotracheal", fields=[(f"{cm} cm", "___ cm")], device=True))
        elif d == "ng":
            t = rng.choice(["Enteric tube", "NG tube", "Dobhoff tube"])
            out.append(F("ng", "lines", rng.choice([f"{t} courses below the diaphragm with tip in the stomach.",
                                                    f"{t} tip projects over the gastric body."]),
                         f"{t} in the stomach.", False, r"tube", device=True))
        elif d == "pacer":
            s = rng.choice(["left", "left", "right"])
            out.append(F("pacer", "lines", f"{cap(s)} chest wall dual-chamber pacemaker with leads in the right "
                         "atrium and right ventricle.", "Pacemaker leads in stable position.", False, r"pacemaker|lead",
                         device=True))
        else:
            out.append(F("sternotomy", "lines", rng.choice(["Median sternotomy wires and mediastinal clips.",
                                                            "Post-CABG changes with intact sternotomy wires."]),
                         "Post-CABG changes.", False, r"CABG|sternotomy", device=True))
    return out


def compose_scenario(rng, kind):
    """Return a list of finding dicts for one composed report, suited to the kind to inject."""
    side = rng.choice(["right", "left"])
    other = OPP[side]
    fs = []
    r = rng.random()
    if kind == "impression_omits_finding" or (kind is None and r < .5) or (kind not in (None, "missing_section")
                                                                       and r < .6):
        main = rng.choice(["cons", "cons", "cons", "eff", "edema", "edema", "ptx", "nodule"]
                          + (["free"] if kind == "impression_omits_finding" else []))
        if kind == "laterality_conflict" and main in ("edema",):
            main = "cons"
        fs.append({"cons": lambda: mk_consolidation(rng, side), "eff": lambda: mk_effusion(rng, side, True),
                   "edema": lambda: mk_edema(rng), "ptx": lambda: mk_ptx(rng, side),
                   "nodule": lambda: mk_nodule(rng, side), "free": lambda: mk_free_air(rng)}[main]())
        if main == "edema":
            if rng.random() < .7:
                fs.append(mk_cardiomegaly(rng))
            if rng.random() < .5:
                fs.append(mk_effusion(rng, None, False))
        elif rng.random() < .5:
            fs.append(rng.choice([lambda: mk_effusion(rng, other if rng.random() < .3 else side, False),
                                  lambda: mk_atelectasis(rng, other), lambda: mk_cardiomegaly(rng),
                                  lambda: mk_copd(rng)])())
    else:
        if rng.random() < .55:
            fs.append(rng.choice([lambda: mk_cardiomegaly(rng), lambda: mk_atelectasis(rng, side),
                                  lambda: mk_copd(rng), lambda: mk_effusion(rng, side, False),
                                  lambda: mk_atelectasis(rng, None)])())
    if kind == "impression_omits_finding" and len([x for x in fs if not x["device"]]) < 2 and rng.random() < .6:
        fs.append(rng.choice([lambda: mk_cardiomegaly(rng), lambda: mk_atelectasis(rng, other),
                              lambda: mk_copd(rng)])())
    if kind == "negation_conflict" and not any(x["neg_i"] for x in fs):
        fs.append(rng.choice([lambda: mk_consolidation(rng, side), lambda: mk_effusion(rng, side, rng.random() < .5),
                              lambda: mk_cardiomegaly(rng), lambda: mk_edema(rng)])())
    if kind == "laterality_conflict" and not any(x["side"] and not x["device"] for x in fs):
        fs.append(rng.choice([lambda: mk_consolidation(rng, side), lambda: mk_effusion(rng, side, True),
                              lambda: mk_atelectasis(rng, side), lambda: mk_ptx(rng, side)])())
    nd = rng.choice([0, 0, 0, 1, 1, 2])
    if kind == "placeholder" and not any(x["fields"] for x in fs):
        fs.extend(d for d in mk_devices(rng, 6) if d["fields"] and d["kind"] not in {x["kind"] for x in fs})
        fs = fs[:len(fs) - 1] if len(fs) > 3 else fs
        nd = 0
    kinds = {x["kind"] for x in fs}
    fs.extend(d for d in mk_devices(rng, nd) if d["kind"] not in kinds)
    # at most one finding of a kind family, keep the first
    seen, out = set(), []
    for x in fs:
        fam = x["kind"].split("_")[0]
        if fam not in seen:
            seen.add(fam)
            out.append(x)
    return out


def normals_for(rng, fs, portable):
    areas = {x["area"] for x in fs}
    sents = {}
    if "heart" not in areas:
        sents["heart"] = rng.choice([h for h in NORMALS["heart"] if portable or "AP" not in h])
    if "lungs" not in areas:
        sents["lungs"] = rng.choice([n for n in NORMALS["lungs"] if not (portable and "expanded" in n)])
    elif any(x["side"] for x in fs if x["area"] == "lungs") and rng.random() < .5:
        sents["lungs"] = rng.choice(["The remaining lungs are clear.", "Lungs are otherwise clear."])
    if "effusion" not in areas and "ptx" not in areas:
        sents["pleura"] = rng.choice(NORMALS["both"])
    elif "effusion" in areas and "ptx" not in areas:
        sents["pleura"] = rng.choice(NORMALS["ptx"])
    elif "ptx" in areas and "effusion" not in areas:
        sents["pleura"] = rng.choice(NORMALS["effusion"])
    if rng.random() < .6:
        sents["bones"] = rng.choice(NORMALS["bones"])
    if portable and rng.random() < .4:
        sents["tech"] = rng.choice(TECH_LIMIT)
    return sents


def compose(rng, kind):
    fs = compose_scenario(rng, kind)
    portable = rng.random() < .7 or any(x["kind"] in ("ett", "ij") for x in fs)
    norms = normals_for(rng, fs, portable)
    imp_normal = rng.choice(NORMAL_IMP)
    listed = [x for x in fs if x["sig"] or x["device"] or rng.random() < .75]
    devs = [x["kind"] for x in fs if x["device"]]
    hist = rng.choice(HISTORY)
    if devs and rng.random() < .6:
        hist = rng.choice(DEVICE_HISTORY[devs[0]])
    return {"fs": fs, "norms": norms, "imp": [x["i"] for x in listed], "listed": listed, "portable": portable,
            "imp_normal": imp_normal, "hist": hist}


# --------------------------------------------------------------------------- layout

def rand_date(rng):
    return f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{rng.choice([2019, 2020, 2021, 2022, 2023])}"


def findings_lines(rng, fs, norms, style):
    """Ordered findings sentences as (area, text, finding-or-None)."""
    order = ["tech", "lines", "heart", "inflation", "lungs", "effusion", "ptx", "pleura", "abdomen", "bones"]
    items = [(x["area"], x["f"], x) for x in fs] + [(a, t, None) for a, t in norms.items()]
    items.sort(key=lambda it: order.index(it[0]))
    return items


def render(rng, style, hist, comp, items, imp, portable, exam_iu=False, impression_present=True,
           findings_present=True, signer=None):
    """items: list of (area, sentence, tag); imp: list of impression sentences."""
    view = "PA AND LATERAL" if exam_iu or not portable else "AP PORTABLE"
    lines = []
    row = {"lines": "Lines/tubes", "tech": "Technique", "heart": "Heart/mediastinum", "lungs": "Lungs",
           "inflation": "Lungs", "effusion": "Pleura", "ptx": "Pleura", "pleura": "Pleura", "abdomen": "Upper abdomen",
           "bones": "Bones", "other": "Other"}
    if style == "subhead":
        groups = {}
        for a, t, _ in items:
            if a == "tech":
                continue
            groups.setdefault(row.get(a, "Other"), []).append(t)
        ftxt = "\n".join(f"{k}: {' '.join(v)}" for k, v in groups.items())
        if "Lines/tubes" not in groups and not exam_iu and rng.random() < .5:
            ftxt = "Lines/tubes: None.\n" + ftxt
    elif style == "terse":
        ftxt = " ".join(t for a, t, _ in items)
    else:
        ftxt = " ".join(t for a, t, _ in items)
    if not findings_present:
        ftxt = None
    if style == "template" and len(imp) > 1:
        itxt = "\n".join(f"{n}. {s}" for n, s in enumerate(imp, 1))
    else:
        itxt = " ".join(imp)
    sig = signer or rng.choice(READERS)
    if style == "template":
        lines.append(f"EXAM: XR CHEST {'1 VIEW PORTABLE' if view == 'AP PORTABLE' else '2 VIEWS PA AND LATERAL'}")
        lines.append(f"CLINICAL HISTORY: {hist}")
        lines.append(f"COMPARISON: {comp}")
        lines.append("TECHNIQUE: " + ("Single portable AP upright view of the chest." if view == "AP PORTABLE"
                                      else "PA and lateral views of the chest."))
        lines.append("")
        lines.append("FINDINGS:")
        if ftxt is not None:
            lines.append(ftxt)
        lines.append("")
        if impression_present:
            lines.append("IMPRESSION:")
            lines.append(itxt)
            lines.append("")
        lines.append(f"Electronically signed by: {sig} on {rand_date(rng)} {rng.randint(0, 23):02d}:"
                     f"{rng.randint(0, 59):02d}")
    elif style == "terse":
        lines.append(f"{'PORTABLE CHEST, 1 VIEW' if view == 'AP PORTABLE' else 'CHEST, 2 VIEWS'}.")
        lines.append(f"HISTORY: {hist}")
        if rng.random() < .7:
            lines.append(f"COMPARISON: {comp}")
        lines.append("FINDINGS:" + (f" {ftxt}" if ftxt is not None else ""))
        if impression_present:
            lines.append(f"IMPRESSION: {itxt}")
        lines.append(f"{sig.split(',')[0]}")
        lines = ["\n".join(lines[:-1]).replace("\n", "\n\n"), lines[-1]]
    elif style == "subhead":
        lines.append(f"CHEST {'1 VIEW (PORTABLE)' if view == 'AP PORTABLE' else 'PA/LATERAL'}")
        lines.append("")
        lines.append(f"INDICATION: {hist}")
        lines.append(f"COMPARISON: {comp}")
        lines.append("")
        lines.append("FINDINGS:")
        if ftxt is not None:
            lines.append(ftxt)
        lines.append("")
        if impression_present:
            lines.append("IMPRESSION:")
            lines.append(itxt)
            lines.append("")
        lines.append(f"Dictated by: {sig}")
    else:
        lines.append(f"Chest x-ray, {'AP portable' if view == 'AP PORTABLE' else 'PA and lateral'}")
        lines.append("")
        lines.append(f"Reason for exam: {hist}")
        lines.append(f"Comparison: {comp}")
        lines.append("")
        lines.append("Findings:" + (f" {ftxt}" if ftxt is not None else ""))
        lines.append("")
        if impression_present:
            lines.append(f"Impression: {itxt}")
            lines.append("")
        lines.append("This report was generated using voice recognition software; unintentional transcription "
                     "errors may occur.")
        lines.append(f"{sig}")
    return "\n".join(lines).strip() + "\n"


# --------------------------------------------------------------------------- composed cases

def make_composed(rng, kind, style, want="normal"):
    c = compose(rng, kind)
    fs, norms = c["fs"], c["norms"]
    items = findings_lines(rng, fs, norms, style)
    imp = list(c["imp"])
    if not any(not x["device"] and x in c["listed"] for x in fs):
        # nothing (or only devices) listed: normal statement
        if any(not x["device"] for x in fs):
            c["imp_normal"] = rng.choice(NORMAL_IMP[:3])
        imp = [i for i in imp] + [c["imp_normal"]] if imp else [c["imp_normal"]]
        if imp and len(imp) > 1 and rng.random() < .5:
            imp = [imp[-1]] + imp[:-1]
    elif rng.random() < .15 and not any(x["sig"] for x in fs):
        imp.append("No acute cardiopulmonary process.")
    d = rand_date(rng)
    comp = rng.choice(COMPARISON).format(d=d, d2=rand_date(rng))
    if comp.startswith("None") and re.search(r"prior|previous|unchanged|stable|increased|worse|\bnew\b",
                                             " ".join(x["f"] + " " + x["i"] for x in fs), re.I):
        comp = f"Chest x-ray {d}."
    hist = c["hist"]
    if rng.random() < .08:
        hist = rng.choice(["___ with cough.", "___-year-old with shortness of breath.", "___ y/o F, fever."])
    kw = {"impression_present": True, "findings_present": True}
    detail = ""
    if kind == "missing_section":
        normal = not any(not x["device"] for x in fs)
        v = rng.choice(["imp_empty", "imp_gone", "find_empty"] + (["find_gone"] * 2 if normal else []))
        if v == "imp_empty":
            imp = []
            detail = "IMPRESSION header left with nothing under it"
        elif v == "imp_gone":
            kw["impression_present"] = False
            detail = "IMPRESSION section absent"
        elif v == "find_empty":
            kw["findings_present"] = False
            detail = "FINDINGS header left empty"
        else:
            items = []
            imp = [rng.choice(["No acute disease.", "No acute cardiopulmonary process.", "Negative."])]
            detail = "FINDINGS section absent; impression is a bare normal statement"
        rep = render(rng, style, hist, comp, items, imp, c["portable"], **kw)
        if v == "find_gone":
            rep = re.sub(r"(?im)^(FINDINGS|Findings):.*\n", "", rep)
            rep = re.sub(r"(?m)^Lines/tubes: None\.\n", "", rep)
            rep = re.sub(r"\n{3,}", "\n\n", rep)
        return rep, detail, {"v": v}
    if kind == "laterality_conflict":
        cands = [x for x in fs if x["side"] and not x["device"] and x in c["listed"] and "middle" not in x["f"]]
        if not cands:
            return None
        x = rng.choice(cands)
        s, o = x["side"], OPP[x["side"]]
        if rng.random() < .6:
            new = re.sub(rf"\b{s}\b", o, x["i"], count=1)
            new = re.sub(rf"\b{cap(s)}\b", cap(o), new, count=1) if new == x["i"] else new
            imp = [new if t == x["i"] else t for t in imp]
            detail = f"side flipped in IMPRESSION ({s} -> {o}) for {x['kind']}"
            where = "imp"
        else:
            new = re.sub(rf"\b{s}\b", o, x["f"], count=1)
            new = re.sub(rf"\b{cap(s)}\b", cap(o), new, count=1) if new == x["f"] else new
            items = [(a, new if t == x["f"] else t, g) for a, t, g in items]
            detail = f"side flipped in FINDINGS ({s} -> {o}) for {x['kind']}"
            where = "find"
        rep = render(rng, style, hist, comp, items, imp, c["portable"])
        return rep, detail, {"side_new": o, "side_old": s, "where": where, "f": x}
    if kind == "negation_conflict":
        cands = [x for x in fs if x["neg_i"] and x in c["listed"]]
        if not cands:
            return None
        x = rng.choice(cands)
        if rng.random() < .5 and x["neg_f"]:
            # normal template line left in FINDINGS; impression still names the finding
            items = [(a, x["neg_f"] if t == x["f"] else t, g) for a, t, g in items]
            items = [(a, t, g) for a, t, g in items if not (a == x["area"] and g is None and t != x["neg_f"])]
            detail = f"FINDINGS says '{x['neg_f']}' (normal line left) while IMPRESSION says '{x['i']}'"
            info = {"neg": x["neg_f"], "where": "find"}
        else:
            imp = [x["neg_i"] if t == x["i"] else t for t in imp]
            if len(imp) == 1 and rng.random() < .7:
                imp = [rng.choice(NORMAL_IMP[:3])] + imp
            detail = f"IMPRESSION says '{x['neg_i']}' while FINDINGS says '{x['f']}'"
            info = {"neg": x["neg_i"], "where": "imp"}
        rep = render(rng, style, hist, comp, items, imp, c["portable"])
        return rep, detail, info
    if kind == "impression_omits_finding":
        cands = [x for x in fs if x["sig"]]
        if not cands:
            return None
        x = rng.choice(cands)
        others = [t for y in c["listed"] if y is not x and not y["device"] for t in [y["i"]]]
        if want == "others" and not others:
            return None
        if want == "others":
            imp = [t for t in imp if t != x["i"]]
            mode = "others"
        else:
            dev = [y["i"] for y in c["listed"] if y["device"]]
            imp = ([rng.choice(["Support devices as above.", "Lines and tubes as described."])] if dev and
                   rng.random() < .5 else []) + [c["imp_normal"]]
            mode = "normal"
        if not imp:
            return None
        detail = f"IMPRESSION ({mode}) leaves out: {x['f']}"
        rep = render(rng, style, hist, comp, items, imp, c["portable"])
        return rep, detail, {"terms": x["terms"], "mode": mode}
    if kind == "placeholder":
        cands = [(x, fld) for x in fs for fld in x["fields"]]
        sided = [x for x in fs if x["side"] and not x["device"]]
        opts = [("field", p) for p in cands] + [("side", x) for x in sided]
        if not opts:
            return None
        typ, obj = rng.choice(opts)
        if typ == "field":
            x, (val, blank) = obj
            new = x["f"].replace(val, blank, 1)
        else:
            x = obj
            blank = rng.choice(["[LEFT/RIGHT]", "[right/left]", "***"])
            new = re.sub(rf"\b{x['side']}\b", blank, x["f"], count=1)
            if new == x["f"]:
                new = re.sub(rf"\b{cap(x['side'])}\b", blank, x["f"], count=1)
        items = [(a, new if t == x["f"] else t, g) for a, t, g in items]
        detail = f"template field left unfilled in FINDINGS: '{new}'"
        rep = render(rng, style, hist, comp, items, imp, c["portable"])
        return rep, detail, {"blank": blank}
    rep = render(rng, style, hist, comp, items, imp, c["portable"])
    return rep, "", {}


# --------------------------------------------------------------------------- IU reports

NEG = re.compile(r"\b(no|not|without|negative|resolved|resolution|clear|free of|cleared|removed|"
                 r"normal|unremarkable|cannot|can't|possib\w*|may|question\w*|versus|vs|likely|differential|"
                 r"probabl\w*|suspect\w*|suggest\w*|concerning|improv\w*|decreas\w*)\b", re.I)
SIG = {
    "consolidation": r"consolidat|airspace|air space|pneumonia|infiltrat",
    "edema": r"edema|vascular congestion|interstitial congestion",
    "ptx": r"pneumothora",
    "effusion": r"(?<!pericardial )effusion",
    "mass": r"\bmass\b",
}
SMALL = re.compile(r"\b(small|trace|tiny|minimal|mild|minor|blunting|stable|unchanged|chronic|old|healed|"
                   r"calcified|scar|scarring)\b", re.I)
REWORD = [
    (r"\bNo acute cardiopulmonary abnormality\b", ["No acute cardiopulmonary process", "No acute cardiopulmonary "
                                                   "abnormality", "No acute disease"]),
    (r"\bNo active disease\b", ["No active disease", "No acute process"]),
    (r"\bThe cardiomediastinal silhouette is within normal limits\b",
     ["The cardiomediastinal silhouette is within normal limits", "Cardiomediastinal contours are normal",
      "Heart and mediastinum are within normal limits"]),
    (r"\bNo pneumothorax or pleural effusion\b", ["No pneumothorax or pleural effusion",
                                                  "No pleural effusion or pneumothorax"]),
    (r"chest x-XXXX", ["chest radiograph", "chest x-ray", "chest"]),
    (r"\bx-XXXX\b", ["x-ray"]),
    (r"\bXXXX-year-old\b", ["XXXX-year-old", "adult"]),
]


def sents(text):
    text = re.sub(r"\s+\.", ".", text.strip())
    text = re.sub(r"\.{2,}", ".", text)
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text) if s.strip(" .")]


def load_iu(shared):
    dev = set()
    devp = shared / "eval" / "report_errors_dev.jsonl"
    if devp.is_file():
        for line in devp.open():
            dev.add(json.loads(line)["uid"])
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        for m in sorted(t.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            r = ET.parse(t.extractfile(m)).getroot()
            uel = r.find("uId")
            uid = uel.get("id") if uel is not None else m.name
            if uid in dev:
                continue
            d = {a.get("Label"): (a.text or "").strip() for a in r.iter("AbstractText")}
            f, i = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if len(f) < 25 or len(i) < 4 or re.search(r"\[|\]|_{2,}|\*\*\*|<|(?<!X)XX\b", f + i):
                continue
            if re.search(r"\b\d+\.\s", i) or len(f) > 900:
                continue
            out.append({"uid": uid, "f": f, "i": i, "ind": d.get("INDICATION", ""), "comp": d.get("COMPARISON", "")})
    return out


def affirmed(sentence, pat):
    return re.search(pat, sentence, re.I) and not NEG.search(sentence)


HEDGE = re.compile(r"improv|decreas|resolv|clearing|atelecta|probabl|suspicious|concerning|suggest|develop|"
                   r"nonconsolid|early|subtle|minimal|questionable|borderline|suspect|could|vague|known|again|redemonstrat|"
                   r"\?", re.I)


def sig_findings(f):
    """(name, sentence) of significant findings plainly affirmed in FINDINGS text."""
    res = []
    for s in sents(f):
        for name, pat in SIG.items():
            m = re.search(pat, s, re.I)
            masked = m and "XXXX" in s[max(0, m.start() - 30): m.start()]
            if affirmed(s, pat) and not SMALL.search(s) and not HEDGE.search(s) and not masked:
                res.append((name, s))
    return res


def iu_reword(rng, text):
    for pat, alts in REWORD:
        text = re.sub(pat, lambda m, alts=alts: rng.choice(alts), text)
    return text.replace("..", ".")


def iu_items(f):
    return [("other", s, None) for s in sents(f)]


STRICT = {"consolidation": SIG["consolidation"] + r"|opacit", "edema": SIG["edema"] + r"|congest",
          "ptx": SIG["ptx"], "effusion": SIG["effusion"], "mass": r"\bmass|nodul"}


def iu_clean_ok(r):
    """The original report itself names in IMPRESSION every finding its FINDINGS affirm (any size)."""
    imp = r["i"]
    for s in sents(r["f"]):
        if re.search(r"\b(no|without|negative|resolved|resolution|clear|free of|cleared|removed)\b", s, re.I):
            continue
        for pat in STRICT.values():
            if re.search(pat, s, re.I) and not re.search(pat, imp, re.I):
                return False
    return True


def make_iu(rng, r, kind, style, want="normal"):
    f, i = iu_reword(rng, r["f"]), iu_reword(rng, r["i"])
    hist = r["ind"] or rng.choice(HISTORY)
    hist = hist if hist.endswith(".") else hist + "."
    comp = r["comp"] or "None."
    fi = sents(f)
    ii = sents(i)
    items = iu_items(f)
    kw = {"exam_iu": True}
    if kind is None:
        return render(rng, style, hist, comp, items, ii, False, **kw), "", {}
    if kind == "missing_section":
        v = rng.choice(["imp_empty", "imp_gone", "find_empty"])
        if v == "imp_empty":
            return (render(rng, style, hist, comp, items, [], False, **kw), "IMPRESSION header left with nothing "
                    "under it", {"v": v})
        if v == "imp_gone":
            return (render(rng, style, hist, comp, items, ii, False, impression_present=False, **kw),
                    "IMPRESSION section absent", {"v": v})
        return (render(rng, style, hist, comp, items, ii, False, findings_present=False, **kw),
                "FINDINGS header left empty", {"v": v})
    if kind == "laterality_conflict":
        opts = []
        for k, s in enumerate(ii):
            sides = set(re.findall(r"\b(right|left)\b", s, re.I))
            if len(sides) != 1 or re.search(r"\bbilateral|both\b|middle lobe", s, re.I) or NEG.search(s):
                continue
            side = sides.pop().lower()
            kws = set(re.findall(r"effusion|pneumothora|consolidat|airspace|opacit|atelecta|nodul|granuloma|"
                                 r"pneumonia|infiltrat|mass|fracture|scar", s, re.I))
            if not kws:
                continue
            fs_same = [x for x in fi if re.search(rf"\b{side}\b", x, re.I) and
                       any(re.search(kw_, x, re.I) for kw_ in kws)]
            fs_opp = [x for x in fi if re.search(rf"\b{OPP[side]}\b", x, re.I) and
                      any(re.search(kw_, x, re.I) for kw_ in kws)]
            if fs_same and not fs_opp:
                opts.append((k, side))
        if not opts:
            return None
        k, side = rng.choice(opts)
        o = OPP[side]
        new = re.sub(rf"\b{side}\b", o, ii[k], count=1)
        if new == ii[k]:
            new = re.sub(rf"\b{cap(side)}\b", cap(o), ii[k], count=1)
        ii[k] = new
        return (render(rng, style, hist, comp, items, ii, False, **kw),
                f"side flipped in IMPRESSION ({side} -> {o}): '{new}'", {"side_new": o, "where": "imp"})
    if kind == "negation_conflict":
        negs = {"effusion": "No pleural effusion.", "consolidation": "No focal consolidation.",
                "edema": "No pulmonary edema.", "ptx": "No pneumothorax.",
                "cardiomegaly": "Heart size is normal."}
        pats = dict(SIG)
        pats["cardiomegaly"] = r"cardiomegaly|heart is enlarged|enlarged heart|enlargement of the cardiac"
        pats.pop("mass")
        opts = []
        for k, s in enumerate(ii):
            for name, pat in pats.items():
                if affirmed(s, pat) and not HEDGE.search(s) and any(affirmed(x, pat) and not HEDGE.search(x)
                                                                    for x in fi):
                    opts.append((k, name))
        if opts:
            k, name = rng.choice(opts)
            old = ii[k]
            if name == "consolidation":
                w = re.search(SIG[name], old, re.I).group(0).lower()
                negs[name] = {"airspace": "No airspace disease.", "air space": "No airspace disease.",
                              "pneumonia": "No pneumonia.", "infiltrat": "No infiltrate.",
                              "consolidat": "No consolidation."}.get(w, negs[name])
            if name == "edema" and not re.search(r"edema", old, re.I):
                negs[name] = "No pulmonary vascular congestion."
            ii[k] = negs[name]
            return (render(rng, style, hist, comp, items, ii, False, **kw),
                    f"IMPRESSION '{old}' replaced by normal line '{negs[name]}' while FINDINGS affirm it",
                    {"neg": negs[name], "where": "imp"})
        return None
    if kind == "impression_omits_finding":
        sf = [(n, s) for n, s in sig_findings(f) if re.search(SIG[n], i, re.I)
              and not re.search(rf"\b(no|without)\b[^.]*({SIG[n]})", f, re.I)]
        if not sf:
            return None
        name, s = rng.choice(sf)
        rest = [x for x in ii if not re.search(SIG[name], x, re.I) and not NEG.search(x)
                and not re.search(r"\b(acute|active)\b|above|^(maybe|this|these|which|likely|could|may|recommend|"
                                  r"consider|follow|correlat|dr\.|findings|further)|recommend|\bCT\b|imaging", x, re.I)]
        if want == "others" and not rest:
            return None
        if want == "others":
            newimp = rest
            mode = "others"
        else:
            newimp = [rng.choice(NORMAL_IMP)]
            mode = "normal"
        return (render(rng, style, hist, comp, items, newimp, False, **kw),
                f"IMPRESSION ({mode}) leaves out: {s}", {"terms": SIG[name] + r"|" + {
                    "consolidation": "opacit|pneumon|infiltrat", "edema": "congest|CHF|heart failure",
                    "ptx": "PTX", "effusion": "fluid", "mass": "nodul|lesion"}[name], "mode": mode})
    if kind == "placeholder":
        opts = []
        for k, s in enumerate(fi):
            for m in re.finditer(r"\b\d+(\.\d+)? ?(mm|cm)\b", s):
                opts.append((k, m.span(), rng.choice(["___ " + m.group(2), "XX " + m.group(2)])))
            for m in re.finditer(r"\b(right|left)\b", s, re.I):
                if not NEG.search(s):
                    opts.append((k, m.span(), rng.choice(["[LEFT/RIGHT]", "[***]", "***"])))
            for m in re.finditer(r"\b(small|moderate|large|mild)\b", s, re.I):
                if not NEG.search(s):
                    opts.append((k, m.span(), rng.choice(["[small/moderate/large]", "[***]", "<grade>"])))
        if not opts:
            return None
        k, (a, b), blank = rng.choice(opts)
        old = fi[k]
        fi[k] = old[:a] + blank + old[b:]
        items = [("other", x, None) for x in fi]
        return (render(rng, style, hist, comp, items, ii, False, **kw),
                f"dictation blank left in FINDINGS: '{fi[k]}'", {"blank": blank})
    return None


# --------------------------------------------------------------------------- checks

def split_sections(rep):
    m = re.search(r"(?im)^(FINDINGS|Findings):", rep)
    n = re.search(r"(?im)^(IMPRESSION|Impression):", rep)
    f = rep[m.end(): n.start() if n else len(rep)] if m else ""
    i = rep[n.end():] if n else ""
    i = re.split(r"\n(Electronically signed|Dictated by|This report was generated|[A-Z][a-z]+ .*(MD|DO)$)", i)[0]
    if n is None and m is not None:
        f = re.split(r"\n(Electronically signed|Dictated by|This report was generated)", f)[0]
    return f, i, m is not None, n is not None


def verify(kind, rep, info):
    f, i, hasf, hasi = split_sections(rep)
    i = re.sub(r"(?m)^[A-Z][\w.' ]+, (MD|DO)\s*$", "", i)
    if kind is None:
        return hasf and hasi and f.strip() and i.strip() and not re.search(r"\[|\*\*\*|XX |<", rep)
    if kind == "missing_section":
        return (not hasf) or (not hasi) or not f.strip() or not i.strip()
    if kind == "laterality_conflict":
        target = i if info["where"] == "imp" else f
        return hasf and hasi and re.search(rf"\b{info['side_new']}\b", target, re.I) is not None
    if kind == "negation_conflict":
        target = i if info["where"] == "imp" else f
        return info["neg"] in target
    if kind == "impression_omits_finding":
        return hasi and i.strip() and not re.search(info["terms"], i, re.I)
    if kind == "placeholder":
        return info["blank"] in f
    return False


# --------------------------------------------------------------------------- build

def build(seed, shared):
    rng = random.Random(seed)
    iu = load_iu(shared)
    rng.shuffle(iu)
    used = set()
    cases = []
    # rarest IU material first, so the commoner kinds do not use it up
    for kind in ["impression_omits_finding", "negation_conflict", "laterality_conflict", "placeholder",
                 "missing_section", None]:
        n = N_CLEAN if kind is None else N_KIND
        half = n // 2
        got = 0
        tries = 0
        while got < half:
            tries += 1
            if tries > 5000:
                raise RuntimeError(f"could not compose {kind}")
            style = STYLES[(got + tries) % len(STYLES)] if rng.random() < .5 else rng.choice(STYLES)
            res = make_composed(rng, kind, style, want="others" if got % 2 else "normal")
            if res is None:
                continue
            rep, detail, info = res
            if not verify(kind, rep, info):
                continue
            cases.append({"injected": kind, "detail": detail or "unmodified (composed)", "report": rep,
                          "_src": "composed", "_style": style})
            got += 1
        got = 0
        for pas, r in [(0, r) for r in iu] + [(1, r) for r in iu]:
            if got >= n - half:
                break
            want = "others" if got % 2 and pas == 0 else "normal"
            if r["uid"] in used:
                continue
            if kind != "impression_omits_finding" and not iu_clean_ok(r):
                continue
            style = rng.choice(["template", "terse", "prose"])
            res = make_iu(rng, r, kind, style, want)
            if res is None:
                continue
            rep, detail, info = res
            if not verify(kind, rep, info):
                continue
            used.add(r["uid"])
            cases.append({"injected": kind, "detail": detail or f"unmodified IU {r['uid']}", "report": rep,
                          "_src": f"iu:{r['uid']}", "_style": style})
            got += 1
        if got < n - half:
            raise RuntimeError(f"not enough IU reports for {kind}")
    rng.shuffle(cases)
    for c in cases:
        c["id"] = "h52-" + hashlib.sha1(f"{seed}|{c['report']}|{c['_src']}".encode()).hexdigest()[:12]
    return cases


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=5301)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    env = os.environ.get("MEDRAG_SHARED_DIR")
    shared = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    if not (shared / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file():
        print(f"shared data not found under {shared}: set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        sys.exit(2)
    cases = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps({"id": c["id"], "injected": c["injected"], "detail": c["detail"],
                                 "report": c["report"]}) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == kind][: a.show]:
                print(f"===== {kind} | {c['_src']} | {c['_style']} | {c['detail']}\n{c['report']}")
    print(f"wrote {len(cases)} cases to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
