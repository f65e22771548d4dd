"""Blind held-out test set no. 11 for the chest X-ray report checker.

Written blind: without reading the checker, its tests, its docs or any other held-out generator;
only the scorer's format (/work/shared/eval), the IU archive and the dev set's `uid` field were read.

Styles (how US hospital systems and archives emit reports):
- MIMIC-CXR-like archive reports: a "FINAL REPORT" line, "EXAMINATION:  CHEST (PORTABLE AP)",
  "INDICATION: ___ year old woman with ...", TECHNIQUE / COMPARISON: ___, hard line wrapping at
  68-78 characters that breaks sentences mid-line, headers with their text on the next line,
  `___` de-identification masks where names, dates, times and ages were.
- Preliminary "WET READ" blocks above the final report; addenda after the signature.
- Structured / synoptic templates (RadReport-like organ lines "Lungs:", "Pleura:",
  "Heart and mediastinum:", "Bones:", "Lines/tubes:") and checklist forms, each with an IMPRESSION.
- ICU portable films dominated by lines and tubes with interval-change language; pediatric and
  neonatal films (umbilical lines, hyperinflation, peribronchial cuffing, thymus); oncology
  nodule / mass follow-up with mm and cm measurements; trauma films (rib fractures, pneumothorax,
  hemothorax, mediastinum).

Half of every group (clean and each of the five kinds) is composed from the phrase bank below, half
is real IU (Open-i) reports, excluding the dev set's uids, re-laid-out and lightly re-worded in these
styles (IU's `XXXX` mask is kept inside findings/impression; composed reports never use it).

usage: python -m bench.make_heldout11 OUT.jsonl --seed S [--show N]
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
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN, N_KIND = 200, 40
REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    return Path(os.environ.get("MEDRAG_SHARED_DIR") or (REPO.parent / "shared"))


# ----------------------------------------------------------------------------------------------
# small text helpers

def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def other(side: str) -> str:
    return {"right": "left", "left": "right"}[side]


def sents(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text:
        return []
    text = re.sub(r"\s+\.", ".", text)
    text = re.sub(r"\.{2,}", ".", text)
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])", text)
    return [p.strip() for p in parts if p.strip()]


def flip_side_word(s: str, side: str) -> str:
    """Replace the first whole-word `side` (any case) by the opposite side, keeping case."""
    m = re.search(rf"\b{side}\b", s, re.I)
    if not m:
        return s
    w = m.group(0)
    o = other(side)
    o = o.upper() if w.isupper() else (cap(o) if w[0].isupper() else o)
    return s[: m.start()] + o + s[m.end():]


# ----------------------------------------------------------------------------------------------
# composed phrase bank: an item is one finding with a findings sentence and an impression sentence
# written as templates over fields (side, grade, size ...) so that a side can be flipped or a field
# left blank in one section only.

class Item:
    def __init__(self, organ, ft, it=None, key="", sig=False, fields=None, blocks=(), syn="",
                 neg_i=None, neg_f=None, lat=False, must=True):
        self.organ = organ          # lines / lungs / pleura / heart / bones / abdomen
        self.ft, self.it = ft, it   # templates
        self.key, self.sig = key, sig
        self.fields = dict(fields or {})
        self.blocks = set(blocks)   # normal filler tags this finding contradicts
        self.syn = syn              # regex: any wording of this finding (omission check)
        self.neg_i, self.neg_f = neg_i, neg_f
        self.lat = lat              # side may be flipped for a laterality conflict
        self.must = must or sig     # clean impression must mention it

    def fmt(self, t, fields=None):
        f = dict(self.fields if fields is None else fields)
        if "side" in f:
            f.setdefault("Side", cap(f["side"]))
        for k in list(f):
            if isinstance(f[k], str) and k[0].islower():
                f.setdefault(k[0].upper() + k[1:], cap(f[k]))
        return t.format(**f)

    def f_text(self):
        return self.fmt(self.ft)

    def i_text(self):
        return self.fmt(self.it) if self.it else None


def ch(rng, *xs):
    return rng.choice(xs)


GRADES_SIG = ["moderate", "large", "moderate-to-large"]


def it_effusion(rng, sig=None, theme="adult"):
    side = ch(rng, "right", "left")
    if sig is None:
        sig = rng.random() < 0.6
    if sig:
        grade = rng.choice(GRADES_SIG)
        ft = ch(rng, "{Grade} {side} pleural effusion with adjacent compressive atelectasis.",
                "There is a {grade} {side} pleural effusion, increased from ___.",
                "{Grade} layering {side} pleural effusion.",
                "Interval increase in the {grade} {side} pleural effusion.")
        itx = ch(rng, "{Grade} {side} pleural effusion.", "{Grade} {side} pleural effusion, increased.",
                 "Increasing {grade} {side} pleural effusion with basilar atelectasis.")
        if "increase" not in ft:
            itx = "{Grade} {side} pleural effusion."
    else:
        grade = ch(rng, "small", "trace", "small")
        ft = ch(rng, "{Grade} {side} pleural effusion, unchanged.", "Stable {grade} {side} pleural effusion.",
                "Blunting of the {side} costophrenic angle, likely a {grade} effusion, unchanged from ___.")
        itx = "Stable {grade} {side} pleural effusion."
    return Item("pleura", ft, itx, "effusion", sig, {"side": side, "grade": grade}, {"eff",
                                                                                     "clear"} if sig else {"eff"},
                r"effusion|pleural fluid|hemothorax|fluid", ch(rng, "No pleural effusion.", "No effusion."),
                "No pleural effusion.", lat=True, must=sig)


def it_pneumonia(rng):
    side = ch(rng, "right", "left")
    lobe = ch(rng, "lower", "upper", "lower")
    ft = ch(rng, "Focal consolidation in the {side} {lobe} lobe.",
            "New airspace opacity in the {side} {lobe} lobe with air bronchograms.",
            "Dense consolidation of the {side} {lobe} lobe, new compared to ___.",
            "Patchy opacity in the {side} {lobe} lobe concerning for consolidation.")
    itx = ch(rng, "{Side} {lobe} lobe pneumonia.", "{Side} {lobe} lobe consolidation concerning for pneumonia.",
             "New {side} {lobe} lobe airspace disease, likely pneumonia in the appropriate clinical setting.")
    return Item("lungs", ft, itx, "consolidation", True, {"side": side, "lobe": lobe}, {"clear", "consol"},
                r"pneumonia|consolidat|airspace|air space|opacit|infiltrat|infect|aspiration",
                ch(rng, "No focal consolidation.", "Lungs are clear.", "No pneumonia."),
                ch(rng, "The lungs are clear.", "No focal consolidation."), lat=True)


def it_atelectasis(rng):
    side = ch(rng, "right", "left")
    ft = ch(rng, "Linear atelectasis at the {side} lung base.", "Mild {side} basilar atelectasis.",
            "Streaky {side} basilar opacity, likely atelectasis.")
    itx = ch(rng, "{Side} basilar atelectasis.", "Mild {side} basilar atelectasis.")
    return Item("lungs", ft, itx, "atelectasis", False, {"side": side}, {"clear"},
                r"atelecta|opacit|collapse", None, None, lat=True, must=False)


def it_collapse(rng):
    side = ch(rng, "left", "right")
    ft = ch(rng, "Complete collapse of the {side} lower lobe with retrocardiac opacity and volume loss."
            if side == "left" else "Collapse of the {side} lower lobe with elevation of the {side} hemidiaphragm.",
            "New {side} upper lobe collapse with superior shift of the minor fissure." if side == "right"
            else "New {side} upper lobe collapse.")
    itx = ch(rng, "{Side} lower lobe collapse." if "lower" in ft else "{Side} upper lobe collapse.",
             "Collapse of the {side} lower lobe; consider mucus plugging." if "lower" in ft
             else "New {side} upper lobe collapse; bronchoscopy may be considered.")
    return Item("lungs", ft, itx, "collapse", True, {"side": side}, {"clear"},
                r"collapse|atelecta|volume loss|opacit|plug", "Lungs are well expanded.", None, lat=True)


def it_edema(rng):
    grade = ch(rng, "mild", "moderate", "mild")
    ft = ch(rng, "{Grade} pulmonary edema with bilateral perihilar haziness.",
            "Pulmonary vascular congestion with {grade} interstitial edema.",
            "Increased interstitial markings and Kerley B lines consistent with {grade} interstitial edema.",
            "Interval increase in {grade} pulmonary edema.")
    itx = ch(rng, "{Grade} pulmonary edema.", "{Grade} interstitial edema, consistent with fluid overload.",
             "Findings consistent with {grade} congestive heart failure.")
    return Item("lungs", ft, itx, "edema", True, {"grade": grade}, {"clear", "edema"},
                r"edema|oedema|congest|fluid overload|failure|CHF|vascular|interstitial|volume overload",
                ch(rng, "No pulmonary edema.", "No evidence of pulmonary edema."),
                ch(rng, "No pulmonary edema.", "Pulmonary vasculature is normal."))


def it_cardiomegaly(rng):
    grade = ch(rng, "mild", "moderate", "stable mild", "moderate")
    ft = ch(rng, "{Grade} cardiomegaly.", "The heart is {grade}ly enlarged." if grade in ("mild", "moderate")
            else "{Grade} enlargement of the cardiac silhouette.")
    itx = "{Grade} cardiomegaly."
    return Item("heart", ft, itx, "cardiomegaly", False, {"grade": grade}, {"heart"},
                r"cardiomegaly|heart|cardiac", ch(rng, "Normal heart size.", "Heart size is normal."),
                ch(rng, "Heart size is normal.", "The cardiac silhouette is normal in size."),
                must=grade == "moderate")


def it_ptx(rng, trauma=False):
    side = ch(rng, "right", "left")
    grade = ch(rng, "small", "tiny", "moderate", "small")
    ft = ch(rng, "{Grade} {side} apical pneumothorax.",
            "There is a {grade} {side} pneumothorax with a visible pleural line at the apex.",
            "New {grade} {side} apical pneumothorax, measuring approximately {n} cm from apex to cupola.")
    itx = ch(rng, "{Grade} {side} pneumothorax.", "{Grade} {side} apical pneumothorax.",
             "{Grade} {side} pneumothorax, new.")
    return Item("pleura", ft, itx, "pneumothorax", True, {"side": side, "grade": grade, "n": ch(rng, "1.2", "2",
                                                                                                "1.5")},
                {"ptx", "clear"}, r"pneumothora|PTX|pleural line|air",
                ch(rng, "No pneumothorax.", "No pneumothorax is seen."), "No pneumothorax.", lat=True)


def it_nodule(rng, sig=None):
    side = ch(rng, "right", "left")
    lobe = ch(rng, "upper", "lower")
    if sig is None:
        sig = rng.random() < 0.7
    size = rng.randint(7, 19) if sig else rng.randint(3, 5)
    prev = size - rng.randint(1, 3)
    ft = ch(rng, "{size} mm nodule in the {side} {lobe} lobe, previously {prev} mm.",
            "A {size} mm nodular opacity projects over the {side} {lobe} lung zone.",
            "{side} {lobe} lobe nodule measures {size} mm (previously {prev} mm).")
    if ft.startswith("{side}"):
        ft = "{Side}" + ft[6:]
    itx = ch(rng, "{size} mm {side} {lobe} lobe nodule, slightly increased; CT recommended.",
             "{Side} {lobe} lobe nodule measuring {size} mm. Recommend chest CT for further evaluation.")
    if not sig:
        ft = "{size} mm calcified granuloma in the {side} {lobe} lobe, unchanged."
        itx = None
    return Item("lungs", ft, itx, "nodule", sig, {"side": side, "lobe": lobe, "size": str(size), "prev": str(prev)},
                {"clear"}, r"nodul|mass|lesion|opacit|density|neoplas|malignan|granuloma|CT",
                None, None, lat=sig, must=sig)


def it_mass(rng):
    side = ch(rng, "right", "left")
    a, b = round(rng.uniform(2.5, 6.5), 1), round(rng.uniform(1.8, 4.0), 1)
    pa, pb = round(a - rng.uniform(0.3, 1.2), 1), round(b - rng.uniform(0.2, 0.8), 1)
    zone = ch(rng, "upper lobe", "hilar", "perihilar", "lower lobe")
    ft = ch(rng, "{Side} {zone} mass measures {a} x {b} cm, previously {pa} x {pb} cm.",
            "Again seen is a lobulated {side} {zone} mass, now {a} x {b} cm (previously {pa} x {pb} cm).",
            "The known {side} {zone} mass has increased in size, measuring {a} x {b} cm compared with "
            "{pa} x {pb} cm on ___.")
    itx = ch(rng,
             "Interval enlargement of the {side} {zone} mass, now {a} x {b} cm, compatible with disease progression.",
             "Increasing {side} {zone} mass.", "{Side} {zone} mass, larger than on ___.")
    return Item("lungs", ft, itx, "mass", True, {"side": side, "zone": zone, "a": str(a), "b": str(b),
                                                   "pa": str(pa), "pb": str(pb)},
                {"clear"}, r"mass|nodul|lesion|neoplas|malignan|tumou?r|progress|opacit|disease",
                None, None, lat=True)


def it_mediastinum(rng):
    ft = ch(rng, "The mediastinum is widened, measuring {n} cm at the level of the aortic knob.",
            "Widening of the superior mediastinum to {n} cm with indistinct aortic contour.")
    itx = ch(rng, "Widened mediastinum; CT angiography recommended to exclude aortic injury.",
             "Mediastinal widening, concerning in the setting of trauma. Recommend CTA chest.")
    return Item("heart", ft, itx, "mediastinum", True, {"n": ch(rng, "8.5", "9", "10")}, {"mediast"},
                r"mediastin|aort|CTA|vascular injury", "Normal mediastinal contours.",
                "Mediastinal contours are within normal limits.")


def it_ribfx(rng):
    side = ch(rng, "right", "left")
    a = rng.randint(3, 7)
    b = a + rng.randint(1, 3)
    o = lambda n: f"{n}{'st' if n == 1 else 'nd' if n == 2 else 'rd' if n == 3 else 'th'}"  # noqa: E731
    ft = ch(rng, "Acute displaced fractures of the {side} {a} through {b} lateral ribs.",
            "Nondisplaced fractures of the {side} {a} through {b} posterior ribs.",
            "Acute fractures of the {side} {a}-{b} anterolateral ribs with mild displacement.")
    itx = ch(rng, "Acute {side} {a} through {b} rib fractures.", "{Side} rib fractures as described.",
             "Multiple acute {side}-sided rib fractures.")
    return Item("bones", ft, itx, "ribfx", False, {"side": side, "a": o(a), "b": o(b)}, {"bones"},
                r"fractur|rib", "No acute osseous abnormality.", "No rib fracture is identified.", lat=True)


def it_hemothorax(rng):
    side = ch(rng, "right", "left")
    ft = ch(rng, "Hazy opacity layering over the {side} hemithorax, consistent with hemothorax in this setting.",
            "Moderate {side} pleural fluid collection, likely hemothorax.")
    itx = ch(rng, "{Side} hemothorax.", "Moderate {side} hemothorax.")
    return Item("pleura", ft, itx, "hemothorax", False, {"side": side}, {"eff"},
                r"hemothorax|effusion|fluid|blood", "No pleural effusion.", "No pleural effusion.", lat=True)


def it_subq(rng):
    side = ch(rng, "right", "left")
    return Item("bones", "Subcutaneous emphysema along the {side} lateral chest wall.",
                "{Side} chest wall subcutaneous emphysema.", "subq", False, {"side": side}, set(),
                r"subcutaneous|emphysema|air", None, None, lat=True, must=True)


def it_freeair(rng):
    side = ch(rng, "right", "left")
    return Item("abdomen", ch(rng, "Lucency beneath the {side} hemidiaphragm consistent with free intraperitoneal air.",
                              "Free air under the {side} hemidiaphragm."),
                ch(rng, "Pneumoperitoneum.", "Free intraperitoneal air. Surgical team notified at ___."),
                "freeair", True, {"side": side}, {"freeair"},
                r"free air|pneumoperitoneum|intraperitoneal|air|diaphragm",
                "No free air under the diaphragm.", "No free air beneath the diaphragm.")


def it_hernia(rng):
    return Item("heart", ch(rng, "Small hiatal hernia.",
                            "Retrocardiac air-fluid level consistent with a hiatal hernia."),
                "Hiatal hernia.", "hernia", False, {}, set(), r"hernia", None, None, must=False)


def it_degen(rng):
    return Item("bones", ch(rng, "Mild degenerative changes of the thoracic spine.",
                            "Multilevel degenerative disc disease in the thoracic spine."),
                "Degenerative changes of the thoracic spine.", "degen", False, {}, {"spine"},
                r"degenerat|spine|spondyl",
                None, None, must=False)


# lines and tubes (ICU / neonatal)
def it_ett(rng, neonate=False):
    n = ch(rng, "1.2", "1.5", "1.8") if neonate else ch(rng, "3.5", "4", "4.5", "5", "5.2")
    return Item("lines", ch(rng, "Endotracheal tube tip is {n} cm above the carina.",
                            "ETT terminates {n} cm above the carina.",
                            "The endotracheal tube is in standard position, {n} cm above the carina."),
                ch(rng, "Endotracheal tube in satisfactory position.", "ETT appropriately positioned."),
                "ett", False, {"n": n}, set(), r"endotracheal|ETT|tube", None, None, must=False)


def it_ett_low(rng):
    n = ch(rng, "0.5", "0.8", "1")
    return Item("lines",
                "Endotracheal tube tip is {n} cm above the carina, directed toward the right mainstem bronchus.",
                "Low-lying endotracheal tube, {n} cm above the carina; recommend withdrawal by approximately 2 cm.",
                "ettlow", False, {"n": n}, set(), r"endotracheal|ETT|tube", None, None, must=True)


def it_og(rng):
    kind = ch(rng, "Enteric tube", "Orogastric tube", "Nasogastric tube", "OG tube", "NG tube")
    return Item("lines", ch(rng, kind + " courses below the diaphragm with tip in the stomach.",
                            kind + " tip and side port are in the stomach."),
                kind + " in the stomach.", "og", False, {}, set(), r"gastric|enteric|tube|OG|NG", None, None,
                must=False)


def it_cvc(rng):
    side = ch(rng, "right", "left")
    vessel = ch(rng, "internal jugular", "subclavian")
    tip = ch(rng, "mid SVC", "lower SVC", "cavoatrial junction")
    return Item("lines", ch(rng, "{Side} {vessel} central venous catheter terminates in the {tip}.",
                            "{Side} {vessel} line tip projects over the {tip}."),
                "{Side} {vessel} catheter tip in the {tip}.", "cvc", False, {"side": side, "vessel": vessel,
                                                                             "tip": tip},
                set(), r"catheter|line|CVC", None, None, must=False)


def it_picc(rng):
    side = ch(rng, "right", "left")
    tip = ch(rng, "low SVC", "cavoatrial junction", "mid SVC")
    return Item("lines", ch(rng, "{Side} upper extremity PICC tip is in the {tip}.",
                            "{Side} PICC terminates at the {tip}."),
                "{Side} PICC tip at the {tip}.", "picc", False, {"side": side, "tip": tip}, set(),
                r"PICC|catheter|line",
                None, None, must=False)


def it_chesttube(rng):
    side = ch(rng, "right", "left")
    return Item("lines", ch(rng, "{Side} basilar chest tube in place.",
                            "{Side} apical pigtail pleural catheter unchanged in position."),
                "{Side} chest tube in place.", "ctube", False, {"side": side}, set(), r"chest tube|catheter|pigtail",
                None, None, must=False)


def it_pacer(rng):
    side = ch(rng, "left", "right")
    return Item("lines", ch(rng,
                            "{Side}-sided dual-chamber pacemaker with leads in the right atrium and right ventricle.",
                            "{Side} chest wall pacer device with leads terminating in the right atrium and "
                            "right ventricle."),
                None, "pacer", False, {"side": side}, set(), r"pace", None, None, must=False)


def it_port(rng):
    side = ch(rng, "right", "left")
    return Item("lines", "{Side} chest wall port catheter tip in the {tip}.", None, "port", False,
                {"side": side, "tip": ch(rng, "SVC", "cavoatrial junction")}, set(), r"port|catheter", None, None,
                must=False)


def it_uvc(rng):
    pos = ch(rng, "at the junction of the IVC and right atrium", "over the right atrium", "in the IVC at T9")
    bad = "right atrium" in pos and "junction" not in pos
    return Item("lines", "Umbilical venous catheter tip projects " + pos + ".",
                ("UVC tip over the right atrium; recommend retraction by 1 cm." if bad
                 else "UVC in satisfactory position."),
                "uvc", False, {}, set(), r"UVC|umbilical|catheter", None, None, must=bad)


def it_uac(rng):
    lvl = ch(rng, "T7", "T8", "T9")
    return Item("lines", "Umbilical arterial catheter tip at the level of {lvl}.", "UAC tip at {lvl}.",
                "uac", False, {"lvl": lvl}, set(), r"UAC|umbilical|arterial", None, None, must=False)


def it_peds_viral(rng):
    return Item("lungs", ch(rng, "Lungs are hyperinflated with increased perihilar markings and peribronchial cuffing.",
                            "Hyperinflation with bilateral peribronchial thickening and no focal consolidation."),
                ch(rng,
                   "Hyperinflation and peribronchial cuffing, compatible with viral lower respiratory tract "
                   "infection or reactive airway disease.",
                   "Findings suggestive of viral bronchiolitis or reactive airway disease."),
                "viral", False, {}, {"clear", "expanded"}, r"hyperinfl|cuffing|viral|reactive|bronchiol|peribronch",
                "Lungs are clear.", None, must=True)


def it_rds(rng):
    return Item("lungs", ch(rng, "Low lung volumes with diffuse bilateral granular opacities and air bronchograms.",
                            "Diffuse ground-glass granular opacities bilaterally, increased since ___."),
                ch(rng, "Findings consistent with surfactant deficiency.",
                   "Diffuse granular opacities compatible with respiratory distress syndrome."),
                "rds", True, {}, {"clear", "expanded", "consol"},
                r"granular|surfactant|RDS|respiratory distress|hyaline|opacit|airspace|air space",
                "Lungs are clear.", "The lungs are clear.")


def it_peds_pna(rng):
    side = ch(rng, "right", "left")
    return Item("lungs", ch(rng, "Rounded opacity in the {side} lower lobe, suspicious for round pneumonia.",
                            "Focal airspace consolidation in the {side} upper lobe."),
                ch(rng, "{Side} lower lobe round pneumonia.", "{Side} focal pneumonia."), "consolidation", True,
                {"side": side},
                {"clear", "consol"}, r"pneumonia|consolidat|airspace|opacit|infect", "No focal consolidation.",
                "No focal consolidation.", lat=True)


def it_improved(rng):
    side = ch(rng, "right", "left")
    return Item("lungs", ch(rng, "Interval improvement in the {side} lower lobe opacity.",
                            "Improved aeration of the {side} lung base compared with ___."),
                ch(rng, "Improving {side} basilar opacity.", "Interval improvement in {side} basilar aeration."),
                "improved", False, {"side": side}, {"clear"}, r"improv|aeration|opacit", None, None, lat=True,
                must=False)


def it_removed(rng):
    side = ch(rng, "right", "left")
    dev = ch(rng, "internal jugular central venous catheter", "chest tube", "PICC")
    return Item("lines", "Interval removal of the {side} {dev}.", "Interval removal of the {side} {dev}.",
                "removed", False, {"side": side, "dev": dev}, set(), r"remov", None, None, must=False)


# normal filler per organ: (tag, sentence)
FILL = {
    "lungs": [("clear", "The lungs are clear."), ("clear", "Lungs are clear without focal consolidation."),
              ("consol", "No focal consolidation."), ("edema", "No pulmonary edema."),
              ("clear", "Lungs are well expanded and clear.")],
    "pleura": [("eff", "No pleural effusion."), ("ptx", "No pneumothorax."),
               ("eff+ptx", "No pleural effusion or pneumothorax."), ("eff+ptx", "No effusion or pneumothorax.")],
    "heart": [("heart", "Heart size is normal."), ("heart+mediast",
                                                   "The cardiomediastinal silhouette is within normal limits."),
              ("heart+mediast", "Normal heart size and mediastinal contours."), ("mediast",
                                                                                 "Mediastinal contours are normal.")],
    "bones": [("bones", "No acute osseous abnormality."), ("bones", "Osseous structures are intact."),
              ("bones", "Visualized osseous structures are unremarkable.")],
}
PEDS_HEART = [("heart+mediast", "The cardiothymic silhouette is normal."), ("heart", "Normal cardiothymic silhouette."),
              ("heart+mediast", "Normal thymic shadow. Heart size is normal.")]

NORMAL_IMP = ["No acute cardiopulmonary process.", "No acute intrathoracic abnormality.",
              "No radiographic evidence of acute cardiopulmonary disease.", "No acute cardiopulmonary abnormality.",
              "No acute cardiopulmonary process identified.", "Normal chest radiograph."]
NORMAL_IMP_ICU = ["No acute cardiopulmonary process.", "No significant interval change.",
                  "Stable appearance of the chest.", "No acute cardiopulmonary abnormality."]


def fillers(organ, blocked, rng, peds=False):
    pool = PEDS_HEART if (organ == "heart" and peds) else FILL[organ]
    ok = [s for tag, s in pool if not (set(tag.split("+")) & blocked)]
    if organ == "pleura" and not ok:
        return []
    if not ok:
        return []
    out = [rng.choice(ok)]
    if organ == "pleura" and "+" not in [t for t, s in pool if s == out[0]][0]:
        rest = [s for tag, s in pool if "+" not in tag and s != out[0] and not (set(tag.split("+")) & blocked)]
        if rest:
            out.append(rng.choice(rest))
    return out


# ----------------------------------------------------------------------------------------------
# composed cases: theme -> items + context

def compose_items(rng, theme):
    items = []
    if theme == "adult":
        pool = [it_effusion, it_pneumonia, it_atelectasis, it_edema, it_cardiomegaly, it_nodule, it_hernia, it_degen,
                it_ptx, it_collapse]
        for f in rng.sample(pool, rng.choice([0, 1, 1, 2, 2, 3])):
            items.append(f(rng))
    elif theme == "icu":
        items.append(it_ett_low(rng) if rng.random() < 0.15 else it_ett(rng))
        items.append(it_og(rng))
        for f in rng.sample([it_cvc, it_picc, it_chesttube, it_pacer, it_removed], rng.choice([1, 1, 2])):
            items.append(f(rng))
        for f in rng.sample([it_effusion, it_atelectasis, it_edema, it_pneumonia, it_ptx, it_collapse, it_cardiomegaly,
                             it_improved],
                            rng.choice([0, 1, 1, 2])):
            items.append(f(rng))
    elif theme == "peds":
        if rng.random() < 0.5:
            items += [it_ett(rng, neonate=True), it_uvc(rng)]
            if rng.random() < 0.6:
                items.append(it_uac(rng))
            if rng.random() < 0.6:
                items.append(it_rds(rng))
            if rng.random() < 0.25:
                items.append(it_ptx(rng))
        else:
            for f in rng.sample([it_peds_viral, it_peds_pna, it_atelectasis], rng.choice([0, 1, 1, 2])):
                items.append(f(rng))
    elif theme == "onc":
        items.append(rng.choice([it_mass, it_nodule, it_nodule])(rng))
        if rng.random() < 0.5:
            items.append(it_port(rng))
        for f in rng.sample([it_effusion, it_nodule, it_atelectasis, it_degen], rng.choice([0, 1, 1])):
            items.append(f(rng))
    elif theme == "trauma":
        items.append(it_ribfx(rng))
        for f in rng.sample([it_ptx, it_hemothorax, it_subq, it_mediastinum, it_freeair], rng.choice([0, 1, 1, 2])):
            items.append(f(rng))
    # de-duplicate keys
    seen, out = set(), []
    for x in items:
        if x.key in seen:
            continue
        seen.add(x.key)
        out.append(x)
    return out


INDICATIONS = {
    "adult": ["___ year old woman with cough and fever // eval for pneumonia",
              "___ year old man with shortness of breath",
              "___ year old woman with chest pain // r/o acute process", "___M with hypoxia, ?CHF",
              "___ year old man with history of COPD, worsening dyspnea", "___F with fever and leukocytosis",
              "___ with pleuritic chest pain"],
    "icu": ["___ year old man intubated for respiratory failure // ETT placement",
            "___F s/p right IJ placement // line position?",
            "___ year old woman in the SICU, s/p CABG // interval change",
            "___M with sepsis, intubated // evaluate OG tube",
            "___ year old man with ARDS // interval change"],
    "neo": ["___ day old ex-___ week premature infant with respiratory distress // UVC/UAC placement",
            "Newborn with tachypnea // ETT position", "Ex-___ week preemie, intubated // line and tube position",
            "___ day old infant, increasing oxygen requirement"],
    "peds": ["___ month old with cough and wheezing", "___ year old boy with fever and cough, r/o pneumonia",
             "___ year old girl with fever, decreased breath sounds", "___ month old with bronchiolitis, worsening",
             "___ year old with asthma exacerbation // r/o pneumonia"],
    "onc": ["___ year old woman with lung cancer on chemotherapy // interval change",
            "___M with RUL adenocarcinoma, follow-up",
            "___ year old man with metastatic colon cancer, follow-up of pulmonary nodules",
            "___F with known lung mass, restaging"],
    "trauma": ["___ year old man s/p MVC with chest wall pain", "___F s/p fall from standing, left chest pain",
               "___M s/p assault, r/o rib fracture", "Trauma: ___ year old man, motorcycle collision"],
}
EXAMS = {
    "adult": ["CHEST (PA AND LAT)", "CHEST (PORTABLE AP)", "CHEST (PA AND LAT)", "CHEST 2 VIEWS"],
    "icu": ["CHEST (PORTABLE AP)", "CHEST (PORTABLE AP)", "PORTABLE CHEST, 1 VIEW"],
    "peds": ["CHEST (PA AND LAT) PEDS", "CHEST (AP AND LAT) PEDS", "PEDS CHEST 2 VIEWS"],
    "neo": ["BABYGRAM (CHEST AND ABDOMEN, 1 VIEW)", "CHEST PORT. LINE PLACEMENT", "NICU CHEST (PORTABLE AP)"],
    "onc": ["CHEST (PA AND LAT)", "CHEST 2 VIEWS PA/LAT"],
    "trauma": ["CHEST (PORTABLE AP) TRAUMA", "TRAUMA #2 (AP CXR AND PELVIS PORT)", "CHEST (SINGLE VIEW)"],
}
TECHNIQUES = ["Single frontal view of the chest.", "PA and lateral views of the chest.",
              "Portable AP chest radiograph.",
              "Portable semi-upright AP view of the chest.", "Frontal and lateral chest radiographs."]


class Case:
    """A report as sections: header blocks, findings (list of (organ, sentence)), impression sentences."""

    def __init__(self, theme, items, rng, peds=False):
        self.theme = theme
        self.items = items
        self.peds = peds
        self.findings_override = None   # list of (organ, sentence) for IU
        self.imp_override = None
        self.fields_f = {id(x): dict(x.fields) for x in items}
        self.fields_i = {id(x): dict(x.fields) for x in items}
        self.f_text = {id(x): x.ft for x in items}
        self.i_text = {id(x): x.it for x in items}
        blocked = set()
        for x in items:
            blocked |= x.blocks
        self.fill = {o: fillers(o, blocked, rng, peds) for o in ("lungs", "pleura", "heart", "bones")}
        if rng.random() < 0.3:
            self.fill["bones"] = []
        self.normal_imp = rng.choice(NORMAL_IMP_ICU if theme == "icu" else NORMAL_IMP)

    def finding_lines(self):
        out = []
        for x in self.items:
            if self.f_text[id(x)]:
                out.append((x.organ, x.fmt(self.f_text[id(x)], self.fields_f[id(x)])))
        for o, ss in self.fill.items():
            out += [(o, s) for s in ss]
        order = ["lines", "lungs", "pleura", "heart", "abdomen", "bones"]
        out.sort(key=lambda t: order.index(t[0]))
        return out

    def imp_lines(self, rng_state):
        if self.imp_override is not None:
            return list(self.imp_override)
        out = []
        for x in self.items:
            t = self.i_text[id(x)]
            if t and (x.must or rng_state.get(id(x), True)):
                out.append(x.fmt(t, self.fields_i[id(x)]))
        # lines first in ICU impressions is common, keep significant first otherwise
        return out


# ----------------------------------------------------------------------------------------------
# layouts

SIGN = ["Electronically signed by: ___, MD on ___ at ___",
        "I have personally reviewed the images and agree with the report.\n"
        "Signed: Dr. ___ ___", "Dictated by: ___, MD   Attending: ___, MD", "RADIOLOGIST: ___, MD   Signed ___ ___"]
NOTIFY = ["NOTIFICATION:  The findings were discussed with Dr. ___ by ___, M.D. on the telephone on ___ at ___, "
          "approximately 5 minutes after discovery of the findings.",
          "NOTIFICATION:  Dr. ___ communicated the above results to ___ by telephone on ___ at ___."]
ADDENDA_CLEAN = ["ADDENDUM: Findings were discussed with Dr. ___ by telephone at ___ on ___, approximately 10 minutes "
                 "after discovery.",
                 "ADDENDUM: Study reviewed with the attending radiologist, Dr. ___, who agrees with the "
                 "above interpretation.",
                 "ADDENDUM: Comparison was made to an outside study from ___, which became available "
                 "after dictation. The impression is unchanged.",
                 "ADDENDUM: The results were communicated to the ordering "
                 "provider, ___, via the critical results system on ___ at ___."]


def wrap(text, width, indent=" "):
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


def technique_for(exam, rng):
    if "LAT" in exam or "2 VIEWS" in exam:
        return rng.choice(["PA and lateral views of the chest.", "Frontal and lateral chest radiographs.",
                           "Chest, PA and lateral."])
    if "BABYGRAM" in exam:
        return "Single AP view of the chest and abdomen."
    return rng.choice(["Single frontal view of the chest.", "Portable AP chest radiograph.",
                       "Portable semi-upright AP view of the chest.", "AP portable upright view of the chest."])


def header_block(rng, theme, exam=None):
    exam = exam or rng.choice(EXAMS[theme])
    ind = rng.choice(INDICATIONS[theme])
    comp = rng.choice(["___", "___", "Chest radiograph ___.", "Prior chest radiographs ___ and ___.", "None.",
                       "Multiple prior studies, most recently ___."])
    if theme in ("icu", "onc") and comp == "None.":
        comp = "___"
    tech = technique_for(exam, rng)
    blocks = [("EXAMINATION", exam), ("INDICATION", ind), ("TECHNIQUE", tech), ("COMPARISON", comp)]
    if rng.random() < 0.25:
        blocks = [("EXAMINATION", exam), ("HISTORY", ind), ("COMPARISON", comp)]
    elif rng.random() < 0.2:
        blocks = [("INDICATION", ind), ("EXAMINATION", exam), ("COMPARISON", comp), ("TECHNIQUE", tech)]
    elif rng.random() < 0.15:
        blocks = [("EXAM", exam), ("CLINICAL HISTORY", ind), ("COMPARISON", comp)]
    return blocks


def render_mimic(rng, hdr, fsents, isents, *, fhead="FINDINGS", ihead="IMPRESSION", wet=None, addendum=None,
                 keep_f=True, keep_i=True, numbered=None):
    width = rng.randint(68, 78)
    lines = []
    if wet:
        lines += [f"WET READ: ___ ___ ___ {rng.randint(1, 12)}:{rng.randint(0, 59):02d} {rng.choice(['AM', 'PM'])}"]
        lines += [wrap(wet, width - 2, "  ")]
        lines += [f"WET READ VERSION #{rng.choice([1, 1, 2])}", ""]
    lines += [" " * rng.randint(20, 33) + "FINAL REPORT"]
    for h, v in hdr:
        if h == "EXAMINATION" and rng.random() < 0.8:
            lines += [f" {h}:  {v}", ""]
        else:
            lines += [wrap(f"{h}:  {v}", width), ""]
    nl = rng.random() < 0.55   # header alone on its line, text below
    if keep_f:
        ftxt = " ".join(fsents)
        if nl:
            lines += [f" {fhead}: ", ""]
            if fsents:
                paras = split_paras(rng, fsents)
                for p in paras:
                    lines += [wrap(" ".join(p), width), ""]
            else:
                lines += [""]
        else:
            lines += [wrap(f"{fhead}:  {ftxt}", width) if ftxt else f" {fhead}: ", ""]
    if keep_i:
        if numbered is None:
            numbered = len(isents) > 1 and rng.random() < 0.6
        if nl or numbered:
            lines += [f" {ihead}: ", ""]
            if numbered:
                for k, s in enumerate(isents, 1):
                    lines += [wrap(f"{k}. {s}", width)]
                lines += [""]
            elif isents:
                lines += [wrap(" ".join(isents), width), ""]
        else:
            itxt = " ".join(isents)
            lines += [wrap(f"{ihead}:  {itxt}", width) if itxt else f" {ihead}: ", ""]
    if keep_i and isents and rng.random() < 0.15:
        lines += [wrap(rng.choice(NOTIFY), width), ""]
    if addendum or rng.random() < 0.3:
        lines += [" " + rng.choice(SIGN).replace("\n", "\n "), ""]
    if addendum and "critical" in addendum and \
            re.match(r"(no acute|normal|negative|no active)", " ".join(isents), re.I):
        addendum = ADDENDA_CLEAN[1]
    if addendum:
        lines += [wrap(addendum, width)]
    return "\n".join(lines).rstrip() + "\n"


def split_paras(rng, fs):
    if len(fs) <= 2 or rng.random() < 0.5:
        return [fs]
    k = rng.randint(1, len(fs) - 1)
    return [fs[:k], fs[k:]]


ORG_LABEL = {"lines": ["Lines/tubes:", "Lines and tubes:", "Support devices:", "Tubes/lines:"],
             "lungs": ["Lungs:", "Lungs:", "Lung parenchyma:"],
             "pleura": ["Pleura:", "Pleural spaces:", "Pleura:"],
             "heart": ["Heart and mediastinum:", "Heart/mediastinum:", "Cardiomediastinal silhouette:"],
             "bones": ["Bones:", "Osseous structures:", "Bones/soft tissues:"],
             "abdomen": ["Upper abdomen:", "Visualized abdomen:"]}
ORG_NORMAL = {"lines": "None.", "lungs": "Clear.", "pleura": "No effusion or pneumothorax.",
              "heart": "Normal size and contours.", "bones": "No acute abnormality.", "abdomen": "Unremarkable."}


CHECK_LABEL = {"lines": "SUPPORT DEVICES", "lungs": "LUNGS", "pleura": "PLEURAL SPACES", "heart": "HEART/MEDIASTINUM",
               "bones": "BONES/SOFT TISSUES", "abdomen": "UPPER ABDOMEN"}


def compact(o, s):
    """Organ-line style: drop the organ's own name at the start ("Lungs: Lungs are clear" -> "Lungs: Clear")."""
    m = re.match(r"^(The )?(lungs are|heart size is|osseous structures are) (\w.*)$", s, re.I)
    if m and o in ("lungs", "heart", "bones"):
        return cap(m.group(3))
    return s


