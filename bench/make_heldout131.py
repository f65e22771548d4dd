"""Held-out report-error set 131: haematology-oncology / BMT ward chest films, written blind.

usage: python -m bench.make_heldout131 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines {"id", "injected", "detail", "report"}: 200 clean reports and 40 of each of the
five error kinds (missing_section, laterality_conflict, negation_conflict, impression_omits_finding,
placeholder). In every group half the reports are composed from a phrase bank written in the style of
haematology / stem-cell transplant units (UK and US), half are real IU reports (never a dev-set uid,
each used at most once) re-laid out and lightly re-worded in that style.

The shared folder is ``$MEDRAG_SHARED_DIR`` or ``../shared`` beside the repository root.
Standard library only.
"""
from __future__ import annotations

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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40
REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


# ----------------------------------------------------------------------------------------------
# layout: headers, titles, sign-offs
# ----------------------------------------------------------------------------------------------

UK_TITLES = [
    "XR CHEST", "CXR PA", "Chest X-ray (PA)", "XR Chest AP (mobile)", "Mobile chest radiograph (AP), Haematology ward",
    "CHEST RADIOGRAPH PA", "XR Chest - BMT unit (mobile AP)", "Chest PA",
]
US_TITLES = [
    "EXAM: XR CHEST 1 VIEW PORTABLE", "EXAMINATION: CHEST PA AND LATERAL", "EXAM: CHEST RADIOGRAPH, SINGLE AP VIEW",
    "XR CHEST 2 VIEWS", "EXAM: PORTABLE CHEST, BMT UNIT", "CHEST X-RAY, AP UPRIGHT",
]
UK_INDICATION_HDR = ["Clinical details:", "Clinical Details:", "CLINICAL DETAILS:", "Clinical history:", "Indication:",
                     "Clinical information:"]
US_INDICATION_HDR = ["HISTORY:", "INDICATION:", "CLINICAL HISTORY:", "REASON FOR EXAM:", "CLINICAL INDICATION:"]
UK_COMP_HDR = ["Comparison:", "Previous:", "Compared with:", "Prior imaging:"]
US_COMP_HDR = ["COMPARISON:", "COMPARISON:", "PRIORS:"]
UK_FIND_HDR = ["Findings:", "FINDINGS:", "Findings:", "Report:"]
US_FIND_HDR = ["FINDINGS:", "FINDINGS:", "Findings:"]
UK_IMP_HDR = ["Conclusion:", "CONCLUSION:", "Impression:", "Opinion:", "Comment:", "IMPRESSION:"]
US_IMP_HDR = ["IMPRESSION:", "IMPRESSION:", "Impression:", "CONCLUSION:"]
UK_TECH = ["", "", "Technique: AP mobile, semi-erect.", "Single AP view, patient in bed.", "PA erect."]
US_TECH = ["", "TECHNIQUE: Single portable AP view of the chest.", "TECHNIQUE: PA and lateral views.",
           "TECHNIQUE: Portable semi-upright AP radiograph."]
UK_SIGN = [
    "Dr R Patel, Consultant Radiologist",
    "Reported by: Dr S Okafor, ST4 Radiology\nVerified by: Dr H Walsh, Consultant",
    "Dr E Campbell FRCR, Consultant Radiologist", "Dr J Mahmood, Consultant Radiologist (Haemato-oncology imaging)",
    "Reported by Dr A Brennan, Radiology Registrar", "Dr XXXX, Consultant Radiologist",
    "Electronically signed: Dr C Lloyd, Consultant Radiologist",
]
US_SIGN = [
    "Electronically signed by: Karen Liu, MD", "Dictated by: Michael Grant, MD\nSigned by: Michael Grant, MD",
    "Attending radiologist: Priya Raman, MD. I have personally reviewed the images and agree with the report.",
    "Resident: Tom Becker, MD\nAttending: Laura Chen, MD", "Electronically signed by XXXX, MD on XXXX",
    "Read by: David Ortiz, DO",
]

UK_COMPARISONS = ["None available.", "Film of yesterday.", "Previous film 3 days ago.", "CXR dated XXXX.",
                  "Pre-transplant baseline film.", "None.", "Yesterday's mobile film.", "Admission film, day +2."]
US_COMPARISONS = ["None.", "Chest radiograph from 1 day prior.", "XXXX.", "Prior chest x-ray from XXXX.",
                  "Pretransplant baseline radiograph.", "Radiograph from 2 days prior.", "None available."]


def _pick(rng, seq):
    return seq[rng.randrange(len(seq))]


def new_layout(rng, locale):
    uk = locale == "uk"
    lay = {
        "locale": locale,
        "title": _pick(rng, UK_TITLES if uk else US_TITLES),
        "ind_hdr": _pick(rng, UK_INDICATION_HDR if uk else US_INDICATION_HDR),
        "comp_hdr": _pick(rng, UK_COMP_HDR if uk else US_COMP_HDR),
        "find_hdr": _pick(rng, UK_FIND_HDR if uk else US_FIND_HDR),
        "imp_hdr": _pick(rng, UK_IMP_HDR if uk else US_IMP_HDR),
        "tech": "",
        "sign": _pick(rng, UK_SIGN if uk else US_SIGN),
        "find_lines": rng.random() < 0.35,  # one finding per line instead of a paragraph
        "numbered": rng.random() < 0.5,  # numbered impression when it has 2+ items
        "inline": rng.random() < 0.3,  # "Findings: text" on the header line
        "comp_first": rng.random() < 0.6,
    }
    tech = _pick(rng, UK_TECH if uk else US_TECH)
    mobile = bool(re.search(r"\bAP\b|PORTABLE|1 VIEW|mobile", lay["title"]))
    if mobile == bool(re.search(r"\bAP\b|[Pp]ortable", tech)):
        lay["tech"] = tech
    return lay


def render(lay, indication, comparison, findings, impression, drop=None):
    """findings: list of sentences; impression: list of statements.

    drop: None, "findings_empty", "impression_empty", "impression_removed", "impression_sign_only".
    """
    out = [lay["title"]]
    if lay["comp_first"]:
        out.append(f"{lay['ind_hdr']} {indication}")
        if comparison:
            out.append(f"{lay['comp_hdr']} {comparison}")
    else:
        out.append(f"{lay['ind_hdr']} {indication}")
    if lay["tech"]:
        out.append(lay["tech"])
    if comparison and not lay["comp_first"]:
        out.append(f"{lay['comp_hdr']} {comparison}")
    out.append("")
    if drop == "findings_empty":
        out.append(lay["find_hdr"])
    else:
        body = "\n".join(findings) if lay["find_lines"] else " ".join(findings)
        if lay["inline"] and not lay["find_lines"]:
            out.append(f"{lay['find_hdr']} {body}")
        else:
            out.append(lay["find_hdr"])
            out.append(body)
    out.append("")
    sign_block = ["", lay["sign"]]
    if drop == "impression_removed":
        return "\n".join(out).rstrip() + "\n" + "\n".join(sign_block)
    if drop in ("impression_empty", "impression_sign_only"):
        out.append(lay["imp_hdr"])
        if drop == "impression_sign_only":
            out.append(lay["sign"])
            return "\n".join(out)
        return "\n".join(out + ["", "", lay["sign"]])
    if len(impression) > 1 and lay["numbered"]:
        imp = "\n".join(f"{k + 1}. {s}" for k, s in enumerate(impression))
        out.append(lay["imp_hdr"])
        out.append(imp)
    else:
        imp = " ".join(impression)
        if lay["inline"]:
            out.append(f"{lay['imp_hdr']} {imp}")
        else:
            out.append(lay["imp_hdr"])
            out.append(imp)
    return "\n".join(out + sign_block)


