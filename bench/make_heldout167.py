"""Held-out report-error set 167: elderly care / geriatric medicine / frailty units (UK and US), written blind.

usage: python -m bench.make_heldout167 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines {"id", "injected", "detail", "report"}: 200 clean reports and 40 of each of the five kinds
(missing_section, laterality_conflict, negation_conflict, impression_omits_finding, placeholder). Half of every
group is composed from the phrase bank below (ward films of the very old: falls and rib fractures, aspiration,
hiatus hernia, kyphosis and osteopenia, unfolded aorta, heart failure, rotated and poorly inspired mobile films),
half are real IU reports (never a dev-set uid, each used at most once) re-laid out and lightly re-worded in the
setting's style. Standard library only. MEDRAG_SHARED_DIR overrides where the shared folder is.
"""

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
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40
REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


def iu_archive(shared: Path | None = None) -> Path:
    return (shared or shared_dir()) / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_set(shared: Path | None = None) -> Path:
    return (shared or shared_dir()) / "eval" / "report_errors_dev.jsonl"


# ----------------------------------------------------------------------------------------------------------------
# spelling and small text helpers
# ----------------------------------------------------------------------------------------------------------------

_UK_TO_US = [
    (r"\bO(?=edema)", ""), (r"\bo(?=edema)", ""),
    (r"hiatus hernia", "hiatal hernia"), (r"Hiatus hernia", "Hiatal hernia"),
    (r"haemat", "hemat"), (r"Haemat", "Hemat"), (r"haemorrh", "hemorrh"),
    (r"oesophag", "esophag"), (r"Oesophag", "Esophag"),
    (r"aortic knuckle", "aortic knob"), (r"visualised", "visualized"), (r"centimetre", "centimeter"),
    (r"\bbibasal\b", "bibasilar"), (r"\bBibasal\b", "Bibasilar"), (r"\bbasal\b", "basilar"), (r"\bBasal\b", "Basilar"),
    (r"lower zone", "lower lung zone"), (r"mid zone", "mid lung zone"), (r"upper zone", "upper lung zone"),
    (r"in keeping with", "consistent with"), (r"In keeping with", "Consistent with"),
    (r"previous film", "prior study"), (r"the film of", "the radiograph of"), (r"AP film", "AP radiograph"),
    (r"mobile", "portable"), (r"Mobile", "Portable"), (r"free gas", "free air"), (r"Free gas", "Free air"),
    (r"\?(?=[a-z])", "possible "),
]

_US_TO_UK = [
    (r"(?<![oO])edema", "oedema"), (r"(?<![oO])Edema", "Oedema"),
    (r"hiatal hernia", "hiatus hernia"), (r"Hiatal hernia", "Hiatus hernia"),
    (r"(?<![a])hemat", "haemat"), (r"(?<![a])hemorrh", "haemorrh"), (r"(?<![oO])esophag", "oesophag"),
    (r"aortic knob", "aortic knuckle"), (r"visualized", "visualised"), (r"centimeter", "centimetre"),
    (r"\bbibasilar\b", "bibasal"), (r"\bBibasilar\b", "Bibasal"), (r"\bbasilar\b", "basal"),
    (r"\bBasilar\b", "Basal"),
]

_IU_REWORD = [
    (r"\bchest x-XXXX\b", "chest radiograph"), (r"\bx-XXXX\b", "radiograph"),
    (r"^There is no ", "No "), (r"^There are no ", "No "), (r"^There is ", ""), (r"^There are ", ""),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal contour"),
    (r"\bwithin normal limits\b", "within normal limits"),
    (r"^Frontal and lateral views of the chest (demonstrate|show)s? ", "PA and lateral views show "),
]


def _apply(text: str, table: list[tuple[str, str]]) -> str:
    for pat, rep in table:
        text = re.sub(pat, rep, text)
    return text


def to_us(text: str) -> str:
    return _apply(text, _UK_TO_US)


def to_uk(text: str) -> str:
    return _apply(text, _US_TO_UK)


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def flip_side(text: str) -> str:
    def rep(m: re.Match) -> str:
        w = m.group(0)
        out = {"left": "right", "right": "left"}[w.lower()]
        return out.upper() if w.isupper() else (cap(out) if w[0].isupper() else out)

    return re.sub(r"\b(left|right)\b", rep, text, flags=re.I)


SIDE_RE = re.compile(r"\b(left|right)\b", re.I)


def sides_in(text: str) -> list[str]:
    return sorted({m.group(1).lower() for m in SIDE_RE.finditer(text)})


# ----------------------------------------------------------------------------------------------------------------
# layout: headers, sign-offs, clinical details of the setting
# ----------------------------------------------------------------------------------------------------------------

UK_TITLES = ["CHEST X-RAY", "XR CHEST", "Chest X-ray (AP mobile)", "XR Chest AP", "CXR - mobile AP",
             "Chest radiograph", "X-RAY CHEST (PA)", "XR THORAX"]
US_TITLES = ["EXAM: XR CHEST 1 VIEW PORTABLE", "EXAMINATION: CHEST, SINGLE FRONTAL VIEW",
             "EXAM: CHEST 2 VIEWS PA AND LATERAL", "XR CHEST AP PORTABLE", "CHEST RADIOGRAPH, 1 VIEW",
             "PROCEDURE: XR CHEST PA/LAT"]
UK_CLIN_HDR = ["Clinical details:", "Clinical information:", "Clinical history:", "Indication:", "Clinical Details:"]
US_CLIN_HDR = ["HISTORY:", "INDICATION:", "CLINICAL INDICATION:", "REASON FOR EXAM:", "CLINICAL HISTORY:"]
UK_CMP_HDR = ["Comparison:", "Previous:", "Comparison:"]
US_CMP_HDR = ["COMPARISON:", "Comparison:"]
UK_FND_HDR = ["Findings:", "FINDINGS:", "Report:", "Findings:"]
US_FND_HDR = ["FINDINGS:", "FINDINGS:", "Findings:"]
UK_IMP_HDR = ["Conclusion:", "Impression:", "CONCLUSION:", "Opinion:", "Summary:", "Comment:", "IMPRESSION:"]
US_IMP_HDR = ["IMPRESSION:", "IMPRESSION:", "Impression:", "CONCLUSION:"]

UK_RADS = ["Dr A. Okafor, Consultant Radiologist", "Dr H. Lewis FRCR", "Dr S. Mahmood, Consultant Radiologist",
           "Dr C. Pritchard (Consultant Radiologist)", "Dr J. McAllister, ST4 Radiology Registrar",
           "Dr E. Vaughan FRCR, Consultant", "Dr ___, Consultant Radiologist", "Dr R. Banerjee, Consultant Radiologist"]
US_RADS = ["Karen Liu, MD", "Robert Hale, M.D.", "Priya Natarajan, MD", "Daniel O'Connell, MD", "Maria Alvarez, MD",
           "XXXX, MD", "Steven Kowalski, DO"]

UK_CLIN = [
    "{age}{sx}, fall on ward. ?rib fractures.", "{age}{sx}. Unwitnessed fall, chest wall pain. ?#ribs.",
    "{age}{sx}, #NOF, pre-op.", "Fractured neck of femur. Pre-op CXR.", "{age}{sx}, frailty. Increasing SOB. ?LRTI.",
    "Coughing after meals, ?aspiration pneumonia.", "{age}{sx}, new O2 requirement. ?aspiration. SALT review.",
    "Known CCF, worsening peripheral oedema and SOB.", "SOB, bibasal crackles. ?fluid overload ?infection.",
    "Delirium, raised CRP. ?source.", "Recurrent falls. Left-sided chest pain after fall.",
    "Follow-up of right basal pneumonia.", "{age}{sx}, COPD, increased sputum.", "Reduced mobility, ?chest infection.",
    "Care home resident, pyrexial. ?LRTI.", "AF, SOB on exertion. ?heart failure.",
]
US_CLIN = [
    "{agey}-year-old {sxw} status post fall.",
    "{agey}-year-old {sxw} with fall, chest wall pain. Evaluate for rib fractures.",
    "Preoperative evaluation, hip fracture.", "{agey}-year-old nursing home resident with fever and cough.",
    "Shortness of breath, history of CHF.", "Hypoxia. Evaluate for aspiration.", "Altered mental status, leukocytosis.",
    "Cough and dysphagia, rule out aspiration pneumonia.", "Follow-up pneumonia.", "{agey}-year-old {sxw}, dyspnea.",
    "Fall from standing, left chest pain.", "Weakness, possible pneumonia.",
]
UK_NORMAL_IMP = ["No acute cardiopulmonary abnormality.", "No acute abnormality.", "No active chest disease.",
                 "No significant abnormality.",
                 "No acute abnormality seen. No rib fracture identified.", "No acute change.",
                 "Chest appearances are within normal limits for age."]
US_NORMAL_IMP = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
                 "No acute intrathoracic abnormality.", "No radiographic evidence of acute cardiopulmonary disease.",
                 "No acute findings."]


