"""Held-out report-check set 67, written blind (without reading the checker).

Setting: a US teleradiology company's overnight service reading ED, inpatient and urgent-care chest
films for many small US hospitals: preliminary and final reads, terse and templated (EXAM / CLINICAL
HISTORY / COMPARISON / TECHNIQUE / FINDINGS / IMPRESSION or CONCLUSION, sign-off lines, PowerScribe
style ``[***]`` / ``[ ]`` autotext fields as the setting's unfilled blanks).

400 cases: 200 clean and 40 of each kind (missing_section, laterality_conflict, negation_conflict,
impression_omits_finding, placeholder). Half of each group is composed from a phrase bank, half is
real IU (Open-i) reports, never one in the dev set, re-laid-out and lightly re-worded in this style.

    python -m bench.make_heldout67 OUT.jsonl --seed S [--show N]
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


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


def _archive() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def _dev_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# --------------------------------------------------------------------------------------------
# Real IU reports
# --------------------------------------------------------------------------------------------

_CACHE: dict[str, list[dict]] = {}


def dev_uids() -> set[str]:
    out = set()
    with open(_dev_path(), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


def load_iu() -> list[dict]:
    if "iu" in _CACHE:
        return _CACHE["iu"]
    rows = []
    lab = re.compile(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', re.S)
    with tarfile.open(_archive(), "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            txt = tf.extractfile(m).read().decode("utf-8", "replace")
            um = re.search(r'<uId id="([^"]+)"', txt)
            if not um:
                continue
            sec = {k.lower(): _unescape(v.strip()) for k, v in lab.findall(txt)}
            rows.append({"uid": um.group(1), **sec})
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _CACHE["iu"] = rows
    return rows


def _unescape(s: str) -> str:
    return (
        s.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
    )


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+", text.strip()) if s.strip()]


GROUPS = {
    "ptx": r"pneumothora",
    "consol": r"consolidat|pneumonia|airspace (?:disease|opacit)|infiltrat",
    "edema": r"edema|vascular congestion|congestive|\bchf\b|heart failure",
    "effusion": r"effusion",
    "nodule": r"\bmass\b|nodul",
    "widen": r"widen",
    "freeair": r"free air|pneumoperitoneum|free intraperitoneal",
    "cardio": r"cardiomegaly|heart (?:size )?is enlarged|enlarged (?:heart|cardiac)|cardiac enlargement",
}
NEG_CUE = re.compile(
    r"\b(no|without|negative|free of|clear|resolved|resolution|removed|not|nor|exclude|excluded)\b", re.I
)
HEDGE = re.compile(
    r"\b(may|possibl\w*|question\w*|cannot|could|suggest\w*|versus|vs|subtle|minimal|trace|tiny|small|"
    r"mild\w*|stable|chronic|old|improv\w*|decreas\w*|resolv\w*|healed|unchanged|likely|probabl\w*)\b|\?",
    re.I,
)


def _mentions(text: str, group: str) -> list[tuple[str, bool]]:
    """(sentence, affirmed) for each sentence mentioning the group."""
    out = []
    for s in sentences(text):
        m = re.search(GROUPS[group], s, re.I)
        if not m:
            continue
        before = re.split(r"[;,]| but | and ", s[: m.start()])[-1]
        out.append((s, not NEG_CUE.search(before)))
    return out


def _sides(s: str) -> set[str]:
    return set(w.lower() for w in re.findall(r"\b(left|right)\b", s, re.I))


def _clean_real_ok(r: dict) -> bool:
    f, i = r.get("findings", ""), r.get("impression", "")
    if len(f) < 40 or len(i) < 8 or re.search(r"\[|\*\*\*|_{2,}|<|>|critical result|notification", f + i, re.I):
        return False
    for g in GROUPS:
        fm, im = _mentions(f, g), _mentions(i, g)
        f_aff = [s for s, a in fm if a]
        i_aff = [s for s, a in im if a]
        f_neg = [s for s, a in fm if not a]
        i_neg = [s for s, a in im if not a]
        if g != "cardio" and f_aff and not im:
            return False
        if i_aff and not fm:
            return False
        if (f_aff and i_neg and not i_aff) or (i_aff and f_neg and not f_aff):
            return False
        fs = set().union(*[_sides(s) for s in f_aff]) if f_aff else set()
        isd = set().union(*[_sides(s) for s in i_aff]) if i_aff else set()
        if fs and isd and not (fs & isd):
            return False
    if re.search(r"lungs are clear|clear lungs|lungs clear", f, re.I):
        for g in ("consol", "edema"):
            if any(a for _, a in _mentions(i, g)):
                return False
    if re.search(r"heart size (?:is )?(?:normal|within normal)|normal heart size", f, re.I):
        if any(a for _, a in _mentions(i, "cardio")):
            return False
    return True


def _sig_sentence(r: dict) -> tuple[str, str] | None:
    """An unhedged, significant, affirmed findings sentence that the impression mentions."""
    f, i = r.get("findings", ""), r.get("impression", "")
    for g in ("ptx", "consol", "edema", "effusion", "nodule", "widen", "freeair"):
        if not re.search(GROUPS[g], i, re.I):
            continue
        for s, aff in _mentions(f, g):
            if not aff or HEDGE.search(s):
                continue
            if g == "effusion" and not re.search(r"moderate|large", s, re.I):
                continue
            if g == "nodule":
                if re.search(r"stable|unchanged|prior|previous|XXXX from", f, re.I):
                    continue
                mm = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?)\s*mm", s)]
                cm = [float(x) * 10 for x in re.findall(r"(\d+(?:\.\d+)?)\s*cm", s)]
                if not re.search(r"\bmass\b", s, re.I) and not any(v >= 6 for v in mm + cm):
                    continue
            return g, s
    return None


LAT_WORDS = r"opacit|consolidat|pneumonia|airspace|atelecta|effusion|pneumothora|nodul|granuloma|mass|infiltrat|scar"


def _lat_candidate(r: dict) -> tuple[str, str, str] | None:
    """(impression sentence, findings sentence, side) about one finding on one side in both sections."""
    f, i = r.get("findings", ""), r.get("impression", "")
    if re.search(r"bilat|both|middle lobe|lingula", f + i, re.I):
        return None
    for s in sentences(i):
        sd = _sides(s)
        m = re.search(LAT_WORDS, s, re.I)
        if len(sd) != 1 or not m or NEG_CUE.search(s[: m.start()]):
            continue
        side = sd.pop()
        key = m.group(0).lower()
        fs = [x for x in sentences(f) if key in x.lower()]
        if not fs:
            continue
        same = [x for x in fs if _sides(x) == {side}]
        other = [x for x in fs if (_sides(x) - {side})]
        if same and not other:
            return s, same[0], side
    return None


_REWORD = [
    (r"\.\.+", "."),
    (r"\s+\.", "."),
    (r"\bchest x-XXXX\b", "chest radiograph"),
    (r"\bCardio mediastinal\b", "Cardiomediastinal"),
    (r"^There is no evidence of ", "No "),
    (r"^There are no ", "No "),
    (r"^There is no ", "No "),
    (r"^No evidence of ", "No "),
    (r"cardiopulmonary disease", "cardiopulmonary process"),
    (r"within normal limits", "within normal limits"),
    (r"\bThe lungs are clear\b", "Lungs are clear"),
    (r"\bThe heart is normal in size\b", "Heart size is normal"),
    (r"\bosseous structures\b", "bones"),
]


def reword(text: str, rng: random.Random) -> str:
    out = []
    for s in sentences(text):
        s = s.strip()
        for pat, rep in _REWORD:
            if rng.random() < 0.7 or pat.startswith(r"\.\."):
                s = re.sub(pat, rep, s, flags=re.M)
        if s and s[0].islower():
            s = s[0].upper() + s[1:]
        out.append(s)
    return " ".join(out)


# --------------------------------------------------------------------------------------------
# Setting: headers and sign-offs
# --------------------------------------------------------------------------------------------

RADS = [
    "Mark T. Halvorsen, MD",
    "Priya Raman, MD",
    "David Okafor, MD",
    "Jennifer L. Castillo, DO",
    "Steven Whitaker, MD",
    "Anh Nguyen, MD",
    "Robert J. Klein, MD",
    "Laura Benedetti, MD",
    "Samuel Oyelaran, MD",
    "Katherine Moss, DO",
]
ED_DOCS = [
    "Dr. Patel",
    "Dr. Morrison",
    "Dr. Chen",
    "Dr. Alvarez",
    "the ED physician",
    "Dr. Goldberg",
    "the covering hospitalist",
    "Dr. Brooks",
    "the charge nurse",
]
HISTORIES = [
    "Shortness of breath.",
    "SOB",
    "Cough x 3 days.",
    "Chest pain.",
    "Fever, cough.",
    "Fall.",
    "r/o PNA",
    "Hypoxia.",
    "CHF exacerbation.",
    "Weakness.",
    "Altered mental status.",
    "Syncope.",
    "Sepsis.",
    "Cough and congestion.",
    "Pleuritic chest pain.",
    "MVC, chest wall pain.",
    "Dyspnea on exertion.",
    "Tachycardia.",
    "COPD exacerbation.",
    "Abnormal lab values, fever.",
    "Wheezing.",
    "Hemoptysis.",
    "Preop.",
    "Chest tightness.",
    "Nausea, vomiting, rule out aspiration.",
    "Productive cough.",
]
AGES = ["23", "31", "38", "44", "52", "57", "61", "66", "70", "74", "79", "83", "88"]


_DAY: dict[str, str] = {}


def _dt(rng: random.Random, later: bool = True) -> str:
    """Date/time of the current report (exam time, or a sign time a little later)."""
    day = _DAY.get("day") or f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.choice([2022, 2023, 2024])}"
    hour = int(_DAY.get("hour", rng.choice([22, 23, 0, 1, 2, 3, 4, 5])))
    minute = int(_DAY.get("min", rng.randint(0, 29)))
    if later:
        minute += rng.randint(8, 30)
    return f"{day} {hour:02d}:{minute:02d}"


def _new_day(rng: random.Random) -> None:
    _DAY.clear()
    _DAY.update(
        day=f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.choice([2022, 2023, 2024])}",
        hour=str(rng.choice([22, 23, 0, 1, 2, 3, 4, 5])),
        min=str(rng.randint(0, 29)),
    )


def _history(rng: random.Random) -> str:
    h = rng.choice(HISTORIES)
    r = rng.random()
    if r < 0.35:
        h = h[0].lower() + h[1:] if h[1:2].islower() else h
        return f"{rng.choice(AGES)} year old {rng.choice(['male', 'female'])} with {h}"
    if r < 0.55:
        return f"{rng.choice(AGES)}{rng.choice(['M', 'F'])}, {h}"
    return h


def _comparison(rng: random.Random) -> tuple[str, bool]:
    r = rng.random()
    if r < 0.4:
        return rng.choice(["None.", "None available.", "None.", "No prior studies available."]), False
    d = f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{rng.choice([2018, 2019, 2020, 2021])}"
    return rng.choice(
        [
            f"{d}.",
            f"Chest radiograph {d}.",
            f"Prior exam dated {d}.",
            f"CXR {d}",
            "Chest x-ray from earlier today.",
            "Portable chest 2 days prior.",
        ]
    ), True


def _exam(rng: random.Random, portable: bool) -> tuple[str, str]:
    if portable:
        return (
            rng.choice(
                ["XR CHEST 1 VIEW PORTABLE", "XR CHEST PORTABLE", "CHEST 1 VIEW (PORTABLE)", "DX CHEST PORTABLE AP"]
            ),
            rng.choice(
                [
                    "Single portable AP view of the chest.",
                    "Portable AP upright view.",
                    "AP semi-upright portable radiograph of the chest.",
                    "1 view.",
                ]
            ),
        )
    return (
        rng.choice(
            ["XR CHEST 2 VIEWS", "XR CHEST PA AND LATERAL", "CHEST 2 VIEWS PA/LAT", "DX CHEST 2V", "CHEST PA + LATERAL"]
        ),
        rng.choice(
            [
                "PA and lateral views of the chest.",
                "Frontal and lateral views.",
                "2 views.",
                "PA and lateral radiographs of the chest were obtained.",
            ]
        ),
    )


def layout(
    rng: random.Random,
    *,
    findings: str | None,
    impression: str | None,
    history: str | None = None,
    comparison: str | None = None,
    portable: bool | None = None,
    imp_header: str | None = None,
    final: bool | None = None,
    style: int | None = None,
    keep_empty_headers: bool = True,
    signoff: str | None = None,
    exam: tuple[str, str] | None = None,
) -> str:
    """Assemble a report; a section given as None is left out, "" keeps the header with nothing under it."""
    if portable is None:
        portable = rng.random() < 0.45
    if style is None:
        style = rng.randrange(4)
    ex, tech = exam or _exam(rng, portable)
    hist = history if history is not None else _history(rng)
    comp = comparison if comparison is not None else _comparison(rng)[0]
    ih = imp_header or rng.choice(["IMPRESSION", "IMPRESSION", "IMPRESSION", "CONCLUSION", "IMPRESSION"])
    if final is None:
        final = rng.random() < 0.6
    parts = []
    if style == 0:
        parts.append(f"EXAM: {ex}\nDATE: {_dt(rng, later=False)}")
        parts.append(f"CLINICAL HISTORY: {hist}")
        parts.append(f"COMPARISON: {comp}")
        parts.append(f"TECHNIQUE: {tech}")
    elif style == 1:
        parts.append(f"PROCEDURE: {ex}")
        parts.append(f"INDICATION: {hist}\nCOMPARISON: {comp}")
    elif style == 2:
        parts.append(f"{ex}")
        parts.append(f"HISTORY: {hist}\nCOMPARISON: {comp}\nTECHNIQUE: {tech}")
    else:
        parts.append(f"EXAMINATION: {ex}")
        parts.append(f"CLINICAL INDICATION: {hist}")
        parts.append(f"COMPARISON: {comp}")
    if findings is not None:
        if findings or keep_empty_headers:
            parts.append(f"FINDINGS:\n{findings}" if "\n" in findings else f"FINDINGS: {findings}".rstrip())
    if impression is not None:
        if impression or keep_empty_headers:
            parts.append(f"{ih}:\n{impression}" if "\n" in impression else f"{ih}: {impression}".rstrip())
    if signoff is None:
        rad = rng.choice(RADS)
        if final:
            signoff = rng.choice(
                [
                    f"Electronically signed by: {rad} on {_dt(rng)}",
                    f"Dictated by: {rad}\nSigned: {_dt(rng)}",
                    f"Interpreted remotely by {rad}.\nE-signed {_dt(rng)}",
                ]
            )
        else:
            signoff = rng.choice(
                [
                    f"PRELIMINARY REPORT. Final report to follow.\nRead by: {rad} {_dt(rng)}",
                    f"Preliminary interpretation by teleradiology.\n{rad}",
                    f"Prelim read: {rad}, {_dt(rng)}",
                ]
            )
    if signoff:
        parts.append(signoff)
    return "\n\n".join(parts)


# --------------------------------------------------------------------------------------------
# Phrase bank
# --------------------------------------------------------------------------------------------

N_LUNGS = [
    "Lungs are clear.",
    "The lungs are clear bilaterally.",
    "No focal consolidation.",
    "No focal airspace disease.",
    "Lungs are well expanded and clear.",
    "Clear lungs.",
]
N_PLEURA = [
    "No pleural effusion or pneumothorax.",
    "No effusion or pneumothorax.",
    "No pneumothorax. No pleural effusion.",
    "No pleural effusion. No pneumothorax.",
]
N_HEART = [
    "Heart size is normal.",
    "Cardiomediastinal silhouette is within normal limits.",
    "Normal cardiomediastinal contours.",
    "Heart and mediastinum are unremarkable.",
    "Cardiac silhouette is normal in size.",
]
N_BONES = [
    "No acute osseous abnormality.",
    "Bones are intact.",
    "No acute bony abnormality.",
    "Visualized osseous structures are unremarkable.",
    "No acute fracture.",
]
N_IMP = [
    "No acute cardiopulmonary process.",
    "No acute cardiopulmonary abnormality.",
    "No acute cardiopulmonary disease.",
    "No radiographic evidence of acute cardiopulmonary disease.",
    "No acute findings in the chest.",
    "Negative chest.",
    "No acute intrathoracic process.",
]
OMIT_IMP = [
    "No acute cardiopulmonary process.",
    "No acute cardiopulmonary abnormality.",
    "No acute cardiopulmonary disease.",
    "No acute intrathoracic abnormality.",
    "No acute radiographic abnormality of the chest.",
]

SIDE = {"left": "Left", "right": "Right"}
OPP = {"left": "right", "right": "left"}


def _cap(s: str) -> str:
    return s[0].upper() + s[1:] if s else s


def _finding(
    rng: random.Random, key: str, side: str | None = None, temporal: bool = False, no_mid: bool = False
) -> dict:
    """One finding: cat (section slot it replaces), text (findings), imp (impression), sig, side."""
    side = side or rng.choice(["left", "right"])
    S = SIDE[side]
    mid = "middle lobe" if side == "right" else "lingula"
    lobe = rng.choice(["lower lobe", "lower lobe", "upper lobe"] + ([] if no_mid else [mid]))
    lobe_t = "lingula" if lobe == "lingula" else lobe
    if key == "consol":
        new = temporal and rng.random() < 0.4
        t = rng.choice(
            [
                f"{S} {lobe_t} airspace consolidation.",
                f"Patchy airspace opacity in the {side} {lobe_t}.",
                f"Focal consolidation at the {side} lung base."
                if lobe == "lower lobe"
                else f"Focal consolidation in the {side} {lobe_t}.",
                f"{S} {lobe_t} infiltrate with air bronchograms.",
            ]
        )
        if new:
            t = "New " + t[0].lower() + t[1:]
        i = rng.choice(
            [
                f"{S} {lobe_t} pneumonia.",
                f"{S} {lobe_t} consolidation concerning for pneumonia.",
                f"{S} {lobe_t} airspace disease, likely pneumonia in the appropriate clinical setting.",
                f"Findings compatible with {side} {lobe_t} pneumonia.",
            ]
        )
        if lobe == "lingula":
            t, i = (
                x.replace(f"{S} lingula", "Lingular")
                .replace(f"{side} lingula pneumonia", "lingular pneumonia")
                .replace(f"{side} lingula", "lingula")
                for x in (t, i)
            )
        return dict(
            key=key,
            cat="lungs",
            text=t,
            tail=rng.choice(["Otherwise the lungs are clear.", ""]),
            imp=i,
            sig=True,
            side=side,
            word="pneumonia",
        )
    if key == "edema":
        t = rng.choice(
            [
                "Cardiomegaly with pulmonary vascular congestion and interstitial edema.",
                "Enlarged cardiac silhouette. Diffuse interstitial opacities and Kerley B lines "
                "consistent with interstitial edema.",
                "Pulmonary vascular congestion with mild interstitial pulmonary edema. The heart is enlarged.",
                "Moderate cardiomegaly. Bilateral perihilar haziness and vascular cephalization, "
                "compatible with pulmonary edema.",
            ]
        )
        i = rng.choice(
            [
                "Cardiomegaly with interstitial pulmonary edema, consistent with CHF.",
                "Findings consistent with congestive heart failure.",
                "Pulmonary edema and cardiomegaly.",
                "CHF.",
            ]
        )
        return dict(key=key, cat="heartlungs", text=t, imp=i, sig=True, side=None, word="edema")
    if key == "effusion_mod":
        size = rng.choice(["Moderate", "Moderate", "Large"])
        t = rng.choice(
            [
                f"{size} {side} pleural effusion with adjacent compressive atelectasis.",
                f"{size} {side} pleural effusion.",
                f"{size} layering {side} pleural effusion.",
            ]
        )
        i = rng.choice(
            [f"{size} {side} pleural effusion.", f"{size} {side} pleural effusion with basilar atelectasis."]
        )
        return dict(
            key=key, cat="pleura", text=t, tail="No pneumothorax.", imp=_cap(i), sig=True, side=side, word="effusion"
        )
    if key == "effusion_small":
        t = rng.choice(
            [
                f"Small {side} pleural effusion.",
                f"Trace {side} pleural effusion.",
                f"Blunting of the {side} costophrenic angle, likely a small effusion.",
            ]
        )
        i = (
            f"Trace {side} pleural effusion."
            if t.startswith("Trace")
            else rng.choice([f"Small {side} pleural effusion.", f"Small {side} effusion."])
        )
        return dict(
            key=key, cat="pleura", text=t, tail="No pneumothorax.", imp=i, sig=False, side=side, word="effusion"
        )
    if key == "ptx":
        size = rng.choice(["Small", "Small", "Moderate", "Tiny"])
        t = rng.choice(
            [
                f"{size} {side} apical pneumothorax.",
                f"{size} {side} pneumothorax measuring approximately "
                f"{rng.choice(['1', '1.5', '2', '3'])} cm at the apex.",
                f"{size} {side} pneumothorax without mediastinal shift.",
            ]
        )
        i = rng.choice([f"{size} {side} pneumothorax.", f"{size} {side} apical pneumothorax."])
        return dict(
            key=key,
            cat="pleura",
            text=t,
            tail="No pleural effusion.",
            imp=i,
            sig=True,
            side=side,
            word="pneumothorax",
            call=True,
        )
    if key == "nodule":
        mm = rng.choice([7, 8, 9, 10, 12, 14, 18])
        zone = rng.choice(["upper lobe", "mid lung", "lower lobe"])
        t = rng.choice(
            [
                f"{mm} mm nodular opacity in the {side} {zone}.",
                f"{mm} mm nodule projects over the {side} {zone}.",
                f"Rounded {mm} mm nodule in the {side} {zone}.",
            ]
        )
        i = rng.choice(
            [
                f"{mm} mm {side} {zone} nodule. Recommend nonemergent chest CT for further evaluation.",
                f"{mm} mm {side} {zone} pulmonary nodule. CT chest recommended.",
            ]
        )
        return dict(
            key=key,
            cat="lungs",
            text=t,
            tail="Lungs are otherwise clear.",
            imp=_cap(i),
            sig=True,
            side=side,
            word="nodule",
        )
    if key == "widen":
        t = rng.choice(
            [
                "The mediastinum appears widened.",
                "Widened superior mediastinum.",
                "Mediastinal widening, which may be partly technical on this AP portable view.",
            ]
        )
        i = rng.choice(
            [
                "Widened mediastinum. Recommend CTA chest to exclude aortic injury.",
                "Mediastinal widening; CT angiography of the chest is recommended.",
            ]
        )
        return dict(
            key=key,
            cat="heart",
            text=t,
            tail="Heart size is normal.",
            imp=i,
            sig=True,
            side=None,
            word="widened",
            call=True,
        )
    if key == "freeair":
        t = rng.choice(
            [
                "Free air beneath the right hemidiaphragm.",
                "Lucency under both hemidiaphragms consistent with free intraperitoneal air.",
            ]
        )
        i = rng.choice(["Pneumoperitoneum.", "Free intraperitoneal air. Recommend CT abdomen and pelvis."])
        return dict(
            key=key,
            cat="bones",
            text=t,
            tail="No acute osseous abnormality.",
            imp=i,
            sig=True,
            side=None,
            word="free air",
            call=True,
        )
    # minor / chronic findings (impression may leave them out)
    if key == "granuloma":
        t = f"Calcified granuloma in the {side} {rng.choice(['upper lobe', 'mid lung', 'lung base'])}."
        return dict(
            key=key,
            cat="lungs",
            text=t,
            tail="Lungs are otherwise clear.",
            imp=f"Calcified {side} lung granuloma, sequela of prior granulomatous disease.",
            sig=False,
            side=side,
            word="granuloma",
        )
    if key == "atelectasis":
        t = rng.choice(
            [
                f"Mild {side} basilar linear atelectasis.",
                f"Minimal {side} basilar subsegmental atelectasis.",
                f"Linear scarring or atelectasis at the {side} base.",
            ]
        )
        return dict(
            key=key,
            cat="lungs",
            text=t,
            tail="No focal consolidation.",
            imp=f"Mild {side} basilar atelectasis.",
            sig=False,
            side=side,
            word="atelectasis",
        )
    if key == "cardio":
        t = rng.choice(
            [
                "Mild cardiomegaly.",
                "The heart is mildly enlarged.",
                "Borderline cardiomegaly.",
                "Stable mild cardiomegaly." if temporal else "Mild enlargement of the cardiac silhouette.",
            ]
        )
        i = rng.choice(["Mild cardiomegaly.", "Mild cardiomegaly without edema."])
        if t.startswith("Borderline"):
            i = "Borderline cardiomegaly."
        return dict(key=key, cat="heart", text=t, imp=i, sig=False, side=None, word="cardiomegaly")
    if key == "aorta":
        t = rng.choice(
            [
                "Aortic atherosclerotic calcification.",
                "Tortuous thoracic aorta.",
                "Calcified aortic knob.",
            ]
        )
        return dict(
            key=key,
            cat="heart",
            text=t,
            lead=rng.choice(["Heart size is normal.", "Normal heart size.", "Heart size normal."]),
            imp="Aortic atherosclerosis.",
            sig=False,
            side=None,
            word="aort",
        )
    if key == "copd":
        t = rng.choice(
            [
                "Lungs are hyperinflated with flattened hemidiaphragms.",
                "Hyperexpanded lungs consistent with COPD.",
            ]
        )
        return dict(
            key=key,
            cat="lungs",
            text=t,
            tail=rng.choice(["No focal consolidation.", "No focal airspace disease."]),
            imp=rng.choice(["COPD without acute process.", "Hyperinflation, compatible with COPD."]),
            sig=False,
            side=None,
            word="copd",
        )
    if key == "spine":
        t = rng.choice(
            [
                "Degenerative changes of the thoracic spine.",
                "Mild multilevel thoracic spondylosis.",
                "Old healed right rib fractures. Degenerative changes of the spine.",
            ]
        )
        return dict(
            key=key,
            cat="bones",
            text=t,
            imp="Degenerative changes of the thoracic spine.",
            sig=False,
            side=None,
            word="degenerative",
        )
    if key == "ett":
        cm = rng.choice(["3", "4", "4.5", "5", "3.5"])
        t = rng.choice(
            [
                f"Endotracheal tube tip is {cm} cm above the carina. Enteric tube courses below the "
                "diaphragm, tip out of view.",
                f"ET tube terminates {cm} cm above the carina.",
            ]
        )
        return dict(
            key=key,
            cat="lines",
            text=t,
            imp="Support devices in satisfactory position.",
            sig=False,
            side=None,
            word="tube",
        )
    if key == "picc":
        t = rng.choice(
            [
                f"{S} PICC with tip in the distal SVC.",
                f"{S} internal jugular central venous catheter tip at the cavoatrial junction.",
            ]
        )
        return dict(
            key=key,
            cat="lines",
            text=t,
            imp="Central venous catheter in satisfactory position.",
            sig=False,
            side=None,
            word="line",
        )
    raise ValueError(key)


MINOR = ["granuloma", "atelectasis", "cardio", "aorta", "copd", "spine", "effusion_small", "cardio", "spine"]
SIG = ["consol", "consol", "consol", "edema", "edema", "effusion_mod", "ptx", "nodule", "widen", "freeair"]


def _compose_findings(rng: random.Random, fnds: list[dict], style: int) -> str:
    slots = {
        "lines": None,
        "lungs": rng.choice(N_LUNGS),
        "pleura": rng.choice(N_PLEURA),
        "heart": rng.choice(N_HEART),
        "bones": rng.choice(N_BONES),
    }
    extra_lines = [f for f in fnds if f["cat"] == "lines"]
    by_slot: dict[str, list[dict]] = {}
    for f in fnds:
        cat = "heart" if f["cat"] == "heartlungs" else f["cat"]
        if cat != "lines":
            by_slot.setdefault(cat, []).append(f)
    if any(f["cat"] == "heartlungs" for f in fnds) and "lungs" not in by_slot:
        slots["lungs"] = ""
    heart_abn = any(f["key"] in ("cardio", "edema") for f in fnds)
    if any(f["key"] == "effusion_mod" for f in fnds) and "lungs" not in by_slot:
        slots["lungs"] = rng.choice(["No focal consolidation.", "No focal airspace disease."])
    for cat, fs in by_slot.items():
        parts = []
        if cat == "heart" and not heart_abn:
            lead = next((f["lead"] for f in fs if f.get("lead")), None)
            if lead:
                parts.append(lead)
        parts += [f["text"] for f in fs]
        if len(fs) == 1 and fs[0].get("tail"):
            parts.append(fs[0]["tail"])
        slots[cat] = " ".join(parts)
    if any(f["key"] == "edema" for f in fnds) and not any(f["cat"] == "pleura" for f in fnds):
        slots["pleura"] = rng.choice(
            ["No pneumothorax. Small bilateral pleural effusions.", "No large effusion. No pneumothorax."]
        )
    if extra_lines:
        slots["lines"] = " ".join(f["text"] for f in extra_lines)
    order = ["lines", "lungs", "pleura", "heart", "bones"]
    if style == 0:
        names = {
            "lines": "Lines/tubes",
            "lungs": "Lungs",
            "pleura": "Pleura",
            "heart": "Heart/mediastinum",
            "bones": "Bones/soft tissues",
        }
        out = []
        for k in order:
            v = slots[k]
            if k == "lines" and v is None:
                if rng.random() < 0.5:
                    out.append("Lines/tubes: None.")
                continue
            if k == "lungs" and not v:
                continue
            out.append(f"{names[k]}: {v}")
        return "\n".join(out)
    txt = [slots[k] for k in order if slots[k]]
    if rng.random() < 0.4:
        txt[-2], txt[-1] = txt[-1], txt[-2]
    return " ".join(txt)


def _compose_imp(rng: random.Random, fnds: list[dict], sig_only: bool = False) -> str:
    items = []
    for f in fnds:
        if f["sig"] or (not sig_only and (f["key"] in ("effusion_small", "copd", "ett", "picc") or rng.random() < 0.4)):
            items.append(f["imp"])
    if not items:
        return rng.choice(N_IMP)
    if not any(f["sig"] for f in fnds) and rng.random() < 0.6:
        items.append(
            rng.choice(
                [
                    "No acute cardiopulmonary process.",
                    "Otherwise no acute cardiopulmonary abnormality.",
                    "No acute process.",
                ]
            )
        )
    if len(items) > 1 and rng.random() < 0.6:
        return "\n".join(f"{n}. {t}" for n, t in enumerate(items, 1))
    return " ".join(items)


def _call_line(rng: random.Random) -> str:
    return rng.choice(
        [
            f"Findings discussed with {rng.choice(ED_DOCS)} at {rng.randint(0, 5):02d}:{rng.randint(0, 59):02d}.",
            f"Critical result called to {rng.choice(ED_DOCS)} by telephone at "
            f"{rng.randint(0, 5):02d}{rng.randint(0, 59):02d} hours, read back confirmed.",
        ]
    )


def bank_case(rng: random.Random, kind: str | None) -> tuple[str, str]:
    _new_day(rng)
    comp, has_prior = _comparison(rng)
    portable = rng.random() < 0.45
    style = rng.randrange(4)
    # pick findings
    if kind is None:
        r = rng.random()
        if r < 0.55:
            fnds = []
        elif r < 0.8:
            keys = rng.sample(MINOR, 2)
            keys = keys[:1] if keys[0] == keys[1] or rng.random() < 0.6 else keys
            fnds = [_finding(rng, k, temporal=has_prior) for k in keys]
        else:
            fnds = [_finding(rng, rng.choice(SIG), temporal=has_prior)]
            if rng.random() < 0.3:
                fnds.append(_finding(rng, rng.choice(["spine", "aorta", "granuloma"])))
    elif kind == "laterality_conflict":
        fnds = [
            _finding(
                rng,
                rng.choice(
                    ["consol", "consol", "effusion_mod", "effusion_small", "ptx", "nodule", "atelectasis", "granuloma"]
                ),
                temporal=has_prior,
                no_mid=True,
            )
        ]
    elif kind == "impression_omits_finding":
        fnds = [_finding(rng, rng.choice(SIG), temporal=has_prior)]
        if rng.random() < 0.35:
            extra = ["spine", "aorta", "copd"] + ([] if fnds[0]["key"] == "edema" else ["cardio"])
            fnds.append(_finding(rng, rng.choice(extra)))
    elif kind == "negation_conflict":
        fnds = []
    else:
        r = rng.random()
        fnds = [] if r < 0.5 else [_finding(rng, rng.choice(SIG + MINOR), temporal=has_prior)]
    hist = None
    if portable and rng.random() < 0.3 and kind != "negation_conflict":
        dev = rng.choice(["ett", "picc"])
        fnds.insert(0, _finding(rng, dev))
        if rng.random() < 0.6:
            hist = "Post intubation." if dev == "ett" else rng.choice(["Line placement.", "PICC placement."])
    fstyle = 0 if rng.random() < 0.35 else 1
    findings = _compose_findings(rng, fnds, fstyle)
    imp = _compose_imp(rng, fnds)
    call = any(f.get("call") for f in fnds) and rng.random() < 0.6
    detail = ""
    kw: dict = {"history": hist} if hist else {}
    if kind == "laterality_conflict":
        f = next(x for x in fnds if x.get("side"))
        side = f["side"]
        imp = (
            f["imp"]
            if rng.random() < 0.7
            else f"1. {f['imp']}\n2. {rng.choice(['No other acute process.', 'No other acute finding.'])}"
        )
        if rng.random() < 0.65:
            new = re.sub(rf"\b{side}\b", OPP[side], re.sub(rf"\b{SIDE[side]}\b", SIDE[OPP[side]], imp))
            detail = f"impression puts the {f['word']} on the {OPP[side]}; findings say {side}"
            imp = new
        else:
            new_t = re.sub(rf"\b{side}\b", OPP[side], re.sub(rf"\b{SIDE[side]}\b", SIDE[OPP[side]], f["text"]))
            findings = findings.replace(f["text"], new_t)
            detail = f"findings put the {f['word']} on the {OPP[side]}; impression says {side}"
    elif kind == "impression_omits_finding":
        sigf = next(x for x in fnds if x["sig"])
        minors = [x for x in fnds if not x["sig"] and x["key"] not in ("ett", "picc")]
        if minors and rng.random() < 0.6:
            imp = (
                f"1. {minors[0]['imp']}\n2. {rng.choice(OMIT_IMP)}"
                if rng.random() < 0.5
                else f"{minors[0]['imp']} Otherwise no acute cardiopulmonary abnormality."
            )
            detail = f"findings describe: {sigf['text']} Impression mentions only the minor finding"
        else:
            imp = rng.choice(OMIT_IMP)
            detail = f"findings describe: {sigf['text']} Impression is a normal macro"
        call = False
    elif kind == "negation_conflict":
        v = rng.randrange(6)
        side = rng.choice(["left", "right"])
        if v == 0:
            lung = rng.choice(
                ["Lungs are clear.", "The lungs are clear bilaterally.", "Lungs are well expanded and clear."]
            )
            findings = _replace_slot(findings, "lungs", lung, N_LUNGS)
            imp = rng.choice(
                [
                    f"{SIDE[side]} lower lobe pneumonia.",
                    f"{SIDE[side]} basilar consolidation, concerning for pneumonia.",
                    f"Patchy {side} lower lobe infiltrate.",
                ]
            )
            detail = "findings say the lungs are clear; impression reports a lower lobe pneumonia/consolidation"
        elif v == 1:
            pl = rng.choice(["No pleural effusion or pneumothorax.", "No pleural effusion. No pneumothorax."])
            findings = _replace_slot(findings, "pleura", pl, N_PLEURA)
            imp = rng.choice(
                [
                    f"Small {side} pleural effusion.",
                    f"Moderate {side} pleural effusion.",
                    f"1. Small {side} pleural effusion.\n2. No pneumothorax.",
                ]
            )
            detail = "findings say no pleural effusion; impression reports an effusion"
        elif v == 2:
            pl = rng.choice(["No pneumothorax. No pleural effusion.", "No pleural effusion or pneumothorax."])
            findings = _replace_slot(findings, "pleura", pl, N_PLEURA)
            imp = rng.choice([f"Small {side} apical pneumothorax.", f"Tiny {side} pneumothorax."])
            detail = "findings say no pneumothorax; impression reports a pneumothorax"
        elif v == 3:
            h = rng.choice(["The heart is enlarged.", "Moderate cardiomegaly.", "Cardiac silhouette is enlarged."])
            findings = _replace_slot(findings, "heart", h, N_HEART)
            imp = rng.choice(
                [
                    "Normal heart size. No acute cardiopulmonary process.",
                    "Heart size within normal limits. No acute disease.",
                    "1. No cardiomegaly.\n2. No acute cardiopulmonary abnormality.",
                ]
            )
            detail = "findings describe cardiomegaly; impression says the heart size is normal"
        elif v == 4:
            h = rng.choice(["Heart size is normal.", "Normal cardiac size.", "Heart size within normal limits."])
            findings = _replace_slot(findings, "heart", h, N_HEART)
            imp = rng.choice(["Cardiomegaly. No acute pulmonary process.", "Moderate cardiomegaly without edema."])
            detail = "findings say heart size is normal; impression reports cardiomegaly"
        else:
            f = _finding(rng, "consol", side=side)
            findings = _replace_slot(findings, "lungs", f["text"], N_LUNGS)
            imp = rng.choice(
                [
                    "Lungs are clear. No acute cardiopulmonary process.",
                    "No pneumonia.",
                    "No focal consolidation. No acute disease.",
                ]
            )
            detail = "findings describe consolidation; impression says no pneumonia / lungs clear"
    elif kind == "missing_section":
        v = rng.randrange(4)
        if v == 0:
            imp = ""
            detail = "impression header left empty"
        elif v == 1:
            imp = None
            detail = "impression section absent"
        elif v == 2:
            findings = ""
            imp = rng.choice(["As above.", "See above.", "Please see findings.", "Follow-up as clinically indicated."])
            detail = "findings left empty; impression does not describe the image"
        else:
            findings = None
            imp = rng.choice(["As described above.", "See findings.", "Correlate clinically."])
            detail = "findings section absent; impression does not describe the image"
        call = False
    elif kind == "placeholder":
        v = rng.randrange(7)
        tok = rng.choice(["[***]", "***", "[ ]", "[***]", "[]", "{***}", "<***>"])
        if v == 0:
            comp = rng.choice([tok, f"Chest radiograph {tok}."])
            detail = f"comparison field left as {tok}"
        elif v == 1:
            kw["history"] = tok
            detail = f"clinical history field left as {tok}"
        elif v == 2 or (v == 3 and not fnds):
            s = sentences(findings)
            j = rng.randrange(len(s))
            words = s[j].split()
            k = rng.choice([n for n, w in enumerate(words) if len(w.strip(".,:")) > 3] or [0])
            words[k] = tok + ("." if words[k].endswith(".") else "")
            findings = findings.replace(s[j], " ".join(words), 1)
            detail = f"a word in the findings replaced by {tok}"
        elif v == 3:
            f = fnds[-1]
            if f.get("side"):
                new = re.sub(rf"\b({f['side']}|{SIDE[f['side']]})\b", tok, f["text"], count=1)
            else:
                new = f["text"].split(".")[0] + f" measuring {tok} cm."
            findings = findings.replace(f["text"], new)
            detail = f"side/size field of the finding left as {tok}"
        elif v == 4:
            kw["signoff"] = rng.choice(
                [f"Electronically signed by: {tok} on {_dt(rng)}", f"Dictated by: {rng.choice(RADS)}\nSigned: {tok}"]
            )
            detail = f"sign-off field left as {tok}"
        elif v == 5:
            imp = imp + f"\nFindings discussed with {tok} at {rng.randint(0, 5):02d}:{rng.randint(0, 59):02d}."
            call = False
            detail = f"communication line names {tok}"
        else:
            s = sentences(imp)
            words = s[0].split()
            k = rng.choice([n for n, w in enumerate(words) if len(w.strip(".,:")) > 3] or [0])
            words[k] = tok + ("." if words[k].endswith(".") else "")
            imp = imp.replace(s[0], " ".join(words), 1)
            detail = f"a word in the impression replaced by {tok}"
    if call and imp:
        imp = imp + "\n" + _call_line(rng) if "\n" in imp else imp + " " + _call_line(rng)
    rep = layout(rng, findings=findings, impression=imp, comparison=comp, portable=portable, style=style, **kw)
    return rep, detail


def _replace_slot(findings: str, slot: str, new: str, bank: list[str]) -> str:
    for b in bank:
        if b in findings:
            return findings.replace(b, new, 1)
    return findings


# --------------------------------------------------------------------------------------------
# Real-report cases
# --------------------------------------------------------------------------------------------


def _real_sections(r: dict, rng: random.Random) -> dict:
    return {
        "findings": reword(r.get("findings", ""), rng),
        "impression": reword(r.get("impression", ""), rng),
        "history": reword(r.get("indication", ""), rng) or rng.choice(["Not provided.", "Chest pain."]),
        "comparison": reword(r.get("comparison", ""), rng) or "None.",
    }


def _maybe_number(imp: str, rng: random.Random) -> str:
    s = sentences(imp)
    if len(s) > 1 and not re.match(r"\d\.", imp) and rng.random() < 0.35:
        return "\n".join(f"{n}. {t}" for n, t in enumerate(s, 1))
    return imp


def _flip(s: str, side: str) -> str:
    return re.sub(rf"\b{side}\b", OPP[side], re.sub(rf"\b{SIDE[side]}\b", SIDE[OPP[side]], s))


def real_case(rng: random.Random, r: dict, kind: str | None, extra: str = "") -> tuple[str, str]:
    _new_day(rng)
    sec = _real_sections(r, rng)
    f, i = sec["findings"], sec["impression"]
    detail = ""
    kw: dict = {}
    if kind == "missing_section":
        if rng.random() < 0.5:
            i = ""
            detail = "impression emptied (header kept)"
        else:
            i = None
            detail = "impression section removed"
    elif kind == "laterality_conflict":
        c = _lat_candidate({"findings": f, "impression": i})
        assert c
        isent, fsent, side = c
        if rng.random() < 0.6:
            i = i.replace(isent, _flip(isent, side), 1)
            detail = f"impression sentence flipped to the {OPP[side]} side: {_flip(isent, side)}"
        else:
            f = f.replace(fsent, _flip(fsent, side), 1)
            detail = f"findings sentence flipped to the {OPP[side]} side: {_flip(fsent, side)}"
    elif kind == "negation_conflict":
        side = rng.choice(["left", "right"])
        if extra == "cardio":
            i = rng.choice(
                ["Normal heart size. No acute cardiopulmonary process.", "Heart size is normal. No acute disease."]
            )
            detail = "findings describe cardiomegaly; impression replaced with 'normal heart size'"
        elif extra == "effusion":
            i = rng.choice(
                [
                    f"Small {side} pleural effusion. Otherwise no acute process.",
                    f"1. Small {side} pleural effusion.\n2. No focal consolidation.",
                ]
            )
            detail = "findings negate pleural effusion; impression asserts an effusion"
        elif extra == "ptx":
            i = rng.choice(
                [f"Small {side} apical pneumothorax.", f"Tiny {side} pneumothorax. No other acute findings."]
            )
            detail = "findings negate pneumothorax; impression asserts a pneumothorax"
        elif extra == "lungs":
            i = rng.choice(
                [
                    f"{SIDE[side]} lower lobe pneumonia.",
                    f"Patchy {side} basilar airspace disease concerning for pneumonia.",
                ]
            )
            detail = "findings say the lungs are clear; impression asserts pneumonia"
        else:
            i = rng.choice(["Cardiomegaly. No acute pulmonary disease.", "Mild cardiomegaly without edema."])
            detail = "findings say heart size normal; impression asserts cardiomegaly"
    elif kind == "impression_omits_finding":
        g, s = _sig_sentence({"findings": f, "impression": i}) or _sig_sentence(r)
        i = rng.choice(OMIT_IMP)
        detail = f"impression replaced by a normal macro; findings affirm: {s}"
    elif kind == "placeholder":
        tok = rng.choice(["[***]", "***", "[ ]", "[***]", "[]", "<***>"])
        v = rng.randrange(4)
        if v == 0:
            sec["comparison"] = tok
            detail = f"comparison field left as {tok}"
        elif v == 1:
            kw["signoff"] = f"Electronically signed by: {tok} on {_dt(rng)}"
            detail = f"signing radiologist left as {tok}"
        else:
            tgt = f if v == 2 else i
            s = sentences(tgt)
            j = rng.randrange(len(s))
            words = s[j].split()
            cand = [k for k, w in enumerate(words) if "XXXX" not in w and len(w.strip(".,")) > 3] or [0]
            k = rng.choice(cand)
            words[k] = tok + ("." if words[k].endswith(".") else "")
            new = tgt.replace(s[j], " ".join(words), 1)
            if v == 2:
                f = new
            else:
                i = new
            detail = f"a word in the {'findings' if v == 2 else 'impression'} replaced by {tok}"
    if i:
        i = _maybe_number(i, rng)
    rep = layout(
        rng,
        findings=f,
        impression=i,
        history=sec["history"],
        comparison=sec["comparison"],
        portable=False,
        exam=None,
        **kw,
    )
    return rep, detail


def _pools(rng: random.Random) -> dict[str, list[dict]]:
    dev = dev_uids()
    rows = [
        r
        for r in load_iu()
        if r["uid"] not in dev
        and r.get("findings")
        and r.get("impression")
        and not re.search(r"FINDINGS|IMPRESSION|Exam:|History:", r["findings"] + r["impression"])
        and len(r["impression"]) < 500
        and len(r["findings"]) < 1200
    ]
    pools: dict[str, list] = {k: [] for k in ["clean", "missing", "lat", "neg", "omit", "ph"]}
    for r in rows:
        f, i = r["findings"], r["impression"]
        ok = _clean_real_ok(r)
        if ok:
            pools["clean"].append(r)
            if _lat_candidate(r):
                pools["lat"].append(r)
            fl = f.lower()
            if (
                re.search(GROUPS["cardio"], f, re.I)
                and any(a for _, a in _mentions(f, "cardio"))
                and not re.search(r"pneumonia|consolid|effusion|edema|pneumothora", i, re.I)
                and not re.search(r"borderline|upper limits|top normal|heart (?:size )?(?:is )?normal|unremarkable", fl)
            ):
                pools["neg"].append((r, "cardio"))
            elif (
                re.search(r"\bno\b[^.]*effusion", fl)
                and not re.search(r"\bno\b[^.]*(large|significant|sizable|definite)[^.]*effusion", fl)
                and not re.search(r"effusion", i, re.I)
                and re.match(r"(normal|no acute|negative)", i.lower())
            ):
                pools["neg"].append(
                    (
                        r,
                        rng.choice(["effusion", "ptx"])
                        if re.search(r"\bno\b[^.]*pneumothora", fl)
                        and not re.search(r"(large|significant|definite)[^.]*pneumothora", fl)
                        else "effusion",
                    )
                )
            elif re.search(r"lungs are clear|clear lungs", fl) and re.match(r"(normal|no acute|negative)", i.lower()):
                pools["neg"].append((r, "lungs"))
            elif re.search(r"heart size (?:is )?(?:normal|within normal)|normal heart size", fl) and re.match(
                r"(normal|no acute|negative)", i.lower()
            ):
                pools["neg"].append((r, "heart"))
        if _sig_sentence(r):
            pools["omit"].append(r)
    return pools


def _build(seed: int) -> list[dict]:
    rng = random.Random(seed)
    pools = _pools(rng)
    used: set[str] = set()

    def take(pool: list, n: int, filt=None) -> list:
        cand = [p for p in pool if (p[0] if isinstance(p, tuple) else p)["uid"] not in used]
        if filt:
            cand = [p for p in cand if filt(p)]
        pick = rng.sample(cand, n)
        for p in pick:
            used.add((p[0] if isinstance(p, tuple) else p)["uid"])
        return pick

    cases = []
    half_c, half_k = N_CLEAN // 2, N_KIND // 2
    for _ in range(half_c):
        rep, det = bank_case(rng, None)
        cases.append({"injected": None, "detail": det, "report": rep, "uid": None})
    for kind in KINDS:
        for _ in range(half_k):
            rep, det = bank_case(rng, kind)
            cases.append({"injected": kind, "detail": det, "report": rep, "uid": None})
    # real: the rarer pools first
    lat = take(pools["lat"], half_k)
    omit = take(pools["omit"], half_k)
    neg_sorted = {}
    for p in pools["neg"]:
        neg_sorted.setdefault(p[1], []).append(p)
    neg = []
    per = {"cardio": 5, "effusion": 4, "ptx": 3, "lungs": 4, "heart": 4}
    for k in per:
        avail = [p for p in neg_sorted.get(k, []) if p[0]["uid"] not in used]
        neg += take(avail, min(per[k], len(avail)))
    if len(neg) < half_k:
        neg += take(pools["neg"], half_k - len(neg))
    for r in lat:
        rep, det = real_case(rng, r, "laterality_conflict")
        cases.append({"injected": "laterality_conflict", "detail": det, "report": rep, "uid": r["uid"]})
    for r in omit:
        rep, det = real_case(rng, r, "impression_omits_finding")
        cases.append({"injected": "impression_omits_finding", "detail": det, "report": rep, "uid": r["uid"]})
    for r, ex in neg:
        rep, det = real_case(rng, r, "negation_conflict", ex)
        cases.append({"injected": "negation_conflict", "detail": det, "report": rep, "uid": r["uid"]})
    for kind in ("missing_section", "placeholder"):
        for r in take(pools["clean"], half_k):
            rep, det = real_case(rng, r, kind)
            cases.append({"injected": kind, "detail": det, "report": rep, "uid": r["uid"]})
    for r in take(pools["clean"], half_c):
        rep, det = real_case(rng, r, None)
        cases.append({"injected": None, "detail": "", "report": rep, "uid": r["uid"]})
    rng.shuffle(cases)
    for n, c in enumerate(cases):
        c["id"] = f"h67-{seed}-{n}"
    return cases


def build_with_sources(seed: int) -> list[dict]:
    """Rows with an extra ``uid`` (None for phrase-bank cases), for checks."""
    return _build(seed)


def build(seed: int) -> list[dict]:
    return [
        {"id": c["id"], "injected": c["injected"], "detail": c["detail"], "report": c["report"]} for c in _build(seed)
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            for r in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"=== {r['id']} {kind} | {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
