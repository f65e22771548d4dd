"""Held-out report-check set 122, written blind.

Setting: remote northern community health centres whose chest films are read at a
distance -- Nunavut (Qikiqtani General Hospital in Iqaluit, Kivalliq and Kitikmeot
regional centres, community health centres in the hamlets), the Northwest Territories
(Stanton Territorial Hospital in Yellowknife, Inuvik Regional Hospital, community health
centres) and Alaska Native tribal health clinics (ANMC, YKHC Bethel, Maniilaq Kotzebue,
Norton Sound Nome, village clinics staffed by community health aides).  The day-to-day
mix: cough and fever, TB contact and TST-positive screening, COPD, CHF in elders,
paediatric chest infections, minor trauma; most films normal or near normal.  Canadian
sites use Canadian layouts (Clinical history / Opinion / Conclusion, ISO dates,
occasional British spellings such as "oedema"); Alaska sites use US layouts (EXAM /
CLINICAL INDICATION / TECHNIQUE / structured FINDINGS / IMPRESSION, US spellings).

Usage::

    python -m bench.make_heldout122 OUT.jsonl --seed S [--show N]

400 cases: 200 clean, 40 each of missing_section, laterality_conflict,
negation_conflict, impression_omits_finding and placeholder.  Half of each group is
composed from the phrase bank below, half are real IU reports (never a dev-set uid)
re-laid-out and lightly re-worded in the setting's style.  ``build(seed)`` returns the
rows.  The shared dir is ``$MEDRAG_SHARED_DIR`` or ``<repo>/../shared``.
"""

from __future__ import annotations

import argparse
import datetime
import html
import json
import os
import random
import re
import sys
import tarfile
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


# ---------------------------------------------------------------------------
# Real IU reports
# ---------------------------------------------------------------------------

_IU_CACHE: dict[str, list] = {}


def _dev_uids() -> set[str]:
    p = shared_dir() / "eval" / "report_errors_dev.jsonl"
    out = set()
    with open(p, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


def _clean_text(s: str) -> str:
    s = html.unescape(s or "")
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"\s+\.", ".", s)
    s = re.sub(r"\.(?:\s*\.)+", ".", s)
    return s


def load_iu() -> list[dict]:
    """All IU reports (uid, indication, comparison, findings, impression), sorted by uid."""
    if "all" in _IU_CACHE:
        return _IU_CACHE["all"]
    tgz = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    rows = []
    pat = re.compile(r'<AbstractText Label="(\w+)">(.*?)</AbstractText>', re.S)
    with tarfile.open(tgz, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            raw = tf.extractfile(m).read().decode("utf-8", "replace")
            u = re.search(r'<uId id="([^"]+)"', raw)
            if not u:
                continue
            secs = {k.upper(): _clean_text(v) for k, v in pat.findall(raw)}
            rows.append(
                {
                    "uid": u.group(1),
                    "indication": secs.get("INDICATION", ""),
                    "comparison": secs.get("COMPARISON", ""),
                    "findings": secs.get("FINDINGS", ""),
                    "impression": secs.get("IMPRESSION", ""),
                }
            )
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE["all"] = rows
    return rows


# --- light language model of a report: sentences, negation, categories -------

CATS = {
    "pneumothorax": r"pneumothora(?:x|ces)",
    "consolidation": r"consolidat\w*|pneumonia|infiltrat\w*|air ?space (?:disease|opacit\w*|process)",
    "effusion": r"effusions?",
    "edema": r"o?edema|vascular congestion|pulmonary congestion|congestive",
    "mass": r"\bmass(?:es)?\b",
    "nodule": r"\bnodul\w*",
    "cardiomegaly": r"cardiomegaly|enlarged (?:heart|cardiac)|cardiac enlargement|heart (?:size )?is enlarged",
    "mediastinum": r"widen\w* (?:of the )?mediastin\w*|mediastinal widening|mediastinum is widened",
    "free_air": r"free (?:intraperitoneal )?air|pneumoperitoneum",
}
SIG_CATS = ["pneumothorax", "consolidation", "effusion", "edema", "mass", "mediastinum", "free_air"]
NEG_BEFORE = re.compile(
    r"\b(?:no|not|without|negative|free of|absence of|resolved|resolution of|removal of|clear of|"
    r"nor|neither|exclude[sd]?|rule out|ruled out)\b",
    re.I,
)
BREAK = re.compile(r"\b(?:but|however|although|though|except|otherwise|whereas)\b", re.I)
NEG_AFTER = re.compile(
    r"^[^,;]{0,40}?\b(?:has resolved|have resolved|resolved|has cleared|is not (?:seen|identified|present)|"
    r"not (?:seen|identified|present)|is absent|excluded|removed)\b",
    re.I,
)
HEDGE = re.compile(
    r"\b(?:small|smaller|trace|tiny|minimal|mild|mildly|stable|unchanged|chronic|old|previous\w*|prior|"
    r"possibl\w*|may|might|could|cannot|questionabl\w*|question|suspect\w*|versus|vs|or|likely|"
    r"probabl\w*|atelecta\w*|scar\w*|granulom\w*|decreas\w*|improv\w*|healed|concern\w*|"
    r"differential|resolv\w*|residual|calcifi\w*|subsegmental|linear|subtle|borderline|again|streaky|"
    r"suggest\w*|pericardial|compatible|bandlike|atelectatic)\b|\?",
    re.I,
)
NORMAL_IMP = re.compile(
    r"no acute|normal chest|negative|no active|no (?:radiographic )?evidence of acute|"
    r"no evidence of active|no significant|unremarkable|within normal limits|no acute cardiopulmonary|clear lungs|"
    r"^normal|no change|stable",
    re.I,
)
SIDE = re.compile(r"\b(left|right)\b", re.I)


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.;])\s+|(?<=\.)(?=[A-Z])|\s+(?=\d\.\s)", text.strip())
    return [p.strip() for p in parts if p and p.strip()]


def mention_states(text: str, cat: str) -> list[tuple[str, str]]:
    """[(sentence, 'neg'|'aff')] for each sentence mentioning the category."""
    out = []
    rx = re.compile(CATS[cat], re.I)
    for s in sentences(text):
        for m in rx.finditer(s):
            before = s[: m.start()]
            neg = False
            nb = list(NEG_BEFORE.finditer(before))
            if nb:
                after_neg = before[nb[-1].end():]
                if not BREAK.search(after_neg):
                    neg = True
            if NEG_AFTER.search(s[m.end():]):
                neg = True
            out.append((s, "neg" if neg else "aff"))
    return out


def affirmed(text: str, cat: str) -> list[str]:
    return [s for s, st in mention_states(text, cat) if st == "aff"]


def negated(text: str, cat: str) -> list[str]:
    return [s for s, st in mention_states(text, cat) if st == "neg"]


LUNGS_CLEAR = re.compile(
    r"\blungs? (?:are|is|appear|remain)\w* (?:\w+ ){0,3}?clear\b|\bclear lungs\b|"
    r"\blungs (?:are )?(?:well[- ]expanded|normally (?:expanded|inflated)|hyperinflated) and clear\b",
    re.I,
)
HEART_NORMAL = re.compile(
    r"\bheart (?:size )?(?:is |appears |remains )?(?:within )?normal\b|\bnormal (?:heart|cardiac) size\b|"
    r"\bheart size (?:is |appears |remains )?(?:normal|within normal limits)\b|"
    r"\bcardiomediastinal (?:silhouette|contours?) (?:is |are |appears? )?(?:within normal limits|normal)\b|"
    r"\bheart (?:size )?and (?:mediastinum|mediastinal (?:silhouette|contours?)) (?:are |appear )?"
    r"(?:within normal limits|normal)\b|\bheart is not enlarged\b",
    re.I,
)


def screen_real(r: dict) -> bool:
    """Conservative: only real reports a consultant would sign as they stand."""
    F, IMP = r["findings"], r["impression"]
    if not F or not IMP or len(F) < 40 or len(F) > 900 or len(IMP) > 400:
        return False
    txt = F + " " + IMP
    if re.search(r"\[|\]|\*|_|<|>|\{|\}|#", txt):
        return False
    if re.search(r"\bX{1,3}\b|\bX{5,}\b", txt):
        return False
    imp_normal = bool(NORMAL_IMP.search(IMP))
    for cat in SIG_CATS + ["nodule", "cardiomegaly"]:
        aff = affirmed(F, cat)
        imp_mentions = bool(re.search(CATS[cat], IMP, re.I))
        for s in aff:
            if cat == "effusion" and re.search(r"\b(small|trace|tiny|minimal|blunting)\b", s, re.I):
                continue
            if cat == "cardiomegaly" and re.search(r"\b(mild|mildly|borderline|stable|unchanged)\b", s, re.I):
                continue
            if cat == "nodule" and re.search(r"calcifi|granulom", s, re.I):
                continue
            if not imp_mentions:
                return False
        # impression affirms what findings negate
        if affirmed(IMP, cat) and negated(F, cat) and not affirmed(F, cat):
            return False
        if negated(IMP, cat) and affirmed(F, cat):
            return False
    if re.search(CATS["cardiomegaly"], IMP, re.I) and HEART_NORMAL.search(F):
        return False
    if affirmed(IMP, "consolidation") and LUNGS_CLEAR.search(F):
        return False
    if imp_normal:
        for s in sentences(F):
            if re.search(r"\b(new|increas\w*|enlarg\w*|worse\w*|progress\w*)\b", s, re.I) and not (
                NEG_BEFORE.search(s)
            ):
                return False
    # laterality: same category put on opposite sides across sections
    for cat in ["pneumothorax", "consolidation", "effusion", "nodule", "mass"]:
        fs = {m.lower() for s in affirmed(F, cat) for m in SIDE.findall(s)}
        is_ = {m.lower() for s in affirmed(IMP, cat) for m in SIDE.findall(s)}
        if fs and is_ and not (fs & is_):
            return False
    return True


