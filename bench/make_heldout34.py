"""Held-out report-check set #34: the many ways a chest X-ray report says "normal".

Written BLIND: without reading the checker (medrag_core), its tests, docs or any other bench generator.
Only the scorer's format (/work/shared/eval), the IU archive and the dev set's `uid` field were read.

usage: python -m bench.make_heldout34 OUT.jsonl --seed S [--show N]

400 cases: 200 clean, 40 per error kind. Half of every group is composed from the phrase bank below, half is
real IU (Open-i) reports (dev uids excluded) re-laid-out, with their normal sentences partly re-worded.

Styles (theme: normal statements for the whole study and for each part, US / UK / Commonwealth registers):
  us_macro     EXAM / INDICATION / TECHNIQUE / COMPARISON / FINDINGS / IMPRESSION, a US normal macro voice
  uk_nhs       "XR Chest PA", Clinical details, UK spelling, "NAD", "No abnormality detected", "Normal appearances"
  organ_lines  FINDINGS split into Lungs: / Pleura: / Heart and mediastinum: / Bones: lines, numbered impression
  compact      one-paragraph dictation, "FINDINGS: ... IMPRESSION: ..." run on
  signed_tpl   reporting-system template with MIMIC-style identifier masks (Dr. ___, ___-year-old) and sign-off
Errors are slips: a normal macro pasted over the section where a finding was meant, a part's normal phrase
("The pleural spaces are clear.", "Heart size is normal.") beside that part's finding in the other section,
a side flipped while dictating, an impression left as a normal macro, template fields left unfilled.
"""

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
STYLES = ["us_macro", "uk_nhs", "organ_lines", "compact", "signed_tpl"]

LUNG_ALL = {"air", "edema", "nod", "coll", "atel", "gran"}
# findings-register normal phrases: (part, text, tags negated)
NORMALS = [
    ("lungs", "The lungs are expanded and clear.", LUNG_ALL | {"ptx"}),
    ("lungs", "The lungs are clear.", LUNG_ALL),
    ("lungs", "Lungs are well expanded and clear bilaterally.", LUNG_ALL | {"ptx"}),
    ("lungs", "Both lungs are clear and well aerated.", LUNG_ALL),
    ("lungs", "The lung fields are clear.", LUNG_ALL),
    ("lungs", "Clear lungs.", LUNG_ALL),
    ("lungs", "No focal airspace disease.", {"air", "edema"}),
    ("lungs", "No focal consolidation.", {"air", "edema"}),
    ("lungs", "Normal lung markings.", {"edema"}),
    ("lungs", "No pulmonary edema.", {"edema"}),
    ("lungs", "No focal lung lesion.", {"nod"}),
    ("lungs", "No consolidation, collapse or mass.", {"air", "coll", "nod"}),
    ("pleura", "The pleural spaces are clear.", {"eff", "ptx"}),
    ("pleura", "No pleural effusion or pneumothorax.", {"eff", "ptx"}),
    ("pleura", "The costophrenic angles are sharp.", {"eff"}),
    ("pleura", "No pleural abnormality.", {"eff", "ptx"}),
    ("pleura", "No effusion.", {"eff"}),
    ("pleura", "No pneumothorax.", {"ptx"}),
    ("pleura", "Pleural spaces clear, no pneumothorax.", {"eff", "ptx"}),
    ("heart", "Heart size is normal.", {"card"}),
    ("heart", "The heart is not enlarged.", {"card"}),
    ("heart", "Normal heart size.", {"card"}),
    ("heart", "Cardiac size within normal limits.", {"card"}),
    ("heart", "The cardiothoracic ratio is normal.", {"card"}),
    ("heart", "The cardiomediastinal silhouette is unremarkable.", {"card", "med"}),
    ("heart", "Heart and mediastinum within normal limits.", {"card", "med"}),
    ("heart", "Normal cardiomediastinal contours.", {"card", "med"}),
    ("med", "The mediastinum is not widened.", {"med"}),
    ("med", "Mediastinal and hilar contours are normal.", {"med"}),
    ("med", "Normal mediastinal contours.", {"med"}),
    ("bones", "Bony thorax intact.", {"bone"}),
    ("bones", "The osseous structures are intact.", {"bone"}),
    ("bones", "No acute osseous abnormality.", set()),
    ("bones", "Visualized bones are unremarkable.", {"bone"}),
    ("bones", "The bony thorax is unremarkable.", {"bone"}),
    ("diaph", "No free air under the diaphragm.", {"free"}),
    ("diaph", "No free subdiaphragmatic gas.", {"free"}),
    ("diaph", "The hemidiaphragms are well defined.", set()),
]
# impression-register part normals, used beside findings (clean: other parts; error: the same part)
IMP_NORMALS = [
    ("Heart size is normal.", {"card"}), ("Normal heart size.", {"card"}),
    ("No pleural effusion.", {"eff"}), ("The pleural spaces are clear.", {"eff", "ptx"}),
    ("No pneumothorax.", {"ptx"}), ("The lungs are clear.", LUNG_ALL), ("No focal airspace disease.", {"air"}),
    ("No pulmonary edema.", {"edema"}), ("No evidence of failure.", {"edema"}),
    ("The mediastinum is not widened.", {"med"}), ("Heart and lungs within normal limits.", {"card"} | LUNG_ALL),
    ("No free air.", {"free"}), ("No lung nodule or mass.", {"nod"}),
]
# whole-study normals; "acute" ones may stand beside incidental findings, "total" only beside none
ACUTE_NORMALS = [
    "No active cardiopulmonary disease.", "No acute cardiopulmonary process.",
    "No radiographic evidence of an acute process.", "No acute intrathoracic abnormality.",
    "No acute cardiopulmonary abnormality.", "No acute findings.", "No evidence of active disease.",
    "No acute chest pathology.",
]
TOTAL_NORMALS = [
    "Unremarkable chest radiograph.", "Normal chest X-ray.", "No abnormality detected.", "Normal appearances.",
    "No significant abnormality demonstrated.", "Chest radiograph within normal limits.", "Normal study.",
    "Negative chest.", "Heart and lungs within normal limits.", "Normal chest.", "Clear chest.",
]
UK_NORMALS = ["NAD.", "No abnormality detected.", "Normal appearances.", "Normal chest radiograph."]
BARE = ["No acute disease.", "No acute process.", "No active disease.", "NAD."]

