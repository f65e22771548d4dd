"""Held-out report-check set 71, written blind (without looking at the checker).

Setting: a US academic medical centre's inpatient portable chest films from the general wards and
step-down units (not ICU), drafted by radiology residents and signed by attendings. Reports carry an
exam line (XR CHEST PORTABLE 1 VIEW and its variants), clinical history / indication, comparison,
technique, findings (free prose or organ-system sub-headings: Lines/tubes, Lungs, Pleura, Heart and
mediastinum, Bones), an IMPRESSION (numbered when there is more than one point), and the resident /
attending sign-off with the attestation line. Most films are normal or near-normal; the abnormal ones
carry the ordinary ward findings (atelectasis, small effusions, mild edema, pneumonia, PICC / feeding
tube positions, the occasional pneumothorax or nodule).

400 cases: 200 clean and 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder. Half of every group is composed from the phrase bank below;
the other half is a real IU report (never one of the dev set's uids) re-laid-out in the setting's
headers and lightly re-worded. Placeholders are the setting's dictation-template blanks ('***',
'[***]', '[ ]', '[right/left]', '[date]', ...); 'XXXX' and '___' are de-identification masks.

    python -m bench.make_heldout71 OUT.jsonl --seed S [--show N]
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


def dev_uids(shared: Path) -> set[str]:
    out = set()
    with open(shared / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


_IU_CACHE: dict[str, list[dict]] = {}


def load_iu(shared: Path) -> list[dict]:
    key = str(shared)
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    rows = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            s = tf.extractfile(m).read().decode("utf-8", "replace")
            u = re.search(r'<uId id="([^"]+)"', s)
            if not u:
                continue
            d = {k: re.sub(r"\s+", " ", v).strip() for k, v in
                 re.findall(r'<AbstractText Label="(\w+)">(.*?)</AbstractText>', s, re.S)}
            rows.append({"uid": u.group(1), "indication": d.get("INDICATION", ""),
                         "comparison": d.get("COMPARISON", ""), "findings": d.get("FINDINGS", ""),
                         "impression": d.get("IMPRESSION", "")})
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE[key] = rows
    return rows


# --------------------------------------------------------------------------------------------
# Setting furniture: exam lines, histories, comparisons, technique, sign-off.

EXAMS = [
    "EXAM: XR CHEST PORTABLE 1 VIEW", "EXAMINATION: XR CHEST 1 VIEW (PORTABLE)", "EXAM: XR CHEST AP PORTABLE",
    "PROCEDURE: XR CHEST PORTABLE", "EXAM: CHEST RADIOGRAPH, SINGLE VIEW, PORTABLE", "XR CHEST 1 VIEW PORTABLE",
    "EXAMINATION: PORTABLE CHEST, 1 VIEW", "EXAM: XR CHEST 1V PORT",
]
HIST_HDR = ["CLINICAL HISTORY:", "INDICATION:", "HISTORY:", "REASON FOR EXAM:", "CLINICAL INDICATION:"]
HISTORIES = [
    "Shortness of breath.", "SOB.", "Hypoxia.", "Fever, eval for pneumonia.", "Cough and fever.",
    "Chest pain.", "CHF exacerbation.", "Increased oxygen requirement.", "Leukocytosis.", "Tachycardia.",
    "Post-op day 2, hypoxia.", "Desaturation overnight.", "Wheezing.",
    "78-year-old male with dyspnea.", "64 y/o F with pneumonia, follow-up.", "Aspiration event.",
    "Altered mental status, fever.", "Pleural effusion follow-up.", "Weakness.", "Sepsis, unknown source.",
    "COPD exacerbation.", "s/p fall.", "Evaluate for fluid overload.", "Pre-op.", "Chest tube removed.",
]
CMP_HDR = ["COMPARISON:", "COMPARISON:", "COMPARISONS:", "Comparison:"]
TECHNIQUES = [
    "Single portable AP view of the chest.", "Portable AP upright view of the chest.",
    "Single frontal portable view of the chest.", "AP semi-upright portable radiograph of the chest.",
    "Portable semi-erect AP chest.", "Single AP view of the chest obtained at bedside.",
    "Frontal view of the chest, portable technique.",
]
RESIDENTS = ["Priya Raman, MD", "Daniel Cho, MD", "Megan O'Neill, MD", "Samuel Okafor, MD", "Laura Brennan, MD",
             "Kevin Tran, MD", "Aisha Patel, MD", "Jonathan Weiss, MD"]
ATTENDINGS = ["Robert Kline, MD", "Susan Whitaker, MD", "Michael Alvarez, MD", "Elaine Foster, MD",
              "David Hirsch, MD", "Caroline Yu, MD", "Thomas Grady, MD"]
ATTEST = [
    "I have personally reviewed the images and agree with the findings of this report.",
    "I have reviewed the images and the resident's preliminary report and agree.",
    "Attending attestation: I have personally reviewed the images and agree with the report above.",
    "I have personally reviewed the images and concur with the resident's interpretation.",
]

OMIT_MACROS = [
    "No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
    "No acute intrathoracic abnormality.", "No acute cardiopulmonary disease.",
    "No radiographic evidence of acute cardiopulmonary disease.", "No acute findings.",
]

PH_TOKENS = ["***", "[***]", "[ ]", "***", "[***]", "{***}"]


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/20{rng.choice(['24', '25'])}"


def _time(rng: random.Random) -> str:
    return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"


def signoff(rng: random.Random) -> list[str]:
    res, att = rng.choice(RESIDENTS), rng.choice(ATTENDINGS)
    d, t = _date(rng), _time(rng)
    style = rng.randrange(4)
    if style == 0:
        return [f"Resident: {res}", f"Attending: {att}", rng.choice(ATTEST),
                f"Electronically signed by: {att} on {d} {t}"]
    if style == 1:
        return [f"Dictated by: {res}", rng.choice(ATTEST), f"Signed by: {att} {d} {t}"]
    if style == 2:
        return [rng.choice(ATTEST), f"Resident: {res}  Attending: {att}", f"Final report signed {d} {t}."]
    return [f"Preliminary report by {res}.", f"Final report electronically signed by {att} on {d} at {t}."]


# --------------------------------------------------------------------------------------------
# Phrase bank: findings items. f = findings sentence, i = impression sentence (None: not needed),
# sig = significant (must be in the impression), side = right/left/None, grp = organ system.

def _flip(text: str) -> str:
    def sub(m: re.Match) -> str:
        w = m.group(0)
        new = {"right": "left", "left": "right"}[w.lower()]
        return new.capitalize() if w[0].isupper() else new
    return re.sub(r"\b(right|left)\b", sub, text, flags=re.I)


def item_bank(rng: random.Random, side: str | None = None, middle: bool = True) -> dict[str, dict]:
    s = side or rng.choice(["right", "left"])
    S = s.capitalize()
    lobes = ["lower", "lower", "upper"] if s == "left" else ["lower", "lower", "middle" if middle else "lower", "upper"]
    lobe = rng.choice(lobes)
    mm = rng.choice([7, 8, 9, 10, 12, 14])
    loc = rng.choice(["cavoatrial junction", "lower SVC", "distal SVC", "cavoatrial junction"])
    bank = {
        "picc": dict(grp="lines", side=s, sig=False,
                     f=rng.choice([f"{S} upper extremity PICC with tip projecting over the {loc}.",
                                   f"{S}-sided PICC terminates in the {loc}.",
                                   f"Interval placement of a {s} arm PICC, tip in the {loc}."]),
                     i=rng.choice([f"{S} PICC tip at the {loc}.", f"{S} PICC with tip in the {loc}.",
                                   f"{S} PICC in satisfactory position, tip at the {loc}."])),
        "dobhoff": dict(grp="lines", side=None, sig=False,
                        f=rng.choice(["Weighted feeding tube courses below the diaphragm with tip in the stomach.",
                                      "Dobhoff tube tip projects over the gastric body.",
                                      "Enteric tube passes below the left hemidiaphragm, tip in the stomach."]),
                        i=rng.choice(["Feeding tube tip in the stomach.", "Dobhoff tip in the stomach.",
                                      "Enteric tube in satisfactory position, tip in the stomach."])),
        "port": dict(grp="lines", side=s, sig=False,
                     f=f"{S} chest wall port catheter with tip at the cavoatrial junction.", i=None),
        "sternotomy": dict(grp="heart", side=None, sig=False,
                           f=rng.choice(["Median sternotomy wires and mediastinal clips.",
                                         "Postsurgical changes of prior CABG.", "Intact median sternotomy wires."]),
                           i=None),
        "atel": dict(grp="lung", side=None, sig=False,
                     f=rng.choice(["Mild bibasilar atelectasis.", "Low lung volumes with bibasilar atelectasis.",
                                   "Streaky bibasilar opacities, likely atelectasis.",
                                   "Linear atelectasis at the lung bases."]),
                     i=rng.choice(["Bibasilar atelectasis.", "Low lung volumes with bibasilar atelectasis.", None])),
        "atel_side": dict(grp="lung", side=s, sig=False,
                          f=rng.choice([f"Linear opacity at the {s} lung base, likely subsegmental atelectasis.",
                                        f"Platelike atelectasis in the {s} lower lung."]),
                          i=rng.choice([f"{S} basilar atelectasis.", f"Subsegmental atelectasis at the {s} base."])),
        "eff_small": dict(grp="pleura", side=s, sig=False,
                          f=rng.choice([f"Small {s} pleural effusion.", f"Trace {s} pleural effusion.",
                                        f"Blunting of the {s} costophrenic angle, consistent with a small effusion."]),
                          i=rng.choice([f"Small {s} pleural effusion.", f"Small {s} effusion.", None])),
        "eff_bilat_small": dict(grp="pleura", side=None, sig=False,
                                f="Small bilateral pleural effusions.",
                                i=rng.choice(["Small bilateral pleural effusions.", None])),
        "eff_mod": dict(grp="pleura", side=s, sig=True,
                        f=rng.choice([f"Moderate {s} pleural effusion with adjacent compressive atelectasis.",
                                      f"Moderate {s} pleural effusion, increased from prior."]),
                        i=rng.choice([f"Moderate {s} pleural effusion.", f"Moderate {s} pleural effusion with "
                                      "adjacent atelectasis; superimposed infection not excluded."])),
        "pna": dict(grp="lung", side=s, sig=True,
                    f=rng.choice([f"Patchy airspace opacity in the {s} {lobe} lobe.",
                                  f"New focal consolidation in the {s} {lobe} lobe.",
                                  f"Airspace disease in the {s} {lobe} lobe, new since prior."]),
                    i=rng.choice([f"{S} {lobe} lobe opacity concerning for pneumonia.",
                                  f"{S} {lobe} lobe pneumonia in the appropriate clinical setting.",
                                  f"New {s} {lobe} lobe consolidation, compatible with pneumonia."])),
        "retro": dict(grp="lung", side="left", sig=True,
                      f="Retrocardiac opacity obscuring the left hemidiaphragm, new from prior.",
                      i=rng.choice(["Left lower lobe opacity, which may reflect atelectasis or pneumonia.",
                                    "New retrocardiac left lower lobe opacity, atelectasis versus pneumonia."])),
        "edema": dict(grp="lung", side=None, sig=True,
                      f=rng.choice(["Pulmonary vascular congestion with mild interstitial edema.",
                                    "Increased interstitial markings and vascular congestion, consistent with "
                                    "mild pulmonary edema.", "Cephalization of the pulmonary vasculature with "
                                    "interstitial edema, increased from prior."]),
                      i=rng.choice(["Mild pulmonary edema.", "Pulmonary vascular congestion and mild interstitial "
                                    "edema.", "Findings of mild fluid overload, increased from prior."])),
        "ptx": dict(grp="pleura", side=s, sig=True,
                    f=rng.choice([f"Small {s} apical pneumothorax.",
                                  f"Small {s} apical pneumothorax measuring approximately 1 cm.",
                                  f"Thin {s} apical pleural line consistent with small pneumothorax."]),
                    i=rng.choice([f"Small {s} apical pneumothorax.", f"Small {s} pneumothorax.",
                                  f"New small {s} apical pneumothorax."])),
        "nodule": dict(grp="lung", side=s, sig=True,
                       f=f"{mm} mm nodular opacity projecting over the {s} mid lung.",
                       i=f"{mm} mm {s} mid lung nodular opacity; nonemergent chest CT is recommended for further "
                         "characterization."),
        "cmeg_mild": dict(grp="heart", side=None, sig=False,
                          f=rng.choice(["Mild cardiomegaly, unchanged.", "The heart is mildly enlarged, stable.",
                                        "Stable mild enlargement of the cardiac silhouette."]),
                          i=rng.choice(["Stable mild cardiomegaly.", None])),
        "cmeg": dict(grp="heart", side=None, sig=False,
                     f=rng.choice(["Cardiomegaly.", "The cardiac silhouette is enlarged.", "Moderate cardiomegaly."]),
                     i=rng.choice(["Cardiomegaly.", "Enlarged cardiac silhouette."])),
        "granuloma": dict(grp="lung", side=s, sig=False, f=f"Calcified granuloma in the {s} upper lobe.", i=None),
        "aorta": dict(grp="heart", side=None, sig=False,
                      f=rng.choice(["Atherosclerotic calcification of the aortic arch.", "Tortuous thoracic aorta."]),
                      i=None),
        "djd": dict(grp="bones", side=None, sig=False,
                    f=rng.choice(["Degenerative changes of the thoracic spine.",
                                  "Multilevel degenerative changes in the thoracic spine.",
                                  "Degenerative changes of the bilateral shoulders."]), i=None),
        "hernia": dict(grp="other", side=None, sig=False, f="Small hiatal hernia.", i=None),
        "emphysema": dict(grp="lung", side=None, sig=False,
                          f="Hyperinflated lungs with flattening of the hemidiaphragms, consistent with COPD.",
                          i=rng.choice(["Chronic obstructive changes.", "Emphysema.", None])),
    }
    for k, v in bank.items():
        v["key"] = k
    return bank


LUNG_NORMAL = ["The lungs are clear.", "Lungs are clear bilaterally.", "The lungs are clear without focal "
               "consolidation.", "No focal airspace consolidation.", "Lungs are well expanded and clear."]
LUNG_NO_CONS = ["No focal consolidation.", "No focal airspace consolidation.", "No new focal consolidation."]
PLEURA_NORMAL = ["No pleural effusion or pneumothorax.", "No pneumothorax or pleural effusion.",
                 "No pleural effusion or pneumothorax is seen.", "No large pleural effusion or pneumothorax."]
HEART_NORMAL = ["The cardiomediastinal silhouette is within normal limits.", "Heart size is normal.",
                "Normal heart size and mediastinal contours.", "The heart and mediastinum are normal in size.",
                "Cardiomediastinal contours are unremarkable."]
HEART_NORMAL_PRIOR = ["Stable cardiomediastinal silhouette.", "Cardiomediastinal silhouette is unchanged."]
BONES_NORMAL = ["No acute osseous abnormality.", "Visualized osseous structures are intact.",
                "No acute bony abnormality.", "Osseous structures are unremarkable."]
NORMAL_IMPS = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
               "No acute cardiopulmonary disease.", "No acute intrathoracic process.",
               "No radiographic evidence of acute cardiopulmonary disease."]
NORMAL_IMPS_PRIOR = ["No acute cardiopulmonary process. No significant interval change.",
                     "Stable chest. No acute cardiopulmonary process."]

PROFILES = {  # items drawn per profile (normal reports dominate)
    "normal": [],
    "minor": ["atel", "atel_side", "eff_small", "eff_bilat_small", "cmeg_mild", "granuloma", "aorta", "djd",
              "hernia", "emphysema", "sternotomy", "picc", "dobhoff", "port"],
    "sig": ["pna", "retro", "edema", "eff_mod", "ptx", "nodule", "cmeg"],
}


def pick_items(rng: random.Random, bank: dict, profile: str, force: str | None = None) -> list[dict]:
    keys: list[str] = []
    if force:
        keys.append(force)
    if profile == "normal":
        if rng.random() < 0.35:
            keys.append(rng.choice(["djd", "aorta", "granuloma", "sternotomy", "picc", "dobhoff", "port"]))
    elif profile == "minor":
        keys += rng.sample(PROFILES["minor"], rng.choice([1, 1, 2, 2, 3]))
    else:
        if not force:
            keys.append(rng.choice(PROFILES["sig"]))
        if rng.random() < 0.6:
            keys += rng.sample(PROFILES["minor"], rng.choice([1, 2]))
    out, seen = [], set()
    groups_excl = [{"eff_small", "eff_bilat_small", "eff_mod"}, {"cmeg", "cmeg_mild"}, {"atel", "atel_side"},
                   {"picc", "port"}, {"pna", "retro"}]
    for k in keys:
        if k in seen or any(k in g and seen & g for g in groups_excl):
            continue
        # an effusion with a pneumothorax keeps both sides honest only if same side: keep simple
        seen.add(k)
        out.append(dict(bank[k]))
    return out


def _noprior(t: str | None) -> str | None:
    """Drop change words from a phrase when there is no prior film to compare with."""
    if t is None:
        return None
    t = re.sub(r",? (new|increased) (since|from) prior", "", t)
    t = re.sub(r", (unchanged|stable)\.", ".", t)
    t = re.sub(r", increasing", "", t)
    t = re.sub(r"^(New|Stable) (\w)", lambda m: m.group(2).upper(), t)
    t = re.sub(r"\b(stable|unchanged) ", "", t)
    t = t.replace("increased from prior", "")
    return t


def fit_history(rng: random.Random, hdr: dict, items: list[dict]) -> None:
    keys = {it["key"]: it for it in items}
    if "picc" in keys and rng.random() < 0.6:
        hdr["history"] = rng.choice(["PICC placement.", f"s/p {keys['picc']['side']} PICC placement.",
                                     "Line placement, confirm position.", "New PICC, confirm tip position."])
    elif "dobhoff" in keys and rng.random() < 0.6:
        hdr["history"] = rng.choice(["Dobhoff placement.", "Feeding tube placement.", "Confirm feeding tube."])


def compose(rng: random.Random, items: list[dict], hdr: dict) -> dict:
    """Findings sentences (grp, text, item-key) and impression list for a set of items."""
    has_prior = hdr["has_prior"]
    fit_history(rng, hdr, items)
    if not has_prior:
        for it in items:
            it["f"], it["i"] = _noprior(it["f"]), _noprior(it["i"])
    keys = {it["key"] for it in items}
    grp = {g: [it for it in items if it["grp"] == g] for g in ["lines", "lung", "pleura", "heart", "bones", "other"]}
    fnd: list[tuple[str, str, str]] = []
    for it in grp["lines"]:
        fnd.append(("lines", it["f"], it["key"]))
    lung_abn = [it for it in grp["lung"] if it["key"] not in ("granuloma",)]
    if not lung_abn:
        fnd.append(("lung", rng.choice(LUNG_NORMAL), "n_lung"))
    for it in grp["lung"]:
        fnd.append(("lung", it["f"], it["key"]))
    if lung_abn and not keys & {"pna", "retro"} and rng.random() < 0.6:
        fnd.append(("lung", rng.choice(LUNG_NO_CONS), "n_cons"))
    for it in grp["pleura"]:
        fnd.append(("pleura", it["f"], it["key"]))
    has_eff = keys & {"eff_small", "eff_bilat_small", "eff_mod"}
    if not grp["pleura"]:
        fnd.append(("pleura", rng.choice(PLEURA_NORMAL), "n_pleura"))
    elif has_eff and "ptx" not in keys:
        fnd.append(("pleura", "No pneumothorax.", "n_ptx"))
    elif "ptx" in keys and not has_eff:
        fnd.append(("pleura", "No pleural effusion.", "n_eff"))
    heart_abn = [it for it in grp["heart"] if it["key"] in ("cmeg", "cmeg_mild")]
    if not heart_abn:
        fnd.append(("heart", rng.choice(HEART_NORMAL + (HEART_NORMAL_PRIOR if has_prior else [])), "n_heart"))
    for it in grp["heart"]:
        fnd.append(("heart", it["f"], it["key"]))
    for it in grp["other"]:
        fnd.append(("other", it["f"], it["key"]))
    if not grp["bones"] or rng.random() < 0.4:
        fnd.append(("bones", rng.choice(BONES_NORMAL), "n_bones"))
    for it in grp["bones"]:
        fnd.append(("bones", it["f"], it["key"]))
    imp: list[str] = []
    sig_items = [it for it in items if it["sig"]]
    for it in sig_items:
        imp.append(it["i"])
    for it in items:
        if not it["sig"] and it["i"] and it["grp"] == "lines":
            imp.append(it["i"])
    for it in items:
        if not it["sig"] and it["i"] and it["grp"] != "lines" and rng.random() < 0.75:
            imp.append(it["i"])
    if not sig_items:
        if imp:
            imp.append(rng.choice(["No acute cardiopulmonary process.", "Otherwise no acute cardiopulmonary "
                                   "process.", "No focal consolidation."]) if not keys & {"atel", "atel_side"}
                       else "No acute cardiopulmonary process.")
        else:
            imp.append(rng.choice(NORMAL_IMPS + (NORMAL_IMPS_PRIOR if has_prior else [])))
    return {"findings": fnd, "impression": imp}


SUBHDR = {"lines": "Lines/tubes:", "lung": "Lungs:", "pleura": "Pleura:", "heart": "Heart and mediastinum:",
          "bones": "Bones:", "other": "Other:"}


def render(rng: random.Random, hdr: dict, findings, impression, structured: bool,
           imp_hdr: str = "IMPRESSION:", drop_imp_hdr: bool = False, drop_find_hdr: bool = False) -> str:
    out = [hdr["exam"], ""]
    out += [f"{hdr['hist_hdr']} {hdr['history']}".rstrip(), ""]
    out += [f"{hdr['cmp_hdr']} {hdr['comparison']}".rstrip(), ""]
    if hdr.get("technique") is not None:
        out += [f"TECHNIQUE: {hdr['technique']}".rstrip(), ""]
    if not drop_find_hdr:
        if isinstance(findings, str):
            out += [f"FINDINGS: {findings}".rstrip() if findings else "FINDINGS:", ""]
        elif structured and findings:
            out.append("FINDINGS:")
            order = ["lines", "lung", "pleura", "heart", "other", "bones"]
            for g in order:
                sents = [t for gg, t, _ in findings if gg == g]
                if g == "lines" and not sents:
                    sents = ["None."]
                if sents:
                    out.append(f"{SUBHDR[g]} {' '.join(sents)}")
            out.append("")
        else:
            body = " ".join(t for _, t, _ in findings)
            out += [f"FINDINGS: {body}".rstrip() if body else "FINDINGS:", ""]
    if not drop_imp_hdr:
        if isinstance(impression, str):
            out += [f"{imp_hdr} {impression}".rstrip() if impression else imp_hdr, ""]
        elif len(impression) > 1:
            out.append(imp_hdr)
            out += [f"{n}. {t}" for n, t in enumerate(impression, 1)]
            out.append("")
        elif impression:
            out += [f"{imp_hdr} {impression[0]}", ""]
        else:
            out += [imp_hdr, ""]
    out += hdr["signoff"]
    return "\n".join(out).strip() + "\n"


def make_hdr(rng: random.Random, history: str | None = None, comparison: str | None = None) -> dict:
    has_prior = rng.random() < 0.7
    if comparison is None:
        comparison = (rng.choice([f"Chest radiograph {_date(rng)}.", f"Portable chest {_date(rng)}.",
                                  "Chest radiograph from yesterday.", f"{_date(rng)}.",
                                  f"Multiple prior chest radiographs, most recent {_date(rng)}."])
                      if has_prior else rng.choice(["None.", "None available."]))
    return {"exam": rng.choice(EXAMS), "hist_hdr": rng.choice(HIST_HDR),
            "history": history if history is not None else rng.choice(HISTORIES),
            "cmp_hdr": rng.choice(CMP_HDR), "comparison": comparison,
            "technique": rng.choice(TECHNIQUES) if rng.random() < 0.75 else None,
            "signoff": signoff(rng), "has_prior": has_prior}


# --------------------------------------------------------------------------------------------
# Composed (phrase-bank) cases.

def synth_clean(rng: random.Random) -> dict:
    hdr = make_hdr(rng)
    if rng.random() < 0.08:  # line-check report, impression only, describing the film
        bank = item_bank(rng)
        dev = rng.choice(["picc", "dobhoff"])
        imp = [bank[dev]["i"], rng.choice(["No pneumothorax.", "No focal consolidation or pneumothorax.",
                                           "Lungs are otherwise clear."])]
        hdr["technique"] = None
        return {"report": render(rng, hdr, [], imp, False, drop_find_hdr=True),
                "detail": "composed line-check report, impression only"}
    profile = rng.choices(["normal", "minor", "sig"], [0.5, 0.32, 0.18])[0]
    items = pick_items(rng, item_bank(rng), profile)
    c = compose(rng, items, hdr)
    structured = rng.random() < 0.35
    return {"report": render(rng, hdr, c["findings"], c["impression"], structured),
            "detail": f"composed {profile} report"}


def synth_error(rng: random.Random, kind: str) -> dict:
    hdr = make_hdr(rng)
    structured = rng.random() < 0.35
    bank = item_bank(rng)
    if kind == "missing_section":
        mode = rng.choice(["imp_empty", "imp_empty", "imp_absent", "find_empty"])
        if mode == "find_empty":
            hdr["technique"] = rng.choice(TECHNIQUES)
            imp = [rng.choice(NORMAL_IMPS + (["No significant interval change."] if hdr["has_prior"] else []))]
            return {"report": render(rng, hdr, "", imp, False),
                    "detail": "FINDINGS left empty; impression is a bare conclusion"}
        profile = rng.choice(["normal", "minor", "minor", "sig"])
        c = compose(rng, pick_items(rng, bank, profile), hdr)
        rep = render(rng, hdr, c["findings"], [], structured, drop_imp_hdr=(mode == "imp_absent"))
        return {"report": rep, "detail": "IMPRESSION " + ("header left with nothing under it" if mode == "imp_empty"
                                                          else "section missing (report goes from findings to "
                                                          "sign-off)")}
    if kind == "laterality_conflict":
        bank = item_bank(rng, middle=False)
        key = rng.choice(["pna", "eff_small", "ptx", "nodule", "atel_side", "picc", "eff_mod"])
        items = pick_items(rng, bank, "sig" if bank[key]["sig"] else "minor", force=key)
        target = next(it for it in items if it["key"] == key)
        if target["i"] is None:
            target["i"] = f"Small {target['side']} pleural effusion."
        c = compose(rng, items, hdr)
        if target["i"] not in c["impression"]:
            c["impression"].insert(0, target["i"])
        if rng.random() < 0.5:
            c["impression"] = [_flip(t) if t == target["i"] else t for t in c["impression"]]
            where = "impression"
        else:
            c["findings"] = [(g, _flip(t) if k == key else t, k) for g, t, k in c["findings"]]
            where = "findings"
        side = target["side"]
        return {"report": render(rng, hdr, c["findings"], c["impression"], structured),
                "detail": f"{key} side flipped in the {where} ({side} in the other section)"}
    if kind == "negation_conflict":
        mode = rng.choice(["imp_affirm_eff", "imp_affirm_ptx", "imp_affirm_pna", "imp_affirm_cmeg",
                           "imp_neg_eff", "imp_neg_cmeg", "imp_neg_eff2", "imp_neg_cmeg2"])
        if mode.startswith("imp_affirm"):
            items = pick_items(rng, bank, "normal")
            items = [it for it in items if it["grp"] in ("lines", "bones")]
            c = compose(rng, items, hdr)
            s = rng.choice(["right", "left"])
            affirm = {"imp_affirm_eff": f"Small {s} pleural effusion.",
                      "imp_affirm_ptx": f"Small {s} apical pneumothorax.",
                      "imp_affirm_pna": f"{s.capitalize()} lower lobe pneumonia.",
                      "imp_affirm_cmeg": "Cardiomegaly."}[mode]
            imp = [it["i"] for it in items if it["grp"] == "lines" and it["i"]] + [affirm]
            if rng.random() < 0.5:
                imp.append("Otherwise no acute cardiopulmonary process.")
            neg = {"imp_affirm_eff": "n_pleura", "imp_affirm_ptx": "n_pleura", "imp_affirm_pna": "n_lung",
                   "imp_affirm_cmeg": "n_heart"}[mode]
            if mode == "imp_affirm_cmeg":  # make the normal heart statement an explicit size one
                c["findings"] = [(g, rng.choice(["Heart size is normal.", "Normal heart size."]) if k == neg else t,
                                  k) for g, t, k in c["findings"]]
            if mode == "imp_affirm_pna":
                c["findings"] = [(g, rng.choice(LUNG_NORMAL[:3]) if k == neg else t, k) for g, t, k in c["findings"]]
            if mode in ("imp_affirm_eff", "imp_affirm_ptx"):
                c["findings"] = [(g, "No pleural effusion or pneumothorax." if k == neg else t, k)
                                 for g, t, k in c["findings"]]
            negtxt = next(t for g, t, k in c["findings"] if k == neg)
            return {"report": render(rng, hdr, c["findings"], imp, structured),
                    "detail": f"impression asserts '{affirm}' while findings say '{negtxt}'"}
        key = {"imp_neg_eff": "eff_small", "imp_neg_cmeg": "cmeg", "imp_neg_eff2": "eff_bilat_small",
               "imp_neg_cmeg2": "cmeg_mild"}[mode]
        items = pick_items(rng, bank, "minor", force=key)
        items = [it for it in items if it["key"] == key or it["grp"] in ("lines", "bones")]
        c = compose(rng, items, hdr)
        negs = {"imp_neg_eff": ["No pleural effusion.", "No pleural effusion or pneumothorax."],
                "imp_neg_cmeg": ["Normal heart size.", "Heart size is within normal limits."],
                "imp_neg_eff2": ["No pleural effusions.", "No pleural effusion or pneumothorax."],
                "imp_neg_cmeg2": ["Normal heart size.", "The heart is normal in size."]}[mode]
        neg = rng.choice(negs)
        imp = [it["i"] for it in items if it["grp"] == "lines" and it["i"]] + [neg, "No acute cardiopulmonary "
                                                                                  "process."]
        ftxt = next(t for g, t, k in c["findings"] if k == key)
        return {"report": render(rng, hdr, c["findings"], imp, structured),
                "detail": f"findings say '{ftxt}' but impression says '{neg}'"}
    if kind == "impression_omits_finding":
        key = rng.choice(["pna", "retro", "edema", "eff_mod", "ptx", "nodule", "pna", "edema"])
        items = pick_items(rng, bank, "sig", force=key)
        items = [it for it in items if not it["sig"] or it["key"] == key]
        c = compose(rng, items, hdr)
        macro = rng.choice(OMIT_MACROS)
        imp = [it["i"] for it in items if it["grp"] == "lines" and it["i"]] + [macro]
        ftxt = next(t for g, t, k in c["findings"] if k == key)
        return {"report": render(rng, hdr, c["findings"], imp, structured),
                "detail": f"findings affirm '{ftxt}'; impression replaced by a normal statement"}
    # placeholder
    mode = rng.choice(["cmp", "hist", "side", "size", "picc_loc", "callback", "heart", "technique"])
    profile = rng.choice(["normal", "minor", "sig"])
    force = {"side": rng.choice(["eff_small", "pna", "atel_side"]), "size": "eff_small", "picc_loc": "picc",
             "callback": "ptx"}.get(mode)
    if force:
        profile = "sig" if bank[force]["sig"] else "minor"
    items = pick_items(rng, bank, profile, force=force)
    if force == "eff_small":
        next(it for it in items if it["key"] == "eff_small")["f"] = f"Small {bank['eff_small']['side']} pleural " \
                                                                    "effusion."
    c = compose(rng, items, hdr)
    tok = rng.choice(PH_TOKENS)
    detail = ""
    if mode == "cmp":
        tok = rng.choice(["***", "[date]", "[***]", "[ ]"])
        hdr["comparison"] = tok if rng.random() < 0.5 else f"Chest radiograph {tok}."
        detail = f"comparison date left as '{tok}'"
    elif mode == "hist":
        tok = rng.choice(["***", "[Reason for exam]", "[***]"])
        hdr["history"] = tok
        detail = f"clinical history field left as '{tok}'"
    elif mode == "technique":
        tok = rng.choice(["[ ]", "***", "[upright/semi-upright]"])
        hdr["technique"] = f"Portable {tok} AP view of the chest."
        detail = f"technique field left as '{tok}'"
    elif mode == "heart":
        tok = rng.choice(["[normal/enlarged]", "***", "[***]"])
        c["findings"] = [(g, f"Heart size is {tok}." if k == "n_heart" else t, k) for g, t, k in c["findings"]]
        if not any(k == "n_heart" for _, _, k in c["findings"]):
            c["findings"].append(("heart", f"Mediastinal contours are {tok}.", "n_heart"))
        detail = f"heart size field left as '{tok}'"
    elif mode == "side":
        tok = rng.choice(["[right/left]", "***", "[side]"])
        c["findings"] = [(g, re.sub(r"\b(right|left)\b", tok, t, count=1, flags=re.I) if k == force else t, k)
                         for g, t, k in c["findings"]]
        detail = f"side of {force} left as '{tok}' in the findings"
    elif mode == "size":
        tok = rng.choice(["[small/moderate/large]", "***", "[size]"])
        c["findings"] = [(g, t.replace("Small", tok, 1) if k == force else t, k) for g, t, k in c["findings"]]
        detail = f"effusion size left as '{tok}'"
    elif mode == "picc_loc":
        tok = rng.choice(["[location]", "***", "[***]"])
        c["findings"] = [(g, re.sub(r"(tip (?:projecting over|in) the|terminates in the) [^.]+",
                                    lambda m: f"{m.group(1)} {tok}", t) if k == "picc" else t, k)
                         for g, t, k in c["findings"]]
        detail = f"PICC tip position left as '{tok}'"
    elif mode == "callback":
        tok = rng.choice(["***", "[name]", "[time]"])
        who = tok if tok != "[time]" else "Dr. Lee"
        when = tok if tok == "[time]" else _time(rng)
        hdr["signoff"] = [f"Critical result communicated to {who} by telephone at {when} with read-back."] + \
            hdr["signoff"]
        detail = f"critical-result communication field left as '{tok}'"
    return {"report": render(rng, hdr, c["findings"], c["impression"], structured), "detail": detail}


# --------------------------------------------------------------------------------------------
# Real IU reports, re-laid-out.

NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|clear|cleared|resolved|resolution|resolving|removed|"
                     r"absence|absent|normal|exclude|excluded|rule out|evaluate|previously|prior|history)\b", re.I)
HEDGE = re.compile(r"\b(possib\w*|may|might|could|cannot|versus|vs|or|question\w*|likely|suspect\w*|stable|"
                   r"unchanged|chronic|old|healed|scar\w*|calcifi\w*|granulom\w*|minimal\w*|trace|small|mild\w*|"
                   r"subtle|slight\w*|borderline|atelecta\w*|streaky|linear|subsegmental|platelike|discoid)\b", re.I)
SIG_GROUPS = {
    "pneumothorax": (r"pneumothora", r"pneumothora"),
    "consolidation": (r"consolidat|pneumonia|airspace disease|airspace opaci|infiltrat",
                      r"consolidat|pneumonia|airspace|infiltrat|opacit|infect"),
    "edema": (r"edema|vascular congestion|pulmonary congestion", r"edema|congest|overload|failure|chf"),
    "effusion": (r"(moderate|large)\b[^.]*effusion", r"effusion"),
    "mass": (r"\bmass\b", r"mass|lesion|ct\b|neoplas|malignan"),
    "mediastinum": (r"widened mediastinum|mediastinal widening", r"mediastin"),
}
SIDE_TERMS = ["effusion", "pneumothorax", "opacity", "opacities", "consolidation", "atelectasis", "infiltrate",
              "airspace", "nodule", "mass", "granuloma", "pneumonia", "scarring", "fracture", "density", "picc",
              "port", "catheter", "hemidiaphragm", "pleural thickening", "lobectomy", "effusions"]


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])", text.strip())
    out: list[str] = []
    for p in parts:
        if out and re.fullmatch(r"\d+\.", out[-1]):
            out[-1] = out[-1] + " " + p
        else:
            out.append(p)
    return [p for p in out if p]


def iu_clean_text(t: str) -> str:
    t = re.sub(r"\.{2,}", ".", t)
    t = re.sub(r"\.(\s+\.)+", ".", t)
    t = re.sub(r"\s+", " ", t).strip()
    return t


def reword(rng: random.Random, t: str) -> str:
    subs = [
        (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary process"),
        (r"\bNo active disease\b", "No acute cardiopulmonary disease"),
        (r"\bNo acute disease\b", "No acute cardiopulmonary disease"),
        (r"\bThere is no ([^.;]+)\.", r"No \1."),
        (r"\bNo pneumothorax or pleural effusion\b", "No pleural effusion or pneumothorax"),
        (r"\bHeart size normal\b", "Heart size is normal"),
        (r"\bNormal chest x-XXXX\b", "No acute cardiopulmonary process"),
        (r"\bNegative chest x-XXXX\b", "No acute cardiopulmonary process"),
        (r"\bcardio mediastinal\b", "cardiomediastinal"),
    ]
    for pat, rep in subs:
        if rng.random() < 0.6:
            t = re.sub(pat, rep, t)
    return t


def sig_affirmed(findings: str, strict: bool) -> list[tuple[str, str]]:
    out = []
    for s in sentences(findings):
        if NEG_CUE.search(s) or (strict and HEDGE.search(s)):
            continue
        for g, (fp, _) in SIG_GROUPS.items():
            if re.search(fp, s, re.I):
                out.append((g, s))
    return out


def iu_ok(r: dict) -> bool:
    text = " ".join([r["findings"], r["impression"], r["indication"], r["comparison"]])
    if not r["findings"] or not r["impression"] or "[" in text or "***" in text or "___" in text:
        return False
    if re.search(r"\blateral (view|projection|radiograph|film|image|chest)|two[- ]views?|2 views|\bPA and lateral|"
                 r"frontal and lateral|\bfoot\b|\bknee\b|\bwrist\b", r["findings"] + r["impression"], re.I):
        return False
    return len(r["findings"]) > 40


def iu_consistent(r: dict) -> bool:
    """No significant finding left out of the impression (a real report we are willing to sign as clean)."""
    for g, _ in sig_affirmed(r["findings"], strict=False):
        if not re.search(SIG_GROUPS[g][1], r["impression"], re.I):
            return False
    return True


def iu_render(rng: random.Random, r: dict, findings: str | None = None, impression: str | None = None,
              drop_imp_hdr: bool = False, hdr: dict | None = None) -> str:
    f = reword(rng, iu_clean_text(r["findings"] if findings is None else findings))
    imp = iu_clean_text(r["impression"] if impression is None else impression)
    imp = reword(rng, imp)
    imp_list = [p.strip() for p in re.split(r"(?:^|\s)\d+\.\s+", imp) if p.strip()] if re.match(r"1\.\s", imp) \
        else imp
    hist = iu_clean_text(r["indication"]) or rng.choice(HISTORIES)
    cmp_ = iu_clean_text(r["comparison"]) or "None."
    hdr = hdr or make_hdr(rng, history=hist, comparison=cmp_)
    return render(rng, hdr, f, imp_list, False, imp_hdr=rng.choice(["IMPRESSION:"] * 6 + ["Impression:"]),
                  drop_imp_hdr=drop_imp_hdr)


def side_pairs(r: dict) -> list[tuple[str, str, str, str]]:
    """(section to flip, sentence, side, term) where both sections place `term` on `side`."""
    fs, is_ = sentences(r["findings"]), sentences(r["impression"])
    out = []
    for s in is_:
        sides = set(w.lower() for w in re.findall(r"\b(right|left)\b", s, re.I))
        if len(sides) != 1 or re.search(r"bilateral|both", s, re.I):
            continue
        side = sides.pop()
        other = "left" if side == "right" else "right"
        for term in SIDE_TERMS:
            near = rf"\b{side}\b\W+(?:[\w-]+\W+){{0,4}}{term}\b"
            if not re.search(near, s, re.I):
                continue
            fmatch = [x for x in fs if re.search(near, x, re.I)
                      and not re.search(rf"\b{other}\b", x, re.I)]
            if not fmatch or any(re.search(rf"\b{other}\b", x, re.I) and re.search(rf"\b{term}\b", x, re.I)
                                 for x in fs + is_):
                continue
            out.append(("impression", s, side, term))
            out.append(("findings", fmatch[0], side, term))
    return out


def iu_error(rng: random.Random, r: dict, kind: str) -> dict | None:
    if kind == "missing_section":
        imp = iu_clean_text(r["impression"])
        if rng.random() < 0.25 and re.fullmatch(r"(No acute|Normal|Negative|No active)[^.]*\.?", imp):
            rep = iu_render(rng, r, findings="")
            return {"report": rep, "detail": f"FINDINGS emptied; impression '{imp}' is a bare conclusion"}
        absent = rng.random() < 0.35
        rep = iu_render(rng, r, impression="", drop_imp_hdr=absent)
        return {"report": rep, "detail": "IMPRESSION " + ("removed" if absent else "emptied")}
    if kind == "laterality_conflict":
        pairs = side_pairs(r)
        if not pairs:
            return None
        sec, sent, side, term = rng.choice(pairs)
        new = _flip(sent)
        f, imp = r["findings"], r["impression"]
        if sec == "impression":
            imp = imp.replace(sent, new, 1)
        else:
            f = f.replace(sent, new, 1)
        return {"report": iu_render(rng, r, findings=f, impression=imp),
                "detail": f"{side} -> opposite side for '{term}' in the {sec}: '{new}'"}
    if kind == "negation_conflict":
        f = r["findings"]
        if sig_affirmed(f, strict=False) or re.search(r"airspace (disease|opaci)|infiltrat|consolidat", " ".join(
                x for x in sentences(f) if not NEG_CUE.search(x)), re.I):
            return None
        s = rng.choice(["right", "left"])
        opts = []
        eff = [x for x in sentences(f) if re.search(r"effusion", x, re.I)]
        if eff and all(re.search(r"\b(no|without)\b", x, re.I) and not re.search(
                r"large|sizable|significant|moderate|blunting", x, re.I) for x in eff):
            opts.append((f"Small {s} pleural effusion.", "pleural effusion negated in findings"))
        if re.search(r"\bno [^.]*pneumothorax|without [^.]*pneumothorax", f, re.I) and not re.search(
                r"(large|sizable|significant)[^.]*pneumothorax", f, re.I):
            opts.append((f"Small {s} apical pneumothorax.", "pneumothorax negated in findings"))
        if re.search(r"lungs are clear|no focal (consolidation|airspace)|without [^.]*focal airspace|"
                     r"no [^.]*consolidation", f, re.I) and not sig_affirmed(f, strict=False):
            opts.append((f"{s.capitalize()} lower lobe pneumonia.", "lungs clear / no consolidation in findings"))
        if re.search(r"heart size (is )?normal|normal heart size|heart is normal in size|(cardiac|cardiomediastinal)"
                     r" silhouette (is )?(within normal limits|normal)|heart (size )?(is )?within normal limits", f,
                     re.I):
            opts.append(("Cardiomegaly.", "normal heart size in findings"))
        m = re.search(r"[^.]*\b(cardiomegaly|heart is (mildly |moderately )?enlarged|enlarged heart|"
                      r"enlarged cardiac silhouette|heart size is (mildly |moderately )?enlarged)\b[^.]*\.", f, re.I)
        if m and not NEG_CUE.search(m.group(0)) and not re.search(r"borderline|upper limit|minimal|top", m.group(0)):
            opts.append(("Normal heart size. No acute cardiopulmonary process.",
                         f"findings affirm '{m.group(0).strip()}'"))
        if not opts:
            return None
        new_imp, why = rng.choice(opts)
        if "Normal heart size" not in new_imp and rng.random() < 0.4:
            new_imp += " Otherwise no acute cardiopulmonary process."
        return {"report": iu_render(rng, r, impression=new_imp),
                "detail": f"impression replaced by '{new_imp}' ({why})"}
    if kind == "impression_omits_finding":
        hits = sig_affirmed(r["findings"], strict=True)
        if not hits or not iu_consistent(r):
            return None
        g, sent = rng.choice(hits)
        macro = rng.choice(OMIT_MACROS)
        return {"report": iu_render(rng, r, impression=macro),
                "detail": f"findings affirm '{sent}' ({g}); impression replaced by '{macro}'"}
    # placeholder
    f, imp = r["findings"], r["impression"]
    opts = ["cmp", "hist"]
    if re.search(r"\b(right|left)\b", f, re.I):
        opts.append("side")
    if re.search(r"\b(small|mild|moderate|large)\b", f, re.I):
        opts.append("size")
    opts.append("word")
    mode = rng.choice(opts)
    hist = iu_clean_text(r["indication"]) or rng.choice(HISTORIES)
    cmp_ = iu_clean_text(r["comparison"]) or "None."
    if mode == "cmp":
        tok = rng.choice(["***", "[date]", "[***]"])
        hdr = make_hdr(rng, history=hist, comparison=f"Chest radiograph {tok}." if rng.random() < 0.5 else tok)
        return {"report": iu_render(rng, r, hdr=hdr), "detail": f"comparison left as '{tok}'"}
    if mode == "hist":
        tok = rng.choice(["***", "[Reason for exam]", "[***]", "[ ]"])
        hdr = make_hdr(rng, history=tok, comparison=cmp_)
        return {"report": iu_render(rng, r, hdr=hdr), "detail": f"clinical history left as '{tok}'"}
    if mode == "side":
        tok = rng.choice(["[right/left]", "***", "[side]"])
        ms = list(re.finditer(r"\b(right|left)\b", f, re.I))
        m = rng.choice(ms)
        return {"report": iu_render(rng, r, findings=f[:m.start()] + tok + f[m.end():]),
                "detail": f"'{m.group(0)}' in the findings replaced by '{tok}'"}
    if mode == "size":
        tok = rng.choice(["[small/moderate/large]", "***", "[***]", "[mild/moderate/severe]"])
        ms = list(re.finditer(r"\b(small|mild|moderate|large)\b", f, re.I))
        m = rng.choice(ms)
        return {"report": iu_render(rng, r, findings=f[:m.start()] + tok + f[m.end():]),
                "detail": f"'{m.group(0)}' in the findings replaced by '{tok}'"}
    tok = rng.choice(PH_TOKENS)
    target_imp = rng.random() < 0.4
    text = imp if target_imp else f
    words = [m for m in re.finditer(r"\b[a-z]{5,}\b", text) if m.group(0) not in ("without", "there", "which")]
    if not words:
        return None
    m = rng.choice(words)
    new = text[:m.start()] + tok + text[m.end():]
    if target_imp:
        return {"report": iu_render(rng, r, impression=new),
                "detail": f"'{m.group(0)}' in the impression replaced by '{tok}'"}
    return {"report": iu_render(rng, r, findings=new), "detail": f"'{m.group(0)}' in the findings replaced by '{tok}'"}


# --------------------------------------------------------------------------------------------

def build(seed: int) -> list[dict]:
    rng = random.Random(seed)
    shared = shared_dir()
    dev = dev_uids(shared)
    iu = [r for r in load_iu(shared) if r["uid"] not in dev and iu_ok(r)]
    pool = list(iu)
    rng.shuffle(pool)
    used: set[str] = set()
    cases: list[dict] = []

    def take(pred, make) -> None:
        for r in pool:
            if r["uid"] in used or not pred(r):
                continue
            out = make(r)
            if out is None:
                continue
            used.add(r["uid"])
            return out
        raise RuntimeError("IU pool exhausted")

    half_c, half_k = N_CLEAN // 2, N_KIND // 2
    for _ in range(half_c):
        c = synth_clean(rng)
        cases.append({"injected": None, **c})
    for _ in range(half_c):
        out = take(iu_consistent, lambda r: {"report": iu_render(rng, r), "detail": f"IU {r['uid']} unmodified"})
        cases.append({"injected": None, **out})
    for kind in KINDS:
        for _ in range(half_k):
            c = synth_error(rng, kind)
            cases.append({"injected": kind, "report": c["report"], "detail": "composed: " + c["detail"]})
        for _ in range(half_k):
            holder: dict = {}

            def mk(r, kind=kind, holder=holder):
                o = iu_error(rng, r, kind)
                if o is not None:
                    holder["uid"] = r["uid"]
                return o
            pred = iu_consistent if kind != "impression_omits_finding" else (lambda r: True)
            out = take(pred, mk)
            cases.append({"injected": kind, "report": out["report"],
                          "detail": f"IU {holder['uid']}: {out['detail']}"})
    rng.shuffle(cases)
    return [{"id": f"h71-{seed}-{n}", "injected": c["injected"], "detail": c["detail"], "report": c["report"]}
            for n, c in enumerate(cases)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=71)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            for r in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"=== {r['id']} {kind} :: {r['detail']}\n{r['report']}")
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