# ---------------------------------------------------------------------------
# Setting: sites, people, layouts
# ---------------------------------------------------------------------------

NU_HUBS = [
    ("QIKIQTANI GENERAL HOSPITAL, IQALUIT NU", ["Pangnirtung", "Pond Inlet", "Igloolik", "Clyde River",
                                                 "Arctic Bay", "Kimmirut", "Kinngait", "Sanirajak",
                                                 "Qikiqtarjuaq", "Iqaluit"]),
    ("KIVALLIQ HEALTH CENTRE, RANKIN INLET NU", ["Arviat", "Baker Lake", "Chesterfield Inlet",
                                                 "Whale Cove", "Naujaat", "Coral Harbour", "Rankin Inlet"]),
    ("KITIKMEOT REGIONAL HEALTH CENTRE, CAMBRIDGE BAY NU", ["Kugluktuk", "Gjoa Haven", "Taloyoak",
                                                            "Kugaaruk", "Cambridge Bay"]),
]
NT_HUBS = [
    ("STANTON TERRITORIAL HOSPITAL, YELLOWKNIFE NT", ["Behchoko", "Whati", "Gameti", "Lutselk'e",
                                                      "Fort Providence", "Deline", "Yellowknife"]),
    ("INUVIK REGIONAL HOSPITAL, INUVIK NT", ["Aklavik", "Tuktoyaktuk", "Fort McPherson",
                                             "Ulukhaktok", "Paulatuk", "Fort Good Hope", "Inuvik"]),
    ("HAY RIVER REGIONAL HEALTH CENTRE, HAY RIVER NT", ["Fort Resolution", "Enterprise",
                                                        "Kakisa", "Hay River"]),
    ("FORT SIMPSON HEALTH CENTRE, DEHCHO NT", ["Fort Liard", "Wrigley", "Nahanni Butte", "Fort Simpson"]),
]
AK_HUBS = [
    ("Yukon-Kuskokwim Delta Regional Hospital, Bethel AK", ["Hooper Bay", "Emmonak", "St. Mary's",
                                                            "Aniak", "Toksook Bay", "Kwethluk", "Bethel"]),
    ("Maniilaq Health Center, Kotzebue AK", ["Noatak", "Kivalina", "Selawik", "Point Hope", "Kotzebue"]),
    ("Norton Sound Regional Hospital, Nome AK", ["Unalakleet", "Gambell", "Savoonga", "Shishmaref",
                                                 "Nome"]),
    ("Samuel Simmonds Memorial Hospital, Utqiagvik AK", ["Wainwright", "Point Lay", "Utqiagvik"]),
    ("Kanakanak Hospital, Dillingham AK", ["Togiak", "New Stuyahok", "Dillingham"]),
    ("Alaska Native Medical Center, Anchorage AK", ["Anchorage", "Kodiak", "Dillingham"]),
    ("Chief Andrew Isaac Health Center, Fairbanks AK", ["Fort Yukon", "Tanana", "Fairbanks"]),
]
CA_RADS = ["Dr. K. Lachance", "Dr. R. Okafor", "Dr. S. Whitford", "Dr. J. Nakamura", "Dr. P. Sandhu",
           "Dr. E. Bergeron", "Dr. L. Marchetti", "Dr. A. Desrosiers", "Dr. M. O'Donnell",
           "Dr. H. Kowalczyk", "Dr. D. Chan", "Dr. F. Boucher"]
AK_RADS = ["Jane R. Whitaker, MD", "Thomas Halvorsen, MD", "Priya Raman, MD", "Daniel K. Ostrowski, MD",
           "Maria L. Esposito, DO", "Kevin Tran, MD", "Rachel Sorensen, MD", "Aaron Beaulieu, MD"]
CA_READ_FROM = ["Ottawa", "Winnipeg", "Edmonton", "Ottawa", "Edmonton"]


def _fmt(day: datetime.date, style: str) -> str:
    if style == "ak":
        return f"{day.month:02d}/{day.day:02d}/{day.year}"
    return day.isoformat()


def _date(rng, style):
    day = datetime.date(2022, 1, 1) + datetime.timedelta(days=rng.randrange(1095))
    hh, mm = rng.randint(7, 22), rng.randint(0, 59)
    prior = _fmt(day - datetime.timedelta(days=rng.randint(21, 1400)), style)
    if style == "ak":
        return _fmt(day, style), f"{_fmt(day, style)} {((hh - 1) % 12) + 1}:{mm:02d} " + (
            "AM" if hh < 12 else "PM"), prior
    return _fmt(day, style), f"{_fmt(day, style)} {hh:02d}:{mm:02d}", prior


def make_context(rng, style: str | None = None) -> dict:
    if style is None:
        style = rng.choices(["nu", "nt", "ak"], weights=[35, 25, 40])[0]
    if style == "nu":
        hub, comms = rng.choice(NU_HUBS)
    elif style == "nt":
        hub, comms = rng.choice(NT_HUBS)
    else:
        hub, comms = rng.choice(AK_HUBS)
    comm = rng.choice(comms)
    date, stamp, prior = _date(rng, style)
    ctx = {
        "style": style,
        "hub": hub,
        "community": comm,
        "date": date,
        "stamp": stamp,
        "prior": prior,
        "rad": rng.choice(AK_RADS if style == "ak" else CA_RADS),
        "read_from": rng.choice(CA_READ_FROM),
        "layout": rng.randrange(3),
        "imp_head": (
            rng.choices(["IMPRESSION", "OPINION", "CONCLUSION"], weights=[5, 3, 2])[0]
            if style == "nu"
            else rng.choices(["IMPRESSION", "CONCLUSION", "OPINION"], weights=[6, 2, 1])[0]
            if style == "nt"
            else "IMPRESSION"
        ),
        "brit": style != "ak" and rng.random() < 0.35,
        "views": rng.choices(["PA and lateral", "PA and lateral", "PA and lateral", "AP erect",
                              "PA only"], weights=[5, 3, 2, 1, 1])[0],
        "paeds": rng.random() < 0.12,
    }
    return ctx