# ----------------------------------------------------------------------------------------------
# phrase bank (composed reports)
# ----------------------------------------------------------------------------------------------

def cap(s):
    return s[:1].upper() + s[1:]


def oe(locale):
    return "oedema" if locale == "uk" else "edema"


NORMALS = {
    "heart": ["Heart size is normal.", "The heart is not enlarged.", "Cardiac size within normal limits.",
              "Normal heart size.", "The cardiomediastinal contours are normal."],
    "lungs": ["The lungs are clear.", "Lungs clear.", "No focal consolidation.", "The lungs are clear with no focal "
              "airspace opacity.", "No focal lung lesion or consolidation."],
    "pleura": ["No pleural effusion.", "Costophrenic angles are clear.", "CP angles clear.", "No pleural fluid."],
    "ptx": ["No pneumothorax.", "No pneumothorax is seen.", "There is no pneumothorax."],
    "bones": ["No acute bony abnormality.", "Bones unremarkable.", "Visualised skeleton unremarkable.",
              "No destructive bone lesion."],
    "mediastinum": ["Mediastinum not widened.", "Normal mediastinal contour.", "Hila are unremarkable."],
}
NORMAL_LUNGS_OTHERWISE = ["The lungs are otherwise clear.", "Remainder of the lungs clear.", "Elsewhere the lungs "
                          "are clear."]

NORMAL_IMPRESSION_UK = ["No acute cardiopulmonary abnormality.", "Normal chest radiograph.",
                        "No acute abnormality demonstrated.", "No radiographic evidence of active chest infection.",
                        "Unremarkable chest radiograph. No focus of infection seen.", "No significant abnormality."]
NORMAL_IMPRESSION_US = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
                        "Normal chest radiograph.", "No radiographic evidence of pneumonia.",
                        "No acute intrathoracic abnormality."]
# normal statements that do not name any particular finding (used where the impression leaves a finding out)
GENERIC_NORMAL = ["No acute cardiopulmonary abnormality.", "No acute abnormality.", "No significant abnormality.",
                  "No acute cardiopulmonary process.", "Satisfactory appearances.", "No acute intrathoracic process."]

LINES = {
    "hickman": {
        "f": ["Tunnelled {side} internal jugular Hickman line, tip projecting over the {pos}.",
              "{Side}-sided Hickman line in situ with its tip at the {pos}.",
              "The {side} Hickman catheter tip lies at the {pos}."],
        "i": ["{Side} Hickman line tip at the {pos}.", "Hickman line in satisfactory position.",
              "Satisfactory position of the {side} Hickman line."],
    },
    "picc": {
        "f": ["{Side} arm PICC with tip in the {pos}.", "{Side} basilic PICC, tip projected over the {pos}.",
              "A {side}-sided PICC line is seen, its tip at the {pos}."],
        "i": ["PICC tip in the {pos}.", "{Side} PICC in satisfactory position.", "PICC line appropriately sited."],
    },
    "port": {
        "f": ["{Side} chest wall port with catheter tip at the {pos}.",
              "{Side} subclavian port-a-cath, catheter tip projecting at the {pos}.",
              "Implanted {side} chest port, tip at the {pos}."],
        "i": ["Port catheter tip at the {pos}.", "{Side} port in satisfactory position."],
    },
}
LINE_POS = ["cavoatrial junction", "lower SVC", "SVC/right atrial junction", "distal superior vena cava"]

