"""Held-out report-check set no. 28: numbers, sizes and measures (written blind).

Written blind: without reading the checker (medrag_core/), its tests, docs or any other bench
generator.  Only the scorer's format, the IU archive and the dev set's `uid` field were used.

usage: python -m bench.make_heldout28 OUT.jsonl --seed S [--show N]

400 cases: 200 clean, 40 per error kind; half of every group composed from the phrase bank below,
half real IU (Open-i) reports re-laid-out in the same styles.  The theme is how sizes are written:

- ``dictated``  US speech-recognition dictation: numbers in words ("an eighteen millimeter nodule",
  "two point five centimeters", "a one-and-a-half centimeter rim"), numbered impression.
- ``uk``        UK reporting: zones, CTR as ratio or percentage, effusion height in rib spaces or
  zone reached, pneumothorax rim depth, "mm"/"millimetres".
- ``continental`` European-trained reporter: decimal commas ("1,2 cm", "CTR 0,52"), "12mm" tight.
- ``typed``     old US typed report in capitals with inches ("1/2 INCH NODULE") and cm.
- ``measured``  modern template with a Measurements block (ranges "8-10 mm", "between 5 and 7 mm",
  per-dimension "2.1 x 1.8 cm", "15 x 12 x 10 mm", pneumothorax percentage).

Labels follow the spec: a nodule of 6 mm or more (by its size in any unit) left out of the
impression is an omission, under 6 mm is not; a small/trace effusion or mild/stable cardiomegaly
left out is not; size disagreements between sections are never generated.  Clean reports carry
such hard negatives.  MIMIC-style ``___`` masks stand only where identifiers would.
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
STYLES = ["dictated", "uk", "continental", "typed", "measured"]
N_CLEAN, N_KIND = 200, 40

# ----------------------------------------------------------------------------- numbers in words
ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def words(n: int) -> str:
    if n < 20:
        return ONES[n]
    t, o = divmod(n, 10)
    return TENS[t] + ("" if o == 0 else "-" + ONES[o])


def dec_words(x: float) -> str:
    """2.5 -> 'two point five'; 1.5 may become 'one and a half'."""
    s = f"{x:g}"
    if "." not in s:
        return words(int(s))
    a, b = s.split(".")
    return words(int(a)) + " point " + " ".join(ONES[int(d)] for d in b)


def g(x: float) -> str:
    return f"{x:g}"


class Fmt:
    """Render a length in mm in the style's manner; adj=True gives the attributive form."""

    def __init__(self, style: str, rng: random.Random):
        self.style, self.rng = style, rng
        self.us = style in ("dictated", "typed", "measured")

    def unit(self, u: str, plural: bool) -> str:
        base = {"mm": "millimeter", "cm": "centimeter"}[u]
        if not self.us:
            base = base[:-2] + "re"
        return base + ("s" if plural else "")

    def size(self, mm: float, adj: bool = False) -> str:
        r, st = self.rng, self.style
        cm = mm / 10
        if st == "dictated":
            if mm >= 15 and r.random() < 0.6:
                if cm == 1.5 and r.random() < 0.5:
                    return "one-and-a-half centimeter" if adj else "one and a half centimeters"
                return f"{dec_words(cm)} {self.unit('cm', not adj)}"
            if mm == int(mm):
                return f"{words(int(mm))} {self.unit('mm', not adj)}"
            return f"{dec_words(mm)} {self.unit('mm', not adj)}"
        if st == "continental":
            if r.random() < 0.5 and cm != int(cm):
                return g(cm).replace(".", ",") + " cm"
            return g(mm).replace(".", ",") + r.choice(["mm", " mm"])
        if st == "typed":
            inch = {6.35: "1/4", 9.5: "3/8", 12.7: "1/2", 19: "3/4", 25.4: "1", 38: "1-1/2", 50.8: "2"}
            if mm in inch:
                return f"{inch[mm]} INCH" if adj else f"{inch[mm]} INCHES" if mm > 25.4 else f"{inch[mm]} INCH"
            return (g(cm) + " CM") if mm >= 10 else (g(mm) + " MM")
        if st == "uk":
            if r.random() < 0.3 and mm == int(mm):
                return f"{g(mm)} {self.unit('mm', not adj)}"
            return g(mm) + " mm" if mm < 15 else r.choice([g(mm) + " mm", g(cm) + " cm"])
        # measured
        return r.choice([g(mm) + " mm", g(mm) + "mm", g(cm) + " cm", g(cm) + "cm"]) if mm >= 10 else g(mm) + " mm"

    def dims(self, a: float, b: float, c: float | None = None) -> str:
        """Per-dimension size; all dimensions lie on the same side of 6 mm (caller's duty)."""
        st = self.style
        if st == "dictated":
            parts = [words(int(x)) if x == int(x) else dec_words(x) for x in (a, b, c) if x]
            return " by ".join(parts) + " " + self.unit("mm", True)
        comma = st == "continental"
        if max(a, b) >= 15 and st != "typed":
            vals = [g(x / 10) for x in (a, b, c) if x]
            s = " x ".join(vals) + " cm"
        else:
            vals = [g(x) for x in (a, b, c) if x]
            s = " x ".join(vals) + " mm"
        s = s.replace(".", ",") if comma else s
        return s.upper() if st == "typed" else s


