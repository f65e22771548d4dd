"""Held-out report-check set 40: first/second-person, conversational radiology letters and replies.

Written BLIND: without reading the checker, its tests, its docs or any other held-out generator.
Only the scorer's format, the IU archive and the dev set's `uid` field (to exclude those reports) were used.

Styles (all in a radiologist's own voice, "I have reviewed the film", "I note", "you will see", "I'd suggest"):
  gp_letter    a consultant's letter to a GP: "What I see:" / "My impression:" headings, greeting and sign-off
  ward_reply   a reply to a ward query: findings told as a paragraph, conclusion under "Answer to your question:"
  paragraphs   no headings at all: greeting, a paragraph of what is seen, and a last paragraph that is the
               conclusion ("In summary, ...", "To summarise, ...", "So, overall, ...")
  bottom_line  a quick note: "Had a look at this one for you." ... "Bottom line: ..."
  email        an e-mail to a colleague: "Findings as I see them:" / "To summarise:" then "Cheers"

How missing_section is labelled: a report has a findings part when there is a paragraph or a heading section
describing the film, and a conclusion part when there is a heading such as "My impression:", "Answer to your
question:", "Bottom line:", "To summarise:" with text under it, or (paragraph style) a last paragraph opening
"In summary" / "To summarise" / "So, overall". missing_section cases either drop the whole conclusion part, or
keep its heading with nothing under it, or keep the findings heading with nothing under it (the conclusion is
then a bare "no acute disease" that does not describe the film).

Half of each group is composed from the phrase bank below, half is real IU (Open-i) reports, excluding the dev
uids, re-laid-out in these styles with sentences re-worded into the first person. `XXXX` in IU text is the
collection's de-identification mask; "Dr ___" / "on ___" are identifier masks and are not errors.

usage: python -m bench.make_heldout40 OUT.jsonl --seed S [--show N]
"""
from __future__ import annotations

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
STYLES = ["gp_letter", "ward_reply", "paragraphs", "bottom_line", "email"]
FLIP = {"left": "right", "right": "left", "Left": "Right", "Right": "Left"}

