"""Held-out report-error set 134: adult CF / bronchiectasis centres (UK, Ireland, Australia, US).

Written blind (without sight of the checker).  400 cases: 200 clean, 40 of each of the five kinds
(missing_section, laterality_conflict, negation_conflict, impression_omits_finding, placeholder).
Half of every group is composed from a phrase bank in the style of CF / bronchiectasis / lung
transplant clinics; the other half are real IU chest X-ray reports, re-laid out and lightly
re-worded in the same style.

usage: python -m bench.make_heldout134 OUT.jsonl --seed S [--show N]
"""
# ruff: noqa: E501  (long phrase-bank lines are kept whole for reading)
from __future__ import annotations

import argparse
import functools
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
REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


def iu_archive() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# --------------------------------------------------------------------------------------------
# layouts (headers, sign-off lines) of the setting
# --------------------------------------------------------------------------------------------

UK_NAMES = ["Dr Aoife Brennan, Consultant Radiologist", "Dr S. Patel FRCR", "Dr Ciaran O'Donnell, Consultant Radiologist",
            "Dr Helen McAllister FRCR, Consultant Thoracic Radiologist", "Dr R. Okafor, Consultant Radiologist",
            "Ms K. Hughes, Consultant Reporting Radiographer", "Dr Niamh Gallagher FFR RCSI", "Dr T. Lindqvist FRCR"]
AU_NAMES = ["Dr M. Nguyen FRANZCR", "Dr Priya Raman FRANZCR", "Dr Angus Fraser FRANZCR", "Dr L. Costa FRANZCR"]
US_NAMES = ["John Miller, MD", "Sarah K. Levine, MD", "David Cho, MD", "Maria Alvarez, MD", "Robert Klein, DO"]
DATES = ["12/03/2024", "04/11/2023", "27/06/2024", "15/01/2025", "09/09/2023", "21/02/2024", "30/10/2024"]
US_DATES = ["03/12/2024", "11/04/2023", "06/27/2024", "01/15/2025", "09/09/2023"]

