"""Held-out report-check set no. 31: exceptions and the scope of what is ruled out.

Written blind: without reading the checker, its tests, its docs or any other held-out generator.
Only the scorer's format, the shared eval README, the IU archive and the dev set's ``uid`` field were read.

Styles (theme: exceptions and the scope of negation):
- normal statements carrying an exception ("The lungs are clear except for ...", "Normal chest other than ...",
  "Apart from ..., the lungs are clear", "with the exception of", "Otherwise unremarkable", "The remainder is
  normal");
- lists of negatives with one positive tacked on after "but" / "although" / "however";
- negatives limited to a side or a zone ("No effusion on the left", "No consolidation in the upper zones",
  "The left costophrenic angle is sharp") beside a finding elsewhere;
- layouts: capitals block with history/comparison, one-line "Findings:/Impression:", one sentence a line with a
  numbered impression, and a teleradiology sign-off carrying MIMIC-style ``___`` name/date masks.
Half of every group is composed from the phrase bank below, half are real IU (Open-i) normal reports, dev uids
excluded, re-laid-out with one themed finding worked into their negatives.

Errors are made as real slips: the exception dropped from one section's normal statement, the exception moved
to the other side, the finding slipped into a list of negatives, a normal macro pasted as the impression, a
template field left blank, a section lost.

usage: python -m bench.make_heldout31 OUT.jsonl --seed S [--show N]
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
N_CLEAN, N_KIND, N_TOTAL = 200, 40, 400
OPP = {"right": "left", "left": "right"}


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"


# ---------------------------------------------------------------- key findings (the "exception")
# Each template may use {side} {opp} {grade} {n} {zone} {lobe} {ord}.
CATS = {
    "effusion": dict(
        fp=["a {grade} {side} pleural effusion", "a {grade} {side}-sided pleural effusion",
            "a {grade} amount of fluid in the {side} pleural space"],
        ip=["{grade} {side} pleural effusion", "{grade} {side} effusion"],
        words=r"effusion|fluid|costophrenic|blunt|pleural", dom="the lungs and pleural spaces are clear",
        dom_oth="the pleural spaces are otherwise clear", name="pleural effusion",
        norm_f=["No pleural effusion.", "The costophrenic angles are clear.", "No pleural fluid is seen."],
        norm_i="no pleural effusion",
        scoped=["No effusion on the {opp}.", "The {opp} costophrenic angle is sharp.", "No {opp}-sided effusion."],
        drop=r"effusion|pleural|costophrenic|fluid"),
    "pneumothorax": dict(
        fp=["a small {side} apical pneumothorax", "a {side} pneumothorax with an apical rim of {n} mm",
            "a shallow {side} pneumothorax"],
        ip=["{side} pneumothorax", "small {side} apical pneumothorax"],
        words=r"pneumothora|pleural air|air leak|lung edge|ptx", dom="the lungs and pleural spaces are clear",
        dom_oth="the pleural spaces are otherwise clear", name="pneumothorax",
        norm_f=["No pneumothorax.", "No pneumothorax is seen."], norm_i="no pneumothorax",
        scoped=["No {opp}-sided pneumothorax.", "No pneumothorax on the {opp}."],
        drop=r"pneumothora|pleural"),
    "consolidation": dict(
        fp=["patchy consolidation in the {side} {zone} zone", "airspace opacity in the {side} {zone} zone",
            "consolidation in the {side} {lobe} lobe"],
        ip=["{side} {zone} zone consolidation, likely infective", "{side} {zone} zone pneumonia",
            "{side} {lobe} lobe consolidation"],
        words=r"consolidat|air ?space|air-space|opacit|opacif|shadowing|pneumoni|infect|infiltrat",
        dom="the lungs are clear", dom_oth="the lungs are otherwise clear", name="consolidation",
        norm_f=["The lungs are clear.", "No focal consolidation."], norm_i="lungs clear",
        scoped=["The {opp} lung is clear.", "No consolidation in the {otherzones}."],
        drop=r"lung|air ?space|consolidat|opacit|pneumonia|infiltrat|clear"),
    "nodule": dict(
        fp=["a {n} mm nodule in the {side} {zone} zone",
            "a {n} mm rounded opacity projected over the {side} {zone} zone",
            "a well-defined {n} mm {side} {zone} zone nodule"],
        ip=["{n} mm {side} {zone} zone nodule", "{n} mm nodule, {side} {zone} zone"],
        words=r"nodul|opacit|lesion|mass|neoplas|tumou?r", dom="the lungs are clear",
        dom_oth="the lungs are otherwise clear", name="pulmonary nodule",
        norm_f=["The lungs are clear.", "No pulmonary nodule or mass."], norm_i="no pulmonary nodule",
        scoped=["The {opp} lung is clear.", "No other nodule is seen."],
        drop=r"lung|nodul|mass|opacit|granuloma|clear"),
    "atelectasis": dict(
        fp=["linear atelectasis at the {side} base", "minor {side} basal atelectasis",
            "a band of subsegmental atelectasis in the {side} lower zone"],
        ip=["minor {side} basal atelectasis", "{side} basal subsegmental atelectasis"],
        words=r"atelecta|collapse|volume loss|scar|linear|band", dom="the lungs are clear",
        dom_oth="the lungs are otherwise clear", name="atelectasis",
        norm_f=["The lungs are clear.", "The lung bases are clear."], norm_i="lungs clear",
        scoped=["The {opp} base is clear.", "No consolidation in the upper zones."],
        drop=r"lung|atelecta|clear|base|airspace|opacit|consolidat"),
    "collapse": dict(
        fp=["collapse of the {side} lower lobe",
            "a triangular opacity at the {side} base in keeping with lower lobe collapse",
            "volume loss and opacification of the {side} lower lobe in keeping with collapse"],
        ip=["{side} lower lobe collapse", "collapse of the {side} lower lobe"],
        words=r"collapse|atelecta|volume loss|opacif|lobe", dom="the lungs are clear",
        dom_oth="the lungs are otherwise clear", name="lobar collapse",
        norm_f=["The lungs are clear.", "The lungs are well expanded and clear."], norm_i="lungs clear",
        scoped=["The {opp} lung is clear.", "No consolidation in the upper zones."],
        drop=r"lung|atelecta|clear|airspace|opacit|expan|consolidat"),
    "cardiomegaly": dict(
        fp=["mild cardiomegaly", "a mildly enlarged cardiac silhouette"],
        ip=["mild cardiomegaly", "mildly enlarged heart"],
        words=r"cardiomegal|heart|cardiac", dom="the chest is normal",
        dom_oth="the mediastinal contours are otherwise normal", name="cardiomegaly",
        norm_f=["Heart size is normal.", "The cardiac silhouette is normal in size."], norm_i="normal heart size",
        scoped=[], drop=r"heart|cardi|mediastin"),
    "fracture": dict(
        fp=["an old healed fracture of the {side} {ord} rib", "a healed {side} {ord} rib fracture"],
        ip=["old healed {side} {ord} rib fracture", "healed fracture, {side} {ord} rib"],
        words=r"fractur|rib|callus|bon|osseous|skelet", dom="the bones are intact",
        dom_oth="the bones are otherwise intact", name="rib fracture",
        norm_f=["The bones are intact.", "No bony abnormality."], norm_i="no bony abnormality",
        scoped=["No acute rib fracture."], drop=r"bon|osseous|skelet|fractur|rib|spine|spondyl|degenerat"),
}
SIDED = {"effusion", "pneumothorax", "consolidation", "nodule", "atelectasis", "collapse", "fracture"}
NEG_ITEMS = {"pneumothorax": "pneumothorax", "effusion": "pleural effusion", "consolidation": "focal consolidation",
             "nodule": "nodule", "collapse": "collapse", "cardiomegaly": "cardiomegaly", "atelectasis": "atelectasis",
             "fracture": "rib fracture"}
PULM = {"consolidation", "nodule", "atelectasis", "collapse"}
# normal background statements: (categories they would rule out, text)
NORMALS_HEART = [({"cardiomegaly"}, "Heart size is normal."),
                 ({"cardiomegaly"}, "The cardiomediastinal silhouette is within normal limits."),
                 ({"cardiomegaly"}, "Normal cardiac and mediastinal contours."),
                 ({"cardiomegaly"}, "The heart is not enlarged and the mediastinum is central.")]
NORMALS_PLEURA = [({"pneumothorax"}, "No pneumothorax."), ({"effusion"}, "No pleural effusion."),
                  ({"effusion", "pneumothorax"}, "The pleural spaces are clear."),
                  ({"effusion", "pneumothorax"}, "No pleural effusion or pneumothorax.")]
NORMALS_LUNG = [(PULM, "The lungs are clear."), (PULM | {"pneumothorax"}, "Both lungs are clear and well expanded."),
                ({"consolidation", "collapse"}, "No focal consolidation.")]
NORMALS_BONE = [({"fracture"}, "The visualised bones are unremarkable."), ({"fracture"}, "No bony abnormality."),
                (set(), "The upper abdomen is unremarkable."), (set(), "Soft tissues are normal.")]
CLOSERS = ["Otherwise unremarkable.", "The remainder is normal.", "Otherwise normal appearances.",
           "The rest of the study is unremarkable."]
SECONDARY = [  # (category it overlaps, findings sentence, impression phrase, background it contradicts)
    ("cardiomegaly", "The heart is mildly enlarged.", "mild cardiomegaly", r"heart|cardi|mediastin"),
    (None, "The thoracic aorta is unfolded.", "unfolded thoracic aorta", r"aort|mediastin"),
    ("fracture", "There is degenerative change in the thoracic spine.", "thoracic spondylosis",
     r"bon|osseous|skelet|spine|degenerat"),
    (None, "The lungs are hyperinflated.", "hyperinflation in keeping with COPD", r"inflat|expan|volume"),
    (None, "Median sternotomy wires are intact.", "post-sternotomy appearances", r"sternotomy|postoperative|surg"),
]
NORMAL_IMPS = ["No acute cardiopulmonary abnormality.", "Normal chest radiograph.", "No acute disease.",
               "No active disease in the chest.", "Normal chest.", "No acute abnormality."]
HISTORIES = ["Cough, ?infection.", "Shortness of breath.", "___ with productive cough and fever.",
             "Chest pain, ?cause.", "Pre-operative assessment.", "Follow-up, smoker.", "Haemoptysis.",
             "Fall, right-sided chest wall pain.", "Fever of unknown origin.", "Routine pre-employment film."]
COMPARISONS = ["None.", "___.", "Previous film of ___.", "No prior imaging available.", "Chest X-ray ___."]
PH_SIDE = ["[LEFT/RIGHT]", "[right/left]", "[side]", "***"]
PH_NUM = ["XX", "___", "[***]", "<insert>"]
PH_GRADE = ["[small/moderate/large]", "___", "[***]", "<grade>"]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def an(s: str) -> str:
    return re.sub(r"\b([Aa]) (8|11|18)\b", lambda m: m.group(1) + "n " + m.group(2), s)


class Key:
    """One themed finding, with everything needed to write it and to break it."""

    def __init__(self, rng: random.Random, cat: str, sig: bool | None = None):
        self.cat, self.c = cat, CATS[cat]
        self.side = rng.choice(["right", "left"])
        self.zone = rng.choice(["lower", "mid", "upper"])
        mid = "middle" if self.side == "right" else "upper"
        self.lobe = {"lower": "lower", "mid": mid, "upper": "upper"}[self.zone]
        self.ord = rng.choice(["5th", "6th", "7th", "8th", "ninth", "fourth"])
        if cat == "effusion":
            big = rng.random() < 0.5 if sig is None else sig
            self.grade = rng.choice(["moderate", "large"] if big else ["small", "trace", "small"])
            self.sig = big
        elif cat == "nodule":
            big = rng.random() < 0.6 if sig is None else sig
            self.n = str(rng.choice([7, 8, 9, 11, 12, 14, 18] if big else [3, 4, 5]))
            self.sig = big
        else:
            self.sig = cat in {"pneumothorax", "consolidation", "collapse"}
        self.grade = getattr(self, "grade", "")
        self.n = getattr(self, "n", str(rng.choice([8, 10, 15, 20])))
        self.fi = rng.randrange(len(self.c["fp"]))
        self.ii = rng.randrange(len(self.c["ip"]))
        if cat == "consolidation" and self.fi == 2:
            self.ii = 2
        if cat == "consolidation" and self.ii == 2:
            self.fi = 2
        if cat == "atelectasis" and self.fi == 2:
            self.zone = "lower"
        if self.lobe == "upper" and self.zone == "mid":
            self.zone = "upper"

    def vals(self, flip=False, blank=None):
        side = OPP[self.side] if flip else self.side
        v = dict(side=side, opp=OPP[side], grade=self.grade, n=self.n, zone=self.zone, lobe=self.lobe, ord=self.ord,
                 otherzones={"lower": "upper zones", "upper": "lower zones", "mid": "upper zones"}[self.zone])
        if blank:
            v[blank[0]] = blank[1]
        return v

    def fp(self, **kw):
        return an(self.c["fp"][self.fi].format(**self.vals(**kw)))

    def ip(self, **kw):
        return an(self.c["ip"][self.ii].format(**self.vals(**kw)))

    def fields(self, section):
        t = (self.c["fp"][self.fi] if section == "F" else self.c["ip"][self.ii])
        out = []
        if "{side}" in t:
            out.append("side")
        if "{n}" in t:
            out.append("n")
        if "{grade}" in t:
            out.append("grade")
        return out


# ---------------------------------------------------------------- sentence builders
def exception_sentence(rng, k: Key, fp: str, whole_chest=False) -> str:
    """The key finding worked into a normal statement; whole_chest allows "Normal chest other than ..."."""
    dom, dom_oth = k.c["dom"], k.c["dom_oth"]
    pats = [f"{cap(dom)} except for {fp}.", f"{cap(dom)} apart from {fp}.",
            f"{cap(dom)}, with the exception of {fp}.", f"Apart from {fp}, {dom}.",
            f"{cap(fp)} is noted; {dom_oth}.", f"There is {fp}, although {dom_oth}.",
            f"{cap(fp)}. {cap(dom_oth)}."]
    if k.cat == "cardiomegaly":
        pats = [f"There is {fp}; {dom_oth}.", f"Cardiomediastinal contours are normal apart from {fp}."]
    if whole_chest:
        pats += [f"Normal chest other than {fp}.", f"Normal appearances with the exception of {fp}."]
    negs = [NEG_ITEMS[c] for c in ("pneumothorax", "effusion", "consolidation") if c not in conflicts(k.cat)]
    lst = negs[0] if len(negs) == 1 else ", ".join(negs[:-1]) + " or " + negs[-1]
    pats += [f"No {lst}, but there is {fp}.", f"No {lst}; however, there is {fp}."]
    return rng.choice(pats)


def conflicts(cat):
    if cat in PULM:
        return PULM | {"consolidation"}
    return {cat}


def neg_list_with(rng, k: Key) -> str:
    items = ["pneumothorax", "pleural effusion", "focal consolidation"]
    mine = NEG_ITEMS[k.cat]
    if mine not in items:
        items[rng.randrange(3)] = mine
    rng.shuffle(items)
    return "No " + ", ".join(items[:-1]) + " or " + items[-1] + "."


def background(rng, k: Key | None, n_extra=2):
    """Composed normal statements that do not rule out the key finding."""
    avoid = conflicts(k.cat) if k else set()
    sents = []
    for bank in (NORMALS_HEART, NORMALS_LUNG, NORMALS_PLEURA, NORMALS_BONE):
        ok = [s for c, s in bank if not (c & avoid)]
        if ok and (rng.random() < 0.85 or (k is None and bank is not NORMALS_BONE)):
            sents.append(rng.choice(ok))
    return sents


def impression_with(rng, k: Key, ip: str) -> list[str]:
    negs = [NEG_ITEMS[c] for c in ("pneumothorax", "consolidation", "effusion") if c not in conflicts(k.cat)][:2]
    pats = [[f"{cap(ip)}.", "Otherwise no acute abnormality."],
            [f"No acute cardiopulmonary abnormality apart from {ip}."],
            [f"Normal chest other than {ip}."], [f"{cap(ip)}; the remainder is normal."],
            [f"No acute findings, with the exception of {ip}."], [f"{cap(ip)}, but no {' or '.join(negs)}."]]
    imp = list(rng.choice(pats))
    if k.cat == "nodule" and k.sig:
        imp.append(rng.choice(["CT chest is recommended.", "Suggest CT for further assessment."]))
    if k.cat == "consolidation" and rng.random() < 0.4:
        imp.append("Follow-up radiograph after treatment is suggested.")
    if k.cat == "pneumothorax" and rng.random() < 0.4:
        imp.append("Discussed with Dr. ___ at ___.")
    return imp


# ---------------------------------------------------------------- IU background
def load_iu(shared: Path, dev: set[str]):
    tgz = shared / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    pool = []
    pos = re.compile(r"effusion|pneumothora|consolidat|edema|oedema|opacit|nodul|mass|atelecta|cardiomegal|enlarge"
                     r"|infiltrat|collapse|fractur|granuloma|scar", re.I)
    negcue = re.compile(r"\b(no|without|not|negative|clear|free)\b", re.I)
    with tarfile.open(tgz) as t:
        for m in sorted(t.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            r = ET.fromstring(t.extractfile(m).read())
            uid = r.find("uId").get("id")
            if uid in dev:
                continue
            d = {a.get("Label"): (a.text or "").strip() for a in r.iter("AbstractText")}
            f, i = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if not f or not i or re.search(r"\b(right|left|bilateral|both|unilateral)\b|___|\[|<|\*", f + i, re.I):
                continue
            if not re.match(r"(no acute|normal|no active|negative|no evidence of acute)", i, re.I):
                continue
            sents = [s.strip().rstrip(".") + "." for s in re.split(r"(?<=\.)\s+", f) if s.strip(" .")]
            if any(pos.search(s) and not negcue.search(s) for s in sents) or len(sents) < 2:
                continue
            pool.append(dict(uid=uid, sents=sents, imp=i.rstrip(".") + ".", ind=d.get("INDICATION", ""),
                             comp=d.get("COMPARISON", "")))
    return pool


RETRIES: dict = {}
GENERIC_DROP = r"\bacute\b|unremarkable|\bclear\b|no (active|evidence of) disease|normal (chest|study|exam|radiograph)"


# ---------------------------------------------------------------- rendering
def render(rng, style, pre, findings, impression):
    """findings/impression: list of sentences; None = section absent; [] = header left empty."""
    hist, comp = pre

    def fblock(sep):
        return None if findings is None else sep.join(findings)

    if style == "caps":
        head = "CHEST X-RAY, PA" if rng.random() < 0.5 else "EXAMINATION: CHEST RADIOGRAPH (PA AND LATERAL)"
        parts = [head, "", f"CLINICAL HISTORY: {hist}", f"COMPARISON: {comp}", ""]
        if findings is not None:
            parts += ["FINDINGS:", fblock(" "), ""]
        if impression is not None:
            parts += ["IMPRESSION:", " ".join(impression)]
        return "\n".join(parts).rstrip() + "\n"
    if style == "inline":
        parts = [f"Chest radiograph. Indication: {hist} Comparison: {comp}"]
        if findings is not None:
            parts.append(("Findings: " + fblock(" ")).rstrip())
        if impression is not None:
            parts.append(("Impression: " + " ".join(impression)).rstrip())
        return "\n".join(parts) + "\n"
    if style == "lines":
        parts = [f"Reason for exam: {hist}", f"Prior: {comp}", ""]
        if findings is not None:
            parts += ["FINDINGS"] + list(findings) + [""]
        if impression is not None:
            parts.append("IMPRESSION")
            if len(impression) > 1:
                parts += [f"{i}. {s}" for i, s in enumerate(impression, 1)]
            else:
                parts += impression
        return "\n".join(parts).rstrip() + "\n"
    # telerad
    parts = ["TELERADIOLOGY REPORT - CHEST PA", f"Clinical information: {hist}", f"Comparison: {comp}", ""]
    if findings is not None:
        parts += ["Findings:", fblock(" "), ""]
    if impression is not None:
        parts += ["Impression:", " ".join(impression), ""]
    parts.append(rng.choice(["Reported by Dr ___, Consultant Radiologist, on ___.",
                             "Electronically signed: ___ MD, ___.", "Verified by Dr. ___ ___"]))
    return "\n".join(parts).rstrip() + "\n"


# ---------------------------------------------------------------- one case
def pick_key(rng, kind):
    cats = list(CATS)
    if kind == "laterality_conflict":
        cats = sorted(SIDED)
    if kind == "impression_omits_finding":
        k = Key(rng, rng.choice(["effusion", "pneumothorax", "consolidation", "nodule", "collapse"]), sig=True)
        return k
    if kind == "placeholder":
        cats = [c for c in cats if c != "cardiomegaly"]
    return Key(rng, rng.choice(cats))


def strip_for(base, at, pattern):
    """Drop background sentences a secondary finding would contradict, keeping the insertion point."""
    rx = re.compile(pattern, re.I)
    keep = [(i, s) for i, s in enumerate(base) if not rx.search(s)]
    if at is not None:
        at = sum(1 for i, _ in keep if i < at)
    return [s for _, s in keep], at


def make_case(rng, kind, iu=None):
    """Return (report, detail, check) where check is a dict used by verify()."""
    style = rng.choice(["caps", "inline", "lines", "telerad"])
    if iu:
        pre = (iu["ind"] or "Not given.", iu["comp"] or "None.")
    else:
        pre = (rng.choice(HISTORIES), rng.choice(COMPARISONS))
    use_key = kind not in (None, "missing_section") or rng.random() < 0.8
    k = pick_key(rng, kind) if use_key else None
    chk = dict(kind=kind, key=k)
    # ---- findings
    sec = None
    if k and rng.random() < 0.45 and k.cat not in {"cardiomegaly"}:
        sec = rng.choice([s for s in SECONDARY if s[0] != k.cat and not (s[0] == "fracture" and k.cat == "fracture")])
    if iu:
        base = list(iu["sents"])
        if k:
            drop = re.compile(k.c["drop"] + "|" + GENERIC_DROP, re.I)
            idx = [i for i, s in enumerate(base) if drop.search(s)]
            at = idx[0] if idx else min(1, len(base))
            base = [s for s in base if not drop.search(s)]
            at = min(at, len(base))
        else:
            at = None
    else:
        base = background(rng, k)
        at = 1 if len(base) > 1 else len(base)
        if k is None and rng.random() < 0.5:
            base.append(rng.choice(CLOSERS))
    scoped = []
    if k and k.cat in SIDED and k.c["scoped"] and rng.random() < 0.6 and kind != "laterality_conflict":
        scoped = [rng.choice(k.c["scoped"]).format(**k.vals())]
    whole = not iu and sec is None
    ksent = exception_sentence(rng, k, k.fp(), whole) if k else None
    if sec:
        base, at = strip_for(base, at, sec[3])
        base.insert(0 if rng.random() < 0.5 else len(base), sec[1])
        if at is not None and base[0] == sec[1]:
            at += 1
    imp = None
    detail = "unmodified"
    if k:
        imp = impression_with(rng, k, k.ip())
        if sec and rng.random() < 0.6:
            imp.insert(1 if len(imp) > 1 else len(imp), cap(sec[2]) + ".")
            imp[0] = imp[0].replace("Normal chest other than", "No acute abnormality other than")
        if not k.sig and rng.random() < 0.15 and kind is None:
            imp = [rng.choice(NORMAL_IMPS[:1] + NORMAL_IMPS[2:4]) if not iu else iu["imp"]]  # allowed omission
            detail = f"unmodified; non-significant {k.cat} not repeated in impression"
    else:
        imp = [iu["imp"]] if iu else [rng.choice(NORMAL_IMPS)]
        if sec:
            imp = [f"No acute abnormality apart from {sec[2]}."]
    # ---- injections
    if kind == "laterality_conflict":
        where = rng.choice("FI")
        if where == "F":
            ksent = exception_sentence(rng, k, k.fp(flip=True), whole)
            bad = k.fp(flip=True)
        else:
            imp = impression_with(rng, k, k.ip(flip=True))
            bad = k.ip(flip=True)
        chk.update(where=where, bad=bad)
        detail = (f"{k.cat} moved to the {OPP[k.side]} side in {'FINDINGS' if where == 'F' else 'IMPRESSION'} "
                  f"('{bad}'); other section has {k.side}")
    elif kind == "negation_conflict":
        modes = ["f_norm", "f_list"] + (["i_norm", "i_list"] * 2 if not k.sig else [])
        mode = rng.choice(modes)
        if mode == "f_norm":
            ksent = rng.choice(k.c["norm_f"])
            scoped = []
            detail = f"exception dropped in FINDINGS: '{ksent}' while IMPRESSION has '{k.ip()}'"
        elif mode == "f_list":
            ksent = neg_list_with(rng, k)
            scoped = []
            detail = f"{k.cat} slipped into FINDINGS' list of negatives: '{ksent}'; IMPRESSION has '{k.ip()}'"
        elif mode == "i_norm":
            imp = [cap(k.c["norm_i"]) + ".", rng.choice(["No acute abnormality.", "Otherwise normal."])]
            detail = f"exception dropped in IMPRESSION ('{imp[0]}') while FINDINGS report {k.fp()}"
        else:
            imp = [neg_list_with(rng, k)]
            if sec:
                imp.insert(0, cap(sec[2]) + ".")
            detail = f"{k.cat} slipped into IMPRESSION's negatives while FINDINGS report {k.fp()}"
        if k.cat == "fracture":
            scoped = []
        chk.update(mode=mode)
    elif kind == "impression_omits_finding":
        if rng.random() < 0.5:
            if not sec:
                sec = rng.choice([s for s in SECONDARY if s[0] is None])
                base, at = strip_for(base, at, sec[3])
                base.append(sec[1])
                ksent = exception_sentence(rng, k, k.fp())
            imp = [rng.choice([f"No acute abnormality apart from {sec[2]}.", f"Normal chest other than {sec[2]}.",
                               f"{cap(sec[2])}. Otherwise unremarkable.",
                               f"{cap(sec[2])}; no acute cardiopulmonary process."])]
            detail = f"IMPRESSION lists only {sec[2]}; omits {k.fp()}"
        else:
            imp = [iu["imp"]] if iu and rng.random() < 0.6 else [rng.choice(NORMAL_IMPS)]
            detail = f"normal macro as IMPRESSION ('{imp[0]}'); FINDINGS report {k.fp()}"
    elif kind == "placeholder":
        opts = [("F", f) for f in k.fields("F")] + [("I", f) for f in k.fields("I")]
        where, field = rng.choice(opts)
        tok = rng.choice({"side": PH_SIDE, "n": PH_NUM, "grade": PH_GRADE}[field])
        if where == "F":
            ksent = exception_sentence(rng, k, k.fp(blank=(field, tok)), whole)
        else:
            imp = impression_with(rng, k, k.ip(blank=(field, tok)))
        chk.update(token=tok)
        detail = f"{field} left as '{tok}' in {'FINDINGS' if where == 'F' else 'IMPRESSION'}"
    if ksent and re.match(r"Normal (chest|appearances)", ksent):
        at = 0
    if ksent and "lungs" in ksent:
        base = [x for x in base if x not in [t for _, t in NORMALS_LUNG]]
    if ksent and "pleural spaces" in ksent:
        base = [x for x in base if x != "The pleural spaces are clear."]
    if at is not None:
        at = min(at, len(base))
    if scoped and kind in (None, "placeholder") and rng.random() < 0.35:
        imp.append(rng.choice(k.c["scoped"]).format(**k.vals()))
    findings = list(base)
    if ksent and re.match(r"No .*(but|however)", ksent):  # a list of negatives: do not repeat them
        findings = [x for x in findings if not re.search(r"pneumothorax|pleural effusion|focal consolidation|"
                                                          r"pleural spaces are clear|focal airspace", x, re.I)]
        at = min(at, len(findings))
    if ksent:
        findings.insert(at, ksent)
        for s in scoped:
            findings.insert(at + 1, s)
    if not iu and k and rng.random() < 0.3:
        findings.append(rng.choice(CLOSERS))
    chk.update(findings=findings, imp=imp)
    if kind == "missing_section":
        mode = rng.choice(["imp_absent", "imp_empty", "imp_absent", "find_empty", "find_absent"])
        if mode == "imp_absent":
            imp = None
        elif mode == "imp_empty":
            imp = []
        elif mode == "find_empty":
            findings = []
        else:
            findings = None
            imp = [rng.choice(["No acute disease.", "No acute cardiopulmonary abnormality.", "Normal study."])]
        chk.update(mode=mode)
        detail = {"imp_absent": "IMPRESSION section removed", "imp_empty": "IMPRESSION header left empty",
                  "find_empty": "FINDINGS header left empty",
                  "find_absent": "FINDINGS removed; bare normal impression"}[mode]
    report = render(rng, style, pre, findings, imp)
    chk.update(style=style)
    return report, detail, chk


# ---------------------------------------------------------------- checks
def split_sections(report):
    m = re.search(r"^(FINDINGS|Findings):?", report, re.M)
    n = re.search(r"^(IMPRESSION|Impression):?", report, re.M)
    f = i = None
    if m:
        f = report[m.end(): n.start() if n else len(report)].strip()
    if n:
        i = re.split(r"\n\s*\n", report[n.end():])[0].strip()
    return f, i


def verify(report, chk):
    kind, k = chk["kind"], chk["key"]
    f, i = split_sections(report)
    ph = re.compile(r"\[(LEFT/RIGHT|right/left|side|\*\*\*|small/moderate/large)\]|<insert>|<grade>|\bXX\b"
                    r"|\*\*\*|___ (mm|right|left|pleural|effusion)")
    if kind != "placeholder":
        assert not ph.search(report), report
    if kind == "missing_section":
        assert not f or not i, report
        return
    assert f and i, report
    low_i, low_f = i.lower(), f.lower()
    rest = low_i
    for t in k.c["scoped"] if k else []:
        rest = rest.replace(t.format(**k.vals()).lower(), "")
    if kind is None and k and k.cat in SIDED and re.search(k.c["words"], rest):
        assert k.side in rest and OPP[k.side] not in rest, report
    if kind == "laterality_conflict":
        other = low_i if chk["where"] == "F" else low_f
        here = low_f if chk["where"] == "F" else low_i
        assert chk["bad"] in here and (k.fp() in other or k.ip() in other), report
    elif kind == "negation_conflict":
        if chk["mode"].startswith("f"):
            assert k.ip() in low_i and k.fp() not in low_f, report
        else:
            assert k.fp() in low_f and k.ip() not in low_i, report
    elif kind == "impression_omits_finding":
        assert k.sig and k.fp() in low_f and not re.search(k.c["words"], low_i), report
        assert not re.search(r"\bclear\b", low_i), report
    elif kind == "placeholder":
        assert chk["token"] in report, report


# ---------------------------------------------------------------- main
def build(seed: int, shared: Path):
    dev = set()
    with open(shared / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            dev.add(json.loads(line)["uid"])
    pool = load_iu(shared, dev)
    rng = random.Random(seed)
    order = rng.sample(range(len(pool)), len(pool))
    rows, used = [], []
    plan = [(None, N_CLEAN)] + [(kd, N_KIND) for kd in KINDS]
    pi = 0
    for kind, n in plan:
        for j in range(n):
            iu = None
            if j % 2 == 1:
                iu = pool[order[pi]]
                pi += 1
                used.append(iu["uid"])
            for _ in range(50):
                report, detail, chk = make_case(rng, kind, iu)
                try:
                    verify(report, chk)
                    break
                except AssertionError:
                    RETRIES[kind] = RETRIES.get(kind, 0) + 1
                    continue
            else:
                raise RuntimeError(f"could not build a valid {kind} case")
            if iu:
                detail += f" [IU {iu['uid']}]"
            rows.append(dict(injected=kind, detail=detail, report=report, source="iu" if iu else "composed"))
    rng.shuffle(rows)
    out = []
    for n, r in enumerate(rows):
        h = hashlib.sha1(f"h31:{seed}:{n}:{r['report']}".encode()).hexdigest()[:16]
        out.append({"id": f"h31-{h}", "injected": r["injected"], "detail": r["detail"], "report": r["report"]})
    return out, used


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=3101)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if not (shared / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or not (
            shared / "eval" / "report_errors_dev.jsonl").exists():
        print(f"shared data not found under {shared}; set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        return 2
    rows, _ = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"==== {kind} | {r['detail']}\n{r['report']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