# ---------------------------------------------------------------- phrase bank (composed reports)
# significant findings: findings wording, conclusion wording, negation in findings, negation in conclusion,
# words that would name the finding in a conclusion (for the omission check)
SIG = {
    "effusion": dict(
        f=["I note a {size} {side} pleural effusion, with a meniscus running up the lateral chest wall.",
           "You will see a {size} {side} pleural effusion, which obscures the {side} hemidiaphragm.",
           "There is a {size} effusion on the {side}, and I think it has a little fluid tracking into the fissure."],
        i=["a {size} {side} pleural effusion", "a {size} {side}-sided effusion", "a {size} {side} effusion"],
        nf=["I can't see any pleural effusion.",
            "Reassuringly, the costophrenic angles are sharp and there is no effusion."],
        ni=["there is no pleural effusion", "I can't see any effusion"],
        keys=["effusion", "fluid", "meniscus"], lung=False),
    "pneumothorax": dict(
        f=["I can see a {side} apical pneumothorax, with the lung edge about {cm} cm below the apex.",
           "As you suspected, there is a {side} pneumothorax; the visceral pleural line is visible in the {side} "
           "upper zone.",
           "I note a thin {side} pneumothorax, most obvious at the apex, with no lung markings beyond the pleural "
           "edge."],
        i=["a {side} pneumothorax", "a {side}-sided pneumothorax, as you suspected",
           "a small {side} apical pneumothorax"],
        nf=["I can't see any pneumothorax.", "Reassuringly, there is no pneumothorax."],
        ni=["there is no pneumothorax", "I can't see a pneumothorax"],
        keys=["pneumothorax", "pleural edge", "pleural line", "lung edge"], lung=False),
    "consolidation": dict(
        f=["I note consolidation in the {side} lower zone, with air bronchograms.",
           "There is patchy airspace shadowing in the {side} mid and lower zones.",
           "You will see dense opacification at the {side} base, with loss of the {side} heart border."],
        i=["{side} lower zone consolidation, which I would favour as infection",
           "{side} basal pneumonia", "airspace shadowing at the {side} base, most likely infective"],
        nf=["The lungs look clear to me.", "I can't see any focal consolidation."],
        ni=["the lungs are clear", "I can't see any consolidation"],
        keys=["consolidation", "airspace", "pneumonia", "infection", "infective", "shadowing", "opacif", "opacity"],
        lung=True),
    "nodule": dict(
        f=["I note a {mm} mm nodule projected over the {side} mid zone.",
           "There is a well-defined {mm} mm nodule in the {side} upper zone, which I don't think is a nipple shadow."],
        i=["a {mm} mm {side} lung nodule, and I'd suggest a CT to characterise it",
           "a {side} pulmonary nodule; I'd suggest CT"],
        nf=["I can't see a nodule or mass.", "I see no nodule."],
        ni=["there is no nodule", "I can't see a nodule"],
        keys=["nodule", "lesion", "mass", "opacity", "ct"], lung=True),
    "mass": dict(
        f=["My main concern is a {cm} cm rounded mass at the {side} hilum.",
           "I note a lobulated {cm} cm mass projected over the {side} hilum."],
        i=["a {side} hilar mass, and I'd suggest CT as the next step", "a {side} hilar mass which needs a CT"],
        nf=["I can't see any mass.", "The hila look normal to me."],
        ni=["there is no mass", "the hila are normal"],
        keys=["mass", "hilum", "hilar", "lesion", "tumour", "tumor", "malignan", "ct"], lung=True),
    "collapse": dict(
        f=["I note volume loss with collapse of the {side} lower lobe.",
           "You will see the {side} lower lobe has collapsed, with crowding of the vessels and a shift of the "
           "fissure."],
        i=["{side} lower lobe collapse", "collapse of the {side} lower lobe, perhaps from mucus plugging"],
        nf=["I can't see any collapse.", "I can't see any volume loss."],
        ni=["there is no collapse", "I can't see any lobar collapse"],
        keys=["collapse", "atelectasis", "volume loss", "lobe", "plug"], lung=True),
    "oedema": dict(
        f=["I note upper lobe venous diversion, Kerley B lines and bilateral perihilar haze, in keeping with "
           "pulmonary oedema.",
           "You will see that the vessels are distended and there is interstitial oedema at both bases."],
        i=["pulmonary oedema", "fluid overload, with interstitial oedema", "cardiac failure with pulmonary oedema"],
        nf=["I can't see any features of pulmonary oedema.", "The pulmonary vessels look normal to me."],
        ni=["there is no pulmonary oedema", "I can't see any oedema"],
        keys=["oedema", "edema", "congestion", "overload", "failure", "venous", "kerley", "haze", "vessel"], lung=True),
}
SIDED = {"effusion", "pneumothorax", "consolidation", "nodule", "mass", "collapse"}
# findings that are not significant per the spec (may be left out of the conclusion)
MINOR = {
    "small_effusion": (["There is a small {side} effusion just blunting the costophrenic angle, which I don't "
                        "think is significant."],
                       ["a trivial {side} effusion"], "effusion"),
    "cardio": (["The heart is borderline in size, which I don't think is significant on an AP film."],
               ["a borderline heart size"], "heart"),
    "ribs": (["I note old healed fractures of the {side} sixth and seventh ribs."],
             ["old {side} rib fractures, which are incidental"], None),
    "granuloma": (["There is a 3 mm calcified granuloma in the {side} upper zone, which is of no concern."],
                  ["an incidental calcified granuloma"], None),
    "spine": (["There are degenerative changes in the thoracic spine."], ["degenerative changes in the spine"], None),
}
NORMAL_CONCL = ["Reassuringly, no acute abnormality.", "The good news is that I can't see anything acute.",
                "Normal chest film; I don't think there is anything to act on.",
                "No acute cardiopulmonary disease, I'm pleased to say.", "Nothing acute here, I think."]
BARE_CONCL = ["No acute disease.", "Nothing acute.", "No acute abnormality."]
QUESTIONS = ["?chest infection", "shortness of breath", "?pneumothorax after line insertion", "chronic cough",
             "pre-operative film", "chest pain", "fall, ?rib injury", "fever and productive cough",
             "smoker, weight loss"]


