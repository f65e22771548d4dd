"""Held-out report-error set 158: chest films from mental health trusts and psychiatric hospitals.

Setting: physical-health chest radiographs of psychiatric inpatients in the UK, Ireland and the US
(admission and pre-ECT films, clozapine-associated pneumonia / myocarditis screens, aspiration
pneumonia, swallowed or inserted foreign bodies, NG tube checks on eating-disorder units, smokers'
COPD, self-harm injuries), often read by visiting general radiologists or teleradiology.

usage: python -m bench.make_heldout158 OUT.jsonl --seed S [--show N]

400 rows: 200 clean, 40 of each of the five kinds in ../shared/eval/README.md. Half of every group
is composed from the phrase bank below, half are real IU reports (never a dev-set uid, each used at
most once per set) re-laid out in one of this setting's templates and lightly re-worded.
Written blind: without reading the checker.
"""

import argparse
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# ----------------------------------------------------------------------------------------------
# IU archive
# ----------------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def load_iu(shared: str) -> tuple:
    """All IU reports as (uid, indication, comparison, findings, impression), sorted by uid number."""
    base = Path(shared)
    dev = []
    with open(base / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                dev.append(json.loads(line)["uid"])
    dev_uids = frozenset(dev)
    out = []
    with tarfile.open(base / "data" / "iu_reports" / "NLMCXR_reports.tgz", "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            root = ET.parse(tar.extractfile(member)).getroot()
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            uid = uid_el.get("id")
            if uid in dev_uids:
                continue
            sec = {}
            for el in root.iter("AbstractText"):
                sec[el.get("Label")] = " ".join((el.text or "").split())
            out.append((uid, sec.get("INDICATION", ""), sec.get("COMPARISON", ""),
                        sec.get("FINDINGS", ""), sec.get("IMPRESSION", "")))
    out.sort(key=lambda r: int(re.sub(r"\D", "", r[0]) or 0))
    return tuple(out), dev_uids


def split_sentences(text: str) -> list:
    text = re.sub(r"(?:(?<=\s)|^)\d{1,2}\.\s+(?=[A-Z])", " ", text)  # drop "1. " numbering
    text = re.sub(r"\s*\.(\s*\.)+", ".", text)
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text.strip())
    out = []
    for p in parts:
        p = p.strip().strip(",; ")
        if not p or not re.search(r"[A-Za-z]", p):
            continue
        if not p.endswith((".", "!", "?")):
            p += "."
        out.append(p[0].upper() + p[1:])
    return out


NEG_CUE = re.compile(r"\b(no|not|without|negative for|free of|clear of|resolved|resolution|absence of|none|nor)\b")
CONTRAST = re.compile(r"\b(but|however|except|although|though|otherwise|apart from|aside from|whereas|yet)\b")
HEDGE = re.compile(r"\b(small|mild|mildly|minimal|trace|tiny|subtle|slight|slightly|possible|possibly|may|might|"
                   r"question|questionable|suspect|suspected|suspicious|likely|probable|probably|cannot|versus|vs|"
                   r"concern|concerning|borderline|equivocal|early|developing)\b|\?")
BENIGN = re.compile(r"degenerat|spondyl|osteophyt|tortuous|atheroscl|atherom|aortic calcif|calcified granulom|"
                    r"granulom|kyphos|scolios|low lung volume|costochondral")
ABN = re.compile(r"opacit|densit|infiltrat|consolid|airspace|air space|effusion|pleural fluid|pneumothora|edema|"
                 r"oedema|congest|cardiomegal|enlarg|prominen|widen|\bmass|nodul|lesion|atelecta|scar|fibros|"
                 r"emphysem|hyperexpan|hyperinfla|overinfla|flatten|copd|interstitial|marking|thicken|blunt|"
                 r"elevat|pneumon|fractur|deformit|collapse|hernia|tube|catheter|\bline\b|pacemaker|wire|clip|"
                 r"\bport\b|stent|surgical|postoperative|post-operative|sternotomy|device|foreign|increas|decreas|"
                 r"\bnew\b|chang|chronic|\bold\b|prior|previous|again|bronch|cyst|cavit|abnormal|disease|"
                 r"process|finding|calcif|granulom|degenerat|spondyl|osteophyt|tortuous|atheroscl|kyphos|"
                 r"scolios|volume|hilar|hila|lymph|adenopath|aneurysm|dilat|shift|deviat|air\b|gas\b|free|"
                 r"resect|lobectomy|mastectomy|healed|displac|lucen|bulla|bleb|shadow|haz|streak|linear|"
                 r"patchy|focal|\bloss|silhouett|obscur|irregular|heterogen|reticul|nodular|\blead|pacing|pacer|valve|"
                 r"prosthe|hardware|orthop|fixation|plate|screw|density|mediport")
NORMAL_WORD = re.compile(r"\b(normal|clear|unremarkable|intact|midline|within normal limits|no acute|negative|"
                         r"stable|grossly normal|well expanded|expanded|central|sharp|unchanged)\b")


def _term_negated(sent: str, start: int) -> bool:
    return bool(NEG_CUE.search(sent[:start]))


def sentence_is_normal(sent: str) -> bool:
    """A sentence that affirms nothing abnormal (negations, normal statements, benign wear and tear)."""
    s = sent.lower()
    if CONTRAST.search(s) or "[" in s or "*" in s:
        return False
    benign = bool(BENIGN.search(s))
    if HEDGE.search(s) and not benign:
        return False
    for m in ABN.finditer(s):
        if BENIGN.search(s[max(0, m.start() - 12):m.end() + 14]) and not re.search(
                r"opacit|consolid|effusion|pneumothora|nodul|mass|fractur|cardiomegal|edema", s):
            continue
        if m.group(0) in ("process", "finding", "disease", "abnormal", "focal", "silhouett", "free", "volume",
                          "air", "gas", "hilar", "hila", "marking", "interstitial", "chang", "previous",
                          "prior", "increas", "decreas") and (_term_negated(s, m.start()) or NORMAL_WORD.search(s)):
            if not re.search(r"increas|decreas|prominen|enlarg|widen|elevat|chang", s) or _term_negated(
                    s, m.start()):
                continue
        if not _term_negated(s, m.start()):
            return False
    return True


CONCEPTS = {
    "effusion": r"effusion|pleural fluid",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|airspace disease|air space disease|airspace opacit|air space opacit|infiltrat|"
                     r"pneumonia|airspace process",
    "oedema": r"\bedema|oedema|vascular congestion",
    "mass": r"\bmass\b",
    "nodule": r"nodul",
    "cardiomegaly": r"cardiomegaly|heart (size )?is (mildly |moderately |markedly )?enlarged|enlarged heart|"
                    r"enlarged cardiac|cardiac enlargement",
    "atelectasis": r"atelecta",
    "granuloma": r"granulom",
    "fracture": r"fractur",
    "scarring": r"scar|fibros",
    "opacity": r"opacit|densit",
    "catheter": r"catheter|picc|port|\bline\b|tube",
}
SIDE = re.compile(r"\b(left|right)\b", re.I)


def concepts_of(sent: str) -> list:
    s = sent.lower()
    return [c for c, rx in CONCEPTS.items() if re.search(rx, s)]


def affirmed_concepts(sent: str) -> list:
    """Concepts a sentence states as present (conservative: no negation cue anywhere in the sentence)."""
    s = sent.lower()
    if NEG_CUE.search(s) or CONTRAST.search(s):
        return []
    return concepts_of(s)


def sides_of(sent: str) -> list:
    return sorted({m.group(1).lower() for m in SIDE.finditer(sent)})


def clean_iu_text(f: str, i: str) -> bool:
    txt = f + " " + i
    return not re.search(r"\[|\]|\*|<<|>>|___|\{", txt)


def classify_iu(rows: tuple) -> dict:
    """Pools of IU reports suited to each use. A report may sit in several pools; build() uses each once."""
    pools = {"normal": [], "abn_clean": [], "lat": [], "omit": [], "neg_a": [], "neg_b": [], "any": []}
    for uid, ind, comp, f, i in rows:
        if not f or not i or not clean_iu_text(f, i):
            continue
        fs, is_ = split_sentences(f), split_sentences(i)
        if not fs or not is_ or len(fs) > 12 or len(is_) > 5:
            continue
        rec = (uid, ind, comp, fs, is_)
        f_norm = all(sentence_is_normal(s) for s in fs)
        i_norm = all(sentence_is_normal(s) for s in is_)
        all_sides = sorted({x for s in fs + is_ for x in sides_of(s)})
        if f_norm and i_norm:
            pools["normal"].append(rec)
        if i_norm and len(is_) <= 2 and len(" ".join(is_)) < 120:
            pools["any"].append(rec)
        # negation (a): findings negate a concept we can assert in the impression; impression normal
        if f_norm and i_norm:
            neg_concepts = []
            for s in fs:
                low = s.lower()
                if re.search(r"large|significant|sizable|confluent|lobar|definite|moderate", low):
                    continue
                if re.search(r"effusion|pleural fluid", low) and NEG_CUE.search(low):
                    neg_concepts.append("effusion")
                if "pneumothora" in low and NEG_CUE.search(low):
                    neg_concepts.append("pneumothorax")
                if re.search(r"lungs? (are |is )?(clear|free)|no focal (airspace|consolidation|air space)|"
                             r"no (focal )?(airspace|alveolar) consolidation", low):
                    neg_concepts.append("consolidation")
                if re.search(r"heart (size )?(is )?(normal|within normal)|normal heart size|heart size normal|"
                             r"heart is normal in size|normal cardiac size|heart size is within normal", low):
                    neg_concepts.append("cardiomegaly")
                if re.search(r"no .*(edema)|pulmonary vascularity (is )?(normal|within)", low):
                    neg_concepts.append("oedema")
            if neg_concepts:
                pools["neg_a"].append(rec + (sorted(set(neg_concepts)),))
        # abnormal findings: find affirmed concepts
        f_aff = {}
        for idx, s in enumerate(fs):
            for c in affirmed_concepts(s):
                f_aff.setdefault(c, []).append(idx)
        i_aff = {}
        for idx, s in enumerate(is_):
            for c in affirmed_concepts(s):
                i_aff.setdefault(c, []).append(idx)
        i_negs = [c for s in is_ for c in concepts_of(s) if NEG_CUE.search(s.lower())]
        f_negs = [c for s in fs for c in concepts_of(s) if NEG_CUE.search(s.lower())]
        contrast = any(CONTRAST.search(s.lower()) for s in fs + is_)
        # strict abnormal clean: every non-normal finding sentence's concepts affirmed in impression,
        # impression affirms nothing findings lack, same sides, nothing negated on one side and affirmed on other
        if not f_norm and not contrast and f_aff:
            ok = True
            for s in fs:
                if sentence_is_normal(s):
                    continue
                cs = affirmed_concepts(s)
                if not cs or not any(c in i_aff for c in cs):
                    ok = False
            for s in is_:
                if sentence_is_normal(s):
                    continue
                cs = affirmed_concepts(s)
                if not cs or not all(c in f_aff for c in cs):
                    ok = False
            if any(c in i_negs for c in f_aff) or any(c in f_negs for c in i_aff):
                ok = False
            f_sides = sorted({x for s in fs for x in sides_of(s)})
            i_sides = sorted({x for s in is_ for x in sides_of(s)})
            if f_sides != i_sides or len(f_sides) > 1:
                ok = False
            if any(re.search(r"\bnormal\b|no acute|no active|negative", s.lower()) and not NEG_CUE.search(
                    s.lower().replace("no acute", "").replace("no active", "")) for s in is_) and f_aff:
                # a normal-sounding impression sentence beside abnormal findings: skip
                ok = False
            if ok:
                pools["abn_clean"].append(rec)
        # laterality: one side across both sections, a shared concept stated with that side in each
        if len(all_sides) == 1 and not contrast:
            side = all_sides[0]
            pairs = []
            for fi, s in enumerate(fs):
                if sides_of(s) != [side] or re.search(r"bilat|both|bibasil|greater|than", s.lower()):
                    continue
                fc = [c for c in concepts_of(s) if c != "catheter"]
                for ii, t in enumerate(is_):
                    if sides_of(t) != [side] or re.search(r"bilat|both|bibasil|greater|than", t.lower()):
                        continue
                    tc = concepts_of(t)
                    fam = {"consolidation", "opacity", "atelectasis", "scarring"}
                    shared = [c for c in fc if c in tc] or (
                        [c for c in fc if c in fam] if any(c in fam for c in tc) else [])
                    if shared and not NEG_CUE.search(s.lower()) and not NEG_CUE.search(t.lower()):
                        pairs.append((fi, ii))
            if pairs:
                pools["lat"].append(rec + (side, pairs))
        # omission: findings affirm a significant finding that the impression names
        if not contrast:
            targets = []
            for idx, s in enumerate(fs):
                low = s.lower()
                if NEG_CUE.search(low):
                    continue
                hedge = re.search(r"small|trace|tiny|minimal|mild|stable|unchanged|chronic|\bold\b|possibl|"
                                  r"\bmay\b|question|suspect|cannot|versus|\bvs\b|subtle|borderline|likely|"
                                  r"probabl|resolv|improv|decreas|healed|scar|atelecta|calcified|granulom|"
                                  r"\bor\b|/|\?|again|persist|redemonstrat|known|could|might|concern|streak|"
                                  r"strand|residual|recurren", low)
                sig = None
                if "pneumothora" in low and not re.search(r"possibl|probab|question|\?|cannot|resolv|decreas|"
                                                          r"residual|stable|unchanged|known|likely|again", low):
                    sig = "pneumothorax"
                elif hedge:
                    sig = None
                elif re.search(r"consolidat|airspace disease|air space disease|infiltrat|pneumonia", low):
                    sig = "consolidation"
                elif re.search(r"\bedema\b|vascular congestion", low):
                    sig = "oedema"
                elif re.search(r"\bmass\b", low):
                    sig = "mass"
                elif re.search(r"\b(moderate|large)\b[a-z -]*effusion", low):
                    sig = "effusion"
                elif re.search(r"nodul", low):
                    m = re.search(r"(\d+(?:\.\d+)?)\s*(mm|cm)", low)
                    if m and float(m.group(1)) * (10 if m.group(2) == "cm" else 1) >= 6:
                        sig = "nodule"
                if sig:
                    rx = {"consolidation": CONCEPTS["consolidation"] + "|opacit", "oedema": CONCEPTS["oedema"],
                          "pneumothorax": "pneumothora", "mass": r"\bmass\b|neoplas|malignan|carcinoma",
                          "effusion": "effusion", "nodule": "nodul"}[sig]
                    named = [j for j, t in enumerate(is_) if re.search(rx, t.lower()) and not NEG_CUE.search(
                        t.lower())]
                    if named and all(sides_of(is_[j]) == sides_of(s) and not re.search(
                            r"stable|unchanged|again|persist|improv|decreas|resolv|redemonstrat|known",
                            is_[j].lower()) for j in named):
                        targets.append((idx, sig, named))
            if targets:
                pools["omit"].append(rec + (targets,))
        # negation (b): findings affirm cardiomegaly / effusion / consolidation which the impression names
        if not contrast:
            for c in ("cardiomegaly", "effusion", "consolidation", "pneumothorax", "oedema"):
                if c in f_aff and c in i_aff and c not in f_negs:
                    pools["neg_b"].append(rec + (c,))
                    break
    return pools


# ----------------------------------------------------------------------------------------------
# Setting: layouts, sign-offs, spelling
# ----------------------------------------------------------------------------------------------

NAMES_UK = ["Dr Aoife Brennan", "Dr Ciaran O'Donnell", "Dr Priya Raman", "Dr Oluwaseun Adeyemi", "Dr Fiona McLeod",
            "Dr Rhys Pritchard", "Dr Sarah Whitfield", "Dr Imran Qureshi", "Dr Niamh Gallagher", "Dr Tom Ashworth",
            "Dr Helen Okonkwo", "Dr Gareth Lewis", "Dr Deirdre Walsh", "Dr Anil Chaudhry", "Dr Claire Fitzgerald"]
NAMES_US = ["Michael R. Castellano, MD", "Jennifer L. Huang, MD", "David A. Okafor, MD", "Rebecca S. Lindqvist, DO",
            "Samuel T. Brooks, MD", "Anita Desai, MD", "Kevin P. Doyle, MD", "Maria E. Alvarez, MD"]
ROLES_UK = ["Consultant Radiologist", "Visiting Consultant Radiologist", "Locum Consultant Radiologist",
            "Consultant Radiologist (visiting session)", "Consultant Reporting Radiographer"]


def to_us(text: str) -> str:
    for a, b in (("oedema", "edema"), ("Oedema", "Edema"), ("oesophag", "esophag"), ("Oesophag", "Esophag"),
                 ("visualis", "visualiz"), ("Visualis", "Visualiz"), ("haem", "hem"), ("Haem", "Hem"),
                 ("centre", "center"), ("opacification", "opacification"), ("anaesth", "anesth"),
                 ("hyperinflat", "hyperinflat"), ("recognis", "recogniz"), ("organis", "organiz"),
                 ("radio-opaque", "radiopaque"), ("favour", "favor"), ("colour", "color"), ("tumour", "tumor"),
                 ("paediatric", "pediatric"), ("ischaem", "ischem"), ("litre", "liter"),
                 ("tranquillis", "tranquiliz"), ("characteris", "characteriz")):
        text = text.replace(a, b)
    return text


def to_uk(text: str) -> str:
    for a, b in (("edema", "oedema"), ("Edema", "Oedema"), ("esophag", "oesophag"), ("Esophag", "Oesophag"),
                 ("hemorrhag", "haemorrhag"), ("visualiz", "visualis"), ("Visualiz", "Visualis"),
                 ("hemithorax", "hemithorax"), ("anemi", "anaemi"), ("tumor", "tumour"), ("favor", "favour")):
        text = text.replace(a, b)
    text = re.sub(r"\boedema\b", "oedema", text)
    return text


LAYOUTS = ["nhs_trust", "uk_report_opinion", "us_state_hospital", "irish_hse", "teleradiology", "uk_bulleted",
           "us_forensic", "uk_comment"]
US_LAYOUTS = {"us_state_hospital", "us_forensic"}

UK_EXAMS = ["XR CHEST PA", "CHEST X-RAY PA", "XR Chest", "Chest radiograph (PA)", "CXR PA", "XR CHEST AP (ward)",
            "Chest X-ray"]
US_EXAMS = ["XR CHEST 2 VIEWS PA AND LATERAL", "CHEST, 1 VIEW, PORTABLE", "RADIOGRAPH CHEST PA/LAT",
            "XR CHEST 1 VIEW", "CHEST 2 VIEWS"]
UNITS_UK = ["Acute adult inpatient ward", "Psychiatric intensive care unit (PICU)", "Older adult mental health ward",
            "Eating disorders unit", "Medium secure unit", "Mother and baby unit", "Rehabilitation ward",
            "Forensic inpatient service", "Approved centre, acute unit"]
UNITS_US = ["Adult acute psychiatric unit", "State psychiatric hospital, admissions", "Geriatric psychiatry unit",
            "Forensic unit", "Adolescent inpatient unit"]


def _sign_off(rng: random.Random, layout: str) -> str:
    if layout in US_LAYOUTS:
        nm = rng.choice(NAMES_US)
        return rng.choice([f"Electronically signed by: {nm} on XXXX",
                           f"Interpreted by {nm}\nSigned XXXX",
                           f"{nm}\nDictated XXXX / Transcribed XXXX",
                           f"Attending radiologist: {nm}"])
    nm = rng.choice(NAMES_UK)
    role = rng.choice(ROLES_UK)
    opts = [f"Reported by: {nm}, {role}", f"{nm}\n{role}", f"Dictated by {nm}, {role}. Verified XXXX.",
            f"{nm}, {role}. GMC XXXX",
            f"Reported by {nm} ({role}). This report was produced using voice recognition software."]
    if layout == "irish_hse":
        opts = [f"{nm}\n{role}\nIMC No. XXXX", f"Reported by {nm}, {role}", f"{nm}, {role}"]
    if layout == "teleradiology":
        role = role.replace(" (visiting session)", "")
        opts = [f"Reported by {nm}, {role}, on behalf of XXXX Teleradiology. "
                f"Please contact the reporting service if urgent discussion is required.",
                f"{nm}, {role} (outsourced reporting). Verified XXXX."]
    return rng.choice(opts)


def render(rng: random.Random, layout: str, indication: str, comparison: str, findings: list, impression: list,
           missing: str = "", impression_only: bool = False) -> str:
    """Lay a report out in one of the setting's templates.

    missing: "" | "findings_empty" | "impression_empty" | "impression_sig" | "impression_removed"
    """
    us = layout in US_LAYOUTS
    sign = _sign_off(rng, layout)
    numbered = len(impression) > 1 and rng.random() < 0.75 and not impression_only
    if numbered:
        imp_text = "\n".join(f"{k + 1}. {s}" for k, s in enumerate(impression))
    else:
        imp_text = " ".join(impression)
    if layout in ("uk_bulleted",) or (layout == "us_forensic" and rng.random() < 0.5):
        f_text = "\n".join(f"- {s}" for s in findings)
    elif rng.random() < 0.25 and len(findings) > 2:
        f_text = "\n".join(findings)
    else:
        f_text = " ".join(findings)
    comp = comparison or rng.choice(["None.", "None available."])
    if layout == "nhs_trust":
        head = f"{rng.choice(UK_EXAMS)}\nClinical details: {indication}\nComparison: {comp}"
        fh, ih, inline = "Findings:", rng.choice(["Conclusion:", "Impression:"]), False
    elif layout == "uk_report_opinion":
        head = f"Examination: {rng.choice(UK_EXAMS)}\nClinical information: {indication}"
        if comparison:
            head += f"\nPrevious: {comparison}"
        fh, ih, inline = "Report:", "Opinion:", True
    elif layout == "us_state_hospital":
        head = f"EXAM: {rng.choice(US_EXAMS)}\nHISTORY: {indication}\nCOMPARISON: {comp}"
        fh, ih, inline = "FINDINGS:", "IMPRESSION:", False
    elif layout == "irish_hse":
        head = f"Examination: Chest X-ray\nClinical Details: {indication}\nComparison: {comp}"
        fh, ih, inline = "Findings:", "Impression:", rng.random() < 0.5
    elif layout == "teleradiology":
        unit = rng.choice(UNITS_UK)
        head = (f"Referring unit: {unit}\nProcedure: {rng.choice(UK_EXAMS)}\nIndication: {indication}\n"
                f"Comparison: {comp}")
        fh, ih, inline = "FINDINGS:", rng.choice(["CONCLUSION:", "IMPRESSION:"]), False
    elif layout == "uk_bulleted":
        head = f"{rng.choice(UK_EXAMS)}\nClinical history: {indication}\nComparison: {comp}"
        fh, ih, inline = "Findings:", "Conclusion:", False
    elif layout == "us_forensic":
        unit = rng.choice(UNITS_US)
        head = f"PATIENT LOCATION: {unit}\nEXAMINATION: {rng.choice(US_EXAMS)}\nINDICATION: {indication}\n" \
               f"COMPARISON: {comp}"
        fh, ih, inline = "FINDINGS:", "IMPRESSION:", False
    else:  # uk_comment
        head = f"{rng.choice(UK_EXAMS)}\nClinical details: {indication}"
        if comparison:
            head += f"\nComparison: {comparison}"
        fh, ih, inline = "Findings:", "Comment:", True
    if f_text.startswith("- ") or "\n" in f_text:
        f_inline = False
    else:
        f_inline = inline
    if "\n" in imp_text:
        i_inline = False
    else:
        i_inline = inline

    def block(h: str, body: str, inl: bool) -> str:
        if not body:
            return h
        return f"{h} {body}" if inl else f"{h}\n{body}"

    parts = [head]
    if impression_only:
        parts.append(block(ih, imp_text, i_inline))
        parts.append(sign)
        return "\n\n".join(parts)
    if missing == "findings_empty":
        parts.append(fh)
    else:
        parts.append(block(fh, f_text, f_inline))
    if missing == "impression_empty":
        parts.append(ih)
        parts.append(sign)
    elif missing == "impression_sig":
        parts.append(f"{ih}\n{sign}")
    elif missing == "impression_removed":
        parts.append(sign)
    else:
        parts.append(block(ih, imp_text, i_inline))
        parts.append(sign)
    text = "\n\n".join(parts)
    return to_us(text) if us else text


# ----------------------------------------------------------------------------------------------
# Composed phrase bank
# ----------------------------------------------------------------------------------------------


def it(t: str, c: str = "", s: str = "", sig: bool = False, neg: bool = False) -> dict:
    return {"t": t, "c": c, "s": s, "sig": sig, "neg": neg}


def cap(s: str) -> str:
    return s[0].upper() + s[1:]


HEART_NEG = ["Heart size is normal.", "The heart is not enlarged.", "Normal cardiac size and contour.",
             "Cardiothoracic ratio is within normal limits.", "Heart size normal.",
             "The cardiomediastinal silhouette is within normal limits."]
MED_NEG = ["The mediastinum is central and not widened.", "Mediastinal contours are normal.",
           "Trachea central.", "Normal hila and mediastinum.", "The mediastinal outline is unremarkable."]
LUNG_NEG = ["The lungs are clear.", "Both lungs are clear.", "No focal consolidation.", "Lung fields are clear.",
            "No focal airspace opacity.", "Clear lungs bilaterally.", "No consolidation or collapse."]
PLEURA_NEG = ["No pleural effusion.", "Costophrenic angles are clear.", "No pleural fluid.",
              "Costophrenic angles are sharp."]
PTX_NEG = ["No pneumothorax.", "No pneumothorax is seen.", "No evidence of pneumothorax."]
COMBO_NEG = ["No pleural effusion or pneumothorax.", "No effusion or pneumothorax."]
BONE_NEG = ["No acute bony abnormality.", "The visualised bones are intact.", "Bony thorax intact.",
            "No acute bony injury identified."]
OEDEMA_NEG = ["No features of pulmonary oedema.", "Pulmonary vasculature is normal.",
              "No radiographic features of cardiac failure."]
GAS_NEG = ["No free gas under the diaphragm.", "No free subdiaphragmatic gas."]

NORMAL_IMP_UK = ["Normal chest radiograph.", "No acute abnormality.", "No significant abnormality seen.",
                 "No active chest disease.", "Normal chest X-ray.", "Unremarkable chest radiograph.",
                 "No acute cardiopulmonary abnormality.", "No acute intrathoracic abnormality."]
NORMAL_IMP_US = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
                 "Normal chest radiographs.", "No radiographic evidence of acute cardiopulmonary disease.",
                 "No acute intrathoracic process."]


