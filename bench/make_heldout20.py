"""Held-out report-error set #20: reports shaped by how reading is organised.

Written BLIND: without looking at the checker (medrag_core), its tests, docs or the other
held-out generators; only the scorer's format, the IU archive and the dev-set uids were read.

Styles (all rendered around one FINDINGS and one IMPRESSION, the radiologist's final word):
  prelim_final  resident PRELIMINARY + attending FINAL attestation ("agree ... with the following
                changes"), sometimes the attending's amended impression replaces the resident's;
  attest        plain report with an attestation / "agree with above" footer;
  ai_beside     AI triage lines, CAD marks and probability tables beside the report; in clean
                reports the AI may disagree with the radiologist, whose statement is what counts;
  revised       "REVISED REPORT" re-issues with reason for revision / side-corrected notes;
  double_read   screening double reading with second-reader note and arbitration;
  peer_review   peer-review / QA addenda ("Peer review: agree", RADPEER scores).

Half of every group is composed from a phrase bank, half is real IU (Open-i) reports, excluding the
dev uids, re-laid-out in these styles (IU's XXXX mask kept; composed reports never use it).

usage: python -m bench.make_heldout20 OUT.jsonl --seed S [--show N]
"""
# ruff: noqa: E501
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
STYLES = ["prelim_final", "attest", "ai_beside", "revised", "double_read", "peer_review"]
N_CLEAN, N_KIND = 200, 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared"
    if not (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        print(f"shared data not found at {p}: set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        sys.exit(2)
    return p


# ---------------------------------------------------------------- phrase bank
SIDES = ("right", "left")
FLIP = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT"}

# key: (findings template, impression template, significant, sided, negating statement, words naming it)
BANK = {
    "effusion": ("Moderate {side} pleural effusion with adjacent compressive atelectasis; the {side} hemidiaphragm is obscured.",
                 "Moderate {side} pleural effusion.", True, True, "No pleural effusion.", ("effusion", "pleural fluid")),
    "ptx": ("Visceral pleural line at the {side} apex with absent lung markings peripheral to it, apical pneumothorax about 2 cm.",
            "Small-to-moderate {side} apical pneumothorax.", True, True, "No pneumothorax.", ("pneumothorax", "pneumothoraces")),
    "consol": ("Dense airspace consolidation in the {side} lower lobe with air bronchograms.",
               "{Side} lower lobe pneumonia.", True, True, "The lungs are clear.",
               ("consolidation", "pneumonia", "airspace", "infiltrat", "opacit")),
    "nodule": ("A well-defined 11 mm nodule projects over the {side} mid zone.",
               "11 mm {side} mid-zone pulmonary nodule; CT chest recommended.", True, True,
               "No suspicious pulmonary nodule.", ("nodule", "nodular", "mass", "lesion")),
    "edema": ("Upper lobe venous diversion, peribronchial cuffing and Kerley B lines, in keeping with interstitial oedema.",
              "Interstitial pulmonary oedema.", True, False, "No pulmonary oedema.", ("oedema", "edema", "congesti", "failure", "fluid overload")),
    "collapse": ("Triangular opacity behind the heart with loss of the {side} hemidiaphragm outline, {side} lower lobe collapse.",
                 "{Side} lower lobe collapse.", True, True, "No lobar collapse.", ("collapse", "atelecta", "volume loss")),
    "atel": ("Linear atelectasis at the {side} base.", "{Side} basal linear atelectasis.", False, True, "", ("atelecta",)),
    "trace": ("Trace {side} pleural effusion blunting the costophrenic angle.", "Trace {side} effusion.", False, True, "", ("effusion",)),
    "mildcm": ("Mild cardiomegaly, unchanged from the prior film.", "Stable mild cardiomegaly.", False, False, "", ("cardiomegaly",)),
    "granuloma": ("Calcified granuloma in the {side} upper zone.", "Old granulomatous disease.", False, True, "", ("granulom",)),
    "spine": ("Degenerative change in the thoracic spine.", "Degenerative thoracic spine.", False, False, "", ("degenerat",)),
}
NORMALS = {  # statements for absent things; key -> findings that it would contradict
    "heart": ("The heart is normal in size and the mediastinal contours are normal.", {"mildcm"}),
    "lungs": ("The lungs are clear.", {"consol", "nodule", "edema", "collapse", "atel", "granuloma"}),
    "pleura": ("No pleural effusion or pneumothorax.", {"effusion", "ptx", "trace"}),
    "bones": ("The visualised bones are unremarkable.", {"spine"}),
}
NORMAL_IMP = ["No acute cardiopulmonary abnormality.", "Normal chest radiograph.", "No acute disease.",
              "No active cardiopulmonary disease.", "No radiographic abnormality."]
INDICATIONS = ["Cough and fever for three days.", "Shortness of breath.", "Pre-operative assessment.",
               "Chest pain, rule out acute process.", "Fall, chest wall pain.", "Follow-up of pneumonia.",
               "Immigration TB screening.", "Hypoxia post-operatively."]
RESIDENTS = ["Dr. A. Okafor (PGY-3)", "Dr. L. Brandt (R2)", "Dr. S. Iyer, radiology resident", "Dr. T. Nguyen (PGY-4)"]
ATTENDINGS = ["Dr. R. Castellanos", "Dr. H. Weiss", "Dr. P. Mahlangu", "Dr. E. Sorensen"]
AI_TARGETS = [("pneumothorax", "no pneumothorax"), ("pleural effusion", "no effusion"),
              ("consolidation", "no consolidation"), ("nodule", "no nodule")]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def fill(t: str, side: str) -> str:
    return t.replace("{side}", side).replace("{Side}", cap(side))


def compose(rng: random.Random, need: str | None = None, n_extra: int | None = None):
    """Return (findings sentences, impression lines, present finding keys -> side)."""
    keys = list(BANK)
    present: dict[str, str] = {}
    if need:
        present[need] = rng.choice(SIDES)
    for k in rng.sample(keys, n_extra if n_extra is not None else rng.choice([0, 0, 1, 1, 2])):
        if k not in present and not ({k, *present} >= {"effusion", "trace"}):
            present[k] = rng.choice(SIDES)
    fnd = []
    for nk, (stmt, contra) in NORMALS.items():
        if contra & set(present):
            fnd += [fill(BANK[k][0], present[k]) for k in present if k in contra]
            if nk == "pleura" and not {"effusion", "trace"} & set(present):
                fnd.append("No pleural effusion.")
            if nk == "pleura" and "ptx" not in present:
                fnd.append("No pneumothorax.")
            if nk == "heart":
                fnd.append("Mediastinal contours are normal.")
        else:
            fnd.append(stmt)
    imp = [fill(BANK[k][1], present[k]) for k in present if BANK[k][2]]
    imp += [fill(BANK[k][1], present[k]) for k in present if not BANK[k][2] and rng.random() < 0.6]
    if not imp:
        imp = [rng.choice(NORMAL_IMP)]
    return fnd, imp, present


# ---------------------------------------------------------------- layout
def render(rng, style, fnd, imp, ind, comp, extra=None):
    """extra: dict with optional 'ai' (list of lines), 'prelim_imp' (resident impression that the
    attending replaced), 'side_note' (revision note), 'empty'/'drop' (section manipulation)."""
    extra = extra or {}
    bullets = rng.random() < 0.3
    f_txt = ("\n".join(f"- {s}" for s in fnd) if bullets else " ".join(fnd)) if fnd else ""
    i_txt = ("\n".join(f"{n}. {s}" for n, s in enumerate(imp, 1)) if len(imp) > 1 else " ".join(imp)) if imp else ""
    head = rng.choice(["EXAM: XR CHEST PA AND LATERAL", "CHEST RADIOGRAPH, 2 VIEWS", "Examination: Chest X-ray (PA)",
                       "XR CHEST 1 VIEW (PORTABLE AP)"])
    sec_f = "" if extra.get("drop") == "findings" else f"FINDINGS:\n{f_txt}".rstrip()
    sec_i = "" if extra.get("drop") == "impression" else f"IMPRESSION:\n{i_txt}".rstrip()
    body = [s for s in (sec_f, sec_i) if s]
    ctx = [head, f"INDICATION: {ind}", f"COMPARISON: {comp}"]
    ai = extra.get("ai") or []
    res, att = rng.choice(RESIDENTS), rng.choice(ATTENDINGS)
    if style == "prelim_final":
        pre_body = list(body)
        if extra.get("prelim_imp") and sec_i:
            pre_body[-1] = "IMPRESSION:\n" + extra["prelim_imp"]
        out = ctx + [f"PRELIMINARY REPORT ({res}), {rng.randint(0, 5):02d}:{rng.randint(0, 59):02d}"] + pre_body
        fin = [f"FINAL REPORT (Attending: {att})"]
        if extra.get("prelim_imp") and sec_i:
            fin.append("I have reviewed the images and agree with the findings above, with the following changes: "
                       "the preliminary impression is withdrawn and replaced by\nFINAL IMPRESSION:\n" + i_txt)
        elif rng.random() < 0.5:
            fin.append("I have personally reviewed the images and agree with the resident's preliminary report.")
        else:
            fin.append("I have reviewed the images and agree with the findings above, with the following changes: "
                       "none of clinical significance; wording edited.")
        out += fin + ai
    elif style == "attest":
        out = ctx + body + ai + [rng.choice([
            f"Agree with above. -- {att}",
            f"ATTESTATION: I have reviewed the images and the report prepared by {res} and agree with it as written.",
            f"Resident: {res}\nAttending: {att}\nI have seen the images and agree with the report as dictated."])]
    elif style == "ai_beside":
        out = ctx + ai[:1] + body + ai[1:] + [f"Reported by {att}."]
    elif style == "revised":
        out = ["*** REVISED REPORT ***", f"This report supersedes the version issued at {rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}."]
        out += [extra.get("side_note") or rng.choice(["Reason for revision: comparison study added.",
                                                      "Reason for revision: typographical correction.",
                                                      "Reason for revision: clinical history updated."])]
        out += ctx + body + ai + [f"Revised by {att}."]
    elif style == "double_read":
        out = ["SCREENING CHEST RADIOGRAPH - DOUBLE READ", f"Indication: {ind}",
               f"Reader 1 ({res.split(' (')[0].split(',')[0]}):"] + body
        out += [rng.choice(["Reader 2 (independent): concordant.",
                            "Reader 2: agree with reader 1; no discrepancy.",
                            "Reader 2: queried a density at the left apex. Arbitration (" + att + "): reviewed with "
                            "a lordotic view; the density is the first costochondral junction. Reader 1 report stands."])]
        out += ai
    else:  # peer_review
        out = ctx + body + ai + [f"Signed: {att}", rng.choice([
            "PEER REVIEW (random QA sample): RADPEER 1 - concur with interpretation.",
            "Peer review: agree.",
            "QA ADDENDUM: reviewed at departmental discrepancy meeting; no change to the report."])]
    return "\n\n".join(out).replace("\n\n- ", "\n- ")


def ai_lines(rng, present_words: set[str], mode: str):
    """AI/CAD text. In 'disagree' mode the AI flags something the radiologist rules out."""
    lines = []
    absent = [t for t in AI_TARGETS if not any(w in t[0] for w in present_words)]
    if mode == "disagree" and absent:
        t, neg = rng.choice(absent)
        sc = rng.randint(55, 94) / 100
        lines.append(rng.choice([
            f"AI triage: {t} suspected (score {sc:.2f}) - radiologist reviewed: {neg}.",
            f"[AI-assisted read] Algorithm flag: {t} (confidence {sc:.2f}). Radiologist comment: not confirmed; {neg}.",
            f"CAD/AI output: {t} probability {sc:.2f}. Reviewed by reporting radiologist; {neg}."]))
    elif mode == "table":
        rows = [(t, rng.randint(1, 40) / 100) for t, _ in AI_TARGETS]
        lines.append("AI FINDINGS (decision support, not verified by the radiologist)\n" +
                     "\n".join(f"  {t:<18}{p:.2f}" for t, p in rows))
    else:
        opts = ["AI triage: no critical finding flagged.", "AI triage: normal (routine queue)."]
        if not any(w in ("nodule", "nodular", "mass") for w in present_words):
            opts.append("CAD marks reviewed; no nodule.")
        lines.append(rng.choice(opts))
    return lines


# ---------------------------------------------------------------- IU archive
NEG = re.compile(r"\b(no|not|without|negative|may|might|could|possibl\w*|suggest\w*|question\w*|likely|probabl\w*|versus|vs|resolv\w*|improv\w*|clear\w*|free of|removed|previous\w*|prior)\b", re.I)


def sentences(t: str):
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", t.strip()) if s.strip()]


def load_iu(shared: Path):
    dev = {json.loads(line)["uid"] for line in open(shared / "eval" / "report_errors_dev.jsonl")}
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in sorted(tf.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            r = ET.fromstring(tf.extractfile(m).read())
            uid = r.find("uId").get("id")
            if uid in dev:
                continue
            sec = {a.get("Label"): (a.text or "").strip() for a in r.iter("AbstractText")}
            mesh = [e.text or "" for e in r.iter("major")]
            if sec.get("FINDINGS") and sec.get("IMPRESSION"):
                out.append({"uid": uid, "f": sec["FINDINGS"], "i": sec["IMPRESSION"],
                            "ind": sec.get("INDICATION") or "None given.", "comp": sec.get("COMPARISON") or "None.",
                            "normal": mesh == ["normal"]})
    return out


SIG_IU = {"pneumothorax": ("pneumothor",), "edema": ("edema", "oedema", "congesti", "failure"),
          "consolidation": ("consolidat", "airspace", "infiltrat", "pneumonia", "opacit"),
          "effusion": ("effusion", "fluid"), "collapse": ("collapse", "atelecta")}


def iu_sig(rep):
    """A significant finding affirmed in IU findings, or None."""
    for key, words in SIG_IU.items():
        for s in sentences(rep["f"]):
            lo = s.lower()
            if words[0] in lo and not NEG.search(s) and "?" not in s and "xxxx" not in lo:
                if key == "effusion" and not re.search(r"\b(moderate|large)\b", lo):
                    continue
                if key == "consolidation" and not re.search(r"consolidat|airspace disease", lo):
                    continue
                if key == "collapse" and "collapse" not in lo:
                    continue
                return key, s
    return None


def iu_lat(rep):
    """Single-sided report whose both sections name the same side and share a finding word."""
    txt = (rep["f"] + " " + rep["i"]).lower()
    if "bilateral" in txt or "both" in txt:
        return None
    sides = set(re.findall(r"\b(right|left)\b", txt))
    if len(sides) != 1:
        return None
    side = sides.pop()
    fi = [s for s in iu_sents(rep["f"]) if re.search(rf"\b{side}\b", s, re.I) and not NEG.search(s)]
    ii = [s for s in iu_sents(rep["i"]) if re.search(rf"\b{side}\b", s, re.I) and not NEG.search(s)]
    words = ("opacit", "effusion", "atelecta", "consolidat", "pneumonia", "infiltrat", "airspace", "nodul", "pneumothor")
    if fi and ii and any(w in fi[0].lower() for w in words) and any(w in ii[0].lower() for w in words):
        return side, ii[0]
    return None


def flip_side(s: str) -> str:
    return re.sub(r"\b(right|left|Right|Left|RIGHT|LEFT)\b", lambda m: FLIP[m.group(1)], s)


def iu_sents(text):
    text = re.sub(r"(^|\s)\d+\.\s+", " ", text)
    return [s for s in sentences(text) if len(s) > 2]


# ---------------------------------------------------------------- cases
PH_SIDE = ["[LEFT/RIGHT]", "[right/left]", "[***]", "<side>"]
PH_MEAS = ["___ cm", "XX mm", "[size] mm", "<insert size> cm"]
PH_GEN = ["Heart size: [normal/enlarged].", "Pleural spaces: [***].", "Lines and tubes: <insert>.",
          "Cardiothoracic ratio: ___.", "Costophrenic angles: [sharp/blunted]."]


def composed_case(rng, kind, style):
    ind = rng.choice(INDICATIONS)
    comp = rng.choice(["None.", "Chest radiograph from 3 months ago.", "Prior study of last week.", "Outside film, date ___."])
    extra = {}
    if kind == "laterality_conflict":
        k = rng.choice(["effusion", "ptx", "consol", "nodule", "collapse"])
        fnd, imp, pres = compose(rng, need=k, n_extra=rng.choice([0, 1]))
        side = pres[k]
        old = fill(BANK[k][1], side)
        new = fill(BANK[k][1], FLIP[side])
        right_imp = list(imp)
        imp = [new if x == old else x for x in imp]
        detail = f"impression side flipped: '{old}' -> '{new}' (findings: {side})"
        if style == "prelim_final" and rng.random() < 0.5:  # resident had it right; attending's rewrite flipped it
            extra["prelim_imp"] = "\n".join(right_imp)
            detail = f"attending's final impression flipped the side: '{new}' (findings and preliminary: {side})"
        check = new in " ".join(imp) and side in " ".join(fnd)
    elif kind == "negation_conflict":
        if rng.random() < 0.5:  # impression asserts what findings rule out
            fnd, imp, pres = compose(rng, n_extra=0)
            k = rng.choice(["effusion", "ptx", "consol", "edema"])
            side = rng.choice(SIDES)
            asserted = fill(BANK[k][1], side)
            imp = [asserted] if rng.random() < 0.5 else [asserted, "Otherwise no acute abnormality."]
            negs = {"effusion": "No pleural effusion", "ptx": "pneumothorax", "consol": "The lungs are clear",
                    "edema": "The lungs are clear"}
            detail = f"impression asserts '{asserted}' but findings rule it out ('{negs[k]}')"
            check = negs[k] in " ".join(fnd)
        else:  # impression rules out what findings affirm
            k = rng.choice(["effusion", "ptx", "consol", "edema"])
            fnd, imp, pres = compose(rng, need=k, n_extra=0)
            neg = {"effusion": "No pleural effusion.", "ptx": "No pneumothorax.", "consol": "The lungs are clear.",
                   "edema": "No pulmonary oedema."}[k]
            imp = [neg, rng.choice(["No acute disease.", "Otherwise unremarkable."])]
            detail = f"impression states '{neg}' but findings affirm {k}"
            check = fill(BANK[k][0], pres[k]) in " ".join(fnd)
    elif kind == "impression_omits_finding":
        k = rng.choice(["effusion", "ptx", "consol", "nodule", "edema", "collapse"])
        normal = rng.random() < 0.5
        fnd, imp, pres = compose(rng, need=k, n_extra=0 if normal else 1)
        others = [fill(BANK[o][1], pres[o]) for o in pres if o != k]
        if normal or not others:
            imp = [rng.choice(NORMAL_IMP)]
            detail = f"findings affirm {k}; impression is a normal macro"
        else:
            imp = others
            detail = f"findings affirm {k}; impression lists only other findings"
        imp_lo = " ".join(imp).lower()
        check = not any(w in imp_lo for w in BANK[k][5]) and not (k == "collapse" and "atelecta" in imp_lo)
        check = check and not (k == "consol" and "opacit" in imp_lo)
    elif kind == "placeholder":
        fnd, imp, pres = compose(rng, n_extra=rng.choice([0, 1]))
        sided = [k for k in pres if BANK[k][3]]
        if sided and rng.random() < 0.6:
            k = sided[0]
            tok = rng.choice(PH_SIDE)
            old = fill(BANK[k][0], pres[k])
            new = BANK[k][0].replace("{side}", tok).replace("{Side}", tok)
            fnd = [new if x == old else x for x in fnd]
            detail = f"side in findings left as template field {tok}"
        elif "nodule" in pres or "ptx" in pres:
            k = "nodule" if "nodule" in pres else "ptx"
            tok = rng.choice(PH_MEAS)
            fnd = [re.sub(r"(11 mm|2 cm)", tok, x) for x in fnd]
            detail = f"measurement left as {tok}"
        else:
            tok = rng.choice(PH_GEN)
            fnd = fnd[:1] + [tok] + fnd[1:]
            detail = f"template line left unfilled: {tok}"
        tokc = tok.split(":")[-1].strip().rstrip(".") if tok in PH_GEN else tok
        check = tokc in " ".join(fnd)
    elif kind == "missing_section":
        fnd, imp, pres = compose(rng)
        r = rng.random()
        if r < 0.4:
            extra["drop"] = "impression"
            detail = "IMPRESSION section absent"
        elif r < 0.75:
            imp = []
            detail = "IMPRESSION header with nothing under it"
        else:
            fnd = []
            detail = "FINDINGS header left empty"
        check = True
    else:
        fnd, imp, pres = compose(rng)
        detail = ""
        check = True
        if style == "prelim_final" and any(BANK[k][2] for k in pres) and rng.random() < 0.6:
            sided = [k for k in pres if BANK[k][3] and BANK[k][2]]
            if sided and rng.random() < 0.5:  # resident slipped the side; attending corrected it
                extra["prelim_imp"] = "\n".join(flip_side(x) if x == fill(BANK[sided[0]][1], pres[sided[0]]) else x for x in imp)
            else:
                extra["prelim_imp"] = rng.choice(NORMAL_IMP)  # resident missed it; attending amended
        sided = [k for k in pres if BANK[k][3] and BANK[k][2]]
        if style == "revised" and sided and rng.random() < 0.7:
            s = pres[sided[0]]
            extra["side_note"] = f"Amended report: the side of the {sided[0].replace('ptx', 'pneumothorax').replace('consol', 'consolidation')} was corrected from {FLIP[s]} to {s} in the impression."
    if kind in ("missing_section",) and extra.get("drop") is None and not imp:
        pass
    if style == "ai_beside" or (style != "ai_beside" and rng.random() < 0.2):
        words = {w for k in (pres if kind != "negation_conflict" else {}) for w in BANK[k][5]}
        words |= {"pneumothorax", "effusion", "consolidation", "nodule"} if kind == "negation_conflict" else set()
        mode = rng.choice(["disagree", "disagree", "table", "plain"]) if kind is None else rng.choice(["table", "plain"])
        extra["ai"] = ai_lines(rng, words, mode)
    text = render(rng, style, fnd, imp, ind, comp, extra)
    if kind == "missing_section" and extra.get("drop") == "impression":
        check = "IMPRESSION" not in text.upper().replace("IMPRESSION IS AMENDED", "")
    if kind == "laterality_conflict" and style == "revised":
        text = text.replace("Amended report", "Note")  # no side-correction note on a flipped case
    return text, detail, check


def iu_case(rng, kind, style, pools, used):
    def take(pool):
        cands = [r for r in pools[pool] if r["uid"] not in used]
        r = rng.choice(cands)
        used.add(r["uid"])
        return r
    extra = {}
    check = True
    if kind is None:
        r = take("normal")
        fnd, imp, detail = iu_sents(r["f"]), iu_sents(r["i"]), ""
        if rng.random() < 0.5 or style == "ai_beside":
            extra["ai"] = ai_lines(rng, set(), rng.choice(["disagree", "disagree", "table", "plain"]))
    elif kind == "missing_section":
        r = take(rng.choice(["normal", "any"]))
        fnd, imp = iu_sents(r["f"]), iu_sents(r["i"])
        x = rng.random()
        if x < 0.4:
            extra["drop"], detail = "impression", "IMPRESSION section absent"
        elif x < 0.75:
            imp, detail = [], "IMPRESSION emptied (header kept)"
        else:
            fnd, detail = [], "FINDINGS emptied (header kept)"
    elif kind == "placeholder":
        r = take("normal")
        fnd, imp = iu_sents(r["f"]), iu_sents(r["i"])
        tok = rng.choice(PH_GEN)
        pos = rng.randint(0, len(fnd))
        fnd = fnd[:pos] + [tok] + fnd[pos:]
        detail = f"template line left unfilled in findings: {tok}"
    elif kind == "negation_conflict":
        r = take("negcand")
        fnd, imp = iu_sents(r["f"]), iu_sents(r["i"])
        lo = r["f"].lower()
        side = rng.choice(SIDES)
        if "pneumothorax" in lo:
            new = f"Small {side} apical pneumothorax."
        elif re.search(r"no (pleural )?effusion", lo):
            new = f"Small {side} pleural effusion."
        else:
            new = "Cardiomegaly."
        imp = [new] if rng.random() < 0.5 else [new, "No other acute abnormality."]
        detail = f"impression replaced by '{new}', which findings rule out"
    elif kind == "laterality_conflict":
        r = take("lat")
        side, sent = iu_lat(r)
        fnd, imp = iu_sents(r["f"]), iu_sents(r["i"])
        imp = [flip_side(s) if s == sent else s for s in imp]
        detail = f"impression sentence side flipped {side}->{FLIP[side]}: '{flip_side(sent)}'"
        check = FLIP[side] in " ".join(imp).lower()
    else:  # impression_omits_finding
        r = take("sig")
        key, sent = iu_sig(r)
        fnd = iu_sents(r["f"])
        imp = [rng.choice(NORMAL_IMP[:1] + NORMAL_IMP[2:4])]
        detail = f"findings affirm {key} ('{sent}'); impression replaced by a normal statement"
        check = not any(w in imp[0].lower() for w in SIG_IU[key])
    text = render(rng, style, fnd, imp, r["ind"], r["comp"], extra)
    return text, detail, check, r["uid"]


def build(seed: int, shared: Path):
    rng = random.Random(seed)
    iu = load_iu(shared)
    pools = {"normal": [r for r in iu if r["normal"]], "any": iu,
             "negcand": [r for r in iu if r["normal"] and "large" not in r["f"].lower() and re.search(r"no (evidence of )?pneumothorax|no (pleural )?effusion|heart size (is )?normal|normal heart size", r["f"], re.I)],
             "lat": [r for r in iu if not r["normal"] and iu_lat(r)],
             "sig": [r for r in iu if not r["normal"] and iu_sig(r) and not re.match(r"(no acute|normal)", r["i"], re.I)]}
    used: set[str] = set()
    cases = []
    for kind, n in [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]:
        for j in range(n):
            style = STYLES[(j // 2 + seed) % len(STYLES)]
            if j % 2 == 0:
                for _ in range(50):  # re-draw until the injected error verifiably holds
                    text, detail, ok = composed_case(rng, kind, style)
                    if ok:
                        break
                src = "composed"
            else:
                text, detail, ok, uid = iu_case(rng, kind, style, pools, used)
                src = f"iu:{uid}"
            if not ok:
                raise AssertionError(f"injection check failed: {kind} {detail}")
            verify(kind, text)
            h = hashlib.sha256(f"{seed}|{len(cases)}|{text}".encode()).hexdigest()[:16]
            cases.append({"id": f"h20-{h}", "injected": kind, "detail": f"{detail} ({src})" if detail else f"unmodified ({src})",
                          "report": text, "_style": style, "_src": src})
    rng.shuffle(cases)
    return cases


def verify(kind, text):
    up = text.upper()
    if kind != "missing_section":
        assert "FINDINGS:" in up and "IMPRESSION:" in up, text
        assert not re.search(r"(FINDINGS|IMPRESSION):\n\n", text), text
    if kind != "placeholder":
        assert not re.search(r"\[\*\*\*\]|<insert|\[LEFT/RIGHT\]|XX mm|\[size\]|\[normal/|\[sharp/|___ cm", text), text


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=2101)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    cases = build(a.seed, shared_dir())
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps({k: c[k] for k in ("id", "injected", "detail", "report")}) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == kind][: a.show]:
                print(f"===== {kind} | {c['_style']} | {c['_src']} | {c['detail']}\n{c['report']}\n")
    print(f"wrote {len(cases)} cases to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