@dataclass
class Layout:
    region: str
    title: str
    clin_hdr: str
    cmp_hdr: str
    fnd_hdr: str
    imp_hdr: str
    sign: str
    numbered: bool
    per_line: bool
    tech_line: bool
    cmp_inline: bool

    def describe(self) -> str:
        fmt = "numbered" if self.numbered else "prose"
        return f"{self.region} layout ({self.fnd_hdr.rstrip(':')}/{self.imp_hdr.rstrip(':')}, {fmt} impression)"


def make_layout(rng: random.Random, region: str | None = None) -> Layout:
    region = region or rng.choice(["UK", "UK", "UK", "US", "US"])
    uk = region == "UK"
    rads = UK_RADS if uk else US_RADS
    name = rng.choice(rads)
    if uk:
        sign = rng.choice([name, f"Reported by: {name}", f"Reported by {name}. Authorised.", f"{name}\nVerified."])
    else:
        sign = rng.choice([f"Electronically signed by: {name}", f"Dictated by: {name}", f"Signed: {name}",
                           f"Attending radiologist: {name}. Electronically signed."])
    return Layout(
        region=region,
        title=rng.choice(UK_TITLES if uk else US_TITLES),
        clin_hdr=rng.choice(UK_CLIN_HDR if uk else US_CLIN_HDR),
        cmp_hdr=rng.choice(UK_CMP_HDR if uk else US_CMP_HDR),
        fnd_hdr=rng.choice(UK_FND_HDR if uk else US_FND_HDR),
        imp_hdr=rng.choice(UK_IMP_HDR if uk else US_IMP_HDR),
        sign=sign,
        numbered=rng.random() < 0.4,
        per_line=rng.random() < 0.3,
        tech_line=rng.random() < 0.35,
        cmp_inline=uk and rng.random() < 0.3,
    )


CLIN_KEYS = {
    "aspiration": r"aspirat|LRTI|infection|fever|pneumonia|pyrex|CRP|leukocyt|mental",
    "heart_failure": r"CCF|CHF|SOB|heart failure|overload|dyspnea",
    "effusion": r"SOB|dyspnea|CCF|CHF|overload",
    "chronic": r"COPD|pre-op|Preoperative|SOB|mobility|Weakness",
    "follow_up": r"Follow-up|aspirat|infection|pneumonia",
}


def clin_text(rng: random.Random, region: str, scen: str = "") -> str:
    age = rng.randint(78, 101)
    sx = rng.choice(["F", "M", "F"])
    sxw = {"F": "female", "M": "male"}[sx]
    bank = UK_CLIN if region == "UK" else US_CLIN
    if scen in CLIN_KEYS:
        bank = [x for x in bank if re.search(CLIN_KEYS[scen], x)] or bank
    return rng.choice(bank).format(age=age, sx=sx, agey=age, sxw=sxw)


def cmp_text(rng: random.Random, region: str) -> tuple[str, bool]:
    """Comparison line and whether a prior exists."""
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2015, 2024)
    date = f"{d:02d}/{m:02d}/{y}" if region == "UK" else f"{m}/{d}/{y}"
    if rng.random() < 0.3:
        return rng.choice(["None.", "No previous imaging available.", "None available."]), False
    if region == "UK":
        return rng.choice([f"CXR {date}.", f"Previous film of {date}.", f"{date}.", "Previous film of XXXX."]), True
    return rng.choice([f"Chest radiograph {date}.", f"{date}.", "Prior study XXXX."]), True


@dataclass
class Report:
    layout: Layout
    clin: str
    cmp: str
    tech: str
    findings: list[str]
    impression: list[str]
    recommendation: str = ""
    drop: str = ""            # "findings" / "impression": section removed
    empty: str = ""           # "findings" / "impression": header kept, nothing under it
    sign_under_empty: bool = False
    impression_only: bool = False

    def render(self) -> str:
        lo = self.layout
        out = [lo.title]
        if self.clin:
            out.append(f"{lo.clin_hdr} {self.clin}")
        if self.cmp and not lo.cmp_inline:
            out.append(f"{lo.cmp_hdr} {self.cmp}")
        if self.tech and lo.tech_line:
            out.append(f"{'Technique:' if lo.region == 'UK' else 'TECHNIQUE:'} {self.tech}")
        fnd = list(self.findings)
        if self.tech and not lo.tech_line:
            fnd = [self.tech, *fnd]
        if self.cmp and lo.cmp_inline:
            fnd = [f"Comparison is made with {self.cmp[0].lower() + self.cmp[1:]}"
                   if not self.cmp.startswith(("None", "No ")) else "No previous film for comparison.", *fnd]
        blocks = ["\n".join(out)]
        if self.drop != "findings" and not self.impression_only:
            body = "" if self.empty == "findings" else ("\n".join(fnd) if lo.per_line else " ".join(fnd))
            blocks.append(f"{lo.fnd_hdr}\n{body}".rstrip())
        sign = lo.sign
        if self.drop != "impression":
            if self.empty == "impression":
                blocks.append(lo.imp_hdr)
            else:
                imp = list(self.impression)
                if self.impression_only:
                    imp = fnd + imp
                if lo.numbered and len(imp) > 1 and not self.impression_only:
                    body = "\n".join(f"{i}. {s}" for i, s in enumerate(imp, 1))
                else:
                    body = " ".join(imp)
                if self.recommendation:
                    body += ("\n" if lo.numbered else " ") + self.recommendation
                blocks.append(f"{lo.imp_hdr}\n{body}")
        elif self.recommendation:
            blocks.append(self.recommendation)
        if self.sign_under_empty:
            blocks[-1] = blocks[-1] + "\n" + sign
        else:
            blocks.append(sign)
        text = "\n\n".join(blocks)
        return text if lo.region == "UK" else text


# ----------------------------------------------------------------------------------------------------------------
# phrase bank (written in UK spelling; US reports pass through to_us)
# ----------------------------------------------------------------------------------------------------------------

@dataclass
class Item:
    key: str
    group: str                 # heart, medi, lung, eff, ptx, bone, device, abdo
    fnd: str
    imp: str | None = None
    sig: bool = False          # must be in the impression of a clean report
    omit: bool = False         # significant in the calibration's sense (omission may be injected)
    side: str | None = None
    neg_imp: list[str] = field(default_factory=list)   # impression sentences that negate this finding
    p_imp: float = 1.0         # chance a non-significant finding is mentioned in the impression


def _s(t: str, side: str | None) -> str:
    if side is None:
        return t
    return t.replace("{side}", side).replace("{Side}", cap(side))


def item_consolidation(rng: random.Random, side: str, new: bool = False) -> Item:
    f = rng.choice([
        "Patchy consolidation in the {side} lower zone.",
        "Airspace opacification at the {side} base, obscuring the {side} hemidiaphragm.",
        "Ill-defined consolidation in the {side} mid and lower zones.",
        "Patchy airspace shadowing at the {side} base, in a distribution typical of aspiration.",
        "Consolidation in the {side} lower lobe with air bronchograms.",
    ])
    i = rng.choice([
        "{Side} lower zone consolidation, in keeping with infection. Aspiration is possible given the history.",
        "{Side} basal pneumonia, ?aspiration.",
        "Features consistent with {side} lower lobe aspiration pneumonia.",
        "{Side} basal consolidation in keeping with infection.",
    ])
    if new:
        if rng.random() < 0.5:
            f = "New " + f[0].lower() + f[1:]
            i = "New {side} basal consolidation, likely aspiration pneumonia."
        else:
            f = f[:-1] + ", increased since the previous film."
            i = "Increasing {side} lower zone consolidation in keeping with progressive infection."
    return Item("consolidation", "lung", _s(f, side), _s(i, side), True, True, side,
                ["The lungs are clear.", "No consolidation.", "No focal consolidation."])


def item_bibasal_consolidation(rng: random.Random) -> Item:
    f = rng.choice(["Patchy bibasal consolidation.", "Bilateral lower zone airspace shadowing.",
                    "Patchy airspace opacification at both lung bases, in keeping with aspiration."])
    i = rng.choice(["Bibasal consolidation, in keeping with aspiration pneumonia.",
                    "Bilateral basal aspiration pneumonia.", "Bibasal infective consolidation."])
    return Item("consolidation", "lung", f, i, True, True, None,
                ["The lungs are clear.", "No consolidation."])


def item_oedema(rng: random.Random) -> Item:
    f = rng.choice([
        "Upper lobe blood diversion with perihilar haziness and septal lines, in keeping with pulmonary oedema.",
        "Interstitial pulmonary oedema with Kerley B lines.",
        "Features of cardiac failure with upper lobe diversion and interstitial oedema.",
        "Bilateral perihilar airspace shadowing in keeping with alveolar oedema.",
    ])
    i = rng.choice(["Pulmonary oedema.", "Features of congestive cardiac failure.",
                    "Appearances in keeping with fluid overload / cardiac failure.", "Interstitial pulmonary oedema."])
    return Item("oedema", "lung", f, i, True, True, None,
                ["No pulmonary oedema.", "No features of cardiac failure.", "The lungs are clear."])


