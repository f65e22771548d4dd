"""Held-out report-error set 168, written blind: adult cystic fibrosis and bronchiectasis centres (UK and US).

    python -m bench.make_heldout168 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines ``{"id", "injected", "detail", "report"}``: 200 clean reports and 40 of each of the five
kinds (missing_section, laterality_conflict, negation_conflict, impression_omits_finding, placeholder). Half of
every group is composed from a phrase bank in the style of these centres (exacerbation films against a known
baseline, bronchiectasis, mucus plugging, portacaths, ABPA, haemoptysis, pneumothorax); the other half are real
IU reports (never a dev-set uid, each used once) re-laid out and lightly re-worded in the same style.
``MEDRAG_SHARED_DIR`` overrides the shared folder (default ``../shared`` beside the repository root).
Standard library only.
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
N_KIND = 40
REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir():
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


def iu_archive_path():
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_set_path():
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# ----------------------------------------------------------------------------------------------------------------
# IU archive
# ----------------------------------------------------------------------------------------------------------------


def _clean_ws(text):
    text = re.sub(r"\s+", " ", (text or "").strip())
    text = re.sub(r"\s*\.\s*\.(\s|$)", r".\1", text)
    return text.strip()


@lru_cache(maxsize=4)
def _load_iu(archive, dev_path):
    dev = []
    if Path(dev_path).exists():
        with open(dev_path) as fh:
            for line in fh:
                if line.strip():
                    dev.append(json.loads(line).get("uid"))
    dev_uids = frozenset(u for u in dev if u)
    rows = []
    with tarfile.open(archive) as tf:
        for member in tf:
            if not (member.isfile() and member.name.endswith(".xml")):
                continue
            root = ET.fromstring(tf.extractfile(member).read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            uid = uid_el.get("id")
            if uid in dev_uids:
                continue
            sec = {}
            for el in root.iter("AbstractText"):
                sec[el.get("Label")] = _clean_ws(el.text)
            rows.append(
                {
                    "uid": uid,
                    "indication": sec.get("INDICATION", ""),
                    "comparison": sec.get("COMPARISON", ""),
                    "findings": sec.get("FINDINGS", ""),
                    "impression": sec.get("IMPRESSION", ""),
                }
            )
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(rows), dev_uids


def load_iu():
    return _load_iu(str(iu_archive_path()), str(dev_set_path()))


def dev_uids():
    return _load_iu(str(iu_archive_path()), str(dev_set_path()))[1]


# ----------------------------------------------------------------------------------------------------------------
# text analysis (used to choose IU reports and to check composed ones)
# ----------------------------------------------------------------------------------------------------------------

CONCEPTS = [
    ("pneumothorax", r"pneumothora"),
    ("effusion", r"effusion"),
    ("consolidation", r"consolidat|air ?space (?:disease|opacit\w*|process)|infiltrat\w*|pneumonia"),
    ("oedema", r"\bo?edema\b"),
    (
        "cardiomegaly",
        r"cardiomegaly|(?:heart|cardiac silhouette|cardiac) (?:is |size is |appears |silhouette is )?"
        r"(?:mildly |moderately |markedly |slightly )?enlarged|enlarged (?:heart|cardiac)|cardiac enlargement",
    ),
    ("nodule", r"nodul"),
    ("mass", r"\bmass(?:es)?\b"),
    ("atelectasis", r"atelecta"),
    ("opacity", r"opacit|densit"),
    ("collapse", r"collapse"),
    ("mediastinum", r"widen\w* (?:of the )?mediastin|mediastinal widening|mediastin\w* (?:is )?widen"),
    ("free air", r"free (?:intraperitoneal |subdiaphragmatic )?(?:air|gas)|pneumoperitoneum"),
    ("granuloma", r"granulom"),
    ("fracture", r"fractur"),
    ("hilar", r"\bhil(?:ar|um|a)\b"),
    ("scarring", r"scar"),
    ("device", r"catheter|\bport\b|portacath|\bpicc\b|\btube\b|pacemaker|\bline\b|\bwires?\b|clips?\b"),
]
CONCEPT_RE = [(name, re.compile(rx, re.I)) for name, rx in CONCEPTS]
SIGNIFICANT = ["pneumothorax", "effusion", "consolidation", "oedema", "nodule", "mass", "collapse", "mediastinum",
               "free air"]
PARENCHYMAL = ["consolidation", "opacity", "atelectasis", "collapse", "scarring"]
NEG_CUE = re.compile(
    r"\b(?:no|not|without|negative for|free of|resolved|resolution|removed|cleared|absent|no longer|rather than|"
    r"excluded|clear of|nor)\b",
    re.I,
)
HEDGE = re.compile(
    r"cannot be excluded|can not be excluded|not excluded|may represent|could represent|possibl|question|\?|"
    r"suspicious|versus|\bvs\b|\bor\b|suggest|differential|cannot exclude|likely|probabl|concern",
    re.I,
)
LUNGS_CLEAR = re.compile(r"\blungs (?:are |appear |remain )?clear\b|\bclear lungs\b", re.I)
HEART_NORMAL = re.compile(
    r"heart size (?:is )?(?:within normal limits|normal)|normal (?:heart|cardiac) size|heart (?:is )?(?:normal in size|"
    r"not enlarged)|(?:cardiac|cardiomediastinal) (?:silhouette|contours?|size) (?:is |are )?(?:within normal limits|"
    r"normal|unremarkable)|heart size and (?:pulmonary )?\w+ (?:are |appear )?(?:within normal limits|normal)",
    re.I,
)
NORMAL_IMP = re.compile(
    r"no acute|normal chest|no active|negative chest|no (?:radiographic )?evidence of acute|unremarkable chest|"
    r"no significant (?:abnormality|change|interval)|"
    r"no (?:acute )?(?:cardiopulmonary|pulmonary) (?:disease|abnormalit)|"
    r"^normal\.?$|no evidence of active|no change|stable appearances|unchanged",
    re.I,
)
NEW_RE = re.compile(r"\b(?:new|increas\w*|worse\w*|worsening|interval development|developed|enlarging|progress\w*)\b",
                    re.I)
SIDE_RE = re.compile(r"\b(right|left)\b", re.I)
BILAT_RE = re.compile(r"bilateral|bibasil|\bboth\b|biapical|bilaterally", re.I)
BLANK_RE = re.compile(r"\[|\]|\*\*\*|<<|>>|___|\{|\}|\bXX\b")


@lru_cache(maxsize=200000)
def _split_sentences(text):
    text = _clean_ws(text)
    if not text:
        return ()
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])", text)
    out = []
    for p in parts:
        p = p.strip()
        if re.fullmatch(r"\d+\.", p):
            continue
        p = re.sub(r"^\d+\.\s*", "", p).strip()
        if p and not re.fullmatch(r"[.\s]*", p):
            out.append(p)
    return tuple(out)


def split_sentences(text):
    return list(_split_sentences(text))


def split_items(text):
    """Impression as a list of items: numbered chunks when numbered, else sentences."""
    text = _clean_ws(text)
    if re.match(r"^\s*1\.\s", text):
        chunks = re.split(r"(?:^|\s)\d{1,2}\.\s+", text)
        items = [c.strip() for c in chunks if c.strip() and not re.fullmatch(r"[.\s]*", c)]
        return items, True
    return split_sentences(text), False


def _clauses(sentence):
    return re.split(r";|,\s*but\b|\bhowever\b|\balthough\b|\bbut\b|:", sentence, flags=re.I)


@lru_cache(maxsize=200000)
def concept_status(sentence):
    """{concept: 'aff' | 'neg' | 'hedge'} for the concepts a sentence names."""
    out = {}
    for clause in _clauses(sentence):
        for name, rx in CONCEPT_RE:
            m = rx.search(clause)
            if not m:
                continue
            before = clause[: m.start()]
            if NEG_CUE.search(before) or re.search(r"\b(?:resolved|removed|cleared)\b", clause[m.end():], re.I):
                st = "neg"
            elif HEDGE.search(clause):
                st = "hedge"
            else:
                st = "aff"
            prev = out.get(name)
            if prev is None or prev == st:
                out[name] = st
            else:
                out[name] = "mixed"
    if LUNGS_CLEAR.search(sentence):
        for name in ["consolidation", "opacity", "oedema", "atelectasis", "nodule", "mass", "collapse"]:
            out.setdefault(name, "neg")
    if HEART_NORMAL.search(sentence):
        out.setdefault("cardiomegaly", "neg")
    return out


def section_status(sentences):
    st = {}
    for s in sentences:
        for name, v in concept_status(s).items():
            st.setdefault(name, [])
            if v not in st[name]:
                st[name].append(v)
    return st


def sides_of(sentence):
    sides = [m.group(1).lower() for m in SIDE_RE.finditer(sentence)]
    if BILAT_RE.search(sentence):
        sides += ["right", "left"]
    out = []
    for s in sides:
        if s not in out:
            out.append(s)
    return out


def concept_sides(sentences, concept):
    out = []
    for s in sentences:
        if concept in concept_status(s):
            for side in sides_of(s):
                if side not in out:
                    out.append(side)
    return out


def mentions(sentences, concepts):
    for s in sentences:
        st = concept_status(s)
        if any(c in st for c in concepts):
            return True
    return False


def related(concept):
    return PARENCHYMAL if concept in PARENCHYMAL else (["nodule", "mass"] if concept in ("nodule", "mass") else
                                                         [concept])


def nodule_size_mm(sentence):
    m = re.search(r"(\d+(?:\.\d+)?)\s*(mm|cm)\b", sentence, re.I)
    if not m:
        return None
    v = float(m.group(1))
    return v * 10 if m.group(2).lower() == "cm" else v


def significant_affirmed(sentence):
    """Significant findings a sentence affirms without hedging (the omission rule)."""
    st = concept_status(sentence)
    low = sentence.lower()
    if re.search(r"stable|chronic|unchanged|old|scar|healed|calcif|resolv|decreas|improv|previous|prior|known|"
                 r"again seen|persistent|redemonstrat|postoperative|post-operative|granulom", low):
        return []
    out = []
    for c in SIGNIFICANT:
        if st.get(c) != "aff":
            continue
        if c == "effusion" and not re.search(r"\b(?:moderate|large|massive|sizable|sizeable)\b", low):
            continue
        if c == "effusion" and re.search(r"small|trace|tiny|minimal|blunting", low):
            continue
        if c == "nodule":
            size = nodule_size_mm(sentence)
            if size is None or size < 6:
                continue
        if c == "consolidation" and re.search(r"subsegmental|atelecta|minimal|mild|subtle|streaky|faint|trace|tiny|"
                                              r"small|minor|discoid|linear", low):
            continue
        out.append(c)
    return out


def report_is_clean(F, imp):
    """Conservative consistency check for a real report (findings sentences F, impression sentences imp)."""
    if not F or not imp:
        return False
    text = " ".join(F + imp)
    if BLANK_RE.search(text) or len(text) > 1400:
        return False
    sf, si = section_status(F), section_status(imp)
    for c in set(sf) & set(si):
        a, b = sf[c], si[c]
        if "mixed" in a or "mixed" in b:
            return False
        if ("neg" in a and ("aff" in b or "hedge" in b)) or ("neg" in b and ("aff" in a or "hedge" in a)):
            return False
    # parenchymal words by meaning: 'lungs clear' in one section, an opacity in the other
    for c in PARENCHYMAL:
        if "neg" in si.get(c, []) and any(x in sf for x in PARENCHYMAL if x != c and "neg" not in sf.get(x, ["neg"])):
            if LUNGS_CLEAR.search(" ".join(imp)):
                return False
    imp_normal = any(NORMAL_IMP.search(s) for s in imp)
    for s in F:
        # an archive slip such as "Acute osseous abnormality." (the "No" lost)
        if re.search(r"\bacute\b", s, re.I) and not NEG_CUE.search(s):
            return False
        st = concept_status(s)
        for c in SIGNIFICANT + ["cardiomegaly", "opacity", "atelectasis"]:
            if st.get(c) in ("aff", "hedge"):
                if c == "cardiomegaly" and re.search(r"mild|stable|borderline|unchanged|upper limits", s, re.I):
                    if not re.search(r"normal chest|^normal", " ".join(imp), re.I):
                        continue
                if c in ("opacity", "atelectasis"):
                    if imp_normal and not mentions(imp, PARENCHYMAL) and not re.search(
                            r"scar|granulom|calcif|chronic|stable|unchanged", s, re.I):
                        return False
                    continue
                if not mentions(imp, related(c)):
                    return False
        if NEW_RE.search(s) and not re.search(r"\bno new\b|\bno (?:significant |interval )?(?:change|increase)",
                                              s, re.I):
            if not any(NEW_RE.search(x) or re.search(r"interval|since", x, re.I) for x in imp):
                return False
    for name, _ in CONCEPTS:
        sf_sides = concept_sides(F, name)
        si_sides = concept_sides(imp, name)
        if sf_sides and si_sides and any(x not in sf_sides for x in si_sides):
            return False
    # a sided impression about parenchyma must match a sided parenchymal statement in the findings
    pf = [x for c in PARENCHYMAL for x in concept_sides(F, c)]
    pi = [x for c in PARENCHYMAL for x in concept_sides(imp, c)]
    if pf and pi and any(x not in pf for x in pi):
        return False
    return True


# ----------------------------------------------------------------------------------------------------------------
# the setting's wording: dialects, headers, sign-offs
# ----------------------------------------------------------------------------------------------------------------

US_WORDS = [
    ("oedema", "edema"), ("Oedema", "Edema"), ("haemoptysis", "hemoptysis"), ("Haemoptysis", "Hemoptysis"),
    ("haemorrhage", "hemorrhage"), ("visualised", "visualized"), ("characterise", "characterize"),
    ("colonised", "colonized"), ("in keeping with", "consistent with"), ("In keeping with", "Consistent with"),
    ("portacath", "port"), ("Portacath", "Port"), ("Kaftrio", "Trikafta"), ("opacification", "opacity"),
    ("baseline film", "baseline radiograph"), ("previous film", "prior radiograph"),
    ("repeat film", "follow-up radiograph"),
    ("the film", "the radiograph"), ("oesophag", "esophag"), ("anaemi", "anemi"),
]
UK_IU_WORDS = [
    (r"\bedema\b", "oedema", "edema->oedema"), (r"\bEdema\b", "Oedema", "Edema->Oedema"),
    (r"hemorrhag", "haemorrhag", "hemorrhage->haemorrhage"),
    (r"\bhemoptysis", "haemoptysis", "hemoptysis->haemoptysis"),
    (r"\besophag", "oesophag", "esophagus->oesophagus"), (r"\banemi", "anaemi", "anemia->anaemia"),
    (r"\bhematoma", "haematoma", "hematoma->haematoma"), (r"\bcenter", "centre", "center->centre"),
    (r"consistent with", "in keeping with", "'consistent with'->'in keeping with'"),
    (r"cardiomediastinal silhouette", "cardiomediastinal contour", "'silhouette'->'contour'"),
    (r"\bairspace disease\b", "airspace opacification", "'airspace disease'->'airspace opacification'"),
]
ANY_IU_WORDS = [
    (r"\b[Cc]hest x-XXXX\b", "chest radiograph", "'chest x-XXXX'->'chest radiograph'"),
    (r"\bx-XXXX\b", "radiograph", "'x-XXXX'->'radiograph'"),
    (r"\bThere is no evidence of\b", "No evidence of", "'There is no evidence of'->'No evidence of'"),
    (r"\b[Nn]o acute cardiopulmonary (?:disease|process|findings?)\b", "No acute cardiopulmonary abnormality",
     "'no acute cardiopulmonary disease'->'No acute cardiopulmonary abnormality'"),
    (r"\b[Nn]o evidence of active disease\b", "No active disease",
     "'no evidence of active disease'->'No active disease'"),
]

LAYOUTS = {
    # name: dialect, findings header, impression header, findings style, numbered impression
    "uk_cris": ("uk", "Findings:", "Conclusion:", "para", True),
    "uk_report_comment": ("uk", "Report:", "Comment:", "para", False),
    "uk_caps_opinion": ("uk", "FINDINGS:", "OPINION:", "dash", True),
    "uk_impression": ("uk", "Findings:", "Impression:", "lines", False),
    "uk_caps_conclusion": ("uk", "REPORT:", "CONCLUSION:", "para", True),
    "us_standard": ("us", "FINDINGS:", "IMPRESSION:", "para", True),
    "us_inline": ("us", "FINDINGS:", "IMPRESSION:", "inline", False),
    "us_structured": ("us", "FINDINGS:", "IMPRESSION:", "system", True),
    "us_mixed": ("us", "Findings:", "Impression:", "lines", True),
}
IU_LAYOUTS = [k for k in LAYOUTS if LAYOUTS[k][3] != "system"]

UK_EXAMS = ["XR CHEST PA", "Chest X-ray (PA)", "CXR PA", "XR Chest", "Chest radiograph PA erect"]
US_EXAMS = ["XR CHEST 2 VIEWS PA AND LATERAL", "CHEST RADIOGRAPH, 2 VIEWS", "XR CHEST PA AND LATERAL",
            "XR CHEST 1 VIEW", "CHEST, PA AND LATERAL"]
UK_SIGN = [
    "Dr XXXX\nConsultant Radiologist",
    "Reported by: Dr XXXX, Consultant Cardiothoracic Radiologist",
    "Dr XXXX, ST4 Radiology Registrar\nVerified by: Dr XXXX, Consultant Radiologist",
    "Electronically verified by Dr XXXX (GMC XXXX) on XXXX",
    "Dr ___, Consultant Thoracic Radiologist",
    "Reported by Dr XXXX, Consultant Radiologist, on XXXX at XXXX",
]
US_SIGN = [
    "Electronically signed by: XXXX, MD on XXXX at XXXX",
    "Dictated by: XXXX, MD\nSigned by: XXXX, MD",
    "I have personally reviewed the images and agree with the findings above.\nXXXX, MD",
    "Attending radiologist: XXXX, MD\nSigned: XXXX XXXX",
    "Signed: ___, MD, ___",
]
UK_CLIN_LABEL = ["Clinical details:", "Clinical indication:", "Clinical history:", "Clinical Details:"]
US_CLIN_LABEL = ["HISTORY:", "INDICATION:", "CLINICAL HISTORY:", "REASON FOR EXAM:"]


def us_words(text):
    for a, b in US_WORDS:
        text = text.replace(a, b)
    return text


def cap(s):
    return s[:1].upper() + s[1:] if s else s


def flip_sides(sentence):
    def sw(m):
        w = m.group(0)
        new = "left" if w.lower() == "right" else "right"
        if w.isupper():
            return new.upper()
        if w[0].isupper():
            return new.capitalize()
        return new

    return SIDE_RE.sub(sw, sentence)


def render(layout, parts, rng):
    """parts: exam, clinical, comparison, F (sentences), F_sys (optional list of (label, sentences)), imp (items),
    signoff, missing (None | findings_blank | impression_blank_sig | impression_blank_end | impression_removed |
    findings_absent_ok)."""
    dialect, fh, ih, fstyle, numbered = LAYOUTS[layout]
    lines = []
    missing = parts.get("missing")
    if layout in ("us_standard", "us_structured"):
        lines.append(f"EXAM: {parts['exam']}")
        lines.append(f"{parts['clin_label']} {parts['clinical']}")
        lines.append(f"TECHNIQUE: {parts['technique']}")
        lines.append(f"COMPARISON: {parts['comparison']}")
        lines.append("")
    elif layout in ("us_inline", "us_mixed"):
        lines.append(f"{parts['clin_label']} {parts['clinical']}")
        label = "COMPARISON:" if layout == "us_inline" else "Comparison:"
        lines.append(f"{label} {parts['comparison']}")
        lines.append("")
    elif layout == "uk_caps_opinion" or layout == "uk_caps_conclusion":
        lines.append(parts["exam"].upper())
        lines.append(f"CLINICAL DETAILS: {parts['clinical']}")
        if parts.get("comparison"):
            lines.append(f"COMPARISON: {parts['comparison']}")
        lines.append("")
    else:
        lines.append(parts["exam"])
        lines.append("")
        lines.append(f"{parts['clin_label']} {parts['clinical']}")
        if parts.get("comparison"):
            lines.append(f"Comparison: {parts['comparison']}")
        lines.append("")

    F = parts["F"]
    if missing != "findings_absent_ok":
        if missing == "findings_blank":
            lines.append(fh)
            lines.append("")
        elif fstyle == "inline":
            lines.append(f"{fh} {' '.join(F)}")
            lines.append("")
        elif fstyle == "system" and parts.get("F_sys"):
            lines.append(fh)
            for label, sents in parts["F_sys"]:
                lines.append(f"{label}: {' '.join(sents)}")
            lines.append("")
        elif fstyle == "dash":
            lines.append(fh)
            lines.extend(f"- {s}" for s in F)
            lines.append("")
        elif fstyle == "lines":
            lines.append(fh)
            lines.extend(F)
            lines.append("")
        else:
            lines.append(fh)
            lines.append(" ".join(F))
            lines.append("")

    imp = parts["imp"]
    sign = parts["signoff"]
    if missing == "impression_removed":
        lines.append(sign)
    elif missing == "impression_blank_sig":
        lines.append(ih)
        lines.append(sign)
    elif missing == "impression_blank_end":
        lines.append(ih)
    else:
        if fstyle == "inline":
            lines.append(f"{ih} {' '.join(imp)}")
        else:
            lines.append(ih)
            if numbered and len(imp) > 1:
                lines.extend(f"{k}. {item}" for k, item in enumerate(imp, 1))
            else:
                lines.append(" ".join(imp))
        lines.append("")
        lines.append(sign)
    text = "\n".join(lines).strip() + "\n"
    return us_words(text) if dialect == "us" else text


def frame(layout, rng, clinical_uk, clinical_us):
    dialect = LAYOUTS[layout][0]
    if dialect == "uk":
        return {
            "exam": rng.choice(UK_EXAMS),
            "clin_label": rng.choice(UK_CLIN_LABEL),
            "clinical": clinical_uk,
            "signoff": rng.choice(UK_SIGN),
            "technique": "",
        }
    exam = rng.choice(US_EXAMS)
    tech = "Single frontal view of the chest." if "1 VIEW" in exam else "PA and lateral views of the chest."
    return {
        "exam": exam,
        "clin_label": rng.choice(US_CLIN_LABEL),
        "clinical": clinical_us,
        "signoff": rng.choice(US_SIGN),
        "technique": tech,
    }


# ----------------------------------------------------------------------------------------------------------------
# composed reports: the phrase bank
# ----------------------------------------------------------------------------------------------------------------

SIDES = ["right", "left"]


def _it(key, grp, sys_, f, i, side=None, sig=False, rec=None, omit_ok=False, fields=None, flip=True):
    return {"key": key, "grp": grp, "sys": sys_, "f": f, "i": i, "side": side, "sig": sig, "rec": rec,
            "omit_ok": omit_ok, "fields": fields or [], "flip": flip and side in SIDES}


def c_bx_bilat(r):
    f = r.choice([
        "Bilateral upper lobe predominant bronchiectasis with bronchial wall thickening, unchanged from baseline.",
        "Extensive bilateral bronchiectasis, most marked in the upper zones, with tram-track and ring shadows. "
        "Appearances are similar to the baseline film.",
        "Established cystic fibrosis lung disease with upper zone predominant bronchiectasis and peribronchial "
        "thickening, not significantly changed.",
        "Widespread bronchiectatic change in both lungs, as before.",
    ])
    i = r.choice(["Established bilateral upper lobe bronchiectasis, stable.", "Stable CF-related bronchiectasis.",
                  "Known upper zone predominant bronchiectasis, unchanged.",
                  "Background CF bronchiectasis, no significant change from baseline."])
    return _it("bronchiectasis", "chronic", "Lungs", f, i, side="bilateral")


def c_bx_side(r):
    s = r.choice(SIDES)
    lobe = r.choice(["upper", "lower"])
    zone = "upper zone" if lobe == "upper" else "basal"
    f = r.choice([f"Cylindrical bronchiectasis in the {s} {lobe} lobe, as before.",
                  f"Bronchiectatic change with volume loss is again seen in the {s} {lobe} lobe.",
                  f"Established {s} {lobe} lobe bronchiectasis with peribronchial thickening, unchanged."])
    i = r.choice([f"Known {s} {lobe} lobe bronchiectasis, stable.", f"Stable {s} {zone} bronchiectasis.",
                  f"{cap(s)} {lobe} lobe bronchiectasis, unchanged from baseline."])
    return _it("bronchiectasis_side", "chronic", "Lungs", f, i, side=s)


def c_hyper(r):
    f = r.choice(["The lungs are hyperinflated with flattening of the hemidiaphragms.",
                  "Hyperexpanded lungs, unchanged.",
                  "Lung volumes are increased, with flattened hemidiaphragms in keeping with air trapping."])
    i = r.choice(["Hyperinflation.", "Hyperexpanded lungs, as before.",
                  "Hyperinflation in keeping with small airways disease."])
    return _it("hyperinflation", "chronic", "Lungs", f, i)


def c_bwt(r):
    f = r.choice(["Diffuse bronchial wall thickening with tram-track opacities in both lungs.",
                  "Widespread peribronchial thickening, similar to the previous film."])
    i = r.choice(["Diffuse bronchial wall thickening, unchanged.", "Background bronchial wall thickening."])
    return _it("bwt", "chronic", "Lungs", f, i, side="bilateral")


def c_ntm(r):
    s = r.choice(SIDES)
    f = r.choice([f"Nodular opacities with a thin-walled cavity in the {s} upper lobe, in keeping with known NTM "
                  "infection, unchanged.",
                  f"Stable cavitating nodular change in the {s} upper zone (known Mycobacterium abscessus)."])
    i = r.choice([f"Stable {s} upper lobe cavitating change (known NTM).",
                  f"Known {s} upper zone NTM disease, no interval change."])
    return _it("ntm", "chronic", "Lungs", f, i, side=s)


def c_lobectomy(r):
    s = r.choice(SIDES)
    lobe = "lower"
    f = f"Postoperative appearances following {s} {lobe} lobectomy, with volume loss in the {s} hemithorax."
    i = r.choice([f"Previous {s} {lobe} lobectomy.", f"Stable post-surgical change in the {s} hemithorax."])
    return _it("lobectomy", "chronic", "Lungs", f, i, side=s)


def c_hilar(r):
    f = r.choice(["Prominent hila bilaterally, in keeping with reactive lymphadenopathy and pulmonary arterial "
                  "enlargement, unchanged.", "Bulky hila, as before."])
    i = r.choice(["Stable bilateral hilar prominence.", "Unchanged hilar prominence."])
    return _it("hilar", "chronic", "Heart and mediastinum", f, i, side="bilateral", omit_ok=True)


def c_apical(r):
    return _it("apical", "chronic", "Pleura", "Bilateral apical pleural thickening.", "Apical pleural thickening.",
               side="bilateral", omit_ok=True)


def c_cardio(r):
    f = r.choice(["Mild cardiomegaly with prominent central pulmonary arteries, unchanged from baseline, in keeping "
                  "with known pulmonary hypertension.",
                  "The heart is mildly enlarged, stable since the previous film."])
    i = r.choice(["Stable mild cardiomegaly.", "Mild cardiomegaly and pulmonary arterial enlargement, unchanged."])
    return _it("cardiomegaly", "heart", "Heart and mediastinum", f, i, omit_ok=True)


def c_port(r):
    s = r.choice(["left", "left", "right"])
    tip = r.choice(["cavoatrial junction", "lower SVC", "distal SVC", "SVC/right atrial junction"])
    f = r.choice([f"{cap(s)} chest wall totally implantable venous access device (portacath) with the catheter tip "
                  f"projecting over the {tip}.",
                  f"{cap(s)}-sided Port-a-Cath in situ, tip at the {tip}.",
                  f"TIVAD via the {s} subclavian vein, with the catheter tip at the {tip}."])
    i = r.choice([f"Portacath tip at the {tip}.", f"Port-a-Cath in satisfactory position, tip at the {tip}.",
                  "Portacath in satisfactory position."])
    fields = [("f", tip, ["[***]", "<<tip position>>", "[catheter tip position]", "***"])]
    return _it("port", "device", "Lines", f, i, side=s, fields=fields, flip=False)


def c_picc(r):
    s = r.choice(SIDES)
    tip = r.choice(["SVC", "lower SVC", "cavoatrial junction"])
    f = r.choice([f"{cap(s)} arm PICC line with the tip in the {tip}.",
                  f"A {s} basilic PICC is in situ, tip projected over the {tip}."])
    i = r.choice([f"PICC tip in the {tip}.", "PICC line in a satisfactory position.", "PICC appropriately sited."])
    fields = [("f", tip, ["[***]", "<<level>>", "[tip]"])]
    return _it("picc", "device", "Lines", f, i, side=s, fields=fields, flip=False)


CHRONIC = [c_bx_bilat, c_bx_bilat, c_bx_side, c_hyper, c_bwt, c_ntm, c_lobectomy, c_hilar, c_apical, c_cardio]


def a_consol(r):
    s = r.choice(SIDES)
    zone = r.choice(["lower zone", "mid and lower zones", "upper zone", "mid zone"])
    f = r.choice([f"New patchy consolidation in the {s} {zone}, not present on the baseline film.",
                  f"There is new airspace opacification in the {s} {zone} compared with baseline.",
                  f"Interval development of consolidation in the {s} {zone}."])
    i = r.choice([f"New {s} {zone} consolidation in keeping with infective exacerbation.",
                  f"{cap(s)} {zone} consolidation, likely infective.",
                  f"Superimposed infection in the {s} {zone}."])
    rec = r.choice(["Suggest repeat film after treatment to confirm resolution.",
                    "Follow-up film in 6 weeks to document resolution is suggested.", None])
    return _it("consolidation", "consolidation", "Lungs", f, i, side=s, sig=True, rec=rec)


def a_ptx(r):
    s = r.choice(SIDES)
    n = r.choice(["1.5", "2", "2.5", "3", "4"])
    f = r.choice([f"There is a {s} apical pneumothorax with a {n} cm rim at the apex.",
                  f"{cap(s)} pneumothorax with an interpleural distance of {n} cm at the level of the hilum.",
                  f"There is a {s}-sided pneumothorax measuring {n} cm at the hilum. No mediastinal shift."])
    i = r.choice([f"{cap(s)} pneumothorax, {n} cm.", f"{cap(s)} pneumothorax.",
                  f"New {s}-sided pneumothorax ({n} cm).",
                  f"{cap(s)}-sided pneumothorax, new since the previous film."])
    rec = r.choice(["Discussed with the CF team by telephone at the time of reporting.",
                    "Result communicated to the on-call respiratory registrar.", None])
    fields = [("f", f"{n} cm", ["<<size>> cm", "XX cm", "[ ] cm", "___ cm"])]
    return _it("pneumothorax", "pneumothorax", "Pleura", f, i, side=s, sig=True, rec=rec, fields=fields)


def a_eff(r):
    s = r.choice(SIDES)
    size = r.choice(["Moderate", "Moderate", "Large"])
    f = r.choice([f"{size} {s} pleural effusion with adjacent basal atelectasis.",
                  f"{size} {s} pleural effusion, new since the previous film."])
    i = r.choice([f"{size} {s} pleural effusion.", f"New {size.lower()} {s} pleural effusion."])
    fields = [("f", size, ["[size]", "[***]", "<<size>>"])]
    return _it("effusion", "effusion", "Pleura", f, i, side=s, sig=True, fields=fields,
               rec=r.choice(["Ultrasound-guided aspiration could be considered if clinically indicated.", None]))


def a_plug(r):
    s = r.choice(SIDES)
    zone = r.choice(["upper zone", "lower zone", "mid zone"])
    f = r.choice([f"New branching tubular opacities in the {s} {zone}, in keeping with mucus plugging.",
                  f"New nodular and tubular opacities in the {s} {zone} consistent with mucus plugging."])
    i = r.choice([f"New mucus plugging in the {s} {zone}.", f"{cap(s)} {zone} mucus plugging, new since baseline."])
    return _it("plugging", "lung_acute", "Lungs", f, i, side=s, sig=True,
               rec=r.choice(["Suggest physiotherapy review.", None]))


def a_abpa(r):
    s = r.choice(SIDES)
    f = r.choice([f"New band-like 'finger-in-glove' opacities in the {s} upper zone, consistent with mucoid impaction.",
                  f"New tubular opacities radiating from the {s} hilum into the upper zone, in keeping with mucoid "
                  "impaction."])
    i = r.choice([f"New {s} upper zone mucoid impaction - ? ABPA.",
                  f"{cap(s)} upper zone mucoid impaction, raising the possibility of ABPA."])
    rec = r.choice(["Correlate with total IgE and Aspergillus-specific IgE.", None])
    return _it("abpa", "lung_acute", "Lungs", f, i, side=s, sig=True, rec=rec)


def a_haem(r):
    s = r.choice(SIDES)
    f = r.choice([f"New ill-defined airspace opacity in the {s} upper zone, which in the context of haemoptysis may "
                  "represent pulmonary haemorrhage.",
                  f"New hazy airspace opacification in the {s} mid zone, not present on the baseline film."])
    zone = "upper zone" if "upper zone" in f else "mid zone"
    i = r.choice([f"New {s} {zone} airspace opacity, likely pulmonary haemorrhage given the haemoptysis.",
                  f"{cap(s)} {zone} airspace opacification - haemorrhage or infection."])
    return _it("haemorrhage", "consolidation", "Lungs", f, i, side=s, sig=True)


def a_collapse(r):
    s = r.choice(SIDES)
    lobe = r.choice(["lower", "upper"])
    f = r.choice([f"New volume loss and increased density in the {s} {lobe} lobe in keeping with collapse, presumably "
                  "from mucus plugging.", f"There is new collapse of the {s} {lobe} lobe."])
    i = r.choice([f"New {s} {lobe} lobe collapse, likely secondary to mucus plugging.",
                  f"{cap(s)} {lobe} lobe collapse."])
    return _it("collapse", "collapse", "Lungs", f, i, side=s, sig=True,
               rec=r.choice(["Suggest physiotherapy review and repeat film.", None]))


def a_nodule(r):
    s = r.choice(SIDES)
    n = r.choice(["7", "8", "9", "10", "12", "14"])
    f = r.choice([f"A {n} mm nodular opacity is noted in the {s} mid zone, not clearly seen on the previous film.",
                  f"New {n} mm nodule projected over the {s} lower zone."])
    zone = "mid zone" if "mid zone" in f else "lower zone"
    i = r.choice([f"New {n} mm {s} {zone} nodule, possibly a mucus-filled bronchus.",
                  f"{n} mm {s} {zone} nodule."])
    rec = r.choice(["CT chest would help characterise.", "Suggest CT if it persists on the post-treatment film."])
    fields = [("f", f"{n} mm", ["XX mm", "<<size>> mm", "[ ] mm", "___ mm"])]
    return _it("nodule", "nodule", "Lungs", f, i, side=s, sig=True, rec=rec, fields=fields)


def a_bwt_incr(r):
    s = r.choice(SIDES)
    f = f"Increased bronchial wall thickening and peribronchial opacity in the {s} lower zone compared with baseline."
    i = r.choice([f"Increased {s} lower zone bronchial wall thickening, in keeping with exacerbation.",
                  f"Worsening {s} basal peribronchial change compared with baseline."])
    return _it("bwt_incr", "lung_acute", "Lungs", f, i, side=s, sig=True)


ACUTE = [a_consol, a_consol, a_consol, a_ptx, a_ptx, a_eff, a_plug, a_plug, a_abpa, a_haem, a_collapse, a_nodule,
         a_bwt_incr]


def x_small_eff(r):
    s = r.choice(SIDES)
    f = r.choice([f"Small {s} pleural effusion.", f"Blunting of the {s} costophrenic angle, likely a small effusion."])
    return _it("small_effusion", "effusion", "Pleura", f, f"Small {s} pleural effusion.", side=s, omit_ok=True)


def x_small_nod(r):
    s = r.choice(SIDES)
    n = r.choice(["3", "4", "5"])
    f = f"Stable {n} mm calcified nodule in the {s} lower zone."
    return _it("small_nodule", "nodule_small", "Lungs", f, f"Stable {s} lower zone calcified granuloma.", side=s,
               omit_ok=True)


NEGATIVES = {
    "pneumothorax": ["No pneumothorax.", "No pneumothorax is seen.", "No evidence of pneumothorax."],
    "effusion": ["No pleural effusion.", "No pleural effusion is seen.", "The costophrenic angles are clear."],
    "consolidation": ["No new focal consolidation.", "No new area of consolidation compared with baseline.",
                      "No focal consolidation."],
    "heart": ["Heart size is normal.", "Normal heart size.", "The cardiomediastinal contour is within normal limits.",
              "Cardiac and mediastinal contours are normal."],
    "oedema": ["No pulmonary oedema."],
}
NEG_SYS = {"pneumothorax": "Pleura", "effusion": "Pleura", "consolidation": "Lungs", "heart": "Heart and mediastinum",
           "oedema": "Lungs"}
BONES = ["No acute bony abnormality.", "The visualised skeleton is unremarkable.", "Bones are unremarkable."]
ASSERT = {
    "pneumothorax": ["Small {s} apical pneumothorax.", "{S} pneumothorax.", "Shallow {s} apical pneumothorax."],
    "effusion": ["Moderate {s} pleural effusion.", "New {s} pleural effusion."],
    "consolidation": ["New {s} lower zone consolidation, in keeping with infection.",
                      "{S} basal consolidation - infective exacerbation.", "Patchy {s} mid zone consolidation."],
    "heart": ["Cardiomegaly.", "Enlarged cardiac silhouette.", "The heart is enlarged."],
    "oedema": ["Pulmonary oedema.", "Mild interstitial pulmonary oedema."],
}
DENY = {  # by item key
    "pneumothorax": ["No pneumothorax.", "No pneumothorax seen."],
    "effusion": ["No pleural effusion.", "No effusion."],
    "consolidation": ["No new consolidation.", "No focal consolidation.", "No consolidation."],
    "haemorrhage": ["No new airspace opacity.", "No new airspace opacification."],
    "nodule": ["No pulmonary nodule.", "No suspicious nodule."],
    "collapse": ["No collapse.", "No lobar collapse."],
    "plugging": ["No mucus plugging.", "No new mucus plugging."],
    "abpa": ["No mucoid impaction."],
}
NORMAL_STATEMENTS = ["No acute change from baseline.", "Stable appearances compared with baseline.",
                     "No acute cardiopulmonary abnormality.", "Appearances are unchanged from the baseline film.",
                     "No significant change.", "Stable CF changes. No acute abnormality."]
CLEAN_CLOSERS = ["No acute change from baseline.", "No new consolidation or pneumothorax.", "No acute abnormality.",
                 "Stable appearances."]

CLIN_UK = {
    "infect": ["Adult CF. Increased cough and sputum, FEV1 down 15% from baseline. ?Infective exacerbation",
               "Non-CF bronchiectasis. Exacerbation not settling on oral antibiotics.",
               "CF, Pseudomonas colonised. Fever and increased sputum volume. ?consolidation",
               "CF exacerbation, day 1 of IV antibiotics."],
    "ptx": ["CF. Sudden onset pleuritic chest pain and breathlessness. ?pneumothorax",
            "Bronchiectasis, acute chest pain and desaturation. ?PTX"],
    "haem": ["CF. Haemoptysis approx. 100 ml overnight.", "Bronchiectasis with frank haemoptysis."],
    "abpa": ["CF. Wheeze and rising total IgE. ?ABPA", "CF, known ABPA, increased wheeze and sputum plugs."],
    "routine": ["CF annual review.", "Annual review, stable on Kaftrio.", "Bronchiectasis clinic review.",
                "Post IV antibiotics, clinically improved.", "CF. Routine clinic film."],
    "port": ["Portacath inserted today - position?", "CF. New TIVAD, check position."],
}
CLIN_US = {
    "infect": ["Adult cystic fibrosis with increased cough and sputum production. Evaluate for pneumonia.",
               "Bronchiectasis, pulmonary exacerbation.", "Cystic fibrosis, fever, productive cough."],
    "ptx": ["Cystic fibrosis with acute chest pain and dyspnea. Evaluate for pneumothorax.",
            "CF, sudden shortness of breath."],
    "haem": ["Cystic fibrosis with hemoptysis.", "Bronchiectasis, hemoptysis."],
    "abpa": ["Cystic fibrosis with wheezing and elevated IgE. Evaluate for ABPA."],
    "routine": ["Cystic fibrosis, annual surveillance.", "Cystic fibrosis, follow-up.", "Bronchiectasis follow-up."],
    "port": ["Port placement. Evaluate catheter position.", "Cystic fibrosis, port placed today."],
}
CLIN_KEY = {"consolidation": "infect", "plugging": "infect", "bwt_incr": "infect", "collapse": "infect",
            "effusion": "infect", "nodule": "infect", "pneumothorax": "ptx", "haemorrhage": "haem", "abpa": "abpa"}
COMP_UK = ["Baseline film XXXX.", "XXXX (baseline, when well).", "Previous film XXXX.", "Compared with XXXX."]
COMP_US = ["XXXX.", "Chest radiograph XXXX.", "Prior study from XXXX.", "XXXX and XXXX."]


def compose_items(r, want):
    """Pick findings for one composed case. want: which kind of item the injection needs."""
    items = []
    transplant = want == "clean" and r.random() < 0.08
    if transplant:
        items.append(_it("transplant", "chronic", "Lungs",
                         r.choice(["Appearances following bilateral sequential lung transplantation, with intact "
                                   "sternal wires.", "Post bilateral lung transplant. Clamshell wires intact."]),
                         r.choice(["Stable post bilateral lung transplant appearances.",
                                   "Post-transplant appearances, stable."])))
    else:
        n_chronic = r.choice([1, 2, 2, 3])
        picked = []
        pool = list(CHRONIC)
        r.shuffle(pool)
        for fn in pool:
            if len(picked) >= n_chronic:
                break
            it = fn(r)
            if any(p["key"] == it["key"] or (p["key"].startswith("bronchiectasis")
                                              and it["key"].startswith("bronchiectasis")) for p in picked):
                continue
            # a lobectomy is not combined with other one-sided chronic change
            sided = [p for p in picked + [it] if p["side"] in SIDES]
            if len(sided) > 1 and any(p["key"] == "lobectomy" for p in sided):
                continue
            picked.append(it)
        items.extend(picked)
    if r.random() < 0.45:
        items.insert(0, (c_port if r.random() < 0.7 else c_picc)(r))
    need_acute = want in ("omission", "sided", "deny") or (want in ("clean", "any") and r.random() < 0.55)
    if need_acute and not transplant:
        n_acute = 1 if r.random() < 0.8 else 2
        pool = list(ACUTE)
        r.shuffle(pool)
        lob = [p["side"] for p in items if p["key"] == "lobectomy"]
        for fn in pool[:n_acute]:
            it = fn(r)
            if any(p["grp"] == it["grp"] for p in items):
                continue
            if lob and it["side"] == lob[0]:  # nothing new in the operated lung
                it = fn(r)
                if it["side"] == lob[0]:
                    continue
            items.append(it)
    elif need_acute and transplant:
        items.append(a_consol(r))
    if want in ("clean", "any") and r.random() < 0.2:
        extra = (x_small_eff if r.random() < 0.5 else x_small_nod)(r)
        if not any(p["grp"] == extra["grp"] for p in items):
            items.append(extra)
    if transplant and not any(it["sys"] == "Lungs" and it["key"] != "transplant" for it in items):
        items.append(_it("lungs_clear", "neg", "Lungs", "The transplanted lungs are clear.", "", flip=False))
    return items


def negatives_for(r, items, k=None):
    present = [it["grp"] for it in items]
    lung_acute = any(it["sig"] and it["sys"] == "Lungs" for it in items)
    out = []
    order = ["pneumothorax", "effusion", "consolidation", "heart", "oedema"]
    for g in order:
        if g == "pneumothorax" and "pneumothorax" in present:
            continue
        if g == "effusion" and "effusion" in present:
            continue
        if g == "consolidation" and (lung_acute or "consolidation" in present):
            continue
        if g == "heart" and "heart" in present:
            continue
        if g == "oedema" and r.random() < 0.75:
            continue
        out.append((g, r.choice(NEGATIVES[g])))
    if k is not None:
        r.shuffle(out)
        out = out[:k]
        out.sort(key=lambda x: order.index(x[0]))
    return out


def composed_case(r, kind):
    layout = r.choice(list(LAYOUTS))
    dialect = LAYOUTS[layout][0]
    want = {"laterality_conflict": "sided", "impression_omits_finding": "omission", None: "clean"}.get(kind, "any")
    neg_variant = None
    if kind == "negation_conflict":
        neg_variant = r.choice(["assert", "deny"])
        want = "deny" if neg_variant == "deny" else "any"
    for _ in range(50):
        items = compose_items(r, want)
        if kind == "laterality_conflict" and not any(it["flip"] and it["grp"] != "device" for it in items):
            continue
        if kind == "impression_omits_finding" and not any(it["sig"] for it in items):
            continue
        if neg_variant == "deny" and not any(it["key"] in DENY and it["sig"] for it in items):
            continue
        break
    negs = negatives_for(r, items, k=r.choice([2, 3, 3, 4]))
    if neg_variant == "assert" and not negs:
        negs = negatives_for(r, items)
    bones = r.choice(BONES) if r.random() < 0.35 else None

    # findings: devices first, then lungs, pleura, heart, negatives, bones
    order = {"Lines": 0, "Lungs": 1, "Pleura": 2, "Heart and mediastinum": 3}
    f_items = sorted(items, key=lambda it: order[it["sys"]])
    F_entries = [(it["sys"], it["f"], it) for it in f_items]
    for g, s in negs:
        F_entries.append((NEG_SYS[g], s, None))
    if bones:
        F_entries.append(("Bones", bones, None))

    # impression: significant first, then chronic (some dropped), devices, closer, recommendations
    sig_items = [it for it in items if it["sig"]]
    chronic = [it for it in items if not it["sig"] and it["i"] and it["grp"] != "device"]
    devices = [it for it in items if it["grp"] == "device"]
    imp_entries = [(it["i"], it) for it in sig_items]
    for it in chronic:
        if it["omit_ok"] and r.random() < 0.5:
            continue
        if not it["omit_ok"] and len(chronic) > 1 and r.random() < 0.25 and it["key"] != "transplant":
            if not it["flip"]:
                continue
        imp_entries.append((it["i"], it))
    for it in devices:
        if r.random() < 0.8:
            imp_entries.append((it["i"], it))
    if not sig_items:
        small_eff = any(it["key"] == "small_effusion" for it in items)
        imp_entries.append((r.choice(CLEAN_CLOSERS[1:2] if small_eff else CLEAN_CLOSERS), None))
    elif "pneumothorax" not in [it["grp"] for it in items] and r.random() < 0.3:
        imp_entries.append(("No pneumothorax.", None))
    recs = [it["rec"] for it in sig_items if it["rec"]]
    if recs and r.random() < 0.7:
        imp_entries.append((recs[0], sig_items[0]))
    if not imp_entries:
        imp_entries.append((r.choice(CLEAN_CLOSERS), None))

    detail = f"composed ({layout}): "
    missing = None
    if kind is None:
        if r.random() < 0.04 and layout in ("uk_cris", "uk_impression", "us_mixed"):
            missing = "findings_absent_ok"
            # the impression then describes the findings in full
            imp_entries = [(e[1], e[2]) for e in F_entries if e[2] is None or e[2]["grp"] != "neg"]
            detail += "clean; no FINDINGS section, the impression itself describes the findings"
        else:
            detail += "clean; findings and impression agree"
    elif kind == "missing_section":
        missing = r.choice(["findings_blank", "impression_blank_sig", "impression_blank_end", "impression_removed"])
        detail += {"findings_blank": "FINDINGS header kept with nothing under it",
                   "impression_blank_sig": "impression header left with only the signature under it",
                   "impression_blank_end": "impression header left empty at the end of the report",
                   "impression_removed": "impression section removed (header and text)"}[missing]
    elif kind == "laterality_conflict":
        cands = [it for it in items if it["flip"] and it["grp"] != "device"
                 and any(e[1] is it for e in imp_entries) and SIDE_RE.search(it["i"])]
        if not cands:  # make sure the sided item is listed in the impression
            cands = [it for it in items if it["flip"] and it["grp"] != "device"]
            imp_entries.insert(0, (cands[0]["i"], cands[0]))
            cands = cands[:1]
        it = r.choice(cands)
        where = r.choice(["findings", "impression"])
        if where == "findings":
            F_entries = [(sys_, flip_sides(s) if obj is it else s, obj) for sys_, s, obj in F_entries]
            detail += f"side flipped in the findings: '{it['f']}' -> '{flip_sides(it['f'])}' (impression: '{it['i']}')"
        else:
            imp_entries = [(flip_sides(s) if (obj is it and s == it["i"]) else s, obj) for s, obj in imp_entries]
            detail += f"side flipped in the impression: '{it['i']}' -> '{flip_sides(it['i'])}' (findings: '{it['f']}')"
    elif kind == "negation_conflict":
        if neg_variant == "deny":
            cands = [it for it in items if it["sig"] and it["key"] in DENY]
            it = r.choice(cands)
            deny = r.choice(DENY[it["key"]])
            imp_entries = [(s, obj) for s, obj in imp_entries if obj is not it]
            imp_entries.insert(r.randrange(len(imp_entries) + 1), (deny, None))
            detail += f"impression negates a finding the findings affirm: '{deny}' vs findings '{it['f']}'"
        else:
            g, neg_sentence = r.choice(negs)
            s = r.choice(SIDES)
            claim = r.choice(ASSERT[g]).format(s=s, S=cap(s))
            # drop a closer that would contradict the new claim inside the impression itself
            imp_entries = [(x, obj) for x, obj in imp_entries if obj is not None or x.startswith("No pneumothorax")
                         and g != "pneumothorax"]
            imp_entries.insert(0, (claim, None))
            detail += f"impression asserts '{claim}' while the findings say '{neg_sentence}'"
    elif kind == "impression_omits_finding":
        sig_present = [it for it in items if it["sig"]]
        variant = r.choice(["normal", "others"])
        others = [(s, obj) for s, obj in imp_entries if obj is not None and not obj["sig"]]
        if variant == "others" and others:
            imp_entries = others
            detail += (f"impression lists other findings and leaves out: "
                       f"{'; '.join(repr(it['f']) for it in sig_present)}")
        else:
            imp_entries = [(r.choice(NORMAL_STATEMENTS), None)]
            detail += (f"impression replaced by a normal statement, leaving out: "
                       f"{'; '.join(repr(it['f']) for it in sig_present)}")
    elif kind == "placeholder":
        options = []
        for it in items:
            for where, sub, reps in it["fields"]:
                if sub in it[where]:
                    options.append(("item", it, where, sub, reps))
            if it["flip"] and it["side"] in SIDES:
                options.append(("side", it, "f", None, ["[left/right]", "[side]", "***"]))
        for idx, (g, s) in enumerate(negs):
            if g == "heart":
                options.append(("neg", idx, s, None, ["[normal/enlarged]", "[***]"]))
        choice = r.choice(options) if options else None
        if choice is None or r.random() < 0.15:
            # a template line left unfilled in the findings
            line = r.choice(["Lung volumes: ***.", "Lines and tubes: [ ].", "Comparison film: [insert]."])
            F_entries.append(("Lungs", line, None))
            detail += f"unfilled template line left in the findings: '{line}'"
        elif choice[0] == "neg":
            _, idx, s, _, reps = choice
            rep = r.choice(reps)
            new = re.sub(r"\bnormal\b|within normal limits", rep, s, count=1, flags=re.I)
            F_entries = [(a, new if b == s else b, c) for a, b, c in F_entries]
            detail += f"placeholder in the findings: '{s}' -> '{new}'"
        else:
            _, it, where, sub, reps = choice
            rep = r.choice(reps)
            if choice[0] == "side":
                side = it["side"]
                new = re.sub(rf"\b{side}\b", rep, it["f"], count=1, flags=re.I)
            else:
                new = it[where].replace(sub, rep, 1)
            F_entries = [(a, new if c is it else b, c) for a, b, c in F_entries]
            detail += f"placeholder in the findings: '{it['f']}' -> '{new}'"

    F = [s for _, s, _ in F_entries]
    sys_groups = []
    for label in ["Lines", "Lungs", "Pleura", "Heart and mediastinum", "Bones"]:
        sents = [s for sys_, s, _ in F_entries if sys_ == label]
        if sents:
            sys_groups.append(("Lines and tubes" if label == "Lines" else label, sents))
    imp = [s for s, _ in imp_entries]

    main = next((it for it in items if it["sig"]), None)
    ck = CLIN_KEY.get(main["key"], "infect") if main else ("port" if any(it["grp"] == "device" for it in items)
                                                          and r.random() < 0.4 else "routine")
    parts = frame(layout, r, r.choice(CLIN_UK[ck]), r.choice(CLIN_US[ck]))
    parts["comparison"] = r.choice(COMP_UK if dialect == "uk" else COMP_US)
    parts.update({"F": F, "F_sys": sys_groups, "imp": imp, "missing": missing})
    report = render(layout, parts, r)
    if dialect == "us":
        detail = us_words(detail)
    return {"injected": kind, "detail": detail, "report": report}


# ----------------------------------------------------------------------------------------------------------------
# IU-based cases
# ----------------------------------------------------------------------------------------------------------------


def reword_iu(row, dialect, r):
    """Light re-wording in the setting's style; the same rules on both sections."""
    rules = list(ANY_IU_WORDS) + (list(UK_IU_WORDS) if dialect == "uk" else [])
    used = []
    out = {}
    active = [rule for rule in rules if r.random() < 0.75]
    for key in ("findings", "impression", "indication", "comparison"):
        text = row[key]
        for rx, rep, label in active:
            new = re.sub(rx, rep, text)
            if new != text and label not in used:
                used.append(label)
            text = new
        out[key] = text
    return out, used


