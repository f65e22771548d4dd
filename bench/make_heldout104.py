"""Held-out report-check set 104, written blind.

Setting: US and Canadian children's hospitals (emergency departments, inpatient wards and
outpatient clinics) -- chest radiographs of infants, children and adolescents for cough, fever,
wheeze, bronchiolitis, pneumonia, asthma, foreign-body and trauma questions and line checks, as
reported by paediatric radiologists (exam line, clinical history, comparison, technique, findings,
impression / conclusion / opinion, sign-off; US spelling with Canadian variants; Epic / PowerScribe
style blanks such as ``***`` and ``[ ]``).

400 cases: 200 clean and 40 of each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder. Half of every group is composed from a phrase bank, half
is built on real IU (Open-i) reports that are not in the development set, re-laid-out in the
setting's style and lightly re-worded.

    python -m bench.make_heldout104 OUT.jsonl --seed S [--show N]
"""

# ruff: noqa: E501  (phrase-bank lines are long sentences)

from __future__ import annotations

import argparse
import datetime
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


def dev_uids() -> set[str]:
    out = set()
    with open(shared_dir() / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


# ---------------------------------------------------------------------------
# IU reports
# ---------------------------------------------------------------------------

_IU_CACHE: list[dict] | None = None
_AT = re.compile(r'<AbstractText Label="(\w+)"\s*(?:/>|>(.*?)</AbstractText>)', re.S)
_UID = re.compile(r'<uId id="([^"]+)"')
_MAJOR = re.compile(r"<major>(.*?)</major>", re.S)


def _clean_txt(s: str | None) -> str:
    s = html.unescape(s or "").strip()
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r"\.(\s*\.)+", ".", s)
    return s.strip()


def load_iu() -> list[dict]:
    global _IU_CACHE
    if _IU_CACHE is not None:
        return _IU_CACHE
    rows = []
    path = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    with tarfile.open(path, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            txt = tf.extractfile(m).read().decode("utf-8", "replace")
            u = _UID.search(txt)
            if not u:
                continue
            sec = {k.upper(): _clean_txt(v) for k, v in _AT.findall(txt)}
            rows.append({
                "uid": u.group(1),
                "indication": sec.get("INDICATION", ""),
                "comparison": sec.get("COMPARISON", ""),
                "findings": sec.get("FINDINGS", ""),
                "impression": sec.get("IMPRESSION", ""),
                "major": [x.strip().lower() for x in _MAJOR.findall(txt)],
            })
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE = rows
    return rows


# ---------------------------------------------------------------------------
# small text helpers
# ---------------------------------------------------------------------------

def split_sents(text: str) -> list[str]:
    text = text.strip()
    if not text:
        return []
    parts = re.split(r"(?<=[.!?])\s+(?=(?:\d+\.\s)?[A-Z0-9])", text)
    return [p.strip() for p in parts if p.strip()]


def flip_side(s: str) -> str:
    def rep(m):
        w = m.group(0)
        new = {"right": "left", "left": "right"}[w.lower()]
        if w.isupper():
            return new.upper()
        if w[0].isupper():
            return new.capitalize()
        return new
    return re.sub(r"\b(right|left)\b(?! (?:atri|heart border|ventric))", rep, s, flags=re.I)


NEG_PRE = re.compile(r"\b(no|not|without|negative for|free of|resolved|resolution|clear of|nor)\b", re.I)

SIG_GROUPS = {
    "consolidation": r"consolidat|pneumonia|infiltrat|airspace (?:disease|opacit)|air space (?:disease|opacit)",
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "edema": r"edema|oedema|congesti|vascular congestion",
    "mass": r"\bmass\b|\bmasses\b",
    "free air": r"free air|pneumoperitoneum",
    "widened mediastinum": r"widen\w* (?:of the )?mediastin|mediastin\w* widen",
}


def affirmed_terms(text: str) -> dict[str, list[str]]:
    """Significant-finding groups mentioned with no negation before them in the sentence."""
    out: dict[str, list[str]] = {}
    for sent in split_sents(text):
        for g, pat in SIG_GROUPS.items():
            for m in re.finditer(pat, sent, re.I):
                if not NEG_PRE.search(sent[: m.start()]):
                    out.setdefault(g, []).append(sent)
                    break
    return out


def mentions(text: str, group: str) -> bool:
    return re.search(SIG_GROUPS[group], text, re.I) is not None


# ---------------------------------------------------------------------------
# setting furniture: names, dates, headers, sign-offs
# ---------------------------------------------------------------------------

FIRST = ["Sarah", "Michael", "Priya", "David", "Jennifer", "Marc", "Emily", "Jonathan", "Nadia",
         "Kevin", "Laura", "Andrew", "Catherine", "Daniel", "Aisha", "Robert", "Julie", "Thomas",
         "Megan", "Luc", "Rachel", "Steven", "Hannah", "Christopher", "Mei", "Patrick"]
LAST = ["Goldberg", "Tremblay", "Nguyen", "Patel", "O'Brien", "Kowalski", "Chen", "Martinez",
        "Gagnon", "Fitzgerald", "Sullivan", "Roy", "Bernstein", "Kim", "MacDonald", "Singh",
        "Hoffman", "Leblanc", "Rosen", "Whitfield", "Okafor", "Lindqvist", "Cohen", "Bouchard"]


def _name(rng):
    return rng.choice(FIRST), rng.choice(LAST)


_CUR = {"date": None}


def _fmt_date(rng, dt, canadian=False):
    y, mo, d = dt.year, dt.month, dt.day
    if canadian and rng.random() < 0.7:
        return f"{y}-{mo:02d}-{d:02d}"
    return f"{mo}/{d}/{y}" if rng.random() < 0.5 else f"{mo:02d}/{d:02d}/{y}"


def _date(rng, canadian=False, prior=False):
    base = _CUR["date"]
    dt = base - datetime.timedelta(days=rng.randint(1, 400)) if prior else base
    return _fmt_date(rng, dt, canadian)


def _new_report_date(rng):
    _CUR["date"] = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randint(0, 1000))


def _time(rng):
    h = rng.randint(0, 23)
    m = rng.randint(0, 59)
    if rng.random() < 0.5:
        return f"{h:02d}:{m:02d}"
    ap = "AM" if h < 12 else "PM"
    return f"{(h % 12) or 12}:{m:02d} {ap}"


def signoff(rng, canadian):
    f, la = _name(rng)
    r = rng.random()
    if canadian:
        opts = [
            f"Dictated by: Dr. {f[0]}. {la}\nSigned: {_date(rng, True)} {_time(rng)}",
            f"Reported by: Dr. {f} {la}, FRCPC, Pediatric Radiology",
            f"Electronically signed by Dr. {f} {la} on {_date(rng, True)} at {_time(rng)}",
            f"Radiologist: {f} {la}, MD FRCPC\nTranscribed and verified: {_date(rng, True)}",
        ]
        return rng.choice(opts)
    if r < 0.35:
        rf, rl = _name(rng)
        return (f"Resident: {rf} {rl}, MD\nAttending: {f} {la}, MD\n"
                "I have personally reviewed the images and agree with the resident's report.\n"
                f"Electronically signed by: {f} {la}, MD on {_date(rng)} {_time(rng)}")
    opts = [
        f"Electronically signed by: {f} {la}, MD on {_date(rng)} {_time(rng)}",
        f"Signed by: {f} {la}, MD  {_date(rng)} {_time(rng)}",
        f"{f} {la}, MD\nPediatric Radiology\nFinalized {_date(rng)} {_time(rng)}",
        f"Interpreted by {f} {la}, M.D. Signed {_date(rng)}.",
    ]
    return rng.choice(opts)


# ---------------------------------------------------------------------------
# case model
# ---------------------------------------------------------------------------

