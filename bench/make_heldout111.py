"""Held-out report-check set 111, written blind (without reading the checker).

Setting: rural and remote Australian health services -- regional hospitals in Queensland, the Northern
Territory, Western Australia and New South Wales, Aboriginal community-controlled health services and
Royal Flying Doctor Service referrals -- with chest films read remotely by FRANZCR radiologists: ED,
ward, remote-clinic, rheumatic heart disease and TB follow-up, and mine-site medical films.

400 cases: 200 clean and 40 of each kind (missing_section, laterality_conflict, negation_conflict,
impression_omits_finding, placeholder). Half of each group is composed from a phrase bank in the
setting's dictation style (Australian spelling, "Clinical history / Comparison / Findings /
Conclusion|Opinion|Comment" layouts, sign-off lines); the other half are real IU reports (never a dev
uid) re-laid-out and lightly re-worded in that style.

    python -m bench.make_heldout111 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import sys
import tarfile
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# ----------------------------------------------------------------------------------------------
# real IU reports
# ----------------------------------------------------------------------------------------------

_IU_CACHE: dict[str, list[dict]] = {}


def dev_uids() -> set[str]:
    out = set()
    p = shared_dir() / "eval" / "report_errors_dev.jsonl"
    with open(p, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


def load_iu() -> list[dict]:
    key = str(shared_dir())
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    rows = []
    tgz = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    lab = re.compile(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', re.S)
    with tarfile.open(tgz, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            txt = tf.extractfile(m).read().decode("utf-8", "replace")
            um = re.search(r'<uId id="([^"]+)"', txt)
            if not um:
                continue
            sec = {k.lower(): " ".join(html.unescape(v).split()) for k, v in lab.findall(txt)}
            majors = re.findall(r"<major>(.*?)</major>", txt)
            rows.append({
                "uid": um.group(1),
                "indication": sec.get("indication", ""),
                "comparison": sec.get("comparison", ""),
                "findings": sec.get("findings", ""),
                "impression": sec.get("impression", ""),
                "normal": any(x.strip().lower() == "normal" for x in majors),
            })
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE[key] = rows
    return rows


SPELL = [
    (r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"hemorrhag", "haemorrhag"), (r"\btumor", "tumour"),
    (r"esophag", "oesophag"), (r"\bhematoma", "haematoma"), (r"ischemi", "ischaemi"), (r"\bcenter", "centre"),
    (r"visualized", "visualised"), (r"Visualized", "Visualised"), (r"localized", "localised"),
    (r"characterized", "characterised"), (r"recognized", "recognised"), (r"anesthe", "anaesthe"),
    (r"leukemi", "leukaemi"), (r"\bcolor", "colour"), (r"millimeter", "millimetre"), (r"centimeter", "centimetre"),
    (r"[Cc]ardiomediastinal silhouette is", "cardiomediastinal contours are"),
    (r"[Cc]ardiomediastinal silhouettes?", "cardiomediastinal contours"),
    (r"[Oo]sseous structures", "bony structures"), (r"\bstatus post\b", "post"),
    (r"airspace disease", "airspace opacity"),
    (r"[Nn]o acute cardiopulmonary disease", "No acute cardiopulmonary abnormality"),
]


def aus(text: str) -> str:
    for a, b in SPELL:
        text = re.sub(a, b, text)
    text = re.sub(r"^cardiomediastinal", "Cardiomediastinal", text)
    text = re.sub(r"([.!?]\s+)cardiomediastinal", r"\1Cardiomediastinal", text)
    text = re.sub(r"^bony", "Bony", text)
    text = re.sub(r"([.!?]\s+)bony", r"\1Bony", text)
    return text.replace("..", ".")


def sents(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text.strip())
    out: list[str] = []
    for p in parts:
        if out and re.fullmatch(r"\d+\.", out[-1]):
            out[-1] = out[-1] + " " + p
        else:
            out.append(p)
    return [p for p in out if p]


NEG = re.compile(r"\b(no|not|without|negative|free of|clear of|resolved|resolution|removed|cleared|clearing|"
                 r"previously|prior|absence|absent|exclude|excluded|nor|never)\b", re.I)
HEDGE = re.compile(r"\b(may|might|possibl\w*|could|cannot|can not|question\w*|suspicious|concern\w*|suggest\w*|"
                   r"versus|vs|differential|likely|probabl\w*|either|or|vs\.)\b|\?|[a-z]/[a-z]", re.I)
SOFT = re.compile(r"\b(chronic|stable|unchanged|old|healed|scar\w*|calcifi\w*|granulom\w*|improv\w*|decreas\w*|"
                  r"resolving|minimal|tiny|trace|subtle|small|mild|minor|linear|postoperative|post-operative|vague|faint|"
                  r"equivocal|not well)\b", re.I)
SIG = {
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|pneumonia|airspace|infiltrat",
    "oedema": r"o?edema|congesti",
    "effusion": r"effusion",
    "mass": r"\bmass\b|nodul",
    "free air": r"free air|pneumoperitoneum|free intraperitoneal",
    "mediastinum": r"widen\w* (of the )?mediastin|mediastin\w* (is |appears )?widen",
}
CARDIO = re.compile(r"cardiomegaly|heart (size )?is enlarged|enlarged (heart|cardiac)|cardiac silhouette is enlarged",
                    re.I)
NORMAL_IMP = re.compile(r"normal chest|lungs are clear|no acute|no active|normal heart|heart size (is )?normal|"
                        r"unremarkable|negative chest", re.I)


def affirmed(sentence: str, pat: str) -> bool:
    return bool(re.search(pat, sentence, re.I)) and not NEG.search(sentence)


def clean_ok(r: dict) -> bool:
    """Heuristic 'would I sign it' filter for real reports used as clean bases."""
    f, i = r["findings"], r["impression"]
    if not f or not i or len(f) < 40:
        return False
    txt = " ".join([f, i, r["indication"], r["comparison"]])
    if re.search(r"\[|\*\*|___|<|>", txt):
        return False
    if len(f) > 700 or len(i) > 400:
        return False
    for s in sents(f):
        for cat, pat in SIG.items():
            if affirmed(s, pat) and not re.search(pat, i, re.I):
                return False
            if affirmed(s, pat) and re.search(r"normal chest|lungs are clear|no acute cardiopulmonary abnormality\.?$",
                                              i, re.I) and cat != "mass":
                return False
        if CARDIO.search(s) and not NEG.search(s) and re.search(r"normal heart|heart size (is )?normal|normal chest",
                                                                i, re.I):
            return False
    return True


EXAMS = ["XR CHEST", "CHEST X-RAY", "XR CHEST PA AND LATERAL", "CHEST (PA & LAT)", "CXR PA/LAT",
         "X-RAY CHEST - PA AND LATERAL VIEWS", "Chest X-ray", "XR Chest PA + Lateral"]
AP_EXAMS = ["XR CHEST (AP MOBILE)", "CXR AP erect", "CHEST X-RAY - SINGLE AP VIEW"]
RADS = ["Dr A. Kowalski", "Dr S. Patel", "Dr M. O'Brien", "Dr J. Nguyen", "Dr R. Fitzgerald", "Dr L. Chen",
        "Dr T. Walsh", "Dr H. Anderson", "Dr P. Ramanathan", "Dr E. McLeod", "Dr K. Tran", "Dr B. Sullivan"]
SIGNOFFS = [
    "Reported by {r} FRANZCR", "{r}, FRANZCR (reported remotely)", "Electronically signed: {r} FRANZCR {d}",
    "Thank you for referring this patient.\n{r} FRANZCR", "Dictated and verified by {r}, Radiologist (FRANZCR)",
    "{r}\nFRANZCR\nTeleradiology service", "Reported: {r} FRANZCR  {d}",
]
SITES = ["Katherine Hospital", "Tennant Creek Hospital", "Alice Springs Hospital", "Broome Hospital",
         "Derby Hospital", "Kununurra Hospital", "Mount Isa Hospital", "Thursday Island Hospital",
         "Longreach Hospital", "Dubbo Base Hospital", "Broken Hill Hospital", "Carnarvon Health Campus",
         "Port Hedland (Hedland Health Campus)", "Gove District Hospital", "Weipa Hospital", "Moree Hospital",
         "Kalgoorlie Health Campus", "Normanton PHC", "Wadeye clinic", "Fitzroy Crossing Hospital"]
IMP_HDRS = ["CONCLUSION", "IMPRESSION", "OPINION", "COMMENT", "Conclusion", "Impression", "Opinion", "Comment"]
FIND_HDRS = ["FINDINGS", "REPORT", "Findings", "Report"]
HIST_HDRS = ["CLINICAL HISTORY", "CLINICAL DETAILS", "History", "Clinical notes", "Clinical history", "INDICATION"]


def adate(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2021, 2022, 2023, 2024])}"


def layout(rng: random.Random) -> dict:
    style = rng.randrange(4)
    return {
        "style": style,
        "exam": rng.choice(EXAMS if rng.random() < 0.8 else AP_EXAMS),
        "hist": rng.choice(HIST_HDRS),
        "find": rng.choice(FIND_HDRS),
        "imp": rng.choice(IMP_HDRS),
        "sign": rng.choice(SIGNOFFS).format(r=rng.choice(RADS), d=adate(rng) + f" {rng.randint(7, 22):02d}:"
                                            f"{rng.randint(0, 59):02d}"),
        "site": rng.choice(SITES),
        "nl": rng.random() < 0.35,
        "tech": rng.random() < 0.3,
    }


def render(lay: dict, hist: str, comp: str, find: list[str] | str | None, imp: list[str] | str | None,
           tech: str = "") -> str:
    """find/imp: None means the section is absent; '' means the header is there but empty."""
    st = lay["style"]
    out = []
    if st == 0:
        out.append(lay["exam"].upper())
    elif st == 1:
        out.append(f"EXAMINATION: {lay['exam']}")
    elif st == 2:
        out.append(f"{lay['exam']}\nReferred from: {lay['site']}")
    else:
        out.append(f"Exam: {lay['exam']}")
    if hist is not None:
        out.append(f"{lay['hist']}: {hist}")
    if comp is not None:
        out.append(f"{'COMPARISON' if lay['hist'].isupper() else 'Comparison'}: {comp}")
    if tech:
        out.append(f"{'TECHNIQUE' if lay['hist'].isupper() else 'Technique'}: {tech}")

    def body(x: list[str] | str) -> str:
        if isinstance(x, str):
            return x
        return ("\n" if lay["nl"] else " ").join(x)

    if find is not None:
        b = body(find)
        out.append(f"{lay['find']}:" + (("\n" if lay["nl"] else " ") + b if b else ""))
    if imp is not None:
        b = body(imp)
        out.append(f"{lay['imp']}:" + (("\n" if lay["nl"] else " ") + b if b else ""))
    out.append(lay["sign"])
    return "\n\n".join(out)


def iu_hist(r: dict, rng: random.Random) -> str:
    h = aus(r["indication"]) if r["indication"] else rng.choice(["Nil provided.", "Not stated.", "Cough."])
    if rng.random() < 0.3:
        h = h.rstrip(".") + ". " + rng.choice(["Remote clinic referral.", "RFDS referral.", "Seen in ED.",
                                               "Inpatient.", "GP referral via AMS."])
    return h


def iu_comp(r: dict) -> str:
    c = aus(r["comparison"]) if r["comparison"] else "Nil."
    if re.fullmatch(r"(none|none\.|no prior.*|no comparison.*)", c, re.I):
        c = "Nil."
    return c


def numbered(ss: list[str], rng: random.Random) -> list[str]:
    if len(ss) > 1 and rng.random() < 0.4:
        return [f"{k + 1}. " + re.sub(r"^\d+\.\s*", "", s) for k, s in enumerate(ss)]
    return ss


def iu_sections(r: dict) -> tuple[list[str], list[str]]:
    f = sents(aus(r["findings"]))
    i = [re.sub(r"^\d+\.\s*", "", s) for s in sents(aus(r["impression"]))]
    i = [s for s in i if s]
    return f, i


def swap_side(s: str) -> str:
    m = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT"}
    return re.sub(r"\b(right|left|Right|Left|RIGHT|LEFT)\b", lambda x: m[x.group(1)], s)


def side_of(s: str) -> str | None:
    r = bool(re.search(r"\bright\b", s, re.I))
    ll = bool(re.search(r"\bleft\b", s, re.I))
    if r == ll or re.search(r"bilateral|both", s, re.I):
        return None
    return "right" if r else "left"


LAT_KEYS = ["effusion", "pneumothora", "opacit", "atelecta", "consolidat", "airspace", "infiltrat", "pneumonia",
            "nodul", "granulom", "hemidiaphragm", "mass", "fractur", "scar", "base", "basilar", "apex", "apical",
            "hilar", "costophrenic", "catheter", "picc", "lobe", "midlung", "perihilar", "pleural"]
PH_FORMS = ["[***]", "***", "[ ]", "[  ]", "[insert]", "[***]", "<< >>", "[?]", "{ }", "[ *** ]", "[select]", "[x]"]


def iu_real(rng: random.Random, pool: list[dict], kind: str | None) -> dict | None:
    r = rng.choice(pool)
    lay = layout(rng)
    hist, comp = iu_hist(r, rng), iu_comp(r)
    f, i = iu_sections(r)
    detail = ""
    if kind is None:
        pass
    elif kind == "missing_section":
        if rng.random() < 0.7 or not re.search(r"no acute|normal", " ".join(i), re.I):
            i = "" if rng.random() < 0.6 else None
            detail = "conclusion/impression section left empty" if i == "" else "conclusion section dropped"
        else:
            f = ""
            descr = re.search(r"lung|heart|effusion|pneumothora|cardiac|clear|consolidat|opacit|nodul|mediastin|"
                              r"atelecta|granulom|spine|bone|osseous|pleura|size", " ".join(i), re.I)
            if rng.random() < 0.5 or descr or len(" ".join(i)) > 70:
                i = [rng.choice(["As above.", "Refer to findings.", "Findings as described.", "See above."])]
            detail = "findings section left empty; conclusion does not describe the film"
    elif kind == "laterality_conflict":
        pairs = []
        for a, fs in enumerate(f):
            sa = side_of(fs)
            if not sa:
                continue
            for b, isn in enumerate(i):
                if side_of(isn) != sa:
                    continue
                keys = [k for k in LAT_KEYS if k in fs.lower() and k in isn.lower()]
                if keys:
                    pairs.append((a, b))
        if not pairs:
            return None
        a, b = rng.choice(pairs)
        if rng.random() < 0.5:
            old = f[a]
            f[a] = swap_side(f[a])
            detail = f"side flipped in findings: '{old}' -> '{f[a]}' (conclusion keeps original side)"
        else:
            old = i[b]
            i[b] = swap_side(i[b])
            detail = f"side flipped in conclusion: '{old}' -> '{i[b]}' (findings keep original side)"
    elif kind == "negation_conflict":
        ftxt, itxt = " ".join(f), " ".join(i)
        opts = []
        if any(re.search(r"\bno\b[^.]*effusion", x, re.I) and not re.search(r"large|significant|sizab|sizeab|definite",
                                                                        x, re.I) for x in f) \
                and not re.search(r"effusion", itxt, re.I):
            side = rng.choice(["right", "left"])
            opts.append((f"{rng.choice(['Small', 'Moderate', 'Small'])} {side} pleural effusion.",
                         "conclusion asserts a pleural effusion that findings negate"))
        if any(re.search(r"\bno\b[^.]*pneumothora", x, re.I) and not re.search(r"large|tension|significant|defin",
                                                                             x, re.I) for x in f) \
                and not re.search(r"pneumothora", itxt, re.I):
            side = rng.choice(["Right", "Left"])
            opts.append((f"{side} apical pneumothorax.", "conclusion asserts a pneumothorax that findings negate"))
        if re.search(r"lungs are clear|\bno\b[^.]*(consolidation|airspace)", ftxt, re.I) and not re.search(
                SIG["consolidation"], itxt, re.I):
            side = rng.choice(["Right", "Left"])
            opts.append((f"{side} lower lobe consolidation, in keeping with pneumonia.",
                         "conclusion asserts consolidation; findings say lungs clear / no consolidation"))
        if re.search(r"heart size (is )?(within )?normal|normal heart size|heart is normal in size|cardiac silhouette"
                     r" is (within )?normal|cardiomediastinal contours (is |are )?(within normal|normal)", ftxt,
                     re.I) and not CARDIO.search(itxt):
            opts.append((rng.choice(["Cardiomegaly.", "Moderate cardiomegaly.", "Enlarged cardiac silhouette."]),
                         "conclusion asserts cardiomegaly; findings say heart size normal"))
        for s in f:
            for cat, pat in (("pneumothorax", SIG["pneumothorax"]), ("effusion", SIG["effusion"]),
                             ("consolidation", r"consolidat|pneumonia")):
                if affirmed(s, pat) and not HEDGE.search(s):
                    neg = {"pneumothorax": "No pneumothorax.", "effusion": "No pleural effusion.",
                           "consolidation": "No focal consolidation."}[cat]
                    opts.append((neg + " No acute cardiopulmonary abnormality.",
                                 f"conclusion negates the {cat} affirmed in findings", True))
        if not opts:
            return None
        o = rng.choice(opts)
        if len(o) == 3:
            i = sents(o[0])
        elif NORMAL_IMP.search(itxt):
            i = [o[0]]
        else:
            i = [o[0]] + i
        detail = o[1]
    elif kind == "impression_omits_finding":
        cands = []
        for s in f:
            for cat, pat in SIG.items():
                if cat == "mass" and not re.search(r"\bmass\b", s, re.I):
                    continue
                if affirmed(s, pat) and not HEDGE.search(s) and not SOFT.search(s):
                    cands.append((s, cat))
        if not cands:
            return None
        s, cat = rng.choice(cands)
        i = [rng.choice(["No acute cardiopulmonary abnormality.", "No acute cardiopulmonary findings.",
                         "No acute abnormality.", "Normal chest X-ray.", "No active cardiopulmonary disease."])]
        detail = f"conclusion replaced by a normal statement; findings affirm {cat}: '{s}'"
    elif kind == "placeholder":
        where = rng.random()
        ph = rng.choice(PH_FORMS)
        if where < 0.12:
            comp = rng.choice(["[date]", "[***]", "Previous [ ] from [ ]", "***"])
            detail = f"comparison field left unfilled: {comp}"
        else:
            sec = f if (where < 0.65 or not i) else i
            name = "findings" if sec is f else "conclusion"
            cand = []
            for k, s in enumerate(sec):
                for m in re.finditer(r"\b(right|left|upper|lower|middle|mild|moderate|small|large|normal|clear|"
                                     r"stable|\d+(\.\d+)?)\b", s, re.I):
                    cand.append((k, m))
            if cand:
                k, m = rng.choice(cand)
            else:
                k = rng.randrange(len(sec))
                ws = [m for m in re.finditer(r"\b[a-z]{5,}\b", sec[k]) if "XXXX" not in m.group(0)]
                if not ws:
                    return None
                m = rng.choice(ws)
            old = sec[k]
            sec[k] = old[:m.start()] + ph + old[m.end():]
            detail = f"'{m.group(0)}' in {name} replaced by template field {ph}"
    fb = f
    ib = numbered(i, rng) if isinstance(i, list) else i
    rep = render(lay, hist, comp, fb, ib)
    return {"injected": kind, "detail": detail, "report": rep, "uid": r["uid"]}


# ----------------------------------------------------------------------------------------------
# phrase bank
# ----------------------------------------------------------------------------------------------

CONTEXTS = {
    "ed": (0.30, ["Cough and fever 3/7, ?pneumonia.", "SOB, pleuritic chest pain.",
                  "Fall from horse, L chest wall pain.",
                  "MVA rollover, chest pain.", "Productive cough, febrile 38.6, crackles R base.",
                  "Sudden onset SOB, ?pneumothorax.", "Chest pain, ?cause.", "Haemoptysis x2, smoker.",
                  "Febrile, tachypnoeic. ?LRTI.", "Increasing SOB, bilateral crackles.",
                  "RFDS retrieval, SOB and hypoxia.", "Stab wound R chest, ?PTX."]),
    "ward": (0.15, ["Inpatient, CCF. Progress.", "Post op day 2, desaturating.", "CAP on IV abx, progress film.",
                    "ESKD on dialysis, SOB ?fluid overload.", "PICC insertion, check position.",
                    "Known effusion, progress."]),
    "clinic": (0.20, ["Chronic cough 6/52.", "Bronchiectasis, increasing sputum.", "Smoker, SOB on exertion.",
                      "Recurrent chest infections.", "Weight loss and cough, remote community.",
                      "Asthma, not improving."]),
    "rhd": (0.10, ["RHD, on monthly benzathine penicillin. Routine follow-up.", "Known RHD, SOB on exertion.",
                   "Post mitral valve replacement for RHD. Review.", "RHD with moderate MR. Annual review."]),
    "tb": (0.13, ["TB contact, QuantiFERON positive. Screen.", "Previous TB, completed treatment 2019. Follow-up.",
                  "Latent TB, pre-treatment CXR.", "Migrant health screen, IGRA positive.",
                  "Cough >3/52, ?TB. Remote community."]),
    "mine": (0.12, ["Pre-employment medical, mine site.", "Mine-site periodic health surveillance.",
                    "Coal mine workers health scheme, routine CXR.", "Pre-employment medical, FIFO. Asymptomatic."]),
}

SIDES = ["right", "left"]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def make_items(rng: random.Random, ctx: str, want: str) -> list[dict]:
    """want: 'normal', 'minor', 'sig' (at least one significant), 'sided' (significant/impression-level sided)."""
    items: list[dict] = []

    def add(it: dict) -> None:
        if all(x["key"] != it["key"] for x in items):
            items.append(it)

    def minor() -> dict:
        choices = ["granuloma", "spine", "oldrib", "atel", "copd"]
        if ctx == "rhd":
            choices += ["rhdheart", "rhdheart", "mildcard"]
        if ctx == "tb":
            choices += ["oldtb", "oldtb"]
        if ctx == "clinic":
            choices += ["bronchiectasis", "bronchiectasis"]
        if ctx == "ward":
            choices += ["smalleff", "picc"]
        if ctx == "ed":
            choices += ["smalleff", "mildcard"]
        return bank(rng, rng.choice(choices))

    def sig(sided: bool = False) -> dict:
        choices = {"ed": ["consol", "consol", "ptx", "modeff", "oedema", "mediastinum"],
                   "ward": ["oedema", "oedema", "modeff", "consol", "ptx"],
                   "clinic": ["consol", "nodule", "mass", "tbactive", "modeff"],
                   "rhd": ["modeff", "oedema", "consol"],
                   "tb": ["tbactive", "tbactive", "consol", "nodule", "modeff"],
                   "mine": ["nodule", "nodule", "mass"]}[ctx]
        if sided:
            choices = [c for c in choices if c in ("consol", "modeff", "ptx", "nodule", "mass", "tbactive")]
        return bank(rng, rng.choice(choices))

    if want == "minor":
        add(minor())
        if rng.random() < 0.3:
            add(minor())
    elif want in ("sig", "sided"):
        add(sig(want == "sided"))
        if rng.random() < 0.35:
            add(minor())
    return items


def lobe(rng: random.Random, side: str) -> str:
    if side == "right":
        return rng.choice(["right lower lobe", "right middle lobe", "right upper lobe", "right lower lobe"])
    return rng.choice(["left lower lobe", "lingula", "left upper lobe", "left lower lobe"])


def bank(rng: random.Random, key: str) -> dict:
    side = rng.choice(SIDES)
    S = cap(side)
    it: dict = {"key": key, "side": None, "sig": False, "imp": [], "dom": set()}
    if key == "consol":
        lb = lobe(rng, side)
        it.update(side=side, sig=True, dom={"lung", "consol"},
                  find=rng.choice([f"Consolidation in the {lb} with air bronchograms.",
                                   f"There is airspace consolidation in the {lb}.",
                                   f"Patchy airspace opacity in the {lb}, in keeping with consolidation.",
                                   f"Dense consolidation of the {lb}, with loss of the adjacent "
                                   f"{'right heart border' if 'middle' in lb else 'hemidiaphragm outline'}."]),
                  imp=[rng.choice([f"{cap(lb)} consolidation, consistent with pneumonia in this clinical setting.",
                                   f"{cap(lb)} pneumonia.",
                                   f"{cap(lb)} consolidation. Recommend follow-up film in 6 weeks to confirm "
                                   f"resolution."])])
        if "lingula" in lb:
            it["find"] = it["find"].replace("the lingula", "the lingula (left)")
    elif key == "modeff":
        it.update(side=side, sig=True, dom={"eff", "lung"},
                  find=rng.choice([f"Moderate {side} pleural effusion with adjacent basal atelectasis.",
                                   f"Moderate sized {side} pleural effusion, tracking up the lateral chest wall.",
                                   f"Large {side} pleural effusion occupying the lower half of the {side} "
                                   "hemithorax. No mediastinal shift."]),
                  imp=[rng.choice([f"Moderate {side} pleural effusion.",
                                   f"{S} pleural effusion, moderate to large. Consider ultrasound-guided tap.",
                                   f"Moderate {side} effusion with basal atelectasis."])])
        if "Large" in it["find"]:
            it["imp"] = [f"Large {side} pleural effusion."]
    elif key == "smalleff":
        it.update(side=side, dom={"eff"},
                  find=rng.choice([f"Small {side} pleural effusion.",
                                   f"Blunting of the {side} costophrenic angle, in keeping with a small effusion."]),
                  imp=[f"Small {side} pleural effusion."], opt=True)
    elif key == "ptx":
        n = rng.choice(["1.5", "2", "3", "2.5"])
        it.update(side=side, sig=True, dom={"ptx"},
                  find=rng.choice([f"{S} apical pneumothorax, {n} cm apex to cupola. No mediastinal shift.",
                                   f"There is a {side} pneumothorax with a visible pleural edge {n} cm from the "
                                   "chest wall at the apex.",
                                   f"Small {side} apical pneumothorax. No tension."]),
                  imp=[rng.choice([f"{S} pneumothorax. Findings phoned to the referring doctor.",
                                   f"{S} apical pneumothorax, discussed with ED registrar at time of reporting.",
                                   f"{S} pneumothorax as described."])])
    elif key == "oedema":
        it.update(sig=True, dom={"lung", "eff", "heart"},
                  find=rng.choice(["Cardiomegaly with upper lobe venous diversion, interstitial oedema with Kerley B "
                                   "lines and small bilateral pleural effusions.",
                                   "Perihilar airspace opacity and septal lines in keeping with pulmonary oedema. "
                                   "Heart is enlarged. Small bilateral effusions."]),
                  imp=[rng.choice(["Pulmonary oedema with cardiomegaly, in keeping with cardiac failure.",
                                   "Congestive cardiac failure.", "Features of fluid overload / pulmonary oedema."])])
    elif key == "nodule":
        mm = rng.choice([8, 10, 12, 15, 18])
        zone = rng.choice(["mid zone", "upper zone", "lower zone"])
        it.update(side=side, sig=True, dom={"lung"},
                  find=rng.choice([f"{mm} mm nodule projected over the {side} {zone}.",
                                   f"There is a {mm} mm rounded nodular opacity in the {side} {zone}, "
                                   "not clearly calcified."]),
                  imp=[rng.choice([f"{mm} mm {side} {zone} nodule. CT chest recommended for further assessment.",
                                   f"Indeterminate {mm} mm nodule in the {side} {zone}. Suggest CT chest."])])
    elif key == "mass":
        cm = rng.choice([3, 4, 5])
        it.update(side=side, sig=True, dom={"lung", "hila"},
                  find=f"{cm} cm mass in the {side} hilar region.",
                  imp=[f"{S} hilar mass, suspicious for malignancy. CT chest with contrast recommended."])
    elif key == "tbactive":
        it.update(side=side, sig=True, dom={"lung", "consol"},
                  find=rng.choice([f"Patchy consolidation in the {side} upper lobe with a 2 cm cavity.",
                                   f"Nodular airspace opacity in the {side} upper zone with cavitation."]),
                  imp=[rng.choice([f"Cavitating {side} upper lobe consolidation, highly suspicious for active "
                                   "pulmonary TB. Recommend sputum for AFB; the TB unit has been notified.",
                                   f"{S} upper zone cavitating consolidation, concerning for active TB."])])
    elif key == "mediastinum":
        it.update(sig=True, dom={"heart"},
                  find="The superior mediastinum appears widened (9 cm) on this supine AP film. Aortic knuckle "
                       "outline is indistinct.",
                  imp=["Widened mediastinum in the setting of trauma. CT aortogram recommended; discussed with "
                       "the referring doctor."])
    elif key == "granuloma":
        it.update(side=side, dom=set(),
                  find=f"Small calcified granuloma in the {side} "
                       f"{rng.choice(['mid zone', 'lower zone', 'upper zone'])}.",
                  imp=["Incidental calcified granuloma."], opt=True)
    elif key == "spine":
        it.update(dom={"bone"}, find="Mild degenerative change in the thoracic spine.",
                  imp=["Degenerative thoracic spine."], opt=True)
    elif key == "oldrib":
        it.update(side=side, dom={"bone"},
                  find=f"Healed fractures of the {side} "
                       f"{rng.choice(['5th and 6th ribs', '7th rib', '6th to 8th ribs'])}.",
                  imp=[f"Old healed {side} rib fractures."], opt=True)
    elif key == "atel":
        it.update(side=side, dom=set(), find=f"Minor linear atelectasis at the {side} base.",
                  imp=[f"Minor {side} basal atelectasis."], opt=True)
    elif key == "copd":
        it.update(dom=set(), find="The lungs are hyperinflated with flattening of the hemidiaphragms, consistent with "
                                  "COPD.", imp=["Hyperinflation in keeping with COPD."], opt=True)
    elif key == "bronchiectasis":
        it.update(dom=set(), find="Bronchial wall thickening and tram-track opacities at both bases, in keeping with "
                                  "known bronchiectasis. No superimposed consolidation.",
                  imp=["Known bilateral basal bronchiectasis. No acute consolidation."], opt=True)
    elif key == "oldtb":
        it.update(side=side, dom=set(),
                  find=f"Fibrotic scarring and volume loss in the {side} upper zone with calcified granulomata, "
                       "in keeping with old treated TB. No cavitation.",
                  imp=[f"Stable {side} upper zone post-TB fibrosis. No radiographic evidence of active TB."],
                  opt=False)
    elif key == "rhdheart":
        it.update(dom={"heart"},
                  find=rng.choice(["Median sternotomy wires and a mechanical mitral valve prosthesis. The heart is "
                                   "enlarged with left atrial prominence, unchanged.",
                                   "Cardiomegaly with straightening of the left heart border and splaying of the "
                                   "carina suggesting left atrial enlargement, stable."]),
                  imp=["Stable cardiomegaly in keeping with known rheumatic heart disease."], opt=False)
    elif key == "mildcard":
        it.update(dom={"heart"}, find="Mild cardiomegaly, stable compared with the prior study.",
                  imp=["Mild stable cardiomegaly."], opt=True)
    elif key == "picc":
        it.update(side=side, dom=set(), find=f"{S} arm PICC with its tip at the cavoatrial junction.",
                  imp=[f"{S} PICC tip at the cavoatrial junction."], opt=False)
    return it


NORMALS = {
    "heart": ["Heart size is normal.", "Cardiomediastinal contours are within normal limits.",
              "The heart is not enlarged.", "Normal cardiac and mediastinal contours."],
    "lung": ["The lungs are clear.", "Lungs are clear.", "Clear lungs.", "No focal lung lesion or consolidation."],
    "consol": ["No focal consolidation."],
    "eff": ["No pleural effusion.", "Costophrenic angles are clear."],
    "ptx": ["No pneumothorax."],
    "hila": ["Hila are normal."],
    "bone": ["Bones are unremarkable.", "No acute bony abnormality."],
}
NORMAL_IMPS = ["No acute cardiopulmonary abnormality.", "Normal chest X-ray.", "No active cardiopulmonary disease.",
               "Normal study.", "No acute abnormality.", "Normal chest radiograph."]
OMIT_IMPS = ["No acute cardiopulmonary abnormality.", "Normal chest X-ray.", "No acute abnormality detected.",
             "No active cardiopulmonary disease.", "Unremarkable chest radiograph."]


def normal_lines(rng: random.Random, items: list[dict]) -> tuple[list[str], dict]:
    taken = set().union(*[it["dom"] for it in items]) if items else set()
    out, used = [], {}
    if "heart" not in taken:
        s = rng.choice(NORMALS["heart"])
        out.append(s)
        used["heart"] = s
    lungish = any(it["key"] in ("consol", "nodule", "mass", "tbactive", "oedema", "oldtb", "bronchiectasis", "copd",
                                "atel", "granuloma") for it in items)
    if not lungish:
        s = rng.choice(NORMALS["lung"])
        out.append(s)
        used["lung"] = s
    elif "consol" not in taken and "lung" not in taken and rng.random() < 0.6:
        s = "No focal consolidation."
        out.append(s)
        used["consol"] = s
    effs = "eff" not in taken
    ptxs = "ptx" not in taken
    if effs and ptxs and rng.random() < 0.6:
        s = rng.choice(["No pleural effusion or pneumothorax.", "No effusion or pneumothorax."])
        out.append(s)
        used["eff"] = used["ptx"] = s
    else:
        if effs:
            s = rng.choice(NORMALS["eff"])
            out.append(s)
            used["eff"] = s
        if ptxs:
            out.append("No pneumothorax.")
            used["ptx"] = "No pneumothorax."
    if "hila" not in taken and rng.random() < 0.3:
        out.append("Hila are normal.")
    if "bone" not in taken and rng.random() < 0.5:
        out.append(rng.choice(NORMALS["bone"]))
    elif "bone" in taken and rng.random() < 0.4:
        out.append("No acute bony abnormality.")
    return out, used


def compose(rng: random.Random, kind: str | None) -> dict:
    ctxs = list(CONTEXTS)
    ctx = rng.choices(ctxs, weights=[CONTEXTS[c][0] for c in ctxs])[0]
    hist = rng.choice(CONTEXTS[ctx][1])
    if rng.random() < 0.25 and ctx != "ward":
        hist += " " + rng.choice(["Referred by RFDS.", "Remote community clinic referral.", "AMS referral.",
                                  "Aboriginal patient.", "Torres Strait Islander patient.", ""]).strip()
    lay = layout(rng)
    if ctx == "ward" and rng.random() < 0.5:
        lay["exam"] = rng.choice(AP_EXAMS)
    comp = rng.choice(["Nil.", "Nil available.", "None available.", f"{adate(rng)}.",
                       f"Previous film {adate(rng)} ({lay['site']}).", "Prior study from 2022.", "No prior imaging."])
    tech = ""
    if lay["tech"]:
        if "AP" in lay["exam"]:
            tech = "Single AP view."
        elif re.search(r"lat", lay["exam"], re.I):
            tech = rng.choice(["PA and lateral erect views.", "PA and lateral."])
        else:
            tech = rng.choice(["PA and lateral erect views.", "PA erect view only.", "PA and lateral."])
    if kind in ("laterality_conflict",):
        want = "sided"
    elif kind in ("impression_omits_finding",):
        want = "sig"
    elif kind == "negation_conflict":
        want = rng.choice(["normal", "minor", "sig", "sig"])
    else:
        base = {"mine": [0.8, 0.15], "tb": [0.45, 0.45], "rhd": [0.25, 0.6]}.get(ctx, [0.5, 0.28])
        x = rng.random()
        want = "normal" if x < base[0] else "minor" if x < base[0] + base[1] else "sig"
    items = make_items(rng, ctx, want)
    if any(it["key"] == "mediastinum" for it in items):
        hist = rng.choice(["MVA rollover, chest pain.", "High-speed MVA, RFDS retrieval. Chest pain.",
                           "Fall from height, chest and back pain."])
        lay["exam"] = "XR CHEST (SUPINE AP TRAUMA)"
        tech = "Single supine AP view." if tech else ""
    if any(re.search(r"stable|unchanged|prior", it["find"]) for it in items) and not re.search(r"\d", comp):
        comp = f"Previous film {adate(rng)} ({lay['site']})."
    normals, used = normal_lines(rng, items)
    # findings
    f_items = [it["find"] for it in items]
    order = rng.random()
    find = f_items + normals if order < 0.6 else normals[:1] + f_items + normals[1:]
    # impression
    imp: list[str] = []
    for it in items:
        if it["sig"] or not it.get("opt", True) or rng.random() < 0.4:
            imp += it["imp"]
    if not imp:
        if ctx == "tb" and not items:
            imp = [rng.choice(["No radiographic evidence of active or previous TB.", "No evidence of active TB.",
                               "Normal chest X-ray. No features of active pulmonary TB."])]
        elif ctx == "mine" and not items:
            imp = [rng.choice(["Normal chest X-ray.", "No abnormality detected.", "Normal study. No pneumoconiosis."])]
        elif items:
            imp = [rng.choice(["No acute cardiopulmonary abnormality.", "No acute abnormality.",
                               "No active disease."])]
        else:
            imp = [rng.choice(NORMAL_IMPS)]
    elif rng.random() < 0.3 and not any(it["key"] in ("oedema",) for it in items):
        imp.append(rng.choice(["Otherwise no acute abnormality.", "No other acute findings."]))
    detail = ""
    hist_o, comp_o, tech_o = hist, comp, tech
    if kind == "missing_section":
        r = rng.random()
        if r < 0.45:
            imp, detail = "", "conclusion header present but left empty"
        elif r < 0.7:
            imp, detail = None, "conclusion section absent; report ends after findings"
        else:
            find = ""
            imp = [rng.choice(["As above.", "See findings.", "No significant change.", "Findings as above.",
                               "No acute abnormality."])]
            detail = "findings section left empty; conclusion does not itself describe the film"
    elif kind == "laterality_conflict":
        it = next(x for x in items if x["side"])
        other = "left" if it["side"] == "right" else "right"
        if rng.random() < 0.5:
            k = find.index(it["find"])
            new = swap_side(it["find"])
            if "lingula" in it["find"] or "middle lobe" in it["find"]:
                new = new.replace("lingula (right)", "right lower lobe").replace("left middle lobe", "left lower lobe")
            find[k] = new
            detail = f"side flipped in findings ({it['side']} -> {other}); conclusion keeps {it['side']}"
        else:
            k = imp.index(it["imp"][0])
            new = swap_side(it["imp"][0])
            new = new.replace("Lingula", "Right middle lobe").replace("Left middle lobe", "Lingula")
            imp[k] = new
            detail = f"side flipped in conclusion ({it['side']} -> {other}); findings keep {it['side']}"
    elif kind == "negation_conflict":
        sigs = [x for x in items if x["sig"] or x["key"] in ("rhdheart", "mildcard")]
        opts = []
        for it in sigs:
            neg = {"consol": ["The lungs are clear.", "No consolidation."], "modeff": ["No pleural effusion."],
                   "ptx": ["No pneumothorax."], "oedema": ["No pulmonary oedema."],
                   "nodule": ["Clear lungs, no focal lesion."], "mass": ["Normal hila. Clear lungs."],
                   "tbactive": ["No radiographic evidence of active TB."],
                   "mediastinum": ["Normal mediastinal contours."],
                   "rhdheart": ["Heart size is normal."], "mildcard": ["Normal heart size."]}[it["key"]]
            opts.append(("imp_neg", it, rng.choice(neg)))
        for dom in used:
            side = rng.choice(SIDES)
            aff = {"heart": rng.choice(["Cardiomegaly.", "Moderate cardiomegaly, in keeping with known RHD."
                                        if ctx == "rhd" else "Moderate cardiomegaly."]),
                   "lung": f"{cap(side)} lower lobe consolidation.",
                   "consol": f"{cap(side)} basal consolidation, likely pneumonia.",
                   "eff": f"Small {side} pleural effusion.",
                   "ptx": f"Small {side} apical pneumothorax."}.get(dom)
            if aff:
                opts.append(("imp_aff", dom, aff))
        o = rng.choice(opts)
        if o[0] == "imp_neg":
            it, neg = o[1], o[2]
            imp = [x for x in imp if x not in it["imp"]]
            imp = [neg] + [x for x in imp if not x.startswith("Otherwise")]
            if len(imp) == 1 and rng.random() < 0.5:
                imp.append("No acute cardiopulmonary abnormality." if it["key"] not in ("rhdheart", "mildcard")
                           else "No acute abnormality.")
            detail = f"conclusion negates the {it['key']} affirmed in findings ('{neg}')"
        else:
            dom, aff = o[1], o[2]
            imp = [x for x in imp if not re.search(r"normal|no acute|no active|no abnormality|no evidence|"
                                                     r"no radiographic", x, re.I) or x.startswith("Otherwise")]
            imp = [aff] + [x for x in imp if not x.startswith("Otherwise")]
            detail = f"conclusion asserts '{aff}' while findings state '{used[dom]}'"
    elif kind == "impression_omits_finding":
        it = next(x for x in items if x["sig"])
        imp = [rng.choice(OMIT_IMPS)]
        detail = f"conclusion is a normal macro; findings affirm {it['key']}: '{it['find']}'"
    elif kind == "placeholder":
        ph = rng.choice(PH_FORMS)
        r = rng.random()
        if r < 0.15:
            comp_o = rng.choice([f"Previous {ph} ({lay['site']}).", "[date]", f"{ph}"])
            detail = f"comparison field left as template: {comp_o}"
        elif r < 0.25:
            hist_o = hist.rstrip(".") + f". Duration {ph}."
            detail = f"clinical history field left unfilled: {ph}"
        elif r < 0.3 and tech:
            tech_o = f"{ph} views."
            detail = "technique field left unfilled"
        else:
            sec_name = "findings" if r < 0.75 else "conclusion"
            sec = find if sec_name == "findings" else imp
            cand = []
            for k, s in enumerate(sec):
                for m in re.finditer(r"\b(right|left|upper|lower|middle|mild|moderate|small|large|normal|clear|"
                                     r"stable|\d+(\.\d+)?|lungs|heart)\b", s, re.I):
                    cand.append((k, m))
            if not cand:
                for k, s in enumerate(sec):
                    for m in re.finditer(r"\b(acute|abnormality|cardiopulmonary|disease|contours|effusion|"
                                         r"incidental|calcified|degenerative|thoracic|known|stable)\b", s, re.I):
                        cand.append((k, m))
            if not cand:
                cand = [(k, m) for k, s in enumerate(sec) for m in re.finditer(r"\b[a-z]{5,}\b", s)]
            k, m = rng.choice(cand)
            old = sec[k]
            sec[k] = old[:m.start()] + ph + old[m.end():]
            detail = f"'{m.group(0)}' in {sec_name} left as template field {ph}"
    fb = find
    ib = numbered(imp, rng) if isinstance(imp, list) else imp
    if isinstance(fb, list) and lay["nl"] and rng.random() < 0.3:
        fb = ["- " + x for x in fb]
    rep = render(lay, hist_o, comp_o, fb, ib, tech_o)
    return {"injected": kind, "detail": detail, "report": rep}


# ----------------------------------------------------------------------------------------------


def build_with_sources(seed: int) -> list[dict]:
    """Like build() but each row also carries 'source' ('iu:<uid>' or 'bank')."""
    rng = random.Random(f"h111-{seed}")
    dev = dev_uids()
    iu = [r for r in load_iu() if r["uid"] not in dev]
    good = [r for r in iu if clean_ok(r)]
    normal_pool = [r for r in good if r["normal"]]
    abn_pool = [r for r in good if not r["normal"]]
    omit_pool = [r for r in iu if r["findings"] and r["impression"] and not re.search(r"\[|\*\*|___", r["findings"])
                 and any(affirmed(s, p) and not HEDGE.search(s) and not SOFT.search(s)
                         and re.search(p, r["impression"], re.I)
                         for s in sents(aus(r["findings"])) for c, p in SIG.items()
                         if c != "mass" or re.search(r"\bmass\b", s, re.I))
                 and clean_ok(r)]
    used: set[str] = set()
    cases: list[dict] = []

    def take_real(kind: str | None, n: int) -> None:
        got = tries = 0
        while got < n:
            tries += 1
            if tries > 20000:
                raise RuntimeError(f"could not fill {kind}")
            if kind == "impression_omits_finding":
                pool = omit_pool
            elif kind is None:
                pool = normal_pool if rng.random() < 0.65 else abn_pool
            elif kind == "laterality_conflict":
                pool = abn_pool
            else:
                pool = normal_pool if rng.random() < 0.5 else abn_pool
            pool = [r for r in pool if r["uid"] not in used] if tries % 50 == 0 else pool
            c = iu_real(rng, pool, kind)
            if c is None or c["uid"] in used:
                continue
            used.add(c["uid"])
            cases.append(c)
            got += 1

    for kind in [None] + KINDS:
        n = N_CLEAN if kind is None else N_KIND
        take_real(kind, n // 2)
        for _ in range(n - n // 2):
            c = compose(rng, kind)
            c["uid"] = None
            cases.append(c)
    rng.shuffle(cases)
    out = []
    for n, c in enumerate(cases):
        out.append({"id": f"h111-{seed}-{n}", "injected": c["injected"], "detail": c["detail"], "report": c["report"],
                    "source": f"iu:{c['uid']}" if c["uid"] else "bank"})
    return out


def build(seed: int) -> list[dict]:
    return [{k: r[k] for k in ("id", "injected", "detail", "report")} for r in build_with_sources(seed)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build_with_sources(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            row = {k: r[k] for k in ("id", "injected", "detail", "report")}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            sel = [r for r in rows if r["injected"] == kind][: a.show]
            for r in sel:
                print(f"===== {r['id']} [{kind}] {r['source']} :: {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
