"""Held-out report-error set 149: spinal cord injury centres (UK and US), written blind.

usage: python -m bench.make_heldout149 OUT.jsonl --seed S [--show N]

Writes 400 chest X-ray reports as JSON lines ``{"id", "injected", "detail", "report"}``:
200 clean and 40 of each error kind (missing_section, laterality_conflict, negation_conflict,
impression_omits_finding, placeholder). In every group half the reports are composed from the phrase
bank below (spinal injuries unit / SCI service style), half are real IU reports (never a dev-set uid,
each used at most once) re-laid out and lightly re-worded in that style.

``MEDRAG_SHARED_DIR`` overrides the shared folder (default: ``../shared`` beside the repo root).
Standard library only.
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40
REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


def iu_archive(shared: Path | None = None) -> Path:
    return (shared or shared_dir()) / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_set(shared: Path | None = None) -> Path:
    return (shared or shared_dir()) / "eval" / "report_errors_dev.jsonl"


def dev_uids(shared: Path | None = None) -> set[str]:
    out = set()
    with open(dev_set(shared)) as fh:
        for line in fh:
            if line.strip():
                out.add(json.loads(line)["uid"])
    return out


def load_iu(shared: Path | None = None) -> list[dict]:
    """All IU reports with non-empty FINDINGS and IMPRESSION, sorted by number."""
    return [dict(r) for r in _load_iu(str(iu_archive(shared)))]


@functools.lru_cache(maxsize=4)
def _load_iu(archive: str) -> tuple[dict, ...]:
    rows = []
    with tarfile.open(archive) as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            root = ET.fromstring(tar.extractfile(member).read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            sec = {}
            for el in root.iter("AbstractText"):
                sec[el.get("Label")] = " ".join((el.text or "").split())
            if not sec.get("FINDINGS") or not sec.get("IMPRESSION"):
                continue
            uid = uid_el.get("id")
            rows.append({
                "uid": uid,
                "num": int(uid.replace("CXR", "")),
                "indication": sec.get("INDICATION", ""),
                "comparison": sec.get("COMPARISON", ""),
                "findings": sec["FINDINGS"],
                "impression": sec["IMPRESSION"],
            })
    rows.sort(key=lambda r: r["num"])
    return tuple(rows)


# --------------------------------------------------------------------------------------------
# text helpers
# --------------------------------------------------------------------------------------------

SIDE_RE = re.compile(r"\b(left|right)\b", re.I)
NEG_RE = re.compile(
    r"\b(no|not|without|negative|free of|resolved|resolution|cleared|removed|absent|clear|"
    r"exclude[ds]?|rule out|r/o)\b", re.I)
POSTNEG_RE = re.compile(
    r"\b(is|are|was|were)\s+(not|no longer)\b|\bnot (seen|identified|present|visualized|evident)\b|"
    r"\b(has|have) (resolved|cleared)\b|\bresolved\b|\bcleared\b", re.I)
HEDGE_RE = re.compile(
    r"\b(stable|unchanged|chronic|old|healed|prior|previous|previously|possible|possibly|may|might|could|"
    r"question|questionable|versus|vs|likely|probabl\w*|cannot|can't|improv\w*|decreas\w*|resolv\w*|"
    r"minimal|mild|mildly|small|tiny|trace|subtle|borderline|again|persistent|residual|scar\w*|"
    r"atelecta\w*|or|suggest\w*|concern|XXXX|clearing|clears|healing|better|less|smaller|streaky|"
    r"linear|subsegmental|interval|suspicious|suspect\w*|developing|early)\b|\?", re.I)
SPLIT_CLAUSE_RE = re.compile(r"\bbut\b|\bhowever\b|\balthough\b|\bthough\b|;|\bwhile\b|\bexcept\b", re.I)

GROUPS = {
    "effusion": r"effusion|pleural fluid",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|air ?space|infiltrat|pneumonia|opacit|opacification|shadowing",
    "oedema": r"o?edema|congestion|cardiac failure|heart failure|fluid overload|kerley|septal lines",
    "cardiomegaly": r"cardiomegaly|heart (size )?is enlarged|enlarged (heart|cardiac)|cardiac enlargement|"
                    r"heart is (mildly |moderately )?enlarged|cardiac silhouette is enlarged",
    "atelectasis": r"atelecta|collapse",
    "nodule": r"nodul|granulom|\bmass\b|masses",
    "mediastinum": r"mediastin\w* (is )?widen|widen\w* (of the )?(superior )?mediastin",
    "free_air": r"free (intraperitoneal |subdiaphragmatic )?(air|gas)|pneumoperitoneum",
}
SIG_GROUPS = ["effusion", "pneumothorax", "consolidation", "oedema", "nodule", "mediastinum", "free_air"]
LUNG_GROUPS = {"consolidation", "oedema", "atelectasis", "nodule"}
LUNGS_CLEAR_RE = re.compile(r"\blungs? (are|is|appear|remain)?\s*(clear|normal|well expanded and clear)\b|"
                            r"\bclear (lungs|chest)\b|\bnormal chest\b|\bnegative chest\b", re.I)
HEART_NORMAL_RE = re.compile(
    r"\b(heart size (is )?(within normal limits|normal|upper limits of normal|unremarkable)|normal heart size|"
    r"heart is (of )?normal (in )?size|heart (is )?normal in size|cardiac silhouette (is )?(within normal limits|"
    r"normal)|normal (cardiac|cardiomediastinal) silhouette|cardiomediastinal silhouette (is )?(within normal "
    r"limits|normal|unremarkable)|heart size and mediastinal contours? (are )?(within normal limits|normal))\b",
    re.I)
NORMAL_IMP_RE = re.compile(
    r"\b(no acute|negative|normal chest|no active|clear chest|unremarkable|no radiographic evidence of acute|"
    r"no evidence of (acute|active)|within normal limits|no significant)\b", re.I)
BLANK_RE = re.compile(r"\[|\]|\*\*\*|<<|>>|___|\{\{|\bXX\b")


def sentences(text: str) -> list[str]:
    """Split a section into sentences, dropping list numbers ("1. ...")."""
    text = re.sub(r"(?:(?<=\s)|^)\d{1,2}[.)]\s+(?=[A-Za-z])", "\n", text)
    out = []
    for chunk in text.split("\n"):
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", chunk.strip()):
            s = s.strip()
            if s and re.search(r"[A-Za-z]", s):
                out.append(s if s[-1] in ".!?" else s + ".")
    return out


def has_group(s: str, g: str) -> bool:
    return re.search(GROUPS[g], s, re.I) is not None


def term_status(s: str, g: str) -> str | None:
    """'pos' / 'neg' for the first mention of group g in sentence s, None when absent."""
    for clause in SPLIT_CLAUSE_RE.split(s):
        m = re.search(GROUPS[g], clause, re.I)
        if not m:
            continue
        before = clause[:m.start()]
        after = clause[m.end():]
        if NEG_RE.search(before) or POSTNEG_RE.search(after[:40]):
            return "neg"
        return "pos"
    return None


def affirmed(sents: list[str], g: str) -> list[str]:
    return [s for s in sents if term_status(s, g) == "pos"]


def negated(sents: list[str], g: str) -> list[str]:
    return [s for s in sents if term_status(s, g) == "neg"]


def mentions(sents: list[str], g: str) -> bool:
    return any(has_group(s, g) for s in sents)


def effusion_size_ok(s: str) -> bool:
    """An effusion sentence that says moderate or large (not small / trace / small-to-moderate)."""
    return bool(re.search(r"\b(moderate|large|sizable|sizeable|massive)\b", s, re.I)) and not re.search(
        r"\b(small|tiny|trace|minimal)\b", s, re.I)


def strict_significant(sents: list[str]) -> list[tuple[str, str]]:
    """(group, sentence) pairs that a consultant would insist appear in the impression."""
    out = []
    for s in sents:
        for g in SIG_GROUPS:
            if term_status(s, g) != "pos":
                continue
            if g == "effusion":
                if effusion_size_ok(s) and not re.search(r"\b(stable|unchanged|chronic|possible|XXXX)\b|\?", s, re.I):
                    out.append((g, s))
                continue
            if g == "nodule":
                if re.search(r"\bmass\b", s, re.I) and not HEDGE_RE.search(s):
                    out.append((g, s))
                continue
            if g == "consolidation" and not re.search(r"consolidat|air ?space|infiltrat|pneumonia", s, re.I):
                continue
            if HEDGE_RE.search(s):
                continue
            out.append((g, s))
    return out


def broad_significant(sents: list[str]) -> list[str]:
    """Groups affirmed in a way that should reach the impression (generous: used to screen clean reports)."""
    out = []
    for g in SIG_GROUPS:
        for s in affirmed(sents, g):
            if g == "effusion" and re.search(r"\b(small|tiny|trace|minimal)\b", s, re.I) and not effusion_size_ok(s):
                continue
            if g == "nodule" and re.search(r"granulom|calcified", s, re.I):
                continue
            if g == "consolidation" and re.search(r"\b(scar\w*|atelecta\w*|calcif\w*|granulom\w*|chronic|"
                                                  r"stable|unchanged|old)\b", s, re.I):
                continue
            if g == "oedema" and re.search(r"\b(soft tissue|chronic)\b", s, re.I):
                continue
            out.append(g)
            break
    return out


def sides(sents: list[str]) -> set[str]:
    out = set()
    for s in sents:
        out.update(m.group(1).lower() for m in SIDE_RE.finditer(s))
    return out


def flip_side(s: str) -> str:
    swap = {"left": "right", "right": "left"}

    def rep(m):
        w = m.group(1)
        o = swap[w.lower()]
        if w.isupper():
            return o.upper()
        if w[0].isupper():
            return o.capitalize()
        return o
    return SIDE_RE.sub(rep, s)


LAT_GROUPS = {
    "lung": r"consolidat|air ?space|infiltrat|pneumonia|opacit|densit|atelecta|scar|collapse",
    "nodule": r"nodul|granulom|calcifi|\bmass",
    "pleura": r"effusion|pleural|costophrenic|blunting",
    "ptx": r"pneumothora",
    "diaphragm": r"diaphragm",
    "bone": r"\brib|fracture|clavicle|shoulder|humer|scapul",
    "device": r"catheter|\bport\b|picc|\bline\b|tube|pacemaker|pacer|stent",
}


LAT_RX = {g: re.compile(rx, re.I) for g, rx in LAT_GROUPS.items()}


def lat_groups(s: str) -> set[str]:
    return {g for g, rx in LAT_RX.items() if rx.search(s)}


def clean_screen(fs: list[str], im: list[str]) -> bool:
    """True when a findings / impression pair holds none of the five kinds of problem."""
    text = " ".join(fs + im)
    if BLANK_RE.search(text):
        return False
    if not fs or not im:
        return False
    # laterality: per finding group, the impression's sides must be among the findings' sides
    for g in LAT_GROUPS:
        i_sides = sides([s for s in im if g in lat_groups(s)])
        f_sides = sides([s for s in fs if g in lat_groups(s)])
        if i_sides and not i_sides <= f_sides:
            return False
    if not sides(im) <= sides(fs):
        return False
    # negation both ways
    for g in GROUPS:
        if affirmed(im, g) and negated(fs, g) and not affirmed(fs, g):
            return False
        if negated(im, g) and affirmed(fs, g):
            return False
        if affirmed(im, g) and not mentions(fs, g) and g in LUNG_GROUPS | {"effusion", "pneumothorax"}:
            return False
    f_clear = any(LUNGS_CLEAR_RE.search(s) and "otherwise" not in s.lower() for s in fs)
    i_clear = any(LUNGS_CLEAR_RE.search(s) for s in im)
    if f_clear and any(affirmed(im, g) for g in LUNG_GROUPS):
        return False
    if i_clear and any(affirmed(fs, g) for g in LUNG_GROUPS | {"effusion", "pneumothorax"}):
        return False
    if any(HEART_NORMAL_RE.search(s) for s in fs) and affirmed(im, "cardiomegaly"):
        return False
    if any(HEART_NORMAL_RE.search(s) for s in im) and affirmed(fs, "cardiomegaly"):
        return False
    # omission: significant findings must be acknowledged somewhere in the impression
    for g in broad_significant(fs):
        if not mentions(im, g):
            return False
    # a normal impression only beside findings with nothing significant
    if any(NORMAL_IMP_RE.search(s) for s in im) and len(im) == 1 and broad_significant(fs):
        return False
    return True


UK_SPELL = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\besophag", "oesophag"), (r"\bEsophag", "Oesophag"),
    (r"\bhemorrhag", "haemorrhag"), (r"\bhematoma", "haematoma"), (r"\bhemithorax", "hemithorax"),
    (r"\bcenter\b", "centre"), (r"\bcentimeter", "centimetre"), (r"\bmillimeter", "millimetre"),
    (r"\bgray\b", "grey"), (r"\bleukocyt", "leucocyt"), (r"\bbasilar\b", "basal"), (r"\bBasilar\b", "Basal"),
    (r"\banemia", "anaemia"), (r"\bfetal\b", "foetal"), (r"\bcalcified\b", "calcified"),
]
US_SPELL = [
    (r"\boedema\b", "edema"), (r"\bOedema\b", "Edema"), (r"\bhaem", "hem"), (r"\bHaem", "Hem"),
    (r"\bcentre\b", "center"), (r"\bin situ\b", "in place"), (r"\btachypnoeic\b", "tachypneic"),
    (r"\boesophag", "esophag"), (r"\bhaematoma", "hematoma"), (r"\bfibre", "fiber"),
]


def spell(s: str, uk: bool) -> str:
    for pat, rep in (UK_SPELL if uk else US_SPELL):
        s = re.sub(pat, rep, s)
    return s


def light_reword(s: str, uk: bool, rng: random.Random) -> tuple[str, bool]:
    """Meaning-preserving re-wording of one IU sentence in the setting's style; returns (text, changed)."""
    orig = s
    s = spell(s, uk)
    if uk and rng.random() < 0.7:
        s = re.sub(r"^There (is|are) no ", "No ", s)
        s = re.sub(r"^The heart size is normal\.$", "Heart size normal.", s)
        s = re.sub(r"^Heart size is normal\.$", "Heart size normal.", s)
        s = re.sub(r"^No acute cardiopulmonary (abnormality|disease|process)\.$",
                   lambda m: rng.choice(["No acute cardiopulmonary abnormality.", "No acute chest abnormality.",
                                         "No acute cardiopulmonary " + m.group(1) + " seen."]), s)
        s = re.sub(r"\bchest x-XXXX\b", "chest radiograph", s, flags=re.I)
    elif not uk and rng.random() < 0.4:
        s = re.sub(r"^There is no evidence of ", "No evidence of ", s)
    return s, s != orig