def ctr_text(fmt: Fmt, ratio: float) -> str:
    r = fmt.rng
    if fmt.style == "continental":
        return r.choice([f"CTR {ratio:.2f}".replace(".", ","), f"cardiothoracic ratio {round(ratio * 100)}%"])
    if fmt.style == "dictated":
        return f"cardiothoracic ratio of {dec_words(round(ratio, 2))}"
    if fmt.style == "measured":
        chest = r.choice([28.0, 29.5, 31.0, 30.2])
        return f"CTR {ratio * chest:.1f}/{chest:.1f} cm = {ratio:.2f}"
    if fmt.style == "typed":
        return f"C/T RATIO {ratio:.2f}"
    return r.choice([f"CTR {ratio:.2f}", f"CTR approximately {round(ratio * 100)}%"])


# ----------------------------------------------------------------------------- finding bank
ZONES = {"upper": ("upper zone", "upper lobe"), "mid": ("mid zone", "mid zone"), "lower": ("lower zone", "lower lobe")}
NODULE_SIG = [6, 6, 7, 8, 9, 10, 12, 14, 15, 18, 22]
NODULE_INSIG = [3, 4, 4, 5, 5, 5.5]
INCH_SIG = [6.35, 9.5, 12.7, 19]

# synonyms used to check that an impression does not name an omitted finding in any wording
KEYS = {
    "nodule": r"nodul|mass|lesion|opacit|density|granuloma|spot|neoplas|malignan|tumou?r|ct\b",
    "mass": r"mass|lesion|nodul|opacit|tumou?r|neoplas|malignan|carcinom|density",
    "pneumothorax": r"pneumothora|ptx|pleural (air|gas)|pleural line|collapse|air",
    "effusion": r"effusion|fluid|pleural|meniscus|blunt|hydrothora",
    "consolidation": r"consolidat|airspace|air-space|pneumon|infect|infiltrat|opacit|shadow",
    "collapse": r"collapse|atelecta|volume loss|opacit|lobe",
    "oedema": r"o?edema|congest|failure|fluid|overload|septal|kerley|venous",
    "cardiomegaly": r"cardiomegal|heart|cardiac|ctr|c/t|ratio",
}


# findings sentences removed from an IU report before a finding of that kind is inserted
KILL = {
    "nodule": r"nodul|mass|granulom|calcifi|lesion|density|opacit",
    "mass": r"nodul|mass|lesion|hilar|hila\b|density|opacit|lungs are clear",
    "pneumothorax": r"pneumothora",
    "effusion": r"effusion|costophrenic|pleural",
    "consolidation": r"consolidat|airspace|air space|pneumon|infiltrat|opacit|clear",
    "oedema": r"edema|vascul|congest|interstitial|kerley|septal|clear",
}


def up(s: str, fmt: Fmt) -> str:
    return s.upper() if fmt.style == "typed" else s


