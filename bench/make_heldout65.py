"""Held-out report-check set 65: Canadian community-hospital chest lists.

Written blind: without reading the checker, its tests, docs or the other generators.
Styles: the ordinary day-to-day chest list of Canadian community hospitals (ED, wards,
outpatients, family physicians' referrals) from several radiologists: "XR CHEST PA/LAT"
exam lines, requisition history, comparison lines, FINDINGS/IMPRESSION in capitals or
title case, numbered or prose impressions, "Dictated by/Signed by" footers.  Half of each
group is composed from a phrase bank, half are real IU (Open-i) reports re-laid-out in
these styles (IU's XXXX mask kept).  Errors are injected as plain dictation slips.

Usage: python -m bench.make_heldout65 OUT.jsonl --seed S [--show N]
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]
N_CLEAN, N_KIND = 200, 40

RADS = ["Dr. A. Tremblay", "Dr. K. MacDonald", "Dr. S. Gill", "Dr. P. Nguyen",
        "Dr. L. Bouchard", "Dr. M. Chen", "Dr. R. Sandhu", "Dr. J. O'Neill"]
REFS = ["Dr. D. Fraser (family physician)", "ED physician", "Dr. H. Leblanc",
        "Dr. T. Wong", "Hospitalist service", "Dr. B. Campbell"]
EXAMS = ["XR CHEST PA AND LATERAL", "XR CHEST 2 VIEWS", "CHEST PA/LAT",
         "XR CHEST 1 VIEW (PORTABLE AP)", "CHEST X-RAY PA AND LATERAL", "XR CHEST AP"]
HIST = ["Cough x 2 weeks.", "Shortness of breath.", "Fever, cough. ?pneumonia",
        "Chest pain, rule out pneumothorax.", "Pre-op assessment.", "COPD exacerbation.",
        "Fall, left chest wall pain.", "Increasing SOB, bilateral leg edema.",
        "Follow-up pneumonia.", "Smoker, chronic cough.", "Desaturation on the ward.",
        "Immigration medical."]
COMPS = ["None available.", "Compared with previous study of 2019.", "Prior film from last year.",
         "Previous chest x-ray 6 months ago.", "None.", "Comparison made with prior study."]

# family -> terms that name it in any wording (used for omission checks)
FAMILY_TERMS = {
    "effusion": ["effusion", "fluid", "blunting"],
    "pneumothorax": ["pneumothorax", "pneumothoraces"],
    "consolidation": ["consolidation", "pneumonia", "airspace", "air space", "infiltrate", "opacit"],
    "edema": ["edema", "oedema", "chf", "failure", "congestion", "vascular redistribution", "kerley"],
    "nodule": ["nodule", "mass", "lesion", "ct chest", " ct "],
    "collapse": ["collapse", "atelectasis", "volume loss"],
}

NORMALS = [  # (sentence, families it rules out)
    ("The heart is normal in size.", {"cardio"}),
    ("Heart size is within normal limits.", {"cardio"}),
    ("Cardiomediastinal silhouette is normal.", {"cardio"}),
    ("The lungs are clear.", {"consolidation", "edema", "nodule", "collapse"}),
    ("Lungs are clear bilaterally without focal consolidation.", {"consolidation", "edema", "nodule", "collapse"}),
    ("No focal airspace disease.", {"consolidation"}),
    ("No pleural effusion.", {"effusion"}),
    ("No pleural effusion or pneumothorax.", {"effusion", "pneumothorax"}),
    ("No pneumothorax.", {"pneumothorax"}),
    ("Pulmonary vascularity is normal.", {"edema"}),
    ("No pulmonary edema.", {"edema"}),
    ("Bony structures are unremarkable.", set()),
    ("Mild degenerative changes of the thoracic spine.", set()),
    ("Mediastinal contours are unremarkable.", set()),
]
NORMAL_IMPS = ["No acute cardiopulmonary process.", "Normal chest.", "No acute findings.",
               "No active disease in the chest.", "No acute cardiopulmonary abnormality.",
               "Normal chest x-ray."]

SIDES = {"right": "left", "left": "right"}
_T = ["h", "h", "h", "l", "l", "l", "e", "ep", "p", "v", "v", "b", "b", "m"]
TOPIC = {s: set(t) for (s, _), t in zip(NORMALS, _T, strict=True)}


def F(fam, sig, find, imp, sided=True):
    return {"fam": fam, "sig": sig, "find": find, "imp": imp, "sided": sided}


def bank(side):
    S, s = side.capitalize(), side
    return [
        F("effusion", False, f"Small {s} pleural effusion with blunting of the costophrenic angle.",
          f"Small {s} pleural effusion."),
        F("effusion", True, f"Moderate {s} pleural effusion.", f"Moderate {s} pleural effusion."),
        F("consolidation", True, f"Airspace consolidation in the {s} lower lobe.",
          f"{S} lower lobe pneumonia."),
        F("consolidation", True, f"Patchy airspace opacity in the {s} mid zone, in keeping with pneumonia.",
          f"{S} mid zone pneumonia, follow-up to resolution recommended."),
        F("pneumothorax", True, f"Small {s} apical pneumothorax, 1.5 cm apex to cupola.",
          f"Small {s} pneumothorax."),
        F("nodule", True, f"A 14 mm nodule projects over the {s} upper zone.",
          f"14 mm {s} upper zone nodule. CT chest recommended."),
        F("collapse", False, f"Linear subsegmental atelectasis at the {s} base.",
          f"Minor {s} basal atelectasis."),
        F("collapse", True, f"{S} lower lobe collapse with volume loss.",
          f"{S} lower lobe collapse."),
    ]


UNSIDED = [
    F("edema", True, "Upper lobe vascular redistribution with interstitial edema and Kerley B lines.",
      "Features of CHF with interstitial edema.", sided=False),
    F("cardio", False, "The heart is mildly enlarged.", "Mild cardiomegaly.", sided=False),
    F("copd", False, "The lungs are hyperinflated, in keeping with COPD.", "COPD.", sided=False),
]


SIG_RE = (r"pneumothorax|effusion|consolidat|airspace|air space|infiltrat|edema|congest|mass|nodule"
          r"|collapse|\bnew\b|increas|enlarg|cardiomegaly|pneumonia|opacit")
NEG_RE = r"\bno\b|\bnot\b|without|negative|resolv|clear|normal|free of|\bstable\b"


def shared_dir() -> Path:
    d = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(d) if d else Path(__file__).resolve().parents[1].parent / "shared"
    if not (p / "data/iu_reports/NLMCXR_reports.tgz").exists():
        print(f"shared data not found at {p}: set MEDRAG_SHARED_DIR", file=sys.stderr)
        sys.exit(2)
    return p


def dev_uids(sd: Path) -> set:
    out = set()
    f = sd / "eval/report_errors_dev.jsonl"
    if f.exists():
        for line in f.read_text().splitlines():
            if line.strip():
                out.add(str(json.loads(line).get("uid")))
    return out


def load_iu(sd: Path, exclude: set) -> list:
    rows = []
    with tarfile.open(sd / "data/iu_reports/NLMCXR_reports.tgz") as t:
        for m in t.getmembers():
            if not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(t.extractfile(m).read())
            u = root.find("uId")
            uid = u.get("id") if u is not None else m.name
            if uid in exclude:
                continue
            sec = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            fi, im = (re.sub(r"\s*\.(\s*\.)+", ".", sec.get(k, "")).strip() for k in ("FINDINGS", "IMPRESSION"))
            if len(fi) < 30 or len(im) < 5 or re.search(r"\[|___|<", fi + im):
                continue
            if re.search(r"(?i)lumb|sacr|abdomen|pelvis", fi + im) or (is_normal_imp(im) and any(
                    re.search(SIG_RE, x, re.I) and not re.search(NEG_RE, x, re.I) for x in sentences(fi))):
                continue  # other body parts, or a real report that already omits a finding
            rows.append({"uid": uid, "ind": sec.get("INDICATION", ""), "comp": sec.get("COMPARISON", ""),
                         "find": fi, "imp": im})
    rows.sort(key=lambda r: r["uid"])
    return rows


def sentences(text):
    return [s for s in re.split(r"(?<=\.)\s+", text.strip()) if s.strip(". ")]


def layout(rng, r, numbered=None):
    """r: dict with ind, comp, find, imp (imp may be None = section absent)."""
    style = rng.randrange(4)
    exam = rng.choice(EXAMS)
    rad = rng.choice(RADS)
    imp = r["imp"]
    if imp and numbered is None:
        numbered = rng.random() < 0.35
    if imp and numbered and not re.search(r"(^|\s)\d\.\s", imp):
        parts = sentences(imp)
        imp = "\n".join(f"{i}. {p}" for i, p in enumerate(parts, 1)) if len(parts) > 1 else imp
    fh, ih = ("FINDINGS:", "IMPRESSION:") if style != 2 else ("Findings:", "Impression:")
    lines = []
    if style == 0:
        lines += [f"EXAM: {exam}", f"CLINICAL HISTORY: {r['ind'] or 'Not provided.'}",
                  f"COMPARISON: {r['comp'] or 'None.'}", ""]
    elif style == 1:
        lines += [exam, f"Referring: {rng.choice(REFS)}",
                  f"History: {r['ind'] or 'No history given.'}", ""]
        if r["comp"]:
            lines += [f"Comparison: {r['comp']}", ""]
    elif style == 2:
        lines += [exam, "",
                  f"Indication: {r['ind'] or 'not stated'}", f"Comparison: {r['comp'] or 'none'}", ""]
    else:
        lines += [f"{exam}", f"REASON FOR EXAM: {r['ind'] or 'Not stated.'}", ""]
    lines += [fh, r["find"], ""] if r["find"] is not None else []
    if imp is not None:
        lines += [ih, imp, ""]
    foot = rng.choice([f"Dictated by: {rad}", f"Signed by {rad}, Radiologist",
                       f"{rad}\nDiagnostic Imaging", f"Reported by {rad} (electronically signed)"])
    lines.append(foot)
    return "\n".join(lines).replace("\n\n\n", "\n\n")


def iu_reword(rng, text):
    subs = [("No acute cardiopulmonary abnormality", "No acute cardiopulmonary process"),
            ("There is no ", "No "), ("chest x-XXXX", "chest"), ("Normal chest x-XXXX", "Normal chest")]
    for a, b in subs:
        if rng.random() < 0.6:
            text = text.replace(a, b).replace(b.lower() + "no ", b)
    text = re.sub(r"(?<=\. )No ([a-z])", lambda m: "No " + m.group(1), text)
    return text


# ---------------- composed reports ----------------

def compose(rng, abn=None, normal_imp=False):
    """Return dict(find, imp, items, norms) consistent report."""
    items = list(abn) if abn is not None else []
    if abn is None:
        k = rng.choices([0, 1, 2], [0.55, 0.3, 0.15])[0]
        fams = set()
        for _ in range(k):
            side = rng.choice(["right", "left"])
            it = rng.choice(bank(side) + UNSIDED)
            if it["fam"] not in fams:
                fams.add(it["fam"])
                items.append(it)
    fams = {i["fam"] for i in items}
    norms = [s for s, rules in NORMALS if not (rules & fams)]
    rng.shuffle(norms)
    seen, picked = set(), []
    for n in norms:
        tp = TOPIC[n]
        if tp & seen:
            continue
        seen |= tp
        picked.append(n)
    norms = picked[: rng.randint(2, 4)]
    find = " ".join([i["find"] for i in items] + norms)
    if normal_imp or not items:
        imp = rng.choice(NORMAL_IMPS)
    else:
        imp = " ".join(i["imp"] for i in items)
    return {"find": find, "imp": imp, "items": items, "norms": norms}


def meta(rng):
    return {"ind": rng.choice(HIST), "comp": rng.choice(COMPS)}


def terms_in(text, fam):
    t = text.lower()
    return any(w in t for w in FAMILY_TERMS.get(fam, [fam]))


def inj_composed(rng, kind):
    m = meta(rng)
    if kind == "missing_section":
        c = compose(rng)
        how = rng.randrange(3)
        if how == 0:
            return layout(rng, {**m, "find": c["find"], "imp": None}), "IMPRESSION section omitted"
        if how == 1:
            return layout(rng, {**m, "find": c["find"], "imp": ""}), "IMPRESSION header left empty"
        return layout(rng, {**m, "find": "", "imp": c["imp"]}), "FINDINGS header left empty"
    if kind == "laterality_conflict":
        side = rng.choice(["right", "left"])
        it = rng.choice(bank(side))
        c = compose(rng, [it])
        flipped = it["imp"].replace(side, SIDES[side]).replace(side.capitalize(), SIDES[side].capitalize())
        assert flipped != it["imp"]
        if rng.random() < 0.5:
            extra = rng.choice(["", " Otherwise no acute findings."])
            return (layout(rng, {**m, "find": c["find"], "imp": flipped + extra}),
                    f"impression says {SIDES[side]} for {it['fam']} described on the {side} in findings")
        ff = it["find"].replace(side, SIDES[side]).replace(side.capitalize(), SIDES[side].capitalize())
        return (layout(rng, {**m, "find": c["find"].replace(it["find"], ff), "imp": it["imp"]}),
                f"findings say {SIDES[side]} for {it['fam']} placed on the {side} in impression")
    if kind == "negation_conflict":
        side = rng.choice(["right", "left"])
        if rng.random() < 0.5:  # findings clear, impression affirms
            c = compose(rng, [])
            opts = []
            for it in bank(side) + UNSIDED[:2]:
                for s, rules in NORMALS:
                    if s in c["norms"] and it["fam"] in rules and it["sig"]:
                        opts.append((it, s))
            if not opts:
                c["norms"][0] = "The lungs are clear."
                c["find"] = " ".join(c["norms"])
                opts = [(bank(side)[2], "The lungs are clear.")]
            it, s = rng.choice(opts)
            return (layout(rng, {**m, "find": c["find"], "imp": it["imp"]}),
                    f"impression affirms {it['fam']}; findings state '{s}'")
        it = rng.choice([bank(side)[0], UNSIDED[1], bank(side)[6]])
        c = compose(rng, [it])
        neg = {"effusion": "No pleural effusion.", "cardio": "Normal heart size.",
               "collapse": "Lungs are clear."}[it["fam"]]
        imp = rng.choice([f"{neg} No acute process.", f"No acute cardiopulmonary disease. {neg}"])
        return (layout(rng, {**m, "find": c["find"], "imp": imp}),
                f"findings affirm {it['fam']} ('{it['find']}'); impression says '{neg}'")
    if kind == "impression_omits_finding":
        side = rng.choice(["right", "left"])
        sig = [i for i in bank(side) + UNSIDED if i["sig"]]
        it = rng.choice(sig)
        if rng.random() < 0.5:
            c = compose(rng, [it], normal_imp=True)
            imp = c["imp"]
        else:
            other = rng.choice([i for i in bank(SIDES[side]) + UNSIDED
                                if not i["sig"] and i["fam"] != it["fam"]
                                and not terms_in(i["imp"], it["fam"])])
            c = compose(rng, [it, other])
            imp = other["imp"]
        assert not terms_in(imp, it["fam"])
        return (layout(rng, {**m, "find": c["find"], "imp": imp}),
                f"impression omits {it['fam']}: '{it['find']}'")
    # placeholder
    side = rng.choice(["right", "left"])
    it = rng.choice([i for i in bank(side) if i["fam"] in ("pneumothorax", "nodule", "effusion",
                                                            "consolidation")])
    c = compose(rng, [it])
    if "mm" in it["find"] or "cm" in it["find"]:
        ph = rng.choice(["XX mm", "___ mm", "[***] mm"]) if "mm" in it["find"] else \
            rng.choice(["___ cm", "XX cm"])
        new = re.sub(r"\d+(\.\d+)? (mm|cm)", ph, it["find"], count=1)
    else:
        ph = rng.choice(["[LEFT/RIGHT]", "[***]", "<side>"])
        new = it["find"].replace(side, ph, 1)
    assert ph in new
    return (layout(rng, {**m, "find": c["find"].replace(it["find"], new), "imp": it["imp"]}),
            f"placeholder {ph} left in findings")


# ---------------- IU reports ----------------

IU_SIG_INSERT = [
    ("effusion", "Moderate {s} pleural effusion is present."),
    ("consolidation", "There is focal airspace consolidation in the {s} lower lobe."),
    ("pneumothorax", "Small {s} apical pneumothorax."),
    ("nodule", "New 2 cm rounded mass in the {s} upper lobe."),
]


def is_normal_imp(imp):
    return bool(re.match(r"\s*(no |normal|negative)", imp, re.I))


def inj_iu(rng, kind, r, pool):
    m = {"ind": r["ind"], "comp": r["comp"]}
    fi, im = r["find"], r["imp"]
    if kind == "missing_section":
        if rng.random() < 0.5:
            return layout(rng, {**m, "find": fi, "imp": rng.choice([None, ""])}), "IMPRESSION removed/empty"
        return layout(rng, {**m, "find": "", "imp": im}), "FINDINGS header left empty"
    if kind == "laterality_conflict":
        for s in sentences(im):
            for side in ("right", "left"):
                if "middle" in s.lower():
                    continue
                if re.search(rf"\b{side}\b", s, re.I) and re.search(rf"\b{side}\b", fi, re.I) \
                        and not re.search(rf"\b{SIDES[side]}\b", im + fi, re.I) and "bilateral" not in s.lower():
                    ns = re.sub(rf"\b{side}\b", SIDES[side], s)
                    ns = re.sub(rf"\b{side.capitalize()}\b", SIDES[side].capitalize(), ns)
                    return (layout(rng, {**m, "find": fi, "imp": im.replace(s, ns)}),
                            f"impression sentence flipped to {SIDES[side]}: '{ns}'")
        return None
    if kind == "negation_conflict":
        if not is_normal_imp(im):
            return None
        if re.search(r"no (focal )?(airspace|consolidation)|lungs are clear", fi, re.I):
            side = rng.choice(["Right", "Left"])
            imp = rng.choice([f"{side} lower lobe pneumonia.", f"{side} basilar airspace disease, likely pneumonia."])
            return layout(rng, {**m, "find": fi, "imp": imp}), "impression affirms pneumonia; findings: lungs clear"
        if re.search(r"no (evidence of )?(a )?pleural effusion", fi, re.I):
            return (layout(rng, {**m, "find": fi, "imp": "Moderate left pleural effusion."}),
                    "impression affirms effusion; findings say no effusion")
        return None
    if kind == "impression_omits_finding":
        fam, tmpl = rng.choice(IU_SIG_INSERT)
        if terms_in(im, fam) or re.search(r"right|left|bilateral", fi + im, re.I):
            return None
        keep = [s for s in sentences(fi) if not terms_in(s, fam) and "lungs" not in s.lower()
                and "clear" not in s.lower()]
        if fam == "nodule" and re.search(r"\bCT\b", im):
            return None
        side = rng.choice(["right", "left"])
        ins = tmpl.format(s=side)
        keep.insert(rng.randrange(len(keep) + 1), ins)
        return (layout(rng, {**m, "find": " ".join(keep), "imp": im}),
                f"impression omits inserted finding '{ins}'")
    # placeholder
    mm = re.search(r"\b(\d+(\.\d+)?) ?(mm|cm)\b", fi)
    if mm:
        ph = rng.choice(["___ ", "XX ", "[***] "]) + mm.group(3)
        return (layout(rng, {**m, "find": fi[:mm.start()] + ph + fi[mm.end():], "imp": im}),
                f"measurement replaced by '{ph}'")
    sd = re.search(r"\b(right|left)\b", fi)
    if sd:
        ph = rng.choice(["[LEFT/RIGHT]", "[***]", "[ ]"])
        return (layout(rng, {**m, "find": fi[:sd.start()] + ph + fi[sd.end():], "imp": im}),
                f"side word replaced by '{ph}'")
    return None


def check(kind, report, detail):
    if kind == "placeholder":
        assert re.search(r"\[\*\*\*\]|\[LEFT/RIGHT\]|XX (mm|cm)|___ (mm|cm)|<side>|\[ \]", report), detail
    if kind == "missing_section":
        ok = ("IMPRESSION" not in report.upper()) or re.search(r"(?i)(impression|findings):\n\n", report)
        assert ok, detail


def build(seed):
    sd = shared_dir()
    rng = random.Random(seed)
    iu = load_iu(sd, dev_uids(sd))
    rng.shuffle(iu)
    pool = iter(iu)
    cases = []
    for _ in range(N_CLEAN // 2):
        c = compose(rng)
        cases.append((None, "clean composed", layout(rng, {**meta(rng), "find": c["find"], "imp": c["imp"]}), None))
    for _ in range(N_CLEAN // 2):
        r = next(pool)
        r["used"] = True
        cases.append((None, "clean IU", layout(rng, {**r, "find": iu_reword(rng, r["find"]),
                                                    "imp": iu_reword(rng, r["imp"])}), r["uid"]))
    for kind in KINDS:
        for _ in range(N_KIND // 2):
            rep, det = inj_composed(rng, kind)
            check(kind, rep, det)
            cases.append((kind, det, rep, None))
        n = 0
        tried = 0
        for r in iu:
            if n == N_KIND // 2:
                break
            if r.get("used"):
                continue
            tried += 1
            out = inj_iu(rng, kind, r, iu)
            if out:
                r["used"] = True
                check(kind, out[0], out[1])
                cases.append((kind, out[1] + f" (IU {r['uid']})", out[0], r["uid"]))
                n += 1
        assert n == N_KIND // 2, (kind, n)
    rng.shuffle(cases)
    lines = []
    for i, (kind, det, rep, _uid) in enumerate(cases):
        cid = hashlib.sha1(f"h65-{seed}-{i}-{rep}".encode()).hexdigest()[:16]
        lines.append({"id": cid, "injected": kind, "detail": det, "report": rep})
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    lines = build(a.seed)
    with open(a.out, "w") as f:
        for row in lines:
            f.write(json.dumps(row) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for row in [r for r in lines if r["injected"] == kind][: a.show]:
                print(f"===== {kind} | {row['detail']}\n{row['report']}\n")


if __name__ == "__main__":
    main()
