"""Held-out report-check test set no. 37: where the side sits in the sentence.

Written blind: without reading the checker, its tests, its docs or any other generator; only the
scorer's format, the shared eval README, the IU (Open-i) archive and the dev set's ``uid`` field.

Styles (theme: position of the side word, sides shared or carried across words):
  * side fronted ("On the right, there is ...", "At the left base, ..."), trailing ("Effusion, right."),
    in a relative clause ("..., which is left-sided"), in parentheses ("(right lower zone)"),
    "-sided", "unilateral", a side shared by a coordinated list ("Right pleural effusion and basal
    consolidation"), "on the same side", "the opposite lung", "the former ... the latter", and sides
    carried by a preceding heading or sentence ("Right hemithorax: ...", "The left lung: ...");
  * both-sided statements split over two sentences ("... on the right. A similar effusion on the left.");
  * layouts: classic headed, side-structured (per-hemithorax headings), run-on paragraph, numbered
    impression, dashed headings; IU reports re-laid-out with some side phrases moved to the front.

Errors: laterality flipped in exactly one section in any of the positions above; negation conflicts;
significant findings left out of the impression; emptied/absent sections; template blanks where a
side, size or grade belongs. ``___`` where a name or date would stand is a de-identification mask.

usage: python -m bench.make_heldout37 OUT.jsonl --seed S [--show N]
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
OPP = {"right": "left", "left": "right"}

# ---------------------------------------------------------------- finding bank (composed reports)
# key: (noun, countable, zone, prep, mod, impression nouns, words that name it in any wording)
BANK = {
    "effusion": (
        "pleural effusion",
        True,
        "base",
        "at",
        "",
        ["pleural effusion", "effusion"],
        ["effusion", "fluid", "pleural"],
    ),
    "ptx": ("pneumothorax", True, "apex", "at", "apical", ["pneumothorax"], ["pneumothora", "ptx", "air"]),
    "consol": (
        "consolidation",
        False,
        "lower zone",
        "in",
        "lower zone",
        ["consolidation", "airspace consolidation", "consolidation, likely infective"],
        ["consolid", "airspace", "opacit", "pneumonia", "infect", "shadow"],
    ),
    "nodule": (
        "nodule",
        True,
        "mid zone",
        "in",
        "mid zone",
        ["pulmonary nodule", "nodule"],
        ["nodul", "mass", "lesion", "opacit", "density"],
    ),
    "collapse": (
        "collapse",
        False,
        "lower lobe",
        "in",
        "lower lobe",
        ["lower lobe collapse", "lobar collapse"],
        ["collapse", "atelecta", "lobe", "volume loss"],
    ),
}
MINOR = {  # lateral, not significant per spec: may be left out of the impression
    "rib": ("healed posterior 7th rib fracture", True, "hemithorax", "in", "", ["old rib fracture"]),
    "thick": ("apical pleural thickening", False, "apex", "at", "", ["apical pleural thickening"]),
    "diaph": ("elevation of the hemidiaphragm", False, "base", "at", "", ["elevated hemidiaphragm"]),
    "granuloma": ("4 mm calcified granuloma", True, "upper zone", "in", "", ["calcified granuloma"]),
}
NORMALS = [  # sentence, tags that a present finding forbids
    ("Heart size is normal.", {"cardio"}),
    ("The cardiomediastinal silhouette is within normal limits.", {"cardio"}),
    ("Cardiac and mediastinal contours are unremarkable.", {"cardio"}),
    ("No pneumothorax.", {"ptx"}),
    ("No pleural effusion.", {"effusion"}),
    ("There is no pneumothorax or pleural effusion.", {"ptx", "effusion"}),
    ("The lungs are clear.", {"lung", "effusion", "ptx"}),
    ("Both lungs are clear.", {"lung", "effusion", "ptx"}),
    ("Bony thorax is intact.", {"rib"}),
    ("No free subdiaphragmatic gas.", set()),
    ("Hila are normal in size and position.", set()),
    ("Trachea is central.", {"collapse"}),
]
LUNG = {"consol", "nodule", "collapse", "granuloma"}
NORMAL_IMP = [
    "No acute cardiopulmonary abnormality.",
    "No acute cardiopulmonary process.",
    "No acute chest pathology.",
    "No active disease in the chest.",
    "Normal chest radiograph.",
]


def art(word):
    return "an" if word[:1].lower() in "aeiou" else "a"


def cap(s):
    return s[:1].upper() + s[1:]


def make_item(rng, key, side, sig=None):
    """A finding with a side; size chosen so that it is (or is not) significant."""
    if key in BANK:
        noun, cnt, zone, prep, mod, inouns, words = BANK[key]
    else:
        noun, cnt, zone, prep, mod, inouns = MINOR[key]
        words = [inouns[0].split()[-1]]
    adj = ""
    if key == "effusion":
        adj = (
            rng.choice(["moderate", "large", "moderate-sized"]) if sig is not False else rng.choice(["small", "trace"])
        )
    elif key == "ptx":
        adj = rng.choice(["small", "moderate", "shallow", ""])
    elif key == "consol":
        adj = rng.choice(["patchy", "dense", "confluent", ""])
    elif key == "nodule":
        adj = rng.choice(["12 mm", "1.5 cm", "9 mm", "2 cm"])
    significant = key in BANK and (key != "effusion" or adj not in ("small", "trace"))
    return {
        "key": key,
        "side": side,
        "noun": noun,
        "cnt": cnt,
        "zone": zone,
        "prep": prep,
        "mod": mod,
        "adj": adj,
        "inouns": inouns,
        "words": words,
        "sig": significant,
    }


def np_(it, with_art=False, mod=False):
    parts = [it["adj"]] + ([it["mod"]] if (mod or it["key"] == "collapse") and it["mod"] else []) + [it["noun"]]
    s = " ".join(p for p in parts if p)
    return f"{art(s)} {s}" if with_art and it["cnt"] else s


def render_f(rng, it, side, form=None):
    """One findings sentence for the item, side placed in one of several positions."""
    s, z, p = side, it["zone"], it["prep"]
    forms = [
        "std",
        "fronted",
        "fronted_zone",
        "trailing",
        "trailing_side",
        "relative",
        "paren",
        "paren_zone",
        "sided",
        "hemithorax",
        "lung",
    ]
    form = form or rng.choice(forms)
    n_a, n = np_(it, True), np_(it)
    std = " ".join(x for x in [it["adj"], s, it["mod"], it["noun"]] if x)
    if form == "std":
        return cap(std) + "."
    if form == "fronted":
        return f"On the {s}, there is {n_a}." if it["cnt"] else f"On the {s}, there is {n}."
    if form in ("fronted_zone", "paren_zone") and it["key"] == "collapse":
        return f"Collapse ({s} lower lobe)." if form == "paren_zone" else f"The {s} lower lobe is collapsed."
    if form == "fronted_zone":
        return f"{cap(p)} the {s} {z}, {n}." if rng.random() < 0.5 else f"{cap(p)} the {s} {z} there is {n_a}."
    if form == "trailing":
        return f"{cap(n)}, {s}."
    if form == "trailing_side":
        return f"{cap(n)} is seen, {s} side." if rng.random() < 0.5 else f"{cap(n)} noted on the {s}."
    if form == "relative":
        return rng.choice(
            [f"{cap(n_a)} is present, which is {s}-sided.", f"{cap(n_a)} is present, which lies on the {s}."]
        )
    if form == "paren":
        return f"{cap(n)} ({s})."
    if form == "paren_zone":
        return f"{cap(n)} ({s} {z})."
    if form == "sided":
        return (
            rng.choice([f"There is {art(s)} {s}-sided {n}."] + [f"Unilateral {s} {n}."] * (it["key"] == "effusion"))
            if it["cnt"]
            else f"{cap(s)}-sided {n}."
        )
    if form == "hemithorax":
        return rng.choice([f"{cap(s)} hemithorax - {n}.", f"{cap(s)} hemithorax: {n}."])
    return f"The {s} lung: {n} {p} the {z}." if it["key"] in LUNG else f"The {s} side: {n}."


def render_i(rng, it, side, form=None):
    """An impression phrase for the item (other wording than the findings)."""
    noun = rng.choice(it["inouns"])
    if it["key"] == "collapse":
        return rng.choice(
            [
                f"{cap(side)} lower lobe collapse.",
                f"Collapse of the {side} lower lobe.",
                f"Lower lobe collapse, {side}.",
                f"Lobar collapse ({side} lower lobe).",
            ]
        )
    adj = (
        it["adj"]
        if it["adj"] in ("moderate", "large", "moderate-sized", "small", "12 mm", "1.5 cm", "9 mm", "2 cm")
        else ""
    )
    form = form or rng.choice(["std", "trail", "sided", "paren", "on"])
    if form == "std":
        return cap(" ".join(x for x in [adj, side, noun] if x)) + "."
    if form == "trail":
        return cap(" ".join(x for x in [adj, noun] if x)) + f", {side}."
    if form == "sided":
        return f"{cap(side)}-sided {' '.join(x for x in [adj, noun] if x)}."
    if form == "paren":
        return cap(" ".join(x for x in [adj, noun] if x)) + f" ({side})."
    return cap(" ".join(x for x in [adj, noun] if x)) + f" on the {side}."


def normals(rng, items, k):
    tags = set()
    for it in items:
        tags.add(it["key"])
        if it["key"] in LUNG:
            tags.add("lung")
    ok = [s for s, t in NORMALS if not (t & tags)]
    out = rng.sample(ok, min(k, len(ok)))
    if items and any(it["key"] in LUNG for it in items) and rng.random() < 0.5:
        out.append("The lungs are otherwise clear.")
    return out


def pair_sentence(rng, a, sa, b, sb, form):
    """Two findings in one sentence: shared side, same side, former/latter."""
    if form == "shared":
        return (
            f"{cap(' '.join(x for x in [a['adj'], sa, a['noun']] if x))} and {b['adj'] + ' ' if b['adj'] else ''}"
            f"{'basal' if b['zone'] in ('base', 'lower zone') else b['mod'] or ''} {b['noun']}.".replace("  ", " ")
        )
    if form == "same":
        return f"{render_f(rng, a, sa, 'std')[:-1]}, with {np_(b, True)} on the same side."
    return f"There is {np_(a, True)} and {np_(b, True)}, the former on the {sa} and the latter on the {sb}."


# ---------------------------------------------------------------- layouts
HISTORY = [
    "Cough and fever.",
    "Shortness of breath.",
    "Pleuritic chest pain, ?effusion.",
    "Fall, chest wall pain.",
    "Pre-operative assessment.",
    "Follow-up of known abnormality.",
    "___-year-old with productive cough.",
    "Reduced air entry on auscultation.",
    "Hypoxia.",
]
COMPS = ["None.", "Chest radiograph of ___.", "No prior imaging.", "Previous film dated ___.", "None available."]


def layout(
    rng, style, findings, impression, hist=None, comp=None, blank_f=False, blank_i=False, drop_f=False, drop_i=False
):
    """findings, impression: lists of sentences. style: classic | para | numbered | dashed"""
    hist = hist or rng.choice(HISTORY)
    comp = comp or rng.choice(COMPS)
    fbody = (
        ""
        if blank_f
        else (" ".join(findings) if style in ("para", "dashed") or rng.random() < 0.5 else "\n".join(findings))
    )
    if blank_i:
        ibody = ""
    elif style == "numbered" and len(impression) > 1:
        ibody = "\n".join(f"{i + 1}. {s}" for i, s in enumerate(impression))
    else:
        ibody = " ".join(impression)
    if style == "para":
        head = f"Clinical details: {hist} Comparison: {comp}"
        parts = (
            [head]
            + ([] if drop_f else [f"Findings: {fbody}".rstrip()])
            + ([] if drop_i else [f"Impression: {ibody}".rstrip()])
        )
        return "\n".join(parts)
    if style == "dashed":
        parts = (
            [f"HISTORY - {hist}", "VIEW - PA chest"]
            + ([] if drop_f else [f"FINDINGS - {fbody}".rstrip()])
            + ([] if drop_i else [f"IMPRESSION - {ibody}".rstrip()])
        )
        return "\n".join(parts)
    parts = [
        rng.choice(["EXAMINATION: Chest, PA view", "EXAM: CXR PA and lateral", "XR CHEST 2 VIEWS"]),
        f"INDICATION: {hist}",
        f"COMPARISON: {comp}",
        "",
    ]
    if not drop_f:
        parts += ["FINDINGS:", fbody, ""] if fbody else ["FINDINGS:", ""]
    if not drop_i:
        parts += ["IMPRESSION:", ibody] if ibody else ["IMPRESSION:"]
    return "\n".join(parts).rstrip() + "\n"


def side_structured(rng, items, sides, extra_normals):
    """FINDINGS as per-hemithorax headings; the side is carried by the heading only."""
    head = rng.choice([("Right hemithorax", "Left hemithorax"), ("Right lung", "Left lung"), ("RIGHT", "LEFT")])
    lines = []
    for s, h in zip(("right", "left"), head, strict=True):
        mine = [np_(it, False, mod=True) for it, sd in zip(items, sides, strict=True) if sd == s]
        lines.append(f"{h}: {cap('; '.join(mine)) + '.' if mine else 'Clear. No effusion or pneumothorax.'}")
    lines.append("Heart and mediastinum: " + rng.choice(["normal.", "within normal limits.", "unremarkable."]))
    return lines + extra_normals


# ---------------------------------------------------------------- composed cases
def composed(rng, kind):
    style = rng.choice(["classic", "para", "numbered", "dashed", "sided"])
    keys = list(BANK)
    n_items = rng.choice([1, 1, 2, 2, 3])
    chosen = rng.sample(keys, min(n_items, len(keys)))
    if kind == "impression_omits_finding" and "consol" in chosen and "collapse" in chosen:
        chosen.remove("collapse")
    if rng.random() < 0.35:
        chosen.append(rng.choice(list(MINOR)))
    sides = [rng.choice(["right", "left"]) for _ in chosen]
    items = [make_item(rng, k, s) for k, s in zip(chosen, sides, strict=True)]
    fsides, isides = list(sides), list(sides)
    detail = "unmodified"
    target = 0
    omit = set()
    flags = {}
    lat = None
    if kind == "laterality_conflict":
        target = rng.randrange(len(items))
        if items[target]["key"] in MINOR:
            target = 0
        sec = rng.choice(["findings", "impression"])
        (fsides if sec == "findings" else isides)[target] = OPP[sides[target]]
        lat = (sec[0], OPP[sides[target]])
        detail = (
            f"{items[target]['noun']}: {fsides[target]} in FINDINGS, {isides[target]} in IMPRESSION (flipped in {sec})"
        )
    bilateral = kind is None and style != "sided" and "effusion" not in chosen and rng.random() < 0.3
    # findings sentences
    fs = []
    pair_done = set()
    if (
        style != "sided"
        and len(items) >= 2
        and rng.random() < 0.5
        and not (items[0]["key"] in MINOR or items[1]["key"] in MINOR)
    ):
        a, b = items[0], items[1]
        if fsides[0] == fsides[1]:
            form = rng.choice(["shared", "same"]) if b["key"] in ("consol", "collapse", "effusion") else "same"
        else:
            form = "fl"
        fs.append(pair_sentence(rng, a, fsides[0], b, fsides[1], form))
        pair_done = {0, 1}
    for i, it in enumerate(items):
        if i in pair_done:
            continue
        fs.append(render_f(rng, it, fsides[i]))
        if len(items) == 1 and it["key"] in LUNG and rng.random() < 0.4 and kind != "negation_conflict":
            fs.append(
                rng.choice(
                    ["The opposite lung is clear.", "The other lung is clear.", "The contralateral lung is clear."]
                )
            )
    if bilateral:
        b = rng.choice(["right", "left"])
        fs.append(
            rng.choice(
                [
                    "Small {s} pleural effusion. A similar small effusion is present on the {o}.",
                    "On the {s}, a small pleural effusion; a comparable one on the {o}.",
                    "Blunting of the {s} costophrenic angle. The {o} angle is blunted as well.",
                ]
            ).format(s=b, o=OPP[b])
        )
    # impression sentences
    imp = []
    for i, it in enumerate(items):
        if it["sig"] or (it["key"] in MINOR and rng.random() < 0.3) or (it["key"] == "effusion" and rng.random() < 0.5):
            imp.append((i, render_i(rng, it, isides[i])))
    if bilateral:
        imp.append((-1, rng.choice(["Small bilateral pleural effusions.", "Small effusions on both sides."])))
    if kind == "impression_omits_finding":
        sig = [i for i, it in enumerate(items) if it["sig"]]
        target = rng.choice(sig)
        omit.add(target)
        others = [(i, s) for i, s in imp if i != target]
        if flags.setdefault("normal", rng.random() < 0.5) or not others:
            # findings keep only the omitted finding (+ minor) so the normal impression is a pasted macro
            keep = [target] + [i for i, it in enumerate(items) if it["key"] in MINOR]
            items = [items[i] for i in keep]
            fsides = [fsides[i] for i in keep]
            isides = [isides[i] for i in keep]
            fs = [render_f(rng, it, fsides[i]) for i, it in enumerate(items)]
            imp = [(-1, rng.choice(NORMAL_IMP[:4]))]
            target = 0
            omit = {0}
            detail = f"FINDINGS affirm {np_(items[0])} ({fsides[0]}); IMPRESSION is a normal macro"
        else:
            imp = others
            detail = f"FINDINGS affirm {np_(items[target])} ({fsides[target]}); IMPRESSION lists other findings only"
    if not imp:
        imp = [(-1, rng.choice(NORMAL_IMP[:4]))]
    fs += [x for x in normals(rng, items, rng.choice([1, 2, 3])) if not (bilateral and "effusion" in x)]
    if kind == "negation_conflict":
        mode = rng.choice(["imp_neg", "imp_clear", "find_neg", "cardio"])
        t = items[0]
        if mode == "imp_neg" and t["key"] in ("effusion", "ptx"):
            imp = [x for x in imp if x[0] != 0] + [
                (-2, {"effusion": "No pleural effusion.", "ptx": "No pneumothorax."}[t["key"]])
            ]
            detail = f"FINDINGS affirm {np_(t)} ({fsides[0]}); IMPRESSION says there is none"
        elif mode in ("imp_neg", "imp_clear") and t["key"] in LUNG:
            imp = [x for x in imp if x[0] != 0] + [
                (-2, rng.choice(["Lungs are clear.", "Clear lungs.", "No focal lung abnormality."]))
            ]
            if any(it["key"] in LUNG for it in items[1:]):  # keep the impression itself coherent
                no = {"consol": "No consolidation.", "nodule": "No pulmonary nodule.", "collapse": "No lobar collapse."}
                imp[-1] = (-2, no[t["key"]])
            detail = f"FINDINGS affirm {np_(t)} ({fsides[0]}); IMPRESSION calls the lungs clear"
        elif mode == "cardio":
            fs = [s for s in fs if "ardi" not in s and "Heart" not in s] + [
                rng.choice(
                    ["The heart is enlarged.", "Cardiomegaly, CTR about 0.6.", "The cardiac silhouette is enlarged."]
                )
            ]
            imp = imp + [(-2, rng.choice(["Normal heart size.", "Heart size is normal."]))]
            detail = "FINDINGS call the heart enlarged; IMPRESSION says heart size is normal"
        else:
            # findings plainly negative for t, impression affirms it
            fs = [render_f(rng, it, fsides[j + 1]) for j, it in enumerate(items[1:])] + normals(rng, items[1:], 2)
            fs = [
                s
                for s in fs
                if not any(w in s.lower() for w in t["words"])
                and "lungs are clear" not in s.lower()
                and "Both lungs" not in s
            ]
            neg = {
                "effusion": "No pleural effusion.",
                "ptx": "No pneumothorax is seen.",
                "consol": "The lungs are clear.",
                "nodule": "The lungs are clear.",
                "collapse": "The lungs are clear and fully expanded.",
            }[t["key"]]
            other = [it for it in items[1:] if it["key"] in LUNG and t["key"] in LUNG]
            if other:  # the lungs cannot be "clear" with another lung finding
                neg = {
                    "consol": "No focal consolidation.",
                    "nodule": "No pulmonary nodule or mass is seen.",
                    "collapse": "No lobar collapse.",
                }[t["key"]]
            fs = [s for s in fs if t["noun"] not in s] + [neg]
            imp = [x for x in imp if x[0] != 0] + [(0, render_i(rng, t, isides[0]))]
            detail = f"FINDINGS negate {t['noun']} ('{neg}'); IMPRESSION affirms {t['noun']} ({isides[0]})"
    if style == "sided":
        fs_sent = side_structured(
            rng,
            items,
            fsides,
            [s for s in normals(rng, items, 1) if not re.search("lung|pneumothorax|effusion|Heart|ardi", s)],
        )
        if kind == "negation_conflict" and detail.startswith("FINDINGS negate"):
            fs_sent = [s for s in fs if True]
            style = "classic"
        elif kind == "negation_conflict" and "heart" in detail.lower():
            fs_sent = [s for s in fs_sent if not s.startswith("Heart")] + ["Heart: enlarged."]
        fs = fs_sent
        if bilateral:
            fs.append("Small pleural effusions on both sides.")
        style = "classic" if style == "sided" else style
    # missing / placeholder
    imp_s = [s for _, s in imp]
    kw = {}
    if kind == "missing_section":
        m = rng.choice(["drop_i", "blank_i", "blank_f", "drop_f"])
        if m == "drop_f":
            imp_s = [rng.choice(["No acute disease.", "No acute cardiopulmonary abnormality."])]
        kw = {m: True}
        detail = {
            "drop_i": "IMPRESSION section absent",
            "blank_i": "IMPRESSION header with nothing under it",
            "blank_f": "FINDINGS header left empty",
            "drop_f": "FINDINGS section absent; IMPRESSION is a bare normal statement",
        }[m]
    rep = layout(rng, style, fs, imp_s, **kw)
    if kind == "placeholder":
        rep, detail = put_placeholder(rng, rep)
        if rep is None:
            return None
    if kind is None and rng.random() < 0.2:
        rep = (
            rep.rstrip()
            + "\n"
            + rng.choice(
                ["Findings discussed with Dr. ___ on ___ at ___.", "Reported by: ___, Consultant Radiologist."]
            )
            + "\n"
        )
    return {
        "report": rep,
        "detail": detail,
        "omit": [items[i]["words"] for i in omit] if kind == "impression_omits_finding" else None,
        "lat": lat,
    }


PH_SIDE = ["[RIGHT/LEFT]", "[right/left]", "[side]", "***"]
PH_SIZE = ["[small/moderate/large]", "[***]", "<size>"]


def section_spans(rep):
    mf, mi = HDR_F.search(rep), HDR_I.search(rep)
    fs = (mf.end(), mi.start() if mi and mi.start() >= mf.end() else len(rep)) if mf else (0, 0)
    return fs, ((mi.end(), len(rep)) if mi else (0, 0))


def put_placeholder(rng, rep):
    spans = section_spans(rep)
    opts = []
    for a, b in spans:
        for pat, what in (
            (r"\b(right|left)\b", "side"),
            (r"\b(\d+(?:\.\d+)?) ?(mm|cm)\b", "meas"),
            (r"\b(small|moderate|large|patchy|dense)\b", "size"),
        ):
            opts += [(what, m) for m in re.compile(pat).finditer(rep, a, b)]
    if not opts:
        m = re.compile(r"\b(normal|clear|unremarkable)\b").search(rep, *spans[0])
        if not m:
            return None, None
        ph = rng.choice(["[normal/abnormal]", "[***]", "<insert>"])
        return rep[: m.start()] + ph + rep[m.end() :], f"'{m.group(0)}' in FINDINGS replaced by {ph}"
    kind, m = rng.choice(opts)
    if kind == "side":
        ph = rng.choice(PH_SIDE)
    elif kind == "meas":
        ph = rng.choice(["___ " + m.group(2), "XX " + m.group(2), "[ ] " + m.group(2)])
    else:
        ph = rng.choice(PH_SIZE)
    return rep[: m.start()] + ph + rep[m.end() :], f"'{m.group(0)}' replaced by unfilled field {ph}"


HDR_F = re.compile(r"^(?:FINDINGS|Findings)\s*[:\-]?\s*", re.M)
HDR_I = re.compile(r"^(?:IMPRESSION|Impression)\s*[:\-]?\s*", re.M)


def split_sections(rep):
    mf, mi = HDR_F.search(rep), HDR_I.search(rep)
    f = rep[mf.end() : mi.start() if mi and mi.start() >= mf.end() else len(rep)] if mf else ""
    i = rep[mi.end() :] if mi else ""
    return f, i


# ---------------------------------------------------------------- IU reports
def load_iu(shared):
    dev = set()
    with open(shared / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            dev.add(json.loads(line)["uid"])
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        for m in sorted((m for m in t.getmembers() if m.isfile() and m.name.endswith(".xml")), key=lambda m: m.name):
            root = ET.parse(t.extractfile(m)).getroot()
            u = root.find("uId")
            uid = u.get("id") if u is not None else None
            if not uid or uid in dev:
                continue
            sec = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            if len(sec.get("FINDINGS", "")) < 40 or len(sec.get("IMPRESSION", "")) < 8:
                continue
            out.append({"uid": uid, **{k.lower(): v for k, v in sec.items()}})
    return out, dev


def sents(t):
    return [s.strip() for s in re.split(r"(?<=[.;])\s+(?=[A-Z0-9])", t) if s.strip()]


NEG = re.compile(r"\b(no|without|negative|clear|resolved|free of|not)\b", re.I)
SIGW = [
    "effusion",
    "pneumothorax",
    "consolidat",
    "airspace",
    "air space",
    "edema",
    "oedema",
    "congest",
    "infiltrate",
    "opacit",
    "mass",
    "nodul",
    "collapse",
    "cardiomegaly",
    "enlarged",
    "pneumonia",
    "atelecta",
]
NORMAL_RE = re.compile(
    r"^(no acute|normal chest|negative chest|no active|no evidence of acute|negative for acute|no evidence of active)",
    re.I,
)


def affirmed(text):
    found = set()
    for s in sents(text):
        low = s.lower()
        for w in SIGW:
            if w in low and not NEG.search(low.split(w)[0]):
                found.add(w)
    return found


def reword_real(rng, s):
    """Move a side phrase to the front or the back of a sentence (the theme), else leave it."""
    m = re.match(r"^There (is|are) (.+?) (in|at|within) the (right|left) ([a-z ]{3,30}?)\.$", s)
    if m and re.search(r"lobe|base|lung|apex|zone|hemithorax", m.group(5)) and rng.random() < 0.7:
        return f"{cap(m.group(3))} the {m.group(4)} {m.group(5)}, there {m.group(1)} {m.group(2)}."
    m = re.match(
        r"^(Small|Moderate|Large|Mild|Minimal|Trace)? ?(right|left|Right|Left) (pleural effusion|effusion|"
        r"pneumothorax|basilar atelectasis|base atelectasis)\.$",
        s,
    )
    if m and rng.random() < 0.7:
        adj = (m.group(1) or "").lower()
        return f"{cap((adj + ' ' + m.group(3)).strip())}, {m.group(2).lower()}."
    return s


def tidy(t):
    t = re.sub(r"(?:(?<=^)|(?<=\s))\d{1,2}[.)]\s+(?=[A-Z])", "", t)
    return re.sub(r"\s+([.,])", r"\1", re.sub(r"\.(\s*\.)+", ".", t)).strip()


def real_case(rng, r, kind):
    f, i = sents(tidy(r["findings"])), sents(tidy(r["impression"]))
    fl, il = " ".join(f).lower(), " ".join(i).lower()
    style = rng.choice(["classic", "para", "dashed"])
    hist = r.get("indication") or None
    if hist:
        hist = re.sub(r"[.,]{2,}$", ".", hist)
    if hist and not hist.endswith((".", "?")):
        hist += "."
    comp = r.get("comparison") or None
    f = [reword_real(rng, s) for s in f]
    detail, kw, omit, lat = "unmodified", {}, None, None
    normal_imp = bool(NORMAL_RE.match(" ".join(i)))
    if kind is None:
        af = affirmed(" ".join(f))
        if any(w not in il for w in af if w not in ("atelecta", "enlarged")):
            return None
        sf = set(re.findall(r"\b(right|left)\b", fl))
        si = set(re.findall(r"\b(right|left)\b", il))
        if sf and si and sf != si:
            return None
        if "bilateral" in fl and not (sf or si) and rng.random() < 0.3:
            f = [
                s.replace("Bilateral", "Right and left").replace("bilateral", "right and left", 1)
                if "bilateral" in s.lower()
                else s
                for s in f
            ]
    elif kind == "laterality_conflict":
        sf = set(re.findall(r"\b(right|left)\b", fl))
        si = set(re.findall(r"\b(right|left)\b", il))
        if len(sf) != 1 or sf != si or re.search(r"bilateral|both|middle lobe|lingula", fl + il):
            return None
        side = sf.pop()
        sec = rng.choice(["f", "i"])
        body = f if sec == "f" else i
        idx = [k for k, s in enumerate(body) if re.search(rf"\b{side}\b", s, re.I)]
        if len(idx) != 1:
            sec = "i" if sec == "f" else "f"
            body = f if sec == "f" else i
            idx = [k for k, s in enumerate(body) if re.search(rf"\b{side}\b", s, re.I)]
            if len(idx) != 1:
                return None
        k = idx[0]
        o = OPP[side]
        body[k] = re.sub(rf"\b{side}\b", o, re.sub(rf"\b{cap(side)}\b", cap(o), body[k]))
        lat = ("f" if sec == "f" else "i", o)
        detail = f"'{side}' flipped to '{o}' in {'FINDINGS' if sec == 'f' else 'IMPRESSION'}: {body[k]}"
    elif kind == "negation_conflict":
        if (
            re.search(r"no (pleural )?effusion|no pneumothorax or (pleural )?effusion|no .{0,30}effusion", fl)
            and "effusion" not in il
            and not re.search(r"(large|significant|sizable|sizeable|definite)\W+(pleural )?effusion", fl)
        ):
            it = make_item(rng, "effusion", rng.choice(["right", "left"]))
            add = render_i(rng, it, it["side"])
            detail = f"FINDINGS negate pleural effusion; IMPRESSION affirms {add}"
        elif "pneumothorax" in fl and re.search(r"no .{0,30}pneumothorax", fl) and "pneumothorax" not in il:
            it = make_item(rng, "ptx", rng.choice(["right", "left"]))
            add = render_i(rng, it, it["side"])
            detail = f"FINDINGS negate pneumothorax; IMPRESSION affirms {add}"
        elif re.search(r"lungs are clear|clear lungs|lungs are grossly clear", fl):
            add = rng.choice(
                ["Right lower zone consolidation.", "Consolidation, left base.", "Airspace disease (right lower lobe)."]
            )
            detail = f"FINDINGS call the lungs clear; IMPRESSION affirms: {add}"
        else:
            return None
        i = [add] + [s for s in i if not NORMAL_RE.match(s)]
    elif kind == "impression_omits_finding":
        want_normal = rng.random() < 0.5
        if want_normal != normal_imp:
            return None
        key = rng.choice(list(BANK))
        it = make_item(rng, key, rng.choice(["right", "left"]), sig=True)
        if any(w in il for w in it["words"]) or re.search(r"\b(right|left)\b", il) and key == "collapse":
            return None
        kill = it["words"] + ["lungs", "clear", "no acute", "normal chest", "focal"]
        f = [s for s in f if not any(w in s.lower() for w in kill)]
        if key == "consol" or key == "nodule" or key == "collapse":
            f = [s for s in f if "pneumonia" not in s.lower()]
        pos = rng.randrange(len(f) + 1)
        f.insert(pos, render_f(rng, it, it["side"]))
        omit = [it["words"]]
        what = "normal" if normal_imp else "other findings"
        detail = f"FINDINGS affirm {np_(it)} ({it['side']}); IMPRESSION ({what}) omits it"
    elif kind == "missing_section":
        m = rng.choice(["drop_i", "blank_i", "blank_f"] + (["drop_f"] if normal_imp and len(i) == 1 else []))
        kw = {m: True}
        detail = {
            "drop_i": "IMPRESSION section absent",
            "blank_i": "IMPRESSION header with nothing under it",
            "blank_f": "FINDINGS header left empty",
            "drop_f": "FINDINGS absent beside a bare normal impression",
        }[m]
    rep = layout(rng, style, f, i, hist=hist, comp=comp, **kw)
    if kind == "placeholder":
        rep, detail = put_placeholder(rng, rep)
        if rep is None:
            return None
    return {"report": rep, "detail": detail, "omit": omit, "uid": r["uid"], "lat": lat}


# ---------------------------------------------------------------- checks
def verify(case, kind):
    rep = case["report"]
    f, i = split_sections(rep)
    if kind is None or kind != "missing_section":
        assert HDR_F.search(rep) and HDR_I.search(rep) and f.strip() and i.strip(), rep
    if kind == "missing_section":
        assert not (HDR_F.search(rep) and f.strip() and HDR_I.search(rep) and i.strip()), rep
    if kind == "laterality_conflict":
        sec, side = case["lat"]
        assert re.search(rf"\b{side}\b", f if sec == "f" else i, re.I), rep
        assert re.search(rf"\b{OPP[side]}\b", i if sec == "f" else f, re.I), rep
    if kind == "impression_omits_finding":
        for words in case["omit"]:
            assert not any(w in i.lower() for w in words), rep
    if kind == "placeholder":
        assert re.search(r"\[|\*\*\*|<|XX |___ (mm|cm)", rep), rep
    if kind != "placeholder":
        assert not re.search(r"\[|\*\*\*|<insert|<size", rep), rep


def shared_dir():
    env = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    if (
        not (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()
        or not (p / "eval" / "report_errors_dev.jsonl").exists()
    ):
        print(f"shared data not found at {p}: set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        sys.exit(2)
    return p


def build(seed, shared):
    rng = random.Random(seed)
    iu, _ = load_iu(shared)
    rng.shuffle(iu)
    used = set()
    rows = []
    for kind in [None] + KINDS:
        n = N_CLEAN if kind is None else N_KIND
        for _ in range(n // 2):
            while True:
                c = composed(rng, kind)
                if c is None:
                    continue
                try:
                    verify(c, kind)
                except AssertionError:
                    continue
                break
            rows.append((kind, c))
        got = 0
        for r in iu:
            if got == n - n // 2:
                break
            if r["uid"] in used:
                continue
            c = real_case(rng, r, kind)
            if c is None:
                continue
            try:
                verify(c, kind)
            except AssertionError:
                continue
            used.add(r["uid"])
            rows.append((kind, c))
            got += 1
    rng.shuffle(rows)
    out = []
    for n, (kind, c) in enumerate(rows):
        cid = hashlib.sha256(f"h37|{seed}|{n}|{c['report']}".encode()).hexdigest()[:16]
        out.append({"id": cid, "injected": kind, "detail": c["detail"], "report": c["report"]})
    return out, used


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=3701)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows, _ = build(a.seed, shared_dir())
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    for kind in [None] + KINDS:
        for r in [r for r in rows if r["injected"] == kind][: a.show]:
            print(f"=== {kind} | {r['detail']}\n{r['report']}\n")


if __name__ == "__main__":
    main()
