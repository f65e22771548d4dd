"""Held-out report-check set 114, written blind.

Setting: English NHS outsourced teleradiology reporting companies reading GP direct-access and
out-of-hours emergency chest films for many trusts. Reports are written by reporting
radiographers and consultant radiologists on company templates under trust-specific headers:
exam line, clinical details, comparison, technique, findings, conclusion/impression/opinion and
sign-off lines, in British spelling and the usual UK shorthand (3/52, ?LRTI, 2WW, CTR, zones).

400 cases: 200 clean and 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder. Half of each group is composed from a phrase bank of
this setting; the other half are real IU (Open-i) reports, never one whose uid is in the dev set,
re-laid-out under the setting's headers and lightly re-worded (British spelling, UK phrasing).

    python -m bench.make_heldout114 OUT.jsonl --seed S [--show N]

Each output line: {"id", "injected", "detail", "report"}. Standard library only.
"""
# ruff: noqa: E501  (phrase-bank sentences are kept whole on one line)

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tarfile
from pathlib import Path

KINDS = (
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
)
N_CLEAN = 200
N_PER_KIND = 40

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


def reports_tgz() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_jsonl() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# ---------------------------------------------------------------------------
# Real IU reports
# ---------------------------------------------------------------------------

_CACHE: dict = {}

