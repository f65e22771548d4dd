"""Held-out report-error set 159: chest films from vascular and aortic surgery units (UK and US).

Written blind (without sight of the checker).  Thoracic aortic aneurysm and dissection follow-up,
EVAR/TEVAR stent grafts, unfolded and calcified aortas, widened mediastinum after trauma or
surgery, post-operative films after aortic repair, pre-operative films of amputees and diabetic
foot patients.

usage: python -m bench.make_heldout159 OUT.jsonl --seed S [--show N]

400 rows: 200 clean and 40 of each of the five kinds of ``shared/eval/README.md``; half of every
group composed from the phrase bank below, half real IU reports (never a dev-set uid, each used once)
re-laid out and lightly re-worded in the setting's style.  Standard library only.
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40
REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


# ----------------------------------------------------------------------------------------------
# IU archive
# ----------------------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _load_iu(base: str) -> tuple:
    base_p = Path(base)
    dev = set()
    with open(base_p / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    out = []
    with tarfile.open(base_p / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf:
            if not (m.isfile() and m.name.endswith(".xml")):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            uid = uid_el.get("id")
            if uid in dev:
                continue
            d = {}
            for a in root.iter("AbstractText"):
                d[a.get("Label")] = " ".join((a.text or "").split())
            out.append({"uid": uid, "num": int(re.sub(r"\D", "", uid) or 0),
                        "indication": d.get("INDICATION", ""), "comparison": d.get("COMPARISON", ""),
                        "findings": d.get("FINDINGS", ""), "impression": d.get("IMPRESSION", "")})
    out.sort(key=lambda r: r["num"])
    return tuple(out), frozenset(dev)


def dev_uids() -> frozenset:
    return _load_iu(str(shared_dir()))[1]


# text analysis (generator side only)

NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|clear of|resolved|resolution|removed|absent|"
                     r"exclude|excluded|nor)\b", re.I)
HEDGE = re.compile(r"\b(may|might|possibl\w*|probabl\w*|question\w*|cannot|could|suggest\w*|likely|versus|vs|"
                   r"concern\w*|suspicious|differential|consider|correlat\w*|atelectasis or|or atelectasis|"
                   r"underlying|early|subtle|vague|limited|obscur\w*|difficult)\b|\?", re.I)
WEAK = re.compile(r"\b(small|tiny|trace|minimal|mild|mildly|slight\w*|stable|chronic|unchanged|improv\w*|"
                  r"resolv\w*|old|healed|scar\w*|prior|decreas\w*|blunting|residual|minor|borderline|"
                  r"upper limits?|persistent|again|XXXX|streaky|linear|band\w*|plate\w*|subsegmental|patchy|"
                  r"atelecta\w*|scattered)\b", re.I)

GROUPS = {
    "effusion": r"effusion|pleural fluid",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|airspace disease|air space disease|infiltrat|pneumonia|airspace opacit|"
                     r"air space opacit",
    "oedema": r"\bedema|oedema|vascular congestion|pulmonary congestion|venous congestion",
    "mass": r"\bmass\b|\bmasses\b",
    "widened": r"widen",
}
SIGNIFICANT = ["effusion", "pneumothorax", "consolidation", "oedema", "mass", "widened"]
ABNORMAL_ANY = re.compile(
    r"effusion|pleural fluid|pneumothora|consolidat|airspace|air space|infiltrat|pneumonia|opacit|edema|"
    r"congestion|cardiomegaly|enlarg|\bmass|nodul|atelecta|widen|fractur|granulom|degenerat|spondyl|tortu|"
    r"calcif|scolio|kyphos|emphysem|hyperinfl|hyperexpan|overexpan|copd|scar|fibros|surg|clip|sternotom|wire|"
    r"catheter|tube|pacemaker|pacer|defibrillator|prosthe|arthroplast|blunt|thicken|hernia|elevat|prominen|"
    r"osteopen|deform|bulla|cyst|lesion|densit|lucen|interstitial|marking|ectat|ectasia|aneurysm|dilat|"
    r"stent|thoracotomy|resect|post-?operative|chronic|\bold\b|healed|collapse|bronchiect|hilar|lymph|"
    r"abnormal|exclud|limited|obscur|suboptimal|low lung volume|shallow|rotat", re.I)
MINOR = re.compile(r"granulom|degenerat|spondyl|tortu|calcif|scolio|kyphos|osteopen|sternotom|\bclips?\b|"
                   r"arthroplast|atherosclero", re.I)
NORMAL_IMP = re.compile(
    r"^(\d\.\s*)?(no (acute|active)|negative (for|chest|exam|study)|normal (chest|exam|study|radiograph)|"
    r"no evidence of acute|there is no (radiographic )?evidence of acute|no radiographic evidence of acute|"
    r"unremarkable (chest|exam|study)|no acute)", re.I)
SIDE = re.compile(r"\b(left|right)\b", re.I)
LAT_GROUPS = {
    "lung": r"consolidat|airspace|air space|infiltrat|pneumonia|opacit|atelecta|density|densities",
    "effusion": r"effusion|pleural fluid|costophrenic",
    "pneumothorax": r"pneumothora",
    "nodule": r"nodul|granulom|\bmass|lesion",
    "fracture": r"fractur",
    "diaphragm": r"diaphragm",
    "line": r"picc|catheter|\bline\b|\bport\b|tube|pacemaker|pacer|chest drain",
}


def sentences(text: str) -> list[str]:
    text = " ".join(text.split())
    text = re.sub(r"\.(\s*\.)+", ".", text)
    if not text:
        return []
    parts = re.split(r"(?:^|\s)\d{1,2}\.\s+", text)
    out = []
    for p in parts:
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", p.strip()):
            s = s.strip(" ,")
            if s and re.search(r"[A-Za-z]{2}", s):
                if not s.endswith((".", "?", "!")):
                    s += "."
                out.append(s)
    return out


def _clauses(sent: str) -> list[str]:
    return [c for c in re.split(r";|,\s*(?:but|however|though|and there|there)\b|\bhowever\b|\bbut\b", sent) if c]


def affirmed(sent: str, pattern: str) -> bool:
    """True when the pattern occurs in a clause of `sent` with no negation cue before it."""
    for c in _clauses(sent):
        for m in re.finditer(pattern, c, re.I):
            if not NEG_CUE.search(c[: m.start()]):
                return True
    return False


def negated(sent: str, pattern: str) -> bool:
    for c in _clauses(sent):
        for m in re.finditer(pattern, c, re.I):
            if NEG_CUE.search(c[: m.start()]):
                return True
    return False


def mentions(text: str, pattern: str) -> bool:
    return re.search(pattern, text, re.I) is not None


POST_NEG = re.compile(r"\b(not|no longer|resolved|less|appear\w*|or)\b", re.I)


def strong_affirmed(sent: str, group: str) -> bool:
    """Affirmed without hedge, qualifier or any negation word anywhere in the sentence."""
    return (affirmed(sent, GROUPS[group]) and not HEDGE.search(sent) and not WEAK.search(sent)
            and not NEG_CUE.search(sent) and not POST_NEG.search(sent))


def any_affirmed(sents: list[str], pattern) -> bool:
    pat = pattern.pattern if hasattr(pattern, "pattern") else pattern
    return any(affirmed(s, pat) for s in sents)


def is_normal_impression(imp: str) -> bool:
    ss = sentences(imp)
    return bool(ss) and all(NORMAL_IMP.search(s) and not any_affirmed([s], ABNORMAL_ANY) for s in ss)


def is_normal_findings(fs: list[str]) -> bool:
    return bool(fs) and not any_affirmed(fs, ABNORMAL_ANY) and not any(HEDGE.search(s) for s in fs)


# ----------------------------------------------------------------------------------------------
# the setting's house styles
# ----------------------------------------------------------------------------------------------

US_NAMES = ["R. Delgado", "M. Kessler", "A. Nguyen", "J. Whitfield", "S. Raman", "K. O'Brien", "T. Lindqvist",
            "D. Abernathy", "P. Castillo", "L. Hsu"]
UK_NAMES = ["A. Okafor", "S. Hughes", "R. Pemberton", "N. Chaudhry", "F. McAllister", "H. Davies", "G. Ramsay",
            "P. Venkatesan", "C. Whitworth", "E. Brennan"]

STYLES = {
    # key: (country, findings header, impression header, header on own line?, numbered impression prob)
    "us_formal": ("us", "FINDINGS:", "IMPRESSION:", True, 0.6),
    "us_inline": ("us", "FINDINGS:", "IMPRESSION:", False, 0.3),
    "us_portable": ("us", "Findings:", "Impression:", True, 0.5),
    "uk_trust": ("uk", "Findings:", "Conclusion:", False, 0.3),
    "uk_caps": ("uk", "FINDINGS:", "CONCLUSION:", True, 0.5),
    "uk_opinion": ("uk", "Report:", "Opinion:", True, 0.2),
    "uk_impression": ("uk", "Findings:", "Impression:", True, 0.3),
}
STYLE_KEYS = sorted(STYLES)

US_EXAMS = ["EXAM: XR CHEST PA AND LATERAL", "EXAMINATION: CHEST 2 VIEWS", "EXAM: XR CHEST 1 VIEW PORTABLE",
            "EXAMINATION: PORTABLE AP CHEST", "PROCEDURE: XR CHEST PA/LAT", "EXAM: CHEST, SINGLE AP VIEW (SICU)"]
UK_EXAMS = ["Examination: XR Chest PA", "XR Chest", "Examination: Chest X-ray (AP mobile)", "CXR PA",
            "Examination: XR Chest AP (Critical Care)", "Examination: Chest radiograph PA"]
US_IND_HDR = ["HISTORY:", "CLINICAL INDICATION:", "INDICATION:", "REASON FOR EXAM:"]
UK_IND_HDR = ["Clinical details:", "Clinical indication:", "Clinical history:", "Clinical information:"]
US_INDICATIONS = [
    "s/p TEVAR for type B dissection, POD 2.", "Follow-up descending thoracic aortic aneurysm.",
    "Pre-op evaluation, left below-knee amputation.", "Diabetic foot infection, pre-operative clearance.",
    "s/p EVAR, new shortness of breath.", "MVC, evaluate mediastinum.", "s/p ascending aortic replacement, "
    "chest tube removed.", "Central line placement.", "Fever after open AAA repair.",
    "Pre-op right femoral-popliteal bypass.", "Chest pain, history of type B aortic dissection.",
    "Hypoxia after thoracoabdominal aneurysm repair.", "Pre-op transmetatarsal amputation, diabetic.",
    "Hypertension, known aortic aneurysm, dyspnea.",
]
UK_INDICATIONS = [
    "Pre-op L BKA. Diabetic.", "Post TEVAR day 1.", "Known TAA, surveillance.", "?Widened mediastinum, RTC.",
    "Post open AAA repair, ?collapse/consolidation.", "SOB post EVAR.", "Pre-op assessment, R TMA, diabetic foot.",
    "Type B dissection, medically managed. Chest pain.", "Post arch repair, drains out today.",
    "Pre-op fem-distal bypass. Smoker.", "Desaturating on HDU post aortic surgery.", "CVC insertion, check position.",
    "Diabetic foot sepsis, pre-op. ?Chest source.", "Pyrexial post EVAR.",
]
US_COMPARISONS = ["None.", "XXXX.", "Prior chest radiograph XXXX.", "CT angiogram chest XXXX and radiograph XXXX.",
                  "Portable chest from XXXX.", "None available."]
UK_COMPARISONS = ["Previous film XXXX.", "None.", "CT aorta XXXX.", "Comparison made with the previous film of XXXX.",
                  "No previous imaging available.", "CXR ___ (previous)."]


def signoff(rng: random.Random, country: str) -> str:
    if country == "us":
        n = rng.choice(US_NAMES)
        return rng.choice([
            f"Electronically signed by: {n}, MD on XXXX at XXXX",
            f"Dictated by: {n}, M.D.\nSigned: XXXX",
            f"I have personally reviewed the images and agree with the findings above.\n{n}, MD, Attending Radiologist",
            f"Attending radiologist: {n}, MD",
            f"Read by: {n}, MD (Vascular/Interventional Radiology)\nFinalized: XXXX",
        ])
    n = rng.choice(UK_NAMES)
    return rng.choice([
        f"Reported by: Dr {n}, Consultant Radiologist. GMC XXXX",
        f"Dr {n}\nConsultant Vascular and Interventional Radiologist",
        f"Report authorised by Dr {n}, Consultant Radiologist, XXXX",
        f"Dr {n} (StR Radiology) / verified Dr {rng.choice(UK_NAMES)}, Consultant",
        f"Dictated by Dr {n}, Consultant Radiologist. Date reported: XXXX",
    ])


def uk_spell(t: str) -> str:
    reps = [(r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"hemorrhag", "haemorrhag"),
            (r"hemothorax", "haemothorax"), (r"Hemothorax", "Haemothorax"), (r"visualized", "visualised"),
            (r"Visualized", "Visualised"), (r"opacified", "opacified"), (r"\bcolor", "colour"),
            (r"esophag", "oesophag"), (r"Esophag", "Oesophag"), (r"\banesthe", "anaesthe"),
            (r"ischemi", "ischaemi"), (r"\bcenter", "centre")]
    for a, b in reps:
        t = re.sub(a, b, t)
    return t


def us_spell(t: str) -> str:
    reps = [(r"\boedema", "edema"), (r"\bOedema", "Edema"), (r"haem", "hem"), (r"Haem", "Hem"),
            (r"visualised", "visualized"), (r"Visualised", "Visualized"), (r"oesophag", "esophag"),
            (r"Oesophag", "Esophag"), (r"\bgas under", "air under"), (r"subdiaphragmatic gas", "subdiaphragmatic air")]
    for a, b in reps:
        t = re.sub(a, b, t)
    return t


def render(rng: random.Random, style: str, parts: dict) -> str:
    """parts: indication, comparison, findings (list of lines/sentences), impression (list of items),
    findings_lines (bool: one statement a line), mode: None | 'findings_empty' | 'impression_empty' |
    'impression_sig_only' | 'impression_absent' | 'findings_absent'."""
    country, fh, ih, own_line, p_num = STYLES[style]
    spell = uk_spell if country == "uk" else us_spell
    mode = parts.get("mode")
    lines = []
    lines.append(rng.choice(UK_EXAMS if country == "uk" else US_EXAMS))
    ind_hdr = rng.choice(UK_IND_HDR if country == "uk" else US_IND_HDR)
    lines.append(f"{ind_hdr} {parts['indication']}")
    if parts.get("comparison"):
        lines.append(f"{'Comparison:' if country == 'uk' else 'COMPARISON:'} {parts['comparison']}")
    if style == "us_portable" and rng.random() < 0.6:
        lines.append("TECHNIQUE: Single portable AP view of the chest.")
    lines.append("")
    sig = signoff(rng, country)
    f_items = [spell(x) for x in parts["findings"]]
    i_items = [spell(x) for x in parts["impression"]]
    if parts.get("findings_lines"):
        f_body = "\n".join(f_items)
    else:
        f_body = " ".join(f_items)
    numbered = len(i_items) > 1 and rng.random() < p_num or parts.get("numbered", False)
    if numbered and len(i_items) > 1:
        i_body = "\n".join(f"{k}. {x}" for k, x in enumerate(i_items, 1))
        i_sep = "\n"
    else:
        i_body = " ".join(i_items)
        i_sep = "\n" if own_line else " "
    f_sep = "\n" if (own_line or parts.get("findings_lines")) else " "
    if mode != "findings_absent":
        if mode == "findings_empty":
            lines.append(fh)
        else:
            lines.append(f"{fh}{f_sep}{f_body}")
        lines.append("")
    if mode == "impression_empty":
        lines.append(ih)
        lines.append("")
        lines.append(sig)
    elif mode == "impression_sig_only":
        lines.append(ih)
        lines.append(sig)
    elif mode == "impression_absent":
        lines.append(sig)
    else:
        lines.append(f"{ih}{i_sep}{i_body}")
        if parts.get("recommendation"):
            lines.append(spell(parts["recommendation"]))
        lines.append("")
        lines.append(sig)
    return "\n".join(lines).strip() + "\n"


# ----------------------------------------------------------------------------------------------
# phrase bank (composed reports)
# ----------------------------------------------------------------------------------------------

FILLERS = {
    "heart": ["Heart size is normal.", "The heart is not enlarged.", "Cardiac size within normal limits.",
              "Normal cardiac size.", "The cardiothoracic ratio is normal."],
    "mediastinum": ["The mediastinum is not widened.", "Mediastinal contours are normal.",
                    "Normal mediastinal width.", "The superior mediastinum is of normal width.",
                    "Normal mediastinal and hilar contours."],
    "lungs": ["The lungs are clear.", "Lung fields are clear.", "Clear lungs.", "No focal consolidation.",
              "Both lungs are clear."],
    "pleura": ["No pleural effusion.", "The costophrenic angles are clear.", "No pleural fluid.",
               "No effusion."],
    "ptx": ["No pneumothorax.", "No pneumothorax is seen."],
    "bones": ["No acute bony injury.", "Bones unremarkable.", "The visualised skeleton is unremarkable.",
              "No destructive bony lesion."],
    "diaphragm": ["No free subdiaphragmatic gas.", "No free gas under the diaphragm."],
}
FILLER_ORDER = ["heart", "mediastinum", "lungs", "pleura", "ptx", "diaphragm", "bones"]
# structured sub-headers used by the portable template
SUBHDR = {"line": "Lines/tubes:", "heart": "Heart:", "mediastinum": "Mediastinum/aorta:", "lungs": "Lungs:",
          "pleura": "Pleura:", "ptx": "Pleura:", "bones": "Bones:", "diaphragm": "Upper abdomen:"}

# An item: f = findings sentence, i = impression phrase; side items carry {side}/{Side};
# sig = significant (its omission from the impression is an error); occ = fillers it replaces;
# neg = a statement that negates it (for negation conflicts, impression side); grp = subheader group.
ITEMS = [
    # --- minor / stable (not significant) ---
    dict(key="unfolded", f="The thoracic aorta is unfolded.", i="Unfolded thoracic aorta.", sig=False,
         occ=["mediastinum"], grp="mediastinum"),
    dict(key="calc_knuckle", f="There is calcification of the aortic knuckle.", i="Atheromatous aortic arch.",
         sig=False, occ=[], grp="mediastinum"),
    dict(key="unfolded_calc", f="The aorta is unfolded and calcified.", i="Unfolded, calcified aorta.",
         sig=False, occ=["mediastinum"], grp="mediastinum"),
    dict(key="tevar_stable", f="Thoracic aortic stent graft (TEVAR) in situ in the descending thoracic aorta, "
         "position unchanged from the previous film.", i="TEVAR stent graft in stable position.", sig=False, occ=[],
         grp="mediastinum"),
    dict(key="sternotomy", f="Median sternotomy wires are intact and a prosthetic aortic valve is noted.",
         i="Post sternotomy and aortic valve replacement.", sig=False, occ=[], grp="bones"),
    dict(key="evar", f="The upper end of the known infrarenal EVAR stent graft is partly imaged in the upper "
         "abdomen.", i="Known EVAR partly imaged.", sig=False, occ=[], grp="diaphragm"),
    dict(key="degenerative", f="Degenerative change in the thoracic spine.", i="Thoracic spondylosis.",
         sig=False, occ=["bones"], grp="bones"),
    dict(key="mild_cm", f="Mild cardiomegaly, unchanged.", i="Stable mild cardiomegaly.", sig=False,
         occ=["heart"], grp="heart", neg="Heart size is normal."),
    dict(key="borderline_cm", f="The heart size is at the upper limit of normal.", i="Borderline heart size.",
         sig=False, occ=["heart"], grp="heart"),
    dict(key="small_eff", f="Small {side} pleural effusion.", i="Small {side} pleural effusion.", sig=False,
         occ=["pleura"], side=True, grp="pleura", neg="No pleural effusion."),
    dict(key="blunt", f="Blunting of the {side} costophrenic angle, likely a small effusion.",
         i="Small {side} effusion.", sig=False, occ=["pleura"], side=True, grp="pleura"),
    dict(key="atel", f="Linear atelectasis at the {side} lung base; the lungs are otherwise clear.",
         i="{Side} basal atelectasis.", sig=False, occ=["lungs"], side=True, grp="lungs"),
    dict(key="old_ribs", f="Old healed fractures of the {side} posterior ribs.", i="Old {side} rib fractures.",
         sig=False, occ=["bones"], side=True, grp="bones"),
    dict(key="ij_line", f="{Side} internal jugular central venous catheter with its tip in the SVC.",
         i="{Side} IJ line tip in the SVC.", sig=False, occ=[], side=True, grp="line"),
    dict(key="ett", f="Endotracheal tube tip 4 cm above the carina.", i="ETT in satisfactory position.",
         sig=False, occ=[], grp="line"),
    dict(key="ngt", f="Nasogastric tube tip lies below the diaphragm in the stomach.", i="NG tube in the stomach.",
         sig=False, occ=[], grp="line"),
    dict(key="drain", f="{Side} intercostal chest drain in situ.", i="{Side} chest drain in situ.", sig=False,
         occ=[], side=True, grp="line"),
    dict(key="small_nod", f="4 mm calcified nodule in the {side} mid zone, in keeping with a granuloma.",
         i="Calcified granuloma {side} mid zone.", sig=False, occ=["lungs"], side=True, grp="lungs"),
    dict(key="copd", f="The lungs are hyperexpanded in keeping with COPD.", i="Hyperexpanded lungs (COPD).",
         sig=False, occ=["lungs"], grp="lungs"),
    dict(key="taa_stable", f="The known descending thoracic aortic aneurysm is again seen, with appearances "
         "unchanged compared with the previous film.", i="Known descending thoracic aortic aneurysm, unchanged.",
         sig=False, occ=["mediastinum"], grp="mediastinum"),
    dict(key="raised_hd", f="The {side} hemidiaphragm is elevated, as before.", i="Stable elevation of the {side} "
         "hemidiaphragm.", sig=False, occ=[], side=True, grp="diaphragm"),
    # --- significant ---
    dict(key="mod_eff", f="Moderate {side} pleural effusion, increased since the previous film.",
         i="Moderate {side} pleural effusion, increased.", sig=True, occ=["pleura"], side=True, grp="pleura",
         neg="No pleural effusion."),
    dict(key="large_eff", f="Large {side} pleural effusion with adjacent basal collapse.",
         i="Large {side} pleural effusion; haemothorax is a consideration in this post-operative patient.",
         sig=True, occ=["pleura", "lungs"], side=True, grp="pleura", neg="No pleural effusion."),
    dict(key="consol", f="Airspace opacification in the {side} lower zone with air bronchograms.",
         i="{Side} lower zone consolidation, in keeping with infection.", sig=True, occ=["lungs"], side=True,
         grp="lungs", neg="Lungs are clear."),
    dict(key="pneumonia", f="New patchy consolidation in the {side} mid and lower zones.",
         i="{Side}-sided pneumonia.", sig=True, occ=["lungs"], side=True, grp="lungs", neg="No consolidation."),
    dict(key="ptx", f="{Side} apical pneumothorax measuring 1.5 cm from the apex.",
         i="{Side} apical pneumothorax.", sig=True, occ=["ptx"], side=True, grp="pleura", neg="No pneumothorax."),
    dict(key="ptx_drain", f="Following drain removal there is a small {side} apical pneumothorax.",
         i="Small {side} pneumothorax after drain removal.", sig=True, occ=["ptx"], side=True, grp="pleura",
         neg="No pneumothorax."),
    dict(key="oedema", f="Upper lobe venous diversion with interstitial oedema and septal lines.",
         i="Pulmonary oedema.", sig=True, occ=["lungs"], grp="lungs", neg="No pulmonary oedema."),
    dict(key="congestion", f="Pulmonary venous congestion with small bilateral effusions, new since the "
         "pre-operative film.", i="Pulmonary venous congestion, new; fluid overload likely.", sig=True,
         occ=["lungs", "pleura"], grp="lungs", neg="No pulmonary venous congestion."),
    dict(key="widened", f="The superior mediastinum is widened, measuring 9 cm at the level of the aortic arch, "
         "with loss of clarity of the aortic knuckle.",
         i="Widened mediastinum; aortic injury cannot be excluded. CT aortogram recommended.", sig=True,
         occ=["mediastinum"], grp="mediastinum", neg="Normal mediastinal width."),
    dict(key="widened_postop", f="The mediastinum is wider than on the pre-operative film.",
         i="Increased mediastinal width since surgery; ?haematoma. Clinical correlation and CT if concern.",
         sig=True, occ=["mediastinum"], grp="mediastinum", neg="Mediastinum not widened."),
    dict(key="aneurysm_inc", f="The descending thoracic aortic contour is more prominent than on the previous "
         "film, now measuring approximately 6.5 cm.",
         i="Increasing descending thoracic aortic aneurysm; CT angiography advised.", sig=True,
         occ=["mediastinum"], grp="mediastinum"),
    dict(key="nodule", f="A 14 mm nodule projects over the {side} upper zone.",
         i="14 mm {side} upper zone nodule; CT chest recommended.", sig=True, occ=["lungs"], side=True, grp="lungs",
         neg="No lung nodule."),
    dict(key="mass", f="A 3 cm rounded mass at the {side} hilum.", i="{Side} hilar mass; CT advised.",
         sig=True, occ=["lungs", "mediastinum"], side=True, grp="lungs", neg="No hilar mass."),
    dict(key="free_gas", f="Free gas under the {side} hemidiaphragm.",
         i="Free subphrenic gas under the {side} hemidiaphragm, in keeping with pneumoperitoneum.",
         sig=True, occ=["diaphragm"], side=True, grp="diaphragm", neg="No free subdiaphragmatic gas."),
    dict(key="graft_migr", f="Compared with the previous film the proximal end of the TEVAR stent graft now lies "
         "more distally, suggesting migration.", i="Apparent distal migration of the TEVAR stent graft, new; "
         "CT angiography recommended.", sig=True, occ=[], grp="mediastinum"),
]
ITEM_BY_KEY = {it["key"]: it for it in ITEMS}
MINOR_KEYS = [it["key"] for it in ITEMS if not it["sig"]]
SIG_KEYS = [it["key"] for it in ITEMS if it["sig"]]
SIDE_KEYS = [it["key"] for it in ITEMS if it.get("side")]

NORMAL_IMPS_US = ["No acute cardiopulmonary abnormality.", "No acute cardiopulmonary process.",
                  "No acute intrathoracic abnormality.", "Negative for acute cardiopulmonary disease."]
NORMAL_IMPS_UK = ["No acute abnormality.", "No active disease.", "NAD.", "No acute cardiopulmonary abnormality.",
                  "No acute intrathoracic pathology."]
FULLY_NORMAL_IMPS_US = ["Normal chest.", "Normal chest radiograph.", "No acute cardiopulmonary abnormality."]
FULLY_NORMAL_IMPS_UK = ["Normal chest radiograph.", "Normal appearances.", "Satisfactory pre-operative chest "
                        "radiograph; no active disease.", "NAD."]

# what the impression asserts for a negation conflict, keyed by the filler the findings hold
ASSERT_FOR_FILLER = {
    "heart": ["Cardiomegaly.", "Enlarged heart."],
    "mediastinum": ["Widened mediastinum.", "Mediastinal widening; CT aortogram advised."],
    "lungs": ["{Side} basal consolidation.", "{Side} lower zone pneumonia."],
    "pleura": ["Moderate {side} pleural effusion.", "{Side} pleural effusion."],
    "ptx": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "diaphragm": ["Free subdiaphragmatic gas."],
}


def fill_side(t: str, side: str) -> str:
    return t.replace("{side}", side).replace("{Side}", side.capitalize())


def other_side(s: str) -> str:
    return "right" if s == "left" else "left"


def compose(rng: random.Random, kind: str | None, idx: int) -> tuple[dict, str, str]:
    """Return (parts, style, detail)."""
    style = rng.choice(STYLE_KEYS)
    country = STYLES[style][0]
    # choose items
    variant = None
    n_minor = rng.choice([0, 0, 1, 1, 2])
    n_sig = rng.choice([0, 0, 0, 1, 1, 1, 2]) if kind is None else rng.choice([0, 1, 1, 1, 2])
    if kind == "impression_omits_finding":
        n_sig = max(1, n_sig)
        variant = "normal" if idx % 2 == 0 else "others"
        if variant == "others":
            n_minor = max(1, n_minor)
    if kind == "laterality_conflict":
        pass
    keys: list[str] = []
    occ_used: set = set()
    side_of: dict = {}

    def add(pool):
        cands = [k for k in pool if k not in keys and not (set(ITEM_BY_KEY[k]["occ"]) & occ_used)
                 and ITEM_BY_KEY[k]["grp"] not in [ITEM_BY_KEY[x]["grp"] for x in keys if x in SIG_KEYS]]
        if not cands:
            return None
        k = rng.choice(cands)
        keys.append(k)
        occ_used.update(ITEM_BY_KEY[k]["occ"])
        side_of[k] = rng.choice(["left", "right"])
        return k

    for _ in range(n_sig):
        add(SIG_KEYS)
    for _ in range(n_minor):
        add(MINOR_KEYS)
    if kind == "laterality_conflict" and not any(k in SIDE_KEYS for k in keys):
        add([k for k in SIDE_KEYS])
    if kind == "negation_conflict":
        pass
    # sides: no two items with the same group on different sides needed; keep one side per report group
    fillers = [f for f in FILLER_ORDER if f not in occ_used]
    # a post-op/ITU film carries lines more often
    if rng.random() < 0.35 and kind != "impression_omits_finding":
        add([k for k in ("ett", "ngt", "ij_line", "drain") if k not in keys])
    fill_text = {f: rng.choice(FILLERS[f]) for f in fillers}
    if "pleura" in fill_text and "ptx" in fill_text and rng.random() < 0.4:
        fill_text["pleura"] = "No pleural effusion or pneumothorax."
        del fill_text["ptx"]
    if rng.random() < 0.5:
        fill_text.pop("diaphragm", None)
    if rng.random() < 0.3:
        fill_text.pop("bones", None)

    sig_keys = [k for k in keys if k in SIG_KEYS]
    minor_keys = [k for k in keys if k not in SIG_KEYS]
    structured = style == "us_portable" and rng.random() < 0.6

    def f_lines(override=None):
        override = override or {}
        out = []
        item_lines = [(ITEM_BY_KEY[k]["grp"], override.get(k, fill_side(ITEM_BY_KEY[k]["f"], side_of[k])))
                      for k in keys]
        fil_lines = [(f, fill_text[f]) for f in FILLER_ORDER if f in fill_text]
        if structured:
            groups = ["line", "heart", "mediastinum", "lungs", "pleura", "diaphragm", "bones"]
            for g in groups:
                texts = [t for gg, t in item_lines if gg == g] + [t for gg, t in fil_lines
                                                                  if (gg if gg != "ptx" else "pleura") == g]
                if texts:
                    out.append(f"{SUBHDR[g]} {' '.join(texts)}")
            return out
        lines_first = [t for g, t in item_lines if g == "line"]
        rest_items = [t for g, t in item_lines if g != "line"]
        fil = [t for _, t in fil_lines]
        if rng.random() < 0.5:
            body = lines_first + rest_items + fil
        else:
            body = lines_first + fil[:2] + rest_items + fil[2:]
        return body

    def imp_items(include=None):
        include = keys if include is None else include
        order = [k for k in include if k in SIG_KEYS] + [k for k in include if k not in SIG_KEYS]
        items = [fill_side(ITEM_BY_KEY[k]["i"], side_of[k]) for k in order]
        if not [k for k in include if k in SIG_KEYS]:
            if not include:
                items = [rng.choice(FULLY_NORMAL_IMPS_UK if country == "uk" else FULLY_NORMAL_IMPS_US)]
            elif rng.random() < 0.6:
                items = [rng.choice(NORMAL_IMPS_UK if country == "uk" else NORMAL_IMPS_US)] + items
        return items

    ind = rng.choice(UK_INDICATIONS if country == "uk" else US_INDICATIONS)
    comp = rng.choice(UK_COMPARISONS if country == "uk" else US_COMPARISONS)
    parts = {"indication": ind, "comparison": comp, "findings_lines": structured or rng.random() < 0.25}
    detail = "composed"
    findings = f_lines()
    impression = imp_items()
    if sig_keys and rng.random() < 0.3 and kind is None:
        parts["recommendation"] = rng.choice(["Discussed with the vascular team.", "Findings communicated to the "
                                              "referring team at XXXX."])

    if kind is None:
        if not keys and rng.random() < 0.12:
            # impression-only report that itself describes the findings (not an error)
            parts["mode"] = "findings_absent"
            impression = [fill_text.get("heart", "Heart size is normal."), "Lungs clear.",
                          "No pleural effusion or pneumothorax.", "Mediastinum not widened."]
            detail = "composed clean: impression-only report describing the findings"
        else:
            detail = "composed clean: " + (", ".join(keys) if keys else "normal")
    elif kind == "missing_section":
        modes = ["impression_empty", "impression_sig_only", "impression_absent"]
        if len(impression) <= 2:
            modes.append("findings_empty")
        mode = rng.choice(modes)
        parts["mode"] = mode
        detail = {"findings_empty": "composed: FINDINGS header kept with nothing under it",
                  "impression_empty": "composed: IMPRESSION header kept, left empty",
                  "impression_sig_only": "composed: IMPRESSION header with only the sign-off under it",
                  "impression_absent": "composed: IMPRESSION section removed"}[mode]
    elif kind == "laterality_conflict":
        cands = [k for k in keys if k in SIDE_KEYS]
        k = rng.choice(cands)
        s = side_of[k]
        flipped = fill_side(ITEM_BY_KEY[k]["f"], other_side(s))
        if rng.random() < 0.5:
            findings = f_lines({k: flipped})
            detail = f"composed: findings sentence for {k} flipped {s}->{other_side(s)}; impression says {s}"
        else:
            side_of_orig = side_of[k]
            side_of[k] = other_side(s)
            impression = imp_items()
            side_of[k] = side_of_orig
            detail = f"composed: impression item for {k} flipped {s}->{other_side(s)}; findings say {s}"
    elif kind == "negation_conflict":
        opts = []
        for f in ("heart", "mediastinum", "lungs", "pleura", "ptx", "diaphragm"):
            if f in fill_text:
                opts.append(("filler", f))
        if "pleura" not in fill_text and "ptx" not in fill_text and "pleura" not in occ_used and "ptx" not in \
                occ_used:
            pass
        for k in keys:
            if ITEM_BY_KEY[k].get("neg") and ITEM_BY_KEY[k]["sig"]:
                opts.append(("item", k))
        how, what = rng.choice(opts)
        if how == "filler":
            # when the pleura filler was merged with the pneumothorax one the impression may assert either
            s = rng.choice(["left", "right"])
            asserted = fill_side(rng.choice(ASSERT_FOR_FILLER[what]), s)
            impression = [asserted] + [fill_side(ITEM_BY_KEY[k]["i"], side_of[k]) for k in keys]
            detail = f"composed: impression asserts '{asserted}' though findings state '{fill_text[what]}'"
        else:
            neg = ITEM_BY_KEY[what]["neg"]
            rest = [k for k in keys if k != what]
            impression = [neg] + [fill_side(ITEM_BY_KEY[k]["i"], side_of[k]) for k in rest]
            detail = (f"composed: impression says '{neg}' though findings affirm "
                      f"'{fill_side(ITEM_BY_KEY[what]['f'], side_of[what])}'")
    elif kind == "impression_omits_finding":
        om = sig_keys
        if variant == "normal":
            impression = [rng.choice(NORMAL_IMPS_UK if country == "uk" else NORMAL_IMPS_US)]
            detail = f"composed: impression replaced by a normal statement, omitting {', '.join(om)}"
        else:
            if not minor_keys:
                add([k for k in MINOR_KEYS if not ITEM_BY_KEY[k]["occ"]])
                minor_keys = [k for k in keys if k not in SIG_KEYS]
                findings = f_lines()
            impression = [fill_side(ITEM_BY_KEY[k]["i"], side_of[k]) for k in minor_keys]
            detail = f"composed: impression lists only {', '.join(minor_keys)}, omitting {', '.join(om)}"
    elif kind == "placeholder":
        findings, impression, detail = put_placeholder(rng, findings, impression, "composed")
    parts["findings"] = findings
    parts["impression"] = impression
    return parts, style, detail


# ----------------------------------------------------------------------------------------------
# placeholders
# ----------------------------------------------------------------------------------------------

PH_GENERIC = ["[***]", "***", "[ ]", "___", "<<finding>>", "[normal/abnormal]", "{{FINDING}}", "[insert]"]
PH_SIDE = ["[side]", "<<side>>", "[LEFT/RIGHT]", "___", "[***]"]
PH_NUM = ["XX", "[***]", "<<size>>", "__", "[size]"]
PH_TARGETS = re.compile(r"\b(\d+(?:\.\d+)?(?= ?(?:cm|mm)\b)|left|right|Left|Right|normal|clear|unremarkable|"
                        r"satisfactory|unchanged|stable|small|moderate|large|mild|intact|effusion|pneumothorax|consolidation|"
                        r"SVC|carina|aorta|mediastinum)\b", re.I)


def put_placeholder(rng: random.Random, findings: list[str], impression: list[str], origin: str):
    targets = []
    for sec, lst in (("findings", findings), ("impression", impression)):
        for li, line in enumerate(lst):
            hdr = re.match(r"^[A-Za-z/ ]+:\s", line)
            for m in PH_TARGETS.finditer(line):
                # keep the sub-headers of the structured template intact
                if hdr and m.start() < hdr.end():
                    continue
                targets.append((sec, li, m.start(), m.end(), m.group(0)))
    if not targets:
        for sec, lst in (("findings", findings), ("impression", impression)):
            for li, line in enumerate(lst):
                for m in re.finditer(r"\b(?!XXXX)[A-Za-z]{5,}\b", line):
                    targets.append((sec, li, m.start(), m.end(), m.group(0)))
    sec, li, a, b, word = rng.choice(targets)
    if re.fullmatch(r"[\d.]+", word):
        ph = rng.choice(PH_NUM)
    elif word.lower() in ("left", "right"):
        ph = rng.choice(PH_SIDE)
    else:
        ph = rng.choice(PH_GENERIC)
    lst = list(findings if sec == "findings" else impression)
    lst[li] = lst[li][:a] + ph + lst[li][b:]
    detail = f"{origin}: '{word}' in the {sec} replaced by the unfilled field '{ph}'"
    if sec == "findings":
        return lst, impression, detail
    return findings, lst, detail


# ----------------------------------------------------------------------------------------------
# IU-based cases
# ----------------------------------------------------------------------------------------------

REWORD = [
    (r"No acute cardiopulmonary disease", "No acute cardiopulmonary process"),
    (r"No acute cardiopulmonary abnormality", "No acute cardiopulmonary process"),
    (r"cardiomediastinal silhouette", "cardiomediastinal contour"),
    (r"Cardiomediastinal silhouette", "Cardiomediastinal contour"),
    (r"^There is no ", "No "),
    (r"^There are no ", "No "),
    (r"The lungs are clear", "Lungs are clear"),
    (r"The heart is normal in size", "Heart size is normal"),
    (r"Heart size normal", "Normal heart size"),
    (r"pleural effusion", "pleural effusion"),
    (r"osseous structures", "bony structures"),
    (r"Osseous structures", "Bony structures"),
    (r"airspace disease", "air space disease"),
    (r"No pneumothorax or pleural effusion", "No pleural effusion or pneumothorax"),
]


def reword(rng: random.Random, sents: list[str]) -> tuple[list[str], bool]:
    out, changed = [], False
    for s in sents:
        t = s
        for a, b in REWORD:
            if re.search(a, t) and rng.random() < 0.5:
                t2 = re.sub(a, b, t)
                if t2 != t:
                    t = t2[0].upper() + t2[1:]
                    changed = True
        out.append(t)
    return out, changed


def side_words(text: str) -> set:
    return {m.lower() for m in SIDE.findall(text)}


def classify_iu(r: dict) -> dict:
    fs = sentences(r["findings"])
    ims = sentences(r["impression"])
    info = {"fs": fs, "ims": ims}
    info["normal_imp"] = is_normal_impression(r["impression"])
    info["normal_f"] = is_normal_findings(fs)
    info["minor_f"] = (bool(fs) and not info["normal_f"] and
                       all((not any_affirmed([s], ABNORMAL_ANY)) or (MINOR.search(s) and not HEDGE.search(s) and
                                                                     not any(affirmed(s, GROUPS[g]) for g in GROUPS)
                                                                     and not re.search(r"nodul|mass|opacit|enlarg|"
                                                                                       r"cardiomeg|widen|aneurysm|"
                                                                                       r"dilat|lesion|densit|xxxx",
                                                                                       s, re.I))
                           for s in fs))
    info["sig_f"] = sorted({g for g in SIGNIFICANT for s in fs if strong_affirmed(s, g)})
    sides = side_words(r["findings"] + " " + r["impression"])
    info["sides"] = sides
    return info


def concordant(r: dict, info: dict) -> bool:
    """Abnormal IU report whose impression carries every significant finding of the findings, on one side."""
    fs, ims = info["fs"], info["ims"]
    if not fs or not ims or info["normal_imp"]:
        return False
    imp = r["impression"]
    sig_any = [g for g in SIGNIFICANT if any_affirmed(fs, GROUPS[g])]
    if not sig_any:
        return False
    for g in sig_any:
        if not any_affirmed(ims, GROUPS[g]) or any(negated(s, GROUPS[g]) for s in ims):
            return False
    for g in GROUPS:
        if any_affirmed(ims, GROUPS[g]) and any(negated(s, GROUPS[g]) and not affirmed(s, GROUPS[g]) for s in fs):
            return False
        if any(negated(s, GROUPS[g]) and not affirmed(s, GROUPS[g]) for s in ims) and any_affirmed(fs, GROUPS[g]):
            return False
    if len(info["sides"]) > 1 or re.search(r"bilateral|both|bibasilar", r["findings"] + imp, re.I):
        return False
    if re.search(r"cardiomegaly|enlarg", r["findings"], re.I) and not re.search(r"cardiomegaly|enlarg|heart",
                                                                                 imp, re.I):
        return False
    if re.search(r"normal|clear\b|unremarkable", imp, re.I):
        return False
    return True


def laterality_target(r: dict, info: dict):
    """A side stated in both sections about the same kind of finding; only one side in the whole report."""
    if len(info["sides"]) != 1 or re.search(r"bilateral|both|bibasilar", r["findings"] + r["impression"], re.I):
        return None
    side = next(iter(info["sides"]))
    for g, pat in sorted(LAT_GROUPS.items()):
        f_hits = [i for i, s in enumerate(info["fs"]) if SIDE.search(s) and re.search(pat, s, re.I)]
        i_hits = [i for i, s in enumerate(info["ims"]) if SIDE.search(s) and re.search(pat, s, re.I)]
        if f_hits and i_hits:
            return side, g, f_hits, i_hits
    return None


def flip_sides(s: str) -> str:
    def sub(m):
        w = m.group(0)
        o = {"left": "right", "right": "left"}[w.lower()]
        return o.upper() if w.isupper() else (o.capitalize() if w[0].isupper() else o)
    return SIDE.sub(sub, s)


def iu_indication(rng: random.Random, r: dict, country: str) -> tuple[str, bool]:
    ind = r["indication"].strip()
    if not ind or rng.random() < 0.5:
        pool = UK_INDICATIONS if country == "uk" else US_INDICATIONS
        pool = [p for p in pool if not re.search(r"\b(L|R|left|right)\b", p)]
        return rng.choice(pool), True
    return ind, False


def iu_case(rng: random.Random, r: dict, info: dict, kind: str | None, idx: int) -> tuple[str, str]:
    style = rng.choice(STYLE_KEYS)
    country = STYLES[style][0]
    ind, ind_changed = iu_indication(rng, r, country)
    fs, f_changed = reword(rng, info["fs"])
    ims, i_changed = reword(rng, info["ims"])
    changes = [f"re-laid out in the {style} template ({STYLES[style][1]} / {STYLES[style][2]})"]
    if country == "uk":
        changes.append("UK spelling")
    if f_changed or i_changed:
        changes.append("light re-wording")
    if ind_changed:
        changes.append("indication replaced by the unit's")
    comp = r["comparison"] or ""
    parts = {"indication": ind, "comparison": comp, "findings_lines": rng.random() < 0.15}
    label = ""
    if kind is None:
        if not fs:
            parts["mode"] = "findings_absent"
            label = "unmodified content (impression-only report that describes the findings)"
        else:
            label = "unmodified content"
    elif kind == "missing_section":
        short = len(" ".join(ims).split()) <= 12 and info["normal_imp"]
        modes = ["impression_empty", "impression_sig_only", "impression_absent"] + (["findings_empty"] * 2 if short
                                                                                      else [])
        mode = rng.choice(modes)
        parts["mode"] = mode
        label = {"findings_empty": "FINDINGS emptied (header kept)", "impression_empty": "IMPRESSION emptied (header "
                 "kept)", "impression_sig_only": "IMPRESSION emptied, only the sign-off under its header",
                 "impression_absent": "IMPRESSION section removed"}[mode]
    elif kind == "laterality_conflict":
        side, g, f_hits, i_hits = laterality_target(r, info)
        if rng.random() < 0.5:
            k = rng.choice(f_hits)
            fs[k] = flip_sides(fs[k])
            label = (f"findings sentence about {g} flipped {side}->{other_side(side)} ('{fs[k]}'); "
                     f"impression keeps {side}")
        else:
            k = rng.choice(i_hits)
            ims[k] = flip_sides(ims[k])
            label = (f"impression sentence about {g} flipped {side}->{other_side(side)} ('{ims[k]}'); "
                     f"findings keep {side}")
    elif kind == "negation_conflict":
        how = info["neg_plan"]
        s = rng.choice(["left", "right"])
        if how[0] == "assert":
            asserted = fill_side(rng.choice(ASSERT_FOR_FILLER[how[1]]), s)
            ims = [asserted] + (["Otherwise no acute cardiopulmonary abnormality."] if rng.random() < 0.4 else [])
            label = f"impression replaced by '{asserted}' though findings state '{how[2]}'"
        else:
            g, sent = how[1], how[2]
            neg = rng.choice({"effusion": ["No pleural effusion.", "No effusion.", "No pleural fluid."],
                              "pneumothorax": ["No pneumothorax.", "No pneumothorax seen."],
                              "consolidation": ["Lungs are clear.", "No consolidation.", "Clear lungs.",
                                                "No focal airspace disease."],
                              "oedema": ["No pulmonary oedema.", "No evidence of heart failure."],
                              "mass": ["No mass.", "No mass lesion."],
                              "widened": ["Mediastinum not widened."]}[g])
            ims = [x for x in ims if not re.search(GROUPS[g] + r"|opacit|atelecta|densit|airspace|air space",
                                                   x, re.I)]
            ims = [neg] + ims
            label = f"impression now says '{neg}' though findings affirm '{sent}'"
    elif kind == "impression_omits_finding":
        om = info["om"]
        if idx % 2 == 0 or not info.get("others"):
            ims = [rng.choice(NORMAL_IMPS_UK if country == "uk" else NORMAL_IMPS_US)]
            label = f"impression replaced by a normal statement, omitting {', '.join(om)}"
        else:
            ims = info["others"]
            label = f"impression keeps only other findings, omitting {', '.join(om)}"
    elif kind == "placeholder":
        fs, ims, d = put_placeholder(rng, fs, ims, "x")
        label = d.split(": ", 1)[1]
    parts["findings"] = fs
    parts["impression"] = ims
    text = render(rng, style, parts)
    return text, f"IU {r['uid']}: {label}; " + ", ".join(changes)


def iu_pools(rng: random.Random) -> dict:
    rows, _ = _load_iu(str(shared_dir()))
    rows = list(rows)
    rng.shuffle(rows)
    pools: dict = {k: [] for k in ["clean_normal", "clean_minor", "clean_conc", "clean_imp_only", "any",
                                   "laterality_conflict", "neg_assert", "neg_deny", "omit"]}
    for r in rows:
        if re.search(r"\*\*\*|\[|\]|<<|>>|__|\{|[A-Za-z]{4,}:|Primordial|notif|critical result",
                     r["findings"] + " " + r["impression"], re.I):
            continue
        info = classify_iu(r)
        r = dict(r, _info=info)
        fs, ims = info["fs"], info["ims"]
        if not ims:
            continue
        if not fs:
            if (len(ims) >= 3 and all(not any_affirmed([s], ABNORMAL_ANY) for s in ims) and
                    re.search(r"heart|cardi", r["impression"], re.I) and re.search(r"lung", r["impression"], re.I)):
                pools["clean_imp_only"].append(r)
            continue
        if info["normal_imp"] and info["normal_f"]:
            pools["clean_normal"].append(r)
            # negation by assertion: the findings negate or normalise something, the impression will assert it
            plans = []
            for s in fs:
                if re.search(r"pneumothora", s, re.I) and negated(s, "pneumothora"):
                    plans.append(("assert", "ptx", s))
                if re.search(r"effusion|pleural fluid", s, re.I) and negated(s, "effusion|pleural fluid") and not \
                        re.search(r"large", s, re.I):
                    plans.append(("assert", "pleura", s))
                if re.search(r"lungs are clear|lungs are free|lungs clear|no focal (airspace|consolidation)", s, re.I):
                    plans.append(("assert", "lungs", s))
                if re.search(r"heart (size )?(is )?(normal|within normal)|normal heart size|heart is normal in size",
                             s, re.I):
                    plans.append(("assert", "heart", s))
            if plans:
                r["_info"]["neg_plan"] = plans[rng.randrange(len(plans))]
                pools["neg_assert"].append(r)
        elif info["normal_imp"] and info["minor_f"]:
            pools["clean_minor"].append(r)
        elif concordant(r, info):
            pools["clean_conc"].append(r)
        if laterality_target(r, info):
            pools["laterality_conflict"].append(r)
        om = [g for g in info["sig_f"] if any_affirmed(ims, GROUPS[g]) and not any(negated(x, GROUPS[g]) for x in fs)]
        if om and not info["normal_imp"]:
            r["_info"]["om"] = om
            g = om[0]
            sent = next(s for s in fs if strong_affirmed(s, g))
            r["_info"]["deny"] = (g, sent)
            # others: impression sentences that say nothing about any omitted finding
            om_pat = "|".join(GROUPS[x] for x in info["sig_f"])
            others = [s for s in ims if not re.search(om_pat, s, re.I) and not NORMAL_IMP.search(s)
                      and not re.search(r"otherwise|no other|recommend|follow|correlat|clear|normal|xxxx|shift|"
                                        r"increas|decreas|interval|new|suggest", s, re.I)
                      and len(s.split()) >= 2 and not re.match(r"(this|these|it|they)\b", s, re.I)
                      and not re.search(r"opacit|atelecta|densit|airspace|air space|effusion|pleural|fluid|"
                                        r"pneumothora|collapse|edema|widen|mass", s, re.I)]
            if not others:
                others = [s for s in fs if re.search(r"granulom|degenerat|spondyl|tortu|calcif|scolio|kyphos|"
                                                     r"osteopen|sternotom|\bclips?\b|cardiomegaly|heart is enlarged|"
                                                     r"pacemaker|emphysema|hyperinflat|hyperexpan|hernia|fractur|"
                                                     r"COPD", s, re.I)
                          and not NEG_CUE.search(s) and not HEDGE.search(s) and not re.search(om_pat, s, re.I)
                          and not re.search(r"xxxx|opacit|atelecta|densit|airspace|air space|pleural|fluid|collapse|"
                                            r"edema|widen|mass|normal|clear|unremarkable", s, re.I)][:2]
            r["_info"]["others"] = others
            pools["omit"].append(r)
            pools["neg_deny"].append(r)
        if len(fs) >= 2:
            pools["any"].append(r)
    return pools


def build_iu(rng: random.Random) -> dict:
    """IU-based cases: {kind or None: list of (text, detail)}; each IU report used at most once."""
    pools = iu_pools(rng)
    used: set = set()
    out: dict = {}

    def take(pool, n, pred=lambda r: True):
        got = []
        for r in pools[pool]:
            if len(got) == n:
                break
            if r["uid"] in used or not pred(r):
                continue
            used.add(r["uid"])
            got.append(r)
        if len(got) < n:
            raise RuntimeError(f"IU pool {pool} too small ({len(got)} < {n})")
        return got

    half = N_PER_KIND // 2
    # kinds first (their pools are smaller)
    omit_o = take("omit", half - half // 2, lambda r: bool(r["_info"]["others"]))
    omit_n = take("omit", half // 2)
    lat = take("laterality_conflict", half)
    omit = [x for pair in zip(omit_n, omit_o, strict=True) for x in pair]
    neg_a = take("neg_assert", half - 6)
    neg_d = take("neg_deny", 6)
    for r in neg_d:
        g, sent = r["_info"]["deny"]
        r["_info"]["neg_plan"] = ("deny", g, sent)
    neg = neg_a + neg_d
    imp_only = take("clean_imp_only", 4)
    conc = take("clean_conc", 16)
    minor = take("clean_minor", 30)
    normal = take("clean_normal", N_CLEAN // 2 - 50)
    clean = imp_only + conc + minor + normal
    miss = take("any", half)
    ph = take("any", half, lambda r: any(PH_TARGETS.search(s) for s in r["_info"]["fs"] + r["_info"]["ims"]))
    for kind, lst in [(None, clean), ("missing_section", miss), ("laterality_conflict", lat),
                      ("negation_conflict", neg), ("impression_omits_finding", omit), ("placeholder", ph)]:
        out[kind] = [iu_case(rng, r, r["_info"], kind, i) for i, r in enumerate(lst)]
    return out


# ----------------------------------------------------------------------------------------------

def build(seed: int) -> list[dict]:
    rng = random.Random(f"h159-{seed}")
    iu = build_iu(random.Random(f"h159-iu-{seed}"))
    cases = []
    groups = [(None, N_CLEAN)] + [(k, N_PER_KIND) for k in KINDS]
    for kind, n in groups:
        for i in range(n // 2):
            parts, style, detail = compose(rng, kind, i)
            cases.append({"injected": kind, "detail": detail, "report": render(rng, style, parts)})
        for text, detail in iu[kind]:
            cases.append({"injected": kind, "detail": detail, "report": text})
    rng.shuffle(cases)
    return [{"id": f"h159-{seed}-{k}", **c} for k, c in enumerate(cases)]


def main(argv=None) -> None:
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
        for kind in [None] + KINDS:
            shown = [r for r in rows if r["injected"] == kind][: a.show]
            # show one composed and one IU-based where possible
            comp = [r for r in rows if r["injected"] == kind and not r["detail"].startswith("IU ")]
            iu = [r for r in rows if r["injected"] == kind and r["detail"].startswith("IU ")]
            shown = [x for pair in zip(comp, iu, strict=False) for x in pair][: a.show]
            for r in shown:
                print(f"===== {r['id']} [{r['injected']}] {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