def canadianize(text: str) -> str:
    reps = [(r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bhemoptysis\b", "haemoptysis"),
            (r"\bcenter\b", "centre"), (r"\btumor\b", "tumour"), (r"\bhiatal hernia\b", "hiatus hernia"),
            (r"\besophag", "oesophag"), (r"\bpediatric\b", "paediatric"), (r"\banemia\b", "anaemia")]
    for a, b in reps:
        text = re.sub(a, b, text)
    return text


def _heads(ctx):
    st, lay = ctx["style"], ctx["layout"]
    if st == "ak":
        return {"hist": "CLINICAL INDICATION" if lay != 1 else "HISTORY", "comp": "COMPARISON",
                "find": "FINDINGS", "imp": ctx["imp_head"], "case": "upper"}
    if st == "nu":
        if lay == 0:
            return {"hist": "Clinical history", "comp": "Comparison", "find": "Findings",
                    "imp": ctx["imp_head"].capitalize(), "case": "title"}
        if lay == 1:
            return {"hist": "REASON FOR EXAM", "comp": "COMPARISON", "find": "FINDINGS",
                    "imp": ctx["imp_head"], "case": "upper"}
        return {"hist": "History", "comp": "Comparison", "find": "Report",
                "imp": ctx["imp_head"].capitalize(), "case": "title"}
    if lay == 0:
        return {"hist": "HISTORY", "comp": "COMPARISON", "find": "FINDINGS", "imp": ctx["imp_head"],
                "case": "upper"}
    if lay == 1:
        return {"hist": "Clinical information", "comp": "Comparison", "find": "Findings",
                "imp": ctx["imp_head"].capitalize(), "case": "title"}
    return {"hist": "INDICATION", "comp": "PRIOR", "find": "FINDINGS", "imp": ctx["imp_head"],
            "case": "upper"}


def render(ctx, history, comparison, findings, impression, *, find_header=True, imp_header=True,
           structured_ok=True, signoff_override=None, exam_override=None, hist_override=None):
    """findings: list of (cat, sentence) or a plain string; impression: list of str or str.

    find_header / imp_header False drop the header altogether (used for missing sections).
    """
    st = ctx["style"]
    h = _heads(ctx)
    views = ctx["views"]
    lines = []
    nviews = "1 VIEW" if views in ("AP erect", "PA only") else "2 VIEWS"
    if st == "ak":
        exam = exam_override or f"EXAM: XR CHEST {nviews}" + (
            " (PA AND LATERAL)" if nviews == "2 VIEWS" else f" ({views.upper()})")
        lines.append(exam)
        lines.append(f"DATE OF SERVICE: {ctx['date']}")
        comm = ctx["community"]
        loc = ctx["hub"] if comm in ctx["hub"] else f"{comm} village clinic via {ctx['hub']}"
        lines.append(f"LOCATION: {loc}")
        lines.append("")
    elif st == "nu":
        lines.append(f"{ctx['hub']} - DIAGNOSTIC IMAGING")
        pedi = " (PAEDIATRIC)" if ctx["paeds"] else ""
        lines.append(exam_override or f"Exam: XR Chest {views}{pedi}    Exam date: {ctx['date']}")
        lines.append(f"Ordering location: {ctx['community']} Health Centre")
        lines.append("")
    else:
        lines.append(f"{ctx['hub']} - MEDICAL IMAGING")
        lines.append(exam_override or f"CHEST {nviews} ({views.upper()})  {ctx['date']}")
        lines.append(f"Referring site: {ctx['community']} Health Centre")
        lines.append("")
    lines.append(f"{h['hist']}: {hist_override if hist_override is not None else history}")
    # a composed report that speaks of change needs a prior to compare with
    body = (findings if isinstance(findings, str) else " ".join(s for _, s in findings)) + " " + (
        impression if isinstance(impression, str) else " ".join(impression))
    if comparison in COMP_NONE_CA + COMP_NONE_AK and re.search(
            r"\b(stable|unchanged|new|since the prior|interval|from prior)\b", body, re.I):
        comparison = f"{ctx['prior']}."
    lines.append(f"{h['comp']}: {comparison}")
    if st == "ak":
        lines.append(f"TECHNIQUE: {views} views of the chest.")
    elif st == "nu" and ctx["layout"] == 1:
        lines.append(f"TECHNIQUE: {views} chest radiographs.")
    lines.append("")
    # findings
    if isinstance(findings, str):
        ftext = findings
        structured = False
    else:
        structured = structured_ok and st == "ak" and ctx["layout"] == 2 and findings
        if structured:
            groups: dict[str, list[str]] = {}
            order = []
            label = {"lungs": "Lungs", "pleura": "Pleura", "heart": "Heart and mediastinum",
                     "vasc": "Lungs", "bones": "Bones and soft tissues", "lines": "Support devices",
                     "other": "Other"}
            for cat, s in findings:
                lab = label.get(cat, "Other")
                if lab not in groups:
                    groups[lab] = []
                    order.append(lab)
                groups[lab].append(s)
            ftext = "\n".join(f"{lab}: {' '.join(groups[lab])}" for lab in order)
        else:
            ftext = " ".join(s for _, s in findings)
    if find_header:
        if structured or st == "ak" or ctx["layout"] == 2:
            lines.append(f"{h['find']}:")
            if ftext:
                lines.append(ftext)
        else:
            lines.append(f"{h['find']}: {ftext}".rstrip())
        lines.append("")
    elif ftext:
        lines.append(ftext)
        lines.append("")
    # impression
    if isinstance(impression, str):
        itext = impression
    elif len(impression) > 1 and (st == "ak" or ctx["layout"] == 1):
        itext = "\n".join(f"{i + 1}. {s}" for i, s in enumerate(impression))
    else:
        itext = " ".join(impression)
    if imp_header:
        if "\n" in itext or st == "ak":
            lines.append(f"{h['imp']}:")
            if itext:
                lines.append(itext)
        else:
            lines.append(f"{h['imp']}: {itext}".rstrip())
        lines.append("")
    elif itext:
        lines.append(itext)
        lines.append("")
    # sign-off
    if signoff_override is not None:
        lines.extend(signoff_override)
    elif st == "ak":
        lines.append(f"Electronically signed by: {ctx['rad']} on {ctx['stamp']}")
    elif st == "nu":
        lines.append(f"Dictated by: {ctx['rad']}, FRCPC (teleradiology, {ctx['read_from']})")
        lines.append(f"Signed: {ctx['stamp']}")
    else:
        lines.append(f"Reported by: {ctx['rad']}, Radiologist")
        lines.append(f"Verified: {ctx['stamp']}")
    text = "\n".join(lines).strip() + "\n"
    if ctx["brit"]:
        text = canadianize(text)
    return text


def signoff_lines(ctx):
    st = ctx["style"]
    if st == "ak":
        return [f"Electronically signed by: {ctx['rad']} on {ctx['stamp']}"]
    if st == "nu":
        return [f"Dictated by: {ctx['rad']}, FRCPC (teleradiology, {ctx['read_from']})",
                f"Signed: {ctx['stamp']}"]
    return [f"Reported by: {ctx['rad']}, Radiologist", f"Verified: {ctx['stamp']}"]


# ---------------------------------------------------------------------------
# Phrase bank for composed reports
# ---------------------------------------------------------------------------

HIST_GENERAL = [
    "Cough x 3 weeks.", "Productive cough, fever. CHN referral.", "SOB on exertion.", "Chest pain, ? cause.",
    "Cough x 2/52, smoker.", "Fever and cough, r/o pneumonia.", "Chronic cough. Smoker 30 pack years.",
    "Pleuritic chest pain.", "Wheeze and cough, ? pneumonia.", "Annual CXR, previous latent TB.",
    "TB contact screening.", "Positive TST, asymptomatic.", "Follow-up after pneumonia treated in clinic.",
    "Night sweats and weight loss, rule out TB.", "Shortness of breath, decreased O2 sats.",
    "Fall on ice, left chest wall pain.", "Cough, fatigue.", "COPD, increased sputum.",
    "Pre-op assessment.", "Haemoptysis x1, TB contact in household.",
]
HIST_AK = [
    "Cough x 3 weeks. CHA referral.", "Fever, cough. Seen by health aide in village.",
    "SOB. History of COPD.", "Chest pain.", "TB screening, positive QuantiFERON.",
    "Household TB contact.", "Cough and fever x 4 days.", "Follow up pneumonia.",
    "Fell from ATV, right rib pain.", "Fell from snowmachine, left chest pain.",
    "CHF, increasing leg swelling and dyspnea.", "Wheezing, hx asthma.", "Chronic cough, smoker.",
    "Weight loss, night sweats.", "Hypoxia, fever.", "Annual screening, hx latent TB treated.",
]
HIST_PAEDS = [
    "3 yo with fever and cough.", "18 month old, fever, increased work of breathing.",
    "Child with cough x 2 weeks, TB contact.", "6 yo wheeze, ? pneumonia.", "Infant, RSV season, low sats.",
]
COMP_NONE_CA = ["None.", "None available.", "No prior imaging.", "Nil."]
COMP_NONE_AK = ["None.", "None available.", "No prior studies available."]


def comparison_text(rng, ctx):
    if rng.random() < 0.45:
        return rng.choice(COMP_NONE_AK if ctx["style"] == "ak" else COMP_NONE_CA)
    d = ctx["prior"]
    if ctx["style"] == "ak":
        return rng.choice([f"Chest radiograph {d}.", f"{d}.", f"Prior chest x-ray dated {d}."])
    return rng.choice([f"{d}.", f"Previous chest {d}.", f"Chest x-ray of {d}.", f"Prior study {d}."])


def history_text(rng, ctx, pool=None):
    if pool:
        return rng.choice(pool)
    if ctx["paeds"]:
        return rng.choice(HIST_PAEDS)
    if ctx["style"] == "ak":
        return rng.choice(HIST_AK)
    return rng.choice(HIST_GENERAL)


NORMAL = {
    "lungs": ["The lungs are clear.", "Lungs are well expanded and clear.", "The lungs are clear bilaterally.",
              "No focal consolidation.", "Lungs clear.", "No focal airspace disease.",
              "The lungs are clear without focal consolidation."],
    "pleura": ["No pleural effusion or pneumothorax.", "No pleural effusion. No pneumothorax.",
               "No effusion or pneumothorax.", "Costophrenic angles are sharp. No pneumothorax."],
    "heart": ["Heart size is normal.", "The cardiomediastinal silhouette is within normal limits.",
              "Normal heart size and mediastinal contours.", "Cardiac and mediastinal contours are normal.",
              "Heart size and mediastinal contours are normal."],
    "vasc": ["Pulmonary vascularity is normal.", "No pulmonary edema.", "Normal pulmonary vasculature."],
    "bones": ["No acute osseous abnormality.", "Visualized bones are unremarkable.", "Bony thorax is intact.",
              "No acute bony abnormality.", "Osseous structures are intact."],
}
# what each normal category negates (for negation errors)
NORMAL_NEGATES = {"lungs": "consolidation", "pleura": "effusion/pneumothorax", "heart": "cardiomegaly",
                  "vasc": "edema"}
IMP_NORMAL_CA = ["No acute cardiopulmonary process.", "Normal chest.", "No active disease.",
                 "No acute cardiopulmonary abnormality.", "Normal chest radiograph.",
                 "No radiographic evidence of active disease.", "No acute findings."]
IMP_NORMAL_AK = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
                 "Normal chest.", "No acute cardiopulmonary disease.", "Negative chest radiograph."]
