# ruff: noqa: E501
"""Held-out report-check set 44: chest findings on non-chest studies and COVID-19-era wording.

Written blind: without reading the checker, its tests, its docs or any other generator. Only the
scorer, the eval README, the IU archive and the `uid` field of the dev set (to exclude those reports)
were read.

Styles (each group is half composed from the phrase bank below, half real IU reports re-laid-out):
- rib series with a PA chest (bones first, then lungs/pleura), thoracic spine with incidental lungs,
  shoulder series with the visualised apex, abdomen/KUB with a "Lung bases" paragraph, paediatric
  skeletal survey, lateral decubitus views for fluid/air, CT topogram (scout) comments;
- COVID-19 pathway chest films: BSTI categories (CVCX0-3, "Classic/Probable COVID-19",
  "Indeterminate", "Non-COVID"), RSNA categories ("typical/indeterminate/atypical appearance",
  "negative for pneumonia"), RALE (0-8) and Brixia (0-18) scores, COVID follow-up films.
Clean reports may carry MIMIC-style `___` masks (names, dates, ages, times) and IU `XXXX` masks.

How a COVID category is counted: a category or a score alone is NOT a finding and does not name one.
Clean reports always name their significant findings in words in the IMPRESSION (the category only
follows them). An `impression_omits_finding` case omits a finding that no category describes
(pneumothorax, effusion, collapse, free air, nodule, mass, oedema, lobar consolidation), and the
impression is checked not to name it in any wording; an impression that gives only "Indeterminate"
or "Classic/Probable COVID-19" beside such a finding counts as omitting it. "Negative for pneumonia"
or "CVCX0 normal" beside affirmed opacities is labelled `negation_conflict` (a plain ruling-out).
"""
import argparse
import hashlib
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
OPP = {"right": "left", "left": "right"}

# --------------------------------------------------------------------------------------------
# Phrase bank: chest findings.  Each: findings sentence(s), impression wording, words that name it,
# a denial wording, whether it is significant per the spec, and whether it carries a side.


def _cap(s):
    return s[:1].upper() + s[1:]


def f_effusion(r, side):
    size = r.choice(["moderate", "moderate-sized", "large"])
    ft = r.choice([
        f"There is a {size} {side} pleural effusion with a meniscus, obscuring the {side} hemidiaphragm.",
        f"{_cap(size)} {side} pleural effusion, blunting the {side} costophrenic angle and tracking up the lateral chest wall.",
        f"A {size} {side} effusion fills the {side} costophrenic recess with overlying basal atelectasis.",
    ])
    it = r.choice([f"{_cap(size)} {side} pleural effusion.", f"{_cap(size)} {side} effusion; consider ultrasound-guided drainage."])
    return ft, it


def f_ptx(r, side):
    n = r.choice([8, 12, 15, 20, 25])
    ft = r.choice([
        f"There is a {side} apical pneumothorax, {n} mm rim at the apex, without mediastinal shift.",
        f"A {side} pneumothorax is seen with the visceral pleural line {n} mm from the {side} apex.",
        f"Lung edge visible at the {side} apex ({n} mm), in keeping with a {side} pneumothorax.",
    ])
    it = r.choice([f"{_cap(side)} pneumothorax ({n} mm apical rim).", f"Small-to-moderate {side} pneumothorax, no tension."])
    return ft, it


def f_consol(r, side):
    zone = r.choice(["lower", "mid", "upper"])
    ft = r.choice([
        f"Dense consolidation in the {side} {zone} zone with air bronchograms.",
        f"There is airspace consolidation in the {side} {zone} zone.",
        f"Focal consolidation occupies the {side} {zone} zone, lobar in distribution.",
    ])
    it = r.choice([f"{_cap(side)} {zone} zone consolidation, likely bacterial pneumonia.",
                   f"{_cap(side)} {zone} zone consolidation; atypical appearance for COVID-19 (lobar pneumonia more likely)."])
    return ft, it


def f_ggo(r, side):
    ft = r.choice([
        f"Peripheral ground-glass opacity in the {side} lower zone.",
        f"Patchy peripheral ground-glass change in the {side} lower zone, the other lung clear.",
    ])
    it = r.choice([f"Peripheral {side} lower zone ground-glass opacity, indeterminate for COVID-19.",
                   f"Unilateral peripheral {side} lower zone opacity. BSTI: Indeterminate (CVCX2)."])
    return ft, it


def f_bil_ggo(r, side):
    ft = r.choice([
        "Bilateral peripheral, lower-zone predominant ground-glass opacities.",
        "Multifocal bilateral peripheral opacities with lower zone predominance, some consolidative.",
        "Bilateral ill-defined peripheral opacities, predominantly in the lower zones.",
    ])
    it = r.choice([
        "Bilateral peripheral lower-zone predominant opacities. Classic/Probable COVID-19 (CVCX1).",
        "Bilateral peripheral opacities: typical appearance for COVID-19 pneumonia (RSNA).",
        "Bilateral peripheral lower zone ground-glass opacities in keeping with COVID-19 pneumonia.",
    ])
    return ft, it


def f_nodule(r, side):
    n = r.choice([7, 9, 12, 15, 18])
    zone = r.choice(["mid", "upper", "lower"])
    ft = r.choice([
        f"{'An' if n == 18 else 'A'} {n} mm nodule projects over the {side} {zone} zone.",
        f"Incidental {n} mm rounded nodule in the {side} {zone} zone, not previously described.",
    ])
    it = r.choice([f"{n} mm {side} {zone} zone nodule; CT chest recommended.",
                   f"Indeterminate {n} mm {side} pulmonary nodule. Recommend CT thorax."])
    return ft, it


