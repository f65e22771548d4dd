"""Blind held-out set 33 for the report checker: symbols, arrows and compact notation.

Written blind: without reading the checker, its tests, its docs or any other generator; only the
scorer's format, the shared eval README, the IU archive and the dev set's ``uid`` field were used.

Styles: reports as radiologists type them with symbols and shorthand -- arrows and signs for change
and degree (``↑ effusion``, ``R effusion ↓ since 3/4``, ``+/- small PTX``, ``~1 cm``, ``≈8 mm``,
``>2 cm``, ``++ oedema``, ``x2 nodules``), slashes and abbreviations (``c/w``, ``w/``, ``w/o``,
``s/p``, ``r/o``, ``NAD``, ``NAFF``, ``CP angles clear``, ``Ht N``), ticks, bullets, arrow-led
impressions and semicolon lists, mixed with fully written reports.  Half of every group is composed
from the phrase bank below, half are real IU (Open-i) reports (dev uids excluded), re-laid-out and
partly re-worded into the same notation; their ``XXXX`` de-identification masks are kept.  Composed
reports sometimes carry MIMIC-style ``___`` masks where a date, name or age stands (not errors).

usage: python -m bench.make_heldout33 OUT.jsonl --seed S [--show N]
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
OPP = {"R": "L", "L": "R"}

# ---------------------------------------------------------------- side wording
SIDE_STYLES = [("right", "left"), ("R", "L"), ("Rt", "Lt"), ("R)", "L)")]


def side_word(side, style):
    pair = SIDE_STYLES[style]
    w = pair[0] if side == "R" else pair[1]
    return w.rstrip(")") if style == 3 else w


def fill(tpl, side, style):
    return tpl.format(s=side_word(side, style), sl=side, S=side_word(side, style).capitalize())


# ---------------------------------------------------------------- finding bank
# (topic, significant, lateral, findings templates, impression templates)
# {s} side word, {sl} side letter for lobe/zone abbreviations (RLL, LUL, ...)
BANK = {
    "eff_small": ("effusion", False, True,
                  ["small {s} pleural effusion", "{s} CP angle blunted - small effusion", "trace {s} pl. effusion",
                   "small {s} effusion, meniscus just visible"],
                  ["small {s} pleural effusion", "small {s} effusion", "trace {s} effusion", "small {s} effusion"]),
    "eff_big": ("effusion", True, True,
                ["moderate {s} pleural effusion", "↑ {s} effusion since 3/4, now mod.", "large {s} effusion w/ "
                 "passive atelectasis", "{s} effusion ↑↑ vs prior, now to mid zone", "mod-large {s} pl. effusion"],
                ["moderate {s} pleural effusion", "{s} effusion ↑", "large {s} effusion", "↑ {s} pl. effusion",
                 "mod-large {s} effusion"]),
    "eff_down": ("effusion", False, True,
                 ["{s} effusion ↓ since 3/4", "{s} pl. effusion smaller vs prior (↓)"],
                 ["{s} effusion ↓", "decreasing {s} effusion"]),
    "ptx": ("ptx", True, True,
            ["small {s} apical PTX, rim ~1 cm", "{s} pneumothorax, apical rim ≈2 cm", "{s} PTX w/ visible "
             "pleural line, no shift", "new {s} apical pneumothorax ~1.5 cm"],
            ["small {s} apical PTX", "{s} pneumothorax - d/w ward", "{s} PTX", "new {s} apical PTX"]),
    "ptx_hedge": ("ptx", False, True,
                  ["+/- small {s} apical PTX (skin fold likely)", "?tiny {s} apical PTX vs skin fold"],
                  ["+/- small {s} apical PTX - exp. film if clinical concern", "?{s} apical PTX, likely skin fold"]),
    "consol": ("consol", True, True,
               ["{s} lower zone consolidation w/ air bronchograms", "airspace opacity {sl}LL c/w pneumonia",
                "patchy consolidation {s} base", "new {s} mid zone consolidation", "{sl}LL consolidation ~5 cm"],
               ["{s} basal consolidation - ?infection", "{sl}LL pneumonia", "consolidation {s} base c/w infection",
                "new {s} mid zone consolidation - ?infection", "{sl}LL consolidation"]),
    "oedema": ("oedema", True, False,
               ["++ interstitial oedema, Kerley B lines", "upper lobe diversion + septal lines c/w CCF",
                "pulmonary venous congestion ↑ since yest.", "bilat perihilar haze c/w oedema"],
               ["pulmonary oedema", "CCF", "congestion ↑ vs prior", "pulmonary oedema"]),
    "cardio_mild": ("heart", False, False,
                    ["Ht mildly enlarged (CTR ~0.55)", "borderline cardiomegaly, stable", "CTR ≈0.52, stable"],
                    ["mild cardiomegaly", "borderline cardiomegaly, stable", "borderline Ht size, stable"]),
    "cardio_up": ("heart", True, False,
                  ["Ht size ↑ since prior, CTR now 0.62", "cardiomegaly ↑ vs 3/4"],
                  ["cardiomegaly ↑ - ?pericardial effusion, echo", "cardiomegaly ↑"]),
    "nod_big": ("nodule", True, True,
                ["{s} mid zone nodule ≈8 mm", "~1.2 cm nodule {sl}UL", "x2 nodules {s} lung, largest ~9 mm",
                 "{s} upper zone nodule >1 cm, new"],
                ["{s} lung nodule ≈8 mm - CT advised", "{sl}UL nodule ~1.2 cm, CT chest",
                 "{s} pulmonary nodules (x2) - CT", "new {s} upper zone nodule - CT"]),
    "nod_small": ("nodule", False, True,
                  ["<5 mm nodule {s} base, likely granuloma", "4 mm calcified nodule {s} mid zone"],
                  ["tiny {s} basal granuloma", "calcified {s} granuloma"]),
    "mass": ("mass", True, True,
             ["{s} hilar mass >3 cm", "{s} perihilar mass ~4 cm", "{sl}UL mass ≈5 cm w/ spiculated margin"],
             ["{s} hilar mass - ?neoplasm, CT", "{s} perihilar mass - CT", "{sl}UL mass, r/o malignancy - CT"]),
    "collapse": ("collapse", True, True,
                 ["{sl}LL collapse w/ volume loss", "{s} lower lobe collapse", "{sl}UL collapse, hilum elevated"],
                 ["{sl}LL collapse", "{s} lower lobe collapse - ?mucus plug", "{sl}UL collapse"]),
    "mediast": ("mediast", True, False,
                ["mediastinum widened (~9 cm at arch)", "widened sup. mediastinum, new vs prior"],
                ["widened mediastinum - CT aorta advised", "mediastinal widening - r/o aortic injury"]),
    "free_air": ("freeair", True, True,
                 ["free air under {s} hemidiaphragm", "crescent of free gas under {s} hemidiaphragm"],
                 ["pneumoperitoneum - surgeons informed", "free subdiaphragmatic air"]),
    "rib_old": ("bones", False, True,
                ["old healed {s} rib #s (x2)", "healed {s} 6th rib #"],
                ["old {s} rib #s", "old {s} rib #"]),
    "degen": ("bones", False, False,
              ["degen. change T-spine", "mild thoracic spondylosis"],
              ["degenerative spine"]),
    "sternotomy": ("postop", False, False,
                   ["s/p CABG, sternotomy wires intact", "s/p sternotomy, wires intact"],
                   ["s/p CABG", "s/p sternotomy"]),
    "atel_minor": ("atel", False, True,
                   ["minor {s} basal atelectasis", "linear atelectasis {s} base"],
                   ["minor {s} basal atelectasis"]),
    "aorta": ("aorta", False, False,
              ["aortic knuckle calcified", "unfolded thoracic aorta"],
              ["calcified aorta", "unfolded aorta"]),
}
SIG = [k for k, v in BANK.items() if v[1]]
LATERAL_FOR_LAT = ["eff_small", "eff_big", "ptx", "consol", "nod_big", "mass", "collapse", "rib_old", "atel_minor"]
LUNG_TOPICS = {"consol", "nodule", "mass", "collapse", "oedema", "atel"}
TOPIC_WORDS = {
    "effusion": r"effusion|\beff\b|pleural fluid|CP angle|costophrenic|blunt|meniscus|fluid",
    "ptx": r"pneumothora|\bPTX\b|pleural line",
    "consol": r"consolidat|consol|airspace|air-space|air space|pneumonia|infiltrat|opacit|infect|bronchogram",
    "oedema": r"oedema|edema|congest|\bCCF\b|\bCHF\b|failure|\bLVF\b|Kerley|septal|diversion|overload",
    "heart": r"cardiomegaly|heart|cardiac|\bCTR\b|\bHt\b",
    "nodule": r"nodul|lesion|opacit|mass|granuloma|\bCT\b",
    "mass": r"mass|lesion|neoplas|tumou?r|malignan|hilar|hilum|nodul",
    "collapse": r"collapse|atelecta|volume loss|\bsail\b|plug",
    "mediast": r"mediastin|aort|\bCT\b",
    "freeair": r"free air|free gas|pneumoperitoneum|subdiaphragm|perforat",
}

# normal statements: (text variants, topics covered)
NORMALS = [
    (["Ht N", "Heart size normal", "CTR <0.5", "Cardiac silhouette WNL", "Heart not enlarged"], {"heart"}),
    (["Mediastinum N", "Mediastinal contours normal", "Hila & mediastinum N"], {"mediast"}),
    (["Lungs clear", "Lung fields clear", "Both lungs clear", "Clear lungs, no focal lesion"],
     LUNG_TOPICS | {"nodule"}),
    (["No focal consolidation", "No consolidation/collapse"], {"consol", "collapse"}),
    (["No oedema", "No features of failure", "No CCF"], {"oedema"}),
    (["No effusion", "CP angles clear", "CP angles sharp", "No pl. effusion"], {"effusion"}),
    (["No PTX", "No pneumothorax"], {"ptx"}),
    (["Bones NAD", "No acute bony abn.", "Visualised bones intact"], {"bones"}),
    (["No free air under diaphragm", "No free gas under the diaphragm"], {"freeair"}),
]
NORMAL_IMP = ["NAD.", "NAFF.", "No acute cardiopulmonary process.", "NAD seen.", "Normal CXR.",
              "No acute abnormality.", "No active disease.", "NAD - no acute cardiopulmonary abnormality."]
NEG_IMP = {  # explicit negations usable in an impression
    "effusion": ["No effusion or PTX.", "CP angles clear, no effusion.", "No pleural effusion."],
    "heart": ["Heart size normal.", "Ht N, lungs clear.", "Normal heart size."],
    "atel": ["Lungs clear.", "Clear lungs."],
    "nodule": ["Lungs clear, no nodule.", "No lung nodule / mass."],
    "ptx": ["No PTX.", "No pneumothorax."],
    "consol": ["No consolidation.", "Lungs clear."],
    "oedema": ["No oedema / failure.", "No CCF."],
}
PLACEHOLDER_RE = re.compile(r"\b0\.__|\[\s*\*+\s*\]|\[[A-Za-z↑↓ /]+\]|<[a-z ]+>|\bXX\b|\?\?|_{2,}\s?(mm|cm)\b|\[\s\]")
HIST = ["SOB", "cough, fever", "?LRTI", "CP", "pre-op", "fall, R chest pain", "desat on ward", "r/o PTX",
        "post drain removal", "CCF ?↑", "haemoptysis, ex-smoker", "f/u effusion", "___ yo M, SOB x3/7",
        "___-year-old F w/ cough", "SOB ↑ since ___"]
COMPS = ["3/4", "12/03", "none", "CXR ___", "prior film 2/52 ago", "n/a", "___ (outside film)"]
SIGN = ["", "", "", "\n-- Dr ___, Consultant Radiologist", "\nRep: ___ / verified ___", "\n/jd"]

# ---------------------------------------------------------------- IU reword
REWORD = [
    (r"\bpneumothorax\b", "PTX"), (r"\bpneumothoraces\b", "PTX"), (r"\bwithout\b", "w/o"), (r"\bwith\b", "w/"),
    (r"\bconsistent w/", "c/w"), (r"\bstatus post\b", "s/p"), (r"\bwithin normal limits\b", "WNL"),
    (r"\bpleural effusions?\b", "pl. effusion"), (r"\bThere (is|are) no\b", "No"), (r"\bThere (is|are)\b", ""),
    (r"\bcardiomediastinal silhouette\b", "CMS"), (r"\bCardiomediastinal silhouette\b", "CMS"),
    (r"\bThe heart is normal in size\b", "Ht N"), (r"\bThe lungs are clear\b", "Lungs clear"),
    (r"\bNo evidence of\b", "No"), (r"\bapproximately\b", "~"), (r"\bincreased\b", "↑"), (r"\bdecreased\b", "↓"),
    (r"\bThe\s+", ""), (r"\bare\b", ""), (r"\bis\b", ""),
]


def reword(text, rng, level):
    if level == 0:
        return text
    out = text
    rules = REWORD if level == 2 else REWORD[:15]
    for pat, rep in rules:
        if rng.random() < 0.85:
            out = re.sub(pat, rep, out)
    out = re.sub(r"\s{2,}", " ", out).strip()
    return out[:1].upper() + out[1:] if out else out


# ---------------------------------------------------------------- IU loading
ABN = re.compile(r"effusion|pneumothora|consolidat|opacit|infiltrat|edema|cardiomegaly|enlarg|nodul|mass|atelecta|"
                 r"collapse|pneumonia|fractur|widen|\bair\b|densit|scar|granulom|emphysem|hyperinfl|hyperexpan|"
                 r"degenerat|spondyl|tortu|calcif|postoperat|sternotomy|clip|catheter|tube|prominen|increas|"
                 r"decreas|elevat|blunt|thicken|interstit|fibros|volume|hernia|chang|deformit|kyphos|scolios|"
                 r"osteophyt|surgical|device|pacer|port\b|wire|stent|large|small|mild|moderate|severe|borderline|"
                 r"upper limits|stable|unchanged|again|remain|xxxx", re.I)
NEG_CUE = re.compile(r"^(no|without|negative|free of|not)\b|^(there (is|are) no)\b|\bno\b", re.I)
NORM_CUE = re.compile(r"\b(normal|clear|unremarkable|within normal limits|intact|negative)\b", re.I)
BARE_IMP = re.compile(r"^(no acute (cardiopulmonary )?(disease|abnormalit(y|ies)|process|findings?)|normal chest"
                      r"( x-?ray| radiograph)?|negative (chest|exam)|no active disease)\.?$", re.I)


def sentences(text):
    text = re.sub(r"\s+", " ", text or "").strip()
    text = re.sub(r"(^|\s)\d\.\s", " ", text)
    text = re.sub(r"\s*\.(\s*\.)+", ".", text)
    return [s.strip() for s in re.split(r"(?<=[.])\s+(?=[A-Z])", text) if s.strip()]


def is_normal(sent):
    s = sent.strip().rstrip(".")
    if re.search(r"\b(but|however|though|although|except|otherwise|with|w/|mild|small|minimal)\b", s, re.I) \
            and not re.search(r"^(no|there is no|there are no)\b[^,]*$", s, re.I):
        return False
    m = re.search(r"\b(no|without|negative for|free of)\b", s, re.I)
    if m:
        return not ABN.search(s[:m.start()]) and not re.search(r"\b(large|xxxx)\b", s, re.I)
    return bool(NORM_CUE.search(s)) and not ABN.search(s)


def neg_topics(sent):
    s, t = sent.lower(), set()
    if "effusion" in s:
        t.add("effusion")
    if "pneumothora" in s:
        t.add("ptx")
    if re.search(r"consolidat|airspace|air space|opacit|infiltrat", s):
        t.add("consol")
    if re.search(r"edema|vascula", s):
        t.add("oedema")
    if re.search(r"free .*air|subdiaphragm", s):
        t.add("freeair")
    if re.search(r"heart|cardiac|cardiomediastinal|cardiomegaly", s):
        t.add("heart")
    if re.search(r"mediastin", s):
        t.add("mediast")
    if re.search(r"lungs? (are |is )?clear|clear lungs", s):
        t |= (LUNG_TOPICS - {"oedema"}) | {"nodule"}
    if re.search(r"nodul|mass|opacit|lesion", s):
        t |= {"nodule", "mass"}
    if re.search(r"\bbon|osseous|skelet", s):
        t.add("bones")
    if re.search(r"acute|disease|abnormal|process|normal|negative|unremarkable", s):
        t.add("generic")
    return t


def load_iu(shared):
    dev = set()
    with open(shared / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            dev.add(json.loads(line)["uid"])
    out, seen = [], {}
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tar.extractfile(m).read())
            uid = root.find("uId").get("id")
            if uid in dev:
                continue
            d = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            fs, im = sentences(d.get("FINDINGS")), sentences(d.get("IMPRESSION"))
            if not fs or not im or len(fs) < 2:
                continue
            key = " ".join(fs).lower()
            if all(is_normal(s) for s in fs + im) and len(" ".join(im)) < 120 and seen.get(key, 0) < 3:
                seen[key] = seen.get(key, 0) + 1
                out.append({"uid": uid, "ind": d.get("INDICATION") or "", "comp": d.get("COMPARISON") or "",
                            "f": fs, "i": im})
    return out


# ---------------------------------------------------------------- report model
class Rep:
    def __init__(self):
        self.hist, self.comp = "", ""
        self.f, self.i = [], []          # lines (strings)
        self.f_state = self.i_state = "ok"   # ok | empty | drop
        self.uid = None
        self.level = 0


def item(rng, key, side=None, fstyle=None, istyle=None, fi=None, ii=None):
    topic, sig, lateral, ft, it = BANK[key]
    side = side or rng.choice("RL")
    fstyle = rng.randrange(4) if fstyle is None else fstyle
    istyle = rng.randrange(4) if istyle is None else istyle
    fi = rng.randrange(len(ft)) if fi is None else fi
    ii = (fi if len(it) == len(ft) else rng.randrange(len(it))) if ii is None else ii
    ftxt, itxt = fill(ft[fi], side, fstyle), fill(it[ii], side, istyle)
    return {"fi": fi, "ii": ii, "key": key, "topic": topic, "sig": sig, "lat": lateral, "side": side,
            "f": cap(ftxt), "i": cap(itxt)}


def cap(s):
    return s if re.match(r"x\d", s) else s[:1].upper() + s[1:]


def normals_for(rng, exclude, k=None):
    pool = [n for n in NORMALS if not (n[1] & exclude)]
    rng.shuffle(pool)
    k = k if k is not None else rng.randint(3, min(6, len(pool)))
    return [rng.choice(n[0]) for n in pool[:k]]


def composed(rng, items, imp=None, extra_exclude=()):
    rep = Rep()
    rep.hist, rep.comp = rng.choice(HIST), rng.choice(COMPS)
    excl = {it["topic"] for it in items} | set(extra_exclude)
    if excl & LUNG_TOPICS or "nodule" in excl:
        excl |= {"nodule", "consol"} if "nodule" in excl or "mass" in excl else set()
    lines = [it["f"] for it in items] + normals_for(rng, excl)
    if rng.random() < 0.5:
        rng.shuffle(lines)
    rep.f = lines
    if imp is None:
        imp = [it["i"] for it in items if it["sig"] or it["key"] in ("ptx_hedge", "eff_down") or rng.random() < 0.6]
        if not imp:
            imp = [rng.choice(NORMAL_IMP)]
        elif rng.random() < 0.3:
            imp.append(rng.choice(["Otherwise NAD.", "Nil else acute.", "No other acute abn."]))
    rep.i = imp
    return rep


def iu_base(rng, rec, drop_topics=()):
    rep = Rep()
    rep.uid = rec["uid"]
    rep.level = rng.choice([0, 1, 1, 2])
    rep.hist = rec["ind"] or "n/a"
    rep.comp = rec["comp"] or "None"
    drop = set(drop_topics)
    if drop & LUNG_TOPICS or "nodule" in drop or "mass" in drop:
        drop |= {"lungclear"}
    keep = []
    for s in rec["f"]:
        nt = neg_topics(s)
        if nt & drop or ("lungclear" in drop and re.search(r"clear", s, re.I)):
            continue
        keep.append(reword(s, rng, rep.level))
    rep.f = keep or ["No other abn."]
    rep.i = [reword(s, rng, rep.level) for s in rec["i"]]
    rep.iu_f = rec["f"]
    return rep


def iu_imp_ok(sents, topics):
    """Impression sentences that do not mention/negate the given topics (generic ones kept)."""
    out = []
    for s in sents:
        nt = neg_topics(s)
        if nt & set(topics) or (("lungclear" in topics or set(topics) & LUNG_TOPICS) and "clear" in s.lower()):
            continue
        out.append(s)
    return out


# ---------------------------------------------------------------- layout
def render(rep, rng):
    style = rng.randrange(6)
    fh = rng.choice(["FINDINGS:", "Findings:", "FINDINGS", "Findings -", "» Findings"])
    ih = rng.choice(["IMPRESSION:", "Impression:", "IMP:", "IMPRESSION", "Impr. ⇒", "→ Impression:"])
    head = rng.choice(["CXR PA", "CXR AP (portable)", "Chest PA/lat", "XR CHEST 2V", "CXR PA + lat"])
    if any("ETT" in x for x in rep.f):
        head, rep.hist = "CXR AP (portable, ICU)", "post intubation, ?ETT position"
    rep.hist, rep.comp = rep.hist.rstrip(". "), rep.comp.rstrip(". ")
    if re.search(r"3/4|prior|yest|↑|↓|\bnew\b", " ".join(rep.f + rep.i), re.I) and re.fullmatch(
            r"(none|n/a|none available)", rep.comp, re.I):
        rep.comp = rng.choice(["3/4", "CXR 3/4", "previous film 3/4"])   # a change needs a comparison
    if style in (0, 5):
        top = f"{head}\nHx: {rep.hist}\nComp: {rep.comp}\n"
    elif style == 1:
        top = f"{head}. Hx: {rep.hist}. Comp: {rep.comp}.\n"
    else:
        top = f"EXAMINATION: {head}\nCLINICAL HISTORY: {rep.hist}\nCOMPARISON: {rep.comp}\n"

    def dot(s):
        return s if s.endswith((".", "?")) else s + "."

    bullet = rng.choice(["• ", "- ", "✓ ", "* ", "✔ ", "> "])
    if style == 1:
        fbody = "; ".join(x.rstrip(".") for x in rep.f) + "."
    elif style in (2, 4):
        fbody = "\n".join(bullet + x.rstrip(".") for x in rep.f)
    else:
        fbody = " ".join(dot(x) for x in rep.f)
    if len(rep.i) > 1 and style in (0, 2):
        ibody = "\n".join(f"{n}. {dot(x)}" for n, x in enumerate(rep.i, 1))
    elif style == 4:
        ibody = "\n".join("→ " + x.rstrip(".") for x in rep.i)
    elif style == 1:
        ibody = " ".join(dot(x) for x in rep.i)
    else:
        ibody = " ".join(dot(x) for x in rep.i)
    inline = style == 1 or (style == 5 and rng.random() < 0.5)
    parts = [top]
    if rep.f_state == "ok":
        parts.append(f"{fh} {fbody}\n" if inline else f"\n{fh}\n{fbody}\n")
    elif rep.f_state == "empty":
        parts.append(f"{fh} -\n" if inline else f"\n{fh}\n\n")
    if rep.i_state == "ok":
        parts.append(f"{ih} {ibody}" if inline else f"\n{ih}\n{ibody}")
    elif rep.i_state == "empty":
        parts.append(f"{ih} —" if inline else f"\n{ih}\n")
    text = "".join(parts).rstrip() + rng.choice(SIGN)
    fpart = fbody if rep.f_state == "ok" else ""
    ipart = ibody if rep.i_state == "ok" else ""
    return text.strip() + "\n", fpart, ipart


# ---------------------------------------------------------------- builders
def build_clean(rng, iu):
    if iu is not None:
        rep = iu_base(rng, iu)
        if rng.random() < 0.3:   # a benign, non-significant finding carried consistently
            it = item(rng, rng.choice(["degen", "rib_old", "sternotomy", "aorta", "cardio_mild"]))
            if it["topic"] not in {t for s in iu["f"] for t in neg_topics(s)}:
                rep.f.insert(rng.randrange(len(rep.f) + 1), it["f"])
                if rng.random() < 0.5:
                    rep.i.append(it["i"])
                return rep, f"IU report, re-laid-out, minor finding added: '{it['f']}'"
        return rep, "unmodified IU report, re-laid-out"
    n = rng.choice([0, 0, 1, 1, 2, 2, 3])
    keys = rng.sample([k for k in BANK if k not in ("cardio_up",)], n)
    topics, items = set(), []
    for k in keys:
        if BANK[k][0] not in topics:
            topics.add(BANK[k][0])
            items.append(item(rng, k))
    return composed(rng, items), "clean composed"


def build_missing(rng, iu, idx):
    mode = ["f_empty", "i_drop", "i_empty", "f_drop"][idx % 4]
    if iu is not None:
        rep = iu_base(rng, iu)
        if mode == "f_drop":
            rep.i = [rng.choice(["No acute disease.", "No acute cardiopulmonary abnormality.", "NAD."])]
    else:
        rep = composed(rng, [item(rng, rng.choice(["cardio_mild", "degen", "rib_old", "nod_big", "consol"]))]
                       if rng.random() < 0.5 else [])
        if mode == "f_drop":
            rep.i = [rng.choice(["NAD.", "No acute disease.", "NAFF."])]
    if mode == "f_empty":
        rep.f_state = "empty"
    elif mode == "f_drop":
        rep.f_state = "drop"
    elif mode == "i_drop":
        rep.i_state = "drop"
    else:
        rep.i_state = "empty"
    return rep, {"f_empty": "FINDINGS header left empty", "f_drop": "FINDINGS removed; impression is a bare "
                 "normal line", "i_drop": "IMPRESSION removed", "i_empty": "IMPRESSION header left empty"}[mode], None


def build_lat(rng, iu, idx):
    key = LATERAL_FOR_LAT[idx % len(LATERAL_FOR_LAT)]
    side = rng.choice("RL")
    fs, is_ = rng.randrange(4), rng.randrange(4)
    it = item(rng, key, side, fs, is_)
    flipped = fill(BANK[key][4][it["ii"]], OPP[side], is_)
    flip_in_f = rng.random() < 0.35
    if flip_in_f:
        f_line = cap(fill(BANK[key][3][it["fi"]], OPP[side], fs))
        imp_line, f_used = it["i"], f_line
    else:
        imp_line, f_used = cap(flipped), it["f"]
    if iu is not None:
        rep = iu_base(rng, iu, [it["topic"]])
        rep.f.insert(rng.randrange(len(rep.f) + 1), f_used)
        rep.i = [imp_line] + rng.choice([[], ["Otherwise no acute abnormality."], ["Nil else."]])
    else:
        others = [item(rng, k) for k in rng.sample(["cardio_mild", "degen", "sternotomy", "aorta"], rng.randint(0, 2))]
        it2 = dict(it, f=f_used, i=imp_line, sig=True)
        rep = composed(rng, [it2] + others)
    fw = re.search(r"\b(right|left|R|L|Rt|Lt)(?=\b|LL|UL)", f_used)
    iw = re.search(r"\b(right|left|R|L|Rt|Lt)(?=\b|LL|UL)", imp_line)
    detail = f"{it['topic']} side: FINDINGS '{f_used}' vs IMPRESSION '{imp_line}'"
    return rep, detail, {"f": f_used, "i": imp_line, "fw": fw and fw.group(0), "iw": iw and iw.group(0)}


def build_neg(rng, iu, idx):
    mode = idx % 2
    if mode == 0:   # findings negate, impression affirms (impression pasted from another patient / wrong macro)
        keys = ["eff_small", "eff_big", "ptx", "consol", "oedema", "cardio_mild", "cardio_up", "nod_big"]
        if iu is not None:
            covered = {t for raw in iu["f"] for t in neg_topics(raw)}
            keys = [k for k in keys if BANK[k][0] in covered] or keys
        it = item(rng, rng.choice(keys))
        neg_text = None
        if iu is not None:
            rep = iu_base(rng, iu)
            for s, raw in zip(rep.f, iu["f"], strict=False):
                if it["topic"] in neg_topics(raw):
                    neg_text = s
                    break
            if neg_text is None:
                neg_text = [n for n in NORMALS if it["topic"] in n[1]][0][0][0] + "."
                rep.f.append(neg_text)
        else:
            cover = rng.choice([n for n in NORMALS if it["topic"] in n[1]
                                and not (it["topic"] == "oedema" and "nodule" in n[1])])
            neg_text = rng.choice(cover[0])
            rep = composed(rng, [], imp=[], extra_exclude=cover[1])
            rep.f.insert(rng.randrange(len(rep.f) + 1), neg_text)
        rep.i = [it["i"]] + rng.choice([[], ["Otherwise NAD."], ["Nil else acute."]])
        return rep, f"IMPRESSION affirms '{it['i']}' but FINDINGS say '{neg_text}'", {"neg": neg_text, "aff": it["i"]}
    key = rng.choice(["eff_small", "cardio_mild", "atel_minor", "nod_small", "eff_small", "cardio_mild"])
    it = item(rng, key)
    neg = rng.choice(NEG_IMP[it["topic"]])
    if iu is not None:
        rep = iu_base(rng, iu, [it["topic"]])
        rep.f.insert(rng.randrange(len(rep.f) + 1), it["f"])
        rep.i = iu_imp_ok(rep.i, [it["topic"], "lungclear"]) + [neg]
    else:
        rep = composed(rng, [it], imp=[neg] + rng.choice([[], ["NAD otherwise."]]))
        if rng.random() < 0.5:
            rep.i = [rng.choice(["No acute abnormality.", "NAD."])] + [neg]
    return rep, f"FINDINGS affirm '{it['f']}' but IMPRESSION says '{neg}'", {"neg": neg, "aff": it["f"]}


def build_omit(rng, iu, idx):
    key = SIG[idx % len(SIG)]
    it = item(rng, key)
    normal_imp = idx % 2 == 0
    if iu is not None:
        o = item(rng, rng.choice([k for k in ("cardio_mild", "degen", "rib_old", "sternotomy", "aorta", "eff_small",
                                              "nod_small") if BANK[k][0] != it["topic"]]))
        rep = iu_base(rng, iu, [it["topic"]] + ([] if normal_imp else [o["topic"]]))
        rep.f.insert(rng.randrange(len(rep.f) + 1), it["f"])
        if normal_imp:
            kept = [s for s in iu_imp_ok(rep.i, [it["topic"], "lungclear", "heart", "mediast"])
                    if not re.search(TOPIC_WORDS[it["topic"]], s, re.I)]
            rep.i = kept or [rng.choice(NORMAL_IMP)]
        else:
            rep.f.insert(rng.randrange(len(rep.f) + 1), o["f"])
            rep.i = [o["i"]] + rng.choice([[], ["Otherwise NAD."]])
    else:
        if normal_imp:
            rep = composed(rng, [it], imp=[rng.choice(NORMAL_IMP)])
        else:
            pool = [k for k in BANK if BANK[k][0] != it["topic"] and k not in ("ptx_hedge", "free_air", "mediast")
                    and not re.search(TOPIC_WORDS[it["topic"]], " ".join(BANK[k][3] + BANK[k][4]), re.I)]
            others = [item(rng, k) for k in rng.sample(pool, rng.randint(1, 2))]
            others = [o for n, o in enumerate(others) if o["topic"] not in {x["topic"] for x in others[:n]}]
            rep = composed(rng, [it] + others, imp=[o["i"] for o in others])
    return rep, f"IMPRESSION omits significant finding '{it['f']}' ({it['topic']})", {"topic": it["topic"],
                                                                                       "f": it["f"]}


PH_F = [  # (findings line with a blank, impression line, topic)
    ("{s} mid zone nodule ≈XX mm", "lung nodule - CT advised", "nodule"),
    ("{s} apical PTX, rim ___ cm", "{s} PTX", "ptx"),
    ("[LEFT/RIGHT] pleural effusion, moderate", "pleural effusion", "effusion"),
    ("{s} effusion [↑/↓/unchanged] since 3/4", "{s} effusion", "effusion"),
    ("nodule {sl}UL measuring [***] mm", "{s} lung nodule - CT", "nodule"),
    ("{s} hilar mass ~<insert size> cm", "{s} hilar mass - CT", "mass"),
    ("consolidation [R/L] lower zone", "lower zone consolidation, ?infection", "consol"),
    ("ETT tip ___ cm above carina", "ETT in situ", "ett"),
    ("Ht enlarged, CTR 0.__ (↑ vs 3/4)", "cardiomegaly ↑", "heart"),
    ("[mild/mod/severe] interstitial oedema, Kerley B lines", "pulmonary oedema", "oedema"),
]


def build_placeholder(rng, iu, idx):
    tpl, imp, topic = PH_F[idx % len(PH_F)]
    side, st = rng.choice("RL"), rng.randrange(3)
    f_line = cap(fill(tpl, side, st)) if "{" in tpl else cap(tpl)
    i_line = cap(fill(imp, side, st))
    if iu is not None:
        rep = iu_base(rng, iu, [topic])
        if idx % 3 == 2:   # a word in the real report turned into a template blank instead
            for n, s in enumerate(rep.f):
                m = re.search(r"\b(normal|clear|unremarkable|intact|N)\b", s)
                if m:
                    tok = rng.choice(["[***]", "[normal/abnormal]", "<insert>", "[ ]"])
                    rep.f[n] = s[:m.start()] + tok + s[m.end():]
                    return rep, f"'{m.group(0)}' replaced by template field {tok}", {"tok": tok}
        rep.f.insert(rng.randrange(len(rep.f) + 1), f_line)
        rep.i = [i_line] + iu_imp_ok(rep.i, [topic, "generic", "lungclear"])
    else:
        rep = composed(rng, [], imp=[], extra_exclude=[topic, "nodule", "consol", "mass"] if topic != "ett" else [])
        rep.f.insert(rng.randrange(len(rep.f) + 1), f_line)
        rep.i = [i_line] + rng.choice([[], ["Otherwise NAD."]])
    tok = PLACEHOLDER_RE.search(f_line)
    return rep, f"template blank left in FINDINGS: '{f_line}'", {"tok": tok.group(0) if tok else None}


BUILDERS = {"missing_section": build_missing, "laterality_conflict": build_lat, "negation_conflict": build_neg,
            "impression_omits_finding": build_omit, "placeholder": build_placeholder}


# ---------------------------------------------------------------- checks
def verify(kind, rep, text, fpart, ipart, info):
    ph = PLACEHOLDER_RE.search(text)
    if kind != "placeholder" and ph:
        return f"stray placeholder {ph.group(0)!r}"
    if kind != "missing_section" and (not fpart.strip() or not ipart.strip()):
        return "section missing"
    if kind is None:
        return None
    if kind == "missing_section":
        if rep.f_state == "drop" and not re.fullmatch(r"(NAD|NAFF|No acute [a-z ]+)\.?", ipart.strip()):
            return "findings dropped beside a descriptive impression"
        return None if (not fpart.strip() or not ipart.strip()) else "no section missing"
    if kind == "laterality_conflict":
        if not (info["f"] in fpart and info["i"] in ipart and info["fw"] and info["iw"]):
            return "lat text not placed"
        return None if info["fw"][0] != info["iw"][0] else "sides equal"
    if kind == "negation_conflict":
        return None if info["neg"].rstrip(".") in text and info["aff"].rstrip(".") in text else "neg text absent"
    if kind == "impression_omits_finding":
        if info["f"].rstrip(".") not in fpart:
            return "finding absent"
        m = re.search(TOPIC_WORDS[info["topic"]], ipart, re.I)
        return f"impression names it ({m.group(0)})" if m else None
    if kind == "placeholder":
        return None if ph else "no placeholder"
    return None


# ---------------------------------------------------------------- main
def shared_dir():
    env = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    if not (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or not (
            p / "eval" / "report_errors_dev.jsonl").exists():
        sys.stderr.write(f"shared data not found at {p}; set MEDRAG_SHARED_DIR to the shared folder\n")
        sys.exit(2)
    return p


def generate(seed, shared):
    rng = random.Random(seed)
    iu = load_iu(shared)
    rng.shuffle(iu)
    iu_iter = iter(iu)
    plan = [(None, n) for n in range(N_CLEAN)] + [(k, n) for k in KINDS for n in range(N_KIND)]
    rows = []
    for kind, n in plan:
        half = N_CLEAN // 2 if kind is None else N_KIND // 2
        use_iu = n < half
        rec = next(iu_iter) if use_iu else None
        for attempt in range(50):
            sub = random.Random(f"{seed}:{kind}:{n}:{attempt}")
            if kind is None:
                rep, detail = build_clean(sub, rec)
                info = None
            else:
                rep, detail, info = BUILDERS[kind](sub, rec, n)
            text, fpart, ipart = render(rep, sub)
            if verify(kind, rep, text, fpart, ipart, info) is None:
                break
        else:
            raise RuntimeError(f"could not build {kind} #{n}")
        src = f"IU {rec['uid']}" if rec else "composed"
        hid = hashlib.sha256(f"h33:{seed}:{kind}:{n}:{text}".encode()).hexdigest()[:16]
        rows.append({"id": hid, "injected": kind, "detail": f"{detail} [{src}]", "report": text,
                     "_uid": rec["uid"] if rec else None})
    rng.shuffle(rows)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=3401)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = generate(a.seed, shared_dir())
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in ("id", "injected", "detail", "report")}, ensure_ascii=False)
                     + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == kind][:a.show]:
                print(f"===== {kind} | {r['detail']}\n{r['report']}")
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