def render_structured(rng, hdr, flines, isents, *, keep_f=True, keep_i=True, empty_organ=None, checklist=False):
    """RadReport-like synoptic template (or a bulleted checklist form); flines: list of (organ, sentence)."""
    lines = []
    title = rng.choice(["XR CHEST", "RADIOGRAPH CHEST", "CHEST X-RAY REPORT", "DX CHEST"])
    if checklist:
        title = rng.choice(["CHEST RADIOGRAPH - STRUCTURED REPORT", "XR CHEST (TEMPLATE: CHEST 1-2 VIEWS)",
                            "PORTABLE CHEST - ICU TEMPLATE"])
    lines += [title, ""]
    for h, v in hdr:
        h2 = {"EXAMINATION": "EXAM", "INDICATION": "CLINICAL INDICATION"}.get(h, h) if rng.random() < 0.5 else h
        lines += [f"{h2}: {v}"]
    lines += [""]
    cmp = rng.random() < 0.5
    if keep_f:
        lines += [rng.choice(["FINDINGS:", "FINDINGS:", "Findings:"])]
        organs = [o for o in ["lines", "lungs", "pleura", "heart", "abdomen", "bones"]
                  if o in {a for a, _ in flines} or o in ("lungs", "pleura", "heart", "bones")
                  or (o == "lines" and (checklist or rng.random() < 0.3))]
        if not flines and not empty_organ:
            organs = []
        for o in organs:
            ss = [compact(o, s) if cmp else s for a, s in flines if a == o]
            lab = (CHECK_LABEL[o] + ":") if checklist else rng.choice(ORG_LABEL[o])
            pre = "- " if checklist else ""
            if o == empty_organ:
                lines += [f"{pre}{lab} "]
                continue
            if not ss:
                if o == "lines" or checklist:
                    ss = [ORG_NORMAL[o]]
                else:
                    continue
            lines += [f"{pre}{lab} {' '.join(ss)}"]
        lines += [""]
    if keep_i:
        lines += [rng.choice(["IMPRESSION:", "IMPRESSION:", "Impression:"])]
        if len(isents) > 1 and rng.random() < 0.6:
            lines += [f"{k}. {s}" for k, s in enumerate(isents, 1)]
        else:
            lines += [" ".join(isents)] if isents else [""]
    lines += ["", rng.choice(SIGN)]
    return "\n".join(lines).rstrip() + "\n"