def f_oedema(r, side):
    ft = r.choice([
        "Upper lobe venous diversion, Kerley B lines and bilateral perihilar haze, consistent with interstitial oedema.",
        "Bilateral perihilar airspace shadowing with septal lines, in keeping with pulmonary oedema.",
    ])
    it = r.choice(["Interstitial pulmonary oedema.", "Pulmonary oedema; correlate for fluid overload."])
    return ft, it


def f_freeair(r, side):
    ft = r.choice([
        f"Free gas is seen beneath the {side} hemidiaphragm.",
        f"There is a crescent of free subdiaphragmatic gas under the {side} hemidiaphragm.",
    ])
    it = r.choice([f"Pneumoperitoneum (free gas under the {side} hemidiaphragm); surgical review advised.",
                   f"Free subdiaphragmatic gas on the {side}, in keeping with perforation."])
    return ft, it


def f_collapse(r, side):
    ft = r.choice([
        f"Volume loss at the {side} base with a triangular density and depression of the {side} hilum, in keeping with {side} lower lobe collapse.",
        f"Increased density at the {side} base with loss of the {side} hemidiaphragm outline and crowding of vessels: {side} lower lobe collapse.",
    ])
    it = f"{_cap(side)} lower lobe collapse."
    return ft, it


def f_ribfx(r, side):
    ribs = r.choice(["5th to 7th", "4th and 5th", "8th to 10th", "6th"])
    fx, rb = ("fracture", "rib") if ribs == "6th" else ("fractures", "ribs")
    ft = r.choice([f"Acute {fx} of the {side} {ribs} {rb} laterally, minimally displaced.",
                   f"Undisplaced acute {fx} of the {side} {ribs} {rb} in the posterolateral arcs."])
    it = f"Acute {side} {ribs} rib {fx}."
    return ft, it


FIND = {
    # key: (fn, sided, significant, naming regex, denial wordings, where it fits)
    "effusion": (f_effusion, True, True, r"effusion|pleural fluid|fluid|meniscus|costophrenic",
                 ["No pleural effusion.", "No effusion."]),
    "ptx": (f_ptx, True, True, r"pneumothora|ptx|pleural air|lung edge", ["No pneumothorax.", "No pneumothorax is seen."]),
    "consol": (f_consol, True, True, r"consolidat|airspace|air-space|pneumonia|infect|opacit|infiltrat|shadowing",
               ["The lungs are clear.", "Negative for pneumonia.", "No consolidation."]),
    "ggo": (f_ggo, True, True, r"ground|opacit|covid|consolidat|infect|pneumonia|indeterminate|cvcx|shadowing",
            ["Lungs are clear.", "Negative for pneumonia (RSNA).", "Normal chest radiograph (CVCX0)."]),
    "bilggo": (f_bil_ggo, False, True, r"ground|opacit|covid|consolidat|infect|pneumonia|typical|cvcx|shadowing",
               ["Lungs are clear. Negative for pneumonia (RSNA).", "Normal chest radiograph (CVCX0).", "Clear lungs."]),
    "nodule": (f_nodule, True, True, r"nodul|mass|lesion|opacit|\bct\b|neoplas", ["No lung nodule or mass.", "No pulmonary nodule."]),
    "oedema": (f_oedema, False, True, r"oedema|edema|congest|overload|failure|venous|kerley|septal",
               ["No pulmonary oedema.", "No features of cardiac failure."]),
    "freeair": (f_freeair, True, True, r"free|gas|air|pneumoperitoneum|perforat", ["No free subdiaphragmatic gas.", "No pneumoperitoneum."]),
    "collapse": (f_collapse, True, True, r"collapse|atelecta|volume|lobe", ["No collapse.", "The lungs are clear and fully expanded."]),
    "ribfx": (f_ribfx, True, False, r"fractur|rib", ["No rib fracture."]),
}

# which findings each study style may show
STYLE_FINDINGS = {
    "ribs": ["ptx", "effusion", "consol", "collapse", "nodule", "ribfx"],
    "tspine": ["nodule", "effusion", "consol", "collapse", "ptx"],
    "shoulder": ["ptx", "nodule", "consol"],
    "abdo": ["freeair", "effusion", "consol", "collapse"],
    "skeletal": ["consol", "effusion", "ptx", "ribfx"],
    "decub": ["effusion", "ptx"],
    "topogram": ["nodule", "effusion", "consol", "collapse", "ptx", "oedema"],
    "covid": ["bilggo", "ggo", "consol", "effusion", "ptx", "oedema", "nodule", "collapse"],
    "covidfu": ["bilggo", "ggo", "effusion", "ptx", "consol"],
}
IU_STYLES = ["covid", "covidfu", "ribs", "tspine", "decub", "topogram"]

# --------------------------------------------------------------------------------------------
# Style scaffolding: title, clinical lines, bone/other paragraphs, normal lung wording.

