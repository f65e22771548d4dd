"""Held-out report-check set 92, written blind.

Setting: NHS Northern Ireland (Belfast, Western, Southern, Northern and South Eastern trusts) and English
NHS community hospitals and minor injuries units. Chest films from GP direct-access referrals, ED, wards
and fracture clinics, reported by consultant radiologists and reporting radiographers, in the layouts
they dictate: an exam line, clinical details, comparison, sometimes a technique line, findings (or
"Report:"), a conclusion / impression / opinion / comment, and a sign-off line. British spellings
(oedema, haemoptysis, oesophagus), UK abbreviations (CXR, LRTI, CCF, PTX, NGT, 2WW, 3/52, abx) and
UK recommendations (repeat CXR in 6 weeks, lung cancer pathway).

400 cases: 200 clean and 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder. Half of each group is composed from the phrase bank below,
half are real IU reports (none whose uid is in the dev set) re-laid-out in this style with British
spelling. Errors are single ordinary slips: a side flipped, a normal macro pasted over the conclusion,
a template field left unfilled, a section left empty.

    python -m bench.make_heldout92 OUT.jsonl --seed S [--show N]
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


def iu_archive() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_file() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# ---------------------------------------------------------------------------------------------
# IU loading
# ---------------------------------------------------------------------------------------------

_IU_CACHE: list[dict] | None = None
_DEV_CACHE: set[str] | None = None

_AT = re.compile(r'<AbstractText Label="(\w+)">(.*?)</AbstractText>', re.S)
_UID = re.compile(r'<uId id="([^"]+)"')


def dev_uids() -> set[str]:
    global _DEV_CACHE
    if _DEV_CACHE is None:
        out = set()
        with open(dev_file(), encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if line:
                    uid = json.loads(line).get("uid")
                    if uid:
                        out.add(uid)
        _DEV_CACHE = out
    return _DEV_CACHE


def load_iu() -> list[dict]:
    """All IU reports (uid, indication, comparison, findings, impression), sorted by uid number."""
    global _IU_CACHE
    if _IU_CACHE is None:
        rows = []
        with tarfile.open(iu_archive(), "r:gz") as tf:
            for m in tf:
                if not m.isfile() or not m.name.endswith(".xml"):
                    continue
                text = tf.extractfile(m).read().decode("utf-8", "replace")
                mu = _UID.search(text)
                if not mu:
                    continue
                d = {k.lower(): _clean(html.unescape(v)) for k, v in _AT.findall(text)}
                rows.append(
                    {
                        "uid": mu.group(1),
                        "indication": d.get("indication", ""),
                        "comparison": d.get("comparison", ""),
                        "findings": d.get("findings", ""),
                        "impression": d.get("impression", ""),
                    }
                )
        rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
        _IU_CACHE = rows
    return _IU_CACHE


def _clean(s: str) -> str:
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"\.\s*\.", ".", s)
    s = re.sub(r"\.\s*\.", ".", s)
    return s


# British spelling / light re-wording of IU text (meaning unchanged)
_BRIT = [
    (r"\bedema\b", "oedema"),
    (r"\bEdema\b", "Oedema"),
    (r"\bedematous\b", "oedematous"),
    (r"\besophag", "oesophag"),
    (r"\bEsophag", "Oesophag"),
    (r"\bhemorrhag", "haemorrhag"),
    (r"\banemia\b", "anaemia"),
    (r"\borthopedic", "orthopaedic"),
    (r"\bcentimeter", "centimetre"),
    (r"\bmillimeter", "millimetre"),
    (r"\bhemidiaphragm", "hemidiaphragm"),
    (r"\bhemithorax", "hemithorax"),
    (r"\bcalcified granuloma\b", "calcified granuloma"),
    (r"\bx-ray\b", "X-ray"),
    (r"\bcardiopulmonary abnormalities\b", "cardiopulmonary abnormality"),
    (r"\bNo active disease\b", "No active disease"),
    (r"\bfavor", "favour"),
    (r"\bgray\b", "grey"),
    (r"\bleukemia\b", "leukaemia"),
    (r"\btumor\b", "tumour"),
]


def brit(s: str) -> str:
    for a, b in _BRIT:
        s = re.sub(a, b, s)
    return s


def sentences(s: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", s.strip())
    return [p for p in parts if p]


NEG = re.compile(
    r"\b(no|not|without|negative|free of|clear|resolved|resolution|resolving|removed|absence|absent|"
    r"none|exclude|excluded|rule out|clearing|cleared)\b",
    re.I,
)
HEDGE = re.compile(
    r"\b(possible|possibly|may|might|could|versus|vs|or|question|questionable|cannot|suspect|"
    r"suspicious|small|tiny|trace|minimal|mild|mildly|chronic|stable|unchanged|old|healed|improv\w*|"
    r"decreas\w*|residual|scar\w*|prior|previous|again|persistent|subsegmental|atelecta\w*|"
    r"granuloma\w*|calcifi\w*|borderline|likely)\b",
    re.I,
)
HEDGE_OMIT = re.compile(
    r"\b(possible|possibly|may|might|could|versus|vs|question|questionable|cannot|suspect|suspected|small|tiny|"
    r"trace|minimal|minimally|chronic|stable|unchanged|old|healed|improv\w*|decreas\w*|residual|scar\w*|prior|"
    r"previous|again|persistent|persists|subsegmental|granuloma\w*|calcifi\w*|borderline|probable|probably)\b",
    re.I,
)
SIG = {
    "consolidation": r"consolidat\w*|airspace (disease|opacit\w*)|air space (disease|opacit\w*)|pneumonia|infiltrat\w*",
    "pneumothorax": r"pneumothora\w*",
    "oedema": r"\bedema\b|oedema|vascular congestion|interstitial edema|chf\b|congestive",
    "effusion": r"(moderate|large|sizable|sizeable) (\w+ )?(pleural )?effusion",
    "mass": r"\bmass\b",
}
ABN = re.compile(
    r"cardiomegaly|enlarged|enlargement|opacit|consolidat|effusion|pneumothora|edema|oedema|atelecta|"
    r"infiltrat|nodul|mass\b|granuloma|scar|fracture|hyperinfla|hyperexpan|emphysema|copd|pneumonia|"
    r"airspace|air space|congest|calcif|thicken|blunt|tortuous|ectatic|degenerat|spondyl|hernia|"
    r"elevat|deformit|sternotomy|catheter|pacemaker|tube|wire|clip|lesion|prominen|widen|density|"
    r"densities|collapse|kyphos|scolios|osteopen|surgical|postsurgical|post-surgical|fibros|"
    r"interstitial|marking|hilar|adenopath|aneurysm|port\b|stent|valve|picc|line\b",
    re.I,
)
NORMAL_IMP = re.compile(
    r"^(1\. )?(no (acute|active|evidence of active)|normal chest|negative for acute|clear lungs|"
    r"no radiographic evidence of acute)",
    re.I,
)


def affirmed(section: str, pat: str, strict: bool = True) -> list[str]:
    out = []
    for s in sentences(section):
        if re.search(pat, s, re.I) and not NEG.search(s) and not (strict and HEDGE.search(s)):
            out.append(s)
    return out


def any_affirmed(section: str, pat: re.Pattern) -> bool:
    for s in sentences(section):
        if pat.search(s) and not NEG.search(s):
            return True
    return False


def sides(s: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\b(right|left)\b", s, re.I)}


def _ok_basic(r: dict) -> bool:
    f, i = r["findings"], r["impression"]
    if not f or not i or len(f) > 650 or len(i) > 350 or len(f) < 40:
        return False
    txt = f + " " + i + " " + r["indication"] + " " + r["comparison"]
    if re.search(r"\[|\]|\*\*|___|<|>|\{", txt):
        return False
    return True


def _consistent(r: dict) -> bool:
    """No significant finding affirmed in findings without mention in impression; sides agree."""
    f, i = r["findings"], r["impression"]
    for pat in SIG.values():
        if affirmed(f, pat, strict=False) and not re.search(pat, i, re.I):
            return False
    fs, is_ = sides(f), sides(i)
    if is_ and fs and not (is_ <= fs):
        return False
    if re.search(r"\bnormal\b|\bclear\b", i, re.I) and any_affirmed(f, ABN):
        return False
    if re.search(r"\bnew\b|\bincreas", f, re.I) and not re.search(r"\bnew\b|\bincreas", i, re.I):
        return False
    return True


LAT_KW = (r"effusion|pneumothora\w*|opacit\w*|consolidat\w*|atelecta\w*|infiltrat\w*|airspace|pneumonia|"
          r"nodul\w*|mass|granuloma|fracture\w*|density")


def iu_pools() -> dict[str, list[dict]]:
    dev = dev_uids()
    pools: dict[str, list[dict]] = {k: [] for k in ("normal", "abn", "lat", "omit", "neg_card", "neg_lung")}
    for r in load_iu():
        if r["uid"] in dev or not _ok_basic(r):
            continue
        f, i = r["findings"], r["impression"]
        normal_f = not any_affirmed(f, ABN)
        if normal_f and NORMAL_IMP.search(i) and not sides(f + " " + i):
            pools["normal"].append(r)
            continue
        if not _consistent(r):
            continue
        if not NORMAL_IMP.search(i) and any_affirmed(i, ABN):
            pools["abn"].append(r)
        # laterality candidates
        fs, is_ = sides(f), sides(i)
        if len(fs) == 1 and fs == is_ and not re.search(r"middle lobe|lingul|bilateral|both", f + i, re.I):
            side = next(iter(fs))
            kw = LAT_KW
            fsent = [s for s in sentences(f) if re.search(r"\b" + side + r"\b", s, re.I) and re.search(kw, s, re.I)]
            isent = [s for s in sentences(i) if re.search(r"\b" + side + r"\b", s, re.I) and re.search(kw, s, re.I)]
            if fsent and isent:
                shared = set(re.findall(kw, " ".join(fsent), re.I)) & set(re.findall(kw, " ".join(isent), re.I))
                if shared:
                    pools["lat"].append(r)
        # omission candidates: a clear significant finding named in both sections
        for pat in SIG.values():
            fa = [x for x in affirmed(f, pat, strict=False) if not HEDGE_OMIT.search(x)]
            ia = [x for x in affirmed(i, pat, strict=False)
                  if not re.search(r"\b(atelecta\w*|may|possibly|possible|scar\w*|fibros\w*|improved|"
                                   r"unchanged|stable|mild|nonconsolidat\w*)\b", x, re.I)]
            if fa and ia:
                pools["omit"].append(r)
                break
        # negation: cardiomegaly affirmed in findings and impression
        if re.search(r"cardiomegaly|heart (size )?is enlarged|enlarged heart|cardiac enlargement", f, re.I) and \
                affirmed(f, r"cardiomegaly|enlarged|enlargement", strict=False) and \
                re.search(r"cardiomegaly|enlarge", i, re.I) and not re.search(r"borderline|mild", f + i, re.I):
            pools["neg_card"].append(r)
        fc = [x for x in affirmed(f, SIG["consolidation"], strict=False) if not HEDGE_OMIT.search(x)
              and not re.search(r"atelecta|\bmay\b|\bor\b", x, re.I)]
        if fc and affirmed(i, SIG["consolidation"], strict=False) and \
                not re.search(r"lungs (are )?(otherwise )?clear|no (focal )?(airspace|consolidat)", f, re.I):
            pools["neg_lung"].append(r)
    return pools


# ---------------------------------------------------------------------------------------------
# Setting: headers, people, places
# ---------------------------------------------------------------------------------------------

SITES = [
    "Royal Victoria Hospital, Belfast", "Belfast City Hospital", "Mater Infirmorum Hospital",
    "Antrim Area Hospital", "Causeway Hospital", "Craigavon Area Hospital", "Daisy Hill Hospital",
    "Altnagelvin Area Hospital", "South West Acute Hospital", "Ulster Hospital, Dundonald",
    "Lagan Valley Hospital MIU", "Downe Hospital", "Omagh Hospital and Primary Care Complex",
    "Mid Ulster Hospital", "Whiteabbey Hospital", "Bishop Auckland Hospital UTC",
    "Cirencester Hospital MIU", "Skegness Hospital UTC", "Hexham General Hospital",
    "Bridlington Hospital MIU", "Westmorland General Hospital", "Tewkesbury Community Hospital",
]
SURN = [
    "McKeown", "O'Neill", "Doherty", "Gallagher", "Quinn", "Campbell", "Patterson", "Hughes", "McCann",
    "Boyle", "Donnelly", "McAllister", "Fitzsimons", "Lavery", "Magee", "Kerr", "Graham", "Irvine",
    "Johnston", "Patel", "Khan", "Turner", "Whitfield", "Harrison", "Ahmed", "Sharma", "Morrison",
]
INIT = "ABCDEFGHJKLMNPRSTW"

GP_HX = [
    "Cough 4/52, ex-smoker. ?underlying lesion.",
    "Persistent cough >3 weeks. Non-smoker.",
    "Haemoptysis x1. Smoker 30 pack years. 2WW.",
    "Weight loss and cough. Smoker. Suspected lung cancer pathway.",
    "Chest infection not settling after two courses of abx.",
    "SOBOE, ankle swelling. ?LVF.",
    "Follow-up CXR 6/52 post pneumonia.",
    "Hoarse voice 6 weeks.",
    "Asthma, worsening wheeze.",
    "COPD, increasing SOB.",
    "Routine pre-employment screening, from TB high-prevalence country.",
    "Tired all the time, night sweats.",
    "Raised CRP, productive cough, crackles at base.",
    "Chronic cough. On ACE inhibitor.",
    "Pre-op assessment.",
    "Abnormal spirometry.",
]
ED_HX = [
    "SOB, sats 91% on air. ?LRTI.",
    "Pleuritic chest pain. ?PTX.",
    "Chest pain, troponin pending.",
    "Pyrexial, productive cough. ?CAP.",
    "Sepsis ?source.",
    "Collapse. Elderly. ?aspiration.",
    "Fall from standing, chest wall pain.",
    "RTC, seat belt bruising.",
    "Acute SOB. Known CCF.",
    "Exacerbation of COPD.",
    "Haemoptysis.",
]
WARD_HX = [
    "Post-op day 2, pyrexial. ?basal collapse.",
    "NGT inserted, please confirm position before feeding.",
    "Desaturating on ward. ?fluid overload.",
    "New O2 requirement.",
    "Post central line insertion.",
    "Reduced air entry at base.",
    "Pre-op assessment.",
]
FC_HX = [
    "Fall, chest wall pain. ?rib #.",
    "Fracture clinic review, rib fractures.",
    "Clavicle fracture follow-up, ?pneumothorax.",
]
EXAMS_PA = ["XR Chest PA", "CXR PA", "Chest X-ray PA", "XR CHEST", "Chest PA", "XR Chest (PA)"]
EXAMS_AP = ["XR Chest AP (mobile)", "CXR AP portable", "Chest X-ray AP (ward)", "XR CHEST AP SITTING"]

H_HX = ["Clinical details", "Clinical history", "Clinical information", "History", "Clinical indication"]
H_CMP = ["Comparison", "Comparison", "Previous", "Compared with"]
H_F = ["Findings", "Findings", "Report", "FINDINGS"]
H_I = ["Conclusion", "Impression", "Opinion", "Comment", "CONCLUSION", "Summary"]


def date(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(19, 25)}"


def signoff(rng: random.Random) -> str:
    name = f"{rng.choice(INIT)}. {rng.choice(SURN)}"
    opts = [
        f"Dr {name}, Consultant Radiologist",
        f"Reported by: Dr {name}, Consultant Radiologist. GMC {rng.randint(4000000, 7999999)}",
        f"Reported by {name}, Reporting Radiographer",
        f"{name}, Consultant Reporting Radiographer (HCPC RA{rng.randint(10000, 99999)})",
        f"Electronically signed: Dr {name} (Consultant Radiologist) {date(rng)}",
        f"Dictated by Dr {name}, Consultant Radiologist. Verified {date(rng)}.",
        f"{name}, Advanced Practitioner Radiographer",
    ]
    return rng.choice(opts)


class Layout:
    """Header choices for one report."""

    def __init__(self, rng: random.Random, source: str):
        self.rng = rng
        self.source = source
        self.exam = rng.choice(EXAMS_AP if source == "ward" else EXAMS_PA)
        self.h_hx = rng.choice(H_HX)
        self.h_cmp = rng.choice(H_CMP)
        self.h_f = rng.choice(H_F)
        self.h_i = rng.choice(H_I)
        self.upper = rng.random() < 0.2
        self.inline = rng.random() < 0.55  # "Findings: text" on one line vs header on its own line
        self.site = rng.choice(SITES)
        self.sign = signoff(rng)
        self.show_site = rng.random() < 0.35
        self.ref = {
            "gp": "GP direct access",
            "ed": rng.choice(["ED", "Emergency Department", "MIU", "UTC"]),
            "ward": rng.choice(["Ward 4B", "AMU", "Ward 7 North", "Respiratory ward", "Surgical ward", "ICU"]),
            "fc": "Fracture clinic",
        }[source]
        self.show_ref = rng.random() < 0.4

    def h(self, s: str) -> str:
        return s.upper() if self.upper else s

    def section(self, head: str, body: str | None) -> str:
        """body None -> section absent; "" -> header with nothing after it."""
        if body is None:
            return ""
        if body == "":
            return f"{self.h(head)}:"
        if self.inline:
            return f"{self.h(head)}: {body}"
        return f"{self.h(head)}:\n{body}"

    def render(self, hx, cmp, tech, findings, impression) -> str:
        parts = []
        top = self.exam
        if self.show_site:
            top += f" - {self.site}"
        if self.show_ref:
            top += f"\nReferral source: {self.ref}"
        parts.append(top)
        if hx:
            parts.append(self.section(self.h_hx, hx))
        if cmp:
            parts.append(self.section(self.h_cmp if self.h_cmp != "Compared with" else "Comparison", cmp))
        if tech:
            parts.append(self.section("Technique", tech))
        s = self.section(self.h_f, findings)
        if s:
            parts.append(s)
        s = self.section(self.h_i, impression)
        if s:
            parts.append(s)
        parts.append(self.sign)
        return "\n\n".join(parts)


# ---------------------------------------------------------------------------------------------
# Phrase bank (composed reports)
# ---------------------------------------------------------------------------------------------

HEART_N = [
    "The heart is not enlarged.", "Heart size is normal.", "Normal cardiac size.",
    "Cardiomediastinal contours are within normal limits.", "Heart size and mediastinal contours are normal.",
    "CTR within normal limits.", "The cardiac and mediastinal outlines are unremarkable.",
]
LUNG_N = [
    "The lungs are clear.", "Clear lung fields.", "No focal consolidation, collapse or mass.",
    "No focal lung lesion or consolidation.", "Lungs are clear with no active disease.",
    "No focal airspace opacity.",
]
PLEURA_N = [
    "No pleural effusion or pneumothorax.", "Costophrenic angles are clear. No pneumothorax.",
    "No effusion. No pneumothorax.", "Pleural spaces are clear.", "No pneumothorax or pleural effusion.",
]
HILA_N = ["Hila are normal.", "Normal hilar appearances.", "Hila unremarkable.", ""]
BONE_N = [
    "No acute bony abnormality.", "Bones are unremarkable.", "No bony abnormality seen.",
    "Visualised skeleton intact.", "",
]
IMP_NORMAL = [
    "Normal chest radiograph.", "No acute abnormality.", "No acute cardiopulmonary abnormality.",
    "Normal chest X-ray.", "No active disease.", "Normal appearances.", "No significant abnormality demonstrated.",
]
IMP_NOACUTE = [
    "No acute abnormality.", "No acute cardiopulmonary abnormality.", "No acute findings.",
    "No acute process.", "No active disease.",
]
ZONES = ["lower zone", "mid zone", "upper zone", "base"]


def Side(s: str) -> str:
    return s[0].upper() + s[1:]


def other(s: str) -> str:
    return "left" if s == "right" else "right"


def make_finding(rng: random.Random, kind: str, side: str | None = None) -> dict:
    """A finding: findings text, impression text, slot(s) it replaces, side, significance."""
    side = side or rng.choice(["right", "left"])
    S = Side(side)
    if kind == "consolidation":
        zone = rng.choice(["lower zone", "base", "mid zone", "lower lobe", "upper zone"])
        ft = rng.choice([
            f"There is consolidation in the {side} {zone}.",
            f"Patchy airspace opacification at the {side} {zone}, likely infective.",
            f"New area of consolidation in the {side} {zone} with air bronchograms.",
            f"Ill-defined airspace shadowing in the {side} {zone} in keeping with consolidation.",
        ])
        it = rng.choice([
            f"{S} {zone} consolidation in keeping with infection. "
            "Suggest repeat CXR in 6 weeks after treatment to ensure resolution.",
            f"{S} {zone} pneumonia. Follow-up film at 6/52 recommended.",
            f"Consolidation {side} {zone}, likely LRTI. Clinical correlation and follow-up CXR in 6-8 weeks.",
            f"{S}-sided consolidation consistent with infection.",
        ])
        return dict(kind=kind, f=ft, i=it, slots={"lung"}, side=side, sig=True, word="consolidation")
    if kind == "effusion_small":
        ft = rng.choice([
            f"Small {side} pleural effusion blunting the costophrenic angle.",
            f"Blunting of the {side} costophrenic angle in keeping with a small effusion.",
            f"Trace of fluid at the {side} base.",
        ])
        it = rng.choice([f"Small {side} pleural effusion.", f"Small {side} effusion."])
        return dict(kind=kind, f=ft, i=it, slots={"pleura"}, side=side, sig=False, word="effusion")
    if kind == "effusion_large":
        size = rng.choice(["moderate", "large", "moderate to large"])
        ft = rng.choice([
            f"There is a {size} {side} pleural effusion with associated basal atelectasis.",
            f"{Side(size)} {side} pleural effusion extending to the mid zone.",
            f"{Side(size)} {side}-sided pleural effusion.",
        ])
        it = rng.choice([
            f"{Side(size)} {side} pleural effusion. Suggest ultrasound and clinical review.",
            f"{Side(size)} {side} pleural effusion.",
            f"{Side(size)} {side} effusion; underlying pathology cannot be excluded. Repeat after drainage advised.",
        ])
        return dict(kind=kind, f=ft, i=it, slots={"pleura"}, side=side, sig=True, word="effusion")
    if kind == "pneumothorax":
        cm = rng.choice(["1.5", "2", "2.5", "3", "4"])
        ft = rng.choice([
            f"There is a {side} pneumothorax with a {cm} cm rim at the level of the hilum.",
            f"{S} apical pneumothorax, measuring {cm} cm at the apex. No mediastinal shift.",
            f"Visible {side} lung edge with a {cm} cm {side} pneumothorax.",
        ])
        it = rng.choice([
            f"{S} pneumothorax ({cm} cm at hilum). Discussed with the ED team.",
            f"{S}-sided pneumothorax. Result phoned to referring clinician.",
            f"{S} apical pneumothorax.",
        ])
        return dict(kind=kind, f=ft, i=it, slots={"pleura"}, side=side, sig=True, word="pneumothorax")
    if kind == "nodule":
        mm = rng.choice([8, 10, 12, 14, 18, 22])
        art = "an" if mm in (8, 18) else "a"
        zone = rng.choice(["mid zone", "upper zone", "lower zone"])
        ft = rng.choice([
            f"There is {art} {mm} mm rounded nodule projected over the {side} {zone}.",
            f"{Side(art)} {mm} mm soft tissue nodule is noted in the {side} {zone}.",
        ])
        it = rng.choice([
            f"{mm} mm {side} {zone} nodule. CT chest recommended.",
            f"{S} {zone} pulmonary nodule ({mm} mm). "
            "Further assessment with CT is advised; GP to refer on suspected lung cancer pathway if appropriate.",
        ])
        return dict(kind=kind, f=ft, i=it, slots={"lung"}, side=side, sig=True, word="nodule")
    if kind == "mass":
        cm = rng.choice([3, 4, 5, 6])
        ft = rng.choice([
            f"There is a {cm} cm mass at the {side} hilum.",
            f"Lobulated {cm} cm mass in the {side} upper zone.",
        ])
        it = rng.choice([
            f"{S} hilar mass, suspicious for malignancy. Urgent CT chest advised.",
            f"{cm} cm {side} upper zone mass. Urgent CT thorax; referral via the lung cancer pathway recommended.",
        ])
        if "hilum" not in ft:
            it = f"{cm} cm {side} upper zone mass. Urgent CT thorax; referral via the lung cancer pathway recommended."
        else:
            it = f"{S} hilar mass, suspicious for malignancy. Urgent CT chest advised."
        return dict(kind=kind, f=ft, i=it, slots={"lung", "hila"}, side=side, sig=True, word="mass")
    if kind == "ccf":
        ft = rng.choice([
            "The heart is enlarged. There is upper lobe venous diversion with interstitial oedema and Kerley B lines. "
            "Small bilateral effusions.",
            "Cardiomegaly with upper lobe blood diversion, perihilar haziness and septal lines in keeping with "
            "pulmonary oedema. Bilateral small effusions.",
            "Enlarged cardiac silhouette. Bilateral perihilar airspace shadowing and septal lines consistent with "
            "pulmonary oedema.",
        ])
        it = rng.choice([
            "Appearances in keeping with congestive cardiac failure.",
            "Cardiomegaly and pulmonary oedema, consistent with fluid overload.",
            "Features of left ventricular failure.",
        ])
        return dict(kind=kind, f=ft, i=it, slots={"heart", "lung", "pleura"}, side=None, sig=True, word="oedema")
    if kind == "cardiomegaly_mild":
        ft = rng.choice([
            "The heart is mildly enlarged.", "Borderline cardiomegaly.", "Mild cardiomegaly.",
            "CTR slightly increased.",
        ])
        it = rng.choice(["Mild cardiomegaly.", "Borderline heart size.", "Stable mild cardiomegaly."])
        return dict(kind=kind, f=ft, i=it, slots={"heart"}, side=None, sig=False, word="cardiomegaly")
    if kind == "cardiomegaly":
        ft = rng.choice(["The heart is enlarged.", "Cardiomegaly.", "The cardiac silhouette is enlarged (CTR 0.6)."])
        it = rng.choice(["Cardiomegaly.", "Cardiomegaly. No pulmonary oedema.", "Enlarged heart."])
        return dict(kind=kind, f=ft, i=it, slots={"heart"}, side=None, sig=False, word="cardiomegaly")
    if kind == "copd":
        ft = rng.choice([
            "The lungs are hyperexpanded with flattened hemidiaphragms, in keeping with COPD. No focal consolidation.",
            "Hyperinflated lungs consistent with emphysema. No focal airspace opacity.",
        ])
        it = rng.choice(["Hyperexpanded lungs in keeping with COPD. No acute abnormality.", "COPD. No acute change."])
        return dict(kind=kind, f=ft, i=it, slots={"lung"}, side=None, sig=False, word="hyperexpanded")
    if kind == "atelectasis":
        ft = rng.choice([
            f"Minor linear atelectasis at the {side} base.",
            f"Some plate atelectasis in the {side} lower zone.",
            "Minor bibasal atelectasis.",
        ])
        it = rng.choice([f"Minor {side} basal atelectasis.", "Minor basal atelectasis only."])
        if "bibasal" in ft:
            it = "Minor bibasal atelectasis."
            side = None
        return dict(kind=kind, f=ft, i=it, slots=set(), side=side, sig=False, word="atelectasis")
    if kind == "granuloma":
        ft = rng.choice([
            f"Calcified granuloma in the {side} upper zone.",
            f"Small calcified nodule in the {side} mid zone, likely an old granuloma.",
        ])
        it = f"Incidental calcified granuloma {side} lung."
        return dict(kind=kind, f=ft, i=it, slots=set(), side=side, sig=False, word="granuloma")
    if kind == "old_ribs":
        ft = rng.choice([
            f"Old healed fractures of the {side} lateral 6th and 7th ribs.",
            f"Healed {side} posterior rib fractures noted.",
        ])
        it = f"Old healed {side} rib fractures."
        return dict(kind=kind, f=ft, i=it, slots={"bone"}, side=side, sig=False, word="fracture")
    if kind == "rib_fracture":
        n = rng.choice(["5th", "6th", "7th", "8th", "9th"])
        ft = rng.choice([
            f"Acute displaced fracture of the {side} {n} rib laterally. No pneumothorax.",
            f"Undisplaced fracture of the {side} {n} rib anterolaterally. No pneumothorax or effusion.",
        ])
        it = rng.choice([f"Acute {side} {n} rib fracture. No pneumothorax.",
                         f"{S} {n} rib fracture without pneumothorax."])
        return dict(kind=kind, f=ft, i=it, slots={"bone", "pleura"}, side=side, sig=False, word="fracture")
    if kind == "ngt":
        ft = rng.choice([
            "NG tube passes below the diaphragm with its tip projected over the stomach.",
            "The nasogastric tube follows the expected course of the oesophagus and its tip lies in the stomach.",
        ])
        it = rng.choice(["NG tube tip in the stomach; satisfactory for use.", "Satisfactory NG tube position."])
        return dict(kind=kind, f=ft, i=it, slots=set(), side=None, sig=False, word="NG")
    if kind == "cvc":
        ft = rng.choice([
            "Central venous catheter with its tip projected over the SVC.",
            "Internal jugular line in situ, tip at the cavoatrial junction.",
        ])
        it = rng.choice(["Central line tip satisfactory. No pneumothorax.", "Line in satisfactory position."])
        return dict(kind=kind, f=ft, i=it, slots=set(), side=None, sig=False, word="line")
    if kind == "pacemaker":
        ft = rng.choice([
            "Dual chamber pacemaker in situ with leads in satisfactory position.",
            "Median sternotomy wires and prosthetic valve noted.",
            "Loop recorder projected over the chest.",
        ])
        it = ""
        return dict(kind=kind, f=ft, i=it, slots=set(), side=None, sig=False, word="device")
    if kind == "spine":
        ft = rng.choice(["Degenerative changes in the thoracic spine.", "Thoracic spondylosis.",
                         "Mild thoracic kyphosis."])
        return dict(kind=kind, f=ft, i="", slots={"bone"}, side=None, sig=False, word="spine")
    if kind == "hernia":
        ft = "Small hiatus hernia projected behind the heart."
        return dict(kind=kind, f=ft, i="Incidental hiatus hernia.", slots=set(), side=None, sig=False, word="hernia")
    if kind == "mediastinum":
        ft = rng.choice([
            "The superior mediastinum appears widened, measuring 9 cm on this AP film.",
            "Widening of the upper mediastinum. Aortic knuckle is indistinct.",
        ])
        it = rng.choice([
            "Widened mediastinum; aortic injury cannot be excluded. Urgent CT aortogram recommended. "
            "Discussed with the referring team.",
            "Widened superior mediastinum. Suggest CT thorax.",
        ])
        return dict(kind=kind, f=ft, i=it, slots={"heart"}, side=None, sig=True, word="mediastinum")
    raise ValueError(kind)


SIG_KINDS = ["consolidation", "effusion_large", "pneumothorax", "nodule", "mass", "ccf", "mediastinum"]
MINOR_KINDS = ["effusion_small", "cardiomegaly_mild", "copd", "atelectasis", "granuloma", "old_ribs",
               "spine", "hernia", "pacemaker", "cardiomegaly", "rib_fracture"]


def compose_findings(rng: random.Random, finds: list[dict]) -> list[str]:
    used = set()
    for fd in finds:
        used |= fd["slots"]
    out = []
    if "heart" not in used:
        out.append(rng.choice(HEART_N))
    if "lung" not in used:
        out.append(rng.choice(LUNG_N))
    elif rng.random() < 0.5 and not any(f["kind"] in ("ccf", "copd") for f in finds):
        out.append("The lungs are otherwise clear.")
    if "pleura" not in used:
        out.append(rng.choice(PLEURA_N))
    elif not any(f["kind"] in ("pneumothorax", "rib_fracture") for f in finds) and rng.random() < 0.5:
        out.append("No pneumothorax.")
    if "hila" not in used:
        h = rng.choice(HILA_N)
        if h:
            out.append(h)
    finding_sents = [f["f"] for f in finds]
    # main findings first most of the time
    if rng.random() < 0.6:
        out = finding_sents + out
    else:
        out = out[:1] + finding_sents + out[1:]
    if "bone" not in used:
        b = rng.choice(BONE_N)
        if b:
            out.append(b)
    return out


def pick_source(rng: random.Random) -> str:
    return rng.choices(["gp", "ed", "ward", "fc"], [45, 33, 16, 6])[0]


def hx_for(rng: random.Random, source: str) -> str:
    return rng.choice({"gp": GP_HX, "ed": ED_HX, "ward": WARD_HX, "fc": FC_HX}[source])


def compose_clean_parts(rng: random.Random, force_sig: str | None = None, need_side: bool = False,
                        force_minor: list[str] | None = None, normal_p: float = 0.55):
    """Return (layout, hx, cmp, tech, finds, findings_sents, impression_sents)."""
    source = pick_source(rng)
    lay = Layout(rng, source)
    hx = hx_for(rng, source)
    if source == "fc" or "rib" in hx:
        hx = rng.choice(["Fall, chest wall pain. ?rib #.", "Chest wall trauma.", "Fracture clinic review."])
    cmp = rng.choice(["None.", "None available.", "None.", f"{date(rng)}.", f"CXR {date(rng)}.", "", ""])
    tech = ""
    if source == "ward":
        tech = rng.choice(["AP sitting, portable.", "Mobile AP film. Rotated to the right.", "AP supine.", ""])
    elif rng.random() < 0.15:
        tech = rng.choice(["PA erect.", "Single PA view.", "PA, good inspiration."])
    finds: list[dict] = []
    if force_sig:
        finds.append(make_finding(rng, force_sig))
    if force_minor:
        for k in force_minor:
            finds.append(make_finding(rng, k))
    if not force_sig and not force_minor:
        r = rng.random()
        if r < normal_p:
            pass
        elif r < normal_p + 0.25:
            finds.append(make_finding(rng, rng.choice(MINOR_KINDS)))
        else:
            finds.append(make_finding(rng, rng.choice(SIG_KINDS)))

        if finds and rng.random() < 0.25:
            extra = rng.choice(["spine", "pacemaker", "hernia", "granuloma"])
            if extra not in [f["kind"] for f in finds]:
                finds.append(make_finding(rng, extra, side=finds[0].get("side")))
    if "NGT" in hx:
        finds.append(make_finding(rng, "ngt"))
    if "central line" in hx:
        finds.append(make_finding(rng, "cvc"))
    # avoid clashing slots between findings (e.g. two pleura findings)
    seen_slots: set[str] = set()
    ok = []
    for fd in finds:
        if fd["slots"] & seen_slots:
            continue
        seen_slots |= fd["slots"]
        ok.append(fd)
    finds = ok
    fsents = compose_findings(rng, finds)
    isents = []
    sigs = [f for f in finds if f["sig"]]
    for fd in finds:
        if fd["i"] and (fd["sig"] or rng.random() < 0.5):
            isents.append(fd["i"])
    if not sigs:
        if finds:
            isents.append(rng.choice(IMP_NOACUTE))
        else:
            isents = [rng.choice(IMP_NORMAL)]
    return lay, hx, cmp, tech, finds, fsents, isents


def own_clean(rng: random.Random) -> tuple[str, str]:
    lay, hx, cmp, tech, finds, fs, is_ = compose_clean_parts(rng)
    if not finds and rng.random() < 0.08:
        # impression-only report that itself describes the film
        imp = rng.choice([
            "Heart size normal, lungs clear, no effusion or pneumothorax. Normal chest radiograph.",
            "Normal chest: heart not enlarged, clear lungs and pleural spaces.",
        ])
        return lay.render(hx, cmp, tech, None, imp), "impression-only report describing a normal film"
    return lay.render(hx, cmp, tech, " ".join(fs), " ".join(is_)), ""


def own_missing(rng: random.Random) -> tuple[str, str]:
    lay, hx, cmp, tech, finds, fs, is_ = compose_clean_parts(rng, normal_p=0.5)
    mode = rng.choices(["imp_blank", "imp_absent", "find_blank", "find_absent"], [40, 25, 25, 10])[0]
    if mode == "imp_blank":
        return lay.render(hx, cmp, tech, " ".join(fs), ""), f"{lay.h_i} header left with nothing after it"
    if mode == "imp_absent":
        return lay.render(hx, cmp, tech, " ".join(fs), None), "conclusion section missing; report ends after findings"
    imp = rng.choice(["No acute abnormality.", "No change.", "As above.", "No acute cardiopulmonary process.",
                      "Clinical details noted.", "See findings."])
    if mode == "find_blank":
        return (lay.render(hx, cmp, tech, "", imp),
                f"{lay.h_f} header left empty; conclusion '{imp}' does not describe the film")
    return lay.render(hx, cmp, tech, None, imp), f"no findings section; conclusion '{imp}' does not describe the film"


def _flip(text: str, side: str) -> str:
    o = other(side)

    def rep(m):
        w = m.group(0)
        return Side(o) if w[0].isupper() else o
    return re.sub(r"\b" + side + r"\b", rep, text, flags=re.I)


def own_laterality(rng: random.Random) -> tuple[str, str]:
    kind = rng.choice(["consolidation", "effusion_large", "pneumothorax", "nodule", "mass", "effusion_small",
                       "rib_fracture", "consolidation", "pneumothorax"])
    while True:
        lay, hx, cmp, tech, finds, fs, is_ = compose_clean_parts(rng, force_sig=None, force_minor=[kind])
        fd = finds[0]
        if fd["side"] and fd["i"]:
            break
    side = fd["side"]
    if fd["i"] not in is_:
        is_ = [fd["i"]] + [s for s in is_ if s not in IMP_NOACUTE]
    if rng.random() < 0.65:
        new_i = _flip(fd["i"], side)
        is_ = [new_i if s == fd["i"] else s for s in is_]
        detail = f"conclusion puts the {fd['word']} on the {other(side)}; findings say {side}"
    else:
        new_f = _flip(fd["f"], side)
        fs = [new_f if s == fd["f"] else s for s in fs]
        detail = f"findings put the {fd['word']} on the {other(side)}; conclusion says {side}"
    return lay.render(hx, cmp, tech, " ".join(fs), " ".join(is_)), detail


def own_negation(rng: random.Random) -> tuple[str, str]:
    mode = rng.choice(["imp_clear_vs_consol", "imp_affirms_effusion", "imp_heart_normal", "imp_affirms_ptx",
                       "imp_no_ptx", "imp_affirms_consol", "find_no_effusion_vs_large"])
    side = rng.choice(["right", "left"])
    if mode == "imp_clear_vs_consol":
        lay, hx, cmp, tech, finds, fs, is_ = compose_clean_parts(rng, force_sig="consolidation")
        imp = rng.choice(["Lungs are clear. No acute abnormality.", "Clear lungs.",
                          "No consolidation. No acute cardiopulmonary abnormality.", "Clear chest."])
        return lay.render(hx, cmp, tech, " ".join(fs), imp), f"findings describe consolidation; conclusion '{imp}'"
    if mode == "imp_heart_normal":
        lay, hx, cmp, tech, finds, fs, is_ = compose_clean_parts(rng, force_minor=["cardiomegaly"])
        imp = rng.choice(["Heart size normal. Lungs clear.", "Normal heart size. No acute abnormality.",
                          "Normal cardiac size and clear lungs."])
        return lay.render(hx, cmp, tech, " ".join(fs), imp), f"findings: enlarged heart; conclusion '{imp}'"
    if mode == "imp_no_ptx":
        lay, hx, cmp, tech, finds, fs, is_ = compose_clean_parts(rng, force_sig="pneumothorax")
        imp = rng.choice(["No pneumothorax. No acute abnormality.", "No pneumothorax seen.",
                          "No evidence of pneumothorax."])
        return lay.render(hx, cmp, tech, " ".join(fs), imp), f"findings describe a pneumothorax; conclusion '{imp}'"
    if mode == "find_no_effusion_vs_large":
        lay, hx, cmp, tech, finds, fs, is_ = compose_clean_parts(rng, force_sig="effusion_large")
        fs = [s for s in fs if s != finds[0]["f"]]
        fs.insert(min(2, len(fs)), rng.choice(["No pleural effusion.", "Costophrenic angles are clear."]))
        return (lay.render(hx, cmp, tech, " ".join(fs), " ".join(is_)),
                "findings say no pleural effusion; conclusion reports an effusion")
    lay, hx, cmp, tech, finds, fs, is_ = compose_clean_parts(rng, normal_p=1.0)
    if finds:
        return own_negation(rng)
    if mode == "imp_affirms_effusion":
        if not any(re.search(r"effusion|costophrenic|pleural spaces", s, re.I) for s in fs):
            fs.append("No pleural effusion.")
        imp = rng.choice([f"Small {side} pleural effusion.", f"{Side(side)} pleural effusion. Otherwise normal.",
                          f"Moderate {side} effusion; suggest ultrasound."])
    elif mode == "imp_affirms_ptx":
        if not any("pneumothorax" in s for s in fs):
            fs.append("No pneumothorax.")
        imp = rng.choice([f"Small {side} apical pneumothorax.", f"{Side(side)} pneumothorax. Discussed with ED."])
    else:
        if not any(re.search(r"consolidation|lungs are clear|clear lung|airspace", s, re.I) for s in fs):
            fs.insert(1, "No focal consolidation.")
        imp = rng.choice([f"{Side(side)} lower zone consolidation in keeping with LRTI.",
                          f"{Side(side)} basal pneumonia. Repeat CXR in 6 weeks."])
    return lay.render(hx, cmp, tech, " ".join(fs), imp), f"findings normal/negative; conclusion asserts '{imp}'"


def own_omits(rng: random.Random) -> tuple[str, str]:
    kind = rng.choice(SIG_KINDS + ["consolidation", "pneumothorax", "effusion_large"])
    extra = None
    if rng.random() < 0.35:
        extra = [rng.choice(["ngt", "pacemaker", "cardiomegaly_mild", "spine", "old_ribs", "hernia"])]
    lay, hx, cmp, tech, finds, fs, is_ = compose_clean_parts(rng, force_sig=kind, force_minor=extra)
    sig = finds[0]
    others = [f for f in finds[1:] if f["i"]]
    if others and rng.random() < 0.6:
        imp = " ".join(f["i"] for f in others)
        if rng.random() < 0.5:
            imp += " " + rng.choice(["Otherwise no acute abnormality.", "Nil else of note."])
    else:
        imp = rng.choice(["No acute abnormality.", "No acute cardiopulmonary abnormality.", "Normal chest radiograph.",
                          "No active disease.", "No significant abnormality.", "No acute findings."])
    detail = f"findings report {sig['kind']} ({sig['f']}); conclusion '{imp}'"
    return lay.render(hx, cmp, tech, " ".join(fs), imp), detail


PH_STYLES = ["[***]", "***", "[ ]", "[   ]", "[Select]", "<<>>", "[insert]", "[**]", "{ }", "[SIDE]", "[size]"]


def own_placeholder(rng: random.Random) -> tuple[str, str]:
    mode = rng.choice(["side", "size", "imp", "word", "cmp"])
    if mode in ("side", "size"):
        kind = rng.choice(["consolidation", "pneumothorax", "nodule", "effusion_large", "effusion_small"]) \
            if mode == "side" else rng.choice(["pneumothorax", "nodule", "mass"])
        lay, hx, cmp, tech, finds, fs, is_ = compose_clean_parts(rng, force_minor=[kind])
        fd = finds[0]
        ph = rng.choice(["[SIDE]", "[***]", "***", "[ ]", "[Select]"] if mode == "side"
                        else ["[size]", "[***]", "***", "[ ]", "xx"])
        if mode == "side":
            new = re.sub(r"\b(right|left)\b", ph, fd["f"], count=1, flags=re.I)
        else:
            if ph == "xx":
                ph = "[  ]"
            new = re.sub(r"\b\d+(\.\d+)?(?= ?(mm|cm))", ph, fd["f"], count=1)
        fs = [new if s == fd["f"] else s for s in fs]
        return lay.render(hx, cmp, tech, " ".join(fs), " ".join(is_)), f"findings field left unfilled: '{new}'"
    lay, hx, cmp, tech, finds, fs, is_ = compose_clean_parts(rng)
    ph = rng.choice(PH_STYLES[:9])
    if mode == "imp":
        imp = rng.choice([f"{ph}", f"No acute abnormality. {ph}", f"{' '.join(is_)} {ph}",
                          f"{ph} {' '.join(is_)}"])
        if imp.strip() == ph:
            fs_txt = " ".join(fs)
            return lay.render(hx, cmp, tech, fs_txt, ph), f"conclusion is an unfilled template field '{ph}'"
        return lay.render(hx, cmp, tech, " ".join(fs), imp), f"unfilled template field '{ph}' left in conclusion"
    if mode == "cmp":
        cmpt = rng.choice([f"Compared with {ph}.", f"CXR dated {ph}.", f"Previous film {ph}."])
        return lay.render(hx, cmpt, tech, " ".join(fs), " ".join(is_)), f"comparison date field left as '{ph}'"
    # word: replace a word in a normal sentence of findings
    idx = [k for k, s in enumerate(fs) if re.search(r"\b(normal|clear|enlarged|unremarkable)\b", s)]
    if not idx:
        fs.append(f"No {ph} abnormality.")
        return lay.render(hx, cmp, tech, " ".join(fs), " ".join(is_)), f"field left as '{ph}' in findings"
    k = rng.choice(idx)
    new = re.sub(r"\b(normal|clear|enlarged|unremarkable)\b", ph, fs[k], count=1)
    fs[k] = new
    return lay.render(hx, cmp, tech, " ".join(fs), " ".join(is_)), f"word replaced by unfilled field: '{new}'"


OWN = {
    None: own_clean,
    "missing_section": own_missing,
    "laterality_conflict": own_laterality,
    "negation_conflict": own_negation,
    "impression_omits_finding": own_omits,
    "placeholder": own_placeholder,
}


# ---------------------------------------------------------------------------------------------
# IU re-laid-out
# ---------------------------------------------------------------------------------------------

def iu_render(rng: random.Random, r: dict, findings: str | None = None, impression: str | None = None,
              f_blank: bool = False, i_blank: bool = False, cmp: str | None = None) -> str:
    src = rng.choices(["gp", "ed", "ward", "fc"], [45, 35, 15, 5])[0]
    lay = Layout(rng, src)
    hx = brit(r["indication"]) or ""
    c = brit(r["comparison"]) if cmp is None else cmp
    if c and re.fullmatch(r"none\.?", c, re.I):
        c = rng.choice(["None.", "None available."])
    f = brit(findings if findings is not None else r["findings"])
    i = brit(impression if impression is not None else r["impression"])
    fb = "" if f_blank else f
    ib = "" if i_blank else i
    if findings == "<absent>":
        fb = None
    if impression == "<absent>":
        ib = None
    return lay.render(hx, c, "", fb, ib)


def iu_case(rng: random.Random, kind: str | None, pools: dict, used: set) -> tuple[str, str, str]:
    def take(pool_names, pred=lambda r: True):
        cand = [r for p in pool_names for r in pools[p] if r["uid"] not in used and pred(r)]
        r = rng.choice(cand)
        used.add(r["uid"])
        return r

    if kind is None:
        r = take(["normal"] if rng.random() < 0.7 else ["abn"])
        return iu_render(rng, r), "", r["uid"]
    if kind == "missing_section":
        if rng.random() < 0.75:
            r = take(["normal", "abn"])
            absent = rng.random() < 0.4
            txt = iu_render(rng, r, impression="<absent>" if absent else None, i_blank=not absent)
            return txt, "impression/conclusion " + ("section removed" if absent else "emptied"), r["uid"]
        r = take(["normal"], lambda r: re.match(r"^(1\. )?no acute", r["impression"], re.I) is not None)
        absent = rng.random() < 0.3
        txt = iu_render(rng, r, findings="<absent>" if absent else None, f_blank=not absent)
        detail = "findings " + ("section removed" if absent else "emptied") + f"; conclusion '{r['impression']}'"
        return txt, detail, r["uid"]
    if kind == "laterality_conflict":
        r = take(["lat"])
        f, i = r["findings"], r["impression"]
        side = next(iter(sides(f)))
        kw = LAT_KW
        if rng.random() < 0.6:
            ss = sentences(i)
            k = next(k for k, s in enumerate(ss) if re.search(r"\b" + side + r"\b", s, re.I) and re.search(kw, s, re.I))
            ss[k] = _flip(ss[k], side)
            detail = f"impression sentence flipped to {other(side)}: '{ss[k]}'"
            return iu_render(rng, r, impression=" ".join(ss)), detail, r["uid"]
        ss = sentences(f)
        k = next(k for k, s in enumerate(ss) if re.search(r"\b" + side + r"\b", s, re.I) and re.search(kw, s, re.I))
        ss[k] = _flip(ss[k], side)
        detail = f"findings sentence flipped to {other(side)}: '{ss[k]}'"
        return iu_render(rng, r, findings=" ".join(ss)), detail, r["uid"]
    if kind == "negation_conflict":
        mode = rng.choice(["aff_eff", "aff_ptx", "aff_consol", "aff_card", "card_normal", "lungs_clear"])
        side = rng.choice(["right", "left"])
        if mode == "card_normal" and pools["neg_card"] and any(x["uid"] not in used for x in pools["neg_card"]):
            r = take(["neg_card"])
            imp = rng.choice(["Heart size normal. No acute cardiopulmonary abnormality.",
                              "Normal heart size. Lungs clear."])
            return iu_render(rng, r, impression=imp), f"findings: enlarged heart; impression '{imp}'", r["uid"]
        if mode == "lungs_clear" and any(x["uid"] not in used for x in pools["neg_lung"]):
            r = take(["neg_lung"])
            imp = rng.choice(["Lungs are clear. No acute abnormality.", "Clear lungs.", "The lungs are clear.",
                              "Clear lung fields. No acute cardiopulmonary abnormality."])
            return iu_render(rng, r, impression=imp), f"findings affirm airspace disease; impression '{imp}'", r["uid"]
        pats = {
            "aff_eff": r"\b(no|without) (evidence of )?(pleural )?effusion|\bno pneumothorax or (pleural )?effusion",
            "aff_ptx": r"\b(no|without) (evidence of |visible )?pneumothora",
            "aff_consol": r"no (focal )?(airspace|air space|consolidat|infiltrat)|lungs are clear|clear lungs",
            "aff_card": r"heart size (is )?(within )?normal|normal heart size|heart is normal in size|not enlarged|"
                        r"normal cardiac",
        }
        if mode not in pats:
            mode = rng.choice(list(pats))
        r = take(["normal"], lambda r: re.search(pats[mode], r["findings"], re.I) is not None
                 and not re.search(r"\b(large|significant|sizable|definite)\b", r["findings"], re.I))
        imp = {
            "aff_eff": rng.choice([f"Small {side} pleural effusion.", f"{Side(side)} pleural effusion."]),
            "aff_ptx": rng.choice([f"Small {side} apical pneumothorax.", f"{Side(side)} pneumothorax."]),
            "aff_consol": rng.choice([f"{Side(side)} lower zone consolidation.", f"{Side(side)} basal pneumonia."]),
            "aff_card": rng.choice(["Cardiomegaly.", "Enlarged heart. No acute pulmonary abnormality."]),
        }[mode]
        if rng.random() < 0.4 and "No acute" not in imp:
            imp = f"1. {imp} 2. Otherwise no acute abnormality."
        return iu_render(rng, r, impression=imp), f"findings negate it; impression asserts '{imp}'", r["uid"]
    if kind == "impression_omits_finding":
        r = take(["omit"])
        imp = rng.choice(["No acute cardiopulmonary abnormality.", "No acute abnormality.", "No active disease.",
                          "No acute findings.", "Normal chest radiograph."])
        return iu_render(rng, r, impression=imp), f"impression '{r['impression']}' replaced by '{imp}'", r["uid"]
    if kind == "placeholder":
        r = take(["normal", "abn"])
        f, i = r["findings"], r["impression"]
        target = rng.choice(["f", "f", "i"])
        src = f if target == "f" else i
        words = [m for m in re.finditer(
            r"\b(right|left|normal|clear|mild|small|acute|\d+(\.\d+)?)\b", src, re.I)]
        if not words:
            target, src = "f", f
            words = list(re.finditer(r"\b(heart|lungs|pleural|cardiac|no)\b", src, re.I))
        m = rng.choice(words)
        w = m.group(0).lower()
        if w in ("right", "left"):
            ph = rng.choice(["[SIDE]", "[***]", "***", "[ ]", "[Select]", "{ }"])
        elif w[0].isdigit():
            ph = rng.choice(["[size]", "[***]", "***", "[ ]", "[  ]"])
        else:
            ph = rng.choice(["[***]", "***", "[ ]", "[   ]", "[Select]", "<<>>", "[insert]", "[**]", "{ }"])
        new = src[:m.start()] + ph + src[m.end():]
        if target == "f":
            txt = iu_render(rng, r, findings=new)
        else:
            txt = iu_render(rng, r, impression=new)
        return txt, f"'{m.group(0)}' in {'findings' if target == 'f' else 'impression'} replaced by '{ph}'", r["uid"]
    raise ValueError(kind)


# ---------------------------------------------------------------------------------------------

def build(seed: int) -> list[dict]:
    """The 400 cases for a seed: id, injected, detail, report."""
    return build_with_sources(seed)[0]


def build_with_sources(seed: int) -> tuple[list[dict], list[str | None]]:
    """Cases plus, per case, the IU uid it was made from (None for composed ones)."""
    rng = random.Random(f"h92-{seed}")
    pools = iu_pools()
    used: set[str] = set()
    plan: list[tuple[str | None, str]] = []
    for kind, n in [(None, N_CLEAN)] + [(k, N_PER_KIND) for k in KINDS]:
        plan += [(kind, "own")] * (n // 2) + [(kind, "iu")] * (n - n // 2)
    rows = []
    for kind, origin in plan:
        if origin == "own":
            text, detail = OWN[kind](rng)
            uid = None
        else:
            text, detail, uid = iu_case(rng, kind, pools, used)
        rows.append({"injected": kind, "detail": detail, "report": text, "_uid": uid})
    rng.shuffle(rows)
    out = []
    for n, r in enumerate(rows):
        out.append({"id": f"h92-{seed}-{n}", "injected": r["injected"], "detail": r["detail"], "report": r["report"]})
    return out, [r["_uid"] for r in rows]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            sel = [r for r in rows if r["injected"] == kind][: a.show]
            for r in sel:
                print(f"===== {r['id']} {kind} :: {r['detail']}")
                print(r["report"])
                print()
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