# sided items: "f" findings variants, "i" impression variants (other words), "neg_i" impression negations.
SIDED = {
    "consolidation": {
        "sig": True,
        "f": ["Patchy airspace opacification in the {side} lower zone.", "New consolidation at the {side} base.",
              "Ill-defined airspace shadowing in the {side} mid and lower zones, new since the previous film.",
              "There is dense consolidation in the {side} lower lobe with air bronchograms."],
        "i": ["{Side} basal consolidation, in keeping with infection in this neutropenic patient.",
              "New {side} lower zone consolidation, likely infective.",
              "{Side} lower lobe pneumonia.", "Airspace disease at the {side} base, consistent with pneumonia."],
        "neg_i": ["No consolidation.", "Lungs clear.", "No radiographic evidence of pneumonia.",
                  "No focal consolidation to suggest infection."],
        "ph_f": ["Patchy airspace opacification in the [side] lower zone.", "New consolidation at the <<side>> base."],
    },
    "nodules": {
        "sig": True,
        "f": ["Several rounded nodular opacities in the {side} upper zone, the largest measuring {size} mm.",
              "A {size} mm nodule is present in the {side} mid zone, not seen previously.",
              "New ill-defined nodular opacity in the {side} upper lobe measuring {size} mm."],
        "i": ["New {side} upper zone nodules; in the context of prolonged neutropenia, invasive fungal infection "
              "is a concern. CT chest recommended.",
              "{Side} lung nodule(s), ?fungal. Suggest HRCT chest.",
              "Nodular opacity in the {side} lung; angioinvasive fungal infection should be considered. "
              "Recommend CT."],
        "neg_i": ["No lung nodule.", "No pulmonary nodules or masses.", "Lungs clear."],
        "ph_f": ["Several rounded nodular opacities in the {side} upper zone, the largest measuring XX mm.",
                 "A <<size>> mm nodule is present in the {side} mid zone, not seen previously."],
    },
    "effusion": {
        "sig": True,
        "f": ["Moderate {side} pleural effusion.", "Moderate-sized {side} pleural effusion, increased since the "
              "previous film.", "Large {side} pleural effusion with underlying basal collapse.",
              "There is a moderate {side} pleural effusion, new compared with the baseline film."],
        "i": ["Moderate {side} pleural effusion.", "{Side} pleural effusion, increased.",
              "{Side}-sided pleural fluid, moderate in volume."],
        "neg_i": ["No pleural effusion.", "No pleural fluid.", "Costophrenic angles clear."],
        "ph_f": ["[size] {side} pleural effusion.", "Moderate [side] pleural effusion."],
    },
    "pneumothorax": {
        "sig": True,
        "f": ["Small {side} apical pneumothorax, measuring {size} cm from the apex.",
              "There is a {side} apical pneumothorax with a rim of {size} cm.",
              "A thin {side} apical pneumothorax is present following line insertion, measuring {size} cm."],
        "i": ["{Side} pneumothorax following line insertion. Clinical team informed.",
              "Small {side} apical pneumothorax; repeat film advised.", "{Side} apical pneumothorax."],
        "neg_i": ["No pneumothorax.", "No pneumothorax following line insertion."],
        "ph_f": ["Small {side} apical pneumothorax, measuring XX cm from the apex.",
                 "There is a {side} apical pneumothorax with a rim of <<size>> cm."],
    },
}
UNSIDED = {
    "oedema": {
        "sig": True,
        "f": ["Upper lobe venous diversion with interstitial {oe} and septal lines.",
              "Bilateral perihilar haziness and Kerley B lines in keeping with interstitial {oe}.",
              "Increased pulmonary vascular markings, peribronchial cuffing and septal lines, increased since the "
              "last film."],
        "i": ["Pulmonary {oe} in keeping with fluid overload.", "Features of fluid overload.",
              "Interstitial pulmonary {oe}, increased.", "Changes of fluid overload / pulmonary venous congestion."],
        "neg_i": ["No pulmonary {oe}.", "No evidence of fluid overload.", "No features of cardiac failure."],
        "group": "lungs",
        "ph_f": ["Upper lobe venous diversion with [***] and septal lines."],
    },
    "airspace_bilateral": {
        "sig": True,
        "f": ["New bilateral perihilar airspace opacities.", "Widespread bilateral airspace shadowing, new since "
              "the film of two days ago.", "Diffuse bilateral ground-glass and airspace opacification."],
        "i": ["New bilateral airspace opacification. Differential includes engraftment syndrome, pulmonary {oe} "
              "and atypical infection.",
              "Bilateral airspace disease: infection, {oe} and engraftment syndrome are the main considerations.",
              "Diffuse bilateral airspace change, ?engraftment syndrome ?infection."],
        "neg_i": ["Lungs clear.", "No airspace disease.", "No consolidation."],
        "group": "lungs",
        "ph_f": ["New bilateral <<distribution>> airspace opacities."],
    },
    "mediastinum": {
        "sig": True,
        "f": ["The superior mediastinum is widened, in keeping with the known mediastinal lymphadenopathy.",
              "Widened mediastinum with lobulated right paratracheal and AP window contours, increased since "
              "the previous film."],
        "i": ["Mediastinal widening in keeping with known lymphoma.",
              "Widened mediastinum due to known mediastinal lymphadenopathy. Correlate with staging CT."],
        "neg_i": ["Mediastinum not widened.", "Normal mediastinal contours."],
        "group": "mediastinum",
        "ph_f": ["The superior mediastinum is widened, measuring XX cm."],
    },
    "cardiomegaly": {
        "sig": False,
        "f": ["Mild cardiomegaly, unchanged.", "Borderline cardiomegaly, stable.",
              "Heart size is at the upper limit of normal, stable."],
        "i": ["Stable mild cardiomegaly.", "Stable borderline heart size."],
        "neg_i": ["Normal heart size.", "Heart size is normal."],
        "group": "heart",
        "ph_f": ["[Mild/moderate] cardiomegaly, unchanged."],
    },
    "small_effusions": {
        "sig": False,
        "f": ["Small bilateral pleural effusions.", "Blunting of both costophrenic angles from small effusions."],
        "i": ["Small bilateral effusions.", "Small bilateral pleural effusions."],
        "neg_i": ["No pleural effusion.", "No pleural effusions."],
        "group": "pleura",
        "ph_f": ["Small bilateral pleural effusions, [***]."],
    },
    "lytic": {
        "sig": False,
        "f": ["Multiple lytic lesions in the ribs and proximal humeri in keeping with known myeloma.",
              "Known myeloma deposits in the ribs again noted; no pathological fracture seen."],
        "i": ["Known myeloma bone disease.", "Lytic bone lesions consistent with known myeloma."],
        "neg_i": ["No bone lesion.", "No destructive bone lesion."],
        "group": "bones",
        "ph_f": ["Multiple lytic lesions in the [***] in keeping with known myeloma."],
    },
    "atelectasis": {
        "sig": False,
        "f": ["Minor bibasal linear atelectasis.", "Some bibasal subsegmental atelectasis."],
        "i": ["Minor bibasal atelectasis.", "Bibasal subsegmental atelectasis only."],
        "neg_i": ["No atelectasis."],
        "group": "lungs_minor",
        "ph_f": ["Minor bibasal [***] atelectasis."],
    },
}
SIDED_GROUP = {"consolidation": "lungs", "nodules": "lungs", "effusion": "pleura", "pneumothorax": "ptx"}

# assertions for negation conflicts (impression asserts what the findings negate); key = normal group
ASSERT = {
    "lungs": ["{Side} lower zone consolidation, likely infective.", "{Side} basal pneumonia.",
              "Airspace opacity in the {side} mid zone, in keeping with infection."],
    "pleura": ["Moderate {side} pleural effusion.", "{Side} pleural effusion."],
    "ptx": ["Small {side} apical pneumothorax.", "{Side} pneumothorax post line insertion."],
    "heart": ["Cardiomegaly.", "Enlarged cardiac silhouette, ?pericardial effusion."],
    "mediastinum": ["Widened mediastinum."],
}

INDICATIONS = {
    "fever": ["AML, day 10 post induction chemotherapy. Neutropenic fever, ?chest source.",
              "Febrile neutropenia. Cough. ?chest focus", "Neutropenic sepsis, temp 38.9. CRP rising.",
              "ALL on induction, pyrexial, neutrophils 0.1. Chest source?",
              "Allo-SCT day +8. Febrile, new O2 requirement.", "Fever of unknown origin, neutropenic. Please assess.",
              "Myeloma post auto-SCT day +6, spiking temperatures."],
    "fungal": ["Persistent neutropenic fever despite 5 days of meropenem. ?fungal infection.",
               "Prolonged neutropenia, raised galactomannan. ?aspergillus.",
               "AML, day 18 of neutropenia, ongoing fevers on broad-spectrum antibiotics."],
    "overload": ["Allo-SCT day +12. Weight up 4 kg, hypoxic. ?fluid overload.",
                 "Positive fluid balance on TPN, SOB. ?overload",
                 "Post ATG, increasing O2 requirement, bilateral creps."],
    "engraftment": ["Day +11 post auto-SCT, fever, rash and hypoxia. ?engraftment syndrome.",
                    "Engrafting, new hypoxia and bilateral crackles."],
    "line": ["Post {line} insertion. Tip position please.", "{line} inserted today. Check position.",
             "{line} inserted in theatre. ?tip position ?pneumothorax.",
             "Line check post {line} insertion for BMT conditioning.", "AML. New {line}, please check tip."],
    "baseline": ["Pre-transplant baseline. Myeloma, for autologous SCT.", "DLBCL, pre R-CHOP baseline.",
                 "Pre allo-SCT work-up. AML in CR1.", "New diagnosis of Hodgkin lymphoma. Baseline chest.",
                 "Pre-chemotherapy baseline. MDS."],
    "sob": ["Breathless, known lymphoma.", "CLL, cough and SOB.", "Pleuritic chest pain, haematology in-patient.",
            "Reduced air entry on one side, ?effusion.", "Myeloma, rib pain."],
}


