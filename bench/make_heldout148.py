"""Held-out report-error set 148: burns units and their intensive care (UK and US), written blind.

usage: python -m bench.make_heldout148 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines ``{"id", "injected", "detail", "report"}``: 200 clean reports and 40 of each
of the five error kinds of ``shared/eval/README.md``.  Half of every group is composed from a phrase
bank written in the style of burns-unit / burns-ICU chest radiograph reporting (UK and US), half are
real IU reports (never a dev-set uid, each used once) re-laid out and lightly re-worded in that style.
``MEDRAG_SHARED_DIR`` overrides where the shared folder is (default ``../shared`` beside the repo).
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
PREFIX = "h148"


# --------------------------------------------------------------------------------------------
# shared data
# --------------------------------------------------------------------------------------------

def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def iu_archive(base: Path | None = None) -> Path:
    return (base or shared_dir()) / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_file(base: Path | None = None) -> Path:
    return (base or shared_dir()) / "eval" / "report_errors_dev.jsonl"


def dev_uids(base: Path | None = None) -> frozenset[str]:
    """Only the ``uid`` field of the dev set is read."""
    return _dev_uids(str(dev_file(base)))


@lru_cache(maxsize=4)
def _dev_uids(path: str) -> frozenset[str]:
    out = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.add(json.loads(line)["uid"])
    return frozenset(out)


def _clean_text(s: str | None) -> str:
    s = re.sub(r"\s+", " ", s or "").strip()
    s = re.sub(r"\s+([.,])", r"\1", s)
    s = re.sub(r"\.{2,}", ".", s)
    return s


@lru_cache(maxsize=4)
def _load_iu(path: str) -> tuple[dict, ...]:
    recs = []
    with tarfile.open(path) as tf:
        for m in tf:
            if not (m.isfile() and m.name.endswith(".xml")):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            d = {"uid": uid_el.get("id")}
            for a in root.iter("AbstractText"):
                d[(a.get("Label") or "").lower()] = _clean_text(a.text)
            recs.append(d)
    recs.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(recs)


def load_iu(base: Path | None = None) -> list[dict]:
    return [dict(r) for r in _load_iu(str(iu_archive(base)))]


# --------------------------------------------------------------------------------------------
# small text helpers
# --------------------------------------------------------------------------------------------

def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def split_sentences(text: str) -> list[str]:
    text = _clean_text(text)
    if not text:
        return []
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])", text)
    out: list[str] = []
    carry = ""
    for p in parts:
        if re.fullmatch(r"\(?\d+[.)]", p.strip()):
            carry += p.strip() + " "
            continue
        out.append((carry + p).strip())
        carry = ""
    if carry.strip():
        out.append(carry.strip())
    # drop list numbering, it is re-laid out
    out = [re.sub(r"^\(?\d+[.)]\s*", "", s).strip() for s in out]
    return [s for s in out if re.search(r"[A-Za-z]", s)]


def flip_side_words(sentence: str) -> str:
    def sub(m: re.Match) -> str:
        w = m.group(0)
        new = "right" if w.lower() == "left" else "left"
        if w.isupper():
            return new.upper()
        if w[0].isupper():
            return cap(new)
        return new
    return re.sub(r"\b(left|right)\b", sub, sentence, flags=re.I)


UK_SPELLING = [
    (r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"\bhemorrhag", "haemorrhag"), (r"\bHemorrhag", "Haemorrhag"),
    (r"\besophag", "oesophag"), (r"\bEsophag", "Oesophag"), (r"\btumor", "tumour"), (r"\bhematoma", "haematoma"),
    (r"\bvisualized", "visualised"), (r"\bVisualized", "Visualised"), (r"\blocalized", "localised"),
    (r"\bcharacterized", "characterised"), (r"\brecognized", "recognised"), (r"\bfavor", "favour"),
    (r"\bcentimeter", "centimetre"), (r"\banemia", "anaemia"), (r"\bischemi", "ischaemi"), (r"\bgray\b", "grey"),
    (r"\bhemothorax", "haemothorax"), (r"\bopacified", "opacified"), (r"\bfiber", "fibre"),
]


def uk_spell(text: str) -> str:
    for pat, rep in UK_SPELLING:
        text = re.sub(pat, rep, text)
    return text


# --------------------------------------------------------------------------------------------
# analysis used to pick IU reports (conservative, so that clean really is clean)
# --------------------------------------------------------------------------------------------

FAMILY = {
    "effusion": r"effusion|pleural fluid",
    "pneumothorax": r"pneumothora",
    "airspace": r"consolidat|air ?space|infiltrat|pneumoni|opacit|atelecta|ards\b",
    "edema": r"o?edema|congesti|heart failure|\bchf\b|fluid overload",
    "heart": r"cardiomegal|(heart|cardiac)( size| silhouette| shadow)? (is |appears )?(mildly |moderately |markedly |"
             r"slightly )?(enlarged|enlargement)|enlarged (heart|cardiac)|cardiac enlargement",
    "mass": r"\bmass|neoplas|malignan|tumou?r|nodul|lesion",
    "freeair": r"free (air|gas)|pneumoperitoneum|subdiaphragmatic|subphrenic",
    "mediastinum": r"widen(ed|ing)",
}
STRONG = {
    "effusion": r"(?<!pericardial )effusion",
    "pneumothorax": r"pneumothora",
    "airspace": r"consolidat|air ?space (disease|opacit|consolidation)|infiltrat|pneumonia",
    "edema": r"edema",
    "mass": r"\bmass\b",
}
NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|clear of|resolved|resolution|removal|absence|absent|nor|"
                     r"rather than|exclude|excluded|clearing|cleared)\b", re.I)
NEG_AFTER = re.compile(r"^[^.;]{0,40}?\b(not (seen|identified|present|appreciated|demonstrated|visualized|evident)|"
                       r"resolved|absent|cleared)\b", re.I)
HEDGE = re.compile(r"\b(may|might|possibl\w*|probabl\w*|likely|cannot|can not|could|question\w*|suspect\w*|"
                   r"suspicious|concern\w*|suggest\w*|versus|vs|or|differential|equivocal|questionable|vague)\b|\?",
                   re.I)
MINOR_Q = re.compile(r"\b(small|trace|tiny|minimal|mild|mildly|minor|stable|unchanged|chronic|old|healed|scar\w*|"
                     r"resolv\w*|improv\w*|decreas\w*|residual|subsegmental|blunting|borderline|calcifi\w*|"
                     r"granulom\w*|postoperative|post-operative|prior|persistent|again|redemonstrat\w*|"
                     r"previously|known|slight|slightly|soft tissue|subcutaneous|atelecta\w*|discoid|"
                     r"pericardial|streaky|XXXX)\b", re.I)
LUNGS_CLEAR = re.compile(r"\b(lungs?|lung fields)\b[^.;]*?\b(are|is|appear|remain)?\s*(clear|well aerated and clear)\b"
                         r"|\bclear lungs\b", re.I)
HEART_NORMAL = re.compile(r"\b(heart|cardiac|cardiomediastinal)\b[^.;]*?\b(normal|within normal limits|unremarkable|"
                          r"not enlarged|upper limits of normal)\b|\bnormal (heart|cardiac)\b", re.I)
NORMAL_SENT = re.compile(r"\b(no acute|no active|negative|normal|unremarkable|no (significant|radiographic)|"
                         r"no evidence of (acute|active)|clear lungs|lungs are clear|no interval change|"
                         r"no (new|focal) )", re.I)


def clauses(sentence: str) -> list[str]:
    pat = r";|\bbut\b|\bhowever\b|\balthough\b|\bthough\b|\bwhile\b|\bwhich\b"
    return [c for c in re.split(pat, sentence, flags=re.I) if c.strip()]


def family_status(text: str) -> dict[str, set[str]]:
    """family -> subset of {'aff', 'neg'} from all clauses of ``text``."""
    st: dict[str, set[str]] = {}
    for s in split_sentences(text):
        for c in clauses(s):
            for fam, pat in FAMILY.items():
                for m in re.finditer(pat, c, re.I):
                    before = c[: m.start()]
                    after = c[m.end():]
                    neg = bool(NEG_CUE.search(before)) or bool(NEG_AFTER.search(after))
                    if fam == "heart" and re.search(r"\bnot\b", before, re.I):
                        neg = True
                    st.setdefault(fam, set()).add("neg" if neg else "aff")
            if LUNGS_CLEAR.search(c) and not re.search(r"\botherwise\b", c, re.I):
                st.setdefault("airspace", set()).add("neg")
                st.setdefault("edema", set()).add("neg")
            if HEART_NORMAL.search(c) and not re.search(FAMILY["heart"], c, re.I):
                st.setdefault("heart", set()).add("neg")
    return st


def family_sides(text: str) -> dict[str, set[str]]:
    sides: dict[str, set[str]] = {}
    for s in split_sentences(text):
        for c in clauses(s):
            found = {w.lower() for w in re.findall(r"\b(left|right)\b", c, re.I)}
            if re.search(r"\b(bilateral\w*|both|bibasilar|bibasal)\b", c, re.I):
                found |= {"left", "right"}
            if not found:
                continue
            for fam, pat in FAMILY.items():
                if re.search(pat, c, re.I):
                    sides.setdefault(fam, set()).update(found)
    return sides


def impression_is_normal(imp: str) -> bool:
    sents = split_sentences(imp)
    if not sents:
        return False
    for s in sents:
        st = family_status(s)
        if any("aff" in v for v in st.values()):
            return False
        if not NORMAL_SENT.search(s):
            return False
    return True


def classify_iu(rec: dict) -> str | None:
    """'normal', 'abnormal' (consistent) or None (unusable or doubtful)."""
    f, i = rec.get("findings", ""), rec.get("impression", "")
    if len(split_sentences(f)) < 2 or len(i) < 8:
        return None
    if re.search(r"[\[\]<>{}*_]|\?\?", f + i):
        return None
    if len(f) > 900 or len(i) > 500:
        return None
    fs, is_ = family_status(f), family_status(i)
    f_aff = {k for k, v in fs.items() if "aff" in v}
    i_aff = {k for k, v in is_.items() if "aff" in v}
    if impression_is_normal(i):
        return "normal" if not f_aff else None
    for fam in FAMILY:
        fv, iv = fs.get(fam, set()), is_.get(fam, set())
        if ("aff" in fv and "neg" in iv) or ("neg" in fv and "aff" in iv):
            return None
        if "aff" in fv and "neg" in fv:
            return None
    if f_aff - i_aff or i_aff - f_aff:
        return None
    fsd, isd = family_sides(f), family_sides(i)
    for fam in set(fsd) & set(isd):
        if fsd[fam] != isd[fam]:
            return None
    if any(NORMAL_SENT.search(s) and re.search(r"\bno acute\b", s, re.I) for s in split_sentences(i)) and \
            any(re.search(STRONG.get(k, "$^"), f, re.I) and "aff" in fs.get(k, set()) for k in STRONG):
        return None
    return "abnormal"


# --------------------------------------------------------------------------------------------
# style: headers, sign-offs, wording
# --------------------------------------------------------------------------------------------

UK_SURNAMES = ["Okafor", "Patel", "Hughes", "Murray", "Chen", "Davies", "Ahmed", "Walsh", "O'Neill", "Fraser",
               "Kowalski", "Singh", "Reid", "Bhatt", "Lloyd"]
US_NAMES = ["Michael Torres", "Sarah Kim", "David Goldberg", "Jennifer Alvarez", "Robert Nguyen", "Emily Hart",
            "James O'Brien", "Priya Raman", "Daniel Weiss", "Laura Mitchell"]

STYLE = {
    "UK": {
        "exam": ["XR Chest AP (mobile)", "CXR - mobile AP supine (Burns ITU)", "Chest X-ray: AP portable",
                 "EXAMINATION: XR CHEST PORTABLE", "XR CHEST - Burns Unit ITU", "Mobile chest radiograph (AP erect)"],
        "clin": ["Clinical details:", "Clinical Details:", "CLINICAL DETAILS:", "Clinical information:",
                 "Clinical history:", "Indication:"],
        "comp": ["Comparison:", "Compared with:", "Previous:", "Comparison made with:"],
        "find": ["Report:", "REPORT:", "Findings:", "FINDINGS:"],
        "imp": ["Conclusion:", "CONCLUSION:", "Impression:", "Opinion:", "Summary:", "IMPRESSION:"],
        "iu_exam": ["XR Chest PA and lateral", "CXR PA/Lat", "Chest X-ray (2 views)"],
    },
    "US": {
        "exam": ["EXAM: XR CHEST PORTABLE 1 VIEW", "EXAMINATION: CHEST, SINGLE VIEW, PORTABLE",
                 "PROCEDURE: XR Chest 1 View AP", "Portable AP chest radiograph", "EXAM: CHEST 1V (BURN ICU)"],
        "clin": ["INDICATION:", "CLINICAL HISTORY:", "HISTORY:", "REASON FOR EXAM:", "Clinical indication:"],
        "comp": ["COMPARISON:", "Comparison:", "PRIOR:"],
        "find": ["FINDINGS:", "Findings:"],
        "imp": ["IMPRESSION:", "Impression:", "CONCLUSION:"],
        "iu_exam": ["EXAM: XR CHEST PA AND LATERAL", "EXAMINATION: CHEST 2 VIEWS", "PROCEDURE: Chest PA/Lateral"],
    },
}


def signoff(rng: random.Random, style: str) -> list[str]:
    if style == "UK":
        n = rng.choice(UK_SURNAMES)
        ini = rng.choice("ABCDEGHJKLMNPRS")
        return rng.choice([
            [f"Dr {ini} {n}, Consultant Radiologist"],
            [f"Reported by: Dr {ini} {n} (ST4 Radiology)", "Verified by: Dr XXXX, Consultant Radiologist"],
            [f"Dr {ini}. {n} FRCR"],
            ["Dr XXXX, Consultant Radiologist", "GMC XXXX"],
            [f"Electronically signed by Dr {ini} {n}, Consultant Radiologist, XXXX"],
            [f"Reported by Dr {n}, Radiology Registrar. Discussed with Dr XXXX (Consultant)."],
        ])
    name = rng.choice(US_NAMES)
    return rng.choice([
        [f"Electronically signed by: {name}, MD on XXXX at XXXX"],
        [f"Dictated by: {name}, M.D.", "Transcribed: XXXX"],
        [f"{name}, MD", "Attending Radiologist"],
        ["I have personally reviewed the images and agree with the findings above.",
         f"Electronically signed: {name}, MD XXXX"],
        [f"Signed by {name}, MD (Radiology) XXXX"],
    ])


def comparison_text(rng: random.Random, style: str, prior: bool) -> str:
    if not prior:
        return rng.choice(["None.", "None available.", "No previous imaging."])
    if style == "UK":
        return rng.choice(["Previous film XXXX.", "CXR of XXXX.", "Film from yesterday.",
                           "Multiple previous, most recent XXXX.", "Previous film dated ___.", "Earlier film today."])
    return rng.choice(["XXXX.", "Portable chest radiograph from earlier today.", "Chest radiograph XXXX.",
                       "Prior portable chest radiograph, XXXX.", "Radiograph from yesterday."])


# --------------------------------------------------------------------------------------------
# composed reports: phrase bank
# --------------------------------------------------------------------------------------------

_ids = iter(range(10 ** 9))


def _item(**kw) -> dict:
    kw.setdefault("side", None)
    kw.setdefault("sig", False)
    kw.setdefault("i", None)
    kw.setdefault("neg_i", None)
    kw.setdefault("rec", None)
    kw.setdefault("comm", None)
    kw.setdefault("lung", False)
    kw.setdefault("device", False)
    kw["id"] = next(_ids)
    return kw


def region(rng, st, side, where):
    if st == "UK":
        return {"lower": rng.choice([f"{side} lower zone", f"{side} base"]), "mid": f"{side} mid zone",
                "upper": f"{side} upper zone"}[where]
    return {"lower": rng.choice([f"{side} lower lobe", f"{side} lung base"]), "mid": f"{side} mid lung",
            "upper": f"{side} upper lobe"}[where]


def region_adj(rng, st, where):
    if st == "UK":
        return {"lower": rng.choice(["lower zone", "basal"]), "mid": "mid zone", "upper": "upper zone"}[where]
    return {"lower": rng.choice(["lower lobe", "basilar"]), "mid": "mid lung", "upper": "upper lobe"}[where]


def mk_consolidation(rng, st, side, prior):
    where = rng.choice(["lower", "lower", "lower", "mid", "upper"])
    loc = region(rng, st, side, where)
    adj = region_adj(rng, st, where)
    new = rng.choice(["new ", "increasing ", ""]) if prior else ""
    f = cap(rng.choice([
        f"{new}airspace opacification in the {loc}, in keeping with consolidation.",
        f"There is {new}consolidation in the {loc} with air bronchograms.",
        f"{new}patchy airspace opacity in the {loc}.",
        f"Dense {new}consolidation in the {loc}.",
    ]))
    i = cap(rng.choice([
        f"{side} {adj} consolidation, in keeping with pneumonia in this clinical context.",
        f"{new}{side} {adj} consolidation, likely infective.",
        f"{side} {adj} pneumonia.",
        f"{new}{side} {adj} consolidation - ?ventilator-associated pneumonia.",
    ]))
    rec = rng.choice([None, "Suggest follow-up film to confirm resolution.", "Correlate with sputum culture."])
    return _item(topic="airspace", side=side, sig=True, slot="lungs", lung=True, f=f, i=i, rec=rec,
                 neg_i=rng.choice(["No focal consolidation.", "Lungs clear.", "No pneumonia."]))


def mk_effusion(rng, st, side, size, prior):
    if side == "bilateral":
        f = rng.choice([f"{cap(size)} bilateral pleural effusions.",
                        f"Bilateral pleural effusions, {size} in volume, with basal atelectasis."])
        i = rng.choice([f"{cap(size)} bilateral pleural effusions.", f"Bilateral {size} pleural effusions."])
        side_v = None
    else:
        trend = ""
        if prior and size != "small":
            trend = rng.choice(["", ", increased since the previous film", ", new since the prior study"])
        opts = [f"{cap(size)} {side} pleural effusion{trend}.", f"There is a {size} {side} pleural effusion{trend}.",
                f"Hazy increased density over the {side} hemithorax on this supine film, in keeping with a layering "
                f"{size} effusion."]
        if size == "small":
            opts.append(f"Blunting of the {side} costophrenic angle, in keeping with a small effusion.")
        f = rng.choice(opts)
        i = rng.choice([f"{cap(size)} {side} pleural effusion{', increased' if 'increased' in trend else ''}.",
                        f"{cap(side)} pleural effusion ({size}).", f"{cap(size)} {side} effusion."])
        side_v = side
    return _item(topic="effusion", side=side_v, sig=size in ("moderate", "large"), slot="pleura", f=f, i=i,
                 neg_i=rng.choice(["No pleural effusion.", "No effusion."]))


def mk_pneumothorax(rng, st, side, prior):
    n = rng.choice(["1", "1.5", "2", "2.5", "3"])
    new = "New " if prior and rng.random() < 0.5 else ""
    f = rng.choice([
        f"{new}{side if new else cap(side)} apical pneumothorax measuring {n} cm.",
        f"There is a {side} pneumothorax with a {n} cm rim at the level of the hilum.",
        f"{cap(side)} pneumothorax; the visceral pleural edge is seen {n} cm from the chest wall at the apex.",
    ])
    i = rng.choice([f"{cap(side)} pneumothorax ({n} cm).", f"{new}{side if new else cap(side)} apical pneumothorax.",
                    f"{cap(side)} pneumothorax, {n} cm at the apex."])
    if st == "UK":
        comm = rng.choice(["Discussed with the burns ITU registrar at XXXX.", "Findings telephoned to Dr XXXX, ITU."])
    else:
        comm = rng.choice(["Findings communicated to Dr. XXXX by telephone at XXXX.",
                           "Critical result called to the burn ICU team at XXXX."])
    return _item(topic="pneumothorax", side=side, sig=True, slot="pleura", f=f, i=i, comm=comm,
                 neg_i="No pneumothorax.")


def mk_edema(rng, st, prior):
    f = rng.choice([
        "Upper lobe venous diversion, perihilar haziness and septal lines, in keeping with pulmonary edema.",
        "Increased interstitial markings with bilateral perihilar airspace opacity, consistent with fluid overload.",
        "Pulmonary vascular congestion and interstitial edema" + (", increased since the previous film." if prior
                                                                  else "."),
        "Bilateral perihilar haziness and Kerley B lines" + (", new since the prior study." if prior else "."),
    ])
    i = rng.choice(["Pulmonary edema, likely fluid overload following resuscitation.",
                    "Fluid overload with interstitial pulmonary edema.",
                    "Pulmonary edema - correlate with fluid balance.", "Features of fluid overload."])
    return _item(topic="edema", sig=True, slot="lungs", lung=True, f=f, i=i,
                 neg_i=rng.choice(["No pulmonary edema.", "No evidence of fluid overload."]))


def mk_ards(rng, st, prior):
    if prior:
        f = rng.choice(["Widespread bilateral airspace opacification, worse than on the previous film.",
                        "Diffuse bilateral patchy airspace opacities, progressed since yesterday.",
                        "Bilateral airspace consolidation, mid and lower zone predominant, increased since the "
                        "previous film."])
        i = rng.choice(["Progressive bilateral airspace opacification, in keeping with ARDS in this clinical context.",
                        "Worsening bilateral airspace disease, consistent with ARDS."])
    else:
        f = rng.choice(["Widespread bilateral airspace opacification.", "Diffuse bilateral patchy airspace opacities."])
        i = rng.choice(["Bilateral airspace opacification, in keeping with ARDS in this clinical context.",
                        "Diffuse bilateral airspace disease, consistent with ARDS."])
    return _item(topic="airspace", sig=True, slot="lungs", lung=True, f=f, i=i,
                 neg_i=rng.choice(["Lungs clear.", "No airspace opacification."]))


def mk_inhalation(rng, st, prior):
    f = rng.choice(["Bronchial wall thickening and peribronchial cuffing in the perihilar regions.",
                    "Central peribronchial cuffing and bronchial wall thickening."])
    i = rng.choice(["Peribronchial cuffing, which may reflect inhalational injury in this context.",
                    "Bronchial wall thickening, in keeping with the known inhalational injury."])
    return _item(topic="airways", slot="lungs", lung=True, f=f, i=i, neg_i="No bronchial wall thickening.")


def mk_atelectasis(rng, st, side, prior):
    f = rng.choice([f"Linear atelectasis at the {side} base.",
                    f"Plate atelectasis in the {region(rng, st, side, 'lower')}.",
                    f"Minor {side} basal atelectasis."])
    i = rng.choice([f"{cap(side)} basal atelectasis.", f"Minor {side} basal atelectasis."])
    return _item(topic="atelectasis", side=side, slot="lungs", lung=True, f=f, i=i,
                 neg_i="No collapse or atelectasis.", optional=True)


def mk_cardiomegaly(rng, st, prior):
    f = rng.choice(["The heart is mildly enlarged.", "Mild cardiomegaly" + (", unchanged." if prior else "."),
                    "Cardiothoracic ratio mildly increased, accepting the AP projection."])
    return _item(topic="heart", slot="heart", f=f, i="Mild cardiomegaly.",
                 neg_i=rng.choice(["Normal heart size.", "Heart size is normal."]), optional=True)


def mk_nodule(rng, st, side, prior):
    mm = rng.choice([4, 5, 8, 10, 12])
    zone = "mid zone" if st == "UK" else "mid lung"
    f = f"Incidental {mm} mm nodular opacity projected over the {side} {zone}."
    if mm >= 6:
        i = f"{mm} mm {side} lung nodule - recommend non-urgent CT chest once clinically appropriate."
    else:
        i = f"{mm} mm {side} lung nodule; comparison with any previous imaging would be helpful."
    return _item(topic="nodule", side=side, sig=mm >= 6, slot="lungs", lung=True, f=f, i=i,
                 neg_i="No pulmonary nodule.", optional=mm < 6)


def mk_subcut(rng, st, side):
    word = "Surgical emphysema" if st == "UK" else "Subcutaneous emphysema"
    return _item(topic="sc_emphysema", side=side, slot="bones", f=f"{word} in the {side} chest wall.",
                 i=f"{cap(side)} chest wall {word.lower()}.", optional=True)


# devices --------------------------------------------------------------------------------------

def mk_devices(rng, st, scenario_side=None, drain_side=None):
    devs = []
    airway = rng.random()
    if airway < 0.6:
        low = rng.random() < 0.1
        n = rng.choice(["0.5", "1"]) if low else rng.choice(["3", "3.5", "4", "4.5", "5", "5.5", "6"])
        name = "ETT" if st == "UK" else rng.choice(["ET tube", "Endotracheal tube"])
        f = rng.choice([f"{'Endotracheal tube' if st == 'US' else 'ETT'} tip {n} cm above the carina.",
                        f"The endotracheal tube terminates {n} cm above the carina.",
                        f"{name} in situ, tip {n} cm above the carina."])
        d = _item(topic="ett", slot="lines", device=True, f=f, name=name)
        if low:
            d["i"] = f"{name} tip low, {n} cm above the carina - suggest withdrawing by 2 cm."
            d["standalone"] = True
        devs.append(d)
    elif airway < 0.8:
        devs.append(_item(topic="trach", slot="lines", device=True, name="tracheostomy tube",
                          f=rng.choice(["Tracheostomy tube in situ.", "Tracheostomy tube in satisfactory position."])))
    if rng.random() < 0.65:
        if st == "UK":
            ng = rng.choice(["NGT", "nasogastric tube", "fine-bore NG tube"])
        else:
            ng = rng.choice(["enteric tube", "orogastric tube", "NG tube"])
        f = rng.choice([f"The {ng} passes below the diaphragm with its tip in the stomach.",
                        f"{cap(ng)} tip projected over the gastric fundus.",
                        f"{cap(ng)} courses below the diaphragm, tip beyond the inferior margin of the film."])
        devs.append(_item(topic="ngt", slot="lines", device=True, f=f, name=ng))
    if scenario_side or rng.random() < 0.5:
        side = scenario_side or rng.choice(["left", "right"])
        vein = rng.choice(["internal jugular", "subclavian"]) if scenario_side is None else "subclavian"
        short = "IJ" if vein == "internal jugular" else "subclavian"
        f = rng.choice([f"{cap(side)} {vein} central venous catheter, tip projected over the SVC.",
                        f"{cap(side)} {short} CVC with tip at the cavoatrial junction.",
                        f"{cap(side)} {vein} line, tip in the lower SVC."])
        devs.append(_item(topic="cvc", slot="lines", device=True, f=f, name=f"{side} {short} line"))
    if drain_side:
        word = "intercostal drain" if st == "UK" else "chest tube"
        devs.append(_item(topic="drain", slot="lines", device=True, name=f"{drain_side} {word}",
                          f=f"{cap(drain_side)} {word} in situ, tip directed towards the apex."))
    return devs


def device_summary(rng, devs) -> str | None:
    names = [d["name"] for d in devs if not d.get("standalone")]
    if not names:
        return None
    if len(names) == 1:
        return f"{cap(names[0])} in satisfactory position."
    joined = ", ".join(names[:-1]) + " and " + names[-1]
    return rng.choice([f"{cap(joined)} in satisfactory position.", "Lines and tubes satisfactorily sited.",
                       "Support devices in appropriate position.", f"{cap(joined)} appropriately sited."])


SOFT_TISSUE = ["Extensive overlying burns dressings.", "Overlying dressings and ECG leads.",
               "Escharotomy dressings project over the anterior chest wall.",
               "Skin staples over the chest wall from recent grafting.",
               "Chest wall soft tissue swelling in keeping with the known burns.",
               "Overlying dressings limit assessment of the lung bases."]

NORMAL_IMP = {
    "UK": ["No acute abnormality.", "No acute cardiopulmonary abnormality.", "Clear lungs. No acute abnormality.",
           "No significant abnormality demonstrated.", "No acute chest abnormality."],
    "US": ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.", "Clear lungs.",
           "No acute cardiopulmonary findings."],
}

CLIN = {
    "UK": {
        "normal": ["{p}% TBSA flame burns, intubated for airway protection. Post ETT/NGT - position?",
                   "Inhalational injury. Day {d} ventilated. Routine film.",
                   "Facial and neck burns, ventilated. Tube check.",
                   "Post chest escharotomy, ventilated.", "Line check.", "Burns patient, ventilated. Daily film."],
        "airspace": ["Pyrexial, rising FiO2 and purulent secretions. ?VAP", "Day {d} post burns, increasing oxygen "
                     "requirement. ?consolidation", "Inhalational injury, worsening gas exchange. ?ARDS ?infection"],
        "edema": ["Massive fluid resuscitation, positive balance {b} L. ?overload", "{p}% TBSA burns, Parkland "
                  "resuscitation, rising oxygen requirement."],
        "effusion": ["Reduced air entry at the bases. ?effusion",
                     "Increasing oxygen requirement, positive fluid balance."],
        "pneumothorax": ["Post line insertion, desaturated. ?pneumothorax", "Sudden rise in airway pressures. ?PTX"],
    },
    "US": {
        "normal": ["{a}-year-old {sx} with {p}% TBSA burns and inhalation injury, intubated. "
                   "Evaluate ET tube position.",
                   "Burn patient, intubated. Line and tube check.", "s/p central line placement.",
                   "Inhalation injury, intubated. Routine AM film.", "{p}% TBSA burns. Daily chest."],
        "airspace": ["Burn patient with fever and leukocytosis. Evaluate for pneumonia.",
                     "Hypoxia, evaluate for ARDS.", "Increasing secretions, rule out VAP."],
        "edema": ["Fluid resuscitation, increasing oxygen requirement. Evaluate for edema.",
                  "Burn resuscitation, positive fluid balance, hypoxia."],
        "effusion": ["Decreased breath sounds at the bases.", "Hypoxia, positive fluid balance."],
        "pneumothorax": ["s/p central line attempt, hypoxia. Rule out pneumothorax.",
                         "Rising peak pressures, evaluate for pneumothorax."],
    },
}


def clinical(rng, st, theme):
    t = rng.choice(CLIN[st].get(theme, CLIN[st]["normal"]))
    return t.format(p=rng.choice([18, 25, 30, 35, 40, 45, 55, 60]), d=rng.randint(1, 14), b=rng.choice([4, 6, 8, 11]),
                    a=rng.randint(19, 78), sx=rng.choice(["male", "female"]))


def compose(rng: random.Random, need: str | None = None) -> dict:
    """Build one composed report structure.  ``need``: 'sided', 'sig', 'patho', 'negatives', None."""
    st = rng.choice(["UK", "US"])
    prior = rng.random() < 0.8
    kinds = ["normal", "airspace", "edema", "effusion", "pneumothorax", "ards", "inhalation", "mixed"]
    weights = [30, 18, 12, 12, 8, 8, 6, 6]
    if need in ("sided",):
        kinds, weights = ["airspace", "effusion", "pneumothorax", "mixed"], [4, 3, 3, 2]
    elif need in ("sig", "patho"):
        kinds, weights = kinds[1:], weights[1:]
    theme = rng.choices(kinds, weights)[0]
    side = rng.choice(["left", "right"])
    items: list[dict] = []
    cvc_side = drain_side = None
    if theme == "airspace":
        items.append(mk_consolidation(rng, st, side, prior))
        if rng.random() < 0.35:
            items.append(mk_effusion(rng, st, side, "small", prior))
    elif theme == "edema":
        items.append(mk_edema(rng, st, prior))
        if rng.random() < 0.5:
            items.append(mk_effusion(rng, st, "bilateral", "small", prior))
        if rng.random() < 0.3:
            items.append(mk_cardiomegaly(rng, st, prior))
    elif theme == "effusion":
        size = rng.choice(["small", "moderate", "moderate", "large"]) if need != "sig" else rng.choice(
            ["moderate", "large"])
        items.append(mk_effusion(rng, st, side, size, prior))
        if rng.random() < 0.4:
            items.append(mk_atelectasis(rng, st, side, prior))
    elif theme == "pneumothorax":
        items.append(mk_pneumothorax(rng, st, side, prior))
        cvc_side = side
        if rng.random() < 0.35:
            items.append(mk_subcut(rng, st, side))
    elif theme == "ards":
        items.append(mk_ards(rng, st, prior))
    elif theme == "inhalation":
        items.append(mk_inhalation(rng, st, prior))
        if need in ("sig",):
            items.append(mk_edema(rng, st, prior))
    elif theme == "mixed":
        other = "left" if side == "right" else "right"
        items.append(mk_consolidation(rng, st, side, prior))
        items.append(mk_atelectasis(rng, st, other, prior))
        if rng.random() < 0.3:
            items.append(mk_nodule(rng, st, rng.choice(["left", "right"]), prior))
    else:  # normal, optionally a minor finding
        r = rng.random()
        if r < 0.15 and need != "negatives":
            items.append(mk_atelectasis(rng, st, side, prior))
        elif r < 0.25:
            items.append(mk_cardiomegaly(rng, st, prior))
        elif r < 0.3:
            items.append(mk_nodule(rng, st, side, prior))
    if theme == "pneumothorax" and rng.random() < 0.3:
        drain_side = side
    devs = mk_devices(rng, st, cvc_side, drain_side)
    topics = {it["topic"] for it in items}
    lung_items = [it for it in items if it["lung"]]
    find: list[dict] = []
    for d in devs:
        find.append({"slot": "lines", "text": d["f"], "item": d["id"]})
    for it in items:
        find.append({"slot": it["slot"], "text": it["f"], "item": it["id"]})
    negs: list[dict] = []
    force = need == "negatives"
    if not lung_items and (force or rng.random() < 0.9):
        negs.append({"slot": "lungs", "topics": {"airspace"},
                     "text": rng.choice(["The lungs are clear.", "Lungs clear.", "No focal consolidation.",
                                         "No consolidation or collapse.", "Clear lungs bilaterally."])})
    elif lung_items and all(it["topic"] in ("atelectasis", "nodule", "airways") for it in lung_items) \
            and rng.random() < 0.6:
        negs.append({"slot": "lungs", "topics": {"airspace"}, "text": "No focal consolidation."})
    if force or rng.random() < 0.9:
        if "effusion" not in topics and "pneumothorax" not in topics:
            negs.append({"slot": "pleura", "topics": {"effusion", "pneumothorax"},
                         "text": rng.choice(["No pleural effusion or pneumothorax.", "No pneumothorax or pleural "
                                             "effusion.", "Costophrenic angles are clear. No pneumothorax."])})
        elif "pneumothorax" not in topics:
            negs.append({"slot": "pleura", "topics": {"pneumothorax"}, "text": "No pneumothorax."})
        elif "effusion" not in topics:
            negs.append({"slot": "pleura", "topics": {"effusion"}, "text": "No pleural effusion."})
    if "heart" not in topics and (force or rng.random() < 0.8):
        negs.append({"slot": "heart", "topics": {"heart"},
                     "text": rng.choice(["Heart size normal.", "Heart size is within normal limits for an AP "
                                         "projection.", "Cardiomediastinal contours are unremarkable.",
                                         "The heart is not enlarged."])})
    if rng.random() < 0.5:
        negs.append({"slot": "bones", "topics": {"bones"},
                     "text": rng.choice(["No acute bony abnormality.", "No rib fracture is identified."])})
    if rng.random() < 0.12:
        negs.append({"slot": "bones", "topics": {"freeair"}, "text": "No free gas under the diaphragm."})
    for n in negs:
        find.append({"slot": n["slot"], "text": n["text"], "item": None, "neg": n["topics"]})
    if rng.random() < 0.55:
        find.append({"slot": "bones", "text": rng.choice(SOFT_TISSUE), "item": None})
    order = {"lines": 0, "lungs": 1, "pleura": 2, "heart": 3, "bones": 4}
    find.sort(key=lambda x: order[x["slot"]])

    imp: list[dict] = []
    for d in devs:
        if d.get("standalone"):
            imp.append({"text": d["i"], "item": d["id"], "kind": "device"})
    summ = device_summary(rng, devs)
    if summ and rng.random() < 0.75:
        imp.append({"text": summ, "item": None, "kind": "device"})
    sig_first = sorted(items, key=lambda it: not it["sig"])
    for it in sig_first:
        if it.get("optional") and rng.random() < 0.4:
            continue
        imp.insert(0 if it["sig"] and rng.random() < 0.6 else len(imp),
                   {"text": it["i"], "item": it["id"], "kind": "patho"})
    if not any(x["kind"] == "patho" for x in imp):
        if any(it["sig"] for it in items):
            raise AssertionError("significant item left out")
        normals = [t for t in NORMAL_IMP[st] if not (lung_items and "lear" in t)]
        imp.append({"text": rng.choice(normals), "item": None, "kind": "normal"})
    elif rng.random() < 0.15 and all(not it["sig"] for it in items):
        imp.append({"text": "No other acute abnormality.", "item": None, "kind": "normal"})
    recs = [it for it in items if it.get("rec") and rng.random() < 0.6]
    for it in recs:
        imp.append({"text": it["rec"], "item": it["id"], "kind": "rec"})
    comm = [it["comm"] for it in items if it.get("comm") and rng.random() < 0.6]
    return {
        "style": st, "prior": prior, "theme": theme, "items": items, "devs": devs,
        "exam": rng.choice(STYLE[st]["exam"]) if rng.random() < 0.85 else None,
        "clin_hdr": rng.choice(STYLE[st]["clin"]),
        "clin": clinical(rng, st, {"ards": "airspace", "mixed": "airspace", "inhalation": "normal"}.get(theme, theme)),
        "tech": ("TECHNIQUE: Single portable AP view of the chest." if st == "US" and rng.random() < 0.4 else None),
        "comp_hdr": rng.choice(STYLE[st]["comp"]), "comp": comparison_text(rng, st, prior),
        "comp_show": rng.random() < 0.85,
        "find_hdr": rng.choice(STYLE[st]["find"]),
        "find_layout": rng.choice(["para", "para", "lines", "struct"] if st == "US" else ["para", "para", "lines",
                                                                                            "dash"]),
        "find": find,
        "imp_hdr": rng.choice(STYLE[st]["imp"]),
        "imp_layout": rng.choice(["numbered", "numbered", "para", "lines"] if st == "UK" else ["numbered", "para"]),
        "inline": rng.random() < 0.35,
        "imp": imp, "comm": comm[0] if comm else None,
        "sign": signoff(rng, st),
        "blank": rng.random() < 0.6,
        "missing": None,
    }


SLOT_LABEL = {"lines": "Lines/tubes:", "lungs": "Lungs:", "pleura": "Pleura:", "heart": "Heart/mediastinum:",
              "bones": "Bones/soft tissues:"}


def render(rep: dict) -> str:
    st = rep["style"]
    blocks: list[list[str]] = []
    head = []
    if rep.get("exam"):
        head.append(rep["exam"])
    if rep.get("clin"):
        head.append(f"{rep['clin_hdr']} {rep['clin']}")
    if rep.get("tech"):
        head.append(rep["tech"])
    if rep.get("comp_show") and rep.get("comp"):
        head.append(f"{rep['comp_hdr']} {rep['comp']}")
    blocks.append(head)
    miss = rep.get("missing")
    # findings
    fb: list[str] = []
    sents = [x["text"] for x in rep["find"]]
    if miss == "find_empty" or not sents:
        fb.append(rep["find_hdr"])
    elif rep["find_layout"] == "struct":
        fb.append(rep["find_hdr"])
        for slot, label in SLOT_LABEL.items():
            s = [x["text"] for x in rep["find"] if x["slot"] == slot]
            if s:
                fb.append(f"{label} {' '.join(s)}")
    elif rep["find_layout"] == "lines":
        fb.append(rep["find_hdr"])
        fb.extend(sents)
    elif rep["find_layout"] == "dash":
        fb.append(rep["find_hdr"])
        fb.extend(f"- {s}" for s in sents)
    elif rep["inline"]:
        fb.append(f"{rep['find_hdr']} {' '.join(sents)}")
    else:
        fb.extend([rep["find_hdr"], " ".join(sents)])
    blocks.append(fb)
    # impression
    ib: list[str] = []
    isents = [x["text"] for x in rep["imp"]]
    if miss == "imp_removed":
        pass
    elif miss in ("imp_empty", "imp_sign") or not isents:
        ib.append(rep["imp_hdr"])
    elif rep["imp_layout"] == "numbered" and len(isents) > 1:
        ib.append(rep["imp_hdr"])
        ib.extend(f"{k}. {s}" for k, s in enumerate(isents, 1))
    elif rep["imp_layout"] == "lines":
        ib.append(rep["imp_hdr"])
        ib.extend(isents)
    elif rep["inline"]:
        ib.append(f"{rep['imp_hdr']} {' '.join(isents)}")
    else:
        ib.extend([rep["imp_hdr"], " ".join(isents)])
    if rep.get("comm") and miss not in ("imp_removed", "imp_empty", "imp_sign") and isents:
        ib.append(rep["comm"])
    if ib:
        blocks.append(ib)
    blocks.append(list(rep["sign"]))
    sep = "\n\n" if rep.get("blank") else "\n"
    text = sep.join("\n".join(b) for b in blocks if b)
    if st == "UK":
        text = uk_spell(text)
    return text


# --------------------------------------------------------------------------------------------
# placeholders (shared by composed and IU cases)
# --------------------------------------------------------------------------------------------

PH_CLASSES = [
    ("measure", re.compile(r"\b\d+(?:\.\d+)?(?= ?(?:cm|mm)\b)"), ["XX", "[ ]", "***", "<<measurement>>", "[x]"]),
    ("size", re.compile(r"\b(small|moderate|large|mild|mildly)\b", re.I),
     ["[small/moderate/large]", "<<size>>", "[***]", "[ ]", "___"]),
    ("side", re.compile(r"\b(left|right)\b", re.I), ["[left/right]", "<<side>>", "[side]", "[***]", "[LEFT/RIGHT]"]),
    ("normal", re.compile(r"\b(satisfactory|appropriate|clear|normal|unremarkable)\b", re.I),
     ["[***]", "[ ]", "[normal/abnormal]", "___", "<<normal>>"]),
    ("place", re.compile(r"\b(stomach|carina|SVC|apex|gastric fundus|hilum)\b"),
     ["[position]", "<<tip position>>", "[***]", "[location]"]),
    ("lobe", re.compile(r"\b(lower|upper|middle|mid)\b(?= (lobe|zone|lung))"), ["[lobe]", "<<zone>>", "[***]", "___"]),
]


def placeholder_options(sentence: str) -> list[tuple[str, re.Match, list[str]]]:
    out = []
    for name, pat, toks in PH_CLASSES:
        for m in pat.finditer(sentence):
            if "XXXX" in sentence[max(0, m.start() - 5): m.end() + 5]:
                continue
            out.append((name, m, toks))
    return out


def put_placeholder(rng, sentence: str) -> tuple[str, str] | None:
    opts = placeholder_options(sentence)
    if not opts:
        return None
    name, m, toks = rng.choice(opts)
    tok = rng.choice(toks)
    new = sentence[: m.start()] + tok + sentence[m.end():]
    return new, f"'{m.group(0)}' -> '{tok}'"


# --------------------------------------------------------------------------------------------
# composed cases
# --------------------------------------------------------------------------------------------

ASSERT = {
    "airspace": lambda rng, st, s: rng.choice([f"{cap(s)} lower {'zone' if st == 'UK' else 'lobe'} consolidation.",
                                               f"Patchy airspace opacity at the {s} base, likely infective."]),
    "effusion": lambda rng, st, s: rng.choice([f"Moderate {s} pleural effusion.", "Bilateral pleural effusions."]),
    "pneumothorax": lambda rng, st, s: rng.choice([f"{cap(s)} apical pneumothorax.", f"Small {s} pneumothorax."]),
    "heart": lambda rng, st, s: rng.choice(["Cardiomegaly.", "Enlarged cardiac silhouette."]),
    "freeair": lambda rng, st, s: "Free gas under the right hemidiaphragm - ?perforation.",
}


def composed_case(rng: random.Random, kind: str | None, variant: str | None = None) -> tuple[str, str]:
    """-> (report, detail)"""
    need = {None: None, "missing_section": None, "placeholder": None, "laterality_conflict": "sided",
            "negation_conflict": "negatives", "impression_omits_finding": "sig"}[kind]
    for _ in range(200):
        rep = compose(rng, need)
        res = _inject_composed(rng, rep, kind, variant)
        if res is not None:
            text, what = res
            return text, f"composed ({rep['style']}, {rep['theme']}, {rep['find_hdr'].strip(':')}/" \
                         f"{rep['imp_hdr'].strip(':')}): {what}"
    raise RuntimeError(f"could not compose a {kind} case")


def _inject_composed(rng, rep, kind, variant=None):
    if kind is None:
        return render(rep), "clean"
    if kind == "missing_section":
        how = variant or rng.choice(["find_empty", "imp_empty", "imp_sign", "imp_removed"])
        rep["missing"] = how
        if how == "find_empty":
            rep["inline"] = False
        return render(rep), {"find_empty": "FINDINGS emptied (header kept, nothing under it)",
                             "imp_empty": "IMPRESSION emptied (header kept, nothing under it)",
                             "imp_sign": "IMPRESSION emptied (header with only the sign-off under it)",
                             "imp_removed": "IMPRESSION section removed"}[how]
    if kind == "laterality_conflict":
        cands = [it for it in rep["items"] if it["side"] in ("left", "right") and it["topic"] != "sc_emphysema"
                 and any(x["item"] == it["id"] for x in rep["imp"])
                 and re.search(rf"\b{it['side']}\b", it["i"], re.I) and re.search(rf"\b{it['side']}\b", it["f"], re.I)]
        if not cands:
            return None
        it = rng.choice(cands)
        where = rng.choice(["find", "imp"])
        for x in rep[where]:
            if x["item"] == it["id"]:
                old = x["text"]
                x["text"] = flip_side_words(old)
        sec = "FINDINGS" if where == "find" else "IMPRESSION"
        other = "IMPRESSION" if where == "find" else "FINDINGS"
        return render(rep), f"{it['side']} -> {'right' if it['side'] == 'left' else 'left'} in {sec} sentence " \
                            f"'{old}' ({other} keeps the {it['side']} side)"
    if kind == "negation_conflict":
        mode = variant or rng.choice(["assert", "negate"])
        if mode == "negate":
            cands = [it for it in rep["items"] if it.get("neg_i") and any(x["item"] == it["id"] for x in rep["imp"])]
            if not cands:
                return None
            it = rng.choice(cands)
            for x in rep["imp"]:
                if x["item"] == it["id"] and x["kind"] == "patho":
                    old = x["text"]
                    x["text"] = it["neg_i"]
            rep["imp"] = [x for x in rep["imp"] if not (x["item"] == it["id"] and x["kind"] == "rec")]
            if it.get("comm"):
                rep["comm"] = None
            return render(rep), f"IMPRESSION '{old}' replaced by '{it['neg_i']}' although FINDINGS affirm it"
        negs = [x for x in rep["find"] if x.get("neg") and (x["neg"] & set(ASSERT))]
        if not negs:
            return None
        x = rng.choice(negs)
        topic = rng.choice(sorted(x["neg"] & set(ASSERT)))
        text = ASSERT[topic](rng, rep["style"], rng.choice(["left", "right"]))
        normals = [y for y in rep["imp"] if y["kind"] == "normal"]
        if normals:
            normals[0]["text"] = text
            normals[0]["kind"] = "patho"
            rep["imp"] = [y for y in rep["imp"] if y["kind"] != "normal"]
        else:
            rep["imp"].insert(0, {"text": text, "item": None, "kind": "patho"})
        return render(rep), f"IMPRESSION asserts '{text}' while FINDINGS say '{x['text']}'"
    if kind == "impression_omits_finding":
        sig = [it for it in rep["items"] if it["sig"]]
        if len(sig) != 1:
            return None
        it = sig[0]
        variant = variant or rng.choice(["normal", "other"])
        keep = [x for x in rep["imp"] if x["item"] != it["id"]]
        if variant == "normal":
            keep = [x for x in keep if x["kind"] == "device" and x["item"] is None]
            normals = [t for t in NORMAL_IMP[rep["style"]]
                       if not (any(o["lung"] for o in rep["items"] if o is not it) and "lear" in t)]
            keep.append({"text": rng.choice(normals), "item": None, "kind": "normal"})
        else:
            keep = [x for x in keep if x["kind"] != "normal"]
            minors = [o for o in rep["items"] if o is not it and o.get("i")]
            if not any(x["kind"] == "patho" for x in keep):
                if not minors:
                    # add a minor finding, stated in both sections
                    o = mk_atelectasis(rng, rep["style"], rng.choice(["left", "right"]), rep["prior"])
                    rep["items"].append(o)
                    rep["find"] = [x for x in rep["find"] if not (x["slot"] == "lungs" and x.get("neg"))]
                    rep["find"].append({"slot": "lungs", "text": o["f"], "item": o["id"]})
                    order = {"lines": 0, "lungs": 1, "pleura": 2, "heart": 3, "bones": 4}
                    rep["find"].sort(key=lambda x: order[x["slot"]])
                    minors = [o]
                o = rng.choice(minors)
                keep.append({"text": o["i"], "item": o["id"], "kind": "patho"})
        rep["imp"] = keep
        rep["comm"] = None
        what = "replaced by a normal statement" if variant == "normal" else "lists only the other findings"
        return render(rep), f"FINDINGS '{it['f']}' left out of IMPRESSION ({what})"
    if kind == "placeholder":
        pool = [("find", x) for x in rep["find"]] + [("imp", x) for x in rep["imp"]]
        rng.shuffle(pool)
        if rng.random() < 0.15 and len(rep["imp"]) >= 1:
            tok = rng.choice(["[***]", "[ ]", "<<impression>>", "[Insert conclusion]"])
            rep["imp"].append({"text": tok, "item": None, "kind": "ph"})
            rep["imp_layout"] = "numbered"
            return render(rep), f"unfilled template item '{tok}' left as the last IMPRESSION line"
        for where, x in pool:
            res = put_placeholder(rng, x["text"])
            if res:
                old = x["text"]
                x["text"] = res[0]
                sec = "FINDINGS" if where == "find" else "IMPRESSION"
                return render(rep), f"{res[1]} in {sec} sentence '{old}'"
        return None
    raise ValueError(kind)


# --------------------------------------------------------------------------------------------
# IU-based cases
# --------------------------------------------------------------------------------------------

REWORD_COMMON = [
    (r"^There (?:is|are) no\b", "No", "'There is no' -> 'No'"),
    (r"\bwithin normal limits\b", "normal", "'within normal limits' -> 'normal'"),
    (r"\b([Cc])ardiomediastinal silhouette\b", r"\1ardiomediastinal contour", "'silhouette' -> 'contour'"),
    (r"\b([Oo])sseous structures\b", lambda m: ("B" if m.group(1) == "O" else "b") + "ony structures",
     "'osseous' -> 'bony'"),
]
REWORD_UK = [(r"\bNo acute cardiopulmonary (?:disease|process|findings)\b", "No acute cardiopulmonary abnormality",
              "'No acute cardiopulmonary disease' -> '... abnormality'"),
             (r"\bx-ray\b", "X-ray", None)]
REWORD_US = [(r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary process",
              "'abnormality' -> 'process'")]


def reword(sentences: list[str], st: str, notes: set[str]) -> list[str]:
    out = []
    rules = REWORD_COMMON + (REWORD_UK if st == "UK" else REWORD_US)
    for s in sentences:
        for pat, rep, note in rules:
            new = re.sub(pat, rep, s)
            if new != s and note:
                notes.add(note)
            s = new
        s = cap(s)
        if st == "UK":
            new = uk_spell(s)
            if new != s:
                notes.add("UK spelling")
            s = new
        if not s.endswith((".", "?", "!")):
            s += "."
        out.append(s)
    return out


def iu_layout(rng: random.Random, rec: dict, fs: list[str], is_: list[str], st: str, missing: str | None = None,
              notes: set[str] | None = None) -> str:
    notes = notes if notes is not None else set()
    S = STYLE[st]
    lines_head = []
    if rng.random() < 0.7:
        lines_head.append(rng.choice(S["iu_exam"]))
    if rec.get("indication"):
        lines_head.append(f"{rng.choice(S['clin'])} {rec['indication']}")
    if rec.get("comparison"):
        lines_head.append(f"{rng.choice(S['comp'])} {rec['comparison']}")
    fh, ih = rng.choice(S["find"]), rng.choice(S["imp"])
    flay = rng.choice(["para", "para", "lines"] + (["dash"] if st == "UK" else []))
    ilay = rng.choice(["numbered", "para"] + (["lines"] if st == "UK" else []))
    inline = rng.random() < 0.3
    blocks = [lines_head]
    if missing == "find_empty" or not fs:
        blocks.append([fh])
    elif flay == "lines":
        blocks.append([fh] + fs)
    elif flay == "dash":
        blocks.append([fh] + [f"- {s}" for s in fs])
    elif inline:
        blocks.append([f"{fh} {' '.join(fs)}"])
    else:
        blocks.append([fh, " ".join(fs)])
    if missing == "imp_removed":
        pass
    elif missing in ("imp_empty", "imp_sign") or not is_:
        blocks.append([ih])
    elif ilay == "numbered" and len(is_) > 1:
        blocks.append([ih] + [f"{k}. {s}" for k, s in enumerate(is_, 1)])
        notes.add("numbered impression")
    elif ilay == "lines":
        blocks.append([ih] + is_)
    elif inline:
        blocks.append([f"{ih} {' '.join(is_)}"])
    else:
        blocks.append([ih, " ".join(is_)])
    blocks.append(signoff(rng, st))
    notes.add(f"{st} headers ({fh.strip(':')}/{ih.strip(':')}) and sign-off")
    sep = "\n\n" if rng.random() < 0.6 else "\n"
    return sep.join("\n".join(b) for b in blocks if b)


def _sent_fams(s: str) -> set[str]:
    return {fam for fam, pat in FAMILY.items() if re.search(pat, s, re.I)}


def iu_case(rng: random.Random, rec: dict, kind: str | None, variant: str | None = None) -> tuple[str, str] | None:
    st = rng.choice(["UK", "US"])
    notes: set[str] = set()
    fs = reword(split_sentences(rec["findings"]), st, notes)
    is_ = reword(split_sentences(rec["impression"]), st, notes)
    head = f"IU {rec['uid']}: "
    tail = lambda: "; re-laid out: " + ", ".join(sorted(notes))  # noqa: E731
    if kind is None:
        text = iu_layout(rng, rec, fs, is_, st, notes=notes)
        return text, head + "clean" + tail()
    if kind == "missing_section":
        how = variant or rng.choice(["find_empty", "imp_empty", "imp_sign", "imp_removed"])
        text = iu_layout(rng, rec, fs, is_, st, missing=how, notes=notes)
        what = {"find_empty": "FINDINGS emptied (header kept)", "imp_empty": "IMPRESSION emptied (header kept)",
                "imp_sign": "IMPRESSION emptied (only the sign-off under its header)",
                "imp_removed": "IMPRESSION section removed"}[how]
        return text, head + what + tail()
    if kind == "laterality_conflict":
        fsd, isd = family_sides(rec["findings"]), family_sides(rec["impression"])
        fams = [f for f in set(fsd) & set(isd) if len(fsd[f]) == 1 and fsd[f] == isd[f]]
        cands = []
        for fam in sorted(fams):
            side = next(iter(fsd[fam]))
            for where, lst in (("FINDINGS", fs), ("IMPRESSION", is_)):
                for k, s in enumerate(lst):
                    words = {w.lower() for w in re.findall(r"\b(left|right)\b", s, re.I)}
                    if words == {side} and re.search(FAMILY[fam], s, re.I) and \
                            not re.search(r"\b(bilateral|both)\b", s, re.I):
                        cands.append((where, k, side, fam))
        if not cands:
            return None
        where, k, side, fam = rng.choice(cands)
        lst = fs if where == "FINDINGS" else is_
        old = lst[k]
        lst[k] = flip_side_words(old)
        text = iu_layout(rng, rec, fs, is_, st, notes=notes)
        other = "IMPRESSION" if where == "FINDINGS" else "FINDINGS"
        return text, head + f"{side} -> {'right' if side == 'left' else 'left'} in {where} sentence '{old}' " \
                            f"({other} keeps the {side} side)" + tail()
    if kind == "negation_conflict":
        fstat = family_status(rec["findings"])
        if variant == "assert":
            qual = re.compile(r"\b(large|definite|significant|sizable|sizeable|gross|obvious|large-sized)\b", re.I)
            negated = [f for f in ("pneumothorax", "effusion", "airspace", "heart") if fstat.get(f) == {"neg"}
                       and not any(qual.search(c) and re.search(FAMILY[f], c, re.I)
                                   for s in fs for c in clauses(s))]
            if not negated:
                return None
            fam = rng.choice(negated)
            text_new = ASSERT[fam](rng, st, rng.choice(["left", "right"]))
            if fam == "effusion" and text_new.startswith("Bilateral"):
                text_new = "Bilateral pleural effusions."
            is_new = [text_new]
            src = [s for s in fs if re.search(FAMILY[fam], s, re.I) or (fam == "airspace" and LUNGS_CLEAR.search(s))
                   or (fam == "heart" and HEART_NORMAL.search(s))]
            text = iu_layout(rng, rec, fs, is_new, st, notes=notes)
            return text, head + f"IMPRESSION replaced by '{text_new}' while FINDINGS say " \
                                f"'{src[0] if src else fam + ' negated'}'" + tail()
        # negate: the impression negates a finding that the findings affirm
        fam_opts = [f for f in ("effusion", "pneumothorax", "airspace", "heart", "edema")
                    if fstat.get(f) == {"aff"} and any(re.search(FAMILY[f], s, re.I) for s in is_)]
        if "heart" in fam_opts and any(re.search(r"borderline|upper limit|top normal|possibl|probabl", s, re.I)
                                       and re.search(FAMILY["heart"], s, re.I) for s in fs):
            fam_opts.remove("heart")
        if "airspace" in fam_opts and not any(
                re.search(r"consolidat|air ?space|infiltrat|pneumonia|opacit", s, re.I)
                and not re.search(r"atelecta|scar|granulom|crowding", s, re.I) for s in fs):
            fam_opts.remove("airspace")
        if not fam_opts:
            return None
        fam = rng.choice(fam_opts)
        neg = {"effusion": ["No pleural effusion."], "pneumothorax": ["No pneumothorax."],
               "airspace": ["No focal consolidation or airspace opacity.", "Lungs are clear."],
               "heart": ["Heart size is normal.", "No cardiomegaly."],
               "edema": ["No pulmonary oedema." if st == "UK" else "No pulmonary edema."]}[fam]
        neg_s = rng.choice(neg)
        new_is, replaced, done = [], [], False
        for s in is_:
            if re.search(FAMILY[fam], s, re.I):
                replaced.append(s)
                if not done:
                    new_is.append(neg_s)
                    done = True
            else:
                new_is.append(s)
        text = iu_layout(rng, rec, fs, new_is, st, notes=notes)
        return text, head + f"IMPRESSION {replaced!r} replaced by '{neg_s}' although FINDINGS affirm it" + tail()
    if kind == "impression_omits_finding":
        fstat = family_status(rec["findings"])
        target = None
        for s in fs:
            if HEDGE.search(s) or MINOR_Q.search(s) or NEG_CUE.search(s):
                continue
            for fam, pat in STRONG.items():
                if re.search(pat, s, re.I) and fstat.get(fam) == {"aff"}:
                    target = (fam, s)
                    break
            if target:
                break
        if not target:
            return None
        fam, fsent = target
        if variant == "normal":
            new_is = [rng.choice(NORMAL_IMP[st])]
        else:
            keep = [s for s in is_ if not _sent_fams(s) & {fam} and not NORMAL_SENT.search(s)
                    and not any("aff" in family_status(s).get(g, set()) and g in STRONG for g in FAMILY)]
            keep = [s for s in keep if not re.search(STRONG[fam], s, re.I)
                    and not re.search(r"recommend|consider|follow|correlat|suggest|advis|please|thank|"
                                      r"evaluat|if |further", s, re.I)]
            if not keep:
                others = [s for s in fs if s != fsent and not _sent_fams(s) and not NEG_CUE.search(s)
                          and re.search(r"degenerat|spondyl|granulom|tortuous|calcifi|hernia|emphysema|hyperinfl|"
                                        r"scoliosis|clips|sternotomy|atheroscl|kyphosis|hyperexpan|COPD|"
                                        r"low lung volume|hypoinflat|elevat|pacemaker|catheter|stent|fracture|"
                                        r"deformit|surgical|cholecystectomy|aort", s, re.I)]
                if not others:
                    return None
                keep = [others[0]]
            new_is = keep
        text = iu_layout(rng, rec, fs, new_is, st, notes=notes)
        what = "replaced by a normal statement" if variant == "normal" else "lists only the other findings"
        return text, head + f"FINDINGS '{fsent}' left out: IMPRESSION {what}" + tail()
    if kind == "placeholder":
        pool = [("FINDINGS", fs, k) for k in range(len(fs))] + [("IMPRESSION", is_, k) for k in range(len(is_))]
        rng.shuffle(pool)
        for where, lst, k in pool:
            res = put_placeholder(rng, lst[k])
            if res:
                old = lst[k]
                lst[k] = res[0]
                text = iu_layout(rng, rec, fs, is_, st, notes=notes)
                return text, head + f"{res[1]} in {where} sentence '{old}'" + tail()
        return None
    raise ValueError(kind)


def _omission_target_ok(rec) -> bool:
    fstat = family_status(rec["findings"])
    for s in split_sentences(rec["findings"]):
        if HEDGE.search(s) or MINOR_Q.search(s) or NEG_CUE.search(s):
            continue
        for fam, pat in STRONG.items():
            if re.search(pat, s, re.I) and fstat.get(fam) == {"aff"}:
                return True
    return False


# --------------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------------

def build(seed: int, base: Path | None = None) -> list[dict]:
    rng = random.Random(f"{PREFIX}-{seed}")
    dev = dev_uids(base)
    recs = [r for r in load_iu(base) if r["uid"] not in dev and r.get("findings") and r.get("impression")]
    rng.shuffle(recs)
    pools: dict[str, list[dict]] = {"normal": [], "abnormal": []}
    for r in recs:
        c = classify_iu(r)
        if c:
            pools[c].append(r)
    used: set[str] = set()
    rows: list[dict] = []
    half_clean, half_kind = N_CLEAN // 2, N_PER_KIND // 2

    def take(pool_names, kind, n, variants=None):
        got = 0
        for k in range(n):
            variant = variants[k % len(variants)] if variants else None
            ok = False
            for pname in pool_names:
                for r in pools[pname]:
                    if r["uid"] in used:
                        continue
                    if kind == "impression_omits_finding" and not _omission_target_ok(r):
                        continue
                    res = iu_case(rng, r, kind, variant)
                    if res is None:
                        continue
                    used.add(r["uid"])
                    rows.append({"injected": kind, "detail": res[1], "report": res[0]})
                    got += 1
                    ok = True
                    break
                if ok:
                    break
            if not ok:
                raise RuntimeError(f"not enough IU reports for {kind}")
        return got

    # most constrained first
    take(["abnormal"], "impression_omits_finding", half_kind // 2, ["other"])
    take(["abnormal"], "impression_omits_finding", half_kind - half_kind // 2, ["normal"])
    take(["abnormal"], "laterality_conflict", half_kind)
    take(["normal"], "negation_conflict", half_kind // 2, ["assert"])
    take(["abnormal"], "negation_conflict", half_kind - half_kind // 2, ["negate"])
    take(["normal", "abnormal"], "missing_section", half_kind, ["find_empty", "imp_empty", "imp_sign", "imp_removed"])
    take(["abnormal", "normal"], "placeholder", half_kind)
    n_ab = min(40, len([r for r in pools["abnormal"] if r["uid"] not in used]) - 5)
    take(["abnormal"], None, n_ab)
    take(["normal"], None, half_clean - n_ab)
    # composed half
    comp_variants = {"missing_section": ["find_empty", "imp_empty", "imp_sign", "imp_removed"],
                     "negation_conflict": ["assert", "negate"], "impression_omits_finding": ["normal", "other"]}
    for kind, n in [(None, half_clean)] + [(k, half_kind) for k in KINDS]:
        vs = comp_variants.get(kind)
        for j in range(n):
            text, detail = composed_case(rng, kind, vs[j % len(vs)] if vs else None)
            rows.append({"injected": kind, "detail": detail, "report": text})
    rng.shuffle(rows)
    return [{"id": f"{PREFIX}-{seed}-{k}", "injected": r["injected"], "detail": r["detail"], "report": r["report"]}
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
        for kind in [None] + KINDS:
            shown = [r for r in rows if r["injected"] == kind]
            comp = [r for r in shown if r["detail"].startswith("composed")][: a.show]
            iu = [r for r in shown if r["detail"].startswith("IU")][: a.show]
            for r in comp + iu:
                print(f"===== {r['id']} [{kind or 'clean'}] {r['detail']}\n{r['report']}\n", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