# ---------------------------------------------------------------- layout
def render(style, rng, findings, concl, question, *, drop_concl=False, empty_concl=False, empty_findings=False):
    """findings/concl: lists of sentences. Returns the whole report text."""
    f = " ".join(findings) if not empty_findings else ""
    c = " ".join(concl) if not (drop_concl or empty_concl) else ""
    if style == "gp_letter":
        intro = rng.choice(["Thank you for sending this patient. I have reviewed the chest film.",
                            "Many thanks for the referral. I have reviewed the film taken on ___."])
        parts = ["Dear Dr ___,", f"Re: chest X-ray, {question}", intro, "What I see:\n" + f]
        if not drop_concl:
            parts.append("My impression:\n" + c)
        parts.append("Kind regards,\nDr ___\nConsultant Radiologist")
    elif style == "ward_reply":
        parts = [f"To the ward team, re your query ({question}):",
                 "I have had a look at today's film." + ("" if empty_findings else "\n\n" + f)]
        if empty_findings:
            parts.append("What I see:")
        if not drop_concl:
            parts.append("Answer to your question: " + c)
        parts.append("Happy to discuss. Radiology registrar, bleep ___")
    elif style == "paragraphs":
        parts = ["Dear colleague,", f"Thank you for asking me to look at this film ({question}). "
                 + rng.choice(["I have reviewed it alongside the previous one from ___.", "I have reviewed the film."])]
        parts.append(f if f else "What I see:")
        if not drop_concl:
            lead = rng.choice(["In summary", "To summarise", "So, overall"])
            low = c if re.match(r"I\b", c) or c[1:2].isupper() else c[:1].lower() + c[1:]
            parts.append(f"{lead}, {low}" if c else f"{lead}:")
        parts.append("Best wishes,\nDr ___")
    elif style == "bottom_line":
        parts = [f"Clinical question: {question}.", "Had a look at this one for you.",
                 f if f else "What I see:"]
        if not drop_concl:
            parts.append("Bottom line: " + c)
        parts.append("Dr ___ (radiology)")
    else:  # email
        parts = [f"Subject: CXR review, {question}", rng.choice(["Hi ___,", "Hello again,"]),
                 "Thanks for flagging this one. I've reviewed the film.", "Findings as I see them:\n" + f]
        if not drop_concl:
            parts.append("To summarise:\n" + c)
        parts.append("Cheers,\n___")
    return "\n\n".join(p.rstrip() for p in parts)


# ---------------------------------------------------------------- composed reports
def _fill(t, rng, side, size="moderate"):
    return t.format(side=side, size=size, cm=rng.choice([2, 3, 4]), mm=rng.choice([8, 9, 11, 12, 14, 16, 18]))


def _cap(s):
    return s[:1].upper() + s[1:]


