"""Held-out report-error set 155: chest films from neurosciences centres (UK, Ireland, US).

Neurosurgical wards, neuro-ICU, stroke and neuromuscular services: aspiration after stroke or
seizures, VP shunt tubing over the chest, neurogenic pulmonary oedema, elevated hemidiaphragms in
MND and myasthenia, thymoma work-up, tracheostomy and PEG patients, long-stay ventilated patients.

    python -m bench.make_heldout155 OUT.jsonl --seed S [--show N]

writes 400 rows {"id", "injected", "detail", "report"}: 200 clean and 40 of each of the five
kinds of ``shared/eval/README.md``. Half of every group is composed from the phrase bank below,
half is built from real IU reports (never a dev-set uid, each used once), re-laid out in the
setting's templates and lightly re-worded. Standard library only.
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40
REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


# ----------------------------------------------------------------------------------------------
# IU archive
# ----------------------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _load_iu(shared: str) -> tuple:
    base = Path(shared)
    dev = set()
    with open(base / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    recs = []
    with tarfile.open(base / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf.getmembers():
            if not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            uid = uid_el.get("id") if uid_el is not None else None
            if not uid or uid in dev:
                continue
            parts = {}
            for a in root.iter("AbstractText"):
                parts[a.get("Label", "").upper()] = (a.text or "").strip()
            recs.append({"uid": uid, "findings": parts.get("FINDINGS", ""),
                         "impression": parts.get("IMPRESSION", ""),
                         "indication": parts.get("INDICATION", ""),
                         "comparison": parts.get("COMPARISON", "")})
    recs.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(recs), frozenset(dev)


def dev_uids() -> frozenset:
    return _load_iu(str(shared_dir()))[1]


def _sentences(text: str) -> list[str]:
    text = re.sub(r"\.\.+", ".", text.strip())
    text = re.sub(r"\s+", " ", text)
    # split numbered impressions ("1. ... 2. ...") and ordinary sentences
    text = re.sub(r"(?:(?<=^)|(?<=\s))\d\.\s+", "\n", text)
    out = []
    for chunk in text.split("\n"):
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", chunk.strip()):
            s = s.strip()
            if s:
                out.append(s if s[-1] in ".!?" else s + ".")
    return out


# term families used to screen and edit the IU reports
FAMILIES = {
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "lung": r"consolidat|airspace|air space|infiltrat|pneumonia|opacit",
    "oedema": r"o?edema|congesti",
    "cardiomegaly": (r"cardiomegaly|(heart|cardiac silhouette|cardiac shadow|heart size)"
                     r"( is| are)?( mildly| moderately| markedly| severely)? (enlarged|large)"
                     r"|enlarged (heart|cardiac)"),
    "nodule": r"nodul|\bmass\b|\bmasses\b",
    "atelectasis": r"atelecta",
    "granuloma": r"granuloma",
    "mediastinum": r"mediastin\w*( silhouette| contours?)?( is| are)? widen|widen\w* (of the )?mediastin",
    "freeair": r"free (intraperitoneal |subdiaphragmatic )?(air|gas)|pneumoperitoneum",
}
SIG_FAMILIES = {"effusion", "pneumothorax", "lung", "oedema", "cardiomegaly", "nodule", "mediastinum",
                "freeair"}
NEG_CUE = re.compile(r"\b(no|not|without|negative for|free of|clear of|resolved|resolution|"
                     r"removed|removal|exclude|excluded)\b", re.I)
LUNGS_CLEAR = re.compile(r"\blungs? (are |is )?(grossly |otherwise )?clear|\bclear lungs|"
                         r"lungs are (well )?(expanded|inflated|aerated) and clear", re.I)
HEART_NORMAL = re.compile(
    r"(heart|cardiac silhouette|cardiomediastinal silhouette|heart size|cardiac size|"
    r"cardiomediastinal contours?)( is| are)?( normal| within normal limits| unremarkable|"
    r" not enlarged| normal in size)|normal (heart|cardiac) size|heart size normal|"
    r"normal cardiomediastinal", re.I)
NORMAL_IMP = re.compile(r"no acute|normal chest|no active|no (significant|evidence of)|"
                        r"negative chest|unremarkable|within normal limits|normal study|"
                        r"no radiographic evidence", re.I)
HEDGE = re.compile(r"\b(may|might|possibl\w*|question\w*|cannot|versus|vs|subtle|minimal|mild|"
                   r"mildly|trace|small|tiny|borderline|stable|unchanged|chronic|old|scar\w*|"
                   r"likely|probabl\w*|suggest\w*|atelecta\w*|resolv\w*|healed|calcified|"
                   r"XXXX|early|minor|low|suspici\w*|concern\w*|develop\w*|equivocal|could|perhaps|"
                   r"compatible|consider\w*|differential|residual|improv\w*|decreas\w*)\b", re.I)
SIDE = re.compile(r"\b(left|right)\b", re.I)
# side words that name anatomy rather than a side (right atrium, left ventricle, right-to-left ...)
ANAT = re.compile(r"\b(left|right)[- ](atri|ventric|heart|coronary|cardiac|main|sided heart|to[- ])"
                  r"|\bto (left|right)\b|\b(left|right)ward", re.I)
BLANKS = re.compile(r"\[|\]|\*\*\*|<<|>>|___|\{|\}")


def _clauses(sentence: str) -> list[str]:
    return [c for c in re.split(r";|,? but |, however,?|, although ", sentence) if c.strip()]


def _analyse(sentences: list[str]) -> dict:
    pos, neg, sides = {}, {}, set()
    for s in sentences:
        for c in _clauses(s):
            cs = {m.lower() for m in SIDE.findall(ANAT.sub("", c))}
            sides |= cs
            for fam, rx in FAMILIES.items():
                m = re.search(rx, c, re.I)
                if not m:
                    continue
                if NEG_CUE.search(c[:m.start()]):
                    neg.setdefault(fam, []).append(c)
                else:
                    pos.setdefault(fam, []).append((c, cs))
    text = " ".join(sentences)
    return {"pos": pos, "neg": neg, "sides": sides,
            "lungs_clear": bool(LUNGS_CLEAR.search(text)),
            "heart_normal": bool(HEART_NORMAL.search(text))}


def _iu_consistent(rec: dict) -> bool:
    """Conservative screen: keep only IU reports whose two sections agree."""
    f, i = rec["findings"], rec["impression"]
    if len(f) < 40 or len(i) < 12 or BLANKS.search(f + i):
        return False
    if re.search(r"\bas above\b|see (above|findings)|\bdictat|\breport\b", i, re.I):
        return False
    fs, is_ = _sentences(f), _sentences(i)
    fa, ia = _analyse(fs), _analyse(is_)
    fpos, fneg, ipos, ineg = set(fa["pos"]), set(fa["neg"]), set(ia["pos"]), set(ia["neg"])
    if ipos & fneg or ineg & fpos:
        return False
    if (ipos & SIG_FAMILIES) - fpos:
        return False
    if fa["lungs_clear"] and ipos & {"lung", "nodule", "oedema", "atelectasis"}:
        return False
    if fa["heart_normal"] and "cardiomegaly" in ipos:
        return False
    if ia["lungs_clear"] and fpos & {"lung", "nodule", "oedema", "atelectasis"}:
        return False
    if ia["heart_normal"] and "cardiomegaly" in fpos:
        return False
    if (fpos & SIG_FAMILIES) - ipos:
        return False          # the archive's own omissions (or a normal impression) are dropped
    if not ia["sides"] <= fa["sides"]:
        return False
    if len(fa["sides"]) == 2 and ia["sides"] != fa["sides"]:
        return False
    for fam, items in ia["pos"].items():
        isides = set().union(*(s for _, s in items))
        fsides = set().union(*(s for _, s in fa["pos"].get(fam, []))) if fam in fa["pos"] else set()
        if isides and not isides <= fsides:
            return False
    return True


IMP_SOFT = re.compile(r"stable|unchanged|improv|decreas|smaller|atelecta|scar|chronic|granulom|"
                      r"interstitial|reticul|fibros|similar|persistent|again", re.I)


def _imp_soft(is_, fam):
    """The impression calls the finding stable, old, improving or atelectasis (next sentence too)."""
    for k, s in enumerate(is_):
        if re.search(FAMILIES[fam], s, re.I):
            if IMP_SOFT.search(s) or (k + 1 < len(is_) and IMP_SOFT.search(is_[k + 1])):
                return True
    return False


def _iu_strong(rec: dict, fam: str) -> list[str]:
    """Findings sentences that plainly affirm a significant finding of this family."""
    out = []
    for s in _sentences(rec["findings"]):
        m = re.search(FAMILIES[fam], s, re.I)
        if m and not NEG_CUE.search(s) and not HEDGE.search(s) and not (
                fam == "lung" and re.search(r"interstitial|reticul|fibros|nodular", s, re.I)):
            out.append(s)
    return out


# ----------------------------------------------------------------------------------------------
# setting: layouts, headers, sign-offs, spellings
# ----------------------------------------------------------------------------------------------

UK_NAMES = ["A. Kowalczyk", "S. Ramanathan", "H. Okafor", "C. Pemberton", "R. Dhillon",
            "E. McAllister", "J. Thirunavukarasu", "F. Aldridge", "M. Haddad", "L. Sutcliffe"]
IE_NAMES = ["C. Ni Bhriain", "D. O'Sullivan", "M. Fitzgerald", "P. Kavanagh", "S. Mac Giolla Ri",
            "R. Geraghty", "A. Brennan", "E. Costello"]
US_NAMES = ["Priya Natarajan", "Daniel Okonkwo", "Rebecca Lindqvist", "Marcus Feld",
            "Hannah Cho", "Samuel Adeyemi", "Laura Benedetti", "Kevin Marsh"]

SIGNOFFS = {
    "uk": ["Reported by: Dr {n}, Consultant Neuroradiologist",
           "Dr {n}, Consultant Radiologist (GMC {g})",
           "Reported by {n}, Consultant Reporting Radiographer",
           "Dr {n} ST5 Radiology / verified by Dr {m}, Consultant Radiologist",
           "Electronically signed: Dr {n}, Consultant Radiologist",
           "Dr {n}\nConsultant Neuroradiologist"],
    "ie": ["Dr. {n}, Consultant Radiologist",
           "Reported by: Dr {n} MB BCh BAO FFR RCSI, Consultant Radiologist",
           "Dr {n}, Radiology SpR / Dr {m}, Consultant Radiologist",
           "Signed: Dr. {n}"],
    "us": ["Electronically signed by: {n}, MD",
           "Dictated by: {n}, MD. Signed by: {m}, MD",
           "I have personally reviewed the images and agree with this report.\n{n}, MD, "
           "Attending Neuroradiologist",
           "Interpreted by {n}, MD (Radiology). Finalized.",
           "Attending: {n}, MD"],
}

EXAMS = {
    "uk": ["XR Chest AP (mobile)", "XR CHEST", "Chest X-ray (portable, AP sitting)",
           "CXR - ward film", "XR Chest (ward)"],
    "ie": ["Examination: Chest X-ray (mobile)", "Examination: CXR AP", "CHEST RADIOGRAPH",
           "Exam: XR Thorax"],
    "us": ["EXAM: XR CHEST PORTABLE 1 VIEW", "EXAM: XR CHEST AP PORTABLE",
           "EXAMINATION: CHEST 1 VIEW (PORTABLE)", "EXAM: XR CHEST 1V"],
}

LAYOUTS = {
    "uk_neuro": dict(region="uk", clin=["Clinical details:", "Clinical Details:", "CLINICAL DETAILS:"],
                     comp=["Comparison:", "Previous:", "Compared with:"],
                     fh=["Findings:", "FINDINGS:"],
                     ih=["Conclusion:", "CONCLUSION:", "Impression:", "Summary:"],
                     block=0.7, fstyle="para", numbered=0.3),
    "uk_report": dict(region="uk", clin=["Clinical information:", "Clinical History:", "Indication:"],
                      comp=["Comparison:", "Previous imaging:"],
                      fh=["Report:", "REPORT:"], ih=["Opinion:", "Comment:", "OPINION:"],
                      block=0.3, fstyle="para", numbered=0.2),
    "uk_itu": dict(region="uk", clin=["Indication:", "Clinical details:", "Clinical question:"],
                   comp=["Compared to:", "Comparison:"],
                   fh=["FINDINGS:", "Findings:"], ih=["IMPRESSION:", "Conclusion:", "CONCLUSION:"],
                   block=1.0, fstyle="lines", numbered=0.6),
    "ie": dict(region="ie", clin=["Clinical History:", "CLINICAL INFORMATION:", "Clinical Details:"],
               comp=["Comparison:", "COMPARISON:"],
               fh=["FINDINGS:", "Findings:"], ih=["CONCLUSION:", "Conclusion:", "IMPRESSION:"],
               block=0.8, fstyle="para", numbered=0.5),
    "us_icu": dict(region="us", clin=["CLINICAL HISTORY:", "HISTORY:", "INDICATION:"],
                   comp=["COMPARISON:"], fh=["FINDINGS:"], ih=["IMPRESSION:"],
                   block=1.0, fstyle="structured", numbered=0.8,
                   technique=["TECHNIQUE: Single AP portable view of the chest.",
                              "TECHNIQUE: Portable semi-upright AP radiograph.",
                              "TECHNIQUE: 1 view."]),
    "us_para": dict(region="us", clin=["INDICATION:", "HISTORY:", "REASON FOR EXAM:"],
                    comp=["COMPARISON:"], fh=["FINDINGS:"], ih=["IMPRESSION:"],
                    block=0.5, fstyle="para", numbered=0.4),
}

STRUCT_LABELS = [("devices", "Lines/tubes:"), ("lungs", "Lungs:"), ("pleura", "Pleura:"),
                 ("heart", "Heart and mediastinum:"), ("diaphragm", "Diaphragm/upper abdomen:"),
                 ("bones", "Bones/soft tissues:")]
STRUCT_OF = {"devices": "devices", "lungs": "lungs", "pleura": "pleura", "ptx": "pleura",
             "heart": "heart", "mediastinum": "heart", "diaphragm": "diaphragm",
             "abdomen": "diaphragm", "bones": "bones", "other": "bones"}

US_TO_UK = [(r"(?<![oO])edema", "oedema"), (r"\bEdema", "Oedema"), (r"(?<![aA])hemorrhag", "haemorrhag"),
            (r"(?<![oO])esophag", "oesophag"), (r"\btumor\b", "tumour"), (r"\bcenter\b", "centre"),
            (r"(?<![aA])hemothorax", "haemothorax"), (r"\borthopnea\b", "orthopnoea")]
UK_TO_US = [(r"oedema", "edema"), (r"Oedema", "Edema"), (r"haem", "hem"), (r"Haem", "Hem"),
            (r"oesophag", "esophag"), (r"tumour", "tumor"), (r"\bcentre\b", "center"),
            (r"orthopnoea", "orthopnea"), (r"\bITU\b", "ICU")]


def to_region_spelling(text: str, region: str) -> str:
    for rx, rep in (UK_TO_US if region == "us" else US_TO_UK):
        text = re.sub(rx, rep, text)
    return text


CLIN = {
    "uk": ["Post-ictal, reduced GCS, coughing. ?aspiration", "Right MCA stroke, dysphagia, spiking temps",
           "SAH day 4, desaturating. ?neurogenic pulmonary oedema", "MND, orthopnoea. ?diaphragm weakness",
           "Myasthenia gravis, new diagnosis. ?thymoma", "Post VP shunt revision - check tubing",
           "Trache in situ, increased secretions", "Fine bore NGT placement - confirm position",
           "PEG planned, pre-procedure", "Long-stay ITU, ventilated day 15, rising CRP",
           "GBS, falling FVC", "Post craniotomy day 2, pyrexial", "Status epilepticus, intubated on ITU",
           "Pre-op, elective spinal surgery", "Head injury, ventilated. ET tube position",
           "Parkinson's, recurrent chest infections", "Line insertion. ?pneumothorax"],
    "ie": ["Post seizure, ?aspiration pneumonia", "Acute stroke, failed swallow screen, febrile",
           "SAH, post coiling, hypoxic", "MND, breathless lying flat", "Myasthenia. Thymoma?",
           "VP shunt in situ, abdominal pain", "Tracheostomy, chest infection?",
           "NG tube insertion. Position?", "Neuro HDU, ventilated, new O2 requirement",
           "Pre-op craniotomy", "Post CVC insertion"],
    "us": ["Seizure, concern for aspiration.", "Acute ischemic stroke, fever and leukocytosis.",
           "Subarachnoid hemorrhage, hypoxemia.", "ALS with orthopnea, evaluate diaphragm.",
           "Myasthenia gravis, evaluate for thymoma.", "VP shunt malfunction series.",
           "Tracheostomy, increased secretions.", "Enteric tube placement.",
           "Neuro ICU, intubated, fever.", "Post central line placement.",
           "TBI, intubated, ET tube position.", "Guillain-Barre, declining NIF."],
}
COMPS = {
    "uk": ["Previous film of yesterday.", "XR chest 2 days ago.", "None available.",
           "The preceding ITU film.", "Previous CXR of last week.", "Nil."],
    "ie": ["Previous chest radiograph from 3 days prior.", "None.", "Prior film of yesterday.",
           "Study of last month."],
    "us": ["Portable chest radiograph from 1 day prior.", "None.", "Multiple priors, most recent yesterday.",
           "Chest radiograph from 3 days earlier.", "No prior studies available."],
}
NO_PRIOR = {"None available.", "Nil.", "None.", "No prior studies available."}


# ----------------------------------------------------------------------------------------------
# phrase bank (UK spelling; converted for US layouts)
# '^' marks a phrase that needs a previous film.  {side}/{Side}, {n}, {sz}/{Sz} are filled per case.
# ----------------------------------------------------------------------------------------------

def F(key, sig, cats, f, i, sides=None, neg_f=(), neg_i=(), n=None, sz=None, rec=(), clin=(),
      device=False):
    return dict(key=key, sig=sig, cats=set(cats), f=f, i=i, sides=sides, neg_f=list(neg_f),
                neg_i=list(neg_i), n=n, sz=sz, rec=list(rec), clin=list(clin), device=device)


DEVICES = [
    F("trache", False, [], ["Tracheostomy tube in situ, tip projected well above the carina.",
                            "Tracheostomy tube in satisfactory position, tip {n} cm above the carina.",
                            "Tracheostomy tube in situ."],
      ["Tracheostomy tube in satisfactory position.", "Satisfactory tracheostomy position."],
      n=(4, 7), device=True),
    F("ett", False, [], ["Endotracheal tube tip {n} cm above the carina.",
                         "ET tube in satisfactory position with its tip {n} cm above the carina."],
      ["ETT in satisfactory position.", "Endotracheal tube appropriately positioned."],
      n=(3, 6), device=True),
    F("ngt", False, [], ["Nasogastric tube passes below the diaphragm, tip in the stomach.",
                         "Fine bore NG tube tip projected over the gastric fundus.",
                         "NG tube is seen coursing below the diaphragm with the tip in the stomach."],
      ["NG tube tip in the stomach; safe to use for feeding.", "NG tube satisfactorily positioned."],
      device=True),
    F("peg", False, [], ["PEG tube projected over the upper abdomen.", "Gastrostomy tube noted in the upper abdomen."],
      ["PEG in situ."], device=True),
    F("vp", False, [], ["{Side} VP shunt tubing is seen coursing over the neck and chest wall, with no discontinuity.",
                        "VP shunt tubing descends over the {side} hemithorax and is intact as far as visualised.",
                        "The {side}-sided ventriculoperitoneal shunt catheter is continuous across the chest."],
      ["{Side} VP shunt tubing intact.", "No discontinuity of the {side} VP shunt tubing.",
       "{Side}-sided shunt tubing appears continuous."],
      sides=["right", "right", "left"], device=True,
      clin=["Post VP shunt revision - check tubing", "VP shunt malfunction series."]),
    F("picc", False, [], ["{Side} arm PICC line with its tip at the cavoatrial junction.",
                          "{Side} PICC tip projects over the SVC."],
      ["{Side} PICC line in satisfactory position.", "{Side} PICC tip in the SVC."],
      sides=["right", "left"], device=True),
    F("cvc", False, [], ["{Side} internal jugular central line, tip in the SVC.",
                         "{Side} IJ CVC with the tip at the cavoatrial junction."],
      ["{Side} IJ line tip in the SVC.", "{Side} internal jugular line satisfactory."],
      sides=["right", "left"], device=True),
    F("vns", False, [],
      ["Vagal nerve stimulator generator over the {side} chest wall, lead passing into the {side} neck."],
      ["{Side} vagal nerve stimulator in situ."], sides=["left"], device=True),
    F("ecg", False, [], ["ECG leads overlie the chest."], [], device=True),
]

ABNORMAL = [
    F("aspiration", True, ["lungs"],
      ["Consolidation in the {side} lower lobe.",
       "Patchy airspace opacification at the {side} base, in keeping with aspiration.",
       "^New {side} basal consolidation.",
       "There is dense consolidation in the {side} lower zone with air bronchograms."],
      ["{Side} lower lobe consolidation, likely aspiration.",
       "{Side} basal consolidation in keeping with aspiration pneumonia.",
       "Appearances suggest aspiration into the {side} lower lobe."],
      sides=["right", "right", "left"],
      neg_f=["The lungs are clear.", "No focal consolidation.", "Lungs clear, no consolidation."],
      neg_i=["No consolidation.", "Lungs clear.", "No evidence of aspiration."],
      rec=["Suggest follow-up film after treatment to confirm resolution."],
      clin=["Post-ictal, reduced GCS, coughing. ?aspiration", "Acute stroke, failed swallow screen, febrile",
            "Seizure, concern for aspiration."]),
    F("pneumonia", True, ["lungs"],
      ["Airspace shadowing in the {side} upper zone.", "Consolidation of the {side} upper lobe.",
       "^Increasing {side} upper zone consolidation compared with the previous film."],
      ["{Side} upper lobe pneumonia.", "{Side} upper zone consolidation, ?infection.",
       "{Side} upper lobe consolidation in keeping with infection."],
      sides=["right", "left"],
      neg_f=["The lungs are clear.", "No focal consolidation."],
      neg_i=["No consolidation.", "Clear lungs."],
      clin=["Long-stay ITU, ventilated day 15, rising CRP", "Neuro ICU, intubated, fever."]),
    F("npo", True, ["lungs"],
      ["Bilateral perihilar airspace shadowing, in keeping with pulmonary oedema.",
       "Widespread bilateral airspace opacification with a perihilar predominance.",
       "^New bilateral alveolar shadowing, predominantly perihilar."],
      ["Bilateral airspace opacification; in the context of SAH, neurogenic pulmonary oedema is the likely cause.",
       "Appearances consistent with pulmonary oedema, likely neurogenic.", "Pulmonary oedema."],
      neg_f=["The lungs are clear.", "No pulmonary oedema."],
      neg_i=["No pulmonary oedema.", "No evidence of oedema."],
      clin=["SAH day 4, desaturating. ?neurogenic pulmonary oedema", "SAH, post coiling, hypoxic",
            "Subarachnoid hemorrhage, hypoxemia."]),
    F("overload", True, ["lungs"],
      ["Upper lobe venous diversion with interstitial oedema and septal lines.",
       "Perihilar haze and septal lines in keeping with interstitial oedema."],
      ["Features of fluid overload with interstitial oedema.", "Interstitial pulmonary oedema."],
      neg_f=["No pulmonary oedema.", "The lungs are clear."], neg_i=["No oedema."]),
    F("effusion", True, ["pleura", "diaphragm"],
      ["{Sz} {side} pleural effusion.", "There is a {sz} {side} pleural effusion with adjacent basal atelectasis.",
       "^Increasing {side} pleural effusion, now {sz}."],
      ["{Sz} {side} pleural effusion.", "{Side} pleural effusion, {sz}."],
      sides=["right", "left"], sz=["moderate", "large", "moderate-sized"],
      neg_f=["No pleural effusion.", "Costophrenic angles are clear.", "No effusion."],
      neg_i=["No pleural effusion.", "No effusion."]),
    F("ptx", True, ["ptx"],
      ["{Side} apical pneumothorax with a {n} cm rim, no mediastinal shift.",
       "There is a small {side} pneumothorax following line insertion.",
       "^New {side} pneumothorax, apical rim {n} cm."],
      ["{Side} pneumothorax.", "{Side} apical pneumothorax, no features of tension.",
       "Small {side} pneumothorax; ward team informed."],
      sides=["right", "left"], n=(1, 3),
      neg_f=["No pneumothorax."], neg_i=["No pneumothorax.", "No pneumothorax post line insertion."],
      clin=["Line insertion. ?pneumothorax", "Post CVC insertion", "Post central line placement."]),
    F("thymoma", True, ["mediastinum"],
      ["Lobulated soft tissue mass projecting over the {side} superior mediastinum, anterior on the lateral view.",
       "Smooth {side}-sided anterior mediastinal mass measuring approximately {n} cm."],
      ["{Side} anterior mediastinal mass, in this context likely thymoma.",
       "Anterior mediastinal mass on the {side}, ?thymoma."],
      sides=["right", "left"], n=(4, 7),
      neg_f=["Mediastinal contours are normal.", "The mediastinum is not widened.", "No mediastinal mass."],
      neg_i=["No mediastinal mass.", "Normal mediastinal contours."],
      rec=["CT thorax with contrast recommended for characterisation."],
      clin=["Myasthenia gravis, new diagnosis. ?thymoma", "Myasthenia. Thymoma?",
            "Myasthenia gravis, evaluate for thymoma."]),
    F("nodule", True, ["lungs"],
      ["{n} mm nodule in the {side} mid zone.", "^A new {n} mm pulmonary nodule projects over the {side} upper zone."],
      ["{Side} mid zone nodule ({n} mm).", "{n} mm {side} lung nodule."],
      sides=["right", "left"], n=(7, 15),
      neg_f=["No focal lung lesion.", "The lungs are clear."], neg_i=["No pulmonary nodule."],
      rec=["CT chest recommended.", "Suggest CT for further assessment."]),
    F("collapse", True, ["lungs", "diaphragm"],
      ["^New collapse of the {side} lower lobe, likely mucus plugging.",
       "Triangular density behind the heart with loss of the {side} hemidiaphragm outline, "
       "in keeping with lower lobe collapse."],
      ["{Side} lower lobe collapse, ?mucus plugging; suggest physiotherapy.", "{Side} lower lobe collapse."],
      sides=["left", "left", "right"],
      neg_f=["The lungs are clear.", "No collapse or consolidation."], neg_i=["No collapse."],
      clin=["Trache in situ, increased secretions", "Tracheostomy, increased secretions."]),
    F("freeair", True, ["abdomen"],
      ["Free gas under the {side} hemidiaphragm following recent PEG insertion.",
       "Free subdiaphragmatic air beneath the {side} hemidiaphragm."],
      ["Free air under the {side} hemidiaphragm, likely related to the recent PEG; correlate clinically.",
       "Pneumoperitoneum beneath the {side} hemidiaphragm."],
      sides=["right", "left"],
      neg_f=["No free air under the diaphragm.", "No free subdiaphragmatic gas."],
      neg_i=["No pneumoperitoneum.", "No free air."]),
    # not significant: may be left out of the impression
    F("elev_hd", False, ["diaphragm"],
      ["Elevated {side} hemidiaphragm.", "^Persistent elevation of the {side} hemidiaphragm, unchanged.",
       "The {side} hemidiaphragm is elevated, ?phrenic nerve palsy."],
      ["Elevated {side} hemidiaphragm, likely reflecting diaphragmatic weakness in the context of MND.",
       "Elevated {side} hemidiaphragm."],
      sides=["right", "left"],
      neg_f=["Both hemidiaphragms are normally sited.", "The hemidiaphragms are normal in position."],
      neg_i=["Normal position of the hemidiaphragms."],
      clin=["MND, orthopnoea. ?diaphragm weakness", "MND, breathless lying flat",
            "ALS with orthopnea, evaluate diaphragm."]),
    F("bilat_hd", False, ["diaphragm"],
      ["Both hemidiaphragms are elevated with low lung volumes, in keeping with known respiratory muscle weakness."],
      ["Bilateral diaphragmatic elevation, consistent with neuromuscular weakness."],
      neg_f=["Both hemidiaphragms are normally sited."], neg_i=["Normal diaphragmatic position."],
      clin=["GBS, falling FVC", "MND, orthopnoea. ?diaphragm weakness", "Guillain-Barre, declining NIF."]),
    F("atel", False, ["lungs"],
      ["Linear atelectasis at the {side} base.", "Minor plate atelectasis in the {side} lower zone."],
      ["Minor {side} basal atelectasis."], sides=["right", "left"]),
    F("bibasal", False, ["lungs"], ["Low lung volumes with bibasal atelectasis."],
      ["Low volumes with bibasal atelectasis."]),
    F("cardio", False, ["heart"], ["^The heart is mildly enlarged, unchanged.", "Mild cardiomegaly."],
      ["Mild cardiomegaly.", "Stable mild cardiomegaly."],
      neg_f=["Heart size is normal.", "The heart is not enlarged."],
      neg_i=["Normal heart size.", "Heart size normal."]),
    F("effusion_small", False, ["pleura"],
      ["Small {side} pleural effusion.", "Blunting of the {side} costophrenic angle, likely a small effusion."],
      ["Small {side} pleural effusion."], sides=["right", "left"],
      neg_f=["No pleural effusion."], neg_i=["No pleural effusion."]),
    F("granuloma", False, ["lungs"], ["{n} mm calcified granuloma in the {side} upper zone."],
      ["Small calcified granuloma, of no significance."], sides=["right", "left"], n=(3, 5)),
    F("sternotomy", False, [], ["Median sternotomy wires from previous thymectomy."],
      ["Post thymectomy appearances."]),
    F("ribs", False, ["bones"], ["Old healed fractures of the {side} lateral ribs."],
      ["Old {side} rib fractures."], sides=["right", "left"]),
    F("scoliosis", False, ["bones"], ["Thoracolumbar scoliosis."], []),
    F("hiatus", False, [], ["Small hiatus hernia behind the heart."], []),
]
BANK = {x["key"]: x for x in DEVICES + ABNORMAL}
SIGNIFICANT = [x["key"] for x in ABNORMAL if x["sig"]]
MINOR = [x["key"] for x in ABNORMAL if not x["sig"]]

FILLERS = {
    "heart": ["Heart size is normal.", "The heart is not enlarged.", "Normal cardiac size.",
              "Cardiac size within normal limits."],
    "mediastinum": ["Mediastinal contours are normal.", "The mediastinum is central and not widened.",
                    "Normal mediastinal outline."],
    "lungs": ["The lungs are clear.", "Lungs clear.", "No focal consolidation.", "Clear lung fields.",
              "No focal lung abnormality."],
    "pleura": ["No pleural effusion.", "No effusion.", "Costophrenic angles are clear."],
    "ptx": ["No pneumothorax."],
    "diaphragm": ["Hemidiaphragms are normally sited.", "Normal diaphragmatic contours."],
    "abdomen": ["No free subdiaphragmatic gas."],
    "bones": ["No acute bony abnormality.", "Bones are unremarkable.", "Visualised bones intact."],
}
COMBINED = {("heart", "mediastinum"): ["Heart and mediastinum are within normal limits.",
                                       "Cardiomediastinal silhouette is normal."],
            ("pleura", "ptx"): ["No pleural effusion or pneumothorax.", "Pleural spaces are clear.",
                                "No effusion or pneumothorax."]}
NORMAL_FULL = ["No acute cardiopulmonary abnormality.", "Normal chest radiograph.", "No active lung disease.",
               "Clear chest.", "Normal appearances.", "No acute intrathoracic pathology.", "NAD."]
NORMAL_GENERIC = ["No acute cardiopulmonary abnormality.", "No active lung disease.",
                  "No acute intrathoracic abnormality.", "No significant abnormality demonstrated."]
NORMAL_PRIOR = ["No acute change.", "No significant interval change.", "Appearances unchanged."]
NORMAL_OMIT = ["No acute cardiopulmonary abnormality.", "No significant abnormality demonstrated.",
               "No acute intrathoracic abnormality.", "No active disease.", "Satisfactory appearances."]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


# ----------------------------------------------------------------------------------------------
# composing one report
# ----------------------------------------------------------------------------------------------

class Inst:
    """One finding of the bank placed in a case, with its own side / size."""

    def __init__(self, key, rng, prior, side=None):
        self.b = BANK[key]
        self.key = key
        self.side = side or (rng.choice(self.b["sides"]) if self.b["sides"] else None)
        self.n = rng.randint(*self.b["n"]) if self.b["n"] else None
        self.sz = rng.choice(self.b["sz"]) if self.b["sz"] else None
        ftpl = [t for t in self.b["f"] if prior or not t.startswith("^")]
        self.ft = rng.choice(ftpl).lstrip("^")
        self.it = rng.choice(self.b["i"]) if self.b["i"] else None

    def fill(self, tpl, side=None):
        side = side or self.side or ""
        return (tpl.replace("{side}", side).replace("{Side}", _cap(side))
                .replace("{n}", str(self.n)).replace("{sz}", self.sz or "").replace("{Sz}", _cap(self.sz or "")))

    def ftext(self, side=None):
        return self.fill(self.ft, side)

    def itext(self, side=None):
        return self.fill(self.it, side) if self.it else None


def _cat_of(inst) -> str:
    if inst.b["device"]:
        return "devices"
    return min(inst.b["cats"], default="other")  # a set: its first element must not depend on the hash seed


def _fillers(rng, occupied, force=None):
    """Normal statements for the categories not occupied by a finding."""
    out = []
    free = [c for c in ["heart", "mediastinum", "lungs", "pleura", "ptx", "diaphragm", "bones"]
            if c not in occupied]
    keep = []
    for c in free:
        p = {"heart": 0.85, "mediastinum": 0.4, "lungs": 0.95, "pleura": 0.8, "ptx": 0.7,
             "diaphragm": 0.25, "bones": 0.35}[c]
        if rng.random() < p or c == force:
            keep.append(c)
    done = set()
    for (a, b), opts in COMBINED.items():
        if a in keep and b in keep and rng.random() < 0.5:
            cat = "heart" if a == "heart" else "pleura"
            out.append((cat, rng.choice(opts)))
            done |= {a, b}
    for c in keep:
        if c not in done:
            out.append((c, rng.choice(FILLERS[c])))
    return out


def compose(rng, prior, devices, abns):
    """Build findings/impression of a consistent report. Returns dict of parts and instances."""
    insts_dev = [Inst(k, rng, prior) for k in devices]
    insts_abn = [Inst(k, rng, prior) for k in abns]
    occupied = set().union(*(i.b["cats"] for i in insts_abn)) if insts_abn else set()
    findings = [("devices", i.ftext()) for i in insts_dev]
    findings += [(_cat_of(i), i.ftext()) for i in insts_abn]
    fill = _fillers(rng, occupied)
    rng.shuffle(fill)
    order = {"heart": 0, "mediastinum": 1, "lungs": 2, "pleura": 3, "ptx": 4, "diaphragm": 5,
             "abdomen": 6, "bones": 7, "other": 8}
    # typical order: devices, heart, lungs, pleura, ..., bones; abnormal ones placed in their slot
    body = [x for x in findings if x[0] != "devices"] + fill
    body.sort(key=lambda x: order.get(x[0], 8))
    findings = [x for x in findings if x[0] == "devices"] + body
    if rng.random() < 0.3 and findings and findings[0][0] == "devices":
        findings = body + [x for x in findings if x[0] == "devices"]
    return {"findings": findings, "dev": insts_dev, "abn": insts_abn}


def impression_for(rng, c, prior, omit=None, force_sided=None):
    imp, mentioned = [], []
    for i in c["abn"]:
        if i is omit:
            continue
        if (i.b["sig"] or i is force_sided or rng.random() < 0.45) and i.it:
            imp.append(i.itext())
            mentioned.append(i)
    devs = [i for i in c["dev"] if i.it and i is not omit]
    if devs:
        r = rng.random()
        if r < 0.45 or any(i is force_sided for i in devs):
            for i in devs:
                if i is force_sided or rng.random() < 0.6:
                    imp.append(i.itext())
                    mentioned.append(i)
        elif r < 0.7:
            imp.append(rng.choice(["Lines and tubes satisfactory.", "Support devices in satisfactory position.",
                                   "Tubes and lines as described."]))
    if not any(i.b["sig"] for i in mentioned):
        if not imp and not c["abn"] and not c["dev"]:
            imp.append(rng.choice(NORMAL_FULL))
        elif not imp or rng.random() < 0.5:
            imp.append(rng.choice(NORMAL_GENERIC + (NORMAL_PRIOR if prior else [])))
    return imp, mentioned


def pick_scenario(rng, n_abn_weights=(0.3, 0.45, 0.25), need=None, exclude=()):
    """Choose device keys and abnormal finding keys with no shared category."""
    n_dev = rng.choices([0, 1, 2, 3], [0.35, 0.35, 0.22, 0.08])[0]
    devs = rng.sample([d["key"] for d in DEVICES], n_dev)
    if "ett" in devs and "trache" in devs:
        devs.remove("ett")
    n_abn = rng.choices([0, 1, 2], n_abn_weights)[0]
    abns = list(need or [])
    cats = set().union(*(BANK[k]["cats"] for k in abns)) if abns else set()
    pool = [k for k in SIGNIFICANT + MINOR + MINOR if k not in exclude]
    tries = 0
    while len(abns) < max(n_abn, len(need or [])) and tries < 50:
        tries += 1
        k = rng.choice(pool)
        if k in abns or BANK[k]["cats"] & cats:
            continue
        if k in ("collapse", "freeair") and rng.random() < 0.5:
            continue
        abns.append(k)
        cats |= BANK[k]["cats"]
    return devs, abns


# ----------------------------------------------------------------------------------------------
# rendering
# ----------------------------------------------------------------------------------------------

def _name(rng, region):
    names = {"uk": UK_NAMES, "ie": IE_NAMES, "us": US_NAMES}[region]
    n, m = rng.sample(names, 2)
    return rng.choice(SIGNOFFS[region]).format(n=n, m=m, g=rng.randint(4000000, 7999999))


def _header(h, body, block):
    if not body:
        return h
    return f"{h}\n{body}" if block else f"{h} {body}"


def render(rng, layout_name, parts, miss=None, plain_findings=False):
    """parts: clin, comp, findings [(cat, text)], impression [str], rec (str|None).

    miss: None | 'findings_empty' | 'findings_sign' | 'impression_empty' | 'impression_sign'
          | 'impression_removed' | 'findings_absent' (clean: impression describes the findings).
    """
    L = LAYOUTS[layout_name]
    region = L["region"]
    block = rng.random() < L["block"]
    fh, ih = rng.choice(L["fh"]), rng.choice(L["ih"])
    sign = _name(rng, region)
    lines = []
    if rng.random() < 0.75:
        lines.append(rng.choice(EXAMS["ie" if region == "ie" else region]))
    lines.append(f"{rng.choice(L['clin'])} {parts['clin']}")
    if L.get("technique") and not plain_findings and rng.random() < 0.7:
        lines.append(rng.choice(L["technique"]))
    lines.append(f"{rng.choice(L['comp'])} {parts['comp']}")
    lines.append("")
    fstyle = "para" if plain_findings and L["fstyle"] == "structured" else L["fstyle"]
    ftexts = [t for _, t in parts["findings"]]
    if fstyle == "structured":
        groups = {}
        for cat, t in parts["findings"]:
            groups.setdefault(STRUCT_OF.get(cat, "bones"), []).append(t)
        flines = []
        for key, label in STRUCT_LABELS:
            if key in groups:
                flines.append(f"{label} {' '.join(groups[key])}")
            elif key == "devices" and rng.random() < 0.4:
                flines.append(f"{label} None.")
        fbody = "\n".join(flines)
        block = True
    elif fstyle == "lines":
        dash = rng.choice(["", "- "])
        fbody = "\n".join(dash + t for t in ftexts)
        block = True
    else:
        fbody = " ".join(ftexts)
    imp = parts["impression"]
    if len(imp) > 1 and rng.random() < L["numbered"]:
        ibody = "\n".join(f"{k}. {t}" for k, t in enumerate(imp, 1))
        iblock = True
    else:
        ibody = " ".join(imp)
        iblock = block
    rec = parts.get("rec")
    if miss == "findings_absent":
        pass
    elif miss == "findings_empty":
        lines += [fh, ""]
    elif miss == "findings_sign":
        lines += [fh, sign, ""]
    else:
        lines += [_header(fh, fbody, block), ""]
    if miss == "impression_empty":
        lines += [ih, ""]
    elif miss == "impression_sign":
        lines += [ih, sign]
    elif miss == "impression_removed":
        pass
    else:
        lines.append(_header(ih, ibody, iblock))
        if rec:
            lines.append(rec if rng.random() < 0.6 else f"Recommendation: {rec}")
        lines.append("")
    if miss != "impression_sign":
        lines.append(sign)
    text = "\n".join(lines).strip() + "\n"
    text = re.sub(r"\n{3,}", "\n\n", text)
    return to_region_spelling(text, region)


# ----------------------------------------------------------------------------------------------
# composed cases
# ----------------------------------------------------------------------------------------------

PH_NUM = ["[***]", "XX", "<<size>>", "___", "[ ]", "[#]", "**"]
PH_WORD = ["[***]", "[ ]", "***", "[select]", "<< >>", "[*]"]


def _base(rng, kind_hint=None):
    layout = rng.choice(list(LAYOUTS))
    region = LAYOUTS[layout]["region"]
    comp = rng.choice(COMPS[region])
    return layout, region, comp, comp not in NO_PRIOR


CLIN_NEEDS = [(r"trache", "trache"), (r"\bNGT\b|NG tube|Enteric tube", "ngt"), (r"\bPEG\b", "peg"),
              (r"shunt", "vp"), (r"ET tube|intubated|ventilated", "ett"), (r"CVC|line (insertion|placement)", "cvc")]


def _clin(rng, region, insts, present=()):
    opts = [c for i in insts for c in i.b["clin"]]
    region_opts = set(CLIN[region])
    opts = [c for c in opts if c in region_opts]
    if opts and rng.random() < 0.7:
        return rng.choice(opts)
    keys = {i.key for i in insts} | set(present)
    fit = [c for c in CLIN[region]
           if all(k in keys or (k == "ett" and "trache" in keys) for rx, k in CLIN_NEEDS if re.search(rx, c, re.I))]
    return rng.choice(fit or CLIN[region])


def _rec(rng, mentioned):
    for i in mentioned:
        if i.b["rec"] and rng.random() < 0.6:
            return rng.choice(i.b["rec"])
    return None


def composed_case(rng, kind):
    layout, region, comp, prior = _base(rng)
    detail = f"composed ({layout})"
    if kind is None:
        devs, abns = pick_scenario(rng)
        c = compose(rng, prior, devs, abns)
        imp, ment = impression_for(rng, c, prior)
        miss = None
        if rng.random() < 0.06:
            # clean report with no FINDINGS section: the conclusion itself describes the film
            miss = "findings_absent"
            imp = [i.itext() for i in c["dev"] + c["abn"] if i.it] or []
            imp += [t for cat, t in c["findings"] if cat in ("lungs", "pleura", "heart")
                    and t not in imp and not any(t == i.ftext() for i in c["abn"])][:2]
            if not imp:
                imp = ["The lungs are clear. No effusion or pneumothorax. Heart size normal."]
            detail += "; no FINDINGS section, conclusion describes the film"
        parts = dict(clin=_clin(rng, region, c["abn"] + c["dev"]), comp=comp, findings=c["findings"],
                     impression=imp, rec=_rec(rng, ment))
        return render(rng, layout, parts, miss=miss), detail + "; clean"

    if kind == "missing_section":
        devs, abns = pick_scenario(rng)
        c = compose(rng, prior, devs, abns)
        imp, ment = impression_for(rng, c, prior)
        miss = rng.choice(["findings_empty", "findings_sign", "impression_empty", "impression_sign",
                           "impression_removed"])
        parts = dict(clin=_clin(rng, region, c["abn"] + c["dev"]), comp=comp, findings=c["findings"],
                     impression=imp, rec=None)
        what = {"findings_empty": "FINDINGS header kept with nothing under it",
                "findings_sign": "FINDINGS header with only the sign-off under it",
                "impression_empty": "impression header kept with nothing under it",
                "impression_sign": "impression header with only the sign-off under it",
                "impression_removed": "impression section removed"}[miss]
        return render(rng, layout, parts, miss=miss), f"{detail}; {what}"

    if kind == "laterality_conflict":
        sided = [k for k in SIGNIFICANT + MINOR if BANK[k]["sides"] and BANK[k]["i"]
                 and all("{side}" in t.lower() for t in BANK[k]["i"] + BANK[k]["f"])]
        key = rng.choice(sided + ["vp", "picc", "cvc"])
        if BANK[key]["device"]:
            devs, abns = pick_scenario(rng)
            devs = [d for d in devs if d != key] + [key]
        else:
            devs, abns = pick_scenario(rng, need=[key])
        c = compose(rng, prior, devs, abns)
        target = next(i for i in c["dev"] + c["abn"] if i.key == key)
        imp, ment = impression_for(rng, c, prior, force_sided=target)
        other = "left" if target.side == "right" else "right"
        where = rng.choice(["findings", "impression"])
        if where == "findings":
            c["findings"] = [(cat, target.ftext(other) if t == target.ftext() else t) for cat, t in c["findings"]]
            said = target.itext()
        else:
            imp = [target.itext(other) if t == target.itext() else t for t in imp]
            said = target.ftext()
        parts = dict(clin=_clin(rng, region, c["abn"] + c["dev"]), comp=comp, findings=c["findings"],
                     impression=imp, rec=_rec(rng, ment))
        return (render(rng, layout, parts),
                f"{detail}; {key}: {where} sentence says {other}, the other section says "
                f"'{said}' ({target.side})")

    if kind == "negation_conflict":
        mode = rng.choice(["assert", "assert", "negate"])
        if mode == "assert":
            key = rng.choice([k for k in SIGNIFICANT + MINOR if BANK[k]["neg_f"]])
            devs, abns = pick_scenario(rng, exclude=[k for k in BANK if BANK[k]["cats"] & BANK[key]["cats"]])
            c = compose(rng, prior, devs, abns)
            x = Inst(key, rng, prior)
            neg = rng.choice(x.b["neg_f"])
            cat = next(iter(x.b["cats"]))
            fl = [(ct, t) for ct, t in c["findings"] if ct not in x.b["cats"] and
                  not (ct == "heart" and "mediastinum" in x.b["cats"]) and
                  not (ct == "pleura" and "ptx" in x.b["cats"])]
            fl.insert(min(len(fl), rng.randint(0, len(fl))), (cat, neg))
            c["findings"] = fl
            imp, ment = impression_for(rng, c, prior)
            imp = [t for t in imp if t not in NORMAL_GENERIC + NORMAL_PRIOR + NORMAL_FULL]
            imp.insert(rng.randint(0, len(imp)), x.itext())
            d = f"impression asserts '{x.itext()}' but findings say '{neg}'"
        else:
            key = rng.choice([k for k in SIGNIFICANT + MINOR if BANK[k]["neg_i"]])
            devs, abns = pick_scenario(rng, need=[key])
            c = compose(rng, prior, devs, abns)
            x = next(i for i in c["abn"] if i.key == key)
            imp, ment = impression_for(rng, c, prior, omit=x)
            imp = [t for t in imp if t not in NORMAL_GENERIC + NORMAL_PRIOR + NORMAL_FULL]
            negt = rng.choice(x.b["neg_i"])
            imp.insert(rng.randint(0, len(imp)), negt)
            d = f"impression says '{negt}' but findings say '{x.ftext()}'"
        parts = dict(clin=_clin(rng, region, c["abn"] + c["dev"]), comp=comp, findings=c["findings"],
                     impression=imp, rec=None)
        return render(rng, layout, parts), f"{detail}; {d}"

    if kind == "impression_omits_finding":
        key = rng.choice(SIGNIFICANT)
        variant = rng.choice(["normal", "others"])
        if variant == "normal":
            devs, abns = pick_scenario(rng, n_abn_weights=(0.5, 0.5, 0), need=[key],
                                       exclude=SIGNIFICANT)
            abns = [key] + [k for k in abns if k != key and k in MINOR][:1]
        else:
            devs, abns = pick_scenario(rng, n_abn_weights=(0, 0.3, 0.7), need=[key])
            if len(abns) < 2 and not [d for d in devs if BANK[d]["i"]]:
                devs = devs + [rng.choice(["trache", "ngt", "vp", "picc"])]
        c = compose(rng, prior, devs, abns)
        x = next(i for i in c["abn"] if i.key == key)
        if variant == "normal":
            imp = [rng.choice(NORMAL_OMIT)]
            ment = []
        else:
            imp, ment = impression_for(rng, c, prior, omit=x)
            imp = [t for t in imp if t not in NORMAL_GENERIC + NORMAL_PRIOR + NORMAL_FULL]
            if not imp:
                others = [i for i in c["abn"] + c["dev"] if i is not x and i.it]
                if others:
                    imp = [rng.choice(others).itext()]
                else:
                    imp = ["Lines and tubes satisfactory."] if c["dev"] else [rng.choice(NORMAL_OMIT)]
        parts = dict(clin=_clin(rng, region, c["abn"] + c["dev"]), comp=comp, findings=c["findings"],
                     impression=imp, rec=None)
        return (render(rng, layout, parts),
                f"{detail}; findings '{x.ftext()}' left out of the impression ({variant})")

    if kind == "placeholder":
        devs, abns = pick_scenario(rng)
        c = compose(rng, prior, devs, abns)
        imp, ment = impression_for(rng, c, prior)
        parts = dict(clin=_clin(rng, region, c["abn"] + c["dev"]), comp=comp, findings=c["findings"],
                     impression=imp, rec=_rec(rng, ment))
        parts, d = put_placeholder(rng, parts)
        return render(rng, layout, parts), f"{detail}; {d}"
    raise ValueError(kind)


def put_placeholder(rng, parts):
    """Replace one word/value by an unfilled template field; returns (parts, description)."""
    cands = []
    for idx, (_cat, t) in enumerate(parts["findings"]):
        for m in re.finditer(r"\b\d+(?= (?:cm|mm)\b)", t):
            cands.append(("f", idx, m.start(), m.end(), "num"))
        for m in re.finditer(r"\b(stomach|carina|SVC|consolidation|effusion|nodule|atelectasis|"
                             r"normal|clear|satisfactory|intact|elevated|enlarged)\b", t):
            cands.append(("f", idx, m.start(), m.end(), "word"))
    for idx, t in enumerate(parts["impression"]):
        for m in re.finditer(r"\b\d+(?= (?:cm|mm)\b)", t):
            cands.append(("i", idx, m.start(), m.end(), "num"))
        for m in re.finditer(r"\b(satisfactory|consolidation|effusion|pneumothorax|mass|"
                             r"abnormality|disease|collapse|position)\b", t):
            cands.append(("i", idx, m.start(), m.end(), "word"))
    if rng.random() < 0.12 or not cands:
        ph = rng.choice(["[date of previous]", "<<COMPARISON>>", "[***]", "[PRIOR STUDY DATE]"])
        old = parts["comp"]
        parts = dict(parts, comp=ph)
        return parts, f"comparison field left unfilled: '{old}' -> '{ph}'"
    nums = [c for c in cands if c[4] == "num"]
    sec, idx, a, b, typ = rng.choice(nums) if nums and rng.random() < 0.5 else rng.choice(cands)
    ph = rng.choice(PH_NUM if typ == "num" else PH_WORD)
    if sec == "f":
        cat, t = parts["findings"][idx]
        new = t[:a] + ph + t[b:]
        fl = list(parts["findings"])
        fl[idx] = (cat, new)
        parts = dict(parts, findings=fl)
    else:
        t = parts["impression"][idx]
        new = t[:a] + ph + t[b:]
        il = list(parts["impression"])
        il[idx] = new
        parts = dict(parts, impression=il)
    where = "findings" if sec == "f" else "impression"
    return parts, f"{where}: '{t[a:b]}' replaced by '{ph}' ('{new}')"


# ----------------------------------------------------------------------------------------------
# IU-based cases
# ----------------------------------------------------------------------------------------------

REWORDS = [
    (r"\bx-XXXX\b", "X-ray", "x-XXXX unmasked to X-ray"),
    (r"\bThere (?:is|are) no\b", "No", "'There is no' shortened to 'No'"),
    (r"\bThe heart is normal in size\b", "Heart size is normal", "heart size sentence reworded"),
    (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary abnormality",
     "'disease' -> 'abnormality'"),
    (r"\bNo acute cardiopulmonary process\b", "No acute cardiopulmonary abnormality",
     "'process' -> 'abnormality'"),
    (r"\bchest x-ray\b", "chest radiograph", "x-ray -> radiograph"),
]


def _reword(sentences, region, rng, notes):
    out = []
    for s in sentences:
        for rx, rep, note in REWORDS:
            if re.search(rx, s) and rng.random() < 0.7:
                s = re.sub(rx, rep, s)
                if note not in notes:
                    notes.append(note)
        out.append(s)
    if region != "us":
        joined = " ".join(out)
        if re.search(r"edema|hemorrhag|esophag|tumor\b", joined):
            out = [to_region_spelling(s, region) for s in out]
            if "UK spelling" not in notes:
                notes.append("UK spelling")
    return out


def _iu_clin(rec, region):
    ind = rec["indication"].strip().rstrip(".").strip() or "Not given"
    return ind if ind.endswith("?") else ind + "."


def iu_render(rng, rec, fs, is_, miss=None):
    layout = rng.choice(["uk_neuro", "uk_report", "uk_itu", "ie", "us_para", "us_icu"])
    region = LAYOUTS[layout]["region"]
    comp = re.sub(r"\.+$", ".", rec["comparison"].strip()) or "None."
    parts = dict(clin=_iu_clin(rec, region), comp=comp, findings=[("other", s) for s in fs],
                 impression=is_, rec=None)
    return render(rng, layout, parts, miss=miss, plain_findings=True), layout


def _flip(sentence, side):
    other = "left" if side == "right" else "right"
    return SIDE.sub(lambda m: (other if m.group(0).islower() else _cap(other))
                    if m.group(0).lower() == side else m.group(0), sentence)


LAT_TERMS = {
    "lung": FAMILIES["lung"], "effusion": r"effusion|pleural", "pneumothorax": r"pneumothora",
    "nodule": r"nodul|\bmass|granulom|calcifi", "atelectasis": r"atelecta|scar",
    "fracture": r"fractur|rib deformit", "diaphragm": r"hemidiaphragm|eventration",
    "hilum": r"\bhil(um|ar)\b", "device": r"catheter|\bline\b|\bport\b|pacemaker|\btube\b|PICC|stimulator",
}


def _lat_fams(sentence):
    return {k for k, rx in LAT_TERMS.items() if re.search(rx, sentence, re.I)}


def _lat_targets(fs, is_):
    """Sentences whose side may be flipped: the other section names the same thing on that side."""
    def ok(s):
        return SIDE.search(s) and not ANAT.search(s) and not re.search(
            r"middle lobe|lingul|bilateral|bibasil|\bboth\b", s, re.I)
    fsided = [(k, _lat_fams(s)) for k, s in enumerate(fs) if SIDE.search(s)]
    isided = [(k, _lat_fams(s)) for k, s in enumerate(is_) if SIDE.search(s)]
    ft = [k for k, fam in fsided if ok(fs[k]) and any(fam & g for _, g in isided)]
    it = [k for k, fam in isided if ok(is_[k]) and any(fam & g for _, g in fsided)]
    return ft, it


def _neg_family(r, fa, ia):
    """Family the impression affirms that findings plainly affirm too (to be negated)."""
    if "cardiomegaly" in ia["pos"] and "cardiomegaly" in fa["pos"]:
        if not re.search(r"borderline|upper limits?|top normal|upper normal", r["findings"] + r["impression"], re.I):
            return "cardiomegaly"
    if "effusion" in ia["pos"] and _iu_strong(r, "effusion"):
        return "effusion"
    return None


def iu_candidates(recs):
    """Per kind, the IU reports that can carry it (all pass the consistency screen)."""
    ok = [r for r in recs if _iu_consistent(r)]
    cand = {k: [] for k in ["clean", "missing_section", "placeholder", "laterality",
                            "neg_assert", "neg_negate", "omit"]}
    for r in ok:
        fs, is_ = _sentences(r["findings"]), _sentences(r["impression"])
        fa, ia = _analyse(fs), _analyse(is_)
        cand["clean"].append(r)
        cand["missing_section"].append(r)
        cand["placeholder"].append(r)
        # laterality: one side throughout, named in both sections for the same family
        if len(fa["sides"]) == 1 and fa["sides"] == ia["sides"]:
            ft, it = _lat_targets(fs, is_)
            if ft or it:
                cand["laterality"].append(r)
        # negation, impression asserts what findings negate
        fneg = set(fa["neg"])
        if not fa["pos"] and ("effusion" in fneg or "pneumothorax" in fneg or "lung" in fneg
                              or fa["lungs_clear"] or fa["heart_normal"]) \
                and NORMAL_IMP.search(r["impression"]) and not fa["sides"]:
            cand["neg_assert"].append(r)
        # negation, impression negates what findings affirm
        if _neg_family(r, fa, ia):
            cand["neg_negate"].append(r)
        # omission: findings plainly affirm a significant finding the impression names
        for fam in ("effusion", "pneumothorax", "lung", "oedema", "nodule"):
            if fam in ia["pos"] and _iu_strong(r, fam) and not _imp_soft(is_, fam):
                if fam == "nodule" and not re.search(r"\bmass", " ".join(_iu_strong(r, fam)), re.I):
                    continue
                cand["omit"].append(r)
                break
    return cand


ASSERTS = {
    "effusion": ["Small {side} pleural effusion.", "{Side} pleural effusion."],
    "pneumothorax": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "lung": ["{Side} lower lobe consolidation, ?aspiration.", "{Side} basal pneumonia."],
    "heart": ["Cardiomegaly.", "Enlarged heart."],
}


def iu_case(rng, rec, kind):
    fs, is_ = _sentences(rec["findings"]), _sentences(rec["impression"])
    notes = []
    fs = _reword(fs, "uk", rng, notes) if rng.random() < 0.6 else _reword(fs, "us", rng, notes)
    is_ = _reword(is_, "uk" if "UK spelling" in notes else "us", rng, notes)
    miss, what = None, ""
    fa, ia = _analyse(fs), _analyse(is_)
    if kind is None:
        what = "clean"
    elif kind == "missing_section":
        miss = rng.choice(["findings_empty", "findings_sign", "impression_empty", "impression_sign",
                           "impression_removed"])
        what = {"findings_empty": "FINDINGS emptied (header kept)",
                "findings_sign": "FINDINGS emptied, only the sign-off under its header",
                "impression_empty": "impression emptied (header kept)",
                "impression_sign": "impression emptied, only the sign-off under its header",
                "impression_removed": "impression section removed"}[miss]
    elif kind == "laterality_conflict":
        side = next(iter(fa["sides"]))
        fi, ii = _lat_targets(fs, is_)
        where = "impression" if ii and (not fi or rng.random() < 0.5) else "findings"
        if where == "impression":
            k = rng.choice(ii)
            old = is_[k]
            is_[k] = _flip(old, side)
            new = is_[k]
        else:
            k = rng.choice(fi)
            old = fs[k]
            fs[k] = _flip(old, side)
            new = fs[k]
        what = f"{where} sentence '{old}' flipped to '{new}'"
    elif kind == "negation_conflict":
        fam = _neg_family(rec, _analyse(_sentences(rec["findings"])), _analyse(_sentences(rec["impression"])))
        if fam:
            negt = {"cardiomegaly": rng.choice(["Normal heart size.", "Heart size is normal."]),
                    "effusion": rng.choice(["No pleural effusion.", "No effusion."])}[fam]
            keep = [s for s in is_ if not re.search(FAMILIES[fam], s, re.I)]
            old = " ".join(s for s in is_ if re.search(FAMILIES[fam], s, re.I))
            is_ = keep + [negt] if rng.random() < 0.5 else [negt] + keep
            what = f"impression '{old}' replaced by '{negt}' (findings affirm it)"
        else:
            opts = []
            fneg = set(fa["neg"])
            if "effusion" in fneg:
                opts.append("effusion")
            if "pneumothorax" in fneg:
                opts.append("pneumothorax")
            if "lung" in fneg or fa["lungs_clear"]:
                opts.append("lung")
            if fa["heart_normal"]:
                opts.append("heart")
            fam = rng.choice(opts)
            side = rng.choice(["right", "left"])
            a = rng.choice(ASSERTS[fam]).replace("{side}", side).replace("{Side}", _cap(side))
            old = " ".join(is_)
            is_ = [a]
            what = f"impression '{old}' replaced by '{a}'; findings negate it"
    elif kind == "impression_omits_finding":
        fam = next(f for f in ("effusion", "pneumothorax", "lung", "oedema", "nodule")
                   if f in ia["pos"] and _iu_strong(rec, f) and not _imp_soft(is_, f))
        strong = _iu_strong(rec, fam)[0]
        rest = [s for s in is_ if not re.search(FAMILIES[fam], s, re.I)
                and not re.search(r"recommend|follow|further|resolution|CT\b", s, re.I)]
        old = " ".join(is_)
        if rest and rng.random() < 0.6:
            is_ = rest
            what = f"impression cut to the other findings ('{' '.join(rest)}'), leaving out '{strong}'"
        else:
            is_ = [rng.choice(NORMAL_OMIT)]
            what = f"impression '{old}' replaced by '{is_[0]}', leaving out '{strong}'"
    elif kind == "placeholder":
        parts = dict(findings=[("other", s) for s in fs], impression=is_, comp=rec["comparison"])
        parts, what = put_iu_placeholder(rng, parts)
        fs = [t for _, t in parts["findings"]]
        is_ = parts["impression"]
    text, layout = iu_render(rng, rec, fs, is_, miss=miss)
    note = f" ({', '.join(notes)})" if notes else ""
    return text, f"IU {rec['uid']}: re-laid out as {layout}{note}; {what}"


def put_iu_placeholder(rng, parts):
    cands = []
    for sec in ("findings", "impression"):
        items = parts[sec]
        for idx, it in enumerate(items):
            t = it[1] if sec == "findings" else it
            for m in re.finditer(r"\b\d+(\.\d+)?(?= ?(cm|mm)\b)", t):
                cands.append((sec, idx, m.start(), m.end(), "num"))
            for m in re.finditer(r"\b(normal|clear|effusion|pneumothorax|consolidation|opacity|"
                                 r"granuloma|enlarged|atelectasis|acute|disease|abnormality|"
                                 r"within|stable|unremarkable)\b", t):
                cands.append((sec, idx, m.start(), m.end(), "word"))
    nums = [c for c in cands if c[4] == "num"]
    sec, idx, a, b, typ = rng.choice(nums) if nums and rng.random() < 0.6 else rng.choice(cands)
    ph = rng.choice(PH_NUM if typ == "num" else PH_WORD)
    items = list(parts[sec])
    t = items[idx][1] if sec == "findings" else items[idx]
    new = t[:a] + ph + t[b:]
    items[idx] = ("other", new) if sec == "findings" else new
    parts = dict(parts, **{sec: items})
    return parts, f"{sec}: '{t[a:b]}' replaced by '{ph}' ('{new}')"


# ----------------------------------------------------------------------------------------------
# the set
# ----------------------------------------------------------------------------------------------

def build(seed: int) -> list[dict]:
    rng = random.Random(f"h155-{seed}")
    recs, _dev = _load_iu(str(shared_dir()))
    cand = iu_candidates(recs)
    for k in cand:
        rng.shuffle(cand[k])
    used = set()

    def take(pool, n, pred=lambda r: True):
        out = []
        for r in pool:
            if len(out) == n:
                break
            if r["uid"] not in used and pred(r):
                used.add(r["uid"])
                out.append(r)
        if len(out) < n:
            raise RuntimeError(f"not enough IU reports ({len(out)}/{n})")
        return out

    half = N_PER_KIND // 2
    iu = {}
    iu["laterality_conflict"] = take(cand["laterality"], half)
    iu["impression_omits_finding"] = take(cand["omit"], half)
    n_neg = min(7, len([r for r in cand["neg_negate"] if r["uid"] not in used]))
    iu["negation_conflict"] = take(cand["neg_negate"], n_neg) + take(cand["neg_assert"], half - n_neg)
    iu["missing_section"] = take(cand["missing_section"], half)
    iu["placeholder"] = take(cand["placeholder"], half,
                             lambda r: re.search(r"\d ?(cm|mm)\b|\b(normal|clear|acute)\b",
                                                 r["findings"] + r["impression"]) is not None)
    iu[None] = take(cand["clean"], N_CLEAN // 2)

    rows = []
    for kind in [None] + KINDS:
        n_half = N_CLEAN // 2 if kind is None else half
        for r in iu[kind]:
            text, detail = iu_case(rng, r, kind)
            rows.append({"injected": kind, "detail": detail, "report": text})
        for _ in range(n_half):
            text, detail = composed_case(rng, kind)
            rows.append({"injected": kind, "detail": detail, "report": text})
    rng.shuffle(rows)
    return [{"id": f"h155-{seed}-{k}", **r} for k, r in enumerate(rows)]


def main(argv=None):
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
        for kind in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {r['id']}  {kind}\n-- {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