# --------------------------------------------------------------------------------------------
# setting: phrase bank
# --------------------------------------------------------------------------------------------

UK_NAMES = ["R. Okafor", "S. McAllister", "H. Iqbal", "P. Lennon", "C. Thorne", "A. Ramasamy", "J. Whitworth",
            "E. Brannigan", "K. Oyelaran", "M. Fairclough", "D. Sandhu", "L. Carmichael"]
US_NAMES = ["Maria Gonzalez", "David Kim", "Rebecca Stein", "Anthony Russo", "Priya Natarajan", "James Whitfield",
            "Olivia Chen", "Marcus Bell", "Sarah Lindqvist", "Robert Haines"]
UK_UNITS = ["Spinal Injuries Unit", "Regional Spinal Injuries Centre", "Spinal Cord Injury Centre",
            "National Spinal Injuries Centre", "Spinal Injuries Unit, Ward 3"]
US_UNITS = ["Spinal Cord Injury/Disorders Unit", "SCI Service, VA Medical Center", "Spinal Cord Injury Center",
            "SCI Rehabilitation Unit"]
UK_EXAMS = ["XR Chest AP (sitting) - mobile", "Chest X-ray AP mobile (ward)", "CXR PA erect",
            "XR Chest AP supine - ward", "Chest radiograph (AP sitting)"]
US_EXAMS = ["XR CHEST 1 VIEW PORTABLE", "XR CHEST AP PORTABLE (SEMI-UPRIGHT)", "CHEST PA AND LATERAL",
            "XR CHEST 2 VIEWS", "CR CHEST PORTABLE AP"]