class Case:
    def __init__(self):
        self.exam = ""
        self.history = ""
        self.comparison = ""
        self.technique = ""
        self.findings: list[tuple[str, str]] = []  # (organ tag, sentence)
        self.impression: list[str] = []
        self.canadian = False
        self.structured = False
        self.numbered = False
        self.omit_findings = None  # None, "blank", "absent"
        self.omit_impression = None
        self.headers = {}
        self.sign = ""
        self.prose_findings = None  # real reports keep their own prose
        self.side = None
        self.negs = []  # list of (fn(case)->detail)
        self.omits = []
        self.scen = ""

    def fsents(self):
        return [s for _, s in self.findings]


HEADER_SETS_US = [
    dict(exam="EXAM", hist="CLINICAL HISTORY", comp="COMPARISON", tech="TECHNIQUE",
         find="FINDINGS", imp="IMPRESSION"),
    dict(exam="EXAMINATION", hist="INDICATION", comp="COMPARISON", tech="TECHNIQUE",
         find="FINDINGS", imp="IMPRESSION"),
    dict(exam="PROCEDURE", hist="HISTORY", comp="COMPARISON", tech="VIEWS",
         find="FINDINGS", imp="IMPRESSION"),
    dict(exam="", hist="CLINICAL INDICATION", comp="Comparison", tech="Technique",
         find="Findings", imp="Impression"),
    dict(exam="EXAM", hist="REASON FOR EXAM", comp="PRIOR STUDIES", tech="",
         find="FINDINGS", imp="IMPRESSION"),
]
HEADER_SETS_CA = [
    dict(exam="", hist="Clinical information", comp="Comparison", tech="",
         find="Findings", imp="Conclusion"),
    dict(exam="Examination", hist="Reason for exam", comp="Comparison", tech="Technique",
         find="Findings", imp="Impression"),
    dict(exam="", hist="History", comp="Comparison", tech="",
         find="Findings", imp="Opinion"),
    dict(exam="EXAMINATION", hist="CLINICAL HISTORY", comp="COMPARISON", tech="",
         find="FINDINGS", imp="CONCLUSION"),
]

STRUCT_LABELS = [("lines", "Lines/tubes"), ("lungs", "Lungs"), ("pleura", "Pleura"),
                 ("heart", "Heart and mediastinum"), ("bones", "Bones"), ("abd", "Upper abdomen"),
                 ("other", "Other")]


def render(c: Case) -> str:
    h = c.headers
    out = []
    if c.exam:
        out.append(f"{h['exam']}: {c.exam}" if h["exam"] else c.exam)
    out.append(f"{h['hist']}: {c.history}")
    out.append(f"{h['comp']}: {c.comparison}")
    if c.technique and h["tech"]:
        out.append(f"{h['tech']}: {c.technique}")
    # findings
    if c.omit_findings == "absent":
        pass
    elif c.omit_findings == "blank":
        out.append(f"{h['find']}:")
    elif c.prose_findings is not None:
        out.append(f"{h['find']}: {c.prose_findings}")
    elif c.structured:
        lines = []
        for tag, lab in STRUCT_LABELS:
            ss = [s for t, s in c.findings if t == tag]
            if ss:
                lines.append(f"{lab}: {' '.join(ss)}")
        out.append(f"{h['find']}:\n" + "\n".join(lines))
    else:
        out.append(f"{h['find']}:\n" + " ".join(c.fsents()))
    # impression
    if c.omit_impression == "absent":
        pass
    elif c.omit_impression == "blank":
        out.append(f"{h['imp']}:")
    else:
        imp = [s for s in c.impression if s]
        if c.numbered and len(imp) > 1:
            body = "\n".join(f"{i}. {s}" for i, s in enumerate(imp, 1))
            out.append(f"{h['imp']}:\n{body}")
        else:
            out.append(f"{h['imp']}: " + " ".join(imp))
    if c.sign:
        out.append(c.sign)
    text = "\n\n".join(out)
    return re.sub(r"\b([Ll])ingula (pneumonia|opacity|consolidation)", r"\1ingular \2", text)


# ---------------------------------------------------------------------------
# phrase bank: patients, histories and scenarios
# ---------------------------------------------------------------------------

def _age(rng, group=None):
    group = group or rng.choice(["infant", "toddler", "child", "teen"])
    if group == "infant":
        n = rng.randint(1, 11)
        a = rng.choice([f"{n}-month-old", f"{n} mo", f"{n} month old"])
    elif group == "toddler":
        n = rng.randint(1, 4)
        a = rng.choice([f"{n}-year-old", f"{n} yo", f"{n} y/o"])
    elif group == "child":
        n = rng.randint(5, 11)
        a = rng.choice([f"{n}-year-old", f"{n} yo", f"{n} year old"])
    else:
        n = rng.randint(12, 17)
        a = rng.choice([f"{n}-year-old", f"{n} yo", f"{n} y/o"])
    sex = rng.choice(["male", "female", "boy", "girl", "M", "F"])
    if sex in ("M", "F"):
        return f"{a} {sex}", group
    return f"{a} {sex}", group


def _hist(rng, group, complaints):
    a, _ = _age(rng, group)
    c = rng.choice(complaints)
    style = rng.random()
    if style < 0.4:
        return f"{a} with {c}."
    if style < 0.7:
        return c[0].upper() + c[1:] + "."
    return f"{a}, {c}."


def _comparison(rng, canadian, prior=False):
    if prior:
        d = _date(rng, canadian, prior=True)
        return rng.choice([f"Chest radiograph {d}.", f"{d}.", f"Radiographs of the chest dated {d}.",
                           f"Prior chest x-ray from {d}.", f"XR chest 2 views {d}."])
    return rng.choice(["None.", "None.", "None available.", "No prior imaging.", "None.",
                       "No previous chest radiographs."])


def _exam_tech(rng, kind):
    if kind == "two":
        return rng.choice([
            ("XR CHEST 2 VIEWS", "PA and lateral views of the chest."),
            ("XR Chest PA and Lateral", "Frontal and lateral views of the chest."),
            ("CHEST RADIOGRAPH, 2 VIEWS", "Two views of the chest."),
            ("XR CHEST FRONTAL AND LATERAL", "Frontal and lateral radiographs of the chest."),
        ])
    if kind == "one":
        return rng.choice([
            ("XR CHEST 1 VIEW", "Single frontal view of the chest."),
            ("XR CHEST AP PORTABLE", "Single portable AP view of the chest."),
            ("XR Chest 1 View (AP supine)", "Single supine AP radiograph of the chest."),
        ])
    if kind == "fb":
        return rng.choice([
            ("XR CHEST INSPIRATORY/EXPIRATORY", "Frontal inspiratory and expiratory views of the chest."),
            ("XR CHEST 2 VIEWS WITH BILATERAL DECUBITUS", "Frontal and lateral views with right and left lateral decubitus views."),
            ("XR AIRWAY AND CHEST", "AP and lateral views of the chest and soft tissue neck with bilateral decubitus views."),
        ])
    if kind == "line":
        return rng.choice([
            ("XR CHEST 1 VIEW PORTABLE", "Single portable AP view of the chest."),
            ("XR CHEST PORTABLE - LINE PLACEMENT", "Single AP view of the chest."),
        ])
    return ("XR CHEST", "")


SIDES = ["right", "left"]

HEART_NORMAL = ["Heart size is normal.", "The cardiothymic silhouette is within normal limits.",
                "Normal cardiomediastinal silhouette.", "The heart is not enlarged.",
                "Cardiac and mediastinal contours are normal."]
HEART_NORMAL_INF = ["The cardiothymic silhouette is normal.",
                    "Normal cardiothymic silhouette.",
                    "Normal thymic contour. Heart size is normal."]
BONES = ["No acute osseous abnormality.", "Visualized osseous structures are unremarkable.",
         "The bones are unremarkable.", "No acute bony abnormality."]
ABD = ["Visualized upper abdomen is unremarkable.", "Nonobstructive bowel gas pattern in the visualized upper abdomen.",
       "Visualized upper abdominal bowel gas pattern is unremarkable."]
NO_EFF_PTX = ["No pleural effusion or pneumothorax.", "No pleural effusion. No pneumothorax.",
              "There is no pleural effusion or pneumothorax.", "No effusion or pneumothorax."]
NORMAL_IMP = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
              "No acute cardiopulmonary disease.", "No acute findings in the chest.",
              "Negative chest radiograph for acute disease."]
