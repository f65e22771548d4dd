"""Held-out report-error set 173: eating disorder units and nutrition support teams (UK and US).

Chest films from these services: NG / nasojejunal tube position checks, refeeding and fluid shifts,
pneumomediastinum, aspiration, low-weight chests with prominent bones, PEG and RIG placement.

usage: python -m bench.make_heldout173 OUT.jsonl --seed S [--show N]

400 rows: 200 clean and 40 of each of the five kinds; in every group half are composed from the
phrase bank below and half are real IU reports re-laid out in the setting's style. Standard library only.
"""
from __future__ import annotations

import argparse
import io
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
REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


# --------------------------------------------------------------------------------------------
# IU archive
# --------------------------------------------------------------------------------------------

_IU_CACHE: dict = {}


def _clean_ws(s: str) -> str:
    return re.sub(r"\s+", " ", (s or "")).strip()


def load_iu() -> list[dict]:
    root = shared_dir()
    key = str(root)
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    rows = []
    with tarfile.open(root / "data" / "iu_reports" / "NLMCXR_reports.tgz", "r:gz") as tf:
        for m in tf.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            data = tf.extractfile(m).read()
            try:
                doc = ET.parse(io.BytesIO(data)).getroot()
            except ET.ParseError:
                continue
            uid_el = doc.find("uId")
            if uid_el is None:
                continue
            rec = {"uid": uid_el.get("id")}
            for at in doc.iter("AbstractText"):
                rec[(at.get("Label") or "").lower()] = _clean_ws(at.text or "")
            rows.append(rec)
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE[key] = rows
    return rows


def dev_uids() -> set:
    out = set()
    with open(shared_dir() / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            if line.strip():
                out.add(json.loads(line)["uid"])
    return out


def sentences(text: str) -> list[str]:
    text = _clean_ws(text)
    if not text:
        return []
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)
    return [p.strip() for p in parts if p.strip()]


NEG_CUE = re.compile(
    r"\b(no|not|without|negative|clear|free of|resolved|removed|normal|unremarkable|absence|absent)\b", re.I)
HEDGE = re.compile(r"\b(possible|possibly|may|could|cannot|questionable|versus|vs|likely|suggest|concern|"
                   r"difficult|exclude|excluded|early|subtle|suspicious|vs\.|or)\b", re.I)
SIG = re.compile(r"(pneumothora|consolidat|airspace|air space|infiltrat|pneumonia|edema|oedema|effusion|"
                 r"\bmass\b|widen|free air|congest)", re.I)
SMALLISH = re.compile(r"\b(small|trace|tiny|minimal|minor|blunting|chronic|stable|unchanged|old|"
                      r"scar|scarring|resolv|improv|decreas|residual|loculated|thicken|subsegmental|clearing|again|"
                      r"redemonstrat|persist)", re.I)
ABN_ANY = re.compile(
    r"(pneumothora|consolidat|airspace|air space|infiltrat|pneumonia|edema|effusion|mass|nodul|opacit|"
    r"atelecta|cardiomegal|enlarg|widen|fractur|catheter|tube|line|picc|port|device|pacemaker|surgical|"
    r"sternotomy|clip|hernia|emphysem|hyperinfl|copd|fibros|interstit|scar|density|densities|lesion|"
    r"elevat|blunt|thicken|prominent|tortuous|calcif|granulom|degenerat|spondyl|osteophyt|kyphos|"
    r"scolios|deformit|postoperative|post-operative|increased|decreased|abnormal|opacity|collapse|"
    r"lucen|cyst|mild|borderline|upper limits|limits of normal|hilar|lymph|markings|bronch|low lung|"
    r"volume|xxxx)", re.I)
BENIGN = re.compile(r"(granulom|degenerat|spondyl|osteophyt|tortuous|atheroscl|calcified|ectatic)", re.I)
NORMAL_IMP = re.compile(
    r"^(no acute (cardiopulmonary|pulmonary|cardiothoracic|disease|abnormalit|process|findings)[^.]*|"
    r"no active disease|normal chest[^.]*|negative chest[^.]*|no acute radiographic[^.]*|"
    r"no evidence of active disease|no radiographic evidence of acute[^.]*|"
    r"heart size and lungs are normal|normal examination)\.?$", re.I)


def is_neg_or_normal(s: str) -> bool:
    return bool(NEG_CUE.search(s))


def iu_normal_candidate(r: dict) -> bool:
    f, imp = r.get("findings", ""), r.get("impression", "")
    if not f or not imp or len(f) < 60:
        return False
    imps = sentences(imp)
    if not imps or not all(NORMAL_IMP.match(s) for s in imps):
        return False
    for s in sentences(f):
        if "XXXX" in s and not is_neg_or_normal(s):
            return False
        if not ABN_ANY.search(s):
            continue
        if is_neg_or_normal(s) and not re.search(r"\b(but|however|except|although|mild|borderline|upper)\b", s,
                                                    re.I):
            if re.search(r"(fractur|catheter|tube|picc|pacemaker|nodul|opacit|atelecta|density|enlarg|cardiomeg)",
                         s, re.I) and not re.match(r"^(no|there is no|there are no|without)\b", s, re.I):
                return False
            continue
        if BENIGN.search(s) and not SIG.search(s) and not re.search(r"(nodul|opacit|enlarg|mass)", s, re.I):
            continue
        return False
    return True