def iu_parse(row):
    F = split_sentences(row["findings"])
    items, numbered = split_items(row["impression"])
    return F, items, numbered


def imp_sentences(items):
    out = []
    for it in items:
        out.extend(split_sentences(it))
    return out


def lat_candidates(F, items):
    """(section, index, concept) of sentences whose single side the other section also states for that finding."""
    imp = items
    out = []
    for sec, A, B in (("findings", F, imp), ("impression", imp, F)):
        b_sides_all = [x for s in B for x in sides_of(s)]
        for idx, s in enumerate(A):
            sides = sides_of(s)
            if len(sides) != 1 or BILAT_RE.search(s):
                continue
            if sum(1 for x in split_sentences(s) if sides_of(x)) > 1:
                continue
            side = sides[0]
            opp = "left" if side == "right" else "right"
            if opp in b_sides_all:
                continue
            if any(opp in sides_of(t) for j, t in enumerate(A) if j != idx):
                continue
            st = concept_status(s)
            concepts = [c for c in st if st[c] != "neg" and c != "device"]
            for c in concepts:
                rel = related(c)
                b_match = [t for t in B if side in sides_of(t) and any(x in concept_status(t) for x in rel)]
                if not b_match:
                    continue
                a_others = [t for j, t in enumerate(A) if j != idx and sides_of(t)
                            and any(x in concept_status(t) for x in rel)]
                if a_others:
                    continue
                out.append((sec, idx, c))
                break
    return out


