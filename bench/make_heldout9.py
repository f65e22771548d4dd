"""Held-out set 9 for the offline report checker: 400 chest X-ray reports, 200 clean, 40 per error kind.

    python -m bench.make_heldout9 OUT.jsonl --seed S [--show N]

Written BLIND to the checker: its author never read the checker, its tests, its docs, the other held-out
generators or the development set; only the scorer's output format (../shared/eval) and the real IU/Open-i
reports (../shared/data/iu_reports). The set is meant to be used once, as a blind test.

Each line: {"id", "injected": null | kind, "detail", "report"}. About 60% of the reports are composed here
from a phrase bank (UK NHS, Australian/NZ, Irish, South African, Singaporean, US private practice,
trainee-with-addendum, teleradiology, ICU serial, telegraphic, "normal except", narrative, organ-by-organ,
ALL CAPS and lowercase dictation); about 40% are real IU reports re-laid-out and re-worded by rules below
(the same share among the clean reports and within each kind). Each injected report carries exactly one
error of its kind:

- missing_section: the findings or the impression body removed (header kept empty, or header dropped);
- laterality_conflict: the same finding on one side in the findings and on the other in the impression;
- negation_conflict: a finding affirmed in one section and ruled out in the other (either direction);
- impression_omits_finding: a significant finding (pneumothorax, free air, widened mediastinum, oedema,
  consolidation, nodule >= 6 mm or mass, moderate/large effusion, lobar collapse, new/increasing finding)
  plainly affirmed in the findings and absent from an impression that is either normal or lists others;
- placeholder: one unfilled template field or dictation blank (see PLACEHOLDER_TOKENS).

`detail` starts with the source ("[composed:<style>]" or "[iu:<file>:<style>]") and says what was changed.
IU's "XXXX" is the collection's de-identification mask, not a placeholder; composed reports never use it.
Standard library only; deterministic per seed.
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
N_CLEAN = 200
N_PER_KIND = 40
COMPOSED_SHARE = 0.6

# Every placeholder this generator may put in a report (exact substrings). Clean reports contain none.
PLACEHOLDER_TOKENS = (
    "[***]", "[ ]", "<side>", "{size}", "XX mm", "XX cm", "__", "***", "[LEFT/RIGHT]", "[RIGHT/LEFT]", "(insert)",
    "TBD", "?? cm", "?? mm", "[Select]", "***size***", "[side]", "<date>", "[normal/enlarged]", "[R/L]",
    "<insert findings>", "{distance}", "[DATE]", "<clinical history>", "[ time ]", "[small/moderate/large]",
    "[Dr name]", "{n}",
)

# Section header words used by every style (findings-type and impression-type), for the tests and readers.
FINDINGS_HEADERS = ("FINDINGS", "Findings", "Report", "REPORT", "Observations", "Radiographic findings",
                    "Description", "FINDINGS/DISCUSSION", "Findings and discussion")
IMPRESSION_HEADERS = ("IMPRESSION", "Impression", "Conclusion", "CONCLUSION", "Opinion", "OPINION", "Comment",
                      "COMMENT", "Summary", "Interpretation", "Impression/Conclusion", "Diagnosis", "Final impression")
OTHER_HEADERS = ("EXAMINATION", "Examination", "Exam", "CLINICAL HISTORY", "Clinical information", "Clinical notes",
                 "Clinical details", "Clinical data", "Clinical indication", "Indication", "INDICATION", "History",
                 "HISTORY", "TECHNIQUE", "Technique", "COMPARISON", "Comparison", "Prior", "ADDENDUM", "Addendum",
                 "RECOMMENDATION", "Recommendation", "Communication", "CRITICAL RESULT", "Reason for exam")

# Lines that may follow the last section (sign-offs and notes), never a section body.
TRAILER_PREFIXES = ("Dr ", "Electronically signed", "Dictated by", "Reported by", "Thank you for referring",
                    "This is a preliminary report")

MEDRAG_SHARED_ENV = "MEDRAG_SHARED_DIR"
IU_REL = Path("data/iu_reports/NLMCXR_reports.tgz")


# ----------------------------------------------------------------------------------------------- helpers

def pick(rng: random.Random, seq):
    return seq[rng.randrange(len(seq))]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def end(s: str) -> str:
    s = s.strip()
    return s if not s or s[-1] in ".!?:" else s + "."


OPP = {"right": "left", "left": "right"}

UK_SPELL = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bhemorrhag", "haemorrhag"), (r"\besophag", "oesophag"),
    (r"\bvisualized\b", "visualised"), (r"\bVisualized\b", "Visualised"), (r"\bcharacteriz", "characteris"),
    (r"\btumor\b", "tumour"), (r"\bdyspnea\b", "dyspnoea"), (r"\bDyspnea\b", "Dyspnoea"),
    (r"\bcentimeter", "centimetre"), (r"\bopacified\b", "opacified"), (r"\bfavor\b", "favour"),
    (r"\bgray\b", "grey"), (r"\bcolor\b", "colour"), (r"\brecognized\b", "recognised"),
]
US_SPELL = [(r"\boedema\b", "edema"), (r"\bOedema\b", "Edema"), (r"\bhaemorrhag", "hemorrhag"),
            (r"\bvisualised\b", "visualized"), (r"\bVisualised\b", "Visualized"), (r"\bcharacteris", "characteriz"),
            (r"\btumour\b", "tumor"), (r"\bDyspnoea\b", "Dyspnea"), (r"\bhaemoptysis\b", "hemoptysis"),
            (r"\bHaemoptysis\b", "Hemoptysis")]


def spell(text: str, uk: bool) -> str:
    for a, b in (UK_SPELL if uk else US_SPELL):
        text = re.sub(a, b, text)
    return text


class Side:
    """How a side is written in one report: 'right'/'left', or 'R'/'L'."""

    def __init__(self, abbr: bool) -> None:
        self.abbr = abbr

    def fill(self, tpl: str, side: str | None) -> str:
        if side in ("right", "left"):
            word = ("R" if side == "right" else "L") if self.abbr else side
            vals = {"side": word, "Side": cap(word), "S": side[0].upper(), "sided": f"{side}-sided",
                    "Sided": f"{cap(side)}-sided", "sidew": side, "Sidew": cap(side)}
        else:
            vals = {"side": "", "Side": "", "S": "", "sided": "", "Sided": "", "sidew": "", "Sidew": ""}
        out = tpl
        for k, v in vals.items():
            out = out.replace("{" + k + "}", v)
        return re.sub(r"  +", " ", out)


# ----------------------------------------------------------------------------------------------- findings bank

class Finding:
    """One abnormal finding of a composed report, with its findings sentence and impression phrase."""

    def __init__(self, kind: str, slots: set[str], side: str | None, ftpl: str, itpl: str | None,
                 significant: bool, omittable: bool = False, lateral: bool = True, label: str = "",
                 neg_i: list[str] | None = None, needs_prior: bool = False) -> None:
        self.kind, self.slots, self.side = kind, slots, side
        self.ftpl, self.itpl = ftpl, itpl
        self.significant, self.omittable = significant, omittable
        self.lateral = lateral and side in ("right", "left")
        self.label = label or kind
        self.neg_i = neg_i or []
        self.needs_prior = needs_prior

    def f(self, sd: Side, side: str | None = None) -> str:
        return cap(end(article(sd.fill(self.ftpl, side or self.side))))

    def i(self, sd: Side, side: str | None = None) -> str:
        return cap(end(article(sd.fill(self.itpl or "", side or self.side))))


def article(s: str) -> str:
    s = re.sub(r"\b([Aa]) (?=(?:8|11|18|8\d)(?:\.\d+)?\b)", r"\1n ", s)   # "an 18 mm nodule"
    return re.sub(r"\b([Aa]) (?=[aeiou])", r"\1n ", s)


NEG_EFF_I = ["No pleural effusion.", "No pleural effusion is seen.", "Pleural effusion is excluded.",
             "Negative for pleural effusion.", "Pleural spaces clear; no effusion."]
NEG_PTX_I = ["No pneumothorax.", "No pneumothorax is identified.", "Pneumothorax ruled out.",
             "Negative for pneumothorax.", "There is no pneumothorax."]
NEG_CONS_I = ["The lungs are clear.", "No consolidation.", "No focal consolidation or pneumonia.",
              "Clear lungs; no pneumonia.", "No airspace disease."]
NEG_HEART_I = ["Normal heart size.", "The heart is not enlarged.", "Heart size within normal limits.",
               "No cardiomegaly."]
NEG_FRAC_I = ["No rib fracture.", "No fracture is identified.", "Rib fracture is excluded.",
              "No acute bony injury."]
NEG_EDEMA_I = ["No pulmonary oedema.", "No features of cardiac failure.", "No pulmonary edema or congestion.",
               "Pulmonary oedema has cleared."]
NEG_NOD_I = ["No pulmonary nodule or mass.", "No lung mass.", "No suspicious pulmonary nodule."]
NEG_FREEAIR_I = ["No free air under the diaphragm.", "No pneumoperitoneum.", "Free subdiaphragmatic gas is excluded."]
NEG_MED_I = ["Mediastinum is not widened.", "Normal mediastinal width.", "No mediastinal widening."]
NEG_COLLAPSE_I = ["No lobar collapse.", "No collapse or consolidation."]


def f_effusion(rng, size=None, side=None, new=False):
    size = size or pick(rng, ["small", "small", "moderate", "large"])
    side = side or pick(rng, ["right", "left"])
    sz = {"small": ["small", "small volume", "small"], "moderate": ["moderate", "moderate-sized", "moderate volume"],
          "large": ["large", "large volume", "large"]}[size]
    w = pick(rng, sz)
    newp = pick(rng, ["new ", "newly developed ", "increasing "]) if new else ""
    f = pick(rng, [
        f"There is a {newp}{w} {{side}} pleural effusion",
        f"{cap(newp)}{w} {{side}} pleural effusion",
        f"Blunting of the {{side}} costophrenic angle with a meniscus, in keeping with a {newp}{w} effusion",
        f"A {newp}{w} {{sided}} pleural effusion is present",
        f"{{Side}} pleural effusion, {w}" + ((", increased since the prior study" if "incr" in newp else
                                             ", new since the prior study") if new else ""),
        f"Meniscus of fluid at the {{side}} base consistent with a {newp}{w} pleural effusion",
    ])
    i = pick(rng, [f"{newp}{w} {{side}} pleural effusion", f"{{Side}} pleural effusion ({w})" if not new else
                   f"{newp}{w} {{side}} effusion", f"{newp}{w} {{side}} effusion"])
    sig = size != "small" or new
    return Finding("effusion", {"eff"}, side, f, i, sig, label=f"{newp}{size} pleural effusion", neg_i=NEG_EFF_I,
                   needs_prior=new)


def f_eff_bilat(rng):
    f = pick(rng, ["Small bilateral pleural effusions", "Bilateral small pleural effusions are noted",
                   "Blunting of both costophrenic angles from small effusions"])
    i = pick(rng, ["Small bilateral pleural effusions", "Small bilateral effusions"])
    return Finding("effusion", {"eff"}, "bilateral", f, i, False, lateral=False, label="bilateral effusions",
                   neg_i=NEG_EFF_I)


def f_ptx(rng, side=None):
    side = side or pick(rng, ["right", "left"])
    size = pick(rng, ["small", "small", "moderate", "large"])
    n = pick(rng, {"small": ["1", "1.5", "2"], "moderate": ["2.5", "3", "3.5"], "large": ["4", "5", "6"]}[size])
    f = pick(rng, [
        f"There is a {size} {{side}} apical pneumothorax measuring {n} cm",
        f"{{Side}} pneumothorax with the visceral pleural edge {n} cm below the apex",
        f"A {size} {{sided}} pneumothorax is present, without mediastinal shift",
        f"{cap(size)} {{side}} pneumothorax, apical, rim of {n} cm",
        f"Visible pleural line at the {{side}} apex with absent lung markings beyond it, in keeping with a {size} "
        "pneumothorax",
        f"{{Side}} apical pneumothorax ({size})",
    ])
    i = pick(rng, [f"{size} {{side}} pneumothorax", "{Side} apical pneumothorax", f"{{Sided}} pneumothorax, {size}",
                   f"{size} {{side}} apical pneumothorax"])
    return Finding("ptx", {"ptx"}, side, f, i, True, label=f"{size} pneumothorax", neg_i=NEG_PTX_I)


LOBES = {"lower": ("lower lobe", "LL", "lower zone", "base"), "upper": ("upper lobe", "UL", "upper zone", "apex")}


def f_consol(rng, side=None, telegraphic=False):
    side = side or pick(rng, ["right", "left"])
    lobe = pick(rng, ["lower", "lower", "upper"])
    lob, ab, zone, _ = LOBES[lobe]
    f = pick(rng, [
        f"Consolidation in the {{side}} {lob} with air bronchograms",
        f"There is airspace opacification in the {{side}} {zone}",
        f"Dense {{side}} {lob} consolidation",
        f"Identified in the {{side}} {lob} is a focal area of consolidation",
        f"{{Side}} {zone}: patchy consolidation",
        f"Focal airspace consolidation is seen in the {{side}} {lob}",
        f"Air space shadowing in the {{side}} {zone}, with air bronchograms",
    ] + ([f"{{S}}{ab} consolidation"] if telegraphic else []))
    i = pick(rng, [f"{{Side}} {lob} pneumonia", f"{{Side}} {zone} consolidation, likely infective",
                   f"Findings consistent with {{side}} {lob} pneumonia", f"{{Side}} {lob} consolidation",
                   f"Consolidation in the {{side}} {zone} in keeping with infection"]
                   + ([f"{{S}}{ab} pneumonia"] if telegraphic else []))
    return Finding("consolidation", {"lung"}, side, f, i, True, label=f"{lob} consolidation", neg_i=NEG_CONS_I)


def f_collapse(rng, side=None):
    side = side or pick(rng, ["right", "left"])
    lobe = pick(rng, ["lower", "upper"])
    f = pick(rng, [
        f"There is collapse of the {{side}} {lobe} lobe, with volume loss and displacement of the fissure",
        f"{{Side}} {lobe} lobe collapse",
        f"Complete {{side}} {lobe} lobe collapse with shift of the {{side}} hilum",
        f"Triangular opacity with volume loss in keeping with {{side}} {lobe} lobe collapse",
    ])
    i = pick(rng, [f"{{Side}} {lobe} lobe collapse", f"Collapse of the {{side}} {lobe} lobe",
                   f"{{Side}} {lobe} lobe collapse; bronchoscopy may be considered"])
    return Finding("collapse", {"lung", "hila"}, side, f, i, True, label=f"{lobe} lobe collapse", neg_i=NEG_COLLAPSE_I)


def f_atel(rng, side=None):
    side = side or pick(rng, ["right", "left"])
    f = pick(rng, ["Linear subsegmental atelectasis at the {side} base", "Plate atelectasis in the {side} lower zone",
                   "Discoid atelectasis at the {side} lung base"])
    i = pick(rng, ["{Side} basal subsegmental atelectasis", "Plate atelectasis at the {side} base"])
    return Finding("atelectasis", {"lung"}, side, f, i, False, label="subsegmental atelectasis")


def f_nodule(rng, side=None, mm=None):
    side = side or pick(rng, ["right", "left"])
    mm = mm or rng.randint(7, 19)
    where = pick(rng, ["upper lobe", "mid zone", "upper zone", "lower zone", "lower lobe"])
    f = pick(rng, [
        f"A {mm} mm nodule is seen in the {{side}} {where}",
        f"There is a {mm} mm rounded opacity projected over the {{side}} {where}",
        f"{mm} mm well-defined pulmonary nodule, {{side}} {where}",
        f"Solitary {mm} mm nodule in the {{side}} {where}, not calcified",
    ])
    i = pick(rng, [f"{mm} mm {{side}} {where} nodule; CT chest recommended for characterisation",
                   f"{{Side}} {where} pulmonary nodule ({mm} mm), further evaluation with CT advised",
                   f"{mm} mm nodule in the {{side}} {where}"])
    return Finding("nodule", {"lung"}, side, f, i, True, label=f"{mm} mm nodule", neg_i=NEG_NOD_I)


def f_mass(rng, side=None):
    side = side or pick(rng, ["right", "left"])
    cm = pick(rng, ["3", "3.5", "4", "4.2", "5", "6"])
    where = pick(rng, ["upper lobe", "upper zone", "mid zone", "lower lobe"])
    f = pick(rng, [f"There is a {cm} cm spiculated mass in the {{side}} {where}",
                   f"A lobulated {cm} cm mass projects over the {{side}} {where}",
                   f"{cm} cm soft tissue mass, {{side}} {where}"])
    i = pick(rng, [f"{{Side}} {where} mass, suspicious for malignancy; CT chest advised",
                   f"{cm} cm {{side}} {where} mass. Suspicious for primary lung neoplasm",
                   f"{{Side}} {where} mass requiring further assessment with CT"])
    return Finding("mass", {"lung"}, side, f, i, True, label=f"{cm} cm mass",
                   neg_i=["No lung mass.", "No pulmonary nodule or mass.", "No mass lesion is seen."])


def f_edema(rng):
    f = pick(rng, [
        "Upper lobe blood diversion, perihilar haziness and septal lines, in keeping with pulmonary oedema",
        "There is bilateral perihilar airspace opacity with Kerley B lines, consistent with interstitial and "
        "alveolar oedema",
        "Pulmonary venous congestion with interstitial edema",
        "Bilateral hazy airspace shadowing in a bat's wing distribution, in keeping with pulmonary oedema",
        "Increased interstitial markings with septal lines and peribronchial cuffing, consistent with "
        "interstitial pulmonary edema",
    ])
    i = pick(rng, ["Pulmonary oedema", "Features of congestive cardiac failure with pulmonary oedema",
                   "Interstitial pulmonary edema", "Fluid overload / pulmonary oedema",
                   "Pulmonary venous congestion and interstitial oedema"])
    return Finding("edema", {"lung", "vasc", "hila"}, None, f, i, True, lateral=False, label="pulmonary oedema",
                   neg_i=NEG_EDEMA_I)


def f_cardiomegaly(rng, prior=False, mild=True):
    deg = "mild" if mild else pick(rng, ["moderate", "marked"])
    st = " and stable" if prior else ""
    f = pick(rng, [f"The heart is {deg}ly enlarged{st}" if deg != "marked" else f"The heart is markedly enlarged{st}",
                   f"{cap(deg)} cardiomegaly" + (", unchanged" if prior else ""),
                   f"Cardiothoracic ratio is increased ({deg} cardiomegaly)" + (", as before" if prior else "")])
    i = pick(rng, [f"{'Stable ' if prior else ''}{deg} cardiomegaly", f"{cap(deg)} cardiomegaly"
                   + (", unchanged" if prior else "")])
    return Finding("cardiomegaly", {"heart"}, None, f, i, not mild, omittable=mild and prior, lateral=False,
                   label=f"{deg} cardiomegaly", neg_i=NEG_HEART_I, needs_prior=prior)


def f_mediastinum(rng):
    cm = pick(rng, ["9", "9.5", "10", "11"])
    f = pick(rng, [f"The superior mediastinum is widened, measuring {cm} cm",
                   f"Widening of the mediastinum to {cm} cm at the level of the aortic knuckle",
                   "The mediastinum is widened, with loss of the aortopulmonary window"])
    i = pick(rng, ["Widened mediastinum; urgent CT aortogram advised", "Mediastinal widening. CT recommended",
                   "Widened mediastinum, aortic injury to be excluded with CT"])
    return Finding("mediastinum", {"mediastinum"}, None, f, i, True, lateral=False, label="widened mediastinum",
                   neg_i=NEG_MED_I)


def f_freeair(rng, side=None):
    side = side or pick(rng, ["right", "left"])
    f = pick(rng, ["Free gas is seen beneath the {side} hemidiaphragm",
                   "There is a crescent of free air under the {side} hemidiaphragm",
                   "Free subdiaphragmatic air on the {side}"])
    i = pick(rng, ["Free air under the {side} hemidiaphragm, in keeping with pneumoperitoneum",
                   "Pneumoperitoneum (free gas under the {side} hemidiaphragm)",
                   "Free subdiaphragmatic gas on the {side}: perforated viscus until proven otherwise"])
    return Finding("freeair", {"abdomen"}, side, f, i, True, label="free subdiaphragmatic air", neg_i=NEG_FREEAIR_I)


def f_hilar(rng, side=None):
    side = side or pick(rng, ["right", "left"])
    f = pick(rng, ["The {side} hilum is enlarged and lobulated", "Bulky {side} hilum",
                   "Enlargement of the {side} hilar shadow"])
    i = pick(rng, ["{Side} hilar enlargement, ?lymphadenopathy; CT suggested",
                   "Enlarged {side} hilum; CT chest recommended", "{Side} hilar enlargement"])
    return Finding("hilar", {"hila"}, side, f, i, False, label="hilar enlargement")


def f_hemidiaphragm(rng, side=None):
    side = side or pick(rng, ["right", "left"])
    f = pick(rng, ["The {side} hemidiaphragm is elevated", "Elevation of the {side} hemidiaphragm",
                   "Raised {side} hemidiaphragm"])
    i = pick(rng, ["Elevated {side} hemidiaphragm", "Raised {side} hemidiaphragm"])
    return Finding("hemidiaphragm", {"diaphragm"}, side, f, i, False, label="elevated hemidiaphragm")


def f_fracture(rng, side=None):
    side = side or pick(rng, ["right", "left"])
    r1 = rng.randint(4, 8)
    ords = {4: "4th", 5: "5th", 6: "6th", 7: "7th", 8: "8th", 9: "9th"}
    f = pick(rng, [f"Acute displaced fractures of the {{side}} {ords[r1]} and {ords[r1 + 1]} ribs laterally",
                   f"There is an acute fracture of the {{side}} {ords[r1]} rib, posterolaterally",
                   "Fracture of the mid-shaft of the {side} clavicle, with mild displacement"])
    i = pick(rng, ["Acute {side} rib fractures" if "rib" in f else "{Side} clavicular fracture",
                   "{Side} rib fracture" if "rib" in f else "Displaced {side} clavicle fracture"])
    return Finding("fracture", {"bones", "bones_acute"}, side, f, i, False, label="acute fracture", neg_i=NEG_FRAC_I)


def f_old_fracture(rng, side=None):
    side = side or pick(rng, ["right", "left"])
    f = pick(rng, ["Old healed fractures of the {side} posterior ribs",
                   "Healed {side} rib fractures are noted", "Old united fracture of the {side} clavicle"])
    return Finding("old_fracture", {"bones"}, side, f, "Old healed {side} fractures", False, omittable=True,
                   label="old fracture")


def f_degen(rng):
    f = pick(rng, ["Degenerative changes in the thoracic spine", "Mild thoracic spondylosis",
                   "Multilevel degenerative disc disease in the thoracic spine", "Degenerative change of both "
                   "acromioclavicular joints"])
    return Finding("degenerative", {"bones"}, None, f, "Degenerative changes", False, omittable=True, lateral=False)


def f_aorta(rng):
    f = pick(rng, ["The thoracic aorta is unfolded and calcified", "Aortic knuckle calcification",
                   "Atherosclerotic calcification of the aortic arch"])
    return Finding("aorta", {"aorta"}, None, f, "Aortic atherosclerosis", False, omittable=True, lateral=False)


def f_granuloma(rng, side=None):
    side = side or pick(rng, ["right", "left"])
    mm = rng.randint(3, 5)
    f = pick(rng, [f"A {mm} mm calcified granuloma in the {{side}} upper zone",
                   "Small calcified granuloma projected over the {side} mid zone",
                   "Calcified granuloma at the {side} base, unchanged"])
    return Finding("granuloma", {"granuloma"}, side, f, "Calcified granuloma", False, omittable=True,
                   label="calcified granuloma")


def f_hyperinfl(rng):
    f = pick(rng, ["The lungs are hyperinflated with flattened hemidiaphragms, in keeping with COPD",
                   "Hyperexpanded lungs consistent with chronic obstructive airways disease"])
    return Finding("hyperinflation", {"lungvol", "diaphragm"}, None, f, "Hyperinflation in keeping with COPD",
                   False, omittable=True, lateral=False)


def f_line(rng, side=None):
    side = side or pick(rng, ["right", "left"])
    kind = pick(rng, ["ij", "sub", "picc", "drain", "pacer"])
    if kind == "ij":
        f = pick(rng, ["{Side} internal jugular central venous catheter with its tip in the SVC",
                       "{Side} IJ CVC, tip at the cavoatrial junction"])
        i = pick(rng, ["{Side} IJ line in satisfactory position", "{Side} internal jugular CVC appropriately sited"])
    elif kind == "sub":
        f = "{Side} subclavian central line, tip projected over the lower SVC"
        i = "{Side} subclavian line, tip in the SVC"
    elif kind == "picc":
        f = pick(rng, ["{Side} arm PICC with tip at the cavoatrial junction", "{Sided} PICC, tip in the lower SVC"])
        i = pick(rng, ["{Side} PICC in a satisfactory position", "{Sided} PICC appropriately positioned"])
    elif kind == "drain":
        f = pick(rng, ["{Side} intercostal chest drain in situ, tip at the apex",
                       "{Sided} pigtail pleural drain projected over the lower hemithorax"])
        i = pick(rng, ["{Side} chest drain in situ", "{Sided} pleural drain in place"])
    else:
        f = pick(rng, ["{Sided} dual-chamber pacemaker with leads in the right atrium and right ventricle",
                       "{Side} pectoral pacemaker generator, leads in satisfactory position"])
        i = pick(rng, ["{Sided} pacemaker", "{Side} pectoral pacemaker in situ"])
    return Finding("line", {"devices_" + kind}, side, f, i, False, label={"ij": "internal jugular line",
                   "sub": "subclavian line", "picc": "PICC", "drain": "chest drain", "pacer": "pacemaker"}[kind])


def f_ett(rng, ett: bool = False):
    cm = pick(rng, ["3", "4", "4.5", "5"])
    f = pick(rng, [f"Endotracheal tube tip {cm} cm above the carina", f"ETT tip {cm} cm above carina",
                   f"ETT tip now {cm} cm above the carina, withdrawn since the prior film",
                   f"Endotracheal tube unchanged in position, {cm} cm above the carina"] +
             ([] if ett else ["Nasogastric tube tip below the diaphragm, in the stomach"]))
    i = pick(rng, ["Endotracheal tube in satisfactory position", "ETT appropriately positioned",
                   "Lines and tubes as described, satisfactorily sited"]) if "arina" in f else \
        "NG tube in the stomach"
    return Finding("tube", {"devices_ett" if "arina" in f else "devices_ngt"}, None, f, i, False, lateral=False,
                   needs_prior="prior film" in f or "unchanged" in f)


def f_hedged(rng, side=None):
    side = side or pick(rng, ["right", "left"])
    f = pick(rng, ["Ill-defined opacity at the {side} base, which may represent atelectasis or early consolidation",
                   "Subtle increased density in the {side} lower zone, suggestive of early infection",
                   "Patchy shadowing in the {side} lower zone; query early consolidation",
                   "Faint {side} basal opacity, likely atelectasis although infection cannot be excluded"])
    i = pick(rng, ["Possible early {side} basal consolidation; clinical correlation advised",
                   "{Side} lower zone opacity; infection cannot be excluded",
                   "? early {side} lower zone consolidation",
                   "Subtle {side} basal opacity, may represent atelectasis or early infection"])
    return Finding("hedged_opacity", {"lung"}, side, f, i, False, label="hedged basal opacity")


def f_resolved(rng, side=None):
    side = side or pick(rng, ["right", "left"])
    what, slot = pick(rng, [("pneumothorax", "ptx"), ("pleural effusion", "eff"), ("lower lobe consolidation", "lung")])
    f = pick(rng, [f"The previously seen {{side}} {what} has resolved",
                   f"There is no longer a {{side}} {what}" if what != "lower lobe consolidation" else
                   "The {side} lower lobe consolidation has cleared",
                   f"Interval resolution of the {{side}} {what}"])
    i = pick(rng, [f"Resolved {{side}} {what}", f"Interval resolution of the {{side}} {what}"])
    return Finding("resolved", {slot}, side, f, i, False, omittable=True, label=f"resolved {what}", needs_prior=True)


LATERAL_KINDS = [f_effusion, f_ptx, f_consol, f_collapse, f_nodule, f_mass, f_hilar, f_hemidiaphragm, f_fracture,
                 f_line, f_freeair, f_atel]
SIGNIFICANT_MAKERS = ["ptx", "freeair", "mediastinum", "edema", "consol", "nodule", "mass", "effusion_big",
                      "collapse", "effusion_new"]


def make_significant(rng, which: str, telegraphic: bool = False) -> Finding:
    if which == "ptx":
        return f_ptx(rng)
    if which == "freeair":
        return f_freeair(rng)
    if which == "mediastinum":
        return f_mediastinum(rng)
    if which == "edema":
        return f_edema(rng)
    if which == "consol":
        return f_consol(rng, telegraphic=telegraphic)
    if which == "nodule":
        return f_nodule(rng)
    if which == "mass":
        return f_mass(rng)
    if which == "effusion_big":
        return f_effusion(rng, size=pick(rng, ["moderate", "large"]))
    if which == "effusion_new":
        return f_effusion(rng, size="small", new=True)
    return f_collapse(rng)


# Normal statements: (slots they speak for, variants). A statement is only used when no finding holds its slots.
NORMALS = [
    ({"lung", "granuloma"}, ["The lungs are clear.", "Lungs clear.", "The lung fields are clear.",
                             "No focal consolidation, collapse or mass.",
                             "No airspace opacity is identified.", "Lungs are free of focal consolidation.",
                             "No consolidation or mass lesion is appreciated."]),
    ({"lung", "granuloma", "ptx"}, ["The lungs are well expanded and clear.",
                                    "Both lungs are fully expanded and clear."]),
    ({"lung"}, ["No focal consolidation.", "No airspace consolidation.", "No pneumonic consolidation is seen."]),
    ({"eff", "ptx"}, ["No pleural effusion or pneumothorax.", "The pleural spaces are clear.",
                      "Negative for pneumothorax or effusion.", "There is no pneumothorax and no pleural fluid.",
                      "Costophrenic angles are sharp; no pneumothorax.", "No effusion. No pneumothorax."]),
    ({"eff"}, ["No pleural effusion.", "Costophrenic angles are clear.", "No pleural fluid is seen.",
               "Pleural effusion is not identified."]),
    ({"ptx"}, ["No pneumothorax.", "Pneumothorax is not identified.", "No pneumothorax is seen.",
               "There is no evidence of pneumothorax."]),
    ({"heart", "mediastinum", "hila", "aorta"}, ["Normal cardiomediastinal contours.",
                                                  "The cardiomediastinal silhouette is within normal limits.",
                                                  "Heart and mediastinum are unremarkable."]),
    ({"heart"}, ["Heart size is normal.", "The cardiac silhouette is not enlarged.",
                 "Cardiothoracic ratio within normal limits.", "Normal heart size."]),
    ({"mediastinum", "aorta"}, ["Mediastinal contours are normal.", "The mediastinum is not widened."]),
    ({"hila"}, ["Hila are normal.", "Both hila are of normal size and density.", "Normal hilar appearances."]),
    ({"vasc"}, ["Pulmonary vascularity is normal.", "No pulmonary oedema.", "No features of cardiac failure."]),
    ({"bones", "bones_acute"}, ["Bones are unremarkable.", "The visualised skeleton is intact.",
                                "Bony thorax is intact."]),
    ({"bones_acute"}, ["No acute osseous abnormality.", "No displaced rib fracture is seen.",
                       "No acute bony injury."]),
    ({"abdomen"}, ["No free air under the diaphragm.", "No free subdiaphragmatic gas.",
                   "Visualised upper abdomen is unremarkable."]),
    ({"diaphragm"}, ["The hemidiaphragms are clearly defined.", "Normal diaphragmatic contours."]),
]

# Explicit negation sentences for a concept in the findings (used for negation conflicts).
NEG_F = {
    "ptx": ["No pneumothorax.", "There is no pneumothorax.", "Pneumothorax is not identified.",
            "No pneumothorax is appreciated.", "Negative for pneumothorax.", "Pneumothorax is excluded."],
    "effusion": ["No pleural effusion.", "The costophrenic angles are clear with no pleural effusion.",
                 "Pleural effusion is absent.", "No pleural fluid.", "There is no longer a pleural effusion."],
    "consolidation": ["The lungs are clear, with no consolidation.", "No focal consolidation is seen.",
                      "Lungs are free of consolidation.", "No airspace disease.", "Consolidation is not identified."],
    "cardiomegaly": ["Heart size is normal.", "The heart is not enlarged.", "Cardiothoracic ratio is normal."],
    "fracture": ["No rib fracture is seen.", "No fracture is identified.", "Ribs are intact; no fracture."],
    "freeair": ["No free air under the diaphragm.", "Free subdiaphragmatic gas is not seen."],
    "edema": ["No pulmonary oedema.", "No interstitial or alveolar oedema.", "Pulmonary vasculature is normal, "
              "with no oedema."],
    "nodule": ["No pulmonary nodule or mass is seen.", "No lung nodule."],
}
NEG_SLOTS = {"ptx": {"ptx"}, "effusion": {"eff"}, "consolidation": {"lung"}, "cardiomegaly": {"heart"},
             "fracture": {"bones", "bones_acute"}, "freeair": {"abdomen"}, "edema": {"lung", "vasc"},
             "nodule": {"lung"}}
KIND_TO_NEGKEY = {"ptx": "ptx", "effusion": "effusion", "consolidation": "consolidation",
                  "cardiomegaly": "cardiomegaly", "fracture": "fracture", "freeair": "freeair", "edema": "edema",
                  "nodule": "nodule", "mass": "nodule"}

NORMAL_IMPRESSIONS_US = [
    "No acute cardiopulmonary abnormality.", "No acute cardiopulmonary process.", "Normal chest radiograph.",
    "No acute intrathoracic abnormality.", "Negative chest.", "No radiographic evidence of acute cardiopulmonary "
    "disease.", "Unremarkable chest radiograph.", "No acute disease.", "Normal study.",
]
NORMAL_IMPRESSIONS_UK = [
    "Normal chest radiograph.", "No significant abnormality detected.", "Normal appearances.",
    "No acute cardiorespiratory abnormality.", "Clear chest.", "No active disease.", "NAD.",
    "No cause for the patient's symptoms identified.", "Normal chest X-ray.",
]

NO_ACUTE_IMPRESSIONS = ["No acute cardiopulmonary abnormality.", "No acute disease.", "No active disease.",
                        "No acute cardiorespiratory process.", "Otherwise no acute abnormality.",
                        "Nothing acute."]

CLIN_NORMAL = ["Cough and fever.", "SOB, ?LRTI.", "Pre-operative assessment.", "Chest pain, ?cause.",
               "Productive cough for 2 weeks.", "Pyrexia of unknown origin.", "Routine pre-employment screening.",
               "Dyspnoea on exertion.", "Ex-smoker with haemoptysis.", "Fall, chest wall pain.", "Fever, ?source.",
               "Asthma exacerbation.", "Known COPD, increasing breathlessness.", "Palpitations.",
               "Post CABG, routine follow-up.", "Tachycardia and hypoxia.", "Weight loss.", "Shortness of breath."]
CLIN_ICU = ["Intubated, post laparotomy.", "Ventilated patient, check lines.", "Post CVC insertion.",
            "ICU day 3, hypoxia.", "Septic shock, ventilated.", "Post cardiac surgery day 1."]


# ----------------------------------------------------------------------------------------------- composed report

class Rep:
    """A report before layout: sections as lists of sentences plus extras."""

    def __init__(self) -> None:
        self.exam = ""
        self.clinical = ""
        self.comparison = ""
        self.technique = ""
        self.findings: list[tuple[str, str]] = []   # (system, sentence)
        self.impression: list[str] = []
        self.recommendation = ""
        self.communication = ""
        self.addendum = ""
        self.signoff = ""
        self.drop: str | None = None   # "findings" | "impression" with mode in drop_mode
        self.drop_mode = "empty"       # "empty": header kept with nothing under it; "absent": header removed
        self.uk = False


STYLES = ["us_std", "us_impfirst", "uk_nhs", "au_nz", "ie", "za", "sg", "trainee", "telerad", "icu", "bullets",
          "normal_except", "narrative", "organ", "caps", "lower"]
UK_STYLES = {"uk_nhs", "au_nz", "ie", "za", "sg"}
SYSTEM_OF = {"lung": "Lungs", "granuloma": "Lungs", "lungvol": "Lungs", "vasc": "Lungs", "eff": "Pleura",
             "ptx": "Pleura", "heart": "Heart and mediastinum", "mediastinum": "Heart and mediastinum",
             "hila": "Heart and mediastinum", "aorta": "Heart and mediastinum", "bones": "Bones and soft tissues",
             "bones_acute": "Bones and soft tissues", "abdomen": "Upper abdomen", "diaphragm": "Upper abdomen"}


SLOT_PRIORITY = ["lung", "lungvol", "granuloma", "vasc", "eff", "ptx", "heart", "mediastinum", "hila", "aorta",
                 "bones", "bones_acute", "abdomen", "diaphragm"]


def system_of(slots: set[str]) -> str:
    for s in sorted(slots, key=lambda x: SLOT_PRIORITY.index(x) if x in SLOT_PRIORITY else -1):
        if s.startswith("devices"):
            return "Lines and tubes"
        if s in SYSTEM_OF:
            return SYSTEM_OF[s]
    return "Other"


def date_str(rng, uk: bool) -> str:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.choice([2023, 2024, 2025])
    return f"{d:02d}/{m:02d}/{y}" if uk else pick(rng, [f"{m}/{d}/{y}", f"{y}-{m:02d}-{d:02d}"])


def normal_sentences(rng, used: set[str], exclude: set[str], k: int) -> list[tuple[str, str]]:
    """Up to k normal statements for slots not held by a finding (nor in exclude)."""
    taken = set(used) | set(exclude)
    out = []
    order = list(range(len(NORMALS)))
    rng.shuffle(order)
    for idx in order:
        slots, variants = NORMALS[idx]
        if slots & taken:
            continue
        out.append((system_of(slots), pick(rng, variants)))
        taken |= slots
        if len(out) >= k:
            break
    return out


def base_rep(rng, style: str, icu: bool) -> tuple[Rep, bool]:
    uk = style in UK_STYLES or (style in ("narrative", "bullets", "organ", "normal_except") and rng.random() < 0.4)
    r = Rep()
    r.uk = uk
    r.exam = pick(rng, {
        "us_std": ["CHEST, 2 VIEWS", "XR CHEST PA AND LATERAL", "Chest radiograph, PA and lateral"],
        "uk_nhs": ["XR Chest", "CXR PA", "Chest X-ray (PA)"], "au_nz": ["CHEST X-RAY", "Chest XR - PA and lateral"],
        "ie": ["X-Ray Chest PA"], "za": ["CHEST PA AND LATERAL", "Chest radiograph PA"],
        "sg": ["Chest radiograph (PA erect)", "CHEST PA ERECT"], "icu": ["PORTABLE AP CHEST, SUPINE",
                                                                         "Mobile AP chest (ICU)"],
    }.get(style, ["CHEST X-RAY", "Chest, frontal and lateral views", "CXR", "XR CHEST 2V"]))
    r.clinical = pick(rng, CLIN_ICU if icu else CLIN_NORMAL)
    r.technique = pick(rng, ["AP supine portable.", "Single AP view at the bedside."] if icu else
                       ["PA and lateral views.", "Single frontal view.", "Erect PA projection.",
                        "Frontal and lateral projections."]) if rng.random() < 0.35 else ""
    return r, uk


def add_prior(rng, r: Rep, uk: bool, need: bool, icu: bool) -> bool:
    if need or icu or rng.random() < 0.45:
        if icu:
            r.comparison = pick(rng, [f"Radiograph from earlier today at {rng.randint(0, 9):02d}:{rng.randint(0, 5)}0.",
                                      "Yesterday's film.", f"Prior portable study {date_str(rng, uk)}."])
        else:
            r.comparison = pick(rng, [f"{date_str(rng, uk)}.", f"Previous CXR of {date_str(rng, uk)}.",
                                      f"Prior chest radiograph dated {date_str(rng, uk)}.",
                                      "Radiograph from 3 months earlier."])
        return True
    r.comparison = pick(rng, ["None.", "No previous imaging available.", "None available.", "Nil.",
                              "No prior studies."])
    return False


def ordered_findings(rng, r: Rep, fs: list[Finding], sd: Side, normals: list[tuple[str, str]],
                     overrides: dict[int, str] | None = None) -> None:
    overrides = overrides or {}
    items = [(system_of(f.slots), overrides.get(id(f), f.f(sd))) for f in fs]
    allv = items + normals
    rng.shuffle(allv)
    # a mild tendency to start with lines and lungs, as many radiologists do
    allv.sort(key=lambda x: {"Lines and tubes": 0, "Lungs": 1, "Pleura": 2}.get(x[0], 3) if rng.random() < 0.5
              else 3)
    r.findings = allv


def impression_items(rng, fs: list[Finding], sd: Side, uk: bool, omit_ok: bool = True,
                     overrides: dict[int, str] | None = None) -> list[str]:
    overrides = overrides or {}
    out = []
    for f in fs:
        if f.itpl is None:
            continue
        if f.omittable and omit_ok and rng.random() < 0.6:
            continue
        out.append(overrides.get(id(f), f.i(sd)))
    return out


def choose_style(rng) -> str:
    return pick(rng, STYLES)


def random_others(rng, n: int, avoid_slots: set[str], prior: bool, telegraphic: bool) -> list[Finding]:
    """n extra findings with slots disjoint from avoid_slots and from each other (no shared side conflicts)."""
    makers = [lambda: f_effusion(rng, size="small"), lambda: f_eff_bilat(rng), lambda: f_consol(rng, telegraphic=
              telegraphic), lambda: f_nodule(rng), lambda: f_hilar(rng), lambda: f_hemidiaphragm(rng),
              lambda: f_fracture(rng), lambda: f_line(rng), lambda: f_ett(rng), lambda: f_cardiomegaly(rng, prior),
              lambda: f_degen(rng), lambda: f_aorta(rng), lambda: f_granuloma(rng), lambda: f_hyperinfl(rng),
              lambda: f_old_fracture(rng), lambda: f_atel(rng), lambda: f_edema(rng), lambda: f_ptx(rng),
              lambda: f_effusion(rng), lambda: f_hedged(rng), lambda: f_resolved(rng), lambda: f_hedged(rng)]
    out: list[Finding] = []
    taken = set(avoid_slots)
    tries = 0
    while len(out) < n and tries < 60:
        tries += 1
        f = pick(rng, makers)()
        if f.slots & taken:
            continue
        if f.kind == "old_fracture" and ("bones_acute" in taken):
            continue
        if f.kind == "fracture" and "bones" in taken:
            continue
        out.append(f)
        taken |= f.slots
        if f.kind == "edema":
            taken |= {"lung", "vasc", "eff"}
    return out


def compose(rng, kind: str | None) -> tuple[Rep, str, str]:
    """A composed report (before layout) with at most one injected error; returns (rep, style, detail)."""
    style = choose_style(rng)
    icu = style == "icu" or (style in ("telerad", "organ", "bullets") and rng.random() < 0.25)
    telegraphic = style in ("bullets", "organ", "icu")
    r, uk = base_rep(rng, style, icu)
    sd = Side(abbr=telegraphic and rng.random() < 0.4)
    detail = ""
    fs: list[Finding] = []
    f_over: dict[int, str] = {}
    i_over: dict[int, str] = {}
    extra_neg_f: list[tuple[str, str]] = []
    imp_extra: list[str] = []
    exclude_normal: set[str] = set()
    normal_imp = False
    prior = rng.random() < 0.5 or icu

    if kind in (None, "missing_section", "placeholder"):
        mode = rng.random()
        if mode < 0.35:
            fs = []
            if rng.random() < 0.35:
                fs = random_others(rng, 1, set(), prior, telegraphic)
                fs = [f for f in fs if f.omittable] or []
            normal_imp = True
        else:
            n_sig = 1 if rng.random() < 0.75 else 2
            picks = rng.sample(SIGNIFICANT_MAKERS, n_sig)
            sig = [make_significant(rng, w, telegraphic) for w in picks]
            taken: set[str] = set()
            fs = []
            for f in sig:
                if f.slots & taken:
                    continue
                fs.append(f)
                taken |= f.slots
            fs += random_others(rng, rng.randint(0, 2), taken, prior, telegraphic)
        if icu and not any(f.kind in ("line", "tube") for f in fs):
            fs = [f_ett(rng, ett=True)] + [f for f in fs if not any(s.startswith("devices_ett") for s in f.slots)]
    elif kind == "laterality_conflict":
        maker = pick(rng, [f_effusion, f_ptx, f_consol, f_collapse, f_nodule, f_mass, f_hilar, f_hemidiaphragm,
                           f_fracture, f_line, f_freeair, f_atel, f_consol, f_effusion])
        tgt = maker(rng)
        if tgt.kind == "freeair":
            tgt.slots |= {"diaphragm"}
        others = random_others(rng, rng.randint(0, 2), tgt.slots | {"eff", "ptx", "lung"} if tgt.kind in (
            "effusion", "ptx", "consolidation", "collapse", "atelectasis", "nodule", "mass") else tgt.slots,
            prior, telegraphic)
        # no other finding of the same family on the opposite side
        others = [o for o in others if o.kind != tgt.kind and not (o.kind == "line" and tgt.kind == "line")]
        fs = [tgt] + others
        opp = OPP[tgt.side]
        if rng.random() < 0.5:
            i_over[id(tgt)] = tgt.i(sd, opp)
            detail = f"{tgt.label}: findings {tgt.side}, impression {opp}"
        else:
            f_over[id(tgt)] = tgt.f(sd, opp)
            detail = f"{tgt.label}: findings {opp}, impression {tgt.side}"
    elif kind == "negation_conflict":
        direction = pick(rng, ["f_aff_i_neg", "f_neg_i_aff", "f_aff_i_neg", "f_neg_i_aff", "resolved"])
        if direction == "f_aff_i_neg":
            maker = pick(rng, [f_effusion, f_ptx, f_consol, lambda g: f_cardiomegaly(g, prior, mild=False),
                               f_fracture, f_edema, f_nodule, f_freeair, f_mass, f_effusion, f_ptx])
            tgt = maker(rng)
            fs = [tgt] + random_others(rng, rng.randint(0, 2), tgt.slots | {"eff", "ptx", "lung", "heart", "vasc"},
                                       prior, telegraphic)
            neg = pick(rng, tgt.neg_i)
            i_over[id(tgt)] = neg
            detail = f"{tgt.label} affirmed in findings; impression: '{neg}'"
        elif direction == "f_neg_i_aff":
            key = pick(rng, ["ptx", "effusion", "consolidation", "cardiomegaly", "fracture", "edema", "nodule",
                             "ptx", "effusion", "consolidation"])
            tgt = {"ptx": f_ptx, "effusion": f_effusion, "consolidation": f_consol,
                   "cardiomegaly": lambda g: f_cardiomegaly(g, False, mild=rng.random() < 0.5),
                   "fracture": f_fracture, "edema": f_edema, "nodule": f_nodule}[key](rng)
            negs = pick(rng, NEG_F[key])
            exclude_normal |= NEG_SLOTS[key] | tgt.slots
            others = random_others(rng, rng.randint(0, 2), exclude_normal | {"eff", "ptx", "lung", "vasc"}, prior,
                                   telegraphic)
            fs = others
            extra_neg_f.append((system_of(NEG_SLOTS[key]), negs))
            imp_extra.append(tgt.i(sd))
            detail = f"findings: '{negs}'; impression affirms {tgt.label}"
        else:
            side = pick(rng, ["right", "left"])
            what = pick(rng, ["pneumothorax", "pleural effusion"])
            fs = random_others(rng, rng.randint(0, 1), {"eff", "ptx", "lung"}, True, telegraphic)
            prior = True
            if rng.random() < 0.5:
                extra_neg_f.append(("Pleura", sd.fill(pick(rng, [
                    f"The previously seen {{side}} {what} has resolved.",
                    f"There is no longer a {{side}} {what}.", f"The {{side}} {what} has cleared since the prior film.",
                ]), side)))
                imp_extra.append(cap(sd.fill(pick(rng, [f"Persistent {{side}} {what}.",
                                                        f"Enlarging {{side}} {what}.",
                                                        f"Unchanged {{side}} {what}."]), side)))
                detail = f"findings: {what} resolved; impression: {what} persists"
            else:
                extra_neg_f.append(("Pleura", sd.fill(pick(rng, [
                    f"The {{side}} {what} persists, unchanged in size.", f"Persistent small {{side}} {what}.",
                    f"There is a residual small {{side}} {what}, similar to the prior study."]), side)))
                imp_extra.append(cap(sd.fill(pick(rng, [f"The {{side}} {what} has resolved.",
                                                        f"Resolution of the {{side}} {what}.",
                                                        f"The {{side}} {what} has cleared."]), side)))
                detail = f"findings: {what} persists; impression: {what} resolved"
            exclude_normal |= {"eff", "ptx"}
    elif kind == "impression_omits_finding":
        which = pick(rng, SIGNIFICANT_MAKERS)
        tgt = make_significant(rng, which, telegraphic)
        if tgt.kind == "effusion" and "new" in tgt.label:
            prior = True
        normal_imp = rng.random() < 0.5
        if normal_imp:
            extra = random_others(rng, rng.randint(0, 1), tgt.slots | {"lung", "eff", "ptx", "vasc"}, prior,
                                  telegraphic)
            fs = [tgt] + [f for f in extra if f.omittable]
            detail = f"{tgt.label} in findings; impression calls the study normal"
        else:
            # nothing in the impression may be read as standing for the omitted finding
            linked = {"edema": {"lung", "vasc", "eff"}, "effusion": {"lung", "vasc"},
                      "collapse": {"diaphragm", "hila"}, "freeair": {"diaphragm"}}.get(tgt.kind, set())
            extra = random_others(rng, rng.randint(1, 2), tgt.slots | linked, prior, telegraphic)
            extra = [f for f in extra if not f.omittable] or [f_hemidiaphragm(rng) if "diaphragm" not in tgt.slots
                                                              else f_hilar(rng)]
            fs = [tgt] + extra
            detail = f"{tgt.label} in findings; impression lists only " + ", ".join(f.label for f in extra)
        i_over[id(tgt)] = ""
        if tgt.needs_prior:
            prior = True

    prior = add_prior(rng, r, uk, prior or any(f.needs_prior for f in fs), icu)
    if not prior:
        # no prior: no comparative wording anywhere
        fs = [f for f in fs if not f.needs_prior]
    used: set[str] = set()
    for f in fs:
        used |= f.slots
        if f.kind == "edema":
            used |= {"vasc"}
    nk = rng.randint(2, 5) if style != "normal_except" else rng.randint(0, 2)
    normals = normal_sentences(rng, used, exclude_normal, nk)
    if kind == "impression_omits_finding":
        normals = [(s, t) for s, t in normals if not _mentions_lung_clear(t) or "lung" not in used]
    ordered_findings(rng, r, fs, sd, normals + extra_neg_f, f_over)
    imp = [x for x in impression_items(rng, fs, sd, uk, overrides=i_over) if x]
    imp += imp_extra
    if normal_imp or not imp:
        # a study with any finding at all is "no acute ..." rather than "normal"
        bank = NORMAL_IMPRESSIONS_UK if uk else NORMAL_IMPRESSIONS_US
        others = [f for f in fs if i_over.get(id(f)) != ""]
        if others:
            bank = NO_ACUTE_IMPRESSIONS
        if kind == "impression_omits_finding" or not imp:
            imp = [pick(rng, bank)]
        else:
            imp.append(pick(rng, NO_ACUTE_IMPRESSIONS))
    r.impression = imp
    if icu and not any("devices_ett" in f.slots for f in fs):
        r.clinical = pick(rng, CLIN_NORMAL)

    # recommendations and communication of critical results (clean-consistent)
    crit = [f for f in fs if f.kind in ("ptx", "freeair", "mediastinum", "mass") and i_over.get(id(f)) != ""]
    if crit and rng.random() < 0.7 and kind not in ("impression_omits_finding",):
        who = pick(rng, ["Dr Patel (ED registrar)", "the referring clinician", "Dr O'Brien", "the on-call surgical "
                         "team", "Dr Nguyen", "the ward nurse in charge"])
        r.communication = pick(rng, [
            f"Discussed with {who} by telephone at {rng.randint(0, 23):02d}:{rng.randint(10, 59)}.",
            f"Critical result communicated to {who} at {rng.randint(0, 23):02d}:{rng.randint(10, 59)}, read-back "
            "confirmed.",
            f"Urgent result phoned to {who}."])
    if any(f.kind in ("nodule", "mass") for f in fs) and rng.random() < 0.5 and kind != "impression_omits_finding":
        r.recommendation = pick(rng, ["CT chest with contrast is recommended.",
                                      "Suggest CT thorax for further characterisation.",
                                      "Recommend respiratory referral and CT staging."])
    elif any(f.kind == "consolidation" for f in fs) and rng.random() < 0.4 and kind != "impression_omits_finding":
        r.recommendation = pick(rng, ["Follow-up radiograph in 6 weeks to confirm resolution.",
                                      "Suggest repeat CXR after treatment to document clearance."])
    if style == "trainee":
        r.addendum = pick(rng, ["Reviewed with the consultant radiologist, who agrees with the above.",
                                "I have reviewed the images and agree with the resident's interpretation.",
                                "Attending review: agree."])
    return r, style, detail or f"no change ({'normal' if normal_imp else 'abnormal'})"


def _mentions_lung_clear(t: str) -> bool:
    return bool(re.search(r"lungs? (fields )?(are )?(well expanded and )?clear|clear lungs", t, re.I))


# ----------------------------------------------------------------------------------------------- layout

def fmt_header(rng, name: str, style: str) -> tuple[str, bool]:
    """(header text, inline?) — inline headers put the body on the same line."""
    if style in ("caps", "icu", "telerad", "us_std", "us_impfirst", "trainee"):
        form = pick(rng, ["{}:", "{}:", "{}", "{} -"])
        inline = form != "{}" and rng.random() < 0.4
        return form.format(name.upper() if style != "trainee" or rng.random() < 0.5 else name), inline
    form = pick(rng, ["{}:", "{}:", "{} -", "{}"])
    inline = form != "{}" and rng.random() < 0.6
    return form.format(name), inline


HEADERS = {
    "us_std": ("CLINICAL HISTORY", "COMPARISON", "FINDINGS", "IMPRESSION"),
    "us_impfirst": ("Indication", "Comparison", "Findings", "Impression"),
    "uk_nhs": ("Clinical information", "Comparison", "Report", "Conclusion"),
    "au_nz": ("Clinical notes", "Comparison", "Findings", "Comment"),
    "ie": ("Clinical details", "Comparison", "Findings", "Conclusion"),
    "za": ("Clinical data", "Comparison", "Report", "Impression"),
    "sg": ("Clinical indication", "Comparison", "Findings", "Impression/Conclusion"),
    "trainee": ("History", "Comparison", "Findings", "Impression"),
    "telerad": ("Reason for exam", "Comparison", "Findings", "Impression"),
    "icu": ("Indication", "Comparison", "Findings", "Impression"),
    "bullets": ("Indication", "Prior", "Findings", "Summary"),
    "normal_except": ("History", "Comparison", "Findings", "Impression"),
    "narrative": ("Clinical information", "Comparison", "Radiographic findings", "Interpretation"),
    "organ": ("Indication", "Comparison", "Findings", "Impression"),
    "caps": ("HISTORY", "COMPARISON", "FINDINGS", "IMPRESSION"),
    "lower": ("indication", "comparison", "findings", "impression"),
}
ALT_FINDINGS = {"uk_nhs": ["Report", "Findings", "Observations"], "za": ["Report", "Findings"],
                "us_std": ["FINDINGS", "FINDINGS/DISCUSSION"], "narrative": ["Radiographic findings", "Description",
                                                                              "Findings and discussion"]}
ALT_IMPRESSION = {"uk_nhs": ["Conclusion", "Opinion", "OPINION", "Comment"], "au_nz": ["Comment", "Conclusion",
                  "COMMENT"], "ie": ["Conclusion", "Opinion"], "za": ["Impression", "Diagnosis"],
                  "us_std": ["IMPRESSION", "Final impression", "CONCLUSION"], "sg": ["Impression/Conclusion",
                  "Conclusion", "Impression"], "narrative": ["Interpretation", "Summary", "Conclusion"]}


def layout(rng, r: Rep, style: str, uk: bool, organ_ok: bool = True) -> str:
    h_clin, h_comp, h_find, h_imp = HEADERS[style]
    h_find = pick(rng, ALT_FINDINGS.get(style, [h_find]))
    h_imp = pick(rng, ALT_IMPRESSION.get(style, [h_imp]))
    lines: list[str] = []

    def section(name: str, body: list[str] | str, join: str = " ") -> None:
        head, inline = fmt_header(rng, name, style)
        text = body if isinstance(body, str) else join.join(body)
        if inline and "\n" not in text:
            lines.append(f"{head} {text}".rstrip())
        else:
            lines.append(head)
            if text:
                lines.append(text)
        lines.append("")

    if style == "telerad":
        lines += [f"PRELIMINARY TELERADIOLOGY REPORT - {r.exam}",
                  f"Read remotely at {rng.randint(0, 5):02d}:{rng.randint(10, 59)} (overnight cover).", ""]
    elif style == "trainee":
        lines += [f"{r.exam}", "Preliminary report by radiology registrar (PGY-3).", ""]
    elif style in ("uk_nhs", "au_nz", "ie"):
        lines += [r.exam, ""]
    else:
        ex, inl = fmt_header(rng, pick(rng, ["EXAMINATION", "Examination", "Exam"]), style)
        lines += [f"{ex} {r.exam}" if inl else f"{ex}\n{r.exam}", ""]
    section(h_clin, r.clinical)
    if r.technique and style not in ("bullets",):
        section(pick(rng, ["TECHNIQUE", "Technique"]), r.technique)
    section(h_comp, r.comparison)

    find_body = render_findings(rng, r, style, organ_ok)
    imp_body = render_impression(rng, r.impression, style)
    blocks = []
    if r.drop != "findings" or r.drop_mode == "empty":
        blocks.append((h_find, "" if r.drop == "findings" else find_body))
    if r.drop != "impression" or r.drop_mode == "empty":
        blocks.append((h_imp, "" if r.drop == "impression" else imp_body))
    if style == "us_impfirst":
        blocks.reverse()
    for name, body in blocks:
        section(name, body)
    if r.recommendation:
        section(pick(rng, ["RECOMMENDATION", "Recommendation"]), r.recommendation)
    if r.communication:
        if rng.random() < 0.5 or r.drop:
            section(pick(rng, ["Communication", "CRITICAL RESULT"]), r.communication)
        else:
            lines += [r.communication, ""]
    if r.addendum:
        section(pick(rng, ["ADDENDUM", "Addendum"]), r.addendum)
    if style == "telerad":
        lines += ["This is a preliminary report. A final report will follow from the on-site radiologist.", ""]
    sign = {
        "uk_nhs": ["Dr A. Whitfield, Consultant Radiologist", "Reported by Dr S. Khan, ST4 Radiology, verified by "
                   "Dr R. Hughes, Consultant"],
        "au_nz": ["Thank you for referring this patient.\nDr M. Harris FRANZCR", "Dr J. Walker, Radiologist"],
        "ie": ["Dr C. Murphy, Consultant Radiologist"], "za": ["Dr T. Naidoo, Radiologist"],
        "sg": ["Dr L. Tan, Senior Consultant, Diagnostic Radiology"],
    }.get(style, ["Electronically signed by J. Miller, MD", "Dictated by: R. Gomez, MD", ""])
    s = pick(rng, sign)
    if s:
        lines.append(s)
    text = "\n".join(lines).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = spell(text, uk)
    if style == "caps":
        text = text.upper()
    elif style == "lower":
        text = text.lower().replace("xxxx", "XXXX")   # the IU mask keeps its form
    return text


def render_findings(rng, r: Rep, style: str, organ_ok: bool) -> str:
    sents = [s for _, s in r.findings]
    if not sents:
        return ""
    if style in ("organ", "icu") and organ_ok:
        groups: dict[str, list[str]] = {}
        for sys_, s in r.findings:
            groups.setdefault(sys_, []).append(s)
        order = ["Lines and tubes", "Lungs", "Pleura", "Heart and mediastinum", "Upper abdomen",
                 "Bones and soft tissues", "Other"]
        alias = {"Heart and mediastinum": pick(rng, ["Heart and mediastinum", "Cardiomediastinal",
                                                     "Heart/mediastinum"]),
                 "Bones and soft tissues": pick(rng, ["Bones and soft tissues", "Bones", "Osseous structures"]),
                 "Lines and tubes": pick(rng, ["Lines and tubes", "Support devices", "Lines/tubes"]),
                 "Upper abdomen": pick(rng, ["Upper abdomen", "Below diaphragm"])}
        out = []
        for k in order:
            if k in groups:
                out.append(f"{alias.get(k, k)}: {' '.join(groups[k])}")
        return "\n".join(out)
    if style == "bullets":
        mark = pick(rng, ["- ", "* ", "\u2022 "])
        return "\n".join(mark + telegraph(s) for s in sents)
    if style == "normal_except":
        normals = [s for sys_, s in r.findings if _is_normal_sentence(s)]
        abn = [s for s in sents if s not in normals]
        head = pick(rng, ["Normal study except as listed below:", "All structures within normal limits except:",
                          "Normal chest radiograph with the following exceptions:"]) if abn else \
            pick(rng, ["Heart, lungs, pleura, mediastinum and bones within normal limits.",
                       "Normal examination. No exceptions."])
        if not abn:
            return "\n".join([head] + normals)
        tail = [pick(rng, ["Otherwise: ", "Also: ", ""]) + " ".join(normals)] if normals else []
        return "\n".join([head] + [f"{i + 1}. {s}" for i, s in enumerate(abn)] + tail)
    if style == "narrative":
        glue = ["", "In addition, ", "Of note, ", "Furthermore, ", "", "", "Also, "]
        out = []
        for i, s in enumerate(sents):
            g = pick(rng, glue) if i else ""
            out.append(g + (s[0].lower() + s[1:] if g and not s[:3].isupper() and not re.match(r"[A-Z]{2}", s)
                            else s))
        return " ".join(out)
    if style == "lower":
        return " ".join(sents)
    if rng.random() < 0.3:
        return "\n".join(sents)
    return " ".join(sents)


def _is_normal_sentence(s: str) -> bool:
    return any(s == v for _, vs in NORMALS for v in vs)


def telegraph(s: str) -> str:
    s = re.sub(r"^There (is|are) (an? )?", "", s)
    s = re.sub(r"\bpleural effusion\b", pick(random.Random(len(s)), ["pleural effusion", "effusion"]), s)
    s = re.sub(r"\bpneumothorax\b", "PTX" if len(s) % 3 == 0 else "pneumothorax", s)
    s = s.rstrip(".")
    return cap(s)


def render_impression(rng, items: list[str], style: str) -> str:
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    form = pick(rng, ["num", "num", "paren", "bullet", "prose"]) if style != "lower" else "prose"
    if form == "num":
        return "\n".join(f"{i + 1}. {s}" for i, s in enumerate(items))
    if form == "paren":
        return "\n".join(f"{i + 1}) {s}" for i, s in enumerate(items))
    if form == "bullet":
        return "\n".join(f"- {s}" for s in items)
    return " ".join(items)


# ----------------------------------------------------------------------------------------------- IU reports

def shared_dir() -> Path:
    env = os.environ.get(MEDRAG_SHARED_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


def load_iu(path: Path) -> list[dict]:
    """All IU reports with non-empty FINDINGS and IMPRESSION, sorted by file name."""
    out = []
    with tarfile.open(path) as tf:
        for m in sorted(tf.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(tf.extractfile(m)).getroot()
            secs = {}
            for a in root.iter("AbstractText"):
                secs[(a.get("Label") or "").upper()] = re.sub(r"\s+", " ", (a.text or "")).strip()
            if not secs.get("FINDINGS") or not secs.get("IMPRESSION"):
                continue
            normal = any((x.text or "").strip().lower() == "normal" for x in root.iter("major"))
            out.append({"file": Path(m.name).stem, "findings": secs["FINDINGS"], "impression": secs["IMPRESSION"],
                        "indication": secs.get("INDICATION", ""), "comparison": secs.get("COMPARISON", ""),
                        "normal": normal})
    return out


def split_sents(text: str) -> list[str]:
    text = re.sub(r"(?:(?<=\s)|^)\d{1,2}[.)]\s+(?=[A-Za-z])", "\n", text)
    parts = []
    for chunk in text.split("\n"):
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])|(?<=\.)(?=[A-Z][a-z])", chunk):
            s = re.sub(r"(\s*\.)+$", ".", s.strip(" ;"))
            if len(re.sub(r"[^A-Za-z]", "", s)) >= 2:
                parts.append(end(s))
    return parts


SIDE_RE = re.compile(r"\b(right|left)\b", re.I)
BILAT_RE = re.compile(r"\b(bilateral\w*|both|bibasilar|bibasal|biapical|bilat)\b", re.I)
NEG_CUE_RE = re.compile(r"\b(no|not|without|negative|free of|clear|absent|resolved|resolution|unremarkable|normal|"
                        r"removed|nor|exclude[ds]?|ruled out|no longer|cleared|neither)\b", re.I)
HEDGE_RE = re.compile(r"\b(possibl\w*|may|might|cannot|can't|question\w*|likely|versus|vs|suggest\w*|suspicious|"
                      r"equivocal|borderline|probabl\w*|could|concern\w*|consider\w*|differential|or|vague|minimal|"
                      r"trace|tiny|subtle|mild|previous\w*|prior|history|old|chronic|stable|unchanged|healed|"
                      r"resolv\w*|improv\w*|decreas\w*|scar\w*)\b|\?", re.I)
GROUPS = {
    "effusion": r"effusion|pleural fluid",
    "pneumothorax": r"pneumothora",
    "airspace": r"consolidat|airspace|air space|air-space|infiltrat|pneumonia",
    "opacity": r"opacit|densit|atelecta",
    "edema": r"edema|oedema|congesti|kerley",
    "nodule": r"nodul|\bmass\b|masses",
    "collapse": r"collapse",
    "mediastinum": r"mediastin\w* widen|widen\w* mediastin|mediastinum is widened",
    "freeair": r"free air|free gas|pneumoperitoneum|subdiaphragmatic",
    "cardiomegaly": r"cardiomegaly|heart is enlarged|enlarged heart|heart size is (?:mildly |moderately )?enlarged|"
                    r"enlarged cardiac|cardiac silhouette is enlarged|cardiac enlargement",
    "fracture": r"fractur",
    "new": r"\bnew\b|increas|enlarging|worsen|progress",
}
COVER = {  # what in the impression counts as speaking of the group
    "effusion": r"effusion|fluid|pleural", "pneumothorax": r"pneumothora", "airspace": GROUPS["airspace"] + r"|opacit",
    "opacity": r"opacit|densit|atelecta|scar|consolidat|airspace|infiltrat|pneumonia|granulom|nodul",
    "edema": r"edema|oedema|congesti|failure|overload", "nodule": r"nodul|mass|granulom|neoplasm|malignan",
    "collapse": r"collapse|atelecta", "mediastinum": r"mediastin", "freeair": r"free air|pneumoperitoneum|free gas",
    "cardiomegaly": r"cardiomegaly|heart|cardiac", "fracture": r"fractur", "new": r"\bnew\b|increas|enlarg|worsen|"
    r"progress|interval",
}
LAT_GROUPS = {
    "effusion": r"effusion|pleural fluid", "pneumothorax": r"pneumothora",
    "lung": r"consolidat|airspace|air space|infiltrat|pneumonia|opacit|atelecta|densit|scar",
    "nodule": r"nodul|mass|granulom", "hemidiaphragm": r"hemidiaphragm|diaphragm",
    "hilar": r"\bhil(ar|um|a)\b", "fracture": r"fractur|\brib", "device": r"catheter|picc|port\b|pacemaker|pacer|"
    r"defibrillator|\btube\b|\bline\b|drain",
}


def mentions(s: str, pat: str) -> bool:
    return re.search(pat, s, re.I) is not None


def affirmed(s: str, pat: str) -> bool:
    """The sentence speaks of the group before any negation cue."""
    m = re.search(pat, s, re.I)
    if not m:
        return False
    n = NEG_CUE_RE.search(s)
    return n is None or m.start() < n.start()


def negated(s: str, pat: str) -> bool:
    m = re.search(pat, s, re.I)
    n = NEG_CUE_RE.search(s)
    return bool(m and n and n.start() < m.start())


NORMAL_IMP_RE = re.compile(r"^(no acute|negative|normal|no active|(there is )?no evidence of (acute|active)|"
                           r"unremarkable|clear|no radiographic|no significant|no cardiopulmonary|stable chest|"
                           r"no acute cardiopulmonary)[^.]*\.?$", re.I)


def is_normal_imp(sents: list[str]) -> bool:
    return all(NORMAL_IMP_RE.match(s) and not re.search(r"\bbut\b|\bexcept|with ", s, re.I) for s in sents)


def iu_clean(rep: dict) -> bool:
    """Conservative: the real report has no error of the five kinds that this generator can see."""
    fs, im = rep["fsents"], rep["isents"]
    if not fs or not im:
        return False
    blob = rep["findings"] + " " + rep["impression"] + " " + rep["indication"] + " " + rep["comparison"]
    if re.search(r"[\[\]{}<>_*#]|\?\?|TBD|&gt;|&lt;", blob):
        return False
    if len(rep["findings"]) > 900 or len(rep["impression"]) > 500:
        return False
    imp = " ".join(im)
    for g, pat in GROUPS.items():
        if any(affirmed(s, pat) for s in fs) and not re.search(COVER[g], imp, re.I):
            return False
        if any(affirmed(s, pat) for s in fs) and any(negated(s, pat) for s in im):
            return False
        if any(affirmed(s, pat) for s in im) and any(negated(s, pat) for s in fs) and \
                not any(affirmed(s, pat) for s in fs):
            return False
    for pat in LAT_GROUPS.values():
        fsides = {m.lower() for s in fs if mentions(s, pat) for m in SIDE_RE.findall(s)}
        isides = {m.lower() for s in im if mentions(s, pat) for m in SIDE_RE.findall(s)}
        if isides - fsides:
            return False
    if is_normal_imp(im) and any(affirmed(s, GROUPS["opacity"]) for s in fs):
        return False
    return True


REWORD = [
    (r"^There (is|are) no (?!evidence)", ["No ", "No evidence of "]),
    (r"^No acute cardiopulmonary abnormalit(y|ies)\.$", ["No acute cardiopulmonary process.",
                                                          "No acute cardiopulmonary disease.",
                                                          "No acute cardiorespiratory abnormality."]),
    (r"\bcardiomediastinal silhouette\b", ["cardiomediastinal contour", "cardiomediastinal outline",
                                           "heart and mediastinal contour"]),
    (r"\bwithin normal limits\b", ["within normal limits", "normal", "within normal range"]),
    (r"\bpneumothorax or pleural effusion\b", ["pneumothorax or pleural effusion", "pleural effusion or pneumothorax",
                                              "pneumothorax or effusion"]),
    (r"\bairspace disease\b", ["air-space disease", "airspace opacity", "airspace disease"]),
    (r"\bThe lungs are clear\b", ["The lungs are clear", "Lungs are clear", "The lung fields are clear"]),
    (r"\bHeart size (is )?normal\b", ["Normal heart size", "Heart size is normal", "The heart is normal in size"]),
    (r"\bosseous\b", ["osseous", "bony"]),
    (r"\bvisualized\b", ["visualized", "imaged"]),
    (r"\bbasilar\b", ["basilar", "basal"]),
    (r"\bNegative for acute\b", ["Negative for acute", "No evidence of acute"]),
    (r"\bconsistent with\b", ["consistent with", "in keeping with", "compatible with"]),
]


def reword(rng, s: str) -> str:
    for pat, subs in REWORD:
        if rng.random() < 0.6 and re.search(pat, s):
            s = re.sub(pat, pick(rng, subs), s, count=1)
    return s


IU_STYLES = ["us_std", "us_impfirst", "uk_nhs", "au_nz", "ie", "za", "sg", "trainee", "telerad", "bullets",
             "narrative", "caps", "lower"]


def iu_rep(rng, rep: dict, style: str) -> tuple[Rep, bool]:
    r = Rep()
    uk = style in UK_STYLES or (style in ("narrative", "bullets") and rng.random() < 0.4)
    r.uk = uk
    r.exam = pick(rng, ["Chest PA and lateral", "CHEST 2 VIEWS", "XR Chest", "Chest radiograph", "CXR PA/LAT"])
    r.clinical = end(rep["indication"]) if rep["indication"] else pick(rng, ["Not stated.", "Routine."])
    r.comparison = end(rep["comparison"]) if rep["comparison"] else "None."
    r.findings = [("Other", s) for s in rep["fsents"]]
    r.impression = list(rep["isents"])
    if style == "trainee":
        r.addendum = pick(rng, ["Reviewed with the attending radiologist; agree with the above.",
                                "I have personally reviewed the images and agree."])
    return r, uk


def reword_rep(rng, r: Rep) -> None:
    r.findings = [(a, reword(rng, s)) for a, s in r.findings]
    r.impression = [reword(rng, s) for s in r.impression]


# --- IU injections (each returns detail or None when the report does not suit)

AFFIRM_I = {
    "pneumothorax": ["Small {side} apical pneumothorax.", "{Side} pneumothorax.", "Moderate {side} pneumothorax."],
    "effusion": ["Small {side} pleural effusion.", "Moderate {side} pleural effusion.", "{Side} pleural effusion."],
    "airspace": ["{Side} lower lobe pneumonia.", "{Side} basilar consolidation.", "Focal {side} upper lobe airspace "
                 "disease, likely pneumonia."],
    "cardiomegaly": ["Cardiomegaly.", "Moderate cardiomegaly.", "Enlarged cardiac silhouette."],
    "edema": ["Pulmonary edema.", "Interstitial pulmonary edema.", "Mild pulmonary vascular congestion and edema."],
}
NEG_I_IU = {
    "pneumothorax": NEG_PTX_I, "effusion": NEG_EFF_I, "airspace": NEG_CONS_I,
    "cardiomegaly": NEG_HEART_I, "edema": ["No pulmonary edema.", "No edema or vascular congestion."],
}
QUALIFIER_RE = re.compile(r"\b(large|significant|sizable|sizeable|overt|frank|gross|definite|visible|"
                          r"displaced|acute|typical|obvious)\b", re.I)


def iu_laterality(rng, r: Rep) -> str | None:
    fs = [s for _, s in r.findings]
    cands = []
    for gname, pat in LAT_GROUPS.items():
        if gname == "device":
            continue
        isents = [j for j, s in enumerate(r.impression) if mentions(s, pat)]
        fsents = [s for s in fs if mentions(s, pat)]
        if len(isents) != 1 or not fsents:
            continue
        s = r.impression[isents[0]]
        sides = SIDE_RE.findall(s)
        if len(sides) != 1 or BILAT_RE.search(s) or NEG_CUE_RE.search(s) or \
                re.search(r"previous|prior|not (well )?seen|resolv", s, re.I):
            continue
        side = sides[0].lower()
        fsides = {m.lower() for x in fsents for m in SIDE_RE.findall(x)}
        if fsides != {side} or any(BILAT_RE.search(x) for x in fsents):
            continue
        if any(SIDE_RE.search(x) and OPP[side] in x.lower() for x in fs):
            continue   # the opposite side is spoken of elsewhere in the findings: keep it unambiguous
        cands.append((gname, isents[0], side))
    if not cands:
        return None
    gname, j, side = pick(rng, cands)
    s = r.impression[j]
    r.impression[j] = SIDE_RE.sub(lambda m: _case_like(m.group(0), OPP[side]), s, count=1)
    return f"{gname}: findings {side}, impression flipped to {OPP[side]}"


def _case_like(src: str, word: str) -> str:
    return word.upper() if src.isupper() else cap(word) if src[0].isupper() else word


def iu_negation(rng, r: Rep, sd: Side, want: str) -> str | None:
    """want "a": findings affirm, impression negates; "b": findings negate, impression affirms."""
    fs = [s for _, s in r.findings]
    opts = []
    for g in AFFIRM_I:
        pat = GROUPS[g]
        f_aff = [s for s in fs if affirmed(s, pat) and not HEDGE_RE.search(s)]
        f_neg = [s for s in fs if negated(s, pat) and not QUALIFIER_RE.search(s)]
        i_any = [j for j, s in enumerate(r.impression) if mentions(s, pat)]
        # the impression sentence to be replaced speaks of this finding only (else its loss is a second error)
        if f_aff and len(i_any) == 1 and affirmed(r.impression[i_any[0]], pat) and \
                not any(negated(s, pat) for s in fs) and \
                not any(mentions(r.impression[i_any[0]], p2) for g2, p2 in GROUPS.items() if g2 not in (g, "new")) \
                and not re.search(r"\band\b|\bwith\b|;|\bplus\b", r.impression[i_any[0]], re.I):
            opts.append(("a", g, i_any[0]))
        if g == "airspace" and any(affirmed(s, GROUPS["opacity"]) for s in fs):
            continue
        if f_neg and not i_any and not any(affirmed(s, pat) for s in fs) and \
                not any(mentions(s, pat) for s in r.impression):
            opts.append(("b", g, None))
    if not opts:
        return None
    opts = [o for o in opts if o[0] == want]
    if not opts:
        return None
    d, g, j = pick(rng, opts)
    pat_g = GROUPS[g]
    if d == "a":
        neg = pick(rng, NEG_I_IU[g])
        old = r.impression[j]
        r.impression[j] = neg
        return f"{g} affirmed in findings; impression '{old}' replaced by '{neg}'"
    aff = sd.fill(pick(rng, AFFIRM_I[g]), pick(rng, ["right", "left"]))
    if g in ("pneumothorax", "effusion", "airspace") and any(SIDE_RE.search(s) for s in fs if mentions(s, GROUPS[g])):
        return None
    rest = [s for s in r.impression if not NORMAL_IMP_RE.match(s) and not negated(s, pat_g) and
            not re.search(r"clear|no acute|no active|negative|normal", s, re.I)]
    if not rest:
        r.impression = [aff]
    else:
        r.impression = rest
        r.impression.insert(rng.randrange(len(r.impression) + 1), aff)
    return f"findings negate {g}; impression affirms '{aff}'"


IU_INSERT = {
    "pneumothorax": (["There is a moderate {side} apical pneumothorax measuring 3 cm.",
                      "{Side} pneumothorax is present, with the pleural edge 2 cm below the apex."],
                     r"pneumothora|pleural space|lungs are clear|clear lungs|lungs .*clear"),
    "freeair": (["Free air is seen beneath the {side} hemidiaphragm.",
                 "There is a crescent of free intraperitoneal air under the {side} hemidiaphragm."],
                r"free air|subdiaphragm|diaphragm|upper abdomen|pneumoperitoneum"),
    "mediastinum": (["The mediastinum is widened, measuring 10 cm at the level of the aortic arch."],
                    r"mediastin|cardiomediastinal|contour|silhouette"),
    "edema": (["There is pulmonary vascular congestion with bilateral interstitial edema and Kerley B lines.",
               "Diffuse bilateral interstitial and perihilar airspace opacities consistent with pulmonary edema."],
              r"edema|vascular|vascularity|congest|lungs .*clear|clear lungs|interstitial|airspace|opacit"),
    "airspace": (["There is focal consolidation in the {side} lower lobe with air bronchograms.",
                  "Dense airspace consolidation is present in the {side} upper lobe."],
                 r"consolidat|airspace|air space|infiltrat|pneumonia|lungs .*clear|clear lungs|opacit"),
    "nodule": (["A 14 mm nodule is seen in the {side} upper lobe.", "There is a 2.5 cm mass in the {side} "
                "midlung."], r"nodul|mass|lungs .*clear|clear lungs|granulom|opacit|density|densities"),
    "effusion": (["There is a large {side} pleural effusion.", "Moderate {side} pleural effusion is present."],
                 r"effusion|pleural|costophrenic|sulc"),
    "collapse": (["There is collapse of the {side} lower lobe with volume loss.",
                  "{Side} upper lobe collapse with elevation of the {side} hilum."],
                 r"collapse|atelecta|volume|lungs .*clear|clear lungs|hil|opacit|consolidat|airspace|density"),
}


def iu_omit(rng, r: Rep, sd: Side, want_normal: bool) -> str | None:
    if is_normal_imp(r.impression) != want_normal:
        return None
    if any(re.search(r"stable|unchanged|improv|progress|prior|compared|previous|interval|again|change|outside", s,
                     re.I) for s in [s for _, s in r.findings] + r.impression):
        return None   # serial wording would clash with an inserted finding
    g = pick(rng, sorted(IU_INSERT))
    tpls, conflict = IU_INSERT[g]
    imp = " ".join(r.impression)
    if re.search(COVER.get(g, g), imp, re.I) or re.search(conflict, imp, re.I):
        return None
    if SIDE_RE.search(imp):
        return None
    kept = [(a, s) for a, s in r.findings if not re.search(conflict, s, re.I)]
    if not kept:
        return None
    side = pick(rng, ["right", "left"])
    sent = sd.fill(pick(rng, tpls), side)
    kept.insert(rng.randrange(len(kept) + 1), ("Other", sent))
    removed = len(r.findings) + 1 - len(kept)
    r.findings = kept
    how = "normal impression" if want_normal else "impression lists other findings"
    return f"inserted '{sent}' in findings ({removed} conflicting sentence(s) dropped); {how} kept"


# ----------------------------------------------------------------------------------------------- shared injections

SIDE_PH = ["[LEFT/RIGHT]", "<side>", "[side]", "[R/L]", "[RIGHT/LEFT]"]
MEAS_PH = ["XX mm", "XX cm", "?? cm", "?? mm", "{size}", "***size***", "__ mm", "{n} cm"]
FIELD_PH = ["[***]", "[ ]", "(insert)", "___", "<clinical history>", "TBD"]
DATE_PH = ["<date>", "[DATE]", "__/__/____", "TBD", "[Select]", "[***]"]


def inject_placeholder(rng, r: Rep) -> str:
    opts = []
    for idx, (_, s) in enumerate(r.findings):
        if SIDE_RE.search(s):
            opts.append(("side_f", idx))
        if re.search(r"\b\d+(\.\d+)? ?(mm|cm)\b", s):
            opts.append(("meas_f", idx))
        if re.search(r"\b(small|moderate|large|mild)\b", s, re.I):
            opts.append(("size_f", idx))
        if s in ("Heart size is normal.", "Normal heart size.", "Heart size is normal"):
            opts.append(("heart", idx))
    for idx, s in enumerate(r.impression):
        if SIDE_RE.search(s):
            opts.append(("side_i", idx))
    opts += [("clin", None), ("comp", None), ("imp_blank", None), ("rec", None)]
    if r.communication:
        opts.append(("comm", None))
    kind, idx = pick(rng, opts)
    if kind in ("side_f", "side_i"):
        tok = pick(rng, SIDE_PH)
        if kind == "side_f":
            a, s = r.findings[idx]
            r.findings[idx] = (a, SIDE_RE.sub(tok, s, count=1))
            return f"side in a findings sentence replaced by {tok}"
        r.impression[idx] = SIDE_RE.sub(tok, r.impression[idx], count=1)
        return f"side in an impression item replaced by {tok}"
    if kind == "meas_f":
        tok = pick(rng, MEAS_PH)
        a, s = r.findings[idx]
        unit = re.search(r"\b\d+(\.\d+)? ?(mm|cm)\b", s).group(2)
        if tok.endswith(" mm") or tok.endswith(" cm"):
            tok = tok[:-2] + unit
        new = re.sub(r"\b\d+(\.\d+)? ?(mm|cm)\b", tok if " " in tok else f"{tok} {unit}", s, count=1)
        r.findings[idx] = (a, new)
        return f"measurement replaced by a blank ({tok})"
    if kind == "size_f":
        tok = pick(rng, ["[small/moderate/large]", "{size}", "***", "[Select]"])
        a, s = r.findings[idx]
        r.findings[idx] = (a, re.sub(r"\b(small|moderate|large|mild)\b", tok, s, count=1, flags=re.I))
        return f"size word replaced by {tok}"
    if kind == "heart":
        a, _ = r.findings[idx]
        r.findings[idx] = (a, "Heart size: [normal/enlarged].")
        return "heart size left as template option [normal/enlarged]"
    if kind == "clin":
        tok = pick(rng, FIELD_PH)
        r.clinical = tok
        return f"clinical information field left as {tok}"
    if kind == "comp":
        tok = pick(rng, DATE_PH)
        r.comparison = pick(rng, [f"Chest radiograph dated {tok}.", f"{tok}", f"Prior study of {tok}."])
        return f"comparison date left as {tok}"
    if kind == "imp_blank":
        tok = pick(rng, ["***", "[***]", "__", "(insert)", "[Select]"])
        pos = rng.randrange(len(r.impression) + 1)
        r.impression.insert(pos, tok)
        return f"empty dictation item {tok} left in the impression"
    if kind == "comm":
        tok = pick(rng, ["[Dr name]", "Dr ___", "[ time ]"])
        r.communication = (f"Result discussed with {tok} by telephone." if tok != "[ time ]" else
                           f"Result discussed with the referring team at {tok}.")
        return f"communication line left with {tok}"
    tok = pick(rng, ["[Select]", "__", "TBD", "{n}"])
    r.recommendation = pick(rng, [f"Follow-up chest radiograph in {tok} weeks.",
                                  f"Recommend {tok} for further assessment.", f"Repeat imaging in {tok} months."])
    return f"recommendation left with {tok}"


def inject_missing(rng, r: Rep) -> str:
    which = pick(rng, ["findings", "impression"])
    r.drop = which
    r.drop_mode = pick(rng, ["empty", "absent"])
    if r.drop_mode == "empty":
        return f"{which} header kept with nothing under it"
    return f"{which} section removed (header and body)"


# ----------------------------------------------------------------------------------------------- build

def case_id(seed: int, n: int, text: str) -> str:
    return "h9-" + hashlib.sha256(f"{seed}:{n}:{text}".encode()).hexdigest()[:12]


def build(seed: int, iu: list[dict]) -> list[dict]:
    rng = random.Random(seed)
    for rep in iu:
        rep.setdefault("fsents", split_sents(rep["findings"]))
        rep.setdefault("isents", split_sents(rep["impression"]))
    pool = [rep for rep in iu if iu_clean(rep)]
    pool_normal = [rep for rep in pool if rep["normal"]]
    pool_abn = [rep for rep in pool if not rep["normal"]]
    rng.shuffle(pool_normal)
    rng.shuffle(pool_abn)
    used: set[str] = set()

    tried: dict[str | None, set[str]] = {}

    def next_iu(prefer_abn: float, kind: str | None) -> dict:
        src = pool_abn if rng.random() < prefer_abn else pool_normal
        seen = tried.setdefault(kind, set())
        for rep in src:
            if rep["file"] not in used and rep["file"] not in seen:
                used.add(rep["file"])
                seen.add(rep["file"])
                return rep
        raise RuntimeError("IU pool exhausted")

    plan: list[tuple[str | None, str]] = []
    for kind, n in [(None, N_CLEAN)] + [(k, N_PER_KIND) for k in KINDS]:
        n_comp = round(n * COMPOSED_SHARE)
        plan += [(kind, "composed")] * n_comp + [(kind, "iu")] * (n - n_comp)
    cases = []
    omit_flip = neg_flip = 0
    for kind, source in plan:
        if source == "composed":
            if kind in (None, "missing_section", "placeholder"):
                r, style, detail = compose(rng, None)
            else:
                r, style, detail = compose(rng, kind)
            if kind == "missing_section":
                detail = inject_missing(rng, r)
            elif kind == "placeholder":
                detail = inject_placeholder(rng, r)
            text = layout(rng, r, style, r.uk)
            src = f"[composed:{style}]"
        else:
            for _attempt in range(3000):
                rep = next_iu(0.55 if kind is None else 0.5 if kind != "impression_omits_finding" else
                              (0.0 if omit_flip % 2 == 0 else 1.0), kind)
                style = pick(rng, IU_STYLES)
                r, uk = iu_rep(rng, rep, style)
                reword_rep(rng, r)
                sd = Side(abbr=False)
                detail = "no change (real report, re-laid-out)"
                if kind == "missing_section":
                    detail = inject_missing(rng, r)
                elif kind == "placeholder":
                    detail = inject_placeholder(rng, r)
                elif kind == "laterality_conflict":
                    detail = iu_laterality(rng, r)
                elif kind == "negation_conflict":
                    detail = iu_negation(rng, r, sd, "a" if neg_flip % 2 == 0 else "b")
                elif kind == "impression_omits_finding":
                    detail = iu_omit(rng, r, sd, want_normal=omit_flip % 2 == 0)
                if detail is None:
                    used.discard(rep["file"])
                    continue
                break
            else:
                raise RuntimeError(f"no IU report suits {kind}")
            if kind == "impression_omits_finding":
                omit_flip += 1
            if kind == "negation_conflict":
                neg_flip += 1
            text = layout(rng, r, style, uk, organ_ok=False)
            src = f"[iu:{rep['file']}:{style}]"
        cases.append({"injected": kind, "detail": f"{src} {detail}", "report": text})
    rng.shuffle(cases)
    out = []
    for n, c in enumerate(cases):
        out.append({"id": case_id(seed, n, c["report"]), "injected": c["injected"], "detail": c["detail"],
                    "report": c["report"]})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="output JSONL path")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--show", type=int, default=0, help="print N cases per kind (and N clean) to stdout")
    a = ap.parse_args(argv)
    path = shared_dir() / IU_REL
    if not path.is_file():
        print(f"make_heldout9: the IU archive {path} is missing; set {MEDRAG_SHARED_ENV} to the shared folder "
              "(the one holding data/iu_reports/NLMCXR_reports.tgz)", file=sys.stderr)
        return 2
    cases = build(a.seed, load_iu(path))
    with open(a.out, "w", encoding="utf-8") as fh:
        for c in cases:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == kind][: a.show]:
                print(f"===== {c['id']}  injected={kind}  {c['detail']}\n{c['report']}\n")
    counts = {k or "clean": sum(c["injected"] == k for c in cases) for k in [None] + KINDS}
    print(f"wrote {len(cases)} cases to {a.out}: {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