def compose(rng, kind):
    """Return (findings, concl, detail, extra) for a composed report with the given error kind (or None)."""
    nsig = rng.choice([0, 0, 1, 1, 1, 2]) if kind is None else rng.choice([1, 1, 2])
    sig = rng.sample(sorted(SIG), nsig)
    if kind == "laterality_conflict" and not set(sig) & SIDED:
        sig[0] = rng.choice(sorted(SIDED))
    minors = rng.sample(sorted(MINOR), rng.choice([0, 1, 1, 2]))
    if "oedema" in sig and "cardio" in minors:
        minors.remove("cardio")
    if "effusion" in sig and "small_effusion" in minors:
        minors.remove("small_effusion")
    sides = {k: rng.choice(["left", "right"]) for k in sig + minors}
    sizes = {k: rng.choice(["moderate", "large"]) for k in sig}
    ftext, ctext = {}, {}
    for k in sig:
        ftext[k] = _fill(rng.choice(SIG[k]["f"]), rng, sides[k], sizes[k])
        ctext[k] = _fill(rng.choice(SIG[k]["i"]), rng, sides[k], sizes[k])
    for k in minors:
        ftext[k] = _fill(rng.choice(MINOR[k][0]), rng, sides[k])
        ctext[k] = _fill(rng.choice(MINOR[k][1]), rng, sides[k])
    # negatives that do not contradict anything present
    lungy = any(SIG[k]["lung"] for k in sig) or "effusion" in sig or "pneumothorax" in sig
    negs = []
    if not lungy and rng.random() < 0.7:
        negs.append(rng.choice(["The lungs look clear to me.", "I think the lungs are clear."]))
    if "cardio" not in minors and "oedema" not in sig and rng.random() < 0.7:
        negs.append(rng.choice(["Heart size is normal.", "I don't think the heart is enlarged."]))
    for k in ["pneumothorax", "effusion"]:
        if k not in sig and not (k == "effusion" and "small_effusion" in minors) and rng.random() < 0.6:
            negs.append(rng.choice(SIG[k]["nf"]))
    order = list(ftext)
    rng.shuffle(order)
    findings = [ftext[k] for k in order] + negs
    if not findings:
        findings = ["The lungs look clear to me.", "Heart size is normal."]
    elif len(findings) < 3 and not lungy and not any("clear" in x for x in findings):
        findings.append(rng.choice(["The lungs look clear to me.", "I think the lungs are clear.",
                                    "The lung fields look clear to me."]))
    pos_c = [ctext[k] for k in sig] + [ctext[k] for k in minors if rng.random() < 0.4]
    detail, extra = "", {}

    def concl_from(items):
        if not items:
            return [rng.choice(NORMAL_CONCL)]
        if not (set(items) & {ctext[k] for k in sig}):
            return [rng.choice(NORMAL_CONCL)] + [_cap(rng.choice(["incidentally, ", "", "I also note "]) + m) + "."
                                                 for m in items]
        lead = rng.choice(["My impression is of ", "I think this shows ", "", "My main concern is "])
        out = [_cap(lead + items[0]) + "."]
        leads = rng.sample(["I also note ", "Beyond that, I note ", "In addition, I note ", "Separately, I see "],
                           len(items[1:]))
        for lead2, more in zip(leads, items[1:], strict=True):
            out.append(lead2 + more + ".")
        if rng.random() < 0.4:
            tails = ["We discussed this on the phone.", "I don't think anything else here is significant."]
            if "consolidation" in sig:
                tails.append("I'd suggest a repeat film after treatment.")
            out.append(rng.choice(tails))
        return out

    if kind == "laterality_conflict":
        k = rng.choice([s for s in sig if s in SIDED])
        wrong = FLIP[sides[k]]
        if rng.random() < 0.6:  # side flipped while dictating the conclusion
            ctext[k] = _fill(rng.choice(SIG[k]["i"]), rng, wrong, sizes[k])
            detail = f"{k}: {sides[k]} in findings, '{wrong}' in conclusion"
            extra = {"flip_in": "concl", "word": wrong}
        else:
            ftext[k] = _fill(rng.choice(SIG[k]["f"]), rng, wrong, sizes[k])
            findings = [ftext[x] for x in order] + negs
            detail = f"{k}: '{wrong}' in findings, {sides[k]} in conclusion"
            extra = {"flip_in": "findings", "word": wrong}
        pos_c = [ctext[x] for x in sig]
        return findings, concl_from(pos_c), detail, extra
    if kind == "negation_conflict":
        k = rng.choice(sig)
        if rng.random() < 0.6:  # conclusion rules out what findings affirm
            others = [ctext[x] for x in sig if x != k]
            neg = rng.choice(SIG[k]["ni"])
            concl = concl_from(others) if others else []
            concl.append(_cap(rng.choice(["reassuringly, ", "the good news is that ", ""]) + neg) + ".")
            detail = f"findings affirm {k}, conclusion says '{neg}'"
            return findings, concl, detail, {"neg": neg}
        # findings rule out what the conclusion affirms: drop the positive from findings, add its negation
        findings = [ftext[x] for x in order if x != k]
        findings += [n for n in negs if SIG[k]["keys"][0] not in n.lower()]
        if k in ("consolidation", "nodule", "mass", "collapse", "oedema"):
            findings = [s for s in findings if "clear" not in s]
        nf = rng.choice(SIG[k]["nf"])
        findings.append(nf)
        detail = f"findings say '{nf}', conclusion affirms {k}"
        return findings, concl_from(pos_c), detail, {"neg": nf}
    if kind == "impression_omits_finding":
        k = rng.choice(sig)
        others = [ctext[x] for x in sig if x != k] + [ctext[x] for x in minors if rng.random() < 0.5]
        others = [o for o in others if not names_any(o, SIG[k]["keys"])]
        if rng.random() < 0.5:
            others = []
        concl = concl_from(others)
        if not others:
            concl = [rng.choice(NORMAL_CONCL)]
        detail = f"findings affirm {k} ({ftext[k]!r}), conclusion leaves it out"
        detail += "" if others else " (normal conclusion)"
        return findings, concl, detail, {"keys": SIG[k]["keys"]}
    if kind == "placeholder":
        k = rng.choice(sig)
        t = ftext[k]
        if re.search(r"\d+ (mm|cm)", t) and rng.random() < 0.8:
            tok = rng.choice(["___", "XX", "[ ]"])
            t = re.sub(r"\d+ (mm|cm)", lambda m: f"{tok} {m.group(1)}", t, count=1)
        elif re.search(r"\b(moderate|large)\b", t) and rng.random() < 0.6:
            tok = rng.choice(["[***]", "<insert size>", "[small/moderate/large]"])
            t = re.sub(r"\b(moderate|large)\b", tok, t, count=1)
        elif re.search(r"\b(left|right)\b", t):
            tok = rng.choice(["[LEFT/RIGHT]", "<side>", "[***]"])
            t = re.sub(r"\b(left|right)\b", tok, t, count=1)
        else:
            tok = "[***]"
            if "pulmonary oedema" in t:
                t = t.replace("pulmonary oedema", "[***]")
            else:
                t = t.replace("interstitial oedema", "interstitial [***]")
        findings = [t if x == ftext[k] else x for x in findings]
        detail = f"dictation blank left in findings: {tok!r}"
        return findings, concl_from(pos_c), detail, {"tok": tok}
    return findings, concl_from(pos_c), detail, extra