def normal_imp(rng: random.Random, us: bool) -> dict:
    return it(rng.choice(NORMAL_IMP_US if us else NORMAL_IMP_UK), "normal", neg=True)


def negatives(rng: random.Random, skip: tuple = ()) -> list:
    out = []
    if "heart" not in skip:
        out.append(it(rng.choice(HEART_NEG), "cardiomegaly", neg=True))
    if rng.random() < 0.6 and "mediast" not in skip:
        out.append(it(rng.choice(MED_NEG), "mediastinum", neg=True))
    if "lungs" not in skip:
        out.append(it(rng.choice(LUNG_NEG), "consolidation", neg=True))
    pl = [x for x in ("effusion", "pneumothorax") if x not in skip]
    if pl == ["effusion", "pneumothorax"] and rng.random() < 0.5:
        out.append(it(rng.choice(COMBO_NEG), "effusion+pneumothorax", neg=True))
    else:
        if "effusion" in pl:
            out.append(it(rng.choice(PLEURA_NEG), "effusion", neg=True))
        if "pneumothorax" in pl and rng.random() < 0.8:
            out.append(it(rng.choice(PTX_NEG), "pneumothorax", neg=True))
    if rng.random() < 0.5 and "bones" not in skip:
        out.append(it(rng.choice(BONE_NEG), "fracture", neg=True))
    return out