HIST_MASKS = ["___-year-old with {c}.", "___ yo M, {c}.", "{C}. Referred by Dr. ___.", "___ F with {c}.", "{C}."]
NORMAL_LUNG = {
    "ribs": ["Lungs are clear. No pneumothorax or pleural effusion.", "The lungs are clear and the pleural spaces are clear.",
             "No pneumothorax, no effusion. Heart and mediastinum are normal."],
    "tspine": ["The visualised lungs are clear.", "Incidental note: the included lungs and pleural spaces are clear.",
               "Paravertebral soft tissues are normal; the visualised lung fields are clear."],
    "shoulder": ["The visualised {side} lung apex is clear.", "Included {side} upper zone is clear; no apical pneumothorax."],
    "abdo": ["Clear.", "The visualised lung bases are clear; no free subdiaphragmatic gas."],
    "skeletal": ["Lungs are clear. No pleural effusion or pneumothorax.", "Normal cardiothymic silhouette, clear lungs."],
    "decub": ["No layering pleural fluid. No pneumothorax.", "No free-flowing effusion is demonstrated; the lungs are clear."],
    "topogram": ["The lungs included on the topogram appear clear.", "No gross lung or pleural abnormality on the scout images."],
    "covid": ["Lungs are clear. Heart size is normal. No pleural effusion.", "Clear lungs. Normal cardiomediastinal contour. No effusion or pneumothorax."],
    "covidfu": ["The previously seen bilateral peripheral opacities have resolved; the lungs are now clear.",
                "Lungs are clear with no residual opacity."],
}
NORMAL_IMP = {
    "ribs": ["No displaced rib fracture. No pneumothorax.", "No acute bony injury. Lungs clear."],
    "tspine": ["No acute thoracic spine abnormality.", "Mild degenerative change only. No acute abnormality."],
    "shoulder": ["No fracture or dislocation.", "Normal {side} shoulder."],
    "abdo": ["Non-obstructive bowel gas pattern. No free air.", "Unremarkable abdominal radiograph."],
    "skeletal": ["No skeletal injury identified. Chest clear.", "Normal skeletal survey."],
    "decub": ["No layering effusion or pneumothorax.", "No free-flowing pleural fluid."],
    "topogram": ["No significant chest abnormality on the topogram.", "Topogram: nothing further to add."],
    "covid": ["Normal chest radiograph. BSTI: CVCX0 (Normal). RSNA: negative for pneumonia.",
              "No acute cardiopulmonary abnormality. Negative for pneumonia (RSNA)."],
    "covidfu": ["Resolution of the COVID-19 pneumonia. No residual opacity.", "Clear lungs; previous COVID-19 changes resolved."],
}
BONES = {
    "ribs": ["Ribs: no displaced fracture. Costochondral junctions unremarkable.",
             "Ribs: the rib arcs are intact on the oblique views. No focal bony lesion."],
    "tspine": ["Normal thoracic kyphosis. Vertebral body heights are maintained. Mild anterior osteophytes mid thoracic spine. Pedicles intact.",
               "Alignment is normal. No wedge compression. Disc spaces preserved apart from mild T7-8 narrowing."],
    "shoulder": ["No fracture or dislocation. The glenohumeral joint is congruent. Mild ACJ degenerative change.",
                 "Humeral head sits normally in the glenoid. No fracture. Acromiohumeral distance normal."],
    "abdo": ["Bowel gas pattern is non-obstructive. No abnormal calcification. Visualised bones unremarkable.",
             "Normal calibre small and large bowel. Faecal loading of the colon. Lumbar spine degenerative change."],
    "skeletal": ["Skull, spine, pelvis and long bones: no fracture or periosteal reaction. Metaphyses normal.",
                 "No metaphyseal corner fracture. No periosteal new bone. Skull intact."],
    "decub": [], "topogram": [], "covid": [], "covidfu": [],
}
CLIN = {
    "ribs": ["fall onto the {side} side, chest wall pain", "assault, {side} rib tenderness", "cough fracture? {side} lower ribs"],
    "tspine": ["upper back pain after a fall", "osteoporosis, ? thoracic wedge fracture", "mid-thoracic pain, known myeloma"],
    "shoulder": ["fall on outstretched hand, {side} shoulder pain", "{side} shoulder pain, reduced abduction"],
    "abdo": ["abdominal pain and distension", "epigastric pain, ? perforation", "constipation"],
    "skeletal": ["non-accidental injury protocol, 4-month-old", "safeguarding concern, bruising"],
    "decub": ["? free-flowing {side} effusion before aspiration", "{side} basal shadowing on the PA film"],
    "topogram": ["abdominal pain, ? appendicitis", "weight loss, ? malignancy", "right iliac fossa pain"],
    "covid": ["fever, cough and hypoxia, SARS-CoV-2 PCR positive", "suspected COVID-19, breathlessness", "COVID-19 PCR pending, sats 91% RA"],
    "covidfu": ["follow-up of COVID-19 pneumonia, 6 weeks", "post-COVID breathlessness, follow-up film"],
}
TITLES = {
    "ribs": ["XR RIBS {SIDE} WITH PA CHEST", "RIBS {SIDE} (3 VIEWS) + CHEST PA"],
    "tspine": ["XR THORACIC SPINE AP AND LATERAL", "T-SPINE 2 VIEWS"],
    "shoulder": ["XR SHOULDER {SIDE} 3 VIEWS", "{SIDE} SHOULDER AP/Y-VIEW/AXIAL"],
    "abdo": ["XR ABDOMEN SUPINE", "KUB", "ABDOMEN SUPINE AND ERECT CHEST"],
    "skeletal": ["SKELETAL SURVEY (NAI PROTOCOL)"],
    "decub": ["CHEST {SIDE} LATERAL DECUBITUS VIEW", "XR CHEST DECUBITUS ({SIDE} SIDE DOWN)"],
    "topogram": ["CT ABDOMEN AND PELVIS WITH CONTRAST - TOPOGRAM COMMENT", "CT ABDOMEN/PELVIS - SCOUT IMAGE REVIEW"],
    "covid": ["CXR PA - COVID-19 PATHWAY", "CHEST AP PORTABLE (COVID RED ZONE)", "XR CHEST 1 VIEW - SUSPECTED COVID-19"],
    "covidfu": ["CXR PA - COVID-19 FOLLOW-UP", "XR CHEST PA (POST-COVID CLINIC)"],
}
LUNG_HEAD = {"ribs": "Chest:", "tspine": None, "shoulder": None, "abdo": "Lung bases:", "skeletal": "Chest:",
             "decub": None, "topogram": "Chest (topogram):", "covid": None, "covidfu": None}


