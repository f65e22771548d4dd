"""Blind held-out report-check set 64: Australian / New Zealand regional public hospital chest lists.

Written blind: without reading the checker, its tests, docs or any other generator. Styles: the ordinary
day-to-day chest list of ANZ regional public hospitals (ED, wards, outpatients; FRANZCR consultants and
registrars): "Clinical details / Findings / Impression|Conclusion|Comment" layouts, Australian spelling
(oedema, haemothorax, centimetres), ordinary findings in ordinary proportions. Half of each group is composed
from a phrase bank, half are real IU (Open-i) reports (dev uids excluded) re-laid-out and lightly re-worded.

usage: python -m bench.make_heldout64 OUT.jsonl --seed S [--show N]
"""

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

HISTORY = [
    "SOB, ?LRTI",
    "Productive cough, febrile. ?pneumonia",
    "Chest pain, trop negative",
    "Fall, R chest wall pain",
    "Pre-op, elective TKR",
    "CCF, increasing SOB",
    "COPD exacerbation",
    "Post-op day 2, desaturating",
    "Smoker, persistent cough 6/52",
    "Hypoxia on ward",
    "Follow up pneumonia",
    "Haemoptysis",
]
REQ = ["ED", "Ward 3B", "Outpatients", "Medical Assessment Unit", "Surgical ward", "GP referral"]
NORMAL_F = [
    "The heart size is normal.",
    "Cardiomediastinal contour is within normal limits.",
    "Heart and mediastinum are normal.",
    "Normal cardiac size and mediastinal contour.",
]
LUNGS_CLEAR = [
    "The lungs are clear.",
    "Lungs are clear with no focal consolidation.",
    "No focal airspace opacity.",
    "Lung fields are clear.",
]
PLEURA_OK = [
    "No pleural effusion or pneumothorax.",
    "Costophrenic angles are clear. No pneumothorax.",
    "No effusion. No pneumothorax.",
]
BONES = ["Bones are unremarkable.", "No acute bony abnormality.", "Degenerative changes in the thoracic spine.", ""]
NORMAL_I = [
    "No acute cardiopulmonary abnormality.",
    "Normal chest radiograph.",
    "No acute findings.",
    "No active disease seen.",
    "Clear chest.",
]
# abnormality bank: findings text, impression text, significant, sided, group (what it rules out in normal lines)
ABN = [
    (
        "There is consolidation in the {side} lower lobe.",
        "{Side} lower lobe consolidation, likely pneumonia.",
        True,
        True,
        "lung",
    ),
    (
        "Patchy airspace opacity in the {side} lower zone.",
        "{Side} basal airspace opacity consistent with infection.",
        True,
        True,
        "lung",
    ),
    (
        "Moderate {side} pleural effusion with adjacent basal atelectasis.",
        "Moderate {side} pleural effusion.",
        True,
        True,
        "pleura",
    ),
    (
        "Small {side} pleural effusion blunting the costophrenic angle.",
        "Small {side} pleural effusion.",
        False,
        True,
        "pleura",
    ),
    (
        "{Side} apical pneumothorax measuring 2 cm at the apex.",
        "{Side} pneumothorax, 2 cm apical.",
        True,
        True,
        "pleura",
    ),
    (
        "A 14 mm nodule projects over the {side} mid zone.",
        "14 mm {side} mid zone nodule. CT chest recommended.",
        True,
        True,
        "lung",
    ),
    ("Upper lobe venous diversion, interstitial oedema and Kerley B lines.", "Pulmonary oedema.", True, False, "lung"),
    ("Plate atelectasis at the {side} base.", "Minor {side} basal atelectasis.", False, True, "lung"),
    ("The heart is mildly enlarged.", "Mild cardiomegaly.", False, False, "heart"),
    ("Calcified granuloma in the {side} upper zone.", "Old granulomatous disease.", False, True, "none"),
]
PH = ["[LEFT/RIGHT]", "[***]", "___ cm", "XX mm", "<insert>", "[ ]"]