def _line_ind(rng, kind):
    name = _pick(rng, {"hickman": ["Hickman line", "tunnelled CVC (Hickman)"], "picc": ["PICC", "PICC line"],
                       "port": ["Port-a-cath", "portacath", "implanted port"]}[kind])
    return cap(_pick(rng, INDICATIONS["line"]).replace("{line}", name))


def _side_fill(text, side, locale, size=None, pos=None):
    t = text.replace("{Side}", cap(side)).replace("{side}", side).replace("{oe}", oe(locale))
    if size is not None:
        t = t.replace("{size}", str(size))
    if pos is not None:
        t = t.replace("{pos}", pos)
    return t


def _other(side):
    return "left" if side == "right" else "right"


def compose(rng, kind, variant=None):
    """Compose one report in the setting's style with (at most) one injected error.

    Returns (report, detail).
    """
    locale = "uk" if rng.random() < 0.6 else "us"
    lay = new_layout(rng, locale)
    comps = UK_COMPARISONS if locale == "uk" else US_COMPARISONS

    # --- choose the scenario (what is on the film)
    need_sided_sig = kind == "laterality_conflict" or (kind == "negation_conflict" and variant == "neg_affirmed"
                                                       and rng.random() < 0.6)
    need_sig = kind == "impression_omits_finding" or need_sided_sig or (kind == "negation_conflict"
                                                                         and variant == "neg_affirmed")
    scen_pool = ["fever_normal", "baseline_normal", "line_check", "fever_consol", "fungal", "overload",
                 "effusion", "line_ptx", "engraftment", "lymphoma", "myeloma", "improving"]
    if need_sided_sig:
        scen_pool = ["fever_consol", "fungal", "effusion", "line_ptx", "improving"]
    elif need_sig:
        scen_pool = ["fever_consol", "fungal", "overload", "effusion", "line_ptx", "engraftment", "lymphoma",
                     "improving"]
    elif kind == "negation_conflict":  # asserting what the findings negate: any film with normal statements
        scen_pool = ["fever_normal", "baseline_normal", "line_check", "myeloma", "fungal", "effusion"]
    scen = _pick(rng, scen_pool)

    items = []  # dicts: name, side, sig, f, i, neg_i, group, ph_f
    lines = []  # (kind, side, f, i)
    side = _pick(rng, ["right", "left"])

    def add_sided(name, s, size=None):
        b = SIDED[name]
        items.append({"name": name, "side": s, "sig": b["sig"], "group": SIDED_GROUP[name],
                      "f": _side_fill(_pick(rng, b["f"]), s, locale, size=size),
                      "i": _side_fill(_pick(rng, b["i"]), s, locale, size=size),
                      "neg_i": _pick(rng, b["neg_i"]),
                      "ph_f": _side_fill(_pick(rng, b["ph_f"]), s, locale, size=size)})

    def add_unsided(name):
        b = UNSIDED[name]
        items.append({"name": name, "side": None, "sig": b["sig"], "group": b["group"],
                      "f": _side_fill(_pick(rng, b["f"]), "", locale), "i": _side_fill(_pick(rng, b["i"]), "", locale),
                      "neg_i": _side_fill(_pick(rng, b["neg_i"]), "", locale),
                      "ph_f": _side_fill(_pick(rng, b["ph_f"]), "", locale)})

    def add_line(lk=None, s=None):
        lk = lk or _pick(rng, ["hickman", "picc", "port"])
        s = s or _pick(rng, ["right", "right", "left"])
        pos = _pick(rng, LINE_POS)
        lines.append({"kind": lk, "side": s, "pos": pos,
                      "f": _side_fill(_pick(rng, LINES[lk]["f"]), s, locale, pos=pos),
                      "i": _side_fill(_pick(rng, LINES[lk]["i"]), s, locale, pos=pos)})

    if scen == "fever_normal":
        ind = _pick(rng, INDICATIONS["fever"])
        if rng.random() < 0.6:
            add_line()
    elif scen == "baseline_normal":
        ind = _pick(rng, INDICATIONS["baseline"])
        if rng.random() < 0.3:
            add_unsided("cardiomegaly")
    elif scen == "line_check":
        add_line(lk=_pick(rng, ["hickman", "picc", "port"]))
        ind = _line_ind(rng, lines[-1]["kind"])
    elif scen == "fever_consol":
        ind = _pick(rng, INDICATIONS["fever"])
        add_sided("consolidation", side)
        if rng.random() < 0.5:
            add_line()
    elif scen == "improving":
        ind = _pick(rng, INDICATIONS["fever"])
        add_sided("consolidation", side)
        items[-1]["f"] = _pick(rng, [f"Persistent consolidation in the {side} lower zone, slightly increased.",
                                     f"Increasing airspace opacification at the {side} base."])
        items[-1]["i"] = _pick(rng, [f"Progression of {side} basal consolidation.",
                                     f"Worsening {side} lower zone pneumonia."])
        add_line()
    elif scen == "fungal":
        ind = _pick(rng, INDICATIONS["fungal"])
        add_sided("nodules", side, size=rng.choice([8, 10, 12, 14, 18, 22]))
        if rng.random() < 0.6:
            add_line()
    elif scen == "overload":
        ind = _pick(rng, INDICATIONS["overload"])
        add_unsided("oedema")
        if rng.random() < 0.5:
            add_unsided("small_effusions")
        if rng.random() < 0.4:
            add_unsided("cardiomegaly")
        if rng.random() < 0.5:
            add_line()
    elif scen == "effusion":
        ind = _pick(rng, INDICATIONS["sob"])
        add_sided("effusion", side)
        if rng.random() < 0.4:
            add_line()
    elif scen == "line_ptx":
        add_line(lk=_pick(rng, ["hickman", "port"]), s=side)
        ind = _line_ind(rng, lines[-1]["kind"])
        add_sided("pneumothorax", side, size=rng.choice([1, 1.5, 2, 2.5, 3]))
    elif scen == "engraftment":
        ind = _pick(rng, INDICATIONS["engraftment"])
        add_unsided("airspace_bilateral")
        add_line()
    elif scen == "lymphoma":
        ind = _pick(rng, INDICATIONS["baseline"][1:4] + INDICATIONS["sob"][:1])
        add_unsided("mediastinum")
    else:  # myeloma
        ind = _pick(rng, ["Myeloma, rib pain.", "Pre-transplant baseline. Myeloma, for autologous SCT.",
                          "Myeloma, febrile on day +5 post melphalan."])
        add_unsided("lytic")
    if rng.random() < 0.2 and not any(it["group"] == "lungs_minor" for it in items) and scen not in (
            "engraftment",):
        add_unsided("atelectasis")

    # impression_omits_finding "others" variant needs something else to list
    if kind == "impression_omits_finding" and variant == "others":
        if not lines and not any(not it["sig"] for it in items):
            if rng.random() < 0.5:
                add_line()
            else:
                add_unsided(_pick(rng, ["cardiomegaly", "atelectasis"]))

    comparison = _pick(rng, comps) if rng.random() < 0.85 else ""

    # --- findings
    groups_taken = {it["group"] for it in items}
    findings = [ln["f"] for ln in lines]
    findings += [it["f"] for it in items if it["sig"]]
    normal_used = {}
    order = ["heart", "mediastinum", "lungs", "pleura", "ptx", "bones"]
    for g in order:
        if g in groups_taken:
            for it in items:
                if it["group"] == g and not it["sig"]:
                    findings.append(it["f"])
            continue
        if g == "ptx" and not lines and rng.random() < 0.4:
            continue
        if g == "mediastinum" and rng.random() < 0.6:
            continue
        if g == "bones" and rng.random() < 0.4:
            continue
        if g == "lungs" and any(it["group"] == "lungs_minor" for it in items):
            s = _pick(rng, NORMAL_LUNGS_OTHERWISE)
            findings += [it["f"] for it in items if it["group"] == "lungs_minor"]
            findings.append(s)
            continue
        s = _pick(rng, NORMALS[g])
        normal_used[g] = s
        findings.append(s)
    focal = all(it["name"] in ("consolidation", "nodules") for it in items if it["group"] == "lungs")
    if "lungs" in groups_taken and focal and rng.random() < 0.5:
        findings.append(_pick(rng, NORMAL_LUNGS_OTHERWISE))
        for it in items:
            if it["group"] == "lungs_minor":
                findings.insert(-1, it["f"])
    elif "lungs" in groups_taken:
        findings += [it["f"] for it in items if it["group"] == "lungs_minor"]

    # --- impression
    sig = [it for it in items if it["sig"]]
    minor = [it for it in items if not it["sig"]]
    normal_imp = _pick(rng, NORMAL_IMPRESSION_UK if locale == "uk" else NORMAL_IMPRESSION_US)
    if items or lines:
        normal_imp = _pick(rng, ["No acute cardiopulmonary abnormality.", "No acute abnormality demonstrated.",
                                 "No radiographic evidence of active chest infection.",
                                 "No acute cardiopulmonary process."])

    def build_imp(sig_items, minor_items, include_lines=True, include_minor=None):
        imp = [it["i"] for it in sig_items]
        if include_lines:
            imp += [ln["i"] for ln in lines if scen in ("line_check", "line_ptx") or rng.random() < 0.6]
        if include_minor is None:
            include_minor = [it for it in minor_items if rng.random() < 0.5]
        imp += [it["i"] for it in include_minor]
        if not sig_items:
            imp.insert(0, normal_imp)
        if scen in ("line_check",) and "ptx" in normal_used and rng.random() < 0.7:
            imp.append("No pneumothorax.")
        return imp

    detail = f"composed {locale.upper()} haem-onc report ({scen})"
    drop = None
    if kind is None:
        impression = build_imp(sig, minor)
        detail += ", clean"
    elif kind == "missing_section":
        impression = build_imp(sig, minor)
        drop = variant
        detail += f"; {'FINDINGS' if drop == 'findings_empty' else 'IMPRESSION'} emptied ({drop})"
    elif kind == "laterality_conflict":
        target = next(it for it in sig if it["side"])
        impression = build_imp(sig, minor)
        orig, new = target["side"], _other(target["side"])
        where = variant
        if where == "findings":
            idx = findings.index(target["f"])
            findings[idx] = _flip(target["f"])
        else:
            idx = impression.index(target["i"])
            impression[idx] = _flip(target["i"])
        detail += f"; {target['name']} side flipped {orig}->{new} in {where.upper()} (other section says {orig})"
    elif kind == "negation_conflict":
        if variant == "neg_affirmed":  # impression negates a finding the findings affirm
            target = _pick(rng, sig)
            others = [it for it in sig if it is not target]
            impression = [it["i"] for it in others] + [ln["i"] for ln in lines if rng.random() < 0.5]
            impression.insert(rng.randrange(len(impression) + 1), target["neg_i"])
            detail += f"; IMPRESSION negates the {target['name']} affirmed in FINDINGS ('{target['neg_i']}')"
        else:  # impression asserts a finding the findings negate
            cands = [g for g in normal_used if g in ASSERT]
            if not cands:
                raise _Retry
            g = _pick(rng, cands)
            a = _side_fill(_pick(rng, ASSERT[g]), _pick(rng, ["right", "left"]), locale)
            impression = [it["i"] for it in sig] + [ln["i"] for ln in lines if rng.random() < 0.6]
            impression.insert(rng.randrange(len(impression) + 1), a)
            detail += f"; IMPRESSION asserts '{a}' although FINDINGS say '{normal_used[g]}'"
    elif kind == "impression_omits_finding":
        target = _pick(rng, sig)
        others = [it for it in sig if it is not target]
        if variant == "normal" and not others:
            impression = [_pick(rng, GENERIC_NORMAL)]
            detail += f"; IMPRESSION replaced by a normal statement, omits the {target['name']} in FINDINGS"
        else:
            impression = [it["i"] for it in others] + [ln["i"] for ln in lines] + [it["i"] for it in minor]
            if not impression:
                impression = [_pick(rng, GENERIC_NORMAL)]
            detail += f"; IMPRESSION lists other findings only, omits the {target['name']} in FINDINGS"
    elif kind == "placeholder":
        impression = build_imp(sig, minor)
        spots = []
        for ln in lines:
            spots.append(("f", ln["f"], ln["f"].replace(ln["pos"], _pick(rng, ["[***]", "<<tip position>>",
                                                                                 "[position]"]))))
        for it in items:
            if it["f"] in findings:
                spots.append(("f", it["f"], it["ph_f"]))
        for g, s in normal_used.items():
            if g == "heart":
                spots.append(("f", s, "Heart size is [normal/enlarged]."))
            if g == "pleura":
                spots.append(("f", s, "Costophrenic angles: [ ]."))
        s = impression[-1]
        spots.append(("i", s, s + " " + _pick(rng, ["Recommend repeat film in [***].", "Follow-up: <<interval>>.",
                                                    "Suggest [ ].", "Discussed with ***."])))
        where, old, new = _pick(rng, spots)
        if where == "f":
            findings[findings.index(old)] = new
        else:
            impression[impression.index(old)] = new
        detail += f"; unfilled template field left in {'FINDINGS' if where == 'f' else 'IMPRESSION'}: '{new}'"
    else:
        raise ValueError(kind)
    return render(lay, ind, comparison, findings, impression, drop=drop), detail