# finding bank: tag, significant, sided, part, findings templates, impression templates, impression regex
FINDINGS = {
    "cons": ("air", True, True, "lungs",
             ["There is patchy airspace opacity in the {side} {loc}.",
              "Focal consolidation is present in the {side} {loc}.",
              "Dense consolidation of the {side} {loc} with air bronchograms.",
              "Ill-defined airspace shadowing in the {side} {loc}."],
             ["{Side} {loc} consolidation, likely infective.", "{Side} {loc} pneumonia.",
              "Airspace disease in the {side} {loc}.", "Consolidation {side} {loc}; follow-up film after treatment."],
             r"consolidat|airspace|air space|pneumoni|infect|opacit|shadowing|infiltrat"),
    "eff_mod": ("eff", True, True, "pleura",
                ["There is a {size} {side} pleural effusion.",
                 "A {size} {side} pleural effusion with a meniscus extending to the mid zone.",
                 "{Size} {side} pleural effusion obscuring the hemidiaphragm."],
                ["{Size} {side} pleural effusion.", "{Side} pleural effusion, {size} in size."],
                r"effusion|fluid|pleura"),
    "eff_new": ("eff", True, True, "pleura",
                ["There is a new small {side} pleural effusion compared with the prior film.",
                 "New blunting of the {side} costophrenic angle, a small effusion not present before."],
                ["New small {side} pleural effusion.", "Interval development of a small {side} effusion."],
                r"effusion|fluid|pleura|costophrenic"),
    "ptx": ("ptx", True, True, "pleura",
            ["There is a {small} {side} apical pneumothorax.",
             "A {side} pneumothorax is present, the visceral pleural line lying {n} mm from the apex.",
             "{Side} pneumothorax with a visible pleural edge laterally."],
            ["{Side} pneumothorax.", "{Side}-sided pneumothorax; clinical team informed."],
            r"pneumothora|ptx|pleural (line|edge)"),
    "edema": ("edema", True, False, "lungs",
              ["There is upper lobe venous diversion with septal lines and perihilar haziness, consistent with "
               "interstitial edema.", "Bilateral perihilar airspace opacities and Kerley B lines in keeping with "
               "pulmonary edema.", "Pulmonary vascular congestion with interstitial edema."],
              ["Pulmonary edema.", "Findings consistent with congestive heart failure.",
               "Interstitial pulmonary edema."],
              r"edema|oedema|congest|failure|fluid|kerley|septal|venous|vascular"),
    "nod": ("nod", True, True, "lungs",
            ["A {n} mm nodule projects over the {side} mid zone.",
             "There is a {n} mm rounded nodule in the {side} mid zone.",
             "{Side} mid zone nodular opacity measuring {n} mm."],
            ["{n} mm {side} mid zone pulmonary nodule; CT chest recommended.",
             "{Side} lung nodule ({n} mm). Further assessment with CT advised."],
            r"nodul|mass|lesion|opacit|neoplas|\bct\b|tumou?r"),
    "mass": ("nod", True, True, "lungs",
             ["There is a {c} cm lobulated mass in the {side} upper lobe.",
              "A {c} cm mass projects over the {side} hilum."],
             ["{Side} lung mass, suspicious for malignancy; CT recommended.",
              "{c} cm {side} pulmonary mass."],
             r"nodul|mass|lesion|opacit|neoplas|malignan|\bct\b|tumou?r"),
    "coll": ("coll", True, True, "lungs",
             ["Complete collapse of the {side} lower lobe with loss of the medial hemidiaphragm outline.",
              "Opacification and volume loss of the {side} lower lobe, in keeping with lobar collapse."],
             ["{Side} lower lobe collapse.", "Collapse of the {side} lower lobe; ?mucus plugging."],
             r"collapse|atelecta|volume loss|opacif"),
    "med": ("med", True, False, "med",
            ["The superior mediastinum is widened, measuring 9.5 cm.",
             "Widening of the mediastinum compared with the prior film."],
            ["Widened mediastinum; recommend CT.", "Mediastinal widening, CT angiogram advised."],
            r"mediastin"),
    "free": ("free", True, False, "diaph",
             ["Free gas is seen beneath both hemidiaphragms.",
              "There is free subdiaphragmatic air beneath both hemidiaphragms."],
             ["Pneumoperitoneum; surgical team informed.", "Free intraperitoneal air."],
             r"free|pneumoperiton|subdiaphragm|\bgas\b|\bair\b"),
    "card_mild": ("card", False, False, "heart",
                  ["The heart is mildly enlarged.", "Mild cardiomegaly.", "Borderline cardiac enlargement."],
                  ["Mild cardiomegaly.", "Borderline heart size."], r"cardiomegal|enlarg|heart size"),
    "eff_small": ("eff", False, True, "pleura",
                  ["Small {side} pleural effusion.",
                   "Minor blunting of the {side} costophrenic angle, in keeping with a small effusion."],
                  ["Small {side} pleural effusion."], r"effusion"),
    "gran": ("gran", False, True, "lungs",
             ["A small calcified granuloma projects over the {side} upper zone.",
              "Calcified granuloma in the {side} mid zone."],
             ["Calcified {side} granuloma, of no significance."], r"granulom"),
    "degen": ("bone", False, False, "bones",
              ["Degenerative change in the thoracic spine.", "Mild multilevel thoracic spondylosis."],
              ["Thoracic spondylosis."], r"spondylo|degenerat"),
    "rib": ("bone", False, True, "bones",
            ["Old healed fracture of the {side} {ord} rib.", "Healed {side} {ord} rib fracture."],
            ["Healed {side} rib fracture."], r"rib"),
    "hyper": ("hyper", False, False, "lungs",
              ["The lungs are hyperinflated.", "Hyperexpanded lungs with flattened hemidiaphragms."],
              ["Hyperinflation, consistent with COPD.", "Emphysematous lungs."], r"hyper|emphysem|copd"),
    "atel": ("atel", False, True, "lungs",
             ["Minor linear atelectasis at the {side} base.", "Subsegmental atelectasis in the {side} lower zone."],
             ["Minor {side} basal atelectasis."], r"atelecta"),
}
SIG = [k for k, v in FINDINGS.items() if v[1]]
SIDED_SIG = [k for k in SIG if FINDINGS[k][2]]
NONSIG = [k for k, v in FINDINGS.items() if not v[1]]
PART_RX = {
    "heart": r"heart|cardiac|cardio",
    "med": r"mediastin|hila|hilar|aort",
    "lungs": r"lung|airspace|air space|consolidat|infiltrat|edema|opacit|pulmonary|parenchym|nodul|mass|atelecta"
             r"|granulom|vascular|emphysem|hyperinfl|hyperexpan",
    "pleura": r"pleura|effusion|pneumothora|costophrenic",
    "bones": r"bone|bony|osseous|skelet|spine|\brib|fracture|thoracic|degenerat|spondyl",
    "diaph": r"diaphragm|free air|subdiaphragm",
}
PH_RX = re.compile(r"\[\*\*\*\]|\[[A-Z]+/[A-Z]+\]|\[[a-z]+/[a-z/ ]+\]|<[a-z /]+>|\bXX\b|___ ?(cm|mm)|\*\*\*"
                   r"|is ___\.|\[ \]|Small ___ pleural")
