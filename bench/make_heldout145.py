"""Held-out report-error set 145: neonatal intensive care (NICU/SCBU), UK, Ireland and US.

usage: python -m bench.make_heldout145 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines {"id", "injected", "detail", "report"}: 200 clean reports and 40 of each
of the five kinds (missing_section, laterality_conflict, negation_conflict,
impression_omits_finding, placeholder). In every group half the reports are composed from a
neonatal phrase bank below, half are real IU reports (never a dev-set uid, each used at most
once) re-laid out and lightly re-worded in the style of a neonatal unit's radiology report.
Standard library only; written without sight of the checker.
"""
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]
N_CLEAN, N_KIND = 200, 40


def shared_dir():
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# ----------------------------------------------------------------------------------------
# IU archive
# ----------------------------------------------------------------------------------------

@lru_cache(maxsize=2)
def load_iu(root):
    out = {}
    with tarfile.open(Path(root) / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tar:
        for m in tar:
            if not (m.isfile() and m.name.endswith(".xml")):
                continue
            doc = ET.fromstring(tar.extractfile(m).read())
            uid = doc.find("uId").get("id")
            secs = {}
            for a in doc.iter("AbstractText"):
                secs[a.get("Label")] = " ".join((a.text or "").split())
            out[uid] = secs
    return out


@lru_cache(maxsize=2)
def dev_uids(root):
    uids = set()
    with open(Path(root) / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            if line.strip():
                uids.add(json.loads(line)["uid"])
    return frozenset(uids)


def uid_num(uid):
    return int(re.sub(r"\D", "", uid))


# ----------------------------------------------------------------------------------------
# sentence analysis (used to pick consistent IU reports and to inject into them)
# ----------------------------------------------------------------------------------------

GROUPS = {
    "ptx": r"pneumothora(?:x|ces)",
    "eff": r"effusions?",
    "air": r"consolidat\w*|air ?space (?:disease|opacit\w*)|infiltrat\w*|pneumonia",
    "oed": r"o?edema|congesti\w*",
    "atel": r"atelecta\w*|collapse",
    "opac": r"opacit\w*|densit\w*|opacification",
    "heart": r"cardiomegaly|enlarged (?:heart|cardiac)|heart (?:size )?is (?:mildly |moderately |markedly )?enlarged",
    "nod": r"nodul\w*|\bmass(?:es)?\b",
    "free": r"free (?:air|gas)|pneumoperitoneum",
    "medi": r"widen\w* mediastin\w*|mediastin\w* (?:is )?widen\w*",
    "gran": r"granulom\w*|calcified",
}
SUPER = {"air": "lung", "opac": "lung", "atel": "lung"}
SIG_ANY = {"ptx", "eff", "air", "oed", "atel", "opac", "heart", "nod", "free", "medi"}
SIG_COVER = {"ptx", "eff", "air", "oed", "heart", "nod", "free", "medi", "atel", "opac"}
NEG_BEFORE = re.compile(r"\b(no|not|without|negative|free of|clear of|resolved|resolution|absence|absent|"
                        r"nor|removed|exclude[sd]?|rule out|ruled out|less likely)\b", re.I)
NEG_AFTER = re.compile(r"\b(resolved|not seen|not identified|not present|absent|no longer|has cleared|"
                       r"have cleared|is not|are not)\b", re.I)
HEDGE = re.compile(r"\b(may|might|possibl[ey]|question\w*|could|versus|vs|suspect\w*|concern\w*|likely|"
                   r"probabl[ey]|suggest\w*|suspicious|appear\w*|cannot|can't|borderline|minimal|mild|mildly|small|trace|tiny|"
                   r"stable|unchanged|chronic|old|healed|prior|previous|scar\w*|resolving|improv\w*|"
                   r"decreas\w*|subsegmental|streaky|linear|atelecta\w*|vs\.)\b", re.I)
SIDE = re.compile(r"\b(right|left)\b", re.I)
BILAT = re.compile(r"\b(bilateral\w*|both|bibasilar|bibasal)\b", re.I)
NORMAL_IMP = re.compile(
    r"no acute|no active|negative (?:chest|exam|study)|normal (?:chest|exam|study)|unremarkable|"
    r"no evidence of acute|no radiographic evidence|no (?:significant|interval) (?:change|abnormalit)|"
    r"^(?:the )?lungs are clear|^clear lungs|no evidence of (?:active|cardiopulmonary)", re.I)
HEADERISH = re.compile(r"\b(IMPRESSION|FINDINGS|COMPARISON|INDICATION|HISTORY|EXAM)\s*:", re.I)


def split_sentences(text):
    text = re.sub(r"(^|\s)\d{1,2}[.)],?\s+", " ", " " + text).strip()
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])", text)
    return [p.strip() for p in parts if p.strip(" .")]


def clauses(sentence):
    return [c for c in re.split(r";|,\s*(?:but|however|although)\b|\bbut\b|\bhowever\b|\bwhich\b|\bwith no\b",
                                sentence, flags=re.I) if c.strip()]


def mentions(text):
    """[(group, affirmed, hedged, sides, clause)] for every finding keyword in text."""
    out = []
    for sent in split_sentences(text):
        for cl in clauses(sent):
            for g, pat in GROUPS.items():
                for m in re.finditer(pat, cl, re.I):
                    negated = bool(NEG_BEFORE.search(cl[:m.start()]) or NEG_AFTER.search(cl[m.end():]))
                    sides = {s.lower() for s in SIDE.findall(sent)}
                    if BILAT.search(cl):
                        sides |= {"right", "left"}
                    out.append((g, not negated, bool(HEDGE.search(cl)), sides, cl))
    return out


def sup(g):
    return SUPER.get(g, g)


def consistent_iu(f, i):
    """True when FINDINGS and IMPRESSION plainly agree (conservative)."""
    if not f or not i or len(f) > 650 or len(i) > 300 or len(i) < 8 or len(f) < 25:
        return False
    if HEADERISH.search(f) or HEADERISH.search(i) or "___" in f + i or "[" in f + i:
        return False
    fm, im = mentions(f), mentions(i)
    f_aff = {sup(g) for g, a, _, _, _ in fm if a}
    f_neg = {sup(g) for g, a, _, _, _ in fm if not a}
    i_aff = {sup(g) for g, a, _, _, _ in im if a}
    i_neg = {sup(g) for g, a, _, _, _ in im if not a}
    if (i_aff & f_neg) or (i_neg & f_aff):
        return False
    normal = any(NORMAL_IMP.search(s) for s in split_sentences(i))
    f_sig = {sup(g) for g in SIG_ANY} & f_aff
    if normal and (f_sig or i_aff - {"gran"}):
        return False
    if not normal and not i_aff:
        return False
    if not f_sig <= i_aff:
        return False
    # sides: every sided impression mention has the same side for that finding in the findings
    f_sides = {}
    for g, a, _, s, _ in fm:
        if a:
            f_sides.setdefault(sup(g), set()).update(s)
    for g, a, _, s, _ in im:
        if a and s and not s <= f_sides.get(sup(g), set()):
            return False
    i_sides = {x.lower() for x in SIDE.findall(i)}
    if not i_sides <= {x.lower() for x in SIDE.findall(f)}:
        return False
    return True


# ----------------------------------------------------------------------------------------
# setting: styles, headers, sign-offs
# ----------------------------------------------------------------------------------------

