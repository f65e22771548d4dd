"""Held-out report-check set no. 32: long, complex sentences.

Written BLIND: without reading the checker (medrag_core/), its tests, its docs or any other
bench generator; only the scorer's format, the IU archive and the dev set's `uid` field were used.

Styles: findings and impressions written as a few long sentences with several clauses; relative
clauses ("..., which is new", "..., which has resolved"), parenthetical asides ("(likely
atelectasis)", "(compared with ___)"), coordination and contrast ("..., and ..., but ...",
"whereas", "while"), and findings named after their description ("Blunting of the left
costophrenic angle, with a meniscus, is in keeping with ...").  Four layouts (capital headers with
blank lines, inline "Findings:" paragraphs, EXAMINATION/CLINICAL DETAILS preambles, and a
signed-off report with a "Dr. ___" de-identification mask).  Errors sit inside those sentences: a
side flipped in one section, a negation pasted into one clause, a significant finding that only
appears in a parenthesis or subordinate clause left out of the impression, a template blank where a
measurement, side or grade belongs, or a section left empty/absent.

Half of every group is composed from the phrase bank below; half are real IU (Open-i) reports,
excluding the dev-set uids, re-laid-out with their sentences merged into longer ones.

usage: python -m bench.make_heldout32 OUT.jsonl --seed S [--show N]
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

# ----------------------------------------------------------------------------- phrase bank
# Each finding: cat, lateral, sig (significant per spec), F (findings clauses), I (impression
# phrases), negF (a findings clause ruling it out), kw (words naming it in any wording).
# {s} side, {o} opposite side, {n} size, {oed} oedema/edema spelling.
SIG = {
    "effusion": dict(
        lateral=True,
        F=["blunting of the {s} costophrenic angle, with a meniscus that tracks up the lateral chest wall, "
           "is in keeping with a moderate {s} pleural effusion, which is new since ___",
           "there is a moderate {s} pleural effusion, which has increased since the previous film and which "
           "now obscures the {s} hemidiaphragm",
           "the {s} hemidiaphragm is obscured by a moderate-sized {s} pleural effusion (larger than on ___), "
           "above which there is some compressive atelectasis"],
        I=["moderate {s} pleural effusion, which is new", "enlarging moderate {s} pleural effusion",
           "moderate {s} pleural effusion with adjacent compressive atelectasis"],
        negF="both costophrenic angles are sharp and there is no pleural effusion",
        negI="no pleural effusion",
        kw=["effusion", "pleural fluid", "costophrenic", "meniscus", "fluid"]),
    "pneumothorax": dict(
        lateral=True,
        F=["a thin visceral pleural edge is seen at the {s} apex, beyond which there are no lung markings, "
           "in keeping with a small {s} apical pneumothorax",
           "there is a {s} pneumothorax, which measures about {n} mm at the apex and which was not present "
           "on ___, although there is no mediastinal shift"],
        I=["small {s} apical pneumothorax, without mediastinal shift",
           "new {s} pneumothorax (about {n} mm at the apex)"],
        negF="there is no pneumothorax", negI="no pneumothorax",
        kw=["pneumothora", "pleural edge", "pleural line"]),
    "consolidation": dict(
        lateral=True,
        F=["there is patchy airspace opacification in the {s} lower zone, which contains air bronchograms and "
           "which silhouettes the {s} hemidiaphragm, in keeping with consolidation",
           "an area of consolidation, which is new since ___, occupies the {s} mid and lower zones "
           "(with air bronchograms)",
           "the {s} heart border is effaced by confluent airspace shadowing, which represents consolidation "
           "in the adjacent {s} lung"],
        I=["{s} lower zone consolidation, in keeping with pneumonia in the clinical context",
           "new {s} mid and lower zone consolidation, which is likely infective",
           "{s} consolidation effacing the heart border, consistent with pneumonia"],
        negF="the lungs are clear, with no focal consolidation", negI="no focal consolidation",
        kw=["consolidat", "airspace", "air space", "opacit", "pneumonia", "infect", "infiltrat", "shadowing"]),
    "oedema": dict(
        lateral=False,
        F=["the upper lobe vessels are distended and there are septal lines at both costophrenic angles, "
           "together with peribronchial cuffing, which indicate interstitial pulmonary {oed}",
           "there is bilateral perihilar haziness with Kerley B lines, which has developed since ___ and "
           "which is consistent with pulmonary {oed}"],
        I=["interstitial pulmonary {oed}, in keeping with fluid overload", "new pulmonary {oed}"],
        negF="the pulmonary vasculature is normal", negI="no pulmonary {oed}",
        kw=["edema", "oedema", "congest", "overload", "failure", "vascul", "septal", "kerley", "haz"]),
    "nodule": dict(
        lateral=True,
        F=["a well-defined rounded opacity, measuring {n} mm, projects over the {s} mid zone, which was not "
           "seen on ___",
           "there is a {n} mm nodule in the {s} upper zone (not visible on the prior study), which does not "
           "correspond to a nipple shadow or a rib lesion"],
        I=["new {n} mm {s} mid zone nodule, for which CT is recommended",
           "{n} mm {s} upper zone nodule; CT chest is advised"],
        negF="there is no focal lung lesion", negI="no lung nodule",
        kw=["nodul", "mass", "lesion", "opacit", "ct "]),
    "collapse": dict(
        lateral=True,
        F=["there is a triangular density at the {s} base medially, with loss of the medial {s} hemidiaphragm "
           "outline and inferior displacement of the {s} hilum, which represents {s} lower lobe collapse"],
        I=["{s} lower lobe collapse", "collapse of the {s} lower lobe, which may be due to mucus plugging"],
        negF="lung volumes are preserved, with no lobar collapse", negI="no lobar collapse",
        kw=["collapse", "atelecta", "volume loss", "lobe"]),
    "mediastinum": dict(
        lateral=False,
        F=["the superior mediastinum is widened, measuring {n} mm at the level of the aortic knuckle, which is "
           "increased compared with ___"],
        I=["widened superior mediastinum, which has increased; CT is recommended"],
        negF="the mediastinum is not widened", negI="no mediastinal widening",
        kw=["mediastin"]),
    "hilar_mass": dict(
        lateral=True,
        F=["there is a lobulated mass at the {s} hilum, measuring about {n} cm, which is new"],
        I=["new {s} hilar mass, for which CT chest is recommended"],
        negF="the hila are normal", negI="no hilar mass",
        kw=["mass", "hil", "lesion", "lymph"]),
}
# short forms used when the finding is tucked into a parenthesis
SHORT = {"effusion": "with a moderate {s} pleural effusion, which is new",
         "pneumothorax": "a small {s} apical pneumothorax is also present",
         "consolidation": "with new consolidation in the {s} lower zone",
         "oedema": "with interstitial pulmonary {oed}, which has developed since ___",
         "nodule": "a new {n} mm nodule projects over the {s} mid zone",
         "collapse": "with {s} lower lobe collapse",
         "mediastinum": "the superior mediastinum is now widened, at {n} mm",
         "hilar_mass": "a new {n} cm {s} hilar mass is seen"}
SIZES = {"pneumothorax": (15, 30), "nodule": (8, 18), "mediastinum": (85, 100), "hilar_mass": (3, 5)}

MINOR = {
    "cardiomegaly": dict(
        lateral=False,
        F=["the heart is mildly enlarged (cardiothoracic ratio about 0.55), which is unchanged from ___",
           "the cardiac silhouette is at the upper limit of normal size, as before"],
        I=["mild cardiomegaly, which is stable", "borderline heart size, unchanged"]),
    "small_effusion": dict(
        lateral=True,
        F=["there is slight blunting of the {s} costophrenic angle, which probably reflects a small {s} "
           "pleural effusion", "a trace {s} pleural effusion persists, as on ___"],
        I=["small {s} pleural effusion", "trace {s} effusion, as before"]),
    "atelectasis": dict(
        lateral=True,
        F=["there is a band of linear opacity at the {s} base (likely subsegmental atelectasis)",
           "minor plate-like atelectasis is seen at the {s} base"],
        I=["minor {s} basal atelectasis"]),
    "granuloma": dict(
        lateral=True,
        F=["a small calcified granuloma projects over the {s} upper zone, which is unchanged"],
        I=["old granulomatous disease"]),
    "aorta": dict(
        lateral=False,
        F=["the thoracic aorta is unfolded, with calcification of the aortic knuckle"],
        I=["unfolded, calcified aorta"]),
    "spine": dict(
        lateral=False, F=["there is degenerative change in the thoracic spine"], I=[]),
    "rib": dict(
        lateral=True,
        F=["there is an old healed fracture of the {s} {ord} rib, which is unchanged"],
        I=["old healed {s} rib fracture"]),
    "hyperinflation": dict(
        lateral=False,
        F=["the lungs are hyperinflated, with flattening of both hemidiaphragms, consistent with COPD"],
        I=["hyperinflation, in keeping with COPD"]),
    "resolved": dict(
        lateral=True,
        F=["the {s} lower zone consolidation, which was present on ___, has resolved"],
        I=["resolution of the {s} lower zone consolidation"]),
}

# background normal clauses: key -> list of phrasings
BG = {
    "heart": ["the heart is normal in size", "heart size is normal",
              "the cardiomediastinal silhouette is within normal limits"],
    "lungs": ["the lungs are clear", "both lungs are clear"],
    "lungs_other": ["the lungs are otherwise clear", "the remainder of the lungs is clear"],
    "pleura": ["there is no pleural effusion or pneumothorax", "there is no pleural fluid and no pneumothorax"],
    "no_ptx": ["there is no pneumothorax"],
    "no_eff": ["there is no pleural effusion"],
    "mediast": ["the mediastinal contours are unremarkable", "the hila are normal"],
    "bones": ["the visualised bones are intact", "no acute bony abnormality is seen"],
}
NORMAL_IMP = ["No acute cardiopulmonary abnormality.", "No acute cardiopulmonary process.",
              "No active disease in the chest.", "No acute intrathoracic abnormality.",
              "No acute disease."]
NORMAL_IMP_LONG = ["Normal chest radiograph.",
                   "No acute cardiopulmonary abnormality and, in particular, no pneumonia, pleural effusion or "
                   "pneumothorax.",
                   "Normal appearances of the chest, with no acute abnormality to account for the symptoms."]
INDICATIONS = ["Cough and fever for five days, ?pneumonia.", "Shortness of breath on exertion.",
               "Chest pain, rule out acute process.", "___-year-old with productive cough.",
               "Follow-up of abnormality on the radiograph of ___.", "Pre-operative assessment.",
               "Hypoxia after surgery on ___.", "Known heart failure, increasing breathlessness."]
ORD = ["fifth", "sixth", "seventh", "eighth"]
CONNECT = [", and ", "; ", ", while ", ", whereas "]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _low(s: str) -> str:
    if re.match(r"^[A-Z]{2,}|^[A-Z]\b", s):
        return s
    return s[:1].lower() + s[1:]


def opp(side: str) -> str:
    return "right" if side == "left" else "left"


def render(t: str, side: str = "left", n: int = 10, oed: str = "edema", ordw: str = "sixth") -> str:
    return t.format(s=side, o=opp(side), n=n, oed=oed, ord=ordw)


NEGPOL = re.compile(r"\b(no|not|normal|clear|unremarkable|intact|within normal limits|resolved)\b", re.I)


def join_long(clauses: list[str], rng: random.Random) -> str:
    """Merge clauses into two or three long sentences; contrast words only where polarity changes."""
    out, cur, last, pol = [], None, None, None
    for c in clauses:
        p = bool(NEGPOL.search(c))
        if cur is None:
            cur = _cap(c)
        elif rng.random() < 0.75 and cur.count(",") + cur.count(";") < 5:
            plain = (p == pol or re.match(r"(no|without)\b", c, re.I)
                     or not re.search(r"\b(is|are|was|were|has|have|there)\b", c, re.I))
            opts = [x for x in CONNECT if x != last and (not plain or x in (", and ", "; "))]
            conn = rng.choice(opts or ["; "])
            last = conn
            cur = cur + conn + _low(c)
        else:
            out.append(cur + ".")
            cur, last = _cap(c), None
        pol = p
    if cur:
        out.append(cur + ".")
    return " ".join(out)


# ----------------------------------------------------------------------------- layouts
def layout(rng: random.Random, findings: str | None, impression: str | None, indication: str = "",
           comparison: str = "", style: int | None = None) -> str:
    """findings/impression None = section absent; "" = header present but empty."""
    style = rng.randrange(4) if style is None else style
    parts = []
    if style == 0:
        if indication:
            parts.append(f"INDICATION: {indication}")
        if comparison:
            parts.append(f"COMPARISON: {comparison}")
        if findings is not None:
            parts.append(f"FINDINGS:\n{findings}".rstrip())
        if impression is not None:
            parts.append(f"IMPRESSION:\n{impression}".rstrip())
        return "\n\n".join(parts)
    if style == 1:
        head = []
        if indication:
            head.append(f"Clinical history: {indication}")
        if comparison:
            head.append(f"Comparison: {comparison}")
        if head:
            parts.append("\n".join(head))
        if findings is not None:
            parts.append(f"Findings: {findings}".rstrip())
        if impression is not None:
            parts.append(f"Impression: {impression}".rstrip())
        return "\n".join(parts)
    if style == 2:
        parts.append("EXAMINATION: Chest radiograph, " + rng.choice(["PA and lateral views", "PA view",
                                                                       "AP erect (portable)"]) + ".")
        if indication:
            parts.append(f"CLINICAL DETAILS: {indication}")
        if comparison:
            parts.append(f"COMPARISON: {comparison}")
        if findings is not None:
            parts.append(f"\nFINDINGS\n{findings}".rstrip())
        if impression is not None:
            parts.append(f"\nIMPRESSION\n{impression}".rstrip())
        return "\n".join(parts)
    # style 3: signed-off report
    parts.append("CHEST X-RAY REPORT")
    if indication:
        parts.append(f"Reason for exam: {indication}")
    if findings is not None:
        parts.append(f"Findings:\n{findings}".rstrip())
    if impression is not None:
        parts.append(f"Impression:\n{impression}".rstrip())
    parts.append(rng.choice(["Electronically signed by Dr. ___ on ___ at ___.",
                             "Reported by: Dr. ___, Consultant Radiologist, ___.",
                             "Dictated by Dr. ___; verified by Dr. ___ on ___."]))
    return "\n\n".join(parts)


# ----------------------------------------------------------------------------- composed reports
class Item:
    def __init__(self, key: str, sig: bool, side: str | None, rng: random.Random):
        self.key, self.sig, self.side = key, sig, side
        d = (SIG if sig else MINOR)[key]
        self.d = d
        lo, hi = SIZES.get(key, (10, 10))
        self.n = rng.randint(lo, hi)
        self.fi = rng.randrange(len(d["F"]))
        self.ii = self.fi % len(d["I"]) if d["I"] else None  # paired with the findings wording
        self.ordw = rng.choice(ORD)

    def f(self, side: str | None = None, oed: str = "edema") -> str:
        return render(self.d["F"][self.fi], side or self.side or "left", self.n, oed, self.ordw)

    def i(self, side: str | None = None, oed: str = "edema") -> str | None:
        if self.ii is None:
            return None
        return render(self.d["I"][self.ii], side or self.side or "left", self.n, oed, self.ordw)


def pick_items(rng: random.Random, n_sig: int, n_minor: int, lateral_ok: bool = True,
               need_lateral_sig: bool = False, sig_keys: list[str] | None = None) -> list[Item]:
    items: list[Item] = []
    keys = sig_keys or list(SIG)
    if need_lateral_sig:
        keys = [k for k in keys if SIG[k]["lateral"]]
    for k in rng.sample(keys, n_sig):
        items.append(Item(k, True, rng.choice(["left", "right"]) if SIG[k]["lateral"] else None, rng))
    mkeys = [k for k in MINOR if lateral_ok or not MINOR[k]["lateral"]]
    used_cats = {i.key for i in items}
    for k in rng.sample(mkeys, n_minor):
        if k == "small_effusion" and "effusion" in used_cats:
            continue
        if k == "resolved" and used_cats & {"consolidation", "collapse", "oedema"}:
            continue
        items.append(Item(k, False, rng.choice(["left", "right"]) if MINOR[k]["lateral"] else None, rng))
    # one side per category family to keep the picture coherent
    return items


def background(rng: random.Random, items: list[Item], drop: set[str] = frozenset()) -> list[str]:
    keys = {i.key for i in items}
    bg = []
    if not keys & {"cardiomegaly", "mediastinum"} and "heart" not in drop:
        bg.append(rng.choice(BG["heart"]))
    if "oedema" not in keys and "hyperinflation" not in keys and "lungs" not in drop:
        focal = keys & {"consolidation", "nodule", "collapse", "atelectasis", "granuloma", "hilar_mass",
                        "resolved"}
        if focal:
            bg.append(rng.choice(BG["lungs_other"]))
        else:
            bg.append(rng.choice(BG["lungs"]))
    if "pleura" not in drop:
        eff = keys & {"effusion", "small_effusion"}
        ptx = "pneumothorax" in keys
        if eff and not ptx:
            bg.append(rng.choice(BG["no_ptx"]))
        elif ptx and not eff:
            bg.append(rng.choice(BG["no_eff"]))
        elif not eff and not ptx:
            bg.append(rng.choice(BG["pleura"]))
    if rng.random() < 0.5 and "bones" not in drop and "rib" not in keys:
        bg.append(rng.choice(BG["bones"]))
    return bg


def findings_text(rng: random.Random, items: list[Item], bg: list[str], oed: str,
                  override: dict | None = None) -> str:
    override = override or {}
    ab = [override.get(id(i)) or i.f(oed=oed) for i in items]
    rng.shuffle(ab)
    clauses = ab + bg
    if rng.random() < 0.35:
        clauses[0] = rng.choice(["compared with the film of ___, ", "since the previous radiograph (___), ",
                                 "in comparison with ___, "]) + _low(clauses[0])
    return join_long(clauses, rng)


def impression_text(rng: random.Random, phrases: list[str], tail_normal: bool = False) -> str:
    if not phrases:
        return rng.choice(NORMAL_IMP)
    s, last = _cap(phrases[0]), None
    for p in phrases[1:]:
        last = rng.choice([c for c in ("; ", ", and ", ", together with ") if c != last])
        s += last + p
    if tail_normal:
        s += rng.choice([", but no other acute abnormality", "; otherwise no acute cardiopulmonary process"])
    return s + "."


def imp_phrases(rng: random.Random, items: list[Item], oed: str, minor_p: float = 0.7) -> list[str]:
    out = [i.i(oed=oed) for i in items if i.sig]
    for i in items:
        if not i.sig and i.ii is not None and rng.random() < minor_p:
            out.append(i.i(oed=oed))
    return out


def compose(rng: random.Random, kind: str | None) -> tuple[str, str]:
    oed = rng.choice(["edema", "oedema"])
    ind = rng.choice(INDICATIONS) if rng.random() < 0.7 else ""
    comp = rng.choice(["___.", "Chest radiograph of ___.", "Previous films, most recently ___.", ""])
    style = rng.randrange(4)
    detail = "composed"
    if kind is None:
        n_sig = rng.choice([0, 0, 1, 1, 2])
        items = pick_items(rng, n_sig, rng.choice([0, 1, 1, 2]))
        bg = background(rng, items)
        f = findings_text(rng, items, bg, oed)
        ph = imp_phrases(rng, items, oed)
        if not ph and not items and rng.random() < 0.4:
            imp = rng.choice(NORMAL_IMP_LONG)
        else:
            imp = impression_text(rng, ph, tail_normal=bool(ph) and rng.random() < 0.3 and n_sig == 0)
        return layout(rng, f, imp, ind, comp, style), "clean (composed)"

    if kind == "missing_section":
        v = rng.choice(["imp_absent", "imp_absent", "imp_empty", "find_empty", "find_absent"])
        items = pick_items(rng, rng.choice([0, 1]), rng.choice([0, 1, 2]))
        f = findings_text(rng, items, background(rng, items), oed)
        imp = impression_text(rng, imp_phrases(rng, items, oed))
        if v == "imp_absent":
            return layout(rng, f, None, ind, comp, style), "IMPRESSION section omitted"
        if v == "imp_empty":
            return layout(rng, f, "", ind, comp, style), "IMPRESSION header left with nothing under it"
        if v == "find_empty":
            return layout(rng, "", imp, ind, comp, style), "FINDINGS header left empty"
        return (layout(rng, None, rng.choice(NORMAL_IMP), ind, comp, style),
                "FINDINGS section absent; impression is a bare normal statement")

    if kind == "laterality_conflict":
        items = pick_items(rng, 1, rng.choice([0, 1]), lateral_ok=False, need_lateral_sig=rng.random() < 0.8)
        if not any(i.side for i in items):
            items = [Item("small_effusion", False, rng.choice(["left", "right"]), rng)] + items
        tgt = next(i for i in items if i.side and i.ii is not None)
        bg = background(rng, items)
        ph = [i.i(oed=oed) if i is not tgt else i.i(side=opp(tgt.side), oed=oed) for i in items
              if i.ii is not None and (i.sig or i is tgt or rng.random() < 0.6)]
        if rng.random() < 0.5:
            f = findings_text(rng, items, bg, oed)
            where = "IMPRESSION"
        else:  # flipped in the findings' clause instead
            f = findings_text(rng, items, bg, oed, {id(tgt): tgt.f(side=opp(tgt.side), oed=oed)})
            ph = [i.i(oed=oed) for i in items if i.ii is not None and (i.sig or i is tgt)]
            where = "FINDINGS"
        imp = impression_text(rng, ph)
        fs = tgt.side if where == "IMPRESSION" else opp(tgt.side)
        detail = f"{tgt.key}: FINDINGS say {fs}, IMPRESSION says {opp(fs)} (flipped in {where})"
        assert re.search(rf"\b{fs}\b", f) and re.search(rf"\b{opp(fs)}\b", imp, re.I)
        assert not re.search(rf"\b{fs}\b", imp, re.I) and not re.search(rf"\b{opp(fs)}\b", f)
        return layout(rng, f, imp, ind, comp, style), detail

    if kind == "negation_conflict":
        v = rng.choice(["imp_negates", "find_negates", "find_negates", "heart"])
        if v == "heart":
            if rng.random() < 0.5:
                items = [Item("cardiomegaly", False, None, rng)]
                items[0].fi = 0
                f = findings_text(rng, items, background(rng, items), oed)
                imp = rng.choice(["Heart size is normal, and the lungs are clear, with no acute abnormality.",
                                  "Normal heart size, and no acute cardiopulmonary process."])
                detail = "FINDINGS: heart mildly enlarged; IMPRESSION: heart size normal"
            else:
                items = pick_items(rng, 0, 1, lateral_ok=False)
                items = [i for i in items if i.key != "cardiomegaly"]
                f = findings_text(rng, items, background(rng, items) + [], oed)
                if not re.search(r"heart|cardiomediastinal", f, re.I):
                    f = f[:-1] + ", and the heart is normal in size."
                imp = _cap(rng.choice(["mild cardiomegaly, which is new, but no pulmonary {oed}",
                                       "cardiomegaly, while the lungs remain clear"]).format(oed=oed)) + "."
                detail = "FINDINGS: heart size normal; IMPRESSION: cardiomegaly"
            return layout(rng, f, imp, ind, comp, style), detail
        keys = ["effusion", "pneumothorax", "consolidation", "oedema", "collapse"]
        items = pick_items(rng, 1, rng.choice([0, 1]), lateral_ok=False, sig_keys=keys)
        tgt = items[0]
        if v == "imp_negates":
            f = findings_text(rng, items, background(rng, items), oed)
            others = [i.i(oed=oed) for i in items[1:] if i.ii is not None]
            neg = render(tgt.d["negI"], oed=oed)
            if others:
                imp = _cap(others[0]) + rng.choice([", but ", ", with "]) + neg + "."
            else:
                imp = rng.choice(["No acute cardiopulmonary abnormality; in particular, there is {n}.",
                                  "No acute cardiopulmonary process, and specifically {n}."]).format(n=neg)
            assert neg in imp and tgt.f(oed=oed)[1:] in f
            detail = f"{tgt.key} affirmed in FINDINGS; IMPRESSION says '{neg}'"
            return layout(rng, f, imp, ind, comp, style), detail
        # FINDINGS rule it out in one clause, IMPRESSION affirms it
        rest = items[1:]
        bg = background(rng, rest, drop={"pleura"} if tgt.key in ("effusion", "pneumothorax") else
                        {"lungs"})
        negf = render(tgt.d["negF"], oed=oed)
        if tgt.key == "effusion" and not any(i.key == "pneumothorax" for i in rest):
            negf = rng.choice(["there is no pleural effusion or pneumothorax",
                               "both costophrenic angles are sharp, and there is no pleural effusion"])
        elif tgt.key == "pneumothorax":
            negf = "there is no pneumothorax or pleural effusion"
        bg = bg + [negf]
        rng.shuffle(bg)
        f = findings_text(rng, rest, bg, oed)
        imp = impression_text(rng, [tgt.i(oed=oed)] + [i.i(oed=oed) for i in rest if i.ii is not None])
        assert negf[1:] in f and tgt.i(oed=oed)[1:] in imp
        assert not any(i.key == tgt.key for i in rest)
        detail = f"FINDINGS: '{negf}'; IMPRESSION affirms {tgt.key}"
        return layout(rng, f, imp, ind, comp, style), detail

    if kind == "impression_omits_finding":
        items = pick_items(rng, 1, rng.choice([1, 1, 2]))
        tgt = items[0]
        # the significant finding often hides in a parenthesis or a subordinate clause
        if rng.random() < 0.6:
            host = [i for i in items[1:]]
            base = host[0].f(oed=oed) if host else rng.choice(BG["mediast"])
            if rng.random() < 0.5:
                tf = render(SHORT[tgt.key], tgt.side or "left", tgt.n, oed)
                sub = f"{base} ({tf})"
            else:
                tf = tgt.f(oed=oed)
                sub = rng.choice(["{b} ({t})", "{b}, and {t}", "{b}, while {t}"]).format(b=base, t=tf)
            over = {id(host[0]): sub} if host else {}
            bg = background(rng, items)
            if not host:
                bg = [sub] + bg
                f = findings_text(rng, [i for i in items if i is not tgt], bg, oed)
            else:
                f = findings_text(rng, [i for i in items if i is not tgt], bg, oed, over)
            assert tf[1:] in f
        else:
            f = findings_text(rng, items, background(rng, items), oed)
            assert tgt.f(oed=oed)[1:] in f
        minors = [i.i(oed=oed) for i in items[1:] if i.ii is not None]
        minors = [m for m in minors if not any(k in m.lower() for k in tgt.d["kw"])]
        if minors and rng.random() < 0.75:
            imp = impression_text(rng, minors, tail_normal=rng.random() < 0.5)
            how = "IMPRESSION lists other findings only"
        else:
            imp = rng.choice(NORMAL_IMP)
            how = "IMPRESSION is a normal macro"
        low = imp.lower()
        assert not any(k in low for k in tgt.d["kw"]), (imp, tgt.key)
        return layout(rng, f, imp, ind, comp, style), f"{tgt.key} in FINDINGS left out; {how}"

    if kind == "placeholder":
        items = pick_items(rng, rng.choice([1, 1, 2]), rng.choice([0, 1]))
        f = findings_text(rng, items, background(rng, items), oed)
        imp = impression_text(rng, imp_phrases(rng, items, oed))
        rep, det = put_placeholder(rng, f, imp)
        if rep is None:
            f = f[:-1] + ", and the heart size is normal."
            rep, det = put_placeholder(rng, f, imp)
        f, imp = rep
        return layout(rng, f, imp, ind, comp, style), det
    raise ValueError(kind)


PH_NUM = ["___", "XX", "[size]", "[ ]", "<insert>", "[***]"]
PH_SIDE = ["[LEFT/RIGHT]", "[side]", "[***]", "[R/L]"]
PH_GRADE = ["[mild/moderate/severe]", "[***]", "[grade]", "<insert>"]


def put_placeholder(rng: random.Random, f: str, imp: str):
    """Replace one measurement, side or grade word by a template blank.  Returns ((f, imp), detail)."""
    cands = []
    for sec, text in (("FINDINGS", f), ("IMPRESSION", imp)):
        for m in re.finditer(r"\b\d+(?:\.\d+)? ?(?=mm|cm)", text):
            cands.append((sec, m.span(), rng.choice(PH_NUM) + " ", "measurement"))
        for m in re.finditer(r"\b(left|right|Left|Right)\b", text):
            cands.append((sec, m.span(), rng.choice(PH_SIDE), "side"))
        for m in re.finditer(r"\b(mild|moderate|small|mildly|moderate-sized|normal)\b(?! limits)", text):
            ph = rng.choice(["[***]", "<insert>", "[normal/enlarged]"] if m.group(0) == "normal" else PH_GRADE)
            cands.append((sec, m.span(), ph, "grade"))
    if not cands:
        return None, None
    fs = [c for c in cands if c[0] == "FINDINGS"]
    pool = fs if fs and rng.random() < 0.7 else cands
    types = sorted({c[3] for c in pool})
    weights = {"side": 0.45, "measurement": 0.4, "grade": 0.15}
    want = rng.choices(types, [weights[t] for t in types])[0]
    sec, (a, b), ph, what = rng.choice([c for c in pool if c[3] == want])
    text = f if sec == "FINDINGS" else imp
    old = text[a:b]
    new = text[:a] + ph + text[b:]
    new = new.replace("  ", " ")
    det = f"{what} '{old.strip()}' in {sec} replaced by '{ph.strip()}'"
    return ((new, imp) if sec == "FINDINGS" else (f, new)), det


# ----------------------------------------------------------------------------- IU reports
def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


def load_iu(shared: Path) -> list[dict]:
    dev = set()
    with open(shared / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            uid = uid_el.get("id") if uid_el is not None else None
            if not uid or uid in dev:
                continue
            d = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            f, i = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            f, i = (re.sub(r"(?:^|(?<=\s))\d{1,2}[.)]\s+(?=[A-Za-z])", "", x) for x in (f, i))
            f, i = (re.sub(r"\s*\.(\s*\.)+", ".", x).strip() for x in (f, i))
            if len(f) < 40 or len(i) < 5:
                continue
            out.append(dict(uid=uid, findings=f, impression=i, indication=d.get("INDICATION", ""),
                            comparison=d.get("COMPARISON", "")))
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return out


def sents(t: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", t) if s.strip()]


def relayout_sents(rng: random.Random, text: str) -> str:
    text = re.sub(r"(?:^|(?<=\s))\d{1,2}[.)]\s+(?=[A-Za-z])", "", text)
    ss = [s.rstrip(".") for s in sents(text)]
    ss = [s for s in ss if s.strip(" .")]
    return join_long(ss, rng) if ss else ""


NEG_RE = r"\b(no|not|without|negative|resolv\w*|clear\w*|free|normal|improv\w*|decreas\w*|removed)\b"
HEDGE_RE = (r"\b(possib\w*|may|might|could|question\w*|suspect\w*|suggest\w*|versus|vs|cannot|exclude\w*|"
            r"small|trace|tiny|minimal|mild\w*|chronic|old|stable|unchanged|scar\w*|previous|prior|"
            r"likely|probabl\w*|borderline|healed|calcified|concern)\b|\?")
IU_SIG = {
    "pneumothorax": (r"pneumothora", ["pneumothora", "pleural line", "air"]),
    "consolidation": (r"consolidat|airspace disease|air space disease|infiltrate|pneumonia",
                      ["consolidat", "airspace", "air space", "opacit", "infiltrat", "pneumon", "infect",
                       "disease"]),
    "edema": (r"\bedema\b|vascular congestion|pulmonary congestion",
              ["edema", "congest", "failure", "vascul", "interstitial", "fluid", "chf"]),
    "effusion": (r"(moderate|large)[\w\s-]{0,25}effusion", ["effusion", "fluid", "pleural"]),
    "mass": (r"\bmass\b", ["mass", "lesion", "neoplas", "tumor", "malign", "nodul", "opacit"]),
}
NORMAL_IMP_RE = re.compile(r"^(no acute|normal|negative|no active|no evidence of acute|no radiographic)",
                           re.I)


def iu_sig_sentences(f: str) -> list[tuple[str, str]]:
    out = []
    for s in sents(f):
        low = s.lower()
        if re.search(NEG_RE, low) or re.search(HEDGE_RE, low):
            continue
        for cat, (rx, _) in IU_SIG.items():
            if re.search(rx, low):
                out.append((cat, s))
    return out


def iu_names(imp: str, cat: str) -> bool:
    low = imp.lower()
    return any(k in low for k in IU_SIG[cat][1])


def iu_clean_ok(r: dict) -> bool:
    t = (r["findings"] + " " + r["impression"]).lower()
    if re.search(r"\[|\*\*\*|___", t):
        return False
    return all(iu_names(r["impression"], c) for c, _ in iu_sig_sentences(r["findings"]))


def iu_compose(rng: random.Random, r: dict, f: str | None, imp: str | None, reword_f: bool = True,
               reword_i: bool = True) -> str:
    ff = relayout_sents(rng, f) if (f and reword_f) else f
    ii = relayout_sents(rng, imp) if (imp and reword_i) else imp
    return layout(rng, ff, ii, r["indication"], r["comparison"])


SIDE_RE = re.compile(r"\b(left|right)\b", re.I)
LAT_KW = r"effusion|opacit|consolidat|pneumon|atelecta|infiltrat|airspace|nodul|granulom|pneumothora|mass|scar"


def flip_sides(t: str) -> str:
    def sw(m):
        w = m.group(0)
        o = "right" if w.lower() == "left" else "left"
        return o.capitalize() if w[0].isupper() else o
    return SIDE_RE.sub(sw, t)


def sides(t: str) -> set[str]:
    return {m.lower() for m in SIDE_RE.findall(t)}


def iu_case(rng: random.Random, r: dict, kind: str | None):
    f, imp = r["findings"], r["impression"]
    if kind is None:
        if not iu_clean_ok(r):
            return None
        return iu_compose(rng, r, f, imp), f"clean (IU {r['uid']})"
    if kind == "missing_section":
        v = rng.choice(["imp_absent", "imp_empty", "find_empty", "find_absent"])
        if v == "find_absent" and not (NORMAL_IMP_RE.match(imp) and len(imp) < 60 and
                                       not re.search(r"\b(left|right|effusion|opacit|cardiomegaly)", imp, re.I)):
            v = "imp_absent"
        if v == "imp_absent":
            return iu_compose(rng, r, f, None), f"IMPRESSION omitted (IU {r['uid']})"
        if v == "imp_empty":
            return iu_compose(rng, r, f, ""), f"IMPRESSION header empty (IU {r['uid']})"
        if v == "find_empty":
            return iu_compose(rng, r, "", imp), f"FINDINGS header empty (IU {r['uid']})"
        return iu_compose(rng, r, None, imp), f"FINDINGS absent, bare normal impression (IU {r['uid']})"
    if kind == "laterality_conflict":
        sf, si = sides(f), sides(imp)
        if len(sf) != 1 or sf != si or re.search(r"bilateral|both|bibasilar", f + imp, re.I):
            return None
        if not any(re.search(LAT_KW, s, re.I) for s in sents(imp) if SIDE_RE.search(s)):
            return None
        side = next(iter(sf))
        if rng.random() < 0.6:
            imp2, f2, where = flip_sides(imp), f, "IMPRESSION"
        else:
            imp2, f2, where = imp, flip_sides(f), "FINDINGS"
        assert sides(f2).isdisjoint(sides(imp2)) and sides(f2) and sides(imp2)
        return iu_compose(rng, r, f2, imp2), f"'{side}' flipped to '{opp(side)}' in {where} (IU {r['uid']})"
    if kind == "negation_conflict":
        fl = f.lower()
        opts = []
        if NORMAL_IMP_RE.match(imp):
            if re.search(r"no (evidence of )?(a )?pneumothorax|no pleural effusion or pneumothorax|"
                         r"no pneumothorax or pleural effusion", fl):
                opts.append(("pneumothorax", "{S} apical pneumothorax, which is small, but otherwise {imp}"))
            if re.search(r"no (evidence of )?(a )?(pleural )?effusions?\b|no pleural effusion", fl):
                opts.append(("effusion", "{S} pleural effusion, which is new, while {imp}"))
            if re.search(r"lungs are clear|no focal (airspace|consolidation|opacity)|no (focal )?consolidation", fl):
                opts.append(("consolidation", "{S} lower lobe consolidation, in keeping with pneumonia, "
                             "but otherwise {imp}"))
            if re.search(r"heart (size )?(is )?(normal|within normal)|normal heart size|"
                         r"heart size (is )?within normal|cardiomediastinal silhouette (is )?(normal|within)", fl):
                opts.append(("cardiomegaly", "cardiomegaly, which is new, whereas otherwise {imp}"))
        for s in sents(f):
            sl = s.lower()
            if re.search(r"cardiomegaly|heart (size )?is (mildly |moderately )?enlarged", sl) and \
                    not re.search(r"\bno\b|not|normal", sl):
                opts.append(("heart_affirmed", None))
        if not opts:
            return None
        cat, tpl = rng.choice(opts)
        if cat == "heart_affirmed":
            imp2 = rng.choice(["Normal heart size, and the lungs are clear.",
                               "Heart size is normal, and there is no acute cardiopulmonary process."])
            return (iu_compose(rng, r, f, imp2, reword_i=False),
                    f"FINDINGS affirm cardiomegaly; IMPRESSION says heart size normal (IU {r['uid']})")
        rest = _low(imp.rstrip(".")).replace("no acute", "no other acute", 1)
        imp2 = _cap(tpl.format(S=rng.choice(["left", "right"]), imp=rest)) + "."
        return (iu_compose(rng, r, f, imp2, reword_i=False),
                f"FINDINGS rule out {cat}; IMPRESSION affirms it (IU {r['uid']})")
    if kind == "impression_omits_finding":
        sig = [(c, s) for c, s in iu_sig_sentences(f) if iu_names(imp, c)]
        if not sig:
            return None
        cat, s = sig[0]
        keep = [x for x in sents(imp) if not any(k in x.lower() for k in IU_SIG[cat][1])]
        keep = [x for x in keep if not NORMAL_IMP_RE.match(x)]
        if keep and rng.random() < 0.6:
            imp2 = " ".join(keep)
            how = "other findings kept"
        else:
            imp2 = rng.choice(NORMAL_IMP)
            how = "normal macro"
        if iu_names(imp2, cat) or any(iu_names(imp2, c) for c, _ in sig):
            return None
        return (iu_compose(rng, r, f, imp2),
                f"{cat} ('{s[:60]}') in FINDINGS left out of IMPRESSION; {how} (IU {r['uid']})")
    if kind == "placeholder":
        if not re.search(r"\b(left|right)\b|\d ?(mm|cm)\b", f + " " + imp, re.I) and rng.random() < 0.75:
            return None
        f2 = relayout_sents(rng, f)
        i2 = relayout_sents(rng, imp)
        rep, det = put_placeholder(rng, f2, i2)
        if rep is None:
            return None
        return (layout(rng, rep[0], rep[1], r["indication"], r["comparison"]), f"{det} (IU {r['uid']})")
    raise ValueError(kind)


PH_CHECK = re.compile(r"\[LEFT/RIGHT\]|\[normal/enlarged\]|\[R/L\]|"
                      r"\[side\]|\[\*\*\*\]|\[size\]|\[ \]|<insert>|\[grade\]|"
                      r"\[mild/moderate/severe\]|\bXX ?(mm|cm)\b|___ ?(mm|cm)\b")


def verify(kind: str | None, report: str) -> None:
    """Check in code that the labelled error is (or is not) present."""
    m_imp = re.search(r"(?im)^(IMPRESSION:?|Impression:)[ \n]*", report)
    m_f = re.search(r"(?im)^(FINDINGS:?|Findings:)[ \n]*", report)
    if kind is None or kind in ("laterality_conflict", "negation_conflict", "impression_omits_finding"):
        assert m_imp and m_f, report
        assert not PH_CHECK.search(report), report
    if kind == "missing_section":
        if m_imp and m_f:
            fi = report[m_f.end():m_imp.start()].strip()
            ii = report[m_imp.end():].split("\n\n")[0].strip()
            ii = re.sub(r"^(Electronically|Reported|Dictated).*", "", ii).strip()
            assert not fi or not ii, report
    if kind == "placeholder":
        assert PH_CHECK.search(report), report


def build(seed: int, shared: Path) -> list[dict]:
    rng = random.Random(seed)
    iu = load_iu(shared)
    rng.shuffle(iu)
    used: set[str] = set()
    cases = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        half = n // 2
        for _ in range(n - half):
            rep, det = compose(rng, kind)
            verify(kind, rep)
            cases.append(dict(injected=kind, detail=det, report=rep, uid=None))
        got = 0
        for r in iu:
            if got == half:
                break
            if r["uid"] in used:
                continue
            res = iu_case(rng, r, kind)
            if res is None:
                continue
            rep, det = res
            verify(kind, rep)
            used.add(r["uid"])
            cases.append(dict(injected=kind, detail=det, report=rep, uid=r["uid"]))
            got += 1
        if got < half:
            raise SystemExit(f"not enough IU reports for {kind}: {got}/{half}")
    rng.shuffle(cases)
    out = []
    for k, c in enumerate(cases):
        h = hashlib.sha256(f"h32|{seed}|{k}|{c['report']}".encode()).hexdigest()[:16]
        out.append(dict(id=f"h32-{h}", injected=c["injected"], detail=c["detail"], report=c["report"],
                        _uid=c["uid"]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=3201)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if not (shared / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or \
            not (shared / "eval" / "report_errors_dev.jsonl").exists():
        print(f"shared data not found at {shared}; set MEDRAG_SHARED_DIR to the shared folder",
              file=sys.stderr)
        return 2
    cases = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps({k: c[k] for k in ("id", "injected", "detail", "report")}) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == kind][:a.show]:
                print(f"==== {kind} | {c['detail']}\n{c['report']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
