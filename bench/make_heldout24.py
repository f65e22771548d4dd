"""Blind held-out generator 24: chest X-ray reports that are unusually short or unusually long.

Written blind: without reading the checker, its tests, its docs or any other generator. Only the scorer
format, the IU archive and the dev-set ``uid`` field (to exclude those reports) were used.

Styles:
  * minimal: one-line FINDINGS (often a single list of negatives) and a one-word/one-line IMPRESSION
    ("Normal.", "NAD.", "Unchanged.", "As above.", "See findings." -- the refer-back impressions only
    beside findings with nothing significant, never in injected cases);
  * systematic search pattern: FINDINGS under Airway / Breathing / Cardiac / Diaphragm / Everything else,
    exhaustive pertinent negatives, long numbered IMPRESSION;
  * long narrative: 20-40 findings sentences, several comparison studies discussed in turn, error hidden deep;
  * IU (Open-i) reports re-laid-out either squeezed to one line each or padded into long reports.

usage: python -m bench.make_heldout24 OUT.jsonl --seed S [--show N]
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
OPP = {"right": "left", "left": "right"}

# ---------------------------------------------------------------- phrase bank
NEG_LIST = [
    "No pneumothorax, effusion, consolidation, mass or fracture.",
    "No consolidation, collapse, effusion or pneumothorax.",
    "No focal airspace disease, pleural effusion or pneumothorax.",
    "No pneumothorax, pleural effusion, focal consolidation or acute bony abnormality.",
    "Clear lungs, normal heart, no effusion, no pneumothorax.",
    "Heart and lungs normal. No effusion or pneumothorax.",
]
MIN_NORMAL_IMP = ["Normal.", "NAD.", "Normal chest.", "No acute disease.", "Normal study.", "No acute findings."]
REFER_BACK = ["As above.", "See findings.", "As described."]
HISTORY = ["Cough.", "___ with cough and fever.", "Shortness of breath.", "Chest pain.", "Pre-operative.",
           "___-year-old with dyspnoea.", "Fall, ?rib fracture.", "Fever, ?pneumonia.", "Follow-up."]
SYSTEMATIC = {
    "Airway": ["The trachea is midline and of normal calibre.",
               "The carina and main bronchi are unremarkable.", "No endobronchial lesion is seen.",
               "The paratracheal stripe is not thickened."],
    "Breathing": ["Both lungs are well inflated with nine posterior ribs visible.",
                  "Lung markings extend to the periphery bilaterally.", "The lungs are clear.",
                  "No focal consolidation.", "No pneumothorax.", "No pleural effusion.",
                  "No pulmonary nodule or mass is seen.",
                  "Both costophrenic angles are sharp.", "No interstitial abnormality.",
                  "The hila are of normal size, position and density.", "No Kerley B lines."],
    "Cardiac": ["The heart is not enlarged; cardiothoracic ratio under 0.5.", "The cardiac borders are clear.",
                "The mediastinum is not widened.", "The aortic knuckle is normal.",
                "No retrocardiac opacity.", "The mediastinal contours are normal."],
    "Diaphragm": ["Both hemidiaphragms are clear and of normal contour.", "No free air under the diaphragm.",
                  "The right hemidiaphragm lies at the expected higher level.",
                  "The gastric bubble is in the normal position."],
    "Everything else": ["The visualised bones are intact.", "No rib fracture.", "The soft tissues are unremarkable.",
                        "No surgical emphysema.", "No lines or tubes.", "The visualised upper abdomen is unremarkable.",
                        "The shoulder girdles are unremarkable.", "The thoracic spine alignment is normal."],
}
NARR_EXTRA = ["Technique: PA and lateral projections, adequate inspiration, not rotated.",
              "Penetration is adequate.", "The film is well centred.",
              "Minor degenerative change of the thoracic spine.", "Bilateral nipple shadows are noted.",
              "The azygo-oesophageal line is preserved.", "No hilar lymphadenopathy.",
              "The pulmonary vasculature is within normal limits.", "No pleural thickening.",
              "The apices are clear.", "No cavitation.", "The aortopulmonary window is clear."]
COMPARISONS = [
    ("{m1}", "Compared with the radiograph of {m1}, there is no interval change."),
    ("{m2}", "The earlier film of {m2} was also reviewed and the appearances are similar."),
    ("CT chest {m3}", "The CT chest of {m3} is noted; no correlate is seen for any new abnormality."),
    ("{m4}", "Going back to {m4}, the cardiomediastinal contour is unchanged."),
]
MONTHS = ["January 2019", "March 2020", "June 2021", "August 2022", "October 2022", "February 2023",
          "May 2023", "November 2023", "April 2024"]
LOBES = ["upper", "lower", "middle"]

# finding templates: (key, significant, findings text, impression text, sided)
SIG = [
    ("pneumothorax", "There is a {side} apical pneumothorax measuring {n} cm.",
     "{Side} pneumothorax.", ["pneumothorax", "air leak"]),
    ("consolidation", "There is consolidation in the {side} lower lobe with air bronchograms.",
     "{Side} lower lobe consolidation, likely pneumonia.", ["consolidat", "pneumonia", "airspace", "infection",
                                                          "opacit", "infiltrat"]),
    ("effusion", "There is a moderate {side} pleural effusion with a meniscus.",
     "Moderate {side} pleural effusion.", ["effusion", "fluid"]),
    ("nodule", "There is a nodule measuring {n2} mm in the {side} upper zone.",
     "{n2} mm {side} upper zone nodule; CT recommended.", ["nodul", "lesion", "mass", "opacit"]),
    ("mass", "A {n3} cm mass projects over the {side} hilum.",
     "{Side} hilar mass; CT chest advised.", ["mass", "lesion", "hilar", "hilum", "neoplas", "malignan"]),
    ("collapse", "There is collapse of the {side} lower lobe with volume loss.",
     "{Side} lower lobe collapse.", ["collapse", "atelecta", "volume loss"]),
]
SIG_UNSIDED = [
    ("oedema", "There is upper lobe venous diversion with bilateral perihilar airspace shadowing, in keeping "
     "with pulmonary oedema.", "Pulmonary oedema.", ["oedema", "edema", "congest", "failure", "fluid overload"]),
    ("free air", "There is free gas beneath both hemidiaphragms.", "Pneumoperitoneum.",
     ["free air", "free gas", "pneumoperitoneum", "subdiaphragm"]),
    ("mediastinum", "The mediastinum is widened, measuring {n4} cm at the level of the aortic knuckle.",
     "Widened mediastinum; CT aortogram recommended.", ["mediastin", "aort"]),
]
MINOR = [  # non-significant findings an impression may leave out (per spec); kill: negatives they contradict
    ("Calcified granuloma in the {side} upper zone.", "Old granulomatous disease.", r"nodule|granulom"),
    ("Mild, stable cardiomegaly.", "Stable mild cardiomegaly.", r"heart|cardiac|cardiothoracic|cardiomediastinal"),
    ("Trace {side} pleural effusion.", "Trace {side} effusion.", r"effusion|costophrenic|pleural spaces"),
    ("A 4 mm nodule in the {side} mid zone, unchanged.", "Stable 4 mm nodule.", r"nodul|mass"),
    ("Old healed fracture of the {side} 6th rib.", "Old {side} rib fracture.", r"fracture|bon|osseous|skelet"),
    ("Degenerative change in the thoracic spine.", "Thoracic spondylosis.", r"spine|degenerat|bony|osseous"),
]
NEGATOR = {  # affirmed finding -> impression ruling it out
    "pneumothorax": "No pneumothorax.", "effusion": "No pleural effusion.",
    "consolidation": "Lungs clear.", "oedema": "No pulmonary oedema.", "collapse": "No collapse or consolidation.",
}
IMP_AFFIRM = [  # (findings negative phrase that stays, impression affirming it)
    ("No pleural effusion.", "Small {side} pleural effusion."),
    ("No pneumothorax.", "Small {side} pneumothorax."),
    ("The heart is not enlarged; cardiothoracic ratio under 0.5.", "Cardiomegaly."),
    ("No focal consolidation.", "{Side} basal consolidation."),
]
PLACEHOLDERS = [
    ("There is a {side} apical pneumothorax measuring {n} cm.", "{n} cm", "___ cm"),
    ("There is a nodule measuring {n2} mm in the {side} upper zone.", "{n2} mm", "XX mm"),
    ("There is a moderate {side} pleural effusion with a meniscus.", "{side}", "[LEFT/RIGHT]"),
    ("There is a moderate {side} pleural effusion with a meniscus.", "moderate", "[***]"),
    ("A {n3} cm mass projects over the {side} hilum.", "{n3} cm", "<insert> cm"),
    ("There is consolidation in the {side} lower lobe with air bronchograms.", "{side}", "[side]"),
]


def fill(s: str, v: dict) -> str:
    return s.format(**v)


def fvars(rng: random.Random) -> dict:
    side = rng.choice(["right", "left"])
    return {"side": side, "Side": side.capitalize(), "n": rng.choice(["1.5", "2", "2.5", "3"]),
            "n2": str(rng.choice([7, 8, 9, 11, 12, 14])), "n3": rng.choice(["3", "3.5", "4", "5"]),
            "n4": rng.choice(["8.5", "9", "10"])}


# ---------------------------------------------------------------- IU archive
def dev_uids(shared: Path) -> set:
    f = shared / "eval" / "report_errors_dev.jsonl"
    return {json.loads(line)["uid"] for line in f.open()} if f.exists() else set()


NORMAL_SENT = re.compile(r"\b(no|not|normal|clear|within normal|unremarkable|negative|intact|without|"
                         r"free of)\b", re.I)
RISKY = re.compile(r"\b(but|however|except|although|left|right|bilateral|mild|small|trace|increas|new|"
                   r"enlarg|opacit|effusion(?! or)|cardiomegaly|nodul|atelect|granulom|scar|degenerat|"
                   r"hyperinfl|emphysem|calcif|tortuous|surgical|sternotomy|catheter|tube|pacemaker)\b", re.I)
NORMAL_IMP = re.compile(r"^(no acute|normal chest|no active|negative|no evidence of acute|normal)", re.I)


def load_iu(shared: Path) -> list:
    excl = dev_uids(shared)
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        for m in t:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(t.extractfile(m)).getroot()
            u = root.find(".//uId")
            uid = u.get("id") if u is not None else m.name
            if uid in excl:
                continue
            sec = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            fi, im = sec.get("FINDINGS", ""), sec.get("IMPRESSION", "")
            if not fi or not im or len(im) > 90 or not NORMAL_IMP.match(im) or RISKY.search(im):
                continue
            sents = [s.strip() for s in re.split(r"(?<=\.)\s+", fi) if s.strip()]
            if not (2 <= len(sents) <= 8) or any(RISKY.search(s) or not NORMAL_SENT.search(s) for s in sents):
                continue
            im = re.sub(r"\.(\s*\.)+$", ".", im)
            out.append({"uid": uid, "findings": sents, "impression": im,
                        "indication": sec.get("INDICATION") or "", "comparison": sec.get("COMPARISON") or ""})
    out.sort(key=lambda r: r["uid"])
    return out


# ---------------------------------------------------------------- layouts
def layout(style: str, rng: random.Random, fsents: list, isents: list, ctx: dict) -> str:
    """fsents: list of findings sentences (or None for absent section, [] for empty header)."""
    hist = ctx.get("history") or rng.choice(HISTORY)
    comp = ctx.get("comparison", "None.")
    if isents is None:
        imp = None
    elif not isents:
        imp = ""
    elif len(isents) == 1:
        imp = isents[0]
    else:
        imp = "\n".join(f"{i}. {s}" for i, s in enumerate(isents, 1))
    parts = []
    if style == "minimal":
        parts.append(f"CXR PA. Hx: {hist}")
        if fsents is not None:
            parts.append("FINDINGS: " + " ".join(fsents))
        if imp is not None:
            parts.append("IMPRESSION: " + imp.replace("\n", " "))
        return "\n".join(p.rstrip() for p in parts)
    if style == "systematic":
        parts.append(f"EXAMINATION: Chest radiograph, PA erect.\nCLINICAL DETAILS: {hist}\nCOMPARISON: {comp}")
        if fsents is not None:
            parts.append("FINDINGS:" + ("\n" + "\n".join(fsents) if fsents else ""))
    else:  # narrative / iu-long / iu-short
        parts.append(f"CHEST, PA AND LATERAL\n\nINDICATION: {hist}\n\nCOMPARISON: {comp}")
        if fsents is not None:
            body = " ".join(fsents)
            if style == "narrative" and len(fsents) > 12:
                k = len(fsents) // 2
                body = " ".join(fsents[:k]) + "\n\n" + " ".join(fsents[k:])
            parts.append("FINDINGS:" + ("\n" + body if body else ""))
    if imp is not None:
        parts.append("IMPRESSION:" + ("\n" + imp if imp else ""))
    if style in ("systematic", "narrative") and rng.random() < 0.5:
        parts.append(rng.choice(["Reported by: Dr. ___, Consultant Radiologist.",
                                 "Electronically signed by ___ on ___.", "Dictated by Dr. ___."]))
    return "\n\n".join(parts)


def systematic_findings(rng: random.Random, extra: list, deep: bool = True) -> list:
    """Build ABCDE-labelled sentences; extra = [(system, sentence, remove_negative_regex)]."""
    out = []
    for sysname, bank in SYSTEMATIC.items():
        k = rng.randint(max(2, len(bank) - 3), len(bank))
        chosen = rng.sample(bank, k)
        for _syst, _sent, kill in extra:
            if kill:
                chosen = [c for c in chosen if not re.search(kill, c, re.I)]
        for syst, sent, _kill in extra:
            if syst == sysname and sent not in chosen:
                pos = rng.randint(min(1, len(chosen)), len(chosen)) if deep else 0
                chosen.insert(pos, sent)
        out.append(f"{sysname}: " + (" ".join(chosen) or "No other abnormality."))
    return out


def narrative_findings(rng: random.Random, extra: list, comp_sents: list) -> list:
    out = [NARR_EXTRA[0]] + rng.sample(NARR_EXTRA[1:3], rng.randint(0, 2))
    for name, bank in SYSTEMATIC.items():
        chosen = rng.sample(bank, rng.randint(max(2, len(bank) - 3), len(bank)))
        if name == "Everything else":
            chosen += rng.sample(NARR_EXTRA[3:], rng.randint(2, 5))
        for syst, sent, kill in extra:
            if kill:
                chosen = [c for c in chosen if not re.search(kill, c, re.I)]
            if syst == name or (syst not in SYSTEMATIC and name == "Breathing"):
                chosen.insert(rng.randint(1, len(chosen)), sent)
        out += chosen
    return comp_sents + out


SYS_OF = {"pneumothorax": "Breathing", "consolidation": "Breathing", "effusion": "Breathing", "nodule": "Breathing",
          "mass": "Breathing", "collapse": "Breathing", "oedema": "Breathing", "free air": "Diaphragm",
          "mediastinum": "Cardiac"}
KILL_OF = {
    "pneumothorax": r"pneumothorax|periphery|expanded|well inflated",
    "consolidation": r"consolidation|air ?space|\bclear\b|retrocardiac|opacit|pneumonia|infiltrat",
    "effusion": r"effusion|costophrenic|sharp|\bclear\b|hemidiaphragm|pleural spaces",
    "nodule": r"nodule|mass|lungs (are|appear) clear|clear lungs",
    "mass": r"mass|nodule|hila|lungs (are|appear) clear|clear lungs",
    "collapse": r"consolidation|collapse|expanded|well inflated|retrocardiac|hemidiaphragm|\bclear\b|opacit|volume",
    "oedema": r"kerley|interstitial|consolidation|vascula|\bclear\b|edema|oedema|air ?space|opacit",
    "free air": r"free air|upper abdomen",
    "mediastinum": r"mediastin|aortic knuckle|paratracheal",
}


# ---------------------------------------------------------------- case builders
def comp_block(rng: random.Random, long_: bool):
    if not long_:
        return rng.choice(["None.", "None available.", rng.choice(MONTHS) + "."]), []
    k = rng.randint(2, 4)
    ms = [MONTHS[i] for i in sorted(rng.sample(range(len(MONTHS)), 4), reverse=True)]  # newest first
    v = {"m1": ms[0], "m2": ms[1], "m3": ms[2], "m4": ms[3]}
    chosen = COMPARISONS[:k]
    return "; ".join(fill(c[0], v) for c in chosen) + ".", [fill(c[1], v) for c in chosen]


def sig(e) -> bool:
    return bool(e[2]) and not e[2].startswith("(?#m)")


def pick_sig(rng: random.Random, sided_only: bool = False):
    bank = SIG if sided_only else SIG + SIG_UNSIDED
    key, ftxt, itxt, words = rng.choice(bank)
    return key, ftxt, itxt, words


def build(kind, src, style, rng, iu=None, other=False):
    """Return (report, detail, check-info)."""
    v = fvars(rng)
    long_ = style in ("systematic", "narrative", "iu-long")
    comparison, comp_sents = comp_block(rng, long_)
    ctx = {"comparison": comparison}
    if iu:
        ctx["history"] = iu["indication"] or None
        ctx["comparison"] = iu["comparison"] or "None."
    extra, imp, detail, chk = [], [], "", {}
    other_imp = []
    if rng.random() < 0.5:  # minor finding present and mentioned in impression
        m = rng.choice(MINOR)
        extra.append(("Everything else" if "fracture" in m[0] or "Degenerat" in m[0] else "Breathing",
                      fill(m[0], v), "(?#m)" + m[2]))
        other_imp.append(fill(m[1], v).capitalize())
    normal_imp = rng.choice(["No acute cardiopulmonary abnormality.", "No acute disease.", "Normal chest radiograph.",
                             "No active disease.", "NAD."] if style != "minimal" else MIN_NORMAL_IMP)
    if kind is None:
        r = rng.random()
        if r < 0.45:  # significant finding, reported consistently
            key, ftxt, itxt, _ = pick_sig(rng)
            extra.append((SYS_OF[key], fill(ftxt, v), KILL_OF[key]))
            imp = [fill(itxt, v)] + other_imp
        else:
            imp = other_imp or [normal_imp]
            if not other_imp and rng.random() < 0.2:
                imp = [rng.choice(REFER_BACK)]  # refer-back beside nothing significant
            elif other_imp and style == "minimal" and rng.random() < 0.4:
                imp = [rng.choice(["Unchanged.", "As above."])]
            elif other_imp and long_:
                imp = [normal_imp] + other_imp
        detail = "clean"
    elif kind == "missing_section":
        imp = other_imp or [normal_imp]
        how = rng.choice(["empty_findings", "no_impression", "empty_impression"])
        if how == "empty_findings":
            chk["findings"] = []
            imp = [normal_imp]  # a bare impression that does not describe findings
        elif how == "no_impression":
            imp = None
        else:
            imp = []
        detail = {"empty_findings": "FINDINGS header left with nothing under it",
                  "no_impression": "IMPRESSION section absent", "empty_impression": "IMPRESSION header left empty"}[how]
    elif kind == "laterality_conflict":
        key, ftxt, itxt, _ = pick_sig(rng, sided_only=True)
        extra.append((SYS_OF[key], fill(ftxt, v), KILL_OF[key]))
        w = dict(v, side=OPP[v["side"]], Side=OPP[v["side"]].capitalize())
        other_imp = []  # keep the impression to the one flipped finding
        extra = [e for e in extra if sig(e)]
        imp = [fill(itxt, w)] + other_imp
        detail = f"{key}: {v['side']} in FINDINGS, {w['side']} in IMPRESSION"
        chk = {"fside": v["side"], "iside": w["side"]}
    elif kind == "negation_conflict":
        extra, other_imp = [], []
        if rng.random() < 0.5:
            key = rng.choice(list(NEGATOR))
            _, ftxt, itxt, _ = next(s for s in SIG + SIG_UNSIDED if s[0] == key)
            extra.append((SYS_OF[key], fill(ftxt, v), KILL_OF[key]))
            imp = [NEGATOR[key]] + other_imp
            detail = f"{key} affirmed in FINDINGS, ruled out in IMPRESSION ('{NEGATOR[key]}')"
        else:
            neg, aff = rng.choice(IMP_AFFIRM)
            chk["force_neg"] = neg
            chk["negword"] = {"No pleural": "effusion", "No pneumo": "pneumothora", "The heart": "heart",
                              "No focal": "consolidat"}[next(k for k in ("No pleural", "No pneumo", "The heart",
                                                                         "No focal") if neg.startswith(k))]
            imp = [fill(aff, v)] + other_imp
            detail = f"FINDINGS '{neg}' but IMPRESSION '{fill(aff, v)}'"
    elif kind == "impression_omits_finding":
        key, ftxt, itxt, words = pick_sig(rng)
        extra.append((SYS_OF[key], fill(ftxt, v), KILL_OF[key]))
        if not other:
            imp = [normal_imp]
            extra = [e for e in extra if sig(e)]
            detail = f"{key} in FINDINGS, IMPRESSION is a normal macro"
        else:
            if not other_imp:
                m = rng.choice(MINOR)
                extra.insert(0, ("Everything else" if "fracture" in m[0] or "Degenerat" in m[0] else "Breathing",
                                 fill(m[0], v), "(?#m)" + m[2]))
                other_imp = [fill(m[1], v).capitalize()]
            imp = other_imp
            detail = f"{key} in FINDINGS, IMPRESSION lists only other findings"
        chk = {"omit_words": words}
    elif kind == "placeholder":
        ftxt, tok, ph = rng.choice(PLACEHOLDERS)
        key = next(s[0] for s in SIG if s[1] == ftxt)
        real = fill(ftxt, v)
        extra.append((SYS_OF[key], real.replace(fill(tok, v), ph, 1), KILL_OF[key]))
        itxt = next(s[2] for s in SIG if s[0] == key)
        imp = [fill(itxt, v) if ph not in ("[LEFT/RIGHT]", "[side]") else
               re.sub(r"^(Right|Left) ", "", fill(itxt, v)).capitalize()] + other_imp
        detail = f"'{fill(tok, v)}' left as '{ph}' in FINDINGS"
        chk = {"ph": ph}
    for e in extra:  # a minor finding must not collide with the significant one (retry instead)
        for o in extra:
            if e is not o and e[2] and re.search(e[2], o[1], re.I):
                raise ValueError("colliding findings")
    if any(sig(e) for e in extra) and comp_sents:
        dates = re.findall(r"(?:January|February|March|April|May|June|August|October|November) \d{4}", comparison)
        comp_sents[:] = [f"Compared with the radiograph of {dates[0]}, the abnormality described below is new."]
        if len(dates) > 1:
            if len(dates) == 2:
                comp_sents.append(f"The earlier study of {dates[1]} was also reviewed and does not show it.")
            else:
                listed = ", ".join(dates[1:-1]) + " and " + dates[-1]
                comp_sents.append(f"The earlier studies of {listed} were also reviewed and do not show it.")
    if iu and style == "iu-long":
        ctx["comparison"] = comparison
    # findings
    if iu:
        fs = list(iu["findings"])
        for _s, _sent, kill in extra:
            if kill:
                fs = [x for x in fs if not re.search(kill, x, re.I)] or fs
        for _s, sent, _kill in extra:
            fs.insert(rng.randint(0, len(fs)), sent)
        word = {"No pleural": "effusion", "No pneumo": "pneumothora", "The heart": "heart", "No focal": "consolidat"}
        if "force_neg" in chk and not any(w in " ".join(fs).lower() for k, w in word.items()
                                          if chk["force_neg"].startswith(k)):
            fs.append(chk["force_neg"])
        if style == "iu-long":
            have = " ".join(fs).lower()
            tail = rng.sample(NARR_EXTRA[1:] + SYSTEMATIC["Everything else"], 8)
            fs = comp_sents + [NARR_EXTRA[0]] + fs + [s for s in tail
                                    if not any(re.search(e[2] or "^$", s, re.I) for e in extra)
                                    and not ("bon" in s.lower() and ("bon" in have or "osseous" in have))
                                    and not ("vascula" in s.lower() and "vascula" in have)]
        if iu["impression"] and kind is None and not extra and rng.random() < 0.5:
            imp = [iu["impression"]]
    elif style == "minimal":
        fs = [e[1] for e in extra]
        if "force_neg" in chk or not fs or rng.random() < 0.7:
            nl = rng.choice(NEG_LIST)
            kills = [e[2] for e in extra if e[2]]
            if kills:
                nl = rng.choice(["Otherwise unremarkable.", "Otherwise clear."])
            if "force_neg" in chk:
                nl = chk["force_neg"]
            fs = fs + [nl]
    elif style == "systematic":
        if "force_neg" in chk:
            extra.append(("Breathing" if "heart" not in chk["force_neg"] else "Cardiac", chk["force_neg"], None))
        fs = systematic_findings(rng, extra)
    else:
        if "force_neg" in chk:
            extra.append(("x", chk["force_neg"], None))
        fs = narrative_findings(rng, extra, comp_sents)
    if "findings" in chk:
        fs = []
    if style == "minimal" and imp and len(imp) > 1:
        imp = [" ".join(imp)]
    report = layout("narrative" if style.startswith("iu") else style, rng, fs, imp, ctx)
    return report, detail, chk, fs, imp


def sections(report: str):
    m = re.search(r"FINDINGS:(.*?)(?=IMPRESSION:|$)", report, re.S)
    i = re.search(r"IMPRESSION:(.*?)(?=\n\n(Reported|Electronically|Dictated)|$)", report, re.S)
    return (m.group(1).strip() if m else None), (i.group(1).strip() if i else None)


def verify(kind, report, chk):
    f, i = sections(report)
    if kind is None:
        assert f and i, report
        assert not re.search(r"\[|<insert>|XX mm|___ cm", report), report
        return
    if kind == "missing_section":
        assert not f or i is None or i == "", report
    elif kind == "laterality_conflict":
        assert chk["fside"] in f.lower() and chk["iside"] in i.lower(), report
    elif kind == "negation_conflict":
        assert f and i
        if "negword" in chk:
            w = chk["negword"]
            sents = [x for x in re.split(r"(?<=\.)\s+", f) if w in x.lower()]
            assert sents and all(re.search(r"\b(no|not|normal|clear)\b", x, re.I) for x in sents), report
    elif kind == "impression_omits_finding":
        assert not any(w in i.lower() for w in chk["omit_words"]), (report, chk)
    elif kind == "placeholder":
        assert chk["ph"] in f, report


def generate(seed: int, iu: list) -> list:
    rng = random.Random(seed)
    pool = iu[:]
    rng.shuffle(pool)
    cases, seen = [], set()
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        for j in range(n):
            if j % 2 == 0:
                src = pool.pop()
                style = "iu-short" if j % 4 == 0 else "iu-long"
            else:
                src = None
                style = ["minimal", "systematic", "narrative"][(j // 2) % 3]
            for _ in range(50):
                r2 = random.Random(rng.random())
                sty = "minimal" if style == "iu-short" else style
                try:
                    rep, detail, chk, fs, imp = build(kind, src, sty, r2, iu=src, other=bool((j // 2 + j // 4) % 2))
                except ValueError:
                    continue
                if kind is not None and imp and any(x in REFER_BACK or x == "Unchanged." for x in imp):
                    continue
                try:
                    verify(kind, rep, chk)
                except AssertionError:
                    continue
                if rep in seen:
                    continue
                seen.add(rep)
                break
            else:
                raise RuntimeError(f"could not build a valid {kind} case")
            if src:
                detail += f" (IU {src['uid']}, {style})"
            else:
                detail += f" (composed, {style})"
            cases.append({"injected": kind, "detail": detail, "report": rep})
    rng.shuffle(cases)
    for n, c in enumerate(cases):
        c["id"] = "h24-" + hashlib.sha1(f"{seed}:{n}:{c['report']}".encode()).hexdigest()[:12]
    return [{"id": c["id"], "injected": c["injected"], "detail": c["detail"], "report": c["report"]} for c in cases]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=2401)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    d = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(d) if d else Path(__file__).resolve().parents[1].parent / "shared"
    if not (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        print(f"shared data not found at {p}: set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        sys.exit(2)
    cases = generate(a.seed, load_iu(p))
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps(c, sort_keys=True) + "\n")
    if a.show:
        for k in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == k][: a.show]:
                print(f"===== {k} | {c['detail']}\n{c['report']}\n")


if __name__ == "__main__":
    main()
