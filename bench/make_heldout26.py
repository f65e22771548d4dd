"""Held-out report-check set no. 26: other people's words quoted beside the radiologist's reading.

Written BLIND: without reading the checker (medrag_core/), its tests, docs or any other bench generator;
only the scorer's format, the shared eval README, the IU Open-i archive and the dev set's `uid` field
(to exclude those reports) were used.

Styles (theme: quoted words of others inside the report):
- request echo: the referrer's question quoted verbatim ("?L pneumothorax post CVC") and answered in the
  impression ("Clinical query left pneumothorax: none seen.", "?consolidation - no consolidation");
- previous report quoted or summarised ("The previous report described ..."), resolved or persisting;
- correlation with CT / ultrasound / MDT outcomes relayed by a team, findings "as reported by the ward" or
  "per the ED physician";
- communication log: a colleague's verbal query or a clinician's concern relayed by phone, answered;
- IU Open-i reports re-laid-out under these headings (indication quoted as the referrer's words).
A finding named only in quoted words is not affirmed by this study; every label is set by the radiologist's
own FINDINGS and IMPRESSION statements. Errors imitate real slips: a side flipped while dictating or taken
over from the request form, an impression pasted from a normal macro, a template field left unfilled.

usage: python -m bench.make_heldout26 OUT.jsonl --seed S [--show N]
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding",
         "placeholder"]
N_CLEAN, N_KIND = 200, 40

# ---------------------------------------------------------------- composed phrase bank
# key: sided, significant, findings phrasings, impression phrasings, findings negation, words (any wording)
BANK = {
    "effusion": dict(
        sided=True, sig=True,
        F=["Moderate {s} pleural effusion, the meniscus reaching the mid zone.",
           "There is a moderate-sized {s} pleural effusion.",
           "Moderate {s} pleural effusion with loss of the {s} hemidiaphragm outline."],
        I=["Moderate {s} pleural effusion.",
           "Moderate {s} pleural effusion; ultrasound-guided aspiration if clinically indicated.",
           "{S} pleural effusion, moderate in size."],
        neg=["No pleural effusion.", "Both costophrenic angles are clear.", "No pleural fluid."],
        inj_neg=["No pleural effusion.", "No effusion.", "Costophrenic angles clear."],
        words=r"effusion|pleural fluid|costophrenic|meniscus|hydrothorax|fluid"),
    "consolidation": dict(
        sided=True, sig=True,
        F=["Consolidation in the {s} lower lobe with air bronchograms.",
           "Patchy airspace opacity in the {s} lower zone, in keeping with consolidation.",
           "There is new airspace consolidation in the {s} mid and lower zones."],
        I=["{S} lower lobe consolidation, consistent with pneumonia in this clinical context.",
           "{S} lower zone pneumonia.",
           "{S} basal consolidation; follow-up film in 6 weeks to confirm resolution."],
        neg=["No focal consolidation.", "The lungs are clear.", "No airspace opacity."],
        inj_neg=["Lungs clear.", "No consolidation.", "No focal airspace disease."],
        words=r"consolidat|pneumoni|airspace|air space|infect|opacit|infiltrat|shadowing|lungs? (are )?clear"),
    "pneumothorax": dict(
        sided=True, sig=True,
        F=["There is a {s} apical pneumothorax with a 2 cm rim; no mediastinal shift.",
           "A small {s} pneumothorax is present, the visceral pleural edge visible at the apex.",
           "{S} pneumothorax, 3 cm at the level of the hilum."],
        I=["{S} pneumothorax.", "{S} apical pneumothorax, no tension.",
           "{S} pneumothorax, findings phoned to the referring team."],
        neg=["No pneumothorax."],
        inj_neg=["No pneumothorax.", "No pneumothorax is seen."],
        words=r"pneumothora|pleural edge|pleural line|\bptx\b"),
    "nodule": dict(
        sided=True, sig=True,
        F=["A {n} mm well-defined nodule projects over the {s} upper zone.",
           "There is a {n} mm rounded opacity in the {s} upper zone.",
           "Spiculated {n} mm nodule in the {s} upper lobe."],
        I=["{n} mm {s} upper zone nodule; CT chest recommended.",
           "{S} upper zone nodule ({n} mm). Recommend CT for further characterisation.",
           "{S} pulmonary nodule measuring {n} mm, CT advised."],
        neg=["No pulmonary nodule or mass.", "No suspicious pulmonary mass."],
        inj_neg=["No pulmonary nodule or mass.", "No lung mass."],
        words=r"nodul|mass|lesion|opacit|density|neoplas|malignan|\bCT\b"),
    "collapse": dict(
        sided=True, sig=True,
        F=["Triangular density behind the heart with loss of the {s} hemidiaphragm outline, in keeping with "
           "{s} lower lobe collapse.",
           "Volume loss in the {s} hemithorax with collapse of the {s} lower lobe."],
        I=["{S} lower lobe collapse.", "Collapse of the {s} lower lobe; ?mucus plugging.",
           "{S} lower lobe collapse - bronchoscopy may be considered."],
        neg=["No lobar collapse.", "No volume loss."],
        inj_neg=["No collapse.", "No lobar collapse."],
        words=r"collaps|atelecta|volume loss|plug"),
    "oedema": dict(
        sided=False, sig=True,
        F=["Upper lobe blood diversion, septal lines and bilateral perihilar haze, in keeping with pulmonary "
           "oedema.", "Interstitial pulmonary oedema with Kerley B lines and fluid in the fissures.",
           "Bilateral perihilar airspace shadowing with upper lobe venous diversion, in keeping with pulmonary "
           "oedema."],
        I=["Pulmonary oedema.", "Features of cardiac failure with interstitial oedema.",
           "Pulmonary oedema, likely cardiogenic."],
        neg=["No pulmonary oedema.", "Pulmonary vasculature is normal."],
        inj_neg=["No pulmonary oedema.", "No features of failure."],
        words=r"oedema|edema|congest|failure|kerley|overload|septal|vascular|diversion|fluid"),
    # non-significant
    "atelectasis": dict(
        sided=True, sig=False, F=["Linear atelectasis at the {s} base.", "Minor discoid atelectasis, {s} base."],
        I=["Minor {s} basal atelectasis.", "{S} basal linear atelectasis."], neg=[], inj_neg=["No atelectasis."],
        words=r"atelecta|linear|discoid|scar"),
    "granuloma": dict(
        sided=True, sig=False, F=["Calcified granuloma in the {s} upper zone.", "A small calcified granuloma "
                                  "projects over the {s} mid zone."],
        I=["Old calcified granuloma, {s} lung.", "Incidental calcified {s} granuloma."], neg=[], inj_neg=[],
        words=r"granulom|calcif"),
    "ribs": dict(
        sided=True, sig=False, F=["Old healed fractures of the {s} 6th and 7th ribs."],
        I=["Healed {s} rib fractures."], neg=["No acute bony abnormality."], inj_neg=[],
        words=r"rib|fractur|bony"),
    "small_effusion": dict(
        sided=True, sig=False, F=["Small {s} pleural effusion.", "Trace {s} pleural effusion, blunting the "
                                  "costophrenic angle."],
        I=["Small {s} pleural effusion.", "Trace {s} effusion."], neg=[], inj_neg=["No pleural effusion."],
        words=r"effusion|pleural fluid|costophrenic|fluid"),
    "cardiomegaly": dict(
        sided=False, sig=False, F=["Mild cardiomegaly.", "The heart is mildly enlarged."],
        I=["Mild cardiomegaly.", "Borderline to mildly enlarged heart."], neg=["Heart size is normal."],
        inj_neg=["Normal heart size.", "Heart size normal."],
        words=r"cardiomegal|heart|cardiac"),
}
SIG_KEYS = [k for k, v in BANK.items() if v["sig"]]
NONSIG_KEYS = [k for k, v in BANK.items() if not v["sig"]]
EXCLUSIVE = [{"effusion", "small_effusion"}, {"consolidation", "collapse"}]

QUERY = {
    "pneumothorax": ["?{s} pneumothorax post CVC", "query {s} PTX after pleural aspiration",
                     "sudden SOB, ?pneumothorax", "{s} chest drain removed - ?pneumothorax"],
    "consolidation": ["cough, fever, ?{s} sided pneumonia", "?consolidation", "crackles {s} base ?LRTI",
                      "raised CRP, ?chest source"],
    "effusion": ["reduced air entry {s} base ?effusion", "?pleural effusion", "dull to percussion {s} base"],
    "collapse": ["post-op, desaturating, ?{s} lower lobe collapse", "?collapse"],
    "oedema": ["SOB, bilateral ankle swelling, ?LVF", "?fluid overload", "?pulmonary oedema"],
    "nodule": ["haemoptysis, ex-smoker, ?mass", "?lung lesion"],
}
QUERY_NEG_ANSWER = {
    "pneumothorax": ["Clinical query {s} pneumothorax: none seen.", "No pneumothorax, specifically.",
                     "?PTX - no pneumothorax."],
    "consolidation": ["?consolidation - no consolidation.", "No consolidation to support the clinical query of "
                      "pneumonia.", "Clinical question of pneumonia: no focal consolidation."],
    "effusion": ["No effusion to account for the reduced air entry reported by the ward.",
                 "?effusion - no effusion."],
    "collapse": ["No lobar collapse as queried.", "?collapse - none."],
    "oedema": ["No radiographic evidence of fluid overload, as queried.", "?LVF - no pulmonary oedema."],
    "nodule": ["No lung mass to explain the haemoptysis; CT if clinical concern persists.",
               "?lesion - no mass or nodule is seen."],
}
PRIOR_DESC = {  # quoted finding of a previous examination (key, description)
    "consolidation": "{s} lower lobe consolidation", "effusion": "{s} pleural effusion",
    "pneumothorax": "{s} pneumothorax", "collapse": "{s} lower lobe collapse",
    "oedema": "pulmonary oedema", "nodule": "{s} upper zone opacity",
}
NORMAL_IMPR = ["No acute cardiopulmonary abnormality.", "Normal chest radiograph.", "No acute disease.",
               "No active disease in the chest.", "Heart and lungs normal.",
               "No acute intrathoracic abnormality."]
BARE_IMPR = ["No acute disease.", "No acute abnormality.", "Nil acute.", "No acute findings."]
BACKGROUND = {
    "heart": ["Heart size is normal.", "The cardiomediastinal contour is within normal limits.",
              "Normal cardiac size and mediastinal contour."],
    "lungs": ["The lungs are clear.", "Lungs are clear.", "No focal lung abnormality."],
    "pleura": ["No pleural effusion.", "Costophrenic angles are sharp."],
    "ptx": ["No pneumothorax."],
    "bones": ["No acute bony abnormality.", "Bones and soft tissues are unremarkable."],
}
EXAMS = ["XR CHEST PA", "CHEST X-RAY, PA AND LATERAL", "CXR (AP, portable)", "Chest radiograph, PA erect",
         "XR Chest 1 view"]
F_HEAD = ["FINDINGS:", "Findings:", "FINDINGS"]
I_HEAD = ["IMPRESSION:", "Impression:", "IMPRESSION", "CONCLUSION:", "Conclusion:"]
SIDE_RE = re.compile(r"\b(right|left)\b", re.I)
OPP = {"right": "left", "left": "right"}


def side_words(text):
    return {m.group(1).lower() for m in SIDE_RE.finditer(text)}


def fill(t, side, n):
    t = t.replace("{S}", side.capitalize()).replace("{s}", side).replace("{n}", str(n))
    return re.sub(r"\b([Aa]) (8|11|18) mm", lambda m: m.group(1) + "n " + m.group(2) + " mm", t)


def cap(t):
    return t[:1].upper() + t[1:]


class Case:
    """A composed case: findings/impression sentence lists plus quoted lines (others' words)."""

    def __init__(self, rng):
        self.rng = rng
        self.abn = []          # (key, side, n, ftext, itext)
        self.findings = []     # radiologist's own sentences
        self.impression = []
        self.request = ""
        self.comparison = ""
        self.correlation = ""
        self.comms = ""
        self.query = None      # (key, side, positive)
        self.style = rng.choice(["request", "prior", "correlation", "comms"])

    def build(self, n_sig, n_non, query_positive=None, need_sided=False, query_neg_key=None):
        rng = self.rng
        keys = []
        pool_sig = [k for k in SIG_KEYS if not need_sided or BANK[k]["sided"]]
        for _ in range(n_sig):
            cands = [k for k in pool_sig if k not in keys and not any(k in e and keys and set(keys) & e
                                                                       for e in EXCLUSIVE)]
            keys.append(rng.choice(cands))
        for _ in range(n_non):
            cands = [k for k in NONSIG_KEYS if k not in keys and not any(k in e and set(keys) & e
                                                                          for e in EXCLUSIVE)]
            keys.append(rng.choice(cands))
        for k in keys:
            b = BANK[k]
            side = rng.choice(["right", "left"]) if b["sided"] else ""
            n = rng.choice([7, 8, 9, 11, 12, 14, 16, 18, 22, 25])
            self.abn.append([k, side, n, fill(rng.choice(b["F"]), side, n), fill(rng.choice(b["I"]), side, n)])
        # query: confirm a present finding or ask about an absent one
        present = {a[0] for a in self.abn}
        if query_neg_key is not None:
            qk = query_neg_key
        else:
            qk = rng.choice(list(QUERY))
        if query_positive and self.abn and self.abn[0][0] in QUERY:
            a = self.abn[0]
            self.query = (a[0], a[1] or rng.choice(["right", "left"]), True)
        elif qk not in present and not (qk == "effusion" and "small_effusion" in present):
            self.query = (qk, rng.choice(["right", "left"]), False)
        else:
            self.query = None
        # findings text
        f = [a[3] for a in self.abn]
        lung = present & {"consolidation", "collapse", "nodule", "oedema", "atelectasis", "granuloma"}
        heart = "cardiomegaly" in present
        eff = present & {"effusion", "small_effusion"}
        bg = []
        bg.append(BANK["cardiomegaly"]["F"][0] if False else (None if heart else rng.choice(BACKGROUND["heart"])))
        bg.append(None if lung else rng.choice(BACKGROUND["lungs"]))
        bg.append(None if eff else rng.choice(BACKGROUND["pleura"]))
        bg.append(None if "pneumothorax" in present else rng.choice(BACKGROUND["ptx"]))
        bg.append(None if "ribs" in present else rng.choice(BACKGROUND["bones"]))
        bg = [x for x in bg if x]
        if self.query and not self.query[2]:
            # an explicit negative for the queried finding, unless a background sentence already says it
            neg = rng.choice(BANK[self.query[0]]["neg"])
            drop = {"effusion": BACKGROUND["pleura"], "pneumothorax": BACKGROUND["ptx"]}.get(self.query[0], [])
            bg = [x for x in bg if x not in drop]
            if neg not in bg:
                bg.insert(0 if rng.random() < .5 else len(bg), neg)
        self.findings = f + bg if rng.random() < .7 else bg[:1] + f + bg[1:]
        # impression
        imp = []
        for a in self.abn:
            b = BANK[a[0]]
            if b["sig"] or rng.random() < .85:
                imp.append(a[4])
        if not imp:
            imp.append(rng.choice(NORMAL_IMPR))
        if self.query:
            qk, qs, pos = self.query
            if not pos:
                ans = fill(rng.choice(QUERY_NEG_ANSWER[qk]), qs, 0)
                imp.insert(0 if rng.random() < .6 else len(imp), ans)
            elif rng.random() < .5:
                imp.append("This accounts for the clinical findings.")
        self.impression = imp
        self._quoted()
        return self

    def _quoted(self):
        rng = self.rng
        present = {a[0] for a in self.abn}
        if self.query:
            qk, qs, pos = self.query
            q = fill(rng.choice(QUERY[qk]), qs, 0)
            self.q_text = q
        else:
            q = rng.choice(["chest pain", "SOB", "pre-op assessment", "fall, ?injury", "cough for 3 weeks"])
        side_pain = rng.choice(["right", "left"])
        self.request = rng.choice([
            f'Clinical details (from request form): "{q}"',
            f"Clinical history: Referrer reports {side_pain}-sided chest pain; {q}.",
            f"History per the ED physician: {q}.",
            f'Indication: "{q}" (Dr ___, ward ___)',
            f"Ward reports: {q}.",
        ])
        # previous report quoted
        prior_keys = [k for k in PRIOR_DESC if k not in present and k not in
                      ("effusion" if "small_effusion" in present else "",)]
        pk = rng.choice(prior_keys)
        ps = rng.choice(["right", "left"])
        pdesc = fill(PRIOR_DESC[pk], ps, 0)
        self.prior = None
        if self.style == "prior" or rng.random() < .3:
            self.comparison = rng.choice([
                f"Comparison: ___. The previous report described {pdesc}.",
                f'Comparison: radiograph of ___, reported as "{cap(pdesc)}."',
                f"Comparison: previous film ___ (report: {pdesc}).",
            ])
            if pk in ("nodule",):
                self.findings.append(f"The {pdesc} reported previously is not seen on this film.")
            else:
                self.findings.insert(0, rng.choice([
                    f"The {pdesc} described on the previous report has resolved.",
                    f"Interval resolution of the previously reported {pdesc}.",
                ]))
                if rng.random() < .5:
                    self.impression.append(f"Resolution of the previously reported {pdesc}.")
            self.prior = pk
        else:
            self.comparison = rng.choice(["Comparison: none.", "Comparison: ___", "No previous imaging."])
        if self.style == "correlation":
            cs = rng.choice(["right", "left"])
            self.correlation = rng.choice([
                f"CT of 12/3 showed a 4 mm {cs} upper lobe nodule, below radiographic resolution and not "
                f"visible today.",
                f"Ultrasound ({'___'}) per the respiratory team showed a small {cs} effusion; not appreciable "
                f"radiographically.",
                "MDT outcome relayed by the respiratory team: for surveillance imaging; this film is for that "
                "purpose.",
                f"Per the ED physician, a {cs} rib fracture was suspected clinically; none is identified.",
            ])
            if ("effusion" in present or "small_effusion" in present) and "effusion" in self.correlation:
                self.correlation = "MDT outcome relayed by the respiratory team: for surveillance imaging."
            if "nodule" in present and "nodule" in self.correlation:
                self.correlation = "Correlation with the CT of 12/3 (external report) is advised."
            if "ribs" in present and "rib" in self.correlation:
                self.correlation = "Correlation with the CT of 12/3 (external report) is advised."
        if self.style == "comms" or rng.random() < .2:
            if self.query and not self.query[2]:
                what = self.q_text
                self.comms = rng.choice([
                    f"Dr ___ (ED) phoned with concern about {what}; the images were reviewed together.",
                    f'Verbal query from a colleague ("{what}") answered: see impression.',
                ])
            else:
                self.comms = rng.choice([
                    "Report discussed by telephone with Dr ___ at ___.",
                    "Clinician's concern relayed by phone from the ward; the report was read back.",
                    "Verbal query from the ward answered at ___.",
                ])

    def render(self, drop=None):
        rng = self.rng
        out = [rng.choice(EXAMS), self.request, self.comparison, ""]
        fh = rng.choice(F_HEAD)
        ih = rng.choice(I_HEAD)
        para = rng.random() < .5
        if drop != "findings_absent":
            out.append(fh)
            if drop != "findings_empty":
                out.append(" ".join(self.findings) if para else "\n".join(self.findings))
            out.append("")
        if self.correlation:
            out += ["CORRELATION:", self.correlation, ""]
        if drop != "impression_absent":
            out.append(ih)
            if drop != "impression_empty":
                if len(self.impression) > 1 and rng.random() < .5:
                    out.append("\n".join(f"{i}. {t}" for i, t in enumerate(self.impression, 1)))
                else:
                    out.append(" ".join(self.impression))
            out.append("")
        if self.comms:
            out += ["COMMUNICATION:", self.comms, ""]
        out.append(rng.choice(["Reported by: Dr ___, Consultant Radiologist", "Electronically signed: ___",
                               "Dictated ___ / typed ___"]))
        return "\n".join(x for x in out if x is not None).strip() + "\n"


def words_in(pattern, text):
    return re.search(pattern, text, re.I) is not None


def compose(rng, kind, variant=None):
    """Return (report, detail) or None when this draw does not fit (caller redraws)."""
    if kind is None:
        c = Case(rng).build(rng.choice([0, 0, 1, 1, 2]) if True else 0, rng.choice([0, 1, 1, 2]),
                            query_positive=rng.random() < .3)
        # clean checks: every significant finding named in the impression
        imp = " ".join(c.impression)
        for a in c.abn:
            if BANK[a[0]]["sig"] and not words_in(BANK[a[0]]["words"], imp):
                return None
        return c.render(), "unmodified (composed)"
    if kind == "missing_section":
        c = Case(rng).build(rng.choice([0, 1]), rng.choice([0, 1]))
        mode = rng.choice(["impression_absent", "impression_empty", "findings_empty", "impression_absent",
                           "findings_absent"])
        if "see impression" in c.comms:
            c.comms = "Report discussed by telephone with Dr ___ at ___."
        if mode == "findings_absent":
            c.abn = []
            c.query = None
            c.impression = [rng.choice(BARE_IMPR)]
            c.correlation = ""
        return c.render(drop=mode), f"{mode.replace('_', ' ')}"
    if kind == "laterality_conflict":
        c = Case(rng).build(1, rng.choice([0, 1]), need_sided=True, query_positive=rng.random() < .4)
        a = c.abn[0]
        k, side = a[0], a[1]
        new = OPP[side]
        where = rng.choice(["impression", "findings"])
        if where == "impression":
            old = a[4]
            repl = fill(rng.choice(BANK[k]["I"]), new, a[2])
            c.impression[c.impression.index(old)] = repl
            if c.query and c.query[2] and rng.random() < .6:
                c.query = (c.query[0], new, True)   # request form named the wrong side, taken over
                c._quoted_side_fix(new)
        else:
            old = a[3]
            repl = fill(rng.choice(BANK[k]["F"]), new, a[2])
            c.findings[c.findings.index(old)] = repl
        if new not in side_words(repl) or side in side_words(repl):
            return None
        return c.render(), f"{k}: {side} in the {'findings' if where == 'impression' else 'impression'}, " \
                           f"{new} in the {where} ('{repl}')"
    if kind == "negation_conflict":
        if rng.random() < .5:
            # findings affirm, impression denies (normal macro pasted over one line)
            c = Case(rng).build(1, rng.choice([0, 1]))
            a = c.abn[0]
            negs = BANK[a[0]]["inj_neg"]
            neg = rng.choice(negs)
            c.impression = [x for x in c.impression if x != a[4]]
            c.impression = [x for x in c.impression if x not in NORMAL_IMPR]
            c.impression.insert(rng.randrange(len(c.impression) + 1), neg)
            if rng.random() < .4:
                c.impression.append(rng.choice(["No other acute abnormality.", "Otherwise normal."]))
            return c.render(), f"findings affirm {a[0]} ('{a[3]}'); impression says '{neg}'"
        # findings deny, impression affirms the finding named in the request (taken over from the query)
        qk = rng.choice(list(QUERY))
        c = Case(rng).build(0, rng.choice([0, 1]), query_neg_key=qk)
        if c.query is None or c.query[0] != qk:
            return None
        qs = c.query[1]
        aff = fill(rng.choice(BANK[qk]["I"]), qs, rng.choice([9, 12, 15]))
        aff = aff if ";" in aff else aff.rstrip(".") + rng.choice([", as queried.", " as clinically suspected.", "."])
        c.impression = [x for x in c.impression if not any(x == fill(t, qs, 0) for t in QUERY_NEG_ANSWER[qk])]
        c.impression = [x for x in c.impression if x not in NORMAL_IMPR]
        c.impression.insert(0, aff)
        fneg = [x for x in c.findings if x in BANK[qk]["neg"] or x in BACKGROUND["lungs"] + BACKGROUND["pleura"]
                + BACKGROUND["ptx"]]
        if not any(words_in(BANK[qk]["words"], x) or x in BACKGROUND["lungs"] for x in fneg):
            return None
        c.comms = c.comms if "see impression" not in c.comms else ""
        return c.render(), f"findings rule out {qk} ('{fneg[0]}'); impression affirms it: '{aff}'"
    if kind == "impression_omits_finding":
        normal = variant if variant is not None else rng.random() < .5
        c = Case(rng).build(1, 0 if normal else 1)
        a = c.abn[0]
        if normal:
            c.impression = [x for x in c.impression if x != a[4]]
            c.impression = [x for x in c.impression if not x.startswith("This accounts")]
            c.impression.insert(0, rng.choice(NORMAL_IMPR))
        else:
            c.impression = [x for x in c.impression if x != a[4] and not x.startswith("This accounts")]
            other = c.abn[1]
            if other[4] not in c.impression:
                c.impression.append(other[4])
        if c.query and c.query[2]:
            return None
        imp = " ".join(c.impression)
        if words_in(BANK[a[0]]["words"], imp) or (c.comms and words_in(BANK[a[0]]["words"], c.comms)):
            return None
        return c.render(), f"findings: '{a[3]}'; impression ({'normal' if normal else 'other findings'}) " \
                           f"leaves out {a[0]}"
    if kind == "placeholder":
        c = Case(rng).build(rng.choice([0, 1, 1]), rng.choice([0, 1]))
        return placeholder_in(rng, c)
    raise ValueError(kind)


def _quoted_side_fix(self, new):
    """Rewrite the request line so that it names the side taken over into the impression."""
    self.request = re.sub(r"\b(right|left)\b", new, self.request, count=1) if SIDE_RE.search(self.request) \
        else self.request + f" ({new})"


Case._quoted_side_fix = _quoted_side_fix

PH_SIDE = ["[LEFT/RIGHT]", "[side]", "***", "[R/L]"]
PH_SIZE = ["___", "XX", "[size]", "**"]
PH_WORD = ["[***]", "<insert finding>", "[ ]", "[normal/abnormal]"]


def placeholder_in(rng, c):
    """Put one unfilled template field where a side, a size, a grade or a finding word belongs."""
    sections = [("findings", c.findings), ("impression", c.impression)]
    rng.shuffle(sections)
    for name, sents in sections:
        idx = list(range(len(sents)))
        rng.shuffle(idx)
        for i in idx:
            s = sents[i]
            if "previous" in s or "query" in s.lower() or "?" in s:
                continue
            m = re.search(r"\b(\d+) mm\b", s)
            if m:
                ph = rng.choice(PH_SIZE)
                sents[i] = s[:m.start(1)] + ph + s[m.end(1):]
                return c.render(), f"size blank '{ph} mm' in {name}: '{sents[i]}'"
            m = SIDE_RE.search(s)
            if m:
                ph = rng.choice(PH_SIDE)
                sents[i] = s[:m.start()] + ph + s[m.end():]
                return c.render(), f"side blank '{ph}' in {name}: '{sents[i]}'"
            m = re.search(r"\b(Moderate|moderate|Small|small|Trace|normal|clear|unremarkable|sharp)\b(?! limits)", s)
            if m:
                ph = rng.choice(PH_WORD if m.group(1).lower() not in ("moderate", "small", "trace")
                                else ["[mild/moderate/severe]", "[grade]", "[***]"])
                sents[i] = s[:m.start()] + ph + s[m.end():]
                return c.render(), f"template field '{ph}' for '{m.group(1)}' in {name}: '{sents[i]}'"
    return None


# ---------------------------------------------------------------- IU Open-i reports
IU_REWORD = [
    (r"\bThere is no\b", "No"), (r"\bThere are no\b", "No"),
    (r"cardiomediastinal silhouette", "cardiomediastinal contour"),
    (r"\bare within normal limits\b", "are normal"), (r"\bis within normal limits\b", "is normal"),
    (r"\bchest x-XXXX\b", "chest radiograph"), (r"\bNo acute cardiopulmonary disease\b",
                                                "No acute cardiopulmonary disease identified"),
    (r"\bThe lungs are clear\b", "Lungs clear"), (r"\bbony structures\b", "bones"),
]
SIG_IU = r"pneumothora|consolidat|airspace disease|air space disease|edema|effusion|mass\b|infiltrat|" \
         r"pneumonia|widen|collapse|congest|opacit"
NEG_IU = r"\b(no|not|without|negative|resolved|clear|free|normal)\b"
FAMILIES = [r"effusion|pleural", r"opacit|airspace|consolidat|pneumonia|infiltrat|disease",
            r"atelecta|scar|subsegmental", r"pneumothora", r"nodul|granulom|mass|calcif", r"fractur|rib",
            r"hemidiaphragm|diaphragm", r"lobe|base|basilar|lung|apex|apical"]


def iu_reports(shared):
    tgz = Path(shared) / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    dev = Path(shared) / "eval" / "report_errors_dev.jsonl"
    dev_uids = {json.loads(ln)["uid"] for ln in open(dev) if ln.strip()}
    out = []
    with tarfile.open(tgz) as t:
        for m in sorted(t.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(t.extractfile(m).read())
            uid = root.find("uId").get("id")
            if uid in dev_uids:
                continue
            s = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            if len(s.get("FINDINGS", "")) < 30 or len(s.get("IMPRESSION", "")) < 8:
                continue
            if re.search(r"\[|\]|<|>|___|\*\*", " ".join(s.values())):
                continue
            out.append(dict(uid=uid, ind=s.get("INDICATION", ""), comp=s.get("COMPARISON", ""),
                            f=s["FINDINGS"], i=s["IMPRESSION"]))
    return out, dev_uids


def sents(t):
    return [x for x in re.split(r"(?<=[.;])\s+", t.strip()) if x]


def reword(t):
    for a, b in IU_REWORD:
        t = re.sub(a, b, t)
    return t


def affirmed_sig(text):
    return [s for s in sents(text) if re.search(SIG_IU, s, re.I) and not re.search(NEG_IU, s, re.I)]


def iu_render(rng, r, f, i, drop=None):
    ind = r["ind"].rstrip(".;") or "not stated"
    lines = [rng.choice(["CHEST, PA AND LATERAL", "XR CHEST 2 VIEWS", "Chest radiographs"])]
    lines.append(rng.choice([f'Referring clinician\'s words: "{ind}"', f"Clinical details as supplied: {ind}.",
                             f'Request reads: "{ind}"', f"History (per requesting physician): {ind}."]))
    comp = r["comp"].rstrip(".") or "None"
    lines.append(rng.choice([f"Comparison: {comp}.", f"Prior study quoted by the requester: {comp}.",
                             f"Previous imaging: {comp}."]))
    lines.append("")
    if drop != "findings_absent":
        lines.append(rng.choice(F_HEAD))
        if drop != "findings_empty":
            lines.append(f)
        lines.append("")
    if drop != "impression_absent":
        lines.append(rng.choice(I_HEAD[:3]))
        if drop != "impression_empty":
            lines.append(i)
        lines.append("")
    if rng.random() < .35:
        lines += ["COMMUNICATION:", rng.choice(["No urgent findings; no verbal report given.",
                                                "Requesting team's question addressed above.",
                                                "Discussed with the ward nurse by phone at XXXX."]), ""]
    lines.append(rng.choice(["Signed: XXXX, MD", "Electronically signed by XXXX"]))
    return "\n".join(lines).strip() + "\n"


def iu_case(rng, r, kind, variant=None):
    f, i = reword(r["f"]), reword(r["i"])
    if kind is None:
        if affirmed_sig(f) or affirmed_sig(i):  # keep clean labels safe: only reports without them
            return None
        return iu_render(rng, r, f, i), f"unmodified IU {r['uid']}"
    if kind == "missing_section":
        mode = rng.choice(["impression_absent", "impression_empty", "findings_empty"])
        return iu_render(rng, r, f, i, drop=mode), f"IU {r['uid']}: {mode.replace('_', ' ')}"
    if kind == "laterality_conflict":
        fs, is_ = sents(f), sents(i)
        for a, sf in enumerate(fs):
            sw = side_words(sf)
            if len(sw) != 1:
                continue
            for b, si in enumerate(is_):
                if side_words(si) != sw:
                    continue
                if not any(re.search(fam, sf, re.I) and re.search(fam, si, re.I) for fam in FAMILIES[:7]):
                    continue
                if rng.random() < .5:
                    new = SIDE_RE.sub(lambda m: _flip(m.group(0)), si)
                    is_[b] = new
                    return (iu_render(rng, r, f, " ".join(is_)),
                            f"IU {r['uid']}: impression flipped to '{new}' vs findings '{sf}'")
                new = SIDE_RE.sub(lambda m: _flip(m.group(0)), sf)
                fs[a] = new
                return (iu_render(rng, r, " ".join(fs), i),
                        f"IU {r['uid']}: findings flipped to '{new}' vs impression '{si}'")
        return None
    if kind == "negation_conflict":
        if affirmed_sig(f):
            return None
        opts = []
        for key, term in (("pneumothorax", r"pneumothora"), ("effusion", r"effusion"),
                          ("consolidation", r"consolidation|airspace disease|lungs? (are )?clear|clear lungs")):
            for x in sents(f):
                if re.search(term, x, re.I) and re.search(r"\b(no|without|clear)\b", x, re.I) and not \
                        re.search(r"large|significant|substantial|siz|gross|definite|except|but|howev", x, re.I):
                    opts.append(key)
                    break
        if not opts:
            return None
        k = rng.choice(opts)
        s = rng.choice(["right", "left"])
        aff = fill(rng.choice(BANK[k]["I"]), s, 0)
        aff = aff if ";" in aff or rng.random() < .6 else aff.rstrip(".") + ", as suspected clinically."
        new_i = aff if rng.random() < .6 else aff + " " + rng.choice(["Otherwise no acute abnormality.",
                                                                      "No other acute findings."])
        return iu_render(rng, r, f, new_i), f"IU {r['uid']}: findings rule out {k}; impression: '{aff}'"
    if kind == "impression_omits_finding":
        if affirmed_sig(f) or affirmed_sig(i):
            return None
        normal = variant if variant is not None else rng.random() < .5
        is_normal = all(re.search(NEG_IU + r"|no acute|no active|negative", x, re.I)
                        for x in sents(i) if re.search(r"[a-z]{3}", x, re.I))
        if normal != is_normal:
            return None
        k = rng.choice(["effusion", "consolidation", "pneumothorax", "nodule", "collapse", "oedema"])
        b = BANK[k]
        s = rng.choice(["right", "left"])
        add = fill(rng.choice(b["F"]), s, rng.choice([9, 12, 17])).replace("oedema", "edema")
        kept = [x for x in sents(f) if not words_in(b["words"], x) and not re.search(r"lungs? (are )?clear|"
                                                                                       r"clear lungs", x, re.I)]
        if words_in(b["words"], i) or words_in(b["words"], r["ind"]) and False:
            return None
        kept.insert(rng.randrange(len(kept) + 1), add)
        return (iu_render(rng, r, " ".join(kept), i),
                f"IU {r['uid']}: findings now say '{add}'; impression ({'normal' if normal else 'other'}) "
                f"leaves out {k}")
    if kind == "placeholder":
        if affirmed_sig(f) or affirmed_sig(i):  # the blank must be the only error
            return None
        fs = sents(f)
        idx = list(range(len(fs)))
        rng.shuffle(idx)
        for j in idx:
            s = fs[j]
            m = SIDE_RE.search(s) or re.search(r"\b(normal|clear|unremarkable|mild|small)\b(?! limits)", s)
            if not m:
                continue
            ph = rng.choice(PH_SIDE if SIDE_RE.fullmatch(m.group(0)) else PH_WORD)
            fs[j] = s[:m.start()] + ph + s[m.end():]
            return iu_render(rng, r, " ".join(fs), i), f"IU {r['uid']}: '{m.group(0)}' -> '{ph}' in '{fs[j]}'"
        return None
    raise ValueError(kind)


def _flip(w):
    o = OPP[w.lower()]
    return o.upper() if w.isupper() else o.capitalize() if w[0].isupper() else o


# ---------------------------------------------------------------- checks and driver
def check(kind, report, detail):
    """Verify that the error is really present (or absent, for clean reports)."""
    low = report.lower()
    placeholders = re.search(r"\[[^\]]*\]|<insert|\*\*|\bXX\b|___ mm", report)
    if kind != "placeholder" and placeholders:
        return False
    if kind == "placeholder":
        return bool(placeholders)
    has_f = re.search(r"^(findings)\b", low, re.M)
    has_i = re.search(r"^(impression|conclusion)\b", low, re.M)
    if kind == "missing_section":
        if "findings absent" in detail:
            return not has_f and has_i
        if "impression absent" in detail:
            return has_f and not has_i
        head = "findings" if "findings empty" in detail else r"(impression|conclusion)"
        return re.search(rf"^{head}:?\n(\n|$)", low, re.M | re.I) is not None
    if not (has_f and has_i):
        return False
    fpart = low[has_f.end():has_i.start()]
    ipart = low[has_i.end():].split("communication:")[0]
    if kind == "laterality_conflict":
        m = re.search(r"\('(.+)'\)$", detail) or re.search(r"flipped to '(.+?)' vs", detail)
        return bool(side_words(fpart)) and bool(side_words(ipart)) and m.group(1).lower() in low
    if kind == "impression_omits_finding":
        key = re.search(r"leaves out (\w+)", detail).group(1)
        add = re.search(r"findings(?: now say)?: '([^']+)'", detail) or re.search(r"now say '([^']+)'", detail)
        return add.group(1).lower() in fpart and not words_in(BANK[key]["words"], ipart)
    return True


def shared_dir():
    d = os.environ.get("MEDRAG_SHARED_DIR") or str(Path(__file__).resolve().parents[1].parent / "shared")
    if not (Path(d) / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        sys.stderr.write(f"shared data not found in {d!r}: set MEDRAG_SHARED_DIR to the shared folder\n")
        sys.exit(2)
    return d


def generate(seed, shared):
    rng = random.Random(seed)
    iu, _ = iu_reports(shared)
    rng.shuffle(iu)
    used = set()
    rows = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        for j in range(n):
            composed = j % 2 == 0
            variant = (j // 2) % 2 == 0   # omission: normal impression for half, other findings for half
            for _ in range(5000):
                if composed:
                    res = compose(rng, kind, variant)
                else:
                    r = iu[rng.randrange(len(iu))]
                    if r["uid"] in used:
                        continue
                    res = iu_case(rng, r, kind, variant)
                    if res:
                        used.add(r["uid"])
                if res and check(kind, *res):
                    break
                if res and not composed:
                    used.discard(r["uid"])
            else:
                raise RuntimeError(f"could not build {kind}")
            report, detail = res
            if "XXXX" in report and composed:
                raise RuntimeError("composed report uses XXXX")
            h = hashlib.sha256(f"{seed}|{len(rows)}|{report}".encode()).hexdigest()[:16]
            rows.append({"id": f"h26-{h}", "injected": kind, "detail": detail, "report": report})
    rng.shuffle(rows)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = generate(a.seed, shared_dir())
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    for kind in [None] + KINDS:
        for r in [r for r in rows if r["injected"] == kind][:a.show]:
            print(f"===== {kind} | {r['detail']}\n{r['report']}")


if __name__ == "__main__":
    main()
