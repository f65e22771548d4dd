"""Held-out report-check set no. 45: speech-recognition dictation artefacts left in signed reports.

Written BLIND: without reading the checker (``medrag_core``), its tests, docs or any other
``bench/make_heldout*.py``.  Only the scorer's format, the IU archive and the dev set's ``uid``
field were read.

usage: python -m bench.make_heldout45 OUT.jsonl --seed S [--show N]

Writes 400 JSONL lines (200 clean, 40 for each of the five kinds), half composed from the phrase bank
below, half real IU (Open-i) reports re-laid-out as voice-recognition output.  Open-i's ``XXXX`` is
that collection's de-identification mask and is kept; composed reports never use it.  A MIMIC-like
``___`` mask may stand where a name, date or age would (``Dr. ___``, ``___-year-old``): not an error.

Styles (all as a voice-recognition engine leaves them when the radiologist signs without proofreading):
  * spoken punctuation and commands transcribed as words, partially applied ("period", "comma",
    "colon", "new paragraph", "next line", "open bracket ... close bracket", "number one");
  * self-corrections left in ("left, sorry, right-sided effusion", "no, scratch that", "correction:
    small"), repeated words ("the the"), mis-recognitions a radiologist still reads correctly
    ("plural effusion", "new Monia", "a telectasis", "left hyphen sided", "a pickle" for apical);
  * layouts: raw one-paragraph dictation with spoken headers, PowerScribe-like headed text with a
    voice-recognition disclaimer, exam/history/technique header blocks, spoken numbered impressions.

Labels follow what the radiologist plainly meant: a self-correction that ends on the side used in the
other section is NOT a laterality conflict, and a retracted sentence ("... no, scratch that") does not
count as affirmed.  Clean reports never contain a garbled correction whose meaning is unclear.
Injected errors are dictation slips: a side flipped or a correction ending on the wrong side, a normal
impression macro pasted over a finding, a dropped or truncated impression, an unfilled voice field.
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]
N_CLEAN, N_KIND = 200, 40

# --------------------------------------------------------------------------- shared data


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    return p


def load_dev_uids(shared: Path) -> set[str]:
    path = shared / "eval" / "report_errors_dev.jsonl"
    uids = set()
    if path.exists():
        with open(path) as fh:
            for line in fh:
                if line.strip():
                    uids.add(json.loads(line).get("uid"))
    return uids


def load_iu(shared: Path, exclude: set[str]) -> list[dict]:
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tar.extractfile(m).read())
            uid_el = root.find("uId")
            uid = uid_el.get("id") if uid_el is not None else None
            if not uid or uid in exclude:
                continue
            d = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            f, i = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if len(f) < 30 or len(i) < 5:
                continue
            i = re.sub(r"(\s*\.){2,}\s*$", ".", i).strip()
            out.append({"uid": uid, "findings": f, "impression": i,
                        "indication": d.get("INDICATION", ""), "comparison": d.get("COMPARISON", "")})
    return out


# --------------------------------------------------------------------------- phrase bank

SIDES = ("left", "right")
OPP = {"left": "right", "right": "left", "Left": "Right", "Right": "Left", "LEFT": "RIGHT", "RIGHT": "LEFT"}

# families: significant=True when the spec's list makes leaving it out of IMPRESSION an error
FAMILY_WORDS = {
    "effusion": r"effusion|fluid|blunting",
    "pneumothorax": r"pneumothora|mothorax|moe thorax",
    "consolidation": r"consolidat|airspace|air space|pneumonia|new monia|infiltrat|opacit",
    "nodule": r"nodul|mass",
    "edema": r"edema|oedema|a dema|congest|interstitial",
    "collapse": r"collapse|atelecta|telectasis|volume loss",
    "cardiomegaly": r"cardiomegaly|cardio megaly|heart|cardiac",
}

NORMAL_NEG = {
    "effusion": ["No pleural effusion.", "No pleural effusions.", "No effusion.",
                 "The costophrenic angles are sharp."],
    "pneumothorax": ["No pneumothorax.", "There is no pneumothorax."],
    "lungs": ["The lungs are clear.", "Lungs are clear bilaterally.", "No focal consolidation.",
              "No focal airspace disease."],
    "edema": ["No pulmonary edema.", "Pulmonary vasculature is normal."],
    "heart": ["Heart size is normal.", "The cardiomediastinal silhouette is within normal limits.",
              "Normal heart size and mediastinal contours."],
}
EXTRA_NORMAL = ["No acute osseous abnormality.", "Visualized osseous structures are intact.",
                "The trachea is midline.", "No free air under the diaphragm."]

NORMAL_IMPRESSIONS = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
                      "No acute disease.", "Negative chest.", "No acute findings.",
                      "No radiographic evidence of acute cardiopulmonary disease."]


def mk_finding(rng: random.Random, fam: str, significant: bool) -> dict:
    """One finding: text for FINDINGS and IMPRESSION, its side (or None), family, significance."""
    side = rng.choice(SIDES)
    if fam == "effusion":
        size = rng.choice(["moderate", "large", "moderate-sized"]) if significant else rng.choice(["small", "trace"])
        f = rng.choice([f"There is a {size} {side} pleural effusion.",
                        f"{size.capitalize()} {side}-sided pleural effusion.",
                        f"{size.capitalize()} {side} pleural effusion with blunting of the costophrenic angle."])
        i = rng.choice([f"{size.capitalize()} {side} pleural effusion.", f"{size.capitalize()} {side}-sided effusion."])
        return dict(fam=fam, side=side, size=size, f=f, i=i, sig=significant, region="effusion")
    if fam == "pneumothorax":
        size = rng.choice(["small", "moderate", "tiny"])
        f = rng.choice([f"There is a {size} {side} apical pneumothorax.",
                        f"{size.capitalize()} {side} pneumothorax with visible pleural line at the apex."])
        i = rng.choice([f"{size.capitalize()} {side} pneumothorax.",
                        f"{size.capitalize()} {side} apical pneumothorax."])
        return dict(fam=fam, side=side, size=size, f=f, i=i, sig=True, region="pneumothorax")
    if fam == "consolidation":
        lobe = rng.choice(["lower lobe", "upper lobe", "base"])
        where = f"{side} {lobe}"
        f = rng.choice([f"There is airspace consolidation in the {where}.",
                        f"Patchy consolidation in the {where} with air bronchograms.",
                        f"New airspace opacity at the {where}."])
        i = rng.choice([f"{side.capitalize()} {lobe} pneumonia.",
                        f"{side.capitalize()} {lobe} consolidation, likely pneumonia.",
                        f"{side.capitalize()} {lobe} airspace disease."])
        return dict(fam=fam, side=side, size=None, f=f, i=i, sig=True, region="lungs")
    if fam == "nodule":
        mm = rng.choice([8, 9, 11, 12, 14, 18]) if significant else rng.choice([3, 4])
        lobe = rng.choice(["upper lobe", "mid lung", "lower lobe"])
        f = rng.choice([f"There is a {mm} mm nodule in the {side} {lobe}.",
                        f"{mm} mm rounded nodular opacity projects over the {side} {lobe}."])
        i = rng.choice([f"{mm} mm {side} {lobe} nodule; CT chest recommended.",
                        f"{side.capitalize()} {lobe} pulmonary nodule measuring {mm} mm. Recommend CT."])
        return dict(fam=fam, side=side, size=f"{mm} mm", f=f, i=i, sig=significant, region="lungs")
    if fam == "edema":
        f = rng.choice(["There is interstitial edema with pulmonary vascular congestion.",
                        "Pulmonary vascular congestion with Kerley B lines and interstitial edema.",
                        "Perihilar haziness and vascular congestion consistent with pulmonary edema."])
        i = rng.choice(["Pulmonary edema.", "Interstitial pulmonary edema.",
                        "Congestive heart failure with interstitial edema."])
        return dict(fam=fam, side=None, size=None, f=f, i=i, sig=True, region="lungs")
    if fam == "collapse":
        lobe = rng.choice(["lower lobe", "upper lobe"])
        if significant:
            f = f"There is collapse of the {side} {lobe} with volume loss."
            i = rng.choice([f"{side.capitalize()} {lobe} collapse.", f"Collapse of the {side} {lobe}."])
        else:
            f = rng.choice([f"Mild linear atelectasis at the {side} base.", f"Minimal {side} basilar atelectasis."])
            i = rng.choice([f"Minimal {side} basilar atelectasis.", f"Mild {side} basilar atelectasis."])
        return dict(fam=fam, side=side, size=None, f=f, i=i, sig=significant, region="lungs")
    if fam == "cardiomegaly":
        f = rng.choice(["The heart is mildly enlarged.", "Mild cardiomegaly, stable.", "Borderline heart size."])
        i = rng.choice(["Mild cardiomegaly.", "Stable mild cardiomegaly.", "Borderline cardiomegaly."])
        return dict(fam=fam, side=None, size=None, f=f, i=i, sig=False, region="heart")
    if fam == "degenerative":
        f = rng.choice(["Degenerative changes of the thoracic spine.",
                        "Multilevel degenerative disc disease in the thoracic spine."])
        i = rng.choice(["Degenerative changes of the thoracic spine.", "Thoracic spondylosis."])
        return dict(fam=fam, side=None, size=None, f=f, i=i, sig=False, region="bones")
    if fam == "granuloma":
        f = f"Calcified granuloma in the {side} upper lobe."
        i = f"Calcified {side} upper lobe granuloma, old granulomatous disease."
        return dict(fam=fam, side=side, size=None, f=f, i=i, sig=False, region="lungs")
    raise ValueError(fam)


SIG_FAMS = ["effusion", "pneumothorax", "consolidation", "nodule", "edema", "collapse"]
MINOR_FAMS = ["effusion", "nodule", "collapse", "cardiomegaly", "degenerative", "granuloma"]


def negatives_for(rng: random.Random, findings: list[dict]) -> list[str]:
    fams = {f["fam"] for f in findings}
    regions = {f["region"] for f in findings}
    out = []
    if "heart" not in regions:
        out.append(rng.choice(NORMAL_NEG["heart"]))
    if "lungs" not in regions:
        out.append(rng.choice(NORMAL_NEG["lungs"]))
    if "edema" not in fams and rng.random() < 0.5:
        out.append(rng.choice(NORMAL_NEG["edema"]))
    if "effusion" not in fams and "pneumothorax" not in fams and rng.random() < 0.5:
        out.append(rng.choice(["No pleural effusion or pneumothorax.", "No effusion or pneumothorax."]))
    else:
        if "effusion" not in fams:
            out.append(rng.choice(NORMAL_NEG["effusion"]))
        if "pneumothorax" not in fams:
            out.append(rng.choice(NORMAL_NEG["pneumothorax"]))
    if rng.random() < 0.4:
        out.append(rng.choice(EXTRA_NORMAL))
    return out


# --------------------------------------------------------------------------- dictation artefacts

HOMOPHONES = [
    (r"\bpleural\b", "plural"), (r"\bpneumonia\b", "new Monia"), (r"\batelectasis\b", "a telectasis"),
    (r"\b(left|right)-sided\b", r"\1 hyphen sided"), (r"\bapical\b", "a pickle"),
    (r"\bcardiomegaly\b", "cardio megaly"), (r"\bcostophrenic\b", "costal frenic"),
    (r"\bmediastinal\b", "media steinal"), (r"\bbibasilar\b", "by basilar"),
    (r"\bpneumothorax\b", "new Moe thorax"), (r"\bperihilar\b", "pair a hilar"),
    (r"\bsilhouette\b", "sill wet"), (r"\bedema\b", "a Dema"), (r"\bemphysema\b", "in physema"),
    (r"\bgranuloma\b", "granular MA"), (r"\bhemidiaphragm\b", "hemi diaphragm"),
]
REPEATABLE = ["the", "is", "of", "and", "are", "with", "no", "in"]


def artefacts(text: str, rng: random.Random, level: float) -> tuple[str, list[str]]:
    """Apply meaning-preserving mis-recognitions to a section text."""
    notes = []
    for pat, rep in HOMOPHONES:
        if re.search(pat, text, flags=re.I) and rng.random() < level:
            text = re.sub(pat, rep, text, count=1, flags=re.I)
            notes.append(rep)
    if rng.random() < level:
        words = text.split(" ")
        cands = [k for k, w in enumerate(words) if w.lower() in REPEATABLE]
        if cands:
            k = rng.choice(cands)
            words.insert(k, words[k])
            text = " ".join(words)
            notes.append("repeat")
    return text, notes


def spoken_punct(text: str, rng: random.Random, p: float) -> str:
    """Turn some sentence stops and commas into the spoken word, as a partly applied command."""
    def stop(m):
        if rng.random() < p:
            return rng.choice([" period ", " period. ", " full stop "]) if m.group(1) else " period"
        return "." + (m.group(1) or "")

    text = re.sub(r"\.( |$)", stop, text)

    def comma(m):
        return " comma " if rng.random() < p else ", "

    text = re.sub(r", ", comma, text)
    return re.sub(r"\s+", " ", text).strip()


def self_correct_side(sentence: str, rng: random.Random, wrong_end: bool = False) -> str | None:
    """'left pleural effusion' -> 'right, sorry, left pleural effusion' (ends on the true side).

    With wrong_end=True it ends on the opposite side (a correction made the wrong way)."""
    m = re.search(r"\b(left|right)\b", sentence, flags=re.I)
    if not m:
        return None
    true = m.group(1)
    first, last = (OPP.get(true, true), true) if not wrong_end else (true, OPP.get(true, true))
    joiner = rng.choice([", sorry, ", ", correction, ", " no ", ", I mean ", " scratch that "])
    if joiner == " no ":
        joiner = ", no, "
    return sentence[:m.start()] + first + joiner + last.lower() + sentence[m.end():]


def flip_side(sentence: str, side: str) -> str:
    other = OPP[side]
    return re.sub(rf"\b{side}\b", other, re.sub(rf"\b{side.capitalize()}\b", other.capitalize(), sentence))


def self_correct_size(sentence: str, rng: random.Random) -> str | None:
    m = re.search(r"\b(small|trace|tiny)\b", sentence, flags=re.I)
    if not m:
        return None
    wrong = rng.choice(["moderate", "large"])
    if m.group(1)[0].isupper():
        wrong = wrong.capitalize()
    return sentence[:m.start()] + wrong + rng.choice([", correction: ", ", correction ", ", sorry, "]) + \
        m.group(1).lower() + sentence[m.end():]


# --------------------------------------------------------------------------- layouts

HISTORIES = ["cough and fever", "shortness of breath", "chest pain", "pre-operative", "fall", "hypoxia",
             "follow-up pneumonia", "weakness", "fever, rule out pneumonia", "productive cough for 1 week"]
SIGNERS = ["J. Okafor, MD", "A. Lindqvist, MD", "R. Patel, DO", "M. Castellanos, MD", "S. Brennan, MD"]
DISCLAIMERS = ["This report was generated using voice recognition software. Unintentional transcription "
               "errors may occur.", "Dictated using speech recognition; not proofread.",
               "Electronically signed. Voice recognition was used; homophones may occur.",
               "Dictated but not read."]


def split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.;])\s+(?=[A-Z0-9])", text.strip())
    return [p.strip() for p in parts if p.strip()]


def render(rng: random.Random, findings_sents: list[str], imp_sents: list[str], meta: dict,
           layout: str, drop_imp: bool = False, empty_imp: bool = False, empty_find: bool = False,
           level: float = 0.35) -> tuple[str, str, str]:
    """Lay out a report.  Returns (report, findings_text, impression_text) after artefacts."""
    ftxt = " ".join(findings_sents)
    itxt = " ".join(imp_sents)
    ftxt, _ = artefacts(ftxt, rng, level)
    itxt, _ = artefacts(itxt, rng, level * 0.7)
    if layout == "numbered" and len(imp_sents) > 1:
        words = ["one", "two", "three", "four"]
        itxt = " ".join(f"number {words[k]} {s}" if rng.random() < 0.6 else f"{k + 1}. {s}"
                        for k, s in enumerate(imp_sents[:4]))
    p = {"raw": 0.6, "powerscribe": 0.25, "exam": 0.3, "numbered": 0.35}[layout]
    ftxt = spoken_punct(ftxt, rng, p)
    itxt = spoken_punct(itxt, rng, p)
    if empty_find:
        ftxt = ""
    if empty_imp:
        itxt = ""
    hist = meta.get("history") or rng.choice(HISTORIES)
    comp = meta.get("comparison") or rng.choice(["None.", "None available.", "Prior study from ___."])
    lines = []
    if layout == "raw":
        head = rng.choice(["Chest 2 views period", "Exam colon chest PA and lateral period",
                           "PA and lateral chest next line", "Single view chest open bracket portable close bracket"])
        sep = rng.choice([" new paragraph ", " next line ", "\n\n", " new paragraph\n"])
        fh = rng.choice(["Findings colon ", "Findings: ", "findings colon "])
        ih = rng.choice(["Impression colon ", "Impression: ", "impression colon "])
        body = head + sep + f"Clinical history colon {hist.rstrip('. ')} period" + sep + fh + ftxt
        if not drop_imp:
            body += sep + ih + itxt
        else:
            body += rng.choice(["", sep + "End of dictation.", " end of dictation", sep + "Thank you."])
        lines.append(body.strip())
    else:
        if layout == "exam":
            exam, tech = rng.choice([
                ("EXAMINATION: CHEST 2 VIEWS (PA AND LATERAL)", "TECHNIQUE: Frontal and lateral views of the chest."),
                ("EXAM: XR CHEST PA AND LATERAL open bracket 2 views close bracket",
                 "TECHNIQUE colon PA and lateral views period"),
                ("EXAM: Portable AP chest", "TECHNIQUE colon single portable AP view comma semi-upright period")])
            lines.append(exam)
            lines.append(rng.choice(["CLINICAL HISTORY: ", "HISTORY colon ", "INDICATION: "]) + hist)
            lines.append(tech)
            lines.append("COMPARISON: " + comp)
        else:
            lines.append("INDICATION: " + hist)
            if rng.random() < 0.6:
                lines.append("COMPARISON: " + comp)
        lines.append("")
        lines.append(rng.choice(["FINDINGS:", "FINDINGS: next line", "Findings:"]) +
                     ("" if not ftxt else rng.choice([" ", "\n"]) + ftxt))
        if not drop_imp:
            lines.append("")
            lines.append(rng.choice(["IMPRESSION:", "IMPRESSION colon", "Impression:"]) +
                         ("" if not itxt else rng.choice([" ", "\n"]) + itxt))
        lines.append("")
        if rng.random() < 0.7:
            lines.append(rng.choice(DISCLAIMERS))
        lines.append(rng.choice(["Signed: ", "Electronically signed by ", "Dictated by: "]) + rng.choice(SIGNERS))
    rep = "\n".join(lines).strip()
    rep = re.sub(r"[ \t]+", " ", rep)
    return rep, ftxt, itxt


LAYOUTS = ["raw", "powerscribe", "exam", "numbered"]

# --------------------------------------------------------------------------- checks


def fam_re(fam: str) -> re.Pattern:
    return re.compile(FAMILY_WORDS[fam], re.I)


SIDE_RE = re.compile(r"\b(left|right)\b", re.I)
PLACEHOLDER_RE = re.compile(r"\[\*\*\*\]|\[LEFT/RIGHT\]|\[[a-z]+/[a-z]+(/[a-z]+)?\]|<[a-z ]+>|\bXX\b|___ ?(cm|mm)|"
                            r"\[ \]|\bblank\b|\*\*\*", re.I)


def no_placeholder(text: str) -> bool:
    return not PLACEHOLDER_RE.search(text.replace("XXXX", ""))


# --------------------------------------------------------------------------- composed cases


def composed_case(rng: random.Random, kind: str | None) -> dict | None:
    layout = rng.choice(LAYOUTS)
    meta = {}
    if rng.random() < 0.15:
        meta["history"] = rng.choice(["___-year-old male with cough", "___ with fever and hypoxia",
                                      "post-op day ___, shortness of breath"]).replace(
            "post-op day ___", "recent surgery on ___")
    detail = ""
    corrected = False
    # pick findings
    if kind in (None, "missing_section", "placeholder"):
        n = rng.choice([0, 0, 1, 1, 2])
        fams = rng.sample(SIG_FAMS + MINOR_FAMS, n)
    elif kind == "laterality_conflict":
        fams = [rng.choice(["effusion", "pneumothorax", "consolidation", "nodule", "collapse", "granuloma"])]
        if rng.random() < 0.4:
            fams.append(rng.choice(["cardiomegaly", "degenerative"]))
    elif kind == "negation_conflict":
        fams = [rng.choice(["effusion", "pneumothorax", "consolidation", "edema", "cardiomegaly"])]
    else:  # omission
        fams = [rng.choice(SIG_FAMS)]
        if rng.random() < 0.5:
            fams.append(rng.choice(["cardiomegaly", "degenerative", "granuloma"]))
    fams = list(dict.fromkeys(fams))
    findings = []
    for k, fam in enumerate(fams):
        sig = True if (kind in ("impression_omits_finding",) and k == 0) else rng.random() < 0.6
        if kind == "laterality_conflict" and k == 0 and fam == "collapse":
            sig = rng.random() < 0.5
        findings.append(mk_finding(rng, fam, sig))
    # avoid two findings with the same side-word in one family region clash
    negs = negatives_for(rng, findings)
    fsents = [f["f"] for f in findings]
    rng.shuffle(negs)
    fsents = fsents + negs if rng.random() < 0.5 else negs[:1] + fsents + negs[1:]
    if findings:
        isents = [f["i"] for f in findings if f["sig"] or rng.random() < 0.7]
        if not isents:
            isents = [findings[0]["i"]]
        if all(not f["sig"] for f in findings) and rng.random() < 0.5:
            isents.append(rng.choice(["No acute cardiopulmonary process.", "Otherwise no acute abnormality."]))
    else:
        isents = [rng.choice(NORMAL_IMPRESSIONS)]
    drop_imp = empty_imp = empty_find = False

    # clean-only style: self-corrections that end correctly / retracted sentence
    if kind in (None, "placeholder", "missing_section") and rng.random() < 0.45:
        sided = [k for k, s in enumerate(fsents) if SIDE_RE.search(s)]
        sized = [k for k, s in enumerate(fsents) if re.search(r"\b(small|trace|tiny)\b", s, re.I)]
        r = rng.random()
        if sided and r < 0.5:
            k = rng.choice(sided)
            fsents[k] = self_correct_side(fsents[k], rng)
            corrected = True
        elif sized and r < 0.8:
            k = rng.choice(sized)
            fsents[k] = self_correct_size(fsents[k], rng)
            corrected = True
        elif not any(f["region"] == "heart" for f in findings):
            k = next((j for j, s in enumerate(fsents) if re.search(r"heart|cardiomediastinal", s, re.I)), None)
            if k is not None:
                fsents[k] = rng.choice(["There is mild cardiomegaly.", "The heart is enlarged."]) + \
                    rng.choice([" No, scratch that. ", " Scratch that. ", " Delete that. "]) + fsents[k]
                corrected = True

    if kind == "missing_section":
        r = rng.random()
        if r < 0.45:
            drop_imp = True
            detail = "IMPRESSION never dictated: report ends after FINDINGS"
        elif r < 0.8:
            empty_imp = True
            detail = "IMPRESSION header dictated with nothing after it"
        else:
            empty_find = True
            detail = "FINDINGS header left empty (findings dictated into the wrong field)"
    elif kind == "laterality_conflict":
        f0 = findings[0]
        side, other = f0["side"], OPP[f0["side"]]
        k_i = isents.index(f0["i"]) if f0["i"] in isents else None
        if k_i is None:
            isents.insert(0, f0["i"])
            k_i = 0
        r = rng.random()
        if r < 0.4:
            isents[k_i] = flip_side(isents[k_i], side)
            detail = f"{f0['fam']} {side} in FINDINGS, flipped to {other} in IMPRESSION"
        elif r < 0.7:
            k_f = fsents.index(f0["f"])
            fsents[k_f] = self_correct_side(f0["f"], rng, wrong_end=True)
            detail = f"FINDINGS self-correction ends on {other} for the {f0['fam']} the IMPRESSION puts on the {side}"
        else:
            k_f = fsents.index(f0["f"])
            fsents[k_f] = flip_side(f0["f"], side)
            detail = f"{f0['fam']} dictated {other} in FINDINGS, {side} in IMPRESSION"
    elif kind == "negation_conflict":
        f0 = findings[0]
        fam = f0["fam"]
        neg_i = {"effusion": ["No pleural effusion.", "No effusion or pneumothorax."],
                 "pneumothorax": ["No pneumothorax.", "No evidence of pneumothorax."],
                 "consolidation": ["Lungs are clear.", "No focal consolidation or pneumonia."],
                 "edema": ["No pulmonary edema.", "No evidence of congestive failure."],
                 "cardiomegaly": ["Heart size is normal.", "Normal heart size."]}[fam]
        if fam == "cardiomegaly":
            old = f0["f"]
            f0["f"] = rng.choice(["The heart is enlarged.", "Moderate cardiomegaly.",
                                  "The cardiac silhouette is enlarged."])
            fsents = [f0["f"] if s == old else s for s in fsents]
        if rng.random() < 0.5:
            isents = [rng.choice(["No acute cardiopulmonary process.", "No acute disease."]), rng.choice(neg_i)]
            detail = f"normal impression macro with '{isents[1]}' pasted beside FINDINGS that affirm {fam}"
        else:
            # the opposite direction: impression affirms what findings deny
            if fam == "cardiomegaly":
                isents = [rng.choice(neg_i)]
                detail = f"IMPRESSION '{isents[0]}' but FINDINGS say the heart is enlarged"
            else:
                # findings deny it instead; impression keeps affirming
                neg_f = {"effusion": "No pleural effusion.", "pneumothorax": "No pneumothorax.",
                         "consolidation": "The lungs are clear.", "edema": "No pulmonary edema."}[fam]
                fsents = [neg_f if s == f0["f"] else s for s in fsents]
                fsents = list(dict.fromkeys(fsents))
                if f0["i"] not in isents:
                    isents.insert(0, f0["i"])
                detail = f"FINDINGS '{neg_f}' but IMPRESSION affirms {fam}: '{f0['i']}'"
    elif kind == "impression_omits_finding":
        f0 = findings[0]
        others = [f for f in findings[1:]]
        if rng.random() < 0.5:
            if not others:
                others = [mk_finding(rng, "degenerative", False)]
                fsents.insert(rng.randrange(len(fsents) + 1), others[0]["f"])
            isents = [f["i"] for f in others]
            detail = f"IMPRESSION lists only the other finding(s), leaves out {f0['fam']}: '{f0['f']}'"
        else:
            isents = [rng.choice(["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
                                  "No acute disease.", "Stable chest."])]
            detail = f"normal impression macro beside FINDINGS '{f0['f']}'"
        if f0["fam"] == "nodule" and "upper lobe" not in " ".join(isents):
            pass
    elif kind == "placeholder":
        opts = []
        for k, s in enumerate(fsents):
            if re.search(r"\b\d+ mm\b", s):
                opts.append((k, "mm"))
            if SIDE_RE.search(s) and not re.search(r"sorry|correction|scratch|I mean|, no,", s):
                opts.append((k, "side"))
            if re.search(r"\b(moderate|large|small|mild|moderate-sized)\b", s, re.I) and "correction" not in s:
                opts.append((k, "grade"))
            if re.search(r"\b(normal|clear)\b", s) and not re.search(r"scratch|Delete", s):
                opts.append((k, "word"))
        if not opts:
            return None
        k, what = rng.choice(opts)
        s = fsents[k]
        if what == "mm":
            ph = rng.choice(["___ mm", "XX mm", "[***] mm"])
            s = re.sub(r"\b\d+ mm\b", ph, s, count=1)
        elif what == "side":
            ph = rng.choice(["[LEFT/RIGHT]", "[***]", "<side>", "[left/right]"])
            m = SIDE_RE.search(s)
            s = s[:m.start()] + ph + s[m.end():]
        elif what == "grade":
            ph = rng.choice(["[small/moderate/large]", "[***]", "<grade>", "[mild/moderate/severe]"])
            s = re.sub(r"\b(moderate-sized|moderate|large|small|mild)\b", ph, s, count=1, flags=re.I)
        else:
            ph = rng.choice(["[normal/enlarged]", "[***]", "<insert>", "[ ]"])
            s = re.sub(r"\b(normal|clear)\b", ph, s, count=1)
        fsents[k] = s
        detail = f"unfilled voice-template field '{ph}' in FINDINGS: '{s}'"

    rep, ftxt, itxt = render(rng, fsents, isents, meta, layout, drop_imp, empty_imp, empty_find)
    if kind == "placeholder" and ph not in rep:
        return None
    return dict(report=rep, detail=detail or ("composed" + (", self-correction ends consistent" if corrected else "")),
                ftxt=ftxt, itxt=itxt, findings=findings, origin="composed", layout=layout,
                drop_imp=drop_imp, empty_imp=empty_imp, empty_find=empty_find)


# --------------------------------------------------------------------------- IU cases

IU_NORMAL_IMP = re.compile(r"^(1\. )?(no acute|no active|negative|normal chest|no evidence of (active|acute))"
                           r"[^;]*\.?$", re.I)
NEGATION_WORDS = re.compile(r"\b(no|not|without|clear|normal|negative|unremarkable|resolved|free)\b", re.I)
SIG_IN_TEXT = re.compile(r"pneumothora|consolidat|airspace|air space|pneumonia|infiltrat|edema|congest|effusion|"
                         r"nodul|mass|collapse|widen|new|increas|opaci|atelecta", re.I)

IU_ADD = {
    "effusion": (r"effusion|costophrenic|fluid|blunt|pleural space", ["There is a moderate {s} pleural effusion.",
                                                        "Large {s} pleural effusion."]),
    "pneumothorax": (r"pneumothora|pleural space", ["There is a small {s} apical pneumothorax.",
                                      "A {s} pneumothorax is present, about 2 cm at the apex."]),
    "consolidation": (r"consolidat|airspace|air space|clear|pneumonia|infiltrat|opacit",
                      ["There is consolidation in the {s} lower lobe.", "New airspace disease at the {s} base."]),
    "edema": (r"edema|vascula|congest|interstitial",
              ["There is interstitial pulmonary edema with vascular congestion."]),
}


def iu_layout(rng, rec, fsents, isents, **kw):
    meta = {"history": rec["indication"] or None, "comparison": rec["comparison"] or None}
    return render(rng, fsents, isents, meta, rng.choice(LAYOUTS), **kw)


def iu_case(rng: random.Random, rec: dict, kind: str | None, want_list: bool = False) -> dict | None:
    ftext, itext = rec["findings"], rec["impression"]
    fsents, isents = split_sentences(ftext), split_sentences(itext)
    if not fsents or not isents:
        return None
    kw = {}
    detail = f"IU {rec['uid']}"
    if kind is None:
        if re.search(r"further review|addendum|discrepan", ftext + " " + itext, re.I):
            return None
        if PLACEHOLDER_RE.search(ftext.replace("XXXX", "") + " " + itext.replace("XXXX", "")):
            return None
        # a self-correction that ends on the original side
        if rng.random() < 0.35:
            sided = [k for k, s in enumerate(fsents) if SIDE_RE.search(s)]
            if sided:
                k = rng.choice(sided)
                fsents[k] = self_correct_side(fsents[k], rng)
                detail += ", self-correction ends on the original side"
    elif kind == "missing_section":
        r = rng.random()
        if r < 0.4:
            kw["drop_imp"] = True
            detail += ": IMPRESSION not dictated"
        elif r < 0.8:
            kw["empty_imp"] = True
            detail += ": IMPRESSION header empty"
        else:
            kw["empty_find"] = True
            detail += ": FINDINGS header empty"
    elif kind == "laterality_conflict":
        sides_all = {m.lower() for m in SIDE_RE.findall(ftext + " " + itext)}
        if len(sides_all) != 1:
            return None
        side = sides_all.pop()
        ki = [k for k, s in enumerate(isents) if SIDE_RE.search(s)]
        if len(ki) != 1:
            return None
        k = ki[0]
        shared = [fam for fam, pat in FAMILY_WORDS.items() if re.search(pat, isents[k], re.I) and
                  any(re.search(pat, s, re.I) and SIDE_RE.search(s) for s in fsents)]
        extra = re.search(r"granulom|nodul|calcif|atelecta|effusion|opacit|pneumothora|consolidat|airspace|"
                          r"infiltrat|pneumonia|scar", isents[k], re.I)
        if not shared and not extra:
            return None
        if not extra:
            return None
        if not any(SIDE_RE.search(s) and re.search(re.escape(extra.group(0)), s, re.I) for s in fsents):
            return None
        isents[k] = SIDE_RE.sub(lambda m: OPP[m.group(1)], isents[k])
        detail += f": side of '{extra.group(0)}' flipped {side}->{OPP[side]} in IMPRESSION: '{isents[k]}'"
    elif kind == "negation_conflict":
        if not IU_NORMAL_IMP.match(itext) or SIG_IN_TEXT.search(itext):
            return None
        opts = [fam for fam in ("effusion", "pneumothorax", "consolidation")
                if any(re.search(r"\bno\b", s, re.I) and re.search(IU_ADD[fam][0], s, re.I) for s in fsents)]
        if not opts:
            return None
        fam = rng.choice(opts)
        s = rng.choice(SIDES)
        add = {"effusion": f"Small {s} plural effusion.", "pneumothorax": f"Small {s} apical pneumothorax.",
               "consolidation": f"{s.capitalize()} lower lobe new Monia."}[fam]
        isents = isents + [add]
        neg = next(x for x in fsents if re.search(r"\bno\b", x, re.I) and re.search(IU_ADD[fam][0], x, re.I))
        detail += f": IMPRESSION affirms '{add}' while FINDINGS say '{neg}'"
    elif kind == "impression_omits_finding":
        normal = bool(IU_NORMAL_IMP.match(itext)) and not SIG_IN_TEXT.search(itext)
        listing = not NEGATION_WORDS.search(itext) and not SIG_IN_TEXT.search(itext) and len(itext) < 160
        if want_list:
            normal = False
        else:
            listing = False
        if not (normal or listing):
            return None
        if listing and re.search(r"heart|cardi|lung|pulmonary|chest|mediastin", itext, re.I) and \
                not re.search(r"cardiomegaly|degenerat|spondyl|granulom|calcif|scoliosis|osteo|fracture|"
                              r"emphysema|copd|hyperinfla|surgical|sternotomy|catheter|pacemaker|aort|"
                              r"tortu|scar|hernia|chronic", itext, re.I):
            return None
        fam = rng.choice(list(IU_ADD))
        pat, templates = IU_ADD[fam]
        if re.search(FAMILY_WORDS[fam], itext, re.I):
            return None
        side = rng.choice(SIDES)
        add = rng.choice(templates).format(s=side)
        # drop sentences of FINDINGS that deny this family (or call the lungs clear)
        kill = re.compile(pat + ("|clear|pneumonia" if fam in ("consolidation", "edema") else ""), re.I)
        kept = [x for x in fsents if not kill.search(x)]
        if fam == "effusion":
            kept = [x for x in kept if not re.search(r"effusion", x, re.I)]
        pos = rng.randrange(len(kept) + 1)
        fsents = kept[:pos] + [add] + kept[pos:]
        detail += f": FINDINGS now affirm '{add}', IMPRESSION ({'normal' if normal else 'other findings'}) omits it"
    elif kind == "placeholder":
        if PLACEHOLDER_RE.search(ftext.replace("XXXX", "") + " " + itext.replace("XXXX", "")):
            return None
        opts = []
        for k, s in enumerate(fsents):
            if re.search(r"\b\d+(\.\d+)? ?(cm|mm)\b", s):
                opts.append((k, "num"))
            if SIDE_RE.search(s):
                opts.append((k, "side"))
            if re.search(r"\b(mild|moderate|small|large|minimal)\b", s, re.I):
                opts.append((k, "grade"))
            if re.search(r"\b(normal|clear)\b", s):
                opts.append((k, "word"))
        if not opts:
            return None
        k, what = rng.choice(opts)
        s = fsents[k]
        if what == "num":
            ph = rng.choice(["___", "XX", "[***]"])
            s = re.sub(r"\b\d+(\.\d+)?(?= ?(cm|mm)\b)", ph, s, count=1)
        elif what == "side":
            ph = rng.choice(["[LEFT/RIGHT]", "[***]", "<side>"])
            s = SIDE_RE.sub(ph, s, count=1)
        elif what == "grade":
            ph = rng.choice(["[mild/moderate/severe]", "[***]", "<grade>"])
            s = re.sub(r"\b(mild|moderate|small|large|minimal)\b", ph, s, count=1, flags=re.I)
        else:
            ph = rng.choice(["[***]", "<insert>", "[normal/abnormal]", "[ ]"])
            s = re.sub(r"\b(normal|clear)\b", ph, s, count=1)
        fsents[k] = s
        detail += f": unfilled field '{ph}' in FINDINGS: '{s}'"
    rep, ftxt, itxt = iu_layout(rng, rec, fsents, isents, **kw)
    return dict(report=rep, detail=detail, ftxt=ftxt, itxt=itxt, origin="iu", uid=rec["uid"],
                drop_imp=kw.get("drop_imp", False), empty_imp=kw.get("empty_imp", False),
                empty_find=kw.get("empty_find", False))


# --------------------------------------------------------------------------- verification


def verify(kind: str | None, c: dict) -> bool:
    rep, ftxt, itxt = c["report"], c["ftxt"], c["itxt"]
    body = rep.replace("XXXX", "")
    if kind != "placeholder" and PLACEHOLDER_RE.search(body):
        return False
    if kind is None or kind in ("laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"):
        if c["drop_imp"] or c["empty_imp"] or c["empty_find"] or not ftxt.strip() or not itxt.strip():
            return False
        if ftxt not in rep or itxt not in rep:
            return False
    if kind is None and c.get("origin") == "composed":
        for f in c["findings"]:
            if f["sig"] and not re.search(FAMILY_WORDS[f["fam"]], itxt, re.I):
                return False
    if kind == "missing_section":
        if c["drop_imp"]:
            return not re.search(r"impression", rep, re.I)
        if c["empty_imp"]:
            return bool(re.search(r"impression(:| colon)\s*(\n|$)", rep, re.I))
        if c["empty_find"]:
            return bool(re.search(r"findings(:| colon)( next line)?\s*\n", rep, re.I))
        return False
    if kind == "laterality_conflict":
        meant = re.sub(r"\b(left|right)\b,? (sorry|correction|I mean|no|scratch that),? ", "", ftxt, flags=re.I)
        fs = {m.lower() for m in SIDE_RE.findall(meant)}
        is_ = {m.lower() for m in SIDE_RE.findall(itxt)}
        return bool(fs) and bool(is_) and fs != is_
    if kind == "negation_conflict":
        return bool(re.search(r"\bno\b|clear|normal", ftxt + " " + itxt, re.I))
    if kind == "impression_omits_finding":
        if c.get("origin") == "composed":
            f0 = c["findings"][0]
            return f0["sig"] and not re.search(FAMILY_WORDS[f0["fam"]], itxt, re.I) and \
                not re.search(r"lungs? (are )?clear|no (pleural )?effusion|no pneumothorax", itxt, re.I)
        return not re.search(r"effusion|pneumothora|mothorax|consolidat|airspace|air space|pneumonia|monia|edema|dema|"
                             r"congest|clear", itxt, re.I)
    if kind == "placeholder":
        return bool(PLACEHOLDER_RE.search(body))
    return True


# --------------------------------------------------------------------------- build


def build(seed: int, shared: Path) -> list[dict]:
    rng = random.Random(seed * 7919 + 45)
    dev = load_dev_uids(shared)
    iu = load_iu(shared, dev)
    rng.shuffle(iu)
    used: set[str] = set()
    rows = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        half = n // 2
        got = 0
        tries = 0
        while got < half:
            tries += 1
            if tries > 5000:
                raise RuntimeError(f"cannot compose {kind}")
            c = composed_case(rng, kind)
            if c and verify(kind, c):
                rows.append((kind, c))
                got += 1
        got = 0
        for rec in iu:
            if got >= n - half:
                break
            if rec["uid"] in used:
                continue
            c = iu_case(rng, rec, kind, want_list=got % 2 == 0)
            if c and verify(kind, c):
                used.add(rec["uid"])
                rows.append((kind, c))
                got += 1
        if got < n - half:
            raise RuntimeError(f"not enough IU reports for {kind}")
    out = []
    for k, (kind, c) in enumerate(rows):
        h = hashlib.sha256(f"h45|{seed}|{k}|{c['report']}".encode()).hexdigest()[:16]
        out.append({"id": f"h45-{h}", "injected": kind, "detail": c["detail"], "report": c["report"],
                    "_uid": c.get("uid")})
    rng.shuffle(out)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=4601)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if not (shared / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        print(f"shared data not found at {shared}: set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        return 2
    rows = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in ("id", "injected", "detail", "report")}) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == kind][:a.show]:
                print(f"===== {kind} | {r['detail']}\n{r['report']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
