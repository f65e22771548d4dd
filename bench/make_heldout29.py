"""Held-out report-check set no. 29: check films after procedures and special chest views.

Written blind: without reading the checker, its tests, its docs or any other held-out generator.

Styles: portable check films after a central line, PICC, pacemaker, chest drain, thoracentesis, lung
biopsy, bronchoscopy, NG tube or intubation, answering "?pneumothorax post procedure", with tube and
line positions given beside the lungs; special views (inspiratory/expiratory pair, lateral decubitus,
apical lordotic, rib series with a PA chest, supine trauma film in resus, single lateral, on-table film
from theatre) with the limits of the view stated. Half of each group is composed from the phrase bank
below, half are real IU (Open-i) reports re-laid-out as such requests (dev uids excluded). A device's
position alone is never an error here; a pneumothorax on a check film that the impression leaves out is
an omission.

usage: python -m bench.make_heldout29 OUT.jsonl --seed S [--show N]
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

OPP = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT"}
SIDE_RE = re.compile(r"\b(right|left|Right|Left|RIGHT|LEFT)\b")

# words that name each significant finding in any wording (used to prove an omission)
SYN = {
    "pneumothorax": r"pneumothora|\bptx\b|pleural (air|separation)|lung edge|\bair\b",
    "effusion": r"effusion|pleural fluid|\bfluid\b|hydrothorax|haemothorax|hemothorax|costophrenic|pleural",
    "consolidation": r"consolidat|airspace|air space|pneumoni|infiltrat|opaci|air bronchogram|infect",
    "oedema": r"o?edema|congest|failure|overload|septal|kerley|venous diversion|interstitial",
    "nodule": r"nodul|mass|lesion|neoplas|malignan|tumou?r|\bct\b",
    "collapse": r"collapse|atelecta|volume loss|lobe",
    "mediastinum": r"mediastin|aort",
}


def cap(s):
    return s[:1].upper() + s[1:]


# ---------------------------------------------------------------------------------------------- IU


def shared_dir():
    d = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(d) if d else Path(__file__).resolve().parent.parent.parent / "shared"
    if not (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file():
        print(f"IU reports not found under {p}: set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        sys.exit(2)
    return p


def dev_uids(sd):
    f = sd / "eval" / "report_errors_dev.jsonl"
    if not f.is_file():
        return set()
    return {json.loads(line)["uid"] for line in f.open() if line.strip()}


def load_iu(sd):
    excl = dev_uids(sd)
    out = []
    with tarfile.open(sd / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        members = [m for m in t.getmembers() if m.isfile() and m.name.endswith(".xml")]
        members.sort(key=lambda m: int(re.sub(r"\D", "", m.name.rsplit("/", 1)[-1]) or 0))
        for m in members:
            root = ET.fromstring(t.extractfile(m).read())
            uid = root.find("uId").get("id")
            if uid in excl:
                continue
            sec = {}
            for a in root.iter("AbstractText"):
                sec[a.get("Label", "").upper()] = " ".join((a.text or "").split())
            f, i = sec.get("FINDINGS", ""), sec.get("IMPRESSION", "")
            if len(f) < 30 or len(i) < 5:
                continue
            out.append({"uid": uid, "findings": f, "impression": i,
                        "indication": sec.get("INDICATION", ""), "comparison": sec.get("COMPARISON", "")})
    return out


def sentences(text):
    return [s for s in re.split(r"(?<=[.;])\s+(?=[A-Z0-9])", text) if s.strip()]


NEGW = re.compile(r"\b(no|not|without|negative|free|clear|resolv\w*|improv\w*|possib\w*|may|could|cannot|"
                  r"question|small|trace|tiny|minimal|mild|stable|unchanged|chronic|old|prior|healed|likely|"
                  r"versus|vs|or|atelectasis|scar\w*|clear\w*|probabl\w*|suspect\w*|interval|decreas\w*|"
                  r"resolution|removed|less|low)\b", re.I)
IU_SIG = {
    "pneumothorax": r"pneumothorax",
    "consolidation": r"consolidation|airspace disease|air space disease",
    "oedema": r"pulmonary edema|interstitial edema|vascular congestion",
    "effusion": r"(moderate|large)\b[^.]*effusion",
    "nodule": r"\bmass\b",
}
NORMAL_IMP = re.compile(r"^(\d\.\s*)?(no acute|normal chest|negative|no active|no evidence of acute|"
                        r"no radiographic evidence of acute|no acute cardiopulmonary)[^.]*\.?$", re.I)


def iu_sig_finding(findings):
    for s in sentences(findings):
        if NEGW.search(s):
            continue
        for g, rx in IU_SIG.items():
            if re.search(rx, s, re.I):
                return g, s
    return None


IU_EXAMS = [
    ("XR CHEST PA AND LATERAL", "PA and lateral views."),
    ("CHEST 2 VIEWS (PA/LAT)", "Erect PA and left lateral projections."),
    ("RADIOGRAPH CHEST, 2 VIEWS", "Frontal and lateral views of the chest."),
    ("CXR - PA + LATERAL", "Standard PA and lateral radiographs, inspiration adequate."),
]


def iu_reword(text, rng):
    if rng.random() < 0.5:
        text = re.sub(r"\bcardiopulmonary abnormality\b", "cardiopulmonary process", text)
        text = re.sub(r"\bThe lungs are clear\b", "Lungs are clear", text)
        text = re.sub(r"\bThere is no\b", "No", text)
    return text


def iu_layout(r, rng, findings, impression, drop=None):
    exam, tech = rng.choice(IU_EXAMS)
    ind = r["indication"] or "Not given."
    comp = r["comparison"] or "None."
    st = rng.randrange(3)
    lines = []
    if st == 0:
        lines += [f"EXAM: {exam}", f"REASON FOR EXAM: {ind}", f"TECHNIQUE: {tech}", f"COMPARISON: {comp}", ""]
        fh, ih = "FINDINGS:", "IMPRESSION:"
    elif st == 1:
        lines += [f"Examination: {exam}", f"Clinical details: {ind}", f"Comparison: {comp}", ""]
        fh, ih = "Findings:", "Impression:"
    else:
        lines += [f"{exam}   (requested as routine pre-procedure film)", f"History: {ind}",
                  f"Views: {tech} Prior: {comp}", ""]
        fh, ih = "FINDINGS", "IMPRESSION"
    if drop != "findings":
        lines += [fh if not findings or st == 2 else f"{fh} {findings}"] + ([findings] if findings and st == 2 else [])
    if drop != "impression":
        lines += ["", ih if not impression or st == 2 else f"{ih} {impression}"]
        if impression and st == 2:
            lines.append(impression)
    return "\n".join(lines).strip() + "\n"


def iu_case(kind, r, rng):
    """Return (report, detail) or None when this IU report does not suit the kind."""
    f, i = iu_reword(r["findings"], rng), iu_reword(r["impression"], rng)
    if kind is None:
        return iu_layout(r, rng, f, i), "unmodified IU report " + r["uid"]
    if kind == "missing_section":
        how = rng.choice(["empty_imp", "no_imp", "empty_imp"])
        if how == "empty_imp":
            return iu_layout(r, rng, f, ""), "IMPRESSION header left with nothing under it"
        return iu_layout(r, rng, f, i, drop="impression"), "IMPRESSION section removed"
    if kind == "laterality_conflict":
        fs, is_ = set(s.lower() for s in SIDE_RE.findall(f)), set(s.lower() for s in SIDE_RE.findall(i))
        if len(fs) != 1 or fs != is_:
            return None
        side = fs.pop()
        kw = re.compile(r"effusion|opaci|atelecta|consolidat|nodul|pneumo|infiltrat|granulom|airspace|air space|"
                        r"scar|fracture|mass|density", re.I)
        dev = re.compile(r"catheter|line\b|tube|picc|\bij\b|port|pace|lead|drain|clip|atri|ventric|heart|"
                         r"defib|wire|stent|valve|XXXX", re.I)
        for sec in (f, i):
            side_s = [x for x in sentences(sec) if SIDE_RE.search(x)]
            if not side_s or not all(kw.search(x) and not dev.search(x) for x in side_s):
                return None
        if rng.random() < 0.6:
            i2 = SIDE_RE.sub(lambda m: OPP[m.group(0)], i)
            return iu_layout(r, rng, f, i2), f"IMPRESSION side flipped {side}->{OPP[side]}"
        f2 = SIDE_RE.sub(lambda m: OPP[m.group(0)], f)
        return iu_layout(r, rng, f2, i), f"FINDINGS side flipped {side}->{OPP[side]}"
    if kind == "negation_conflict":
        if not NORMAL_IMP.match(i) or iu_sig_finding(f) or re.search(r"\bno (large|significant|sizable|definite|"
                                                                    r"gross|visible|obvious)", f, re.I):
            return None
        opts = []
        if re.search(r"\bno\b[^.]*pneumothorax", f, re.I) and not re.search(r"(?<!no )pneumothorax", f.lower()
                                                                             .replace("no pneumothorax", "")):
            opts.append(("pneumothorax", "Small {s} apical pneumothorax."))
        if re.search(r"\bno\b[^.]*pleural effusion", f, re.I):
            opts.append(("pleural effusion", "Moderate {s} pleural effusion."))
        if re.search(r"\bno\b[^.]*(focal )?(consolidation|airspace)|lungs are clear", f, re.I):
            opts.append(("consolidation", "{S} lower lobe consolidation, likely pneumonia."))
        if not opts:
            return None
        what, tpl = rng.choice(opts)
        s = rng.choice(["right", "left"])
        i2 = tpl.format(s=s, S=cap(s))
        return iu_layout(r, rng, f, i2), f"IMPRESSION replaced by '{i2}' while FINDINGS rule out {what}"
    if kind == "impression_omits_finding":
        hit = iu_sig_finding(f)
        if not hit:
            return None
        g, sent = hit
        rx = re.compile(SYN[g], re.I)
        if not rx.search(i):
            return None  # original impression did not carry it either; keep only clear omissions
        keep = [s for s in sentences(i) if not rx.search(s)]
        keep = [s for s in keep if not NORMAL_IMP.match(s.strip())]
        if keep and not re.search(r"\b\d\.\s", i):
            i2 = " ".join(keep)
            how = "sentences naming it removed from IMPRESSION"
        else:
            i2 = rng.choice(["No acute cardiopulmonary abnormality.", "No acute disease.",
                             "Normal chest radiograph."])
            how = "IMPRESSION replaced by a normal statement"
        if rx.search(i2):
            return None
        return iu_layout(r, rng, f, i2), f"{g} affirmed in FINDINGS ('{sent}'); {how}"
    if kind == "placeholder":
        m = re.search(r"\b\d+(\.\d+)? ?(mm|cm)\b", f)
        if m:
            ph = rng.choice(["XX", "___", "[***]"]) + " " + m.group(2)
            return iu_layout(r, rng, f[:m.start()] + ph + f[m.end():], i), f"measurement replaced by '{ph}'"
        m = re.search(r"\b(mild|moderate|small|large)\b", f, re.I)
        if m and not re.search(r"\b(no|without)\b", f[max(0, m.start() - 25):m.start()], re.I):
            ph = rng.choice(["[mild/moderate/severe]", "[***]", "<grade>"])
            return iu_layout(r, rng, f[:m.start()] + ph + f[m.end():], i), f"grade '{m.group(0)}' replaced by {ph}"
        m = SIDE_RE.search(f)
        if m:
            ph = rng.choice(["[LEFT/RIGHT]", "[***]", "[ ]"])
            return iu_layout(r, rng, f[:m.start()] + ph + f[m.end():], i), f"side '{m.group(0)}' replaced by {ph}"
        m = re.search(r"\b(normal|clear|unremarkable)\b", f)
        if m:
            ph = rng.choice(["<insert>", "[***]", "***"])
            return iu_layout(r, rng, f[:m.start()] + ph + f[m.end():], i), f"'{m.group(0)}' replaced by {ph}"
        return None
    raise ValueError(kind)


# ------------------------------------------------------------------------------------ phrase bank

# procedures: (indication, device findings sentence, device impression sentence); {s}/{S} = side
PROCS = [
    ("post {s} internal jugular CVC insertion. ?pneumothorax",
     "{S} internal jugular central venous catheter, tip projected over the lower SVC.",
     "{S} IJ CVC tip in the SVC.", [0, 1, 7], set()),
    ("{S} subclavian line inserted in ICU, 2 passes. Check position, ?PTX",
     "{S} subclavian central line with the tip at the cavoatrial junction.",
     "{S} subclavian line tip at the cavoatrial junction.", [0, 1], set()),
    ("PICC placed via {s} basilic vein, confirm tip position",
     "{S} arm PICC courses normally; tip 2 cm below the carina, in the low SVC.",
     "PICC tip in the low SVC, satisfactory for use.", [0], set()),
    ("post dual chamber pacemaker insertion, ?lead position ?pneumothorax",
     "Dual chamber pacemaker, generator over the {s} upper chest; atrial lead in the right atrial appendage, "
     "ventricular lead at the right ventricular apex. No lead discontinuity.",
     "Pacemaker leads in expected position.", [0, 1, 7], set()),
    ("{s} intercostal drain inserted for pneumothorax, post insertion film",
     "{S} intercostal drain, tip directed towards the {s} apex, side hole within the thorax.",
     "{S} chest drain in situ.", [0, 5], set()),
    ("post {s} ultrasound-guided thoracentesis, 1.2 L drained. ?PTX",
     "Pleural fluid on the {s} much reduced since the pre-procedure film, now only blunting the "
     "costophrenic angle.", "Small residual {s} pleural effusion after drainage.", [0, 1, 2], {"effusion"}),
    ("post CT-guided biopsy of {s} upper lobe lesion, 2 hour film",
     "Known {s} upper lobe lesion with a little surrounding ground-glass change from post-biopsy haemorrhage.",
     "Minor post-biopsy haemorrhage around the known {s} upper lobe lesion.", [0, 1], {"lungs", "nodule"}),
    ("post bronchoscopy with transbronchial biopsies ({s} lower lobe). ?pneumothorax", "", "", [0, 1], set()),
    ("NG tube placement, confirm position before feeding",
     "Nasogastric tube passes below the diaphragm with the tip in the gastric body.",
     "NG tube tip in the stomach - safe to use.", [0], set()),
    ("intubated in ED, check ETT",
     "Endotracheal tube tip 4 cm above the carina. Nasogastric tube tip below the diaphragm.",
     "ETT and NGT satisfactorily positioned.", [0, 5, 7], set()),
]
OTHER_IND = [
    ("fall onto {s} side, rib pain, ?fracture ?PTX", [4, 5]),
    ("RTA, restrained driver, resus call", [5]),
    ("{s} pleuritic pain, ?pneumothorax", [1, 0]),
    ("?{s} effusion, dyspnoea", [2]),
    ("persistent {s} apical shadow on previous film", [3]),
    ("cough, fever - patient unable to stand", [6, 0]),
    ("pre-op, fractured neck of femur", [0, 6]),
]

# special views: (exam line, technique/limitation sentence, which findings it suits)
VIEWS = [
    ("CHEST AP PORTABLE, 1 VIEW", "Single AP semi-erect portable view; rotated, lung apices partly obscured by "
     "the patient's chin."),
    ("CHEST PA INSPIRATORY AND EXPIRATORY", "Inspiratory and expiratory PA views obtained for pneumothorax."),
    ("CHEST PA AND {SIDE} LATERAL DECUBITUS", "{S} side down decubitus view added to assess free pleural fluid."),
    ("CHEST APICAL LORDOTIC VIEW", "Apical lordotic projection for the lung apices; the bases are not "
     "assessed on this view."),
    ("{SIDE} RIBS 3 VIEWS WITH PA CHEST", "Rib series with PA chest. Ribs below the diaphragm not fully assessed."),
    ("TRAUMA SERIES - CHEST SUPINE AP (RESUS)", "Supine AP trauma film: a small anterior pneumothorax or "
     "layering effusion may not be visible on this projection."),
    ("CHEST LATERAL VIEW ONLY", "Single lateral view only - the frontal was not obtained; sides cannot be "
     "fully separated on this projection."),
    ("INTRAOPERATIVE CHEST RADIOGRAPH (THEATRE 6)", "On-table AP film, patient supine under drapes; "
     "overlying monitoring leads and the table degrade detail."),
]

# findings: key -> (group, significant, sided, findings text, impression text)
FIND = {
    "ptx_small": ("pneumothorax", True, True,
                  "Small {s} apical pneumothorax, apical pleural separation {n} mm, more conspicuous on expiration.",
                  "Small {s} apical pneumothorax."),
    "ptx_mod": ("pneumothorax", True, True,
                "{S} pneumothorax with the visceral pleural line {c} cm from the lateral chest wall at the "
                "level of the hilum. No mediastinal shift.",
                "Moderate {s} pneumothorax, no tension."),
    "eff_mod": ("effusion", True, True,
                "Moderate {s} pleural effusion, {layer}.",
                "Moderate {ff}{s} pleural effusion."),
    "consol": ("consolidation", True, True,
               "Consolidation in the {s} lower lobe with air bronchograms.",
               "{S} lower lobe consolidation, in keeping with pneumonia."),
    "collapse": ("collapse", True, True,
                 "Triangular opacity with loss of the {s} hemidiaphragm contour and hilar depression: {s} "
                 "lower lobe collapse.",
                 "{S} lower lobe collapse - ?mucus plugging."),
    "oedema": ("oedema", True, False,
               "Upper lobe venous diversion, septal lines and perihilar haze, consistent with interstitial {oed}.",
               "Pulmonary {oed}."),
    "nodule": ("nodule", True, True,
               "{m} mm rounded nodule in the {s} upper zone, projected clear of the ribs on this view.",
               "{m} mm {s} upper zone nodule; CT chest recommended."),
    "wide_med": ("mediastinum", True, False,
                 "The mediastinum measures 9.5 cm at the aortic knuckle, wide even allowing for the AP "
                 "projection.",
                 "Widened mediastinum - CT aortogram advised."),
    "eff_small": ("smalleff", False, True,
                  "Small {s} pleural effusion blunting the costophrenic angle.",
                  "Small {s} effusion."),
    "atel": ("atel", False, True, "Plate atelectasis at the {s} base.", "Minor {s} basal atelectasis."),
    "surg_emph": ("emph", False, True, "Surgical emphysema in the {s} chest wall soft tissues.",
                  "{S} chest wall surgical emphysema."),
    "rib_fx": ("rib", False, True, "Acute fractures of the {s} {k}th and {k1}th ribs laterally, minimally "
               "displaced.", "{S} {k}th and {k1}th rib fractures."),
    "cardio_mild": ("heart", False, False, "Mild cardiomegaly.", "Mild cardiomegaly."),
}
NEG = {
    "pneumothorax": "No pneumothorax.",
    "effusion": "No pleural effusion.",
    "lungs": "The lungs are clear.",
    "heart": "Heart size is normal.",
    "mediastinum": "Mediastinal contours are normal.",
}
# affirmed statements used when impression contradicts a negative finding sentence
AFFIRM = {
    "pneumothorax": "Small {s} apical pneumothorax.",
    "effusion": "Moderate {s} pleural effusion.",
    "lungs": "{S} lower lobe consolidation.",
    "heart": "Cardiomegaly.",
    "mediastinum": "Widened mediastinum.",
}
DEID = ["___ year old {sex} ", "{sex_cap}, age ___, ", ""]


def fill(t, p):
    return t.format(**p)


def compose(kind, rng):
    proc = rng.random() < 0.6
    side = rng.choice(["right", "left"])
    p = {"s": side, "S": cap(side), "SIDE": side.upper(), "n": rng.choice([6, 8, 10, 12, 15]),
         "c": rng.choice([2, 3, 4]), "m": rng.choice([7, 8, 9, 11, 12, 14, 18]), "k": rng.choice([5, 6, 7, 8]),
         "oed": rng.choice(["edema", "oedema"])}
    p["k1"] = p["k"] + 1
    sex = rng.choice(["M", "F", "man", "woman"])
    pre = rng.choice(DEID).format(sex=sex, sex_cap=cap(sex))
    covers = set()
    if proc:
        ind, dev_f, dev_i, vw, covers = rng.choice(PROCS)
    else:
        ind, vw = rng.choice(OTHER_IND)
        dev_f = dev_i = ""
    vi = rng.choice(vw)
    if vi == 6 and kind == "laterality_conflict":
        vi = 0
    exam, tech = VIEWS[vi]
    p["ff"] = "free-flowing " if vi == 2 else ""
    p["layer"] = ("which layers freely on the decubitus view, not loculated" if vi == 2
                  else "with a meniscus reaching the mid zone")
    ind, dev_f, dev_i, exam, tech = (fill(x, p) for x in (ind, dev_f, dev_i, exam, tech))
    ind = pre + ind if pre and rng.random() < 0.5 else ind
    asks_ptx = bool(re.search(r"ptx|pneumothorax", ind, re.I))

    # choose findings (each has its own side for variety, but laterality target uses the main side)
    pool = [k for k in FIND if FIND[k][0] not in covers and not (covers & {"effusion"} and FIND[k][0] == "smalleff")]
    if vi == 6:
        pool = ["oedema", "cardio_mild"]
    elif vi == 3:
        pool = ["ptx_small", "ptx_mod", "nodule", "surg_emph"]
    if vi not in (0, 5):
        pool = [k for k in pool if k != "wide_med"]
    chosen = []
    need_sig = kind == "impression_omits_finding"
    if need_sig:
        chosen.append(rng.choice([k for k in pool if FIND[k][1]]))
    for _ in range(rng.choice([0, 1, 1, 2])):
        k = rng.choice(pool)
        if k not in chosen and FIND[k][0] not in {FIND[c][0] for c in chosen}:
            chosen.append(k)
    other = [k for k in pool if not FIND[k][1] and FIND[k][0] not in {FIND[c][0] for c in chosen}]
    want_list = need_sig and rng.random() < 0.55
    if want_list and other and not any(not FIND[c][1] for c in chosen):
        chosen.append(rng.choice(other))
    if kind == "laterality_conflict" and not any(FIND[c][2] for c in chosen):
        chosen.append(rng.choice([k for k in pool if FIND[k][2] and k not in chosen
                                  and FIND[k][0] not in {FIND[c][0] for c in chosen}]))
    groups = {FIND[c][0] for c in chosen}
    if "pneumothorax" in groups and "ptx_mod" in chosen and "ptx_small" in chosen:
        chosen.remove("ptx_small")
    f_sents, i_sents = [], []
    if dev_f:
        f_sents.append(dev_f)
    if dev_i:
        i_sents.append(dev_i)
    fi = {}
    for c in chosen:
        g, sig, sided, ft, it = FIND[c]
        fi[c] = (fill(ft, p), fill(it, p))
        f_sents.append(fi[c][0])
    negs = []
    groups |= covers
    if "pneumothorax" not in groups:
        negs.append("pneumothorax")
    if not groups & {"effusion", "smalleff"} and vi != 3:
        negs.append("effusion")
    if not groups & {"consolidation", "collapse", "oedema", "nodule", "atel", "pneumothorax"}:
        negs.append("lungs")
    if not groups & {"heart", "oedema"}:
        negs.append("heart")
    if "mediastinum" not in groups and "TRAUMA" in exam:
        negs.append("mediastinum")
    f_sents += [NEG[n] for n in negs]

    detail = "composed, consistent"
    imp_extra = []  # impression sentences for findings
    for c in chosen:
        if FIND[c][1] or rng.random() < 0.6 or (want_list and c != chosen[0]):
            imp_extra.append(fi[c][1])
    tail = []
    if asks_ptx and "pneumothorax" not in groups:
        tail.append(rng.choice(["No pneumothorax.", "No pneumothorax post procedure." if proc else "No pneumothorax.",
                                "In answer to the clinical question, no pneumothorax."]))
    if not imp_extra and not tail and not dev_i:
        tail.append(rng.choice(["No acute cardiopulmonary abnormality.", "No acute findings."] +
                               ([] if chosen else ["Normal chest for the view obtained."])))

    if kind == "laterality_conflict":
        c = next(c for c in chosen if FIND[c][2])
        if c not in [x for x in chosen if fi[x][1] in imp_extra]:
            imp_extra.append(fi[c][1])
        p2 = dict(p, s=OPP[side], S=cap(OPP[side]), SIDE=OPP[side].upper())
        flipped = fill(FIND[c][4], p2)
        if rng.random() < 0.7:
            imp_extra[imp_extra.index(fi[c][1])] = flipped
            detail = f"{c}: FINDINGS {side}, IMPRESSION '{flipped}'"
        else:
            ff = fill(FIND[c][3], p2)
            f_sents[f_sents.index(fi[c][0])] = ff
            detail = f"{c}: FINDINGS '{ff}', IMPRESSION {side}"
    elif kind == "negation_conflict":
        aff = [c for c in chosen if FIND[c][1]]
        if aff and rng.random() < 0.5:
            c = aff[0]
            g = FIND[c][0]
            imp_extra = [x for x in imp_extra if x != fi[c][1]]
            neg = {"pneumothorax": "No pneumothorax.", "effusion": "No pleural effusion.",
                   "consolidation": "Lungs clear.", "collapse": "Lungs are clear and fully expanded.",
                   "oedema": f"No pulmonary {p['oed']}.", "nodule": "No lung nodule or mass.",
                   "mediastinum": "Normal mediastinal width."}[g]
            tail = [neg] + [t for t in tail if "pneumothorax" not in t or g != "pneumothorax"]
            detail = f"{c} affirmed in FINDINGS, IMPRESSION says '{neg}'"
        else:
            if not negs:
                return compose(kind, rng)
            n = rng.choice(negs)
            a = fill(AFFIRM[n], p)
            tail = [t for t in tail if not (n == "pneumothorax" and "pneumothorax" in t)]
            if n == "pneumothorax" and not tail and not imp_extra and not dev_i:
                tail = []
            imp_extra.append(a)
            tail = [t for t in tail if "No acute" not in t and "Normal chest" not in t]
            detail = f"FINDINGS '{NEG[n]}', IMPRESSION '{a}'"
    elif kind == "impression_omits_finding":
        c = chosen[0]
        g = FIND[c][0]
        imp_extra = [x for x in imp_extra if x != fi[c][1]]
        if not want_list or not imp_extra:
            # pasted normal macro
            imp_extra = []
            tail = [rng.choice(["No acute cardiopulmonary abnormality.", "No acute findings.",
                                "Normal appearances for the view obtained.",
                                "Satisfactory post procedure film." if proc else "No acute findings."])]
            how = "normal macro impression"
        else:
            tail = [t for t in tail if g != "pneumothorax"]
            how = "impression lists other findings"
        if g == "pneumothorax":
            tail = [t for t in tail if "pneumothorax" not in t]
        detail = f"{c} ('{fi[c][0]}') left out of IMPRESSION; {how}"

    impression = i_sents + imp_extra + tail
    if kind == "impression_omits_finding" and not impression:
        impression = ["No acute findings."]
    findings = f_sents
    if rng.random() < 0.6:
        findings = [tech] + findings

    ph_detail = None
    if kind == "placeholder":
        findings, impression, ph_detail = put_placeholder(findings, impression, rng, p)
        detail = ph_detail

    # layout
    st = rng.randrange(4)
    comp = rng.choice(["None.", "Pre-procedure film of the same day." if proc else "None.", "___",
                       "CXR 2 days earlier.", "No prior imaging available."])
    if comp == "___":
        comp = "Chest film ___ (outside hospital)."
    signer = rng.choice(["", "", "Discussed with Dr. ___ by phone at ___.", "Reported by: ___, Consultant Radiologist"])
    numbered = rng.random() < 0.5 and len(impression) > 1
    imp_txt = "\n".join(f"{j + 1}. {s}" for j, s in enumerate(impression)) if numbered else " ".join(impression)
    f_txt = " ".join(findings)
    if kind == "missing_section":
        how = rng.choice(["empty_imp", "no_imp", "empty_find", "empty_imp"])
        if how == "empty_imp":
            imp_txt = ""
            detail = "IMPRESSION header left empty"
        elif how == "no_imp":
            imp_txt = None
            detail = "IMPRESSION section absent"
        else:
            f_txt = ""
            detail = "FINDINGS header left empty"
    if st == 0:
        head = [f"EXAM: {exam}", f"CLINICAL HISTORY: {ind}", f"COMPARISON: {comp}", ""]
        fh, ih, sep = "FINDINGS:", "IMPRESSION:", " "
    elif st == 1:
        head = [f"Examination: {exam}", f"Clinical details: {ind}.", f"Comparison: {comp}", ""]
        fh, ih, sep = "Findings:", "Impression:", "\n"
    elif st == 2:
        head = [f"Request: {ind}", f"Examination: {exam}", ""]
        fh, ih, sep = "FINDINGS", "IMPRESSION", "\n"
    else:
        head = [f"{exam} -- {ind}", ""]
        fh, ih, sep = "Findings:", "IMPRESSION:", " "
    out = head + [fh + (sep + f_txt if f_txt else "")]
    if imp_txt is not None:
        s2 = "\n" if numbered else sep
        out += ["", ih + (s2 + imp_txt if imp_txt else "")]
    if signer:
        out += ["", signer]
    return "\n".join(out) + "\n", detail, (f_txt, imp_txt, chosen, fi)


def put_placeholder(findings, impression, rng, p):
    opts = []
    for j, s in enumerate(findings):
        for rx, ph in [(r"\b\d+ cm below the carina", "___ cm below the carina"),
                       (r"\b4 cm above the carina", "XX cm above the carina"),
                       (r"separation \d+ mm", "separation ___ mm"), (r"^\d+ mm rounded", "XX mm rounded"),
                       (r"\b\d+ cm from the lateral", "[***] cm from the lateral"),
                       (r"^(Small|Moderate) ", "[small/moderate/large] "),
                       (r"\b(right|left) (internal jugular|subclavian|intercostal|upper|lower|base|apical)",
                        "[LEFT/RIGHT] \\2"),
                       (r"^(Right|Left) ", "[***] ")]:
            if re.search(rx, s):
                opts.append((j, rx, ph))
    if not opts:
        j = len(findings)
        findings = findings + [rng.choice(["Heart size: <insert>.", "Lines and tubes: [***].",
                                           "Costophrenic angles: [ ]."])]
        return findings, impression, f"unfilled template line added: '{findings[-1]}'"
    j, rx, ph = rng.choice(opts)
    new = re.sub(rx, ph, findings[j], count=1)
    findings = findings[:j] + [new] + findings[j + 1:]
    return findings, impression, f"FINDINGS blank left: '{new}'"


# ------------------------------------------------------------------------------------ checks


def sections(report):
    m = re.search(r"(?im)^(FINDINGS|Findings):?(.*?)(?=^\s*(IMPRESSION|Impression):?|\Z)", report, re.S)
    n = re.search(r"(?im)^(IMPRESSION|Impression):?(.*?)(?=^\s*(Discussed|Reported)|\Z)", report, re.S)
    return (m.group(2).strip() if m else None), (n.group(2).strip() if n else None)


def verify(case):
    kind, rep, det = case["injected"], case["report"], case["detail"]
    f, i = sections(rep)
    assert f is not None or kind == "missing_section", rep
    if kind != "placeholder":
        assert not re.search(r"\[\*\*\*\]|<insert>|<grade>|\bXX\b|\[ \]|/RIGHT\]|\d+ ?mm\b___|___ (cm|mm)", rep), rep
    if kind == "missing_section":
        assert not f or not i, rep
    else:
        assert f and i, rep
    if kind == "laterality_conflict":
        assert set(x.lower() for x in SIDE_RE.findall(f)) != set(x.lower() for x in SIDE_RE.findall(i)) or \
            "IMPRESSION '" in det or "FINDINGS '" in det, rep
    if kind == "impression_omits_finding":
        g = next((g for g in SYN if g in det.split(" ")[0] or det.startswith(g)), None)
        key = det.split(" ")[0]
        if key in FIND:
            g = FIND[key][0]
        assert g and not re.search(SYN[g], i, re.I), (g, rep)
    if kind == "placeholder":
        assert re.search(r"\[\*\*\*\]|\*\*\*|<insert>|<grade>|\bXX\b|\[ \]|\[[A-Za-z]+/[A-Za-z/]+\]|___ (cm|mm)"
                         r"|\[small/", rep), rep


# ------------------------------------------------------------------------------------ main


def build(seed):
    sd = shared_dir()
    iu = load_iu(sd)
    rng = random.Random(seed)
    order = iu[:]
    rng.shuffle(order)
    used = set()
    cases = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        half = n // 2
        for _ in range(half):
            for _try in range(200):
                rep, det, _ = compose(kind, rng)
                c = {"injected": kind, "detail": det, "report": rep}
                try:
                    verify(c)
                except AssertionError:
                    continue
                cases.append(c)
                break
            else:
                raise RuntimeError(f"could not compose {kind}")
        got = 0
        for r in order:
            if got == n - half:
                break
            if r["uid"] in used:
                continue
            res = iu_case(kind, r, rng)
            if not res:
                continue
            c = {"injected": kind, "detail": res[1], "report": res[0]}
            try:
                verify(c)
            except AssertionError:
                continue
            used.add(r["uid"])
            cases.append(c)
            got += 1
        if got != n - half:
            raise RuntimeError(f"only {got} IU reports fit {kind}")
        cases[-1]["_uids"] = None
    for c in cases:
        c.pop("_uids", None)
    rng.shuffle(cases)
    out = []
    for j, c in enumerate(cases):
        h = hashlib.sha1(f"h29|{seed}|{j}|{c['report']}".encode()).hexdigest()[:16]
        out.append({"id": "h29-" + h, "injected": c["injected"], "detail": c["detail"], "report": c["report"]})
    return out, used


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    if not os.environ.get("MEDRAG_SHARED_DIR") and not (Path(__file__).resolve().parent.parent.parent /
                                                         "shared").is_dir():
        print("MEDRAG_SHARED_DIR is not set and ../shared does not exist", file=sys.stderr)
        sys.exit(2)
    cases, _ = build(a.seed)
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps(c) + "\n")
    if a.show:
        for k in [None, *KINDS]:
            for c in [c for c in cases if c["injected"] == k][: a.show]:
                print(f"=== {k} | {c['detail']}\n{c['report']}")


if __name__ == "__main__":
    main()