UK_INDICATIONS = [
    "C4 AIS A tetraplegia, ventilated via tracheostomy. Increased secretions, desaturating to 88% on air.",
    "C6 complete tetraplegia. Weak cough, pyrexial 38.4. ? aspiration.",
    "T4 paraplegia, 2/52 post posterior instrumented fixation. Pleuritic pain and tachycardia, DVT on Doppler. ? PE.",
    "C5 incomplete tetraplegia (AIS C). Follow-up film after bronchoscopy and chest physiotherapy.",
    "New admission from the major trauma centre, C7 tetraplegia. Baseline chest film.",
    "Post change of tracheostomy tube. Position check.",
    "NG tube position check.",
    "Weaning from ventilation, falling tidal volumes.",
    "T11 paraplegia. Productive cough and raised CRP.",
    "C3 tetraplegia on long-term ventilation. Routine review.",
    "Autonomic dysreflexia episode, now tachypnoeic.",
    "Cervical spinal cord injury. Reduced air entry at the bases on auscultation.",
]
US_INDICATIONS = [
    "C5 ASIA A SCI, trach/vent dependent, increased secretions.",
    "T10 paraplegia, fever. R/O pneumonia.",
    "s/p T3-T8 posterior spinal fusion, hypoxia.",
    "Tetraplegic patient, tachycardia, DVT on duplex. PE workup; baseline CXR.",
    "f/u atelectasis, SCI patient on chest PT.",
    "C6 SCI, weak cough, desaturation overnight.",
    "Trach exchange. Evaluate position.",
    "Feeding tube placement.",
    "Chronic SCI, annual evaluation.",
    "Cervical SCI, aspiration event during meal.",
    "Paraplegia, cough and low-grade temps.",
]
UK_COMPARISONS = ["Comparison: {d}.", "Compared with the previous film of {d}.", "Previous: {d}.",
                  "Comparison is made with the film dated {d}.", "No previous imaging available.",
                  "Compared with XXXX."]
US_COMPARISONS = ["COMPARISON: {d}.", "COMPARISON: Chest radiograph 2 days prior.", "COMPARISON: None.",
                  "COMPARISON: Prior study from {d}.", "COMPARISON: XXXX."]
UK_TECH = ["", "", "Limited inspiration.", "Patient rotated; poor inspiratory effort.", "Film taken in the ward."]
US_TECH = ["TECHNIQUE: Single portable AP view of the chest.", "TECHNIQUE: Frontal and lateral views.",
           "TECHNIQUE: Portable semi-upright AP view."]

# A pathology: group used for checks, whether it has a side, whether leaving it out of the impression
# is an omission, the category for structured templates, findings / impression wordings, and the
# statements that would negate it.
PATHOLOGY = {
    "lower_lobe_collapse": dict(
        group="atelectasis", lateral=True, omit_sig=False, cat="Lungs",
        find=["Dense opacity at the {side} base with loss of the medial {side} hemidiaphragm outline and "
              "volume loss, in keeping with {side} lower lobe collapse.",
              "There is collapse of the {side} lower lobe, with loss of the {side} hemidiaphragm silhouette.",
              "Triangular opacity projected over the {side} lower zone with crowding of the {side} basal vessels "
              "and loss of the {side} hemidiaphragm contour, consistent with lobar collapse."],
        imp=["{Side} lower lobe collapse, likely secretion related; chest physiotherapy and suction advised.",
             "{Side} lower lobe collapse.",
             "Collapse of the {side} lower lobe ? mucus plugging. Suggest follow-up film after physiotherapy."],
        neg_find="No lobar collapse.", neg_imp=["No lobar collapse.", "No collapse."],
        assert_imp="{Side} lower lobe collapse."),
    "consolidation": dict(
        group="consolidation", lateral=True, omit_sig=True, cat="Lungs",
        find=["Patchy airspace opacification in the {side} lower zone.",
              "Ill-defined consolidation at the {side} base with air bronchograms.",
              "New airspace shadowing in the {side} lower zone since the previous film.",
              "There is consolidation in the {side} lower lobe."],
        imp=["{Side} lower zone consolidation, in keeping with aspiration in this clinical context.",
             "{Side} basal pneumonia, ? aspiration.",
             "New {side} basal consolidation, likely aspiration pneumonia.",
             "{Side} lower lobe consolidation consistent with infection."],
        neg_find="No focal consolidation.", neg_imp=["No consolidation.", "No pneumonia."],
        assert_imp="{Side} basal consolidation."),
    "basal_atelectasis": dict(
        group="atelectasis", lateral=True, omit_sig=False, cat="Lungs",
        find=["Linear atelectasis at the {side} base.",
              "Minor subsegmental atelectasis in the {side} lower zone.",
              "Band of discoid atelectasis above the {side} hemidiaphragm."],
        imp=["{Side} basal atelectasis.",
             "Minor {side} basal subsegmental atelectasis, in keeping with poor inspiratory effort.",
             "Plate atelectasis at the {side} base."],
        neg_find="No atelectasis.", neg_imp=["No atelectasis."], assert_imp="{Side} basal atelectasis."),
    "small_effusion": dict(
        group="effusion", lateral=True, omit_sig=False, cat="Pleura",
        find=["Small {side} pleural effusion with blunting of the costophrenic angle.",
              "Blunting of the {side} costophrenic angle in keeping with a small effusion.",
              "Small {side} pleural effusion, unchanged."],
        imp=["Small {side} pleural effusion.", "Small {side} effusion, unchanged.",
             "Small {side} pleural effusion, no intervention required."],
        neg_find="No pleural effusion.", neg_imp=["No pleural effusion.", "No effusion."],
        assert_imp="Small {side} pleural effusion."),
    "large_effusion": dict(
        group="effusion", lateral=True, omit_sig=True, cat="Pleura",
        find=["Moderate {side} pleural effusion extending to the mid zone.",
              "Large {side} pleural effusion with associated basal opacification.",
              "The moderate {side} pleural effusion has increased since the previous film."],
        imp=["Moderate {side} pleural effusion.",
             "Large {side} pleural effusion; ultrasound-guided drainage could be considered.",
             "Increasing moderate {side} pleural effusion."],
        neg_find="No pleural effusion.", neg_imp=["No pleural effusion.", "No effusion."],
        assert_imp="Moderate {side} pleural effusion."),
    "pneumothorax": dict(
        group="pneumothorax", lateral=True, omit_sig=True, cat="Pleura",
        find=["There is a {side} apical pneumothorax with a 2 cm rim at the apex.",
              "Visible pleural edge at the {side} apex in keeping with a pneumothorax, no mediastinal shift.",
              "New {side} pneumothorax, measuring 1.5 cm at the level of the hilum."],
        imp=["{Side} pneumothorax. Discussed with the SCI registrar at the time of reporting.",
             "{Side} apical pneumothorax; result phoned to the ward.",
             "New {side} pneumothorax, no tension features."],
        neg_find="No pneumothorax.", neg_imp=["No pneumothorax."],
        assert_imp="{Side} apical pneumothorax."),
    "oedema": dict(
        group="oedema", lateral=False, omit_sig=True, cat="Lungs",
        find=["Upper lobe venous diversion with bilateral perihilar haze and septal lines, in keeping with "
              "pulmonary oedema.",
              "Bilateral interstitial shadowing and Kerley B lines, consistent with interstitial oedema.",
              "Increased pulmonary vascular congestion with perihilar airspace shadowing."],
        imp=["Pulmonary oedema, ? fluid overload.", "Interstitial pulmonary oedema.",
             "Features of fluid overload / pulmonary oedema."],
        neg_find="No pulmonary oedema.", neg_imp=["No pulmonary oedema.", "No features of fluid overload."],
        assert_imp="Pulmonary oedema."),
    "elevated_hemidiaphragm": dict(
        group="diaphragm", lateral=True, omit_sig=False, cat="Lungs",
        find=["The {side} hemidiaphragm is elevated, as before.",
              "Elevation of the {side} hemidiaphragm, unchanged from the previous film."],
        imp=["Unchanged elevation of the {side} hemidiaphragm, in keeping with known phrenic nerve palsy.",
             "Stable elevated {side} hemidiaphragm."],
        neg_find=None, neg_imp=[], assert_imp=None),
    "nodule_large": dict(
        group="nodule", lateral=True, omit_sig=True, cat="Lungs",
        find=["Nodule measuring {n} mm in the {side} mid zone.",
              "New {n} mm rounded nodule projected over the {side} upper zone."],
        imp=["{n} mm {side} mid zone nodule; CT chest recommended.",
             "{Side} upper zone nodule measuring {n} mm. Further assessment with CT is advised."],
        neg_find=None, neg_imp=[], assert_imp=None),
    "nodule_small": dict(
        group="nodule", lateral=True, omit_sig=False, cat="Lungs",
        find=["Tiny {n} mm calcified nodule in the {side} mid zone, likely a granuloma."],
        imp=["Tiny calcified granuloma in the {side} mid zone, of no clinical significance."],
        neg_find=None, neg_imp=[], assert_imp=None),
    "cardiomegaly": dict(
        group="cardiomegaly", lateral=False, omit_sig=False, cat="Heart and mediastinum",
        find=["Mild cardiomegaly, stable.", "The heart is mildly enlarged, unchanged.",
              "Heart size is mildly enlarged, as before."],
        imp=["Stable mild cardiomegaly.", "Mild cardiomegaly, unchanged."],
        neg_find="Heart size normal.", neg_imp=["Heart size normal."], assert_imp="Cardiomegaly."),
    "wedge_opacity": dict(
        group="consolidation", lateral=True, omit_sig=True, cat="Lungs",
        find=["New peripheral wedge-shaped opacity at the {side} base.",
              "There is a new pleurally based wedge of consolidation in the {side} lower zone."],
        imp=["New peripheral {side} basal opacity: infarct or consolidation; CTPA if PE is suspected clinically.",
             "{Side} lower zone wedge-shaped consolidation, ? pulmonary infarct. Suggest CTPA."],
        neg_find="No focal consolidation.", neg_imp=["No consolidation."], assert_imp="{Side} basal consolidation."),
    "mediastinal_widening": dict(
        group="mediastinum", lateral=False, omit_sig=True, cat="Heart and mediastinum",
        find=["The superior mediastinum is widened compared with the previous film.",
              "New widening of the upper mediastinum adjacent to the fixation."],
        imp=["New mediastinal widening, ? haematoma following fixation; CT recommended.",
             "Widened superior mediastinum. Urgent CT advised."],
        neg_find="Mediastinal contour normal.", neg_imp=["Normal mediastinal contour."],
        assert_imp="Widened mediastinum."),
    "free_air": dict(
        group="free_air", lateral=False, omit_sig=True, cat="Upper abdomen",
        find=["Free subdiaphragmatic gas beneath both hemidiaphragms.",
              "Crescents of free gas under both hemidiaphragms."],
        imp=["Pneumoperitoneum, ? perforated viscus; note abdominal signs may be masked by the cord injury. "
             "Discussed with the on-call surgical team.",
             "Free intraperitoneal gas. Urgent surgical review advised."],
        neg_find="No free subdiaphragmatic gas.", neg_imp=["No free gas."], assert_imp="Pneumoperitoneum."),
    "old_rib_fractures": dict(
        group="bone", lateral=True, omit_sig=False, cat="Bones",
        find=["Healed fractures of the {side} posterior 5th to 7th ribs."],
        imp=["Old {side} rib fractures."],
        neg_find=None, neg_imp=[], assert_imp=None),
}
SIG_NAMES = [k for k, v in PATHOLOGY.items() if v["omit_sig"]]
MINOR_NAMES = [k for k, v in PATHOLOGY.items() if not v["omit_sig"]]