def comparison(rng: random.Random, prior: bool) -> str:
    if prior:
        return rng.choice(["Previous film XXXX.", "CXR XXXX (admission film).", "XXXX.",
                           "Compared with the previous radiograph of XXXX.", "Prior chest film dated XXXX."])
    return rng.choice(["None.", "None available.", "No previous imaging on PACS.", "",
                       "No prior films for comparison."])


def background(rng: random.Random, sc: dict, prior: bool) -> None:
    """Add one incidental, non-significant finding (sometimes named in the impression)."""
    opts = ["copd", "old_ribs", "granuloma", "spine", "hernia", "habitus"]
    if prior:
        opts.append("stable_heart")
    kind = rng.choice(opts)
    side = rng.choice(["left", "right"])
    if kind == "copd":
        sc["F"].insert(0, it(rng.choice(["The lungs are hyperinflated with flattening of both hemidiaphragms.",
                                         "Hyperexpanded lungs with flattened hemidiaphragms.",
                                         "Hyperinflated lungs with increased retrosternal airspace."]), "copd"))
        sc["I"].append(it(rng.choice(["Hyperinflation in keeping with COPD.", "Changes of COPD.",
                                      "Hyperinflated lungs consistent with known COPD."]), "copd"))
    elif kind == "old_ribs":
        n = rng.choice([5, 6, 7, 8])
        sc["F"].append(it(f"Old healed fractures of the {side} {n}th and {n + 1}th ribs laterally.", "oldfracture",
                          side))
        sc["I"].append(it(f"Old healed {side} rib fractures.", "oldfracture", side))
    elif kind == "granuloma":
        mm = rng.choice([3, 4, 5])
        sc["F"].append(it(f"A {mm} mm calcified granuloma in the {side} mid zone.", "granuloma", side))
    elif kind == "spine":
        sc["F"].append(it(rng.choice(["Degenerative changes in the thoracic spine.",
                                      "Mild thoracic spondylosis."]), "spine"))
    elif kind == "hernia":
        sc["F"].append(it("A retrocardiac gas-containing structure is in keeping with a hiatus hernia.", "hernia"))
        sc["I"].append(it("Hiatus hernia.", "hernia"))
    elif kind == "habitus":
        sc["F"].insert(0, it(rng.choice(["Large body habitus degrades image quality.",
                                         "Soft tissue attenuation from body habitus limits assessment of the bases."]),
                             "habitus"))
    else:
        sc["F"] = [x for x in sc["F"] if not (x["neg"] and "cardiomegaly" in cs(x))]
        sc["F"].insert(0, it("Mild cardiomegaly, unchanged from the previous film.", "cardiomegaly"))
        sc["I"].append(it("Stable mild cardiomegaly.", "cardiomegaly"))
    if any(not x["neg"] for x in sc["I"]):
        # a global "normal chest" beside a positive finding reads wrongly: say "no acute abnormality" instead
        for x in sc["I"]:
            if x["c"] == "normal" and not x["t"].startswith("No acute"):
                x["t"] = rng.choice(["No acute abnormality.", "No acute cardiopulmonary abnormality.",
                                     "No acute intrathoracic abnormality."])