def make_finding(kind: str, fmt: Fmt, sig: bool = True, side: str | None = None) -> dict:
    """Return {kind, side, sig, f (findings sentence), i (impression phrase), neg_f, neg_i}."""
    r = fmt.rng
    side = side or r.choice(["right", "left"])
    zone = r.choice(list(ZONES))
    zname = ZONES[zone][0] if fmt.style in ("uk", "continental") else ZONES[zone][1]
    sig = sig if kind in ("nodule", "effusion", "cardiomegaly") else True
    d = {"kind": kind, "side": side, "sig": sig}
    if kind == "nodule":
        if fmt.style == "typed" and sig and r.random() < 0.7:
            mm = r.choice(INCH_SIG)
        else:
            mm = r.choice(NODULE_SIG if sig else NODULE_INSIG)
        if fmt.style == "measured" and r.random() < 0.5:
            if sig:
                lo = max(6, int(mm) - 1)
                sz = r.choice([f"{lo}-{lo + 2} mm", f"between {lo} and {lo + 2} mm", fmt.dims(lo + 2, lo)])
            else:
                sz = r.choice(["3-4 mm", "between 3 and 5 mm", fmt.dims(4, 3), fmt.dims(5, 4, 3)])
            f = r.choice(
                [f"Rounded nodule in the {side} {zname}, {sz}.", f"{side.capitalize()} {zname} nodule measuring {sz}."]
            )
        else:
            a = fmt.size(mm, adj=True)
            art = "an" if re.match(r"[aeiou8]|11 |18 ", a.lower()) and not a.lower().startswith("one") else "a"
            f = r.choice(
                [
                    f"There is {art} {a} nodule in the {side} {zname}.",
                    f"{art.capitalize()} {a} rounded opacity projects over the {side} {zname}, "
                    "in keeping with a nodule.",
                    f"Well-defined nodule in the {side} {zname} measuring {fmt.size(mm)}.",
                ]
            )
        if not sig:
            f = f.rstrip(".") + r.choice(
                [", calcified, likely a granuloma.", ", densely calcified.", ", unchanged from the prior study."]
            )
        d.update(
            f=f,
            i=r.choice(
                [
                    f"{side.capitalize()} {zname} nodule; CT chest recommended",
                    f"Pulmonary nodule, {side} {zname}, for CT characterisation"
                    if not fmt.us
                    else f"Pulmonary nodule in the {side} {zname}; recommend CT",
                ]
            )
            if sig
            else f"Tiny {side} {zname} nodule, likely benign",
            neg_f="No pulmonary nodule or mass.",
            neg_i="No pulmonary nodule.",
        )
    elif kind == "mass":
        mm = r.choice([25, 30, 35, 40, 45, 52, 60])
        a = fmt.dims(mm, mm - 5) if fmt.style == "measured" else fmt.size(mm, adj=True)
        art = "an" if re.match(r"[aeiou8]", a.lower()) else "a"
        f = r.choice(
            [
                f"There is {art} {a} mass in the {side} {zname}."
                if fmt.style != "measured"
                else f"Lobulated mass in the {side} {zname}, {a}.",
                f"A lobulated {side} hilar mass is present, approximately {fmt.size(mm)} in diameter.",
            ]
        )
        if "hilar" in f:
            d["i"] = f"{side.capitalize()} hilar mass, suspicious for malignancy"
        else:
            d["i"] = f"{side.capitalize()} {zname} mass, suspicious for neoplasm; CT advised"
        d.update(f=f, neg_f="No mass or hilar enlargement.", neg_i="No mass.")
    elif kind == "pneumothorax":
        rim = r.choice([8, 10, 15, 20, 25, 30])
        opts = [
            f"{side.capitalize()} apical pneumothorax with a {fmt.size(rim, adj=True)} apical rim.",
            f"There is a {side} pneumothorax, measuring {fmt.size(rim)} at the apex.",
        ]
        if fmt.style in ("measured", "uk"):
            opts.append(
                f"{side.capitalize()} pneumothorax, estimated at "
                f"{r.choice(['10', '15', '20', '10-15', '25-30'])}% of the hemithorax, "
                f"interpleural distance {fmt.size(rim)} at the level of the hilum."
            )
        d.update(
            f=r.choice(opts),
            i=r.choice(
                [f"{side.capitalize()} pneumothorax", f"{side.capitalize()} apical pneumothorax, {fmt.size(rim)} rim"]
            ),
            neg_f="No pneumothorax.",
            neg_i="No pneumothorax.",
        )
    elif kind == "effusion":
        if sig:
            lvl = r.choice(
                [
                    "reaching the mid zone",
                    "occupying approximately a third of the hemithorax",
                    "with the meniscus at the level of the 7th posterior rib",
                    "extending to the level of the hilum",
                    "occupying about half of the hemithorax",
                    "obscuring the lower two rib spaces and reaching the 8th posterior rib",
                ]
            )
            if fmt.style == "dictated":
                lvl = lvl.replace("7th", "seventh").replace("8th", "eighth")
            f = r.choice(
                [f"{side.capitalize()} pleural effusion {lvl}.", f"There is a moderate {side} pleural effusion, {lvl}."]
            )
            i = r.choice([f"{side.capitalize()} pleural effusion", f"Moderate {side} pleural effusion"])
        else:
            f = r.choice(
                [
                    f"Small {side} pleural effusion with blunting of the costophrenic angle only.",
                    f"Trace {side} pleural effusion; meniscus no higher than the 10th posterior rib.",
                    f"Minimal blunting of the {side} costophrenic angle, a tiny effusion.",
                ]
            )
            i = f"Small {side} pleural effusion"
        d.update(f=f, i=i, neg_f="No pleural effusion.", neg_i="No pleural effusion.")
    elif kind == "consolidation":
        z = ZONES[zone][1]
        a = fmt.dims(r.choice([40, 50, 60]), r.choice([30, 35]))
        d.update(
            f=r.choice(
                [
                    f"Consolidation in the {side} {z} measuring approximately {a}, with air bronchograms.",
                    f"Airspace opacity in the {side} {z}, about {a}, consistent with consolidation.",
                ]
            ),
            i=r.choice(
                [f"{side.capitalize()} {z} consolidation, likely pneumonia", f"{side.capitalize()} {z} pneumonia"]
            ),
            neg_f="No focal consolidation.",
            neg_i="No consolidation.",
        )
    elif kind == "collapse":
        lobe = (
            r.choice(["lower lobe", "upper lobe"])
            if side == "left"
            else r.choice(["lower lobe", "upper lobe", "middle lobe"])
        )
        shift = fmt.size(r.choice([10, 15, 20]))
        d.update(
            f=(
                f"Collapse of the {side} {lobe} with volume loss; the trachea is pulled {shift} to the {side}."
                if lobe == "upper lobe"
                else f"Collapse of the {side} {lobe}; the {side} hemidiaphragm is elevated by about {shift}."
            ),
            i=f"{side.capitalize()} {lobe} collapse",
            neg_f="No lobar collapse.",
            neg_i="No collapse.",
        )
    elif kind == "oedema":
        oe = "edema" if fmt.us else "oedema"
        d.update(
            side=None,
            f=f"Upper lobe venous diversion with septal lines up to {fmt.size(r.choice([10, 15, 20]))} long "
            f"at both costophrenic angles, and perihilar haziness in keeping with interstitial {oe}.",
            i=f"Interstitial pulmonary {oe}",
            neg_f=f"No pulmonary {oe}.",
            neg_i=f"No pulmonary {oe}.",
        )
    elif kind == "cardiomegaly":
        ratio = r.choice([0.56, 0.58, 0.6, 0.62, 0.65]) if sig else r.choice([0.52, 0.53, 0.55])
        c = ctr_text(fmt, ratio)
        f = f"The heart is enlarged, {c}." if sig else f"Mild cardiomegaly, {c}, unchanged from the prior study."
        d.update(
            side=None,
            f=f,
            i="Cardiomegaly" if sig else "Stable mild cardiomegaly",
            neg_f=f"Heart size is normal, {ctr_text(fmt, r.choice([0.42, 0.45, 0.47]))}.",
            neg_i="Normal heart size",
        )
        d["sig"] = False  # cardiomegaly is never a spec-significant omission here
    return d