BRITISH = [(r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bhemorrhag", "haemorrhag"),
           (r"\besophag", "oesophag"), (r"\bEsophag", "Oesophag"), (r"\bhemoptysis", "haemoptysis"),
           (r"\bcenter", "centre"), (r"\banemia", "anaemia"), (r"\bleukemia", "leukaemia"),
           (r"\bischemi", "ischaemi"), (r"\bhematoma", "haematoma")]

REGIONS = {
    "uk": dict(spell="uk", exam=["XR Chest PA", "XR CHEST", "CXR PA", "Chest X-ray PA", "XR Chest AP (portable)"],
               ind=["Clinical details:", "Clinical Details:", "CLINICAL DETAILS:", "Clinical history:"],
               comp=["Comparison:", "Compared with:", "Previous:"],
               find=["Findings:", "FINDINGS:", "Report:"], imp=["Conclusion:", "CONCLUSION:", "Impression:", "Summary:"],
               sign=lambda r: r.choice(["", "Reported by: ", "Verified by: "]) + r.choice(UK_NAMES)
               + r.choice(["", "\nReported: " + r.choice(DATES) + " " + r.choice(["09:14", "11:52", "16:03"])]),
               date=DATES),
    "ie": dict(spell="uk", exam=["Chest Radiograph", "CHEST X-RAY (PA)", "XR Thorax"],
               ind=["Clinical Information:", "Clinical details:", "History:"],
               comp=["Comparison:", "Comparison made with:"],
               find=["Findings:", "FINDINGS:"], imp=["Opinion:", "Conclusion:", "IMPRESSION:"],
               sign=lambda r: r.choice(["", "Reporting Radiologist: "]) + r.choice(UK_NAMES), date=DATES),
    "au": dict(spell="uk", exam=["CHEST X-RAY", "XR CHEST PA AND LATERAL", "Chest radiograph"],
               ind=["Clinical notes:", "Clinical Notes:", "History:", "Clinical indication:"],
               comp=["Comparison:", "Prior:"],
               find=["Report:", "Findings:", "FINDINGS:"], imp=["Comment:", "Conclusion:", "CONCLUSION:"],
               sign=lambda r: r.choice(["", "Thank you for referring this patient. "]) + r.choice(AU_NAMES),
               date=DATES),
    "us": dict(spell="us", exam=["EXAMINATION: CHEST, 2 VIEWS (PA AND LATERAL)", "EXAM: XR CHEST 1 VIEW PORTABLE",
                                 "EXAMINATION: CHEST PA/LAT", "EXAM: CHEST RADIOGRAPH"],
               ind=["INDICATION:", "CLINICAL HISTORY:", "HISTORY:", "REASON FOR EXAM:"],
               comp=["COMPARISON:", "Comparison:"],
               find=["FINDINGS:", "Findings:"], imp=["IMPRESSION:", "Impression:"],
               sign=lambda r: r.choice(["Electronically signed by: ", "Signed: ", "Attending radiologist: ",
                                        "Dictated by: "]) + r.choice(US_NAMES)
               + r.choice(["", " on " + r.choice(US_DATES)]), date=US_DATES),
}


def spell(text: str, region: str) -> str:
    if REGIONS[region]["spell"] != "uk":
        return text
    for pat, rep in BRITISH:
        text = re.sub(pat, rep, text)
        text = re.sub(r"\b" + pat[2].upper() + pat[3:], rep[0].upper() + rep[1:], text)  # capitalised form
    return text


def render(r: random.Random, region: str, indication: str, comparison: str, findings, impression,
           missing: str | None = None, inline: bool | None = None, numbered: bool | None = None,
           extra_after_imp: str = "", technique: str = ""):
    """Lay a report out.  findings/impression: lists of sentences (findings entries may be
    'Label: text' lines).  missing: None | 'findings_empty' | 'impression_empty' |
    'impression_signature' | 'impression_removed'."""
    reg = REGIONS[region]
    fh, ih = r.choice(reg["find"]), r.choice(reg["imp"])
    sign = reg["sign"](r)
    if inline is None:
        inline = r.random() < 0.2
    if numbered is None:
        numbered = len(impression) > 1 and r.random() < 0.6
    labelled = any(re.match(r"^[A-Z][A-Za-z /]+: ", s) for s in findings)
    lines = [r.choice(reg["exam"])]
    if indication:
        lines.append(f"{r.choice(reg['ind'])} {indication}")
    if technique:
        lines.append(technique)
    if comparison:
        lines.append(f"{r.choice(reg['comp'])} {comparison}")
    lines.append("")
    # findings
    if missing == "findings_absent":
        pass
    elif missing == "findings_empty":
        lines += [fh, ""]
    elif labelled or (not inline and r.random() < 0.3):
        lines.append(fh)
        lines += findings
        lines.append("")
    elif inline:
        lines.append(f"{fh} {' '.join(findings)}")
    else:
        lines.append(fh)
        lines.append(" ".join(findings))
        lines.append("")
    # impression
    if impression and numbered:
        imp_lines = [f"{i}. {s}" for i, s in enumerate(impression, 1)]
    else:
        imp_lines = [" ".join(impression)] if impression else []
    if extra_after_imp and imp_lines:
        imp_lines.append(extra_after_imp)
    if missing == "impression_empty":
        lines += [ih, "", sign]
    elif missing == "impression_signature":
        lines += [ih, sign]
    elif missing == "impression_removed":
        lines += [sign]
    elif inline and len(imp_lines) == 1:
        lines += [f"{ih} {imp_lines[0]}", "", sign]
    else:
        lines += [ih] + imp_lines + ["", sign]
    text = "\n".join(lines).strip() + "\n"
    return re.sub(r"\n{3,}", "\n\n", text)


# --------------------------------------------------------------------------------------------
# composed reports: phrase bank
# --------------------------------------------------------------------------------------------

OTHER = {"left": "right", "right": "left"}
ZONES = ["upper", "mid", "lower"]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class Ent:
    """One finding: findings sentence template, impression template, side, flags."""

    def __init__(self, key, f, i, side=None, sig=False, abn=False, concept=None, neg_i=None, **kw):
        self.key, self.ft, self.it, self.side = key, f, i, side
        self.sig, self.abn, self.concept, self.neg_i, self.kw = sig, abn, concept or key, neg_i, kw

    def fill(self, t, side):
        kw = dict(self.kw)
        if side:
            kw.update(s=side, S=cap(side), o=OTHER[side])
        return cap(t.format(**kw))

    def f(self, side=None):
        return self.fill(self.ft, side or self.side)

    def i(self, side=None):
        return self.fill(self.it, side or self.side)


def ent_bank(r: random.Random, key: str, side=None) -> Ent:
    side = side or r.choice(["left", "right"])
    z = r.choice(ZONES)
    c = r.choice
    if key == "bx":
        return Ent("bx", c(["Bilateral upper zone predominant bronchiectasis with bronchial wall thickening, in keeping with "
                            "known cystic fibrosis.",
                            "Established CF lung disease with upper lobe predominant bronchiectasis and peribronchial "
                            "cuffing, similar to the previous film.",
                            "Widespread ring shadows and tram-track opacities in both lungs consistent with "
                            "bronchiectasis, unchanged.",
                            "The lungs are hyperinflated with extensive bilateral bronchiectatic change, most marked in "
                            "the upper zones."]),
                   c(["Stable appearances of known cystic fibrosis lung disease.",
                      "Established bilateral bronchiectasis, unchanged.",
                      "Chronic CF changes without significant interval change.",
                      "Background CF bronchiectasis, stable."]), side=None)
    if key == "nbx":
        return Ent("bx", c(["Bibasal bronchiectasis with tram-track opacities, lower zone predominant, unchanged.",
                            "Cylindrical bronchiectasis in both lower zones with mild bronchial wall thickening, as before."]),
                   c(["Known bibasal bronchiectasis, stable.", "Stable lower zone bronchiectasis."]), side=None)
    if key == "consol":
        return Ent("consol", c(["There is new airspace consolidation in the {s} " + z + " zone.",
                                "Patchy consolidation with air bronchograms in the {s} lower lobe, new since the last film.",
                                "Increased airspace opacification at the {s} base, not present previously."]),
                   c(["New {s}-sided consolidation, likely infective in this context.",
                      "{S}-sided consolidation in keeping with infective exacerbation.",
                      "New {s} lung infection."]), side, sig=True, abn=True,
                   concept="consolidation", neg_i=c(["No consolidation.", "No focal consolidation.",
                                                     "Lungs clear of consolidation."]))
    if key == "plug":
        return Ent("plug", c(["New branching nodular opacities in the {s} upper zone, in keeping with mucus plugging.",
                              "Finger-in-glove opacities in the {s} upper lobe are new and consistent with mucoid impaction."]),
                   c(["New {s} upper lobe mucus plugging.", "Mucoid impaction in the {s} upper zone, new."]),
                   side, sig=True, abn=True, concept="mucus plugging",
                   neg_i="No mucus plugging.")
    if key == "ptx":
        n = c(["1.5", "2", "2.5", "3", "1"])
        return Ent("ptx", c(["There is a {s} apical pneumothorax with a " + n + " cm apical rim. No mediastinal shift.",
                             "{S}-sided pneumothorax, lung edge " + n + " cm from the chest wall at the level of the hilum.",
                             "Moderate {s} pneumothorax is present; the trachea remains central."]),
                   c(["{S} pneumothorax. Result phoned to the CF team.", "{S} apical pneumothorax (" + n + " cm rim).",
                      "{S}-sided pneumothorax, for clinical correlation and consideration of drainage."]),
                   side, sig=True, abn=True, concept="pneumothorax", neg_i="No pneumothorax.")
    if key == "eff":
        return Ent("eff", c(["Moderate {s} pleural effusion with a meniscus.",
                             "Large {s} pleural effusion with adjacent basal opacification.",
                             "There is a moderate-sized {s} pleural effusion, new since the last examination."]),
                   c(["Moderate {s} pleural effusion.", "{S} pleural effusion, new.", "Significant {s} effusion."]),
                   side, sig=True, abn=True, concept="effusion", neg_i="No pleural effusion.")
    if key == "smalleff":
        return Ent("smalleff", "Small {s} pleural effusion, unchanged.", c(["Small {s} effusion, stable.",
                                                                           "Stable small {s} pleural effusion."]),
                   side, abn=True, concept="effusion", neg_i="No pleural effusion.")
    if key == "haem":
        return Ent("haem", "Ill-defined airspace opacity in the {s} upper zone is new and, given the haemoptysis, may "
                           "represent pulmonary haemorrhage.",
                   c(["New {s} upper zone airspace opacity, possibly pulmonary haemorrhage.",
                      "{S} upper zone opacity, likely haemorrhage in the context of haemoptysis."]),
                   side, sig=True, abn=True, concept="airspace opacity",
                   neg_i="No focal airspace opacity.")
    if key == "collapse":
        return Ent("collapse", "Volume loss and opacification in the {s} lower lobe, in keeping with lobar collapse.",
                   "{S} lower lobe collapse, possibly due to mucus plugging.", side, abn=True, concept="collapse",
                   neg_i="No collapse.")
    if key == "oedema":
        return Ent("oedema", c(["Bilateral perihilar haziness with septal lines and upper lobe venous diversion, "
                                "consistent with pulmonary oedema.",
                                "Interstitial oedema with Kerley B lines and small bilateral pleural effusions."]),
                   c(["Pulmonary oedema.", "Features of fluid overload / pulmonary oedema."]), None, sig=True, abn=True,
                   concept="oedema", neg_i="No pulmonary oedema.")
    if key == "nodule":
        n = c(["8", "9", "11", "14"])
        return Ent("nodule", "A new " + n + " mm nodule is seen in the {s} mid zone.",
                   c(["New " + n + " mm {s} mid zone nodule; CT chest recommended.",
                      "{S} pulmonary nodule (" + n + " mm), new. Suggest CT for further assessment."]),
                   side, sig=True, abn=True, concept="nodule", neg_i="No pulmonary nodule.")
    if key == "picc":
        return Ent("picc", c(["{S} arm PICC with its tip projected over the distal SVC.",
                              "{S}-sided PICC line, tip at the cavoatrial junction.",
                              "A {s} basilic PICC is in situ, tip in the lower SVC."]),
                   c(["{S} PICC tip in satisfactory position in the SVC.", "{S} PICC line satisfactorily sited.",
                      "Satisfactory position of the {s} PICC."]), side, concept="PICC")
    if key == "port":
        return Ent("port", c(["{S}-sided chest wall Portacath, catheter tip at the junction of the SVC and right atrium.",
                              "{S} subclavian port-a-cath in situ with the tip projected over the lower SVC.",
                              "{S}-sided TIVAD with the catheter tip at the cavoatrial junction; catheter intact with no "
                              "kink."]),
                   c(["{S} Portacath in satisfactory position.", "{S}-sided port, tip satisfactory.",
                      "{S} TIVAD tip at the cavoatrial junction."]), side, concept="port")
    if key == "drain":
        return Ent("drain", "{S} intercostal drain in situ; the {s} lung is fully re-expanded.",
                   "{S} chest drain in situ with full re-expansion of the {s} lung.", side, concept="drain")
    if key == "tx":
        return Ent("tx", c(["Post bilateral sequential lung transplant. Clamshell wires intact.",
                            "Appearances following bilateral lung transplantation with intact sternal wires.",
                            "Status post double lung transplant; anastomoses not visualised as abnormal."]),
                   c(["Post bilateral lung transplant.", "Stable post-transplant appearances.",
                      "Bilateral lung transplant in situ."]),
                   None, concept="transplant")
    if key == "hila":
        return Ent("hila", "Bilateral hilar prominence, likely reactive lymphadenopathy, unchanged.",
                   "Stable bilateral hilar prominence.", None, concept="hila")
    if key == "ng":
        return Ent("ng", "Nasogastric tube passes below the diaphragm with the tip in the stomach.",
                   "NG tube tip in the stomach.", None, concept="NG tube")
    raise KeyError(key)


SCENARIOS = {
    # name: (indication choices, required entity keys, optional pool)
    "annual": (["Cystic fibrosis. Annual review.", "CF annual assessment.", "Adult CF clinic, annual review, stable.",
                "CF, annual review. F508del homozygous on modulator therapy."], [["bx"]], ["hila"]),
    "bronchiectasis": (["Non-CF bronchiectasis, clinic review.", "Bronchiectasis. Routine review.",
                        "Bronchiectasis clinic. Productive cough."], [["nbx"]], []),
    "exacerb": (["CF with pulmonary exacerbation. Increased sputum and fever.",
                 "Infective exacerbation of CF. ?new consolidation.", "CF, febrile, raised CRP. ?consolidation",
                 "Bronchiectasis exacerbation, Pseudomonas. Worsening breathlessness."],
                [["bx", "consol"], ["bx", "plug"], ["bx", "collapse"], ["bx", "consol", "picc"]], ["picc", "smalleff"]),
    "line": (["Line check."],
             [["bx", "picc"], ["bx", "port"], ["picc"], ["port"]], []),
    "ptx": (["Sudden onset chest pain and breathlessness. ?pneumothorax", "CF. Acute chest pain. ?PTX",
             "Pleuritic chest pain, CF. Exclude pneumothorax."], [["bx", "ptx"], ["bx", "drain"]], []),
    "haemoptysis": (["Haemoptysis approx 50 ml, known CF.", "CF with haemoptysis.", "Bronchiectasis, frank haemoptysis."],
                    [["bx", "haem"], ["bx"]], []),
    "tx": (["Post lung transplant clinic follow-up.", "Double lung transplant for CF, 6 months post-op. Routine.",
            "Lung transplant recipient, breathless. ?rejection ?oedema", "LTx follow-up. FEV1 drop."],
           [["tx"], ["tx", "oedema"], ["tx", "eff"], ["tx", "nodule"], ["tx", "smalleff"]], ["port"]),
}

NORMALS = {  # statement for findings, concept it negates
    "ptx": ["No pneumothorax.", "No pneumothorax is seen."],
    "eff": ["No pleural effusion.", "Costophrenic angles are clear.", "No pleural fluid."],
    "consol": ["No focal consolidation.", "No new consolidation.", "No airspace consolidation."],
    "heart": ["Heart size is normal.", "Cardiomediastinal contours are within normal limits.",
              "Normal cardiac size and mediastinal contour.", "The heart is not enlarged."],
    "oedema": ["No pulmonary oedema."],
    "bones": ["Bones and soft tissues are unremarkable.", "No acute bony abnormality."],
}
NEG_ASSERT = {  # impression assertion that contradicts a NORMALS entry
    "ptx": ["Small {s} apical pneumothorax.", "{S}-sided pneumothorax."],
    "eff": ["Small {s} pleural effusion.", "Moderate {s} pleural effusion."],
    "consol": ["{S} lower zone consolidation.", "New {s} basal consolidation, likely infective."],
    "heart": ["Cardiomegaly.", "The heart is enlarged."],
    "oedema": ["Pulmonary oedema.", "Mild interstitial oedema."],
    "lungs": ["{S} lower zone consolidation.", "Patchy {s} upper zone airspace opacity."],
}
BLOCKS = {"ptx": {"ptx", "drain"}, "eff": {"eff", "smalleff", "oedema"},
          "consol": {"consol", "haem", "collapse", "plug", "oedema"}, "heart": set(), "oedema": {"oedema"}, "bones": set()}
NORMAL_IMP = {"cf": ["No acute change.", "Stable appearances. No new focal abnormality.",
                     "No acute cardiopulmonary abnormality.", "No significant change since the previous film."],
              "plain": ["No acute abnormality.", "Normal chest radiograph.", "No acute cardiopulmonary process."]}
RECS = ["Suggest follow-up film after treatment to confirm resolution.", "Recommend repeat CXR in 6 weeks.",
        "Discussed with the CF registrar by telephone.", "Findings communicated to the CF nurse specialist."]


def composed_case(r: random.Random, kind: str | None):
    """Return (report, detail) for one composed case."""
    for _ in range(200):
        out = _try_composed(r, kind)
        if out:
            return out
    raise RuntimeError(kind)


def _try_composed(r: random.Random, kind):
    scen = r.choice(list(SCENARIOS))
    inds, sets, optional = SCENARIOS[scen]
    keys = list(r.choice(sets))
    for k in optional:
        if r.random() < 0.25 and k not in keys:
            keys.append(k)
    region = r.choice(["uk", "uk", "ie", "au", "us"])
    used_sides = {}
    ents = []
    for k in keys:
        side = r.choice(["left", "right"])
        e = ent_bank(r, k, side)
        # one side per concept only
        if e.concept in used_sides:
            continue
        used_sides[e.concept] = e.side
        ents.append(e)
    present = {e.key for e in ents}
    normals = []
    for nk, stmts in NORMALS.items():
        if not (BLOCKS[nk] & present) and r.random() < 0.7:
            normals.append((nk, r.choice(stmts)))
    if scen == "tx" and not (present & {"oedema", "eff", "smalleff", "nodule"}) and r.random() < 0.6:
        normals.insert(0, ("lungs", "The lungs are clear."))
    findings = [e.f() for e in ents] + [s for _, s in normals]
    imp_ents = [e for e in ents if e.abn] + [e for e in ents if not e.abn]
    impression = [e.i() for e in imp_ents]
    any_abn = any(e.abn for e in ents)
    if not any_abn and r.random() < 0.5:
        pool = NORMAL_IMP["cf"] if present & {"bx"} else NORMAL_IMP["plain"] + NORMAL_IMP["cf"][:1]
        if present & {"tx", "picc", "port", "drain", "ng"}:
            pool = ["No acute abnormality.", "No pneumothorax."] if "ptx" not in present else ["No acute abnormality."]
        impression.append(r.choice(pool))
    if not ents:
        impression = [r.choice(NORMAL_IMP["plain"])]
    rec = r.choice(RECS) if any_abn and r.random() < 0.4 else ""
    indication = r.choice(inds)
    if "port" in present:
        indication = r.choice(["Post port-a-cath insertion. ?PTX ?tip position.", "Portacath check.",
                               "New TIVAD inserted today for IV access. Position?"])
    elif "picc" in present and scen == "line":
        indication = r.choice(["PICC inserted for IV antibiotics. Check position.",
                               "CF exacerbation, new PICC. Tip position please.", "PICC line check."])
    elif "drain" in present:
        indication = r.choice(["Pneumothorax, chest drain in situ. ?re-expansion", "CF, ICD in situ for PTX. Progress."])
    comparison = r.choice([f"{r.choice(REGIONS[region]['date'])}.", f"Previous film {r.choice(REGIONS[region]['date'])}.",
                           "None available.", "Prior chest radiograph from last annual review.", "XXXX."])
    detail = f"composed ({scen}, {region} layout): " + ", ".join(e.key for e in ents)
    missing = None
    if kind is None:
        detail += "; clean"
        if r.random() < 0.08 and not any(e.sig for e in ents) and region != "us":
            # impression-only report whose conclusion itself describes the findings: not an error
            impression = [e.f() for e in ents] + [s for _, s in normals][:2] + impression[len(ents):]
            text = render(r, region, indication, comparison, [], impression, missing="findings_absent")
            return text, detail + " (single conclusion block describing the findings, no separate findings)"
    elif kind == "missing_section":
        missing = r.choice(["findings_empty", "impression_empty", "impression_signature", "impression_removed"])
        detail += f"; {missing.replace('_', ' ')}"
    elif kind == "laterality_conflict":
        cands = [e for e in ents if e.side]
        if not cands:
            return None
        e = r.choice(cands)
        if r.random() < 0.5 and e.f() in findings:
            findings[findings.index(e.f())] = e.f(OTHER[e.side])
            detail += f"; findings sentence on {e.key} flipped {e.side}->{OTHER[e.side]} (impression keeps {e.side})"
        else:
            impression[imp_ents.index(e)] = e.i(OTHER[e.side])
            detail += f"; impression on {e.key} flipped {e.side}->{OTHER[e.side]} (findings keep {e.side})"
    elif kind == "negation_conflict":
        abn = [e for e in ents if e.abn and e.neg_i]
        neg_normals = [(k, s) for k, s in normals if k in NEG_ASSERT]
        if abn and (r.random() < 0.5 or not neg_normals):
            e = r.choice(abn)
            impression[imp_ents.index(e)] = e.neg_i
            detail += f"; impression now says '{e.neg_i}' while findings affirm {e.concept}"
        elif neg_normals:
            k, s = r.choice(neg_normals)
            side = r.choice(["left", "right"])
            a = cap(r.choice(NEG_ASSERT[k]).format(s=side, S=cap(side)))
            if not any_abn and len(impression) and impression[-1] in sum(NORMAL_IMP.values(), []) + ["No pneumothorax."]:
                impression = impression[:-1]
            impression.insert(0, a)
            detail += f"; impression asserts '{a}' while findings say '{s}'"
        else:
            return None
    elif kind == "impression_omits_finding":
        sig = [e for e in ents if e.sig]
        if not sig:
            return None
        e = r.choice(sig)
        others = [x.i() for x in imp_ents if x is not e]
        if r.random() < 0.5 and others:
            impression = others
            detail += f"; impression lists other findings, omits {e.concept} ({e.side or 'bilateral'})"
        else:
            impression = [r.choice(NORMAL_IMP["cf"] if "bx" in present else NORMAL_IMP["plain"][:1] + NORMAL_IMP["cf"][:1])]
            detail += f"; impression replaced by normal statement, omits {e.concept}"
        rec = ""
    elif kind == "placeholder":
        res = _placeholder(r, findings, impression)
        if res is None:
            return None
        findings, impression, what = res
        detail += f"; {what}"
    if region == "us" and r.random() < 0.5 and missing != "findings_empty":
        findings = _us_labelled(findings)
    text = render(r, region, indication, comparison, findings, impression, missing=missing, extra_after_imp=rec)
    return text, detail


def _us_labelled(findings):
    lines, lungs, pleura, heart, bones = [], [], [], [], []
    for s in findings:
        low = s.lower()
        if re.search(r"picc|port|tivad|tube|drain|line", low):
            lines.append(s)
        elif re.search(r"pneumothorax|pleural|costophrenic", low):
            pleura.append(s)
        elif re.search(r"heart|cardi", low):
            heart.append(s)
        elif re.search(r"bone|bony", low):
            bones.append(s)
        else:
            lungs.append(s)
    out = []
    for lab, xs in [("Lines/tubes", lines), ("Lungs", lungs), ("Pleura", pleura), ("Heart and mediastinum", heart),
                    ("Bones/soft tissues", bones)]:
        if xs:
            out.append(f"{lab}: {' '.join(xs)}")
    return out


PH_NUM = ["XX", "___", "<<size>>", "[***]", "[ ]"]
PH_SIDE = ["[side]", "[LEFT/RIGHT]", "[***]", "<<laterality>>", "***"]
PH_WORD = ["[***]", "[ ]", "***", "<<>>", "[insert]"]


def _placeholder(r: random.Random, findings, impression):
    secs = [("findings", findings), ("impression", impression)]
    r.shuffle(secs)
    for name, sents in secs:
        order = list(range(len(sents)))
        r.shuffle(order)
        for j in order:
            s = sents[j]
            m = (re.search(r"\b\d+(\.\d+)?(?= ?(cm|mm)\b)", s) or re.search(r"\b(left|right|Left|Right)\b", s)
                 or re.search(r"\b(satisfactory|normal|moderate|clear|stable|unchanged|new|intact)\b", s))
            if not m:
                continue
            w = m.group(0)
            ph = r.choice(PH_NUM if w[0].isdigit() else PH_SIDE if w.lower() in OTHER else PH_WORD)
            new = s[:m.start()] + ph + s[m.end():]
            sents = list(sents)
            sents[j] = new
            what = f"'{w}' in {name} replaced by {ph}"
            return (sents, impression, what) if name == "findings" else (findings, sents, what)
    return None


# --------------------------------------------------------------------------------------------
# IU reports
# --------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=2)
def load_iu(path: str):
    rows = []
    with tarfile.open(path) as tf:
        for m in tf.getmembers():
            if not m.name.endswith(".xml"):
                continue
            root = ET.parse(tf.extractfile(m)).getroot()
            uid = root.find("uId").get("id")
            d = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            rows.append(dict(uid=uid, num=int(uid[3:]), findings=d.get("FINDINGS", ""), impression=d.get("IMPRESSION", ""),
                             indication=d.get("INDICATION", ""), comparison=d.get("COMPARISON", "")))
    rows.sort(key=lambda x: x["num"])
    return rows


@functools.lru_cache(maxsize=2)
def dev_uids(path: str):
    out = set()
    if os.path.exists(path):
        with open(path) as fh:
            for line in fh:
                out.add(json.loads(line)["uid"])
    return frozenset(out)


def sents(text: str):
    text = text.strip()
    if not text:
        return []
    parts = re.split(r"(?<=[A-Za-z0-9%)\]])\.\s+(?=[A-Z0-9])|(?<=\.)\s+(?=\d\.\s)", text)
    out = []
    for p in parts:
        p = p.strip()
        p = re.sub(r"^\d+\.\s*", "", p).strip(" .")
        if re.search(r"[A-Za-z]", p):
            out.append(p if p.endswith((".", "?", "!")) else p + ".")
    return out


GROUPS = {
    "airspace": r"consolidat|airspace|air space|infiltrat|pneumonia|opacit|densit|atelecta|collapse",
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "edema": r"edema|congesti",
    "cardiomegaly": r"cardiomegaly|heart (size )?is (mildly |moderately )?enlarged|enlarged (heart|cardiac)",
    "nodule": r"nodul|\bmass\b|granuloma",
    "line": r"catheter|picc|port\b|chest tube|pacemaker|lead",
    "diaphragm": r"hemidiaphragm",
}
CONCEPT_WORDS = (r"effusion|pneumothora|consolidat|airspace|air space|infiltrat|pneumonia|opacit|densit|edema|congesti|"
                 r"cardiomegaly|enlarg|nodul|\bmass|atelecta|collapse|scar|fibros|emphysem|hyperinfla|hyperexpan|"
                 r"fracture|widen|thicken|blunt|elevat|hernia|prominen|increase|decrease|lesion|abnormal|catheter|"
                 r"tube|pacemaker|lucen|deformit|interstitial|marking|copd|granulom|calcifi|tortuous|degenerat|"
                 r"spondyl|osteophyt|sternotomy|clip|surgical|postoperative|atheroscl|kyphos|scolios|volume|effac|"
                 r"infect|mass|bronch|cyst|chronic")
BENIGN = r"granuloma|degenerat|spondyl|osteophyt|tortuous|atheroscl|calcified aort|aortic calcif|sternotomy|clip|kyphos"
NEGSTART = r"^(no|there is no|there are no|there has been no|without|negative for|no evidence|no radiographic|no definite)\b"
NORMALWORDS = r"\b(clear|normal|unremarkable|within normal limits|intact|stable|negative|expanded|unchanged)\b"
QUALIFIERS = r"\b(but|however|except|although|otherwise|other than|small|mild|minimal|trace|tiny|with|and the|slight)\b"
HEDGE = r"\b(may|might|possibl|probabl|could|cannot|can't|suspect|question|versus|vs|suggest|consider|concern|" \
        r"differential|likely|suspicious|questionable|borderline|not exclude|minimal|residual)|\bor\b"
NORMAL_IMP_RE = (r"^(no acute|no active|normal chest|normal exam|negative (chest|exam|study)|no evidence of acute|"
                 r"no radiographic evidence of acute|clear lungs|no acute disease|no acute abnormalit|no acute "
                 r"cardiopulmonary|heart size normal|lungs are clear|no significant|normal study)")


def is_pure_neg(s: str) -> bool:
    low = s.lower()
    return bool(re.match(NEGSTART, low)) and not re.search(QUALIFIERS + r"|;", low)


def is_normal_sentence(s: str) -> bool:
    low = s.lower()
    if re.search(r"\b(left|right)\b", low) and not re.search(BENIGN, low):
        return False
    if is_pure_neg(s):
        return True
    if re.search(BENIGN, low) and not re.search(r"effusion|pneumothora|consolidat|opacit|infiltrat|edema|nodul|mass|"
                                                r"enlarg|atelecta|cardiomegaly|hernia|fracture", low):
        return True
    if not re.search(CONCEPT_WORDS, low) and re.search(NORMALWORDS, low) and not re.search(
            r"\b(but|however|except|although|mild|small|minimal|enlarged|low lung volumes|hypoinfl)\b", low):
        return True
    return False


def groups_in(s: str):
    low = s.lower()
    return {g for g, pat in GROUPS.items() if re.search(pat, low)}


def sides_in(s: str):
    low = s.lower()
    out = set()
    if re.search(r"\bleft\b", low):
        out.add("L")
    if re.search(r"\bright\b", low):
        out.add("R")
    if re.search(r"\bbilateral|\bbibasilar|\bbibasal|\bboth\b|\bbilaterally", low):
        out.add("B")
    return out


def usable(rep, dev):
    if rep["uid"] in dev or not rep["findings"] or not rep["impression"]:
        return False
    text = rep["findings"] + rep["impression"] + rep["indication"] + rep["comparison"]
    if re.search(r"\[|\]|\*|<|>|___|\bXX\b|\{", text):
        return False
    return 20 <= len(rep["findings"]) <= 700 and len(rep["impression"]) <= 400


def classify(rep):
    """Pools a usable IU report can serve.  Returns dict pool-> info."""
    F, Imp = sents(rep["findings"]), sents(rep["impression"])
    pools = {}
    f_norm = all(is_normal_sentence(s) for s in F)
    i_norm = all(re.match(NORMAL_IMP_RE, s.lower()) or is_pure_neg(s) for s in Imp) and not any(
        re.search(r"\b(left|right)\b", s.lower()) for s in Imp)
    if f_norm and i_norm and any(re.match(NORMAL_IMP_RE, s.lower()) for s in Imp):
        pools["clean_normal"] = None
        negs = []
        for s in F:
            low = s.lower()
            if is_pure_neg(s):
                for k, pat in [("ptx", "pneumothora"), ("eff", "effusion"), ("consol", "consolidat|airspace|infiltrat"),
                               ("oedema", "edema")]:
                    if re.search(pat, low):
                        negs.append((k, s))
            elif re.search(r"lungs are clear|lungs are clear|heart size is normal|heart is normal in size|"
                           r"heart size normal|normal heart size", low) and not re.search(QUALIFIERS, low):
                negs.append(("consol" if "lung" in low else "heart", s))
        if negs:
            pools["neg_assert"] = negs
    # positive, unhedged sentences per group
    def pos_sent(xs):
        return [s for s in xs if not re.search(NEGSTART, s.lower()) and not re.search(
            r"\b(no|not|without|resolved|negative)\b", s.lower())]
    PF = pos_sent([s for s in F if not is_normal_sentence(s)])
    PI = pos_sent([s for s in Imp if not is_pure_neg(s) and not re.match(NORMAL_IMP_RE, s.lower())])
    gF = set().union(*[groups_in(s) for s in PF]) if PF else set()
    gI = set().union(*[groups_in(s) for s in PI]) if PI else set()
    mixedF = [s for s in F if s not in PF and not is_normal_sentence(s)]
    mixedI = [s for s in Imp if s not in PI and not is_pure_neg(s) and not re.match(NORMAL_IMP_RE, s.lower())]
    negF = set().union(*[groups_in(s) for s in F if s not in PF]) if F else set()
    negI = set().union(*[groups_in(s) for s in Imp if s not in PI]) if Imp else set()
    consistent = (not mixedF and not mixedI and gF and gF == gI and not (gF & negI) and not (gI & negF)
                  and not any(re.search(r"\b(this|these|which|it)\b", s.lower()) for s in PI))
    if consistent:
        ok = True
        for g in gF:
            sf = set().union(*[sides_in(s) for s in PF if g in groups_in(s)])
            si = set().union(*[sides_in(s) for s in PI if g in groups_in(s)])
            if sf != si:
                ok = False
        # every unexplained positive findings sentence must carry a group
        if ok and all(groups_in(s) or re.search(BENIGN, s.lower()) for s in PF):
            pools["clean_abn"] = None
    # laterality: a findings sentence and an impression sentence with one and the same side and a shared group
    lat = []
    for sf in PF:
        for si in PI:
            a, b = sides_in(sf), sides_in(si)
            if len(a) == 1 and a == b and "B" not in a and len(re.findall(r"\b(left|right)\b", sf.lower())) == 1 \
                    and len(re.findall(r"\b(left|right)\b", si.lower())) == 1:
                g = (groups_in(sf) & groups_in(si)) - {"diaphragm"}
                if not g:
                    continue
                opp = "R" if "L" in a else "L"
                clash = any(opp in sides_in(x) and groups_in(x) & g for x in F + Imp)
                if not clash and not re.search(r"\b(atri|ventric|heart|hilum|hilar|paratracheal)", sf.lower() + si.lower()):
                    lat.append((sf, si))
    if lat:
        pools["laterality"] = lat
    # omission: significant affirmed finding, mentioned in the impression
    sig = []
    for s in PF:
        low = s.lower()
        if re.search(HEDGE, low):
            continue
        for g, pat in [("pneumothorax", r"pneumothora"), ("consolidation", r"consolidat|airspace disease|infiltrat|pneumonia"),
                       ("edema", r"edema|vascular congestion"), ("effusion", r"effusion"), ("mass", r"\bmass\b"),
                       ("widened mediastinum", r"widen\w* (of the )?mediastin|mediastin\w* (is )?widen")]:
            if re.search(pat, low):
                if g == "effusion" and (re.search(r"small|trace|tiny|blunting|subpulmonic", low)
                                        or not re.search(r"moderate|large", low)):
                    continue
                if re.search(r"stable|unchanged|chronic|improv|decreas|resolv|clearing|smaller|again|persist", low):
                    continue
                if any(re.search(pat, x.lower()) for x in PI):
                    sig.append((g, pat, s))
    if sig and not mixedF:
        pools["omission"] = sig
    # negation (b): impression mentions an affirmed finding, replace with its negation
    negb = []
    for s in PF:
        low = s.lower()
        if re.search(HEDGE, low):
            continue
        for pat, neg in [(r"effusion", "No pleural effusion."), (r"pneumothora", "No pneumothorax."),
                         (r"cardiomegaly|heart (size )?is (mildly |moderately )?enlarged", "Heart size is normal."),
                         (r"consolidat|infiltrat|pneumonia|airspace disease", "No focal consolidation."),
                         (r"atelecta", "No atelectasis."), (r"edema", "No pulmonary edema."),
                         (r"nodul", "No pulmonary nodule.")]:
            if re.search(pat, low) and any(re.search(pat, x.lower()) for x in PI):
                negb.append((pat, neg, s))
                break
    if negb and not mixedF:
        pools["neg_deny"] = negb
    return pools, F, Imp


@functools.lru_cache(maxsize=2)
def iu_pools(path: str, devpath: str):
    dev = dev_uids(devpath)
    pools = {}
    meta = {}
    for rep in load_iu(path):
        if not usable(rep, dev):
            continue
        p, F, Imp = classify(rep)
        meta[rep["uid"]] = (rep, F, Imp, p)
        pools.setdefault("any", []).append(rep["uid"])
        for k in p:
            pools.setdefault(k, []).append(rep["uid"])
    return pools, meta


IMP_REWORD = [(r"^No acute cardiopulmonary (abnormality|disease|process|findings?)\.?$",
               ["No acute cardiopulmonary abnormality.", "No acute abnormality.", "No acute cardiopulmonary process."]),
              (r"^(Normal chest( x-XXXX| XXXX)?|Negative chest( x-XXXX| XXXX)?)\.?$",
               ["Normal chest radiograph.", "Normal chest X-ray."]),
              (r"^No active disease\.?$", ["No active disease.", "No active cardiopulmonary disease."])]
F_REWORD = [(r"^There is no (evidence of )?pneumothorax\.$", "No pneumothorax."),
            (r"^There is no pleural effusion\.$", "No pleural effusion."),
            (r"^There is no focal consolidation\.$", "No focal consolidation."),
            (r"^There is no focal airspace disease\.$", "No focal airspace consolidation."),
            (r"^The lungs are clear\.$", "Lungs are clear."),
            (r"^No pneumothorax or pleural effusion\.$", "No pneumothorax or pleural effusion seen.")]


def reword(r, F, Imp, region):
    notes = []
    F2 = []
    for s in F:
        for pat, rep in F_REWORD:
            if re.match(pat, s) and r.random() < 0.6:
                s = re.sub(pat, rep, s)
                notes.append("findings phrasing shortened")
                break
        F2.append(spell(s, region))
    I2 = []
    for s in Imp:
        for pat, reps in IMP_REWORD:
            if re.match(pat, s, re.I):
                s = r.choice(reps)
                notes.append("impression normal phrase in clinic wording")
                break
        I2.append(spell(s, region))
    if REGIONS[region]["spell"] == "uk" and [spell(s, region) for s in F + Imp] != F + Imp:
        notes.append("British spelling")
    return F2, I2, sorted(set(notes))


def iu_case(r: random.Random, rep, F, Imp, pools, kind, sub=None):
    region = r.choice(["uk", "uk", "ie", "au", "us"])
    F, Imp, notes = reword(r, F, Imp, region)
    indication = spell(rep["indication"], region) or r.choice(["Cough.", "CF review.", "Routine."])
    comparison = rep["comparison"] or "None."
    findings, impression = list(F), list(Imp)
    missing = None
    what = ""
    if kind is None:
        what = "clean"
    elif kind == "missing_section":
        missing = r.choice(["findings_empty", "impression_empty", "impression_signature", "impression_removed"])
        what = missing.replace("_", " ")
    elif kind == "laterality_conflict":
        sf, si = r.choice(pools["laterality"])
        sf, si = spell(sf, region), spell(si, region)

        def flip(s):
            return re.sub(r"\b(left|right|Left|Right)\b",
                          lambda m: {"left": "right", "right": "left", "Left": "Right", "Right": "Left"}[m.group(0)], s)
        if r.random() < 0.5 and sf in findings:
            findings[findings.index(sf)] = flip(sf)
            what = f"findings sentence flipped: '{flip(sf)}' (impression: '{si}')"
        elif si in impression:
            impression[impression.index(si)] = flip(si)
            what = f"impression sentence flipped: '{flip(si)}' (findings: '{sf}')"
        else:
            findings[findings.index(sf)] = flip(sf)
            what = f"findings sentence flipped: '{flip(sf)}' (impression: '{si}')"
    elif kind == "negation_conflict":
        if sub == "assert":
            k, s = r.choice(pools["neg_assert"])
            side = r.choice(["left", "right"])
            a = cap(r.choice(NEG_ASSERT[k]).format(s=side, S=cap(side)))
            impression = [a]
            what = f"impression replaced by '{a}' while findings say '{spell(s, region)}'"
        else:
            pat, neg, s = r.choice(pools["neg_deny"])
            neg = spell(neg, region)
            impression = [x for x in impression if not re.search(pat, x.lower())]
            impression = [neg] + [x for x in impression if not re.search(r"\b(this|these|which|it)\b", x.lower())]
            what = f"impression now says '{neg}' while findings affirm: '{spell(s, region)}'"
    elif kind == "impression_omits_finding":
        opts = [(g, pat, s, omission_other(impression, findings, g)) for g, pat, s in pools["omission"]]
        if sub == "list":
            opts = [o for o in opts if o[3]] or opts
        g, pat, s, rest = r.choice(opts)
        if sub == "list" and rest:
            impression = rest
            what = f"impression lists other findings only, omits {g} ('{spell(s, region)}')"
        else:
            impression = [r.choice(["No acute cardiopulmonary abnormality.", "No acute abnormality.",
                                    "No active disease.", "No acute change."])]
            what = f"impression replaced by normal statement, omits {g} ('{spell(s, region)}')"
    elif kind == "placeholder":
        res = _placeholder(r, findings, impression)
        findings, impression, what = res
    text = render(r, region, indication, comparison, findings, impression, missing=missing,
                  inline=r.random() < 0.25)
    detail = f"IU {rep['uid']}: {what}; re-laid out ({region} layout)" + (f", {', '.join(notes)}" if notes else "")
    return text, detail


def _has_placeholder_target(F, Imp):
    return _placeholder(random.Random(0), list(F), list(Imp)) is not None


SYN = {"consolidation": r"consolidat|airspace|air space|infiltrat|pneumonia|opacit|densit|atelecta",
       "edema": r"edema|congest|heart failure|\bchf\b|fluid overload", "effusion": r"effusion|fluid",
       "pneumothorax": r"pneumothora", "mass": r"mass|neoplas|tumor|malignan|lesion|cancer",
       "widened mediastinum": r"mediastin"}


def omission_rest(imp, g):
    """Impression sentences that report other findings and say nothing of group g."""
    return [x for x in imp if not re.search(SYN[g], x.lower())
            and not re.search(r"\b(this|these|which|it)\b|^no |normal|" + HEDGE, x.lower())
            and (groups_in(x) - {"line"} or re.search(r"degenerat|granulom|cardiomegaly|hernia|scoli|emphysem|copd|"
                                                      r"nodul|calcif|fracture|hyperinfla", x.lower()))]


MINOR = (r"degenerat|granulom|cardiomegaly|heart (size )?is (mildly )?enlarged|hernia|scolio|emphysem|hyperinfla|"
         r"calcifi|sternotomy|tortuous|atheroscl|spondyl|kyphos|low lung volumes|copd|osteophyt|fracture")
SIGANY = "|".join(SYN.values())


def minor_findings(F):
    """Findings sentences with only minor, non-significant findings (to be listed in an impression)."""
    return [x for x in F if re.search(MINOR, x.lower()) and not re.search(SIGANY, x.lower())
            and not re.search(r"\b(no|not|without|negative)\b", x.lower())]


def omission_other(Imp, F, g):
    return omission_rest(Imp, g) or minor_findings(F)[:2]


def _omission_list_ok(rep, F, Imp, pools):
    return any(omission_other(Imp, F, g) for g, _, _ in pools["omission"])


def build(seed: int) -> list:
    r = random.Random(f"h134-{seed}")
    pools, meta = iu_pools(str(iu_archive()), str(dev_path()))
    used = set()

    def take(pool, n, pred=None):
        cands = [u for u in pools.get(pool, []) if u not in used and (pred is None or pred(u))]
        if len(cands) < n:
            raise RuntimeError(f"IU pool {pool} too small: {len(cands)} < {n}")
        got = r.sample(cands, n)
        used.update(got)
        return got

    plan = []  # (kind, uid, sub)
    plan += [("laterality_conflict", u, None) for u in take("laterality", 20)]
    om_list = take("omission", 10, lambda u: _omission_list_ok(*meta[u][:3], meta[u][3]))
    plan += [("impression_omits_finding", u, "list") for u in om_list]
    plan += [("impression_omits_finding", u, "normal") for u in take("omission", 10)]
    plan += [("negation_conflict", u, "deny") for u in take("neg_deny", 10)]
    plan += [("negation_conflict", u, "assert") for u in take("neg_assert", 10)]
    plan += [(None, u, None) for u in take("clean_abn", 30)]
    plan += [(None, u, None) for u in take("clean_normal", 70)]
    plan += [("missing_section", u, None) for u in take("any", 20)]
    plan += [("placeholder", u, None) for u in take("any", 20, lambda u: _has_placeholder_target(*meta[u][1:3]))]

    rows = []
    for kind, uid, sub in plan:
        rep, F, Imp, p = meta[uid]
        text, detail = iu_case(r, rep, F, Imp, p, kind, sub)
        rows.append(dict(injected=kind, detail=detail, report=text))
    for kind in [None] * 5 + KINDS:
        for _ in range(20):
            text, detail = composed_case(r, kind)
            rows.append(dict(injected=kind, detail=detail, report=text))
    r.shuffle(rows)
    return [dict(id=f"h134-{seed}-{k}", **row) for k, row in enumerate(rows)]


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
            for src in ("IU", "composed"):
                xs = [x for x in rows if x["injected"] == kind and x["detail"].startswith(src)][:a.show]
                for x in xs:
                    print(f"===== {x['id']} [{kind}] {x['detail']}\n{x['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
