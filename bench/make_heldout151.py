"""Held-out report-error set 151: chest X-ray reports in the style of US Southwest hospitals.

Arizona, New Mexico, west Texas and the border region: valley fever (coccidioidomycosis) nodules and
cavities, community-acquired pneumonia, heat and trauma cases from the ED, COPD and heart failure in the
elderly, a bilingual patient population. Half of every group is composed from a phrase bank, half is real
IU reports re-laid out in the setting's templates. Written blind (without seeing the checker).

usage: python -m bench.make_heldout151 OUT.jsonl --seed S [--show N]
"""
from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import sys
import tarfile
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN, N_KIND = 200, 40
REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


# ----------------------------------------------------------------------------------------------- IU data
def load_dev_uids(shared: Path) -> set[str]:
    uids = set()
    with open(shared / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            if line.strip():
                uids.add(str(json.loads(line)["uid"]))
    return uids


_LABEL = re.compile(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', re.S)


def load_iu(shared: Path) -> list[dict]:
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf:
            if not m.name.endswith(".xml"):
                continue
            text = tf.extractfile(m).read().decode("utf-8", "replace")
            uid = re.search(r'<uId id="([^"]+)"', text)
            if not uid:
                continue
            sec = {k: html.unescape(v).strip() for k, v in _LABEL.findall(text)}
            out.append({"uid": uid.group(1), "findings": sec.get("FINDINGS", ""),
                        "impression": sec.get("IMPRESSION", ""), "indication": sec.get("INDICATION", ""),
                        "comparison": sec.get("COMPARISON", "")})
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return out


def sents(text: str) -> list[str]:
    text = re.sub(r"\s*\.(\s*\.)+", ".", text.strip())
    text = re.sub(r"\s+", " ", text)
    parts = re.split(r"(?<=\.)\s+(?=[A-Z0-9])", text)
    out = []
    for p in parts:
        p = re.sub(r"^\d+\.\s*", "", p).strip()
        if p and p != ".":
            out.append(p if p.endswith(".") else p + ".")
    return out


SIDE = re.compile(r"\b(right|left)\b", re.I)
RISK = re.compile(r"effusion|opacit|pneumothora|consolidat|edema|infiltrat|atelecta|nodul|\bmass|cardiomegaly|"
                  r"enlarg|pneumonia|fractur|airspace|congest|widen|free air|hyperinfl|hyperexpan|emphysem|scar|"
                  r"fibros|granulom|calcif|degenerat|tortuous|spondyl|blunt|densit|cavit|lesion|sternotomy|clip|"
                  r"catheter|tube|pacer|pacemaker|hernia|elevat|prominen|ectatic|kyphos|scolios|thicken|deformit|"
                  r"healed|\bold\b|chronic|copd|interstitial|markings|surgical|postoperative|xxxx", re.I)
ACUTE = re.compile(r"effusion|opacit|pneumothora|consolidat|edema|infiltrat|nodul|\bmass|pneumonia|fractur|"
                   r"airspace|congest|widen|cavit|lesion|cardiomegaly|enlarg", re.I)
NEGSTART = re.compile(r"^(there is |there are |there has been )?(no|without|negative)\b", re.I)
HEDGE = re.compile(r"\b(but|however|although|except|aside|otherwise|mild|small|minimal|trace)\b", re.I)
BENIGN = re.compile(r"granulom|degenerat|spondyl|tortuous|calcified|atherosclero", re.I)
NORMAL_IMP = re.compile(r"^(no acute|no active|negative|normal|no evidence of (acute|active)|no radiographic evidence|"
                        r"no (focal|cardiopulmonary))", re.I)
NEGWORD = re.compile(r"\b(no|not|without|negative|free of|resolved|resolution|clear|cleared|exclude|excluded|"
                     r"possible|possibly|questionable|may|might|versus|vs|cannot|could|improv\w*|decreas\w*|"
                     r"previously|prior|chronic|old|healed|removed|likely|suggest\w*|concern\w*)\b", re.I)
BLANKISH = re.compile(r"\[|\]|\*\*\*|<<|>>|___|\{")


def normal_findings_sentence(s: str) -> bool:
    if BENIGN.search(s) and not ACUTE.search(s) and not HEDGE.search(s):
        return True
    if SIDE.search(s):
        return False
    if not RISK.search(s):
        return True
    return bool(NEGSTART.search(s)) and not HEDGE.search(s)


def iu_is_normal(r: dict) -> bool:
    fs, im = sents(r["findings"]), sents(r["impression"])
    if not fs or not im or BLANKISH.search(r["findings"] + r["impression"]):
        return False
    if not all(normal_findings_sentence(s) for s in fs):
        return False
    return all(NORMAL_IMP.search(s) and not SIDE.search(s) and not HEDGE.search(s) and "XXXX" not in s for s in im)


SIG_GROUPS = {
    "effusion": re.compile(r"pleural effusion|effusions?\b", re.I),
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "consolidation": re.compile(r"consolidat|airspace disease|airspace opacit|infiltrat|pneumonia", re.I),
    "edema": re.compile(r"\bedema\b|vascular congestion", re.I),
}
SMALLISH = re.compile(r"\b(small|trace|tiny|minimal|blunting|mild|subtle|minimally|slight)\b", re.I)
LAT_GROUPS = {
    "effusion": re.compile(r"effusion", re.I),
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "opacity": re.compile(r"opacit|airspace|consolidat|infiltrat|pneumonia|atelecta", re.I),
    "nodule": re.compile(r"nodul|granulom|\bmass\b", re.I),
}


def iu_sig_finding(r: dict) -> tuple[str, str] | None:
    """(group, sentence) of an affirmed significant finding in FINDINGS, or None."""
    if BLANKISH.search(r["findings"] + r["impression"]):
        return None
    for s in sents(r["findings"]):
        if NEGWORD.search(s) or SMALLISH.search(s) or "XXXX" in s or re.search(r"\bor\b", s) \
                or re.match(r"^(pleural|pneumothora|effusion|focal|consolidat|edema)", s, re.I):
            continue
        for g, rx in SIG_GROUPS.items():
            if rx.search(s):
                return g, s
    return None


def iu_other_benign(r: dict, skip: str) -> list[str]:
    out = []
    for s in sents(r["findings"]):
        if s == skip or "XXXX" in s or NEGWORD.search(s.replace("old", "")):
            continue
        if BENIGN.search(s) and not ACUTE.search(s) and not any(rx.search(s) for rx in SIG_GROUPS.values()):
            out.append(s)
    return out


def iu_lat_candidate(r: dict):
    """(section, index) of a sentence to flip, where the other section states the same side for the same finding."""
    text = r["findings"] + " " + r["impression"]
    sides = {m.lower() for m in SIDE.findall(text)}
    if len(sides) != 1 or BLANKISH.search(text) or re.search(r"bilateral|bibasilar|\bboth\b|greater", text, re.I):
        return None
    fs, im = sents(r["findings"]), sents(r["impression"])
    if not fs or not im:
        return None
    aff = re.compile(r"\b(no|without|negative|resolved|resolution|cleared)\b", re.I)
    for g, rx in LAT_GROUPS.items():
        fi = [i for i, s in enumerate(fs) if SIDE.search(s) and rx.search(s) and not aff.search(s)]
        ii = [i for i, s in enumerate(im) if SIDE.search(s) and rx.search(s) and not aff.search(s)]
        if fi and ii:
            return g, fi[0], ii[0]
    return None


# --------------------------------------------------------------------------------------- setting style
EXAMS_2V = ["XR CHEST 2 VIEWS", "XR CHEST PA AND LATERAL", "CHEST 2V (PA/LAT)", "DX CHEST 2 VIEWS"]
EXAMS_1V = ["XR CHEST 1 VIEW PORTABLE", "XR CHEST AP PORTABLE", "DX CHEST PORTABLE 1V", "CHEST 1V (AP)"]
HIST_HDR = ["CLINICAL HISTORY:", "HISTORY:", "INDICATION:", "REASON FOR EXAM:", "CLINICAL INDICATION:"]
INDICATIONS = [
    "Cough and fever x 1 week after dust storm exposure, r/o valley fever.",
    "Fatigue, night sweats, positive cocci IgM.",
    "Follow-up coccidioidomycosis.",
    "ED: heat exhaustion, altered mental status, r/o aspiration.",
    "ED: heat stroke, found outdoors, hypoxic.",
    "MVC rollover, chest wall pain.",
    "Fall from standing, chest pain.",
    "ATV accident, trauma survey.",
    "SOB, hx CHF, leg swelling.",
    "COPD exacerbation, wheezing.",
    "Tos y fiebre (cough and fever); history obtained through Spanish interpreter.",
    "Dolor de pecho (chest pain), Spanish-speaking patient.",
    "Shortness of breath, 78 yo with CHF and COPD.",
    "Pre-op evaluation.",
    "Pleuritic chest pain, recent travel from Tucson area.",
    "Dyspnea on exertion.",
    "Fever, productive cough, r/o pneumonia.",
    "Hemoptysis, lives in Central Valley AZ, hx of cocci.",
]
TECHNIQUES = ["PA and lateral views of the chest.", "Frontal and lateral views of the chest were obtained.",
              "Single portable AP view of the chest.", "Upright AP portable view.", "2 views."]
COMPARISONS = ["None.", "None available.", "XXXX.", "Prior chest radiograph dated XXXX.", "Chest x-ray from XXXX.",
               "Outside films not available for comparison.", "CT chest XXXX."]
SIGNOFFS = [
    "Electronically signed by: XXXX, MD\nDate/Time: XXXX",
    "Dictated by: XXXX, MD. Signed XXXX.",
    "This report was dictated using voice recognition software. Minor transcription errors may be present.\n"
    "Electronically signed: XXXX, MD",
    "Attending radiologist: I have personally reviewed the images and agree with the above.\nSigned: XXXX, MD",
    "Reading radiologist: XXXX, MD (teleradiology)\nFinal report.",
    "Signed: ___, MD on XXXX",
]
NORMAL_IMPRESSIONS = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
                      "No acute cardiopulmonary findings.", "No radiographic evidence of acute cardiopulmonary disease.",  # noqa: E501
                      "No acute intrathoracic process."]
FULL_NORMAL = ["Normal chest radiograph.", "Negative chest.", "Normal 2-view chest."]
F_HDR = ["FINDINGS:", "FINDINGS:", "Findings:"]
I_HDR = ["IMPRESSION:", "IMPRESSION:", "IMPRESSION:", "Impression:", "IMPRESSION/RECOMMENDATIONS:"]
LAYOUTS = ["ed_prose", "structured", "numbered", "short"]


def header(rng: random.Random, indication: str, comparison: str, portable: bool) -> list[str]:
    exam = rng.choice(EXAMS_1V if portable else EXAMS_2V)
    lines = [f"EXAM: {exam}"]
    lines.append(f"{rng.choice(HIST_HDR)} {indication}")
    if rng.random() < 0.5:
        lines.append(f"TECHNIQUE: {rng.choice(TECHNIQUES[2:] if portable else TECHNIQUES[:2] + TECHNIQUES[4:])}")
    lines.append(f"COMPARISON: {comparison}")
    return lines


def render(rng, layout, head, findings_lines, impression_items, *, f_hdr=None, i_hdr=None, signoff=None,
           drop=None, empty=None, sig_under=None):
    """Assemble a report. drop: section to remove; empty: section whose header stays with nothing under it;
    sig_under: section header left with only the sign-off under it (impression only)."""
    f_hdr = f_hdr or rng.choice(F_HDR)
    i_hdr = i_hdr or rng.choice(I_HDR)
    signoff = signoff or rng.choice(SIGNOFFS)
    out = list(head) + [""]
    if drop != "findings":
        out.append(f_hdr)
        if empty != "findings":
            out.extend(findings_lines)
        out.append("")
    if sig_under == "impression":
        out += [i_hdr, signoff]
        return "\n".join(out).strip() + "\n"
    if drop != "impression":
        if empty == "impression":
            out += [i_hdr, ""]
        elif layout in ("numbered", "structured") or len(impression_items) > 1:
            out.append(i_hdr)
            out += [f"{i}. {t}" for i, t in enumerate(impression_items, 1)] if len(impression_items) > 1 \
                else impression_items
        else:
            out.append(f"{i_hdr} {impression_items[0]}")
        out.append("")
    out.append(signoff)
    return "\n".join(out).strip() + "\n"


# ------------------------------------------------------------------------------------------ phrase bank
LOBES = {"upper": "upper lobe", "lower": "lower lobe"}
ABBR = {("right", "upper"): "RUL", ("right", "lower"): "RLL", ("left", "upper"): "LUL", ("left", "lower"): "LLL"}


def ent_nodule(rng, side, big=True):
    n = rng.randint(7, 24) if big else rng.randint(3, 5)
    lobe = rng.choice(["upper", "lower"])
    S = side.capitalize()
    f = rng.choice([f"There is a {n} mm noncalcified nodule in the {side} {LOBES[lobe]}.",
                    f"{S} {LOBES[lobe]} nodule measuring {n} mm.",
                    f"Rounded {n} mm nodular opacity projects over the {side} {'upper' if lobe == 'upper' else 'lower'} lung zone."])  # noqa: E501
    if big:
        i = rng.choice([f"{n} mm {side} {LOBES[lobe]} nodule. In this endemic area, coccidioidomycosis (valley fever) "
                        f"is favored; recommend cocci serologies and CT chest.",
                        f"{ABBR[(side, lobe)]} pulmonary nodule ({n} mm), likely coccidioidal granuloma. "
                        f"Recommend non-contrast CT chest for further evaluation.",
                        f"{S} lung nodule, {n} mm, consider valley fever. Follow-up CT chest recommended."])
    else:
        i = rng.choice([f"Tiny {n} mm {side} lung nodule, likely a granuloma.", None])
    return dict(f=f, i=i, sig=big, side=side, tags={"nodule", "lung"}, sys="lungs", name="nodule",
                neg="No pulmonary nodule or mass.")


def ent_cavity(rng, side):
    x = rng.choice(["1.8", "2.2", "2.5", "3.1", "1.6"])
    S = side.capitalize()
    f = rng.choice([f"Thin-walled cavity in the {side} upper lobe measuring {x} cm.",
                    f"{S} upper lobe cavitary lesion measuring {x} cm with a thin smooth wall."])
    i = rng.choice([f"{S} upper lobe thin-walled cavity, compatible with cavitary coccidioidomycosis. "
                    f"Correlate with cocci serologies.",
                    f"{x} cm {side} upper lobe cavity; chronic cavitary valley fever favored over TB or neoplasm. "
                    f"Recommend CT chest."])
    return dict(f=f, i=i, sig=True, side=side, tags={"nodule", "cavity", "lung"}, sys="lungs", name="cavity",
                neg="No cavitary lesion.")


def ent_pneumonia(rng, side):
    lobe = rng.choice(["lower", "upper"])
    S = side.capitalize()
    new = rng.choice(["", "New ", ""])
    f = rng.choice([f"{new or 'There is '}{'p' if new else 'p'}atchy airspace consolidation in the {side} {LOBES[lobe]}.",  # noqa: E501
                    f"{new}{'f' if new else 'F'}ocal airspace opacity in the {side} {lobe} lung zone with air bronchograms.",  # noqa: E501
                    f"{S} {LOBES[lobe]} consolidation."])
    f = f.replace("There is patchy", "There is patchy")
    i = rng.choice([f"{S} {LOBES[lobe]} pneumonia.",
                    f"{ABBR[(side, lobe)]} consolidation, compatible with community-acquired pneumonia. "
                    f"Cocci pneumonia is also a consideration in this region.",
                    f"{S} {lobe} lung airspace disease concerning for pneumonia. Follow-up radiographs in 6-8 weeks "
                    f"to document resolution."])
    return dict(f=f, i=i, sig=True, side=side, tags={"consolidation", "lung"}, sys="lungs", name="pneumonia",
                neg=rng.choice(["No focal consolidation.", "No pneumonia."]))


def ent_effusion(rng, side, big=True):
    size = rng.choice(["Moderate", "Large", "Moderate-sized"]) if big else "Small"
    f = rng.choice([f"{size} {side} pleural effusion.", f"{size} {side} pleural effusion layering posteriorly."])
    if not big and rng.random() < 0.5:
        f = f"Blunting of the {side} costophrenic angle, consistent with a small effusion."
    i = f"{size} {side} pleural effusion." if big else rng.choice([f"Small {side} pleural effusion.", None])
    return dict(f=f, i=i, sig=big, side=side, tags={"effusion"}, sys="pleura", name="effusion",
                neg="No pleural effusion.")


def ent_ptx(rng, side):
    n = rng.choice(["1", "1.5", "2", "3"])
    S = side.capitalize()
    f = rng.choice([f"Small {side} apical pneumothorax measuring approximately {n} cm.",
                    f"{S} pneumothorax with pleural line {n} cm from the apex."])
    i = rng.choice([f"Small {side} apical pneumothorax. Findings discussed with the ED physician at XXXX.",
                    f"{S} pneumothorax, approximately {n} cm."])
    return dict(f=f, i=i, sig=True, side=side, tags={"pneumothorax"}, sys="pleura", name="pneumothorax",
                neg="No pneumothorax.")


def ent_ribs(rng, side):
    k = rng.randint(4, 8)
    f = f"Acute nondisplaced fractures of the {side} {k}th and {k + 1}th ribs laterally."
    i = f"Acute {side} {k}th and {k + 1}th rib fractures."
    return dict(f=f, i=i, sig=False, side=side, tags={"fracture"}, sys="bones", name="rib fractures",
                neg="No acute rib fracture.")


def ent_chf(rng, side=None):
    f = rng.choice(["Cardiomegaly with pulmonary vascular congestion and interstitial edema. "
                    "Small bilateral pleural effusions.",
                    "Enlarged cardiac silhouette. Cephalization of the pulmonary vasculature, Kerley B lines and "
                    "small bilateral pleural effusions, consistent with interstitial edema."])
    i = rng.choice(["Congestive heart failure with interstitial pulmonary edema and small bilateral effusions.",
                    "CHF: cardiomegaly, pulmonary edema and small bilateral pleural effusions."])
    return dict(f=f, i=i, sig=True, side=None, tags={"edema", "heart", "effusion", "lung"}, sys="lungs",
                name="pulmonary edema", neg="No pulmonary edema or vascular congestion.")


def ent_copd(rng, side=None):
    f = rng.choice(["Lungs are hyperinflated with flattening of the hemidiaphragms and increased retrosternal "
                    "airspace.", "Hyperexpanded lungs with flattened diaphragms, consistent with emphysema."])
    i = rng.choice(["Hyperinflation consistent with COPD.", "Emphysematous changes (COPD)."])
    return dict(f=f, i=i, sig=False, side=None, tags={"lung", "copd"}, sys="lungs", name="COPD",
                neg="No hyperinflation.")


def ent_granuloma(rng, side):
    zone = rng.choice(["upper", "mid", "lower"])
    f = rng.choice([f"Calcified granuloma in the {side} {zone} lung.",
                    f"Stable small calcified {side} {zone} lung granuloma."])
    i = rng.choice([None, f"Calcified {side} lung granuloma, sequela of prior granulomatous infection (likely old cocci)."])  # noqa: E501
    return dict(f=f, i=i, sig=False, side=side, tags={"lung", "granuloma"}, sys="lungs", name="granuloma",
                neg="No calcified granuloma.")


def ent_mildcardio(rng, side=None):
    f = rng.choice(["Mild cardiomegaly, unchanged from prior.", "Heart size is mildly enlarged, stable."])
    i = rng.choice(["Stable mild cardiomegaly.", None])
    return dict(f=f, i=i, sig=False, side=None, tags={"heart"}, sys="heart", name="mild cardiomegaly",
                neg="Normal heart size.")


def ent_atelectasis(rng, side):
    f = f"Linear atelectasis at the {side} lung base."
    i = rng.choice([f"{side.capitalize()} basilar subsegmental atelectasis.", None])
    return dict(f=f, i=i, sig=False, side=side, tags={"lung", "atelectasis"}, sys="lungs", name="atelectasis",
                neg="No atelectasis.")


def ent_hilar(rng, side):
    f = f"{side.capitalize()} hilar fullness, suspicious for lymphadenopathy."
    i = (f"{side.capitalize()} hilar adenopathy, which can be seen with coccidioidomycosis; "
         f"contrast-enhanced CT chest recommended.")
    return dict(f=f, i=i, sig=False, side=side, tags={"hilum"}, sys="heart", name="hilar adenopathy",
                neg="No hilar adenopathy.")


def ent_mediastinum(rng, side=None):
    n = rng.choice(["8.5", "9", "9.5", "10"])
    f = f"The mediastinum is widened on this supine AP film, measuring {n} cm at the level of the aortic knob."
    i = rng.choice(["Widened mediastinum in the setting of trauma; CTA chest recommended to exclude aortic injury.",
                    f"Mediastinal widening ({n} cm). Recommend CT angiography of the chest."])
    return dict(f=f, i=i, sig=True, side=None, tags={"mediastinum", "hilum"}, sys="heart",
                name="widened mediastinum", neg="Normal mediastinal contours.", portable=True)


def ent_freeair(rng, side):
    f = f"Free intraperitoneal air beneath the {side} hemidiaphragm."
    i = f"Pneumoperitoneum with free air under the {side} hemidiaphragm. Critical result called to the ED at XXXX."
    return dict(f=f, i=i, sig=True, side=side, tags={"freeair"}, sys="abdomen", name="free air",
                neg="No free air under the diaphragm.")


def ent_spine(rng, side=None):
    f = rng.choice(["Degenerative changes of the thoracic spine.", "Mild thoracic spondylosis."])
    return dict(f=f, i=None, sig=False, side=None, tags={"spine"}, sys="bones", name="spondylosis",
                neg="No degenerative change.")


def ent_devices(rng, side=None):
    n = rng.choice(["3", "4", "4.5", "5"])
    f = f"Endotracheal tube tip {n} cm above the carina. Enteric tube courses below the diaphragm."
    i = "Support devices in appropriate position."
    return dict(f=f, i=i, sig=False, side=None, tags={"device"}, sys="lines", name="devices",
                neg="No support devices.", portable=True)


SIDED = [ent_nodule, ent_cavity, ent_pneumonia, ent_effusion, ent_ptx, ent_ribs, ent_granuloma, ent_atelectasis,
         ent_hilar, ent_freeair]
UNSIDED = [ent_chf, ent_copd, ent_mildcardio, ent_mediastinum, ent_spine, ent_devices]
SIG_MAKERS = [ent_nodule, ent_cavity, ent_pneumonia, ent_effusion, ent_ptx, ent_chf, ent_mediastinum, ent_freeair]
MINOR_MAKERS = [ent_granuloma, ent_atelectasis, ent_copd, ent_mildcardio, ent_spine]

# background normal statements: (system, tags they negate, variants)
BACKGROUND = [
    ("lungs", {"lung", "consolidation", "nodule", "edema", "granuloma", "atelectasis", "copd", "cavity"},
     ["The lungs are clear.", "Lungs are clear bilaterally.", "Clear lungs."]),
    ("lungs", {"consolidation"}, ["No focal consolidation.", "No focal airspace disease."]),
    ("lungs", {"edema"}, ["No pulmonary edema.", "Pulmonary vascularity is normal."]),
    ("pleura", {"effusion", "pneumothorax"}, ["No pleural effusion or pneumothorax.",
                                              "No effusion or pneumothorax."]),
    ("pleura", {"effusion"}, ["No pleural effusion."]),
    ("pleura", {"pneumothorax"}, ["No pneumothorax."]),
    ("heart", {"heart", "mediastinum", "hilum"}, ["Cardiomediastinal silhouette is within normal limits.",
                                                  "Heart and mediastinal contours are normal."]),
    ("heart", {"heart"}, ["Heart size is normal.", "Normal cardiac size."]),
    ("heart", {"mediastinum", "hilum"}, ["Mediastinal and hilar contours are unremarkable."]),
    ("bones", {"fracture"}, ["No acute osseous abnormality.", "No acute fracture identified."]),
    ("abdomen", {"freeair"}, ["No free air under the diaphragm."]),
]
SYS_LABEL = {"lines": "LINES/TUBES", "lungs": "LUNGS", "pleura": "PLEURA", "heart": "HEART/MEDIASTINUM",
             "bones": "BONES/SOFT TISSUES", "abdomen": "UPPER ABDOMEN"}


def choose_background(rng, pos_tags):
    chosen = []
    covered = set()
    for sysname, tags, variants in rng.sample(BACKGROUND, len(BACKGROUND)):
        if tags & pos_tags or tags & covered:
            continue
        if sysname == "abdomen" and rng.random() < 0.7:
            continue
        chosen.append(dict(sys=sysname, tags=tags, f=rng.choice(variants)))
        covered |= tags
    order = ["lines", "lungs", "pleura", "heart", "bones", "abdomen"]
    chosen.sort(key=lambda b: order.index(b["sys"]))
    return chosen


def findings_lines(rng, layout, ents, bg):
    order = ["lines", "lungs", "pleura", "heart", "bones", "abdomen"]
    by_sys = {s: [] for s in order}
    for e in ents:
        by_sys[e["sys"]].append(e["f"])
    for b in bg:
        by_sys[b["sys"]].append(b["f"])
    if layout == "structured":
        return [f"{SYS_LABEL[s]}: {' '.join(by_sys[s])}" for s in order if by_sys[s]]
    flat = [x for s in order for x in by_sys[s]]
    if layout == "short" and len(flat) > 1:
        return [" ".join(flat)]
    if layout == "numbered":
        return flat
    return [" ".join(flat)]


def pick_entities(rng, n_sig, n_minor, sig_pool=None):
    ents, tags = [], set()
    sides_used = {}
    tries = 0
    makers = [(m, True) for m in rng.sample(sig_pool or SIG_MAKERS, len(sig_pool or SIG_MAKERS))]
    minor = [(m, False) for m in rng.sample(MINOR_MAKERS + [ent_ribs, ent_hilar], 7)]
    want = makers[:n_sig] + minor[:n_minor]
    for maker, _sig in want:
        tries += 1
        side = rng.choice(["right", "left"])
        if maker in (ent_nodule, ent_effusion):
            e = maker(rng, side, True)
        elif maker in SIDED:
            e = maker(rng, side)
        else:
            e = maker(rng)
        if (e["tags"] - {"lung"}) & (tags - {"lung"}):
            continue
        ents.append(e)
        tags |= e["tags"]
        if e["side"]:
            sides_used[e["name"]] = e["side"]
    return ents


def flip_side(s: str) -> str:
    def rep(m):
        w = m.group(0)
        tgt = {"right": "left", "left": "right"}[w.lower()]
        return tgt.capitalize() if w[0].isupper() else tgt
    out, n = re.subn(r"\b(right|left)\b", rep, s, flags=re.I)
    if n == 0:
        out = re.sub(r"\b([RL])(UL|LL)\b", lambda m: ("L" if m.group(1) == "R" else "R") + m.group(2), s)
    return out


PH_FORMS = ["[***]", "[ ]", "<<size>>", "___", "XX", "[side]", "<<lobe>>", "[***]", "[RIGHT/LEFT]", "***"]


# ------------------------------------------------------------------------------------------- composed
def composed_case(rng, kind):
    layout = rng.choice(LAYOUTS)
    indication = rng.choice(INDICATIONS)
    comparison = rng.choice(COMPARISONS)
    detail = f"composed ({layout})"
    if kind is None:
        r = rng.random()
        if r < 0.3:
            ents = pick_entities(rng, 0, rng.choice([0, 0, 1]))
        else:
            ents = pick_entities(rng, rng.choice([1, 1, 2]), rng.choice([0, 1]))
    elif kind == "impression_omits_finding":
        ents = pick_entities(rng, 1, 0)
        others = pick_entities(rng, 0, rng.choice([1, 2]))
        others = [o for o in others if not ((o["tags"] - {"lung"}) & (ents[0]["tags"] - {"lung"}))]
        ents = ents + others
    elif kind == "laterality_conflict":
        ents = []
        while not ents:
            ents = [e for e in pick_entities(rng, 1, 0, [m for m in SIG_MAKERS if m in SIDED]) if e["side"]]
        ents += [o for o in pick_entities(rng, 0, 1) if not o["side"] and not (o["tags"] - {"lung"}) & ents[0]["tags"]]
    elif kind == "negation_conflict":
        ents = pick_entities(rng, rng.choice([0, 1]), rng.choice([0, 1]))
    else:
        ents = pick_entities(rng, rng.choice([0, 1, 1]), rng.choice([0, 1]))
    pos = set().union(*[e["tags"] for e in ents]) if ents else set()
    bg = choose_background(rng, pos)
    portable = any(e.get("portable") for e in ents) or rng.random() < 0.25
    imp = [e["i"] for e in ents if e["i"]]
    if not any(e["sig"] for e in ents) and not imp:
        imp = [rng.choice(FULL_NORMAL if not ents else NORMAL_IMPRESSIONS)]
    elif not any(e["sig"] for e in ents) and rng.random() < 0.4:
        imp = [rng.choice(NORMAL_IMPRESSIONS)] + imp
    kw = {}
    if kind == "missing_section":
        r = rng.random()
        if r < 0.3:
            kw["empty"] = "impression"
            detail += "; IMPRESSION header kept with nothing under it"
        elif r < 0.55:
            kw["sig_under"] = "impression"
            detail += "; IMPRESSION header followed only by the sign-off"
        elif r < 0.8:
            kw["drop"] = "impression"
            detail += "; IMPRESSION section removed"
        else:
            kw["empty"] = "findings"
            detail += "; FINDINGS header kept with nothing under it"
    elif kind == "laterality_conflict":
        e = ents[0]
        if rng.random() < 0.5 and e["i"]:
            new = flip_side(e["i"])
            imp = [new if x == e["i"] else x for x in imp]
            detail += f"; impression side flipped for {e['name']} (findings: {e['side']}): {new!r}"
        else:
            e["f"] = flip_side(e["f"])
            detail += f"; findings side flipped for {e['name']} (impression: {e['side']}): {e['f']!r}"
    elif kind == "negation_conflict":
        affirmed = [e for e in ents if e["i"] and e["name"] not in ("spondylosis", "devices")]
        if affirmed and rng.random() < 0.5:
            e = rng.choice(affirmed)
            imp = [e["neg"] if x == e["i"] else x for x in imp]
            detail += f"; impression negates {e['name']} affirmed in findings: {e['neg']!r}"
        else:
            negs = [b for b in bg if b["tags"] & {"effusion", "pneumothorax", "consolidation", "heart", "lung", "edema"}]  # noqa: E501
            b = rng.choice(negs)
            side = rng.choice(["right", "left"])
            t = b["tags"]
            if "effusion" in t:
                claim = f"Small {side} pleural effusion."
            elif "pneumothorax" in t:
                claim = f"Small {side} apical pneumothorax."
            elif "consolidation" in t or "lung" in t:
                claim = f"{side.capitalize()} lower lobe pneumonia."
            elif "heart" in t:
                claim = "Cardiomegaly."
            else:
                claim = "Mild pulmonary edema."
            if imp and re.match(r"^(No acute|Normal|Negative)", imp[0]):
                imp = imp[1:]
            imp = [claim] + imp
            detail += f"; impression asserts {claim!r} against findings {b['f']!r}"
    elif kind == "impression_omits_finding":
        e = ents[0]
        rest = [x["i"] for x in ents[1:] if x["i"]]
        if rng.random() < 0.5 or not rest:
            imp = [rng.choice(NORMAL_IMPRESSIONS)]
            detail += f"; impression replaced by a normal statement, omitting {e['name']}: {e['f']!r}"
        else:
            imp = rest
            detail += f"; impression lists only other findings, omitting {e['name']}: {e['f']!r}"
    fl = findings_lines(rng, layout, ents, bg)
    if kind == "placeholder":
        form = rng.choice(PH_FORMS)
        if rng.random() < 0.5 and len(fl) > 0:
            j = rng.randrange(len(fl))
            words = [m for m in re.finditer(r"\b(clear|normal|pleural|pneumothorax|acute|\d+(\.\d+)?|right|left|"
                                            r"contours|heart|size)\b", fl[j])]
            if words:
                m = rng.choice(words)
                old = m.group(0)
                fl[j] = fl[j][:m.start()] + form + fl[j][m.end():]
                detail += f"; findings word {old!r} replaced by placeholder {form!r}"
            else:
                fl[j] = fl[j] + f" {form}"
                detail += f"; placeholder {form!r} appended to findings"
        else:
            extra = rng.choice(["Recommend follow-up CT chest in [***] months.", "Correlate with [lab value].",
                                "<<Additional findings>>", "Comparison: [prior exam date]", "[ ] Critical result called",  # noqa: E501
                                "Nodule size: ___ mm."])
            imp = imp + [extra]
            detail += f"; impression got template line {extra!r}"
    head = header(rng, indication, comparison, portable)
    text = render(rng, layout, head, fl, imp, **kw)
    return text, detail


# -------------------------------------------------------------------------------------------- IU-based
REWORD = [
    (r"No acute cardiopulmonary abnormalit(y|ies)", "No acute cardiopulmonary process"),
    (r"No acute bon(e|y) abnormalit(y|ies)", "No acute osseous abnormality"),
    (r"No active disease", "No acute cardiopulmonary disease"),
    (r"Heart size (is )?normal", "Normal heart size"),
    (r"The lungs are clear", "Lungs are clear bilaterally"),
    (r"cardiomediastinal silhouette", "cardiomediastinal contours"),
    (r"\bx-XXXX\b", "x-ray"),
]


def reword(text: str, rng) -> tuple[str, list[str]]:
    done = []
    for pat, rep in REWORD:
        if re.search(pat, text) and rng.random() < 0.7:
            text = re.sub(pat, rep, text)
            done.append(rep)
    return text, done


def iu_case(rng, r, kind, info=None):
    layout = rng.choice(["ed_prose", "numbered", "short", "ed_prose"])
    fs = sents(r["findings"])
    im = sents(r["impression"])
    indication = r["indication"] or rng.choice(INDICATIONS)
    indication = re.sub(r"\s+", " ", indication)
    if rng.random() < 0.2:
        indication += " Spanish-speaking; interpreter used."
    comparison = r["comparison"] or rng.choice(COMPARISONS)
    num = r["uid"].replace("CXR", "")
    detail = f"IU CXR{num}: re-laid out ({layout})"
    kw = {}
    if kind == "laterality_conflict":
        g, fi, ii = info
        if rng.random() < 0.5:
            im[ii] = flip_side(im[ii])
            detail += f"; impression sentence side flipped ({g}): {im[ii]!r}"
        else:
            fs[fi] = flip_side(fs[fi])
            detail += f"; findings sentence side flipped ({g}): {fs[fi]!r}"
    elif kind == "negation_conflict":
        options = []
        ftxt = " ".join(fs)
        side = rng.choice(["right", "left"])
        for rx, claim in [(r"\b(no|without)\b[^.]*effusion", f"{side.capitalize()} pleural effusion."),
                          (r"\b(no|without)\b[^.]*pneumothora", f"Small {side} pneumothorax."),
                          (r"\b(no|without)\b[^.]*(consolidat|airspace|infiltrat|opacit)",
                           f"{side.capitalize()} lower lobe pneumonia."),
                          (r"lungs are clear|clear lungs", f"Patchy {side} basilar airspace disease, likely pneumonia."),  # noqa: E501
                          (r"(heart size (is )?normal|normal heart size|heart is normal in size|normal cardiac)",
                           "Cardiomegaly."),
                          (r"\b(no|without)\b[^.]*edema", "Mild interstitial pulmonary edema.")]:
            if re.search(rx, ftxt, re.I):
                options.append((rx, claim))
        rx, claim = rng.choice(options)
        im = [claim]
        detail += f"; impression replaced by {claim!r}, which the findings negate"
    elif kind == "impression_omits_finding":
        g, s = info
        others = iu_other_benign(r, s)
        if others and rng.random() < 0.6:
            im = others[:2]
            detail += f"; impression replaced by other findings only, omitting {g}: {s!r}"
        else:
            im = [rng.choice(NORMAL_IMPRESSIONS)]
            detail += f"; impression replaced by a normal statement, omitting {g}: {s!r}"
    fl_text, done = reword(" ".join(fs), rng)
    im_text, done2 = reword(" ".join(im), rng) if kind != "negation_conflict" else (" ".join(im), [])
    done += done2
    if done:
        detail += "; reworded: " + ", ".join(sorted(set(done)))
    fs2 = sents(fl_text)
    im2 = sents(im_text)
    fl = [" ".join(fs2)] if layout != "numbered" else fs2
    if kind == "missing_section":
        r2 = rng.random()
        if r2 < 0.3:
            kw["empty"] = "impression"
            detail += "; IMPRESSION header kept with nothing under it"
        elif r2 < 0.55:
            kw["sig_under"] = "impression"
            detail += "; IMPRESSION header followed only by the sign-off"
        elif r2 < 0.8:
            kw["drop"] = "impression"
            detail += "; IMPRESSION section removed"
        else:
            kw["empty"] = "findings"
            detail += "; FINDINGS header kept with nothing under it"
    if kind == "placeholder":
        form = rng.choice(PH_FORMS)
        j = rng.randrange(len(fl))
        words = list(re.finditer(r"\b(clear|normal|pleural|pneumothorax|acute|contours|heart|size|effusion|"
                                 r"limits|lungs|focal)\b", fl[j]))
        if words:
            m = rng.choice(words)
            fl[j] = fl[j][:m.start()] + form + fl[j][m.end():]
            detail += f"; findings word {m.group(0)!r} replaced by placeholder {form!r}"
        else:
            im2 = im2 + [f"Follow-up: {form}"]
            detail += f"; placeholder {form!r} added to impression"
    head = header(rng, indication, comparison, rng.random() < 0.2)
    return render(rng, layout, head, fl, im2 or ["No acute cardiopulmonary process."], **kw), detail


# -------------------------------------------------------------------------------------------------- build
_CACHE: dict = {}


def _pools(shared: Path):
    key = str(shared)
    if key not in _CACHE:
        dev = load_dev_uids(shared)
        iu = [r for r in load_iu(shared) if r["uid"] not in dev]
        normal = [r for r in iu if iu_is_normal(r)]
        omit = [(r, x) for r in iu if (x := iu_sig_finding(r))]
        lat = [(r, x) for r in iu if (x := iu_lat_candidate(r))]
        _CACHE[key] = (normal, omit, lat)
    return _CACHE[key]


def _neg_ok(r):
    f = r["findings"]
    return bool(re.search(r"\b(no|without)\b[^.]*(effusion|pneumothora|consolidat|airspace|edema)|lungs are clear",
                          f, re.I))


def build(seed: int, shared: Path | None = None) -> list[dict]:
    shared = shared or shared_dir()
    normal, omit, lat = _pools(shared)
    rng = random.Random(f"h151-{seed}")
    used = set()

    def take(pool, n, key=lambda x: x, ok=lambda x: True):
        cand = [x for x in pool if key(x)["uid"] not in used and ok(x)]
        rng.shuffle(cand)
        got = cand[:n]
        if len(got) < n:
            raise RuntimeError("not enough IU reports")
        for x in got:
            used.add(key(x)["uid"])
        return got

    half = N_KIND // 2
    lat_pick = take(lat, half, key=lambda x: x[0])
    omit_pick = take(omit, half, key=lambda x: x[0])
    neg_pick = take(normal, half, ok=_neg_ok)
    miss_pick = take(normal, half)
    ph_pick = take(normal, half)
    clean_pick = take(normal, N_CLEAN // 2)
    rows = []
    for r in clean_pick:
        rows.append((None,) + iu_case(rng, r, None))
    for r in miss_pick:
        rows.append(("missing_section",) + iu_case(rng, r, "missing_section"))
    for r, info in lat_pick:
        rows.append(("laterality_conflict",) + iu_case(rng, r, "laterality_conflict", info))
    for r in neg_pick:
        rows.append(("negation_conflict",) + iu_case(rng, r, "negation_conflict"))
    for r, info in omit_pick:
        rows.append(("impression_omits_finding",) + iu_case(rng, r, "impression_omits_finding", info))
    for r in ph_pick:
        rows.append(("placeholder",) + iu_case(rng, r, "placeholder"))
    for kind, n in [(None, N_CLEAN // 2)] + [(k, half) for k in KINDS]:
        for _ in range(n):
            rows.append((kind,) + composed_case(rng, kind))
    rng.shuffle(rows)
    return [{"id": f"h151-{seed}-{k}", "injected": kind, "detail": detail, "report": text}
            for k, (kind, text, detail) in enumerate(rows)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for row in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"=== {row['id']} {kind} | {row['detail']}\n{row['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