NORMAL_MACRO = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
                "No acute cardiopulmonary disease.", "No acute intrathoracic process.",
                "No radiographic evidence of acute cardiopulmonary disease."]

LOBES = {
    "right": ["right upper lobe", "right middle lobe", "right lower lobe"],
    "left": ["left upper lobe", "left lower lobe", "lingula"],
}


def _heart(rng, group):
    if group == "infant":
        return rng.choice(HEART_NORMAL_INF)
    return rng.choice(HEART_NORMAL)


def scen_normal(rng, c, group):
    c.scen = "normal"
    hist_choices = ["cough and fever, evaluate for pneumonia", "fever x 3 days, r/o pneumonia",
                    "cough x 2 weeks", "chest pain", "shortness of breath", "fever without source",
                    "tachypnea", "cough, fever, decreased breath sounds",
                    "persistent cough, evaluate for pneumonia", "hypoxia on room air",
                    "pre-operative evaluation", "cough and congestion"]
    c.history = _hist(rng, group, hist_choices)
    lungs = rng.choice(["The lungs are clear.", "Lungs are well expanded and clear.",
                        "The lungs are well inflated and clear.", "Clear lungs."])
    f = [("lungs", lungs)]
    if rng.random() < 0.6:
        f.append(("lungs", rng.choice(["No focal consolidation.", "No focal airspace opacity.",
                                       "No focal airspace disease."])))
    f.append(("pleura", rng.choice(NO_EFF_PTX)))
    f.append(("heart", _heart(rng, group)))
    f.append(("bones", rng.choice(BONES)))
    if rng.random() < 0.4:
        f.append(("abd", rng.choice(ABD)))
    if rng.random() < 0.12:
        f.append(("bones", rng.choice(["Mild dextroconvex curvature of the thoracic spine.",
                                       "Incidental bifid anterior right 4th rib.",
                                       "Mild levoconvex thoracic scoliosis."])))
    c.findings = f
    imp = rng.choice(NORMAL_IMP + ["No radiographic evidence of pneumonia.", "Clear lungs.",
                                   "Normal chest radiographs.", "No acute cardiopulmonary process. Specifically, no pneumonia."])
    c.impression = [imp]

    def neg_pneu(cc):
        side = rng.choice(SIDES)
        lobe = rng.choice(LOBES[side])
        cc.impression = [rng.choice([f"{lobe[0].upper()}{lobe[1:]} pneumonia.",
                                     f"Focal {lobe} consolidation, consistent with pneumonia.",
                                     f"Patchy {lobe} opacity concerning for pneumonia."])]
        return f"impression replaced with {lobe} pneumonia while findings say the lungs are clear"

    def neg_eff(cc):
        side = rng.choice(SIDES)
        cc.impression = [rng.choice(NORMAL_IMP[:3]), f"Small {side} pleural effusion."]
        return f"impression adds a small {side} pleural effusion that findings negate"

    def neg_ptx(cc):
        side = rng.choice(SIDES)
        cc.impression = [f"Small {side} apical pneumothorax."]
        return f"impression reports a {side} pneumothorax; findings say no pneumothorax"

    def neg_heart(cc):
        cc.impression = [rng.choice(["Cardiomegaly. Lungs are clear.", "Mild cardiomegaly without pulmonary edema.",
                                     "Enlarged cardiothymic silhouette; consider echocardiography."])]
        return "impression calls the heart enlarged; findings say heart size normal"
    c.negs = [neg_pneu, neg_eff, neg_ptx, neg_heart]


def scen_viral(rng, c, group):
    c.scen = "viral"
    c.history = _hist(rng, group, ["cough and fever", "wheezing and cough", "fever, cough, URI symptoms",
                                   "cough x 5 days, fever", "increased work of breathing",
                                   "cough, congestion, r/o pneumonia"])
    f = [("lungs", rng.choice(["Central peribronchial thickening.", "Mild bilateral perihilar peribronchial thickening.",
                               "There is mild central peribronchial cuffing."]))]
    if rng.random() < 0.5:
        f.append(("lungs", rng.choice(["Mild hyperinflation.", "Lungs are mildly hyperinflated."])))
    f.append(("lungs", rng.choice(["No focal consolidation.", "No focal airspace opacity to suggest pneumonia.",
                                   "No lobar consolidation."])))
    f.append(("pleura", rng.choice(NO_EFF_PTX)))
    f.append(("heart", _heart(rng, group)))
    if rng.random() < 0.5:
        f.append(("bones", rng.choice(BONES)))
    c.findings = f
    c.impression = [rng.choice([
        "Peribronchial thickening, which can be seen with viral lower respiratory tract infection or reactive airway disease. No focal pneumonia.",
        "Findings compatible with viral illness/reactive airways disease. No focal consolidation.",
        "Central airway thickening suggesting a viral process or reactive airway disease; no radiographic evidence of bacterial pneumonia.",
        "Findings suggest viral bronchiolitis/small airways disease without focal pneumonia.",
    ])]

    def neg_cons(cc):
        side = rng.choice(SIDES)
        lobe = rng.choice(LOBES[side])
        cc.impression = [f"Peribronchial thickening with superimposed {lobe} consolidation, consistent with pneumonia."]
        return f"impression asserts {lobe} consolidation that findings negate"

    def neg_ptx(cc):
        cc.impression = cc.impression + [rng.choice(["Small right pneumothorax.", "Small left apical pneumothorax."])]
        return "impression adds a pneumothorax that findings negate"
    c.negs = [neg_cons, neg_ptx]


def scen_bronchiolitis(rng, c, group):
    c.scen = "bronchiolitis"
    side = rng.choice(SIDES)
    lobe = rng.choice([f"{side} upper lobe", f"{side} lower lobe", f"{side} perihilar region"])
    c.side = side
    c.history = _hist(rng, "infant", ["bronchiolitis, increased work of breathing", "RSV positive, hypoxia",
                                      "bronchiolitis, new oxygen requirement", "cough and wheeze, tachypnea",
                                      "RSV bronchiolitis, worsening respiratory distress"])
    f = [("lungs", rng.choice(["The lungs are hyperinflated with diffuse peribronchial thickening.",
                               "Hyperinflation and bilateral peribronchial cuffing."])),
         ("lungs", f"Patchy subsegmental atelectasis in the {lobe}."),
         ("pleura", rng.choice(NO_EFF_PTX)),
         ("heart", _heart(rng, "infant"))]
    c.findings = f
    c.impression = [rng.choice(["Findings consistent with bronchiolitis.", "Viral bronchiolitis pattern."]),
                    rng.choice([f"Subsegmental atelectasis in the {lobe}; superimposed pneumonia is less likely.",
                                f"Patchy {lobe} atelectasis, likely related to mucus plugging."])]

    def neg_clear(cc):
        cc.impression = ["Lungs are clear. No atelectasis or consolidation."]
        return f"impression says no atelectasis; findings describe {lobe} atelectasis"

    def neg_eff(cc):
        cc.impression = cc.impression[:1] + [f"Small {side} pleural effusion."]
        return "impression reports a pleural effusion that findings negate"
    c.negs = [neg_clear, neg_eff]