_ABS = re.compile(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', re.S)
_UID = re.compile(r'<uId id="([^"]+)"')
_MAJOR = re.compile(r"<major>(.*?)</major>", re.S)


def dev_uids() -> set[str]:
    out = set()
    with open(dev_jsonl(), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


def load_iu() -> list[dict]:
    """All IU reports (one pass over the archive), cached per process."""
    if "iu" in _CACHE:
        return _CACHE["iu"]
    rows = []
    with tarfile.open(reports_tgz(), "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            txt = tf.extractfile(m).read().decode("utf-8", "replace")
            u = _UID.search(txt)
            if not u:
                continue
            sec = {k: " ".join(v.split()) for k, v in _ABS.findall(txt)}
            rows.append(
                {
                    "uid": u.group(1),
                    "indication": sec.get("INDICATION", ""),
                    "comparison": sec.get("COMPARISON", ""),
                    "findings": sec.get("FINDINGS", ""),
                    "impression": sec.get("IMPRESSION", ""),
                    "major": [x.strip() for x in _MAJOR.findall(txt)],
                }
            )
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _CACHE["iu"] = rows
    return rows


_SPELL = [
    (r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"\bhemorrhag", "haemorrhag"),
    (r"\bhemothorax", "haemothorax"), (r"\besophag", "oesophag"), (r"\bEsophag", "Oesophag"),
    (r"\banemia", "anaemia"), (r"centimeter", "centimetre"), (r"millimeter", "millimetre"),
    (r"\bcolor", "colour"), (r"isualized", "isualised"), (r"ocalized", "ocalised"),
    (r"haracterized", "haracterised"), (r"ecognized", "ecognised"), (r"\btumor", "tumour"),
    (r"ischemi", "ischaemi"), (r"\bfavor", "favour"), (r"\bleukemia", "leukaemia"),
    (r"\bhiatal hernia", "hiatus hernia"), (r"\bHiatal hernia", "Hiatus hernia"),
    (r"[Cc]hest x-XXXX", "chest radiograph"), (r"[Cc]hest x-ray", "chest radiograph"),
    (r"\bx-ray", "radiograph"), (r"\bX-ray", "Radiograph"), (r"\bpostoperative", "post-operative"),
    (r"\bsulcus", "sulcus"), (r"\bhyperexpan", "hyperexpan"), (r"\bdistention", "distension"),
    (r"\bAP view", "AP film"), (r"\bgray\b", "grey"), (r"\b[Ff]ollowup", "follow-up"),
    (r"(\w)ization", r"\1isation"), (r"\bmidlung\b", "mid zone"), (r"\b([Bb]i)?basilar\b", r"\1basal"),
    (r"\bBasilar\b", "Basal"), (r"\bpneumothoraces\b", "pneumothoraces"),
]

_REWORD = [
    (r"No acute cardiopulmonary (?:abnormality|disease|process|findings?)\.?",
     ["No acute cardiopulmonary abnormality.", "No acute abnormality seen.",
      "No acute cardiopulmonary abnormality identified."]),
    (r"Normal chest\.?$", ["Normal chest radiograph."]),
    (r"[Nn]o focal airspace disease",
     ["no focal airspace opacification", "no focal consolidation"]),
    (r"[Tt]he cardiomediastinal silhouette is (?:within normal limits|normal)(?: (?:in|for) size and (?:contour|configuration))?",
     ["Heart size and mediastinal contours are within normal limits",
      "The cardiomediastinal contours are normal"]),
    (r"[Nn]o pneumothorax or (?:pleural )?effusion", ["no pneumothorax or pleural effusion"]),
    (r"[Nn]o acute bony abnormalit(?:y|ies)", ["no acute bony injury", "no acute bony abnormality"]),
]


def _brit(text: str, rng: random.Random) -> str:
    t = text
    t = re.sub(r"\.\s*\.+", ".", t)
    for pat, rep in _SPELL:
        t = re.sub(pat, rep, t)
    for pat, reps in _REWORD:
        if re.search(pat, t) and rng.random() < 0.7:
            rep = rng.choice(reps)

            def _sub(m, rep=rep):
                s = rep
                if m.group(0)[:1].isupper():
                    s = s[:1].upper() + s[1:]
                else:
                    s = s[:1].lower() + s[1:]
                return s

            t = re.sub(pat, _sub, t, count=1)
    return t.strip()


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;])\s+|\s+(?=\d\.\s)", text) if s.strip()]


_NEG = re.compile(
    r"\b(no|not|without|negative|free of|clear of|resolved|resolution|resolving|improved|improving|"
    r"decreased|decreasing|interval|previously|prior|stable|unchanged|chronic|old|healed|scar|"
    r"scarring|may|might|could|possible|possibly|questionable|versus|vs|cannot|can't|suspect|"
    r"suggest|vs\.|difficult|trace|tiny|minimal|small|subtle|mild|minimally|atelectasis or|or atelectasis|"
    r"granuloma|exclude|excluded|compatible with prior|history|clearing|cleared|clear|evaluation|limits|"
    r"limited|known|breast|vague|secondary|or|likely|probable|probably|consider|atelectasis|XXXX|"
    r"developing|early|residual|persistent|persists|nipple|similar|again)\b|/",
    re.I,
)
_SIG = {
    "pneumothorax": re.compile(r"\bpneumothora(?:x|ces)\b", re.I),
    "consolidation": re.compile(r"\b(consolidation|airspace disease|airspace opacit\w*|pneumonia|infiltrate)\b", re.I),
    "oedema": re.compile(r"\b(oedema|pulmonary (?:vascular )?congestion|vascular congestion)\b", re.I),
    "effusion": re.compile(r"\b(pleural effusions?|effusions?)\b", re.I),
    "mass": re.compile(r"\bmass\b", re.I),
}


def sig_affirmed(findings: str) -> list[tuple[str, str]]:
    """(category, sentence) for significant findings affirmed outright (no hedge or negation)."""
    out = []
    for s in _sentences(findings):
        for cat, rx in _SIG.items():
            if rx.search(s) and not _NEG.search(s):
                out.append((cat, s))
    return out


_ANYSIG = re.compile(
    r"pneumothora|effusion|consolidat|airspace|pneumonia|infiltrat|oedema|edema|congestion|mass|"
    r"nodul|opacit|atelecta|collapse|cardiomegaly|enlarged|fracture|widen|free air|"
    r"pneumoperitoneum|increas|new\b|worse|concern|suspicious|neoplas|malignan|lesion|"
    r"catheter|tube|line\b|\?|\[|\*|__",
    re.I,
)
_BENIGN_MAJOR = (
    "normal", "Calcified Granuloma", "Granulomatous Disease", "Thoracic Vertebrae", "Spine",
    "Spondylosis", "Osteophyte", "Calcinosis", "Atherosclerosis", "Aorta", "Aorta, Thoracic",
    "Cicatrix", "Scoliosis", "Kyphosis", "Emphysema", "Pulmonary Disease, Chronic Obstructive",
    "Hernia, Hiatal", "Arthritis", "Granuloma", "Pulmonary Emphysema", "Lung",
)


def _benign(r: dict) -> bool:
    for m in r["major"]:
        head = m.split("/")[0].strip()
        if head == "Lung" and not re.search(r"hyperdistention|hypoinflation", m, re.I):
            return False
        if head not in _BENIGN_MAJOR:
            return False
    return True


_SIDE = re.compile(r"\b(left|right)\b", re.I)
_SIDE_SKIP = re.compile(r"right (heart|atri|ventric)|left (heart|atri|ventric)|right-sided heart", re.I)
_LAT_WORDS = (
    "effusion", "pneumothorax", "opacit", "consolidat", "airspace", "atelecta", "nodul", "granuloma",
    "infiltrat", "pneumonia", "catheter", "picc", "hemidiaphragm", "lobe", "base", "basilar", "basal",
    "apex", "apical", "mass", "fracture", "rib", "tube", "port", "jugular", "hilar", "hilum",
    "costophrenic", "density", "scar", "lung",
)


def _sides(text: str) -> set[str]:
    return {m.lower() for m in _SIDE.findall(text)}


def _lat_keys(text: str) -> set[str]:
    lo = text.lower()
    return {w for w in _LAT_WORDS if w in lo}


def _uid_num(uid: str) -> int:
    return int(re.sub(r"\D", "", uid) or 0)


def real_pools() -> dict[str, list[dict]]:
    """Candidate real reports for each role (deterministic, independent of the seed)."""
    if "pools" in _CACHE:
        return _CACHE["pools"]
    dev = dev_uids()
    pools: dict[str, list[dict]] = {k: [] for k in ("clean", "lat", "neg_a", "neg_b", "omit", "any_sig")}
    for r in load_iu():
        if r["uid"] in dev:
            continue
        f, i = r["findings"], r["impression"]
        if len(f) < 40 or len(i) < 8:
            continue
        if re.search(r"\[|\*\*|__|<|>|\{", f + i):
            continue
        sig = sig_affirmed(f)
        fs, is_ = _sides(f), _sides(i)
        # clean: normal or benign-only labels, nothing significant in either section
        if _benign(r) and not sig and not _ANYSIG.search(i) and not _SIG["pneumothorax"].search(
            " ".join(s for s in _sentences(f) if not re.search(r"\bno\b|without", s, re.I))
        ):
            if not (fs and is_ and not (fs & is_)):
                pools["clean"].append(r)
        # laterality: one side only in the whole report, in both sections, sharing a finding word
        if len(fs | is_) == 1 and fs and is_ and not _SIDE_SKIP.search(f + " " + i):
            side_f = " ".join(s for s in _sentences(f) if _SIDE.search(s))
            side_i = " ".join(s for s in _sentences(i) if _SIDE.search(s))
            neg_i = any(re.search(r"\bno\b|without|resolved", s, re.I)
                        for s in _sentences(i) if _SIDE.search(s))
            if not neg_i and (_lat_keys(side_f) & _lat_keys(side_i)) and not re.search(
                    r"\bbilateral|\bboth\b", f + " " + i, re.I):
                pools["lat"].append(r)
        # omission / reverse negation: findings affirm a significant finding outright
        if sig and len(i) < 400:
            pools["any_sig"].append(r)
            big = [c for c, sn in sig if c != "effusion" or re.search(r"moderate|large|increas|recurr", sn, re.I)]
            if big:
                pools["omit"].append(r)
        # negation (impression asserts what findings negate): normal reports
        if "normal" in [m.split("/")[0] for m in r["major"]] and len(r["major"]) == 1:
            pools["neg_a"].append(r)
    pools["neg_b"] = [r for r in pools["any_sig"]
                      if {c for c, _ in sig_affirmed(r["findings"])} & {"pneumothorax", "effusion", "consolidation"}]
    _CACHE["pools"] = pools
    return pools


# ---------------------------------------------------------------------------
# Setting: headers, sign-offs, layouts
# ---------------------------------------------------------------------------

TRUSTS = [
    "Mid Wessex Hospitals NHS Foundation Trust", "North Pennine Acute Hospitals NHS Trust",
    "Severnside University Hospitals NHS Trust", "East Fenland Healthcare NHS Trust",
    "Calder and Aire Valley Hospitals NHS Foundation Trust", "South Downs Community and Acute NHS Trust",
    "Tamar and Exe Hospitals NHS Trust", "Trent Vale Teaching Hospitals NHS Foundation Trust",
    "Royal Borough Hospitals NHS Trust", "Humber Estuary Acute NHS Trust",
]
COMPANIES = [
    "Northgate Teleradiology Ltd", "Meridian Imaging Services", "Radiance Remote Reporting",
    "Pennine Reporting Partnership", "ClearView Teleradiology", "Atlas Imaging Reporting LLP",
]
CONSULTANTS = [
    "Dr A. Patel", "Dr S. Okafor", "Dr R. Whitmore", "Dr H. McAllister", "Dr J. Chaudhry",
    "Dr E. Lindqvist", "Dr P. O'Donnell", "Dr M. Rahman", "Dr C. Ferreira", "Dr L. Ashworth",
]
RADIOGRAPHERS = [
    "Karen Holt", "Daniel Pryce", "Sian Morgan", "Tom Beckett", "Aisha Begum", "Gareth Lloyd",
    "Fiona Strachan", "Wei Chen",
]
GP_HISTORY = [
    "Cough 3/52, not resolving with antibiotics. ?LRTI.", "Productive cough 6/52. Ex-smoker 30 pack years.",
    "SOB on exertion. ?CCF.", "Persistent cough, smoker. 2WW lung.", "Haemoptysis x2. Smoker. ?CA.",
    "Chest pain, musculoskeletal? Reassurance.", "Weight loss and fatigue. Raised platelets.",
    "Recurrent chest infections. COPD.", "Hoarse voice 4/52.", "Post-COVID follow-up, ongoing breathlessness.",
    "Follow-up of LLZ pneumonia treated 6/52 ago.", "Asthma, worsening wheeze.", "Pleuritic chest pain L side.",
    "Night sweats, cough. Travel to Pakistan.", "Abnormal spirometry.", "Routine pre-employment screen.",
    "Known COPD, increasing SOB.", "Raised inflammatory markers, no focus.",
]
OOH_HISTORY = [
    "SOB, pyrexial, CRP 180. ?pneumonia.", "Central chest pain, trop negative. ?cause.",
    "Fall, L rib pain. ?#.", "Sudden onset pleuritic pain and SOB. ?PTX.", "Tachypnoeic, sats 89% RA. ?infection.",
    "Collapse, ?aspiration.", "Bilateral leg oedema, orthopnoea. ?LVF.", "Fever and rigors. Sepsis ?source.",
    "Chest pain radiating to back. ?dissection.", "Abdominal pain, peritonitic. ?perforation.",
    "Haemoptysis. Anticoagulated.", "Known lung CA, increasing SOB.", "Cough and fever 5/7. COVID negative.",
    "RTC, seatbelt injury. Chest pain.", "Alcohol excess, vomiting. ?aspiration.",
]
EXAMS = ["XR Chest PA", "XR CHEST", "CXR PA", "Chest X-ray (PA)", "XR Chest AP (mobile)",
         "XR Thorax PA", "Chest radiograph PA erect"]
FIND_H = ["Findings:", "FINDINGS:", "Report:", "Findings", "REPORT:"]
IMP_H = ["Conclusion:", "Impression:", "Opinion:", "CONCLUSION:", "IMPRESSION:", "Summary:", "OPINION:"]


def _date(rng: random.Random, year: int | None = None) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year or rng.choice([2022, 2023, 2024])}"


