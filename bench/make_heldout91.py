"""Held-out report-check set 91, written blind (without sight of the checker).

Setting: US Indian Health Service and tribal health hospitals and clinics (Navajo Nation, Alaska Native
Tribal Health, Great Plains and Southwest service units).  Chest films from the ED, inpatient wards, outpatient
clinics and public-health TB follow-up, read by staff and contract (teleradiology) radiologists.  Reports are laid
out as the RPMS/VistA radiology package prints them (Procedure / Clinical History / Report / Impression /
Primary Diagnostic Code / Interpreting Staff), as teleradiology dictations (EXAM / CLINICAL HISTORY / COMPARISON /
TECHNIQUE / FINDINGS / IMPRESSION / electronic signature) or as short TB-program reads (CONCLUSION).  US spelling
and abbreviations (hx, r/o, fx, SOB, QFT, LTBI, CHF, COPD).

400 cases: 200 clean, 40 of each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder.  Half of each group is composed from the phrase bank below, half are
real Indiana University reports (none from the dev set) re-laid-out in the setting's style and lightly re-worded.

    python -m bench.make_heldout91 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
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

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


# ----------------------------------------------------------------------------------------------- IU reports

_IU_CACHE: dict[str, object] = {}


def dev_uids() -> set[str]:
    out = set()
    with open(shared_dir() / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


def _clean_text(t: str) -> str:
    t = re.sub(r"\s+", " ", t or "").strip()
    t = re.sub(r"\.\s*\.", ".", t)
    return t


def load_iu() -> list[dict]:
    if "iu" in _IU_CACHE:
        return _IU_CACHE["iu"]  # type: ignore[return-value]
    path = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    reps = []
    with tarfile.open(path, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            raw = tf.extractfile(m).read().decode("utf-8", "replace")
            mu = re.search(r'<uId id="([^"]+)"', raw)
            if not mu:
                continue
            sec = {}
            for lab, txt in re.findall(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', raw, re.S):
                sec[lab.lower()] = _clean_text(txt.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
            reps.append(
                {
                    "uid": mu.group(1),
                    **{k: sec.get(k, "") for k in ("indication", "comparison", "findings", "impression")},
                }
            )
    reps.sort(key=lambda r: r["uid"])
    _IU_CACHE["iu"] = reps
    return reps


# ----------------------------------------------------------------------------------------------- helpers

SIDE_RE = re.compile(r"\b(right|left|Right|Left|RIGHT|LEFT)\b")
PLACEHOLDER_CHARS = re.compile(r"[\[\]*<>{}]|___|\?\?")
NEG_WORDS = re.compile(
    r"\b(no|not|without|negative|resolv\w*|resolution|clear\w*|free|unchanged|stable|chronic|old|prior|previous\w*|"
    r"improv\w*|decreas\w*|cannot|can't|could|may|might|possibl\w*|questionabl\w*|versus|vs|exclude\w*|rule|"
    r"minimal|trace|small|tiny|subtle|mild|borderline|healed|calcified|granulom\w*|scar\w*|likely|suggest\w*|"
    r"concern\w*|atelecta\w*|vascular|interval|less|removed|probabl\w*|known|breast|again)\b"
    r"|lungs (focal|consolidat|airspace)",
    re.I,
)
SIG_RE = re.compile(
    r"pneumothorax|consolidat\w*|pneumonia|edema|airspace disease|infiltrat\w*|"
    r"(moderate|large)[^.]*effusion|\bmass\b",
    re.I,
)
NORMAL_IMP_RE = re.compile(r"^(no acute|normal chest|negative)[^.]*\.?$", re.I)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+(?=[A-Z0-9])", text) if s.strip()]


def flip_side(s: str) -> str:
    def rep(m: re.Match) -> str:
        w = m.group(1)
        o = {"right": "left", "left": "right"}[w.lower()]
        if w.isupper():
            return o.upper()
        return o.capitalize() if w[0].isupper() else o

    return SIDE_RE.sub(rep, s, count=1)


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


REWORD = [
    (r"No acute cardiopulmonary abnormality", "No acute cardiopulmonary process"),
    (r"no acute cardiopulmonary abnormality", "no acute cardiopulmonary process"),
    (r"\bThe lungs are clear\b", "Lungs are clear"),
    (r"\bThere is no pneumothorax\b", "No pneumothorax"),
    (r"\bThere is no pleural effusion\b", "No pleural effusion"),
    (r"\bThere is no focal\b", "No focal"),
    (r"\bNo acute bony abnormality\b", "No acute osseous abnormality"),
    (r"\bchest radiographs\b", "chest films"),
    (r"\bchest radiograph\b", "chest film"),
    (r"\bcardio mediastinal\b", "cardiomediastinal"),
    (r"\bDegenerative changes of the thoracic spine\b", "Thoracic spondylosis"),
]


def reword(t: str) -> str:
    for a, b in REWORD:
        t = re.sub(a, b, t)
    return t


# ----------------------------------------------------------------------------------------------- layout

SITES = [
    "Gallup Indian Medical Center",
    "Chinle Comprehensive Health Care Facility",
    "Northern Navajo Medical Center",
    "Alaska Native Medical Center",
    "Phoenix Indian Medical Center",
    "Pine Ridge Hospital",
    "Rosebud Hospital",
    "Whiteriver Indian Hospital",
    "Sells Hospital",
    "Fort Yates Hospital",
    "Crownpoint Health Care Facility",
    "Yukon-Kuskokwim Delta Regional Hospital",
    "Tuba City Regional Health Care",
    "Eagle Butte Health Center",
]
TWO_VIEW = ["CHEST 2 VIEWS PA&LAT", "XR CHEST 2 VIEWS PA/LAT", "CHEST PA AND LATERAL", "X-RAY CHEST 2V"]
ONE_VIEW = ["CHEST SINGLE VIEW (PORTABLE)", "XR CHEST 1 VIEW AP PORTABLE", "CHEST PORTABLE AP"]
TB_VIEW = ["CHEST PA ONLY", "CHEST 1 VIEW PA (TB PROGRAM)", "XR CHEST PA - TB FOLLOW-UP"]


def _date(rng: random.Random, lo: int = 2021, hi: int = 2024) -> str:
    return f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.randint(lo, hi)}"


def signoff(rng: random.Random, layout: str, code: str | None, date: str) -> str:
    if layout == "vista":
        lines = []
        if code:
            lines.append(f"Primary Diagnostic Code: {code}")
        lines.append(
            "Primary Interpreting Staff:\n  XXXX, MD, "
            + rng.choice(["Staff Radiologist", "Contract Radiologist", "Radiologist (teleradiology)"])
        )
        lines.append(f"/XXXX  Verified {date}")
        return "\n".join(lines)
    if layout == "tb":
        return rng.choice(
            [
                "Read by: XXXX, MD",
                "Interpreting radiologist: XXXX, MD. Copy to TB program nurse.",
                "XXXX, MD  Electronically signed " + date,
            ]
        )
    return rng.choice(
        [
            f"Electronically signed by: XXXX, MD on {date} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
            "Dictated by XXXX, MD (contract radiologist). Electronically signed.",
            f"I have personally reviewed the images and agree with this report.\nXXXX, MD {date}",
            f"Teleradiology read. Signed XXXX, MD, {date}",
        ]
    )


def render(rng: random.Random, layout: str, s: dict) -> str:
    """s: exam, history, comparison, technique, findings, impression, imp_header, code, site.
    A value None leaves the section out, "" leaves the header with nothing under it."""
    out = []
    date = _date(rng)
    imp_h = s.get("imp_header") or "IMPRESSION"
    if layout == "vista":
        out.append(f"Procedure: {s['exam']}")
        if s.get("site"):
            out.append(f"Facility: {s['site']}")
        out.append(f"Exam Date: {date}")
        if s.get("history") is not None:
            out.append("Clinical History:\n  " + s["history"])
        if s.get("comparison") is not None:
            out.append("Comparison: " + s["comparison"])
        if s.get("findings") is not None:
            out.append(rng.choice(["Report:", "Findings:"]) + ("\n  " + s["findings"] if s["findings"] else ""))
        if s.get("impression") is not None:
            imp = s["impression"].replace("\n", "\n  ")
            out.append(imp_h.capitalize() + ":" + ("\n  " + imp if imp else ""))
        out.append(signoff(rng, layout, s.get("code"), date))
        return "\n".join(out)
    if layout == "tb":
        out.append(s["exam"] + " -- " + rng.choice(["PUBLIC HEALTH TB FOLLOW-UP", "TB PROGRAM", "TB CLINIC"]))
        if s.get("history") is not None:
            out.append("HISTORY: " + s["history"])
        if s.get("comparison") is not None:
            out.append("COMPARISON: " + s["comparison"])
        if s.get("findings") is not None:
            out.append(("FINDINGS: " + s["findings"]).rstrip())
        if s.get("impression") is not None:
            out.append((imp_h + ": " + s["impression"]).rstrip())
        out.append(signoff(rng, layout, None, date))
        return "\n\n".join(out)
    # telerad: caps headers, either on their own line or inline
    inline = rng.random() < 0.5
    sep = ": " if inline else ":\n"

    def sec(h: str, v: str) -> str:
        return (h + sep + v).rstrip() if v else h + ":"

    out.append(f"EXAM: {s['exam']}")
    if s.get("history") is not None:
        out.append(sec(rng.choice(["CLINICAL HISTORY", "HISTORY", "INDICATION"]), s["history"]))
    if s.get("comparison") is not None:
        out.append(sec("COMPARISON", s["comparison"]))
    if s.get("technique"):
        out.append(sec("TECHNIQUE", s["technique"]))
    if s.get("findings") is not None:
        out.append(sec("FINDINGS", s["findings"]))
    if s.get("impression") is not None:
        out.append(sec(imp_h, s["impression"]))
    out.append(signoff(rng, layout, None, date))
    return "\n\n".join(out)


def fmt_imp(rng: random.Random, items: list[str]) -> str:
    items = [cap(i.strip()) for i in items if i.strip()]
    items = [i if i.endswith(".") else i + "." for i in items]
    if len(items) > 1 and rng.random() < 0.6:
        j = "\n" if rng.random() < 0.5 else " "
        return j.join(f"{k + 1}. {t}" for k, t in enumerate(items))
    return " ".join(items)


# ----------------------------------------------------------------------------------------------- phrase bank

HIST_GEN = [
    "Cough and fever x 3 days.",
    "SOB, hx COPD.",
    "Chest pain, r/o acute process.",
    "Productive cough, smoker.",
    "Hypoxia, r/o pneumonia.",
    "DM2, CHF, increased LE edema and SOB.",
    "Pre-op, lap chole.",
    "Fall, left chest wall pain.",
    "MVC, restrained driver, chest pain.",
    "Assault, ETOH, r/o rib fx.",
    "Fever and cough, transferred from village clinic.",
    "Asthma exacerbation.",
    "Weakness, hx CKD.",
    "Cough x 2 weeks, not improving on azithromycin.",
    "Hemoptysis x1.",
    "Pneumonia follow-up.",
    "Wheezing, 4 yo.",
    "Fever, 18 mo, r/o pneumonia.",
    "Dyspnea on exertion.",
    "Abnormal breath sounds RLL.",
]
HIST_TB = [
    "Positive QFT, asymptomatic. LTBI evaluation.",
    "Contact to active TB case, asymptomatic.",
    "PPD positive 14 mm, pre-employment clearance.",
    "LTBI on 3HP, follow-up.",
    "Hx treated TB 2009, annual film.",
    "Positive QuantiFERON, new hire, no symptoms.",
    "Household contact of smear-positive case.",
]
COMPS = [
    "None.",
    "None available.",
    "No prior studies.",
    "{d}.",
    "Chest 2 views {d}.",
    "Portable chest {d}.",
    "Outside films {d}.",
    "Prior TB program film {d}.",
]

LUNGS_N = [
    "Lungs are clear.",
    "The lungs are clear bilaterally.",
    "Lungs are well expanded and clear.",
    "No focal consolidation.",
    "No focal airspace disease.",
]
LUNGS_TB = ["No focal infiltrate, cavitation or hilar adenopathy.", "Lungs are clear without infiltrate or cavity."]
PL_N = ["No pleural effusion or pneumothorax.", "No effusion or pneumothorax.", "No pneumothorax or pleural effusion."]
EFF_N = ["No pleural effusion.", "No effusion."]
PTX_N = ["No pneumothorax.", "There is no pneumothorax."]
HEART_N = [
    "Heart size is normal.",
    "Normal heart size.",
    "The cardiomediastinal silhouette is within normal limits.",
    "Cardiac and mediastinal contours are normal.",
    "Heart and mediastinum are unremarkable.",
]
BONES_N = [
    "No acute osseous abnormality.",
    "Bony thorax is intact.",
    "Visualized bones are unremarkable.",
    "No acute bony abnormality.",
    "",
]
NORMAL_IMP = [
    "No acute cardiopulmonary process.",
    "No acute cardiopulmonary disease.",
    "No acute findings.",
    "Negative chest.",
    "No acute cardiopulmonary abnormality.",
    "Normal chest.",
]
TB_IMP = [
    "No radiographic evidence of active pulmonary tuberculosis.",
    "No evidence of active TB.",
    "No findings to suggest active tuberculosis.",
]
OMIT_IMP = [
    "No acute cardiopulmonary process.",
    "No acute cardiopulmonary disease.",
    "No acute findings.",
    "No acute cardiopulmonary abnormality.",
    "No active cardiopulmonary disease.",
]


def _loc(rng: random.Random, side: str) -> str:
    opts = ["lower lobe", "upper lobe", "base", "lung base"] + (["middle lobe"] if side == "right" else [])
    return rng.choice(opts)


def finding(rng: random.Random, name: str, side: str | None = None) -> dict:
    """One finding: comp = the normal sentence it replaces, f = findings text, i = impression text."""
    side = side or rng.choice(["right", "left"])
    S = cap(side)
    if name == "pneumonia":
        loc = _loc(rng, side)
        f = rng.choice(
            [
                f"Patchy airspace opacity in the {side} {loc}, concerning for pneumonia.",
                f"Focal consolidation in the {side} {loc}.",
                f"New {side} {loc} infiltrate.",
                f"Airspace disease at the {side} {loc} with air bronchograms.",
            ]
        )
        i = rng.choice(
            [
                f"{S} {loc} pneumonia.",
                f"{S} {loc} consolidation, likely pneumonia. Follow-up to clearing.",
                f"{S} {loc} airspace disease consistent with pneumonia in the appropriate setting.",
            ]
        )
        return dict(name=name, side=side, sig=True, comp="lungs", f=f, i=i, key="pneumonia")
    if name == "effusion_small":
        f = rng.choice(
            [
                f"Small {side} pleural effusion.",
                f"Blunting of the {side} costophrenic angle, small effusion.",
                f"Trace {side} pleural fluid.",
            ]
        )
        i = rng.choice([f"Small {side} pleural effusion.", f"Small {side} effusion."])
        return dict(name=name, side=side, sig=False, comp="eff", f=f, i=i, key="effusion")
    if name == "effusion_mod":
        sz = rng.choice(["Moderate", "Moderate to large", "Large"])
        f = rng.choice(
            [
                f"{sz} {side} pleural effusion with adjacent compressive atelectasis.",
                f"{sz} {side} pleural effusion, new since prior.",
            ]
        )
        i = rng.choice(
            [f"{sz} {side} pleural effusion.", f"{sz} {side} effusion. Consider thoracentesis if clinically indicated."]
        )
        return dict(name=name, side=side, sig=True, comp="eff", f=f, i=i, key="effusion")
    if name == "ptx":
        cm = rng.choice(["1", "1.5", "2.5", "3"])
        sz = "Small" if float(cm) < 2 else "Moderate"
        f = rng.choice(
            [f"{sz} {side} apical pneumothorax measuring {cm} cm.", f"There is a {side} pneumothorax, {cm} cm apical."]
        )
        i = rng.choice(
            [f"{S} pneumothorax, {cm} cm at the apex.", f"{sz} {side} apical pneumothorax. Findings called to the ED."]
        )
        return dict(name=name, side=side, sig=True, comp="ptx", f=f, i=i, key="pneumothorax")
    if name == "nodule":
        mm = rng.choice([7, 8, 9, 11, 12, 14, 18])
        lobe = rng.choice(["upper lobe", "lower lobe", "mid lung"])
        f = f"{mm} mm nodule in the {side} {lobe}. Lungs otherwise clear."
        i = rng.choice(
            [
                f"{mm} mm {side} {lobe} nodule. Recommend CT chest.",
                f"{S} {lobe} pulmonary nodule, {mm} mm. CT chest recommended for further evaluation.",
            ]
        )
        return dict(name=name, side=side, sig=True, comp="lungs", f=f, i=i, key="nodule")
    if name == "mass":
        cm = rng.choice(["3", "3.5", "4", "5"])
        f = f"There is a {cm} cm mass in the {side} {rng.choice(['hilum', 'upper lobe', 'perihilar region'])}."
        i = f"{S} {cm} cm mass, suspicious for neoplasm. CT chest with contrast recommended."
        return dict(name=name, side=side, sig=True, comp="lungs", f=f, i=i, key="mass")
    if name == "edema":
        f = rng.choice(
            [
                "Heart is enlarged. Pulmonary vascular congestion with interstitial edema.",
                "Cardiomegaly with cephalization and Kerley B lines, consistent with interstitial edema.",
            ]
        )
        i = rng.choice(["Cardiomegaly with pulmonary edema, consistent with CHF.", "CHF with interstitial edema."])
        return dict(name=name, side=None, sig=True, comp="heart+lungs", f=f, i=i, key="edema")
    if name == "cardiomegaly":
        f = rng.choice(
            [
                "Mild cardiomegaly, unchanged.",
                "Heart size is mildly enlarged, stable.",
                "Stable mild enlargement of the cardiac silhouette.",
            ]
        )
        i = rng.choice(["Stable mild cardiomegaly.", "Mild cardiomegaly without acute process."])
        return dict(name=name, side=None, sig=False, comp="heart", f=f, i=i, key="cardiomegaly")
    if name == "granuloma":
        where = rng.choice(["upper lobe", "lower lobe", "mid lung"])
        f = f"Calcified granuloma in the {side} {where}. Lungs otherwise clear."
        i = f"Old granulomatous disease, {side} lung."
        return dict(name=name, side=side, sig=False, comp="lungs", f=f, i=i, key="granuloma")
    if name == "scar":
        f = f"Stable {side} apical pleuroparenchymal scarring. No cavitation or new infiltrate."
        i = rng.choice(
            [
                f"Stable {side} apical scarring, likely sequela of prior granulomatous disease.",
                f"Stable {side} apical scarring from treated TB. No evidence of active disease.",
            ]
        )
        return dict(name=name, side=side, sig=False, comp="lungs", f=f, i=i, key="scar")
    if name == "atelectasis":
        f = rng.choice(
            ["Mild bibasilar atelectasis. No focal consolidation.", "Linear subsegmental atelectasis at the bases."]
        )
        i = "Mild bibasilar atelectasis."
        return dict(name=name, side=None, sig=False, comp="lungs", f=f, i=i, key="atelectasis")
    if name == "copd":
        f = "Lungs are hyperinflated with flattened hemidiaphragms. No focal consolidation."
        i = rng.choice(
            ["Hyperinflation consistent with COPD. No acute process.", "COPD. No acute cardiopulmonary process."]
        )
        return dict(name=name, side=None, sig=False, comp="lungs", f=f, i=i, key="copd")
    if name == "ribfx":
        n = rng.choice(["5th", "6th", "7th", "8th", "9th"])
        f = f"Acute nondisplaced fracture of the {side} lateral {n} rib."
        i = rng.choice([f"Acute {side} {n} rib fracture. No pneumothorax.", f"Nondisplaced {side} {n} rib fracture."])
        return dict(name=name, side=side, sig=False, comp="bones", f=f, i=i, key="fracture", acute=True)
    if name == "oldfx":
        f = f"Healed {side} rib fractures."
        i = f"Old healed {side} rib fractures."
        return dict(name=name, side=side, sig=False, comp="bones", f=f, i=i, key="fracture")
    if name == "spine":
        f = rng.choice(["Degenerative changes of the thoracic spine.", "Thoracic spondylosis."])
        i = "Degenerative thoracic spine."
        return dict(name=name, side=None, sig=False, comp="bones", f=f, i=i, key="spine")
    if name == "aorta":
        f = rng.choice(["Aortic atherosclerotic calcification.", "Tortuous thoracic aorta."])
        i = "Aortic atherosclerosis."
        return dict(name=name, side=None, sig=False, comp="medi", f=f, i=i, key="aorta")
    raise ValueError(name)


MINOR = [
    "cardiomegaly",
    "granuloma",
    "atelectasis",
    "copd",
    "spine",
    "aorta",
    "oldfx",
    "effusion_small",
    "scar",
    "ribfx",
]
MAJOR = ["pneumonia", "pneumonia", "pneumonia", "effusion_mod", "ptx", "nodule", "edema", "mass"]
SIDED = ["pneumonia", "effusion_small", "effusion_mod", "ptx", "nodule", "granuloma", "scar", "ribfx", "mass"]


def compose_base(rng: random.Random, fnds: list[dict], tb: bool | None = None, forced: dict | None = None) -> dict:
    """Build the sections for a composed report from a list of findings."""
    forced = forced or {}
    if tb is None:
        tb = rng.random() < 0.18
    layout = "tb" if tb and rng.random() < 0.6 else rng.choice(["vista", "vista", "telerad", "telerad"])
    portable = not tb and rng.random() < 0.25
    exam = rng.choice(TB_VIEW if tb else ONE_VIEW if portable else TWO_VIEW)
    technique = (
        rng.choice(["Single PA view of the chest."])
        if tb
        else "Single portable AP view of the chest."
        if portable
        else "PA and lateral views of the chest."
    )
    comps = {f["comp"]: f for f in fnds}
    parts = []
    if "lungs" in comps:
        parts.append(comps["lungs"]["f"])
    elif "heart+lungs" in comps:
        pass
    else:
        parts.append(forced.get("lungs") or rng.choice(LUNGS_TB if tb else LUNGS_N))
    if "eff" in comps or "ptx" in comps or forced.get("eff") or forced.get("ptx"):
        parts.append(comps["eff"]["f"] if "eff" in comps else forced.get("eff") or rng.choice(EFF_N))
        parts.append(comps["ptx"]["f"] if "ptx" in comps else forced.get("ptx") or rng.choice(PTX_N))
    else:
        parts.append(rng.choice(PL_N))
    if "heart+lungs" in comps:
        parts.insert(0, comps["heart+lungs"]["f"])
        parts.append("Small bilateral pleural effusions." if rng.random() < 0.3 and "eff" not in comps else "")
    elif "heart" in comps:
        parts.insert(rng.choice([0, len(parts)]), comps["heart"]["f"])
    else:
        parts.insert(rng.choice([0, len(parts)]), forced.get("heart") or rng.choice(HEART_N))
    if "medi" in comps:
        parts.append(comps["medi"]["f"])
    parts.append(comps["bones"]["f"] if "bones" in comps else rng.choice(BONES_N))
    findings = " ".join(p for p in parts if p)
    peds_ok = all(f["name"] in ("pneumonia", "atelectasis") for f in fnds)
    hist = rng.choice(HIST_TB if tb else [h for h in HIST_GEN if peds_ok or not re.search(r"\d+ (yo|mo)\b", h)])
    comp = rng.choice(COMPS).format(d=_date(rng, 2014, 2020))
    needs_prior = re.search(r"stable|unchanged|new since|prior", findings, re.I)
    if needs_prior:
        comp = rng.choice(["{d}.", "Chest 2 views {d}.", "Prior TB program film {d}."]).format(d=_date(rng, 2014, 2020))
    return dict(
        layout=layout,
        exam=exam,
        technique=technique if layout == "telerad" and rng.random() < 0.7 else None,
        history=hist,
        comparison=comp if needs_prior or rng.random() < 0.85 else None,
        findings=findings,
        site=rng.choice(SITES) if rng.random() < 0.4 else None,
        tb=tb,
        imp_header="CONCLUSION"
        if layout == "tb" and rng.random() < 0.6
        else ("OPINION" if rng.random() < 0.04 else "IMPRESSION"),
    )


def pick_findings(rng: random.Random) -> list[dict]:
    r = rng.random()
    if r < 0.55:
        return []
    names = []
    if r < 0.82:
        names.append(rng.choice(MINOR))
        if rng.random() < 0.3:
            names.append(rng.choice(MINOR))
    else:
        names.append(rng.choice(MAJOR))
        if rng.random() < 0.4:
            names.append(rng.choice(MINOR))
    out, used = [], set()
    for n in names:
        f = finding(rng, n)
        if (
            f["comp"] in used
            or (f["comp"] in ("heart", "lungs") and "heart+lungs" in used)
            or (f["comp"] == "heart+lungs" and used & {"heart", "lungs"})
        ):
            continue
        used.add(f["comp"])
        out.append(f)
    return out


def clean_impression(rng: random.Random, fnds: list[dict], tb: bool) -> list[str]:
    items = [f["i"] for f in fnds if f["sig"]]
    for f in fnds:
        if not f["sig"] and (rng.random() < 0.6 or f.get("acute")):
            items.append(f["i"])
    if not any(f["sig"] for f in fnds):
        if tb:
            items.append(rng.choice(TB_IMP))
        elif not any("No acute" in i for i in items):
            items.append(rng.choice(NORMAL_IMP[:4]) if items else rng.choice(NORMAL_IMP))
    return items


def dx_code(fnds: list[dict]) -> str:
    if any(f["sig"] for f in fnds):
        return "ABNORMALITY, ATTN. NEEDED"
    return "MINOR ABNORMALITY" if fnds else "NORMAL"


def composed(rng: random.Random, kind: str | None) -> tuple[str, str]:
    if kind is None:
        fnds = pick_findings(rng)
        s = compose_base(rng, fnds)
        s["impression"] = fmt_imp(rng, clean_impression(rng, fnds, s["tb"]))
        s["code"] = dx_code(fnds)
        if not fnds and rng.random() < 0.1:  # impression-only short normal read, complete as it stands
            s["findings"] = None
            s["impression"] = rng.choice(
                [
                    "Heart size normal. Lungs clear. No pleural effusion or pneumothorax. "
                    "No acute cardiopulmonary process.",
                    "Normal heart and mediastinum. Clear lungs. No effusion, pneumothorax or "
                    "acute osseous abnormality.",
                ]
            )
        return render(rng, s["layout"], s), ""
    if kind == "impression_omits_finding":
        major = finding(rng, rng.choice(["pneumonia", "pneumonia", "effusion_mod", "ptx", "nodule", "edema", "mass"]))
        extra = [finding(rng, rng.choice(["spine", "aorta", "oldfx"]))] if rng.random() < 0.4 else []
        s = compose_base(rng, [major] + extra, tb=False if major["name"] != "nodule" else None)
        items = [e["i"] for e in extra] + [rng.choice(OMIT_IMP)]
        if rng.random() < 0.4:
            items = [rng.choice(OMIT_IMP)] + [e["i"] for e in extra]
        s["impression"] = fmt_imp(rng, items)
        s["code"] = rng.choice(["NORMAL", "MINOR ABNORMALITY"])
        return render(rng, s["layout"], s), f"findings report {major['f']!r}; impression ({s['impression']!r}) omits it"
    if kind == "laterality_conflict":
        f = finding(
            rng,
            rng.choice(
                [
                    "pneumonia",
                    "pneumonia",
                    "effusion_small",
                    "effusion_mod",
                    "ptx",
                    "nodule",
                    "ribfx",
                    "granuloma",
                    "scar",
                    "mass",
                ]
            ),
        )
        s = compose_base(rng, [f])
        where = rng.random()
        if where < 0.75:
            wrong = flip_side(f["i"])
            s["impression"] = fmt_imp(
                rng, [wrong] + ([] if f["sig"] or f.get("acute") else [rng.choice(NORMAL_IMP[:3])])
            )
            det = f"impression side flipped: findings {f['f']!r} vs impression {wrong!r}"
        else:
            s["findings"] = s["findings"].replace(f["f"], flip_side(f["f"]))
            s["impression"] = fmt_imp(
                rng, [f["i"]] + ([] if f["sig"] or f.get("acute") else [rng.choice(NORMAL_IMP[:3])])
            )
            det = f"findings side flipped: {flip_side(f['f'])!r} vs impression {f['i']!r}"
        s["code"] = dx_code([f])
        return render(rng, s["layout"], s), det
    if kind == "negation_conflict":
        v = rng.choice("abcdefgh")
        side = rng.choice(["right", "left"])
        S = cap(side)
        if v == "a":
            s = compose_base(
                rng,
                [],
                forced={
                    "lungs": rng.choice(
                        ["Lungs are clear.", "The lungs are clear bilaterally.", "No focal consolidation."]
                    )
                },
            )
            imp = rng.choice(
                [f"{S} lower lobe pneumonia.", f"Patchy {side} basilar consolidation concerning for pneumonia."]
            )
            det = "findings say lungs clear / no consolidation; impression asserts " + repr(imp)
            s["impression"] = fmt_imp(rng, [imp])
        elif v == "b":
            s = compose_base(rng, [], tb=False, forced={"eff": rng.choice(EFF_N)})
            imp = f"Small {side} pleural effusion."
            s["impression"] = fmt_imp(rng, [imp, rng.choice(["Otherwise no acute process.", ""])])
            det = "findings negate pleural effusion; impression asserts " + repr(imp)
        elif v == "c":
            s = compose_base(
                rng,
                [],
                forced={
                    "heart": rng.choice(
                        ["Heart size is normal.", "Normal heart size.", "Heart size is within normal limits."]
                    )
                },
            )
            imp = rng.choice(["Cardiomegaly.", "Mild cardiomegaly.", "Enlarged cardiac silhouette."])
            s["impression"] = fmt_imp(rng, [imp, "No acute pulmonary process."])
            det = "findings: heart size normal; impression asserts " + repr(imp)
        elif v == "d":
            f = finding(rng, rng.choice(["effusion_mod", "effusion_small"]), side)
            s = compose_base(rng, [f], tb=False)
            s["impression"] = fmt_imp(
                rng, [rng.choice(["No pleural effusion.", "No effusion."]), rng.choice(NORMAL_IMP[:3])]
            )
            det = f"findings {f['f']!r}; impression says no pleural effusion"
        elif v == "e":
            f = finding(rng, "ptx", side)
            s = compose_base(rng, [f], tb=False)
            s["impression"] = fmt_imp(
                rng, [rng.choice(["No pneumothorax.", "No evidence of pneumothorax."]), rng.choice(NORMAL_IMP[:3])]
            )
            det = f"findings {f['f']!r}; impression says no pneumothorax"
        elif v == "f":
            f = finding(rng, "cardiomegaly")
            s = compose_base(rng, [f])
            s["impression"] = fmt_imp(
                rng,
                [rng.choice(["Normal heart size.", "Heart size within normal limits."]), rng.choice(NORMAL_IMP[:3])],
            )
            det = f"findings {f['f']!r}; impression says heart size normal"
        elif v == "g":
            f = finding(rng, "pneumonia", side)
            s = compose_base(rng, [f], tb=False)
            s["impression"] = fmt_imp(
                rng,
                [
                    rng.choice(["Clear lungs.", "Lungs are clear.", "No focal consolidation."]),
                    "No acute cardiopulmonary process.",
                ],
            )
            det = f"findings {f['f']!r}; impression says lungs clear / no consolidation"
        else:
            f = finding(rng, "ribfx", side)
            s = compose_base(rng, [f], tb=False, forced={"ptx": "No pneumothorax."})
            imp = f"Acute {side} rib fracture with small {side} pneumothorax."
            s["impression"] = fmt_imp(rng, [imp])
            det = "findings say no pneumothorax; impression asserts " + repr(imp)
        s["code"] = rng.choice(["NORMAL", "MINOR ABNORMALITY", "ABNORMALITY, ATTN. NEEDED"])
        return render(rng, s["layout"], s), det
    if kind == "missing_section":
        fnds = pick_findings(rng)
        if rng.random() < 0.3:
            fnds = [finding(rng, rng.choice(MAJOR))]
        s = compose_base(rng, fnds)
        s["impression"] = fmt_imp(rng, clean_impression(rng, fnds, s["tb"]))
        s["code"] = dx_code(fnds)
        v = rng.random()
        if v < 0.45:
            s["impression"] = ""
            det = "impression header left empty"
        elif v < 0.75:
            s["impression"] = None
            det = "impression section absent; findings dictated"
        else:
            s["impression"] = rng.choice(
                [
                    "No change.",
                    "Unchanged from prior.",
                    "See above.",
                    "No acute cardiopulmonary process.",
                    "Stable exam.",
                    "No acute change.",
                ]
            )
            s["findings"] = "" if rng.random() < 0.6 or "acute" in s["impression"] else None
            det = "findings empty/absent; impression does not describe the image"
        return render(rng, s["layout"], s), det
    if kind == "placeholder":
        v = rng.choice("abcdefg")
        fnds = pick_findings(rng)
        if v in "cd":
            fnds = [finding(rng, "nodule" if v == "c" else rng.choice(["pneumonia", "effusion_small", "ptx"]))]
        s = compose_base(rng, fnds)
        s["impression"] = fmt_imp(rng, clean_impression(rng, fnds, s["tb"]))
        s["code"] = dx_code(fnds)
        tok = rng.choice(["***", "[***]", "[ ]", "<<>>", "{ }", "[**]"])
        if v == "a":
            s["history"] = rng.choice(["***", "[Clinical history]", "[***]", "<<reason for exam>>"])
            det = f"clinical history left as template field {s['history']!r}"
        elif v == "b":
            s["comparison"] = rng.choice(["[DATE]", "***", "<<date>>", "Chest 2 views [date].", "{prior exam}"])
            det = f"comparison left as template field {s['comparison']!r}"
        elif v == "c":
            mm = re.search(r"\d+ mm", s["findings"]).group(0)
            s["findings"] = s["findings"].replace(mm, f"{tok} mm", 1)
            det = f"nodule size in findings replaced by {tok!r}"
        elif v == "d":
            f = fnds[0]
            new = SIDE_RE.sub(rng.choice(["[side]", "[RIGHT/LEFT]", "***", "[***]"]), f["f"], count=1)
            s["findings"] = s["findings"].replace(f["f"], new)
            det = f"side in findings sentence left as template field: {new!r}"
        elif v == "e":
            s["impression"] = (
                s["impression"]
                + " "
                + rng.choice(
                    [
                        "Follow-up in [***] weeks recommended.",
                        "Recommend follow-up chest film in *** weeks.",
                        "Results discussed with Dr. [***].",
                    ]
                )
            )
            det = "template field left in impression recommendation"
        elif v == "f":
            s["technique"] = rng.choice(["*** views of the chest.", "[ ] view(s) of the chest.", "<<technique>>"])
            s["layout"] = "telerad"
            det = f"technique template field not filled: {s['technique']!r}"
        else:
            s["findings"] = (
                s["findings"]
                + " "
                + rng.choice(
                    [
                        "Lines and tubes: ***.",
                        "Additional findings: [***].",
                        "Soft tissues: <<>>.",
                        "Upper abdomen: { }.",
                    ]
                )
            )
            det = "unfilled template line left in findings"
        return render(rng, s["layout"], s), det
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------- IU based


def iu_sections(rng: random.Random, r: dict) -> dict:
    layout = rng.choice(
        ["vista", "vista", "telerad", "telerad", "tb"]
        if re.search(r"\btb\b|tubercul|ppd|quantiferon", r["indication"], re.I)
        else ["vista", "telerad", "telerad"]
    )
    hist = reword(r["indication"]) if r["indication"] else rng.choice(HIST_GEN)
    return dict(
        layout=layout,
        exam=rng.choice(TB_VIEW if layout == "tb" else TWO_VIEW),
        history=hist,
        comparison=r["comparison"] or (rng.choice(["None.", "None available."]) if rng.random() < 0.5 else None),
        technique="PA and lateral views of the chest." if layout == "telerad" and rng.random() < 0.5 else None,
        findings=reword(r["findings"]),
        impression=reword(r["impression"]),
        site=rng.choice(SITES) if rng.random() < 0.4 else None,
        code=None,
        imp_header="CONCLUSION" if layout == "tb" else "IMPRESSION",
    )


def _sig_sentence(findings: str, impression: str) -> str | None:
    for s in sentences(findings):
        m = SIG_RE.search(s)
        if m and not NEG_WORDS.search(s):
            stem = m.group(0).lower()[:6]
            if "effusion" in m.group(0).lower():
                stem = "effusi"
            if stem in impression.lower():
                return s
    return None


def _lat_pair(findings: str, impression: str) -> tuple[str, str, str] | None:
    kw = re.compile(
        r"opacit|effusion|atelecta|pneumon|consolidat|airspace|infiltrat|nodul|granulom|pneumothorax|"
        r"mass|fracture|scar",
        re.I,
    )
    for isec, osec, name in ((impression, findings, "impression"), (findings, impression, "findings")):
        for s in sentences(isec):
            sides = {w.lower() for w in SIDE_RE.findall(s)}
            if len(sides) != 1 or re.search(r"bilat|both|ventric|heart|hemidiaphragm|atri|PICC|catheter", s, re.I):
                continue
            side = sides.pop()
            k = kw.search(s)
            if not k:
                continue
            stem = k.group(0).lower()[:5]
            other = [o for o in sentences(osec) if stem in o.lower()]
            if not other:
                continue
            if all(
                re.search(rf"\b{side}\b", o, re.I) and len({w.lower() for w in SIDE_RE.findall(o)}) == 1 for o in other
            ):
                return s, flip_side(s), name
    return None


def iu_case(rng: random.Random, kind: str | None, pool: list[dict], used: set[str]) -> tuple[str, str, str] | None:
    cands = [r for r in pool if r["uid"] not in used]
    rng.shuffle(cands)
    for r in cands:
        f, imp = r["findings"], r["impression"]
        if kind is None:
            if not r["consistent"]:
                continue
            s = iu_sections(rng, r)
            det = ""
        elif kind == "missing_section":
            s = iu_sections(rng, r)
            if NORMAL_IMP_RE.match(imp) and rng.random() < 0.4:
                s["findings"] = "" if rng.random() < 0.7 else None
                det = "findings emptied; impression is a bare conclusion"
            else:
                s["impression"] = "" if rng.random() < 0.6 else None
                det = "impression emptied" if s["impression"] == "" else "impression section removed"
        elif kind == "laterality_conflict":
            p = _lat_pair(f, imp)
            if not p:
                continue
            s = iu_sections(rng, r)
            old, new, where = p
            s[where] = reword((f if where == "findings" else imp).replace(old, new))
            det = f"{where}: {old!r} -> {new!r}"
        elif kind == "negation_conflict":
            if not NORMAL_IMP_RE.match(imp):
                continue
            side = rng.choice(["right", "left"])
            opts = []
            if re.search(r"\bno\b[^.]*pneumothorax", f, re.I):
                opts.append((f"Small {side} apical pneumothorax.", "findings negate pneumothorax"))
            if re.search(r"\bno\b[^.]*effusion", f, re.I):
                opts.append((f"Small {side} pleural effusion.", "findings negate effusion"))
            if re.search(
                r"lungs are clear|clear lungs|no (focal )?(airspace|consolidation|infiltrate)|"
                r"no focal (airspace|consolidation)",
                f,
                re.I,
            ):
                opts.append(
                    (
                        rng.choice(
                            [
                                f"{cap(side)} lower lobe pneumonia.",
                                f"Patchy {side} basilar airspace disease, likely pneumonia.",
                            ]
                        ),
                        "findings say lungs clear / no consolidation",
                    )
                )
            if re.search(
                r"heart size is normal|normal heart size|heart is normal in size|heart size (is )?within "
                r"normal|(cardiac|cardiomediastinal) silhouette is (normal|within normal)|"
                r"heart (size )?and (mediastinum|pulmonary vascularity) (are )?(normal|within normal)",
                f,
                re.I,
            ):
                opts.append(("Cardiomegaly. No acute pulmonary process.", "findings say heart size normal"))
            if not opts:
                continue
            new, why = rng.choice(opts)
            s = iu_sections(rng, r)
            s["impression"] = new
            det = f"{why}; impression replaced by {new!r}"
        elif kind == "impression_omits_finding":
            sent = _sig_sentence(f, imp)
            if not sent:
                continue
            s = iu_sections(rng, r)
            s["impression"] = rng.choice(OMIT_IMP)
            det = f"findings affirm {sent!r}; impression replaced by {s['impression']!r}"
        elif kind == "placeholder":
            s = iu_sections(rng, r)
            tok = rng.choice(["***", "[***]", "[ ]", "<<>>", "[**]"])
            v = rng.random()
            sf = s["findings"]
            if v < 0.35 and SIDE_RE.search(sf):
                s["findings"] = SIDE_RE.sub(tok, sf, count=1)
                det = f"first side word in findings replaced by {tok!r}"
            elif v < 0.5 and re.search(r"\b\d+(\.\d+)?\b", sf):
                s["findings"] = re.sub(r"\b\d+(\.\d+)?\b", tok, sf, count=1)
                det = f"first number in findings replaced by {tok!r}"
            elif v < 0.7:
                s["comparison"] = rng.choice(["[DATE]", "***", "<<date>>", "{prior exam}"])
                det = f"comparison replaced by template field {s['comparison']!r}"
            elif v < 0.85:
                s["history"] = rng.choice(["***", "[Clinical history]", "[***]", "<<reason for exam>>"])
                det = f"clinical history replaced by template field {s['history']!r}"
            else:
                ws = s["impression"].split()
                idx = [i for i, w in enumerate(ws) if re.fullmatch(r"[a-z]{5,}", w)]
                if not idx:
                    continue
                i = rng.choice(idx)
                det = f"impression word {ws[i]!r} replaced by {tok!r}"
                ws[i] = tok
                s["impression"] = " ".join(ws)
        else:
            raise ValueError(kind)
        used.add(r["uid"])
        return render(rng, s["layout"], s), det, r["uid"]
    return None


def _consistent(findings: str, impression: str) -> bool:
    """Screen for the clean pool: no affirmed significant finding left out, no side mismatch."""
    for s in sentences(findings):
        m = SIG_RE.search(s)
        if m and not NEG_WORDS.search(s):
            stem = "effusi" if "effusion" in m.group(0).lower() else m.group(0).lower()[:6]
            if stem not in impression.lower():
                return False
    kw = re.compile(
        r"opacit|effusion|atelecta|pneumon|consolidat|airspace|infiltrat|nodul|granulom|pneumothorax|"
        r"mass|fracture|scar",
        re.I,
    )
    for s in sentences(impression):
        sides = {w.lower() for w in SIDE_RE.findall(s)}
        k = kw.search(s)
        if len(sides) != 1 or not k:
            continue
        side = sides.pop()
        other = [o for o in sentences(findings) if k.group(0).lower()[:5] in o.lower() and SIDE_RE.search(o)]
        if other and not any(re.search(rf"\b{side}\b", o, re.I) for o in other):
            return False
    return True


def iu_pool() -> list[dict]:
    dev = dev_uids()
    out = []
    for r in load_iu():
        if r["uid"] in dev or not r["findings"] or not r["impression"]:
            continue
        txt = " ".join(r[k] for k in ("indication", "comparison", "findings", "impression"))
        if PLACEHOLDER_CHARS.search(txt):
            continue
        if re.search(r"\bsee (above|findings)\b", r["impression"], re.I) or len(r["impression"]) < 12:
            continue
        r = dict(r, consistent=_consistent(r["findings"], r["impression"]))
        out.append(r)
    return out


# ----------------------------------------------------------------------------------------------- build


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h91-{seed}")
    pool = iu_pool()
    used: set[str] = set()
    rows = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        for j in range(n):
            if j < n // 2:
                text, det = composed(rng, kind)
                src = "phrase bank"
            else:
                res = iu_case(rng, kind, pool, used)
                if res is None:  # pool exhausted for this kind: fall back to the phrase bank
                    text, det = composed(rng, kind)
                    src = "phrase bank"
                else:
                    text, det, uid = res
                    src = f"IU {uid}"
            rows.append(
                {
                    "injected": kind,
                    "detail": f"[{src}] " + (det or "unmodified; re-laid-out in the setting's style"),
                    "report": text.strip(),
                    "_src": src,
                }
            )
    rng.shuffle(rows)
    out = []
    for n, r in enumerate(rows):
        out.append({"id": f"h91-{seed}-{n}", "injected": r["injected"], "detail": r["detail"], "report": r["report"]})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {r['id']} {kind} | {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