def item_eff_small(rng: random.Random, side: str) -> Item:
    f = rng.choice(["Small {side} pleural effusion.",
                    "Blunting of the {side} costophrenic angle, in keeping with a small effusion.",
                    "Small {side} pleural effusion, unchanged."])
    i = rng.choice(["Small {side} pleural effusion.", "Small {side} effusion."])
    return Item("effusion", "eff", _s(f, side), _s(i, side), False, False, side,
                ["No pleural effusion."], p_imp=0.85)


def item_eff_large(rng: random.Random, side: str) -> Item:
    size = rng.choice(["Moderate", "Large", "Moderate-sized"])
    f = rng.choice([f"{size} {{side}} pleural effusion with adjacent basal atelectasis.",
                    f"{size} {{side}} pleural effusion.",
                    f"{size} {{side}} pleural effusion, increased since the previous film."])
    i = rng.choice([f"{size} {{side}} pleural effusion.", f"{size} {{side}} effusion, ?cause."])
    return Item("effusion", "eff", _s(f, side), _s(i, side), True, True, side,
                ["No pleural effusion.", "No effusion."])


def item_bilat_eff(rng: random.Random) -> Item:
    f = rng.choice(["Small bilateral pleural effusions.", "Bilateral small pleural effusions with basal atelectasis."])
    return Item("effusion", "eff", f, "Small bilateral pleural effusions.", False, False, None,
                ["No pleural effusion."], p_imp=0.8)


def item_ptx(rng: random.Random, side: str) -> Item:
    f = rng.choice(["Small {side} apical pneumothorax, rim measuring 1 cm.",
                    "{Side} pneumothorax with a 2 cm rim at the apex.",
                    "Shallow {side} apical pneumothorax."])
    i = rng.choice(["Small {side} pneumothorax.", "{Side} apical pneumothorax.",
                    "{Side} pneumothorax. Clinical team informed."])
    return Item("pneumothorax", "ptx", _s(cap(f), side), _s(i, side), True, True, side,
                ["No pneumothorax.", "No pneumothorax seen."])


def item_rib_fx(rng: random.Random, side: str) -> Item:
    a = rng.randint(4, 8)
    ribs = f"{a}th and {a + 1}th" if rng.random() < 0.5 else f"{a}th to {a + 2}th"
    f = rng.choice([f"Acute fractures of the {{side}} {ribs} ribs laterally.",
                    f"Displaced fractures of the {{side}} {ribs} ribs posterolaterally.",
                    f"Undisplaced fractures of the {{side}} {ribs} ribs."])
    i = rng.choice([f"Acute {{side}} {ribs} rib fractures.", f"Fractured {{side}} {ribs} ribs.",
                    "{Side} rib fractures as described."])
    return Item("rib_fracture", "bone", _s(f, side), _s(i, side), True, False, side,
                ["No rib fracture.", "No acute bony injury."])


def item_old_rib(rng: random.Random, side: str) -> Item:
    f = rng.choice(["Old healed fractures of the {side} lateral ribs.", "Old healed {side} rib fractures.",
                    "Healed fractures of the {side} 6th and 7th ribs, unchanged."])
    return Item("old_rib", "bone", _s(f, side), _s("Old healed {side} rib fractures.", side), False, False, side,
                p_imp=0.35)


def item_nodule(rng: random.Random, side: str) -> Item:
    mm = rng.randint(8, 25)
    zone = rng.choice(["upper", "mid", "lower"])
    f = rng.choice([f"A {mm} mm nodule is projected over the {{side}} {zone} zone.",
                    f"{mm} mm rounded opacity in the {{side}} {zone} zone, not seen previously."])
    i = f"{mm} mm {{side}} {zone} zone nodule. CT chest is recommended."
    return Item("nodule", "lung", _s(f, side), _s(i, side), True, True, side)


def item_mass(rng: random.Random, side: str) -> Item:
    cm = rng.randint(3, 7)
    f = rng.choice([f"{cm} cm mass at the {{side}} hilum.", f"A {cm} cm mass in the {{side}} upper zone."])
    i = rng.choice([f"{cm} cm {{side}} lung mass, suspicious for malignancy. Suggest CT.",
                    "{Side} hilar mass, likely primary lung malignancy."])
    if "upper" in f:
        i = f"{cm} cm {{side}} upper zone mass, suspicious for malignancy. Suggest CT."
    return Item("mass", "lung", _s(f, side), _s(i, side), True, True, side)


def item_free_gas() -> Item:
    return Item("free_gas", "abdo", "Free gas is seen beneath the right hemidiaphragm.",
                "Pneumoperitoneum. Surgical team informed by telephone.", True, True, None)


def item_widened_medi(rng: random.Random) -> Item:
    f = rng.choice(["The superior mediastinum is widened compared with the previous film.",
                    "Widened superior mediastinum, measuring 10 cm."])
    i = "Widened superior mediastinum following the fall; CT is advised to exclude a mediastinal haematoma."
    return Item("widened", "medi", f, i, True, True, None, ["Normal mediastinal contour."])


def item_cardiomegaly(rng: random.Random, mild: bool) -> Item:
    if mild:
        f = rng.choice(["The heart is mildly enlarged, unchanged.",
                        "Borderline cardiomegaly, accentuated by the AP projection.", "Stable mild cardiomegaly."])
        return Item("cardiomegaly_mild", "heart", f, "Stable mild cardiomegaly.", False, False, None,
                    ["Heart size is normal."], p_imp=0.4)
    f = rng.choice(["The heart is enlarged.", "Cardiomegaly, CTR 0.62.", "The heart is enlarged (CTR 0.6)."])
    return Item("cardiomegaly", "heart", f, "Cardiomegaly.", True, False, None,
                ["Heart size is normal.", "Normal heart size."])


def item_hiatus(rng: random.Random) -> Item:
    f = rng.choice(["Retrocardiac air-fluid level in keeping with a hiatus hernia.",
                    "Large hiatus hernia projected behind the heart.", "Small hiatus hernia."])
    return Item("hiatus", "medi", f, rng.choice(["Hiatus hernia.", "Incidental hiatus hernia."]),
                False, False, None, p_imp=0.5)


def item_aorta(rng: random.Random) -> Item:
    f = rng.choice(["Unfolded thoracic aorta.", "The aorta is unfolded with calcification of the aortic knuckle.",
                    "Unfolded, calcified thoracic aorta.", "Aortic knuckle calcification."])
    return Item("aorta", "medi", f, "Unfolded aorta.", False, False, None, p_imp=0.25)


def item_bones_chronic(rng: random.Random) -> Item:
    f = rng.choice(["The bones are osteopenic.", "Osteopenia with an exaggerated thoracic kyphosis.",
                    "Thoracic kyphosis with old wedge compression of a lower thoracic vertebral body.",
                    "Degenerative changes in both shoulders. Osteopenia."])
    i = rng.choice(["Osteopenia and thoracic kyphosis.", "Osteopenia."])
    if "kyphosis" not in f:
        i = "Osteopenia."
    return Item("osteopenia", "bone", f, i, False, False, None, p_imp=0.3)


def item_chronic_lung(rng: random.Random) -> Item:
    f = rng.choice(["Hyperexpanded lungs in keeping with COPD.",
                    "Coarse bibasal interstitial markings, unchanged, likely chronic.",
                    "Biapical pleural thickening."])
    i = {"H": "COPD.", "C": "Chronic bibasal lung changes.", "B": "Biapical pleural thickening."}[f[0]]
    return Item("chronic_lung", "lung", f, i, False, False, None, p_imp=0.5)


def item_atelectasis(rng: random.Random, side: str) -> Item:
    f = rng.choice(["Linear atelectasis at the {side} base.", "Plate atelectasis in the {side} lower zone."])
    return Item("atelectasis", "lung", _s(f, side), _s("{Side} basal atelectasis.", side), False, False, side,
                p_imp=0.5)


def item_device(rng: random.Random) -> Item:
    f = rng.choice(["Left-sided dual-chamber pacemaker, leads in satisfactory position.", "Median sternotomy wires.",
                    "Nasogastric tube tip is below the diaphragm, in the stomach.",
                    "Right shoulder hemiarthroplasty noted."])
    return Item("device", "device", f, None, False, False, None, p_imp=0.0)


TECH = ["AP mobile film.", "Single AP semi-erect view.", "Rotated AP film with poor inspiratory effort.",
        "AP sitting film. The patient is rotated.", "Suboptimal inspiration.", "Kyphotic projection, patient slumped.",
        "PA erect film.", "Rotated film."]