class Ctx:
    """Per-report template context (trust header, referrer, reporter)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.trust = rng.choice(TRUSTS)
        self.company = rng.choice(COMPANIES)
        self.ooh = rng.random() < 0.45
        self.exam = rng.choice(EXAMS[:4] + EXAMS[5:]) if not self.ooh else rng.choice(EXAMS)
        self.layout = rng.choice("ABCDE")
        self.find_h = rng.choice(FIND_H)
        self.imp_h = rng.choice(IMP_H)
        self.inline = rng.random() < 0.5
        self.rad = rng.random() < 0.35
        self.history = rng.choice(OOH_HISTORY if self.ooh else GP_HISTORY)
        self.exam_date = _date(rng, 2024)
        self.comparison = rng.choice(
            ["None.", "None available.", "No previous imaging on PACS.",
             f"CXR {_date(rng, 2023)}.", f"Previous chest radiograph {_date(rng, rng.choice([2019, 2021, 2023]))}.",
             "None.", "Nil relevant.", f"{_date(rng, 2022)} (PACS)."]
        )
        self.technique = rng.choice(["PA erect.", "PA.", "", "", "PA inspiration."])
        if "AP" in self.exam:
            self.technique = rng.choice(["AP erect (mobile).", "AP sitting, portable.", ""])

    def signoff(self) -> str:
        rng = self.rng
        if self.rad:
            who = rng.choice(RADIOGRAPHERS)
            line = rng.choice([
                f"Reported by: {who}, Reporting Radiographer (HCPC RA{rng.randint(10000, 99999)})",
                f"{who}\nConsultant Reporting Radiographer",
                f"Reported by {who}, Advanced Practitioner (Chest Reporting)",
            ])
        else:
            who = rng.choice(CONSULTANTS)
            line = rng.choice([
                f"Reported by: {who}, Consultant Radiologist (GMC {rng.randint(4000000, 7999999)})",
                f"{who} FRCR\nConsultant Radiologist",
                f"Electronically signed by {who}, Consultant Radiologist, {self.exam_date}",
                f"Dictated and verified by {who}, Consultant Radiologist",
            ])
        tail = rng.choice([
            "", "", f"This report was produced by {self.company} on behalf of {self.trust}.",
            f"Reported remotely for {self.trust} by {self.company}. Queries: reporting helpdesk 0333 {rng.randint(100, 999)} {rng.randint(1000, 9999)}.",
            "Images reviewed on the trust PACS.",
        ])
        return line + ("\n" + tail if tail else "")

    def need_prior(self) -> None:
        """A report that compares with a previous film must name one."""
        if not re.search(r"\d{2}/\d{2}/\d{4}", self.comparison):
            self.comparison = self.rng.choice([f"CXR {_date(self.rng, 2023)}.", f"Previous film {_date(self.rng, 2022)}."])

    def render(self, history: str | None, comparison: str | None, findings: str | None,
               impression: str | None, *, find_header: bool = True, imp_header: bool = True) -> str:
        """Lay out a report. None drops a section's body; header flags drop its header too."""
        rng = self.rng
        hist = self.history if history is None else history
        comp = self.comparison if comparison is None else comparison
        out = []
        lay = self.layout
        if lay == "A":
            out.append(self.trust)
            out.append(f"Examination: {self.exam}    Date: {self.exam_date}")
            out.append("Referral: " + ("ED (out of hours)" if self.ooh else "GP direct access"))
            out.append(f"Clinical details: {hist}")
            out.append(f"Comparison: {comp}")
        elif lay == "B":
            out.append(self.exam.upper())
            out.append(f"CLINICAL INFORMATION: {hist}")
            out.append(f"COMPARISON: {comp}")
            if self.technique:
                out.append(f"TECHNIQUE: {self.technique}")
        elif lay == "C":
            out.append(f"{self.trust} - Radiology Report")
            out.append(f"Exam: {self.exam}")
            out.append(f"Clinical indication: {hist}")
            out.append(f"Previous: {comp}")
        elif lay == "D":
            out.append(f"{self.exam}, {self.exam_date}")
            out.append(f"History: {hist}")
            out.append(f"Comparison: {comp}")
            if self.technique:
                out.append(f"Technique: {self.technique}")
        else:
            out.append(f"Procedure: {self.exam}")
            out.append(f"Clinical history: {hist}")
            out.append(f"Comparison: {comp}")
        head = "\n".join(out)
        parts = [head]

        def sec(h: str, body: str | None, keep_header: bool) -> None:
            if not keep_header:
                if body:
                    parts.append(body)
                return
            if body is None or body == "":
                parts.append(h)
            elif self.inline:
                hh = h if h.endswith(":") else h + ":"
                parts.append(f"{hh} {body}")
            else:
                parts.append(f"{h}\n{body}")

        if findings is not None or find_header:
            sec(self.find_h, findings, find_header)
        if impression is not None or imp_header:
            sec(self.imp_h, impression, imp_header)
        parts.append(self.signoff())
        del rng
        return "\n\n".join(p for p in parts if p is not None)


# ---------------------------------------------------------------------------
# Phrase bank
# ---------------------------------------------------------------------------

NORMAL = {
    "heart": ["Heart size is normal.", "The heart is not enlarged.", "Normal cardiac size.",
              "Heart size within normal limits.", "CTR normal."],
    "medi": ["Mediastinal and hilar contours are unremarkable.", "Normal mediastinal contours.",
             "Hila are normal in size and position.", "The mediastinum is central and not widened."],
    "lungs": ["The lungs are clear.", "Lungs clear.", "No focal consolidation, collapse or mass.",
              "Clear lungs with no focal consolidation.", "No focal lung lesion or consolidation."],
    "pleura": ["No pleural effusion or pneumothorax.", "Costophrenic angles are clear. No pneumothorax.",
               "No effusion. No pneumothorax.", "No pleural abnormality."],
    "bones": ["No acute bony abnormality.", "Visualised bones are unremarkable.",
              "No displaced rib fracture identified.", "Bony structures intact."],
    "diaph": ["Hemidiaphragms are normally outlined.", "Normal diaphragmatic contours.",
              "No free subdiaphragmatic gas."],
}
NORMAL_IMP = ["Normal chest radiograph.", "No acute cardiopulmonary abnormality.", "No significant abnormality.",
              "Normal chest.", "No acute abnormality demonstrated.", "No active lung disease.",
              "No abnormality detected."]