IMP_NORMAL_TB = ["No radiographic evidence of active pulmonary TB.", "No evidence of active tuberculosis.",
                 "No radiographic features of active TB."]

LOBES = {
    "right": ["right lower lobe", "right middle lobe", "right upper lobe", "right base", "right lung base",
              "right perihilar region"],
    "left": ["left lower lobe", "left upper lobe", "lingula", "left base", "left lung base",
             "left perihilar region", "left retrocardiac region"],
}


def flip(side: str) -> str:
    return "left" if side == "right" else "right"


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def cond_pneumonia(rng, side=None):
    side = side or rng.choice(["right", "left", "right"])
    loc = rng.choice(LOBES[side])
    sidew = {"lingula": "lingular", "right base": "right basilar", "left base": "left basilar",
             "right lung base": "right basilar", "left lung base": "left basilar",
             "right perihilar region": "right perihilar", "left perihilar region": "left perihilar",
             "left retrocardiac region": "left lower lobe"}.get(loc, loc)
    fnd = rng.choice([
        f"Patchy airspace consolidation in the {loc}.",
        f"There is focal consolidation in the {loc} with air bronchograms.",
        f"New airspace opacity in the {loc}, in keeping with consolidation.",
        f"Ill-defined airspace opacity is seen at the {loc}.",
        f"Consolidation is present in the {loc}.",
    ])
    imp = rng.choice([
        f"{cap(sidew)} pneumonia.", f"{cap(sidew)} consolidation in keeping with pneumonia.",
        f"Findings consistent with {sidew} pneumonia in the appropriate clinical setting.",
        f"{cap(sidew)} airspace disease, likely pneumonia. Suggest follow-up radiograph in 6-8 weeks "
        "after treatment to document resolution.",
    ])
    return {"key": "pneumonia", "cat": "consolidation", "sig": True, "side": side, "loc": loc,
            "find": [("lungs", fnd), ("lungs", "Otherwise the lungs are clear.")] if rng.random() < .5
            else [("lungs", fnd)],
            "imp": imp, "blocks": ["lungs"], "nouns": ["consolidation", "pneumonia", "airspace"]}


def cond_effusion(rng, size, side=None):
    side = side or rng.choice(["right", "left"])
    if size == "small":
        fnd = rng.choice([f"Small {side} pleural effusion.", f"Blunting of the {side} costophrenic angle "
                          "in keeping with a small effusion.", f"Trace {side} pleural effusion."])
        imp = rng.choice([f"Small {side} pleural effusion.", f"Small {side} effusion."])
        sig = False
    else:
        fnd = rng.choice([f"Moderate {side} pleural effusion with adjacent basal atelectasis.",
                          f"There is a moderate-sized {side} pleural effusion.",
                          f"Large {side} pleural effusion with compressive atelectasis of the {side} lower lobe.",
                          f"Moderate {side} pleural effusion, new since the prior study."])
        imp = rng.choice([f"Moderate {side} pleural effusion.", f"{cap(side)} pleural effusion, moderate in size.",
                          f"Moderate to large {side} pleural effusion. Clinical correlation and follow-up "
                          "recommended."])
        sig = True
    return {"key": f"{size}_effusion", "cat": "effusion", "sig": sig, "side": side,
            "find": [("pleura", fnd), ("pleura", "No pneumothorax.")], "imp": imp, "blocks": ["pleura"],
            "nouns": ["effusion"]}


def cond_ptx(rng, side=None):
    side = side or rng.choice(["right", "left"])
    fnd = rng.choice([f"Small {side} apical pneumothorax measuring about 1.5 cm.",
                      f"There is a {side} pneumothorax with the visceral pleural line 2 cm from the apex.",
                      f"Moderate {side} pneumothorax. No mediastinal shift.",
                      f"{cap(side)} apical pneumothorax is present."])
    imp = rng.choice([f"{cap(side)} pneumothorax.", f"{cap(side)} apical pneumothorax. Findings "
                      "communicated to the referring nurse by telephone.",
                      f"{cap(side)}-sided pneumothorax, no tension features."])
    extra = []
    if rng.random() < 0.4:
        extra = [("bones", f"Acute fractures of the {side} lateral 6th and 7th ribs.")]
        imp = imp + f" Acute {side} rib fractures."
    return {"key": "pneumothorax", "cat": "pneumothorax", "sig": True, "side": side,
            "find": [("pleura", fnd), ("pleura", "No pleural effusion.")] + extra, "imp": imp,
            "blocks": ["pleura"] + (["bones"] if extra else []), "nouns": ["pneumothorax"]}


def cond_chf(rng):
    fnd = rng.choice([
        [("heart", "The heart is enlarged."), ("vasc", "There is pulmonary vascular congestion with "
                                             "interstitial edema and Kerley B lines."),
         ("pleura", "Small bilateral pleural effusions.")],
        [("heart", "Cardiomegaly."), ("vasc", "Upper lobe venous diversion and perihilar haziness in keeping "
                                     "with interstitial edema."), ("pleura", "No pneumothorax.")],
        [("heart", "Moderate cardiomegaly."), ("vasc", "Increased interstitial markings and peribronchial "
                                              "cuffing consistent with pulmonary edema."),
         ("pleura", "Small right pleural effusion.")],
    ])
    imp = rng.choice(["Cardiomegaly with pulmonary edema, in keeping with CHF.",
                      "Congestive heart failure with interstitial edema.",
                      "Findings in keeping with congestive failure: cardiomegaly and pulmonary edema."])
    return {"key": "chf", "cat": "edema", "sig": True, "side": None, "find": fnd, "imp": imp,
            "blocks": ["heart", "vasc", "pleura", "lungs"], "nouns": ["edema", "congestion"]}


def cond_nodule(rng, side=None):
    side = side or rng.choice(["right", "left"])
    zone = rng.choice(["upper", "mid", "lower"])
    size = rng.choice([8, 9, 11, 12, 14, 18])
    if size >= 15 and rng.random() < 0.5:
        fnd = f"There is a {size // 10 + 1} cm mass in the {side} {zone} zone."
        imp = f"{cap(side)} {zone} zone mass. CT chest recommended."
        noun = "mass"
    else:
        art = "An" if size in (8, 11, 18) else "A"
        fnd = rng.choice([f"{art} {size} mm nodule is seen in the {side} {zone} zone.",
                          f"New {size} mm nodular opacity in the {side} {zone} zone."])
        imp = rng.choice([f"{size} mm {side} {zone} zone nodule. Recommend CT chest for further "
                          "characterization.", f"Indeterminate {side} pulmonary nodule; CT suggested."])
        noun = "nodule"
    return {"key": noun, "cat": noun, "sig": True, "side": side, "find": [("lungs", fnd)], "imp": imp,
            "blocks": ["lungs"], "nouns": [noun]}


