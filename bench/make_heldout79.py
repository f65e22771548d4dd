"""Held-out report-check set 79, written blind.

Setting: US military treatment facilities -- Army, Navy and Air Force hospitals and clinics (active-duty
members, dependants and retirees; sick call, ED, pre-deployment and routine physicals, inpatient wards),
read by military and civilian radiologists.  Reports are laid out as the legacy CHCS result screen
(Procedure / Exam Date / Reason for Exam / Result Code / Interpreted By), MHS GENESIS / PowerScribe
templates (EXAM / CLINICAL HISTORY / COMPARISON / TECHNIQUE / FINDINGS / IMPRESSION, "Electronically
signed by"), short teleradiology layouts (CONCLUSION / OPINION) and structured organ-system templates,
with military dates (14 Mar 2026), 24-hour times, ranks and corps in the sign-off lines, and the
setting's abbreviations (ADSM, PHA, PDHA, SRP, s/p, r/o, PA/lat).

400 cases: 200 clean and 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder.  Half of every group is composed from the phrase bank below,
half are real IU reports (never one whose uid is in the dev set) re-laid-out and lightly re-worded.

    python -m bench.make_heldout79 OUT.jsonl --seed S [--show N]
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

_REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else _REPO.parent / "shared"


# ----------------------------------------------------------------------------------------------------
# real IU reports
# ----------------------------------------------------------------------------------------------------

_IU_CACHE: dict[str, list[dict]] = {}
_LABEL_RE = re.compile(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', re.S)
_UID_RE = re.compile(r'<uId id="([^"]+)"')


def dev_uids() -> set[str]:
    out = set()
    with open(shared_dir() / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.add(json.loads(line)["uid"])
    return out


def load_iu() -> list[dict]:
    key = str(shared_dir())
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    rows = []
    with tarfile.open(shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz", "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            txt = tf.extractfile(m).read().decode("utf-8", "replace")
            mu = _UID_RE.search(txt)
            if not mu:
                continue
            sec = {k.lower(): " ".join(html.unescape(v).split()) for k, v in _LABEL_RE.findall(txt)}
            rows.append({"uid": mu.group(1), **{k: sec.get(k, "") for k in
                                                 ("findings", "impression", "indication", "comparison")}})
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE[key] = rows
    return rows


NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|clear of|resolved|resolution|removed|rather|versus|"
                     r"vs|or|previously|prior|cannot|exclude|excluded|questionable|possible|possibly|may|"
                     r"might|could|suggest|suspect|concern|chronic|stable|unchanged|old|healed|scar|"
                     r"scarring|improv\w*|decreas\w*|resolv\w*|interval)\b", re.I)
SIG = {
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|pneumonia|airspace (disease|opacit)|infiltrate",
    "edema": r"edema|vascular congestion|pulmonary congestion|\bchf\b",
    "effusion": r"effusion",
    "mass": r"\bmass\b",
}
SMALL = re.compile(r"\b(small|trace|tiny|minimal|minimally|slight|blunting|bilateral|bibasilar)\b", re.I)
WEAK = re.compile(r"streak|subsegment|linear|minimal|mild|atelecta|bibasilar|bilateral", re.I)
BAD_CHARS = re.compile(r"\[|\]|\*\*|__|<|>|\{|\}|\?")
SIDE_RE = re.compile(r"\b(right|left)\b", re.I)
GROUPS = {
    "effusion": r"effusion|costophrenic",
    "pneumothorax": r"pneumothora",
    "air": r"opacit|consolidat|infiltrat|pneumonia|atelecta|airspace|density",
    "nodule": r"nodul|granulom|mass|calcifi",
    "fracture": r"fractur|\brib",
    "diaphragm": r"hemidiaphragm|diaphragm",
}


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text.strip()) if s]


def affirmed(text: str, pat: str) -> list[str]:
    out = []
    for s in sentences(text):
        if re.search(pat, s, re.I) and not NEG_CUE.search(s):
            out.append(s)
    return out


NORMAL_IMP = re.compile(r"^(\d\.\s*)?(no acute|normal chest|no active|negative|no evidence of acute|"
                        r"no radiographic evidence of acute|heart size and lungs? (are )?normal|no acute "
                        r"cardiopulmonary)[^.]*\.?$", re.I)
ABN_WORDS = re.compile(r"effusion|pneumothora|consolidat|pneumonia|opacit|infiltrat|edema|congest|mass|nodul|"
                       r"cardiomegaly|enlarg|atelecta|fractur|widen|hernia|emphysema|copd|hyperinfla|granulom|"
                       r"scar|calcif|degenerat|tortuous|catheter|tube|line|pacemaker|sternotomy|clips", re.I)

REWORD = [
    (r"\bThere is no evidence of\b", "No evidence of"),
    (r"\bThere is no\b", "No"),
    (r"\bThere are no\b", "No"),
    (r"\bThe lungs are clear\b", "Lungs are clear"),
    (r"\bThe heart is normal in size\b", "Heart size is normal"),
    (r"\bwithin normal limits\b", "WNL"),
    (r"\bx-XXXX\b", "radiograph"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary process"),
    (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary process"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal contours"),
    (r"\bpneumothoraces\b", "pneumothorax"),
    (r"\bosseous structures\b", "bony structures"),
]


def reword(text: str, rng: random.Random) -> str:
    text = re.sub(r"\.\s*\.", ".", text).strip()
    for pat, rep in REWORD:
        if rng.random() < 0.55:
            text = re.sub(pat, rep, text)
    text = re.sub(r"\bNo are\b", "No", text)
    return text


STOP = {"there", "with", "which", "this", "that", "from", "seen", "noted", "present", "lung", "lungs",
        "right", "left", "small", "again", "likely", "represent", "within", "over", "versus"}


def best_pair(fs: list[str], is_: list[str]) -> tuple[int, int] | None:
    """The findings and impression sentences that name the same sided finding (most shared words)."""
    best, out = 0, None
    for a, x in enumerate(fs):
        if not SIDE_RE.search(x):
            continue
        for b, y in enumerate(is_):
            if not SIDE_RE.search(y):
                continue
            groups = [g for g, gp in GROUPS.items() if re.search(gp, x, re.I) and re.search(gp, y, re.I)]
            if not groups:
                continue
            wx = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", x)} - STOP
            wy = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", y)} - STOP
            score = len(wx & wy)
            if score >= 2 and score > best:
                best, out = score, (a, b)
    return out


def iu_pools(rows: list[dict], excl: set[str]) -> dict[str, list[dict]]:
    """Sort the real reports into pools a consultant would sign as they stand."""
    pools: dict[str, list[dict]] = {"normal": [], "abnormal_ok": [], "omit": [], "lat": [], "short_imp": [],
                                    "minor_ok": []}
    for r in rows:
        f, i = r["findings"], r["impression"]
        if r["uid"] in excl or not f or not i or len(f) < 40:
            continue
        if BAD_CHARS.search(f + i + r["indication"] + r["comparison"]):
            continue
        imp_normal = bool(NORMAL_IMP.match(i.strip())) and not ABN_WORDS.search(i)
        f_sig = {k for k, p in SIG.items() if affirmed(f, p)}
        sides_f = {s.lower() for s in SIDE_RE.findall(f)}
        sides_i = {s.lower() for s in SIDE_RE.findall(i)}
        if imp_normal and not f_sig and not sides_f and not re.search(r"enlarg|cardiomegaly|widen|nodul", f, re.I):
            pools["normal"].append(r)
            if len(i) < 70 and not re.search(r"lung|heart|pleura|effusion|pneumothorax", i, re.I):
                pools["short_imp"].append(r)
            continue
        if imp_normal or len(sides_f | sides_i) > 1:
            continue
        # every significant finding the findings affirm is named in the impression
        i_sig = {k for k, p in SIG.items() if affirmed(i, p)}
        if not f_sig and not i_sig and sides_i <= sides_f and not re.search(
                r"nodul|mass|widen|pneumothora|\bnew\b|increas|opacit|infiltrat|consolidat|edema|effusion",
                f + " " + i, re.I):
            pools["minor_ok"].append(r)
        if f_sig and f_sig <= i_sig and not re.search(r"\bnodul", f, re.I):
            if sides_i <= sides_f:
                pools["abnormal_ok"].append(r)
            omit_keys = [k for k in f_sig if (k != "effusion" or any(
                re.search(r"moderate|large", s, re.I) and not re.search(r"pericardial", s, re.I)
                for s in affirmed(f, SIG[k])))
                         and (k != "mass" or not re.search(r"breast|known", f, re.I))
                         and (k != "edema" or not re.search(r"mild (pulmonary )?(vascular )?congestion", f, re.I))
                         and (k != "consolidation" or (any(not WEAK.search(s) for s in affirmed(f, SIG[k]))
                                                      and re.search(r"pneumonia|consolidat|airspace disease|infiltrat",
                                                                    i, re.I)))]
            if omit_keys:
                pools["omit"].append({**r, "_keys": omit_keys})
        # laterality: one side only, named in both sections with a matching finding group
        if len(sides_f) == 1 and sides_f == sides_i and not re.search(r"bilateral|both", f + i, re.I):
            side = next(iter(sides_f))
            fs = [s for s in sentences(f) if re.search(rf"\b{side}\b", s, re.I)]
            is_ = [s for s in sentences(i) if re.search(rf"\b{side}\b", s, re.I)]
            for g, gp in GROUPS.items():
                if any(re.search(gp, s, re.I) for s in fs) and any(re.search(gp, s, re.I) for s in is_):
                    if best_pair(sentences(f), re.split(r"(?<=[.])\s+", i)) and not re.search(r"KUB|abdom", f):
                        pools["lat"].append({**r, "_group": g})
                    break
    omit_uids = {r["uid"] for r in pools["omit"]}
    pools["abnormal_ok"] = [r for r in pools["abnormal_ok"] if r["uid"] not in omit_uids]
    pools["lat"] = [r for r in pools["lat"] if r["uid"] not in omit_uids]
    return pools


# ----------------------------------------------------------------------------------------------------
# the setting: headers, histories, sign-offs
# ----------------------------------------------------------------------------------------------------

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
RADS = [
    "MAJ Daniel R. Ortiz, MC, USA", "CPT Jennifer L. Park, MC, USA", "LTC Marcus D. Greene, MC, USA",
    "LCDR Sarah K. Whitfield, MC, USN", "CDR Aaron J. Patel, MC, USN", "LT Kevin M. Brandt, MC, USN",
    "Maj Lisa M. Chen, USAF, MC", "Lt Col Brian T. Hale, USAF, MC", "Capt Rachel E. Soto, USAF, MC",
    "Michael P. Donnelly, MD", "Susan A. Kowalski, DO", "Thomas W. Reyes, MD (GS civilian)",
]
LOCS = ["FAMILY MEDICINE CLINIC", "EMERGENCY DEPT", "TROOP MEDICAL CLINIC", "FLIGHT MEDICINE", "INTERNAL MED CLINIC",
        "4 WEST MED/SURG", "ICU", "SOLDIER READINESS CENTER", "BRANCH HEALTH CLINIC", "URGENT CARE",
        "OPERATIONAL MEDICINE", "PULMONARY CLINIC"]
PATIENTS_AD = ["{a} y/o AD male", "{a} yo AD female", "{a} yo M ADSM", "{a} y/o F ADSM",
               "{a} y/o male, Reservist on orders", "{a} yo Marine", "{a} yo Sailor", "{a} y/o Airman"]
PATIENTS_OLD = ["{a} y/o retired male", "{a} yo retiree", "{a} yo F dependent", "{a} yo dependent spouse",
                "{a} y/o male, TRICARE For Life"]
HIST_NORMAL = [
    "Pre-deployment screening.", "PDHA, routine.", "SRP, routine CXR.", "Annual PHA.", "Positive PPD, asymptomatic.",
    "Positive QuantiFERON, no symptoms. TB screening.", "Flight physical.", "Dive physical.", "Pre-op, knee scope.",
    "Pre-op for lap chole.", "Cough x 5 days, r/o PNA.", "URI symptoms, cough.", "Chest pain, atypical.",
    "SOB on exertion.", "Fever and cough, eval for pneumonia.", "Asthma exacerbation.", "Separation physical.",
    "MEB evaluation.", "Smoker, cough.", "Pleuritic chest pain.", "Hemoptysis x1, r/o infiltrate.",
    "s/p fall, rib pain.", "MVC, chest wall pain.", "Shortness of breath.", "Wheezing.", "Sick call, cough x 1 week.",
]
HIST_SIG = {
    "pneumonia": ["Fever, productive cough.", "Cough and fever x 4 days, r/o PNA.", "Sick call, febrile, crackles.",
                  "Hypoxia, fever."],
    "effusion": ["SOB, decreased breath sounds.", "Dyspnea.", "Pleuritic chest pain, SOB."],
    "ptx": ["Sudden onset chest pain and SOB.", "Pleuritic chest pain, r/o PTX.",
            "Chest pain, tall thin male."],
    "chf": ["CHF exacerbation.", "SOB, bilateral leg edema.", "Dyspnea, hx CHF."],
    "nodule": ["Cough.", "Smoker, 30 pack-years.", "Routine physical.", "Weight loss."],
    "mass": ["Weight loss, smoker.", "Hemoptysis.", "Persistent cough."],
}

EXAM_2V = ["CHEST 2 VIEWS PA & LAT", "XR CHEST PA AND LATERAL", "CHEST, PA AND LATERAL", "XR Chest 2 Views",
           "CHEST PA/LAT (CXR)"]
EXAM_1V = ["XR CHEST 1 VIEW PORTABLE", "CHEST 1 VIEW AP PORTABLE", "XR Chest Portable AP"]


def mil_date(rng: random.Random, year: int = 2026) -> str:
    return f"{rng.randint(1, 28):02d} {rng.choice(MONTHS)} {year}"


def mil_time(rng: random.Random) -> str:
    return f"{rng.randint(0, 23):02d}{rng.choice(['00', '12', '18', '27', '34', '41', '45', '52'])}"


# ----------------------------------------------------------------------------------------------------
# phrase bank: findings
# ----------------------------------------------------------------------------------------------------

LOBES = {"upper lobe": "upper lobe", "lower lobe": "lower lobe", "mid lung": "mid lung", "apex": "apex"}
N_HEART = ["Heart size is normal.", "Cardiomediastinal silhouette is within normal limits.",
           "Normal cardiac and mediastinal contours.", "The heart is not enlarged. Mediastinum is normal.",
           "Heart and mediastinum are normal in size and contour."]
N_LUNG = ["The lungs are clear.", "Lungs are clear bilaterally.", "Lungs are well expanded and clear.",
          "No focal airspace disease.", "No focal consolidation."]
N_LUNG_OTHER = ["The lungs are otherwise clear.", "No other focal airspace disease.", "Lungs are otherwise clear."]
N_PLEURA = ["No pleural effusion or pneumothorax.", "No pneumothorax or pleural effusion.",
            "No effusion or pneumothorax. Costophrenic angles are sharp.", "No pleural abnormality."]
N_BONE = ["No acute osseous abnormality.", "Osseous structures are intact.", "Visualized bones are unremarkable.",
          "No acute bony abnormality.", "Bony thorax is intact."]
NORMAL_MACROS = ["No acute cardiopulmonary process.", "No acute cardiopulmonary disease.",
                 "No acute cardiopulmonary abnormality.", "No radiographic evidence of acute cardiopulmonary disease.",
                 "No acute intrathoracic process.", "No acute findings in the chest."]
PURE_NORMAL = ["Normal chest.", "Negative chest.", "Normal PA and lateral chest radiograph.", "Normal chest x-ray."]


def _side(rng: random.Random) -> str:
    return rng.choice(["right", "left"])


def minor_finding(rng: random.Random) -> dict:
    side = _side(rng)
    k = rng.choice(["granuloma", "granuloma", "spine", "spine", "cardio", "small_eff", "copd", "atelect", "rib",
                    "aorta", "sternotomy"])
    if k == "granuloma":
        lobe = rng.choice(["upper lobe", "lower lobe", "mid lung"])
        f = rng.choice([f"Calcified granuloma in the {side} {lobe}.", f"Small calcified {side} {lobe} granuloma.",
                        f"Punctate calcified nodule in the {side} {lobe}, consistent with old granulomatous disease."])
        i = rng.choice([f"Old granulomatous disease, {side} {lobe}.", f"Calcified {side} {lobe} granuloma."])
        return {"k": k, "region": "lung", "f": f, "i": i, "side": side}
    if k == "spine":
        return {"k": k, "region": "bone", "side": None,
                "f": rng.choice(["Mild degenerative changes of the thoracic spine.",
                                 "Degenerative spurring in the mid thoracic spine.",
                                 "Mild multilevel thoracic spondylosis."]),
                "i": "Mild degenerative changes of the thoracic spine."}
    if k == "cardio":
        return {"k": k, "region": "heart", "side": None,
                "f": rng.choice(["Heart size is mildly enlarged, unchanged from prior.",
                                 "Mild cardiomegaly, stable.", "Borderline heart size, unchanged."]),
                "i": rng.choice(["Stable mild cardiomegaly.", "Mild cardiomegaly, unchanged."])}
    if k == "small_eff":
        return {"k": k, "region": "pleura", "side": side,
                "f": rng.choice([f"Small {side} pleural effusion. No pneumothorax.",
                                 f"Trace {side} pleural effusion with blunting of the {side} costophrenic angle. "
                                 "No pneumothorax."]),
                "i": f"Small {side} pleural effusion."}
    if k == "copd":
        return {"k": k, "region": "lung", "side": None,
                "f": rng.choice(["Lungs are hyperinflated with flattening of the hemidiaphragms, consistent with COPD.",
                                 "Hyperinflation with increased retrosternal airspace, compatible with emphysema."]),
                "i": rng.choice(["Hyperinflation/COPD.", "Emphysematous changes."])}
    if k == "atelect":
        return {"k": k, "region": "lung", "side": side,
                "f": rng.choice([f"Minimal {side} basilar linear atelectasis or scarring.",
                                 f"Linear scarring at the {side} lung base."]),
                "i": f"Minimal {side} basilar atelectasis/scarring."}
    if k == "rib":
        nth = rng.choice(["5th", "6th", "7th", "8th", "9th"])
        return {"k": k, "region": "bone", "side": side,
                "f": f"Old healed {side} {nth} rib fracture.",
                "i": f"Old healed {side} {nth} rib fracture."}
    if k == "aorta":
        return {"k": k, "region": "heart", "side": None,
                "f": "Heart size is normal. Tortuous and mildly calcified thoracic aorta.",
                "i": "Atherosclerotic calcification of the aorta."}
    return {"k": k, "region": "extra", "side": None,
            "f": "Median sternotomy wires are intact. Heart size is normal.",
            "i": "Postsurgical changes of median sternotomy."}


def sig_finding(rng: random.Random, kind: str | None = None, lateral: bool = False) -> dict:
    side = _side(rng)
    choices = ["pneumonia", "pneumonia", "pneumonia", "effusion", "effusion", "ptx", "chf", "nodule", "mass"]
    if lateral:
        choices = ["pneumonia", "pneumonia", "effusion", "ptx", "nodule", "mass"]
    k = kind or rng.choice(choices)
    S = side.capitalize()
    if k == "pneumonia":
        lobe = rng.choice(["lower lobe", "lower lobe", "upper lobe", "middle lobe" if side == "right" else "lingula"])
        lob = lobe if lobe == "lingula" else f"{side} {lobe}"
        Lob = lob.capitalize()
        f = rng.choice([f"Focal consolidation in the {lob}.", f"Patchy airspace opacity in the {lob}.",
                        f"New {lob} airspace consolidation with air bronchograms.",
                        f"Ill-defined opacity in the {lob} not present on prior."])
        i = rng.choice([f"{Lob} pneumonia.", f"{Lob} airspace disease concerning for pneumonia.",
                        f"{Lob} consolidation, c/w pneumonia in the appropriate clinical setting.",
                        f"Findings consistent with {lob} pneumonia. Recommend follow-up CXR in 6-8 weeks "
                        "after treatment to document resolution."])
        return {"k": k, "region": "lung", "f": f, "i": i, "side": None if lobe == "lingula" else side,
                "neg": "lung"}
    if k == "effusion":
        sz = rng.choice(["Moderate", "Moderate", "Large", "Moderate to large"])
        f = rng.choice([f"{sz} {side} pleural effusion with adjacent compressive atelectasis. No pneumothorax.",
                        f"{sz} {side} pleural effusion, increased from prior. No pneumothorax.",
                        f"Layering {sz.lower()} {side} pleural effusion. No pneumothorax."])
        i = rng.choice([f"{sz} {side} pleural effusion.", f"{sz} {side} pleural effusion with adjacent atelectasis.",
                        f"{sz} {side} pleural effusion; consider thoracentesis as clinically indicated."])
        return {"k": k, "region": "pleura", "f": f, "i": i, "side": side, "neg": "effusion"}
    if k == "ptx":
        sz = rng.choice(["small", "small to moderate", "moderate", "large"])
        cm = rng.choice(["1.5", "2", "2.5", "3", "4"])
        f = rng.choice([f"There is a {sz} {side} apical pneumothorax measuring approximately {cm} cm. "
                        "No mediastinal shift. No pleural effusion.",
                        f"{sz.capitalize()} {side} pneumothorax with visible pleural line at the apex. "
                        "No pleural effusion."])
        who = rng.choice(["the ED provider", "Dr. Hanley (ED)", "the ordering PA", "the sick call provider",
                          "CPT Morrow, ordering physician"])
        i = rng.choice([f"{sz.capitalize()} {side} pneumothorax. Findings discussed with {who} by telephone "
                        f"at {mil_time(rng)}.",
                        f"{sz.capitalize()} {side} apical pneumothorax. Critical result called to {who}."])
        return {"k": k, "region": "pleura", "f": f, "i": i, "side": side, "neg": "ptx"}
    if k == "chf":
        f = rng.choice(["Cardiomegaly with pulmonary vascular congestion and interstitial edema. "
                        "Small bilateral pleural effusions.",
                        "Enlarged cardiac silhouette. Cephalization of pulmonary vessels with perihilar haziness "
                        "and Kerley B lines, consistent with interstitial edema."])
        i = rng.choice(["Cardiomegaly with pulmonary edema, consistent with CHF.",
                        "Findings consistent with congestive heart failure/interstitial pulmonary edema.",
                        "CHF with interstitial edema and small bilateral effusions."])
        return {"k": k, "region": "heartlung", "f": f, "i": i, "side": None, "neg": "heart"}
    if k == "nodule":
        mm = rng.choice([7, 8, 9, 10, 12, 14, 16])
        lobe = rng.choice(["upper lobe", "lower lobe", "mid lung zone"])
        f = rng.choice([f"{mm} mm noncalcified nodule in the {side} {lobe}.",
                        f"New {mm} mm nodular opacity projecting over the {side} {lobe}."])
        i = rng.choice([f"{mm} mm {side} {lobe} nodule. Recommend CT chest for further characterization.",
                        f"Indeterminate {mm} mm {side} {lobe} pulmonary nodule; CT chest recommended."])
        return {"k": k, "region": "lung", "f": f, "i": i, "side": side, "neg": "lung"}
    cm = rng.choice(["3", "3.5", "4", "5"])
    f = rng.choice([f"{cm} cm mass in the {side} upper lobe.", f"Lobulated {cm} cm {side} perihilar mass."])
    i = rng.choice([f"{cm} cm {side} lung mass, suspicious for neoplasm. Recommend CT chest with contrast.",
                    f"{S} lung mass. CT chest recommended. Findings discussed with the ordering provider."])
    return {"k": k, "region": "lung", "f": f, "i": i, "side": side, "neg": "lung"}


def compose_bank(rng: random.Random, profile: str, sig_kind: str | None = None, lateral: bool = False) -> dict:
    """profile: normal | minor | sig.  Returns a dict of report parts, and the finding list."""
    portable = rng.random() < 0.15
    fnd = []
    if profile == "minor":
        fnd.append(minor_finding(rng))
        if rng.random() < 0.3:
            m2 = minor_finding(rng)
            if m2["region"] != fnd[0]["region"]:
                fnd.append(m2)
        if lateral and not any(f["side"] for f in fnd):
            while True:
                m = minor_finding(rng)
                if m["side"] and m["region"] not in {f["region"] for f in fnd}:
                    fnd.append(m)
                    break
    elif profile == "sig":
        fnd.append(sig_finding(rng, sig_kind, lateral))
        if rng.random() < 0.3:
            m2 = minor_finding(rng)
            if m2["region"] not in (fnd[0]["region"], "heart") and fnd[0]["region"] != "heartlung":
                if not (m2["side"] and fnd[0]["side"]):
                    fnd.append(m2)
    regions = {f["region"] for f in fnd}
    lines = []
    if portable and rng.random() < 0.5:
        lines.append(rng.choice(["Right IJ central venous catheter tip in the SVC.",
                                 "Left upper extremity PICC with tip in the distal SVC.",
                                 "ETT tip 4 cm above the carina. Enteric tube courses below the diaphragm."]))
    heart = None
    lung = None
    pleura = None
    bone = None
    extra = []
    for f in fnd:
        r = f["region"]
        if r == "heart":
            heart = f["f"]
        elif r == "heartlung":
            heart = f["f"]
            lung = ""
            pleura = "No pneumothorax."
        elif r == "lung":
            lung = (lung + " " if lung else "") + f["f"]
        elif r == "pleura":
            pleura = f["f"]
        elif r == "bone":
            bone = f["f"]
        else:
            extra.append(f["f"])
    if heart is None:
        heart = rng.choice(N_HEART) if not extra else ""
    if lung is None:
        lung = rng.choice(N_LUNG) if "pleura" not in regions or not any(
            f["k"] in ("effusion", "ptx") for f in fnd) else rng.choice(["No focal consolidation.",
                                                                           "No focal airspace disease."])
    elif lung and "lung" in regions:
        lung = lung + " " + rng.choice(N_LUNG_OTHER)
    if pleura is None:
        pleura = rng.choice(N_PLEURA)
    if bone is None:
        bone = rng.choice(N_BONE)
    parts = {"lines": " ".join(lines), "heart": " ".join(x for x in [*extra, heart] if x),
             "lung": lung, "pleura": pleura, "bone": bone}
    imp = [f["i"] for f in fnd if f["k"] in ("pneumonia", "effusion", "ptx", "chf", "nodule", "mass")]
    minors = [f["i"] for f in fnd if f not in imp and f["k"] not in ("pneumonia", "effusion", "ptx", "chf",
                                                                        "nodule", "mass")]
    if imp:
        if rng.random() < 0.5:
            imp += minors
    else:
        if not fnd and rng.random() < 0.25:
            imp = [rng.choice(PURE_NORMAL)]
        else:
            imp = [rng.choice(NORMAL_MACROS)]
        if minors and (lateral or rng.random() < 0.5):
            imp = minors + imp if rng.random() < 0.5 else imp + minors
    sk = fnd[0]["k"] if profile == "sig" else None
    hist = rng.choice(HIST_SIG[sk]) if sk else rng.choice(HIST_NORMAL)
    if portable and not sk:
        hist = rng.choice(["Hypoxia.", "SOB, inpatient.", "Fever, inpatient.", "Chest pain, ED.", "Post-op day 2.",
                           "Tachypnea, r/o PNA."])
    if lines:
        hist = rng.choice(["Line placement, check tip.", "PICC placed, confirm position.", "Intubated, ICU.",
                           "Post-op day 1, hypoxia.", "Admitted with sepsis."])
    return {"fnd": fnd, "findings": parts, "impression": imp, "history": hist, "portable": portable,
            "comparison": None, "structured": rng.random() < 0.25}


def findings_text(parts: dict, structured: bool) -> str:
    if structured:
        rows = []
        if parts["lines"]:
            rows.append(f"Lines/tubes: {parts['lines']}")
        rows += [f"Heart/mediastinum: {parts['heart']}", f"Lungs: {parts['lung']}", f"Pleura: {parts['pleura']}",
                 f"Bones/soft tissues: {parts['bone']}"]
        return "\n".join(r for r in rows if not r.endswith(": "))
    return " ".join(x for x in (parts["lines"], parts["heart"], parts["lung"], parts["pleura"], parts["bone"]) if x)


def impression_text(items: list[str], rng_numbered: bool) -> str:
    if len(items) > 1 and rng_numbered:
        return "\n".join(f"{n}. {t}" for n, t in enumerate(items, 1))
    return " ".join(items)


def result_code(imp: str) -> str:
    if re.search(r"pneumothorax", imp, re.I) and not re.search(r"\bno pneumothorax", imp, re.I):
        return "CRITICAL RESULT"
    if ABN_WORDS.search(imp) or re.search(r"pneumonia|nodule|mass|airspace", imp, re.I):
        if re.search(r"pneumonia|nodule|mass|effusion|edema|CHF|airspace|consolidat|pneumothorax", imp, re.I):
            return rnd_pick(["ABNORMALITY, ATTN. NEEDED", "ABNORMAL, ATTENTION NEEDED"], imp)
        return rnd_pick(["MINOR ABNORMALITY", "ABNORMALITY, NO ATTN. NEEDED"], imp)
    return "NORMAL"


def rnd_pick(opts: list[str], key: str) -> str:
    return opts[sum(map(ord, key)) % len(opts)]


def render(rng: random.Random, d: dict) -> str:
    """Lay a report out in one of the setting's formats.  d: exam, history, comparison, technique, findings,
    impression, fhdr ('present'|'empty'|'absent'), ihdr (same)."""
    style = rng.choice(["chcs", "chcs", "genesis", "genesis", "genesis", "telerad", "short"])
    style = d.get("style") or style
    rad = rng.choice(RADS)
    date = mil_date(rng)
    f, i = d["findings"], d["impression"]
    fh = d.get("fhdr", "present")
    ih = d.get("ihdr", "present")
    out = []
    if style == "chcs":
        out += [f"Procedure: {d['exam']}", f"Exam Date/Time: {date} {mil_time(rng)}",
                f"Requesting Location: {d.get('loc') or rng.choice(LOCS)}", f"Reason for Exam: {d['history']}"]
        out.append("")
        out.append("Report:")
        out.append(f"COMPARISON: {d['comparison']}")
        if fh != "absent":
            out.append(f"FINDINGS: {f}" if fh == "present" else "FINDINGS:")
        out.append("")
        if ih != "absent":
            out.append(f"IMPRESSION: {i}" if ih == "present" else "IMPRESSION:")
            out.append("")
        out.append(f"Result Code: {result_code(i if ih == 'present' else '')}")
        out.append(f"Interpreted By: {rad}")
        out.append(f"Approved By: {rad}  Date: {date}")
    elif style == "genesis":
        out += [f"EXAM: {d['exam']}", "", f"CLINICAL HISTORY: {d['history']}", "", f"COMPARISON: {d['comparison']}",
                "", f"TECHNIQUE: {d['technique']}", ""]
        if fh != "absent":
            out += ["FINDINGS:", f if fh == "present" else "", ""]
        if ih != "absent":
            out += ["IMPRESSION:", i if ih == "present" else "", ""]
        out.append(f"Electronically signed by: {rad} on {date} at {mil_time(rng)}")
    elif style == "telerad":
        hdr = rng.choice(["CONCLUSION", "IMPRESSION", "OPINION"])
        out += [d["exam"].upper(), "", f"HISTORY: {d['history']}", f"COMPARISON: {d['comparison']}", ""]
        if fh != "absent":
            out.append(f"FINDINGS: {f}" if fh == "present" else "FINDINGS: ")
            out.append("")
        if ih != "absent":
            out.append(f"{hdr}: {i}" if ih == "present" else f"{hdr}:")
            out.append("")
        out.append(f"Dictated by: {rad}")
        out.append(f"Signed: {date} {mil_time(rng)}")
    else:
        out += [f"Exam: {d['exam']}", f"Indication: {d['history']}", f"Comparison: {d['comparison']}", ""]
        if fh != "absent":
            out.append(f"Findings: {f}" if fh == "present" else "Findings:")
        if ih != "absent":
            out.append(f"Impression: {i}" if ih == "present" else "Impression:")
        out.append("")
        out.append(f"{rad}  {date}")
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text


def bank_meta(rng: random.Random, c: dict) -> dict:
    exam = rng.choice(EXAM_1V) if c["portable"] else rng.choice(EXAM_2V)
    tech = "Single AP portable view of the chest." if c["portable"] else rng.choice(
        ["PA and lateral views of the chest.", "Frontal and lateral views of the chest.", "2 views of the chest."])
    comp = rng.choice(["None.", "None.", "None available.", f"{mil_date(rng, 2025)}.", f"CXR {mil_date(rng, 2024)}.",
                       f"Outside films from {rng.choice(['Landstuhl', 'the BAS', 'a civilian ED'])} not available."])
    if any(re.search(r"unchanged|prior|stable|\bnew\b", f["f"], re.I) for f in c["fnd"]):
        comp = f"{mil_date(rng, 2025)}."
    older = any(f["k"] in ("aorta", "sternotomy", "chf", "cardio", "copd", "mass") for f in c["fnd"]) or c["portable"]
    if rng.random() < (0.15 if older else 0.65):
        pt = rng.choice(PATIENTS_AD).format(a=rng.randint(19, 46))
    else:
        pt = rng.choice(PATIENTS_OLD).format(a=rng.randint(47, 86))
    return {"exam": exam, "technique": tech, "comparison": comp, "history": f"{pt}. {c['history']}"}


# ----------------------------------------------------------------------------------------------------
# bank cases
# ----------------------------------------------------------------------------------------------------

def _profile(rng: random.Random) -> str:
    x = rng.random()
    return "normal" if x < 0.62 else "minor" if x < 0.86 else "sig"


def flip(s: str) -> str:
    def rep(m: re.Match) -> str:
        w = m.group(0)
        o = {"right": "left", "left": "right"}[w.lower()]
        return o.capitalize() if w[0].isupper() else o.upper() if w.isupper() else o
    return SIDE_RE.sub(rep, s)


def bank_case(rng: random.Random, kind: str | None) -> tuple[str, str]:
    numbered = rng.random() < 0.5
    if kind is None:
        c = compose_bank(rng, _profile(rng))
        meta = bank_meta(rng, c)
        f = findings_text(c["findings"], c["structured"])
        imp = impression_text(c["impression"], numbered)
        d = {**meta, "findings": f, "impression": imp}
        if not c["fnd"] and rng.random() < 0.06:
            d["fhdr"] = "absent"
            d["impression"] = rng.choice([
                "Normal chest. Lungs are clear, heart size is normal, no effusion or pneumothorax.",
                "Clear lungs. Normal heart size and mediastinal contours. No pleural effusion or pneumothorax. "
                "No acute cardiopulmonary process."])
        return render(rng, d), ""
    if kind == "missing_section":
        mode = rng.choice(["imp_empty", "imp_empty", "imp_absent", "find_empty", "find_absent"])
        prof = _profile(rng) if mode.startswith("imp") else "normal"
        c = compose_bank(rng, prof)
        meta = bank_meta(rng, c)
        f = findings_text(c["findings"], c["structured"])
        imp = impression_text(c["impression"], numbered)
        d = {**meta, "findings": f, "impression": imp}
        if mode.startswith("imp"):
            d["ihdr"] = "empty" if mode == "imp_empty" else "absent"
            return render(rng, d), "impression left " + ("empty" if mode == "imp_empty" else "out")
        d["impression"] = rng.choice(NORMAL_MACROS)
        d["fhdr"] = "empty" if mode == "find_empty" else "absent"
        return render(rng, d), "findings left " + ("empty" if mode == "find_empty" else "out") + \
            "; impression is a bare conclusion"
    if kind == "laterality_conflict":
        prof = rng.choice(["sig", "sig", "minor"])
        while True:
            c = compose_bank(rng, prof, lateral=True)
            lat = [x for x in c["fnd"] if x["side"]]
            if lat:
                break
        tgt = lat[0]
        if tgt["i"] not in c["impression"]:
            c["impression"].insert(0, tgt["i"])
        meta = bank_meta(rng, c)
        where = rng.choice(["findings", "impression"])
        if where == "impression":
            c["impression"] = [flip(x) if x == tgt["i"] else x for x in c["impression"]]
        else:
            c["findings"] = {k: (v.replace(tgt["f"], flip(tgt["f"])) if v else v) for k, v in c["findings"].items()}
        f = findings_text(c["findings"], c["structured"])
        imp = impression_text(c["impression"], numbered)
        return render(rng, {**meta, "findings": f, "impression": imp}), \
            f"side of '{tgt['f'][:50]}' flipped in the {where}"
    if kind == "negation_conflict":
        mode = rng.choice(["imp_eff", "imp_ptx", "imp_cardio", "imp_pna", "imp_neg_sig", "imp_neg_cardio"])
        if mode.startswith("imp_neg"):
            if mode == "imp_neg_sig":
                c = compose_bank(rng, "sig", sig_kind=rng.choice(["pneumonia", "effusion", "ptx"]))
                k = c["fnd"][0]["k"]
                neg = {"pneumonia": "Lungs are clear. No acute cardiopulmonary process.",
                       "effusion": "No pleural effusion. No acute cardiopulmonary process.",
                       "ptx": "No pneumothorax. No acute cardiopulmonary process."}[k]
                c["impression"] = [neg]
                det = f"impression negates the {k} the findings describe"
            else:
                c = compose_bank(rng, "normal")
                c["findings"]["heart"] = rng.choice(["The heart is mildly enlarged.", "Mild cardiomegaly.",
                                                     "Cardiac silhouette is moderately enlarged."])
                c["impression"] = [rng.choice(["Normal heart size. No acute cardiopulmonary process.",
                                               "Normal chest.", "Heart size normal. Lungs clear."])]
                det = "findings describe cardiomegaly; impression says heart size normal"
        else:
            c = compose_bank(rng, "normal")
            side = _side(rng)
            if mode == "imp_eff":
                c["findings"]["pleura"] = rng.choice(["No pleural effusion or pneumothorax.",
                                                      "No pleural effusion. No pneumothorax.",
                                                      "Costophrenic angles are sharp. No effusion."])
                add = rng.choice([f"Small {side} pleural effusion.", f"Moderate {side} pleural effusion."])
            elif mode == "imp_ptx":
                c["findings"]["pleura"] = rng.choice(["No pneumothorax or pleural effusion.",
                                                      "No pneumothorax. No pleural effusion."])
                add = f"Small {side} apical pneumothorax."
            elif mode == "imp_cardio":
                c["findings"]["heart"] = rng.choice(["Heart size is normal.", "Normal heart size and mediastinum.",
                                                     "The heart is not enlarged."])
                add = rng.choice(["Mild cardiomegaly.", "Cardiomegaly without edema.", "Stable cardiomegaly."])
            else:
                c["findings"]["lung"] = rng.choice(["The lungs are clear.", "Lungs are clear bilaterally.",
                                                    "No focal consolidation."])
                add = rng.choice([f"{side.capitalize()} lower lobe pneumonia.",
                                  f"{side.capitalize()} lower lobe infiltrate c/w pneumonia."])
            c["impression"] = [add, rng.choice(NORMAL_MACROS).replace("No acute", "Otherwise no acute")] \
                if rng.random() < 0.4 else [add]
            det = f"impression affirms '{add}' which the findings negate"
        meta = bank_meta(rng, c)
        f = findings_text(c["findings"], c["structured"])
        return render(rng, {**meta, "findings": f, "impression": impression_text(c["impression"], numbered)}), det
    if kind == "impression_omits_finding":
        c = compose_bank(rng, "sig")
        k = c["fnd"][0]["k"]
        minors = [x["i"] for x in c["fnd"][1:]]
        if minors and rng.random() < 0.6:
            c["impression"] = minors + [rng.choice(NORMAL_MACROS)]
        else:
            c["impression"] = [rng.choice(NORMAL_MACROS + PURE_NORMAL)]
        meta = bank_meta(rng, c)
        f = findings_text(c["findings"], c["structured"])
        return render(rng, {**meta, "findings": f, "impression": impression_text(c["impression"], numbered)}), \
            f"findings describe {k}; impression replaced by a normal macro"
    # placeholder
    c = compose_bank(rng, _profile(rng))
    meta = bank_meta(rng, c)
    blank = rng.choice(["[***]", "***", "[ ]", "[***]", "<***>", "{***}"])
    mode = rng.choice(["history", "comparison", "size", "side", "lines", "impression", "date"])
    det = ""
    if mode == "history":
        meta["history"] = rng.choice([f"{blank}", f"{meta['history'].split('.')[0]}. {blank}",
                                      "[Clinical history]", "[Reason for exam]"])
        det = "clinical history field left unfilled"
    elif mode == "comparison":
        meta["comparison"] = rng.choice([blank, "[Date of prior]", f"CXR dated {blank}.", "[None/date]"])
        det = "comparison field left unfilled"
    elif mode == "date":
        meta["technique"] = rng.choice([f"{blank} views of the chest.",
                                         "[PA and lateral/AP portable] views of the chest."])
        meta["style"] = "genesis"
        det = "technique field left unfilled"
    elif mode in ("size", "side"):
        c = compose_bank(rng, "sig", sig_kind=rng.choice(["nodule", "effusion", "ptx", "mass"]))
        meta = bank_meta(rng, c)
        fi = c["fnd"][0]
        if mode == "size":
            m = re.search(r"\b\d+(\.\d+)? (mm|cm)\b", fi["f"])
            if m:
                new = fi["f"].replace(m.group(0), f"{blank} {m.group(2)}", 1)
            else:
                m = re.search(r"\b(moderate to large|small to moderate|moderate|large|small)\b", fi["f"], re.I)
                new = fi["f"].replace(m.group(0), rng.choice(["[size]", "[small/moderate/large]", blank]), 1)
        else:
            m = SIDE_RE.search(fi["f"])
            new = fi["f"].replace(m.group(0), rng.choice(["[right/left]", "[RIGHT/LEFT]", blank]), 1)
        c["findings"] = {k: (v.replace(fi["f"], new) if v else v) for k, v in c["findings"].items()}
        det = f"{mode} field in the findings left unfilled"
    elif mode == "lines":
        c["findings"]["lung"] = c["findings"]["lung"] + " " + rng.choice(
            [f"{blank}.", "Additional findings: [***]", "[Lung findings]"])
        det = "template field left in the findings"
    else:
        c["impression"] = c["impression"] + [rng.choice(["[***]", "Recommendation: [***]", "[Follow-up]",
                                                         "BI-RADS/Fleischner: ***"])]
        det = "template field left in the impression"
    f = findings_text(c["findings"], c["structured"])
    return render(rng, {**meta, "findings": f, "impression": impression_text(c["impression"], numbered)}), det


# ----------------------------------------------------------------------------------------------------
# IU cases
# ----------------------------------------------------------------------------------------------------

def iu_meta(rng: random.Random, r: dict) -> dict:
    return {"loc": rng.choice(["EMERGENCY DEPT", "INTERNAL MED CLINIC", "FAMILY MEDICINE CLINIC", "URGENT CARE"]),
            "exam": rng.choice(EXAM_2V), "technique": rng.choice(["PA and lateral views of the chest.",
                                                                   "2 views of the chest.", "PA and lateral."]),
            "comparison": r["comparison"] or "None.", "history": r["indication"] or rng.choice(HIST_NORMAL)}


def fmt_imp(i: str, rng: random.Random) -> str:
    if re.match(r"^1\.", i) and rng.random() < 0.6:
        return re.sub(r"\s+(?=\d\.\s)", "\n", i)
    return i


def iu_case(rng: random.Random, kind: str | None, pools: dict, used: set[str]) -> tuple[str, str, str]:
    def take(name: str) -> dict:
        for nm in (name, "normal"):
            p = pools[nm]
            while p:
                r = p.pop()
                if r["uid"] not in used:
                    used.add(r["uid"])
                    return r
        raise RuntimeError(f"IU pool {name} exhausted")

    if kind is None:
        x = rng.random()
        r = take("normal" if x < 0.7 else "minor_ok" if x < 0.85 else "abnormal_ok")
        f, i = reword(r["findings"], rng), reword(r["impression"], rng)
        return render(rng, {**iu_meta(rng, r), "findings": f, "impression": fmt_imp(i, rng)}), "", r["uid"]
    if kind == "missing_section":
        mode = rng.choice(["imp_empty", "imp_empty", "imp_absent", "find_empty"])
        r = take("short_imp" if mode == "find_empty" else rng.choice(["normal", "normal", "minor_ok", "abnormal_ok"]))
        f, i = reword(r["findings"], rng), reword(r["impression"], rng)
        d = {**iu_meta(rng, r), "findings": f, "impression": fmt_imp(i, rng)}
        if mode == "find_empty":
            d["fhdr"] = "empty"
        else:
            d["ihdr"] = "empty" if mode == "imp_empty" else "absent"
        return render(rng, d), mode.replace("_", " "), r["uid"]
    if kind == "laterality_conflict":
        r = take("lat")
        f, i = reword(r["findings"], rng), reword(r["impression"], rng)
        fs, is_ = sentences(f), re.split(r"(?<=[.])\s+", i)
        pair = best_pair(fs, is_)
        if pair is None:  # rewording changed the text too much: use the original wording
            f, i = r["findings"], r["impression"]
            fs, is_ = sentences(f), re.split(r"(?<=[.])\s+", i)
            pair = best_pair(fs, is_)
        where = rng.choice(["findings", "impression"])
        if where == "findings":
            fs[pair[0]] = flip(fs[pair[0]])
            changed = fs[pair[0]]
        else:
            is_[pair[1]] = flip(is_[pair[1]])
            changed = is_[pair[1]]
        f, i = " ".join(fs), " ".join(is_)
        return render(rng, {**iu_meta(rng, r), "findings": f, "impression": fmt_imp(i, rng)}), \
            f"side flipped in the {where}: '{changed[:70]}'", r["uid"]
    if kind == "negation_conflict":
        for _ in range(200):
            r = take("normal")
            f, i = reword(r["findings"], rng), reword(r["impression"], rng)
            opts = []
            side = _side(rng)
            if re.search(r"\bno\b[^.]*effusion", f, re.I):
                opts.append(f"Small {side} pleural effusion.")
            if re.search(r"\bno\b[^.]*pneumothora", f, re.I):
                opts.append(f"Small {side} apical pneumothorax.")
            if re.search(r"heart (size )?(is )?(normal|within normal)|normal heart size|heart is normal|"
                         r"heart size and|cardiomediastinal (silhouette|contours) (is|are) (normal|WNL|within)",
                         f, re.I):
                opts.append(rng.choice(["Mild cardiomegaly.", "Cardiomegaly."]))
            if re.search(r"lungs are clear|no focal (consolidation|airspace)|no (focal )?infiltrate", f, re.I):
                opts.append(rng.choice([f"{side.capitalize()} lower lobe pneumonia.",
                                        f"{side.capitalize()} basilar consolidation."]))
            if opts:
                break
            used.discard(r["uid"])
            pools["normal"].insert(0, r)
        add = rng.choice(opts)
        if rng.random() < 0.5:
            i2 = add + " " + re.sub(r"^No acute", "Otherwise no acute", i) if i.startswith("No acute") else add
        else:
            i2 = add
        return render(rng, {**iu_meta(rng, r), "findings": f, "impression": i2}), \
            f"impression changed to affirm '{add}', which the findings negate", r["uid"]
    if kind == "impression_omits_finding":
        r = take("omit")
        f, i = reword(r["findings"], rng), reword(r["impression"], rng)
        keys = r["_keys"]
        i2 = rng.choice(NORMAL_MACROS + ["Normal chest.", "No acute disease.", "No active disease."])
        return render(rng, {**iu_meta(rng, r), "findings": f, "impression": i2}), \
            f"impression replaced by '{i2}'; findings describe {', '.join(sorted(keys))}", r["uid"]
    # placeholder
    r = take(rng.choice(["normal", "normal", "minor_ok", "abnormal_ok"]))
    f, i = reword(r["findings"], rng), reword(r["impression"], rng)
    meta = iu_meta(rng, r)
    blank = rng.choice(["[***]", "***", "[ ]", "<***>", "{***}"])
    mode = rng.choice(["comparison", "history", "findings_word", "findings_word", "impression_add"])
    if mode == "comparison":
        meta["comparison"] = rng.choice([blank, "[date]", f"Prior from {blank}."])
    elif mode == "history":
        meta["history"] = rng.choice([blank, "[Clinical history]", f"{blank}. {meta['history']}"])
    elif mode == "findings_word":
        ss = sentences(f)
        j = rng.randrange(len(ss))
        words = ss[j].split()
        cand = [n for n, w in enumerate(words) if re.fullmatch(r"[A-Za-z]{4,}[.,]?", w) and "XXXX" not in w]
        if cand:
            n = rng.choice(cand)
            tail = words[n][-1] if words[n][-1] in ".," else ""
            words[n] = blank + tail
            ss[j] = " ".join(words)
        else:
            ss.insert(j, f"{blank}.")
        f = " ".join(ss)
    else:
        i = i + " " + rng.choice(["Recommendation: [***]", "[Additional impression]", f"{blank}"])
    return render(rng, {**meta, "findings": f, "impression": fmt_imp(i, rng)}), \
        f"unfilled template field ({mode})", r["uid"]


# ----------------------------------------------------------------------------------------------------

def build(seed: int) -> list[dict]:
    """The 400 cases for a seed: id, injected, detail, report."""
    return [{k: r[k] for k in ("id", "injected", "detail", "report")} for r in build_with_sources(seed)]


def build_with_sources(seed: int) -> list[dict]:
    """As build(), with 'source' added: 'bank' or the IU uid the case was made from."""
    rng = random.Random(f"h79-{seed}")
    excl = dev_uids()
    pools = iu_pools(load_iu(), excl)
    for p in pools.values():
        rng.shuffle(p)
    used: set[str] = set()
    plan = [None] * N_CLEAN + [k for k in KINDS for _ in range(N_KIND)]
    cases = []
    for idx, kind in enumerate(plan):
        group_n = idx if kind is None else idx - N_CLEAN - KINDS.index(kind) * N_KIND
        half = N_CLEAN // 2 if kind is None else N_KIND // 2
        if group_n < half:
            text, det = bank_case(rng, kind)
            src = "bank"
        else:
            text, det, uid = iu_case(rng, kind, pools, used)
            src = uid
        cases.append({"injected": kind, "detail": det, "report": text, "_src": src})
    rng.shuffle(cases)
    out = []
    for n, c in enumerate(cases):
        out.append({"id": f"h79-{seed}-{n}", "injected": c["injected"], "detail": c["detail"], "report": c["report"],
                    "source": c["_src"]})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build_with_sources(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in ("id", "injected", "detail", "report")}) + "\n")
    if a.show:
        for k in [None, *KINDS]:
            sel = [r for r in rows if r["injected"] == k][: a.show]
            for r in sel:
                print(f"===== {r['id']} [{k}] {r['detail']} ({r['source']})\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