# ---------------------------------------------------------------- IU reports
NORMAL_RE = re.compile(r"^(no acute|normal chest|negative|no active|no evidence of acute|"
                       r"no radiographic evidence of acute|no significant|clear lungs|unremarkable)", re.I)
SIG_IU = {"pneumothorax": "pneumothorax", "effusion": "effusion",
          "consolidation": "consolidation|airspace|pneumonia|infiltrat",
          "edema": "edema|congestion", "mass": r"\bmass|nodule"}
NEG_RE = re.compile(r"\b(no|without|negative|not|resolved|clear|free|nor)\b", re.I)


def load_iu(shared: Path):
    dev = set()
    devp = shared / "eval" / "report_errors_dev.jsonl"
    if devp.exists():
        for line in devp.open():
            if line.strip():
                dev.add(json.loads(line).get("uid"))
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        for m in sorted(t.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            r = ET.fromstring(t.extractfile(m).read())
            u = r.find("uId")
            uid = u.get("id") if u is not None else None
            if uid in dev:
                continue
            d = {a.get("Label"): re.sub(r"\.(\s*\.)+", ".", (a.text or "").strip()) for a in r.iter("AbstractText")}
            f, i = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if len(f) < 40 or len(i) < 8 or len(f) > 600 or "[" in f + i or "___" in f + i:
                continue
            if (f + i).count("XXXX") > 2 or re.search(r"^\s*\d\.", i):
                continue
            out.append({"uid": uid, "findings": split(f), "impression": split(i),
                        "indication": d.get("INDICATION", "")})
    return out


def split(text):
    out = [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text) if s.strip()]
    return [s if s.endswith((".", "!", "?")) else s + "." for s in out]


def voice(s, rng):
    """Re-word one IU sentence in the first person (meaning unchanged)."""
    m = re.match(r"^There (?:is|are) no (.+)$", s)
    if m and rng.random() < 0.7:
        return "I can't see any " + m.group(1)
    m = re.match(r"^No (.+)$", s)
    if m and rng.random() < 0.6 and not re.search(r"\b(seen|identified|noted|present|demonstrated|evident)\b", s):
        return "I see no " + m.group(1)
    if re.match(r"^(The )?[Ll]ungs are clear\.$", s) and rng.random() < 0.7:
        return re.sub(r"^(The )?[Ll]ungs are clear", "The lungs look clear to me", s)
    m = re.match(r"^There (?:is|are) (.+)$", s)
    if m and rng.random() < 0.6:
        return "I note " + m.group(1)
    if rng.random() < 0.35 and s.startswith("The "):
        return rng.choice(["I think ", "I note that ", "To my eye, ", "You will see that "]) + s[0].lower() + s[1:]
    return s


def iu_affirms_sig_unmentioned(rep):
    """Rough screen: an IU findings sentence that affirms a significant finding the impression does not name."""
    imp = " ".join(rep["impression"]).lower()
    for s in rep["findings"]:
        for pat in SIG_IU.values():
            if re.search(pat, s, re.I) and not NEG_RE.search(s) and not re.search(pat, imp):
                return True
    return False


def names_any(text, keys):
    return any(re.search(rf"\b{re.escape(k)}", text, re.I) for k in keys)


def side_words(s):
    return re.findall(r"\b(left|right|Left|Right)\b", s)


