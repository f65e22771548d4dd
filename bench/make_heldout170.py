"""Held-out report-error set 170: chest films from mechanical circulatory support / ECMO units (UK and US).

Written blind (without looking at the checker). 400 cases: 200 clean, 40 of each of the five error kinds of
`shared/eval/README.md`. Half of every group is composed from a phrase bank in the style of cardiothoracic
ITU / CICU radiologists (LVADs, ECMO cannulae, IABP, Impella, post-cardiotomy chests); the other half are real
IU reports (never a dev-set uid, each used at most once) re-laid out and lightly re-worded in the setting's style.

usage: python -m bench.make_heldout170 OUT.jsonl --seed S [--show N]
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


# ---------------------------------------------------------------------------------------------------------------
# shared data
# ---------------------------------------------------------------------------------------------------------------

def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def iu_archive(base: Path | None = None) -> Path:
    return (base or shared_dir()) / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_set(base: Path | None = None) -> Path:
    return (base or shared_dir()) / "eval" / "report_errors_dev.jsonl"


@lru_cache(maxsize=4)
def load_dev_uids(path: str) -> tuple[str, ...]:
    uids = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uids.append(json.loads(line)["uid"])
    return tuple(sorted(uids))


def _clean_text(t: str | None) -> str:
    return re.sub(r"\s+", " ", (t or "")).strip()


@lru_cache(maxsize=4)
def load_iu(path: str) -> tuple[dict, ...]:
    rows = []
    with tarfile.open(path) as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            sec = {a.get("Label"): _clean_text(a.text) for a in root.iter("AbstractText")}
            rows.append({
                "uid": uid_el.get("id"),
                "findings": sec.get("FINDINGS", ""),
                "impression": sec.get("IMPRESSION", ""),
                "indication": sec.get("INDICATION", ""),
                "comparison": sec.get("COMPARISON", ""),
            })
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(rows)


# ---------------------------------------------------------------------------------------------------------------
# small text analysis of IU sentences (only used to choose suitable IU reports and where to inject)
# ---------------------------------------------------------------------------------------------------------------

CLASSES = [
    ("effusion", r"effusion|blunting|pleural fluid|fluid in the"),
    ("pneumothorax", r"pneumothora"),
    ("consolidation", r"consolidat|air ?space|infiltrat|pneumonia"),
    ("oedema", r"edema|oedema|congestion|heart failure|\bchf\b"),
    ("cardiomegaly", r"cardiomegaly|enlarged (heart|cardiac)|(heart|cardiac silhouette|cardiac shadow|heart size|"
                     r"cardiac size|cardiomediastinal silhouette) (is |are )?(mildly |moderately |markedly |"
                     r"slightly |borderline |top normal |upper limits of normal )?(enlarged|increased|large)|"
                     r"enlargement of the (heart|cardiac)"),
    ("opacity", r"opaci|densit|shadowing"),
    ("nodule", r"nodul|\bmass"),
    ("atelectasis", r"atelecta|collapse|volume loss"),
    ("mediastinum", r"widen"),
    ("freeair", r"free air|pneumoperitoneum|free gas|subdiaphragmatic"),
    ("fracture", r"fractur"),
    ("change", r"\bnew\b|increas|worsen|progress|enlarg"),
]
SIG = ("effusion", "pneumothorax", "consolidation", "oedema", "nodule", "mediastinum", "freeair", "change")
LUNG = ("consolidation", "oedema", "opacity", "nodule", "atelectasis")
NEG_CUE = re.compile(r"\b(no|not|without|negative for|free of|resolved|resolution of|clear of|removed|"
                     r"absence of|rather than)\b")
CONTRAST = re.compile(r",? \b(?:but|however|although|though|whereas|while|except|with the exception of)\b|;| - ")
HEDGE = re.compile(r"\b(possible|possibly|may|might|cannot|can not|questionable|suspicious|suspected|likely|"
                   r"probable|probably|concern\w*|versus|vs|equivocal|subtle|suggest\w*|could|borderline|minimal|"
                   r"trace|tiny|small|mild|early|developing|vague|faint)\b|\?")
OLD = re.compile(r"\b(stable|unchanged|chronic|old|healed|scar\w*|prior|previous|previously|again|redemonstrat\w*|"
                 r"improv\w*|decreas\w*|resolv\w*|clearing|cleared|persistent|similar|calcifi\w*|granulom\w*)\b")
LUNGS_CLEAR = re.compile(r"lungs? (are |is )?(otherwise )?(clear|normal|well expanded and clear)|clear lungs|"
                         r"lungs (appear|remain) clear|lungs are grossly clear|no (acute )?(pulmonary|lung) disease|"
                         r"normal (pulmonary|lung)")
HEART_NORMAL = re.compile(r"(heart|cardiac|cardiomediastinal)( size| silhouette| contour| shadow)?( and [a-z ]+)? "
                          r"(is |are |appears |remains? )?(within normal limits|normal|not enlarged|unremarkable)|"
                          r"normal (heart|cardiac)( size)?|heart size (is )?normal|no cardiomegaly")
NORMAL_IMP = re.compile(r"no acute|no active|normal chest|negative chest|no (radiographic )?evidence of (acute|active)|"
                        r"no significant|no (acute )?cardiopulmonary|no evidence of (acute )?(cardiopulmonary|"
                        r"pulmonary)|no abnormalit|unremarkable|^normal\b|^negative\b|no interval change|no change")
SIDE = re.compile(r"\b(left|right)\b", re.I)
BOTH = re.compile(r"\b(bilateral\w*|both|bibasilar|bibasal)\b", re.I)


def split_sents(text: str) -> list[str]:
    text = _clean_text(text)
    text = re.sub(r"(^|\s)\d{1,2}[.)]\s+(?=[A-Za-z])", r"\1", text)
    text = re.sub(r"\.(\s*\.)+", ".", text)
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z(\[])", text)
    return [p.strip() for p in parts if re.search(r"[A-Za-z0-9]", p)]


def class_hits(clause: str) -> list[tuple[str, int]]:
    out = []
    for name, rx in CLASSES:
        m = re.search(rx, clause)
        if m:
            out.append((name, m.start()))
    return out


def sides_of(text: str) -> list[str]:
    s = sorted({m.group(1).lower() for m in SIDE.finditer(text)})
    if BOTH.search(text):
        s = ["left", "right"]
    return s


def analyse(sents: list[str]) -> dict:
    """Affirmed / negated classes (clause level) and the sides that go with each affirmed class."""
    aff: dict[str, list[str]] = {}
    neg: dict[str, int] = {}
    aff_sent: dict[str, list[int]] = {}
    lungs_clear = heart_normal = False
    for si, s in enumerate(sents):
        low = s.lower()
        if LUNGS_CLEAR.search(low):
            lungs_clear = True
        if HEART_NORMAL.search(low):
            heart_normal = True
        for clause in CONTRAST.split(low):
            cue = NEG_CUE.search(clause)
            for name, pos in class_hits(clause):
                if cue and cue.start() < pos:
                    neg[name] = neg.get(name, 0) + 1
                else:
                    aff.setdefault(name, [])
                    aff_sent.setdefault(name, [])
                    if si not in aff_sent[name]:
                        aff_sent[name].append(si)
                    for side in sides_of(clause):
                        if side not in aff[name]:
                            aff[name].append(side)
    return {"aff": aff, "neg": neg, "aff_sent": aff_sent, "lungs_clear": lungs_clear, "heart_normal": heart_normal}


def is_normal_impression(sents: list[str]) -> bool:
    return any(NORMAL_IMP.search(s.lower()) for s in sents)


def consistent(fs: list[str], ims: list[str]) -> bool:
    """Conservative: True only when nothing hints at a disagreement between the two sections."""
    fa, ia = analyse(fs), analyse(ims)
    for c in fa["aff"]:
        if c in SIG and c not in ia["aff"]:
            return False
        if c in ia["neg"]:
            return False
    for c, sides in ia["aff"].items():
        if c not in fa["aff"]:
            if c in fa["neg"] or (c in LUNG and fa["lungs_clear"]) or (c == "cardiomegaly" and fa["heart_normal"]):
                return False
            if sides:
                return False
            continue
        fsides = fa["aff"][c]
        if sides and (not fsides or any(x not in fsides for x in sides)):
            return False
        if fsides and sides and len(fsides) == 1 and len(sides) == 1 and fsides != sides:
            return False
    if ia["lungs_clear"] and any(c in LUNG or c == "effusion" for c in fa["aff"]):
        return False
    if ia["heart_normal"] and "cardiomegaly" in fa["aff"]:
        return False
    if fa["heart_normal"] and "cardiomegaly" in ia["aff"]:
        return False
    if is_normal_impression(ims) and any(c in SIG or c in ("cardiomegaly", "opacity", "atelectasis")
                                         for c in fa["aff"]):
        return False
    # side words in the impression must be backed by the same side somewhere in the findings
    fside = sides_of(" ".join(fs))
    return all(x in fside for x in sides_of(" ".join(ims)))


def iu_usable(r: dict) -> bool:
    f, i = r["findings"], r["impression"]
    if len(f) < 40 or len(i) < 8 or len(i) > 600 or len(f) > 1200:
        return False
    if f.count("XXXX") > 3 or i.count("XXXX") > 1 or re.fullmatch(r"[X .,]+", i):
        return False
    if re.search(r"[\[\]<>*_{}]", f + i):
        return False
    return True


def normal_report(fs: list[str], ims: list[str]) -> bool:
    fa, ia = analyse(fs), analyse(ims)
    if fa["aff"] or not is_normal_impression(ims):
        return False
    return not any(c in SIG or c in ("cardiomegaly", "opacity", "atelectasis") for c in ia["aff"])


# ---------------------------------------------------------------------------------------------------------------
# style of the setting
# ---------------------------------------------------------------------------------------------------------------

US_SPELL = [("oedema", "edema"), ("Oedema", "Edema"), ("haem", "hem"), ("Haem", "Hem"), ("oesophag", "esophag"),
            ("in keeping with", "consistent with"), ("In keeping with", "Consistent with"), ("ITU", "ICU"),
            ("in situ", "in place"), ("centre", "center"), ("programme", "program")]
UK_SPELL = [(r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bhemorrhage\b", "haemorrhage"),
            (r"\bhemothorax\b", "haemothorax"), (r"\bhematoma\b", "haematoma"), (r"\btumor\b", "tumour"),
            (r"\besophag", "oesophag"), (r"\bcenter\b", "centre"), (r"\bhilum\b", "hilum")]
LIGHT = [(r"^There is no ", "No "), (r"^There are no ", "No "), (r"\bis within normal limits\b", "is normal"),
         (r"\bare within normal limits\b", "are normal")]
UK_LIGHT = [(r"\bcardiomediastinal silhouette\b", "cardiomediastinal contour"),
            (r"\bairspace disease\b", "airspace opacification"), (r"\bbibasilar\b", "bibasal")]


def us(text: str) -> str:
    for a, b in US_SPELL:
        text = text.replace(a, b)
    return text


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def reword_iu(sents: list[str], uk: bool) -> tuple[list[str], list[str]]:
    done: list[str] = []
    out = []
    subs = list(LIGHT) + (UK_SPELL + UK_LIGHT if uk else [])
    for s in sents:
        for rx, rep in subs:
            new = re.sub(rx, rep, s)
            if new != s:
                label = "'" + re.sub(r"\\b|\^", "", rx) + f"' -> '{rep}'"
                if label not in done:
                    done.append(label)
                s = new
        s = cap(s)
        if not s.endswith((".", "?", "!")):
            s += "."
        out.append(s)
    return out, done


UK_TITLES_MOBILE = ["XR CHEST (MOBILE AP)", "CHEST X-RAY - PORTABLE AP (CICU)", "Mobile chest radiograph, cardiac ITU",
                    "XR Chest AP supine (ITU)", "CHEST RADIOGRAPH - AP ERECT (CTCCU)", "Portable chest, ECMO unit"]
US_TITLES_MOBILE = ["EXAM: XR CHEST 1 VIEW PORTABLE", "EXAMINATION: CHEST SINGLE VIEW (PORTABLE), CVICU",
                    "PROCEDURE: XR CHEST AP PORTABLE", "EXAM: PORTABLE CHEST, CTICU", "XR CHEST PORT 1V"]
UK_TITLES_PA = ["XR CHEST PA", "CHEST X-RAY (PA AND LATERAL) - VAD CLINIC", "Chest radiograph PA/lateral",
                "XR CHEST PA (outpatient, heart failure/VAD clinic)"]
US_TITLES_PA = ["EXAM: XR CHEST 2 VIEWS PA AND LATERAL", "EXAMINATION: CHEST PA/LAT", "PROCEDURE: CHEST 2 VIEWS",
                "EXAM: CHEST X-RAY, 2 VIEWS (MCS CLINIC)"]
UK_CLIN = ["Clinical details:", "Clinical information:", "Clinical history:", "History:"]
US_CLIN = ["INDICATION:", "CLINICAL HISTORY:", "HISTORY:", "REASON FOR EXAM:"]
UK_COMP = ["Comparison:", "Compared with:", "Comparison:"]
US_COMP = ["COMPARISON:", "COMPARISON:", "PRIOR:"]
UK_FIND = ["Findings:", "FINDINGS:", "Findings:", "Report:"]
US_FIND = ["FINDINGS:", "FINDINGS:", "Findings:"]
UK_IMP = ["Conclusion:", "Impression:", "Opinion:", "CONCLUSION:", "Impression:", "Comment:"]
US_IMP = ["IMPRESSION:", "IMPRESSION:", "Impression:"]
UK_SIGN = ["Reported by: Dr ___, Consultant Cardiothoracic Radiologist",
           "Dr ___\nConsultant Radiologist",
           "Report verified by Dr ___ (Consultant Radiologist) on ___",
           "Reported by Dr ___ (ST5 Radiology); verified by Dr ___, Consultant Radiologist",
           "Dr ___, Consultant Radiologist, GMC ___",
           "Reported by: Dr XXXX, Consultant Cardiothoracic Radiologist"]
US_SIGN = ["Electronically signed by: ___, MD on ___",
           "Interpreted by: ___, MD\nSigned: ___",
           "Dictated by: ___, MD. Electronically signed by: ___, MD",
           "Attending radiologist: ___, MD. I have personally reviewed the images and agree with this report.",
           "Electronically signed by XXXX, MD"]
UK_COMP_TEXT = ["___ (previous day).", "Previous film of ___.", "Yesterday's film.", "None available.",
                "Multiple previous, most recent ___.", "Film from earlier today (___)."]
US_COMP_TEXT = ["___.", "Portable chest radiograph from ___.", "Prior study dated ___.", "None.",
                "Multiple priors, most recent ___ at ___."]


class Style:
    def __init__(self, rng: random.Random, uk: bool, mobile: bool = True):
        self.uk = uk
        if uk:
            self.title = rng.choice(UK_TITLES_MOBILE if mobile else UK_TITLES_PA)
            self.clin = rng.choice(UK_CLIN)
            self.comp = rng.choice(UK_COMP)
            self.find = rng.choice(UK_FIND)
            self.imp = rng.choice(UK_IMP)
            self.sign = rng.choice(UK_SIGN)
        else:
            self.title = rng.choice(US_TITLES_MOBILE if mobile else US_TITLES_PA)
            self.clin = rng.choice(US_CLIN)
            self.comp = rng.choice(US_COMP)
            self.find = rng.choice(US_FIND)
            self.imp = rng.choice(US_IMP)
            self.sign = rng.choice(US_SIGN)
        if self.find.isupper() and not self.imp.isupper() and rng.random() < 0.7:
            self.imp = self.imp.upper()
        self.inline = rng.random() < 0.3          # "FINDINGS: text" on one line vs header on its own line
        self.numbered = rng.random() < (0.75 if uk else 0.6)
        self.lines = rng.random() < 0.5           # findings one sentence a line
        self.bullet = rng.choice(["{n}. ", "{n}. ", "{n}) ", "- "])

    def text(self, s: str) -> str:
        return s if self.uk else us(s)

    def describe(self) -> str:
        return f"{'UK' if self.uk else 'US'} layout ({self.find.rstrip(':')}/{self.imp.rstrip(':')})"


def render(style: Style, clin: str, comp: str, findings: list | None, impression: list | None,
           sign_only_impression: bool = False) -> str:
    """findings: list of str or of (subheading, [str]); impression: list of str. None: the section is removed."""
    out = [style.title, ""]
    if clin:
        out.append(f"{style.clin} {clin}")
    if comp:
        out.append(f"{style.comp} {comp}")
    out.append("")
    if findings is not None:
        if not findings:
            out.append(style.find)
        elif isinstance(findings[0], tuple):
            out.append(style.find)
            for head, sents in findings:
                if sents:
                    out.append(f"{head} {' '.join(sents)}")
        elif style.lines:
            out.append(style.find)
            out.extend(findings)
        elif style.inline:
            out.append(f"{style.find} {' '.join(findings)}")
        else:
            out.append(style.find)
            out.append(" ".join(findings))
        out.append("")
    if impression is not None:
        if sign_only_impression or not impression:
            out.append(style.imp)
        elif len(impression) > 1 and style.numbered:
            out.append(style.imp)
            for n, s in enumerate(impression, 1):
                out.append(style.bullet.format(n=n) + s)
        elif style.inline:
            out.append(f"{style.imp} {' '.join(impression)}")
        else:
            out.append(style.imp)
            out.append(" ".join(impression))
        if not sign_only_impression:
            out.append("")
    out.append(style.sign)
    return "\n".join(out).strip() + "\n"


# ---------------------------------------------------------------------------------------------------------------
# phrase bank for composed reports
# ---------------------------------------------------------------------------------------------------------------

SCENARIOS = {
    "lvad": {
        "clin": ["Day {d} post HeartMate 3 LVAD implant. Drains in situ.", "LVAD. Increasing oxygen requirement.",
                 "Post LVAD, low drain output, ?collection.", "HM3 LVAD, driveline infection, pyrexial.",
                 "LVAD and temporary RVAD, post-operative check.", "s/p LVAD day {d}, hypoxia."],
        "dev": ["HeartMate 3 LVAD projected over the cardiac apex, with the outflow graft coursing towards the "
                "ascending aorta.",
                "LVAD in situ; the inflow cannula is directed towards the mitral valve, position unchanged.",
                "LVAD pump housing overlies the cardiac apex with the driveline coursing across the upper abdomen.",
                "HeartWare HVAD in situ at the apex, unchanged in position."],
        "dev_i": ["LVAD in unchanged position.", "Stable appearance of the LVAD.", "LVAD position satisfactory."],
    },
    "va_ecmo": {
        "clin": ["VA ECMO for cardiogenic shock. Daily film.", "Peripheral VA ECMO, post cannulation check.",
                 "Post-cardiotomy VA ECMO day {d}.", "VA ECMO, ?position of venous cannula.",
                 "Cardiogenic shock on VA ECMO and IABP."],
        "dev": ["VA ECMO: the venous drainage cannula is inserted via the right femoral vein with its tip projected "
                "at the IVC/right atrial junction.",
                "Femoral venous ECMO cannula tip projects over the right atrium; the arterial return cannula is below "
                "the field of view.",
                "Central VA ECMO cannulae in situ via the sternotomy, projected over the right atrium and "
                "ascending aorta."],
        "dev_i": ["ECMO cannulae in satisfactory position.", "ECMO cannula position unchanged.",
                  "Satisfactory position of the ECMO drainage cannula."],
    },
    "vv_ecmo": {
        "clin": ["VV ECMO for severe ARDS. Daily film.", "Severe COVID pneumonitis on VV ECMO.",
                 "VV ECMO, post cannula repositioning.", "Retrieved on VV ECMO from ___, day {d}."],
        "dev": ["Bicaval dual-lumen ECMO cannula via the right internal jugular vein, tip projected over the "
                "intrahepatic IVC.",
                "VV ECMO: drainage cannula via the right femoral vein with tip in the intrahepatic IVC; return "
                "cannula via the right internal jugular vein with tip at the SVC/right atrial junction.",
                "Dual-lumen (Crescent) ECMO cannula in unchanged position, tip in the IVC."],
        "dev_i": ["ECMO cannula position satisfactory.", "VV ECMO cannulae unchanged in position.",
                  "Satisfactory position of the ECMO cannulae."],
    },
    "iabp": {
        "clin": ["IABP inserted in the cath lab, check position.", "Cardiogenic shock post anterior STEMI. IABP.",
                 "IABP in situ, ?migration.", "Post CABG with IABP support, day {d}."],
        "dev": ["The radiopaque tip of the intra-aortic balloon pump lies {n} cm below the aortic knuckle, at the "
                "level of the left main bronchus.",
                "IABP marker projects {n} cm below the top of the aortic arch, satisfactory.",
                "Intra-aortic balloon pump tip at the level of the carina, {n} cm below the aortic knuckle."],
        "dev_i": ["IABP tip in satisfactory position.", "Satisfactory IABP position.",
                  "IABP tip position is acceptable."],
        "malpos": ("The IABP tip now projects over the aortic knuckle, approximately {n} cm higher than on the "
                   "previous film.",
                   "IABP tip too high, projected over the aortic knuckle; recommend withdrawal by about {n} cm. "
                   "Discussed with the CICU team at ___."),
    },
    "impella": {
        "clin": ["Impella CP inserted for cardiogenic shock, check film.", "Impella 5.5 via axillary graft, day {d}.",
                 "Impella in situ, haemolysis, ?position.", "High-risk PCI with Impella support."],
        "dev": ["Impella device in situ, traversing the aortic valve with the inlet projected over the left "
                "ventricular cavity.",
                "Impella 5.5 via the right axillary artery, inlet projected within the left ventricle.",
                "Impella CP catheter in expected position across the aortic valve, unchanged."],
        "dev_i": ["Impella in expected position.", "Impella position satisfactory on this film.",
                  "Impella in unchanged position."],
        "malpos": ("The Impella inlet now projects at the level of the aortic valve, withdrawn by about {n} cm "
                   "compared with the previous film.",
                   "Impella appears withdrawn, inlet at the level of the aortic valve; echocardiographic "
                   "correlation recommended."),
    },
    "postop": {
        "clin": ["Day {d} post CABG x3.", "Post AVR and CABG. Drains in situ.", "Post mitral valve repair, "
                 "extubated today.", "Post-cardiotomy, low cardiac output.", "Post heart transplant day {d}."],
        "dev": ["Median sternotomy wires intact. Mediastinal and left pleural drains in situ.",
                "Sternotomy wires and mediastinal surgical clips. Epicardial pacing wires.",
                "Prosthetic aortic valve. Median sternotomy wires intact.",
                "Mediastinal and pericardial drains in situ. Sternal wires aligned."],
        "dev_i": ["Post-operative lines and drains satisfactory.", "Expected post-operative devices.",
                  "Drains and lines as described."],
    },
}
COMMON_DEV = ["Endotracheal tube tip {n} cm above the carina.", "Nasogastric tube tip below the diaphragm.",
              "Right internal jugular central venous catheter, tip in the SVC.",
              "Left internal jugular central line with tip at the SVC/right atrial junction.",
              "Pulmonary artery catheter via the right internal jugular vein, tip in the main pulmonary artery.",
              "Tracheostomy tube in situ.", "Median sternotomy wires intact.", "Epicardial pacing wires.",
              "ICD with leads in the right atrium and right ventricle."]
GEN_DEV_I = ["Lines and tubes satisfactory.", "Support devices as described, in satisfactory position.",
             "ETT, NGT and lines in satisfactory position.", "Tubes and lines appropriately sited."]
NORMAL_I = ["No acute cardiopulmonary abnormality.", "No acute change.", "Satisfactory appearances.",
            "Stable appearances compared with the previous film.", "Nothing acute."]
NORMAL_I_US = ["No acute cardiopulmonary process.", "No significant interval change.", "No acute abnormality.",
               "Stable chest."]


def _sz(rng: random.Random) -> str:
    return rng.choice(["small", "moderate", "large"])


def make_item(rng: random.Random, cat: str, side: str | None) -> dict:
    """One finding: findings sentence, impression phrase; sig = must appear in a clean impression;
    omit_ok = its absence from the impression is a real omission."""
    s, S = side or "", cap(side or "")
    o = {"left": "right", "right": "left"}.get(side or "", "")
    it = {"cat": cat, "side": side, "sig": True, "omit_ok": True}
    if cat == "effusion":
        size = _sz(rng)
        new = rng.random() < 0.4
        it["f"] = rng.choice([
            f"{cap(size)} {s} pleural effusion{', increased since the previous film' if new else ''}.",
            f"{'New ' if new else ''}{size} {s} pleural effusion with blunting of the {s} costophrenic angle.",
            f"{S} pleural effusion, {size}{', new since ___' if new else ''}.",
        ])
        it["i"] = rng.choice([f"{cap(size)} {s} pleural effusion{' (increased)' if new else ''}.",
                              f"{'New ' if new else ''}{size} {s} effusion."])
        it["i"] = cap(it["i"])
        it["sig"] = size != "small" or new
        it["omit_ok"] = size != "small"
    elif cat == "haemothorax":
        it["f"] = rng.choice([
            f"New homogeneous opacification of the {s} hemithorax with a meniscus, in keeping with a {s} "
            f"haemothorax in this post-operative patient.",
            f"Large {s} pleural collection, new since ___, likely haemothorax given the falling haemoglobin.",
            f"Increasing {s} pleural collection, in keeping with haemothorax."])
        it["i"] = rng.choice([f"{S} haemothorax (new).", f"Enlarging {s} haemothorax - discussed with the "
                              f"surgical team.", f"{S} haemothorax; suggest correlation with drain output."])
    elif cat == "consolidation":
        it["f"] = rng.choice([f"{S} lower lobe consolidation with air bronchograms.",
                              f"New airspace consolidation in the {s} lower zone.",
                              f"Dense consolidation at the {s} base, increased compared with ___."])
        it["i"] = rng.choice([f"{S} lower lobe consolidation - ?infection.", f"{S} basal consolidation.",
                              f"{S} lower zone consolidation, in keeping with pneumonia in the clinical context."])
    elif cat == "collapse":
        it["f"] = f"Volume loss and opacification at the {s} base in keeping with {s} lower lobe collapse."
        it["i"] = rng.choice([f"{S} lower lobe collapse.", f"{S} lower lobe collapse; physiotherapy suggested."])
        it["omit_ok"] = False
    elif cat == "atelectasis":
        it["f"] = rng.choice([f"Linear atelectasis at the {s} base.", f"Minor {s} basal atelectasis."])
        it["i"] = f"{S} basal atelectasis."
        it["sig"] = it["omit_ok"] = False
    elif cat == "pneumothorax":
        n = rng.choice([5, 8, 10, 12, 15])
        it["f"] = rng.choice([f"Small {s} apical pneumothorax, measuring {n} mm at the apex.",
                              f"{S} pneumothorax with the lung edge {n} mm from the chest wall at the apex.",
                              f"New {s} apical pneumothorax ({n} mm)."])
        it["i"] = rng.choice([f"Small {s} pneumothorax. Clinical team informed.", f"{S} apical pneumothorax.",
                              f"New small {s} pneumothorax - ?post drain removal."])
    elif cat == "oedema":
        worse = rng.random() < 0.5
        it["f"] = rng.choice([
            "Bilateral perihilar airspace opacification with septal lines and upper lobe venous diversion, in "
            "keeping with pulmonary oedema.",
            "Increased interstitial markings with Kerley B lines - interstitial oedema.",
            f"{'Worsening' if worse else 'Persistent'} bilateral airspace opacification compared with ___, "
            f"consistent with pulmonary oedema.",
            "Upper lobe venous diversion and peribronchial cuffing in keeping with pulmonary venous congestion."])
        it["i"] = rng.choice(["Pulmonary oedema.", f"Pulmonary oedema{', worse than previous' if worse else ''}.",
                              "Features of fluid overload / pulmonary oedema."])
    elif cat == "whiteout":
        inc = rng.random() < 0.5
        it["f"] = ("Dense bilateral airspace opacification, near white-out of both lungs, "
                   + ("increased since ___." if inc else "as expected on lung-rest ventilation on ECMO."))
        it["i"] = "Bilateral white-out, " + ("worse than previous." if inc else "unchanged.")
        it["omit_ok"] = inc
    elif cat == "mediastinum":
        n = rng.choice([8, 9, 10, 11])
        it["f"] = rng.choice([f"The mediastinum is widened compared with the film of ___ (superior mediastinal "
                              f"width now {n} cm).",
                              "New widening of the superior mediastinum since the immediate post-operative film."])
        it["i"] = rng.choice(["New mediastinal widening - ?haematoma/tamponade. Urgent echo or CT advised; "
                              "discussed with the cardiothoracic registrar.",
                              "Mediastinal widening, new - clinical correlation for bleeding/tamponade."])
    elif cat == "cardiomegaly":
        it["f"] = rng.choice(["Stable cardiomegaly.", "Heart size enlarged, unchanged.",
                              "Cardiomegaly, similar to the previous film."])
        it["i"] = "Stable cardiomegaly."
        it["sig"] = it["omit_ok"] = False
    elif cat == "emphysema":
        it["f"] = f"Surgical emphysema in the {s} chest wall."
        it["i"] = f"{S} chest wall surgical emphysema."
        it["sig"] = it["omit_ok"] = False
    elif cat == "diaphragm":
        it["f"] = f"Elevated {s} hemidiaphragm, unchanged."
        it["i"] = f"Stable elevation of the {s} hemidiaphragm."
        it["sig"] = it["omit_ok"] = False
    it["f"] = re.sub(r"\s+", " ", it["f"])
    it["i"] = cap(re.sub(r"\s+", " ", it["i"]))
    it["opp"] = o
    return it


LUNG_CATS = ("consolidation", "collapse", "atelectasis", "oedema", "whiteout")
PLEURA_CATS = ("effusion", "haemothorax")
NEG_STATEMENTS = {
    "pneumothorax": ["No pneumothorax.", "No pneumothorax is seen.", "No pneumothorax following drain removal."],
    "effusion": ["No pleural effusion.", "Costophrenic angles are clear.", "No pleural effusion or collection."],
    "lungs": ["The lungs are clear.", "Lungs clear.", "Clear lungs."],
    "consolidation": ["No focal consolidation.", "No new consolidation."],
    "oedema": ["No pulmonary oedema.", "No features of pulmonary oedema."],
    "mediastinum": ["No mediastinal widening.", "Mediastinal width within normal limits."],
    "heart": ["Heart size is normal.", "Normal heart size."],
}
# what the impression may assert against each negative statement (negation_conflict, mode a)
ASSERT_AGAINST = {
    "pneumothorax": ["Small {s} apical pneumothorax.", "{S} pneumothorax - clinical team informed."],
    "effusion": ["{S} pleural effusion.", "Moderate {s} pleural effusion."],
    "lungs": ["{S} lower lobe consolidation.", "Pulmonary oedema.", "{S} basal consolidation - ?aspiration."],
    "consolidation": ["{S} basal consolidation.", "New {s} lower zone consolidation."],
    "oedema": ["Pulmonary oedema.", "Mild interstitial pulmonary oedema."],
    "mediastinum": ["Mediastinal widening - ?haematoma.", "Widened mediastinum."],
    "heart": ["Cardiomegaly.", "Enlarged cardiac silhouette."],
}
NEGATE_ITEM = {
    "effusion": ["No pleural effusion.", "No effusion."],
    "haemothorax": ["No pleural collection.", "No haemothorax."],
    "pneumothorax": ["No pneumothorax.", "No pneumothorax seen."],
    "consolidation": ["No consolidation.", "No focal consolidation."],
    "oedema": ["No pulmonary oedema.", "No evidence of fluid overload."],
    "whiteout": ["Lungs clear."],
    "mediastinum": ["No mediastinal widening.", "Mediastinum not widened."],
    "cardiomegaly": ["Normal heart size.", "Heart size is normal."],
}


def compose(rng: random.Random) -> dict:
    """A consistent composed report as structure: findings sentences and impression phrases with tags."""
    scen = rng.choice(sorted(SCENARIOS))
    sc = SCENARIOS[scen]
    uk = rng.random() < 0.55
    style = Style(rng, uk, mobile=True)
    d = rng.randint(1, 9)
    clin = sc["clin"][rng.randrange(len(sc["clin"]))].format(d=d)
    comp = rng.choice(UK_COMP_TEXT if uk else US_COMP_TEXT)
    findings: list[dict] = []
    # devices
    n = rng.choice([1, 2, 3])
    findings.append({"t": sc["dev"][rng.randrange(len(sc["dev"]))].format(n=n), "g": "dev"})
    malpos = "malpos" in sc and rng.random() < 0.3
    if malpos:
        findings[-1] = {"t": sc["malpos"][0].format(n=n), "g": "dev", "malpos": True}
    for extra in rng.sample(COMMON_DEV, rng.randint(1, 3)):
        if "sternotomy" in extra.lower() and any("sternotomy" in f["t"].lower() for f in findings):
            continue
        findings.append({"t": extra.format(n=rng.choice([3, 4, 5, 6])), "g": "dev"})
    # pathology
    pool = ["effusion", "consolidation", "pneumothorax", "oedema", "atelectasis", "collapse", "cardiomegaly",
            "emphysema", "diaphragm", "haemothorax", "mediastinum"]
    if scen == "vv_ecmo":
        pool += ["whiteout", "whiteout", "whiteout"]
    if scen == "postop":
        pool += ["haemothorax", "mediastinum", "atelectasis", "effusion"]
    k = rng.choice([0, 1, 1, 2, 2, 2, 3])
    cats: list[str] = []
    for c in rng.sample(pool, len(pool)):
        if len(cats) >= k or c in cats:
            continue
        if c in PLEURA_CATS and any(x in PLEURA_CATS for x in cats):
            continue
        if c in ("whiteout", "oedema") and any(x in ("whiteout", "oedema") for x in cats):
            continue
        cats.append(c)
    items = []
    used_sides: dict[str, str] = {}
    for c in cats:
        side = None
        if c not in ("oedema", "whiteout", "mediastinum", "cardiomegaly"):
            side = rng.choice(["left", "right"])
            # keep one side per region so the two sections cannot be read as talking about another finding
            region = "pleura" if c in PLEURA_CATS + ("pneumothorax",) else "lung"
            if region in used_sides:
                side = used_sides[region]
            used_sides[region] = side
        it = make_item(rng, c, side)
        it["id"] = len(items)
        items.append(it)
        grp = "pleura" if c in PLEURA_CATS + ("pneumothorax", "emphysema", "diaphragm") else (
            "heart" if c in ("cardiomegaly", "mediastinum") else "lungs")
        findings.append({"t": it["f"], "g": grp, "item": it["id"]})
    present = {it["cat"] for it in items}
    # negative statements
    negs = []
    if "pneumothorax" not in present:
        negs.append("pneumothorax")
    if not present & set(PLEURA_CATS):
        negs.append("effusion")
    if not present & set(LUNG_CATS):
        negs.append(rng.choice(["lungs", "lungs", "consolidation"]))
    elif not present & {"consolidation", "whiteout"}:
        if rng.random() < 0.4:
            negs.append("consolidation")
    if not present & {"oedema", "whiteout"} and "lungs" not in negs and rng.random() < 0.5:
        negs.append("oedema")
    if "mediastinum" not in present and rng.random() < 0.3:
        negs.append("mediastinum")
    if scen not in ("lvad",) and "cardiomegaly" not in present and rng.random() < 0.35:
        negs.append("heart")
    negs = rng.sample(negs, max(1, len(negs) - rng.randint(0, 1))) if negs else []
    for ng in negs:
        grp = {"pneumothorax": "pleura", "effusion": "pleura", "mediastinum": "heart", "heart": "heart"}.get(
            ng, "lungs")
        findings.append({"t": rng.choice(NEG_STATEMENTS[ng]), "g": grp, "neg": ng})
    if rng.random() < 0.3:
        findings.append({"t": rng.choice(["No acute bony abnormality.", "Sternal wires intact and aligned.",
                                          "Bones and soft tissues unremarkable."]), "g": "bones"})
    # impression
    imp: list[dict] = []
    if malpos:
        imp.append({"t": sc["malpos"][1].format(n=n), "dev": True})
    elif rng.random() < 0.75:
        imp.append({"t": rng.choice(sc["dev_i"] + GEN_DEV_I), "dev": True})
    for it in items:
        if it["sig"] or rng.random() < 0.5:
            imp.append({"t": it["i"], "item": it["id"]})
    if not any("item" in x for x in imp) and not malpos and not any(it["sig"] for it in items):
        imp.append({"t": rng.choice(NORMAL_I if uk else NORMAL_I_US), "normal": True})
    if rng.random() < 0.2 and not malpos:
        imp.append({"t": rng.choice(["Suggest repeat film after drain insertion.", "Follow-up film in 24 hours.",
                                     "Please correlate with echocardiography."]), "rec": True})
    return {"scen": scen, "style": style, "clin": clin, "comp": comp, "findings": findings, "imp": imp,
            "items": items, "negs": negs}


GROUP_HEADS_UK = {"dev": "Lines/tubes:", "lungs": "Lungs:", "pleura": "Pleura:", "heart": "Heart/mediastinum:",
                  "bones": "Bones:"}
GROUP_HEADS_US = {"dev": "Support devices:", "lungs": "Lungs:", "pleura": "Pleura:", "heart": "Heart and "
                  "mediastinum:", "bones": "Bones/soft tissues:"}


def render_composed(c: dict, rng_struct: bool, findings_mode: str = "keep", imp_mode: str = "keep") -> str:
    st: Style = c["style"]
    fs = [st.text(f["t"]) for f in c["findings"]]
    if rng_struct:
        heads = GROUP_HEADS_UK if st.uk else GROUP_HEADS_US
        order = ["dev", "lungs", "pleura", "heart", "bones"]
        fblock = [(heads[g], [st.text(f["t"]) for f in c["findings"] if f["g"] == g]) for g in order]
    else:
        fblock = fs
    ims = [st.text(x["t"]) for x in c["imp"]]
    if findings_mode == "empty":
        fblock = []
    if imp_mode == "empty":
        ims = []
    elif imp_mode == "removed":
        ims = None
    return render(st, st.text(c["clin"]), c["comp"], fblock, ims, sign_only_impression=(imp_mode == "sign"))


# ---------------------------------------------------------------------------------------------------------------
# composed cases
# ---------------------------------------------------------------------------------------------------------------

def _flip(text: str) -> str:
    def sw(m: re.Match) -> str:
        w = m.group(0)
        r = {"left": "right", "right": "left"}[w.lower()]
        return r.capitalize() if w[0].isupper() else r
    return SIDE.sub(sw, text)


PH_NUM = ["XX {u}", "[ ] {u}", "<<size>> {u}", "[***] {u}", "xx {u}", "*** {u}"]
PH_WORD = ["[size]", "<<size>>", "[***]", "[ ]", "***", "[SIZE]"]
PH_SIDE = ["[side]", "<<side>>", "[LEFT/RIGHT]", "[***]", "[ ]"]
PH_ANY = ["[***]", "***", "[ ]", "<<finding>>", "[insert]"]


def placeholder_in(rng: random.Random, sents: list[str]) -> tuple[int, str, str] | None:
    """Replace one word of one sentence with a template field. Returns (index, new sentence, description)."""
    cands = []
    for i, s in enumerate(sents):
        for m in re.finditer(r"\b\d+(?:\.\d+)? ?(cm|mm)\b", s):
            cands.append((i, m, "num"))
        for m in re.finditer(r"\b(small|moderate|large|mild|minor)\b", s, re.I):
            cands.append((i, m, "size"))
        for m in SIDE.finditer(s):
            cands.append((i, m, "side"))
    if cands and rng.random() < 0.8:
        i, m, kind = cands[rng.randrange(len(cands))]
        if kind == "num":
            rep = rng.choice(PH_NUM).format(u=m.group(1))
        elif kind == "size":
            rep = rng.choice(PH_WORD)
        else:
            rep = rng.choice(PH_SIDE)
        s = sents[i]
        return i, s[:m.start()] + rep + s[m.end():], f"'{m.group(0)}' -> '{rep}'"
    # fall back: last content word of a sentence
    order = list(range(len(sents)))
    rng.shuffle(order)
    for i in order:
        s = sents[i]
        if "___" in s or "XXXX" in s:
            continue
        m = None
        for m0 in re.finditer(r"\b([A-Za-z][a-z]{3,})\b", s):
            m = m0
        if m is None or m.start() == 0:
            continue
        rep = rng.choice(PH_ANY)
        return i, s[:m.start()] + rep + s[m.end():], f"'{m.group(0)}' -> '{rep}'"
    return None


def composed_case(rng: random.Random, kind: str | None) -> tuple[str, str]:
    for _ in range(200):
        c = compose(rng)
        st: Style = c["style"]
        struct = rng.random() < 0.3
        tag = f"composed {c['scen']} film, {st.describe()}"
        if kind is None:
            return render_composed(c, struct), f"{tag}: clean"
        items = c["items"]
        in_imp = {x["item"] for x in c["imp"] if "item" in x}
        if kind == "missing_section":
            mode = rng.choice(["empty_f", "empty_i", "sign_i", "removed_i"])
            if mode == "empty_f":
                return render_composed(c, struct, findings_mode="empty"), f"{tag}: FINDINGS header left empty"
            if mode == "empty_i":
                return render_composed(c, struct, imp_mode="empty"), f"{tag}: IMPRESSION header left empty"
            if mode == "sign_i":
                return (render_composed(c, struct, imp_mode="sign"),
                        f"{tag}: IMPRESSION header with only the sign-off under it")
            return render_composed(c, struct, imp_mode="removed"), f"{tag}: IMPRESSION section removed"
        if kind == "laterality_conflict":
            cand = [it for it in items if it["side"] in ("left", "right") and it["id"] in in_imp]
            if not cand:
                continue
            it = rng.choice(cand)
            if rng.random() < 0.5:
                for f in c["findings"]:
                    if f.get("item") == it["id"]:
                        old, f["t"] = f["t"], _flip(f["t"])
                where = "FINDINGS"
            else:
                for x in c["imp"]:
                    if x.get("item") == it["id"]:
                        old, x["t"] = x["t"], _flip(x["t"])
                where = "IMPRESSION"
            return (render_composed(c, struct),
                    f"{tag}: {it['cat']} side flipped {it['side']} -> {it['opp']} in {where} ('{old}'); the other "
                    f"section keeps {it['side']}")
        if kind == "negation_conflict":
            cand = [it for it in items if it["id"] in in_imp and it["cat"] in NEGATE_ITEM]
            if cand and (rng.random() < 0.5 or not c["negs"]):
                it = rng.choice(cand)
                others_lung = any(x.get("item") is not None and items[x["item"]]["cat"] in LUNG_CATS
                                  and x["item"] != it["id"] for x in c["imp"])
                opts = [p for p in NEGATE_ITEM[it["cat"]] if not (others_lung and p.startswith("Lungs"))]
                neg = rng.choice(opts or ["No consolidation."])
                for x in c["imp"]:
                    if x.get("item") == it["id"]:
                        x["t"] = neg
                return (render_composed(c, struct),
                        f"{tag}: IMPRESSION says '{neg}' while FINDINGS affirm '{it['f']}'")
            if not c["negs"]:
                continue
            ng = rng.choice(c["negs"])
            side = rng.choice(["left", "right"])
            a = rng.choice(ASSERT_AGAINST[ng]).format(s=side, S=cap(side))
            if c["style"].uk is False:
                a = us(a)
            c["imp"] = [x for x in c["imp"] if not x.get("normal")]
            c["imp"].insert(rng.randint(0 if not c["imp"] else 1, len(c["imp"])), {"t": a, "asserted": True})
            negtxt = next(f["t"] for f in c["findings"] if f.get("neg") == ng)
            return render_composed(c, struct), f"{tag}: IMPRESSION asserts '{a}' while FINDINGS say '{negtxt}'"
        if kind == "impression_omits_finding":
            cand = [it for it in items if it["omit_ok"] and it["id"] in in_imp]
            if not cand:
                continue
            it = rng.choice(cand)
            if rng.random() < 0.5:
                st_norm = rng.choice(NORMAL_I if st.uk else NORMAL_I_US)
                keep = [x for x in c["imp"] if x.get("dev") and not x["t"].startswith(("IABP tip too", "Impella "
                                                                                        "appears"))]
                c["imp"] = keep[:1] + [{"t": st_norm, "normal": True}]
                how = f"IMPRESSION replaced by '{' '.join(x['t'] for x in c['imp'])}'"
            else:
                c["imp"] = [x for x in c["imp"] if x.get("item") != it["id"]]
                if not any("item" in x for x in c["imp"]):
                    minor = [o for o in items if o["id"] != it["id"] and not o["omit_ok"]]
                    if minor:
                        c["imp"].append({"t": minor[0]["i"], "item": minor[0]["id"]})
                if not c["imp"]:
                    continue
                how = "IMPRESSION lists the other findings only"
            return render_composed(c, struct), f"{tag}: FINDINGS affirm '{it['f']}'; {how}"
        if kind == "placeholder":
            if rng.random() < 0.6:
                sents = [f["t"] for f in c["findings"]]
                res = placeholder_in(rng, sents)
                if res is None:
                    continue
                i, new, what = res
                c["findings"][i]["t"] = new
                where = "FINDINGS"
            else:
                sents = [x["t"] for x in c["imp"]]
                res = placeholder_in(rng, sents)
                if res is None:
                    continue
                i, new, what = res
                c["imp"][i]["t"] = new
                where = "IMPRESSION"
            return render_composed(c, struct), f"{tag}: unfilled template field in {where}: {what}"
    raise RuntimeError(f"could not compose a {kind} case")


# ---------------------------------------------------------------------------------------------------------------
# IU-based cases
# ---------------------------------------------------------------------------------------------------------------

NEG_TARGETS = [
    # (name of findings statement, regex on a negative findings sentence, impression assertions)
    ("pneumothorax", r"^(no|there is no|without|negative for)\b[^.]*pneumothora",
     ["Small {s} apical pneumothorax.", "{S} pneumothorax."]),
    ("effusion", r"^(no|there is no|there are no|without)\b(?![^.]*\b(large|significant|sizable)\b)[^.]*effusion",
     ["{S} pleural effusion.", "Moderate {s} pleural effusion."]),
    ("lungs clear", r"^(the )?lungs (are|appear) (clear|normal)",
     ["{S} lower lobe consolidation.", "{S} lower lobe pneumonia.", "Bilateral pulmonary oedema."]),
    ("consolidation", r"^(no|there is no|without)\b[^.]*(consolidation|infiltrate|airspace)",
     ["{S} basal consolidation.", "{S} lower lobe airspace disease, likely pneumonia."]),
    ("heart normal", r"^(the )?(heart size|heart|cardiac silhouette|cardiomediastinal (silhouette|contour)|"
                     r"normal heart size|heart and mediastinum)\b[^.]*(normal|within normal limits)",
     ["Cardiomegaly.", "Enlarged cardiac silhouette."]),
    ("oedema", r"^(no|there is no|without)\b[^.]*(edema|oedema|congestion)",
     ["Pulmonary oedema.", "Mild interstitial oedema."]),
]
SIG_TARGET = [
    ("effusion", r"\b(moderate|large|sizable|moderate-sized|large-sized)\b[^.]*effusion|effusion[^.]*\b(moderate|"
                 r"large)\b"),
    ("pneumothorax", r"pneumothora"),
    ("consolidation", r"consolidat|airspace disease|air space disease|infiltrat|pneumonia"),
    ("oedema", r"\b(o?edema|vascular congestion|pulmonary congestion)\b"),
    ("mediastinum", r"mediastin\w* widen|widen\w* (of the )?(superior )?mediastin"),
    ("freeair", r"free air|pneumoperitoneum"),
]


RECOMMEND = re.compile(r"recommend|follow|consider|suggest|resolution|clearing|advised|correlat|if clinically")


def definite_sig(sents: list[str]) -> list[tuple[int, str]]:
    """Findings sentences that plainly affirm a significant finding (no negation, hedge or 'stable')."""
    out = []
    for i, s in enumerate(sents):
        low = s.lower()
        if NEG_CUE.search(low) or HEDGE.search(low) or OLD.search(low) or CONTRAST.search(low):
            continue
        if "xxxx" in low or re.search(r"\beither\b|/|\bor\b", low):
            continue
        for name, rx in SIG_TARGET:
            if re.search(rx, low):
                out.append((i, name))
                break
    return out


STRONG_HEDGE = re.compile(r"\b(possible|possibly|may|might|cannot|can not|questionable|suspicious|suspected|"
                          r"probable|probably|versus|vs|equivocal|subtle|could|borderline|minimal|trace|tiny|"
                          r"resolv\w*|resolution|decreas\w*|improv\w*|near|top normal|upper limits?)\b|\?")
NEG_AFF = [("effusion", r"effusion"), ("pneumothorax", r"pneumothora"),
           ("consolidation", r"consolidat|airspace disease|air space disease|infiltrat|pneumonia"),
           ("oedema", r"\b(o?edema|vascular congestion|pulmonary congestion)\b"), ("cardiomegaly", CLASSES[4][1])]


def affirmed_for_negation(sents: list[str]) -> list[tuple[int, str]]:
    """Findings sentences that affirm a finding plainly enough that 'No <finding>' in the impression contradicts."""
    out = []
    for i, s in enumerate(sents):
        low = s.lower()
        if NEG_CUE.search(low) or STRONG_HEDGE.search(low) or CONTRAST.search(low) or "xxxx" in low:
            continue
        for name, rx in NEG_AFF:
            if re.search(rx, low):
                out.append((i, name))
                break
    return out


def iu_layout(rng: random.Random, r: dict) -> tuple[Style, str, str, list[str], list[str], list[str]]:
    uk = rng.random() < 0.5
    st = Style(rng, uk, mobile=False)
    fs, d1 = reword_iu(split_sents(r["findings"]), uk)
    ims, d2 = reword_iu(split_sents(r["impression"]), uk)
    clin = r["indication"] or ("Not given." if uk else "Not provided.")
    comp = r["comparison"] or ("None." if rng.random() < 0.5 else "")
    if comp.lower().strip(". ") in ("none", "no prior", "no prior studies"):
        comp = "None available." if uk else "None."
    changes = []
    for x in d1 + d2:
        if x not in changes:
            changes.append(x)
    return st, clin, comp, fs, ims, changes


def iu_detail(r: dict, st: Style, changes: list[str], what: str) -> str:
    rw = "; reworded " + ", ".join(changes) if changes else "; wording kept"
    return f"IU {r['uid']}: re-laid out as {st.describe()}{rw}; {what}"


def iu_case(rng: random.Random, r: dict, kind: str | None, mode: str = "") -> tuple[str, str] | None:
    st, clin, comp, fs, ims, ch = iu_layout(rng, r)
    if kind is None:
        return render(st, clin, comp, fs, ims), iu_detail(r, st, ch, "clean (unmodified content)")
    if kind == "missing_section":
        m = rng.choice(["empty_f", "empty_i", "sign_i", "removed_i"])
        if m == "empty_f":
            return render(st, clin, comp, [], ims), iu_detail(r, st, ch, "FINDINGS emptied (header kept)")
        if m == "empty_i":
            return render(st, clin, comp, fs, []), iu_detail(r, st, ch, "IMPRESSION emptied (header kept)")
        if m == "sign_i":
            return (render(st, clin, comp, fs, [], sign_only_impression=True),
                    iu_detail(r, st, ch, "IMPRESSION emptied, only the sign-off under its header"))
        return render(st, clin, comp, fs, None), iu_detail(r, st, ch, "IMPRESSION section removed")
    if kind == "placeholder":
        if rng.random() < 0.6:
            res = placeholder_in(rng, fs)
            where, tgt = "FINDINGS", fs
        else:
            res = placeholder_in(rng, ims)
            where, tgt = "IMPRESSION", ims
        if res is None:
            return None
        i, new, what = res
        tgt[i] = new
        return render(st, clin, comp, fs, ims), iu_detail(r, st, ch, f"unfilled template field in {where}: {what}")
    if kind == "laterality_conflict":
        pairs = lat_pairs(fs, ims)
        if not pairs:
            return None
        sec, i, side = pairs[rng.randrange(len(pairs))]
        tgt = fs if sec == "FINDINGS" else ims
        old = tgt[i]
        tgt[i] = _flip(old)
        other = "IMPRESSION" if sec == "FINDINGS" else "FINDINGS"
        return (render(st, clin, comp, fs, ims),
                iu_detail(r, st, ch, f"side flipped in {sec} ('{old}' -> '{tgt[i]}'); {other} keeps {side}"))
    if kind == "negation_conflict":
        if mode == "assert":
            opts = []
            for name, rx, asserts in NEG_TARGETS:
                for s in fs:
                    if re.search(rx, s.lower()):
                        opts.append((name, s, asserts))
                        break
            if not opts:
                return None
            name, s, asserts = opts[rng.randrange(len(opts))]
            side = rng.choice(["left", "right"])
            a = rng.choice(asserts).format(s=side, S=cap(side))
            if not st.uk:
                a = us(a)
            return (render(st, clin, comp, fs, [a]),
                    iu_detail(r, st, ch, f"IMPRESSION replaced by '{a}' while FINDINGS say '{s}'"))
        sig = affirmed_for_negation(fs)
        opts = []
        for fi, name in sig:
            for ii, s in enumerate(ims):
                hits = [c for c, _ in class_hits(s.lower()) if c != "change"]
                if hits == [name] and not NEG_CUE.search(s.lower()):
                    opts.append((fi, name, ii))
        if not opts:
            return None
        if all(o[1] == "cardiomegaly" for o in opts) and rng.random() < 0.6:
            return None
        fi, name, ii = opts[rng.randrange(len(opts))]
        neg = rng.choice(NEGATE_ITEM[name])
        if not st.uk:
            neg = us(neg)
        old = ims[ii]
        ims[ii] = neg
        ims = [s for j, s in enumerate(ims) if j == ii or not any(c == name for c, _ in class_hits(s.lower()))]
        return (render(st, clin, comp, fs, ims),
                iu_detail(r, st, ch, f"IMPRESSION sentence '{old}' replaced by '{neg}' while FINDINGS say "
                                     f"'{fs[fi]}'"))
    if kind == "impression_omits_finding":
        sig = definite_sig(fs)
        if not sig:
            return None
        fi, name = sig[rng.randrange(len(sig))]
        if mode == "list":
            rest = [s for s in ims if not any(c in (name, "change") for c, _ in class_hits(s.lower()))
                    and not NORMAL_IMP.search(s.lower()) and not NEG_CUE.search(s.lower())
                    and not RECOMMEND.search(s.lower())]
            if not rest or len(rest) == len(ims) or not any(class_hits(s.lower()) for s in rest):
                return None
            # everything else significant in the findings must still be in the rest of the impression
            for _fj, other in sig:
                if other != name and not any(c == other for s in rest for c, _ in class_hits(s.lower())):
                    return None
            return (render(st, clin, comp, fs, rest),
                    iu_detail(r, st, ch, f"IMPRESSION sentence(s) on the {name} dropped, the others kept; FINDINGS "
                                         f"say '{fs[fi]}'"))
        stmt = rng.choice(["No acute cardiopulmonary abnormality.", "No acute cardiopulmonary disease.",
                           "No active disease.", "No acute abnormality."] if st.uk else
                          ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
                           "No active disease."])
        return (render(st, clin, comp, fs, [stmt]),
                iu_detail(r, st, ch, f"IMPRESSION replaced by '{stmt}' while FINDINGS say '{fs[fi]}'"))
    raise ValueError(kind)


def lat_pairs(fs: list[str], ims: list[str]) -> list[tuple[str, int, str]]:
    """(section, sentence index, side) that may be flipped: the sentence names one side and a finding class that
    the other section places, with one sentence, on the same side (and never on the opposite side)."""
    out = []

    def one_side(s: str) -> str | None:
        sd = sorted({m.group(1).lower() for m in SIDE.finditer(s)})
        return sd[0] if len(sd) == 1 and not BOTH.search(s) else None

    def cls(s: str) -> list[str]:
        return [c for c, _ in class_hits(s.lower()) if c not in ("change", "fracture")]

    for sec, a, b in (("FINDINGS", fs, ims), ("IMPRESSION", ims, fs)):
        for i, s in enumerate(a):
            side = one_side(s)
            if not side or NEG_CUE.search(s.lower()) or not cls(s) or re.search(r"middle lobe|lingul", s.lower()):
                continue
            # only one sentence of this section about this class
            if sum(1 for t in a if set(cls(t)) & set(cls(s))) != 1:
                continue
            match = [t for t in b if set(cls(t)) & set(cls(s)) and not NEG_CUE.search(t.lower())]
            if len(match) == 1 and one_side(match[0]) == side:
                out.append((sec, i, side))
    return out


# ---------------------------------------------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------------------------------------------

def iu_pools(base: Path | None = None) -> dict[str, list[dict]]:
    rows = load_iu(str(iu_archive(base)))
    dev = set(load_dev_uids(str(dev_set(base))))
    normal, abnormal, sigf = [], [], []
    for r in rows:
        if r["uid"] in dev or r["uid"] in IU_EXCLUDE or not iu_usable(r):
            continue
        fs, ims = split_sents(r["findings"]), split_sents(r["impression"])
        if normal_report(fs, ims):
            normal.append(r)
        elif consistent(fs, ims) and analyse(fs)["aff"]:
            abnormal.append(r)
        elif any(name in analyse(ims)["aff"] for _, name in definite_sig(fs)):
            sigf.append(r)
    # reports whose findings plainly affirm a significant finding that their own impression also names (so the
    # findings sentence is no garbled negation): their impression is replaced whole
    return {"normal": normal, "abnormal": abnormal, "sigf": sigf}


# IU reports that passed the automatic filters but hold a contradiction or an ambiguity of their own (re-read)
IU_EXCLUDE: frozenset[str] = frozenset()


def build(seed: int, base: Path | None = None) -> list[dict]:
    rng = random.Random(f"heldout170:{seed}")
    pools = iu_pools(base)
    used: set[str] = set()
    rows: list[dict] = []

    def take(pool: list[dict], kind: str | None, n: int, mode_cycle: list[str]) -> int:
        order = list(range(len(pool)))
        rng.shuffle(order)
        got = 0
        for j in order:
            if got >= n:
                break
            r = pool[j]
            if r["uid"] in used:
                continue
            mode = mode_cycle[got % len(mode_cycle)]
            res = iu_case(rng, r, kind, mode)
            if res is None:
                continue
            used.add(r["uid"])
            rows.append({"injected": kind, "detail": res[1], "report": res[0]})
            got += 1
        return got

    def need(got: int, n: int, what: str) -> None:
        if got < n:
            raise RuntimeError(f"only {got} of {n} IU reports for {what}")

    half = N_PER_KIND // 2
    need(take(pools["abnormal"], "laterality_conflict", half, [""]), half, "laterality_conflict")
    got = take(pools["abnormal"], "impression_omits_finding", half // 2, ["list"])
    need(got + take(pools["sigf"] + pools["abnormal"], "impression_omits_finding", half - got, ["normal"]), half,
         "impression_omits_finding")
    got = take(pools["abnormal"], "negation_conflict", half // 2, ["negate"])
    need(got + take(pools["normal"], "negation_conflict", half - got, ["assert"]), half, "negation_conflict")
    mixed = pools["abnormal"] + pools["normal"]
    need(take(mixed, "missing_section", half, [""]), half, "missing_section")
    need(take(mixed, "placeholder", half, [""]), half, "placeholder")
    n_clean_iu = N_CLEAN // 2
    n_abn = n_clean_iu * 2 // 5
    got = take(pools["abnormal"], None, n_abn, [""])
    need(got + take(pools["normal"], None, n_clean_iu - got, [""]), n_clean_iu, "clean")

    for _ in range(N_CLEAN - n_clean_iu):
        rep, det = composed_case(rng, None)
        rows.append({"injected": None, "detail": det, "report": rep})
    for kind in KINDS:
        for _ in range(N_PER_KIND - half):
            rep, det = composed_case(rng, kind)
            rows.append({"injected": kind, "detail": det, "report": rep})

    rng.shuffle(rows)
    return [{"id": f"h170-{seed}-{k}", "injected": r["injected"], "detail": r["detail"], "report": r["report"]}
            for k, r in enumerate(rows)]


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
        for kind in [None, *KINDS]:
            shown = [r for r in rows if r["injected"] == kind][: a.show]
            for r in shown:
                print(f"==== {r['id']}  injected={kind}\n-- {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