def sc_normal(rng: random.Random, us: bool) -> dict:
    why = rng.choice(["admission", "ect", "cloz", "tb", "smoker", "nms"])
    ind = {"admission": rng.choice(["Admission physical health screen.", "New admission to ward, baseline CXR.",
                                    "Routine admission film. Smoker.", "Informal admission, cough for 1 week."]),
           "ect": rng.choice(["Pre-ECT work-up.", "Pre-ECT assessment, anaesthetic request.",
                              "Due to start ECT for depressive stupor, pre-anaesthetic CXR."]),
           "cloz": rng.choice(["Clozapine titration week 3, pyrexia and tachycardia. ?myocarditis ?chest infection.",
                               "On clozapine, raised CRP, temp 38.1. ?pneumonia.",
                               "Clozapine day 14, troponin mildly raised, ?myocarditis."]),
           "tb": rng.choice(["TB screening on admission, born in high-incidence country.",
                             "Homeless, night sweats, TB screen."]),
           "smoker": rng.choice(["Heavy smoker, productive cough.", "40 pack-year smoker, SOB on exertion."]),
           "nms": rng.choice(["Catatonia, reduced oral intake, ?aspiration.", "?NMS, pyrexia, rigidity."])}[why]
    prior = rng.random() < 0.3
    sc = {"ind": ind, "comp": comparison(rng, prior), "F": negatives(rng), "I": [normal_imp(rng, us)]}
    if why == "ect":
        sc["I"].append(it("No contraindication to ECT/anaesthesia identified on the chest radiograph.", ""))
    if why == "cloz":
        sc["F"].append(it(rng.choice(OEDEMA_NEG), "oedema", neg=True))
        sc["I"].append(it("No radiographic features of heart failure. A normal radiograph does not exclude "
                          "myocarditis; clinical, ECG and troponin correlation advised.", "oedema", neg=True))
    if rng.random() < 0.35:
        background(rng, sc, prior)
    return sc


def sc_copd(rng: random.Random, us: bool) -> dict:
    f = [it(rng.choice(["The lungs are hyperinflated with flattened hemidiaphragms.",
                        "Hyperexpanded lungs with flattening of the diaphragms and increased retrosternal airspace.",
                        "Hyperinflated lung fields."]), "copd")]
    if rng.random() < 0.4:
        f.append(it("Bullous change at both apices.", "bulla"))
    f += negatives(rng, skip=("lungs",))
    f.insert(2, it(rng.choice(["No focal consolidation.", "No focal airspace opacity."]), "consolidation", neg=True))
    i = [it(rng.choice(["Hyperinflation in keeping with COPD.", "Appearances consistent with COPD.",
                        "Emphysematous change / COPD."]), "copd"),
         it(rng.choice(["No acute consolidation.", "No focal consolidation or pneumothorax."]),
            "consolidation", neg=True)]
    return {"ind": rng.choice(["Smoker, chronic cough, ?COPD.", "Long-standing smoker, wheeze, admission film.",
                               "Productive cough, 30 pack-years."]), "comp": comparison(rng, False), "F": f, "I": i}


ZONE = {"lower": ["lower zone", "base"], "mid": ["mid zone"], "upper": ["upper zone"]}


def sc_pneumonia(rng: random.Random, us: bool) -> dict:
    side = rng.choice(["left", "right"])
    prior = rng.random() < 0.35
    zone = rng.choice(["lower zone", "lower zone", "mid and lower zones", "base"])
    lobe = "middle and lower lobe" if (zone == "mid and lower zones" and side == "right") else "lower lobe"
    ftxt = rng.choice([
        f"There is patchy airspace consolidation in the {side} {zone}.",
        f"Consolidation in the {side} {zone} with air bronchograms.",
        f"New airspace opacification at the {side} {zone}, in keeping with consolidation.",
        f"Ill-defined patchy shadowing in the {side} {zone} consistent with consolidation."])
    if prior:
        ftxt = rng.choice([f"Compared with the previous film, there is new consolidation in the {side} {zone}.",
                           f"The {side} {zone} consolidation has increased since the previous film."])
    f = [it(ftxt, "consolidation", side, sig=True)]
    f += negatives(rng, skip=("lungs", "bones"))
    itxt = rng.choice([f"{cap(side)} {lobe} consolidation, likely aspiration pneumonia given the history.",
                       f"{cap(side)} basal pneumonia, aspiration likely in this context.",
                       f"Consolidation at the {side} base in keeping with infection.",
                       f"{cap(side)} {lobe} pneumonia."])
    i = [it(itxt, "consolidation", side)]
    if rng.random() < 0.6:
        i.append(it(rng.choice(["Follow-up radiograph in 6 weeks after treatment is advised to confirm resolution.",
                                "Recommend repeat film after treatment to document resolution.",
                                "Suggest SALT (swallow) assessment given recurrent aspiration."]), "consolidation"))
    sc = {"ind": rng.choice(["Cough, pyrexia, on clozapine. ?pneumonia.", "Choking episode at lunch, now febrile. "
                             "?aspiration.", "Drooling and hypersalivation on clozapine, crackles at base.",
                             "Sedated after rapid tranquillisation, now hypoxic. ?aspiration pneumonia.",
                             "Dysphagia, raised CRP, SpO2 91% on air."]),
          "comp": comparison(rng, prior), "F": f, "I": i}
    if rng.random() < 0.3:
        background(rng, sc, prior)
    return sc


