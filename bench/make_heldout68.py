"""Held-out report-check set 68, written blind (without reading the checker or any other generator).

Setting: English-language chest radiograph reports of hospitals in Singapore, Taiwan, South Korea and
Japan, public and private, across outpatients, health screening, wards and the emergency department.
Each report is laid out as those radiologists dictate it: an exam line ("XR CHEST PA", "[Chest PA]",
"Examination: Chest X-ray (PA, standing)"), clinical history, comparison, sometimes a technique line,
findings (paragraph, numbered or dashed list), impression / conclusion / diagnosis, and a sign-off.
Local wording: "No active lung lesion", "Both CP angles are sharp", "CTR 46%", Rt./Lt., r/o, s/o,
"lung field" / "lower zone", British spelling (oedema) in Singapore, old TB fibrosis, spondylosis,
aortic knob atherosclerosis. Most films are normal or near normal.

400 cases: 200 clean and 40 of each kind (missing_section, laterality_conflict, negation_conflict,
impression_omits_finding, placeholder). Half of each group is composed from the phrase bank here,
half are real IU reports (never a dev-set uid) re-laid-out in the setting's style, lightly re-worded.

    python -m bench.make_heldout68 OUT.jsonl --seed S [--show N]
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

KINDS = (
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
)
N_CLEAN = 200
N_PER_KIND = 40

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


def dev_uids() -> set[str]:
    path = shared_dir() / "eval" / "report_errors_dev.jsonl"
    out = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


@functools.lru_cache(maxsize=4)
def _load_iu(path: str) -> tuple[dict, ...]:
    rows = []
    with tarfile.open(path) as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            d = {"uid": uid_el.get("id")}
            for a in root.iter("AbstractText"):
                d[(a.get("Label") or "").lower()] = " ".join((a.text or "").split())
            rows.append(d)
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(rows)


def iu_reports() -> list[dict]:
    path = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    dev = dev_uids()
    return [dict(r) for r in _load_iu(str(path)) if r["uid"] not in dev]


# --------------------------------------------------------------------------- setting: styles

STYLES = ("sg", "sg_private", "tw", "kr", "jp")

NAMES = {
    "sg": ["Dr Tan Wei Ling", "Dr Rajesh Kumar", "Dr Nurul Aisyah Binte Ahmad", "Dr Lim Boon Huat",
           "Dr Goh Mei Ling", "Dr Chua Kian Seng"],
    "sg_private": ["Dr Ong Siew Hoon", "Dr Kevin Teo", "Dr Priya Nair", "Dr Ho Jun Jie"],
    "tw": ["Dr. Chen Yu-Ting", "Dr. Lin Chih-Hao", "Dr. Huang Pei-Shan", "Dr. Wang Chun-Ming",
           "Dr. Tsai Ming-Hsien"],
    "kr": ["Dr. Kim Min-jun", "Dr. Lee Seo-yeon", "Dr. Park Ji-hoon", "Dr. Choi Eun-ji", "Dr. Jung Hye-won"],
    "jp": ["Dr. Sato Takeshi", "Dr. Suzuki Yuko", "Dr. Takahashi Ken", "Dr. Watanabe Aya", "Dr. Ito Hiroshi"],
}

SETTINGS = {  # (setting, exam choices, history choices)
    "screen": (
        ["Annual health screening.", "Pre-employment medical examination.", "Routine health check-up.",
         "Health screening package.", "Medical check-up, asymptomatic.", "Work permit medical."],
    ),
    "opd": (
        ["Chronic cough for 3 weeks.", "Cough with sputum x 2/52.", "Hypertension, on follow-up.",
         "Pre-operative assessment.", "Dyspnoea on exertion.", "Known asthma, cough.",
         "DM, HTN, routine review.", "Smoker, chronic cough.", "Follow-up of pneumonia."],
    ),
    "ed": (
        ["Fever and cough for 3 days.", "Chest pain, r/o pneumothorax.", "SOB, r/o pneumonia.",
         "Fall at home, left chest wall pain.", "Palpitations and chest discomfort.", "Fever, r/o chest infection."],
    ),
    "ward": (
        ["Fever on the ward, r/o pneumonia.", "Desaturation overnight.", "Post-op day 2, fever.",
         "CHF, on diuretics.", "Follow-up of effusion.", "Poor oral intake, cough."],
    ),
}


def _exam(style: str, setting: str, rng: random.Random) -> str:
    mobile = setting == "ward" and rng.random() < 0.6
    if style in ("sg", "sg_private"):
        if mobile:
            return rng.choice(["XR CHEST AP (MOBILE)", "CHEST AP SUPINE (MOBILE)"])
        return rng.choice(["XR CHEST PA", "CHEST PA ERECT", "CHEST X-RAY (PA VIEW)", "XR CHEST PA AND LATERAL"])
    if style == "tw":
        if mobile:
            return rng.choice(["Exam: Chest AP view (portable)", "Procedure: CHEST AP (BEDSIDE)"])
        return rng.choice(["Exam: Chest PA view", "Procedure: CHEST PA", "Exam: Chest PA + Lat view"])
    if style == "kr":
        if mobile:
            return rng.choice(["[Chest AP (portable)]", "Exam: Chest AP supine"])
        return rng.choice(["[Chest PA]", "Exam: Chest PA", "Exam: Chest PA & Lt. lateral"])
    if mobile:
        return rng.choice(["Examination: Chest X-ray (AP, portable)", "Examination: Chest X-ray, bedside AP"])
    return rng.choice(["Examination: Chest X-ray (PA, standing)", "Examination: Chest X-ray PA",
                       "Examination: Chest radiograph, PA view"])


def _date(style: str, rng: random.Random) -> str:
    y, m, d = rng.choice([2022, 2023, 2024]), rng.randint(1, 12), rng.randint(1, 28)
    if style in ("sg", "sg_private"):
        return f"{d:02d}/{m:02d}/{y}"
    if style == "kr":
        return f"{y}-{m:02d}-{d:02d}"
    return f"{y}/{m:02d}/{d:02d}"


def _comparison(style: str, rng: random.Random) -> str:
    if rng.random() < 0.55:
        return rng.choice(["None.", "None available.", "No previous film.", "Nil.", "No prior study available."])
    return rng.choice([
        "Previous radiograph dated {d}.", "Compared with the study of {d}.", "Prior CXR {d}.",
        "Chest PA of {d}.",
    ]).format(d=_date(style, rng))


def _signoff(style: str, rng: random.Random, name: str | None = None) -> str:
    name = name or rng.choice(NAMES[style])
    if style == "sg":
        return rng.choice([
            f"Reported by: {name}, Consultant Radiologist",
            f"{name}\nMBBS, FRCR\nSenior Consultant, Diagnostic Radiology",
            f"Reported by: {name} (Associate Consultant)\n"
            f"Verified by: {rng.choice([n for n in NAMES['sg'] if n != name])}",
        ])
    if style == "sg_private":
        return rng.choice([f"{name}\nMBBS (S'pore), FRCR (UK)\nConsultant Radiologist",
                           f"Reported by {name}, Radiologist"])
    if style == "tw":
        return rng.choice([f"Reported by: {name}", f"Radiologist: {name}, M.D.",
                           f"Dictated by {name} / Approved by {rng.choice([n for n in NAMES['tw'] if n != name])}"])
    if style == "kr":
        return rng.choice([f"Reading physician: {name}", f"Dictated by {name}\nConfirmed by "
                           f"{rng.choice([n for n in NAMES['kr'] if n != name])}",
                           f"Radiologist: {name}"])
    return rng.choice([f"Radiologist: {name}, MD", f"Reading radiologist: {name}", f"Reported by {name}"])


HEADERS = {
    "sg": {"hist": ["Clinical History:", "Clinical Indication:", "HISTORY:"], "comp": ["Comparison:", "COMPARISON:"],
           "find": ["Findings:", "FINDINGS:", "Report:"], "imp": ["Conclusion:", "Impression:", "IMPRESSION:"]},
    "sg_private": {"hist": ["Clinical details:", "Clinical information:"], "comp": ["Comparison:"],
                   "find": ["Report:", "Findings:"], "imp": ["Impression:", "Conclusion:"]},
    "tw": {"hist": ["Clinical information:", "History:", "Clinical Hx:"], "comp": ["Comparison:"],
           "find": ["Findings:", "FINDINGS:"], "imp": ["Impression:", "IMPRESSION:"]},
    "kr": {"hist": ["Clinical information:", "Clinical info:"], "comp": ["Comparison:"],
           "find": ["Findings:", "[Findings]"], "imp": ["Conclusion:", "Impression:", "[Conclusion]"]},
    "jp": {"hist": ["Clinical information:", "Purpose:", "Indication:"], "comp": ["Comparison:"],
           "find": ["Findings:"], "imp": ["Impression:", "Diagnosis:"]},
}


def _fmt_list(sents: list[str], how: str) -> str:
    if how == "para" or len(sents) == 1:
        return " ".join(sents)
    if how == "num":
        return "\n".join(f"{i}. {s}" for i, s in enumerate(sents, 1))
    if how == "dash":
        return "\n".join(f"- {s}" for s in sents)
    return "\n".join(sents)


def render(style: str, rng: random.Random, *, exam: str, history: str, comparison: str,
           findings, impression, find_state: str = "ok", imp_state: str = "ok",
           technique: str | None = None, signoff: str | None = None) -> str:
    """findings / impression: list of sentences or a ready string. states: ok | blank | absent."""
    h = HEADERS[style]
    list_how = {"sg": ["para", "para", "lines"], "sg_private": ["para", "lines"], "tw": ["num", "num", "para"],
                "kr": ["dash", "num", "para"], "jp": ["para", "lines", "num"]}[style]
    how = rng.choice(list_how)
    inline = rng.random() < 0.5
    parts = [exam]
    hist_h = rng.choice(h["hist"])
    parts.append(f"{hist_h} {history}")
    parts.append(f"{rng.choice(h['comp'])} {comparison}")
    if technique:
        parts.append(technique)
    body = []
    if find_state != "absent":
        fh = rng.choice(h["find"])
        if find_state == "blank":
            body.append(fh)
        else:
            ftxt = findings if isinstance(findings, str) else _fmt_list(findings, how)
            body.append(f"{fh}\n{ftxt}" if (not inline or "\n" in ftxt) else f"{fh} {ftxt}")
    if imp_state != "absent":
        ih = rng.choice(h["imp"])
        if imp_state == "blank":
            body.append(ih)
        else:
            if isinstance(impression, str):
                itxt = impression
            else:
                itxt = _fmt_list(impression, "num" if style != "sg_private" or len(impression) > 1 else "para")
            body.append(f"{ih}\n{itxt}" if (not inline or "\n" in itxt) else f"{ih} {itxt}")
    head = "\n".join(parts)
    text = head + "\n\n" + "\n\n".join(body)
    text += "\n\n" + (signoff if signoff is not None else _signoff(style, rng))
    return text


# --------------------------------------------------------------------------- phrase bank

def _zone(style: str) -> str:
    return {"sg": "zone", "sg_private": "zone", "tw": "lung field", "kr": "lung zone", "jp": "lung field"}[style]


def _side(side: str, style: str, rng: random.Random, abbr: bool | None = None) -> str:
    if abbr is None:
        abbr = style in ("kr", "tw") and rng.random() < 0.5
    if abbr:
        return "Rt." if side == "right" else "Lt."
    return side


def _oed(style: str) -> str:
    return "oedema" if style.startswith("sg") else "edema"


NORMAL = {
    "heart": ["The heart size is normal.", "The heart is not enlarged.", "Normal heart size.",
              "Cardiac size is within normal limits.", "CTR {ctr}%.", "Heart size is normal (CTR {ctr}%)."],
    "medi": ["The mediastinal contours are normal.", "Mediastinum is not widened.",
             "The mediastinum is central and not widened.", "Hila are unremarkable."],
    "lung": ["The lungs are clear.", "Both lung fields are clear.", "No active lung lesion is seen.",
             "No abnormal opacity in both lung fields.", "No obvious abnormal shadow in both lung fields.",
             "No focal consolidation or mass lesion is seen."],
    "pleura": ["No pleural effusion.", "Both costophrenic angles are sharp.", "Bilateral CP angles are sharp.",
               "No pleural effusion is seen."],
    "ptx": ["No pneumothorax.", "No pneumothorax is seen."],
    "bone": ["The visualised bony thorax is unremarkable.", "Bony thorax is intact.",
             "No acute bony abnormality.", "Bony structures are unremarkable."],
    "diaph": ["Both hemidiaphragms are smooth and normal in position.", "Diaphragms are normal."],
}

IMP_NORMAL_STRICT = ["Normal chest radiograph.", "No significant abnormality detected.", "No abnormal findings.",
                     "Within normal limits.", "Normal study.", "No remarkable finding in the chest."]
IMP_NORMAL_SOFT = ["No active lung lesion.", "No acute cardiopulmonary abnormality.", "No active lung disease.",
                   "No definite active lung lesion.", "No acute cardiopulmonary process."]

# Each item: key, sig, sided, excludes (normal categories it replaces), neg (category that would contradict it),
# findings variants, impression variants.
ITEMS = [
    dict(key="cardiomegaly_mild", sig=False, sided=False, excl={"heart"}, neg="heart",
         f=["The heart is mildly enlarged.", "Mild cardiomegaly (CTR {bigctr}%).", "Borderline cardiomegaly.",
            "Cardiac silhouette is mildly enlarged."],
         i=["Mild cardiomegaly.", "Borderline cardiomegaly.", "Mild cardiomegaly, CTR {bigctr}%."]),
    dict(key="aorta", sig=False, sided=False, excl={"medi"}, neg=None,
         f=["Atherosclerotic calcification of the aortic knob.", "The thoracic aorta is unfolded.",
            "Tortuous aorta with calcified aortic knob."],
         i=["Aortic atherosclerosis.", "Unfolded thoracic aorta.", "Atherosclerotic aorta."]),
    dict(key="granuloma", sig=False, sided=True, excl={"lung"}, neg=None,
         f=["A small calcified granuloma in the {side} upper {zone}.", "Calcified granuloma at {side} mid {zone}."],
         i=["Calcified granuloma in the {side} upper {zone}.", "Small calcified granuloma, {side} mid {zone}."]),
    dict(key="old_tb", sig=False, sided=True, excl={"lung"}, neg=None,
         f=["Fibrotic strands and pleural thickening at the {side} apex, likely old TB.",
            "Fibrocalcific change in the {side} upper {zone}, compatible with old healed TB.",
            "Stable fibrotic opacity at {side} apex."],
         i=["Old {side} apical fibrosis, likely healed TB.",
            "Fibrocalcific change, {side} upper {zone}, likely old TB.", "Old {side} apical fibrotic change."]),
    dict(key="spine", sig=False, sided=False, excl={"bone"}, neg=None,
         f=["Degenerative changes of the thoracic spine.", "Thoracic spondylosis.",
            "Spondylotic change of the T-spine with marginal osteophytes."],
         i=["Thoracic spondylosis.", "Degenerative change of the T-spine."]),
    dict(key="old_rib", sig=False, sided=True, excl={"bone"}, neg=None,
         f=["Old healed fracture of the {side} {rib} rib.", "Healed {side} {rib} rib fracture."],
         i=["Old healed {side} {rib} rib fracture.", "Healed {side} rib fracture."]),
    dict(key="eff_small", sig=False, sided=True, excl={"pleura"}, neg="effusion",
         f=["Small {side} pleural effusion.", "Blunting of the {side} CP angle, s/o small pleural effusion.",
            "Minimal {side} pleural effusion."],
         i=["Small {side} pleural effusion.", "Minimal {side} pleural effusion."]),
    dict(key="atelectasis", sig=False, sided=True, excl={"lung"}, neg=None,
         f=["Linear atelectasis in the {side} lower {zone}.", "Plate-like atelectasis at {side} base."],
         i=["{Side} basal linear atelectasis.", "Plate atelectasis, {side} lower {zone}."]),
    dict(key="apical_cap", sig=False, sided=True, excl=set(), neg=None,
         f=["{Side} apical pleural thickening.", "Mild pleural thickening at the {side} apex."],
         i=["{Side} apical pleural thickening.", "Minor {side} apical pleural thickening."]),
    dict(key="hernia", sig=False, sided=False, excl=set(), neg=None,
         f=["Small hiatus hernia is noted.", "Retrocardiac air-fluid level, s/o hiatal hernia."],
         i=["Hiatus hernia.", "Small hiatal hernia."]),
    dict(key="sternotomy", sig=False, sided=False, excl=set(), neg=None,
         f=["Median sternotomy wires are noted.", "Status post CABG with sternal wires."],
         i=["Post CABG status.", "Post sternotomy changes."]),
    dict(key="lines", sig=False, sided=False, excl=set(), neg=None, ward=True,
         f=["The endotracheal tube tip is about 4 cm above the carina. NG tube tip is below the diaphragm.",
            "ETT tip 5 cm above the carina. Nasogastric tube in the stomach."],
         i=["ETT and NGT in satisfactory position.", "Tubes in satisfactory position."]),
    # significant
    dict(key="consolidation", sig=True, sided=True, excl={"lung"}, neg="lung",
         f=["Patchy consolidation in the {side} lower {zone}.",
            "Increased airspace opacity in the {side} lower {zone}, r/o pneumonia.",
            "Ill-defined consolidation at {side} mid and lower {zone}s with air bronchograms.",
            "New patchy infiltrate in the {side} lower {zone}."],
         i=["{Side} lower {zone} consolidation, suggestive of pneumonia.", "{Side} lower {zone} pneumonia.",
            "Consolidation in the {side} lower {zone}, likely infective.",
            "R/O pneumonia, {side} lower {zone}."]),
    dict(key="eff_mod", sig=True, sided=True, excl={"pleura"}, neg="effusion",
         f=["Moderate {side} pleural effusion.", "Large {side} pleural effusion with adjacent compressive atelectasis.",
            "Moderate amount of {side} pleural effusion obscuring the hemidiaphragm."],
         i=["Moderate {side} pleural effusion.", "Large {side} pleural effusion.",
            "{Side} pleural effusion, moderate."]),
    dict(key="ptx", sig=True, sided=True, excl={"ptx"}, neg="ptx",
         f=["{Side} apical pneumothorax measuring about {cm} cm.",
            "A {side} pneumothorax is seen with lung edge visible.",
            "Small {side} apical pneumothorax."],
         i=["{Side} pneumothorax.", "{Side} apical pneumothorax, {cm} cm.", "Small {side} pneumothorax."]),
    dict(key="nodule", sig=True, sided=True, excl={"lung"}, neg="lung",
         f=["A {mm} mm nodule in the {side} mid {zone}.", "Nodular opacity about {mm} mm in the {side} upper {zone}.",
            "{mm} mm rounded nodule projected over the {side} lower {zone}."],
         i=["{Side} lung nodule ({mm} mm). Suggest CT thorax for further evaluation.",
            "Nodule in the {side} lung, {mm} mm; CT is recommended.", "{Side} pulmonary nodule, {mm} mm."]),
    dict(key="mass", sig=True, sided=True, excl={"lung", "medi"}, neg="lung",
         f=["A {masscm} cm mass in the {side} hilar region.",
            "Lobulated mass about {masscm} cm in the {side} upper {zone}."],
         i=["{Side} hilar mass, suspicious for malignancy. CT thorax advised.",
            "{Side} upper {zone} mass, {masscm} cm. Recommend CT."]),
    dict(key="oedema", sig=True, sided=False, excl={"lung", "heart", "pleura"}, neg="lung",
         f=["Cardiomegaly with upper lobe venous diversion and perihilar haziness, in keeping with pulmonary {oed}.",
            "Bilateral perihilar haziness and Kerley B lines, s/o pulmonary congestion.",
            "Increased pulmonary vascular markings, c/w pulmonary congestion."],
         i=["Pulmonary {oed}.", "Pulmonary congestion.", "Fluid overload with pulmonary congestion."]),
]
ITEM = {it["key"]: it for it in ITEMS}
MINOR = [it["key"] for it in ITEMS if not it["sig"] and not it.get("ward")]
SIG = [it["key"] for it in ITEMS if it["sig"]]
SIG_WEIGHT = {"consolidation": 6, "eff_mod": 3, "oedema": 3, "nodule": 2, "ptx": 1.5, "mass": 0.7}


def _pick_sig(rng: random.Random) -> str:
    return rng.choices(SIG, [SIG_WEIGHT[k] for k in SIG])[0]

NEG_FIND = {  # explicit findings negation for a category
    "heart": ["The heart size is normal.", "Heart is not enlarged.", "CTR {ctr}%, within normal limits."],
    "lung": ["The lungs are clear.", "Both lung fields are clear.", "No abnormal opacity in both lung fields."],
    "effusion": ["No pleural effusion.", "Both costophrenic angles are sharp, no pleural effusion.",
                 "No pleural effusion is seen."],
    "ptx": ["No pneumothorax.", "No pneumothorax is seen."],
}
NEG_IMP = {
    "heart": ["Normal heart size. No active lung lesion.", "Heart size is normal.", "No cardiomegaly."],
    "effusion": ["No pleural effusion.", "No active lung lesion. No pleural effusion."],
}
NEG_CAT_OF_NORMAL = {"heart": "heart", "lung": "lung", "pleura": "effusion", "ptx": "ptx"}

RIBS = ["4th", "5th", "6th", "7th", "8th"]


def _fill(text: str, style: str, rng: random.Random, side: str | None, vals: dict, abbr: bool | None = None) -> str:
    s = _side(side, style, rng, abbr) if side else ""
    out = text.format(side=s, Side=s[:1].upper() + s[1:] if s else "", zone=_zone(style), oed=_oed(style), **vals)
    return out[:1].upper() + out[1:]


def _vals(rng: random.Random) -> dict:
    return dict(ctr=rng.randint(40, 49), bigctr=rng.randint(52, 56), rib=rng.choice(RIBS), cm=rng.choice([1, 2, 3]),
                mm=rng.choice([8, 10, 12, 14, 15, 18, 22]), masscm=rng.choice(["3.5", "4", "4.5", "5"]))


def _normal_sents(style: str, rng: random.Random, excl: set, vals: dict, force: dict | None = None) -> list[str]:
    cats = ["heart", "medi", "lung", "pleura"]
    if rng.random() < 0.4:
        cats.append("ptx")
    if rng.random() < 0.5:
        cats.append("bone")
    if rng.random() < 0.2:
        cats.append("diaph")
    force = force or {}
    out = []
    for c in cats:
        if c in excl and c not in force:
            continue
        if c in force:
            out.append(force[c])
            continue
        choices = NORMAL[c]
        if style not in ("jp", "tw", "kr"):
            choices = [x for x in choices if "CTR" not in x] or choices
        out.append(rng.choice(choices).format(**vals))
    for c, s in force.items():
        if c not in cats:
            out.insert(min(3, len(out)), s)
    if style == "sg" and rng.random() < 0.3:  # SG radiologists often merge
        if "The heart size is normal." in out and "The lungs are clear." in out:
            out = [s for s in out if s not in ("The heart size is normal.", "The lungs are clear.")]
            out.insert(0, "The heart size is normal and the lungs are clear.")
    return out


def _pick_items(rng: random.Random, setting: str, n_minor_max: int = 2) -> list[str]:
    r = rng.random()
    keys = []
    if setting == "screen":
        p_abn = 0.22
    elif setting == "ward":
        p_abn = 0.55
    else:
        p_abn = 0.35
    if r < p_abn:
        pool = [k for k in MINOR if setting != "screen" or k not in ("sternotomy",)]
        keys = rng.sample(pool, rng.randint(1, n_minor_max))
    if setting == "ward" and rng.random() < 0.25:
        keys.append("lines")
    # no duplicate normal-category exclusions that clash (e.g. two bone items is fine)
    return keys


class Composer:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def base(self):
        rng = self.rng
        style = rng.choice(STYLES)
        setting = rng.choices(["screen", "opd", "ed", "ward"], [3, 4, 2, 2])[0]
        if style == "sg_private" and setting == "ward" and rng.random() < 0.5:
            setting = "screen"
        return style, setting

    def frame(self, style, setting):
        rng = self.rng
        exam = _exam(style, setting, rng)
        hist = rng.choice(SETTINGS[setting][0])
        comp = _comparison(style, rng)
        tech = None
        if rng.random() < 0.15:
            if re.search(r"\bAP\b", exam):
                tech = rng.choice(["Single AP view, mobile.", "Technique: AP view, patient semi-erect."])
            elif re.search(r"lat", exam, re.I):
                tech = rng.choice(["Technique: PA and lateral views.", "PA and lateral views, adequate inspiration."])
            else:
                tech = rng.choice(["Technique: PA erect view.", "Single frontal view.",
                                   "PA view, adequate inspiration."])
        return dict(exam=exam, history=hist, comparison=comp, technique=tech)

    def items_text(self, style, keys, vals, sides, flip_in=None, flip_key=None, abbr=None):
        """Return (findings item sentences, impression item sentences, excl)."""
        rng = self.rng
        if "eff_mod" in keys and "eff_small" in keys:
            keys.remove("eff_small")
        if abbr is None:
            abbr = style in ("kr", "tw") and rng.random() < 0.5
        fs, is_, excl = [], [], set()
        for k in keys:
            it = ITEM[k]
            excl |= it["excl"]
            side = sides.get(k)
            fside = side
            iside = side
            if k == flip_key and side:
                other = "left" if side == "right" else "right"
                if flip_in == "imp":
                    iside = other
                else:
                    fside = other
            fs.append(_fill(rng.choice(it["f"]), style, rng, fside, vals, abbr))
            is_.append(_fill(rng.choice(it["i"]), style, rng, iside, vals, abbr))
        return fs, is_, excl

    def clean(self):
        rng = self.rng
        style, setting = self.base()
        fr = self.frame(style, setting)
        vals = _vals(rng)
        keys = _pick_items(rng, setting)
        if setting in ("ed", "ward", "opd") and rng.random() < {"ed": 0.3, "ward": 0.35, "opd": 0.1}[setting]:
            keys.insert(0, _pick_sig(rng))
        sides = {k: rng.choice(["right", "left"]) for k in keys if ITEM[k]["sided"]}
        fs, is_, excl = self.items_text(style, keys, vals, sides)
        normals = _normal_sents(style, rng, excl, vals)
        findings = self._merge(normals, fs)
        if not keys:
            if rng.random() < 0.08:  # impression-only report that itself describes the image
                imp = rng.choice(["Heart size is normal. Both lungs are clear. No pleural effusion.",
                                  "The heart is not enlarged. No active lung lesion. CP angles are sharp."])
                return render(style, rng, findings=None, impression=imp, find_state="absent", **fr), "impression-only"
            imp = [rng.choice(IMP_NORMAL_STRICT + IMP_NORMAL_SOFT)]
        else:
            imp = []
            for k, s in zip(keys, is_, strict=True):
                if ITEM[k]["sig"] or rng.random() < 0.7:
                    imp.append(s)
            if not any(ITEM[k]["sig"] for k in keys) and (not imp or rng.random() < 0.4):
                imp.append(rng.choice(IMP_NORMAL_SOFT))
        return render(style, rng, findings=findings, impression=imp, **fr), "clean: " + (", ".join(keys) or "normal")

    def _merge(self, normals, fs):
        rng = self.rng
        out = list(normals)
        for s in fs:
            out.insert(rng.randint(0, len(out)), s)
        return out

    def missing(self):
        rng = self.rng
        style, setting = self.base()
        fr = self.frame(style, setting)
        vals = _vals(rng)
        keys = _pick_items(rng, setting)
        if rng.random() < 0.3:
            keys.insert(0, _pick_sig(rng))
        sides = {k: rng.choice(["right", "left"]) for k in keys if ITEM[k]["sided"]}
        fs, is_, excl = self.items_text(style, keys, vals, sides)
        findings = self._merge(_normal_sents(style, rng, excl, vals), fs)
        v = rng.random()
        if v < 0.4:
            return render(style, rng, findings=findings, impression=None, imp_state="blank", **fr), \
                "impression header left empty"
        if v < 0.7:
            return render(style, rng, findings=findings, impression=None, imp_state="absent", **fr), \
                "impression/conclusion section absent"
        imp = rng.choice(["Please correlate clinically.", "Comparison with the previous study.",
                          "Follow-up as clinically indicated.", "Kindly refer to previous report.",
                          "Suggest clinical correlation and follow up."])
        st = rng.choice(["blank", "absent"])
        return render(style, rng, findings=None, impression=imp, find_state=st, **fr), \
            f"findings {st}; impression ({imp}) does not describe the image"

    def laterality(self):
        rng = self.rng
        style, setting = self.base()
        fr = self.frame(style, setting)
        vals = _vals(rng)
        sided = [it["key"] for it in ITEMS if it["sided"]]
        key = rng.choice(sided + [k for k in sided if ITEM[k]["sig"]])
        keys = [key] + [k for k in _pick_items(rng, setting) if not ITEM[k]["sided"]][:1]
        sides = {k: rng.choice(["right", "left"]) for k in keys if ITEM[k]["sided"]}
        where = rng.choice(["imp", "find"])
        abbr = style in ("kr", "tw") and rng.random() < 0.5
        fs, is_, excl = self.items_text(style, keys, vals, sides, flip_in=where, flip_key=key, abbr=abbr)
        findings = self._merge(_normal_sents(style, rng, excl, vals), fs)
        imp = [is_[0]] + ([s for s in is_[1:] if rng.random() < 0.5])
        if not ITEM[key]["sig"] and rng.random() < 0.4:
            imp.append(rng.choice(IMP_NORMAL_SOFT))
        side = sides[key]
        other = "left" if side == "right" else "right"
        det = (f"{key}: findings {side if where == 'imp' else other}, impression {other if where == 'imp' else side}")
        return render(style, rng, findings=findings, impression=imp, **fr), det

    def negation(self):
        rng = self.rng
        style, setting = self.base()
        fr = self.frame(style, setting)
        vals = _vals(rng)
        minor = [k for k in _pick_items(rng, setting) if ITEM[k]["neg"] is None][:1]
        if rng.random() < 0.6:  # impression affirms what findings negate
            key = rng.choice(["cardiomegaly_mild", "eff_small", "eff_mod", "ptx", "consolidation", "nodule"])
            it = ITEM[key]
            cat = it["neg"]
            sides = {key: rng.choice(["right", "left"])} if it["sided"] else {}
            sides.update({k: rng.choice(["right", "left"]) for k in minor if ITEM[k]["sided"]})
            fs, is_, excl = self.items_text(style, [key] + minor, vals, sides)
            force_cat = {"heart": "heart", "lung": "lung", "effusion": "pleura", "ptx": "ptx"}[cat]
            neg_s = rng.choice(NEG_FIND[cat]).format(**vals)
            normals = _normal_sents(style, rng, excl - {force_cat}, vals, force={force_cat: neg_s})
            findings = self._merge(normals, fs[1:])
            imp = [is_[0]] + [s for s in is_[1:] if rng.random() < 0.5]
            return render(style, rng, findings=findings, impression=imp, **fr), \
                f"findings: '{neg_s}'; impression: '{is_[0]}'"
        key = rng.choice(["cardiomegaly_mild", "eff_small"])
        it = ITEM[key]
        sides = {key: rng.choice(["right", "left"])} if it["sided"] else {}
        sides.update({k: rng.choice(["right", "left"]) for k in minor if ITEM[k]["sided"]})
        fs, is_, excl = self.items_text(style, [key] + minor, vals, sides)
        findings = self._merge(_normal_sents(style, rng, excl, vals), fs)
        neg_i = rng.choice(NEG_IMP[it["neg"]])
        imp = [s for s in is_[1:] if rng.random() < 0.5] + [neg_i]
        return render(style, rng, findings=findings, impression=imp, **fr), \
            f"findings: '{fs[0]}'; impression: '{neg_i}'"

    def omits(self):
        rng = self.rng
        style, setting = self.base()
        if setting == "screen" and rng.random() < 0.6:
            setting = rng.choice(["opd", "ed", "ward"])
        fr = self.frame(style, setting)
        vals = _vals(rng)
        key = _pick_sig(rng)
        minor = _pick_items(rng, setting)
        minor = [k for k in minor if not (ITEM[k]["excl"] & ITEM[key]["excl"])][:2]
        keys = [key] + minor
        sides = {k: rng.choice(["right", "left"]) for k in keys if ITEM[k]["sided"]}
        fs, is_, excl = self.items_text(style, keys, vals, sides)
        findings = self._merge(_normal_sents(style, rng, excl, vals), fs)
        if minor and rng.random() < 0.5:
            imp = is_[1:]
            how = "impression lists only the minor findings"
        else:
            imp = [rng.choice(IMP_NORMAL_STRICT + IMP_NORMAL_SOFT)]
            how = "normal macro as impression"
        return render(style, rng, findings=findings, impression=imp, **fr), f"findings: '{fs[0]}'; {how}: {imp}"

    def placeholder(self):
        rng = self.rng
        style, setting = self.base()
        fr = self.frame(style, setting)
        vals = _vals(rng)
        keys = _pick_items(rng, setting)
        sides = {k: rng.choice(["right", "left"]) for k in keys if ITEM[k]["sided"]}
        kind = rng.choice(["ctr", "hist", "comp", "sign", "side", "size", "view"])
        if kind == "side":
            keys = [rng.choice(["granuloma", "eff_small", "atelectasis", "apical_cap", "old_rib"])]
            sides = {keys[0]: rng.choice(["right", "left"])}
        if kind == "size":
            keys = ["nodule"]
            sides = {"nodule": rng.choice(["right", "left"])}
        fs, is_, excl = self.items_text(style, keys, vals, sides)
        normals = _normal_sents(style, rng, excl, vals)
        findings = self._merge(normals, fs)
        imp = is_[:] if keys else [rng.choice(IMP_NORMAL_STRICT + IMP_NORMAL_SOFT)]
        if keys and not any(ITEM[k]["sig"] for k in keys) and rng.random() < 0.4:
            imp.append(rng.choice(IMP_NORMAL_SOFT))
        signoff = None
        mark = None
        if kind == "ctr":
            mark = rng.choice(["CTR ***%.", "CTR (  )%.", "CTR: [ ]%.", "Cardiothoracic ratio: <  >%."])
            findings = [s for s in findings if not s.startswith(("CTR", "Heart size", "The heart", "Normal heart",
                                                                  "Cardiac size"))]
            findings.insert(0, mark)
        elif kind == "hist":
            mark = rng.choice(["***", "[clinical history]", "<<Clinical information>>", "[ ]", "{history}"])
            fr["history"] = mark
        elif kind == "comp":
            mark = rng.choice(["[date]", "***", "Previous film dated [  ].", "<comparison>",
                               "Prior CXR of ??/??/????."])
            fr["comparison"] = mark
        elif kind == "sign":
            mark = rng.choice(["Dr [NAME]", "Reported by: ***", "Radiologist: <name>",
                               "Dr. [   ], Consultant Radiologist"])
            signoff = mark
        elif kind == "view":
            mark = rng.choice(["Technique: [PA/AP] view.", "View: ***.", "Technique: PA [erect/supine]."])
            fr["technique"] = mark
        else:
            tok = rng.choice(["[Rt/Lt]", "[right/left]", "***", "[ ]", "<side>"] if kind == "side"
                             else ["***", "[ ]", "(  )", "[size]", "<<mm>>"])
            k = keys[0]
            orig = fs[0]
            if kind == "side":
                new = re.sub(r"\b(right|left|Rt\.|Lt\.)", tok, orig, count=1, flags=re.I)
            else:
                new = orig.replace(str(vals["mm"]), tok, 1)
            findings = [new if s == orig else s for s in findings]
            mark = f"{k}: '{new}'"
        return render(style, rng, findings=findings, impression=imp, signoff=signoff, **fr), \
            f"unfilled template field ({kind}): {mark}"


# --------------------------------------------------------------------------- IU reports

SIG_RE = re.compile(r"pneumothora|consolidat|pneumonia|edema|air ?space (disease|opacit|consolidat)|infiltrat|\bmass\b"
                    r"|(moderate|large)[a-z -]*effusion", re.I)
NEG_CUE = re.compile(r"\b(no|not|without|negative|resolved|resolution|clear|free|removed|cleared|absence|"
                     r"chronic|stable|unchanged|old|scar|scarring|rule out|r/o|versus|vs|may|possible|questionable)\b",
                     re.I)
SIDE_RE = re.compile(r"\b(right|left)\b", re.I)
FIND_WORDS = re.compile(r"effusion|opacit|nodul|granulom|pneumothora|atelecta|consolidat|infiltrat|airspace|"
                        r"air space|pneumonia|mass|fracture|hemidiaphragm|scar|catheter|picc|port|lobe|base|basilar",
                        re.I)


def _sents(text: str) -> list[str]:
    text = re.sub(r"\.\.+", ".", text).strip()
    parts = re.split(r"(?<=[.])\s+(?=[A-Z0-9])", text)
    return [p.strip() for p in parts if p.strip()]


def _affirmed_sig(text: str) -> list[str]:
    out = []
    for s in _sents(text):
        if SIG_RE.search(s) and not NEG_CUE.search(s):
            out.append(s)
    return out


def _sides(text: str) -> set[str]:
    return {m.lower() for m in SIDE_RE.findall(text)}


def _iu_ok(r: dict) -> bool:
    f, i = r.get("findings", ""), r.get("impression", "")
    if len(f) < 40 or len(i) < 6:
        return False
    if re.search(r"\[|\*\*|<|>|\{|___|\?\?", f + i):
        return False
    return True


def _iu_clean(r: dict) -> bool:
    f, i = r["findings"], r["impression"]
    aff = _affirmed_sig(f)
    if aff and not SIG_RE.search(i):
        return False
    if re.search(r"\b(new|increas|enlarg\w* mediast|widen|free air|pneumoperit)", f, re.I) and not re.search(
            r"\b(new|increas|widen|free air)", i, re.I):
        return False
    fs, is_ = _sides(f), _sides(i)
    if len(is_) == 1 and len(fs) == 1 and fs != is_:
        return False
    if re.search(r"see (above|findings)|as above", i, re.I):
        return False
    return True


def _reword(text: str, style: str, rng: random.Random) -> str:
    text = re.sub(r"\.(\s*\.)+", ".", text).strip()
    if style.startswith("sg"):
        text = re.sub(r"\bedema", "oedema", text)
        text = re.sub(r"\bEdema", "Oedema", text)
        text = re.sub(r"\bhemithorax", "haemithorax", text)
    text = re.sub(r"\bcostophrenic angles?\b", lambda m: "CP angle" + ("s" if m.group(0).endswith("s") else ""),
                  text) if style in ("kr", "tw") and rng.random() < 0.5 else text
    text = re.sub(r"\bx-XXXX\b", "radiograph", text)
    return text


def _iu_imp(text: str, style: str, rng: random.Random) -> str:
    t = _reword(text, style, rng)
    if re.fullmatch(r"(1\. )?No acute cardiopulmonary (abnormality|disease|process)\.?", t, re.I):
        t = rng.choice(["No acute cardiopulmonary abnormality.", "No active cardiopulmonary disease.",
                        "No acute cardiopulmonary process."])
    if re.fullmatch(r"Normal chest( radiograph)?\.?", t, re.I):
        t = rng.choice(["Normal chest radiograph.", "Normal chest."])
    return t


def _iu_render(comp: Composer, r: dict, findings=None, impression=None, **kw) -> str:
    rng = comp.rng
    style, setting = comp.base()
    fr = comp.frame(style, setting)
    hist = r.get("indication") or ""
    if hist and hist.upper() != "XXXX":
        fr["history"] = _reword(hist, style, rng).strip(" ,.;:") + "."
    c = r.get("comparison") or ""
    if c:
        fr["comparison"] = c.rstrip(".") + "."
    f = findings if findings is not None else r["findings"]
    i = impression if impression is not None else r["impression"]
    fsents = _sents(_reword(f, style, rng)) if isinstance(f, str) else f
    imp = _iu_imp(i, style, rng) if isinstance(i, str) else i
    for k in ("history", "comparison", "technique"):
        if k in kw:
            fr[k] = kw.pop(k)
    return render(style, rng, findings=fsents, impression=imp, **fr, **kw)


def _flip(s: str) -> str:
    return SIDE_RE.sub(lambda m: ({"right": "left", "left": "right"}[m.group(0).lower()]
                                  if m.group(0).islower() else
                                  {"right": "Left", "left": "Right"}[m.group(0).lower()]), s)


class IU:
    def __init__(self, rng: random.Random, comp: Composer):
        self.rng = rng
        self.comp = comp
        rows = [r for r in iu_reports() if _iu_ok(r)]
        for r in rows:
            r.setdefault("findings", "")
            r.setdefault("impression", "")
        self.clean_pool = [r for r in rows if _iu_clean(r)]
        self.normal_pool = [r for r in self.clean_pool if not _affirmed_sig(r["findings"])
                            and not re.search(r"cardiomegal|enlarged", r["findings"] + r["impression"], re.I)]
        self.omit_pool = [r for r in rows if _affirmed_sig(r["findings"]) and _affirmed_sig(r["impression"])]
        lat = []
        for r in self.clean_pool:
            fs, is_ = _sides(r["findings"]), _sides(r["impression"])
            if len(fs) == 1 and fs == is_:
                fw = {m.lower()[:6] for m in FIND_WORDS.findall(r["findings"])}
                iw = {m.lower()[:6] for m in FIND_WORDS.findall(r["impression"])}
                if fw & iw:
                    lat.append(r)
        self.lat_pool = lat
        self.used: set[str] = set()

    def take(self, pool: list[dict], pred=None) -> dict:
        cand = [r for r in pool if r["uid"] not in self.used and (pred is None or pred(r))]
        r = self.rng.choice(cand)
        self.used.add(r["uid"])
        return r

    def clean(self):
        r = self.take(self.clean_pool)
        return _iu_render(self.comp, r), f"clean IU {r['uid']}", r["uid"]

    def missing(self):
        r = self.take(self.clean_pool)
        st = self.rng.choice(["blank", "blank", "absent"])
        return _iu_render(self.comp, r, imp_state=st), f"IU {r['uid']}: impression {st}", r["uid"]

    def laterality(self):
        r = self.take(self.lat_pool)
        if self.rng.random() < 0.5:
            new_i = _flip(_reword(r["impression"], "", self.rng))
            return _iu_render(self.comp, r, impression=new_i), \
                f"IU {r['uid']}: side flipped in impression -> '{new_i}'", r["uid"]
        sents = _sents(r["findings"])
        idx = [k for k, s in enumerate(sents) if SIDE_RE.search(s) and FIND_WORDS.search(s)]
        k = self.rng.choice(idx) if idx else next(k for k, s in enumerate(sents) if SIDE_RE.search(s))
        sents[k] = _flip(sents[k])
        # make sure every sided findings sentence now disagrees or the flipped one is explicit
        return _iu_render(self.comp, r, findings=" ".join(sents)), \
            f"IU {r['uid']}: side flipped in findings -> '{sents[k]}'", r["uid"]

    def negation(self):
        rng = self.rng
        pats = {
            "effusion": (r"\bno\b(?![^.]*\b(large|significant|sizable|definite)\b)[^.]*effusion",
                         ["Small {s} pleural effusion.", "{S} pleural effusion.",
                                                  "Blunted {s} CP angle with small effusion."]),
            "ptx": (r"\bno\b[^.]*pneumothorax", ["Small {s} apical pneumothorax.", "{S} pneumothorax."]),
            "lung": (r"lungs (are )?(clear|well aerated and clear)|clear lungs",
                     ["Patchy consolidation in the {s} lower zone, suggestive of pneumonia.",
                      "{S} lower lung field infiltrate, r/o pneumonia."]),
            "heart": (r"heart size (is )?(normal|within normal)|normal heart size|heart is (normal|not enlarged)",
                      ["Cardiomegaly.", "Mild cardiomegaly.", "Enlarged cardiac silhouette."]),
        }
        r = self.take(self.normal_pool,
                      lambda x: any(re.search(p, x["findings"], re.I) for p, _ in pats.values()))
        opts = [c for c, (p, _) in pats.items() if re.search(p, r["findings"], re.I)]
        cat = rng.choice(opts)
        side = rng.choice(["right", "left"])
        new = rng.choice(pats[cat][1]).format(s=side, S=side.capitalize())
        if rng.random() < 0.4:
            new += " " + rng.choice(["Otherwise no acute abnormality.", "No other active lung lesion."])
        return _iu_render(self.comp, r, impression=new), \
            f"IU {r['uid']}: findings negate {cat}; impression replaced by '{new}'", r["uid"]

    def omits(self):
        r = self.take(self.omit_pool)
        aff = _affirmed_sig(r["findings"])[0]
        new = self.rng.choice(["No acute cardiopulmonary abnormality.", "No active lung lesion.",
                               "Normal chest radiograph.", "No significant abnormality detected.",
                               "No acute cardiopulmonary process."])
        return _iu_render(self.comp, r, impression=new), \
            f"IU {r['uid']}: findings affirm '{aff}'; impression replaced by '{new}'", r["uid"]

    def placeholder(self):
        rng = self.rng
        r = self.take(self.clean_pool)
        f = r["findings"]
        opts = ["hist", "comp", "sign"]
        if re.search(r"\b\d+(\.\d+)? ?(mm|cm)\b", f):
            opts += ["size", "size"]
        if SIDE_RE.search(f):
            opts += ["side", "side"]
        kind = rng.choice(opts)
        kw = {}
        if kind == "size":
            tok = rng.choice(["***", "[ ]", "(  )", "[size]"])
            f = re.sub(r"\b\d+(\.\d+)?(?= ?(mm|cm)\b)", tok, f, count=1)
            mark = tok
        elif kind == "side":
            tok = rng.choice(["[Rt/Lt]", "[right/left]", "***", "<side>", "[ ]"])
            f = SIDE_RE.sub(tok, f, count=1)
            mark = tok
        elif kind == "hist":
            mark = rng.choice(["***", "[clinical history]", "<<Clinical information>>", "[ ]"])
            kw["history"] = mark
        elif kind == "comp":
            mark = rng.choice(["[date]", "***", "Previous film dated [  ].", "<comparison>"])
            kw["comparison"] = mark
        else:
            mark = rng.choice(["Dr [NAME]", "Reported by: ***", "Radiologist: <name>"])
            kw["signoff"] = mark
        return _iu_render(self.comp, r, findings=f, **kw), f"IU {r['uid']}: unfilled field ({kind}) {mark}", r["uid"]


# --------------------------------------------------------------------------- build

def build(seed: int) -> list[dict]:
    rng = random.Random(f"h68-{seed}")
    comp = Composer(rng)
    iu = IU(rng, comp)
    rows = []
    plan = [(None, N_CLEAN)] + [(k, N_PER_KIND) for k in KINDS]
    meth = {None: "clean", "missing_section": "missing", "laterality_conflict": "laterality",
            "negation_conflict": "negation", "impression_omits_finding": "omits", "placeholder": "placeholder"}
    for kind, n in plan:
        for j in range(n):
            name = meth[kind]
            if j % 2 == 0:
                text, detail = getattr(comp, name)()
                detail = "bank: " + detail
            else:
                text, detail, _uid = getattr(iu, name)()
            rows.append({"injected": kind, "detail": detail, "report": text})
    rng.shuffle(rows)
    return [{"id": f"h68-{seed}-{n}", **r} for n, r in enumerate(rows)]


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
            for r in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"===== {r['id']} {kind} | {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
