"""Held-out report-error set 66, written blind (without reading the checker, its tests or docs).

Styles: the ordinary daily chest list of public and private hospitals in Egypt, Saudi Arabia and
Jordan reporting in English ("Both lung fields are clear", "Free costophrenic angles", "Normal
cardiac size", "Opinion"-free plain FINDINGS/IMPRESSION layouts with a short clinical data line),
half composed from a phrase bank, half real IU (Open-i) normal reports re-laid-out in the same styles.
Errors are injected as ordinary slips: a side flipped, a normal macro pasted as impression, a
template blank left, a section left empty or dropped.

usage: python -m bench.make_heldout66 OUT.jsonl --seed S [--show N]
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
PER_KIND, CLEAN = 40, 200

# name, sided, significant, findings templates, impression templates, negated impression, clash regex, keywords
FINDINGS = [
    (
        "consolidation",
        True,
        True,
        [
            "Patchy consolidation is seen in the {side} lower zone.",
            "There is {side} lower zone airspace opacity with air bronchogram.",
            "Ill-defined patchy opacity is noted at the {side} mid and lower zones.",
        ],
        [
            "{Side} lower zone consolidation, likely infective.",
            "{Side} basal pneumonic patch.",
            "Findings suggestive of {side} lower lobe pneumonia.",
        ],
        ["Clear lung fields.", "No consolidation."],
        r"lung|consolidat|airspace|opacit|clear",
        r"consolidat|pneumoni|opacit|airspace|infect|patch",
    ),
    (
        "effusion",
        True,
        True,
        [
            "Moderate {side} pleural effusion obliterating the costophrenic angle.",
            "Moderate {side} pleural effusion is seen with meniscus sign.",
            "Homogeneous opacity at the {side} lower zone with meniscus, denoting moderate pleural effusion.",
        ],
        ["Moderate {side} pleural effusion.", "{Side} sided moderate pleural effusion."],
        ["No pleural effusion.", "Free costophrenic angles."],
        r"effusion|costophrenic|pleura",
        r"effusion|pleura|fluid|costophrenic",
    ),
    (
        "pneumothorax",
        True,
        True,
        [
            "{Side} sided pneumothorax with visible visceral pleural line, no mediastinal shift.",
            "Small {side} apical pneumothorax is noted.",
        ],
        ["{Side} pneumothorax.", "{Side} sided pneumothorax, no tension."],
        ["No pneumothorax."],
        r"pneumothorax|pleura",
        r"pneumothora|air|pleural line",
    ),
    (
        "nodule",
        True,
        True,
        [
            "A well-defined rounded nodule measuring about {n} mm is seen in the {side} mid zone.",
            "{Side} upper zone soft tissue nodule about {n} mm.",
        ],
        [
            "{Side} lung nodule ({n} mm); CT chest is recommended.",
            "{Side} pulmonary nodule, further assessment by CT advised.",
        ],
        ["No pulmonary nodules or masses."],
        r"lung|clear|nodul|mass|lesion",
        r"nodul|mass|lesion|opacit",
    ),
    (
        "congestion",
        False,
        True,
        [
            "Prominent upper lobe vessels and perihilar haziness, in keeping with pulmonary venous congestion.",
            "Increased bronchovascular markings with upper lobe diversion.",
        ],
        ["Pulmonary venous congestion.", "Picture of pulmonary congestion."],
        ["Clear lung fields.", "No pulmonary oedema."],
        r"vascul|congest|oedema|edema|lung|clear",
        r"congest|oedema|edema|vascul|upper lobe diversion|failure",
    ),
    (
        "smalleff",
        True,
        False,
        ["Minimal blunting of the {side} costophrenic angle.", "Minimal {side} pleural effusion."],
        ["Minimal {side} pleural effusion.", "Blunted {side} costophrenic angle."],
        ["No pleural effusion."],
        r"effusion|costophrenic|pleura",
        r"effusion|costophrenic|blunt",
    ),
    (
        "atelectasis",
        True,
        False,
        ["Linear band atelectasis at the {side} base.", "Plate-like atelectasis in the {side} lower zone."],
        ["{Side} basal linear atelectasis."],
        ["Clear lung fields."],
        r"lung|clear|atelect",
        r"atelect",
    ),
    (
        "cardiomegaly",
        False,
        False,
        ["Mildly enlarged cardiac shadow, CTR about 0.55.", "Borderline cardiomegaly."],
        ["Mild cardiomegaly.", "Borderline cardiac enlargement."],
        ["Normal heart size."],
        r"cardi|heart",
        r"cardi|heart",
    ),
    (
        "aorta",
        False,
        False,
        ["Unfolded aorta with calcified aortic knuckle.", "Atherosclerotic calcification of the aortic knob."],
        ["Atherosclerotic aorta."],
        ["Normal aorta."],
        r"aort|mediastin",
        r"aort",
    ),
    (
        "spine",
        False,
        False,
        ["Degenerative changes of the dorsal spine with marginal osteophytes.", "Dorsal spondylosis."],
        ["Dorsal spondylosis."],
        ["Normal bones."],
        r"bon|osse|spine|skelet",
        r"spondyl|spine|degenerat",
    ),
]
FB = {f[0]: f for f in FINDINGS}
NORMALS = [
    (
        r"lung",
        [
            "Both lung fields are clear.",
            "Clear lung fields with no focal lesions.",
            "No focal parenchymal lung lesions.",
            "Normal bronchovascular markings.",
        ],
    ),
    (
        r"pleura",
        ["Both costophrenic angles are free.", "Free costophrenic angles.", "No pleural effusion or pneumothorax."],
    ),
    (
        r"heart",
        [
            "Normal cardiac size and configuration.",
            "The heart is normal in size.",
            "Cardiothoracic ratio within normal.",
        ],
    ),
    (r"media", ["Central trachea.", "Normal mediastinal shadow and both hila.", "Normal hilar shadows."]),
    (r"bone", ["Intact bony thorax.", "Visualised bones are unremarkable.", "No bony abnormality."]),
    (r"dome", ["Both domes of the diaphragm are well defined.", "Normal position and outline of both hemidiaphragms."]),
]
NORMAL_IMP = [
    "No significant abnormality detected.",
    "Normal chest X-ray.",
    "No active chest lesion.",
    "No acute cardiopulmonary findings.",
    "Unremarkable chest radiograph.",
    "Normal study.",
]
HISTORY = [
    "Cough and fever.",
    "Pre-employment medical.",
    "Shortness of breath.",
    "Chest pain.",
    "Pre-operative assessment.",
    "Follow up.",
    "Fever for 5 days.",
    "Diabetic, cough.",
    "Hajj/Umrah medical.",
    "Productive cough.",
    "Visa medical.",
    "Dyspnoea on exertion.",
]
TITLES = [
    "CHEST X-RAY PA VIEW",
    "X-RAY CHEST (PA)",
    "Plain X-ray chest PA view",
    "CXR PA",
    "CHEST RADIOGRAPH - PA AND LATERAL",
    "Portable chest X-ray (AP)",
    "X-Ray Chest PA",
]
HDRS = [
    ("FINDINGS:", "IMPRESSION:"),
    ("Findings:", "Impression:"),
    ("FINDINGS", "IMPRESSION"),
    ("Report:\nFindings:", "Impression:"),
]
NORMAL_FIND_RE = re.compile(r"\b(no|normal|clear|within normal|unremarkable|intact|negative|free|not)\b", re.I)
POS_RE = re.compile(
    r"opacit|granulom|calcif|scar|atelect|degenerat|cardiomeg|enlarg|"
    r"(?<!no )(?<!no pleural )(?<!or )(?<!or pleural )effusion|tortuous|hyperinfl|emphysem|"
    r"nodul|surgical|clip|catheter|deformit|fracture|\bold\b|chronic|prominent|elevat|blunt|streak",
    re.I,
)
NORM_IMP_RE = re.compile(
    r"^(no acute|normal|no active|negative|no evidence of acute|"
    r"no radiographic evidence of acute|clear lungs|no cardiopulmonary)",
    re.I,
)


def shared_dir():
    d = os.environ.get("MEDRAG_SHARED_DIR") or str(Path(__file__).resolve().parents[1].parent / "shared")
    if not Path(d, "data/iu_reports/NLMCXR_reports.tgz").exists():
        sys.exit(f"IU archive not found; set MEDRAG_SHARED_DIR (tried {d})")
    return Path(d)


def dev_uids(sd):
    p = sd / "eval/report_errors_dev.jsonl"
    return {json.loads(x)["uid"] for x in open(p) if x.strip()} if p.exists() else set()


def load_iu(sd):
    """Normal IU reports: every findings sentence negative/normal, impression a normal statement."""
    excl, out = dev_uids(sd), []
    with tarfile.open(sd / "data/iu_reports/NLMCXR_reports.tgz") as t:
        for m in sorted(t.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(t.extractfile(m)).getroot()
            u = root.find("uId")
            uid = u.get("id") if u is not None else ""
            if uid in excl:
                continue
            sec = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            f, i = sec.get("FINDINGS", ""), sec.get("IMPRESSION", "")
            if not f or not i or not NORM_IMP_RE.match(i) or len(i) > 80 or POS_RE.search(f + " " + i):
                continue
            sents = [s.strip() for s in re.split(r"(?<=\.)\s+", f) if s.strip()]
            if len(sents) < 2 or not all(NORMAL_FIND_RE.search(s) for s in sents):
                continue
            i = re.sub(r"\s*\.(\s*\.)+\s*$", ".", i)
            out.append({"uid": uid, "sents": sents, "imp": i, "ind": sec.get("INDICATION", "") or ""})
    return out


def side_words(side):
    return side, side.capitalize()


def fill(tpl, side="right", n=12):
    return tpl.format(side=side, Side=side.capitalize(), n=n)


def normal_sents(rng, skip):
    out = []
    for _topic, opts in NORMALS:
        if any(re.search(s, " ".join(opts), re.I) for s in skip):
            continue
        out.append(rng.choice(opts))
    return out


def render(rng, title, hist, fsents, isents, style, iu=False):
    hf, hi = style
    lines = [title]
    if hist and rng.random() < 0.8:
        lines.append(rng.choice(["Clinical data: ", "Clinical history: ", "Indication: ", "History: "]) + hist)
    if rng.random() < 0.3 and not iu:
        lines.append(
            rng.choice(
                ["Comparison: None.", "No previous films for comparison.", "Compared with previous study dated ___."]
            )
        )
    lines.append("")
    if fsents is not None:
        body = (
            " ".join(fsents)
            if rng.random() < 0.4
            else "\n".join(("- " if rng.random() < 0.3 else "") + s for s in fsents)
        )
        lines += [hf, body, ""]
    if isents is not None:
        if len(isents) > 1 and rng.random() < 0.5:
            ib = "\n".join(f"{k}. {s}" for k, s in enumerate(isents, 1))
        else:
            ib = " ".join(isents)
        lines += [hi, ib]
    if rng.random() < 0.5 and isents != []:
        lines += [
            "",
            rng.choice(
                [
                    "Dr. ___, Consultant Radiologist",
                    "Reported by: Dr. ___ (Radiology Specialist)",
                    "Thanks for referral.",
                    "Clinical correlation is advised.",
                ]
            ),
        ]
    return "\n".join(lines).rstrip() + "\n"


def pick_findings(rng, need=None):
    n = rng.choice([0, 0, 1, 1, 1, 2, 2, 3])
    names = rng.sample([f[0] for f in FINDINGS], n)
    if need and need not in names:
        names = [need] + [x for x in names if x != need][:2]
    chosen, used_clash = [], set()
    for nm in names:
        f = FB[nm]
        if f[6] in used_clash:
            continue
        used_clash.add(f[6])
        chosen.append((nm, rng.choice(["right", "left"]) if f[1] else "", rng.choice([8, 9, 10, 12, 14, 15, 18, 22])))
    return chosen


def compose(rng, kind):
    need = None
    if kind in ("laterality_conflict",):
        need = rng.choice(["consolidation", "effusion", "pneumothorax", "nodule", "atelectasis", "smalleff"])
    elif kind in ("negation_conflict", "impression_omits_finding"):
        need = rng.choice(["consolidation", "effusion", "pneumothorax", "nodule", "congestion"])
    ch = pick_findings(rng, need)
    if need and ch[0][0] != need:
        ch = [c for c in ch if c[0] != need]
        ch.insert(0, (need, rng.choice(["right", "left"]) if FB[need][1] else "", rng.choice([8, 10, 12, 15, 18])))
    fs = [fill(rng.choice(FB[nm][3]), s, n) for nm, s, n in ch]
    imps = [fill(rng.choice(FB[nm][4]), s, n) for nm, s, n in ch]
    fs = fs + normal_sents(rng, [FB[nm][6] for nm, _, _ in ch])
    if rng.random() < 0.5:
        fs = fs[len(ch) : len(ch) + 1] + fs[: len(ch)] + fs[len(ch) + 1 :] if ch else fs
    if not imps:
        imps = [rng.choice(NORMAL_IMP)]
    detail = ""
    if kind == "laterality_conflict":
        nm, s, n = ch[0]
        o = "left" if s == "right" else "right"
        imps[0] = fill(rng.choice(FB[nm][4]), o, n)
        detail = f"{nm}: {s} in FINDINGS, {o} in IMPRESSION"
    elif kind == "negation_conflict":
        nm = ch[0][0]
        imps[0] = rng.choice(FB[nm][5])
        detail = f"{nm} affirmed in FINDINGS, impression says '{imps[0]}'"
    elif kind == "impression_omits_finding":
        nm = ch[0][0]
        rest = [i for i in imps[1:] if not re.search(FB[nm][7], i, re.I)]
        if rest and rng.random() < 0.5:
            imps = rest
            detail = f"{nm} in FINDINGS left out of an impression listing other findings"
        else:
            ok = [x for x in NORMAL_IMP if not re.search(FB[nm][7], x, re.I)]
            imps = [rng.choice(ok)] if rng.random() < 0.6 else [i for i in rest] or [rng.choice(ok)]
            detail = f"{nm} in FINDINGS omitted; impression: {' '.join(imps)}"
        assert not re.search(FB[nm][7], " ".join(imps), re.I)
    return ch, fs, imps, detail


PH_SENTS = [
    ("Linear atelectasis at the [LEFT/RIGHT] base.", r"lung|clear|atelect"),
    ("Minimal <insert side> pleural effusion.", r"effusion|costophrenic|pleura"),
    ("Cardiothoracic ratio: XX.", r"cardi|heart|CTR"),
    ("Degenerative changes of the dorsal spine [***].", r"bon|osse|spine|skelet|spondyl"),
    ("Calcified granuloma measuring ___ mm in the left mid zone.", r"lung|clear|granulom|nodul"),
]


def placeholder(rng, fs, imps):
    sided = [k for k, x in enumerate(imps) if re.search(r"\b(right|left)\b", x, re.I)]
    if sided and rng.random() < 0.5:
        k = sided[0]
        imps = list(imps)
        imps[k] = re.sub(
            r"\b(right|left)\b", rng.choice(["[RIGHT/LEFT]", "___", "[side]"]), imps[k], count=1, flags=re.I
        )
        return fs, imps, f"side left blank in IMPRESSION: '{imps[k]}'"
    s, clash = rng.choice(PH_SENTS)
    kept = [x for x in fs if not re.search(clash, x, re.I)]
    return kept[:1] + [s] + kept[1:], imps, f"template blank left: '{s}'"


def missing(rng, fs, imps, normal):
    r = rng.random()
    if r < 0.4:
        return fs, [], "IMPRESSION header left empty"
    if r < 0.75 or not normal:
        return fs, None, "IMPRESSION section absent"
    return [], [rng.choice(["No acute disease.", "Normal study."])], "FINDINGS header left empty"


def make_case(rng, kind, iu):
    style = rng.choice(HDRS)
    title = rng.choice(TITLES)
    if iu is None:
        hist = rng.choice(HISTORY)
        ch, fs, imps, detail = compose(rng, kind)
        normal = not ch
    else:
        hist = iu["ind"]
        fs, imps, detail, normal = list(iu["sents"]), [iu["imp"]], "", True
        if kind in ("laterality_conflict", "negation_conflict", "impression_omits_finding"):
            nm = rng.choice(
                ["consolidation", "effusion", "pneumothorax"] + (["nodule"] if kind != "negation_conflict" else [])
            )
            f, s, o = FB[nm], rng.choice(["right", "left"]), None
            o = "left" if s == "right" else "right"
            kept = [x for x in fs if not re.search(f[6], x, re.I)] or fs[:1]
            if kind == "negation_conflict":
                neg = [x for x in fs if re.search(f[6], x, re.I) and re.search(r"\bno\b|clear", x, re.I)]
                if neg:
                    imps = [fill(rng.choice(f[4]), s, 14)]
                    detail = f"{nm}: FINDINGS '{neg[0]}' but IMPRESSION '{imps[0]}'"
                else:
                    fs = kept[:1] + [fill(rng.choice(f[3]), s, 14)] + kept[1:]
                    imps = [rng.choice(f[5])]
                    detail = f"{nm} affirmed in FINDINGS, impression says '{imps[0]}'"
            else:
                fs = kept[:1] + [fill(rng.choice(f[3]), s, 14)] + kept[1:]
                if kind == "laterality_conflict":
                    imps = [fill(rng.choice(f[4]), o, 14)]
                    detail = f"{nm}: {s} in FINDINGS, {o} in IMPRESSION"
                else:
                    if re.search(r"pleura|lung|right|left|pneumo|consolid|effusion|" + f[7], imps[0], re.I):
                        imps = [rng.choice([x for x in NORMAL_IMP if not re.search(f[7], x, re.I)])]
                    detail = f"{nm} in FINDINGS omitted; normal impression '{imps[0]}'"
                    assert not re.search(f[7], imps[0], re.I)
    if kind == "placeholder":
        fs, imps, detail = placeholder(rng, fs, imps)
    elif kind == "missing_section":
        fs, imps, detail = missing(rng, fs, imps, normal)
    rep = render(rng, title, hist, fs if fs is not None else None, imps, style, iu is not None)
    if kind == "missing_section" and fs == []:
        rep = rep.replace(style[0] + "\n\n", style[0] + "\n")
    return rep, detail


def check(kind, rep, detail):
    low = rep.lower()
    if kind == "laterality_conflict":
        m = re.match(r"\w+: (\w+) in FINDINGS, (\w+) in IMPRESSION", detail)
        assert m and m.group(1) in low and m.group(2) in low
    if kind == "placeholder":
        assert re.search(
            r"\[|<insert|\bXX\b|___ mm|___ (pleural|lower|basal|pneumo|apical|lung|upper|"
            r"sided|pulmonary|costophrenic|mid)",
            rep,
            re.I,
        )
    if kind == "missing_section":
        if "IMPRESSION header" in detail:
            assert re.search(r"impression:?\s*$", low)
        elif "absent" in detail:
            assert "impression" not in low
        else:
            assert re.search(r"findings:?\n+(impression)", low)
    if kind is None or kind != "placeholder":
        assert "[" not in rep and "<" not in rep and not re.search(r"\bXX\b|___ (mm|cm|\.)", rep)


def build(seed, sd):
    rng = random.Random(seed)
    iu = load_iu(sd)
    rng.shuffle(iu)
    pool = iter(iu)
    rows = []
    for kind, n in [(None, CLEAN)] + [(k, PER_KIND) for k in KINDS]:
        for j in range(n):
            src = None if j % 2 == 0 else next(pool)
            rep, detail = make_case(rng, kind, src)
            check(kind, rep, detail)
            tag = src["uid"] if src else "composed"
            cid = hashlib.sha1(f"66|{seed}|{kind}|{j}|{tag}".encode()).hexdigest()[:16]
            rows.append({"id": cid, "injected": kind, "detail": detail or "unmodified", "report": rep, "_uid": tag})
    rng.shuffle(rows)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=66)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    d = os.environ.get("MEDRAG_SHARED_DIR") or str(Path(__file__).resolve().parents[1].parent / "shared")
    if not Path(d, "data/iu_reports/NLMCXR_reports.tgz").exists():
        print(f"shared data not found at {d}; set MEDRAG_SHARED_DIR", file=sys.stderr)
        sys.exit(2)
    rows = build(a.seed, Path(d))
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in ("id", "injected", "detail", "report")}) + "\n")
    if a.show:
        for k in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == k][: a.show]:
                print(f"=== {k} | {r['detail']}\n{r['report']}")


if __name__ == "__main__":
    main()
