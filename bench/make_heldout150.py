"""Held-out report-error set 150: cardiology / heart-failure chest films (US and UK), written blind.

usage: python -m bench.make_heldout150 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines {"id", "injected", "detail", "report"}: 200 clean reports and 40 of each of the
five kinds of ``shared/eval/README.md``. Half of every group is composed from a phrase bank in the style
of cardiology and heart-failure clinics and wards (pacemakers, ICDs, CRT, LVADs, valves, sternotomy,
congestion graded, effusions); the other half are real IU reports (never a dev-set uid, each used once),
re-laid out and lightly re-worded in that style. Standard library only.
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
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40
REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


# ----------------------------------------------------------------------------------------------------------
# IU archive
# ----------------------------------------------------------------------------------------------------------

def _clean_text(t):
    t = re.sub(r"\s+", " ", t or "").strip()
    t = re.sub(r"(\.\s*){2,}", ". ", t).strip()
    t = re.sub(r"\s+\.", ".", t)
    return t.strip()


def load_iu(shared):
    rows = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf.getmembers():
            if not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid = root.find("uId").get("id")
            d = {a.get("Label"): _clean_text(a.text) for a in root.iter("AbstractText")}
            rows.append({"uid": uid, "findings": d.get("FINDINGS", ""), "impression": d.get("IMPRESSION", ""),
                         "indication": d.get("INDICATION", ""), "comparison": d.get("COMPARISON", "")})
    rows.sort(key=lambda r: int(r["uid"][3:]))
    return rows


def dev_uids(shared):
    out = set()
    with open(shared / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            if line.strip():
                out.add(json.loads(line)["uid"])
    return out


# ----------------------------------------------------------------------------------------------------------
# Sentence-level concept analysis (used to keep clean IU reports really clean and to pick injection sites)
# ----------------------------------------------------------------------------------------------------------

CONCEPTS = {
    "effusion": r"effusion|pleural fluid",
    "oedema": r"\bo?edema|congestion|congestive|\bchf\b|fluid overload|cardiac failure|heart failure",
    "consolidation": r"consolidat|pneumonia|air ?space (disease|opacit)|infiltrat",
    "pneumothorax": r"pneumothora",
    "mass": r"\bmass(es)?\b|nodul",
    "cardiomegaly": r"cardiomegaly|(heart|cardiac|cardiomediastinal)[^.;]{0,40}\benlarge|enlarged (heart|cardiac)",
    "atelectasis": r"atelecta",
    "opacity": r"opacit|opacification",
}
SIGNIFICANT = ["effusion", "oedema", "consolidation", "pneumothorax", "mass"]
NEG_CUE = re.compile(r"\b(no|not|without|negative for|free of|resolved|resolution of|absence of|none|clear of|"
                     r"removed|nor|clearing of|cleared)\b")
BREAK = re.compile(r"\b(but|however|although|though|except|apart from|aside from|with|which|there is|there are|"
                   r"remains?|persists?|noted|seen|present|new|increas\w*)\b|;")
POST_NEG = re.compile(r"^[^.;,]{0,30}?\b((is|are|was|were|has|have)\s+(not|no longer|resolved)|not (seen|appreciated|"
                      r"identified|visualized|demonstrated)|resolved|absent|cleared)\b")
HEDGE = re.compile(r"\b(probabl[ey]|possibl[ey]|may|might|versus|vs|and/or|question\w*|suspect\w*|cannot|could|"
                   r"borderline|"
                   r"minimal|trace|tiny|streaky|subtle|equivocal|atelecta\w*|scar\w*|chronic|improv\w*|resolv\w*|"
                   r"appears?|fibrosis|old|clearing|cleared|removed|decreas\w*|less|smaller|residual)\b|\?", re.I)
LUNGS_CLEAR = re.compile(r"\blungs?\b[^.;]{0,25}\b(clear|normal|unremarkable)\b|\bclear lungs\b")
HEART_NORMAL = re.compile(r"\b(heart|cardiac)\b[^.;]{0,45}\b(normal|within normal limits|not enlarged|unremarkable)\b"
                          r"|\bnormal (heart|cardiac)\b")
NORMAL_IMP = re.compile(r"\b(no acute|normal|negative|no active|unremarkable|no radiographic|no evidence of acute|"
                        r"no significant)\b", re.I)


def sentences(text):
    text = re.sub(r"(^|\s)\d+\.\s+(?=[A-Za-z])", r"\1", text)
    parts = re.split(r"(?<=[.;!?])\s+|\n+", text)
    return [p.strip() for p in parts if p.strip()]


def sent_concepts(s):
    """(affirmed, negated) concept sets of one sentence."""
    low = s.lower()
    aff, neg = set(), set()
    for c, pat in CONCEPTS.items():
        for m in re.finditer(pat, low):
            before = low[: m.start()]
            cues = list(NEG_CUE.finditer(before))
            if cues and not BREAK.search(before[cues[-1].end():]) or POST_NEG.search(low[m.end():]):
                neg.add(c)
            else:
                aff.add(c)
    otherwise = "otherwise" in low or "except" in low or "apart from" in low
    if LUNGS_CLEAR.search(low) and not otherwise:
        neg |= {"consolidation", "oedema", "opacity", "atelectasis", "mass"}
    if HEART_NORMAL.search(low) and "cardiomegaly" not in aff:
        neg.add("cardiomegaly")
    return aff, neg


def section_concepts(text):
    aff, neg = set(), set()
    for s in sentences(text):
        a, n = sent_concepts(s)
        aff |= a
        neg |= n
    return aff, neg


SIDE = re.compile(r"\b(left|right)\b", re.I)
ANATOMIC = re.compile(r"\b(right|left) (atri|ventric|heart|cardiac|hilum|heart border|sided aortic arch)", re.I)
FIND_NOUN = re.compile(r"effusion|atelecta|opacit|consolidat|pneumonia|infiltrat|air ?space|nodul|granuloma|mass|"
                       r"pneumothora|scar|base|basilar|lobe|hemidiaphragm|catheter|pacemaker|port\b|picc|fracture|"
                       r"rib|apex|apical|pleural|lung", re.I)


def side_words(text):
    clean = ANATOMIC.sub("", text)
    return {m.group(1).lower() for m in SIDE.finditer(clean)}


def impression_is_normal(imp):
    aff, _ = section_concepts(imp)
    return bool(NORMAL_IMP.search(imp)) and not aff


def consistent(findings, impression):
    """Strict consistency of a findings/impression pair (used for every IU base report)."""
    fa, fn = section_concepts(findings)
    ia, inn = section_concepts(impression)
    if (fa & inn) or (ia & fn):
        return False
    if impression_is_normal(impression) and fa:
        return False
    if any(c in fa and c not in ia for c in SIGNIFICANT):
        return False
    if ia - fa - {"opacity", "atelectasis", "cardiomegaly"}:
        return False  # impression asserts something the findings do not describe
    fs = side_words(findings)
    for s in sentences(impression):
        for w in side_words(s):
            if w not in fs:
                return False
    # a side in the impression that the findings give the other way for the same noun
    for s in sentences(impression):
        sw = side_words(s)
        nouns = {m.group(0).lower()[:5] for m in FIND_NOUN.finditer(s)}
        for fsent in sentences(findings):
            fsw = side_words(fsent)
            fnouns = {m.group(0).lower()[:5] for m in FIND_NOUN.finditer(fsent)}
            if len(sw) == 1 and len(fsw) == 1 and sw != fsw and (nouns & fnouns) - {"lobe", "lung", "base", "pleur"}:
                # same noun, other side: acceptable only if the findings also give the impression's side for it
                if not any(sw <= side_words(f2) and (nouns & {m.group(0).lower()[:5] for m in FIND_NOUN.finditer(f2)})
                           for f2 in sentences(findings)):
                    return False
    return True


# ----------------------------------------------------------------------------------------------------------
# Style: spelling, headers, sign-offs, indications
# ----------------------------------------------------------------------------------------------------------

UK_SPELL = [(r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"hemorrhag", "haemorrhag"), (r"\bcaliber", "calibre"),
            (r"\bcenter", "centre"), (r"\bcolor", "colour"),
            (r"\bcephalization", "upper lobe venous diversion"), (r"\bhematoma", "haematoma"),
            (r"\banesthe", "anaesthe"), (r"\besophag", "oesophag"), (r"\bfetal", "fetal")]


def uk_spell(t):
    for a, b in UK_SPELL:
        t = re.sub(a, b, t)
    return t


US_NAMES = ["Michael Chen, MD", "Sarah Goldberg, MD", "David Okoye, MD", "Emily Park, MD", "Robert Alvarez, MD",
            "Priya Raman, MD", "James Whitfield, MD"]
UK_NAMES = ["Dr S. Okafor, Consultant Cardiothoracic Radiologist", "Dr R. Hughes, Consultant Radiologist",
            "Dr A. Patel, Consultant Radiologist", "Dr C. Lloyd-Evans, Consultant Cardiac Radiologist",
            "Mrs J. Holloway, Consultant Reporting Radiographer",
            "Dr F. McBride, ST4 Radiology / Dr R. Hughes, Consultant"]


def signoff(rng, sty):
    if sty == "us":
        n = rng.choice(US_NAMES)
        return rng.choice([f"Electronically signed by: {n} on XXXX",
                           f"Dictated by: {n}\nSigned: XXXX",
                           f"I have personally reviewed the images and agree with the findings.\nAttending: {n}",
                           f"Electronically signed: {n}"])
    n = rng.choice(UK_NAMES)
    return rng.choice([f"Reported by: {n}", n, f"{n}\nVerified: XXXX", f"Report authorised by {n} (GMC XXXX)"
                       if n.startswith("Dr") else f"Reported by: {n}"])


US_IND = ["CHF exacerbation, shortness of breath.", "Dyspnea, elevated BNP. Evaluate for volume overload.",
          "Heart failure with reduced EF, weight gain.", "Chest pain, rule out acute process.",
          "Pre-op evaluation.", "Cough and orthopnea.", "Follow-up pulmonary edema after diuresis.",
          "Cardiology clinic follow-up, dyspnea on exertion."]
UK_IND = ["SOB. Known LVSD. ?Fluid overload.", "Worsening breathlessness, HFrEF. ?Congestion.",
          "Heart failure clinic review. Peripheral oedema.", "Chest pain. ?ACS. Baseline film.",
          "Pre-op assessment.", "Increasing dyspnoea, orthopnoea. ?LVF.", "Follow-up after IV diuretics.",
          "AF with fast ventricular rate, breathless."]
DEVICE_IND = {
    "us": ["S/p dual-chamber pacemaker placement, evaluate for pneumothorax.", "Post device implant check.",
           "Post-op CABG.", "LVAD patient with cough.", "S/p TAVR.", "ICD generator change, post procedure."],
    "uk": ["Post PPM insertion - ?pneumothorax ?lead position.", "Post ICD implant.", "Day 2 post CABG.",
           "LVAD in situ, new cough.", "Post TAVI.", "CRT-D upgrade today. ?PTX."],
}


def indication(rng, sty, has_device):
    if has_device and rng.random() < 0.6:
        return rng.choice(DEVICE_IND[sty])
    return rng.choice(US_IND if sty == "us" else UK_IND)


def comparison(rng, sty):
    if sty == "us":
        return rng.choice(["Chest radiograph dated XXXX.", "None.", "XXXX.", "PA and lateral chest XXXX.",
                           "Portable chest radiograph from ___."])
    return rng.choice(["Previous film of XXXX.", "None available.", "CXR XXXX.", "Compared with film dated ___."])


EXAM = {"us": ["XR CHEST PA AND LATERAL", "XR CHEST 1 VIEW PORTABLE", "CHEST 2 VIEWS", "XR CHEST AP PORTABLE"],
        "uk": ["XR Chest PA", "XR Chest AP (ward, mobile)", "Chest X-ray PA", "CXR AP erect (CCU)"]}
GENERIC_NORMAL = {"us": ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
                         "No acute cardiopulmonary disease.", "Normal chest radiograph."],
                  "uk": ["No acute abnormality.", "Normal chest radiograph.", "No acute cardiopulmonary abnormality.",
                         "Satisfactory appearances. No acute findings."]}


OTHER_NORMAL = {"us": ["No other acute cardiopulmonary process.", "No other acute cardiopulmonary abnormality."],
                "uk": ["No other acute abnormality.", "Otherwise no acute findings."]}


def layout(rng, sty):
    if sty == "us":
        return rng.choice(["us_block", "us_struct", "us_inline"])
    return rng.choice(["uk_report", "uk_findings", "uk_inline"])


def fmt_impression(items, lay, rng):
    items = [i.strip() for i in items if i.strip()]
    items = [i if i.endswith((".", "?")) else i + "." for i in items]
    if len(items) > 1 and (lay.startswith("us") and rng.random() < 0.7 or rng.random() < 0.4):
        return "\n".join(f"{k}. {t}" for k, t in enumerate(items, 1))
    return " ".join(items)


def render(lay, sty, rng, *, exam, history, comp, findings, impression, sign, missing=None):
    """findings: str or list of (label, text) lines; impression: str. missing: None or
    ('findings'|'impression', 'empty'|'sig'|'removed')."""
    fh, ih = {"us_block": ("FINDINGS:", "IMPRESSION:"), "us_struct": ("FINDINGS:", "IMPRESSION:"),
              "us_inline": ("FINDINGS:", "IMPRESSION:"), "uk_report": ("Report:", "Conclusion:"),
              "uk_findings": ("Findings:", rng.choice(["Opinion:", "Impression:", "Comment:"])),
              "uk_inline": ("FINDINGS:", "CONCLUSION:")}[lay]
    if isinstance(findings, list):
        findings = "\n".join(f"{a}: {b}" for a, b in findings)
    head = []
    if lay.startswith("us"):
        head.append(f"{rng.choice(['EXAM', 'EXAMINATION', 'PROCEDURE'])}: {exam}")
        head.append(f"{rng.choice(['CLINICAL HISTORY', 'INDICATION', 'REASON FOR EXAM'])}: {history}")
        if lay == "us_struct":
            head.append("TECHNIQUE: " + ("Single frontal view of the chest." if "1 VIEW" in exam or "AP" in exam
                                         else "PA and lateral views of the chest."))
        head.append(f"COMPARISON: {comp}")
    else:
        head.append(exam)
        head.append(f"{rng.choice(['Clinical details', 'Clinical indication', 'History'])}: {history}")
        head.append(f"Comparison: {comp}")
    block = lay in ("us_block", "us_struct", "uk_report")
    out = ["\n".join(head)]
    fsec = impsec = True
    if missing:
        which, how = missing
        if which == "findings":
            findings = ""
        else:
            impression = ""
            if how == "removed":
                impsec = False
    if fsec:
        if block:
            out.append(fh + ("\n" + findings if findings else ""))
        else:
            out.append((fh + " " + findings).rstrip())
    if impsec:
        if missing == ("impression", "sig"):
            out.append(ih + "\n" + sign)
            return "\n".join(x for x in _blank_join(out)).strip() + "\n"
        if block:
            out.append(ih + ("\n" + impression if impression else ""))
        else:
            out.append((ih + " " + impression).rstrip())
    out.append(sign)
    return "\n".join(_blank_join(out)).strip() + "\n"


def _blank_join(parts):
    res = []
    for p in parts:
        res.append(p)
        res.append("")
    return res[:-1]


# ----------------------------------------------------------------------------------------------------------
# Phrase bank (composed half). Each item renders a findings sentence and an impression phrase for a side.
# ----------------------------------------------------------------------------------------------------------

def _cap(s):
    return s[:1].upper() + s[1:]


class Item:
    def __init__(self, key, concept, cat, f, i, *, side=None, sig=False, lateral=False, size=None, num=None):
        self.key, self.concept, self.cat = key, concept, cat
        self.f_tpl, self.i_tpl = f, i
        self.side, self.sig, self.lateral, self.size, self.num = side, sig, lateral, size, num

    def fill(self, tpl, side=None, size=None, num=None):
        if tpl is None:
            return None
        side = side or self.side or ""
        size = size or self.size or ""
        num = num or self.num or ""
        t = tpl.format(side=side, Side=_cap(side), size=size, Size=_cap(size), n=num)
        return t

    def f(self, **kw):
        return self.fill(self.f_tpl, **kw)

    def i(self, **kw):
        return self.fill(self.i_tpl, **kw)


def make_item(rng, sty, key, side=None, size=None):
    us = sty == "us"
    side = side or rng.choice(["left", "right"])
    ch = rng.choice
    if key == "pacemaker":
        f = ch(["{Side} chest wall dual-chamber pacemaker with leads terminating in the right atrium and right "
                "ventricle, unchanged.", "{Side}-sided pacemaker generator with two leads in expected position."]
               if us else ["{Side} pectoral dual-chamber pacemaker with leads projected over the right atrium and "
                           "right ventricle.", "{Side}-sided permanent pacemaker, leads in satisfactory position."])
        i = ch(["Stable {side} chest wall pacemaker.", "{Side}-sided dual-chamber pacemaker in expected position."]
               if us else ["{Side}-sided PPM in satisfactory position.", "{Side} pectoral pacemaker, no complication."])
        return Item(key, "device", "dev", f, i, side=side, lateral=True)
    if key == "icd":
        f = ch(["{Side} chest wall AICD with a single lead terminating at the right ventricular apex.",
                "{Side}-sided single-lead ICD, unchanged in position."] if us else
               ["{Side}-sided ICD with the lead tip projected over the right ventricular apex.",
                "{Side} pectoral single-chamber ICD in situ."])
        i = ch(["Stable {side} chest wall AICD."] if us else ["{Side}-sided ICD in situ.", "{Side} ICD, lead stable."])
        return Item(key, "device", "dev", f, i, side=side, lateral=True)
    if key == "crt":
        f = ch(["{Side} chest wall biventricular ICD (CRT-D) with right atrial, right ventricular and coronary "
                "sinus leads in expected position."] if us else
               ["Biventricular pacing system (CRT-D) via the {side} subclavian route, leads in satisfactory "
                "position.", "{Side} pectoral CRT device with RA, RV and coronary sinus leads."])
        i = ch(["{Side} chest wall CRT-D, leads unchanged."] if us else
               ["{Side}-sided CRT-D in satisfactory position."])
        return Item(key, "device", "dev", f, i, side=side, lateral=True)
    if key == "picc":
        f = ch(["{Side} upper extremity PICC with the tip in the lower SVC."] if us else
               ["{Side} arm PICC line with its tip at the cavoatrial junction."])
        i = ch(["{Side} PICC, tip in the SVC."] if us else ["{Side} PICC line, tip in satisfactory position."])
        return Item(key, "device", "dev", f, i, side=side, lateral=True)
    if key == "lvad":
        f = ch(["Left ventricular assist device in place, unchanged in position.",
                "LVAD in situ with the inflow cannula projected over the cardiac apex."])
        i = ch(["LVAD in situ.", "Stable LVAD."] if not us else ["LVAD in place.", "Stable LVAD position."])
        return Item(key, "device", "dev", f, i)
    if key == "sternotomy":
        f = ch(["Median sternotomy wires and mediastinal clips from prior CABG.", "Intact median sternotomy wires."]
               if us else ["Intact median sternotomy wires and CABG clips.", "Sternotomy wires are intact."])
        i = ch(["Status post CABG.", "Post-sternotomy changes."] if us else ["Post-CABG appearances.",
                                                                           "Previous sternotomy."])
        return Item(key, "device", "dev", f, i)
    if key == "valve":
        f, i = ch([("Prosthetic aortic valve in situ.", "Aortic valve replacement." if not us else "Status post AVR."),
                   ("Mechanical mitral valve prosthesis.", "Mitral valve replacement."),
                   ("TAVI prosthesis projected over the aortic root." if not us else
                    "Transcatheter aortic valve prosthesis in place.", "TAVI in situ." if not us else
                    "Status post TAVR.")])
        return Item(key, "device", "dev", f, i)
    if key == "stents":
        return Item(key, "device", "dev", "Coronary artery stents are noted." if us else "Coronary stents noted.",
                    "Post-PCI appearances." if not us else None)
    if key == "cardiomegaly":
        f = ch(["The cardiac silhouette is moderately enlarged, unchanged.", "Stable mild cardiomegaly."] if us else
               ["The heart is enlarged (CTR 0.{n}).", "Cardiomegaly, unchanged from the previous film."])
        i = ch(["Stable cardiomegaly.", "Cardiomegaly."] if us else ["Cardiomegaly.", "Stable cardiomegaly."])
        return Item(key, "cardiomegaly", "heart", f, i, num=str(rng.randint(56, 66)))
    if key == "congestion":
        f = ch(["Pulmonary vascular congestion with cephalization.", "Mild pulmonary vascular congestion."] if us else
               ["Upper lobe venous diversion, in keeping with pulmonary venous hypertension.",
                "Upper lobe blood diversion in keeping with early congestion."])
        i = ch(["Pulmonary vascular congestion.", "Mild pulmonary vascular congestion, new from prior."] if us else
               ["Pulmonary venous congestion.", "Early congestive cardiac failure."])
        return Item(key, "oedema", "lung", f, i, sig=True)
    if key == "int_oedema":
        f = ch(["Increased interstitial markings with Kerley B lines and peribronchial cuffing, consistent with "
                "interstitial edema.", "Interstitial edema has increased since the prior study."] if us else
               ["Upper lobe blood diversion, bilateral septal lines and peribronchial cuffing, in keeping with "
                "interstitial pulmonary oedema.", "Bilateral Kerley B lines and hazy perihilar shadowing, in keeping "
                "with interstitial oedema."])
        i = ch(["Interstitial pulmonary edema, worse than prior.", "Mild interstitial edema."] if us else
               ["Interstitial pulmonary oedema, in keeping with fluid overload.", "Features of cardiac failure with "
                "interstitial oedema."])
        return Item(key, "oedema", "lung", f, i, sig=True)
    if key == "alv_oedema":
        f = ("Bilateral perihilar airspace opacities consistent with alveolar pulmonary edema." if us else
             "Bilateral perihilar airspace shadowing in a bat's wing distribution, in keeping with alveolar oedema.")
        i = ch(["Moderate pulmonary edema.", "Alveolar pulmonary edema, new since the prior study."] if us else
               ["Pulmonary oedema.", "Alveolar pulmonary oedema - congestive cardiac failure."])
        return Item(key, "oedema", "lung", f, i, sig=True)
    if key == "consolidation":
        f = ch(["Focal airspace opacity in the {side} lower lobe, concerning for pneumonia."] if us else
               ["Airspace opacification in the {side} lower zone, in keeping with consolidation.",
                "New consolidation in the {side} mid and lower zones."])
        i = ch(["{Side} lower lobe pneumonia.", "{Side} lower lobe airspace disease, likely pneumonia."] if us else
               ["{Side} lower zone consolidation, likely infective.", "{Side}-sided pneumonia."])
        return Item(key, "consolidation", "lung", f, i, side=side, sig=True, lateral=True)
    if key == "atelectasis":
        f = ch(["Mild {side} basilar atelectasis."] if us else ["Linear atelectasis at the {side} base."])
        i = ch(["Minor {side} basilar atelectasis."] if us else ["{Side} basal atelectasis.", None])
        return Item(key, "atelectasis", "lung", f, i, side=side, lateral=i is not None)
    if key in ("nodule", "small_nodule"):
        n = str(rng.randint(7, 14) if key == "nodule" else rng.randint(3, 5))
        f = ch(["{n} mm nodular opacity in the {side} upper lobe."] if us else
               ["There is a {n} mm nodule projected over the {side} mid zone."])
        if key == "nodule":
            i = ch(["{n} mm {side} upper lobe nodule. Recommend non-contrast chest CT."] if us else
                   ["{n} mm {side} mid zone nodule; CT chest recommended."])
        else:
            i = ch(["{n} mm {side} upper lobe nodule, likely benign."] if us else
                   ["Small ({n} mm) {side} mid zone nodule, probably a granuloma."])
        return Item(key, "mass", "lung", f, i, side=side, sig=key == "nodule", lateral=True, num=n)
    if key == "pneumothorax":
        f = ch(["Small {side} apical pneumothorax.", "New small {side} apical pneumothorax, approximately 1 cm."] if us
               else ["Small {side} apical pneumothorax, rim 1.5 cm.", "New {side} apical pneumothorax."])
        i = ch(["Small {side} apical pneumothorax. Findings communicated to the ordering team at XXXX."] if us else
               ["Small {side} apical pneumothorax. Discussed with the cardiology registrar.", "{Side} pneumothorax."])
        return Item(key, "pneumothorax", "pleura", f, i, side=side, sig=True, lateral=True)
    if key == "effusion":
        size = size or rng.choice(["small", "small", "moderate", "large"])
        if size == "small":
            f = ch(["Small {side} pleural effusion.",
                    "Blunting of the {side} costophrenic angle, consistent with a small "
                    "effusion."] if us else ["Small {side} pleural effusion.", "Blunting of the {side} costophrenic "
                                            "angle in keeping with a small effusion."])
        else:
            f = ch(["{Size} {side} pleural effusion with adjacent basilar atelectasis.", "{Size} {side} pleural "
                    "effusion, increased from prior."] if us else
                   ["{Size} {side} pleural effusion with basal atelectasis.", "{Size} {side} pleural effusion, "
                    "larger than on the previous film."])
        i = ch(["{Size} {side} pleural effusion.", "{Size} {side} effusion."])
        return Item(key, "effusion", "pleura", f, i, side=side, sig=size != "small", lateral=True, size=size)
    if key == "bil_effusion":
        size = size or rng.choice(["small", "small", "moderate"])
        f = ch(["{Size} bilateral pleural effusions.",
                "{Size} bilateral pleural effusions, slightly larger than before."])
        i = ch(["{Size} bilateral pleural effusions.", "{Size} bilateral effusions."])
        return Item(key, "effusion", "pleura", f, i, sig=size != "small", size=size)
    if key == "mediastinum":
        f = ("The superior mediastinum is widened, new compared with the preoperative study." if us else
             "The superior mediastinum is widened, new since the pre-operative film.")
        i = ("New mediastinal widening following sternotomy, possibly hematoma; recommend correlation with CT." if us
             else "New mediastinal widening post sternotomy, ?haematoma. Suggest CT if clinically indicated.")
        return Item(key, "mediastinum", "heart", f, i, sig=True)
    if key == "aorta":
        f = "Unfolded, calcified thoracic aorta." if not us else "Tortuous, calcified thoracic aorta."
        return Item(key, "aorta", "heart", f, ch([None, "Aortic unfolding." if not us else "Aortic atherosclerosis."]))
    if key == "hyperinflation":
        return Item(key, "hyper", "lung", "The lungs are hyperinflated." if not us else "The lungs are hyperexpanded.",
                    ch(["Hyperinflation in keeping with COPD.", None]))
    if key == "spine":
        return Item(key, "bones", "bones", "Degenerative changes in the thoracic spine.", None)
    raise KeyError(key)


DEVICE_KEYS = ["pacemaker", "icd", "crt", "picc", "lvad", "sternotomy", "valve", "stents"]
NEGATIVES = {
    "effusion": {"us": ["No pleural effusion.", "No pleural effusion or pneumothorax."],
                 "uk": ["No pleural effusion.", "The costophrenic angles are clear."]},
    "pneumothorax": {"us": ["No pneumothorax."], "uk": ["No pneumothorax."]},
    "lungs": {"us": ["The lungs are clear.", "Lungs are clear."], "uk": ["The lungs are clear.", "Clear lungs."]},
    "consolidation": {"us": ["No focal consolidation."], "uk": ["No focal consolidation."]},
    "oedema": {"us": ["No pulmonary edema or vascular congestion.", "No pulmonary edema."],
               "uk": ["No pulmonary oedema.", "No features of congestion or fluid overload."]},
    "cardiomegaly": {"us": ["Heart size is normal.", "The cardiac silhouette is within normal limits."],
                     "uk": ["Heart size is normal.", "The heart is not enlarged (CTR 0.4{d})."]},
    "mediastinum": {"us": ["Normal mediastinal contours."], "uk": ["Mediastinal contours are normal."]},
    "bones": {"us": ["No acute osseous abnormality."], "uk": ["No bony abnormality."]},
}


def negative(rng, sty, concept):
    return rng.choice(NEGATIVES[concept][sty]).format(d=rng.randint(2, 9))


NEG_COVERS = {"effusion": {"effusion"}, "pneumothorax": {"pneumothorax"}, "consolidation": {"consolidation"},
              "oedema": {"oedema"}, "cardiomegaly": {"cardiomegaly"}, "mediastinum": {"mediastinum", "aorta"},
              "lungs": {"consolidation", "oedema", "atelectasis", "mass", "hyper"}, "bones": {"bones"}}


class Case:
    def __init__(self, rng, sty, items):
        self.rng, self.sty, self.items = rng, sty, items
        self.concepts = {it.concept for it in items}
        self.negs = []  # (concept, text)
        for c in ["mediastinum", "cardiomegaly", "lungs", "consolidation", "oedema", "effusion", "pneumothorax",
                  "bones"]:
            if NEG_COVERS[c] & self.concepts:
                continue
            if c == "effusion" and "pneumothorax" in self.concepts:
                continue
            if c in ("consolidation", "oedema") and "lungs" in dict(self.negs) and rng.random() < 0.6:
                continue
            if rng.random() < {"bones": 0.4, "mediastinum": 0.5}.get(c, 0.85):
                self.negs.append((c, negative(rng, sty, c)))
        # "No pleural effusion or pneumothorax." covers both
        if any("or pneumothorax" in t for _, t in self.negs):
            self.negs = [(c, t) for c, t in self.negs if c != "pneumothorax"]

    def findings_sentences(self, override=None, extra_negs=()):
        override = override or {}
        order = {"dev": 0, "heart": 1, "lung": 2, "pleura": 3, "bones": 4}
        negcat = {"mediastinum": "heart", "cardiomegaly": "heart", "lungs": "lung", "consolidation": "lung",
                  "oedema": "lung", "effusion": "pleura", "pneumothorax": "pleura", "bones": "bones"}
        rows = [(order[it.cat], 0, override.get(it.key, it.f())) for it in self.items]
        rows += [(order[negcat[c]], 1, t) for c, t in list(self.negs) + list(extra_negs)]
        rows.sort(key=lambda r: (r[0], r[1]))
        return rows, order

    def findings_text(self, lay, override=None, extra_negs=()):
        rows, order = self.findings_sentences(override, extra_negs)
        if lay == "us_struct":
            labels = [("Lines/tubes/devices", 0), ("Heart and mediastinum", 1), ("Lungs", 2), ("Pleura", 3),
                      ("Bones/soft tissues", 4)]
            out = []
            for lab, k in labels:
                txt = " ".join(t for o, _, t in rows if o == k and t)
                if not txt:
                    txt = {0: "None.", 1: "Unremarkable.", 2: "Clear.", 3: "No effusion or pneumothorax.",
                           4: "Unremarkable."}[k]
                    if k == 3 and {"effusion", "pneumothorax"} & self.concepts:
                        txt = "Unremarkable."
                    if k == 2 and ({"consolidation", "oedema", "atelectasis", "mass", "hyper"} & self.concepts):
                        txt = "As above."
                out.append((lab, txt))
            return out
        return " ".join(t for _, _, t in rows if t)

    def impression_items(self, override=None, drop=()):
        override = override or {}
        its = sorted(self.items, key=lambda it: (not it.sig, it.cat != "heart", it.cat == "dev"))
        out = []
        for it in its:
            if it.key in drop:
                continue
            t = override.get(it.key, it.i())
            if t:
                out.append(t)
        return out


def pick_items(rng, sty, want=None, avoid=()):
    """A plausible cardiology mix of findings. want: keys that must be there."""
    keys = list(want or [])
    n_dev = rng.choice([0, 1, 1, 2, 2, 3])
    pool = [k for k in DEVICE_KEYS if k not in keys]
    for k in rng.sample(pool, n_dev):
        if k in ("pacemaker", "icd", "crt") and {"pacemaker", "icd", "crt"} & set(keys):
            continue
        keys.append(k)
    if {"lvad", "crt", "icd"} & set(keys) and rng.random() < 0.5:
        keys.append("cardiomegaly")
    extra = rng.choice([0, 0, 1, 1, 2])
    optional = ["cardiomegaly", "cardiomegaly", "congestion", "int_oedema", "effusion", "bil_effusion", "atelectasis",
                "consolidation", "small_nodule", "aorta", "hyperinflation", "spine", "alv_oedema", "nodule"]
    for k in rng.sample(optional, extra):
        keys.append(k)
    keys = [k for k in dict.fromkeys(keys) if k not in avoid]
    want = set(want or [])
    for group in (("congestion", "int_oedema", "alv_oedema"), ("effusion", "bil_effusion"), ("nodule", "small_nodule")):
        present = [k for k in keys if k in group]
        keep = next((k for k in present if k in want), present[0] if present else None)
        keys = [k for k in keys if k not in group or k == keep]
    if "mediastinum" in keys and "sternotomy" not in keys:
        keys.insert(0, "sternotomy")
    return keys


def build_items(rng, sty, keys, sides=None):
    sides = sides or {}
    return [make_item(rng, sty, k, side=sides.get(k)) for k in keys]


def composed(rng, kind, sub):
    """One composed case: returns (report, detail)."""
    sty = rng.choice(["us", "uk"])
    lay = layout(rng, sty)
    ch = rng.choice
    exam, comp, sign = ch(EXAM[sty]), comparison(rng, sty), signoff(rng, sty)


    def finish(case, findings, imp_items, missing=None, imp_text=None):
        has_dev = any(it.cat == "dev" for it in case.items)
        imp = imp_text if imp_text is not None else fmt_impression(imp_items, lay, rng)
        rep = render(lay, sty, rng, exam=exam, history=indication(rng, sty, has_dev), comp=comp,
                     findings=findings, impression=imp, sign=sign, missing=missing)
        return rep

    def normal_tail(case, items):
        if not any(it.sig for it in case.items) and rng.random() < 0.6:
            items = items + [ch(OTHER_NORMAL[sty]) if items else ch(GENERIC_NORMAL[sty])]
        return items or [ch(GENERIC_NORMAL[sty])]

    if kind is None:
        keys = pick_items(rng, sty)
        case = Case(rng, sty, build_items(rng, sty, keys))
        rep = finish(case, case.findings_text(lay), normal_tail(case, case.impression_items()))
        return rep, f"composed {sty.upper()} {lay}: {', '.join(keys) or 'normal film'}; consistent"

    if kind == "missing_section":
        keys = pick_items(rng, sty)
        case = Case(rng, sty, build_items(rng, sty, keys))
        modes = [("findings", "empty"), ("impression", "empty"), ("impression", "sig"), ("impression", "removed")]
        mode = modes[sub % 4]
        rep = finish(case, case.findings_text(lay), normal_tail(case, case.impression_items()), missing=mode)
        what = {"empty": "header kept with nothing under it", "sig": "header with only the sign-off under it",
                "removed": "section and header removed"}[mode[1]]
        return rep, f"composed {sty.upper()} {lay}: {mode[0].upper()} missing ({what})"

    if kind == "laterality_conflict":
        lat_keys = ["effusion", "consolidation", "pneumothorax", "pacemaker", "icd", "crt", "atelectasis", "nodule",
                    "picc"]
        target = lat_keys[sub % len(lat_keys)]
        side = ch(["left", "right"])
        other = "left" if side == "right" else "right"
        keys = pick_items(rng, sty, want=[target])
        sides = {target: side}
        for k in keys:
            if k != target:
                sides[k] = ch(["left", "right"])
        items = build_items(rng, sty, keys, sides)
        tgt = next(it for it in items if it.key == target)
        if tgt.i_tpl is None:
            tgt.i_tpl = "{Side} basal atelectasis."
        # a different item on the flipped-to side could make the flip look consistent: move those to `side`
        for it in items:
            if it is not tgt and it.lateral and it.concept == tgt.concept:
                it.side = side
        case = Case(rng, sty, items)
        if sub % 2 == 0:
            ftxt = case.findings_text(lay, override={target: tgt.f(side=other)})
            rep = finish(case, ftxt, normal_tail(case, case.impression_items()))
            where = f"FINDINGS now say {other} ({tgt.f(side=other)!r}); IMPRESSION keeps {side}"
        else:
            rep = finish(case, case.findings_text(lay), normal_tail(case, case.impression_items(
                override={target: tgt.i(side=other)})))
            where = f"IMPRESSION now says {other} ({tgt.i(side=other)!r}); FINDINGS keep {side}"
        return rep, f"composed {sty.upper()} {lay}: {target} side flipped: {where}"

    if kind == "negation_conflict":
        concepts = ["effusion", "oedema", "cardiomegaly", "consolidation", "pneumothorax"]
        c = concepts[sub % len(concepts)]
        affirm_in_imp = sub % 2 == 0
        ckey = {"effusion": "effusion", "oedema": ch(["congestion", "int_oedema", "alv_oedema"]),
                "cardiomegaly": "cardiomegaly", "consolidation": "consolidation", "pneumothorax": "pneumothorax"}[c]
        if affirm_in_imp:
            avoid = {ckey, "effusion", "bil_effusion"} if c == "effusion" else {ckey}
            if c == "oedema":
                avoid |= {"congestion", "int_oedema", "alv_oedema"}
            keys = [k for k in pick_items(rng, sty, avoid=avoid)]
            case = Case(rng, sty, build_items(rng, sty, keys))
            neg_concept = c
            if c in ("consolidation", "oedema") and not ({"atelectasis", "mass", "hyper"} & case.concepts) \
                    and rng.random() < 0.5:
                neg_concept = "lungs"
            case.negs = [(n, t) for n, t in case.negs if not (NEG_COVERS.get(n, set()) & NEG_COVERS[neg_concept])
                         and not (c == "effusion" and "effusion" in t)]
            neg_text = negative(rng, sty, neg_concept)
            if neg_concept == "effusion" and "pneumothorax" in neg_text and "pneumothorax" in case.concepts:
                neg_text = "No pleural effusion."
            ftxt = case.findings_text(lay, extra_negs=[(neg_concept, neg_text)])
            assert_item = make_item(rng, sty, ckey, size="moderate" if c == "effusion" else None)
            imp = [assert_item.i()] + case.impression_items()
            rep = finish(case, ftxt, imp)
            return rep, (f"composed {sty.upper()} {lay}: FINDINGS negate {c} ({neg_text!r}) but IMPRESSION asserts "
                         f"{assert_item.i()!r}")
        keys = pick_items(rng, sty, want=[ckey])
        case = Case(rng, sty, build_items(rng, sty, keys))
        neg_concept = c if c != "consolidation" or rng.random() < 0.5 else "lungs"
        if neg_concept == "lungs" and {"atelectasis", "mass", "hyper"} & case.concepts:
            neg_concept = "consolidation"
        neg_text = negative(rng, sty, neg_concept)
        if "or pneumothorax" in neg_text or "or vascular" in neg_text:
            neg_text = neg_text.split(" or ")[0] + "."
        imp = case.impression_items(drop=[ckey]) + [neg_text]
        rep = finish(case, case.findings_text(lay), imp)
        item = next(it for it in case.items if it.key == ckey)
        return rep, (f"composed {sty.upper()} {lay}: FINDINGS affirm {c} ({item.f()!r}) but IMPRESSION says "
                     f"{neg_text!r}")

    if kind == "impression_omits_finding":
        sig_keys = ["effusion", "consolidation", "pneumothorax", "int_oedema", "alv_oedema", "congestion", "nodule",
                    "mediastinum", "bil_effusion"]
        target = sig_keys[sub % len(sig_keys)]
        list_mode = sub % 10 != 0
        keys = pick_items(rng, sty, want=[target] + ([ch(["pacemaker", "icd", "crt", "lvad", "sternotomy", "valve",
                                                        "cardiomegaly"])] if list_mode else []))
        items = [make_item(rng, sty, k, size=(ch(["moderate", "large"]) if k == "effusion" else "moderate")
                           if k == target and k in ("effusion", "bil_effusion") else None) for k in keys]
        # only the target is significant, so the rest of the impression stays complete
        items = [it for it in items if it.key == target or not it.sig]
        case = Case(rng, sty, items)
        tgt = next(it for it in case.items if it.key == target)
        others = case.impression_items(drop=[target])
        # the IU half can seldom keep "other findings", so the composed half leans that way (overall about half)
        if not list_mode or not others:
            imp = [ch(GENERIC_NORMAL[sty])]
            how = "IMPRESSION replaced by a normal statement"
        else:
            imp = others
            how = "IMPRESSION lists only the other findings"
        rep = finish(case, case.findings_text(lay), imp)
        return rep, f"composed {sty.upper()} {lay}: FINDINGS affirm {tgt.f()!r}; {how}"

    if kind == "placeholder":
        ph_size = ch(["[***]", "<<size>>", "[ ]", "___", "***"])
        ph_side = ch(["[side]", "<<side>>", "[LEFT/RIGHT]", "[***]", "___"])
        mode = sub % 5
        if mode in (0, 1):
            target = "effusion"
        elif mode == 2:
            target = ch(["pacemaker", "icd", "consolidation", "pneumothorax"])
        elif mode == 3:
            target = "nodule"
        else:
            target = "cardiomegaly"
        keys = pick_items(rng, sty, want=[target])
        items = build_items(rng, sty, keys)
        tgt = next(it for it in items if it.key == target)
        case = Case(rng, sty, items)
        in_imp = rng.random() < 0.35 and mode != 4
        if mode in (0, 1):
            tok = ph_size
            f_new = tgt.f(size=tok) if "{size}" in tgt.f_tpl.lower() else None
            if f_new is None or in_imp:
                in_imp = True
                new = tgt.i(size=tok)
            else:
                new = f_new
            new = new[0].upper() + new[1:] if new[0].isalpha() else new
        elif mode == 2:
            tok = ph_side
            new = tgt.i(side=tok) if in_imp else tgt.f(side=tok)
            new = new.replace(f"{tok}-sided", f"{tok} sided")
        elif mode == 3:
            tok = ch(["XX", "[XX]", "<<size>>", "[***]"])
            new = (tgt.i if in_imp else tgt.f)(num=tok)
            new = new.replace("XX mm", "XX mm")
        else:
            tok = ch(["[***]", "[ ]", "<<CTR>>", "0.XX"])
            tgt.f_tpl = "The heart is enlarged (CTR {n})." if sty == "uk" else "The heart is enlarged, CTR {n}."
            new = tgt.f(num=tok)
        if in_imp:
            rep = finish(case, case.findings_text(lay), normal_tail(case, case.impression_items(
                override={target: new})))
        else:
            rep = finish(case, case.findings_text(lay, override={target: new}), normal_tail(case,
                                                                                          case.impression_items()))
        assert tok in rep, (tok, rep)
        where = "IMPRESSION" if in_imp else "FINDINGS"
        return rep, f"composed {sty.upper()} {lay}: unfilled field {tok!r} left in {where}"
    raise KeyError(kind)


# ----------------------------------------------------------------------------------------------------------
# IU half: re-layout, light re-wording, injection
# ----------------------------------------------------------------------------------------------------------

CARDIAC = re.compile(r"pacemaker|sternotomy|cabg|cardiomegaly|enlarg|edema|congesti|chf|heart failure|valve|icd|"
                     r"defibrillat|effusion|cardiac|cabg|stent|bypass|aicd|dyspnea|shortness of breath|chest pain",
                     re.I)


DEVICE_RE = re.compile(r"pacemaker|sternotomy|cabg|bypass|valve|defibrillat|\bicd\b|aicd|\blvad\b|assist device|"
                       r"stent|heart failure|\bchf\b", re.I)


def reword(text, sty, changes):
    t = text
    subs = [(r"\bchest x-XXXX\b", "chest radiograph", "'x-ray' -> 'radiograph'"),
            (r"\bx-XXXX\b", "radiograph", "'x-ray' -> 'radiograph'"),
            (r"\bNo acute cardiopulmonary (disease|abnormality|process|findings?)\b",
             "No acute cardiopulmonary abnormality" if sty == "us" else "No acute abnormality",
             "normal impression re-worded"),
            (r"\bHeart size (is )?within normal limits\b", "Heart size is normal", "'heart size normal' re-worded"),
            (r"\bThere is no pneumothorax\b", "No pneumothorax", "'there is no' shortened"),
            (r"\bThere is no pleural effusion\b", "No pleural effusion", "'there is no' shortened")]
    if sty == "uk":
        subs += [(r"\bcardiomediastinal silhouette\b", "cardiomediastinal contour", "'silhouette' -> 'contour'"),
                 (r"\bbasilar\b", "basal", "'basilar' -> 'basal'"), (r"\bBasilar\b", "Basal", "'basilar' -> 'basal'"),
                 (r"\bbibasilar\b", "bibasal", "'basilar' -> 'basal'"),
                 (r"\bBibasilar\b", "Bibasal", "'basilar' -> 'basal'"),
                 (r"\bair ?space disease\b", "airspace shadowing", "'airspace disease' -> 'airspace shadowing'")]
    for a, b, label in subs:
        new = re.sub(a, b, t)
        if new != t:
            changes.add(label)
            t = new
    if sty == "uk":
        new = uk_spell(t)
        if new != t:
            changes.add("UK spelling")
            t = new
    return t


def iu_prepare(rep, rng, sty):
    changes = set()
    f = reword(rep["findings"], sty, changes)
    i = reword(rep["impression"], sty, changes)
    return f, i, changes


def flip_side(s):
    m = None
    for mm in SIDE.finditer(s):
        if not ANATOMIC.match(s, mm.start()):
            m = mm
            break
    w = m.group(1)
    new = {"left": "right", "right": "left"}[w.lower()]
    if w[0].isupper():
        new = new.capitalize()
    if w.isupper():
        new = new.upper()
    return s[: m.start()] + new + s[m.end():], w.lower(), new.lower()


def laterality_site(f, i, rng):
    """Find (section, sentence index) whose one side word can be flipped against the other section."""
    fs, is_ = sentences(f), sentences(i)
    opts = []
    for sec, sl, other in (("findings", fs, i), ("impression", is_, f)):
        for k, s in enumerate(sl):
            sw = side_words(s)
            if len(sw) != 1 or not FIND_NOUN.search(s) or len([1 for _ in SIDE.finditer(ANATOMIC.sub("", s))]) != 1:
                continue
            if re.search(r"middle lobe|lingula", s, re.I) or side_words(" ".join(sl)) != sw:
                continue
            w = next(iter(sw))
            opp = "left" if w == "right" else "right"
            osides = side_words(other)
            if w in osides and opp not in osides:
                nouns = {m.group(0).lower()[:5] for m in FIND_NOUN.finditer(s)}
                if any(nouns & {m.group(0).lower()[:5] for m in FIND_NOUN.finditer(o)} and w in side_words(o)
                       for o in sentences(other)) or sec == "impression":
                    opts.append((sec, k))
    return rng.choice(opts) if opts else None


DEVICE_WORDS = re.compile(r"pacemaker|sternotomy|cabg|valve|defibrillat|icd|catheter|port|stent|clips|granulom|"
                          r"aort|spine|degenerat|scoliosis|fracture|cardiomegaly|enlarged|hyperinfla|emphysema|copd",
                          re.I)


def sig_affirmed(findings):
    """Significant concepts the findings affirm (effusions only when larger than small)."""
    out = set()
    for s in sentences(findings):
        a, _ = sent_concepts(s)
        low = s.lower()
        if HEDGE.search(low):
            continue
        for c in a & {"oedema", "consolidation", "pneumothorax"}:
            out.add(c)
        if "effusion" in a and re.search(r"\b(moderate|large|increas\w*|new)\b", low) and not re.search(
                r"\b(small|trace|tiny|minimal)\b", low):
            out.add("effusion")
    return out


ASSERT_PHRASES = {
    "us": {"effusion": ["Moderate bilateral pleural effusions.", "Small bilateral pleural effusions."],
           "oedema": ["Mild pulmonary edema.", "Pulmonary vascular congestion."],
           "cardiomegaly": ["Cardiomegaly.", "Moderate cardiomegaly."],
           "consolidation": ["Bibasilar airspace disease, likely pneumonia."],
           "pneumothorax": ["Small apical pneumothorax."]},
    "uk": {"effusion": ["Bilateral pleural effusions.", "Small bilateral pleural effusions."],
           "oedema": ["Interstitial pulmonary oedema.", "Features of congestive cardiac failure."],
           "cardiomegaly": ["Cardiomegaly.", "The heart is enlarged."],
           "consolidation": ["Bibasal consolidation."],
           "pneumothorax": ["Small apical pneumothorax."]},
}
NEGATE_PHRASES = {
    "us": {"effusion": "No pleural effusion.", "oedema": "No pulmonary edema.", "cardiomegaly": "Normal heart size.",
           "consolidation": "No focal consolidation.", "pneumothorax": "No pneumothorax."},
    "uk": {"effusion": "No pleural effusion.", "oedema": "No pulmonary oedema.", "cardiomegaly": "Heart size normal.",
           "consolidation": "Lungs clear.", "pneumothorax": "No pneumothorax."},
}


def iu_case(rep, rng, kind, sub):
    """Returns (report, detail) or None when the report does not suit this kind."""
    sty = rng.choice(["us", "uk"])
    lay = rng.choice(["us_block", "us_inline"]) if sty == "us" else rng.choice(["uk_report", "uk_findings",
                                                                                 "uk_inline"])
    f, i, changes = iu_prepare(rep, rng, sty)
    if not i or (not f and kind is not None):
        return None
    if re.search(r"[\[\]<>{}]|\*\*|__", f + " " + i):
        return None  # the archive's own stray brackets would read as template fields
    if f and not consistent(f, i):
        return None
    if not f:
        # impression-only report: clean only when the impression itself describes the film
        if len(sentences(i)) < 3 or rng.random() < 0.6:
            return None
    ind = rep["indication"] or ""
    if not CARDIAC.search(ind) or not ind:
        if rng.random() < 0.6 or not ind:
            ind = indication(rng, sty, False)
            changes.add("indication replaced by a cardiology one")
    comp = rep["comparison"] or ("None." if sty == "us" else "None available.")
    exam, sign = rng.choice(EXAM[sty]), signoff(rng, sty)
    imp_items = sentences(i)
    missing = None
    tag = f"IU {rep['uid']}"
    what = "no error injected"
    if kind is None:
        pass
    elif kind == "missing_section":
        missing = [("findings", "empty"), ("impression", "empty"), ("impression", "sig"), ("impression", "removed")][
            sub % 4]
        how = {"empty": "header kept", "sig": "only the sign-off under the header", "removed": "section removed"}
        what = f"{missing[0].upper()} emptied ({how[missing[1]]})"
    elif kind == "laterality_conflict":
        site = laterality_site(f, i, rng)
        if not site:
            return None
        sec, k = site
        sl = sentences(f) if sec == "findings" else imp_items
        new, w, nw = flip_side(sl[k])
        old = sl[k]
        sl = sl[:k] + [new] + sl[k + 1:]
        if sec == "findings":
            f = " ".join(sl)
        else:
            imp_items = sl
        what = f"{sec.upper()} sentence flipped {w}->{nw}: {old!r} -> {new!r}"
    elif kind == "negation_conflict":
        fa, fn = section_concepts(f)
        ia, _ = section_concepts(i)
        if sub % 2 == 0:
            _, ineg = section_concepts(i)
            cands = [c for c in ["effusion", "oedema", "cardiomegaly", "consolidation", "pneumothorax"]
                     if c in fn and c not in fa and c not in ia and (c not in ineg or impression_is_normal(i))]
            if not cands:
                return None
            c = rng.choice(cands)
            phrase = rng.choice(ASSERT_PHRASES[sty][c])
            if impression_is_normal(i):
                imp_items = [phrase]
                what = f"IMPRESSION replaced by {phrase!r} although FINDINGS negate {c}"
            else:
                imp_items = [phrase] + imp_items
                what = f"IMPRESSION gains {phrase!r} although FINDINGS negate {c}"
        else:
            cands = []
            for c in ["effusion", "oedema", "cardiomegaly", "consolidation", "pneumothorax"]:
                if c not in fa or c in fn:
                    continue
                if not any(c in sent_concepts(x)[0] and not HEDGE.search(x) for x in sentences(f)):
                    continue
                hit = [k for k, s in enumerate(imp_items) if c in sent_concepts(s)[0]]
                if hit and all(not ((sent_concepts(imp_items[k])[0] - {c, "opacity", "atelectasis", "cardiomegaly"})
                                    & set(SIGNIFICANT)) for k in hit):
                    cands.append((c, hit))
            if not cands:
                return None
            c, hit = rng.choice(cands)
            phrase = NEGATE_PHRASES[sty][c]
            if c == "consolidation" and ("mass" in fa or "atelectasis" in fa or "opacity" in fa):
                phrase = "No focal consolidation."
            imp_items = [s for k, s in enumerate(imp_items) if k not in hit]
            imp_items.insert(0, phrase)
            what = f"IMPRESSION sentence(s) on {c} replaced by {phrase!r}; FINDINGS affirm {c}"
    elif kind == "impression_omits_finding":
        sig = sig_affirmed(f)
        if not sig:
            return None
        rest = [s for s in imp_items if not (sent_concepts(s)[0] & set(SIGNIFICANT))
                and not NORMAL_IMP.search(s)]
        rest = [s for s in rest if not (sent_concepts(s)[1] & sig) and (FIND_NOUN.search(s) or DEVICE_WORDS.search(s))
                and not re.search(r"\b(improv|unchanged from|compared|prior|recommend|follow|suggest|consider|"
                                  r"correlat|exclude|further|film|interval|clearing|resolution|treatment|inflamm|"
                                  r"infect|pneumon|airspace|antibiotic)\w*", s, re.I)]
        if sub % 2 == 1 and rest:
            imp_items = rest
            what = f"IMPRESSION keeps only the other findings, leaving out {', '.join(sorted(sig))}"
        else:
            imp_items = [rng.choice(GENERIC_NORMAL[sty][:3])]
            what = f"IMPRESSION replaced by {imp_items[0]!r}; FINDINGS affirm {', '.join(sorted(sig))}"
    elif kind == "placeholder":
        targets = []
        for sec, txt in (("findings", f), ("impression", " ".join(imp_items))):
            for m in re.finditer(r"\b(small|moderate|large|mild|minimal|left|right|\d+(\.\d+)? ?(mm|cm))\b", txt,
                                 re.I):
                if ANATOMIC.match(txt, m.start()):
                    continue
                targets.append((sec, m))
        if not targets:
            return None
        sec, m = rng.choice(targets)
        word = m.group(0)
        if re.match(r"\d", word):
            tok = rng.choice(["XX mm", "[***] mm", "<<size>> cm", "XX cm"])
        elif word.lower() in ("left", "right"):
            tok = rng.choice(["[side]", "<<side>>", "[LEFT/RIGHT]", "[***]", "___"])
        else:
            tok = rng.choice(["[***]", "<<size>>", "[ ]", "___", "***"])
        if sec == "findings":
            f = f[: m.start()] + tok + f[m.end():]
        else:
            txt = " ".join(imp_items)
            imp_items = sentences(txt[: m.start()] + tok + txt[m.end():])
        what = f"{sec.upper()}: {word!r} replaced by the unfilled field {tok!r}"
    imp = fmt_impression(imp_items, lay, rng)
    rep_text = render(lay, sty, rng, exam=exam, history=ind, comp=comp, findings=f, impression=imp, sign=sign,
                      missing=missing)
    if not f and kind is None:
        # impression-only: drop the empty FINDINGS header, it was never dictated
        rep_text = re.sub(r"(?m)^(FINDINGS:|Report:|Findings:)\s*\n(\n)?", "", rep_text)
        changes.add("no FINDINGS in the original; impression describes the film")
    ch = "; ".join(sorted(changes)) or "wording kept"
    return rep_text, f"{tag}: re-laid out as {sty.upper()} {lay}; {ch}; {what}"


# ----------------------------------------------------------------------------------------------------------

def _weighted_order(rng, reps):
    keyed = []
    for r in reps:
        aff, _ = section_concepts(r["findings"] + " " + r["impression"])
        dev = DEVICE_RE.findall(" ".join([r["findings"], r["impression"], r["indication"]]))
        w = 1.0 + 2.0 * len(aff & {"effusion", "oedema", "cardiomegaly"}) + 4.0 * bool(dev)
        keyed.append((rng.random() ** (1.0 / w), r))
    keyed.sort(key=lambda x: -x[0])
    return [r for _, r in keyed]


def build(seed):
    rng = random.Random(f"h150-{seed}")
    shared = shared_dir()
    dev = dev_uids(shared)
    reps = [r for r in load_iu(shared) if r["uid"] not in dev]
    order = _weighted_order(rng, reps)
    used = set()
    rows = []
    plan = [(k, N_PER_KIND) for k in ["laterality_conflict", "impression_omits_finding", "negation_conflict",
                                      "placeholder", "missing_section"]] + [(None, N_CLEAN)]
    for kind, n in plan:
        half = n // 2
        # IU half
        sub = 0
        got = 0
        for rep in order:
            if got >= half:
                break
            if rep["uid"] in used:
                continue
            crng = random.Random(f"{seed}-{rep['uid']}-{kind}-{sub}")
            res = iu_case(rep, crng, kind, sub)
            if res is None:
                continue
            used.add(rep["uid"])
            rows.append({"injected": kind, "detail": res[1], "report": res[0], "_uid": rep["uid"]})
            got += 1
            sub += 1
        if got < half:
            raise RuntimeError(f"only {got} IU reports suit {kind}")
        for k in range(n - half):
            crng = random.Random(f"{seed}-composed-{kind}-{k}")
            report, detail = composed(crng, kind, k)
            rows.append({"injected": kind, "detail": detail, "report": report, "_uid": None})
    rng.shuffle(rows)
    out = []
    for k, r in enumerate(rows):
        out.append({"id": f"h150-{seed}-{k}", "injected": r["injected"], "detail": r["detail"], "report": r["report"]})
    return out


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
        for kind in [None, *KINDS]:
            ex = [r for r in rows if r["injected"] == kind]
            iu = [r for r in ex if r["detail"].startswith("IU ")][: a.show]
            co = [r for r in ex if not r["detail"].startswith("IU ")][: a.show]
            for r in co + iu:
                print(f"===== {r['id']}  {kind}  | {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