NORMAL_IMP = {
    "us": [
        "No acute cardiopulmonary process.",
        "No acute cardiopulmonary abnormality.",
        "Normal chest radiograph.",
        "No radiographic evidence of acute disease.",
    ],
    "uk": ["No acute abnormality.", "Normal chest radiograph.", "No acute cardiopulmonary abnormality seen."],
}
HIST = [
    "cough for two weeks",
    "shortness of breath",
    "pre-operative assessment",
    "fever, ?chest infection",
    "follow-up of pulmonary nodule",
    "chest pain",
    "fall, left chest wall pain",
    "weight loss, smoker",
    "___-year-old with dyspnoea",
    "hypoxia",
]


def normal_findings(fmt: Fmt, present: set[str]) -> list[str]:
    r = fmt.rng
    out = []
    if "cardiomegaly" not in present:
        out.append(
            r.choice(
                [
                    f"Heart size is normal, {ctr_text(fmt, r.choice([0.41, 0.44, 0.46, 0.48]))}.",
                    f"Normal cardiac size ({ctr_text(fmt, r.choice([0.43, 0.47]))}).",
                    "The cardiomediastinal silhouette is within normal limits.",
                ]
            )
        )
    out.append("Mediastinal contours are normal." if "mass" not in present else "The mediastinum is central.")
    lung_abn = present & {"nodule", "mass", "consolidation", "collapse", "oedema"}
    if not lung_abn:
        out.append(
            r.choice(
                ["The lungs are clear.", "Lungs are clear with no focal consolidation.", "No focal airspace opacity."]
            )
        )
    else:
        out.append("The remainder of the lungs is clear." if "oedema" not in present else "No focal consolidation.")
        if "consolidation" in present or "collapse" in present:
            out[-1] = "The lungs are otherwise clear."
    pl = []
    if "effusion" not in present:
        pl.append("effusion")
    if "pneumothorax" not in present:
        pl.append("pneumothorax")
    if pl:
        out.append(
            "No pleural effusion or pneumothorax."
            if len(pl) == 2
            else f"No {'pleural effusion' if pl[0] == 'effusion' else 'pneumothorax'}."
        )
    out.append(
        r.choice(
            ["Bones are intact.", "No acute osseous abnormality.", "Visualized osseous structures are unremarkable."]
        )
    )
    return out


def layout(
    fmt: Fmt, hist: str, comp: str, findings: list[str] | None, imp: list[str] | None, measures: list[str] | None = None
) -> str:
    """Lay out a report in the style; findings/impression None -> section absent, [] -> empty header."""
    st, r = fmt.style, fmt.rng
    lines = []
    if st == "dictated":
        lines += ["EXAM: XR CHEST 2 VIEWS", f"HISTORY: {hist}", f"COMPARISON: {comp}", ""]
        fh, ih = "FINDINGS:", "IMPRESSION:"
    elif st == "uk":
        lines += ["XR Chest PA", f"Clinical details: {hist}", f"Comparison: {comp}", ""]
        fh, ih = r.choice([("Findings:", "Impression:"), ("Report:", "Impression:"), ("Findings:", "Conclusion:")])
    elif st == "continental":
        lines += ["Chest X-ray, PA and lateral", f"Indication: {hist}", f"Previous: {comp}", ""]
        fh, ih = "Findings:", r.choice(["Impression:", "Conclusion:"])
    elif st == "typed":
        lines += ["CHEST PA AND LATERAL", f"CLINICAL: {hist.upper()}", f"COMPARISON: {comp.upper()}", ""]
        fh, ih = "FINDINGS:", "IMPRESSION:"
    else:
        lines += ["Procedure: XR chest PA/lateral", f"Indication: {hist}", f"Comparison: {comp}", ""]
        fh, ih = "FINDINGS:", "IMPRESSION:"
    if findings is not None:
        body = " ".join(findings)
        if st == "typed":
            body = body.upper()
        if st in ("dictated", "measured") and findings:
            lines += [fh, body]
        else:
            lines += [f"{fh} {body}".rstrip()]
        if measures:
            lines += ["", "Measurements:"] + [f"- {m}" for m in measures]
        lines.append("")
    if imp is not None:
        items = [s.rstrip(".") + "." for s in imp]
        if st == "typed":
            items = [s.upper() for s in items]
        if st in ("dictated", "measured") and len(items) > 1:
            lines += [ih] + [f"{k}. {s}" for k, s in enumerate(items, 1)]
        elif st in ("dictated", "measured"):
            lines += [ih] + items
        else:
            lines += [f"{ih} {' '.join(items)}".rstrip()]
    if st == "dictated" and r.random() < 0.4:
        lines += [
            "",
            r.choice(
                [
                    "Findings discussed with Dr. ___ by telephone on ___ at ___.",
                    "Dictated by: ___, MD",
                    "Electronically signed by ___ on ___.",
                ]
            ),
        ]
    if st == "uk" and r.random() < 0.3:
        lines += ["", "Reported by Dr ___, Consultant Radiologist."]
    return "\n".join(lines).rstrip() + "\n"