# ----------------------------------------------------------------------------------------------
# section extraction (for self-checks)

HEAD_RE = re.compile(r"^\s*(?:(FINDINGS|Findings|IMPRESSION|Impression|EXAMINATION|EXAM|INDICATION|HISTORY|"
                     r"CLINICAL HISTORY|CLINICAL INDICATION|TECHNIQUE|COMPARISON|ADDENDUM|NOTIFICATION|"
                     r"RECOMMENDATION\(S\)|WET READ)\s*:|(FINAL REPORT|Electronically|I have personally|Dictated by|"
                     r"RADIOLOGIST|Signed))", re.M)


def sections(report: str) -> dict:
    out = {}
    ms = list(HEAD_RE.finditer(report))
    for k, m in enumerate(ms):
        end = ms[k + 1].start() if k + 1 < len(ms) else len(report)
        name = (m.group(1) or m.group(2)).upper()
        if name in ("ELECTRONICALLY", "I HAVE PERSONALLY", "DICTATED BY", "RADIOLOGIST", "SIGNED"):
            name = "SIGN"
        out.setdefault(name, "")
        out[name] += re.sub(r"\s+", " ", report[m.end():end]).strip() + " "
    return {k: v.strip() for k, v in out.items()}


# ----------------------------------------------------------------------------------------------
# placeholders