def omission_candidates(F, items):
    imp = imp_sentences(items)
    sig = []
    for s in F:
        for c in significant_affirmed(s):
            if c not in sig:
                sig.append(c)
    return [c for c in sig if mentions(imp, related(c))]


NEG_ASSERT_OK = ["pneumothorax", "effusion", "consolidation", "oedema", "cardiomegaly"]
IU_ASSERT = {
    "pneumothorax": ["Small {s} apical pneumothorax.", "{S} pneumothorax."],
    "effusion": ["Moderate {s} pleural effusion.", "{S} pleural effusion."],
    "consolidation": ["{S} lower lobe consolidation, in keeping with pneumonia.",
                      "Patchy {s} basal airspace opacification, likely infective."],
    "oedema": ["Pulmonary oedema.", "Mild interstitial oedema."],
    "cardiomegaly": ["Cardiomegaly.", "The heart is enlarged."],
}
IU_DENY = {
    "pneumothorax": ["No pneumothorax."], "effusion": ["No pleural effusion."],
    "consolidation": ["No focal consolidation.", "No airspace consolidation."], "oedema": ["No pulmonary oedema."],
    "cardiomegaly": ["Heart size is normal."], "nodule": ["No pulmonary nodule."],
}


def negation_candidates(F, items):
    imp = imp_sentences(items)
    sf, si = section_status(F), section_status(imp)
    asserts = [c for c in NEG_ASSERT_OK if sf.get(c) == ["neg"] and c not in si]
    denies = []
    for c in IU_DENY:
        if sf.get(c) == ["aff"] and si.get(c, ["aff"]) == ["aff"]:
            aff = [s for s in F if concept_status(s).get(c) == "aff"]
            if any(re.search(r"atelecta|scar|granulom|calcif|breast|nipple", s, re.I) for s in aff):
                continue
            if c == "cardiomegaly" and not any(concept_status(s).get(c) == "aff" and not re.search(
                    r"borderline|upper limits|mild", s, re.I) for s in F):
                continue
            denies.append(c)
    return asserts, denies