def sc_clozapine_failure(rng: random.Random, us: bool) -> dict:
    ctr = rng.choice(["0.57", "0.58", "0.60", "0.62"])
    prior = rng.random() < 0.5
    heart = f"The heart is enlarged (CTR {ctr})" + (", new since the admission film." if prior else ".")
    f = [it(heart, "cardiomegaly"),
         it(rng.choice(["Upper lobe venous diversion with bilateral perihilar haze and septal lines, in keeping with "
                        "interstitial pulmonary oedema.",
                        "There is upper lobe blood diversion, Kerley B lines and bilateral airspace shadowing in a "
                        "bat's wing distribution consistent with pulmonary oedema."]), "oedema", sig=True),
         it("Small bilateral pleural effusions.", "effusion"),
         it(rng.choice(PTX_NEG), "pneumothorax", neg=True)]
    i = [it("Cardiomegaly" + (", new since the previous film." if prior else "."), "cardiomegaly"),
         it("Pulmonary oedema with small bilateral effusions, in keeping with cardiac failure.", "oedema"),
         it("In a patient on clozapine, clozapine-associated cardiomyopathy/myocarditis should be considered; "
            "urgent echocardiography and cardiology review suggested.", "cardiomegaly")]
    return {"ind": rng.choice(["On clozapine, breathless, tachycardic 130, troponin raised. ?myocarditis.",
                               "Clozapine 6 weeks, SOB and ankle swelling.",
                               "Clozapine, fever, chest pain, ?myocarditis ?pericardial effusion."]),
            "comp": comparison(rng, prior), "F": f, "I": i}


FB_OBJ = ["button battery", "coin", "AA battery", "razor blade", "metallic pen spring", "paperclip", "ring-pull",
          "metal screw", "safety pin", "key"]


def sc_fb(rng: random.Random, us: bool) -> dict:
    obj = rng.choice(FB_OBJ)
    where = rng.choice(["stomach", "stomach", "oesophagus"])
    if where == "stomach":
        f = [it(f"A radio-opaque foreign body with the appearance of a {obj} projects over the left upper quadrant, "
                f"in keeping with a swallowed object within the stomach.", "fb", "left")]
        i_t = rng.choice([f"Swallowed {obj} projected over the stomach in the left upper quadrant.",
                          f"Ingested {obj} within the gastric fundus (left upper quadrant).",
                          f"Ingested {obj}, likely within the stomach."])
        i = [it(i_t, "fb", "left" if "left" in i_t else "")]
        f += negatives(rng, skip=("bones",))
        f.append(it(rng.choice(GAS_NEG), "freegas", neg=True))
        i.append(it("No free subdiaphragmatic gas.", "freegas", neg=True))
    else:
        lvl = rng.choice(["T1", "T2", "C7/T1", "T4"])
        f = [it(f"A {obj} is projected over the oesophagus at the level of {lvl}.", "fb")]
        f += negatives(rng, skip=("bones",))
        i = [it(f"Foreign body ({obj}) in the oesophagus at {lvl}. Urgent referral to ED/ENT advised; "
                f"findings telephoned to the ward.", "fb")]
    return {"ind": rng.choice([f"Patient reports swallowing a {obj}. Known repeated ingestion.",
                               f"Witnessed ingestion of {obj} on ward.", "Deliberate self-harm, ?swallowed object."]),
            "comp": comparison(rng, False), "F": f, "I": i}


def sc_freegas(rng: random.Random, us: bool) -> dict:
    obj = rng.choice(["razor blade fragments", "pen", "metal spoon handle", "nail", "length of wire"])
    side = "right"
    f = [it(f"Linear radio-opaque foreign material ({obj}) projects over the upper abdomen.", "fb"),
         it(f"There is free gas beneath the {side} hemidiaphragm.", "freegas", side, sig=True)]
    f += negatives(rng, skip=("bones",))
    i_t = rng.choice([f"Free gas under the {side} hemidiaphragm in keeping with pneumoperitoneum, presumed "
                      f"perforation from the ingested {obj}.",
                      "Pneumoperitoneum, presumed visceral perforation by the ingested foreign material."])
    i = [it(i_t, "freegas", side if side in i_t else ""),
         it("Urgent surgical review. Result telephoned to the ward doctor.", "freegas"),
         it(f"Ingested {obj}.", "fb")]
    return {"ind": f"Repeated ingestion of {obj}, now abdominal pain and vomiting. Erect CXR.",
            "comp": comparison(rng, True), "F": f, "I": i}


ORD = {4: "4th", 5: "5th", 6: "6th", 7: "7th", 8: "8th", 9: "9th"}


def sc_self_harm(rng: random.Random, us: bool) -> dict:
    side = rng.choice(["left", "right"])
    kind = rng.choice(["ptx", "ptx", "rib"])
    if kind == "ptx":
        cm = rng.choice(["1.5", "2", "2.5", "3"])
        f = [it(rng.choice([f"{cap(side)} apical pneumothorax with a {cm} cm apical rim.",
                            f"There is a {side}-sided pneumothorax measuring {cm} cm at the apex.",
                            f"Visceral pleural edge seen in the {side} upper zone, a pneumothorax with {cm} cm apical "
                            f"separation."]), "pneumothorax", side, sig=True)]
        if rng.random() < 0.6:
            f.append(it(f"Subcutaneous emphysema in the {side} chest wall.", "semph", side))
        f.append(it("No mediastinal shift.", "mediastinum", neg=True))
        f += negatives(rng, skip=("pneumothorax", "bones", "mediast"))
        i = [it(rng.choice([f"{cap(side)} pneumothorax ({cm} cm at the apex).",
                            f"{cap(side)}-sided pneumothorax, no tension.",
                            f"Moderate {side} pneumothorax following self-inflicted penetrating injury."]),
                "pneumothorax", side),
             it("Urgent transfer to the emergency department advised; discussed with the duty doctor at XXXX.",
                "pneumothorax")]
        ind = rng.choice([f"Self-inflicted stab wound {side} chest with a pen. SOB.",
                          f"Inserted foreign object into {side} chest wall, pleuritic pain.",
                          "Self-harm with sharp object to chest. ?pneumothorax."])
    else:
        n = rng.choice([5, 6, 7, 8])
        if rng.random() < 0.5:
            ft = f"Acute minimally displaced fracture of the {side} {ORD[n]} rib laterally."
            itx = rng.choice([f"Acute {side} {ORD[n]} rib fracture.", f"Minimally displaced {side} {ORD[n]} rib "
                              f"fracture."])
        else:
            ft = f"Undisplaced fractures of the {side} {ORD[n]} and {ORD[n + 1]} ribs."
            itx = rng.choice([f"Acute {side} {ORD[n]} and {ORD[n + 1]} rib fractures.", f"{cap(side)} rib fractures."])
        f = [it(ft, "fracture", side)]
        f += negatives(rng, skip=("bones",))
        i = [it(itx, "fracture", side), it("No pneumothorax.", "pneumothorax", neg=True)]
        ind = rng.choice([f"Fall on ward, {side} chest wall pain.", f"Restraint incident, {side} rib pain.",
                          f"Self-harm, punching {side} chest. Tender ribs."])
    return {"ind": ind, "comp": comparison(rng, False), "F": f, "I": i}


def sc_effusion(rng: random.Random, us: bool) -> dict:
    side = rng.choice(["left", "right"])
    size = rng.choice(["moderate", "moderate", "large", "small"])
    sig = size != "small"
    if size == "small":
        ftxt = f"Blunting of the {side} costophrenic angle in keeping with a small pleural effusion."
    else:
        ftxt = rng.choice([f"{cap(size)} {side} pleural effusion with a meniscus extending to the mid zone.",
                           f"There is a {size} {side}-sided pleural effusion."])
    f = [it(ftxt, "effusion", side, sig=sig)]
    f += negatives(rng, skip=("effusion", "lungs" if size == "large" else "bones"))
    i = [it(rng.choice([f"{cap(size)} {side} pleural effusion.", f"{cap(size)} {side}-sided effusion."]), "effusion",
            side)]
    if sig:
        i.append(it(rng.choice(["Suggest ultrasound and clinical correlation.", "Suggest medical review; "
                                "consider ultrasound-guided aspiration if clinically indicated."]), "effusion"))
    sc = {"ind": rng.choice(["SOB, reduced air entry at base.", "Chest pain and breathlessness.",
                             "Low albumin, eating disorder, SOB."]), "comp": comparison(rng, False), "F": f, "I": i}
    if rng.random() < 0.3:
        background(rng, sc, False)
    return sc