PH_MEAS = ["XX", "___", "**", "[***]", "<measurement>", "xx"]
PH_SIDE = ["[LEFT/RIGHT]", "[right/left]", "[***]", "<side>", "[R/L]"]
PH_GRADE = ["[***]", "<severity>", "[mild/moderate/severe]", "***", "[ ]"]
PH_FIELD = ["[***]", "<insert>", "[ ]", "***", "<finding>", "[Findings]"]


# ----------------------------------------------------------------------------------------------
# building composed cases


def pick_layout(rng, kind):
    ls = ["mimic", "mimic", "wet", "addendum", "structured", "checklist"]
    if kind == "missing_section":
        ls = ["mimic", "mimic", "addendum", "structured", "checklist"]
    return rng.choice(ls)


def build_composed(rng, kind, variant):
    """Return (report, detail) or None if this draw cannot host the kind."""
    theme = rng.choice(["adult", "adult", "icu", "peds", "onc", "trauma"])
    items = compose_items(rng, theme)
    peds = theme == "peds"
    detail = "unmodified"
    c = Case(theme, items, rng, peds)
    mention_opt = {id(x): rng.random() < 0.5 for x in items}
    layout = pick_layout(rng, kind)
    keep_f = keep_i = True
    empty_organ = None
    f_ph = None
    omit_syn = None
    must_f, must_i, sides = [], [], None

    if kind == "laterality_conflict":
        cands = [x for x in items if x.lat and "side" in x.fields and x.it and "{side}" in x.it.lower()
                 and "{side}" in x.ft.lower()]
        if not cands:
            return None
        x = rng.choice(cands)
        mention_opt[id(x)] = True
        x.must = True
        where = rng.choice(["findings", "impression"])
        fl = c.fields_f if where == "findings" else c.fields_i
        fl[id(x)]["side"] = other(x.fields["side"])
        fl[id(x)].pop("Side", None)
        must_f.append(x.fmt(x.ft, c.fields_f[id(x)]))
        must_i.append(x.fmt(x.it, c.fields_i[id(x)]))
        sides = (c.fields_f[id(x)]["side"], c.fields_i[id(x)]["side"])
        detail = f"{x.key}: {x.fields['side']} in {'impression' if where == 'findings' else 'findings'}, " \
                 f"flipped to {other(x.fields['side'])} in {where}"
    elif kind == "negation_conflict":
        dirs = []
        for x in items:
            if x.neg_i and x.it:
                dirs.append(("i", x))
            if x.neg_f and x.it:
                dirs.append(("f", x))
        if not dirs:
            return None
        d, x = rng.choice(dirs)
        x.must = True
        if d == "i":
            c.i_text[id(x)] = x.neg_i
            must_f.append(x.f_text())
            must_i.append(x.neg_i)
            detail = f"{x.key} affirmed in findings, impression says '{x.neg_i}'"
        else:
            c.f_text[id(x)] = x.neg_f
            must_f.append(x.neg_f)
            must_i.append(x.i_text())
            detail = f"{x.key} negated in findings ('{x.neg_f}'), affirmed in impression"
    elif kind == "impression_omits_finding":
        sigs = [x for x in items if x.sig and x.it]
        if not sigs:
            return None
        x = rng.choice(sigs)
        omit_syn = x.syn
        others = [y for y in items if y is not x and y.it and not re.search(x.syn, y.fmt(y.it), re.I)]
        c.i_text[id(x)] = None
        if variant == "normal":
            c.imp_override = [c.normal_imp]
            # other significant findings would be omitted too: only allow non-significant companions
            if any(y.sig for y in items if y is not x):
                return None
            detail = f"{x.key} in findings, impression replaced by '{c.normal_imp}'"
        else:
            if not others:
                return None
            for y in others:
                mention_opt[id(y)] = True
                y.must = True
            detail = f"{x.key} in findings, left out of an impression that lists other findings"
        # findings sentences of other items must not rescue the omission through the impression
    elif kind == "missing_section":
        v = variant
        if v == "drop_imp":
            keep_i = False
            detail = "IMPRESSION section absent"
        elif v == "empty_imp":
            c.imp_override = []
            detail = "IMPRESSION header with nothing under it"
        elif v == "empty_f":
            c.items, c.fill = [], {}
            detail = "FINDINGS header with nothing under it"
        else:
            if any(x.it for x in items):
                return None
            keep_f = False
            c.imp_override = [rng.choice(["No acute disease.", "No acute process.", "Negative.",
                                          "No acute cardiopulmonary disease."])]
            detail = "FINDINGS section absent; impression a bare normal statement"
    elif kind == "placeholder":
        cands = []
        for x in items:
            for k in x.fields:
                if k in ("side",) and "{side}" in (x.ft + (x.it or "")).lower():
                    cands.append((x, k, PH_SIDE))
                elif k in ("n", "size", "a", "b", "prev", "pa", "pb"):
                    cands.append((x, k, PH_MEAS))
                elif k in ("grade",):
                    cands.append((x, k, PH_GRADE))
                elif k in ("lobe", "zone", "tip", "lvl"):
                    cands.append((x, k, PH_FIELD))
        if not cands and layout not in ("structured", "checklist"):
            return None
        if cands:
            x, k, bank = rng.choice(cands)
            ph = rng.choice(bank)
            which = "f" if (rng.random() < 0.65 or not x.it or ("{" + k) not in x.it.lower()) else "i"
            if ("{" + k) not in (x.ft if which == "f" else (x.it or "")).lower():
                which = "f" if ("{" + k) in x.ft.lower() else "i"
            if which == "i":
                mention_opt[id(x)] = True
                x.must = True
            fl = c.fields_f if which == "f" else c.fields_i
            if k == "side":
                fl[id(x)]["side"] = ph
                fl[id(x)]["Side"] = ph
            else:
                fl[id(x)][k] = ph
                fl[id(x)][k[0].upper() + k[1:]] = ph
            f_ph = ph
            detail = f"{x.key}: {k} left as '{ph}' in {'findings' if which == 'f' else 'impression'}"
        else:
            empty_organ = "lines"
            layout = "structured"
            c.fill["lines"] = ["[***]"]
            f_ph = "[***]"
            detail = "template field 'Lines/tubes: [***]' left unfilled"

    flines = c.finding_lines() if keep_f else []
    if kind == "placeholder" and f_ph == "[***]" and empty_organ == "lines":
        flines = [(o, s) for o, s in flines if not (o == "lines" and s != "[***]")]
        empty_organ = None
    imp = c.imp_lines(mention_opt)
    if not imp and c.imp_override is None:
        imp = [c.normal_imp]
    if kind == "laterality_conflict" and not imp:
        return None
    fsents = [s for _, s in flines]
    hdr = header_block(rng, "neo" if any(x.key in ("uvc", "uac") for x in items) else theme)
    if layout in ("structured", "checklist"):
        rep = render_structured(rng, hdr, flines, imp, keep_f=keep_f, keep_i=keep_i, empty_organ=empty_organ,
                                checklist=layout == "checklist")
    else:
        wet = None
        if layout == "wet" and imp:
            wet = " ".join(imp) if rng.random() < 0.5 else imp[0]
            if len(wet) > 160:
                wet = imp[0]
            if PH_ANY.search(wet):
                wet = None
        addendum = rng.choice(ADDENDA_CLEAN[:2] if kind == "missing_section" else ADDENDA_CLEAN) \
            if layout == "addendum" else None
        fhead = rng.choice(["FINDINGS", "FINDINGS", "FINDINGS", "Findings"])
        rep = render_mimic(rng, hdr, fsents, imp, fhead=fhead, wet=wet, addendum=addendum, keep_f=keep_f, keep_i=keep_i)
    return rep, detail, {"omit_syn": omit_syn, "ph": f_ph, "f_has": must_f, "i_has": must_i, "sides": sides}


