"""Held-out test set no. 10 for the offline chest X-ray report checker.

Written blind: the author of this generator never saw the checker, its code, its docs, its tests, its
development set or any other held-out generator. It knows only the output format of
`shared/eval/score_report_checks.py` and how radiologists write.

    python -m bench.make_heldout10 OUT.jsonl --seed S [--show N]

writes 400 JSONL lines, shuffled and deterministic per seed: 200 unmodified ("clean") reports and 40
for each of the five error kinds, each injected report carrying exactly one error. Each line is
`{"id", "injected": null | kind, "detail", "report"}`; the id is a hash that does not reveal the kind.

Half of every group (clean and each kind) is composed from this module's own phrase bank (findings
built from a structured list, then written in one of several house styles: US academic, community
hospital, ED preliminary read, ICU daily film, post-operative cardiac surgery, oncology follow-up,
organ sub-headings, numbered findings, impression first, speech-recognition dictation,
Indian / Middle-Eastern / British English). The other half are real IU (Open-i) reports from
`shared/data/iu_reports/NLMCXR_reports.tgz`, re-laid-out and re-worded by the rules below.
`XXXX` in IU text is the collection's de-identification mask, not an error; composed reports never use it.

Kinds: missing_section (FINDINGS or IMPRESSION absent, or a header with nothing under it),
laterality_conflict (one finding on one side in FINDINGS, the other side in IMPRESSION),
negation_conflict (a finding affirmed in one section and ruled out in the other),
impression_omits_finding (FINDINGS plainly affirm a significant finding the IMPRESSION leaves out),
placeholder (an unfilled template field or dictation blank, see PLACEHOLDER_TOKENS).

The shared folder is `$MEDRAG_SHARED_DIR` (default `<repo>/../shared`); without it the script exits 2.
Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40
ARCHIVE = Path("data") / "iu_reports" / "NLMCXR_reports.tgz"

# Every placeholder this generator may insert (matched case-insensitively). Clean reports hold none.
PLACEHOLDER_TOKENS = (
    "[***]", "***", "[ ]", "{ }", "___", "{SIZE}", "{side}", "[LEFT/RIGHT]", "[left / right]",
    "XX mm", "xx cm", "X.X cm", "<<DATE>>", "[DATE]", "__/__/____", "{{comparison_date}}",
    "[Clinical history]", "[INDICATION]", "<insert impression>", "@RESULT@", "[normal/enlarged]",
    "[small/moderate/large]", "**SIZE**", "[FINDING]", "<<LEVEL>>", "[ ] normal  [ ] abnormal", "[?]",
)

FINDINGS_HEADERS = ("FINDINGS", "Findings", "OBSERVATIONS", "Observations")
IMPRESSION_HEADERS = ("IMPRESSION", "Impression", "CONCLUSION", "Conclusion", "OPINION")
OTHER_HEADERS = (
    "EXAMINATION", "Examination", "EXAM", "Exam", "CLINICAL HISTORY", "Clinical history", "Clinical details",
    "INDICATION", "Indication", "History", "Hx", "TECHNIQUE", "Technique", "COMPARISON", "Comparison",
    "Recommendation", "RECOMMENDATION", "Clinical information", "CLINICAL INFORMATION", "Reported by",
)
_FOOTER_RE = re.compile(r"^(Kindly correlate|Please correlate|Suggest clinical|Final report to follow|"
                        r"PRELIMINARY REPORT)")
_HEADER_RE = re.compile(r"^\s*([A-Za-z][A-Za-z ]{1,30}):[ \t]*(.*)$")

SIDE_FORMS = {
    "right": ("right", "Right", "R", "Rt", "right-sided", "RIGHT"),
    "left": ("left", "Left", "L", "Lt", "left-sided", "LEFT"),
}
NEGATION_CUES = (
    "no ", "without", "free of", "negative for", "absent", "not seen", "not demonstrated", "no longer",
    "resolved", "resolution", "excluded", "clear", "unremarkable", "within normal limits", "normal",
)
# Words that name the same finding; an omitted finding's family appears nowhere in the impression.
FAMILY_TERMS = {
    "pneumothorax": ("pneumothora", "pleural air", "ptx"),
    "free_air": ("free air", "free gas", "pneumoperitoneum", "subdiaphragmatic"),
    "mediastinum": ("mediastin",),
    "edema": ("edema", "oedema", "congestion", "heart failure", "kerley", "chf", "vascul", "clear"),
    "consolidation": ("consolidat", "airspace", "air space", "pneumonia", "infiltrat", "opacit", "lung", "clear"),
    "nodule": ("nodul", "mass", "lesion", "opacit", "neoplas", "malignan", "lung", "clear"),
    "mass": ("mass", "nodul", "lesion", "neoplas", "malignan", "tumou", "tumor", "lung", "clear", "hilar", "hilum"),
    "effusion": ("effusion", "pleural", "fluid", "costophrenic", "cp angle"),
    "collapse": ("collapse", "atelecta", "lobe", "volume loss", "lung", "clear", "opacit"),
}


# ----------------------------------------------------------------------------------------------
# Document model shared by composed and IU reports


@dataclass
class Doc:
    findings: list[tuple[str, str]]  # (organ, sentence)
    impression: list[str]
    exam: str | None = None
    history: str | None = None
    technique: str | None = None
    comparison: str | None = None
    recommendation: str | None = None
    drop: tuple[str, str] | None = None  # (section, "remove" | "empty") for missing_section
    tail: str | None = None  # free line at the end (e.g. "Kindly correlate clinically.")


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def sent(s: str) -> str:
    s = cap(s.strip())
    return s if s.endswith((".", "?", "!")) else s + "."


def opp(side: str) -> str:
    return "left" if side == "right" else "right"


def side_word(side: str, form: str) -> str:
    i = {"full": 0, "abbr": 2, "short": 3, "sided": 4}[form]
    return SIDE_FORMS[side][i]


def adj(lb: str) -> str:
    """A lobe name used before a noun: 'lingula' -> 'lingular'."""
    return re.sub(r"\b([Ll])ingula\b", r"\1ingular", lb)


def lobe(side: str, zone: str, form: str) -> str:
    """'full': right lower lobe; 'abbr': RLL; 'zone': right lower zone. middle on the left = lingula."""
    if zone == "middle":
        if form == "abbr":
            return "RML" if side == "right" else "lingula"
        if form == "zone":
            return f"{side} mid zone"
        return "right middle lobe" if side == "right" else "lingula"
    if form == "abbr":
        return ("R" if side == "right" else "L") + ("U" if zone == "upper" else "L") + "L"
    if form == "zone":
        return f"{side} {zone} zone"
    return f"{side} {zone} lobe"


# ----------------------------------------------------------------------------------------------
# Composed findings


@dataclass
class Fnd:
    key: str  # family, see FAMILY_TERMS for the significant ones
    organ: str  # lungs, pleura, heart, mediastinum, bones, lines, abdomen
    side: str | None
    ftext: Callable[[str | None], str]  # findings sentence for a side
    itext: Callable[[str | None], str] | None  # impression sentence for a side; None: minor, may be left out
    significant: bool
    neg_f: list[str] = field(default_factory=list)  # findings sentences that rule it out
    neg_i: list[str] = field(default_factory=list)  # impression sentences that rule it out
    term: str = ""  # a word of the finding that appears in ftext


NEG_F = {
    "effusion": ["No pleural effusion.", "Costophrenic angles are sharp and clear.", "No pleural fluid is seen.",
                 "Pleural spaces are free of fluid.", "Both CP angles are clear.", "Negative for pleural effusion."],
    "pneumothorax": ["No pneumothorax.", "Pneumothorax is not seen.", "No pneumothorax is demonstrated.",
                     "There is no radiographic evidence of pneumothorax."],
    "consolidation": ["The lungs are clear.", "No focal consolidation.", "Both lung fields are clear.",
                      "No focal airspace disease is demonstrated.", "Lungs are clear without consolidation."],
    "edema": ["No pulmonary oedema.", "Pulmonary vascularity is within normal limits.", "No pulmonary edema.",
              "No features of cardiac failure."],
    "heart": ["Heart size is normal.", "Cardiac silhouette is within normal limits.", "Cardiothoracic ratio is normal.",
              "The heart is not enlarged."],
    "mediastinum": ["Mediastinal contours are unremarkable.", "The mediastinum is not widened.",
                    "Normal mediastinal width."],
    "free_air": ["No free air under the diaphragm.", "No free subdiaphragmatic gas.", "No pneumoperitoneum."],
    "nodule": ["No pulmonary nodule or mass.", "No suspicious pulmonary nodules.", "No focal lung mass."],
    "fracture": ["No acute rib fracture.", "No displaced rib fracture is seen.", "Bony thorax is intact."],
}
NEG_I = {
    "effusion": ["No pleural effusion.", "No effusion.", "Negative for pleural effusion."],
    "pneumothorax": ["No pneumothorax.", "Pneumothorax excluded.", "No pneumothorax is seen."],
    "consolidation": ["No pneumonia.", "No focal consolidation.", "Lungs clear; no pneumonia."],
    "edema": ["No pulmonary oedema.", "No evidence of heart failure.", "No pulmonary edema."],
    "heart": ["Normal heart size.", "Heart size normal."],
    "mediastinum": ["Mediastinum is not widened.", "No mediastinal widening."],
    "free_air": ["No pneumoperitoneum.", "No free air under the diaphragm."],
    "nodule": ["No pulmonary nodule or mass.", "No lung mass or nodule."],
    "fracture": ["No rib fracture.", "No acute fracture."],
}
# Normal statements: (organ, covers, text); used only when none of `covers` is present.
NORMALS = [
    ("lungs", ("consolidation", "nodule", "mass", "edema", "collapse", "atelectasis", "minor_copd",
               "hedged_consolidation", "hedged_nodule"),
     ["The lungs are clear.", "Both lung fields are clear.", "Lungs are clear bilaterally.",
      "No focal airspace disease.", "The lung parenchyma is unremarkable.",
      "No consolidation is demonstrated.", "Lungs are well expanded and clear."]),
    ("pleura", ("effusion", "pneumothorax", "hedged_pneumothorax", "hedged_effusion"),
     ["No pleural effusion or pneumothorax.", "No pneumothorax or pleural effusion.",
      "Costophrenic angles are clear; no pneumothorax.", "Pleural spaces are free of fluid and air.",
      "Negative for pleural effusion and pneumothorax.", "Pleural effusion and pneumothorax are absent.",
      "Both costophrenic angles are clear. No pneumothorax."]),
    ("heart", ("heart",), ["Heart size is normal.", "Cardiac silhouette is within normal limits.",
                           "Normal cardiac size.", "Cardiothoracic ratio is within normal limits.",
                           "Cardiac size is within normal limits."]),
    ("mediastinum", ("mediastinum", "hilar", "hedged_hilar"),
     ["Mediastinal and hilar contours are unremarkable.", "Mediastinum is central and not widened.",
      "Hila are normal.", "Normal mediastinal contours.", "Both hila are normal."]),
    ("bones", ("fracture", "old_fracture", "minor_spine", "minor_sternotomy"),
     ["No acute osseous abnormality.", "Bony thorax is intact.",
                              "Visualized bones are unremarkable.", "No acute bony injury is seen.",
      "Bony cage is normal."]),
]


def _pick(rng: random.Random, xs: list) -> object:
    return xs[rng.randrange(len(xs))]


def f_effusion(rng: random.Random, side: str, size: str) -> Fnd:
    v, w = rng.randrange(5), rng.randrange(3)
    sig = size in ("moderate", "large", "small-to-moderate")

    def ft(s: str | None) -> str:
        return [f"{cap(size)} {s} pleural effusion.",
                f"There is a {size} {side_word(s, 'sided')} pleural effusion with blunting of the {s} "
                f"costophrenic angle.",
                f"{cap(size)} effusion in the {s} hemithorax.",
                f"{cap(side_word(s, 'short'))} pleural effusion, {size}, with a meniscus.",
                f"{cap(size)} {s} pleural effusion is present."][v]

    def it(s: str | None) -> str:
        return [f"{cap(size)} {s} pleural effusion.", f"{cap(size)} {side_word(s, 'sided')} effusion.",
                f"{cap(s)} pleural effusion ({size})."][w]
    return Fnd("effusion", "pleura", side, ft, it, sig, NEG_F["effusion"], NEG_I["effusion"], "effusion")


def f_pneumothorax(rng: random.Random, side: str) -> Fnd:
    v, w = rng.randrange(5), rng.randrange(4)
    cm = _pick(rng, ["1.5", "2", "2.5", "3", "1"])

    def ft(s: str | None) -> str:
        return [f"Small {s} apical pneumothorax, {cm} cm apex to cupola.",
                f"There is a {s} pneumothorax with a visible pleural edge at the {s} apex.",
                f"{cap(side_word(s, 'sided'))} pneumothorax, rim of {cm} cm laterally.",
                f"{cap(s)} apical pneumothorax measuring {cm} cm.",
                f"A moderate {s} pneumothorax is present without mediastinal shift."][v]

    size = "moderate" if v == 4 else "small"

    def it(s: str | None) -> str:
        return [f"{cap(s)} pneumothorax.", f"{cap(size)} {s} pneumothorax.",
                f"{cap(side_word(s, 'short'))} pneumothorax, clinical team informed.",
                f"{cap(s)}-sided pneumothorax."][w]
    return Fnd("pneumothorax", "pleura", side, ft, it, True, NEG_F["pneumothorax"], NEG_I["pneumothorax"],
               "pneumothorax")


def f_consolidation(rng: random.Random, side: str) -> Fnd:
    zone = _pick(rng, ["lower", "lower", "upper", "middle"])
    v, w = rng.randrange(5), rng.randrange(4)
    form_f, form_i = _pick(rng, ["full", "abbr", "zone"]), _pick(rng, ["full", "abbr"])

    def ft(s: str | None) -> str:
        lb = lobe(s, zone, form_f)
        return [f"Consolidation in the {lb} with air bronchograms.",
                f"Dense airspace consolidation in the {lb}.",
                f"There is focal consolidation in the {lb}.",
                f"Patchy consolidation involving the {lb}.",
                f"Airspace consolidation is seen in the {lb}."][v]

    def it(s: str | None) -> str:
        lb = lobe(s, zone, form_i)
        return [f"{cap(adj(lb))} pneumonia.", f"{cap(adj(lb))} consolidation, consistent with pneumonia.",
                f"Consolidation of the {lb}, in keeping with infection.", f"{cap(adj(lb))} pneumonia; follow-up "
                f"radiograph after treatment advised."][w]
    return Fnd("consolidation", "lungs", side, ft, it, True, NEG_F["consolidation"], NEG_I["consolidation"],
               "consolidation")


def f_collapse(rng: random.Random, side: str) -> Fnd:
    zone = _pick(rng, ["lower", "upper"])
    v, w = rng.randrange(3), rng.randrange(3)

    def ft(s: str | None) -> str:
        lb = lobe(s, zone, "full")
        if v == 0 and s == "left" and zone == "lower":
            return "Triangular retrocardiac opacity with loss of the medial left hemidiaphragm, in keeping with " \
                   "left lower lobe collapse."
        return [f"Complete collapse of the {lb} with volume loss.",
                f"There is collapse of the {lb}, with shift of the fissure.",
                f"{cap(lb)} collapse with elevation of the {s} hemidiaphragm."][v]

    def it(s: str | None) -> str:
        lb = lobe(s, zone, _pick(random.Random(w), ["full", "abbr"]))
        return [f"{cap(lb)} collapse.", f"Collapse of the {lb}; consider mucus plugging.",
                f"{cap(lb)} collapse, recommend bronchoscopy if persistent."][w]
    return Fnd("collapse", "lungs", side, ft, it, True, NEG_F["consolidation"], [], "collapse")


def f_atelectasis_minor(rng: random.Random, side: str) -> Fnd:
    v = rng.randrange(3)

    def ft(s: str | None) -> str:
        return [f"Linear atelectasis at the {s} base.", f"Minor plate atelectasis in the {s} lower zone.",
                f"Subsegmental atelectasis at the {s} lung base."][v]

    def it(s: str | None) -> str:
        return f"Minor {s} basal atelectasis."
    return Fnd("atelectasis", "lungs", side, ft, it, False, [], [], "atelectasis")


def f_nodule(rng: random.Random, side: str, mm: int, prior: int | None = None) -> Fnd:
    zone = _pick(rng, ["upper", "lower", "middle", "upper"])
    v, w = rng.randrange(4), rng.randrange(3)
    form = _pick(rng, ["full", "abbr"])
    sig = mm >= 6
    ch = ""
    if prior is not None:
        ch = f", previously {prior} mm" if prior != mm else ", unchanged"

    def ft(s: str | None) -> str:
        lb = lobe(s, zone, form)
        return [f"{mm} mm nodule in the {lb}{ch}.", f"A {mm} mm rounded nodule projects over the {lb}{ch}.",
                f"Solitary pulmonary nodule in the {lb}, measuring {mm} mm{ch}.",
                f"There is a well-defined {mm} mm nodule in the {lb}{ch}."][v]

    def it(s: str | None) -> str:
        lb = lobe(s, zone, "full")
        trend = "" if prior is None else (" (increased)" if mm > prior else " (stable)" if mm == prior else "")
        return [f"{mm} mm {adj(lb)} nodule{trend}; CT chest recommended.",
                f"{cap(adj(lb))} pulmonary nodule, {mm} mm{trend}.",
                f"Nodule in the {lb} ({mm} mm){trend}. Further evaluation with CT advised."][w]
    return Fnd("nodule", "lungs", side, ft, it if sig else None, sig, NEG_F["nodule"], NEG_I["nodule"], "nodule")


def f_mass(rng: random.Random, side: str) -> Fnd:
    a = rng.randrange(25, 70) / 10
    b = round(a * rng.uniform(0.6, 0.95), 1)
    zone = _pick(rng, ["upper", "lower"])
    v, w = rng.randrange(4), rng.randrange(3)

    def ft(s: str | None) -> str:
        return [f"Lobulated {a} x {b} cm mass in the {lobe(s, zone, 'full')}.",
                f"There is a {a} cm spiculated mass in the {lobe(s, zone, 'zone')}.",
                f"{cap(s)} perihilar mass measuring {a} x {b} cm.",
                f"A {a} cm mass projects over the {lobe(s, zone, 'abbr')}."][v]

    def it(s: str | None) -> str:
        return [f"{cap(s)} lung mass ({a} cm), suspicious for malignancy; CT chest recommended.",
                f"{a} cm {s} lung mass, suspicious for neoplasm.",
                f"{cap(s)}-sided mass lesion, {a} cm. Recommend contrast-enhanced CT."][w]
    return Fnd("mass", "lungs", side, ft, it, True, NEG_F["nodule"], NEG_I["nodule"], "mass")


def f_edema(rng: random.Random) -> Fnd:
    v, w = rng.randrange(4), rng.randrange(4)

    def ft(s: str | None) -> str:
        return ["Upper lobe venous diversion with perihilar haziness and Kerley B lines, consistent with "
                "interstitial oedema.",
                "Pulmonary vascular congestion with bilateral interstitial edema.",
                "There is increased interstitial marking with septal lines and peribronchial cuffing in keeping "
                "with pulmonary edema.",
                "Bilateral perihilar airspace shadowing in a bat-wing distribution, consistent with alveolar "
                "oedema."][v]

    def it(s: str | None) -> str:
        return ["Pulmonary oedema.", "Congestive heart failure with pulmonary edema.",
                "Findings consistent with fluid overload / pulmonary edema.", "Pulmonary oedema, likely cardiac."][w]
    term = ["oedema", "edema", "edema", "oedema"][v]
    return Fnd("edema", "lungs", None, ft, it, True, NEG_F["edema"], NEG_I["edema"], term)


def f_widened(rng: random.Random) -> Fnd:
    v, w = rng.randrange(3), rng.randrange(3)

    def ft(s: str | None) -> str:
        return ["The superior mediastinum is widened, measuring 9.5 cm at the level of the aortic knob.",
                "Widened mediastinum with loss of the aortic knob contour.",
                "The mediastinum appears widened on this supine AP film."][v]

    def it(s: str | None) -> str:
        return ["Widened mediastinum; CT angiography recommended to exclude aortic injury.",
                "Mediastinal widening, urgent CT advised.", "Widened mediastinum."][w]
    return Fnd("mediastinum", "mediastinum", None, ft, it, True, NEG_F["mediastinum"], NEG_I["mediastinum"],
               "mediastinum")


def f_free_air(rng: random.Random) -> Fnd:
    v, w = rng.randrange(3), rng.randrange(3)

    def ft(s: str | None) -> str:
        return ["Free gas is seen beneath the right hemidiaphragm.",
                "There is free air under both hemidiaphragms.",
                "Crescent of free subdiaphragmatic air on the right."][v]

    def it(s: str | None) -> str:
        return ["Pneumoperitoneum; surgical team informed.", "Free air under the diaphragm, consistent with "
                "pneumoperitoneum.", "Free subdiaphragmatic gas, suspect perforated viscus."][w]
    term = ["free gas", "free air", "free subdiaphragmatic air"][v]
    return Fnd("free_air", "abdomen", None, ft, it, True, NEG_F["free_air"], NEG_I["free_air"], term)


def f_cardiomegaly(rng: random.Random, mild_stable: bool) -> Fnd:
    v = rng.randrange(3)

    def ft(s: str | None) -> str:
        if mild_stable:
            return ["Mild cardiomegaly, stable.", "Heart mildly enlarged, unchanged from prior.",
                    "Stable mild cardiomegaly."][v]
        return ["The heart is enlarged, CTR 0.62.", "Moderate cardiomegaly.", "Cardiac silhouette is enlarged."][v]

    def it(s: str | None) -> str:
        return "Stable mild cardiomegaly." if mild_stable else _pick(random.Random(v), ["Cardiomegaly.",
                                                                                       "Enlarged heart."])
    return Fnd("heart", "heart", None, ft, None if mild_stable else it, not mild_stable, NEG_F["heart"],
               NEG_I["heart"], "cardiomegaly")


def f_rib_fx(rng: random.Random, side: str, acute: bool) -> Fnd:
    a = rng.randrange(3, 8)
    b = a + rng.randrange(1, 3)
    v = rng.randrange(3)
    o = {3: "3rd", 4: "4th", 5: "5th", 6: "6th", 7: "7th", 8: "8th", 9: "9th"}

    def ft(s: str | None) -> str:
        if acute:
            return [f"Acute fractures of the {s} {o[a]} to {o[b]} ribs laterally.",
                    f"Displaced fracture of the {s} {o[a]} rib.",
                    f"Fractures of the {side_word(s, 'short')} {o[a]} and {o[b]} ribs anterolaterally."][v]
        return [f"Old healed fracture of the {s} {o[a]} rib.", f"Healed {s} {o[a]} rib fracture.",
                f"Old {s} rib fractures with callus."][v]

    def it(s: str | None) -> str:
        return [f"Acute {s} {o[a]}-{o[b]} rib fractures.", f"{cap(s)} {o[a]} rib fracture.",
                f"{cap(s)} rib fractures."][v]
    return Fnd("fracture" if acute else "old_fracture", "bones", side, ft, it if acute else None, acute,
               NEG_F["fracture"], NEG_I["fracture"], "fracture")


def f_hemidiaphragm(rng: random.Random, side: str) -> Fnd:
    v = rng.randrange(3)

    def ft(s: str | None) -> str:
        return [f"Elevation of the {s} hemidiaphragm.", f"The {s} hemidiaphragm is elevated.",
                f"{cap(side_word(s, 'short'))} hemidiaphragm is raised, new compared with the prior study."][v]

    def it(s: str | None) -> str:
        return [f"Elevated {s} hemidiaphragm; consider phrenic nerve palsy.",
                f"Raised {s} hemidiaphragm.", f"New elevation of the {s} hemidiaphragm."][v]
    return Fnd("hemidiaphragm", "pleura", side, ft, it, True, [], [], "hemidiaphragm")


def f_hilar(rng: random.Random, side: str) -> Fnd:
    v = rng.randrange(3)

    def ft(s: str | None) -> str:
        return [f"The {s} hilum is enlarged and lobulated.", f"{cap(s)} hilar enlargement.",
                f"Prominent {s} hilar shadow, increased since the previous study."][v]

    def it(s: str | None) -> str:
        return [f"{cap(s)} hilar enlargement; CT recommended to exclude lymphadenopathy or central mass.",
                f"Enlarged {s} hilum, further assessment with CT advised.", f"Increasing {s} hilar prominence."][v]
    return Fnd("hilar", "mediastinum", side, ft, it, True, [], [], "hilar")


def f_pleural_thick(rng: random.Random, side: str) -> Fnd:
    v = rng.randrange(3)

    def ft(s: str | None) -> str:
        return [f"{cap(s)} apical pleural thickening.", f"Pleural thickening along the {s} lateral chest wall.",
                f"{cap(side_word(s, 'sided'))} pleural thickening, unchanged."][v]

    def it(s: str | None) -> str:
        return [f"{cap(s)} apical pleural thickening, likely chronic.", f"{cap(s)} pleural thickening.",
                f"Stable {s} pleural thickening."][v]
    return Fnd("pleural_thickening", "pleura", side, ft, it, False, [], [], "thickening")


def f_device(rng: random.Random, kind: str, side: str | None) -> Fnd:
    v = rng.randrange(2)
    texts = {
        "drain": ([lambda s: f"{cap(s)} intercostal chest drain in situ, tip projected over the {s} apex.",
                   lambda s: f"{cap(side_word(s, 'sided'))} chest tube with the tip at the {s} lung apex."],
                  [lambda s: f"{cap(s)} chest drain in satisfactory position.",
                   lambda s: f"{cap(side_word(s, 'short'))} chest tube in place."]),
        "cvc": ([lambda s: f"{cap(s)} internal jugular central venous catheter, tip in the SVC.",
                 lambda s: f"{cap(s)} subclavian central line with its tip at the cavoatrial junction."],
                [lambda s: f"{cap(s)} central line tip in the SVC.",
                 lambda s: f"{cap(s)} central venous catheter in satisfactory position."]),
        "picc": ([lambda s: f"{cap(s)} arm PICC with tip in the lower SVC.",
                  lambda s: f"{cap(side_word(s, 'sided'))} PICC line, tip at the cavoatrial junction."],
                 [lambda s: f"{cap(s)} PICC in good position.",
                  lambda s: f"{cap(s)} PICC tip at the cavoatrial junction."]),
        "pacer": ([lambda s: f"{cap(s)} chest wall pacemaker with leads in the right atrium and right ventricle.",
                   lambda s: f"Dual-chamber pacemaker, generator over the {s} chest wall."],
                  [lambda s: f"{cap(side_word(s, 'sided'))} pacemaker, leads in satisfactory position.",
                   lambda s: f"{cap(s)} pectoral pacemaker unchanged."]),
        "ett": ([lambda s: "Endotracheal tube tip 4 cm above the carina.",
                 lambda s: "ETT in situ, tip at the level of the clavicular heads."],
                [lambda s: "ET tube in satisfactory position.", lambda s: "Endotracheal tube appropriately sited."]),
        "ngt": ([lambda s: "Nasogastric tube passes below the diaphragm, tip in the stomach.",
                 lambda s: "NG tube tip in the gastric fundus."],
                [lambda s: "NG tube in the stomach.", lambda s: "Nasogastric tube satisfactorily positioned."]),
        "wires": ([lambda s: "Temporary epicardial pacing wires in place.",
                   lambda s: "Epicardial pacing wires project over the heart."],
                  [lambda s: "Pacing wires in situ.", lambda s: "Epicardial pacing wires in place."]),
        "mediastinal_drain": ([lambda s: "Mediastinal drain in situ.",
                               lambda s: "Mediastinal and pericardial drains are in place."],
                              [lambda s: "Mediastinal drain in place.", lambda s: "Drains in situ."]),
    }
    ff, ii = texts[kind]
    f, i = ff[v], ii[v]
    return Fnd("device_" + kind, "lines", side, lambda s: f(s), lambda s: i(s), False, [], [], kind)


def f_hedged(rng: random.Random, side: str) -> Fnd:
    """A hedged finding, carried into the impression with its hedge."""
    t = rng.randrange(5)
    mm = rng.randrange(7, 13)
    ff = [lambda s: f"Subtle opacity at the {s} base, possibly early consolidation or atelectasis.",
          lambda s: f"Faint lucency at the {s} apex; a small pneumothorax cannot be excluded.",
          lambda s: f"Ill-defined {mm} mm opacity in the {s} mid zone, ?nodule ?nipple shadow.",
          lambda s: f"Rounded opacity at the {s} hilum, suspicious for lymphadenopathy.",
          lambda s: f"Blunting of the {s} costophrenic angle, likely a small effusion or pleural thickening."]
    ii = [lambda s: f"Possible early {s} basal pneumonia; differential includes atelectasis.",
          lambda s: f"Small {s} apical pneumothorax cannot be excluded; expiratory film suggested.",
          lambda s: f"? {cap(s)} mid zone nodule versus nipple shadow; repeat with nipple markers.",
          lambda s: f"{cap(s)} hilar opacity, suspicious for lymphadenopathy; CT advised.",
          lambda s: f"Probable small {s} pleural effusion."]
    key = ["hedged_consolidation", "hedged_pneumothorax", "hedged_nodule", "hedged_hilar", "hedged_effusion"][t]
    organ = ["lungs", "pleura", "lungs", "mediastinum", "pleura"][t]
    return Fnd(key, organ, side, ff[t], ii[t], True, [], [], key.split("_")[1])


def f_bilateral_effusions(rng: random.Random) -> Fnd:
    size = _pick(rng, ["small", "trace", "tiny"])
    t = rng.randrange(2)
    f = [f"{cap(size)} bilateral pleural effusions.", f"Blunting of both costophrenic angles by {size} effusions."][t]
    i = [f"{cap(size)} bilateral pleural effusions.", f"{cap(size)} bilateral effusions."][t]
    return Fnd("effusion", "pleura", None, lambda s: f, lambda s: i, False, NEG_F["effusion"], NEG_I["effusion"],
               "effusion")


def f_minor(rng: random.Random, what: str) -> Fnd:
    side = _pick(rng, ["right", "left"])
    bank = {
        "spine": ["Degenerative changes of the thoracic spine.", "Mild thoracic spondylosis.",
                  "Multilevel degenerative disc disease in the thoracic spine."],
        "granuloma": [f"Small calcified granuloma in the {side} upper zone.", f"Tiny calcified granuloma in the "
                      f"{side} mid zone, unchanged.", f"A 3 mm calcified granuloma at the {side} base."],
        "aorta": ["Unfolded thoracic aorta.", "Tortuous and calcified thoracic aorta.", "Aortic knuckle "
                  "calcification."],
        "sternotomy": ["Median sternotomy wires are intact.", "Intact sternotomy wires.",
                       "Post-sternotomy wires in alignment."],
        "copd": ["Hyperinflated lungs with flattened hemidiaphragms, in keeping with COPD.",
                 "Hyperexpanded lungs, consistent with emphysema."],
        "clips": ["Surgical clips in the right upper quadrant.", "Cholecystectomy clips noted."],
        "bibasilar": ["Bibasilar subsegmental atelectasis.", "Minor bibasilar atelectasis."],
    }
    t = _pick(rng, bank[what])
    organ = {"spine": "bones", "granuloma": "lungs", "aorta": "mediastinum", "sternotomy": "bones",
             "copd": "lungs", "clips": "abdomen",
             "bibasilar": "lungs"}[what]
    return Fnd("minor_" + what, organ, None, lambda s: t, None, False, [], [], what)


# ----------------------------------------------------------------------------------------------
# Scenarios: settings with plausible findings


EXAMS = ["CHEST PA AND LATERAL", "Chest X-ray, PA view", "XR CHEST 2 VIEWS", "CXR PA", "Chest radiograph, AP portable",
         "X-RAY CHEST PA VIEW", "Chest, single frontal view", "CR CHEST PA/LAT"]
DATES = ["12/03/2024", "03-Feb-2025", "14 January 2025", "2024-11-20", "28/09/2024", "7 March 2025", "yesterday"]


@dataclass
class Case:
    setting: str
    history: str
    comparison: str | None
    fnds: list[Fnd]
    exam: str
    rec: str | None = None
    prefix: list[str] = field(default_factory=list)  # extra findings sentences (e.g. interval statements)


def scenario(rng: random.Random, setting: str | None = None) -> Case:
    """A clean, self-consistent set of findings for one of the settings."""
    settings = ["normal", "normal", "pneumonia", "chf", "icu", "postop", "oncology", "trauma", "misc", "ptx_fu",
                "normal_minor", "hedged"]
    setting = setting or _pick(rng, settings)
    side = _pick(rng, ["right", "left"])
    fn: list[Fnd] = []
    comp = _pick(rng, [None, "None.", f"Prior radiograph dated {_pick(rng, DATES[:-1])}."])
    exam = _pick(rng, EXAMS)
    rec = None
    prefix: list[str] = []
    if setting == "normal":
        hist = _pick(rng, ["Cough for 2 weeks.", "Pre-operative assessment.", "Chest pain, rule out pneumonia.",
                           "Shortness of breath.", "Fever.", "Routine medical check-up.", "Hemoptysis, smoker."])
    elif setting == "normal_minor":
        hist = _pick(rng, ["Chronic cough.", "Back pain and cough.", "Follow-up, asymptomatic."])
        for w in rng.sample(["spine", "granuloma", "aorta", "clips", "copd"], rng.randrange(1, 3)):
            fn.append(f_minor(rng, w))
        if rng.random() < 0.3:
            fn.append(f_cardiomegaly(rng, True))
        if rng.random() < 0.3:
            fn.append(f_rib_fx(rng, side, False))
    elif setting == "pneumonia":
        hist = _pick(rng, ["Fever and productive cough.", "Crackles at the lung bases.", "Sepsis, source unknown.",
                           "Pleuritic chest pain and fever."])
        fn.append(f_consolidation(rng, side))
        if rng.random() < 0.4:
            fn.append(f_effusion(rng, side, _pick(rng, ["small", "small", "moderate"])))
        if rng.random() < 0.3:
            rec = _pick(rng, ["Follow-up chest radiograph in 6-8 weeks to confirm resolution.",
                              "Repeat film after treatment."])
    elif setting == "chf":
        hist = _pick(rng, ["Dyspnea, known heart failure.", "Orthopnea and leg swelling.", "SOB, raised BNP."])
        fn.append(f_edema(rng))
        fn.append(f_cardiomegaly(rng, False))
        r = rng.random()
        if r < 0.4:
            fn.append(f_effusion(rng, side, _pick(rng, ["small", "moderate", "small-to-moderate"])))
        elif r < 0.7:
            fn.append(f_bilateral_effusions(rng))
    elif setting == "icu":
        hist = _pick(rng, ["Intubated patient, daily film.", "ICU, ventilated, line check.", "Post intubation."])
        comp = _pick(rng, ["Yesterday's film.", f"Portable radiograph of {DATES[rng.randrange(6)]}.",
                           "Comparison made with the film from yesterday."])
        exam = _pick(rng, ["Chest radiograph, AP portable", "CXR AP supine (portable)", "Portable chest AP"])
        fn += [f_device(rng, "ett", None), f_device(rng, "ngt", None)]
        if rng.random() < 0.7:
            fn.append(f_device(rng, "cvc", _pick(rng, ["right", "left"])))
        r = rng.random()
        if r < 0.2:
            fn.append(f_atelectasis_minor(rng, side))
        elif r < 0.3:
            fn.append(f_minor(rng, "bibasilar"))
        elif r < 0.55:
            fn.append(f_effusion(rng, side, "moderate"))
        elif r < 0.75:
            fn.append(f_consolidation(rng, side))
        prefix.append(_pick(rng, ["Since yesterday, no significant interval change in lines and tubes.",
                                  "Interval removal of the Swan-Ganz catheter.", "Lines and tubes are unchanged in "
                                  "position compared with yesterday."]))
    elif setting == "postop":
        hist = _pick(rng, ["Post CABG day 1.", "Status post aortic valve replacement, day 2.",
                           "Post-op cardiac surgery, drains in situ."])
        exam = "Chest radiograph, AP portable"
        fn += [f_minor(rng, "sternotomy"), f_device(rng, "mediastinal_drain", None)]
        if rng.random() < 0.6:
            fn.append(f_device(rng, "wires", None))
        if rng.random() < 0.5:
            fn.append(f_device(rng, "drain", "left"))
        fn.append(f_atelectasis_minor(rng, "left"))
        if rng.random() < 0.5:
            fn.append(f_effusion(rng, "left", "small"))
    elif setting == "oncology":
        hist = _pick(rng, ["Known lung carcinoma, follow-up.", "Colon cancer, surveillance for metastases.",
                           "Melanoma, staging."])
        comp = f"Prior study of {_pick(rng, DATES[:-1])}."
        mm = rng.randrange(6, 24)
        fn.append(f_nodule(rng, side, mm, prior=_pick(rng, [None, mm, max(4, mm - 3)])))
        if rng.random() < 0.4:
            fn.append(f_mass(rng, opp(side)))
        rec = _pick(rng, [None, "CT chest with contrast for further characterisation.",
                          "Correlate with staging CT."])
    elif setting == "trauma":
        hist = _pick(rng, ["Fall from height, chest wall pain.", "RTA, chest wall pain.", "Assault, rib pain."])
        fn.append(f_rib_fx(rng, side, True))
        if rng.random() < 0.5:
            fn.append(f_pneumothorax(rng, side))
    elif setting == "ptx_fu":
        hist = _pick(rng, ["Pneumothorax, chest drain in situ.", "Follow-up pneumothorax.", "Post drain insertion."])
        fn.append(f_device(rng, "drain", side))
        if rng.random() < 0.5:
            fn.append(f_pneumothorax(rng, side))
        else:
            prefix.append(_pick(rng, [f"The previously noted {side} pneumothorax has resolved.",
                                      f"Interval resolution of the {side} pneumothorax.",
                                      f"{cap(side)} pneumothorax no longer visible."]))
    elif setting == "hedged":
        hist = _pick(rng, ["Cough and fever.", "Chest pain after a fall.", "Smoker, weight loss.", "Breathless."])
        fn.append(f_hedged(rng, side))
        if fn[-1].key in ("hedged_nodule", "hedged_hilar") and rng.random() < 0.6:
            rec = _pick(rng, ["Clinical correlation and short-interval follow-up radiograph.",
                              "CT chest if clinically indicated."])
        if rng.random() < 0.3:
            fn.append(f_minor(rng, "spine"))
    else:  # misc
        hist = _pick(rng, ["Dyspnoea.", "Abnormal chest on examination.", "Weight loss."])
        comp = f"Prior radiograph dated {_pick(rng, DATES[:-1])}."
        fn.append(_pick(rng, [f_hemidiaphragm, f_hilar, f_pleural_thick])(rng, side))
        if rng.random() < 0.3:
            fn.append(f_minor(rng, "spine"))
    return Case(setting, hist, comp, fn, exam, rec, prefix)


NORMAL_IMPS = ["No acute cardiopulmonary abnormality.", "Normal chest radiograph.", "No active disease.",
               "No acute intrathoracic process.", "Unremarkable chest X-ray.", "No significant abnormality detected.",
               "No acute cardiopulmonary disease.", "Normal study.", "No radiographic evidence of acute disease."]
NOACUTE_IMPS = ["No acute cardiopulmonary abnormality.", "No acute intrathoracic process.",
                "No acute disease.", "No acute cardiopulmonary disease."]


def normal_sentences(rng: random.Random, present: list[str], skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    out = []
    for organ, covers, texts in NORMALS:
        if any(c in present for c in covers) or organ in skip:
            continue
        if organ in ("mediastinum", "bones") and rng.random() < 0.3:
            continue
        out.append((organ, _pick(rng, texts)))
    return out


def compose_doc(rng: random.Random, kind: str | None) -> tuple[Doc, str]:
    """A composed report, with the one error of `kind` (None: clean)."""
    detail = ""
    if kind == "laterality_conflict":
        case = scenario(rng, _pick(rng, ["pneumonia", "icu", "oncology", "trauma", "misc", "ptx_fu", "postop"]))
        sided = [f for f in case.fnds if f.side and f.itext]
        if not sided:
            side = _pick(rng, ["right", "left"])
            extra = _pick(rng, [lambda: f_effusion(rng, side, _pick(rng, ["small", "moderate", "large"])),
                                lambda: f_pneumothorax(rng, side), lambda: f_consolidation(rng, side),
                                lambda: f_hemidiaphragm(rng, side), lambda: f_hilar(rng, side)])()
            case.fnds.append(extra)
            sided = [extra]
        target = _pick(rng, sided)
        # Other findings must not place the same family on the other side.
        group = {"nodule", "mass", "hedged_nodule"} if target.key in ("nodule", "mass", "hedged_nodule") \
            else {target.key}
        case.fnds = [f for f in case.fnds if f is target or f.key not in group]
    elif kind == "impression_omits_finding":
        side = _pick(rng, ["right", "left"])
        makers = [lambda: f_pneumothorax(rng, side), lambda: f_free_air(rng), lambda: f_widened(rng),
                  lambda: f_edema(rng), lambda: f_consolidation(rng, side), lambda: f_mass(rng, side),
                  lambda: f_nodule(rng, side, rng.randrange(7, 22)),
                  lambda: f_effusion(rng, side, _pick(rng, ["moderate", "large"])), lambda: f_collapse(rng, side)]
        target = _pick(rng, makers)()
        listing = rng.random() < 0.5
        base = scenario(rng, _pick(rng, ["normal", "normal_minor"]) if not listing
                        else _pick(rng, ["icu", "postop", "chf", "oncology", "trauma"]))
        fam = FAMILY_TERMS.get(target.key, ())
        keep = []
        for f in base.fnds:
            if f.key == target.key or (f.significant and not listing):
                continue
            if f.itext and any(t in f.itext(f.side).lower() for t in fam):
                continue
            if target.key == "edema" and f.key == "heart":
                continue
            keep.append(f)
        base.fnds = keep + [target]
        case = base
    else:
        case = scenario(rng)
        target = None
        if kind == "negation_conflict":
            side = _pick(rng, ["right", "left"])
            makers = [lambda: f_pneumothorax(rng, side), lambda: f_consolidation(rng, side),
                      lambda: f_effusion(rng, side, _pick(rng, ["small", "moderate", "large"])),
                      lambda: f_edema(rng), lambda: f_nodule(rng, side, rng.randrange(8, 20)),
                      lambda: f_cardiomegaly(rng, False), lambda: f_widened(rng), lambda: f_free_air(rng),
                      lambda: f_rib_fx(rng, side, True)]
            target = _pick(rng, makers)()
            case.fnds = [f for f in case.fnds if f.key != target.key and f.organ != target.organ
                         or f.key.startswith("device")]
            if target.key == "edema":
                case.fnds = [f for f in case.fnds if f.key != "heart"]
            case.prefix = [p for p in case.prefix if "pneumothorax" not in p]
            case.fnds.append(target)

    fnds = case.fnds
    present = [f.key for f in fnds]
    findings: list[tuple[str, str]] = [(organ_of(p), p) for p in case.prefix]
    impression: list[str] = []
    order = {"lines": 0, "lungs": 1, "pleura": 2, "heart": 3, "mediastinum": 4, "bones": 5, "abdomen": 6}
    mode = None
    if kind == "negation_conflict":
        mode = _pick(rng, ["f_pos_i_neg", "f_neg_i_pos", "f_resolved_i_pos", "f_pos_i_resolved"]) \
            if target.side and target.key in ("pneumothorax", "effusion") else _pick(rng, ["f_pos_i_neg",
                                                                                         "f_neg_i_pos"])
    lat_f = lat_i = None
    if kind == "laterality_conflict":
        lat_f = target.side
        lat_i = opp(target.side)
    for f in sorted(fnds, key=lambda f: order[f.organ]):
        s = f.side
        if f is target and kind == "laterality_conflict":
            findings.append((f.organ, f.ftext(lat_f)))
            continue
        if f is target and kind == "negation_conflict":
            if mode == "f_neg_i_pos":
                findings.append((f.organ, _pick(rng, f.neg_f)))
            elif mode == "f_resolved_i_pos":
                findings.append((f.organ, _pick(rng, [f"The previously seen {s} {f.term} has resolved.",
                                                      f"{cap(s)} {f.term} is no longer visible.",
                                                      f"Interval resolution of the {s} {f.term}."])))
            else:
                findings.append((f.organ, f.ftext(s)))
            continue
        findings.append((f.organ, f.ftext(s)))
    # normal statements for what is absent (never for the conflicting finding's family in a negation case)
    skip: tuple[str, ...] = ()
    if kind == "negation_conflict" and mode != "f_neg_i_pos":
        skip = (target.organ,)
    if kind == "negation_conflict" and mode == "f_neg_i_pos":
        present = [k for k in present if k != target.key]
        skip = (target.organ,)
    norms = normal_sentences(rng, present + [k for k in ("consolidation",) if any(
        f.organ == "lungs" for f in fnds)], skip)
    if kind == "negation_conflict" and mode == "f_neg_i_pos":
        # the explicit negation already stands in FINDINGS; keep other organs' normals
        norms = [n for n in norms if n[0] != target.organ]
    findings += norms
    findings.sort(key=lambda x: order[x[0]])

    # impression
    sig = [f for f in fnds if f.significant]
    for f in sorted(fnds, key=lambda f: (not f.significant, order[f.organ])):
        if f is target and kind == "impression_omits_finding":
            continue
        if f is target and kind == "laterality_conflict":
            impression.append(f.itext(lat_i))
            continue
        if f is target and kind == "negation_conflict":
            if mode == "f_pos_i_neg":
                impression.append(_pick(rng, f.neg_i))
            elif mode == "f_pos_i_resolved":
                impression.append(_pick(rng, [f"Interval resolution of the {f.side} {f.term}.",
                                              f"{cap(f.side)} {f.term} has resolved."]))
            elif mode == "f_resolved_i_pos":
                impression.append(_pick(rng, [f"Persistent {f.side} {f.term}.",
                                              f"Persisting small {f.side} {f.term}."]))
            else:
                impression.append(f.itext(f.side) if f.itext else f.ftext(f.side))
            continue
        if f.itext and (f.significant or f.key.startswith("device") or rng.random() < 0.5):
            impression.append(f.itext(f.side))
    omit_listing = bool(kind == "impression_omits_finding" and impression)
    has_sig = any(f.significant for f in sig if not (kind == "impression_omits_finding" and f is target))
    if kind == "impression_omits_finding" and not impression:
        impression.append(_pick(rng, NOACUTE_IMPS if len(fnds) > 1 else NORMAL_IMPS))
    elif not impression or (not has_sig and kind not in ("negation_conflict", "impression_omits_finding",
                                                         "laterality_conflict") and rng.random() < 0.5):
        impression.append(_pick(rng, NOACUTE_IMPS if (fnds or case.prefix) else NORMAL_IMPS))
    if kind is None and case.setting == "ptx_fu" and case.prefix and rng.random() < 0.7:
        impression.insert(0, _pick(rng, ["No residual pneumothorax.", "Interval resolution of pneumothorax.",
                                         "Pneumothorax has resolved."]))
    if kind is None and case.setting == "normal_minor" and any(f.key == "heart" for f in fnds) and \
            rng.random() < 0.5:
        impression.append("Stable mild cardiomegaly.")

    if kind == "laterality_conflict":
        detail = f"{target.key}: {lat_f} in findings, {lat_i} in impression"
    elif kind == "negation_conflict":
        detail = f"{target.key}: {mode.replace('_', ' ')}"
    elif kind == "impression_omits_finding":
        how = "impression lists other findings" if omit_listing else "normal impression"
        detail = f"omitted: {target.term} ({how})"

    comparison = case.comparison
    if comparison in (None, "None.") and re.search(r"prior|previous|yesterday|interval|unchanged|stable|resolved|"
                                                   r"no longer", " ".join(s for _, s in findings), re.I):
        comparison = f"Prior radiograph dated {_pick(rng, DATES[:-1])}."
    doc = Doc(findings=findings, impression=impression, exam=case.exam, history=case.history,
              comparison=comparison, recommendation=case.rec)
    if kind == "impression_omits_finding":
        doc.recommendation = None
    return doc, detail


# ----------------------------------------------------------------------------------------------
# IU reports


_NEG_RE = re.compile(r"\b(no|not|without|negative|free of|clear|resolved|normal|unremarkable|absent|nor)\b", re.I)
_SIG = {
    "effusion": re.compile(r"effusion", re.I),
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "consolidation": re.compile(r"consolidat|airspace|air space|infiltrat|pneumonia|opacit|densit", re.I),
    "edema": re.compile(r"edema|congesti|failure", re.I),
    "heart": re.compile(r"cardiomegaly|enlarged|enlargement", re.I),
    "nodule": re.compile(r"nodul|mass\b|masses", re.I),
    "collapse": re.compile(r"collapse|atelecta", re.I),
    "mediastinum": re.compile(r"widen", re.I),
    "free_air": re.compile(r"free air|pneumoperitoneum", re.I),
}
_LAT_FAMILY = re.compile(r"effusion|pneumothora|consolidat|airspace|air space|infiltrat|pneumonia|opacit|atelecta|"
                         r"nodul|granulom|hemidiaphragm|hilar|hilum|thickening|fractur|catheter|picc|tube|port|"
                         r"pacemaker|pacer|drain|scarring|densit", re.I)
_SIDE_RE = re.compile(r"\b(left|right)\b", re.I)
_NORMAL_IMP = re.compile(r"^(no acute|normal chest|negative|no active|no evidence of acute|no radiographic evidence "
                         r"of acute|no acute cardiopulmonary|clear lungs|no significant)", re.I)


@dataclass
class IU:
    name: str
    indication: str
    comparison: str
    findings: list[str]
    impression: list[str]


def split_sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\.(\s*\.)+", ".", text)
    parts = re.split(r"(?<=[.?!])\s+(?=[A-Z0-9])", text)
    out = []
    for p in parts:
        p = re.sub(r"^\d+\.\s*", "", p.strip()).strip(" .")
        if p and not re.fullmatch(r"\d+", p):
            out.append(p + ".")
    return out


def load_iu(shared: Path) -> list[IU]:
    out = []
    with tarfile.open(shared / ARCHIVE) as tf:
        for m in sorted(tf.getmembers(), key=lambda m: m.name):
            if not m.name.endswith(".xml"):
                continue
            root = ET.parse(io.BytesIO(tf.extractfile(m).read())).getroot()
            d = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            f, i = d.get("FINDINGS") or "", d.get("IMPRESSION") or ""
            if not f or not i:
                continue
            allt = f + " " + i + " " + d.get("INDICATION", "") + " " + d.get("COMPARISON", "")
            if re.search(r"[\[\]{}*_<>:@$#\\]|\bX{2}\s?(mm|cm)\b|\?", allt):
                continue
            fs, im = split_sentences(f), split_sentences(i)
            if not fs or not im or len(f) > 700 or len(i) > 400:
                continue
            out.append(IU(m.name, d.get("INDICATION", "").strip(" ."), d.get("COMPARISON", "").strip(" ."), fs, im))
    return out


def states(sentences: list[str]) -> dict[str, set[str]]:
    st: dict[str, set[str]] = {}
    for s in sentences:
        for fam, rx in _SIG.items():
            if rx.search(s):
                st.setdefault(fam, set()).add("neg" if _NEG_RE.search(s) else "pos")
        if re.search(r"lungs are clear|clear lungs|lungs clear", s, re.I):
            st.setdefault("consolidation", set()).add("neg")
    return st


def iu_is_consistent(r: IU) -> bool:
    """Conservative: keep as clean only reports with no apparent omission, negation or side disagreement."""
    fs, is_ = states(r.findings), states(r.impression)
    for fam, v in fs.items():
        if "pos" in v and "pos" not in is_.get(fam, set()):
            return False
        if v == {"neg"} and "pos" in is_.get(fam, set()):
            return False
        if "pos" in v and is_.get(fam) == {"neg"}:
            return False
    for fam, v in is_.items():
        if "pos" in v and fs.get(fam) == {"neg"}:
            return False
    fsides = {m.lower() for s in r.findings for m in _SIDE_RE.findall(s)}
    isides = {m.lower() for s in r.impression for m in _SIDE_RE.findall(s)}
    return isides <= fsides and not (len(isides) == 1 and len(fsides) == 1 and isides != fsides)


def is_normal_iu(r: IU) -> bool:
    return all(_NORMAL_IMP.match(s) for s in r.impression) and not any(
        "pos" in v for v in states(r.findings).values())


REWORD = [
    (r"^There is no ", "No "), (r"^There are no ", "No "),
    (r"cardiomediastinal silhouette", "cardiomediastinal contour"),
    (r"\bis within normal limits\b", "is normal"), (r"^The lungs are clear", "Lungs are clear"),
    (r"osseous structures", "bony structures"), (r"^The heart is normal in size", "Heart size is normal"),
    (r"No acute cardiopulmonary abnormality", "No acute cardiopulmonary process"),
    (r"No acute cardiopulmonary disease", "No acute cardiopulmonary abnormality"),
    (r"\bcardiac silhouette\b", "heart silhouette"), (r"\bpleural effusions\b", "pleural effusion"),
    (r"^Heart size normal", "Normal heart size"), (r"\bvisualized\b", "visible"), (r"\bNo evidence of\b", "No"),
    (r"\bfocal airspace disease\b", "focal airspace opacity"), (r"\bpulmonary vasculature\b", "pulmonary vascularity"),
]


def reword(rng: random.Random, s: str) -> str:
    for pat, rep in REWORD:
        if re.search(pat, s) and rng.random() < 0.6:
            s = re.sub(pat, rep, s)
    return s


def organ_of(s: str) -> str:
    low = s.lower()
    if re.search(r"catheter|picc|tube|line\b|port\b|pacemaker|pacer|icd|drain|wire", low):
        return "lines"
    if re.search(r"effusion|pneumothora|pleural|costophrenic|hemidiaphragm", low):
        return "pleura"
    if re.search(r"opacit|consolidat|airspace|air space|atelecta|nodul|infiltrat|granulom", low):
        return "lungs"
    if re.search(r"heart|cardiac|cardio|cardiomegaly", low):
        return "heart"
    if re.search(r"mediastin|hilar|hila|aort|trachea", low):
        return "mediastinum"
    if re.search(r"bone|osseous|spine|rib|vertebr|fracture|spondyl|degenerative|clavicle|shoulder|bony", low):
        return "bones"
    if re.search(r"abdomen|diaphragm|bowel|free air", low):
        return "abdomen"
    return "lungs"


IU_AFFIRM = {
    "pneumothorax": lambda s: [f"Small {s} apical pneumothorax is present.", f"There is a {s} pneumothorax.",
                               f"{cap(s)} pneumothorax with visible visceral pleural line."],
    "effusion": lambda s: [f"Moderate {s} pleural effusion.", f"There is a large {s} pleural effusion.",
                           f"Moderate-sized {s} pleural effusion is present."],
    "consolidation": lambda s: [f"Focal consolidation in the {s} lower lobe.", f"There is airspace consolidation "
                                f"in the {s} upper lobe.", f"Dense {s} basilar consolidation."],
    "edema": lambda s: ["There is diffuse interstitial edema with Kerley B lines.",
                        "Pulmonary vascular congestion with interstitial edema.",
                        "Bilateral perihilar edema."],
    "nodule": lambda s: [f"There is a 1.4 cm nodule in the {s} upper lobe.", f"New 9 mm nodule in the {s} mid "
                         "lung.", f"A 2.5 cm mass in the {s} upper lobe."],
}
IU_AFFIRM_IMP = {
    "pneumothorax": lambda s: [f"Small {s} pneumothorax.", f"{cap(s)} apical pneumothorax."],
    "effusion": lambda s: [f"{cap(s)} pleural effusion.", f"Moderate {s} pleural effusion."],
    "consolidation": lambda s: [f"{cap(s)} lower lobe pneumonia.", f"{cap(s)} basilar consolidation."],
    "edema": lambda s: ["Pulmonary edema.", "Findings consistent with congestive heart failure."],
    "nodule": lambda s: [f"{cap(s)} upper lobe nodule.", f"{cap(s)} lung mass."],
}
IU_NEG_IMP = {
    "pneumothorax": ["No pneumothorax."], "effusion": ["No pleural effusion."],
    "consolidation": ["No focal consolidation.", "No pneumonia."], "edema": ["No pulmonary edema."],
    "nodule": ["No pulmonary nodule or mass."],
}
# sentences that plainly rule a family out (for negation_conflict)
_FAM_NEG_RE = {
    "pneumothorax": re.compile(r"pneumothora", re.I), "effusion": re.compile(r"effusion", re.I),
    "consolidation": re.compile(r"consolidat|airspace|air space|infiltrat|lungs are clear|clear lungs", re.I),
    "edema": re.compile(r"edema", re.I), "nodule": re.compile(r"nodul|mass", re.I),
}
# sentences that would contradict an inserted finding (removed for impression_omits_finding)
_GEN = r"|no acute|lungs?\b[^.]*\b(clear|normal|unremarkable)|clear lungs"
_FAM_CLASH_RE = {
    "pneumothorax": re.compile(r"pneumothora|expanded|inflated|aerated" + _GEN, re.I),
    "effusion": re.compile(r"effusion|costophrenic|pleural spaces" + _GEN, re.I),
    "consolidation": re.compile(r"consolidat|airspace|air space|infiltrat|opacit" + _GEN, re.I),
    "edema": re.compile(r"edema|vascul|congest" + _GEN, re.I),
    "nodule": re.compile(r"nodul|mass" + _GEN, re.I),
}
_UNCHANGED = re.compile(r"heart and lungs have|no (significant )?(interval )?change|unchanged from|stable chest", re.I)
_WEAK_NEG = re.compile(r"(large|significant|sizable|gross|definite|focal)[^.]*effusion|large pneumothorax|"
                       r"(significant|large)", re.I)


def _pure_neg(s: str) -> bool:
    """A sentence that only rules things out (safe to drop when a finding of its family is put in)."""
    return bool(re.match(r"^(no|there (is|are) no|negative|without|not)\b", s, re.I)
                or re.match(r"^(the )?lungs are clear( bilaterally)?\.?$", s, re.I))


def _clashes(sentences: list[str], fam: str) -> list[int]:
    return [j for j, s in enumerate(sentences) if _FAM_CLASH_RE[fam].search(s) and _NEG_RE.search(s)]


def _neg_sentence_for(r: IU, fam: str) -> int | None:
    for k, s in enumerate(r.findings):
        if _FAM_NEG_RE[fam].search(s) and _NEG_RE.search(s) and not _WEAK_NEG.search(s):
            return k
    return None


def iu_doc(rng: random.Random, r: IU, kind: str | None, want_listing: bool | None = None) -> tuple[Doc, str] | None:
    """A re-worded IU report with the one error of `kind`; None when this report does not suit the kind."""
    fs = [reword(rng, s) for s in r.findings]
    im = [reword(rng, s) for s in r.impression]
    detail = ""
    side = _pick(rng, ["right", "left"])
    if not iu_is_consistent(r):
        return None
    if kind == "laterality_conflict":
        fsides = {m.lower() for s in r.findings for m in _SIDE_RE.findall(s)}
        cands = [k for k, s in enumerate(im) if len(_SIDE_RE.findall(s)) >= 1 and _LAT_FAMILY.search(s)
                 and not re.search(r"bilateral|both|atri|ventric|right heart|lingul|middle lobe", s, re.I)]
        cands = [k for k in cands if {m.lower() for m in _SIDE_RE.findall(im[k])} == fsides and len(fsides) == 1]
        if not cands:
            return None
        k = cands[0]
        orig = fsides.pop()
        fam = _LAT_FAMILY.search(im[k]).group(0).lower()
        fk = [j for j, s in enumerate(fs) if fam in s.lower() and _SIDE_RE.search(s)]
        if not fk:
            return None

        def flip(s: str) -> str:
            return _SIDE_RE.sub(lambda m: {"left": "right", "right": "left", "Left": "Right", "Right": "Left",
                                           "LEFT": "RIGHT", "RIGHT": "LEFT"}[m.group(0)], s)
        if rng.random() < 0.5:
            im[k] = flip(im[k])
            detail = f"{fam}: {orig} in findings, flipped to {opp(orig)} in impression"
        else:
            fk = [j for j, s in enumerate(fs) if _SIDE_RE.search(s)]
            if any(re.search(r"atri|ventric|(left|right) heart|lingul|middle lobe|bilateral", fs[j], re.I) for j in fk):
                return None
            for j in fk:
                fs[j] = flip(fs[j])
            detail = f"{fam}: {orig} in impression, flipped to {opp(orig)} in findings"
    elif kind == "negation_conflict":
        if not is_normal_iu(r) or any(_UNCHANGED.search(x) for x in r.findings + r.impression):
            return None
        fams = [f for f in IU_AFFIRM if _neg_sentence_for(r, f) is not None
                and all(_pure_neg(r.findings[j]) for j in _clashes(r.findings, f))]
        if not fams:
            return None
        fam = _pick(rng, fams)
        k = _neg_sentence_for(r, fam)
        negk = _clashes(r.findings, fam)
        if rng.random() < 0.5:
            # FINDINGS rule it out, IMPRESSION affirms it
            im = [_pick(rng, IU_AFFIRM_IMP[fam](side))]
            detail = f"{fam}: ruled out in findings, affirmed in impression"
        else:
            fs[k] = _pick(rng, IU_AFFIRM[fam](side))
            fs = [s for j, s in enumerate(fs) if j == k or j not in negk]
            negs = [s for s in im if _FAM_NEG_RE[fam].search(s) and _NEG_RE.search(s)]
            if not negs:
                im = [_pick(rng, IU_NEG_IMP[fam])] + im
            detail = f"{fam}: affirmed in findings, ruled out in impression"
    elif kind == "impression_omits_finding":
        if any(_UNCHANGED.search(x) for x in r.findings + r.impression):
            return None
        listing = not is_normal_iu(r)
        if want_listing is not None and listing != want_listing:
            return None
        if listing and (not iu_is_consistent(r) or all(_NORMAL_IMP.match(s) for s in r.impression)):
            return None
        fams = [f for f in IU_AFFIRM if not any(re.search("|".join(FAMILY_TERMS[f]), s, re.I) for s in im)
                and "pos" not in states(r.findings).get(f, set())
                and all(_pure_neg(s) for j, s in enumerate(fs) if j in _clashes(fs, f))]
        if not fams:
            return None
        fam = _pick(rng, fams)
        new = _pick(rng, IU_AFFIRM[fam](side))
        negk = _clashes(fs, fam)
        if not negk:
            fs.insert(rng.randrange(len(fs) + 1), new)
        else:
            fs[negk[0]] = new
            fs = [s for j, s in enumerate(fs) if j not in negk[1:]]
        term = {"pneumothorax": "pneumothorax", "effusion": "effusion", "consolidation": "consolidation",
                "edema": "edema", "nodule": "nodule" if "nodule" in new else "mass"}[fam]
        detail = f"omitted: {term} ({'impression lists other findings' if listing else 'normal impression'})"
    hist = r.indication or None
    comp = r.comparison or None
    doc = Doc(findings=[(organ_of(s), s) for s in fs], impression=im, exam=_pick(rng, EXAMS[:5] + [EXAMS[7]]),
              history=hist, comparison=comp)
    return doc, detail


# ----------------------------------------------------------------------------------------------
# Rendering


STYLES = ["academic", "community", "ed", "organ", "numbered", "imp_first", "sr", "indian", "british"]
ORGAN_HEAD = {"lines": "Lines/tubes", "lungs": "Lungs", "pleura": "Pleura", "heart": "Heart",
              "mediastinum": "Mediastinum", "bones": "Bones", "abdomen": "Upper abdomen"}


def speech_recognition(rng: random.Random, s: str) -> str:
    """Typical dictation slips that do not change the meaning."""
    subs = [(r"\bpleural\b", "plural"), (r"\bThere is\b", "Their is"), (r"\bcostophrenic\b", "costal phrenic"),
            (r"\bhemidiaphragm\b", "hemi diaphragm"), (r"\bits\b", "it's"), (r"\bto\b", "too")]
    for p, q in subs:
        if rng.random() < 0.5:
            s = re.sub(p, q, s)
    return s


def render(rng: random.Random, doc: Doc, style: str) -> str:
    fh = {"academic": "FINDINGS", "community": "Findings", "ed": "Findings", "organ": "FINDINGS",
          "numbered": "FINDINGS", "imp_first": "FINDINGS", "sr": "Findings", "indian": "OBSERVATIONS",
          "british": "Findings"}[style]
    ih = {"academic": "IMPRESSION", "community": "Impression", "ed": "Impression", "organ": "IMPRESSION",
          "numbered": "IMPRESSION", "imp_first": "IMPRESSION", "sr": "Impression",
          "indian": _pick(rng, ["IMPRESSION", "OPINION"]), "british": _pick(rng, ["Conclusion", "CONCLUSION"])}[style]
    fsent = [(o, sent(s)) for o, s in doc.findings]
    isent = [sent(s) for s in doc.impression]
    if style == "sr":
        fsent = [(o, speech_recognition(rng, s)) for o, s in fsent]
        isent = [speech_recognition(rng, s) for s in isent]
        if rng.random() < 0.6:  # missing full stops
            fsent = [(o, s.rstrip(".") if k < len(fsent) - 1 else s) for k, (o, s) in enumerate(fsent)]
    # findings body
    if style == "organ":
        groups: dict[str, list[str]] = {}
        for o, s in fsent:
            groups.setdefault(o, []).append(s)
        fbody = "\n".join(f"{ORGAN_HEAD[o]}: {' '.join(v)}" for o, v in groups.items())
    elif style == "numbered":
        fbody = "\n".join(f"{k + 1}. {s}" for k, (_, s) in enumerate(fsent))
    elif style in ("academic", "imp_first") and len(fsent) > 3 and rng.random() < 0.5:
        h = len(fsent) // 2
        fbody = " ".join(s for _, s in fsent[:h]) + "\n" + " ".join(s for _, s in fsent[h:])
    else:
        fbody = " ".join(s for _, s in fsent)
    if (style in ("numbered", "academic") and len(isent) > 1) or (style == "numbered" and rng.random() < 0.5):
        ibody = "\n".join(f"{k + 1}. {s}" for k, s in enumerate(isent))
    elif style == "indian" and rng.random() < 0.5:
        ibody = "\n".join(f"- {s}" for s in isent)
    else:
        ibody = " ".join(isent)
    hist, comp, exam = doc.history, doc.comparison, doc.exam
    sections: list[tuple[str | None, str, str]] = []  # (key, header, body)
    if style == "academic":
        sections = [(None, "EXAMINATION", exam or "Chest radiograph"), (None, "CLINICAL HISTORY", hist or "Not given."),
                    (None, "TECHNIQUE", "Single frontal view." if re.search(r"AP|single|PA view|CXR PA$", exam or "")
                     else _pick(rng, ["PA and lateral views of the chest.", "Frontal and lateral radiographs."])),
                    (None, "COMPARISON", comp or "None.")]
    elif style == "community":
        sections = [(None, "Exam", exam or "CXR"), (None, "Indication", hist or "Not stated.")]
        if comp:
            sections.append((None, "Comparison", comp))
    elif style == "ed":
        sections = [(None, "Exam", (exam or "CXR") + " - ED preliminary read"), (None, "Hx", hist or "Not given.")]
        if comp:
            sections.append((None, "Comparison", comp))
    elif style in ("organ", "numbered"):
        sections = [(None, "EXAM", exam or "CHEST"), (None, "INDICATION", hist or "None provided."),
                    (None, "COMPARISON", comp or "None available.")]
    elif style == "imp_first":
        sections = [(None, "CLINICAL INFORMATION", hist or "None given."), (None, "COMPARISON", comp or "None.")]
    elif style == "sr":
        sections = [(None, "Exam", exam or "chest"), (None, "History", (hist or "none").lower())]
        if comp:
            sections.append((None, "Comparison", comp))
    elif style == "indian":
        sections = [(None, "Examination", exam or "X-RAY CHEST PA VIEW"), (None, "Clinical details", hist or "Nil.")]
        if comp:
            sections.append((None, "Comparison", comp))
    else:  # british
        sections = [(None, "Clinical details", hist or "Not provided."), (None, "Examination", exam or "CXR")]
        if comp:
            sections.append((None, "Comparison", comp))
    fsec = ("findings", fh, fbody)
    isec = ("impression", ih, ibody)
    sections += [isec, fsec] if style == "imp_first" else [fsec, isec]
    if doc.recommendation:
        sections.append(("recommendation", "Recommendation", doc.recommendation))
    if doc.drop:
        which, how = doc.drop
        if how == "remove":
            sections = [s for s in sections if s[0] != which]
        else:
            sections = [(k, h, "" if k == which else b) for k, h, b in sections]
    inline = style in ("community", "ed", "sr", "british") or (style == "indian" and rng.random() < 0.5)
    lines = []
    for k, h, b in sections:
        if inline and "\n" not in b:
            lines.append(f"{h}: {b}".rstrip())
        else:
            lines.append(f"{h}:\n{b}".rstrip() + ("\n" if k in ("findings", "impression") and not inline else ""))
    out = "\n".join(lines).rstrip()
    if style == "ed":
        out = "PRELIMINARY REPORT - EMERGENCY DEPARTMENT\n" + out + "\nFinal report to follow."
    if style == "indian" and rng.random() < 0.6:
        out += "\n" + _pick(rng, ["Kindly correlate clinically.", "Please correlate clinically.",
                                  "Suggest clinical correlation."])
    if style == "british" and rng.random() < 0.5:
        out += "\n" + _pick(rng, ["Reported by: Dr A. Hughes, Consultant Radiologist",
                                  "Reported by: Dr K. Novak (ST4)"])
    return re.sub(r"\n{3,}", "\n\n", out)


def split_sections(report: str) -> dict[str, str]:
    """Section texts by key ("findings", "impression", ...), from this module's own headers."""
    keys = {h.lower(): "findings" for h in FINDINGS_HEADERS}
    keys.update({h.lower(): "impression" for h in IMPRESSION_HEADERS})
    keys.update({h.lower(): "other" for h in OTHER_HEADERS})
    out: dict[str, list[str]] = {}
    cur = "preamble"
    for line in report.splitlines():
        m = _HEADER_RE.match(line)
        if m and m.group(1).strip().lower() in keys:
            cur = keys[m.group(1).strip().lower()]
            out.setdefault(cur, [])
            if m.group(2).strip():
                out[cur].append(m.group(2).strip())
            continue
        if _FOOTER_RE.match(line.strip()):
            cur = "footer"
        if line.strip():
            out.setdefault(cur, []).append(line.strip())
    return {k: " ".join(v) for k, v in out.items()}