GENERIC_IMP = ["No acute abnormality.", "No acute cardiopulmonary abnormality.", "No acute findings.",
               "No active disease.", "No acute process seen."]
OMIT_IMP = ["No acute abnormality.", "Normal chest radiograph.", "No significant abnormality.",
            "No acute cardiopulmonary abnormality.", "Normal appearances.", "No active disease.",
            "Unremarkable chest radiograph.", "No acute findings. No further imaging required."]
ZONES = ["lower zone", "mid zone", "upper zone", "base", "lower zone", "mid and lower zones"]
OPP = {"left": "right", "right": "left"}


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _item(rng: random.Random, key: str, side: str | None = None) -> dict:
    """One abnormal finding: findings sentence, impression phrase, what it displaces, flags."""
    side = side or rng.choice(["left", "right"])
    S = _cap(side)
    if key == "consol":
        zone = rng.choice(ZONES)
        zadj = {"base": "basal"}.get(zone, zone)
        f = rng.choice([
            f"Patchy airspace opacification in the {side} {zone}, in keeping with consolidation.",
            f"There is consolidation in the {side} {zone} with air bronchograms.",
            f"Ill-defined airspace shadowing at the {side} {zone}, consistent with consolidation.",
            f"New dense consolidation in the {side} {zone}.",
        ])
        i = rng.choice([
            f"{S} {zadj} consolidation in keeping with infection in the given clinical context. Suggest repeat CXR in 6 weeks following treatment to ensure resolution.",
            f"{S} {zadj} consolidation, likely pneumonia.",
            f"Consolidation {side} {zone} consistent with LRTI. Follow-up radiograph at 6 weeks recommended.",
        ])
        return dict(key=key, side=side, f=f, i=i, drop={"lungs"}, extra="Lungs otherwise clear.",
                    sig=True, must=True, neg_imp=rng.choice(["The lungs are clear.", "Clear lungs. No consolidation."]),
                    label="consolidation", opp_i=None, zone=zone)
    if key == "eff_big":
        size = rng.choice(["moderate", "large", "moderate-sized"])
        f = rng.choice([
            f"There is a {size} {side} pleural effusion with adjacent basal atelectasis.",
            f"{_cap(size)} {side} pleural effusion obscuring the {side} hemidiaphragm.",
            f"Increasing {side} pleural effusion since the previous film, now {size}.",
        ])
        i = rng.choice([f"{_cap(size)} {side} pleural effusion.",
                        f"{_cap(size)} {side} pleural effusion. Suggest clinical correlation and ultrasound if aspiration considered."])
        return dict(key=key, side=side, f=f, i=i, drop={"pleura"}, extra="No pneumothorax.", sig=True,
                    must=True, neg_imp=rng.choice(["No pleural effusion.", "No effusion."]),
                    label=f"{size} pleural effusion")
    if key == "eff_small":
        f = rng.choice([f"Small {side} pleural effusion.",
                        f"Blunting of the {side} costophrenic angle in keeping with a small effusion.",
                        f"Trace {side} pleural fluid."])
        i = f"Small {side} pleural effusion."
        return dict(key=key, side=side, f=f, i=i, drop={"pleura"}, extra="No pneumothorax.", sig=False,
                    must=False, neg_imp="No pleural effusion.", label="small pleural effusion")
    if key == "ptx":
        cm = rng.choice(["1.5", "2", "2.5", "1", "3"])
        f = rng.choice([
            f"There is a {side} pneumothorax with a rim of {cm} cm at the level of the hilum. No mediastinal shift.",
            f"{S} apical pneumothorax, apex-to-cupola distance {cm} cm.",
            f"A visceral pleural line is seen at the {side} apex consistent with a pneumothorax ({cm} cm).",
        ])
        i = rng.choice([
            f"{S} pneumothorax ({cm} cm at the hilum). Urgent finding communicated to the ED team.",
            f"{S} apical pneumothorax. Referring clinician informed by telephone.",
            f"{S}-sided pneumothorax.",
        ])
        return dict(key=key, side=side, f=f, i=i, drop={"pleura"}, extra="No pleural effusion.", sig=True,
                    must=True, neg_imp="No pneumothorax.", label="pneumothorax")
    if key == "nodule":
        mm = rng.choice([7, 8, 10, 12, 14, 15, 18])
        zone = rng.choice(["mid zone", "upper zone", "lower zone"])
        f = rng.choice([f"{mm} mm rounded nodular opacity projected over the {side} {zone}.",
                        f"There is a {mm} mm pulmonary nodule in the {side} {zone}.",
                        f"Well-defined {mm} mm nodule in the {side} {zone}, not clearly a nipple shadow."])
        i = rng.choice([f"{mm} mm {side} {zone} nodule. Recommend CT chest for further assessment.",
                        f"{S} {zone} pulmonary nodule ({mm} mm). CT thorax advised."])
        return dict(key=key, side=side, f=f, i=i, drop={"lungs"}, extra="Lungs otherwise clear.", sig=True,
                    must=True, neg_imp=None, label=f"{mm} mm nodule")
    if key == "mass":
        cm = rng.choice(["3", "4", "4.5", "5", "6"])
        where = rng.choice(["hilar region", "upper zone", "perihilar region"])
        f = rng.choice([f"There is a {cm} cm lobulated mass in the {side} {where}.",
                        f"{cm} cm soft tissue mass projected over the {side} {where}."])
        i = rng.choice([f"{S} {where} mass, suspicious for malignancy. Urgent CT chest advised (lung cancer pathway).",
                        f"{cm} cm {side} {where} mass. Suggest CT thorax with contrast urgently."])
        return dict(key=key, side=side, f=f, i=i, drop={"lungs", "medi"}, extra="Lungs otherwise clear.", sig=True,
                    must=True, neg_imp=None, label="mass")
    if key == "oedema":
        f = rng.choice([
            "Upper lobe venous diversion with bilateral perihilar haziness and septal lines, in keeping with interstitial oedema.",
            "Bilateral perihilar airspace shadowing with Kerley B lines, consistent with pulmonary oedema.",
            "Pulmonary venous congestion with peribronchial cuffing and small bilateral effusions.",
        ])
        i = rng.choice(["Features of pulmonary oedema / fluid overload.", "Appearances in keeping with cardiac failure.",
                        "Pulmonary oedema."])
        return dict(key=key, side=None, f=f, i=i, drop={"lungs", "pleura"}, extra="No pneumothorax.", sig=True,
                    must=True, neg_imp="No pulmonary oedema.", label="pulmonary oedema")
    if key == "widemed":
        f = rng.choice(["The superior mediastinum is widened, measuring 9 cm at the level of the aortic knuckle.",
                        "Widened mediastinum with loss of the aortic knuckle contour."])
        i = rng.choice(["Widened mediastinum. Given the history, urgent CT aortogram is advised. Discussed with the ED registrar.",
                        "Mediastinal widening - CT recommended to exclude aortic pathology."])
        return dict(key=key, side=None, f=f, i=i, drop={"medi"}, extra="", sig=True, must=True,
                    neg_imp="Mediastinum not widened.", label="widened mediastinum")
    if key == "freeair":
        f = rng.choice(["There is free gas beneath the right hemidiaphragm.",
                        "Free subdiaphragmatic gas is seen under both hemidiaphragms."])
        i = rng.choice(["Pneumoperitoneum. Urgent surgical review; result phoned to the ED.",
                        "Free intraperitoneal gas consistent with a perforated viscus."])
        return dict(key=key, side=None, f=f, i=i, drop={"diaph"}, extra="", sig=True, must=True,
                    neg_imp="No free subdiaphragmatic gas.", label="free subdiaphragmatic gas")
    if key == "cardio":
        ctr = rng.choice(["0.6", "0.62", "0.65"])
        f = rng.choice([f"The heart is enlarged (CTR {ctr}).", f"Cardiomegaly, CTR {ctr} on this PA film."])
        i = rng.choice(["Cardiomegaly.", "Cardiomegaly. No pulmonary oedema."])
        return dict(key=key, side=None, f=f, i=i, drop={"heart"}, extra="", sig=False, must=True,
                    neg_imp="Normal heart size.", label="cardiomegaly")
    if key == "cardio_mild":
        f = rng.choice(["Borderline cardiac size.", "The heart is mildly enlarged, CTR approximately 0.55.",
                        "Mild cardiomegaly, unchanged from the previous film."])
        i = "Mild cardiomegaly."
        return dict(key=key, side=None, f=f, i=i, drop={"heart"}, extra="", sig=False, must=False,
                    neg_imp="Normal heart size.", label="mild cardiomegaly")
    if key == "copd":
        f = rng.choice(["Hyperexpanded lungs with flattened hemidiaphragms, in keeping with COPD.",
                        "The lungs are hyperinflated with attenuated peripheral vascular markings (emphysema)."])
        i = rng.choice(["Hyperexpansion consistent with COPD. No acute change.", "Emphysematous change."])
        return dict(key=key, side=None, f=f, i=i, drop={"diaph"}, extra="", sig=False, must=False,
                    neg_imp=None, label="hyperinflation")
    if key == "granuloma":
        f = f"Small calcified granuloma in the {side} {rng.choice(['upper', 'mid'])} zone."
        return dict(key=key, side=side, f=f, i="Old granulomatous disease.", drop=set(), extra="", sig=False,
                    must=False, neg_imp=None, label="granuloma")
    if key == "ribs":
        a = rng.randint(4, 8)
        f = f"Old healed fractures of the {side} {a}th and {a + 1}th ribs laterally."
        return dict(key=key, side=side, f=f, i=f"Old {side} rib fractures.", drop={"bones"}, extra="", sig=False,
                    must=False, neg_imp=None, label="old rib fractures")
    if key == "spine":
        f = rng.choice(["Degenerative changes in the thoracic spine.", "Mild thoracic spondylosis.",
                        "Degenerative changes of both shoulder joints."])
        return dict(key=key, side=None, f=f, i="Degenerative changes.", drop={"bones"}, extra="", sig=False,
                    must=False, neg_imp=None, label="degenerative change")
    if key == "aorta":
        f = rng.choice(["Unfolded thoracic aorta.", "Calcification of the aortic knuckle."])
        return dict(key=key, side=None, f=f, i="Unfolded aorta.", drop={"medi"}, extra="", sig=False,
                    must=False, neg_imp=None, label="unfolded aorta")
    if key == "hiatus":
        f = "Retrocardiac air-fluid level in keeping with a hiatus hernia."
        return dict(key=key, side=None, f=f, i="Hiatus hernia.", drop=set(), extra="", sig=False,
                    must=False, neg_imp=None, label="hiatus hernia")
    if key == "atel":
        f = rng.choice([f"Linear atelectasis at the {side} base.", f"Minor {side} basal atelectasis.",
                        "Bibasal subsegmental atelectasis."])
        return dict(key=key, side=side, f=f, i="Minor basal atelectasis.", drop={"lungs"}, extra="Lungs otherwise clear.", sig=False,
                    must=False, neg_imp=None, label="atelectasis")
    if key == "pacer":
        f = rng.choice(["Left-sided dual-chamber pacemaker with leads in satisfactory position.",
                        "Left pectoral loop recorder noted."])
        return dict(key=key, side=None, f=f, i="Cardiac device in situ.", drop=set(), extra="", sig=False,
                    must=False, neg_imp=None, label="cardiac device")
    if key == "collapse":
        f = "Triangular retrocardiac opacity with loss of the medial left hemidiaphragm outline, in keeping with left lower lobe collapse."
        return dict(key=key, side="left", f=f, i="Left lower lobe collapse. Suggest follow-up to resolution; consider CT if persistent.",
                    drop={"diaph"}, extra="", sig=False, must=True, neg_imp=None, label="LLL collapse")
    raise KeyError(key)


