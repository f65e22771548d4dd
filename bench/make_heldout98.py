"""Held-out report-check set 98, written blind (without reading the checker).

Setting: public and mission hospitals in Zambia, Zimbabwe and Botswana (Lusaka, Harare, Bulawayo, Gaborone),
chest X-ray reports in English from casualty, medical wards, HIV and TB clinics, and pre-employment and mining
medicals. British spellings, "CP angles", "CTR", "?PTB" style clinical notes, "OPINION"/"CONCLUSION" headers and
sign-off lines. 400 cases: 200 clean and 40 of each of five error kinds; half of each group composed from a phrase
bank, half real IU reports (never a dev uid) re-laid-out and lightly re-worded in this style.

    python -m bench.make_heldout98 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import tarfile
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    return Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")


# ---------------------------------------------------------------- real IU reports
_AT = re.compile(r'<AbstractText Label="(\w+)">(.*?)</AbstractText>', re.S)
_UID = re.compile(r'<uId id="([^"]+)"')
_CACHE: dict[str, list[dict]] = {}


def dev_uids() -> set[str]:
    p = shared_dir() / "eval" / "report_errors_dev.jsonl"
    out = set()
    with open(p) as f:
        for line in f:
            if line.strip():
                out.add(json.loads(line)["uid"])
    return out


def load_iu() -> list[dict]:
    key = str(shared_dir())
    if key in _CACHE:
        return _CACHE[key]
    excl = dev_uids()
    rows = []
    with tarfile.open(shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            x = tf.extractfile(m).read().decode("utf-8", "replace")
            u = _UID.search(x)
            if not u or u.group(1) in excl:
                continue
            sec = {k.lower(): re.sub(r"\s+", " ", v).strip() for k, v in _AT.findall(x)}
            rows.append({"uid": u.group(1), **{k: sec.get(k, "") for k in
                                               ("findings", "impression", "indication", "comparison")}})
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _CACHE[key] = rows
    return rows


_SUBS = [(r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"x-XXXX", "X-ray"), (r"\bhemorrhage", "haemorrhage"),
         (r"\besophag", "oesophag"), (r"\banemia", "anaemia"), (r"\bcolor", "colour"), (r"\bcentimeter", "centimetre"),
         (r"\bhemithorax", "hemithorax"), (r"\bvisualized\b", "visualised"), (r"\bVisualized\b", "Visualised"),
         (r"\bcardiopulmonary disease\b", "cardiopulmonary pathology"), (r"\.\.+", "."), (r"\s+\.", "."),
         (r"\bNo acute cardiopulmonary abnormality\b", "No active cardiopulmonary abnormality"),
         (r"\bcostophrenic\b", "costophrenic (CP)")]


def localise(t: str) -> str:
    for a, b in _SUBS:
        t = re.sub(a, b, t, count=1 if "CP" in b else 0)
    return t.strip()


NEG = re.compile(r"\b(no|not|without|negative|clear|resolved|resolution|free|removed|normal|unremarkable|"
                 r"small|trace|tiny|minimal|mild|possible|possibly|may|could|cannot|versus|vs|questionable|"
                 r"subtle|chronic|stable|unchanged|old|atelectasis|scar|scarring|granuloma)\b", re.I)
SIG = re.compile(r"\b(pneumothorax|consolidation|consolidative|airspace disease|air space disease|pneumonia|"
                 r"infiltrate|oedema|edema|large (?:left|right|bilateral )?(?:pleural )?effusion|"
                 r"moderate (?:left|right|bilateral )?(?:pleural )?effusion|mass)\b", re.I)


def sentences(t: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.])\s+", t) if s.strip()]


def affirmed_sig(findings: str) -> list[str]:
    hits = []
    for s in sentences(findings):
        m = SIG.search(s)
        if m and not NEG.search(s):
            hits.append(m.group(1).lower())
    return hits


# ---------------------------------------------------------------- setting bank
SITES = ["University Teaching Hospital, Lusaka", "Levy Mwanawasa University Teaching Hospital, Lusaka",
         "Chainama Hills Hospital, Lusaka", "Parirenyatwa Group of Hospitals, Harare", "Harare Central Hospital",
         "Mpilo Central Hospital, Bulawayo", "United Bulawayo Hospitals", "Princess Marina Hospital, Gaborone",
         "Chikankata Mission Hospital", "Karanda Mission Hospital", "Mukinge Mission Hospital",
         "Scottish Livingstone Hospital, Molepolole", "Deborah Retief Memorial Hospital, Mochudi",
         "Mnene Mission Hospital", "Chilenje Level 1 Hospital, Lusaka"]
DOCS = ["Dr M. Banda", "Dr T. Mwale", "Dr C. Phiri", "Dr R. Ncube", "Dr S. Moyo", "Dr T. Chiweshe", "Dr K. Sibanda",
        "Dr B. Mutasa", "Dr O. Kgosi", "Dr L. Molefe", "Dr N. Tembo", "Dr P. Mulenga", "Dr G. Dube", "Dr A. Seretse"]
ROLES = ["Consultant Radiologist", "Radiologist", "Radiology Registrar", "Specialist Radiologist", "Senior Registrar"]
EXAMS = ["EXAMINATION: CHEST X-RAY (PA VIEW)", "EXAM: CXR PA erect", "XR CHEST PA", "CHEST RADIOGRAPH - PA",
         "EXAMINATION: Chest X-ray, AP (mobile)", "Investigation: CXR PA", "CHEST X-RAY PA AND LATERAL",
         "EXAMINATION: CHEST PA (ERECT)"]
HIST = {
    "casualty": ["Cough and fever for 5 days.", "Chest pain after RTA.", "Shortness of breath. ?pneumonia.",
                 "Assault, stab wound left chest.", "Difficulty in breathing, tachypnoeic.",
                 "Fall from height, chest pain.",
                 "Acute abdominal pain, erect chest for free gas."],
    "ward": ["Productive cough x 3/52, night sweats. ?PTB.", "CCF, bilateral leg swelling.",
             "Fever, SOB. R/O pneumonia.",
             "Known hypertensive, dyspnoea on exertion.", "Haemoptysis for one week.", "Anaemia, weight loss. ?TB."],
    "hiv": ["RVD positive on ART, chronic cough.", "HIV+, CD4 112, cough 2/52. Screen for TB.",
            "TB screening, RVD reactive.",
            "Pre-IPT screening.", "PLHIV with weight loss and fevers. ?PTB.", "On TB treatment month 2, review."],
    "medical": ["Pre-employment medical.", "Pre-employment medical (mining). Asymptomatic.",
                "Periodic medical, underground miner 12 years.", "Ex-miner, compensation board review.",
                "Routine medical for work permit.", "Pre-employment medical, food handler."],
}
NORMAL = {
    "trachea": ["The trachea is central.", "Trachea is central.", "Trachea central and mediastinum not widened."],
    "heart": ["Heart size is normal (CTR {ctr}).", "Cardiac size within normal limits.", "The heart is not enlarged.",
              "Heart size and shape are normal, CTR {ctr}."],
    "hila": ["Both hila are normal.", "Hilar shadows are normal in size and density.", "Hila unremarkable."],
    "lungs": ["Both lung fields are clear.", "The lungs are clear, with no focal lesion.",
              "Lung fields are well aerated and clear.", "No focal lung opacity seen."],
    "pleura": ["Both costophrenic angles are clear.", "CP angles are sharp.", "No pleural effusion.",
               "Costophrenic angles are clear; no pleural effusion or pneumothorax."],
    "diaph": ["Hemidiaphragms are well outlined.", "Both domes of the diaphragm are normal in position and outline."],
    "bones": ["Bony thorax is intact.", "Visualised bones are normal.", "No bony abnormality seen.",
              "Ribs and visualised spine are intact."],
}
NORM_IMP = ["Normal chest X-ray.", "Normal chest radiograph.", "No active lung disease.",
            "No radiological evidence of active pulmonary TB.", "No active cardiopulmonary disease.",
            "Normal study.", "No significant abnormality detected.", "Essentially normal chest."]
MED_IMP = ["Normal chest X-ray. No radiological contraindication to employment.",
           "No radiological evidence of pneumoconiosis or active TB.", "Normal chest radiograph. Fit radiologically."]

# finding: slot replaced, findings text, impression text, significant (for omission), sided
FIND = {
    "pneumonia": ("lungs", ["There is air-space consolidation in the {side} lower zone with air bronchograms.",
                            "Homogeneous opacity in the {side} {zone} zone with air bronchograms, in keeping with "
                            "consolidation.", "Patchy confluent opacities in the {side} mid and lower zones."],
                  ["{Side} lower lobe pneumonia.", "{Side} sided consolidation, likely pneumonia.",
                   "{Side} {zone} zone consolidation / pneumonia."], True, True),
    "ptb": ("lungs", ["Fibro-nodular opacities in the {side} upper zone with a thin-walled cavity.",
                      "Patchy consolidation with cavitation in the {side} upper lobe.",
                      "Ill-defined nodular and confluent opacities in the {side} upper zone."],
            ["Features in keeping with active PTB ({side} upper lobe).", "{Side} upper lobe cavitating consolidation, "
             "likely pulmonary TB.", "{Side} upper zone changes suggestive of active pulmonary tuberculosis."],
            True, True),
    "effusion": ("pleura", ["Homogeneous opacity obliterating the {side} costophrenic angle with a meniscus, in "
                            "keeping with a moderate pleural effusion.", "Large {side} pleural effusion occupying "
                            "the lower half of the hemithorax.", "Moderate {side} pleural effusion."],
                 ["Moderate {side} pleural effusion.", "{Side} pleural effusion (moderate to large); ?TB effusion.",
                  "{Side} sided pleural effusion."], True, True),
    "ptx": ("pleura", ["There is a {side} pneumothorax with a visible lung edge and absent peripheral lung markings.",
                       "{Side} sided pneumothorax, approximately 3 cm rim at the apex, no mediastinal shift."],
            ["{Side} pneumothorax.", "{Side} sided pneumothorax; no tension features."], True, True),
    "oedema": ("lungs", ["Upper lobe venous diversion, bilateral perihilar haziness and Kerley B lines.",
                         "Bilateral perihilar bat-wing opacities with upper lobe blood diversion."],
               ["Features of pulmonary oedema.", "Pulmonary venous congestion / oedema, in keeping with cardiac "
                "failure."], True, False),
    "nodule": ("lungs", ["A well-defined {mm} mm nodule in the {side} mid zone.",
                         "Rounded {mm} mm opacity projected over the {side} lower zone."],
               ["{Side} lung nodule ({mm} mm); CT chest advised.", "Solitary {side} pulmonary nodule, {mm} mm. "
                "Suggest CT."], True, True),
    "cardiomegaly": ("heart", ["The heart is enlarged with a globular outline, CTR {bigctr}.",
                               "Cardiomegaly, CTR {bigctr}."],
                     ["Cardiomegaly; ?pericardial effusion. Suggest echocardiography.", "Cardiomegaly."], False, False),
    "hilar": ("hila", ["{Side} hilar enlargement, suggestive of lymphadenopathy."],
              ["{Side} hilar lymphadenopathy; ?TB."], False, True),
    "miliary": ("lungs", ["Diffuse bilateral fine micronodular opacities throughout both lung fields."],
                ["Miliary pattern, likely miliary TB."], False, False),
    "silicosis": ("lungs", ["Multiple small rounded opacities in both upper and mid zones."],
                  ["Features consistent with simple silicosis."], False, False),
}
CHRONIC = {"granuloma": "A small calcified granuloma in the {side} mid zone.",
           "oldtb": "Fibrotic strands with mild volume loss in the {side} upper zone, in keeping with old healed TB.",
           "rib": "Old healed fracture of the {side} {nth} rib.",
           "spine": "Mild degenerative changes of the thoracic spine.",
           "smalleff": "Blunting of the {side} costophrenic angle."}
CHRONIC_IMP = {"granuloma": "Calcified granuloma, of no significance.", "oldtb": "Old healed PTB changes.",
               "rib": "Old {side} rib fracture.", "spine": "Thoracic spondylosis.",
               "smalleff": "Small {side} pleural effusion."}
CLEAN_MIX = (["normal"] * 52 + ["pneumonia"] * 8 + ["ptb"] * 8 + ["effusion"] * 6 + ["cardiomegaly"] * 7
             + ["oedema"] * 3 + ["chronic"] * 8 + ["ptx"] * 2 + ["silicosis"] * 2 + ["hilar"] * 2 + ["nodule"]
             + ["miliary"])
PLACEHOLDERS = ["[ ]", "[***]", "......", "***", "[insert]", "< >", "(specify)", "[...]", "<<>>", "{ }"]
SIDE_PH = ["[R/L]", "[side]", "(right/left)", "<side>", "[ ]", "......"]
NORMAL_MACROS = ["Normal chest X-ray.", "No active lung disease.", "No acute cardiopulmonary abnormality.",
                 "Normal chest radiograph. No abnormality detected.", "No radiological abnormality seen.",
                 "Normal CXR."]


def other(side: str) -> str:
    return "left" if side == "right" else "right"


def fill(t: str, ctx: dict) -> str:
    return t.format(**ctx, Side=ctx["side"].capitalize())


def compose(rng: random.Random, kind: str | None) -> tuple[str, str]:
    setting = rng.choice(sorted(HIST))
    side = rng.choice(["right", "left"])
    ctx = {"side": side, "zone": rng.choice(["lower", "mid"]), "mm": rng.choice([7, 8, 9, 10, 12, 15, 18]),
           "ctr": rng.choice(["0.42", "0.44", "0.46", "0.48"]), "bigctr": rng.choice(["0.58", "0.60", "0.63"]),
           "nth": rng.choice(["5th", "6th", "7th", "8th"])}
    slots = {k: fill(rng.choice(v), ctx) for k, v in NORMAL.items()}
    imp: list[str] = []
    detail = ""
    # choose the content
    if kind is None:
        pick = rng.choice(CLEAN_MIX)
        if setting == "medical" and pick in ("pneumonia", "ptx", "oedema", "effusion"):
            pick = "normal"
    elif kind == "impression_omits_finding":
        pick = rng.choice(["pneumonia", "ptb", "effusion", "ptx", "oedema", "nodule"])
    elif kind == "laterality_conflict":
        pick = rng.choice(["pneumonia", "ptb", "effusion", "ptx", "nodule", "hilar"])
    elif kind == "negation_conflict":
        pick = rng.choice(["normal", "normal", "pneumonia", "effusion", "cardiomegaly", "ptx", "ptb"])
    else:
        pick = rng.choice(["normal"] * 3 + ["pneumonia", "ptb", "effusion", "cardiomegaly", "nodule", "chronic"])
    if setting == "medical" and pick in ("pneumonia", "ptx", "oedema", "effusion", "ptb"):
        setting = "ward"
    hist = rng.choice(HIST[setting])
    finding = None
    if pick == "normal":
        imp.append(rng.choice(MED_IMP if setting == "medical" and rng.random() < 0.6 else NORM_IMP))
    elif pick == "chronic":
        c = rng.choice(sorted(CHRONIC))
        slots["bones" if c in ("rib", "spine") else ("pleura" if c == "smalleff" else "lungs")] = fill(CHRONIC[c], ctx)
        if c == "smalleff" or rng.random() < 0.5:
            imp.append(fill(CHRONIC_IMP[c], ctx))
            if c != "smalleff":
                imp.append("No active lung disease.")
        else:
            imp.append("No active lung disease.")
    else:
        finding = pick
        slot, ft, it, _sig, _sided = FIND[pick]
        slots[slot] = fill(rng.choice(ft), ctx)
        imp.append(fill(rng.choice(it), ctx))
        if pick == "oedema":
            slots["heart"] = fill(rng.choice(FIND["cardiomegaly"][1]), ctx)
            imp.insert(0, "Cardiomegaly with")
            imp = [imp[0] + " " + imp[1][0].lower() + imp[1][1:]]
        if pick == "effusion" and rng.random() < 0.4:
            slots["diaph"] = f"The {side} hemidiaphragm is obscured."
    order = ["trachea", "heart", "hila", "lungs", "pleura", "diaph", "bones"]
    if rng.random() < 0.4:
        order = ["lungs", "pleura", "heart", "trachea", "hila", "diaph", "bones"]
    if rng.random() < 0.3:
        order.remove("diaph")
    if rng.random() < 0.3 and slots["hila"] in NORMAL["hila"]:
        order.remove("hila")
    fsent = [slots[k] for k in order]
    imp_header = rng.choice(["IMPRESSION:", "CONCLUSION:", "OPINION:", "Impression:", "COMMENT:"])
    find_header = rng.choice(["FINDINGS:", "REPORT:", "Findings:", "FINDINGS:"])
    # inject
    if kind == "missing_section":
        if rng.random() < 0.7:
            imp = []
            detail = "impression/conclusion left empty while the findings are described"
            if rng.random() < 0.4:
                imp_header = ""
                detail = "impression/conclusion section absent while the findings are described"
        else:
            fsent = []
            imp = [rng.choice(["Please correlate clinically.", "Compare with previous films.",
                               "Follow up as clinically indicated.", "Kindly correlate with sputum GeneXpert."])]
            detail = "findings section left empty; the conclusion does not describe the film"
    elif kind == "impression_omits_finding":
        sent = slots[FIND[finding][0]]
        if rng.random() < 0.3 and finding != "oedema":
            slots["heart"] = fill(rng.choice(FIND["cardiomegaly"][1]), ctx)
            fsent = [slots[k] for k in order]
            imp = [rng.choice(["Cardiomegaly.", "Cardiomegaly; suggest echocardiography."])]
            detail = f"impression mentions only cardiomegaly; omits the {finding} in the findings ({sent!r})"
        else:
            imp = [rng.choice(NORMAL_MACROS)]
            detail = f"normal impression pasted over; findings affirm {finding} ({sent!r})"
    elif kind == "laterality_conflict":
        slot = FIND[finding][0]
        r = rng.random()
        if r < 0.6:
            imp = [re.sub(r"\b(right|left|Right|Left)\b", lambda m: {"right": "left", "left": "right",
                                                                     "Right": "Left", "Left": "Right"}[m.group(1)],
                          x) for x in imp]
            detail = f"impression puts the {finding} on the {other(side)}; findings say {side}"
        else:
            ctx2 = dict(ctx, side=other(side))
            slots[slot] = fill(rng.choice(FIND[finding][1]), ctx2)
            fsent = [slots[k] for k in order]
            detail = f"findings put the {finding} on the {other(side)}; impression says {side}"
    elif kind == "negation_conflict":
        if pick == "normal":
            choice = rng.choice(["pneumonia", "effusion", "cardiomegaly", "ptx"])
            ctx_imp = {"pneumonia": f"{side.capitalize()} lower zone consolidation, likely pneumonia.",
                       "effusion": f"Small {side} pleural effusion.",
                       "cardiomegaly": "Cardiomegaly.", "ptx": f"Small {side} apical pneumothorax."}[choice]
            if choice == "effusion" and "effusion" not in slots["pleura"]:
                slots["pleura"] = "No pleural effusion."
                fsent = [slots[k] for k in order]
            if choice == "ptx" and "pneumothorax" not in slots["pleura"]:
                slots["pleura"] = rng.choice(["No pneumothorax.", "No pneumothorax or pleural effusion."])
                fsent = [slots[k] for k in order]
            imp = [ctx_imp]
            ref = {"pneumonia": slots["lungs"], "effusion": slots["pleura"], "cardiomegaly": slots["heart"],
                   "ptx": slots["pleura"]}[choice]
            detail = f"impression asserts {choice}; findings negate it ({ref!r})"
        else:
            neg = {"pneumonia": "Lungs are clear. No consolidation.", "ptb": "No radiological evidence of active PTB.",
                   "effusion": "No pleural effusion.", "cardiomegaly": "Heart size is normal.",
                   "ptx": "No pneumothorax."}[pick]
            imp = [neg] + ([] if pick == "ptb" else [rng.choice(["No other abnormality.", "Otherwise normal."])])
            detail = f"impression negates the {pick} that the findings affirm"
    elif kind == "placeholder":
        r = rng.random()
        ph = rng.choice(PLACEHOLDERS)
        if finding and FIND[finding][4] and r < 0.4:
            sph = rng.choice(SIDE_PH)
            slot = FIND[finding][0]
            slots[slot] = re.sub(rf"\b{side}\b", sph, slots[slot], count=1, flags=re.I)
            fsent = [slots[k] for k in order]
            detail = f"side in the findings left as template field {sph!r}"
        elif r < 0.6:
            slots["heart"] = f"Heart size is normal, CTR {ph}."
            if "heart" not in order:
                order.insert(1, "heart")
            fsent = [slots[k] for k in order]
            if finding == "cardiomegaly":
                slots["heart"] = f"Cardiomegaly, CTR {ph}."
                fsent = [slots[k] for k in order]
            detail = f"CTR value left as template field {ph!r}"
        elif r < 0.8:
            hist = f"{ph}"
            detail = f"clinical history field left unfilled {ph!r}"
        else:
            fsent.insert(rng.randrange(len(fsent) + 1), f"{ph}")
            detail = f"unfilled template line {ph!r} left in the findings"
    lines = [rng.choice(SITES) + " - Department of Radiology"] if rng.random() < 0.5 else []
    exam_line = rng.choice(EXAMS) if setting != "casualty" or rng.random() < 0.5 else "EXAMINATION: CXR AP supine"
    lines.append(exam_line)
    lines.append(f"{rng.choice(['CLINICAL HISTORY:', 'Clinical notes:', 'CLINICAL DETAILS:', 'History:'])} {hist}")
    if rng.random() < 0.5:
        lines.append(rng.choice(["COMPARISON: None.", "COMPARISON: No previous films available.",
                                 "Comparison: none available."]))
    if rng.random() < 0.35 and "AP" not in exam_line:
        lines.append(rng.choice(["TECHNIQUE: PA erect, adequate inspiration, well centred.",
                                 "Technique: single frontal view; adequate penetration."]))
    lines.append("")
    lines.append(find_header + ("\n" + " ".join(fsent) if fsent and rng.random() < 0.5 else
                                ("\n" + "\n".join(fsent) if fsent else "")))
    lines.append("")
    if imp_header:
        lines.append(imp_header + (" " + " ".join(imp) if imp else ""))
        lines.append("")
    lines.append(f"{rng.choice(DOCS)}\n{rng.choice(ROLES)}")
    return "\n".join(lines).strip(), detail


# ---------------------------------------------------------------- real-based cases
def real_layout(rng: random.Random, r: dict, findings: str, impression: str, keep_imp_header: bool = True,
                indication: str | None = None) -> str:
    lines = [rng.choice(EXAMS)]
    ind = localise(r["indication"]) if indication is None else indication
    if ind or indication is not None:
        lines.append(f"{rng.choice(['CLINICAL HISTORY:', 'Clinical notes:', 'CLINICAL DETAILS:'])} {ind}")
    if r["comparison"]:
        lines.append(f"COMPARISON: {localise(r['comparison'])}")
    lines.append("")
    lines.append(f"{rng.choice(['FINDINGS:', 'REPORT:', 'Findings:'])} {findings}".rstrip())
    lines.append("")
    if keep_imp_header:
        lines.append(f"{rng.choice(['IMPRESSION:', 'CONCLUSION:', 'OPINION:'])} {impression}".rstrip())
        lines.append("")
    lines.append(f"{rng.choice(DOCS)}, {rng.choice(ROLES)}")
    if rng.random() < 0.4:
        lines.append(rng.choice(SITES))
    return "\n".join(lines)


_SIDE = re.compile(r"\b(right|left|Right|Left)\b")


def flip(t: str) -> str:
    return _SIDE.sub(lambda m: {"right": "left", "left": "right", "Right": "Left", "Left": "Right"}[m.group(1)], t)


def real_pools(rows: list[dict]) -> dict[str, list[dict]]:
    full = [r for r in rows if len(r["findings"]) > 40 and len(r["impression"]) > 8
            and not re.search(r"\[|\*\*\*|\.\.\.\.", r["findings"] + r["impression"])]
    pools: dict[str, list[dict]] = {"clean": full, "missing_section": full, "placeholder": full}
    lat = []
    for r in full:
        fi, im = r["findings"].lower(), r["impression"].lower()
        sides_i = set(re.findall(r"\b(right|left)\b", im))
        sides_f = set(re.findall(r"\b(right|left)\b", fi))
        devices = r"catheter|picc|line|tube|port|pacer|clip|ventric|atri"
        if len(sides_i) == 1 and sides_f == sides_i and not re.search(devices, im + fi):
            lat.append(r)
    pools["laterality_conflict"] = lat
    pools["impression_omits_finding"] = [r for r in full if any(
        k.split()[-1][:6] in r["impression"].lower() for k in affirmed_sig(r["findings"]))]
    neg = []
    for r in full:
        m = re.search(r"\bno (pleural effusion|pneumothorax)", r["findings"], re.I)
        if m and not re.search(r"effusion|pneumothorax", r["impression"], re.I):
            term = m.group(1).split()[-1].lower()
            if sum(term in s.lower() for s in sentences(r["findings"])) == 1:
                neg.append(r)
    pools["negation_conflict"] = neg
    return pools


def real_case(rng: random.Random, r: dict, kind: str | None) -> tuple[str, str]:
    f, i = localise(r["findings"]), localise(r["impression"])
    if kind is None:
        return real_layout(rng, r, f, i), ""
    if kind == "missing_section":
        x = rng.random()
        if x < 0.45:
            return real_layout(rng, r, f, ""), "IMPRESSION emptied"
        if x < 0.75:
            return real_layout(rng, r, f, "", keep_imp_header=False), "IMPRESSION section dropped"
        return (real_layout(rng, r, "", rng.choice(["Please correlate clinically.", "As discussed with the ward.",
                                                    "Kindly correlate with sputum results."])),
                "FINDINGS emptied; conclusion replaced by a non-descriptive line")
    if kind == "laterality_conflict":
        if rng.random() < 0.6:
            return real_layout(rng, r, f, flip(i)), "left/right flipped in the impression"
        return real_layout(rng, r, flip(f), i), "left/right flipped throughout the findings"
    if kind == "impression_omits_finding":
        hit = affirmed_sig(r["findings"])[0]
        return (real_layout(rng, r, f, rng.choice(NORMAL_MACROS)),
                f"impression replaced by a normal macro; findings affirm {hit}")
    if kind == "negation_conflict":
        m = re.search(r"\bno (pleural effusion|pneumothorax)", r["findings"], re.I)
        what = m.group(1).lower()
        side = rng.choice(["right", "left"])
        add = {"pleural effusion": f"Small {side} pleural effusion.",
               "pneumothorax": f"Small {side} apical pneumothorax."}[what]
        i2 = (i.rstrip(".") + ". " + add) if rng.random() < 0.5 else add
        return real_layout(rng, r, f, i2), f"impression asserts {what}; findings say 'no {what}'"
    # placeholder
    ph = rng.choice(PLACEHOLDERS)
    x = rng.random()
    if x < 0.35:
        return (real_layout(rng, r, f, i, indication=ph), f"clinical history left as template field {ph!r}")
    words = [m for m in re.finditer(r"\b(right|left|\d+(?:\.\d+)?)\b", f)] or [
        m for m in re.finditer(r"\b[a-z]{5,}\b", f) if m.group(0) not in ("there", "which")]
    m = words[rng.randrange(len(words))] if words else None
    if m is None:
        return real_layout(rng, r, f + " " + ph, i), f"unfilled field {ph!r} appended to findings"
    f2 = f[:m.start()] + ph + f[m.end():]
    return real_layout(rng, r, f2, i), f"word {m.group(0)!r} in findings replaced by {ph!r}"


# ---------------------------------------------------------------- build
def build(seed: int) -> list[dict]:
    rng = random.Random(seed * 7919 + 98)
    pools = real_pools(load_iu())
    used: set[str] = set()
    items: list[tuple[str | None, str, str]] = []
    plan = [(None, 200)] + [(k, 40) for k in KINDS]
    for kind, n in plan:
        for j in range(n):
            if j % 2 == 0:
                rep, det = compose(rng, kind)
            else:
                pool = pools["clean" if kind is None else kind]
                cand = [r for r in rng.sample(pool, min(len(pool), 60)) if r["uid"] not in used]
                r = cand[0]
                used.add(r["uid"])
                rep, det = real_case(rng, r, kind)
                det = f"[IU {r['uid']}] " + (det or "unmodified real report, re-laid-out")
            items.append((kind, det, rep))
    rng.shuffle(items)
    return [{"id": f"h98-{seed}-{n}", "injected": k, "detail": d, "report": t} for n, (k, d, t) in enumerate(items)]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    if a.show:
        for k in [None, *KINDS]:
            for r in [x for x in rows if x["injected"] == k][: a.show]:
                print(f"===== {r['id']} {k} :: {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}")


if __name__ == "__main__":
    main()