SURNAMES = ["Okafor", "Fitzgerald", "Brennan", "Patel", "McAllister", "Hughes", "Nolan", "Kavanagh",
            "Chaudhry", "Whitfield", "O'Sullivan", "Lindqvist", "Morales", "Greenberg", "Adeyemi",
            "Doherty", "Sharma", "Rowntree", "Quinlan", "Harrington", "Nakamura", "Delaney", "Baptiste",
            "Ferreira", "Walsh", "MacLeod", "Thornton", "Iqbal", "Keane", "Ashworth"]
INITIALS = "ABCDEFGHJKLMNPRST"

REGIONS = {
    "UK": dict(
        clin=["Clinical details:", "Clinical indication:", "Clinical information:", "Clinical history:",
              "CLINICAL DETAILS:"],
        comp=["Comparison:", "Previous:", "Compared with:", "Comparison:"],
        find=["Findings:", "Report:", "FINDINGS:", "Findings:", "REPORT:"],
        imp=["Conclusion:", "Opinion:", "Impression:", "Comment:", "Summary:", "CONCLUSION:", "Conclusion:"],
        titles_chest=["XR CHEST (NEONATAL)", "XR Chest - NNU mobile", "Mobile chest X-ray (NICU)",
                      "XR CHEST AP SUPINE (SCBU)", "Chest radiograph, neonatal unit"],
        titles_abdo=["XR CHEST AND ABDOMEN", "XR Chest/Abdomen (Neonatal)",
                     "CHEST AND ABDOMEN AP SUPINE - NNU MOBILE", "Babygram (chest and abdomen)",
                     "XR CHEST + ABDOMEN NICU"],
        titles_iu=["XR CHEST", "XR Chest PA and lateral", "Chest radiograph", "XR CHEST 2 VIEWS"],
    ),
    "IE": dict(
        clin=["Clinical details:", "Clinical history:", "Clinical information:", "Clinical Details:"],
        comp=["Comparison:", "Previous imaging:", "Comparison:"],
        find=["Report:", "Findings:", "REPORT:"],
        imp=["Conclusion:", "Impression:", "Opinion:", "CONCLUSION:"],
        titles_chest=["X-RAY CHEST (NEONATAL)", "Chest X-ray - NICU portable", "CXR Neonatal"],
        titles_abdo=["X-RAY CHEST & ABDOMEN (NEONATAL)", "CXR/AXR Neonatal", "Chest and abdomen X-ray, NICU"],
        titles_iu=["X-RAY CHEST", "Chest X-ray PA/Lateral", "CXR"],
    ),
    "US": dict(
        clin=["CLINICAL HISTORY:", "INDICATION:", "HISTORY:", "REASON FOR EXAM:", "Indication:"],
        comp=["COMPARISON:", "Comparison:"],
        find=["FINDINGS:", "Findings:", "FINDINGS:"],
        imp=["IMPRESSION:", "Impression:", "IMPRESSION:"],
        titles_chest=["EXAM: XR CHEST 1 VIEW PORTABLE (NICU)", "EXAMINATION: XR CHEST NEONATAL 1V",
                      "PROCEDURE: XR CHEST 1 VIEW", "XR CHEST PORTABLE NICU"],
        titles_abdo=["EXAM: XR CHEST AND ABDOMEN 1 VIEW (BABYGRAM)", "XR BABYGRAM CHEST/ABDOMEN",
                     "EXAMINATION: XR CHEST AND ABDOMEN NEONATAL", "PROCEDURE: XR BABYGRAM 1 VIEW"],
        titles_iu=["EXAM: XR CHEST 2 VIEWS", "EXAMINATION: CHEST PA AND LATERAL", "XR CHEST PA/LAT"],
    ),
}


def fake_date(rng, region):
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.choice([2022, 2023, 2024])
    return f"{m:02d}/{d:02d}/{y}" if region == "US" else f"{d:02d}/{m:02d}/{y}"


def fake_time(rng):
    return f"{rng.randint(0, 23):02d}:{rng.choice([0, 5, 12, 20, 34, 41, 48, 55]):02d}"


def signoff(rng, region):
    n1, n2 = rng.choice(SURNAMES), rng.choice(SURNAMES)
    i1, i2 = rng.choice(INITIALS), rng.choice(INITIALS)
    if region == "UK":
        return rng.choice([
            f"Dr {i1} {n1}, Consultant Paediatric Radiologist\nGMC {rng.randint(4000000, 7999999)}",
            f"Reported by: Dr {i1} {n1} (ST{rng.randint(2, 5)} Radiology Registrar)\n"
            f"Verified by: Dr {i2} {n2}, Consultant Radiologist",
            f"Dr {i1}. {n1}\nConsultant Radiologist\nReport authorised {fake_date(rng, region)} {fake_time(rng)}",
            f"Reported by {i1} {n1}, Reporting Radiographer (neonatal chest)\n"
            f"Authorised: {fake_date(rng, region)} {fake_time(rng)}",
            f"Dr {i1} {n1}\nConsultant Paediatric Radiologist",
        ])
    if region == "IE":
        return rng.choice([
            f"Dr {i1} {n1} MB BCh BAO FFR RCSI\nConsultant Radiologist\nIMC No. {rng.randint(10000, 499999)}",
            f"Dr {i1} {n1}, Consultant Paediatric Radiologist\nSigned: {fake_date(rng, region)}",
            f"Reported by Dr {i1} {n1} (SpR)\nApproved by Dr {i2} {n2}, Consultant Radiologist",
        ])
    return rng.choice([
        f"Electronically signed by: {i1}. {n1}, MD on {fake_date(rng, region)} {fake_time(rng)}",
        f"Dictated by: {i1}. {n2}, MD (Resident)\nI have personally reviewed the images and agree with the "
        f"report above.\nAttending: {i2}. {n1}, MD\nSigned {fake_date(rng, region)} {fake_time(rng)}",
        f"{i1}. {n1}, MD - Pediatric Radiology\nFinalized: {fake_date(rng, region)} {fake_time(rng)}",
    ])


def make_style(rng, region, structured_ok=True):
    r = REGIONS[region]
    return dict(
        region=region,
        clin=rng.choice(r["clin"]), comp=rng.choice(r["comp"]),
        find=rng.choice(r["find"]), imp=rng.choice(r["imp"]),
        ffmt=rng.choice(["para", "lines", "structured", "para"] if structured_ok else ["para", "lines", "para"]),
        ifmt=rng.choice(["numbered", "para", "dash"] if region != "US" else ["numbered", "numbered", "para"]),
        inline=rng.random() < 0.35,
        sign=signoff(rng, region),
    )


def render(st, title, clinical, comparison, technique, findings, impression, mode=None):
    """findings: list of (system label or None, sentence); impression: list of sentences."""
    out = [title]
    if clinical:
        out.append(f"{st['clin']} {clinical}")
    if comparison:
        out.append(f"{st['comp']} {comparison}")
    if technique:
        out.append(f"{'TECHNIQUE:' if st['region'] == 'US' else 'Technique:'} {technique}")
    out.append("")
    # findings
    if mode != "f_removed":
        if mode == "f_empty":
            body = ""
        elif st["ffmt"] == "structured":
            groups, order = {}, []
            for lab, s in findings:
                lab = lab or "Other"
                if lab not in groups:
                    groups[lab] = []
                    order.append(lab)
                groups[lab].append(s)
            body = "\n".join(f"{lab}: {' '.join(groups[lab])}" for lab in order)
        elif st["ffmt"] == "lines":
            body = "\n".join(s for _, s in findings)
        else:
            body = " ".join(s for _, s in findings)
        if mode == "f_empty":
            out.append(st["find"])
        elif st["inline"] and st["ffmt"] == "para":
            out.append(f"{st['find']} {body}")
        else:
            out.append(st["find"])
            out.append(body)
        out.append("")
    # impression
    if mode == "i_removed":
        out.append(st["sign"])
        return "\n".join(out).strip() + "\n"
    if mode in ("i_empty", "i_sig_only"):
        out.append(st["imp"])
        if mode == "i_empty":
            out.append("")
        out.append(st["sign"])
        return "\n".join(out).strip() + "\n"
    items = list(impression)
    if st["ifmt"] == "numbered" and len(items) > 1:
        body = "\n".join(f"{k + 1}. {s}" for k, s in enumerate(items))
    elif st["ifmt"] == "dash" and len(items) > 1:
        body = "\n".join(f"- {s}" for s in items)
    else:
        body = " ".join(items)
    if st["inline"] and "\n" not in body:
        out.append(f"{st['imp']} {body}")
    else:
        out.append(st["imp"])
        out.append(body)
    out.append("")
    out.append(st["sign"])
    return "\n".join(out).strip() + "\n"