def cond_minor(rng, key):
    side = rng.choice(["right", "left"])
    if key == "granuloma":
        zone = rng.choice(["upper", "mid", "lower"])
        return {"key": key, "cat": None, "sig": False, "side": side,
                "find": [("lungs", rng.choice([f"Calcified granuloma in the {side} {zone} zone.",
                                               f"Small calcified granuloma projects over the {side} {zone} "
                                               "zone, unchanged."]))],
                "imp": f"Calcified {side} granuloma, likely sequela of prior granulomatous infection.",
                "blocks": [], "nouns": ["granuloma"], "optional": True}
    if key == "old_tb":
        return {"key": key, "cat": None, "sig": False, "side": None,
                "find": [("lungs", rng.choice([
                    "Biapical pleuroparenchymal scarring with upward hilar retraction, unchanged, in keeping "
                    "with old treated TB.",
                    "Stable fibrotic scarring and volume loss in the right upper lobe consistent with old "
                    "granulomatous disease.",
                    "Apical pleural thickening and scattered calcified granulomas, stable."]))],
                "imp": rng.choice(["Stable post-inflammatory changes from old TB. No evidence of active "
                                   "disease.", "Chronic apical scarring, unchanged. No active TB seen."]),
                "blocks": [], "nouns": ["scarring"], "optional": False}
    if key == "mild_cardiomegaly":
        return {"key": key, "cat": "cardiomegaly", "sig": False, "side": None,
                "find": [("heart", rng.choice(["The heart is mildly enlarged, stable.",
                                               "Borderline cardiomegaly, unchanged from prior.",
                                               "Heart size upper limit of normal to mildly enlarged."]))],
                "imp": "Stable mild cardiomegaly.", "blocks": ["heart"], "nouns": ["cardiomegaly"],
                "optional": True}
    if key == "copd":
        return {"key": key, "cat": None, "sig": False, "side": None,
                "find": [("lungs", rng.choice(["The lungs are hyperinflated with flattening of the "
                                               "hemidiaphragms. No focal consolidation.",
                                               "Hyperinflation and coarse interstitial markings in keeping "
                                               "with COPD. No focal consolidation."]))],
                "imp": rng.choice(["Hyperinflation in keeping with COPD. No acute process.",
                                   "COPD. No superimposed consolidation."]),
                "blocks": ["lungs"], "nouns": ["copd"], "optional": False}
    if key == "atelectasis":
        return {"key": key, "cat": None, "sig": False, "side": side,
                "find": [("lungs", rng.choice([f"Linear atelectasis at the {side} base.",
                                               f"Minor subsegmental atelectasis in the {side} lower zone.",
                                               "Bibasilar linear atelectasis."]))],
                "imp": "Minor basal atelectasis.", "blocks": [], "nouns": ["atelectasis"], "optional": True}
    if key == "peribronchial":
        return {"key": key, "cat": None, "sig": False, "side": None,
                "find": [("lungs", "Mild perihilar peribronchial thickening. No focal consolidation.")],
                "imp": rng.choice(["Peribronchial thickening, in keeping with viral illness or reactive "
                                   "airways. No focal pneumonia.",
                                   "Findings suggest viral bronchiolitis / reactive airways disease."]),
                "blocks": ["lungs"], "nouns": ["peribronchial"], "optional": False}
    if key == "spine":
        return {"key": key, "cat": None, "sig": False, "side": None,
                "find": [("bones", rng.choice(["Mild degenerative changes of the thoracic spine.",
                                               "Degenerative disc disease in the mid thoracic spine."]))],
                "imp": "Degenerative thoracic spine.", "blocks": ["bones"], "nouns": ["degenerative"],
                "optional": True}
    if key == "old_rib":
        return {"key": key, "cat": None, "sig": False, "side": side,
                "find": [("bones", f"Old healed fractures of the {side} posterior ribs.")],
                "imp": f"Old healed {side} rib fractures.", "blocks": ["bones"], "nouns": ["fracture"],
                "optional": True}
    if key == "hernia":
        return {"key": key, "cat": None, "sig": False, "side": None,
                "find": [("other", "Small hiatal hernia.")], "imp": "Small hiatal hernia.",
                "blocks": [], "nouns": ["hernia"], "optional": True}
    raise KeyError(key)


MINOR_KEYS = ["granuloma", "old_tb", "mild_cardiomegaly", "copd", "atelectasis", "peribronchial", "spine",
              "old_rib", "hernia"]
MINOR_W = [6, 5, 5, 5, 4, 3, 5, 2, 2]
SIG_MAKERS = ["pneumonia", "mod_effusion", "ptx", "chf", "nodule"]
SIG_W = [8, 3, 2, 3, 2]


def make_sig(rng, key=None, side=None):
    key = key or rng.choices(SIG_MAKERS, weights=SIG_W)[0]
    if key == "pneumonia":
        return cond_pneumonia(rng, side)
    if key == "mod_effusion":
        return cond_effusion(rng, "moderate", side)
    if key == "ptx":
        return cond_ptx(rng, side)
    if key == "chf":
        return cond_chf(rng)
    return cond_nodule(rng, side)


def base_findings(rng, conds, ctx, normal_choice=None):
    """Findings sentences: normal text for unblocked categories, plus the conditions'."""
    blocked = {b for c in conds for b in c["blocks"]}
    normal_choice = normal_choice or {}
    cats = ["lungs", "pleura", "heart", "bones"]
    has_vasc = any(cat == "vasc" for c in conds for cat, _ in c["find"])
    if has_vasc or rng.random() < 0.3 or ctx["style"] == "ak" and ctx["layout"] == 2:
        cats.insert(3, "vasc")
    out = []
    cond_by_cat: dict[str, list] = {}
    for c in conds:
        for cat, s in c["find"]:
            cond_by_cat.setdefault(cat, []).append((cat, s))
    cond_lungs_seen = set()
    for cat in cats:
        got = cond_by_cat.pop(cat, [])
        if got:
            cond_lungs_seen.add(cat)
        out.extend(got)
        if cat in blocked:
            continue
        if ctx["paeds"] and cat == "bones" and rng.random() < 0.5:
            out.append((cat, "No acute bony abnormality. Normal thymic contour."))
            continue
        if cat == "lungs" and cat in cond_lungs_seen and cat not in normal_choice:
            out.append((cat, rng.choice(["The lungs are otherwise clear.", "Lungs otherwise clear.",
                                         "No focal consolidation."])))
            continue
        out.append((cat, normal_choice.get(cat) or rng.choice(NORMAL[cat])))
    for cat in sorted(cond_by_cat):
        out.extend(cond_by_cat[cat])
    # the bone line sometimes dropped in terse dictation (never when it carries a condition)
    if rng.random() < 0.15 and out and out[-1][0] == "bones" and "bones" not in blocked:
        out.pop()
    return out


def normal_imp(rng, ctx, tb=False):
    if tb and rng.random() < 0.6:
        return rng.choice(IMP_NORMAL_TB)
    return rng.choice(IMP_NORMAL_AK if ctx["style"] == "ak" else IMP_NORMAL_CA)


def build_impression(rng, ctx, conds, tb=False):
    imp = [c["imp"] for c in conds if c["sig"]]
    for c in conds:
        if not c["sig"]:
            if c.get("optional") and rng.random() < 0.5:
                continue
            imp.append(c["imp"])
    if not any(c["sig"] for c in conds):
        if not imp:
            imp = [normal_imp(rng, ctx, tb)]
        elif rng.random() < 0.6:
            imp.append(rng.choice(["No acute cardiopulmonary process.", "No acute findings.",
                                   "No acute cardiopulmonary abnormality."]))
    return imp


def choose_conds(rng, abnormal_rate=0.38):
    conds = []
    if rng.random() < abnormal_rate:
        if rng.random() < 0.35:
            conds.append(make_sig(rng))
        n = 1 if conds else rng.choice([1, 1, 1, 2])
        keys = []
        while len(keys) < n:
            k = rng.choices(MINOR_KEYS, weights=MINOR_W)[0]
            if k not in keys:
                keys.append(k)
        for k in keys:
            c = cond_minor(rng, k)
            # keep a single statement per category
            if any(set(c["blocks"]) & set(o["blocks"]) for o in conds):
                continue
            if conds and c["key"] == "mild_cardiomegaly" and conds[0]["key"] == "chf":
                continue
            conds.append(c)
    return conds


def is_tb_hist(h):
    return bool(re.search(r"TB|TST|QuantiFERON|night sweats", h))


ADULT_KEYS = {"chf", "copd", "old_tb", "spine", "old_rib", "mild_cardiomegaly", "hernia", "nodule", "mass",
              "pneumothorax", "moderate_effusion", "small_effusion", "granuloma"}


def history_for(rng, ctx, conds):
    keys = [c["key"] for c in conds]
    if ctx["paeds"] and ADULT_KEYS & set(keys):
        ctx["paeds"] = False
    if "pneumonia" in keys:
        pool = (["Cough and fever x 4 days.", "Fever, cough. Seen by health aide in village.", "Hypoxia, fever."]
                if ctx["style"] == "ak" else
                ["Fever and cough, r/o pneumonia.", "Productive cough, fever. CHN referral.",
                 "Cough x 1/52, crackles right base.", "Fever, decreased air entry on exam."])
        if ctx["paeds"]:
            pool = ["3 yo with fever and cough.", "18 month old, fever, increased work of breathing."]
        return rng.choice(pool)
    if "pneumothorax" in keys:
        return rng.choice(["Sudden onset pleuritic chest pain, SOB.", "Fell from snowmachine, chest pain.",
                           "Chest pain after fall."])
    if "chf" in keys:
        return rng.choice(["CHF, increasing leg swelling and dyspnea.", "SOB, orthopnea, known CHF.",
                           "Increasing SOB and edema."])
    if "old_tb" in keys:
        return rng.choice(["Annual CXR, previous TB disease treated.", "TB contact screening.",
                           "Positive TST, history of treated TB.", "TB screening, positive QuantiFERON."])
    if "copd" in keys:
        return rng.choice(["COPD, increased sputum.", "SOB. History of COPD.", "Chronic cough, smoker."])
    return history_text(rng, ctx)


# ---------------------------------------------------------------------------
# Composed cases
# ---------------------------------------------------------------------------

PH_STYLES = ["[***]", "***", "[ ]", "<<>>", "[?]", "[...]"]