def scen_lobar(rng, c, group):
    c.scen = "lobar pneumonia"
    side = rng.choice(SIDES)
    lobe = rng.choice(LOBES[side])
    c.side = side
    c.history = _hist(rng, group, ["fever and cough, evaluate for pneumonia", "fever 39.5, decreased breath sounds",
                                   f"crackles {side} base, fever", "fever, cough, tachypnea",
                                   "persistent fever despite amoxicillin", "cough, fever, hypoxia"])
    desc = rng.choice([
        f"There is focal consolidation in the {lobe} with air bronchograms.",
        f"Dense airspace consolidation in the {lobe}.",
        f"Focal airspace opacity in the {lobe}, consistent with consolidation.",
        f"Consolidation of the {lobe}" + (" obscuring the right heart border." if lobe == "right middle lobe" else
                                          " obscuring the left hemidiaphragm." if lobe == "left lower lobe" else "."),
    ])
    f = [("lungs", desc)]
    if rng.random() < 0.5:
        f.append(("lungs", "The remainder of the lungs are clear." if rng.random() < 0.5 else
                  f"The {'left' if side == 'right' else 'right'} lung is clear."))
    eff = rng.random()
    if eff < 0.2:
        f.append(("pleura", f"Small {side} pleural effusion. No pneumothorax."))
    else:
        f.append(("pleura", rng.choice(NO_EFF_PTX)))
    f.append(("heart", _heart(rng, group)))
    if rng.random() < 0.4:
        f.append(("bones", rng.choice(BONES)))
    c.findings = f
    imp = [rng.choice([f"{lobe[0].upper()}{lobe[1:]} pneumonia.",
                       f"{lobe[0].upper()}{lobe[1:]} consolidation, consistent with pneumonia in the appropriate clinical setting.",
                       f"Findings consistent with {lobe} pneumonia."])]
    if eff < 0.2 and rng.random() < 0.5:
        imp.append(f"Small {side} parapneumonic effusion.")
    c.impression = imp

    def neg_clear(cc):
        cc.impression = [rng.choice(["The lungs are clear. No pneumonia.", "No focal consolidation to suggest pneumonia.",
                                     "Clear lungs without focal pneumonia."])]
        return f"impression says no pneumonia/clear lungs; findings describe {lobe} consolidation"

    def neg_ptx_or_eff(cc):
        if eff < 0.2:
            cc.impression = imp[:1] + ["No pleural effusion."]
            return "impression says no effusion; findings describe a small effusion"
        cc.impression = imp[:1] + [f"Moderate {side} parapneumonic effusion."]
        return "impression adds an effusion that findings negate"
    c.negs = [neg_clear, neg_ptx_or_eff]

    def om_macro(cc):
        cc.impression = [rng.choice(NORMAL_MACRO)]
        return f"impression replaced with a normal macro; findings describe {lobe} consolidation"

    def om_viral(cc):
        cc.impression = ["Mild peribronchial thickening which may reflect viral illness or reactive airway disease."]
        cc.findings.insert(1, ("lungs", "Mild central peribronchial thickening."))
        return f"impression mentions only peribronchial thickening; {lobe} consolidation left out"
    c.omits = [om_macro, om_viral]


def scen_round(rng, c, group):
    c.scen = "round pneumonia"
    side = rng.choice(SIDES)
    c.side = side
    size = rng.choice(["2.5", "3", "3.5", "4"])
    c.history = _hist(rng, rng.choice(["toddler", "child"]), ["fever, cough, abdominal pain", "high fever, no localizing source",
                                                              "fever and cough x 4 days"])
    c.findings = [("lungs", f"Round opacity in the superior segment of the {side} lower lobe measuring approximately {size} cm."),
                  ("lungs", "No other focal opacity."),
                  ("pleura", rng.choice(NO_EFF_PTX)),
                  ("heart", rng.choice(HEART_NORMAL))]
    c.impression = [f"Rounded {side} lower lobe opacity, most consistent with round pneumonia in this age group.",
                    "Recommend follow-up radiograph after treatment to document resolution."]

    def om(cc):
        cc.impression = [rng.choice(NORMAL_MACRO)]
        return f"impression replaced with a normal macro; findings describe a {size} cm {side} lower lobe round opacity"
    c.omits = [om]

    def neg(cc):
        cc.impression = ["No focal consolidation or mass. Lungs are clear."]
        return "impression says lungs clear; findings describe a round opacity"
    c.negs = [neg]


def scen_parapneumonic(rng, c, group):
    c.scen = "pneumonia with effusion"
    side = rng.choice(SIDES)
    c.side = side
    size = rng.choice(["moderate", "large", "moderate to large"])
    c.history = _hist(rng, rng.choice(["toddler", "child"]), ["pneumonia, persistent fever on antibiotics",
                                                              "worsening respiratory distress, known pneumonia",
                                                              "fever, decreased breath sounds"])
    c.comparison = _comparison(rng, c.canadian, prior=True)
    c.findings = [("lungs", f"Increased consolidation of the {side} lower lobe."),
                  ("pleura", f"There is a {size} {side} pleural effusion, increased from prior."),
                  ("pleura", "No pneumothorax."),
                  ("heart", "Heart size is within normal limits. No mediastinal shift.")]
    c.impression = [f"Worsening {side} lower lobe pneumonia.",
                    f"Interval increase in {size} {side} pleural effusion. Ultrasound can be obtained to assess for loculation/empyema."]

    def om_eff(cc):
        cc.impression = [f"Worsening {side} lower lobe pneumonia."]
        return f"impression keeps the pneumonia but leaves out the {size} {side} effusion"

    def om_macro(cc):
        cc.impression = ["No acute change."]
        return "impression replaced with 'no acute change'; findings describe increasing consolidation and effusion"
    c.omits = [om_eff, om_macro]

    def neg(cc):
        cc.impression = [f"Worsening {side} lower lobe pneumonia.", "No pleural effusion."]
        return f"impression says no effusion; findings describe a {size} effusion"
    c.negs = [neg]


def scen_asthma(rng, c, group):
    c.scen = "asthma"
    grp = rng.choice(["child", "teen", "toddler"])
    c.history = _hist(rng, grp, ["asthma exacerbation", "hx asthma, wheezing, chest pain", "status asthmaticus",
                                 "asthma, not improving with albuterol", "wheeze, hypoxia, known asthmatic"])
    c.findings = [("lungs", rng.choice(["The lungs are hyperinflated.", "Hyperinflation with flattening of the hemidiaphragms."])),
                  ("lungs", rng.choice(["Mild peribronchial thickening.", "Central peribronchial thickening."])),
                  ("lungs", "No focal consolidation."),
                  ("pleura", "No pneumothorax or pneumomediastinum. No pleural effusion."),
                  ("heart", rng.choice(HEART_NORMAL))]
    c.impression = [rng.choice(["Hyperinflation and peribronchial thickening, consistent with reactive airway disease/asthma.",
                                "Findings compatible with the clinical history of asthma."]),
                    "No pneumothorax, pneumomediastinum or focal pneumonia."]

    def neg(cc):
        cc.impression = [cc.impression[0], "Small pneumomediastinum."]
        return "impression reports pneumomediastinum that findings negate"

    def neg2(cc):
        cc.impression = ["Normal lung volumes. No acute cardiopulmonary process."]
        return "impression says normal lung volumes; findings describe hyperinflation"
    c.negs = [neg, neg2]


def scen_fb(rng, c, group, abnormal):
    c.scen = "foreign body" + (" air trapping" if abnormal else "")
    grp = rng.choice(["toddler", "toddler", "infant"])
    c.history = _hist(rng, grp, ["choking episode while eating peanuts, r/o foreign body",
                                 "possible foreign body aspiration", "witnessed choking on a toy, now coughing",
                                 "sudden onset wheeze after eating popcorn"])
    c.exam, c.technique = _exam_tech(rng, "fb")
    if not abnormal:
        c.findings = [("other", "No radiopaque foreign body is identified."),
                      ("lungs", "The lungs deflate symmetrically on the dependent decubitus views, without evidence of air trapping."),
                      ("lungs", "No focal consolidation or atelectasis."),
                      ("pleura", rng.choice(NO_EFF_PTX)),
                      ("heart", _heart(rng, grp))]
        c.impression = ["No radiographic evidence of aspirated foreign body.",
                        "Radiolucent foreign body cannot be excluded; consider bronchoscopy if clinical concern persists."]

        def neg(cc):
            side = rng.choice(SIDES)
            cc.impression = [f"Air trapping in the {side} lung, suspicious for aspirated foreign body."]
            return "impression reports air trapping; findings say symmetric deflation without air trapping"
        c.negs = [neg]
    else:
        side = rng.choice(SIDES)
        c.side = side
        c.findings = [("other", "No radiopaque foreign body is identified."),
                      ("lungs", f"The {side} lung is hyperlucent and remains inflated on the {side} side down decubitus view, consistent with air trapping."),
                      ("lungs", f"The {'left' if side == 'right' else 'right'} lung deflates normally."),
                      ("pleura", "No pneumothorax."),
                      ("heart", "Mild mediastinal shift away from the hyperlucent lung.")]
        c.impression = [f"Air trapping in the {side} lung, suspicious for an aspirated radiolucent foreign body in the {side} mainstem bronchus.",
                        "Findings discussed with the ED physician at the time of dictation."]

        def neg(cc):
            cc.impression = ["No evidence of air trapping. No radiopaque foreign body."]
            return "impression says no air trapping; findings describe air trapping"
        c.negs = [neg]