DEVICES = {
    "tracheostomy": (["Tracheostomy tube in situ, tip {n} cm above the carina.",
                      "Tracheostomy tube tip projected {n} cm above the carina."],
                     ["Tracheostomy tube in satisfactory position."]),
    "ng": (["Nasogastric tube passes below the diaphragm, tip in the stomach.",
            "Fine-bore NG tube with its tip in the stomach."],
           ["NG tube tip in the stomach; safe to use."]),
    "picc": (["PICC line with its tip at the cavoatrial junction.", "Central line tip in the SVC."],
             ["Central line in satisfactory position."]),
    "ett": (["Endotracheal tube tip {n} cm above the carina."], ["ETT in satisfactory position."]),
    "acdf": (["Anterior cervical plate and screws at C5-C6 partly included.",
              "Anterior cervical fixation at C4-C6 noted."],
             ["Cervical spinal fixation hardware in situ."]),
    "thoracic_fixation": (["Posterior pedicle screw and rod fixation from T{a} to T{b}, unchanged.",
                           "Thoracic spinal fixation T{a}-T{b} with no evidence of metalwork failure."],
                          ["Thoracic spinal fixation in situ."]),
    "pacing": (["Diaphragm pacing electrodes projected over the upper abdomen.",
                "Phrenic nerve pacing wires in situ bilaterally."],
               ["Diaphragm pacing system in situ."]),
    "ivc_filter": (["IVC filter partly included at the lower edge of the film."], ["IVC filter in situ."]),
    "halo": (["Halo vest frame overlies the upper chest, limiting assessment of the apices."],
             ["Halo vest in situ, limiting assessment of the apices."]),
}

NEG_BANK = {  # group -> findings sentences stating its absence
    "consolidation": ["No focal consolidation.", "No airspace opacity."],
    "effusion": ["No pleural effusion.", "Costophrenic angles are clear."],
    "pneumothorax": ["No pneumothorax."],
    "oedema": ["No pulmonary oedema.", "Pulmonary vasculature is normal."],
    "cardiomegaly": ["Heart size normal.", "Cardiomediastinal contours within normal limits."],
    "free_air": ["No free subdiaphragmatic gas."],
}
ASSERT_BY_GROUP = {  # impression wordings that affirm a finding the findings negate
    "consolidation": ["{Side} basal consolidation.", "{Side} lower zone pneumonia.",
                      "Airspace shadowing at the {side} base, ? aspiration."],
    "effusion": ["Small {side} pleural effusion.", "{Side} pleural effusion."],
    "pneumothorax": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "oedema": ["Pulmonary oedema.", "Mild interstitial oedema, ? fluid overload."],
    "cardiomegaly": ["Cardiomegaly.", "The heart is enlarged."],
    "free_air": ["Free subdiaphragmatic gas."],
}
NORMAL_IMP_UK = ["No acute cardiopulmonary abnormality.", "No acute abnormality.", "No acute change.",
                 "No significant acute abnormality."]
CLEAR_IMP_UK = ["Clear chest.", "Normal chest radiograph.", "Lungs clear. No acute abnormality."]
NORMAL_IMP_US = ["No acute cardiopulmonary abnormality.", "No acute cardiopulmonary process.",
                 "No acute intrathoracic abnormality."]
CLEAR_IMP_US = ["Clear lungs. No acute cardiopulmonary process.", "Normal chest.", "No active disease."]
RECOMMEND = ["Suggest follow-up film after physiotherapy.", "Clinical correlation advised.",
             "Suggest follow-up radiograph to ensure resolution."]

PH_SIZE = ["[***]", "<<size>>", "XX", "[size]", "[ ]"]
PH_SIDE = ["[left/right]", "<<side>>", "[SIDE]", "[***]"]
PH_ADJ = ["[***]", "[ ]", "<<severity>>", "[small/moderate/large]"]
PH_DATE = ["[date of prior]", "<<comparison date>>", "[***]", "[DATE]"]
PH_WORD = ["[***]", "[ ]", "<<finding>>", "***"]


def fmt_date(rng: random.Random, uk: bool) -> str:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.choice([2022, 2023, 2024])
    return f"{d:02d}/{m:02d}/{y}" if uk else f"{m:02d}/{d:02d}/{y}"


def signoff(rng: random.Random, uk: bool, unit: str) -> str:
    date = fmt_date(rng, uk)
    if uk:
        n, m = rng.sample(UK_NAMES, 2)
        return rng.choice([
            f"Dr {n}, Consultant Radiologist",
            f"Reported by: Dr {n} FRCR {date}",
            f"Dr {n}\nConsultant Radiologist, {unit}",
            f"Dictated by Dr {m} (StR). Verified by Dr {n}, Consultant Radiologist.",
            "Reported by: Dr XXXX, Consultant Radiologist",
        ])
    n = rng.choice(US_NAMES)
    t = f"{rng.randint(7, 11)}:{rng.randint(0, 59):02d} AM"
    return rng.choice([
        f"Electronically signed by: {n}, MD on {date} at {t}",
        f"I have personally reviewed the images and agree with the report above.\n{n}, MD",
        f"Interpreted by: {n}, MD\nSigned: {date}",
        f"Attending radiologist: {n}, MD. Dictated {date}.",
        "Electronically signed by: XXXX, MD on XXXX",
    ])


