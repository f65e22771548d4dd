"""Held-out report-check set 63: a US mobile X-ray service for nursing homes / long-term care.

Written blind: without reading the checker, its tests, its docs or any other generator; only the
scorer's format, the IU archive and the dev set's `uid` field (to exclude those reports) were used.

Styles: the ordinary daily list of a portable X-ray company that serves skilled nursing and
long-term care facilities -- elderly residents, single AP (often semi-upright) views, limited
inspiration and rotation, heart failure, aspiration and pneumonia, chronic changes (COPD, scarring,
kyphosis, aortic calcification), devices (PICC, pacemaker, trach, sternotomy), several readers
(terse fragment reader, full-sentence reader, numbered-impression reader, "exam/history/technique"
template reader), short reports. Half of every group is composed from the phrase bank below, half
is real IU (Open-i) reports re-laid-out in these readers' layouts with light re-wording.

usage: python -m bench.make_heldout63 OUT.jsonl --seed S [--show N]
"""
# ruff: noqa: E501  (phrase-bank lines are long by nature)
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

# ----------------------------------------------------------------------------- shared data


def shared_dir() -> Path | None:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    return p if (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() else None


def dev_uids(shared: Path) -> set[str]:
    out = set()
    path = shared / "eval" / "report_errors_dev.jsonl"
    if path.exists():
        for line in path.open():
            if line.strip():
                out.add(str(json.loads(line).get("uid")))
    return out


def load_iu(shared: Path) -> list[dict]:
    excl = dev_uids(shared)
    rows = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in sorted(tf.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(tf.extractfile(m)).getroot()
            u = root.find("uId")
            uid = u.get("id") if u is not None else m.name
            if uid in excl:
                continue
            sec = {}
            for a in root.iter("AbstractText"):
                sec[(a.get("Label") or "").upper()] = " ".join(re.sub(r"<BR>", " ", a.text or "", flags=re.I).split())
            f, i = sec.get("FINDINGS", ""), sec.get("IMPRESSION", "")
            if len(f) < 30 or len(i) < 5 or len(f) > 700:
                continue
            rows.append({"uid": uid, "findings": f, "impression": i,
                         "indication": sec.get("INDICATION", ""), "comparison": sec.get("COMPARISON", "")})
    return rows


# ----------------------------------------------------------------------------- concepts

TERMS = {
    "pneumonia": ["pneumon", "consolidat", "airspace", "air space", "opacit", "infiltrat", "aspiration", "infect"],
    "edema": ["edema", "congest", "chf", "heart failure", "failure", "fluid overload", "vascular", "interstitial", "volume overload"],
    "effusion": ["effusion", "fluid", "pleural"],
    "pneumothorax": ["pneumothorax", "ptx", "pleural air"],
    "nodule": ["nodul", "mass", "lesion", "ct ", "ct.", "neoplas"],
    "collapse": ["collapse", "atelecta", "volume loss"],
    "cardiomegaly": ["cardiomegaly", "heart size", "cardiac silhouette", "heart is", "cardiac enlargement", "enlarged heart"],
}
SIDE_RE = re.compile(r"\b(right|left|Right|Left|RIGHT|LEFT)\b")
FLIP = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT"}
BAD_TOKENS = ["[", "***", "___", "<", "XX mm", "XX cm", "__"]


def mentions(text: str, concept: str) -> bool:
    t = text.lower()
    return any(w in t for w in TERMS[concept])


# ----------------------------------------------------------------------------- phrase bank (composed half)

AGES = list(range(68, 101))
HIST = [
    "{a}-year-old {s} nursing home resident with cough and low-grade fever.",
    "{a} y/o {s}, SNF resident, decreased O2 saturation.",
    "Shortness of breath. History of CHF.",
    "R/O pneumonia. Productive cough x 3 days.",
    "{a}-year-old {s} with witnessed choking episode at lunch, rule out aspiration.",
    "Lethargy, fever. Long-term care resident.",
    "Increased work of breathing, crackles per nursing.",
    "Follow-up pneumonia, on antibiotics day 6.",
    "Hypoxia, on 2 L nasal cannula.",
    "{a}-year-old {s} with COPD exacerbation.",
    "Fall, chest wall pain. Dementia.",
    "Wheezing and weight gain, evaluate for fluid overload.",
    "PICC placement, confirm tip position.",
    "Fever, dysphagia, on pureed diet.",
]
EXAMS = ["XR CHEST 1 VIEW PORTABLE", "PORTABLE CHEST, AP VIEW", "CHEST X-RAY, SINGLE VIEW (MOBILE)",
         "CHEST 1 VIEW", "RADIOGRAPH OF THE CHEST, PORTABLE AP"]
IU_EXAMS = ["XR CHEST", "CHEST RADIOGRAPH", "CHEST X-RAY", "RADIOGRAPH OF THE CHEST"]
TECH = ["Single portable AP view of the chest obtained at the facility.",
        "AP semi-upright portable view.", "One view, AP, patient in bed.",
        "Single AP view obtained in the patient's room.", "Portable AP upright view."]
COMP = ["None available.", "None.", "Prior study from {m}/{d}/{y}.", "{m}/{d}/{y}.",
        "Prior portable exam dated {m}/{d}/{y}.", "No prior films available for comparison."]
LIMITS = ["Limited inspiration.", "Low lung volumes.", "The patient is rotated to the right.",
          "Patient is rotated, limiting evaluation of the mediastinum.",
          "Exam is limited by positioning and overlying soft tissues.",
          "The chin overlies the lung apices.", "Shallow inspiration with crowding of the bronchovascular markings.",
          "Technique is limited by the patient's kyphotic positioning."]
HEART_NL = ["Heart size is within normal limits.", "The cardiac silhouette is normal in size.",
            "Heart size is normal for AP technique.", "Cardiomediastinal silhouette is within normal limits."]
HEART_STABLE = ["Stable mild cardiomegaly.", "The heart is mildly enlarged, unchanged.",
                "Borderline heart size, accentuated by AP technique."]
AORTA = ["Atherosclerotic calcification of the aortic arch.", "The aorta is tortuous and calcified.",
         "Aortic knob calcification.", ""]
BONES = ["Degenerative changes of the thoracic spine.", "Osteopenia. Thoracic kyphosis.",
         "Old healed left rib fractures.", "Degenerative changes of both shoulders.",
         "Bones are demineralized.", "No acute osseous abnormality.", ""]
DEVICES = [("A left chest wall pacemaker is present with leads in expected position.", "Pacemaker in place."),
           ("Right upper extremity PICC with tip at the cavoatrial junction.", "Right PICC tip at the cavoatrial junction."),
           ("Tracheostomy tube in place.", "Tracheostomy tube in place."),
           ("Median sternotomy wires are intact.", ""),
           ("Left upper extremity PICC terminates in the distal SVC.", "Left PICC tip in the distal SVC.")]
NORMAL_IMP = ["No acute cardiopulmonary process.", "No acute cardiopulmonary disease.",
              "No acute findings.", "No radiographic evidence of acute cardiopulmonary disease.",
              "No acute cardiopulmonary abnormality.", "Negative for acute process."]
LUNG_CLEAR = ["The lungs are clear.", "Lungs are clear.", "No focal consolidation.",
              "No focal airspace opacity.", "No confluent consolidation is seen."]
PLEURA_NEG = ["No pleural effusion or pneumothorax.", "No effusion or pneumothorax.",
              "No pneumothorax. No significant pleural effusion.", "Costophrenic angles are clear. No pneumothorax."]
CHRONIC = [("The lungs are hyperinflated with flattened hemidiaphragms, consistent with COPD.", "COPD."),
           ("Chronic coarse interstitial markings are unchanged.", "Chronic lung changes."),
           ("Minimal linear scarring at the lung bases.", ""),
           ("Calcified granuloma in the left upper lobe.", ""),
           ("Emphysematous changes.", "Emphysema.")]


def _side(rng):
    return rng.choice(["right", "left"])


def make_finding(rng, concept, side=None, sided=False):
    """Return a dict: concept, side, f (findings sentence), i (impression phrase), sig, neg_f, neg_i."""
    s = side or _side(rng)
    S = s.capitalize()
    if concept == "pneumonia":
        locs = [f"{s} lower lobe", f"{s} base", f"{s} lung base", f"{s} perihilar region"]
        if not sided:
            locs.append("right middle lobe" if s == "right" else "lingula")
        loc = rng.choice(locs)
        pre = "in" if "lobe" in loc or "region" in loc or loc == "lingula" else "at"
        f = rng.choice([f"Patchy airspace opacity {pre} the {loc}.", f"New consolidation {pre} the {loc}.",
                        f"Hazy opacity {pre} the {loc}, new since the prior exam.",
                        f"There is increased opacity {pre} the {loc} which could represent pneumonia or aspiration."])
        i = rng.choice([f"{S} lower lobe pneumonia." if "lower" in loc or "base" in loc else f"{loc[0].upper() + loc[1:]} pneumonia.",
                        f"{S} basilar opacity, likely aspiration or pneumonia." if "base" in loc or "lower" in loc
                        else f"Airspace disease in the {loc}, likely pneumonia.",
                        f"Findings suspicious for {s}-sided pneumonia."])
        return dict(concept=concept, side=s, f=f, i=i, sig=True,
                    neg_f=rng.choice(["The lungs are clear.", "No focal consolidation."]),
                    neg_i=rng.choice(["Lungs are clear.", "No pneumonia.", "No focal consolidation."]))
    if concept == "effusion":
        size = rng.choice(["moderate", "moderate", "large", "small"])
        f = rng.choice([f"{size.capitalize()} {s} pleural effusion.",
                        f"There is a {size} {s} pleural effusion with adjacent basilar atelectasis.",
                        f"{S} costophrenic angle is blunted by a {size} effusion."])
        i = rng.choice([f"{size.capitalize()} {s} pleural effusion.", f"{size.capitalize()} {s} effusion.",
                        f"{S} pleural effusion, {size}."])
        return dict(concept=concept, side=s, f=f, i=i, sig=size != "small", size=size,
                    neg_f=rng.choice(["No pleural effusion.", "Costophrenic angles are sharp."]),
                    neg_i=rng.choice(["No pleural effusion.", "No effusion."]))
    if concept == "pneumothorax":
        f = rng.choice([f"Small {s} apical pneumothorax.", f"There is a {s} pneumothorax measuring approximately 1.5 cm at the apex."])
        i = rng.choice([f"{S} pneumothorax.", f"Small {s} apical pneumothorax. Findings called to the facility nurse."])
        return dict(concept=concept, side=s, f=f, i=i, sig=True, neg_f="No pneumothorax.", neg_i="No pneumothorax.")
    if concept == "nodule":
        mm = rng.choice([8, 9, 11, 12, 15])
        lobe = f"{s} upper lobe" if rng.random() < .6 else f"{s} mid lung"
        f = rng.choice([f"{mm} mm nodular opacity in the {lobe}.", f"There is a {mm} mm nodule projecting over the {lobe}."])
        i = rng.choice([f"{mm} mm {s} lung nodule. Recommend nonemergent chest CT.",
                        f"{S} {'upper lobe' if 'upper' in lobe else 'mid lung'} nodule; CT chest is recommended for further evaluation."])
        return dict(concept=concept, side=s, f=f, i=i, sig=True, mm=mm,
                    neg_f="No suspicious pulmonary nodule.", neg_i="No pulmonary nodule.")
    if concept == "collapse":
        lobe = f"{s} lower lobe"
        f = rng.choice([f"Complete collapse of the {lobe} with retrocardiac opacity." if s == "left"
                        else f"Collapse of the {lobe} with elevation of the {s} hemidiaphragm.",
                        f"Volume loss and opacification of the {lobe} consistent with collapse."])
        i = rng.choice([f"{S} lower lobe collapse.", f"Collapse of the {lobe}; consider mucus plugging."])
        return dict(concept=concept, side=s, f=f, i=i, sig=True, neg_f="No lobar collapse.", neg_i="No atelectasis.")
    if concept == "edema":
        f = rng.choice(["Pulmonary vascular congestion with mild interstitial edema.",
                        "Cephalization of the pulmonary vasculature and interstitial edema.",
                        "Increased interstitial markings and Kerley B lines, consistent with edema.",
                        "Diffuse bilateral hazy opacities compatible with pulmonary edema, increased from prior."])
        i = rng.choice(["Congestive heart failure with interstitial edema.", "Mild pulmonary edema.",
                        "Findings consistent with CHF.", "Pulmonary edema, worse than prior."])
        return dict(concept=concept, side=None, f=f, i=i, sig=True,
                    neg_f=rng.choice(["No pulmonary edema.", "Pulmonary vasculature is normal."]),
                    neg_i=rng.choice(["No pulmonary edema.", "No evidence of CHF."]))
    if concept == "cardiomegaly":
        f = rng.choice(["The heart is moderately enlarged.", "Moderate cardiomegaly.", "Marked cardiomegaly."])
        i = rng.choice(["Cardiomegaly.", "Moderate cardiomegaly.", "Enlarged cardiac silhouette."])
        return dict(concept=concept, side=None, f=f, i=i, sig=False,
                    neg_f=rng.choice(["Heart size is normal.", "The cardiac silhouette is normal in size."]),
                    neg_i=rng.choice(["Normal heart size.", "Heart size is normal."]))
    raise ValueError(concept)


SCENARIOS = ["normal", "normal", "pneumonia", "pneumonia", "chf", "effusion", "chronic", "nodule", "aspiration", "collapse", "ptx"]


def compose_items(rng, scenario, sided=False):
    """Main findings (list of dicts) for a scenario."""
    if scenario == "pneumonia" or scenario == "aspiration":
        side = "right" if scenario == "aspiration" and rng.random() < .7 else None
        items = [make_finding(rng, "pneumonia", side, sided)]
        if rng.random() < .3:
            eff = make_finding(rng, "effusion", items[0]["side"])
            eff.update(f=f"Small {items[0]['side']} pleural effusion.", i=f"small {items[0]['side']} effusion", sig=False, size="small")
            items.append(eff)
        return items
    if scenario == "chf":
        items = [make_finding(rng, "cardiomegaly"), make_finding(rng, "edema")]
        if rng.random() < .5:
            items.append(dict(concept="effusion", side=None, f="Small bilateral pleural effusions.",
                              i="small bilateral effusions", sig=False, size="small",
                              neg_f="No pleural effusion.", neg_i="No effusion."))
        return items
    if scenario == "effusion":
        e = make_finding(rng, "effusion")
        return [e]
    if scenario == "nodule":
        return [make_finding(rng, "nodule")]
    if scenario == "collapse":
        return [make_finding(rng, "collapse")]
    if scenario == "ptx":
        return [make_finding(rng, "pneumothorax")]
    return []


def join_imp(rng, phrases, numbered):
    ph = [p if p.endswith(".") else p + "." for p in phrases if p]
    ph = [p[0].upper() + p[1:] for p in ph]
    if numbered and len(ph) > 1:
        return "\n".join(f"{k}. {p}" for k, p in enumerate(ph, 1))
    return " ".join(ph)


def render(rng, style, hist, comp, findings, impression, drop=None, iu=False):
    """Lay out a report. drop: None | 'imp_absent' | 'imp_empty' | 'find_empty'."""
    fnd = "" if drop == "find_empty" else findings
    imp = "" if drop == "imp_empty" else impression
    reader = rng.choice(["Jeffrey T. Adams, MD", "Priya Raman, MD", "R. Kowalski, DO", "Maria L. Ortega, MD",
                         "David Chen, MD", "S. Whitfield, MD"])
    sign = rng.choice([f"Electronically signed by {reader}", f"Dictated by: {reader}", f"Read by {reader}", ""])
    parts = []
    exam = rng.choice(IU_EXAMS) if iu else rng.choice(EXAMS)
    if style == "template":
        parts += [f"EXAM: {exam}", f"CLINICAL HISTORY: {hist}"] + ([] if iu else [f"TECHNIQUE: {rng.choice(TECH)}"]) + [
                  f"COMPARISON: {comp}", "", "FINDINGS:", fnd, "", "IMPRESSION:", imp]
    elif style == "terse":
        parts += [exam, f"Indication: {hist}", f"Comparison: {comp}",
                  f"Findings: {fnd}".rstrip(), f"Impression: {imp}".rstrip()]
    elif style == "sentences":
        parts += [f"HISTORY: {hist}", f"COMPARISON: {comp}", "", f"FINDINGS: {fnd}".rstrip(), "",
                  f"IMPRESSION: {imp}".rstrip()]
    else:  # numbered reader
        parts += [f"PROCEDURE: {exam}", f"REASON: {hist}", f"COMPARISON: {comp}", "",
                  "FINDINGS:", fnd, "", "IMPRESSION:", imp]
    if drop == "imp_absent":
        k = max(i for i, p in enumerate(parts) if p.upper().startswith("IMPRESSION"))
        parts = parts[:k]
        while parts and parts[-1] == "":
            parts.pop()
    if sign:
        parts += ["", sign]
    text = "\n".join(parts)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def compose(rng, kind, alt=0):
    """One composed report, with kind's error injected. Returns (report, detail) or None to retry."""
    style = rng.choice(["template", "terse", "sentences", "numbered"])
    a = rng.choice(AGES)
    hist = rng.choice(HIST).format(a=a, s=rng.choice(["female", "male"]))
    comp = rng.choice(COMP).format(m=rng.randint(1, 12), d=rng.randint(1, 28), y=rng.choice([2021, 2022, 2023]))
    if kind == "impression_omits_finding":
        scenario = rng.choice(["pneumonia", "aspiration", "chf", "effusion", "nodule", "collapse", "ptx"])
    elif kind in ("laterality_conflict",):
        scenario = rng.choice(["pneumonia", "aspiration", "effusion", "nodule", "collapse", "ptx"])
    elif kind == "negation_conflict":
        scenario = rng.choice(["pneumonia", "aspiration", "chf", "effusion", "ptx"])
    else:
        scenario = rng.choice(SCENARIOS)
    items = compose_items(rng, scenario, kind == "laterality_conflict")
    if scenario == "effusion" and kind == "impression_omits_finding" and items[0]["size"] == "small":
        return None
    concepts = {it["concept"] for it in items}
    # background sentences for findings + impression extras
    f_sent, i_extra = [], []
    if rng.random() < .55:
        f_sent.append(rng.choice(LIMITS))
    dev = rng.choice(DEVICES) if rng.random() < .3 else None
    if hist.startswith("PICC"):
        dev = rng.choice([DEVICES[1], DEVICES[4]])
    if dev:
        f_sent.append(dev[0])
    if "cardiomegaly" not in concepts:
        if rng.random() < .35:
            hs = rng.choice(HEART_STABLE)
            f_sent.append(hs)
            if rng.random() < .6:
                i_extra.append("Borderline heart size" if hs.startswith("Borderline") else rng.choice(
                    ["Stable mild cardiomegaly", "Mild cardiomegaly, unchanged"]))
        else:
            f_sent.append(rng.choice(HEART_NL))
    ao = rng.choice(AORTA)
    if ao:
        f_sent.append(ao)
    chronic = rng.choice(CHRONIC) if rng.random() < .4 else None
    main_f = [it["f"] for it in items]
    f_sent += main_f
    if chronic and not (chronic[0].startswith("Chronic coarse") and "edema" in concepts):
        f_sent.append(chronic[0])
        if chronic[1]:
            i_extra.append(chronic[1])
    if not concepts & {"pneumonia", "edema", "collapse"} and not chronic:
        f_sent.append(rng.choice(LUNG_CLEAR))
    elif "pneumonia" in concepts and rng.random() < .5:
        f_sent.append("No pulmonary edema.")
    if not concepts & {"effusion", "pneumothorax"}:
        f_sent.append(rng.choice(PLEURA_NEG))
    elif "pneumothorax" not in concepts:
        f_sent.append("No pneumothorax.")
    else:
        f_sent.append("No pleural effusion.")
    b = rng.choice(BONES)
    if b:
        f_sent.append(b)
    if dev and dev[1] and rng.random() < .6:
        i_extra.append(dev[1])
    main_i = [it["i"] for it in items]
    if items:
        imp_ph = main_i + i_extra
    else:
        imp_ph = [rng.choice(NORMAL_IMP)] + i_extra
    numbered = style == "numbered" or rng.random() < .3
    detail = "unmodified"

    if kind == "laterality_conflict":
        cand = [it for it in items if it["side"] in ("right", "left")]
        it = cand[0]
        where = rng.choice(["impression", "findings"])
        if where == "impression":
            k = imp_ph.index(it["i"])
            new = SIDE_RE.sub(lambda m: FLIP[m.group(0)], it["i"])
            if new == it["i"]:
                return None
            imp_ph[k] = new
            detail = f"impression side flipped to {FLIP[it['side']]} ('{new}'); findings say {it['side']} ('{it['f']}')"
        else:
            k = f_sent.index(it["f"])
            new = SIDE_RE.sub(lambda m: FLIP[m.group(0)], it["f"])
            if new == it["f"]:
                return None
            f_sent[k] = new
            detail = f"findings side flipped to {FLIP[it['side']]} ('{new}'); impression says {it['side']} ('{it['i']}')"
    elif kind == "negation_conflict":
        it = items[-1] if items[-1]["concept"] != "effusion" or items[-1].get("size") != "small" else items[0]
        if rng.random() < .5:
            k = imp_ph.index(it["i"])
            imp_ph[k] = it["neg_i"]
            if len(items) == 1 and rng.random() < .6:
                imp_ph.insert(0, rng.choice(NORMAL_IMP))
            detail = f"findings affirm {it['concept']} ('{it['f']}'); impression negates it ('{it['neg_i']}')"
        else:
            k = f_sent.index(it["f"])
            f_sent[k] = it["neg_f"]
            # drop other findings negatives about the same concept to avoid a duplicate
            f_sent = [s for j, s in enumerate(f_sent) if j == k or not (s in PLEURA_NEG + LUNG_CLEAR and mentions(s, it["concept"]))]
            detail = f"impression affirms {it['concept']} ('{it['i']}'); findings rule it out ('{it['neg_f']}')"
    elif kind == "impression_omits_finding":
        sig = [it for it in items if it["sig"]]
        it = rng.choice(sig)
        others = [p for p in imp_ph if p != it["i"]]
        want_normal = alt % 2 == 0
        if not want_normal and not others:
            extra = rng.choice([CHRONIC[0], CHRONIC[1], CHRONIC[4],
                                ("Atherosclerotic calcification of the aortic arch.", "Aortic atherosclerosis."),
                                ("Stable mild cardiomegaly.", "Stable mild cardiomegaly.")])
            if "cardiomegaly" in extra[0] and (concepts & {"cardiomegaly"} or not set(f_sent) & set(HEART_STABLE[:2])):
                return None
            if extra in CHRONIC and (chronic or concepts & {"edema"}):
                return None
            if extra[0] not in f_sent and "cardiomegaly" not in extra[0]:
                f_sent.insert(len(f_sent) - 1, extra[0])
            others = [extra[1]]
        if want_normal:
            imp_ph = [rng.choice(NORMAL_IMP)] + [p for p in i_extra if p]
            mode = "normal impression"
            if any(o["sig"] and o is not it for o in items):
                return None
        else:
            imp_ph = others
            mode = "impression lists other findings"
        if any(mentions(p, it["concept"]) for p in imp_ph):
            return None
        detail = f"significant {it['concept']} in findings ('{it['f']}') left out of impression ({mode})"
    elif kind == "placeholder":
        which = rng.choice(["side", "grade", "measure", "word"])
        target = None
        if which == "side":
            target = next((s for s in f_sent if SIDE_RE.search(s) and s in main_f), None)
            if target:
                m = SIDE_RE.search(target)
                ph = rng.choice(["[LEFT/RIGHT]", "***", "[side]", "[right/left]"])
                new = target[:m.start()] + ph + target[m.end():]
        if which == "grade" or (which == "side" and not target):
            target = next((s for s in f_sent if re.search(r"\b(mild|moderate|small|large|Moderate|Small|Large|Mild)\b", s)), None)
            if target:
                m = re.search(r"\b(mild|moderate|small|large|Moderate|Small|Large|Mild)\b", target)
                grade = ["[mild/moderate/severe]"] if m.group(0).lower() in ("mild", "moderate") else ["[small/moderate/large]"]
                ph = rng.choice(grade * 2 + ["***", "[***]"])
                new = target[:m.start()] + ph + target[m.end():]
        if which == "measure" or (which in ("side", "grade") and not target):
            target = next((s for s in f_sent if re.search(r"\d+(\.\d+)? (mm|cm)", s)), None)
            if target:
                m = re.search(r"\d+(\.\d+)? (mm|cm)", target)
                ph = rng.choice(["XX mm", "___ mm", "__ cm", "[ ] mm"]) if m.group(2) == "mm" else rng.choice(["___ cm", "XX cm"])
                new = target[:m.start()] + ph + target[m.end():]
        if not target:
            # dictation blank for a finding word in the impression or a field left from the template
            heart = next((x for x in f_sent if x in HEART_NL), None)
            opts = [("Lines and tubes: ***.", None)]
            if heart:
                opts += [(rng.choice(["Heart size: [normal/enlarged].", "The cardiac silhouette is ***.",
                                      "Heart size is <insert>."]), heart)]
            word, old = rng.choice(opts)
            if old:
                f_sent[f_sent.index(old)] = word
            else:
                f_sent.insert(1 if len(f_sent) > 1 else 0, word)
            detail = f"template field left unfilled in findings: '{word}'"
        else:
            f_sent[f_sent.index(target)] = new
            detail = f"findings field left unfilled: '{new}' (was '{target}')"
    findings = " ".join(f_sent)
    impression = join_imp(rng, imp_ph, numbered)
    if re.search(r"\b(prior|unchanged|stable|new|worse|again)\b", findings + " " + impression, re.I) and "/" not in comp:
        comp = rng.choice(COMP[2:5]).format(m=rng.randint(1, 12), d=rng.randint(1, 28), y=rng.choice([2022, 2023]))
    drop = None
    if kind == "missing_section":
        drop = rng.choice(["imp_absent", "imp_absent", "imp_empty", "find_empty", "find_empty"])
        detail = {"imp_absent": "IMPRESSION section absent", "imp_empty": "IMPRESSION header left empty",
                  "find_empty": "FINDINGS header left empty"}[drop]
    rep = render(rng, style, hist, comp, findings, impression, drop)
    if kind != "placeholder" and any(t in rep for t in BAD_TOKENS):
        return None
    return rep, f"composed/{style}/{scenario}: {detail}"


# ----------------------------------------------------------------------------- IU half

REWORD = [
    (r"\bThere is no\b", "No"), (r"\bThere are no\b", "No"), (r"\bthere is no\b", "no"),
    (r"\bThe lungs are clear\b", "Lungs are clear"), (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary process"),
    (r"\bThe heart is normal in size\b", "Heart size is normal"), (r"\bNo evidence of\b", "No"),
]
NORMAL_IMP_RE = re.compile(r"(no acute|normal chest|negative|no active|within normal limits|no radiographic evidence)", re.I)
IU_FIND_AFFIRM = {
    "cardiomegaly": re.compile(r"\b(cardiomegaly|heart is (mildly |moderately )?enlarged|enlarged (heart|cardiac))", re.I),
}


def sentences(text):
    return [s.strip() for s in re.split(r"(?<=\.)\s+(?=[A-Z0-9])", text) if s.strip()]


def reword(rng, text):
    if rng.random() < .7:
        for a, b in REWORD:
            text = re.sub(a, b, text)
    return text


def iu_layout(rng, row, findings, impression, drop=None):
    style = rng.choice(["template", "terse", "sentences", "numbered"])
    hist = row["indication"] or rng.choice(["Cough.", "Shortness of breath.", "Chest pain."])
    comp = row["comparison"] or "None."
    imp_s = sentences(impression)
    if re.search(r"(^|\s)[1-9]\.\s", impression):
        impression = re.sub(r"\s+(?=[2-9]\.\s)", "\n", impression)
    elif style == "numbered" and len(imp_s) > 1:
        impression = "\n".join(f"{k}. {s}" for k, s in enumerate(imp_s, 1))
    return render(rng, style, hist, comp, findings, impression, drop, iu=True), style


SIG_INSERT = [
    ("effusion", "Moderate {s} pleural effusion."), ("effusion", "There is a moderate-sized {s} pleural effusion."),
    ("pneumonia", "Airspace consolidation in the {s} lower lobe."), ("pneumonia", "New patchy opacity at the {s} base."),
    ("edema", "Pulmonary vascular congestion with interstitial edema."),
    ("pneumothorax", "Small {s} apical pneumothorax."), ("nodule", "A 10 mm nodule projects over the {s} upper lobe."),
]
AFFIRM_IMP = [("effusion", "Small {s} pleural effusion."), ("pneumonia", "{S} lower lobe pneumonia."),
              ("pneumothorax", "Small {s} pneumothorax."), ("cardiomegaly", "Cardiomegaly.")]
NEG_FIND = {"effusion": re.compile(r"\bno\b(?:(?!large|significant|sizable|definite|XXXX)[^.])*\beffusion", re.I), "pneumothorax": re.compile(r"\bno\b[^.]*pneumothorax", re.I),
            "pneumonia": re.compile(r"(lungs are clear|no (focal )?(consolidation|airspace|infiltrate))", re.I),
            "cardiomegaly": re.compile(r"(heart size is normal|normal heart size|heart is normal in size|heart size (is )?within normal|normal cardiac (size|silhouette))", re.I)}


def iu_case(rng, row, kind, alt=0):
    f, i = reword(rng, row["findings"]), reword(rng, row["impression"])
    f, i = re.sub(r"\.(\s*\.)+", ".", f), re.sub(r"\.(\s*\.)+", ".", i)
    if kind is None:
        rep, style = iu_layout(rng, row, f, i)
        return rep, f"IU {row['uid']}/{style}: unmodified"
    if kind == "missing_section":
        drop = rng.choice(["imp_absent", "imp_empty", "find_empty"])
        rep, style = iu_layout(rng, row, f, i, drop)
        return rep, f"IU {row['uid']}/{style}: " + {"imp_absent": "IMPRESSION removed", "imp_empty": "IMPRESSION emptied",
                                                    "find_empty": "FINDINGS header left empty"}[drop]
    if kind == "laterality_conflict":
        fs, is_ = sentences(f), sentences(i)
        pairs = []
        for a in fs:
            sa = {m.lower() for m in SIDE_RE.findall(a)}
            if len(sa) != 1 or re.search(r"bilateral|both|middle lobe|lingula", a, re.I) or re.search(r"\bno\b|\bnot\b|without", a, re.I):
                continue
            for b in is_:
                sb = {m.lower() for m in SIDE_RE.findall(b)}
                if sb != sa or re.search(r"bilateral|both|middle lobe|lingula|\bno\b|\bnot\b", b, re.I):
                    continue
                ca = {c for c in TERMS if mentions(a, c)}
                shared = ca & {c for c in TERMS if mentions(b, c)}
                if not shared and mentions(a, "pneumonia") and mentions(b, "collapse"):
                    shared = {"pneumonia", "collapse"}
                flip_s = FLIP[next(iter(sa))]
                clash = [x for x in fs + is_ if x not in (a, b) and re.search(rf"\b{flip_s}\b", x, re.I)
                         and any(mentions(x, c) for c in shared)]
                if shared and not clash:
                    pairs.append((a, b))
        if not pairs:
            return None
        a, b = rng.choice(pairs)
        orig = SIDE_RE.search(a).group(0).lower()
        flip_side = FLIP[orig]
        other_f, other_i = f.replace(a, ""), i.replace(b, "")
        ok_f = not re.search(rf"\b({flip_side}|{orig})\b", other_f, re.I)
        ok_i = not re.search(rf"\b{orig}\b", other_i, re.I)
        if not (ok_f or ok_i):
            return None
        if ok_i and (rng.random() < .5 or not ok_f):
            nb = SIDE_RE.sub(lambda m: FLIP[m.group(0)], b)
            i = i.replace(b, nb)
            d = f"impression sentence side flipped ('{nb}'); findings keep '{a}'"
        else:
            na = SIDE_RE.sub(lambda m: FLIP[m.group(0)], a)
            f = f.replace(a, na)
            d = f"findings sentence side flipped ('{na}'); impression keeps '{b}'"
        rep, style = iu_layout(rng, row, f, i)
        return rep, f"IU {row['uid']}/{style}: {d}"
    if kind == "negation_conflict":
        opts = []
        for c, tmpl in AFFIRM_IMP:
            if NEG_FIND[c].search(f) and not mentions(i, c) and not (c == "cardiomegaly" and IU_FIND_AFFIRM["cardiomegaly"].search(f)):
                opts.append(("aff_imp", c, tmpl))
        if IU_FIND_AFFIRM["cardiomegaly"].search(f) and not mentions(i, "cardiomegaly"):
            m = IU_FIND_AFFIRM["cardiomegaly"].search(f)
            sent = next(s for s in sentences(f) if m.group(0) in s)
            if not re.search(r"\b(no|not|borderline|upper limits)\b", sent, re.I):
                opts.append(("neg_imp", "cardiomegaly", "Heart size is normal."))
        if not opts:
            return None
        mode, c, tmpl = rng.choice(opts)
        s = _side(rng)
        add = tmpl.format(s=s, S=s.capitalize())
        if mode == "aff_imp" and NORMAL_IMP_RE.search(i) and rng.random() < .5:
            i = add
        else:
            i = (i.rstrip(".") + ". " + add) if rng.random() < .5 else (add + " " + i)
        rep, style = iu_layout(rng, row, f, i)
        d = (f"impression asserts {c} ('{add}') that findings rule out" if mode == "aff_imp"
             else "impression says heart size normal; findings describe an enlarged heart")
        return rep, f"IU {row['uid']}/{style}: {d}"
    if kind == "impression_omits_finding":
        c, tmpl = rng.choice(SIG_INSERT)
        if mentions(i, c) or (c == "pneumonia" and mentions(i, "collapse")):
            return None
        normal = bool(NORMAL_IMP_RE.search(i))
        if normal != (alt % 2 == 0):
            return None
        if not normal and re.search(r"\b(acute|pneumon|edema|effusion|pneumothorax|consolid|opacit|infiltrat|nodul|mass)", i, re.I):
            return None
        s = _side(rng)
        add = tmpl.format(s=s)
        fs = [x for x in sentences(f) if not mentions(x, c) and not (c in ("pneumonia", "edema") and re.search(r"lungs are|clear", x, re.I))]
        if not fs:
            return None
        fs.insert(rng.randint(1, len(fs)), add)
        f = " ".join(fs)
        rep, style = iu_layout(rng, row, f, i)
        return rep, f"IU {row['uid']}/{style}: added significant {c} to findings ('{add}'); impression left as " + (
            "normal" if normal else "listing other findings")
    if kind == "placeholder":
        for pat, phs in [(r"\b(mild|moderate|small|large|minimal)\b", ["[mild/moderate/severe]", "***", "[***]"]),
                         (SIDE_RE.pattern, ["[LEFT/RIGHT]", "***", "[side]"]),
                         (r"\b\d+(\.\d+)? ?(mm|cm)\b", ["XX mm", "___ cm", "[ ] cm"])]:
            hits = list(re.finditer(pat, f))
            if hits and rng.random() < .8:
                m = rng.choice(hits)
                ph = rng.choice(phs)
                f = f[:m.start()] + ph + f[m.end():]
                rep, style = iu_layout(rng, row, f, i)
                return rep, f"IU {row['uid']}/{style}: findings '{m.group(0)}' replaced by {ph}"
        return None
    raise ValueError(kind)


# ----------------------------------------------------------------------------- checks


def verify(case):
    r, k = case["report"], case["injected"]
    up = r.upper()
    has_f = "FINDINGS:" in up
    has_i = "IMPRESSION:" in up
    ph_re = re.compile(r"\[LEFT/RIGHT\]|\[right/left\]|\[side\]|\*\*\*|\[mild/moderate/severe\]|\[small/moderate/large\]|XX [mc]m|___ [mc]m|__ cm|\[ \]|<insert|\[FINDING\]|\[normal/enlarged\]", re.I)
    if k != "placeholder" and ph_re.search(r):
        return False
    if k != "missing_section" and not (has_f and has_i):
        return False
    if k == "placeholder":
        return bool(ph_re.search(r))
    if k == "missing_section":
        if not has_i:
            return True
        fm = re.search(r"FINDINGS:(.*?)IMPRESSION:", r, re.S | re.I)
        im = re.search(r"IMPRESSION:(.*)", r, re.S | re.I)
        f_empty = fm is not None and not fm.group(1).strip()
        i_body = im.group(1).strip() if im else ""
        i_body = re.sub(r"(Electronically signed by|Dictated by:|Read by) .*", "", i_body).strip()
        return f_empty or not i_body
    if k == "laterality_conflict":
        return bool(SIDE_RE.search(r))
    if k == "impression_omits_finding":
        m = re.search(r"added significant (\w+)|significant (\w+) in findings", case["detail"])
        c = m.group(1) or m.group(2)
        im = re.search(r"IMPRESSION:(.*)", r, re.S | re.I).group(1)
        im = re.sub(r"(Electronically signed by|Dictated by:|Read by) .*", "", im)
        fm = re.search(r"FINDINGS:(.*?)IMPRESSION:", r, re.S | re.I).group(1)
        return mentions(fm, c) and not mentions(im, c)
    return True


# ----------------------------------------------------------------------------- main


def build(seed: int, shared: Path) -> list[dict]:
    rng = random.Random(seed)
    iu = load_iu(shared)
    rng.shuffle(iu)
    pool = iter(iu)
    out = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        made_c = made_i = 0
        while made_c < n // 2:
            res = compose(rng, kind, made_c)
            if res is None:
                continue
            case = {"injected": kind, "detail": res[1], "report": res[0]}
            if verify(case):
                out.append(case)
                made_c += 1
        while made_i < n - n // 2:
            row = next(pool)
            res = iu_case(rng, row, kind, made_i)
            if res is None:
                continue
            case = {"injected": kind, "detail": res[1], "report": res[0], "_uid": row["uid"]}
            if verify(case):
                out.append(case)
                made_i += 1
    rng.shuffle(out)
    final = []
    for n, c in enumerate(out):
        h = hashlib.sha1(f"{seed}:{n}:{c['report']}".encode()).hexdigest()[:16]
        final.append({"id": f"h63-{h}", "injected": c["injected"], "detail": c["detail"], "report": c["report"]})
    return final


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=6401)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if shared is None:
        print("shared data not found: set MEDRAG_SHARED_DIR to the shared folder (with data/iu_reports/)", file=sys.stderr)
        return 2
    cases = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    if a.show:
        for k in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == k][: a.show]:
                print(f"===== {k} | {c['detail']}\n{c['report']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