def scen_trauma(rng, c, group, abnormal):
    c.scen = "trauma" + (" positive" if abnormal else "")
    grp = rng.choice(["child", "teen"])
    c.history = _hist(rng, grp, ["fall from monkey bars, chest wall pain", "MVC, restrained passenger, chest pain",
                                 "hit by a hockey puck, left chest pain", "fall off bicycle, right chest pain",
                                 "trauma, chest tenderness", "tackled during football, rib pain"])
    if not abnormal:
        c.findings = [("bones", "No displaced rib fracture identified."),
                      ("lungs", "The lungs are clear without pulmonary contusion."),
                      ("pleura", rng.choice(NO_EFF_PTX)),
                      ("heart", "Normal mediastinal contour and heart size.")]
        c.impression = [rng.choice(["No acute traumatic abnormality of the chest.", "No radiographic evidence of acute thoracic injury."])]
        if rng.random() < 0.5:
            c.impression.append("Nondisplaced rib fractures may be radiographically occult.")

        def neg(cc):
            side = rng.choice(SIDES)
            cc.impression = [f"Small {side} pneumothorax. No displaced rib fracture."]
            return "impression reports a pneumothorax that findings negate"

        def neg2(cc):
            side = rng.choice(SIDES)
            cc.impression = [f"Displaced {side} 6th rib fracture."]
            return "impression reports a displaced rib fracture; findings say none"
        c.negs = [neg, neg2]
    else:
        side = rng.choice(SIDES)
        c.side = side
        rib = rng.choice(["4th", "5th", "6th", "7th", "8th"])
        c.findings = [("bones", f"Acute minimally displaced fracture of the lateral {side} {rib} rib."),
                      ("pleura", f"Small {side} apical pneumothorax."),
                      ("lungs", f"Patchy opacity in the {side} mid lung, likely pulmonary contusion."),
                      ("heart", "Mediastinum is normal in width.")]
        c.impression = [f"Acute {side} {rib} rib fracture with small {side} pneumothorax and adjacent pulmonary contusion.",
                        "Findings communicated to the trauma team."]

        def om(cc):
            cc.impression = [f"Acute {side} {rib} rib fracture."]
            return f"impression lists the rib fracture but leaves out the {side} pneumothorax"
        c.omits = [om]

        def neg(cc):
            cc.impression = [f"Acute {side} {rib} rib fracture. No pneumothorax."]
            return "impression says no pneumothorax; findings describe one"
        c.negs = [neg]


def scen_lines(rng, c, group):
    c.scen = "line check"
    grp = rng.choice(["infant", "child", "teen"])
    c.exam, c.technique = _exam_tech(rng, "line")
    kind = rng.choice(["picc", "picc", "ett", "ngt", "cvc"])
    side = rng.choice(SIDES)
    if kind == "picc":
        c.history = _hist(rng, grp, ["PICC placement", "s/p PICC placement, tip position", "new PICC, confirm position"])
        lev = rng.choice(["the cavoatrial junction", "the distal superior vena cava", "the SVC/right atrial junction"])
        dev = [("lines", f"{side.capitalize()} upper extremity PICC with tip projecting at {lev}.")]
        imp = [f"{side.capitalize()} upper extremity PICC tip at {lev}."]
        c.side = side
    elif kind == "cvc":
        c.history = _hist(rng, grp, ["central line placement", "new tunneled central line"])
        dev = [("lines", f"{side.capitalize()} internal jugular central venous catheter with tip in the distal SVC.")]
        imp = [f"{side.capitalize()} internal jugular catheter tip in the distal SVC. No pneumothorax."]
        c.side = side
    elif kind == "ett":
        grp = "infant"
        c.history = _hist(rng, grp, ["intubated, ETT position", "respiratory failure, post intubation"])
        lev = rng.choice(["T2", "the thoracic inlet", "T2-T3"])
        dev = [("lines", f"Endotracheal tube tip projects at {lev}, approximately 1 cm above the carina."),
               ("lines", "Enteric tube tip in the stomach.")]
        imp = ["Endotracheal tube and enteric tube in satisfactory position."]
    else:
        c.history = _hist(rng, grp, ["NG tube placement", "feeding tube placement, confirm position"])
        dev = [("lines", "Nasogastric tube courses below the diaphragm with tip in the gastric body.")]
        imp = ["Nasogastric tube tip in the stomach."]
    c.findings = dev + [("lungs", rng.choice(["The lungs are clear.", "Mild perihilar opacities, unchanged.", "Lungs are clear."])),
                        ("pleura", rng.choice(NO_EFF_PTX)),
                        ("heart", _heart(rng, grp))]
    if "unchanged" in c.findings[len(dev)][1]:
        c.comparison = _comparison(rng, c.canadian, prior=True)
    tail = ["No pneumothorax.", "Otherwise no acute change."] if c.comparison[:2] != "No" else ["No pneumothorax.", "Lungs are clear."]
    if "opacities" in c.findings[len(dev)][1]:
        tail = ["No pneumothorax.", "Otherwise no acute change."]
    c.impression = imp + ([rng.choice(tail)] if "No pneumothorax" not in imp[0] else [])

    def neg(cc):
        cc.impression = imp[:1] + [rng.choice(["Small left apical pneumothorax.", "Small right pneumothorax following line placement."])]
        return "impression reports a pneumothorax that findings negate"
    c.negs = [neg]


def scen_ptx(rng, c, group):
    c.scen = "spontaneous pneumothorax"
    side = rng.choice(SIDES)
    c.side = side
    size = rng.choice(["Large", "Moderate", "Small"])
    c.history = _hist(rng, "teen", ["sudden onset chest pain and dyspnea", f"acute {side} chest pain, tall thin adolescent",
                                    "pleuritic chest pain, r/o pneumothorax"])
    c.findings = [("pleura", f"{size} {side} pneumothorax with the visceral pleural line approximately {rng.choice(['1', '2', '3', '4'])} cm from the apex."),
                  ("heart", rng.choice(["No mediastinal shift.", "No evidence of tension. Heart size normal."])),
                  ("lungs", f"The {'left' if side == 'right' else 'right'} lung is clear."),
                  ("pleura", "No pleural effusion.")]
    c.impression = [f"{size} {side} pneumothorax without evidence of tension.",
                    rng.choice(["Findings communicated to the emergency department physician by telephone.",
                                "Results called to the ordering provider."])]

    def om(cc):
        cc.impression = [rng.choice(NORMAL_MACRO)]
        return f"impression replaced with a normal macro; findings describe a {side} pneumothorax"
    c.omits = [om]

    def neg(cc):
        cc.impression = ["No pneumothorax. No acute cardiopulmonary process."]
        return "impression says no pneumothorax; findings describe one"
    c.negs = [neg]


