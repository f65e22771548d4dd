"""Blind held-out report-check set no. 22: findings named by radiological signs, eponyms and scores.

Written blind: without reading the checker, its tests, docs or any other generator. Only the scorer's
format, the IU (Open-i) archive and the `uid` field of the dev set (to exclude those reports) were used.

Styles: reports whose findings are stated as named signs (silhouette sign, air bronchogram, deep sulcus,
meniscus, Kerley B lines, bat-wing, Golden S, luftsichel, air crescent, Hampton hump, Westermark,
continuous diaphragm, double density, veil-like opacity, white-out, tram-tracking, tree-in-bud, cannonball),
graded or scored (oedema grades, Brixia/RALE, BSTI COVID-19 categories, CTR values, effusion by rib level or
hemithorax fraction, pneumothorax by interpleural distance), in five layouts (plain headed, sign checklist,
COVID-19 scoring template, one-paragraph teaching style, heart-failure grading proforma). Half of each
group is composed from the phrase bank, half are real IU reports re-laid-out with sign-based re-wording.

usage: python -m bench.make_heldout22 OUT.jsonl --seed S [--show N]
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
N_CLEAN, N_KIND = 200, 40
OPP = {"right": "left", "left": "right"}


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"


# ---------------------------------------------------------------- phrase bank
# Each sign: findings text, impression text (its meaning), words an impression uses for that meaning,
# whether it is significant per the spec, a sentence that plainly rules it out, and whether it is sided.
SIGNS = [
    dict(name="consolidation", sided=True, sig=True,
         f=["Airspace opacity in the {side} lower zone with air bronchograms; the {side} hemidiaphragm is "
            "silhouetted.", "Air bronchograms within a dense {side} lower lobe opacity, with loss of the "
            "{side} hemidiaphragmatic outline (silhouette sign)."],
         i=["{Side} lower lobe consolidation, in keeping with pneumonia.", "{Side} lower lobe pneumonia."],
         kw=["consolidat", "pneumonia", "airspace", "air-space", "opacit", "infect", "bronchogram"],
         neg=["No focal consolidation.", "The lungs are clear."]),
    dict(name="rml", sided=False, sig=True,
         f=["The right heart border is effaced (silhouette sign) by an ill-defined opacity with air "
            "bronchograms."],
         i=["Right middle lobe consolidation.", "Right middle lobe pneumonia."],
         kw=["consolidat", "pneumonia", "airspace", "opacit", "middle lobe", "infect"],
         neg=["No consolidation.", "The lungs are clear."]),
    dict(name="ptx_deep_sulcus", sided=True, sig=True,
         f=["Deep sulcus sign on the {side}: the {side} costophrenic angle is deep and lucent on this supine "
            "film."],
         i=["{Side} pneumothorax on the supine film.", "Anterior {side} pneumothorax (deep sulcus sign)."],
         kw=["pneumothora", "ptx", "air"], neg=["No pneumothorax."]),
    dict(name="ptx_distance", sided=True, sig=True,
         f=["Visceral pleural line at the {side} apex, interpleural distance {d} cm at the level of the "
            "hilum.", "{Side} apical pleural edge, {d} cm from the chest wall at the hilum (BTS)."],
         i=["{Side} pneumothorax, {d} cm interpleural distance.", "{Big} {side} pneumothorax."],
         kw=["pneumothora", "ptx"], neg=["No pneumothorax."]),
    dict(name="effusion_meniscus", sided=True, sig=True,
         f=["Meniscus sign at the {side} base; fluid reaches the {rib} posterior rib.",
            "{Side} pleural fluid with a meniscus, occupying about {frac} of the {side} hemithorax."],
         i=["Moderate {side} pleural effusion.", "{Side} pleural effusion, moderate in size."],
         kw=["effusion", "fluid", "meniscus"], neg=["No pleural effusion.", "Costophrenic angles are clear."]),
    dict(name="whiteout", sided=True, sig=True,
         f=["White-out of the {side} hemithorax with mediastinal shift to the {opp}."],
         i=["Large {side} pleural effusion with mass effect.", "Large {side} effusion; consider drainage."],
         kw=["effusion", "fluid", "white", "opacif"], neg=["No pleural effusion."]),
    dict(name="oedema_interstitial", sided=False, sig=True,
         f=["Upper lobe venous diversion, Kerley B lines at both bases and peribronchial cuffing (grade 2)."],
         i=["Interstitial pulmonary oedema.", "Grade 2 (interstitial) oedema, in keeping with fluid overload."],
         kw=["oedema", "edema", "congest", "failure", "overload", "kerley", "interstitial"],
         neg=["No pulmonary oedema.", "The lungs are clear."]),
    dict(name="oedema_alveolar", sided=False, sig=True,
         f=["Perihilar bat-wing opacities with fluid in the fissures (grade 3)."],
         i=["Alveolar pulmonary oedema.", "Grade 3 (alveolar) oedema."],
         kw=["oedema", "edema", "congest", "failure", "overload", "bat", "alveolar"],
         neg=["No pulmonary oedema.", "The lungs are clear."]),
    dict(name="luftsichel", sided=False, sig=True,
         f=["Veil-like opacity over the left hemithorax with a luftsichel (crescent of aerated lung "
            "along the aortic arch)."],
         i=["Left upper lobe collapse; a central obstructing lesion should be excluded on CT."],
         kw=["collapse", "atelecta", "luftsichel", "veil", "volume loss", "lobe"],
         neg=["No lobar collapse.", "The lungs are clear."]),
    dict(name="golden_s", sided=False, sig=True,
         f=["Golden S sign: the elevated horizontal fissure is concave laterally and convex medially "
            "around a right hilar bulge."],
         i=["Right upper lobe collapse with a probable central hilar mass; CT recommended."],
         kw=["collapse", "atelecta", "mass", "golden", "hilar", "lobe", "tumour", "tumor"],
         neg=["No lobar collapse.", "The lungs are clear."]),
    dict(name="cannonball", sided=False, sig=True,
         f=["Multiple well-defined cannonball nodules throughout both lungs, the largest {mm} mm in the right "
            "lower zone."],
         i=["Multiple pulmonary metastases.", "Cannonball metastases; correlate with known primary."],
         kw=["metasta", "nodul", "mass", "cannonball", "deposit", "lesion"],
         neg=["No pulmonary nodules or masses.", "The lungs are clear."]),
    dict(name="air_crescent", sided=True, sig=True,
         f=["Air crescent sign around a {mm} mm cavitating mass in the {side} upper zone."],
         i=["{Side} upper lobe cavitating mass with air crescent (? mycetoma / recovering angioinvasive "
            "aspergillosis).", "Cavitating {side} upper lobe mass."],
         kw=["mass", "cavit", "crescent", "mycetoma", "aspergill", "lesion"],
         neg=["No pulmonary mass.", "The lungs are clear."]),
    dict(name="hampton", sided=True, sig=True,
         f=["Peripheral wedge-shaped pleural-based opacity at the {side} base (Hampton hump)."],
         i=["{Side} basal pleural-based opacity, possibly a pulmonary infarct; CTPA advised.",
            "Hampton hump at the {side} base, ? pulmonary embolus with infarction."],
         kw=["infarct", "embol", "hampton", "opacit", "wedge", "consolidat"],
         neg=["No focal consolidation.", "The lungs are clear."]),
    dict(name="covid", sided=False, sig=True,
         f=["Bilateral peripheral lower-zone ground-glass and consolidative opacities. Brixia score "
            "{brixia}/18.", "Patchy peripheral airspace opacities in both lower zones, RALE score {rale}/8."],
         i=["Classic/probable COVID-19 (BSTI category).", "Appearances are those of classic COVID-19 pneumonia."],
         kw=["covid", "consolidat", "opacit", "pneumonia", "airspace", "ground"],
         neg=["The lungs are clear.", "No consolidation."]),
]
# not significant per the spec, or non-acute: fillers for clean reports (never used for omissions)
MINOR_F = [
    ("Double density projected over the right heart border.", "Left atrial enlargement."),
    ("Tram-tracking in both lower zones.", "Lower zone bronchiectasis, unchanged."),
    ("Calcified granuloma in the {side} mid zone, 4 mm.", ""),
    ("CTR 0.53, unchanged from the previous film.", "Borderline cardiomegaly, stable."),
    ("Trace blunting of the {side} costophrenic angle.", "Trace {side} pleural fluid, of no clinical concern."),
    ("Unfolded thoracic aorta.", ""),
    ("Continuous diaphragm sign is absent; no mediastinal air.", ""),
]
NORMAL_F = [
    "CTR {ctr}.", "Heart size normal (CTR {ctr}).", "The mediastinal contours are normal.",
    "No Kerley B lines or upper lobe diversion.", "No deep sulcus sign; no pneumothorax.",
    "Costophrenic angles are sharp, no meniscus.", "No silhouette sign; cardiac and diaphragmatic outlines "
    "are preserved.", "No air bronchograms or airspace opacity.", "Brixia score 0/18.",
    "No Westermark sign, no Hampton hump.", "No tree-in-bud nodularity.", "Bones are intact.",
]
NORMAL_I = ["No acute cardiopulmonary abnormality.", "Normal chest radiograph.", "No acute disease.",
            "Normal study. BSTI category: normal.", "No active disease demonstrated."]
IMP_NEUTRAL_COVID = "BSTI category: non-COVID."
CLINICAL = ["Shortness of breath.", "Cough and fever, ? pneumonia.", "Chest pain, ? PE.", "Pre-op.",
            "Known breast carcinoma, restaging.", "COVID-19 swab positive, hypoxic.", "Fall, rib pain.",
            "Post line insertion.", "Haemoptysis, smoker.", "Fluid overload, dialysis patient."]
VIEWS = ["CHEST PA", "CHEST AP SUPINE", "CXR PA AND LATERAL", "CHEST AP (PORTABLE)", "XR CHEST 1 VIEW"]


def fill(t: str, r: random.Random, side: str) -> str:
    vals = dict(side=side, Side=side.capitalize(), opp=OPP[side], d=r.choice(["1.5", "2.2", "2.8", "3.1"]),
                rib=r.choice(["7th", "8th", "6th"]), frac=r.choice(["a third", "one half", "40%"]),
                mm=r.choice([18, 25, 32, 41]), brixia=r.choice([6, 9, 11, 14]), rale=r.choice([3, 4, 5, 6]),
                ctr=r.choice(["0.42", "0.45", "0.47", "0.48"]), Big=r.choice(["Large", "Moderate"]))
    out = t.format(**vals)
    return out[0].upper() + out[1:]


def layout(r: random.Random, findings: str | None, impression: str | None, style: int | None = None,
           clin: str | None = None) -> str:
    """Lay out a report; None drops a section, "" keeps an empty header."""
    style = r.randrange(5) if style is None else style
    clin = clin or r.choice(CLINICAL)
    view = r.choice(VIEWS)
    if findings and "supine" in findings.lower():
        view = "CHEST AP SUPINE"
    parts = []
    if style == 0:
        parts.append(f"EXAMINATION: {view}\nCLINICAL INFORMATION: {clin}\nCOMPARISON: "
                     f"{r.choice(['None.', 'Previous film 3 months ago.', 'None available.'])}")
        if findings is not None:
            parts.append(f"FINDINGS:\n{findings}".rstrip())
        if impression is not None:
            parts.append(f"IMPRESSION:\n{impression}".rstrip())
        return "\n\n".join(parts)
    if style == 1:  # sign checklist
        parts.append(f"{view}\nIndication: {clin}")
        if findings is not None:
            parts.append("Findings (signs reviewed):" + ("".join(f"\n- {s}" for s in split_sents(findings))))
        if impression is not None:
            parts.append(f"Impression:{' ' + impression if impression else ''}")
        return "\n\n".join(parts)
    if style == 2:  # COVID scoring template
        parts.append(f"CHEST RADIOGRAPH - COVID-19 PATHWAY\nReferral: {clin}")
        if findings is not None:
            parts.append(f"FINDINGS: {findings}".rstrip())
        if impression is not None:
            parts.append(f"IMPRESSION / BSTI CATEGORY: {impression}".rstrip())
        return "\n".join(parts)
    if style == 3:  # one paragraph teaching style
        s = f"{view.title()}. History: {clin}"
        if findings is not None:
            s += f" Findings: {findings}".rstrip()
        if impression is not None:
            s += f" Impression: {impression}".rstrip()
        return s
    parts.append(f"HEART FAILURE / CHEST PROFORMA\nRequest: {clin}\nProjection: {view}")
    if findings is not None:
        parts.append(f"Findings:\n{findings}".rstrip())
    if impression is not None:
        parts.append(f"Conclusion (impression):\n{impression}".rstrip())
    return "\n\n".join(parts)


def split_sents(t: str) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+(?=[A-Z])", t.strip()) if s]


def normal_findings(r: random.Random, exclude: tuple[str, ...] = ()) -> list[str]:
    pool = [s for s in NORMAL_F if not any(k in s.lower() for k in exclude)]
    out: list[str] = []
    for s in r.sample(pool, len(pool)):
        if "ctr" in s.lower() and any("ctr" in o.lower() for o in out):
            continue
        out.append(fill(s, r, "right"))
    return out[: r.randint(3, 5)]


EXCL = {"consolidation": ("bronchogram", "silhouette", "airspace"),
        "rml": ("bronchogram", "silhouette", "airspace"),
        "ptx_deep_sulcus": ("sulcus", "pneumothorax", "costophrenic"), "ptx_distance": ("sulcus", "pneumothorax"),
        "effusion_meniscus": ("costophrenic", "meniscus"),
        "whiteout": ("costophrenic", "meniscus", "mediastinal", "ctr", "silhouette"),
        "oedema_interstitial": ("kerley",), "oedema_alveolar": ("kerley", "airspace"),
        "hampton": ("hampton", "airspace"), "covid": ("airspace", "bronchogram")}


def composed(r: random.Random, kind: str | None) -> tuple[str, str]:
    side = r.choice(["right", "left"])
    sign = r.choice(SIGNS)
    # keep the same values in F and I (e.g. distance) by re-filling with a shared seed
    sd = r.random()
    ft = fill(r.choice(sign["f"]), random.Random(sd), side)
    it = fill(r.choice(sign["i"]), random.Random(sd), side)
    rest = normal_findings(r, EXCL.get(sign["name"], ()) + ("brixia", "clear"))
    if kind is None:
        minors = [m for m in MINOR_F if not ("costophrenic" in m[0] and sign["name"] in ("effusion_meniscus",
                                                                                         "whiteout"))]
        mf, mi = r.choice(minors)
        clash = "ctr" if "CTR" in mf else "costophrenic" if "costophrenic" in mf else "@"
        rest = [x for x in rest if clash not in x.lower()]
        if r.random() < 0.4:
            fnd = rest + ([fill(mf, r, side)] if r.random() < 0.5 else [])
            return layout(r, " ".join(fnd), r.choice(NORMAL_I)), "composed normal"
        extra = [fill(mf, r, side)] if r.random() < 0.4 else []
        imp = it + (" " + fill(mi, r, side) if extra and mi else "")
        return layout(r, " ".join([ft] + rest[:2] + extra), imp), f"composed abnormal ({sign['name']})"
    if kind == "missing_section":
        mode = r.randrange(4)
        fnd = " ".join([ft] + rest[:2])
        if mode == 0:
            return layout(r, fnd, ""), "IMPRESSION header left empty"
        if mode == 1:
            return layout(r, fnd, None), "IMPRESSION absent"
        if mode == 2:
            return layout(r, "", it), "FINDINGS header left empty"
        return layout(r, None, r.choice(["No acute disease.", "Normal study."])), \
            "FINDINGS absent beside a bare normal impression"
    if kind == "laterality_conflict":
        sign = r.choice([s for s in SIGNS if s["sided"]])
        sd = r.random()
        ft = fill(r.choice(sign["f"]), random.Random(sd), side)
        it = fill(r.choice(sign["i"]), random.Random(sd), OPP[side])
        return layout(r, " ".join([ft] + rest[:2]), it), \
            f"{sign['name']}: FINDINGS {side}, IMPRESSION {OPP[side]}"
    if kind == "negation_conflict":
        neg = r.choice(sign["neg"])
        if r.random() < 0.5:  # sign in findings, impression denies its meaning
            return layout(r, " ".join([ft] + rest[:2]), neg + " " + r.choice(NORMAL_I[:3])), \
                f"{sign['name']} in FINDINGS, IMPRESSION says '{neg}'"
        # findings deny, impression asserts
        fnd = [neg] + [s for s in rest if "clear" not in s.lower()][:2]
        return layout(r, " ".join(fnd), it), f"FINDINGS '{neg}', IMPRESSION asserts {sign['name']}"
    if kind == "impression_omits_finding":
        others = [s for s in SIGNS if s is not sign and s["name"] != "whiteout" and not set(s["kw"]) & set(sign["kw"])]
        if r.random() < 0.5:
            imp = r.choice(NORMAL_I[:3] + [NORMAL_I[4]])
            return layout(r, " ".join([ft] + rest[:2]), imp), f"{sign['name']} omitted; normal impression"
        other = r.choice(others)
        side2 = r.choice(["right", "left"])
        sd = r.random()
        of = fill(r.choice(other["f"]), random.Random(sd), side2)
        oi = fill(r.choice(other["i"]), random.Random(sd), side2)
        if any(k in oi.lower() for k in sign["kw"]):
            oi = fill(MINOR_F[1][1], r, side2)
            of = MINOR_F[1][0]
        return layout(r, " ".join([of, ft] + rest[:1]), oi), f"{sign['name']} omitted; impression lists other"
    # placeholder
    blanks = [("{side}", "[LEFT/RIGHT]"), ("{d}", "___"), ("{rib}", "<insert>"), ("{mm}", "XX"),
              ("{brixia}", "[***]"), ("{rale}", "[ ]")]
    cands = [(k, v) for k, v in blanks if any(k in f for f in sign["f"])]
    if not cands:
        fnd = [f"CTR {r.choice(['[***]', '0.__', '<value>'])}."] + [x for x in rest if "CTR" not in x][:2]
        return layout(r, " ".join(fnd), r.choice(NORMAL_I)), "CTR value left blank"
    k, v = r.choice(cands)
    tmpl = r.choice([f for f in sign["f"] if k in f])
    ft = fill(tmpl.replace(k, "\x00", 1), random.Random(sd), side).replace("\x00", v)
    return layout(r, " ".join([ft] + rest[:2]), it), f"field {k} left as {v}"


# ---------------------------------------------------------------- IU reports
def load_iu(shared: Path) -> list[dict]:
    dev = {json.loads(line)["uid"] for line in open(shared / "eval" / "report_errors_dev.jsonl")}
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        for m in sorted((m for m in t.getmembers() if m.isfile() and m.name.endswith(".xml")),
                        key=lambda m: m.name):
            x = ET.parse(t.extractfile(m)).getroot()
            u = x.find(".//uId")
            uid = u.get("id") if u is not None else None
            if not uid or uid in dev:
                continue
            sec = {a.get("Label"): (a.text or "").strip() for a in x.iter("AbstractText")}
            if sec.get("FINDINGS") and sec.get("IMPRESSION") and not re.search(r"\[|___|<", str(sec)):
                out.append(dict(uid=uid, f=sec["FINDINGS"], i=sec["IMPRESSION"],
                                ind=sec.get("INDICATION") or "", cmp=sec.get("COMPARISON") or ""))
    return out


REWORD = [
    (r"(?i)(?:^|(?<=\. ))no pneumothorax\.", "No pneumothorax; no deep sulcus sign."),
    (r"(?i)(?:^|(?<=\. ))no pleural effusions?\.", "No pleural effusion; costophrenic angles are sharp."),
    (r"(?i)(?:^|(?<=\. ))no (evidence of )?pulmonary edema\.", "No Kerley B lines or other sign of pulmonary edema."),
    (r"(?i)(?:^|(?<=\. ))no focal (airspace )?consolidation\.", "No focal consolidation or air bronchogram."),
    (r"(?i)(?:^|(?<=\. ))heart size is normal\.", "Heart size is normal (CTR {ctr})."),
    (r"(?i)(?:^|(?<=\. ))the heart is normal in size\.", "The heart is normal in size, CTR {ctr}."),
]
NORMAL_IMP_RE = re.compile(r"(?i)^(no acute|normal|negative|no active|no evidence of acute)")


def iu_text(r: random.Random, c: dict, f: str | None, i: str | None) -> str:
    for pat, rep in REWORD:
        if f and r.random() < 0.7:
            f = re.sub(pat, fill(rep, r, "right"), f, count=1)
    clin = c["ind"] if c["ind"] and r.random() < 0.7 else None
    return layout(r, f, i, clin=clin)


SIDE_RE = re.compile(r"\b(right|left|Right|Left|RIGHT|LEFT)\b")


def iu_case(r: random.Random, c: dict, kind: str | None) -> tuple[str, str] | None:
    f, i = c["f"], c["i"]
    if kind is None:
        return iu_text(r, c, f, i), f"IU {c['uid']} unmodified"
    if kind == "missing_section":
        mode = r.randrange(3)
        if mode == 0:
            return iu_text(r, c, f, ""), f"IU {c['uid']}: IMPRESSION emptied"
        if mode == 1:
            return iu_text(r, c, f, None), f"IU {c['uid']}: IMPRESSION removed"
        return iu_text(r, c, "", i), f"IU {c['uid']}: FINDINGS header left empty"
    if kind == "laterality_conflict":
        si = {m.lower() for m in SIDE_RE.findall(i)}
        sf = {m.lower() for m in SIDE_RE.findall(f)}
        if len(si) != 1 or si != sf or re.search(r"(?i)\bno\b|without|resolv|bilateral", i):
            return None
        side = si.pop()
        i2 = SIDE_RE.sub(lambda m: {"right": "left", "left": "right"}[m.group(0).lower()].capitalize()
                         if m.group(0)[0].isupper() else OPP[m.group(0)], i)
        return iu_text(r, c, f, i2), f"IU {c['uid']}: IMPRESSION side flipped {side} -> {OPP[side]}"
    if kind == "negation_conflict":
        if not NORMAL_IMP_RE.match(i):
            return None
        opts = [(r"(?i)\bno pneumothorax", "Small {side} apical pneumothorax, interpleural distance 1 cm."),
                (r"(?i)\bno (pleural )?effusion", "Small {side} pleural effusion, meniscus to the 10th rib."),
                (r"(?i)lungs are clear", "{Side} lower lobe consolidation with air bronchograms.")]
        opts = [o for o in opts if re.search(o[0], f)]
        if not opts:
            return None
        pat, imp = r.choice(opts)
        imp = fill(imp, r, r.choice(["right", "left"]))
        said = re.search(pat, f).group(0)
        return iu_text(r, c, f, imp), f"IU {c['uid']}: IMPRESSION '{imp}' against FINDINGS '{said}'"
    if kind == "impression_omits_finding":
        if re.search(r"(?i)clear|nodul|mass|collapse|atelecta|metasta|lesion|cavit|opacit|lobe", f + " " + i):
            return None
        sign = r.choice([s for s in SIGNS if s["name"] in
                         ("luftsichel", "golden_s", "cannonball", "air_crescent")])
        if any(k in (f + " " + i).lower() for k in sign["kw"]):
            return None
        ft = fill(r.choice(sign["f"]), r, r.choice(["right", "left"]))
        f2 = f + " " + ft
        tag = "normal" if NORMAL_IMP_RE.match(i) else "other findings"
        return iu_text(r, c, f2, i), f"IU {c['uid']}: {sign['name']} added to FINDINGS, impression ({tag}) kept"
    # placeholder
    m = SIDE_RE.search(f)
    if m and r.random() < 0.6:
        tok = r.choice(["[LEFT/RIGHT]", "[***]", "[side]"])
        f2 = f[:m.start()] + tok + f[m.end():]
        return iu_text(r, c, f2, i), f"IU {c['uid']}: side word '{m.group(0)}' left as {tok}"
    tok = r.choice(["[***]", "XX", "<value>"])
    return iu_text(r, c, f + f" CTR {tok}.", i), f"IU {c['uid']}: CTR value left as {tok}"


# ---------------------------------------------------------------- checks
def verify(kind: str | None, rep: str, detail: str) -> None:
    low = rep.lower()
    heads = re.compile(r"(?im)^(findings|impression|conclusion)|findings:|impression:|bsti category:")
    if kind is None:
        assert not re.search(r"\[|<|___|\bXX\b", rep), rep
        assert len(heads.findall(rep)) >= 2, rep
    elif kind == "placeholder":
        assert re.search(r"\[LEFT/RIGHT\]|\[\*\*\*\]|\[side\]|\[ \]|<insert>|<value>|\bXX\b|___|0\.__", rep), rep
    elif kind == "laterality_conflict":
        m = re.search(r"(?is)(impression[^:\n]*:|conclusion[^:\n]*:)(.*)$", rep)
        imp = m.group(2).lower()
        fnd = low[: m.start()]
        m2 = re.search(r"FINDINGS (right|left), IMPRESSION (right|left)|flipped (right|left) -> (right|left)", detail)
        fs, is_ = [g for g in m2.groups() if g]
        assert re.search(rf"\b{fs}\b", fnd) and re.search(rf"\b{is_}\b", imp), rep
    elif kind == "negation_conflict":
        quoted = re.findall(r"'([^']+)'", detail)
        assert quoted and all(q.lower().rstrip(".") in low for q in quoted if " " in q), (detail, rep)
    elif kind == "missing_section":
        assert "absent" in detail or "removed" in detail or "empt" in detail, detail
    elif kind == "impression_omits_finding":
        m = re.search(r"(?is)(impression[^:\n]*:|conclusion[^:\n]*:)(.*)$", rep)
        imp = m.group(2).lower()
        name = detail.split(":")[-1].split()[0] if detail.startswith("IU") else detail.split()[0]
        sign = next(s for s in SIGNS if s["name"] == name)
        assert not any(k in imp for k in sign["kw"]), (imp, name)
        assert sign["sig"]


def build(seed: int, shared: Path) -> list[dict]:
    r = random.Random(seed)
    iu = load_iu(shared)
    r.shuffle(iu)
    used: set[str] = set()
    rows = []
    for kind in [None] + KINDS:
        n = N_CLEAN if kind is None else N_KIND
        for _ in range(n // 2):
            rep, det = composed(r, kind)
            rows.append((kind, det, rep))
        got = 0
        for c in iu:
            if got == n // 2:
                break
            if c["uid"] in used:
                continue
            res = iu_case(r, c, kind)
            if res is None:
                continue
            used.add(c["uid"])
            rows.append((kind, res[1], res[0]))
            got += 1
        if got < n // 2:
            raise SystemExit(f"not enough IU reports for {kind}")
    out = []
    for kind, det, rep in rows:
        verify(kind, rep, det)
        h = hashlib.sha256(f"{seed}|{rep}|{det}".encode()).hexdigest()[:16]
        out.append({"id": f"h22-{h}", "injected": kind, "detail": det, "report": rep})
    r.shuffle(out)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if not (shared / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        print(f"shared data not found at {shared}; set MEDRAG_SHARED_DIR", file=sys.stderr)
        return 2
    rows = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row, sort_keys=True) + "\n")
    for kind in [None] + KINDS:
        for row in [x for x in rows if x["injected"] == kind][: a.show]:
            print(f"=== {kind} | {row['detail']}\n{row['report']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
