"""Blind held-out generator 23: chest X-ray reports that carry a second voice.

Written blind: without reading the checker, its tests, docs or the other generators; only the scorer's
format, the IU archive and the dev set's uid field were used.

Styles (the formal FINDINGS and IMPRESSION are what is labelled):
- ``portal``: a patient-facing plain-language summary after the impression ("What this means for you");
- ``question``: the clinical question quoted and answered after the impression;
- ``checklist``: FINDINGS written as Q/A lines ("Is there consolidation? No.") per organ;
- ``teaching``: a teaching point / discussion after the impression that names findings hypothetically.
Half of each group is composed from a phrase bank, half are real IU reports (dev uids excluded)
re-laid-out into these styles. Each injected report carries exactly one error.

usage: python -m bench.make_heldout23 OUT.jsonl --seed S [--show N]
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
STYLES = ["portal", "question", "checklist", "teaching"]
FLIP = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT"}
SIDE_RE = re.compile(r"\b(right|left)\b", re.I)


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    if not (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        print(f"IU archive not found under {p}; set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        sys.exit(2)
    return p


def load_iu(shared: Path) -> list[dict]:
    dev = set()
    dev_path = shared / "eval" / "report_errors_dev.jsonl"
    if dev_path.exists():
        dev = {json.loads(line)["uid"] for line in dev_path.open()}
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in sorted(tf.getmembers(), key=lambda m: m.name):
            if not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid = root.find(".//uId")
            uid = uid.attrib.get("id") if uid is not None else None
            if not uid or uid in dev:
                continue
            sec = {a.attrib.get("Label", "").upper(): (a.text or "").strip() for a in root.iter("AbstractText")}
            f, i = sec.get("FINDINGS", ""), sec.get("IMPRESSION", "")
            if len(f) < 40 or len(i) < 8 or "[" in f + i or "___" in f + i:
                continue
            f = re.sub(r"\.\.+", ".", f)
            i = re.sub(r"\.\.+", ".", i)
            out.append({"uid": uid, "findings": f, "impression": i, "indication": sec.get("INDICATION", "")})
    return out


# ---------------------------------------------------------------- phrase bank (composed reports)
SIG = {  # name: (findings sentence, impression phrase, plain words, question word, significant)
    "effusion": ("Moderate {side} pleural effusion with blunting of the costophrenic angle and a meniscus.",
                 "Moderate {side} pleural effusion.", "there is some fluid around the {side} lung", "effusion"),
    "pneumothorax": ("There is a {side} apical pneumothorax, rim approximately 2 cm, without mediastinal shift.",
                     "{Side} apical pneumothorax.", "there is air outside the {side} lung (a partly collapsed lung)",
                     "pneumothorax"),
    "consolidation": ("Consolidation in the {side} lower lobe with air bronchograms.",
                      "{Side} lower lobe consolidation, likely pneumonia.",
                      "there is an area of infection (pneumonia) in the bottom of the {side} lung", "consolidation"),
    "nodule": ("A 14 mm rounded nodule projects over the {side} mid zone.",
               "14 mm {side} mid zone nodule; CT chest is recommended.",
               "there is a small round spot in the {side} lung that needs a CT scan", "nodule"),
    "collapse": ("Triangular opacity at the {side} base with loss of the hemidiaphragm outline and volume loss, "
                 "in keeping with {side} lower lobe collapse.", "{Side} lower lobe collapse.",
                 "part of the {side} lung has collapsed", "collapse"),
}
SIG_NOSIDE = {
    "edema": ("Upper lobe venous diversion, Kerley B lines and bilateral perihilar haze.",
              "Pulmonary oedema.", "there is water on the lungs", "edema"),
}
MINOR = [  # not significant per spec: may be left out of a clean impression
    ("A few calcified granulomas in the {side} upper zone.", "Calcified granulomas, old healed infection."),
    ("Minor linear atelectasis at the {side} base.", "Minor basal atelectasis."),
    ("Degenerative change in the thoracic spine.", "Degenerative thoracic spine."),
]
NORMAL_F = {
    "heart": "The heart size is normal.",
    "mediastinum": "The mediastinal contour is unremarkable.",
    "lungs": "The lungs are clear.",
    "pleura": "No pleural effusion or pneumothorax.",
    "bones": "The visualised bones are intact.",
}
NORMAL_IMP = ["No acute cardiopulmonary disease.", "Normal chest radiograph.", "No acute abnormality.",
              "No active disease in the chest."]
INDICATIONS = ["Cough and fever for 5 days, ?pneumonia.", "Sudden pleuritic chest pain, ?pneumothorax.",
               "Shortness of breath, ?effusion.", "Pre-operative assessment.", "Fall, chest wall pain.",
               "Known heart failure, increasing breathlessness.", "Smoker with haemoptysis."]
TEACHING = [
    "Teaching point: a small apical pneumothorax is easily missed on a supine film; look for a deep sulcus "
    "sign or a visceral pleural line.",
    "Discussion: the differential for a right upper lobe opacity includes pneumonia, tuberculosis and a "
    "central obstructing mass; none of these is suggested here unless described above.",
    "Teaching point: a left lower lobe collapse hides behind the heart; always check the retrocardiac region.",
    "Discussion: about 200 ml of pleural fluid is needed to blunt the costophrenic angle on a PA film, so a "
    "small effusion can be occult.",
    "Teaching point: heart size cannot be judged reliably on an AP or supine film.",
]
MASK_LINES = ["Reported by Dr. ___ on ___.", "Results discussed with Dr. ___ at ___ hours.",
              "Requested by ___ (ward ___)."]


def plain_summary(impression: str) -> str:
    items = [t for t in re.split(r"(?<=\.)\s+|\s*\d\.\s+|\n", impression) if t.strip()]
    low = " ".join(t for t in items if not NEG_CUE.search(t)).lower()
    bits = []
    for key, words in [("effusion", "some fluid around the lung"), ("pneumothorax", "a partly collapsed lung"),
                       ("consolidation", "a patch of infection in the lung"), ("pneumonia", "a chest infection"),
                       ("oedema", "water on the lungs"), ("edema", "water on the lungs"),
                       ("cardiomegaly", "an enlarged heart"), ("nodule", "a small spot that needs follow-up"),
                       ("collapse", "part of a lung has collapsed"), ("atelectasis", "a small area of "
                       "under-inflated lung"), ("granuloma", "old scars from a past infection")]:
        if key in low and words not in bits:
            bits.append(words)
    if not bits:
        if re.search(r"\b(no acute|normal|negative|no active|clear|no evidence)\b", impression.lower()):
            return "What this means for you: nothing serious was found on your chest X-ray."
        return "What this means for you: the radiologist has described some changes; your doctor will explain them."
    return "What this means for you: the X-ray shows " + ", and ".join(bits) + ". Your doctor will discuss this."


def compose_parts(rng: random.Random, n_sig: int, forced: str | None = None) -> dict:
    organs = dict(NORMAL_F)
    imp, sig_items = [], []
    names = list(SIG) + list(SIG_NOSIDE)
    chosen = [forced] if forced else []
    while len(chosen) < n_sig:
        c = rng.choice(names)
        if c not in chosen:
            chosen.append(c)
    for name in chosen:
        side = rng.choice(["right", "left"])
        f_s, i_s, p_s, q = (SIG.get(name) or SIG_NOSIDE[name])
        fill = {"side": side, "Side": side.capitalize()}
        item = {"name": name, "side": side if name in SIG else None, "f": f_s.format(**fill),
                "i": i_s.format(**fill), "p": p_s.format(**fill), "q": q}
        sig_items.append(item)
        slot = {"effusion": "pleura", "pneumothorax": "pleura", "edema": "lungs"}.get(name, "lungs")
        if slot == "pleura":
            other = "pneumothorax" if name == "effusion" else "pleural effusion"
            organs["pleura"] = item["f"] + f" No {other}." if organs["pleura"] == NORMAL_F["pleura"] else \
                organs["pleura"].replace(f" No {other}.", "") + " " + item["f"]
        else:
            organs["lungs"] = item["f"] if organs["lungs"] == NORMAL_F["lungs"] else organs["lungs"] + " " + item["f"]
        imp.append(item["i"])
    minor = None
    if rng.random() < 0.4:
        m = rng.choice(MINOR)
        minor = (m[0].format(side=rng.choice(["right", "left"])), m[1])
        organs["bones" if "spine" in m[0] else "mediastinum"] += " " + minor[0]
    if not imp:
        imp = [rng.choice(NORMAL_IMP)]
        if minor and rng.random() < 0.5:
            imp.append(minor[1])
    return {"organs": organs, "imp": imp, "sig": sig_items,
            "indication": rng.choice(INDICATIONS)}


def checklist_findings(organs: dict, sig: list[dict]) -> str:
    names = {s["name"] for s in sig}
    lines = []
    for q, key in [("Is the heart enlarged?", None), ("Is there consolidation?", "consolidation"),
                   ("Is there a pleural effusion?", "effusion"), ("Is there a pneumothorax?", "pneumothorax"),
                   ("Is there pulmonary oedema?", "edema"), ("Is there a lung nodule or mass?", "nodule")]:
        hit = [s for s in sig if s["name"] == key]
        lines.append(f"{q} " + (f"Yes. {hit[0]['f']}" if hit else "No."))
    if "collapse" in names:
        lines.append("Any lobar collapse? Yes. " + [s for s in sig if s["name"] == "collapse"][0]["f"])
    extra = " ".join(v for k, v in organs.items() if v != NORMAL_F[k] and k in ("mediastinum", "bones")
                     and not any(s["f"] in v for s in sig))
    if extra:
        lines.append("Other: " + extra.replace(NORMAL_F["mediastinum"] + " ", "").replace(NORMAL_F["bones"] + " ", ""))
    return "\n".join(lines)


def layout(rng: random.Random, style: str, indication: str, findings: str, imp_items: list[str] | None,
           imp_text: str | None, second: str | None, omit_imp: bool = False, masks: bool = False) -> str:
    head = rng.choice(["CHEST X-RAY PA AND LATERAL", "XR CHEST 2 VIEWS", "Chest radiograph (PA)"])
    parts = [head, "", f"Clinical details: {indication}" if indication else "Clinical details: not given.", ""]
    fh = rng.choice(["FINDINGS:", "Findings:"])
    if style == "checklist":
        fh = rng.choice(["FINDINGS (structured):", "FINDINGS:"])
    parts += [fh, findings, ""]
    if imp_text is None and imp_items is not None:
        imp_text = imp_items[0] if len(imp_items) == 1 else "\n".join(f"{k + 1}. {t}" for k, t in enumerate(imp_items))
    if not omit_imp:
        parts += [rng.choice(["IMPRESSION:", "Impression:", "CONCLUSION / IMPRESSION:"]), imp_text or "", ""]
    if second:
        parts += [second, ""]
    if masks:
        parts.append(rng.choice(MASK_LINES))
    return "\n".join(parts).rstrip() + "\n"


def second_voice(rng: random.Random, style: str, indication: str, imp_text: str, sig: list[dict] | None) -> str:
    if style == "portal":
        return plain_summary(imp_text)
    if style == "teaching":
        return rng.choice(TEACHING)
    if style == "question":
        q = re.search(r"\?\s*([a-z ]+)", indication)
        low = imp_text.lower()
        normal = bool(re.search(r"\b(no acute|normal|no active|no evidence of active)\b", low))
        if not q:
            ans = "No acute abnormality." if normal else "Yes - see impression."
            return f"Question: any acute abnormality?\nAnswer: {ans}"
        q = q.group(1).strip()
        if q in low or (q == "pneumonia" and "consolidation" in low):
            ans = "Yes - see impression."
        elif normal:
            ans = f"No {q}."
        else:
            ans = f"No {q}. See impression for the other findings."
        return f"Clinical question: ?{q}.\nAnswer: {ans}"
    return ""


# ---------------------------------------------------------------- composed cases
def composed_case(rng: random.Random, kind: str | None) -> tuple[str, str]:
    style = rng.choice(STYLES)
    forced = None
    if kind in ("laterality_conflict",):
        forced = rng.choice(list(SIG))
    elif kind == "impression_omits_finding":
        forced = rng.choice(list(SIG) + list(SIG_NOSIDE))
    n = 1 if forced else rng.choice([0, 0, 1, 1, 2])
    if kind == "negation_conflict":
        n = rng.choice([0, 1])
    P = compose_parts(rng, n, forced)
    organs, imp, sig = P["organs"], P["imp"], P["sig"]
    detail = ""
    omit_imp = False
    if kind == "laterality_conflict":
        it = sig[0]
        new = SIDE_RE.sub(lambda m: FLIP[m.group(0)], it["i"])
        imp[imp.index(it["i"])] = new
        detail = f"impression side flipped: '{it['i']}' -> '{new}' (findings say {it['side']})"
        assert it["side"] in it["f"] and FLIP[it["side"]] in new.lower()
    elif kind == "impression_omits_finding":
        it = sig[0]
        if rng.random() < 0.5 or len(imp) == 1:
            if rng.random() < 0.5:
                imp[:] = [rng.choice(NORMAL_IMP)]
                detail = f"impression is a normal macro; findings affirm {it['name']}"
            else:
                m = MINOR[rng.randrange(len(MINOR))]
                if "spine" in m[0] and m[0] not in organs["bones"]:
                    organs["bones"] += " " + m[0]
                imp[:] = [m[1] if "spine" in m[0] else "Mild cardiomegaly."]
                if "spine" not in m[0]:
                    organs["heart"] = "The heart is mildly enlarged."
                detail = f"impression lists another finding only; findings affirm {it['name']}"
        else:
            imp.remove(it["i"])
            detail = f"impression omits {it['name']}"
        syn = SYN.get(it["name"], (it["name"],)) + (it["name"][:6],)
        assert not any(w in " ".join(imp).lower() for w in syn), (imp, it)
    elif kind == "negation_conflict":
        choice = rng.choice(["pneumothorax", "effusion", "heart", "clear"]) if not sig else "clear"
        if choice == "clear":
            if sig:
                it = sig[0]
                neg = {"effusion": "No pleural effusion.", "pneumothorax": "No pneumothorax.",
                       "consolidation": "The lungs are clear.", "edema": "No pulmonary oedema.",
                       "nodule": "No lung nodule or mass.", "collapse": "Lungs clear and fully expanded."}
                imp[:] = [rng.choice(["Normal heart size. ", "", "No acute bony injury. "]) + neg[it["name"]]]
                detail = f"findings affirm {it['name']}; impression rules it out: {neg[it['name']]}"
            else:
                side = rng.choice(["right", "left"])
                imp[:] = [f"{side.capitalize()} lower lobe consolidation."]
                detail = "findings say the lungs are clear; impression affirms consolidation"
        elif choice == "pneumothorax":
            imp[:] = [f"Small {rng.choice(['right', 'left'])} apical pneumothorax."]
            detail = "findings say no pneumothorax; impression affirms one"
        elif choice == "effusion":
            imp[:] = [f"Small {rng.choice(['right', 'left'])} pleural effusion."]
            detail = "findings say no pleural effusion; impression affirms one"
        else:
            imp[:] = ["Cardiomegaly."]
            detail = "findings say heart size is normal; impression affirms cardiomegaly"
    if style == "checklist":
        findings = checklist_findings(organs, sig)
        if organs["heart"] != NORMAL_F["heart"]:
            findings = findings.replace("Is the heart enlarged? No.", "Is the heart enlarged? Yes, mildly.")
    else:
        findings = " ".join(organs.values())
    imp_text = imp[0] if len(imp) == 1 else "\n".join(f"{k + 1}. {t}" for k, t in enumerate(imp))
    second = second_voice(rng, style, P["indication"], imp_text, sig)
    if kind == "missing_section":
        mode = rng.choice(["imp_empty", "imp_absent", "find_empty"])
        if mode == "imp_empty":
            imp_text = ""
            second = None if style == "portal" else second
            detail = "IMPRESSION header left with nothing under it"
        elif mode == "imp_absent":
            omit_imp = True
            second = None if style == "portal" else second
            detail = "IMPRESSION section absent"
        else:
            findings = ""
            detail = "FINDINGS header left with nothing under it"
    if kind == "placeholder":
        cands = []
        if sig and sig[0]["side"]:
            cands.append(("side", sig[0]["side"], "[LEFT/RIGHT]"))
        if sig and re.search(r"\d+ (mm|cm)", findings):
            cands.append(("size", re.search(r"\d+ (mm|cm)", findings).group(0), "___ " + "mm"))
        cands.append(("word", "clear", "[***]") if "lungs are clear" in findings else ("word", "normal", "<insert>"))
        what, old, new = rng.choice(cands)
        if what == "size":
            new = rng.choice(["___ mm", "XX mm", "[size] mm"])
        if what == "side":
            findings = re.sub(rf"\b{old}\b", new, findings, count=1)
        elif old in findings:
            findings = findings.replace(old, new, 1)
        else:
            findings += " Heart size <insert>."
        detail = f"template field left unfilled in findings: {new}"
        assert new in findings
    rep = layout(rng, style, P["indication"], findings, None, imp_text, second, omit_imp,
                 masks=rng.random() < 0.3)
    return rep, f"[composed/{style}] " + (detail or "unmodified")


# ---------------------------------------------------------------- IU cases
NEG_CUE = re.compile(r"\b(no|without|negative|resolved|clear|free of|not)\b", re.I)
SIG_IU = re.compile(r"\b(pneumothorax|consolidation|airspace disease|edema|large (?:\w+ )?pleural effusion|"
                    r"moderate (?:\w+ )?pleural effusion)\b", re.I)
NORM_IU = re.compile(r"\b(no acute|normal chest|negative|no active|no evidence of active)\b", re.I)


CHEST_RE = re.compile(r"\b(lobe|lung|pleural|effusion|opacit\w*|pneumonia|infiltrate|apex|apical|base|basilar|"
                      r"hilar|hemithorax|atelectasis|nodule|granuloma|consolidation|airspace|pneumothorax|"
                      r"hemidiaphragm|lingula|midlung)\b", re.I)
BODY_RE = re.compile(r"\b(knee|hip|shoulder|wrist|ankle|hand|foot|elbow|humerus|femur|clavicle|rib)\b", re.I)
SYN = {
    "pneumothorax": ("pneumothora", "air"),
    "consolidation": ("consolidat", "airspace", "pneumonia", "infiltrat", "opacit", "infect", "atelecta"),
    "disease": ("consolidat", "airspace", "pneumonia", "infiltrat", "opacit", "infect", "atelecta"),
    "edema": ("edema", "oedema", "chf", "congest", "failure", "fluid", "effusion"),
    "effusion": ("effusion", "fluid", "pleural"),
}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.])\s+", text) if s.strip()]


AFFIRM_RE = re.compile(r"\b(is|are|there|with|present|noted|seen|demonstrat\w*|consistent|suggest\w*|"
                       r"represent\w*|in the|within the|involving)\b", re.I)


def affirmed_sig(findings: str) -> str | None:
    for s in sentences(findings):
        m = SIG_IU.search(s)
        if (m and not NEG_CUE.search(s) and AFFIRM_RE.search(s)
                and not re.search(r"\b(small|trace|tiny|minimal|possible|may|could)\b", s, re.I)):
            return m.group(1).lower()
    return None


def iu_candidates(iu: list[dict]) -> dict:
    c = {k: [] for k in KINDS}
    c["clean"] = []
    for r in iu:
        f, i = r["findings"], r["impression"]
        sig = affirmed_sig(f)
        if sig and NORM_IU.search(i):
            continue  # possibly inconsistent already; skip entirely
        c["clean"].append(r)
        c["missing_section"].append(r)
        c["placeholder"].append(r)
        sides = {w.lower() for w in SIDE_RE.findall(i)}
        side_sent = [s for s in sentences(i) if SIDE_RE.search(s)]
        if (len(sides) == 1 and next(iter(sides)) in f.lower() and FLIP[next(iter(sides))] not in f.lower()
                and all(CHEST_RE.search(s) for s in side_sent) and not BODY_RE.search(f + i)):
            c["laterality_conflict"].append(r)
        if sig and sig.split()[-1] in i.lower() and not re.search(r"\b(unchanged|stable|chronic)\b", f, re.I):
            c["impression_omits_finding"].append(r)
        no_ptx = re.search(r"\bno (?:[\w,]+ ){0,5}pneumothorax\b", f, re.I)
        if NORM_IU.search(i) and no_ptx and "pneumothorax" not in i.lower():
            c["negation_conflict"].append(r)
    return c


def iu_case(rng: random.Random, r: dict, kind: str | None) -> tuple[str, str]:
    style = rng.choice(STYLES)
    f, i = r["findings"], r["impression"]
    ind = r["indication"] or ""
    detail = ""
    omit_imp = False
    if kind == "laterality_conflict":
        side = SIDE_RE.search(i).group(0)
        i = SIDE_RE.sub(lambda m: FLIP[m.group(0)], i)
        detail = f"impression side flipped {side} -> {FLIP[side]}; findings keep {side}"
        assert FLIP[side].lower() in i.lower() and side.lower() in f.lower()
    elif kind == "impression_omits_finding":
        sig = affirmed_sig(f)
        items = [s for s in re.split(r"\s*\d\.\s+", i) if s.strip()]
        syn = SYN.get(sig.split()[-1], (sig.split()[-1],))
        keep = [s for s in items if not any(w in s.lower() for w in syn)]
        if keep and len(keep) < len(items) and rng.random() < 0.7:
            i = " ".join(keep)
            detail = f"impression item naming {sig} dropped; other items kept"
        else:
            i = rng.choice(NORMAL_IMP)
            detail = f"impression replaced by a normal macro; findings affirm {sig}"
        assert not any(w in i.lower() for w in syn)
    elif kind == "negation_conflict":
        side = rng.choice(["right", "left"])
        i = rng.choice([f"Small {side} apical pneumothorax.", f"{side.capitalize()} pneumothorax, new."])
        detail = "findings say no pneumothorax; impression affirms one"
    elif kind == "missing_section":
        mode = rng.choice(["imp_empty", "imp_absent", "find_empty"])
        if mode == "imp_empty":
            i = ""
            detail = "IMPRESSION header left with nothing under it"
        elif mode == "imp_absent":
            omit_imp = True
            detail = "IMPRESSION section absent"
        else:
            f = ""
            detail = "FINDINGS header left with nothing under it"
    elif kind == "placeholder":
        m = SIDE_RE.search(f)
        num = re.search(r"\b\d+(\.\d+)? ?(cm|mm)\b", f)
        if num and rng.random() < 0.6:
            new = rng.choice(["___ cm", "XX mm", "[size]"])
            f = f[:num.start()] + new + f[num.end():]
        elif m and rng.random() < 0.7:
            new = rng.choice(["[LEFT/RIGHT]", "[side]", "***"])
            f = f[:m.start()] + new + f[m.end():]
        else:
            w = re.search(r"\b(normal|unremarkable|clear)\b", f)
            new = rng.choice(["[***]", "<normal/enlarged>", "[ ]", "***"])
            f = f[:w.start()] + new + f[w.end():] if w else f.rstrip() + f" Heart size is {new}."
        detail = f"template field left unfilled in findings: {new}"
        assert new in f
    second = None if (kind == "missing_section" and style == "portal") else second_voice(rng, style, ind, i or "", None)
    if style == "checklist" and f:
        # plain Q/A lines in front of the narrative; answers follow the narrative
        low = f.lower()
        qa = []
        for word in ("pneumothorax", "pleural effusion"):
            if re.search(rf"\bno (?:[\w,]+ ){{0,5}}{word}\b|without (?:[\w,]+ ){{0,5}}{word}", low):
                qa.append(f"Is there a {word}? No.")
        f = ("\n".join(qa) + "\n" + f) if qa else f
    rep = layout(rng, style, ind, f, None, i, second, omit_imp, masks=False)
    return rep, f"[IU {r['uid']}/{style}] " + (detail or "unmodified")


# ---------------------------------------------------------------- checks
PH_RE = re.compile(r"\[[^\]]*\]|<[^>]*>|\*\*\*|\bXX mm\b|___ (?:cm|mm)")


def sections(report: str) -> tuple[str | None, str | None]:
    m_f = re.search(r"^FINDINGS[^:\n]*:\n(.*?)(?=\n\n|\Z)", report, re.S | re.M | re.I)
    m_i = re.search(r"^(?:CONCLUSION / )?IMPRESSION:\n(.*?)(?=\n\n|\Z)", report, re.S | re.M | re.I)
    return (m_f.group(1).strip() if m_f else None), (m_i.group(1).strip() if m_i else None)


def check_row(row: dict) -> None:
    f, i = sections(row["report"])
    kind = row["injected"]
    if kind == "missing_section":
        assert not f or not i, row
    else:
        assert f and i, row
    if kind == "placeholder":
        assert PH_RE.search(f), row
    else:
        assert not PH_RE.search(row["report"]), row
    if kind is None:
        assert "XXXX" not in row["report"] or row["detail"].startswith("[IU"), row
    if kind == "laterality_conflict":
        assert SIDE_RE.search(i) and SIDE_RE.search(f), row


# ---------------------------------------------------------------- main
def build(seed: int) -> list[dict]:
    rng = random.Random(seed)
    iu = load_iu(shared_dir())
    cands = iu_candidates(iu)
    used = set()
    rows = []
    for kind in [None] + KINDS:
        n = 200 if kind is None else 40
        pool = [r for r in cands["clean" if kind is None else kind]]
        rng.shuffle(pool)
        for k in range(n):
            if k % 2 == 0:
                rep, det = composed_case(rng, kind)
            else:
                r = next(x for x in pool if x["uid"] not in used)
                used.add(r["uid"])
                rep, det = iu_case(rng, r, kind)
            rows.append({"injected": kind, "detail": det, "report": rep})
    for k, row in enumerate(rows):
        check_row(row)
        row["id"] = "h23-" + hashlib.sha1(f"{seed}:{k}:{row['report']}".encode()).hexdigest()[:12]
    rng.shuffle(rows)
    return [{"id": r["id"], "injected": r["injected"], "detail": r["detail"], "report": r["report"]} for r in rows]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    for kind in [None] + KINDS:
        for r in [r for r in rows if r["injected"] == kind][:a.show]:
            print(f"===== {kind} | {r['detail']}\n{r['report']}")


if __name__ == "__main__":
    main()