def scen_acs(rng, c, group):
    c.scen = "acute chest syndrome"
    side = rng.choice(SIDES)
    c.side = side
    c.history = _hist(rng, rng.choice(["child", "teen"]), ["sickle cell disease, fever and chest pain, evaluate for acute chest syndrome",
                                                           "HbSS with fever, hypoxia", "sickle cell, chest pain"])
    c.comparison = _comparison(rng, c.canadian, prior=True)
    c.findings = [("lungs", f"New patchy airspace opacity in the {side} lower lobe."),
                  ("pleura", f"Trace {side} pleural effusion. No pneumothorax."),
                  ("heart", "Mild cardiomegaly, unchanged, consistent with chronic anemia."),
                  ("bones", "Bone changes of sickle cell disease, including H-shaped vertebral bodies.")]
    c.impression = [f"New {side} lower lobe airspace opacity, compatible with acute chest syndrome in the appropriate clinical context. Pneumonia is also possible."]

    def om(cc):
        cc.impression = ["Stable mild cardiomegaly. No acute change."]
        return f"impression lists only stable cardiomegaly; new {side} lower lobe opacity left out"

    def om2(cc):
        cc.impression = [rng.choice(NORMAL_MACRO)]
        return f"impression replaced with a normal macro; findings describe a new {side} lower lobe opacity"
    c.omits = [om, om2]

    def neg(cc):
        cc.impression = [cc.impression[0], "Heart size is normal."]
        return "impression says heart size normal; findings describe mild cardiomegaly"
    c.negs = [neg]


def scen_chd(rng, c, group, edema):
    c.scen = "congenital heart disease" + (" edema" if edema else "")
    grp = rng.choice(["infant", "toddler", "child"])
    c.history = _hist(rng, grp, ["s/p VSD repair, follow-up", "history of tetralogy of Fallot repair, cough",
                                 "congenital heart disease, increased work of breathing",
                                 "s/p cardiac surgery, routine post-op film"])
    c.comparison = _comparison(rng, c.canadian, prior=True)
    c.findings = [("heart", "Median sternotomy wires are intact."),
                  ("heart", "Mild cardiomegaly, unchanged.")]
    if edema:
        c.findings += [("lungs", "Interval increase in pulmonary vascular congestion with new interstitial edema and Kerley B lines."),
                       ("pleura", "No pleural effusion or pneumothorax.")]
        c.impression = ["Stable mild cardiomegaly with new interstitial pulmonary edema."]

        def om(cc):
            cc.impression = ["Stable postoperative chest. Mild cardiomegaly, unchanged."]
            return "impression calls the chest stable; new pulmonary edema in findings left out"
        c.omits = [om]

        def neg(cc):
            cc.impression = ["Stable mild cardiomegaly. No pulmonary edema."]
            return "impression says no pulmonary edema; findings describe new interstitial edema"
        c.negs = [neg]
    else:
        c.findings += [("lungs", "The lungs are clear."), ("pleura", rng.choice(NO_EFF_PTX))]
        c.impression = [rng.choice(["Stable postoperative appearance of the chest. No acute process.",
                                    "No acute cardiopulmonary process. Stable mild cardiomegaly.",
                                    "Stable postoperative chest."])]

        def neg(cc):
            cc.impression = ["Normal heart size. No acute cardiopulmonary process."]
            return "impression says normal heart size; findings describe mild cardiomegaly"
        c.negs = [neg]


def scen_followup(rng, c, group):
    c.scen = "pneumonia follow-up"
    side = rng.choice(SIDES)
    lobe = rng.choice(LOBES[side])
    c.side = side
    c.history = _hist(rng, group, ["follow-up pneumonia", "f/u round pneumonia after antibiotics",
                                   "recent pneumonia, persistent cough"])
    c.comparison = _comparison(rng, c.canadian, prior=True)
    c.findings = [("lungs", f"Interval improvement of the previously seen {lobe} opacity, with minimal residual streaky opacity."),
                  ("pleura", rng.choice(NO_EFF_PTX)),
                  ("heart", rng.choice(HEART_NORMAL))]
    c.impression = [f"Improving {lobe} pneumonia with minimal residual opacity."]

    def neg(cc):
        cc.impression = [f"Complete resolution of the {lobe} opacity. Lungs are clear."]
        return "impression says complete resolution/lungs clear; findings describe residual opacity"
    c.negs = [neg]


CLEAN_WEIGHTS = [
    (scen_normal, 52), (scen_viral, 16), (scen_bronchiolitis, 5), (scen_lobar, 9), (scen_round, 2),
    (scen_asthma, 5), ("fb0", 3), ("fb1", 1), ("tr0", 3), ("tr1", 1), (scen_lines, 6), (scen_ptx, 1),
    (scen_acs, 1), ("chd0", 2), ("chd1", 1), (scen_followup, 3), (scen_parapneumonic, 1),
]


def _run_scen(rng, key, c, group):
    if key == "fb0":
        scen_fb(rng, c, group, False)
    elif key == "fb1":
        scen_fb(rng, c, group, True)
    elif key == "tr0":
        scen_trauma(rng, c, group, False)
    elif key == "tr1":
        scen_trauma(rng, c, group, True)
    elif key == "chd0":
        scen_chd(rng, c, group, False)
    elif key == "chd1":
        scen_chd(rng, c, group, True)
    else:
        key(rng, c, group)


def new_bank_case(rng, keys=None) -> Case:
    c = Case()
    _new_report_date(rng)
    c.canadian = rng.random() < 0.35
    c.headers = dict(rng.choice(HEADER_SETS_CA if c.canadian else HEADER_SETS_US))
    c.structured = rng.random() < 0.3
    c.numbered = rng.random() < 0.55
    group = rng.choice(["infant", "toddler", "child", "child", "teen"])
    c.exam, c.technique = _exam_tech(rng, "one" if group == "infant" and rng.random() < 0.6 else "two")
    c.comparison = _comparison(rng, c.canadian)
    c.sign = signoff(rng, c.canadian)
    pool = CLEAN_WEIGHTS if keys is None else [(k, w) for k, w in CLEAN_WEIGHTS if k in keys]
    key = rng.choices([k for k, _ in pool], weights=[w for _, w in pool])[0]
    _run_scen(rng, key, c, group)
    return c


# ---------------------------------------------------------------------------
# placeholders
# ---------------------------------------------------------------------------

BLANKS = ["***", "***", "[***]", "[ ]", "[ *** ]", "{***}", "[  ]", "***"]


def _blank(rng):
    return rng.choice(BLANKS)


def placeholder_in_text(rng, text: str, allow_side=True):
    """Replace one word of text by an unfilled field. Returns (new_text, what) or None."""
    opts = []
    if allow_side:
        for m in re.finditer(r"\b(right|left|Right|Left)\b", text):
            opts.append((m.start(), m.end(), rng.choice(["[right/left]", "***", "[ ]", "[***]"]), "side"))
    for m in re.finditer(r"\b(small|moderate|large|mild|Small|Moderate|Large|Mild)\b", text):
        opts.append((m.start(), m.end(), rng.choice(["[small/moderate/large]", "***", "[ ]"]), "size word"))
    for m in re.finditer(r"\b\d+(?:\.\d+)?(?= ?(?:cm|mm))", text):
        opts.append((m.start(), m.end(), rng.choice(["***", "[ ]", "[***]"]), "measurement"))
    for m in re.finditer(r"\b(upper|middle|lower)\b(?= lobe)", text):
        opts.append((m.start(), m.end(), rng.choice(["***", "[upper/middle/lower]"]), "lobe"))
    for m in re.finditer(r"\b(T\d|cavoatrial junction|stomach|distal SVC)\b", text):
        opts.append((m.start(), m.end(), rng.choice(["***", "[ ]", "[level]"]), "tip position"))
    for m in re.finditer(r"\b(normal|clear|unremarkable)\b", text):
        opts.append((m.start(), m.end(), rng.choice(["***", "[normal/abnormal]", "{***}"]), "descriptor"))
    if not opts:
        return None
    cats = sorted({o[3] for o in opts})
    weights = [0.35 if cat == "descriptor" else 1.0 for cat in cats]
    cat = rng.choices(cats, weights=weights)[0]
    s, e, tok, what = rng.choice([o for o in opts if o[3] == cat])
    return text[:s] + tok + text[e:], f"{what} '{text[s:e]}' left as unfilled field '{tok}'"


