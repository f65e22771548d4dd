"""Held-out report-check set no. 38: resolution and interval-change wording.

Written blind: without reading the checker (medrag_core/), its tests, docs or any other generator.
Only the scorer's format, the IU (Open-i) archive and the dev set's ``uid`` field were used.

Styles: follow-up / serial reports that speak of change -- "has resolved", "has cleared", "no longer
visualised", "interval resolution of", "previously noted ... not seen today", "re-accumulated",
"re-expanded", "decreased but not resolved", "persists", "again seen", "new since ___", "has developed",
"slightly increased", "near-complete resolution", "residual", "almost cleared"; comparisons masked as
MIMIC does ("___", "the prior study of ___"); impressions such as "Resolved left pneumothorax",
"Interval improvement", "New right effusion", "Persistent ...", "Unchanged appearances". Four layouts:
MIMIC-like FINAL REPORT, UK follow-up film, ICU portable serial, and a terse one-line-per-section form.
Half of each group is composed from the phrase bank below, half is built on real IU reports (dev uids
excluded), re-laid-out, lightly re-worded, with change sentences added where the case needs them.

Errors: a finding called resolved in one section and present in the other, a side flipped in change
wording, a new/increasing significant finding left out of the impression, a section absent or empty,
and template blanks where a size, side or measurement belongs.

usage: python -m bench.make_heldout38 OUT.jsonl --seed S [--show N]
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
OPP = {"left": "right", "right": "left"}

# finding classes: words that name the finding in any wording (used to check omissions)
SYN = {
    "ptx": r"pneumothora|\bptx\b|pleural air|lung (?:has )?re-?expan|re-?expansion",
    "eff": r"effusion|pleural fluid|\bfluid\b|hydrothorax",
    "cons": r"consolidat|airspace|air-space|pneumonia|opacit|infiltrat",
    "oed": r"o?edema|congesti|failure|fluid overload",
    "col": r"collapse|re-?expan|atelecta|volume loss",
    "nod": r"nodul|mass|lesion|\bCT\b",
    "atel": r"atelecta",
}
# which sentence topics an added lung finding makes unsafe to keep from a real report
LUNG_RE = re.compile(r"lung|clear|pneumothora|effusion|pleura|consolidat|airspace|air space|opacit|edema|"
                     r"infiltrat|nodul|mass|focal|atelecta|costophrenic|pulmonary|vascul|interstit|"
                     r"granulom|scar|hyperexpan|hyperinfl|emphysem|\bleft\b|\bright\b|bilateral|basilar|apical",
                     re.I)
NOACUTE_RE = re.compile(r"^(?:1\. )?(?:no acute (?:cardiopulmonary |pulmonary |radiographic cardiopulmonary )?"
                        r"(?:abnormality|abnormalities|disease|findings?|process)|no active disease|"
                        r"no evidence of active disease|negative for acute abnormality)\.?$", re.I)
PLACEHOLDER_RE = re.compile(r"\[|\]|<|>|\bXX\b|\*\*\*|_{2,} ?(?:cm|mm)|\{\{")

DATES = ["___", "the prior study", "the prior study of ___", "___ (most recent prior)", "the previous film of ___"]

# (findings sentence, impression phrase) per class and state; {s} side, {S} Side, {lobe}, {size}, {mm}, {d} date
BANK = {
    ("ptx", "resolved"): [
        ("The previously noted {s} apical pneumothorax has resolved.", "Resolved {s} pneumothorax."),
        ("The {s} lung has re-expanded and no residual {s} pneumothorax is seen.", "{S} pneumothorax has resolved."),
        ("{S} pneumothorax seen on {d} is no longer visualised.", "No residual {s} pneumothorax."),
    ],
    ("ptx", "improving"): [
        ("Small residual {s} apical pneumothorax, decreased since {d}.",
         "Decreasing but persistent small {s} pneumothorax."),
        ("The {s} pneumothorax has decreased but not resolved; a thin apical rim of air remains.",
         "Residual small {s} apical pneumothorax, improving."),
    ],
    ("ptx", "persistent"): [
        ("A small {s} apical pneumothorax persists, unchanged from {d}.", "Persistent small {s} apical pneumothorax."),
        ("Again seen is a small {s} apical pneumothorax.", "Unchanged small {s} pneumothorax."),
    ],
    ("ptx", "new"): [
        ("There is a new {s} apical pneumothorax measuring approximately {cm} cm.", "New {s} apical pneumothorax."),
        ("A {s} pneumothorax has developed since {d}, with a {cm} cm apical rim.", "New {s} pneumothorax since {d}."),
    ],
    ("ptx", "increased"): [
        ("The {s} pneumothorax has slightly increased since {d}, now {cm} cm at the apex.",
         "Slightly increased {s} pneumothorax."),
    ],
    ("eff", "resolved"): [
        ("The {s} pleural effusion has resolved.", "Resolved {s} pleural effusion."),
        ("Interval resolution of the {s} pleural effusion.", "Interval resolution of {s} pleural effusion."),
        ("Previously noted {s} pleural effusion is not seen today; the {s} costophrenic angle is sharp.",
         "{S} effusion has cleared."),
    ],
    ("eff", "improving"): [
        ("The {s} pleural effusion has decreased but not resolved, now small.",
         "Decreasing {s} pleural effusion, now small."),
        ("Residual small {s} pleural effusion, improving since {d}.", "Improving small {s} effusion."),
    ],
    ("eff", "persistent"): [
        ("A {size} {s} pleural effusion persists.", "Persistent {size} {s} pleural effusion."),
        ("Stable {size} {s} pleural effusion.", "Unchanged {size} {s} effusion."),
    ],
    ("eff", "new"): [
        ("New {size} {s} pleural effusion since {d}.", "New {size} {s} pleural effusion."),
        ("A {size} {s} pleural effusion has developed.", "Interval development of {size} {s} pleural effusion."),
    ],
    ("eff", "increased"): [
        ("The {s} pleural effusion has re-accumulated and is now {size}.",
         "Re-accumulated {size} {s} pleural effusion."),
        ("The {s} pleural effusion has slightly increased, now {size}.",
         "Increasing {s} pleural effusion, now {size}."),
    ],
    ("cons", "resolved"): [
        ("Interval resolution of the {s} {lobe} consolidation.", "Resolved {s} {lobe} consolidation."),
        ("The {s} {lobe} consolidation seen on {d} has cleared.", "{S} {lobe} pneumonia has cleared."),
        ("The previously noted {s} {lobe} airspace opacity is no longer seen.",
         "Resolution of {s} {lobe} airspace disease."),
    ],
    ("cons", "improving"): [
        ("{S} {lobe} consolidation is improving, with residual patchy opacity.",
         "Improving {s} {lobe} consolidation with residual opacity."),
        ("Evolution of the {s} {lobe} consolidation, now less dense with residual opacity.",
         "Evolving {s} {lobe} consolidation, improving since {d}."),
        ("Near-complete resolution of the {s} {lobe} consolidation, with minimal residual opacity.",
         "Near-complete resolution of {s} {lobe} consolidation; minimal residual opacity."),
    ],
    ("cons", "persistent"): [
        ("{S} {lobe} consolidation persists without significant change.", "Persistent {s} {lobe} consolidation."),
        ("Again seen is consolidation in the {s} {lobe}.", "Unchanged {s} {lobe} consolidation."),
    ],
    ("cons", "new"): [
        ("New {s} {lobe} consolidation has developed since {d}.",
         "New {s} {lobe} consolidation, likely pneumonia in the appropriate clinical setting."),
        ("There is new airspace opacity in the {s} {lobe}, consistent with consolidation.",
         "New {s} {lobe} airspace disease."),
    ],
    ("cons", "increased"): [
        ("The {s} {lobe} consolidation has increased in extent since {d}.", "Worsening {s} {lobe} consolidation."),
    ],
    ("oed", "resolved"): [
        ("The previously seen interstitial {oed} has cleared.", "Resolved pulmonary {oed}."),
        ("Pulmonary vascular congestion has resolved.", "Interval resolution of pulmonary vascular congestion."),
    ],
    ("oed", "improving"): [
        ("Interstitial {oed} is improving, with mild residual vascular congestion.",
         "Improving pulmonary {oed}; mild residual congestion."),
    ],
    ("oed", "persistent"): [
        ("Moderate pulmonary {oed} persists.", "Persistent moderate pulmonary {oed}."),
        ("Again seen is mild interstitial {oed}, not significantly changed.", "Unchanged mild interstitial {oed}."),
    ],
    ("oed", "new"): [
        ("New mild interstitial {oed}, with upper lobe venous diversion.", "New mild pulmonary {oed}."),
    ],
    ("oed", "increased"): [
        ("Pulmonary {oed} has slightly increased since {d}.", "Worsening pulmonary {oed}."),
    ],
    ("col", "resolved"): [
        ("The {s} {lobe} has re-expanded.", "Re-expansion of the {s} {lobe}."),
        ("Previously noted {s} {lobe} collapse has resolved.", "Resolved {s} {lobe} collapse."),
    ],
    ("col", "persistent"): [
        ("Persistent collapse of the {s} {lobe}.", "Persistent {s} {lobe} collapse."),
    ],
    ("col", "new"): [
        ("New collapse of the {s} {lobe}, with volume loss.", "New {s} {lobe} collapse."),
    ],
    ("nod", "persistent"): [
        ("The {mm} mm nodule in the {s} {lobe} is again seen, unchanged.", "Stable {mm} mm {s} {lobe} nodule."),
    ],
    ("nod", "new"): [
        ("A new {mm} mm nodule has developed in the {s} {lobe}.", "New {mm} mm {s} {lobe} nodule; CT suggested."),
    ],
    ("atel", "resolved"): [
        ("Previously noted {s} basal atelectasis has cleared.", "Resolved {s} basal atelectasis."),
    ],
    ("atel", "improving"): [
        ("{S} basal atelectasis is improving and has almost cleared.", "Almost cleared {s} basal atelectasis."),
    ],
    ("atel", "persistent"): [
        ("Minor {s} basal atelectasis persists.", "Persistent minor {s} basal atelectasis."),
    ],
}
PRESENT = ("improving", "persistent", "new", "increased")
NEG_BG = {  # background negatives, only used when no item of that class is present
    "ptx": ["No pneumothorax.", "No pneumothorax is seen."],
    "eff": ["No pleural effusion.", "No pleural effusions."],
    "cons": ["No focal consolidation.", "No new focal airspace opacity."],
    "oed": ["No pulmonary {oed}.", "No evidence of {oed}."],
}
HEART_BG = ["Heart size is normal.", "The cardiomediastinal silhouette is within normal limits.",
            "Cardiomediastinal contours are unchanged.", "Heart size and mediastinal contours are stable."]
OTHER_BG = ["No acute osseous abnormality.", "Degenerative changes of the thoracic spine.",
            "Visualised osseous structures are intact.", "Sternotomy wires are intact and unchanged.",
            "Right internal jugular central venous catheter tip in the SVC, unchanged.",
            "Nasogastric tube courses below the diaphragm."]
INDICATIONS = ["___ year old man with ___, follow-up.", "Follow-up of known chest findings.",
               "___ yo woman, interval change?", "Reassess after treatment.", "Post chest drain removal.",
               "Ongoing oxygen requirement, evaluate for interval change.", "Fever, reassess.",
               "___-year-old with dyspnoea, comparison with prior."]
NORMAL_IMPR = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
               "No acute intrathoracic process.", "No acute disease."]


def load_iu(shared):
    dev = set()
    devp = shared / "eval/report_errors_dev.jsonl"
    if devp.is_file():
        with open(devp) as f:
            dev = {json.loads(line).get("uid") for line in f if line.strip()}
    out = []
    with tarfile.open(shared / "data/iu_reports/NLMCXR_reports.tgz") as t:
        for m in sorted(t.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(t.extractfile(m).read())
            uid = root.find("uId").get("id")
            d = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            if uid in dev or not d.get("FINDINGS") or not d.get("IMPRESSION"):
                continue
            out.append({"uid": uid, "findings": d["FINDINGS"], "impression": d["IMPRESSION"],
                        "indication": d.get("INDICATION", ""), "comparison": d.get("COMPARISON", "")})
    return out, dev


def sents(text):
    return [s.strip() for s in re.split(r"(?<=\.)\s+", text) if s.strip(" .")]


REWORD = [(r"\bThe heart is normal in size\.", "Heart size is normal."),
          (r"\bHeart size normal\.", "Normal heart size."),
          (r"\bThe lungs are clear\.", "Lungs are clear."),
          (r"\bNo pneumothorax or pleural effusion\.", "No pleural effusion or pneumothorax."),
          (r"\bThe mediastinum is unremarkable\.", "Mediastinal contours are unremarkable."),
          (r"\bNormal cardiomediastinal silhouette\.", "Cardiomediastinal silhouette is normal."),
          (r"\. \.", "."), (r"\.\.", ".")]


def reword(text):
    for a, b in REWORD:
        text = re.sub(a, b, text)
    return text


def item(rng, cls, state, side=None):
    it = {"cls": cls, "state": state, "side": side or rng.choice(["left", "right"]),
          "lobe": rng.choice(["lower lobe", "upper lobe"]), "size": rng.choice(["moderate", "large"]),
          "mm": rng.choice([7, 8, 9, 11, 12, 14]), "cm": rng.choice(["1.5", "2", "2.5", "3"])}
    if cls == "nod":
        it["lobe"] = rng.choice(["upper lobe", "lower lobe", "mid zone"])
    if cls == "eff" and state in ("persistent", "new") and rng.random() < 0.3:
        it["size"] = "small"
    it["tpl"] = rng.choice(BANK[(cls, state)])
    return it


def significant(it):
    if it["state"] not in PRESENT:
        return False
    if it["state"] in ("new", "increased"):
        return True
    if it["cls"] == "eff":
        return it["size"] in ("moderate", "large") and it["state"] != "improving"
    if it["cls"] == "nod":
        return it["mm"] >= 6
    return it["cls"] in ("ptx", "cons", "oed", "col")


def fmt(t, it, st, side=None):
    side = side or it["side"]
    return t.format(s=side, S=side.capitalize(), lobe=it["lobe"], size=it["size"], mm=it["mm"], cm=it["cm"],
                    d=st["date"], oed=st["oed"])


def render(rng, st, layout, ind, comp, fnd, imp):
    """fnd / imp: list of sentences or None (section absent) or [] (header left empty)."""
    def block(lines, numbered):
        if numbered and len(lines) > 1:
            return "\n".join(f"{i}. {x}" for i, x in enumerate(lines, 1))
        return " ".join(lines)
    numbered = rng.random() < 0.5
    if layout == "mimic":
        out = ["                                 FINAL REPORT", "EXAMINATION:  CHEST (PA AND LAT)", "",
               f"INDICATION:  {ind}", "", f"COMPARISON:  {comp}", ""]
        if fnd is not None:
            out += ["FINDINGS: ", "", block(fnd, False) if fnd else "", ""]
        if imp is not None:
            out += ["IMPRESSION: ", "", block(imp, numbered) if imp else ""]
    elif layout == "uk":
        out = ["CHEST RADIOGRAPH PA - FOLLOW-UP", f"Clinical details: {ind}", f"Compared with: {comp}", ""]
        if fnd is not None:
            out += ["Findings:", block(fnd, False) if fnd else "", ""]
        if imp is not None:
            out += ["Impression:", block(imp, numbered) if imp else ""]
        out += ["", "Reported by: Dr ___, Consultant Radiologist"]
    elif layout == "icu":
        out = ["PORTABLE AP CHEST, ___ at ___", f"REASON: {ind}",
               ("COMPARISON: Multiple prior radiographs, most recently ___." if comp in DATES else
                f"COMPARISON: {comp}"), ""]
        if fnd is not None:
            out += [("FINDINGS: " + block(fnd, False)).rstrip()]
        if imp is not None:
            out += [("IMPRESSION: " + block(imp, numbered)).rstrip()]
    else:  # terse
        out = [f"CXR. Hx: {ind} Cf {comp}."]
        if fnd is not None:
            out += [("FINDINGS - " + block(fnd, False)).rstrip(" -") + (" -" if not fnd else "")]
        if imp is not None:
            out += [("IMPRESSION - " + block(imp, False)).rstrip(" -") + (" -" if not imp else "")]
    return "\n".join(out).rstrip() + "\n"


def build(rng, kind, iu):
    """Return (findings, impression, detail, check) for one case; iu is a real IU record or None."""
    st = {"date": rng.choice(DATES), "oed": rng.choice(["edema", "oedema"]) if iu is None else "edema"}
    classes = ["ptx", "eff", "cons", "oed", "col", "nod", "atel"]
    rng.shuffle(classes)
    detail, check = "", None

    def bg(items):
        present = {i["cls"] for i in items if i["state"] in PRESENT}
        out = []
        for c in ("ptx", "eff", "cons", "oed"):
            if c not in present and not ({"col", "nod"} & present and c == "cons") and rng.random() < 0.45:
                out.append(fmt(rng.choice(NEG_BG[c]), {"side": "left", "lobe": "", "size": "", "mm": 0, "cm": ""},
                               st))
        return out

    # pick items per kind
    def pick(n_extra, need=None, main_state=None):
        its = []
        if need:
            its.append(item(rng, need, main_state))
        used = {need}
        for c in classes:
            if len(its) >= n_extra + (1 if need else 0):
                break
            if c in used:
                continue
            states = [s for (cc, s) in BANK if cc == c]
            its.append(item(rng, c, rng.choice(states)))
            used.add(c)
        return its

    sided = ["ptx", "eff", "cons", "col", "nod", "atel"]
    if kind is None or kind == "missing_section":
        its = pick(rng.choice([1, 1, 2, 3]))
    elif kind == "placeholder":
        c = rng.choice(["ptx", "eff", "cons", "nod", "col"])
        its = pick(rng.choice([0, 1, 2]), c, rng.choice([s for (cc, s) in BANK if cc == c]))
    elif kind == "laterality_conflict":
        c = rng.choice(sided[:4])
        states = [s for (cc, s) in BANK if cc == c and s in PRESENT]
        its = pick(rng.choice([0, 1, 1]), c, rng.choice(states))
    elif kind == "negation_conflict":
        c = rng.choice(["ptx", "eff", "cons", "oed", "col"])
        its = pick(rng.choice([0, 1]), c, rng.choice(["persistent", "new", "resolved"]))
    else:  # omission
        c = rng.choice(["ptx", "eff", "cons", "oed", "col", "nod"])
        states = [s for (cc, s) in BANK if cc == c and s in ("new", "increased")]
        if rng.random() < 0.25 and c != "nod":
            states = ["persistent"]
        its = pick(rng.choice([0, 1, 1, 2]), c, rng.choice(states))
        if its[0]["cls"] == "eff":
            its[0]["size"] = rng.choice(["moderate", "large"])
        if its[0]["cls"] == "nod":
            its[0]["mm"] = max(its[0]["mm"], 7)
        assert significant(its[0])
        # other items must not share the omitted finding's wording
        its = [its[0]] + [i for i in its[1:] if not re.search(SYN[c], fmt(i["tpl"][1], i, st), re.I)
                          and not (c in ("col", "atel") and i["cls"] in ("col", "atel"))]
    if iu is not None and kind is None and rng.random() < 0.5:
        # real report kept whole (re-laid-out, reworded), optionally with a resolved finding named in both
        f, i = sents(reword(iu["findings"])), sents(reword(iu["impression"]))
        if NOACUTE_RE.match(iu["impression"].strip()) and rng.random() < 0.6:
            it = item(rng, rng.choice(["ptx", "eff", "cons", "atel"]), "resolved")
            f.insert(0, fmt(it["tpl"][0], it, st))
            if rng.random() < 0.7:
                i.insert(0, fmt(it["tpl"][1], it, st))
            detail = "real IU report + resolved finding"
        return f, i, detail or "real IU report, re-laid-out", None

    # background
    if iu is not None:
        base = [s for s in sents(reword(iu["findings"])) if not LUNG_RE.search(s)]
        if not base:
            base = [rng.choice(HEART_BG)]
    else:
        base = [rng.choice(HEART_BG)] + ([rng.choice(OTHER_BG)] if rng.random() < 0.4 else [])
        if rng.random() < 0.15 and not any(i["cls"] == "oed" for i in its):
            base[0] = "Stable mild cardiomegaly."
    fitems = [fmt(i["tpl"][0], i, st) for i in its]
    negs = bg(its)
    fnd = fitems + negs + base if rng.random() < 0.6 else base[:1] + fitems + negs + base[1:]
    # impression: significant first, then others; hard negatives (small stable effusion etc.) may be left out
    imp_items = []
    for i in sorted(its, key=lambda i: not significant(i)):
        if significant(i) or i["state"] not in PRESENT or rng.random() < 0.6 or kind == "laterality_conflict":
            imp_items.append((i, fmt(i["tpl"][1], i, st)))
    if not any(significant(i) for i in its) and rng.random() < 0.4:
        imp_items = [x for x in imp_items if x[0]["state"] in PRESENT and (
            kind in ("laterality_conflict", "negation_conflict", "placeholder") or True)]
    imp = [p for _, p in imp_items]
    if not any(significant(i) for i in its):
        imp.append(rng.choice(NORMAL_IMPR + ["Otherwise no acute cardiopulmonary process."]) if imp
                   else rng.choice(NORMAL_IMPR + ["Unchanged appearances.", "Interval improvement."
                                                  if any(i["state"] in ("resolved", "improving") for i in its)
                                                  else "No acute disease."]))
    if kind is None:
        return fnd, imp, "; ".join(f"{i['state']} {i['cls']}" for i in its), ("clean", [
            i["cls"] for i in its if significant(i)])

    m = its[0]
    if kind == "laterality_conflict":
        flip = OPP[m["side"]]
        if rng.random() < 0.7:
            idx = [p for i, p in imp_items].index(fmt(m["tpl"][1], m, st)) if m in [i for i, _ in imp_items] else 0
            new = fmt(m["tpl"][1], m, st, flip)
            if m in [i for i, _ in imp_items]:
                imp[idx] = new
            else:
                imp.insert(0, new)
            detail = f"IMPRESSION places the {m['state']} {m['cls']} on the {flip}, FINDINGS on the {m['side']}"
            check = ("imp", flip)
        else:
            fnd[fnd.index(fmt(m["tpl"][0], m, st))] = fmt(m["tpl"][0], m, st, flip)
            detail = f"FINDINGS place the {m['state']} {m['cls']} on the {flip}, IMPRESSION on the {m['side']}"
            check = ("fnd", flip)
        return fnd, imp, detail, check
    if kind == "negation_conflict":
        old = fmt(m["tpl"][1], m, st)
        if m["state"] == "resolved":
            t = rng.choice(BANK[(m["cls"], "persistent")])
            new = fmt(t[1], m, st)
            detail = f"FINDINGS call the {m['side']} {m['cls']} resolved; IMPRESSION: {new}"
        elif rng.random() < 0.5:
            t = rng.choice(BANK[(m["cls"], "resolved")])
            new = fmt(t[1], m, st)
            detail = f"FINDINGS: {m['state']} {m['cls']}; IMPRESSION calls it resolved: {new}"
        else:
            new = {"ptx": "No pneumothorax.", "eff": "No pleural effusion.", "cons": "The lungs are clear.",
                   "oed": "No pulmonary {oed}.".format(oed=st["oed"]), "col": "The lungs are clear and fully expanded."
                   }[m["cls"]]
            detail = f"FINDINGS: {m['state']} {m['cls']}; IMPRESSION rules it out: {new}"
        imp = [new if p == old else p for p in imp] if old in imp else [new] + imp
        imp = [p for p in imp if p not in NORMAL_IMPR or p == new] or [new]
        return fnd, imp, detail, ("imp", new)
    if kind == "impression_omits_finding":
        old = fmt(m["tpl"][1], m, st)
        imp = [p for p in imp if p != old and p not in ("Unchanged appearances.",)]
        rest = [p for p in imp if p not in NORMAL_IMPR and not p.startswith("Otherwise")]
        if not rest or rng.random() < 0.5:
            imp = [rng.choice(NORMAL_IMPR + ["No acute cardiopulmonary process. Stable chest."])]
            if iu is not None and NOACUTE_RE.match(iu["impression"].strip()):
                imp = [iu["impression"].strip().rstrip(".") + "."]
            detail = f"{m['state']} {m['cls']} in FINDINGS, IMPRESSION calls the study normal"
        else:
            imp = rest
            detail = f"{m['state']} {m['cls']} in FINDINGS, IMPRESSION lists only other findings"
        return fnd, imp, detail, ("omit", m["cls"])
    if kind == "missing_section":
        r = rng.random()
        if r < 0.4:
            return fnd, None, "IMPRESSION absent", ("noimp", None)
        if r < 0.7:
            return fnd, [], "IMPRESSION header left empty", ("noimp", None)
        if r < 0.85:
            return [], imp, "FINDINGS header left empty", ("nofnd", None)
        bare = rng.choice(NORMAL_IMPR)
        if iu is not None and NOACUTE_RE.match(iu["impression"].strip()):
            bare = iu["impression"].strip()
        return None, [bare], "FINDINGS absent, bare impression", ("nofnd", None)
    # placeholder
    cands = []
    tf, ti = m["tpl"]
    for tok, alts in (("{size}", ["[small/moderate/large]", "[***]", "<size>"]),
                      ("{mm}", ["XX", "___", "[***]"]), ("{cm}", ["___", "XX", "[ ]"]),
                      ("{s}", ["[LEFT/RIGHT]", "[side]", "<<side>>"]), ("{S}", ["[LEFT/RIGHT]", "[Side]"])):
        for sec, t in (("fnd", tf), ("imp", ti)):
            if tok in t:
                cands.append((sec, t, tok, alts))
    sec, t, tok, alts = rng.choice(cands)
    ph = rng.choice(alts)
    full = fmt(t.replace(tok, "\x00", 1), m, st).replace("\x00", ph)
    if tok in ("{mm}", "{cm}"):
        full = full.replace(ph + " mm", ph + " mm").replace(ph + " cm", ph + " cm")
    if sec == "fnd":
        fnd[fnd.index(fmt(t, m, st))] = full
    else:
        if fmt(t, m, st) in imp:
            imp[imp.index(fmt(t, m, st))] = full
        else:
            imp.insert(0, full)
    return fnd, imp, f"{tok.strip('{}')} left as template blank '{ph}' in {sec.upper()}", ("ph", ph)


def split_sections(report):
    m = re.search(r"^IMPRESSION", report, re.M | re.I)
    f = re.search(r"^FINDINGS", report, re.M | re.I)
    imp = report[m.end():] if m else None
    fnd = report[f.end():m.start() if m else None] if f else None
    return fnd, imp


def verify(kind, rec, check):
    rep = rec["report"]
    fnd, imp = split_sections(rep)
    body = lambda s: (s or "").replace("Reported by: Dr ___, Consultant Radiologist", "").strip(" :-\n")  # noqa: E731
    if kind != "missing_section":
        assert body(fnd) and body(imp), rec
    if kind != "placeholder":
        assert not PLACEHOLDER_RE.search(rep), rec
    if kind is None:
        for c in (check or ("", []))[1]:
            assert re.search(SYN[c], imp, re.I), rec
        return
    what, arg = check
    if what == "imp":
        assert arg in imp, rec
    elif what == "fnd":
        assert arg in fnd, rec
    elif what == "omit":
        assert not re.search(SYN[arg], imp, re.I), rec
        assert not re.search(r"lungs are clear|normal chest|unremarkable", imp, re.I), rec
    elif what == "noimp":
        assert imp is None or not body(imp), rec
    elif what == "nofnd":
        assert fnd is None or not body(fnd), rec
    elif what == "ph":
        assert arg in rep and PLACEHOLDER_RE.search(rep) or re.search(r"___ ?(?:cm|mm)", rep), rec


def generate(seed, shared):
    iu, _ = load_iu(shared)
    rng = random.Random(seed)
    normal = [r for r in iu if NOACUTE_RE.match(r["impression"].strip())]
    rng.shuffle(normal)
    pool = iter(normal)
    def sides(t):
        return set(re.findall(r"\b(left|right)\b", t.lower()))
    # real reports kept whole: skip the few whose impression names a side the findings never name
    allpool = [r for r in iu if sides(r["impression"]) <= sides(r["findings"])]
    rng.shuffle(allpool)
    used = set()
    recs = []
    for kind, n in [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]:
        for j in range(n):
            for _ in range(50):
                real = j % 2 == 1
                src = None
                if real:
                    src = next(pool)
                    if kind is None and j % 4 == 1:
                        src = allpool.pop()
                    if src["uid"] in used:
                        continue
                layout = rng.choice(["mimic", "uk", "icu", "terse"])
                fnd, imp, detail, check = build(rng, kind, src)
                if src is not None:
                    ind = src["indication"].strip() or rng.choice(INDICATIONS)
                    comp = src["comparison"].strip() if check is None else ""
                    if not re.search(r"XXXX|\d|prior|previous|chest|radiograph|film", comp, re.I):
                        comp = rng.choice(DATES)
                else:
                    ind, comp = rng.choice(INDICATIONS), rng.choice(DATES)
                rep = render(rng, {}, layout, ind, comp, fnd, imp)
                if kind != "placeholder" and PLACEHOLDER_RE.search(rep):
                    continue
                rec = {"injected": kind, "detail": detail, "report": rep}
                try:
                    verify(kind, rec, check)
                except AssertionError:
                    continue
                if src is not None:
                    used.add(src["uid"])
                    rec["_uid"] = src["uid"]
                recs.append(rec)
                break
            else:
                raise RuntimeError(f"could not build a {kind} case")
    rng.shuffle(recs)
    for k, r in enumerate(recs):
        r["id"] = hashlib.sha256(f"h38|{seed}|{k}|{r['report']}".encode()).hexdigest()[:16]
    return recs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=3901)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    d = os.environ.get("MEDRAG_SHARED_DIR") or str(Path(__file__).resolve().parents[1].parent / "shared")
    if not (Path(d) / "data/iu_reports/NLMCXR_reports.tgz").is_file():
        print(f"shared data not found under {d}; set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        return 2
    recs = generate(a.seed, Path(d))
    with open(a.out, "w") as f:
        for r in recs:
            f.write(json.dumps({"id": r["id"], "injected": r["injected"], "detail": r["detail"],
                                "report": r["report"]}) + "\n")
    if a.show:
        for k in [None] + KINDS:
            for r in [r for r in recs if r["injected"] == k][:a.show]:
                print(f"===== {k} | {r['detail']} | {r.get('_uid', 'composed')}\n{r['report']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
