"""Held-out report-error set 132: maternity and obstetric-medicine chest X-rays, written blind.

Setting: maternity / obstetric-medicine units in UK, Irish and US hospitals (pregnant and
postpartum women: shielded films, pre-eclampsia with pulmonary oedema, peripartum
cardiomyopathy, suspected PE, aspiration after caesarean section under GA, asthma, fever),
reported by general radiologists.

    python -m bench.make_heldout132 OUT.jsonl --seed S [--show N]

writes 400 JSON lines {"id", "injected", "detail", "report"}: 200 clean reports and 40 of each
of the five error kinds of shared/eval/README.md. Half of every group is composed from the
phrase bank below, half are real IU reports (never a dev-set uid, each used at most once)
re-laid out and lightly re-worded in the setting's style. Standard library only.
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
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40
TOTAL = N_CLEAN + N_PER_KIND * len(KINDS)


# ---------------------------------------------------------------------------------------------
# shared data
# ---------------------------------------------------------------------------------------------

def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def archive_path(shared: Path | None = None) -> Path:
    return (shared or shared_dir()) / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_path(shared: Path | None = None) -> Path:
    return (shared or shared_dir()) / "eval" / "report_errors_dev.jsonl"


def _clean_ws(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "")).strip()


@functools.lru_cache(maxsize=4)
def load_iu(path: str) -> tuple:
    """All IU reports with both FINDINGS and IMPRESSION, sorted by uid number."""
    out = []
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            fh = tar.extractfile(member)
            if fh is None:
                continue
            root = ET.parse(fh).getroot()
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            uid = uid_el.get("id", "")
            secs = {a.get("Label"): _clean_ws(a.text) for a in root.iter("AbstractText")}
            if secs.get("FINDINGS") and secs.get("IMPRESSION"):
                out.append({"uid": uid, "findings": secs["FINDINGS"], "impression": secs["IMPRESSION"],
                            "comparison": secs.get("COMPARISON", ""), "indication": secs.get("INDICATION", "")})
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(out)


@functools.lru_cache(maxsize=4)
def load_dev_uids(path: str) -> frozenset:
    uids = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uids.add(json.loads(line).get("uid"))
    return frozenset(u for u in uids if u)


# ---------------------------------------------------------------------------------------------
# text helpers
# ---------------------------------------------------------------------------------------------

SIDE_RE = re.compile(r"\b(left|right)\b", re.I)


def flip_sides(text: str) -> str:
    def swap(m):
        w = m.group(0)
        new = "right" if w.lower() == "left" else "left"
        if w.isupper():
            return new.upper()
        if w[0].isupper():
            return new.capitalize()
        return new
    return SIDE_RE.sub(swap, text)


def sides_in(text: str) -> set:
    return {m.group(0).lower() for m in SIDE_RE.finditer(text)}


def split_sentences(text: str) -> list:
    text = _clean_ws(text)
    if not text:
        return []
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)
    return [p.strip() for p in parts if p.strip()]


def split_items(text: str) -> list:
    """Impression into items: numbered lists split on the numbers, otherwise into sentences."""
    text = _clean_ws(text)
    if re.match(r"^1[.)]\s*[A-Za-z]", text) and not re.search(r"\s2[.)]\s*[A-Za-z]", text):
        text = re.sub(r"^1[.)]\s*", "", text)
    if re.match(r"^1[.)]\s*[A-Za-z]", text):
        parts = re.split(r"(?:^|(?<=\s))\d{1,2}[.)]\s*(?=[A-Za-z])", text)
        items = [p.strip() for p in parts if p.strip()]
        if len(items) >= 2:
            return items
    return split_sentences(text)


def end_stop(s: str) -> str:
    s = re.sub(r"\s*\.(?:\s*\.)+", ".", s.strip())
    return s if s.endswith((".", "!", "?")) else s + "."


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


UK_TO_US = [
    (r"\boedema", "edema"), (r"\bOedema", "Edema"), (r"haemo", "hemo"), (r"Haemo", "Hemo"),
    (r"oesoph", "esoph"), (r"anaesth", "anesth"), (r"caesarean", "cesarean"), (r"Caesarean", "Cesarean"),
    (r"visualised", "visualized"), (r"\bcentre", "center"), (r"calibre", "caliber"),
    (r"\bin keeping with\b", "consistent with"), (r"\bIn keeping with\b", "Consistent with"),
    (r"free subdiaphragmatic gas", "free subdiaphragmatic air"), (r"free gas", "free air"),
    (r"Free gas", "Free air"), (r"lower zone", "lower lung"), (r"mid zone", "mid lung"),
    (r"upper zone", "upper lung"), (r"\bsited\b", "positioned"), (r"chest X-ray", "chest radiograph"),
    (r"Chest X-ray", "Chest radiograph"), (r"\bfilm\b", "radiograph"), (r"\bfavour", "favor"),
    (r"\bLSCS\b", "cesarean section"),
]

US_TO_UK = [
    (r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"\bhemorrhag", "haemorrhag"),
    (r"\besophag", "oesophag"), (r"\bEsophag", "Oesophag"), (r"\banemi", "anaemi"), (r"\bischemi", "ischaemi"),
    (r"\bvisualized", "visualised"), (r"\bcenter", "centre"), (r"\bcaliber", "calibre"),
    (r"\bcolor", "colour"), (r"\bfavor", "favour"), (r"\bgray\b", "grey"), (r"\bhemithoraces\b", "hemithoraces"),
]

# light, meaning-preserving re-wordings (applied to IU text); (pattern, replacement, uk_only)
REWORD = [
    (r"\bThere is no\b", "No", False),
    (r"\bThere are no\b", "No", False),
    (r"\bThe heart is normal in size\b", "Heart size is normal", False),
    (r"\bHeart size is within normal limits\b", "Heart size is normal", False),
    (r"\bThe lungs are clear\b", "Lungs are clear", False),
    (r"\bLungs are clear bilaterally\b", "Both lungs are clear", False),
    (r"\bconsistent with\b", "in keeping with", True),
    (r"\bairspace disease\b", "airspace opacification", True),
    (r"\bchest x-XXXX\b", "chest X-ray", False),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary abnormality seen", True),
    (r"\bNo acute cardiopulmonary disease\b", "No acute abnormality", True),
    (r"\bNo acute cardiopulmonary process\b", "No acute cardiopulmonary process identified", False),
    (r"\bNo acute cardiopulmonary findings\b", "No acute abnormality", True),
    (r"\bosseous structures\b", "bones", True),
    (r"\bbony structures\b", "bones", True),
    (r"\bbibasilar\b", "bibasal", True),
    (r"\bbasilar\b", "basal", True),
    (r"\bcostophrenic XXXX\b", "costophrenic angles", False),
]


def apply_subs(text: str, subs) -> str:
    for pat, rep in subs:
        text = re.sub(pat, rep, text)
    return text


# ---------------------------------------------------------------------------------------------
# the setting: layouts, indications, sign-offs, phrase bank
# ---------------------------------------------------------------------------------------------

FIRST = ["Aoife", "Siobhan", "Niamh", "Ciaran", "Declan", "Orla", "Fiona", "Rachel", "James", "Priya", "Anil",
         "Helen", "Catherine", "Sarah", "Emma", "David", "Michael", "Olumide", "Hannah", "Farah", "Laura", "Tom",
         "Grainne", "Eoin", "Rebecca", "Jennifer", "Mark", "Ruth", "Chidi", "Sunita"]
LAST = ["Byrne", "O'Sullivan", "Murphy", "Kelly", "Walsh", "McCarthy", "Doyle", "Patel", "Shah", "Okafor",
        "Hughes", "Evans", "Thomas", "Roberts", "Campbell", "Stewart", "Robertson", "Khan", "Ahmed", "Brennan",
        "Nolan", "Fitzgerald", "Harrington", "Goldberg", "Nguyen", "Ramirez", "Miller", "Chen", "Lynch", "Barry"]


def person(rng) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def date_str(rng, us: bool) -> str:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.choice([2022, 2023, 2024])
    return f"{m:02d}/{d:02d}/{y}" if us else f"{d:02d}/{m:02d}/{y}"


LAYOUTS = {
    "uk_nhs": {
        "spell": "uk", "titles": ["XR Chest", "XR CHEST", "CXR", "Chest X-ray PA", "XR Chest (AP mobile)"],
        "ind_h": ["Clinical details", "Clinical indication", "Clinical information", "Clinical history"],
        "tech_h": None, "comp_h": ["Comparison", "Previous imaging", "Comparison"],
        "find_h": ["Findings", "Findings", "Report"], "imp_h": ["Conclusion", "Impression", "Summary", "Conclusion"],
        "caps": False, "numbered": 0.35, "lines": 0.25,
    },
    "uk_caps": {
        "spell": "uk", "titles": ["CHEST X-RAY", "XR CHEST PA", "CHEST RADIOGRAPH (AP)"],
        "ind_h": ["CLINICAL DETAILS", "CLINICAL INDICATION"], "tech_h": None,
        "comp_h": ["COMPARISON"], "find_h": ["FINDINGS"], "imp_h": ["CONCLUSION", "IMPRESSION", "OPINION"],
        "caps": True, "numbered": 0.5, "lines": 0.4,
    },
    "irish": {
        "spell": "uk", "titles": ["CHEST X-RAY", "Chest X-Ray", "X-RAY CHEST (PA)", "Chest AP (mobile)"],
        "ind_h": ["Clinical Details", "Clinical History", "History"], "tech_h": None,
        "comp_h": ["Comparison", "Previous"], "find_h": ["Report", "Findings", "Report"],
        "imp_h": ["Comment", "Opinion", "Conclusion", "Impression"],
        "caps": False, "numbered": 0.25, "lines": 0.2,
    },
    "us": {
        "spell": "us", "titles": ["EXAM: XR CHEST 2 VIEWS", "EXAMINATION: CHEST PA AND LATERAL",
                                  "EXAM: XR CHEST PORTABLE 1 VIEW", "EXAMINATION: RADIOGRAPH CHEST, 1 VIEW"],
        "tech_for": [1, 1, 0, 0],
        "ind_h": ["CLINICAL HISTORY", "INDICATION", "HISTORY", "REASON FOR EXAM"],
        "tech_h": ["TECHNIQUE"], "comp_h": ["COMPARISON"], "find_h": ["FINDINGS"], "imp_h": ["IMPRESSION"],
        "caps": True, "numbered": 0.55, "lines": 0.15,
    },
}
LAYOUT_WEIGHTS = [("uk_nhs", 4), ("uk_caps", 2), ("irish", 3), ("us", 3)]

TECH_UK = ["Abdominal shielding applied.", "Lead shield to abdomen.", "Fetal shielding in place.",
           "AP sitting, abdomen shielded.", "PA projection with abdominal lead shielding."]
TECH_US = [["Single portable AP view of the chest. Abdominal shield in place.",
            "Single frontal view. Lead apron shielding of the abdomen and pelvis."],
           ["PA and lateral views of the chest with abdominal shielding.",
            "Frontal and lateral views of the chest obtained with pelvic shielding."]]


def sign_off(rng, layout: str) -> str:
    name = person(rng)
    if layout == "us":
        return rng.choice([
            f"Electronically signed by: {name}, MD",
            f"Dictated by: {name}, MD\nElectronically signed by: {name}, MD",
            f"Signed: {name}, M.D. (Radiology)",
            f"Interpreted by {name}, MD. Electronically signed.",
        ])
    if layout == "irish":
        return rng.choice([
            f"Reported by: Dr {name}, Consultant Radiologist",
            f"Dr {name}\nConsultant Radiologist",
            f"Reported by Dr {name}, Consultant Radiologist. IMC No. {rng.randint(10000, 429999)}",
            f"Dr. {name} MB FFR RCSI",
        ])
    return rng.choice([
        f"Dr {name}, Consultant Radiologist",
        f"Reported by: Dr {name} (Consultant Radiologist), GMC {rng.randint(4000000, 7999999)}",
        f"Dr {name}, ST4 Radiology / verified by Dr {person(rng)}, Consultant Radiologist",
        f"Dr {name}\nConsultant Radiologist",
        f"Reported by Dr {name}, Consultant Radiologist",
    ])


def gestation(rng, us: bool, low: int = 16) -> str:
    w = rng.randint(low, 39)
    g = rng.randint(1, 4)
    gp = f"G{g}P{rng.randint(0, g - 1)}"
    if us:
        return rng.choice([f"{w} weeks pregnant", f"{gp} at {w} weeks", f"pregnant, {w}w{rng.randint(0, 6)}d"])
    return rng.choice([f"{w}/40", f"{w}+{rng.randint(0, 6)} weeks pregnant", f"{gp}, {w}/40", f"Pregnant {w}/40"])


def postpartum(rng, us: bool, ga: bool = False) -> str:
    n = rng.randint(1, 6)
    days = "day" if n == 1 else "days"
    if us:
        return (f"postpartum day {n} after cesarean delivery under general anesthesia" if ga
                else rng.choice([f"postpartum day {n}", f"POD {n} s/p cesarean section", f"{n} {days} postpartum"]))
    return (rng.choice([f"Day {n} post Em LSCS under GA", f"Day {n} post category 1 LSCS under GA",
                        f"Em LSCS under GA {n} {days} ago"]) if ga
            else rng.choice([f"Day {n} post LSCS", f"Day {n} postnatal", f"{n} {days} post-partum",
                             f"Day {n} post SVD"]))


def pick(rng, x):
    return rng.choice(x) if isinstance(x, (list, tuple)) else x


# indications by theme: (UK templates, US templates); {g} gestation, {p} postpartum, {pga} post-GA
IND = {
    "pe": (["{g}. SOB and pleuritic chest pain. ?PE", "{g}, tachycardic, sats 93% RA. ?PE - CXR prior to V/Q",
            "{p}. Sudden SOB, ?PE", "{g}. Chest pain, D-dimer not helpful in pregnancy. CXR before CTPA"],
           ["{g} with shortness of breath and pleuritic chest pain, evaluate for PE",
            "{p}, tachycardia and hypoxia, rule out PE (chest radiograph prior to V/Q)"]),
    "asthma": (["Known asthmatic, {g}. Wheeze, not responding to nebs", "{g}. Acute asthma. ?pneumothorax ?infection",
                "Asthma exacerbation. {g}"],
               ["{g}, asthma exacerbation", "Asthmatic, {g}, wheezing, evaluate for pneumothorax"]),
    "fever": (["{p}. Pyrexia 38.4. ?chest source", "{g}. Fever and productive cough. ?LRTI",
               "Sepsis screen, {p}", "{g}. Pyrexial, raised CRP. ?chest"],
              ["{p}, fever, evaluate for pneumonia", "{g} with fever and cough"]),
    "pet": (["{g}. Pre-eclampsia, SOB, crackles bibasally. ?pulmonary oedema",
             "PET on magnesium. Desaturating. ?fluid overload", "{p}. Severe PET, sats 90% on air"],
            ["{g} with preeclampsia and dyspnea, evaluate for pulmonary edema",
             "{p}, preeclampsia with severe features, hypoxia"]),
    "ppcm": (["{p}. Increasing SOB and orthopnoea. ?peripartum cardiomyopathy", "{p}. SOB, raised BNP. ?PPCM"],
             ["{p} with orthopnea and elevated BNP, evaluate for cardiomyopathy"]),
    "aspiration": (["{pga}. Desaturating, ?aspiration", "{pga}. Difficult intubation, ?aspiration pneumonitis"],
                   ["{pga}, hypoxia, concern for aspiration"]),
    "line": (["Post insertion of central line, HDU. {p}. PPH", "CVC check. PET on HDU"],
             ["Central line placement, {p}", "Line placement, obstetric ICU"]),
    "postop": (["{pcs}. Abdominal pain and distension. ?free gas", "{pcs}. Upper abdominal pain and SOB"],
               ["{pcs}, abdominal pain, evaluate for free air"]),
    "generic": (["{g}. SOB", "{g}. Chest pain", "{p}. SOB", "{g}. Cough", "Pre-op assessment, {g}, for elective LSCS",
                 "{g}. Palpitations and SOB"],
                ["{g} with shortness of breath", "{p} with chest pain", "{g}, cough"]),
}


def indication(rng, theme: str, us: bool, state: str | None = None) -> str:
    """state: 'ante' (pregnant), 'post' (postpartum) or None (either)."""
    uk, usl = IND[theme]
    temps = usl if us else uk
    if state == "ante":
        temps = [t for t in temps if "{p" not in t] or temps
    elif state == "post":
        temps = [t for t in temps if "{g}" not in t] or temps
    t = rng.choice(temps)
    low = 22 if theme == "pet" else (37 if "Pre-op" in t else 16)
    n = rng.randint(1, 5)
    pcs = (f"Postoperative day {n} after cesarean section" if us
           else rng.choice([f"Day {n} post LSCS", f"Day {n} post Em LSCS", f"{n} days post elective LSCS"]))
    return cap(t.format(g=gestation(rng, us, low), p=postpartum(rng, us), pga=postpartum(rng, us, ga=True), pcs=pcs))


# generic statements for the findings: (text, tags negated)
NEGATIVES = [
    (["Heart size is normal.", "The heart is not enlarged.", "Cardiac size within normal limits.",
      "Normal heart size."],
     {"cardiomegaly"}),
    (["Normal cardiomediastinal contours.", "The cardiomediastinal silhouette is within normal limits.",
      "Heart and mediastinum are normal."], {"cardiomegaly", "mediastinum"}),
    (["The lungs are clear.", "Lungs clear.", "Both lungs are clear."], {"consolidation", "oedema", "atelectasis"}),
    (["No focal consolidation.", "No focal airspace opacity.", "No consolidation."], {"consolidation"}),
    (["No pleural effusion.", "The costophrenic angles are clear.", "No pleural effusion is seen."], {"effusion"}),
    (["No pneumothorax.", "No pneumothorax is seen."], {"pneumothorax"}),
    (["No pleural effusion or pneumothorax.", "No effusion or pneumothorax."], {"effusion", "pneumothorax"}),
    (["No features of pulmonary oedema.", "Pulmonary vascularity is normal.", "No pulmonary oedema."], {"oedema"}),
]
NEUTRAL = ["No bony abnormality.", "Visualised bones are unremarkable.", "The bony thorax is intact.",
           "Soft tissues unremarkable.", "Lead shielding is projected over the upper abdomen.",
           "Trachea is central."]

NORMAL_IMP = {
    "uk": ["No acute abnormality.", "Normal chest X-ray.", "Normal appearances.", "No significant abnormality seen.",
           "No acute cardiopulmonary abnormality.", "Normal study.", "No acute abnormality detected.",
           "Unremarkable chest radiograph."],
    "us": ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.", "Normal chest radiograph.",
           "No acute findings."],
}
PE_REC = {
    "uk": ["If PE remains a clinical concern, V/Q or CTPA as per the local pregnancy pathway.",
           "Normal CXR does not exclude PE; proceed to V/Q perfusion imaging if clinically indicated."],
    "us": ["If clinical concern for PE persists, consider V/Q scan or CTPA per obstetric imaging protocol."],
}

# impression assertions for negation conflicts: tag -> templates ({S} side)
ASSERT = {
    "cardiomegaly": ["Cardiomegaly.", "Enlarged cardiac silhouette.", "The heart is enlarged."],
    "consolidation": ["{S} lower zone consolidation, likely infective.", "{S} basal pneumonia.",
                      "Consolidation in the {s} lower lobe."],
    "oedema": ["Pulmonary oedema.", "Features of pulmonary oedema, in keeping with fluid overload.",
               "Interstitial pulmonary oedema."],
    "effusion": ["Small {s} pleural effusion.", "Bilateral pleural effusions.", "Moderate {s} pleural effusion."],
    "pneumothorax": ["Small {s} apical pneumothorax.", "{S} pneumothorax."],
    "mediastinum": ["Widened mediastinum."],
}
# impression negations of a finding the findings affirm (mode B)
NEGATE = {
    "consolidation": ["No focal consolidation.", "Lungs are clear.", "No consolidation."],
    "oedema": ["No pulmonary oedema.", "No features of fluid overload."],
    "effusion": ["No pleural effusion.", "Costophrenic angles are clear."],
    "pneumothorax": ["No pneumothorax."],
    "cardiomegaly": ["Heart size is normal.", "Normal cardiac size."],
    "nodule": ["No pulmonary nodule.", "No focal lung lesion."],
    "free_air": ["No free subdiaphragmatic gas."],
}

# minor, non-significant extras: (findings text, impression text, tags present, sided)
MINOR = [
    ("{S} internal jugular central venous catheter with its tip projected over the SVC.",
     "{S} IJ line tip in the SVC.", {"line"}, True, {"line", "pet", "ppcm", "aspiration"}, None),
    ("Nasogastric tube tip lies below the diaphragm, within the stomach.",
     "NG tube in satisfactory position.", {"tube"}, False, {"aspiration", "postop"}, "post"),
    ("Low lung volumes with elevation of both hemidiaphragms by the gravid uterus.",
     "Low lung volumes related to pregnancy.", {"volumes"}, False, None, "ante"),
    ("Heart size at the upper limit of normal.",
     "Borderline heart size.", {"cardiomegaly"}, False, None, None),
    ("Mild bronchial wall thickening.", "Mild bronchial wall thickening, which may reflect asthma.", {"airways"}, False,
     {"asthma", "fever", "generic", "pe"}, None),
    ("Minor linear atelectasis at the {s} base.", "Minor {s} basal atelectasis.",
     {"atelectasis", "consolidation"}, True, None, None),
]


class Scn:
    """One composed scenario: findings/impression sentences that agree."""

    def __init__(self, name, theme, find, imp, present=(), sided=None, sig=None, neg=None, normal=False,
                 rec=None, rec_sig=False, vals=None, exclude=(), state=None):
        self.name, self.theme, self.find, self.imp = name, theme, find, imp
        self.present = set(present) | set(exclude)
        self.sided = sided          # (findings idx, impression idx) of the sentences stating the side
        self.sig = sig              # (findings idxs, impression idxs) of a significant finding
        self.neg = neg              # (impression idx, tag) that mode-B negation may replace
        self.normal, self.rec, self.rec_sig, self.vals = normal, rec, rec_sig, vals
        self.state = state


def _v_ctr(rng):
    return {"ctr": rng.choice(["0.58", "0.6", "0.62", "0.65"])}


def _v_ptx(rng):
    return {"cm": rng.choice(["1.5", "2", "2.5", "3"])}


def _v_nod(rng):
    return {"mm": str(rng.randint(7, 16))}


SCENARIOS = [
    Scn("normal_pe", "pe", [], [], normal=True, rec=PE_REC),
    Scn("normal_asthma", "asthma", [["Lungs are well expanded.", "Normal lung volumes."]], [], normal=True),
    Scn("normal_fever", "fever", [], [["No focal consolidation to account for the pyrexia.",
                                        "No radiographic evidence of a chest source of sepsis."]],
        present={"consolidation_neg_required"}, normal=True),
    Scn("normal_generic", "generic", [], [], normal=True),
    Scn("asthma_hyper", "asthma",
        [["The lungs are hyperinflated with bronchial wall thickening.",
          "Hyperexpanded lungs with peribronchial cuffing."], "No pneumothorax."],
        [["Hyperinflation and bronchial wall thickening, in keeping with asthma.",
          "Changes of airways disease in keeping with the history of asthma."], "No pneumothorax."],
        present={"airways", "pneumothorax"}),
    Scn("pet_oedema", "pet",
        [["There is upper lobe venous diversion with bilateral perihilar airspace shadowing and septal lines.",
          "Bilateral perihilar haziness with Kerley B lines and upper lobe blood diversion.",
          "Upper lobe blood diversion, interstitial oedema and bilateral perihilar airspace shadowing."],
         "Small bilateral pleural effusions.",
         ["Heart size is at the upper limit of normal.", "Heart size is borderline on this AP projection."]],
        [["Pulmonary oedema, in the context of pre-eclampsia.",
          "Appearances in keeping with pulmonary oedema given the history of PET."],
         "Small bilateral pleural effusions."],
        present={"oedema", "effusion", "cardiomegaly", "consolidation"}, sig=([0], [0]), neg=(0, "oedema")),
    Scn("ppcm", "ppcm",
        ["The heart is enlarged, CTR {ctr}.",
         ["There is upper lobe blood diversion with interstitial oedema.",
          "Upper lobe venous diversion and interstitial oedema with septal lines."],
         ["Bilateral pleural effusions, moderate in size.", "Moderate bilateral pleural effusions."]],
        ["Cardiomegaly with pulmonary oedema and moderate bilateral pleural effusions.",
         ["In the postpartum setting peripartum cardiomyopathy should be considered. Echocardiography is recommended.",
          "Suggest echocardiography to assess for peripartum cardiomyopathy."]],
        present={"cardiomegaly", "oedema", "effusion", "consolidation"}, sig=([1], [0]), neg=(0, "cardiomegaly"),
        vals=_v_ctr, state="post"),
    Scn("aspiration", "aspiration",
        [["There is patchy airspace consolidation in the {s} lower zone.",
          "Patchy consolidation is present in the {s} lower zone.",
          "New airspace opacification at the {s} base."]],
        [["{S} lower zone consolidation, in keeping with aspiration given the history.",
          "{S} basal changes likely represent aspiration pneumonitis.",
          "Appearances in the {s} lower zone are in keeping with aspiration."]],
        present={"consolidation", "atelectasis"}, sided=(0, 0), sig=([0], [0]), neg=(0, "consolidation"), state="post"),
    Scn("pneumonia", "fever",
        [["Dense consolidation in the {s} lower lobe with air bronchograms.",
          "There is consolidation within the {s} lower lobe.",
          "Focal airspace consolidation in the {s} mid zone."]],
        [["{S} sided pneumonia.", "{S} lower lobe pneumonia.", "Consolidation on the {s}, in keeping with infection."]],
        present={"consolidation", "atelectasis"}, sided=(0, 0), sig=([0], [0]), neg=(0, "consolidation"),
        rec=["Follow-up chest X-ray in 6 weeks to confirm resolution.",
             "Suggest repeat film after treatment to ensure resolution."], rec_sig=True),
    Scn("effusion_mod", "generic",
        [["Moderate {s} pleural effusion with adjacent basal atelectasis.",
          "There is a moderate-sized {s} pleural effusion.",
          "Moderate {s} pleural effusion, increased since the previous film."]],
        [["Moderate {s} pleural effusion.", "{S} pleural effusion, moderate in size."]],
        present={"effusion", "atelectasis", "consolidation"}, sided=(0, 0), sig=([0], [0]), neg=(0, "effusion")),
    Scn("pneumothorax", "asthma",
        [["There is a {s} pneumothorax with a {cm} cm rim at the level of the hilum.",
          "{S} apical pneumothorax, measuring {cm} cm from the apex."], "No mediastinal shift."],
        [["{S} pneumothorax ({cm} cm).", "{S} sided pneumothorax, no features of tension."]],
        present={"pneumothorax"}, sided=(0, 0), sig=([0], [0]), neg=(0, "pneumothorax"), vals=_v_ptx,
        rec=["Findings discussed with the obstetric registrar at the time of reporting.",
             "Result telephoned to the labour ward team."], rec_sig=True),
    Scn("cvc", "line",
        [["{S} internal jugular central venous catheter, tip projected over the SVC.",
          "{S} IJ CVC with its tip at the cavoatrial junction."], "No pneumothorax."],
        [["{S} IJ line in satisfactory position.", "{S} internal jugular line tip in a satisfactory position."],
         "No pneumothorax."],
        present={"line", "pneumothorax"}, sided=(0, 0)),
    Scn("atelectasis", "generic",
        [["Linear atelectasis at the {s} base.", "Minor plate atelectasis in the {s} lower zone."]],
        [["Minor {s} basal atelectasis.", "Subsegmental atelectasis at the {s} base."],
         ["No consolidation.", "No focal consolidation."]],
        present={"atelectasis", "consolidation"}, sided=(0, 0)),
    Scn("nodule", "generic",
        [["Nodule measuring {mm} mm projected over the {s} mid zone.",
          "There is a rounded opacity measuring {mm} mm in the {s} upper zone."]],
        [["{mm} mm {s} lung nodule. CT chest is recommended after delivery.",
          "Indeterminate {mm} mm nodule in the {s} lung; suggest CT after delivery."]],
        present={"nodule", "consolidation"}, sided=(0, 0), sig=([0], [0]), neg=(0, "nodule"), vals=_v_nod,
        state="ante"),
    Scn("gravid_volumes", "generic",
        [["Low lung volumes with elevation of the hemidiaphragms by the gravid uterus.",
          "Elevated hemidiaphragms in keeping with advanced gestation."]],
        [["Low lung volumes related to gestation. No acute abnormality.",
          "Low volumes due to pregnancy, otherwise normal."]],
        present={"volumes"}, state="ante"),
    Scn("free_gas", "postop",
        [["Free gas is present beneath the {s} hemidiaphragm.",
          "Small volume of free subdiaphragmatic gas under the {s} hemidiaphragm."]],
        [["Free gas under the {s} hemidiaphragm, which may be post-operative following recent LSCS. "
          "Correlate clinically; CT if concern for perforation.",
          "{S} subdiaphragmatic free gas, likely post-operative. Clinical correlation advised."]],
        present={"free_air"}, sided=(0, 0), sig=([0], [0]), neg=(0, "free_air"), state="post"),
    Scn("oedema_worse", "pet",
        [["Compared with the film of {prev}, there is increasing bilateral airspace shadowing with septal lines, "
          "in keeping with worsening oedema.",
          "Interval increase in perihilar airspace opacification and interstitial oedema since {prev}, "
          "with new septal lines."],
         "No significant pleural effusion."],
        [["Worsening pulmonary oedema.", "Increasing pulmonary oedema since the previous study."]],
        present={"oedema", "consolidation", "effusion"}, sig=([0], [0]), neg=(0, "oedema"), rec=None),
]
SCN_BY_NAME = {s.name: s for s in SCENARIOS}
SIDED = [s.name for s in SCENARIOS if s.sided]
SIG = [s.name for s in SCENARIOS if s.sig]
NEG_B = [s.name for s in SCENARIOS if s.neg]


def to_spelling(text: str, spell: str) -> str:
    return apply_subs(text, UK_TO_US) if spell == "us" else text


# ---------------------------------------------------------------------------------------------
# report structure and rendering
# ---------------------------------------------------------------------------------------------

def make_frame(rng, layout_name: str, ind_text: str, comparison: str) -> dict:
    lay = LAYOUTS[layout_name]
    ti = rng.randrange(len(lay["titles"]))
    return {
        "layout": layout_name,
        "title": lay["titles"][ti],
        "ind_h": rng.choice(lay["ind_h"]), "indication": ind_text,
        "technique": rng.choice(TECH_US[lay["tech_for"][ti]]) if layout_name == "us" else (
            rng.choice(TECH_UK) if rng.random() < 0.55 else ""),
        "comp_h": rng.choice(lay["comp_h"]), "comparison": comparison,
        "find_h": rng.choice(lay["find_h"]), "imp_h": rng.choice(lay["imp_h"]),
        "numbered": rng.random() < lay["numbered"], "lines": rng.random() < lay["lines"],
        "inline": rng.random() < 0.3,
        "signoff": sign_off(rng, layout_name),
        "findings": [], "impression": [],
    }


def render(fr: dict, missing: str | None = None) -> str:
    """missing: None, 'imp_empty', 'imp_sig', 'imp_removed', 'find_empty', 'find_removed'."""
    lay = LAYOUTS[fr["layout"]]
    if fr["find_h"] == "Report" and fr["imp_h"] == "Report":
        fr["imp_h"] = "Conclusion"
    out = [fr["title"]]
    out.append(f"{fr['ind_h']}: {fr['indication']}")
    if fr["technique"]:
        if lay["tech_h"]:
            out.append(f"{lay['tech_h'][0]}: {fr['technique']}")
        else:
            out.append(fr["technique"])
    if fr["comparison"]:
        out.append(f"{fr['comp_h']}: {fr['comparison']}")
    out.append("")
    # findings
    fh = fr["find_h"] + ":"
    if missing == "find_removed":
        pass
    elif missing == "find_empty":
        out += [fh, ""]
    else:
        body = "\n".join(fr["findings"]) if fr["lines"] else " ".join(fr["findings"])
        if fr["inline"] and not fr["lines"]:
            out += [f"{fh} {body}", ""]
        else:
            out += [fh, body, ""]
    # impression
    ih = fr["imp_h"] + ":"
    items = fr["impression"]
    if missing == "imp_removed":
        out.append(fr["signoff"])
    elif missing == "imp_empty":
        out += [ih, "", "", fr["signoff"]]
    elif missing == "imp_sig":
        out += [ih, fr["signoff"]]
    else:
        if fr["numbered"] and len(items) > 1:
            body = "\n".join(f"{i}. {t}" for i, t in enumerate(items, 1))
            out += [ih, body]
        elif fr["inline"]:
            out.append(f"{ih} {' '.join(items)}")
        else:
            out += [ih, " ".join(items)]
        out += ["", fr["signoff"]]
    text = "\n".join(out).strip() + "\n"
    return re.sub(r"\n{3,}", "\n\n", text)


def pick_layout(rng) -> str:
    names = [n for n, w in LAYOUT_WEIGHTS for _ in range(w)]
    return rng.choice(names)


# ---------------------------------------------------------------------------------------------
# composed cases
# ---------------------------------------------------------------------------------------------

def compose(rng, scn: Scn, layout: str, n_extras: int | None = None, keep_sided_only: bool = False) -> dict:
    """A clean composed report. Returns frame + bookkeeping (indices of sided/sig sentences)."""
    spell = LAYOUTS[layout]["spell"]
    us = spell == "us"
    side = rng.choice(["left", "right"])
    vals = {"s": side, "S": side.capitalize(), "prev": date_str(rng, us)}
    if scn.vals:
        vals.update(scn.vals(rng))

    def fmt(t):
        return to_spelling(pick(rng, t).format(**vals), spell)

    find = [fmt(t) for t in scn.find]
    imp = [fmt(t) for t in scn.imp]
    f_tags = [set() for _ in find]   # negated tags per findings sentence
    sided_f, sided_i = (scn.sided if scn.sided else (None, None))
    sig_f = list(scn.sig[0]) if scn.sig else []
    sig_i = list(scn.sig[1]) if scn.sig else []
    present = set(scn.present)
    if scn.name == "normal_fever":
        present.discard("consolidation_neg_required")
    # extras
    if n_extras is None:
        n_extras = rng.choice([0, 0, 0, 1])
    extras = []
    state = scn.state or rng.choice(["ante", "ante", "post"])
    pool = [m for m in MINOR if not (m[2] & present) and (m[4] is None or scn.theme in m[4])
            and (m[5] is None or m[5] == state)]
    if keep_sided_only:
        pool = [m for m in pool if not m[3]]
    rng.shuffle(pool)
    for m in pool[:n_extras]:
        eside = rng.choice(["left", "right"])
        ev = {"s": eside, "S": eside.capitalize()}
        extras.append((to_spelling(m[0].format(**ev), spell), to_spelling(m[1].format(**ev), spell)))
        present |= m[2]
    # generic negatives not touching anything present
    negs = []
    used = set(present)
    order = list(range(len(NEGATIVES)))
    rng.shuffle(order)
    heart_first = [i for i in order if NEGATIVES[i][1] & {"cardiomegaly"}]
    rest = [i for i in order if i not in heart_first]
    for i in heart_first[:1] + rest:
        alts, tags = NEGATIVES[i]
        if tags & used:
            continue
        negs.append((to_spelling(rng.choice(alts), spell), set(tags)))
        used |= tags
        if len(negs) >= rng.randint(2, 4):
            break
    if scn.name == "normal_fever":
        # the impression says no consolidation: the findings must say so too
        if not any(t & {"consolidation"} for _, t in negs):
            negs.append((to_spelling("No focal consolidation.", spell), {"consolidation"}))
    # assemble findings: heart negatives first, scenario, other negatives, extras, neutral
    findings, tags_of = [], []
    idx_map = {}
    heart = [n for n in negs if n[1] & {"cardiomegaly"}]
    other = [n for n in negs if not (n[1] & {"cardiomegaly"})]
    for t, tg in heart:
        findings.append(t)
        tags_of.append(tg)
    for i, t in enumerate(find):
        idx_map[i] = len(findings)
        findings.append(t)
        tags_of.append(f_tags[i])
    for t, tg in other:
        findings.append(t)
        tags_of.append(tg)
    for ef, _ in extras:
        findings.append(ef)
        tags_of.append(set())
    if rng.random() < 0.45:
        findings.append(to_spelling(rng.choice(NEUTRAL), spell))
        tags_of.append(set())
    # impression
    items = list(imp)
    rec_idx = None
    if scn.normal:
        norm = rng.choice(NORMAL_IMP[spell])
        if extras and rng.random() < 0.5:
            items = [e[1] for e in extras] + items + [rng.choice(["Otherwise no acute abnormality.",
                                                                  "No other acute abnormality."])]
        else:
            items = [e[1] for e in extras] + items if items else [norm] + [e[1] for e in extras]
    else:
        items = items + [e[1] for e in extras]
    if scn.rec and rng.random() < 0.6:
        rec_idx = len(items)
        items.append(to_spelling(rng.choice(scn.rec[spell] if isinstance(scn.rec, dict) else scn.rec), spell))
    return {
        "findings": findings, "tags": tags_of, "impression": items, "side": side,
        "sided_f": idx_map.get(sided_f) if sided_f is not None else None, "sided_i": sided_i,
        "sig_f": [idx_map[i] for i in sig_f], "sig_i": sig_i, "rec_idx": rec_idx,
        "rec_sig": scn.rec_sig, "extras": extras, "spell": spell, "present": present, "state": state,
        "prev": vals["prev"],
    }


def composed_case(rng, kind: str | None, k: int, omit_list: bool = False) -> tuple:
    """Returns (report text, detail)."""
    layout = pick_layout(rng)
    spell = LAYOUTS[layout]["spell"]
    us = spell == "us"
    if kind == "laterality_conflict":
        scn = SCN_BY_NAME[rng.choice(SIDED)]
    elif kind == "impression_omits_finding":
        scn = SCN_BY_NAME[rng.choice(SIG)]
    elif kind == "missing_section" and k % 3 == 2:
        scn = SCN_BY_NAME[rng.choice(["normal_pe", "normal_generic", "normal_asthma"])]
    elif kind == "negation_conflict" and k % 2 == 1:
        scn = SCN_BY_NAME[rng.choice(NEG_B)]
    else:
        scn = rng.choice(SCENARIOS)
    omit_list = kind == "impression_omits_finding" and omit_list
    n_extras = 1 if omit_list else (0 if kind == "missing_section" and k % 3 == 2 else None)
    c = compose(rng, scn, layout, n_extras=n_extras, keep_sided_only=kind == "laterality_conflict")
    prev = c["prev"]
    comp = rng.choice(["None.", "None available.", f"{prev}.", f"CXR {prev}.", ""] if not us
                      else ["None.", f"{prev}.", "No prior studies."])
    if scn.name == "oedema_worse" or any(re.search(r"previous|since", t) for t in c["findings"]):
        comp = f"{'Chest radiograph' if us else 'CXR'} {prev}."
    fr = make_frame(rng, layout, indication(rng, scn.theme, us, c["state"]), comp)
    fr["findings"], fr["impression"] = list(c["findings"]), list(c["impression"])
    detail = f"composed ({layout}, scenario {scn.name})"
    missing = None
    if kind is None:
        detail += ": clean"
    elif kind == "missing_section":
        if k % 3 == 2:
            missing = rng.choice(["find_empty", "find_empty", "find_removed"])
            detail += f": FINDINGS section {'emptied (header kept)' if missing == 'find_empty' else 'removed'}"
        else:
            missing = rng.choice(["imp_empty", "imp_sig", "imp_removed"])
            detail += {"imp_empty": ": IMPRESSION header kept with nothing under it",
                       "imp_sig": ": IMPRESSION header with only the signature under it",
                       "imp_removed": ": IMPRESSION section removed"}[missing]
    elif kind == "laterality_conflict":
        if k % 2 == 0:
            i = c["sided_f"]
            old = fr["findings"][i]
            fr["findings"][i] = flip_sides(old)
            detail += f": FINDINGS side flipped '{old}' -> '{fr['findings'][i]}' (IMPRESSION keeps {c['side']})"
        else:
            i = c["sided_i"]
            old = fr["impression"][i]
            fr["impression"][i] = flip_sides(old)
            detail += f": IMPRESSION side flipped '{old}' -> '{fr['impression'][i]}' (FINDINGS keep {c['side']})"
    elif kind == "negation_conflict":
        if k % 2 == 1 and scn.neg:
            ii, tag = scn.neg
            old = fr["impression"][ii]
            new = to_spelling(rng.choice(NEGATE[tag]), spell)
            fr["impression"][ii] = new
            # drop a recommendation that presupposes the finding
            if c["rec_idx"] is not None and c["rec_sig"]:
                fr["impression"].pop(c["rec_idx"])
            if scn.name == "ppcm":
                # keep the rest of the conclusion: only the heart size is contradicted
                new = new + " " + to_spelling("Pulmonary oedema with moderate bilateral pleural effusions.", spell)
                fr["impression"][ii] = new
            detail += f": IMPRESSION '{old}' replaced by '{new}' while FINDINGS affirm {tag}"
        else:
            cands = [(i, tg) for i, tg in enumerate(c["tags"]) if tg & set(ASSERT)]
            i, tg = rng.choice(cands)
            tag = rng.choice(sorted(tg & set(ASSERT)))
            aside = rng.choice(["left", "right"])
            new = to_spelling(rng.choice(ASSERT[tag]).format(s=aside, S=aside.capitalize()), spell)
            if scn.normal:
                fr["impression"] = [new]
            else:
                fr["impression"] = [new] + fr["impression"]
            detail += f": IMPRESSION asserts '{new}' but FINDINGS say '{fr['findings'][i]}'"
    elif kind == "impression_omits_finding":
        sig_text = " ".join(fr["findings"][i] for i in c["sig_f"])
        if not omit_list:
            fr["impression"] = [rng.choice(NORMAL_IMP[spell])]
            detail += f": IMPRESSION replaced by a normal statement; FINDINGS affirm '{sig_text}'"
        else:
            drop = set(c["sig_i"])
            if c["rec_idx"] is not None and c["rec_sig"]:
                drop.add(c["rec_idx"])
            kept = [t for j, t in enumerate(fr["impression"]) if j not in drop]
            if scn.name == "ppcm":
                kept = [t for t in kept if "cardiomyopathy" not in t]
                kept = ["Cardiomegaly, CTR " + c_ctr(fr["findings"]) + "."] + kept
            if not kept:
                kept = [c["extras"][0][1]]
            fr["impression"] = kept
            detail += f": IMPRESSION lists only other findings ({' '.join(kept)}); omits '{sig_text}'"
    elif kind == "placeholder":
        fr, d = inject_placeholder(rng, fr, spell)
        detail += ": " + d
    return render(fr, missing), detail


def c_ctr(findings):
    for f in findings:
        m = re.search(r"CTR (\d\.\d+)", f)
        if m:
            return m.group(1)
    return "0.6"


# ---------------------------------------------------------------------------------------------
# placeholders
# ---------------------------------------------------------------------------------------------

PH_SIDE = ["[LEFT/RIGHT]", "<<side>>", "[side]", "[ ]", "[***]", "***"]
PH_NUM = ["XX", "<<size>>", "[ ]", "[***]", "___", "**"]
PH_WORD = ["[***]", "[ ]", "***", "<<finding>>", "[insert]", "[***]"]
PH_NORMAL = ["[normal/abnormal]", "[***]", "[ ]", "<<normal>>", "***"]
PH_WORDS = (r"\b(normal|clear|small|moderate|mild|satisfactory|lower|upper|enlarged|stable|unremarkable|minor|"
            r"patchy|acute|focal|pleural)\b")


def inject_placeholder(rng, fr: dict, spell: str) -> tuple:
    cands = []
    for sec in ("findings", "impression"):
        for i, s in enumerate(fr[sec]):
            for m in re.finditer(r"\b\d+(?:\.\d+)?(?= ?(?:mm|cm)\b)|\b0\.\d+\b", s):
                cands.append((3, sec, i, m.start(), m.end(), "num"))
            for m in SIDE_RE.finditer(s):
                cands.append((2, sec, i, m.start(), m.end(), "side"))
            for m in re.finditer(PH_WORDS, s, re.I):
                cands.append((1, sec, i, m.start(), m.end(), "word"))
    # prefer numbers and sides a little, but keep a mix
    weights = [w for w, *_ in cands]
    _, sec, i, a, b, typ = rng.choices(cands, weights=weights, k=1)[0]
    s = fr[sec][i]
    if typ == "word" and s[a:b].lower() in ("normal", "clear", "unremarkable"):
        typ = "normal"
    ph = rng.choice({"num": PH_NUM, "side": PH_SIDE, "word": PH_WORD, "normal": PH_NORMAL}[typ])
    new = s[:a] + ph + s[b:]
    fr = dict(fr)
    fr[sec] = list(fr[sec])
    fr[sec][i] = new
    label = "FINDINGS" if sec == "findings" else "IMPRESSION"
    return fr, f"{label} word '{s[a:b]}' replaced by unfilled field '{ph}': '{new}'"


# ---------------------------------------------------------------------------------------------
# IU reports: analysis
# ---------------------------------------------------------------------------------------------

GROUPS = {
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|air ?space (?:disease|opaci)|infiltrat|pneumonia|opacit|densit",
    "oedema": r"edema|oedema|vascular congestion|pulmonary congestion|interstitial prominence|interstitial marking",
    "cardiomegaly": r"cardiomegaly|heart (?:size )?is (?:mildly |moderately |markedly )?enlarged|"
                    r"enlarged (?:heart|cardiac)|cardiac enlargement|enlargement of the cardiac",
    "nodule": r"nodul|\bmass|granuloma|lesion",
    "atelectasis": r"atelecta|scar",
}
NEG_CUE = re.compile(r"\b(no|not|without|negative for|free of|resolved|resolution of|clear of|absence of|"
                     r"removed|normal|clear)\b", re.I)
QUALIFIED = re.compile(r"\b(large|significant|sizable|sizeable|substantial|definite|gross|overt|new|"
                       r"moderate|massive)\b", re.I)
BREAK = re.compile(r"\b(but|however|although|though|except|otherwise)\b|;", re.I)
MEANING_NEG = [
    (r"\blungs? (?:are|is|remain) (?:otherwise )?clear|\bclear lungs?\b|\blungs? clear", {"consolidation", "oedema"}),
    (r"heart size (?:is )?(?:normal|within normal)|normal heart size|heart is normal in size|"
     r"normal cardiac (?:size|silhouette)|"
     r"cardiomediastinal silhouette (?:is )?(?:normal|within normal|unremarkable)|heart is not enlarged|"
     r"normal cardiomediastinal|cardiac silhouette (?:is )?(?:normal|within normal)", {"cardiomegaly"}),
    (r"costophrenic angles? (?:are|is) (?:clear|sharp)", {"effusion"}),
]
NORMAL_IMP_RE = re.compile(r"\b(no acute|normal chest|no active|negative chest|unremarkable|no evidence of acute|"
                           r"no radiographic evidence of acute|normal exam|no acute cardiopulmonary|no acute disease|"
                           r"within normal limits)", re.I)
HEDGE = re.compile(r"cannot (?:be )?exclude|not excluded|possibl|may represent|question|equivocal|could|suspicious|"
                   r"\?|likely|versus|vs\b|\bor\b|probabl|residual|suggest|vague|subtle|faint|minimal|XXXX", re.I)
CHRONIC = re.compile(r"stable|unchanged|chronic|\bold\b|healed|scar|resolv|improv|previous|prior|again|"
                     r"redemonstrat|persist|calcif|granulom", re.I)
SMALL = re.compile(r"small|trace|tiny|minimal|trivial|blunting|minor|mild", re.I)
UNFIT = re.compile(r"sternotom|cabg|pacemaker|pacer|aicd|defibrillat|prosta|\bmale\b|\bman\b|\bhis\b|mastectom|"
                   r"emphysema|copd|port-a|portacath|cholecystectom|vertebroplast|kyphoplast|\bpsa\b|aneurysm|"
                   r"prosthe|hardware|clips?\b|postsurgical|post surgical|postoperative|thoracotomy|"
                   r"atherosclero|calcified aort|aortic calcif|dialysis|implantable|generator|carcinoma|cancer|"
                   r"malignan|metasta|tubercul|\btb\b|asbestos|lumbosacral|sacrum|sacroiliac|knee|humer|acromioclav|"
                   r"lumbar|\bL\d\b|pelvis|opportunity to assist|questions about|"
                   r"\[|\]|<<|\*\*|___|\bxx\b", re.I)


def occurrences(sentence: str, group: str) -> list:
    """(negated?) per occurrence of a group term in a sentence."""
    out = []
    for m in re.finditer(GROUPS[group], sentence, re.I):
        before = sentence[:m.start()]
        cues = list(NEG_CUE.finditer(before))
        negated = False
        after = sentence[m.end():m.end() + 45]
        if re.search(r"^\W*(?:\w+\s+){0,3}?(?:is|are|was|were|has|have)\s+(?:not|no longer|resolved)|"
                     r"^\W*(?:\w+\s+){0,2}?(?:resolved|absent|excluded)\b", after, re.I):
            out.append(True)
            continue
        if cues:
            last = cues[-1]
            between = before[last.end():]
            negated = not BREAK.search(between)
            if negated and QUALIFIED.search(between):
                continue  # "no large effusion": neither affirmed nor plainly negated
        out.append(negated)
    return out


def analyse(sentences: list) -> dict:
    aff, neg = set(), set()
    for s in sentences:
        for g in GROUPS:
            for n in occurrences(s, g):
                (neg if n else aff).add(g)
        for pat, tags in MEANING_NEG:
            if re.search(pat, s, re.I):
                neg |= tags
    return {"aff": aff, "neg": neg}


def sided_mentions(sentences: list, group: str) -> set:
    sides = set()
    for s in sentences:
        if re.search(GROUPS[group], s, re.I):
            if re.search(r"bilateral|both|bibasilar|bibasal", s, re.I):
                sides |= {"left", "right"}
            sides |= sides_in(s)
    return sides


def sig_groups(sentences: list) -> dict:
    """Significant affirmed findings (omission-worthy): group -> sentence index."""
    out = {}
    for i, s in enumerate(sentences):
        nxt = sentences[i + 1] if i + 1 < len(sentences) else ""
        if re.match(r"(this|these|it|they|which)\b", nxt, re.I):
            s_ctx = s + " " + nxt
        else:
            s_ctx = s
        if HEDGE.search(s_ctx) or CHRONIC.search(s_ctx):
            continue
        for g in ("pneumothorax", "consolidation", "oedema", "effusion"):
            occ = occurrences(s, g)
            if occ and not all(occ):
                if g == "effusion" and SMALL.search(s):
                    continue
                if g == "consolidation" and (not re.search(r"consolidat|air ?space|infiltrat|pneumonia", s, re.I)
                                             or re.search(r"atelecta|scar|streaky|linear|subsegmental|plate", s,
                                                          re.I)):
                    continue
                if g == "oedema" and not re.search(r"edema|oedema|congestion", s, re.I):
                    continue
                out.setdefault(g, i)
    return out


def iu_profile(r: dict) -> dict | None:
    f = split_sentences(r["findings"])
    i = split_items(r["impression"])
    text = r["findings"] + " " + r["impression"]
    if not f or not i or UNFIT.search(text + " " + r["comparison"]):
        return None
    if len(r["findings"]) > 650 or len(r["impression"]) > 320 or len(f) > 9 or len(i) > 4:
        return None
    fa, ia = analyse(f), analyse(i)
    ok = True
    # negation consistency
    if (fa["aff"] & ia["neg"]) or (fa["neg"] & ia["aff"]):
        ok = False
    imp_normal = bool(NORMAL_IMP_RE.search(r["impression"])) and len(i) <= 2
    if imp_normal and (fa["aff"] - {"atelectasis", "nodule"}):
        ok = False
    if imp_normal and ia["aff"]:
        ok = False
    if not imp_normal:
        for g in ("effusion", "pneumothorax", "consolidation", "oedema"):
            if g in fa["aff"] and not re.search(GROUPS[g], r["impression"], re.I):
                ok = False
    sig = sig_groups(f)
    for g in sig:
        if g not in ia["aff"]:
            ok = False
    if re.search(r"\b(new|increas|worsen|enlarg)", r["findings"], re.I) and not re.search(
            r"\b(new|increas|worsen|enlarg)", r["impression"], re.I):
        ok = False
    # laterality consistency, group by group
    for g in GROUPS:
        fs, is_ = sided_mentions(f, g), sided_mentions(i, g)
        if fs and is_ and fs != is_:
            ok = False
    if sides_in(r["impression"]) - sides_in(r["findings"]):
        ok = False
    if re.search(r"\b(left|right)\b", r["impression"], re.I) and re.search(r"\bbilateral\b", r["findings"], re.I) \
            and not sides_in(r["findings"]):
        ok = False
    # normal-finding negatives available for mode-A negation conflicts
    neg_avail = sorted((fa["neg"] - ia["aff"] - ia["neg"] - fa["aff"]) & set(ASSERT))
    return {"f": f, "i": i, "fa": fa, "ia": ia, "ok": ok, "imp_normal": imp_normal, "sig": sig,
            "neg_avail": neg_avail}


def laterality_pairs(p: dict) -> list:
    """(section to flip, sentence idx, group) where the other section states the same side for that group."""
    out = []
    for g in ("effusion", "pneumothorax", "consolidation", "atelectasis", "nodule"):
        f_idx = [k for k, s in enumerate(p["f"]) if re.search(GROUPS[g], s, re.I) and sides_in(s)]
        i_idx = [k for k, s in enumerate(p["i"]) if re.search(GROUPS[g], s, re.I) and sides_in(s)]
        if len(f_idx) != 1 or len(i_idx) != 1:
            continue
        fs, is_ = sides_in(p["f"][f_idx[0]]), sides_in(p["i"][i_idx[0]])
        if len(fs) != 1 or fs != is_:
            continue
        if re.search(r"bilateral|both|bibasilar|bibasal|middle lobe|lingul|greater than|larger than",
                     p["f"][f_idx[0]] + p["i"][i_idx[0]], re.I):
            continue
        if occurrences(p["f"][f_idx[0]], g) and all(occurrences(p["f"][f_idx[0]], g)):
            continue  # the sided sentence negates the finding
        side = next(iter(fs))
        opp = "left" if side == "right" else "right"
        if opp not in sides_in(" ".join(p["i"])):
            out.append(("findings", f_idx[0], g))
        if opp not in sides_in(" ".join(p["f"])):
            out.append(("impression", i_idx[0], g))
    return out


STRICT = {"consolidation": r"consolidat|air ?space|infiltrat|pneumonia", "oedema": r"edema|oedema|congestion"}


def mode_b_targets(p: dict) -> list:
    """Impression items affirming a group the findings affirm: (item idx, group)."""
    out = []
    for g in ("effusion", "consolidation", "cardiomegaly", "pneumothorax", "oedema"):
        if g not in p["fa"]["aff"]:
            continue
        strict = STRICT.get(g, GROUPS[g])
        f_hits = [s for s in p["f"] if re.search(strict, s, re.I) and not all(occurrences(s, g) or [True])
                  and not HEDGE.search(s)]
        hits = [k for k, s in enumerate(p["i"]) if re.search(GROUPS[g], s, re.I)]
        if len(hits) == 1 and f_hits:
            s = p["i"][hits[0]]
            nxt = p["i"][hits[0] + 1] if hits[0] + 1 < len(p["i"]) else ""
            if re.match(r"(this|these|it|may|increas|likely|recommend|consider|could|which|finding|follow|"
                        r"differential|possibl|probabl)", nxt, re.I):
                continue
            occ = occurrences(s, g)
            if occ and not any(occ) and not HEDGE.search(s) and re.search(strict, s, re.I):
                out.append((hits[0], g))
    return out


def minor_statements(p: dict) -> list:
    out = []
    for s in p["f"]:
        if any(re.search(GROUPS[g], s, re.I) for g in ("effusion", "pneumothorax", "consolidation", "oedema")):
            continue
        if NEG_CUE.search(s) or re.search(r"XXXX|within|intact|unremarkable|limits|view|frontal|lateral|"
                                          r"examination|trachea|midline|exam\b|is stable|are stable", s, re.I):
            continue
        if 15 < len(s) < 110:
            out.append(s)
    return out


# ---------------------------------------------------------------------------------------------
# IU cases
# ---------------------------------------------------------------------------------------------

def theme_for(p: dict, rng) -> str:
    a = p["fa"]["aff"]
    if "oedema" in a:
        return rng.choice(["pet", "ppcm"])
    if "consolidation" in a:
        return rng.choice(["fever", "aspiration"])
    if "pneumothorax" in a:
        return "asthma"
    return rng.choice(["pe", "asthma", "fever", "generic", "generic"])


def reword(rng, sentences: list, spell: str, counter: list) -> list:
    out = []
    for s in sentences:
        for pat, rep, uk_only in REWORD:
            if uk_only and spell != "uk":
                continue
            if re.search(pat, s) and rng.random() < 0.7:
                s = re.sub(pat, rep, s)
                counter[0] += 1
        if spell == "uk":
            s2 = apply_subs(s, US_TO_UK)
            if s2 != s:
                counter[1] += 1
            s = s2
        out.append(end_stop(cap(s)))
    return out


def iu_case(rng, r: dict, p: dict, kind: str | None, k: int, sub: dict) -> tuple:
    layout = pick_layout(rng)
    spell = LAYOUTS[layout]["spell"]
    us = spell == "us"
    counter = [0, 0]
    f = reword(rng, p["f"], spell, counter)
    i = reword(rng, p["i"], spell, counter)
    comp = _clean_ws(r["comparison"]) or "None."
    comp = re.sub(r"^(?:comparison|comparisons)[:.]?\s*", "", comp, flags=re.I) or "None."
    fr = make_frame(rng, layout, indication(rng, theme_for(p, rng), us), end_stop(cap(comp)))
    fr["findings"], fr["impression"] = f, i
    changes = (f"re-laid out ({layout}: {fr['find_h']}/{fr['imp_h']}), indication replaced by an obstetric history"
               + (f", {counter[0]} phrase(s) re-worded" if counter[0] else "")
               + (", UK spelling" if counter[1] else ""))
    detail = f"IU {r['uid']}: {changes}"
    missing = None
    if kind is None:
        detail += "; clean"
    elif kind == "missing_section":
        missing = sub["missing"]
        detail += "; " + {"imp_empty": "IMPRESSION header kept with nothing under it",
                          "imp_sig": "IMPRESSION header with only the signature under it",
                          "imp_removed": "IMPRESSION section removed",
                          "find_empty": "FINDINGS emptied (header kept)",
                          "find_removed": "FINDINGS section removed"}[missing]
    elif kind == "laterality_conflict":
        sec, idx, g = sub["pair"]
        old = fr[sec][idx]
        fr[sec][idx] = flip_sides(old)
        other = "IMPRESSION" if sec == "findings" else "FINDINGS"
        detail += f"; {sec.upper()} side flipped ('{old}' -> '{fr[sec][idx]}'), {other} keep the original side ({g})"
    elif kind == "negation_conflict":
        if sub["mode"] == "B":
            idx, g = sub["target"]
            old = fr["impression"][idx]
            new = to_spelling(rng.choice(NEGATE[g]), spell)
            fr["impression"][idx] = new
            detail += f"; IMPRESSION item '{old}' replaced by '{new}' while FINDINGS affirm {g}"
        else:
            tag = rng.choice(p["neg_avail"])
            aside = rng.choice(["left", "right"])
            new = to_spelling(rng.choice(ASSERT[tag]).format(s=aside, S=aside.capitalize()), spell)
            if rng.random() < 0.5:
                fr["impression"] = [new]
            else:
                fr["impression"] = [new, rng.choice(["Otherwise no acute abnormality.",
                                                     "No other acute cardiopulmonary abnormality."])]
            detail += f"; IMPRESSION replaced by '{' '.join(fr['impression'])}', which FINDINGS negate ({tag})"
    elif kind == "impression_omits_finding":
        g = sub["group"]
        sig_sentence = fr["findings"][p["sig"][g]]
        if sub["mode"] == "normal":
            fr["impression"] = [rng.choice(NORMAL_IMP[spell])]
            detail += f"; IMPRESSION replaced by a normal statement, FINDINGS affirm {g}: '{sig_sentence}'"
        else:
            fr["impression"] = [end_stop(cap(apply_subs(s, US_TO_UK) if spell == "uk" else s))
                                for s in sub["others"]]
            detail += (f"; IMPRESSION replaced by other findings only ('{' '.join(fr['impression'])}'), omitting "
                       f"{g}: '{sig_sentence}'")
    elif kind == "placeholder":
        fr, d = inject_placeholder(rng, fr, spell)
        detail += "; " + d
    return render(fr, missing), detail


def iu_eligible(r: dict, p: dict, kind: str | None, k: int, rng) -> dict | None:
    """Decide whether this IU report can carry case k of kind; return the injection plan."""
    if not p or not p["ok"]:
        return None
    if kind is None or kind == "placeholder":
        if kind == "placeholder" and not re.search(PH_WORDS + r"|\b(left|right)\b|\d", " ".join(p["f"] + p["i"]), re.I):
            return None
        return {}
    if kind == "missing_section":
        if k % 3 == 2:
            if not p["imp_normal"] or len(p["i"]) != 1 or len(p["i"][0]) > 80:
                return None
            return {"missing": rng.choice(["find_empty", "find_empty", "find_removed"])}
        return {"missing": rng.choice(["imp_empty", "imp_sig", "imp_removed"])}
    if kind == "laterality_conflict":
        pairs = laterality_pairs(p)
        want = "findings" if k % 2 == 0 else "impression"
        pairs = [q for q in pairs if q[0] == want]
        return {"pair": rng.choice(pairs)} if pairs else None
    if kind == "negation_conflict":
        if k % 3 == 2:
            t = mode_b_targets(p)
            return {"mode": "B", "target": t[0]} if t else None
        if p["imp_normal"] and p["neg_avail"]:
            return {"mode": "A"}
        return None
    if kind == "impression_omits_finding":
        if not p["sig"]:
            return None
        g = sorted(p["sig"])[0]
        if k % 2 == 0:
            return {"group": g, "mode": "normal"}
        others = [s for s in p["i"] if not any(re.search(GROUPS[x], s, re.I) for x in
                                                 ("effusion", "pneumothorax", "consolidation", "oedema"))
                  and not NEG_CUE.search(s) and not NORMAL_IMP_RE.search(s)
                  and not re.search(r"follow|recommend|repeat|treat|correlat", s, re.I)]
        if not others:
            others = minor_statements(p)[:1]
        if not others:
            return {"group": g, "mode": "normal"}
        return {"group": g, "mode": "list", "others": others}
    return None


# ---------------------------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def _profiles(path: str) -> dict:
    return {r["uid"]: iu_profile(r) for r in load_iu(path)}


def build(seed: int) -> list:
    shared = shared_dir()
    reports = load_iu(str(archive_path(shared)))
    dev = load_dev_uids(str(dev_path(shared))) if dev_path(shared).exists() else frozenset()
    rng = random.Random(f"h132-{seed}")
    pool = [r for r in reports if r["uid"] not in dev]
    profiles = _profiles(str(archive_path(shared)))
    order = list(pool)
    rng.shuffle(order)
    used = set()
    rows = []

    def take_iu(kind, k):
        # the first eligible unused report wins; omissions prefer reports whose impression lists other findings
        passes = [lambda pl: pl.get("mode") == "list", lambda pl: True] if (
            kind == "impression_omits_finding" and k % 2 == 1) else [lambda pl: True]
        for accept in passes:
            for r in order:
                if r["uid"] in used:
                    continue
                plan = iu_eligible(r, profiles[r["uid"]], kind, k, random.Random(f"{seed}-{r['uid']}-{k}"))
                if plan is None or not accept(plan):
                    continue
                used.add(r["uid"])
                return r, plan
        raise RuntimeError(f"no IU report left for {kind} #{k}")

    groups = [(None, N_CLEAN)] + [(kd, N_PER_KIND) for kd in KINDS]
    # scarce kinds first so that they get the reports they need
    plan_order = ["laterality_conflict", "impression_omits_finding", "negation_conflict", "missing_section",
                  "placeholder", None]
    made = {}
    for kind in plan_order:
        n = dict(groups)[kind]
        half = n // 2
        out = []
        iu_lists = 0
        for k in range(half):
            r, plan = take_iu(kind, k)
            iu_lists += plan.get("mode") == "list"
            text, detail = iu_case(rng, r, profiles[r["uid"]], kind, k, plan)
            out.append({"injected": kind, "detail": detail, "report": text})
        # omissions: half of the whole group list other findings, half are a normal statement
        n_list = max(0, min(n - half, n // 2 - iu_lists))
        for k in range(n - half):
            text, detail = composed_case(rng, kind, k, omit_list=k < n_list)
            out.append({"injected": kind, "detail": detail, "report": text})
        made[kind] = out
    for kind, _ in groups:
        rows.extend(made[kind])
    rng.shuffle(rows)
    return [{"id": f"h132-{seed}-{k}", **row} for k, row in enumerate(rows)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            sel = [r for r in rows if r["injected"] == kind]
            iu = [r for r in sel if r["detail"].startswith("IU ")]
            comp = [r for r in sel if not r["detail"].startswith("IU ")]
            shown = [x for pair in zip(comp, iu, strict=False) for x in pair][:a.show]
            for r in shown:
                print(f"===== {r['id']}  [{kind or 'clean'}]  {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
