"""Held-out report-check set 97, written blind.

Setting: US federally qualified health centres, community health centres and free
clinics (uninsured and Medicaid adults, migrant farmworkers, homeless-health
programmes). Outpatient chest films for cough, TB screening (positive PPD /
QuantiFERON, shelter clearance), pre-employment and follow-up, read remotely by a
contracted teleradiology group and dictated in US style (EXAM / CLINICAL HISTORY /
COMPARISON / TECHNIQUE / FINDINGS / IMPRESSION, occasional CONCLUSION, structured
organ-system templates, electronic sign-off lines, "***" and "[ ]" template fields).

400 cases: 200 clean and 40 each of missing_section, laterality_conflict,
negation_conflict, impression_omits_finding and placeholder. Half of each group is
composed from a phrase bank below; half are real IU reports (never a dev-set uid),
re-laid-out in the setting's style and lightly re-worded.

Usage: python -m bench.make_heldout97 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import tarfile
from functools import lru_cache
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

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


def dev_uids() -> set[str]:
    path = shared_dir() / "eval" / "report_errors_dev.jsonl"
    out = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


_ABS = re.compile(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', re.S)
_UID = re.compile(r'<uId id="([^"]+)"')


@lru_cache(maxsize=2)
def _load_iu(path: str) -> tuple:
    rows = []
    with tarfile.open(path, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            text = tf.extractfile(m).read().decode("utf-8", "replace")
            um = _UID.search(text)
            if not um:
                continue
            sec = {k.lower(): " ".join(html.unescape(v).split()) for k, v in _ABS.findall(text)}
            rows.append((um.group(1), sec.get("indication", ""), sec.get("comparison", ""),
                         sec.get("findings", ""), sec.get("impression", "")))
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r[0]) or 0))
    return tuple(rows)


def iu_reports() -> list[dict]:
    path = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    return [dict(uid=u, indication=i, comparison=c, findings=f, impression=p)
            for u, i, c, f, p in _load_iu(str(path))]


# --------------------------------------------------------------------------- style

EXAMS = [
    "XR CHEST 2 VIEWS (PA AND LATERAL)",
    "XR CHEST PA AND LATERAL",
    "CHEST 2 VIEWS",
    "CHEST PA AND LATERAL",
    "XR CHEST PA ONLY",
    "CHEST X-RAY, 2 VIEWS",
    "DX CHEST 2V",
]
TECHNIQUES = [
    "PA and lateral views of the chest.",
    "Frontal and lateral views of the chest were obtained.",
    "2 views of the chest.",
    "PA and lateral chest radiographs.",
    "Single PA view of the chest.",
]
HISTORY_KEYS = ["CLINICAL HISTORY", "HISTORY", "INDICATION", "REASON FOR EXAM", "CLINICAL INDICATION"]
IMP_KEYS = ["IMPRESSION"] * 9 + ["CONCLUSION", "CONCLUSION", "OPINION"]
RADS = ["J. Alvarez, MD", "K. Whitfield, MD", "R. Patel, DO", "M. Okafor, MD", "S. Lindqvist, MD",
        "T. Nguyen, MD", "D. Brennan, MD", "L. Castillo, MD", "A. Rosen, MD", "P. Harrington, DO"]
GROUPS = ["Mesa Teleradiology Partners", "Heartland Remote Imaging", "Coastal Radiology Associates",
          "Summit Teleradiology", "Prairie Imaging Consultants"]

HISTORIES_TB = [
    "Positive PPD. TB screening.",
    "Positive QuantiFERON. Rule out active TB.",
    "TB screening for shelter admission.",
    "Positive TST, asymptomatic. Latent TB evaluation.",
    "Migrant farmworker, positive IGRA. Screen for active TB.",
    "Homeless program intake, TB clearance.",
    "History of latent TB, completed INH. Annual screening.",
    "Positive PPD 14 mm. No symptoms.",
]
HISTORIES_WORK = [
    "Pre-employment screening.",
    "Pre-employment physical. Positive PPD in the past.",
    "Employment clearance, food service.",
    "Required for work, history of BCG.",
]
HISTORIES_COUGH = [
    "Cough x 3 weeks.",
    "Productive cough and fever.",
    "Cough, shortness of breath. Smoker.",
    "Chronic cough, 30 pack-year smoker.",
    "Cough and night sweats.",
    "SOB, wheezing. History of asthma.",
    "Chest pain, cough.",
    "Cough for 2 months, weight loss.",
    "Fever and cough x 5 days.",
    "Dyspnea on exertion. Hypertension.",
]
HISTORIES_FU = [
    "Follow-up pneumonia.",
    "Follow-up of abnormal chest x-ray.",
    "Follow-up after treatment for community-acquired pneumonia.",
    "Recheck after antibiotics.",
]
COMPARISONS_NONE = ["None.", "None available.", "No prior studies available.", "None on file."]
COMPARISONS_PRIOR = ["Chest radiograph 03/14/2024.", "PA and lateral chest 11/02/2023.",
                     "Prior chest x-ray dated 6/21/2024.", "Outside chest film 01/09/2025.",
                     "02/27/2025."]


def sign_off(rng: random.Random) -> str:
    rad = rng.choice(RADS)
    grp = rng.choice(GROUPS)
    day = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/2025"
    return rng.choice([
        f"Electronically signed by: {rad} on {day} {rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}",
        f"Dictated by: {rad}\nSigned: {rad} {day}",
        f"Interpreting radiologist: {rad}, {grp}\nThis examination was interpreted remotely.",
        f"{rad}\n{grp}\nFinal report signed {day}",
        f"Read by {rad} ({grp}). Electronically signed {day}.",
    ])


def layout(rng: random.Random, sec: dict, style: dict | None = None) -> str:
    """Lay out sections. sec keys: exam, history, comparison, technique, findings,
    impression; a value None means the section is left out, "" means empty header."""
    st = style or {}
    hkey = st.get("hkey") or rng.choice(HISTORY_KEYS)
    ikey = st.get("ikey") or rng.choice(IMP_KEYS)
    parts = []
    if sec.get("exam") is not None:
        parts.append(f"EXAM: {sec['exam']}" if rng.random() < 0.7 else sec["exam"])
    if sec.get("history") is not None:
        parts.append(f"{hkey}: {sec['history']}".rstrip())
    if sec.get("comparison") is not None:
        parts.append(f"COMPARISON: {sec['comparison']}".rstrip())
    if sec.get("technique") is not None:
        parts.append(f"TECHNIQUE: {sec['technique']}")
    if sec.get("findings") is not None:
        f = sec["findings"]
        if not f:
            parts.append("FINDINGS:")
        elif "\n" in f:
            parts.append("FINDINGS:\n" + f)
        else:
            parts.append(("FINDINGS:\n" if rng.random() < 0.5 else "FINDINGS: ") + f)
    if sec.get("impression") is not None:
        imp = sec["impression"]
        if not imp:
            parts.append(f"{ikey}:")
        else:
            parts.append(f"{ikey}:\n{imp}" if "\n" in imp or rng.random() < 0.5 else f"{ikey}: {imp}")
    parts.append(sec.get("signoff") or sign_off(rng))
    return "\n\n".join(parts)


def number_list(rng: random.Random, items: list[str]) -> str:
    if len(items) > 1 and rng.random() < 0.6:
        return "\n".join(f"{i}. {s}" for i, s in enumerate(items, 1))
    return " ".join(items)


# --------------------------------------------------------------------------- phrase bank

NORMAL = {
    "lungs": ["The lungs are clear.", "Lungs are clear bilaterally.", "No focal consolidation.",
              "No focal airspace consolidation.", "The lungs are well expanded and clear.",
              "Clear lungs without focal infiltrate."],
    "pleura": ["No pleural effusion or pneumothorax.", "No pleural effusion. No pneumothorax.",
               "Costophrenic angles are sharp. No pneumothorax.",
               "There is no pleural effusion or pneumothorax."],
    "heart": ["Heart size is normal.", "The cardiomediastinal silhouette is within normal limits.",
              "Normal heart size and mediastinal contours.", "Cardiac silhouette is normal in size.",
              "Heart and mediastinum are unremarkable."],
    "hila": ["No hilar or mediastinal adenopathy.", "Hila are unremarkable.", ""],
    "bones": ["No acute osseous abnormality.", "Osseous structures are intact.",
              "Bony thorax is unremarkable.", "No acute bony abnormality.", ""],
}
NORMAL_IMP = ["No acute cardiopulmonary process.", "No acute cardiopulmonary disease.",
              "No acute cardiopulmonary abnormality.", "Negative chest.", "Normal chest radiograph.",
              "No active cardiopulmonary disease.", "Normal 2 view chest."]
NONSPECIFIC_IMP = ["No acute cardiopulmonary process.", "No acute cardiopulmonary disease.",
                   "No acute cardiopulmonary abnormality.", "No acute findings."]
TB_IMP = ["No radiographic evidence of active pulmonary tuberculosis.",
          "No radiographic findings of active TB.", "Negative for active tuberculosis radiographically."]
LOBES = ["lower lobe", "upper lobe", "base", "mid lung"]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def make_item(rng: random.Random, key: str, side: str | None = None) -> dict:
    """A finding with its findings sentence(s) and impression sentence, templated on side."""
    side = side or rng.choice(["right", "left"])
    n = rng.randint(7, 16)
    cm = rng.choice(["2.5", "3", "3.4", "4.1"])
    lobe = rng.choice(LOBES)
    zone = rng.choice(["upper", "mid", "lower"])
    rib = rng.choice(["6th", "7th", "8th", "9th"])
    T = {
        # minor / chronic
        "granuloma": (None, ["Calcified granuloma in the {s} {z} lung zone.",
                             "Small calcified granuloma, {s} {z} lung."],
                      ["Calcified granuloma, {s} {z} lung, consistent with prior granulomatous disease.",
                       "Benign calcified {s} lung granuloma."], False, "granuloma"),
        "apical": (None, ["Mild biapical pleural-parenchymal scarring.",
                          "Minimal apical pleural thickening bilaterally."],
                   ["Biapical scarring, likely chronic.", "Chronic apical pleural thickening."], False, None),
        "oldtb": (None, ["Fibronodular scarring and volume loss in the {s} upper lobe, unchanged in appearance."
                         " No cavitation.",
                         "Linear and nodular scarring at the {s} apex with calcified granulomas."],
                  ["Chronic {s} upper lobe fibronodular scarring, likely sequela of prior granulomatous"
                   " infection. No radiographic evidence of active TB.",
                   "{S} apical scarring compatible with old healed granulomatous disease."], False, "scarring"),
        "hilarcalc": (None, ["Calcified {s} hilar lymph nodes."],
                      ["Calcified {s} hilar nodes, benign."], False, "hilar"),
        "hyperinfl": (None, ["The lungs are hyperinflated with flattening of the hemidiaphragms.",
                             "Hyperexpanded lungs."],
                      ["Hyperinflation, consistent with COPD.", "Changes of COPD."], False, None),
        "mildcm": ("heart", ["Heart size is mildly enlarged.", "Mild cardiomegaly.",
                             "The cardiac silhouette is borderline enlarged."],
                   ["Mild cardiomegaly.", "Borderline heart size."], False, "cardiomegaly"),
        "aorta": (None, ["Atherosclerotic calcification of the aortic arch.", "The thoracic aorta is tortuous."],
                  ["Aortic atherosclerosis.", "Tortuous aorta."], False, None),
        "djd": ("bones", ["Degenerative changes of the thoracic spine.",
                          "Mild multilevel degenerative disc disease in the thoracic spine."],
                ["Thoracic spondylosis."], False, None),
        "oldrib": ("bones", ["Healed fracture deformity of the {s} posterior {r} rib.",
                             "Old healed {s} lateral rib fractures."],
                   ["Old healed {s} rib fracture."], False, "rib"),
        "smalleff": ("pleura", ["Small {s} pleural effusion. No pneumothorax.",
                                "Trace {s} pleural effusion"
                                " with blunting of the {s} costophrenic angle. No pneumothorax."],
                     ["Small {s} pleural effusion.", "Trace {s} effusion."], False, "effusion"),
        "atel": (None, ["Linear atelectasis at the {s} lung base.", "Minimal {s} basilar subsegmental atelectasis."],
                 ["Minor {s} basilar atelectasis.", "{S} basilar linear atelectasis."], False, "atelectasis"),
        "resolved": (None, ["Interval resolution of the previously noted {s} lower lobe opacity."],
                     ["Resolved {s} lower lobe pneumonia.", "Interval clearing of {s} lower lobe pneumonia."],
                     False, "opacity"),
        # significant
        "pna": ("lungs", ["Patchy airspace opacity in the {s} {l}, concerning for pneumonia.",
                          "Focal consolidation in the {s} {l}.",
                          "There is {s} {l} airspace disease.",
                          "Ill-defined infiltrate in the {s} {l}."],
                ["{S} {l} pneumonia. Recommend follow-up PA and lateral chest in 6-8 weeks to document resolution.",
                 "{S} {l} consolidation compatible with pneumonia in the appropriate clinical setting.",
                 "{S} {l} airspace disease, likely pneumonia."], True, "consolidation"),
        "modeff": ("pleura", ["Moderate {s} pleural effusion with adjacent compressive atelectasis. No pneumothorax.",
                              "Moderate-sized {s} pleural effusion. No pneumothorax."],
                   ["Moderate {s} pleural effusion.", "Moderate {s} effusion."], True, "effusion"),
        "ptx": ("pleura", ["Small {s} apical pneumothorax. No pleural effusion.",
                           "There is a {s} pneumothorax measuring approximately 1.5 cm at the apex. No effusion."],
                ["Small {s} apical pneumothorax. Findings called to the clinic at time of dictation.",
                 "{S} pneumothorax. Results communicated to the ordering provider."], True, "pneumothorax"),
        "nodule": (None, ["{n} mm nodular opacity in the {s} {z} lung.", "There is a {n} mm noncalcified nodule in the"
                          " {s} {z} lung zone."],
                   ["{n} mm {s} {z} lung nodule. CT chest recommended for further evaluation.",
                    "Indeterminate {n} mm {s} pulmonary nodule; recommend non-contrast chest CT."], True, "nodule"),
        "mass": (None, ["{c} cm spiculated mass in the {s} upper lobe.",
                        "There is a {c} cm mass in the {s} upper lobe."],
                 ["{S} upper lobe mass suspicious for neoplasm. Recommend CT chest with contrast.",
                  "{c} cm {s} lung mass, concerning for malignancy. CT recommended."], True, "mass"),
        "cavity": ("lungs", ["Patchy consolidation in the {s} upper lobe with a {c} cm cavitary component.",
                             "Nodular and patchy opacities in the {s} upper lobe with cavitation."],
                   ["{S} upper lobe cavitary opacity, concerning for active tuberculosis in this clinical setting."
                    " Recommend sputum AFB and isolation precautions. Called to the clinic.",
                    "Cavitary {s} upper lobe disease, suspicious for active TB."], True, "cavity"),
        "edema": ("lungs", ["Pulmonary vascular congestion with mild interstitial edema and small bilateral"
                            " effusions.",
                            "Interstitial edema with cephalization of the pulmonary vasculature."],
                  ["Mild interstitial pulmonary edema, likely CHF.", "Pulmonary vascular congestion and interstitial"
                   " edema."], True, "edema"),
        "newopac": ("lungs", ["New opacity at the {s} lung base since the prior study.",
                              "Increased {s} basilar opacity compared with the prior examination."],
                    ["New {s} basilar opacity, atelectasis versus pneumonia.",
                     "Increasing {s} basilar airspace opacity; pneumonia not excluded."], True, "opacity"),
    }
    slot, fs, ims, sig, concept = T[key]
    sided = "{s}" in "".join(fs + ims) or "{S}" in "".join(ims)
    fi = rng.randrange(len(fs))
    ii = rng.randrange(len(ims))

    def render(tpl: str, sd: str) -> str:
        return tpl.format(s=sd, S=_cap(sd), n=n, c=cm, l=lobe, z=zone, r=rib)

    item = dict(key=key, slot=slot, sig=sig, concept=concept, side=side if sided else None,
                f=render(fs[fi], side), i=render(ims[ii], side))
    if sided:
        other = "left" if side == "right" else "right"
        item["f_flip"] = render(fs[fi], other)
        item["i_flip"] = render(ims[ii], other)
    return item


MINOR = ["granuloma", "apical", "oldtb", "hilarcalc", "hyperinfl", "mildcm", "aorta", "djd", "oldrib",
         "smalleff", "atel"]
MINOR_W = [8, 5, 3, 3, 5, 6, 4, 6, 3, 2, 3]
SIG = ["pna", "modeff", "ptx", "nodule", "mass", "cavity", "edema", "newopac"]
SIG_W = [12, 3, 2, 4, 1, 1, 3, 3]
SIDED_SIG = ["pna", "modeff", "ptx", "nodule", "mass", "cavity", "newopac"]


def history_for(rng: random.Random, items: list[dict]) -> str:
    keys = {it["key"] for it in items}
    if "resolved" in keys or "newopac" in keys:
        return rng.choice(HISTORIES_FU)
    pools = [HISTORIES_TB] * 4 + [HISTORIES_WORK] * 2 + [HISTORIES_COUGH] * 4 + [HISTORIES_FU]
    return rng.choice(rng.choice(pools))


def synth_case(rng: random.Random, mode: str) -> dict:
    """mode: normal | minor | sig | sided | sided_sig. Returns a structure to render."""
    items: list[dict] = []
    if mode == "minor":
        for k in set(rng.choices(MINOR, MINOR_W, k=rng.choice([1, 1, 2]))):
            items.append(make_item(rng, k))
    elif mode == "sig":
        items.append(make_item(rng, rng.choices(SIG, SIG_W)[0]))
    elif mode == "sided_sig":
        items.append(make_item(rng, rng.choices(SIDED_SIG, [SIG_W[SIG.index(k)] for k in SIDED_SIG])[0]))
    elif mode == "sided":
        k = rng.choice(["granuloma", "oldtb", "smalleff", "atel", "oldrib", "resolved", "pna", "pna", "nodule",
                        "modeff", "hilarcalc"])
        items.append(make_item(rng, k))
    if mode in ("sig", "sided_sig") and rng.random() < 0.4:
        k = rng.choices(MINOR, MINOR_W)[0]
        if k not in ("smalleff", "mildcm"):
            items.append(make_item(rng, k))
    # avoid two items on the same slot
    seen, uniq = set(), []
    for it in items:
        if it["slot"] and it["slot"] in seen:
            continue
        seen.add(it["slot"])
        uniq.append(it)
    items = uniq
    if any(it["key"] == "edema" for it in items) and not any(it["slot"] == "heart" for it in items):
        items.append(dict(key="cm", slot="heart", sig=False, concept="cardiomegaly", side=None,
                          f="The heart is enlarged.", i="Cardiomegaly."))
    hist = history_for(rng, items)
    prior = any(it["key"] in ("resolved", "newopac", "oldtb") for it in items) or rng.random() < 0.35
    comp = rng.choice(COMPARISONS_PRIOR) if prior else rng.choice(COMPARISONS_NONE)
    normals = {k: rng.choice(v) for k, v in NORMAL.items()}
    if any(it["key"] == "edema" for it in items):
        normals["pleura"] = "No pneumothorax."
    return dict(items=items, history=hist, comparison=comp, normals=normals,
                structured=rng.random() < 0.3, tb="TB" in hist or "PPD" in hist or "IGRA" in hist
                or "QuantiFERON" in hist or "TST" in hist)


def rng_pick(normal: str) -> str:
    if re.search(r"clear", normal, re.I):
        return "No focal consolidation." if len(normal) % 2 else "No focal airspace consolidation."
    return normal


def findings_text(case: dict, override: dict | None = None) -> str:
    """override: item key -> findings text to use; 'normals' overrides keyed by slot."""
    ov = override or {}
    items = case["items"]
    nm = dict(case["normals"])
    nm.update(ov.get("normals", {}))
    by_slot = {it["slot"]: it for it in items if it["slot"]}
    extra = [it for it in items if not it["slot"]]

    def ftext(it):
        return ov.get(it["key"], it["f"])

    groups = {}
    for slot in ["lungs", "pleura", "heart", "hila", "bones"]:
        sents = [ftext(by_slot[slot])] if slot in by_slot else [nm[slot]]
        if slot == "lungs" and slot not in by_slot and "lungs" not in ov.get("normals", {}) and any(
                it["key"] not in ("aorta", "hilarcalc", "hyperinfl") for it in extra):
            # a lung lesion is described: do not also call the lungs "clear"
            sents = [rng_pick(nm[slot])]
        if slot == "lungs":
            sents += [ftext(it) for it in extra if it["key"] not in ("aorta", "hilarcalc")]
        if slot == "heart":
            sents += [ftext(it) for it in extra if it["key"] == "aorta"]
        if slot == "hila":
            sents = [ftext(it) for it in extra if it["key"] == "hilarcalc"] or sents
        groups[slot] = [s for s in sents if s]
    if case["structured"]:
        labels = {"lungs": "LUNGS", "pleura": "PLEURA", "heart": "HEART AND MEDIASTINUM",
                  "hila": "HILA", "bones": "BONES/SOFT TISSUES"}
        lines = []
        for slot, sents in groups.items():
            if sents:
                lines.append(f"{labels[slot]}: " + " ".join(sents))
        return "\n".join(lines)
    order = ["heart", "hila", "lungs", "pleura", "bones"] if case.get("heart_first") else \
        ["lungs", "pleura", "heart", "hila", "bones"]
    return " ".join(s for slot in order for s in groups[slot])


def impression_text(rng: random.Random, case: dict, omit_sig: bool = False, override: dict | None = None) -> str:
    ov = override or {}
    items = case["items"]
    parts = []
    for it in items:
        if it["sig"] and not omit_sig:
            parts.append(ov.get(it["key"], it["i"]))
    for it in items:
        if not it["sig"] and (it["key"] in ov or it["key"] in ("resolved", "cm") or rng.random() < 0.55):
            parts.append(ov.get(it["key"], it["i"]))
    has_sig = any(it["sig"] for it in items) and not omit_sig
    if not parts:
        if items:  # minor findings left out of the impression: keep the wording non-committal
            parts.append(rng.choice(NONSPECIFIC_IMP))
        else:
            parts.append(rng.choice(NORMAL_IMP))
    elif not has_sig and rng.random() < 0.6:
        parts.append(rng.choice(["No acute cardiopulmonary process.", "No acute cardiopulmonary disease.",
                                 "No acute findings."]))
    if case["tb"] and not has_sig and not any(it["key"] == "cavity" for it in items) and rng.random() < 0.6:
        if not any("TB" in p or "tuberculosis" in p for p in parts):
            parts.append(rng.choice(TB_IMP))
    return number_list(rng, parts)


def render_synth(rng: random.Random, case: dict, findings: str | None, impression: str | None,
                 extra: dict | None = None) -> str:
    sec = dict(exam=rng.choice(EXAMS), history=case["history"], comparison=case["comparison"],
               technique=rng.choice(TECHNIQUES) if rng.random() < 0.6 else None,
               findings=findings, impression=impression)
    sec.update(extra or {})
    if sec["technique"]:
        sec["technique"] = "Single PA view of the chest." if "PA ONLY" in sec["exam"] else \
            rng.choice(TECHNIQUES[:4])
    return layout(rng, sec)


# --------------------------------------------------------------------------- synthetic kinds

def synth_clean(rng: random.Random) -> tuple[str, str]:
    r = rng.random()
    mode = "normal" if r < 0.55 else "minor" if r < 0.83 else "sig"
    case = synth_case(rng, mode)
    case["heart_first"] = rng.random() < 0.3
    f = findings_text(case)
    if mode == "normal" and rng.random() < 0.08:
        # impression-only report that itself describes the image: complete
        imp = rng.choice(["Lungs are clear. Normal heart size. No pleural effusion or pneumothorax.",
                          "Clear lungs. Normal cardiomediastinal silhouette. No effusion or pneumothorax."
                          " No radiographic evidence of active TB."])
        return render_synth(rng, case, None, imp), f"clean, phrase bank ({mode}), impression-only"
    imp = impression_text(rng, case)
    return render_synth(rng, case, f, imp), f"clean, phrase bank ({mode})"


def synth_missing(rng: random.Random) -> tuple[str, str]:
    case = synth_case(rng, rng.choice(["normal", "normal", "minor", "sig"]))
    f = findings_text(case)
    r = rng.random()
    if r < 0.4:
        return render_synth(rng, case, f, ""), "impression header left empty"
    if r < 0.7:
        return render_synth(rng, case, f, None), "impression section absent; report ends after findings"
    imp = rng.choice(["No significant change from prior.", "See above.", "Stable compared with prior.",
                      "As above.", "Unchanged."])
    case["comparison"] = rng.choice(COMPARISONS_PRIOR)
    if rng.random() < 0.6:
        return render_synth(rng, case, "", imp), f"findings header empty; impression '{imp}' does not describe"
    return render_synth(rng, case, None, imp), f"findings section absent; impression '{imp}' does not describe"


def synth_laterality(rng: random.Random) -> tuple[str, str]:
    case = synth_case(rng, rng.choice(["sided", "sided", "sided_sig"]))
    it = next(x for x in case["items"] if x["side"])
    ov_imp = {it["key"]: it["i"]}
    if rng.random() < 0.6:
        f = findings_text(case)
        imp = impression_text(rng, case, override={it["key"]: it["i_flip"]})
        other = "left" if it["side"] == "right" else "right"
        det = f"impression puts {it['key']} on the {other}; findings {it['side']}"
    else:
        f = findings_text(case, {it["key"]: it["f_flip"]})
        imp = impression_text(rng, case, override=ov_imp)
        det = f"findings put {it['key']} on the {'left' if it['side'] == 'right' else 'right'}; impression {it['side']}"
    return render_synth(rng, case, f, imp), det


def synth_negation(rng: random.Random) -> tuple[str, str]:
    v = rng.choice(["imp_eff", "imp_cm", "imp_hnorm", "imp_clear", "imp_pna", "imp_ptx", "imp_noeff",
                    "imp_nodule"])
    side = rng.choice(["right", "left"])
    if v == "imp_eff":
        case = synth_case(rng, "normal")
        case["normals"]["pleura"] = rng.choice(["No pleural effusion or pneumothorax.", "No pleural effusion."
                                                " No pneumothorax."])
        imp = number_list(rng, [f"Small {side} pleural effusion.", "Otherwise no acute process."])
        det = "findings: no pleural effusion; impression affirms an effusion"
    elif v == "imp_cm":
        case = synth_case(rng, "normal")
        case["normals"]["heart"] = rng.choice(["Heart size is normal.", "Cardiac silhouette is normal in size."])
        imp = number_list(rng, [rng.choice(["Mild cardiomegaly.", "Stable cardiomegaly."]), "No acute process."])
        det = "findings: heart size normal; impression: cardiomegaly"
    elif v == "imp_hnorm":
        case = synth_case(rng, "normal")
        case["items"] = [make_item(rng, "mildcm")]
        case["items"][0]["f"] = rng.choice(["The heart is enlarged.", "Moderate cardiomegaly.",
                                            "Cardiomegaly is present."])
        imp = rng.choice(["Normal heart size. No acute cardiopulmonary disease.",
                          "Heart size within normal limits. Lungs clear."])
        det = "findings: cardiomegaly; impression: heart size normal"
    elif v == "imp_clear":
        case = synth_case(rng, "sided_sig")
        case["items"] = [make_item(rng, "pna", side)]
        imp = rng.choice(["Lungs are clear. No acute cardiopulmonary disease.", "Clear lungs.",
                          "No focal consolidation or pneumonia."])
        det = "findings: consolidation/pneumonia; impression: lungs clear / no consolidation"
    elif v == "imp_pna":
        case = synth_case(rng, "normal")
        case["normals"]["lungs"] = rng.choice(["The lungs are clear.", "No focal consolidation.",
                                               "Lungs are clear without infiltrate."])
        imp = rng.choice([f"{_cap(side)} lower lobe pneumonia.",
                          f"{_cap(side)} basilar consolidation, likely pneumonia. Follow-up recommended."])
        det = "findings: lungs clear; impression: pneumonia"
    elif v == "imp_ptx":
        case = synth_case(rng, "normal")
        case["normals"]["pleura"] = rng.choice(["No pneumothorax or pleural effusion.",
                                                "No pleural effusion. No pneumothorax."])
        imp = f"Small {side} apical pneumothorax."
        det = "findings: no pneumothorax; impression: pneumothorax"
    elif v == "imp_noeff":
        case = synth_case(rng, "sig")
        case["items"] = [make_item(rng, rng.choice(["modeff", "smalleff"]), side)]
        imp = rng.choice(["No pleural effusion. No acute process.", "No effusion or pneumothorax.",
                          "Clear lungs. No pleural effusion."])
        det = "findings: pleural effusion; impression: no effusion"
    else:
        case = synth_case(rng, "normal")
        case["normals"]["hila"] = "No suspicious pulmonary nodule or mass."
        n = rng.randint(7, 14)
        imp = f"{n} mm {side} upper lobe nodule. Recommend CT chest."
        det = "findings: no nodule; impression: nodule"
    return render_synth(rng, case, findings_text(case), imp), det


def synth_omits(rng: random.Random) -> tuple[str, str]:
    case = synth_case(rng, "sig")
    sig = next(x for x in case["items"] if x["sig"])
    imp = impression_text(rng, case, omit_sig=True)
    if re.search(r"clear|no (pleural )?effusion|pneumothorax|consolidation|edema", imp, re.I):
        imp = rng.choice(NONSPECIFIC_IMP)
    if case["items"] and any(x["key"] == "cm" for x in case["items"]) and "ardiomegaly" not in imp:
        imp = number_list(rng, ["Cardiomegaly.", "No acute process."]) if rng.random() < 0.5 else imp
    return render_synth(rng, case, findings_text(case), imp), f"findings {sig['key']}: '{sig['f']}'; impression omits"


PH = ["***", "[***]", "[ ]", "[  ]", "{***}", "<<>>", "[*]"]


def synth_placeholder(rng: random.Random) -> tuple[str, str]:
    case = synth_case(rng, rng.choice(["normal", "normal", "minor", "sig", "sided"]))
    f = findings_text(case)
    imp = impression_text(rng, case)
    extra = {}
    ph = rng.choice(PH)
    opts = ["comparison", "history", "finding_word", "imp_word", "nodule_size", "side"]
    v = rng.choice(opts)
    if v == "comparison":
        ph = extra["comparison"] = rng.choice([ph, "[date of prior]", "[DATE]", ph])
    elif v == "history":
        ph = extra["history"] = rng.choice([ph, "[Reason for exam]", "[CLINICAL HISTORY]"])
    elif v == "nodule_size" or v == "side":
        sided = [x for x in case["items"] if x["side"]]
        if not sided and v == "side":
            v = "finding_word"
        elif sided and v == "side":
            it = sided[0]
            ph = rng.choice(["[right/left]", "[left/right]", ph])
            f = f.replace(it["f"], re.sub(r"\b(right|left)\b", ph, it["f"], count=1))
        else:
            n = rng.randint(7, 12)
            case["items"].append(dict(key="nod", slot=None, sig=True, concept="nodule", side="right",
                                      f=f"There is a {ph} mm nodule in the right upper lobe.",
                                      i=f"Right upper lobe nodule measuring {n} mm. CT chest recommended."))
            f = findings_text(case)
            imp = impression_text(rng, case)
            v = "nodule_size"
    if v == "finding_word":
        subs = [("is normal", f"is {ph}"), ("are clear", f"are {ph}"), ("No pleural effusion", f"No {ph}"),
                ("within normal limits", ph), ("intact", ph), ("unremarkable", ph)]
        rng.shuffle(subs)
        for a, b in subs:
            if a in f:
                f = f.replace(a, b, 1)
                break
        else:
            f = f + f" {ph}."
    elif v == "imp_word":
        if rng.random() < 0.5:
            imp = imp.replace("No acute", f"No {ph}", 1) if "No acute" in imp else imp + f" {ph}"
        else:
            k = len(imp.split("\n"))
            imp = imp + f"\n{k + 1}. {ph}" if "\n" in imp else "1. " + imp + f"\n2. {ph}"
    return render_synth(rng, case, f, imp, extra), f"unfilled template field ({v}) '{ph}'"


# --------------------------------------------------------------------------- real IU reports

NEG = re.compile(r"\b(no|not|without|negative|free of|clear of|resolved|resolution|removed|rather than|versus|vs|"
                 r"or|may|might|could|possibl[ey]|question|questionable|cannot|\?|unlikely|exclude|prior|previous|"
                 r"chronic|old|stable|unchanged|healed|small|trace|tiny|minimal|mild|scar|scarring)\b", re.I)
SIG_RE = re.compile(r"\b(pneumothorax|consolidation|consolidative|edema|pneumonia|airspace disease|infiltrates?|"
                    r"effusions?|mass)\b", re.I)
NORMAL_IMP_RE = re.compile(r"^(\d\.\s*)?(no acute|normal|negative|no active|no evidence of acute|"
                           r"no radiographic evidence)[^.]*\.?$", re.I)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.])\s+", text) if s.strip()]


def affirmed_sig(text: str) -> list[str]:
    out = []
    for s in sentences(text):
        if SIG_RE.search(s) and not NEG.search(s):
            out.append(s)
    return out


def reword(rng: random.Random, text: str) -> str:
    text = re.sub(r"\.\s*\.", ".", text)
    text = re.sub(r"chest x-XXXX", "chest radiograph", text)
    subs = [("No acute cardiopulmonary abnormality", "No acute cardiopulmonary process"),
            ("No acute cardiopulmonary disease", "No acute cardiopulmonary process"),
            ("No acute cardiopulmonary findings", "No acute cardiopulmonary process"),
            ("within normal limits", "normal"),
            ("No pneumothorax or pleural effusion", "No pleural effusion or pneumothorax"),
            ("The heart is normal in size", "Heart size is normal"),
            ("There is no pneumothorax", "No pneumothorax"),
            ("There is no pleural effusion", "No pleural effusion"),
            ("There is no focal", "No focal")]
    for a, b in subs:
        if a in text and rng.random() < 0.6:
            text = text.replace(a, b)
    return text


def _clean_ok(r: dict) -> bool:
    f, i = r["findings"], r["impression"]
    if len(f) < 30 or len(i) < 5 or len(f) > 900 or len(i) > 500:
        return False
    if re.search(r"\[|\*\*\*|_{2,}", f + i):
        return False
    aff = affirmed_sig(f)
    if aff and not SIG_RE.search(i):
        return False
    # both sides mentioned for the same word in the two sections: leave out (natural ambiguity)
    sf = set(re.findall(r"\b(right|left)\b", f.lower()))
    si = set(re.findall(r"\b(right|left)\b", i.lower()))
    if si and sf and si != sf and len(sf) == 1:
        return False
    return True


def real_render(rng: random.Random, r: dict, findings: str | None, impression: str | None,
                extra: dict | None = None) -> str:
    hist = r["indication"] or rng.choice(HISTORIES_COUGH + HISTORIES_TB)
    comp = r["comparison"] or rng.choice(COMPARISONS_NONE)
    sec = dict(exam=rng.choice(EXAMS[:4]), history=hist, comparison=comp,
               technique=rng.choice(TECHNIQUES[:4]) if rng.random() < 0.5 else None,
               findings=findings, impression=impression)
    sec.update(extra or {})
    return layout(rng, sec)


def imp_fmt(rng: random.Random, imp: str) -> str:
    # IU numbered impressions run on one line ("1. ... 2. ..."): often break them into lines
    if re.search(r"\b2\.\s", imp) and rng.random() < 0.6:
        imp = re.sub(r"\s+(?=\d\.\s)", "\n", imp)
    return imp


def real_clean(rng, r):
    f, i = reword(rng, r["findings"]), reword(rng, r["impression"])
    return real_render(rng, r, f, imp_fmt(rng, i)), f"clean, IU {r['uid']} re-laid-out"


def real_missing(rng, r):
    f = reword(rng, r["findings"])
    if rng.random() < 0.5:
        return real_render(rng, r, f, ""), f"IU {r['uid']}: impression emptied"
    return real_render(rng, r, f, None), f"IU {r['uid']}: impression section removed"


def _flip(text: str) -> str:
    def sw(m):
        w = m.group(0)
        o = {"right": "left", "left": "right"}[w.lower()]
        return o.capitalize() if w[0].isupper() else o
    return re.sub(r"\b(right|left)\b", sw, text, flags=re.I)


LAT_NOUNS = r"(opacit|effusion|pneumothorax|nodul|granuloma|atelecta|consolidat|infiltrat|airspace|pneumonia|" \
            r"mass|scar|fracture|lobe|base|basilar|apex|apical|hilar|hemidiaphragm|costophrenic)"


def lat_ok(r: dict) -> str | None:
    f, i = r["findings"], r["impression"]
    sides = set(re.findall(r"\b(right|left)\b", (f + " " + i).lower()))
    if len(sides) != 1 or "bilateral" in (f + i).lower():
        return None
    side = sides.pop()
    fs = [s for s in sentences(f) if re.search(rf"\b{side}\b", s, re.I)]
    is_ = [s for s in sentences(i) if re.search(rf"\b{side}\b", s, re.I)]
    if not fs or not is_:
        return None
    fn = {m.group(1).lower() for s in fs for m in re.finditer(LAT_NOUNS, s, re.I)}
    inn = {m.group(1).lower() for s in is_ for m in re.finditer(LAT_NOUNS, s, re.I)}
    return side if fn & inn else None


def real_laterality(rng, r):
    side = lat_ok(r)
    f, i = reword(rng, r["findings"]), reword(rng, r["impression"])
    other = "left" if side == "right" else "right"
    if rng.random() < 0.6:
        return real_render(rng, r, f, imp_fmt(rng, _flip(i))), \
            f"IU {r['uid']}: impression side flipped to {other}; findings {side}"
    return real_render(rng, r, _flip(f), imp_fmt(rng, i)), \
        f"IU {r['uid']}: findings side flipped to {other}; impression {side}"


NEG_PATTERNS = [
    (re.compile(r"\bno (evidence of )?(pleural )?effusions?\b|"
                r"no (pneumothorax|focal \w+) or (pleural )?effusion", re.I),
     ["Small {s} pleural effusion.", "Small bilateral pleural effusions.", "Moderate {s} pleural effusion."],
     "findings negate effusion; impression affirms effusion"),
    (re.compile(r"\bno (evidence of )?pneumothorax|no pleural effusion or pneumothorax|"
                r"no (pneumothorax|pleural effusion),? or", re.I),
     ["Small {s} apical pneumothorax.", "{S} pneumothorax."], "findings negate pneumothorax; impression affirms it"),
    (re.compile(r"\b(heart|cardiac) (size|silhouette) (is )?(normal|within normal limits)|"
                r"normal heart size|heart is normal in size", re.I),
     ["Cardiomegaly.", "Mild cardiomegaly.", "Enlarged cardiac silhouette."],
     "findings say heart size normal; impression says cardiomegaly"),
    (re.compile(r"\blungs are clear|no focal (airspace )?(consolidation|opacity|infiltrate)|clear lungs", re.I),
     ["{S} lower lobe pneumonia.", "{S} basilar consolidation.", "Patchy {s} lower lobe airspace disease."],
     "findings say lungs clear / no consolidation; impression affirms consolidation"),
]


def neg_ok(r: dict) -> bool:
    f, i = r["findings"], r["impression"]
    return bool(NORMAL_IMP_RE.match(i.strip())) and any(p.search(f) for p, _, _ in NEG_PATTERNS) \
        and not affirmed_sig(f) and len(f) < 700


def real_negation(rng, r):
    f = r["findings"]
    opts = [(p, imps, d) for p, imps, d in NEG_PATTERNS if p.search(f)]
    _, imps, d = rng.choice(opts)
    side = rng.choice(["right", "left"])
    new = rng.choice(imps).format(s=side, S=_cap(side))
    tail = rng.choice(["", " No other acute abnormality.", ""])
    return real_render(rng, r, reword(rng, f), new + tail), f"IU {r['uid']}: {d} (impression replaced: '{new}')"


def omit_ok(r: dict) -> bool:
    f, i = r["findings"], r["impression"]
    aff = affirmed_sig(f)
    if not aff or len(f) > 900:
        return False
    kws = {m.group(1).lower().rstrip("s") for s in aff for m in SIG_RE.finditer(s)}
    return any(k in i.lower() for k in kws) and not NORMAL_IMP_RE.match(i.strip())


def real_omits(rng, r):
    f = reword(rng, r["findings"])
    imp = rng.choice(NORMAL_IMP[:4] + ["No acute cardiopulmonary process."])
    aff = affirmed_sig(r["findings"])
    return real_render(rng, r, f, imp), f"IU {r['uid']}: impression replaced by '{imp}'; findings: '{aff[0]}'"


def real_placeholder(rng, r):
    f, i = reword(rng, r["findings"]), reword(rng, r["impression"])
    ph = rng.choice(PH)
    extra = {}
    cands = []
    if re.search(r"\b\d+(\.\d+)? ?(mm|cm)\b", f):
        cands.append("size")
    if re.search(r"\b(right|left)\b", f):
        cands.append("side")
    cands += ["word_f", "word_f", "word_i", "comparison"]
    v = rng.choice(cands)
    if v == "size":
        f = re.sub(r"\b\d+(\.\d+)?(?= ?(mm|cm)\b)", ph, f, count=1)
    elif v == "side":
        ph = rng.choice(["[right/left]", "[left/right]", ph])
        f = re.sub(r"\b(right|left)\b", ph, f, count=1)
    elif v == "comparison":
        ph = extra["comparison"] = rng.choice([ph, "[DATE]", "[date of prior]"])
    elif v == "word_f":
        words = [m for m in re.finditer(r"\b(normal|clear|unremarkable|intact|stable|mild|small|"
                                        r"effusion|pneumothorax|consolidation|size|lungs)\b", f)]
        if words:
            m = rng.choice(words)
            f = f[:m.start()] + ph + f[m.end():]
        else:
            f = f.rstrip() + f" {ph}"
    else:
        words = [m for m in re.finditer(r"\b(acute|normal|stable|cardiopulmonary|disease|process|"
                                        r"abnormality)\b", i)]
        if words:
            m = rng.choice(words)
            i = i[:m.start()] + ph + i[m.end():]
        else:
            i = i.rstrip() + f" {ph}"
    return real_render(rng, r, f, imp_fmt(rng, i), extra), f"IU {r['uid']}: unfilled field ({v}) '{ph}'"


# --------------------------------------------------------------------------- build

SYNTH = {None: synth_clean, "missing_section": synth_missing, "laterality_conflict": synth_laterality,
         "negation_conflict": synth_negation, "impression_omits_finding": synth_omits,
         "placeholder": synth_placeholder}
REAL = {None: real_clean, "missing_section": real_missing, "laterality_conflict": real_laterality,
        "negation_conflict": real_negation, "impression_omits_finding": real_omits,
        "placeholder": real_placeholder}


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h97-{seed}")
    dev = dev_uids()
    pool = [r for r in iu_reports() if r["uid"] not in dev and r["findings"] and r["impression"]]
    rng.shuffle(pool)
    used: set[str] = set()

    def take(pred, n):
        out = []
        for r in pool:
            if len(out) == n:
                break
            if r["uid"] not in used and pred(r):
                used.add(r["uid"])
                out.append(r)
        if len(out) < n:
            raise RuntimeError(f"not enough IU reports for {pred.__name__}")
        return out

    def is_normal(r):
        return _clean_ok(r) and bool(NORMAL_IMP_RE.match(r["impression"].strip()))

    def is_abn(r):
        return _clean_ok(r) and not NORMAL_IMP_RE.match(r["impression"].strip())

    def base_ok(r):
        return 30 <= len(r["findings"]) <= 900 and 5 <= len(r["impression"]) <= 400 and \
            not re.search(r"\[|\*\*\*|_{2,}", r["findings"] + r["impression"])

    def miss_ok(r):
        return base_ok(r) and _clean_ok(r)

    def plac_ok(r):
        return base_ok(r) and _clean_ok(r)

    real_for = {
        None: take(is_normal, 65) + take(is_abn, 35),
        "laterality_conflict": take(lambda r: base_ok(r) and lat_ok(r) is not None, 20),
        "negation_conflict": take(lambda r: base_ok(r) and neg_ok(r), 20),
        "impression_omits_finding": take(lambda r: base_ok(r) and omit_ok(r), 20),
        "missing_section": take(miss_ok, 20),
        "placeholder": take(plac_ok, 20),
    }
    plan = []
    for kind in [None] + KINDS:
        n = N_CLEAN if kind is None else N_PER_KIND
        for r in real_for[kind]:
            plan.append((kind, "real", r))
        for _ in range(n - len(real_for[kind])):
            plan.append((kind, "synth", None))
    rng.shuffle(plan)
    rows = []
    for n, (kind, src, r) in enumerate(plan):
        crng = random.Random(f"h97-{seed}-{n}")
        if src == "real":
            report, detail = REAL[kind](crng, r)
        else:
            report, detail = SYNTH[kind](crng)
        rows.append({"id": f"h97-{seed}-{n}", "injected": kind, "detail": detail, "report": report})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for row in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"===== {row['id']} [{kind}] {row['detail']}\n{row['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