NORM = {
    "heart": ["Heart size is normal.", "The heart is not enlarged.", "Cardiothoracic ratio within normal limits.",
              "Heart size normal allowing for the AP projection.", "Normal heart size."],
    "medi": ["Mediastinal contours are normal.", "The mediastinum is not widened."],
    "lung": ["The lungs are clear.", "Lungs clear.", "No focal consolidation.", "Clear lung fields.",
             "No focal lung lesion."],
    "eff": ["No pleural effusion.", "Costophrenic angles are clear."],
    "ptx": ["No pneumothorax.", "No pneumothorax is seen."],
    "effptx": ["No pleural effusion or pneumothorax.", "No effusion or pneumothorax."],
    "bone_fall": ["No displaced rib fracture is identified.", "No acute bony injury seen.",
                  "No rib fracture demonstrated, although undisplaced fractures may be occult."],
}

SCENARIOS = ["fall_normal", "rib_fx", "aspiration", "heart_failure", "effusion", "chronic", "pneumothorax",
             "nodule", "follow_up", "free_gas", "widened"]
SCEN_W = [18, 12, 16, 14, 9, 12, 5, 5, 5, 2, 2]


def scenario_items(rng: random.Random, scen: str, single_side: bool = False) -> list[Item]:
    """Items of one composed case. single_side: at most one sided finding in the whole report."""
    side = rng.choice(["left", "right"])
    items: list[Item] = []
    if scen == "fall_normal":
        pass
    elif scen == "rib_fx":
        items.append(item_rib_fx(rng, side))
    elif scen == "aspiration":
        items.append(item_consolidation(rng, side) if rng.random() < 0.75 else item_bibasal_consolidation(rng))
    elif scen == "heart_failure":
        items.append(item_cardiomegaly(rng, mild=rng.random() < 0.4))
        items.append(item_oedema(rng))
        r = rng.random()
        if r < 0.4:
            items.append(item_bilat_eff(rng))
        elif r < 0.7:
            items.append(item_eff_large(rng, side))
    elif scen == "effusion":
        items.append(item_eff_large(rng, side) if rng.random() < 0.6 else item_eff_small(rng, side))
    elif scen == "chronic":
        items.append(item_chronic_lung(rng))
        items.append(item_hiatus(rng))
    elif scen == "pneumothorax":
        items.append(item_ptx(rng, side))
        if rng.random() < 0.6:
            items.append(item_rib_fx(rng, side))
    elif scen == "nodule":
        items.append(item_nodule(rng, side) if rng.random() < 0.6 else item_mass(rng, side))
    elif scen == "follow_up":
        items.append(item_consolidation(rng, side, new=True))
    elif scen == "free_gas":
        items.append(item_free_gas())
    elif scen == "widened":
        items.append(item_widened_medi(rng))
    # chronic background of the very old
    extras = [item_aorta, item_bones_chronic, item_hiatus, item_device, item_chronic_lung]
    for fn in extras:
        if rng.random() < 0.3 and not any(it.key == fn(random.Random(0)).key for it in items):
            items.append(fn(rng))
    if not single_side and rng.random() < 0.2 and not any(it.group == "heart" for it in items):
        items.append(item_cardiomegaly(rng, mild=True))
    if not single_side and rng.random() < 0.15:
        other = rng.choice(["left", "right"])
        items.append(item_old_rib(rng, other) if rng.random() < 0.5 else item_atelectasis(rng, other))
    return items


GROUP_ORDER = ["heart", "medi", "lung", "eff", "ptx", "bone", "device", "abdo"]


def compose_findings(rng: random.Random, items: list[Item], fall: bool) -> tuple[list[str], dict[str, str]]:
    """Findings sentences (ordered by structure) and the normal statements used, by group."""
    groups = {it.group for it in items}
    normals: dict[str, str] = {}
    out: list[str] = []
    for g in GROUP_ORDER:
        gi = [it for it in items if it.group == g]
        if g == "heart" and not gi:
            normals["heart"] = rng.choice(NORM["heart"])
            out.append(normals["heart"])
        if g == "medi" and not any(it.key == "widened" for it in gi) and rng.random() < 0.4:
            normals["medi"] = rng.choice(NORM["medi"])
            out.append(normals["medi"])
        if g == "lung" and not gi:
            normals["lung"] = rng.choice(NORM["lung"])
            out.append(normals["lung"])
        if g == "eff":
            if "eff" not in groups and "ptx" not in groups and rng.random() < 0.6:
                normals["eff"] = normals["ptx"] = rng.choice(NORM["effptx"])
                out.append(normals["eff"])
            elif "eff" not in groups:
                normals["eff"] = rng.choice(NORM["eff"])
                out.append(normals["eff"])
        if g == "ptx" and "ptx" not in groups and "ptx" not in normals and (
                fall or any(it.key == "rib_fracture" for it in items) or rng.random() < 0.5):
            normals["ptx"] = rng.choice(NORM["ptx"])
            out.append(normals["ptx"])
        if g == "bone" and fall and not any(it.key == "rib_fracture" for it in gi):
            normals["bone"] = rng.choice(NORM["bone_fall"])
            out.append(normals["bone"])
        out.extend(it.fnd for it in gi)
    if "lung" in groups and all(it.key in ("consolidation", "nodule", "mass", "atelectasis")
                                and it.side for it in items if it.group == "lung") and rng.random() < 0.35:
        idx = max(i for i, s in enumerate(out) if any(s == it.fnd for it in items if it.group == "lung"))
        out.insert(idx + 1, "The lungs are otherwise clear.")
    return out, normals


ACUTEISH = ("effusion", "atelectasis")


def compose_impression(rng: random.Random, items: list[Item], region: str, fall: bool) -> list[str]:
    sig = [it.imp for it in items if it.sig and it.imp]
    acuteish = [it.imp for it in items if not it.sig and it.imp and it.key in ACUTEISH]
    minor = [it.imp for it in items if not it.sig and it.imp and it.key not in ACUTEISH
             and rng.random() < it.p_imp]
    if sig:
        out = sig + [s for s in acuteish if rng.random() < 0.85] + minor
    elif acuteish:
        out = acuteish + minor
    elif all(it.key == "device" for it in items):
        out = [normal_statement(rng, region, fall)]
    elif not minor or rng.random() < 0.6:
        out = [normal_statement(rng, region, fall, chronic=True), *minor]
    else:
        out = minor
    if fall and any(it.key == "rib_fracture" for it in items) and not any(it.group == "ptx" for it in items):
        out.append("No pneumothorax.")
    return out


def normal_statement(rng: random.Random, region: str, fall: bool, chronic: bool = False) -> str:
    if chronic:
        return rng.choice(["No acute abnormality.", "No acute cardiopulmonary abnormality.",
                           "No acute change. Chronic changes as described."])
    bank = UK_NORMAL_IMP if region == "UK" else US_NORMAL_IMP
    s = rng.choice(bank)
    if "rib fracture" in s and not fall:
        s = bank[0]
    return s


def recommendation_for(rng: random.Random, items: list[Item], region: str) -> str:
    if any(it.key == "consolidation" for it in items) and rng.random() < 0.4:
        return rng.choice(["Suggest follow-up chest radiograph in 6 weeks after treatment to confirm resolution.",
                           "Recommend repeat film after treatment to ensure resolution.",
                           "SALT assessment may be helpful."])
    return ""


@dataclass
class Composed:
    report: Report
    items: list[Item]
    normals: dict[str, str]
    scen: str
    fall: bool


def compose(rng: random.Random, scen: str | None = None, single_side: bool = False) -> Composed:
    scen = scen or rng.choices(SCENARIOS, SCEN_W)[0]
    lo = make_layout(rng)
    items = scenario_items(rng, scen, single_side)
    clin = clin_text(rng, lo.region, scen)
    fall = scen in ("fall_normal", "rib_fx", "pneumothorax", "widened") or "fall" in clin.lower()
    if scen in ("fall_normal", "rib_fx", "pneumothorax", "widened") and "fall" not in clin.lower():
        clin = rng.choice(["Fall. ?rib fractures.", "Fall on the ward, chest wall pain."]) if lo.region == "UK" \
            else rng.choice(["Fall, chest pain.", "Status post fall. Rib pain."])
    if scen == "aspiration" and lo.region == "UK" and rng.random() < 0.5:
        clin = "Frail, unsafe swallow. ?aspiration pneumonia."
    fnd, normals = compose_findings(rng, items, fall)
    imp = compose_impression(rng, items, lo.region, fall)
    cmp, _ = cmp_text(rng, lo.region)
    tech = rng.choice(TECH) if rng.random() < 0.7 else ""
    if "PA" in lo.title and tech:
        tech = rng.choice(["PA erect film.", "PA and lateral views.", "Suboptimal inspiration."])
    elif tech == "PA erect film.":
        tech = "AP mobile film."
    if scen == "free_gas":
        clin = "Abdominal pain and vomiting. Frail." if lo.region == "UK" else "Abdominal pain, vomiting."
    if single_side and ("left" in tech or "right" in tech):
        tech = "AP mobile film."
    if "PA" in lo.title:
        fnd = [x.replace(" allowing for the AP projection", "").replace(", accentuated by the AP projection", "")
               for x in fnd]
        for it in items:
            it.fnd = it.fnd.replace(", accentuated by the AP projection", "")
        normals = {k: v.replace(" allowing for the AP projection", "") for k, v in normals.items()}
    rep = Report(lo, clin, cmp, tech, fnd, imp, recommendation_for(rng, items, lo.region))
    return Composed(rep, items, normals, scen, fall)