def shared_dir():
    d = os.environ.get("MEDRAG_SHARED_DIR") or str(Path(__file__).resolve().parents[1] / ".." / "shared")
    p = Path(d)
    if not (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        sys.exit(f"shared data not found at {p}: set MEDRAG_SHARED_DIR to the shared folder")
    return p


def dev_uids(shared):
    out = set()
    with open(shared / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            if line.strip():
                out.add(str(json.loads(line).get("uid")))
    return out


def load_iu(shared, exclude):
    reps = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(tf.extractfile(m)).getroot()
            u = root.find(".//uId")
            uid = u.get("id") if u is not None else m.name
            if uid in exclude:
                continue
            sec = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            if sec.get("FINDINGS") and sec.get("IMPRESSION"):
                reps.append((uid, sec))
    reps.sort()
    return reps


def cap(s):
    return s[:1].upper() + s[1:]


def aus(text):
    for a, b in [
        ("edema", "oedema"),
        ("Edema", "Oedema"),
        ("hemithorax", "haemithorax"),
        ("x-XXXX", "X-ray"),
        ("cardiomediastinal silhouette", "cardiomediastinal contour"),
        ("centimeter", "centimetre"),
    ]:
        text = text.replace(a, b)
    return re.sub(r"\.\s*\.(?=\s|$)", ".", re.sub(r"^[^\w(]+", "", text))


def layout(rng, hist, findings, impression, drop=None):
    ih = rng.choice(["IMPRESSION:", "Impression:", "CONCLUSION:", "Comment:"])
    fh = (
        rng.choice(["FINDINGS:", "Findings:", "Report:"])
        if ih != "Comment:"
        else rng.choice(["FINDINGS:", "Findings:"])
    )
    lines = [
        rng.choice(["CHEST X-RAY", "XR CHEST", "CHEST (PA AND LATERAL)", "MOBILE CHEST"]),
        f"{rng.choice(['Clinical details:', 'CLINICAL NOTES:', 'History:'])} {hist}",
    ]
    if rng.random() < 0.5:
        lines.append(
            rng.choice(["Comparison: None.", "Comparison: Previous film 12 months ago.", "No prior imaging available."])
        )
    lines.append("")
    if drop != "findings_all":
        lines += [fh, findings, ""] if drop != "findings" else [fh, ""]
    if drop == "impression":
        pass
    elif drop == "impression_empty":
        lines += [ih, ""]
    else:
        lines += [ih, impression]
    lines.append(
        rng.choice(
            [
                "",
                "Reported by: Dr A. Nguyen FRANZCR",
                "Registrar: Dr K. Patel / Consultant: Dr M. Walsh",
                "Dr ___ (FRANZCR), verified ___",
            ]
        )
    )
    return "\n".join(x for x in lines).strip() + "\n"


def compose(rng, kind):
    """Return (findings, impression, detail, drop)."""
    hist = rng.choice(HISTORY)
    k = rng.choice([0, 1, 1, 2]) if kind is None else 2
    pool = list(ABN)
    if kind in ("laterality_conflict", "placeholder"):
        first = rng.choice([a for a in ABN if "{side}" in a[1].lower()])
    elif kind == "impression_omits_finding":
        first = rng.choice([a for a in ABN if a[2]])
    elif kind == "negation_conflict":
        first = rng.choice([a for a in ABN if (a[2] and a[4] in ("lung", "pleura")) or a[4] == "heart"])
    else:
        first = None
    chosen = [first] if first else []
    groups = {first[4]} if first else set()
    for a in rng.sample(pool, len(pool)):
        if len(chosen) >= k:
            break
        if a not in chosen and a[4] not in groups:
            chosen.append(a)
            groups.add(a[4])
    if kind is None and rng.random() < 0.35:
        chosen = []
    items = []
    for a in chosen:
        s = rng.choice(["right", "left"])
        items.append((a, s, a[0].format(side=s, Side=cap(s)), a[1].format(side=s, Side=cap(s))))
    fs = [] if "heart" in groups else [rng.choice(NORMAL_F)]
    fs += [it[2] for it in items]
    if "lung" not in groups:
        fs.append(rng.choice(LUNGS_CLEAR))
    if "pleura" not in groups:
        fs.append(rng.choice(PLEURA_OK))
    fs.append(rng.choice(BONES))
    imp = [it[3] for it in items if it[0][2] or rng.random() < 0.7]
    if not imp:
        imp = [rng.choice(NORMAL_I)]
    detail, drop = "", None
    if kind == "missing_section":
        drop = rng.choice(["impression", "impression_empty", "findings"])
        detail = {
            "impression": "IMPRESSION section removed",
            "impression_empty": "IMPRESSION header left empty",
            "findings": "FINDINGS header left empty",
        }[drop]
    elif kind == "laterality_conflict":
        a, s, ftxt, itxt = items[0]
        o = OPP[s]
        imp = (
            [a[1].format(side=o, Side=cap(o)) if x == itxt else x for x in imp]
            if itxt in imp
            else [a[1].format(side=o, Side=cap(o))] + imp
        )
        detail = f"impression side flipped {s} -> {o} for '{ftxt}'"
    elif kind == "negation_conflict":
        a, s, ftxt, itxt = items[0]
        neg = {
            "lung": ["Lungs are clear.", "No consolidation or other focal lung abnormality."],
            "pleura": ["No pleural effusion or pneumothorax.", "No pleural abnormality."],
            "heart": ["Heart size is normal.", "Normal cardiac size."],
        }[a[4]]
        imp = [x for x in imp if x != itxt] + [rng.choice(neg)]
        detail = f"impression negates finding: '{ftxt}'"
    elif kind == "impression_omits_finding":
        a, s, ftxt, itxt = items[0]
        rest = [x for x in imp if x != itxt]
        if rng.random() < 0.5 or not rest:
            imp = [rng.choice(NORMAL_I)]
            others = {it[2] for it in items[1:] if it[0][2]}
            fs = [x for x in fs if x not in others]
        else:
            imp = rest
        detail = f"impression omits: '{ftxt}'"
    elif kind == "placeholder":
        a, s, ftxt, itxt = items[0]
        ph = rng.choice(PH)
        if re.search(r"\d+ (mm|cm)", ftxt) and ph in ("___ cm", "XX mm"):
            new = re.sub(r"\d+ (mm|cm)", ph, ftxt, count=1)
        else:
            ph = rng.choice(["[LEFT/RIGHT]", "[***]", "[ ]"])
            new = re.sub(r"\b(right|left|Right|Left)\b", ph, ftxt, count=1)
        fs = [new if x == ftxt else x for x in fs]
        detail = f"placeholder {ph} left in '{new}'"
    return hist, " ".join(x for x in fs if x), " ".join(imp), detail, drop


NORMAL_RE = re.compile(r"^(no acute|normal chest|no active|negative|no acute cardiopulmonary)", re.I)
POSITIVE_WORDS = re.compile(
    r"(opacit|consolidat|effusion|pneumothorax|edema|nodule|mass|atelect|infiltrat|"
    r"enlarg|cardiomegaly|granulom|scar|fracture|hyperinfl|emphysem|tortuous|calcif|"
    r"degenerat|right|left|XXXX)",
    re.I,
)


def all_negative(findings):
    for s in re.split(r"(?<=\.)\s+", findings):
        if POSITIVE_WORDS.search(s) and not re.search(r"\b(no|not|without|normal|clear|negative)\b", s, re.I):
            return False
    return True


def iu_case(rng, iu, kind, used):
    normals = [r for r in iu if NORMAL_RE.match(r[1]["IMPRESSION"]) and all_negative(r[1]["FINDINGS"])]
    if kind == "laterality_conflict":
        cands = [r for r in iu if r[0] not in used and re.search(r"\b(right|left)\b", r[1]["IMPRESSION"], re.I)]
        rng.shuffle(cands)
        for uid, sec in cands:
            f, i = sec["FINDINGS"], sec["IMPRESSION"]
            sides = {w.lower() for w in re.findall(r"\b(right|left)\b", i, re.I)}
            if len(sides) != 1 or "bilateral" in (f + i).lower():
                continue
            s = sides.pop()
            fsides = {w.lower() for w in re.findall(r"\b(right|left)\b", f, re.I)}
            if fsides != {s}:
                continue
            o = OPP[s]
            ni = re.sub(rf"\b{s}\b", o, re.sub(rf"\b{cap(s)}\b", cap(o), i))
            return uid, f, ni, f"impression side flipped {s} -> {o}", None
    if kind == "placeholder":
        cands = [
            r for r in iu if r[0] not in used and re.search(r"\b(right|left|\d+(\.\d+)? ?(cm|mm))\b", r[1]["FINDINGS"])
        ]
        uid, sec = rng.choice(cands)
        f = sec["FINDINGS"]
        m = re.search(r"\d+(\.\d+)? ?(cm|mm)\b", f)
        if m and rng.random() < 0.6:
            ph = rng.choice(["___ " + m.group(2), "XX " + m.group(2), "[***]"])
            nf = f[: m.start()] + ph + f[m.end() :]
        else:
            ph = rng.choice(["[LEFT/RIGHT]", "[***]", "[ ]"])
            nf = re.sub(r"\b(right|left)\b", ph, f, count=1)
        return uid, nf, sec["IMPRESSION"], f"placeholder {ph} in findings", None
    pool = [r for r in normals if r[0] not in used]
    uid, sec = rng.choice(pool)
    f, i = sec["FINDINGS"], sec["IMPRESSION"]
    if kind is None:
        return uid, f, i, "", None
    if kind == "missing_section":
        drop = rng.choice(["impression", "impression_empty"])
        return uid, f, i, "IMPRESSION removed" if drop == "impression" else "IMPRESSION header left empty", drop
    s = rng.choice(["right", "left"])
    if kind == "negation_conflict":
        opts = []
        if re.search(r"\bno\b[^.]*effusion", f, re.I):
            opts.append(f"Small {s} pleural effusion.")
        if re.search(r"\bno\b[^.]*pneumothora", f, re.I):
            opts.append(f"Small {s} apical pneumothorax.")
        if re.search(r"(heart|cardiac)[^.]*(normal|within normal)", f, re.I):
            opts.append("Cardiomegaly.")
        if re.search(r"\bno\b[^.]*(consolidation|airspace)|lungs are clear", f, re.I):
            opts.append(f"{cap(s)} lower lobe consolidation.")
        if not opts:
            return iu_case(rng, iu, kind, used | {uid})
        ni = rng.choice(opts)
        return uid, f, ni, f"impression asserts '{ni}' which findings rule out", None
    if kind == "impression_omits_finding":
        add = rng.choice(
            [
                f"There is a moderate {s} pleural effusion.",
                f"Focal consolidation in the {s} lower lobe.",
                f"Small {s} apical pneumothorax.",
                f"New 15 mm nodule in the {s} upper zone.",
            ]
        )
        sents = re.split(r"(?<=\.)\s+", f)
        key = re.compile(r"effusion|consolidat|pneumothora|nodule", re.I)
        word = key.search(add).group(0).lower()
        clash = {
            "effusion": r"effusion|costophrenic|pleura",
            "consolidat": r"consolidat|pneumonia|airspace|opacit|infiltrat|lungs? (are )?clear|clear lungs",
            "pneumothora": r"pneumothora",
            "nodule": r"nodul|mass|lungs? (are )?clear|clear lungs",
        }[word]
        sents = [x for x in sents if not re.search(clash, x, re.I)] or ["Heart size is normal."]
        sents.insert(rng.randrange(1, len(sents) + 1), add)
        ni = i
        if rng.random() < 0.5:
            sents.append("Mild degenerative change in the thoracic spine.")
            ni = i.rstrip(". ") + ". Mild degenerative change of the thoracic spine."
        return uid, " ".join(sents), ni, f"findings affirm '{add}' omitted from impression", None
    raise ValueError(kind)


def verify(kind, report, detail):
    low = report.lower()
    if kind == "placeholder":
        assert re.search(r"\[LEFT/RIGHT\]|\[\*\*\*\]|_{3} (cm|mm)|XX (cm|mm)|<insert>|\[ \]", report), report
    if kind == "missing_section":
        assert "removed" in detail or "empty" in detail
    if kind == "laterality_conflict":
        assert "right" in low or "left" in low


SYN = {
    "effusion": ["effusion", "fluid"],
    "consolidat": ["consolidat", "airspace", "pneumonia", "infect", "opacit"],
    "opacity": ["consolidat", "airspace", "pneumonia", "infect", "opacit"],
    "pneumothora": ["pneumothora", "ptx"],
    "nodule": ["nodul", "mass", "lesion"],
    "oedema": ["oedema", "edema", "failure", "congest"],
}


def split_sections(report):
    m = re.search(r"\n(IMPRESSION:|Impression:|CONCLUSION:|Comment:)\n(.*)", report, re.S)
    return m.group(2) if m else ""


def build(seed):
    rng = random.Random(seed)
    shared = shared_dir()
    excl = dev_uids(shared)
    iu = load_iu(shared, excl)
    used, rows = set(), []
    for kind in [None] + KINDS:
        n = N_CLEAN if kind is None else N_KIND
        for j in range(n):
            if j % 2 == 0:
                hist, f, i, detail, drop = compose(rng, kind)
                src = "composed"
            else:
                uid, f, i, detail, drop = iu_case(rng, iu, kind, used)
                used.add(uid)
                f, i, hist = aus(f), aus(i), rng.choice(HISTORY)
                src = "iu:" + uid
            rep = layout(rng, hist, f, i, drop)
            if kind is not None:
                verify(kind, rep, detail)
                if kind == "impression_omits_finding":
                    om = (
                        re.search(r"effusion|consolidat|pneumothora|nodule|oedema|opacity", detail, re.I)
                        .group(0)
                        .lower()
                    )
                    syn = SYN.get(om, [om])
                    imp_txt = split_sections(rep).lower()
                    assert not any(w in imp_txt for w in syn), rep
            rows.append({"src": src, "injected": kind, "detail": detail, "report": rep})
    rng.shuffle(rows)
    out = []
    for r in rows:
        h = hashlib.sha1(f"{seed}|{r['src']}|{r['report']}".encode()).hexdigest()[:16]
        out.append({"id": f"h64-{h}", "injected": r["injected"], "detail": r["detail"], "report": r["report"]})
    return out


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=6501)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    for kind in [None] + KINDS:
        for r in [r for r in rows if r["injected"] == kind][: a.show]:
            print(f"=== {kind} | {r['detail']}\n{r['report']}")


if __name__ == "__main__":
    main()