# ----------------------------------------------------------------------------------------
# wording: UK spellings <-> US
# ----------------------------------------------------------------------------------------

US_MAP = [
    (r"\boedema\b", "edema"), (r"\btachypnoea\b", "tachypnea"), (r"\boesophag", "esophag"),
    (r"\bhaemodynamic", "hemodynamic"), (r"\bhaemorrhag", "hemorrhag"), (r"\bfree gas\b", "free air"),
    (r"\bNGT\b", "enteric tube"), (r"\bETT\b", "ET tube"), (r"\bLong line\b", "PICC"),
    (r"\blong line\b", "PICC"), (r"\bcentre", "center"), (r"\bfoetal\b", "fetal"),
    (r"\bparaesthes", "paresthes"), (r"\bdiscussed with the neonatal registrar\b",
                                     "discussed with the NICU fellow"),
    (r"\bNNU\b", "NICU"), (r"\bSCBU\b", "NICU"),
]
UK_MAP = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bhemorrhag", "haemorrhag"),
    (r"\bHemorrhag", "Haemorrhag"), (r"\besophag", "oesophag"), (r"\bischemi", "ischaemi"),
    (r"\btumor\b", "tumour"), (r"\bcentimeter", "centimetre"), (r"\bairspace\b", "air space"),
    (r"\bAirspace\b", "Air space"), (r"\bcardiomediastinal silhouette\b", "cardiomediastinal contour"),
    (r"\bCardiomediastinal silhouette\b", "Cardiomediastinal contour"), (r"\bhemithorax\b", "hemithorax"),
    (r"\banemi", "anaemi"), (r"\bleukocyt", "leucocyt"), (r"\bhyperinflated\b", "hyperexpanded"),
    (r"\bhyperinflation\b", "hyperexpansion"), (r"\bHyperinflated\b", "Hyperexpanded"),
]
IU_COMMON = [
    (r"\bNo acute cardiopulmonary (?:abnormality|abnormalities|disease|process|findings?)\b",
     "No acute cardiopulmonary abnormality"),
    (r"\bx-XXXX\b", "radiograph"),
]


