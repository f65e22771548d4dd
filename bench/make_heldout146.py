"""Held-out report-error set 146: pleural services and pleural clinics (UK and US), written blind.

usage: python -m bench.make_heldout146 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines ``{"id", "injected", "detail", "report"}``: 200 clean reports and 40 of each of the five
kinds of ``shared/eval/README.md`` (missing_section, laterality_conflict, negation_conflict,
impression_omits_finding, placeholder).  Half of every group is composed from the phrase bank below (pleural
clinic / chest drain / IPC / talc pleurodesis / pneumothorax clinic / empyema / mesothelioma / re-expansion
scenarios), half are real IU reports (never a dev-set uid, each used at most once) re-laid out in UK or US
pleural-service style with light re-wording (UK spelling, "radiograph" for the masked "x-XXXX", numbered conclusions).

``MEDRAG_SHARED_DIR`` overrides the shared folder (default ``../shared`` beside the repo root).
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


# --------------------------------------------------------------------------------------------------------------
# shared data
# --------------------------------------------------------------------------------------------------------------


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def iu_archive(shared: Path | None = None) -> Path:
    return (shared or shared_dir()) / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_set(shared: Path | None = None) -> Path:
    return (shared or shared_dir()) / "eval" / "report_errors_dev.jsonl"


def dev_uids(shared: Path | None = None) -> frozenset[str]:
    out = set()
    with open(dev_set(shared), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                out.add(json.loads(line)["uid"])
    return frozenset(out)


@functools.lru_cache(maxsize=4)
def _load_iu(path: str) -> tuple[dict, ...]:
    rows = []
    with tarfile.open(path) as tf:
        for m in tf.getmembers():
            if not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            d = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            rows.append(
                {
                    "uid": uid_el.get("id"),
                    "indication": d.get("INDICATION", ""),
                    "comparison": d.get("COMPARISON", ""),
                    "findings": d.get("FINDINGS", ""),
                    "impression": d.get("IMPRESSION", ""),
                }
            )
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(rows)


def load_iu(shared: Path | None = None) -> tuple[dict, ...]:
    return _load_iu(str(iu_archive(shared)))


# --------------------------------------------------------------------------------------------------------------
# text helpers
# --------------------------------------------------------------------------------------------------------------

SIDE_RE = re.compile(r"\b(left|right)\b", re.I)


def flip_sides(text: str) -> str:
    def sub(m: re.Match) -> str:
        w = m.group(0)
        new = "right" if w.lower() == "left" else "left"
        if w.isupper():
            return new.upper()
        if w[0].isupper():
            return new.capitalize()
        return new

    return SIDE_RE.sub(sub, text)


def sides_of(text: str) -> set[str]:
    s = {m.group(0).lower() for m in SIDE_RE.finditer(text)}
    if re.search(r"\b(bilateral|both|bibasilar|bibasal)\b", text, re.I):
        s |= {"left", "right"}
    return s


def split_sentences(text: str) -> list[str]:
    text = " ".join(text.split())
    text = re.sub(r"\.(\s*\.)+", ".", text)
    if not text:
        return []
    # strip list numbering "1. ", "2) "
    text = re.sub(r"(?:(?<=^)|(?<=\s))\d{1,2}[.)]\s+(?=[A-Za-z])", "", text)
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)
    out = []
    for p in parts:
        p = p.strip()
        if not re.search(r"[A-Za-z0-9]", p):
            continue
        if not p.endswith((".", "!", "?")):
            p += "."
        out.append(p)
    return out


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


# concept groups used to read the IU reports ------------------------------------------------------------------

GROUPS = {
    "eff": re.compile(r"effusion", re.I),
    "ptx": re.compile(r"pneumothora|pleural air", re.I),
    "cons": re.compile(r"consolidat|air ?space (disease|opacit|process)|infiltrat|pneumonia", re.I),
    "edema": re.compile(r"edema|oedema|congesti", re.I),
    "cardio": re.compile(
        r"cardiomegaly|enlarged (heart|cardiac)|heart (size )?is (mildly |moderately )?enlarged", re.I
    ),
    "mass": re.compile(r"\bmass(es)?\b|\bnodul", re.I),
    "medi": re.compile(r"widen\w* (of the )?mediastin|mediastin\w* widen", re.I),
    "air": re.compile(r"free air|pneumoperitoneum|free intraperitoneal", re.I),
}
LAT_GROUPS = {
    "eff": GROUPS["eff"],
    "ptx": GROUPS["ptx"],
    "lung": re.compile(r"consolidat|air ?space|infiltrat|pneumonia|opacit|densit|atelecta|scar", re.I),
    "nod": re.compile(r"\bmass\b|nodul|granulom", re.I),
    "diaph": re.compile(r"hemidiaphragm", re.I),
}
ABN = re.compile(
    r"effusion|pneumothora|pleural air|consolidat|air ?space|infiltrat|pneumonia|opacit|densit|atelecta|edema|"
    r"oedema|congesti|cardiomegaly|enlarg|nodul|\bmass|widen|free air|pneumoperitoneum|\bnew\b|increas|worse|"
    r"fracture|hyperinfla|hyperexpan|emphysema|copd|scar|thicken|blunt|elevat|hernia|collapse|effac|prominen|"
    r"interstitial|fibros|cavit|lesion|abnormal|bronchiectasis|pleural|catheter|tube|line|device|pacemaker|"
    r"sternotomy|clips|surgical|hilar|lymphaden|kyphosis|scoliosis|tortuous|calcif|granulom|degenerat|spondyl|"
    r"osteophyt|aortic|unfolded|ectatic|low lung volume|crowd|deformit",
    re.I,
)
MINOR_OK = re.compile(r"granulom|calcif|degenerat|spondyl|osteophyt|tortuous|unfolded|ectatic|aortic", re.I)
NEG_CUE = re.compile(
    r"\b(no|not|without|negative|free of|resolved|resolution|clear|absence|removed|normal|unremarkable|"
    r"within normal limits)\b",
    re.I,
)
PURE_NEG_START = re.compile(
    r"^(no|there (is|are) no|negative for|without|the lungs are clear|lungs are clear|both lungs are clear|"
    r"the lungs are (otherwise )?clear|heart size (is )?normal|normal heart size|the heart (size )?is normal|"
    r"the heart and mediastinum are normal|the cardiomediastinal silhouette (is|are) (normal|within normal limits)|"
    r"cardiomediastinal silhouette (is|are) (normal|within normal limits)|the heart is normal in size|"
    r"heart and mediastinum (are )?normal|the mediastinum is (normal|unremarkable)|mediastinal contours are normal|"
    r"the cardiac silhouette (is )?(normal|within normal limits)|normal cardiomediastinal)\b",
    re.I,
)
NORMAL_IMP = re.compile(
    r"^(no acute|no active|normal chest|no radiographic evidence of (acute )?(cardiopulmonary )?disease|"
    r"negative chest|no evidence of acute|no acute disease|no significant abnormality|no acute abnormality|"
    r"normal (exam|examination|study|radiograph)|unremarkable)",
    re.I,
)
NOT_SMALL = re.compile(r"\b(small|trace|tiny|minimal|minor|blunting|subtle|possible|questionable|may|versus)\b", re.I)
HEDGE = re.compile(
    r"\b(possible|possibly|questionable|may|might|versus|vs|subtle|minimal|trace|tiny|likely|probable|probably|"
    r"suspect\w*|cannot be excluded|streaky|mild|mildly|faint|borderline|slight|slightly|minor|either|could|"
    r"seems?|vague|improv\w*|resolv\w*|decreas\w*|less|smaller|clearing)\b",
    re.I,
)
CHRONIC = re.compile(
    r"\b(stable|unchanged|chronic|old|healed|prior|previous|previously|again|persistent|similar)\b", re.I
)


def _has_neg(sentence: str) -> bool:
    return bool(NEG_CUE.search(sentence))


def _pure_negative(sentence: str) -> bool:
    """A sentence that states only normal / absent findings."""
    if not PURE_NEG_START.search(sentence):
        return False
    if re.search(r"\b(but|however|although|though|except|apart from|other than)\b|;", sentence, re.I):
        return False
    return True


def _affirmed(sentence: str) -> bool:
    """A sentence that affirms something and holds no negation or normal word at all."""
    return bool(ABN.search(sentence)) and not _has_neg(sentence)


def _neutral(sentence: str) -> bool:
    return not ABN.search(sentence) or bool(_minor_only(sentence))


def _minor_only(sentence: str) -> bool:
    """Only benign incidental words (calcified granuloma, spondylosis, tortuous aorta)."""
    s = MINOR_OK.sub("", sentence)
    s = re.sub(r"scarring", "", s, flags=re.I) if re.search(r"granulom", sentence, re.I) else s
    return not ABN.search(s) and not _has_neg(sentence)


def classify_iu(r: dict) -> dict | None:
    """Read one IU report conservatively. Returns None when it is unusable or may hold its own contradiction."""
    f, i = r["findings"], r["impression"]
    if not f or not i or len(f) < 60 or len(i) < 10:
        return None
    if re.search(r"[\[\]<>{}*_]|&lt|&gt", f + i + r["indication"] + r["comparison"]):
        return None
    if re.search(r"opportunity|questions|certified|please (call|contact)|dictat|discussed|notified", f + i, re.I):
        return None
    fs, is_ = split_sentences(f), split_sentences(i)
    if not fs or not is_ or len(fs) > 12 or len(is_) > 5:
        return None
    fkind = []
    for s in fs:
        if _pure_negative(s):
            fkind.append("neg")
        elif _neutral(s):
            fkind.append("neutral")
        elif _affirmed(s):
            fkind.append("aff")
        else:
            return None  # mixed sentence: too risky to judge
    ikind = []
    for s in is_:
        if NORMAL_IMP.search(s) and not re.search(r"\b(but|however|except|although)\b|;|,", s, re.I):
            ikind.append("normal")
        elif _pure_negative(s):
            ikind.append("neg")
        elif _neutral(s):
            ikind.append("neutral")
        elif _affirmed(s):
            ikind.append("aff")
        else:
            return None
    info = {"fs": fs, "is": is_, "fkind": fkind, "ikind": ikind}
    f_aff = [s for s, k in zip(fs, fkind, strict=True) if k == "aff"]
    f_neg = [s for s, k in zip(fs, fkind, strict=True) if k == "neg"]
    i_aff = [s for s, k in zip(is_, ikind, strict=True) if k == "aff"]
    i_neg = [s for s, k in zip(is_, ikind, strict=True) if k == "neg"]
    if re.search(r"\b(new|increas\w*|worse\w*|enlarging)\b", " ".join(f_aff), re.I):
        return None
    if "normal" in ikind:
        if f_aff or i_aff:
            return None
        info["type"] = "normal"
        return info
    if not i_aff:
        return None
    # polarity agreement per concept group
    for g, rx in GROUPS.items():
        fa = any(rx.search(s) for s in f_aff)
        fn = any(rx.search(s) for s in f_neg)
        ia = any(rx.search(s) for s in i_aff)
        in_ = any(rx.search(s) for s in i_neg)
        if (fa and fn) or (ia and in_) or (fa and in_) or (fn and ia):
            return None
        if ia and not fa:
            return None
        # every significant affirmed finding must be in the impression
        for s in f_aff:
            if rx.search(s) and _significant(g, s) and not ia:
                return None
    # every affirmed findings sentence with an abnormal word but no known group should be minor
    # laterality agreement
    for rx in LAT_GROUPS.values():
        fsides = set().union(*[sides_of(s) for s in f_aff if rx.search(s)] or [set()])
        isides = set().union(*[sides_of(s) for s in i_aff if rx.search(s)] or [set()])
        if isides and not isides <= fsides:
            return None
        if fsides and isides and fsides != isides and len(fsides) == 1:
            return None
    for s in f_aff + i_aff:
        if len(sides_of(s)) > 1 and not re.search(r"\b(bilateral|both|bibasilar|bibasal)\b", s, re.I):
            return None
    info["type"] = "abnormal"
    return info


def _significant(group: str, sentence: str) -> bool:
    if group == "eff":
        return not NOT_SMALL.search(sentence)
    if group == "cardio":
        return not re.search(r"\b(mild|mildly|borderline|stable|minimal|slight|slightly|unchanged)\b", sentence, re.I)
    if group == "mass":
        m = re.search(r"(\d+(\.\d+)?)\s*(mm|cm)", sentence)
        if re.search(r"\bmass\b", sentence, re.I):
            return True
        if m:
            v = float(m.group(1)) * (10 if m.group(3) == "cm" else 1)
            return v >= 6
        return True
    return True


# --------------------------------------------------------------------------------------------------------------
# style: names, sign-offs, layouts
# --------------------------------------------------------------------------------------------------------------

UK_SURNAMES = [
    "Patel",
    "Hughes",
    "O'Neill",
    "Rahman",
    "Campbell",
    "Evans",
    "Whitfield",
    "Okafor",
    "McLeod",
    "Thornton",
    "Banerjee",
    "Price",
    "Gallagher",
    "Iqbal",
    "Lloyd",
    "Fraser",
    "Kaur",
    "Pritchard",
]
US_NAMES = [
    "Jennifer Alvarez",
    "Michael Chen",
    "Sarah Goldberg",
    "David Okonkwo",
    "Laura Whitaker",
    "Kevin Nguyen",
    "Rachel Morales",
    "Brian Kowalski",
    "Emily Harrington",
    "Samuel Park",
    "Angela Russo",
    "Thomas Reilly",
]


def _date(rng: random.Random, uk: bool) -> str:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.choice([2023, 2024, 2025])
    return f"{d:02d}/{m:02d}/{y}" if uk else f"{m}/{d}/{y}"


def signoff(rng: random.Random, uk: bool, masked: bool = False) -> str:
    if uk:
        a = "XXXX" if masked else f"{rng.choice('ABCDEFGHJKLMNPRSTW')} {rng.choice(UK_SURNAMES)}"
        b = (
            "XXXX"
            if masked
            else f"{rng.choice('ABCDEFGHJKLMNPRSTW')} {rng.choice([n for n in UK_SURNAMES if n not in a])}"
        )
        return rng.choice(
            [
                f"Dr {a}, Consultant Radiologist",
                f"Reported by: Dr {a} (Consultant Thoracic Radiologist)",
                f"Dr {a}\nConsultant Radiologist\nDate reported: {_date(rng, True)}",
                f"Reported by Dr {a}, ST4 Radiology Registrar\nVerified by Dr {b}, Consultant Radiologist",
                f"Dr {a} FRCR, Consultant Chest Radiologist (GMC {rng.randint(3000000, 7999999)})",
            ]
        )
    a = "XXXX" if masked else rng.choice(US_NAMES)
    b = "XXXX" if masked else rng.choice([n for n in US_NAMES if n != a])
    hh, mm = rng.randint(7, 18), rng.randint(0, 59)
    return rng.choice(
        [
            f"Electronically signed by: {a}, MD on {_date(rng, False)} {hh}:{mm:02d}",
            f"Dictated by: {a}, MD\nSigned by: {b}, MD",
            f"I have personally reviewed the images and agree with this report.\nAttending Radiologist: {b}, MD",
            f"Final report electronically signed by {a}, M.D.",
        ]
    )


UK_FIND_HEADERS = ["Findings:", "FINDINGS:", "Report:"]
UK_IMP_HEADERS = ["Conclusion:", "CONCLUSION:", "Opinion:", "Impression:", "Summary:"]
US_FIND_HEADERS = ["FINDINGS:", "Findings:"]
US_IMP_HEADERS = ["IMPRESSION:", "Impression:", "CONCLUSION:"]

UK_EXAMS = ["XR Chest PA", "CXR PA", "Chest X-ray (PA)", "XR Chest AP (mobile)", "XR Chest PA - Pleural Clinic"]
US_EXAMS = ["XR CHEST 1 VIEW", "XR CHEST PA AND LATERAL", "PORTABLE CHEST 1 VIEW", "CHEST 2 VIEWS PA/LATERAL"]
US_TECH = [
    "Single frontal view of the chest.",
    "PA and lateral views of the chest.",
    "Portable AP upright view.",
    "Frontal and lateral radiographs of the chest.",
]

US_CATS = [
    ("tube", "Lines/tubes:"),
    ("lung", "Lungs:"),
    ("pleura", "Pleura:"),
    ("heart", "Heart and mediastinum:"),
    ("bone", "Bones/soft tissues:"),
]


def render(parts: dict, rng: random.Random) -> str:
    """parts: uk, exam, indication, comparison, findings (list of (cat, sentence)), impression (list of str),
    fmode ('ok' | 'empty'), imode ('ok' | 'empty' | 'sig_only' | 'removed'), sign, style (optional)."""
    uk = parts["uk"]
    style = parts.get("style") or rng.choice(
        ["uk_plain", "uk_report", "uk_lines"] if uk else ["us_std", "us_struct", "us_para"]
    )
    if style == "us_struct" and not all(c for c, _ in parts["findings"]):
        style = "us_std"
    parts["style"] = style
    lines: list[str] = []
    ind, comp = parts["indication"], parts["comparison"]
    if style == "uk_plain":
        fh = rng.choice(["Findings:", "FINDINGS:"])
        ih = rng.choice(["Conclusion:", "Impression:", "CONCLUSION:"])
        lines += [parts["exam"], f"Clinical details: {ind}", f"Comparison: {comp}", ""]
    elif style == "uk_report":
        fh = "Report:"
        ih = rng.choice(["Opinion:", "Conclusion:", "Comment:"])
        lines += [f"Examination: {parts['exam']}", f"Clinical information: {ind}", ""]
    elif style == "uk_lines":
        fh = "FINDINGS:"
        ih = rng.choice(["CONCLUSION:", "IMPRESSION:", "Summary:"])
        lines += [f"{parts['exam']}", f"Indication: {ind}", f"Compared to: {comp}", ""]
    else:
        fh = rng.choice(US_FIND_HEADERS)
        ih = rng.choice(US_IMP_HEADERS)
        lines += [f"EXAM: {parts['exam']}", f"{rng.choice(['HISTORY', 'CLINICAL HISTORY', 'INDICATION'])}: {ind}"]
        if style != "us_para":
            lines.append(f"TECHNIQUE: {rng.choice(US_TECH)}")
        lines += [f"COMPARISON: {comp}", ""]
    parts["headers"] = (fh, ih)
    # findings
    sents = [s for _, s in parts["findings"]]
    if style == "uk_report" and comp and comp.lower() not in ("none", "none.", "none available."):
        c = comp.rstrip(".")
        if len(c) > 1 and c[0].isupper() and c[1].islower():
            c = c[0].lower() + c[1:]
        sents = [f"Comparison is made with {c}."] + sents
    if parts["fmode"] == "empty":
        lines += [fh, ""]
    elif style == "us_struct":
        lines.append(fh)
        for key, label in US_CATS:
            ss = [s for c, s in parts["findings"] if c == key]
            if ss:
                lines.append(f"{label} {' '.join(ss)}")
        lines.append("")
    elif style in ("uk_lines",):
        lines += [fh] + sents + [""]
    else:
        lines += [fh, " ".join(sents), ""]
    # impression
    imp = parts["impression"]
    imode = parts["imode"]
    if imode == "ok":
        form = parts.get("iform") or rng.choice(["num", "para", "dash"] if uk else ["num", "num", "para"])
        if len(imp) == 1 and form == "dash":
            form = "para"
        parts["iform"] = form
        if form == "num":
            body = "\n".join(f"{k + 1}. {s}" for k, s in enumerate(imp))
            lines += [ih, body]
        elif form == "dash":
            lines += [ih] + [f"- {s}" for s in imp]
        elif rng.random() < 0.5:
            lines.append(f"{ih} {' '.join(imp)}")
        else:
            lines += [ih, " ".join(imp)]
        lines += ["", parts["sign"]]
    elif imode == "empty":
        lines += [ih, ""]
    elif imode == "sig_only":
        lines += [ih, "", parts["sign"]]
    elif imode == "removed":
        lines += [parts["sign"]]
    return "\n".join(lines).strip() + "\n"


# --------------------------------------------------------------------------------------------------------------
# composed cases: the phrase bank
# --------------------------------------------------------------------------------------------------------------

US_WORDS = [
    (r"\boedema\b", "edema"),
    (r"\bOedema\b", "Edema"),
    (r"\bhaem", "hem"),
    (r"\bHaem", "Hem"),
    (r"intercostal chest drain", "chest tube"),
    (r"chest drain", "chest tube"),
    (r"Chest drain", "Chest tube"),
    (r"\bdrain\b", "tube"),
    (r"\bin situ\b", "in place"),
    (r"\btherapeutic aspiration\b", "thoracentesis"),
    (r"\baspiration\b", "thoracentesis"),
    (r"\bIPC\b", "tunneled pleural catheter"),
    (r"lower zone", "lung base"),
    (r"upper zone", "upper lung"),
    (r"mid zone", "mid lung"),
    (r"\bfilm\b", "study"),
    (r"\bCXR\b", "radiograph"),
    (r"\bcentimetres\b", "centimeters"),
    (r"\bin keeping with\b", "consistent with"),
]


def to_us(text: str) -> str:
    for a, b in US_WORDS:
        text = re.sub(a, b, text)
    return text


def item(
    text: str,
    cat: str = "",
    link: str = "",
    side: str = "",
    concept: str = "",
    sig: bool = False,
    neg: bool = False,
    negtext: str = "",
) -> dict:
    return {
        "text": text,
        "cat": cat,
        "link": link,
        "side": side,
        "concept": concept,
        "sig": sig,
        "neg": neg,
        "negtext": negtext,
    }


def _heart(rng: random.Random, allow_big: bool = True) -> tuple[dict, dict | None]:
    """A heart sentence for the findings; the second value is a note only (mild cardiomegaly needs no mention)."""
    opts = [
        item("Heart size is normal.", "heart", concept="cardio", neg=True),
        item("Heart not enlarged. Mediastinum central.", "heart", concept="cardio", neg=True),
        item("Normal cardiomediastinal contours.", "heart", concept="cardio", neg=True),
    ]
    if allow_big:
        opts.append(item("Mild cardiomegaly, unchanged.", "heart", concept="cardio_minor"))
    return rng.choice(opts), None


def _extras(rng: random.Random, side: str) -> tuple[list[dict], list[dict]]:
    """Optional incidental findings: minor ones (no impression needed) or a significant nodule (impression needed)."""
    f, i = [], []
    x = rng.choice(["left", "right"])
    r = rng.random()
    if r < 0.15:
        f.append(
            item(
                f"Incidental {rng.randint(8, 14)} mm nodule projected over the {x} mid zone.",
                "lung",
                link="nod",
                side=x,
                concept="nodule",
                sig=True,
                negtext="No pulmonary nodule.",
            )
        )
        i.append(
            item(
                f"Incidental {x} mid zone nodule; CT chest is recommended for further assessment.",
                link="nod",
                side=x,
                concept="nodule",
            )
        )
    elif r < 0.3:
        f.append(item(f"Calcified granuloma in the {x} upper zone, unchanged.", "lung", concept="minor"))
    elif r < 0.42:
        f.append(item("Degenerative changes in the thoracic spine.", "bone", concept="minor"))
    elif r < 0.52:
        f.append(item("Old healed rib fractures noted.", "bone", concept="minor"))
    return f, i


def sc_post_aspiration(rng: random.Random, s: str, uk: bool) -> dict:
    o = "left" if s == "right" else "right"
    vol = rng.choice(["800 mL", "1 L", "1.2 L", "1.5 L", "1.6 L"])
    residual = rng.choice(["small", "moderate"])
    f = [
        item(
            f"Interval reduction in the size of the {s} pleural effusion following aspiration of {vol}, "
            f"now {residual}.",
            "pleura",
            link="eff",
            side=s,
            concept="eff",
            sig=residual != "small",
            negtext=rng.choice(["No residual pleural effusion.", f"Complete resolution of the {s} effusion."]),
        ),
        item(
            rng.choice(
                ["No pneumothorax.", "No pneumothorax following the procedure.", "No evidence of pneumothorax."]
            ),
            "pleura",
            concept="ptx",
            neg=True,
        ),
        item(f"The {o} lung is clear.", "lung", side=o, concept="cons", neg=True),
    ]
    h, _ = _heart(rng)
    f.append(h)
    i = [
        item(
            f"Reduced {s} pleural effusion post aspiration{', small residual' if residual == 'small' else ''}.",
            link="eff",
            side=s,
            concept="eff",
        ),
        item("No pneumothorax.", concept="ptx", neg=True),
    ]
    ind = (
        rng.choice(
            [
                f"Pleural clinic. Known {s} pleural effusion, therapeutic aspiration {vol} today. ?pneumothorax",
                f"Post {s} pleural aspiration. Breathless. Exclude pneumothorax.",
            ]
        )
        if uk
        else f"Status post {s} thoracentesis ({vol} removed). Evaluate for pneumothorax."
    )
    return {"name": "post_aspiration", "f": f, "i": i, "indication": ind}


def sc_large_effusion(rng: random.Random, s: str, uk: bool) -> dict:
    o = "left" if s == "right" else "right"
    size = rng.choice(["Large", "Moderate to large", "Moderate"])
    shift = rng.random() < 0.5 and size == "Large"
    f = [
        item(
            f"{size} {s} pleural effusion with a meniscus reaching the {s} mid zone"
            f"{', with mediastinal shift away from the effusion' if shift else ''}.",
            "pleura",
            link="eff",
            side=s,
            concept="eff",
            sig=True,
            negtext=rng.choice(["No pleural effusion.", "Costophrenic angles are clear."]),
        ),
        item("No pneumothorax.", "pleura", concept="ptx", neg=True),
        item(f"The {o} lung is clear.", "lung", side=o, concept="cons", neg=True),
    ]
    if not shift:
        h, _ = _heart(rng)
        f.append(h)
    i = [
        item(
            f"{size} {s} pleural effusion{' causing mediastinal shift' if shift else ''}. "
            f"{rng.choice(['Suitable for ultrasound-guided aspiration.', 'Pleural clinic review advised.', 'Further assessment with thoracic ultrasound is suggested.'])}",  # noqa: E501
            link="eff",
            side=s,
            concept="eff",
        )
    ]
    ind = (
        rng.choice(
            [
                f"Breathless, reduced breath sounds {s} base. ?effusion",
                f"New referral to pleural clinic. Weight loss, {s} chest ache.",
            ]
        )
        if uk
        else f"Shortness of breath, decreased breath sounds on the {s}."
    )
    return {"name": "large_effusion", "f": f, "i": i, "indication": ind}


def sc_drain_ptx(rng: random.Random, s: str, uk: bool) -> dict:
    gauge = rng.choice(["12F", "14F", "12 Fr", "small-bore"])
    resid = rng.random() < 0.6
    f = [
        item(
            f"{cap(s)}-sided {gauge} intercostal chest drain in situ, tip projected over the {s} apex.",
            "tube",
            link="drain",
            side=s,
            concept="drain",
        )
    ]
    if resid:
        d = rng.choice(["1 cm", "1.5 cm", "2 cm"])
        f.append(
            item(
                f"Small residual {s} apical pneumothorax measuring {d}, reduced since the previous film.",
                "pleura",
                link="ptx",
                side=s,
                concept="ptx",
                sig=True,
                negtext=rng.choice(["No pneumothorax.", f"The {s} lung is fully re-expanded."]),
            )
        )
    else:
        f.append(
            item(f"The {s} lung has fully re-expanded. No residual pneumothorax.", "pleura", concept="ptx", neg=True)
        )
    f.append(
        item(
            "No surgical emphysema."
            if rng.random() < 0.5
            else f"Small amount of surgical emphysema in the {s} chest wall at the drain site.",
            "bone",
            concept="minor",
        )
    )
    f.append(item("No pleural effusion. Lungs otherwise clear.", "lung", concept="eff", neg=True))
    i = [item(f"{cap(s)} chest drain in satisfactory position.", link="drain", side=s, concept="drain")]
    if resid:
        i.append(item(f"Small residual {s} apical pneumothorax, improving.", link="ptx", side=s, concept="ptx"))
    else:
        i.append(item(f"Resolved {s} pneumothorax with drain in situ.", link="ptxres", side=s, concept="ptx_res"))
    ind = (
        rng.choice(
            [
                f"Primary spontaneous pneumothorax, {s} chest drain inserted yesterday. Drain swinging.",
                f"Day 2 post {s} chest drain for secondary pneumothorax. Not bubbling.",
            ]
        )
        if uk
        else f"Chest tube for {s} pneumothorax. Follow-up."
    )
    return {"name": "drain_pneumothorax", "f": f, "i": i, "indication": ind}


def sc_ptx_clinic(rng: random.Random, s: str, uk: bool) -> dict:
    persisting = rng.random() < 0.45
    if persisting:
        d = rng.choice(["1.5 cm", "2 cm", "2.5 cm", "3 cm"])
        f = [
            item(
                f"{cap(s)} pneumothorax with an interpleural distance of {d} at the level of the hilum, "
                f"smaller than on the previous film.",
                "pleura",
                link="ptx",
                side=s,
                concept="ptx",
                sig=True,
                negtext=rng.choice(["No pneumothorax.", "Lungs fully expanded."]),
            )
        ]
        i = [
            item(f"Persisting but smaller {s} pneumothorax ({d} at the hilum).", link="ptx", side=s, concept="ptx"),
            item(
                rng.choice(
                    [
                        "Repeat CXR in 2 weeks at pneumothorax clinic.",
                        "Continue conservative management; safety-net advice given by clinic.",
                    ]
                )
            ),
        ]
    else:
        f = [
            item(
                f"The previously seen {s} pneumothorax has resolved, with the {s} lung fully expanded.",
                "pleura",
                link="ptxres",
                side=s,
                concept="ptx",
                neg=True,
            )
        ]
        i = [
            item(
                rng.choice(
                    [
                        f"Resolution of the {s} pneumothorax.",
                        f"Resolved {s} pneumothorax.",
                        f"{cap(s)} pneumothorax has resolved. Can be discharged from pneumothorax clinic.",
                    ]
                ),
                link="ptxres",
                side=s,
                concept="ptx",
                neg=True,
            )
        ]
    f.append(
        item(rng.choice(["No pleural effusion.", "Costophrenic angles are clear."]), "pleura", concept="eff", neg=True)
    )
    f.append(item(rng.choice(["The lungs are clear.", "No focal consolidation."]), "lung", concept="cons", neg=True))
    h, _ = _heart(rng, allow_big=False)
    f.append(h)
    ind = (
        rng.choice(
            [
                f"Pneumothorax clinic follow-up. Conservatively managed {s} PSP.",
                f"{cap(s)} pneumothorax, aspirated 2 weeks ago. Clinic review.",
            ]
        )
        if uk
        else f"Follow-up {s} pneumothorax."
    )
    return {"name": "pneumothorax_clinic", "f": f, "i": i, "indication": ind}


def sc_ipc(rng: random.Random, s: str, uk: bool) -> dict:
    o = "left" if s == "right" else "right"
    worse = rng.random() < 0.4
    f = [
        item(
            f"{cap(s)} indwelling pleural catheter in situ, its tip coiled at the {s} base.",
            "tube",
            link="ipc",
            side=s,
            concept="drain",
        )
    ]
    if worse:
        f.append(
            item(
                f"Increase in the {s} pleural effusion since the previous radiograph, now moderate in size.",
                "pleura",
                link="eff",
                side=s,
                concept="eff",
                sig=True,
                negtext=rng.choice(["No pleural effusion.", "No significant residual fluid."]),
            )
        )
        i = [
            item(
                f"Increasing {s} pleural effusion despite the IPC. ?catheter blockage or loculation; "
                "suggest IPC flush and thoracic ultrasound.",
                link="eff",
                side=s,
                concept="eff",
            ),
            item(f"{cap(s)} IPC in situ.", link="ipc", side=s, concept="drain"),
        ]
    else:
        f.append(
            item(
                f"Small residual {s} pleural effusion, unchanged.",
                "pleura",
                link="eff",
                side=s,
                concept="eff",
                negtext="No pleural effusion.",
            )
        )
        i = [
            item(f"{cap(s)} IPC in situ with a small residual {s} effusion, stable.", link="eff", side=s, concept="eff")
        ]
    f.append(item(rng.choice(["No pneumothorax.", "No pneumothorax is seen."]), "pleura", concept="ptx", neg=True))
    f.append(item(f"The {o} lung is clear.", "lung", side=o, concept="cons", neg=True))
    ind = (
        rng.choice(
            [
                f"Malignant {s} pleural effusion (breast primary). IPC inserted 4 weeks ago, draining less.",
                f"IPC review. {cap(s)} MPE. Community nurse drainage twice weekly.",
            ]
        )
        if uk
        else f"Tunneled pleural catheter for malignant {s} effusion. Increased dyspnea."
    )
    return {"name": "ipc", "f": f, "i": i, "indication": ind}


def sc_talc(rng: random.Random, s: str, uk: bool) -> dict:
    o = "left" if s == "right" else "right"
    recur = rng.random() < 0.35
    f = [
        item(
            f"Post talc pleurodesis: pleural thickening with increased density at the {s} base, in keeping with "
            "talc deposition.",
            "pleura",
            link="talc",
            side=s,
            concept="thick",
        )
    ]
    if recur:
        f.append(
            item(
                f"Moderate recurrent {s} pleural effusion.",
                "pleura",
                link="eff",
                side=s,
                concept="eff",
                sig=True,
                negtext="No recurrent effusion.",
            )
        )
        i = [
            item(
                f"Moderate recurrent {s} pleural effusion following talc pleurodesis - pleurodesis appears to "
                "have failed. Discuss at pleural MDT.",
                link="eff",
                side=s,
                concept="eff",
            ),
            item(f"{cap(s)} basal pleural thickening from talc.", link="talc", side=s, concept="thick"),
        ]
    else:
        f.append(item(f"No significant {s} pleural fluid.", "pleura", concept="eff", neg=True))
        i = [
            item(
                f"Appearances in keeping with successful {s} talc pleurodesis. No recurrent effusion.",
                link="talc",
                side=s,
                concept="thick",
            )
        ]
    f.append(item("No pneumothorax.", "pleura", concept="ptx", neg=True))
    f.append(item(f"The {o} lung and pleural space are clear.", "lung", side=o, concept="cons", neg=True))
    h, _ = _heart(rng)
    f.append(h)
    ind = (
        rng.choice(
            [
                f"Talc slurry pleurodesis {s} 6 weeks ago via chest drain. Review.",
                f"Medical thoracoscopy and talc poudrage ({s}) for MPE. Follow-up.",
            ]
        )
        if uk
        else f"Status post {s} talc pleurodesis. Follow-up."
    )
    return {"name": "talc_pleurodesis", "f": f, "i": i, "indication": ind}


def sc_empyema(rng: random.Random, s: str, uk: bool) -> dict:
    o = "left" if s == "right" else "right"
    f = [
        item(f"{cap(s)} chest drain in situ, tip at the {s} base.", "tube", link="drain", side=s, concept="drain"),
        item(
            f"Moderate loculated {s} pleural collection, smaller than on the previous film.",
            "pleura",
            link="eff",
            side=s,
            concept="eff",
            sig=True,
            negtext="No pleural collection.",
        ),
        item(
            f"Persisting consolidation in the {s} lower zone.",
            "lung",
            link="cons",
            side=s,
            concept="cons",
            sig=True,
            negtext="Lungs clear.",
        ),
        item(f"The {o} lung is clear. No pneumothorax.", "lung", concept="ptx", neg=True),
    ]
    i = [
        item(
            f"Reducing loculated {s} pleural collection (empyema) with drain in situ.",
            link="eff",
            side=s,
            concept="eff",
        ),
        item(f"Persisting {s} lower zone consolidation.", link="cons", side=s, concept="cons"),
    ]
    ind = (
        rng.choice(
            [
                f"{cap(s)} empyema, drain inserted, on IV antibiotics and intrapleural tPA/DNase.",
                f"Complex parapneumonic effusion ({s}). Drain output falling. Progress?",
            ]
        )
        if uk
        else f"{cap(s)} empyema with chest tube. Follow-up."
    )
    return {"name": "empyema", "f": f, "i": i, "indication": ind}


def sc_meso(rng: random.Random, s: str, uk: bool) -> dict:
    o = "left" if s == "right" else "right"
    prog = rng.random() < 0.45
    if prog:
        f = [
            item(
                f"Increasing lobulated pleural thickening around the {s} hemithorax, extending into the oblique "
                "fissure, compared with the previous film.",
                "pleura",
                link="thick",
                side=s,
                concept="thick",
                sig=True,
            ),
            item(f"Loss of volume of the {s} hemithorax.", "lung", concept="minor"),
        ]
        i = [
            item(
                f"Progression of {s} pleural thickening in keeping with known mesothelioma. "
                "CT chest suggested for restaging.",
                link="thick",
                side=s,
                concept="thick",
            )
        ]
    else:
        f = [
            item(
                f"Lobulated {s} pleural thickening, with {s} volume loss, unchanged from the previous film.",
                "pleura",
                link="thick",
                side=s,
                concept="thick",
            )
        ]
        i = [
            item(
                f"Stable {s} pleural thickening in keeping with known mesothelioma.",
                link="thick",
                side=s,
                concept="thick",
            )
        ]
    f.append(item(f"Small {s} pleural effusion, similar.", "pleura", concept="eff_minor"))
    f.append(item(f"The {o} lung is clear.", "lung", side=o, concept="cons", neg=True))
    f.append(item("No pneumothorax.", "pleura", concept="ptx", neg=True))
    ind = (
        rng.choice(
            [
                f"{cap(s)} MPM (epithelioid), on chemotherapy. Routine follow-up.",
                f"Mesothelioma {s}. Asbestos exposure. 3-monthly review.",
            ]
        )
        if uk
        else f"Malignant pleural mesothelioma, {s}. Follow-up."
    )
    return {"name": "mesothelioma", "f": f, "i": i, "indication": ind}


def sc_reexpansion(rng: random.Random, s: str, uk: bool) -> dict:
    vol = rng.choice(["1.8 L", "2 L", "2.5 L"])
    f = [
        item(
            f"{cap(s)} chest drain in situ following drainage of {vol}.", "tube", link="drain", side=s, concept="drain"
        ),
        item(f"The {s} lung has re-expanded.", "lung", link="reexp", side=s, concept="reexp"),
        item(
            f"New patchy airspace opacification throughout the {s} lung, in keeping with re-expansion pulmonary "
            "oedema.",
            "lung",
            link="cons",
            side=s,
            concept="oedema",
            sig=True,
            negtext=rng.choice(["No pulmonary oedema.", "Lungs clear."]),
        ),
        item("No pneumothorax.", "pleura", concept="ptx", neg=True),
    ]
    i = [
        item(f"Re-expanded {s} lung with drain in situ.", link="reexp", side=s, concept="reexp"),
        item(
            f"New {s} airspace opacification, likely re-expansion pulmonary oedema. Clamp drain; please correlate "
            "clinically.",
            link="cons",
            side=s,
            concept="oedema",
        ),
    ]
    ind = (
        rng.choice(
            [
                f"Large {s} effusion drained {vol}. Now coughing and desaturating. ?re-expansion oedema",
                f"Post {s} chest drain insertion, rapid drainage. Hypoxic.",
            ]
        )
        if uk
        else f"Hypoxia after {s} chest tube drainage of {vol}."
    )
    return {"name": "re_expansion", "f": f, "i": i, "indication": ind}


def sc_drain_removed(rng: random.Random, s: str, uk: bool) -> dict:
    o = "left" if s == "right" else "right"
    f = [
        item(f"Interval removal of the {s} chest drain.", "tube", link="drain", side=s, concept="drain"),
        item("No pneumothorax.", "pleura", concept="ptx", neg=True),
        item(
            f"Minor blunting of the {s} costophrenic angle, likely small residual fluid or thickening.",
            "pleura",
            concept="eff_minor",
        ),
        item(f"The {o} lung is clear.", "lung", side=o, concept="cons", neg=True),
    ]
    h, _ = _heart(rng)
    f.append(h)
    i = [item(f"No pneumothorax following removal of the {s} chest drain.", link="drain", side=s, concept="drain")]
    ind = (
        rng.choice([f"Post {s} chest drain removal. ?pneumothorax", f"{cap(s)} ICD removed today."])
        if uk
        else f"Status post {s} chest tube removal."
    )
    return {"name": "drain_removed", "f": f, "i": i, "indication": ind}


def sc_bilateral(rng: random.Random, s: str, uk: bool) -> dict:
    f = [
        item("Small bilateral pleural effusions.", "pleura", concept="eff_minor"),
        item(
            "Upper lobe venous diversion and interstitial oedema with septal lines.",
            "lung",
            link="oed",
            concept="oedema",
            sig=True,
            negtext="No pulmonary oedema.",
        ),
        item("Cardiomegaly.", "heart", link="cardio", concept="cardio"),
        item("No pneumothorax.", "pleura", concept="ptx", neg=True),
    ]
    i = [
        item(
            "Cardiomegaly with interstitial pulmonary oedema and small bilateral effusions, in keeping with "
            "fluid overload / cardiac failure rather than a primary pleural process.",
            link="oed",
            concept="oedema",
        )
    ]
    ind = (
        rng.choice(
            [
                "Bilateral effusions referred to pleural clinic. ?cardiac cause",
                "Breathless, bilateral ankle oedema. Pleural clinic referral.",
            ]
        )
        if uk
        else "Bilateral effusions. Dyspnea."
    )
    return {"name": "bilateral_failure", "f": f, "i": i, "indication": ind}


def sc_normal(rng: random.Random, s: str, uk: bool) -> dict:
    f = [
        item(rng.choice(["The lungs are clear.", "Lungs clear.", "Clear lungs."]), "lung", concept="cons", neg=True),
        item(
            rng.choice(["No pleural effusion.", "No pleural effusion; costophrenic angles are sharp."]),
            "pleura",
            concept="eff",
            neg=True,
        ),
        item("No pneumothorax.", "pleura", concept="ptx", neg=True),
        item(
            rng.choice(["Heart size normal.", "Normal heart size and mediastinal contours."]),
            "heart",
            concept="cardio",
            neg=True,
        ),
    ]
    i = [
        item(
            rng.choice(
                [
                    "Normal chest radiograph.",
                    "No significant abnormality.",
                    f"No recurrence of the {s} pleural effusion.",
                    "No acute cardiopulmonary abnormality.",
                ]
            ),
            concept="normal",
            neg=True,
        )
    ]
    ind = (
        rng.choice(
            [
                f"Pleural clinic follow-up, previous {s} pleural effusion (resolved pleurisy).",
                "Pleuritic chest pain. Pleural clinic.",
            ]
        )
        if uk
        else "Pleuritic chest pain."
    )
    return {"name": "normal_followup", "f": f, "i": i, "indication": ind}


def sc_hydropneumo(rng: random.Random, s: str, uk: bool) -> dict:
    f = [
        item(
            f"{cap(s)} hydropneumothorax with an air-fluid level at the {s} mid zone following aspiration.",
            "pleura",
            link="hpx",
            side=s,
            concept="ptx",
            sig=True,
            negtext="No pneumothorax.",
        ),
        item(
            f"The {s} lung has not fully re-expanded, with a thickened visceral pleura, raising the possibility "
            "of trapped lung.",
            "lung",
            link="trap",
            side=s,
            concept="thick",
        ),
        item(rng.choice(["Heart size normal.", "Mediastinum central."]), "heart", concept="cardio", neg=True),
    ]
    i = [
        item(
            f"{cap(s)} hydropneumothorax post aspiration, likely pneumothorax ex vacuo from non-expandable "
            f"(trapped) {s} lung rather than air leak.",
            link="hpx",
            side=s,
            concept="ptx",
        ),
        item("Discuss at pleural MDT; IPC may be preferable to pleurodesis."),
    ]
    ind = (
        rng.choice(
            [
                f"{cap(s)} malignant effusion aspirated today, chest tightness towards the end.",
                f"Post {s} pleural aspiration (1.5 L), cough and pain at the end of procedure.",
            ]
        )
        if uk
        else f"Status post {s} thoracentesis, chest pain."
    )
    return {"name": "hydropneumothorax", "f": f, "i": i, "indication": ind}


SCENARIOS = [
    sc_post_aspiration,
    sc_large_effusion,
    sc_drain_ptx,
    sc_ptx_clinic,
    sc_ipc,
    sc_talc,
    sc_empyema,
    sc_meso,
    sc_reexpansion,
    sc_drain_removed,
    sc_bilateral,
    sc_normal,
    sc_hydropneumo,
]


def compose(rng: random.Random) -> dict:
    s = rng.choice(["left", "right"])
    uk = rng.random() < 0.6
    sc = rng.choice(SCENARIOS)(rng, s, uk)
    ef, ei = _extras(rng, s)
    sc["f"] = sc["f"] + ef
    sc["i"] = sc["i"] + ei
    if uk:
        sc["comparison"] = rng.choice(
            [
                f"Previous CXR {_date(rng, True)}.",
                f"{_date(rng, True)}",
                f"CXR {_date(rng, True)} and CT chest {_date(rng, True)}.",
                "None available.",
            ]
        )
    else:
        sc["comparison"] = rng.choice([f"Chest radiograph {_date(rng, False)}.", f"{_date(rng, False)}", "None."])
    sc["uk"] = uk
    sc["side"] = s
    sc["exam"] = rng.choice(UK_EXAMS if uk else US_EXAMS)
    return sc


def _txt(sc: dict, text: str) -> str:
    return text if sc["uk"] else to_us(text)


def composed_parts(sc: dict, rng: random.Random) -> dict:
    return {
        "uk": sc["uk"],
        "exam": sc["exam"],
        "indication": _txt(sc, sc["indication"]),
        "comparison": sc["comparison"],
        "findings": [(it["cat"], _txt(sc, it["text"])) for it in sc["f"]],
        "impression": [_txt(sc, it["text"]) for it in sc["i"]],
        "fmode": "ok",
        "imode": "ok",
        "sign": signoff(rng, sc["uk"]),
    }


NORMAL_STATEMENTS_UK = [
    "No significant abnormality.",
    "Normal chest radiograph.",
    "No acute abnormality.",
    "Lungs and pleural spaces clear.",
]
NORMAL_STATEMENTS_US = [
    "No acute cardiopulmonary abnormality.",
    "Normal chest radiograph.",
    "No acute cardiopulmonary process.",
]

ASSERT = {
    "eff": ["Moderate {x} pleural effusion.", "Large {x} pleural effusion; ultrasound-guided aspiration advised."],
    "ptx": ["Small {x} apical pneumothorax.", "{X} pneumothorax following the procedure."],
    "cons": ["{X} lower zone consolidation, likely infective.", "Patchy {x} basal consolidation."],
    "cardio": ["Cardiomegaly.", "Enlarged heart."],
}


IU_ASSERT = {
    "eff": ["Moderate {x} pleural effusion.", "Large {x} pleural effusion."],
    "ptx": ["Small {x} apical pneumothorax.", "{X} pneumothorax."],
    "cons": ["{X} lower zone consolidation, likely infective.", "Patchy {x} basal consolidation."],
    "cardio": ["Cardiomegaly.", "Enlarged heart."],
}


def composed_case(rng: random.Random, kind: str | None, sub: int) -> tuple[str, str] | None:
    """One composed case of a kind; sub picks the variant. None when this scenario cannot carry the kind."""
    sc = compose(rng)
    p = composed_parts(sc, rng)
    base = f"composed: {sc['name']} ({'UK' if sc['uk'] else 'US'})"
    if kind is None:
        return render(p, rng), base + ", clean"
    if kind == "missing_section":
        if sub % 3 == 0:
            p["fmode"] = "empty"
            what = "FINDINGS header kept with nothing under it"
        else:
            p["imode"] = rng.choice(["empty", "sig_only", "removed"])
            what = {
                "empty": "IMPRESSION header kept with nothing under it",
                "sig_only": "IMPRESSION header with only the sign-off under it",
                "removed": "IMPRESSION section removed (header and text)",
            }[p["imode"]]
        return render(p, rng), f"{base}; {what}"
    if kind == "laterality_conflict":
        links = {it["link"] for it in sc["f"] if it["side"] and it["link"]} & {
            it["link"] for it in sc["i"] if it["side"] and it["link"]
        }
        cands = []
        for sec in ("f", "i"):
            for k, it in enumerate(sc[sec]):
                if it["link"] in links and it["side"] and sides_of(it["text"]) == {it["side"]}:
                    other = [o for o in sc["i" if sec == "f" else "f"] if o["link"] == it["link"]]
                    if all(sides_of(o["text"]) == {it["side"]} for o in other):
                        cands.append((sec, k))
        if not cands:
            return None
        pref = [c for c in cands if c[0] == ("f" if sub % 2 else "i")]
        sec, k = rng.choice(pref or cands)
        it = sc[sec][k]
        new = flip_sides(_txt(sc, it["text"]))
        if sec == "f":
            p["findings"][k] = (p["findings"][k][0], new)
        else:
            p["impression"][k] = new
        secname = "FINDINGS" if sec == "f" else "IMPRESSION"
        return (
            render(p, rng),
            f"{base}; {secname} sentence flipped {it['side']}->"
            f"{'left' if it['side'] == 'right' else 'right'}: '{new}' (other section keeps {it['side']})",
        )
    if kind == "negation_conflict":
        if sub % 2 == 0:
            # impression asserts a finding the findings negate
            affirmed = {it["concept"] for it in sc["f"] if not it["neg"]}
            negs = [
                it
                for it in sc["f"]
                if it["neg"]
                and it["concept"] in ASSERT
                and it["concept"] not in affirmed
                and not (it["concept"] == "eff" and "eff_minor" in affirmed)
            ]
            if not negs:
                return None
            it = rng.choice(negs)
            x = it["side"] or (sc["side"] if it["concept"] in ("ptx", "eff") else rng.choice(["left", "right"]))
            claim = rng.choice(ASSERT[it["concept"]]).format(x=x, X=cap(x))
            claim = _txt(sc, claim)
            # impression items that would contradict the claim itself go (a normal statement, "No pneumothorax")
            rest = [
                p["impression"][k]
                for k, i2 in enumerate(sc["i"])
                if not (i2["neg"] and i2["concept"] in (it["concept"], "normal"))
            ]
            p["impression"] = [claim] + rest if rng.random() < 0.5 else rest + [claim]
            return render(p, rng), f"{base}; IMPRESSION asserts '{claim}' but FINDINGS say '{_txt(sc, it['text'])}'"
        cands = [
            (k, it)
            for k, it in enumerate(sc["i"])
            if it["link"] and any(f["link"] == it["link"] and f["negtext"] for f in sc["f"])
        ]
        if not cands:
            return None
        k, it = rng.choice(cands)
        fit = next(f for f in sc["f"] if f["link"] == it["link"] and f["negtext"])
        neg = _txt(sc, fit["negtext"])
        p["impression"][k] = neg
        return render(
            p, rng
        ), f"{base}; IMPRESSION item replaced by '{neg}' although FINDINGS affirm '{_txt(sc, fit['text'])}'"
    if kind == "impression_omits_finding":
        sigs = [f for f in sc["f"] if f["sig"] and f["link"]]
        if not sigs:
            return None
        fit = rng.choice(sigs)
        if sub % 2 == 0:
            stmt = rng.choice(NORMAL_STATEMENTS_UK if sc["uk"] else NORMAL_STATEMENTS_US)
            p["impression"] = [stmt]
            return (
                render(p, rng),
                f"{base}; IMPRESSION replaced by normal statement '{stmt}' although FINDINGS "
                f"affirm '{_txt(sc, fit['text'])}'",
            )
        keep = [k for k, it in enumerate(sc["i"]) if it["link"] != fit["link"] and it["concept"] != fit["concept"]]
        if not keep:
            return None
        p["impression"] = [p["impression"][k] for k in keep]
        return render(p, rng), f"{base}; IMPRESSION item about '{_txt(sc, fit['text'])}' dropped, other items kept"
    if kind == "placeholder":
        return _composed_placeholder(sc, p, rng, base, sub)
    raise ValueError(kind)


PH_SIZE = ["[***]", "<<size>>", "[size]", "***"]
PH_NUM = ["XX", "[***]", "__", "<<measurement>>"]
PH_WORD = ["[***]", "[ ]", "<<>>", "[findings]"]


def _composed_placeholder(sc: dict, p: dict, rng: random.Random, base: str, sub: int) -> tuple[str, str] | None:
    opts = []
    for sec, seq in (("findings", p["findings"]), ("impression", p["impression"])):
        for k, v in enumerate(seq):
            text = v[1] if sec == "findings" else v
            for m in re.finditer(r"\b(small|moderate|large|Small|Moderate|Large|Mild)\b", text):
                opts.append((sec, k, m.span(), rng.choice(PH_SIZE), "size"))
            for m in re.finditer(r"\b\d+(\.\d+)?(?= ?(cm|mm|L|mL)\b)", text):
                opts.append((sec, k, m.span(), rng.choice(PH_NUM), "measurement"))
            for m in re.finditer(r"\b(apex|base|mid zone|lower zone|hilum)\b", text):
                opts.append((sec, k, m.span(), rng.choice(["[location]", "[***]", "<<level>>"]), "location"))
    if sub % 4 == 3:
        # an unfilled template line added to the findings, as some pleural templates carry
        line = rng.choice(
            [
                "Drain tip position: [ ].",
                "Interpleural distance at hilum: ___ cm.",
                "Volume aspirated: <<volume>> mL.",
                "Residual fluid: [***].",
            ]
        )
        p["findings"].append(("pleura", line))
        return render(p, rng), f"{base}; unfilled template line '{line}' left in FINDINGS"
    if not opts:
        return None
    what_pick = rng.choice(sorted({o[4] for o in opts}))
    sec, k, (a, b), ph, what = rng.choice([o for o in opts if o[4] == what_pick])
    if sec == "findings":
        cat, t = p["findings"][k]
        old = t[a:b]
        p["findings"][k] = (cat, t[:a] + ph + t[b:])
    else:
        t = p["impression"][k]
        old = t[a:b]
        p["impression"][k] = t[:a] + ph + t[b:]
    return render(p, rng), f"{base}; {what} '{old}' in {sec.upper()} replaced by placeholder '{ph}'"


# --------------------------------------------------------------------------------------------------------------
# IU-based cases
# --------------------------------------------------------------------------------------------------------------

UK_SPELL = [
    (r"\bedema\b", "oedema"),
    (r"\bEdema\b", "Oedema"),
    (r"\bcenter", "centre"),
    (r"\bcentimeter", "centimetre"),
    (r"\bhemorrhag", "haemorrhag"),
    (r"\bgray\b", "grey"),
]


def reword(text: str, uk: bool) -> tuple[str, list[str]]:
    changes = []
    t = text
    if "x-XXXX" in t or "X-XXXX" in t:
        t = re.sub(r"[xX]-XXXX", "radiograph", t)
        changes.append("'x-XXXX' -> 'radiograph'")
    if uk:
        t2 = t
        for a, b in UK_SPELL:
            t2 = re.sub(a, b, t2)
        if t2 != t:
            changes.append("UK spelling")
        t = t2
        t2 = re.sub(r"\bcardiopulmonary (process|disease)\b", "cardiopulmonary abnormality", t)
        t2 = re.sub(r"(?:(?<=^)|(?<=\. ))There (is|are) no ", "No ", t2)
        if t2 != t:
            changes.append("UK phrasing ('No ...')")
        t = t2
    return t, changes


def iu_parts(r: dict, info: dict, rng: random.Random, uk: bool) -> tuple[dict, list[str]]:
    fs, changes = [], []
    for s in info["fs"]:
        s2, c = reword(s, uk)
        fs.append(s2)
        changes += c
    is_ = []
    for s in info["is"]:
        s2, c = reword(s, uk)
        is_.append(s2)
        changes += c
    comp = reword(r["comparison"], uk)[0] or ("None available." if uk else "None.")
    parts = {
        "uk": uk,
        "exam": rng.choice(UK_EXAMS[:3] if uk else US_EXAMS[1:]),
        "indication": r["indication"] or ("Not given." if uk else "Not provided."),
        "comparison": comp,
        "findings": [("", s) for s in fs],
        "impression": is_,
        "fmode": "ok",
        "imode": "ok",
        "sign": signoff(rng, uk, masked=rng.random() < 0.4),
        "style": rng.choice(["uk_plain", "uk_report", "uk_lines"] if uk else ["us_std", "us_para"]),
    }
    return parts, sorted(set(changes))


def _iu_tag(r: dict, parts: dict, changes: list[str]) -> str:
    extra = f", {', '.join(changes)}" if changes else ""
    return f"IU {r['uid']}: re-laid out in {parts['style']} layout{extra}"


ANAT_SIDE = re.compile(r"\b(left|right) (heart|ventric\w*|atri\w*|heart border)|middle lobe|lingula", re.I)


def iu_lat_candidates(info: dict) -> list[tuple[str, int]]:
    fs, is_ = info["fs"], info["is"]
    out = []
    for rx in LAT_GROUPS.values():
        f_idx = [
            k
            for k, s in enumerate(fs)
            if info["fkind"][k] == "aff" and rx.search(s) and len(sides_of(s)) == 1 and not ANAT_SIDE.search(s)
        ]
        i_idx = [
            k
            for k, s in enumerate(is_)
            if info["ikind"][k] == "aff" and rx.search(s) and len(sides_of(s)) == 1 and not ANAT_SIDE.search(s)
        ]
        if not f_idx or not i_idx:
            continue
        fside = set().union(*[sides_of(fs[k]) for k in f_idx])
        iside = set().union(*[sides_of(is_[k]) for k in i_idx])
        # all mentions of the group on a single shared side
        all_f = set().union(*[sides_of(s) for s in fs if rx.search(s)])
        all_i = set().union(*[sides_of(s) for s in is_ if rx.search(s)])
        if fside == iside and len(fside) == 1 and all_f == fside and all_i == iside:
            if len(f_idx) == 1:
                out.append(("f", f_idx[0]))
            if len(i_idx) == 1:
                out.append(("i", i_idx[0]))
    return out


HEART_NORMAL = re.compile(
    r"heart size (is )?(normal|within normal)|normal heart size|heart is normal in size|heart (size )?is normal|"
    r"cardiac silhouette (is )?(normal|within normal)|cardiomediastinal silhouette (is |are )?(normal|within normal)|"
    r"normal cardiomediastinal|cardiomediastinal (silhouette|contours?) (is |are )?(within normal|normal)",
    re.I,
)


def iu_neg_assert_options(info: dict) -> list[tuple[str, str]]:
    """(concept, findings sentence) the findings negate, usable for an impression that asserts the concept."""
    out = []
    for k, s in enumerate(info["fs"]):
        if info["fkind"][k] != "neg":
            continue
        if GROUPS["eff"].search(s) and not re.search(r"\blarge\b", s, re.I):
            out.append(("eff", s))
        if GROUPS["ptx"].search(s) and not re.search(r"\blarge\b", s, re.I):
            out.append(("ptx", s))
        if (
            re.search(r"consolidat|air ?space|infiltrat|lungs are clear", s, re.I)
            and not re.search(r"\b(focal|large|lobar)\b", s, re.I)
            or re.search(r"lungs are clear\.$", s, re.I)
        ):
            out.append(("cons", s))
        if HEART_NORMAL.search(s):
            out.append(("cardio", s))
    return out


def iu_neg_negate_options(info: dict) -> list[tuple[str, int, str]]:
    out = []
    for g in ("eff", "ptx", "cons", "edema", "cardio"):
        rx = GROUPS[g]
        f_aff = [s for k, s in enumerate(info["fs"]) if info["fkind"][k] == "aff" and rx.search(s)]
        i_idx = [k for k, s in enumerate(info["is"]) if info["ikind"][k] == "aff" and rx.search(s)]
        f_aff = [x for x in f_aff if not HEDGE.search(x)]
        if f_aff and i_idx:
            out.append((g, i_idx[0], f_aff[0]))
    return out


NEGATE_TEXT = {
    "eff": ["No pleural effusion.", "No pleural fluid."],
    "ptx": ["No pneumothorax."],
    "cons": ["The lungs are clear.", "Lungs clear."],
    "edema": ["No pulmonary oedema."],
    "cardio": ["Heart size normal."],
}


def iu_omit_options(info: dict) -> list[tuple[str, str]]:
    out = []
    for g in ("eff", "ptx", "cons", "edema", "mass", "medi", "air"):
        rx = GROUPS[g]
        f_sig = [
            s
            for k, s in enumerate(info["fs"])
            if info["fkind"][k] == "aff"
            and rx.search(s)
            and _significant(g, s)
            and not CHRONIC.search(s)
            and not HEDGE.search(s)
        ]
        f_sig = [s for s in f_sig if "XXXX" not in s]  # a mask may hide a size or a hedge
        if g == "cons":
            f_sig = [s for s in f_sig if not re.search(r"atelecta|scar", s, re.I)]
        if g == "mass":
            f_sig = [s for s in f_sig if re.search(r"\bmass\b", s, re.I) or re.search(r"\d\s*(mm|cm)", s)]
        if f_sig and any(rx.search(s) for k, s in enumerate(info["is"]) if info["ikind"][k] == "aff"):
            out.append((g, f_sig[0]))
    return out


DEPENDENT = re.compile(r"^(this|these|it|which|recommend\w*|follow|suggest\w*|consider)\b", re.I)


def _drop_dependents(seq: list, idx: set, mark: bool = False) -> list:
    """Remove the sentences right after the given ones that only refer back to them ("This may represent ...").
    With mark=True the removed ones become None so indices stay put."""
    out = list(seq)
    for k in sorted(idx):
        j = k + 1
        while j < len(out) and j not in idx and out[j] is not None and DEPENDENT.search(out[j]):
            out[j] = None
            j += 1
    return out if mark else [s for s in out if s is not None]


def iu_case(r: dict, info: dict, rng: random.Random, kind: str | None, sub: int) -> tuple[str, str] | None:
    uk = rng.random() < 0.55
    parts, changes = iu_parts(r, info, rng, uk)
    tag = _iu_tag(r, parts, changes)
    if kind is None:
        return render(parts, rng), tag + "; content otherwise unchanged (clean)"
    if kind == "missing_section":
        if sub % 3 == 0:
            parts["fmode"] = "empty"
            what = "FINDINGS emptied (header kept, nothing under it)"
        else:
            parts["imode"] = rng.choice(["empty", "sig_only", "removed"])
            what = {
                "empty": "IMPRESSION emptied (header kept, nothing under it)",
                "sig_only": "IMPRESSION emptied (header with only the sign-off under it)",
                "removed": "IMPRESSION section removed",
            }[parts["imode"]]
        return render(parts, rng), f"{tag}; {what}"
    if kind == "laterality_conflict":
        cands = iu_lat_candidates(info)
        if not cands:
            return None
        pref = [c for c in cands if c[0] == ("f" if sub % 2 else "i")]
        sec, k = rng.choice(pref or cands)
        if sec == "f":
            old = parts["findings"][k][1]
            parts["findings"][k] = ("", flip_sides(old))
            new = parts["findings"][k][1]
        else:
            old = parts["impression"][k]
            parts["impression"][k] = flip_sides(old)
            new = parts["impression"][k]
        secname = "FINDINGS" if sec == "f" else "IMPRESSION"
        return render(parts, rng), f"{tag}; side flipped in {secname} sentence '{old}' -> '{new}'"
    if kind == "negation_conflict":
        if info["type"] == "normal":
            opts = iu_neg_assert_options(info)
            if not opts:
                return None
            g, fsent = rng.choice(opts)
            x = rng.choice(["left", "right"])
            claim = rng.choice(IU_ASSERT[g]).format(x=x, X=cap(x))
            if not uk:
                claim = to_us(claim)
            parts["impression"] = [claim]
            return render(parts, rng), f"{tag}; IMPRESSION replaced by '{claim}' although FINDINGS say '{fsent}'"
        opts = iu_neg_negate_options(info)
        if not opts:
            return None
        g, k, fsent = rng.choice(opts)
        neg = rng.choice(NEGATE_TEXT[g])
        if not uk:
            neg = to_us(neg)
        old = parts["impression"][k]
        parts["impression"][k] = neg
        parts["impression"] = _drop_dependents(parts["impression"], {k})
        return render(
            parts, rng
        ), f"{tag}; IMPRESSION sentence '{old}' replaced by '{neg}' although FINDINGS affirm '{fsent}'"
    if kind == "impression_omits_finding":
        opts = iu_omit_options(info)
        if not opts:
            return None
        g, fsent = rng.choice(opts)
        rx = GROUPS[g]
        if sub % 2 == 0:
            stmt = rng.choice(NORMAL_STATEMENTS_UK if uk else NORMAL_STATEMENTS_US)
            parts["impression"] = [stmt]
            return render(parts, rng), f"{tag}; IMPRESSION replaced by '{stmt}' although FINDINGS affirm '{fsent}'"
        gone = {k for k, s in enumerate(info["is"]) if rx.search(s)}
        keep = [
            s
            for k, s in enumerate(_drop_dependents(parts["impression"], gone, mark=True))
            if k not in gone and s is not None
        ]
        if not keep or any(NORMAL_IMP.search(s) for s in keep):
            return None
        if any(rx.search(s) for s in keep):
            return None
        parts["impression"] = keep
        return render(parts, rng), f"{tag}; IMPRESSION sentence(s) about '{fsent}' dropped, other findings kept"
    if kind == "placeholder":
        opts = []
        for sec in ("f", "i"):
            seq = [s for _, s in parts["findings"]] if sec == "f" else parts["impression"]
            for k, s in enumerate(seq):
                for m in re.finditer(r"\b(small|moderate|large|mild|minimal)\b", s, re.I):
                    opts.append((sec, k, m.span(), rng.choice(PH_SIZE), "size word"))
                for m in re.finditer(r"\b(normal|clear|unremarkable|stable)\b", s, re.I):
                    opts.append((sec, k, m.span(), rng.choice(PH_WORD), "word"))
                for m in re.finditer(r"\b(base|apex|upper|lower|middle|lingula)\b", s, re.I):
                    opts.append((sec, k, m.span(), rng.choice(["[location]", "[***]", "<<zone>>"]), "location"))
        if not opts:
            return None
        what_pick = rng.choice(sorted({o[4] for o in opts}))
        sec, k, (a, b), ph, what = rng.choice([o for o in opts if o[4] == what_pick])
        if sec == "f":
            s = parts["findings"][k][1]
            parts["findings"][k] = ("", s[:a] + ph + s[b:])
        else:
            s = parts["impression"][k]
            parts["impression"][k] = s[:a] + ph + s[b:]
        secname = "FINDINGS" if sec == "f" else "IMPRESSION"
        return render(parts, rng), f"{tag}; {what} '{s[a:b]}' in {secname} replaced by placeholder '{ph}'"
    raise ValueError(kind)


# --------------------------------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------------------------------


def build(seed: int, shared: Path | None = None) -> list[dict]:
    rng = random.Random(f"h146-{seed}")
    dev = dev_uids(shared)
    iu = [r for r in load_iu(shared) if r["uid"] not in dev]
    classified = []
    for r in iu:
        info = classify_iu(r)
        if info is not None:
            classified.append((r, info))
    rng.shuffle(classified)
    used: set[str] = set()

    def take_iu(kind: str | None, n: int) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        # clean: about 70 % normal, 30 % abnormal; others: any type that can carry the kind
        want_normal = int(n * 0.7) if kind is None else None
        n_norm = 0
        for strict, (r, info) in [(True, x) for x in classified] + [(False, x) for x in classified]:
            if len(out) >= n:
                break
            if r["uid"] in used:
                continue
            if kind is None:
                is_norm = info["type"] == "normal"
                if is_norm and n_norm >= want_normal:
                    continue
                if not is_norm and len(out) - n_norm >= n - want_normal:
                    continue
            if kind == "negation_conflict" and strict:
                if info["type"] != ("normal" if len(out) % 2 == 0 else "abnormal"):
                    continue
            crng = random.Random(f"{seed}-{r['uid']}-{kind}")
            res = iu_case(r, info, crng, kind, len(out))
            if res is None:
                continue
            used.add(r["uid"])
            if kind is None and info["type"] == "normal":
                n_norm += 1
            out.append(res)
        if len(out) < n:
            raise RuntimeError(f"not enough IU reports for {kind}: {len(out)}/{n}")
        return out

    def take_composed(kind: str | None, n: int) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        tries = 0
        while len(out) < n:
            tries += 1
            if tries > 5000:
                raise RuntimeError(f"cannot compose {kind}")
            res = composed_case(rng, kind, len(out))
            if res is not None:
                out.append(res)
        return out

    rows: list[tuple[str | None, str, str]] = []
    # the rarer IU pools first so they are not taken by the clean group
    plan = [
        ("laterality_conflict", N_PER_KIND),
        ("impression_omits_finding", N_PER_KIND),
        ("negation_conflict", N_PER_KIND),
        ("placeholder", N_PER_KIND),
        ("missing_section", N_PER_KIND),
        (None, N_CLEAN),
    ]
    for kind, n in plan:
        for rep, det in take_iu(kind, n // 2):
            rows.append((kind, det, rep))
        for rep, det in take_composed(kind, n - n // 2):
            rows.append((kind, det, rep))
    rng.shuffle(rows)
    return [
        {"id": f"h146-{seed}-{k}", "injected": kind, "detail": det, "report": rep}
        for k, (kind, det, rep) in enumerate(rows)
    ]


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
            ex = [r for r in rows if r["injected"] == kind][: a.show]
            for r in ex:
                print(f"===== {r['id']} injected={kind}\n# {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