def sc_nodule(rng: random.Random, us: bool) -> dict:
    side = rng.choice(["left", "right"])
    zone = rng.choice(["upper", "mid", "lower"])
    mm = rng.choice([7, 8, 9, 10, 12, 14, 15, 18])
    f = [it(rng.choice([f"A {mm} mm nodule in the {side} {zone} zone.",
                        f"There is a well-defined {mm} mm pulmonary nodule projected over the {side} {zone} zone.",
                        f"{mm} mm rounded opacity in the {side} {zone} zone."]), "nodule", side, sig=True)]
    f += negatives(rng, skip=("lungs",))
    f.insert(1, it("No consolidation.", "consolidation", neg=True))
    rec = ("Recommend CT chest for further characterisation." if not us else
           "Recommend CT chest for further evaluation.")
    i = [it(f"{mm} mm {side} {zone} zone nodule. {rec}", "nodule", side)]
    sc = {"ind": rng.choice(["Smoker, weight loss.", "Admission film.", "Cough, smoker, ?infection."]),
          "comp": comparison(rng, False), "F": f, "I": i}
    if rng.random() < 0.5:
        background(rng, sc, False)
    return sc


def sc_mass(rng: random.Random, us: bool) -> dict:
    side = rng.choice(["left", "right"])
    cm = rng.choice(["3", "4", "4.5", "5", "6"])
    where = rng.choice(["hilar", "upper zone", "perihilar"])
    loc = {"hilar": f"at the {side} hilum", "upper zone": f"in the {side} upper zone",
           "perihilar": f"in the {side} perihilar region"}[where]
    f = [it(f"There is a {cm} cm mass {loc}.", "mass", side, sig=True)]
    f += negatives(rng, skip=("lungs",))
    rec = ("Urgent CT chest and referral to the lung cancer pathway (2WW) recommended." if not us else
           "Recommend CT chest with contrast and pulmonology referral.")
    i = [it(f"{cap(side)} {where} mass, suspicious for bronchogenic carcinoma in a smoker.", "mass", side),
         it(rec, "mass")]
    sc = {"ind": rng.choice(["Smoker, haemoptysis.", "Weight loss, poor appetite, heavy smoker.",
                             "Admission CXR, 50 pack-year smoker."]), "comp": comparison(rng, False), "F": f, "I": i}
    if rng.random() < 0.5:
        background(rng, sc, False)
    return sc


def sc_ngt(rng: random.Random, us: bool) -> dict:
    ok = rng.random() < 0.75
    if ok:
        f = [it(rng.choice(["The fine-bore NG tube passes down the midline, bisects the carina and crosses the "
                            "diaphragm, with its tip projected over the stomach in the left upper quadrant.",
                            "NG tube follows the course of the oesophagus with the tip below the left hemidiaphragm, "
                            "in the gastric fundus."]), "ngt", "left")]
        i = [it(rng.choice(["NG tube tip below the left hemidiaphragm in the stomach. Satisfactory position for use.",
                            "NG tube in satisfactory position, tip in the stomach. OK to use.",
                            "Fine-bore NG tube tip in the stomach."]), "ngt")]
        if "left" in i[0]["t"]:
            i[0]["s"] = "left"
    else:
        f = [it("The NG tube follows the right main bronchus with its tip projected over the right lower zone.",
                "ngt", "right")]
        i = [it("NG tube misplaced in the right bronchial tree. DO NOT USE. Remove and re-site; "
                "discussed with the nurse in charge.", "ngt", "right")]
    f += negatives(rng, skip=("bones",))
    return {"ind": rng.choice(["Anorexia nervosa, BMI 12.8, NG tube placement check (pH not obtained).",
                               "NG feeding under MHA, tube re-sited, position check.",
                               "Eating disorders unit, new fine-bore NG tube."]),
            "comp": comparison(rng, False), "F": f, "I": i}


def sc_atelectasis(rng: random.Random, us: bool) -> dict:
    side = rng.choice(["left", "right"])
    f = [it(rng.choice([f"Linear atelectasis at the {side} base.", f"Minor plate atelectasis in the {side} lower "
                        f"zone."]), "atelectasis", side),
         it("Poor inspiratory effort.", "effort")]
    f += negatives(rng, skip=("lungs",))
    f.insert(2, it("No focal consolidation.", "consolidation", neg=True))
    i = [it(rng.choice([f"Minor {side} basal atelectasis.", f"{cap(side)} basal linear atelectasis only."]),
            "atelectasis", side),
         it("No consolidation.", "consolidation", neg=True)]
    return {"ind": rng.choice(["Post-ictal after ECT, desaturation.", "Sedated, reduced mobility, SOB.",
                               "Chest pain, ?infection."]), "comp": comparison(rng, False), "F": f, "I": i}


def sc_old_tb(rng: random.Random, us: bool) -> dict:
    side = rng.choice(["left", "right"])
    f = [it(f"Apical pleural thickening and fibrotic scarring in the {side} upper zone with volume loss and "
            f"calcification.", "tb", side)]
    f += negatives(rng, skip=("lungs",))
    f.insert(1, it("No cavitation or new airspace opacity.", "consolidation", neg=True))
    i = [it(rng.choice([f"{cap(side)} apical fibrocalcific change consistent with old (healed) TB.",
                        f"Old healed TB at the {side} apex."]), "tb", side),
         it("No radiographic features of active disease.", "consolidation", neg=True)]
    return {"ind": "TB screening on admission. Previously treated TB.", "comp": comparison(rng, True), "F": f,
            "I": i}


def sc_limited(rng: random.Random, us: bool) -> dict:
    f = [it(rng.choice(["AP sitting film. Patient unable to cooperate; rotated with poor inspiration.",
                        "Single AP view, patient agitated. Rotation and suboptimal inspiration limit assessment."]),
            "limit"),
         it("Within these limits no gross consolidation.", "consolidation", neg=True),
         it(rng.choice(PTX_NEG), "pneumothorax", neg=True)]
    i = [it(rng.choice(["Limited study. No gross abnormality.", "Suboptimal film; no acute abnormality identified."]),
            "normal", neg=True)]
    if rng.random() < 0.5:
        i.append(it("Repeat PA film when the patient is able to cooperate, if clinically required.", ""))
    return {"ind": rng.choice(["Agitated, refused PA. Cough.", "Rapid tranquillisation given, ?aspiration.",
                               "Catatonic, unable to stand. Pyrexia."]), "comp": comparison(rng, False), "F": f,
            "I": i}


def sc_bilateral_pneumonia(rng: random.Random, us: bool) -> dict:
    prior = rng.random() < 0.4
    ftxt = ("Patchy consolidation in both lower zones, increased since the previous film." if prior else
            "Bilateral patchy airspace consolidation in both lower zones.")
    f = [it(ftxt, "consolidation", sig=True)]
    f += negatives(rng, skip=("lungs",))
    i = [it(rng.choice(["Bibasal consolidation consistent with aspiration pneumonia.",
                        "Bilateral lower zone pneumonia" + (", worse than before." if prior else "."),
                        "Bibasal infective consolidation; aspiration likely in this context."]), "consolidation")]
    sc = {"ind": rng.choice(["Clozapine, hypersalivation, fever, ?aspiration.", "Elderly, dysphagia, febrile."]),
          "comp": comparison(rng, prior), "F": f, "I": i}
    if rng.random() < 0.4:
        background(rng, sc, prior)
    return sc


SCENARIOS = [(sc_normal, 9), (sc_copd, 3), (sc_pneumonia, 5), (sc_clozapine_failure, 2), (sc_fb, 3),
             (sc_freegas, 1), (sc_self_harm, 3), (sc_effusion, 3), (sc_nodule, 2), (sc_mass, 1), (sc_ngt, 3),
             (sc_atelectasis, 2), (sc_old_tb, 1), (sc_limited, 1), (sc_bilateral_pneumonia, 2)]


def pick_scenario(rng: random.Random, us: bool, want=None, tries: int = 200) -> dict:
    fns = [f for f, _ in SCENARIOS]
    weights = [w for _, w in SCENARIOS]
    for _ in range(tries):
        fn = rng.choices(fns, weights)[0]
        sc = fn(rng, us)
        sc["name"] = fn.__name__[3:]
        if want is None:
            return sc
        ctx = want(sc)
        if ctx is not None:
            sc["ctx"] = ctx
            return sc
    raise RuntimeError("no scenario fits")


def cs(item: dict) -> list:
    return [c for c in item["c"].split("+") if c]


# ----------------------------------------------------------------------------------------------
# Injections
# ----------------------------------------------------------------------------------------------

