"""Held-out report-check set 30: several findings on both sides at once.

Written blind: without reading the report checker, its tests, its docs or any other generator.

Each line is {"id", "injected", "detail", "report"}; 400 lines, 200 clean and 40 for each of the
five kinds (missing_section, laterality_conflict, negation_conflict, impression_omits_finding,
placeholder), half composed from the phrase bank below, half real IU (Open-i) reports (dev uids
excluded) re-laid-out and re-worded.

Styles (composed):
  * prose      - one FINDINGS paragraph, each finding with its own side, zone and size;
  * by-side    - FINDINGS split under "Right lung / Left lung / Pleura / Heart" lines, the side
                 carried by the heading;
  * zone-grid  - "Upper zones: R - ...; L - ..." lines, a zone-by-zone comparison of both lungs;
  * bullets    - one finding per dashed line.
Impressions list the findings in another order, numbered, in one semicolon line, or grouped
("Bibasal atelectasis", "Bilateral pleural effusions, larger on the left").
IU reports are re-laid as bulleted FINDINGS with a numbered IMPRESSION, or as a prose block with
an exam line; a few phrases are re-worded. Errors are slips among several findings: one side
swapped while another finding keeps that side, one finding left out of a listing impression or
an impression pasted from a normal macro, a normal phrase pasted over one finding, a template
field left unfilled. MIMIC-style "___" de-identification masks (names, dates, ages) appear in some
reports and are not errors.

usage: python -m bench.make_heldout30 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
PER_KIND = 40
N_CLEAN = 200
OPP = {"left": "right", "right": "left"}


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    if not (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file():
        sys.stderr.write(f"shared data not found at {p}; set MEDRAG_SHARED_DIR to the shared folder\n")
        sys.exit(2)
    return p


# --------------------------------------------------------------------------------------------
# composed reports
# --------------------------------------------------------------------------------------------
LOBES = {"right": ["upper lobe", "lower lobe", "middle lobe"], "left": ["upper lobe", "lower lobe", "lingula"]}
ZONES = ["upper", "mid", "lower"]

# type -> words that name it in any wording (for the omission check)
SYN = {
    "effusion": ["effusion", "fluid", "pleural collection", "costophrenic"],
    "consolidation": ["consolidat", "airspace", "air space", "pneumonia", "infect", "opacit", "infiltrat"],
    "pneumothorax": ["pneumothorax", "pneumothoraces", "pleural air", "lung edge"],
    "nodule": ["nodul", "mass", "lesion", "opacit", "ct"],
    "mass": ["mass", "lesion", "nodul", "opacit", "malignan", "neoplas", "tumou", "tumor"],
    "collapse": ["collapse", "volume loss", "atelecta", "opacit"],
    "edema": ["edema", "oedema", "congesti", "failure", "kerley", "interstitial"],
}
SIGNIFICANT = {"consolidation", "pneumothorax", "mass", "collapse", "edema"}


def make_finding(rng, ftype, side):
    f = {"type": ftype, "side": side}
    if ftype == "effusion":
        f["size"] = rng.choice(["small", "small", "moderate", "large"])
    elif ftype == "consolidation":
        f["lobe"] = rng.choice(LOBES[side])
    elif ftype == "atelectasis":
        f["zone"] = "basal"
    elif ftype == "nodule":
        f["mm"] = rng.choice([4, 5, 7, 8, 9, 11, 12, 14, 16])
        f["zone"] = rng.choice(ZONES)
    elif ftype == "mass":
        f["cm"] = rng.choice(["3.1", "3.4", "4.2", "4.8", "5.5"])
        f["zone"] = rng.choice(["upper", "mid"])
    elif ftype == "pneumothorax":
        f["size"] = rng.choice(["small", "small", "moderate"])
        f["cm"] = rng.choice(["0.8", "1.2", "1.5"] if f["size"] == "small" else ["2.2", "2.5", "3"])
    elif ftype == "collapse":
        f["lobe"] = "lower lobe" if side == "left" else rng.choice(["upper lobe", "lower lobe"])
    elif ftype == "plaques":
        pass
    elif ftype == "hemidiaphragm":
        pass
    elif ftype == "scarring":
        pass
    return f


def is_sig(f):
    if f["type"] in SIGNIFICANT:
        return True
    if f["type"] == "effusion":
        return f["size"] != "small"
    if f["type"] == "nodule":
        return f["mm"] >= 6
    return False


def sw(f):
    """Side word (or the blank left in its place)."""
    return f.get("ph_side", f["side"])


def size_of(f):
    return f.get("ph_size", f.get("size", ""))


def mm_of(f):
    return f.get("ph_mm", str(f.get("mm", "")))


def cm_of(f):
    return f.get("ph_cm", f.get("cm", ""))


def f_phrase(rng, f, with_side=True):
    """A findings phrase for one finding; with_side=False when a heading carries the side."""
    s = sw(f) + " " if with_side else ""
    t = f["type"]
    if t == "effusion":
        return rng.choice(
            [
                f"{size_of(f)} {s}pleural effusion with blunting of the costophrenic angle",
                f"{size_of(f)} {s}pleural effusion",
                f"{s}pleural effusion, {size_of(f)} in volume",
            ]
        )
    if t == "consolidation":
        return rng.choice(
            [
                f"airspace consolidation in the {s}{f['lobe']} with air bronchograms",
                f"patchy consolidation of the {s}{f['lobe']}",
                f"dense {s}{f['lobe']} consolidation",
            ]
        )
    if t == "atelectasis":
        return rng.choice(
            [
                f"linear atelectasis at the {s}base",
                f"plate-like atelectasis in the {s}lower zone",
                f"{s}basal subsegmental atelectasis",
            ]
        )
    if t == "nodule":
        return rng.choice(
            [
                f"{mm_of(f)} mm nodule in the {s}{f['zone']} zone",
                f"well-defined {s}{f['zone']} zone nodule measuring {mm_of(f)} mm",
            ]
        )
    if t == "mass":
        return rng.choice(
            [
                f"{cm_of(f)} cm spiculated mass in the {s}{f['zone']} zone",
                f"lobulated {s}{f['zone']} zone mass measuring {cm_of(f)} cm",
            ]
        )
    if t == "pneumothorax":
        return rng.choice(
            [
                f"{size_of(f)} {s}apical pneumothorax with a {cm_of(f)} cm apical rim",
                f"{s}pneumothorax, {size_of(f)}, lung edge {cm_of(f)} cm from the apex",
            ]
        )
    if t == "collapse":
        return rng.choice(
            [
                f"volume loss with a triangular opacity in keeping with {s}{f['lobe']} collapse",
                f"collapse of the {s}{f['lobe']} with shift of the fissure",
            ]
        )
    if t == "plaques":
        return f"calcified {s}pleural plaques"
    if t == "hemidiaphragm":
        return f"elevated {s}hemidiaphragm"
    if t == "scarring":
        return f"{s}apical pleural thickening and scarring"
    raise ValueError(t)


def i_phrase(rng, f):
    s = sw(f)
    t = f["type"]
    if t == "effusion":
        return rng.choice(
            [f"{size_of(f).capitalize()} {s} pleural effusion", f"{s.capitalize()} pleural effusion ({size_of(f)})"]
        )
    if t == "consolidation":
        return rng.choice(
            [f"{s.capitalize()} {f['lobe']} consolidation, likely pneumonia", f"{s.capitalize()} {f['lobe']} pneumonia"]
        )
    if t == "atelectasis":
        return f"{s.capitalize()} basal atelectasis"
    if t == "nodule":
        if f["mm"] < 6:
            return rng.choice(
                [
                    f"{mm_of(f)} mm {s} {f['zone']} zone nodule, likely benign",
                    f"Small {s} {f['zone']} zone nodule ({mm_of(f)} mm), probably a granuloma",
                ]
            )
        return rng.choice(
            [
                f"{mm_of(f)} mm {s} {f['zone']} zone nodule, CT chest recommended",
                f"{s.capitalize()} {f['zone']} zone nodule ({mm_of(f)} mm), for CT",
            ]
        )
    if t == "mass":
        return rng.choice(
            [
                f"{s.capitalize()} {f['zone']} zone mass, suspicious for malignancy, CT recommended",
                f"{cm_of(f)} cm {s} {f['zone']} zone mass, likely neoplastic",
            ]
        )
    if t == "pneumothorax":
        return rng.choice([f"{size_of(f).capitalize()} {s} pneumothorax", f"{s.capitalize()} apical pneumothorax"])
    if t == "collapse":
        return f"{s.capitalize()} {f['lobe']} collapse"
    if t == "plaques":
        return f"{s.capitalize()} calcified pleural plaques, in keeping with asbestos exposure"
    if t == "hemidiaphragm":
        return f"Elevated {s} hemidiaphragm"
    if t == "scarring":
        return f"{s.capitalize()} apical scarring"
    raise ValueError(t)


NEG_I = {
    "effusion": ["No pleural effusion", "Costophrenic angles are clear"],
    "consolidation": ["No focal consolidation", "Lungs are clear"],
    "pneumothorax": ["No pneumothorax"],
    "nodule": ["No pulmonary nodule", "No discrete lung nodule"],
    "mass": ["No lung mass"],
    "collapse": ["No collapse or consolidation"],
    "edema": ["No pulmonary oedema"],
}
NORMAL_IMPR = [
    "No acute cardiopulmonary process.",
    "No acute cardiopulmonary abnormality.",
    "No acute disease.",
    "Stable chest. No acute findings.",
]

TYPE_POOL = [
    "effusion",
    "effusion",
    "consolidation",
    "consolidation",
    "atelectasis",
    "atelectasis",
    "nodule",
    "nodule",
    "pneumothorax",
    "plaques",
    "collapse",
    "mass",
    "hemidiaphragm",
    "scarring",
]


def pick_findings(rng, n):
    out, used = [], set()
    while len(out) < n:
        t = rng.choice(TYPE_POOL)
        side = rng.choice(["left", "right"])
        single = ("mass", "collapse", "pneumothorax", "hemidiaphragm")
        if (t, side) in used or t in single and any(x[0] == t for x in used):
            continue
        if t in ("consolidation", "collapse") and any(
            x == ("consolidation" if t == "collapse" else "collapse", side) for x in used
        ):
            continue
        used.add((t, side))
        out.append(make_finding(rng, t, side))
    sides = {f["side"] for f in out}
    if len(sides) < 2:
        return pick_findings(rng, n)
    return out


def group_impression(rng, fs, allow_merge=True):
    """Impression items: list of (phrase, [findings covered])."""
    items, done = [], set()
    for i, f in enumerate(fs):
        if i in done:
            continue
        twin = [
            j
            for j, g in enumerate(fs)
            if j != i
            and j not in done
            and g["type"] == f["type"]
            and g["side"] != f["side"]
            and f["type"] in ("effusion", "atelectasis", "plaques", "consolidation")
        ]
        if allow_merge and twin and not f.get("nomerge") and not fs[twin[0]].get("nomerge"):
            g = fs[twin[0]]
            done |= {i, twin[0]}
            t = f["type"]
            if t == "effusion":
                big = {"small": 0, "moderate": 1, "large": 2}
                if big.get(f.get("size"), 0) == big.get(g.get("size"), 0):
                    ph = f"Bilateral {f['size']} pleural effusions"
                else:
                    larger = f if big.get(f.get("size"), 0) > big.get(g.get("size"), 0) else g
                    ph = rng.choice(
                        [
                            f"Bilateral pleural effusions, larger on the {larger['side']}",
                            "Bilateral pleural effusions, "
                            + f"{fs[i]['size']} {fs[i]['side']} and {g['size']} {g['side']}",
                        ]
                    )
            elif t == "atelectasis":
                ph = rng.choice(["Bibasal atelectasis", "Bibasal changes, likely atelectasis"])
            elif t == "plaques":
                ph = "Bilateral calcified pleural plaques, in keeping with previous asbestos exposure"
            else:
                ph = f"Bilateral consolidation ({f['side']} {f['lobe']} and {g['side']} {g['lobe']}), likely infective"
            items.append((ph, [f, g]))
        else:
            done.add(i)
            items.append((i_phrase(rng, f), [f]))
    return items


def heart_text(rng, heart):
    if heart == "normal":
        return rng.choice(
            [
                "Heart size is normal.",
                "Cardiomediastinal silhouette within normal limits.",
                "Normal heart size and mediastinal contours.",
            ]
        )
    return rng.choice(
        [
            "Mild cardiomegaly, unchanged.",
            "Heart borderline enlarged, stable.",
            "Cardiothoracic ratio mildly increased, as before.",
        ]
    )


def cap(s):
    return s[0].upper() + s[1:] if s else s


def render_findings(rng, fs, layout, heart, extra_neg=None):
    """extra_neg: a normal sentence pasted in place of one finding (dict finding -> text)."""
    extra_neg = extra_neg or {}
    has = {f["type"] for f in fs if id(f) not in extra_neg}
    tail = []
    if not any(f["type"] == "pneumothorax" for f in fs):
        tail.append("No pneumothorax.")
    if "effusion" not in has and "plaques" not in has and not any(f["type"] == "effusion" for f in fs):
        tail.append(rng.choice(["No pleural effusion.", "Costophrenic angles are sharp."]))
    bones = rng.choice(["Bones intact.", "No acute osseous abnormality.", "Degenerative change in the thoracic spine."])
    if layout == "prose":
        parts = []
        for f in fs:
            parts.append(extra_neg[id(f)] if id(f) in extra_neg else cap(f_phrase(rng, f)) + ".")
        return " ".join([heart_text(rng, heart)] + parts + tail + [bones])
    if layout == "bullets":
        lines = []
        for f in fs:
            lines.append("- " + (extra_neg[id(f)] if id(f) in extra_neg else cap(f_phrase(rng, f)) + "."))
        lines.append("- " + heart_text(rng, heart))
        lines += ["- " + t for t in tail]
        lines.append("- " + bones)
        return "\n".join(lines)
    if layout == "by-side":
        lines = []
        for side in ("right", "left"):
            ph = [
                f_phrase(rng, f, with_side=False)
                for f in fs
                if f["side"] == side and id(f) not in extra_neg and "ph_side" not in f
            ]
            lines.append(f"{side.capitalize()} lung and pleura: " + (cap("; ".join(ph)) + "." if ph else "Clear."))
        for f in fs:
            if "ph_side" in f:
                lines.append("Other: " + cap(f_phrase(rng, f)) + ".")
        for f in fs:
            if id(f) in extra_neg:
                lab = "Pleural spaces: " if f["type"] in ("effusion", "pneumothorax") else "Lungs: "
                lines.append(lab + extra_neg[id(f)])
        lines.append("Heart and mediastinum: " + heart_text(rng, heart))
        lines.append("Bones and soft tissues: " + bones)
        return "\n".join(lines)

    # zone-grid
    def zone_of(f):
        if f["type"] in ("pneumothorax", "scarring"):
            return "Apices"
        if f["type"] in ("nodule", "mass"):
            return {"upper": "Upper zones", "mid": "Mid zones", "lower": "Lower zones"}[f["zone"]]
        if f["type"] in ("consolidation", "collapse"):
            return (
                "Upper zones"
                if f["lobe"] == "upper lobe"
                else ("Mid zones" if f["lobe"] in ("middle lobe", "lingula") else "Lower zones")
            )
        if f["type"] == "plaques":
            return "Pleura"
        return "Lower zones"

    rows = ["Apices", "Upper zones", "Mid zones", "Lower zones", "Pleura"]
    lines = []
    for row in rows:
        cells = []
        for side, ab in (("right", "R"), ("left", "L")):
            ph = [
                f_phrase(rng, f, with_side=False)
                for f in fs
                if f["side"] == side and zone_of(f) == row and id(f) not in extra_neg and "ph_side" not in f
            ]
            cells.append(f"{ab} - " + ("; ".join(ph) if ph else "clear"))
        for f in fs:
            if "ph_side" in f and zone_of(f) == row:
                cells.append(f"{sw(f)} - {f_phrase(rng, f, with_side=False)}")
        if all(c.endswith("clear") for c in cells) and row in ("Apices", "Pleura") and rng.random() < 0.5:
            continue
        lines.append(f"{row}: " + ". ".join(cells) + ".")
    for f in fs:
        if id(f) in extra_neg:
            lines.append(extra_neg[id(f)])
    lines.append("Heart: " + heart_text(rng, heart))
    lines.append("Bones: " + bones)
    return "\n".join(lines)


def render_impression(rng, items, style):
    phr = [p for p, _ in items]
    if style == "numbered":
        return "\n".join(f"{k}. {p}." for k, p in enumerate(phr, 1))
    if style == "semicolon":
        return "; ".join(phr[:1] + [p[0].lower() + p[1:] for p in phr[1:]]) + "."
    return "\n".join(f"* {p}." for p in phr)


INDICATIONS = [
    "Shortness of breath and fever.",
    "Pleuritic chest pain.",
    "Cough, ? infection.",
    "___-year-old man with dyspnoea.",
    "Follow-up of known lung nodule.",
    "Asbestos exposure, breathless.",
    "Post CT-guided biopsy, ? pneumothorax.",
    "___ y/o F, productive cough for 2 weeks.",
]
COMPARISONS = ["None.", "___.", "Chest radiograph dated ___.", "No prior imaging available.", "CT chest ___."]


def compose(rng, kind):
    """Returns (report, detail) for a composed report with one error of `kind` (or None)."""
    for _ in range(200):
        n = rng.choice([2, 3, 3, 4, 4, 5])
        fs = pick_findings(rng, n)
        heart = rng.choice(["normal", "normal", "normal", "mild"])
        layout = rng.choice(["prose", "by-side", "zone-grid", "bullets"])
        istyle = rng.choice(["numbered", "semicolon", "bullet"])
        detail = ""
        fsI = [dict(f) for f in fs]  # impression copies
        for a, b in zip(fs, fsI, strict=True):
            b["_src"] = a
        extra_neg = {}
        drop_sections = None
        normal_impr = None
        if kind == "laterality_conflict":
            cands = [
                k
                for k, f in enumerate(fs)
                if f["type"]
                in ("effusion", "consolidation", "nodule", "mass", "pneumothorax", "collapse", "atelectasis")
                and f.get("lobe") not in ("middle lobe", "lingula", "upper lobe" if f["type"] == "collapse" else "")
                and not any(g["type"] == f["type"] and g["side"] != f["side"] for g in fs)
                and any(g is not f and g["side"] == f["side"] for g in fs)
            ]
            if not cands:
                continue
            k = rng.choice(cands)
            where = rng.choice(["impression", "impression", "findings"])
            tgt = fsI[k] if where == "impression" else fs[k]
            orig = tgt["side"]
            tgt["side"] = OPP[orig]
            if tgt["type"] == "collapse" and tgt["side"] == "left":
                tgt["lobe"] = "lower lobe"
            tgt["nomerge"] = True
            fsI[k]["nomerge"] = True
            fs[k]["nomerge"] = True
            detail = (
                f"{fs[k]['type']} placed on the {tgt['side']} in {where.upper()}, {orig} in the other section; "
                f"another finding stays on the {orig}"
            )
        elif kind == "negation_conflict":
            cands = [
                k
                for k, f in enumerate(fs)
                if f["type"] in NEG_I
                and not any(g["type"] == f["type"] and g is not f for g in fs)
                and not (f["type"] == "effusion" and any(g["type"] == "plaques" for g in fs))
                and not (f["type"] == "nodule" and f["mm"] < 6)
            ]
            if not cands:
                continue
            k = rng.choice(cands)
            f = fs[k]
            if f["type"] == "consolidation" and any(
                g["type"] in ("nodule", "mass", "collapse", "atelectasis") for g in fs
            ):
                neg = "No focal consolidation"
            else:
                neg = rng.choice(NEG_I[f["type"]])
            if rng.random() < 0.6:
                fsI[k]["neg"] = neg
                detail = f"IMPRESSION says '{neg}' where FINDINGS describe {f['side']} {f['type']}"
            else:
                extra_neg[id(f)] = neg + "."
                fsI[k]["nomerge"] = True
                detail = f"FINDINGS say '{neg}' where IMPRESSION lists {f['side']} {f['type']}"
        elif kind == "impression_omits_finding":
            mode = rng.choice(["list", "normal"])
            sig = [
                k for k, f in enumerate(fs) if is_sig(f) and not any(g["type"] == f["type"] and g is not f for g in fs)
            ]
            if not sig:
                continue
            k = rng.choice(sig)
            if mode == "normal" and sum(is_sig(f) for f in fs) != 1:
                continue
            if mode == "list" and len(fs) < 3:
                continue
            fsI[k]["omit"] = True
            if mode == "normal":
                normal_impr = rng.choice(NORMAL_IMPR)
            detail = f"{fs[k]['side']} {fs[k]['type']} in FINDINGS left out of the IMPRESSION" + (
                " (normal macro)" if mode == "normal" else " (other findings listed)"
            )
        elif kind == "placeholder":
            k = rng.randrange(len(fs))
            f = fs[k]
            opts = ["side"]
            if "size" in f:
                opts.append("size")
            if "mm" in f:
                opts.append("mm")
            if "cm" in f:
                opts.append("cm")
            o = rng.choice(opts)
            if o == "side":
                f["ph_side"] = rng.choice(["[LEFT/RIGHT]", "[side]", "***", "<side>"])
                val = f["ph_side"]
                if layout in ("by-side", "zone-grid"):
                    layout = "prose"
            elif o == "size":
                f["ph_size"] = rng.choice(["[small/moderate/large]", "[***]", "<size>"])
                val = f["ph_size"]
            elif o == "mm":
                f["ph_mm"] = rng.choice(["XX", "___", "[ ]", "**"])
                val = f["ph_mm"] + " mm"
            else:
                f["ph_cm"] = rng.choice(["X.X", "___", "[ ]"])
                val = f["ph_cm"] + " cm"
            detail = f"template blank '{val}' left for the {o} of the {f['side']} {f['type']} in FINDINGS"
            fsI[k]["nomerge"] = True
        elif kind == "missing_section":
            drop_sections = rng.choice(["impression_absent", "impression_empty", "findings_empty"])
            detail = {
                "impression_absent": "IMPRESSION section absent",
                "impression_empty": "IMPRESSION header with nothing under it",
                "findings_empty": "FINDINGS header left empty",
            }[drop_sections]

        # impression items: only significant + some others; clean ones may drop minor findings
        chosen = []
        for f in fsI:
            if f.get("omit"):
                continue
            if not is_sig(f) and not f.get("neg") and rng.random() < 0.25 and kind != "laterality_conflict":
                continue
            chosen.append(f)
        if kind == "laterality_conflict":
            k_side = fs[k]["side"] if where == "impression" else fsI[k]["side"]
            if not any(g["side"] == k_side and g is not fsI[k] for g in chosen):
                continue
        if not chosen:
            continue
        # significant ones never left out in clean
        rng.shuffle(chosen)
        if rng.random() < 0.5:
            chosen.sort(key=lambda f: not is_sig(f))
        items = group_impression(rng, [f for f in chosen if not f.get("neg")])
        for f in chosen:
            if f.get("neg"):
                items.insert(rng.randrange(len(items) + 1), (f["neg"], [f]))
        if heart == "mild" and rng.random() < 0.3:
            items.append(("Mild cardiomegaly", []))
        if kind == "impression_omits_finding" and normal_impr:
            impression = normal_impr
            if rng.random() < 0.5:
                minor = [f for f in fsI if not f.get("omit")]
                impression += " " + i_phrase(rng, rng.choice(minor)) + "." if minor else ""
        else:
            impression = render_impression(rng, items, istyle)
        findings = render_findings(rng, fs, layout, heart, extra_neg)
        if drop_sections == "findings_empty":
            findings = ""
        hdr = rng.choice(
            [
                "EXAMINATION: Chest radiograph, PA and lateral",
                "EXAM: CHEST 2 VIEWS",
                "Chest X-ray (AP erect)",
                "XR CHEST PA",
            ]
        )
        parts = [hdr, "", "INDICATION: " + rng.choice(INDICATIONS), "COMPARISON: " + rng.choice(COMPARISONS), ""]
        fh = rng.choice(["FINDINGS:", "Findings:"])
        ih = "IMPRESSION:" if fh.isupper() else "Impression:"
        parts += [fh, findings, ""]
        if drop_sections != "impression_absent":
            parts += [ih, "" if drop_sections == "impression_empty" else impression, ""]
        if rng.random() < 0.4:
            parts.append(
                rng.choice(
                    [
                        "Dictated by: Dr. ___",
                        "Electronically signed: ___, MD, ___ at ___",
                        "Findings discussed with Dr. ___ by telephone on ___.",
                    ]
                )
            )
        report = "\n".join(parts).strip() + "\n"
        report = re.sub(r"\n{3,}", "\n\n", report)
        if drop_sections == "impression_empty":
            report = report.rstrip("\n") + "\n" if not report.rstrip().endswith(ih) else report
        ok = verify_composed(
            kind,
            fs,
            fsI,
            findings,
            impression if drop_sections is None else "",
            report,
            k if kind not in (None, "missing_section") else None,
        )
        if not ok or (kind == "negation_conflict" and neg not in report):
            continue
        return report, detail or "unmodified composed report"
    raise RuntimeError("could not compose " + str(kind))


def words_in(text, words):
    low = text.lower()
    return any(re.search(r"\b" + re.escape(w), low) for w in words)


def verify_composed(kind, fs, fsI, findings, impression, report, k):
    if kind is None:
        # clean: every significant finding named in the impression
        for f in fs:
            if is_sig(f) and not words_in(impression, SYN.get(f["type"], [f["type"]])):
                return False
        return True
    if kind == "missing_section":
        return True
    if kind == "laterality_conflict":
        f, g = fs[k], fsI[k]
        return (
            f["side"] != g["side"]
            and g["side"] in impression.lower()
            and (f["side"] in findings.lower() or "lung and pleura" in findings)
        )
    if kind == "negation_conflict":
        return True
    if kind == "impression_omits_finding":
        f = fs[k]
        if words_in(impression, SYN[f["type"]]):
            return False
        others = [g for g in fs if g is not f and is_sig(g)]
        return all(words_in(impression, SYN.get(g["type"], [g["type"]])) for g in others)
    if kind == "placeholder":
        return any(t in findings for t in ("[", "<", "***", "XX", "___ mm", "___ cm", "**", "X.X"))
    return True


# --------------------------------------------------------------------------------------------
# IU reports
# --------------------------------------------------------------------------------------------
def load_iu(shared):
    dev = set()
    for line in open(shared / "eval" / "report_errors_dev.jsonl"):
        dev.add(json.loads(line)["uid"])
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        for m in sorted(t.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(io.BytesIO(t.extractfile(m).read())).getroot()
            u = root.find(".//uId")
            uid = u.get("id") if u is not None else m.name
            if uid in dev:
                continue
            d = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            if d.get("FINDINGS") and d.get("IMPRESSION"):
                out.append(
                    {
                        "uid": uid,
                        "ind": d.get("INDICATION", ""),
                        "cmp": d.get("COMPARISON", ""),
                        "F": split_sent(d["FINDINGS"]),
                        "Im": split_sent(d["IMPRESSION"]),
                    }
                )
    return out, dev


def split_sent(text):
    text = re.sub(r"<\s*br\s*/?>", " ", text, flags=re.I)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(?:(?<=\s)|^)\d\.\s?(?=[A-Z])", "", text)
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)
    return [p.strip() for p in parts if p.strip()]


NEGCUE = re.compile(
    r"\b(no|not|without|negative|clear|cleared|free|resolved|resolving|normal|removed|unremarkable|"
    r"improved|improving|decreased|possibl\w*|may|might|question\w*|cannot|could|versus|vs|probabl\w*|"
    r"suggest\w*|suspicious|differential|concern\w*|consider\w*|borderline|equivocal)\b",
    re.I,
)
GROUPS = {
    "effusion": re.compile(r"\beffusion", re.I),
    "consolidation": re.compile(r"\b(consolidat\w*|airspace (disease|opacit\w*)|infiltrat\w*|pneumonia)", re.I),
    "pneumothorax": re.compile(r"\bpneumothora", re.I),
    "edema": re.compile(r"\b(edema|congesti\w*)", re.I),
    "atelectasis": re.compile(r"\batelecta", re.I),
    "cardiomegaly": re.compile(r"\b(cardiomegaly|heart (size )?is enlarged|enlarged heart|enlarged cardiac)", re.I),
}
IU_SYN = {
    "effusion": ["effusion", "fluid"],
    "consolidation": SYN["consolidation"],
    "pneumothorax": SYN["pneumothorax"],
    "edema": SYN["edema"],
}
IU_NEG = {
    "effusion": ["No pleural effusion.", "No effusion."],
    "consolidation": ["No focal airspace consolidation.", "Lungs are clear."],
    "pneumothorax": ["No pneumothorax."],
    "edema": ["No pulmonary edema."],
    "atelectasis": ["Lungs are clear."],
    "cardiomegaly": ["Heart size is normal.", "Normal heart size."],
}
SIDE_RE = re.compile(r"\b(left|right)\b", re.I)


SIDE_TERMS = ["effusion", "consolidat", "airspace", "infiltrat", "opacit", "atelecta", "pneumothora", "nodul",
              "granuloma", "mass", "pneumonia", "scar", "hemidiaphragm"]


def side_clash(F, Im):
    """True when a real report already places one kind of finding on different sides in its two sections."""
    for term in SIDE_TERMS:
        sides = []
        for sec in (F, Im):
            got = set()
            for s in sec:
                if term in s.lower() and affirmed(s) and "bilat" not in s.lower():
                    got |= {m.lower() for m in SIDE_RE.findall(s)}
            sides.append(got)
        if sides[0] and sides[1] and not sides[0] & sides[1]:
            return True
    return False


def affirmed(s):
    return not NEGCUE.search(s)


def reword(s):
    subs = [
        (r"^There is no ", "No "),
        (r"^There are no ", "No "),
        (r"\bis within normal limits\b", "is normal"),
        (r"\bare within normal limits\b", "are normal"),
        (r"^No evidence of ", "No "),
        (r"\bcardiomediastinal silhouette\b", "heart and mediastinum"),
        (r"\bbasilar\b", "basal"),
        (r"^There is ", ""),
        (r"^There are ", ""),
    ]
    for a, b in subs:
        s = re.sub(a, b, s)
    return cap(s)


def iu_candidates(r, kind):
    """Return a list of candidate modifications (callables-free tuples) for an IU report."""
    F, Im = r["F"], r["Im"]
    c = []
    if kind == "laterality_conflict":
        for sec, A, B in (("Im", Im, F), ("F", F, Im)):
            for ai, s in enumerate(A):
                sides = {m.lower() for m in SIDE_RE.findall(s)}
                if (
                    len(sides) != 1
                    or "bilateral" in s.lower()
                    or not affirmed(s)
                    or re.search(r"middle|lingula", s, re.I)
                ):
                    continue
                side = sides.pop()
                for g, rx in GROUPS.items():
                    if g == "cardiomegaly" or not rx.search(s):
                        continue
                    same = [b for b in B if rx.search(b) and affirmed(b)]
                    if not same or not all(
                        side in b.lower() and OPP[side] not in b.lower() and "bilateral" not in b.lower() for b in same
                    ):
                        continue
                    if any(rx.search(a2) and OPP[side] in a2.lower() for a2 in A):
                        continue
                    keeps = any(side in a2.lower() for j, a2 in enumerate(A) if j != ai)
                    c.append((keeps, sec, ai, side, g))
        c.sort(key=lambda x: not x[0])
        return c
    if kind == "negation_conflict":
        for ai, s in enumerate(Im):
            for g, rx in GROUPS.items():
                if (
                    rx.search(s)
                    and affirmed(s)
                    and any(rx.search(b) and affirmed(b) for b in F)
                    and not any(rx.search(b) for j, b in enumerate(Im) if j != ai)
                    and sum(bool(r2.search(s)) for r2 in GROUPS.values()) == 1
                ):
                    c.append((len(Im) > 1, "Im", ai, g))
        for fi, s in enumerate(F):
            for g, rx in GROUPS.items():
                if rx.search(s) and affirmed(s) and any(rx.search(b) and affirmed(b) for b in Im):
                    if (
                        sum(bool(rx.search(b)) for b in F) == 1
                        and sum(bool(r2.search(s)) for r2 in GROUPS.values()) == 1
                    ):
                        c.append((True, "F", fi, g))
        c.sort(key=lambda x: not x[0])
        return c
    if kind == "impression_omits_finding":
        for g in ("effusion", "consolidation", "pneumothorax", "edema"):
            rx = GROUPS[g]
            fs = [s for s in F if rx.search(s) and affirmed(s)]
            if not fs:
                continue
            if g == "effusion" and any(
                re.search(r"\b(small|trace|tiny|minimal|possible|question|blunting)", s, re.I) for s in fs
            ):
                continue
            if any(
                re.search(
                    r"\b(possible|question|may|cannot|could|versus|vs|suggest|subtle|minimal|stable|chronic|"
                    r"unchanged|atelecta|scar|streak\w*|linear|strand\w*)",
                    s,
                    re.I,
                )
                for s in F
                if rx.search(s)
            ):
                continue
            keep = [s for s in Im if not words_in(s, IU_SYN[g])]
            if len(keep) == len(Im):
                continue  # impression did not mention it: report already lacks it
            c.append(("list" if keep else "normal", g, keep))
        return c
    if kind == "placeholder":
        for fi, s in enumerate(F):
            if not affirmed(s):
                continue
            if re.search(r"\b\d+(\.\d+)? ?(mm|cm)\b", s):
                c.append(("measure", fi))
            if SIDE_RE.search(s):
                c.append(("side", fi))
            if re.search(r"\b(small|moderate|mild|large)\b", s, re.I):
                c.append(("grade", fi))
        return c
    return [None]


def iu_inject(rng, r, kind):
    F, Im = list(r["F"]), list(r["Im"])
    cands = iu_candidates(r, kind)
    if not cands:
        return None
    detail = ""
    if kind is None:
        # clean: keep only reports whose impression names every clear acute finding
        for g in ("effusion", "consolidation", "pneumothorax", "edema"):
            rx = GROUPS[g]
            if any(rx.search(s) and affirmed(s) for s in F) and not any(words_in(s, IU_SYN[g]) for s in Im):
                return None
        if any(re.search(r"\[|\*\*\*|___", s) for s in F + Im) or side_clash(F, Im):
            return None
        detail = f"unmodified IU {r['uid']}"
    elif kind == "missing_section":
        mode = rng.choice(["impression_absent", "impression_empty", "findings_empty"])
        if mode == "findings_empty":
            F = []
        elif mode == "impression_empty":
            Im = []
        else:
            Im = None
        detail = {
            "impression_absent": "IMPRESSION section removed",
            "impression_empty": "IMPRESSION emptied, header kept",
            "findings_empty": "FINDINGS emptied, header kept",
        }[mode] + f" (IU {r['uid']})"
    elif kind == "laterality_conflict":
        top = [x for x in cands if x[0]] or cands
        keeps, sec, ai, side, g = rng.choice(top)
        A = Im if sec == "Im" else F
        new = OPP[side]
        A[ai] = SIDE_RE.sub(lambda m: new.capitalize() if m.group(0)[0].isupper() else new, A[ai])
        detail = f"{g}: side changed {side}->{new} in {'IMPRESSION' if sec == 'Im' else 'FINDINGS'} (IU {r['uid']})"
    elif kind == "negation_conflict":
        top = [x for x in cands if x[0]] or cands
        _, sec, ai, g = rng.choice(top)
        neg = rng.choice(IU_NEG[g])
        if g in ("atelectasis",) or neg == "Lungs are clear.":
            neg = neg if sec == "Im" else neg
        A = Im if sec == "Im" else F
        old = A[ai]
        A[ai] = neg
        detail = f"{'IMPRESSION' if sec == 'Im' else 'FINDINGS'} sentence '{old}' replaced by '{neg}' (IU {r['uid']})"
    elif kind == "impression_omits_finding":
        mode, g, keep = rng.choice(cands)
        if mode == "normal" or rng.random() < 0.35:
            Im = [rng.choice(NORMAL_IMPR)]
            mode = "normal macro"
        else:
            Im = keep
            mode = "others kept"
        if any(words_in(s, IU_SYN[g]) for s in Im):
            return None
        detail = f"{g} affirmed in FINDINGS, left out of IMPRESSION ({mode}; IU {r['uid']})"
    elif kind == "placeholder":
        typ, fi = rng.choice(cands)
        s = F[fi]
        if typ == "measure":
            tok = rng.choice(["XX", "___", "[ ]", "**"])
            s2 = re.sub(r"\b\d+(\.\d+)? ?(mm|cm)\b", lambda m: tok + " " + m.group(2), s, count=1)
        elif typ == "side":
            tok = rng.choice(["[LEFT/RIGHT]", "[side]", "***", "<side>"])
            s2 = SIDE_RE.sub(tok, s, count=1)
        else:
            word = re.search(r"\b(small|moderate|mild|large)\b", s, re.I).group(1).lower()
            scale = "[mild/moderate/severe]" if word == "mild" else "[small/moderate/large]"
            tok = rng.choice(["[***]", "<grade>", scale, scale])
            s2 = re.sub(r"\b(small|moderate|mild|large)\b", tok, s, count=1, flags=re.I)
        if s2 == s:
            return None
        F[fi] = cap(s2) if not s2.startswith(("[", "<", "*")) else s2
        detail = f"FINDINGS '{s}' -> '{F[fi]}' (IU {r['uid']})"
    return F, Im, detail


def iu_render(rng, r, F, Im):
    style = rng.choice(["bullets", "prose", "numbered-first"])
    F = [reword(s) if "[" not in s and "<" not in s else s for s in F]
    Im2 = None if Im is None else [s for s in Im]
    ind = r["ind"] or "None given."
    cmp_ = r["cmp"] or "None."
    head = rng.choice(["CHEST, PA AND LATERAL", "EXAM: Chest radiograph 2 views", "XR CHEST 2V"])
    out = [head, f"Clinical history: {ind}", f"Comparison: {cmp_}", ""]
    fh, ih = ("FINDINGS:", "IMPRESSION:") if rng.random() < 0.6 else ("Findings:", "Impression:")
    if style == "bullets":
        out += [fh] + [f"- {s}" for s in F]
    else:
        out += [fh, " ".join(F)]
    out.append("")
    if Im2 is not None:
        out.append(ih)
        if Im2:
            if len(Im2) > 1 and style != "prose":
                if rng.random() < 0.3:
                    Im2 = Im2[1:] + Im2[:1]  # another order
                out += [f"{k}. {s}" for k, s in enumerate(Im2, 1)]
            else:
                out.append(" ".join(Im2))
    text = re.sub(r"\s+\.", ".", "\n".join(out)).replace("..", ".")
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def verify_iu(kind, r, F, Im, det):
    """Check in code that the injected error is really there."""
    ftxt, itxt = " ".join(F).lower(), " ".join(Im or []).lower()
    if kind is None:
        return bool(F) and bool(Im)
    if kind == "missing_section":
        return not F or not Im
    if kind == "laterality_conflict":
        m = re.search(r"side changed (\w+)->(\w+) in (\w+)", det)
        old, new, sec = m.groups()
        changed, other = (itxt, ftxt) if sec == "IMPRESSION" else (ftxt, itxt)
        return re.search(r"\b" + new + r"\b", changed) is not None and re.search(r"\b" + old + r"\b", other) is not None
    if kind == "negation_conflict":
        m = re.search(r"replaced by '([^']+)'", det)
        return m is not None and m.group(1).lower() in (itxt if "IMPRESSION sentence" in det else ftxt)
    if kind == "impression_omits_finding":
        g = det.split()[0]
        return not words_in(itxt, IU_SYN[g]) and any(GROUPS[g].search(s) and affirmed(s) for s in F)
    if kind == "placeholder":
        return any(t in ftxt for t in ("[", "<side>", "<grade>", "***", "xx ", "___ ", "** "))
    return False


# --------------------------------------------------------------------------------------------
def build(seed, shared):
    rng = random.Random(seed)
    iu, dev = load_iu(shared)
    rng.shuffle(iu)
    # theme: prefer reports that place findings on both sides
    both = [
        r
        for r in iu
        if SIDE_RE.search(" ".join(r["F"]))
        and re.search(r"\bleft\b", " ".join(r["F"] + r["Im"]), re.I)
        and re.search(r"\bright\b", " ".join(r["F"] + r["Im"]), re.I)
    ]
    rest = [r for r in iu if r not in both]
    used = set()
    rows = []
    plan = [(None, N_CLEAN // 2)] + [(k, PER_KIND // 2) for k in KINDS]
    for kind, n in plan:
        # composed
        for _ in range(n):
            rep, det = compose(rng, kind)
            rows.append({"injected": kind, "detail": det, "report": rep})
        # IU
        got = 0
        pools = [both, rest] if kind in (None, "missing_section", "placeholder") else [both + rest]
        for pool in pools:
            for r in pool:
                if got >= n or (kind is None and pool is both and got >= n * 0.6):
                    break
                if r["uid"] in used or r["uid"] in dev:
                    continue
                res = iu_inject(rng, r, kind)
                if res is None:
                    continue
                F, Im, det = res
                if not verify_iu(kind, r, F, Im, det):
                    continue
                used.add(r["uid"])
                rows.append({"injected": kind, "detail": det, "report": iu_render(rng, r, F, Im), "_uid": r["uid"]})
                got += 1
        if got < n:
            raise RuntimeError(f"only {got} IU reports for {kind}")
    rng.shuffle(rows)
    out = []
    for k, row in enumerate(rows):
        h = hashlib.sha1(f"{seed}|{k}|{row['report']}".encode()).hexdigest()[:16]
        out.append(
            {
                "id": f"h30-{h}",
                "injected": row["injected"],
                "detail": row["detail"],
                "report": row["report"],
                "_uid": row.get("_uid"),
            }
        )
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=30)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    rows = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in ("id", "injected", "detail", "report")}) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {kind} | {r['detail']}\n{r['report']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