def build_iu(rep, rng, kind):
    """Return (findings, concl, detail, extra, ok)."""
    F = [voice(s, rng) for s in rep["findings"]]
    normal_imp = bool(NORMAL_RE.search(rep["impression"][0])) and len(rep["impression"]) == 1
    C = [voice(s, rng) if not normal_imp else s for s in rep["impression"]]
    if normal_imp and rng.random() < 0.5:
        first = C[0] if C[0][1:2].isupper() else C[0][0].lower() + C[0][1:]
        C = [rng.choice(["Reassuringly, ", "The good news is: "]) + first]
    cl = " ".join(C).lower()
    if kind is None:
        return F, C, "", {}, not iu_affirms_sig_unmentioned(rep)
    if kind == "missing_section":
        return F, C, "", {}, True
    if kind == "laterality_conflict":
        for j, s in enumerate(C):
            w = side_words(s)
            if len(set(x.lower() for x in w)) != 1 or re.search(
                    r"middle lobe|lingula|minor fissure|azygos|aortic|arch", s, re.I):
                continue
            content = set(re.findall(r"[a-z]{5,}", s.lower())) - {"right", "there", "which", "without", "lower",
                                                                   "upper"}
            if not any(side_words(fs) and w[0].lower() in fs.lower()
                       and content & set(re.findall(r"[a-z]{5,}", fs.lower())) for fs in F):
                continue
            C2 = C[:]
            C2[j] = re.sub(r"\b(left|right|Left|Right)\b", lambda m: FLIP[m.group(1)], s)
            return F, C2, f"side flipped in conclusion: {s!r} -> {C2[j]!r}", {"flip_in": "concl",
                                                                              "word": FLIP[w[0]].lower()}, True
        return F, C, "", {}, False
    if kind == "negation_conflict":
        if not normal_imp:
            return F, C, "", {}, False
        for k, pat, aff in [("pneumothorax", r"pneumothorax", "a small {side} apical pneumothorax"),
                            ("effusion", r"effusion", "a {side} pleural effusion"),
                            ("consolidation", r"consolidation|airspace",
                             "{side} lower lobe consolidation, which I would favour as infection"),
                            ("edema", r"edema", "pulmonary oedema")]:
            neg = [s for s in F if re.search(pat, s, re.I) and NEG_RE.search(s)]
            if neg and not re.search(pat, cl):
                a = aff.format(side=rng.choice(["left", "right"]))
                C2 = [_cap(rng.choice(["My main concern is ", "I think this shows ", "I think there is "]) + a) + "."]
                return F, C2, f"findings say {neg[0]!r}, conclusion affirms {k}", {"neg": neg[0]}, True
        return F, C, "", {}, False
    if kind == "impression_omits_finding":
        k = rng.choice(sorted(SIG))
        keys = SIG[k]["keys"]
        if names_any(cl, keys + ["clear", "lung", "pleura", "heart", "cardi"]):
            return F, C, "", {}, False
        side = rng.choice(["left", "right"])
        add = _fill(rng.choice(SIG[k]["f"]), rng, side, rng.choice(["moderate", "large"]))
        F2 = [s for s in F if not any(x in s.lower() for x in keys) and "clear" not in s.lower()
              and not (k in ("effusion", "pneumothorax") and re.search("pleura|effusion|pneumothorax", s, re.I))
              and not (k == "oedema" and re.search("vascul|edema|heart|cardi", s, re.I))]
        if not F2:
            return F, C, "", {}, False
        F2.insert(rng.randrange(len(F2) + 1), add)
        return F2, C, f"findings affirm {k} ({add!r}), conclusion leaves it out", {"keys": keys}, True
    if kind == "placeholder":
        for j, s in enumerate(F):
            if side_words(s) and rng.random() < 0.8:
                tok = rng.choice(["[LEFT/RIGHT]", "[***]", "<side>"])
                F2 = F[:]
                F2[j] = re.sub(r"\b(left|right|Left|Right)\b", tok, s, count=1)
                return F2, C, f"side word replaced by dictation blank {tok!r}", {"tok": tok}, True
        for j, s in enumerate(F):
            pat = r"\b(normal|within normal limits|unremarkable|enlarged)\b"
            if re.search(r"heart|cardi|mediastin", s, re.I) and re.search(pat, s) and rng.random() < 0.8:
                tok = rng.choice(["___", "[***]", "[normal/enlarged]"])
                F2 = F[:]
                F2[j] = re.sub(pat, tok, s, count=1)
                return F2, C, f"finding word replaced by template blank {tok!r}", {"tok": tok}, True
        fl = " ".join(F).lower()
        opts = ["I note a [***] {side} apical cap, which I don't think is significant."]
        if not re.search("heart|cardi", fl):
            opts.append("Heart size is ___.")
        if "hemidiaphragm" not in fl:
            opts.append("The {side} hemidiaphragm is <insert>.")
        t = rng.choice(opts)
        t = t.format(side=rng.choice(["left", "right"]))
        F2 = F[:]
        F2.insert(rng.randrange(len(F2) + 1), t)
        tok = re.search(r"\[\*\*\*\]|___\.|<insert>", t).group(0)
        return F2, C, f"template blank left in findings: {tok!r}", {"tok": tok}, True
    return F, C, "", {}, False