class _Retry(Exception):
    pass


def _flip(text):
    def sub(m):
        w = m.group(0)
        new = {"right": "left", "left": "right"}[w.lower()]
        return new.capitalize() if w[0].isupper() else new
    return re.sub(r"\b(right|left|Right|Left)\b", sub, text)


# ----------------------------------------------------------------------------------------------
# IU reports
# ----------------------------------------------------------------------------------------------

NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|resolved|resolution|clear of|absence of|nor|removed)\b", re.I)
GROUPS = {
    "effusion": re.compile(r"effusion|pleural fluid", re.I),
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "consolidation": re.compile(r"consolidat|airspace|air space|infiltrat|pneumonia|opacit|opacific|densit",
                               re.I),
    "oedema": re.compile(r"edema|oedema|congesti", re.I),
    "cardiomegaly": re.compile(r"cardiomegaly|heart (size )?(is )?(\w+ )?enlarged|enlarged (heart|cardiac)|"
                               r"cardiac enlargement|enlargement of the cardiac", re.I),
    "nodule": re.compile(r"nodul|\bmass|lesion|aneurysm|cavit", re.I),
    "atelectasis": re.compile(r"atelecta|collapse", re.I),
    "widened": re.compile(r"widen|enlarg|adenopathy", re.I),
    "other": re.compile(r"fracture|free air|pneumoperitoneum|hernia|emphysema|hyperinfl|scoliosis|granuloma|"
                        r"calcif|scar|degenerat|spondyl|tortuous|ectatic|sternotomy|clips|pacemaker|catheter|"
                        r"tube|stent|kyphosis|osteopenia|copd|fibrosis|interstitial|bronch|prominen|"
                        r"thicken|elevat|blunt|marking|abnormalit|aneurysm|dilat", re.I),
}
SIG_GROUPS = ["effusion", "pneumothorax", "consolidation", "oedema", "cardiomegaly", "nodule", "atelectasis", "widened"]
NORMAL_IMP_RE = re.compile(r"^(no acute|normal chest|no active|negative|no evidence of acute|no radiographic|"
                           r"no acute cardiopulmonary|normal (pa|two|2|frontal|exam)|unremarkable|clear lungs|"
                           r"no significant)", re.I)