PH_SIZE = ["XX", "[***]", "<<size>>", "__", "[ ]", "[size]"]
PH_SIDE = ["[LEFT/RIGHT]", "<<side>>", "[side]", "[***]", "***"]
PH_WORD = ["[***]", "[ ]", "___", "<<finding>>", "[normal/abnormal]", "***", "[FINDING]"]


def flip_sides(text: str) -> str:
    def sw(m: re.Match) -> str:
        w = m.group(0)
        o = "right" if w.lower() == "left" else "left"
        if w.isupper():
            return o.upper()
        if w[0].isupper():
            return o.capitalize()
        return o
    return SIDE.sub(sw, text)


def placeholder_in(rng: random.Random, text: str):
    """Replace one word of text by a template placeholder. Returns (new_text, replaced, placeholder) or None."""
    cands = []
    for m in re.finditer(r"\b(\d+(?:\.\d+)?)(\s?(?:mm|cm))\b", text):
        cands.append(("size", m.start(1), m.end(1), m.group(1)))
    for m in re.finditer(r"\b\d\.\d\d\b", text):
        cands.append(("size", m.start(), m.end(), m.group(0)))
    for m in SIDE.finditer(text):
        cands.append(("side", m.start(), m.end(), m.group(0)))
    for m in re.finditer(r"\b(normal|clear|small|moderate|large|mild|satisfactory|unremarkable|enlarged|stable|"
                         r"intact|central|sharp|acute|focal)\b", text, re.I):
        cands.append(("word", m.start(), m.end(), m.group(0)))
    if not cands:
        return None
    kind, a, b, word = rng.choice(cands)
    if kind == "size":
        ph = rng.choice(PH_SIZE)
    elif kind == "side":
        ph = rng.choice(PH_SIDE)
    else:
        ph = rng.choice(PH_WORD)
        if ph == "[normal/abnormal]" and word.lower() != "normal":
            ph = "[***]"
    return text[:a] + ph + text[b:], word, ph


def us_of(layout: str) -> bool:
    return layout in US_LAYOUTS


def composed_case(rng: random.Random, kind, k: int) -> dict:
    layout = rng.choice(LAYOUTS)
    us = us_of(layout)
    missing = ""
    impression_only = False
    detail = ""
    if kind is None:
        sc = pick_scenario(rng, us)
        F, IMP = [x["t"] for x in sc["F"]], [x["t"] for x in sc["I"]]
        if sc["name"] == "normal" and rng.random() < 0.15:
            impression_only = True
            IMP = F + IMP
            detail = "composed: normal film written under one impression header (no separate findings); clean"
        else:
            detail = f"composed: {sc['name']}; clean"
    elif kind == "missing_section":
        sc = pick_scenario(rng, us)
        F, IMP = [x["t"] for x in sc["F"]], [x["t"] for x in sc["I"]]
        missing = ["findings_empty", "impression_empty", "impression_sig", "impression_removed"][k % 4]
        detail = {"findings_empty": "FINDINGS header left with nothing under it",
                  "impression_empty": "IMPRESSION/conclusion header left empty",
                  "impression_sig": "IMPRESSION/conclusion header with only the sign-off under it",
                  "impression_removed": "IMPRESSION/conclusion section removed; report ends after the findings"}[
            missing]
        detail = f"composed: {sc['name']}; {detail}"
    elif kind == "laterality_conflict":
        def want(sc):
            pairs = []
            for fi, f in enumerate(sc["F"]):
                if not f["s"] or f["neg"] or len(sides_of(f["t"])) != 1:
                    continue
                for ii, x in enumerate(sc["I"]):
                    if x["s"] == f["s"] and x["c"] == f["c"] and len(sides_of(x["t"])) == 1:
                        pairs.append((fi, ii))
            return pairs or None
        sc = pick_scenario(rng, us, want)
        fi, ii = rng.choice(sc["ctx"])
        F, IMP = [x["t"] for x in sc["F"]], [x["t"] for x in sc["I"]]
        if k % 2 == 0:
            old = F[fi]
            F[fi] = flip_sides(old)
            detail = (f"composed: {sc['name']}; side flipped in FINDINGS ('{old}' -> '{F[fi]}'); impression keeps "
                      f"'{IMP[ii]}'")
        else:
            old = IMP[ii]
            IMP[ii] = flip_sides(old)
            detail = (f"composed: {sc['name']}; side flipped in IMPRESSION ('{old}' -> '{IMP[ii]}'); findings keep "
                      f"'{F[fi]}'")
    elif kind == "negation_conflict":
        assertable = ["effusion", "pneumothorax", "consolidation", "cardiomegaly", "oedema", "freegas"]
        if k % 2 == 0:
            def want(sc):
                opts = [(fi, c) for fi, f in enumerate(sc["F"]) if f["neg"] for c in cs(f) if c in assertable]
                return opts or None
            sc = pick_scenario(rng, us, want)
            fi, c = rng.choice(sc["ctx"])
            side = rng.choice(["left", "right"])
            claim = {"effusion": rng.choice([f"Small {side} pleural effusion.", f"Moderate {side} pleural effusion.",
                                             "Small bilateral pleural effusions."]),
                     "pneumothorax": rng.choice([f"Small {side} apical pneumothorax.", f"{cap(side)} pneumothorax."]),
                     "consolidation": rng.choice([f"{cap(side)} lower zone consolidation, likely aspiration.",
                                                  f"{cap(side)} basal pneumonia.",
                                                  "Bibasal consolidation in keeping with infection."]),
                     "cardiomegaly": rng.choice(["Cardiomegaly.", "The heart is enlarged.",
                                                 "Cardiomegaly, new compared with the admission film."
                                                 if sc["comp"].startswith(("Previous", "CXR", "Compared", "Prior"))
                                                 else "Enlarged cardiac silhouette."]),
                     "oedema": rng.choice(["Features of interstitial pulmonary oedema.",
                                           "Pulmonary venous congestion."]),
                     "freegas": "Free gas under the diaphragm."}[c]
            keep = [x for x in sc["I"] if not (x["neg"] and (c in cs(x) or x["c"] == "normal"))]
            IMP = [claim] + [x["t"] for x in keep]
            F = [x["t"] for x in sc["F"]]
            detail = (f"composed: {sc['name']}; IMPRESSION asserts '{claim}' while FINDINGS say "
                      f"'{sc['F'][fi]['t']}'")
        else:
            negatable = {"effusion": ["No pleural effusion.", "Costophrenic angles clear."],
                         "consolidation": ["Lungs clear.", "No consolidation.", "No focal lung abnormality."],
                         "cardiomegaly": ["Heart size is normal.", "Normal cardiac size."],
                         "pneumothorax": ["No pneumothorax."], "oedema": ["No pulmonary oedema."],
                         "nodule": ["No pulmonary nodule."], "mass": ["No mass lesion."],
                         "freegas": ["No free gas under the diaphragm."], "fracture": ["No rib fracture."],
                         "copd": ["Normally inflated lungs."], "fb": ["No radio-opaque foreign body seen."]}

            def want(sc):
                opts = [(fi, f["c"]) for fi, f in enumerate(sc["F"]) if not f["neg"] and f["c"] in negatable
                        and any(x["c"] == f["c"] and not x["neg"] for x in sc["I"])]
                return opts or None
            sc = pick_scenario(rng, us, want)
            fi, c = rng.choice(sc["ctx"])
            negs = rng.choice(negatable[c])
            IMP = []
            placed = False
            for x in sc["I"]:
                if x["c"] == c:
                    if not placed:
                        IMP.append(negs)
                        placed = True
                else:
                    IMP.append(x["t"])
            F = [x["t"] for x in sc["F"]]
            detail = (f"composed: {sc['name']}; IMPRESSION negates ('{negs}') what FINDINGS affirm: "
                      f"'{sc['F'][fi]['t']}'")
    elif kind == "impression_omits_finding":
        others_variant = k % 2 == 1

        def want(sc):
            sigs = [fi for fi, f in enumerate(sc["F"]) if f["sig"] and any(x["c"] == f["c"] for x in sc["I"])]
            if not sigs:
                return None
            fi = sigs[0]
            c = sc["F"][fi]["c"]
            others = [x for x in sc["I"] if x["c"] != c and not x["neg"] and x["c"] not in ("", "normal")]
            if others_variant and not others:
                return None
            return (fi, c, others)
        sc = pick_scenario(rng, us, want)
        fi, c, others = sc["ctx"]
        F = [x["t"] for x in sc["F"]]
        if others_variant:
            IMP = [x["t"] for x in others]
            detail = (f"composed: {sc['name']}; IMPRESSION lists only other findings and leaves out "
                      f"'{F[fi]}'")
        else:
            IMP = [normal_imp(rng, us)["t"]]
            detail = f"composed: {sc['name']}; IMPRESSION replaced by a normal statement despite '{F[fi]}'"
    else:  # placeholder
        sc = pick_scenario(rng, us)
        F, IMP = [x["t"] for x in sc["F"]], [x["t"] for x in sc["I"]]
        where = "IMPRESSION" if k % 3 == 2 else "FINDINGS"
        lst = IMP if where == "IMPRESSION" else F
        order = list(range(len(lst)))
        rng.shuffle(order)
        for j in order:
            res = placeholder_in(rng, lst[j])
            if res:
                lst[j] = res[0]
                detail = (f"composed: {sc['name']}; in {where} '{res[1]}' replaced by unfilled template field "
                          f"'{res[2]}'")
                break
        else:
            where = "FINDINGS"
            F.append("Heart size is [***].")
            detail = f"composed: {sc['name']}; unfilled template sentence 'Heart size is [***].' left in FINDINGS"
    ind = sc["ind"]
    report = render(rng, layout, ind, sc["comp"], F, IMP, missing=missing, impression_only=impression_only)
    if kind is None:
        assert not re.search(r"\[|\*\*\*|<<", report), report
    return {"injected": kind, "detail": detail + f" [layout {layout}]", "report": report}


