"""Held-out report-check set 75, written blind.

Setting: Scottish NHS health boards (NHS Greater Glasgow and Clyde, NHS Lothian / Edinburgh,
NHS Highland): chest radiographs from GP referrals (including USOC, urgent suspicion of cancer),
emergency departments and wards, reported by consultant radiologists, radiology registrars (StR)
and reporting radiographers. Layout of that setting: an examination line, "Clinical details",
"Comparison"/"Previous", sometimes "Technique", "Findings"/"Report", then
"Conclusion"/"Opinion"/"Impression"/"Comment", and sign-off lines (GMC / HCPC numbers, verified by).
British spelling (oedema, haemoptysis, visualised), zones rather than lobes, "in keeping with",
"suggest repeat CXR in 6 weeks to ensure resolution".

400 cases: 200 clean and 40 of each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder. Half of each group is composed from the phrase bank
below; half are real IU reports (none whose uid is in the dev set) re-laid-out in this style with
light re-wording (British spelling, a few stock phrases). Errors are single ordinary slips: a side
flipped, a normal macro pasted over the conclusion, a pick-list or template field left unfilled,
a section left empty.

    python -m bench.make_heldout75 OUT.jsonl --seed S [--show N]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

KINDS = (
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
)
N_CLEAN = 200
N_KIND = 40
REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


def iu_archive() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# --------------------------------------------------------------------------- IU loading


@lru_cache(maxsize=2)
def _load_iu(path: str) -> tuple:
    recs = []
    with tarfile.open(path) as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            fh = tf.extractfile(m)
            if fh is None:
                continue
            root = ET.fromstring(fh.read())
            u = root.find("uId")
            if u is None:
                continue
            secs = {}
            for at in root.iter("AbstractText"):
                secs[(at.get("Label") or "").upper()] = (at.text or "").strip()
            recs.append((u.get("id"), secs.get("INDICATION", ""), secs.get("COMPARISON", ""),
                         secs.get("FINDINGS", ""), secs.get("IMPRESSION", "")))
    recs.sort(key=lambda r: int(re.sub(r"\D", "", r[0]) or 0))
    return tuple(recs)


@lru_cache(maxsize=2)
def _dev_uids(path: str) -> frozenset:
    out = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return frozenset(out)


def dev_uids() -> frozenset:
    return _dev_uids(str(dev_path()))


# --------------------------------------------------------------------------- text helpers

_BRIT = [
    (r"\bedema", "oedema"), (r"hemorrhag", "haemorrhag"), (r"\besophag", "oesophag"),
    (r"\btumor", "tumour"), (r"ischemi", "ischaemi"), (r"\banemi", "anaemi"),
    (r"\bhematoma", "haematoma"), (r"\bhemothorax", "haemothorax"), (r"\bhemoptysis", "haemoptysis"),
    (r"\bcentimeter", "centimetre"), (r"\bmillimeter", "millimetre"), (r"\bvisualized", "visualised"),
    (r"\blocalized", "localised"), (r"\borganized", "organised"), (r"\bcharacterized", "characterised"),
    (r"\bdyspnea", "dyspnoea"), (r"\bfavor", "favour"), (r"\bosseous structures", "bones"), (r"\bleukemi", "leukaemi"),
]


def _case_sub(pat: str, rep: str, text: str) -> str:
    def f(m: re.Match) -> str:
        s = m.group(0)
        if s.isupper() and len(s) > 1:
            return rep.upper()
        if s[0].isupper():
            return rep[0].upper() + rep[1:]
        return rep
    return re.sub(pat, f, text, flags=re.I)


def britishise(text: str) -> str:
    for pat, rep in _BRIT:
        text = _case_sub(pat, rep, text)
    return text


def tidy(text: str) -> str:
    text = re.sub(r"\.(\s*\.)+", ".", text)
    text = re.sub(r"[ \t]+", " ", text)
    return text.strip()


def reword(rng: random.Random, text: str) -> str:
    text = britishise(tidy(text))
    nac = rng.choice(["No acute cardiopulmonary abnormality", "No acute abnormality",
                      "No acute chest abnormality", "No acute cardiopulmonary abnormality"])
    text = re.sub(r"No acute cardiopulmonary (?:abnormality|process|disease|findings?)", nac, text)
    if rng.random() < 0.5:
        text = re.sub(r"\bairspace disease\b", "airspace opacification", text)
    if rng.random() < 0.5:
        text = re.sub(r"\bThe heart is normal in size\b", "Heart size is normal", text)
    return text


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.;])\s+", text.strip())
    return [p for p in parts if p.strip()]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def flip_sides(sent: str) -> str:
    def f(m: re.Match) -> str:
        w = m.group(0)
        o = "right" if w.lower() == "left" else "left"
        if w.isupper():
            return o.upper()
        if w[0].isupper():
            return o.capitalize()
        return o
    return re.sub(r"\b(left|right)\b", f, sent, flags=re.I)


# --------------------------------------------------------------------------- IU classification

CLS = {
    "ptx": r"pneumothora",
    "eff": r"effusion",
    "cons": r"consolidat|pneumonia|infiltrat|air ?space (?:disease|opacit)",
    "oed": r"oedema|congesti",
    "mass": r"\bmass(?:es)?\b",
    "nod": r"nodul",
    "wide": r"widen",
    "free": r"free air|pneumoperitoneum|subdiaphragmatic (?:air|gas)",
    "heart": r"cardiomegaly|heart (?:size )?(?:is )?(?:\w+ )?enlarged|enlarged (?:heart|cardiac)|cardiac enlargement",
    "opac": r"opacit|densit|atelecta|collapse",
}
SIG = ("ptx", "eff", "cons", "oed", "mass", "nod", "wide", "free")
_NEG_PRE = re.compile(r"\b(no|not|without|negative|free of|clear of|resolution of|resolved|removal|absence|"
                      r"rather than|rule out|ruled out|exclude|excluded)\b", re.I)
_NEG_POST = re.compile(r"\b(resolved|not (?:seen|identified|present|evident|visualised|appreciated)|absent|"
                       r"removed|has cleared)\b", re.I)
_CHANGE = re.compile(r"\bno (?:significant |appreciable |interval )?change\b|\bunchanged\b|\bstable\b|"
                     r"\bagain\b|\bpersist", re.I)
_HEDGE = re.compile(r"\b(possible|possibly|may|might|could|questionable|question|suspicious|concern|"
                    r"cannot|versus|vs|likely|suspect\w*|probable|probably|suggest|consider|difficult|equivocal|"
                    r"early|subtle|minimal|mild|trace|tiny|small|borderline)\b|\?", re.I)
_CHRONIC = re.compile(r"\b(stable|unchanged|chronic|old|resolv|improv|decreas|residual|previous|prior|"
                      r"again|persist|healed|calcified|granulom|scar|without (?:significant |interval )?change)", re.I)


def status(sent: str, cls: str) -> str | None:
    """'neg', 'pos' or 'hedge' for class cls in one sentence, or None if not mentioned."""
    m = re.search(CLS[cls], sent, re.I)
    if not m:
        return None
    pre = sent[: m.start()]
    cut = max((x.end() for x in re.finditer(r"\b(but|however|except|although|though|whereas)\b|[;:]",
                                            pre, re.I)), default=0)
    pre = pre[cut:]
    if _CHANGE.search(sent):
        return "hedge"
    if _NEG_PRE.search(pre) or _NEG_POST.search(sent[m.end():]):
        return "neg"
    if _HEDGE.search(sent):
        return "hedge"
    return "pos"


def sides(text: str) -> set:
    return {w.lower() for w in re.findall(r"\b(left|right)\b", text, re.I)}


def iu_clean_ok(find: str, imp: str) -> bool:
    if len(find) < 40 or len(imp) < 8:
        return False
    if re.search(r"[\[\]<>{}*_]|\bxx\b", find + imp, re.I):
        return False
    fs, is_ = sentences(find), sentences(imp)
    for cls in SIG + ("heart", "opac"):
        fst = [status(s, cls) for s in fs]
        ist = [status(s, cls) for s in is_]
        f_aff = [s for s, st in zip(fs, fst, strict=True) if st in ("pos", "hedge")]
        i_aff = any(st in ("pos", "hedge") for st in ist)
        i_neg = any(st == "neg" for st in ist)
        if i_aff and not f_aff and any(st == "neg" for st in fst):
            return False
        if f_aff and i_neg and not i_aff:
            return False
        if f_aff and not i_aff:
            if cls == "heart" and all(re.search(r"mild|borderline|stable|upper limit|top normal|slight|minimal"
                                                r"|unchanged", s, re.I) for s in f_aff):
                continue
            if cls == "eff" and all(re.search(r"small|trace|tiny|minimal|blunting", s, re.I)
                                    and not re.search(r"moderate|large|new|increas", s, re.I) for s in f_aff):
                continue
            if cls in ("nod", "opac") and all(_CHRONIC.search(s) for s in f_aff):
                continue
            if not re.search(CLS[cls], imp, re.I):
                return False
    si, sf = sides(imp), sides(find)
    if si - sf:
        return False
    # same class placed on different sides across sections
    for cls in CLS:
        a = set().union(*[sides(s) for s in fs if re.search(CLS[cls], s, re.I)] or [set()])
        b = set().union(*[sides(s) for s in is_ if re.search(CLS[cls], s, re.I)] or [set()])
        if a and b and not (b <= a):
            return False
    return True


def iu_sig_positive(find: str, imp: str) -> tuple[str, str] | None:
    """A strictly affirmed significant finding in FINDINGS that IMPRESSION also affirms."""
    for s in sentences(find):
        for cls in SIG:
            if status(s, cls) != "pos" or _CHRONIC.search(s):
                continue
            if cls == "eff" and re.search(r"pericard|XXXX", s, re.I):
                continue
            if cls == "eff" and (re.search(r"small|trace|tiny|minimal|blunting", s, re.I)
                                 and not re.search(r"moderate|large", s, re.I)):
                continue
            if cls == "nod" and not re.search(r"\b(\d+(?:\.\d+)?)\s*(?:cm|mm)\b", s):
                continue
            if cls == "nod":
                m = re.search(r"\b(\d+(?:\.\d+)?)\s*(cm|mm)\b", s)
                size = float(m.group(1)) * (10 if m.group(2) == "cm" else 1)
                if size < 6:
                    continue
            if any(status(x, cls) in ("pos", "hedge") for x in sentences(imp)):
                return cls, s
    return None


# --------------------------------------------------------------------------- setting bank

BOARDS = [
    ("NHS Greater Glasgow and Clyde", ["Queen Elizabeth University Hospital", "Glasgow Royal Infirmary",
                                      "Gartnavel General Hospital", "Royal Alexandra Hospital, Paisley",
                                      "Inverclyde Royal Hospital"]),
    ("NHS Lothian", ["Royal Infirmary of Edinburgh", "Western General Hospital", "St John's Hospital, Livingston"]),
    ("NHS Highland", ["Raigmore Hospital, Inverness", "Belford Hospital, Fort William",
                      "Caithness General Hospital, Wick", "Lorn and Islands Hospital, Oban"]),
]
CONSULTANTS = ["Dr Catriona MacLeod", "Dr Alasdair Fraser", "Dr Eilidh Campbell", "Dr Ruaridh Stewart",
               "Dr Morag Robertson", "Dr Iain Murray", "Dr Kirsty Henderson", "Dr Hamish Mackenzie",
               "Dr Fiona Paterson", "Dr Graeme Thomson", "Dr Shona MacDonald", "Dr Ailsa Ross",
               "Dr Niall Grant", "Dr Rajesh Menon", "Dr Joanna Kowalska"]
REGISTRARS = ["Dr Callum Reid", "Dr Sarah McIntyre", "Dr Euan Gillespie", "Dr Priya Nair", "Dr Lewis Docherty",
              "Dr Rachel Crawford"]
RADIOGRAPHERS = ["Lorna Sinclair", "Gillian Kerr", "Mhairi Ferguson", "Craig Munro", "Heather Wilson",
                 "Donna McGregor"]


def _date(rng: random.Random, year: int | None = None) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year or rng.choice([2023, 2024, 2025])}"


def signoff(rng: random.Random, source: str) -> list[str]:
    board, hosps = rng.choice(BOARDS)
    hosp = rng.choice(hosps)
    who = rng.random()
    if source == "gp" and who < 0.5 or who < 0.15:
        name = rng.choice(RADIOGRAPHERS)
        hcpc = f"RA{rng.randint(10000, 99999)}"
        lines = rng.choice([
            [f"Reported by: {name}, Reporting Radiographer (HCPC {hcpc})"],
            [f"{name}", f"Advanced Practitioner Reporting Radiographer, HCPC {hcpc}"],
            [f"Report by: {name}, Consultant Radiographer", f"{hosp}"],
        ])
    elif who < 0.55:
        reg, cons = rng.choice(REGISTRARS), rng.choice(CONSULTANTS)
        lines = rng.choice([
            [f"Reported by: {reg}, StR Radiology", f"Verified by: {cons}, Consultant Radiologist"],
            [f"{reg} (ST{rng.randint(1, 5)} Radiology) / {cons} (Consultant Radiologist)"],
            [f"Dictated by {reg}, Radiology Registrar. Checked and authorised by {cons}."],
        ])
    else:
        cons = rng.choice(CONSULTANTS)
        gmc = rng.randint(3000000, 7999999)
        lines = rng.choice([
            [f"Reported by: {cons}, Consultant Radiologist"],
            [f"{cons}", f"Consultant Radiologist, GMC {gmc}"],
            [f"Reported by {cons} (GMC {gmc}), Consultant Radiologist, {board}"],
            [f"{cons}, Consultant Radiologist, {hosp}"],
        ])
    if rng.random() < 0.35:
        lines.append(f"Date reported: {_date(rng, 2025)} {rng.randint(8, 19):02d}:{rng.randint(0, 59):02d}")
    return lines


def exam_line(rng: random.Random, source: str) -> str:
    if source == "ward":
        return rng.choice(["XR Chest (mobile)", "Examination: XR Chest AP mobile", "CHEST X-RAY (PORTABLE)",
                           "Exam: CXR AP (ward)"])
    if source == "ed":
        return rng.choice(["XR Chest", "Examination: XR Chest PA", "Chest X-ray", "XR CHEST",
                           "Exam: CXR (ED)", "Examination: Chest radiograph AP erect"])
    return rng.choice(["XR Chest PA", "Examination: XR Chest PA", "CHEST PA", "Exam: CXR",
                       "Examination: Chest X-ray PA", "XR Chest"])


def technique(rng: random.Random, source: str, exam: str = "") -> str | None:
    if rng.random() < 0.6:
        return None
    if re.search(r"\bAP\b", exam):
        return rng.choice(["AP erect.", "AP sitting.", "Single AP view."])
    if re.search(r"\bPA\b", exam):
        return rng.choice(["PA erect.", "Single PA view.", "PA projection, good inspiration."])
    if source == "ward":
        return rng.choice(["AP mobile, semi-erect.", "Supine AP mobile film.", "AP sitting, mobile."])
    if source == "ed":
        return rng.choice(["AP erect.", "PA erect.", "Single AP view."])
    return rng.choice(["PA erect.", "Single PA view.", "PA projection, good inspiration."])


H_CLIN = ["Clinical details:", "Clinical information:", "Clinical history:", "Clinical indication:", "History:",
          "CLINICAL DETAILS:"]
H_COMP = ["Comparison:", "Previous:", "Comparison with:", "Prior imaging:", "COMPARISON:"]
H_TECH = ["Technique:", "Views:"]
H_FIND = ["Findings:", "Report:", "FINDINGS:", "Findings"]
H_IMP = ["Conclusion:", "Impression:", "Opinion:", "Comment:", "CONCLUSION:", "Summary:", "IMPRESSION:"]


def layout(rng: random.Random, *, source: str, clinical: str, comparison: str, findings: str | None,
           impression: str | None, find_h: str | None = None, imp_h: str | None = None,
           sign: list[str] | None = None, tech_ok: bool = True) -> str:
    """findings/impression None = section absent; '' = header left with nothing under it."""
    inline = rng.random() < 0.55
    lines = [exam_line(rng, source)]
    body = (findings or "") + " " + (impression or "")
    if re.search(r"\b(previous|prior|since|unchanged|interval)\b", body, re.I) and \
            comparison in ("None.", "No previous imaging.", "Nil available.", "None available.", ""):
        comparison = f"CXR {_date(rng)}."
    if rng.random() < 0.3:
        board, hosps = rng.choice(BOARDS)
        src = {"gp": "GP referral", "ed": "Emergency Department", "ward": "Inpatient"}[source]
        lines.append(f"{src} - {rng.choice(hosps)}")
    lines.append("")
    if clinical:
        lines.append(f"{rng.choice(H_CLIN)} {clinical}")
    if comparison:
        lines.append(f"{rng.choice(H_COMP)} {comparison}")
    tech = technique(rng, source, lines[0]) if tech_ok else None
    if tech:
        lines.append(f"{rng.choice(H_TECH)} {tech}")
    lines.append("")
    fh = find_h or rng.choice(H_FIND)
    if not fh.endswith(":") and inline:
        fh += ":"
    ih = imp_h or rng.choice(H_IMP)

    def add(head: str, body: str | None) -> None:
        if body is None:
            return
        if inline:
            lines.append(f"{head} {body}".rstrip())
        else:
            lines.append(head)
            if body:
                lines.append(body)
        lines.append("")

    add(fh, findings)
    add(ih, impression)
    lines.extend(sign if sign is not None else signoff(rng, source))
    return "\n".join(lines).strip() + "\n"


# composed phrase bank --------------------------------------------------------------

NORMAL = {
    "heart": ["Heart size is normal.", "The heart is not enlarged.", "Normal heart size.",
              "Cardiac size is within normal limits.", "The heart size is normal.", "CTR within normal limits."],
    "mediast": ["Mediastinal contours are normal.", "Normal mediastinal outline.",
                "The mediastinum is central and not widened."],
    "lungs": ["The lungs are clear.", "Lungs clear.", "No focal consolidation.", "No focal lung abnormality.",
              "Both lungs are clear.", "No consolidation or collapse.", "Clear lung fields."],
    "eff": ["No pleural effusion.", "Costophrenic angles are clear.", "No effusion."],
    "ptx": ["No pneumothorax.", "No pneumothorax is seen."],
    "effptx": ["No pleural effusion or pneumothorax.", "Pleural spaces are clear.", "No effusion or pneumothorax."],
    "hila": ["Hila are normal.", "Normal hilar appearances.", "Hilar contours unremarkable."],
    "bones": ["No acute bony abnormality.", "Visualised bones are intact.", "Bony thorax unremarkable.",
              "No bony abnormality seen."],
}
NORMAL_IMP = ["Normal chest radiograph.", "Normal chest X-ray.", "No acute abnormality.",
              "No acute cardiopulmonary abnormality.", "No active disease.", "No significant abnormality.",
              "Normal appearances.", "No acute abnormality demonstrated.", "Normal CXR."]
GENERIC_IMP = ["No acute abnormality.", "No acute cardiopulmonary abnormality.", "No acute chest pathology.",
               "Nil acute.", "No significant abnormality.", "No acute findings.", "No acute abnormality detected."]


def normal_findings(rng: random.Random, excl: set, bone_extra: str | None = None) -> list[str]:
    out = []
    if "heart" not in excl:
        out.append(rng.choice(NORMAL["heart"]))
    if "mediast" not in excl and rng.random() < 0.35:
        out.append(rng.choice(NORMAL["mediast"]))
    if "lungs" not in excl:
        out.append(rng.choice(NORMAL["lungs"]))
    if "eff" not in excl and "ptx" not in excl and rng.random() < 0.6:
        out.append(rng.choice(NORMAL["effptx"]))
    else:
        if "eff" not in excl:
            out.append(rng.choice(NORMAL["eff"]))
        if "ptx" not in excl and rng.random() < 0.7:
            out.append(rng.choice(NORMAL["ptx"]))
    if "hila" not in excl and rng.random() < 0.35:
        out.append(rng.choice(NORMAL["hila"]))
    if bone_extra:
        out.append(bone_extra)
    elif rng.random() < 0.45:
        out.append(rng.choice(NORMAL["bones"]))
    if rng.random() < 0.3 and len(out) > 2:
        # lungs first ordering
        out = out[1:2] + out[:1] + out[2:]
    return out


def _zone(rng: random.Random) -> str:
    return rng.choice(["lower", "lower", "mid", "upper"])


def make_finding(rng: random.Random, name: str, side: str | None = None) -> dict:
    """Returns dict: find (list of sentences), imp (sentence), neg (negating statements), excl, sig, side."""
    s = side or rng.choice(["left", "right"])
    S = s.capitalize()
    z = _zone(rng)
    d: dict = {"name": name, "side": None, "sig": False, "excl": set(), "neg": [], "aff_other": None}
    if name == "cons":
        d.update(side=s, sig=True, excl={"lungs"})
        d["find"] = [rng.choice([
            f"There is consolidation in the {s} {z} zone, in keeping with infection.",
            f"Patchy airspace opacification in the {s} {z} zone.",
            f"Ill-defined airspace shadowing in the {s} {z} zone, consistent with consolidation.",
            f"Consolidation is noted in the {s} {z} zone with air bronchograms.",
            f"{S} {z} zone consolidation.",
        ])]
        d["imp"] = rng.choice([
            f"{S} {z} zone consolidation in keeping with infection.", f"{S} {z} zone pneumonia.",
            f"Infective consolidation in the {s} {z} zone.",
            f"Appearances in keeping with {s} {z} zone pneumonia.",
        ]) + rng.choice(["", " Suggest repeat CXR in 6 weeks to ensure resolution.",
                         " Recommend follow-up CXR in 6-8 weeks following treatment to confirm resolution."])
        d["neg"] = ["The lungs are clear.", "No focal consolidation.", "No consolidation.", "Lungs clear."]
        d["core"] = ("consolidation", z)
    elif name == "eff":
        sz = rng.choice(["moderate", "moderate", "large"])
        d.update(side=s, sig=True, excl={"eff", "effptx"})
        d["find"] = [rng.choice([
            f"{sz.capitalize()} {s} pleural effusion.",
            f"There is a {sz} {s} pleural effusion.",
            f"A {sz} {s} pleural effusion is present, with a meniscus extending to the mid zone.",
            f"{sz.capitalize()} volume {s} pleural effusion.",
        ])]
        d["imp"] = rng.choice([f"{sz.capitalize()} {s} pleural effusion.",
                               f"{S} pleural effusion, {sz} in size.",
                               f"{sz.capitalize()} {s}-sided pleural effusion. "
                               "Suggest ultrasound if aspiration planned."])
        d["neg"] = ["No pleural effusion.", "Costophrenic angles are clear.", "No effusion."]
    elif name == "eff_small":
        d.update(side=s, excl={"eff", "effptx"})
        d["find"] = [rng.choice([f"Small {s} pleural effusion.",
                                 f"Blunting of the {s} costophrenic angle, likely a small effusion.",
                                 f"Trace of {s} pleural fluid."])]
        d["imp"] = f"Small {s} pleural effusion."
    elif name == "ptx":
        n = rng.choice(["1.5", "2", "2.5", "3", "4"])
        d.update(side=s, sig=True, excl={"ptx", "effptx"})
        d["find"] = [rng.choice([
            f"There is a {s} apical pneumothorax, {n} cm at the level of the hilum. No mediastinal shift.",
            f"{S}-sided pneumothorax with the lung edge {n} cm from the chest wall at the level of the hilum.",
            f"A small {s} apical pneumothorax is seen. No mediastinal shift.",
        ])]
        d["imp"] = rng.choice([f"{S} pneumothorax. Findings discussed with the ED team.",
                               f"{S}-sided pneumothorax.", f"{S} apical pneumothorax, no tension."])
        d["neg"] = ["No pneumothorax.", "No pneumothorax or effusion."]
    elif name == "card_mild":
        d.update(excl={"heart"})
        d["find"] = [rng.choice(["The heart is mildly enlarged.", "Mild cardiomegaly, unchanged from previous.",
                                 "Borderline cardiomegaly."])]
        d["imp"] = "Mild cardiomegaly."
    elif name == "card":
        d.update(excl={"heart"})
        d["find"] = [rng.choice(["The heart is enlarged.", "Cardiomegaly (CTR 0.6).",
                                 "The cardiac silhouette is enlarged."])]
        d["imp"] = "Cardiomegaly."
        d["neg"] = ["Heart size is normal.", "Normal heart size.", "The heart is not enlarged."]
    elif name == "oed":
        d.update(sig=True, excl={"heart", "lungs", "eff", "effptx", "mediast"})
        d["find"] = [rng.choice([
            "Cardiomegaly with upper lobe venous diversion and bilateral perihilar haziness in keeping with "
            "pulmonary oedema. Septal lines at both bases. Small bilateral pleural effusions.",
            "The heart is enlarged. There is upper lobe blood diversion and interstitial oedema with Kerley B "
            "lines, and small bilateral effusions.",
            "Enlarged cardiac silhouette with bilateral perihilar airspace shadowing and blunting of both "
            "costophrenic angles, consistent with fluid overload.",
        ])]
        d["imp"] = rng.choice(["Appearances in keeping with cardiac failure.",
                               "Pulmonary oedema with cardiomegaly and small bilateral effusions, consistent with LVF.",
                               "Features of fluid overload / left ventricular failure."])
        d["neg"] = ["No pulmonary oedema.", "No features of cardiac failure.", "No evidence of heart failure."]
    elif name == "copd":
        d["find"] = [rng.choice(["The lungs are hyperexpanded, in keeping with COPD.",
                                 "Hyperinflated lungs with flattened hemidiaphragms, consistent with emphysema."])]
        d["imp"] = rng.choice(["Hyperexpansion in keeping with COPD. No acute abnormality.",
                               "COPD. No focal consolidation.", "Emphysematous lungs. No acute change."])
    elif name == "nod":
        n = rng.choice([7, 8, 9, 10, 12, 14, 15, 18, 22])
        d.update(side=s, sig=True, excl={"lungs"})
        d["find"] = [rng.choice([f"There is a {n} mm nodule in the {s} {z} zone.",
                                 f"A {n} mm rounded opacity projects over the {s} {z} zone.",
                                 f"{S} {z} zone nodule measuring {n} mm."])]
        d["imp"] = rng.choice([f"{n} mm {s} {z} zone nodule. CT chest recommended for further assessment.",
                               f"{S} {z} zone nodule ({n} mm). CT chest advised."])
        d["neg"] = ["No focal lung lesion.", "No suspicious pulmonary nodule.", "No focal lung abnormality."]
        d["size"] = f"{n} mm"
    elif name == "mass":
        n = rng.choice([3, 4, 5, 6])
        d.update(side=s, sig=True, excl={"lungs", "hila"})
        if rng.random() < 0.5:
            d["find"] = [f"There is a {n} cm mass at the {s} hilum."]
            d["imp"] = (f"{S} hilar mass, suspicious for malignancy. CT chest, abdomen and pelvis recommended. "
                        "Referred via the USOC pathway.")
        else:
            d["find"] = [f"A {n} cm spiculated mass is present in the {s} upper zone."]
            d["imp"] = (f"{S} upper zone mass, likely bronchogenic carcinoma until proven otherwise. "
                        "Recommend urgent CT.")
        d["neg"] = ["No focal lung lesion.", "No mass lesion.", "No suspicious lung lesion."]
        d["size"] = f"{n} cm"
    elif name == "wide":
        d.update(sig=True, excl={"mediast"})
        d["find"] = [rng.choice(["The superior mediastinum appears widened on this AP film.",
                                 "The mediastinum is widened, measuring 9 cm at the level of the aortic knuckle."])]
        d["imp"] = "Widened mediastinum. Recommend CT aortogram if aortic injury or dissection is clinically suspected."
        d["neg"] = ["Normal mediastinal contours.", "The mediastinum is not widened."]
    elif name == "free":
        d.update(sig=True)
        d["find"] = [rng.choice(["There is free gas beneath the right hemidiaphragm.",
                                 "Free subdiaphragmatic gas is seen under both hemidiaphragms."])]
        d["imp"] = "Pneumoperitoneum. Discussed with the on-call surgical registrar."
        d["neg"] = ["No free subdiaphragmatic gas.", "No free air under the diaphragm."]
    elif name == "new_eff":
        d.update(side=s, sig=True, excl={"eff", "effptx"})
        d["find"] = [rng.choice([f"The {s} pleural effusion has increased in size since the previous film.",
                                 f"New {s} pleural effusion since the previous radiograph."])]
        d["imp"] = rng.choice([f"Increasing {s} pleural effusion.", f"New {s} pleural effusion."])
        d["neg"] = ["No pleural effusion.", "No effusion."]
    elif name == "gran":
        d.update(side=s)
        d["find"] = [rng.choice([f"Small calcified granuloma in the {s} upper zone.",
                                 f"Incidental calcified granuloma projected over the {s} mid zone."])]
        d["imp"] = None
    elif name == "ribs":
        a = rng.randint(4, 8)
        d.update(side=s)
        d["find"] = [f"Old healed fractures of the {s} {a}th and {a + 1}th ribs."]
        d["imp"] = None
    elif name == "atel":
        d.update(side=s, excl={"lungs"})
        d["find"] = [f"Minor linear atelectasis at the {s} base."]
        d["imp"] = f"Minor {s} basal atelectasis."
    elif name == "spine":
        d["find"] = [rng.choice(["Degenerative change in the thoracic spine.", "Mild thoracic spondylosis."])]
        d["imp"] = None
    elif name == "sternot":
        d["find"] = [rng.choice(["Median sternotomy wires and mediastinal clips noted.", "Sternotomy wires in situ."])]
        d["imp"] = None
    elif name == "hiatus":
        d["find"] = ["Retrocardiac hiatus hernia."]
        d["imp"] = None
    elif name == "ngt":
        d["find"] = [rng.choice(["NG tube passes below the diaphragm with its tip in the stomach.",
                                 "The nasogastric tube tip projects over the gastric bubble, "
                                 "below the left hemidiaphragm."])]
        d["imp"] = rng.choice(["NG tube in satisfactory position, tip in the stomach.",
                               "NGT tip below the diaphragm, within the stomach."])
    elif name == "cvc":
        d.update(side=s)
        d["find"] = [rng.choice([f"{S} internal jugular central venous catheter with its tip in the SVC.",
                                 f"{S} IJ line, tip at the cavoatrial junction."])]
        d["imp"] = rng.choice([f"{S} IJ CVC satisfactorily positioned. No pneumothorax.",
                               f"Satisfactory position of the {s} internal jugular line. No pneumothorax."])
        d["excl"] = {"ptx", "effptx"}
    elif name == "pacer":
        d.update(side=s)
        d["find"] = [f"{S}-sided dual chamber pacemaker with leads in satisfactory position."]
        d["imp"] = None
    else:
        raise ValueError(name)
    return d


CLINICAL = {
    "gp": ["Cough for 4 weeks, ex-smoker. ?pathology.", "Persistent cough > 3/52. 40 pack year smoker. USOC.",
           "SOBOE, ?cause.", "Haemoptysis x1. Smoker.", "Recurrent chest infections.", "Weight loss and fatigue.",
           "Follow-up CXR post pneumonia to ensure resolution.", "?LRTI not settling with abx.",
           "Chronic cough, PMH asthma.", "Hoarse voice 6 weeks, smoker.", "Known COPD, worsening SOB.",
           "Pre-employment / occupational screen.", "Night sweats, weight loss. ?TB.", "Raised inflammatory markers."],
    "ed": ["Chest pain, trop pending.", "SOB, ?PE ?infection.", "Pleuritic chest pain ?pneumothorax.",
           "Pyrexia, tachycardia ?sepsis source.", "Collapse at home.", "Fall, chest wall pain ?rib #.",
           "Productive cough, fever, CRP 180.",
           "Palpitations, SOB.", "RTC, chest pain.", "Hypoxic on arrival, sats 88% RA."],
    "ward": ["Increasing O2 requirement.",
             "Post op day 2, desaturating.", "?Fluid overload.", "Pre-op assessment.", "Spiking temps on ward.",
             "Post chest drain removal.", "Aspiration?", "Reduced air entry at base."],
}
SOURCE_FINDINGS = {
    "gp": ["cons", "cons", "nod", "mass", "copd", "eff", "card_mild", "eff_small", "gran", "hiatus", "spine"],
    "ed": ["cons", "cons", "ptx", "eff", "oed", "wide", "free", "card_mild", "copd", "ribs"],
    "ward": ["cons", "oed", "oed", "eff", "new_eff", "ngt", "cvc", "atel", "eff_small", "card_mild", "sternot"],
}


def _pick_clinical(rng: random.Random, source: str, name: str | None) -> str:
    special = {
        "ptx": "Sudden onset pleuritic chest pain and SOB ?pneumothorax.",
        "ngt": "NG tube inserted on ward - please check position.",
        "cvc": rng.choice(["Post CVC insertion.", "Post CVC insertion - check position."]),
        "free": "Acute abdomen ?perforation. Erect CXR please.",
        "wide": "RTC, high speed, chest pain.", "oed": "Increasing SOB, bilateral leg oedema ?LVF.",
        "mass": "Haemoptysis and weight loss, smoker. USOC referral.",
        "new_eff": "More breathless, ?fluid.",
    }
    if name in special and (name in ("ptx", "free", "wide", "ngt", "cvc") or rng.random() < 0.7):
        return special[name]
    return rng.choice(CLINICAL[source])


def _comparison(rng: random.Random, needed: bool = False) -> str:
    if needed or rng.random() < 0.45:
        return rng.choice([f"CXR {_date(rng)}.", f"Previous CXR of {_date(rng)}.", f"{_date(rng)}.",
                           f"Chest radiograph dated {_date(rng)}."])
    return rng.choice(["None.", "No previous imaging.", "Nil available.", "None available.", ""])


# --------------------------------------------------------------------------- composed cases


def _source(rng: random.Random) -> str:
    return rng.choices(["gp", "ed", "ward"], weights=[45, 35, 20])[0]


def _assemble_find(rng: random.Random, abn: list[dict], excl: set | None = None) -> str:
    excl = set(excl or set())
    for d in abn:
        excl |= d["excl"]
    normal = normal_findings(rng, excl)
    abn_s = [x for d in abn for x in d["find"]]
    if rng.random() < 0.5:
        parts = abn_s + normal
    else:
        parts = normal[:1] + abn_s + normal[1:]
    return " ".join(parts)


def composed_clean(rng: random.Random) -> tuple[str, str]:
    source = _source(rng)
    r = rng.random()
    if r < 0.58:
        # normal film, sometimes an incidental chronic finding not carried to the conclusion
        inc = []
        if rng.random() < 0.25:
            inc = [make_finding(rng, rng.choice(["gran", "spine", "ribs", "hiatus", "sternot", "card_mild"]))]
        find = _assemble_find(rng, inc)
        imp = rng.choice(NORMAL_IMP if not any(d["name"] == "card_mild" for d in inc) else GENERIC_IMP)
        if inc and rng.random() < 0.3 and inc[0]["imp"]:
            imp = inc[0]["imp"] + " " + rng.choice(GENERIC_IMP)
        name = None
        if source == "gp" and rng.random() < 0.3:
            imp += " If there is ongoing clinical concern, CT chest could be considered."
        if rng.random() < 0.1:
            # conclusion-only report that itself describes the film
            desc = rng.choice(["Heart size normal. Lungs clear. No pleural effusion or pneumothorax.",
                               "Normal heart size, clear lungs, no effusion or pneumothorax.",
                               "Normal chest radiograph: heart not enlarged, lungs and pleural spaces clear."])
            text = layout(rng, source=source, clinical=_pick_clinical(rng, source, None),
                          comparison=_comparison(rng), findings=None, impression=desc,
                          imp_h=rng.choice(["Conclusion:", "Opinion:", "Impression:"]))
            return text, "composed: conclusion-only normal report that describes the film"
        detail = "composed: normal" + (f" with incidental {inc[0]['name']}" if inc else "")
    else:
        name = rng.choice(SOURCE_FINDINGS[source])
        d = make_finding(rng, name)
        abn = [d]
        if rng.random() < 0.2:
            extra = make_finding(rng, rng.choice(["spine", "hiatus", "sternot"]))
            abn.append(extra)
        find = _assemble_find(rng, abn)
        if d["imp"]:
            imp = d["imp"]
            if not d["sig"] and rng.random() < 0.4:
                imp += " " + rng.choice(["No acute abnormality otherwise.", "Otherwise no acute abnormality."])
        else:
            imp = rng.choice(GENERIC_IMP)
        detail = f"composed: {name} reported in findings and conclusion"
    text = layout(rng, source=source, clinical=_pick_clinical(rng, source, name),
                  comparison=_comparison(rng, name == "new_eff"), findings=find, impression=imp)
    return text, detail


SIG_NAMES = ["cons", "cons", "cons", "eff", "eff", "ptx", "oed", "oed", "nod", "mass", "wide", "free", "new_eff"]


def composed_error(rng: random.Random, kind: str) -> tuple[str, str]:
    source = _source(rng)
    if kind == "impression_omits_finding":
        name = rng.choice(SIG_NAMES)
        d = make_finding(rng, name)
        abn = [d]
        mode = rng.random()
        if mode < 0.25:
            other = make_finding(rng, rng.choice(["ngt", "copd", "card_mild", "sternot"]))
            abn.append(other)
            imp = other["imp"] or rng.choice(GENERIC_IMP)
            how = f"conclusion reports only the {other['name']}"
        else:
            imp = rng.choice(GENERIC_IMP)
            how = "conclusion is a stock 'no acute abnormality' line"
        find = _assemble_find(rng, abn)
        text = layout(rng, source=source, clinical=_pick_clinical(rng, source, name),
                      comparison=_comparison(rng, name == "new_eff"), findings=find, impression=imp)
        return text, f"composed: findings report {name} ({d['find'][0]}); {how}, omitting it"

    if kind == "negation_conflict":
        mode = rng.choice(["imp_negates", "imp_negates", "imp_affirms", "imp_affirms", "within", "heart"])
        if mode == "heart":
            d = make_finding(rng, "card")
            find = _assemble_find(rng, [d])
            imp = rng.choice(d["neg"]) + " " + rng.choice(["Lungs clear. No acute abnormality.",
                                                            "No acute cardiopulmonary abnormality."])
            det = f"findings: '{d['find'][0]}'; conclusion says '{imp.split('. ')[0]}'"
        elif mode == "imp_negates":
            name = rng.choice(["cons", "cons", "eff", "ptx", "oed", "nod", "free"])
            d = make_finding(rng, name)
            find = _assemble_find(rng, [d])
            neg = rng.choice(d["neg"])
            imp = rng.choice([f"{neg} No acute abnormality.", f"No acute abnormality. {neg}",
                              f"{neg}", f"Normal heart size. {neg}" if name != "oed" else neg])
            det = f"findings affirm {name} ('{d['find'][0]}'); conclusion negates it ('{neg}')"
        elif mode == "imp_affirms":
            name = rng.choice(["cons", "eff", "ptx", "eff_small", "card"])
            d = make_finding(rng, name)
            # make sure the findings negate the same thing
            negs = {"cons": "No focal consolidation.", "eff": "No pleural effusion.",
                    "eff_small": "No pleural effusion.",
                    "ptx": "No pneumothorax.", "card": "Heart size is normal."}
            tags = {"cons": "lungs", "eff": "eff", "eff_small": "eff", "ptx": "ptx", "card": "heart"}
            normal = normal_findings(rng, {tags[name], "effptx"} if name in ("eff", "eff_small", "ptx")
                                     else {tags[name]})
            normal.insert(rng.randint(0, len(normal)), negs[name])
            find = " ".join(normal)
            imp = d["imp"] + rng.choice(["", " Otherwise no acute abnormality."])
            det = f"findings state '{negs[name]}'; conclusion reports '{d['imp']}'"
        else:
            name = rng.choice(["ptx", "eff", "cons"])
            d = make_finding(rng, name)
            tag = {"ptx": "ptx", "eff": "eff", "cons": "lungs"}[name]
            neg = {"ptx": "No pneumothorax.", "eff": "No pleural effusion.", "cons": "The lungs are clear."}[name]
            normal = normal_findings(rng, d["excl"] | {tag})
            find = " ".join([neg] + normal + d["find"]) if rng.random() < 0.5 else " ".join(d["find"] + normal + [neg])
            imp = d["imp"]
            det = f"findings both say '{neg}' and '{d['find'][0]}'"
        text = layout(rng, source=source, clinical=_pick_clinical(rng, source, d["name"]),
                      comparison=_comparison(rng, d["name"] == "new_eff"), findings=find, impression=imp)
        return text, "composed: " + det

    if kind == "laterality_conflict":
        name = rng.choice(["cons", "cons", "cons", "eff", "eff", "ptx", "nod", "mass", "cvc", "eff_small", "atel"])
        d = make_finding(rng, name)
        s = d["side"]
        o = "left" if s == "right" else "right"
        mode = rng.random()
        find = _assemble_find(rng, [d])
        if mode < 0.6:
            imp = flip_sides(d["imp"])
            det = f"findings place {name} on the {s}; conclusion says {o} ('{imp}')"
        elif mode < 0.8:
            find = _assemble_find(rng, [dict(d, find=[flip_sides(x) for x in d["find"]])])
            imp = d["imp"]
            det = f"findings place {name} on the {o}; conclusion on the {s}"
        else:
            # second sentence of the conclusion flips the side
            follow = {
                "cons": f"Repeat CXR in 6 weeks to confirm resolution of the {o}-sided consolidation.",
                "eff": f"Ultrasound-guided aspiration of the {o} effusion could be considered.",
                "eff_small": f"The {o} effusion is too small to aspirate.",
                "ptx": f"Suggest repeat film to assess the {o} pneumothorax after treatment.",
                "nod": f"CT recommended to characterise the {o} lung nodule.",
                "mass": f"CT staging of the {o}-sided mass is advised.",
                "cvc": f"The {o} IJ line can be used.",
                "atel": f"The {o} basal atelectasis is of no clinical significance.",
            }[name]
            imp = re.sub(r"\s*(Suggest|Recommend|CT|Referred|No pneumothorax|Findings discussed).*$", "", d["imp"])
            imp = imp + " " + follow
            det = f"conclusion places {name} on the {s} then refers to the {o} side"
        text = layout(rng, source=source, clinical=_pick_clinical(rng, source, name),
                      comparison=_comparison(rng), findings=find, impression=imp)
        return text, "composed: " + det

    if kind == "missing_section":
        mode = rng.choice(["imp_empty", "imp_empty", "imp_absent", "find_empty", "find_absent"])
        name = None
        if mode.startswith("imp"):
            if rng.random() < 0.5:
                name = rng.choice(SOURCE_FINDINGS[source])
                find = _assemble_find(rng, [make_finding(rng, name)])
            else:
                find = _assemble_find(rng, [])
            imp = "" if mode == "imp_empty" else None
            fh = rng.choice(["Findings:", "FINDINGS:", "Report:"])
            text = layout(rng, source=source, clinical=_pick_clinical(rng, source, name),
                          comparison=_comparison(rng), findings=find, impression=imp, find_h=fh)
            det = "conclusion header left empty" if imp == "" else "no conclusion dictated after the findings"
        else:
            imp = rng.choice(["No significant change since the previous film.", "Appearances unchanged.",
                              "Discussed with the referring team.", "See above.", "As per previous report.",
                              "Comparison made with previous imaging. No interval change.",
                              "Further imaging as clinically indicated."])
            find = "" if mode == "find_empty" else None
            text = layout(rng, source=source, clinical=_pick_clinical(rng, source, None),
                          comparison=_comparison(rng, True), findings=find, impression=imp,
                          find_h=rng.choice(["Findings:", "FINDINGS:"]))
            det = ("findings header left empty" if find == "" else "no findings dictated") + \
                f"; conclusion '{imp}' does not describe the film"
        return text, "composed: " + det

    if kind == "placeholder":
        return composed_placeholder(rng, source)
    raise ValueError(kind)


SIDE_PH = ["[left/right]", "[LEFT/RIGHT]", "[side]", "***", "<<side>>", "[ ]"]
SIZE_PH = ["xx", "***", "[size]", "[ ]", "<<>>"]
DATE_PH = ["[date]", "[DATE]", "**/**/****", "<<date>>", "[insert date]"]
WORD_PH = ["[***]", "***", "[ ]", "<<>>", "[normal/enlarged]", "[clear/consolidated]", "[enter text]"]


def composed_placeholder(rng: random.Random, source: str) -> tuple[str, str]:
    spot = rng.choice(["side", "size", "date", "pick_heart", "pick_lungs", "followup", "sign", "clinical"])
    comp = _comparison(rng)
    sign = None
    clinical = None
    if spot in ("side", "size"):
        name = rng.choice(["nod", "mass"]) if spot == "size" else rng.choice(["cons", "eff", "ptx", "nod", "cvc"])
        d = make_finding(rng, name)
        find = _assemble_find(rng, [d])
        imp = d["imp"]
        if spot == "side":
            ph = rng.choice(SIDE_PH)
            if rng.random() < 0.5:
                find = re.sub(rf"\b{d['side']}\b", ph, find, count=1, flags=re.I)
                where = "findings"
            else:
                imp = re.sub(rf"\b{d['side']}\b", ph, imp, count=1, flags=re.I)
                where = "conclusion"
            det = f"side of the {name} left as '{ph}' in the {where}"
        else:
            ph = rng.choice(SIZE_PH)
            num = d["size"].split()[0]
            find = re.sub(rf"\b{num} (mm|cm)", rf"{ph} \1", find, count=1)
            det = f"size of the {name} left as '{ph}' in the findings"
    else:
        name = None
        find = _assemble_find(rng, [])
        imp = rng.choice(NORMAL_IMP)
        if spot == "date":
            ph = rng.choice(DATE_PH)
            comp = rng.choice([f"CXR {ph}.", f"Previous CXR of {ph}.", f"{ph}"])
            det = f"comparison date left as '{ph}'"
        elif spot == "pick_heart":
            ph = rng.choice(["[normal/enlarged]", "[***]", "***", "[ ]"])
            find = f"Heart size is {ph}. " + " ".join(normal_findings(rng, {"heart"}))
            det = f"heart size pick-list left as '{ph}'"
        elif spot == "pick_lungs":
            ph = rng.choice(["[clear/consolidated]", "[***]", "<<>>", "[ ]"])
            find = " ".join(normal_findings(rng, {"lungs"})) + f" The lungs are {ph}."
            det = f"lung field pick-list left as '{ph}'"
        elif spot == "followup":
            d = make_finding(rng, "cons")
            find = _assemble_find(rng, [d])
            ph = rng.choice(["[ ]", "***", "xx", "[number]"])
            imp = re.sub(r"\s*(Suggest|Recommend).*$", "", d["imp"]) + \
                f" Suggest repeat CXR in {ph} weeks to ensure resolution."
            name = "cons"
            det = f"follow-up interval left as '{ph}'"
        elif spot == "sign":
            ph = rng.choice(["[Reporter name]", "***", "[NAME]", "<<Radiologist>>"])
            sign = rng.choice([[f"Reported by: Dr {ph}, Consultant Radiologist"],
                               [f"Reported by: {rng.choice(REGISTRARS)}, StR Radiology", f"Verified by: {ph}"],
                               [f"Reported by: {ph}, Reporting Radiographer"]])
            det = f"sign-off name left as '{ph}'"
        else:
            ph = rng.choice(["[Enter clinical details]", "***", "[ ]", "<<clinical history>>"])
            clinical = ph
            det = f"clinical details field left as '{ph}'"
    text = layout(rng, source=source,
                  clinical=clinical if clinical is not None else _pick_clinical(rng, source, name),
                  comparison=comp, findings=find, impression=imp, sign=sign)
    return text, "composed: " + det


# --------------------------------------------------------------------------- IU-based cases


def _iu_source(rng: random.Random, ind: str) -> str:
    if re.search(r"pre-?op|line|tube|post|surgery|catheter", ind, re.I):
        return "ward"
    if re.search(r"pain|trauma|fall|mva|shortness|dyspnea|sob|fever", ind, re.I):
        return rng.choice(["ed", "ed", "gp"])
    return rng.choice(["gp", "gp", "ed"])


def _iu_comp(rng: random.Random, comp: str) -> str:
    comp = britishise(tidy(comp))
    if not comp or re.fullmatch(r"(none|none\.|no prior.*|none available\.?)", comp, re.I):
        return rng.choice(["None.", "No previous imaging.", "None available."])
    return comp


def iu_case(rng: random.Random, rec: tuple, kind: str | None, info: dict | None = None) -> tuple[str, str]:
    uid, ind, comp, find, imp = rec
    ind = britishise(tidy(ind)) or rng.choice(CLINICAL["gp"])
    find, imp = reword(rng, find), reword(rng, imp)
    source = _iu_source(rng, ind)
    comp = _iu_comp(rng, comp)
    find_h = imp_h = None
    sign = None
    det = "re-laid-out, no error"
    ph = ""
    f_out: str | None = find
    i_out: str | None = imp
    if kind == "missing_section":
        if info and info.get("mode") == "find":
            f_out = ""
            find_h = rng.choice(["Findings:", "FINDINGS:", "Report:"])
            det = "findings emptied (header left); conclusion '" + imp + "' does not describe the film"
        else:
            i_out = "" if rng.random() < 0.6 else None
            det = "conclusion emptied" if i_out == "" else "conclusion removed"
    elif kind == "laterality_conflict":
        sec, idx = info["sec"], info["idx"]
        ss = sentences(find if sec == "find" else imp)
        old = ss[idx]
        ss[idx] = flip_sides(old)
        if sec == "find":
            f_out = " ".join(ss)
        else:
            i_out = " ".join(ss)
        det = f"side flipped in {'findings' if sec == 'find' else 'conclusion'}: '{ss[idx]}'"
    elif kind == "impression_omits_finding":
        i_out = rng.choice(GENERIC_IMP)
        det = f"conclusion replaced by '{i_out}'; findings still report: '{info['sent']}'"
    elif kind == "negation_conflict":
        if info["mode"] == "imp_negates":
            neg = {"eff": "No pleural effusion.", "ptx": "No pneumothorax.",
                   "cons": rng.choice(["The lungs are clear.", "No focal consolidation."]),
                   "oed": "No pulmonary oedema.", "mass": "No focal lung lesion.", "nod": "No pulmonary nodule.",
                   "wide": "Normal mediastinal contours.", "free": "No free subdiaphragmatic gas."}[info["cls"]]
            i_out = rng.choice([f"{neg} No acute abnormality.", f"No acute cardiopulmonary abnormality. {neg}", neg])
            det = f"conclusion replaced by '{i_out}'; findings affirm: '{info['sent']}'"
        else:
            s = rng.choice(["left", "right"])
            aff = {"eff": f"Small {s} pleural effusion.", "ptx": f"Small {s} apical pneumothorax.",
                   "cons": f"{s.capitalize()} lower zone consolidation in keeping with infection.",
                   "heart": "Cardiomegaly."}[info["cls"]]
            i_out = aff + rng.choice([" Otherwise no acute abnormality.", "", " No other acute abnormality."])
            det = f"conclusion now reports '{aff}' while findings say '{info['sent']}'"
    elif kind == "placeholder":
        spot = info["spot"]
        if spot == "side":
            ph = rng.choice(SIDE_PH)
            tgt = f_out if info["sec"] == "find" else i_out
            tgt = re.sub(r"\b(left|right)\b", ph, tgt or "", count=1, flags=re.I)
            if info["sec"] == "find":
                f_out = tgt
            else:
                i_out = tgt
            det = f"a side word left as '{ph}'"
        elif spot == "word":
            w = info["word"]
            adj = w in ("normal", "clear", "unremarkable", "enlarged")
            ph = rng.choice(["[***]", "***", "[ ]", "<<>>"] + (["[normal/abnormal]"] if adj else []))
            f_out = re.sub(rf"\b{re.escape(w)}\b", ph, f_out, count=1)
            det = f"'{w}' in the findings left as '{ph}'"
        elif spot == "date":
            ph = rng.choice(DATE_PH)
            comp = rng.choice([f"CXR {ph}.", f"Previous chest radiograph {ph}."])
            det = f"comparison date left as '{ph}'"
        else:
            ph = rng.choice(["[Reporter name]", "***", "[NAME]", "<<Radiologist>>"])
            sign = [f"Reported by: Dr {ph}, Consultant Radiologist"] if rng.random() < 0.5 else \
                [f"Reported by: {rng.choice(REGISTRARS)}, StR Radiology", f"Verified by: {ph}"]
            det = f"sign-off name left as '{ph}'"
    if kind == "placeholder" and ph not in (f_out or "") + (i_out or "") + comp + " ".join(sign or []):
        raise RuntimeError(f"placeholder not placed in {uid}")
    text = layout(rng, source=source, clinical=ind, comparison=comp, findings=f_out, impression=i_out,
                  find_h=find_h, imp_h=imp_h, sign=sign, tech_ok=False)
    return text, f"IU {uid}: {det}"


_GENERIC_IU_IMP = re.compile(r"^(no acute (?:cardiopulmonary |chest )?(?:abnormality|disease|process|findings?)"
                             r"(?: seen)?|no active disease|no acute abnormality)\.?$", re.I)
_NEG_FIND = {
    "eff": re.compile(r"\bno (?:\w+ ){0,3}(?:pleural )?effusions?\b", re.I),
    "ptx": re.compile(r"\bno (?:\w+ ){0,3}pneumothora", re.I),
    "cons": re.compile(r"\b(?:the )?lungs are clear\b|\bno (?:\w+ ){0,2}consolidation\b", re.I),
    "heart": re.compile(r"\b(?:heart size is normal|heart is normal in size|normal heart size|heart size normal)\b",
                        re.I),
}


_NOFLIP = re.compile(r"middle lobe|lingul|\bRML\b|XXXX (?:left|right)|(?:left|right) XXXX", re.I)


def iu_pools(rng: random.Random) -> dict:
    recs = [r for r in _load_iu(str(iu_archive())) if r[0] not in dev_uids()]
    clean, sig, later = [], [], []
    for r in recs:
        uid, ind, comp, find, imp = r
        f, i = tidy(britishise(find)), tidy(britishise(imp))
        if not f or not i:
            continue
        ok = iu_clean_ok(f, i)
        if ok:
            clean.append(r)
            # laterality candidates: a single side word used, in both sections, same class
            if not re.search(r"\b(bilateral|both|bibasilar|bibasal|bilaterally)\b", f + " " + i, re.I):
                sd = sides(f + " " + i)
                if len(sd) == 1:
                    fsents = [s for s in sentences(f) if sides(s)]
                    isents = [s for s in sentences(i) if sides(s)]
                    for cls in ("eff", "ptx", "cons", "opac", "nod", "mass"):
                        fm = [k for k, s in enumerate(sentences(f)) if sides(s) and re.search(CLS[cls], s, re.I)
                              and not _NOFLIP.search(s)]
                        im = [k for k, s in enumerate(sentences(i)) if sides(s) and re.search(CLS[cls], s, re.I)
                              and not _NOFLIP.search(s)]
                        if fm and im and fsents and isents:
                            later.append((r, cls, fm, im))
                            break
        hit = iu_sig_positive(f, i)
        if hit:
            sig.append((r, hit[0], hit[1]))
    return {"clean": clean, "sig": sig, "later": later}


def build_iu(rng: random.Random, plan: dict) -> list[tuple[str, str | None, str]]:
    """plan: kind -> count. Returns (text, kind, detail)."""
    pools = iu_pools(rng)
    used: set = set()
    out = []

    def take(pool: list, n: int, key=lambda x: x[0][0]) -> list:
        cands = [x for x in pool if key(x) not in used]
        rng.shuffle(cands)
        got = []
        for c in cands:
            if len(got) >= n:
                break
            if key(c) in used:
                continue
            used.add(key(c))
            got.append(c)
        return got

    # laterality
    for r, _cls, fm, im in take(pools["later"], plan["laterality_conflict"]):
        if rng.random() < 0.5:
            info = {"sec": "imp", "idx": rng.choice(im)}
        else:
            info = {"sec": "find", "idx": rng.choice(fm)}
        # indices refer to reworded sentences; reword is sentence-preserving
        text, det = iu_case(rng, r, "laterality_conflict", info)
        out.append((text, "laterality_conflict", det))
    # omits + negation (imp_negates) from sig pool
    n_neg_b = plan["negation_conflict"] // 2
    sig_take = take(pools["sig"], plan["impression_omits_finding"] + n_neg_b)
    for k, (r, cls, sent) in enumerate(sig_take):
        if k < plan["impression_omits_finding"]:
            text, det = iu_case(rng, r, "impression_omits_finding", {"cls": cls, "sent": sent})
            out.append((text, "impression_omits_finding", det))
        else:
            text, det = iu_case(rng, r, "negation_conflict", {"mode": "imp_negates", "cls": cls, "sent": sent})
            out.append((text, "negation_conflict", det))
    # negation (imp_affirms): clean reports whose findings explicitly negate something
    na = plan["negation_conflict"] - n_neg_b

    def neg_key(r: tuple) -> tuple | None:
        f = tidy(britishise(r[3]))
        for cls in rng.sample(list(_NEG_FIND), len(_NEG_FIND)):
            m = _NEG_FIND[cls].search(f)
            if m:
                sent = next((s for s in sentences(f) if m.group(0) in s), m.group(0))
                return cls, sent
        return None

    cands = [r for r in pools["clean"] if r[0] not in used and _GENERIC_IU_IMP.match(tidy(r[4]))]
    rng.shuffle(cands)
    got = 0
    for r in cands:
        if got >= na:
            break
        nk = neg_key(r)
        if not nk:
            continue
        used.add(r[0])
        text, det = iu_case(rng, r, "negation_conflict", {"mode": "imp_affirms", "cls": nk[0], "sent": nk[1]})
        out.append((text, "negation_conflict", det))
        got += 1
    # missing section
    nm = plan["missing_section"]
    generic = [r for r in pools["clean"] if r[0] not in used and _GENERIC_IU_IMP.match(tidy(r[4]))]
    rng.shuffle(generic)
    for r in generic[: nm // 2]:
        used.add(r[0])
        text, det = iu_case(rng, r, "missing_section", {"mode": "find"})
        out.append((text, "missing_section", det))
    for r in take([(r,) for r in pools["clean"]], nm - nm // 2):
        text, det = iu_case(rng, r[0], "missing_section", {"mode": "imp"})
        out.append((text, "missing_section", det))
    # placeholder
    for (r,) in take([(r,) for r in pools["clean"]], plan["placeholder"]):
        f, i = r[3], r[4]
        opts = ["date", "sign", "word", "word"]
        if sides(f):
            opts += ["side_f", "side_f"]
        if sides(i):
            opts += ["side_i", "side_i"]
        spot = rng.choice(opts)
        info: dict = {"spot": spot}
        if spot.startswith("side"):
            info = {"spot": "side", "sec": "find" if spot == "side_f" else "imp"}
        elif spot == "word":
            words = [w for w in re.findall(r"\b(normal|clear|effusion|pneumothorax|consolidation|unremarkable|"
                                           r"enlarged|limits|size|contour)\b", reword(random.Random(0), f))]
            if not words:
                info = {"spot": "date"}
            else:
                info = {"spot": "word", "word": rng.choice(words)}
        text, det = iu_case(rng, r, "placeholder", info)
        out.append((text, "placeholder", det))
    # clean
    for (r,) in take([(r,) for r in pools["clean"]], plan[None]):
        text, det = iu_case(rng, r, None)
        out.append((text, None, det))
    return out


# --------------------------------------------------------------------------- build


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h75-{seed}")
    half_clean = N_CLEAN // 2
    half_kind = N_KIND // 2
    cases: list[tuple[str, str | None, str]] = []
    for _ in range(half_clean):
        text, det = composed_clean(rng)
        cases.append((text, None, det))
    for kind in KINDS:
        for _ in range(half_kind):
            text, det = composed_error(rng, kind)
            cases.append((text, kind, det))
    plan: dict = {k: half_kind for k in KINDS}
    plan[None] = N_CLEAN - half_clean
    iu = build_iu(rng, plan)
    counts: dict = {}
    for _, k, _ in iu:
        counts[k] = counts.get(k, 0) + 1
    for k, n in plan.items():
        if counts.get(k, 0) != n:
            raise RuntimeError(f"IU pool short for {k}: {counts.get(k, 0)} of {n}")
    cases.extend(iu)
    rng.shuffle(cases)
    return [{"id": f"h75-{seed}-{n}", "injected": k, "detail": det, "report": text}
            for n, (text, k, det) in enumerate(cases)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in (None,) + KINDS:
            sel = [r for r in rows if r["injected"] == kind][: a.show]
            for r in sel:
                print(f"===== {r['id']} [{kind or 'clean'}] {r['detail']}")
                print(r["report"])
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