# ----------------------------------------------------------------------------- composed cases
SIG_KINDS = ["nodule", "nodule", "mass", "pneumothorax", "effusion", "consolidation", "collapse", "oedema"]
SIDED = ["nodule", "nodule", "mass", "pneumothorax", "effusion", "consolidation", "collapse"]


def comp_text(fmt: Fmt) -> str:
    return fmt.rng.choice(["None.", "None available.", "Prior radiograph of ___.", "CT chest ___."])


def composed(kind: str | None, rng: random.Random) -> tuple[str, str]:
    style = rng.choice(STYLES)
    fmt = Fmt(style, rng)
    hist = rng.choice(HIST)
    comp = comp_text(fmt)
    finds: list[dict] = []
    n_abn = rng.choice([0, 1, 1, 2]) if kind is None else rng.choice([0, 1])
    used_sides = {}
    for _ in range(n_abn):
        k = rng.choice(SIG_KINDS + ["cardiomegaly"])
        if any(f["kind"] == k for f in finds):
            continue
        sig = rng.random() < 0.6
        finds.append(make_finding(k, fmt, sig=sig))
    # hard negatives: under-6-mm nodule / small effusion / mild cardiomegaly left out of the impression
    if kind is None and rng.random() < 0.5:
        k = rng.choice(["nodule", "effusion", "cardiomegaly"])
        if not any(f["kind"] == k for f in finds):
            hn = make_finding(k, fmt, sig=False)
            hn["omit"] = True
            finds.append(hn)
    detail = "clean"
    target = None
    if kind in ("laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"):
        pool = SIDED if kind in ("laterality_conflict", "placeholder") else SIG_KINDS
        k = rng.choice([p for p in pool if not any(f["kind"] == p for f in finds)] or pool)
        finds = [f for f in finds if f["kind"] != k]
        target = make_finding(k, fmt, sig=True)
        if kind == "impression_omits_finding" and rng.random() < 0.5:
            finds = [f for f in finds if not f["sig"]]  # impression will be a normal macro
        finds.insert(rng.randrange(len(finds) + 1), target)
    for f in finds:
        used_sides[f["kind"]] = f.get("side")
    present = {f["kind"] for f in finds}
    fsent = [f["f"] for f in finds]
    measures = None
    if style == "measured" and rng.random() < 0.6:
        measures = [ctr_text(fmt, rng.choice([0.44, 0.46, 0.48]))] if "cardiomegaly" not in present else None
    normals = normal_findings(fmt, present)
    if measures:  # the CTR is given once, in the Measurements block
        normals = ["Heart size is normal." if "CTR" in x else x for x in normals]
    findings = fsent + normals if rng.random() < 0.5 else normals[:1] + fsent + normals[1:]
    imp = [
        f["i"] for f in finds if (f["sig"] or f["kind"] == "cardiomegaly" or rng.random() < 0.5) and not f.get("omit")
    ]
    if not imp:
        imp = [rng.choice([x for x in NORMAL_IMP["us" if fmt.us else "uk"] if "Normal" not in x or not finds])]
    elif rng.random() < 0.4 and not any(f["kind"] in ("consolidation", "oedema", "pneumothorax") for f in finds):
        imp.append("No acute cardiopulmonary process" if fmt.us else "No other acute abnormality")
    imp_has_sig = any(f["sig"] for f in finds)
    if imp_has_sig and any("normal chest" in s.lower() for s in imp):
        imp = [s for s in imp if "normal chest" not in s.lower()]

    if kind == "missing_section":
        mode = rng.choice(["no_imp", "empty_imp", "empty_find", "no_find_bare"])
        if mode == "no_imp":
            return layout(fmt, hist, comp, findings, None, measures), "IMPRESSION section absent"
        if mode == "empty_imp":
            return layout(fmt, hist, comp, findings, [], measures), "IMPRESSION header left empty"
        if mode == "empty_find":
            return layout(fmt, hist, comp, [], imp), "FINDINGS header left empty"
        bare = rng.choice(["No acute disease.", "Nothing acute.", "No acute cardiopulmonary process."])
        return layout(fmt, hist, comp, None, [bare]), f"FINDINGS absent; impression is only '{bare}'"
    if kind == "laterality_conflict":
        s, o = target["side"], {"right": "left", "left": "right"}[target["side"]]
        flip_imp = rng.random() < 0.7
        if flip_imp:
            imp = [re.sub(rf"\b{s}\b", o, x, flags=re.I) if x == target["i"] else x for x in imp]
            imp = [x[0].upper() + x[1:] for x in imp]
            assert any(o in x.lower() for x in imp)
            detail = f"{target['kind']}: {s} in FINDINGS, {o} in IMPRESSION"
        else:
            nf = re.sub(rf"\b{s}\b", o, target["f"])
            nf = re.sub(rf"\b{s.capitalize()}\b", o.capitalize(), nf)
            findings = [nf if x == target["f"] else x for x in findings]
            detail = f"{target['kind']}: {o} in FINDINGS, {s} in IMPRESSION"
        return layout(fmt, hist, comp, findings, imp, measures), detail
    if kind == "negation_conflict":
        if rng.random() < 0.5:
            # impression from a normal macro negates what findings affirm
            imp = [x for x in imp if x != target["i"] and "acute" not in x]
            imp = imp + [target["neg_i"]]
            if len(imp) == 1:
                imp.append(rng.choice(NORMAL_IMP["us" if fmt.us else "uk"])[:-1])
            detail = f"FINDINGS affirm {target['kind']}; IMPRESSION says '{target['neg_i']}'"
        else:
            findings = [target["neg_f"] if x == target["f"] else x for x in findings]
            detail = f"FINDINGS say '{target['neg_f']}'; IMPRESSION affirms {target['kind']}"
        return layout(fmt, hist, comp, findings, imp, measures), detail
    if kind == "impression_omits_finding":
        others = [f["i"] for f in finds if f is not target and not f.get("omit")]
        if not any(f["sig"] for f in finds if f is not target):
            imp = [rng.choice(NORMAL_IMP["us" if fmt.us else "uk"])]
            detail = f"{target['kind']} in FINDINGS ({target['f']}) omitted; impression normal"
        else:
            imp = others
            detail = f"{target['kind']} in FINDINGS ({target['f']}) omitted; impression lists others"
        pat = KEYS[target["kind"]]
        if any(re.search(pat, x, re.I) for x in imp):
            imp = [rng.choice(NORMAL_IMP["us" if fmt.us else "uk"])]
        return layout(fmt, hist, comp, findings, imp, measures), detail
    if kind == "placeholder":
        f = target["f"]
        m = re.search(r"\b\d+(?:[.,]\d+)?(?: x \d+(?:[.,]\d+)?)*(?:\s?(?:mm|cm|MM|CM|%))", f) or re.search(
            r"\b(?:(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|"
            r"forty|fifty|sixty)(?:[- ]|point|and|a|half)*)+(?:milli|centi)met(?:er|re)s?",
            f,
        )
        if m and rng.random() < 0.7:
            ph = rng.choice(["__ x __ cm", "__ x __ mm"] if " x " in m.group(0) or " by " in m.group(0) else
                            ["___ mm", "XX mm", "___ cm", "[***] cm", "<size>", "*** mm", "X.X cm"])
            nf = f[: m.start()] + ph + f[m.end() :]
            what = f"size '{m.group(0)}' -> '{ph}'"
        else:
            ph = rng.choice(["[LEFT/RIGHT]", "[***]", "<side>", "___"])
            nf = re.sub(rf"\b{target['side']}\b", ph, f, count=1, flags=re.I)
            what = f"side '{target['side']}' -> '{ph}'"
            if nf == f:
                nf = f.rstrip(".") + ", measuring [***] mm."
                what = "size blank '[***] mm' left"
        findings = [nf if x == f else x for x in findings]
        return layout(fmt, hist, comp, findings, imp, measures), f"placeholder in {target['kind']}: {what}"
    return layout(fmt, hist, comp, findings, imp, measures), detail


