"""Held-out report-check set 78, written blind (without sight of the checker).

Setting: a UK NHS teaching hospital's inpatient wards (medical, surgical, respiratory and cardiology wards, not
ICU), chest radiographs reported by consultant radiologists and radiology trainees (StRs). Reports use the
setting's layout (exam line, clinical details, comparison, technique, findings, conclusion/opinion/impression,
sign-off), British spelling and ward phrasing (NG tube checks, post-op films, chest drains, pacemakers, fluid
overload), with most films normal or near-normal.

400 cases: 200 clean and 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder. Half of every group is composed from a phrase bank below; half are real
IU (Open-i) reports, never one whose uid is in the dev set, re-laid-out in the setting's style with UK spelling.

    python -m bench.make_heldout78 OUT.jsonl --seed S [--show N]
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


# ---------------------------------------------------------------------------------------------------------------
# IU reports
# ---------------------------------------------------------------------------------------------------------------

_IU_CACHE: dict[str, list[dict]] = {}


def dev_uids() -> set[str]:
    out = set()
    with open(shared_dir() / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                out.add(json.loads(line).get("uid"))
    return out


_AT = re.compile(r'<AbstractText Label="(\w+)">(.*?)</AbstractText>', re.S)
_UID = re.compile(r'<uId id="([^"]+)"')


def load_iu() -> list[dict]:
    key = str(shared_dir())
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    excl = dev_uids()
    rows = []
    with tarfile.open(shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz", "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            txt = tf.extractfile(m).read().decode("utf-8", "replace")
            um = _UID.search(txt)
            if not um or um.group(1) in excl:
                continue
            sec = {k.lower(): " ".join(v.split()) for k, v in _AT.findall(txt)}
            sec = {k: v.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">") for k, v in sec.items()}
            rows.append({"uid": um.group(1), **sec})
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE[key] = rows
    return rows


def sents(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text.strip()) if s]


NEG = re.compile(r"\b(no|not|without|negative|free of|resolved|resolution|removed|absent|absence|clear|normal)\b", re.I)
HEDGE = re.compile(r"\b(possib|may|might|could|question|suggest|versus|cannot|can't|vs|or|differential|"
                   r"resolv|improv|decreas|healed|chronic|old|prior|previous|stable|unchanged|small|trace|tiny|"
                   r"minimal|mild|subtle|atelecta|scar|probab|residual|likely|borderline|clearing|cleared|"
                   r"breast|known)", re.I)
ABN = re.compile(r"(pneumothora|consolidat|pneumonia|edema|effusion|infiltrat|airspace|opacit|mass\b|nodul|"
                 r"cardiomegaly|enlarg|atelecta|collapse|fractur|widen|congest|granulom|scar|hernia|emphysem|"
                 r"hyperinfl|hyperexpan|catheter|tube|pacemaker|sternotomy|clip|density|densities|calcif|"
                 r"degenerat|spondyl|osteophyt|tortuous|ectatic|thicken|blunt|elevat|kyphosis|scolio|interstitial|"
                 r"prominen|lesion|surgical|postoperative|fibros|bronchiect|granulomatous|low lung|deformit)", re.I)
STRONG = re.compile(r"(pneumothorax|consolidation|pneumonia|airspace disease|infiltrate|"
                    r"pulmonary edema|interstitial edema|"
                    r"(moderate|large) (sized )?(left |right |bilateral )?(pleural )?effusion|mass\b)", re.I)
SIDE = re.compile(r"\b(left|right)\b", re.I)
BAD_CHARS = re.compile(r"[\[\]*<>{}_]|\?\?")
NORMAL_IMP = re.compile(r"^(1\. )?(no acute|normal chest|no active|negative|no evidence of (acute|active)|"
                        r"no radiographic evidence of acute|normal exam|no acute cardiopulmonary|clear lungs|"
                        r"heart size normal. lungs clear)", re.I)

UK_SPELL = [(r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"hemorrhag", "haemorrhag"), (r"hematoma", "haematoma"),
            (r"esophag", "oesophag"), (r"ischemi", "ischaemi"), (r"\bcenter", "centre"), (r"tumor\b", "tumour"),
            (r"anemi", "anaemi"), (r"\bx-ray", "X-ray"), (r"\bX-XXXX\b", "X-ray"),
            (r"\bcatheterization", "catheterisation"),
            (r"\bhemidiaphragm", "hemidiaphragm"), (r"\borthopedic", "orthopaedic"), (r"\bfavor", "favour"),
            (r"\bColor", "Colour"), (r"\bcolor", "colour"), (r"\bvisualized", "visualised"),
            (r"\bVisualized", "Visualised"), (r"\bhyperinflated", "hyperinflated")]


def uk(text: str) -> str:
    for a, b in UK_SPELL:
        text = re.sub(a, b, text)
    text = text.replace("..", ".")
    text = re.sub(r"\bcardiopulmonary process\b", "cardiopulmonary abnormality", text)
    return text


def classify(rows: list[dict]) -> dict[str, list[dict]]:
    pools: dict[str, list[dict]] = {"normal": [], "abn_clean": [], "strong": [], "lat": []}
    for r in rows:
        f, i = r.get("findings", ""), r.get("impression", "")
        if len(f) < 40 or len(i) < 8 or len(f) > 700 or len(i) > 350:
            continue
        whole = " ".join([f, i, r.get("indication", ""), r.get("comparison", "")])
        if BAD_CHARS.search(whole):
            continue
        fs, is_ = sents(f), sents(i)
        f_aff = [s for s in fs if ABN.search(s) and not NEG.search(s)]
        i_aff = [s for s in is_ if ABN.search(s) and not NEG.search(s)]
        sides = {m.lower() for m in SIDE.findall(f + " " + i)}
        if not f_aff and not i_aff and NORMAL_IMP.search(i) and not sides:
            pools["normal"].append(r)
            continue
        # abnormal reports whose impression carries every affirmed findings term, one side only
        if f_aff and i_aff and len(sides) <= 1 and not re.search(r"bilateral|bibasilar|both", whole, re.I):
            roots_f = {m.group(0).lower()[:6] for s in f_aff for m in ABN.finditer(s)}
            roots_i = {m.group(0).lower()[:6] for s in i_aff for m in ABN.finditer(s)}
            i_neg = " ".join(s for s in is_ if NEG.search(s)).lower()
            if roots_f <= roots_i and not any(x in i_neg for x in roots_f):
                pools["abn_clean"].append(r)
            if len(sides) == 1 and roots_f & roots_i and any(SIDE.search(s) for s in i_aff) and \
                    any(SIDE.search(s) for s in f_aff):
                pools["lat"].append(r)
        strong_f = [s for s in fs if STRONG.search(s) and not NEG.search(s) and not HEDGE.search(s)
                    and "?" not in s]
        strong_i = [s for s in is_ if STRONG.search(s) and not NEG.search(s)]
        if strong_f and strong_i:
            pools["strong"].append(r)
    return pools


# ---------------------------------------------------------------------------------------------------------------
# Setting: layout pieces
# ---------------------------------------------------------------------------------------------------------------

EXAM = ["XR Chest PA", "XR CHEST PA", "CXR (AP mobile)", "XR Chest AP (mobile, ward)", "Chest X-ray PA",
        "XR CHEST AP SITTING", "Chest radiograph (PA)", "XR Chest", "CXR PA erect", "XR Chest AP portable"]
WARDS = ["AMU", "Ward 12 (Respiratory)", "Ward 7 (Cardiology)", "CCU step-down", "Ward 21 (General Surgery)",
         "Ward 4 (Care of the Elderly)", "Ward 15 (Gastro)", "Ward 30 (Vascular)", "SAU", "Ward 9 (Renal)",
         "Ward 18 (Colorectal)", "Ward 26 (Cardiothoracic)", "Ward 2 (Acute Medicine)"]
HIST = ["SOB, ?LRTI.", "Increasing O2 requirement. ?consolidation.", "NG tube placement check.",
        "Post op day 2 laparotomy, desaturating. ?basal collapse.", "Known CCF, ?fluid overload.",
        "Post PPM insertion yesterday. ?pneumothorax.", "Post chest drain removal.",
        "Pyrexial, raised CRP, ?chest source.",
        "Fall on ward, left chest wall pain. ?rib fracture.", "Fast AF, breathless.", "Pre-op assessment.",
        "Infective exacerbation of COPD.", "Cough, productive sputum. Crackles right base.",
        "Pleuritic chest pain. ?PE. ?effusion.", "Re-fed NG tube, confirm position please.",
        "CABG day 3, routine post op film.", "Haemoptysis. Ex-smoker.", "Aspiration event on ward.",
        "Ongoing sepsis of unknown source.", "Hypoxic, bibasal crackles.", "Weight loss, anaemia. ?malignancy.",
        "Follow-up of right basal pneumonia.", "PICC line inserted, tip position?", "Chest pain, troponin negative."]
TECH = ["AP erect mobile film.", "PA projection.", "AP semi-erect, ward portable.", "PA erect.",
        "AP sitting. Slightly rotated.", "Single AP view.", "PA view. Adequate inspiration."]
NAMES = ["A. Patel", "R. Okafor", "C. Morgan", "H. Singh", "E. Walsh", "J. MacLeod", "S. Rahman", "L. Hughes",
         "M. Evans", "K. Osei", "F. Whitaker", "D. Chaudhry", "P. O'Neill", "T. Bradshaw"]
FIND_HDR = ["Findings:", "FINDINGS:", "Report:", "Findings"]
IMP_HDR = ["Conclusion:", "CONCLUSION:", "Opinion:", "Impression:", "IMPRESSION:", "Summary:", "Comment:"]


def date_s(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2024, 2025, 2026])}"


def comparison(rng: random.Random) -> str:
    return rng.choice([f"Comparison: {date_s(rng)}.", f"Compared with previous film of {date_s(rng)}.",
                       "Comparison: None available.", "No previous imaging for comparison.",
                       f"Previous: CXR {date_s(rng)}.", "Comparison: none."])


def signoff(rng: random.Random) -> str:
    a, b = rng.sample(NAMES, 2)
    gmc = rng.randint(4000000, 7999999)
    return rng.choice([
        f"Dr {a}, Consultant Radiologist.",
        f"Reported by: Dr {a}, ST{rng.randint(2, 5)} Radiology Registrar.\n"
        f"Verified by: Dr {b}, Consultant Radiologist.",
        f"Dr {a}\nConsultant Radiologist\nGMC {gmc}",
        f"Dictated by Dr {a} (StR). Authorised by Dr {b} (Consultant).",
        f"Reported by Dr {a}, Consultant Radiologist, {date_s(rng)}.",
        f"Dr {a}, Radiology Registrar (ST{rng.randint(1, 5)}).",
    ])


def layout(rng: random.Random, parts: dict, style: int | None = None) -> str:
    """parts: exam, hist, comp, tech, findings, impression, sign, fhdr, ihdr (any may be None = absent)."""
    out = []
    if parts.get("exam"):
        out.append(parts["exam"])
    if parts.get("hist") is not None:
        out.append(f"{parts.get('hhdr', 'Clinical details:')} {parts['hist']}".rstrip())
    if parts.get("comp"):
        out.append(parts["comp"])
    if parts.get("tech"):
        out.append(f"Technique: {parts['tech']}")
    if parts.get("findings") is not None:
        out.append(f"{parts.get('fhdr', 'Findings:')}\n{parts['findings']}".rstrip())
    if parts.get("impression") is not None:
        out.append(f"{parts.get('ihdr', 'Conclusion:')} {parts['impression']}".rstrip())
    if parts.get("sign"):
        out.append(parts["sign"])
    return "\n\n".join(out)


def frame(rng: random.Random, hist: str | None = None) -> dict:
    fh = rng.choice(FIND_HDR)
    exam = rng.choice(EXAM)
    if "AP" in exam:
        techs = [t for t in TECH if "PA" not in t]
    elif "PA" in exam:
        techs = [t for t in TECH if "AP" not in t]
    else:
        techs = TECH
    return {
        "exam": exam + (f" - {rng.choice(WARDS)}" if rng.random() < 0.4 else ""),
        "hhdr": rng.choice(["Clinical details:", "Clinical history:", "Clinical indication:", "History:", "CI:"]),
        "hist": hist or rng.choice(HIST),
        "comp": comparison(rng) if rng.random() < 0.85 else None,
        "tech": rng.choice(techs) if rng.random() < 0.5 else None,
        "fhdr": fh,
        "ihdr": rng.choice(IMP_HDR),
        "sign": signoff(rng),
    }


# ---------------------------------------------------------------------------------------------------------------
# Phrase bank
# ---------------------------------------------------------------------------------------------------------------

N_HEART = ["Heart size is normal.", "The heart is not enlarged.", "Normal cardiac size.",
           "Cardiomediastinal contours are within normal limits.", "Heart size and mediastinal contours are normal.",
           "CTR within normal limits."]
N_MED = ["Mediastinum is central and not widened.", "Hila are normal.", "Normal hilar and mediastinal contours.",
         "Trachea central.", ""]
N_LUNG = ["The lungs are clear.", "Lung fields are clear.", "No focal consolidation.",
          "Clear lungs with no focal airspace opacity.", "No focal lung lesion or consolidation.",
          "Both lungs are clear."]
N_PLEURA = ["No pleural effusion.", "Costophrenic angles are clear.", "No effusion.",
            "Both costophrenic angles are sharp."]
N_PTX = ["No pneumothorax.", "No pneumothorax is seen.", "No evidence of pneumothorax."]
N_BONE = ["No acute bony abnormality.", "Bones unremarkable.", "Visualised bones are intact.", "",
          "No displaced rib fracture."]
N_IMP = ["No acute cardiopulmonary abnormality.", "Normal chest radiograph.", "No active disease.",
         "Normal appearances.", "No acute abnormality seen.", "Normal chest X-ray.",
         "No acute radiographic abnormality.", "Unremarkable chest radiograph."]
OMIT_IMP = ["No acute cardiopulmonary abnormality.", "Normal chest radiograph.", "No active disease.",
            "Normal appearances.", "No acute abnormality.", "Unremarkable study.", "No significant abnormality.",
            "No acute findings."]

# each finding: organ replaced, sig (must be in the impression), lat, find templates, imp templates,
# neg: normal statements (for the same organ) it conflicts with
BANK = {
    "consol": dict(organ="lung", sig=True, lat=True,
                   find=["Consolidation in the {s} lower zone.", "Patchy airspace opacification at the {s} base.",
                         "Dense consolidation in the {s} mid and lower zones with air bronchograms.",
                         "Airspace shadowing in the {s} lower zone, obscuring the {s} hemidiaphragm."],
                   imp=["{S} lower zone consolidation, in keeping with infection in the appropriate clinical context.",
                        "{S} basal pneumonia.", "{S} lower lobe consolidation. Suggest follow-up film in 6 weeks.",
                        "Appearances consistent with {s} basal infection."],
                   neg=["The lungs are clear.", "No focal consolidation.", "Lung fields are clear."]),
    "eff_mod": dict(organ="pleura", sig=True, lat=True,
                    find=["Moderate {s} pleural effusion.", "Moderate-sized {s} pleural effusion with a meniscus.",
                          "Moderate {s} pleural effusion with partial collapse of the adjacent lung."],
                    imp=["Moderate {s} pleural effusion.", "{S} pleural effusion, moderate in size.",
                         "Sizeable {s} pleural effusion. ?suitable for aspiration."],
                    neg=["No pleural effusion.", "Costophrenic angles are clear.", "No effusion."]),
    "ptx": dict(organ="ptx", sig=True, lat=True,
                find=["{S} apical pneumothorax, approximately {n} mm at the apex.",
                      "Small {s} pneumothorax with a visible lung edge.",
                      "There is a {s} sided pneumothorax, rim measuring {n} mm."],
                imp=["{S} pneumothorax. Ward informed.", "Small {s} apical pneumothorax.",
                     "{S} pneumothorax ({n} mm). Result phoned to the ward team."],
                neg=["No pneumothorax.", "No evidence of pneumothorax."]),
    "oedema": dict(organ="lung", sig=True, lat=False,
                   find=["Upper lobe venous diversion, bilateral perihilar airspace shadowing and septal lines.",
                         "Bilateral perihilar haziness and Kerley B lines, in keeping with pulmonary oedema.",
                         "Interstitial oedema with small bilateral effusions."],
                   imp=["Pulmonary oedema.", "Appearances in keeping with fluid overload / cardiac failure.",
                        "Pulmonary venous congestion and interstitial oedema."],
                   neg=["The lungs are clear.", "Lung fields are clear.", "No pulmonary oedema."]),
    "nodule": dict(organ="lung", sig=True, lat=True,
                   find=["A {n} mm nodule is projected over the {s} mid zone.",
                         "{S} upper zone rounded opacity measuring {n} mm."],
                   imp=["{n} mm {s} mid zone nodule. CT chest recommended.",
                        "{S} upper zone nodule; further assessment with CT is advised."],
                   neg=["No focal lung lesion or consolidation.", "The lungs are clear."]),
    "mass": dict(organ="lung", sig=True, lat=True,
                 find=["There is a {n} cm mass at the {s} hilum.", "Lobulated {s} upper zone mass, approx {n} cm."],
                 imp=["{S} hilar mass, suspicious for malignancy. Urgent CT chest advised.",
                      "{S} upper zone mass. Recommend CT staging; referred via lung cancer pathway."],
                 neg=["Hila are normal.", "No focal lung lesion or consolidation."]),
    "freeair": dict(organ="bone", sig=True, lat=False,
                    find=["Free gas is seen under the right hemidiaphragm.",
                          "There is free subdiaphragmatic gas bilaterally."],
                    imp=["Pneumoperitoneum. Expected after recent laparotomy, but correlate clinically.",
                         "Free intraperitoneal gas; surgical team informed."],
                    neg=[]),
    "cardio_mod": dict(organ="heart", sig=True, lat=False,
                       find=["The heart is enlarged (CTR 0.6).", "Cardiomegaly, CTR approximately 0.62."],
                       imp=["Cardiomegaly.", "Enlarged heart."],
                       neg=["Heart size is normal.", "The heart is not enlarged.", "Normal cardiac size."]),
    # non-significant / incidental (may be left out of the impression)
    "cardio_mild": dict(organ="heart", sig=False, lat=False,
                        find=["Mild cardiomegaly, unchanged.", "Borderline heart size.",
                              "Heart size at the upper limit of normal."],
                        imp=["Stable mild cardiomegaly.", "Borderline cardiac size."],
                        neg=["Heart size is normal.", "The heart is not enlarged."]),
    "eff_small": dict(organ="pleura", sig=False, lat=True,
                      find=["Small {s} pleural effusion.",
                            "Blunting of the {s} costophrenic angle, likely a small effusion.",
                            "Trace {s} pleural fluid."],
                      imp=["Small {s} pleural effusion.", "Small {s} effusion."],
                      neg=["No pleural effusion.", "Costophrenic angles are clear."]),
    "atel": dict(organ="lung", sig=False, lat=True,
                 find=["Linear atelectasis at the {s} base.", "Minor {s} basal atelectasis.",
                       "Plate atelectasis in the {s} lower zone."],
                 imp=["Minor {s} basal atelectasis.", "{S} basal atelectasis only."],
                 neg=["Lung fields are clear.", "The lungs are clear."]),
    "granuloma": dict(organ="lung", sig=False, lat=True,
                      find=["Calcified granuloma in the {s} upper zone.",
                            "Small calcified focus at the {s} apex, old granuloma."],
                      imp=["Old {s} upper zone granuloma."], neg=[]),
    "copd": dict(organ="lung", sig=False, lat=False,
                 find=["The lungs are hyperexpanded but clear.",
                       "Hyperinflated lungs in keeping with COPD, no consolidation."],
                 imp=["Hyperinflation consistent with COPD. No acute change."], neg=[]),
    "spine": dict(organ="bone", sig=False, lat=False,
                  find=["Degenerative change in the thoracic spine.", "Thoracic spondylosis."], imp=[], neg=[]),
    "oldrib": dict(organ="bone", sig=False, lat=True,
                   find=["Old healed {s} rib fractures.", "Healed fractures of the {s} posterior ribs."],
                   imp=[], neg=[]),
}
DEVICES = [("NG tube tip is below the diaphragm, projected over the stomach.", "NG tube in satisfactory position."),
           ("Fine-bore NG tube passes below the diaphragm, tip in the stomach.", "NG tube satisfactorily sited."),
           ("Right arm PICC with tip at the cavoatrial junction.", "PICC tip in satisfactory position."),
           ("Dual-chamber pacemaker with leads in the right atrium and right ventricle.",
            "Pacemaker leads as expected."),
           ("Median sternotomy wires and mitral valve replacement.", "Post-CABG/valve appearances."),
           ("Left internal jugular line with tip in the SVC.", "Central line tip satisfactory."),
           ("Right intercostal drain in situ.", "Right chest drain in situ.")]

ORGANS = ["heart", "med", "lung", "pleura", "ptx", "bone"]
NORMALS = {"heart": N_HEART, "med": N_MED, "lung": N_LUNG, "pleura": N_PLEURA, "ptx": N_PTX, "bone": N_BONE}


def fill(t: str, side: str, n: int) -> str:
    return t.replace("{s}", side).replace("{S}", side.capitalize()).replace("{n}", str(n))


def compose(rng: random.Random, keys: list[str], side: str | None = None, device: bool | None = None) -> dict:
    """Return dict: find_sents (list of (organ, text)), imp_sents, items (key, side, n, find-text)."""
    side = side or rng.choice(["left", "right"])
    items = []
    for k in keys:
        b = BANK[k]
        n = rng.choice([7, 8, 9, 11, 12, 14, 15, 18]) if k in ("nodule", "ptx") else rng.randint(3, 6)
        s = side if b["lat"] else ""
        items.append({"key": k, "side": s, "n": n, "find": fill(rng.choice(b["find"]), s, n),
                      "imp": fill(rng.choice(b["imp"]), s, n) if b["imp"] else ""})
    used = {BANK[i["key"]]["organ"] for i in items}
    if "oedema" in keys:
        used.add("pleura")
    fs = []
    dev = None
    if device or (device is None and rng.random() < 0.3):
        dev = rng.choice(DEVICES)
        fs.append(("dev", dev[0]))
    for org in ORGANS:
        its = [i for i in items if BANK[i["key"]]["organ"] == org]
        for i in its:
            fs.append((org, i["find"]))
        if org not in used:
            t = rng.choice(NORMALS[org])
            if t:
                fs.append((org, t))
    if rng.random() < 0.3 and fs and fs[-1][0] == "bone":
        fs[-1], fs[-2] = fs[-2], fs[-1]
    return {"find": fs, "items": items, "dev": dev, "side": side}


def findings_text(rng: random.Random, fs: list[tuple[str, str]]) -> str:
    texts = [t for _, t in fs if t]
    if rng.random() < 0.6:
        return " ".join(texts)
    return "\n".join(texts)


def clean_impression(rng: random.Random, c: dict, include_all: bool = False) -> str:
    parts = []
    if c["dev"]:
        parts.append(c["dev"][1])
    for it in c["items"]:
        if BANK[it["key"]]["sig"] or (include_all and it["imp"]) or (it["imp"] and rng.random() < 0.4):
            parts.append(it["imp"])
    if not any(BANK[it["key"]]["sig"] for it in c["items"]):
        if not parts or rng.random() < 0.5:
            parts.append(rng.choice(N_IMP) if not parts else rng.choice(["No other acute abnormality.",
                                                                           "Otherwise no acute abnormality."]))
    if len(parts) > 1 and rng.random() < 0.4:
        return "\n".join(f"{k + 1}. {p}" for k, p in enumerate(parts))
    return " ".join(parts)


SIG_KEYS = ["consol", "eff_mod", "ptx", "oedema", "nodule", "mass", "freeair", "cardio_mod"]
MINOR_KEYS = ["cardio_mild", "eff_small", "atel", "granuloma", "copd", "spine", "oldrib"]


def hist_for(rng: random.Random, keys: list[str]) -> str:
    m = {"ptx": ["Post chest drain removal.", "Post PPM insertion yesterday. ?pneumothorax.",
                 "Sudden onset SOB. ?pneumothorax."],
         "freeair": ["Post op day 1 laparotomy. Abdominal distension.", "Abdominal pain, ?perforation. Erect CXR."],
         "oedema": ["Known CCF, ?fluid overload.", "Hypoxic, bibasal crackles.", "Positive fluid balance, SOB."],
         "consol": ["SOB, ?LRTI.", "Pyrexial, raised CRP, ?chest source.", "Aspiration event on ward."],
         "mass": ["Haemoptysis. Ex-smoker.", "Weight loss, anaemia. ?malignancy."]}
    for k in keys:
        if k in m:
            return rng.choice(m[k])
    return rng.choice(HIST)


def pick_keys(rng: random.Random, normal_p: float = 0.62) -> list[str]:
    r = rng.random()
    if r < normal_p:
        return [] if rng.random() < 0.6 else [rng.choice(MINOR_KEYS)]
    if r < normal_p + 0.12:
        return rng.sample(MINOR_KEYS, 2)[:1] + ([] if rng.random() < 0.5 else [rng.choice(["spine", "granuloma"])])
    k = rng.choice(SIG_KEYS[:5] + ["consol", "eff_mod", "oedema"])
    extra = [rng.choice(["spine", "granuloma", "cardio_mild", "oldrib"])] if rng.random() < 0.35 else []
    if k == "oedema":
        extra = [x for x in extra if x != "cardio_mild"]
    return [k] + [x for x in extra if BANK[x]["organ"] != BANK[k]["organ"]]


def bank_clean(rng: random.Random) -> tuple[str, str]:
    keys = pick_keys(rng)
    c = compose(rng, keys)
    fr = frame(rng, hist_for(rng, keys))
    if not keys and not c["dev"] and rng.random() < 0.08:
        # impression-only report whose conclusion itself describes the film
        fr["findings"] = None
        fr["impression"] = rng.choice(["Heart size normal. Lungs clear. No pleural effusion or pneumothorax.",
                                       "Normal chest radiograph: clear lungs, normal heart size, no effusion or "
                                       "pneumothorax."])
        return layout(rng, fr), "impression-only normal report"
    fr["findings"] = findings_text(rng, c["find"])
    fr["impression"] = clean_impression(rng, c)
    return layout(rng, fr), ""


def bank_error(rng: random.Random, kind: str, j: int) -> tuple[str, str]:
    if kind == "missing_section":
        keys = pick_keys(rng, 0.5)
        c = compose(rng, keys)
        fr = frame(rng, hist_for(rng, keys))
        fr["findings"] = findings_text(rng, c["find"])
        fr["impression"] = clean_impression(rng, c)
        v = j % 4
        if v == 0:
            fr["impression"] = ""
            return layout(rng, fr), "conclusion header left empty"
        if v == 1:
            fr["impression"] = None
            return layout(rng, fr), "no conclusion section; findings then sign-off"
        if v == 2:
            fr["findings"] = ""
            fr["impression"] = rng.choice(["As above.", "See findings above.", "As described."])
            return layout(rng, fr), "findings section empty, conclusion only refers to it ('as above')"
        fr["findings"] = ""
        fr["impression"] = rng.choice(["Discussed with the ward FY1.", "No change.", "Clinical correlation advised.",
                                       "Comparison made with previous."])
        return layout(rng, fr), "findings section empty, conclusion does not describe the film"
    if kind == "laterality_conflict":
        k = rng.choice(["consol", "eff_mod", "ptx", "nodule", "consol", "eff_small", "atel", "mass"])
        side = rng.choice(["left", "right"])
        other = "right" if side == "left" else "left"
        c = compose(rng, [k], side=side, device=False)
        fr = frame(rng, hist_for(rng, [k]))
        it = c["items"][0]
        b = BANK[k]
        wrong_imp = fill(rng.choice(b["imp"]), other, it["n"])
        v = j % 3
        if v < 2:
            fr["findings"] = findings_text(rng, c["find"])
            fr["impression"] = wrong_imp
            return layout(rng, fr), f"{k}: findings say {side}, conclusion says {other}"
        # flip inside findings, conclusion keeps the original side
        fs = [(o, fill(rng.choice(b["find"]), other, it["n"]) if t == it["find"] else t) for o, t in c["find"]]
        fr["findings"] = findings_text(rng, fs)
        fr["impression"] = it["imp"]
        return layout(rng, fr), f"{k}: findings say {other}, conclusion says {side}"
    if kind == "negation_conflict":
        v = j % 3
        fr = frame(rng)
        if v == 0:  # findings normal, conclusion affirms a finding
            k = rng.choice(["consol", "eff_mod", "ptx", "oedema", "cardio_mod", "eff_small", "nodule"])
            c = compose(rng, [], device=rng.random() < 0.3)
            b = BANK[k]
            org = b["organ"]
            fs = [(o, rng.choice(b["neg"]) if o == org else t) for o, t in c["find"]]
            if not any(o == org for o, _ in c["find"]):
                fs.append((org, rng.choice(b["neg"])))
            if k == "oedema":
                fs = [(o, t) for o, t in fs if o != "lung"] + [("lung", "The lungs are clear.")]
            fr["findings"] = findings_text(rng, fs)
            fr["impression"] = fill(rng.choice(b["imp"]), rng.choice(["left", "right"]), rng.choice([8, 12, 15]))
            return layout(rng, fr), f"findings negate {k}; conclusion affirms it"
        if v == 1:  # findings affirm, conclusion negates explicitly
            k = rng.choice(["consol", "eff_mod", "ptx", "cardio_mod", "oedema"])
            c = compose(rng, [k])
            b = BANK[k]
            fr["findings"] = findings_text(rng, c["find"])
            neg = {"consol": ["Clear lungs.", "No consolidation."], "eff_mod": ["No pleural effusion."],
                   "ptx": ["No pneumothorax."], "cardio_mod": ["Normal heart size."],
                   "oedema": ["No pulmonary oedema.", "No evidence of fluid overload."]}[k]
            extra = c["dev"][1] + " " if c["dev"] else ""
            fr["impression"] = extra + rng.choice(neg)
            return layout(rng, fr), f"findings affirm {k}; conclusion negates it"
        # two sentences in findings contradict each other
        k = rng.choice(["consol", "eff_mod", "ptx", "cardio_mod"])
        c = compose(rng, [k], device=False)
        b = BANK[k]
        fs = list(c["find"])
        fs.append(("x", rng.choice(b["neg"])))
        fr["findings"] = findings_text(rng, fs)
        fr["impression"] = c["items"][0]["imp"]
        return layout(rng, fr), f"{k} affirmed and then negated within the report"
    if kind == "impression_omits_finding":
        k = rng.choice([x for x in SIG_KEYS if x != "cardio_mod"])
        keys = [k] + ([rng.choice(["spine", "granuloma", "oldrib"])] if rng.random() < 0.3 else [])
        c = compose(rng, keys, device=rng.random() < 0.35)
        fr = frame(rng, hist_for(rng, keys))
        fr["findings"] = findings_text(rng, c["find"])
        if c["dev"] and rng.random() < 0.6:
            fr["impression"] = c["dev"][1]
            return layout(rng, fr), f"{k} in findings; conclusion only answers the line/tube question"
        fr["impression"] = rng.choice(OMIT_IMP)
        return layout(rng, fr), f"{k} in findings; normal macro as conclusion"
    # placeholder
    keys = pick_keys(rng, 0.7)
    c = compose(rng, keys)
    fr = frame(rng, hist_for(rng, keys))
    fr["findings"] = findings_text(rng, c["find"])
    fr["impression"] = clean_impression(rng, c)
    tok = rng.choice(["[***]", "***", "[ ]", "[...]", "<>", "[insert]", "[ENTER TEXT]", "{ }", "[??]", "<<>>"])
    v = j % 5
    if v == 0:
        fr["comp"] = f"Comparison: {tok}"
        where = "comparison date"
    elif v == 1:
        fr["hist"] = tok
        where = "clinical details"
    elif v == 2:
        fr["sign"] = rng.choice([f"Dr {tok}, Consultant Radiologist.", f"Reported by: {tok}\nVerified by: {tok}"])
        where = "reporter name in sign-off"
    elif v == 3:
        lat_items = [it for it in c["items"] if it["side"]]
        if lat_items:
            it = lat_items[0]
            fr["findings"] = fr["findings"].replace(it["find"], re.sub(r"\b(left|Left|right|Right)\b", tok,
                                                                       it["find"], count=1))
            where = "side of a finding"
        else:
            fr["findings"] = fr["findings"].replace("No pneumothorax", f"No {tok}", 1) \
                if "No pneumothorax" in fr["findings"] else fr["findings"] + f" {tok}"
            where = "word in findings"
    else:
        fr["impression"] = rng.choice([f"{tok} {fr['impression']}", f"{fr['impression']} {tok}",
                                       f"Heart size: {tok}. {fr['impression']}"])
        where = "conclusion"
    return layout(rng, fr), f"unfilled template field {tok} at {where}"


# ---------------------------------------------------------------------------------------------------------------
# IU-based cases
# ---------------------------------------------------------------------------------------------------------------

def iu_frame(rng: random.Random, r: dict) -> dict:
    fr = frame(rng)
    ind = uk(r.get("indication", "")).strip()
    fr["hist"] = ind if ind else rng.choice(HIST)
    comp = uk(r.get("comparison", "")).strip()
    if comp and rng.random() < 0.85:
        fr["comp"] = "Comparison: " + comp
    elif not comp:
        fr["comp"] = None
    fr["findings"] = uk(r["findings"])
    fr["impression"] = uk(r["impression"])
    return fr


def iu_clean(rng: random.Random, r: dict) -> tuple[str, str]:
    fr = iu_frame(rng, r)
    return layout(rng, fr), f"IU {r['uid']} re-laid-out"


QUAL = re.compile(r"\b(large|significant|definite|sizable|sizeable|moderate|overt|typical|gross|except|"
                  r"otherwise|residual|acute|upper|limits?|borderline)\b", re.I)
NEG_AFFIRM = [  # (pattern in findings negation, affirmative conclusion)
    (r"\b(pleural )?effusion", ["Small {s} pleural effusion.", "Moderate {s} pleural effusion.",
                               "{S} pleural effusion."]),
    (r"pneumothorax", ["Small {s} apical pneumothorax.", "{S} pneumothorax."]),
    (r"consolidat|airspace|infiltrat", ["{S} lower zone consolidation.", "{S} basal pneumonia.",
                                        "Consolidation at the {s} base, likely infective."]),
    (r"edema|oedema", ["Pulmonary oedema.", "Interstitial pulmonary oedema."]),
    (r"lungs are clear|lungs clear|clear lungs", ["{S} basal consolidation.", "{S} upper zone consolidation."]),
    (r"(heart|cardiac) (size|silhouette)[^.]*(normal|within normal)", ["Cardiomegaly.",
                                                                        "The heart is enlarged."]),
]


def iu_error(rng: random.Random, kind: str, r: dict, j: int) -> tuple[str, str] | None:
    fr = iu_frame(rng, r)
    side = rng.choice(["left", "right"])
    uid = r["uid"]
    if kind == "missing_section":
        if j % 3 == 2:
            imp = fr["impression"]
            if len(imp) > 60 or not re.match(r"(1\. )?(no acute|no active|negative|no evidence)", imp, re.I) or \
                    re.search(r"lung|heart|effusion|pneumothorax|cardiac|mediastin", imp, re.I):
                return None
            fr["findings"] = ""
            return layout(rng, fr), f"IU {uid}: findings emptied (header left)"
        if j % 3 == 1:
            fr["impression"] = None
            return layout(rng, fr), f"IU {uid}: conclusion removed"
        fr["impression"] = ""
        return layout(rng, fr), f"IU {uid}: conclusion emptied (header left)"
    if kind == "laterality_conflict":
        where = "impression" if j % 4 else "findings"
        txt = fr[where]
        ss = sents(txt)
        idx = [k for k, s in enumerate(ss) if SIDE.search(s) and ABN.search(s) and not NEG.search(s)
               and not re.search(r"ventric|atri|coronary|heart border|-sided heart", s, re.I)]
        if not idx:
            return None
        k = idx[0]
        sw = {"left": "right", "right": "left", "Left": "Right", "Right": "Left", "LEFT": "RIGHT", "RIGHT": "LEFT"}
        ss[k] = re.sub(r"\b(left|right|Left|Right|LEFT|RIGHT)\b", lambda m: sw[m.group(1)], ss[k])
        fr[where] = " ".join(ss)
        return layout(rng, fr), f"IU {uid}: side flipped in {where} sentence: {ss[k]}"
    if kind == "negation_conflict":
        if j % 4 == 3:  # strong pool: conclusion negates what findings affirm
            f = " ".join(s for s in sents(fr["findings"]) if not NEG.search(s) and not HEDGE.search(s)).lower()
            if "effusion" in f:
                fr["impression"] = rng.choice(["No pleural effusion.", "No effusion or pneumothorax."])
            elif "pneumothorax" in f:
                fr["impression"] = "No pneumothorax."
            elif re.search(r"consolidat|pneumonia", f):
                fr["impression"] = rng.choice(["Lungs clear.", "No focal consolidation."])
            elif "oedema" in f:
                fr["impression"] = "No pulmonary oedema."
            else:
                return None
            return layout(rng, fr), f"IU {uid}: conclusion negates a finding affirmed in findings"
        f = fr["findings"]
        opts = [(p, a) for p, a in NEG_AFFIRM
                if any(re.search(p, s, re.I) and NEG.search(s) and not QUAL.search(s) for s in sents(f))]
        if not opts:
            return None
        p, a = rng.choice(opts)
        fr["impression"] = fill(rng.choice(a), side, 0)
        return layout(rng, fr), f"IU {uid}: findings negate /{p}/; conclusion replaced by '{fr['impression']}'"
    if kind == "impression_omits_finding":
        fr["impression"] = rng.choice(OMIT_IMP)
        return layout(rng, fr), f"IU {uid}: conclusion replaced by normal macro '{fr['impression']}'"
    # placeholder
    tok = rng.choice(["[***]", "***", "[ ]", "[...]", "<>", "[insert]", "[ENTER TEXT]", "{ }", "[??]", "<<>>"])
    v = j % 4
    if v == 0:
        fr["comp"] = f"Comparison: {tok}"
        where = "comparison"
    elif v == 1:
        fr["hist"] = tok
        where = "clinical details"
    elif v == 2:
        fr["sign"] = f"Dr {tok}, Consultant Radiologist."
        where = "sign-off"
    else:
        m = list(re.finditer(r"\b(pneumothorax|effusion|consolidation|normal|clear|heart|lungs|edema)\b",
                             fr["findings"], re.I))
        if not m:
            return None
        mm = m[rng.randrange(len(m))]
        fr["findings"] = fr["findings"][:mm.start()] + tok + fr["findings"][mm.end():]
        where = f"findings word '{mm.group(0)}'"
    return layout(rng, fr), f"IU {uid}: unfilled field {tok} at {where}"


# ---------------------------------------------------------------------------------------------------------------

def build(seed: int) -> list[dict]:
    rng = random.Random(f"h78-{seed}")
    pools = classify(load_iu())
    for p in pools.values():
        rng.shuffle(p)
    used: set[str] = set()

    def take(pool: str) -> dict:
        for r in pools[pool]:
            if r["uid"] not in used:
                used.add(r["uid"])
                return r
        raise RuntimeError(f"IU pool {pool} exhausted")

    cases: list[tuple[str | None, str, str]] = []
    # clean
    for _ in range(N_CLEAN // 2):
        cases.append((None, *reversed(bank_clean(rng))))
    for k in range(N_CLEAN // 2):
        r = take("normal" if k % 10 < 7 else "abn_clean")
        rep, det = iu_clean(rng, r)
        cases.append((None, det, rep))
    for kind in KINDS:
        for j in range(N_KIND // 2):
            rep, det = bank_error(rng, kind, j)
            cases.append((kind, det, rep))
        pool = {"laterality_conflict": "lat", "impression_omits_finding": "strong"}.get(kind, "normal")
        j = 0
        made = 0
        while made < N_KIND // 2:
            p = "strong" if kind == "negation_conflict" and j % 4 == 3 else pool
            if kind == "missing_section" and j % 3 != 2 and j % 2:
                p = "abn_clean"
            r = take(p)
            out = iu_error(rng, kind, r, j)
            j += 1
            if out is None:
                continue
            cases.append((kind, out[1], out[0]))
            made += 1
    rng.shuffle(cases)
    return [{"id": f"h78-{seed}-{n}", "injected": kind, "detail": det, "report": rep}
            for n, (kind, det, rep) in enumerate(cases)]


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