# ----------------------------------------------------------------------------------------------
# IU archive


def load_iu(shared: Path):
    dev_uids = set()
    dev = shared / "eval" / "report_errors_dev.jsonl"
    if dev.exists():
        for line in dev.open():
            if line.strip():
                dev_uids.add(json.loads(line)["uid"])
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        for m in sorted(t.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            r = ET.fromstring(t.extractfile(m).read())
            uid = r.find("uId").get("id")
            if uid in dev_uids:
                continue
            d = {a.get("Label"): (a.text or "").strip() for a in r.iter("AbstractText")}
            if not d.get("FINDINGS") or not d.get("IMPRESSION"):
                continue
            out.append({"uid": uid, **{k.lower(): v for k, v in d.items()}})
    return out, dev_uids


REWORD = [
    (r"^No acute cardiopulmonary abnormality\.?$", ["No acute cardiopulmonary process.",
                                                    "No acute cardiopulmonary abnormality."]),
    (r"^No acute cardiopulmonary disease\.?$", ["No acute cardiopulmonary process.",
                                                "No acute intrathoracic process."]),
    (r"^The heart is normal in size\.$", ["Heart size is normal.", "Normal heart size."]),
    (r"^The lungs are clear\.$", ["Lungs are clear.", "The lungs are clear."]),
    (r"^Lungs are clear\.$", ["The lungs are clear.", "Lungs are clear."]),
    (r"^The mediastinum is unremarkable\.$", ["Mediastinal contours are normal.", "Normal mediastinal contours."]),
    (r"^No pneumothorax or pleural effusion\.$", ["No pleural effusion or pneumothorax.",
                                                  "No effusion or pneumothorax."]),
    (r"^No pleural effusion or pneumothorax\.$", ["No pneumothorax or pleural effusion.",
                                                  "No effusion or pneumothorax."]),
    (r"^There is no pneumothorax or pleural effusion\.$", ["No pleural effusion or pneumothorax."]),
    (r"^There is no focal consolidation\.$", ["No focal consolidation.", "No focal airspace consolidation."]),
    (r"^No focal consolidation\.$", ["No focal airspace consolidation.", "No focal consolidation."]),
    (r"^Normal chest\.?$", ["Normal chest radiograph.", "Normal chest."]),
]


def reword(s, rng):
    for pat, alts in REWORD:
        if re.match(pat, s, re.I):
            return rng.choice(alts)
    return s


def organ_of(s):
    sl = s.lower()
    if re.search(r"tube|catheter|picc|port|pacer|pacemaker|line tip|sternotomy wires|clips", sl):
        return "lines"
    if re.search(r"pleura|effusion|pneumothora|costophrenic", sl):
        return "pleura"
    if re.search(r"heart|cardi|mediastin|aort|hilar|silhouette", sl):
        return "heart"
    if re.search(r"bone|osseous|spine|rib|fractur|degenerat|clavic|vertebr|skelet|spondyl|shoulder|humer", sl):
        return "bones"
    return "lungs"


def iu_indication(r, rng):
    ind = r.get("indication", "") or ""
    ind = re.sub(r"XXXX[- ]year[- ]old", "___ year old", ind, flags=re.I)
    ind = re.sub(r"x-XXXX", "x-ray", ind, flags=re.I).replace("XXXX", "___")
    ind = re.sub(r"\s+", " ", ind).strip().rstrip(".")
    if not ind:
        ind = "___"
    if not ind.startswith("___") and rng.random() < 0.6:
        ind = f"___ year old {rng.choice(['man', 'woman'])} with {ind[:1].lower() + ind[1:]}"
    if rng.random() < 0.3:
        ind += rng.choice([" // eval for acute process", " // ?pna", " // r/o infiltrate"])
    return ind


def iu_header(r, rng):
    comp = re.sub(r"x-XXXX", "x-ray", r.get("comparison") or "", flags=re.I).replace("XXXX", "___").strip() or "None."
    ind = iu_indication(r, rng)
    exam = rng.choice(["CHEST (PA AND LAT)", "CHEST (PA AND LAT)", "CHEST 2 VIEWS", "CHEST (PORTABLE AP)"])
    tech = technique_for(exam, rng)
    blocks = [("EXAMINATION", exam), ("INDICATION", ind), ("TECHNIQUE", tech), ("COMPARISON", comp)]
    if rng.random() < 0.3:
        blocks = [("EXAMINATION", exam), ("HISTORY", ind), ("COMPARISON", comp)]
    return blocks


NEG_RE = re.compile(r"\b(no|not|without|negative|resolved|resolution|clear|free of|absence|removed|normal)\b", re.I)
HEDGE_RE = re.compile(r"\b(may|might|could|possibl\w*|cannot|can't|versus|vs|question\w*|suspicious|suggest\w*|"
                      r"equivocal|likely|probabl\w*|concern\w*|differential|or|vague|subtle|faint|questionabl\w*)\b",
                      re.I)

SIG_IU = [
    ("pneumothorax", r"pneumothora", r"pneumothora|PTX|pleural air|air"),
    ("edema", r"(?<!subpleural )\bedema\b|vascular congestion|interstitial edema",
     r"edema|congest|failure|CHF|fluid overload|vascular|interstitial"),
    ("consolidation", r"consolidation|airspace disease|air space disease|airspace opacit",
     r"consolidat|airspace|air space|pneumonia|infiltrat|opacit|infect|aspiration"),
    ("effusion", r"(moderate|large)[\w\s-]{0,20}effusion", r"effusion|fluid|pleural"),
    ("mass", r"\bmass\b", r"mass|nodul|lesion|neoplas|malignan|tumou?r|opacit|density"),
    ("collapse", r"collapse", r"collapse|atelecta|volume loss|opacit"),
]


def iu_sig_sentences(fs):
    out = []
    for k, s in enumerate(fs):
        if NEG_RE.search(s) or HEDGE_RE.search(s):
            continue
        if re.search(r"\b(old|healed|chronic|stable|unchanged|scar\w*|prior|previous|minimal|trace|borderline|"
                     r"slight\w*|atelecta\w*|granulom\w*|calcifi\w*|improv\w*|decreas\w*|resolv\w*|residual|previously|"
                     r"known|again|persistent)\b", s, re.I):
            continue
        for key, pat, syn in SIG_IU:
            if re.search(pat, s, re.I):
                if key == "effusion" and re.search(r"small|trace|tiny", s, re.I):
                    continue
                out.append((k, key, syn))
                break
    return out


LAT_WORDS = (r"effusion|pneumothora\w*|atelecta\w*|opacit\w*|consolidat\w*|nodul\w*|pneumonia|infiltrat\w*|"
             r"airspace|granuloma|fractur\w*|mass|density")


def iu_base_ok(fs, ims):
    """The real report, before any change, must itself be free of the five kinds of error."""
    imp = " ".join(ims)
    for _, _, syn in iu_sig_sentences(fs):
        if not re.search(syn, imp, re.I):
            return False   # an affirmed significant finding the impression does not name
    for s in ims:
        sides = {w.lower() for w in re.findall(r"\b(right|left)\b", s, re.I)}
        if len(sides) != 1:
            continue
        side = sides.pop()
        for w in re.findall(LAT_WORDS, s, re.I):
            same = [f for f in fs if re.search(re.escape(w[:6]), f, re.I) and re.search(rf"\b{side}\b", f, re.I)]
            opp = [f for f in fs if re.search(re.escape(w[:6]), f, re.I) and re.search(rf"\b{other(side)}\b", f, re.I)]
            if opp and not same:
                return False
    if re.search(r"\b(no|without)\b[^.]{0,30}\b(effusion|pneumothorax)", " ".join(fs), re.I) and \
            re.search(r"^(?!.*\bno\b).*\b(effusion|pneumothorax)", imp, re.I):
        return False   # possible negation conflict in the source: keep out
    return True


def build_iu(rng, r, kind, variant):
    fs = [reword(s, rng) for s in sents(r["findings"])]
    wet_src = [re.sub(r"^\d+\.\s*", "", s) for s in sents(r["impression"])]
    ims = [reword(s, rng) for s in sents(r["impression"])]
    if not fs or not ims or len(r["findings"]) > 650 or \
            re.search(r"\b(pelvis|femur|knee|abdomen|cervical spine|soft tissue neck)\b", r["findings"], re.I):
        return None
    # IU impressions are sometimes "1. ..." numbered: strip numbering, re-number at render time
    ims = [re.sub(r"^\d+\.\s*", "", s) for s in ims]
    ims = [s for s in ims if s]
    if not ims:
        return None
    if not iu_base_ok(fs, ims):
        return None
    detail = "unmodified"
    keep_f = keep_i = True
    meta = {"omit_syn": None, "ph": None, "f_has": [], "i_has": [], "sides": None}
    full_f, full_i = " ".join(fs), " ".join(ims)
    if "___" in full_f + full_i or re.search(r"\[|\*\*\*|<", full_f + full_i):
        return None
    if kind is None:
        pass
    elif kind == "missing_section":
        if variant == "drop_imp":
            keep_i = False
            detail = "IMPRESSION section absent"
        elif variant == "empty_imp":
            ims = []
            detail = "IMPRESSION header with nothing under it"
        elif variant == "empty_f":
            fs = []
            detail = "FINDINGS header with nothing under it"
        else:
            if not re.match(r"^(No acute|Normal chest|Negative)", full_i, re.I) or len(ims) > 1:
                return None
            if re.search(r"no acute (cardiopulmonary|osseous)? ?abnormality", full_i,
                         re.I) is None and len(full_i) > 45:
                return None
            keep_f = False
            detail = "FINDINGS section absent; impression a bare normal statement"
    elif kind == "laterality_conflict":
        cands = []
        for ii, s in enumerate(ims):
            sides = set(w.lower() for w in re.findall(r"\b(right|left)\b", s, re.I))
            if len(sides) != 1 or re.match(r"^(no|there is no)\b", s, re.I):
                continue
            side = sides.pop()
            words = re.findall(r"effusion|pneumothora\w*|atelecta\w*|opacit\w*|consolidat\w*|nodul\w*|pneumonia|"
                               r"infiltrat\w*|airspace|granuloma|fractur\w*|mass|scarring|hemidiaphragm|density|"
                               r"calcifi\w*|lobe|base|basilar", s, re.I)
            if not words:
                continue
            for fi, f in enumerate(fs):
                fsides = set(w.lower() for w in re.findall(r"\b(right|left)\b", f, re.I))
                if fsides == {side} and not re.match(r"^(no|there is no)\b", f, re.I) and \
                        any(re.search(re.escape(w[:6]), f, re.I) for w in words):
                    cands.append((ii, fi, side))
        cands = [(ii, fi, side) for ii, fi, side in cands
                 if not (side == "right" and re.search(r"right middle|middle lobe", fs[fi] + ims[ii], re.I))]
        if not cands:
            return None
        ii, fi, side = rng.choice(cands)
        o = other(side)
        key_words = [w[:6] for w in re.findall(r"effusion|pneumothora\w*|atelecta\w*|opacit\w*|consolidat\w*|nodul\w*|"
                                               r"pneumonia|infiltrat\w*|airspace|granuloma|fractur\w*|mass|density",
                                               ims[ii], re.I)] or ["@@"]

        def shares(t):
            return re.search(rf"\b{o}\b", t, re.I) and any(re.search(re.escape(w), t, re.I) for w in key_words)
        if any(shares(t) for t in fs + ims):
            return None  # the opposite side already carries a like finding: the flip would not be a clear conflict
        if rng.random() < 0.5:
            ims[ii] = flip_side_word(ims[ii], side)
            # flip every occurrence so that the sentence is internally coherent
            ims[ii] = re.sub(rf"\b{side}\b", lambda m: other(side) if m.group(0).islower() else cap(other(side)),
                             ims[ii],
                             flags=re.I)
            detail = f"side in impression sentence flipped {side}->{other(side)} ('{ims[ii]}')"
            meta["sides"] = (side, o)
        else:
            fs[fi] = re.sub(rf"\b{side}\b", lambda m: other(side) if m.group(0).islower() else cap(other(side)), fs[fi],
                            flags=re.I)
            detail = f"side in findings sentence flipped {side}->{other(side)} ('{fs[fi]}')"
            meta["sides"] = (o, side)
        meta["f_has"], meta["i_has"] = [fs[fi]], [ims[ii]]
    elif kind == "negation_conflict":
        if variant == "imp_affirms":
            # findings plainly negate something; impression pasted with it affirmed
            opts = [
                (r"\bno (pleural )?effusions?\b|no pneumothorax or (pleural )?effusion|no (pleural )?effusion or",
                 [f"Small {rng.choice(['right', 'left', 'bilateral'])} pleural effusion{{s}}."]),
                (r"\bno pneumothorax\b|pneumothorax or",
                 [f"Small {rng.choice(['right', 'left'])} apical pneumothorax."]),
                (r"lungs are clear|no focal (airspace )?consolidation|no (focal )?airspace disease",
                 [f"{rng.choice(['Right', 'Left'])} lower lobe pneumonia.", "Bibasilar airspace disease."]),
                (r"heart (size )?is normal|normal heart size|heart size is within normal|normal in size|"
                 r"heart size normal|cardiomediastinal silhouette is (normal|within normal)",
                 ["Cardiomegaly.", "Moderate cardiomegaly."]),
                (r"\bno (pulmonary )?edema\b|no (evidence of )?(pulmonary )?edema", ["Mild pulmonary edema."]),
            ]
            rng.shuffle(opts)
            for pat, news in opts:
                if re.search(pat, full_f, re.I):
                    new = rng.choice(news).replace("{s}", "s" if "bilateral" in news[0] else "")
                    if re.search(r"\b(normal|no acute|no active|negative|no evidence|clear|unremarkable)\b", full_i,
                                 re.I) \
                            or rng.random() < 0.4:
                        ims = [new]
                    else:
                        ims = [new] + ims
                    detail = f"findings negate it, impression asserts '{new}'"
                    meta["i_has"] = [new]
                    break
            else:
                return None
        else:
            # findings affirm; impression says it is absent
            sig = [(k, key) for k, key, _ in iu_sig_sentences(fs)]
            extra = []
            for k, s in enumerate(fs):
                if NEG_RE.search(s) or HEDGE_RE.search(s):
                    continue
                if re.search(r"borderline|upper limits|accentuat|technique|magnif|secondary to", s, re.I):
                    continue
                if re.search(r"cardiomegaly|heart (size )?is (mildly |moderately )?enlarged|enlarged heart", s, re.I):
                    extra.append((k, "cardiomegaly"))
                elif re.search(r"effusion", s, re.I):
                    extra.append((k, "effusion"))
            opts = sig + extra
            if not opts:
                return None
            k, key = rng.choice(opts)
            neg = {"pneumothorax": "No pneumothorax.", "edema": "No pulmonary edema.",
                   "consolidation": rng.choice(["Lungs are clear.", "No focal consolidation."]),
                   "effusion": "No pleural effusion.", "mass": "No focal lung lesion.",
                   "collapse": "Lungs are well expanded and clear.",
                   "cardiomegaly": rng.choice(["Normal heart size.", "Heart size is normal."])}[key]
            if len({kk for kk, _ in opts}) > 1:
                return None  # other affirmed findings would be dropped too
            ksyn = {"pneumothorax": r"pneumothora", "edema": r"edema|congest|failure|vascular",
                    "consolidation": r"consolidat|airspace|air space|pneumonia|infiltrat|opacit|infect|clear",
                    "effusion": r"effusion|fluid|pleural", "mass": r"mass|nodul|lesion|neoplas|malignan",
                    "collapse": r"collapse|atelecta|volume|expan",
                    "cardiomegaly": r"cardiomegaly|heart|cardiac|enlarg"}[key]
            rest = [t for t in ims if not re.search(ksyn, t, re.I)
                    and not re.match(r"^(no acute|normal|negative|no active|no evidence)", t, re.I)]
            ims = rest + [neg] if rest else sents(rng.choice(["No acute cardiopulmonary process. ", ""]) + neg)
            detail = f"findings affirm {key} ('{fs[k]}'), impression says '{neg}'"
            meta["f_has"], meta["i_has"] = [fs[k]], [neg]
    elif kind == "impression_omits_finding":
        sig = iu_sig_sentences(fs)
        if not sig:
            return None
        k, key, syn = rng.choice(sig)
        # the finding must not be named anywhere else in the impression
        keep = [s for s in ims if not re.search(syn, s, re.I)]
        if variant == "normal":
            # every other affirmed significant finding would be dropped too: require only one
            if len(sig) > 1:
                return None
            ims = [rng.choice(NORMAL_IMP)]
            detail = f"findings: '{fs[k]}'; impression replaced by '{ims[0]}'"
        else:
            others = [s for s in keep if not re.match(r"^(No acute|Normal|Negative|No active|Otherwise)", s, re.I)
                      and len(s) > 15]
            if not others:
                minor = [t for t in fs if re.search(r"degenerat|granuloma|spondyl|scoliosis|hernia|tortuous|ectatic|"
                                                    r"osteopenia|sternotomy|surgical clips|cardiomegaly|emphysema|"
                                                    r"hyperinflat|hyperexpan|COPD", t, re.I)
                         and not NEG_RE.search(t) and not HEDGE_RE.search(t)]
                others = minor[:2]
            if not others or any(re.search(sy, " ".join(others), re.I) for _, _, sy in SIG_IU):
                return None
            ims = others
            detail = f"findings: '{fs[k]}'; left out of an impression listing other findings"
        meta["omit_syn"] = syn
    elif kind == "placeholder":
        opts = []
        for which, arr in (("f", fs), ("i", ims)):
            for k, s in enumerate(arr):
                if re.match(r"^(no|there is no|there are no|without)\b", s, re.I):
                    continue
                for m in re.finditer(r"\b(\d+(?:\.\d+)?)\s?(mm|cm)\b", s):
                    opts.append((which, k, m.span(1), PH_MEAS))
                for m in re.finditer(r"\b(right|left)\b", s, re.I):
                    opts.append((which, k, m.span(), PH_SIDE))
                for m in re.finditer(r"\b(mild|moderate|small|large|minimal)\b", s, re.I):
                    opts.append((which, k, m.span(), PH_GRADE))
        if not opts:
            return None
        which, k, (a, b), bank = rng.choice(opts)
        arr = fs if which == "f" else ims
        ph = rng.choice(bank)
        old = arr[k][a:b]
        arr[k] = arr[k][:a] + ph + arr[k][b:]
        meta["ph"] = ph
        detail = f"'{old}' left as '{ph}' in {'findings' if which == 'f' else 'impression'}: '{arr[k]}'"
    hdr = iu_header(r, rng)
    layout = pick_layout(rng, kind)
    if layout in ("structured", "checklist"):
        flines = [(organ_of(s), s) for s in fs]
        rep = render_structured(rng, hdr, flines, ims, keep_f=keep_f, keep_i=keep_i, checklist=layout == "checklist")
    else:
        wet = None
        if layout == "wet" and ims and kind != "missing_section":
            wet = ims[0] if kind != "placeholder" else wet_src[0]
        addendum = rng.choice(ADDENDA_CLEAN[:2] if kind == "missing_section" else ADDENDA_CLEAN) \
            if layout == "addendum" else None
        rep = render_mimic(rng, hdr, fs, ims, wet=wet, addendum=addendum, keep_f=keep_f, keep_i=keep_i)
    return rep, detail, meta


# ----------------------------------------------------------------------------------------------
# self-checks on the final text

PH_ANY = re.compile(r"\[\*\*\*\]|\[LEFT/RIGHT\]|\[right/left\]|\[R/L\]|<\w+>|\[ \]|\[mild/moderate/severe\]|"
                    r"\[Findings\]|"
                    r"\bXX\b|\bxx\b|\*\*\*?|___ ?(mm|cm)\b")


def check(rep, kind, meta):
    sec = sections(rep)
    f, i = sec.get("FINDINGS", ""), sec.get("IMPRESSION", "")
    wet = sec.get("WET READ", "")
    if kind != "placeholder" and PH_ANY.search(rep):
        return False
    if kind is None or kind in ("laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"):
        if "FINDINGS" not in sec or "IMPRESSION" not in sec or len(f) < 3 or len(i) < 3:
            return False
    if kind == "missing_section":
        return ("FINDINGS" not in sec or len(f) < 3 or "IMPRESSION" not in sec or len(i) < 3)
    if kind == "impression_omits_finding":
        return not re.search(meta["omit_syn"], i + " " + wet + " " + sec.get("ADDENDUM", ""), re.I)
    if kind == "placeholder":
        return bool(meta["ph"]) and meta["ph"] in rep and bool(PH_ANY.search(rep))
    if not all(norm(t) in norm(f) for t in meta["f_has"]) or not all(norm(t) in norm(i) for t in meta["i_has"]):
        return False
    if kind == "laterality_conflict":
        sf, si = meta["sides"]
        if sf == si or not meta["f_has"] or not meta["i_has"]:
            return False
        return bool(re.search(rf"\b{sf}\b", meta["f_has"][0], re.I)) and bool(re.search(rf"\b{si}\b",
                                                                                        meta["i_has"][0], re.I)) \
            and not re.search(rf"\b{si}\b", meta["f_has"][0], re.I)
    if kind == "negation_conflict":
        return bool(meta["f_has"] or meta["i_has"])
    return True


def norm(t):
    return re.sub(r"\s+", " ", t).strip().lower()


# ----------------------------------------------------------------------------------------------

MS_VARIANTS = ["drop_imp", "empty_imp", "empty_f", "drop_f", "drop_imp", "empty_imp", "empty_f", "drop_imp"]


def generate(seed: int, shared: Path):
    rng = random.Random(seed)
    iu, _ = load_iu(shared)
    iu_order = list(range(len(iu)))
    rng.shuffle(iu_order)
    iu_pos = {}
    used = set()
    rows = []
    plan = [(None, N_CLEAN // 2)] + [(k, N_KIND // 2) for k in KINDS]
    for source in ("composed", "iu"):
        for kind, n in plan:
            made = 0
            tries = 0
            while made < n:
                tries += 1
                if tries > 20000:
                    raise RuntimeError(f"cannot build {kind} from {source}")
                if kind == "missing_section":
                    variant = MS_VARIANTS[made % len(MS_VARIANTS)]
                elif kind == "impression_omits_finding":
                    variant = "normal" if made % 2 == 0 else "others"
                elif kind == "negation_conflict":
                    variant = "imp_affirms" if made % 2 == 0 else "imp_negates"
                else:
                    variant = None
                sub = random.Random(rng.random())
                if source == "composed":
                    res = build_composed(sub, kind, variant)
                    uid = None
                else:
                    # walk the shuffled archive once per (kind, variant) for a report that can host it
                    res = None
                    pos = iu_pos.get((kind, variant), 0)
                    while pos < len(iu_order):
                        r = iu[iu_order[pos]]
                        pos += 1
                        if r["uid"] in used:
                            continue
                        res = build_iu(sub, r, kind, variant)
                        if res and check(res[0], kind, res[2]):
                            uid = r["uid"]
                            break
                        res = None
                    iu_pos[(kind, variant)] = pos
                    if res is None:
                        raise RuntimeError(f"the IU archive cannot host {kind}/{variant}")
                if res is None:
                    continue
                rep, detail, meta = res
                if not check(rep, kind, meta):
                    continue
                if uid:
                    used.add(uid)
                rows.append({"injected": kind, "detail": detail, "report": rep, "_src": source})
                made += 1
    rng.shuffle(rows)
    out = []
    for k, r in enumerate(rows):
        h = hashlib.sha256(f"h11|{seed}|{k}|{r['report']}".encode()).hexdigest()[:16]
        out.append({"id": f"h11-{h}", "injected": r["injected"], "detail": r["detail"], "report": r["report"]})
    return out, used


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1201)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if not (shared / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        print(f"shared data not found under {shared}: set MEDRAG_SHARED_DIR to the shared folder "
              "(it must hold data/iu_reports/NLMCXR_reports.tgz and eval/report_errors_dev.jsonl)", file=sys.stderr)
        return 2
    rows, _ = generate(a.seed, shared)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {kind} | {r['detail']}\n{r['report']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
