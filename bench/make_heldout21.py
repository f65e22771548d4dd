"""Blind held-out generator no. 21 for the offline chest X-ray report checker.

Written blind: without reading the checker, its tests, docs or any other generator; only the
scorer's format, the eval README, the IU Open-i archive and the dev-set uids were consulted.

Styles (theme 21): reports with more than the two usual sections and that look outside the film:
LINES AND TUBES / SUPPORT DEVICES, INCIDENTAL or ADDITIONAL FINDINGS, RECOMMENDATION(S), FOLLOW-UP,
CRITICAL RESULT, COMMUNICATION, LIMITATIONS, QUALITY and DIFFERENTIAL DIAGNOSIS sections placed before,
between or after FINDINGS and IMPRESSION; correlation with CT, ultrasound and outside films; Fleischner
style and short-interval follow-up advice; incidental extrathoracic findings (upper abdomen, neck,
shoulders, breast implants). MIMIC-style ``___`` masks stand only where a date, name or time would.

usage: python -m bench.make_heldout21 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN, N_KIND = 200, 40
SIDES = {"left": "right", "right": "left"}


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    d = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    if not (d / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file():
        sys.exit(f"shared data not found at {d}: set MEDRAG_SHARED_DIR to the shared folder")
    return d


def dev_uids(d: Path) -> set[str]:
    p = d / "eval" / "report_errors_dev.jsonl"
    if not p.is_file():
        return set()
    return {json.loads(line)["uid"] for line in p.open() if line.strip()}


def load_iu(d: Path) -> list[dict]:
    excl = dev_uids(d)
    out = []
    with tarfile.open(d / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        for m in sorted(t.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(t.extractfile(m)).getroot()
            u = root.find("uId")
            uid = u.get("id") if u is not None else None
            if not uid or uid in excl:
                continue
            sec = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            if sec.get("FINDINGS") and sec.get("IMPRESSION"):
                out.append({"uid": uid, **{k.lower(): v for k, v in sec.items() if k}})
    return out


def sents(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]


NEG = re.compile(r"\b(no|not|without|negative|resolved|free of|clear|removed|interval resolution)\b", re.I)
NORMAL_RX = re.compile(r"^(no acute|normal|negative|no active|clear|no evidence)", re.I)
ABN = re.compile(
    r"(effusion|pneumothorax|consolidat|airspace|infiltrat|pneumonia|edema|congest|nodul|mass|"
    r"atelecta|collapse|cardiomegaly|enlarg|opacit|fractur|granulom|degenerat|scoliosis|hyperinfl|"
    r"emphysema|calcif|scar|tortuous|ectatic|prominent|elevat|blunt|interstitial|surgical|sternotomy)",
    re.I,
)

GROUPS = {  # significant finding -> every wording that would count as naming it
    "pneumothorax": ["pneumothora", "pneumothorace"],
    "consolidation": ["consolidat", "airspace", "air space", "infiltrat", "pneumonia", "opacit", "infection"],
    "edema": ["edema", "oedema", "congest", "vascular", "heart failure", "chf", "interstitial"],
    "effusion": ["effusion", "fluid", "costophrenic", "blunting"],
    "nodule": ["nodul", "mass", "lesion", "density", "neoplas"],
    "collapse": ["collapse", "atelecta", "volume loss"],
}


def names_group(text: str, group: str) -> bool:
    t = text.lower()
    return any(w in t for w in GROUPS[group])


# ---------------------------------------------------------------- phrase bank
HIST = [
    "Shortness of breath.",
    "Cough and fever for 3 days.",
    "Preoperative assessment.",
    "Fall, chest wall pain.",
    "Follow-up of pulmonary nodule.",
    "Hypoxia.",
    "Chest pain, rule out pneumothorax.",
    "Line placement.",
    "___-year-old with productive cough.",
    "Known lung cancer, restaging.",
    "Sepsis, source unclear.",
    "Abnormal liver function tests, abdominal pain.",
    "Post-intubation check.",
]
EXAMS = [
    "XR CHEST PA AND LATERAL",
    "CHEST, 2 VIEWS",
    "CHEST RADIOGRAPH, PORTABLE AP",
    "XR CHEST 1 VIEW (AP SEMI-ERECT)",
]
COMPARE = [
    "CT chest of ___.",
    "Chest radiograph of ___ and CT chest of ___.",
    "Outside films from ___ (submitted on disc).",
    "None available. Abdominal ultrasound of ___ reviewed.",
    "Prior study of ___.",
    "CT abdomen and pelvis of ___ (lung bases included).",
    "PET-CT of ___; see separate CT report.",
]
TECH = ["Single portable AP view.", "PA and lateral views.", "Frontal and lateral views of the chest."]
LIMITS = [
    "Rotated patient; the left heart border is partly obscured by overlying skin folds.",
    "Low lung volumes limit assessment of the bases.",
    "Portable supine technique; small effusions and a small anterior pneumothorax may be occult.",
    "Lateral view not obtained.",
    "None.",
]
QUALITY = [
    "Adequate inspiration and penetration.",
    "Diagnostic. Mild rotation.",
    "Suboptimal inspiration; otherwise diagnostic.",
]
DEVICES = [
    ("an endotracheal tube with its tip 4 cm above the carina", "Endotracheal tube in satisfactory position."),
    (
        "a right internal jugular central venous catheter with its tip in the lower SVC",
        "Right internal jugular line tip in the SVC.",
    ),
    (
        "a left subclavian dual-lead pacemaker with leads in the right atrium and right ventricle",
        "Left-sided pacemaker, leads unchanged.",
    ),
    ("a nasogastric tube passing below the diaphragm with its tip in the stomach", "NG tube in the stomach."),
    ("a right PICC with its tip at the cavoatrial junction", "Right PICC at the cavoatrial junction."),
]
INCIDENTAL = [
    "Cholecystectomy clips in the right upper quadrant.",
    "Bilateral breast implants noted.",
    "Degenerative change of both acromioclavicular joints.",
    "Calcified granulomas in the spleen.",
    "Anterior cervical fusion hardware partially imaged.",
    "Mild thoracic spondylosis.",
    "Old healed fracture of the right clavicle.",
    "Gas-distended splenic flexure beneath the left hemidiaphragm; no free subdiaphragmatic air.",
    "Calcified thyroid nodule seen on the prior CT is not assessable here.",
    "Left shoulder arthroplasty partially included.",
]
NORMAL_FIND = [
    "The lungs are clear.",
    "Heart size is normal.",
    "The cardiomediastinal silhouette is within normal limits.",
    "No pleural effusion or pneumothorax.",
    "Pulmonary vascularity is normal.",
    "No focal consolidation.",
    "Hila are unremarkable.",
]
NORMAL_IMP = [
    "No acute cardiopulmonary abnormality.",
    "No acute cardiopulmonary process.",
    "Normal chest radiograph.",
    "No radiographic evidence of acute disease.",
]
CT_CORR = [
    "The 4 mm right upper lobe nodule described on CT is not visible radiographically.",
    "The small left basal fluid seen on the recent ultrasound is not appreciated radiographically.",
    "No correlate for the ground-glass focus on the prior CT; see separate CT report.",
]
# significant findings: (group, findings sentence with {side}, impression wording with {side}, lobe)
SIG = [
    (
        "consolidation",
        "There is dense airspace consolidation in the {side} lower lobe with air bronchograms.",
        "{Side} lower lobe consolidation, in keeping with pneumonia.",
    ),
    (
        "effusion",
        "A moderate {side} pleural effusion layers posteriorly, new since the prior film.",
        "Moderate {side} pleural effusion.",
    ),
    (
        "pneumothorax",
        "A {side} apical pneumothorax measures 2.5 cm from apex to cupola.",
        "{Side} apical pneumothorax, 2.5 cm.",
    ),
    ("nodule", "A 14 mm rounded nodule projects over the {side} mid zone.", "14 mm {side} mid-zone nodule."),
    (
        "collapse",
        "Complete collapse of the {side} upper lobe with elevation of the {side} hilum.",
        "{Side} upper lobe collapse.",
    ),
    (
        "consolidation",
        "Patchy airspace opacity in the {side} mid and lower zones, increased since ___.",
        "Increasing {side} mid and lower zone airspace disease.",
    ),
]
RECOMMEND = {
    "nodule": "Per Fleischner Society guidance, recommend CT chest in 3 months to characterise the nodule.",
    "consolidation": "Follow-up radiograph in 6-8 weeks after treatment to document resolution.",
    "collapse": "Bronchoscopy or CT recommended to exclude an obstructing lesion.",
    "pneumothorax": "Short-interval follow-up radiograph recommended.",
    "effusion": "Ultrasound-guided aspiration could be considered if clinically indicated.",
}
NO_FU = ["No follow-up imaging is required.", "None.", "No follow-up imaging needed."]
DIFF = {
    "consolidation": "Pneumonia; aspiration; less likely organising pneumonia.",
    "nodule": "Primary lung neoplasm; metastasis; granuloma.",
    "collapse": "Central obstructing lesion; mucus plugging.",
}
COMM = [
    "Findings discussed by telephone with Dr. ___ at ___ on ___; read-back confirmed.",
    "Communicated to the referring team via the critical results system at ___.",
]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def fill(t: str, side: str) -> str:
    return t.replace("{side}", side).replace("{Side}", side.capitalize())


def layout(rng: random.Random, sections: list[tuple[str, str]], colon_style: str) -> str:
    parts = []
    for head, body in sections:
        if head is None:
            parts.append(body)
        elif colon_style == "block":
            parts.append(f"{head}:\n{body}".rstrip())
        else:
            parts.append(f"{head}: {body}".rstrip())
    return "\n\n".join(parts) if colon_style == "block" else "\n".join(parts)


def assemble(rng, find, imp, extras_before, extras_between, extras_after, header, drop=None) -> str:
    """drop: None, 'IMPRESSION' (section removed) or a name whose body is emptied ('FINDINGS!', 'IMPRESSION!')."""
    style = rng.choice(["block", "inline"])
    secs = list(header) + list(extras_before)
    fh = "FINDINGS"
    if drop != "FINDINGS":
        secs.append((fh, "" if drop == "FINDINGS!" else find))
    secs += extras_between
    ih = "IMPRESSION"
    if drop != "IMPRESSION":
        secs.append((ih, "" if drop == "IMPRESSION!" else imp))
    secs += extras_after
    return layout(rng, secs, style)


def extras(rng, sig_groups, devices, incidental, critical, imp_mentions_fu=True):
    """Return (before, between, after) extra sections consistent with the findings."""
    before, between, after = [], [], []
    if rng.random() < 0.5:
        (before if rng.random() < 0.6 else after).append(
            rng.choice([("LIMITATIONS", rng.choice(LIMITS)), ("QUALITY", rng.choice(QUALITY))])
        )
    if devices:
        body = "; ".join(d[0] for d in devices)
        body = cap(body) + "."
        (before if rng.random() < 0.5 else between).append((rng.choice(["LINES AND TUBES", "SUPPORT DEVICES"]), body))
    if incidental:
        between.append((rng.choice(["INCIDENTAL FINDINGS", "ADDITIONAL FINDINGS"]), " ".join(incidental)))
    diff = [DIFF[g] for g in sig_groups if g in DIFF]
    if diff and imp_mentions_fu and rng.random() < 0.5:
        after.append(("DIFFERENTIAL DIAGNOSIS", diff[0]))
    recs = [RECOMMEND[g] for g in sig_groups if g in RECOMMEND]
    head = rng.choice(["RECOMMENDATION", "RECOMMENDATIONS", "FOLLOW-UP"])
    if recs and imp_mentions_fu:
        after.append((head, recs[0]))
    elif rng.random() < 0.7:
        after.append((head, rng.choice(NO_FU)))
    if critical:
        after.append(("CRITICAL RESULT", "Yes. " + critical))
        after.append(("COMMUNICATION", rng.choice(COMM)))
    elif rng.random() < 0.3:
        after.append(("COMMUNICATION", "Routine; report to the ordering provider."))
    return before, between, after


def header_secs(rng):
    h = [("EXAMINATION", rng.choice(EXAMS)), ("CLINICAL HISTORY", rng.choice(HIST))]
    if rng.random() < 0.8:
        h.append(("COMPARISON", rng.choice(COMPARE)))
    if rng.random() < 0.4:
        h.append(("TECHNIQUE", TECH[0] if "1 VIEW" in h[0][1] or "PORTABLE" in h[0][1] else rng.choice(TECH[1:])))
    return h


def compose(rng: random.Random, kind: str | None, k: int) -> tuple[str, str]:
    side = rng.choice(["left", "right"])
    nsig = 0 if (kind is None and rng.random() < 0.45) else 1
    if kind in ("laterality_conflict", "impression_omits_finding"):
        nsig = 1 + (k % 2 if kind == "impression_omits_finding" else 0)
    if kind == "negation_conflict":
        nsig = 1
    sig = rng.sample(SIG, nsig) if nsig else []
    sides = ([side] + [rng.choice(["left", "right"]) for _ in sig[1:]])[: len(sig)]
    groups = [s[0] for s in sig]
    norm = [
        s
        for s in NORMAL_FIND
        if not any(names_group(s, g) for g in groups) and not (groups and s == "The lungs are clear.")
    ]
    find_s = [fill(s[1], sd) for s, sd in zip(sig, sides, strict=True)] + rng.sample(
        norm, min(len(norm), rng.randint(2, 4))
    )
    if rng.random() < 0.4 and "nodule" not in groups:
        find_s.append(rng.choice(CT_CORR))
    imp_s = [fill(s[2], sd) for s, sd in zip(sig, sides, strict=True)] or [rng.choice(NORMAL_IMP)]
    devices = rng.sample(DEVICES, rng.randint(1, 2)) if rng.random() < 0.4 else []
    for d in devices:
        if rng.random() < 0.5:
            imp_s.append(d[1])
    incidental = rng.sample(INCIDENTAL, rng.randint(1, 2)) if rng.random() < 0.6 else []
    critical = "" if not groups or groups[0] != "pneumothorax" else "New pneumothorax."
    detail = "clean composed report"
    drop = None
    fu = True
    if kind == "laterality_conflict":
        if k % 2:
            imp_s[0] = fill(sig[0][2], SIDES[side])
            detail = f"impression places the {groups[0]} on the {SIDES[side]}; findings on the {side}"
        else:
            find_s[0] = fill(sig[0][1], SIDES[side])
            detail = f"findings place the {groups[0]} on the {SIDES[side]}; impression on the {side}"
        critical = critical and f"New {SIDES[side] if k % 2 else side} pneumothorax."
    elif kind == "negation_conflict":
        g = groups[0]
        neg = {
            "consolidation": "The lungs are clear.",
            "effusion": "No pleural effusion.",
            "pneumothorax": "No pneumothorax.",
            "nodule": "No focal lung nodule or mass.",
            "collapse": "The lungs are well expanded and clear.",
        }[g]
        if k % 2:  # impression rules out what findings affirm
            imp_s[0] = neg
            detail = f"findings affirm {g}; impression says '{neg}'"
            fu = False
            critical = ""
        else:  # findings rule out what the impression affirms
            find_s[0] = neg
            detail = f"impression affirms {g}; findings say '{neg}'"
    elif kind == "impression_omits_finding":
        g = groups[0]
        fu = False
        critical = ""
        if k % 2 == 0:
            imp_s = [rng.choice(NORMAL_IMP)]
            detail = f"findings affirm {g}; impression is a normal macro"
        else:
            imp_s = imp_s[1:]
            detail = f"findings affirm {g}; impression lists only other findings"
        incidental = incidental or [rng.choice(INCIDENTAL)]
    elif kind == "missing_section":
        drop = ["IMPRESSION", "IMPRESSION!", "FINDINGS!"][k % 3]
        detail = {
            "IMPRESSION": "IMPRESSION section absent",
            "IMPRESSION!": "IMPRESSION header left empty",
            "FINDINGS!": "FINDINGS header left empty",
        }[drop]
    elif kind == "placeholder":
        if devices and devices[0][0].startswith("an endo") and k % 3 == 0:
            devices = [("an endotracheal tube with its tip ___ cm above the carina", devices[0][1])] + devices[1:]
            detail = "ETT tip distance left as '___ cm'"
        else:
            opts = [
                ("Heart size is normal.", "Heart size is [***].", "heart size left as '[***]'"),
                ("Pulmonary vascularity is normal.", "Pulmonary vascularity is <insert>.", "'<insert>' left"),
                ("Hila are unremarkable.", "Hila are [normal/abnormal].", "unselected '[normal/abnormal]'"),
            ]
            if groups and groups[0] == "nodule":
                opts += [("A 14 mm", "A XX mm", "nodule size left as 'XX mm'")] * 2
            if groups:
                opts += [(find_s[0], fill(sig[0][1], "[LEFT/RIGHT]"), "side left as '[LEFT/RIGHT]'")] * 2
            rng.shuffle(opts)
            for old, new, det in opts:
                hit = [i for i, f in enumerate(find_s) if old in f]
                if hit:
                    find_s[hit[0]] = find_s[hit[0]].replace(old, new, 1)
                    detail = det
                    break
            else:
                find_s.insert(rng.randint(1, len(find_s)), "Costophrenic angles: [***].")
                detail = "costophrenic angles left as '[***]'"
    ex_b, ex_m, ex_a = extras(rng, groups, devices, incidental, critical, fu)
    return assemble(rng, " ".join(find_s), " ".join(imp_s), ex_b, ex_m, ex_a, header_secs(rng), drop), detail


# ---------------------------------------------------------------- IU reports, re-laid-out
IU_EXTRA_AFTER = [
    ("RECOMMENDATION", "None."),
    ("FOLLOW-UP", "No follow-up imaging needed."),
    ("COMMUNICATION", "Routine; no critical result."),
    ("LIMITATIONS", "None."),
]
AFFIRM = {
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|airspace disease|infiltrat|pneumonia",
    "edema": r"edema|vascular congestion",
    "effusion": r"(moderate|large)[^.]*effusion",
    "collapse": r"collapse",
}
NEG_SWAP = [
    (
        "effusion",
        re.compile(r"\bno (pleural )?effusions?\b|\bno (evidence of )?pleural effusion", re.I),
        "Small {side} pleural effusion.",
    ),
    ("pneumothorax", re.compile(r"\bno pneumothora", re.I), "Small {side} apical pneumothorax."),
    (
        "consolidation",
        re.compile(r"lungs are clear|no focal (airspace|consolidat)", re.I),
        "{Side} basilar airspace disease, possibly pneumonia.",
    ),
    ("heart", re.compile(r"heart size (is )?normal|normal heart size|heart is normal in size", re.I), "Cardiomegaly."),
]


HEDGE = re.compile(
    r"small|trace|tiny|mild|minimal|stable|chronic|old|unchanged|may|possibl|could|question|\?|probabl|less|improv|decreas|resol|marrow|"
    r"versus|vs\.|cannot|likely",
    re.I,
)


PRESENT = re.compile(
    r"\b(there is|there are|present|seen|noted|has developed|measur|moderate|large|patchy|dense|increas|new)\b", re.I
)


def sig_hits(find: str, g: str) -> list[str]:
    return [
        s
        for s in sents(find)
        if re.search(AFFIRM[g], s, re.I)
        and not NEG.search(s)
        and not HEDGE.search(s)
        and PRESENT.search(s)
        and not re.search(r"evaluat|limited|appear|typical|\bor\b|^(pleural|pneumothora|the lungs focal)", s, re.I)
    ]


def iu_normal(r) -> bool:
    """Impression normal and no abnormal finding affirmed in FINDINGS either."""
    return (
        bool(NORMAL_RX.match(r["impression"]))
        and not ABN.search(r["impression"])
        and not any(ABN.search(s) and not NEG.search(s) for s in sents(r["findings"]))
    )


def iu_consistent(r) -> bool:
    """No significant finding affirmed in FINDINGS that the IMPRESSION fails to name."""
    return not any(sig_hits(r["findings"], g) and not names_group(r["impression"], g) for g in AFFIRM)


def iu_text(rng, r, find, imp, drop=None) -> str:
    head = [("EXAMINATION", "Chest PA and lateral"), ("INDICATION", r.get("indication") or "Not provided.")]
    comp = r.get("comparison") or rng.choice(["None.", "Outside films from ___, not available for direct comparison."])
    head.append(("COMPARISON", comp))
    before = [("QUALITY", rng.choice(QUALITY))] if rng.random() < 0.3 else []
    between = [("ADDITIONAL FINDINGS", rng.choice(INCIDENTAL[1:6]))] if rng.random() < 0.4 else []
    after = rng.sample(IU_EXTRA_AFTER, rng.randint(1, 2))
    return assemble(rng, find, imp, before, between, after, head, drop)


ADD_SIG = [
    ("effusion", "Moderate {side} pleural effusion, new since the prior examination."),
    ("pneumothorax", "There is a {side} apical pneumothorax measuring 2 cm."),
    ("consolidation", "Dense consolidation is present in the {side} lower lobe."),
    ("nodule", "A 1.8 cm rounded mass projects over the {side} upper zone."),
    ("collapse", "Collapse of the {side} lower lobe with volume loss."),
]
CLEAR = re.compile(
    r"lungs? (are |is |appear )*(clear|normal)|clear lungs|no (focal )?(air ?space|consolidat)|no acute"
    r"|\b(lungs?|pleura\w*)\b.*\b(normal|clear|unremarkable)\b",
    re.I,
)


def iu_case(rng, pool, kind, k):
    """Return (report, detail) or None if this record cannot carry the kind."""
    r = pool
    find, imp = r["findings"], r["impression"]
    if kind is None:
        return iu_text(rng, r, find, imp), f"clean IU {r['uid']}"
    if kind == "missing_section":
        drop = "IMPRESSION" if k % 2 else "IMPRESSION!"
        return iu_text(rng, r, find, imp, drop), f"IU {r['uid']}: " + (
            "IMPRESSION removed" if k % 2 else "IMPRESSION header left empty"
        )
    if kind == "laterality_conflict":
        for i, s in enumerate(sents(imp)):
            m = re.search(r"\b(left|right)\b", s, re.I)
            if not m or NEG.search(s) or len(re.findall(r"\b(left|right)\b", s, re.I)) > 1:
                continue
            side = m.group(1).lower()
            words = set(re.findall(r"[a-z]{5,}", s.lower())) - {"right", "lower", "upper", "middle", "there"}
            if not any(side in f.lower() and words & set(re.findall(r"[a-z]{5,}", f.lower())) for f in sents(find)):
                continue
            flip = SIDES[side]
            new = s[: m.start()] + (flip.capitalize() if m.group(1)[0].isupper() else flip) + s[m.end() :]
            imp2 = " ".join(new if j == i else x for j, x in enumerate(sents(imp)))
            return iu_text(rng, r, find, imp2), f"IU {r['uid']}: impression '{side}' flipped to '{flip}'"
        return None
    if kind == "negation_conflict":
        if not iu_normal(r):
            return None
        for g, rx, aff in NEG_SWAP:
            if rx.search(find):
                side = rng.choice(["left", "right"])
                det = f"IU {r['uid']}: findings negate {g}; impression affirms it"
                return iu_text(rng, r, find, fill(aff, side)), det
        return None
    if kind == "impression_omits_finding":
        for g in AFFIRM:
            hits = sig_hits(find, g)
            if not hits:
                continue
            keep = [
                s
                for s in sents(imp)
                if not names_group(s, g)
                and not NEG.search(s)
                and ABN.search(s)
                and not any(names_group(s, h) for h in GROUPS)
            ]
            if k % 2 and not keep:
                return None
            if k % 2:
                imp2, how = " ".join(keep), "impression keeps only other findings"
            else:
                imp2, how = rng.choice(NORMAL_IMP), "impression replaced by a normal macro"
            return iu_text(rng, r, find, imp2), f"IU {r['uid']}: findings affirm {g} ('{hits[0]}'); {how}"
        return None
    if kind == "omits_augment":  # fallback: a significant finding dictated into FINDINGS, impression left as it was
        if not iu_consistent(r) or (k % 2 == 0) != iu_normal(r):
            return None
        g, new = rng.choice(ADD_SIG)
        if names_group(imp, g) or NEG.search(imp) and k % 2:
            return None
        side = rng.choice(["left", "right"])
        keep = [x for x in sents(find) if not names_group(x, g) and not CLEAR.search(x)]
        if not keep:
            return None
        keep.insert(rng.randint(0, len(keep)), fill(new, side))
        how = "impression kept normal" if k % 2 == 0 else "impression keeps only other findings"
        return iu_text(
            rng, r, " ".join(keep), imp
        ), f"IU {r['uid']}: findings affirm {g} (added '{fill(new, side)}'); {how}"
    if kind == "placeholder":
        if not iu_normal(r):
            return None
        for old, new in [
            (r"heart size is normal", "Heart size is [***]"),
            (r"normal heart size", "[***] heart size"),
            (r"the lungs are clear(?=\.)", "The lungs are <insert>"),
        ]:
            m = re.search(old, find, re.I)
            if m:
                f2 = find[: m.start()] + new + find[m.end() :]
                return iu_text(rng, r, f2, imp), f"IU {r['uid']}: '{m.group(0)}' -> '{new}'"
        return None
    raise ValueError(kind)


# ---------------------------------------------------------------- verification
PH = re.compile(
    r"\[\*\*\*\]|\[LEFT/RIGHT\]|<insert>|\bXX mm\b|___ cm|\[normal/abnormal\]|"
    r"\[pneumothorax/effusion\]|\[\*\*\*\]|Costophrenic angles: \["
)


def section(text: str, name: str) -> str | None:
    m = re.search(rf"(?m)^{name}:[ \n]?(.*?)(?=^\s*[A-Z][A-Z /()-]+:|\Z)", text, re.S)
    return None if m is None else m.group(1).strip()


def verify(kind, text, detail) -> bool:
    f, i = section(text, "FINDINGS"), section(text, "IMPRESSION")
    has_ph = bool(PH.search(text))
    if kind is None:
        return bool(f) and bool(i) and not has_ph
    if kind == "placeholder":
        return has_ph and bool(f) and bool(i)
    if has_ph:
        return False
    if kind == "missing_section":
        return not f or not i
    if not f or not i:
        return False
    if kind == "laterality_conflict":
        m = re.search(r"impression '(\w+)' flipped to '(\w+)'", detail)
        if m:  # IU: the flipped side is in IMPRESSION, the original side still in FINDINGS
            return bool(re.search(rf"\b{m.group(2)}\b", i, re.I)) and bool(re.search(rf"\b{m.group(1)}\b", f, re.I))
        m = re.search(
            r"(findings|impression) places? the (\w+) on the (\w+); (findings|impression) on the (\w+)", detail
        )
        sec = {"findings": f, "impression": i}
        g = m.group(2)
        return (
            all(
                any(names_group(x, g) and re.search(rf"\b{side}\b", x, re.I) for x in sents(sec[name]))
                for name, side in ((m.group(1), m.group(3)), (m.group(4), m.group(5)))
            )
            and m.group(3) == SIDES[m.group(5)]
        )
    if kind == "negation_conflict":
        m = re.search(r"(findings|impression) says? '(.+)'", detail)
        if m:  # composed: the ruling-out sentence sits in the named section, the finding is affirmed in the other
            g = re.search(r"(affirms?) (\w+)", detail).group(2)
            other = i if m.group(1) == "findings" else f
            return m.group(2) in (f if m.group(1) == "findings" else i) and names_group(other, g)
        g = re.search(r"negate (\w+)", detail).group(1)
        rx = dict((k, v) for k, v, _ in NEG_SWAP)[g]
        return bool(rx.search(f)) and not NEG.search(i)
    if kind == "impression_omits_finding":
        g = re.search(r"affirm (\w+)", detail).group(1)
        return not names_group(i, g) and names_group(f, g)
    return False


def build(seed: int, d: Path) -> list[dict]:
    rng = random.Random(seed)
    iu = load_iu(d)
    rng.shuffle(iu)
    used: set[str] = set()
    rows = []
    for kind in [None] + KINDS:
        n = N_CLEAN if kind is None else N_KIND
        for k in range(n // 2):
            for _ in range(50):
                text, det = compose(rng, kind, k)
                if verify(kind, text, det):
                    break
            else:
                raise RuntimeError(f"cannot compose {kind}")
            rows.append((kind, det, text))
        got = 0
        for r in iu:
            if got == n // 2:
                break
            if r["uid"] in used or (kind is None and (not iu_consistent(r) or (not iu_normal(r) and got % 2 == 0))):
                continue
            if kind is None and (PH.search(r["findings"] + r["impression"]) or "___" in r["findings"]):
                continue
            res = iu_case(rng, r, kind, got)
            if res and verify(kind, res[0], res[1]):
                used.add(r["uid"])
                rows.append((kind, res[1], res[0]))
                got += 1
        for r in iu if kind == "impression_omits_finding" else []:
            if got == n // 2:
                break
            if r["uid"] in used:
                continue
            res = iu_case(rng, r, "omits_augment", got)
            if res and verify(kind, res[0], res[1]):
                used.add(r["uid"])
                rows.append((kind, res[1], res[0]))
                got += 1
        if got < n // 2:
            raise RuntimeError(f"only {got} IU reports for {kind}")
    rng.shuffle(rows)
    out = []
    for kind, det, text in rows:
        h = hashlib.sha256(f"{seed}|{text}".encode()).hexdigest()[:16]
        out.append({"id": f"h21-{h}", "injected": kind, "detail": det, "report": text})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    env = os.environ.get("MEDRAG_SHARED_DIR")
    d = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    if not (d / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file():
        print(f"shared data not found at {d}; set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        return 2
    rows = build(a.seed, d)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    for kind in [None] + KINDS:
        for r in [r for r in rows if r["injected"] == kind][: a.show]:
            print(f"===== {kind} | {r['detail']}\n{r['report']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