def inject_placeholder_case(rng, c: Case) -> str:
    choice = rng.random()
    if choice < 0.1:
        tok = rng.choice(["***", "[***]", "[Insert comparison]", "[ ]"])
        c.comparison = tok
        return f"comparison field left as '{tok}'"
    if choice < 0.17 and c.technique and c.headers.get("tech"):
        tok = rng.choice(["***", "[ ] views of the chest.", "{Views:***}"])
        c.technique = tok
        return f"technique field left as '{tok}'"
    if choice < 0.25:
        m = re.search(r"\b\d+(?:-(?:month|year)-old| mo| yo| y/o| month old| year old|-year-old)", c.history)
        if m:
            num = re.match(r"\d+", m.group(0)).group(0)
            tok = rng.choice(["***", "[ ]"])
            c.history = c.history.replace(num, tok, 1)
            return f"patient age left as '{tok}' in the history"
    if 0.25 <= choice < 0.31:
        tok = rng.choice(["***", "[Reason for exam]", "{Clinical history:***}", "[ ]"])
        c.history = tok
        return f"clinical history field left as '{tok}'"
    if 0.31 <= choice < 0.4:
        tok = rng.choice(["***", "[ ]", "[***]"])
        if rng.random() < 0.5 and c.prose_findings is None:
            lab = rng.choice(["Lines/tubes", "Upper abdomen", "Soft tissues"])
            tag = {"Lines/tubes": "lines", "Upper abdomen": "abd", "Soft tissues": "other"}[lab]
            if c.structured:
                c.findings.append((tag, tok))
                return f"structured findings field '{lab}' left as '{tok}'"
            c.findings.append((tag, f"{lab}: {tok}"))
            return f"findings template line '{lab}: {tok}' left unfilled"
        c.numbered = True
        c.impression = c.impression + [tok]
        return f"extra impression item left as unfilled field '{tok}'"
    if c.prose_findings is not None:
        sect = "impression" if rng.random() < 0.45 else "findings"
        if sect == "findings":
            r = placeholder_in_text(rng, c.prose_findings)
            if r:
                c.prose_findings = r[0]
                return "findings: " + r[1]
        for i in rng.sample(range(len(c.impression)), len(c.impression)):
            r = placeholder_in_text(rng, c.impression[i])
            if r:
                c.impression[i] = r[0]
                return "impression: " + r[1]
        r = placeholder_in_text(rng, c.prose_findings)
        if r:
            c.prose_findings = r[0]
            return "findings: " + r[1]
    else:
        order = ["findings", "impression"] if rng.random() < 0.55 else ["impression", "findings"]
        for sect in order:
            if sect == "findings":
                idx = list(range(len(c.findings)))
                rng.shuffle(idx)
                for i in idx:
                    r = placeholder_in_text(rng, c.findings[i][1])
                    if r:
                        c.findings[i] = (c.findings[i][0], r[0])
                        return "findings: " + r[1]
            else:
                idx = list(range(len(c.impression)))
                rng.shuffle(idx)
                for i in idx:
                    r = placeholder_in_text(rng, c.impression[i])
                    if r:
                        c.impression[i] = r[0]
                        return "impression: " + r[1]
    tok = rng.choice(["***", "[***]"])
    c.comparison = tok
    return f"comparison field left as '{tok}'"


# ---------------------------------------------------------------------------
# injections on bank cases
# ---------------------------------------------------------------------------

def inject_missing(rng, c: Case) -> str:
    if rng.random() < 0.75:
        c.omit_impression = rng.choice(["blank", "blank", "absent"])
        return "impression section " + ("left empty" if c.omit_impression == "blank" else "dropped") + " while findings are described"
    c.omit_findings = rng.choice(["blank", "blank", "blank", "absent"])
    if c.comparison.startswith("No"):
        c.impression = [rng.choice(["No acute cardiopulmonary process.", "No acute disease."])]
    else:
        c.impression = [rng.choice(["No significant interval change.", "Stable appearance of the chest compared with prior.",
                                    "No acute change from prior study.", "No acute cardiopulmonary process."])]
    return "findings section " + ("left empty" if c.omit_findings == "blank" else "dropped") + "; impression is a bare conclusion"


def inject_laterality(rng, c: Case) -> str:
    fi = [i for i, (_, s) in enumerate(c.findings) if re.search(r"\b(right|left)\b", s, re.I)]
    ii = [i for i, s in enumerate(c.impression) if re.search(r"\b(right|left)\b", s, re.I)]
    if ii and (not fi or rng.random() < 0.6):
        i = rng.choice(ii)
        old = c.impression[i]
        c.impression[i] = flip_side(old)
        return f"impression side flipped: '{old}' -> '{c.impression[i]}'"
    i = rng.choice(fi)
    old = c.findings[i][1]
    c.findings[i] = (c.findings[i][0], flip_side(old))
    return f"findings side flipped: '{old}' -> '{c.findings[i][1]}'"


def bank_case_for(rng, kind) -> tuple[Case, str]:
    while True:
        c = new_bank_case(rng)
        if kind is None:
            return c, ""
        if kind == "missing_section":
            return c, inject_missing(rng, c)
        if kind == "placeholder":
            return c, inject_placeholder_case(rng, c)
        if kind == "laterality_conflict":
            ok_f = any(re.search(r"\b(right|left)\b", s, re.I) for s in c.fsents())
            ok_i = any(re.search(r"\b(right|left)\b", s, re.I) for s in c.impression)
            if c.side and ok_f and ok_i:
                return c, inject_laterality(rng, c)
            continue
        if kind == "negation_conflict" and c.negs:
            return c, rng.choice(c.negs)(c)
        if kind == "impression_omits_finding" and c.omits:
            return c, rng.choice(c.omits)(c)


# ---------------------------------------------------------------------------
# real IU reports, re-laid-out
# ---------------------------------------------------------------------------

ADULT = re.compile(r"degenerat|osteophyt|spondyl|aort(a|ic)|atheroscl|calcified|emphysema|copd|sternotomy|cabg|"
                   r"pacemaker|defibrillator|hiatal|osteopen|kyphos|arthrit|cholecyst|surgical clip|mastectomy|"
                   r"granulom|hyperexpan|vascular clips|smok|elderly|old fracture|healed|chronic", re.I)

REWORD = [
    (r"\bNo acute cardiopulmonary abnormality\b", ["No acute cardiopulmonary process", "No acute cardiopulmonary abnormality"]),
    (r"\bNo active disease\b", ["No acute cardiopulmonary disease", "No active disease"]),
    (r"\bNegative chest\b", ["Negative chest radiograph", "Normal chest radiographs"]),
    (r"\bCardiomediastinal silhouette\b", ["Cardiothymic silhouette", "Cardiomediastinal silhouette"]),
    (r"\bThe heart is normal in size\b", ["Heart size is normal", "The heart is normal in size"]),
    (r"\bwithin normal limits\b", ["within normal limits", "normal"]),
    (r"\bThe lungs are clear\b", ["The lungs are clear", "Lungs are clear"]),
    (r"\bvisualized osseous structures\b", ["visualized bones", "visualized osseous structures"]),
]


def reword(rng, text: str) -> str:
    for pat, alts in REWORD:
        if re.search(pat, text):
            text = re.sub(pat, rng.choice(alts), text)
    return text


def real_case(rng, r: dict) -> Case:
    c = Case()
    _new_report_date(rng)
    c.canadian = rng.random() < 0.35
    c.headers = dict(rng.choice(HEADER_SETS_CA if c.canadian else HEADER_SETS_US))
    c.numbered = False
    c.exam, c.technique = _exam_tech(rng, "two")
    ind = r["indication"] or rng.choice(["Not provided.", "Cough.", "Fever, cough."])
    if not ind.endswith("."):
        ind += "."
    c.history = ind
    comp = r["comparison"] or "None."
    if not comp.endswith("."):
        comp += "."
    c.comparison = comp
    c.prose_findings = reword(rng, r["findings"])
    c.impression = [reword(rng, r["impression"])]
    c.sign = signoff(rng, c.canadian)
    c.scen = "IU " + r["uid"]
    return c


