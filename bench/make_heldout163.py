"""Held-out report-error set 163: renal and dialysis units (UK and US), written blind.

usage: python -m bench.make_heldout163 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines ``{"id", "injected", "detail", "report"}``: 200 clean reports and 40 of each
error kind (missing_section, laterality_conflict, negation_conflict, impression_omits_finding,
placeholder).  Half of every group is composed from a phrase bank in the style of renal / dialysis
unit chest film reports (fluid overload, tunnelled dialysis catheters, effusions, transplant
infection, vascular calcification, renal osteodystrophy); the other half are real Indiana
University reports (never a dev-set uid, each used at most once) re-laid out and lightly re-worded
in the same style.  Standard library only; output depends on the seed alone.

``MEDRAG_SHARED_DIR`` overrides the shared folder (default ``../shared`` beside the repo root).
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
SET_TAG = "h163"


# --------------------------------------------------------------------------------------------
# shared data
# --------------------------------------------------------------------------------------------

def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def iu_archive(shared: Path | None = None) -> Path:
    return (shared or shared_dir()) / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_set_path(shared: Path | None = None) -> Path:
    return (shared or shared_dir()) / "eval" / "report_errors_dev.jsonl"


def load_dev_uids(shared: Path | None = None) -> list[str]:
    out = []
    with open(dev_set_path(shared), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                out.append(json.loads(line)["uid"])
    return sorted(set(out))


_IU_CACHE: dict[str, list[dict]] = {}


def _clean_ws(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").strip())


def load_iu(shared: Path | None = None) -> list[dict]:
    path = iu_archive(shared)
    key = str(path)
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    rows = []
    with tarfile.open(path, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            fh = tar.extractfile(member)
            if fh is None:
                continue
            root = ET.fromstring(fh.read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            uid = uid_el.get("id", "")
            sec = {}
            for el in root.iter("AbstractText"):
                sec[el.get("Label", "").upper()] = _clean_ws(el.text)
            m = re.search(r"(\d+)", uid)
            rows.append({
                "uid": uid,
                "num": int(m.group(1)) if m else 0,
                "comparison": sec.get("COMPARISON", ""),
                "indication": sec.get("INDICATION", ""),
                "findings": sec.get("FINDINGS", ""),
                "impression": sec.get("IMPRESSION", ""),
            })
    rows.sort(key=lambda r: r["num"])
    _IU_CACHE[key] = rows
    return rows


# --------------------------------------------------------------------------------------------
# text analysis (used only to choose IU reports and places to change)
# --------------------------------------------------------------------------------------------

CONCEPT_RX = {
    "effusion": re.compile(r"effusion|pleural fluid"),
    "pneumothorax": re.compile(r"pneumothora"),
    "consolidation": re.compile(
        r"consolidat|air ?space|infiltrat|pneumonia|bronchopneumon"),
    "oedema": re.compile(
        r"o?edema|vascular congestion|pulmonary congestion|fluid overload|\bchf\b|"
        r"congestive heart"),
    "cardiomegaly": re.compile(
        r"cardiomegaly|(heart|cardiac silhouette|cardiac size|heart size|cardiac)[^.;,]{0,25}\benlarg|"
        r"enlarged (heart|cardiac)|enlargement of the (heart|cardiac)"),
    "nodule": re.compile(r"nodul|\bmass\b|masses"),
    "mediastinum": re.compile(r"mediastin[^.;]{0,25}widen|widen[^.;]{0,25}mediastin"),
    "opacity": re.compile(r"opacit|densit|opacification|shadowing"),
    "atelectasis": re.compile(r"atelecta"),
    "free_air": re.compile(r"free air|pneumoperitoneum|free intraperitoneal|subdiaphragmatic (air|gas)"),
}
FINDING_WORD_RX = re.compile(
    r"effusion|pneumothora|consolidat|air ?space|infiltrat|pneumonia|edema|oedema|congestion|"
    r"cardiomegaly|enlarg|nodul|mass|opacit|densit|atelecta|granuloma|scar|fibros|calcifi|"
    r"thickening|fracture|lesion|collapse|hernia|catheter|line|tube|pacemaker|port|clip|"
    r"emphysema|blunting|eventration|elevat|deformit|markings|infiltrate|process|disease|"
    r"shadowing|cyst|bulla")
NEG_CUE_RX = re.compile(
    r"\b(no|without|negative for|free of|not|nor|resolved|resolution of|clear of|absent|"
    r"rather than)\b")
POST_NEG_RX = re.compile(
    r"\b((is|are|was|were) (not|no longer) (seen|identified|present|evident|visualized|appreciated)|"
    r"has resolved|have resolved|resolved|not seen|not identified|is absent|are absent)\b")
HEDGE_RX = re.compile(
    r"\b(possible|possibly|may|might|could|cannot be (excluded|ruled out)|can ?not|questionable|"
    r"versus|vs|suspicious|concern|concerning|differential|likely|probable|probably|suggest|"
    r"suggests|suggesting|consider|considered|question|equivocal|indeterminate|suspected|"
    r"or)\b|\?")
LUNGS_CLEAR_RX = re.compile(
    r"\blungs? (are |is |appear |remain |otherwise )*(clear|grossly clear|well expanded and clear|"
    r"well-expanded and clear)|\bclear lungs\b")
HEART_NORMAL_RX = re.compile(
    r"(heart|cardiac|cardiomediastinal)[^.;]{0,40}(normal|within normal limits|unremarkable|"
    r"not enlarged)|normal (heart|cardiac|cardiomediastinal)|\bno cardiomegaly\b")
VASC_NORMAL_RX = re.compile(
    r"(pulmonary )?vascularity (is )?(normal|within normal)|normal (pulmonary )?vascularity")
NORMAL_IMP_RX = re.compile(
    r"\bno (acute|active|evidence of acute|significant|radiographic evidence|focal)|"
    r"\bnormal (chest|study|exam|examination|radiograph|x-ray)|^normal\b|negative\b|"
    r"\bunremarkable\b|no acute")
STRONG_NORMAL_RX = re.compile(
    r"\bnormal (chest|study|exam|examination|radiograph)|^normal\b|negative (chest|study|exam|"
    r"examination|x)|^negative\b|^no active disease\.?$|^no abnormality")
NONACUTE_RX = re.compile(
    r"\b(chronic|stable|unchanged|old|healed|scar|scarring|improv\w*|decreas\w*|resolv\w*|"
    r"resolution|prior|previous|again|persistent|continued|calcified|granuloma\w*|remote|known|"
    r"clearing|cleared|residual)\b")
FAINT_RX = re.compile(r"\b(minimal|subtle|trace|tiny|slight|slightly|streaky|faint|vague|atelecta\w*|"
                      r"bandlike|band-like|linear|discoid|plate-like)\b")
NEW_RX = re.compile(r"\b(new|newly|increas\w*|enlarging|worsen\w*|progress\w*|interval development)\b")
SMALL_RX = re.compile(r"\b(small|trace|tiny|minimal|minor|blunting|subtle|slight|mild)\b")
SIDE_RX = re.compile(r"\b(left|right)\b", re.I)
SIZE_MM_RX = re.compile(r"(\d+(?:\.\d+)?)\s*(mm|cm)\b")


def split_sents(text: str) -> list[str]:
    text = _clean_ws(text)
    if not text:
        return []
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])", text)
    return [p.strip() for p in parts if p.strip() and not re.fullmatch(r"\d{1,2}\.", p.strip())]


def parse_items(text: str) -> tuple[list[str], bool]:
    """Impression into items; numbered impressions keep their items."""
    text = _clean_ws(text)
    if re.match(r"^1[.)]\s", text):
        items = [i.strip() for i in re.split(r"(?:^|\s)\d{1,2}[.)]\s+", text) if i.strip()]
        return items, True
    return split_sents(text), False


def _clauses(sentence: str) -> list[str]:
    return [c for c in re.split(r"[;:]|\bbut\b|\bhowever\b|,\s*(?=(?:and )?(?:there|the|a|an|mild|small|"
                                r"moderate|large|left|right|bilateral|stable|new)\b)",
                                sentence) if c and c.strip()]


def concept_status(sentence: str) -> dict[str, str]:
    """concept -> 'aff' | 'neg' | 'unc' for one sentence (lower-cased analysis)."""
    s = sentence.lower()
    out: dict[str, str] = {}
    for clause in _clauses(s):
        for concept, rx in CONCEPT_RX.items():
            for m in rx.finditer(clause):
                before = clause[: m.start()]
                after = clause[m.end():]
                if NEG_CUE_RX.search(before) or POST_NEG_RX.search(after[:40]):
                    st = "neg"
                elif HEDGE_RX.search(clause):
                    st = "unc"
                else:
                    st = "aff"
                prev = out.get(concept)
                if prev is None or (prev == "neg" and st != "neg") or (prev == "unc" and st == "aff"):
                    out[concept] = st
    if LUNGS_CLEAR_RX.search(s):
        for c in ("consolidation", "oedema", "opacity"):
            out.setdefault(c, "neg")
    if HEART_NORMAL_RX.search(s) and "enlarg" not in s and "cardiomegaly" not in s.replace("no cardiomegaly", ""):
        out.setdefault("cardiomegaly", "neg")
    if VASC_NORMAL_RX.search(s):
        out.setdefault("oedema", "neg")
    return out


def section_status(sents: list[str]) -> dict[str, set]:
    res: dict[str, set] = {}
    for s in sents:
        for c, st in concept_status(s).items():
            res.setdefault(c, set()).add(st)
    return res


def nodule_size_mm(sentence: str) -> float | None:
    best = None
    for m in SIZE_MM_RX.finditer(sentence.lower()):
        v = float(m.group(1)) * (10.0 if m.group(2) == "cm" else 1.0)
        best = v if best is None else max(best, v)
    return best


def significant_concepts(sentence: str, strict: bool) -> list[str]:
    """Concepts this findings sentence affirms that an impression must carry.

    strict=False (choosing clean reports): affirmed or hedged, stable included (conservative).
    strict=True (choosing omission targets): definite, acute-looking findings only.
    """
    s = sentence.lower()
    st = concept_status(sentence)
    ok = {"aff"} if strict else {"aff", "unc"}
    if strict and (HEDGE_RX.search(s) or NONACUTE_RX.search(s) or FAINT_RX.search(s)):
        return []
    out = []
    for c in ("pneumothorax", "consolidation", "oedema", "mediastinum", "free_air"):
        if st.get(c) in ok:
            out.append(c)
    if st.get("effusion") in ok:
        if strict:
            if re.search(r"\b(moderate|large|sizable|massive|layering)\b", s) and not SMALL_RX.search(s):
                out.append("effusion")
        elif not SMALL_RX.search(s):
            out.append("effusion")
    if st.get("nodule") in ok and not re.search(r"calcif|granuloma", s):
        size = nodule_size_mm(s)
        if "mass" in s or size is None or size >= 6:
            if not strict or "mass" in s or (size is not None and size >= 6):
                out.append("nodule")
    if NEW_RX.search(s) and any(st.get(c) in ok for c in ("opacity", "cardiomegaly", "atelectasis")):
        out.append("new_finding")
    return out


MENTION_RX = {
    "effusion": CONCEPT_RX["effusion"],
    "pneumothorax": CONCEPT_RX["pneumothorax"],
    "consolidation": re.compile(CONCEPT_RX["consolidation"].pattern + r"|opacit|atelecta|densit"),
    "oedema": CONCEPT_RX["oedema"],
    "mediastinum": re.compile(r"mediastin"),
    "free_air": CONCEPT_RX["free_air"],
    "nodule": re.compile(r"nodul|mass|lesion|opacit|densit"),
    "new_finding": re.compile(r"new|increas|opacit|cardiomegaly|enlarg|atelecta"),
    "cardiomegaly": CONCEPT_RX["cardiomegaly"],
}


def finding_sides(sents: list[str]) -> set:
    sides = set()
    for s in sents:
        if FINDING_WORD_RX.search(s.lower()):
            st = concept_status(s)
            if st and all(v == "neg" for v in st.values()):
                continue
            for m in SIDE_RX.finditer(s):
                sides.add(m.group(1).lower())
    return sides


def iu_base_ok(rep: dict) -> bool:
    """A real report whose two sections agree (conservative); usable for any group."""
    f, imp = rep["findings"], rep["impression"]
    if not f or not imp or len(f) > 900 or len(imp) > 450 or len(f) < 40:
        return False
    whole = f + " " + imp
    if re.search(r"\[|\]|<<|>>|\*\*|__|\{|\}", whole):
        return False
    if whole.count("XXXX") > 2:
        return False
    fs, isents = split_sents(f), split_sents(imp)
    if not fs or not isents:
        return False
    fst, ist = section_status(fs), section_status(isents)
    # explicit or by-meaning negation conflicts in the archive text
    for c in set(fst) | set(ist):
        a, b = fst.get(c, set()), ist.get(c, set())
        if ("neg" in a and b & {"aff", "unc"}) or ("neg" in b and a & {"aff", "unc"}):
            return False
    if ist.get("opacity", set()) & {"aff", "unc"} and fst.get("consolidation", set()) == {"neg"}:
        return False
    if ist.get("consolidation", set()) & {"aff", "unc"} and fst.get("opacity", set()) == {"neg"}:
        return False
    # significant findings must reach the impression
    imp_low = imp.lower()
    for s in fs:
        for c in significant_concepts(s, strict=False):
            if not MENTION_RX[c].search(imp_low):
                return False
    # plain (not mild / stable) cardiomegaly must reach the impression
    for s in fs:
        low = s.lower()
        if concept_status(s).get("cardiomegaly") in ("aff", "unc") and not re.search(
                r"mild|slight|borderline|upper limit|stable|minimal|unchanged", low):
            if not MENTION_RX["cardiomegaly"].search(imp_low) and "heart" not in imp_low:
                return False
    # a normal impression only beside unremarkable findings
    first = isents[0].lower()
    if STRONG_NORMAL_RX.search(first):
        if any(st in ("aff", "unc") for s in fs for st in concept_status(s).values()):
            return False
        if any(re.search(r"granuloma|calcif|scar|nodul|hernia|fracture|deformit", s.lower()) for s in fs):
            return False
    elif NORMAL_IMP_RX.search(imp_low):
        for s in fs:
            st = concept_status(s)
            if st.get("opacity") in ("aff", "unc") and not re.search(r"granuloma|calcif|scar", s.lower()):
                return False
    # sides must agree
    fsides, isides = finding_sides(fs), finding_sides(isents)
    if not isides <= fsides:
        return False
    return True


# --------------------------------------------------------------------------------------------
# spelling and light rewording
# --------------------------------------------------------------------------------------------

UK_SPELL = [
    (r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"hemorrhag", "haemorrhag"),
    (r"\bhematoma", "haematoma"), (r"\besophag", "oesophag"), (r"\bEsophag", "Oesophag"),
    (r"\btunneled\b", "tunnelled"), (r"\bhemodialysis", "haemodialysis"),
    (r"\bHemodialysis", "Haemodialysis"), (r"\buremic", "uraemic"), (r"\banemia", "anaemia"),
    (r"\bcenter", "centre"), (r"\bcentimeter", "centimetre"), (r"\bhemithorax", "hemithorax"),
    (r"\bfavor", "favour"), (r"\bvisualized\b", "visualised"), (r"\bvisualize\b", "visualise"),
    (r"\bcolor", "colour"), (r"\bleukocyt", "leucocyt"),
]
US_SPELL = [
    (r"\boedema", "edema"), (r"\bOedema", "Edema"), (r"haemorrhag", "hemorrhag"),
    (r"\bhaematoma", "hematoma"), (r"\boesophag", "esophag"), (r"\bOesophag", "Esophag"),
    (r"\btunnelled\b", "tunneled"), (r"\bhaemodialysis", "hemodialysis"),
    (r"\bHaemodialysis", "Hemodialysis"), (r"\buraemic", "uremic"), (r"\bUraemic", "Uremic"),
    (r"\bcentre", "center"), (r"\bvisualised\b", "visualized"), (r"\banaemi", "anemi"),
    (r"\bfavour", "favor"), (r"\bpaediatric", "pediatric"), (r"\bopacified\b", "opacified"),
]

# light rewording of real reports: (pattern, replacement, label) -- meaning preserved
UK_REWORD = [
    (r"\bThere (is|are) no\b", "No", "'There is no' -> 'No'"),
    (r"\b(is|are) within normal limits\b", r"\1 normal", "'within normal limits' -> 'normal'"),
    (r"\bThe lungs are clear\b", "Lungs clear", "'The lungs are clear' -> 'Lungs clear'"),
    (r"\bchest x-XXXX\b", "chest radiograph", "'chest x-XXXX' -> 'chest radiograph'"),
    (r"\bNo acute cardiopulmonary (disease|process|abnormality|abnormalities)\b",
     "No acute cardiopulmonary abnormality", "normal impression standardised"),
    (r"\bbibasilar\b", "bibasal", "'bibasilar' -> 'bibasal'"),
    (r"\b(left|right) basilar\b", r"\1 basal", "'basilar' -> 'basal'"),
    (r"\bcostophrenic sulcus\b", "costophrenic angle", "'sulcus' -> 'angle'"),
]
US_REWORD = [
    (r"\bThere (is|are) no\b", "No", "'There is no' -> 'No'"),
    (r"\b(is|are) within normal limits\b", r"\1 normal", "'within normal limits' -> 'normal'"),
    (r"\bchest x-XXXX\b", "chest radiograph", "'chest x-XXXX' -> 'chest radiograph'"),
    (r"\bNo acute cardiopulmonary (disease|abnormality|abnormalities)\b",
     "No acute cardiopulmonary process", "normal impression -> 'No acute cardiopulmonary process'"),
    (r"\bNo active disease\b", "No active cardiopulmonary disease", "'No active disease' expanded"),
]


def spell(text: str, locale: str) -> str:
    for pat, rep in (UK_SPELL if locale == "uk" else US_SPELL):
        text = re.sub(pat, rep, text)
    return text


def reword(text: str, locale: str, used: list[str]) -> str:
    for pat, rep, label in (UK_REWORD if locale == "uk" else US_REWORD):
        new = re.sub(pat, rep, text)
        if new != text and label not in used:
            used.append(label)
        text = new
    new = spell(text, locale)
    if new != text:
        lab = "UK spelling" if locale == "uk" else "US spelling"
        if lab not in used:
            used.append(lab)
    return new


# --------------------------------------------------------------------------------------------
# the setting: indications, exams, sign-offs, layouts
# --------------------------------------------------------------------------------------------

UK_NAMES = ["A. Okafor", "S. Raman", "H. McAllister", "P. Bhattacharya", "E. Lloyd-Jones",
            "R. Achterberg", "N. Siddiqui", "C. O'Driscoll", "J. Whitfield", "M. Kaur"]
US_NAMES = ["Daniel R. Feld", "Priya Natarajan", "Michael T. Ortiz", "Sarah K. Lindqvist",
            "James Okonkwo", "Rebecca Hsu", "Thomas A. Bianchi", "Laura Menendez"]

UK_INDICATIONS = {
    "routine": ["ESRF on haemodialysis. Routine pre-transplant listing work-up.",
                "CKD stage 5, pre-dialysis. Baseline film.",
                "HD patient, annual transplant list review.",
                "ESKD on HD. Pre-op assessment for fistula formation."],
    "line": ["New tunnelled dialysis line inserted today. Check position.",
             "Post tunnelled line insertion. Position? Pneumothorax?",
             "Poor flows from tunnelled line on dialysis. Tip position?",
             "Line exchange this morning. Check position."],
    "overload": ["Missed two dialysis sessions. SOB, hypoxic. ?Fluid overload.",
                 "HD patient, increasing breathlessness, weight up 4 kg above dry weight.",
                 "ESRF, orthopnoea and peripheral oedema. ?Pulmonary oedema.",
                 "PD patient, poor ultrafiltration, SOB. ?Overloaded."],
    "infection": ["Renal transplant recipient on tacrolimus/MMF. Pyrexia, productive cough.",
                  "Transplant 2018. Fever and raised CRP. ?Chest source.",
                  "Immunosuppressed renal transplant, dry cough, desaturating on exertion.",
                  "HD patient, temperature 38.6, cough. ?Consolidation."],
    "effusion": ["HD patient, reduced air entry at the base on examination. ?Effusion.",
                 "ESRF, pleuritic chest pain. ?Effusion.",
                 "Dialysis patient, breathless. Known effusion, ?progression."],
    "pericardial": ["Dialysis patient, pericardial rub on examination, hypotension on HD.",
                    "Uraemic, chest pain, ?pericardial effusion."],
    "followup": ["Follow-up after dialysis for fluid overload.",
                 "Follow-up of previous chest infection in transplant recipient.",
                 "Post ultrafiltration. Interval film."],
}
US_INDICATIONS = {
    "routine": ["ESRD on HD. Pre-transplant evaluation.", "CKD 5. Routine chest radiograph.",
                "ESRD, kidney transplant workup.", "Preop clearance, AV fistula creation."],
    "line": ["Tunneled dialysis catheter placement. Evaluate position.",
             "Status post TDC placement. Rule out pneumothorax.",
             "Poor flows on HD through tunneled catheter.", "Catheter exchange, confirm tip."],
    "overload": ["ESRD, missed HD x2, shortness of breath.", "Hemodialysis patient with dyspnea and hypoxia.",
                 "Volume overload, missed dialysis.", "ESRD on PD, dyspnea, weight gain."],
    "infection": ["Kidney transplant recipient with fever and cough.", "S/p renal transplant, immunosuppressed, fever.",
                  "Transplant patient, leukocytosis, cough.", "HD patient, fever, rule out pneumonia."],
    "effusion": ["ESRD, decreased breath sounds at the base.", "Dialysis patient with pleuritic pain.",
                 "Known pleural effusion, follow-up."],
    "pericardial": ["ESRD, hypotension on HD, pericardial friction rub.", "Uremic pericarditis?"],
    "followup": ["Follow-up volume overload after HD.", "Follow-up pneumonia, transplant recipient.",
                 "Interval follow-up after ultrafiltration."],
}

UK_EXAMS = ["XR CHEST", "CHEST X-RAY PA", "CXR (AP erect, dialysis unit)", "Chest radiograph, PA",
            "XR Chest AP portable", "CHEST PA"]
US_EXAMS = ["XR CHEST 2 VIEWS", "CHEST PA AND LATERAL", "XR CHEST 1 VIEW (PORTABLE)",
            "PORTABLE AP CHEST RADIOGRAPH", "CHEST, SINGLE FRONTAL VIEW"]


def uk_signoff(rng: random.Random) -> str:
    name = rng.choice(UK_NAMES)
    return rng.choice([
        f"Dr {name}, Consultant Radiologist",
        f"Reported by: Dr {name}, Consultant Radiologist (GMC XXXX)",
        f"Dr {name}\nConsultant Radiologist, Renal Imaging",
        f"Verified by Dr {name} on XXXX",
        f"Dictated by Dr {name}, SpR Radiology. Verified by Dr {rng.choice(UK_NAMES)}, Consultant.",
    ])


def us_signoff(rng: random.Random) -> str:
    name = rng.choice(US_NAMES)
    return rng.choice([
        f"Electronically signed by: {name}, MD on XXXX at XXXX",
        f"Dictated by: {name}, MD\nSigned: XXXX",
        f"I have personally reviewed the images and agree with this report.\n{name}, MD",
        f"Attending radiologist: {name}, MD. Finalized XXXX.",
        f"{name}, M.D.\nElectronically signed XXXX",
    ])


def comparison_line(rng: random.Random, locale: str, iu_comp: str | None = None) -> str:
    if iu_comp is not None:
        comp = iu_comp.rstrip(".") or "None"
        return ("Comparison: " if locale == "uk" else "COMPARISON: ") + comp + "."
    if locale == "uk":
        return rng.choice(["Comparison: XXXX.", "Comparison: previous film XXXX.",
                           "Previous: CXR XXXX.", "No previous imaging available for comparison.",
                           "Comparison is made with the film of ___."])
    return rng.choice(["COMPARISON: XXXX.", "COMPARISON: None.", "COMPARISON: Radiograph from XXXX.",
                       "COMPARISON: Chest radiograph dated ___."])


def patient_header(rng: random.Random) -> str:
    """Occasional de-identified header (masks, not placeholders)."""
    return rng.choice(["Patient: ___   MRN: ___", "Name: XXXX  Hosp no: XXXX", "Acc no: ___"])


LAYOUTS = {
    # name: (locale, findings header, impression header, inline headers, findings style, impression style)
    "uk_ris_inline": ("uk", "Findings", "Conclusion", True, "para", "para"),
    "uk_report_opinion": ("uk", "REPORT", "OPINION", False, "lines", "numbered"),
    "uk_bullets_comment": ("uk", "Findings", "Comment", False, "bullets", "para"),
    "uk_findings_impression": ("uk", "FINDINGS", "IMPRESSION", False, "para", "numbered"),
    "uk_summary": ("uk", "Findings", "Summary", True, "para", "para"),
    "us_standard": ("us", "FINDINGS", "IMPRESSION", False, "para", "numbered"),
    "us_portable_inline": ("us", "FINDINGS", "IMPRESSION", True, "para", "para"),
    "us_structured": ("us", "FINDINGS", "IMPRESSION", False, "structured", "numbered"),
    "us_conclusion": ("us", "FINDINGS", "CONCLUSION", False, "lines", "para"),
}
IU_LAYOUTS = ["uk_ris_inline", "uk_report_opinion", "uk_bullets_comment", "uk_findings_impression",
              "uk_summary", "us_standard", "us_portable_inline", "us_conclusion"]
LAYOUT_DESC = {
    "uk_ris_inline": "UK RIS report (Clinical details / Findings: / Conclusion:)",
    "uk_report_opinion": "UK report (REPORT / OPINION, numbered opinion)",
    "uk_bullets_comment": "UK report (bulleted Findings / Comment)",
    "uk_findings_impression": "UK report (FINDINGS / IMPRESSION, numbered)",
    "uk_summary": "UK report (Findings: / Summary:)",
    "us_standard": "US report (EXAM / HISTORY / TECHNIQUE / COMPARISON / FINDINGS / IMPRESSION)",
    "us_portable_inline": "US portable report (FINDINGS: / IMPRESSION: inline)",
    "us_structured": "US structured template (Lines / Lungs / Pleura / Heart / Bones)",
    "us_conclusion": "US report (FINDINGS / CONCLUSION)",
}
STRUCT_LABELS = [("lines", "Lines/tubes"), ("lungs", "Lungs"), ("pleura", "Pleura"),
                 ("heart", "Heart and mediastinum"), ("bones", "Bones/soft tissues")]
STRUCT_DEFAULT = {"lines": "None.", "bones": "No acute osseous abnormality."}


def render(rng: random.Random, layout: str, indication: str, comparison: str,
           findings: list[tuple[str, str]], imp_items: list[str], signoff: str,
           findings_mode: str = "full", imp_mode: str = "full", extra_header: str | None = None,
           exam: str | None = None) -> str:
    """findings: (category, sentence); findings_mode full|empty|absent; imp_mode full|empty|sig|removed."""
    locale, fh, ih, inline, fstyle, istyle = LAYOUTS[layout]
    lines: list[str] = []
    if extra_header:
        lines.append(extra_header)
    if locale == "uk":
        lines.append(exam or rng.choice(UK_EXAMS))
        lines.append(rng.choice(["Clinical details: ", "Clinical history: ", "Indication: "]) + indication)
        if comparison:
            lines.append(comparison)
    else:
        lines.append("EXAM: " + (exam or rng.choice(US_EXAMS)))
        lines.append(rng.choice(["HISTORY: ", "INDICATION: ", "CLINICAL INDICATION: "]) + indication)
        if layout == "us_standard":
            lines.append(rng.choice(["TECHNIQUE: Frontal and lateral views of the chest.",
                                     "TECHNIQUE: Single portable AP view of the chest."]))
        if comparison:
            lines.append(comparison)
    lines.append("")
    # findings
    if findings_mode != "absent":
        if findings_mode == "empty":
            body = ""
        elif fstyle == "para":
            body = " ".join(s for _, s in findings)
        elif fstyle == "lines":
            body = "\n".join(s for _, s in findings)
        elif fstyle == "bullets":
            body = "\n".join("- " + s for _, s in findings)
        else:
            parts = []
            for cat, label in STRUCT_LABELS:
                ss = [s for c, s in findings if c == cat]
                if not ss and cat == "lines":
                    continue
                text = " ".join(ss) if ss else STRUCT_DEFAULT.get(cat, "Unremarkable.")
                parts.append(f"{label}: {text}")
            other = [s for c, s in findings if c not in {c2 for c2, _ in STRUCT_LABELS}]
            if other:
                parts.append("Other: " + " ".join(other))
            body = "\n".join(parts)
        if inline:
            lines.append(f"{fh}: {body}".rstrip())
        else:
            lines.append(f"{fh}:")
            if body:
                lines.append(body)
        lines.append("")
    # impression
    if imp_mode == "full":
        if istyle == "numbered" and len(imp_items) > 1:
            body = "\n".join(f"{k}. {t}" for k, t in enumerate(imp_items, 1))
        elif istyle == "numbered":
            body = imp_items[0] if imp_items else ""
        else:
            body = " ".join(imp_items)
        if inline:
            lines.append(f"{ih}: {body}")
        else:
            lines.append(f"{ih}:")
            lines.append(body)
        lines.append("")
        lines.append(signoff)
    elif imp_mode == "empty":
        lines.append(f"{ih}:")
    elif imp_mode == "sig":
        lines.append(f"{ih}:")
        lines.append(signoff)
    else:  # removed
        lines.append(signoff)
    text = "\n".join(lines).rstrip() + "\n"
    return spell(text, locale)


# --------------------------------------------------------------------------------------------
# the phrase bank (UK spelling; US layouts re-spelt at render)
# --------------------------------------------------------------------------------------------

def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class Fact:
    """One finding: findings sentence and (optional) impression item, both in the same side."""

    def __init__(self, key, f, i=None, side=None, sig=False, concepts=(), cat="lungs",
                 neg=None, rec=None):
        self.key, self.f_t, self.i_t, self.side = key, f, i, side
        self.sig, self.concepts, self.cat, self.neg, self.rec = sig, tuple(concepts), cat, neg, rec

    @staticmethod
    def _fill(t, side):
        if t is None:
            return None
        if side is None:
            return t
        return t.replace("{side}", side).replace("{Side}", _cap(side))

    def f(self, side=None):
        return self._fill(self.f_t, side or self.side)

    def i(self, side=None):
        return self._fill(self.i_t, side or self.side)

    @property
    def sided_both(self):
        return self.side in ("left", "right") and self.i_t is not None and "{side}" in self.f_t.lower() \
            and ("{side}" in self.i_t.lower())


def flip(side: str) -> str:
    return "right" if side.lower() == "left" else "left"


def fact_line(rng, side=None, quality="good"):
    side = side or rng.choice(["right", "right", "right", "left"])
    if quality == "good":
        tip = rng.choice(["right atrium", "cavoatrial junction", "upper right atrium", "lower SVC"])
        f = rng.choice([
            "{Side} internal jugular tunnelled dialysis catheter with its tip projected over the " + tip + ".",
            "{Side} IJ tunnelled haemodialysis line, tip in the " + tip + ".",
            "Tunnelled dialysis catheter via the {side} internal jugular vein, tip at the " + tip + ".",
        ])
        i = rng.choice([
            "{Side} IJ tunnelled dialysis catheter in satisfactory position.",
            "Satisfactory position of the {side}-sided tunnelled dialysis line.",
            "{Side} internal jugular dialysis catheter tip in a satisfactory position.",
        ])
        return Fact("line", f, i, side, False, ("line",), "lines")
    f = rng.choice([
        "{Side} internal jugular tunnelled dialysis catheter; the tip lies high, projected over the "
        "{side} brachiocephalic vein.",
        "{Side} IJ tunnelled line with the tip at the junction of the {side} brachiocephalic vein and SVC, "
        "higher than usual.",
    ])
    i = rng.choice([
        "Tip of the {side} tunnelled dialysis line lies high in the {side} brachiocephalic vein; "
        "consider repositioning if flows are poor.",
        "High position of the {side} IJ tunnelled catheter tip - may account for poor flows.",
    ])
    return Fact("line_high", f, i, side, False, ("line",), "lines")


def fact_oedema(rng):
    f = rng.choice([
        "Upper lobe venous diversion with bilateral perihilar airspace shadowing and septal lines, "
        "in keeping with pulmonary oedema.",
        "Bilateral perihilar haziness, peribronchial cuffing and Kerley B lines consistent with "
        "interstitial oedema.",
        "Diffuse bilateral airspace opacification in a bat's wing distribution, in keeping with "
        "alveolar oedema.",
        "Pulmonary venous congestion with interstitial oedema and fluid in the horizontal fissure.",
    ])
    i = rng.choice([
        "Pulmonary oedema, in keeping with fluid overload.",
        "Appearances in keeping with fluid overload - ?missed dialysis.",
        "Pulmonary oedema consistent with fluid overload; correlate with dry weight.",
        "Features of fluid overload.",
    ])
    rec = rng.choice([None, "Suggest repeat film after dialysis.",
                      "Repeat film post ultrafiltration if clinically indicated."])
    return Fact("oedema", f, i, None, True, ("oedema", "consolidation"), "lungs",
                neg=rng.choice(["No pulmonary oedema.", "No features of fluid overload."]), rec=rec)


def fact_improving_oedema(rng):
    return Fact("oedema_improving",
                rng.choice(["Interval improvement in the pulmonary oedema since XXXX, with residual "
                            "interstitial markings.",
                            "The perihilar shadowing has largely cleared following dialysis."]),
                rng.choice(["Improving pulmonary oedema following dialysis.",
                            "Resolving fluid overload."]),
                None, False, ("oedema_resolving",), "lungs")


def fact_cardiomegaly(rng, mentioned=None):
    mentioned = rng.random() < 0.6 if mentioned is None else mentioned
    if mentioned:
        f = rng.choice(["Cardiomegaly.", "The heart is enlarged.", "Moderate cardiomegaly.",
                        "Cardiothoracic ratio increased; the heart is enlarged."])
    else:
        f = rng.choice(["Mild cardiomegaly.", "The heart is mildly enlarged.", "Mild cardiomegaly, as before."])
    i = rng.choice(["Cardiomegaly.", "Enlarged heart."]) if mentioned else None
    return Fact("cardiomegaly", f, i, None, False, ("cardiomegaly",), "heart",
                neg=rng.choice(["Heart size normal.", "Normal cardiac size."]))


def fact_stable_cardiomegaly(rng):
    return Fact("cardiomegaly_stable",
                rng.choice(["Mild cardiomegaly, unchanged.", "Heart size at the upper limit of normal, stable.",
                            "Stable mild cardiomegaly."]), None, None, False, ("cardiomegaly",), "heart")


def fact_effusion(rng, side=None, size=None, increasing=False):
    side = side or rng.choice(["left", "right"])
    if increasing:
        f = rng.choice([
            "The {side} pleural effusion has increased since the previous film and is now moderate in size.",
            "Enlarging {side} pleural effusion, now moderate, with adjacent basal atelectasis.",
        ])
        i = rng.choice(["Increasing {side} pleural effusion.", "Enlarging moderate {side} pleural effusion."])
        return Fact("effusion", f, i, side, True, ("effusion", "atelectasis") if "atelectasis" in f
                    else ("effusion",), "pleura",
                    neg="No pleural effusion.",
                    rec=rng.choice([None, "Consider ultrasound-guided aspiration if clinically indicated."]))
    size = size or rng.choice(["small", "moderate", "moderate", "large"])
    if size == "small":
        f = rng.choice(["Small {side} pleural effusion.",
                        "Blunting of the {side} costophrenic angle in keeping with a small effusion."])
        i = rng.choice(["Small {side} pleural effusion.", None])
    else:
        f = rng.choice([_cap(size) + " {side} pleural effusion.",
                        _cap(size) + " {side} pleural effusion with adjacent basal atelectasis.",
                        "There is a " + size + " {side} pleural effusion."])
        i = rng.choice([_cap(size) + " {side} pleural effusion.", _cap(size) + " {side} effusion."])
    rec = None
    if size == "large":
        rec = "Consider ultrasound-guided aspiration."
    concepts = ("effusion", "atelectasis") if "atelectasis" in f else ("effusion",)
    return Fact("effusion", f, i, side, size != "small", concepts, "pleura",
                neg=rng.choice(["No pleural effusion.", "No effusion."]), rec=rec)


def fact_bilateral_small_effusions(rng):
    return Fact("effusions_bilat",
                rng.choice(["Small bilateral pleural effusions.", "Bilateral small pleural effusions.",
                            "Blunting of both costophrenic angles from small effusions."]),
                rng.choice(["Small bilateral effusions.", None]), None, False, ("effusion",), "pleura",
                neg="No pleural effusion.")


def fact_consolidation(rng, side=None):
    side = side or rng.choice(["left", "right"])
    zone, lobe = rng.choice([("lower zone", "lower lobe"), ("lower zone", "lower lobe"),
                             ("mid zone", "mid zone"), ("upper zone", "upper lobe")])
    f = rng.choice([
        "Consolidation in the {side} " + zone + " with air bronchograms.",
        "New airspace opacification in the {side} " + zone + ".",
        "Patchy consolidation in the {side} " + zone + ", new since XXXX.",
    ])
    i = rng.choice([
        "{Side} " + lobe + " consolidation in keeping with infection in this transplant recipient.",
        "{Side} " + lobe + " pneumonia.",
        "{Side} " + zone + " consolidation, likely infective.",
    ])
    rec = rng.choice([None, "Follow-up radiograph in 6 weeks after treatment to confirm resolution.",
                      "Suggest follow-up film in 6-8 weeks."])
    return Fact("consolidation", f, i, side, True, ("consolidation",), "lungs",
                neg=rng.choice(["Lungs clear.", "No consolidation."]), rec=rec)


def fact_pcp(rng):
    return Fact("ggo",
                rng.choice(["New bilateral perihilar ground-glass opacification.",
                            "New diffuse bilateral hazy airspace opacification, perihilar predominant."]),
                rng.choice(["New bilateral perihilar ground-glass change; in an immunosuppressed transplant "
                            "recipient atypical infection including PCP should be considered.",
                            "New bilateral airspace change - ?atypical / opportunistic infection. "
                            "HRCT may help."]),
                None, True, ("consolidation",), "lungs", neg="Lungs clear.")


def fact_ptx(rng, side):
    n = rng.choice([8, 10, 12, 15, 20])
    f = rng.choice([
        "Small {side} apical pneumothorax following {side} internal jugular line insertion.",
        "{Side} apical pneumothorax, rim measuring " + str(n) + " mm.",
        "There is a small {side} apical pneumothorax.",
    ])
    i = rng.choice([
        "Small {side} apical pneumothorax post line insertion. Discussed with the renal registrar at the "
        "time of reporting.",
        "{Side} apical pneumothorax - findings communicated to the requesting team.",
        "Small {side} pneumothorax.",
    ])
    return Fact("pneumothorax", f, i, side, True, ("pneumothorax",), "pleura", neg="No pneumothorax.")


def fact_nodule(rng, big=True):
    side = rng.choice(["left", "right"])
    zone = rng.choice(["upper zone", "mid zone", "lower zone"])
    if big:
        n = rng.choice([6, 7, 8, 9, 10, 12, 14, 18])
        f = rng.choice([str(n) + " mm nodule in the {side} " + zone + ".",
                        "A " + str(n) + " mm rounded nodule projects over the {side} " + zone + "."])
        i = rng.choice([str(n) + " mm {side} " + zone + " nodule - CT chest recommended as part of "
                        "transplant work-up.",
                        "{Side} " + zone + " nodule (" + str(n) + " mm); recommend CT for further assessment."])
        return Fact("nodule", f, i, side, True, ("nodule",), "lungs", neg="No pulmonary nodule.")
    n = rng.choice([3, 4, 5])
    f = rng.choice(["Calcified granuloma in the {side} " + zone + ".",
                    str(n) + " mm calcified nodule in the {side} " + zone + ", likely an old granuloma."])
    return Fact("granuloma", f, None, side, False, ("granuloma",), "lungs")


def fact_mediastinum(rng):
    return Fact("mediastinum",
                rng.choice(["The superior mediastinum appears widened, new since the pre-procedure film.",
                            "New widening of the upper mediastinum compared with the film before line insertion."]),
                rng.choice(["New mediastinal widening following line insertion; ?haematoma - urgent CT suggested.",
                            "New mediastinal widening post line insertion. Discussed with the on-call renal team; "
                            "CT recommended."]),
                None, True, ("mediastinum",), "heart", neg="Normal mediastinal contour.")


def fact_pericardial(rng):
    return Fact("pericardial",
                rng.choice(["The cardiac silhouette is enlarged and globular, increased since the previous "
                            "film of XXXX.",
                            "Globular enlargement of the cardiac silhouette, new since XXXX."]),
                rng.choice(["Enlarged globular cardiac silhouette, increased since previous - pericardial "
                            "effusion should be considered. Suggest echocardiography.",
                            "Interval enlargement of the cardiac silhouette; ?pericardial effusion (uraemic). "
                            "Echo recommended."]),
                None, True, ("cardiomegaly",), "heart", neg="Heart size normal.")


def fact_calcification(rng, mentioned=None):
    f = rng.choice(["Calcification of the aortic knuckle.",
                    "Extensive vascular calcification, including the aortic arch and axillary arteries.",
                    "Aortic arch and coronary artery calcification.",
                    "Mitral annular calcification."])
    mentioned = rng.random() < 0.4 if mentioned is None else mentioned
    if not mentioned:
        i = None
    elif f.startswith("Extensive"):
        i = "Extensive vascular calcification noted."
    elif f.startswith("Mitral"):
        i = "Mitral annular calcification."
    else:
        i = "Vascular calcification."
    return Fact("calcification", f, i, None, False, ("calcification",), "heart")


def fact_bones(rng, mentioned=None):
    f = rng.choice(["Rugger-jersey appearance of the thoracic vertebrae, in keeping with renal osteodystrophy.",
                    "Resorption of the distal clavicles, in keeping with secondary hyperparathyroidism.",
                    "Generalised increased bone density with endplate sclerosis, consistent with renal "
                    "osteodystrophy."])
    mentioned = rng.random() < 0.4 if mentioned is None else mentioned
    i = "Changes of renal osteodystrophy." if mentioned else None
    return Fact("bones", f, i, None, False, ("bones",), "bones")


def fact_clips(rng):
    side = rng.choice(["left", "left", "right"])
    return Fact("clips", rng.choice(["Vascular clips over the {side} upper arm / axilla from previous fistula surgery.",
                                     "Surgical clips in the {side} axilla (AV fistula)."]),
                None, side, False, ("clips",), "bones")


def fact_atelectasis(rng):
    side = rng.choice(["left", "right"])
    return Fact("atelectasis", "Minor {side} basal atelectasis.", None, side, False, ("atelectasis",), "lungs")


def fact_sternotomy(rng):
    return Fact("sternotomy", rng.choice(["Median sternotomy wires.", "Sternotomy wires and CABG clips."]),
                None, None, False, ("sternotomy",), "bones")


NEGATIVES = [
    # (key, concepts it denies, findings variants, category)
    ("heart", ("cardiomegaly",), ["Heart size is normal.", "Normal heart size.",
                                  "Cardiac size within normal limits."], "heart"),
    ("mediastinum", ("mediastinum",), ["Mediastinal contours are normal.", "Normal mediastinal contour."],
     "heart"),
    ("lungs", ("consolidation", "oedema", "oedema_resolving", "nodule", "atelectasis", "granuloma"),
     ["Lungs are clear.", "The lungs are clear.", "Clear lungs."], "lungs"),
    ("consolidation", ("consolidation",), ["No focal consolidation.", "No consolidation."], "lungs"),
    ("oedema", ("oedema", "oedema_resolving"), ["No features of fluid overload.", "No pulmonary oedema.",
                                                "Pulmonary vasculature is normal."], "lungs"),
    ("effusion", ("effusion",), ["No pleural effusion.", "No effusion.", "Costophrenic angles are clear."],
     "pleura"),
    ("pneumothorax", ("pneumothorax",), ["No pneumothorax."], "pleura"),
    ("bones", ("bones",), ["No acute bony abnormality."], "bones"),
]
# negation conflicts: what the impression asserts against a normal findings statement
ASSERT_AGAINST = {
    "heart": ["Cardiomegaly.", "Enlarged cardiac silhouette."],
    "mediastinum": ["Widened mediastinum."],
    "lungs": ["{Side} lower zone consolidation.", "Pulmonary oedema in keeping with fluid overload.",
              "{Side} basal pneumonia."],
    "consolidation": ["{Side} lower lobe consolidation.", "{Side} basal pneumonia."],
    "oedema": ["Pulmonary oedema in keeping with fluid overload.", "Interstitial oedema."],
    "effusion": ["Small {side} pleural effusion.", "Moderate {side} pleural effusion.",
                 "Bilateral pleural effusions."],
    "pneumothorax": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
}
NEGATE_IN_IMP = {
    "effusion": ["No pleural effusion.", "No effusion."],
    "pneumothorax": ["No pneumothorax."],
    "consolidation": ["Lungs clear.", "No consolidation."],
    "oedema": ["No features of fluid overload.", "No pulmonary oedema."],
    "cardiomegaly": ["Heart size normal.", "Normal cardiac size."],
    "nodule": ["No pulmonary nodule."],
    "mediastinum": ["Normal mediastinal contour."],
}
UK_NORMAL_IMP = ["No acute cardiopulmonary abnormality.", "No acute abnormality.",
                 "No acute abnormality demonstrated.", "No acute chest abnormality."]
US_NORMAL_IMP = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
                 "No acute cardiopulmonary disease."]

SCENARIOS = [
    ("routine_line", 3), ("line_high", 1), ("fluid_overload", 3), ("effusion", 2), ("pericardial", 1),
    ("transplant_infection", 2), ("ptx_post_line", 1), ("renal_bones", 2), ("nodule_workup", 1),
    ("improving_oedema", 1), ("mediastinum_post_line", 1), ("pretransplant_normal", 2),
    ("increasing_effusion", 1),
]


def _weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for name, w in pairs:
        x -= w
        if x < 0:
            return name
    return pairs[-1][0]


def build_scenario(rng, name):
    """Returns (facts, indication key)."""
    facts: list[Fact] = []
    if name == "routine_line":
        facts.append(fact_line(rng))
        if rng.random() < 0.4:
            facts.append(fact_calcification(rng))
        if rng.random() < 0.2:
            facts.append(fact_clips(rng))
        if rng.random() < 0.25:
            facts.append(fact_stable_cardiomegaly(rng))
        return facts, "line"
    if name == "line_high":
        facts.append(fact_line(rng, quality="high"))
        if rng.random() < 0.3:
            facts.append(fact_calcification(rng))
        return facts, "line"
    if name == "fluid_overload":
        facts.append(fact_cardiomegaly(rng))
        facts.append(fact_oedema(rng))
        r = rng.random()
        if r < 0.5:
            facts.append(fact_bilateral_small_effusions(rng))
        elif r < 0.75:
            facts.append(fact_effusion(rng, size=rng.choice(["moderate", "small"])))
        if rng.random() < 0.5:
            facts.insert(0, fact_line(rng))
        return facts, "overload"
    if name == "effusion":
        facts.append(fact_effusion(rng))
        if rng.random() < 0.4:
            facts.append(fact_cardiomegaly(rng))
        if rng.random() < 0.4:
            facts.insert(0, fact_line(rng))
        if rng.random() < 0.3:
            facts.append(fact_calcification(rng))
        return facts, "effusion"
    if name == "increasing_effusion":
        facts.append(fact_effusion(rng, increasing=True))
        if rng.random() < 0.5:
            facts.insert(0, fact_line(rng))
        return facts, "effusion"
    if name == "pericardial":
        facts.append(fact_pericardial(rng))
        if rng.random() < 0.5:
            facts.insert(0, fact_line(rng))
        if rng.random() < 0.3:
            facts.append(fact_bilateral_small_effusions(rng))
        return facts, "pericardial"
    if name == "transplant_infection":
        facts.append(fact_pcp(rng) if rng.random() < 0.25 else fact_consolidation(rng))
        if rng.random() < 0.3:
            facts.append(fact_calcification(rng))
        if rng.random() < 0.25:
            facts.append(fact_effusion(rng, size="small"))
        return facts, "infection"
    if name == "ptx_post_line":
        side = rng.choice(["right", "right", "left"])
        facts.append(fact_line(rng, side=side))
        facts.append(fact_ptx(rng, side))
        return facts, "line"
    if name == "renal_bones":
        facts.append(fact_bones(rng))
        facts.append(fact_calcification(rng))
        if rng.random() < 0.3:
            facts.append(fact_clips(rng))
        if rng.random() < 0.3:
            facts.append(fact_nodule(rng, big=False))
        return facts, "routine"
    if name == "nodule_workup":
        facts.append(fact_nodule(rng, big=rng.random() < 0.75))
        if rng.random() < 0.4:
            facts.append(fact_calcification(rng))
        return facts, "routine"
    if name == "improving_oedema":
        facts.append(fact_improving_oedema(rng))
        if rng.random() < 0.5:
            facts.append(fact_stable_cardiomegaly(rng))
        if rng.random() < 0.5:
            facts.insert(0, fact_line(rng))
        if rng.random() < 0.4:
            facts.append(fact_bilateral_small_effusions(rng))
        return facts, "followup"
    if name == "mediastinum_post_line":
        facts.append(fact_line(rng))
        facts.append(fact_mediastinum(rng))
        return facts, "line"
    # pretransplant_normal
    if rng.random() < 0.4:
        facts.append(fact_sternotomy(rng))
    if rng.random() < 0.4:
        facts.append(fact_calcification(rng))
    if rng.random() < 0.25:
        facts.append(fact_atelectasis(rng))
    if rng.random() < 0.2:
        facts.append(fact_nodule(rng, big=False))
    return facts, "routine"


def pick_negatives(rng, facts):
    present = set()
    for fa in facts:
        present.update(fa.concepts)
    negs = []
    for key, denies, variants, cat in NEGATIVES:
        if present & set(denies):
            continue
        if key == "consolidation" and not any(n[0] == "lungs" for n in negs) and rng.random() < 0.5:
            pass
        negs.append((key, denies, rng.choice(variants), cat))
    # drop redundancy: "lungs" and "consolidation"/"oedema" not always all together
    keys = [n[0] for n in negs]
    if "lungs" in keys:
        negs = [n for n in negs if n[0] not in ("consolidation",) or rng.random() < 0.2]
    if "mediastinum" in keys and rng.random() < 0.6:
        negs = [n for n in negs if n[0] != "mediastinum"]
    if "bones" in keys and rng.random() < 0.5:
        negs = [n for n in negs if n[0] != "bones"]
    if "oedema" in [n[0] for n in negs] and rng.random() < 0.4:
        negs = [n for n in negs if n[0] != "oedema"]
    # combine effusion + pneumothorax sometimes
    keys = [n[0] for n in negs]
    if "effusion" in keys and "pneumothorax" in keys and rng.random() < 0.4:
        negs = [n for n in negs if n[0] not in ("effusion", "pneumothorax")] + [
            ("effusion+pneumothorax", ("effusion", "pneumothorax"),
             rng.choice(["No pleural effusion or pneumothorax.", "No effusion or pneumothorax."]), "pleura")]
    return negs


CAT_ORDER = {"lines": 0, "heart": 2, "lungs": 1, "pleura": 3, "bones": 4}


class Composed:
    def __init__(self, rng, scenario=None):
        self.rng = rng
        self.scenario = scenario or _weighted(rng, SCENARIOS)
        self.facts, ind_key = build_scenario(rng, self.scenario)
        self.negs = pick_negatives(rng, self.facts)
        self.layout = rng.choice(list(LAYOUTS))
        self.locale = LAYOUTS[self.layout][0]
        inds = UK_INDICATIONS if self.locale == "uk" else US_INDICATIONS
        self.indication = rng.choice(inds[ind_key])
        self.comparison = comparison_line(rng, self.locale) if rng.random() < 0.75 else ""
        self.signoff = uk_signoff(rng) if self.locale == "uk" else us_signoff(rng)
        self.extra_header = patient_header(rng) if rng.random() < 0.1 else None
        # per-fact side overrides in findings / impression (laterality injection)
        self.f_side: dict[int, str] = {}
        self.i_side: dict[int, str] = {}
        self.imp_override: list[str] | None = None
        self.drop_imp: set = set()
        self.imp_insert: list[tuple[int, str]] = []
        self.sort_findings = rng.random() < 0.7
        self.normal_imp = rng.choice(UK_NORMAL_IMP if self.locale == "uk" else US_NORMAL_IMP)
        self.findings_mode = "full"
        self.imp_mode = "full"
        self.placeholder: tuple[str, str, str] | None = None  # (section, old, new)

    def findings(self) -> list[tuple[str, str]]:
        items = []
        for k, fa in enumerate(self.facts):
            items.append((fa.cat, fa.f(self.f_side.get(k))))
        items += [(cat, text) for _, _, text, cat in self.negs]
        if self.sort_findings or LAYOUTS[self.layout][4] == "structured":
            items = sorted(items, key=lambda x: CAT_ORDER.get(x[0], 5))
        return items

    def impression(self) -> list[str]:
        if self.imp_override is not None:
            return list(self.imp_override)
        items = []
        for k, fa in enumerate(self.facts):
            if k in self.drop_imp:
                continue
            t = fa.i(self.i_side.get(k))
            if t:
                items.append(t)
        if not any(fa.sig for k, fa in enumerate(self.facts) if k not in self.drop_imp and fa.i_t):
            if not items or all(fa.key in ("line", "calcification", "bones") for fa in self.facts
                                if fa.i_t):
                items.append(self.normal_imp)
        for pos, text in self.imp_insert:
            items.insert(min(pos, len(items)), text)
        for k, fa in enumerate(self.facts):
            if k not in self.drop_imp and fa.rec and fa.i_t:
                items.append(fa.rec)
        return items

    def text(self) -> str:
        f = self.findings()
        imp = self.impression()
        if self.placeholder:
            sec, old, new = self.placeholder
            done = False
            if sec == "findings":
                out_f = []
                for c, s in f:
                    if not done and old in s:
                        s, done = s.replace(old, new, 1), True
                    out_f.append((c, s))
                f = out_f
            else:
                out_i = []
                for s in imp:
                    if not done and old in s:
                        s, done = s.replace(old, new, 1), True
                    out_i.append(s)
                imp = out_i
        return render(self.rng, self.layout, self.indication, self.comparison, f, imp, self.signoff,
                      self.findings_mode, self.imp_mode, self.extra_header)


# --------------------------------------------------------------------------------------------
# placeholders
# --------------------------------------------------------------------------------------------

PH_SIDE = ["[side]", "[left/right]", "[***]", "[ ]", "___", "<<side>>"]
PH_SIZE = ["<<size>>", "[size]", "[***]", "[small/moderate/large]", "___"]
PH_NUM_MM = ["XX mm", "[***] mm", "__ mm", "<<size>> mm"]
PH_NUM_CM = ["XX cm", "[ ] cm", "__ cm"]
PH_WORD = ["[***]", "[ ]", "<<finding>>", "***"]
PH_ZONE = ["[zone]", "<<lobe>>", "[***]", "[ ]"]
PH_TIP = ["[tip position]", "<<tip level>>", "[***]"]

PH_TARGETS = [
    (r"\b(left|right)\b", PH_SIDE),
    (r"\b(small|moderate|large|mild)\b", PH_SIZE),
    (r"\b\d+(?:\.\d+)? ?mm\b", PH_NUM_MM),
    (r"\b\d+(?:\.\d+)? ?cm\b", PH_NUM_CM),
    (r"\b(upper|lower|middle|mid)\b(?= (zone|lobe))", PH_ZONE),
    (r"\b(right atrium|cavoatrial junction|lower SVC|upper right atrium)\b", PH_TIP),
    (r"\b(normal|clear|enlarged|satisfactory)\b", PH_WORD),
]


def placeholder_options(sentence: str) -> list[tuple[str, list[str]]]:
    """(exact matched text, placeholder list) for each replaceable word in the sentence."""
    out = []
    for pat, phs in PH_TARGETS:
        for m in re.finditer(pat, sentence, re.I):
            out.append((m.group(0), phs))
    return out


def ph_for(rng, old: str, phs: list[str]) -> str:
    new = rng.choice(phs)
    if "mm" in old and "mm" not in new:
        new += " mm"
    return new


# --------------------------------------------------------------------------------------------
# composed cases
# --------------------------------------------------------------------------------------------

def composed_case(rng, kind, k_in_group, n_group) -> tuple[str, str]:
    """Returns (report, detail)."""
    for _ in range(200):
        c = Composed(rng)
        base = f"composed ({c.scenario}; {LAYOUT_DESC[c.layout]})"
        if kind is None:
            if k_in_group % 12 == 5 and not any(fa.sig for fa in c.facts):
                # impression-only report that itself describes the findings: not an error
                items = [fa.f() for fa in c.facts] + [n[2] for n in c.negs]
                c.imp_override = items[:4] + ([c.normal_imp] if len(items) < 2 else [])
                c.findings_mode = "absent"
                return c.text(), base + ": no FINDINGS section, the impression describes the film; no error"
            return c.text(), base + ": no error injected"
        if kind == "missing_section":
            mode = ["imp_empty", "imp_sig", "imp_removed", "findings_empty", "findings_empty"][k_in_group % 5]
            if mode == "findings_empty":
                c.findings_mode = "empty"
                return c.text(), base + ": FINDINGS header left with nothing under it"
            if mode == "imp_empty":
                c.imp_mode = "empty"
                return c.text(), base + ": IMPRESSION header left empty at the end of the report"
            if mode == "imp_sig":
                c.imp_mode = "sig"
                return c.text(), base + ": IMPRESSION header with only the sign-off under it"
            c.imp_mode = "removed"
            return c.text(), base + ": IMPRESSION section removed (header and text)"
        if kind == "laterality_conflict":
            cands = [k for k, fa in enumerate(c.facts) if fa.sided_both]
            if not cands:
                continue
            k = rng.choice(cands)
            fa = c.facts[k]
            new = flip(fa.side)
            where = "findings" if k_in_group % 2 == 0 else "impression"
            if where == "findings":
                c.f_side[k] = new
                changed = fa.f(new)
            else:
                c.i_side[k] = new
                changed = fa.i(new)
            return c.text(), (base + f": {fa.side}->{new} in the {where} sentence about the {fa.key} "
                              f"('{changed}'); the other section keeps {fa.side}")
        if kind == "negation_conflict":
            mode = "assert" if k_in_group % 2 == 0 else "negate"
            if mode == "negate":
                cands = [k for k, fa in enumerate(c.facts) if fa.neg and fa.i_t and
                         set(fa.concepts) & set(NEGATE_IN_IMP)]
                if not cands:
                    continue
                k = rng.choice(cands)
                fa = c.facts[k]
                c.drop_imp.add(k)
                c.imp_insert.append((k, fa.neg))
                return c.text(), (base + f": IMPRESSION item for the {fa.key} replaced by '{fa.neg}' "
                                  f"while FINDINGS affirm it ('{fa.f()}')")
            cands = [n for n in c.negs if n[0] in ASSERT_AGAINST or n[0] == "effusion+pneumothorax"]
            if not cands:
                continue
            n = rng.choice(cands)
            key = n[0] if n[0] != "effusion+pneumothorax" else rng.choice(["effusion", "pneumothorax"])
            claim = rng.choice(ASSERT_AGAINST[key])
            side = rng.choice(["left", "right"])
            claim = claim.replace("{side}", side).replace("{Side}", _cap(side))
            if any(fa.side for fa in c.facts if fa.side) and "{" not in claim:
                pass
            sig_listed = any(fa.sig and fa.i_t for fa in c.facts)
            if not sig_listed:
                # the impression was normal: the claim replaces the normal line
                items = [fa.i() for fa in c.facts if fa.i_t]
                c.imp_override = [claim] + items
            else:
                c.imp_insert.append((0, claim))
            return c.text(), (base + f": IMPRESSION asserts '{claim}' although FINDINGS state '{n[2]}'")
        if kind == "impression_omits_finding":
            mode = "normal" if k_in_group % 2 == 0 else "others"
            cands = [k for k, fa in enumerate(c.facts) if fa.sig]
            if not cands:
                continue
            k = rng.choice(cands)
            fa = c.facts[k]
            if mode == "normal":
                c.imp_override = [rng.choice(UK_NORMAL_IMP if c.locale == "uk" else US_NORMAL_IMP)]
                return c.text(), (base + f": IMPRESSION replaced by the normal statement "
                                  f"'{c.imp_override[0]}' although FINDINGS report '{fa.f()}'")
            # list the other findings, leave this one out
            others = [j for j, o in enumerate(c.facts) if j != k and o.i_t and not o.sig]
            if not others:
                extra = [j for j, o in enumerate(c.facts) if j != k and not o.sig and not o.i_t
                         and o.key in ("calcification", "cardiomegaly", "bones", "effusions_bilat")]
                if not extra:
                    continue
                j = extra[0]
                o = c.facts[j]
                o.i_t = {"calcification": "Vascular calcification.", "cardiomegaly": "Cardiomegaly.",
                         "bones": "Changes of renal osteodystrophy.",
                         "effusions_bilat": "Small bilateral effusions."}[o.key]
            if any(o.sig and o.i_t for j, o in enumerate(c.facts) if j != k):
                continue  # keep one significant finding per case: the left-out one
            c.drop_imp.add(k)
            items = [o.i() for j, o in enumerate(c.facts) if j != k and o.i_t]
            items += [o.rec for j, o in enumerate(c.facts) if j != k and o.i_t and o.rec]
            c.imp_override = items
            return c.text(), (base + f": IMPRESSION lists the other findings but leaves out "
                              f"'{fa.f()}'")
        if kind == "placeholder":
            where = "findings" if rng.random() < 0.6 else "impression"
            sents = [s for _, s in c.findings()] if where == "findings" else c.impression()
            opts = [(s, o, phs) for s in sents for o, phs in placeholder_options(s)]
            if not opts:
                continue
            s, old, phs = rng.choice(opts)
            new = ph_for(rng, old, phs)
            c.placeholder = (where, old, new)
            # the replacement is made in the first sentence holding `old`; describe that one
            return c.text(), base + f": '{old}' replaced by unfilled field '{new}' in the {where}"
    raise RuntimeError(f"could not compose a {kind} case")


# --------------------------------------------------------------------------------------------
# IU-based cases
# --------------------------------------------------------------------------------------------

SIG_TARGETS = ("effusion", "pneumothorax", "consolidation", "oedema", "cardiomegaly")


def _join_items(items, numbered):
    if numbered and len(items) > 1:
        return " ".join(f"{k}. {t}" for k, t in enumerate(items, 1))
    return " ".join(items)


def iu_laterality_target(rep):
    fs, items = split_sents(rep["findings"]), parse_items(rep["impression"])[0]
    whole = (rep["findings"] + " " + rep["impression"]).lower()
    sides = set(re.findall(r"\b(left|right)\b", whole))
    if len(sides) != 1 or "bilateral" in whole or "bibasilar" in whole:
        return None
    side = sides.pop()

    def good(s):
        low = s.lower()
        st = concept_status(s)
        if not SIDE_RX.search(s) or not FINDING_WORD_RX.search(low):
            return False
        if any(v == "neg" for v in st.values()) or re.search(r"\bno\b|without|atri|ventric", low):
            return False
        return True

    f_c = [j for j, s in enumerate(fs) if good(s)]
    i_c = [j for j, s in enumerate(items) if good(s)]
    if not f_c or not i_c:
        return None
    return side, f_c, i_c


def iu_neg_assert_target(rep):
    """A findings sentence that simply denies one of the concepts."""
    pats = [
        ("effusion", r"^(there is |there are )?no (evidence of )?(pleural )?effusions?\.?$|"
                     r"^no (pleural )?effusions?( is| are)? (seen|identified)\.?$"),
        ("pneumothorax", r"^(there is )?no (evidence of |visible )?pneumothorax\.?$"),
        ("effusion+pneumothorax", r"^(there is )?no (pleural )?effusion or pneumothorax\.?$|"
                                  r"^no pneumothorax or (pleural )?effusion\.?$"),
        ("lungs", r"^(the )?lungs are clear\.?$|^(the )?lungs are (well expanded|hyperexpanded|"
                  r"well-expanded) and clear\.?$"),
        ("heart", r"^(the )?heart (size )?is normal( in size)?\.?$|^(normal heart size|heart size normal|"
                  r"heart size is normal|the heart is normal in size)\.?$|"
                  r"^(the )?(heart|cardiac silhouette) (size )?is within normal limits\.?$"),
        ("oedema", r"^(there is )?no (pulmonary )?edema\.?$|^no (evidence of )?(pulmonary )?"
                   r"(vascular )?congestion\.?$"),
        ("consolidation", r"^(there is )?no (focal )?(airspace )?consolidation\.?$|"
                          r"^no focal air ?space (disease|opacity|consolidation)\.?$"),
    ]
    out = []
    for s in split_sents(rep["findings"]):
        low = s.lower().strip()
        for key, pat in pats:
            if re.match(pat, low):
                out.append((key, s))
    return out


def iu_affirmed_targets(rep, strict_sig):
    out = []
    for s in split_sents(rep["findings"]):
        low = s.lower()
        if HEDGE_RX.search(low):
            continue
        st = concept_status(s)
        if any(v == "neg" for v in st.values()):
            continue
        if strict_sig:
            for c in significant_concepts(s, strict=True):
                out.append((c, s))
        else:
            if NONACUTE_RX.search(low) and "cardiomegaly" not in low:
                continue
            for c in SIG_TARGETS:
                if st.get(c) == "aff":
                    out.append((c, s))
    return out


def iu_case(rng, rep, kind, k_in_group, layout, counters) -> tuple[str, str] | None:
    """Build one IU-based case; None when this report does not suit this kind."""
    findings, impression = rep["findings"], rep["impression"]

    def q(t):
        return reword(t, LAYOUTS[layout][0], [])
    fs = split_sents(findings)
    items, numbered = parse_items(impression)
    what = "no error injected"
    f_mode, i_mode = "full", "full"
    if kind == "laterality_conflict":
        t = iu_laterality_target(rep)
        if not t:
            return None
        side, f_c, i_c = t
        new = flip(side)
        where = "findings" if counters["lat"] % 2 == 0 else "impression"

        def flip_sent(s):
            return re.sub(r"\b(left|right|Left|Right)\b",
                          lambda m: (new if m.group(1).islower() else _cap(new)), s)
        if where == "findings":
            j = rng.choice(f_c)
            old = fs[j]
            fs[j] = flip_sent(old)
            what = f"{side}->{new} in the findings sentence '{q(fs[j])}'; the impression keeps {side}"
        else:
            j = rng.choice(i_c)
            old = items[j]
            items[j] = flip_sent(old)
            what = f"{side}->{new} in the impression item '{q(items[j])}'; the findings keep {side}"
        counters["lat"] += 1
    elif kind == "negation_conflict":
        mode = "assert" if counters["neg"] % 2 == 0 else "negate"
        if mode == "assert":
            ts = iu_neg_assert_target(rep)
            if not ts or not NORMAL_IMP_RX.search(impression.lower()) or len(items) > 2:
                return None
            key, sent = rng.choice(ts)
            if key == "effusion+pneumothorax":
                key = rng.choice(["effusion", "pneumothorax"])
            claim = rng.choice(ASSERT_AGAINST[key])
            side = rng.choice(["left", "right"])
            claim = claim.replace("{side}", side).replace("{Side}", _cap(side))
            if re.search(r"\b(left|right)\b", findings + impression, re.I) and "{" not in claim:
                pass
            items = [claim]
            numbered = False
            what = f"IMPRESSION replaced by '{q(claim)}' although FINDINGS state '{q(sent)}'"
        else:
            ts = iu_affirmed_targets(rep, strict_sig=False)
            ts = [(c, s) for c, s in ts if MENTION_RX.get(c, CONCEPT_RX[c]).search(impression.lower())]
            if not ts:
                return None
            c, sent = rng.choice(ts)
            rx = MENTION_RX.get(c, CONCEPT_RX[c])
            keep = [it for it in items if not rx.search(it.lower())]
            others_rx = re.compile("|".join(MENTION_RX[x].pattern for x in MENTION_RX if x != c))
            if any(others_rx.search(it.lower()) for it in items if it not in keep):
                return None
            neg = rng.choice(NEGATE_IN_IMP[c])
            items = [neg] + keep
            what = f"IMPRESSION now reads '{q(neg)}' (items on it removed) although FINDINGS state '{q(sent)}'"
        counters["neg"] += 1
    elif kind == "impression_omits_finding":
        ts = iu_affirmed_targets(rep, strict_sig=True)
        ts = [(c, s) for c, s in ts if c in MENTION_RX]
        if not ts:
            return None
        c, sent = rng.choice(ts)
        rx = MENTION_RX[c]
        keep = [it for it in items if not rx.search(it.lower())]
        others_ok = (bool(keep) and len(keep) < len(items)
                     and any(FINDING_WORD_RX.search(it.lower()) and not NORMAL_IMP_RX.search(it.lower())
                             for it in keep)
                     and not any(re.search(r"resolution|resolve|treatment|infect|pneumonia", it.lower())
                                 for it in keep))
        half = N_PER_KIND // 4
        if others_ok and counters["omit_o"] < half:
            items = keep
            counters["omit_o"] += 1
            what = f"IMPRESSION keeps the other findings but leaves out '{q(sent)}'"
        elif counters["omit_n"] < half:
            items = [rng.choice(UK_NORMAL_IMP if LAYOUTS[layout][0] == "uk" else US_NORMAL_IMP)]
            numbered = False
            counters["omit_n"] += 1
            what = f"IMPRESSION replaced by the normal statement '{q(items[0])}' although FINDINGS state '{q(sent)}'"
        else:
            return None
    elif kind == "missing_section":
        mode = ["imp_empty", "imp_sig", "imp_removed", "findings_empty", "findings_empty"][counters["miss"] % 5]
        counters["miss"] += 1
        if mode == "findings_empty":
            f_mode = "empty"
            what = "FINDINGS header left with nothing under it"
        elif mode == "imp_empty":
            i_mode = "empty"
            what = "IMPRESSION header left empty at the end of the report"
        elif mode == "imp_sig":
            i_mode = "sig"
            what = "IMPRESSION header with only the sign-off under it"
        else:
            i_mode = "removed"
            what = "IMPRESSION section removed (header and text)"
    elif kind == "placeholder":
        where = "findings" if rng.random() < 0.6 else "impression"
        pool = fs if where == "findings" else items
        opts = [(j, o, phs) for j, s in enumerate(pool) for o, phs in placeholder_options(s)]
        if not opts:
            where = "impression" if where == "findings" else "findings"
            pool = fs if where == "findings" else items
            opts = [(j, o, phs) for j, s in enumerate(pool) for o, phs in placeholder_options(s)]
        if not opts:
            return None
        j, old, phs = rng.choice(opts)
        new = ph_for(rng, old, phs)
        pool[j] = pool[j].replace(old, new, 1)
        what = f"'{old}' replaced by unfilled field '{new}' in the {where}"
    locale = LAYOUTS[layout][0]
    used: list[str] = []
    fs = [reword(s, locale, used) for s in fs]
    items = [reword(s, locale, used) for s in items]
    if LAYOUTS[layout][5] == "numbered" and not numbered and len(items) > 1:
        istyle_note = "impression numbered"
    else:
        istyle_note = ""
    if LAYOUTS[layout][5] == "para" and numbered:
        items = [_join_items(items, True)]
    inds = UK_INDICATIONS if locale == "uk" else US_INDICATIONS
    iu_ind = rep["indication"].strip().rstrip(".")
    renal = rng.choice(inds[rng.choice(["routine", "followup", "overload", "infection"])])
    if iu_ind and iu_ind.upper() != "XXXX" and rng.random() < 0.6:
        indication = re.split(r"\.\s", renal)[0].rstrip(".") + ". " + _cap(iu_ind) + "."
    else:
        indication = renal
    comp = comparison_line(rng, locale, rep["comparison"]) if rep["comparison"] else ""
    sign = uk_signoff(rng) if locale == "uk" else us_signoff(rng)
    text = render(rng, layout, indication, comp, [("lungs", s) for s in fs], items, sign,
                  f_mode, i_mode, patient_header(rng) if rng.random() < 0.08 else None)
    changes = [LAYOUT_DESC[layout], "renal-unit clinical details"] + used + ([istyle_note] if istyle_note else [])
    detail = f"IU {rep['uid']}: re-laid out as {changes[0]}; " + ", ".join(changes[1:]) + f"; {what}"
    return text, detail


# --------------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------------

_POOL_CACHE: dict[str, list[dict]] = {}


def eligible_pool(shared: Path | None = None) -> list[dict]:
    """Real reports usable here: not in the dev set, sections that agree (archive order)."""
    key = str(iu_archive(shared)) + "|" + str(dev_set_path(shared))
    if key not in _POOL_CACHE:
        dev = set(load_dev_uids(shared))
        _POOL_CACHE[key] = [r for r in load_iu(shared) if r["uid"] not in dev and iu_base_ok(r)]
    return _POOL_CACHE[key]


def build(seed: int, shared: Path | None = None) -> list[dict]:
    rng = random.Random(1_630_000_003 * (int(seed) + 17) + 163)
    pool = list(eligible_pool(shared))
    rng.shuffle(pool)

    groups = [(None, N_CLEAN)] + [(k, N_PER_KIND) for k in KINDS]
    rows: list[dict] = []
    used_uids: list[str] = []
    used_set: set = set()
    counters = {"lat": 0, "neg": 0, "omit_o": 0, "omit_n": 0, "miss": 0}
    # most constrained IU groups first
    iu_order = ["impression_omits_finding", "laterality_conflict", "negation_conflict", "placeholder",
                "missing_section", None]
    iu_rows: dict = {}
    for kind in iu_order:
        n = dict(groups)[kind] // 2
        got = []
        for rep in pool:
            if len(got) >= n:
                break
            if rep["uid"] in used_set:
                continue
            layout = rng.choice(IU_LAYOUTS)
            res = iu_case(rng, rep, kind, len(got), layout, counters)
            if res is None:
                continue
            used_set.add(rep["uid"])
            used_uids.append(rep["uid"])
            got.append({"injected": kind, "detail": res[1], "report": res[0], "uid": rep["uid"]})
        if len(got) < n:
            raise RuntimeError(f"only {len(got)} IU reports suit {kind}")
        iu_rows[kind] = got
    for kind, n in groups:
        comp = []
        for k in range(n - n // 2):
            text, detail = composed_case(rng, kind, k, n - n // 2)
            comp.append({"injected": kind, "detail": detail, "report": text})
        rows += comp + iu_rows[kind]
    rng.shuffle(rows)
    out = []
    for k, r in enumerate(rows):
        out.append({"id": f"{SET_TAG}-{seed}-{k}", "injected": r["injected"], "detail": r["detail"],
                    "report": r["report"]})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0, help="print N examples of each kind to stderr")
    args = ap.parse_args(argv)
    rows = build(args.seed)
    with open(args.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if args.show:
        for kind in [None] + KINDS:
            shown = [r for r in rows if r["injected"] == kind]
            comp = [r for r in shown if not r["detail"].startswith("IU ")][: (args.show + 1) // 2]
            real = [r for r in shown if r["detail"].startswith("IU ")][: args.show // 2]
            for r in (comp + real)[: args.show]:
                print(f"===== {r['id']}  injected={r['injected']}\n--- {r['detail']}\n{r['report']}",
                      file=sys.stderr)
    print(f"wrote {len(rows)} rows to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