def iu_text_style(rng: random.Random, layout: str, sents: list) -> tuple:
    us = us_of(layout)
    out = []
    changed = False
    for s in sents:
        t = s if us else to_uk(s)
        t = re.sub(r"\s+([,.])", r"\1", t)
        changed |= t != s
        out.append(t)
    return out, changed


def iu_case(rng: random.Random, kind, rec: tuple, k: int) -> dict:
    uid, ind, comp, fs, is_ = rec[:5]
    layout = rng.choice(LAYOUTS)
    fs, ch1 = iu_text_style(rng, layout, fs)
    is_, ch2 = iu_text_style(rng, layout, is_)
    notes = [f"re-laid out in {layout} template"]
    if ch1 or ch2:
        notes.append("UK spelling" if not us_of(layout) else "spacing tidied")
    ind = re.sub(r"^(indication|history)\s*:\s*", "", ind, flags=re.I)
    ind = ind or rng.choice(["Admission film.", "Physical health check."])
    ind = ind.rstrip(".") + "."
    if rng.random() < 0.3:
        ind = rng.choice(["Inpatient, mental health unit. ", "From psychiatric ward. ",
                          "Transferred from PICU. "]) + ind
        notes.append("ward line added to clinical details")
    comp = re.sub(r"\.{2,}", ".", comp)
    F, IMP = list(fs), list(is_)
    missing = ""
    change = "unchanged otherwise (clean)"
    if kind == "missing_section":
        missing = ["findings_empty", "impression_empty", "impression_sig", "impression_removed"][k % 4]
        change = {"findings_empty": "FINDINGS emptied (header kept)",
                  "impression_empty": "IMPRESSION emptied (header kept)",
                  "impression_sig": "IMPRESSION emptied, only the sign-off under its header",
                  "impression_removed": "IMPRESSION section removed"}[missing]
    elif kind == "laterality_conflict":
        side, pairs = rec[5], rec[6]
        fi, ii = rng.choice(pairs)
        if k % 2 == 0:
            old = F[fi]
            F[fi] = flip_sides(old)
            change = f"side flipped in FINDINGS: '{old}' -> '{F[fi]}' (impression: '{IMP[ii]}')"
        else:
            old = IMP[ii]
            IMP[ii] = flip_sides(old)
            change = f"side flipped in IMPRESSION: '{old}' -> '{IMP[ii]}' (findings: '{F[fi]}')"
    elif kind == "negation_conflict":
        if len(rec) == 6 and isinstance(rec[5], list):
            c = rng.choice(rec[5])
            side = rng.choice(["left", "right"])
            claim = {"effusion": f"{rng.choice(['Small', 'Moderate'])} {side} pleural effusion.",
                     "pneumothorax": f"Small {side} apical pneumothorax.",
                     "consolidation": rng.choice([f"{cap(side)} lower lobe consolidation, likely aspiration.",
                                                  f"{cap(side)} basal pneumonia."]),
                     "cardiomegaly": "Cardiomegaly.",
                     "oedema": "Mild interstitial pulmonary oedema."}[c]
            if not us_of(layout):
                claim = to_uk(claim)
            IMP = [claim]
            change = f"IMPRESSION replaced by '{claim}', which the FINDINGS negate"
        else:
            c = rec[5]
            negs = {"cardiomegaly": "Heart size is normal.", "effusion": "No pleural effusion.",
                    "consolidation": "The lungs are clear.", "pneumothorax": "No pneumothorax.",
                    "oedema": "No pulmonary oedema."}[c]
            if us_of(layout):
                negs = to_us(negs)
            rx = CONCEPTS[c]
            newI, placed = [], False
            for t in IMP:
                if re.search(rx, t.lower()):
                    if not placed:
                        newI.append(negs)
                        placed = True
                else:
                    newI.append(t)
            IMP = newI
            change = f"IMPRESSION sentence on {c} replaced by '{negs}', negating the FINDINGS"
    elif kind == "impression_omits_finding":
        fi, sig, named = rec[5][0]
        rest = [t for j, t in enumerate(IMP) if j not in named and not sentence_is_normal(t)
                and not re.search(r"recommend|follow|suggest|consider|correlat|resol", t.lower())]
        if k % 2 == 1 and rest:
            IMP = rest
            change = f"IMPRESSION keeps only other findings; {sig} ('{F[fi]}') left out"
        else:
            IMP = [rng.choice(NORMAL_IMP_US if us_of(layout) else NORMAL_IMP_UK)]
            change = f"IMPRESSION replaced by '{IMP[0]}' despite {sig} in FINDINGS ('{F[fi]}')"
    elif kind == "placeholder":
        order = [("IMPRESSION", j) for j in range(len(IMP))] + [("FINDINGS", j) for j in range(len(F))]
        rng.shuffle(order)
        if k % 2 == 0:
            order.sort(key=lambda x: x[0] != "FINDINGS")
        for where, j in order:
            lst = F if where == "FINDINGS" else IMP
            res = placeholder_in(rng, lst[j])
            if res:
                lst[j] = res[0]
                change = f"in {where} '{res[1]}' replaced by unfilled template field '{res[2]}'"
                break
    report = render(rng, layout, ind, comp, F, IMP, missing=missing)
    if kind is None:
        assert not re.search(r"\[|\*\*\*|<<", report), report
    return {"injected": kind, "detail": f"IU {uid}: {'; '.join(notes)}; {change}", "report": report}


# ----------------------------------------------------------------------------------------------
# Build
# ----------------------------------------------------------------------------------------------


def build(seed: int) -> list:
    rng = random.Random(f"heldout158-{seed}")
    rows_iu, _dev = load_iu(str(shared_dir()))
    pools = classify_iu(rows_iu)
    for name in sorted(pools):
        rng.shuffle(pools[name])
    used = []
    used_set = {}

    def take(pool: str, n: int) -> list:
        out = []
        for rec in pools[pool]:
            if len(out) == n:
                break
            if rec[0] in used_set:
                continue
            used_set[rec[0]] = True
            used.append(rec[0])
            out.append(rec)
        if len(out) < n:
            raise RuntimeError(f"IU pool {pool} too small")
        return out

    half = N_PER_KIND // 2
    plan = []  # (kind, source, rec)
    # scarce pools first
    for rec in take("lat", half):
        plan.append(("laterality_conflict", rec))
    omit_recs = take("omit", half)
    for rec in omit_recs:
        plan.append(("impression_omits_finding", rec))
    nb = half // 4
    for rec in take("neg_b", nb):
        plan.append(("negation_conflict", rec))
    for rec in take("neg_a", half - nb):
        plan.append(("negation_conflict", rec))
    n_abn = N_CLEAN // 2 * 3 // 10
    for rec in take("abn_clean", n_abn):
        plan.append((None, rec))
    for rec in take("normal", N_CLEAN // 2 - n_abn):
        plan.append((None, rec))
    for rec in take("any", half):
        plan.append(("missing_section", rec))
    for rec in take("any", half):
        plan.append(("placeholder", rec))

    rows = []
    counters = {}
    for kind, rec in plan:
        k = counters.get(("iu", kind), 0)
        counters[("iu", kind)] = k + 1
        rows.append(iu_case(rng, kind, rec, k))
    for kind in [None] + KINDS:
        n = N_CLEAN // 2 if kind is None else half
        for k in range(n):
            rows.append(composed_case(rng, kind, k))
    rng.shuffle(rows)
    out = []
    for k, r in enumerate(rows):
        out.append({"id": f"h158-{seed}-{k}", "injected": r["injected"], "detail": r["detail"],
                    "report": r["report"]})
    return out


def main(argv=None) -> None:
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
            shown = [r for r in rows if r["injected"] == kind]
            iu = [r for r in shown if r["detail"].startswith("IU ")][: (a.show + 1) // 2]
            comp = [r for r in shown if not r["detail"].startswith("IU ")][: a.show - len(iu)]
            for r in comp + iu:
                print(f"===== {r['id']}  injected={kind}\n-- {r['detail']}\n{r['report']}\n", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
