"""Held-out report-check set 90, written blind (without reading the checker).

Setting: Australian metropolitan tertiary hospitals (Melbourne, Sydney, Brisbane,
Perth): emergency department, general medicine and surgical wards, ICU mobile
films and respiratory clinics, reported by FRANZCR consultants and registrars.
Australian spelling (oedema, haemothorax, visualised, favour), local
abbreviations (CXR, ICC, ETT, NGT, PICC, CVC, LRTI, SOB, ?PTX), DD/MM/YYYY
dates, exam line / clinical history / comparison / technique / findings /
impression-conclusion-opinion-comment / sign-off layouts.

400 cases: 200 clean and 40 of each kind (missing_section, laterality_conflict,
negation_conflict, impression_omits_finding, placeholder).  Half of each group
is composed from a phrase bank; half are real IU reports (excluding every dev
uid) re-laid-out in the setting's style with light Australian re-wording.

    python -m bench.make_heldout90 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tarfile
from functools import lru_cache
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

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


def dev_uids() -> set[str]:
    p = shared_dir() / "eval" / "report_errors_dev.jsonl"
    out = set()
    with open(p, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


# --------------------------------------------------------------------------
# IU reports
# --------------------------------------------------------------------------

def _xml_text(s: str) -> str:
    s = re.sub(r"<[^>]+>", "", s)
    s = (s.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
         .replace("&quot;", '"').replace("&apos;", "'"))
    return re.sub(r"\s+", " ", s).strip()


@lru_cache(maxsize=2)
def load_iu(path: str) -> tuple:
    rows = []
    with tarfile.open(path) as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            x = tf.extractfile(m).read().decode("utf-8", "replace")
            u = re.search(r'<uId id="([^"]+)"', x)
            if not u:
                continue
            secs = {}
            for lab in ("COMPARISON", "INDICATION", "FINDINGS", "IMPRESSION"):
                mm = re.search(rf'<AbstractText Label="{lab}">(.*?)</AbstractText>', x, re.S)
                secs[lab.lower()] = _xml_text(mm.group(1)) if mm else ""
            secs["uid"] = u.group(1)
            rows.append(secs)
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(rows)


NEG = re.compile(r"\b(no|not|without|negative|clear|free of|resolved|resolution|removed|normal|unremarkable|"
                 r"nor|absent|excluded?)\b", re.I)
ABN = re.compile(r"(opaci|consolidat|effusion|pneumothora|edema|oedema|cardiomegaly|enlarge|nodul|mass\b|"
                 r"atelecta|infiltrat|airspace|air space|granulom|scar|fracture|degenerat|hyperinfla|emphysem|"
                 r"catheter|tube|pacemaker|sternotomy|calcif|tortuous|ectatic|pneumonia|collapse|thicken|"
                 r"density|densities|hernia|prominen|widen|copd|blunt|elevat|congest|fibros|surgical|clip|"
                 r"kyphos|scolios|deformit|lesion|cyst|bulla|abnormal|interstitial|wire|port|device|stent)", re.I)
SIG = {
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "consolidation": re.compile(r"consolidat|pneumonia|infiltrat|airspace (disease|opaci)|air space (disease|opaci)",
                                re.I),
    "oedema": re.compile(r"\bedema|oedema|vascular congestion|\bchf\b", re.I),
    "effusion": re.compile(r"effusion", re.I),
    "mass": re.compile(r"\bmass\b", re.I),
}
SMALL = re.compile(r"\b(small|trace|tiny|minimal|minor|slight|blunting|possible|questionable|may|could|"
                   r"cannot be excluded|versus|vs|suspect\w*|possibl\w*|probabl\w*|equivocal|"
                   r"questionabl\w*|\?)\b", re.I)
OLD = re.compile(r"\b(chronic|old|stable|unchanged|healed|prior|previous|resolv\w*|improv\w*|scar\w*|"
                 r"history of|known|again)\b", re.I)
HEDGE = re.compile(r"\b(large|definite|significant|sizable|sizeable|moderate|obvious|gross|definitive|"
                   r"visible|convincing|appreciable|focal)\b", re.I)
NORMAL_IMP = re.compile(r"^(1\. )?(no acute|no active|negative|normal chest|no evidence of acute|"
                        r"no radiographic evidence of acute|no acute cardiopulmonary)", re.I)


def sents(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text:
        return []
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)
    return [p.strip() for p in parts if p.strip()]


def affirmed(sent: str) -> bool:
    return bool(ABN.search(sent)) and not NEG.search(sent)


def analyse(r: dict) -> dict:
    fs = sents(r["findings"])
    info = {"fs": fs}
    info["normal"] = (not any(affirmed(s) for s in fs)) and bool(NORMAL_IMP.search(r["impression"])) \
        and len(r["impression"]) < 90 and not re.search(r"\b(but|however|except|although|stable|chronic|"
                                                        r"unchanged|degenerat|granulom|old)\b",
                                                        r["impression"], re.I)
    sigs = {}
    for s in fs:
        if NEG.search(s) or SMALL.search(s) or OLD.search(s):
            continue
        for k, rx in SIG.items():
            if rx.search(s):
                sigs.setdefault(k, s)
    info["sig"] = sigs
    return info


AU_SPELL = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bhemorrhage", "haemorrhage"),
    (r"\bhemothorax", "haemothorax"), (r"\besophag", "oesophag"), (r"\bEsophag", "Oesophag"),
    (r"\btumor", "tumour"), (r"\bcentimeter", "centimetre"), (r"\bmillimeter", "millimetre"),
    (r"\bfavor", "favour"), (r"\bcolor", "colour"), (r"\bvisualized", "visualised"), (r"\bVisualized", "Visualised"),
    (r"\bcharacterized", "characterised"), (r"\blocalized", "localised"), (r"\bhilum\b", "hilum"),
    (r"\bx-ray\b", "X-ray"), (r"\bgray\b", "grey"), (r"\bipsilateral", "ipsilateral"),
    (r"\bpediatric", "paediatric"), (r"\banesthe", "anaesthe"), (r"\bischemi", "ischaemi"),
    (r"\bleukemia", "leukaemia"), (r"\bsulcus", "sulcus"), (r"\bcalcified granuloma", "calcified granuloma"),
]
AU_PHRASE = [
    (r"\bNo acute cardiopulmonary (abnormality|disease|process|findings?)\b", [
        "No acute cardiorespiratory abnormality", "No acute cardiopulmonary abnormality",
        "No acute cardiopulmonary process", "No acute chest abnormality"]),
    (r"\bcardiomediastinal silhouette\b", ["cardiomediastinal silhouette", "cardiomediastinal contour"]),
    (r"\bNo pneumothorax\b", ["No pneumothorax", "No pneumothorax is seen"]),
]


def au_reword(text: str, rng: random.Random) -> str:
    for a, b in AU_SPELL:
        text = re.sub(a, b, text)
    for a, opts in AU_PHRASE:
        if re.search(a, text) and rng.random() < 0.5:
            text = re.sub(a, rng.choice(opts), text, count=1)
    text = re.sub(r"\.(\s*\.)+", ".", text)
    return text


# --------------------------------------------------------------------------
# Setting: layouts, histories, sign-offs
# --------------------------------------------------------------------------

SURN = ["Nguyen", "Whitfield", "Kaur", "O'Brien", "Papadopoulos", "Chen", "Fitzgerald", "Patel", "McLeod",
        "Tran", "Hollis", "Rossi", "Singh", "Kowalski", "Murray", "Lim", "Abbott", "Delaney", "Haddad", "Walsh"]
INIT = ["A", "B", "C", "D", "E", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "T", "W"]

CONTEXTS = {
    "ed": {
        "exam": ["XR CHEST", "CHEST X-RAY", "CXR PA AND LATERAL", "XR CHEST PA/LAT", "Chest X-ray (PA and lateral)",
                 "XR CHEST 1 VIEW", "Chest radiograph"],
        "tech": ["PA and lateral erect views.", "Single PA erect view.",
                 "AP erect view (patient unable to stand for PA)."],
        "hist": ["SOB. ?LRTI", "Cough and fever for 3/7. ?consolidation", "Pleuritic chest pain. ?PTX",
                 "Chest pain, troponin negative.", "Fall onto R side, chest wall pain. ?rib #",
                 "SOB, bilateral leg swelling. ?CCF", "Productive cough, febrile 38.6. ?pneumonia",
                 "Haemoptysis x2. Ex-smoker.", "Tachypnoea, SpO2 91% RA.", "MVA, seatbelt bruising.",
                 "Palpitations. ?cardiac cause", "Syncope. Rule out chest pathology.",
                 "Asthma exacerbation, not settling with nebs.", "Presented with fevers and rigors. ?source",
                 "Sharp L sided chest pain on inspiration.", "Sudden onset R chest pain, tall thin male."],
    },
    "ward": {
        "exam": ["XR CHEST", "CHEST X-RAY", "CXR", "XR CHEST PA", "Chest X-ray (PA)"],
        "tech": ["PA erect view.", "PA and lateral views.", "AP semi-erect view on the ward."],
        "hist": ["Day 3 post hemicolectomy, spiking temps. ?basal collapse", "Hospital acquired pneumonia?",
                 "Increasing O2 requirement.", "Post PICC insertion, check position.",
                 "Fluid overloaded? On frusemide.",
                 "Aspiration risk, coughing with meals.", "Known CCF, increased SOB.", "Pre-operative assessment.",
                 "Febrile neutropenia.", "Post op day 2 lap chole, desaturating.", "Delirium. ?infective source",
                 "NGT insertion - confirm position prior to use.", "Decreased air entry R base.",
                 "Pre-op, elective TKR."],
    },
    "icu": {
        "exam": ["XR CHEST MOBILE", "MOBILE CHEST X-RAY", "CXR (MOBILE AP)", "Chest X-ray mobile AP supine",
                 "XR CHEST PORTABLE"],
        "tech": ["Single AP supine mobile view.", "AP semi-erect mobile view.", "AP supine portable view."],
        "hist": ["Intubated and ventilated. ETT position.", "Post R IJ CVC insertion.", "Post L ICC insertion.",
                 "Ventilated, rising FiO2.", "Post cardiac surgery, day 1.", "Septic shock, ?source.",
                 "Routine ICU film.", "Post NGT insertion.", "Post extubation, increased work of breathing."],
    },
    "resp": {
        "exam": ["XR CHEST PA/LAT", "CHEST X-RAY PA AND LATERAL", "CXR", "Chest radiograph (2 views)"],
        "tech": ["PA and lateral views.", "PA and lateral erect views."],
        "hist": ["COPD, routine review.", "Chronic cough 8 weeks, non-smoker.", "Follow up of RLL pneumonia.",
                 "Sarcoidosis follow up.", "Bronchiectasis, annual review.", "Weight loss, ex-smoker 40 pack years.",
                 "Incidental nodule on CT, follow up.", "Exertional dyspnoea, ?ILD.",
                 "Asthma, poorly controlled.", "Post treatment for CAP, ensure resolution."],
    },
}
CTX_WEIGHTS = [("ed", 40), ("ward", 25), ("icu", 15), ("resp", 20)]


def pick_ctx(rng):
    tot = sum(w for _, w in CTX_WEIGHTS)
    x = rng.uniform(0, tot)
    for k, w in CTX_WEIGHTS:
        x -= w
        if x <= 0:
            return k
    return "ed"


def rand_date(rng):
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2024, 2025, 2026])}"


def comparison_line(rng, ctx):
    opts = ["None available.", "Nil.", "No prior imaging available.", "None.",
            f"Previous CXR {rand_date(rng)}.", f"Chest X-ray {rand_date(rng)}.",
            f"Prior study dated {rand_date(rng)}.", f"CT chest {rand_date(rng)}."]
    if ctx == "icu":
        opts += ["Yesterday's film.", "Mobile CXR earlier today.", f"CXR {rand_date(rng)}."]
    return rng.choice(opts)


def signoff(rng):
    s1, s2 = rng.sample(SURN, 2)
    c = f"Dr {rng.choice(INIT)}. {s1}"
    r = f"Dr {rng.choice(INIT)}. {s2}"
    opts = [
        f"{c} FRANZCR",
        f"Reported by: {c}\nConsultant Radiologist",
        f"Reported by: {r} (Radiology Registrar)\nVerified by: {c} FRANZCR",
        f"Electronically signed by {c}, Radiologist",
        f"{r} (Registrar) / {c} (Consultant)",
        f"Thank you for referring this patient.\n{c} FRANZCR",
        "",
    ]
    return rng.choice(opts)


LAYOUTS = [
    # (exam prefix, history label, comparison label, technique label or None, findings label, impression label)
    ("", "CLINICAL HISTORY", "COMPARISON", None, "FINDINGS", "IMPRESSION"),
    ("", "Clinical details", "Comparison", "Technique", "Findings", "Conclusion"),
    ("EXAMINATION: ", "HISTORY", "COMPARISON", "TECHNIQUE", "FINDINGS", "OPINION"),
    ("", "Clinical notes", "Comparison", None, "Report", "Conclusion"),
    ("Examination: ", "Clinical history", "Comparison", None, "Findings", "Impression"),
    ("", "Clinical information", "Compared with", None, "Report", "Comment"),
    ("", "INDICATION", "COMPARISON", "TECHNIQUE", "FINDINGS", "CONCLUSION"),
]


def render(case: dict) -> str:
    """case: exam, layout, hist, comp, tech, findings (str|None), impression (str|None), sign, inline."""
    pre, hl, cl, tl, fl, il = case["layout"]
    inline = case.get("inline", False)
    parts = [pre + case["exam"]]
    if case.get("hist") is not None:
        parts.append("{}: {}".format(hl, case["hist"]))
    if case.get("comp") is not None:
        parts.append("{}: {}".format(cl, case["comp"]))
    if tl and case.get("tech"):
        parts.append("{}: {}".format(tl, case["tech"]))

    def sec(label, body):
        if body is None:
            return None
        if body == "":
            return label + ":"
        return f"{label}: {body}" if inline and "\n" not in body else f"{label}:\n{body}"

    for lab, body in ((fl, case.get("findings")), (il, case.get("impression"))):
        s = sec(lab, body)
        if s is not None:
            parts.append(s)
    if case.get("sign"):
        parts.append(case["sign"])
    return "\n\n".join(parts)


def tech_for(rng, exam, ctx):
    e = exam.upper()
    if "MOBILE" in e or "PORTABLE" in e or ctx == "icu":
        return rng.choice(CONTEXTS["icu"]["tech"])
    if "LAT" in e or "2 VIEWS" in e:
        return rng.choice(["PA and lateral views.", "PA and lateral erect views."])
    if "1 VIEW" in e or e.endswith("PA") or "(PA)" in e:
        return rng.choice(["Single PA erect view.", "PA erect view."])
    return rng.choice(CONTEXTS[ctx]["tech"])


def hist_side(hist):
    m = re.search(r"\b(R|L|right|left)\b", hist or "", re.I)
    if not m:
        return None
    return "R" if m.group(1).lower().startswith("r") else "L"


def new_frame(rng, ctx=None):
    ctx = ctx or pick_ctx(rng)
    c = CONTEXTS[ctx]
    exam = rng.choice(c["exam"])
    return {
        "ctx": ctx,
        "exam": exam,
        "layout": rng.choice(LAYOUTS),
        "hist": rng.choice(c["hist"]),
        "comp": comparison_line(rng, ctx),
        "tech": tech_for(rng, exam, ctx),
        "sign": signoff(rng),
        "inline": rng.random() < 0.35,
    }


# --------------------------------------------------------------------------
# Phrase bank
# --------------------------------------------------------------------------

SIDES = {"R": ("right", "Right"), "L": ("left", "Left")}
OPP = {"R": "L", "L": "R"}

NORMAL = {
    "lines": [],
    "lung": ["The lungs are clear.", "Lungs are clear.", "Clear lungs.", "No focal consolidation.",
             "The lungs are well expanded and clear.", "No focal airspace opacity."],
    "pleura": ["No pleural effusion or pneumothorax.", "No effusion or pneumothorax.",
               "Costophrenic angles are clear. No pneumothorax.", "Pleural spaces are clear."],
    "heart": ["Heart size is normal.", "Cardiomediastinal contours are within normal limits.",
              "Normal cardiac size and mediastinal contours.", "The cardiomediastinal silhouette is unremarkable.",
              "Heart size and mediastinal contour are normal."],
    "bones": ["No acute bony abnormality.", "Visualised osseous structures are unremarkable.",
              "Bones are unremarkable.", ""],
}
NORMAL_IMPS = ["No acute cardiorespiratory abnormality.", "Normal chest X-ray.", "No acute abnormality.",
               "No active chest disease.", "Clear lungs. No acute abnormality.", "Normal study.",
               "No radiographic evidence of pneumonia.", "NAD.", "No acute cardiopulmonary process."]
# generic impression macros used to paste over impressions (no specific negation of any entity)
MACRO_IMPS = ["No acute cardiorespiratory abnormality.", "No acute abnormality.", "No acute intrathoracic process.",
              "No significant abnormality detected.", "No acute change.", "Stable appearances.",
              "No acute cardiopulmonary process.", "NAD.", "Nil acute."]


def _s(side, cap=False):
    return SIDES[side][1 if cap else 0]


def make_finding(kind, rng, side=None):
    """Return a finding dict: key, side, region, f (findings text), i (impression text), sig, replaces_region."""
    side = side or rng.choice("RL")
    s, S = _s(side), _s(side, True)
    if kind == "consolidation":
        lobe = rng.choice(["lower lobe", "lower lobe", "lower zone", "upper lobe", "upper zone", "mid zone"])
        f = rng.choice([
            f"{S} {lobe} consolidation with air bronchograms.",
            f"Patchy airspace opacity in the {s} {lobe}, in keeping with consolidation.",
            f"New {s} {lobe} consolidation.",
            f"There is dense consolidation in the {s} {lobe}.",
        ])
        i = rng.choice([
            f"{S} {lobe} consolidation, in keeping with pneumonia in the clinical context.",
            f"{S} {lobe} pneumonia.",
            f"Consolidation in the {s} {lobe}, likely infective. Recommend follow-up CXR in 6 weeks post treatment "
            "to ensure resolution.",
            f"{S} {lobe} consolidation, favour infection.",
        ])
        return dict(key="consolidation", side=side, region="lung", f=f, i=i, sig=True, word="consolidation")
    if kind == "effusion_mod":
        size = rng.choice(["Moderate", "Large", "Moderate to large"])
        f = rng.choice([
            f"{size} {s} pleural effusion with adjacent compressive atelectasis.",
            f"{size} {s} pleural effusion.",
            f"There is a {size.lower()} {s} pleural effusion, increased since the prior study.",
        ])
        i = rng.choice([f"{size} {s} pleural effusion.", f"{size} {s} effusion.",
                        f"{size} {s} pleural effusion. Underlying consolidation cannot be excluded."])
        return dict(key="effusion", side=side, region="pleura", f=f + " No pneumothorax.", i=i, sig=True,
                    word="effusion")
    if kind == "effusion_small":
        f = rng.choice([f"Small {s} pleural effusion.", f"Blunting of the {s} costophrenic angle, in keeping with a "
                        "small effusion.", f"Trace {s} pleural effusion."])
        i = rng.choice([f"Small {s} pleural effusion.", f"Small {s} effusion."])
        return dict(key="effusion", side=side, region="pleura", f=f + " No pneumothorax.", i=i, sig=False,
                    word="effusion")
    if kind == "pneumothorax":
        mm = rng.choice([8, 12, 15, 20, 25, 30])
        f = rng.choice([
            f"{S} apical pneumothorax with a rim of {mm} mm.",
            f"There is a {s} pneumothorax, measuring {mm} mm at the apex. No mediastinal shift.",
            f"Small {s} apical pneumothorax ({mm} mm).",
        ])
        i = rng.choice([f"{S} pneumothorax.", f"{S} apical pneumothorax, {mm} mm.",
                        f"{S} pneumothorax. Findings communicated to the ED registrar."])
        return dict(key="pneumothorax", side=side, region="pleura", f=f + " No pleural effusion.", i=i, sig=True,
                    word="pneumothorax")
    if kind == "oedema":
        f = rng.choice([
            "Upper lobe venous diversion, interstitial septal lines and perihilar haziness, in keeping with "
            "pulmonary oedema.",
            "Bilateral perihilar airspace opacity and Kerley B lines, consistent with pulmonary oedema.",
            "Pulmonary venous congestion with interstitial oedema.",
        ])
        i = rng.choice(["Pulmonary oedema.", "Features of congestive cardiac failure with interstitial oedema.",
                        "Cardiac failure with pulmonary oedema."])
        return dict(key="oedema", side=None, region="lung", f=f, i=i, sig=True, word="oedema",
                    heart=rng.choice(["The heart is enlarged.", "Cardiomegaly.", "Moderate cardiomegaly."]))
    if kind == "nodule":
        mm = rng.choice([7, 8, 9, 11, 12, 14, 18])
        zone = rng.choice(["upper", "mid", "lower"])
        f = f"A {mm} mm nodule projects over the {s} {zone} zone."
        i = rng.choice([f"{mm} mm {s} {zone} zone nodule. CT chest recommended for further assessment.",
                        f"{S} {zone} zone pulmonary nodule ({mm} mm); CT is suggested."])
        return dict(key="nodule", side=side, region="lung", f=f + " The lungs are otherwise clear.", i=i, sig=True,
                    word="nodule", replaces=True)
    if kind == "mass":
        f = f"There is a {rng.choice([30, 35, 42, 50])} mm mass in the {s} hilar region."
        i = rng.choice([f"{S} hilar mass. Recommend CT chest with contrast.",
                        f"{S} hilar mass, suspicious for malignancy. CT chest advised."])
        return dict(key="mass", side=side, region="lung", f=f + " The lungs are otherwise clear.", i=i, sig=True,
                    word="mass", replaces=True)
    if kind == "cardiomegaly":
        f = rng.choice(["Mild cardiomegaly, unchanged.", "The heart is mildly enlarged, stable.",
                        "Cardiothoracic ratio is mildly increased, stable from the prior study."])
        i = rng.choice(["Stable mild cardiomegaly.", "Mild cardiomegaly, unchanged."])
        return dict(key="cardiomegaly", side=None, region="heart", f=f + " Mediastinal contours are normal.", i=i,
                    sig=False, word="cardiomegaly")
    if kind == "atelectasis":
        f = rng.choice([f"Linear atelectasis at the {s} base.", f"Minor {s} basal subsegmental atelectasis.",
                        f"Plate atelectasis in the {s} lower zone."])
        i = rng.choice([f"Minor {s} basal atelectasis.", f"{S} basal atelectasis only."])
        return dict(key="atelectasis", side=side, region="lung", f=f + " The lungs are otherwise clear.", i=i,
                    sig=False, word="atelectasis", replaces=True)
    if kind == "granuloma":
        f = f"Calcified granuloma in the {s} upper zone."
        return dict(key="granuloma", side=side, region="extra", f=f, i="", sig=False, word="granuloma")
    if kind == "copd":
        f = rng.choice(["The lungs are hyperinflated, in keeping with COPD. No focal consolidation.",
                        "Hyperexpanded lungs with flattened hemidiaphragms, consistent with emphysema. "
                        "No consolidation."])
        i = rng.choice(["Hyperinflation in keeping with known COPD. No acute consolidation.",
                        "Chronic obstructive changes. No acute abnormality."])
        return dict(key="copd", side=None, region="lung", f=f, i=i, sig=False, word="COPD")
    if kind == "spine":
        return dict(key="spine", side=None, region="extra",
                    f=rng.choice(["Degenerative changes in the thoracic spine.",
                                  "Mild multilevel thoracic spondylosis."]), i="", sig=False, word="spine")
    if kind == "oldrib":
        return dict(key="oldrib", side=side, region="extra",
                    f=f"Old healed {s} rib fractures.", i="", sig=False, word="rib")
    if kind == "sternotomy":
        return dict(key="sternotomy", side=None, region="extra",
                    f="Median sternotomy wires and CABG clips.", i="", sig=False, word="sternotomy")
    raise ValueError(kind)


def icu_lines(rng, hist=""):
    out = []
    cm = rng.choice([3, 4, 5, 6])
    out.append(rng.choice([f"ETT tip {cm} cm above the carina.",
                           f"Endotracheal tube tip sits {cm} cm above the carina."]))
    out.append(rng.choice(["NGT tip is below the diaphragm, in the stomach.",
                           "Nasogastric tube courses below the diaphragm with its tip in the stomach."]))
    side = rng.choice(["right IJ", "left IJ", "right subclavian"])
    if "R IJ" in hist:
        side = "right IJ"
    out.append(f"{side[0].upper()}{side[1:]} CVC tip projects over the SVC.")
    if "L ICC" in hist:
        out.append("Left intercostal catheter in situ.")
    return out, rng.choice(["Lines and tubes in satisfactory position.", "ETT, NGT and CVC satisfactory.",
                            "Support devices appropriately sited."])


def compose_bank(rng, scenario, ctx=None):
    """scenario: 'normal', 'minor', 'sig'. Returns (frame, parts) where parts holds structured sentences."""
    fr = new_frame(rng, ctx)
    hs = hist_side(fr["hist"])
    findings = []
    if scenario == "normal":
        pass
    elif scenario == "minor":
        k = rng.choice(["cardiomegaly", "effusion_small", "atelectasis", "granuloma", "copd", "spine", "oldrib",
                        "sternotomy"])
        findings.append(make_finding(k, rng, hs))
        if rng.random() < 0.3:
            k2 = rng.choice(["spine", "granuloma", "oldrib"])
            if k2 != k:
                findings.append(make_finding(k2, rng, hs))
    else:
        k = rng.choice(["consolidation"] * 4 + ["effusion_mod"] * 2 + ["pneumothorax"] * 2 + ["oedema"] * 2
                       + ["nodule", "mass"])
        findings.append(make_finding(k, rng, hs))
        if rng.random() < 0.35:
            k2 = rng.choice(["cardiomegaly", "spine", "granuloma", "copd", "effusion_small"])
            cand = make_finding(k2, rng, hs)
            if cand["region"] not in {f["region"] for f in findings} or cand["region"] == "extra":
                findings.append(cand)
    return fr, findings


def build_sections(rng, fr, findings, structured=None):
    """Return list of findings sentences (by region) and list of impression sentences."""
    regions = {f["region"] for f in findings}
    lines = []
    imp = []
    if fr["ctx"] == "icu":
        lines, limp = icu_lines(rng, fr["hist"])
        imp.append(limp)
    fsec = {"lines": lines, "lung": [], "pleura": [], "heart": [], "bones": [], "extra": []}
    for f in findings:
        fsec[f["region"]].append(f["f"])
    for f in findings:
        if f.get("heart"):
            fsec["heart"].append(f["heart"])
            regions = regions | {"heart"}
    for reg in ("lung", "pleura", "heart"):
        if reg not in regions:
            if reg == "lung" and any(f["key"] == "effusion" and f["sig"] for f in findings):
                fsec[reg].append(rng.choice(["No focal consolidation.", "No consolidation.",
                                             "No focal airspace opacity."]))
            else:
                fsec[reg].append(rng.choice(NORMAL[reg]))
    if "pleura" in regions and "lung" not in regions:
        pass
    b = rng.choice(NORMAL["bones"])
    if b and not fsec["extra"]:
        fsec["bones"].append(b)
    sig = [f for f in findings if f["sig"]]
    other = [f for f in findings if not f["sig"] and f["i"]]
    for f in sig:
        imp.append(f["i"])
    for f in other:
        if rng.random() < 0.6 or not sig:
            imp.append(f["i"])
    if not sig and not [x for x in imp if x not in ("Lines and tubes in satisfactory position.",)]:
        if fr["ctx"] == "icu":
            imp.append(rng.choice(["No acute cardiorespiratory abnormality.", "No other acute abnormality."]))
        elif findings:
            imp.append(rng.choice(["No acute abnormality.", "No acute cardiorespiratory abnormality.",
                                   "No active chest disease.", "Nil acute."]))
        else:
            imp.append(rng.choice(NORMAL_IMPS))
    elif not sig and all(not f["i"] for f in findings) and not imp:
        imp.append(rng.choice(NORMAL_IMPS))
    if not sig and findings and all(not f["i"] for f in findings):
        # incidental only: normal impression is fine
        pass
    return fsec, imp


def join_findings(fsec, structured):
    order = ["lines", "lung", "pleura", "heart", "extra", "bones"]
    if structured:
        lab = {"lines": "Lines/tubes", "lung": "Lungs", "pleura": "Pleura", "heart": "Heart and mediastinum",
               "extra": "Other", "bones": "Bones"}
        out = []
        for k in order:
            if fsec[k]:
                out.append("{}: {}".format(lab[k], " ".join(fsec[k])))
        return "\n".join(out)
    return " ".join(s for k in order for s in fsec[k])


def join_imp(imp, rng):
    imp = [x for x in imp if x]
    if len(imp) > 1 and rng.random() < 0.5:
        return "\n".join(f"{n + 1}. {x}" for n, x in enumerate(imp))
    return " ".join(imp)


def bank_case(rng, kind):
    """Compose a phrase-bank case; returns (report, detail)."""
    structured = rng.random() < 0.2
    if kind is None:
        scen = rng.choices(["normal", "minor", "sig"], [60, 20, 20])[0]
        fr, fnd = compose_bank(rng, scen)
        fsec, imp = build_sections(rng, fr, fnd)
        fr["findings"] = join_findings(fsec, structured)
        fr["impression"] = join_imp(imp, rng)
        if scen == "normal" and rng.random() < 0.08:
            # impression-only report whose impression describes the film (complete)
            fr["findings"] = None
            fr["impression"] = rng.choice([
                "Clear lungs. Normal heart size. No pleural effusion or pneumothorax.",
                "The lungs are clear and the heart size is normal. No effusion or pneumothorax. No acute bony "
                "abnormality.",
            ])
        return render(fr), ""

    if kind == "missing_section":
        scen = rng.choices(["normal", "minor", "sig"], [45, 25, 30])[0]
        fr, fnd = compose_bank(rng, scen)
        fsec, imp = build_sections(rng, fr, fnd)
        fr["findings"] = join_findings(fsec, structured)
        fr["impression"] = join_imp(imp, rng)
        mode = rng.choices(["imp_blank", "imp_absent", "find_blank"], [40, 35, 25])[0]
        if mode == "imp_blank":
            fr["impression"] = ""
            return render(fr), "impression header left with no text"
        if mode == "imp_absent":
            fr["impression"] = None
            return render(fr), "impression/conclusion section omitted; findings only"
        fr["findings"] = ""
        fr["impression"] = rng.choice(["As above.", "No interval change.", "Stable appearances.", "See above.",
                                       "No significant change since the prior film."])
        return render(fr), "findings section left empty; impression does not describe the film"

    if kind == "laterality_conflict":
        k = rng.choice(["consolidation", "consolidation", "effusion_mod", "pneumothorax", "nodule", "effusion_small",
                        "atelectasis", "mass"])
        fr = new_frame(rng)
        hs = hist_side(fr["hist"])
        f = make_finding(k, rng, hs)
        fnd = [f]
        fsec, imp = build_sections(rng, fr, fnd)
        if f["i"] not in imp:
            imp.append(f["i"])
        side = f["side"]
        o = OPP[side]
        if rng.random() < 0.5:
            # flip in impression
            ni = _flip(f["i"], side)
            imp = [ni if x == f["i"] else x for x in imp]
            det = "impression puts the {} on the {}, findings on the {}".format(f["key"], _s(o), _s(side))
        else:
            reg = f["region"]
            fsec[reg] = [_flip(x, side) if x == f["f"] else x for x in fsec[reg]]
            det = "findings put the {} on the {}, impression on the {}".format(f["key"], _s(o), _s(side))
        fr["findings"] = join_findings(fsec, structured)
        fr["impression"] = join_imp(imp, rng)
        return render(fr), det

    if kind == "negation_conflict":
        mode = rng.choice(["imp_asserts_eff", "imp_asserts_cons", "imp_asserts_ptx", "imp_asserts_cardio",
                           "imp_negates_cons", "imp_negates_eff", "imp_negates_cardio"])
        fr = new_frame(rng)
        if mode.startswith("imp_asserts"):
            fsec, imp = build_sections(rng, fr, [])
            s = rng.choice("RL")
            if mode == "imp_asserts_eff":
                fsec["pleura"] = [rng.choice(["No pleural effusion or pneumothorax.", "No pleural effusion. No "
                                              "pneumothorax.", "Costophrenic angles are clear. No pneumothorax."])]
                new = rng.choice([f"Small {_s(s)} pleural effusion.", f"Moderate {_s(s)} pleural effusion."])
                det = f"findings negate effusion; impression reports a {_s(s)} effusion"
            elif mode == "imp_asserts_cons":
                fsec["lung"] = [rng.choice(["The lungs are clear.", "Lungs are clear.", "No focal consolidation.",
                                            "Clear lungs."])]
                new = rng.choice([f"{_s(s, True)} lower lobe consolidation, in keeping with pneumonia.",
                                  f"{_s(s, True)} basal pneumonia."])
                det = "findings say lungs clear / no consolidation; impression reports consolidation"
            elif mode == "imp_asserts_ptx":
                fsec["pleura"] = [rng.choice(["No pneumothorax or effusion.", "No pneumothorax. No effusion."])]
                new = f"Small {_s(s)} apical pneumothorax."
                det = "findings negate pneumothorax; impression reports one"
            else:
                fsec["heart"] = [rng.choice(["Heart size is normal.", "Normal heart size.",
                                             "Heart size is within normal limits."])]
                new = rng.choice(["Cardiomegaly.", "Moderate cardiomegaly."])
                det = "findings say heart size normal; impression reports cardiomegaly"
            imp = [x for x in imp if x not in NORMAL_IMPS and not x.startswith("No ")] + [new]
        else:
            if mode == "imp_negates_cons":
                f = make_finding("consolidation", rng, hist_side(fr["hist"]))
                neg = rng.choice(["Lungs are clear.", "No consolidation.", "No focal consolidation. No acute "
                                  "abnormality."])
            elif mode == "imp_negates_eff":
                f = make_finding("effusion_mod", rng, hist_side(fr["hist"]))
                neg = rng.choice(["No pleural effusion.", "No effusion or pneumothorax."])
            else:
                f = make_finding("cardiomegaly", rng)
                f["f"] = rng.choice(["Moderate cardiomegaly.", "The heart is enlarged."]) + \
                    " Mediastinal contours are normal."
                neg = rng.choice(["Normal heart size. No acute abnormality.", "Heart size normal. Clear lungs."])
            fsec, imp = build_sections(rng, fr, [f])
            imp = [x for x in imp if x != f["i"] and x not in NORMAL_IMPS] + [neg]
            det = "findings affirm {}; impression negates it ({})".format(f["key"], neg)
        fr["findings"] = join_findings(fsec, structured)
        fr["impression"] = join_imp(imp, rng)
        return render(fr), det

    if kind == "impression_omits_finding":
        k = rng.choice(["consolidation"] * 3 + ["effusion_mod", "pneumothorax", "pneumothorax", "oedema", "oedema",
                        "nodule", "mass"])
        fr = new_frame(rng)
        hs = hist_side(fr["hist"])
        f = make_finding(k, rng, hs)
        fnd = [f]
        if rng.random() < 0.35:
            fnd.append(make_finding(rng.choice(["cardiomegaly", "spine", "granuloma"]), rng, hs))
        fsec, imp = build_sections(rng, fr, fnd)
        imp = [x for x in imp if x != f["i"]]
        keep = [x for x in imp if x and rng.random() < 0.7]
        if not keep or rng.random() < 0.6:
            keep = [x for x in keep if "Lines" in x or "ETT" in x or "devices" in x] + [rng.choice(MACRO_IMPS)]
        fr["findings"] = join_findings(fsec, structured)
        fr["impression"] = join_imp(keep, rng)
        return render(fr), "findings report {}; impression omits it".format(f["key"])

    if kind == "placeholder":
        scen = rng.choices(["normal", "minor", "sig"], [50, 20, 30])[0]
        fr, fnd = compose_bank(rng, scen)
        fsec, imp = build_sections(rng, fr, fnd)
        fr["findings"] = join_findings(fsec, structured)
        fr["impression"] = join_imp(imp, rng)
        return _bank_placeholder(rng, fr, fnd)
    raise ValueError(kind)


def _flip(text, side):
    o = OPP[side]
    a, A = _s(side), _s(side, True)
    b, B = _s(o), _s(o, True)
    text = re.sub(rf"\b{a}\b", b, text)
    return re.sub(rf"\b{A}\b", B, text)


PH_SIDE = ["[left/right]", "[side]", "[***]", "***", "[R/L]"]
PH_GEN = ["***", "[***]", "[ ]", "[...]", "<>", "[*]"]


def _bank_placeholder(rng, fr, fnd):
    opts = ["hist", "comp", "imp", "find_word", "find_word", "sign"]
    side_f = [f for f in fnd if f.get("side") and f["f"] and _s(f["side"]) in fr["findings"]]
    if side_f:
        opts += ["side", "side"]
    if fr["ctx"] == "icu":
        opts += ["ett"]
    if re.search(r"\b\d+ mm\b", fr["findings"] or ""):
        opts += ["mm"]
    o = rng.choice(opts)
    if o == "hist":
        fr["hist"] = rng.choice(["***", "[clinical history]", "[ ]", "<clinical history>"])
        det = "clinical history left as template field"
    elif o == "comp":
        fr["comp"] = rng.choice(["[date]", "CXR dated [ ].", "Previous CXR ***.", "<comparison>"])
        det = "comparison date left as template field"
    elif o == "imp":
        fr["impression"] = (fr["impression"] + "\n" + rng.choice(["***", "[***]", "[Further comment]"])) \
            if rng.random() < 0.5 else rng.choice(["***", "[impression]", "[ ]"]) + " " + fr["impression"]
        det = "unfilled field left in impression"
    elif o == "sign":
        fr["sign"] = rng.choice(["Reported by: Dr [name] FRANZCR", "Dr *** FRANZCR",
                                 "Reported by: [Registrar]\nVerified by: Dr "
                                 f"{rng.choice(INIT)}. {rng.choice(SURN)} FRANZCR"])
        det = "radiologist name left as template field"
    elif o == "side":
        f = rng.choice(side_f)
        ph = rng.choice(PH_SIDE)
        w = _s(f["side"])
        fr["findings"] = re.sub(rf"\b{w}\b", ph, fr["findings"], count=1)
        det = "side of {} left as {}".format(f["key"], ph)
    elif o == "ett":
        fr["findings"] = re.sub(r"tip( sits)? \d+ cm", lambda m: m.group(0).split()[0] +
                                (" sits" if "sits" in m.group(0) else "") + " *** cm", fr["findings"], count=1)
        det = "ETT distance left as ***"
    elif o == "mm":
        ph = rng.choice(["[**]", "***", "[ ]"])
        fr["findings"] = re.sub(r"\b\d+ mm\b", ph + " mm", fr["findings"], count=1)
        det = f"measurement left as {ph}"
    else:
        words = [m for m in re.finditer(r"\b(normal|clear|unremarkable|consolidation|effusion|pneumothorax|"
                                        r"lungs|heart|bony|contours)\b", fr["findings"] or "")]
        if not words:
            fr["hist"] = "***"
            return render(fr), "clinical history left as ***"
        m = rng.choice(words)
        ph = rng.choice(PH_GEN)
        fr["findings"] = fr["findings"][:m.start()] + ph + fr["findings"][m.end():]
        det = f"'{m.group(0)}' in findings replaced by {ph}"
    return render(fr), det


# --------------------------------------------------------------------------
# IU-based cases
# --------------------------------------------------------------------------

def iu_frame(rng, r):
    fr = new_frame(rng, rng.choice(["ed", "ward", "resp", "ed"]))
    fr["hist"] = au_reword(r["indication"], rng) if r["indication"] else rng.choice(["Nil provided.", "Not stated.",
                                                                                       fr["hist"]])
    fr["comp"] = au_reword(r["comparison"], rng) if r["comparison"] else "None."
    fr["findings"] = au_reword(r["findings"], rng)
    fr["impression"] = au_reword(r["impression"], rng)
    return fr


SIDE_RX = re.compile(r"\b(right|left)\b", re.I)
LAT_KEY = re.compile(r"(effusion|pneumothora|consolidat|opaci|infiltrat|airspace|atelecta|nodul|mass|pneumonia|"
                     r"base|basilar|lobe|hilar|granulom|density|scar|collapse)", re.I)
DEVICE = re.compile(r"(catheter|tube|line|port|pacemaker|picc|clip|wire|stent|drain|device|mastectomy|"
                    r"hemidiaphragm|humer|shoulder|clavic|rib|arm|neck|chest wall)", re.I)


def lat_candidates(r):
    """Sentences (section, index, side) with one side word and a finding word, matched in the other section."""
    out = []
    fs, ims = sents(r["findings"]), sents(r["impression"])
    for sec, ss, other in (("findings", fs, ims), ("impression", ims, fs)):
        for n, s in enumerate(ss):
            sides = {x.lower() for x in SIDE_RX.findall(s)}
            if len(sides) != 1 or not LAT_KEY.search(s) or DEVICE.search(s) or re.search(r"bilat|both", s, re.I):
                continue
            if NEG.search(s):
                continue
            side = sides.pop()
            keys = {k.lower()[:5] for k in LAT_KEY.findall(s)}
            oth = " ".join(other)
            osides = {x.lower() for x in SIDE_RX.findall(oth)}
            if osides != {side}:
                continue
            if not any(re.search(k, oth, re.I) for k in keys):
                continue
            out.append((sec, n, side))
    return out


def iu_case(rng, kind, pools):
    while True:
        res = _iu_case_try(rng, kind, pools)
        if res:
            return res


def _take(rng, pool, used):
    for _ in range(200):
        r = rng.choice(pool)
        if r["uid"] not in used:
            used.add(r["uid"])
            return r
    r = rng.choice(pool)
    return r


def _iu_case_try(rng, kind, pools):
    used = pools["used"]
    if kind is None:
        pool = pools["normal"] if rng.random() < 0.72 else pools["abn_clean"]
        r = _take(rng, pool, used)
        fr = iu_frame(rng, r)
        return render(fr), "", r["uid"]
    if kind == "missing_section":
        if rng.random() < 0.7:
            r = _take(rng, pools["normal"] + pools["abn_clean"], used)
            fr = iu_frame(rng, r)
            if rng.random() < 0.5:
                fr["impression"] = ""
                det = "impression emptied"
            else:
                fr["impression"] = None
                det = "impression section removed"
        else:
            r = _take(rng, pools["generic_imp"], used)
            fr = iu_frame(rng, r)
            fr["findings"] = "" if rng.random() < 0.6 else None
            det = "findings removed; impression '{}' does not describe the film".format(fr["impression"])
        return render(fr), det, r["uid"]
    if kind == "laterality_conflict":
        r = _take(rng, pools["lat"], used)
        cands = lat_candidates(r)
        if not cands:
            return None
        sec, n, side = rng.choice(cands)
        fr = iu_frame(rng, r)
        ss = sents(fr[sec])
        if n >= len(ss):
            return None
        o = "left" if side == "right" else "right"
        new = re.sub(rf"\b{side}\b", o, ss[n])
        new = re.sub(rf"\b{side.capitalize()}\b", o.capitalize(), new)
        if new == ss[n]:
            return None
        ss[n] = new
        fr[sec] = " ".join(ss)
        return render(fr), f"{sec} sentence flipped {side}->{o}: {new}", r["uid"]
    if kind == "negation_conflict":
        r = _take(rng, pools["normal_neg"], used)
        fr = iu_frame(rng, r)
        fss = sents(fr["findings"])

        def negs(rx):
            return any(re.search(r"\b(no|without)\b[^.]*" + rx, x, re.I) and not HEDGE.search(x) for x in fss)
        f = fr["findings"]
        opts = []
        if negs("effusion"):
            s = rng.choice(["right", "left"])
            opts.append((f"Small {s} pleural effusion.", "impression reports effusion that findings negate"))
            opts.append(("Bilateral pleural effusions.", "impression reports effusions that findings negate"))
        if negs("pneumothora"):
            s = rng.choice(["Right", "Left"])
            opts.append((f"{s} apical pneumothorax.", "impression reports pneumothorax that findings negate"))
        if re.search(r"lungs are clear|clear lungs", f, re.I) or negs("consolidation"):
            s = rng.choice(["Right", "Left"])
            opts.append((f"{s} lower lobe consolidation, in keeping with pneumonia.",
                         "impression reports consolidation; findings say lungs clear / no consolidation"))
        if re.search(r"heart (size )?(is )?(normal|within normal)|normal (heart|cardiac) size|"
                     r"heart size (is )?normal|cardiomediastinal silhouette (is )?(normal|within)", f, re.I):
            opts.append(("Cardiomegaly. No acute consolidation.",
                         "impression reports cardiomegaly; findings say heart size normal"))
        if not opts:
            return None
        new, det = rng.choice(opts)
        fr["impression"] = new
        return render(fr), det, r["uid"]
    if kind == "impression_omits_finding":
        r = _take(rng, pools["sig"], used)
        info = analyse(r)
        fr = iu_frame(rng, r)
        macro = rng.choice(MACRO_IMPS)
        fr["impression"] = macro
        ks = ", ".join(sorted(info["sig"]))
        return render(fr), f"findings affirm {ks}; impression replaced with '{macro}'", r["uid"]
    if kind == "placeholder":
        r = _take(rng, pools["normal"] + pools["abn_clean"], used)
        fr = iu_frame(rng, r)
        sec = rng.choice(["findings", "findings", "impression", "hist"])
        text = fr[sec] or ""
        words = [m for m in re.finditer(r"\b[a-z]{4,}\b", text) if m.group(0) not in ("XXXX",)]
        if not words:
            return None
        m = rng.choice(words)
        ph = rng.choice(["***", "[***]", "[ ]", "[...]", "[*]", "<>"])
        fr[sec] = text[:m.start()] + ph + text[m.end():]
        return render(fr), f"'{m.group(0)}' in {sec} replaced by {ph}", r["uid"]
    raise ValueError(kind)


def iu_pools():
    rows = load_iu(str(shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"))
    dev = dev_uids()
    both, normal, normal_neg, abn_clean, sig, lat, generic = [], [], [], [], [], [], []
    for r in rows:
        if r["uid"] in dev or not r["findings"] or not r["impression"]:
            continue
        if len(r["findings"]) > 700 or len(r["findings"]) < 40:
            continue
        both.append(r)
        info = analyse(r)
        imp = r["impression"]
        if info["normal"]:
            normal.append(r)
            if re.search(r"\b(no|without)\b[^.]*(effusion|pneumothora|consolidation)|lungs are clear|"
                         r"heart size (is )?normal", r["findings"], re.I):
                normal_neg.append(r)
            if len(imp) < 60 and re.match(r"(no acute|no active|negative for acute)", imp, re.I) and \
                    not re.search(r"lung|heart|clear|effusion|pneumo|consolidat|cardiomegaly", imp, re.I):
                generic.append(r)
        if info["sig"] and not NORMAL_IMP.search(imp):
            # significant affirmed findings, named in the original impression too
            big = set(info["sig"]) - {"effusion"} or \
                re.search(r"\b(moderate|large|increas\w*|new|massive|sizable|sizeable)\b", info["sig"]["effusion"],
                          re.I)
            if all(SIG[k].search(imp) for k in info["sig"]) and big and \
                    not re.search(r"chronic|scar", r["findings"], re.I):
                sig.append(r)
        if not info["normal"] and not NORMAL_IMP.search(imp) and len(imp) < 300:
            ok = all(SIG[k].search(imp) for k in info["sig"])
            fsides = {x.lower() for x in SIDE_RX.findall(r["findings"])}
            isides = {x.lower() for x in SIDE_RX.findall(imp)}
            if ok and isides <= fsides and not re.search(r"\?|versus| vs |cannot|XXXX", imp):
                abn_clean.append(r)
        if lat_candidates(r):
            lat.append(r)
    return {"both": both, "normal": normal, "normal_neg": normal_neg, "abn_clean": abn_clean, "sig": sig,
            "lat": lat, "generic_imp": generic, "used": set()}


# --------------------------------------------------------------------------

def build(seed: int) -> list[dict]:
    """The 400 cases for a seed: id, injected, detail, report."""
    return [{k: r[k] for k in ("id", "injected", "detail", "report")} for r in build_with_sources(seed)]


def build_with_sources(seed: int) -> list[dict]:
    """As build(), plus 'source': 'bank' or 'iu:<uid>' of the real report used."""
    rng = random.Random(seed * 7919 + 90)
    pools = iu_pools()
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    rows = []
    for kind, n in plan:
        for j in range(n):
            if j < n // 2:
                report, det = bank_case(rng, kind)
                src = "bank"
            else:
                report, det, uid = iu_case(rng, kind, pools)
                src = "iu:" + uid
            rows.append({"injected": kind, "detail": det, "report": report, "_src": src})
    rng.shuffle(rows)
    out = []
    for n, r in enumerate(rows):
        out.append({"id": f"h90-{seed}-{n}", "injected": r["injected"], "detail": r["detail"],
                    "report": r["report"], "source": r["_src"]})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build_with_sources(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in ("id", "injected", "detail", "report")}, ensure_ascii=False)
                     + "\n")
    if a.show:
        for kind in [None] + KINDS:
            sel = [r for r in rows if r["injected"] == kind][: a.show]
            for r in sel:
                print("=" * 70)
                print("[{}] {} | {} | {}".format(r["id"], kind, r["source"], r["detail"]))
                print(r["report"])
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
