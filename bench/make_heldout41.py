"""Held-out report-check set no. 41: segmental and lobar anatomy written every way.

Written BLIND: without reading the checker (medrag_core/), its tests, docs or any other bench
generator; only the scorer's format, the IU archive and the dev set's `uid` field were used.

Styles: lobe abbreviations (RUL, RML, RLL, LUL, LLL, "R mid zone", "L base"), segment names
("superior segment of the left lower lobe", "apicoposterior", "lateral basal", lingular
segments), segment numbers (S1-S10, S1+2, "RB6 territory"), fissures, bronchi, retrocardiac /
paracardiac / costophrenic recess / azygo-oesophageal line; layouts: prose, lobe-by-lobe rows,
right-lung/left-lung blocks, numbered impressions; one section in abbreviations and the other in
full words. Errors: a side flipped only in the abbreviation or segment form, a segmental finding
ruled out by a lobe- or lung-level negation (or the reverse), a significant segmental finding left
out of the impression, template blanks for a lobe, segment, side, size or grade, and emptied or
absent sections. Half of every group is composed from the phrase bank below, half is real IU
(Open-i) reports, dev uids excluded, re-laid-out and partly re-worded into lobe abbreviations.

usage: python -m bench.make_heldout41 OUT.jsonl --seed S [--show N]
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

# ----------------------------------------------------------------------------- anatomy
LOBES = {"RUL": ("right", "upper"), "RML": ("right", "middle"), "RLL": ("right", "lower"),
         "LUL": ("left", "upper"), "LLL": ("left", "lower")}
SEGS = {
    "RUL": [("apical", "1"), ("posterior", "2"), ("anterior", "3")],
    "RML": [("lateral", "4"), ("medial", "5")],
    "RLL": [("superior", "6"), ("medial basal", "7"), ("anterior basal", "8"), ("lateral basal", "9"),
            ("posterior basal", "10")],
    "LUL": [("apicoposterior", "1+2"), ("anterior", "3"), ("superior lingular", "4"), ("inferior lingular", "5")],
    "LLL": [("superior", "6"), ("anteromedial basal", "7+8"), ("lateral basal", "9"), ("posterior basal", "10")],
}
MIRROR = {"RUL": "LUL", "LUL": "RUL", "RLL": "LLL", "LLL": "RLL"}
ZONE = {"upper": "upper zone", "middle": "mid zone", "lower": "base"}
FORMS_SEG = ["full", "abbr_seg", "num", "bronch", "seg_lobe"]
FORMS_LOBE = ["lobe_abbr", "lobe_full", "zone"]


def opp(side):
    return "left" if side == "right" else "right"


def loc(lobe, seg, form):
    side, pos = LOBES[lobe]
    if seg is None or form in FORMS_LOBE:
        if form == "zone":
            return f"{side[0].upper()} {ZONE[pos]}"
        if form == "lobe_full":
            return f"the {side} {pos} lobe"
        return lobe
    name, num = seg
    if form == "full":
        if "lingular" in name:
            return f"the {name} segment of the left upper lobe"
        return f"the {name} segment of the {side} {pos} lobe"
    if form == "abbr_seg":
        return f"the {lobe} {name} segment"
    if form == "num":
        return f"{lobe} (S{num})" if num in ("1+2", "7+8") else f"{side} S{num}"
    if form == "bronch":
        return f"the {side[0].upper()}B{num} ({name}) territory"
    return f"the {name} segment, {lobe}"


def is_abbr(form):
    return form in ("abbr_seg", "num", "bronch", "lobe_abbr", "zone", "seg_lobe")


def other_form(form, lobe_only):
    pool = FORMS_LOBE if lobe_only else FORMS_SEG + ["lobe_abbr", "lobe_full"]
    want = not is_abbr(form)
    return [f for f in pool if is_abbr(f) == want]


# Significant findings: findings sentence, impression phrase, words that name them in any wording.
SIG = {
    "consolidation": (
        ["Consolidation in {L}.", "Airspace consolidation within {L}, with air bronchograms.",
         "Dense consolidation occupying {L}.", "Patchy consolidation, {L}; the adjacent fissure is sharp."],
        ["{L} consolidation, likely pneumonia.", "Pneumonia in {L}.",
         "Consolidation, {L} - in keeping with infection."],
        ["consolidat", "pneumon", "airspace", "air-space", "opacit", "infect", "infiltrat", "shadow", "density"]),
    "nodule": (
        ["{N} mm nodule in {L}.", "A well-defined {N} mm nodule projects over {L}.",
         "Rounded {N} mm nodule, {L}."],
        ["{N} mm nodule in {L}; CT chest recommended.", "{L} nodule ({N} mm) - CT advised."],
        ["nodul", "mass", "lesion", "opacit", "neoplas", "malignan", "density", "ct "]),
    "mass": (
        ["{C} cm mass in {L}.", "Lobulated {C} cm mass centred on {L}.",
         "There is a {C} cm spiculated mass in {L}."],
        ["{C} cm mass in {L}, suspicious for malignancy; CT recommended.", "{L} mass ({C} cm) - needs CT."],
        ["mass", "nodul", "lesion", "opacit", "neoplas", "malignan", "tumou", "tumor", "density", "ct "]),
    "new_opacity": (
        ["New ill-defined opacity in {L} since the previous film.",
         "Increasing opacity in {L} compared with the prior study."],
        ["New {L} opacity, possibly early infection.", "Increasing opacity in {L}."],
        ["opacit", "consolidat", "pneumon", "airspace", "infect", "infiltrat", "shadow", "density", "new", "increas"]),
}
COLLAPSE_F = {
    "RUL": "Collapse of the right upper lobe: the minor fissure is elevated and bowed upwards.",
    "RML": "Right middle lobe collapse: the right heart border is effaced and the minor fissure is depressed.",
    "RLL": "Right lower lobe collapse with loss of the medial right hemidiaphragm; the oblique fissure is displaced.",
    "LUL": ("Veil-like haze over the left hemithorax with loss of the left heart border, "
            "in keeping with left upper lobe collapse."),
    "LLL": "Retrocardiac triangular opacity with loss of the medial left hemidiaphragm - left lower lobe collapse.",
}
COLLAPSE_F_ABBR = {
    "RUL": "RUL collapse - minor fissure elevated.",
    "RML": "RML collapse; R heart border effaced.",
    "RLL": "RLL collapse, medial R hemidiaphragm lost.",
    "LUL": "LUL collapse with veil-like haze and loss of the L heart border.",
    "LLL": "LLL collapse (retrocardiac sail sign).",
}
COLLAPSE_SYN = ["collaps", "atelecta", "volume loss", "opacit", "sail", "density"]
SYN = {k: v[2] for k, v in SIG.items()}
SYN["collapse"] = COLLAPSE_SYN
SYN["effusion"] = ["effusion", "fluid", "pleural", "costophrenic", "blunt", "meniscus"]

NEG_LOBE = {  # negation that rules out a finding of this type, placed in the other section
    "consolidation": ["No consolidation in {L}.", "{L} is clear.", "The lungs are clear.",
                      "No lobar or segmental consolidation."],
    "nodule": ["No pulmonary nodule.", "No nodule or mass in {L}.", "{L} is clear."],
    "mass": ["No lung mass.", "No mass in {L}.", "{L} is clear."],
    "new_opacity": ["No new opacity.", "{L} is clear.", "The lungs are clear."],
    "collapse": ["No lobar collapse.", "{L} is fully expanded.", "No collapse of {L}."],
}


def cap(s):
    return s[0].upper() + s[1:] if s else s


# Non-significant findings for clean reports and "other findings" impressions.
MINOR = [
    ("granuloma", "Small calcified granuloma in {L}.", "Old calcified granuloma in {L}."),
    ("small_nodule", "{n} mm nodule in {L}, unchanged over two years.", "Stable {n} mm nodule in {L}."),
    ("plate", "Linear plate atelectasis at the {B}.", "Minor plate atelectasis, {B}."),
    ("azygos", "Azygos fissure noted, a normal variant.", "Azygos lobe (normal variant)."),
    ("spine", "Degenerative change in the thoracic spine.", "Thoracic spondylosis."),
    ("mildcm", "Heart size at the upper limit of normal, unchanged.", "Borderline heart size, stable."),
]


# ----------------------------------------------------------------------------- rendering
HEADS = [("FINDINGS:", "IMPRESSION:"), ("Findings:", "Impression:"), ("FINDINGS", "IMPRESSION"),
         ("FINDINGS -", "IMPRESSION -")]
EXAMS = ["EXAMINATION: CHEST, PA AND LATERAL", "XR CHEST 2 VIEWS", "Exam: Chest radiograph PA/lateral",
         "CHEST X-RAY (PA + LAT)", "Procedure: CR CHEST PA LAT", "Chest PA"]


def render(rng, indication, comparison, findings, impression, mask=False):
    """findings/impression: str, "" (header left empty) or None (section absent)."""
    hf, hi = rng.choice(HEADS)
    inline = rng.random() < 0.3 and "\n" not in (findings or "") + (impression or "")
    lines = [rng.choice(EXAMS)]
    if mask:
        lines.append(rng.choice(["Referring: Dr. ___", "History: ___-year-old with cough.",
                                 "Requested by ___ on ___."]))
    if indication:
        lines.append(f"{rng.choice(['Indication', 'CLINICAL HISTORY', 'Clinical details', 'Reason'])}: {indication}")
    if comparison:
        lines.append(f"{rng.choice(['Comparison', 'COMPARISON', 'Prior'])}: {comparison}")
    lines.append("")
    for head, body in ((hf, findings), (hi, impression)):
        if body is None:
            continue
        if body == "":
            lines.append(head)
        elif inline:
            lines.append(f"{head} {body}")
        else:
            lines.append(head)
            lines.append(body)
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def split_sections(text):
    """Back from a rendered report to (findings, impression) bodies, for the self-checks."""
    m_f = re.search(r"^FINDINGS\s*[:\-]?|^Findings:", text, re.M)
    m_i = re.search(r"^IMPRESSION\s*[:\-]?|^Impression:", text, re.M)
    f = text[m_f.end():m_i.start() if m_i and m_i.start() > m_f.start() else len(text)] if m_f else None
    i = text[m_i.end():] if m_i else None
    return (f.strip() if f is not None else None), (i.strip() if i is not None else None)


# ----------------------------------------------------------------------------- composed reports
INDICATIONS = ["Cough and fever.", "Productive cough, crackles R base.", "Follow-up of LLL pneumonia.",
               "Ex-smoker, haemoptysis.", "Pre-operative.", "SOB, ?infection.", "Persistent cough 6 weeks.",
               "Abnormal breath sounds left base.", "Pleuritic chest pain.", "Staging, known colorectal cancer."]
COMPARISONS = ["None.", "Chest radiograph 3 months ago.", "Prior film available.", "CT chest last year.", "No prior."]
NORMAL_IMP = ["No acute cardiopulmonary abnormality.", "Normal chest radiograph.", "No active lung disease.",
              "All lobes clear. No acute process.", "No lobar or segmental consolidation. Normal study."]


SAFE_NORMAL_IMP = ["No acute cardiopulmonary abnormality.", "Normal chest radiograph.", "No active disease.",
                   "No acute process."]


def pick_site(rng, lobe_only=False, lobes=None):
    lobe = rng.choice(lobes or list(LOBES))
    seg = None if lobe_only else rng.choice(SEGS[lobe])
    return lobe, seg


def sig_finding(rng, ftype=None, lobes=None):
    ftype = ftype or rng.choice(["consolidation", "consolidation", "nodule", "mass", "collapse", "new_opacity"])
    lobe_only = ftype == "collapse" or rng.random() < 0.2
    lobe, seg = pick_site(rng, lobe_only, lobes)
    return {"type": ftype, "lobe": lobe, "seg": seg, "N": rng.randint(7, 24),
            "C": rng.choice(["2.5", "3", "3.8", "4.5", "5"])}


def f_sentence(rng, f, form):
    if f["type"] == "collapse":
        return COLLAPSE_F_ABBR[f["lobe"]] if is_abbr(form) else COLLAPSE_F[f["lobe"]]
    tmpl = rng.choice(SIG[f["type"]][0])
    return cap(tmpl.format(L=loc(f["lobe"], f["seg"], form), N=f["N"], C=f["C"]))


def i_phrase(rng, f, form, lobe_override=None):
    lobe = lobe_override or f["lobe"]
    seg = f["seg"]
    if lobe_override and seg is not None:
        names = [s for s in SEGS[lobe] if s[0] == seg[0]]
        seg = names[0] if names else None
    if f["type"] == "collapse" or seg is None:
        form = "lobe_abbr" if is_abbr(form) else "lobe_full"
    if f["type"] == "collapse":
        return cap(f"{bare(loc(lobe, None, form), '{L}')} collapse.")
    tmpl = rng.choice(SIG[f["type"]][1])
    return cap(tmpl.format(L=bare(loc(lobe, seg, form), tmpl), N=f["N"], C=f["C"]))


def bare(L, tmpl):
    """Drop a leading article where the location opens the phrase or follows a comma."""
    if re.search(r"\b(in|of|over|within) \{L\}", tmpl):
        return L
    L = re.sub(r"^the ", "", L)
    m = re.fullmatch(r"(.+ segment), ([RL][UML]L)", L)
    if m:
        L = f"{m.group(2)} {m.group(1)}"
    m = re.fullmatch(r"(.+) segment of the (.+ lobe)", L)
    if m and re.search(r"\{L\} [a-z(]", tmpl):  # location used as an adjective
        L = f"{m.group(2)} {m.group(1)} segment"
    return L


def minor_findings(rng, k, avoid_lobes=()):
    out = []
    for name, fs, is_ in rng.sample(MINOR, k):
        lobe = rng.choice([x for x in LOBES if x not in avoid_lobes] or list(LOBES))
        side = LOBES[lobe][0]
        form = rng.choice(["lobe_abbr", "lobe_full", "abbr_seg", "full"])
        L = loc(lobe, rng.choice(SEGS[lobe]), form)
        B = rng.choice([f"{side} base", f"{side[0].upper()} base", f"{side} lower zone"])
        n = rng.randint(3, 5)
        out.append((name, lobe, cap(fs.format(L=L, B=B, n=n)), cap(is_.format(L=L, B=B, n=n))))
    return out


def negatives(rng, sig, minors, k):
    lobes = {f["lobe"] for f in sig}
    types = {f["type"] for f in sig}
    pool = ["No pneumothorax.", "Mediastinal contour is normal.", "The hila are normal."]
    if "effusion" not in types:
        pool += ["Costophrenic recesses are sharp.", "No pleural effusion."]
    if not any(m[0] == "mildcm" for m in minors):
        pool.append("Heart size is normal.")
    if "LLL" not in lobes:
        pool += ["Retrocardiac region is clear.", "Azygo-oesophageal line is normal."]
    if not lobes & {"RML", "LUL"}:
        pool.append("Paracardiac regions are clear.")
    if "collapse" not in types:
        pool += ["Minor and oblique fissures are in normal position.", "The lobar bronchi are patent."]
    if not sig and not minors:
        pool += ["The lungs are clear.", "All five lobes are clear."]
    elif sig:
        pool.append("The remaining lobes are clear.")
    return rng.sample(pool, min(k, len(pool)))


def lobar_rows(rng, entries, neg_rows=()):
    """entries: {lobe: sentence}; rows for every lobe, 'clear' for the rest (unless it would conflict)."""
    rows = []
    for lobe in LOBES:
        if lobe in entries:
            rows.append(f"{lobe}: {entries[lobe]}")
        elif rng.random() < 0.85:
            rows.append(f"{lobe}: {rng.choice(['clear', 'clear.', 'no focal abnormality', 'normal'])}")
    return rows


def compose(rng, kind):
    """Returns (findings, impression, detail, meta) for a composed report."""
    ind, comp = rng.choice(INDICATIONS), rng.choice(COMPARISONS)
    layout = rng.choice(["prose", "lobar", "sided"])
    f_form = rng.choice(FORMS_SEG + FORMS_LOBE)
    meta = {"ind": ind, "comp": comp}
    n_sig = 0 if kind in (None, "missing_section", "placeholder") and rng.random() < 0.45 else 1
    sig = []
    if kind in ("laterality_conflict",):
        sig = [sig_finding(rng, rng.choice(["consolidation", "nodule", "mass", "collapse", "new_opacity"]),
                           lobes=["RUL", "RLL", "LUL", "LLL"])]
    elif n_sig:
        sig = [sig_finding(rng)]
    if sig and kind is None and rng.random() < 0.3:
        other = sig_finding(rng, "nodule", lobes=[x for x in LOBES if LOBES[x][0] != LOBES[sig[0]["lobe"]][0]])
        sig.append(other)
    minors = minor_findings(rng, rng.choice([0, 0, 1, 2]), avoid_lobes={f["lobe"] for f in sig})
    if kind == "negation_conflict":
        minors = [m for m in minors if m[0] not in ("small_nodule", "plate")]
    detail = ""
    f_sents = {}  # lobe -> sentence (for lobar rows); others in extra list
    extra = []
    for f in sig:
        form = f_form if not (f["seg"] is None and f_form in FORMS_SEG) else rng.choice(FORMS_LOBE)
        if form in FORMS_LOBE:
            f["seg"] = None
        f["f_form"] = form
        f_sents.setdefault(f["lobe"], []).append(f_sentence(rng, f, form))
    for m in minors:
        extra.append(m[2])
    imp_parts = []
    for f in sig:
        iform = rng.choice(other_form(f["f_form"], f["seg"] is None or f["type"] == "collapse"))
        f["i_form"] = iform
        imp_parts.append(i_phrase(rng, f, iform))
    imp_parts += [m[3] for m in minors if rng.random() < 0.5]
    neg_f = negatives(rng, sig, minors, rng.randint(2, 4))
    imp_neg_extra = []

    if kind == "laterality_conflict":
        f = sig[0]
        flip_lobe = MIRROR[f["lobe"]]
        if rng.random() < 0.6:  # impression dictated with the wrong side
            iform = f["i_form"]
            new = i_phrase(rng, f, iform, lobe_override=flip_lobe)
            imp_parts[0] = new
            detail = f"impression places the {f['type']} in {flip_lobe} ({new!r}); findings put it in {f['lobe']}"
        else:  # findings dictated with the wrong side
            g = dict(f, lobe=flip_lobe)
            if g["seg"] is not None:
                names = [s for s in SEGS[flip_lobe] if s[0] == f["seg"][0]]
                g["seg"] = names[0] if names else None
                if g["seg"] is None:
                    f["f_form"] = rng.choice(FORMS_LOBE)
            new = f_sentence(rng, g, f["f_form"] if g["seg"] or f["f_form"] in FORMS_LOBE else "lobe_abbr")
            f_sents = {flip_lobe: [new]}
            detail = f"findings place the {f['type']} in {flip_lobe} ({new!r}); impression puts it in {f['lobe']}"
        meta["flip"] = (f["lobe"], flip_lobe)
        neg_f = [n for n in neg_f if "remaining" not in n and "Retrocardiac" not in n and "Azygo" not in n
                 and "Paracardiac" not in n]
    elif kind == "negation_conflict":
        f = sig[0]
        L = loc(f["lobe"], None, rng.choice(["lobe_abbr", "lobe_full"]))
        neg = cap(rng.choice(NEG_LOBE[f["type"]]).format(L=L))
        if rng.random() < 0.5:  # findings affirm, impression rules out
            imp_parts = [p for p in imp_parts[1:]] + [neg]
            if rng.random() < 0.5:
                imp_parts.append(rng.choice(["No acute process.", "Otherwise normal."]))
            detail = f"findings affirm {f['type']} in {f['lobe']}; impression says {neg!r}"
        else:  # findings rule out, impression affirms
            f_sents = {}
            neg_f = [n for n in neg_f if "remaining" not in n] + [neg]
            if layout == "lobar":
                f_sents = {f["lobe"]: [rng.choice(["clear.", "clear, no consolidation or nodule."])]}
                neg_f = [n for n in neg_f if n != neg]
                neg = f"{f['lobe']}: clear"
            detail = f"findings rule out ({neg!r}); impression affirms {f['type']} in {f['lobe']}"
        meta["neg"] = neg
    elif kind == "impression_omits_finding":
        f = sig[0]
        imp_parts = imp_parts[1:]
        if rng.random() < 0.5 or not imp_parts:
            if rng.random() < 0.5 and not imp_parts:
                extra_m = minor_findings(rng, 1, avoid_lobes={f["lobe"]})
                extra_m = [m for m in extra_m if not any(w in m[3].lower() for w in SYN[f["type"]])]
                extra += [m[2] for m in extra_m]
                imp_parts = [m[3] for m in extra_m]
            if not imp_parts:
                imp_parts = [rng.choice(SAFE_NORMAL_IMP)]
        imp_parts = [p for p in imp_parts if not any(w in p.lower() for w in SYN[f["type"]] + ["clear"])] or \
            [rng.choice(["No acute cardiopulmonary process.", "No acute disease."])]
        detail = f"findings affirm {f['type']} in {f['lobe']}; impression ({' '.join(imp_parts)!r}) omits it"
        meta["omit"] = f
    if not imp_parts:
        lung_minor = any(m[0] in ("granuloma", "small_nodule", "plate") for m in minors)
        imp_parts = [rng.choice(SAFE_NORMAL_IMP if lung_minor else NORMAL_IMP)]
    imp_parts += imp_neg_extra

    # findings text
    if layout == "lobar":
        entries = {lb: " ".join(s) for lb, s in f_sents.items()}
        rows = lobar_rows(rng, entries)
        if any(r[:3] in LOBES and r.split(": ")[1].startswith(("clear", "normal", "no focal")) for r in rows):
            neg_f = [n for n in neg_f if "lungs are clear" not in n and "All five" not in n]
        rows += [cap(n) for n in neg_f] + extra
        findings = "\n".join(rows)
    elif layout == "sided":
        right = [s for lb, ss in f_sents.items() if LOBES[lb][0] == "right" for s in ss]
        left = [s for lb, ss in f_sents.items() if LOBES[lb][0] == "left" for s in ss]
        findings = "\n".join([
            "Right lung: " + (" ".join(right) if right else rng.choice(["RUL, RML and RLL clear.", "clear."])),
            "Left lung: " + (" ".join(left) if left else
                             rng.choice(["LUL including lingula and LLL clear.", "clear."])),
            "Other: " + " ".join(neg_f + extra)])
    else:
        sents = [s for ss in f_sents.values() for s in ss] + neg_f + extra
        findings = " ".join(sents)
    if (kind == "negation_conflict" and "affirms" in detail.split(";")[1] and layout != "lobar"
            and meta["neg"] not in findings):
        findings += " " + meta["neg"]
    if len(imp_parts) > 1 and rng.random() < 0.5:
        impression = "\n".join(f"{i + 1}. {p}" for i, p in enumerate(imp_parts))
    else:
        impression = " ".join(imp_parts)
    meta["sig"] = sig
    return findings, impression, detail, meta


# ----------------------------------------------------------------------------- IU reports
ABBR = [(r"\bright upper lobe\b", "RUL"), (r"\bright middle lobe\b", "RML"), (r"\bright lower lobe\b", "RLL"),
        (r"\bleft upper lobe\b", "LUL"), (r"\bleft lower lobe\b", "LLL"), (r"\bright base\b", "R base"),
        (r"\bleft base\b", "L base"), (r"\bcostophrenic angles?\b", "costophrenic recess")]


def shared_dir():
    d = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(d) if d else Path(__file__).resolve().parents[1].parent / "shared"
    if not (p / "data/iu_reports/NLMCXR_reports.tgz").exists() or not (p / "eval/report_errors_dev.jsonl").exists():
        return None
    return p


def load_iu(shared):
    dev = set()
    with open(shared / "eval/report_errors_dev.jsonl") as fh:
        for line in fh:
            dev.add(json.loads(line)["uid"])
    out = []
    with tarfile.open(shared / "data/iu_reports/NLMCXR_reports.tgz") as t:
        for m in t.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(t.extractfile(m)).getroot()
            uid = root.find("uId").get("id")
            d = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            if uid in dev or not d.get("FINDINGS") or not d.get("IMPRESSION"):
                continue
            out.append({"uid": uid, "f": d["FINDINGS"], "i": d["IMPRESSION"],
                        "ind": d.get("INDICATION", ""), "comp": d.get("COMPARISON", "")})
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return out, dev


def abbreviate(text):
    for pat, rep in ABBR:
        text = re.sub(pat, rep, text, flags=re.I)
    return text


SIDE_RE = re.compile(r"\b(right|left)\b|\b([RL])(UL|ML|LL)\b|\b([RL]) (base|mid zone)\b", re.I)


def side_of(m):
    w = m.group(0).lower()
    return "right" if w.startswith("r") else "left"


def region(text, pos):
    s = text[pos:pos + 40].lower()
    for key, words in (("upper", ("upper", "apex", "apical", "ul")),
                       ("lower", ("lower", "base", "basilar", "ll", "costophrenic", "hemidiaphragm")),
                       ("mid", ("middle", "ml", "mid")), ("pleural", ("effusion", "pleural")),
                       ("hilar", ("hilar", "hilum"))):
        if any(re.search(rf"\b{w}", s) for w in words):
            return key
    return None


def iu_sides(text):
    return [(m, side_of(m), region(text, m.start())) for m in SIDE_RE.finditer(text)]


FLIP_RE = re.compile(r"\b(right|left) (upper|lower) lobe\b|\b([RL])(UL|LL)\b|"
                     r"\b([RL]) (base|mid zone)\b|\b(right|left)\b", re.I)


def flip_token(m):
    w = m.group(0)
    if m.group(1):  # full lobe name -> opposite abbreviation
        return ("L" if m.group(1).lower() == "right" else "R") + m.group(2)[0].upper() + "L"
    if m.group(3):  # abbreviation -> opposite full words
        return f"{'left' if w[0] == 'R' else 'right'} {'upper' if w[1] == 'U' else 'lower'} lobe"
    if m.group(5):
        return ("L" if w[0] == "R" else "R") + w[1:]
    new = "left" if w.lower() == "right" else "right"
    return cap(new) if w[0].isupper() else new


NORMAL_RE = re.compile(r"no acute|normal|negative|unremarkable|no active|no evidence of", re.I)
OTHER_RE = re.compile(r"cardiomegal|degenerat|granulom|scar|tortuous|aort|hernia|spondyl|calcif|fracture|emphysema|"
                      r"copd|hyperinfl|sternot|postop|chronic|stable|enlarg", re.I)
PH_SIDE = ["[LEFT/RIGHT]", "[***]", "<side>", "___"]
PH_LOBE = ["[RUL/RML/RLL]", "[lobe]", "[***]", "<lobe>"]
PH_SIZE = ["XX", "___", "[**]", "<size>"]
PH_GRADE = ["[mild/moderate/severe]", "[***]", "<grade>", "[small/moderate/large]"]


def place_placeholder(rng, text):
    """Replace one side / lobe / size / grade word with a template blank. Returns (text, detail) or None."""
    sites = []
    for m in re.finditer(r"\b(right|left)\b(?! lung:)", text, re.I):
        sites.append((m, rng.choice(PH_SIDE)))
    for m in re.finditer(r"\b[RL][UML]L\b", text):
        sites.append((m, rng.choice(PH_LOBE)))
    for m in re.finditer(r"\b\d+(\.\d+)?(?= ?(cm|mm)\b)", text):
        sites.append((m, rng.choice(PH_SIZE)))
    for m in re.finditer(r"\b(mild|moderate|small|large|minimal)\b", text, re.I):
        sites.append((m, rng.choice(PH_GRADE)))
    if not sites:
        return None
    m, ph = rng.choice(sites)
    return text[:m.start()] + ph + text[m.end():], f"{m.group(0)!r} replaced by template blank {ph!r}"


# ----------------------------------------------------------------------------- building
def make_iu(rng, rec, kind):
    f, i = rec["f"], rec["i"]
    if rng.random() < 0.5:
        f = abbreviate(f)
    elif rng.random() < 0.4:
        i = abbreviate(i)
    detail, meta = "", {}
    if kind == "missing_section":
        v = rng.choice(["imp_absent", "imp_empty", "find_empty", "imp_absent"])
        if v == "imp_absent":
            i, detail = None, "IMPRESSION section removed"
        elif v == "imp_empty":
            i, detail = "", "IMPRESSION header left empty"
        else:
            f, detail = "", "FINDINGS header left empty"
    elif kind == "laterality_conflict":
        text = f + " " + i
        if re.search(r"bilat|both|bibas|\bbi-", text, re.I):
            return None
        fs, is_ = iu_sides(f), iu_sides(i)
        sides = {s for _, s, _ in fs + is_}
        if len(sides) != 1 or not fs or not is_:
            return None
        side = sides.pop()
        cands = [("i", m, r) for m, _, r in is_ if r and r in {x[2] for x in fs}] + \
                [("f", m, r) for m, _, r in fs if r and r in {x[2] for x in is_}]
        if not cands:
            return None
        which, m, r = rng.choice(cands)
        src = i if which == "i" else f
        start = max(src.rfind(". ", 0, m.start()) + 2, 0) if src.rfind(". ", 0, m.start()) >= 0 else 0
        end = src.find(".", m.end())
        end = len(src) if end < 0 else end
        sent = src[start:end]
        if re.search(r"middle lobe|\b[RL]ML\b|lingul|extremity|\barm\b", sent, re.I):
            return None
        new = FLIP_RE.sub(flip_token, sent)
        out = src[:start] + new + src[end:]
        if which == "i":
            i = out
        else:
            f = out
        detail = f"{'impression' if which == 'i' else 'findings'}: side flipped in {sent!r} -> {new!r} ({r})"
    elif kind == "negation_conflict":
        if not re.search(r"no (focal )?(airspace|consolidation|infiltrate|pneumonia)|lungs are clear|clear lungs|"
                         r"no focal (airspace|consolid)|no (evidence of )?pleural effusion", f, re.I):
            return None
        if re.search(r"effusion|consolidat|airspace|opacit|pneumonia|infiltrat|atelecta", i, re.I):
            return None
        if re.search(r"no (pleural )?effusion|no (evidence of )?pleural effusion", f, re.I) and rng.random() < 0.35:
            side = rng.choice(["right", "left"])
            i = rng.choice([f"Moderate {side} pleural effusion filling the costophrenic recess.",
                            f"{cap(side)} effusion with basal atelectasis in the {side[0].upper()}LL."])
        elif re.search(r"consolidation|airspace|lungs are clear|clear lungs|pneumonia|infiltrate", f, re.I):
            lobe = rng.choice(list(LOBES))
            seg = rng.choice(SEGS[lobe])
            tmpl = rng.choice(["{L} consolidation, consistent with pneumonia.", "Pneumonia, {L}.",
                               "Segmental consolidation in {L}."])
            i = cap(tmpl.format(L=bare(loc(lobe, seg, rng.choice(FORMS_SEG)), tmpl)))
        else:
            return None
        detail = f"impression replaced by an affirmative one ({i!r}) although findings rule it out"
    elif kind == "impression_omits_finding":
        want_normal = meta_flag = rng.random() < 0.5
        is_norm = bool(NORMAL_RE.search(i)) and not OTHER_RE.search(i)
        is_other = bool(OTHER_RE.search(i))
        if want_normal != is_norm or (not want_normal and not is_other):
            return None
        fnd = sig_finding(rng)
        if any(w in i.lower() for w in SYN[fnd["type"]]) or re.search(r"clear|lung|lobe|nodul|mass|opacit", i, re.I):
            return None
        sents = re.split(r"(?<=\.)\s+", f)
        syn = SYN[fnd["type"]] + ["clear", "lung", "no focal", "lobe", "nodul", "mass"]
        keep = [s for s in sents if not any(w in s.lower() for w in syn)]
        form = rng.choice(FORMS_LOBE if fnd["seg"] is None else FORMS_SEG)
        new = f_sentence(rng, fnd, form)
        keep.insert(rng.randint(0, len(keep)), new)
        f = " ".join(keep)
        what = "normal" if meta_flag else "other findings"
        detail = f"findings sentence added: {new!r}; impression ({what}) omits it"
        meta["omit"] = fnd
    elif kind == "placeholder":
        which = rng.choice(["f", "i"])
        res = place_placeholder(rng, f if which == "f" else i) or place_placeholder(rng, i if which == "f" else f)
        if res is None:
            return None
        if place_placeholder(random.Random(0), f if which == "f" else i) is None:
            which = "i" if which == "f" else "f"
        if which == "f":
            f = res[0]
        else:
            i = res[0]
        detail = f"{'findings' if which == 'f' else 'impression'}: {res[1]}"
    return f, i, detail, meta


def verify(kind, report, detail, meta):
    f, i = split_sections(report)
    both = (f or "") + "\n" + (i or "")
    low_f, low_i = (f or "").lower(), (i or "").lower()
    if kind is None or kind != "missing_section":
        assert f and i, ("section missing", report)
    if kind != "placeholder":
        assert not re.search(r"\[\*+\]|\[[A-Z/ a-z]+\]|<\w+>|\bXX\b|___ ?(cm|mm)|___ (lower|upper|middle)",
                             both), report
    if kind == "missing_section":
        assert not f or not i, report
    elif kind == "placeholder":
        assert re.search(r"\[\*+\]|\[[A-Za-z/ ]+\]|<\w+>|\bXX\b|___|\[\*\*\]", both), report
    elif kind == "laterality_conflict":
        fs = {s for _, s, _ in iu_sides(f)}
        is_ = {s for _, s, _ in iu_sides(i)}
        assert fs and is_ and fs != is_, (detail, report)
    elif kind == "impression_omits_finding":
        fnd = meta["omit"]
        assert not any(w in low_i for w in SYN[fnd["type"]]), (detail, report)
        assert fnd["lobe"] in f or LOBES[fnd["lobe"]][0] in low_f or f"{LOBES[fnd['lobe']][0][0].upper()} " in f, report
    elif kind == "negation_conflict":
        assert re.search(r"\bno\b|clear|fully expanded", both, re.I), report


def build(seed, shared):
    rng = random.Random(seed)
    iu, dev = load_iu(shared)
    order = list(range(len(iu)))
    rng.shuffle(order)
    used = set()
    cases = []
    for kind, n in [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]:
        n_iu = n // 2
        got = 0
        for idx in order:
            if got >= n_iu:
                break
            if idx in used:
                continue
            rec = iu[idx]
            sub = random.Random(f"{seed}-{rec['uid']}-{kind}")
            res = make_iu(sub, rec, kind)
            if res is None:
                continue
            f, i, detail, meta = res
            if kind is None:
                detail = "unmodified IU report, re-laid-out"
            report = render(sub, rec["ind"], rec["comp"], f, i)
            try:
                verify(kind, report, detail, meta)
            except AssertionError:
                continue
            used.add(idx)
            cases.append({"injected": kind, "detail": f"{detail} [IU {rec['uid']}]", "report": report,
                          "_uid": rec["uid"]})
            got += 1
        tries = 0
        while got < n:
            tries += 1
            sub = random.Random(f"{seed}-c-{kind}-{tries}")
            k = kind
            f, i, detail, meta = compose(sub, k if k != "missing_section" and k != "placeholder" else None)
            if kind == "missing_section":
                v = sub.choice(["imp_absent", "imp_empty", "find_empty", "find_absent"])
                if v == "imp_absent":
                    i, detail = None, "IMPRESSION section absent"
                elif v == "imp_empty":
                    i, detail = "", "IMPRESSION header with nothing under it"
                elif v == "find_empty":
                    f, detail = "", "FINDINGS header with nothing under it"
                else:
                    f, i, detail = None, sub.choice(["No acute disease.", "No acute cardiopulmonary process."]), \
                        "FINDINGS section absent; bare impression"
            elif kind == "placeholder":
                which = sub.choice(["f", "i"])
                res = place_placeholder(sub, f if which == "f" else i)
                if res is None:
                    continue
                if which == "f":
                    f = res[0]
                else:
                    i = res[0]
                detail = f"{'findings' if which == 'f' else 'impression'}: {res[1]}"
            elif kind is None:
                detail = "composed clean report"
            report = render(sub, meta["ind"], meta["comp"], f, i, mask=sub.random() < 0.25)
            try:
                verify(kind, report, detail, meta)
            except AssertionError:
                continue
            cases.append({"injected": kind, "detail": detail, "report": report, "_uid": None})
            got += 1
    rng.shuffle(cases)
    out = []
    for c in cases:
        cid = hashlib.sha256(f"h41-{seed}-{c['report']}-{c['detail']}".encode()).hexdigest()[:16]
        out.append({"id": cid, "injected": c["injected"], "detail": c["detail"], "report": c["report"],
                    "_uid": c["_uid"]})
    return out, dev


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=4101)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if shared is None:
        print("shared data not found: set MEDRAG_SHARED_DIR to the shared folder "
              "(with data/iu_reports/NLMCXR_reports.tgz and eval/report_errors_dev.jsonl)", file=sys.stderr)
        return 2
    cases, _ = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps({k: c[k] for k in ("id", "injected", "detail", "report")}) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == kind][:a.show]:
                print(f"===== {kind} | {c['detail']}\n{c['report']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