UK_SPELL = [(r"\bedema\b", "oedema"), (r"\besophag", "oesophag"), (r"\bhemorrhag", "haemorrhag"),
            (r"\bcentimeter", "centimetre"), (r"\bfavor", "favour"), (r"\bhematoma", "haematoma")]
REWORD = [(r"\bThere is no\b", "No"), (r"\bThere are no\b", "No"), (r"\bchest x-XXXX\b", "chest radiograph"),
          (r"\bchest x-ray\b", "chest radiograph"), (r"\bThe heart is normal in size\b", "Heart size is normal"),
          (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary abnormality seen"),
          (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary abnormality"),
          (r"\bNo acute cardiopulmonary process\b", "No acute cardiopulmonary abnormality")]


def reword(text: str, uk: bool) -> tuple[str, list[str]]:
    done = []
    for pat, rep in REWORD + (UK_SPELL if uk else []):
        new = re.sub(pat, rep, text)
        if new != text:
            done.append(f"{pat.strip(chr(92)).replace('b', '', 0)}->{rep}")
            text = new
    text = re.sub(r"\bno\b", "no", text)
    return text, done


# --------------------------------------------------------------------------------------------
# the setting's phrase bank
# --------------------------------------------------------------------------------------------

INDICATIONS = [
    "Anorexia nervosa, BMI {bmi}. NG tube inserted on the ward for feeding, please check position.",
    "Fine-bore NGT placed for refeeding. pH aspirate {ph}, unable to confirm. ?position",
    "Restrictive eating disorder, day {day} of refeeding. Increasing shortness of breath and ankle swelling.",
    "Anorexia nervosa with repeated vomiting. Retrosternal pain and neck crepitus.",
    "Nasojejunal tube placed at bedside, confirm position before feeding.",
    "Low weight patient, BMI {bmi}. Cough and fever after NG feed, ?aspiration.",
    "Radiologically inserted gastrostomy yesterday. Abdominal pain. ?free air",
    "PEG insertion today. Pre-feed chest film requested by nutrition team.",
    "ARFID, NG fed. Tube re-passed after it was pulled out overnight. Check position.",
    "Bulimia nervosa, hypokalaemia, chest pain after vomiting.",
    "Eating disorder unit admission. Baseline chest film. BMI {bmi}.",
    "Refeeding syndrome risk, low phosphate. Tachypnoea, ?fluid overload.",
    "NGT check - patient coughed during insertion.",
    "Re-feeding day {day}, new oxygen requirement.",
]
COMPARISONS_UK = ["None available.", "Previous film XX/XX/XXXX.", "Compared with the film from XXXX.",
                  "Comparison is made with the chest radiograph of yesterday.", "No previous imaging.",
                  "Previous chest X-ray of XXXX for comparison."]
COMPARISONS_US = ["None.", "XXXX.", "Prior study from XXXX.", "Chest radiograph from earlier today.",
                  "No prior studies available.", "Portable chest dated XXXX."]
SIGN_UK = ["Dr A. Okafor, Consultant Radiologist", "Reported by Dr S. Whitfield, ST4 Radiology Registrar. "
           "Verified by Dr L. Hargreaves, Consultant Radiologist", "Dr R. Mehta FRCR", "Dr E. Lindqvist, "
           "Consultant Radiologist. GMC XXXX", "Reported by: Dr C. Byrne (Reporting Radiographer)"]
SIGN_US = ["Electronically signed by: XXXX, MD on XXXX", "Dictated by: J. Alvarez, MD. Signed: J. Alvarez, MD",
           "Attending radiologist: M. Chen, MD", "Read by: K. Osei, DO. Transcribed XXXX",
           "I have personally reviewed the images and agree with the report. -- P. Novak, MD"]

NEGATIVES = [
    # (findings negative, tags, contradicting impression assertion)
    ("No pneumothorax.", {"ptx"}, "Small {side} apical pneumothorax."),
    ("No pleural effusion.", {"eff"}, "Bilateral pleural effusions, larger on the {side}."),
    ("The costophrenic angles are clear.", {"eff"}, "Moderate {side} pleural effusion."),
    ("No pneumomediastinum.", {"pmed"}, "Pneumomediastinum."),
    ("The lungs are clear.", {"lung"}, "{Side} lower lobe consolidation, in keeping with aspiration."),
    ("No consolidation or collapse.", {"lung"}, "{Side} basal consolidation, likely aspiration pneumonia."),
    ("No free gas under the diaphragm.", {"free"}, "Free gas under the {side} hemidiaphragm."),
    ("Heart size is normal.", {"heart"}, "Cardiomegaly."),
    ("No pulmonary oedema.", {"oed"}, "Pulmonary oedema in keeping with fluid overload."),
    ("No features of fluid overload.", {"oed"}, "Interstitial pulmonary oedema, likely refeeding-related "
                                                "fluid overload."),
    ("Mediastinal contours are normal.", {"pmed", "medi"}, "Widened mediastinum."),
]
NEGATIVES_US = {"No pulmonary oedema.": "No pulmonary edema.",
                "No features of fluid overload.": "No signs of fluid overload."}

HABITUS = [
    ("Low body habitus with prominent ribs and clavicles; reduced soft tissues.", ),
    ("Thin patient. The bony thorax is prominent; no fracture seen.", ),
    ("Ribs and clavicles are prominent in keeping with low body weight.", ),
    ("Small, narrow heart in keeping with low body weight (normal variant in this context).", ),
]

NORMAL_IMPS = ["No acute cardiopulmonary abnormality.", "No acute abnormality.", "Normal chest radiograph.",
               "No acute chest pathology.", "Lungs clear. No acute findings.", "Normal appearances."]


def _c(find, imp, tags=(), sig=False, side=None, ph=None, neg_imp=None, uk_only=False):
    return {"find": list(find), "imp": list(imp), "tags": set(tags), "sig": sig, "side": side, "ph": ph or [],
            "neg_imp": neg_imp, "uk_only": uk_only}


def tube_components(rng: random.Random) -> list[dict]:
    cm = rng.choice([6, 8, 10, 12])
    return [
        _c(["Fine-bore nasogastric tube in situ. It follows the midline course of the oesophagus, bisects the carina "
            "and crosses the diaphragm in the midline.",
            f"The tip projects below the left hemidiaphragm, approximately {cm} cm into the gastric fundus."],
           ["NG tube tip below the left hemidiaphragm, within the stomach. Safe to feed."],
           side="left", ph=[(f"{cm} cm", "XX cm"), (f"{cm} cm", "[***] cm"), ("gastric fundus", "<<tip position>>")]),
        _c(["NG tube is seen descending in the midline, past the carina, with its tip projected over the stomach "
            "below the left hemidiaphragm."],
           ["Satisfactory NG tube position; tip in the stomach below the left hemidiaphragm. OK to use."],
           side="left", ph=[("the stomach below", "[stomach / oesophagus / bronchus] below")]),
        _c(["The nasojejunal tube passes through the stomach and duodenum; the tip lies beyond the duodenojejunal "
            "flexure, projected over the left upper quadrant."],
           ["NJ tube tip beyond the DJ flexure in the proximal jejunum, left upper quadrant. Suitable for use."],
           side="left", ph=[("left upper quadrant", "[QUADRANT]"), ("beyond the duodenojejunal flexure",
                                                                      "<<tip location>>")]),
        _c([f"Radiologically inserted gastrostomy projected over the left upper quadrant, retention balloon "
            f"approximately {cm // 2} cm below the left hemidiaphragm."],
           ["RIG in expected position in the left upper quadrant."],
           side="left", ph=[(f"{cm // 2} cm", "__ cm"), (f"{cm // 2} cm", "XX cm")]),
        _c(["PEG tube noted over the left upper quadrant."], ["PEG in situ over the left upper quadrant."],
           side="left", ph=[("PEG tube", "[TUBE TYPE]")]),
        _c(["Nasogastric tube is coiled in the upper oesophagus; its tip is not below the diaphragm."],
           ["NG tube coiled in the oesophagus. NOT safe to use. Please withdraw and re-pass."],
           ph=[("upper oesophagus", "[***]")]),
        _c([f"The NG tube tip lies in the distal oesophagus, approximately {cm // 2} cm above the gastro-oesophageal "
            "junction."],
           [f"NG tube tip in the distal oesophagus. Advance by at least {cm} cm and re-image before use."],
           ph=[(f"at least {cm} cm", "at least XX cm"), ("distal oesophagus,", "<<level>>,")]),
    ]


def misplaced_component(side: str) -> dict:
    return _c([f"The NG tube deviates from the midline and follows the {side} main bronchus; the tip projects over "
               f"the {side} lower zone."],
              [f"NG tube misplaced in the {side} lower lobe bronchus. Do NOT feed. Remove immediately. "
               "Findings telephoned to the ward nurse in charge."],
              side=side, ph=[("Remove immediately", "[ACTION]")])


def pathology_components(rng: random.Random, side: str) -> list[dict]:
    mm = rng.choice([7, 8, 9, 11, 12])
    rib = rng.choice(["5th", "6th", "7th", "8th"])
    return [
        _c([f"New patchy consolidation in the {side} lower zone, not present on the previous film."],
           [f"New {side} lower zone consolidation, in keeping with aspiration pneumonia in this NG-fed patient."],
           tags={"lung"}, sig=True, side=side, ph=[("lower zone", "[ZONE]")],
           neg_imp="No consolidation."),
        _c(["Upper lobe venous diversion with Kerley B lines and bilateral perihilar haze. Small bilateral pleural "
            "effusions."],
           ["Pulmonary oedema with small effusions, in keeping with fluid overload during refeeding. Suggest review "
            "of fluid balance."],
           tags={"oed", "eff", "lung"}, sig=True, ph=[("Kerley B lines", "<<finding>>")],
           neg_imp="No pulmonary oedema."),
        _c(["Linear lucencies outline the mediastinum and the aortic knuckle and extend into the soft tissues of the "
            "neck, in keeping with pneumomediastinum."],
           ["Pneumomediastinum with surgical emphysema in the neck. In the context of vomiting, a contrast swallow "
            "is recommended to exclude oesophageal perforation."],
           tags={"pmed", "medi"}, sig=True, ph=[("contrast swallow", "[RECOMMENDED STUDY]")],
           neg_imp="No pneumomediastinum."),
        _c([f"There is a {side} apical pneumothorax with a rim of {rng.choice([2, 3, 4])} cm, new since the previous "
            "film."],
           [f"New {side} pneumothorax. Clinical team informed."],
           tags={"ptx"}, sig=True, side=side, ph=[("cm, new", "XX cm, new")],
           neg_imp="No pneumothorax."),
        _c([f"Moderate {side} pleural effusion with meniscus extending to the mid zone."],
           [f"Moderate {side} pleural effusion."],
           tags={"eff"}, sig=True, side=side, ph=[("mid zone", "[level]")], neg_imp="No pleural effusion."),
        _c([f"{mm} mm rounded nodule projected over the {side} mid zone."],
           [f"{mm} mm {side} mid zone nodule. CT chest is recommended for further characterisation."],
           tags={"nod", "lung"}, sig=True, side=side, ph=[(f"{mm} mm rounded", "<<size>> rounded")]),
        _c([f"Free gas is seen beneath the {side} hemidiaphragm."],
           [f"Pneumoperitoneum (free gas under the {side} hemidiaphragm). Following recent gastrostomy this may be "
            "post-procedural, but correlate clinically. Discussed with the nutrition team."],
           tags={"free"}, sig=True, side=side, ph=[("recent gastrostomy", "[PROCEDURE]")],
           neg_imp="No free subdiaphragmatic gas."),
        # non-significant components
        _c([f"Healing fracture of the {side} {rib} rib laterally with callus."],
           [f"Healing {side} {rib} rib fracture. Note reduced bone density; consider bone health assessment."],
           tags={"rib"}, side=side, ph=[(f"{rib} rib laterally", "[RIB NUMBER] rib laterally")]),
        _c([f"Small {side} pleural effusion."], [f"Small {side} pleural effusion."], tags={"eff"}, side=side,
           ph=[("Small", "[ ]")]),
        _c(["Bibasal linear atelectasis."], ["Minor bibasal atelectasis."], tags=set(), ph=[("Bibasal", "[***]")]),
    ]


def compose(rng: random.Random, need: str | None = None) -> dict:
    """Compose a consistent case. need: 'sig' (a significant finding), 'side' (a side in both sections),
    'neg' (a negative in the findings), 'normal' (nothing significant)."""
    side = rng.choice(["left", "right"])
    tubes = tube_components(rng) + [misplaced_component(rng.choice(["right", "right", "left"]))]
    paths = pathology_components(rng, side)
    comps = []
    tube = None
    if need in ("side",) or rng.random() < 0.75:
        tube = rng.choice(tubes)
        comps.append(tube)
    path = None
    if need == "sig":
        path = rng.choice([p for p in paths if p["sig"]])
    elif need == "side":
        path = rng.choice([p for p in paths if p["side"]]) if (tube is None or tube["side"] is None or
                                                              rng.random() < 0.5) else None
    elif need == "normal":
        path = None if rng.random() < 0.7 else rng.choice([p for p in paths if not p["sig"]])
    elif need == "neg_affirmed":
        path = rng.choice([p for p in paths if p["neg_imp"]])
    else:
        path = rng.choice(paths) if rng.random() < 0.6 else None
    if path is not None:
        comps.append(path)
    if need == "side" and not any(c["side"] for c in comps):
        comps.append(rng.choice([p for p in paths if p["side"]]))
    tags = set()
    for c in comps:
        tags |= c["tags"]
    negs = [n for n in NEGATIVES if not (n[1] & tags)]
    rng.shuffle(negs)
    negs = negs[: rng.choice([2, 3, 4])]
    habitus = rng.choice(HABITUS)[0] if rng.random() < 0.6 else None
    return {"comps": comps, "negs": negs, "habitus": habitus, "side": side,
            "normal_imp": rng.choice(NORMAL_IMPS)}


def style(rng: random.Random) -> dict:
    uk = rng.random() < 0.55
    if uk:
        fh = rng.choice(["Findings:", "FINDINGS:", "Findings", "Report:"])
        ih = rng.choice(["Conclusion:", "CONCLUSION:", "Impression:", "Opinion:", "Summary:", "Comment:"])
        ch = rng.choice(["Clinical details:", "Clinical information:", "Clinical indication:", "History:"])
        exam = rng.choice(["XR Chest", "Chest X-ray (NG tube position)", "CXR AP (ward)", "XR CHEST PA",
                           "Chest radiograph - NGT check", ""])
        comp_h = rng.choice(["Comparison:", "Previous:", ""])
        sign = rng.choice(SIGN_UK)
    else:
        fh = rng.choice(["FINDINGS:", "Findings:", "FINDINGS"])
        ih = rng.choice(["IMPRESSION:", "Impression:", "IMPRESSION", "CONCLUSION:"])
        ch = rng.choice(["INDICATION:", "CLINICAL HISTORY:", "HISTORY:", "Indication:"])
        exam = rng.choice(["EXAM: XR CHEST 1 VIEW PORTABLE", "EXAMINATION: Chest AP portable",
                           "EXAM: CHEST PA AND LATERAL", "PROCEDURE: Portable chest for tube placement", ""])
        comp_h = rng.choice(["COMPARISON:", "Comparison:"])
        sign = rng.choice(SIGN_US)
    return {"uk": uk, "fh": fh, "ih": ih, "ch": ch, "exam": exam, "comp_h": comp_h, "sign": sign,
            "numbered": rng.random() < 0.45, "inline": rng.random() < 0.5, "technique": rng.random() < 0.25}


def us_spell(s: str) -> str:
    for a, b in [("oedema", "edema"), ("Oedema", "Edema"), ("oesophag", "esophag"), ("haem", "hem"),
                 ("characterisation", "characterization"), ("Hypokalaemia", "Hypokalemia"),
                 ("hypokalaemia", "hypokalemia"), ("Tachypnoea", "Tachypnea"), ("centimetre", "centimeter"),
                 ("gastro-oesophageal", "gastroesophageal")]:
        s = s.replace(a, b)
    return s


def render(st: dict, rng: random.Random, indication: str, comparison: str, findings: list[str],
           impression: list[str], drop: str | None = None, drop_mode: str = "empty") -> str:
    """drop: 'findings'/'impression' emptied; drop_mode: 'empty' (header, nothing), 'sign' (header with only the
    signature under it), 'removed' (no section)."""
    lines = []
    if st["exam"]:
        lines.append(st["exam"])
    if indication:
        lines.append(f"{st['ch']} {indication}")
    if st["comp_h"] and comparison:
        lines.append(f"{st['comp_h']} {comparison}")
    if st["technique"]:
        lines.append(rng.choice(["TECHNIQUE: Single AP portable view.", "Technique: AP erect, ward film.",
                                 "Views: PA and lateral."]))
    lines.append("")

    def section(header, body_lines, numbered):
        if numbered and len(body_lines) > 1:
            body = "\n".join(f"{i + 1}. {s}" for i, s in enumerate(body_lines))
            return f"{header}\n{body}"
        body = " ".join(body_lines)
        if st["inline"] and header.endswith(":"):
            return f"{header} {body}"
        return f"{header}\n{body}"

    signed = False
    if drop == "findings":
        if drop_mode != "removed":
            lines.append(st["fh"])
            lines.append("")
    else:
        lines.append(section(st["fh"], findings, False))
        lines.append("")
    if drop == "impression":
        if drop_mode == "empty":
            lines.append(st["ih"])
            lines.append("")
        elif drop_mode == "sign":
            lines.append(st["ih"])
            lines.append(st["sign"])
            signed = True
    else:
        lines.append(section(st["ih"], impression, st["numbered"]))
        lines.append("")
    if not signed:
        lines.append(st["sign"])
    text = "\n".join(lines).strip() + "\n"
    if not st["uk"]:
        text = us_spell(text)
    return text


def composed_parts(case: dict, st: dict, rng: random.Random) -> tuple[list[str], list[str], list]:
    """Return findings, impression sentence lists, and the index map (comp -> (find idx list, imp idx list))."""
    findings, impression, idx = [], [], []
    for c in case["comps"]:
        fi = list(range(len(findings), len(findings) + len(c["find"])))
        findings.extend(c["find"])
        ii = list(range(len(impression), len(impression) + len(c["imp"])))
        impression.extend(c["imp"])
        idx.append((fi, ii))
    for n in case["negs"]:
        findings.append(n[0] if st["uk"] else NEGATIVES_US.get(n[0], n[0]))
    if case["habitus"]:
        findings.append(case["habitus"])
    if not any(c["sig"] for c in case["comps"]) and rng.random() < 0.7:
        impression.append(case["normal_imp"] if not impression else rng.choice(
            ["No other acute abnormality.", "No acute cardiopulmonary abnormality.", "Lungs clear."]))
    return findings, impression, idx


def fill_ind(rng: random.Random, s: str) -> str:
    return s.format(bmi=rng.choice(["12.4", "13.1", "13.8", "14.5", "11.9", "15.2"]), ph=rng.choice(["6", "6.5", "7"]),
                    day=rng.choice(["3", "4", "5", "7"]))


FLIP = {"left": "right", "right": "left", "Left": "Right", "Right": "Left"}


def flip_side(s: str) -> str:
    return re.sub(r"\b(left|right|Left|Right)\b", lambda m: FLIP[m.group(1)], s)


def make_composed(rng: random.Random, kind: str | None) -> tuple[str, str]:
    st = style(rng)
    ind = fill_ind(rng, rng.choice(INDICATIONS))
    comp = rng.choice(COMPARISONS_UK if st["uk"] else COMPARISONS_US)
    need = {None: None, "missing_section": None, "placeholder": None, "laterality_conflict": "side",
            "impression_omits_finding": "sig"}.get(kind)
    neg_affirm = False
    if kind == "negation_conflict":
        neg_affirm = rng.random() < 0.4
        need = "neg_affirmed" if neg_affirm else "normal"
    case = compose(rng, need)
    if any("previous" in f for c in case["comps"] for f in c["find"]):
        comp = rng.choice(COMPARISONS_UK[1:4] if st["uk"] else COMPARISONS_US[1:4])
    findings, impression, idx = composed_parts(case, st, rng)
    detail = "composed: " + "; ".join(c["imp"][0][:40] for c in case["comps"]) if case["comps"] else \
        "composed: normal chest"
    drop, mode = None, "empty"
    if kind is None:
        # some short tube checks written under a single conclusion that itself describes the findings
        if rng.random() < 0.08 and case["comps"] and not any(c["sig"] for c in case["comps"]):
            drop, mode = "findings", "removed"
            impression = [s for c in case["comps"] for s in c["find"]] + impression
            detail += " (single conclusion section describing the findings)"
    elif kind == "missing_section":
        drop = rng.choice(["impression", "impression", "findings"])
        mode = rng.choice(["empty", "sign", "removed"]) if drop == "impression" else "empty"
        detail = f"{st['ih'] if drop == 'impression' else st['fh']} section emptied ({mode}); {detail}"
    elif kind == "laterality_conflict":
        choices = [(ci, c) for ci, c in enumerate(case["comps"]) if c["side"]]
        ci, c = rng.choice(choices)
        fi, ii = idx[ci]
        if rng.random() < 0.5:
            k = next(i for i in ii if re.search(r"\b(left|right)\b", impression[i], re.I))
            old = impression[k]
            impression[k] = flip_side(old)
            detail = f"impression side flipped: '{old}' -> '{impression[k]}'"
        else:
            k = next(i for i in fi if re.search(r"\b(left|right)\b", findings[i], re.I))
            old = findings[k]
            findings[k] = flip_side(old)
            detail = f"findings side flipped: '{old}' -> '{findings[k]}'"
    elif kind == "negation_conflict":
        if neg_affirm:
            ci = next(i for i, c in enumerate(case["comps"]) if c["neg_imp"])
            c = case["comps"][ci]
            ii = idx[ci][1]
            impression = [s for i, s in enumerate(impression) if i not in ii]
            impression.insert(min(ii), c["neg_imp"])
            detail = f"impression negates affirmed finding: '{c['neg_imp']}' vs findings '{c['find'][0][:60]}'"
        else:
            n = rng.choice(case["negs"])
            side = rng.choice(["left", "right"])
            assertion = n[2].format(side=side, Side=side.capitalize())
            if not st["uk"]:
                assertion = us_spell(assertion)
            impression = [s for s in impression if s not in NORMAL_IMPS and s not in (
                "No other acute abnormality.", "No acute cardiopulmonary abnormality.", "Lungs clear.")]
            impression.append(assertion)
            detail = f"impression asserts '{assertion}' while findings say '{n[0]}'"
    elif kind == "impression_omits_finding":
        ci = next(i for i, c in enumerate(case["comps"]) if c["sig"])
        ii = idx[ci][1]
        others = [s for i, s in enumerate(impression) if i not in ii]
        if rng.random() < 0.5 or not others:
            new = [rng.choice(NORMAL_IMPS)]
            if others:
                new = others + ["No other acute abnormality."]
            if not others:
                detail = "impression replaced by a normal statement, omits: " + case["comps"][ci]["find"][0][:70]
            else:
                detail = "impression lists other findings + 'no other acute abnormality', omits: " + \
                    case["comps"][ci]["find"][0][:70]
            impression = new
        else:
            impression = others
            detail = "impression lists other findings only, omits: " + case["comps"][ci]["find"][0][:70]
    elif kind == "placeholder":
        opts = []
        for c in case["comps"]:
            for old, new in c["ph"]:
                opts.append((old, new))
        done = False
        rng.shuffle(opts)
        for old, new in opts:
            for lst in (findings, impression):
                for i, s in enumerate(lst):
                    if old in s:
                        lst[i] = s.replace(old, new, 1)
                        detail = f"placeholder: '{old}' -> '{new}'"
                        done = True
                        break
                if done:
                    break
            if done:
                break
        if not done:
            tmpl = rng.choice(["Tube position confirmed: [ ]", "Safe to feed: [YES/NO]", "Tip level: <<level>>",
                               "Heart size [normal/enlarged].", "The lungs are [***]."])
            if tmpl.startswith(("Heart", "The lungs")):
                findings.insert(0, tmpl)
            else:
                impression.append(tmpl)
            detail = f"template line left unfilled: '{tmpl}'"
    if kind is None and drop is None and not impression:
        impression = [case["normal_imp"]]
    if kind == "impression_omits_finding" and not impression:
        impression = [case["normal_imp"]]
    return render(st, rng, ind, comp, findings, impression, drop, mode), detail


# --------------------------------------------------------------------------------------------
# IU-based cases
# --------------------------------------------------------------------------------------------

SIDE_RE = re.compile(r"\b(left|right)\b", re.I)
LAT_GROUPS = [r"effusion|pleural|costophrenic|blunt", r"pneumothora", r"opacit|airspace|infiltrat|consolidat|"
              r"pneumonia|atelecta|scar|density|densities|disease", r"nodul|granulom|calcif|mass|lesion",
              r"rib|fractur", r"diaphragm", r"catheter|picc|port|tube|line|pacemaker|lead|device",
              r"lobe|base|basilar|apex|apical|upper|lower|mid|hilar|lung"]


def _grp(s: str) -> list[int]:
    return [i for i, g in enumerate(LAT_GROUPS) if re.search(g, s, re.I)]


def iu_lat_candidate(r: dict):
    f, imp = r.get("findings", ""), r.get("impression", "")
    if not f or not imp:
        return None
    sides = {m.lower() for m in SIDE_RE.findall(f + " " + imp)}
    if len(sides) != 1:
        return None
    side = sorted(sides)[0]
    fs = [s for s in sentences(f) if SIDE_RE.search(s)]
    is_ = [s for s in sentences(imp) if SIDE_RE.search(s)]
    if len(fs) != 1 or len(is_) != 1:
        return None
    if re.search(r"\b(no|without|resolved|removed|negative)\b", fs[0] + " " + is_[0], re.I):
        return None
    if not set(_grp(fs[0])[:-1] if len(_grp(fs[0])) > 1 else _grp(fs[0])) & set(_grp(is_[0])):
        return None
    return side, fs[0], is_[0]


def iu_sig_sentence(r: dict):
    f, imp = r.get("findings", ""), r.get("impression", "")
    if not f or not imp:
        return None
    hits = []
    for s in sentences(f):
        if SIG.search(s) and not NEG_CUE.search(s) and not HEDGE.search(s) and not SMALLISH.search(s):
            hits.append(s)
    if not hits:
        return None
    # the original impression must report it (consistency of the source)
    words = [SIG.search(h).group(1).lower()[:6] for h in hits]
    imps = [s for s in sentences(imp) if not NEG_CUE.search(s) and not SMALLISH.search(s)]
    if not all(any(w in s.lower() for s in imps) for w in words):
        return None
    if "XXXX" in " ".join(hits):
        return None
    return hits


NEG_IU = [
    (r"\bno (evidence of )?pneumothora|without pneumothora|no pneumothoraces", "Small {side} apical pneumothorax."),
    (r"no (focal )?(airspace disease|consolidation|infiltrate)|lungs are clear|no focal (lung )?consolidation",
     "{Side} lower lobe consolidation, ?aspiration."),
    (r"\bno (large )?(pleural )?effusion|no pleural effusions", "Bilateral pleural effusions."),
    (r"heart size (is )?(within )?normal|heart is normal in size|normal heart size|cardiac silhouette is normal|"
     r"cardiomediastinal silhouette (is )?(within )?normal|normal cardiomediastinal", "Cardiomegaly."),
    (r"no (pulmonary )?edema|no (pulmonary )?oedema", "Pulmonary oedema, in keeping with fluid overload."),
]

IMP_RELATED = re.compile(r"(opacit|atelecta|heart failure|chf|fluid|overload|improv|worsen|unchanged|stable|"
                         r"acute|normal|clear|pleural|lobe|base|basilar|bibasilar|pulmonary|lung)", re.I)
PLACEHOLDERS_WORD = ["[***]", "<<finding>>", "[ ]", "[FINDING]", "***"]


def iu_case(r: dict, kind: str | None, rng: random.Random) -> tuple[str, str] | None:
    st = style(rng)
    findings_t, chg1 = reword(r["findings"], st["uk"])
    imp_t, chg2 = reword(r["impression"], st["uk"])
    findings = sentences(findings_t)
    impression = sentences(imp_t)
    # numbered impressions in the archive ("1. ... 2. ...")
    if re.match(r"^1\.", imp_t):
        impression = [p.strip() for p in re.split(r"\s*\d\.\s+", imp_t) if p.strip()]
    ind = r.get("indication") or ""
    comp = r.get("comparison") or ""
    base = f"IU {r['uid']}: re-laid out ({'UK' if st['uk'] else 'US'} headers {st['fh']}/{st['ih']})"
    if chg1 or chg2:
        base += ", reworded"
    drop, mode = None, "empty"
    detail = base
    if kind == "missing_section":
        drop = rng.choice(["impression", "impression", "findings"])
        mode = rng.choice(["empty", "sign", "removed"]) if drop == "impression" else "empty"
        detail = f"{base}; {drop} emptied ({mode})"
    elif kind == "laterality_conflict":
        side, fs, is_ = iu_lat_candidate(r)
        fs_r, _ = reword(fs, st["uk"])
        is_r, _ = reword(is_, st["uk"])
        if rng.random() < 0.5:
            for i, s in enumerate(impression):
                if SIDE_RE.search(s):
                    impression[i] = flip_side(s)
                    detail = f"{base}; impression side flipped: '{s}' -> '{impression[i]}'"
                    break
        else:
            for i, s in enumerate(findings):
                if SIDE_RE.search(s):
                    findings[i] = flip_side(s)
                    detail = f"{base}; findings side flipped: '{s}' -> '{findings[i]}'"
                    break
        del fs_r, is_r
    elif kind == "negation_conflict":
        ftext = " ".join(findings)
        opts = [(p, a) for p, a in NEG_IU if re.search(p, ftext, re.I)]
        p, a = rng.choice(opts)
        side = rng.choice(["left", "right"])
        a = a.format(side=side, Side=side.capitalize())
        if not st["uk"]:
            a = us_spell(a)
        impression = [a]
        m = re.search(p, ftext, re.I)
        detail = f"{base}; impression replaced by '{a}' though findings say '{m.group(0)}'"
    elif kind == "impression_omits_finding":
        hits = iu_sig_sentence(r)
        keep = [s for s in impression if not SIG.search(s) and not IMP_RELATED.search(s)
                and not re.match(r"(recommend|dr\b|consider|further|follow|this|these|xxxx)", s, re.I)]
        if keep and rng.random() < 0.6:
            impression = keep
            detail = f"{base}; impression reduced to other findings, omits: '{hits[0]}'"
        else:
            impression = [rng.choice(NORMAL_IMPS)]
            detail = f"{base}; impression replaced by normal statement, omits: '{hits[0]}'"
    elif kind == "placeholder":
        tgt = rng.choice(["findings", "impression"]) if len(findings) > 0 else "impression"
        lst = findings if tgt == "findings" else impression
        # candidate words: normal / clear / size / side / a measurement
        cands = []
        for i, s in enumerate(lst):
            for m in re.finditer(r"\b(\d+(\.\d+)? ?(mm|cm))\b", s):
                cands.append((i, m.group(1), "XX " + m.group(3)))
            for m in re.finditer(r"\b(normal|clear|unremarkable|stable|acute|pneumothorax|effusion|"
                                 r"consolidation|cardiomegaly|focal)\b", s):
                cands.append((i, m.group(1), rng.choice(PLACEHOLDERS_WORD)))
        if not cands:
            lst = findings if tgt == "impression" else impression
            tgt = "findings" if tgt == "impression" else "impression"
            for i, s in enumerate(lst):
                for m in re.finditer(r"\b(normal|clear|acute|pneumothorax|effusion|focal)\b", s):
                    cands.append((i, m.group(1), rng.choice(PLACEHOLDERS_WORD)))
        i, old, new = rng.choice(cands)
        lst[i] = re.sub(r"\b" + re.escape(old) + r"\b", new, lst[i], count=1)
        detail = f"{base}; placeholder in {tgt}: '{old}' -> '{new}'"
    text = render(st, rng, ind, comp, findings, impression, drop, mode)
    if not st["uk"]:
        text = us_spell(text)
    return text, detail


def iu_pools(rows: list[dict], dev: set) -> dict:
    pool = {"normal": [], "lat": [], "sig": [], "neg": []}
    for r in rows:
        if r["uid"] in dev:
            continue
        if iu_normal_candidate(r):
            pool["normal"].append(r)
            if any(re.search(p, r["findings"], re.I) for p, _ in NEG_IU):
                pool["neg"].append(r)
        if iu_lat_candidate(r):
            pool["lat"].append(r)
        if iu_sig_sentence(r):
            pool["sig"].append(r)
    return pool


# --------------------------------------------------------------------------------------------


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h173-{seed}")
    rows_iu = load_iu()
    dev = dev_uids()
    pools = iu_pools(rows_iu, dev)
    for k in pools:
        rng.shuffle(pools[k])
    used: set = set()

    def take(pool_name: str) -> dict:
        while True:
            r = pools[pool_name].pop()
            if r["uid"] not in used:
                used.add(r["uid"])
                return r

    # IU reports needing special shape first
    plan = []
    for kind, n in [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]:
        for j in range(n):
            plan.append((kind, j < n // 2))
    cases = []
    for kind, use_iu in plan:
        if use_iu:
            pool_name = {"laterality_conflict": "lat", "impression_omits_finding": "sig",
                         "negation_conflict": "neg"}.get(kind, "normal")
            r = take(pool_name)
            text, detail = iu_case(r, kind, rng)
        else:
            text, detail = make_composed(rng, kind)
        cases.append({"injected": kind, "detail": detail, "report": text})
    rng.shuffle(cases)
    return [{"id": f"h173-{seed}-{k}", **c} for k, c in enumerate(cases)]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