def covid_extra(r, findings):
    """Score lines for COVID styles: consistent with the findings."""
    if not findings:
        return r.choice(["RALE score: 0/8.", "Brixia score: 0/18 (A0 B0 C0 / D0 E0 F0).", ""])
    if "bilggo" in findings:
        n = r.choice([3, 4, 5, 6])
        a, d = r.choice([0, 1]), r.choice([0, 1])
        return r.choice([f"RALE score: {n}/8.",
                         f"Brixia score: {a + 2 + d + 3}/18 (A{a} B1 C2 / D{d} E1 F2)."])
    return ""


# --------------------------------------------------------------------------------------------
# IU archive


def load_iu(shared, exclude):
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        for m in sorted(t.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(t.extractfile(m).read())
            uid = (root.find("uId").get("id") if root.find("uId") is not None else "")
            if not uid or uid in exclude:
                continue
            d = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            fi, im = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if not fi or not im or len(fi) > 500:
                continue
            if not re.fullmatch(r"(1\. )?(no acute|no active|normal chest|negative|no evidence of (acute|active))[\w\s,.-]*",
                                im.lower()) or len(im) > 90 or "xxxx" in im.lower() and "x-xxxx" not in im.lower():
                continue
            sents = [s.strip() for s in re.split(r"(?<=\.)\s+", fi) if s.strip()]
            bad = re.compile(r"granulom|degenerat|scar|calcif|atelecta|cardiomegaly|enlarg|tortu|opacit|nodul|fractur|"
                             r"surgical|clip|sternotom|hyperinfl|emphysem|copd|spondyl|osteophyt|prominen|elevat|"
                             r"density|densities|interstitial|chronic|stable|unchanged|prior|previous|changes|deform|"
                             r"catheter|tube|pacemaker|port|wire|mild|small|minimal|low lung|flatten|xxxx xxxx")
            neg = re.compile(r"\bno\b|\bnot\b|without|\bclear\b|normal|unremarkable|negative|\bnor\b")
            if any(bad.search(s.lower()) for s in sents):
                continue
            if not all(neg.search(s.lower()) for s in sents):
                continue
            if fi.lower().count("xxxx") > 1:
                continue
            out.append({"uid": uid, "findings": sents, "impression": im})
    return out


REWORD = [(r"\bThere is no\b", "No"), (r"\bThere are no\b", "No"), (r"\bwithin normal limits\b", "normal"),
          (r"\bcardiomediastinal silhouette\b", "cardiomediastinal contour"), (r"\bare clear\b", "are clear"),
          (r"\bpneumothorax\b", "pneumothorax"), (r"\bIs identified\b", "is seen")]


def reword(s, r):
    for a, b in REWORD:
        if r.random() < 0.6:
            s = re.sub(a, b, s)
    return s[:1].upper() + s[1:]


TOPIC_FILTER = {
    "effusion": r"effusion|pleural|costophrenic|fluid", "ptx": r"pneumothora|pleural", "consol": r"consolidat|airspace|clear|infiltrat|pneumonia|opaci",
    "ggo": r"consolidat|airspace|clear|infiltrat|pneumonia|opaci", "bilggo": r"consolidat|airspace|clear|infiltrat|pneumonia|opaci|focal",
    "nodule": r"nodul|mass|clear|focal", "oedema": r"edema|oedema|vascular|vascula|congest|clear|interstitial",
    "freeair": r"free|subdiaphragm", "collapse": r"clear|consolidat|atelect|volume|focal|airspace|expanded",
    "ribfx": r"bony|bone|osseous|fractur|rib|skelet",
}
GENERIC_FILTER = r"\bclear\b|normal chest|no acute|no active|expanded"


# --------------------------------------------------------------------------------------------
# Case model


class Case:
    def __init__(self, r, style, iu=None):
        self.r, self.style, self.iu = r, style, iu
        self.side = r.choice(["right", "left"])
        self.findings = []      # list of (key, side, ftext, itext)
        self.fmt = r.randrange(4)
        self.imp_numbered = r.random() < 0.4
        self.lung_normal = None
        self.extra_imp = []     # other impression lines (bones, categories)
        self.extra_find = []
        self.hdr_find, self.hdr_imp = r.choice([("FINDINGS:", "IMPRESSION:"), ("Findings:", "Impression:"),
                                                 ("FINDINGS", "IMPRESSION"), ("REPORT / FINDINGS:", "IMPRESSION:")])
        self.find_mode = "normal"  # normal | empty | absent
        self.imp_mode = "normal"   # normal | empty | absent
        self.imp_override = None   # list of impression lines replacing the composed impression
        self.find_override = {}    # index -> replacement finding sentence
        self.trap = []             # non-significant findings allowed to stay out of the impression
        self.filter_keys = []      # topics whose IU sentences are dropped

    def add(self, key, side=None):
        fn, sided = FIND[key][0], FIND[key][1]
        side = side or (self.side if self.style in ("ribs", "shoulder", "decub") else self.r.choice(["right", "left"]))
        ft, it = fn(self.r, side if sided else "")
        if self.style == "shoulder":
            ft, it = (re.sub(r"\b(lower|mid) zone", "upper zone", x) for x in (ft, it))
        if self.style == "abdo":
            ft, it = (re.sub(r"\b(upper|mid) zone", "lower zone", x) for x in (ft, it))
        self.filter_keys.append(key)
        self.findings.append([key, side if sided else None, ft, it])
        return self.findings[-1]

    # ---------------- rendering
    def lung_sentences(self):
        s = self.style
        if self.iu:
            topics = [GENERIC_FILTER] + [TOPIC_FILTER[k] for k in self.filter_keys] if self.filter_keys else []
            base = [reword(x, self.r) for x in self.iu["findings"]
                    if not any(re.search(t, x.lower()) for t in topics)]
        else:
            base = []
        base = [x for x in base if not re.search(r"\bviews?\b|radiograph|\bfilms?\b", x.lower())]
        fl = [f[2] for f in self.findings if not (s == "ribs" and f[0] == "ribfx")]
        out = base + fl + self.extra_find
        if not self.findings and not self.iu:
            out.append(self.lung_normal)
        elif not self.iu and not self.extra_find and s not in ("decub",) and self.r.random() < 0.5:
            if s in ("covid", "covidfu", "topogram", "ribs"):
                out.append(self.r.choice(["Heart size is normal.", "Cardiomediastinal contour within normal limits.",
                                          "Normal heart size."]))
        return out

    def render(self):
        r, s = self.r, self.style
        side = self.side
        lines = []
        tside = side
        if s == "decub" and any(f[0] == "ptx" for f in self.findings):
            tside = OPP[[f[1] for f in self.findings if f[0] == "ptx"][0]]  # the side with air is kept up
        title = r.choice(TITLES[s]).replace("{SIDE}", tside.upper())
        lines.append(("EXAMINATION: " if r.random() < 0.5 else "") + title)
        clin = r.choice(CLIN[s]).replace("{side}", side)
        if tside != side:
            clin = r.choice([f"? {side} pneumothorax, unable to sit erect", f"? small {side} pneumothorax after line insertion"])
        hist = r.choice(HIST_MASKS).replace("{c}", clin).replace("{C}", _cap(clin))
        lines.append(r.choice(["CLINICAL HISTORY: ", "Clinical details: ", "HISTORY: ", "INDICATION: "]) + hist)
        if s == "covidfu":
            lines.append(r.choice(["COMPARISON: ___.", "COMPARISON: Admission chest film ___.", "Comparison: CXR ___ (during admission)."]))
        elif s == "covid" or r.random() < 0.4:
            lines.append(r.choice(["COMPARISON: ___.", "Comparison: none.", "COMPARISON: Chest film ___.",
                                   "Comparison: No prior imaging available."]))
        if s == "decub":
            what = "pneumothorax (side of interest uppermost)" if tside != side else "free-flowing fluid"
            lines.append(f"TECHNIQUE: {_cap(tside)} lateral decubitus view, horizontal beam, to assess for {what}.")
        lines.append("")
        lung = self.lung_sentences()
        bones = list(self.bone_lines)
        if s == "ribs" and any(f[0] == "ribfx" for f in self.findings):
            bones = ["Ribs: " + " ".join(f[2] for f in self.findings if f[0] == "ribfx")]
        body = []
        if self.find_mode == "normal":
            head = LUNG_HEAD[s]
            lung_txt = " ".join(lung)
            if s in ("ribs", "skeletal", "abdo"):
                body = bones + [f"{head} {lung_txt}"] if self.fmt % 2 == 0 else bones + [head, lung_txt]
            elif s in ("tspine", "shoulder"):
                body = [" ".join(bones + [lung_txt])] if self.fmt % 2 == 0 else bones + [lung_txt]
            elif s == "topogram":
                body = [r.choice(["Topogram reviewed for chest findings as no recent chest radiograph is available.",
                                  "Comment on the CT scout image only."]), f"{head} {lung_txt}"]
            else:
                body = [lung_txt] if self.fmt % 2 == 0 else [x for x in lung]
                if self.score_line:
                    body.append(self.score_line)
        if self.find_mode != "absent":
            if self.hdr_find.endswith(":") and len(body) == 1 and self.fmt < 2:
                lines.append(f"{self.hdr_find} {body[0]}")
            else:
                lines.append(self.hdr_find)
                lines.extend(body)
            lines.append("")
        if self.imp_mode != "absent":
            imp = self.impression_lines()
            if self.imp_mode == "empty":
                imp = []
            if not imp:
                lines.append(self.hdr_imp)
            elif self.imp_numbered and len(imp) > 1:
                lines.append(self.hdr_imp)
                lines.extend(f"{i}. {x}" for i, x in enumerate(imp, 1))
            elif self.hdr_imp.endswith(":"):
                lines.append(f"{self.hdr_imp} {' '.join(imp)}")
            else:
                lines.append(self.hdr_imp)
                lines.append(" ".join(imp))
            lines.append("")
        lines.append(r.choice(["Dictated by: Dr. ___, Radiology Registrar. Verified: Dr. ___, Consultant Radiologist.",
                               "Electronically signed by ___, MD on ___ at ___.", "Reported by ___ (reporting radiographer).",
                               "Signed: ___ FRCR ___"]))
        return "\n".join(lines).strip() + "\n"

    def impression_lines(self):
        if self.imp_override is not None:
            return self.imp_override
        out = [f[3] for f in self.findings if f[0] not in self.trap]
        if not out:
            out = [self.normal_imp]
        return out + self.extra_imp

    def setup_extras(self):
        r, s = self.r, self.style
        self.bone_lines = [r.choice(BONES[s])] if BONES[s] else []
        if s == "skeletal":
            self.bone_lines = [r.choice(BONES[s])]
        self.lung_normal = r.choice(NORMAL_LUNG[s]).replace("{side}", self.side)
        self.normal_imp = r.choice(NORMAL_IMP[s]).replace("{side}", self.side)
        if self.iu:
            imp = self.iu["impression"]
            self.normal_imp = re.sub(r"^1\.\s*", "", imp).rstrip(". ") + "."
            if re.search(r"chest|radiograph|film", imp.lower()) and s not in ("covid", "covidfu", "ribs"):
                self.normal_imp = r.choice(NORMAL_IMP[s])
            if s in ("covid", "covidfu"):
                self.normal_imp += r.choice([" BSTI: CVCX0.", " RSNA: negative for pneumonia.", ""])
        self.score_line = covid_extra(r, [f[0] for f in self.findings]) if s in ("covid", "covidfu") else ""


def section(text, name):
    """Return the text of a section (FINDINGS / IMPRESSION) or None when its header is absent."""
    m = re.search(rf"^(REPORT / )?{name}:?[ \t]*(.*?)(?=^\s*(IMPRESSION|Impression|Dictated|Electronically|Reported|Signed)|\Z)",
                  text, re.M | re.S | re.I)
    if not m:
        return None
    return m.group(2).strip()


# --------------------------------------------------------------------------------------------
# Builders per group


def pick_findings(c, n, need=None, sig_only=False):
    pool = [k for k in STYLE_FINDINGS[c.style] if not sig_only or FIND[k][2]]
    r = c.r
    keys = []
    if need:
        keys.append(need)
    while len(keys) < n:
        k = r.choice(pool)
        if k not in keys and not (k in ("ggo", "bilggo") and ({"ggo", "bilggo"} & set(keys))) and \
                not ({k, *keys} >= {"consol", "collapse"}):
            keys.append(k)
    for k in keys:
        c.add(k)


def add_trap(c):
    """Non-significant findings that a clean report may leave out of the impression."""
    r = c.r
    side = r.choice(["right", "left"])
    keys = {f[0] for f in c.findings}
    trap = r.choice([f"Small {side} pleural effusion.", "Stable mild cardiomegaly.", f"Trace {side} costophrenic blunting.",
                     f"A 4 mm calcified granuloma in the {side} mid zone.", "Heart size at the upper limit of normal.",
                     "Old healed fractures of the " + side + " posterior ribs."])
    if "effusion" in keys and ("effusion" in trap or "costophrenic" in trap):
        return
    if c.style == "ribs" and "fracture" in trap:
        return
    if "nodule" in keys and "granuloma" in trap or "ribfx" in keys and "fracture" in trap:
        return
    c.extra_find.append(trap)


def new_case(r, iu, kind_needs_finding=None):
    styles = IU_STYLES if iu else list(STYLE_FINDINGS)
    if kind_needs_finding:
        styles = [s for s in styles if kind_needs_finding(s)]
    c = Case(r, r.choice(styles), iu)
    return c


def build_clean(r, iu):
    c = new_case(r, iu)
    roll = r.random()
    if roll < 0.45:
        pass
    else:
        pick_findings(c, 1 if roll < 0.85 else 2)
    c.setup_extras()
    if r.random() < 0.3 and c.findings and c.style not in ("skeletal", "covidfu", "decub", "shoulder") and not iu:
        add_trap(c)
    if c.style == "ribs" and r.random() < 0.5 and not any(f[0] == "ribfx" for f in c.findings):
        c.extra_imp.append("No rib fracture seen.") if c.findings else None
    _covid_category(c)
    return c, "unmodified"


def _covid_category(c):
    if c.style not in ("covid",) or not c.findings:
        return
    keys = {f[0] for f in c.findings}
    if "bilggo" in keys or "ggo" in keys:
        return
    if keys & {"consol", "collapse", "effusion", "ptx", "oedema", "nodule"}:
        c.extra_imp.append(c.r.choice(["Non-COVID (CVCX3).", "Atypical appearance for COVID-19 (RSNA).",
                                       "BSTI category: Non-COVID."]))


def build_missing(r, iu, i):
    c = new_case(r, iu)
    if r.random() < 0.5:
        pick_findings(c, 1)
    c.setup_extras()
    _covid_category(c)
    mode = i % 4
    if mode == 0:
        c.imp_mode = "absent"
        d = "IMPRESSION section removed entirely"
    elif mode == 1:
        c.imp_mode = "empty"
        d = "IMPRESSION header left with nothing under it"
    elif mode == 2:
        c.find_mode = "empty"
        d = "FINDINGS header left with nothing under it"
    else:
        c.find_mode = "absent"
        c.findings = []
        c.extra_imp = []
        c.imp_override = [r.choice(["No acute disease.", "Negative.", "No acute abnormality.", "Nil acute."])]
        d = "FINDINGS section removed; bare impression left that describes no finding"
    return c, d


def build_lat(r, iu, i):
    sided = lambda s: any(FIND[k][1] for k in STYLE_FINDINGS[s])  # noqa: E731
    c = new_case(r, iu, sided)
    key = r.choice([k for k in STYLE_FINDINGS[c.style] if FIND[k][1]])
    f = c.add(key)
    if r.random() < 0.3:
        other = [k for k in STYLE_FINDINGS[c.style] if k != key and not ({k, key} >= {"consol", "collapse"})
                 and not ({k, key} >= {"ggo", "bilggo"})]
        if other:
            c.add(r.choice(other))
    c.setup_extras()
    _covid_category(c)
    side = f[1]
    where = "impression" if i % 3 else "findings"
    pat = re.compile(rf"\b{side}\b", re.I)

    def flip(t):
        return pat.sub(lambda m: OPP[side].capitalize() if m.group(0)[0].isupper() else OPP[side], t)
    if where == "impression":
        f[3] = flip(f[3])
    else:
        f[2] = flip(f[2])
    c._lat = (f, side, where)
    return c, f"{key}: side flipped in {where.upper()} ({side} -> {OPP[side]}); other section keeps {side}"


def build_neg(r, iu, i):
    c = new_case(r, iu)
    key = r.choice([k for k in STYLE_FINDINGS[c.style] if k != "ribfx"])
    if i % 2 == 0:
        # findings affirm, impression rules out
        f = c.add(key)
        c.setup_extras()
        denial = r.choice(FIND[key][4])
        others = [x[3] for x in c.findings if x is not f]
        c.imp_override = others + [denial] if r.random() < 0.5 else [denial]
        if c.style in ("ribs",) and r.random() < 0.5:
            c.imp_override = ["No rib fracture."] + c.imp_override
        c._neg = ("affirm_find", key, denial)
        return c, f"FINDINGS affirm {key}; IMPRESSION rules it out: '{denial}'"
    # findings rule out, impression affirms
    f = c.add(key)
    c.setup_extras()
    denial = r.choice([d for d in FIND[key][4] if not re.search("CVCX|RSNA|Negative", d)] or FIND[key][4])
    c.findings.remove(f)
    if c.style in ("covid", "covidfu"):
        c.score_line = covid_extra(r, [])
    c.extra_find.append(denial)
    c.imp_override = [f[3]]
    c._neg = ("affirm_imp", key, denial)
    return c, f"FINDINGS rule out {key} ('{denial}'); IMPRESSION affirms it"


def build_omit(r, iu, i):
    c = new_case(r, iu)
    # a faint unilateral ground-glass patch is left out of the omission pool (borderline significance)
    key = r.choice([k for k in STYLE_FINDINGS[c.style] if FIND[k][2] and k != "ggo"])
    f = c.add(key)
    normal = i % 2 == 0
    if not normal:
        pool = [k for k in STYLE_FINDINGS[c.style] if k != key and not re.search(FIND[key][3], k)]
        if pool and r.random() < 0.6:
            k2 = r.choice(pool)
            if not ({k2, key} >= {"consol", "collapse"}) and not ({k2, key} >= {"ggo", "bilggo"}):
                c.add(k2)
    c.setup_extras()
    if normal:
        c.imp_override = [r.choice(OMIT_NORMAL.get(c.style, []) + ["No acute cardiopulmonary abnormality.", "No acute abnormality.",
                                                                    "No significant abnormality detected."])
                          if not iu else c.normal_imp]
        d = f"FINDINGS affirm {key}; IMPRESSION is a normal statement"
    else:
        lines = [x[3] for x in c.findings if x is not f]
        extra = {"ribs": "No rib fracture.", "tspine": "Mild thoracic spondylosis. No vertebral collapse.",
                 "shoulder": "Mild acromioclavicular joint arthropathy.", "abdo": "Faecal loading; no bowel obstruction.",
                 "skeletal": "No skeletal injury.", "decub": "No pneumothorax.", "topogram": "See separate CT report.",
                 "covid": c.r.choice(["Indeterminate for COVID-19 (CVCX2).", "Classic/Probable COVID-19."]),
                 "covidfu": "Improving COVID-19 changes."}[c.style]
        if c.style == "decub" and key == "ptx":
            extra = "Free-flowing fluid excluded."
        if c.style in ("covid", "covidfu") and key in ("bilggo", "ggo", "consol"):
            extra = "Heart size normal."
        if any(re.search(FIND[x[0]][3], extra.lower()) for x in c.findings):
            extra = "No acute bony injury."
        if c.style == "covidfu" and key not in ("bilggo", "ggo"):
            extra = "Residual bilateral peripheral opacities, improving."
            c.extra_find.append("Residual faint bilateral peripheral opacities, improved since the previous film.")
        c.imp_override = lines + [extra]
        d = f"FINDINGS affirm {key}; IMPRESSION lists other findings only"
    c._omit = (f, key)
    return c, d


OMIT_NORMAL = {"ribs": ["No acute bony injury."], "tspine": ["No acute thoracic spine abnormality."],
               "shoulder": ["No fracture or dislocation."], "abdo": ["Non-obstructive bowel gas pattern."],
               "skeletal": ["Normal skeletal survey."], "topogram": ["Nothing of note on the topogram."],
               "covid": ["No acute cardiopulmonary process."], "covidfu": ["Satisfactory progress."]}


def build_placeholder(r, iu, i):
    c = new_case(r, iu)
    if r.random() < 0.3:
        c.style = r.choice(["covid", "covidfu"])
    mode = i % 5
    if mode == 4 and c.style not in ("covid", "covidfu"):
        mode = i % 4
    sided = [k for k in STYLE_FINDINGS[c.style] if FIND[k][1]]
    key = r.choice(sided if mode in (0, 1) else STYLE_FINDINGS[c.style])
    f = c.add(key)
    c.setup_extras()
    if mode != 4:
        _covid_category(c)
    if mode == 0:  # side blank in findings
        tok = r.choice(["[LEFT/RIGHT]", "[right/left]", "[SIDE]", "<side>"])
        f[2] = re.sub(rf"\b{f[1]}\b", tok, f[2], count=1)
        d = f"side replaced by '{tok}' in FINDINGS"
    elif mode == 1:  # side blank in impression
        tok = r.choice(["[LEFT/RIGHT]", "[***]", "***"])
        f[3] = re.sub(rf"\b{f[1]}\b", tok, f[3], count=1, flags=re.I)
        d = f"side replaced by '{tok}' in IMPRESSION"
    elif mode == 2:  # measurement or grade blank
        if re.search(r"\d+ mm", f[2]):
            tok = r.choice(["XX mm", "__ mm", "[***] mm", "<size> mm"])
            f[2] = re.sub(r"\d+ mm", tok, f[2], count=1)
            d = f"measurement replaced by '{tok}'"
        elif re.search(r"moderate-sized|moderate|large", f[2]):
            tok = r.choice(["[small/moderate/large]", "[***]", "<grade>"])
            f[2] = re.sub(r"moderate-sized|moderate|large", tok, f[2], count=1, flags=re.I)
            d = f"effusion grade replaced by '{tok}'"
        else:
            tok = r.choice(["[***]", "<insert finding>", "[finding]"])
            c.extra_find.append(f"There is {tok} at the {f[1] or 'right'} base.")
            d = f"dictation blank '{tok}' where a finding word belongs"
    elif mode == 3:
        tok = r.choice(["[***]", "<insert>", "[ ]"])
        c.extra_imp.append(r.choice([f"Recommend follow-up radiograph in {tok} weeks.", f"Further: {tok}."]))
        d = f"template field '{tok}' left in IMPRESSION"
    else:  # COVID score or category left blank
        tok = r.choice(["RALE score: __/8.", "Brixia score: [  ]/18.", "BSTI category: [select].",
                        "RSNA category: <typical/indeterminate/atypical/negative>."])
        if c.style == "covid" and r.random() < 0.5 and tok.startswith(("RALE", "Brixia")):
            c.score_line = tok
            d = f"structured COVID score left unfilled in FINDINGS: '{tok}'"
        else:
            c.extra_imp.append(tok)
            d = f"structured COVID field left unfilled in IMPRESSION: '{tok}'"
    c._ph = tok.split(":")[-1].strip() if mode == 4 else tok
    return c, d


BUILDERS = {"missing_section": build_missing, "laterality_conflict": build_lat, "negation_conflict": build_neg,
            "impression_omits_finding": build_omit, "placeholder": build_placeholder}

# --------------------------------------------------------------------------------------------
# Verification (in code) that each injected error is really present, and clean ones are clean.

PH_RE = re.compile(r"\[[^\]]*(LEFT|RIGHT|SIDE|\*|select|finding|small|  )[^\]]*\]|<[a-z/ ]+>|\*\*\*|XX mm|__ ?mm|__/8|\[ \]",
                   re.I)


def verify(c, kind, text):
    fs, im = section(text, "FINDINGS"), section(text, "IMPRESSION")
    masked = re.sub(r"___", "", text)
    if kind != "placeholder":
        assert not PH_RE.search(masked), (kind, text)
    if kind != "missing_section":
        assert fs and im, (kind, text)
    if kind is None:
        for f in c.findings:
            if FIND[f[0]][2]:
                assert re.search(FIND[f[0]][3], im.lower()), ("clean omits", text)
        return
    if kind == "missing_section":
        assert (fs is None or fs == "") or (im is None or im == ""), text
        if fs is None:
            assert not any(re.search(FIND[k][3], im.lower()) for k in FIND), text
    elif kind == "laterality_conflict":
        f, side, where = c._lat
        assert f[2] in fs and f[3] in im, text
        if where == "impression":
            assert re.search(rf"\b{side}\b", f[2], re.I) and re.search(rf"\b{OPP[side]}\b", f[3], re.I), text
            assert not re.search(rf"\b{side}\b", f[3], re.I), text
        else:
            assert re.search(rf"\b{OPP[side]}\b", f[2], re.I) and not re.search(rf"\b{side}\b", f[2], re.I), text
            assert re.search(rf"\b{side}\b", f[3], re.I), text
    elif kind == "negation_conflict":
        how, key, denial = c._neg
        if how == "affirm_find":
            assert denial in im and any(x[0] == key and x[2] in fs for x in c.findings), text
        else:
            assert denial in fs and re.search(FIND[key][3], im.lower()), text
    elif kind == "impression_omits_finding":
        f, key = c._omit
        assert f[2] in fs, text
        assert not re.search(FIND[key][3], im.lower()), (key, text)
        assert not re.search(r"clear|negative for pneumonia|cvcx0|normal chest|normal (radiograph|study)", im.lower()), text
    elif kind == "placeholder":
        assert c._ph in text and PH_RE.search(masked), text


# --------------------------------------------------------------------------------------------


def shared_dir():
    d = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(d) if d else Path(__file__).resolve().parents[1].parent / "shared"
    if not (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        sys.stderr.write(f"shared data not found at {p}: set MEDRAG_SHARED_DIR to the shared folder\n")
        sys.exit(2)
    return p


def dev_uids(shared):
    p = shared / "eval" / "report_errors_dev.jsonl"
    if not p.exists():
        return set()
    return {json.loads(line)["uid"] for line in p.open() if line.strip()}


def generate(seed, shared):
    r = random.Random(seed)
    iu = load_iu(shared, dev_uids(shared))
    r.shuffle(iu)
    iu_iter = iter(iu)
    groups = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    rows = []
    for kind, n in groups:
        for i in range(n):
            use_iu = i % 2 == 1
            for _attempt in range(50):
                src = next(iu_iter) if use_iu else None
                cr = random.Random(r.getrandbits(64))
                c, detail = (build_clean(cr, src) if kind is None else BUILDERS[kind](cr, src, i // 2))
                text = c.render()
                try:
                    verify(c, kind, text)
                except AssertionError:
                    continue
                break
            else:
                raise RuntimeError(f"could not build a {kind} case")
            origin = f"IU {src['uid']}" if src else "composed"
            rows.append({"injected": kind, "detail": f"{detail} [{c.style}; {origin}]" if kind else f"unmodified [{c.style}; {origin}]",
                         "report": text, "_uid": src["uid"] if src else None})
    r.shuffle(rows)
    out = []
    for n, row in enumerate(rows):
        h = hashlib.sha256(f"{seed}:{n}:{row['report']}".encode()).hexdigest()[:16]
        out.append({"id": f"h44-{h}", "injected": row["injected"], "detail": row["detail"], "report": row["report"]})
    return out, [row["_uid"] for row in rows if row["_uid"]]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=4401)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    rows, _ = generate(a.seed, shared)
    with open(a.out, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for row in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"===== {kind} | {row['detail']}\n{row['report']}")
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
