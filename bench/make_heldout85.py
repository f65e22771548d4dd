"""Held-out report-check set 85, written blind.

Setting: US correctional health -- state prisons and county jails (intake and annual TB
screening, sick call, the infirmary, and transfers to the local hospital ED), with chest
films read remotely by a contracted teleradiology group.  Reports carry that group's
layout: an exam line, facility/referring lines, clinical history, comparison, technique,
findings (free text or an organ-by-organ template), an IMPRESSION / CONCLUSION / OPINION
section (prose or numbered) and an electronic sign-off.  Most films are normal or
near-normal (TB screens), with ordinary chronic/incidental findings and a smaller share of
acute disease (pneumonia, effusion, post-altercation pneumothorax, CHF, a nodule).

400 cases: 200 clean, 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder.  Half of each group is composed from the phrase
bank below; half are real IU reports (never a dev-set uid) re-laid-out in this style with
light rewording.  Written without reference to any checker.

    python -m bench.make_heldout85 OUT.jsonl --seed S [--show N]
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

KINDS = [
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
]
N_CLEAN = 200
N_PER_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# ---------------------------------------------------------------------------
# real IU reports
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def load_dev_uids(base: str | None = None) -> frozenset:
    p = Path(base or shared_dir()) / "eval" / "report_errors_dev.jsonl"
    uids = set()
    with open(p, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                uids.add(json.loads(line).get("uid"))
    return frozenset(u for u in uids if u)


def _clean_text(s: str | None) -> str:
    s = (s or "").strip()
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r"\.\s*\.", ".", s)
    return s


@functools.lru_cache(maxsize=2)
def load_iu(base: str | None = None) -> tuple:
    p = Path(base or shared_dir()) / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    out = []
    with tarfile.open(p, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            sec = {}
            for at in root.iter("AbstractText"):
                sec[(at.get("Label") or "").upper()] = _clean_text(at.text)
            mesh = tuple((mj.text or "").strip() for mj in root.iter("major"))
            out.append(
                {
                    "uid": uid_el.get("id"),
                    "indication": sec.get("INDICATION", ""),
                    "comparison": sec.get("COMPARISON", ""),
                    "findings": sec.get("FINDINGS", ""),
                    "impression": sec.get("IMPRESSION", ""),
                    "mesh": mesh,
                }
            )
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(out)


def sentences(text: str) -> list:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


SIDE_RE = re.compile(r"\b(right|left)\b", re.I)


def flip_sides(s: str) -> str:
    def rep(m):
        w = m.group(0)
        new = "left" if w.lower() == "right" else "right"
        if w.isupper():
            return new.upper()
        if w[0].isupper():
            return new.capitalize()
        return new

    return SIDE_RE.sub(rep, s)


def sides_in(s: str) -> set:
    return {m.group(0).lower() for m in SIDE_RE.finditer(s)}


GROUPS = {
    "air": r"opacit|airspace|consolidat|infiltrat|pneumonia|atelecta",
    "eff": r"effusion|pleural fluid",
    "nod": r"nodul|granulom|mass\b",
    "ptx": r"pneumothora",
    "frx": r"fracture",
}
NEG_CUE = re.compile(
    r"\b(no|not|without|negative|resolved|resolution|clear|cleared|free|absent|removed|"
    r"excluded?|may|might|possible|possibly|questionable|cannot|could|versus|vs|unlikely|"
    r"improved|improving|decreased|stable|unchanged|chronic|old|previous|prior|history|small|"
    r"trace|tiny|minimal|subtle|mild|likely|probable|probably|suggest|suggests)\b",
    re.I,
)
HEDGE = re.compile(r"\b(no|not|without|negative|resolved|cannot|versus|vs|possible|may)\b", re.I)

BENIGN_MESH = (
    "Calcified Granuloma",
    "Granulomatous Disease",
    "Thoracic Vertebrae",
    "Spine",
    "Osteophyte",
    "Scoliosis",
    "Kyphosis",
    "Spondylosis",
    "Aorta",
    "Atherosclerosis",
    "Calcinosis",
    "Cicatrix",
    "Arthritis",
)


def _ok_real(r) -> bool:
    txt = " ".join([r["findings"], r["impression"], r["indication"], r["comparison"]])
    if not r["findings"] or not r["impression"]:
        return False
    if "[" in txt or "_" in txt or "*" in txt:
        return False
    return len(r["findings"]) >= 40


def is_normal(r) -> bool:
    return bool(r["mesh"]) and all(m.lower() == "normal" for m in r["mesh"])


def is_benign(r) -> bool:
    if not r["mesh"] or is_normal(r):
        return False
    for m in r["mesh"]:
        head = m.split("/")[0]
        if head == "Cardiomegaly" and ("mild" in m or "borderline" in m):
            continue
        if head not in BENIGN_MESH:
            return False
    if re.search(r"\bnormal\b", r["impression"], re.I):
        return False
    if re.search(r"effusion|pneumothorax|edema|consolidat|pneumonia|infiltrat|mass\b", r["findings"], re.I):
        # only if negated everywhere
        for s in sentences(r["findings"]):
            if re.search(r"effusion|pneumothorax|edema|consolidat|pneumonia|infiltrat|mass\b", s, re.I):
                if not re.search(r"\b(no|without|negative)\b", s, re.I):
                    return False
    return True


SIG_GROUPS = {
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|pneumonia|airspace disease|infiltrat",
    "edema": r"edema|vascular congestion",
    "mass": r"\bmass\b",
}


def sig_finding(r):
    """A significant affirmed finding in FINDINGS that the original impression also names."""
    for s in sentences(r["findings"]):
        for g, pat in SIG_GROUPS.items():
            if not re.search(pat, s, re.I):
                continue
            if g == "effusion":
                if not re.search(r"\b(moderate|large|sizable|substantial)\b", s, re.I):
                    continue
                if re.search(r"\b(no|not|without|resolved|decreased|small|trace|tiny|possible|may)\b", s, re.I):
                    continue
            elif g == "edema":
                if HEDGE.search(s) or re.search(r"\b(resolved|improved|decreased)\b", s, re.I):
                    continue
            else:
                if NEG_CUE.search(s):
                    continue
            if re.search(pat, r["impression"], re.I) and not re.search(
                r"\b(no|without|resolved)\b[^.]*(" + pat + ")", r["impression"], re.I
            ):
                return g, s
    return None


def lat_pair(r):
    """(finding sentence, impression sentence) naming the same finding on the same side."""
    imp_s = sentences(r["impression"])
    fin_s = sentences(r["findings"])
    for i_s in imp_s:
        sd = sides_in(i_s)
        if len(sd) != 1 or re.search(r"bilateral|both", i_s, re.I):
            continue
        for g, pat in GROUPS.items():
            if not re.search(pat, i_s, re.I):
                continue
            if any(sides_in(x) - sd for x in fin_s + imp_s if re.search(pat, x, re.I)):
                continue
            for f_s in fin_s:
                if sides_in(f_s) == sd and re.search(pat, f_s, re.I) and not re.search(r"bilateral|both", f_s, re.I):
                    return g, f_s, i_s
    return None


NEG_CONCEPTS = [
    ("effusion", r"\b(no|without)\b[^.]*effusion"),
    ("pneumothorax", r"\b(no|without)\b[^.]*pneumothora"),
    (
        "lungs",
        r"lungs are clear|clear lungs|lungs are (grossly )?clear|\bno (focal )?(airspace|consolidation|"
        r"infiltrate)|no focal (airspace|consolidation|infiltrate|opacit)",
    ),
    (
        "heart",
        r"heart (size )?(is )?(normal|within normal)|normal heart size|heart size (is )?(normal|"
        r"within normal)|cardiomediastinal silhouette (is |are )?(normal|within normal)|"
        r"cardiac silhouette[^.]*(normal|within normal)|heart size and[^.]*(normal|within normal)",
    ),
    ("edema", r"\bno\b[^.]*\bedema"),
]


# ---------------------------------------------------------------------------
# setting vocabulary
# ---------------------------------------------------------------------------

FACILITIES = [
    "Northfield Correctional Facility",
    "Cedar County Jail",
    "State Correctional Institution - Eastbrook",
    "Riverbend Correctional Center",
    "Marlow County Detention Center",
    "Southern State Prison - Medical Unit",
    "Harlan Unit Infirmary",
    "Pine Ridge Reception and Diagnostic Center",
    "Dawson County Adult Detention",
    "Lakeshore Women's Correctional Facility",
]
GROUPS_RAD = [
    "Summit Teleradiology Associates",
    "Keystone Radiology Partners (remote read)",
    "Pinnacle Imaging Group - Teleradiology",
    "Tri-State Radiology, P.C.",
]
RADS = [
    "Michael T. Brennan, MD",
    "Priya Raman, MD",
    "Kevin O'Dell, DO",
    "Laura Whitcomb, MD",
    "Samuel Okafor, MD",
    "Ellen Marsh, MD",
    "David Kowalski, DO",
    "Rosa Delgado, MD",
]
REFERRERS = [
    "J. Patel, NP",
    "R. Simmons, PA-C",
    "Dr. A. Carver",
    "T. Nguyen, FNP",
    "Dr. L. Hoffman",
    "K. Burris, RN (sick call)",
]
NURSES = ["RN Stevens", "Nurse Garcia", "the charge nurse", "Dr. Carver", "NP Patel", "the on-call provider"]

HIST = {
    "intake": [
        "Intake TB screening.",
        "New intake. Positive PPD, asymptomatic.",
        "Positive QuantiFERON on intake. No cough, fever or weight loss.",
        "Intake physical. Hx latent TB, completed INH per inmate.",
        "Reception center intake, +TST 15 mm.",
        "TB screen, positive PPD.",
        "Annual TB screening. Known positive PPD, asymptomatic.",
        "Annual TB surveillance, prior positive skin test.",
        "Pre-transfer TB clearance.",
        "TB clearance for food service work assignment.",
        "Positive IGRA. Rule out active TB.",
    ],
    "sick": [
        "Cough x 3 weeks.",
        "Productive cough and fever x 5 days.",
        "SOB, wheezing. Hx asthma.",
        "Chest pain after altercation.",
        "Fall from top bunk, rib pain.",
        "Cough, night sweats, weight loss. Rule out TB.",
        "Smoker, chronic cough.",
        "Hemoptysis x 2 days.",
        "Pleuritic chest pain.",
        "Fever and cough. HIV positive.",
        "Dyspnea on exertion, bilateral leg swelling. Hx CHF.",
        "Assaulted in housing unit, chest wall pain.",
        "Cough, r/o pneumonia.",
    ],
    "infirmary": [
        "Infirmary patient. Follow-up pneumonia.",
        "Hypoxia, on 2 L O2. Infirmary.",
        "Infirmary admission, fever.",
        "Follow-up effusion.",
        "Shortness of breath, infirmary bed.",
    ],
    "ed": [
        "Sent to ED from county jail: chest pain.",
        "ED transfer from facility. Shortness of breath.",
        "Inmate transferred to ED after altercation, chest trauma.",
        "Stab wound to chest. ED.",
        "Syncope in cell, sent to ED.",
    ],
}
EXAMS = {
    "two": [
        "XR CHEST 2 VIEWS (PA AND LATERAL)",
        "CHEST PA AND LATERAL",
        "DX CHEST 2V",
        "X-RAY CHEST PA/LAT",
        "CR CHEST PA AND LATERAL",
    ],
    "pa": ["XR CHEST 1 VIEW (PA) - TB SCREEN", "CHEST PA ONLY", "DX CHEST PA"],
    "port": ["XR CHEST 1 VIEW PORTABLE", "CHEST AP PORTABLE", "DX CHEST AP (PORTABLE)"],
}
TECH = {
    "two": ["PA and lateral views of the chest.", "Frontal and lateral views of the chest were obtained.", "2 views."],
    "pa": ["Single PA view of the chest.", "One frontal view."],
    "port": ["Single AP portable view of the chest.", "Portable AP upright view.", "AP semi-erect portable view."],
}
IMP_HEADERS = ["IMPRESSION:"] * 6 + ["CONCLUSION:", "OPINION:", "Impression:", "IMPRESSION/RECOMMENDATION:"]
FIN_HEADERS = ["FINDINGS:"] * 5 + ["Findings:", "REPORT:"]

NORMAL_IMPS = [
    "No acute cardiopulmonary process.",
    "No active cardiopulmonary disease.",
    "No acute cardiopulmonary abnormality.",
    "No acute findings in the chest.",
    "No acute disease.",
    "No acute cardiopulmonary findings.",
]
NORMAL_ONLY_IMPS = ["Normal chest radiograph.", "Negative chest.", "Normal chest x-ray."]
TB_IMPS = [
    "No radiographic evidence of active pulmonary tuberculosis.",
    "No evidence of active TB.",
    "Negative for active TB.",
    "No radiographic findings to suggest active or prior TB.",
]
TB_IMPS_CHRONIC_OK = [
    "No radiographic evidence of active pulmonary tuberculosis.",
    "No evidence of active TB.",
    "Negative for active TB.",
]


def _date(rng):
    return f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.choice([2022, 2023, 2024])}"


def _time(rng):
    return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"


def signoff(rng, d=None):
    name = rng.choice(RADS)
    grp = rng.choice(GROUPS_RAD)
    d, t = d or _date(rng), _time(rng)
    opts = [
        f"Electronically signed by: {name}\nDate/Time signed: {d} {t}",
        f"Dictated by: {name}\n{grp}\nSigned {d} {t} EST",
        f"{name}\nBoard-certified radiologist, {grp}\nThis study was interpreted remotely. Signed {d}.",
        f"I have personally reviewed the images and agree with the above report.\nE-signed: {name} {d} {t}",
        f"Read by {name} ({grp}). Final report signed {d} {t}.",
    ]
    return rng.choice(opts)


# ---------------------------------------------------------------------------
# rendering
# ---------------------------------------------------------------------------


def render(doc: dict) -> str:
    inline = doc.get("inline", True)
    out = []
    if doc.get("exam"):
        out.append(("EXAM: " if doc.get("exam_lbl", 0) == 0 else "EXAMINATION: ") + doc["exam"])
    for ml in doc.get("meta", []):
        out.append(ml)
    block = []

    def sec(hdr, body):
        if body is None:
            return
        if body == "":
            block.append(hdr)
        elif inline:
            block.append(f"{hdr} {body}")
        else:
            block.append(f"{hdr}\n{body}")

    sec(doc.get("hist_hdr", "CLINICAL HISTORY:"), doc.get("history"))
    sec("COMPARISON:", doc.get("comparison"))
    sec("TECHNIQUE:", doc.get("technique"))
    sec(doc.get("fin_hdr", "FINDINGS:"), doc.get("findings"))
    sec(doc.get("imp_hdr", "IMPRESSION:"), doc.get("impression"))
    text = "\n".join(out)
    if text:
        text += "\n\n"
    text += "\n\n".join(block)
    if doc.get("signoff"):
        text += "\n\n" + doc["signoff"]
    return text


def fmt_imp(items: list, rng) -> str:
    if len(items) > 1 and rng.random() < 0.55:
        return "\n".join(f"{i + 1}. {s}" for i, s in enumerate(items))
    return " ".join(items)


def base_doc(rng, context=None, view=None):
    context = context or rng.choices(["intake", "sick", "infirmary", "ed"], [50, 30, 10, 10])[0]
    if view is None:
        if context == "intake":
            view = rng.choices(["two", "pa"], [60, 40])[0]
        elif context == "sick":
            view = "two"
        else:
            view = rng.choice(["two", "port"])
    doc = {
        "context": context,
        "view": view,
        "exam": rng.choice(EXAMS[view]),
        "exam_lbl": rng.randint(0, 1),
        "inline": rng.random() < 0.6,
        "imp_hdr": rng.choice(IMP_HEADERS),
        "fin_hdr": rng.choice(FIN_HEADERS),
        "hist_hdr": rng.choice(
            ["CLINICAL HISTORY:", "HISTORY:", "INDICATION:", "REASON FOR EXAM:", "CLINICAL INDICATION:"]
        ),
    }
    meta = []
    doc["date"] = _date(rng)
    if rng.random() < 0.7:
        meta.append("FACILITY: " + rng.choice(FACILITIES))
    if rng.random() < 0.5:
        meta.append("REFERRING: " + rng.choice(REFERRERS))
    if rng.random() < 0.4:
        meta.append("DATE OF SERVICE: " + doc["date"])
    doc["meta"] = meta
    doc["history"] = rng.choice(HIST[context])
    if rng.random() < 0.55:
        doc["comparison"] = rng.choice(
            ["None.", "None available.", "No prior studies available for comparison.", "None on file."]
        )
        doc["has_prior"] = False
    else:
        doc["comparison"] = (
            rng.choice(["", "Chest radiograph ", "PA/lateral chest ", "Outside film dated "]) + _date(rng) + "."
        )
        doc["comparison"] = doc["comparison"][0].upper() + doc["comparison"][1:]
        doc["has_prior"] = True
    doc["technique"] = rng.choice(TECH[view]) if rng.random() < 0.6 else None
    doc["signoff"] = signoff(rng, doc["date"])
    return doc


# ---------------------------------------------------------------------------
# composed phrase bank
# ---------------------------------------------------------------------------

NORMAL_SENT = {
    "lungs_clear": [
        "The lungs are clear.",
        "Lungs are clear bilaterally.",
        "The lungs are well expanded and clear.",
        "Clear lungs.",
    ],
    "no_consol": [
        "No focal consolidation.",
        "No focal airspace disease.",
        "No focal infiltrate.",
        "No focal airspace opacity is seen.",
    ],
    "pleura": [
        "No pleural effusion or pneumothorax.",
        "No effusion or pneumothorax.",
        "No pleural effusion. No pneumothorax.",
    ],
    "no_eff": ["No pleural effusion.", "Costophrenic angles are sharp.", "No effusion."],
    "no_ptx": ["No pneumothorax.", "No pneumothorax is identified."],
    "heart": [
        "Heart size is normal.",
        "The cardiomediastinal silhouette is within normal limits.",
        "Normal heart size and mediastinal contours.",
        "Cardiac silhouette is not enlarged. Mediastinum is normal.",
    ],
    "heart_only": ["Heart size is normal.", "Normal cardiac size."],
    "mediast": ["Mediastinal contours are normal.", "Hila and mediastinum are unremarkable."],
    "vasc": ["Pulmonary vascularity is normal.", "No pulmonary vascular congestion.", "No pulmonary edema."],
    "bones": [
        "No acute osseous abnormality.",
        "Visualized osseous structures are intact.",
        "No acute bony abnormality.",
        "Bones are unremarkable for age.",
    ],
    "soft": ["Soft tissues are unremarkable.", "No soft tissue abnormality."],
}


def F(key, cat, fins, imps, conflicts, sided=True, sig=False, imp_p=1.0, needs_prior=False, lobes=None, mention=None):
    return {
        "key": key,
        "cat": cat,
        "fins": fins,
        "imps": imps,
        "conflicts": set(conflicts),
        "sided": sided,
        "sig": sig,
        "imp_p": imp_p,
        "needs_prior": needs_prior,
        "lobes": lobes,
        "mention": mention or key,
    }


BANK = [
    # incidental / chronic
    F(
        "granuloma",
        "inc",
        [
            "Calcified granuloma in the {side} {zone} lung.",
            "Small calcified granuloma projects over the {side} {zone} lung zone.",
            "A few punctate calcified granulomas in the {side} {zone} lung.",
        ],
        [
            "Calcified granuloma, {side} {zone} lung, benign.",
            "Sequela of prior granulomatous disease ({side} {zone} lung granuloma).",
            "Calcified {side} {zone} lung granuloma, old.",
        ],
        ["lungs_clear"],
        imp_p=0.45,
    ),
    F(
        "apical",
        "inc",
        [
            "Mild pleuroparenchymal scarring at the {side} apex, with a few calcified foci. No cavitation.",
            "Fibrocalcific changes at the {side} lung apex, likely sequela of prior granulomatous "
            "infection. No cavitary lesion.",
            "Mild {side} apical pleural thickening and scarring.",
        ],
        [
            "{Side} apical scarring, likely old granulomatous disease. No evidence of active tuberculosis.",
            "Chronic {side} apical scarring; no radiographic evidence of active TB.",
        ],
        ["lungs_clear"],
        imp_p=0.8,
    ),
    F(
        "spine",
        "inc",
        [
            "Degenerative changes of the thoracic spine.",
            "Mild multilevel thoracic spondylosis.",
            "Mild degenerative endplate spurring in the thoracic spine.",
        ],
        ["Degenerative changes of the thoracic spine."],
        ["bones_any"],
        sided=False,
        imp_p=0.25,
    ),
    F(
        "oldrib",
        "inc",
        [
            "Old healed fracture of the {side} {ord} rib.",
            "Remote healed fractures of the {side} lateral {ord} and {ord2} ribs.",
            "Healed {side} posterior {ord} rib fracture deformity.",
        ],
        ["Old healed {side} rib fracture(s).", "Remote {side} rib fractures, healed."],
        ["bones_any"],
        imp_p=0.4,
    ),
    F(
        "mildcm",
        "inc",
        [
            "The heart is mildly enlarged.",
            "Mild cardiomegaly.",
            "Borderline enlargement of the cardiac silhouette.",
        ],
        ["Mild cardiomegaly.", "Mild cardiomegaly without failure.", "Borderline heart size."],
        ["heart", "heart_only"],
        sided=False,
        imp_p=0.65,
    ),
    F(
        "stablecm",
        "inc",
        [
            "The heart is mildly enlarged, unchanged from the prior study.",
            "Stable mild cardiomegaly.",
        ],
        ["Stable mild cardiomegaly.", "Unchanged mild cardiomegaly."],
        ["heart", "heart_only"],
        sided=False,
        imp_p=0.6,
        needs_prior=True,
    ),
    F(
        "aorta",
        "inc",
        [
            "The thoracic aorta is tortuous with atherosclerotic calcification.",
            "Aortic knob calcification.",
        ],
        ["Tortuous, atherosclerotic thoracic aorta."],
        [],
        sided=False,
        imp_p=0.2,
    ),
    F(
        "copd",
        "inc",
        [
            "The lungs are hyperinflated with flattening of the hemidiaphragms.",
            "Hyperexpanded lungs with increased AP diameter, consistent with COPD.",
        ],
        ["Hyperinflation compatible with COPD.", "Changes of COPD."],
        ["lungs_clear"],
        sided=False,
        imp_p=0.7,
    ),
    F(
        "bullet",
        "inc",
        [
            "Retained ballistic fragments project over the {side} {part} soft tissues.",
            "Metallic bullet fragment in the {side} {part} soft tissues, chronic in appearance.",
        ],
        [
            "Retained ballistic fragments, {side} {part} soft tissues.",
            "Old bullet fragment, {side} {part} soft tissues.",
        ],
        ["soft"],
        imp_p=0.35,
    ),
    F(
        "sternotomy",
        "inc",
        ["Median sternotomy wires are intact.", "Intact sternotomy wires."],
        ["Postoperative changes of median sternotomy."],
        ["bones_any"],
        sided=False,
        imp_p=0.3,
    ),
    F(
        "smalleff",
        "inc",
        [
            "Small {side} pleural effusion.",
            "Trace {side} pleural fluid blunting the costophrenic angle.",
            "Blunting of the {side} costophrenic angle, likely small effusion.",
        ],
        ["Small {side} pleural effusion.", "Trace {side} pleural effusion."],
        ["pleura", "no_eff"],
        imp_p=0.75,
    ),
    F(
        "atel",
        "inc",
        [
            "Linear atelectasis at the {side} base.",
            "Mild {side} basilar subsegmental atelectasis.",
            "Plate-like atelectasis in the {side} lower lung.",
        ],
        ["{Side} basilar atelectasis.", "Subsegmental {side} basilar atelectasis."],
        ["lungs_clear"],
        imp_p=0.6,
    ),
    # significant
    F(
        "pna",
        "sig",
        [
            "Patchy airspace opacity in the {lobe}, concerning for pneumonia.",
            "Focal consolidation in the {lobe} with air bronchograms.",
            "Airspace disease in the {lobe}.",
            "Ill-defined infiltrate in the {lobe}.",
        ],
        [
            "{Lobe} pneumonia.",
            "{Lobe} consolidation, compatible with pneumonia in the appropriate clinical setting. "
            "Recommend follow-up to resolution in 6-8 weeks.",
            "{Lobe} infiltrate, likely pneumonia.",
            "Airspace disease in the {lobe}, consistent with pneumonia.",
        ],
        ["lungs_clear", "no_consol"],
        sig=True,
        lobes="pna",
        mention="consolidation",
    ),
    F(
        "modeff",
        "sig",
        [
            "{Effsize} {side} pleural effusion with adjacent compressive atelectasis.",
            "{Effsize} {side} pleural effusion layering to the mid hemithorax.",
            "{Effsize} {side} pleural effusion.",
        ],
        [
            "{Effsize} {side} pleural effusion.",
            "{Effsize} {side} pleural effusion. Consider thoracentesis as clinically indicated.",
        ],
        ["pleura", "no_eff", "lungs_clear"],
        sig=True,
        mention="effusion",
    ),
    F(
        "ptx",
        "sig",
        [
            "Small {side} apical pneumothorax with visible visceral pleural line.",
            "There is a {side} pneumothorax measuring approximately {ptxcm} cm at the apex.",
            "{Side} pneumothorax, approximately {pct}% by visual estimate.",
        ],
        [
            "{Side} pneumothorax. Results called to {nurse} at {time}.",
            "Small {side} apical pneumothorax. Findings communicated to the facility medical unit by phone at {time}.",
            "{Side} pneumothorax; recommend ED evaluation.",
        ],
        ["pleura", "no_ptx"],
        sig=True,
        mention="pneumothorax",
    ),
    F(
        "chf",
        "sig",
        [
            "Cardiomegaly with pulmonary vascular congestion and interstitial edema.",
            "Cephalization of pulmonary vessels and bilateral interstitial opacities with Kerley B lines, "
            "consistent with interstitial edema. The heart is enlarged.",
        ],
        [
            "Congestive heart failure with interstitial pulmonary edema.",
            "Cardiomegaly with interstitial edema, consistent with CHF.",
        ],
        ["lungs_clear", "vasc", "heart", "heart_only"],
        sided=False,
        sig=True,
        mention="edema",
    ),
    F(
        "nodule",
        "sig",
        [
            "{mm} mm noncalcified nodule in the {side} {zone} lung.",
            "There is a {mm} mm rounded nodular opacity in the {side} {zone} lung zone.",
        ],
        [
            "{mm} mm {side} {zone} lung nodule. Recommend CT chest for further evaluation.",
            "Indeterminate {mm} mm {side} lung nodule; non-emergent chest CT recommended.",
        ],
        ["lungs_clear"],
        sig=True,
        mention="nodule",
    ),
    F(
        "cavity",
        "sig",
        [
            "Nodular and patchy opacities in the {side} upper lobe with a {cm} cm cavitary component.",
            "Cavitary opacity in the {side} upper lobe.",
        ],
        [
            "{Side} upper lobe cavitary opacity, concerning for active tuberculosis. Recommend airborne "
            "isolation and sputum AFB x 3.",
            "Cavitary {side} upper lobe disease, suspicious for reactivation TB. Facility notified.",
        ],
        ["lungs_clear", "no_consol"],
        sig=True,
        mention="cavitary opacity",
    ),
    F(
        "mediast",
        "sig",
        [
            "The mediastinum appears widened on this AP portable view.",
            "Widening of the superior mediastinum.",
        ],
        ["Widened mediastinum. CT angiography of the chest recommended to evaluate for vascular injury."],
        ["heart", "mediast"],
        sided=False,
        sig=True,
        mention="mediastinum",
    ),
    F(
        "acuterib",
        "acute",
        [
            "Acute nondisplaced fracture of the {side} {ord} rib laterally.",
            "Minimally displaced fractures of the {side} lateral {ord} and {ord2} ribs.",
        ],
        ["Acute {side} rib fracture(s).", "Acute {side} {ord} rib fracture."],
        ["bones"],
        imp_p=1.0,
    ),
]
BANK_BY_KEY = {b["key"]: b for b in BANK}
ORD = ["4th", "5th", "6th", "7th", "8th", "9th"]


def fill_vars(rng, f):
    side = rng.choice(["right", "left"])
    v = {"side": side, "Side": side.capitalize(), "zone": rng.choice(["upper", "mid", "lower"])}
    v["part"] = rng.choice(["shoulder", "axillary", "chest wall", "supraclavicular"])
    i = rng.randrange(len(ORD) - 1)
    v["ord"], v["ord2"] = ORD[i], ORD[i + 1]
    v["mm"] = str(rng.choice([7, 8, 9, 10, 12, 14, 16]))
    v["cm"] = rng.choice(["1.5", "2", "2.5"])
    v["ptxcm"] = rng.choice(["1", "1.5", "2", "3"])
    v["pct"] = rng.choice(["10", "15", "20"])
    v["Effsize"] = rng.choice(["Moderate", "Moderate", "Large"])
    v["nurse"] = rng.choice(NURSES)
    v["time"] = _time(rng)
    lobe = f"{side} {rng.choice(['lower', 'lower', 'upper'])} lobe"
    v["lobe"], v["Lobe"] = lobe, lobe[0].upper() + lobe[1:]
    return v


def fmt(t, v):
    s = t.format(**v)
    return s[0].upper() + s[1:]


def make_finding(rng, key, sided_only=False):
    f = BANK_BY_KEY[key]
    v = fill_vars(rng, f)
    fi = rng.randrange(len(f["fins"]))
    ii = rng.randrange(len(f["imps"]))
    return {"f": f, "v": v, "fin_t": f["fins"][fi], "imp_t": f["imps"][ii], "in_imp": rng.random() < f["imp_p"]}


def normal_lines(rng, conflicts: set, structured: bool):
    """Normal statements avoiding any that contradict present findings."""
    lines = []  # (organ, sentence, tag)
    if "lungs_clear" not in conflicts:
        lines.append(("Lungs", rng.choice(NORMAL_SENT["lungs_clear"]), "lungs_clear"))
    elif "no_consol" not in conflicts:
        lines.append(("Lungs", rng.choice(NORMAL_SENT["no_consol"]), "no_consol"))
    if "pleura" not in conflicts:
        lines.append(("Pleura", rng.choice(NORMAL_SENT["pleura"]), "pleura"))
    else:
        if "no_eff" not in conflicts:
            lines.append(("Pleura", rng.choice(NORMAL_SENT["no_eff"]), "no_eff"))
        if "no_ptx" not in conflicts:
            lines.append(("Pleura", rng.choice(NORMAL_SENT["no_ptx"]), "no_ptx"))
    if "heart" not in conflicts:
        lines.append(("Heart/mediastinum", rng.choice(NORMAL_SENT["heart"]), "heart"))
    elif "heart_only" not in conflicts:
        lines.append(("Heart/mediastinum", rng.choice(NORMAL_SENT["heart_only"]), "heart_only"))
    elif "mediast" not in conflicts:
        lines.append(("Heart/mediastinum", rng.choice(NORMAL_SENT["mediast"]), "mediast"))
    if "vasc" not in conflicts and rng.random() < 0.35:
        lines.append(("Heart/mediastinum", rng.choice(NORMAL_SENT["vasc"]), "vasc"))
    if "bones" not in conflicts:
        opts = NORMAL_SENT["bones"][:3] if "bones_any" in conflicts else NORMAL_SENT["bones"]
        lines.append(("Bones", rng.choice(opts), "bones"))
    if "soft" not in conflicts and rng.random() < 0.3:
        lines.append(("Soft tissues", rng.choice(NORMAL_SENT["soft"]), "soft"))
    return lines


ORGAN_OF = {
    "granuloma": "Lungs",
    "apical": "Lungs",
    "spine": "Bones",
    "oldrib": "Bones",
    "mildcm": "Heart/mediastinum",
    "stablecm": "Heart/mediastinum",
    "aorta": "Heart/mediastinum",
    "copd": "Lungs",
    "bullet": "Soft tissues",
    "sternotomy": "Bones",
    "smalleff": "Pleura",
    "atel": "Lungs",
    "pna": "Lungs",
    "modeff": "Pleura",
    "ptx": "Pleura",
    "chf": "Lungs",
    "nodule": "Lungs",
    "cavity": "Lungs",
    "mediast": "Heart/mediastinum",
    "acuterib": "Bones",
}


SIG_HIST = {
    "ptx": (
        "sick",
        [
            "Chest pain after altercation.",
            "Assaulted in housing unit, chest wall pain.",
            "Sudden pleuritic chest pain and SOB.",
            "Stab wound to chest. ED.",
        ],
    ),
    "chf": (
        "sick",
        [
            "Dyspnea on exertion, bilateral leg swelling. Hx CHF.",
            "SOB, orthopnea.",
            "ED transfer from facility. Shortness of breath.",
        ],
    ),
    "pna": (
        "sick",
        [
            "Productive cough and fever x 5 days.",
            "Cough, r/o pneumonia.",
            "Fever and cough. HIV positive.",
            "Infirmary admission, fever.",
            "Cough x 3 weeks.",
        ],
    ),
    "cavity": (
        "sick",
        [
            "Cough, night sweats, weight loss. Rule out TB.",
            "Positive IGRA. Rule out active TB.",
            "Hemoptysis x 2 days.",
            "Intake TB screening. Reports cough x 1 month.",
        ],
    ),
    "modeff": (
        "sick",
        ["Pleuritic chest pain.", "Shortness of breath, infirmary bed.", "Follow-up effusion.", "Dyspnea."],
    ),
    "acuterib": (
        "sick",
        [
            "Fall from top bunk, rib pain.",
            "Assaulted in housing unit, chest wall pain.",
            "Chest pain after altercation.",
        ],
    ),
    "mediast": (
        "ed",
        ["Inmate transferred to ED after altercation, chest trauma.", "Fall down stairs, chest pain. ED."],
    ),
}


class Composed:
    def __init__(self, rng, keys, context=None, view=None):
        self.rng = rng
        if "mediast" in keys and view is None:
            view, context = "port", "ed"
        hist = None
        if keys and keys[0] in SIG_HIST and rng.random() < 0.8:
            context = context or SIG_HIST[keys[0]][0]
            hist = rng.choice(SIG_HIST[keys[0]][1])
        self.doc = base_doc(rng, context, view)
        if hist:
            self.doc["history"] = hist
        keys = [k for k in keys if not (BANK_BY_KEY[k]["needs_prior"] and not self.doc["has_prior"])]
        self.finds = [make_finding(rng, k) for k in keys]
        sides_used = {}
        for fd in self.finds:  # keep a single side per category to avoid ambiguity
            sides_used.setdefault(fd["f"]["key"], fd["v"]["side"])
        self.structured = rng.random() < 0.3
        conflicts = set()
        for fd in self.finds:
            conflicts |= fd["f"]["conflicts"]
            if fd["f"]["sig"] or fd["f"]["key"] in ("acuterib",):
                fd["in_imp"] = True
        self.normals = normal_lines(rng, conflicts, self.structured)
        self.tb = self.doc["context"] == "intake" or "TB" in self.doc["history"]

    def fin_sentence(self, fd, side_override=None):
        v = dict(fd["v"])
        if side_override:
            v = flip_vars(v)
        return fmt(fd["fin_t"], v)

    def imp_sentence(self, fd, side_override=None):
        v = dict(fd["v"])
        if side_override:
            v = flip_vars(v)
        return fmt(fd["imp_t"], v)

    def findings_text(self, fin_override=None, extra=None):
        fin_override = fin_override or {}
        items = []  # (organ, sentence)
        order = ["Lungs", "Pleura", "Heart/mediastinum", "Bones", "Soft tissues"]
        abn = [(ORGAN_OF[fd["f"]["key"]], fin_override.get(id(fd)) or self.fin_sentence(fd)) for fd in self.finds]
        norms = [(o, s) for o, s, _ in self.normals]
        if extra:
            norms = norms + extra
        for organ in order:
            for o, s in abn:
                if o == organ:
                    items.append((o, s))
            for o, s in norms:
                if o == organ:
                    items.append((o, s))
        if self.structured:
            lines = []
            for organ in order:
                ss = [s for o, s in items if o == organ]
                if ss:
                    lines.append(f"{organ}: " + " ".join(ss))
            return "\n".join(lines)
        return " ".join(s for _, s in items)

    def impression_items(self, imp_override=None, omit=None):
        rng = self.rng
        imp_override = imp_override or {}
        items = []
        for fd in self.finds:
            if omit is not None and fd is omit:
                continue
            if fd["in_imp"]:
                items.append(imp_override.get(id(fd)) or self.imp_sentence(fd))
        has_sig = any(fd["f"]["sig"] or fd["f"]["key"] == "acuterib" for fd in self.finds if fd is not omit)
        if not items:
            if not self.finds and rng.random() < 0.4:
                items.append(rng.choice(NORMAL_ONLY_IMPS))
            else:
                items.append(rng.choice(NORMAL_IMPS))
        elif not has_sig and rng.random() < 0.6:
            items.append(
                rng.choice(
                    [
                        "No acute cardiopulmonary process.",
                        "Otherwise no acute cardiopulmonary disease.",
                        "No acute process.",
                    ]
                )
            )
        if self.tb and not any(fd["f"]["key"] in ("cavity", "pna", "nodule") for fd in self.finds):
            if rng.random() < 0.75 and not any("TB" in s or "tuberculosis" in s for s in items):
                items.append(rng.choice(TB_IMPS_CHRONIC_OK if self.finds else TB_IMPS))
        return items

    def render(self, findings=None, impression=None):
        d = dict(self.doc)
        d["findings"] = findings
        d["impression"] = impression
        return render(d)


def flip_vars(v):
    v = dict(v)
    other = "left" if v["side"] == "right" else "right"
    v["side"], v["Side"] = other, other.capitalize()
    v["lobe"] = flip_sides(v["lobe"])
    v["Lobe"] = flip_sides(v["Lobe"])
    return v


INC_KEYS = [
    "granuloma",
    "apical",
    "spine",
    "oldrib",
    "mildcm",
    "stablecm",
    "aorta",
    "copd",
    "bullet",
    "sternotomy",
    "smalleff",
    "atel",
]
INC_W = [14, 12, 14, 8, 10, 5, 6, 6, 5, 3, 5, 8]
SIG_KEYS = ["pna", "modeff", "ptx", "chf", "nodule", "cavity", "mediast", "acuterib"]
SIG_W = [30, 12, 10, 12, 10, 6, 4, 8]


def pick_keys(rng, mode):
    if mode == "normal":
        return []
    if mode == "inc":
        n = rng.choices([1, 2], [75, 25])[0]
    else:
        n = rng.choices([0, 1], [65, 35])[0]
    keys = []
    while len(keys) < n:
        k = rng.choices(INC_KEYS, INC_W)[0]
        if k not in keys and not ({k, *keys} >= {"mildcm", "stablecm"}):
            keys.append(k)
    if mode == "sig":
        s = rng.choices(SIG_KEYS, SIG_W)[0]
        if s == "chf":
            keys = [k for k in keys if k not in ("mildcm", "stablecm", "smalleff", "copd")]
        if s in ("modeff",):
            keys = [k for k in keys if k != "smalleff"]
        keys.insert(0, s)
    return keys


def composed_clean(rng):
    mode = rng.choices(["normal", "inc", "sig"], [52, 30, 18])[0]
    c = Composed(rng, pick_keys(rng, mode))
    fin = c.findings_text()
    imp_items = c.impression_items()
    # a share of impression-only TB screens whose impression itself describes the film
    if mode == "normal" and rng.random() < 0.12:
        desc = rng.choice(
            [
                "Lungs are clear. Heart size is normal. No pleural effusion or pneumothorax. No "
                "radiographic evidence of active pulmonary tuberculosis.",
                "PA view: the lungs are clear without infiltrate, cavitation or hilar adenopathy. Heart "
                "and mediastinum normal. No effusion. Negative for active TB.",
                "Clear lungs, normal heart size, no effusion or hilar adenopathy. No evidence of active TB.",
            ]
        )
        return c.render(None, desc), "clean; impression-only TB screen that describes the film"
    return c.render(fin, fmt_imp(imp_items, rng)), "clean (" + (
        ", ".join(fd["f"]["key"] for fd in c.finds) or "normal"
    ) + ")"


def composed_missing(rng):
    mode = rng.choices(["normal", "inc", "sig"], [45, 30, 25])[0]
    c = Composed(rng, pick_keys(rng, mode))
    fin = c.findings_text()
    imp = fmt_imp(c.impression_items(), rng)
    v = rng.choices(["imp_empty", "imp_absent", "fin_empty", "fin_absent"], [35, 30, 20, 15])[0]
    if v in ("fin_empty", "fin_absent"):
        # a non-descriptive conclusion with no findings
        imp = rng.choice(NORMAL_IMPS + ["No acute process.", "No significant change."])
        if c.doc["has_prior"] is False and imp == "No significant change.":
            imp = "No acute process."
        if v == "fin_empty":
            return c.render("", imp), "FINDINGS header left empty; impression is a bare conclusion"
        return c.render(None, imp), "FINDINGS section absent; impression does not describe the film"
    if v == "imp_empty":
        return c.render(fin, ""), f"{c.doc['imp_hdr'].rstrip(':')} header left empty"
    return c.render(fin, None), "impression section missing entirely (report ends after findings)"


def composed_laterality(rng):
    sided = [
        "pna",
        "modeff",
        "ptx",
        "nodule",
        "cavity",
        "smalleff",
        "granuloma",
        "apical",
        "oldrib",
        "acuterib",
        "atel",
    ]
    k = rng.choices(sided, [25, 10, 10, 8, 5, 6, 8, 8, 5, 8, 7])[0]
    keys = pick_keys(rng, "inc") if rng.random() < 0.4 else []
    keys = [x for x in keys if BANK_BY_KEY[x]["sided"] is False and x != k]
    c = Composed(rng, [k] + keys)
    fd = c.finds[0]
    fd["in_imp"] = True
    where = rng.choice(["findings", "impression"])
    if where == "impression":
        fin = c.findings_text()
        imp = fmt_imp(c.impression_items(imp_override={id(fd): c.imp_sentence(fd, True)}), rng)
        det = f"impression places {fd['f']['key']} on the {flip_vars(fd['v'])['side']}; findings say {fd['v']['side']}"
    else:
        fin = c.findings_text(fin_override={id(fd): c.fin_sentence(fd, True)})
        imp = fmt_imp(c.impression_items(), rng)
        det = f"findings place {fd['f']['key']} on the {flip_vars(fd['v'])['side']}; impression says {fd['v']['side']}"
    return c.render(fin, imp), det


def composed_negation(rng):
    v = rng.choices(["imp_asserts", "imp_negates", "fin_two"], [45, 35, 20])[0]
    if v == "imp_asserts":
        # normal findings explicitly negate X; impression asserts X
        c = Composed(rng, pick_keys(rng, "inc") if rng.random() < 0.3 else [])
        tags = {t for _, _, t in c.normals}
        opts = []
        side = rng.choice(["right", "left"])
        if tags & {"pleura", "no_eff"}:
            opts.append(("effusion", f"Small {side} pleural effusion."))
            opts.append(("effusion", f"Moderate {side} pleural effusion."))
        if tags & {"pleura", "no_ptx"}:
            opts.append(("pneumothorax", f"Small {side} apical pneumothorax."))
        if "lungs_clear" in tags or "no_consol" in tags:
            opts.append(("consolidation", f"{side.capitalize()} lower lobe pneumonia."))
            opts.append(("consolidation", f"Patchy {side} basilar airspace disease, possibly early pneumonia."))
        if "heart" in tags or "heart_only" in tags:
            opts.append(("cardiomegaly", "Cardiomegaly."))
            opts.append(("cardiomegaly", "Mild cardiomegaly."))
        if "vasc" in tags and "pulmonary edema" in " ".join(s for _, s, _ in c.normals):
            opts.append(("edema", "Mild interstitial pulmonary edema."))
        concept, sent = rng.choice(opts)
        items = [sent]
        if rng.random() < 0.5:
            items.append("Otherwise no acute cardiopulmonary process.")
        return c.render(
            c.findings_text(), fmt_imp(items, rng)
        ), f"impression asserts {concept} ('{sent}') that findings negate"
    if v == "imp_negates":
        k = rng.choice(["mildcm", "smalleff", "atel", "nodule", "copd"])
        c = Composed(rng, [k])
        fd = c.finds[0]
        neg = {
            "mildcm": [
                "Normal heart size. No acute process.",
                "Heart size within normal limits. No acute cardiopulmonary disease.",
            ],
            "smalleff": ["No pleural effusion. No acute process.", "No effusion or pneumothorax."],
            "atel": ["Clear lungs. No acute process.", "The lungs are clear."],
            "nodule": ["No pulmonary nodule or mass. No acute process.", "No suspicious pulmonary nodule."],
            "copd": ["Normally inflated, clear lungs. No acute process.", "Lungs are normally expanded and clear."],
        }[k]
        sent = rng.choice(neg)
        items = [sent]
        if c.tb and rng.random() < 0.5:
            items.append(rng.choice(TB_IMPS_CHRONIC_OK))
        return c.render(
            c.findings_text(), fmt_imp(items, rng)
        ), f"findings affirm {k} ('{c.fin_sentence(fd)}'); impression negates it ('{sent}')"
    # two sentences within the findings contradict (normal macro pasted alongside)
    k = rng.choice(["mildcm", "pna", "smalleff", "atel", "modeff", "ptx"])
    c = Composed(rng, [k])
    fd = c.finds[0]
    f = fd["f"]
    paste = {
        "mildcm": ("Heart/mediastinum", "Heart size is normal."),
        "pna": ("Lungs", "The lungs are clear."),
        "smalleff": ("Pleura", "No pleural effusion."),
        "atel": ("Lungs", "The lungs are clear."),
        "modeff": ("Pleura", "No pleural effusion or pneumothorax."),
        "ptx": ("Pleura", "No pneumothorax."),
    }[k]
    fin = c.findings_text(extra=[paste])
    imp = fmt_imp(c.impression_items(), rng)
    return c.render(fin, imp), f"findings affirm {f['key']} and also contain the negating macro '{paste[1]}'"


def composed_omits(rng):
    s = rng.choices(["pna", "modeff", "ptx", "chf", "nodule", "cavity", "mediast"], [30, 14, 12, 14, 14, 8, 5])[0]
    inc = pick_keys(rng, "inc") if rng.random() < 0.45 else []
    inc = [
        k
        for k in inc
        if not (s == "chf" and k in ("mildcm", "stablecm", "smalleff", "copd"))
        and not (s == "modeff" and k == "smalleff")
    ]
    c = Composed(rng, [s] + inc)
    fd = c.finds[0]
    v = rng.random()
    if v < 0.6 or len(c.finds) == 1:
        items = [rng.choice(NORMAL_IMPS)]
        if c.tb and rng.random() < 0.6:
            items.append(rng.choice(TB_IMPS_CHRONIC_OK))
        det = "normal impression"
    else:
        items = []
        for o in c.finds[1:]:
            items.append(c.imp_sentence(o))
        items.append(
            rng.choice(
                ["Otherwise no acute cardiopulmonary process.", "No acute process.", "No other acute abnormality."]
            )
        )
        det = "impression lists only the incidental findings and"
    return c.render(
        c.findings_text(), fmt_imp(items, rng)
    ), f"findings affirm {fd['f']['mention']} ('{c.fin_sentence(fd)}'); {det} omits it"


PH_WORDS = re.compile(r"\b(right|left|\d+(?:\.\d+)?|small|moderate|mild|large|upper|lower|normal)\b", re.I)
PH_SIDE = ["[right/left]", "[***]", "[ ]", "<side>", "***"]
PH_NUM = ["[ ]", "***", "[***]", "[#]", "<#>"]
PH_GEN = ["[***]", "***", "[ ]", "<***>", "{***}", "[select]"]


def inject_placeholder(rng, text, allow_signoff=True):
    """Replace one word (a side, a number, a size word, a date) with a template blank."""
    head, signblock = text.rsplit("\n\n", 1)
    lines = head.split("\n")
    body_start = 0
    for i, ln in enumerate(lines):
        if re.match(
            r"\s*(FINDINGS|Findings|REPORT|IMPRESSION|Impression|CONCLUSION|OPINION|COMPARISON|CLINICAL|HISTORY|INDICATION|REASON)",
            ln,
        ):
            body_start = i
            break
    cands = []
    pat = re.compile(
        r"\b(right|left|Right|Left|\d\d/\d\d/\d{4}|\d+(?:\.\d+)?|small|moderate|mild|large|upper|lower|normal)\b",
        re.I,
    )
    for i in range(body_start, len(lines)):
        ln = lines[i]
        if re.match(r"\s*(Electronically|Dictated|Date/Time|Signed|E-signed|Read by|I have|Board)", ln):
            continue
        for m in pat.finditer(ln):
            # never the list number of a numbered impression
            if re.fullmatch(r"\d+", m.group(0)) and re.match(r"\. [A-Z]", ln[m.end() : m.end() + 3]):
                continue
            cands.append((i, m))
    if allow_signoff and rng.random() < 0.12:
        slines = signblock.split("\n")
        for i, ln in enumerate(slines):
            mm = re.match(r"(Electronically signed by: |Dictated by: )(.+)$", ln)
            if mm:
                slines[i] = mm.group(1) + rng.choice(["[***]", "***", "[Radiologist name]"])
                det = f"radiologist name in sign-off left as a blank field ('{slines[i]}')"
                return head + "\n\n" + "\n".join(slines), det

    def weight(m):
        w = m.group(0).lower()
        if w in ("right", "left") or "/" in w:
            return 4
        if re.fullmatch(r"[\d.]+", w):
            return 3
        return 1 if w == "normal" else 2

    if not cands:
        return None
    i, m = rng.choices(cands, [weight(c[1]) for c in cands])[0]
    w = m.group(0)
    if w.lower() in ("right", "left"):
        ph = rng.choice(PH_SIDE)
    elif re.fullmatch(r"\d\d/\d\d/\d{4}", w):
        ph = rng.choice(["[DATE]", "**/**/****", "[date of prior]", "[***]"])
    elif re.fullmatch(r"[\d.]+", w):
        ph = rng.choice(PH_NUM)
    elif w.lower() == "normal":
        ph = rng.choice(["[normal/abnormal]", "[***]", "***"])
    else:
        ph = rng.choice(PH_GEN)
    ln = lines[i]
    lines[i] = ln[: m.start()] + ph + ln[m.end() :]
    return "\n".join(
        lines
    ) + "\n\n" + signblock, f"'{w}' replaced by unfilled field '{ph}' in: {lines[i].strip()[:120]}"


def composed_placeholder(rng):
    while True:
        text, _ = composed_clean(rng)
        if PH_WORDS.search(text.rsplit("\n\n", 1)[0]):
            break
    # an unfilled comparison date / history field is also this setting's slip
    r = rng.random()
    if r < 0.12 and "COMPARISON:" in text:
        new = re.sub(
            r"COMPARISON:( |\n)[^\n]*",
            lambda m: "COMPARISON:" + m.group(1) + rng.choice(["[***]", "[DATE]", "[ ]"]),
            text,
            count=1,
        )
        return new, "comparison field left as an unfilled template blank"
    if r < 0.2 and "REFERRING: " in text:
        new = re.sub(r"REFERRING: [^\n]*", "REFERRING: " + rng.choice(["[***]", "[ordering provider]"]), text, count=1)
        return new, "referring provider field left blank"
    out = inject_placeholder(rng, text)
    if out is None:
        return composed_placeholder(rng)
    return out


# ---------------------------------------------------------------------------
# real reports
# ---------------------------------------------------------------------------

REWORD = [
    (
        r"\bNo acute cardiopulmonary abnormality\b",
        ["No acute cardiopulmonary process", "No acute cardiopulmonary abnormality"],
    ),
    (
        r"\bNo acute cardiopulmonary disease\b",
        ["No acute cardiopulmonary process", "No active cardiopulmonary disease"],
    ),
    (r"(^|(?<=\. ))There (?:is|are) no evidence of ", ["No evidence of "]),
    (r"(^|(?<=\. ))There (?:is|are) no ", ["No "]),
    (r"(?i)\bcardio mediastinal\b", ["cardiomediastinal"]),
    (r"\bx-XXXX\b", ["x-ray"]),
]


def reword(rng, s: str) -> str:
    for pat, reps in REWORD:
        rep = rng.choice(reps)
        s = re.sub(pat, lambda m, rep=rep: (m.group(1) if m.groups() and m.group(1) else "") + rep, s)
    return s


def real_doc(rng, r):
    hist = r["indication"].strip()
    ctx = "sick"
    if re.search(r"\b(TB|PPD|tuberc|screen)", hist, re.I):
        ctx = "intake"
    doc = base_doc(rng, ctx, "two")
    if not hist:
        hist = rng.choice(["Not provided.", rng.choice(HIST["intake"]), rng.choice(HIST["sick"])])
    doc["history"] = hist
    comp = r["comparison"].strip()
    doc["comparison"] = comp or "None."
    doc["has_prior"] = bool(comp) and not re.match(r"none", comp, re.I)
    if rng.random() < 0.5:
        doc["technique"] = None
    return doc


def real_text(rng, r, findings, impression):
    doc = real_doc(rng, r)
    f = reword(rng, findings) if findings else findings
    i = reword(rng, impression) if impression else impression
    if i and rng.random() < 0.3:
        ss = sentences(i)
        if len(ss) > 1 and not re.match(r"\d", ss[0]):
            i = "\n".join(f"{k + 1}. {s}" for k, s in enumerate(ss))
    doc["findings"], doc["impression"] = f, i
    return render(doc)


def real_case(rng, kind, r):
    fin, imp = r["findings"], r["impression"]
    if kind is None:
        return real_text(rng, r, fin, imp), "clean (real report, re-laid-out)"
    if kind == "missing_section":
        v = rng.random()
        if v < 0.45:
            return real_text(rng, r, fin, ""), "impression emptied (header left)"
        if v < 0.75:
            return real_text(rng, r, fin, None), "impression section removed"
        return real_text(rng, r, "", imp), "findings emptied (header left); impression is a bare conclusion"
    if kind == "laterality_conflict":
        g, f_s, i_s = lat_pair(r)
        if rng.random() < 0.5:
            new_i = imp.replace(i_s, flip_sides(i_s), 1)
            return real_text(rng, r, fin, new_i), f"impression side flipped: '{flip_sides(i_s)}' vs findings '{f_s}'"
        new_f = fin.replace(f_s, flip_sides(f_s), 1)
        return real_text(rng, r, new_f, imp), f"findings side flipped: '{flip_sides(f_s)}' vs impression '{i_s}'"
    if kind == "negation_conflict":
        concs = [c for c, pat in NEG_CONCEPTS if re.search(pat, fin, re.I)]
        c = rng.choice(concs)
        side = rng.choice(["right", "left"])
        sent = {
            "effusion": rng.choice([f"Small {side} pleural effusion.", f"{side.capitalize()} pleural effusion."]),
            "pneumothorax": rng.choice([f"Small {side} apical pneumothorax.", f"Tiny {side} pneumothorax."]),
            "lungs": rng.choice(
                [
                    f"{side.capitalize()} lower lobe pneumonia.",
                    f"Patchy {side} basilar infiltrate.",
                    f"{side.capitalize()} upper lobe consolidation.",
                ]
            ),
            "heart": rng.choice(["Cardiomegaly.", "Mild cardiomegaly.", "Enlarged cardiac silhouette."]),
            "edema": rng.choice(["Mild pulmonary edema.", "Interstitial edema, likely CHF."]),
        }[c]
        tail = rng.choice(["", " Otherwise no acute process.", " No other acute abnormality."])
        return real_text(rng, r, fin, sent + tail), f"impression replaced by '{sent}' which findings negate ({c})"
    if kind == "impression_omits_finding":
        g, s = sig_finding(r)
        new_i = rng.choice(NORMAL_IMPS)
        if rng.random() < 0.3:
            new_i += " " + rng.choice(TB_IMPS_CHRONIC_OK)
        return real_text(rng, r, fin, new_i), f"findings affirm {g} ('{s}'); impression replaced by normal '{new_i}'"
    if kind == "placeholder":
        text = real_text(rng, r, fin, imp)
        return inject_placeholder(rng, text, allow_signoff=False)
    raise ValueError(kind)


# ---------------------------------------------------------------------------


COMPOSERS = {
    None: composed_clean,
    "missing_section": composed_missing,
    "laterality_conflict": composed_laterality,
    "negation_conflict": composed_negation,
    "impression_omits_finding": composed_omits,
    "placeholder": composed_placeholder,
}


def real_pools(reports, dev):
    usable = [r for r in reports if r["uid"] not in dev and _ok_real(r)]
    normal = [r for r in usable if is_normal(r)]
    benign = [r for r in usable if is_benign(r)]
    nonorm_imp = re.compile(
        r"^(no acute|no active|normal|negative|no evidence of acute|no radiographic evidence of acute)[^.]*\.?$", re.I
    )
    pools = {
        None: (normal, benign),
        "missing_section": (normal + benign, None),
        "laterality_conflict": ([r for r in usable if lat_pair(r)], None),
        "negation_conflict": (
            [r for r in normal if any(re.search(p, r["findings"], re.I) for _, p in NEG_CONCEPTS)],
            None,
        ),
        "impression_omits_finding": ([r for r in usable if sig_finding(r)], None),
        "placeholder": ([r for r in normal + benign if PH_WORDS.search(r["findings"] + " " + r["impression"])], None),
    }
    fin_empty_ok = [r for r in normal if nonorm_imp.match(r["impression"])]
    return pools, fin_empty_ok


def build_with_sources(seed: int) -> list:
    rng = random.Random(f"h85-{seed}")
    dev = load_dev_uids()
    reports = load_iu()
    pools, fin_empty_ok = real_pools(reports, dev)
    used = set()
    rows = []

    def take(pool):
        cand = [r for r in pool if r["uid"] not in used]
        r = rng.choice(cand)
        used.add(r["uid"])
        return r

    groups = [(None, N_CLEAN)] + [(k, N_PER_KIND) for k in KINDS]
    for kind, n in groups:
        half = n // 2
        for _ in range(n - half):
            text, det = COMPOSERS[kind](rng)
            rows.append({"injected": kind, "detail": det, "report": text, "source": "composed"})
        for _ in range(half):
            if kind is None:
                pool = pools[None][0] if rng.random() < 0.75 else pools[None][1]
            elif kind == "missing_section":
                pool = pools[kind][0]
            else:
                pool = pools[kind][0]
            r = take(pool)
            if kind == "missing_section":
                # findings-emptied variant only where the impression is a bare conclusion
                for _attempt in range(20):
                    text, det = real_case(rng, kind, r)
                    if not det.startswith("findings emptied") or r in fin_empty_ok:
                        break
            else:
                res = real_case(rng, kind, r)
                while res is None:
                    r = take(pool)
                    res = real_case(rng, kind, r)
                text, det = res
            rows.append({"injected": kind, "detail": det, "report": text, "source": r["uid"]})
    rng.shuffle(rows)
    for n, row in enumerate(rows):
        row["id"] = f"h85-{seed}-{n}"
    return rows


def build(seed: int) -> list:
    return [
        {"id": r["id"], "injected": r["injected"], "detail": r["detail"], "report": r["report"]}
        for r in build_with_sources(seed)
    ]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            sel = [r for r in rows if r["injected"] == kind][: a.show]
            for r in sel:
                print("=" * 70)
                print(f"{r['id']}  [{kind}]  {r['detail']}")
                print("-" * 70)
                print(r["report"])
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