def categorise(s: str) -> str:
    low = s.lower()
    if re.search(r"\btubes?\b|\blines?\b|catheter|picc|tracheostomy|pacing|pacer|\bfilter|electrode|\bett\b|"
                 r"\bport\b|halo", low):
        return "Lines/tubes/devices"
    if re.search(r"pleura|effusion|pneumothora|costophrenic", low):
        return "Pleura"
    if re.search(r"heart|cardi|mediastin|aort|hil(ar|um)|trachea", low):
        return "Heart and mediastinum"
    if re.search(r"bone|bony|osseous|spine|spinal|\brib|fractur|clavic|screw|\brod\b|fixation|plate|metalwork|"
                 r"vertebra|scolio|degenerative|shoulder|hardware", low):
        return "Bones"
    if re.search(r"subdiaphragm|abdomen|bowel|free gas|free air", low):
        return "Upper abdomen"
    return "Lungs"


CAT_ORDER = ["Lines/tubes/devices", "Lungs", "Pleura", "Heart and mediastinum", "Bones", "Upper abdomen"]


# --------------------------------------------------------------------------------------------
# layouts
# --------------------------------------------------------------------------------------------

LAYOUTS = ["uk_numbered", "uk_prose", "uk_inline", "us_structured", "us_prose"]


def render(layout: str, rng: random.Random, *, indication: str, comparison: str, findings: list[str],
           impression: list[str], f_mode: str = "keep", i_mode: str = "keep", tech: str = "",
           numbered: bool | None = None) -> str:
    """Lay a report out in one of the setting's templates.

    f_mode / i_mode: keep | empty (header, nothing under it) | sig (header, then only the sign-off) | removed.
    """
    uk = layout.startswith("uk")
    unit = rng.choice(UK_UNITS if uk else US_UNITS)
    sign = signoff(rng, uk, unit)
    if numbered is None:
        numbered = len(impression) > 1 and rng.random() < 0.8
    if numbered:
        imp_text = "\n".join(f"{k}. {s}" for k, s in enumerate(impression, 1))
    else:
        imp_text = " ".join(impression)
    parts = []
    if layout == "uk_numbered":
        f_head = rng.choice(["Findings:", "FINDINGS:"])
        i_head = rng.choice(["Conclusion:", "CONCLUSION:", "Impression:"])
        parts.append(f"{unit}\n{rng.choice(UK_EXAMS)}")
        if rng.random() < 0.3:
            parts.append("Patient: XXXX    Hospital No: XXXX")
        parts.append(f"Clinical details: {indication}")
        parts.append(comparison)
        if tech:
            parts.append(tech)
        f_body = "\n".join(findings) if rng.random() < 0.5 else " ".join(findings)
    elif layout == "uk_prose":
        f_head = rng.choice(["Report:", "REPORT:", "Findings:"])
        i_head = rng.choice(["Opinion:", "Comment:", "Summary:", "Conclusion:"])
        parts.append(rng.choice(UK_EXAMS))
        parts.append(f"{rng.choice(['History', 'Clinical history', 'Indication'])}: {indication}")
        f_body = " ".join(([comparison] if comparison and rng.random() < 0.5 else []) + findings)
        if comparison and comparison not in f_body:
            parts.append(comparison)
    elif layout == "uk_inline":
        f_head = "Findings:"
        i_head = rng.choice(["Impression:", "Conclusion:"])
        parts.append(f"Exam: {rng.choice(UK_EXAMS)}")
        parts.append(f"Indication: {indication}")
        parts.append(comparison)
        f_body = " ".join(findings)
    elif layout == "us_structured":
        f_head = "FINDINGS:"
        i_head = "IMPRESSION:"
        exam = rng.choice(US_EXAMS)
        parts.append(f"EXAM: {exam}")
        parts.append(f"CLINICAL INDICATION: {indication}")
        parts.append(tech or (US_TECH[1] if re.search(r"LATERAL|2 VIEWS", exam) else rng.choice(US_TECH[::2])))
        parts.append(comparison)
        buckets: dict[str, list[str]] = {}
        for s in findings:
            buckets.setdefault(categorise(s), []).append(s)
        f_body = "\n".join(f"{c}: {' '.join(buckets[c])}" for c in CAT_ORDER if c in buckets)
    else:  # us_prose
        f_head = "FINDINGS:"
        i_head = "IMPRESSION:"
        parts.append(rng.choice(US_EXAMS))
        parts.append(f"{rng.choice(['HISTORY', 'INDICATION', 'CLINICAL HISTORY'])}: {indication}")
        parts.append(comparison)
        if tech:
            parts.append(tech)
        f_body = " ".join(findings)
    parts = [p for p in parts if p]

    inline = layout in ("uk_inline", "us_prose")
    if f_mode == "keep":
        parts.append(f"{f_head} {f_body}" if inline else f"{f_head}\n{f_body}")
    elif f_mode in ("empty", "sig"):
        parts.append(f_head)
    if i_mode == "keep":
        parts.append(f"{i_head} {imp_text}" if inline and not numbered else f"{i_head}\n{imp_text}")
        parts.append(sign)
    elif i_mode == "empty":
        parts.append(i_head)
        parts.append("")
        parts.append(sign)
    elif i_mode == "sig":
        parts.append(f"{i_head}\n{sign}")
    else:
        parts.append(sign)
    text = "\n\n".join(parts)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


# --------------------------------------------------------------------------------------------
# composed reports
# --------------------------------------------------------------------------------------------

def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def fill(t: str, side: str | None, n: int | None, uk: bool) -> str:
    s = t.replace("{Side}", (side or "").capitalize()).replace("{side}", side or "")
    s = s.replace("{n}", str(n) if n is not None else "")
    return spell(cap(s), uk)


class Case:
    """A composed report kept as parts, so one injected change touches exactly one place."""

    def __init__(self, rng: random.Random, uk: bool):
        self.rng = rng
        self.uk = uk
        self.items: list[dict] = []     # pathology instances
        self.devices: list[dict] = []
        self.negs: list[tuple[str, str]] = []   # (group, findings sentence)
        self.extra_imp: list[str] = []
        self.rng_bones = ""

    def add_path(self, name: str, side: str | None = None):
        p = PATHOLOGY[name]
        rng = self.rng
        if p["lateral"]:
            side = side or rng.choice(["left", "right"])
        else:
            side = None
        n = None
        if name == "nodule_large":
            n = rng.choice([7, 8, 9, 11, 12, 14, 18])
        elif name == "nodule_small":
            n = rng.choice([2, 3, 4])
        self.items.append(dict(name=name, side=side, n=n, ft=rng.choice(p["find"]), it=rng.choice(p["imp"]),
                               in_imp=True, **p))

    def add_device(self, name: str):
        fts, its = DEVICES[name]
        a = self.rng.randint(2, 6)
        self.devices.append(dict(name=name, f=self.rng.choice(fts).format(n=self.rng.choice([3, 4, 5, 6]), a=a,
                                                                          b=a + self.rng.randint(3, 6)),
                                 i=self.rng.choice(its), in_imp=self.rng.random() < 0.5))

    def present_groups(self) -> set[str]:
        return {it["group"] for it in self.items}

    def build_negs(self):
        pg = self.present_groups()
        rng = self.rng
        lung_path = bool(pg & LUNG_GROUPS)
        chosen = []
        if not lung_path and rng.random() < 0.6:
            chosen.append(("lungs", rng.choice(["The lungs are clear.", "Lungs clear.", "Both lungs are clear."])))
        for g in ["consolidation", "effusion", "pneumothorax", "oedema", "cardiomegaly"]:
            if g in pg or (g in ("consolidation", "oedema") and chosen and chosen[0][0] == "lungs"
                           and rng.random() < 0.5):
                continue
            if g in ("consolidation", "effusion", "pneumothorax", "cardiomegaly") or rng.random() < 0.5:
                bank = NEG_BANK[g][:1] if (g == "cardiomegaly" and "mediastinum" in pg) else NEG_BANK[g]
                chosen.append((g, spell(rng.choice(bank), self.uk)))
        if "free_air" not in pg and rng.random() < 0.15:
            chosen.append(("free_air", NEG_BANK["free_air"][0]))
        self.negs = chosen

    def findings(self) -> list[str]:
        out = [spell(d["f"], self.uk) for d in self.devices]
        for it in self.items:
            out.append(fill(it["ft"], it.get("f_side", it["side"]), it["n"], self.uk))
        out += [s for _, s in self.negs]
        if self.rng_bones:
            out.append(self.rng_bones)
        return out

    def impression(self) -> list[str]:
        out = []
        for it in self.items:
            if it["in_imp"]:
                out.append(fill(it["it"], it.get("i_side", it["side"]), it["n"], self.uk))
        dev = [spell(d["i"], self.uk) for d in self.devices if d["in_imp"]]
        if not any(it["in_imp"] for it in self.items):
            normal = self.normal_statement()
            return dev + [normal] + self.extra_imp
        return out + dev + self.extra_imp

    def normal_statement(self) -> str:
        rng = self.rng
        if not self.items and rng.random() < 0.5:
            return rng.choice(CLEAR_IMP_UK if self.uk else CLEAR_IMP_US)
        return rng.choice(NORMAL_IMP_UK if self.uk else NORMAL_IMP_US)


