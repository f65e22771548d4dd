"""Held-out report-check set 42: radiographer-led and triage reporting layered on the formal report.

Written BLIND: without reading the checker (medrag_core/), its tests, docs or any other bench generator;
only the scorer's format, the IU archive and the dev set's `uid` field (to exclude those reports) were used.

Styles: UK "red dot" radiographer abnormality flags, radiographer preliminary clinical evaluation (PCE)
forms and "Radiographer comment:" lines, ED triage notes ("Abnormality detected: ?", "Triage: urgent"),
consultant reporting-radiographer reports ("Opinion:"), and radiologist final/verified reports that answer
the PCE ("The radiographer's query of a pneumothorax is not confirmed").  Half of every group is composed
from the phrase bank below, half are real IU (Open-i) reports re-laid-out in these styles (IU's `XXXX`
de-identification mask kept); composed reports sometimes carry MIMIC-style `Dr ___` identifier masks,
which are NOT placeholders.

Labelling: only the formal (radiologist or reporting-radiographer) FINDINGS/IMPRESSION are judged
against each other.  A PCE, red dot or triage note that disagrees with the formal report is NOT an
error of the report; many cases deliberately have the PCE state the opposite of one formal section.

usage: python -m bench.make_heldout42 OUT.jsonl --seed S [--show N]
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

# entity: lat (sided), sig (significant per spec), f/i templates, kw (impression words naming it),
# drop (base sentences that would contradict it), neg_f/neg_i (sentences ruling it out), q (PCE query words)
ENT = {
    "consolidation": dict(
        lat=True, sig=True,
        f=["Airspace consolidation in the {side} lower zone with air bronchograms.",
           "Patchy consolidation at the {side} base, effacing the {side} hemidiaphragm.",
           "Dense airspace opacity in the {side} mid zone in keeping with consolidation."],
        i=["{Side}-sided consolidation, in keeping with infection.", "{Side} lung pneumonia.",
           "Consolidation in the {side} lung; suggest follow-up film in 6 weeks to confirm resolution."],
        kw=["consolidat", "pneumoni", "airspace", "infect", "opacit", "shadowing", "infiltrat"],
        drop=["consolidat", "airspace", "clear", "lung", "infiltrat", "opacit", "pneumonia"],
        neg_f=["The lungs are clear.", "No focal consolidation."], neg_i=["Lungs clear.", "No consolidation."],
        q=("consolidation", "consolidation")),
    "pneumothorax": dict(
        lat=True, sig=True,
        f=["{Side} apical pneumothorax with a 2 cm rim at the apex. No mediastinal shift.",
           "A visceral pleural edge is seen at the {side} apex with no lung markings beyond it, "
           "consistent with a pneumothorax."],
        i=["{Side} pneumothorax.", "{Side} apical pneumothorax, not under tension. ED team informed by phone."],
        kw=["pneumothora", "ptx", "pleural edge", "tension"],
        drop=["pneumothora", "clear", "expand"],
        neg_f=["No pneumothorax.", "No pneumothorax is seen."], neg_i=["No pneumothorax."],
        q=("pneumothorax", "PTX")),
    "effusion": dict(
        lat=True, sig=True,
        f=["{Size} {side} pleural effusion with a meniscus extending to the mid zone.",
           "{Size} {side} pleural effusion obscuring the {side} hemidiaphragm."],
        i=["{Size} {side} pleural effusion.", "{Size} {side} pleural effusion; ultrasound-guided aspiration "
           "could be considered."],
        kw=["effusion", "fluid", "pleural"],
        drop=["effusion", "costophrenic", "pleura", "fluid", "sulc"],
        neg_f=["No pleural effusion.", "Both costophrenic angles are sharp."], neg_i=["No pleural effusion."],
        q=("effusion", "effusion")),
    "nodule": dict(
        lat=True, sig=True,
        f=["A {mm} mm rounded nodule projects over the {side} mid zone.",
           "New {mm} mm nodular opacity in the {side} upper zone."],
        i=["{mm} mm {side} lung nodule; CT chest advised.", "{Side} pulmonary nodule ({mm} mm). CT recommended."],
        kw=["nodul", "opacit", "lesion", "mass", r"\bct\b", "neoplas"],
        drop=["nodul", "mass", "lesion", "clear", "lung", "opacit", "granulom"],
        neg_f=["No pulmonary nodule or mass."], neg_i=["No nodule or mass."],
        q=("nodule", "nodule")),
    "mass": dict(
        lat=True, sig=True,
        f=["Lobulated {cm} cm mass in the {side} upper zone.", "A {cm} cm mass is seen at the {side} hilum."],
        i=["{Side} lung mass, suspicious for malignancy; CT staging recommended.",
           "{Side}-sided mass, likely primary lung malignancy. Referred to the lung cancer pathway."],
        kw=["mass", "malignan", "lesion", "tumou?r", "neoplas", "carcinoma", r"\bct\b", "opacit"],
        drop=["nodul", "mass", "lesion", "clear", "lung", "opacit", "hil", "granulom"],
        neg_f=["No pulmonary mass."], neg_i=["No mass."],
        q=("mass", "mass")),
    "collapse": dict(
        lat=True, sig=True,
        f=["Triangular opacity at the {side} base with loss of the {side} hemidiaphragm outline and volume "
           "loss, consistent with {side} lower lobe collapse."],
        i=["{Side} lower lobe collapse.", "Collapse of the {side} lower lobe; ?mucus plugging."],
        kw=["collaps", "atelecta", "volume loss", "lobe"],
        drop=["atelecta", "collaps", "clear", "lung", "volume", "opacit", "hemidiaphragm", "diaphragm"],
        neg_f=["The lungs are clear and well expanded."], neg_i=["No collapse."],
        q=("collapse", "collapse")),
    "fracture": dict(
        lat=True, sig=False,
        f=["Acute fracture of the {side} {nth} rib laterally.", "Undisplaced fracture of the {side} {nth} rib."],
        i=["Acute {side} {nth} rib fracture.", "{Side} {nth} rib fracture."],
        kw=["fractur", "rib"],
        drop=["bon", "osseous", "fractur", "rib", "skelet"],
        neg_f=["No rib fracture is seen."], neg_i=["No rib fracture."],
        q=("rib fracture", "# rib")),
    "oedema": dict(
        lat=False, sig=True,
        f=["Upper lobe blood diversion, perihilar haze and septal lines, in keeping with interstitial "
           "pulmonary oedema.",
           "Bilateral perihilar airspace shadowing with Kerley B lines, consistent with pulmonary oedema."],
        i=["Pulmonary oedema.", "Appearances in keeping with cardiac failure."],
        kw=["oedema", "edema", "failure", "congest", "overload", "kerley", "diversion", "septal", "haze"],
        drop=["oedema", "edema", "vascul", "clear", "lung", "congest", "airspace", "consolidat", "interstit"],
        neg_f=["The lungs are clear.", "No pulmonary oedema."], neg_i=["No pulmonary oedema.", "Lungs clear."],
        q=("oedema", "oedema")),
    "mediastinum": dict(
        lat=False, sig=True,
        f=["The superior mediastinum is widened, measuring 9 cm at the level of the aortic knuckle."],
        i=["Widened mediastinum; CT aortogram recommended.", "Mediastinal widening. Urgent CT advised."],
        kw=["mediastin", "aort", "widen"],
        drop=["mediastin", "silhouette", "contour"],
        neg_f=["The mediastinum is not widened."], neg_i=["Mediastinum not widened."],
        q=("widened mediastinum", "wide mediastinum")),
    "freegas": dict(
        lat=False, sig=True,
        f=["Free subdiaphragmatic gas is seen beneath both hemidiaphragms."],
        i=["Pneumoperitoneum. Surgical team informed.", "Free intraperitoneal gas; ?perforated viscus."],
        kw=["free gas", "free air", "pneumoperitoneum", "subdiaphragmatic", "perforat", "intraperitoneal"],
        drop=["diaphragm", "subdiaphragm", "free"],
        neg_f=["No free subdiaphragmatic gas."], neg_i=["No free gas."],
        q=("free gas", "free air")),
    "cardiomegaly": dict(
        lat=False, sig=False,
        f=["The heart is enlarged (CTR 0.61).", "Cardiomegaly."],
        i=["Cardiomegaly.", "Enlarged cardiac silhouette."],
        kw=["cardiomegal", "enlarg", "heart", "cardiac"],
        drop=["heart", "cardiac", "cardiomediastinal", "silhouette"],
        neg_f=["Heart size is normal.", "The cardiac silhouette is within normal limits."],
        neg_i=["Normal heart size.", "Heart not enlarged."],
        q=("cardiomegaly", "big heart")),
}
LATERAL = [k for k, v in ENT.items() if v["lat"]]
SIG = [k for k, v in ENT.items() if v["sig"]]

# minor (not significant) findings: (findings sentence, impression phrase, words they touch)
MINOR = [
    ("Degenerative changes in the thoracic spine.", "Thoracic spondylosis.", ["spine", "bon", "osseous"]),
    ("The thoracic aorta is unfolded.", "Unfolded aorta.", ["aort", "mediastin"]),
    ("Stable mild cardiomegaly.", "Stable mild cardiomegaly.", ["heart", "cardi", "silhouette"]),
    ("The lungs are hyperexpanded with flattened hemidiaphragms.", "Hyperinflation, in keeping with COPD.",
     ["expan", "inflat", "diaphragm"]),
    ("Old healed rib fractures.", "Old rib fractures.", ["bon", "rib", "osseous", "fractur"]),
]
NORMAL_BANK = [  # one sentence per anatomical row, rows in reading order
    ["Heart size is normal.", "The cardiomediastinal contours are within normal limits.",
     "Cardiac size is within normal limits."],
    ["The lungs are clear.", "No focal consolidation.", "Lungs are well expanded and clear.",
     "No pulmonary oedema."],
    ["No pleural effusion or pneumothorax.", "No pneumothorax.", "Costophrenic angles are sharp."],
    ["Mediastinum is not widened.", "No free subdiaphragmatic gas."],
    ["No acute bony injury.", "Bones are unremarkable."],
]
NORMAL_IMP = ["No acute cardiopulmonary abnormality.", "Normal chest radiograph.", "No acute abnormality.",
              "No acute disease.", "Normal study.", "No acute abnormality demonstrated."]
PLACEHOLDERS_SIDE = ["[LEFT/RIGHT]", "[***]", "<side>", "***"]
RADIOLOGISTS = ["Dr A. Okafor, Consultant Radiologist", "Dr H. Lindqvist, Consultant Radiologist",
                "Dr P. Ramanathan, Consultant Radiologist", "Dr C. Byrne, Radiology Registrar ST4",
                "Dr M. Whitfield, Consultant Radiologist"]
RADIOGRAPHERS = ["K. Osei", "L. Marsh", "T. Nguyen", "R. Dempsey", "S. Hughes"]
REPORTING_RADIOGRAPHERS = ["J. Fairbairn, Consultant Reporting Radiographer",
                           "E. Kowalski, Advanced Practitioner (Reporting Radiographer)"]
INDICATIONS = ["SOB, ?infection.", "Fall, left chest wall pain.", "Chest pain, ?PTX.", "Cough 3/52, smoker.",
               "Pyrexia, raised CRP.", "Haemoptysis.", "Post RTC, chest pain.", "Desaturating, ?LVF.",
               "Collapse, ?aspiration.", "Pleuritic chest pain."]
NTH = ["fourth", "fifth", "sixth", "seventh", "eighth"]
SIDEWORD = re.compile(r"\b(right|left)\b", re.I)


def opp(side):
    return "left" if side == "right" else "right"


def fill(tmpl, v):
    return tmpl.format(side=v["side"], Side=v["side"].capitalize(), size=v["size"], Size=v["size"].capitalize(),
                       mm=v["mm"], cm=v["cm"], nth=v["nth"])


def has_kw(text, kws):
    t = text.lower()
    return any(re.search(k, t) for k in kws)


def sentences(text):
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]


def reword_iu(s):
    s = re.sub(r"^There is no ", "No ", s)
    s = re.sub(r"^There are no ", "No ", s)
    s = re.sub(r"(\s*\.)+$", ".", s.strip()).replace("..", ".")
    s = s.replace(" x-XXXX", " X-XXXX")
    return s if s.endswith(".") else s + "."


# ----------------------------------------------------------------- IU archive
NORMAL_IMP_RE = re.compile(r"^(no acute|normal chest|no active|negative|no evidence of acute|no radiographic "
                           r"evidence of acute|no acute cardiopulmonary|normal\.?$|unremarkable)", re.I)
ABN = ["effusion", "pneumothora", "consolidat", "edema", "opacit", "atelecta", "cardiomegal", "enlarg",
       "nodul", "mass", "infiltrat", "airspace", "fractur", "collaps", "widen", "congest", "hyperinfl",
       "emphysem", "blunt", "pneumoni", "scar", "effusions"]
NEG = re.compile(r"\b(no|without|not|negative|resolved|clear|normal|free of)\b", re.I)


def load_iu(shared):
    dev = set()
    for line in open(shared / "eval" / "report_errors_dev.jsonl"):
        uid = json.loads(line).get("uid")
        if uid:
            dev.add(uid)
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        for m in sorted(t.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(t.extractfile(m)).getroot()
            uid = root.find("uId").get("id")
            d = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            f, i = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if uid in dev or not f or not i or len(f) > 600:
                continue
            if not NORMAL_IMP_RE.match(i) or len(i) > 90 or re.search(r"\d\.", i):
                continue
            sents = sentences(f)
            if any(has_kw(s, ABN) and not NEG.search(s) for s in sents):
                continue
            if any(re.search(r"___|\[|\*\*|^no there", s, re.I) for s in sents):
                continue
            out.append(dict(uid=uid, f=[reword_iu(s) for s in sents], i=reword_iu(i),
                            ind=d.get("INDICATION", ""), comp=d.get("COMPARISON", "")))
    return out, dev


# ----------------------------------------------------------------- building
def vals(rng):
    return dict(side=rng.choice(["right", "left"]), size=rng.choice(["moderate", "large", "moderate"]),
                mm=rng.choice([7, 8, 9, 11, 12, 14, 16, 18]), cm=rng.choice([3, 4, 5, 6]), nth=rng.choice(NTH))


def base_sentences(rng, iu, drop, no_sides=False):
    if iu is not None:
        base = list(iu["f"])
    else:
        rows = [r for r in NORMAL_BANK if rng.random() < 0.8] or NORMAL_BANK[:2]
        base = [rng.choice(r) for r in rows]
    if drop:  # list-style "X, Y and Z are normal" sentences would contradict any inserted finding
        base = [s for s in base if not (s.count(",") >= 2 and re.search(r"normal|unremarkable", s, re.I))]
    keep = [s for s in base if not has_kw(s, drop) and not (no_sides and SIDEWORD.search(s))]
    # remove exact duplicates of meaning such as two "No pneumothorax" lines
    seen, out = set(), []
    for s in keep:
        if s.lower() not in seen:
            seen.add(s.lower())
            out.append(s)
    return out


def insert(rng, sents, s):
    pos = rng.randint(min(1, len(sents)), len(sents))
    return sents[:pos] + [s] + sents[pos:]


def pce_block(rng, kind_hint, truth):
    """Radiographer/triage content.  truth: dict(ent, side) of what the PCE talks about, or None for NAD."""
    if truth is None:
        return rng.choice(["NAD.", "No abnormality detected.", "No obvious abnormality.", "Nil acute seen."]), False
    e, side = truth["ent"], truth.get("side")
    name, abbr = ENT[e]["q"]
    s = {"right": "R", "left": "L"}.get(side, "")
    text = rng.choice([f"?{s} {abbr}".replace("? ", "?"), f"possible {side + ' ' if side else ''}{name}",
                       f"?{name}{' (' + side + ')' if side else ''}", f"Query {s + ' ' if s else ''}{name}."])
    return text.strip(), True


def answer_sentence(rng, q):
    name = ENT[q]["q"][0]
    art = "an" if name[0] in "aeiou" else "a"
    return rng.choice([f"The radiographer's query of {art} {name} is not confirmed.",
                       f"The radiographer's query of {name} is not confirmed.",
                       f"No {name} is seen, contrary to the preliminary comment.",
                       f"Radiographer's ?{ENT[q]['q'][1]} not confirmed."])


def render(rng, layout, F, Imp, fhdr, ihdr, pce, flag, ind, comp, composed, idx):
    """F/Imp: None (section absent), '' (header, nothing under it) or text."""
    rad = rng.choice(RADIOLOGISTS)
    rgr = rng.choice(RADIOGRAPHERS)
    date = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(21, 25)} {rng.randint(0, 23):02d}:" \
           f"{rng.randint(0, 59):02d}"
    acc = f"RX{rng.randint(1000000, 9999999)}"
    ind = ind or rng.choice(INDICATIONS)
    mask = composed and rng.random() < 0.2
    ref = "Referrer: Dr ___" if mask else f"Referrer: ED ({rng.choice(['Majors', 'Resus', 'Minors', 'UTC'])})"
    body = []
    if F is not None:
        body.append(f"{fhdr}\n{F}".rstrip() if F else f"{fhdr}")
    if Imp is not None:
        body.append(f"{ihdr}\n{Imp}".rstrip() if Imp else f"{ihdr}")
    body = "\n\n".join(body)
    red = "YES" if flag else "NO"
    if layout == 0:
        return (f"XR CHEST PA   Acc: {acc}   {ref}\nRed dot: {red}\nRadiographer comment: {pce} ({rgr}, "
                f"radiographer)\n{'-' * 38}\nClinical details: {ind}\n" +
                (f"Comparison: {comp}\n" if comp else "") + f"\n{body}\n\n{rad}. Verified {date}.")
    if layout == 1:
        return (f"PRELIMINARY CLINICAL EVALUATION (radiographer - not a diagnostic report)\n"
                f"Abnormality seen: {'Yes' if flag else 'No'}\nPCE: {pce}\nRadiographer: {rgr}\n\n"
                f"=== FORMAL REPORT ===\nExamination: Chest X-ray ({rng.choice(['PA', 'AP erect', 'AP supine'])})"
                f"\nClinical history: {ind}\n\n{body}\n\nReported: {rad}, {date}")
    if layout == 2:
        tri = "urgent" if flag else rng.choice(["routine", "non-urgent"])
        return (f"ED TRIAGE NOTE [{date}]\nAbnormality detected: {pce if flag else 'none'}\nTriage: {tri}\n"
                f"Triaged by: {rgr} (radiographer)\n\nFINAL REPORT - verified\nEXAM: XR chest 1 view\n"
                f"HISTORY: {ind}\n" + (f"COMPARISON: {comp}\n" if comp else "") + f"\n{body}\n\n"
                f"Electronically signed: {rad} {date}")
    if layout == 3:
        who = rng.choice(REPORTING_RADIOGRAPHERS)
        return (f"Chest radiograph PA. {ref}.\nClinical: {ind}\n\n{body}\n\nReported by {who}, {date}.\n"
                f"(PCE at time of examination: {pce} - {rgr}.  Red dot: {red}.)")
    return (f"{acc} CHEST XR - RADIOLOGIST REPORT (supersedes radiographer red dot / PCE)\n"
            f"Red dot applied: {red}.  Radiographer comment: \"{pce}\"\nIndication: {ind}\n\n{body}\n\n"
            f"Verified by {rad} on {date}.")


HDRS = [("FINDINGS:", "IMPRESSION:"), ("Findings:", "Impression:"), ("Findings:", "Conclusion:"),
        ("FINDINGS:", "CONCLUSION:"), ("Findings:", "Opinion:")]


def make_case(rng, kind, iu, idx):
    """Returns (report, detail, check) where check is a callable verifying the error on the formal body."""
    v = vals(rng)
    composed = iu is None
    layout = rng.randrange(5)
    fhdr, ihdr = HDRS[3 if layout == 3 else rng.randrange(len(HDRS))]
    if layout == 3:
        fhdr, ihdr = rng.choice([("Findings:", "Opinion:"), ("FINDINGS:", "OPINION:")])
    ind, comp = (iu["ind"], iu["comp"]) if iu else ("", "")
    joiner = " " if rng.random() < 0.6 else "\n"
    detail, F, Imp = "", None, None
    pce_truth, answer = None, None
    minor = rng.choice(MINOR)
    state = {}

    def normal_case(allow_answer=True):
        sents = base_sentences(rng, iu, [])
        imp = iu["i"] if iu and rng.random() < 0.7 else rng.choice(NORMAL_IMP)
        return sents, imp

    def abnormal_case(ent, no_sides=False, with_minor=False):
        e = ENT[ent]
        drop = list(e["drop"]) + (minor[2] if with_minor else [])
        sents = base_sentences(rng, iu, drop, no_sides=no_sides)
        fs = fill(rng.choice(e["f"]), v)
        sents = insert(rng, sents, fs)
        if with_minor:
            sents = insert(rng, sents, minor[0])
        return sents, fs

    def pick_query(exclude):
        opts = [q for q in ["pneumothorax", "consolidation", "effusion", "fracture", "nodule", "freegas"]
                if q not in exclude]
        return rng.choice(opts)

    if kind is None or kind == "placeholder" or kind == "missing_section":
        if rng.random() < 0.45:
            sents, imp = normal_case()
            present = []
            ent = None
        else:
            ent = rng.choice(list(ENT))
            sents, fs = abnormal_case(ent)
            imp = fill(rng.choice(ENT[ent]["i"]), v)
            present = [ent]
            if rng.random() < 0.3:
                sents = insert(rng, [x for x in sents if not has_kw(x, minor[2])], minor[0])
                imp = imp + " " + minor[1] if rng.random() < 0.5 else imp
        # PCE: agree, NAD, or a query that the formal report answers
        r = rng.random()
        if ent and r < 0.4:
            pce_truth = dict(ent=ent, side=v["side"] if ENT[ent]["lat"] else None)
        elif r < 0.75:
            q = pick_query(present + ["fracture"] if not present else present)
            if q in ("consolidation", "nodule") and present == []:
                q = "pneumothorax"
            pce_truth = dict(ent=q, side=rng.choice(["right", "left"]) if ENT[q]["lat"] else None)
            # drop any base sentence that would clash with the answer (none: answer is a negation)
            answer = answer_sentence(rng, q)
            if ENT[q]["q"][0] in " ".join(sents).lower() and rng.random() < 0.5:
                answer = None
        F, Imp = joiner.join(sents), imp
        if answer:
            if rng.random() < 0.5 or kind == "missing_section":
                F = F + joiner + answer
            else:
                Imp = Imp + " " + answer
        if kind == "missing_section":
            mode = rng.choice(["imp_empty", "imp_absent", "imp_empty", "find_empty", "find_absent"])
            if mode == "find_absent" and (present or answer and answer in Imp):
                mode = "find_empty"
            if mode == "find_absent":
                Imp = rng.choice(["No acute disease.", "No acute abnormality.", "Normal."])
            if mode == "imp_empty":
                Imp = ""
            elif mode == "imp_absent":
                Imp = None
            elif mode == "find_empty":
                F = ""
            else:
                F = None
            detail = {"imp_empty": "IMPRESSION header left with nothing under it",
                      "imp_absent": "IMPRESSION section absent from the formal report",
                      "find_empty": "FINDINGS header left with nothing under it",
                      "find_absent": "FINDINGS absent; impression is a bare normal statement"}[mode]
            state["mode"] = mode
        elif kind == "placeholder":
            F, Imp, detail = inject_placeholder(rng, F, Imp, ent, v)
        else:
            detail = "clean"
    elif kind == "laterality_conflict":
        ent = rng.choice(LATERAL)
        sents, fs = abnormal_case(ent, no_sides=True)
        s0 = v["side"]
        v2 = dict(v, side=opp(s0))
        where = rng.choice(["impression", "findings"])
        if where == "impression":
            imp = fill(rng.choice(ENT[ent]["i"]), v2)
            fside, iside = s0, opp(s0)
        else:
            fs2 = fill(rng.choice(ENT[ent]["f"]), v2)
            sents = [fs2 if s == fs else s for s in sents]
            fs = fs2
            imp = fill(rng.choice(ENT[ent]["i"]), v)
            fside, iside = opp(s0), s0
        if rng.random() < 0.3:
            imp += " " + rng.choice(["Otherwise no acute abnormality.", "No other acute finding."])
        F, Imp = joiner.join(sents), imp
        pce_truth = dict(ent=ent, side=rng.choice([fside, iside]))
        detail = f"{ent}: {fside} in FINDINGS, {iside} in IMPRESSION (side flipped in the {where})"
        state.update(ent=ent, fs=fs, fside=fside, iside=iside)
    elif kind == "negation_conflict":
        ent = rng.choice([e for e in ENT if e not in ("mediastinum", "freegas")] + ["cardiomegaly"])
        e = ENT[ent]
        if rng.random() < 0.5:  # findings affirm, impression rules out
            sents, fs = abnormal_case(ent)
            imp = rng.choice(e["neg_i"])
            if rng.random() < 0.5:
                imp += " " + rng.choice(["No acute abnormality.", "Otherwise normal.", ""])
            detail = f"FINDINGS affirm {ent} ({fs!r}); IMPRESSION rules it out ({imp.strip()!r})"
            pce_truth = dict(ent=ent, side=v["side"] if e["lat"] else None) if rng.random() < 0.5 else None
            state.update(aff="F")
        else:  # findings rule out, impression affirms
            sents = base_sentences(rng, iu, e["drop"])
            negs = rng.choice(e["neg_f"])
            sents = insert(rng, sents, negs)
            imp = fill(rng.choice(e["i"]), v)
            fs = negs
            detail = f"FINDINGS rule out {ent} ({negs!r}); IMPRESSION affirms it ({imp!r})"
            pce_truth = None if rng.random() < 0.5 else dict(ent=ent, side=v["side"] if e["lat"] else None)
            state.update(aff="Imp")
        F, Imp = joiner.join(sents), imp.strip()
        state.update(ent=ent, fs=fs)
    elif kind == "impression_omits_finding":
        ent = rng.choice(SIG)
        other = rng.random() < 0.5
        sents, fs = abnormal_case(ent, with_minor=other)
        if other:
            imp = minor[1]
            if rng.random() < 0.5:
                imp += " " + rng.choice(["No acute abnormality otherwise.", "Nil else of note."])
            detail = f"FINDINGS affirm {ent} ({fs!r}); IMPRESSION lists only '{minor[1]}'"
        else:
            imp = iu["i"] if iu and rng.random() < 0.6 else rng.choice(NORMAL_IMP)
            detail = f"FINDINGS affirm {ent} ({fs!r}); IMPRESSION is a normal statement"
        if has_kw(imp, ENT[ent]["kw"]):
            imp = "No acute abnormality."
        F, Imp = joiner.join(sents), imp
        pce_truth = dict(ent=ent, side=v["side"] if ENT[ent]["lat"] else None) if rng.random() < 0.6 else None
        state.update(ent=ent, fs=fs)
    pce, flag = pce_block(rng, kind, pce_truth)
    report = render(rng, layout, F, Imp, fhdr, ihdr, pce, flag, ind, comp, composed, idx)
    check = dict(kind=kind, F=F, Imp=Imp, **state)
    return report, detail, check


def inject_placeholder(rng, F, Imp, ent, v):
    e = ENT.get(ent) if ent else None
    opts = ["normal"]
    if e and e["lat"]:
        opts += ["side", "side"]
    if ent == "nodule":
        opts.append("mm")
    if ent == "effusion":
        opts.append("size")
    mode = rng.choice(opts)
    if mode == "side":
        ph = rng.choice(PLACEHOLDERS_SIDE)
        sec = rng.choice(["F", "Imp"])
        txt = F if sec == "F" else Imp
        m = list(re.finditer(rf"\b{v['side']}\b", txt, re.I))
        if m:
            m = rng.choice(m)
            txt = txt[:m.start()] + ph + txt[m.end():]
            if sec == "F":
                F = txt
            else:
                Imp = txt
            return F, Imp, f"side word in {'FINDINGS' if sec == 'F' else 'IMPRESSION'} left as {ph}"
    if mode == "mm":
        ph = rng.choice(["XX mm", "__ mm", "[size] mm"])
        F = F.replace(f"{v['mm']} mm", ph, 1)
        return F, Imp, f"nodule size in FINDINGS left as {ph}"
    if mode == "size":
        ph = rng.choice(["[small/moderate/large]", "[***]"])
        F2 = re.sub(rf"\b{v['size']}\b", ph, F, count=1, flags=re.I)
        if F2 != F:
            return F2, Imp, f"effusion size in FINDINGS left as {ph}"
    # normal: a templated measurement / finding field left blank
    fields = [("CTR ___", "CTR ___."), ("<insert>", "Lines and tubes: <insert>."),
              ("___ cm", "Mediastinal width ___ cm.")]
    if not re.search(r"heart|cardi", F, re.I):
        fields.append(("[normal/enlarged]", "Heart size: [normal/enlarged]."))
    if not re.search(r"lung", F, re.I):
        fields.append(("[***]", "Lungs: [***]."))
    ph, line = rng.choice(fields)
    F = F + (" " if not F.endswith("\n") else "") + line
    return F, Imp, f"template field left unfilled in FINDINGS: {ph}"


def verify(kind, rep, detail, chk):
    F, Imp = chk["F"], chk["Imp"]
    if kind is None:
        assert F and Imp and "[" not in F + Imp and "<" not in F + Imp and "XX mm" not in F
        return
    if kind == "missing_section":
        assert (not F) or (not Imp), detail
        if chk["mode"] == "find_absent":
            assert Imp in ("No acute disease.", "No acute abnormality.", "Normal.")
        return
    if kind == "placeholder":
        assert re.search(r"\[|<|\*\*\*|XX mm|__ mm|___ cm|CTR ___", F + Imp), detail
        return
    assert F and Imp
    ent = chk["ent"]
    if kind == "laterality_conflict":
        assert re.search(rf"\b{chk['fside']}\b", chk["fs"], re.I) and chk["fs"] in F
        assert re.search(rf"\b{chk['iside']}\b", Imp, re.I) and not re.search(rf"\b{chk['fside']}\b", Imp, re.I)
        assert has_kw(Imp, ENT[ent]["kw"]) or ent == "collapse"
    elif kind == "negation_conflict":
        assert chk["fs"] in F
        if chk["aff"] == "F":
            assert any(n.split(".")[0] in Imp for n in ENT[ent]["neg_i"])
        else:
            assert any(n in F for n in ENT[ent]["neg_f"])
    elif kind == "impression_omits_finding":
        assert chk["fs"] in F and ENT[ent]["sig"] and not has_kw(Imp, ENT[ent]["kw"]), (detail, Imp)


def build(shared, seed):
    rng = random.Random(seed)
    iu, dev = load_iu(shared)
    rng.shuffle(iu)
    plan = [None] * N_CLEAN + [k for k in KINDS for _ in range(N_KIND)]
    rows, used, iu_pos = [], [], 0
    for n, kind in enumerate(plan):
        grp_idx = n if kind is None else (n - N_CLEAN) % N_KIND
        half = N_CLEAN // 2 if kind is None else N_KIND // 2
        src = iu[iu_pos] if grp_idx >= half else None
        if src:
            iu_pos += 1
            used.append(src["uid"])
        rep, detail, chk = make_case(rng, kind, src, n)
        verify(kind, rep, detail, chk)
        detail = (f"[IU {src['uid']}] " if src else "[composed] ") + detail
        hid = hashlib.sha256(f"42|{seed}|{n}|{rep}".encode()).hexdigest()[:16]
        rows.append({"id": hid, "injected": kind, "detail": detail, "report": rep})
    assert not set(used) & dev
    rng.shuffle(rows)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=4301)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = Path(os.environ.get("MEDRAG_SHARED_DIR", Path(__file__).resolve().parents[1].parent / "shared"))
    if not (shared / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or \
            not (shared / "eval" / "report_errors_dev.jsonl").exists():
        print(f"shared data not found under {shared}; set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        return 2
    rows = build(shared, a.seed)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r, sort_keys=True) + "\n")
    if a.show:
        for k in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == k][:a.show]:
                print(f"===== {k} | {r['detail']}\n{r['report']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