MINOR_KEYS = ["copd", "granuloma", "ribs", "spine", "aorta", "hiatus", "atel", "pacer", "cardio_mild",
              "eff_small"]
MINOR_W = [5, 3, 2, 4, 3, 1, 2, 1, 3, 2]
SIG_KEYS_GP = ["consol", "consol", "nodule", "mass", "eff_big", "oedema", "consol"]
SIG_KEYS_OOH = ["consol", "consol", "ptx", "eff_big", "oedema", "oedema", "widemed", "freeair", "consol"]


def _normals(rng: random.Random, drop: set[str], ctx: Ctx) -> list[tuple[str, str]]:
    keys = ["heart", "medi", "lungs", "pleura", "bones"]
    if ctx.ooh and rng.random() < 0.3:
        keys.append("diaph")
    if rng.random() < 0.3:
        keys.remove("bones")
    if rng.random() < 0.2:
        keys.remove("medi")
    return [(k, rng.choice(NORMAL[k])) for k in keys if k not in drop]


def _findings_text(rng: random.Random, ctx: Ctx, items: list[dict]) -> tuple[str, list[tuple[str, str]]]:
    drop = set()
    for it in items:
        drop |= it["drop"]
    norms = _normals(rng, drop, ctx)
    if any(re.search(r"previous|unchanged|\bNew\b|Increasing", it["f"]) for it in items):
        ctx.need_prior()
    sents = [it["f"] for it in items]
    extras = []
    oed = any(it["key"] == "oedema" for it in items)
    for it in items:
        if oed and it["extra"] == "Lungs otherwise clear.":
            continue
        if it["extra"] and it["extra"] not in extras and not any(
                it["extra"] == n for _, n in norms):
            extras.append(it["extra"])
    # significant findings first, as dictated; normals after
    allsent = sents + extras + [n for _, n in norms]
    if items and rng.random() < 0.3:
        allsent = [n for _, n in norms[:1]] + sents + extras + [n for _, n in norms[1:]]
    sep = "\n" if rng.random() < 0.3 else " "
    return sep.join(allsent), norms