def compose(rng: random.Random, *, want_sig: bool = False, want_lateral: bool = False, n_other: int | None = None,
            normal_ok: bool = True) -> Case:
    uk = rng.random() < 0.55
    c = Case(rng, uk)
    c.rng_bones = ""
    # tubes, lines and spinal hardware: the everyday furniture of these films
    devs = [d for d in DEVICES if rng.random() < {"tracheostomy": 0.35, "acdf": 0.3, "thoracic_fixation": 0.3,
                                                  "ng": 0.2, "picc": 0.15, "pacing": 0.07, "ivc_filter": 0.07,
                                                  "halo": 0.05, "ett": 0.04}[d]]
    if "ett" in devs and "tracheostomy" in devs:
        devs.remove("ett")
    for d in devs:
        c.add_device(d)
    names: list[str] = []
    if want_sig:
        names.append(rng.choice([n for n in SIG_NAMES if not want_lateral or PATHOLOGY[n]["lateral"]]))
    elif want_lateral:
        names.append(rng.choice([n for n, p in PATHOLOGY.items() if p["lateral"] and n != "nodule_small"]))
    k = n_other if n_other is not None else rng.choice([0, 0, 1, 1, 1, 2] if normal_ok else [1, 1, 2])
    pool = [n for n in PATHOLOGY if n not in names]
    rng.shuffle(pool)
    for n in pool:
        if len(names) >= k + (1 if (want_sig or want_lateral) else 0):
            break
        groups = {PATHOLOGY[x]["group"] for x in names}
        if PATHOLOGY[n]["group"] in groups:
            continue
        if n in SIG_NAMES and rng.random() < 0.5:
            continue
        names.append(n)
    for n in names:
        c.add_path(n)
    c.build_negs()
    if rng.random() < 0.3 and not any(d["name"] in ("acdf", "thoracic_fixation") for d in c.devices):
        c.rng_bones = rng.choice(["No acute bony abnormality.", "Osteopenic bones.", "Bones unremarkable."])
    if c.items and rng.random() < 0.2:
        c.extra_imp.append(spell(rng.choice(RECOMMEND), uk))
    return c


def comp_meta(rng: random.Random, uk: bool) -> dict:
    comp = rng.choice(UK_COMPARISONS if uk else US_COMPARISONS).format(d=fmt_date(rng, uk))
    return dict(indication=rng.choice(UK_INDICATIONS if uk else US_INDICATIONS), comparison=comp,
                tech=rng.choice(UK_TECH) if uk else "")


def pick_layout(rng: random.Random, uk: bool) -> str:
    return rng.choice(["uk_numbered", "uk_numbered", "uk_prose", "uk_inline"] if uk else
                      ["us_structured", "us_prose", "us_prose"])


def composed_clean(rng: random.Random) -> tuple[str, str]:
    c = compose(rng)
    # now and then a minor finding is left out of the impression (not an omission)
    minor = [it for it in c.items if it["name"] in ("nodule_small", "cardiomegaly", "small_effusion",
                                                     "old_rib_fractures")]
    note = ""
    if minor and len(c.items) > 1 and rng.random() < 0.4:
        minor[0]["in_imp"] = False
        note = f"; minor finding ({minor[0]['name']}) not repeated in the impression"
    lay = pick_layout(rng, c.uk)
    m = comp_meta(rng, c.uk)
    text = render(lay, rng, findings=c.findings(), impression=c.impression(), **m)
    names = ", ".join(it["name"] for it in c.items) or "normal"
    return text, f"composed {lay}: {names}{note}"


def composed_missing(rng: random.Random, which: str, mode: str) -> tuple[str, str]:
    c = compose(rng)
    lay = pick_layout(rng, c.uk)
    m = comp_meta(rng, c.uk)
    if which == "findings":
        text = render(lay, rng, findings=c.findings(), impression=c.impression(), f_mode=mode, **m)
    else:
        text = render(lay, rng, findings=c.findings(), impression=c.impression(), i_mode=mode, **m)
    what = {"empty": "emptied (header kept)", "sig": "emptied, header followed only by the sign-off",
            "removed": "removed"}[mode]
    return text, f"composed {lay}: {which} section {what}"


def composed_laterality(rng: random.Random) -> tuple[str, str]:
    c = compose(rng, want_lateral=True)
    lat = [it for it in c.items if it["lateral"] and it["in_imp"]]
    it = lat[0]
    where = rng.choice(["findings", "impression"])
    new = "left" if it["side"] == "right" else "right"
    it["f_side" if where == "findings" else "i_side"] = new
    lay = pick_layout(rng, c.uk)
    m = comp_meta(rng, c.uk)
    text = render(lay, rng, findings=c.findings(), impression=c.impression(), **m)
    return text, (f"composed {lay}: {it['name']} is {it['side']} in the "
                  f"{'impression' if where == 'findings' else 'findings'}, flipped to {new} in the {where}")


def composed_negation(rng: random.Random) -> tuple[str, str]:
    mode = rng.choice(["assert_negated", "assert_negated", "by_meaning", "negate_affirmed"])
    if mode == "negate_affirmed":
        c = compose(rng, n_other=rng.choice([0, 1]), normal_ok=False)
        cands = [it for it in c.items if it["neg_imp"]]
        if not cands:
            c.add_path("consolidation" if "consolidation" not in c.present_groups() else "large_effusion")
            c.build_negs()
            cands = [it for it in c.items if it["neg_imp"]]
        it = rng.choice(cands)
        if it["name"] == "cardiomegaly":
            it["ft"] = "The heart is mildly enlarged, unchanged."
        it["it"] = rng.choice(it["neg_imp"])
        it["n"] = None
        lay = pick_layout(rng, c.uk)
        m = comp_meta(rng, c.uk)
        text = render(lay, rng, findings=c.findings(), impression=c.impression(), **m)
        return text, f"composed {lay}: findings describe {it['name']}, impression states '{spell(it['it'], c.uk)}'"
    c = compose(rng, n_other=rng.choice([0, 0, 1]))
    if mode == "by_meaning":
        opts = [(g, s) for g, s in c.negs if g in ("lungs", "cardiomegaly")]
        if not opts:
            mode = "assert_negated"
    if mode == "assert_negated":
        opts = [(g, s) for g, s in c.negs if g in ASSERT_BY_GROUP and g != "cardiomegaly"]
    g, s = rng.choice(opts)
    if g == "lungs":
        g2 = rng.choice(["consolidation", "oedema"])
        claim = rng.choice(ASSERT_BY_GROUP[g2])
    else:
        claim = rng.choice(ASSERT_BY_GROUP[g])
    claim = fill(claim, rng.choice(["left", "right"]), None, c.uk)
    imp = [x for x in c.impression() if not NORMAL_IMP_RE.search(x) and not LUNGS_CLEAR_RE.search(x)]
    imp = [claim] + imp
    lay = pick_layout(rng, c.uk)
    m = comp_meta(rng, c.uk)
    text = render(lay, rng, findings=c.findings(), impression=imp, **m)
    return text, f"composed {lay}: findings say '{s}', impression asserts '{claim}' ({mode})"