def _real_pools(rows):
    pools = {k: [] for k in ["clean", "missing", "lat", "neg", "omit", "ph"]}
    for r in rows:
        f, imp = r["findings"], r["impression"]
        if not f or not imp or len(f) > 700 or len(imp) > 400 or len(f) < 40:
            continue
        if ADULT.search(f + " " + imp + " " + r["indication"]):
            continue
        aff_f = affirmed_terms(f)
        aff_i = affirmed_terms(imp)
        # clean: every affirmed significant finding in findings appears in the impression
        consistent = all(mentions(imp, g) for g in aff_f)
        for pat in (r"\bnew\b|newly", r"increas", r"develop", r"worsen", r"nodul", r"widen", r"enlarg|cardiomegaly"):
            for sent in split_sents(f):
                m = re.search(pat, sent, re.I)
                if m and not NEG_PRE.search(sent[: m.start()]) and not re.search(pat, imp, re.I):
                    if not (pat.startswith("enlarg") and re.search(r"mild|borderline|stable|unchanged", sent, re.I)):
                        consistent = False
        if "bilateral" not in (f + imp).lower() and not re.search(r"\bboth\b", f + imp, re.I):
            sf = set(w.lower() for w in re.findall(r"\b(right|left)\b", f, re.I))
            si = set(w.lower() for w in re.findall(r"\b(right|left)\b", imp, re.I))
            if len(sf) == 1 and sf == si and consistent:
                pools["lat"].append(r)
                lat_ok = True
            else:
                lat_ok = False
        else:
            lat_ok = False
        if consistent and not lat_ok:
            sf = set(w.lower() for w in re.findall(r"\b(right|left)\b", f, re.I))
            si = set(w.lower() for w in re.findall(r"\b(right|left)\b", imp, re.I))
            if not si or not sf or si == sf:
                pools["clean"].append(r)
        # omission candidates: an affirmed, unhedged significant finding that the impression also affirms
        for g, sents in aff_f.items():
            if g not in aff_i:
                continue
            good = [s for s in sents if not re.search(
                r"small|trace|tiny|minimal|mild|possib|may |could|cannot|question|versus|\bvs\b|\?|suspect|subtle|"
                r"likely|probabl|atelecta|scar|stable|unchanged|improv|decreas|resolv|previous|prior|chronic|"
                r"residual|streak|strand|no |not |without", s, re.I)]
            if good:
                pools["omit"].append((r, g, good[0]))
                break
        normalish = (not aff_f) and ("normal" in r["major"] or re.search(r"no acute|normal|clear", imp, re.I))
        if normalish:
            pools["neg"].append(r)
        pools["missing"].append(r)
        if consistent and (lat_ok or r in pools["clean"][-1:]):
            pools["ph"].append(r)
    return pools


def real_for(rng, kind, pools, used) -> tuple[Case, str, str]:
    def take(pool, pred=lambda x: True):
        cands = [x for x in pool if (x[0] if isinstance(x, tuple) else x)["uid"] not in used and pred(x)]
        x = rng.choice(cands)
        used.add((x[0] if isinstance(x, tuple) else x)["uid"])
        return x

    if kind is None:
        # mostly normal reports, as in a real list
        if rng.random() < 0.7:
            r = take(pools["clean"], lambda x: "normal" in x["major"])
        else:
            r = take(pools["clean"], lambda x: "normal" not in x["major"])
        return real_case(rng, r), "", r["uid"]
    if kind == "missing_section":
        r = take(pools["missing"])
        c = real_case(rng, r)
        if rng.random() < 0.75:
            c.omit_impression = rng.choice(["blank", "blank", "absent"])
            d = "impression section " + ("left empty" if c.omit_impression == "blank" else "dropped")
        else:
            c.omit_findings = rng.choice(["blank", "absent"])
            c.impression = [rng.choice(["No acute cardiopulmonary process.", "No significant change.",
                                        "No acute disease."])]
            d = "findings section " + ("left empty" if c.omit_findings == "blank" else "dropped") + "; impression replaced by a bare conclusion"
        return c, d, r["uid"]
    if kind == "laterality_conflict":
        r = take(pools["lat"])
        c = real_case(rng, r)
        isents = split_sents(c.impression[0])
        ii = [i for i, s in enumerate(isents) if re.search(r"\b(right|left)\b", s, re.I)]
        if rng.random() < 0.65 and ii:
            i = rng.choice(ii)
            old = isents[i]
            isents[i] = flip_side(old)
            c.impression = [" ".join(isents)]
            d = f"impression side flipped: '{old}' -> '{isents[i]}'"
        else:
            fs = split_sents(c.prose_findings)
            fi = [i for i, s in enumerate(fs) if re.search(r"\b(right|left)\b", s, re.I)]
            i = rng.choice(fi)
            old = fs[i]
            fs[i] = flip_side(old)
            c.prose_findings = " ".join(fs)
            d = f"findings side flipped: '{old}' -> '{fs[i]}'"
        return c, d, r["uid"]
    if kind == "negation_conflict":
        if rng.random() < 0.3:
            r, g, sent = take(pools["omit"])
            c = real_case(rng, r)
            neg = {"consolidation": "No focal consolidation. The lungs are clear.", "effusion": "No pleural effusion.",
                   "pneumothorax": "No pneumothorax.", "edema": "No pulmonary edema.", "mass": "No mass.",
                   "free air": "No free air.", "widened mediastinum": "Normal mediastinal width."}[g]
            c.impression = [neg + rng.choice([" No acute cardiopulmonary process.", ""])]
            return c, f"impression now negates the {g} that findings affirm ('{sent}')", r["uid"]
        r = take(pools["neg"])
        c = real_case(rng, r)
        f = c.prose_findings.lower()
        opts = []
        if re.search(r"pneumothora", f):
            opts.append(("pneumothorax", "Small {s} apical pneumothorax."))
        if re.search(r"effusion", f) and not re.search(r"large|significant|sizable|moderate", f):
            opts.append(("effusion", "Small {s} pleural effusion."))
        if re.search(r"clear|consolidation|airspace|focal", f):
            opts.append(("consolidation", "{S} lower lobe pneumonia."))
        if re.search(r"heart (size )?(is )?normal|normal (in )?(heart )?size|heart size is normal|cardiac silhouette (is )?(within )?normal|heart is normal", f):
            opts.append(("heart size", "Cardiomegaly."))
        if not opts:
            opts.append(("consolidation", "{S} lower lobe pneumonia."))
        what, tpl = rng.choice(opts)
        s = rng.choice(SIDES)
        c.impression = [tpl.format(s=s, S=s.capitalize())]
        return c, f"impression replaced by an assertion of {what} ('{c.impression[0]}') that findings negate", r["uid"]
    if kind == "impression_omits_finding":
        r, g, sent = take(pools["omit"])
        c = real_case(rng, r)
        c.impression = [rng.choice(NORMAL_MACRO)]
        return c, f"impression replaced with '{c.impression[0]}'; findings affirm {g} ('{sent}')", r["uid"]
    # placeholder
    r = take(pools["ph"])
    c = real_case(rng, r)
    return c, inject_placeholder_case(rng, c), r["uid"]


# ---------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------

def _build(seed: int):
    rng = random.Random(f"h104-{seed}")
    dev = dev_uids()
    rows = [r for r in load_iu() if r["uid"] not in dev]
    pools = _real_pools(rows)
    used: set[str] = set()
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    out = []
    for kind, n in plan:
        for j in range(n):
            if j < n // 2:
                c, detail = bank_case_for(rng, kind)
                src = None
                detail = (detail + " " if detail else "") + f"[phrase bank: {c.scen}]"
            else:
                c, detail, src = real_for(rng, kind, pools, used)
                detail = (detail + " " if detail else "") + f"[real IU report {src}, re-laid-out]"
            out.append(({"injected": kind, "detail": detail, "report": render(c)}, src))
    rng.shuffle(out)
    rows_out, srcs = [], []
    for n, (row, src) in enumerate(out):
        rows_out.append({"id": f"h104-{seed}-{n}", "injected": row["injected"], "detail": row["detail"],
                         "report": row["report"]})
        srcs.append(src)
    return rows_out, srcs


def build(seed: int) -> list[dict]:
    return _build(seed)[0]


def source_uids(seed: int) -> set[str]:
    return {s for s in _build(seed)[1] if s}


def main(argv=None):
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
            for r in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"===== {r['id']} {kind} :: {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