def _pick_items(rng: random.Random, ctx: Ctx, want_sig: int, want_minor: int) -> list[dict]:
    items: list[dict] = []
    used = set()
    keys = SIG_KEYS_OOH if ctx.ooh else SIG_KEYS_GP
    while sum(1 for it in items if it["sig"]) < want_sig:
        k = rng.choice(keys)
        if k in used or (k == "oedema" and "eff_big" in used) or (k == "eff_big" and "oedema" in used):
            continue
        used.add(k)
        items.append(_item(rng, k))
    tries = 0
    while sum(1 for it in items if not it["sig"]) < want_minor and tries < 50:
        tries += 1
        k = rng.choices(MINOR_KEYS, MINOR_W)[0]
        if k in used or (k == "eff_small" and ({"eff_big", "ptx", "oedema"} & used)) or (
                k == "cardio_mild" and "oedema" in used):
            continue
        used.add(k)
        items.append(_item(rng, k))
    return items


def _clean_impression(rng: random.Random, items: list[dict]) -> str:
    parts = [it["i"] for it in items if it["must"]]
    opt = [it["i"] for it in items if not it["must"] and rng.random() < 0.5]
    if not parts and not items:
        return rng.choice(NORMAL_IMP)
    if not parts:
        base = rng.choice(GENERIC_IMP)
        return " ".join(opt + [base]) if opt and rng.random() < 0.5 else " ".join([base] + opt)
    body = parts + opt
    if len(body) > 1 and rng.random() < 0.5:
        return "\n".join(f"{n}. {p}" for n, p in enumerate(body, 1))
    return " ".join(body)


def bank_clean(rng: random.Random) -> tuple[str, str]:
    ctx = Ctx(rng)
    r = rng.random()
    if r < 0.58:
        items = []
    elif r < 0.82:
        items = _pick_items(rng, ctx, 0, rng.choice([1, 1, 2]))
    elif r < 0.9:
        items = [_item(rng, rng.choice(["cardio", "collapse", "cardio"]))]
    else:
        items = _pick_items(rng, ctx, 1, rng.choice([0, 1]))
    findings, _ = _findings_text(rng, ctx, items)
    imp = _clean_impression(rng, items)
    if not items and rng.random() < 0.12:
        # impression-only style report whose conclusion describes the film (complete)
        body = findings.replace("\n", " ") + " " + rng.choice(["Normal chest radiograph.", "No acute abnormality."])
        return ctx.render(None, None, None, body, find_header=False, imp_header=True), "clean (bank, single-section)"
    desc = "clean (bank): " + (", ".join(it["label"] for it in items) or "normal")
    return ctx.render(None, None, findings, imp), desc


def bank_omit(rng: random.Random) -> tuple[str, str]:
    ctx = Ctx(rng)
    items = _pick_items(rng, ctx, rng.choice([1, 1, 1, 2]), rng.choice([0, 0, 1]))
    sigs = [it for it in items if it["sig"]]
    omitted = rng.choice(sigs)
    findings, _ = _findings_text(rng, ctx, items)
    others = [it["i"] for it in items if it is not omitted and (it["sig"] or rng.random() < 0.5)]
    if others and rng.random() < 0.7:
        imp = " ".join(others)
    else:
        pre = [it["i"] for it in items if not it["sig"] and rng.random() < 0.4]
        imp = " ".join(pre + [rng.choice(OMIT_IMP)])
    missed = [it for it in sigs if it["i"] not in imp]
    what = "; ".join(f"{it['label']} ({it['f']!r})" for it in missed)
    return ctx.render(None, None, findings, imp), f"impression omits {what}"


def bank_negation(rng: random.Random) -> tuple[str, str]:
    ctx = Ctx(rng)
    mode = rng.random()
    if mode < 0.5:
        # impression asserts what the findings negate
        items = _pick_items(rng, ctx, 0, rng.choice([0, 0, 1]))
        items = [it for it in items if it["key"] not in ("eff_small", "cardio_mild")]
        findings, norms = _findings_text(rng, ctx, items)
        nd = dict(norms)
        opts = []
        side = rng.choice(["left", "right"])
        if "pleura" in nd and ("effusion" in nd["pleura"] or "Costophrenic" in nd["pleura"] or "pleural abn" in nd["pleura"]):
            opts.append((f"Small {side} pleural effusion.", "pleural effusion", nd["pleura"]))
        if "pleura" in nd and "pneumothorax" in nd["pleura"]:
            opts.append((f"Small {side} apical pneumothorax.", "pneumothorax", nd["pleura"]))
        if "lungs" in nd:
            opts.append((f"{_cap(side)} lower zone consolidation in keeping with infection.", "consolidation", nd["lungs"]))
        if "heart" in nd:
            opts.append((rng.choice(["Cardiomegaly.", "Cardiomegaly with upper lobe diversion."]), "cardiomegaly", nd["heart"]))
        if not opts:
            return bank_negation(rng)
        imp, what, neg = rng.choice(opts)
        if rng.random() < 0.3:
            imp = imp + " " + rng.choice(["Suggest clinical correlation.", "Follow-up radiograph advised."])
        return ctx.render(None, None, findings, imp), f"impression asserts {what}; findings say {neg!r}"
    # findings affirm, impression negates (explicitly or by meaning)
    key = rng.choice(["consol", "consol", "ptx" if ctx.ooh else "eff_big", "eff_big", "cardio", "oedema"])
    it = _item(rng, key)
    items = [it] + _pick_items(rng, ctx, 0, rng.choice([0, 1]))
    items = [x for x in items if x is it or x["key"] not in ("eff_small", "cardio_mild")]
    findings, _ = _findings_text(rng, ctx, items)
    neg = it["neg_imp"]
    imp = rng.choice([neg + " " + rng.choice(GENERIC_IMP), neg, rng.choice(["", "Normal appearances. "]) + neg])
    return ctx.render(None, None, findings, imp.strip()), f"impression negates {it['label']} affirmed in findings ({neg!r})"


def _lat_imp(rng: random.Random, it: dict, side: str) -> str:
    S = _cap(side)
    k = it["key"]
    if k == "consol":
        zone = it["zone"]
        zadj = {"base": "basal"}.get(zone, zone)
        return rng.choice([f"{S} {zadj} consolidation, likely infective.",
                           f"{S} {zadj} pneumonia. Repeat CXR in 6 weeks.",
                           f"Consolidation at the {side} {zone} in keeping with LRTI."])
    if k == "eff_big":
        return rng.choice([f"{S} pleural effusion.", f"Moderate {side}-sided effusion."])
    if k == "eff_small":
        return f"Small {side} effusion."
    if k == "ptx":
        return rng.choice([f"{S} pneumothorax. ED informed.", f"{S}-sided pneumothorax."])
    if k == "nodule":
        return f"{S} lung nodule - CT chest recommended."
    if k == "mass":
        return f"{S} lung mass, suspicious for malignancy. Urgent CT advised."
    if k == "ribs":
        return f"Old {side} rib fractures."
    raise KeyError(k)