def composed_omission(rng: random.Random, style: str) -> tuple[str, str]:
    c = compose(rng, want_sig=True, n_other=1, normal_ok=False)
    sig = c.items[0]
    sig["in_imp"] = False
    lay = pick_layout(rng, c.uk)
    m = comp_meta(rng, c.uk)
    if style == "normal":
        imp = [rng.choice(NORMAL_IMP_UK[:2] + ["No other acute abnormality."] if c.uk else NORMAL_IMP_US)]
        if imp[0].startswith("No other"):
            imp = [spell(rng.choice(["Tubes and lines satisfactory.", "Spinal fixation in situ."]), c.uk)] + imp
    else:
        imp = []
        for it in c.items[1:]:
            it["in_imp"] = True
            imp.append(fill(it["it"], it["side"], it["n"], c.uk))
        imp += [spell(d["i"], c.uk) for d in c.devices]
        if not imp:
            c.add_device("tracheostomy" if rng.random() < 0.5 else "thoracic_fixation")
            imp = [spell(c.devices[-1]["i"], c.uk)]
    text = render(lay, rng, findings=c.findings(), impression=imp, **m)
    return text, (f"composed {lay}: findings affirm {sig['name']} "
                  f"('{fill(sig['ft'], sig['side'], sig['n'], c.uk)}'), impression "
                  f"{'replaced by a normal statement' if style == 'normal' else 'lists only other findings'}")


def composed_placeholder(rng: random.Random) -> tuple[str, str]:
    c = compose(rng, n_other=rng.choice([1, 1, 2]))
    lay = pick_layout(rng, c.uk)
    m = comp_meta(rng, c.uk)
    fs, im = c.findings(), c.impression()
    spots = []
    for k, s in enumerate(fs):
        if re.search(r"\b\d+ (cm|mm)\b", s):
            spots.append(("f", k, r"\b\d+(?= (cm|mm)\b)", PH_SIZE))
        if SIDE_RE.search(s):
            spots.append(("f", k, r"\b(left|right)\b", PH_SIDE))
        if re.search(r"\b(Small|Moderate|Large|Mild)\b", s):
            spots.append(("f", k, r"\b(Small|Moderate|Large|Mild)\b", PH_ADJ))
        if re.search(r"\bT\d+\b", s):
            spots.append(("f", k, r"\bT\d+\b", ["T[ ]", "[level]", "<<level>>"]))
    for k, s in enumerate(im):
        if SIDE_RE.search(s):
            spots.append(("i", k, r"\b(left|right)\b", PH_SIDE))
        if re.search(r"\bCT\b|physiotherapy", s):
            spots.append(("i", k, r"\bCT\b|physiotherapy", PH_WORD))
    if re.search(r"\d\d/\d\d/\d{4}", m["comparison"]):
        spots.append(("c", 0, r"\d\d/\d\d/\d{4}", PH_DATE))
    if not spots:
        for k, s in enumerate(fs):
            if re.search(r"\b(clear|normal)\b", s):
                spots.append(("f", k, r"\b(clear|normal)\b", ["[normal/abnormal]", "[***]", "<<lungs>>"]))
    where, k, pat, phs = rng.choice(spots)
    ph = rng.choice(phs)
    if where == "f":
        old = fs[k]
        fs[k] = re.sub(pat, ph, fs[k], count=1)
        new = fs[k]
    elif where == "i":
        old = im[k]
        im[k] = re.sub(pat, ph, im[k], count=1)
        new = im[k]
    else:
        old = m["comparison"]
        m["comparison"] = re.sub(pat, ph, m["comparison"], count=1)
        new = m["comparison"]
    text = render(lay, rng, findings=fs, impression=im, **m)
    return text, f"composed {lay}: '{old}' -> '{new}'"


# --------------------------------------------------------------------------------------------
# IU-based reports
# --------------------------------------------------------------------------------------------

def iu_prepare(r: dict, rng: random.Random) -> dict:
    """Sentence lists in the setting's style, plus layout decisions, for one IU report."""
    uk = rng.random() < 0.55
    changed = 0
    fs, im = [], []
    for s in sentences(r["findings"]):
        t, ch = light_reword(s, uk, rng)
        fs.append(t)
        changed += ch
    for s in sentences(r["impression"]):
        t, ch = light_reword(s, uk, rng)
        im.append(t)
        changed += ch
    level = rng.choice(["C4", "C5", "C6", "C7", "T4", "T6", "T10", "T12"])
    kind = "tetraplegia" if level.startswith("C") else "paraplegia"
    ind = r["indication"].strip().rstrip(".") or "Routine review"
    if uk:
        indication = f"{level} {kind}. {cap(ind)}."
        comp = r["comparison"].strip().rstrip(".")
        comparison = f"Comparison: {comp}." if comp and comp.lower() not in ("none", "none available") else \
            "No previous imaging available."
    else:
        indication = f"SCI ({level} {kind}). {cap(ind)}."
        comp = r["comparison"].strip().rstrip(".")
        comparison = f"COMPARISON: {comp or 'None'}."
    lay = pick_layout(rng, uk)
    order = [CAT_ORDER.index(categorise(s)) for s in fs]
    if lay == "us_structured" and order != sorted(order):
        lay = "us_prose"  # structured only where it keeps the radiologist's order of sentences
    note = f"re-laid out as {lay}" + (f", {changed} sentence(s) re-worded ({'UK' if uk else 'US'} style)"
                                      if changed else "")
    return dict(uk=uk, fs=fs, im=im, indication=indication, comparison=comparison, layout=lay, note=note,
                tech=rng.choice(UK_TECH[:2]) if uk else "")


def iu_render(p: dict, rng: random.Random, fs=None, im=None, **kw) -> str:
    return render(p["layout"], rng, indication=p["indication"], comparison=p["comparison"],
                  findings=p["fs"] if fs is None else fs, impression=p["im"] if im is None else im,
                  tech=p["tech"], **kw)


def iu_lat_candidate(fs: list[str], im: list[str]) -> tuple[str, int] | None:
    """(section, sentence index) to flip, when both sections place the same finding on one side."""
    all_sides = sides(fs + im)
    if len(all_sides) != 1 or any(re.search(r"\bbilateral|\bboth\b", s, re.I) for s in fs + im):
        return None
    f_hits = [(k, lat_groups(s)) for k, s in enumerate(fs) if SIDE_RE.search(s)]
    i_hits = [(k, lat_groups(s)) for k, s in enumerate(im) if SIDE_RE.search(s)]
    pairs = [(fk, ik) for fk, fg in f_hits for ik, ig in i_hits if fg & ig]
    if not pairs:
        return None
    return pairs


# --------------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------------