# ----------------------------------------------------------------------------------------------
# Placeholders and missing sections (applied to a Doc)


def add_placeholder(rng: random.Random, doc: Doc) -> str:
    opts = ["comparison", "history", "word", "template_line", "impression_tail"]
    if any(re.search(r"\b\d+(\.\d)?\s?(mm|cm)\b", s) for _, s in doc.findings):
        opts += ["measure", "measure"]
    if any(_SIDE_RE.search(s) for _, s in doc.findings):
        opts += ["side", "side"]
    if any(re.search(r"\b(small|moderate|large)\b", s) for _, s in doc.findings):
        opts.append("size")
    if doc.recommendation:
        opts.append("rec")
    how = _pick(rng, opts)
    if how == "comparison":
        tok = _pick(rng, ["[DATE]", "__/__/____", "<<DATE>>", "{{comparison_date}}"])
        doc.comparison = _pick(rng, [f"Prior radiograph dated {tok}.", f"Chest X-ray of {tok}.", f"{tok}."])
        return f"comparison date left as {tok}"
    if how == "history":
        tok = _pick(rng, ["[Clinical history]", "[INDICATION]", "***"])
        doc.history = tok
        return f"clinical history left as {tok}"
    if how == "rec":
        tok = _pick(rng, ["___", "[***]"])
        doc.recommendation = f"Follow-up CT chest in {tok} months."
        return f"recommendation interval left as {tok}"
    if how == "template_line":
        tok = _pick(rng, ["Heart size: [normal/enlarged].", "Cardiac size: [ ] normal  [ ] abnormal.",
                          "Additional findings: [FINDING].", "Trachea: @RESULT@."])
        doc.findings.insert(rng.randrange(len(doc.findings) + 1), ("heart", tok))
        return f"unfilled template line: {tok}"
    if how == "impression_tail":
        tok = _pick(rng, ["<insert impression>", "[***]", "[?]"])
        doc.impression.append(tok)
        return f"impression template remnant {tok}"
    idx = list(range(len(doc.findings)))
    rng.shuffle(idx)
    for k in idx:
        o, s = doc.findings[k]
        if how == "measure" and re.search(r"\b\d+(\.\d)?\s?(mm|cm)\b", s):
            m = re.search(r"\b\d+(\.\d)?\s?(mm|cm)\b", s)
            tok = _pick(rng, ["XX mm", "___ mm", "{SIZE} mm", "**SIZE** mm"]) if m.group(2) == "mm" else \
                _pick(rng, ["xx cm", "X.X cm", "___ cm", "{SIZE} cm"])
            doc.findings[k] = (o, s[:m.start()] + tok + s[m.end():])
            return f"measurement replaced by {tok}"
        if how == "side" and _SIDE_RE.search(s):
            m = _SIDE_RE.search(s)
            tok = _pick(rng, ["[LEFT/RIGHT]", "[left / right]", "{side}", "***", "[ ]"])
            doc.findings[k] = (o, s[:m.start()] + tok + s[m.end():])
            return f"side replaced by {tok}"
        if how == "size" and re.search(r"\b(small|moderate|large)\b", s):
            m = re.search(r"\b(small|moderate|large)\b", s)
            tok = "[small/moderate/large]"
            doc.findings[k] = (o, s[:m.start()] + tok + s[m.end():])
            return f"size replaced by {tok}"
        if how == "word":
            words = [w for w in re.finditer(r"\b[a-z]{5,}\b", s) if w.group(0) not in ("there", "which")]
            if not words:
                continue
            m = _pick(rng, words)
            tok = _pick(rng, ["[***]", "___", "{ }", "<<LEVEL>>", "***"])
            doc.findings[k] = (o, s[:m.start()] + tok + s[m.end():])
            return f"word '{m.group(0)}' replaced by {tok}"
    doc.impression.append("[***]")
    return "impression template remnant [***]"