# ----------------------------------------------------------------------------- IU cases
def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    if not (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        sys.exit(f"shared data not found at {p}: set MEDRAG_SHARED_DIR to the shared folder")
    return p


def dev_uids(shared: Path) -> set[str]:
    path = shared / "eval" / "report_errors_dev.jsonl"
    if not path.exists():
        return set()
    return {json.loads(line).get("uid") for line in path.open() if line.strip()}


def load_iu(shared: Path) -> list[dict]:
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        for m in sorted(t.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(t.extractfile(m)).getroot()
            uid = root.find("uId").get("id")
            d = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            f, i = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if len(f) < 40 or len(i) < 5 or len(f) > 700:
                continue
            out.append(
                {
                    "uid": uid,
                    "f": f,
                    "i": i,
                    "ind": d.get("INDICATION", "") or "Not given.",
                    "comp": d.get("COMPARISON", "") or "None.",
                }
            )
    return out


def sents(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=\.)\s+(?=[A-Z0-9])", text) if s.strip()]


NORMAL_RE = re.compile(
    r"^(no acute|normal chest|negative|no active|no evidence of acute|no radiographic evidence|"
    r"no acute cardiopulmonary|normal$|heart size and pulmonary vascularity)",
    re.I,
)
ABN_FIND = re.compile(
    r"nodul|mass|pneumothora|effusion|consolidat|edema|collapse|infiltrat|airspace|opacit|"
    r"granulom|atelecta|cardiomegal|enlarg|density|calcifi",
    re.I,
)
FINDING_WORDS = (
    r"effusion|opacit|pneumothorax|nodule|atelectasis|consolidation|infiltrate|airspace disease|pneumonia|"
    r"granuloma|scarring|density"
)


def reword_iu(text: str, fmt: Fmt) -> str:
    """Re-word IU measures in the style (same value, other notation)."""

    def rep(m):
        v = float(m.group(1))
        mm = v * 10 if m.group(2).lower() == "cm" else v
        return fmt.size(mm)

    return re.sub(r"\b(\d+(?:\.\d+)?)\s?(mm|cm)\b", rep, text)


def iu_layout(fmt: Fmt, c: dict, findings: str | None, imp: str | None) -> str:
    fl = None if findings is None else ([findings] if findings else [])
    il = None if imp is None else ([imp] if imp else [])
    return layout(fmt, c["ind"], c["comp"], fl, il)


def iu_case(kind: str | None, c: dict, rng: random.Random) -> tuple[str, str] | None:
    fmt = Fmt(rng.choice(STYLES), rng)
    f, i = (re.sub(r"\.(\s*\.)+", ".", reword_iu(x, fmt)) for x in (c["f"], c["i"]))
    normal_imp = bool(NORMAL_RE.match(c["i"]))
    if kind is None:
        if rng.random() < 0.5 and not re.search(
            r"nodul|granulom|calcifi|mass|normal chest|negative", f + " " + i, re.I
        ):
            hn = make_finding("nodule", fmt, sig=False)
            ss = sents(f)
            ss.insert(rng.randrange(1, len(ss) + 1), hn["f"])
            return iu_layout(fmt, c, " ".join(ss), i), "clean (sub-6-mm calcified nodule left out of impression)"
        return iu_layout(fmt, c, f, i), "clean"
    if kind == "missing_section":
        mode = rng.choice(["no_imp", "empty_imp", "empty_find"])
        if mode == "no_imp":
            return iu_layout(fmt, c, f, None), "IMPRESSION section absent"
        if mode == "empty_imp":
            return iu_layout(fmt, c, f, ""), "IMPRESSION header left empty"
        return iu_layout(fmt, c, "", i), "FINDINGS header left empty"
    if kind == "placeholder":
        for s in sents(f):
            if re.search(r"\b(no|not|without|negative)\b|habitus", s, re.I):
                continue
            m = re.search(r"\b(right|left|mild|moderate)\b", s, re.I)
            if not m:
                continue
            w = m.group(0).lower()
            ph = (
                ("[LEFT/RIGHT]" if w in ("right", "left") else "[mild/moderate/severe]")
                if rng.random() < 0.5
                else rng.choice(["[***]", "[ ]", "<  >"])
            )
            ns = s[: m.start()] + ph + s[m.end() :]
            return iu_layout(fmt, c, f.replace(s, ns, 1), i), f"FINDINGS '{m.group(0)}' -> '{ph}'"
        return None
    if kind == "laterality_conflict":
        if re.search(r"bilateral|both|bibasilar", c["i"], re.I):
            return None
        for s in sents(i):
            sides = set(re.findall(r"\b(right|left)\b", s, re.I))
            sides = {x.lower() for x in sides}
            kw = re.search(FINDING_WORDS, s, re.I)
            if len(sides) != 1 or not kw or re.match(r"no\b", s, re.I):
                continue
            side = sides.pop()
            other = {"right": "left", "left": "right"}[side]
            if re.search(rf"\b{other}\b", i, re.I):
                continue
            ok = [
                x
                for x in sents(f)
                if re.search(rf"\b{side}\b", x, re.I)
                and not re.search(rf"\b{other}\b", x, re.I)
                and re.search(kw.group(0)[:6], x, re.I)
                and not re.match(r"no\b", x, re.I)
            ]
            if not ok:
                continue
            ns = re.sub(rf"\b{side}\b", other, s)
            ns = re.sub(rf"\b{side.capitalize()}\b", other.capitalize(), ns)
            ns = re.sub(rf"\b{side.upper()}\b", other.upper(), ns)
            return iu_layout(
                fmt, c, f, i.replace(s, ns)
            ), f"{kw.group(0)}: {side} in FINDINGS, flipped to {other} in IMPRESSION"
        return None
    if kind == "negation_conflict":
        if not normal_imp:
            return None
        cands = [
            ("pneumothorax", r"no (evidence of )?(\w+ )?pneumothora|without pneumothora|pneumothorax is not"),
            ("effusion", r"no (\w+ )?(pleural )?effusion|no (\w+ ){0,3}effusions?|without (\w+ )?effusion"),
            ("consolidation", r"no (focal )?(airspace )?(consolidation|airspace)|no focal air"),
        ]
        rng.shuffle(cands)
        for k, pat in cands:
            if re.search(pat, f, re.I):
                t = make_finding(k, fmt, sig=True)
                return iu_layout(fmt, c, f, t["i"] + ". " + i), f"FINDINGS negate {k}; IMPRESSION affirms '{t['i']}'"
        return None
    if kind == "impression_omits_finding":
        want_normal = rng.random() < 0.5
        if want_normal != normal_imp:
            return None
        k = rng.choice(["nodule", "nodule", "mass", "pneumothorax", "effusion", "consolidation", "oedema"])
        pat = KEYS[k]
        if re.search(pat, c["i"], re.I):
            return None
        t = make_finding(k, fmt, sig=True)
        if k == "nodule" and rng.random() < 0.3:
            was = rng.choice([4, 5])
            now = rng.choice([7, 8, 9])
            t["f"] = (
                f"The {t['side']} {ZONES['upper'][1]} nodule has increased in size, now {fmt.size(now)} "
                f"(previously {fmt.size(was)})."
            )
        kill = KILL[k]
        ss = [x for x in sents(f) if not re.search(kill, x, re.I)]
        if not ss:
            return None
        ss.insert(rng.randrange(1 if len(ss[0]) < 20 else 0, len(ss) + 1), t["f"])
        return iu_layout(fmt, c, " ".join(ss), i), f"{k} in FINDINGS ({t['f']}) omitted from IMPRESSION"
    return None


# ----------------------------------------------------------------------------- checks + main
PH_RE = re.compile(
    r"\[ \]|\[LEFT/RIGHT\]|\[\*\*\*\]|<size>|<side>|<  >|XX mm|\*\*\* mm|__ x __|___ mm|___ cm|X\.X cm|"
    r"\[mild/moderate/severe\]|___",
    re.I,
)


def split_sections(rep: str) -> tuple[str | None, str | None]:
    m_f = re.search(r"^(FINDINGS|Findings|Report):(.*?)(?=^(IMPRESSION|Impression|Conclusion):|\Z)", rep, re.S | re.M)
    m_i = re.search(r"^(IMPRESSION|Impression|Conclusion):(.*)\Z", rep, re.S | re.M)
    return (m_f.group(2) if m_f else None), (m_i.group(2) if m_i else None)


def verify(kind: str | None, rep: str, detail: str) -> None:
    fi, im = split_sections(rep)
    if kind != "missing_section":
        assert fi and fi.strip() and im and im.strip(), (kind, rep)
    if kind is None or kind in ("laterality_conflict", "negation_conflict", "impression_omits_finding"):
        body = re.sub(r"Dr\.? ___|by ___|on ___|at ___|of ___\.|___-year-old|CT chest ___|___, MD", "", rep, flags=re.I)
        assert not PH_RE.search(body), rep
    if kind == "missing_section":
        empty = fi is None or not fi.strip() or im is None or not re.sub(r"(?s)\n\n.*", "", im).strip()
        assert empty, rep
    if kind == "placeholder":
        assert PH_RE.search(fi), rep
    if kind == "laterality_conflict":
        m = re.search(r"(right|left) in FINDINGS, (?:flipped to )?(right|left) in IMPRESSION", detail)
        assert m and m.group(1) != m.group(2), detail
        assert re.search(rf"\b{m.group(1)}\b", fi, re.I) and re.search(rf"\b{m.group(2)}\b", im, re.I), rep
    if kind == "impression_omits_finding":
        k = detail.split(" ")[0]
        assert not re.search(KEYS[k], im, re.I), rep


def case_id(seed: int, n: int, rep: str) -> str:
    return hashlib.sha256(f"h28|{seed}|{n}|{rep}".encode()).hexdigest()[:16]


def build(seed: int, shared: Path) -> list[dict]:
    rng = random.Random(seed)
    dev = dev_uids(shared)
    iu = [c for c in load_iu(shared) if c["uid"] not in dev]
    rng.shuffle(iu)
    used: set[str] = set()
    cases = []
    for kind in [None] + KINDS:
        total = N_CLEAN if kind is None else N_KIND
        for _ in range(total // 2):
            rep, det = composed(kind, rng)
            verify(kind, rep, det)
            cases.append({"injected": kind, "detail": det, "report": rep, "src": "composed"})
        got = 0
        for c in iu:
            if got == total // 2:
                break
            if c["uid"] in used:
                continue
            res = iu_case(kind, c, rng)
            if res is None:
                continue
            rep, det = res
            verify(kind, rep, det)
            used.add(c["uid"])
            cases.append(
                {"injected": kind, "detail": f"IU {c['uid']}: {det}", "report": rep, "src": "iu", "uid": c["uid"]}
            )
            got += 1
        assert got == total // 2, (kind, got)
    rng.shuffle(cases)
    out = []
    for n, c in enumerate(cases):
        out.append(
            {
                "id": case_id(seed, n, c["report"]),
                "injected": c["injected"],
                "detail": c["detail"],
                "report": c["report"],
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=2801)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    env = os.environ.get("MEDRAG_SHARED_DIR")
    default = Path(__file__).resolve().parents[1].parent / "shared"
    if not env and not default.exists():
        print("shared folder not found: set MEDRAG_SHARED_DIR", file=sys.stderr)
        return 2
    p = Path(env) if env else default
    if not (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        print(f"IU archive not found under {p}: set MEDRAG_SHARED_DIR", file=sys.stderr)
        return 2
    cases = build(a.seed, p)
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == kind][: a.show]:
                print(f"=== {kind} | {c['detail']}\n{c['report']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
