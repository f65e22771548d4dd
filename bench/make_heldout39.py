"""Held-out report-check set no. 39: chest films read by non-radiologists, and pertinent +/- layouts.

Written BLIND: without reading the checker, its tests, its docs or any other held-out generator. Only the
scorer's format, the shared eval README, the IU (Open-i) archive and the dev set's `uid` field were used.

usage: python -m bench.make_heldout39 OUT.jsonl --seed S [--show N]

400 cases: 200 clean, 40 of each of the five kinds, half composed from the phrase bank below and half real IU
reports (dev uids excluded) re-laid-out into the same styles with light re-wording (`XXXX` masks kept).

Styles:
  ed_myread    ED physician note, "CXR (my read), portable AP:" + "Pertinent negatives:" + "Bottom line:" + "Plan:"
  icu_today    ICU progress note, "Imaging: CXR today - ..." + "Lines/tubes:" + "Assessment (CXR):" + "Plan:"
  gp_letter    GP letter, "Findings:" + "Opinion:" + "Plan:" (may carry MIMIC-like "Dr ___" identifier masks)
  wet_read     radiology wet read, "Positive findings:" / "Pertinent negatives:" + "Summary:"
  pp_pn        radiologist report, FINDINGS with "Pertinent positives:" / "Pertinent negatives:" sub-lists +
               numbered IMPRESSION
  consult      respiratory/medical consult, "Imaging: CXR ..." + "Summary:" + "Plan:"

missing_section, how it is decided in these layouts: the findings part is whatever describes the film (FINDINGS,
"CXR (my read)", "CXR today -", "Findings:", "Positive findings:"/"Pertinent negatives:", "Imaging: CXR"); the
conclusion part is IMPRESSION, "Bottom line:", "Assessment (CXR):", "Opinion:", "Summary:". "Plan:" is NOT a
conclusion (it says what to do, not what the film shows) and "Lines/tubes:" is not a findings part. A case is
missing_section when the conclusion part is absent or its header has nothing under it, or the findings part's
header has nothing under it (then the pertinent negatives are dropped too). FINDINGS is never removed beside a
conclusion that describes the film.

Errors look like slips in these layouts: a pertinent negative ("no PTX") beside a bottom line that affirms it, or a
bottom line that lists "No pneumothorax" against the read; a side flipped between the read and the bottom line; a
significant finding in the read that the summary leaves out (half beside a normal bottom line, half beside one
listing other findings; sometimes the Plan still acts on it); a template blank for a side, size, grade or finding
word. Identifier masks ("Dr ___", "on ___", "___-year-old") are kept as non-errors in clean and injected reports.
Real IU reports are only used when their own findings affirm no significant finding their impression leaves out
and their sides agree; every injected case is checked in code (verify()) before it is written.
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
STYLES = ["ed_myread", "icu_today", "gp_letter", "wet_read", "pp_pn", "consult"]
N_CLEAN, N_KIND = 200, 40

# family -> words that name it (used to check an omission really omits it, in any wording)
FAM_KW = {
    "ptx": ["pneumothora", "ptx", "pleural line", "lung edge"],
    "cons": ["consolidat", "airspace", "air space", "air-space", "pneumonia", "infiltrat", "opacit", "lobe", "base"],
    "eff": ["effusion", "fluid", "costophrenic", "blunting", "meniscus"],
    "oed": ["oedema", "edema", "congest", "kerley", "failure", "overload", "vascular", "diversion", "fluid"],
    "nod": ["nodul", "mass", "lesion", "opacit", "neoplas", "malignan", "tumou", "tumor"],
    "med": ["mediastin", "aort", "vascular injury"],
    "air": ["free air", "free gas", "pneumoperitoneum", "subdiaphragmatic", "diaphragm"],
    "col": ["collapse", "atelecta", "volume loss", "lobe"],
}

# composed findings bank: key -> (family, significant, sided, findings wordings, conclusion wordings, plan)
BANK = {
    "ptx": ("ptx", True, True,
            ["{S} apical pneumothorax, rim about {cm} cm at the apex",
             "Visible pleural line at the {s} apex with no lung markings beyond it - {s} pneumothorax, ~{cm} cm rim",
             "{S} pneumothorax, lung edge {cm} cm from the chest wall at the level of the hilum"],
            ["{S} pneumothorax", "{S} apical PTX ({cm} cm)", "moderate {s} pneumothorax"],
            "Surgical registrar aware; {s} chest drain."),
    "cons": ("cons", True, True,
             ["Dense consolidation {s} lower zone with air bronchograms",
              "Patchy airspace opacity in the {s} lower lobe, silhouetting the {s} hemidiaphragm",
              "New {s} lower zone consolidation"],
             ["{S} basal consolidation - likely infective", "{S} lower lobe pneumonia", "{S}-sided pneumonia"],
             "Start CAP antibiotics per CURB-65; sputum and blood cultures."),
    "eff": ("eff", True, True,
            ["Moderate {s} pleural effusion with a meniscus to the mid zone",
             "Large {s} effusion, opacifying the lower half of the {s} hemithorax",
             "{S} pleural effusion, moderate, no mediastinal shift"],
            ["Moderate {s} pleural effusion", "Large {s} effusion", "{S} effusion (moderate)"],
            "Bedside US +/- diagnostic tap of the {s} effusion."),
    "oed": ("oed", True, False,
            ["Upper lobe diversion, bilateral perihilar haze and Kerley B lines",
             "Interstitial oedema with septal lines and peribronchial cuffing",
             "Bilateral fluffy perihilar airspace shadowing in a bat-wing pattern, in keeping with oedema"],
            ["Pulmonary oedema", "Acute decompensated heart failure with interstitial oedema", "Pulmonary congestion"],
            "IV furosemide 40 mg, fluid balance, repeat film in the morning."),
    "nod": ("nod", True, True,
            ["{mm} mm nodule projecting over the {s} upper zone",
             "Well-defined {mm} mm nodule in the {s} mid zone, not seen on the 2019 film",
             "Spiculated {mm} mm nodule at the {s} lung apex"],
            ["{S} upper zone nodule ({mm} mm)", "New {mm} mm {s} lung nodule - needs CT",
             "{S} apical nodule, ? primary"],
            "Outpatient CT chest; letter to GP re nodule follow-up."),
    "mass": ("nod", True, True,
             ["{cm} cm lobulated mass at the {s} hilum",
              "Rounded {cm} cm mass in the {s} upper lobe"],
             ["{S} hilar mass", "{S} upper lobe mass, ? primary lung tumour"],
             "Staging CT chest/abdomen, 2WW lung cancer referral."),
    "col": ("col", True, True,
            ["{S} lower lobe collapse - triangular retrocardiac density, loss of the {s} hemidiaphragm outline",
             "{S} upper lobe collapse with elevation of the {s} hilum and tracheal shift to the {s}"],
            ["{S} lower lobe collapse", "Collapse of the {s} upper lobe"],
            "Chest physio, consider bronchoscopy for mucus plugging."),
    "med": ("med", True, False,
            ["Mediastinum widened to 9 cm at the level of the aortic knuckle",
             "Widened superior mediastinum with an indistinct aortic knuckle"],
            ["Widened mediastinum - aortic injury not excluded", "Widened mediastinum"],
            "Urgent CT aortogram; vascular surgery informed."),
    "air": ("air", True, False,
            ["Free air under both hemidiaphragms", "Crescent of free gas beneath the right hemidiaphragm"],
            ["Pneumoperitoneum", "Free subdiaphragmatic air - perforated viscus until proven otherwise"],
            "NBM, surgical review, CT abdomen."),
    # not significant per the spec
    "cardio": ("cardio", False, False,
               ["Heart mildly enlarged, CTR about 0.55 on the PA", "Borderline cardiomegaly, unchanged from last year"],
               ["Mild cardiomegaly", "Borderline heart size, stable"], ""),
    "smalleff": ("eff", False, True,
                 ["Blunting of the {s} costophrenic angle - trace effusion", "Small {s} pleural effusion"],
                 ["Trace {s} effusion", "Small {s} effusion"], ""),
    "gran": ("gran", False, True,
             ["Calcified granuloma {s} upper zone", "Small calcified granuloma in the {s} mid zone"],
             ["Old granulomatous disease", "Healed granuloma {s} lung"], ""),
    "spine": ("spine", False, False,
              ["Degenerative change in the thoracic spine", "Old healed fractures of the left 5th-7th ribs"],
              ["Degenerative spine", "Old rib fractures"], ""),
}
SIG_KEYS = [k for k, v in BANK.items() if v[1]]
SIDED_SIG = [k for k in SIG_KEYS if BANK[k][2]]
MINOR_KEYS = [k for k, v in BANK.items() if not v[1]]

# pertinent negatives per family: (phrase list, sentence)
NEG = {
    "ptx": ["no pneumothorax", "no PTX", "no pneumothorax"],
    "eff": ["no effusion", "no pleural effusion", "costophrenic angles clear"],
    "cons": ["no consolidation", "lungs clear", "no focal airspace disease"],
    "oed": ["no pulmonary oedema", "no congestion", "no features of failure"],
    "air": ["no free air", "no free gas under the diaphragm", "no free air"],
    "med": ["mediastinum not widened", "normal mediastinal width", "no mediastinal widening"],
    "cardio": ["heart size normal", "normal cardiac size", "CTR < 0.5"],
}
NORMAL_CONCL = ["No acute cardiopulmonary process.", "Nothing acute on the film.", "No acute chest pathology.",
                "Normal chest film.", "No acute cardiopulmonary abnormality.", "Unremarkable CXR."]
GENERIC_PLAN = ["Review the formal radiology report when available.", "Continue current management.",
                "Discharge with GP follow-up if obs remain stable.", "Repeat CXR in 6 weeks.",
                "Discuss at the morning handover."]
PLACEHOLDERS = ["___ cm", "XX mm", "[LEFT/RIGHT]", "[***]", "<insert>", "[ ] mm", "[side]", "***",
                "[mild/moderate/severe]", "_ mm"]
HISTORIES = ["___-year-old man, SOB and pleuritic pain", "67F, fever and productive cough x4d",
             "Fall from ladder, chest wall pain", "COPD, worsening SOB", "Post-op day 2, desaturating",
             "___ with haemoptysis, ex-smoker", "Chest pain, ?PE, CTPA pending", "Intubated for GCS 7"]


def cap(s):
    return s[:1].upper() + s[1:]


def fill(t, side, rng, nums=None):
    nums = nums if nums is not None else {"cm": rng.choice(["1.5", "2", "2.5", "3", "3.4", "4"]),
                                          "mm": str(rng.choice([7, 8, 9, 11, 12, 14, 18]))}
    s = side or ""
    return t.format(s=s, S=cap(s), cm=nums["cm"], mm=nums["mm"]), nums


def shared_dir():
    env = os.environ.get("MEDRAG_SHARED_DIR")
    root = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    tgz = root / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    dev = root / "eval" / "report_errors_dev.jsonl"
    if not tgz.is_file() or not dev.is_file():
        sys.stderr.write(f"shared data not found under {root}; set MEDRAG_SHARED_DIR to the shared folder\n")
        sys.exit(2)
    return root


def dev_uids(root):
    with open(root / "eval" / "report_errors_dev.jsonl") as fh:
        return {json.loads(line)["uid"] for line in fh if line.strip()}


def load_iu(root):
    """Real IU reports with both FINDINGS and IMPRESSION, sorted by uid; dev uids excluded."""
    skip = dev_uids(root)
    out = []
    with tarfile.open(root / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in sorted((m for m in tf.getmembers() if m.isfile() and m.name.endswith(".xml")), key=lambda m: m.name):
            r = ET.fromstring(tf.extractfile(m).read())
            uid = r.find("uId").attrib.get("id")
            sec = {a.attrib.get("Label"): (a.text or "").strip() for a in r.iter("AbstractText")}
            f, i = sec.get("FINDINGS", ""), sec.get("IMPRESSION", "")
            if uid in skip or len(f) < 40 or len(i) < 5:
                continue
            out.append({"uid": uid, "findings": f, "impression": i, "indication": sec.get("INDICATION", "")})
    return out


# ------------------------------------------------------------------ rendering
def neg_join(negs, rng):
    if not negs:
        return ""
    if rng.random() < 0.3 and all(n.startswith("no ") for n in negs) and len(negs) > 1:
        return "No " + " / ".join(n[3:] for n in negs)
    return ", ".join(negs)


def render(style, p, rng):
    """p: pos (list of sentences), negs (phrases or sentences), neg_sent (bool), concl (list), plan, hist,
    lines, f_empty, c_mode ('ok'|'empty'|'absent')."""
    pos, negs, concl = p["pos"], p["negs"], p["concl"]
    if p["neg_sent"]:
        negtxt = " ".join(n.rstrip(".") + "." for n in negs).rstrip(".")
    else:
        negtxt = neg_join(negs, rng)
    para = " ".join(s.rstrip(".") + "." for s in pos)
    f_empty, c_mode = p.get("f_empty"), p.get("c_mode", "ok")
    numbered = len(concl) > 1 and rng.random() < 0.6
    if numbered:
        ctext = "\n".join(f"{i}. {c.rstrip('.')}." for i, c in enumerate(concl, 1))
    else:
        ctext = " ".join(c.rstrip(".") + "." for c in concl)
    L = []
    if style == "ed_myread":
        L += [rng.choice(["ED PHYSICIAN NOTE", "Emergency Department - Clinician note", "ED reassessment"]),
              f"HPI: {p['hist']}.", ""]
        L.append(rng.choice(["CXR (my read), portable AP:", "CXR (my read):", "Radiology wet read (phoned through):",
                             "Imaging - CXR (my own read, not yet reported):"]))
        if not f_empty:
            if para:
                L.append(para)
            if negtxt:
                L.append(f"Pertinent negatives: {negtxt}.")
        lab = rng.choice(["Bottom line:", "Bottom line -"])
    elif style == "icu_today":
        L += [rng.choice(["ICU progress note", "ICU ward round", "Critical care daily review"]),
              f"Background: {p['hist']}.", ""]
        head = rng.choice(["Imaging: CXR today -", "CXR today -", "Imaging: CXR (AP supine, 06:00) -"])
        if f_empty:
            L.append(head)
        else:
            L.append(f"{head} {para}".rstrip() + (f" Pertinent negatives: {negtxt}." if negtxt else ""))
        L.append(f"Lines/tubes: {p['lines']}")
        lab = rng.choice(["Assessment (CXR):", "Assessment:"])
    elif style == "gp_letter":
        L += [rng.choice(["Dear Dr ___,", "Dear Colleague,"]),
              f"Re: {p['hist']}. I looked at the chest X-ray taken on ___ myself while the formal report is awaited.",
              ""]
        L.append("Findings:")
        if not f_empty:
            L.append(para + (f" {cap(negtxt)}." if negtxt else ""))
        lab = rng.choice(["Opinion:", "My opinion:"])
    elif style == "wet_read":
        L += [rng.choice(["Radiology wet read (prelim, on-call registrar):", "WET READ - preliminary, final to follow",
                          "Radiology wet read:"]), f"Indication: {p['hist']}.", ""]
        L.append("Positive findings:")
        if not f_empty:
            L += [f"- {s.rstrip('.')}" for s in pos] or ["- none"]
        L.append("Pertinent negatives:" + ("" if f_empty or not negtxt else f" {negtxt}."))
        lab = "Summary:"
    elif style == "pp_pn":
        L += [rng.choice(["EXAM: CHEST PA AND LATERAL", "EXAMINATION: XR CHEST 2 VIEWS",
                          "EXAM: CHEST, SINGLE AP VIEW"]),
              f"CLINICAL HISTORY: {p['hist']}.",
              rng.choice(["COMPARISON: None.", "COMPARISON: ___.", "COMPARISON: Prior."]),
              "", "FINDINGS:"]
        if not f_empty:
            L.append("  Pertinent positives:")
            L += [f"   - {s.rstrip('.')}." for s in pos] or ["   - None."]
            L.append("  Pertinent negatives:")
            if p["neg_sent"]:
                L += [f"   - {s.rstrip('.')}." for s in negs] or ["   - None."]
            else:
                L += [f"   - {cap(n)}." for n in negs] or ["   - None."]
        L.append("")
        lab = "IMPRESSION:"
    else:  # consult
        L += [rng.choice(["Respiratory consult", "Medical registrar review", "Acute medicine consult note"]),
              f"Reason: {p['hist']}.", ""]
        if f_empty:
            L.append("Imaging: CXR:")
        else:
            L.append("Imaging: CXR " + rng.choice(["PA", "AP", "(portable)"]) + " - " + para
                     + (f" Pertinent negatives: {negtxt}." if negtxt else ""))
        lab = "Summary:"
    if c_mode == "ok":
        if numbered or style == "pp_pn" or style == "wet_read":
            L += [lab, ctext] if numbered or rng.random() < 0.5 else [f"{lab} {ctext}"]
        else:
            L.append(f"{lab} {ctext}")
    elif c_mode == "empty":
        L.append(lab)
    if p.get("plan") and style != "pp_pn" and style != "wet_read":
        L.append(f"Plan: {p['plan']}")
    if style == "wet_read":
        L.append(rng.choice(["Discussed with ED team by phone.", "Final report to follow.",
                             "Prelim - not the final report."]))
    if style == "pp_pn" and rng.random() < 0.4:
        L += ["", "Electronically signed by: Dr ___ on ___"]
    out = "\n".join(L)
    return re.sub(r"\n{3,}", "\n\n", out).strip() + "\n"


LINES = ["ETT 4.5 cm above the carina; R IJ CVC tip in the SVC; NGT tip below the diaphragm.",
         "ETT tip 3 cm above carina, OK. L subclavian line tip at the cavoatrial junction. NG in stomach.",
         "Tracheostomy in situ. PICC tip in the lower SVC.", "None.", "NGT coiled in the stomach; ETT satisfactory."]


# ------------------------------------------------------------------ composed cases
def compose(rng, kind, omit_mode=None):
    """Return (parts, detail, checks). checks: dict used by verify()."""
    n_sig = rng.choice([0, 0, 1, 1, 1, 2]) if kind is None else 1 + (rng.random() < 0.3)
    if kind in ("laterality_conflict",):
        keys = [rng.choice(SIDED_SIG)]
    elif kind == "impression_omits_finding" and omit_mode == "other":
        keys = rng.sample(SIG_KEYS, 2)
    elif kind == "impression_omits_finding":
        keys = [rng.choice(SIG_KEYS)]
    else:
        keys = rng.sample(SIG_KEYS, n_sig) if n_sig else []
    fams = {BANK[k][0] for k in keys}
    if len(fams) < len(keys):
        keys = keys[:1]
        fams = {BANK[keys[0]][0]}
    minors = [m for m in rng.sample(MINOR_KEYS, rng.choice([0, 1, 1, 2])) if BANK[m][0] not in fams]
    side_of = {k: rng.choice(["left", "right"]) for k in keys + minors}
    pos, concl, fphr, cphr, plan = [], [], {}, {}, []
    for k in keys + minors:
        fam, sig, sided, fw, cw, pl = BANK[k]
        s = side_of[k] if sided else None
        ix = rng.randrange(len(fw))
        ft, nums = fill(fw[ix], s, rng)
        ct, _ = fill(cw[min(ix, len(cw) - 1)], s, rng, nums)
        ct = cap(ct)
        pos.append(ft)
        fphr[k], cphr[k] = ft, ct
        if sig or rng.random() < 0.5:
            concl.append(ct)
        if sig and pl:
            plan.append(fill(pl, s, rng, nums)[0])
    used = {BANK[k][0] for k in keys + minors}
    neg_fams = [f for f in NEG if f not in used]
    parench = used - {"cardio", "spine", "med", "air"}
    negs = [rng.choice([n for n in NEG[f] if not (parench and "clear" in n)])
            for f in rng.sample(neg_fams, min(len(neg_fams), rng.choice([2, 3, 4])))]
    if not concl:
        concl = [rng.choice(NORMAL_CONCL)]
    elif not any(BANK[k][1] for k in keys):
        concl.append(rng.choice(["Nothing acute.", "No acute process."]))
    p = {"pos": pos, "negs": negs, "neg_sent": False, "concl": concl,
         "plan": " ".join(plan) if plan else rng.choice(GENERIC_PLAN)}
    detail, chk = "", {}
    if kind == "missing_section":
        mode = rng.choice(["empty", "absent", "f_empty"])
        p["plan"] = rng.choice(GENERIC_PLAN)
        if mode == "f_empty":
            p["f_empty"] = True
            detail = "findings part left with its header and nothing under it"
        else:
            p["c_mode"] = mode
            detail = "conclusion part " + ("header left empty" if mode == "empty" else "left out entirely")
        chk = {"mode": mode}
    elif kind == "laterality_conflict":
        k = keys[0]
        s = side_of[k]
        o = "left" if s == "right" else "right"
        ci = concl.index(cphr[k])
        new = re.sub(rf"\b{s}\b", o, cphr[k])
        new = re.sub(rf"\b{cap(s)}\b", cap(o), new)
        if rng.random() < 0.5:
            concl[ci] = new
            detail = f"{k}: {s} in findings, flipped to {o} in the conclusion ({new!r})"
            chk = {"f": (fphr[k], s), "c": (new, o)}
        else:
            fi = pos.index(fphr[k])
            nf = re.sub(rf"\b{s}\b", o, fphr[k])
            nf = re.sub(rf"\b{cap(s)}\b", cap(o), nf)
            pos[fi] = nf
            detail = f"{k}: flipped to {o} in the findings ({nf!r}), conclusion still {s}"
            chk = {"f": (nf, o), "c": (cphr[k], s)}
        p["plan"] = rng.choice(GENERIC_PLAN)
    elif kind == "negation_conflict":
        cand = [k for k in keys if BANK[k][0] in NEG]
        if cand and rng.random() < 0.5:
            k = cand[0]
            fam = BANK[k][0]
            neg = rng.choice(NEG[fam])
            concl[concl.index(cphr[k])] = cap(neg)
            if all(c.startswith(("No ", "Lungs", "Normal", "Costo", "Medias", "Heart", "CTR")) for c in concl):
                concl.append(rng.choice(["Otherwise nothing acute.", "No other acute finding."]))
            detail = f"findings affirm {k} ({fphr[k]!r}) but the conclusion rules it out ({cap(neg)!r})"
            chk = {"aff": fphr[k], "neg": cap(neg), "neg_in": "c"}
        else:
            fam = rng.choice([f for f in NEG if f in neg_fams and f != "cardio"])
            k = rng.choice([kk for kk in SIG_KEYS if BANK[kk][0] == fam])
            s = rng.choice(["left", "right"]) if BANK[k][2] else None
            ct = cap(fill(rng.choice(BANK[k][4]), s, rng)[0])
            neg = rng.choice(NEG[fam])
            if not any(n in NEG[fam] for n in negs):
                negs.append(neg)
            else:
                neg = next(n for n in negs if n in NEG[fam])
            if concl[0] in NORMAL_CONCL:
                concl[0] = ct
            else:
                concl.insert(0, ct)
            detail = f"pertinent negative {neg!r} in the findings part, conclusion affirms {ct!r}"
            chk = {"aff": ct, "neg": neg, "neg_in": "f"}
        p["plan"] = rng.choice(GENERIC_PLAN)
    elif kind == "impression_omits_finding":
        k = keys[-1] if omit_mode == "other" else keys[0]
        fam = BANK[k][0]
        concl = [c for c in concl if c != cphr[k]]
        if omit_mode == "other":
            concl = [c for c in concl if not any(w in c.lower() for w in FAM_KW.get(fam, []))]
        if omit_mode != "other":
            concl = [rng.choice(NORMAL_CONCL)]
        elif not concl:
            concl = [rng.choice(["Mild cardiomegaly", "Degenerative thoracic spine", "Old granulomatous disease"])]
        p["concl"] = concl
        acting = rng.random() < 0.35
        p["plan"] = fill(BANK[k][5], side_of[k] if BANK[k][2] else None, rng)[0] if acting else rng.choice(GENERIC_PLAN)
        detail = f"findings affirm {k} ({fphr[k]!r}); conclusion leaves it out" + (
            " (plan still acts on it)" if acting else "") + f"; conclusion: {' '.join(concl)!r}"
        chk = {"fam": fam, "aff": fphr[k]}
    elif kind == "placeholder":
        detail, chk = put_placeholder(p, rng)
    # bottom-line pertinent negatives, repeated from the read ("No PTX, no free air")
    excl = chk.get("fam") or (fam if kind == "negation_conflict" and chk.get("neg_in") == "f" else None)
    bad = FAM_KW.get(excl, []) + NEG.get(excl, []) if excl else []
    cn = [n for n in negs if not any(w in n.lower() for w in bad)]
    if kind != "missing_section" and cn and rng.random() < 0.4:
        concl.append(cap(", ".join(rng.sample(cn, min(len(cn), 2)))))
    p["concl"] = concl
    p["pos"], p["negs"] = pos, negs
    return p, detail, chk


def put_placeholder(p, rng):
    """Blank a measurement, side, grade or finding word in one findings/conclusion item."""
    spots = []
    for sect in ("pos", "negs", "concl"):
        for i, t in enumerate(p[sect]):
            for m in re.finditer(r"\b\d+(\.\d+)? ?(cm|mm)\b|\b(left|right|Left|Right)\b|"
                                 r"\b(mild|moderate|Moderate|Large|small|Small|mildly)\b|\bnormal\b", t):
                spots.append((sect, i, m))
    if not spots:
        tok, sent = rng.choice([("[***]", "Heart size [***]."), ("<insert>", "Lungs: <insert>."),
                                ("[ ]", "Costophrenic angles: [ ]")])
        p["pos"].append(sent)
        return f"template finding field left blank in the findings: {sent!r}", {"tok": tok}
    sect, i, m = rng.choice(spots)
    t = p[sect][i]
    w = m.group(0)
    if re.match(r"\d", w):
        cms, mms = ["___ cm", "XX cm", "[ ] cm", "[***] cm"], ["XX mm", "[ ] mm", "___ mm", "_ mm"]
        tok = rng.choice(cms if "cm" in w else mms)
    elif w.lower() in ("left", "right"):
        tok = rng.choice(["[LEFT/RIGHT]", "[side]", "***", "[L/R]"])
    elif w == "normal":
        tok = rng.choice(["[normal/enlarged]", "[***]", "<insert>"])
    else:
        tok = rng.choice(["[mild/moderate/severe]", "[***]", "<grade>", "[size]"])
    p[sect][i] = t[:m.start()] + tok + t[m.end():]
    where = "conclusion" if sect == "concl" else "findings"
    return f"{w!r} replaced by {tok!r} in {where}: {p[sect][i]!r}", {"tok": tok}


# ------------------------------------------------------------------ real IU cases
SUBS = [(r"\bThere is no evidence of\b", "No"), (r"\bThere is no\b", "No"), (r"\bThere are no\b", "No"),
        (r"\bwithin normal limits\b", "normal"), (r"\bcardiomediastinal silhouette\b", "cardiomediastinal contour"),
        (r"\bpneumothorax\b", "pneumothorax"), (r"\bare clear\b", "are clear")]
NORMAL_RE = re.compile(r"^(\d\.\s*)?(no acute|normal|negative|no active|no evidence|unremarkable|clear lungs|"
                       r"no radiographic|stable chest|no significant)", re.I)
IU_NEG = {
    "ptx": re.compile(r"\bno\b[^.]*pneumothora", re.I),
    "eff": re.compile(r"\bno\b[^.]*effusion", re.I),
    "cons": re.compile(r"\bno\b[^.]*(consolidation|airspace)|lungs are clear", re.I),
}
AFFIRM = {
    "ptx": ["Small {s} apical pneumothorax.", "New {s} pneumothorax."],
    "eff": ["Moderate {s} pleural effusion.", "{S} pleural effusion."],
    "cons": ["{S} lower lobe pneumonia.", "{S} lower lobe airspace consolidation."],
}
INSERT = {
    "eff": "There is a moderate {s} pleural effusion.",
    "ptx": "Small {s} apical pneumothorax, rim 1.5 cm.",
    "cons": "New patchy consolidation in the {s} lower lobe.",
    "nod": "There is a nodule measuring {mm} mm projecting over the {s} mid lung.",
    "oed": "Interstitial and perihilar opacities with Kerley B lines, consistent with pulmonary edema.",
}
INSERT_DROP = {"eff": ["effusion", "costophrenic"], "ptx": ["pneumothora"],
               "cons": ["consolidat", "airspace", "clear", "opacit", "infiltrat"],
               "nod": ["nodul", "mass", "clear", "opacit"], "oed": ["edema", "vascular", "clear", "opacit"]}


def sents(t):
    return [s.strip() for s in re.split(r"(?<=\.)\s+(?=[A-Z0-9])", t.strip()) if s.strip()]


def reword(t):
    for a, b in SUBS:
        t = re.sub(a, b, t)
    return t


def real_parts(r, rng):
    fs = [reword(s) for s in sents(r["findings"])]
    neg_re = re.compile(r"^(no |normal|the lungs are clear|lungs are clear|clear lungs)|\b(normal|unremarkable|"
                        r"are clear|is clear|appear clear|appears clear)\b", re.I)
    pos = [s for s in fs if not neg_re.search(s)]
    negs = [s for s in fs if neg_re.search(s)]
    imp = re.sub(r"(^|\s)\d\.\s+", "\n", r["impression"].strip())
    concl = [c.strip() for c in imp.split("\n") if c.strip()] if "\n" in imp else [r["impression"].strip()]
    hist = (r["indication"] or "").strip().rstrip(".") or rng.choice(HISTORIES)
    return {"pos": pos, "negs": negs, "neg_sent": True, "concl": concl, "plan": rng.choice(GENERIC_PLAN),
            "hist": hist, "lines": "None."}


SIG_RE = {"ptx": r"pneumothora", "cons": r"consolidat|airspace disease|infiltrat|pneumonia",
          "eff": r"(moderate|large)[^.]*effusion", "oed": r"edema|congestion", "nod": r"\bmass\b|nodule",
          "med": r"widen[^.]*mediastin|mediastin[^.]*widen", "col": r"collapse", "air": r"free air|pneumoperitoneum"}


def real_ok(p):
    """No significant finding affirmed in the original findings that the original impression leaves out."""
    ctxt = " ".join(p["concl"]).lower()
    for sent in p["pos"] + p["negs"]:
        low = sent.lower()
        if re.search(r"\b(no|not|without|negative|resolved|clear|removed|exclude[ds]?)\b", low):
            continue
        for fam, rx in SIG_RE.items():
            if re.search(rx, low) and not any(w in ctxt for w in FAM_KW[fam]):
                return False
    return True


def sides(t):
    t = t.lower()
    return {w for w in ("left", "right") if re.search(rf"\b{w}\b", t)}


def real_case(r, rng, kind, omit_mode=None):
    """Return (parts, detail, chk) or None when the report does not suit the kind."""
    p = real_parts(r, rng)
    ftxt = " ".join(p["pos"] + p["negs"])
    ctxt = " ".join(p["concl"])
    fs, cs = sides(ftxt), sides(ctxt)
    if cs and not (cs & fs) or not real_ok(p):
        return None
    if kind is None:
        if not p["pos"] and not NORMAL_RE.search(ctxt):
            return None
        return p, "", {}
    if kind == "missing_section":
        mode = rng.choice(["empty", "absent", "f_empty"])
        if mode == "f_empty":
            p["f_empty"] = True
        else:
            p["c_mode"] = mode
        return p, {"f_empty": "findings header left empty", "empty": "conclusion header left empty",
                   "absent": "conclusion part removed"}[mode], {"mode": mode}
    if kind == "laterality_conflict":
        fs, cs = sides(ftxt), sides(ctxt)
        if len(cs) != 1 or fs != cs:
            return None
        s = next(iter(cs))
        o = "left" if s == "right" else "right"

        def flip(t):
            t = re.sub(rf"\b{s}\b", o, t)
            return re.sub(rf"\b{cap(s)}\b", cap(o), t)

        if rng.random() < 0.6:
            p["concl"] = [flip(c) for c in p["concl"]]
            return p, f"side '{s}' flipped to '{o}' in the conclusion: {' '.join(p['concl'])!r}", {"fs": s, "cs": o}
        p["pos"] = [flip(c) for c in p["pos"]]
        p["negs"] = [flip(c) for c in p["negs"]]
        return p, f"side '{s}' flipped to '{o}' throughout the findings; conclusion keeps '{s}'", {"fs": o, "cs": s}
    if kind == "negation_conflict":
        fams = [f for f, rx in IU_NEG.items() if rx.search(ftxt) and not any(w in ctxt.lower() for w in FAM_KW[f])]
        if not fams or sides(ctxt):
            return None
        fam = rng.choice(fams)
        s = rng.choice(["left", "right"])
        aff = fill(rng.choice(AFFIRM[fam]), s, rng)[0]
        if NORMAL_RE.search(ctxt):
            p["concl"] = [aff]
        else:
            p["concl"] = [aff] + p["concl"]
        neg = next(x for x in p["negs"] + p["pos"] if IU_NEG[fam].search(x))
        return p, f"findings rule out {fam} ({neg!r}); conclusion affirms {aff!r}", {"aff": aff, "neg": neg}
    if kind == "impression_omits_finding":
        normal = bool(NORMAL_RE.search(ctxt))
        if normal != (omit_mode == "normal"):
            return None
        fams = [f for f in INSERT if not any(w in ctxt.lower() for w in FAM_KW[f])]
        if not fams:
            return None
        fam = rng.choice(fams)
        s = rng.choice(["left", "right"])
        ins, _ = fill(INSERT[fam], s, rng)
        drop = INSERT_DROP[fam]
        p["pos"] = [x for x in p["pos"] if not any(d in x.lower() for d in drop)]
        p["negs"] = [x for x in p["negs"] if not any(d in x.lower() for d in drop)]
        p["pos"].insert(rng.randint(0, len(p["pos"])), ins)
        return p, f"added to findings {ins!r}; conclusion left as {ctxt!r}", {"fam": fam, "aff": ins}
    if kind == "placeholder":
        return (p,) + put_placeholder(p, rng)
    return None


# ------------------------------------------------------------------ verification
def split_sections(style, text, p):
    """Findings text and conclusion text of a rendered report, taken from the parts (the renderer is ours)."""
    f = "" if p.get("f_empty") else " ".join(p["pos"] + p["negs"])
    c = "" if p.get("c_mode", "ok") != "ok" else " ".join(p["concl"])
    return f, c


def verify(kind, p, chk, text):
    f, c = split_sections(None, text, p)
    if kind is None:
        assert f.strip() and c.strip()
        assert not re.search(r"\[\*\*\*\]|<insert>|\[LEFT/RIGHT\]|\bXX mm|___ cm|\[ \]", text)
        return
    if kind == "missing_section":
        assert (not f) if chk["mode"] == "f_empty" else (not c)
    elif kind == "laterality_conflict":
        if "fs" in chk:
            assert re.search(rf"\b{chk['fs']}\b", f, re.I) and re.search(rf"\b{chk['cs']}\b", c, re.I)
            assert not re.search(rf"\b{chk['fs']}\b", c, re.I)
        else:
            assert chk["f"][0] in f and chk["c"][0] in c and chk["f"][1] != chk["c"][1]
            assert re.search(rf"\b{chk['f'][1]}\b", chk["f"][0], re.I)
            assert re.search(rf"\b{chk['c'][1]}\b", chk["c"][0], re.I)
    elif kind == "negation_conflict":
        if chk.get("neg_in") == "c":
            assert chk["aff"] in f and chk["neg"] in c
        else:
            assert chk["aff"] in c and chk["neg"] in f
    elif kind == "impression_omits_finding":
        assert chk["aff"] in f
        assert not any(w in c.lower() for w in FAM_KW[chk["fam"]]), (c, chk)
    elif kind == "placeholder":
        assert chk["tok"] in text, (chk, text)


# ------------------------------------------------------------------ build
def case_id(seed, n, text):
    return hashlib.sha1(f"h39|{seed}|{n}|{text}".encode()).hexdigest()[:16]


def build(seed, root=None):
    root = root or shared_dir()
    rng = random.Random(seed)
    iu = load_iu(root)
    rng.shuffle(iu)
    pool = iter(iu)
    cases = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        half = n // 2
        for j in range(n):
            style = STYLES[len(cases) % len(STYLES)]
            omit_mode = ("normal" if j % 2 == 0 else "other") if kind == "impression_omits_finding" else None
            if j < half:  # composed
                p, detail, chk = compose(rng, kind, omit_mode)
                p["hist"] = rng.choice(HISTORIES)
                p["lines"] = rng.choice(LINES)
                src = "composed"
            else:
                while True:
                    r = next(pool)
                    got = real_case(r, rng, kind, omit_mode)
                    if got:
                        break
                p, detail, chk = got
                p["lines"] = rng.choice(["Nil new.", "As above.", "None."])
                src = f"IU {r['uid']}"
            text = render(style, p, rng)
            verify(kind, p, chk, text)
            cases.append({"injected": kind, "detail": f"[{src}; {style}] {detail}".strip(), "report": text,
                          "_uid": src})
    rng.shuffle(cases)
    out = []
    for n, c in enumerate(cases):
        out.append({"id": case_id(seed, n, c["report"]), "injected": c["injected"], "detail": c["detail"],
                    "report": c["report"]})
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=39)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    cases = build(a.seed)
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    if a.show:
        for k in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == k][: a.show]:
                print(f"===== {k} | {c['detail']}\n{c['report']}")
    print(f"wrote {len(cases)} cases to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