def bank_laterality(rng: random.Random) -> tuple[str, str]:
    ctx = Ctx(rng)
    key = rng.choice(["consol", "consol", "consol", "eff_big", "eff_small", "ptx" if ctx.ooh else "nodule",
                      "nodule", "mass"])
    it = _item(rng, key)
    others = [x for x in _pick_items(rng, ctx, 0, rng.choice([0, 1]))
              if x.get("side") is None and x["key"] not in ("eff_small",)]
    items = [it] + others
    findings, _ = _findings_text(rng, ctx, items)
    side = it["side"]
    opp = OPP[side]
    if rng.random() < 0.75:
        imp = _lat_imp(rng, it, opp)
        extra = [x["i"] for x in others if rng.random() < 0.4]
        imp = " ".join([imp] + extra)
        detail = f"impression puts {it['label']} on the {opp}; findings on the {side}"
    else:
        # the findings sentence flipped, impression keeps the original side
        imp = it["i"]
        flipped = re.sub(rf"\b{side}\b", opp, it["f"])
        flipped = re.sub(rf"\b{_cap(side)}\b", _cap(opp), flipped)
        findings = findings.replace(it["f"], flipped)
        detail = f"findings put {it['label']} on the {opp}; impression on the {side}"
    return ctx.render(None, None, findings, imp), detail


PH_TOKENS = ["***", "[***]", "[ ]", "<<>>", "[*]", "[ *** ]", "<< >>", "[insert]", "***."]


def bank_placeholder(rng: random.Random) -> tuple[str, str]:
    ctx = Ctx(rng)
    mode = rng.choice(["size", "side", "side", "history", "comparison", "followup", "ctr", "word", "word"])
    tok = rng.choice(["***", "[***]", "[ ]", "<< >>", "[*]"])
    hist, comp = None, None
    if mode in ("size", "side", "followup"):
        key = {"size": rng.choice(["nodule", "ptx", "mass"]), "side": rng.choice(["consol", "eff_big", "eff_small", "nodule"]),
               "followup": "consol"}[mode]
        it = _item(rng, key)
        items = [it]
        findings, _ = _findings_text(rng, ctx, items)
        imp = it["i"]
        if mode == "size":
            m = re.search(r"\b\d+(?:\.\d)?(?= (?:mm|cm))", it["f"])
            if m is None:
                return bank_placeholder(rng)
            newf = it["f"][:m.start()] + rng.choice([tok, "xx", "[size]"]) + it["f"][m.end():]
            findings = findings.replace(it["f"], newf)
            detail = f"size left as a template field in {newf!r}"
        elif mode == "side":
            field = rng.choice(["[left/right]", "left/right", "[right/left]", "[side]", tok])
            newf = re.sub(rf"\b{it['side']}\b", field, it["f"], count=1)
            if rng.random() < 0.5:
                findings = findings.replace(it["f"], newf)
                detail = f"side left unfilled in findings: {newf!r}"
            else:
                newi = re.sub(rf"\b{it['side']}\b|\b{_cap(it['side'])}\b", field, imp, count=1)
                if newi == imp:
                    findings = findings.replace(it["f"], newf)
                    detail = f"side left unfilled in findings: {newf!r}"
                else:
                    imp = newi[:1].upper() + newi[1:]
                    detail = f"side left unfilled in impression: {newi!r}"
        else:
            imp = f"{_cap(it['side'])} {it['zone']} consolidation. Suggest repeat CXR in {rng.choice(['[ ]', '***', '[x]', '<<weeks>>'])} weeks to ensure resolution."
            detail = "follow-up interval left unfilled"
    elif mode == "ctr":
        items = []
        findings, norms = _findings_text(rng, ctx, items)
        findings = f"Heart size normal (CTR {rng.choice(['[ ]', '***', '0.[ ]', '<<>>'])}). " + " ".join(
            n for k, n in norms if k != "heart")
        imp = rng.choice(NORMAL_IMP)
        detail = "CTR value left as a template field"
    else:
        items = _pick_items(rng, ctx, 0, rng.choice([0, 0, 1]))
        findings, norms = _findings_text(rng, ctx, items)
        imp = _clean_impression(rng, items)
        if mode == "history":
            hist = rng.choice(["***", "[Clinical details]", "[ ]", "<<CLINICAL HISTORY>>"])
            detail = f"clinical details field left as {hist!r}"
        elif mode == "comparison":
            comp = rng.choice(["[date]", "CXR dated ***", "[ ]", "Previous film of <<date>>."])
            detail = f"comparison field left as {comp!r}"
        else:
            # one word of a normal sentence replaced by a jump field
            k, n = rng.choice(norms)
            words = n.rstrip(".").split()
            cand = [j for j, w in enumerate(words) if w.lower() not in ("no", "not", "or", "and", "is", "are", "the")]
            j = rng.choice(cand)
            words[j] = tok
            newn = " ".join(words) + "."
            findings = findings.replace(n, newn, 1)
            detail = f"word replaced by template field: {newn!r}"
    return ctx.render(hist, comp, findings, imp), detail


REF_IMP = ["As above.", "See above.", "Findings as described.", "Discussed with the referring GP.",
           "Clinical correlation advised.", "Comparison has been made with the previous study.",
           "Follow-up as clinically indicated.", "Please see report."]


def bank_missing(rng: random.Random) -> tuple[str, str]:
    ctx = Ctx(rng)
    r = rng.random()
    items = [] if r < 0.5 else _pick_items(rng, ctx, rng.choice([0, 1]), rng.choice([0, 1]))
    findings, _ = _findings_text(rng, ctx, items)
    mode = rng.choice(["imp_empty", "imp_empty", "imp_absent", "imp_absent", "find_empty", "find_absent"])
    if mode == "imp_empty":
        return ctx.render(None, None, findings, ""), "impression/conclusion header left empty"
    if mode == "imp_absent":
        return ctx.render(None, None, findings, None, imp_header=False), "impression/conclusion section absent"
    ref = rng.choice(REF_IMP)
    if mode == "find_empty":
        return ctx.render(None, None, "", ref), f"findings left empty; impression only {ref!r}"
    return ctx.render(None, None, None, ref, find_header=False), f"findings absent; impression only {ref!r}"


# ---------------------------------------------------------------------------
# Real-report cases
# ---------------------------------------------------------------------------


def _real_ctx(rng: random.Random, r: dict) -> tuple[Ctx, str, str]:
    ctx = Ctx(rng)
    hist = _brit(r["indication"], rng) or rng.choice(["Not provided.", "None given."])
    comp = _brit(r["comparison"], rng) or "None."
    return ctx, hist, comp


def real_clean(rng: random.Random, r: dict) -> tuple[str, str]:
    ctx, hist, comp = _real_ctx(rng, r)
    f, i = _brit(r["findings"], rng), _brit(r["impression"], rng)
    return ctx.render(hist, comp, f, i), f"clean; real IU {r['uid']} re-laid-out"


def real_missing(rng: random.Random, r: dict) -> tuple[str, str]:
    ctx, hist, comp = _real_ctx(rng, r)
    f = _brit(r["findings"], rng)
    src = f"real IU {r['uid']}"
    if rng.random() < 0.55:
        return ctx.render(hist, comp, f, ""), f"impression emptied; {src}"
    return ctx.render(hist, comp, f, None, imp_header=False), f"impression section dropped; {src}"


def _flip(text: str, side: str) -> str:
    opp = OPP[side]
    t = re.sub(rf"\b{side}\b", opp, text)
    return re.sub(rf"\b{_cap(side)}\b", _cap(opp), t)