HEDGE = re.compile(r"\b(may|possibl|cannot|could|suggest|question|versus|vs|concern|likely|probabl|differential|"
                   r"recommend|correlat|follow|either)", re.I)
SIDE_RE = re.compile(r"\b(right|left)\b", re.I)
BAD_CHARS = re.compile(r"[\[\]<>*_&;]")
LUNGS_CLEAR = re.compile(r"\blungs? (are |is )?(otherwise )?clear|clear lungs", re.I)
HEART_NORMAL = re.compile(r"heart size (is )?(within normal|normal)|normal heart size|heart is normal in size|"
                          r"cardiac silhouette (is )?(within normal|normal)|heart (is )?not enlarged|"
                          r"cardiomediastinal silhouette (is )?(within normal|normal)", re.I)


def sentences(text):
    text = re.sub(r"(?:(?<=\s)|^)\d{1,2}[.)]\s+(?=[A-Z])", "", text.strip())
    text = re.sub(r"(?<=[.!?])\s+\d{1,2}[.)]\s+(?=[A-Za-z0-9])", " ", text)
    parts = re.split(r"(?<=[.!?])\s+|(?<=\.)(?=[A-Z])", text)
    return [p.strip() for p in parts if re.search(r"[A-Za-z]{2}", p)]


def clauses(sentence):
    return [c for c in re.split(r"[;:]|\bbut\b|\bhowever\b|\bwith\b|\bwhich\b|\bexcept\b", sentence) if c.strip()]


NEG_START = re.compile(r"^(\W*\w+\W+){0,4}?(no|not|negative|without|clear|normal)\b", re.I)
TURN = re.compile(r"\b(but|however|except|although|though|apart from|other than|whereas)\b|,.*\b(right|left)\b", re.I)


def strictly_negative(text):
    """Every sentence naming a significant finding is a plain negation."""
    for s in sentences(text):
        if any(GROUPS[g].search(s) for g in SIG_GROUPS):
            if not NEG_START.search(s) or TURN.search(s):
                return False
    return True


def polarity(text):
    """(affirmed groups, negated groups) of a section, clause by clause."""
    aff, neg = set(), set()
    for s in sentences(text):
        for c in clauses(s):
            for g, rx in GROUPS.items():
                m = rx.search(c)
                if not m:
                    continue
                if NEG_CUE.search(c[: m.start()]):
                    neg.add(g)
                else:
                    aff.add(g)
    if LUNGS_CLEAR.search(text):
        neg.add("consolidation")
    if HEART_NORMAL.search(text):
        neg.add("cardiomegaly")
    return aff, neg


UK_SPELL = [(r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"hemorrhag", "haemorrhag"), (r"esophag", "oesophag"),
            (r"\bcenter", "centre"), (r"visualized", "visualised"), (r"\banemi", "anaemi"),
            (r"\bfavor", "favour"), (r"\bcolor", "colour")]
REWORD = [(r"\bx-XXXX\b", "radiograph"), (r"\bX-XXXX\b", "Radiograph"), (r"\bThere is no\b", "No"),
          (r"\bThere are no\b", "No"), (r"\bchest x-ray\b", "chest radiograph")]


def reword(text, locale):
    t = text
    for a, b in REWORD:
        t = re.sub(a, b, t)
    if locale == "uk":
        for a, b in UK_SPELL:
            t = re.sub(a, b, t)
    return re.sub(r"\s+", " ", t).strip()


@lru_cache(maxsize=4)
def load_iu(shared):
    shared = Path(shared)
    dev = set()
    with open(shared / "eval" / "report_errors_dev.jsonl") as f:
        for line in f:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    rows = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tar:
        for m in tar.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(tar.extractfile(m)).getroot()
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            uid = uid_el.get("id")
            d = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            fi, im = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if uid in dev or len(fi) < 40 or len(im) < 8:
                continue
            if BAD_CHARS.search(fi + im + d.get("INDICATION", "") + d.get("COMPARISON", "")):
                continue
            rows.append({"uid": uid, "findings": fi, "impression": im,
                         "indication": d.get("INDICATION", ""), "comparison": d.get("COMPARISON", "")})
    rows.sort(key=lambda r: int(r["uid"][3:]))
    return tuple(rows), frozenset(dev)