def build(seed: int, shared: Path | None = None) -> list[dict]:
    rng = random.Random(f"h149-{seed}")
    dev = dev_uids(shared)
    iu = [r for r in load_iu(shared) if r["uid"] not in dev]
    rng.shuffle(iu)
    used: set[str] = set()
    rows: list[dict] = []

    def add(kind, text, detail):
        rows.append({"injected": kind, "detail": detail, "report": text})

    half = N_PER_KIND // 2

    # ---------------- composed half ----------------
    for _ in range(N_CLEAN // 2):
        add(None, *composed_clean(rng))
    miss_specs = [("impression", "empty")] * 5 + [("impression", "sig")] * 4 + [("impression", "removed")] * 3 + \
                 [("findings", "empty")] * 8
    for which, mode in miss_specs:
        add("missing_section", *composed_missing(rng, which, mode))
    for _ in range(half):
        add("laterality_conflict", *composed_laterality(rng))
    for _ in range(half):
        add("negation_conflict", *composed_negation(rng))
    for k in range(half):
        add("impression_omits_finding", *composed_omission(rng, "normal" if k % 2 == 0 else "other"))
    for _ in range(half):
        add("placeholder", *composed_placeholder(rng))

    # ---------------- IU half ----------------
    prepared = []
    for r in iu:
        p = iu_prepare(r, rng)
        if not p["fs"] or not p["im"]:
            continue
        p["r"] = r
        prepared.append(p)

    def take(pred, n):
        out = []
        for p in prepared:
            if len(out) >= n:
                break
            if p["r"]["uid"] in used:
                continue
            if pred(p):
                used.add(p["r"]["uid"])
                out.append(p)
        if len(out) < n:
            raise RuntimeError(f"IU pool too small: {len(out)} < {n}")
        return out

    def clean(p):
        if "clean" not in p:
            p["clean"] = clean_screen(p["fs"], p["im"])
        return p["clean"]

    def tag(p):
        return f"IU {p['r']['uid']}"

    # laterality first (rarest)
    def lat_pred(p):
        return clean(p) and iu_lat_candidate(p["fs"], p["im"]) is not None

    for p in take(lat_pred, half):
        pairs = iu_lat_candidate(p["fs"], p["im"])
        fk, ik = rng.choice(pairs)
        fs, im = list(p["fs"]), list(p["im"])
        if rng.random() < 0.5:
            old, fs[fk] = fs[fk], flip_side(fs[fk])
            where, other = "findings", im[ik]
            new = fs[fk]
        else:
            old, im[ik] = im[ik], flip_side(im[ik])
            where, other = "impression", fs[fk]
            new = im[ik]
        add("laterality_conflict", iu_render(p, rng, fs=fs, im=im),
            f"{tag(p)}: {p['note']}; side flipped in the {where}: '{old}' -> '{new}' "
            f"(other section: '{other}')")

    # omission: a definite significant finding, acknowledged in the original impression
    def om_pred(p):
        if not clean(p):
            return False
        sig = strict_significant(p["fs"])
        return bool(sig) and all(mentions(p["im"], g) for g, _ in sig)

    def om_groups(p):
        return {g for g, _ in strict_significant(p["fs"])} | set(broad_significant(p["fs"]))

    def om_other(p):
        groups = om_groups(p)
        keep = [s for s in p["im"] if not any(has_group(s, g) for g in groups)
                and not NORMAL_IMP_RE.search(s) and not LUNGS_CLEAR_RE.search(s) and not NEG_RE.search(s)
                and not re.search(r"\b(above|described|as noted|findings)\b|recommend|suggest|verif|further|follow|"
                                  r"consider|correlat", s, re.I)]
        if not keep:
            keep = [s for s in p["fs"] if not any(has_group(s, g) for g in groups) and not NEG_RE.search(s)
                    and re.search(r"degenerative|granulom|scoliosis|calcif|tortuous|spondylosis|hyperinfl|"
                                  r"emphysema|fixation|hardware|sternotomy|clips|catheter|tube|pacemaker",
                                  s, re.I)][:2]
        return keep

    om_o = take(lambda p: om_pred(p) and bool(om_other(p)), half // 2)
    om_n = take(om_pred, half - half // 2)
    for p, style in [(p, "other") for p in om_o] + [(p, "normal") for p in om_n]:
        sig = strict_significant(p["fs"])
        if style == "other":
            im = om_other(p)
            what = "impression now lists only other findings"
        else:
            im = [rng.choice(NORMAL_IMP_UK[:2] if p["uk"] else NORMAL_IMP_US)]
            what = "impression replaced by a normal statement"
        add("impression_omits_finding", iu_render(p, rng, im=im),
            f"{tag(p)}: {p['note']}; findings affirm {sig[0][0]} ('{sig[0][1]}'), {what} "
            f"(was: '{' '.join(p['im'])}')")

    # negation
    def neg_basis(fs, g):
        return [s for s in negated(fs, g) if not re.search(
            r"\b(large|significant|sizable|sizeable|gross|appreciable|overt|lobar|change|changed|unchanged|stable|definite|"
            r"since|compared|decrease\w*|improve\w*|resolv\w*|interval|XXXX)\b", s, re.I)]

    def neg_groups(p):
        return [g for g in ("pneumothorax", "effusion", "consolidation")
                if neg_basis(p["fs"], g) and not mentions(p["im"], g) and not affirmed(p["fs"], g)]

    def neg_pred(p):
        return clean(p) and bool(neg_groups(p))

    neg = take(neg_pred, half)
    for k, p in enumerate(neg):
        fs, im = p["fs"], list(p["im"])
        mode = k % 4
        f_heart = [s for s in fs if HEART_NORMAL_RE.search(s)]
        f_clear = [s for s in fs if LUNGS_CLEAR_RE.search(s) and "otherwise" not in s.lower()]
        if mode == 1 and f_clear and not affirmed(fs, "consolidation") and not affirmed(fs, "oedema"):
            basis = f_clear[0]
            claim = fill(rng.choice(ASSERT_BY_GROUP["consolidation"]), rng.choice(["left", "right"]), None, p["uk"])
        elif mode == 3 and f_heart and not affirmed(fs, "cardiomegaly") and not mentions(im, "cardiomegaly"):
            basis = f_heart[0]
            claim = rng.choice(ASSERT_BY_GROUP["cardiomegaly"])
        else:
            g = rng.choice(neg_groups(p))
            basis = neg_basis(fs, g)[0]
            claim = fill(rng.choice(ASSERT_BY_GROUP[g]), rng.choice(["left", "right"]), None, p["uk"])
        rest = [s for s in im if not NORMAL_IMP_RE.search(s) and not LUNGS_CLEAR_RE.search(s)]
        new_im = [claim] + rest
        add("negation_conflict", iu_render(p, rng, im=new_im),
            f"{tag(p)}: {p['note']}; impression asserts '{claim}' although findings say '{basis}' "
            f"(was: '{' '.join(im)}')")

    # placeholder
    def ph_spots(fs, im):
        spots = []
        for sec, lst in (("findings", fs), ("impression", im)):
            for k, s in enumerate(lst):
                if re.search(r"\b\d+(\.\d+)? ?(cm|mm)\b", s):
                    spots.append((sec, k, r"\b\d+(\.\d+)?(?= ?(cm|mm)\b)", PH_SIZE))
                if SIDE_RE.search(s):
                    spots.append((sec, k, r"\b(left|right)\b", PH_SIDE))
                if re.search(r"\b(small|mild|moderate|large|minimal)\b", s, re.I):
                    spots.append((sec, k, r"\b(small|mild|moderate|large|minimal)\b", PH_ADJ))
        if not spots:
            for sec, lst in (("findings", fs), ("impression", im)):
                for k, s in enumerate(lst):
                    if re.search(r"\b(normal|clear|unremarkable)\b", s, re.I):
                        spots.append((sec, k, r"\b(normal|clear|unremarkable)\b",
                                      ["[normal/abnormal]", "[***]", "<<finding>>", "[ ]"]))
        return spots

    for p in take(lambda p: clean(p) and bool(ph_spots(p["fs"], p["im"])), half):
        fs, im = list(p["fs"]), list(p["im"])
        spots = ph_spots(fs, im)
        sec, k, pat, phs = rng.choice(spots)
        lst = fs if sec == "findings" else im
        old = lst[k]
        lst[k] = re.sub(pat, rng.choice(phs), old, count=1, flags=re.I)
        add("placeholder", iu_render(p, rng, fs=fs, im=im),
            f"{tag(p)}: {p['note']}; one word in the {sec} replaced by a template field: '{old}' -> '{lst[k]}'")

    # missing section
    iu_miss = [("impression", "empty")] * 5 + [("impression", "sig")] * 4 + [("impression", "removed")] * 3 + \
              [("findings", "empty")] * 8
    for (which, mode), p in zip(iu_miss, take(clean, half), strict=True):
        kw = {"f_mode": mode} if which == "findings" else {"i_mode": mode}
        what = {"empty": "emptied (header kept)", "sig": "emptied, header followed only by the sign-off",
                "removed": "removed"}[mode]
        add("missing_section", iu_render(p, rng, **kw), f"{tag(p)}: {p['note']}; {which} {what}")

    # clean
    for p in take(clean, N_CLEAN // 2):
        add(None, iu_render(p, rng), f"{tag(p)}: {p['note']}; content otherwise unmodified (clean)")

    rng.shuffle(rows)
    out = []
    for k, r in enumerate(rows):
        out.append({"id": f"h149-{seed}-{k}", "injected": r["injected"], "detail": r["detail"],
                    "report": r["report"]})
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0, help="print N examples of each kind to stderr")
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == kind][:a.show]:
                print(f"===== {r['id']} [{kind or 'clean'}] {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