def finalise(rep: Report) -> str:
    text = rep.render()
    return to_us(text) if rep.layout.region == "US" else text


# ----------------------------------------------------------------------------------------------------------------
# IU reports: load, classify, re-lay out
# ----------------------------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def load_iu(archive: str) -> tuple[dict, ...]:
    out = []
    with tarfile.open(archive) as tf:
        for m in tf.getmembers():
            if not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            d = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            out.append({"uid": uid_el.get("id"), "findings": d.get("FINDINGS", ""),
                        "impression": d.get("IMPRESSION", ""), "indication": d.get("INDICATION", ""),
                        "comparison": d.get("COMPARISON", "")})
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(out)


@functools.lru_cache(maxsize=4)
def load_dev_uids(path: str) -> frozenset:
    uids = set()
    with open(path) as fh:
        for line in fh:
            if line.strip():
                uids.add(json.loads(line)["uid"])
    return frozenset(uids)


def split_sentences(text: str) -> list[str]:
    text = re.sub(r"<BR>", " ", text)
    text = re.sub(r"\.\s*\.", ".", text)
    text = re.sub(r"\.(?=[A-Z])", ". ", text)
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z(])", text.strip())
    return [p.strip() for p in parts if p.strip() and p.strip() != "."]


def split_impression(text: str) -> list[str]:
    text = re.sub(r"<BR>", " ", text).strip()
    if re.match(r"^1[.)]\s", text):
        parts = re.split(r"(?:^|\s)\d[.)]\s+(?=[A-Za-z])", text)
        parts = [p.strip() for p in parts if p.strip() and p.strip() != "."]
        return [p if p.endswith(".") else p + "." for p in parts]
    return [p if p.endswith((".", "?")) else p + "." for p in split_sentences(text)]


NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|clear of|resolved|resolution|absence|removed|"
                     r"exclude[sd]?|ruled out|none|nor)\b", re.I)
TERM_CUE = re.compile(r"\b(but|however|although|though|except|apart from|which|whereas)\b|;", re.I)
QUAL = re.compile(r"\b(left|right|small|moderate|large|mild|minimal|trace|tiny|new|increas\w*|bilateral|"
                  r"bibasilar|basilar|persistent|residual|slight)\b", re.I)

FAM = {
    "effusion": re.compile(r"effusion", re.I),
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "airspace": re.compile(r"consolidat|infiltrat|air ?space|pneumonia|opacit|densit|infect", re.I),
    "atelectasis": re.compile(r"atelecta|collapse", re.I),
    "oedema": re.compile(r"o?edema|congesti|heart failure|\bchf\b", re.I),
    "cardiomegaly": re.compile(r"cardiomegaly|(heart|cardiac)[^.]{0,30}enlarge|enlarge\w* (of the )?(heart|cardiac)",
                               re.I),
    "nodule": re.compile(r"nodul|mass\b|masses|lesion|neoplas|malignan|tumou?r", re.I),
    "widened": re.compile(r"widen", re.I),
    "free_gas": re.compile(r"free (intraperitoneal )?(air|gas)|pneumoperitoneum|subdiaphragmatic (air|gas)", re.I),
    "fracture": re.compile(r"fractur", re.I),
}
MEANING_NEG = {
    "airspace": re.compile(r"\blungs? (are |is )?(otherwise )?clear|clear lungs", re.I),
    "cardiomegaly": re.compile(r"heart (size )?(is )?(normal|within normal)|normal (heart|cardiac) size|"
                               r"heart size (is )?normal|cardiac (silhouette|size) (is )?(normal|within normal)|"
                               r"cardiomediastinal (silhouette|contour)s? (is |are )?(normal|within normal)", re.I),
}
EXTRA_ABN = re.compile(r"\b(new|increas\w*|interval (increase|development|worsening)|hazy|haziness|prominen\w*|"
                       r"blunt\w*|elevat\w*|thicken\w*|scar\w*|hyperinflat\w*|emphysema|copd|fibros\w*|"
                       r"interstitial|hernia|granulom\w*|calcif\w*|degenerat\w*|tortuous|spondyl\w*|kyphos\w*|"
                       r"osteopen\w*|catheter|tube|pacemaker|clip\w*|sternotomy|wire\w*|port|stent|deformit\w*|"
                       r"volume loss|low lung volumes|low volumes|crowding|ectatic|atherosclero\w*)\b", re.I)
NORMAL_IMP_RE = re.compile(r"^(no |negative|normal|stable|unremarkable|clear lungs|lungs are clear)", re.I)
SIG_FAMS = ["effusion", "pneumothorax", "airspace", "oedema", "cardiomegaly", "nodule", "widened", "free_gas",
            "fracture"]


def mentions(sentence: str, fam: str) -> list[bool]:
    """One bool per mention of the family in the sentence: True when affirmed (no negation cue before it)."""
    res = []
    for m in FAM[fam].finditer(sentence):
        pre = sentence[:m.start()]
        t = list(TERM_CUE.finditer(pre))
        if t:
            pre = pre[t[-1].end():]
        res.append(not NEG_CUE.search(pre))
    if fam in MEANING_NEG and MEANING_NEG[fam].search(sentence) and not res:
        res.append(False)
    return res


def affirmed(sents: list[str], fam: str) -> list[str]:
    return [s for s in sents if any(mentions(s, fam))]


def negated(sents: list[str], fam: str) -> list[str]:
    return [s for s in sents if mentions(s, fam) and not any(mentions(s, fam))]


def fam_sides(sents: list[str], fam: str) -> set:
    return {side for s in affirmed(sents, fam) for side in sides_in(s)}


@dataclass
class IU:
    uid: str
    findings: list[str]
    impression: list[str]
    indication: str
    comparison: str
    theme: int = 0


BAD_CHARS = re.compile(r"[\[\]<>{}*]|___|\bXX\b")


def iu_candidates(archive: Path, dev: frozenset) -> list[IU]:
    out = []
    for r in load_iu(str(archive)):
        if r["uid"] in dev or not r["findings"] or not r["impression"]:
            continue
        if BAD_CHARS.search(r["findings"] + r["impression"] + r["indication"] + r["comparison"]):
            continue
        f = split_sentences(r["findings"])
        i = split_impression(r["impression"])
        if not f or not i or len(" ".join(f)) < 40:
            continue
        text = (r["findings"] + " " + r["impression"] + " " + r["indication"]).lower()
        theme = sum(w in text for w in ["degenerat", "kyphos", "osteopen", "hiatal", "tortuous", "ectatic", "rib",
                                        "fall", "effusion", "edema", "cardiomegaly", "aspiration", "copd",
                                        "emphysema", "fracture", "atherosclero", "calcif", "pneumonia"])
        out.append(IU(r["uid"], f, i, r["indication"], r["comparison"], theme))
    return out


def is_normal_iu(c: IU) -> bool:
    """Findings with nothing significant and an impression that only says normal."""
    for s in c.findings:
        for fam in FAM:
            ms = mentions(s, fam)
            if any(ms):
                return False
        if NEG_CUE.search(s) and QUAL.search(s):
            return False
        if re.search(r"\b(new|increas\w*|interval|widen\w*|enlarg\w*|hazy|haziness|blunt\w*|prominent)\b", s, re.I):
            return False
    for s in c.impression:
        if not NORMAL_IMP_RE.search(s) or SIDE_RE.search(s) or QUAL.search(s):
            return False
        if any(any(mentions(s, fam)) for fam in FAM):
            return False
        if EXTRA_ABN.search(s):
            return False
    return True


def consistent_abnormal_iu(c: IU) -> bool:
    """Findings affirm something; impression covers every such family, same sides, and contradicts nothing."""
    f, i = c.findings, c.impression
    f_aff = [fam for fam in SIG_FAMS if affirmed(f, fam)]
    if not f_aff:
        return False
    for fam in FAM:
        fa, ia = affirmed(f, fam), affirmed(i, fam)
        if fam in SIG_FAMS and fa and not ia:
            return False
        if ia and not fa:
            return False
        if fa and negated(i, fam):
            return False
        if fa and fam in MEANING_NEG and any(MEANING_NEG[fam].search(s) for s in i):
            return False
        if not (fam_sides(i, fam) <= fam_sides(f, fam)):
            return False
    if not set(sides_in(" ".join(i))) <= set(sides_in(" ".join(f))):
        return False
    for s in f:  # findings contradicting themselves ("lungs are clear" beside an affirmed opacity)
        for fam, rx in MEANING_NEG.items():
            if rx.search(s) and "otherwise" not in s.lower() and affirmed(f, fam) and fam == "cardiomegaly":
                return False
    return True


def iu_region_text(text: str, region: str) -> str:
    return to_uk(text) if region == "UK" else text