def iu_case(row, kind, r, plan=None):
    layout = r.choice(IU_LAYOUTS)
    dialect = LAYOUTS[layout][0]
    rw, used = reword_iu(row, dialect, r)
    F, items, numbered = iu_parse(rw)
    detail = f"IU {row['uid']}: re-laid out ({layout})"
    if used:
        detail += "; reworded " + ", ".join(used)
    missing = None
    if kind is None:
        detail += "; clean"
    elif kind == "missing_section":
        missing = r.choice(["findings_blank", "impression_blank_sig", "impression_blank_end", "impression_removed"])
        detail += "; " + {"findings_blank": "FINDINGS emptied (header kept)",
                          "impression_blank_sig": "IMPRESSION emptied, only the signature under its header",
                          "impression_blank_end": "IMPRESSION emptied (header kept)",
                          "impression_removed": "IMPRESSION section removed"}[missing]
    elif kind == "laterality_conflict":
        sec, idx, c = r.choice(lat_candidates(F, items))
        if sec == "findings":
            old = F[idx]
            F[idx] = flip_sides(old)
        else:
            old = items[idx]
            items[idx] = flip_sides(old)
        detail += f"; side flipped in the {sec} ({c}): '{old}' -> '{flip_sides(old)}'"
    elif kind == "negation_conflict":
        asserts, denies = negation_candidates(F, items)
        variant = plan or ("assert" if asserts and (not denies or r.random() < 0.5) else "deny")
        if variant == "assert":
            nc = [x for x in asserts if x != "cardiomegaly"]
            c = r.choice(nc if nc and r.random() < 0.85 else asserts)
            s = r.choice(SIDES)
            claim = r.choice(IU_ASSERT[c]).format(s=s, S=cap(s))
            if dialect == "us":
                claim = us_words(claim)
            kept = [it for it in items if not NORMAL_IMP.search(it)]
            kept = [it for it in kept if not LUNGS_CLEAR.search(it)]
            items = [claim] + kept
            neg_s = next(s for s in F if concept_status(s).get(c) == "neg")
            detail += f"; impression asserts '{claim}' while the findings say '{neg_s}'"
        else:
            nc = [x for x in denies if x != "cardiomegaly"]
            c = r.choice(nc if nc else denies)
            deny = r.choice(IU_DENY[c])
            if dialect == "us":
                deny = us_words(deny)
            kept = [it for it in items if c not in section_status(split_sentences(it))]
            before, after = section_status(imp_sentences(items)), section_status(imp_sentences(kept))
            for other in SIGNIFICANT + ["atelectasis", "opacity", "cardiomegaly"]:
                if other != c and other in before and other not in after:
                    raise ValueError("denying would also drop another finding")
            items = kept + [deny] if kept and r.random() < 0.6 else [deny] + kept
            aff_s = next(s for s in F if concept_status(s).get(c) == "aff")
            detail += f"; impression changed to deny {c}: '{deny}' while the findings say '{aff_s}'"
    elif kind == "impression_omits_finding":
        cands = omission_candidates(F, items)
        rel = []
        for c in cands:
            rel += related(c)
        sig_sent = [s for s in F if significant_affirmed(s)]
        others = [it for it in items if not mentions(split_sentences(it), rel)
                  and not any(significant_affirmed(x) for x in split_sentences(it))
                  and not NORMAL_IMP.search(it) and not re.search(r"follow|\bCT\b|recommend|suggest|resolution",
                                                                   it, re.I)]
        variant = plan or r.choice(["normal", "others"])
        if variant == "others" and others:
            items = others
            detail += f"; impression keeps other findings only, leaving out: {' '.join(sig_sent)}"
        else:
            st = r.choice(["No acute cardiopulmonary abnormality.", "No acute abnormality.", "No active disease.",
                           "No acute cardiopulmonary process."])
            items = [st]
            detail += f"; impression replaced by '{st}', leaving out: {' '.join(sig_sent)}"
    elif kind == "placeholder":
        options = []
        for sec, lst in (("findings", F), ("impression", items)):
            for idx, s in enumerate(lst):
                for m in re.finditer(r"\b(\d+(?:\.\d+)?)(\s?(?:mm|cm))\b", s):
                    options.append((sec, idx, m.start(1), m.end(1), ["XX", "<<size>>", "[***]", "___"]))
                for m in re.finditer(r"\b(small|moderate|large|mild|minimal)\b", s, re.I):
                    options.append((sec, idx, m.start(), m.end(), ["[***]", "[size]", "[ ]"]))
                for m in re.finditer(r"\b(right|left)\b", s, re.I):
                    options.append((sec, idx, m.start(), m.end(), ["[left/right]", "[side]", "***"]))
                for m in re.finditer(r"\b(pneumothorax|effusion|consolidation|abnormality|opacity|atelectasis|"
                                     r"nodule|cardiomegaly|normal)\b", s, re.I):
                    options.append((sec, idx, m.start(), m.end(), ["[***]", "***", "[ ]"]))
        sec, idx, a, b, reps = r.choice(options)
        rep = r.choice(reps)
        lst = F if sec == "findings" else items
        old = lst[idx]
        lst[idx] = old[:a] + rep + old[b:]
        detail += f"; placeholder in the {sec}: '{old[a:b]}' -> '{rep}' ('{lst[idx]}')"

    clin = rw["indication"] or ("Not stated." if dialect == "uk" else "Not provided.")
    parts = frame(layout, r, clin, clin)
    parts["comparison"] = rw["comparison"] or ("None." if r.random() < 0.5 else "None available.")
    parts.update({"F": F, "F_sys": None, "imp": items, "missing": missing})
    report = render(layout, parts, r)
    return {"injected": kind, "detail": detail, "report": report}


