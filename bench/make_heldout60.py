"""Held-out report-check set 60: the everyday ICU / HDU portable chest list.

Written blind: without reading the checker, its tests, its docs or any other held-out generator.
Only the scorer's format, the IU (Open-i) archive and the dev set's ``uid`` field were used.

Styles (all plain reporting, US / UK / Australian intensive-care and high-dependency portables):
  * ``us_academic``  MIMIC-like academic ICU portable (EXAMINATION/INDICATION/TECHNIQUE/COMPARISON,
    de-identification masks ``___`` for names, ages and dates, "Dr. ___ was notified");
  * ``us_community`` one-view portable with HISTORY, numbered IMPRESSION, signed by a reader;
  * ``uk_itu``       mobile AP film on ITU/HDU, British spelling, "Clinical details", registrar sign-off;
  * ``au_icu``       Australian ICU mobile chest, "Clinical notes", short sentence-per-line findings;
  * ``templated``    a department macro with row labels under FINDINGS (Lines/tubes, Lungs, Pleura,
    Heart/mediastinum, Other) and a one-line impression.
Half of every group is composed from the phrase bank below (ventilated patients, ARDS, oedema, effusions,
atelectasis, lobar collapse, pneumothorax after lines and drains, post-cardiac and post-abdominal surgery);
half are real IU reports (dev uids excluded) re-laid-out in the same styles with light rewording.
Each injected case carries exactly one error of the five kinds, made to look like a real slip: a side
flipped in dictation, a normal macro pasted over the impression, a template field left unfilled.

usage: python -m bench.make_heldout60 OUT.jsonl --seed S [--show N]
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
STYLES = ["us_academic", "us_community", "uk_itu", "au_icu", "templated"]
UK_STYLES = {"uk_itu", "au_icu"}

# terms that name a finding in any wording (used to check omissions and conflicts)
TERMS = {
    "effusion": r"effusion|pleural fluid|fluid|hydrothorax|ha?emothorax|blunting",
    "ptx": r"pneumothora|ptx|pleural air|pleural gas",
    "edema": r"o?edema|congesti|overload|kerley|vascular|ards|heart failure|chf",
    "consol": r"consolidat|air ?-?space|opacit|pneumonia|infiltrat|aspiration|ards",
    "collapse": r"collapse|atelecta|volume loss|lobe",
    "atel": r"atelecta|collapse|volume loss|opacit",
    "ards": r"ards|air ?-?space|opacit|consolidat|o?edema|respiratory distress",
    "freeair": r"free air|free gas|pneumoperitone|subdiaphragmatic|under the (?:right )?hemidiaphragm",
    "cardio": r"cardiomegal|heart|cardiac|cardiomediastinal",
    "mass": r"mass|nodul|lesion|neoplas",
}
NEG_CUE = re.compile(
    r"\b(no|not|without|negative|resolved|resolution|clear|free|removed|prior|previous|old|healed|chronic|"
    r"cannot|could|may|might|possibl\w*|question\w*|suggest\w*|versus|vs|likely|suspicious|concern\w*|exclude\w*|"
    r"either|small|trace|tiny|minimal|mild|borderline|stable|unchanged|decreas\w*|improv\w*|probabl\w*|xxxx)\b", re.I)


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"


# ----------------------------------------------------------------------------------------------------------
# IU reports
def load_iu(shared: Path) -> list[dict]:
    dev = set()
    with open(shared / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tar:
        members = sorted((m for m in tar.getmembers() if m.isfile() and m.name.endswith(".xml")),
                         key=lambda m: m.name)
        for m in members:
            root = ET.fromstring(tar.extractfile(m).read())
            uid_el = root.find("uId")
            uid = uid_el.get("id") if uid_el is not None else None
            if not uid or uid in dev:
                continue
            sec = {}
            for at in root.iter("AbstractText"):
                sec[(at.get("Label") or "").upper()] = " ".join((at.text or "").split())
            f, i = sec.get("FINDINGS", ""), sec.get("IMPRESSION", "")
            if len(f) < 20 or len(i) < 5 or re.search(r"\[|\*\*|___|<", f + i):
                continue
            out.append({"uid": uid, "ind": sec.get("INDICATION", ""), "comp": sec.get("COMPARISON", ""),
                        "f": f, "i": i})
    return out


def sents(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text) if s.strip()]


IU_REWORD = [
    (r"\bThere (?:is|are) no\b", "No"), (r"\bThe lungs are clear\b", "Lungs are clear"),
    (r"\bNormal chest x-XXXX\b", "Normal chest radiograph"), (r"\bchest x-XXXX\b", "chest radiograph"),
    (r"\bThe heart is normal in size\b", "Heart size is normal"), (r"\bcardiac silhouette\b", "heart size"),
    (r"\bNo evidence of\b", "No"),
]


def reword_iu(text: str, rng: random.Random) -> str:
    text = re.sub(r"(?<![\d.])\b\d{1,2}\.\s+(?=[A-Z])", "", text)  # drop list numbering
    text = re.sub(r"\s*\.(?:\s*\.)+", ".", text)
    for pat, rep in IU_REWORD:
        if rng.random() < 0.7:
            text = re.sub(pat, rep, text)
    text = re.sub(r"\bNo (\w)", lambda m: "No " + m.group(1), text)
    return text


# ----------------------------------------------------------------------------------------------------------
# phrase bank
def sidecap(s: str) -> str:
    return s[:1].upper() + s[1:]


def effusion(rng, side=None, size=None, mod=None):
    side = side or rng.choice(["right", "left", "right", "left", "bilateral"])
    size = size or rng.choice(["small", "small", "trace", "moderate", "moderate", "large"])
    mod = mod if mod is not None else rng.choice(["", "", "unchanged", "increased", "new"])
    pl = "effusions" if side == "bilateral" else "effusion"
    sig = size in ("moderate", "large") or mod in ("increased", "new")
    if side == "bilateral":
        f = rng.choice([f"{sidecap(size)} bilateral pleural effusions{', ' + mod if mod else ''}.",
                        f"Bilateral {size} pleural effusions with basal opacity{', ' + mod if mod else ''}."])
    else:
        f = rng.choice([
            f"{sidecap(size)} {side} pleural effusion{', ' + mod if mod else ''}.",
            f"There is a {size} {side} pleural {pl}{' which is ' + mod if mod in ('unchanged', 'increased') else ''}.",
            f"{sidecap(mod + ' ' if mod else '')}{size} {side} pleural effusion with blunting of the "
            f"{side} costophrenic angle.".replace("  ", " "),
        ])
        f = sidecap(f)
    i = f"{sidecap((mod + ' ') if mod else '')}{size} {side} pleural {pl}."
    return {"key": "effusion", "side": side, "sig": sig, "cat": "pleura", "f": f, "i": sidecap(i),
            "neg": rng.choice(["No pleural effusion.", "No effusion.", "No pleural effusions."]),
            "name": f"{size} {side} pleural {pl}"}


def ptx(rng, side=None):
    side = side or rng.choice(["right", "left"])
    size = rng.choice(["small", "small", "tiny apical", "moderate", "small apicolateral"])
    n = rng.choice(["8 mm", "1 cm", "1.5 cm", "2 cm"])
    f = rng.choice([
        f"{sidecap(size)} {side} pneumothorax, measuring approximately {n} at the apex.",
        f"There is a {size} {side} pneumothorax.",
        f"A {size} {side} pneumothorax is present, with a visible pleural edge at the apex.",
        f"A {size} {side} pneumothorax has developed since the previous film.",
    ])
    i = rng.choice([f"{sidecap(size)} {side} pneumothorax.", f"{sidecap(size)} {side} pneumothorax.",
                    f"{sidecap(size)} {side} pneumothorax; clinical team informed."])
    return {"key": "ptx", "side": side, "sig": True, "cat": "pleura", "f": f, "i": i,
            "neg": rng.choice(["No pneumothorax.", "No pneumothorax is seen.", "No evidence of pneumothorax."]),
            "name": f"{side} pneumothorax"}


def atel(rng, side=None):
    side = side or rng.choice(["right", "left", "left", "bibasilar"])
    mod = rng.choice(["", "", "", "unchanged", "increasing"])
    if side == "bibasilar":
        f = rng.choice(["Bibasilar atelectasis.", "Patchy bibasilar opacities, likely atelectasis.",
                        "Linear atelectasis at both lung bases."])
        i = "Bibasilar atelectasis."
    elif side == "left" and rng.random() < 0.5:
        f = rng.choice(["Left retrocardiac opacity, most likely atelectasis.",
                        "Retrocardiac opacity at the left base in keeping with atelectasis."])
        i = rng.choice(["Left basilar atelectasis.", "Left retrocardiac atelectasis."])
    else:
        f = rng.choice([f"Patchy {side} basilar atelectasis.", f"Linear atelectasis at the {side} lung base.",
                        f"Subsegmental atelectasis in the {side} lower zone."])
        i = f"{sidecap(side)} basilar atelectasis."
    if mod:
        f = f[:-1] + f", {mod}."
        i = f"{sidecap(mod)} {i[0].lower() + i[1:]}"
    return {"key": "atel", "side": None if side == "bibasilar" else side, "sig": mod == "increasing",
            "cat": "lungs", "f": f, "i": i, "neg": "Lungs are clear.", "name": f"{side} atelectasis"}


def collapse(rng, side=None):
    side = side or rng.choice(["left", "left", "right"])
    lobe = "lower" if side == "left" or rng.random() < 0.7 else "upper"
    f = rng.choice([
        f"Complete collapse of the {side} {lobe} lobe, with loss of the "
        + ("medial left hemidiaphragm outline." if side == "left" else f"{side} hemidiaphragm outline."),
        f"New {side} {lobe} lobe collapse.",
        f"Volume loss and dense opacification in keeping with {side} {lobe} lobe collapse.",
    ])
    if side == "right" and lobe == "upper":
        f = "Right upper lobe collapse, with elevation of the horizontal fissure."
    i = rng.choice([f"{sidecap(side)} {lobe} lobe collapse.",
                    f"{sidecap(side)} {lobe} lobe collapse, possibly mucus plugging; consider bronchoscopy/physio."])
    return {"key": "collapse", "side": side, "sig": True, "cat": "lungs", "f": f, "i": i,
            "neg": "Lungs are clear.", "name": f"{side} {lobe} lobe collapse"}


def consol(rng, side=None):
    side = side or rng.choice(["right", "left"])
    zone = rng.choice(["lower lobe", "lower zone", "base", "mid and lower zone"])
    mod = rng.choice(["", "new ", "increasing ", ""])
    f = rng.choice([
        f"{sidecap(mod)}consolidation in the {side} {zone} with air bronchograms.",
        f"There is {mod}airspace opacity in the {side} {zone.replace('zone', 'zones')}.",
        f"{sidecap(mod)}patchy airspace consolidation at the {side} {zone}.",
    ])
    i = rng.choice([f"{sidecap(mod)}{side} {zone} consolidation, in keeping with pneumonia in the clinical context.",
                    f"{sidecap(mod)}{side} {zone} airspace disease, likely pneumonia/aspiration.",
                    f"{sidecap(mod)}{side} {zone} consolidation."])
    return {"key": "consol", "side": side, "sig": True, "cat": "lungs", "f": sidecap(f), "i": sidecap(i),
            "neg": "Lungs are clear.", "name": f"{side} {zone} consolidation"}


def edema(rng):
    sev = rng.choice(["mild", "moderate", "moderate", "severe"])
    mod = rng.choice(["", "worse than yesterday", "slightly improved", "unchanged"])
    f = rng.choice([
        f"{sidecap(sev)} pulmonary edema with perihilar haziness and interstitial thickening.",
        f"Pulmonary vascular congestion with {sev} interstitial edema{', ' + mod if mod else ''}.",
        f"Upper lobe venous diversion, Kerley B lines and {sev} alveolar edema.",
        f"{sidecap(sev)} interstitial and alveolar edema{', ' + mod if mod else ''}.",
    ])
    if mod and mod not in f:
        mod = ""
    i = rng.choice([f"{sidecap(sev)} pulmonary edema{', ' + mod if mod else ''}.",
                    f"Findings consistent with {sev} pulmonary edema / fluid overload.",
                    f"{sidecap(sev)} cardiogenic pulmonary edema."])
    return {"key": "edema", "side": None, "sig": True, "cat": "lungs", "f": f, "i": i,
            "neg": rng.choice(["No pulmonary edema.", "No pulmonary edema or vascular congestion."]),
            "name": f"{sev} pulmonary edema"}


def ards(rng):
    mod = rng.choice(["unchanged", "slightly worse", "slightly improved", "unchanged"])
    f = rng.choice([
        f"Diffuse bilateral airspace opacities, {mod} in extent.",
        f"Widespread bilateral air space opacification, {mod}, in keeping with the known ARDS.",
        f"Dense bilateral perihilar and basal airspace disease, {mod}.",
    ])
    i = rng.choice([f"Diffuse bilateral airspace disease, {mod}, compatible with ARDS.",
                    f"Bilateral airspace opacities in keeping with ARDS, {mod}.",
                    f"{sidecap(mod)} appearance of ARDS."])
    return {"key": "ards", "side": None, "sig": True, "cat": "lungs", "f": f, "i": i,
            "neg": "Lungs are clear.", "name": "bilateral airspace disease (ARDS)"}


def freeair(rng):
    f = rng.choice(["Small volume of free gas under the right hemidiaphragm.",
                    "Free subdiaphragmatic air, more conspicuous under the right hemidiaphragm.",
                    "Pneumoperitoneum is noted beneath both hemidiaphragms."])
    i = rng.choice(["Pneumoperitoneum, likely postoperative given the recent laparotomy; correlate clinically.",
                    "Free subdiaphragmatic air, presumably postoperative."])
    return {"key": "freeair", "side": None, "sig": True, "cat": "other", "f": f, "i": i,
            "neg": "No free air under the diaphragm.", "name": "free subdiaphragmatic air"}


def cardio(rng, postop=False):
    if postop:
        f = rng.choice(["Postoperative cardiomediastinal contours, unchanged.",
                        "Cardiomediastinal silhouette is stable in the postoperative period."])
        return {"key": "cardio_ok", "side": None, "sig": False, "cat": "heart", "f": f, "i": "", "name": ""}
    if rng.random() < 0.3:
        f = rng.choice(["Stable mild cardiomegaly.", "The heart is mildly enlarged, unchanged.",
                        "Cardiomegaly, stable since the prior."])
        return {"key": "cardiomeg", "side": None, "sig": False, "cat": "heart", "f": f,
                "i": "Stable cardiomegaly.", "name": "stable cardiomegaly",
                "neg": rng.choice(["Heart size is normal.", "Normal heart size."])}
    f = rng.choice(["Heart size is normal.", "The cardiomediastinal silhouette is within normal limits.",
                    "Cardiomediastinal contours are normal.", "Heart size is within normal limits.",
                    "Heart and mediastinum are unremarkable."])
    return {"key": "cardio_ok", "side": None, "sig": False, "cat": "heart", "f": f, "i": "", "name": "",
            "aff": rng.choice(["Cardiomegaly.", "Enlarged cardiac silhouette.", "Cardiomegaly, new from the prior."])}


def devices(rng, scen):
    out, summ = [], []
    side = rng.choice(["right", "right", "left"])
    ett = scen in ("vent", "ards", "postcard", "chf") and rng.random() < 0.85
    n = rng.choice(["3.5", "4", "4.5", "5", "5.5", "6", "3", "4.2", "5.1"])
    if scen == "postabdo":
        ett = rng.random() < 0.3
    trach = not ett and scen in ("vent", "ards") and rng.random() < 0.5
    if ett:
        out.append(("ett", rng.choice([
            f"Endotracheal tube tip is {n} cm above the carina.",
            f"ETT terminates {n} cm above the carina.",
            f"The endotracheal tube is in satisfactory position, tip {n} cm above the carina.",
            f"ET tube tip at the level of the clavicular heads, {n} cm above the carina."])))
        summ.append("ETT")
    if trach:
        out.append(("trach", "Tracheostomy tube in the midline, tip above the carina."))
        summ.append("tracheostomy")
    if ett or rng.random() < 0.5:
        out.append(("ng", rng.choice([
            "Enteric tube courses below the diaphragm with the tip in the stomach.",
            "Orogastric tube tip projects over the gastric fundus.",
            "NG tube passes below the diaphragm, tip in the stomach.",
            "The feeding tube tip is beyond the gastro-oesophageal junction, in the stomach.",
            "Enteric tube tip and side port are below the diaphragm."])))
        summ.append("enteric tube")
    if scen == "line" or rng.random() < 0.75:
        vein = rng.choice(["internal jugular", "internal jugular", "subclavian"])
        tip = rng.choice(["in the lower SVC", "at the cavoatrial junction", "in the mid SVC",
                          "at the SVC/right atrial junction"])
        kind = rng.choice(["central venous catheter", "central line", "CVC", "PICC"])
        if kind == "PICC":
            vein = "arm"
            txt = f"{sidecap(side)} PICC with tip {tip}."
        else:
            txt = rng.choice([f"{sidecap(side)} {vein} {kind} with tip {tip}.",
                              f"{sidecap(side)}-sided {vein} {kind}, tip {tip}."])
        out.append(("cvc", txt))
        summ.append(f"{side} {'PICC' if kind == 'PICC' else 'central line'}")
    if scen == "postcard":
        out.append(("sternot", rng.choice(["Median sternotomy wires and mediastinal clips.",
                                           "Intact median sternotomy wires. Mediastinal drain in situ.",
                                           "Sternotomy wires, epicardial pacing wires and mediastinal drains."])))
        if rng.random() < 0.4:
            out.append(("swan", "Pulmonary artery catheter via the right internal jugular approach, tip in the "
                                "main pulmonary artery."))
            summ.append("PA catheter")
        if rng.random() < 0.25:
            out.append(("iabp", "Intra-aortic balloon pump tip projects approximately 2 cm below the aortic arch."))
            summ.append("IABP")
        summ.append("mediastinal drains")
    if scen == "drain" or (scen == "postcard" and rng.random() < 0.5):
        out.append(("drain", rng.choice([f"{sidecap(side)} basal chest drain in situ.",
                                         f"{sidecap(side)}-sided intercostal drain in place, tip at the apex.",
                                         f"{sidecap(side)} pleural pigtail catheter in position."])))
        summ.append(f"{side} chest drain")
    return out, summ


def scenario(rng: random.Random) -> dict:
    scen = rng.choice(["vent", "vent", "ards", "postcard", "postcard", "postabdo", "line", "drain", "chf"])
    dev, summ = devices(rng, scen)
    finds = []
    if scen == "ards":
        finds.append(ards(rng))
    if scen == "chf" or (scen in ("vent", "postcard") and rng.random() < 0.25):
        finds.append(edema(rng))
    if scen in ("vent", "line") and rng.random() < 0.45:
        finds.append(consol(rng))
    if scen in ("vent", "postcard", "postabdo", "chf") and rng.random() < 0.6:
        finds.append(atel(rng, "left" if scen == "postcard" and rng.random() < 0.6 else None))
    if rng.random() < 0.15 and scen in ("vent", "postcard"):
        finds.append(collapse(rng))
    if scen in ("postcard", "chf", "postabdo", "drain", "ards") and rng.random() < 0.6:
        finds.append(effusion(rng))
    if scen in ("line", "drain", "postcard") and rng.random() < 0.3:
        finds.append(ptx(rng))
    if scen == "postabdo" and rng.random() < 0.4:
        finds.append(freeair(rng))
    # one finding of a key, one side per key at most
    seen, uniq = set(), []
    for x in finds:
        if x["key"] not in seen and not (x["key"] in ("atel", "collapse") and {"atel", "collapse"} & seen):
            seen.add(x["key"])
            uniq.append(x)
    finds = uniq
    if scen == "postcard":
        finds.append(cardio(rng, postop=True))
    else:
        finds.append(cardio(rng))
    return {"scen": scen, "dev": dev, "summ": summ, "finds": finds}


HIST = {
    "vent": ["Intubated, hypoxic respiratory failure. ETT position.", "Ventilated patient, increasing FiO2.",
             "Intubated for airway protection; check tubes.", "Sepsis, ventilated. Daily film."],
    "ards": ["ARDS, proned overnight. Interval change?", "Ventilated, ARDS, worsening oxygenation.",
             "COVID pneumonitis on ventilator, daily CXR."],
    "postcard": ["Post CABG day 1.", "Post AVR, check lines and drains.", "Post-op cardiac surgery, extubated?",
                 "CABG x3 yesterday, rising oxygen requirement."],
    "postabdo": ["Post laparotomy, desaturating.", "Post Whipple day 2, fever.", "Post-op HDU, reduced air entry."],
    "line": ["New central line insertion, check position.", "Post CVC insertion. ?PTX.",
             "PICC placed, confirm tip."],
    "drain": ["Chest drain check.", "Post chest drain insertion for effusion.", "Drain bubbling, ?residual PTX."],
    "chf": ["Fluid overloaded, on CVVH.", "SOB, known LVF, in HDU.", "Positive fluid balance, crackles."],
}

NORMAL_IMP = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
              "No acute abnormality.", "No acute findings.", "No acute cardiopulmonary disease."]


def dev_impression(rng, summ, uk) -> str:
    if not summ:
        return ""
    if len(summ) == 1:
        s = f"{sidecap(summ[0])} in satisfactory position."
    else:
        s = rng.choice(["Lines and tubes in satisfactory position.", "Support devices in appropriate position.",
                        "Tubes and lines as described, in satisfactory position.",
                        f"{sidecap(', '.join(summ[:-1]))} and {summ[-1]} appropriately positioned.",
                        "Support devices unchanged."])
    return s


def build_composed(rng: random.Random) -> dict:
    sc = scenario(rng)
    finds, dev = sc["finds"], sc["dev"]
    present = {x["key"] for x in finds}
    fl = [("dev", t) for _, t in dev]
    for x in finds:
        fl.append((x["cat"], x["f"]))
    negs = []
    if "ptx" not in present:
        negs.append(("pleura", rng.choice(["No pneumothorax.", "No pneumothorax is seen.",
                                           "No evidence of pneumothorax."])))
    if "effusion" not in present and rng.random() < 0.6:
        negs.append(("pleura", rng.choice(["No pleural effusion.", "No sizeable pleural effusion.",
                                           "Costophrenic angles are clear."])))
    if not present & {"edema", "ards"} and rng.random() < 0.4:
        negs.append(("lungs", rng.choice(["No pulmonary edema.", "No features of pulmonary edema."])))
    if not present & {"edema", "ards", "consol", "atel", "collapse", "effusion"}:
        negs.insert(0, ("lungs", rng.choice(["Lungs are clear.", "The lungs are clear.", "Clear lungs.",
                                             "No focal consolidation."])))
    fl += negs
    imp, imp_keys = [], []
    for x in finds:
        if x.get("i") and (x["sig"] or rng.random() < 0.65):
            imp.append(x["i"])
            imp_keys.append(x["key"])
    d = dev_impression(rng, sc["summ"], False)
    if d:
        if rng.random() < 0.5:
            imp.insert(0, d)
        else:
            imp.append(d)
    if "ptx" not in present and sc["scen"] in ("line", "drain") and rng.random() < 0.7:
        imp.append("No pneumothorax.")
    if not imp_keys:
        imp.append(rng.choice(NORMAL_IMP) if not d else rng.choice(["Otherwise no acute abnormality.",
                                                                   "No acute cardiopulmonary process."]))
    return {"src": "composed", "scen": sc["scen"], "hist": rng.choice(HIST[sc["scen"]]),
            "comp": rng.choice(["Yesterday.", "Prior study from earlier today.", "___.", "Previous film.",
                                "Radiograph of the previous day."]),
            "f": fl, "i": imp, "finds": finds, "imp_keys": imp_keys, "dev": dev}


# ----------------------------------------------------------------------------------------------------------
# rendering
UK_SPELL = [(r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bhemothorax", "haemothorax"),
            (r"\bfavor", "favour"), (r"\besophag", "oesophag")]
US_SPELL = [(r"\boedema\b", "edema"), (r"\bOedema\b", "Edema"), (r"gastro-oesophageal", "gastroesophageal")]
READERS_US = ["J. Whitfield, MD", "A. Ramanathan, MD", "K. O'Donnell, MD", "M. Alvarez, MD", "S. Park, MD"]
READERS_UK = ["Dr R. Hughes, Consultant Radiologist", "Dr P. Okafor, ST4 Radiology",
              "Dr L. Martin, Consultant Radiologist", "Dr S. Mehta, Radiology Registrar"]
READERS_AU = ["Dr J. Nguyen (Radiology Registrar)", "Dr C. Fraser FRANZCR", "Dr A. Kowalski FRANZCR"]


def render(case: dict, style: str, rng: random.Random) -> str:
    real = case["src"] == "iu"
    fl, imp = case["f"], case["i"]  # None: section absent; []: header only
    hist = case["hist"] or "Not given."
    comp = case["comp"] or "None."
    L = []
    if style == "us_academic":
        L.append("EXAMINATION: CHEST (PORTABLE AP)" if not real else "EXAMINATION: CHEST RADIOGRAPH")
        pre = "" if real else rng.choice(["___-year-old man. ", "___ year old woman with ", "___M ", ""])
        hx = pre + (hist[:1].lower() + hist[1:] if pre.endswith("with ") and not hist[1:2].isupper() else hist)
        L += [f"INDICATION: {hx}", "TECHNIQUE: " + ("Single frontal view of the chest." if not real
                                                    else "Chest radiograph."), f"COMPARISON: {comp}", ""]
    elif style == "us_community":
        L += ["PORTABLE CHEST X-RAY, 1 VIEW" if not real else "XR CHEST", f"HISTORY: {hist}",
              f"COMPARISON: {comp}", ""]
    elif style == "uk_itu":
        bed = rng.choice(["ITU bed 4", "ITU bed 11", "HDU bed 2", "CICU bed 6", "GICU side room 3"])
        L += [f"XR Chest (mobile AP) - {bed}" if not real else "XR Chest", f"Clinical details: {hist}", ""]
    elif style == "au_icu":
        L += ["CHEST (MOBILE)" if not real else "CHEST X-RAY", f"Clinical notes: {hist}",
              f"Comparison: {comp}", ""]
    else:
        L += ["CXR PORTABLE - ICU TEMPLATE" if not real else "CXR", f"Indication: {hist}", ""]
    fh = {"us_academic": "FINDINGS:", "us_community": "FINDINGS:", "uk_itu": "Findings:", "au_icu": "Findings:",
          "templated": "FINDINGS:"}[style]
    ih = {"us_academic": "IMPRESSION:", "us_community": "IMPRESSION:", "uk_itu": "Impression:",
          "au_icu": "Impression:", "templated": "IMPRESSION:"}[style]
    if fl is not None:
        texts = [t for _, t in fl]
        if not fl:
            L += [fh, ""]
        elif style == "templated" and not real:
            L.append(fh)
            rows = [("Lines/tubes", "dev"), ("Lungs", "lungs"), ("Pleura", "pleura"),
                    ("Heart/mediastinum", "heart"), ("Other", "other")]
            for lab, cat in rows:
                got = [t for c, t in fl if c == cat]
                if got:
                    L.append(f"{lab}: {' '.join(got)}")
                elif cat == "dev":
                    L.append(f"{lab}: None.")
            L.append("")
        elif style == "au_icu" and not real:
            L.append(fh)
            L += texts
            L.append("")
        elif style == "us_academic":
            L += [fh, "", " ".join(texts), ""]
        else:
            L += [f"{fh} {' '.join(texts)}", ""] if style != "uk_itu" else [fh, " ".join(texts), ""]
    if imp is not None:
        if not imp:
            L += [ih, ""]
        elif style == "us_community" and len(imp) > 1:
            L.append(ih)
            L += [f"{n}. {t}" for n, t in enumerate(imp, 1)]
            L.append("")
        elif style == "us_academic" and len(imp) > 1 and rng.random() < 0.6:
            L += [ih, ""] + [f"{n}. {t}" for n, t in enumerate(imp, 1)] + [""]
        elif style in ("us_academic", "uk_itu"):
            L += [ih, " ".join(imp), ""]
        else:
            L += [f"{ih} {' '.join(imp)}", ""]
    if style == "us_academic":
        if not real and rng.random() < 0.3:
            L += ["NOTIFICATION: Findings discussed with Dr. ___ by telephone at ___ on ___.", ""]
        L.append(rng.choice(["Electronically signed by: " + rng.choice(READERS_US), "___, MD  ___ ___"]))
    elif style == "us_community":
        L.append(f"Dictated by: {rng.choice(READERS_US)}  Transcribed: {rng.choice(['SR', 'mt', 'VR'])}")
    elif style == "uk_itu":
        L.append(f"Reported by {rng.choice(READERS_UK)}")
    elif style == "au_icu":
        L.append(f"Reported by: {rng.choice(READERS_AU)}")
    else:
        L.append(f"Read by: {rng.choice(READERS_US + READERS_UK)}")
    text = "\n".join(L).strip() + "\n"
    for pat, rep in (UK_SPELL if style in UK_STYLES else US_SPELL):
        text = re.sub(pat, rep, text)
    return text


# ----------------------------------------------------------------------------------------------------------
# injections on composed cases (return detail or None)
def has_terms(text: str, key: str) -> bool:
    return re.search(TERMS[key], text, re.I) is not None


def flip(word: str) -> str:
    o = {"right": "left", "left": "right"}[word.lower()]
    return o.upper() if word.isupper() else (sidecap(o) if word[0].isupper() else o)


def side_sub(text: str, side: str) -> str:
    return re.sub(rf"\b{side}\b", lambda m: flip(m.group(0)), text, count=1, flags=re.I)


def inj_comp_missing(c, rng, mode):
    if mode == "imp_empty":
        c["i"] = []
        return "IMPRESSION header left with nothing under it"
    if mode == "imp_absent":
        c["i"] = None
        return "IMPRESSION section absent (report ends after findings)"
    if mode == "f_empty":
        c["f"] = []
        return "FINDINGS header left empty; impression kept"
    # FINDINGS removed, impression a bare normal macro (does not describe the findings)
    c["f"] = None
    c["i"] = [rng.choice(["No acute change.", "No significant interval change.", "No acute disease.",
                          "Stable appearances."])]
    return "FINDINGS section removed; impression is a bare statement that describes no findings"


def inj_comp_lat(c, rng):
    cands = [x for x in c["finds"] if x.get("side") in ("right", "left") and x["key"] in c["imp_keys"]]
    if not cands:
        return None
    x = rng.choice(cands)
    side = x["side"]
    if rng.random() < 0.6:
        idx = c["i"].index(x["i"])
        new = side_sub(x["i"], side)
        c["i"][idx] = new
        c["_must"] = [new]
        where = "IMPRESSION"
    else:
        idx = [t for _, t in c["f"]].index(x["f"])
        new = side_sub(x["f"], side)
        c["f"][idx] = (c["f"][idx][0], new)
        c["_must"] = [new, x["i"]]
        where = "FINDINGS"
    return f"{x['name']}: side flipped to {flip(side)} in {where} ('{new}')"


def inj_comp_neg(c, rng):
    opts = []
    for x in c["finds"]:
        if x["key"] in c["imp_keys"] and x.get("neg") and x["key"] in ("ptx", "effusion", "edema"):
            opts.append(("imp_negates", x))
        if x["key"] == "cardio_ok" and x.get("aff"):
            opts.append(("imp_cardio", x))
    negated = [t for _, t in c["f"]
               if re.match(r"(No pneumothorax|No pleural effusion|No evidence of pneumothorax)", t)]
    if negated:
        opts.append(("imp_affirms", negated[0]))
    if not opts:
        return None
    mode, x = rng.choice(opts)
    if mode == "imp_negates":
        idx = c["i"].index(x["i"])
        c["i"][idx] = x["neg"]
        c["_must"] = [x["f"], x["neg"]]
        c["imp_keys"].remove(x["key"])
        return f"FINDINGS affirm {x['name']}; IMPRESSION says '{x['neg']}'"
    if mode == "imp_cardio":
        c["i"].insert(len(c["i"]) - 1 if len(c["i"]) > 1 else 0, x["aff"])
        return f"FINDINGS: '{x['f']}'; IMPRESSION: '{x['aff']}'"
    side = rng.choice(["right", "left"])
    if "pneumothorax" in x.lower():
        aff = rng.choice([f"Small {side} apical pneumothorax.", f"Small {side} pneumothorax."])
    else:
        aff = rng.choice([f"Small {side} pleural effusion.", f"Moderate {side} pleural effusion.",
                          "Small bilateral pleural effusions."])
    c["i"].insert(0, aff)
    c["i"] = [t for t in c["i"] if t not in ("No pneumothorax.",) or "pneumothorax" not in aff.lower()]
    return f"FINDINGS: '{x}'; IMPRESSION affirms '{aff}'"


def inj_comp_omit(c, rng, want_normal):
    # only findings the spec plainly calls significant: no small/trace effusion, no atelectasis
    sig = [x for x in c["finds"] if x["sig"] and x["key"] in c["imp_keys"] and x["key"] != "atel"
           and not (x["key"] == "effusion" and re.match(r"(small|trace)", x["name"]))]
    if not sig:
        return None
    x = rng.choice(sig)
    others = [t for t in c["i"] if t != x["i"]]
    key = "consol" if x["key"] == "consol" else x["key"]
    if want_normal:
        dev = [t for t in others if t in [dev_impression(random.Random(0), [], False)] or "position" in t]
        c["i"] = dev[:1] + [rng.choice(NORMAL_IMP) if not dev else rng.choice(
            ["No acute cardiopulmonary process.", "Otherwise no acute abnormality.", "Otherwise unremarkable."])]
    else:
        findings_left = [t for t in others if not re.search(r"position|unchanged\.$|No pneumothorax", t)]
        if not findings_left:
            return None
        c["i"] = others
    if has_terms(" ".join(c["i"]), key):
        return None
    c["imp_keys"].remove(x["key"])
    return (f"FINDINGS affirm {x['name']} ('{x['f']}'); IMPRESSION leaves it out"
            + (" (normal macro)" if want_normal else " (lists other findings)"))


PH_MEAS = ["___", "XX", "***", "[ ]", "x.x"]


def inj_comp_ph(c, rng):
    opts = []
    for n, (cat, t) in enumerate(c["f"]):
        if re.search(r"\d(?:\.\d)? cm above the carina", t):
            opts.append((n, "meas"))
        if cat == "dev" and re.match(r"(Right|Left)", t):
            opts.append((n, "side"))
        if re.search(r"\b(small|moderate|large|trace)\b", t) and cat == "pleura":
            opts.append((n, "grade"))
        if re.search(r" tip (in the|at the) ", t):
            opts.append((n, "tip"))
    opts.append((-1, "imp"))
    n, mode = rng.choice(opts)
    if mode == "imp":
        tok = rng.choice(["[***]", "<insert impression>", "***"])
        c["i"] = c["i"] + [tok] if rng.random() < 0.5 else [tok] + c["i"]
        return f"impression template line left as '{tok}'"
    cat, t = c["f"][n]
    if mode == "meas":
        tok = rng.choice(PH_MEAS)
        new = re.sub(r"\d(?:\.\d)?( cm above the carina)", tok + r"\1", t)
    elif mode == "side":
        tok = rng.choice(["[RIGHT/LEFT]", "[right/left]", "<side>", "***"])
        new = re.sub(r"^(Right|Left)", tok, t)
    elif mode == "grade":
        tok = rng.choice(["[small/moderate/large]", "***", "[ ]", "<size>"])
        new = re.sub(r"\b(small|moderate|large|trace)\b", tok, t, count=1)
        if new[0] in "[<*":
            pass
    else:
        tok = rng.choice(["[***]", "<location>", "***"])
        new = re.sub(r" tip (in the|at the) [^.,]+", f" tip at {tok}", t, count=1)
    c["f"][n] = (cat, new)
    c["_must"] = [new]
    return f"findings: '{t}' -> '{new}' (unfilled field {tok})"


# ----------------------------------------------------------------------------------------------------------
# real IU cases
SIDE_NOUNS = r"effusion|opacit|atelecta|pneumothora|consolidat|airspace|infiltrat|nodul|granulom|pneumonia|mass|" \
             r"scar|calcifi|hemidiaphragm|lobe|base|apex|apical|hilar|fracture"
GROUPS = [("effusion", r"effusion|blunting|pleural fluid"), ("ptx", r"pneumothora"),
          ("edema", r"\bedema|vascular congestion"),
          ("consol", r"consolidat|airspace (?:disease|opacit)|infiltrat|pneumonia"),
          ("collapse", r"collapse"), ("mass", r"\bmass\b")]


def iu_case(r, rng) -> dict:
    return {"src": "iu", "uid": r["uid"], "hist": reword_iu(r["ind"], rng) or "",
            "comp": r["comp"], "f": [("x", s) for s in sents(reword_iu(r["f"], rng))],
            "i": sents(reword_iu(r["i"], rng))}


def affirmed(sentence: str, pat: str) -> bool:
    if not re.search(pat, sentence, re.I):
        return False
    return NEG_CUE.search(sentence) is None


def iu_sig_affirmed(f_sents) -> list[tuple[str, str]]:
    out = []
    for s in f_sents:
        for key, pat in GROUPS:
            if key == "effusion" and not re.search(r"\b(moderate|large)\b", s, re.I):
                continue
            if affirmed(s.replace("moderate", "").replace("large", "") if key == "effusion" else s, pat):
                out.append((key, s))
    return out


def iu_clean_ok(r) -> bool:
    fs, i = sents(r["f"]), r["i"]
    for key, _s in iu_sig_affirmed(fs):
        if not has_terms(i, key):
            return False
    return True


def inj_iu_lat(c, rng):
    fs = [t for _, t in c["f"]]
    for _ in range(1):
        for fi, fsent in enumerate(fs):
            for side in ("right", "left"):
                opp = flip(side)
                if not re.search(rf"\b{side}\b", fsent, re.I) or re.search(rf"\b{opp}\b", fsent, re.I):
                    continue
                if "XXXX" in fsent:
                    continue
                fn = {m.group(0).lower()[:6] for m in re.finditer(SIDE_NOUNS, fsent, re.I)}
                for ii, isent in enumerate(c["i"]):
                    if not re.search(rf"\b{side}\b", isent, re.I) or re.search(rf"\b{opp}\b", isent, re.I):
                        continue
                    inn = {m.group(0).lower()[:6] for m in re.finditer(SIDE_NOUNS, isent, re.I)}
                    if not fn & inn or "XXXX" in isent:
                        continue
                    if rng.random() < 0.65:
                        new = side_sub(isent, side)
                        c["i"][ii] = new
                        c["_must"] = [new, fsent]
                        return f"side flipped in IMPRESSION: '{isent}' -> '{new}' (FINDINGS: '{fsent}')"
                    new = side_sub(fsent, side)
                    c["f"][fi] = ("x", new)
                    c["_must"] = [new, isent]
                    return f"side flipped in FINDINGS: '{fsent}' -> '{new}' (IMPRESSION: '{isent}')"
    return None


IU_NEGS = [(r"^No pneumothorax\b|no pneumothorax", "ptx"), (r"no (?:pleural )?effusion", "effusion"),
           (r"lungs are clear|clear lungs", "lungs"), (r"heart size (?:is )?(?:within )?normal|normal heart size|"
                                                       r"heart is normal in size|heart size normal", "heart")]


def inj_iu_neg(c, rng):
    fs = [t for _, t in c["f"]]
    # mode A: findings affirm a finding that the impression then negates
    for key, s in iu_sig_affirmed(fs) + [(k, s) for s in fs for k, p in
                                         [("cardiomeg", r"cardiomegaly|heart (?:size )?is (?:mildly )?enlarged")]
                                         if affirmed(s.replace("mildly", "").replace("mild", ""), p)]:
        if key in ("mass", "collapse"):
            continue
        neg = {"effusion": "No pleural effusion.", "ptx": "No pneumothorax.", "edema": "No pulmonary edema.",
               "consol": "Lungs are clear.", "cardiomeg": "Heart size is normal."}[key]
        hit = [n for n, t in enumerate(c["i"]) if has_terms(t, key if key != "cardiomeg" else "cardio")]
        if hit:
            old = c["i"][hit[0]]
            c["i"][hit[0]] = neg
            return f"FINDINGS: '{s}'; IMPRESSION sentence '{old}' replaced by '{neg}'"
    # mode B: findings negate, impression affirms
    for s in fs:
        for pat, key in IU_NEGS:
            if re.search(pat, s, re.I) and "XXXX" not in s:
                side = rng.choice(["right", "left"])
                aff = rng.choice({
                    "ptx": [f"Small {side} apical pneumothorax.", f"Tiny {side} pneumothorax."],
                    "effusion": [f"Small {side} pleural effusion.", f"Moderate {side} pleural effusion.",
                                 "Small bilateral pleural effusions."],
                    "lungs": [f"{sidecap(side)} lower lobe airspace disease.",
                              f"{sidecap(side)} basilar consolidation, likely pneumonia.",
                              f"Patchy {side} upper lobe infiltrate."],
                    "heart": ["Mild cardiomegaly.", "Cardiomegaly.", "Enlarged heart."]}[key])
                old = " ".join(c["i"])
                c["i"] = [aff]
                return f"FINDINGS: '{s}'; IMPRESSION '{old}' replaced by '{aff}'"
    return None


def inj_iu_omit(c, rng, want_normal):
    fs = [t for _, t in c["f"]]
    sig = [(k, s) for k, s in iu_sig_affirmed(fs)]
    rng.shuffle(sig)
    for key, s in sig:
        if not has_terms(" ".join(c["i"]), key):
            continue  # impression did not report it in the first place
        keys = [k for k, p in GROUPS if re.search(p, s, re.I)]
        if "mass" in keys or "collapse" in keys:
            continue
        if want_normal:
            new = [rng.choice(NORMAL_IMP + ["Normal chest radiograph.", "No active disease."])]
        else:
            new = [t for t in c["i"] if not has_terms(t, key)]
            anaphora = r"\b(this|these|resolution|follow|underlying|above|finding|both|associated)\b"
            if re.search(anaphora, " ".join(new), re.I):
                continue
            if not any(not re.match(r"(no |normal|negative|otherwise)", t, re.I) and len(t) > 12 for t in new):
                continue
        if any(has_terms(" ".join(new), k) for k in keys) or (
                key == "consol" and re.search(r"atelecta|collapse", " ".join(new), re.I)):
            continue
        c["i"] = new
        return f"FINDINGS affirm '{s}'; IMPRESSION leaves it out" + (" (normal macro)" if want_normal else
                                                                     " (other findings kept)")
    return None


def inj_iu_ph(c, rng):
    fs = [t for _, t in c["f"]]
    opts = []
    for n, s in enumerate(fs):
        if re.search(r"\b\d+(?:\.\d+)? ?(cm|mm)\b", s):
            opts.append((n, "meas"))
        if re.search(r"\b(right|left)\b", s, re.I) and "XXXX" not in s:
            opts.append((n, "side"))
        if re.search(r"\b(mild|moderate|small|large|normal)\b", s, re.I):
            opts.append((n, "grade"))
    if not opts:
        return None
    n, mode = rng.choice(opts)
    s = fs[n]
    if mode == "meas":
        tok = rng.choice(["___", "XX", "***"])
        new = re.sub(r"\b\d+(?:\.\d+)?( ?(?:cm|mm))\b", tok + r"\1", s, count=1)
    elif mode == "side":
        tok = rng.choice(["[RIGHT/LEFT]", "[left/right]", "<side>"])
        new = re.sub(r"\b(right|left)\b", tok, s, count=1, flags=re.I)
    else:
        w = re.search(r"\b(mild|moderate|small|large|normal)\b", s, re.I).group(0)
        tok = rng.choice(["[***]", "***"] + ([] if w.lower() == "normal" else ["<grade>", "[mild/moderate/severe]"]))
        new = re.sub(rf"\b{w}\b", tok, s, count=1)
    c["f"][n] = ("x", new)
    c["_must"] = [new]
    return f"findings: '{s}' -> '{new}' (unfilled field {tok})"


def inj_iu_missing(c, rng, mode):
    if mode == "f_absent":
        if not (len(" ".join(c["i"])) < 60 and re.match(r"(No acute|Normal chest|No active|Negative)",
                                                          " ".join(c["i"]), re.I)):
            return None
    return inj_comp_missing(c, rng, mode) if mode != "f_absent" else (
        c.__setitem__("f", None) or f"FINDINGS section removed; impression is bare: '{' '.join(c['i'])}'")


# ----------------------------------------------------------------------------------------------------------
def verify(kind: str, c: dict, text: str) -> bool:
    """Check in code that the injected error is really there (or that a clean case is clean)."""
    f_txt = " ".join(t for _, t in c["f"]) if c["f"] else ""
    i_txt = " ".join(c["i"]) if c["i"] else ""
    ph = re.search(r"\[(?:\*+|RIGHT/LEFT|right/left|left/right|small/moderate/large|mild/moderate/severe| )\]|"
                   r"<[a-z ]+>|\*\*\*|\bXX\b|x\.x|___ ?(?:cm|mm)", text)
    low = text.lower().replace("oedema", "edema").replace("oesophag", "esophag")
    for m in c.get("_must", []):
        if m.lower().replace("oedema", "edema").replace("oesophag", "esophag") not in low:
            return False
    if kind is None:
        return bool(f_txt) and bool(i_txt) and not ph
    if kind == "placeholder":
        return bool(ph)
    if kind == "missing_section":
        return not f_txt or not i_txt
    if kind == "laterality_conflict":
        return bool(re.search(r"\b(right|left)\b", f_txt, re.I) and re.search(r"\b(right|left)\b", i_txt, re.I))
    if kind == "negation_conflict":
        return bool(f_txt and i_txt)
    if kind == "impression_omits_finding":
        return bool(i_txt)
    return False


def make_case(kind, src, rng, iu_pool, used, j=0):
    order = rng.sample(range(len(iu_pool)), len(iu_pool)) if src == "iu" else range(400)
    for n in order:
        if src == "iu":
            r = iu_pool[n]
            if r["uid"] in used or (kind is None and not iu_clean_ok(r)):
                continue
            c = iu_case(r, rng)
        else:
            c = build_composed(rng)
        detail = ""
        if kind == "missing_section":
            mode = rng.choice(["imp_empty", "imp_absent", "f_empty", "f_absent"] if src == "iu"
                              else ["imp_empty", "imp_absent", "f_empty", "f_absent"])
            detail = inj_iu_missing(c, rng, mode) if src == "iu" else inj_comp_missing(c, rng, mode)
        elif kind == "laterality_conflict":
            detail = inj_iu_lat(c, rng) if src == "iu" else inj_comp_lat(c, rng)
        elif kind == "negation_conflict":
            detail = inj_iu_neg(c, rng) if src == "iu" else inj_comp_neg(c, rng)
        elif kind == "impression_omits_finding":
            want_normal = (j // 2) % 2 == 0
            detail = inj_iu_omit(c, rng, want_normal) if src == "iu" else inj_comp_omit(c, rng, want_normal)
        elif kind == "placeholder":
            detail = inj_iu_ph(c, rng) if src == "iu" else inj_comp_ph(c, rng)
        if kind and not detail:
            continue
        style = rng.choice(STYLES)
        text = render(c, style, rng)
        if not verify(kind, c, text):
            continue
        if src == "iu":
            used.add(c["uid"])
        tag = f"iu {c['uid']}" if src == "iu" else src
        return {"injected": kind, "detail": (detail or "unmodified") + f" [{tag}, {style}]", "report": text}
    raise RuntimeError(f"could not build a {kind} case from {src}")


def build(seed: int, shared: Path) -> list[dict]:
    rng = random.Random(seed)
    pool = load_iu(shared)
    used: set[str] = set()
    rows = []
    for kind, n in [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]:
        for j in range(n):
            rows.append(make_case(kind, "composed" if j % 2 == 0 else "iu", rng, pool, used, j))
    rng.shuffle(rows)
    out = []
    for n, r in enumerate(rows):
        h = hashlib.sha256(f"h60:{seed}:{n}:{r['report']}".encode()).hexdigest()[:16]
        out.append({"id": f"h60-{h}", "injected": r["injected"], "detail": r["detail"], "report": r["report"]})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=6101)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if not (shared / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or not (
            shared / "eval" / "report_errors_dev.jsonl").exists():
        print(f"shared data not found under {shared}; set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        return 2
    rows = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {kind} | {r['detail']}\n{r['report']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