def iu_reword(c: IU, region: str) -> tuple[list[str], list[str], list[str]]:
    """Lightly re-worded findings and impression, and a list of what was changed."""
    notes = []

    def rw(s: str) -> str:
        t = _apply(s, _IU_REWORD)
        t = cap(t)
        t2 = iu_region_text(t, region)
        if t2 != t and "UK spelling" not in notes:
            notes.append("UK spelling")
        if t != s and "phrasing" not in notes:
            notes.append("phrasing")
        return t2

    return [rw(s) for s in c.findings], [rw(s) for s in c.impression], notes


def iu_report(rng: random.Random, c: IU) -> tuple[Report, list[str]]:
    lo = make_layout(rng)
    f, i, notes = iu_reword(c, lo.region)
    clin = c.indication or ("Not given." if lo.region == "UK" else "Not provided.")
    cmp = c.comparison or "None."
    rep = Report(lo, iu_region_text(clin, lo.region), cmp, "", f, i)
    return rep, notes


def iu_detail(c: IU, rep: Report, notes: list[str], change: str) -> str:
    n = ", ".join(notes) if notes else "wording kept"
    return f"IU {c.uid}: re-laid out as {rep.layout.describe()}; {n}; {change}"


def iu_render(rep: Report) -> str:
    return rep.render()


# ----------------------------------------------------------------------------------------------------------------
# injections
# ----------------------------------------------------------------------------------------------------------------

PLACEHOLDERS_SIDE = ["[side]", "[LEFT/RIGHT]", "[***]", "___", "[ ]", "<<side>>"]
PLACEHOLDERS_SIZE = ["<<size>>", "XX", "___", "[***]", "[size]", "[ ]"]
PLACEHOLDERS_WORD = ["[***]", "[ ]", "***", "<<finding>>", "[finding]", "[normal/abnormal]", "___"]


def placeholder_in(rng: random.Random, sents: list[str]) -> tuple[list[str], str] | None:
    """Replace one word of one sentence by an unfilled template field. Returns new sentences and a note."""
    options = []
    for k, s in enumerate(sents):
        for m in re.finditer(r"\b(\d+(?:\.\d+)?)(?= ?(mm|cm)\b)", s):
            options.append((k, m.start(), m.end(), "size"))
        for m in SIDE_RE.finditer(s):
            options.append((k, m.start(), m.end(), "side"))
        for m in re.finditer(r"\b(\d+th)\b", s):
            options.append((k, m.start(), m.end(), "rib"))
        for m in re.finditer(r"\b(small|moderate|large|mild|normal|clear|enlarged|unfolded|osteopenic|acute|"
                             r"consolidation|effusion|pneumothorax|atelectasis|cardiomegaly)\b", s, re.I):
            options.append((k, m.start(), m.end(), "word"))
    if not options:
        return None
    k, a, b, kind = rng.choice(options)
    bank = {"size": PLACEHOLDERS_SIZE, "side": PLACEHOLDERS_SIDE, "rib": ["[rib number]", "XX", "___", "[***]"],
            "word": PLACEHOLDERS_WORD}[kind]
    ph = rng.choice(bank)
    s = sents[k]
    word = s[a:b]
    if ph == "___" and kind == "word":
        ph = "[***]"
    new = s[:a] + ph + s[b:]
    out = list(sents)
    out[k] = new
    return out, f"'{word}' replaced by the unfilled field '{ph}' in: {new}"


def inject_missing(rng: random.Random, rep: Report) -> str:
    r = rng.random()
    if r < 0.3:
        rep.empty = "findings"
        return "FINDINGS emptied (header kept, nothing under it)"
    if r < 0.55:
        rep.empty = "impression"
        return f"IMPRESSION emptied (header '{rep.layout.imp_hdr}' kept, nothing under it)"
    if r < 0.8:
        rep.empty = "impression"
        rep.sign_under_empty = True
        rep.recommendation = ""
        return f"IMPRESSION emptied ('{rep.layout.imp_hdr}' followed only by the signature)"
    rep.drop = "impression"
    rep.recommendation = ""
    return "IMPRESSION section removed (findings then sign-off)"


# ----------------------------------------------------------------------------------------------------------------
# composed cases
# ----------------------------------------------------------------------------------------------------------------

def composed_clean(rng: random.Random) -> tuple[str, str]:
    c = compose(rng)
    if c.scen in ("fall_normal", "chronic") and rng.random() < 0.12:
        c.report.impression_only = True
        acute = any(it.key in ACUTEISH for it in c.items)
        closing = "" if acute else rng.choice(["No acute abnormality.", "No acute cardiopulmonary abnormality.", ""])
        c.report.impression = [closing] if closing else []
        c.report.recommendation = ""
        return finalise(c.report), f"composed {c.scen}: clean, single impression section that itself gives the findings"
    return finalise(c.report), f"composed {c.scen}: clean ({c.report.layout.describe()})"


def composed_missing(rng: random.Random) -> tuple[str, str]:
    c = compose(rng)
    note = inject_missing(rng, c.report)
    return finalise(c.report), f"composed {c.scen}: {note}"


SIDED_SCEN = ["rib_fx", "aspiration", "effusion", "pneumothorax", "nodule", "follow_up"]


def composed_laterality(rng: random.Random) -> tuple[str, str]:
    while True:
        c = compose(rng, rng.choice(SIDED_SCEN), single_side=True)
        sided = [it for it in c.items if it.side and it.imp in c.report.impression]
        sides_all = sides_in(" ".join(c.report.findings + c.report.impression + [c.report.tech]))
        if len(sided) == 1 and len(sides_all) == 1:
            break
    it = sided[0]
    rep = c.report
    if rng.random() < 0.5:
        k = rep.findings.index(it.fnd)
        rep.findings[k] = flip_side(it.fnd)
        where, new = "FINDINGS", rep.findings[k]
    else:
        k = rep.impression.index(it.imp)
        rep.impression[k] = flip_side(it.imp)
        where, new = "IMPRESSION", rep.impression[k]
    return finalise(rep), f"composed {c.scen}: {it.side} flipped in {where} sentence '{new}'; the other section " \
                          f"keeps the {it.key.replace('_', ' ')} on the {it.side}"


NEG_ASSERT = {  # normal-group -> impression sentences asserting what that normal statement negates
    "eff": ["Small {side} pleural effusion.", "Moderate {side} pleural effusion.", "Bilateral pleural effusions."],
    "ptx": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "lung": ["{Side} basal consolidation, in keeping with aspiration pneumonia.", "{Side} lower lobe pneumonia.",
             "Pulmonary oedema."],
    "heart": ["Cardiomegaly.", "Cardiomegaly with features of cardiac failure."],
    "bone": ["Displaced {side} 6th rib fracture."],
    "medi": ["Widened mediastinum."],
}