def real_laterality(rng: random.Random, r: dict) -> tuple[str, str]:
    ctx, hist, comp = _real_ctx(rng, r)
    f, i = _brit(r["findings"], rng), _brit(r["impression"], rng)
    side = next(iter(_sides(r["findings"]) | _sides(r["impression"])))
    if rng.random() < 0.6:
        i2 = _flip(i, side)
        return ctx.render(hist, comp, f, i2), f"impression side flipped {side}->{OPP[side]}; real IU {r['uid']}"
    f2 = _flip(f, side)
    return ctx.render(hist, comp, f2, i), f"findings side flipped {side}->{OPP[side]}; real IU {r['uid']}"


_NEG_FIND = [
    ("effusion", re.compile(r"\b(no|without)\b[^.]*\beffusions?\b", re.I),
     ["Small {s} pleural effusion.", "{S} pleural effusion.", "Blunted {s} costophrenic angle - small effusion."]),
    ("pneumothorax", re.compile(r"\b(no|without)\b[^.]*\bpneumothorax\b", re.I),
     ["Small {s} apical pneumothorax.", "{S} pneumothorax."]),
    ("consolidation", re.compile(r"lungs are clear|no (?:focal )?(?:consolidation|airspace)", re.I),
     ["{S} lower zone consolidation in keeping with infection.", "{S} basal pneumonia."]),
    ("cardiomegaly", re.compile(r"heart (?:size )?(?:is )?(?:normal|within normal limits)|normal heart size|"
                                r"cardiomediastinal (?:silhouette|contours) (?:is |are )?(?:normal|within normal limits)", re.I),
     ["Cardiomegaly.", "Enlarged heart."]),
]


def real_negation(rng: random.Random, r: dict, reverse: bool) -> tuple[str, str]:
    ctx, hist, comp = _real_ctx(rng, r)
    f = _brit(r["findings"], rng)
    src = f"real IU {r['uid']}"
    if not reverse:
        opts = [(n, rx, ims) for n, rx, ims in _NEG_FIND if rx.search(f)]
        if not opts:
            return None  # type: ignore[return-value]
        name, rx, ims = rng.choice(opts)
        s = rng.choice(["left", "right"])
        imp = rng.choice(ims).format(s=s, S=_cap(s))
        return ctx.render(hist, comp, f, imp), f"impression replaced to assert {name}, which findings negate; {src}"
    cats = [c for c, _ in sig_affirmed(r["findings"]) if c in ("pneumothorax", "effusion", "consolidation")]
    cat = rng.choice(sorted(set(cats)))
    neg = {"pneumothorax": ["No pneumothorax.", "No pneumothorax. No acute abnormality."],
           "effusion": ["No pleural effusion.", "No pleural effusion or pneumothorax."],
           "consolidation": ["Lungs are clear.", "Clear lungs. No acute abnormality.", "No consolidation."]}[cat]
    imp = rng.choice(neg)
    return ctx.render(hist, comp, f, imp), f"impression replaced by {imp!r}, findings affirm {cat}; {src}"


def real_omit(rng: random.Random, r: dict) -> tuple[str, str]:
    ctx, hist, comp = _real_ctx(rng, r)
    f = _brit(r["findings"], rng)
    cat, sent = [(c, sn) for c, sn in sig_affirmed(r["findings"])
                 if c != "effusion" or re.search(r"moderate|large|increas|recurr", sn, re.I)][0]
    imp = rng.choice(OMIT_IMP)
    return ctx.render(hist, comp, f, imp), f"impression replaced by {imp!r}; findings affirm {cat} ({sent!r}); real IU {r['uid']}"


_PH_SKIP = {"no", "not", "without", "or", "and", "is", "are", "the", "a", "of", "there", "in", "with", "to", "xxxx"}


def real_placeholder(rng: random.Random, r: dict) -> tuple[str, str] | None:
    ctx, hist, comp = _real_ctx(rng, r)
    f, i = _brit(r["findings"], rng), _brit(r["impression"], rng)
    tok = rng.choice(["***", "[***]", "[ ]", "<< >>", "[*]", "[insert]"])
    target = rng.choice(["f", "f", "i"])
    text = f if target == "f" else i
    words = list(re.finditer(r"[A-Za-z][A-Za-z-]{2,}", text))
    cand = [m for m in words if m.group(0).lower() not in _PH_SKIP and "XXXX" not in m.group(0)]
    if not cand:
        return None
    sides = [m for m in cand if m.group(0).lower() in ("left", "right")]
    m = rng.choice(sides) if sides and rng.random() < 0.5 else rng.choice(cand)
    new = text[:m.start()] + tok + text[m.end():]
    if target == "f":
        f = new
    else:
        i = new
    sec = "findings" if target == "f" else "impression"
    return ctx.render(hist, comp, f, i), f"{sec} word {m.group(0)!r} replaced by {tok!r}; real IU {r['uid']}"


# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h114:{seed}")
    pools = real_pools()
    used: set[str] = set()

    def take(pool: list[dict], n: int, fn) -> list[tuple[str | None, str, str]]:
        cand = [r for r in pool if r["uid"] not in used]
        rng.shuffle(cand)
        out = []
        for r in cand:
            if len(out) >= n:
                break
            res = fn(r)
            if res is None:
                continue
            used.add(r["uid"])
            out.append(res)
        if len(out) < n:
            raise RuntimeError(f"real pool too small ({len(out)} < {n})")
        return out

    rows: list[tuple[str | None, str, str]] = []
    half = N_PER_KIND // 2
    # real halves
    rows += [(None,) + x for x in take(pools["clean"], N_CLEAN // 2, lambda r: real_clean(rng, r))]
    rows += [("laterality_conflict",) + x for x in take(pools["lat"], half, lambda r: real_laterality(rng, r))]
    n_rev = 6
    rows += [("negation_conflict",) + x for x in take(pools["neg_b"], n_rev, lambda r: real_negation(rng, r, True))]
    rows += [("negation_conflict",) + x
             for x in take(pools["neg_a"], half - n_rev, lambda r: real_negation(rng, r, False))]
    rows += [("impression_omits_finding",) + x for x in take(pools["omit"], half, lambda r: real_omit(rng, r))]
    rows += [("missing_section",) + x for x in take(pools["clean"], half, lambda r: real_missing(rng, r))]
    rows += [("placeholder",) + x for x in take(pools["clean"], half, lambda r: real_placeholder(rng, r))]
    # bank halves
    rows += [(None,) + bank_clean(rng) for _ in range(N_CLEAN // 2)]
    gens = {
        "missing_section": bank_missing, "laterality_conflict": bank_laterality,
        "negation_conflict": bank_negation, "impression_omits_finding": bank_omit,
        "placeholder": bank_placeholder,
    }
    for kind in KINDS:
        rows += [(kind,) + gens[kind](rng) for _ in range(half)]
    rng.shuffle(rows)
    out = []
    for n, (kind, report, detail) in enumerate(rows):
        out.append({"id": f"h114-{seed}-{n}", "injected": kind, "detail": detail, "report": report})
    return out


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
        for kind in (None,) + KINDS:
            sel = [r for r in rows if r["injected"] == kind][: a.show]
            for r in sel:
                print(f"===== {r['id']} [{kind or 'clean'}] {r['detail']}")
                print(r["report"])
                print()
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
