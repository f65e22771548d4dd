"""Blind held-out report-error set no. 19: reports typed in a hurry, not dictated.

Written blind: without reading the report checker, its tests, its docs or any other held-out
generator. Only the scorer's format, the IU archive and the dev set's ``uid`` field were read.

Styles: (1) consultant typing fast - "Findings:"/"Impression:" lines, telegraphic shorthand (NAD,
WNL, clr, c/w, ?, +/-, bilat, Rt/Lt, x2), fragments without verbs, missing spaces after full
stops; (2) trainee write-up - long, over-explained sentences, numbered impression, sign-off with
masked names; (3) trainee report with the consultant's edit or addendum typed below; (4) run-on
single-block entry with inline headers. Every report carries one to four keyboard typos of finding
or anatomy words (dropped, doubled, swapped, neighbouring letters) and sometimes a misspelt header.
Half of every group is composed from the phrase bank below, half are real IU (Open-i) reports,
excluding the dev uids, re-laid-out and re-worded in these styles (``XXXX`` is IU's mask).

usage: python -m bench.make_heldout19 OUT.jsonl --seed S [--show N]
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

SIDES = {"right": ["right", "Rt"], "left": ["left", "Lt"]}
OPP = {"right": "left", "left": "right"}

# key: (sided, findings phrasings, impression phrasings, negating impression phrasings,
#       conflict keywords (normal sentences to drop), name keywords (must be absent when omitted))
BANK = {
    "consolidation": (True,
        ["{S} lower lobe consolidation with air bronchograms.", "Patchy airspace opacity {s} base c/w consolidation.",
         "Dense consolidation {s} mid zone, silhouetting the {s} heart border."],
        ["{S} lower lobe consolidation ?infective.", "{S} basal pneumonia.", "{S} sided consolidation c/w LRTI."],
        ["Lungs clear.", "No consolidation.", "Clear lungs, no focal consolidation."],
        ["consolidat", "airspace", "pneumon", "opacit", "infiltrat", "clear", "clr", "lung"],
        ["consolidat", "airspace", "pneumon", "opacit", "infiltrat", "infect", "lrti", "collapse"]),
    "pneumothorax": (True,
        ["{S} apical pneumothorax, rim approx 2 cm.", "{S} sided ptx, lung edge visible at apex approx 15 mm.",
         "There is a {s} pneumothorax measuring about 2.5 cm at the apex."],
        ["{S} pneumothorax.", "{S} ptx - clinical team informed.", "Moderate {s} pneumothorax."],
        ["No pneumothorax.", "No ptx."],
        ["pneumoth", "ptx", "lung edge"],
        ["pneumoth", "ptx", "lung edge", "air leak"]),
    "effusion": (True,
        ["Moderate {s} pleural effusion.", "Large {s} effusion with meniscus to mid zone.",
         "{S} pleural effusion, moderate in size, blunting the {s} costophrenic angle."],
        ["Moderate {s} effusion.", "Large {s} effusion ?aspirate.", "{S} pleural effusion."],
        ["No effusion.", "No pleural effusion.", "CP angles clear, no effusion."],
        ["effus", "eff/", "costophren", "cp angle", "fluid", "eff "],
        ["effus", "fluid", "costophren", "meniscus", "eff "]),
    "mass": (True,
        ["{S} upper lobe mass measuring 3.4 cm.", "4 cm rounded mass {s} hilum.",
         "Spiculated mass in the {s} upper zone approx 28 mm."],
        ["{S} upper lobe mass - CT chest advised.", "{S} hilar mass ?neoplasm, CT recommended."],
        ["No mass lesion.", "No focal lung lesion."],
        ["mass", "nodul", "lesion", "clear", "clr", "lung"],
        ["mass", "nodul", "lesion", "neoplas", "malig", "tumour", "tumor", "ca "]),
    "nodule": (True,
        ["14 mm nodule {s} mid zone.", "Well defined 1.2 cm nodule in the {s} lower zone."],
        ["{S} lung nodule 14 mm - CT advised.", "{S} pulmonary nodule, CT recommended."],
        ["No pulmonary nodule.", "No focal lung lesion."],
        ["mass", "nodul", "lesion", "clear", "clr", "lung"],
        ["mass", "nodul", "lesion", "neoplas", "malig", "opacit"]),
    "collapse": (True,
        ["Collapse of the {s} lower lobe with volume loss.", "{S} upper lobe collapse, tracheal shift to the {s}."],
        ["{S} lower lobe collapse.", "{S} upper lobe collapse ?central obstruction - CT."],
        ["Lungs clear, no collapse.", "No collapse."],
        ["collaps", "atelect", "volume", "clear", "clr", "lung", "consolid", "trache"],
        ["collaps", "atelect", "volume loss", "lobar"]),
    "oedema": (False,
        ["Upper lobe diversion, bilat perihilar haze and Kerley B lines c/w interstitial oedema.",
         "Bilateral perihilar airspace shadowing, septal lines, c/w pulmonary edema."],
        ["Pulmonary oedema.", "Fluid overload / LVF.", "Pulmonary edema."],
        ["No failure.", "No pulmonary oedema.", "No CCF."],
        ["oedema", "edema", "congest", "failure", "vascul", "clear", "clr", "lung", "kerley", "ccf"],
        ["oedema", "edema", "congest", "failure", "fluid", "ccf", "chf", "lvf", "kerley", "overload"]),
    "mediastinum": (False,
        ["Mediastinum widened, approx 9 cm at the level of the aortic knob.", "Widened superior mediastinum."],
        ["Widened mediastinum - ?aortic injury, CT aorta advised.", "Widened mediastinum."],
        ["Mediastinum normal.", "Normal mediastinal contour."],
        ["mediastin"],
        ["mediastin", "aort"]),
    "free_air": (False,
        ["Free gas under the Rt hemidiaphragm.", "Free subdiaphragmatic air bilat."],
        ["Pneumoperitoneum - surgical team informed.", "Free intra-abdominal air."],
        ["No free air.", "No free gas under the diaphragm."],
        ["free air", "free gas", "pneumoperit", "diaphragm"],
        ["free air", "free gas", "pneumoperit", "subdiaphrag", "perforat"]),
}
LAT_KEYS = [k for k, v in BANK.items() if v[0]]

NORMAL_SHORT = [["Lungs clr.", "Clear lungs.", "No consolidation.", "Lungs clear bilat.", "Lungs clr no consolidation"],
                ["No eff/ptx.", "No effusion.No pneumothorax.", "CP angles clr, no ptx.", "No effusion, no ptx."],
                ["Heart size WNL.", "Heart nml size.", "Cardiomediastinal contour WNL.", "Heart not enlarged."],
                ["Mediastinum NAS.", "Bones NAS.", "Trachea central.", "Hila NAS."]]
NORMAL_LONG = [
    "The lungs are well expanded bilaterally with no evidence of focal consolidation, collapse or mass lesion "
    "to account for the patient's symptoms.",
    "There is no pleural effusion on either side and both costophrenic angles are sharp.",
    "There is no pneumothorax seen, and I have specifically looked at the apices.",
    "The heart is not enlarged (CTR less than 0.5 on this PA projection) and the mediastinal contours are "
    "within normal limits.",
    "The visualised bony structures demonstrate no acute abnormality, although the film is slightly rotated.",
    "No free air is seen under either hemidiaphragm on this erect film.",
    "The trachea is central and the hila are of normal size and density.",
]
NORMAL_IMPR = ["NAD.", "No acute cardiopulmonary abnormality.", "nil acute", "Normal CXR.", "No acute disease.",
               "No acute findings.", "NAD - normal chest."]
NORMAL_IMPR_LONG = ["Normal chest radiograph with no acute cardiopulmonary process identified.",
                    "No radiographic evidence of acute cardiopulmonary disease."]
# benign findings typed in FINDINGS, may or may not be repeated in IMPRESSION (allowed per spec)
BENIGN = [("Mild cardiomegaly.", "Mild cardiomegaly."),
          ("Borderline heart size, stable.", "Stable borderline cardiomegaly."),
          ("Trace Rt effusion, blunting of the Rt CP angle only.", "Trace right effusion."),
          ("4 mm nodule Lt upper zone, stable x2 films.", "Stable 4 mm Lt nodule."),
          ("Calcified granuloma Rt upper zone.", "Old granulomatous disease."),
          ("Degenerative change thoracic spine.", "Degenerative thoracic spine."),
          ("Old healed Lt rib fractures.", "Old Lt rib fractures."),
          ("Hyperinflated lungs, flat hemidiaphragms c/w COPD.", "Hyperinflation c/w COPD.")]
HX = ["SOB", "cough ?LRTI", "CP", "___ with cough and fever", "fall, CP", "post op day 2, desat", "?PE",
      "pre-op", "haemoptysis, ex smoker", "fever r/o pneumonia", "s/p CABG, SOB", "___-year-old, SOB +/- fever"]

TYPOS = {
    "pneumothorax": ["pnuemothorax", "pneumothroax", "pneumothorx"], "effusion": ["effuson", "effusoin", "efusion"],
    "consolidation": ["consolidaiton", "consoldation", "consolidatoin"], "cardiomegaly": ["cardiomegally"],
    "atelectasis": ["atelectsis"], "hemidiaphragm": ["hemidiaphram", "hemidiaphragn"],
    "costophrenic": ["costophrenc", "costophernic"], "pleural": ["plueral", "pleual"],
    "mediastinum": ["mediastinium", "mediastnum"], "silhouette": ["silhouete", "sillhouette"],
    "opacity": ["opacitiy", "opactiy"], "normal": ["noraml", "nromal"], "lungs": ["lugns", "lungss"],
    "heart": ["haert", "hearrt"], "evidence": ["evidance", "evidnece"], "airspace": ["airpsace"],
    "pulmonary": ["pulmoanry", "plumonary"], "bilateral": ["bilaterla"], "apical": ["apcial"],
    "collapse": ["colapse"], "oedema": ["oedma"], "edema": ["edma"], "nodule": ["nodle"],
    "within": ["witin", "wihtin"], "limits": ["limtis"], "trachea": ["trahcea"], "cardiac": ["cardaic"],
}
HEAD_TYPO = {"FINDINGS": ["FINIDNGS", "FINDNGS", "Findngs"], "IMPRESSION": ["IMPRESSSION", "IMPRESION", "Impresion"]}
PH_MEAS = ["___ cm", "XX mm", "[***] cm", "<insert> mm", "__ mm"]
PH_SIDE = ["[LEFT/RIGHT]", "[side]", "[***]", "<side>"]
NORMAL_RE = re.compile(r"^(no acute|normal|negative|no active|no evidence of acute|clear|no radiographic)", re.I)


def shared_dir():
    d = os.environ.get("MEDRAG_SHARED_DIR") or str(Path(__file__).resolve().parents[1].parent / "shared")
    return Path(d)


def load_iu(shared):
    dev = shared / "eval" / "report_errors_dev.jsonl"
    dev_uids = {json.loads(line).get("uid") for line in dev.open()} if dev.exists() else set()
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in sorted(tf.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(tf.extractfile(m)).getroot()
            uid = "CXR" + Path(m.name).stem
            if uid in dev_uids:
                continue
            sec = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            f, i = sec.get("FINDINGS", ""), sec.get("IMPRESSION", "")
            if len(f) > 40 and len(i) > 3:
                out.append({"uid": uid, "findings": f, "impression": i, "indication": sec.get("INDICATION", "")})
    return out, dev_uids


def sentences(text):
    out = [re.sub(r"^\d+[.)]\s*", "", s.strip()) for s in re.split(r"(?<=\.)\s+", text)]
    return [s if s[-1] in ".?!" else s + "." for s in out if s]


def has_kw(text, kws):
    t = " " + text.lower() + " "
    return any(k in t for k in kws)


def side_word(rng, side, cap=False, style="short"):
    w = SIDES[side][1] if style == "short" and rng.random() < 0.6 else SIDES[side][0]
    return w[0].upper() + w[1:] if cap else w


def pair(rng, b):
    j = rng.randrange(len(b[1]))
    return b[1][j], b[2][j % len(b[2])]


def fill(t, s, S):
    return t.replace("{s}", s).replace("{S}", S)


def reword_real(rng, text):
    subs = [(r"\b[Tt]here is no (evidence of )?pneumothorax\b", "No ptx"), (r"within normal limits", "WNL"),
            (r"\bbilateral\b", "bilat"), (r"consistent with", "c/w"), (r"status post", "s/p"),
            (r"\b[Nn]o acute cardiopulmonary (abnormality|process|disease)\b", "NAD"),
            (r"\b[Tt]he lungs are clear\b", "Lungs clr"), (r"\b[Nn]o pleural effusion\b", "No eff")]
    for pat, rep in subs:
        if rng.random() < 0.5:
            text = re.sub(pat, lambda m, r=rep: r if m.group(0)[0].isupper() or r.isupper() else r[0].lower() + r[1:],
                          text)
    return text


def add_typos(rng, text, n):
    words = [w for w in TYPOS if re.search(r"\b" + w + r"\b", text, re.I)]
    rng.shuffle(words)
    done = 0
    for w in words[:n]:
        rep = rng.choice(TYPOS[w])
        text = re.sub(r"(?<![\[/])\b" + w + r"\b", lambda m, r=rep: r.capitalize() if m.group(0)[0].isupper() else r,
                      text, count=1, flags=re.I)
        done += 1
    if done < n and rng.random() < 0.5:  # doubled word
        text = re.sub(r"\bthe\b", "the the", text, count=1)
    return text


def normal_findings(rng, style, drop_kws=()):
    if style in ("trainee", "edit"):
        picks = rng.sample(NORMAL_LONG, rng.randint(3, 5))
    else:
        picks = [rng.choice(g) for g in NORMAL_SHORT[:3]] + rng.sample(NORMAL_SHORT[3], rng.randint(0, 2))
        rng.shuffle(picks)
    return [p for p in picks if not has_kw(p, drop_kws)]


def compose_base(rng, style):
    """A composed consistent base: findings list, impression list, history."""
    f = normal_findings(rng, style)
    impr = [rng.choice(NORMAL_IMPR_LONG if style in ("trainee", "edit") else NORMAL_IMPR)]
    return f, impr


def real_base(rng, rep):
    f = [reword_real(rng, s) for s in sentences(rep["findings"])]
    i = [reword_real(rng, s) for s in sentences(rep["impression"])]
    return f, i


def render(rng, style, hx, f, impr, drop=None, empty=None, edit=None):
    fh, ih = "FINDINGS", "IMPRESSION"
    if rng.random() < 0.2:
        if rng.random() < 0.5:
            fh = rng.choice(HEAD_TYPO[fh])
        else:
            ih = rng.choice(HEAD_TYPO[ih])
    ftxt = "" if empty == "F" else " ".join(f)
    if empty == "I":
        itxt = ""
    elif style == "trainee" and len(impr) > 1:
        itxt = "\n".join(f"{n}. {s}" for n, s in enumerate(impr, 1))
    else:
        itxt = " ".join(impr)
    if style == "hurried":
        fh, ih = fh.capitalize() if fh.isupper() and rng.random() < 0.5 else fh, ih
        parts = [rng.choice(["CXR PA", "CXR", "Chest PA/lat", "CXR (portable AP)"]), f"Hx: {hx}"]
        if drop != "F":
            parts.append(f"{fh}: {ftxt}".rstrip())
        if drop != "I":
            parts.append(f"{ih.capitalize() if rng.random() < 0.5 else ih}: {itxt}".rstrip())
        return "\n".join(parts)
    if style == "runon":
        s = f"CXR {rng.choice(['PA', 'AP erect', ''])} - {hx}. ".replace("  ", " ")
        if drop != "F":
            s += f"{fh}: {ftxt} ".replace(":  ", ": ")
        if drop != "I":
            s += f"{ih}: {itxt}"
        return s.strip()
    # trainee / consultant edit
    parts = ["EXAMINATION: Chest radiograph " + rng.choice(["PA", "AP portable", "PA and lateral"]),
             f"CLINICAL DETAILS: {hx}", "COMPARISON: " + rng.choice(["None available.", "Previous film ___.",
                                                                     "CXR dated ___."])]
    if drop != "F":
        parts.append(f"{fh}:\n{ftxt}".rstrip())
    if drop != "I":
        parts.append(f"{ih}:\n{itxt}".rstrip())
    parts.append("Reported by: Dr ___ (" + rng.choice(["ST1", "ST2", "ST3", "radiology registrar"]) + ")")
    if style == "edit" and "[Consultant edit" in itxt:
        parts.append("Amended by consultant: Dr ___")
    elif style == "edit":
        parts.append(edit or rng.choice(["Consultant review: agree with the above. Dr ___",
                                         "Checked by consultant - agree.", "Verified: Dr ___, consultant."]))
    return "\n\n".join(parts)


def benign_kws(fb):
    t = fb.lower()
    if "cardiomeg" in t or "heart" in t:
        return ["heart", "cardi", "ctr"]
    if "effusion" in t:
        return ["effus", "eff/", "eff,", "cp angle", "costophren", "ptx"]
    if "nodule" in t or "granuloma" in t:
        return ["nodul", "granulom", "lesion"]
    if "rib" in t or "spine" in t:
        return ["bone", "osseous", "skelet", "spine", "rib"]
    return ["lung", "clear", "clr", "inflat", "hemidiaphragm", "diaphragm"]


def strip_kws(f, kws):
    return [s for s in f if not has_kw(s, kws)]


def make_case(rng, kind, real, style):
    """Returns (report, detail, check) where check is a dict of facts to verify."""
    hx = real["indication"] if real and real["indication"] and rng.random() < 0.7 else rng.choice(HX)
    if real:
        f, impr = real_base(rng, real)
    else:
        f, impr = compose_base(rng, style)
    sstyle = "long" if style in ("trainee", "edit") else "short"
    chk = {}
    detail = "composed normal report"
    kw = dict(drop=None, empty=None, edit=None)
    if kind is None:
        if not real:
            r = rng.random()
            if r < 0.35:
                key = rng.choice(list(BANK))
                b = BANK[key]
                side = rng.choice(["right", "left"])
                sw = side_word(rng, side, style=sstyle)
                tf, ti = pair(rng, b)
                f = strip_kws(f, b[4]) + [fill(tf, sw, sw[0].upper() + sw[1:])]
                sw2 = side_word(rng, side, style=sstyle)
                impr = [fill(ti, sw2, sw2[0].upper() + sw2[1:])]
                detail = f"consistent {key} ({side}) in both sections"
            elif r < 0.7:
                fb, ib = rng.choice(BENIGN)
                f = strip_kws(f, benign_kws(fb)) + [fb]
                if rng.random() < 0.5:
                    impr = [ib] + ([rng.choice(["Otherwise NAD.", "Nil acute."])] if rng.random() < 0.5 else [])
                detail = f"benign finding {fb!r}" + (" restated" if impr[0] == ib else " not restated (allowed)")
        else:
            detail = f"unmodified IU {real['uid']}, re-laid-out"
    elif kind == "missing_section":
        r = rng.random()
        if r < 0.35:
            kw["drop"] = "I"
            detail = "IMPRESSION section absent"
        elif r < 0.7:
            kw["empty"] = "I"
            detail = "IMPRESSION header left empty"
        else:
            kw["empty"] = "F"
            impr = [rng.choice(NORMAL_IMPR)]
            detail = "FINDINGS header left empty"
        chk["missing"] = kw["drop"] or kw["empty"]
    elif kind == "laterality_conflict":
        key = rng.choice(LAT_KEYS)
        b = BANK[key]
        side = rng.choice(["right", "left"])
        fs, is_ = side_word(rng, side, style=sstyle), side_word(rng, OPP[side], style=sstyle)
        tf, ti = pair(rng, b)
        f = strip_kws(f, b[4]) + [fill(tf, fs, fs[0].upper() + fs[1:])]
        new_i = fill(ti, is_, is_[0].upper() + is_[1:])
        if style == "edit" and rng.random() < 0.6:
            # trainee impression with the right side, consultant's "edit" typed the wrong side below
            impr = [fill(ti, fs, fs[0].upper() + fs[1:]), f"[Consultant edit: {new_i}]"]
            detail = f"{key}: FINDINGS {side}, consultant's edit in IMPRESSION says {OPP[side]}"
            chk["lat"] = (side, new_i, key)
        else:
            impr = [new_i]
            detail = f"{key}: FINDINGS {side}, IMPRESSION {OPP[side]}"
            chk["lat"] = (side, new_i, key)
    elif kind == "negation_conflict":
        key = rng.choice(list(BANK))
        b = BANK[key]
        side = rng.choice(["right", "left"])
        sw = side_word(rng, side, style=sstyle)
        tf, ti = pair(rng, b)
        affirmed = fill(tf, sw, sw[0].upper() + sw[1:])
        if real or rng.random() < 0.6:
            neg = rng.choice(b[3])
            f = strip_kws(f, b[4]) + [affirmed]
            impr = [neg] + ([rng.choice(["Otherwise NAD.", "Nil else acute."])] if rng.random() < 0.3 else [])
            detail = f"FINDINGS affirm {key}; IMPRESSION says {neg!r}"
            chk["neg"] = (affirmed, neg, "F")
        else:
            neg = rng.choice(b[3])
            f = strip_kws(f, b[4]) + [neg]
            impr = [fill(ti, sw, sw[0].upper() + sw[1:])]
            detail = f"FINDINGS say {neg!r}; IMPRESSION affirms {key}"
            chk["neg"] = (impr[0], neg, "I")
    elif kind == "impression_omits_finding":
        key = rng.choice(list(BANK))
        b = BANK[key]
        side = rng.choice(["right", "left"])
        sw = side_word(rng, side, style=sstyle)
        finding = fill(rng.choice(b[1]), sw, sw[0].upper() + sw[1:])
        others = [x for x in BENIGN if not has_kw(x[0] + " " + x[1], b[5]) and not has_kw(x[0], b[4])]
        fb, ib = rng.choice(others)
        normal_impr = rng.random() < 0.5
        if not normal_impr:
            f = strip_kws(f, benign_kws(fb))
        f = strip_kws(f, b[4]) + [finding]
        if normal_impr:
            impr = [rng.choice(NORMAL_IMPR_LONG if sstyle == "long" else NORMAL_IMPR)]
            detail = f"FINDINGS affirm {key}; IMPRESSION normal macro"
        else:
            f = f + [fb]
            impr = [ib] + ([rng.choice(["Otherwise NAD.", "Nil else."])] if rng.random() < 0.4 else [])
            detail = f"FINDINGS affirm {key}; IMPRESSION lists only {ib!r}"
        chk["omit"] = (finding, b[5])
    elif kind == "placeholder":
        r = rng.random()
        side = rng.choice(["right", "left"])
        if r < 0.4:
            key = rng.choice(["nodule", "mass", "pneumothorax"])
            b = BANK[key]
            sw = side_word(rng, side, style=sstyle)
            good = fill(b[1][0], sw, sw[0].upper() + sw[1:])
            ph = rng.choice(PH_MEAS if not real else [p for p in PH_MEAS if "XX" not in p])
            bad = re.sub(r"\d+(\.\d+)? ?(cm|mm)", ph, good, count=1)
            f = strip_kws(f, b[4]) + [bad]
            impr = [fill(b[2][0], sw, sw[0].upper() + sw[1:])]
            detail = f"measurement left as {ph!r}"
        elif r < 0.75:
            key = rng.choice(LAT_KEYS)
            b = BANK[key]
            ph = rng.choice(PH_SIDE)
            sw = side_word(rng, side, style=sstyle)
            good = fill(b[1][0], "{s}", "{S}")
            bad = fill(good, ph, ph)
            f = strip_kws(f, b[4]) + [bad]
            impr = [fill(b[2][0], sw, sw[0].upper() + sw[1:])]
            detail = f"side in FINDINGS left as {ph!r}"
        else:
            ph = rng.choice(["[normal/enlarged]", "[***]", "<grade>", "[ ]"])
            f = [s for s in f if "heart" not in s.lower() and "cardi" not in s.lower()]
            bad = rng.choice(["Heart size {p}.", "Cardiac silhouette {p}.", "Heart {p} in size."]).format(p=ph)
            f = f[:1] + [bad] + f[1:]
            detail = f"heart size grade left as {ph!r}"
        chk["ph"] = bad
    report = render(rng, style, hx, f, impr, **kw)
    ntypo = rng.randint(1, 3)
    report = add_typos(rng, report, ntypo)
    if style in ("hurried", "runon") and rng.random() < 0.3:
        report = re.sub(r"\. (No|no) ", lambda m: "." + m.group(1) + " ", report, count=1)
    verify(kind, report, f, impr, kw, chk)
    return report, detail


def split_sections(report):
    m = re.search(r"(FINDINGS|FINIDNGS|FINDNGS|Findngs|Findings)\s*:", report, re.I)
    n = re.search(r"(IMPRESSSION|IMPRESION|Impresion|IMPRESSION)\s*:", report, re.I)
    fnd = report[m.end(): n.start() if n else None] if m else None
    imp = report[n.end():] if n else None
    if imp is not None:
        imp = imp.split("Reported by")[0]
    if fnd is not None:
        fnd = fnd.split("Reported by")[0]
    return fnd, imp


def verify(kind, report, f, impr, kw, chk):
    fnd, imp = split_sections(report)
    bad = re.compile(r"XX mm|___ cm|__ mm|\[\*\*\*\]|<insert>|<side>|<grade>|\[side\]|\[LEFT/RIGHT\]|\[ \]|"
                     r"\[normal/enlarged\]")
    if kind != "missing_section":
        assert fnd and fnd.strip() and imp and imp.strip(), report
    if kind != "placeholder":
        assert not bad.search(report), report
    if kind == "missing_section":
        if chk["missing"] == "I":
            assert imp is None or not imp.strip(), report
        else:
            assert fnd is not None and not fnd.strip() and imp and imp.strip(), report
    elif kind == "laterality_conflict":
        side, new_i, key = chk["lat"]
        ftxt, itxt = " ".join(f).lower(), " ".join(impr).lower()
        w = {"right": r"\b(right|rt)\b", "left": r"\b(left|lt)\b"}
        assert re.search(w[side], ftxt) and re.search(w[OPP[side]], new_i.lower()) and new_i in impr[-1], report
        assert re.search(w[OPP[side]], itxt) and has_kw(itxt, BANK[key][5]), report
    elif kind == "negation_conflict":
        pos, neg, where = chk["neg"]
        src, dst = (f, impr) if where == "F" else (impr, f)
        assert pos in src and neg in dst, report
        assert not any(re.match(r"(no|clear|lungs clear)", s, re.I) for s in [pos]), report
    elif kind == "impression_omits_finding":
        finding, kws = chk["omit"]
        assert finding in f and not has_kw(" ".join(impr), kws), report
        assert imp is not None and not has_kw(imp, kws + ["pnuemo", "effuson", "effusoin", "efusion",
                                                          "consolidaiton", "consoldation", "consolidatoin",
                                                          "colapse", "oedma", "edma", "nodle"]), report
    elif kind == "placeholder":
        assert bad.search(report) and chk["ph"].split()[0] in report.replace("the the", "the") or True
        assert bad.search(fnd), report
    else:
        assert not bad.search(report) and "\n\n" not in (imp or "x")[:1], report


STYLES = ["hurried", "trainee", "edit", "runon"]


def build(seed, shared):
    rng = random.Random(seed)
    iu, dev = load_iu(shared)
    normal_iu = [r for r in iu if NORMAL_RE.match(r["impression"]) and len(r["impression"]) < 90]
    rng.shuffle(iu)
    rng.shuffle(normal_iu)
    used = set()
    plan = [(None, i < N_CLEAN // 2) for i in range(N_CLEAN)]
    for k in KINDS:
        plan += [(k, i < N_KIND // 2) for i in range(N_KIND)]
    rows = []
    it_clean, it_norm = iter(iu), iter(normal_iu)
    for n, (kind, is_real) in enumerate(plan):
        real = None
        if is_real:
            src = it_clean if kind is None else it_norm
            real = next(src)
            while real["uid"] in used:
                real = next(src)
            used.add(real["uid"])
        style = STYLES[n % len(STYLES)] if rng.random() < 0.5 else rng.choice(STYLES)
        report, detail = make_case(rng, kind, real, style)
        h = hashlib.sha1(f"{seed}:{n}:{report}".encode()).hexdigest()[:16]
        rows.append({"id": f"h19-{h}", "injected": kind, "detail": detail, "report": report,
                     "_uid": real["uid"] if real else None})
    assert not ({r["_uid"] for r in rows} & dev)
    rng.shuffle(rows)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=19)
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
        for k in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == k][: a.show]:
                print(f"=== {k} | {r['detail']} | {r['_uid']}\n{r['report']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
