"""Held-out report-error set 47: everyday UK, Irish, Australian and New Zealand chest-film reports.

Written blind: without reading the checker, its tests, its docs or any other held-out generator. Only the
scorer's format, the IU (Open-i) archive and the `uid` field of the dev set (to exclude those reports) were used.

Styles: the ordinary district-hospital and GP direct-access mix -- British spelling, "Clinical details:" /
"Report:" / "Findings:" with "Conclusion:" / "Comment:" / "Opinion:" / "Impression:", short consultant and
reporting-radiographer reports, GP referral questions answered ("?CA", "?infection"), "No acute abnormality",
"Further imaging advised", follow-up films after pneumonia, sign-off lines. Half of every group is composed from
a phrase bank; half are real IU reports (dev uids excluded) re-laid-out in these styles with British spelling
(Open-i's `XXXX` de-identification mask is kept). Errors are slips: a side flipped while dictating, a template
field left unfilled, a normal macro pasted over the conclusion, a conclusion or body left empty.

usage: python -m bench.make_heldout47 OUT.jsonl --seed S [--show N]
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
REPO = Path(__file__).resolve().parents[1]

# ----------------------------------------------------------------------------------------------- phrase bank
# Each finding: key, concept (one per case), significant per spec, sided, F/I templates, impression synonyms.
ZONES = ["lower zone", "mid zone", "upper zone"]
FINDINGS = {
    "consolidation": dict(
        concept="lung", sig=True, sided=True,
        F=["There is consolidation in the {s} {z}.",
           "Patchy airspace opacification in the {s} {z}, in keeping with consolidation.",
           "Focal consolidation is present in the {s} {z} with air bronchograms.",
           "Ill-defined airspace shadowing in the {s} {z}, likely infective consolidation.",
           "New area of consolidation in the {s} {z}."],
        I=["{S} {z} consolidation, in keeping with infection.",
           "{S} {z} consolidation, likely pneumonia in this clinical setting. Suggest repeat film in 6 weeks "
           "after treatment to confirm resolution.",
           "Consolidation in the {s} {z}, consistent with infection.",
           "Appearances in keeping with {s} {z} pneumonia."],
        syn=["consolid", "pneumoni", "infect", "airspace", "air space", "opacif", "shadowing", "clear", "lung"]),
    "effusion_large": dict(
        concept="pleura", sig=True, sided=True,
        F=["{G} {s} pleural effusion.", "There is a {g} {s} pleural effusion.",
           "{G} {s} pleural effusion with some mediastinal shift to the {o}.",
           "There is a {g}-sized {s} pleural effusion with associated basal atelectasis."],
        I=["{G} {s} pleural effusion.", "{G} {s} pleural effusion. Ultrasound advised if aspiration is considered.",
           "{S} pleural effusion ({g})."],
        syn=["effusion", "fluid", "pleura", "costophrenic", "blunt"]),
    "effusion_small": dict(
        concept="pleura", sig=False, sided=True,
        F=["Small {s} pleural effusion.", "Blunting of the {s} costophrenic angle, likely a small effusion.",
           "Small amount of fluid at the {s} costophrenic angle."],
        I=["Small {s} pleural effusion.", "Small {s} effusion."],
        syn=["effusion", "fluid", "pleura", "costophrenic", "blunt"]),
    "pneumothorax": dict(
        concept="ptx", sig=True, sided=True,
        F=["There is a {s} apical pneumothorax with a {n} cm rim at the apex.",
           "{S} pneumothorax, with the lung edge {n} cm from the chest wall at the level of the hilum.",
           "Small {s} apical pneumothorax."],
        I=["{S} pneumothorax.", "{S} apical pneumothorax. Referring team informed by telephone at time of reporting.",
           "{S} pneumothorax - result phoned to the ward."],
        syn=["pneumothora", "lung edge", "air"]),
    "nodule": dict(
        concept="lung", sig=True, sided=True,
        F=["There is a {n} mm nodule projected over the {s} {z}.",
           "A {n} mm rounded opacity is seen in the {s} {z}.",
           "{n} mm well-defined nodular opacity in the {s} {z}, not present on the previous film."],
        I=["{S} {z} nodule. CT chest recommended.", "{n} mm {s} {z} nodule; further imaging with CT is advised.",
           "Indeterminate {s} {z} nodule - CT thorax suggested."],
        syn=["nodul", "opacit", "lesion", "mass", "ct ", "ct.", "further imaging", "malignan", "lung"]),
    "mass": dict(
        concept="lung", sig=True, sided=True,
        F=["There is a {n} cm mass in the {s} {z}.", "Lobulated {n} cm soft tissue mass in the {s} {z}.",
           "Large ill-defined mass in the {s} {z}, approximately {n} cm."],
        I=["{S} {z} mass, suspicious for malignancy. Urgent CT chest advised.",
           "Mass in the {s} lung, likely primary bronchial neoplasm. Urgent CT and referral to the lung cancer "
           "pathway recommended."],
        syn=["mass", "lesion", "malignan", "neoplas", "cancer", "tumour", "ct ", "ct.", "lung", "opacit"]),
    "oedema": dict(
        concept="lung", sig=True, sided=False,
        F=["Upper lobe venous diversion with bilateral perihilar haziness and septal lines, in keeping with "
           "interstitial pulmonary oedema.",
           "Bilateral perihilar airspace shadowing with Kerley B lines, consistent with pulmonary oedema.",
           "Upper lobe blood diversion and septal lines in keeping with fluid overload."],
        I=["Pulmonary oedema.", "Appearances in keeping with left ventricular failure.",
           "Features of cardiac failure with interstitial oedema."],
        syn=["oedema", "edema", "failure", "lvf", "fluid", "overload", "congest", "venous", "lung"]),
    "collapse": dict(
        concept="lung", sig=True, sided=True,
        F=["There is collapse of the {s} lower lobe, with loss of the medial {s} hemidiaphragm outline.",
           "Volume loss and increased density at the {s} base, in keeping with {s} lower lobe collapse."],
        I=["{S} lower lobe collapse.",
           "{S} lower lobe collapse. If this does not resolve, CT or bronchoscopy should be considered."],
        syn=["collapse", "volume loss", "atelecta", "lobe", "lung"]),
    "mediastinum": dict(
        concept="mediastinum", sig=True, sided=False,
        F=["The mediastinum is widened, measuring {n} cm at the level of the aortic knuckle.",
           "Widened superior mediastinum, measuring {n} cm."],
        I=["Widened mediastinum. CT aorta advised if there is clinical concern for dissection.",
           "Mediastinal widening - further assessment with CT is recommended."],
        syn=["mediastin", "aort", "ct ", "widen"]),
    "cardiomegaly": dict(
        concept="heart", sig=False, sided=False,
        F=["The heart is enlarged.", "Cardiomegaly, CTR approximately 0.6.", "The heart is mildly enlarged."],
        I=["Cardiomegaly.", "Mild cardiomegaly.", "Enlarged heart."],
        syn=["cardiomegal", "heart", "cardiac"]),
    "copd": dict(
        concept="volumes", sig=False, sided=False,
        F=["The lungs are hyperexpanded with flattened hemidiaphragms.", "Hyperinflated lungs."],
        I=["Hyperexpanded lungs in keeping with COPD.", "Changes of chronic obstructive airways disease."],
        syn=["hyperexpan", "hyperinfl", "copd", "obstructive"]),
    "atelectasis": dict(
        concept="band", sig=False, sided=True,
        F=["Linear atelectasis at the {s} base.", "Minor band atelectasis in the {s} lower zone."],
        I=["Minor {s} basal atelectasis."], syn=["atelecta"]),
    "granuloma": dict(
        concept="gran", sig=False, sided=True, minor=True,
        F=["Small calcified granuloma in the {s} mid zone.", "Calcified granuloma in the {s} upper zone."],
        I=["Incidental calcified granuloma."], syn=["granulom"]),
    "spine": dict(
        concept="bones", sig=False, sided=False, minor=True,
        F=["Degenerative changes in the thoracic spine.", "Degenerative change at both shoulder joints."],
        I=["Incidental degenerative change."], syn=["degenerat"]),
    "aorta": dict(
        concept="aorta", sig=False, sided=False, minor=True,
        F=["Unfolded thoracic aorta.", "Calcification of the aortic knuckle."],
        I=["Unfolded aorta.", "Aortic calcification."], syn=["aort"], paired=True),
    "ribs": dict(
        concept="bones", sig=False, sided=True, minor=True,
        F=["Old healed fractures of the {s} 5th to 7th ribs.", "Healed {s} posterior rib fractures noted."],
        I=["Old {s} rib fractures."], syn=["rib", "fractur"]),
    "hiatus": dict(
        concept="hh", sig=False, sided=False, minor=True,
        F=["Small hiatus hernia projected behind the heart.", "Retrocardiac hiatus hernia."],
        I=["Incidental hiatus hernia.", "Hiatus hernia."], syn=["hiatus", "hernia"]),
    "device": dict(
        concept="device", sig=False, sided=False, minor=True,
        F=["Dual-chamber pacemaker in situ with leads in satisfactory position.",
           "Sternotomy wires from previous cardiac surgery."],
        I=["Pacemaker in satisfactory position.", "Previous sternotomy."], syn=["pacemaker", "sternotomy"],
        paired=True),
}
SIG_KEYS = [k for k, v in FINDINGS.items() if v["sig"]]
# Normal statements, by concept; the explicit ones (naming the finding) come first.
NORMALS = {
    "lung": ["The lungs are clear.", "Clear lungs.", "No focal consolidation.", "Lung fields are clear.",
             "No consolidation, collapse or mass lesion.", "Lungs are clear with no focal lesion."],
    "lung_other": ["The lungs are otherwise clear.", "Lungs otherwise clear.", "Remaining lung fields are clear."],
    "pleura": ["No pleural effusion.", "Costophrenic angles are clear.", "No effusion."],
    "ptx": ["No pneumothorax."],
    "pleura_ptx": ["No pleural effusion or pneumothorax.", "No pneumothorax or effusion."],
    "heart": ["Heart size is normal.", "The heart is not enlarged.", "Normal cardiac size.",
              "The cardiac silhouette is within normal limits.", "Heart size normal."],
    "heart_med": ["Heart and mediastinum are normal.", "Cardiomediastinal contours are normal.",
                  "Normal heart size and mediastinal contours.", "Cardiomediastinal silhouette within normal limits."],
    "mediastinum": ["Mediastinal contours are normal.", "Normal hila and mediastinum.", "Hila are unremarkable."],
    "bones": ["No acute bony abnormality.", "Visualised bones are unremarkable.", "No bony abnormality seen."],
}
TECH = ["", "", "", "Satisfactory inspiration.", "PA erect film, adequately inspired.", "Good inspiratory effort.",
        "Adequate, non-rotated film.", "Mobile AP film.", "Slightly rotated film."]
NORMAL_IMPS = ["No acute abnormality.", "No active disease.", "Normal chest radiograph.", "Normal chest X-ray.",
               "No significant abnormality detected.", "No acute cardiopulmonary abnormality.", "Normal study.",
               "Normal appearances.", "NAD."]
GP_ANSWER = {
    "ca": ["No radiographic evidence of malignancy. A normal chest X-ray does not exclude lung cancer; "
           "if symptoms persist, referral for CT should be considered.",
           "No suspicious lung lesion seen. Further imaging advised if clinical concern persists."],
    "inf": ["No evidence of consolidation.", "No radiographic features of infection."],
    "hf": ["No evidence of cardiac failure.", "No features of heart failure."],
}
HISTORIES = [
    ("Cough for 6 weeks, ex-smoker. ?CA", "ca"), ("Persistent cough > 3/52. Smoker 30 pack years.", "ca"),
    ("Haemoptysis x1. ?lung ca", "ca"), ("Weight loss and reduced appetite. Ex-smoker.", "ca"),
    ("Hoarse voice for 4 weeks.", "ca"), ("Raised platelets, fatigue.", "ca"),
    ("Chest infection not settling after 2 courses of antibiotics.", "inf"),
    ("Productive cough, pyrexial. ?LRTI", "inf"),
    ("?Pneumonia. CRP 140.", "inf"), ("Follow-up of pneumonia treated in the community.", "inf"),
    ("SOB on exertion, ankle swelling. ?heart failure", "hf"), ("Breathless, raised BNP.", "hf"),
    ("Pleuritic chest pain.", None), ("Fall, chest wall pain.", None), ("Pre-operative assessment.", None),
    ("Sepsis, ?source.", None), ("Increasing oxygen requirement.", None), ("Asthma, not settling.", None),
    ("COPD exacerbation.", None), ("Shortness of breath.", None), ("Post-op day 2, pyrexial.", None),
    ("Atrial fibrillation, breathless.", None), ("Chest pain, troponin negative.", None),
    ("Visa medical.", None), ("Rheumatoid arthritis, starting methotrexate.", None),
]
EXAMS = ["XR Chest PA", "CHEST X-RAY", "Chest radiograph (PA)", "XR CHEST", "Chest X-ray PA erect", "CXR",
         "Chest AP (mobile)", "X-ray chest"]
HIST_LABELS = ["Clinical details:", "Clinical information:", "Clinical history:", "Clinical indication:",
               "Clinical notes:", "History:"]
COMP = ["", "", "", "Comparison: none available.", "Comparison: {d}.", "Previous film: {d}.", "No previous imaging.",
        "Compared with the previous film of {d}."]
# (findings header, impression header, region)
LAYOUTS = [("Report:", "Conclusion:"), ("Findings:", "Conclusion:"), ("Findings:", "Comment:"),
           ("Report:", "Opinion:"), ("Findings:", "Impression:"), ("FINDINGS:", "CONCLUSION:"),
           ("Report:", "Comment:"), ("FINDINGS:", "IMPRESSION:"), ("Findings:", "Opinion:")]
SIGNOFF = ["Dr S. O'Brien, Consultant Radiologist", "Reported by: J. Patel, Reporting Radiographer",
           "Dr A. Ní Bhriain, Consultant Radiologist", "Dr M. Nguyen FRANZCR", "Dr T. Ngata, Radiologist",
           "Reported by Dr K. Walsh (Consultant Radiologist)", "C. Hughes, Advanced Practitioner Radiographer",
           "Dr R. Singh, Consultant Radiologist. Verified electronically.", "Dr E. McCarthy, Radiology Registrar",
           "Dr P. Fitzgerald FFRRCSI", "Reporting radiographer: L. Thompson", ""]
PLACEHOLDERS_RE = re.compile(r"\[\*\*\*\]|\*\*\*|__|\[[A-Za-z]+(?:/[A-Za-z]+)+\]|\[(?:side|size)\]|"
                             r"<[a-z ]*>|\bXX\b|\[ \]")


def cap(s):
    return s[:1].upper() + s[1:]


def rand_date(rng):
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2019, 2020, 2021, 2022, 2023])}"


# ----------------------------------------------------------------------------------------------- composed cases
class Inst:
    """One finding in a composed case: its key, side, zone, size and chosen templates."""

    def __init__(self, rng, key):
        spec = FINDINGS[key]
        self.key, self.spec = key, spec
        self.side = rng.choice(["right", "left"])
        self.z = rng.choice(ZONES)
        self.g = rng.choice(["moderate", "large"])
        self.n = {"nodule": rng.randint(8, 28), "mass": rng.randint(3, 7), "pneumothorax": rng.choice([1, 2, 3]),
                  "mediastinum": rng.choice([9, 10, 11])}.get(key, 0)
        self.fi = rng.randrange(len(spec["F"]))
        self.ii = self.fi if spec.get("paired") else rng.randrange(len(spec["I"]))
        self.f_side = self.i_side = self.side

    def fmt(self, t, side):
        other = "left" if side == "right" else "right"
        out = t.format(s=side, S=cap(side), o=other, z=self.z, g=self.g, G=cap(self.g), n=self.n)
        return re.sub(r"\b([Aa]) (8|11|18) ", r"\1n \2 ", out)

    def ftext(self):
        return self.fmt(self.spec["F"][self.fi], self.f_side)

    def itext(self):
        return self.fmt(self.spec["I"][self.ii], self.i_side)


def pick_findings(rng, n_sig, n_other, need_sig=None, avoid=()):
    insts, concepts = [], set(avoid)
    pool = [need_sig] if need_sig else []
    sig = [k for k in SIG_KEYS if k not in (need_sig, "mediastinum")]
    # ordinary proportions: infection and effusions common, collapse, masses and pneumothoraces rarer
    weight = {"consolidation": 5, "effusion_large": 3, "oedema": 3, "nodule": 2}
    sig.sort(key=lambda k: -rng.random() ** (1 / weight.get(k, 1)))
    pool += sig[:n_sig]
    other = [k for k in FINDINGS if not FINDINGS[k]["sig"]]
    rng.shuffle(other)
    pool += other[:n_other]
    for k in pool:
        c = FINDINGS[k]["concept"]
        if c in concepts:
            continue
        concepts.add(c)
        insts.append(Inst(rng, k))
    return insts


def normal_sentences(rng, insts, forced=None):
    """Normal statements for the concepts not involved; `forced` = {concept: sentence} overrides."""
    concepts = {i.spec["concept"] for i in insts}
    if concepts & {"band", "gran"}:
        concepts.add("lung")  # "lungs otherwise clear" beside atelectasis or a granuloma
    forced = forced or {}
    out = []
    if "lung" in forced:
        out.append(forced["lung"])
    elif "lung" not in concepts:
        out.append(rng.choice(NORMALS["lung"]))
    elif not any(i.key == "oedema" for i in insts):
        out.append(rng.choice(NORMALS["lung_other"]))
    pl, px = "pleura" in concepts, "ptx" in concepts
    if "pleura" in forced or "ptx" in forced:
        out += [forced[c] for c in ("pleura", "ptx") if c in forced]
        if "ptx" not in forced and not px and rng.random() < 0.5:
            out.append("No pneumothorax.")
    elif not pl and not px:
        out.append(rng.choice(NORMALS["pleura_ptx"] + NORMALS["pleura"]))
    elif not pl:
        out.append(rng.choice(NORMALS["pleura"]))
    elif not px and rng.random() < 0.6:
        out.append("No pneumothorax.")
    if "heart" in forced:
        out.append(forced["heart"])
    elif "heart" not in concepts:
        out.append(rng.choice(NORMALS["heart"] + ([] if "mediastinum" in concepts else NORMALS["heart_med"])))
    if rng.random() < 0.35:
        out.append(rng.choice(NORMALS["bones"]))
    return out


def compose_body(rng, insts, forced=None):
    main = [i for i in insts if not i.spec.get("minor")]
    minor = [i for i in insts if i.spec.get("minor")]
    tech = rng.choice(TECH)
    sents = ([tech] if tech else []) + [i.ftext() for i in main]
    norms = normal_sentences(rng, insts, forced)
    if rng.random() < 0.3 and not any(i.spec["concept"] in ("lung", "band", "gran") for i in insts):
        sents = ([tech] if tech else []) + norms + [i.ftext() for i in main]
    else:
        sents += norms
    sents += [i.ftext() for i in minor]
    return sents


def compose_impression(rng, insts, history_q=None, omit=None):
    parts = []
    for i in insts:
        if i is omit:
            continue
        if i.spec["sig"] or (not i.spec.get("minor") and rng.random() < 0.75) or rng.random() < 0.15:
            parts.append(i.itext())
    if not parts:
        if history_q and not any(i.spec["sig"] for i in insts) and rng.random() < 0.6:
            return [rng.choice(GP_ANSWER[history_q])]
        return [rng.choice(NORMAL_IMPS)]
    if rng.random() < 0.25 and not any("CT" in p or "advised" in p for p in parts):
        parts.append(rng.choice(["No other acute abnormality.", "No other significant finding.",
                                 "Further imaging advised if symptoms persist."]))
    return parts


def render(rng, exam, hist, comp, layout, body, imp, signoff, *, body_lines=False, drop_f=False, drop_i=False,
           empty_f=False, empty_i=False):
    fh, ih = layout
    if "AP" in exam:
        body = [b.replace("PA erect film, adequately inspired.", "Mobile AP film.") for b in body]
    else:
        body = [b.replace("Mobile AP film.", "Satisfactory inspiration.") for b in body]
    lines = []
    if exam:
        lines.append(exam)
    if hist:
        lines.append(hist)
    if comp:
        lines.append(comp)
    lines.append("")
    if not drop_f:
        if empty_f:
            lines += [fh, ""]
        elif body_lines or rng.random() < 0.3:
            lines += [fh] + body + [""]
        elif fh[0] != fh[1] and rng.random() < 0.35:
            lines += [fh + " " + " ".join(body), ""]
        else:
            lines += [fh, " ".join(body), ""]
    if not drop_i:
        if empty_i:
            lines += [ih, ""]
        elif len(imp) == 1 and rng.random() < 0.5:
            lines += [f"{ih} {imp[0]}", ""]
        elif rng.random() < 0.4 and len(imp) > 1:
            lines += [ih] + [f"{n}. {p}" for n, p in enumerate(imp, 1)] + [""]
        else:
            lines += [ih, " ".join(imp), ""]
    if signoff:
        lines.append(signoff)
    return "\n".join(lines).strip() + "\n"


def composed_frame(rng):
    hist_txt, q = rng.choice(HISTORIES)
    hist = f"{rng.choice(HIST_LABELS)} {hist_txt}"
    comp = rng.choice(COMP).format(d=rand_date(rng))
    return rng.choice(EXAMS), hist, comp, q, rng.choice(LAYOUTS), rng.choice(SIGNOFF)


def has_syn(text, key):
    t = text.lower()
    return any(s in t for s in FINDINGS[key]["syn"])


def make_composed(rng, kind):
    """Return (report, detail) for one composed case of `kind` (None = clean). Retries until checks pass."""
    for _ in range(200):
        exam, hist, comp, q, layout, signoff = composed_frame(rng)
        body_lines = rng.random() < 0.3
        r = rng.random()
        if kind is None:
            n_sig = 0 if r < 0.45 else (1 if r < 0.9 else 2)
            insts = pick_findings(rng, n_sig, rng.choice([0, 0, 1, 1, 2] if n_sig < 2 else [0, 1]))
            body = compose_body(rng, insts)
            imp = compose_impression(rng, insts, q)
            return render(rng, exam, hist, comp, layout, body, imp, signoff, body_lines=body_lines), "unmodified"
        if kind == "missing_section":
            mode = rng.choice(["empty_i", "drop_i", "empty_f", "drop_f"])
            if mode == "drop_f":
                insts = pick_findings(rng, 0, 0)
                body = compose_body(rng, insts)
                imp = [rng.choice(["No acute abnormality.", "No active disease.", "NAD.",
                                   "No significant abnormality detected."])]
            else:
                insts = pick_findings(rng, rng.choice([0, 0, 1]), rng.choice([0, 1]))
                body = compose_body(rng, insts)
                imp = compose_impression(rng, insts, q)
            if mode in ("empty_f", "drop_f") and "Report:" in layout[0]:
                layout = ("Findings:", layout[1])
            rep = render(rng, exam, hist, comp, layout, body, imp, signoff, body_lines=body_lines,
                         **{mode: True})
            fh, ih = layout
            if mode in ("empty_i", "drop_i"):
                tail = rep.split(ih, 1)[1] if ih in rep else ""
                assert not tail.strip() or tail.strip() == signoff.strip()
                if mode == "drop_i":
                    assert ih not in rep
            else:
                assert body[-1] not in rep
            what = {"empty_i": f"'{ih}' header left with nothing under it",
                    "drop_i": f"conclusion section ('{ih}') absent; report ends after the findings",
                    "empty_f": f"'{fh}' header left empty; only the conclusion was dictated",
                    "drop_f": "findings section absent; conclusion is a bare normal statement"}[mode]
            return rep, what
        if kind == "laterality_conflict":
            insts = pick_findings(rng, 1, rng.choice([0, 1]))
            sided = [i for i in insts if i.spec["sided"] and not i.spec.get("minor")]
            if not sided:
                continue
            t = rng.choice(sided)
            other = "left" if t.side == "right" else "right"
            where = rng.choice(["findings", "impression"])
            body = compose_body(rng, insts)
            ti = t.itext()
            if where == "findings":
                ft_old = t.ftext()
                t.f_side = other
                body = [t.ftext() if s == ft_old else s for s in body]
            imp = compose_impression(rng, insts, q)
            if ti not in imp:
                continue
            if where == "impression":
                t.i_side = other
                imp = [t.itext() if p == ti else p for p in imp]
            fsent, isent = t.ftext(), t.itext()
            assert re.search(rf"\b{t.f_side}\b", fsent, re.I) and re.search(rf"\b{t.i_side}\b", isent, re.I)
            assert t.f_side != t.i_side and fsent in body and isent in imp
            rep = render(rng, exam, hist, comp, layout, body, imp, signoff, body_lines=body_lines)
            META.update(f_has=[fsent], i_has=[isent])
            return rep, (f"{t.key}: {t.f_side} in findings ('{fsent}') but {t.i_side} in conclusion "
                         f"('{isent}'); {where} side flipped")
        if kind == "negation_conflict":
            if rng.random() < 0.6:  # findings rule it out, conclusion affirms it
                key = rng.choice(["effusion_small", "effusion_large", "pneumothorax", "consolidation", "cardiomegaly",
                                  "oedema"])
                t = Inst(rng, key)
                c = t.spec["concept"]
                neg = rng.choice({"pleura": NORMALS["pleura"], "ptx": NORMALS["ptx"],
                                  "lung": NORMALS["lung"][:4] if key == "consolidation" else
                                  ["The lungs are clear.", "Clear lungs.", "Lung fields are clear.",
                                   "No pulmonary oedema."],
                                  "heart": NORMALS["heart"]}[c])
                insts = [i for i in pick_findings(rng, 0, rng.choice([0, 1]), avoid=(c, "lung"))]
                body = compose_body(rng, insts, forced={c: neg})
                imp = [t.itext()] + compose_impression(rng, insts, None)
                imp = [p for p in imp if p not in NORMAL_IMPS]
                assert neg in body and not any(t.ftext() == s for s in body)
                rep = render(rng, exam, hist, comp, layout, body, imp, signoff, body_lines=body_lines)
                META.update(f_has=[neg], i_has=[t.itext()])
                return rep, f"findings say '{neg}' but conclusion reads '{t.itext()}'"
            key = rng.choice(["effusion_small", "cardiomegaly"])
            insts = pick_findings(rng, 0, rng.choice([0, 1]), need_sig=None, avoid=(FINDINGS[key]["concept"],))
            t = Inst(rng, key)
            insts = [t] + insts
            body = compose_body(rng, insts)
            negi = rng.choice({"effusion_small": ["No pleural effusion.", "No effusion."],
                               "cardiomegaly": ["Heart size normal.", "Normal heart size.",
                                                "Heart size within normal limits."]}[key])
            imp = compose_impression(rng, insts[1:], None)
            imp = [negi] + [p for p in imp if p not in NORMAL_IMPS] + [rng.choice(["No acute abnormality.",
                                                                                   "No active disease."])]
            imp = [p for p in imp if p]
            rep = render(rng, exam, hist, comp, layout, body, imp, signoff, body_lines=body_lines)
            META.update(f_has=[t.ftext()], i_has=[negi])
            return rep, f"findings affirm '{t.ftext()}' but conclusion says '{negi}'"
        if kind == "impression_omits_finding":
            normal_imp = rng.random() < 0.5
            key = rng.choice(SIG_KEYS)
            insts = pick_findings(rng, 0 if normal_imp else rng.choice([0, 1]), 0 if normal_imp else 2,
                                  need_sig=key)
            t = insts[0]
            if not normal_imp and len(insts) < 2:
                continue
            body = compose_body(rng, insts)
            if normal_imp:
                imp = [rng.choice(["No acute abnormality.", "No active disease.",
                                   "No acute cardiopulmonary abnormality.", "No significant abnormality detected.",
                                   "Normal appearances.", "No acute abnormality detected."])]
            else:
                imp = [i.itext() for i in insts[1:]]
            if has_syn(" ".join(imp), key) or not imp:
                continue
            assert t.ftext() in body
            rep = render(rng, exam, hist, comp, layout, body, imp, signoff, body_lines=body_lines)
            META.update(f_has=[t.ftext()], i_not=FINDINGS[key]["syn"])
            return rep, (f"findings affirm '{t.ftext()}' ({key}); conclusion "
                         f"{'is a normal macro' if normal_imp else 'lists other findings'} and omits it")
        if kind == "placeholder":
            insts = pick_findings(rng, rng.choice([0, 1, 1]), rng.choice([0, 1]))
            body = compose_body(rng, insts)
            imp = compose_impression(rng, insts, q)
            cands = []
            for sec, arr in (("findings", body), ("conclusion", imp)):
                for j, s in enumerate(arr):
                    for m in re.finditer(r"\b(\d+(?:\.\d+)?) (mm|cm)\b", s):
                        cands.append((sec, arr, j, m.span(1), rng.choice(["__", "XX", "***", "[ ]"]), "size"))
                    for m in re.finditer(r"\b([Rr]ight|[Ll]eft)\b", s):
                        cands.append((sec, arr, j, m.span(), rng.choice(["[LEFT/RIGHT]", "[left/right]", "***",
                                                                         "[side]"]), "side"))
                    for m in re.finditer(r"\b([Mm]oderate|[Ll]arge|[Ss]mall|[Mm]ild|[Mm]ildly)\b", s):
                        cands.append((sec, arr, j, m.span(), rng.choice(["[mild/moderate/large]", "[***]", "***"]),
                                      "grade"))
                    for m in re.finditer(r"\b(consolidation|pneumothorax|nodule|effusion|cardiomegaly)\b", s):
                        if re.match(r"no\b", s, re.I):
                            continue
                        cands.append((sec, arr, j, m.span(), rng.choice(["[***]", "<finding>", "***"]), "finding"))
                    if "CTR" in s:
                        m = re.search(r"0\.\d", s)
                        cands.append((sec, arr, j, m.span(), "0.__", "measurement"))
            tlines = [(ln, x) for ln, grp in (("Heart size: [normal/enlarged]", "heart"), ("CTR: ___", "heart"),
                                              ("Lungs: [***]", "lung"), ("Costophrenic angles: <>", "pleura"),
                                              ("Heart and mediastinum: ***", "heart_med"))
                      for x in body if x in NORMALS[grp]]
            if tlines and (not cands or rng.random() < 0.25):
                # template line left unfilled in place of the normal sentence
                line, x = rng.choice(tlines)
                body = [line if y == x else y for y in body]
                rep = render(rng, exam, hist, comp, layout, body, imp, signoff, body_lines=True)
                return rep, f"template line left unfilled in findings: '{line}'"
            if not cands:
                continue
            types = sorted({c[5] for c in cands})
            w = {"size": 4, "side": 3, "grade": 2, "finding": 1, "measurement": 3}
            typ = rng.choices(types, [w[t] for t in types])[0]
            sec, arr, j, (a, b), tok, what = rng.choice([c for c in cands if c[5] == typ])
            old = arr[j]
            arr[j] = old[:a] + tok + old[b:]
            rep = render(rng, exam, hist, comp, layout, body, imp, signoff, body_lines=body_lines)
            assert tok in rep
            return rep, f"{what} left as '{tok}' in {sec}: '{arr[j]}' (was '{old}')"
    raise RuntimeError(f"could not compose {kind}")


# ----------------------------------------------------------------------------------------------- IU reports
BRIT = [(r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"esophag", "oesophag"), (r"hemorrhag", "haemorrhag"),
        (r"hematoma", "haematoma"), (r"\btumor", "tumour"), (r"\bcolor", "colour"), (r"centimeter", "centimetre"),
        (r"ischemi", "ischaemi"), (r"orthopedic", "orthopaedic"), (r"\banemi", "anaemi"), (r"\bx-ray", "X-ray"),
        (r"\bleukemi", "leukaemi"), (r"\bhemithorax", "hemithorax"), (r"\bfavor", "favour"),
        (r"\bcalcified granulomas?\b", "calcified granuloma"), (r"\b[Ll]ateral view", "lateral view"),
        (r"\bTHERE IS NO\b", "No"), (r"(^|\. )There is no ", r"\1No "), (r"(^|\. )There are no ", r"\1No ")]
IMP_NORMAL = re.compile(r"^\s*(?:\d\. )?(no acute (?:cardiopulmonary |pulmonary |intrathoracic |cardiac )?"
                        r"(?:disease|abnormality|abnormalities|process|findings?)|normal chest(?: x-XXXX| x-ray| "
                        r"radiograph| XXXX)?|no active disease|negative chest(?: x-ray| XXXX)?|"
                        r"no acute cardiopulmonary abnormality|negative)(?: identified| seen| is seen| demonstrated)?"
                        r"\.?\s*$", re.I)
NEG = {
    "effusion": re.compile(r"\b(?:no|without)\b(?: \w+){0,3} (?:pleural )?effusions?\b|costophrenic angles are clear",
                           re.I),
    "pneumothorax": re.compile(r"\b(?:no|without)\b(?: \w+){0,4} pneumothora", re.I),
    "consolidation": re.compile(r"\b(?:no|without)\b(?: \w+){0,3} (?:consolidation|airspace|air space|infiltrat)|"
                                r"lungs? (?:are |is )?(?:clear|grossly clear)|clear lungs", re.I),
    "oedema": re.compile(r"\b(?:no|without)\b(?: \w+){0,4} (?:oedema|edema|vascular congestion)", re.I),
    "heart": re.compile(r"heart (?:size )?(?:is )?(?:normal|within normal limits)|heart is (?:normal in size|not "
                        r"enlarged)|normal heart size|heart size normal|cardiac silhouette (?:is )?(?:normal|within "
                        r"normal limits)|cardiomediastinal silhouette (?:is )?(?:normal|within normal limits)", re.I),
}
IU_SYN = {"effusion": FINDINGS["effusion_large"]["syn"], "pneumothorax": FINDINGS["pneumothorax"]["syn"],
          "consolidation": FINDINGS["consolidation"]["syn"] + ["infiltrat"],
          "oedema": FINDINGS["oedema"]["syn"], "heart": FINDINGS["cardiomegaly"]["syn"] + ["cardiomediastinal"]}
IU_AFFIRM = {  # omission: significant finding put into the findings
    "effusion": ["There is a moderate {s} pleural effusion.", "Large {s} pleural effusion.",
                 "Moderate-sized {s} pleural effusion with adjacent basal atelectasis."],
    "pneumothorax": ["There is a {s} apical pneumothorax measuring 2 cm.", "Small {s} apical pneumothorax."],
    "consolidation": ["There is focal consolidation in the {s} lower lobe.",
                      "Airspace consolidation in the {s} mid zone, with air bronchograms."],
    "oedema": ["There is interstitial pulmonary oedema with bilateral septal lines.",
               "Upper lobe diversion and perihilar haziness in keeping with pulmonary oedema."],
}
IU_IMP_AFFIRM = {  # negation conflict: conclusion affirms what findings rule out
    "effusion": ["Small {s} pleural effusion.", "{S} pleural effusion."],
    "pneumothorax": ["Small {s} apical pneumothorax.", "{S} pneumothorax."],
    "consolidation": ["{S} lower lobe pneumonia.", "{S} basal consolidation, likely infective."],
    "oedema": ["Mild pulmonary oedema.", "Features of fluid overload."],
    "heart": ["Cardiomegaly.", "Mild cardiomegaly.", "Enlarged heart."],
}


META = {}
SECTION_RE = re.compile(r"^(Report:|Findings:|FINDINGS:|Conclusion:|CONCLUSION:|Comment:|Opinion:|Impression:|"
                        r"IMPRESSION:)", re.M)


def sections(rep):
    """(findings, impression) text of a rendered report; None where the header is absent."""
    out = {"f": None, "i": None}
    ms = list(SECTION_RE.finditer(rep))
    for n, m in enumerate(ms):
        end = ms[n + 1].start() if n + 1 < len(ms) else len(rep)
        text = rep[m.end():end]
        text = "\n".join(ln for ln in text.splitlines() if ln.strip() and ln.strip() not in SIGNOFF)
        out["f" if m.group(1).lower() in ("report:", "findings:") else "i"] = text.strip()
    return out["f"], out["i"]


def verify(kind, rep, meta):
    """Check in code that the labelled error (or its absence) is really there."""
    f, i = sections(rep)
    n_ph = len(PLACEHOLDERS_RE.findall(rep))
    assert (n_ph == 1) if kind == "placeholder" else n_ph == 0, (kind, rep)
    if kind == "missing_section":
        assert not f or not i, rep
        return
    assert f and i, (kind, rep)
    fl, il = f.lower(), i.lower()
    for x in meta.get("f_has", []):
        assert x.lower() in fl, (x, rep)
    for x in meta.get("i_has", []):
        assert x.lower() in il, (x, rep)
    for x in meta.get("i_not", []):
        assert x.lower() not in il, (x, rep)
    if "sides" in meta:
        assert sides(f) == meta["sides"][0] and sides(i) == meta["sides"][1], rep
    if kind in ("laterality_conflict", "negation_conflict", "impression_omits_finding"):
        assert meta, (kind, rep)


def shared_dir():
    d = os.environ.get("MEDRAG_SHARED_DIR") or str(REPO.parent / "shared")
    p = Path(d)
    if not (p / "data/iu_reports/NLMCXR_reports.tgz").is_file() or not (p / "eval/report_errors_dev.jsonl").is_file():
        return None
    return p


def load_iu(shared):
    dev = set()
    with open(shared / "eval/report_errors_dev.jsonl") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    out = []
    with tarfile.open(shared / "data/iu_reports/NLMCXR_reports.tgz") as tf:
        for m in tf.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(tf.extractfile(m)).getroot()
            uid = root.find("uId").get("id")
            if uid in dev:
                continue
            secs = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            f, i = secs.get("FINDINGS", ""), secs.get("IMPRESSION", "")
            if not f or not i or len(f) > 900 or len(i) > 400:
                continue
            out.append(dict(uid=uid, f=f, i=i, ind=secs.get("INDICATION", ""), comp=secs.get("COMPARISON", "")))
    out.sort(key=lambda r: int(r["uid"][3:]))
    return out, dev


def brit(t):
    for a, b in BRIT:
        t = re.sub(a, b, t)
    t = re.sub(r"\.\.+", ".", re.sub(r"\s+", " ", t)).strip()
    return re.sub(r"(\.\s*)+\.$", ".", re.sub(r"\s+\.", ".", t))


def sents(t):
    return [s for s in re.split(r"(?<=\.)\s+", t) if s]


def iu_render(rng, r, f, i, **kw):
    hist = f"{rng.choice(HIST_LABELS)} {brit(r['ind'])}" if r["ind"] else ""
    comp = ""
    if r["comp"]:
        c = brit(r["comp"])
        comp = "Comparison: none available." if c.lower().rstrip(".") in ("none", "none available") else \
            f"Comparison: {c}"
    layout = rng.choice(LAYOUTS)
    if kw.get("drop_f") or kw.get("empty_f"):
        layout = ("Findings:", layout[1])
    ii = i
    if IMP_NORMAL.match(i) and rng.random() < 0.5:
        ii = rng.choice(["No acute abnormality.", "No acute cardiopulmonary abnormality.", "No active disease."])
    imp = [brit(ii)] if ii else [""]
    body = [brit(f)] if f else [""]
    return render(rng, rng.choice(EXAMS), hist, comp, layout, body, imp, rng.choice(SIGNOFF), **kw), layout


def flip_side(t):
    return re.sub(r"\b(left|right|Left|Right|LEFT|RIGHT)\b",
                  lambda m: {"left": "right", "right": "left", "Left": "Right", "Right": "Left", "LEFT": "RIGHT",
                             "RIGHT": "LEFT"}[m.group(1)], t)


def sides(t):
    return {s.lower() for s in re.findall(r"\b(left|right)\b", t, re.I)}


SIG_TERMS = ["pneumothora", "effusion", "consolidat", "airspace disease", "air space disease", "infiltrat", "edema",
             "mass", "nodul", "collapse", "widen", " new ", "increas", "pneumoni", "opacit"]


def iu_consistent(f, i):
    """Conservative: every significant-looking term affirmed in FINDINGS is named in IMPRESSION."""
    il = i.lower()
    for sent in sents(f):
        sl = " " + sent.lower() + " "
        if re.search(r"\b(no|not|without|negative|resolved|clear|free of|removed|resolution)\b", sl):
            continue
        for term in SIG_TERMS:
            if term in sl and term.strip() not in il:
                return False
    return True


def make_iu(rng, kind, r, want_normal_imp=None):
    """Try to make a case of `kind` from IU report r; return (report, detail) or None."""
    f, i = r["f"], r["i"]
    if not iu_consistent(f, i):
        return None
    if "bilateral" in (f + i).lower() and kind == "laterality_conflict":
        return None
    if kind is None:
        if PLACEHOLDERS_RE.search(f + i):
            return None
        return iu_render(rng, r, f, i)[0], "unmodified (IU " + r["uid"] + ")"
    if kind == "missing_section":
        if IMP_NORMAL.match(i) and rng.random() < 0.5:
            mode = rng.choice(["drop_f", "empty_f"])
            rep, _ = iu_render(rng, r, "", i, **{mode: True})
            return rep, f"findings section {'absent' if mode == 'drop_f' else 'header left empty'} (IU {r['uid']}); " \
                        "conclusion is a bare normal statement"
        mode = rng.choice(["drop_i", "empty_i"])
        rep, layout = iu_render(rng, r, f, "", **{mode: True})
        return rep, f"conclusion {'absent' if mode == 'drop_i' else 'header ' + layout[1] + ' left empty'} " \
                    f"(IU {r['uid']})"
    if kind == "laterality_conflict":
        sf, si = sides(f), sides(i)
        if len(sf) != 1 or sf != si or re.search(r"\bboth\b|bilateral|(left|right) (ventric|atri)", f + i, re.I) \
                or "XXXX" in i:
            return None
        if rng.random() < 0.5:
            i2, f2, where = flip_side(i), f, "conclusion"
        else:
            f2, i2, where = flip_side(f), i, "findings"
        assert sides(f2) != sides(i2)
        META.update(sides=(sides(f2), sides(i2)))
        return iu_render(rng, r, f2, i2)[0], (f"{where} side flipped (IU {r['uid']}): findings say "
                                             f"{sides(f2).pop()}, conclusion {sides(i2).pop()}")
    if kind == "negation_conflict":
        keys = [k for k in IU_IMP_AFFIRM if NEG[k].search(f) and not any(s in i.lower() for s in IU_SYN[k])]
        if not keys or sides(f + i):
            return None
        k = rng.choice(keys)
        s = rng.choice(["right", "left"])
        aff = rng.choice(IU_IMP_AFFIRM[k]).format(s=s, S=cap(s))
        first = sents(i)[0]
        if IMP_NORMAL.match(i):
            i2 = aff
        elif re.match(r"(?:\d\. )?(no acute|negative|normal|no active)", first, re.I):
            i2 = i.replace(first, aff, 1)
        else:
            i2 = aff + " " + i
        neg = NEG[k].search(f).group(0)
        META.update(f_has=[brit(neg)], i_has=[aff])
        return iu_render(rng, r, f, i2)[0], f"findings rule out ('{neg}') but conclusion reads '{aff}' (IU {r['uid']})"
    if kind == "impression_omits_finding":
        normal = bool(IMP_NORMAL.match(i))
        if normal != want_normal_imp:
            return None
        keys = [k for k in IU_AFFIRM if NEG[k].search(f) and not any(s in i.lower() for s in IU_SYN[k])
                and not any(s in f.lower() for s in ("effusion",) if k == "effusion" and not NEG[k].search(f))]
        if not keys:
            return None
        k = rng.choice(keys)
        s = rng.choice(["right", "left"])
        aff = rng.choice(IU_AFFIRM[k]).format(s=s, S=cap(s))
        ss = sents(f)
        negs = [x for x in ss if NEG[k].search(x)]
        if k in ("oedema", "consolidation"):
            negs += [x for x in ss if NEG["consolidation"].search(x) and x not in negs]
        f2 = " ".join(aff if x == negs[0] else x for x in ss if x == negs[0] or x not in negs)
        if NEG[k].search(f2) or aff not in f2:
            return None
        assert not any(sy in i.lower() for sy in IU_SYN[k])
        META.update(f_has=[aff], i_not=IU_SYN[k])
        return iu_render(rng, r, f2, i)[0], (f"'{aff}' put in findings (replacing '{negs[0]}'); conclusion "
                                             f"{'normal' if normal else 'lists other findings'} and omits it "
                                             f"(IU {r['uid']})")
    if kind == "placeholder":
        if PLACEHOLDERS_RE.search(f + i):
            return None
        cands = []
        for sec, t in (("findings", f), ("conclusion", i)):
            for m in re.finditer(r"\b(\d+(?:\.\d+)?) ?(mm|cm)\b", t):
                cands.append((sec, m.span(1), rng.choice(["__", "***", "[ ]"])))
            for m in re.finditer(r"\b(right|left)\b", t, re.I):
                cands.append((sec, m.span(), rng.choice(["[LEFT/RIGHT]", "[left/right]", "***"])))
            for m in re.finditer(r"\b(mild|moderate|small|large|minimal)\b", t, re.I):
                cands.append((sec, m.span(), rng.choice(["[mild/moderate/severe]", "[***]"])))
        if not cands:
            return None
        sec, (a, b), tok = rng.choice(cands)
        if sec == "findings":
            old, f = f[a:b], f[:a] + tok + f[b:]
        else:
            old, i = i[a:b], i[:a] + tok + i[b:]
        rep = iu_render(rng, r, f, i)[0]
        assert tok in rep
        return rep, f"'{old}' left as template field '{tok}' in {sec} (IU {r['uid']})"
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------- assembly
def build(seed, shared):
    rng = random.Random(seed)
    iu, dev = load_iu(shared)
    pool = iu[:]
    rng.shuffle(pool)
    used = set()
    cases = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        half = n // 2
        for _ in range(half):
            META.clear()
            rep, det = make_composed(rng, kind)
            verify(kind, rep, META)
            cases.append((kind, det, rep, "composed"))
        got = 0
        for r in pool:
            if got == n - half:
                break
            if r["uid"] in used:
                continue
            want = (got % 2 == 0) if kind == "impression_omits_finding" else None
            META.clear()
            res = make_iu(rng, kind, r, want)
            if res:
                verify(kind, res[0], META)
                used.add(r["uid"])
                cases.append((kind, res[1], res[0], "iu"))
                got += 1
        if got != n - half:
            raise RuntimeError(f"only {got} IU cases for {kind}")
    assert not (used & dev)
    for _kind, _det, rep, src in cases:
        assert "XXXX" not in rep or src == "iu"
    rng.shuffle(cases)
    out = []
    for n, (kind, det, rep, src) in enumerate(cases):
        hid = hashlib.sha256(f"h47|{seed}|{n}|{rep}".encode()).hexdigest()[:16]
        out.append({"id": hid, "injected": kind, "detail": det, "report": rep, "_src": src})
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if shared is None:
        print("shared data not found: set MEDRAG_SHARED_DIR to the shared folder (with data/iu_reports and eval/)",
              file=sys.stderr)
        return 2
    cases = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps({k: c[k] for k in ("id", "injected", "detail", "report")}) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == kind][: a.show]:
                print(f"===== {kind} [{c['_src']}] {c['detail']}\n{c['report']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
