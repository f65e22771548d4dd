"""Held-out report-check set 76, written blind.

Setting: US rural critical-access hospitals and their clinics, read by a small group of
general radiologists (ED, inpatients, outpatients, nursing-home and clinic referrals).
Reports follow that setting's dictation habits: an EXAM line, CLINICAL HISTORY / REASON FOR
EXAM, COMPARISON, TECHNIQUE, FINDINGS (paragraph or organ-system lines), IMPRESSION /
CONCLUSION / OPINION and an electronic sign-off; US spelling and the usual abbreviations
(ED, SOB, CHF, COPD, r/o, s/p, y/o). Most films are normal or near-normal.

400 cases: 200 clean and 40 of each injected kind (missing_section, laterality_conflict,
negation_conflict, impression_omits_finding, placeholder). Half of each group is composed
from the phrase bank below, half are real IU reports (never a dev-set uid), re-laid-out and
lightly re-worded in the setting's style.

    python -m bench.make_heldout76 OUT.jsonl --seed S [--show N]

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


def archive_path() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


def dev_uids() -> set[str]:
    out = set()
    with open(dev_path(), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


@functools.lru_cache(maxsize=2)
def _load_iu(path: str) -> tuple:
    rows = []
    with tarfile.open(path) as tf:
        for m in tf:
            if not m.name.endswith(".xml"):
                continue
            fh = tf.extractfile(m)
            if fh is None:
                continue
            root = ET.parse(fh).getroot()
            uid_el = root.find("uId")
            uid = uid_el.get("id") if uid_el is not None else None
            if not uid:
                continue
            sec = {}
            for a in root.iter("AbstractText"):
                sec[(a.get("Label") or "").upper()] = " ".join((a.text or "").split())
            rows.append((uid, sec.get("INDICATION", ""), sec.get("COMPARISON", ""),
                         sec.get("FINDINGS", ""), sec.get("IMPRESSION", "")))
    rows.sort(key=lambda r: r[0])
    return tuple(rows)


# ---------------------------------------------------------------------------
# text helpers

SIDE_RE = re.compile(r"\b(right|left)\b(?![- ](atrium|atrial|ventricle|ventricular|heart))", re.I)


def flip_sides(text: str) -> str:
    def sw(m):
        w = m.group(0)
        new = "left" if w.lower() == "right" else "right"
        if w.isupper():
            return new.upper()
        if w[0].isupper():
            return new.capitalize()
        return new
    return SIDE_RE.sub(sw, text)


def sides(text: str) -> set[str]:
    return {m.group(0).lower() for m in SIDE_RE.finditer(text)}


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.])\s+(?=[A-Z0-9])", text.strip())
    return [p for p in parts if p]


NEG_CUE = re.compile(r"\b(no|not|without|negative|resolved|resolution|clear|free of|removed|"
                     r"absent|rather than)\b", re.I)
HEDGE_CUE = re.compile(r"\b(may|might|possibl\w*|could|cannot|can't|versus|vs|questionable|"
                       r"question|suspicious|atelecta\w*|scar\w*|chronic|stable|unchanged|"
                       r"granulom\w*|calcifi\w*|old|improv\w*|decreas\w*|prior|previous\w*|"
                       r"history|healed|suspected|likely|probabl\w*|suggest\w*|fibros\w*|redemonstrat\w*)\b", re.I)

CONCEPTS = {
    "effusion": re.compile(r"\beffusions?\b", re.I),
    "pneumothorax": re.compile(r"\bpneumothora(x|ces)\b", re.I),
    "consolidation": re.compile(r"\b(consolidat\w*|pneumonia|airspace (disease|opacit\w*)|"
                                r"infiltrates?)\b", re.I),
    "edema": re.compile(r"\b(edema|vascular congestion|pulmonary congestion|CHF)\b", re.I),
    "cardiomegaly": re.compile(r"\b(cardiomegaly|heart (size )?is enlarged|enlarged heart|"
                               r"enlarged cardiac|cardiac enlargement|heart size is increased)\b", re.I),
    "mass": re.compile(r"\bmass\b", re.I),
}
SMALL_CUE = re.compile(r"\b(small|trace|tiny|minimal|mild|blunting)\b", re.I)
HEART_NORMAL = re.compile(r"\b(heart|cardiac)[^.]{0,50}\b(normal|within normal limits|unremarkable)\b",
                          re.I)
LUNGS_CLEAR = re.compile(r"\blungs? (are|is) clear\b|\bclear lungs\b|\bno (focal )?(consolidation|"
                         r"airspace disease|infiltrate)", re.I)


def affirmed(text: str, concept: str) -> list[str]:
    """Sentences that state the concept plainly (no negation, no hedge, not chronic)."""
    out = []
    for s in sentences(text):
        if not CONCEPTS[concept].search(s):
            continue
        if NEG_CUE.search(s) or HEDGE_CUE.search(s):
            continue
        out.append(s)
    return out


def negated(text: str, concept: str) -> bool:
    for s in sentences(text):
        if CONCEPTS[concept].search(s) and NEG_CUE.search(s):
            return True
    return False


def mentioned(text: str, concept: str) -> bool:
    return bool(CONCEPTS[concept].search(text))


LOCAL_NEG = re.compile(r"\b(no|not|without|negative for|free of|resolved|resolution of|rather than)\b"
                       r"[^.;]{0,45}$", re.I)


def local_states(text: str, concept: str) -> tuple[bool, bool]:
    """(affirmed somewhere, negated somewhere) judging each mention by the words just before it."""
    aff = neg = False
    for s in sentences(text):
        for m in CONCEPTS[concept].finditer(s):
            if LOCAL_NEG.search(s[:m.start()]):
                neg = True
            else:
                aff = True
    return aff, neg


def significant_affirmed(text: str) -> list[tuple[str, str]]:
    out = []
    for c in ("pneumothorax", "consolidation", "edema", "mass", "effusion"):
        for s in affirmed(text, c):
            if c == "effusion" and SMALL_CUE.search(s):
                continue
            if c == "effusion" and not re.search(r"\b(moderate|large|layering|loculated)\b", s, re.I):
                continue
            if c == "consolidation" and re.search(r"\b(minimal|subtle|streaky|faint)\b", s, re.I):
                continue
            out.append((c, s))
    return out


# ---------------------------------------------------------------------------
# setting furniture

RADS = ["James R. Whitaker, MD", "Linda K. Osborne, MD", "Thomas Hale, DO", "Maria E. Lindqvist, MD",
        "Robert D. Cummings, MD", "Karen S. Yoder, MD", "Paul Brandt, M.D.", "Susan Whitfield, MD"]
DOCS = ["Dr. Harlan", "Dr. Petersen", "Dr. Nguyen", "Dr. Kowalski", "Dr. Begay", "Dr. Raymond",
        "the ED physician", "Dr. Stroud", "the nursing supervisor"]
MONTHS = list(range(1, 13))


def rdate(rng: random.Random, year: int | None = None) -> str:
    y = year or rng.choice([2022, 2023, 2024])
    return f"{rng.choice(MONTHS):02d}/{rng.randint(1, 28):02d}/{y}"


def rtime(rng: random.Random) -> str:
    return f"{rng.randint(0, 23):02d}{rng.choice(['05', '12', '18', '27', '33', '41', '50', '56'])}"


def signoff(rng: random.Random, d: str | None = None) -> str:
    rad = rng.choice(RADS)
    d = d or rdate(rng, 2024)
    t = rtime(rng)
    style = rng.randrange(6)
    if style == 0:
        return f"Electronically signed by: {rad} on {d} at {t[:2]}:{t[2:]}"
    if style == 1:
        return f"Dictated by: {rad}\nDictated: {d} {t}\nSigned: {d}"
    if style == 2:
        return (f"This report was dictated using voice recognition software. Minor wording "
                f"errors may occur.\n\n{rad}\nElectronically signed {d} {t[:2]}:{t[2:]}")
    if style == 3:
        return f"Interpreted by {rad}. Final report signed {d}."
    if style == 4:
        return f"Reading radiologist: {rad}\nSigned (electronic signature) {d} {t[:2]}:{t[2:]}"
    return f"{rad}\n{d} {t[:2]}:{t[2:]}"


AGES = list(range(19, 97))


def history(rng: random.Random, kind: str) -> str:
    age = rng.choice(AGES) if kind in ('normal', 'ptx') else rng.randint(48, 96)
    sex = rng.choice(["M", "F", "male", "female"])
    who = rng.choice([f"{age} y/o {sex}", f"{age}-year-old {sex}", f"{age}yo {sex}", ""])
    by_kind = {
        "normal": ["Cough x 3 days.", "Chest pain.", "SOB.", "Pre-op for knee replacement.",
                   "Fall at nursing home, R/O rib fx.", "Annual physical, smoker.",
                   "Fever, r/o pneumonia.", "Dyspnea on exertion.", "Weakness.",
                   "Cough, congestion.", "Hypertension.", "Pre-employment TB screen, positive PPD.",
                   "MVC, chest wall pain.", "Wheezing.", "Altered mental status.", "URI symptoms."],
        "pna": ["Cough and fever.", "Productive cough, fever.", "Fever, r/o PNA.", "Hypoxia, cough.",
                "Elevated WBC, cough.", "SOB, fever x2 days."],
        "chf": ["SOB, bilateral leg swelling.", "CHF exacerbation.", "Dyspnea, hx CHF.",
                "Orthopnea, weight gain.", "Hypoxia, hx CHF."],
        "ptx": ["Chest pain after fall.", "Sudden onset SOB.", "Chest pain, SOB.",
                "Post right IJ line attempt.", "Rib pain after fall from ladder."],
        "eff": ["SOB.", "Dyspnea, decreased breath sounds.", "Follow up effusion.", "Hypoxia."],
        "nod": ["Cough.", "Smoker, cough.", "Weight loss, smoker.", "Hemoptysis.", "Chronic cough."],
    }
    h = rng.choice(by_kind.get(kind, by_kind["normal"]))
    low = h[0].lower() + h[1:] if h[1:2].islower() else h
    return (who + ", " + low) if who and rng.random() < 0.5 else (
        (who + ". " + h) if who else h)


EXAM_2V = ["XR CHEST 2 VIEWS", "XR CHEST PA AND LATERAL", "CHEST 2 VIEWS PA/LAT",
           "X-RAY CHEST PA & LATERAL", "RAD CHEST 2 VIEWS"]
EXAM_1V = ["XR CHEST 1 VIEW PORTABLE", "XR CHEST AP PORTABLE", "CHEST 1 VIEW",
           "PORTABLE CHEST", "XR CHEST SINGLE VIEW"]


def exam_block(rng: random.Random, portable: bool, d: str | None = None) -> str:
    ex = rng.choice(EXAM_1V if portable else EXAM_2V)
    lab = rng.choice(["EXAM:", "EXAMINATION:", "PROCEDURE:", "STUDY:"])
    s = f"{lab} {ex}"
    if rng.random() < 0.5:
        s += f"\nDATE: {d or rdate(rng, 2024)}"
    return s


def technique(rng: random.Random, portable: bool) -> str:
    if portable:
        return rng.choice(["Single AP portable view of the chest.", "AP upright portable view.",
                           "Single frontal view of the chest.", "Portable AP semi-upright view."])
    return rng.choice(["PA and lateral views of the chest.", "Frontal and lateral views.",
                       "2 views of the chest.", "PA and lateral chest radiographs."])


def comparison(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.4:
        return rng.choice(["None.", "None available.", "None."])
    if r < 0.85:
        return rdate(rng, rng.choice([2019, 2021, 2022, 2023])) + "."
    return rng.choice(["Prior chest x-ray from outside facility.", "CT chest " + rdate(rng, 2022) + ".",
                       "Multiple prior studies, most recent " + rdate(rng, 2023) + "."])


# ---------------------------------------------------------------------------
# phrase bank

NORMAL = {
    "lungs": ["The lungs are clear.", "Lungs are clear bilaterally.", "No focal consolidation.",
              "Lungs are well expanded and clear.", "No focal airspace disease.",
              "The lungs are clear without focal infiltrate."],
    "pleura": ["No pleural effusion or pneumothorax.", "No effusion or pneumothorax.",
               "No pleural effusions. No pneumothorax.", "Costophrenic angles are sharp. No pneumothorax.",
               "No pneumothorax or pleural fluid."],
    "heart": ["Heart size is normal.", "Normal heart size and mediastinal contours.",
              "Cardiomediastinal silhouette is within normal limits.",
              "The cardiac silhouette is normal in size.", "Heart and mediastinum are unremarkable."],
    "bones": ["No acute osseous abnormality.", "Bones are intact.", "No acute bony abnormality.",
              "Osseous structures are unremarkable for age.", "No acute fracture."],
}
STRUCT_LAB = {"lines": "LINES/TUBES:", "lungs": "LUNGS:", "pleura": "PLEURA:",
              "heart": "HEART/MEDIASTINUM:", "bones": "BONES/SOFT TISSUES:"}

NORMAL_IMP = ["No acute cardiopulmonary process.", "No acute cardiopulmonary disease.",
              "No acute cardiopulmonary abnormality.", "No active disease in the chest.",
              "No acute findings in the chest.", "No radiographic evidence of acute cardiopulmonary disease.",
              "Negative for acute cardiopulmonary process."]
PURE_NORMAL_IMP = NORMAL_IMP + ["Normal chest.", "Negative chest x-ray.", "Normal chest radiograph."]
NONDESC_IMP = ["See above.", "As above.", "Unchanged from prior.", "Stable.", "No significant change.",
               "Stable exam compared to prior."]


def F(key, slot, text, imp, major, concept, lateral, hist="normal", keep_normal=True, extra=None):
    return dict(key=key, slot=slot, text=text, imp=imp, major=major, concept=concept,
                lateral=lateral, hist=hist, keep_normal=keep_normal, extra=extra)


def minor_bank(rng: random.Random, side: str) -> list[dict]:
    S = cap(side)
    return [
        F("granuloma", "lungs", f"Calcified granuloma in the {side} upper lobe.",
          f"Calcified {side} upper lobe granuloma, old granulomatous disease.", False, "granuloma", True),
        F("mildcm", "heart", rng.choice(["Heart size is upper normal to mildly enlarged, unchanged.",
                                         "Mild cardiomegaly, stable.", "Heart is mildly enlarged, stable from prior."]),
          "Stable mild cardiomegaly.", False, "cardiomegaly", False),
        F("aorta", "heart", rng.choice(["Atherosclerotic calcification of the aortic arch.",
                                        "Tortuous, calcified thoracic aorta.", "Aortic atherosclerosis."]),
          "Aortic atherosclerosis.", False, "aorta", False),
        F("djd", "bones", rng.choice(["Degenerative changes of the thoracic spine.",
                                      "Mild multilevel thoracic spondylosis.",
                                      "Degenerative change in the thoracic spine and both shoulders."]),
          "Degenerative changes of the thoracic spine.", False, "djd", False),
        F("oldfx", "bones", f"Old healed fractures of the {side} lateral 5th and 6th ribs.",
          f"Old healed {side} rib fractures.", False, "oldfx", True),
        F("copd", "lungs", rng.choice(["Lungs are hyperinflated with flattened hemidiaphragms, consistent with COPD.",
                                       "Hyperinflation and coarse interstitial markings compatible "
                                       "with COPD/emphysema."]),
          "COPD without acute process.", False, "copd", False),
        F("scar", "lungs", f"Linear scarring or subsegmental atelectasis at the {side} lung base.",
          f"Minimal {side} basilar scarring/atelectasis.", False, "scar", True),
        F("smalleff", "pleura", f"Trace {side} pleural effusion or pleural thickening. No pneumothorax.",
          f"Trace {side} pleural effusion versus pleural thickening.", False, "effusion", True),
        F("sternotomy", "lines", "Median sternotomy wires and CABG clips.",
          "S/p CABG.", False, "sternotomy", False),
        F("pacer", "lines",
          f"{'Left' if rng.random() < 0.8 else S} chest wall dual-lead pacemaker with leads in expected position.",
          "Pacemaker in place.", False, "pacer", False),
    ]


def major_bank(rng: random.Random, side: str) -> list[dict]:
    S = cap(side)
    lobe = rng.choice(["lower", "lower", "upper", "middle" if side == "right" else "lower"])
    size = rng.choice([7, 8, 9, 11, 12, 14])
    cm = rng.choice(["2.8", "3.5", "4.2"])
    return [
        F("pna", "lungs", *rng.choice([
            (f"Patchy airspace opacity in the {side} {lobe} lobe.", f"{S} {lobe} lobe pneumonia."),
            (f"Focal consolidation in the {side} {lobe} lobe with air bronchograms.",
             f"{S} {lobe} lobe airspace disease consistent with pneumonia in the appropriate clinical "
             f"setting. Recommend follow-up radiographs in 6-8 weeks to document resolution."),
            (f"New {side} {lobe} lobe infiltrate.", f"{S} {lobe} lobe consolidation, likely pneumonia."),
            (f"Airspace disease at the {side} lung base, new since the prior exam.",
             f"New {side} basilar airspace disease, likely pneumonia."),
            (f"Increased opacity in the {side} {lobe} lobe since the prior study, concerning for infiltrate.",
             f"Increasing {side} {lobe} lobe opacity, concerning for pneumonia."),
        ]), True, "consolidation", True, hist="pna"),
        F("ptx", "pleura",
          rng.choice([f"Small {side} apical pneumothorax, approximately 1.5 cm. No effusion.",
                      f"There is a {side} pneumothorax measuring about 2 cm at the apex. No pleural effusion.",
                      f"Moderate {side} pneumothorax. No mediastinal shift."]),
          rng.choice([f"{S} pneumothorax as described.", f"{S} apical pneumothorax.",
                      f"{S}-sided pneumothorax."]),
          True, "pneumothorax", True, hist="ptx",
          extra=f"Findings called to {rng.choice(DOCS)} at {rtime(rng)} on {{date}}."),
        F("eff", "pleura", *rng.choice([
            (f"Moderate {side} pleural effusion. No pneumothorax.", f"Moderate {side} pleural effusion."),
            (f"Large {side} pleural effusion with adjacent compressive atelectasis.",
             f"Large {side} pleural effusion."),
            (f"Moderate-sized {side} effusion, increased from prior. No pneumothorax.",
             f"Increased moderate {side} pleural effusion."),
        ]), True, "effusion", True, hist="eff"),
        F("chf", "lungs",
          rng.choice(["Pulmonary vascular congestion with interstitial edema and Kerley B lines.",
                      "Diffuse interstitial prominence and cephalization consistent with pulmonary edema.",
                      "Vascular congestion with mild interstitial edema."]),
          rng.choice(["CHF with interstitial edema.", "Pulmonary edema, consistent with CHF.",
                      "Findings of congestive heart failure."]),
          True, "edema", False, hist="chf"),
        F("nodule", "lungs",
          f"{size} mm nodular opacity in the {side} {('upper' if lobe == 'middle' else lobe)} lung zone.",
          f"{size} mm {side} lung nodule. Recommend CT chest for further evaluation.",
          True, "nodule", True, hist="nod"),
        F("mass", "lungs",
          f"{cm} cm mass in the {side} perihilar region.",
          f"{S} perihilar mass, {cm} cm, suspicious for neoplasm. CT chest with contrast recommended.",
          True, "mass", True, hist="nod"),
    ]


NEG_ALT = {
    # concept: (normal phrase that negates, slot)
    "consolidation": ["The lungs are clear.", "Lungs are clear bilaterally.", "No focal consolidation."],
    "pneumothorax": ["No pneumothorax.", "No pleural effusion or pneumothorax."],
    "effusion": ["No pleural effusion.", "No effusion or pneumothorax."],
    "edema": ["No pulmonary edema.", "No vascular congestion or edema."],
    "cardiomegaly": ["Heart size is normal.", "Normal heart size."],
}


class Case:
    """Structured synthetic report."""

    def __init__(self, rng: random.Random, portable: bool | None = None):
        self.rng = rng
        self.portable = rng.random() < 0.3 if portable is None else portable
        self.findings: list[dict] = []
        self.normal = {k: rng.choice(v) for k, v in NORMAL.items()}
        self.struct = rng.random() < 0.35
        self.hist_kind = "normal"
        self.history = None
        self.comparison = comparison(rng)
        self.imp_items: list[str] | None = None
        self.imp_label = rng.choice(["IMPRESSION:"] * 6 + ["CONCLUSION:", "OPINION:", "IMPRESSION:"])
        self.find_label = rng.choice(["FINDINGS:"] * 5 + ["Findings:"])
        self.hist_label = rng.choice(["CLINICAL HISTORY:", "HISTORY:", "INDICATION:", "REASON FOR EXAM:"])
        self.show_technique = rng.random() < 0.6
        self.date = rdate(rng, 2024)
        self.signoff = signoff(rng, self.date)
        self.add_abdomen = rng.random() < 0.15

    def add(self, f: dict):
        self.findings.append(f)
        if f["major"]:
            self.hist_kind = f["hist"]

    def slot_text(self, slot: str, override: dict | None = None) -> str:
        override = override or {}
        if slot in override:
            return override[slot]
        fs = [f for f in self.findings if f["slot"] == slot]
        if not fs:
            return self.normal.get(slot, "")
        parts = [f["text"] for f in fs]
        if slot == "lungs":
            if any(f["major"] for f in fs):
                if not any(f["key"] == "chf" for f in fs) and self.rng.random() < 0.5:
                    parts.append("Remainder of the lungs are clear." if self.rng.random() < 0.5
                                 else "Otherwise clear.")
            elif self.rng.random() < 0.5:
                parts.append("No focal consolidation.")
        if slot == "pleura" and not any(f["key"] in ("ptx", "eff", "smalleff") for f in fs):
            parts.append(self.normal["pleura"])
        if slot == "heart" and all(f["key"] == "aorta" for f in fs):
            parts.insert(0, "Heart size is normal.")
        if slot == "lines" and False:
            pass
        return " ".join(parts)

    def findings_text(self, override: dict | None = None) -> str:
        slots = ["lines", "lungs", "pleura", "heart", "bones"]
        texts = []
        for s in slots:
            t = self.slot_text(s, override)
            if t:
                texts.append((s, t))
        if any(f["key"] == "chf" for f in self.findings) and not any(
                f["slot"] == "heart" for f in self.findings):
            texts = [(s, ("Cardiomegaly." if s == "heart" and not (override and "heart" in override)
                          else t)) for s, t in texts]
        if self.add_abdomen:
            texts.append(("abd", "Visualized upper abdomen is unremarkable."))
        if self.struct:
            lab = dict(STRUCT_LAB, abd="UPPER ABDOMEN:")
            return "\n".join(f"{lab[s]} {t}" for s, t in texts)
        order = [t for _, t in texts]
        return " ".join(order)

    def default_impression(self) -> list[str]:
        rng = self.rng
        majors = [f for f in self.findings if f["major"]]
        minors = [f for f in self.findings if not f["major"]]
        items = [f["imp"] for f in majors]
        if any(f["key"] == "chf" for f in majors):
            items[[f["key"] for f in majors].index("chf")] = (
                "Cardiomegaly with " + rng.choice(["pulmonary edema.", "vascular congestion and interstitial edema, "
                                                   "consistent with CHF."]))
        if not majors:
            if not minors:
                return [rng.choice(PURE_NORMAL_IMP)]
            items = [rng.choice(NORMAL_IMP)]
            if rng.random() < 0.6:
                items += [f["imp"] for f in minors]
            return items
        if rng.random() < 0.5:
            items += [f["imp"] for f in minors]
        return items

    def impression_text(self, items: list[str] | None) -> str:
        if items is None:
            items = self.default_impression()
        if len(items) == 1:
            return items[0]
        return "\n".join(f"{i}. {t}" for i, t in enumerate(items, 1))

    def render(self, findings: str | None = None, impression: str | None = None,
               drop_impression: bool = False, empty_impression: bool = False,
               history_text: str | None = None, comparison_text: str | None = None,
               extra_after: str | None = None) -> str:
        rng = self.rng
        if self.history is None:
            self.history = history(rng, self.hist_kind)
        parts = [exam_block(rng, self.portable, self.date)]
        parts.append(f"{self.hist_label} {history_text if history_text is not None else self.history}")
        parts.append(f"COMPARISON: {comparison_text if comparison_text is not None else self.comparison}")
        if self.show_technique:
            parts.append(f"TECHNIQUE: {technique(rng, self.portable)}")
        ftxt = self.findings_text() if findings is None else findings
        if self.struct and ftxt:
            parts.append(f"{self.find_label}\n{ftxt}")
        else:
            parts.append(f"{self.find_label} {ftxt}".rstrip())
        if not drop_impression:
            itxt = "" if empty_impression else (impression if impression is not None
                                                else self.impression_text(None))
            if "\n" in itxt:
                parts.append(f"{self.imp_label}\n{itxt}")
            else:
                parts.append(f"{self.imp_label} {itxt}".rstrip())
        ext = [f["extra"] for f in self.findings if f.get("extra")]
        if extra_after is not None:
            ext = [extra_after] if extra_after else []
        parts.extend(e.replace("{date}", self.date) for e in ext)
        parts.append(self.signoff)
        return "\n\n".join(parts)


def pick_side(rng):
    return rng.choice(["right", "left"])


def base_case(rng: random.Random, profile: str) -> Case:
    """profile: normal / minor / major / major_lat / any."""
    c = Case(rng)
    side = pick_side(rng)
    if profile == "any":
        profile = rng.choices(["normal", "minor", "major"], [0.45, 0.3, 0.25])[0]
    if profile in ("minor", "major", "major_lat"):
        n_minor = rng.choice([0, 1, 1, 2]) if profile != "minor" else rng.choice([1, 1, 2])
        minors = minor_bank(rng, pick_side(rng))
        rng.shuffle(minors)
        used_slots = set()
        for f in minors:
            if n_minor <= 0:
                break
            if f["slot"] in used_slots:
                continue
            c.add(f)
            used_slots.add(f["slot"])
            n_minor -= 1
    if profile in ("major", "major_lat"):
        majors = major_bank(rng, side)
        if profile == "major_lat":
            majors = [f for f in majors if f["lateral"]]
        m = rng.choice(majors)
        # avoid double-booking a slot with a conflicting minor finding
        c.findings = [f for f in c.findings if not (f["slot"] == m["slot"] and m["slot"] == "pleura")]
        if m["key"] == "chf":
            c.findings = [f for f in c.findings if f["key"] not in ("mildcm",)]
        c.add(m)
        if m["key"] == "ptx" and "expanded" in c.normal["lungs"]:
            c.normal["lungs"] = "No focal consolidation."
    return c


PH_STYLES = ["***", "[***]", "[ ]", "< >", "[   ]", "{ }", "[right/left]", "[mild/moderate/severe]",
             "[DATE]", "*** mm", "[insert comparison]", "[size]", "<<>>", "[x]"]


def _sub_first(pat: str, repl: str, text: str, flags=re.I) -> tuple[str, bool]:
    new, n = re.subn(pat, repl, text, count=1, flags=flags)
    return new, n > 0


# ---------------------------------------------------------------------------
# synthetic cases

def synth_clean(rng: random.Random) -> tuple[str, str]:
    prof = rng.choices(["normal", "minor", "major"], [0.5, 0.28, 0.22])[0]
    c = base_case(rng, prof)
    if prof == "normal" and rng.random() < 0.12:
        # impression-only / combined report that describes the image
        desc = rng.choice([
            "Lungs are clear. Heart size is normal. No pleural effusion or pneumothorax. "
            "No acute cardiopulmonary process.",
            "Clear lungs. Normal cardiomediastinal silhouette. No effusion or pneumothorax. Negative chest.",
            "The heart is normal in size. The lungs are clear without consolidation, effusion or "
            "pneumothorax. No acute disease."])
        parts = [exam_block(rng, c.portable, c.date), f"{c.hist_label} {history(rng, 'normal')}",
                 f"COMPARISON: {c.comparison}",
                 f"{rng.choice(['FINDINGS/IMPRESSION:', 'IMPRESSION:', 'FINDINGS AND IMPRESSION:'])} {desc}",
                 c.signoff]
        return "\n\n".join(parts), "impression-only report that describes the image"
    return c.render(), f"{prof} report"


def synth_missing(rng: random.Random) -> tuple[str, str]:
    c = base_case(rng, "any")
    mode = rng.choices(["empty_imp", "drop_imp", "empty_find"], [0.4, 0.35, 0.25])[0]
    if mode == "empty_imp":
        return c.render(empty_impression=True), f"{c.imp_label.rstrip(':')} header left empty"
    if mode == "drop_imp":
        c.findings = [f for f in c.findings if not f.get("extra")] if rng.random() < 0.5 else c.findings
        return c.render(drop_impression=True), "impression section absent; report ends after findings"
    imp = rng.choice(NONDESC_IMP)
    return (c.render(findings="", impression=imp, extra_after=""),
            f"FINDINGS left empty; impression only says '{imp}'")


def synth_laterality(rng: random.Random) -> tuple[str, str]:
    c = base_case(rng, "major_lat")
    m = [f for f in c.findings if f["major"]][0]
    mode = rng.choices(["imp", "find", "intra"], [0.55, 0.3, 0.15])[0]
    if mode == "imp":
        items = c.default_impression()
        i = items.index(m["imp"]) if m["imp"] in items else 0
        items[i] = flip_sides(items[i])
        return (c.render(impression=c.impression_text(items)),
                f"impression puts the {m['concept']} on the opposite side to the findings")
    if mode == "find":
        orig = m["text"]
        m["text"] = flip_sides(orig)
        txt = c.findings_text()
        m["text"] = orig
        items = c.default_impression()
        ext = m.get("extra")
        return (c.render(findings=txt, impression=c.impression_text(items), extra_after=ext or ""),
                f"findings sentence about the {m['concept']} has its side flipped; impression keeps the original")
    # two sentences within findings disagree
    orig = m["text"]
    side = "right" if re.search(r"\bright\b", orig, re.I) else "left"
    other = "left" if side == "right" else "right"
    follow = {
        "consolidation": f"The {other} basilar opacity is new compared with the prior exam.",
        "pneumothorax": f"The {other} lung is partially collapsed by the pneumothorax.",
        "effusion": f"The {other} effusion obscures the hemidiaphragm.",
        "nodule": f"The {other} lung nodule is new.",
        "mass": f"The {other} perihilar mass has lobulated margins.",
    }.get(m["concept"], f"The {other}-sided abnormality is new.")
    m["text"] = orig + " " + follow
    txt = c.findings_text()
    m["text"] = orig
    return (c.render(findings=txt),
            f"second findings sentence places the {m['concept']} on the {other} instead of the {side}")


def synth_negation(rng: random.Random) -> tuple[str, str]:
    mode = rng.choice(["imp_asserts_eff", "imp_asserts_pna", "imp_asserts_cm", "imp_asserts_ptx",
                       "imp_negates", "imp_negates"])
    side = pick_side(rng)
    S = cap(side)
    if mode == "imp_negates":
        c = base_case(rng, "major")
        m = [f for f in c.findings if f["major"]][0]
        neg = {"consolidation": "No pneumonia.", "pneumothorax": "No pneumothorax.",
               "effusion": "No pleural effusion.", "edema": "No pulmonary edema or CHF.",
               "nodule": "No suspicious pulmonary nodule.", "mass": "No mass or adenopathy."}[m["concept"]]
        pre = rng.choice(["", "No acute cardiopulmonary process. ", "Stable chest. "])
        items = [pre + neg] + [f["imp"] for f in c.findings if not f["major"]][:1]
        if m.get("extra"):
            m["extra"] = None
        return (c.render(impression=c.impression_text(items)),
                f"impression states '{neg}' although the findings describe the {m['concept']}")
    c = base_case(rng, rng.choice(["normal", "normal", "minor"]))
    if mode == "imp_asserts_eff":
        c.findings = [f for f in c.findings if f["slot"] != "pleura"]
        c.normal["pleura"] = rng.choice(["No pleural effusion or pneumothorax.", "No pleural effusions.",
                                         "Costophrenic angles are sharp. No effusion or pneumothorax."])
        new = rng.choice([f"Small {side} pleural effusion.", f"{S} pleural effusion.",
                          "Small bilateral pleural effusions."])
        det = "impression reports a pleural effusion; findings say none"
    elif mode == "imp_asserts_pna":
        c.findings = [f for f in c.findings if f["slot"] != "lungs"]
        c.normal["lungs"] = rng.choice(["The lungs are clear.", "Lungs are clear bilaterally.",
                                        "No focal consolidation or infiltrate."])
        new = rng.choice([f"{S} lower lobe pneumonia.", f"Patchy {side} basilar infiltrate, likely pneumonia.",
                          f"{S} upper lobe consolidation."])
        det = "impression reports pneumonia/consolidation; findings say the lungs are clear"
    elif mode == "imp_asserts_cm":
        c.findings = [f for f in c.findings if f["slot"] != "heart"]
        c.normal["heart"] = rng.choice(["Heart size is normal.", "Normal heart size.",
                                        "The cardiac silhouette is normal in size."])
        new = rng.choice(["Cardiomegaly.", "Moderate cardiomegaly.", "Enlarged heart, new from prior."])
        det = "impression reports cardiomegaly; findings say heart size is normal"
    else:
        c.findings = [f for f in c.findings if f["slot"] != "pleura"]
        c.normal["pleura"] = rng.choice(["No pneumothorax or effusion.", "No pleural effusion or pneumothorax."])
        new = rng.choice([f"Small {side} apical pneumothorax.", f"{S} pneumothorax."])
        det = "impression reports a pneumothorax; findings say none"
    items = c.default_impression()
    # drop any "no acute" macro that would sit oddly beside the new assertion
    items = [t for t in items if t not in PURE_NORMAL_IMP]
    items.insert(0, new)
    return c.render(impression=c.impression_text(items)), det


def synth_omits(rng: random.Random) -> tuple[str, str]:
    c = base_case(rng, "major")
    m = [f for f in c.findings if f["major"]][0]
    m["extra"] = None
    minors = [f["imp"] for f in c.findings if not f["major"]]
    mode = rng.choice(["macro", "macro", "minors"]) if minors else "macro"
    if mode == "macro":
        items = [rng.choice(NORMAL_IMP)] + (minors if rng.random() < 0.4 else [])
    else:
        items = minors
    if m["concept"] == "edema":
        items = [rng.choice(NORMAL_IMP)]
    return (c.render(impression=c.impression_text(items)),
            f"findings describe {m['concept']} ({m['text'][:60]}); impression omits it")


def synth_placeholder(rng: random.Random) -> tuple[str, str]:
    c = base_case(rng, "any")
    mode = rng.choice(["comparison", "history", "findings_word", "imp_word", "size", "side"])
    if mode == "comparison":
        ph = rng.choice(["***", "[DATE]", "[insert comparison]", "[ ]", "< >"])
        return c.render(comparison_text=ph), f"comparison field left as '{ph}'"
    if mode == "history":
        ph = rng.choice(["***", "[ ]", "[reason for exam]", "{ }"])
        return c.render(history_text=ph), f"history field left as '{ph}'"
    if mode == "size":
        c2 = base_case(rng, "major")
        m = [f for f in c2.findings if f["major"]][0]
        ph = rng.choice(["***", "[ ]", "[size]", "__"])
        if ph == "__":
            ph = "[**]"
        t, ok = _sub_first(r"\b\d+(\.\d+)? ?(mm|cm)\b", f"{ph} " + ("cm" if "cm" in m["text"] else "mm"),
                           m["text"])
        if not ok:
            t, ok = _sub_first(r"\b(small|moderate|large|patchy|focal|new)\b", ph, m["text"])
        if ok:
            m["text"] = t
            return c2.render(), f"size/degree in '{t[:50]}' left as template field {ph}"
        c = c2
    if mode == "side" or mode == "size":
        lat = [f for f in c.findings if f["lateral"]]
        if lat:
            f = rng.choice(lat)
            ph = rng.choice(["[right/left]", "***", "[ ]", "[side]"])
            t, ok = _sub_first(r"\b(right|left)\b", ph, f["text"])
            if ok and rng.random() < 0.5:
                f["text"] = t
                return c.render(), f"side in findings sentence left as '{ph}'"
            items = c.default_impression()
            for i, it in enumerate(items):
                t, ok = _sub_first(r"\b(right|left)\b", ph, it)
                if ok:
                    items[i] = t
                    return c.render(impression=c.impression_text(items)), f"side in impression left as '{ph}'"
        mode = "findings_word"
    if mode == "findings_word":
        slot = rng.choice(["lungs", "pleura", "heart", "bones"])
        if not any(f["slot"] == slot for f in c.findings):
            ph = rng.choice(["***", "[ ]", "[normal/abnormal]", "< >", "[***]"])
            txt = c.normal[slot]
            words = [w for w in re.findall(r"[A-Za-z]+", txt) if len(w) > 3]
            w = rng.choice(words) if words else "normal"
            c.normal[slot], _ = _sub_first(r"\b" + w + r"\b", ph, txt, flags=0)
            return c.render(), f"'{w}' in {slot} line replaced by template field {ph}"
        mode = "imp_word"
    items = c.default_impression()
    ph = rng.choice(["***", "[ ]", "[***]", "<<>>", "{ }", "[x]"])
    if rng.random() < 0.4:
        items.append(ph)
        return c.render(impression=c.impression_text(items)), f"empty numbered impression item / trailing field '{ph}'"
    it = items[0]
    words = [w for w in re.findall(r"[A-Za-z]+", it) if len(w) > 4]
    w = rng.choice(words) if words else None
    if w:
        items[0], _ = _sub_first(r"\b" + w + r"\b", ph, it, flags=0)
    else:
        items.append(ph)
    return c.render(impression=c.impression_text(items)), f"impression word '{w}' replaced by {ph}"


SYNTH = {
    None: synth_clean,
    "missing_section": synth_missing,
    "laterality_conflict": synth_laterality,
    "negation_conflict": synth_negation,
    "impression_omits_finding": synth_omits,
    "placeholder": synth_placeholder,
}


# ---------------------------------------------------------------------------
# real IU reports

def tidy(text: str) -> str:
    t = re.sub(r"\s+([.,;])", r"\1", text)
    t = re.sub(r"\.{2,}", ".", t)
    t = re.sub(r"\s{2,}", " ", t)
    return t.strip()


REWORD = [
    (r"\bNo acute cardiopulmonary (abnormality|disease|process|findings?)\b",
     ["No acute cardiopulmonary process", "No acute cardiopulmonary disease",
      "No acute cardiopulmonary abnormality", "No acute process in the chest"]),
    (r"\bCardio mediastinal\b", ["Cardiomediastinal"]),
    (r"\bcardio mediastinal\b", ["cardiomediastinal"]),
    (r"\bThe lungs are clear\b", ["Lungs are clear", "The lungs are clear"]),
    (r"\bThere is no pneumothorax\b", ["No pneumothorax"]),
    (r"\bThere is no pleural effusion\b", ["No pleural effusion"]),
    (r"\bThe heart is normal in size\b", ["Heart size is normal", "The heart is normal in size"]),
    (r"\bThe cardiomediastinal silhouette is within normal limits\b",
     ["Cardiomediastinal silhouette is within normal limits", "Cardiomediastinal silhouette is WNL",
      "Normal cardiomediastinal silhouette"]),
    (r"\bchest x-XXXX\b", ["chest x-ray"]),
    (r"\bx-XXXX\b", ["x-ray"]),
]


def reword(rng: random.Random, text: str) -> str:
    for pat, reps in REWORD:
        text = re.sub(pat, lambda m, reps=reps: rng.choice(reps), text)
    return text


BAD_CHARS = re.compile(r"[\[\]{}<>*]|__")


class Real:
    def __init__(self, row):
        self.uid, ind, comp, find, imp = row
        self.indication = tidy(ind)
        self.comparison = tidy(comp)
        self.findings = tidy(find)
        self.impression = tidy(imp)

    def usable(self) -> bool:
        if not self.findings or not self.impression:
            return False
        if len(self.findings) > 800 or len(self.impression) > 400 or len(self.findings) < 40:
            return False
        allt = " ".join([self.indication, self.comparison, self.findings, self.impression])
        if re.match(r"(Chest|PA and lateral chest)\.", self.findings) or re.search(
                r"\b(lumbosacral|lumbar spine|elbow|ankle|forearm|wrist|knee)\b", allt, re.I):
            return False
        return not BAD_CHARS.search(allt)

    def consistent(self) -> bool:
        F_, I_ = self.findings, self.impression
        if not sides(I_) <= sides(F_):
            return False
        if len(sides(F_)) == 2 and sides(I_):
            pass
        if re.search(r"\b(elbow|ankle|forearm|wrist|knee|shoulder series|abdomen series)\b", F_, re.I):
            return False
        for c in CONCEPTS:
            fa, fn = local_states(F_, c)
            ia, in_ = local_states(I_, c)
            if (affirmed(F_, c) or fa) and in_ and not ia:
                return False
            if ia and fn and not fa:
                return False
        for s in sentences(F_):
            if (CONCEPTS["cardiomegaly"].search(s) or re.search(r"\b(heart|cardiac silhouette)[^.]{0,20}"
                                                                r"\b(enlarged|large)\b", s, re.I)):
                if LOCAL_NEG.search(s[:30]) or re.search(r"\b(mild\w*|borderline|stable|upper|"
                                                           r"unchanged|slight\w*)\b", s, re.I):
                    continue
                if not re.search(r"cardiomegaly|heart|cardiac", I_, re.I):
                    return False
        if CONCEPTS["cardiomegaly"].search(I_) and HEART_NORMAL.search(F_) and not re.search(
                r"enlarg|cardiomegaly", F_, re.I):
            return False
        if affirmed(I_, "consolidation") and LUNGS_CLEAR.search(F_):
            return False
        for c, _s in significant_affirmed(F_):
            if not mentioned(I_, c):
                return False
        return True

    def render(self, rng: random.Random, findings=None, impression=None, drop_impression=False,
               empty_impression=False, comparison_text=None, history_text=None) -> str:
        ftxt = reword(rng, self.findings) if findings is None else findings
        itxt = reword(rng, self.impression) if impression is None else impression
        portable = bool(re.search(r"\b(portable|AP view|single (frontal|AP) view)\b",
                                  self.findings + self.comparison, re.I))
        d = rdate(rng, 2024)
        parts = [exam_block(rng, portable, d)]
        hist = history_text if history_text is not None else (self.indication or "Not provided.")
        parts.append(f"{rng.choice(['CLINICAL HISTORY:', 'HISTORY:', 'INDICATION:', 'REASON FOR EXAM:'])} {hist}")
        comp = comparison_text if comparison_text is not None else (self.comparison or "None.")
        parts.append(f"COMPARISON: {comp}")
        if rng.random() < 0.5:
            parts.append(f"TECHNIQUE: {technique(rng, portable)}")
        parts.append(f"{rng.choice(['FINDINGS:'] * 5 + ['Findings:'])} {ftxt}".rstrip())
        if not drop_impression:
            lab = rng.choice(["IMPRESSION:"] * 6 + ["CONCLUSION:", "OPINION:"])
            if empty_impression:
                parts.append(lab)
            else:
                m = re.match(r"^1\.\s", itxt)
                if m:
                    itxt = re.sub(r"\s+(?=\d\.\s)", "\n", itxt)
                    parts.append(f"{lab}\n{itxt}")
                else:
                    parts.append(f"{lab} {itxt}")
        parts.append(signoff(rng, d))
        return "\n\n".join(parts)


NEW_ASSERT = {
    "effusion": ["Small {side} pleural effusion.", "{S} pleural effusion.", "Small bilateral pleural effusions."],
    "pneumothorax": ["Small {side} apical pneumothorax.", "{S} pneumothorax."],
    "consolidation": ["{S} lower lobe pneumonia.", "Patchy {side} basilar airspace disease, likely pneumonia.",
                      "{S} upper lobe infiltrate."],
    "cardiomegaly": ["Cardiomegaly.", "Moderate cardiomegaly.", "Enlarged cardiac silhouette."],
}


def real_case(rng: random.Random, r: Real, kind) -> tuple[str, str] | None:
    F_, I_ = r.findings, r.impression
    if kind is None:
        if not r.consistent():
            return None
        return r.render(rng), "real report, re-laid-out"
    if kind == "missing_section":
        if rng.random() < 0.5:
            return r.render(rng, empty_impression=True), "impression header left empty"
        return r.render(rng, drop_impression=True), "impression section removed"
    if kind == "laterality_conflict":
        sf, si = sides(F_), sides(I_)
        if len(sf) != 1 or sf != si:
            return None
        side = next(iter(sf))
        if rng.random() < 0.6:
            return (r.render(rng, impression=flip_sides(reword(rng, I_))),
                    f"impression side flipped ({side} -> other); findings keep {side}")
        return (r.render(rng, findings=flip_sides(reword(rng, F_))),
                f"findings side flipped ({side} -> other); impression keeps {side}")
    if kind == "negation_conflict":
        opts = []
        if negated(F_, "effusion") and not mentioned(I_, "effusion") and not affirmed(F_, "effusion"):
            opts.append("effusion")
        if negated(F_, "pneumothorax") and not mentioned(I_, "pneumothorax") and not affirmed(F_, "pneumothorax"):
            opts.append("pneumothorax")
        if LUNGS_CLEAR.search(F_) and not mentioned(F_ + I_, "consolidation") or (
                negated(F_, "consolidation") and not affirmed(F_ + " " + I_, "consolidation")
                and not mentioned(I_, "consolidation")):
            opts.append("consolidation")
        if HEART_NORMAL.search(F_) and not re.search(r"enlarg|cardiomegaly|upper limit|borderline|"
                                                     r"upper normal", F_ + I_, re.I):
            opts.append("cardiomegaly")
        rev = [c for c in ("effusion", "cardiomegaly", "consolidation", "pneumothorax")
               if affirmed(F_, c) and not (c == "effusion" and False)]
        if not r.consistent():
            return None
        if rev and rng.random() < 0.35:
            c = rng.choice(rev)
            neg = {"effusion": "No pleural effusion.", "cardiomegaly": "Heart size is normal.",
                   "consolidation": "No focal consolidation.", "pneumothorax": "No pneumothorax."}[c]
            lead = rng.choice(["No acute cardiopulmonary process. ", ""])
            return (r.render(rng, impression=lead + neg),
                    f"impression replaced by '{lead + neg}' although findings affirm {c}")
        if not opts:
            return None
        c = rng.choice(opts)
        side = pick_side(rng)
        new = rng.choice(NEW_ASSERT[c]).format(side=side, S=cap(side))
        imp = reword(rng, I_)
        if re.match(r"^1\.\s", imp):
            n = len(re.findall(r"(?:^|\s)\d\.\s", imp)) + 1
            imp = imp + f" {n}. {new}"
        elif re.match(r"^(No acute|Negative|Normal|No active)", imp, re.I):
            imp = new
        else:
            imp = new + " " + imp
        return r.render(rng, impression=imp), f"impression asserts {c} ('{new}') that the findings negate"
    if kind == "impression_omits_finding":
        sig = significant_affirmed(F_)
        sig = [(c, s) for c, s in sig if mentioned(I_, c)]
        if not sig:
            return None
        c, s = sig[0]
        imp = rng.choice(NORMAL_IMP)
        return r.render(rng, impression=imp), f"findings affirm {c} ('{s[:70]}'); impression replaced by '{imp}'"
    if kind == "placeholder":
        if not r.consistent():
            return None
        mode = rng.choice(["word_f", "word_i", "comparison", "side", "num"])
        ph = rng.choice(["***", "[ ]", "[***]", "< >", "{ }", "[x]"])
        ftxt, itxt = reword(rng, F_), reword(rng, I_)
        if mode == "comparison":
            return r.render(rng, findings=ftxt, impression=itxt, comparison_text=ph), f"comparison left as '{ph}'"
        if mode == "side":
            t, ok = _sub_first(r"\b(right|left)\b", rng.choice(["[right/left]", ph]), ftxt)
            if ok:
                return r.render(rng, findings=t, impression=itxt), "side word in findings left as template field"
        if mode == "num":
            t, ok = _sub_first(r"\b\d+(\.\d+)?(?= ?(mm|cm)\b)", ph, ftxt)
            if ok:
                return r.render(rng, findings=t, impression=itxt), f"measurement in findings left as '{ph}'"
        target_f = mode != "word_i"
        src = ftxt if target_f else itxt
        words = [w for w in re.findall(r"\b[a-z]{5,}\b", src) if w not in ("XXXX",)]
        if not words:
            return None
        w = rng.choice(words)
        t, _ = _sub_first(r"\b" + w + r"\b", ph, src, flags=0)
        if target_f:
            return r.render(rng, findings=t, impression=itxt), f"findings word '{w}' replaced by {ph}"
        return r.render(rng, findings=ftxt, impression=t), f"impression word '{w}' replaced by {ph}"
    return None


# ---------------------------------------------------------------------------

def build(seed: int) -> list[dict]:
    rng = random.Random(f"h76-{seed}")
    rows = _load_iu(str(archive_path()))
    dev = dev_uids()
    reals = [Real(r) for r in rows if r[0] not in dev]
    reals = [r for r in reals if r.usable()]
    rng.shuffle(reals)
    used: set[str] = set()
    out = []
    plan = [(None, N_CLEAN)] + [(k, N_PER_KIND) for k in KINDS]
    for kind, n in plan:
        half = n // 2
        for _ in range(half):
            report, detail = SYNTH[kind](rng)
            out.append({"injected": kind, "detail": "phrase bank: " + detail, "report": report})
        got = 0
        for r in reals:
            if got >= n - half:
                break
            if r.uid in used:
                continue
            res = real_case(rng, r, kind)
            if res is None:
                continue
            used.add(r.uid)
            got += 1
            report, detail = res
            out.append({"injected": kind, "detail": f"real IU {r.uid}: {detail}", "report": report})
        if got < n - half:
            raise RuntimeError(f"not enough real reports for {kind}")
    rng.shuffle(out)
    return [{"id": f"h76-{seed}-{i}", **row} for i, row in enumerate(out)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {r['id']}  {kind}  | {r['detail']}")
                print(r["report"])
                print()
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