def localize(text, region):
    if region == "US":
        for a, b in US_MAP:
            text = re.sub(a, b, text)
        text = re.sub(r"(^|\. )([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)
    return text


def reword_iu(text, region):
    changed = []
    text = re.sub(r"\.(\s*\.)+", ".", text)
    for a, b in IU_COMMON + (UK_MAP if region != "US" else []):
        new = re.sub(a, b, text)
        if new != text:
            changed.append(b)
            text = new
    return text, changed


def cap(s):
    return s[:1].upper() + s[1:]


def flip_side(text):
    return SIDE.sub(lambda m: {"right": "left", "left": "right", "Right": "Left", "Left": "Right",
                               "RIGHT": "LEFT", "LEFT": "RIGHT"}[m.group(0)], text)


# ----------------------------------------------------------------------------------------
# composed phrase bank (neonatal)
# ----------------------------------------------------------------------------------------

def item(sys_, find, imp=None, sig=False, side=None, cat=None):
    return dict(sys=sys_, find=find, imp=imp, sig=sig, side=side, cat=cat)


def ett_item(rng, how):
    if how == "ok":
        lvl = rng.choice(["T2", "T1/T2", "T2/3", "T1-T2", "T2"])
        return item("Lines and tubes", rng.choice([
            f"ETT tip at {lvl}.", f"ETT tip projects at {lvl}, above the carina.",
            f"Endotracheal tube tip at the level of {lvl}.",
            f"ETT tip at {lvl}, approximately 1 cm above the carina."]),
            rng.choice(["ETT satisfactory.", "ETT in a satisfactory position.", None]), cat="ett")
    if how == "low":
        lvl = rng.choice(["T4", "T3/4"])
        return item("Lines and tubes", rng.choice([f"ETT tip is low at {lvl}, at the carina.",
                                                   f"ETT tip at {lvl}, just above the carina - low."]),
                    rng.choice(["ETT low - suggest withdrawing by 0.5-1 cm.", "Low ETT; withdraw by 1 cm."]),
                    cat="ett_bad")
    return item("Lines and tubes",
                rng.choice(["ETT tip high at C7.", "ETT tip is high at the thoracic inlet (C7/T1)."]),
                rng.choice(["ETT high - advance by 0.5 cm.", "High ETT; consider advancing 0.5-1 cm."]),
                cat="ett_bad")


def ett_bronchus(rng, side):
    pairs = [
        (f"ETT tip lies within the {side} main bronchus.",
         f"ETT in the {side} main bronchus - withdraw by 1-1.5 cm. Clinical team informed."),
        (f"ETT has been advanced too far; the tip is in the {side} main bronchus.",
         f"Endobronchial ETT ({side} main bronchus); recommend withdrawal."),
        (f"ETT tip projects beyond the carina, over the {side} main bronchus.",
         f"ETT too low, in the {side} main bronchus."),
    ]
    f, i = rng.choice(pairs)
    return item("Lines and tubes", f, i, side=side, cat="ett_bronch")


def uvc_item(rng, how):
    if how == "ok":
        lvl = rng.choice(["T8/9", "T9", "T8", "T8-T9"])
        return item("Lines and tubes", rng.choice([
            f"UVC tip at {lvl}, at the IVC/right atrial junction.",
            f"UVC tip projects over the IVC at {lvl}.",
            f"Umbilical venous catheter tip at {lvl}, in a satisfactory position."]),
            rng.choice(["UVC satisfactory.", None, "UVC tip at the IVC/RA junction."]), cat="uvc")
    if how == "low":
        return item("Lines and tubes", rng.choice([
            "UVC tip is low, projecting over the liver at T11.",
            "UVC tip at T12 within the liver shadow, likely in the portal system."]),
            rng.choice(["UVC low-lying (intrahepatic) - not suitable for central infusions.",
                        "Low UVC; consider resiting."]), cat="uvc_bad")
    return item("Lines and tubes", rng.choice([
        "UVC tip is high at T6, projecting over the heart.",
        "UVC tip projects over the cardiac shadow at T6, too high."]),
        rng.choice(["UVC high - withdraw by 1 cm.", "High UVC; suggest withdrawal to T8/9."]), cat="uvc_bad")


def uac_item(rng, how):
    if how == "ok":
        lvl = rng.choice(["T7", "T8", "T7/8", "T9", "T6/7"])
        return item("Lines and tubes", rng.choice([
            f"UAC tip at {lvl}.", f"UAC tip at {lvl} (high position).",
            f"Umbilical arterial catheter tip projects at {lvl}."]),
            rng.choice(["UAC satisfactory.", None]), cat="uac")
    if how == "lowpos":
        return item("Lines and tubes", "UAC tip at L3/4.",
                    rng.choice(["UAC in satisfactory low position.", None]), cat="uac")
    return item("Lines and tubes", rng.choice(["UAC tip at T10/11, between the recommended zones.",
                                               "UAC tip at T11."]),
                rng.choice(["UAC at T11 - suggest adjusting to T6-T9 or L3-L4.",
                            "UAC not in a recommended position (T11)."]), cat="uac_bad")


def ngt_item(rng):
    return item("Lines and tubes", rng.choice(["NGT tip in the stomach.", "OGT tip projects over the stomach.",
                                               "Nasogastric tube tip in the stomach."]),
                rng.choice([None, None, "NGT satisfactory."]), cat="ngt")


def longline_item(rng):
    if rng.random() < 0.8:
        lvl = rng.choice(["T3", "T4", "T3/4"])
        return item("Lines and tubes", rng.choice([f"Long line tip projects over the SVC at {lvl}.",
                                                   f"Long line tip at {lvl}, in the SVC."]),
                    rng.choice(["Long line central (SVC).", "Long line satisfactory."]), cat="ll")
    return item("Lines and tubes", "Long line tip projects over the axilla; it is not central.",
                "Long line not central.", cat="ll_bad")


LINES_OK_IMP = ["Lines and tubes satisfactory.", "Satisfactory line and tube positions.",
                "Tubes and lines in satisfactory positions."]
LINE_NAMES = {"ett": "ETT", "uvc": "UVC", "uac": "UAC", "ngt": "gastric tube", "ll": "long line"}


def lines_ok_phrase(rng, lines_items):
    names = [LINE_NAMES[x["cat"]] for x in lines_items if x["cat"] in LINE_NAMES]
    if len(names) >= 2 and rng.random() < 0.4:
        return cap(", ".join(names[:-1]) + " and " + names[-1] + " satisfactory.")
    return rng.choice(LINES_OK_IMP)


def lines_block(rng, kind="any", vent=True):
    items = []
    bad = kind == "any" and rng.random() < 0.3
    bad_which = rng.choice(["ett", "uvc", "uac", "ll"]) if bad else None
    if vent:
        items.append(ett_item(rng, rng.choice(["low", "high"]) if bad_which == "ett" else "ok"))
    if rng.random() < 0.7:
        items.append(uvc_item(rng, rng.choice(["low", "high"]) if bad_which == "uvc" else "ok"))
        if rng.random() < 0.7:
            items.append(uac_item(rng, "high" if bad_which == "uac" else rng.choice(["ok", "ok", "lowpos"])))
    elif rng.random() < 0.6 or bad_which == "ll":
        it = longline_item(rng)
        if bad_which == "ll" and it["cat"] != "ll_bad":
            it = item("Lines and tubes", "Long line tip projects over the axilla; it is not central.",
                      "Long line not central.", cat="ll_bad")
        items.append(it)
    if rng.random() < 0.75:
        items.append(ngt_item(rng))
    return items


NEG_FIND = {
    "ptx": ["No pneumothorax.", "No air leak.", "No evidence of pneumothorax."],
    "eff": ["No pleural effusion.", "No pleural fluid."],
    "free": ["No free gas.", "No pneumoperitoneum.", "No free intraperitoneal gas."],
    "oed": ["No pulmonary oedema.", "Pulmonary vascularity is normal."],
    "nec": ["No pneumatosis or portal venous gas.", "No pneumatosis."],
}
NEG_IMP = {
    "ptx": ["No pneumothorax.", "No air leak."],
    "eff": ["No pleural effusion.", "No effusion."],
    "free": ["No pneumoperitoneum.", "No free gas."],
    "oed": ["No pulmonary oedema."],
    "col": ["Lungs clear - no collapse or consolidation.", "No collapse or consolidation."],
    "nec": ["No radiological features of NEC.", "No evidence of NEC."],
    "rds": ["Clear lungs.", "Lungs clear."],
}


def lung_item(rng, cat, side=None):
    S = cap(side) if side else ""
    if cat == "normal":
        return item("Lungs", rng.choice(["The lungs are clear.", "Lungs clear and well expanded.",
                                         "Lung volumes are normal and the lungs are clear.",
                                         "Both lungs are clear, expanded to 8 posterior ribs."]),
                    None, cat="normal")
    if cat == "rds":
        return item("Lungs", rng.choice([
            "Low lung volumes with diffuse bilateral granular (ground-glass) opacification and air bronchograms.",
            "Diffuse ground-glass opacification throughout both lungs with air bronchograms.",
            "Reduced lung volumes and a fine reticulogranular pattern bilaterally."]),
            rng.choice(["Appearances in keeping with RDS.", "Surfactant deficient lung disease (RDS).",
                        "Features of respiratory distress syndrome."]), cat="rds")
    if cat == "rds_better":
        return item("Lungs", "Improved aeration compared with the previous film, with residual mild bilateral "
                    "granular opacification.", rng.choice(["Improving RDS.", "Improving appearances of RDS."]),
                    cat="rds_better")
    if cat == "ttn":
        return item("Lungs", rng.choice([
            "Mildly hyperexpanded lungs with streaky perihilar opacities and fluid in the horizontal fissure.",
            "Prominent perihilar interstitial markings, fluid in the fissures and mild hyperexpansion."]),
            rng.choice(["Appearances consistent with transient tachypnoea of the newborn.",
                        "Features in keeping with TTN (retained foetal lung fluid)."]), cat="ttn")
    if cat == "mas":
        return item("Lungs", rng.choice([
            "Hyperexpanded lungs with coarse, patchy, asymmetric opacification in both lungs.",
            "Bilateral coarse nodular and patchy opacities with hyperexpansion."]),
            rng.choice(["Appearances consistent with meconium aspiration.",
                        "Features in keeping with meconium aspiration syndrome."]), cat="mas")
    if cat == "cld":
        return item("Lungs", rng.choice([
            "Coarse reticular opacities and small cystic lucencies in both lungs with hyperexpansion; "
            "appearances unchanged from the previous film.",
            "Established bilateral coarse interstitial changes and hyperexpansion, similar to previous."]),
            rng.choice(["Chronic lung disease of prematurity, unchanged.", "Stable CLD/BPD appearances."]),
            cat="cld")
    if cat == "ptx":
        f, i = rng.choice([
            (f"There is a {side} pneumothorax with a visible lung edge.", f"{S} pneumothorax."),
            (f"Increased lucency over the {side} hemithorax with a sharply defined {side} heart border, in keeping "
             f"with an anterior pneumothorax.", f"{S}-sided pneumothorax - discussed with the neonatal registrar."),
            (f"Moderate {side} pneumothorax with mild mediastinal shift.",
             f"{S} pneumothorax; clinical team informed."),
            (f"New {side} apical pneumothorax.", f"New {side} pneumothorax."),
            (f"Air is seen in the {side} pleural space, outlining the collapsed {side} lung.",
             f"{S} pneumothorax."),
        ])
        return item("Lungs", f, i, sig=True, side=side, cat="ptx")
    if cat == "col":
        f, i = rng.choice([
            (f"New collapse of the {side} upper lobe.", f"{S} upper lobe collapse."),
            (f"Dense opacification of the {side} upper lobe with volume loss.",
             f"{S} upper lobe collapse/consolidation, ?post extubation."),
            (f"New patchy consolidation in the {side} lower zone.", f"{S} lower zone consolidation, ?infection."),
            (f"Increasing opacification of the {side} upper zone since the previous film.",
             f"Worsening {side} upper lobe collapse."),
        ])
        return item("Lungs", f, i, sig=True, side=side, cat="col")
    if cat == "eff":
        f, i = rng.choice([
            (f"Moderate {side} pleural effusion.", f"{S} pleural effusion, ?chylothorax."),
            (f"Moderate-sized {side} pleural effusion with a meniscus.", f"Moderate {side} pleural effusion."),
            (f"Large {side} pleural effusion.", f"Large {side} pleural effusion."),
        ])
        return item("Pleura", f, i, sig=True, side=side, cat="eff")
    if cat == "eff_small":
        return item("Pleura", f"Small {side} pleural effusion.", f"Small {side} pleural effusion.",
                    side=side, cat="eff_small")
    if cat == "pie":
        return item("Lungs", f"Multiple small linear and cystic lucencies throughout the {side} lung, in keeping with "
                    "pulmonary interstitial emphysema.", rng.choice([f"{S}-sided PIE.",
                                                                     f"{S} pulmonary interstitial emphysema."]),
                    side=side, cat="pie")
    if cat == "oed":
        f, i = rng.choice([
            ("Enlarged cardiothymic silhouette with plethoric lungs and increased perihilar interstitial markings, "
             "in keeping with pulmonary oedema.",
             "Cardiomegaly and pulmonary oedema, ?haemodynamically significant PDA."),
            ("Hazy bilateral perihilar opacification and prominent pulmonary vessels, suggesting pulmonary oedema.",
             "Pulmonary oedema."),
            ("New bilateral perihilar haze with septal lines, in keeping with pulmonary oedema.",
             "New pulmonary oedema - ?PDA."),
        ])
        return item("Lungs", f, i, sig=True, cat="oed")
    raise ValueError(cat)


def heart_item(rng, enlarged=False):
    if enlarged:
        return item("Heart", "The cardiothymic silhouette is enlarged.", "Cardiomegaly.", cat="heart_big")
    return item("Heart", rng.choice(["Cardiothymic silhouette is normal.", "Normal cardiothymic outline.",
                                     "Heart size is normal.", "Prominent thymus; heart size normal."]),
                None, cat="heart")


def abdo_item(rng, cat):
    if cat == "normal":
        return item("Abdomen", rng.choice(["Normal bowel gas pattern. No pneumatosis, portal venous gas or free gas.",
                                           "Bowel gas pattern is unremarkable.",
                                           "Gas is seen in non-dilated bowel loops."]), None, cat="abdo")
    if cat == "nec":
        return item("Abdomen", rng.choice([
            "Dilated loops of bowel with bubbly lucencies in keeping with pneumatosis intestinalis.",
            "Diffusely dilated bowel loops with intramural gas (pneumatosis). No portal venous gas."]),
            rng.choice(["Pneumatosis, consistent with NEC.", "Features of NEC."]), cat="nec")
    if cat == "free":
        f, i = rng.choice([
            ("Large volume of free intraperitoneal gas outlining the falciform ligament (football sign).",
             "Pneumoperitoneum, in keeping with perforation. Surgical team informed."),
            ("Free gas under the diaphragm, with gas outlining both sides of the bowel wall (Rigler's sign).",
             "Free intraperitoneal gas - perforation. Discussed with the surgical registrar."),
        ])
        return item("Abdomen", f, i, sig=True, cat="free")
    raise ValueError(cat)


CLIN = {
    "line": ["Line check. {g}, day {d}.", "UVC/UAC position please. {g}.", "Ventilated {g}, tube and lines check.",
             "{g}, day {d}. Long line inserted - position?", "Post re-intubation; ETT position?"],
    "rds": ["{g}, ventilated, increasing oxygen requirement. Post surfactant.", "Preterm {g}, RDS? Lines check.",
            "{g} on CPAP, FiO2 0.45, grunting."],
    "ttn": ["Term baby born by elective LSCS, tachypnoeic and grunting.", "{g}, tachypnoea since birth, on HFNC.",
            "Respiratory distress after caesarean section."],
    "mas": ["Meconium stained liquor, respiratory distress. Ventilated.", "Thick meconium at delivery. ?MAS.",
            "Post-term, meconium aspiration? Increasing O2 requirement."],
    "ptx": ["Sudden desaturation and bradycardia on the ventilator. ?air leak.",
            "Acute deterioration, {g}, day {d}. ?pneumothorax.", "Increased work of breathing on CPAP. ?PTX."],
    "col": ["Post extubation, increasing oxygen requirement.", "{g}, day {d}. Worsening respiratory status.",
            "Increased secretions and oxygen requirement."],
    "eff": ["Post cardiac surgery, increasing O2 requirement. ?effusion.", "Hydrops, ?pleural effusion.",
            "{g}, TPN via long line, desaturations."],
    "cld": ["Ex-{g}, now 36 weeks corrected, ongoing oxygen requirement.", "Ex-prem, ?CLD. Still on low flow O2."],
    "oed": ["{g}, day {d}. Murmur, ?PDA, increasing ventilatory requirement.", "?PDA. Bounding pulses."],
    "nec": ["Abdominal distension and bilious aspirates. ?NEC.", "{g}, day {d}. Blood in stool, distended abdomen.",
            "?NEC. Tender distended abdomen."],
    "free": ["Sudden abdominal distension, ?perforation.", "Known NEC, acute deterioration. ?perforation."],
}


def clinical(rng, key, items=()):
    cats = {x["cat"] for x in items}
    if key == "line":
        opts = []
        if cats & {"ett", "ett_bad", "ett_bronch"}:
            opts += ["Ventilated {g}, tube and lines check.", "Post re-intubation; ETT position?"]
        if cats & {"uvc", "uvc_bad", "uac", "uac_bad"}:
            opts += ["UVC/UAC position please. {g}.", "Line check. {g}, day {d}.", "Umbilical lines inserted."]
        if cats & {"ll", "ll_bad"}:
            opts += ["{g}, day {d}. Long line inserted - position?", "Long line position please."]
        if not opts:
            opts = ["{g}, day {d}. Routine film, ?tube position."]
        CLIN_LINE = opts
    g = rng.choice(["23+6/40", "24+3/40", "25+5 weeks", "26+1/40", "27+4 weeks", "28+2/40", "29+6/40", "31+1/40",
                    "33+4 weeks", "35+2/40", "27 weeker", "24 weeker"])
    text = rng.choice(CLIN_LINE if key == "line" else CLIN[key]).format(g=g, d=rng.randint(1, 40))
    if cats & {"ett", "ett_bad", "ett_bronch"}:
        text = text.replace("on CPAP", "ventilated").replace("on HFNC", "ventilated")
    return text


SCEN_KEYS = ["line", "rds", "ttn", "mas", "ptx", "col", "eff", "cld", "oed", "nec", "free", "bronch", "pie"]
SCEN_W = [18, 16, 7, 5, 8, 7, 4, 6, 4, 5, 3, 3, 2]
SIDED = {"ptx", "col", "eff", "bronch", "pie"}
SIG_SCEN = {"ptx", "col", "eff", "oed", "free"}


def scenario(rng, key):
    """A consistent composed report: (clin_key, items, abdo)."""
    side = rng.choice(["right", "right", "left"])
    vent = key in {"rds", "mas", "ptx", "col", "bronch", "pie", "oed", "free"} or rng.random() < 0.5
    abdo = key in {"nec", "free"} or rng.random() < 0.45
    items = []
    if key == "bronch":
        lines = [x for x in lines_block(rng, "ok", vent=False)]
        items.append(ett_bronchus(rng, side))
        items += lines
    else:
        items += lines_block(rng, "any" if key in {"line", "rds", "cld", "ttn"} else "ok", vent=vent)
    lung = {"line": "normal", "rds": rng.choice(["rds", "rds", "rds_better"]), "ttn": "ttn", "mas": "mas",
            "ptx": rng.choice(["rds", "normal", "mas"]), "col": "normal", "eff": "normal", "cld": "cld",
            "oed": "oed", "nec": "normal", "free": "normal", "bronch": "normal", "pie": "rds"}[key]
    if key in SIDED - {"bronch"}:
        items.append(lung_item(rng, {"eff": rng.choice(["eff", "eff", "eff_small"])}.get(key, key), side))
        if lung != "normal" and key != "col":
            items.append(lung_item(rng, lung))
    elif key == "bronch":
        items.append(lung_item(rng, "normal") if rng.random() < 0.5 else
                     item("Lungs", "Lungs otherwise clear.", None, cat="normal"))
    else:
        items.append(lung_item(rng, lung))
    if key == "col" and rng.random() < 0.5:
        items.append(item("Lungs", "The remainder of the lungs is clear.", None, cat="normal_rest"))
    present = {x["cat"] for x in items}
    negs = []
    if "ptx" not in present:
        negs.append(item("Pleura", rng.choice(NEG_FIND["ptx"]), None, cat="neg_ptx"))
    if not present & {"eff", "eff_small"} and rng.random() < 0.6:
        negs.append(item("Pleura", rng.choice(NEG_FIND["eff"]), None, cat="neg_eff"))
    items += negs
    if key != "oed":
        items.append(heart_item(rng))
    if abdo:
        if key == "nec":
            items.append(abdo_item(rng, "nec"))
            items.append(item("Abdomen", rng.choice(NEG_FIND["free"]), None, cat="neg_free"))
        elif key == "free":
            items.append(abdo_item(rng, "free"))
        else:
            items.append(abdo_item(rng, "normal"))
    if rng.random() < 0.3:
        items.append(item("Bones", rng.choice(["No bony abnormality.", "Skeleton unremarkable.",
                                               "Bones are unremarkable."]), None, cat="bones"))
    if not any(x["sys"] == "Lines and tubes" for x in items):
        items.insert(0, longline_item(rng))
    return {"bronch": "line", "pie": "rds"}.get(key, key), items, abdo


def is_abnormal(items):
    return any(x["imp"] and x["cat"] not in {"ett", "uvc", "uac", "ngt", "ll"} for x in items)


def build_impression(rng, items, normal_style=None):
    lines_items = [x for x in items if x["sys"] == "Lines and tubes"]
    other = [x["imp"] for x in items if x["sys"] != "Lines and tubes" and x["imp"]]
    out = []
    if lines_items:
        if all(x["cat"] in {"ett", "uvc", "uac", "ngt", "ll"} for x in lines_items):
            if rng.random() < 0.6 or not any(x["imp"] for x in lines_items):
                out.append(lines_ok_phrase(rng, lines_items))
            else:
                out += [x["imp"] for x in lines_items if x["imp"]]
        else:
            bad = [x["imp"] for x in lines_items if x["cat"] not in {"ett", "uvc", "uac", "ngt", "ll"}]
            out += bad
            if len(lines_items) > len(bad):
                out.append(rng.choice(["Other lines satisfactory.", "Remaining tubes satisfactory."]))
    cats = {x["cat"] for x in items}
    if not other and "normal" in cats:
        out.append(rng.choice(["Clear lungs.", "Lungs clear.", "No acute cardiopulmonary abnormality.",
                               "No other abnormality."]))
    out += other
    if not out:
        out.append(rng.choice(["No acute abnormality.", "Normal appearances."]))
    return out


IU_NORMAL_STATEMENTS = ["No acute abnormality.", "Normal appearances.", "No acute cardiopulmonary abnormality.",
                        "Normal chest radiograph.", "No significant abnormality."]
NORMAL_STATEMENTS = ["No acute abnormality.", "Normal appearances.", "Satisfactory appearances.",
                     "No acute cardiopulmonary abnormality.", "Unremarkable neonatal radiograph.",
                     "No significant abnormality."]


# ----------------------------------------------------------------------------------------
# composed cases
# ----------------------------------------------------------------------------------------

def placeholder_token(rng, what, old=""):
    if what == "word":
        if old.lower() == "satisfactory":
            return rng.choice(["[satisfactory/unsatisfactory]", "[***]", "[ ]", "***"])
        return rng.choice(["[***]", "***", "[ ]", "[normal/abnormal]"])
    return rng.choice({
        "level": ["T[ ]", "T__", "<<level>>", "[vertebral level]", "T***", "[***]"],
        "side": ["[side]", "[right/left]", "<<side>>", "***"],
        "size": ["[***]", "<<size>>", "[small/moderate/large]", "___"],
        "cm": ["XX cm", "__ cm", "[x] cm"],
    }[what])


PH_PATTERNS = [
    ("level", re.compile(r"\b(?:T\d{1,2}(?:(?:/|-)T?\d{1,2})?|C7(?:/T1)?|L3/4)\b")),
    ("side", re.compile(r"\b(?:right|left)\b(?!\s+(?:atri|ventric))", re.I)),
    ("size", re.compile(r"\b(?:Moderate|moderate|Large|large|Small|small|mild|Mild)\b")),
    ("cm", re.compile(r"\b\d(?:\.\d)?(?:-\d(?:\.\d)?)? cm\b")),
    ("word", re.compile(r"\b(?:normal|clear|unremarkable|satisfactory)\b")),
]


def inject_placeholder(rng, findings, impression):
    """Replace one value in findings or impression by a template field. Returns (f, i, desc) or None."""
    groups = {}
    for sec, lst in (("findings", findings), ("impression", impression)):
        for k, s in enumerate(lst):
            text = s[1] if sec == "findings" else s
            for what, pat in PH_PATTERNS:
                for m in pat.finditer(text):
                    if "XXXX" in text[max(0, m.start() - 6):m.end() + 6]:
                        continue
                    groups.setdefault((sec, what), []).append((sec, k, what, m.start(), m.end()))
    if not groups:
        return None
    keys = sorted(groups)
    sec, k, what, a, b = rng.choice(groups[rng.choice(keys)])
    if sec == "findings":
        lab, text = findings[k]
        old = text[a:b]
        tok = placeholder_token(rng, what, old)
        findings = findings[:k] + [(lab, text[:a] + tok + text[b:])] + findings[k + 1:]
    else:
        text = impression[k]
        old = text[a:b]
        tok = placeholder_token(rng, what, old)
        impression = impression[:k] + [text[:a] + tok + text[b:]] + impression[k + 1:]
    return findings, impression, f"'{old}' in {sec} replaced by template field '{tok}'"


def pick_region(rng):
    return rng.choice(["UK", "UK", "UK", "IE", "US", "US"])


def comparison_text(rng, region):
    if region == "US":
        return rng.choice(["None.", fake_date(rng, region), f"Radiograph from earlier today at {fake_time(rng)}.",
                           f"{fake_date(rng, region)} {fake_time(rng)}"])
    return rng.choice(["None.", f"Previous film {fake_date(rng, region)} {fake_time(rng)}.",
                       f"Film of earlier today ({fake_time(rng)}).", "Yesterday's film.",
                       fake_date(rng, region), None])


def composed_case(rng, kind):
    region = pick_region(rng)
    if kind == "laterality_conflict":
        key = rng.choice(["ptx", "ptx", "col", "col", "eff", "bronch", "pie"])
    elif kind == "impression_omits_finding":
        key = rng.choice(["ptx", "ptx", "col", "col", "eff", "oed", "free"])
    elif kind == "negation_conflict":
        key = rng.choice(["line", "line", "rds", "ttn", "nec", "ptx", "col", "eff", "oed", "free", "cld"])
    else:
        key = rng.choices(SCEN_KEYS, SCEN_W)[0]
    clin_key, items, abdo = scenario(rng, key)
    if key == "eff" and kind == "impression_omits_finding":
        items = [x if x["cat"] != "eff_small" else lung_item(rng, "eff", x["side"]) for x in items]
    desc = f"composed {region} neonatal {'chest/abdomen' if abdo else 'chest'} film, scenario {key}"
    st = make_style(rng, region)
    mode = None
    imp_items = None
    change = "unmodified"

    if kind == "laterality_conflict":
        target = next(x for x in items if x["side"])
        flipped = dict(target)
        where = rng.choice(["findings", "impression"])
        if where == "findings":
            flipped["find"] = flip_side(target["find"])
        else:
            flipped["imp"] = flip_side(target["imp"])
        imp_items = build_impression(rng, items)
        items = [flipped if x is target else x for x in items]
        if where == "impression":
            imp_items = [flipped["imp"] if s == target["imp"] else s for s in imp_items]
        change = (f"{where} sentence about the {target['cat']} flipped from {target['side']} to "
                  f"{'left' if target['side'] == 'right' else 'right'}; the other section keeps {target['side']}")
    elif kind == "negation_conflict":
        affirm = [x for x in items if x["cat"] in {"ptx", "col", "eff", "oed", "free", "nec", "rds"}]
        negs = [x for x in items if x["cat"].startswith("neg_") or x["cat"] in {"normal", "heart"}]
        if affirm and (rng.random() < 0.5 or not negs):
            t = rng.choice(affirm)
            neg = rng.choice(NEG_IMP[t["cat"]])
            imp_items = build_impression(rng, items)
            imp_items = [neg if s == t["imp"] else s for s in imp_items]
            change = f"impression now negates the {t['cat']} the findings affirm ('{neg}')"
        else:
            t = rng.choice(negs)
            side = rng.choice(["right", "left"])
            assertion = {
                "neg_ptx": f"{cap(side)} pneumothorax.", "neg_eff": f"Moderate {side} pleural effusion.",
                "neg_free": "Pneumoperitoneum - ?perforation.", "normal": f"{cap(side)} upper lobe collapse.",
                "heart": "Cardiomegaly.",
            }[t["cat"]]
            imp_items = [s for s in build_impression(rng, items)
                         if s not in ("Clear lungs.", "Lungs clear.", "No acute cardiopulmonary abnormality.",
                                      "No other abnormality.", "No acute abnormality.", "Normal appearances.")]
            imp_items.insert(rng.randint(0, len(imp_items)), assertion)
            change = f"impression asserts '{assertion}' against findings '{t['find']}'"
    elif kind == "impression_omits_finding":
        t = next(x for x in items if x["sig"])
        if rng.random() < 0.5:
            imp_items = [rng.choice(NORMAL_STATEMENTS)]
            change = f"impression replaced by a normal statement; findings affirm '{t['find']}'"
        else:
            rest = [dict(x, imp=None) if x is t else x for x in items]
            imp_items = build_impression(rng, rest)
            imp_items = [s for s in imp_items if s not in ("Clear lungs.", "Lungs clear.", "No other abnormality.",
                                                          "No acute cardiopulmonary abnormality.")]
            if not imp_items:
                imp_items = [lines_ok_phrase(rng, [x for x in items if x["sys"] == "Lines and tubes"])]
            change = f"impression lists other findings and leaves out '{t['find']}'"
    if imp_items is None:
        imp_items = build_impression(rng, items)
    findings = [(x["sys"], x["find"]) for x in items]

    if kind == "placeholder":
        findings, imp_items, change = inject_placeholder(rng, findings, imp_items)
    elif kind == "missing_section":
        mode = rng.choice(["f_empty", "f_empty", "i_empty", "i_sig_only", "i_removed"])
        change = {"f_empty": "findings emptied (header kept)", "i_empty": "impression emptied (header kept)",
                  "i_sig_only": "impression header with only the signature under it",
                  "i_removed": "impression section removed"}[mode]
    elif kind is None and rng.random() < 0.08:
        # a short line-check style report: the impression itself describes the findings
        mode = "f_removed"
        imp_items = [s for _, s in findings]
        change = "no FINDINGS section; the impression itself gives the findings (not an error)"
    title = rng.choice(REGIONS[region]["titles_abdo" if abdo else "titles_chest"])
    tech = None
    if region == "US" or rng.random() < 0.2:
        tech = "Single AP supine view of the chest and abdomen." if abdo else rng.choice(
            ["Single AP supine view of the chest.", "Portable AP chest."])
        if region != "US":
            tech = "AP supine."
    findings = [(lab, localize(s, region)) for lab, s in findings]
    imp_items = [localize(s, region) for s in imp_items]
    report = render(st, title, localize(clinical(rng, clin_key, items), region), comparison_text(rng, region), tech,
                    findings, imp_items, mode)
    return dict(injected=kind, detail=f"{desc}; {change}", report=report)


# ----------------------------------------------------------------------------------------
# IU-based cases
# ----------------------------------------------------------------------------------------

def sided_pairs(f, i):
    """(section_to_flip, sentence) candidates for a laterality flip."""
    fs, is_ = split_sentences(f), split_sentences(i)
    out = []

    def info(s):
        sides = {x.lower() for x in SIDE.findall(s)}
        gs = {sup(g) for g, a, _, _, _ in mentions(s) if a}
        return sides, gs
    f_all = {x.lower() for x in SIDE.findall(f)}
    i_all = {x.lower() for x in SIDE.findall(i)}
    for a in fs:
        sa, ga = info(a)
        if len(sa) != 1 or not ga or BILAT.search(a):
            continue
        for b in is_:
            sb, gb = info(b)
            if sb == sa and (ga & gb) and not BILAT.search(b):
                side = next(iter(sa))
                opp = "left" if side == "right" else "right"
                if opp not in i_all:
                    out.append(("findings", a))
                if opp not in f_all:
                    out.append(("impression", b))
    return out


NEG_EXPLICIT = {
    "ptx": (re.compile(r"^(?:there is )?no (?:evidence of )?pneumothorax\b", re.I),
            ["{S} apical pneumothorax.", "Small {s} pneumothorax."]),
    "eff": (re.compile(r"^(?:there (?:is|are) )?no (?:evidence of )?(?:pleural )?effusions?\b|"
                       r"^no pleural effusion", re.I),
            ["{S} pleural effusion.", "Moderate {s} pleural effusion."]),
    "lung": (re.compile(r"^(?:the )?lungs are clear\b|^clear lungs\b|^no (?:focal )?(?:consolidation|airspace "
                        r"disease|air space disease|infiltrate)", re.I),
             ["{S} lower lobe consolidation.", "{S} lower lobe pneumonia.", "{S} upper lobe consolidation."]),
    "heart": (re.compile(r"^(?:the )?(?:heart|cardiac) (?:size )?is normal|^normal (?:heart|cardiac) size|"
                         r"^heart size (?:is )?(?:normal|within normal)", re.I), ["Cardiomegaly."]),
    "oed": (re.compile(r"^no (?:pulmonary )?(?:o?edema)\b", re.I), ["Pulmonary oedema."]),
}
NEG_PHRASE = {"ptx": ["No pneumothorax."], "eff": ["No pleural effusion.", "No effusion."],
              "lung": ["No consolidation.", "The lungs are clear.", "Clear lungs."],
              "oed": ["No pulmonary oedema."], "heart": ["Heart size is normal."], "nod": ["No nodule or mass."]}


def sig_sentences(f):
    """Findings sentences that affirm an unhedged significant finding: [(group, sentence)]."""
    out = []
    sents = split_sentences(f)
    for k, s in enumerate(sents):
        nxt = sents[k + 1] if k + 1 < len(sents) else ""
        if re.match(r"(?:this|these|it|they|which)\b", nxt, re.I) and HEDGE.search(nxt):
            continue
        for g, a, h, _, cl in mentions(s):
            sg = sup(g)
            if not a or h or "XXXX" in s:
                continue
            if sg == "eff" and not re.search(r"\b(moderate|large|sizable|sizeable)\b", cl, re.I):
                continue
            if sg == "lung" and g not in {"air"}:
                continue
            if sg in {"ptx", "eff", "lung", "oed", "free", "medi"}:
                out.append((sg, s))
    return out


def iu_transform(rng, kind, f, i, region="UK", want_deny=False):
    """Inject `kind` into (f, i). Returns (f, i, mode, desc) or None if the report is unsuitable."""
    if kind is None:
        return f, i, None, "unmodified content"
    if kind == "missing_section":
        mode = rng.choice(["f_empty", "f_empty", "i_empty", "i_sig_only", "i_removed"])
        return f, i, mode, {"f_empty": "FINDINGS emptied (header kept)", "i_empty": "IMPRESSION emptied (header kept)",
                            "i_sig_only": "IMPRESSION header with only the signature under it",
                            "i_removed": "IMPRESSION section removed"}[mode]
    if kind == "laterality_conflict":
        cands = sided_pairs(f, i)
        if not cands:
            return None
        where, sent = rng.choice(cands)
        new = flip_side(sent)
        if where == "findings":
            f = f.replace(sent, new, 1)
        else:
            i = i.replace(sent, new, 1)
        return f, i, None, f"{where} sentence '{sent}' side flipped to '{new}'"
    if kind == "negation_conflict":
        opts = []
        for s in split_sentences(f):
            for g, (pat, asserts) in NEG_EXPLICIT.items():
                if not pat.search(s):
                    continue
                if g == "lung" or not re.search(r"\b(large|significant|sizable|sizeable)\b", s, re.I):
                    opts.append(("assert", g, s, asserts))
        for g, s in sig_sentences(f):
            if g in NEG_PHRASE and any(sup(h) == g and a for h, a, _, _, _ in mentions(i)):
                opts.append(("deny", g, s, None))
        if not opts:
            return None
        denies = [o for o in opts if o[0] == "deny"]
        if want_deny and not denies:
            return None
        how, g, s, asserts = rng.choice(denies if denies and rng.random() < 0.6 else opts)
        imp_s = split_sentences(i)
        if how == "assert":
            side = rng.choice(["right", "left"])
            a = localize(rng.choice(asserts).format(S=cap(side), s=side), region)
            normal = [x for x in imp_s if NORMAL_IMP.search(x)]
            kept = [x for x in imp_s if x not in normal]
            i = " ".join(kept + [a]) if kept else a
            return f, i, None, f"impression asserts '{a}' while findings say '{s}'"
        neg = localize(rng.choice(NEG_PHRASE[g]), region)
        kept = [x for x in imp_s if not any(sup(h) == g for h, _, _, _, _ in mentions(x))]
        i = " ".join([neg] + kept)
        return f, i, None, f"impression now says '{neg}' while findings affirm '{s}'"
    if kind == "impression_omits_finding":
        sigs = sig_sentences(f)
        if not sigs:
            return None
        g, s = rng.choice(sigs)
        imp_s = split_sentences(i)
        drop = {sup(x[0]) for x in sig_sentences(f)}
        kept = [x for x in imp_s if not any(sup(h) in drop | {g, "lung", "atel"} for h, _, _, _, _ in mentions(x))
                and not NORMAL_IMP.search(x)
                and not re.search(r"recommend|follow|consider|correlat|resolution|further|suggested", x, re.I)]
        if rng.random() < 0.5 or not kept:
            i = rng.choice(IU_NORMAL_STATEMENTS)
            return f, i, None, f"impression replaced by '{i}' while findings affirm '{s}'"
        i = " ".join(kept)
        return f, i, None, f"impression keeps only other findings ('{i}'), leaving out '{s}'"
    if kind == "placeholder":
        ff = [(None, x) for x in split_sentences(f)]
        ii = split_sentences(i)
        res = inject_placeholder(rng, ff, ii)
        if res is None:
            return None
        ff, ii, desc = res
        return " ".join(x for _, x in ff), " ".join(ii), None, desc
    raise ValueError(kind)


def iu_case(rng, kind, uid, secs, want_deny=False):
    region = pick_region(rng)
    f0, i0 = secs.get("FINDINGS", ""), secs.get("IMPRESSION", "")
    f1, ch_f = reword_iu(f0, region)
    i1, ch_i = reword_iu(i0, region)
    res = iu_transform(rng, kind, f1, i1, region, want_deny)
    if res is None:
        return None
    f, i, mode, change = res
    st = make_style(rng, region, structured_ok=False)
    findings = [(None, s) for s in split_sentences(f)]
    imp = split_sentences(i)
    clin = secs.get("INDICATION") or None
    comp = secs.get("COMPARISON") or None
    title = rng.choice(REGIONS[region]["titles_iu"])
    report = render(st, title, clin, comp, None, findings, imp, mode)
    words = sorted(set(ch_f + ch_i))
    layout = (f"re-laid out as a {region} neonatal-unit report ({st['find']} / {st['imp']}, "
              f"{st['ffmt']} findings, {st['ifmt']} impression, {region} sign-off)")
    rew = f"re-worded: {', '.join(words)}" if words else "wording kept"
    return dict(injected=kind, detail=f"IU {uid}: {layout}; {rew}; {change}", report=report)


# ----------------------------------------------------------------------------------------
# build
# ----------------------------------------------------------------------------------------

def build(seed, shared=None):
    root = str(shared or shared_dir())
    rng = random.Random(f"heldout145-{seed}")
    iu = load_iu(root)
    dev = dev_uids(root)
    pool = [u for u in sorted(iu, key=uid_num)
            if u not in dev and consistent_iu(iu[u].get("FINDINGS", ""), iu[u].get("IMPRESSION", ""))]
    rng.shuffle(pool)
    used = set()
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    rows = []
    for kind, n in plan:
        half = n // 2
        for _ in range(half):
            rows.append(composed_case(rng, kind))
        got = 0
        for u in pool:
            if got == n - half:
                break
            if u in used:
                continue
            case = iu_case(rng, kind, u, iu[u], want_deny=kind == "negation_conflict" and got < 6)
            if case is None:
                continue
            used.add(u)
            rows.append(case)
            got += 1
        if got < n - half:
            raise RuntimeError(f"not enough IU reports for {kind}")
    rng.shuffle(rows)
    return [dict(id=f"h145-{seed}-{k}", injected=r["injected"], detail=r["detail"], report=r["report"])
            for k, r in enumerate(rows)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    args = ap.parse_args(argv)
    rows = build(args.seed)
    with open(args.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if args.show:
        for kind in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == kind][:args.show]:
                print(f"===== {r['id']} injected={kind}\n# {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {args.out}")


if __name__ == "__main__":
    main()