AMBIG = re.compile(r"not (well )?(appreciated|seen|visuali[sz]ed|identified|demonstrated)|less (apparent|perceptible|"
                   r"conspicuous|prominent)|resolv|no longer|cleared|clearing", re.I)


def classify(r):
    """Pools an IU report may serve. Conservative: anything ambiguous serves nothing."""
    fa, fn = polarity(r["findings"])
    ia, inn = polarity(r["impression"])
    fsig, isig = fa & set(SIG_GROUPS), ia & set(SIG_GROUPS)
    sides_f = {s.lower() for s in SIDE_RE.findall(r["findings"])}
    sides_i = {s.lower() for s in SIDE_RE.findall(r["impression"])}
    pools = set()
    if AMBIG.search(r["findings"] + " " + r["impression"]):
        return pools
    hedged = bool(HEDGE.search(r["findings"] + " " + r["impression"]))
    imp_normal = bool(NORMAL_IMP_RE.search(r["impression"]))
    conflicts = (fa & inn) | (ia & fn)
    # clean, normal: nothing significant affirmed anywhere, normal impression
    if (not fsig and not isig and imp_normal and not conflicts and "fracture" not in r["findings"].lower()
            and strictly_negative(r["findings"]) and strictly_negative(r["impression"])):
        pools.add("normal")
    # clean, abnormal but consistent
    if (fsig and fsig == isig and not conflicts and len(sides_f | sides_i) <= 1 and sides_i <= sides_f
            and not imp_normal and not hedged and fsig <= {"effusion", "pneumothorax", "consolidation", "oedema",
                                                            "cardiomegaly", "atelectasis"}
            and len(r["impression"]) < 220):
        pools.add("abnormal")
        if len(fsig) == 1 and next(iter(fsig)) in NEGATE_IU and "pericardi" not in r["findings"].lower():
            pools.add("negatable")
    if (fsig and fsig <= isig and not conflicts and len(sides_f | sides_i) == 1 and sides_i
            and not BILAT.search(r["findings"] + " " + r["impression"]) and lateral_targets(r)):
        pools.add("lateral")
    # omission candidates: a qualifying finding affirmed in findings and named in the impression
    q = qualifying(r["findings"])
    if q and q in ia and not conflicts:
        pools.add("omit")
    return pools


BILAT = re.compile(r"bilat|\bboth\b|bibasi|biapical|\bbase?s\b", re.I)


def _sided_groups(s):
    return {g for g in SIG_GROUPS if GROUPS[g].search(s)} if SIDE_RE.search(s) else set()


def lateral_targets(r):
    """(findings sentence index, impression sentence index) pairs about the same finding, both sided."""
    fs, ims = sentences(r["findings"]), sentences(r["impression"])
    return [(a, b) for a, x in enumerate(fs) for b, y in enumerate(ims) if _sided_groups(x) & _sided_groups(y)]


QUAL_BAD = re.compile(r"\b(small|trace|tiny|minimal|stable|chronic|unchanged|old|healed|resolv|resolution|"
                      r"mild|borderline|no longer|previous|scar|calcifi|granulom|subsegmental|linear|streak)\w*", re.I)
QUAL = {
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "consolidation": re.compile(r"consolidat|airspace disease|air space disease|infiltrat|pneumonia", re.I),
    "oedema": re.compile(r"edema|congestion", re.I),
    "effusion": re.compile(r"\b(moderate|large)\b[\w\s-]{0,25}effusion", re.I),
}


QUAL_NEG = re.compile(r"\b(not|no longer|less|improv|decreas|clear|negative|without)\b", re.I)


def qualifying(findings):
    for s in sentences(findings):
        if QUAL_BAD.search(s) or HEDGE.search(s) or QUAL_NEG.search(s):
            continue
        for c in clauses(s) if "effusion" not in s.lower() else [s]:
            for g, rx in QUAL.items():
                m = rx.search(c)
                if m and not NEG_CUE.search(c[: m.start()]):
                    return g
    return None


NEGATE_IU = {
    "effusion": ["No pleural effusion.", "No pleural effusions. Costophrenic angles clear."],
    "pneumothorax": ["No pneumothorax."],
    "consolidation": ["Lungs clear.", "The lungs are clear.", "Clear lungs. No focal airspace opacity."],
    "oedema": ["No pulmonary {oe}.", "No evidence of fluid overload."],
    "cardiomegaly": ["Normal heart size.", "Heart size within normal limits."],
}
ASSERT_IU = {
    "effusion": ["Moderate {side} pleural effusion.", "{Side} pleural effusion."],
    "pneumothorax": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "consolidation": ["{Side} lower lobe consolidation, likely infective.", "{Side} basal pneumonia."],
    "oedema": ["Pulmonary {oe} in keeping with fluid overload.", "Interstitial {oe}."],
    "cardiomegaly": ["Cardiomegaly.", "Enlarged heart."],
}
MINOR_SENT = re.compile(r"granulom|calcif|degenerat|spondyl|tortuous|hiatal hernia|hyperinfl|emphysema|"
                        r"sternotomy|clips|kyphosis|osteopenia|scoliosis", re.I)

SETTING_IND = INDICATIONS["fever"] + INDICATIONS["baseline"] + INDICATIONS["sob"] + [
    "GvHD of the gut, cough.", "ALL maintenance, routine chest film.", "Haematology in-patient, new cough.",
]


