"""Held-out report-check set 129, written blind.

Setting: hospitals of the British Crown Dependencies and Overseas Territories
(Jersey General, Princess Elizabeth in Guernsey, Noble's on the Isle of Man,
St Bernard's in Gibraltar, King Edward VII Memorial in Bermuda, the Cayman
Islands Health Services Authority): emergency department, ward, GP-referral
and pre-employment (work-permit) chest films, reported by small in-house
radiology departments and by UK teleradiology cover.  British spellings,
dd/mm/yyyy dates, "Clinical details" / "Comparison" / "Findings" /
"Conclusion" or "Opinion" headers, sign-off lines with GMC numbers.

Written without looking at any checker.  400 cases: 200 clean and 40 each of
missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder; half of every group composed from
the phrase bank below, half real IU reports (never a dev-set uid) re-laid-out
and lightly re-worded in the setting's style.

    python -m bench.make_heldout129 OUT.jsonl --seed S [--show N]
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

KINDS = [
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
]
N_CLEAN = 200
N_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# --------------------------------------------------------------------------
# IU reports
# --------------------------------------------------------------------------
_IU_CACHE: dict[str, list[dict]] = {}


def dev_uids() -> set[str]:
    p = shared_dir() / "eval" / "report_errors_dev.jsonl"
    uids = set()
    with open(p, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uids.add(json.loads(line).get("uid"))
    uids.discard(None)
    return uids


def load_iu() -> list[dict]:
    key = str(shared_dir())
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    path = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    out = []
    with tarfile.open(path) as tf:
        for m in tf:
            if not m.name.endswith(".xml"):
                continue
            s = tf.extractfile(m).read().decode("utf-8", "replace")
            mu = re.search(r'<uId id="([^"]+)"', s)
            if not mu:
                continue
            d = {"uid": mu.group(1)}
            for lab, txt in re.findall(
                r'<AbstractText Label="(\w+)">(.*?)</AbstractText>', s, re.S
            ):
                d[lab.lower()] = " ".join(html.unescape(txt).split())
            out.append(d)
    out.sort(key=lambda d: int(re.sub(r"\D", "", d["uid"]) or 0))
    _IU_CACHE[key] = out
    return out


SPELL = [
    (r"\bedema", "oedema"), (r"\bEdema", "Oedema"),
    (r"hemorrhag", "haemorrhag"), (r"esophag", "oesophag"),
    (r"Esophag", "Oesophag"), (r"\btumor", "tumour"),
    (r"centimeter", "centimetre"), (r"millimeter", "millimetre"),
    (r"\banemi", "anaemi"), (r"ischemi", "ischaemi"),
    (r"hematoma", "haematoma"), (r"orthopedic", "orthopaedic"),
    (r"pediatric", "paediatric"), (r"visualized", "visualised"),
    (r"Visualized", "Visualised"), (r"characterized", "characterised"),
    (r"recognized", "recognised"), (r"\bcolor", "colour"),
    (r"leukemi", "leukaemi"), (r"\bfavor", "favour"),
    (r"\b[Ss]tatus post\b", "post"), (r"\bx-ray\b", "X-ray"),
    (r"\b(upper|lower|mid) lung zones?\b", r"\1 zone"),
    (r"\b(upper|lower) lung\b", r"\1 zone"), (r"\bmidlung\b", "mid zone"),
    (r"\bbibasilar\b", "bibasal"), (r"\bbasilar\b", "basal"),
    (r"\bairspace disease\b", "airspace shadowing"),
    (r"\b[Ff]ollowup\b", "follow-up"), (r"\bosseous structures\b",
                                         "bony structures"),
    (r"\b([Pp])ulmonary vascularity\b", r"\1ulmonary vasculature"),
    (r"\.\.+", "."), (r"\s+\.", "."),
    (r"^(INDICATION|HISTORY)\s*:\s*", ""),
]


def britishise(text: str) -> str:
    for a, b in SPELL:
        text = re.sub(a, b, text)
    return text.strip()


NEG_CUE = re.compile(
    r"\b(no|not|without|negative|free of|resolved|resolution|resolving|clear|"
    r"removed|versus|vs|cannot|can't|may|possible|possibly|could|question|"
    r"questionable|suspected|concern|rule out|exclude|previously|prior|old|"
    r"chronic|stable|unchanged|trace|tiny|small|minimal|minor|mild|"
    r"healed|calcified|granuloma|scar|scarring|suggest|suggesting|known|"
    r"again|breast|probably|likely)\b|\?",
    re.I,
)
SIG_TERMS = {
    "effusion": r"effusions?",
    "pneumothorax": r"pneumothora(x|ces)",
    "consolidation": r"consolidation|airspace disease|air space disease|"
    r"infiltrates?|pneumonia",
    "oedema": r"edema|oedema",
    "mass": r"\bmass\b",
}
IMP_SYN = {
    "effusion": r"effusion|fluid",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidation|airspace|air space|infiltrate|pneumonia|"
    r"opacit|infection",
    "oedema": r"edema|oedema|failure|congest|chf",
    "mass": r"mass|neoplas|malignan|carcinoma|lesion",
}


def sentences(text: str) -> list[str]:
    text = re.sub(r"(^|\s)\d{1,2}\.\s+(?=[A-Za-z])", " ", text)
    return [s.strip() for s in re.split(r"(?<=[.;])\s+", text)
            if re.search(r"[A-Za-z]", s)]


def affirmed_sig(findings: str) -> list[str]:
    found = []
    for s in sentences(findings):
        if NEG_CUE.search(s):
            continue
        for k, pat in SIG_TERMS.items():
            if re.search(pat, s, re.I) and k not in found:
                found.append(k)
    return found


def any_mention(text: str) -> list[str]:
    return [k for k, p in SIG_TERMS.items() if re.search(p, text, re.I)]


SIDE = re.compile(r"\b(right|left)\b", re.I)
BAD_CHARS = re.compile(r"\[|\]|\*\*|<|>|___|\{|\}")


def iu_pools(rng: random.Random) -> dict[str, list[dict]]:
    dev = dev_uids()
    pools: dict[str, list[dict]] = {
        "clean": [], "omit": [], "lat": [], "neg_a": [], "neg_b": [],
        "any": [],
    }
    for d in load_iu():
        if d["uid"] in dev:
            continue
        f = d.get("findings", "")
        imp = d.get("impression", "")
        if not f or not imp or len(f) > 900 or len(imp) > 400:
            continue
        if BAD_CHARS.search(f + imp + d.get("indication", "")
                            + d.get("comparison", "")):
            continue
        aff = affirmed_sig(f)
        consistent = all(re.search(IMP_SYN[k], imp, re.I) for k in aff)
        if not consistent:
            continue
        # impression must not itself mention an acute finding the findings negate
        imp_aff = affirmed_sig(imp)
        if any(k not in any_mention(f) for k in imp_aff):
            continue
        pools["any"].append(d)
        fs = {m.lower() for m in SIDE.findall(f)}
        is_ = {m.lower() for m in SIDE.findall(imp)}
        if len(fs) == 1 and fs == is_ and any_mention(imp) and not \
                re.search(r"middle lobe|lingul|retrocardiac|hemidiaphragm",
                          f + imp, re.I):
            pools["lat"].append(d)
        if aff and any(k in ("effusion", "pneumothorax", "consolidation",
                             "oedema", "mass") for k in aff):
            pools["omit"].append(d)
        if not aff and not any_mention(imp) and not re.search(
                r"cardiomegaly|enlarge", f + imp, re.I):
            if re.search(r"\bno (pleural )?effusion|no pneumothorax|"
                         r"heart (size )?is normal|normal heart size|"
                         r"heart size (is )?(within )?normal|no focal "
                         r"(airspace )?consolidation|lungs are clear", f, re.I):
                pools["neg_a"].append(d)
        if re.search(r"\b(cardiomegaly|heart is (mildly |moderately )?"
                     r"enlarged|heart size is (mildly |moderately )?enlarged)",
                     f, re.I) and not re.search(r"\bno cardiomegaly|not enlarged",
                                                f, re.I):
            pools["neg_b"].append(d)
        pools["clean"].append(d)
    for v in pools.values():
        rng.shuffle(v)
    return pools


# --------------------------------------------------------------------------
# setting
# --------------------------------------------------------------------------
HOSPITALS = [
    ("Jersey General Hospital", "JGH"),
    ("Princess Elizabeth Hospital, Guernsey", "PEH"),
    ("Noble's Hospital, Isle of Man", "NOB"),
    ("St Bernard's Hospital, Gibraltar", "SBH"),
    ("King Edward VII Memorial Hospital, Bermuda", "KEMH"),
    ("Cayman Islands Health Services Authority", "HSA"),
]
RADS = [
    "Dr A. Le Breton", "Dr P. Quinlan", "Dr S. Mahy", "Dr K. Corlett",
    "Dr R. Caruana", "Dr M. Bautista", "Dr J. Outerbridge", "Dr T. Ebanks",
    "Dr H. Kinvig", "Dr L. Ozanne", "Dr N. Galliano", "Dr D. Christian",
]
TELERADS = ["Dr F. Whitcombe", "Dr I. Okafor", "Dr C. Pennington",
            "Dr E. Marsh", "Dr V. Raman"]

EXAM = {
    "ed": ["XR Chest PA", "CXR PA", "XR CHEST PA ERECT", "Chest X-ray PA",
           "XR Chest AP (trolley)"],
    "ward": ["XR Chest AP mobile", "CXR AP (ward portable)",
             "XR CHEST AP SEMI-ERECT", "Mobile chest radiograph AP"],
    "gp": ["XR Chest PA", "Chest radiograph PA", "CXR PA + lateral"],
    "pre": ["XR Chest PA (pre-employment)", "CXR PA - work permit medical",
            "Chest X-ray PA (immigration/work permit)"],
}
HIST = {
    "ed": ["SOB, ?LRTI", "Pleuritic chest pain, ?PE, ?pneumothorax",
           "Fall onto R side, chest wall pain", "Cough and fever 3/7, crackles",
           "Chest pain, trop negative", "Collapse, ?aspiration",
           "Tachycardic, SpO2 91% on air", "Asthmatic, wheeze, ?infection",
           "RTC, seatbelt injury", "Epigastric pain, ?perforation - erect CXR"],
    "ward": ["Post-op day 2, desaturating", "NG tube insertion - position?",
             "Increasing O2 requirement", "CCF, on IV furosemide - progress",
             "Temp spike, ?HAP", "Post central line insertion"],
    "gp": ["Persistent cough > 3/52", "Haemoptysis, ex-smoker (2WW)",
           "Weight loss, smoker 30 pack-years", "SOBOE, ankle oedema",
           "Recurrent chest infections", "Hoarse voice 6/52, smoker"],
    "pre": ["Pre-employment medical", "Work permit medical - TB screen",
            "Pre-employment screening (healthcare worker)",
            "Immigration medical, asymptomatic"],
}
COMPARISON = ["None.", "None available.", "No previous imaging.",
              "Previous CXR {d}.", "CXR {d}.", "Nil.", "Prior film {d}."]


def date(rng):
    dd, mm = rng.randint(1, 28), rng.randint(1, 12)
    return f"{dd:02d}/{mm:02d}/{rng.choice([2022, 2023, 2024, 2025])}"


# --------------------------------------------------------------------------
# phrase bank: normal statements and finding modules
# --------------------------------------------------------------------------
NORMAL = {
    "lungs": ["The lungs are clear.", "Clear lung fields.",
              "No focal consolidation.", "Lungs clear bilaterally.",
              "No focal lung lesion or consolidation is seen."],
    "pleura": ["No pleural effusion.", "The costophrenic angles are clear.",
               "No effusion."],
    "ptx": ["No pneumothorax.", "No pneumothorax is seen."],
    "heart": ["Heart size is normal.", "Normal cardiac size.",
              "The cardiothoracic ratio is within normal limits.",
              "Heart not enlarged."],
    "mediast": ["Mediastinal contours are normal.",
                "Normal hilar and mediastinal contours.",
                "The mediastinum is central and not widened."],
    "bones": ["No acute bony abnormality.", "Visualised bones are intact.",
              "Bony thorax unremarkable."],
}
NORMAL_IMP = [
    "No acute cardiopulmonary abnormality.", "Normal chest radiograph.",
    "No active lung disease.", "Normal study.", "No acute abnormality.",
    "No significant abnormality detected.", "Normal chest X-ray.",
    "No acute cardiopulmonary process.",
]
PRE_IMP = ["No radiographic evidence of active pulmonary tuberculosis.",
           "Normal chest X-ray. No evidence of active TB.",
           "No features of active or previous TB."]
GENERIC_OMIT_IMP = NORMAL_IMP + [
    "No acute findings.", "Unremarkable chest radiograph.",
    "No acute cardiopulmonary abnormality identified.",
]


def M(name, occ, f, i, sig, sided, neg_i=None, aff_i=None, ctx=("ed",),
      weight=1.0):
    return dict(name=name, occ=occ, f=f, i=i, sig=sig, sided=sided,
                neg_i=neg_i or [], aff_i=aff_i or [], ctx=ctx, w=weight)


MODULES = [
    M("consolidation", {"lungs"},
      ["There is airspace opacification in the {side} lower zone in keeping "
       "with consolidation.",
       "Patchy consolidation at the {side} base with air bronchograms.",
       "Ill-defined airspace shadowing in the {side} mid zone, likely "
       "consolidation."],
      ["{Side} lower zone consolidation, in keeping with infection in this "
       "clinical context. Suggest follow-up CXR in 6 weeks to confirm "
       "resolution.",
       "{Side} basal consolidation consistent with pneumonia.",
       "Consolidation in the {side} lung, likely infective."],
      True, True,
      neg_i=["The lungs are clear.", "No consolidation.",
             "No focal consolidation."],
      aff_i=["{Side} basal consolidation, likely infective.",
             "{Side} lower zone pneumonia."],
      ctx=("ed", "ward", "gp"), weight=3),
    M("small_effusion", {"pleura"},
      ["Small {side} pleural effusion blunting the costophrenic angle.",
       "Blunting of the {side} costophrenic angle, likely a small effusion."],
      ["Small {side} pleural effusion."],
      False, True,
      neg_i=["No pleural effusion."],
      aff_i=["Small {side} pleural effusion."],
      ctx=("ed", "ward", "gp"), weight=2),
    M("large_effusion", {"pleura", "lungs"},
      ["Moderate {side} pleural effusion with overlying basal atelectasis.",
       "Large {side} pleural effusion occupying the lower half of the "
       "hemithorax, with mild mediastinal shift away."],
      ["{Side} pleural effusion, moderate in size. Consider ultrasound-guided "
       "aspiration if clinically indicated.",
       "Moderate to large {side} pleural effusion."],
      True, True,
      neg_i=["No pleural effusion."],
      aff_i=["Moderate {side} pleural effusion."],
      ctx=("ed", "ward", "gp"), weight=1.5),
    M("pneumothorax", {"ptx", "lungs"},
      ["There is a {side} apical pneumothorax with a 2 cm apical rim. No "
       "mediastinal shift.",
       "{Side} pneumothorax, visceral pleural edge visible laterally, rim "
       "approximately 1.5 cm at the level of the hilum."],
      ["{Side} pneumothorax (approximately 2 cm apical rim). Discussed with "
       "the ED registrar at the time of reporting.",
       "{Side} sided pneumothorax, no tension features."],
      True, True,
      neg_i=["No pneumothorax."],
      aff_i=["Small {side} apical pneumothorax.",
             "{Side} pneumothorax."],
      ctx=("ed",), weight=1.2),
    M("mild_cardiomegaly", {"heart"},
      ["The heart is mildly enlarged (CTR approximately 0.56).",
       "Borderline cardiomegaly.",
       "Mild cardiomegaly."],
      ["Mild cardiomegaly.", "Mildly enlarged heart."],
      False, False,
      neg_i=["Normal heart size.", "Heart size is normal."],
      aff_i=["Mild cardiomegaly.", "Cardiomegaly."],
      ctx=("ed", "ward", "gp"), weight=2),
    M("failure", {"heart", "lungs", "pleura"},
      ["The heart is enlarged. There is upper lobe venous diversion with "
       "bilateral perihilar haze and septal lines, and small bilateral "
       "effusions.",
       "Cardiomegaly with interstitial pulmonary oedema and Kerley B lines. "
       "Small bilateral pleural effusions."],
      ["Appearances in keeping with cardiac failure.",
       "Cardiomegaly with pulmonary oedema, consistent with congestive "
       "cardiac failure."],
      True, False,
      neg_i=["No pulmonary oedema.", "No features of cardiac failure."],
      ctx=("ed", "ward"), weight=1.5),
    M("nodule", {"lungs"},
      ["There is a {n} mm rounded nodule projected over the {side} mid "
       "zone.",
       "A {n} mm well-defined nodular opacity is seen in the {side} upper "
       "zone."],
      ["{n} mm {side} lung nodule. CT chest recommended for further "
       "assessment.",
       "{Side} pulmonary nodule ({n} mm): suggest CT thorax."],
      True, True,
      neg_i=["No lung nodule or mass.", "No focal lung lesion."],
      ctx=("gp", "ed"), weight=1),
    M("mass", {"lungs", "mediast"},
      ["There is a lobulated 4 cm mass at the {side} hilum.",
       "A 35 mm mass projects over the {side} upper zone."],
      ["{Side} hilar mass, suspicious for malignancy. Recommend urgent CT "
       "chest and referral on the lung cancer pathway.",
       "{Side} upper zone mass - CT staging advised, GP informed (2WW)."],
      True, True,
      neg_i=["No lung mass."],
      ctx=("gp",), weight=0.8),
    M("free_air", {"diaph"},
      ["Free gas is present beneath both hemidiaphragms.",
       "On the erect film there is free subdiaphragmatic gas."],
      ["Pneumoperitoneum. Surgical team informed by telephone.",
       "Free intraperitoneal gas, in keeping with a perforated viscus."],
      True, False,
      neg_i=["No free subdiaphragmatic gas."],
      ctx=("ed",), weight=0.5),
    M("wide_mediast", {"mediast"},
      ["The superior mediastinum appears widened (approximately 9 cm).",
       "Widening of the upper mediastinum is noted."],
      ["Widened mediastinum. CT aortogram is advised to exclude aortic "
       "injury.",
       "Mediastinal widening - recommend CT."],
      True, False,
      neg_i=["Normal mediastinal width.", "Mediastinum not widened."],
      ctx=("ed",), weight=0.5),
    M("granuloma", set(),
      ["Small calcified granuloma in the {side} upper zone.",
       "Incidental calcified nodule at the {side} apex, in keeping with an "
       "old granuloma."],
      ["Old calcified granuloma in the {side} upper zone."],
      False, True, ctx=("gp", "pre", "ed"), weight=1.5),
    M("old_ribs", set(),
      ["Old healed fractures of the {side} 6th and 7th ribs.",
       "Healed {side} rib fractures."],
      ["Old {side} rib fractures."],
      False, True, ctx=("ed", "gp"), weight=1),
    M("copd", set(),
      ["The lungs are hyperinflated, consistent with COPD.",
       "Hyperexpanded lungs with flattened hemidiaphragms."],
      ["Hyperinflation in keeping with COPD.", "COPD changes."],
      False, False, ctx=("ed", "gp", "ward"), weight=1.5),
    M("atelectasis", set(),
      ["Minor linear atelectasis at the {side} base.",
       "Some subsegmental atelectasis at the {side} base."],
      ["Minor {side} basal atelectasis."],
      False, True, ctx=("ward", "ed"), weight=1.5),
    M("aorta", set(),
      ["Unfolded, mildly calcified thoracic aorta.",
       "Aortic knuckle calcification."],
      ["Unfolded aorta."],
      False, False, ctx=("gp", "ed", "ward"), weight=1.2),
    M("spine", set(),
      ["Degenerative changes in the thoracic spine.",
       "Mild thoracic spondylosis."],
      ["Thoracic spondylosis."],
      False, False, ctx=("gp", "ed"), weight=1),
    M("hiatus", set(),
      ["Retrocardiac hiatus hernia.",
       "A small hiatus hernia is noted behind the heart."],
      ["Incidental hiatus hernia."],
      False, False, ctx=("gp", "ward"), weight=0.7),
    M("ngt", set(),
      ["The NG tube passes below the diaphragm with its tip projected over "
       "the gastric fundus.",
       "Nasogastric tube in situ, tip in the stomach well below the "
       "diaphragm."],
      ["NG tube tip in the stomach - satisfactory position.",
       "Satisfactory NG tube position; safe to use."],
      False, False, ctx=("ward",), weight=1),
    M("cvc", {"ptx"},
      ["{Side} internal jugular central venous catheter with its tip "
       "projected at the cavoatrial junction. No pneumothorax.",
       "{Side} IJ line, tip in the lower SVC. No pneumothorax."],
      ["{Side} IJ line satisfactorily positioned. No pneumothorax."],
      False, True, ctx=("ward",), weight=0.8),
]
MOD = {m["name"]: m for m in MODULES}


def fill(text, side, n):
    other = "left" if side == "right" else "right"
    out = (text.replace("{Side}", side.capitalize())
           .replace("{side}", side).replace("{Other}", other.capitalize())
           .replace("{other}", other).replace("{n}", str(n)))
    return re.sub(r"\b([Aa]) (8|11|18) mm", r"\1n \2 mm", out)


def other_side(side):
    return "left" if side == "right" else "right"


class Synth:
    """One composed report: header fields, findings sentences, impression."""

    def __init__(self, rng, ctx=None, force=None, allow_sig=True,
                 n_find=None):
        self.rng = rng
        self.ctx = ctx or rng.choices(["ed", "ward", "gp", "pre"],
                                      [40, 20, 28, 12])[0]
        self.hosp = rng.choice(HOSPITALS)
        self.exam = rng.choice(EXAM[self.ctx])
        self.hist = rng.choice(HIST[self.ctx])
        self.date = date(rng)
        c = rng.choice(COMPARISON)
        self.comparison = c.replace("{d}", date(rng))
        self.tele = rng.random() < 0.35
        self.mods = []  # list of (module, side, n, fi, ii)
        names = []
        if force:
            names.append(force)
        if n_find is None:
            if self.ctx == "pre":
                n_find = rng.choices([0, 1], [85, 15])[0]
            else:
                n_find = rng.choices([0, 1, 2], [50, 35, 15])[0]
            if force:
                n_find = max(0, n_find - 1) if rng.random() < 0.6 else 0
        cands = [m for m in MODULES if self.ctx in m["ctx"]
                 and (allow_sig or not m["sig"])]
        used_occ = set(MOD[force]["occ"]) if force else set()
        tries = 0
        while len(names) < (1 if force else 0) + n_find and tries < 30:
            tries += 1
            m = rng.choices(cands, [x["w"] for x in cands])[0]
            if m["name"] in names or m["occ"] & used_occ:
                continue
            if m["name"] == "failure" and "mild_cardiomegaly" in names:
                continue
            names.append(m["name"])
            used_occ |= m["occ"]
        for nm in names:
            m = MOD[nm]
            side = rng.choice(["right", "left"])
            n = rng.choice([7, 8, 9, 10, 12, 14, 15, 18])
            fi = rng.randrange(len(m["f"]))
            ii = fi if len(m["i"]) == len(m["f"]) else \
                rng.randrange(len(m["i"]))
            self.mods.append([m, side, n, fi, ii])
        self.occ = used_occ
        self.normals = self._normals()
        nm = self.names()
        if "ngt" in nm:
            self.hist = "NG tube insertion - position?"
        elif "cvc" in nm:
            self.hist = "Post central line insertion"
        elif "wide_mediast" in nm:
            self.hist = rng.choice(["RTC, seatbelt injury",
                                    "Tearing chest pain radiating to back"])
        elif "free_air" in nm:
            self.hist = "Epigastric pain, ?perforation - erect CXR"
        else:
            while re.search(r"NG tube|central line|perforation", self.hist):
                self.hist = rng.choice(HIST[self.ctx])

    def _normals(self):
        rng = self.rng
        out = []
        keys = ["heart", "mediast", "lungs", "pleura", "ptx", "bones"]
        if rng.random() < 0.4:
            keys = ["lungs", "pleura", "ptx", "heart", "mediast", "bones"]
        combine = ("pleura" not in self.occ and "ptx" not in self.occ
                   and rng.random() < 0.5)
        for k in keys:
            if k in self.occ:
                if k == "lungs" and "failure" not in self.names():
                    side = next((s for m, s, *_ in self.mods
                                 if "lungs" in m["occ"] and m["sided"]), None)
                    if side and rng.random() < 0.5:
                        out.append(("lungs_other",
                                    f"The {other_side(side)} lung is clear."))
                continue
            if k == "bones" and rng.random() < 0.4:
                continue
            if k == "mediast" and rng.random() < 0.4:
                continue
            if k in ("pleura", "ptx") and combine:
                if k == "pleura":
                    out.append(("pleura+ptx", rng.choice(
                        ["No pleural effusion or pneumothorax.",
                         "No effusion or pneumothorax."])))
                continue
            out.append((k, rng.choice(NORMAL[k])))
        return out

    def names(self):
        return [m["name"] for m, *_ in self.mods]

    def finding_sents(self):
        rng = self.rng
        fs = [fill(m["f"][fi], s, n) for m, s, n, fi, ii in self.mods]
        ns = [t for _, t in self.normals]
        if rng.random() < 0.5:
            return fs + ns
        return ns[:2] + fs + ns[2:]

    def imp_sents(self):
        rng = self.rng
        sig = [x for x in self.mods if x[0]["sig"]]
        minor = [x for x in self.mods if not x[0]["sig"]]
        out = [fill(m["i"][ii], s, n) for m, s, n, fi, ii in sig]
        for m, s, n, _fi, ii in minor:
            if m["name"] in ("ngt", "cvc") or rng.random() < 0.6:
                out.append(fill(m["i"][ii], s, n))
        if not sig:
            if self.ctx == "pre" and not minor:
                out.append(rng.choice(PRE_IMP))
            elif not out:
                out.append(rng.choice(NORMAL_IMP))
            elif rng.random() < 0.5 and not any(
                    "no acute" in o.lower() for o in out):
                out.append("No acute cardiopulmonary abnormality.")
        return out


def signoff(rng, hosp, tele):
    if tele:
        r = rng.choice(TELERADS)
        g1, g2 = rng.randint(4000000, 7999999), rng.randint(4000000, 7999999)
        return rng.choice([
            f"Reported remotely by {r}, Consultant Radiologist (GMC {g1}), on "
            f"behalf of {hosp}.",
            f"Teleradiology report - {r}, FRCR. GMC {g2}.",
        ])
    r = rng.choice(RADS)
    return rng.choice([
        f"Reported by: {r}, Consultant Radiologist",
        f"{r}\nConsultant Radiologist, {hosp}",
        f"Dictated and verified by {r}",
        f"Electronically signed: {r} (Radiology)",
    ])


LAYOUTS = ["dept", "tele", "plain", "caps"]


def render(rng, *, hosp, exam, dt, hist, comparison, findings, impression,
           sign, tele, technique=None, layout=None, drop_imp=False,
           empty_imp=False, empty_find=False, drop_find=False):
    """findings: list of sentences; impression: list of sentences."""
    layout = layout or ("tele" if tele else rng.choice(["dept", "plain",
                                                        "caps"]))
    imp_hdr = rng.choice({"dept": ["Conclusion:", "Impression:", "Opinion:"],
                          "tele": ["OPINION:", "CONCLUSION:", "IMPRESSION:"],
                          "plain": ["Impression:", "Conclusion:", "Comment:"],
                          "caps": ["CONCLUSION", "IMPRESSION", "OPINION"]}
                         [layout])
    find_hdr = {"dept": "Findings:", "tele": "FINDINGS:",
                "plain": rng.choice(["Findings:", "Report:"]),
                "caps": "FINDINGS"}[layout]
    lines_style = rng.random() < 0.35
    ftxt = ("\n".join(findings) if lines_style else " ".join(findings))
    itxt = ("\n".join(f"{i + 1}. {s}" for i, s in enumerate(impression))
            if len(impression) > 1 and rng.random() < 0.4
            else " ".join(impression))
    if empty_find:
        ftxt = ""
    if empty_imp:
        itxt = ""
    parts = []
    if layout == "dept":
        parts.append(f"{hosp} - Department of Radiology")
        parts.append(f"Examination: {exam}    Date: {dt}")
        parts.append(f"Clinical details: {hist}")
        parts.append(f"Comparison: {comparison}")
    elif layout == "tele":
        parts.append(f"EXAMINATION: {exam.upper()}")
        parts.append(f"SITE: {hosp}    DATE OF EXAM: {dt}")
        parts.append(f"CLINICAL HISTORY: {hist}")
        parts.append(f"COMPARISON: {comparison}")
        parts.append("TECHNIQUE: %s" % (technique or rng.choice(
            ["AP projection.", "Single AP view."] if "AP" in exam.upper()
            else ["PA and lateral views."] if "LATERAL" in exam.upper()
            else ["Single PA view.", "PA erect.", "Frontal radiograph."])))
    elif layout == "plain":
        parts.append(f"{exam} ({dt})")
        parts.append(f"Clinical indication: {hist}")
        parts.append(f"Previous: {comparison}")
    else:
        parts.append(f"{hosp.upper()}\n{exam.upper()}   {dt}")
        parts.append(f"HISTORY: {hist}")
        parts.append(f"COMPARISON: {comparison}")
    sep = "\n" if layout == "caps" or lines_style else " "
    body = []
    if not drop_find:
        body.append(find_hdr + (sep + ftxt if ftxt else ""))
    if not drop_imp:
        isep = "\n" if (layout == "caps" or "\n" in itxt) else " "
        body.append(imp_hdr + (isep + itxt if itxt else ""))
    text = "\n".join(parts) + "\n\n" + "\n\n".join(body) + "\n\n" + sign
    return text


# --------------------------------------------------------------------------
# placeholders of the setting
# --------------------------------------------------------------------------
PH_SIDE = ["[side]", "[left/right]", "***", "[ ]", "<side>"]
PH_NUM = ["[ ]", "***", "[size]", "**", "[  ]"]
PH_WORD = ["***", "[ ]", "[***]", "<< >>", "[insert]", "[ * ]"]


# --------------------------------------------------------------------------
# synthetic builders
# --------------------------------------------------------------------------
def synth_common(s):
    return dict(hosp=s.hosp[0], exam=s.exam, dt=s.date, hist=s.hist,
                comparison=s.comparison, tele=s.tele,
                sign=signoff(s.rng, s.hosp[0], s.tele))


def synth_clean(rng):
    if rng.random() < 0.05:
        # impression-only report whose conclusion describes the film
        s = Synth(rng, n_find=0)
        imp = [rng.choice(["Heart size normal. Lungs clear. No pleural "
                           "effusion or pneumothorax.",
                           "Normal heart size and mediastinal contours. Clear "
                           "lungs, no effusion or pneumothorax. Bones intact."
                           ]), rng.choice(NORMAL_IMP)]
        return render(rng, findings=[], impression=imp, drop_find=True,
                      **synth_common(s)), "impression-only normal report"
    s = Synth(rng)
    return (render(rng, findings=s.finding_sents(),
                   impression=s.imp_sents(), **synth_common(s)),
            "composed: " + (", ".join(s.names()) or "normal"))


def synth_missing(rng):
    s = Synth(rng)
    f, i = s.finding_sents(), s.imp_sents()
    r = rng.random()
    if r < 0.35:
        return (render(rng, findings=f, impression=i, empty_imp=True,
                       **synth_common(s)),
                "conclusion header left empty (%s)" % (", ".join(s.names())
                                                       or "normal"))
    if r < 0.7:
        return (render(rng, findings=f, impression=i, drop_imp=True,
                       **synth_common(s)),
                "no conclusion/impression section at all")
    if r < 0.85:
        return (render(rng, findings=f, impression=[rng.choice(
            ["As above.", "See above.", "Please see findings."])],
            empty_find=True, **synth_common(s)),
            "findings section empty; conclusion only says 'as above'")
    return (render(rng, findings=f, impression=[rng.choice(
        ["Further imaging as clinically indicated.",
         "Please correlate clinically."])], empty_find=True,
        **synth_common(s)),
        "findings section left blank; conclusion does not describe the film")


SIDED_SIG = ["consolidation", "large_effusion", "pneumothorax", "nodule",
             "mass", "small_effusion", "granuloma", "cvc", "old_ribs"]


def synth_laterality(rng):
    nm = rng.choices(SIDED_SIG, [4, 2, 2, 1.5, 1, 2, 0.5, 0.5, 0.5])[0]
    s = Synth(rng, ctx=rng.choice(MOD[nm]["ctx"]), force=nm)
    m = s.mods[0]
    side = m[1]
    f = s.finding_sents()
    # make sure the forced finding is in the impression
    i = s.imp_sents()
    fi_txt = fill(m[0]["i"][m[4]], side, m[2])
    if fi_txt not in i:
        i.insert(0, fi_txt)
    where = rng.random()
    if where < 0.65:
        bad = fill(m[0]["i"][m[4]], other_side(side), m[2])
        i[i.index(fi_txt)] = bad
        det = f"{nm} is {side} in findings but {other_side(side)} in the conclusion"
    else:
        ff = fill(m[0]["f"][m[3]], side, m[2])
        idx = f.index(ff)
        f[idx] = fill(m[0]["f"][m[3]], other_side(side), m[2])
        # avoid "other lung clear" saying the flipped side
        f = [x for x in f if not x.startswith(f"The {other_side(side)} lung is clear")]
        det = f"{nm} dictated on the {other_side(side)} in findings, {side} in the conclusion"
    return render(rng, findings=f, impression=i, **synth_common(s)), det


def synth_negation(rng):
    r = rng.random()
    if r < 0.5:
        # impression affirms a finding the findings negate
        nm = rng.choice(["consolidation", "small_effusion", "large_effusion",
                         "pneumothorax", "mild_cardiomegaly",
                         "mild_cardiomegaly"])
        m = MOD[nm]
        key = {"consolidation": "lungs", "small_effusion": "pleura",
               "large_effusion": "pleura", "pneumothorax": "ptx",
               "mild_cardiomegaly": "heart"}[nm]
        s = Synth(rng, allow_sig=False, n_find=rng.choice([0, 0, 1]))
        if key in s.occ or (key == "lungs" and "copd" in s.names()):
            s = Synth(rng, allow_sig=False, n_find=0)
        norm_sent = rng.choice(NORMAL[key] if key != "lungs" else
                               ["The lungs are clear.", "No focal "
                                "consolidation.", "Lungs clear bilaterally."])
        drop = {key}
        if key in ("pleura", "ptx"):
            drop |= {"pleura+ptx"}
        had_combo = any(x[0] == "pleura+ptx" for x in s.normals)
        s.normals = [x for x in s.normals if x[0] not in drop]
        s.normals.insert(0, (key, norm_sent))
        if had_combo and key in ("pleura", "ptx"):
            s.normals.append(("ptx" if key == "pleura" else "pleura",
                              NORMAL["ptx" if key == "pleura" else
                                     "pleura"][0]))
        side = rng.choice(["right", "left"])
        f = s.finding_sents()
        i = [fill(rng.choice(m["aff_i"]), side, 9)]
        if rng.random() < 0.4:
            i.append("Otherwise no acute abnormality.")
        det = f"findings: '{norm_sent}' but conclusion affirms {nm}"
        return render(rng, findings=f, impression=i, **synth_common(s)), det
    nm = rng.choice(["consolidation", "consolidation", "large_effusion",
                     "small_effusion", "pneumothorax", "mild_cardiomegaly",
                     "mild_cardiomegaly", "failure", "nodule"])
    m = MOD[nm]
    s = Synth(rng, ctx=rng.choice(m["ctx"]), force=nm, n_find=0)
    f = s.finding_sents()
    neg = rng.choice(m["neg_i"])
    i = [neg]
    if rng.random() < 0.5:
        i.append(rng.choice(["Otherwise unremarkable.",
                             "No other abnormality."]))
    det = f"findings describe {nm}; conclusion states '{neg}'"
    return render(rng, findings=f, impression=i, **synth_common(s)), det


def synth_omit(rng):
    nm = rng.choices(["consolidation", "large_effusion", "pneumothorax",
                      "failure", "nodule", "mass", "free_air",
                      "wide_mediast"], [5, 3, 3, 3, 2, 1, 1, 1])[0]
    m = MOD[nm]
    s = Synth(rng, ctx=rng.choice(m["ctx"]), force=nm, allow_sig=False)
    f = s.finding_sents()
    i = []
    minors = [x for x in s.mods[1:]]
    if minors and rng.random() < 0.6:
        mm, sd, n, fi, ii = minors[0]
        i.append(fill(mm["i"][ii], sd, n))
    if not i or rng.random() < 0.6:
        i.append(rng.choice(GENERIC_OMIT_IMP))
    det = f"findings report {nm}; conclusion is a normal/other statement"
    return render(rng, findings=f, impression=i, **synth_common(s)), det


def synth_placeholder(rng):
    r = rng.random()
    if r < 0.3:
        nm = rng.choice(["consolidation", "small_effusion", "large_effusion",
                         "pneumothorax", "granuloma", "atelectasis"])
        s = Synth(rng, ctx=rng.choice(MOD[nm]["ctx"]), force=nm, n_find=0)
        f, i = s.finding_sents(), s.imp_sents()
        ph = rng.choice(PH_SIDE)
        m = s.mods[0]
        ff = fill(m[0]["f"][m[3]], m[1], m[2])
        new = re.sub(rf"\b{m[1]}\b", ph, ff, count=1, flags=re.I)
        if new == ff:
            new = re.sub(rf"\b{m[1]}\b", ph, ff, count=1, flags=re.I)
        f[f.index(ff)] = new
        return (render(rng, findings=f, impression=i, **synth_common(s)),
                f"side left as template field {ph} in findings")
    if r < 0.45:
        s = Synth(rng, ctx="gp", force="nodule", n_find=0)
        f, i = s.finding_sents(), s.imp_sents()
        ph = rng.choice(PH_NUM)
        m = s.mods[0]
        ff = fill(m[0]["f"][m[3]], m[1], m[2])
        f[f.index(ff)] = ff.replace(str(m[2]) + " mm", ph + " mm").replace(
            "an " + ph, "a " + ph)
        i = [x.replace(str(m[2]) + " mm", ph + " mm") for x in i]
        return (render(rng, findings=f, impression=i, **synth_common(s)),
                f"nodule size left as {ph}")
    s = Synth(rng)
    f, i = s.finding_sents(), s.imp_sents()
    com = synth_common(s)
    ph = rng.choice(PH_WORD)
    if r < 0.6:
        com["hist"] = ph
        det = f"clinical details field left as {ph}"
    elif r < 0.72:
        com["comparison"] = "Previous CXR dated {}.".format(rng.choice(
            ["[date]", "**/**/****", "[ ]", "<date>"]))
        det = "comparison date field not filled"
    elif r < 0.86:
        # a normal statement with the key word blanked
        j = rng.randrange(len(f))
        words = f[j].split()
        cand = [k for k, w in enumerate(words)
                if re.fullmatch(r"(clear|normal|intact|unremarkable|"
                                r"effusion|pneumothorax)\.?", w, re.I)]
        if not cand:
            com["hist"] = ph
            det = f"clinical details field left as {ph}"
        else:
            k = rng.choice(cand)
            dot = "." if words[k].endswith(".") else ""
            words[k] = ph + dot
            f[j] = " ".join(words)
            det = f"word in findings left as {ph}"
    else:
        i = i + [rng.choice([f"Follow-up: {ph}.",
                             f"Recommend {ph}.",
                             f"Discussed with {ph}."])]
        det = f"template line in conclusion left as {ph}"
    return render(rng, findings=f, impression=i, **com), det


# --------------------------------------------------------------------------
# IU builders
# --------------------------------------------------------------------------
def iu_common(rng, d):
    ctx = rng.choices(["ed", "ward", "gp", "pre"], [40, 20, 28, 12])[0]
    hosp = rng.choice(HOSPITALS)
    tele = rng.random() < 0.35
    hist = britishise(d.get("indication", "")) or rng.choice(HIST[ctx])
    comp = britishise(d.get("comparison", "")) or "None."
    return dict(hosp=hosp[0], exam=rng.choice(EXAM[ctx]), dt=date(rng),
                hist=hist, comparison=comp, tele=tele,
                sign=signoff(rng, hosp[0], tele))


def iu_fi(d):
    return ([britishise(x) for x in sentences(d["findings"])],
            [britishise(x) for x in sentences(d["impression"])])


def iu_clean(rng, d):
    f, i = iu_fi(d)
    return render(rng, findings=f, impression=i, **iu_common(rng, d)), \
        "IU {} re-laid-out".format(d["uid"])


def iu_missing(rng, d):
    f, i = iu_fi(d)
    if rng.random() < 0.5:
        return (render(rng, findings=f, impression=i, empty_imp=True,
                       **iu_common(rng, d)),
                "IU {}: impression emptied".format(d["uid"]))
    return (render(rng, findings=f, impression=i, drop_imp=True,
                   **iu_common(rng, d)),
            "IU {}: impression section removed".format(d["uid"]))


def flip(text):
    return SIDE.sub(lambda m: {"right": "left", "left": "right",
                               "Right": "Left", "Left": "Right",
                               "RIGHT": "LEFT", "LEFT": "RIGHT"}
                    .get(m.group(0), m.group(0)), text)


def iu_laterality(rng, d):
    f, i = iu_fi(d)
    if rng.random() < 0.6:
        # flip the sided impression sentence(s)
        j = next(k for k, x in enumerate(i) if SIDE.search(x))
        i[j] = flip(i[j])
        where = "impression"
    else:
        ks = [k for k, x in enumerate(f) if SIDE.search(x)]
        for k in ks:
            f[k] = flip(f[k])
        where = "findings"
    return (render(rng, findings=f, impression=i, **iu_common(rng, d)),
            "IU {}: side flipped in {}".format(d["uid"], where))


def iu_negation(rng, d, mode):
    f, i = iu_fi(d)
    if mode == "a":
        ftxt = " ".join(f).lower()
        opts = []
        if re.search(r"no (pleural )?effusion|no .{0,30}effusion", ftxt):
            opts.append(rng.choice(["Small {side} pleural effusion.",
                                    "{Side} pleural effusion."]))
        if "no pneumothorax" in ftxt or "no evidence of pneumothorax" in ftxt:
            opts.append("Small {side} apical pneumothorax.")
        if re.search(r"heart (size )?is normal|normal heart size|heart size "
                     r"(is )?(within )?normal", ftxt):
            opts.append("Cardiomegaly.")
        if re.search(r"lungs are clear|no focal (airspace )?consolidation",
                     ftxt):
            opts.append("{Side} lower lobe consolidation, likely pneumonia.")
        if not opts:
            return None
        new = fill(rng.choice(opts), rng.choice(["right", "left"]), 0)
        i = [new] + (["Otherwise no acute abnormality."]
                     if rng.random() < 0.4 else [])
        return (render(rng, findings=f, impression=i, **iu_common(rng, d)),
                "IU {}: impression replaced with '{}' which findings negate".format(d["uid"], new))
    new = rng.choice(["Normal heart size. No acute abnormality.",
                      "Heart size is normal.",
                      "No cardiomegaly. No acute cardiopulmonary abnormality."])
    return (render(rng, findings=f, impression=[new], **iu_common(rng, d)),
            "IU {}: findings describe enlarged heart, impression '{}'".format(d["uid"], new))


def iu_omit(rng, d):
    f, i = iu_fi(d)
    new = rng.choice(GENERIC_OMIT_IMP)
    return (render(rng, findings=f, impression=[new], **iu_common(rng, d)),
            "IU {}: impression replaced by '{}' (findings: {})".format(
                d["uid"], new, ", ".join(affirmed_sig(d["findings"]))))


def iu_placeholder(rng, d):
    f, i = iu_fi(d)
    com = iu_common(rng, d)
    sec = f if rng.random() < 0.7 else i
    cands = []
    for j, s in enumerate(sec):
        for mm in re.finditer(r"\b(right|left|normal|clear|\d+(\.\d+)?|"
                              r"small|mild|moderate|stable|unchanged)\b", s,
                              re.I):
            cands.append((j, mm))
    if not cands:
        ph = rng.choice(PH_WORD)
        com["hist"] = ph
        return (render(rng, findings=f, impression=i, **com),
                "IU {}: clinical history left as {}".format(d["uid"], ph))
    pref = [c for c in cands if not re.fullmatch(r"normal|clear",
                                                 c[1].group(0), re.I)]
    j, mm = rng.choice(pref if pref and rng.random() < 0.6 else cands)
    w = mm.group(0).lower()
    ph = rng.choice(PH_SIDE if w in ("right", "left") else
                    PH_NUM if w[0].isdigit() else PH_WORD)
    sec[j] = sec[j][:mm.start()] + ph + sec[j][mm.end():]
    return (render(rng, findings=f, impression=i, **com),
            "IU {}: '{}' replaced with {}".format(d["uid"], mm.group(0), ph))


# --------------------------------------------------------------------------
def build(seed) -> list[dict]:
    rng = random.Random(f"h129-{seed}")
    pools = iu_pools(random.Random(f"h129-pool-{seed}"))
    used: set[str] = set()

    def take(pool, k):
        out = []
        for d in pools[pool]:
            if d["uid"] in used:
                continue
            used.add(d["uid"])
            out.append(d)
            if len(out) == k:
                break
        return out

    rows = []

    def add(kind, res):
        text, det = res
        rows.append({"injected": kind, "detail": det, "report": text})

    half_c, half_k = N_CLEAN // 2, N_KIND // 2
    # IU, error kinds first (scarcer pools)
    for d in take("lat", half_k):
        add("laterality_conflict", iu_laterality(rng, d))
    for d in take("omit", half_k):
        add("impression_omits_finding", iu_omit(rng, d))
    nb = take("neg_b", 6)
    for d in nb:
        add("negation_conflict", iu_negation(rng, d, "b"))
    cnt = len(nb)
    for d in pools["neg_a"]:
        if cnt >= half_k:
            break
        if d["uid"] in used:
            continue
        res = iu_negation(rng, d, "a")
        if res:
            used.add(d["uid"])
            add("negation_conflict", res)
            cnt += 1
    for d in take("clean", half_k):
        add("missing_section", iu_missing(rng, d))
    for d in take("clean", half_k):
        add("placeholder", iu_placeholder(rng, d))
    for d in take("clean", half_c):
        add(None, iu_clean(rng, d))
    # synthetic
    for _ in range(half_c):
        add(None, synth_clean(rng))
    for fn, kind in [(synth_missing, "missing_section"),
                     (synth_laterality, "laterality_conflict"),
                     (synth_negation, "negation_conflict"),
                     (synth_omit, "impression_omits_finding"),
                     (synth_placeholder, "placeholder")]:
        for _ in range(half_k):
            add(kind, fn(rng))
    rng.shuffle(rows)
    out = []
    for n, r in enumerate(rows):
        out.append({"id": f"h129-{seed}-{n}", "injected": r["injected"],
                    "detail": r["detail"], "report": r["report"]})
    return out


def main(argv=None) -> int:
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
        for kind in [None] + KINDS:
            for r in [x for x in rows if x["injected"] == kind][:a.show]:
                print("=" * 70)
                print(r["id"], r["injected"], "|", r["detail"])
                print("-" * 70)
                print(r["report"])
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