def drop_section(rng: random.Random, doc: Doc) -> str:
    which = _pick(rng, ["findings", "impression"])
    how = _pick(rng, ["remove", "empty", "remove"])
    doc.drop = (which, how)
    if which == "impression":
        doc.recommendation = None
    return f"{which} {'removed with its header' if how == 'remove' else 'header left empty'}"


# ----------------------------------------------------------------------------------------------


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"


def make_cases(seed: int, shared: Path) -> list[dict]:
    rng = random.Random(seed)
    iu = load_iu(shared)
    rng.shuffle(iu)
    iu_iter = iter(iu)
    plan: list[str | None] = [None] * N_CLEAN + [k for k in KINDS for _ in range(N_PER_KIND)]
    cases = []
    used: set[str] = set()
    for n, kind in enumerate(plan):
        group_index = n if kind is None else (n - N_CLEAN) % N_PER_KIND
        group_size = N_CLEAN if kind is None else N_PER_KIND
        composed = group_index < group_size // 2
        style = STYLES[rng.randrange(len(STYLES))]
        if composed:
            doc, detail = compose_doc(rng, kind)
            src = "composed"
        else:
            pending = []
            want_listing = rng.random() < 0.5  # omissions: half with a normal impression, half listing others
            while True:
                r = next(iu_iter)
                got = iu_doc(rng, r, kind, want_listing)
                if got is None:
                    pending.append(r)
                    continue
                doc, detail = got
                src = "IU " + r.name.split("/")[-1]
                break
            iu_iter = iter(pending + list(iu_iter))
        if kind == "missing_section":
            detail = drop_section(rng, doc)
        elif kind == "placeholder":
            detail = add_placeholder(rng, doc)
        text = render(rng, doc, style)
        h = hashlib.sha256(f"{seed}|{n}|{text}".encode()).hexdigest()[:12]
        assert h not in used
        used.add(h)
        cases.append({"id": f"hx10-{h}", "injected": kind, "detail": f"{detail} [{src}; {style}]".strip(),
                      "report": text})
    rng.shuffle(cases)
    return cases


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1101)
    ap.add_argument("--show", type=int, default=0, help="print N cases per kind (and N clean)")
    a = ap.parse_args(argv)
    shared = shared_dir()
    if not (shared / ARCHIVE).is_file():
        print(f"make_heldout10: IU archive not found under the shared folder {shared} (set MEDRAG_SHARED_DIR)",
              file=sys.stderr)
        return 2
    cases = make_cases(a.seed, shared)
    with open(a.out, "w", encoding="utf-8") as fh:
        for c in cases:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            for c in [c for c in cases if c["injected"] == kind][: a.show]:
                print(f"===== {c['id']} {kind} | {c['detail']}\n{c['report']}\n")
    print(f"wrote {len(cases)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