def composed_negation(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.5:
        # impression asserts what the findings negate
        c = compose(rng, rng.choice(["fall_normal", "chronic", "fall_normal"]), single_side=True)
        groups = [g for g in ["eff", "ptx", "lung", "heart", "bone", "medi"] if g in c.normals]
        g = rng.choice(groups)
        side = rng.choice(["left", "right"])
        bank = NEG_ASSERT[g]
        if c.normals[g] == "No focal lung lesion.":
            bank = ["3 cm mass in the {side} upper zone, suspicious for malignancy."]
        elif c.normals[g] == "No focal consolidation.":
            bank = bank[:2]
        claim = _s(rng.choice(bank), side)
        rep = c.report
        keep = [s for s in rep.impression if not NORMAL_IMP_RE.search(s)]
        rep.impression = [claim, *keep]
        return finalise(rep), f"composed {c.scen}: IMPRESSION asserts '{claim}' while FINDINGS state " \
                              f"'{c.normals[g]}'"
    # impression negates what the findings affirm
    while True:
        c = compose(rng, rng.choice(["aspiration", "heart_failure", "effusion", "pneumothorax", "rib_fx"]))
        cands = [it for it in c.items if it.sig and it.neg_imp and it.imp in c.report.impression]
        if cands:
            break
    it = rng.choice(cands)
    rep = c.report
    neg = rng.choice(it.neg_imp)
    if neg == "The lungs are clear." and any(x.group == "lung" and x is not it for x in c.items):
        neg = "No consolidation." if it.key == "consolidation" else it.neg_imp[0]
    k = rep.impression.index(it.imp)
    rep.impression[k] = neg
    if it.key == "consolidation":
        rep.recommendation = ""
    return finalise(rep), f"composed {c.scen}: IMPRESSION says '{neg}' although FINDINGS affirm '{it.fnd}'"


OMIT_SCEN = ["aspiration", "heart_failure", "effusion", "pneumothorax", "nodule", "follow_up", "free_gas", "widened"]


def composed_omission(rng: random.Random, listing: bool) -> tuple[str, str]:
    while True:
        c = compose(rng, rng.choice(OMIT_SCEN))
        omit = [it for it in c.items if it.omit]
        others = [it for it in c.items if not it.omit and it.imp]
        if listing and not others:
            c.items.append(item_hiatus(rng) if rng.random() < 0.5 else item_bones_chronic(rng))
            continue
        if omit:
            break
    it = omit[0]
    # a single significant finding left out; every other significant one dropped from the case
    if len(omit) > 1:
        for x in omit[1:]:
            c.report.findings = [s for s in c.report.findings if s != x.fnd]
    rep = c.report
    rep.recommendation = ""
    if listing:
        rep.impression = [x.imp for x in others if x.imp]
        if c.fall and any(x.key == "rib_fracture" for x in others) and it.key != "pneumothorax":
            rep.impression.append("No pneumothorax.")
        how = "IMPRESSION lists only the other findings"
    else:
        rep.impression = [normal_statement(rng, rep.layout.region, False)]
        how = "IMPRESSION replaced by a normal statement"
    return finalise(rep), f"composed {c.scen}: FINDINGS affirm '{it.fnd}'; {how}: '{' '.join(rep.impression)}'"


def composed_placeholder(rng: random.Random) -> tuple[str, str]:
    while True:
        c = compose(rng)
        rep = c.report
        if rng.random() < 0.6:
            res = placeholder_in(rng, rep.findings)
            where = "FINDINGS"
            if res:
                rep.findings = res[0]
        else:
            res = placeholder_in(rng, rep.impression)
            where = "IMPRESSION"
            if res:
                rep.impression = res[0]
        if res:
            return finalise(rep), f"composed {c.scen}: {where}: {res[1]}"


# ----------------------------------------------------------------------------------------------------------------
# IU cases
# ----------------------------------------------------------------------------------------------------------------

class Pools:
    def __init__(self, cands: list[IU], rng: random.Random) -> None:
        def order(xs: list[IU]) -> list[IU]:
            keyed = [(rng.random() - 0.25 * min(x.theme, 3), x.uid, x) for x in xs]
            keyed.sort(key=lambda t: (t[0], t[1]))
            return [t[2] for t in keyed]

        self.normal = order([c for c in cands if is_normal_iu(c)])
        self.abnormal = order([c for c in cands if consistent_abnormal_iu(c)])
        self.used: set = set()

    def take(self, pool: list[IU], *oks) -> IU:
        """First unused report of the pool that passes the first predicate any report passes."""
        for ok in oks or (None,):
            for c in pool:
                if c.uid not in self.used and (ok is None or ok(c)):
                    self.used.add(c.uid)
                    return c
        raise RuntimeError("IU pool exhausted")

    def take_either(self, first: list[IU], then: list[IU]) -> IU:
        try:
            return self.take(first)
        except RuntimeError:
            return self.take(then)


def iu_clean(rng: random.Random, pools: Pools) -> tuple[str, str]:
    c = pools.take_either(pools.abnormal, pools.normal) if rng.random() < 0.35 else pools.take(pools.normal)
    rep, notes = iu_report(rng, c)
    return iu_render(rep), iu_detail(c, rep, notes, "clean (findings and impression unchanged in meaning)")


def iu_missing(rng: random.Random, pools: Pools) -> tuple[str, str]:
    c = pools.take_either(pools.abnormal, pools.normal) if rng.random() < 0.3 else pools.take(pools.normal)
    rep, notes = iu_report(rng, c)
    note = inject_missing(rng, rep)
    return iu_render(rep), iu_detail(c, rep, notes, note)


def _lat_target(c: IU) -> tuple[str, str, int, str] | None:
    """(section, family, index, side) of a sentence that can be flipped: it names one side and one family that the
    other section places on the same side, and no other side appears in either section."""
    all_sides = sides_in(" ".join(c.findings + c.impression))
    if len(all_sides) != 1:
        return None
    side = all_sides[0]
    for fam in ["effusion", "pneumothorax", "airspace", "atelectasis", "nodule", "fracture"]:
        fs = [k for k, s in enumerate(c.findings) if any(mentions(s, fam)) and side in sides_in(s)]
        im = [k for k, s in enumerate(c.impression) if any(mentions(s, fam)) and side in sides_in(s)]
        if fs and im:
            return ("impression", fam, im[0], side) if len(c.impression[im[0]]) < 160 else \
                ("findings", fam, fs[0], side)
    return None


def iu_laterality(rng: random.Random, pools: Pools) -> tuple[str, str]:
    c = pools.take(pools.abnormal, lambda x: _lat_target(x) is not None)
    rep, notes = iu_report(rng, c)
    where, fam, k, side = _lat_target(c)
    if rng.random() < 0.5:
        fs = [j for j, s in enumerate(rep.findings) if any(mentions(s, fam)) and side in sides_in(s)]
        if fs:
            where, k = "findings", fs[0]
        else:
            where = "impression"
            k = [j for j, s in enumerate(rep.impression) if any(mentions(s, fam)) and side in sides_in(s)][0]
    else:
        im = [j for j, s in enumerate(rep.impression) if any(mentions(s, fam)) and side in sides_in(s)]
        if im:
            where, k = "impression", im[0]
        else:
            where = "findings"
            k = [j for j, s in enumerate(rep.findings) if any(mentions(s, fam)) and side in sides_in(s)][0]
    sec = rep.findings if where == "findings" else rep.impression
    sec[k] = flip_side(sec[k])
    other = "IMPRESSION" if where == "findings" else "FINDINGS"
    return iu_render(rep), iu_detail(c, rep, notes, f"{side} flipped in {where.upper()} sentence '{sec[k]}'; "
                                                    f"{other} keeps the {fam} on the {side}")


IU_NEG_CLAIMS = {
    "effusion": (re.compile(r"\b(no|without)\b[^.]*\beffusion", re.I),
                 ["Small {side} pleural effusion.", "Moderate {side} pleural effusion.",
                  "Bilateral pleural effusions."]),
    "pneumothorax": (re.compile(r"\b(no|without)\b[^.]*\bpneumothora", re.I),
                     ["Small {side} apical pneumothorax.", "{Side} pneumothorax."]),
    "airspace": (re.compile(r"\blungs? (are |is )?clear|\bno\b[^.]*(consolidation|airspace|infiltrate)", re.I),
                 ["{Side} lower lobe pneumonia.", "{Side} basal consolidation, likely aspiration."]),
    "cardiomegaly": (MEANING_NEG["cardiomegaly"], ["Cardiomegaly.", "Moderate cardiomegaly."]),
    "oedema": (re.compile(r"\bno\b[^.]*o?edema", re.I), ["Pulmonary oedema.", "Interstitial pulmonary oedema."]),
}
IU_NEG_SAY = {
    "effusion": ["No pleural effusion."], "pneumothorax": ["No pneumothorax."],
    "airspace": ["The lungs are clear.", "No focal consolidation."], "oedema": ["No pulmonary oedema."],
    "cardiomegaly": ["Heart size is normal."], "nodule": ["No lung nodule or mass."],
}


def iu_negation(rng: random.Random, pools: Pools) -> tuple[str, str]:
    if rng.random() < 0.5:
        def ok(x: IU) -> bool:
            return any(rx.search(" ".join(x.findings)) for rx, _ in IU_NEG_CLAIMS.values())

        c = pools.take(pools.normal, ok)
        rep, notes = iu_report(rng, c)
        fams = [f for f, (rx, _) in IU_NEG_CLAIMS.items() if rx.search(" ".join(c.findings))]
        fam = rng.choice(fams)
        rx, claims = IU_NEG_CLAIMS[fam]
        claim = _s(rng.choice(claims), rng.choice(["left", "right"]))
        if rep.layout.region == "US":
            claim = to_us(claim)
        neg_sent = next(s for s in rep.findings if rx.search(s))
        rep.impression = [claim]
        return iu_render(rep), iu_detail(c, rep, notes, f"IMPRESSION replaced by '{claim}' while FINDINGS state "
                                                        f"'{neg_sent}'")

    def firm(sents: list[str], f: str) -> list[str]:
        """Sentences that plainly affirm the family (no atelectasis-only opacity, no borderline heart)."""
        out = [s for s in affirmed(sents, f)
               if not re.search(r"\b(possib\w*|versus|vs|may|might|could|question\w*|cannot)\b", s, re.I)]
        if f == "airspace":
            out = [s for s in out if OMIT_RX["airspace"].search(s) and not re.search(r"atelecta|scar", s, re.I)]
        if f == "cardiomegaly":
            out = [s for s in out if not re.search(r"borderline|top normal|upper limit", s, re.I)]
        return out

    def ok2(x: IU) -> bool:
        return any(firm(x.findings, f) and affirmed(x.impression, f) for f in IU_NEG_SAY)

    c = pools.take(pools.abnormal, ok2)
    rep, notes = iu_report(rng, c)
    fams = [f for f in IU_NEG_SAY if firm(rep.findings, f) and affirmed(rep.impression, f)]
    fam = rng.choice(fams)
    say = rng.choice(IU_NEG_SAY[fam])
    if rep.layout.region == "US":
        say = to_us(say)
    aff = firm(rep.findings, fam)[0]
    kept = [s for s in rep.impression if not FAM[fam].search(s)]
    rep.impression = [say, *kept]
    return iu_render(rep), iu_detail(c, rep, notes, f"IMPRESSION sentences on the {fam} replaced by '{say}' "
                                                    f"although FINDINGS affirm '{aff}'")


OMIT_RX = {
    "effusion": re.compile(r"effusion", re.I),
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "airspace": re.compile(r"consolidat|infiltrat|air ?space (disease|opacit|consolidation)|pneumonia", re.I),
    "oedema": re.compile(r"o?edema\b|vascular congestion", re.I),
    "nodule": re.compile(r"\bmass\b|nodul", re.I),
    "widened": re.compile(r"widen", re.I),
}
BROAD = {
    "effusion": re.compile(r"effusion|fluid|pleural", re.I),
    "pneumothorax": re.compile(r"pneumothora|pleural", re.I),
    "airspace": re.compile(r"consolidat|infiltrat|air ?space|pneumonia|opacit|densit|infect|atelecta|lobe|lung|"
                           r"basilar|basal|base|aspirat", re.I),
    "oedema": re.compile(r"edema|congesti|heart failure|chf|fluid|vascular|interstitial", re.I),
    "nodule": re.compile(r"mass|nodul|lesion|neoplas|malignan|tumou?r|ct\b|lung|opacit|densit", re.I),
    "widened": re.compile(r"widen|mediastin|aort", re.I),
}


RECOMMEND = re.compile(r"\b(consider|recommend\w*|suggest\w*|follow\w*|correlat\w*|advised?|discussed|"
                       r"notified|called|communicated|further)\b", re.I)


def _omit_target(c: IU) -> tuple[str, str] | None:
    """(family, findings sentence) of a significant affirmed finding in the calibration's sense."""
    for fam, rx in OMIT_RX.items():
        for j, s in enumerate(c.findings):
            if not rx.search(s):
                continue
            nxt = c.findings[j + 1] if j + 1 < len(c.findings) else ""
            if re.search(r"\b(chronic\w*|scar\w*|unchanged|stable|persistent|again|similar|known|prior)\b",
                         s + " " + nxt, re.I):
                continue
            ms = [m for m in rx.finditer(s)]
            pre = s[:ms[0].start()]
            t = list(TERM_CUE.finditer(pre))
            if t:
                pre = pre[t[-1].end():]
            if NEG_CUE.search(pre) or re.search(r"\b(possib\w*|question|may|might|could|cannot|suspect\w*|"
                                                r"versus|vs|or|resolv\w*|improv\w*|decreas\w*|old|chronic|"
                                                r"scar\w*|calcif\w*|granulom\w*)\b", s, re.I):
                continue
            if fam == "effusion" and re.search(r"\b(small|trace|tiny|minimal|tr)\b", s, re.I):
                continue
            if fam == "nodule" and not re.search(r"\bmass\b", s, re.I):
                sz = [float(x) * (10 if u == "cm" else 1)
                      for x, u in re.findall(r"(\d+(?:\.\d+)?) ?(mm|cm)\b", s)]
                if not sz or max(sz) < 6:
                    continue
            if fam == "oedema" and re.search(r"\b(mild|minimal|trace)\b", s, re.I):
                continue
            return fam, s
    return None


MINOR_F = re.compile(r"degenerat|granulom|tortuous|ectatic|calcif|hernia|spondyl|kyphos|scolios|emphysema|"
                     r"hyperinflat|hyperexpan|cardiomegaly|enlarged|sternotomy|pacemaker|clips|osteopen|copd|"
                     r"atheroscl|arthrit|osteophyt", re.I)


def _listing(x: IU, fam: str) -> tuple[str, list[int]]:
    """Which sentences an impression that leaves out `fam` keeps: ("impression", idx) of the other impression
    findings, or, when none is left, ("findings", idx) of minor findings restated as the impression."""
    keep = [k for k, s in enumerate(x.impression) if not BROAD[fam].search(s) and not NORMAL_IMP_RE.search(s)
            and len(s) > 8 and not RECOMMEND.search(s)]
    if keep:
        return "impression", keep
    keep = [k for k, s in enumerate(x.findings) if MINOR_F.search(s) and not BROAD[fam].search(s)
            and not NEG_CUE.search(s) and not RECOMMEND.search(s) and not OMIT_RX[fam].search(s)]
    return "findings", keep[:2]


def iu_omission(rng: random.Random, pools: Pools, listing: bool) -> tuple[str, str]:
    def others(x: IU, fam: str) -> list[str]:
        return [f for f in SIG_FAMS if f != fam and affirmed(x.findings, f)]

    def ok(x: IU, strict: bool = True) -> bool:
        t = _omit_target(x)
        if t is None:
            return False
        fam = t[0]
        if listing:
            src, idx = _listing(x, fam)
            if not idx:
                return False
            kept = [(x.impression if src == "impression" else x.findings)[k] for k in idx]
            if any(OMIT_RX[fam].search(s) or any(mentions(s, fam)) for s in kept):
                return False
            # every other significant finding must still be in what remains
            return all(affirmed(kept, f) for f in others(x, fam))
        return not others(x, fam) if strict else True

    c = pools.take(pools.abnormal, ok, lambda x: ok(x, strict=False))
    fam, sent = _omit_target(c)
    rep, notes = iu_report(rng, c)
    if listing:
        src, idx = _listing(c, fam)
        new_imp = [(rep.impression if src == "impression" else rep.findings)[k] for k in idx]
        how = "IMPRESSION keeps only the other findings" if src == "impression" else \
            "IMPRESSION replaced by the minor findings only"
    else:
        new_imp = [normal_statement(rng, rep.layout.region, False)]
        how = "IMPRESSION replaced by a normal statement"
    rep.impression = new_imp
    sent2 = next((s for s in rep.findings if OMIT_RX[fam].search(s)), sent)
    return iu_render(rep), iu_detail(c, rep, notes, f"FINDINGS affirm '{sent2}'; {how}: '{' '.join(new_imp)}'")


def iu_placeholder(rng: random.Random, pools: Pools) -> tuple[str, str]:
    c = pools.take_either(pools.abnormal, pools.normal) if rng.random() < 0.4 else pools.take(pools.normal)
    rep, notes = iu_report(rng, c)
    for _ in range(4):
        if rng.random() < 0.65:
            res, where = placeholder_in(rng, rep.findings), "FINDINGS"
            if res:
                rep.findings = res[0]
                break
        else:
            res, where = placeholder_in(rng, rep.impression), "IMPRESSION"
            if res:
                rep.impression = res[0]
                break
    else:
        ph = rng.choice(["[***]", "[ ]", "<<findings>>"])
        rep.findings = [*rep.findings, f"Bones: {ph}"]
        where, res = "FINDINGS", (None, f"template line 'Bones: {ph}' left unfilled")
    return iu_render(rep), iu_detail(c, rep, notes, f"{where}: {res[1]}")


# ----------------------------------------------------------------------------------------------------------------
# build
# ----------------------------------------------------------------------------------------------------------------

def build(seed: int, shared: Path | None = None) -> list[dict]:
    shared = shared or shared_dir()
    rng = random.Random(167_000_003 + 7919 * int(seed))
    dev = load_dev_uids(str(dev_set(shared)))
    pools = Pools(iu_candidates(iu_archive(shared), dev), random.Random(rng.random()))
    rows: list[tuple[str | None, str, str]] = []

    def add(kind: str | None, n: int, comp, iu) -> None:
        for k in range(n // 2):
            rep, det = comp(random.Random(rng.random()), k)
            rows.append((kind, det, rep))
        for k in range(n // 2):
            rep, det = iu(random.Random(rng.random()), k)
            rows.append((kind, det, rep))

    # the scarce IU reports with findings (laterality, omission) are drawn first
    add("impression_omits_finding", N_KIND, lambda r, k: composed_omission(r, listing=k % 2 == 0),
        lambda r, k: iu_omission(r, pools, listing=k % 2 == 0))
    add("laterality_conflict", N_KIND, lambda r, k: composed_laterality(r), lambda r, k: iu_laterality(r, pools))
    add("negation_conflict", N_KIND, lambda r, k: composed_negation(r), lambda r, k: iu_negation(r, pools))
    add(None, N_CLEAN, lambda r, k: composed_clean(r), lambda r, k: iu_clean(r, pools))
    add("missing_section", N_KIND, lambda r, k: composed_missing(r), lambda r, k: iu_missing(r, pools))
    add("placeholder", N_KIND, lambda r, k: composed_placeholder(r), lambda r, k: iu_placeholder(r, pools))
    order = list(range(len(rows)))
    rng.shuffle(order)
    out = []
    for n, i in enumerate(order):
        kind, det, rep = rows[i]
        out.append({"id": f"h167-{seed}-{n}", "injected": kind, "detail": det, "report": rep})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            shown = [r for r in rows if r["injected"] == kind]
            comp = [r for r in shown if not r["detail"].startswith("IU ")][: a.show]
            iu = [r for r in shown if r["detail"].startswith("IU ")][: a.show]
            for r in comp + iu:
                print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}\n", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