def compose(rng, kind):
    ctx = make_context(rng)
    comp = comparison_text(rng, ctx)
    detail = ""
    kw = {}
    if kind is None:
        conds = choose_conds(rng)
        hist = history_for(rng, ctx, conds)
        findings = base_findings(rng, conds, ctx)
        imp = build_impression(rng, ctx, conds, is_tb_hist(hist))
        # a few impression-only reports whose impression describes the film
        if not conds and rng.random() < 0.06:
            findings = ""
            kw["find_header"] = False
            imp = [rng.choice(["Lungs clear. Heart size normal. No effusion or pneumothorax.",
                               "Clear lungs, normal heart size, no pleural effusion. No acute process."])]
        return render(ctx, hist, comp, findings, imp, **kw), ""

    if kind == "impression_omits_finding":
        sig = make_sig(rng)
        conds = [sig]
        if rng.random() < 0.35:
            m = cond_minor(rng, rng.choice(["granuloma", "spine", "old_tb", "mild_cardiomegaly"]))
            if not set(m["blocks"]) & set(sig["blocks"]) and not (sig["key"] == "chf"):
                conds.append(m)
        hist = history_for(rng, ctx, conds)
        findings = base_findings(rng, conds, ctx)
        mode = rng.randrange(3)
        others = [c for c in conds if not c["sig"]]
        if mode == 0 or not others:
            imp = [normal_imp(rng, ctx, is_tb_hist(hist))]
            how = "impression is a normal macro"
        elif mode == 1:
            imp = [others[0]["imp"], rng.choice(["No acute cardiopulmonary process.", "No acute findings."])]
            how = "impression lists only the incidental finding and 'no acute'"
        else:
            imp = [others[0]["imp"]]
            how = "impression reports only the incidental finding"
        detail = f"findings affirm {sig['key']} ({sig['find'][0][1]}); {how}"
        return render(ctx, hist, comp, findings, imp), detail

    if kind == "laterality_conflict":
        sig = rng.random() < 0.75
        if sig:
            c = make_sig(rng, rng.choices(["pneumonia", "mod_effusion", "ptx", "nodule"], weights=[6, 3, 2, 2])[0])
        else:
            c = rng.choice([cond_effusion(rng, "small"), cond_minor(rng, "granuloma"), cond_minor(rng, "old_rib")])
            c["optional"] = False
        conds = [c]
        hist = history_for(rng, ctx, conds)
        side = c["side"]
        mode = rng.randrange(3)
        if mode in (0, 1):
            # impression flipped
            findings = base_findings(rng, conds, ctx)
            imp_s = c["imp"]
            if c.get("loc") == "lingula":
                imp_s = rng.choice(["Right lower lobe pneumonia.", "Right lingular pneumonia.",
                                    "Right middle lobe pneumonia."])
            else:
                imp_s = re.sub(rf"\b{side}\b", flip(side), imp_s)
                imp_s = re.sub(rf"\b{cap(side)}\b", cap(flip(side)), imp_s)
            imp = [imp_s]
            detail = f"findings place {c['key']} on the {side}; impression says {flip(side)}"
        else:
            # findings sentence flipped, impression keeps the original side
            findings_c = dict(c)
            newfind = []
            for cat, s in c["find"]:
                if re.search(rf"\b{side}\b", s) and not newfind:
                    s = re.sub(rf"\b{side}\b", flip(side), s)
                    s = re.sub(rf"\b{cap(side)}\b", cap(flip(side)), s)
                    newfind.append((cat, s))
                else:
                    newfind.append((cat, s))
            if c.get("loc") == "lingula":
                newfind[0] = (newfind[0][0], newfind[0][1].replace("lingula", "right middle lobe"))
            findings_c["find"] = newfind
            findings = base_findings(rng, [findings_c], ctx)
            imp = [c["imp"]]
            detail = f"findings sentence moved {c['key']} to the {flip(side)}; impression keeps the {side}"
        return render(ctx, hist, comp, findings, imp), detail

    if kind == "negation_conflict":
        mode = rng.choices(["imp_asserts", "imp_negates"], weights=[3, 2])[0]
        if mode == "imp_asserts":
            conds = choose_conds(rng, abnormal_rate=0.25)
            conds = [c for c in conds if not c["sig"] and c["key"] not in ("mild_cardiomegaly", "copd",
                                                                            "peribronchial")]
            target = rng.choice(["lungs", "pleura_eff", "pleura_ptx", "heart", "vasc"])
            nc = {}
            if target == "lungs":
                nc["lungs"] = rng.choice(["The lungs are clear.", "Lungs are well expanded and clear.",
                                          "No focal consolidation.", "No focal airspace disease."])
                side = rng.choice(["right", "left"])
                loc = rng.choice(LOBES[side])
                loc = "left lower lobe" if loc == "lingula" else loc.replace(" region", "")
                asserted = rng.choice([f"{cap(loc)} pneumonia.", f"{cap(loc)} consolidation.",
                                       f"Early {loc} pneumonia."])
            elif target == "pleura_eff":
                nc["pleura"] = rng.choice(["No pleural effusion or pneumothorax.", "No pleural effusion. No "
                                           "pneumothorax.", "Costophrenic angles are sharp. No pneumothorax."])
                side = rng.choice(["right", "left"])
                asserted = rng.choice([f"Small {side} pleural effusion.", f"Moderate {side} pleural effusion.",
                                       "Small bilateral pleural effusions."])
            elif target == "pleura_ptx":
                nc["pleura"] = rng.choice(["No pleural effusion or pneumothorax.", "No effusion or "
                                           "pneumothorax.", "No pleural effusion. No pneumothorax."])
                side = rng.choice(["right", "left"])
                asserted = rng.choice([f"Small {side} apical pneumothorax.", f"{cap(side)} pneumothorax."])
            elif target == "heart":
                nc["heart"] = rng.choice(["Heart size is normal.", "Normal heart size and mediastinal contours.",
                                          "Heart size and mediastinal contours are normal."])
                asserted = rng.choice(["Cardiomegaly.", "Moderate cardiomegaly.", "Enlarged cardiac "
                                       "silhouette."])
            else:
                nc["vasc"] = rng.choice(["No pulmonary edema.", "Pulmonary vascularity is normal. No pulmonary "
                                         "edema."])
                asserted = rng.choice(["Mild pulmonary edema.", "Interstitial pulmonary edema, likely CHF."])
            hist = history_for(rng, ctx, conds)
            ctx_local = ctx
            if target == "vasc":
                # make sure the vascular line is present
                findings = base_findings(rng, conds, ctx_local, nc)
                if not any(cat == "vasc" for cat, _ in findings):
                    idx = max(i for i, (cat, _) in enumerate(findings) if cat in ("heart", "pleura", "lungs"))
                    findings.insert(idx + 1, ("vasc", nc["vasc"]))
            else:
                findings = base_findings(rng, conds, ctx_local, nc)
            imp = [asserted]
            if conds and rng.random() < 0.5:
                imp.append(conds[0]["imp"])
            neg_s = [s for cat, s in findings if cat == target.split("_")[0]]
            detail = f"findings negate ({' '.join(neg_s)}); impression asserts '{asserted}'"
            return render(ctx, hist, comp, findings, imp), detail
        c = make_sig(rng, rng.choice(["pneumonia", "mod_effusion", "ptx", "chf"]))
        conds = [c]
        hist = history_for(rng, ctx, conds)
        findings = base_findings(rng, conds, ctx)
        negs = {
            "consolidation": ["No focal consolidation or pneumonia.", "Lungs are clear.", "No pneumonia."],
            "effusion": ["No pleural effusion.", "No pleural effusion or pneumothorax."],
            "pneumothorax": ["No pneumothorax.", "No pneumothorax or pleural effusion."],
            "edema": ["No pulmonary edema or CHF.", "No pulmonary edema.",
                      "Heart size normal. No edema."],
        }[c["cat"]]
        neg = rng.choice(negs)
        imp = [neg, rng.choice(["No acute cardiopulmonary process.", "No acute findings.", ""])]
        imp = [s for s in imp if s]
        detail = f"findings affirm {c['key']} ({c['find'][0][1]}); impression says '{neg}'"
        return render(ctx, hist, comp, findings, imp), detail

    if kind == "missing_section":
        conds = choose_conds(rng, abnormal_rate=0.45)
        hist = history_for(rng, ctx, conds)
        findings = base_findings(rng, conds, ctx)
        imp = build_impression(rng, ctx, conds, is_tb_hist(hist))
        mode = rng.choices(["imp_blank", "imp_absent", "find_blank", "find_absent_asabove"],
                           weights=[5, 3, 3, 1])[0]
        if mode == "imp_blank":
            return render(ctx, hist, comp, findings, ""), "impression header left empty"
        if mode == "imp_absent":
            return render(ctx, hist, comp, findings, "", imp_header=False), "impression section absent"
        if mode == "find_blank":
            short = rng.choice(["No acute cardiopulmonary process.", "No change.", "Stable.", "As above.",
                                "No acute findings.", "See above."])
            return render(ctx, hist, comp, "", short), f"findings header left empty; impression '{short}'"
        short = rng.choice(["As above.", "See findings.", "Please see findings above."])
        return (render(ctx, hist, comp, "", short, find_header=False),
                f"no findings section; impression '{short}'")

    if kind == "placeholder":
        where = rng.choices(["comparison", "history", "side", "measure", "heart_choice", "word", "signoff",
                             "structured"], weights=[3, 2, 3, 2, 2, 3, 1, 2])[0]
        if where == "structured":
            ctx = make_context(rng, "ak")
            ctx["layout"] = 2
            comp = comparison_text(rng, ctx)
        conds = choose_conds(rng, abnormal_rate=0.4)
        hist = history_for(rng, ctx, conds)
        findings = base_findings(rng, conds, ctx)
        imp = build_impression(rng, ctx, conds, is_tb_hist(hist))
        ph = rng.choice(PH_STYLES)
        kw = {}
        if where == "comparison":
            ph = rng.choice(["[date]", "[DATE OF PRIOR]", "***", "[ ]", "<date>"])
            comp = rng.choice([f"Chest radiograph {ph}.", f"Prior study dated {ph}.", f"{ph}."])
        elif where == "history":
            ph = rng.choice(["[clinical history]", "***", "<<Reason for exam>>", "[ ]", "[INDICATION]"])
            hist = ph
        elif where == "side":
            side = rng.choice(["right", "left"])
            ph = rng.choice(["[right/left]", "[LEFT/RIGHT]", "[***]", "***", "[side]"])
            s = rng.choice([f"Small calcified granuloma in the {ph} upper zone.",
                            f"Linear atelectasis at the {ph} base.",
                            f"Patchy airspace opacity in the {ph} lower lobe."])
            findings = [f for f in findings if f[0] != "lungs"] + [("lungs", s)]
            findings.insert(0, findings.pop())
            if "airspace" in s:
                imp = [f"{cap(side)} lower lobe pneumonia." if rng.random() < .5 else
                       f"{ph} lower lobe pneumonia."]
            elif "granuloma" in s:
                imp = [normal_imp(rng, ctx)]
            else:
                imp = ["Minor basal atelectasis. No acute process."]
        elif where == "measure":
            ph = rng.choice(["*** mm", "[ ] mm", "[size] mm", "## mm", "?? mm"])
            side = rng.choice(["right", "left"])
            findings = findings + [("lungs", f"Nodule in the {side} mid zone measuring {ph}.")]
            imp = imp[:1] + [f"{cap(side)} pulmonary nodule measuring {ph}; CT chest recommended."] \
                if rng.random() < 0.3 else [f"{cap(side)} mid zone pulmonary nodule. CT chest recommended."]
            imp = [s for s in imp if not NORMAL_IMP.search(s)] or imp
        elif where == "heart_choice":
            ph = rng.choice(["[normal/enlarged]", "[NORMAL/ENLARGED]", "[***]"])
            findings = [(c, f"Heart size is {ph}." if c == "heart" else s) for c, s in findings]
            if not any(c == "heart" for c, _ in findings):
                findings.append(("heart", f"Heart size is {ph}."))
        elif where == "word":
            # one word in a findings sentence replaced
            idxs = [i for i, (c, s) in enumerate(findings) if len(s.split()) >= 4]
            i = rng.choice(idxs)
            cat, s = findings[i]
            words = s.split()
            j = rng.randrange(1, len(words))
            words[j] = ph + (words[j][-1] if words[j][-1] in ".," else "")
            findings[i] = (cat, " ".join(words))
        elif where == "signoff":
            ph = rng.choice(["[Radiologist name]", "***", "<<SIGNATURE>>"])
            so = signoff_lines(ctx)
            so[0] = re.sub(r"(by: ).*?(,| on |$)", lambda m: m.group(1) + ph + m.group(2), so[0], count=1)
            kw["signoff_override"] = so
        elif where == "structured":
            ph = rng.choice(["[***]", "***", "[ ]"])
            findings = [(c, ph if c == "bones" else s) for c, s in findings]
            if not any(c == "bones" for c, _ in findings):
                findings.append(("bones", ph))
        return render(ctx, hist, comp, findings, imp, **kw), f"unfilled template field {ph!r} in {where}"
    raise ValueError(kind)