def iu_report(rng, r, kind, variant=None):
    locale = "uk" if rng.random() < 0.55 else "us"
    lay = new_layout(rng, locale)
    fi = reword(r["findings"], locale)
    im = reword(r["impression"], locale)
    changes = [f"re-laid out as a {locale.upper()} haem-onc ward report"]
    ind0 = r["indication"].strip()
    if not ind0 or ind0.upper().startswith("XXXX") or rng.random() < 0.6:
        ind = _pick(rng, SETTING_IND)
        changes.append("indication replaced by a haem-onc one")
    else:
        ind = reword(ind0, locale)
    comp = reword(r["comparison"], locale) or ("None." if rng.random() < 0.5 else "")
    fs, ims = sentences(fi), sentences(im)
    drop = None
    if kind is None:
        pass
    elif kind == "missing_section":
        drop = variant
        changes.append(f"{'FINDINGS' if drop == 'findings_empty' else 'IMPRESSION'} emptied ({drop})")
    elif kind == "laterality_conflict":
        side = (set(s.lower() for s in SIDE_RE.findall(fi))).pop()
        a, b = _pick(rng, lateral_targets({"findings": fi, "impression": im}))
        sec, idx = (fs, a) if variant == "findings" else (ims, b)
        sec[idx] = _flip(sec[idx])
        changes.append(f"{side}->{_other(side)} flipped in {variant.upper()} sentence '{sec[idx]}'")
    elif kind == "negation_conflict":
        if variant == "neg_affirmed":
            fa, _ = polarity(r["findings"])
            g = next(iter(fa & set(NEGATE_IU)))
            ims = [_side_fill(_pick(rng, NEGATE_IU[g]), "", locale)]
            changes.append(f"IMPRESSION replaced by '{' '.join(ims)}' although FINDINGS affirm {g}")
        else:
            _, fn = polarity(r["findings"])
            g = _pick(rng, sorted(fn & set(ASSERT_IU)))
            a = _side_fill(_pick(rng, ASSERT_IU[g]), _pick(rng, ["right", "left"]), locale)
            ims = [a]
            changes.append(f"IMPRESSION replaced by '{a}' although FINDINGS negate {g}")
    elif kind == "impression_omits_finding":
        g = qualifying(r["findings"])
        minor = [s for s in fs if MINOR_SENT.search(s) and not NEG_CUE.search(s) and not GROUPS[g].search(s)]
        keep = [s for s in ims if not any(GROUPS[x].search(s) for x in SIG_GROUPS) and not NEG_CUE.search(s)
                and not HEDGE.search(s) and not NORMAL_IMP_RE.search(s)]
        if variant == "others" and (minor or keep):
            ims = keep or minor[:2]
            changes.append(f"IMPRESSION reduced to other findings ('{' '.join(ims)}'), omits the {g} in FINDINGS")
        else:
            ims = [_pick(rng, GENERIC_NORMAL)]
            changes.append(f"IMPRESSION replaced by '{ims[0]}', omits the {g} in FINDINGS")
    elif kind == "placeholder":
        sec_name = "FINDINGS" if rng.random() < 0.7 else "IMPRESSION"
        sec = fs if sec_name == "FINDINGS" else ims
        cands = []
        for k, s in enumerate(sec):
            for m in re.finditer(r"\b\d+(\.\d+)?\s?(cm|mm)\b|\b(right|left|normal|clear|unremarkable|stable|"
                                 r"intact|effusion|pneumothorax|heart|lungs|mediastinal)\b", s, re.I):
                cands.append((k, m))
        if not cands:
            sec_name, sec = "FINDINGS", fs
            cands = [(k, m) for k, s in enumerate(fs) for m in re.finditer(r"\b[a-z]{5,}\b", s)]
        k, m = _pick(rng, cands)
        word = m.group(0)
        if m.re.groups >= 2 and m.group(2):
            ph = _pick(rng, ["XX " + m.group(2), "<<size>>", "[size]"])
        elif word.lower() in ("right", "left"):
            ph = _pick(rng, ["[side]", "<<side>>", "[***]"])
        else:
            ph = _pick(rng, ["[***]", "[ ]", "***", "<<" + word.lower() + ">>", "[" + word.upper() + "]"])
        s = sec[k]
        sec[k] = s[: m.start()] + ph + s[m.end():]
        changes.append(f"'{word}' in {sec_name} replaced by template field '{ph}'")
    if not re.search(r"(^|\s)\d[.)]\s", r["impression"]) or len(ims) < 2:
        ims = [" ".join(ims)]
    report = render(lay, ind, comp, fs, ims, drop=drop)
    return report, f"IU {r['uid']}: " + "; ".join(changes)


# ----------------------------------------------------------------------------------------------
# build
# ----------------------------------------------------------------------------------------------

def _variants(kind):
    return {
        "missing_section": ["findings_empty", "impression_empty", "impression_removed", "impression_sign_only"],
        "laterality_conflict": ["findings", "impression"],
        "negation_conflict": ["neg_affirmed", "assert_negated"],
        "impression_omits_finding": ["normal", "others"],
    }.get(kind, [None])


def build(seed):
    rng = random.Random(f"h131-{seed}")
    rows_iu, _dev = load_iu(str(shared_dir()))
    pools = {}
    for r in rows_iu:
        for p in classify(r):
            pools.setdefault(p, []).append(r)
    for p in pools.values():
        rng.shuffle(p)
    used = set()

    def take(pool, pred=lambda r: True):
        for r in pools.get(pool, []):
            if r["uid"] not in used and pred(r):
                used.add(r["uid"])
                return r
        raise RuntimeError(f"IU pool {pool} exhausted")

    def ok_assert(r):
        _, fn = polarity(r["findings"])
        return bool(fn & set(ASSERT_IU))

    def ok_others(r):
        fs, ims = sentences(r["findings"]), sentences(r["impression"])
        g = qualifying(r["findings"])
        minor = [s for s in fs if MINOR_SENT.search(s) and not NEG_CUE.search(s) and not GROUPS[g].search(s)]
        keep = [s for s in ims if not any(GROUPS[x].search(s) for x in SIG_GROUPS) and not NEG_CUE.search(s)
                and not HEDGE.search(s) and not NORMAL_IMP_RE.search(s)]
        return bool(minor or keep)

    out = []
    # IU-based: pick the scarce pools first
    for kind in ["laterality_conflict", "impression_omits_finding", "negation_conflict", "missing_section",
                 "placeholder", None]:
        n = (N_CLEAN if kind is None else N_KIND) // 2
        vs = _variants(kind)
        for k in range(n):
            v = vs[k % len(vs)]
            if kind == "laterality_conflict":
                r = take("lateral")
            elif kind == "impression_omits_finding":
                r = take("omit", ok_others) if v == "others" else take("omit")
            elif kind == "negation_conflict":
                r = take("negatable") if v == "neg_affirmed" else take("normal", ok_assert)
            elif kind is None:
                r = take("abnormal") if k % 4 == 0 and _avail(pools, "abnormal", used) else take("normal")
            else:
                r = take("normal") if k % 2 == 0 or not _avail(pools, "abnormal", used) else take("abnormal")
            report, detail = iu_report(rng, r, kind, v)
            out.append({"injected": kind, "detail": detail, "report": report})
    for kind in [None, *KINDS]:
        n = (N_CLEAN if kind is None else N_KIND) // 2
        vs = _variants(kind)
        for k in range(n):
            while True:
                try:
                    report, detail = compose(rng, kind, vs[k % len(vs)])
                    break
                except _Retry:
                    continue
            out.append({"injected": kind, "detail": detail, "report": report})
    rng.shuffle(out)
    return [{"id": f"h131-{seed}-{k}", **row} for k, row in enumerate(out)]


def _avail(pools, name, used):
    return any(r["uid"] not in used for r in pools.get(name, []))


def main(argv=None):
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
        for kind in [None, *KINDS]:
            shown = [r for r in rows if r["injected"] == kind and not r["detail"].startswith("IU ")][: a.show]
            iu = [r for r in rows if r["injected"] == kind and r["detail"].startswith("IU ")][: a.show]
            for r in shown + iu:
                print(f"==== {r['id']} injected={kind}\n-- {r['detail']}\n{r['report']}\n", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