def iu_eligibility(row):
    F, items, _ = iu_parse(row)
    imp = imp_sentences(items)
    if not report_is_clean(F, imp):
        return None
    asserts, denies = negation_candidates(F, items)
    options = []
    for m in re.finditer(r"\b(\d+(?:\.\d+)?\s?(?:mm|cm)|small|moderate|large|mild|right|left|pneumothorax|effusion|"
                         r"consolidation|abnormality|opacity|nodule|normal)\b", " ".join(F + items), re.I):
        options.append(m.group(0))
    return {
        "lat": bool(lat_candidates(F, items)),
        "omit": bool(omission_candidates(F, items)),
        "neg_assert": bool(asserts),
        "neg_deny": bool(denies),
        "neg_deny_nc": any(c != "cardiomegaly" for c in denies),
        "place": bool(options),
        "abnormal": not all(NORMAL_IMP.search(x) for x in items),
    }


def _iu_pool():
    rows, _ = load_iu()
    pool = []
    for row in rows:
        if not row["findings"] or not row["impression"]:
            continue
        el = iu_eligibility(row)
        if el is not None:
            pool.append((row, el))
    return pool


_POOL_CACHE = {}


def iu_pool():
    key = (str(iu_archive_path()), str(dev_set_path()))
    if key not in _POOL_CACHE:
        _POOL_CACHE[key] = _iu_pool()
    return _POOL_CACHE[key]