# ---------------------------------------------------------------------------
# Real cases: re-layout, light re-wording, injection
# ---------------------------------------------------------------------------

REWORD = [
    (r"\bNo acute cardiopulmonary abnormality\b", ["No acute cardiopulmonary process",
                                                    "No acute cardiopulmonary abnormality"]),
    (r"\bNo acute cardiopulmonary disease\b", ["No acute cardiopulmonary disease", "No active disease"]),
    (r"\bThe lungs are clear\b", ["Lungs are clear", "The lungs are clear"]),
    (r"\bThere is no pneumothorax\b", ["No pneumothorax", "There is no pneumothorax"]),
    (r"\bThere is no pleural effusion\b", ["No pleural effusion", "There is no pleural effusion"]),
    (r"\bNo pneumothorax or pleural effusion\b", ["No pleural effusion or pneumothorax"]),
    (r"\bThe heart is normal in size\b", ["Heart size is normal", "The heart is normal in size"]),
    (r"\bchest x-XXXX\b", ["chest x-ray"]),
    (r"\bPA and lateral\b", ["PA and lateral", "PA/lateral"]),
]


def reword(rng, text):
    for pat, alts in REWORD:
        if re.search(pat, text) and rng.random() < 0.6:
            text = re.sub(pat, rng.choice(alts), text)
    return text


def _sig_affirmed_clean(F, cat):
    """Affirmed, unhedged sentences of a significant category."""
    out = []
    for s in affirmed(F, cat):
        if HEDGE.search(s):
            continue
        if re.search(r"\b(no|not|without)\b", s, re.I):
            continue
        out.append(s)
    return out


def real_candidates(r):
    """Which injections a screened real report supports."""
    F, IMP = r["findings"], r["impression"]
    can = {"clean", "placeholder", "missing_imp"}
    if re.fullmatch(r"(?:No acute (?:cardiopulmonary |radiographic )?(?:abnormality|process|disease|"
                    r"findings?|abnormalities)|No active (?:cardiopulmonary )?disease)\.?", IMP.strip(), re.I):
        can.add("missing_find")
    for cat in ["pneumothorax", "consolidation", "effusion", "edema", "mass"]:
        if _sig_affirmed_clean(F, cat) and re.search(CATS[cat], IMP, re.I):
            can.add("omit:" + cat)
            can.add("negrev:" + cat)
    # negation (impression asserts what findings negate)
    for cat in ["pneumothorax", "effusion"]:
        full_neg = [x for x in negated(F, cat)
                    if not re.search(r"\b(large|significant|sizable|sizeable|definite|moderate)\b", x, re.I)]
        if full_neg and not affirmed(F + " " + IMP, cat):
            can.add("negfwd:" + cat)
    lc = LUNGS_CLEAR.search(F)
    if lc and not affirmed(F + " " + IMP, "consolidation") and not re.search(
            r"otherwise|grossly", F, re.I) and not any(
            re.search(r"opacit|atelecta|densit|scar|nodul|mass|granulom|infiltrat", x, re.I)
            and not NEG_BEFORE.search(x) for x in sentences(F + " " + IMP)):
        can.add("negfwd:consolidation")
    if HEART_NORMAL.search(F) and not re.search(CATS["cardiomegaly"], F + IMP, re.I):
        can.add("negfwd:cardiomegaly")
    # laterality: a side-bearing impression sentence matched by the same side + noun in findings,
    # the other side never used for that noun
    if _lat_inject(random.Random(0), r)[0] is not None:
        can.add("lat")
    return can


def _lat_inject(rng, r):
    F, IMP = r["findings"], r["impression"]
    nouns = r"effusion|pneumothorax|consolidation|pneumonia|opacit\w*|infiltrate|airspace|atelectasis|" \
            r"nodul\w*|granulom\w*|mass|scar\w*|fracture\w*|lobe|base|basilar|apex|apical|hilar|hemidiaphragm"
    for s in sentences(IMP):
        sides = {m.lower() for m in SIDE.findall(s)}
        if len(sides) != 1 or re.search(r"bilateral|both|bibasilar", s, re.I):
            continue
        side = next(iter(sides))
        ns = {n.lower() for n in re.findall(nouns, s, re.I)}
        if not ns:
            continue
        for fs in sentences(F):
            fsides = {m.lower() for m in SIDE.findall(fs)}
            if fsides == {side} and ns & {n.lower() for n in re.findall(nouns, fs, re.I)} and not re.search(
                    r"bilateral|both|bibasilar", fs, re.I):

                other_side = flip(side)

                def uses_other(text, skip, ns=ns, other_side=other_side):
                    for x in sentences(text):
                        if x == skip:
                            continue
                        if other_side in {m.lower() for m in SIDE.findall(x)} and ns & {
                                n.lower() for n in re.findall(nouns, x, re.I)}:
                            return True
                        if re.search(r"bilateral|both|bibasilar", x, re.I) and ns & {
                                n.lower() for n in re.findall(nouns, x, re.I)}:
                            return True
                    return False
                if uses_other(F, None) or uses_other(IMP, None):
                    continue

                def sw(t):
                    return SIDE.sub(lambda mm: (flip(mm.group(1).lower()).capitalize() if mm.group(1)[0].isupper()
                                                else flip(mm.group(1).lower())), t)
                if rng.random() < 0.5:
                    new = sw(s)
                    r2 = dict(r, impression=IMP.replace(s, new, 1))
                    return r2, f"impression sentence flipped to the {flip(side)}: '{new}' (findings: '{fs}')"
                new = sw(fs)
                r2 = dict(r, findings=F.replace(fs, new, 1))
                return r2, f"findings sentence flipped to the {flip(side)}: '{new}' (impression: '{s}')"
    return None, ""