MASKS_HIST = ["___-year-old man with cough.", "___ with shortness of breath.", "___F, fever.", "Pre-op, ___."]
UK = [("edema", "oedema"), ("Visualized", "Visualised"), ("tumor", "tumour"), ("hemidiaphragm", "hemidiaphragm")]


def shared_dir():
    d = os.environ.get("MEDRAG_SHARED_DIR") or str(Path(__file__).resolve().parents[1].parent / "shared")
    if not (Path(d) / "data/iu_reports/NLMCXR_reports.tgz").exists():
        print(f"shared data not found in {d!r}: set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        sys.exit(2)
    return Path(d)


def dev_uids(sd):
    p = sd / "eval/report_errors_dev.jsonl"
    return {json.loads(line)["uid"] for line in open(p)} if p.exists() else set()


def load_iu(sd):
    out = []
    with tarfile.open(sd / "data/iu_reports/NLMCXR_reports.tgz") as t:
        for m in t.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            r = ET.fromstring(t.extractfile(m).read())
            sec = {a.get("Label"): (a.text or "").strip() for a in r.iter("AbstractText")}
            uid = next((e.get("id") for e in r.iter("uId")), None)
            out.append((uid, sec))
    return sorted(out, key=lambda x: x[0] or "")


NORMAL_CUE = re.compile(r"\b(no|not|without|normal|clear|unremarkable|within normal limits|intact|negative|free)\b",
                        re.I)
ABN = re.compile(r"opacit|effusion|pneumothora|consolidat|edema|nodul|mass|atelecta|enlarg|cardiomegal|infiltrat|"
                 r"fracture|widen|scar|granulom|degenerat|spondyl|tortu|calcif|stable|chronic|prior|hyper|emphysem|"
                 r"elevat|right|left|bilateral|mild|small|increas|decreas|however|but|except|surgical|catheter|"
                 r"clips|deformit|flatten|suboptimal|low lung", re.I)
IMP_NORMAL = re.compile(r"^(no acute|no active|normal|negative|no evidence|no radiographic|no cardiopulmonary|clear|"
                        r"unremarkable|no significant|no acute cardiopulmonary)", re.I)


def sentences(text):
    text = re.sub(r"\.\.+", ".", text.replace("\n", " ")).strip()
    return [s.strip() for s in re.split(r"(?<=\.)\s+", text) if len(s.strip()) > 2]


def parts_of(s):
    return {p for p, rx in PART_RX.items() if re.search(rx, s, re.I)}


def iu_normal_pool(iu, excl):
    pool = []
    for uid, sec in iu:
        f, imp = sec.get("FINDINGS", ""), sec.get("IMPRESSION", "")
        if not f or not imp or uid in excl or len(imp) > 70 or not IMP_NORMAL.match(imp) or ABN.search(imp):
            continue
        ss = sentences(f)
        ok = len(ss) >= 2 and all(NORMAL_CUE.search(s) and parts_of(s) for s in ss)
        ok = ok and all(not ABN.search(s) or re.match(r"(there is |there are )?(no|without)\b", s, re.I)
                        and not re.search(r"right|left|bilateral|but|however|except|stable|prior", s, re.I)
                        for s in ss)
        if ok:
            pool.append((uid, sec, ss))
    return pool


class Case:
    def __init__(self, rng, origin):
        self.rng, self.origin = rng, origin
        self.find = []  # [(part, text)]
        self.imp = []  # impression statements
        self.hist = self.comp = ""
        self.uid = None
        self.style = rng.choice(STYLES)
        self.numbered = rng.random() < 0.35
        self.drop = None  # "findings" / "impression" (absent) / "findings_empty" / "impression_empty"


def fill(rng, key, side, **kw):
    tag, sig, sided, part, ft, it, rx = FINDINGS[key]
    locs = ["lower lobe", "mid zone", "upper lobe", "lower zone"]
    v = dict(side=side, Side=side.capitalize() if side else "", loc=kw.get("loc") or rng.choice(locs),
             n=kw.get("n") or rng.randint(8, 19), c=rng.choice(["3", "4.5", "5"]),
             ord=rng.choice(["fifth", "sixth", "seventh", "8th"]), small=rng.choice(["small", "moderate", "large"]))
    size = kw.get("size") or rng.choice(["moderate", "large"])
    v["size"], v["Size"] = size, size.capitalize()
    f = rng.choice(ft).format(**v)
    i = rng.choice(it).format(**v)
    f, i = (re.sub(r"\bA (8|11|18) ", r"An \1 ", x) for x in (f, i))
    return f[0].upper() + f[1:], i[0].upper() + i[1:]


def pick_normal(rng, part, avoid):
    opts = [t for p, t, tags in NORMALS if p == part and not (tags & avoid)]
    return rng.choice(opts) if opts else None


def normal_for(rng, tag, part):
    return rng.choice([(p, t) for p, t, tags in NORMALS if tag in tags and p == part])


def compose_findings(rng, items, avoid_tags):
    """items: [(part, text)] of findings; the remaining parts get normal phrases that don't negate them."""
    taken = {p for p, _ in items}
    order = ["lungs", "pleura", "heart", "med", "bones", "diaph"]
    if rng.random() < 0.4:
        order = ["heart", "med", "lungs", "pleura", "bones", "diaph"]
    out = []
    for part in order:
        out += [(p, t) for p, t in items if p == part]
        if part in taken and rng.random() < 0.6:
            continue
        if part == "med" and any(p == "heart" and "mediastin" in t for p, t in out):
            continue
        if part in ("diaph", "med") and rng.random() < 0.5 or part == "bones" and rng.random() < 0.2:
            continue
        t = pick_normal(rng, part, avoid_tags)
        if t and not any(t == x for _, x in out):
            out.append((part, t))
    return out


def whole_normal(rng, style, any_finding):
    bank = ACUTE_NORMALS + ([] if any_finding else TOTAL_NORMALS)
    if style == "uk_nhs" and not any_finding and rng.random() < 0.5:
        bank = UK_NORMALS
    return rng.choice(bank)


def side_pick(rng):
    return rng.choice(["right", "left"])


def base_clean(rng, c, n_find=None):
    """Compose a consistent report into c; returns list of (key, side, ftext, itext)."""
    if n_find is None:
        n_find = rng.choices([0, 1, 2], [35, 40, 25])[0]
    keys, parts = [], set()
    while len(keys) < n_find:
        k = rng.choice(SIG + NONSIG + NONSIG)
        if FINDINGS[k][3] in parts or FINDINGS[k][0] in {FINDINGS[x][0] for x in keys}:
            continue
        keys.append(k)
        parts.add(FINDINGS[k][3])
    return keys


def realise(rng, c, keys, sides=None, omit=(), flip_imp=(), flip_find=(), imp_extra=(), drop_find=()):
    """Fill findings + impression for keys; returns info list."""
    info, items, avoid = [], [], set()
    sides = sides or {}
    for k in keys:
        s = sides.get(k) or (side_pick(rng) if FINDINGS[k][2] else "")
        f, i = fill(rng, k, s)
        if k in flip_find:
            f = flipside(f)
        if k in flip_imp:
            i = flipside(i)
        info.append((k, s, f, i))
        avoid.add(FINDINGS[k][0])
        if k not in drop_find:
            items.append((FINDINGS[k][3], f))
    return info, items, avoid


def flipside(t):
    m = {"right": "left", "left": "right", "Right": "Left", "Left": "Right"}
    return re.sub(r"\b(right|left|Right|Left)\b", lambda x: m[x.group(1)], t, count=1)


def compose(rng, kind):
    c = Case(rng, "composed")
    c.hist = rng.choice(["Cough and fever.", "Shortness of breath.", "Chest pain.", "Pre-operative assessment.",
                         "Fall, left-sided chest pain.", "Routine medical.", "?infection.", "Haemoptysis.",
                         "Follow-up.", "Productive cough for 2 weeks."])
    if c.style == "signed_tpl" or rng.random() < 0.2:
        c.hist = rng.choice(MASKS_HIST)
    c.comp = rng.choice(["None.", "None available.", "Chest radiograph ___.", "Prior study dated ___.", "No prior."])
    detail = "unmodified"
    sig_in = lambda ks: [k for k in ks if FINDINGS[k][1]]  # noqa: E731
    if kind is None:
        keys = base_clean(rng, c)
        info, items, avoid = realise(rng, c, keys)
        c.find = compose_findings(rng, items, avoid)
        imp = [i for k, s, f, i in info if FINDINGS[k][1] or rng.random() < 0.5]
        if not sig_in(keys):
            imp.insert(0 if rng.random() < 0.7 else len(imp), whole_normal(rng, c.style, bool(keys)))
        elif rng.random() < 0.5:
            ok = [t for t, tags in IMP_NORMALS if not tags & avoid and not (LUNG_ALL & tags and
                                                                              {"atel", "gran"} & avoid)]
            imp.append(rng.choice(ok) if rng.random() < 0.6 else "Otherwise " + rng.choice(ACUTE_NORMALS)[0].lower()
                       + rng.choice(ACUTE_NORMALS)[1:])
        c.imp = imp
    elif kind == "laterality_conflict":
        k = rng.choice(SIDED_SIG)
        other = [x for x in base_clean(rng, c, rng.choice([0, 1])) if FINDINGS[x][0] != FINDINGS[k][0]
                 and not FINDINGS[x][2]]
        where = "imp" if rng.random() < 0.65 else "find"
        info, items, avoid = realise(rng, c, [k] + other, flip_imp=[k] if where == "imp" else [],
                                     flip_find=[k] if where == "find" else [])
        c.find = compose_findings(rng, items, avoid)
        c.imp = [i for kk, s, f, i in info if FINDINGS[kk][1] or kk == k]
        if rng.random() < 0.4:
            c.imp.append(rng.choice(["Heart size is normal.", "No pneumothorax.", "Otherwise no acute abnormality."]
                                    if FINDINGS[k][0] not in ("ptx",) else ["Heart size is normal."]))
        s = info[0][1]
        fs, is_ = (s, flipside(s)) if where == "imp" else (flipside(s), s)
        detail = f"{k}: FINDINGS say {fs}, IMPRESSION says {is_} (side flipped in {where})"
        c.check = ("lat", info[0][2], info[0][3], fs, is_)
    elif kind == "negation_conflict":
        variant = rng.choice(["macro_findings", "imp_normal", "imp_normal"])
        if variant == "macro_findings":
            k = rng.choice([x for x in FINDINGS if FINDINGS[x][0] in {"air", "edema", "nod", "coll", "eff", "ptx",
                                                                        "card", "med", "free"}])
            info, items, avoid = realise(rng, c, [k], drop_find=[k])
            part, macro = normal_for(rng, FINDINGS[k][0], FINDINGS[k][3])
            c.find = compose_findings(rng, [(part, macro)], set())
            c.imp = [info[0][3]]
            if rng.random() < 0.4:
                c.imp.append(rng.choice(ACUTE_NORMALS).replace("No ", "Otherwise no ", 1))
            detail = f"normal macro '{macro}' in FINDINGS where {k} was meant; IMPRESSION affirms it"
            c.check = ("neg", macro, info[0][3])
        else:
            k = rng.choice([x for x in FINDINGS if FINDINGS[x][0] in {"air", "edema", "nod", "eff", "ptx", "card",
                                                                        "med", "free"}])
            info, items, avoid = realise(rng, c, [k])
            c.find = compose_findings(rng, items, avoid)
            neg = rng.choice([t for t, tags in IMP_NORMALS if FINDINGS[k][0] in tags])
            c.imp = [rng.choice(ACUTE_NORMALS), neg] if rng.random() < 0.5 else [neg]
            if rng.random() < 0.5:
                c.imp.reverse()
            detail = f"FINDINGS affirm {k} ('{info[0][2]}'); IMPRESSION says '{neg}'"
            c.check = ("neg", neg, info[0][2])
    elif kind == "impression_omits_finding":
        k = rng.choice(SIG)
        if rng.random() < 0.5:
            info, items, avoid = realise(rng, c, [k])
            c.imp = [whole_normal(rng, c.style, True)]
            how = "impression is a normal statement"
        else:
            while True:
                y = rng.choice(SIG + NONSIG)
                if FINDINGS[y][3] != FINDINGS[k][3] and FINDINGS[y][0] != FINDINGS[k][0]:
                    break
            info, items, avoid = realise(rng, c, [k, y])
            if rng.random() < 0.5:
                items.reverse()
            c.imp = [info[1][3]]
            if not FINDINGS[y][1] and rng.random() < 0.6:
                c.imp.append(rng.choice(ACUTE_NORMALS))
            how = f"impression lists only {y}"
        c.find = compose_findings(rng, items, avoid)
        detail = f"FINDINGS affirm {k} ('{info[0][2]}'); {how}"
        c.check = ("omit", k, info[0][2])
    elif kind == "missing_section":
        keys = base_clean(rng, c, rng.choice([0, 0, 1]))
        info, items, avoid = realise(rng, c, keys)
        c.find = compose_findings(rng, items, avoid)
        c.imp = [i for k, s, f, i in info if FINDINGS[k][1]] or [whole_normal(rng, c.style, bool(keys))]
        c.drop = rng.choice(["impression", "impression_empty", "findings_empty", "findings"])
        if c.drop == "findings":
            c.imp = [rng.choice(BARE)]
        detail = {"impression": "IMPRESSION section absent", "impression_empty": "IMPRESSION header left empty",
                  "findings_empty": "FINDINGS header left empty",
                  "findings": "FINDINGS section absent; impression is a bare '" + c.imp[0] + "'"}[c.drop]
        c.check = ("miss", c.drop)
    elif kind == "placeholder":
        keys = base_clean(rng, c, rng.choice([0, 1]))
        info, items, avoid = realise(rng, c, keys)
        c.find = compose_findings(rng, items, avoid)
        c.imp = [i for k, s, f, i in info if FINDINGS[k][1]] or [whole_normal(rng, c.style, bool(keys))]
        detail = place_blank(rng, c)
        c.check = ("ph",)
    c.detail = detail
    return c


PH_FIND = [
    ("heart", "Heart size is [normal/enlarged]."), ("heart", "Heart size is ___."),
    ("heart", "Cardiothoracic ratio: XX."),
    ("lungs", "Lungs: [***]"), ("lungs", "The lungs are <clear / consolidation>."), ("pleura",
     "The pleural spaces are [clear/effusion]."), ("pleura", "[LEFT/RIGHT] costophrenic angle blunting."),
    ("pleura", "Small ___ pleural effusion."),
    ("lungs", "There is a ___ mm calcified granuloma in the right upper zone."),
    ("bones", "Bony thorax: [ ]"), ("pleura", "No pneumothorax. Pleural effusion: ***"),
    ("heart", "Heart size: [normal/mildly enlarged]."), ("heart", "<insert heart size>"),
]
PH_IMP = ["[***]", "No acute cardiopulmonary disease. ***", "<insert impression>", "Heart size: [normal/enlarged]."]


def place_blank(rng, c):
    if rng.random() < 0.75:
        part, ph = rng.choice(PH_FIND)
        idx = [i for i, (p, _) in enumerate(c.find) if p == part]
        if idx:
            c.find[idx[0]] = (part, ph)
        else:
            c.find.insert(rng.randrange(len(c.find) + 1), (part, ph))
        return f"template field left unfilled in FINDINGS: '{ph}'"
    ph = rng.choice(PH_IMP)
    if ph.startswith("["):
        c.imp.append(ph)
    elif ph.startswith("No"):
        c.imp = [ph]
    else:
        c.imp.append(ph)
    return f"dictation blank left in IMPRESSION: '{ph}'"


def reword_iu(rng, ss):
    out = []
    for s in ss:
        ps = parts_of(s)
        if rng.random() < 0.45 and len(ps) == 1:
            (p,) = ps
            t = pick_normal(rng, p, set())
            out.append((p, t or s))
        else:
            out.append((sorted(ps)[0] if ps else "lungs", s))
    return out


def iu_case(rng, kind, entry):
    uid, sec, ss = entry
    c = Case(rng, "iu")
    c.uid = uid
    c.hist = sec.get("INDICATION") or "None"
    c.comp = sec.get("COMPARISON") or "None."
    c.hist = re.sub(r"[\s.]+$", "", c.hist) + "."
    base = reword_iu(rng, ss)
    imp0 = re.sub(r"[\s.]+$", "", sec["IMPRESSION"]) + "."
    if rng.random() < 0.4:
        imp0 = whole_normal(rng, c.style, False) if rng.random() < 0.5 else imp0
    detail = "unmodified (re-laid-out IU report)"

    def insert(keys, drop_find=(), **kw):
        info, items, avoid = realise(rng, c, keys, **kw)
        clear = {FINDINGS[k][3] for k in keys}
        kept = [(p, s) for p, s in base if not (parts_of(s) & clear) and p not in clear
                and not ("pleura" in clear and re.search(r"expand|inflat", s))]
        for part, f in items:
            kept.insert(rng.randrange(len(kept) + 1), (part, f))
        return info, kept, avoid

    if kind is None:
        if rng.random() < 0.4:
            k = rng.choice(SIG + NONSIG)
            info, c.find, avoid = insert([k])
            c.imp = [info[0][3]] + ([] if FINDINGS[k][1] else [rng.choice(ACUTE_NORMALS)])
            detail = f"IU report with consistent {k} added to both sections"
        else:
            c.find, c.imp = base, [imp0]
    elif kind == "laterality_conflict":
        k = rng.choice(SIDED_SIG)
        where = "imp" if rng.random() < 0.65 else "find"
        info, c.find, avoid = insert([k], flip_imp=[k] if where == "imp" else [],
                                     flip_find=[k] if where == "find" else [])
        c.imp = [info[0][3]]
        s = info[0][1]
        fs, is_ = (s, flipside(s)) if where == "imp" else (flipside(s), s)
        detail = f"{k}: FINDINGS say {fs}, IMPRESSION says {is_} (side flipped in {where})"
        c.check = ("lat", info[0][2], info[0][3], fs, is_)
    elif kind == "negation_conflict":
        if rng.random() < 0.4:
            k = rng.choice([x for x in FINDINGS if FINDINGS[x][0] in {"air", "edema", "nod", "eff", "ptx", "card"}])
            info, kept, avoid = insert([k], drop_find=[k])
            kept = [x for x in kept if x[1] != info[0][2]]
            part, macro = normal_for(rng, FINDINGS[k][0], FINDINGS[k][3])
            kept.insert(rng.randrange(len(kept) + 1), (part, macro))
            c.find, c.imp = kept, [info[0][3]]
            detail = f"normal macro '{macro}' in FINDINGS where {k} was meant; IMPRESSION affirms it"
            c.check = ("neg", macro, info[0][3])
        else:
            k = rng.choice([x for x in FINDINGS if FINDINGS[x][0] in {"air", "edema", "nod", "eff", "ptx", "card"}])
            info, c.find, avoid = insert([k])
            neg = rng.choice([t for t, tags in IMP_NORMALS if FINDINGS[k][0] in tags])
            c.imp = [imp0, neg] if rng.random() < 0.6 else [neg]
            detail = f"FINDINGS affirm {k} ('{info[0][2]}'); IMPRESSION says '{neg}'"
            c.check = ("neg", neg, info[0][2])
    elif kind == "impression_omits_finding":
        k = rng.choice(SIG)
        if rng.random() < 0.5:
            info, c.find, avoid = insert([k])
            c.imp = [imp0 if not re.search(r"XXXX", imp0) else rng.choice(ACUTE_NORMALS)]
            how = "impression left as the normal one"
        else:
            while True:
                y = rng.choice(SIG + NONSIG)
                if FINDINGS[y][3] != FINDINGS[k][3] and FINDINGS[y][0] != FINDINGS[k][0]:
                    break
            info, c.find, avoid = insert([k, y])
            c.imp = [info[1][3]]
            how = f"impression lists only {y}"
        detail = f"FINDINGS affirm {k} ('{info[0][2]}'); {how}"
        c.check = ("omit", k, info[0][2])
    elif kind == "missing_section":
        c.find, c.imp = base, [imp0]
        c.drop = rng.choice(["impression", "impression_empty", "findings_empty", "findings"])
        if c.drop == "findings":
            c.imp = [rng.choice(BARE)]
        detail = f"IU report: {c.drop.replace('_', ' ')}"
        c.check = ("miss", c.drop)
    elif kind == "placeholder":
        c.find, c.imp = list(base), [imp0]
        detail = place_blank(rng, c)
        c.check = ("ph",)
    c.detail = detail
    return c


PART_LABEL = {"lungs": "Lungs", "pleura": "Pleura", "heart": "Heart and mediastinum", "med": "Heart and mediastinum",
              "bones": "Bones", "diaph": "Upper abdomen"}


def render(rng, c):
    st = c.style
    fs = [t for _, t in c.find]
    if re.search(r"prior film|not present before|Interval", " ".join(fs + c.imp)) and re.match(r"(none|no prior)",
                                                                                                 c.comp, re.I):
        c.comp = "Chest radiograph of ___." if c.origin == "composed" else "Prior PA and lateral chest radiograph."
    imp = c.imp
    if st == "organ_lines":
        groups = {}
        for p, t in c.find:
            groups.setdefault(PART_LABEL[p], []).append(t)
        ftxt = "\n".join(f"{k}: {' '.join(v)}" for k, v in groups.items())
    elif st == "compact":
        ftxt = " ".join(fs)
    else:
        ftxt = " ".join(fs) if rng.random() < 0.6 else "\n".join(fs)
    if c.numbered and len(imp) > 1 or st == "organ_lines" and len(imp) > 1:
        itxt = "\n".join(f"{n}. {t}" for n, t in enumerate(imp, 1))
    else:
        itxt = " ".join(imp)
    fh = {"us_macro": "FINDINGS:", "uk_nhs": "Findings:", "organ_lines": "FINDINGS", "compact": "FINDINGS:",
          "signed_tpl": "FINDINGS:"}[st]
    ih = {"us_macro": "IMPRESSION:", "uk_nhs": "Impression:", "organ_lines": "IMPRESSION", "compact": "IMPRESSION:",
          "signed_tpl": "IMPRESSION:"}[st]
    if c.drop == "findings_empty":
        ftxt = ""
    if c.drop == "impression_empty":
        itxt = ""
    sec_f = None if c.drop == "findings" else f"{fh}\n{ftxt}".rstrip() if st != "compact" else f"{fh} {ftxt}".rstrip()
    sec_i = None if c.drop == "impression" else f"{ih}\n{itxt}".rstrip() if st != "compact" else f"{ih} {itxt}".rstrip()
    body = [x for x in (sec_f, sec_i) if x is not None]
    if st == "us_macro":
        head = [f"EXAM: {rng.choice(['CHEST 2 VIEWS', 'XR CHEST PA AND LATERAL', 'CHEST, PA/LAT'])}",
                f"INDICATION: {c.hist}", "TECHNIQUE: PA and lateral views of the chest.", f"COMPARISON: {c.comp}"]
        txt = "\n".join(head) + "\n\n" + "\n\n".join(body)
    elif st == "uk_nhs":
        head = [rng.choice(["XR Chest PA", "Chest X-ray PA", "CXR PA"]), f"Clinical details: {c.hist}"]
        txt = "\n".join(head) + "\n\n" + "\n\n".join(body)
        for a, b in UK:
            txt = txt.replace(a, b)
        txt += "\n\n" + rng.choice(["Reported by: Dr ___, Consultant Radiologist", "Dr ___ (Radiology Registrar)", ""])
    elif st == "organ_lines":
        txt = f"CHEST RADIOGRAPH\nHistory: {c.hist}\nComparison: {c.comp}\n\n" + "\n\n".join(body)
    elif st == "compact":
        txt = f"CXR PA/lat. Hx: {c.hist} " + " ".join(body)
    else:
        txt = (f"RADIOLOGY REPORT\nExamination: Chest radiograph\nReferring physician: Dr. ___\nClinical history: "
               f"{c.hist}\nComparison: {c.comp}\n\n" + "\n\n".join(body) + "\n\nElectronically signed by: Dr. ___ "
               "on ___ at ___.")
    return txt.strip() + "\n"


def section(rep, which):
    heads = r"(FINDINGS|Findings)" if which == "f" else r"(IMPRESSION|Impression)"
    m = re.search(heads + r":?[ \n]", rep + "\n")
    if not m:
        return None
    rest = rep[m.end():]
    end = re.search(r"(IMPRESSION|Impression)|\n\n|Electronically|Reported by|Dr ___ \(", rest) if which == "f" else \
        re.search(r"\n\n|Electronically|Reported by|Dr ___ \(", rest)
    return (rest[:end.start()] if end else rest).strip()


def verify(c, rep):
    f, i = section(rep, "f"), section(rep, "i")
    chk = getattr(c, "check", None)
    if chk is None:
        assert f and i and not PH_RX.search(rep), "clean report broken"
        return
    kind = chk[0]
    if kind == "miss":
        d = chk[1]
        assert {"impression": i is None, "impression_empty": i == "", "findings_empty": f == "",
                "findings": f is None}[d], d
        if d in ("findings", "findings_empty"):
            assert i and (d != "findings" or i in BARE)
        else:
            assert f
        return
    assert f and i
    if kind == "ph":
        assert PH_RX.search(f + "\n" + i), "no placeholder"
    elif kind == "lat":
        _, ftx, itx, fs, is_ = chk
        assert re.search(rf"\b{fs}\b", f, re.I) and re.search(rf"\b{is_}\b", i, re.I) and fs != is_
        assert not re.search(rf"\b{fs}\b", i, re.I), "impression has both sides"
    elif kind == "neg":
        _, neg, aff = chk
        assert (neg in f and aff in i) or (neg in i and aff in f)
        assert not PH_RX.search(rep)
    elif kind == "omit":
        _, k, ftx = chk
        assert ftx in f and not re.search(FINDINGS[k][6], i, re.I), f"omitted {k} named in impression: {i}"
        assert not PH_RX.search(rep)


def make_case(rng, kind, composed, pool, used):
    for _ in range(200):
        sub = random.Random(rng.random())
        if composed:
            c = compose(sub, kind)
        else:
            entry = sub.choice(pool)
            if entry[0] in used:
                continue
            c = iu_case(sub, kind, entry)
        rep = render(sub, c)
        try:
            verify(c, rep)
        except AssertionError:
            continue
        if c.uid:
            used.add(c.uid)
        return c, rep
    raise RuntimeError(f"could not build a {kind} case")


def build(seed, sd):
    rng = random.Random(seed)
    excl = dev_uids(sd)
    pool = iu_normal_pool(load_iu(sd), excl)
    used, rows = set(), []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        for j in range(n):
            c, rep = make_case(rng, kind, j % 2 == 0, pool, used)
            h = hashlib.sha1(f"34:{seed}:{len(rows)}:{rep}".encode()).hexdigest()[:16]
            rows.append({"id": f"h34-{h}", "injected": kind, "detail": c.detail, "report": rep,
                         "_style": c.style, "_origin": c.origin, "_uid": c.uid})
    rng.shuffle(rows)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    sd = shared_dir()
    rows = build(a.seed, sd)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in ("id", "injected", "detail", "report")}) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {kind} | {r['_style']} | {r['_origin']} {r['_uid'] or ''} | {r['detail']}")
                print(r["report"])
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