# ----------------------------------------------------------------------------------------------------------------
# build
# ----------------------------------------------------------------------------------------------------------------


def build(seed):
    r = random.Random(f"h168-{seed}")
    pool = list(iu_pool())
    r.shuffle(pool)
    half_clean, half_kind = N_CLEAN // 2, N_KIND // 2
    used = []
    cases = []

    def take(pred, n, kind, plans=None):
        got = 0
        for row, el in pool:
            if got >= n:
                break
            if row["uid"] in used or not pred(el):
                continue
            plan = plans[got] if plans else None
            rr = random.Random(f"h168-{seed}-{row['uid']}-{kind}")
            try:
                case = iu_case(row, kind, rr, plan)
            except (IndexError, StopIteration, ValueError):
                continue
            if not _iu_case_ok(case, kind):
                continue
            used.append(row["uid"])
            cases.append(case)
            got += 1
        if got < n:
            raise RuntimeError(f"not enough IU reports for {kind}: {got}/{n}")

    take(lambda e: e["lat"], half_kind, "laterality_conflict")
    take(lambda e: e["omit"], half_kind // 2, "impression_omits_finding", ["others"] * (half_kind // 2))
    take(lambda e: e["omit"], half_kind - half_kind // 2, "impression_omits_finding",
         ["normal"] * (half_kind - half_kind // 2))
    take(lambda e: e["neg_deny_nc"], half_kind // 2 - 3, "negation_conflict", ["deny"] * (half_kind // 2 - 3))
    take(lambda e: e["neg_deny"], 3, "negation_conflict", ["deny"] * 3)
    take(lambda e: e["neg_assert"], half_kind - half_kind // 2, "negation_conflict",
         ["assert"] * (half_kind - half_kind // 2))
    take(lambda e: e["place"], half_kind, "placeholder")
    take(lambda e: True, half_kind, "missing_section")
    take(lambda e: e["abnormal"], half_clean * 2 // 5, None)
    take(lambda e: True, half_clean - half_clean * 2 // 5, None)

    for kind in [None] * half_clean + [k for k in KINDS for _ in range(half_kind)]:
        cases.append(composed_case(r, kind))

    r.shuffle(cases)
    rows = []
    for k, case in enumerate(cases):
        rows.append({"id": f"h168-{seed}-{k}", "injected": case["injected"], "detail": case["detail"],
                     "report": case["report"]})
    return rows


def _iu_case_ok(case, kind):
    """Re-check an IU case after re-wording and injection."""
    text = case["report"]
    if kind != "placeholder" and re.search(r"\[|\]|\*\*\*|<<|\bXX\b(?!XX)", text):
        return False
    if kind == "impression_omits_finding" and case["detail"].endswith("leaving out: "):
        return False
    return True


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    args = ap.parse_args(argv)
    rows = build(args.seed)
    with open(args.out, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    if args.show:
        for kind in [None] + KINDS:
            shown = [x for x in rows if x["injected"] == kind]
            # alternate composed and IU examples
            comp = [x for x in shown if not x["detail"].startswith("IU ")]
            iu = [x for x in shown if x["detail"].startswith("IU ")]
            pick = []
            for a, b in zip(comp, iu, strict=False):
                pick += [a, b]
            for x in pick[: args.show]:
                print(f"===== {x['id']} [{kind}] {x['detail']}\n{x['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