def real_case(rng, r, kind, op=None):
    """Return (report_text, detail) for a screened real report."""
    ctx = make_context(rng)
    ctx["brit"] = ctx["brit"] and rng.random() < 0.5
    r = dict(r, findings=reword(rng, r["findings"]), impression=reword(rng, r["impression"]))
    hist = r["indication"] or rng.choice(["Not provided.", "Cough.", "Routine."]) if not r["indication"] \
        else r["indication"]
    comp = r["comparison"] or "None."
    F = [("x", s) for s in [r["findings"]]]
    IMP = r["impression"]
    kw = {"structured_ok": False}
    detail = ""
    if kind is None:
        pass
    elif kind == "missing_section":
        if op == "missing_find":
            F = ""
            if rng.random() < 0.3:
                kw["find_header"] = False
                detail = f"findings section absent; impression '{IMP}' does not describe the film"
            else:
                detail = f"findings emptied; impression '{IMP}' does not describe the film"
        else:
            if rng.random() < 0.35:
                kw["imp_header"] = False
                detail = "impression section absent"
            else:
                detail = "impression emptied"
            IMP = ""
    elif kind == "laterality_conflict":
        r2, detail = _lat_inject(rng, r)
        F = [("x", r2["findings"])]
        IMP = r2["impression"]
    elif kind == "impression_omits_finding":
        cat = op.split(":")[1]
        s = _sig_affirmed_clean(r["findings"], cat)[0]
        IMP = normal_imp(rng, ctx)
        detail = f"findings affirm {cat} ('{s}'); impression replaced with '{IMP}'"
    elif kind == "negation_conflict":
        how, cat = op.split(":")
        if how == "negrev":
            s = _sig_affirmed_clean(r["findings"], cat)[0]
            neg = rng.choice({
                "pneumothorax": ["No pneumothorax.", "No pneumothorax identified."],
                "consolidation": ["No focal consolidation.", "Lungs are clear.", "No pneumonia."],
                "effusion": ["No pleural effusion.", "No pleural effusions."],
                "edema": ["No pulmonary edema.", "No CHF or edema."],
                "mass": ["No mass lesion."],
            }[cat])
            IMP = neg + rng.choice(["", " No acute cardiopulmonary process."])
            detail = f"findings affirm {cat} ('{s}'); impression replaced with '{IMP}'"
        else:
            side = rng.choice(["right", "left"])
            asserted = rng.choice({
                "pneumothorax": [f"Small {side} apical pneumothorax.", f"{cap(side)} pneumothorax."],
                "effusion": [f"Small {side} pleural effusion.", f"{cap(side)} pleural effusion.",
                             "Small bilateral pleural effusions."],
                "consolidation": [f"{cap(side)} lower lobe pneumonia.", f"{cap(side)} basilar consolidation.",
                                  f"Patchy {side} lower lobe airspace disease consistent with pneumonia."],
                "cardiomegaly": ["Cardiomegaly.", "Enlarged cardiac silhouette.", "Moderate cardiomegaly."],
            }[cat])
            if NORMAL_IMP.search(IMP):
                IMP = asserted
            else:
                IMP = IMP.rstrip() + " " + asserted
            neg_s = (negated(r["findings"], cat) or [m.group(0) for m in [
                (LUNGS_CLEAR if cat == "consolidation" else HEART_NORMAL).search(r["findings"])] if m])
            detail = f"findings negate ('{neg_s[0] if neg_s else cat}'); impression asserts '{asserted}'"
    elif kind == "placeholder":
        text_f = r["findings"]
        toks = list(re.finditer(r"\b(left|right|normal|mild|small|stable|clear|lateral|upper|lower)\b", text_f,
                                re.I))
        ph = rng.choice(PH_STYLES + ["[left/right]", "[normal/abnormal]"])
        where = rng.choices(["findings", "comparison", "history"], weights=[6, 2, 1])[0]
        if where == "findings" and toks:
            m = rng.choice(toks)
            if ph == "[left/right]" and m.group(1).lower() not in ("left", "right"):
                ph = "[***]"
            if ph == "[normal/abnormal]" and m.group(1).lower() != "normal":
                ph = "***"
            F = [("x", text_f[: m.start()] + ph + text_f[m.end():])]
            detail = f"'{m.group(0)}' in findings replaced by {ph!r}"
        elif where == "comparison" or where == "findings":
            ph = rng.choice(["[date]", "***", "[ ]", "<date of prior>"])
            comp = f"Chest radiograph {ph}." if rng.random() < 0.5 else f"{ph}."
            detail = f"comparison date left as {ph!r}"
        else:
            ph = rng.choice(["[clinical history]", "***", "<<Reason for exam>>"])
            hist = ph
            detail = f"clinical history left as {ph!r}"
    text = render(ctx, hist, comp, F, IMP, **kw)
    return text, detail + (f" [IU {r['uid']}]" if detail else f"IU {r['uid']} unmodified")


# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h122-{seed}")
    dev = _dev_uids()
    pool = [r for r in load_iu() if r["uid"] not in dev and screen_real(r)]
    rng.shuffle(pool)
    caps = [(r, real_candidates(r)) for r in pool]
    used: set[str] = set()

    def take(pred):
        for r, c in caps:
            if r["uid"] in used:
                continue
            op = pred(c)
            if op:
                used.add(r["uid"])
                return r, op
        raise RuntimeError("real pool exhausted")

    rows: list[tuple[str | None, str, str]] = []
    half_clean = N_CLEAN // 2
    half_kind = N_PER_KIND // 2
    # composed
    for _ in range(half_clean):
        t, d = compose(rng, None)
        rows.append((None, d or "composed, clean", t))
    for kind in KINDS:
        for _ in range(half_kind):
            t, d = compose(rng, kind)
            rows.append((kind, "composed: " + d, t))
    # real
    # order matters: scarce injections first
    for _ in range(half_kind):
        r, _op = take(lambda c: "lat" in c and "lat")
        t, d = real_case(rng, r, "laterality_conflict")
        rows.append(("laterality_conflict", "real: " + d, t))
    omit_ops = ["omit:consolidation", "omit:effusion", "omit:pneumothorax", "omit:edema", "omit:mass"]
    for i in range(half_kind):
        pref = omit_ops[i % len(omit_ops)]

        def p_omit(c, pref=pref):
            if pref in c:
                return pref
            for o in omit_ops:
                if o in c:
                    return o
            return None
        r, op = take(p_omit)
        t, d = real_case(rng, r, "impression_omits_finding", op)
        rows.append(("impression_omits_finding", "real: " + d, t))
    neg_ops = ["negfwd:effusion", "negfwd:pneumothorax", "negfwd:consolidation", "negfwd:cardiomegaly",
               "negrev:consolidation", "negrev:effusion", "negrev:pneumothorax", "negfwd:consolidation"]
    for i in range(half_kind):
        pref = neg_ops[i % len(neg_ops)]

        def p_neg(c, pref=pref):
            if pref in c:
                return pref
            opts = sorted(o for o in c if o.startswith("neg"))
            if opts:
                return rng.choice(opts)
            return None
        r, op = take(p_neg)
        t, d = real_case(rng, r, "negation_conflict", op)
        rows.append(("negation_conflict", "real: " + d, t))
    for i in range(half_kind):
        want = "missing_find" if i % 3 == 0 else "missing_imp"
        r, op = take(lambda c, w=want: w if w in c else None)
        t, d = real_case(rng, r, "missing_section", op)
        rows.append(("missing_section", "real: " + d, t))
    for _ in range(half_kind):
        r, _op = take(lambda c: "placeholder" in c and "placeholder")
        t, d = real_case(rng, r, "placeholder")
        rows.append(("placeholder", "real: " + d, t))
    for _ in range(half_clean):
        # real clean reports: mostly plain ones (the pool is what IU gives)
        r, _op = take(lambda c: "clean" in c and "clean")
        t, d = real_case(rng, r, None)
        rows.append((None, "real: " + d, t))
    rng.shuffle(rows)
    return [{"id": f"h122-{seed}-{n}", "injected": k, "detail": d, "report": t}
            for n, (k, d, t) in enumerate(rows)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=122)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            got = [r for r in rows if r["injected"] == kind][: a.show]
            for r in got:
                print(f"===== {r['id']} injected={kind} :: {r['detail']}")
                print(r["report"])
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
