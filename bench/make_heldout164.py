"""Held-out report-error set 164: maternity and obstetric medicine chest films (UK and US).

usage: python -m bench.make_heldout164 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines {"id", "injected", "detail", "report"}: 200 clean reports and 40 of each of
the five error kinds. Half of every group is composed from a phrase bank written in the style of
maternity/obstetric radiology (antenatal and postpartum films, shielded views, peripartum oedema,
pre-eclampsia, aspiration after anaesthesia, sepsis, PE questions, lines on obstetric HDU/ICU);
the other half are real IU reports (never a dev-set uid, each used once) re-laid out and lightly
re-worded in that style. Standard library only; deterministic per seed.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# ---------------------------------------------------------------------------------------------
# IU archive
# ---------------------------------------------------------------------------------------------

def _clean_text(t: str) -> str:
    t = re.sub(r"\s+", " ", t or "").strip()
    t = re.sub(r"(?:(?<=\s)|^)\d{1,2}\.\s+(?=[A-Za-z])", "", t)  # list numbers "1. "
    t = re.sub(r"\s+([.,;])", r"\1", t)
    t = re.sub(r"\.(\s*\.)+", ".", t)
    t = t.strip()
    if t and not t.endswith("."):
        t += "."
    return t


def split_sentences(t: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z])", _clean_text(t))
    return [p.strip() for p in parts if len(p.strip()) > 2]


@functools.lru_cache(maxsize=4)
def load_iu(shared: str) -> tuple:
    path = Path(shared) / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    rows = []
    with tarfile.open(path) as tf:
        members = sorted((m for m in tf.getmembers() if m.isfile() and m.name.endswith(".xml")),
                         key=lambda m: m.name)
        for m in members:
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            uid = uid_el.get("id", "")
            d = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            rows.append({"uid": uid, "num": int(re.sub(r"\D", "", uid) or 0),
                         "findings": d.get("FINDINGS") or "", "impression": d.get("IMPRESSION") or "",
                         "indication": d.get("INDICATION") or "", "comparison": d.get("COMPARISON") or ""})
    rows.sort(key=lambda r: r["num"])
    return tuple(rows)


@functools.lru_cache(maxsize=4)
def dev_uids(shared: str) -> frozenset:
    out = []
    with open(Path(shared) / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            if line.strip():
                out.append(json.loads(line).get("uid"))
    return frozenset(u for u in out if u)


# concept detection on IU sentences (lower case)
CONCEPT_RE = {
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|airspace|air space|infiltrat|pneumonia",
    "opacity": r"opacit|densit",
    "edema": r"edema|congesti",
    "cardiomegaly": r"cardiomegaly|enlarged (?:heart|cardiac)|heart (?:size )?is enlarged|cardiac enlargement"
                    r"|enlargement of the cardiac",
    "nodule": r"nodul|\bmass\b|masses",
    "atelectasis": r"atelecta",
    "fracture": r"fractur",
}
FAMILY = {
    "effusion": ["effusion"], "pneumothorax": ["pneumothorax"],
    "consolidation": ["consolidation", "opacity", "atelectasis"],
    "opacity": ["consolidation", "opacity", "atelectasis"],
    "atelectasis": ["consolidation", "opacity", "atelectasis"],
    "edema": ["edema"], "cardiomegaly": ["cardiomegaly"], "nodule": ["nodule"], "fracture": ["fracture"],
}
NEG_CUE = re.compile(r"\b(no|without|negative for|not|free of|resolved|resolution of|clear of|removed|"
                     r"absence of|rather than|exclude|excluded|versus|vs)\b")
CONTRAST = re.compile(r"\b(but|however|although|except|otherwise|though|whereas)\b")
HEDGE = re.compile(r"\b(mild|mildly|minimal|small|tiny|trace|subtle|possible|possibly|may|might|likely|could|"
                   r"questionable|question|stable|unchanged|chronic|old|healed|healing|resolv\w*|improv\w*|scar\w*|"
                   r"borderline|slight|slightly|suggest\w*|suspect\w*|cannot|can not|minor|probabl\w*|prior|"
                   r"previous|again|persistent|residual|decreas\w*|vs|versus|or)\b|\?")
LUNGS_CLEAR = re.compile(r"lungs? (?:are |is |remain )?(?:otherwise )?(?:well expanded and )?clear|clear lungs|"
                         r"lungs (?:are )?(?:grossly )?normal")
HEART_NORMAL = re.compile(r"heart size (?:is )?(?:normal|within normal)|normal heart size|heart is normal|"
                          r"normal (?:cardiac|cardiomediastinal) (?:silhouette|size|contour)|"
                          r"cardiomediastinal (?:silhouette|contours?) (?:is |are )?(?:normal|within normal)|"
                          r"heart (?:is )?not enlarged|normal-sized heart|heart size and \w+ (?:are )?normal|"
                          r"normal heart|heart and mediastinum (?:are )?(?:otherwise )?(?:normal|unremarkable)|"
                          r"heart (?:is )?(?:normal|unremarkable)")
NORMAL_STMT = re.compile(r"no acute|normal chest|no active|negative chest|no evidence of acute|within normal limits|"
                         r"no radiographic evidence|unremarkable|no (?:significant )?(?:acute )?abnormalit|"
                         r"no evidence of active|normal (?:exam|study|radiograph)|no (?:acute )?findings|"
                         r"no acute cardiopulmonary|no interval change|no cardiopulmonary")
SIDE_RE = re.compile(r"\b(left|right)\b", re.I)
EXCLUDE_IU = re.compile(r"sternotom|cabg|pacemaker|pacer|defibrillat|aicd|valve|emphysema|copd|"
                        r"atheroscl|calcified aort|aortic calcif|unfolded|ectatic|osteopen|kyphos|prostat|"
                        r"\bmale\b|\bman\b|\bboy\b|see findings|as above|above findings|dictated|"
                        r"\bxxxx xxxx xxxx\b|\bpe\b|mastectomy|lymphoma|metasta|cancer|carcinoma|\bca\b|"
                        r"sarcoid|lobectomy|resect|\bchf\b|generator|knee|\bhip\b|ankle|shoulder|wrist|prosthe|tumor|"
                        r"neoplas|malignan|\bicd\b|tracheostom|closure device", re.I)


def analyse(sent: str) -> dict:
    s = sent.lower()
    out = {"text": sent, "aff": [], "neg": [], "sides": sorted({m.lower() for m in SIDE_RE.findall(sent)}),
           "normal": False, "bad": False}
    cue = NEG_CUE.search(s)
    for c, rx in CONCEPT_RE.items():
        m = re.search(rx, s)
        if not m:
            continue
        if cue and cue.start() < m.start():
            out["neg"].append(c)
        elif cue:
            out["bad"] = True  # negation after the finding word: scope unclear
        else:
            out["aff"].append(c)
    if cue and CONTRAST.search(s):
        out["bad"] = True
    if LUNGS_CLEAR.search(s):
        out["neg"] += ["consolidation", "opacity", "edema", "atelectasis", "nodule"]
    if HEART_NORMAL.search(s):
        out["neg"].append("cardiomegaly")
    if NORMAL_STMT.search(s) and not out["aff"]:
        out["normal"] = True
    return out


def iu_consistent(fs: list[dict], im: list[dict]) -> bool:
    """Conservative check that an IU report holds no contradiction of its own."""
    if any(a["bad"] for a in fs + im):
        return False
    f_aff = {c for a in fs for c in a["aff"]}
    f_neg = {c for a in fs for c in a["neg"]}
    i_aff = {c for a in im for c in a["aff"]}
    i_neg = {c for a in im for c in a["neg"]}
    if f_aff & i_neg or f_neg & i_aff or f_aff & f_neg or i_aff & i_neg:
        return False
    # every abnormality the impression names is in the findings too (same family)
    for c in sorted(i_aff):
        if not any(x in f_aff for x in FAMILY[c]):
            return False
    # every abnormality the findings affirm is named (in its family) by the impression
    for c in sorted(f_aff):
        if c in ("fracture",):
            return False
        if not any(x in i_aff for x in FAMILY[c]):
            return False
    # an impression that only says normal must sit beside findings without abnormality
    if all(a["normal"] or not a["aff"] for a in im) and f_aff:
        return False
    # sides: impression sides must be findings sides; per family, same sides
    f_sides = {s for a in fs for s in a["sides"]}
    i_sides = {s for a in im for s in a["sides"]}
    if not i_sides <= f_sides:
        return False
    for a in im:
        if len(a["sides"]) != 1 and a["sides"]:
            return False
        for c in a["aff"]:
            fam = FAMILY[c]
            fsd = {s for b in fs if any(x in fam for x in b["aff"]) for s in b["sides"]}
            if a["sides"] and fsd and a["sides"][0] not in fsd:
                return False
    for b in fs:
        for c in b["aff"]:
            fam = FAMILY[c]
            isd = {s for a in im if any(x in fam for x in a["aff"]) for s in a["sides"]}
            if b["sides"] and isd and not set(b["sides"]) <= isd:
                return False
    return True


def iu_pool(shared: str) -> list[dict]:
    dev = dev_uids(shared)
    pool = []
    for r in load_iu(shared):
        if r["uid"] in dev or not r["findings"] or not r["impression"]:
            continue
        text = " ".join([r["findings"], r["impression"], r["indication"]])
        if EXCLUDE_IU.search(text):
            continue
        fs = [analyse(s) for s in split_sentences(r["findings"])]
        im = [analyse(s) for s in split_sentences(r["impression"])]
        if not fs or not im or len(fs) > 9 or len(im) > 4:
            continue
        if sum(len(a["text"]) for a in im) < 10:
            continue
        if not iu_consistent(fs, im):
            continue
        pool.append({"uid": r["uid"], "num": r["num"], "fs": fs, "im": im, "comparison": r["comparison"]})
    return pool


# ---------------------------------------------------------------------------------------------
# style: spelling, light re-wording
# ---------------------------------------------------------------------------------------------

UK_SPELL = [
    (r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"anesthe", "anaesthe"), (r"Anesthe", "Anaesthe"),
    (r"\bcesarean", "caesarean"), (r"\bCesarean", "Caesarean"), (r"hemorrhag", "haemorrhag"),
    (r"esophag", "oesophag"), (r"ischemi", "ischaemi"), (r"\bcenter", "centre"), (r"hematoma", "haematoma"),
    (r"\bhemithorax", "haemithorax"), (r"characteriz", "characteris"), (r"\bfavor", "favour"),
    (r"\bpediatric", "paediatric"), (r"\banemia", "anaemia"), (r"\bgray\b", "grey"),
]
LIGHT_REWORD = [
    (r"^There is no ", "No "), (r"^There are no ", "No "),
    (r"\bx-XXXX\b", "radiograph"), (r"\bX-XXXX\b", "radiograph"),
    (r"\bcardiopulmonary process\b", "cardiopulmonary abnormality"),
    (r"^The lungs are clear\.$", "Lungs are clear."),
    (r"^Lungs are clear\.$", "The lungs are clear."),
    (r"^No acute cardiopulmonary abnormality\.$", "No acute cardiopulmonary abnormality seen."),
    (r"\bNormal heart size\b", "Heart size normal"),
    (r"\bThe heart is normal in size\b", "Heart size is normal"),
    (r"\bNo pneumothorax or pleural effusion\b", "No pleural effusion or pneumothorax"),
    (r"\bNo pleural effusion or pneumothorax\b", "No pneumothorax or pleural effusion"),
    (r"\bchest x-ray\b", "chest radiograph"), (r"\bno evidence of active disease\b", "no active disease"),
    (r"^No active disease\.$", "No active disease identified."),
    (r"^Negative chest\.$", "Normal chest radiograph."),
    (r"\bosseous structures\b", "bones"), (r"\bThe visualized osseous\b", "Visualised bony"),
]


def uk_spell(t: str, uk: bool) -> str:
    if not uk:
        return t
    for a, b in UK_SPELL:
        t = re.sub(a, b, t)
    return t.replace("visualized", "visualised").replace("Visualized", "Visualised")


def reword(sent: str, rng: random.Random) -> str:
    for a, b in LIGHT_REWORD:
        if re.search(a, sent) and rng.random() < 0.7:
            return re.sub(a, b, sent, count=1)
    return sent


def flip_side(sent: str) -> str:
    def sw(m):
        w = m.group(0)
        n = {"left": "right", "right": "left"}[w.lower()]
        if w.isupper():
            return n.upper()
        if w[0].isupper():
            return n.capitalize()
        return n
    return SIDE_RE.sub(sw, sent)


def cap(t: str) -> str:
    return t[:1].upper() + t[1:] if t else t


# ---------------------------------------------------------------------------------------------
# setting: history lines, headers, sign-offs
# ---------------------------------------------------------------------------------------------

def gest(rng, uk, lo=12):
    w = rng.randint(lo, 39)
    return f"{w}/40" if uk else f"{w} weeks gestation"


def history(rng, uk, kind) -> str:
    g = gest(rng, uk, 24 if kind == "oedema" else 12)
    day = rng.randint(1, 6)
    post = f"Day {day} post LSCS" if uk else f"POD {day} s/p cesarean delivery"
    post_nvd = (f"Day {day} post SVD" if uk else f"Postpartum day {day} after vaginal delivery")
    para = f"G{rng.randint(1, 4)}P{rng.randint(0, 3)}"
    bank = {
        "normal": [f"{g}, pleuritic chest pain and tachycardia. ?PE", f"{para}, {g}. SOB on exertion.",
                   f"{g}, cough and fever for 3 days.", f"{post}, pyrexia ?source.",
                   f"Antenatal TB screen, positive IGRA, {g}. Asymptomatic.",
                   f"{g}, known asthma, wheeze. Exclude pneumothorax.", f"{post_nvd}, chest pain.",
                   f"Pre-op assessment for elective LSCS, {g}." if uk else f"Preoperative, {g}, scheduled cesarean.",
                   f"{g}, palpitations, SOB.", "Postnatal, D-dimer raised, SOB. ?PE"],
        "oedema": [f"{post}, SOB, desaturating, bilateral crackles.", f"{g}, severe pre-eclampsia, SpO2 91% on air.",
                   f"{post_nvd}, orthopnoea, ?peripartum cardiomyopathy." if uk else
                   f"{post_nvd}, orthopnea, r/o peripartum cardiomyopathy.",
                   "PET on magnesium, positive fluid balance, increasing O2 requirement." if uk else
                   "Preeclampsia on magnesium, positive fluid balance, increasing O2 requirement."],
        "aspiration": [f"{post}, general anaesthetic, vomited at induction.", f"{post}, fever and hypoxia after GA.",
                       "Emergency LSCS under GA, ?aspiration." if uk else
                       "Emergency cesarean under GA, r/o aspiration."],
        "sepsis": [f"{post}, fever, rigors, raised CRP. ?chest source.", f"{post_nvd}, sepsis, productive cough.",
                   f"{g}, pyrexial, cough, raised WCC."],
        "icu": [f"{post}, massive PPH, intubated. Line position." if uk else
                f"{post}, massive PPH, intubated. Line placement.",
                "Suspected amniotic fluid embolism, intubated on HDU/ITU." if uk else
                "Suspected amniotic fluid embolism, intubated in ICU.",
                f"{post}, post central line insertion."],
        "effusion": [f"{post}, reduced breath sounds at base.", f"{post_nvd}, SOB, pre-eclampsia.",
                     f"{g}, dullness to percussion, SOB."],
        "ptx": [f"{post_nvd}, sudden onset pleuritic chest pain after prolonged second stage.",
                f"{g}, acute SOB and chest pain. ?pneumothorax"],
        "mass": [f"{g}, persistent cough, weight loss, night sweats.", f"{g}, incidental finding on echo, ?mass.",
                 f"{post_nvd}, haemoptysis." if uk else f"{post_nvd}, hemoptysis."],
        "freeair": [f"{post}, abdominal distension and pain.", f"{post}, tachycardia, raised lactate. ?free gas."
                    if uk else f"{post}, tachycardia, elevated lactate. r/o free air."],
        "cardio": [f"Known peripartum cardiomyopathy, follow-up. {post_nvd}.",
                   f"{g}, known dilated cardiomyopathy, increasing SOB."],
    }
    return rng.choice(bank[kind])


def exam_lines(rng, uk, portable) -> list[str]:
    if uk:
        view = rng.choice(["XR Chest (AP mobile)", "CXR AP (mobile, delivery suite)", "XR Chest AP supine"]) \
            if portable else rng.choice(["XR Chest PA", "CXR PA", "Chest radiograph PA"])
        ex = rng.choice([f"Examination: {view}", view.upper(), f"Exam: {view}"])
        tech = rng.choice(["Pregnancy status confirmed; lead apron applied to abdomen.",
                           "Abdominal shielding used.", "Pregnant - shielded.", "Lead shielding in place.",
                           ""])
        return [ex] + ([f"Technique: {tech}"] if tech and rng.random() < 0.5 else ([tech] if tech else []))
    view = "PORTABLE AP CHEST, 1 VIEW" if portable else rng.choice(["CHEST, 2 VIEWS (PA AND LATERAL)",
                                                                    "CHEST PA AND LATERAL", "XR CHEST 2V"])
    ex = rng.choice([f"EXAM: {view}", f"EXAMINATION: {view}", f"PROCEDURE: {view}"])
    if portable:
        tech = rng.choice(["Single portable AP view. Fetal shielding was used.",
                           "Single frontal view obtained at the bedside with abdominal lead shield."])
    else:
        tech = rng.choice(["Frontal and lateral views of the chest were obtained with abdominal lead shielding.",
                           "PA and lateral views with lead apron over the abdomen.",
                           "Standard views; abdominal shield in place."])
    return [ex, f"TECHNIQUE: {tech}"]


def comparison_line(rng, uk, prior: str | None) -> str:
    if prior is None:
        txt = rng.choice(["None.", "None available.", "No previous imaging.", "Nil."] if uk else
                         ["None.", "None available.", "No prior studies."])
    else:
        txt = prior
    lab = rng.choice(["Comparison:", "Previous:", "Prior imaging:"] if uk else ["COMPARISON:", "Comparison:"])
    return f"{lab} {txt}"


def signoff(rng, uk) -> str:
    if uk:
        return rng.choice(["Dr XXXX XXXX, Consultant Radiologist", "Reported by: Dr XXXX, Consultant Radiologist "
                           "(GMC XXXX)", "Dr XXXX, ST4 Radiology Registrar. Verified: Dr XXXX, Consultant Radiologist",
                           "Reporting radiographer: XXXX XXXX", "Dr ___, Consultant Radiologist",
                           "Reported by Dr XXXX (Consultant Radiologist, Women's Imaging) on XXXX"])
    return rng.choice(["Electronically signed by: XXXX, MD on XXXX", "Dictated by: XXXX, M.D. Signed: XXXX",
                       "I have personally reviewed the images and agree with the report above. XXXX, MD",
                       "Read by: ___, MD (Attending Radiologist)", "Signed: XXXX XXXX, MD, Women's Imaging"])


def headers(rng, uk) -> dict:
    if uk:
        return {"hist": rng.choice(["Clinical details:", "Clinical history:", "CLINICAL DETAILS:", "History:",
                                    "Clinical information:"]),
                "find": rng.choice(["Findings:", "FINDINGS:", "Report:", "REPORT:", "Findings:"]),
                "imp": rng.choice(["Conclusion:", "CONCLUSION:", "Opinion:", "Impression:", "Comment:",
                                   "Conclusion:"])}
    return {"hist": rng.choice(["HISTORY:", "INDICATION:", "CLINICAL HISTORY:", "Reason for exam:"]),
            "find": rng.choice(["FINDINGS:", "Findings:", "FINDINGS:"]),
            "imp": rng.choice(["IMPRESSION:", "Impression:", "IMPRESSION:", "CONCLUSION:"])}


def render(rng, uk, hdr, top, hist, comp, find_block, imp_block, rec, sign, fmode="ok", imode="ok") -> str:
    """find_block/imp_block: list of text lines. modes: ok | empty | sig | absent."""
    lines = list(top)
    lines.append(f"{hdr['hist']} {hist}")
    lines.append(comp)
    lines.append("")
    if fmode != "absent":
        inline = rng.random() < 0.35 and len(find_block) == 1
        if fmode == "ok" and inline:
            lines.append(f"{hdr['find']} {find_block[0]}")
        else:
            lines.append(hdr["find"])
            if fmode == "ok":
                lines += find_block
            elif fmode == "sig":
                lines.append(sign)
        lines.append("")
    if imode != "absent":
        if imode == "ok":
            if len(imp_block) == 1 and rng.random() < 0.4:
                lines.append(f"{hdr['imp']} {imp_block[0]}")
            else:
                lines.append(hdr["imp"])
                lines += imp_block
            if rec:
                lines.append(rec)
        else:
            lines.append(hdr["imp"])
            if imode == "sig":
                lines.append("")
                lines.append(sign)
                return "\n".join(lines).strip() + "\n"
        lines.append("")
    lines.append(sign)
    return "\n".join(lines).strip() + "\n"


def fmt_impression(rng, items: list[str]) -> list[str]:
    if len(items) > 1 and rng.random() < 0.6:
        return [f"{i}. {t}" for i, t in enumerate(items, 1)]
    if len(items) > 1 and rng.random() < 0.3:
        return [f"- {t}" for t in items]
    return [" ".join(items)]


# ---------------------------------------------------------------------------------------------
# composed phrase bank
# ---------------------------------------------------------------------------------------------

def S(text, cs=(), side=None, pos=True, sig=False, region="lungs"):
    return {"t": text, "cs": list(cs), "side": side, "pos": pos, "sig": sig, "r": region}


def zone(uk, side, where="lower"):
    return f"{side} {where} zone" if uk else f"{side} {where} lobe"


NORMAL_IMP = {
    True: ["Normal chest radiograph.", "Normal appearances.", "No acute cardiopulmonary abnormality.",
           "Unremarkable chest radiograph.", "No active lung disease.", "Normal chest. No evidence of infection."],
    False: ["No acute cardiopulmonary process.", "Normal chest radiograph.", "No acute cardiopulmonary abnormality.",
            "Negative chest.", "No radiographic evidence of acute cardiopulmonary disease."],
}


def normal_findings(rng, uk, shielded_note=True):
    heart = rng.choice(["The heart size is normal.", "Heart size normal.", "Normal cardiomediastinal contour.",
                        "The heart is not enlarged."] if uk else
                       ["The heart size is normal.", "Normal cardiomediastinal silhouette.",
                        "Heart size and mediastinal contours are within normal limits."])
    lungs = rng.choice(["The lungs are clear.", "Lungs clear.", "No focal lung lesion or consolidation.",
                        "The lungs are clear with no focal abnormality."] if uk else
                       ["The lungs are clear.", "Lungs are clear without focal consolidation.",
                        "No focal airspace disease."])
    pl = rng.choice(["No pleural effusion or pneumothorax.", "Costophrenic angles are clear. No pneumothorax.",
                     "No pleural effusion. No pneumothorax."])
    bones = rng.choice(["Bones unremarkable.", "No bony abnormality.", "Visualised bones are normal."] if uk else
                       ["No acute osseous abnormality.", "Osseous structures are intact."])
    out = [S(heart, ["cardiomegaly"], pos=False, region="heart"),
           S(lungs, ["consolidation", "edema"], pos=False),
           S(pl, ["effusion", "pneumothorax"], pos=False, region="pleura"),
           S(bones, [], pos=False, region="bones")]
    return out


def sc_normal(rng, uk):
    f = normal_findings(rng, uk)
    if rng.random() < 0.3:
        f = f[:3]
    imp = [S(rng.choice(NORMAL_IMP[uk]), [], pos=False)]
    rec = ""
    h = history(rng, uk, "normal")
    if "PE" in h and rng.random() < 0.6:
        rec = rng.choice(["If clinical concern for PE persists, proceed to CTPA or V/Q as per local pathway.",
                          "Further imaging for PE as per the pregnancy VTE pathway if clinically indicated."] if uk
                         else ["If clinical suspicion for PE persists, consider V/Q or CTA chest."])
    return {"name": "normal chest, obstetric patient", "f": f, "i": imp, "hist": h, "rec": rec,
            "portable": rng.random() < 0.2, "prior": None}


def sc_benign_clean(rng, uk):
    """Normal impression beside minor findings that need no mention (mild heart, small granuloma)."""
    side = rng.choice(["left", "right"])
    f = normal_findings(rng, uk)
    which = rng.randrange(3)
    if which == 0:
        f[0] = S("Borderline cardiothoracic ratio on this AP projection, accentuated by the gravid uterus; "
                 "no features of failure." if uk else
                 "Borderline heart size on this AP view, accentuated by the gravid uterus; no vascular congestion.",
                 [], pos=False, region="heart")
        portable = True
    elif which == 1:
        f.insert(2, S(f"A {rng.randint(3, 4)} mm calcified granuloma in the {zone(uk, side, 'upper')}, "
                      "of no clinical significance.", ["granuloma"], side=side))
        portable = False
    else:
        f.insert(2, S(f"Minor linear atelectasis at the {side} base." if uk else
                      f"Mild linear atelectasis at the {side} lung base.", ["atelectasis"], side=side))
        portable = rng.random() < 0.5
    imp = [S(rng.choice(["No acute cardiopulmonary abnormality.", "No active lung disease.",
                         "No acute cardiopulmonary process.", "No consolidation or effusion."]), [], pos=False)]
    return {"name": "minor finding, no acute abnormality", "f": f, "i": imp,
            "hist": history(rng, uk, "normal"), "rec": "", "portable": portable, "prior": None}


def sc_ppcm_oedema(rng, uk):
    ctr = rng.choice(["0.58", "0.60", "0.62", "0.65"])
    f = [S(f"The heart is enlarged (CTR {ctr})." if uk else f"The cardiac silhouette is enlarged (CTR {ctr}).",
           ["cardiomegaly"], region="heart"),
         S("Upper lobe venous diversion with bilateral perihilar airspace shadowing and septal lines, in keeping "
           "with pulmonary edema." if uk else
           "Pulmonary vascular congestion with bilateral perihilar interstitial and airspace edema and Kerley B lines.",
           ["edema"], sig=True),
         S("Small bilateral pleural effusions.", ["effusion"], region="pleura"),
         S("No pneumothorax.", ["pneumothorax"], pos=False, region="pleura")]
    i = [S("Cardiomegaly." if rng.random() < 0.5 else "Enlarged cardiac silhouette.", ["cardiomegaly"]),
         S("Pulmonary edema with small bilateral effusions." if uk else
           "Moderate pulmonary edema with small bilateral pleural effusions.", ["edema", "effusion"], sig=True)]
    rec = rng.choice(["In the peripartum setting, peripartum cardiomyopathy should be considered; suggest "
                      "echocardiography.", "Suggest echocardiogram to assess for peripartum cardiomyopathy.",
                      "Findings discussed with the obstetric registrar at the time of reporting."])
    return {"name": "peripartum cardiomyopathy with oedema", "f": f, "i": i, "hist": history(rng, uk, "oedema"),
            "rec": rec, "portable": True, "prior": None}


def sc_pet_oedema(rng, uk):
    side = rng.choice(["left", "right"])
    f = [S("Heart size is normal for an AP projection.", ["cardiomegaly"], pos=False, region="heart"),
         S("New bilateral perihilar haziness and interstitial thickening with septal lines, consistent with "
           "interstitial pulmonary edema." if uk else
           "New bilateral interstitial and perihilar airspace opacities, consistent with pulmonary edema.",
           ["edema"], sig=True),
         S(f"Small {side} pleural effusion.", ["effusion"], side=side, region="pleura"),
         S("No pneumothorax.", ["pneumothorax"], pos=False, region="pleura")]
    i = [S("Pulmonary edema, in keeping with fluid overload / non-cardiogenic edema in the context of "
           "pre-eclampsia." if uk else "Pulmonary edema, likely related to preeclampsia and fluid overload.",
           ["edema"], sig=True),
         S(f"Small {side} pleural effusion.", ["effusion"], side=side)]
    return {"name": "pre-eclampsia pulmonary oedema", "f": f, "i": i, "hist": history(rng, uk, "oedema"),
            "rec": "", "portable": True, "prior": "XXXX (admission film)." if uk else "Chest radiograph XXXX."}


def sc_aspiration(rng, uk):
    side = rng.choice(["right", "right", "left"])
    z = zone(uk, side)
    f = [S(f"Patchy consolidation in the {z} with air bronchograms." if uk else
           f"New patchy airspace consolidation in the {z} with air bronchograms.",
           ["consolidation"], side=side, sig=True),
         S("The remaining lungs are clear." if rng.random() < 0.5 else "The other lung fields are clear.",
           [], pos=False),
         S("No pleural effusion.", ["effusion"], pos=False, region="pleura"),
         S("Heart size normal.", ["cardiomegaly"], pos=False, region="heart")]
    i = [S(f"{cap(z)} consolidation, in keeping with aspiration given the history of general anesthesia." if uk
           else f"{cap(side)} lower lobe airspace disease, compatible with aspiration in this postoperative patient.",
           ["consolidation"], side=side, sig=True)]
    rec = rng.choice(["", "Suggest follow-up radiograph in 6 weeks to confirm resolution." if uk else
                      "Recommend follow-up chest radiograph in 6-8 weeks to document resolution."])
    return {"name": "aspiration after general anaesthesia", "f": f, "i": i, "hist": history(rng, uk, "aspiration"),
            "rec": rec, "portable": True, "prior": None}


def sc_pneumonia(rng, uk):
    side = rng.choice(["left", "right"])
    z = zone(uk, side)
    size = rng.choice(["small", "moderate"])
    f = [S(f"Dense consolidation in the {z} with air bronchograms.", ["consolidation"], side=side, sig=True),
         S(f"{cap(size)} {side} pleural effusion.", ["effusion"], side=side, sig=(size == "moderate"),
           region="pleura"),
         S("Heart size is normal.", ["cardiomegaly"], pos=False, region="heart"),
         S("No pneumothorax.", ["pneumothorax"], pos=False, region="pleura")]
    i = [S(f"{cap(z)} pneumonia." if uk else f"{cap(side)} lower lobe pneumonia.", ["consolidation"], side=side,
           sig=True),
         S(f"{cap(size)} {side} parapneumonic effusion.", ["effusion", "consolidation"], side=side,
           sig=(size == "moderate"))]
    rec = rng.choice(["Suggest repeat CXR in 6 weeks after treatment to confirm resolution.",
                      "Follow-up radiograph after treatment is recommended.", ""])
    return {"name": "postpartum pneumonia with effusion", "f": f, "i": i, "hist": history(rng, uk, "sepsis"),
            "rec": rec, "portable": rng.random() < 0.5, "prior": None}


def sc_cvc(rng, uk):
    side = rng.choice(["left", "right", "right"])
    line = "internal jugular central venous catheter" if rng.random() < 0.6 else "subclavian central line"
    f = [S(f"{cap(side)} {line}, tip projected over the SVC.", ["line"], side=side, region="lines"),
         S("Endotracheal tube tip 4 cm above the carina. Nasogastric tube tip below the diaphragm."
           if rng.random() < 0.5 else "Nasogastric tube tip in the stomach.", ["tube"], region="lines"),
         S("No pneumothorax.", ["pneumothorax"], pos=False, region="pleura"),
         S("The lungs are clear.", ["consolidation", "edema"], pos=False),
         S("Heart size normal.", ["cardiomegaly"], pos=False, region="heart")]
    i = [S(f"{cap(side)} {'IJ' if 'jugular' in line else 'subclavian'} line in satisfactory position, tip in SVC.",
           ["line"], side=side),
         S("No pneumothorax.", ["pneumothorax"], pos=False)]
    return {"name": "central line check on obstetric HDU", "f": f, "i": i, "hist": history(rng, uk, "icu"),
            "rec": "", "portable": True, "prior": None}


def sc_afe(rng, uk):
    side = rng.choice(["left", "right"])
    f = [S("Endotracheal tube tip 3 cm above the carina.", ["tube"], region="lines"),
         S(f"{cap(side)} internal jugular line with tip in the SVC.", ["line"], side=side, region="lines"),
         S("Extensive bilateral airspace opacification, most marked in the mid and lower zones." if uk else
           "Diffuse bilateral airspace opacities, new since the prior examination.",
           ["consolidation", "edema"], sig=True),
         S("Heart size is normal.", ["cardiomegaly"], pos=False, region="heart"),
         S("No pneumothorax.", ["pneumothorax"], pos=False, region="pleura")]
    i = [S("Diffuse bilateral airspace opacification, in keeping with non-cardiogenic pulmonary edema/ARDS in the "
           "context of suspected amniotic fluid embolism.", ["consolidation", "edema"], sig=True),
         S(f"ETT and {side} IJ line satisfactorily placed.", ["line"], side=side)]
    return {"name": "suspected amniotic fluid embolism", "f": f, "i": i, "hist": history(rng, uk, "icu"),
            "rec": "", "portable": True, "prior": "XXXX (on admission)." if uk else "XXXX."}


def sc_effusion(rng, uk):
    side = rng.choice(["left", "right"])
    size = rng.choice(["moderate", "large", "moderate"])
    f = [S(f"{cap(size)} {side} pleural effusion with adjacent basal atelectasis.", ["effusion"], side=side,
           sig=True, region="pleura"),
         S("The lungs are otherwise clear.", [], pos=False),
         S("Heart size normal.", ["cardiomegaly"], pos=False, region="heart"),
         S("No pneumothorax.", ["pneumothorax"], pos=False, region="pleura")]
    i = [S(f"{cap(size)} {side} pleural effusion.", ["effusion"], side=side, sig=True)]
    if rng.random() < 0.5:
        i.append(S("No focal consolidation.", ["consolidation"], pos=False))
    return {"name": "postpartum pleural effusion", "f": f, "i": i, "hist": history(rng, uk, "effusion"),
            "rec": rng.choice(["", "Ultrasound-guided aspiration could be considered if clinically indicated."]),
            "portable": False, "prior": None}


def sc_ptx(rng, uk):
    side = rng.choice(["left", "right"])
    rim = rng.choice(["1.5", "2", "2.5", "3"])
    f = [S(f"{cap(side)} apical pneumothorax with a {rim} cm rim at the apex.", ["pneumothorax"], side=side,
           sig=True, region="pleura"),
         S("No mediastinal shift.", ["shift"], pos=False, region="mediastinum"),
         S("The lungs are otherwise clear.", [], pos=False),
         S("No pleural effusion.", ["effusion"], pos=False, region="pleura")]
    i = [S(f"{cap(side)} pneumothorax ({rim} cm at the apex), no tension.", ["pneumothorax"], side=side, sig=True)]
    rec = rng.choice(["Discussed with the on-call obstetric team by telephone.",
                      "Findings communicated to the referring team.", ""])
    return {"name": "pneumothorax after labour", "f": f, "i": i, "hist": history(rng, uk, "ptx"), "rec": rec,
            "portable": False, "prior": None}


def sc_atelectasis(rng, uk):
    side = rng.choice(["left", "right"])
    f = [S(f"Elevated {side} hemidiaphragm with linear atelectasis at the {side} base.", ["atelectasis"],
           side=side),
         S("No focal consolidation.", ["consolidation"], pos=False),
         S("No pleural effusion or pneumothorax.", ["effusion", "pneumothorax"], pos=False, region="pleura"),
         S("Heart size normal.", ["cardiomegaly"], pos=False, region="heart")]
    i = [S(f"{cap(side)} basal atelectasis, likely postoperative.", ["atelectasis"], side=side),
         S("No consolidation.", ["consolidation"], pos=False)]
    return {"name": "postoperative basal atelectasis", "f": f, "i": i, "hist": history(rng, uk, "sepsis"),
            "rec": "", "portable": True, "prior": None}


def sc_cardio(rng, uk):
    f = [S("The heart is enlarged, CTR 0.6, similar to the previous film.", ["cardiomegaly"], region="heart"),
         S("No pulmonary edema.", ["edema"], pos=False),
         S("The lungs are clear.", ["consolidation"], pos=False),
         S("No pleural effusion.", ["effusion"], pos=False, region="pleura")]
    i = [S("Stable cardiomegaly.", ["cardiomegaly"]),
         S("No pulmonary edema or effusion.", ["edema", "effusion"], pos=False)]
    return {"name": "peripartum cardiomyopathy follow-up", "f": f, "i": i, "hist": history(rng, uk, "cardio"),
            "rec": "", "portable": False, "prior": "XXXX." if uk else "Chest radiograph dated XXXX."}


def sc_nodule(rng, uk):
    side = rng.choice(["left", "right"])
    mm = rng.randint(8, 18)
    z = zone(uk, side, rng.choice(["mid", "upper"]) if uk else rng.choice(["upper", "middle" if side == "right"
                                                                          else "upper"]))
    f = [S(f"A {mm} mm well-defined nodule in the {z}.", ["nodule"], side=side, sig=True),
         S("The lungs are otherwise clear.", [], pos=False),
         S("No pleural effusion.", ["effusion"], pos=False, region="pleura"),
         S("Heart size normal.", ["cardiomegaly"], pos=False, region="heart")]
    i = [S(f"{mm} mm {z} nodule.", ["nodule"], side=side, sig=True)]
    rec = rng.choice(["Recommend CT chest after delivery for further characterisation." if uk else
                      "Recommend CT chest postpartum for further characterization.",
                      "Suggest CT chest; can be deferred until after delivery if clinically appropriate."])
    return {"name": "incidental lung nodule in pregnancy", "f": f, "i": i, "hist": history(rng, uk, "mass"),
            "rec": rec, "portable": False, "prior": None}


def sc_mediastinal(rng, uk):
    side = rng.choice(["left", "right"])
    f = [S(f"Widening of the superior mediastinum with a lobulated {side} paratracheal soft tissue mass.",
           ["mediastinum", "mass"], side=side, sig=True, region="mediastinum"),
         S("The trachea is mildly displaced to the " + {"left": "right", "right": "left"}[side] + ".",
           ["trachea"], side={"left": "right", "right": "left"}[side], region="mediastinum"),
         S("The lungs are clear.", ["consolidation"], pos=False),
         S("No pleural effusion.", ["effusion"], pos=False, region="pleura")]
    i = [S(f"Superior mediastinal mass, predominantly {side}-sided. In a young woman lymphoma is the main "
           "differential.", ["mediastinum", "mass"], side=side, sig=True)]
    rec = "CT chest recommended; discuss with obstetric team regarding timing and shielding."
    return {"name": "mediastinal mass in pregnancy", "f": f, "i": i, "hist": history(rng, uk, "mass"),
            "rec": rec, "portable": False, "prior": None}


def sc_freeair(rng, uk):
    side = rng.choice(["left", "right"])
    f = [S(f"Free gas beneath the {side} hemidiaphragm." if uk else f"Free air under the {side} hemidiaphragm.",
           ["freeair"], side=side, sig=True, region="abdomen"),
         S("The lungs are clear.", ["consolidation"], pos=False),
         S("No pleural effusion.", ["effusion"], pos=False, region="pleura"),
         S("Heart size normal.", ["cardiomegaly"], pos=False, region="heart")]
    i = [S(f"Pneumoperitoneum (free gas under the {side} hemidiaphragm). Some free gas is expected after LSCS, "
           "but correlate clinically." if uk else
           f"Pneumoperitoneum with free air under the {side} hemidiaphragm, may be postoperative following cesarean "
           "delivery; correlate clinically.", ["freeair"], side=side, sig=True)]
    return {"name": "free subdiaphragmatic gas after caesarean section", "f": f, "i": i,
            "hist": history(rng, uk, "freeair"), "rec": "Discussed with the obstetric registrar.",
            "portable": False, "prior": None}


def sc_asthma(rng, uk):
    f = [S("The lungs are hyperexpanded." if uk else "Lungs are hyperinflated.", ["hyperexpansion"]),
         S("No focal consolidation.", ["consolidation"], pos=False),
         S("No pneumothorax or pleural effusion.", ["pneumothorax", "effusion"], pos=False, region="pleura"),
         S("Heart size normal.", ["cardiomegaly"], pos=False, region="heart")]
    i = [S("Hyperexpanded lungs, in keeping with asthma." if uk else "Hyperinflation compatible with asthma.",
           ["hyperexpansion"]),
         S("No pneumothorax or consolidation.", ["pneumothorax", "consolidation"], pos=False)]
    return {"name": "asthma in pregnancy", "f": f, "i": i, "hist": history(rng, uk, "normal"), "rec": "",
            "portable": False, "prior": None}


SCENARIOS = [(sc_normal, 8), (sc_benign_clean, 3), (sc_ppcm_oedema, 2), (sc_pet_oedema, 2), (sc_aspiration, 2),
             (sc_pneumonia, 3), (sc_cvc, 2), (sc_afe, 1), (sc_effusion, 2), (sc_ptx, 1), (sc_atelectasis, 2),
             (sc_cardio, 1), (sc_nodule, 1), (sc_mediastinal, 1), (sc_freeair, 1), (sc_asthma, 1)]


def pick_scenario(rng, funcs=None):
    pool = [(f, w) for f, w in SCENARIOS if funcs is None or f in funcs]
    tot = sum(w for _, w in pool)
    x = rng.random() * tot
    for f, w in pool:
        x -= w
        if x < 0:
            return f
    return pool[-1][0]


NEG_TEXT = {"effusion": ["No pleural effusion.", "No effusion."],
            "pneumothorax": ["No pneumothorax.", "No pneumothorax identified."],
            "consolidation": ["No focal consolidation.", "The lungs are clear."],
            "edema": ["No pulmonary edema.", "No features of cardiac failure."],
            "cardiomegaly": ["Normal heart size.", "Heart size is normal."],
            "nodule": ["No focal lung lesion.", "No pulmonary nodule or mass."],
            "freeair": ["No free subdiaphragmatic gas." , "No free gas under the diaphragm."],
            "atelectasis": ["No atelectasis or consolidation."],
            "mediastinum": ["Normal mediastinal contour."]}


def assert_text(c, rng, uk):
    side = rng.choice(["left", "right"])
    return {"effusion": f"{cap(rng.choice(['moderate', 'large']))} {side} pleural effusion.",
            "pneumothorax": f"Small {side} apical pneumothorax.",
            "consolidation": f"{cap(zone(uk, side))} consolidation, in keeping with infection.",
            "edema": "Pulmonary edema." if rng.random() < 0.5 else "Interstitial pulmonary edema.",
            "cardiomegaly": "Cardiomegaly." if rng.random() < 0.5 else "Enlarged cardiac silhouette.",
            }[c]


def render_findings(rng, uk, fs: list[dict], style: str) -> list[str]:
    if style == "structured":
        labels = [("lines", "Lines/tubes:"), ("lungs", "Lungs:"), ("pleura", "Pleura:"),
                  ("heart", "Heart and mediastinum:"), ("mediastinum", "Heart and mediastinum:"),
                  ("bones", "Bones:"), ("abdomen", "Upper abdomen:")]
        out, seen = [], []
        for reg, lab in labels:
            if lab in seen:
                continue
            regs = [r for r, lb in labels if lb == lab]
            txt = [s["t"] for s in fs if s["r"] in regs]
            if not txt and reg == "lines":
                txt = ["None."]
            if not txt and reg == "bones":
                txt = ["No acute abnormality." if not uk else "Unremarkable."]
            if txt:
                out.append(f"{lab} {' '.join(txt)}")
                seen.append(lab)
        return out
    if style == "lines":
        return [s["t"] for s in fs]
    return [" ".join(s["t"] for s in fs)]


def finish(text: str, uk: bool) -> str:
    return uk_spell(text, uk)


def composed_case(rng: random.Random, kind: str | None) -> tuple[str, str] | None:
    uk = rng.random() < 0.55
    if kind is None:
        fn = pick_scenario(rng)
    elif kind == "laterality_conflict":
        fn = pick_scenario(rng, [sc_aspiration, sc_pneumonia, sc_cvc, sc_effusion, sc_ptx, sc_atelectasis,
                                 sc_nodule, sc_freeair, sc_pet_oedema, sc_mediastinal, sc_afe])
    elif kind == "impression_omits_finding":
        fn = pick_scenario(rng, [sc_ppcm_oedema, sc_pet_oedema, sc_aspiration, sc_pneumonia, sc_afe, sc_effusion,
                                 sc_ptx, sc_nodule, sc_mediastinal, sc_freeair])
    elif kind == "negation_conflict":
        fn = pick_scenario(rng, [sc_normal, sc_ppcm_oedema, sc_pet_oedema, sc_aspiration, sc_pneumonia, sc_cvc,
                                 sc_effusion, sc_ptx, sc_cardio, sc_atelectasis, sc_asthma])
    else:
        fn = pick_scenario(rng)
    sc = fn(rng, uk)
    fs, im, rec = sc["f"], sc["i"], sc["rec"]
    change = "none"
    fmode = imode = "ok"
    if kind == "laterality_conflict":
        cands = []
        for a in fs:
            for b in im:
                if a["side"] and a["side"] == b["side"] and set(a["cs"]) & set(b["cs"]) \
                        and not re.search(r"middle lobe|lingul", a["t"] + " " + b["t"]):
                    cands.append((a, b))
        if not cands:
            return None
        a, b = rng.choice(cands)
        if rng.random() < 0.5:
            old = a["t"]
            a["t"] = flip_side(a["t"])
            change = f"findings sentence side flipped: '{old}' -> '{a['t']}' (impression keeps {b['side']})"
        else:
            old = b["t"]
            b["t"] = flip_side(b["t"])
            change = f"impression sentence side flipped: '{old}' -> '{b['t']}' (findings keep {a['side']})"
        if rec and re.search(r"\b(left|right)\b", rec):
            rec = ""
    elif kind == "negation_conflict":
        mode = rng.random()
        neg_f = [s for s in fs if not s["pos"] and any(c in ("effusion", "pneumothorax", "consolidation",
                                                            "cardiomegaly", "edema") for c in s["cs"])]
        aff_i = [s for s in im if s["pos"] and len(s["cs"]) == 1 and s["cs"][0] in NEG_TEXT
                 and any(s["cs"][0] in a["cs"] and a["pos"] for a in fs)]
        if (mode < 0.45 or not aff_i) and neg_f:
            s = rng.choice(neg_f)
            c = rng.choice([c for c in s["cs"] if c in ("effusion", "pneumothorax", "consolidation", "cardiomegaly",
                                                        "edema")])
            txt = assert_text(c, rng, uk)
            im = [x for x in im if not (set(x["cs"]) & {c}) and x["pos"]] + [S(txt, [c])]
            rec = ""
            change = f"impression now asserts '{txt}' although findings state '{s['t']}'"
        elif aff_i and mode < 0.8:
            s = rng.choice(aff_i)
            c = s["cs"][0]
            txt = rng.choice(NEG_TEXT[c])
            im = [S(txt, [c], pos=False) if x is s else x for x in im]
            rec = ""
            f_s = next(a["t"] for a in fs if c in a["cs"] and a["pos"])
            change = f"impression sentence '{s['t']}' replaced by '{txt}'; findings affirm '{f_s}'"
        elif aff_i:
            s = rng.choice(aff_i)
            c = s["cs"][0]
            tgt = [a for a in fs if c in a["cs"] and a["pos"]]
            if len(tgt) != 1:
                return None
            txt = rng.choice(NEG_TEXT[c])
            old = tgt[0]["t"]
            tgt[0]["t"] = txt
            tgt[0]["pos"] = False
            change = f"findings sentence '{old}' replaced by '{txt}'; impression still states '{s['t']}'"
        else:
            return None
    elif kind == "impression_omits_finding":
        sig_f = [s for s in fs if s["sig"] and s["pos"]]
        if not sig_f:
            return None
        s = rng.choice(sig_f)
        fam = set(s["cs"])
        if "consolidation" in fam or "edema" in fam:
            fam |= {"consolidation", "edema"}
        rest = [x for x in im if not (set(x["cs"]) & fam)]
        rest_pos = [x for x in rest if x["pos"]]
        if rest_pos and rng.random() < 0.85:
            im = rest
            change = f"impression lists only other findings; omits '{s['t']}'"
        else:
            im = [S(rng.choice(["No acute cardiopulmonary abnormality.", "No acute cardiopulmonary process.",
                                "Normal chest radiograph." if not rest_pos else "No acute abnormality.",
                                "No active lung disease."]), [], pos=False)]
            change = f"impression replaced by a normal statement; findings affirm '{s['t']}'"
        rec = ""
    elif kind == "placeholder":
        pass
    elif kind == "missing_section":
        mode = rng.randrange(5)
        if mode in (0, 4):
            fmode, change = "empty", "FINDINGS header kept with nothing under it"
        elif mode == 1:
            imode, change = "empty", "IMPRESSION/conclusion header kept with nothing under it"
        elif mode == 2:
            imode, change = "sig", "conclusion header followed only by the sign-off"
        else:
            imode, change = "absent", "IMPRESSION/conclusion section removed"
        if imode in ("absent", "empty", "sig"):
            rec = ""
    # render
    hdr = headers(rng, uk)
    top = exam_lines(rng, uk, sc["portable"])
    if rng.random() < 0.25:
        top = top[:1]
    comp = comparison_line(rng, uk, sc["prior"])
    fstyle = rng.choice(["prose", "prose", "lines", "structured"])
    fblock = render_findings(rng, uk, fs, fstyle)
    iblock = fmt_impression(rng, [x["t"] for x in im])
    if rec and rng.random() < 0.3:
        rec = ("RECOMMENDATION: " if not uk else "Recommendation: ") + rec
    sign = signoff(rng, uk)
    text = render(rng, uk, hdr, top, sc["hist"], comp, fblock, iblock, rec, sign, fmode, imode)
    if kind == "placeholder":
        text, change = put_placeholder(rng, text, hdr, uk)
        if text is None:
            return None
    text = finish(text, uk)
    return text, f"composed ({'UK' if uk else 'US'}, {sc['name']}, findings {fstyle}): {change}"


PH_TOKENS = ["[***]", "[ ]", "<<size>>", "XX", "[size]", "***", "[___]", "<< >>"]


def put_placeholder(rng, text, hdr, uk):
    """Replace one word in the findings/impression (or one template field) by an unfilled placeholder."""
    lines = text.split("\n")
    body_idx = [i for i, ln in enumerate(lines) if ln.strip() and i > 1
                and not ln.startswith(hdr["hist"]) and not re.match(r"(Comparison|Previous|Prior imaging|COMPARISON|"
                                                                  r"EXAM|EXAMINATION|PROCEDURE|TECHNIQUE|Technique|"
                                                                  r"Exam|Examination)", ln)
                and not re.search(r"Dr |MD|M\.D\.|radiographer", ln)]
    opts = []
    for i in body_idx:
        ln = lines[i]
        for m in re.finditer(r"\b\d+(?:\.\d+)? (mm|cm)\b", ln):
            opts.append((i, m.start(), m.end(), rng.choice([f"XX {m.group(1)}", f"<<size>> {m.group(1)}",
                                                           f"___ {m.group(1)}", f"[size] {m.group(1)}"]), m.group(0)))
        for m in re.finditer(r"\b(small|moderate|large|left|right|Left|Right|Small|Moderate|Large|normal|clear)\b",
                             ln):
            w = m.group(0)
            if w.lower() in ("left", "right"):
                ph = rng.choice(["[side]", "<<left/right>>", "[LEFT/RIGHT]", "[***]"])
            elif w.lower() in ("normal", "clear"):
                ph = rng.choice(["[***]", "[ ]", "<<findings>>"])
            else:
                ph = rng.choice(["[size]", "<<size>>", "[***]", "[ ]"])
            opts.append((i, m.start(), m.end(), ph, w))
    field_opts = []
    for i, ln in enumerate(lines):
        if ln.startswith(hdr["hist"]):
            m = re.search(r"\b(\d{1,2})(/40| weeks)", ln)
            if m:
                field_opts.append((i, m.start(1), m.end(1), rng.choice(["[gestation]", "**", "XX", "<<GA>>"]),
                                   m.group(1)))
    if field_opts and rng.random() < 0.15:
        opts = field_opts
    if not opts:
        return None, None
    i, a, b, ph, old = rng.choice(opts)
    lines[i] = lines[i][:a] + ph + lines[i][b:]
    where = "clinical details" if (i, a, b, ph, old) in field_opts else "report body"
    return "\n".join(lines), f"'{old}' in the {where} replaced by placeholder '{ph}'"


# ---------------------------------------------------------------------------------------------
# IU-based cases
# ---------------------------------------------------------------------------------------------

SIG_IU = {"pneumothorax": r"pneumothora", "consolidation": r"consolidat|airspace disease|air space disease|"
          r"infiltrat|pneumonia", "edema": r"\bedema|congestion", "nodule": r"\bmass\b|\bmasses\b",
          "effusion": r"(?:moderate|large)[\w\s-]{0,20}effusion"}
SIG_HEDGE = re.compile(r"\b(mild|mildly|minimal|small|tiny|trace|subtle|possible|possibly|may|might|likely|could|"
                       r"questionable|stable|unchanged|chronic|old|healed|resolv\w*|improv\w*|scar\w*|"
                       r"borderline|slight|minor|probabl\w*|residual|decreas\w*|or|vs|versus|atelecta\w*|previous\w*|"
                       r"suggest\w*|concern\w*|cannot|no|not)\b|\?")


def iu_sig(a: dict) -> str | None:
    s = a["text"].lower()
    h = SIG_HEDGE.search(s)
    if h and h.group(0) == "small" and "pneumothora" in s and not SIG_HEDGE.search(s.replace("small", "")):
        h = None
    if h or LUNGS_CLEAR.search(s) or a["neg"] or re.search(r"clear|free|negative", s):
        return None
    for c, rx in SIG_IU.items():
        if re.search(rx, s) and c in a["aff"]:
            return c
    m = re.search(r"(\d+(?:\.\d+)?) ?(mm|cm)\b", s)
    if "nodule" in a["aff"] and m and "granulom" not in s and "calcif" not in s:
        size = float(m.group(1)) * (10 if m.group(2) == "cm" else 1)
        if size >= 8:
            return "nodule"
    return None


def iu_family_hit(text: str, c: str) -> bool:
    s = text.lower()
    fam = {"pneumothorax": r"pneumothora", "consolidation": r"consolidat|airspace|air space|infiltrat|pneumonia|"
           r"opacit|atelecta|densit", "edema": r"edema|congesti|overload|failure|chf|interstitial|opacit|vascular",
           "nodule": r"mass|nodul|lesion|neoplas|tumor", "effusion": r"effusion|fluid"}[c]
    return bool(re.search(fam, s))


def iu_case(rng: random.Random, r: dict, kind: str | None) -> tuple[str, str] | None:
    uk = rng.random() < 0.55
    fs = [a["text"] for a in r["fs"]]
    im = [a["text"] for a in r["im"]]
    change = "no error added"
    fmode = imode = "ok"
    if kind == "laterality_conflict":
        cands = []
        for i, a in enumerate(r["fs"]):
            for j, b in enumerate(r["im"]):
                if len(a["sides"]) == 1 and a["sides"] == b["sides"] and a["aff"] and b["aff"] and \
                        any(x in FAMILY[c] for c in a["aff"] for x in b["aff"]) and \
                        not re.search(r"middle lobe|lingul|midline", (a["text"] + " " + b["text"]).lower()):
                    cands.append((i, j))
        if not cands:
            return None
        i, j = rng.choice(cands)
        if rng.random() < 0.5:
            old = fs[i]
            fs[i] = flip_side(fs[i])
            change = f"findings sentence flipped '{old}' -> '{fs[i]}'; impression keeps '{im[j]}'"
        else:
            old = im[j]
            im[j] = flip_side(im[j])
            change = f"impression sentence flipped '{old}' -> '{im[j]}'; findings keep '{fs[i]}'"
    elif kind == "impression_omits_finding":
        sig = [(a, iu_sig(a)) for a in r["fs"] if iu_sig(a)]
        if not sig:
            return None
        a, c = sig[0]
        rest = [t for t in im if not iu_family_hit(t, c)]
        if len(rest) == len(im):
            return None
        rest = [t for t in rest if not analyse(t)["normal"]
                and not re.search(r"recommend|consider|follow|resolution|treatment|correlat|this |these ", t.lower())]
        other_f = [b["text"] for b in r["fs"] if not b["neg"] and not b["normal"] and b is not a
                   and not iu_family_hit(b["text"], c) and not NEG_CUE.search(b["text"].lower())
                   and (b["aff"] or re.search(r"granulom|volumes|hemidiaphragm|scoliosis|degenerative|calcifi|"
                                              r"tortuous|spondyl|deformit|catheter|port\b|\btube\b",
                                              b["text"].lower()))]
        if (rest or other_f) and rng.random() < 0.6:
            im = rest if rest else [re.sub(r"^(There is|There are) ", "", t) for t in other_f[:2]]
            im = [cap(t) for t in im]
            src = "the rest of the impression" if rest else "other findings taken from the findings"
            change = f"impression cut to {src}; omits '{a['text']}'"
        else:
            im = [rng.choice(["No acute cardiopulmonary abnormality.", "No acute cardiopulmonary process.",
                              "No active disease."])]
            change = f"impression replaced by a normal statement; findings affirm '{a['text']}'"
    elif kind == "negation_conflict":
        # (b) impression negates an affirmed finding, or (a) asserts a negated one
        aff = [(j, c) for j, b in enumerate(r["im"]) for c in b["aff"]
               if c in ("effusion", "pneumothorax", "consolidation", "edema", "cardiomegaly")
               and any(c in a["aff"] for a in r["fs"])]
        neg = [(i, c) for i, a in enumerate(r["fs"]) for c in a["neg"]
               if c in ("effusion", "pneumothorax", "consolidation", "cardiomegaly", "edema")]
        normal_imp = all(b["normal"] or not b["aff"] for b in r["im"])
        if aff and (rng.random() < 0.6 or not (neg and normal_imp)):
            j, c = rng.choice(aff)
            old = im[j]
            others = [t for k, t in enumerate(im) if k != j and not re.search(CONCEPT_RE[c], t.lower())]
            txt = rng.choice(NEG_TEXT[c])
            im = others[:j] + [txt] + others[j:]
            fsent = next(a["text"] for a in r["fs"] if c in a["aff"])
            change = f"impression '{old}' replaced by '{txt}'; findings affirm '{fsent}'"
        elif neg and normal_imp:
            i, c = rng.choice(neg)
            txt = assert_text(c, rng, uk)
            if c == "effusion" and re.search(r"large|significant|sizable", fs[i].lower()):
                txt = re.sub(r"^(Moderate|Large)", "Large", txt)
            im = [txt]
            change = f"impression replaced by '{txt}'; findings state '{fs[i]}'"
        else:
            return None
    elif kind == "missing_section":
        mode = rng.randrange(4)
        if mode == 0:
            fmode, change = "empty", "FINDINGS emptied (header kept)"
        elif mode == 1:
            imode, change = "empty", "IMPRESSION emptied (header kept)"
        elif mode == 2:
            imode, change = "sig", "IMPRESSION emptied: header followed only by the sign-off"
        else:
            imode, change = "absent", "IMPRESSION section removed"
    changes_wording = []
    fs2 = [reword(t, rng) for t in fs]
    im2 = [reword(t, rng) for t in im]
    if fs2 != fs or im2 != im:
        changes_wording.append("light re-wording")
    fs, im = fs2, im2
    hdr = headers(rng, uk)
    top = exam_lines(rng, uk, rng.random() < 0.2)
    if rng.random() < 0.3:
        top = top[:1]
    comp_raw = _clean_text(r["comparison"]) if r["comparison"] else ""
    prior = None if (not comp_raw or re.match(r"(none|no |n/a)", comp_raw.lower())) else comp_raw
    comp = comparison_line(rng, uk, prior)
    fstyle = rng.choice(["prose", "prose", "lines"])
    fblock = [" ".join(fs)] if fstyle == "prose" else fs
    iblock = fmt_impression(rng, im)
    sign = signoff(rng, uk)
    hist = history(rng, uk, "normal")
    text = render(rng, uk, hdr, top, hist, comp, fblock, iblock, "", sign, fmode, imode)
    if kind == "placeholder":
        text, change = put_placeholder(rng, text, hdr, uk)
        if text is None:
            return None
    text = finish(text, uk)
    lay = f"{'UK' if uk else 'US'} layout ({hdr['find'].rstrip(':')}/{hdr['imp'].rstrip(':')}, findings {fstyle})"
    extra = ", ".join(["obstetric clinical details in place of the IU indication"] + changes_wording
                      + (["UK spelling"] if uk else []))
    return text, f"IU {r['uid']}: re-laid out in {lay}, {extra}; {change}"


# ---------------------------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------------------------

def build(seed: int, shared: str | os.PathLike | None = None) -> list[dict]:
    shared = str(shared or shared_dir())
    rng = random.Random(f"h164-{seed}")
    pool = iu_pool(shared)
    order = list(range(len(pool)))
    rng.shuffle(order)
    used: list[int] = []
    rows = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    # IU: the demanding kinds first, so that they find their candidates
    iu_rows: dict = {}
    for kind, n in sorted(plan, key=lambda kn: ["laterality_conflict", "impression_omits_finding",
                                                 "negation_conflict", "placeholder", "missing_section",
                                                 None].index(kn[0])):
        got = []
        for idx in order:
            if len(got) >= n // 2:
                break
            if idx in used:
                continue
            crng = random.Random(f"h164-{seed}-{pool[idx]['uid']}-{kind}")
            res = iu_case(crng, pool[idx], kind)
            if res is None:
                continue
            used.append(idx)
            got.append(res)
        if len(got) < n // 2:
            raise RuntimeError(f"not enough IU reports for {kind}: {len(got)}")
        iu_rows[kind] = got
    for kind, n in plan:
        comp = []
        tries = 0
        while len(comp) < n - n // 2:
            tries += 1
            crng = random.Random(f"h164-{seed}-c-{kind}-{tries}")
            res = composed_case(crng, kind)
            if res is not None:
                comp.append(res)
            if tries > 10000:
                raise RuntimeError(f"cannot compose {kind}")
        group = [(kind, t, d) for t, d in comp] + [(kind, t, d) for t, d in iu_rows[kind]]
        rows += group
    rng.shuffle(rows)
    return [{"id": f"h164-{seed}-{k}", "injected": kind, "detail": d, "report": t}
            for k, (kind, t, d) in enumerate(rows)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            iu = [r for r in rows if r["injected"] == kind and r["detail"].startswith("IU ")]
            co = [r for r in rows if r["injected"] == kind and not r["detail"].startswith("IU ")]
            mixed = [r for pair in zip(co, iu, strict=False) for r in pair]
            for r in mixed[: a.show]:
                print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
