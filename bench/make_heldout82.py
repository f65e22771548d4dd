"""Held-out report-check set 82, written blind (without reading the checker).

Setting: Hong Kong public hospitals (Hospital Authority clusters: A&E, medical and surgical
wards, specialist outpatient clinics, elderly homes). Chest radiograph reports dictated in
English by local radiologists: exam line, clinical history, comparison, findings,
impression / conclusion / opinion, reported-by / verified-by sign-off, British spelling,
zones rather than lobes, "no active lung lesion", CTR, Ryle's tube, old TB, bronchiectasis,
pneumonia, heart failure, lung cancer follow-up and many normal films.

400 cases: 200 clean and 40 of each kind (missing_section, laterality_conflict,
negation_conflict, impression_omits_finding, placeholder). Half of each group is composed from
the phrase bank below; half are real IU reports (none from the dev set) re-laid-out in the
setting's style with light re-wording (British spelling).

    python -m bench.make_heldout82 OUT.jsonl --seed S [--show N]
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

KINDS = [
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
]
N_CLEAN = 200
N_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# ----------------------------------------------------------------------------- real reports

def dev_uids() -> set[str]:
    out = set()
    with open(shared_dir() / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


@functools.lru_cache(maxsize=1)
def load_iu() -> tuple[dict, ...]:
    path = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    rows = []
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            fh = tar.extractfile(member)
            if fh is None:
                continue
            root = ET.fromstring(fh.read())
            uid_el = root.find(".//uId")
            if uid_el is None:
                continue
            sec = {}
            for el in root.iter("AbstractText"):
                sec[(el.get("Label") or "").upper()] = (el.text or "").strip()
            majors = [(m.text or "").strip().lower() for m in root.iter("major")]
            rows.append({
                "uid": uid_el.get("id"),
                "findings": sec.get("FINDINGS", ""),
                "impression": sec.get("IMPRESSION", ""),
                "indication": sec.get("INDICATION", ""),
                "comparison": sec.get("COMPARISON", ""),
                "normal": majors == ["normal"],
            })
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(rows)


def sentences(text: str) -> list[str]:
    text = re.sub(r"\.{2,}", ".", text.strip())
    text = re.sub(r"(?<!\d)\s*\b\d\.\s+(?=[A-Z])", " ", " " + text).strip()
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)
    return [p.strip() for p in parts if p.strip()]


BRIT = [
    (r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"esophag", "oesophag"),
    (r"hemorrhag", "haemorrhag"), (r"\banemi", "anaemi"), (r"\btumor", "tumour"),
    (r"centimeter", "centimetre"), (r"millimeter", "millimetre"), (r"ischemi", "ischaemi"),
    (r"hematoma", "haematoma"), (r"orthopedic", "orthopaedic"), (r"\bfiber", "fibre"),
    (r"\bleukemi", "leukaemi"), (r"\bhemithora", "hemithora"), (r"\bgray\b", "grey"),
    (r"\bcolor", "colour"), (r"\bx-ray\b", "X-ray"), (r"\bpediatric", "paediatric"),
]
REWORD = [
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary abnormality detected"),
    (r"\bNo acute cardiopulmonary disease\b", "No active cardiopulmonary disease"),
    (r"\bNo acute cardiopulmonary process\b", "No acute cardiopulmonary process is seen"),
    (r"\bNegative chest\b", "Unremarkable chest radiograph"),
    (r"\bThe lungs are clear\b", "Both lungs are clear"),
    (r"\bheart size is normal\b", "heart is not enlarged"),
    (r"\bThe heart is normal in size\b", "Heart size is normal"),
    (r"\bcostophrenic\b", "costophrenic"),
]


def brit(text: str, reword: bool) -> str:
    for pat, rep in BRIT:
        text = re.sub(pat, rep, text)
    if reword:
        for pat, rep in REWORD:
            text = re.sub(pat, rep, text)
    return text


SIDE_RE = re.compile(r"\b(right|left)\b", re.I)
NEG_RE = re.compile(
    r"\b(no|not|without|negative for|free of|resolved|resolution|clear of|removed|"
    r"absence|absent|rather than|versus|vs|or|may|possibly|cannot|can not|question|\?)\b",
    re.I)
TURN_RE = re.compile(r"\b(but|however|although|except|with the exception)\b|;", re.I)
GROUPS = {
    "ptx": r"pneumothora",
    "consol": r"consolidat|pneumonia|airspace|air space|infiltrat",
    "oedema": r"oedema|edema|congestion|congestive|chf\b|heart failure",
    "effusion": r"effusion",
    "mass": r"\bmass\b|masses|nodul",
    "air": r"free air|pneumoperitoneum|free gas",
    "mediast": r"widen",
    "opacity": r"opacit",
    "cardio": r"cardiomegaly|heart is enlarged|enlarged heart|enlargement of the cardiac"
              r"|cardiac enlargement|heart size is enlarged|heart is mildly enlarged",
}


def affirmed(sentence: str, pat: str) -> bool:
    m = re.search(pat, sentence, re.I)
    if not m:
        return False
    before = sentence[: m.start()]
    cut = list(TURN_RE.finditer(before))
    if cut:
        before = before[cut[-1].end():]
    after = sentence[m.end():]
    turn = TURN_RE.search(after)
    if turn:
        after = after[: turn.start()]
    if re.search(r"\b(not|resolved|no longer|removed|cleared|absent|ruled out)\b", after, re.I):
        return False
    return not NEG_RE.search(before)


def mentions(text: str, pat: str) -> bool:
    return re.search(pat, text, re.I) is not None


def sig_affirmed(findings: str) -> list[str]:
    """Groups affirmed in findings that a radiologist would expect in the impression."""
    out = []
    for s in sentences(findings):
        low = s.lower()
        for g in ("ptx", "consol", "oedema", "effusion", "mass", "air", "mediast", "opacity"):
            if not affirmed(s, GROUPS[g]):
                continue
            if g == "effusion" and re.search(r"small|trace|tiny|minimal|blunt", low):
                continue
            if g == "mediast" and "mediast" not in low:
                continue
            if g == "opacity" and re.search(r"granulom|calcif|nipple|scar|atelecta|bone", low):
                continue
            out.append(g)
        if re.search(r"\b(new|increas|worse)", low) and not re.search(r"\bno new\b|not new", low):
            out.append("new")
        if affirmed(s, GROUPS["cardio"]) and re.search(r"moderate|marked|severe|massive", low):
            out.append("cardio")
    return out


def consistent(r: dict) -> bool:
    f, i = r["findings"], r["impression"]
    if not f or not i or len(sentences(f)) < 2 or len(f) > 900 or len(i) > 500:
        return False
    txt = f + " " + i + " " + r["indication"] + " " + r["comparison"]
    if txt.count("XXXX") > 3 or re.search(r"[\[\]*<>{}_#]|\?\?", txt):
        return False
    if re.search(r"\b(see|as) (above|findings)\b|\bsee comment", i, re.I):
        return False
    sides = {m.group(1).lower() for m in SIDE_RE.finditer(f + " " + i)}
    if len(sides) > 1 or re.search(r"bilateral|both", f + " " + i, re.I) and sides:
        return False
    for g in sig_affirmed(f):
        if g == "new":
            if re.search(r"no acute|normal|negative|unremarkable|no active", i, re.I) and not any(
                    mentions(i, GROUPS[x]) for x in GROUPS):
                return False
            continue
        pat = GROUPS[g]
        if g in ("consol", "opacity"):
            pat = GROUPS["consol"] + "|" + GROUPS["opacity"] + r"|atelecta|scar"
        if g == "cardio":
            pat = GROUPS["cardio"] + r"|cardiac|heart"
        if not mentions(i, pat):
            return False
    fs, is_ = sentences(f), sentences(i)
    for pat in GROUPS.values():
        f_aff = any(affirmed(s, pat) for s in fs)
        f_neg = any(mentions(s, pat) and not affirmed(s, pat) for s in fs)
        i_aff = any(affirmed(s, pat) for s in is_)
        i_neg = any(mentions(s, pat) and not affirmed(s, pat) for s in is_)
        if (f_aff and i_neg and not i_aff) or (i_aff and f_neg and not f_aff):
            return False
    lungs_clear = r"lungs are clear|lungs clear|clear lungs|lungs are grossly clear"
    if mentions(f + " " + i, lungs_clear) and any(
            affirmed(s, GROUPS["consol"]) for s in fs + is_):
        return False
    heart_norm = r"heart (size )?is normal|normal heart size|heart size (is )?(within )?normal"
    if mentions(f + " " + i, heart_norm) and any(affirmed(s, GROUPS["cardio"]) for s in fs + is_):
        return False
    return True


# ----------------------------------------------------------------------------- layout

HOSPITALS = [
    "Queen Mary Hospital", "Queen Elizabeth Hospital", "Prince of Wales Hospital",
    "Tuen Mun Hospital", "Pamela Youde Nethersole Eastern Hospital", "Princess Margaret Hospital",
    "United Christian Hospital", "Kwong Wah Hospital", "Caritas Medical Centre",
    "Yan Chai Hospital", "Tseung Kwan O Hospital", "North District Hospital",
    "Ruttonjee Hospital", "Kowloon Hospital", "Haven of Hope Hospital", "Pok Oi Hospital",
]
SOURCES = [
    "A&E", "AED", "Medical ward (M7A)", "MED 9B", "Surgical ward (S5)", "SOPC (Medicine)",
    "Chest clinic", "GOPC", "OAH (elderly home) - CGAT", "Geriatric Day Hospital", "Pre-op clinic",
    "Respiratory SOPC", "Oncology clinic", "Orthopaedic ward", "EMW",
]
EXAMS = [
    "XR CHEST PA", "CHEST PA", "Chest X-ray PA view", "XR Chest AP (sitting)", "CXR PA",
    "XR CHEST PA & LAT", "X-RAY CHEST AP (MOBILE)", "Chest (PA) X-ray", "XR CHEST AP ERECT",
]
SURNAMES = ["CHAN", "WONG", "LEUNG", "LAU", "LI", "CHEUNG", "HO", "NG", "LAM", "TSANG", "YIP",
            "KWOK", "CHOW", "TANG", "MAK", "SIU", "FUNG", "YEUNG"]
GIVEN = ["Ka Wai", "Siu Ming", "Wing Yan", "Chi Keung", "Hoi Ling", "Man Kit", "Pui Shan",
         "Tsz Hin", "Yuk Lan", "Kin Fai", "Wai Man", "Sze Wing"]
RANKS = ["Resident", "Medical Officer", "Associate Consultant", "Consultant",
         "Senior Medical Officer", "Resident Specialist"]


def doctor(rng: random.Random) -> str:
    return f"Dr. {rng.choice(SURNAMES)} {rng.choice(GIVEN)}"


def date(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2023, 2024, 2025])}"


def render(case: dict, rng: random.Random) -> str:
    """case: exam, history, comparison, findings(list|None), impression(list|None) + style."""
    st = case.setdefault("style", {})
    up = st.setdefault("upper", rng.random() < 0.5)
    fh = st.setdefault("fhdr", rng.choice(["Findings", "Findings", "Findings", "Report"]))
    ih = st.setdefault("ihdr", rng.choice(
        ["Impression", "Impression", "Impression", "Conclusion", "Conclusion", "Opinion", "Comment"]))

    def H(s: str) -> str:
        return s.upper() if up else s

    lines = []
    if rng.random() < 0.45:
        lines.append(f"{case.get('hospital') or rng.choice(HOSPITALS)} - Department of Radiology")
    lines.append(f"{H('Examination')}: {case['exam']}" if rng.random() < 0.6 else case["exam"])
    if rng.random() < 0.5:
        lines.append(f"{H('Source')}: {rng.choice(SOURCES)}    {H('Date')}: {date(rng)}")
    if case.get("history"):
        hh = rng.choice(["Clinical history", "Clinical information", "History", "Clinical details"])
        lines.append(f"{H(hh)}: {case['history']}")
    if case.get("comparison"):
        lines.append(f"{H('Comparison')}: {case['comparison']}")
    if case.get("technique"):
        lines.append(f"{H('Technique')}: {case['technique']}")
    lines.append("")
    numbered = st.setdefault("numbered", rng.random() < 0.3)
    if case.get("findings") is not None:
        body = " ".join(case["findings"])
        if st.setdefault("flist", rng.random() < 0.25) and case["findings"]:
            body = "\n" + "\n".join(case["findings"])
        lines.append(f"{H(fh)}:{' ' if body and not body.startswith(chr(10)) else ''}{body}")
        lines.append("")
    if case.get("impression") is not None:
        imp = case["impression"]
        if numbered and len(imp) > 1:
            body = "\n" + "\n".join(f"{k + 1}. {s}" for k, s in enumerate(imp))
        else:
            body = (" " + " ".join(imp)) if imp else ""
        lines.append(f"{H(ih)}:{body}")
        lines.append("")
    if case.get("tail"):
        lines.append(case["tail"])
        lines.append("")
    r1 = rng.choice(RANKS[:3])
    sign = [f"Reported by: {doctor(rng)} ({r1})"]
    if rng.random() < 0.6:
        sign.append(f"Verified by: {doctor(rng)}, FRCR, FHKCR, FHKAM (Radiology) "
                    f"({rng.choice(RANKS[2:])})")
    if rng.random() < 0.4:
        sign.append(f"Report date: {date(rng)} {rng.randint(8, 22):02d}:{rng.randint(0, 59):02d}")
    lines.extend(sign)
    return "\n".join(lines).strip()


# ----------------------------------------------------------------------------- phrase bank

HEART_N = ["Heart size is normal.", "Heart is not enlarged.", "Cardiac size is within normal limits.",
           "CTR is within normal limits.", "Heart size normal.", "Normal cardiac size (CTR 0.46)."]
MEDIAST_N = ["Mediastinum is not widened.", "Mediastinal contour is unremarkable.",
             "Trachea is central.", "Hila are unremarkable.", "Both hila are normal."]
LUNG_N = ["Both lungs are clear.", "Lungs are clear.", "No focal consolidation is seen.",
          "No active lung lesion is seen.", "Both lung fields are clear.", "No consolidation."]
PLEURA_N = ["No pleural effusion.", "Both costophrenic angles are clear.", "CP angles are sharp.",
            "No pleural effusion is detected."]
PTX_N = ["No pneumothorax.", "No pneumothorax is seen."]
BONE_N = ["Bony thorax is unremarkable.", "No rib fracture is seen.",
          "Visualised bones are unremarkable.", "Degenerative change of the thoracic spine."]
DIA_N = ["No free gas under the diaphragm.", "Both hemidiaphragms are clear."]
IMP_NORMAL = ["No active lung lesion.", "No active lung lesion is seen.",
              "Normal chest radiograph.", "No acute cardiopulmonary abnormality.",
              "Unremarkable chest X-ray.", "No significant abnormality detected.",
              "Normal CXR.", "No acute cardiopulmonary disease."]

HIST_NORMAL = [
    "Pre-op assessment, for elective cholecystectomy.", "Pre-employment check up.",
    "Fever and cough x 3/7.", "Chest pain, r/o pneumothorax.", "Cough for 2 weeks.",
    "Contact of PTB case, screening.", "DM, HT, on follow up. Routine CXR.",
    "Fall at home, L chest wall pain.", "OAH resident, low grade fever.",
    "URTI symptoms, persistent cough.", "Palpitation, SOB on exertion.",
    "Pre-admission CXR (elderly home).", "Haemoptysis, small amount.",
    "Smoker, chronic cough.", "Epigastric pain, ?free gas.", "Post-COVID, persistent cough.",
]
COMPARE = ["None.", "Nil.", "No previous film available.", "Previous CXR dated {d}.",
           "Compared with CXR dated {d}.", "CXR {d}.", "Prior film of {d}."]


def zone_word(rng: random.Random) -> str:
    return rng.choice(["lower", "lower", "mid", "upper"])


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def abn_bank(rng: random.Random, side: str, zone: str) -> dict:
    """Finding entries: f (findings sentences), i (impression sentences), sig, lat, conflicts."""
    S = cap(side)
    z = zone
    mi = rng.randrange(3)
    return {
        "consol": dict(
            f=[rng.choice([f"Patchy consolidation is seen in the {side} {z} zone.",
                           f"Airspace opacity in the {side} {z} zone, compatible with consolidation.",
                           f"New patchy consolidation in {side} {z} zone.",
                           f"Ill-defined consolidation with air bronchograms in the {side} {z} zone."])],
            i=[rng.choice([f"{S} {z} zone consolidation, likely pneumonia.",
                           f"{S} {z} zone pneumonia. Suggest follow-up CXR after treatment.",
                           f"Consolidation in {side} {z} zone, compatible with chest infection."])],
            sig=True, lat=True, term="consolidation", conf=["lung", "consol"]),
        "effusion_mod": dict(
            f=[rng.choice([f"Moderate {side} pleural effusion.",
                           f"Moderate-sized {side} pleural effusion with adjacent atelectasis.",
                           f"Large {side} pleural effusion with no mediastinal shift."])],
            i=[rng.choice([f"Moderate {side} pleural effusion.",
                           f"{S} pleural effusion, increased in size compared with prior."
                           if rng.random() < 0.3 else f"{S} pleural effusion."])],
            sig=True, lat=True, term="pleural effusion", conf=["pleura"]),
        "effusion_small": dict(
            f=[rng.choice([f"Blunting of the {side} costophrenic angle, likely small effusion.",
                           f"Small {side} pleural effusion.",
                           f"Blunted {side} CP angle, likely small pleural effusion or thickening."])],
            i=[f"Small {side} pleural effusion."],
            sig=False, lat=True, term="pleural effusion", conf=["pleura"]),
        "ptx": dict(
            f=[rng.choice([f"A {side} apical pneumothorax is seen, rim of about 1.5 cm.",
                           f"Small {side} pneumothorax with visible pleural line at the apex.",
                           f"{S} pneumothorax, no mediastinal shift."])],
            i=[rng.choice([f"{S} pneumothorax.", f"{S} apical pneumothorax. Clinician informed."])],
            sig=True, lat=True, term="pneumothorax", conf=["ptx", "lung"]),
        "chf": dict(
            f=["Heart is enlarged (CTR 0.62).",
               rng.choice(["Upper lobe diversion and bilateral perihilar haziness are noted.",
                           "Bilateral perihilar haziness with Kerley B lines.",
                           "Prominent pulmonary vasculature with interstitial oedema."]),
               "Small bilateral pleural effusions."],
            i=[rng.choice(["Cardiomegaly with pulmonary oedema, compatible with CHF.",
                           "Features of fluid overload / congestive heart failure.",
                           "Cardiomegaly and pulmonary congestion, suggestive of heart failure."])],
            sig=True, lat=False, term="oedema", conf=["heart", "lung", "pleura"]),
        "cardio_mild": dict(
            f=[rng.choice(["Heart is mildly enlarged (CTR 0.54).", "Borderline cardiomegaly.",
                           "Mild cardiomegaly, similar to previous."])],
            i=["Mild cardiomegaly."], sig=False, lat=False, term="cardiomegaly", conf=["heart"]),
        "oldtb": dict(
            f=[rng.choice([f"Fibrocalcified changes in the {side} upper zone, likely old TB.",
                           f"Old healed TB changes in {side} apex with pleural thickening.",
                           f"Fibrotic streaks and calcified nodules in {side} upper zone, in keeping with old TB."])],
            i=[rng.choice([f"Old TB changes in {side} upper zone, stable.",
                           f"Old healed TB in {side} upper zone. No definite active lesion."])],
            sig=False, lat=True, term="old TB", conf=["lung"]),
        "bronchiectasis": dict(
            f=[rng.choice([f"Tram-track opacities and ring shadows in the {side} lower zone, "
                           "compatible with bronchiectasis.",
                           f"Bronchiectatic changes in {side} lower zone, static."])],
            i=[f"{S} lower zone bronchiectasis, stable."],
            sig=False, lat=True, term="bronchiectasis", conf=["lung"]),
        "mass": dict(
            f=[[f"A 2.5 cm mass is seen in the {side} upper zone.",
                f"A 1.2 cm nodule is noted in the {side} mid zone, not seen previously.",
                f"Lobulated 3 cm mass in {side} hilar region."][mi]],
            i=[[f"{S} upper zone mass, suspicious of malignancy. Suggest CT thorax.",
                f"{S} lung nodule. CT thorax is suggested for further assessment.",
                f"{S} hilar mass, suspicious of malignancy. Suggest CT thorax."][mi]],
            sig=True, lat=True, term="mass", conf=["lung", "mediast"]),
        "tb_active": dict(
            f=[f"Patchy opacities with a thick-walled cavity in the {side} upper zone."],
            i=[f"{S} upper zone cavitating lesion, suspicious of active TB. Please correlate with sputum AFB."],
            sig=True, lat=True, term="cavity", conf=["lung", "consol"]),
        "lobectomy": dict(
            f=[f"Post {side} upper lobectomy changes with surgical clips.",
               f"Elevated {side} hemidiaphragm, static."],
            i=["Post-operative changes. No evidence of local recurrence on this radiograph."],
            sig=False, lat=True, term="lobectomy", conf=[]),
        "granuloma": dict(
            f=[f"A small calcified granuloma in the {side} mid zone."],
            i=[f"Calcified granuloma {side} mid zone."], sig=False, lat=True, term="granuloma",
            conf=["lung"]),
        "aorta": dict(
            f=[rng.choice(["Unfolded thoracic aorta.", "Calcification of the aortic knuckle."])],
            i=["Unfolded aorta."], sig=False, lat=False, term="aorta", conf=[]),
        "ryles": dict(
            f=["Ryle's tube tip is projected below the left hemidiaphragm."],
            i=["Ryle's tube in satisfactory position."], sig=False, lat=False, term="Ryle's tube",
            conf=[]),
        "atelect": dict(
            f=[f"Linear atelectasis in the {side} lower zone."],
            i=[f"Minor {side} basal atelectasis."], sig=False, lat=True, term="atelectasis",
            conf=["lung"]),
    }


HIST_BY = {
    "consol": ["Fever, cough with sputum x 5/7.", "OAH resident, fever, ?aspiration pneumonia.",
               "Fever, desaturation.", "Productive cough, raised WBC."],
    "effusion_mod": ["SOB for 1 week.", "Ca lung, increasing SOB.", "Known CHF, worsening SOB."],
    "effusion_small": ["SOB on exertion.", "CRF on PD, fluid status."],
    "ptx": ["Sudden onset chest pain and SOB.", "Tall thin young man, chest pain."],
    "chf": ["SOB, bilateral LL oedema.", "Known IHD, orthopnoea.", "ESRF, fluid overload?"],
    "cardio_mild": ["HT on follow up.", "Palpitation."],
    "oldtb": ["History of PTB, completed treatment.", "Old TB, SOPC follow up."],
    "bronchiectasis": ["Known bronchiectasis, haemoptysis.", "Bronchiectasis, more sputum."],
    "mass": ["Chronic smoker, weight loss.", "Ca lung s/p chemotherapy, follow up."],
    "tb_active": ["Cough, night sweats, weight loss. ?TB."],
    "lobectomy": ["Ca lung s/p lobectomy, follow up.", "NSCLC post-op follow up."],
    "ryles": ["OAH resident, Ryle's tube feeding, check position.", "Post RT insertion."],
}
SIG = ["consol", "effusion_mod", "ptx", "chf", "mass", "tb_active"]
MINOR = ["effusion_small", "cardio_mild", "oldtb", "bronchiectasis", "lobectomy", "granuloma",
         "aorta", "ryles", "atelect"]
LAT_SIG = ["consol", "effusion_mod", "ptx", "mass", "tb_active"]


def normal_findings(rng: random.Random, skip: set[str]) -> list[str]:
    out = []
    for key, bank, p in [("heart", HEART_N, 0.9), ("mediast", MEDIAST_N, 0.5),
                         ("lung", LUNG_N, 0.95), ("pleura", PLEURA_N, 0.8), ("ptx", PTX_N, 0.35),
                         ("bone", BONE_N, 0.35), ("dia", DIA_N, 0.12)]:
        if key in skip or rng.random() > p:
            continue
        if key == "lung" and "consol" in skip:
            continue
        out.append(rng.choice(bank))
    if not out:
        out.append(rng.choice(PLEURA_N if "pleura" not in skip else BONE_N))
    return out


def synth_case(rng: random.Random, keys: list[str], side: str | None = None) -> dict:
    sides = {}
    entries = []
    skip: set[str] = set()
    for k in keys:
        sd = side or rng.choice(["right", "left"])
        z = zone_word(rng) if k == "consol" else ("upper" if k in ("mass", "oldtb") and rng.random() < .6
                                                  else rng.choice(["upper", "mid", "lower"]))
        e = abn_bank(rng, sd, z)[k]
        e["key"], e["side"], e["zone"] = k, sd, z
        entries.append(e)
        sides[k] = sd
        skip.update(e["conf"])
    hist = None
    for k in keys:
        if k in HIST_BY:
            hist = rng.choice(HIST_BY[k])
            break
    if hist is None:
        hist = rng.choice(HIST_NORMAL)
    findings = []
    for e in entries:
        findings.extend(e["f"])
    findings.extend(normal_findings(rng, skip))
    impression = []
    for e in entries:
        if e["sig"] or rng.random() < 0.55:
            impression.extend(e["i"])
    if not impression:
        impression.append(rng.choice(IMP_NORMAL))
    elif not any(e["sig"] for e in entries) and rng.random() < 0.5:
        impression.append(rng.choice(["No active lung lesion.", "No acute change."]))
    exam = rng.choice(EXAMS)
    if "ryles" in keys or "chf" in keys:
        exam = rng.choice(["XR CHEST AP (MOBILE)", "XR Chest AP (sitting)", "CXR AP supine"])
    d = date(rng)
    comp = rng.choice(COMPARE).format(d=d)
    if any(k in ("oldtb", "bronchiectasis", "lobectomy", "cardio_mild") for k in keys) and \
            comp in ("None.", "Nil.", "No previous film available."):
        comp = f"Previous CXR dated {d}."
    return dict(exam=exam, history=hist, comparison=comp, findings=findings,
                impression=impression, entries=entries)


def pick_keys(rng: random.Random, mode: str) -> list[str]:
    if mode == "normal":
        return []
    if mode == "minor":
        ks = [rng.choice(MINOR)]
        if rng.random() < 0.3:
            k2 = rng.choice(MINOR)
            if k2 != ks[0] and not (k2 in ("effusion_small",) and ks[0] == "chf"):
                ks.append(k2)
        return ks
    ks = [rng.choice(SIG)]
    if rng.random() < 0.35:
        k2 = rng.choice(["oldtb", "aorta", "granuloma", "cardio_mild", "bronchiectasis"])
        if not (ks[0] == "chf" and k2 == "cardio_mild"):
            ks.append(k2)
    return ks


FLIP = {"right": "left", "left": "right", "Right": "Left", "Left": "Right",
        "RIGHT": "LEFT", "LEFT": "RIGHT"}


def flip_side(text: str) -> str:
    return re.sub(r"\b(right|left|Right|Left|RIGHT|LEFT)\b", lambda m: FLIP[m.group(1)], text)


PLACEHOLDERS = ["[***]", "[ ]", "***", "[...]", "< >", "{ }", "[*]", "<<>>", "[  ]"]


def synth_clean(rng: random.Random) -> tuple[dict, str]:
    u = rng.random()
    mode = "normal" if u < 0.6 else ("minor" if u < 0.8 else "sig")
    c = synth_case(rng, pick_keys(rng, mode))
    if mode == "normal" and rng.random() < 0.12:
        # impression-only short report: the conclusion itself describes the film
        c["impression"] = c["findings"] + [rng.choice(["No active lung lesion.", "Normal CXR."])]
        c["findings"] = None
    return c, ""


def synth_error(rng: random.Random, kind: str) -> tuple[dict, str]:
    if kind == "missing_section":
        u = rng.random()
        mode = "normal" if rng.random() < 0.4 else rng.choice(["minor", "sig"])
        c = synth_case(rng, pick_keys(rng, mode))
        if mode == "normal" and 0.4 <= u < 0.7:
            u = 0.2
        if u < 0.4:
            c["impression"] = []
            return c, "impression/conclusion header left empty"
        if u < 0.7:
            c["impression"] = None
            return c, "impression/conclusion section absent; findings only"
        c["findings"] = [] if rng.random() < 0.6 else None
        c["impression"] = [rng.choice([
            "No significant interval change.", "Suggest clinical correlation.",
            "Please refer to previous report.", "Stable appearance compared with prior.",
            "Kindly correlate clinically.", "Findings discussed with the ward."])]
        return c, "findings empty/absent; impression does not describe the film"
    if kind == "laterality_conflict":
        k = rng.choice(LAT_SIG + ["oldtb", "bronchiectasis"])
        extra = [] if rng.random() < 0.6 else [rng.choice(["aorta", "cardio_mild"])]
        c = synth_case(rng, [k] + extra)
        e = c["entries"][0]
        if k not in SIG:
            # make sure the chronic finding is in the impression
            if not any(s in c["impression"] for s in e["i"]):
                c["impression"] = e["i"] + [s for s in c["impression"] if s not in IMP_NORMAL]
        u = rng.random()
        if u < 0.6:
            c["impression"] = [flip_side(s) if s in e["i"] else s for s in c["impression"]]
            where = "impression"
        elif u < 0.85:
            c["findings"] = [flip_side(s) if s in e["f"] else s for s in c["findings"]]
            where = "findings"
        else:
            # second mention within the findings on the other side
            other = "left" if e["side"] == "right" else "right"
            add = {"consol": f"The {other}-sided consolidation obscures the adjacent hemidiaphragm.",
                   "effusion_mod": f"The {other} pleural effusion has increased since last film.",
                   "ptx": f"The {other} lung is partially collapsed.",
                   "mass": f"The {other} lung mass has irregular margins.",
                   "tb_active": f"The {other} upper zone cavity measures about 2 cm.",
                   "oldtb": f"Associated volume loss of the {other} upper zone.",
                   "bronchiectasis": f"The {other} lower zone bronchiectasis is cystic in type."}[k]
            c["findings"].insert(1, add)
            where = "findings (second sentence)"
        return c, f"{e['term']} placed on the opposite side in the {where}"
    if kind == "negation_conflict":
        u = rng.random()
        if u < 0.5:
            # findings affirm, impression negates the same finding
            k = rng.choice(["consol", "effusion_mod", "effusion_small", "ptx", "cardio_mild", "chf"])
            c = synth_case(rng, [k])
            if k == "cardio_mild":
                c["findings"][0] = "Heart is mildly enlarged (CTR 0.56)."
            if k == "effusion_small":
                c["findings"][0] = f"Small {c['entries'][0]['side']} pleural effusion."
            neg = {"consol": rng.choice(["Lungs are clear.", "No consolidation."]),
                   "effusion_mod": "No pleural effusion.", "effusion_small": "No pleural effusion.",
                   "ptx": "No pneumothorax.",
                   "cardio_mild": rng.choice(["Heart size is normal.", "No cardiomegaly."]),
                   "chf": rng.choice(["Heart size normal. No pulmonary oedema.",
                                      "No cardiomegaly or pulmonary congestion."])}[k]
            e = c["entries"][0]
            c["impression"] = [neg] + [s for s in c["impression"] if s not in e["i"]
                                       and s not in IMP_NORMAL]
            if len(c["impression"]) == 1 and rng.random() < 0.5:
                c["impression"].append("Otherwise unremarkable.")
            return c, f"findings affirm {e['term']}, impression negates it"
        # findings negate, impression affirms
        c = synth_case(rng, [])
        sd = rng.choice(["right", "left"])
        opts = []
        for s in c["findings"]:
            if s in PLEURA_N:
                opts.append((s, f"Small {sd} pleural effusion.", "pleural effusion"))
            if s in PTX_N:
                opts.append((s, f"Small {sd} apical pneumothorax.", "pneumothorax"))
            if s in HEART_N:
                opts.append((s, rng.choice(["Cardiomegaly.", "Mild cardiomegaly."]), "cardiomegaly"))
            if s in LUNG_N:
                opts.append((s, f"{cap(sd)} lower zone consolidation, likely pneumonia.",
                             "consolidation"))
        if not opts:
            c["findings"].append("No pleural effusion.")
            opts.append(("No pleural effusion.", f"Small {sd} pleural effusion.", "pleural effusion"))
        s, aff, term = rng.choice(opts)
        c["impression"] = [aff] + ([rng.choice(["Otherwise no active lung lesion.",
                                                "No other abnormality."])] if rng.random() < .5 else [])
        return c, f"findings negate {term} ('{s}'), impression affirms it"
    if kind == "impression_omits_finding":
        k = rng.choice(SIG)
        extra = []
        u = rng.random()
        if u < 0.35:
            extra = [rng.choice(["oldtb", "aorta", "granuloma", "bronchiectasis"])]
        c = synth_case(rng, [k] + extra)
        e = c["entries"][0]
        if extra and rng.random() < 0.7:
            c["impression"] = list(c["entries"][1]["i"])
            if rng.random() < 0.5:
                c["impression"].append("No other active lesion.")
            how = "impression mentions only the chronic finding"
        else:
            c["impression"] = [rng.choice(IMP_NORMAL)]
            how = "normal macro pasted as the impression"
        return c, f"findings affirm {e['term']} ({e['key']}); {how}"
    # placeholder
    mode = rng.choice(["normal", "normal", "minor", "sig"])
    c = synth_case(rng, pick_keys(rng, mode))
    ph = rng.choice(PLACEHOLDERS)
    u = rng.random()
    if u < 0.2 and c["comparison"].startswith(("Previous", "Compared", "CXR", "Prior")):
        c["comparison"] = rng.choice(["Previous CXR dated {p}.", "Compared with CXR of {p}."]).format(
            p=rng.choice(["[date]", "[ ]", "<date>", "[**]"]))
        return c, "comparison date left as template field"
    if u < 0.35:
        c["history"] = rng.choice(["[clinical history]", "<< >>", "[***]", "{history}"])
        return c, "clinical history template field not filled"
    lat_sents = [(sec, j) for sec in ("findings", "impression") for j, s in enumerate(c[sec])
                 if SIDE_RE.search(s)]
    if lat_sents and rng.random() < 0.6:
        sec, j = rng.choice(lat_sents)
        c[sec][j] = SIDE_RE.sub(rng.choice(["[L/R]", "[side]", "[***]", "[ ]"]), c[sec][j], count=1)
        return c, f"side word in {sec} replaced by a template field"
    cands = [(sec, j) for sec in ("findings", "impression") for j, s in enumerate(c[sec])
             if re.search(r"\b(normal|clear|CTR|small|moderate|mild)\b|\d", s)]
    if cands:
        sec, j = rng.choice(cands)
        c[sec][j] = re.sub(r"\d+(\.\d+)?|\b(normal|clear|small|moderate|mild)\b", ph, c[sec][j],
                           count=1)
        return c, f"one word/value in {sec} replaced by {ph}"
    c["impression"] = [ph]
    return c, "impression left as template field"


# ----------------------------------------------------------------------------- real cases

IU_HIST_TAIL = ["", "", " Please assess.", " ?Cause."]


def real_case(r: dict, rng: random.Random) -> dict:
    rew = rng.random() < 0.7
    hist = brit(r["indication"].strip(), False) or rng.choice(HIST_NORMAL)
    comp = r["comparison"].strip()
    if not comp or comp.lower().rstrip(".") in ("none", "no prior", "no comparison"):
        comp = rng.choice(["None.", "Nil.", "No previous film available."])
    return dict(exam=rng.choice(EXAMS), history=hist, comparison=comp,
                findings=[brit(s, rew) for s in sentences(r["findings"])],
                impression=[brit(s, rew) for s in sentences(r["impression"])], uid=r["uid"])


LAT_TERMS = r"effusion|pneumothora|opacit|consolidat|atelecta|infiltrat|airspace|pneumonia|" \
            r"nodul|\bmass\b|granulom|scar|fractur|hemidiaphragm|pleural thickening|lesion"


def lat_candidate(c: dict) -> tuple | None:
    txt = " ".join(c["findings"] + c["impression"])
    sides = {m.group(1).lower() for m in SIDE_RE.finditer(txt)}
    if len(sides) != 1 or re.search(r"bilateral|both", txt, re.I):
        return None
    fs = [j for j, s in enumerate(c["findings"]) if SIDE_RE.search(s)]
    is_ = [j for j, s in enumerate(c["impression"]) if SIDE_RE.search(s)]
    for a in fs:
        ta = {m.group(0).lower()[:6] for m in re.finditer(LAT_TERMS, c["findings"][a], re.I)}
        for b in is_:
            tb = {m.group(0).lower()[:6] for m in re.finditer(LAT_TERMS, c["impression"][b], re.I)}
            if ta & tb:
                stem = sorted(ta & tb)[0]
                word = re.search(re.escape(stem) + r"\w*", c["findings"][a], re.I).group(0)
                return a, b, word.lower()
    return None


def omit_candidate(r: dict) -> str | None:
    for s in sentences(r["findings"]):
        low = s.lower()
        if re.search(r"stable|unchanged|chronic|old|prior|previous|improv|decreas|resolv|small|"
                     r"trace|tiny|minimal|likely|may|possib|probabl|atelecta|scar|granulom|calcif|"
                     r"again|known|breast|nipple|removed", low):
            continue
        for g in ("ptx", "consol", "oedema", "effusion", "mass"):
            if affirmed(s, GROUPS[g]):
                if g == "mass" and not re.search(r"\bmass\b|\d+(\.\d+)? ?(cm)", low):
                    continue
                if g == "consol" and "interstitial" in low:
                    continue
                if g == "effusion" and not re.search(r"moderate|large|increas|new", low):
                    continue
                return g
    return None


def real_error(c: dict, r: dict, kind: str, rng: random.Random) -> tuple[dict, str] | None:
    if kind == "missing_section":
        if r["normal"] or rng.random() < 0.5:
            c["impression"] = []
            return c, "impression emptied (header left)"
        c["impression"] = None
        return c, "impression section removed"
    if kind == "laterality_conflict":
        lc = lat_candidate(c)
        if not lc:
            return None
        a, b, term = lc
        if rng.random() < 0.6:
            c["impression"][b] = flip_side(c["impression"][b])
            return c, f"side flipped in impression sentence about {term}"
        c["findings"][a] = flip_side(c["findings"][a])
        return c, f"side flipped in findings sentence about {term}"
    if kind == "negation_conflict":
        f = " ".join(c["findings"])
        if sig_affirmed(r["findings"]):
            return None
        sd = rng.choice(["right", "left"])
        opts = []
        if re.search(r"\bno (\w+ )?(pleural )?effusion|without (\w+ )?effusion|no .*?effusion", f, re.I) \
                and not any(affirmed(s, GROUPS["effusion"]) for s in c["findings"]):
            opts.append((f"Small {sd} pleural effusion.", "pleural effusion negated in findings"))
        if re.search(r"no (\w+ )?pneumothorax|no .*?pneumothorax", f, re.I) and not any(
                affirmed(s, GROUPS["ptx"]) for s in c["findings"]):
            opts.append((f"{cap(sd)} apical pneumothorax.", "pneumothorax negated in findings"))
        if re.search(r"heart (size )?is normal|normal heart size|heart size (is )?(within )?normal|"
                     r"heart is not enlarged|normal in size", f, re.I) and not any(
                affirmed(s, GROUPS["cardio"]) for s in c["findings"]):
            opts.append(("Cardiomegaly.", "findings say heart size normal"))
        if re.search(r"lungs are clear|clear lungs|lungs clear", f, re.I) and not any(
                affirmed(s, GROUPS["consol"]) for s in c["findings"]):
            opts.append((f"{cap(sd)} lower lobe pneumonia.", "findings say the lungs are clear"))
        for j, s in enumerate(c["impression"]):
            if affirmed(s, GROUPS["cardio"]) and any(affirmed(x, GROUPS["cardio"]) for x in c["findings"]):
                opts.append(("REPL", j, "Heart size is normal.", "cardiomegaly in findings"))
        if not opts:
            return None
        o = rng.choice(opts)
        if o[0] == "REPL":
            c["impression"][o[1]] = o[2]
            return c, f"impression negates: {o[3]}"
        rest = rng.choice([[], ["Otherwise no acute cardiopulmonary abnormality."],
                           ["No other active lesion."]])
        c["impression"] = [o[0]] + rest
        return c, f"impression affirms '{o[0]}' while {o[1]}"
    if kind == "impression_omits_finding":
        g = omit_candidate(r)
        if not g:
            return None
        c["impression"] = [rng.choice(IMP_NORMAL)]
        return c, f"findings affirm {g}; impression replaced by a normal statement"
    # placeholder
    ph = rng.choice(PLACEHOLDERS + ["[L/R]"])
    cands = [(sec, j) for sec in ("findings", "impression") for j, s in enumerate(c[sec])
             if re.search(r"\b(right|left|normal|clear|small|mild|moderate|no|stable)\b", s, re.I)]
    if not cands:
        return None
    sec, j = rng.choice(cands)
    if ph == "[L/R]" and not SIDE_RE.search(c[sec][j]):
        ph = "[***]"
    pat = SIDE_RE if ph == "[L/R]" else re.compile(
        r"\b(right|left|normal|clear|small|mild|moderate|stable)\b", re.I)
    if not pat.search(c[sec][j]):
        return None
    c[sec][j] = pat.sub(ph, c[sec][j], count=1)
    return c, f"one word in {sec} replaced by {ph}"


# ----------------------------------------------------------------------------- build

def build(seed: int) -> list[dict]:
    rng = random.Random(seed * 7919 + 82)
    dev = dev_uids()
    pool = [r for r in load_iu() if r["uid"] not in dev and consistent(r)]
    normal = [r for r in pool if r["normal"]]
    abnormal = [r for r in pool if not r["normal"]]
    rng.shuffle(normal)
    rng.shuffle(abnormal)
    used: set[str] = set()
    items: list[tuple[dict, str | None, str]] = []

    # real clean: mostly normal films, some ordinary abnormal ones
    n_real_clean = N_CLEAN // 2
    n_abn = int(n_real_clean * 0.3)
    for r in normal[: n_real_clean - n_abn] + abnormal[:n_abn]:
        used.add(r["uid"])
        items.append((real_case(r, rng), None, "real IU report re-laid-out"))

    order = normal + abnormal
    rng.shuffle(order)
    for kind in KINDS:
        got = 0
        src = order
        if kind == "impression_omits_finding":
            src = abnormal
        for r in src:
            if got >= N_KIND // 2:
                break
            if r["uid"] in used:
                continue
            out = real_error(real_case(r, rng), r, kind, rng)
            if out is None:
                continue
            used.add(r["uid"])
            items.append((out[0], kind, "real IU report: " + out[1]))
            got += 1
        if got < N_KIND // 2:
            raise RuntimeError(f"not enough real reports for {kind}: {got}")

    for _ in range(N_CLEAN - n_real_clean):
        c, _d = synth_clean(rng)
        items.append((c, None, "phrase bank"))
    for kind in KINDS:
        for _ in range(N_KIND // 2):
            c, d = synth_error(rng, kind)
            items.append((c, kind, "phrase bank: " + d))

    rng.shuffle(items)
    rows = []
    for n, (c, kind, detail) in enumerate(items):
        rows.append({"id": f"h82-{seed}-{n}", "injected": kind,
                     "detail": detail if kind else "", "report": render(c, rng),
                     "_uid": c.get("uid")})
    return rows


def public(row: dict) -> dict:
    return {k: row[k] for k in ("id", "injected", "detail", "report")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(public(r), ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            sel = [r for r in rows if r["injected"] == kind][: a.show]
            for r in sel:
                print(f"===== {r['id']} {kind} | {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