# ---------------------------------------------------------------- assembly + checks
def make_case(rng, kind, source, iu_pool):
    style = rng.choice(STYLES)
    question = rng.choice(QUESTIONS)
    if source == "iu":
        while True:
            rep = iu_pool.pop()
            F, C, detail, extra, ok = build_iu(rep, rng, kind)
            if ok:
                break
        if rep["indication"] and "XXXX" not in rep["indication"] and len(rep["indication"]) < 60:
            question = rep["indication"].rstrip(".").lower()
        src = f"IU {rep['uid']}"
    else:
        F, C, detail, extra = compose(rng, kind)
        src = "composed"
    opts = {}
    if kind == "missing_section":
        mode = rng.choice(["drop", "drop", "empty_concl", "empty_findings"])
        if mode == "empty_findings":
            C = [rng.choice(BARE_CONCL)]
            if style in ("paragraphs", "bottom_line"):
                mode = "drop"
        opts = {"drop": {"drop_concl": True}, "empty_concl": {"empty_concl": True},
                "empty_findings": {"empty_findings": True}}[mode]
        detail = {"drop": "conclusion part removed", "empty_concl": "conclusion heading left with nothing under it",
                  "empty_findings": "findings heading left empty; conclusion is a bare 'no acute' line"}[mode]
        extra = {"mode": mode}
    text = re.sub(r"\b([Aa]) (8|11|18) (mm|cm)", r"\1n \2 \3", render(style, rng, F, C, question, **opts))
    check(kind, F, C, text, extra, opts)
    return {"injected": kind, "detail": f"{detail} [{style}; {src}]" if detail else f"[{style}; {src}]",
            "report": text}


def check(kind, F, C, text, extra, opts):
    fl, cl = " ".join(F).lower(), " ".join(C).lower()
    if kind is None:
        assert F and C and not re.search(r"\[|<|XX mm|___ cm", text)
    elif kind == "missing_section":
        assert any(opts.values())
    elif kind == "laterality_conflict":
        assert re.search(rf"\b{extra['word']}\b", cl if extra["flip_in"] == "concl" else fl)
        assert text.lower().count(extra["word"]) >= 1
    elif kind == "negation_conflict":
        assert extra["neg"].lower() in text.lower()
    elif kind == "impression_omits_finding":
        assert not names_any(cl, extra["keys"]), (cl, extra)
    elif kind == "placeholder":
        assert extra["tok"] in text


def build(seed, shared):
    rng = random.Random(seed)
    iu = load_iu(shared)
    rng.shuffle(iu)
    cases, seen = [], set()
    for kind, n in [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]:
        for j in range(n):
            c = make_case(rng, kind, "iu" if j % 2 else "composed", iu)
            while c["report"] in seen:
                c = make_case(rng, kind, "iu" if j % 2 else "composed", iu)
            seen.add(c["report"])
            cases.append(c)
    rng.shuffle(cases)
    out = []
    for n, c in enumerate(cases):
        h = hashlib.sha256(f"h40|{seed}|{n}|{c['report']}".encode()).hexdigest()[:14]
        out.append({"id": f"h40-{h}", **c})
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=4101)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    env = os.environ.get("MEDRAG_SHARED_DIR")
    shared = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    if not (shared / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        print(f"shared data not found at {shared}; set MEDRAG_SHARED_DIR", file=sys.stderr)
        sys.exit(2)
    cases = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    if a.show:
        for k in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == k][: a.show]:
                print(f"=== {k} | {c['detail']}\n{c['report']}\n")


if __name__ == "__main__":
    main()
