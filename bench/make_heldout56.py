"""Held-out report-check set 56: everyday chest lists of Nordic, Dutch and German hospitals in English.

Written blind: without reading the checker, its tests, its docs or any other generator. Only the scorer's
format, the eval README, the IU archive and the dev set's `uid` field (to exclude those reports) were used.

Styles: the ordinary day-to-day chest list of Scandinavian, Dutch and German departments whose radiologists
report in fluent but non-native English (inpatients, outpatients, pre-op, follow-ups, ICU bedside films;
several readers with their own habits). Layouts: exam line ("Chest X-ray PA and lateral", "Thorax, two
projections", "Bedside AP"), clinical question, comparison with European dates (12.03.2024 / 2024-03-12),
then Findings/Description and Impression/Conclusion/Assessment, as one paragraph, one sentence a line, or a
numbered/dashed conclusion, with a signature line. Half of each group is composed from a phrase bank
("No infiltrates.", "Free costophrenic angles.", "Dystelectasis basally on the left.", "Signs of
pulmonary congestion."), half are real IU reports (dev uids excluded) re-laid-out and lightly re-worded.
Errors are real slips: a side flipped while dictating, a normal macro pasted as conclusion, a template field
left, a conclusion not written, a negation pasted from a normal template.

usage: python -m bench.make_heldout56 OUT.jsonl --seed S [--show N]
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
OPP = {"left": "right", "right": "left", "Left": "Right", "Right": "Left", "LEFT": "RIGHT", "RIGHT": "LEFT"}


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"


# ----------------------------------------------------------------------------------------------- phrase bank
# Each item: group (for synonym checks), topics (which normal statements it blocks), sig (omission counts),
# sided, findings templates, impression templates, impression negations (for negation slips).
ITEMS = {
    "pneumonia": dict(
        topics={"lung"}, sig=True, sided=True,
        f=["Consolidation in the {side} lower lobe with air bronchogram, compatible with pneumonia.",
           "Patchy infiltrate in the {side} lower lung zone.",
           "New opacity in the {side} lower lung field, most likely infiltrate.",
           "Infiltrate {side} basally, partly obscuring the {side} hemidiaphragm.",
           "There is a new consolidation in the {side} lower lobe."],
        i=["Pneumonia in the {side} lower lobe.", "Infiltrate {side} basally, consistent with pneumonia.",
           "{Side}-sided lower lobe pneumonia.", "Pneumonic infiltrate in the {side} lower lobe."],
        neg=["No pneumonia.", "No infiltrates.", "No signs of pneumonia."],
        syn=r"pneumon|infiltrat|consolidat|opacit|air ?space|density|densities"),
    "effusion_mod": dict(
        topics={"eff"}, sig=True, sided=True,
        f=["{Grade} pleural effusion on the {side} side.", "{Grade} amount of pleural fluid on the {side}.",
           "{Grade} {side}-sided pleural effusion with meniscus sign."],
        i=["{Grade} pleural effusion on the {side}.", "{Grade} {side}-sided pleural effusion."],
        neg=["No pleural effusion.", "No pleural fluid."],
        syn=r"effusion|fluid|pleura"),
    "effusion_inc": dict(
        topics={"eff"}, sig=True, sided=True, prior=True,
        f=["The pleural effusion on the {side} side has increased since {prior}.",
           "Increasing pleural fluid on the {side} compared with {prior}."],
        i=["Increasing pleural effusion on the {side}.", "Progressive {side}-sided pleural effusion."],
        neg=["No pleural effusion.", "No pleural fluid."],
        syn=r"effusion|fluid|pleura"),
    "effusion_small": dict(
        topics={"eff"}, sig=False, sided=True,
        f=["Small pleural effusion on the {side}, blunting the costophrenic angle.",
           "Minimal pleural fluid in the {side} costophrenic angle.",
           "Small amount of pleural fluid on the {side} side."],
        i=["Small pleural effusion on the {side}.", "Minimal {side}-sided pleural fluid."],
        neg=["No pleural effusion.", "No pleural fluid."],
        syn=r"effusion|fluid|pleura"),
    "ptx": dict(
        topics={"ptx"}, sig=True, sided=True,
        f=["{Side} apical pneumothorax with a rim of {cm} cm.",
           "Pneumothorax on the {side} side apically, about {cm} cm.",
           "Thin pleural line visible apically on the {side}, pneumothorax of {cm} cm."],
        i=["{Side}-sided pneumothorax, {cm} cm apically.", "Pneumothorax on the {side}."],
        neg=["No pneumothorax."],
        syn=r"pneumothora|ptx|pleural line|air"),
    "congestion": dict(
        topics={"cong", "lung"}, sig=True, sided=False,
        f=["Signs of pulmonary venous congestion with redistribution to the upper lobes.",
           "Interstitial oedema with Kerley B lines and perihilar haziness.",
           "Vascular congestion and bilateral interstitial edema.",
           "Prominent hilar vessels and peribronchial cuffing, in keeping with interstitial edema."],
        i=["Pulmonary congestion.", "Cardiac decompensation with interstitial oedema.",
           "Signs of fluid overload.", "Pulmonary venous congestion and interstitial edema."],
        neg=["No congestion.", "No signs of pulmonary congestion."],
        syn=r"congest|oedem|edem|decompens|overload|stasis|overhydr|vascul|kerley|failure"),
    "nodule": dict(
        topics={"lung"}, sig=True, sided=True,
        f=["Round nodule of {mm} mm in the {side} upper lobe.",
           "A {mm} mm nodular opacity projects over the {side} upper lung field.",
           "New {mm} mm nodule in the {side} upper zone, not seen on {prior}."],
        i=["{mm} mm nodule in the {side} upper lobe, CT is recommended.",
           "Nodule in the {side} upper lobe ({mm} mm). Further work-up with CT thorax recommended."],
        neg=["No focal lesions.", "No suspicious nodules."],
        syn=r"nodul|lesion|mass|tumou?r|focus|round|opacit|malign|ct\b"),
    "collapse": dict(
        topics={"lung"}, sig=True, sided=True,
        f=["Volume loss and homogeneous density in the {side} lower lobe, compatible with lobar atelectasis.",
           "Collapse of the {side} lower lobe with shift of the fissure."],
        i=["Atelectasis of the {side} lower lobe.", "{Side} lower lobe collapse."],
        neg=["No atelectasis."],
        syn=r"atelecta|collaps|volume|density"),
    "plate_atel": dict(
        topics={"lung"}, sig=False, sided=True,
        f=["Plate-like atelectasis in the {side} lower zone.", "Some dystelectasis {side} basally.",
           "Linear atelectasis above the {side} hemidiaphragm."],
        i=["Dystelectasis {side} basally.", "Basal atelectasis on the {side}."],
        neg=["No atelectasis."],
        syn=r"atelecta|collaps|linear|plate"),
    "cardio_mild": dict(
        topics={"heart"}, sig=False, sided=False,
        f=["The heart is slightly enlarged.", "Borderline heart size.", "Mild cardiomegaly, unchanged."],
        i=["Mild cardiomegaly.", "Slightly enlarged heart, stable."],
        neg=["Normal heart size.", "The heart is not enlarged."],
        syn=r"cardiomegal|heart|cardiac"),
    "granuloma": dict(
        topics=set(), sig=False, sided=True,
        f=["Small calcified granuloma in the {side} upper lobe.", "Calcified focus {side} apically, old granuloma."],
        i=["Calcified granuloma on the {side}, benign."],
        neg=["No focal lesions."],
        syn=r"granulom|calcif"),
    "degen": dict(
        topics=set(), sig=False, sided=False,
        f=["Degenerative changes in the thoracic spine.", "Spondylosis of the thoracic spine.",
           "Moderate degenerative changes of the spine."],
        i=["Degenerative changes of the spine."], neg=[], syn=r"degenerat|spondyl"),
    "aorta": dict(
        topics=set(), sig=False, sided=False,
        f=["Elongated and sclerotic thoracic aorta.", "Calcification of the aortic arch.", "Elongated aorta."],
        i=["Aortic sclerosis."], neg=[], syn=r"aort"),
    "cvc": dict(
        topics=set(), sig=False, sided=True, device=True,
        f=["Central venous catheter via the {side} internal jugular vein with the tip in the superior vena cava.",
           "CVC from the {side} with tip projecting over the SVC."],
        i=["CVC from the {side} in correct position."], neg=[], syn=r"cvc|catheter"),
    "sternotomy": dict(
        topics=set(), sig=False, sided=False, device=True,
        f=["Status after sternotomy with intact cerclage wires.", "Sternal wires after cardiac surgery."],
        i=["Status post cardiac surgery."], neg=[], syn=r"sternot|surgery|wire|cerclage"),
    "pacemaker": dict(
        topics=set(), sig=False, sided=False, device=True,
        f=["Dual-chamber pacemaker, leads in expected position.", "Pacemaker with unchanged lead position."],
        i=["Pacemaker in unchanged position."], neg=[], syn=r"pacemaker|lead"),
    "emphysema": dict(
        topics={"lung"}, sig=False, sided=False,
        f=["Hyperinflated lungs with flattened diaphragms, as in emphysema.",
           "Signs of COPD with hyperinflation and reduced peripheral vascular markings."],
        i=["Emphysema / COPD.", "Hyperinflation as in COPD, no acute changes."], neg=[],
        syn=r"emphysem|copd|hyperinfl"),
    "hiatal": dict(
        topics=set(), sig=False, sided=False,
        f=["Hiatal hernia behind the heart."], i=["Hiatal hernia."], neg=[], syn=r"hiat|hernia"),
}

NORMALS = [  # (text, topics it rules out, order)
    ("Normal heart size.", {"heart"}, 0), ("The heart is not enlarged.", {"heart"}, 0),
    ("Heart of normal size and configuration.", {"heart"}, 0), ("Heart size within normal limits.", {"heart"}, 0),
    ("Normal mediastinum.", {"media"}, 1), ("The mediastinum is not widened.", {"media"}, 1),
    ("Normal hila.", {"media"}, 1),
    ("No signs of congestion.", {"cong"}, 2), ("Normal pulmonary vasculature.", {"cong"}, 2),
    ("No pulmonary congestion.", {"cong"}, 2),
    ("The lungs are clear.", {"lung"}, 3), ("No infiltrates.", {"lung"}, 3), ("No focal consolidation.", {"lung"}, 3),
    ("Lungs well aerated and clear.", {"lung"}, 3), ("No signs of pneumonia.", {"lung"}, 3),
    ("No infiltrates, no pleural fluid.", {"lung", "eff"}, 3), ("No congestion or infiltrates.", {"cong", "lung"}, 2),
    ("No pleural effusion.", {"eff"}, 4), ("Free costophrenic angles.", {"eff"}, 4), ("No pleural fluid.", {"eff"}, 4),
    ("No pneumothorax or pleural effusion.", {"ptx", "eff"}, 4),
    ("No pneumothorax.", {"ptx"}, 5),
]
MACROS = [  # impression when nothing is worth listing: (text, topics it rules out)
    ("No acute cardiopulmonary findings.", set()), ("No acute changes.", set()), ("Nothing acute.", set()),
    ("No acute pathology in the chest.", set()), ("No signs of pneumonia.", {"lung"}),
    ("No pneumonia or congestion.", {"lung", "cong"}), ("No infiltrates or pleural effusion.", {"lung", "eff"}),
    ("Normal chest X-ray.", {"all"}), ("No pathological findings.", {"all"}), ("Normal findings.", {"all"}),
]
ORDER = {"cardio_mild": 0, "congestion": 2, "pneumonia": 3, "nodule": 3, "collapse": 3, "plate_atel": 3,
         "emphysema": 3, "granuloma": 3, "effusion_mod": 4, "effusion_inc": 4, "effusion_small": 4, "ptx": 5}

SCENARIOS = [  # (weight, indication choices, required-item pools, optional items)
    (30, ["Pre-operative, planned knee arthroplasty.", "Preop before cholecystectomy.", "Pre-op, hip replacement.",
          "Outpatient. Cough for three weeks.", "Dyspnoea on exertion.", "Routine control, smoker.",
          "Chest pain, rule out pathology.", "Fever. Pneumonia?"], [], ["degen", "aorta", "granuloma", "hiatal"]),
    (18, ["Fever and cough, CRP 140. Pneumonia?", "Infiltrate?", "Pneumonia? Desaturation.",
          "Febrile, crackles basally.", "Follow-up of known pneumonia."],
     [["pneumonia"]], ["effusion_small", "plate_atel", "degen", "aorta"]),
    (14, ["Dyspnoea, known heart failure. Congestion? Effusion?", "Increasing oedema of the legs. Decompensation?",
          "Known CHF, weight gain."], [["congestion"], ["effusion_mod", "effusion_small", "effusion_inc"]],
     ["cardio_mild", "sternotomy", "pacemaker", "aorta"]),
    (12, ["Day 2 after CABG. Control.", "Status after CVC placement. Position? Pneumothorax?",
          "ICU, ventilated patient. Control.", "After thoracic drainage removal. Pneumothorax?"],
     [["cvc", "sternotomy"], ["plate_atel", "effusion_small", "ptx", "collapse"]], ["pacemaker", "degen"]),
    (8, ["Control of nodule.", "Incidental finding on abdominal CT, control.", "Weight loss, smoker.",
         "Haemoptysis."], [["nodule"]], ["granuloma", "emphysema", "degen"]),
    (8, ["Known COPD, increasing dyspnoea.", "COPD exacerbation. Infiltrate?", "Smoker, chronic cough."],
     [["emphysema"]], ["pneumonia", "plate_atel", "aorta"]),
    (6, ["Sudden chest pain and dyspnoea after coughing.", "Pneumothorax?", "Control of known pneumothorax."],
     [["ptx"]], []),
]
TITLES = ["Chest X-ray PA and lateral", "Thorax, two projections", "X-thorax",
          "Chest radiograph, frontal and lateral view", "Thorax p.a. and lateral", "Chest X-ray"]
BEDSIDE = ["Chest X-ray, bedside AP", "Thorax supine, bedside", "Chest X-ray AP, ICU"]
HEADERS = [("Findings:", "Impression:"), ("Findings:", "Conclusion:"), ("FINDINGS", "CONCLUSION"),
           ("Description:", "Conclusion:"), ("Findings:", "Assessment:"), ("Report:", "Conclusion:")]
HDR_W = [32, 32, 10, 12, 10, 4]
READERS = ["Ingrid Lund, MD", "Dr. med. Katrin Weber", "J. de Vries, radiologist", "Mikko Virtanen, consultant",
           "Dr. S. Hansen", "Anna Bergström, MD", "Dr. M. Schneider, Oberarzt", "P. Jansen, radioloog",
           "Lars Nilsen, consultant radiologist", "Dr. T. Müller"]
PH_SIDE = ["[left/right]", "[***]", "[side]", "***"]
PH_NUM = ["___", "XX", "xx", "[***]", "..."]
PH_GRADE = ["[***]", "[small/moderate/large]", "***", "[grade]"]


def _date(rng: random.Random) -> str:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.choice([2023, 2024])
    return rng.choice([f"{d:02d}.{m:02d}.{y}", f"{y}-{m:02d}-{d:02d}", f"{d}.{m}.{y}"])


class Item:
    def __init__(self, key: str, rng: random.Random, prior: str | None, side: str | None = None):
        self.key, self.spec = key, ITEMS[key]
        self.side = side or rng.choice(["left", "right"])
        grade = rng.choice(["moderate", "moderate", "large"])
        self.vals = {"side": self.side, "grade": grade, "cm": rng.choice(["1", "1.5", "2", "2,5", "3"]),
                     "mm": str(rng.randint(7, 24)), "prior": prior or "the previous examination"}
        self.ft = rng.choice([t for t in self.spec["f"] if prior or "{prior}" not in t])
        self.it = rng.choice(self.spec["i"])

    def render(self, tmpl: str, **over: str) -> str:
        v = dict(self.vals, **over)
        v.update(Side=v["side"][:1].upper() + v["side"][1:], Grade=v["grade"][:1].upper() + v["grade"][1:])
        return tmpl.format(**v)

    def f(self, **over: str) -> str:
        return self.render(self.ft, **over)

    def i(self, **over: str) -> str:
        return self.render(self.it, **over)


def _pick_items(rng: random.Random, prior: str | None, force: str | None = None) -> tuple[str, list[Item]]:
    pool_s = [s for s in SCENARIOS if force and any(force in p for p in s[2])] if force else []
    pool_s = pool_s or SCENARIOS
    scen = rng.choices(pool_s, weights=[s[0] for s in pool_s])[0]
    keys: list[str] = []
    for pool in scen[2]:
        keys.append(rng.choice(pool))
    for k in scen[3]:
        if rng.random() < 0.3:
            keys.append(k)
    if force:
        keys = [force] + [k for k in keys if k != force]
    keys = [k for k in dict.fromkeys(keys) if prior or not ITEMS[k].get("prior")]
    # one item per pleural/group family
    seen, out = set(), []
    for k in keys:
        fam = "eff" if k.startswith("effusion") else k
        if fam in seen:
            continue
        seen.add(fam)
        out.append(Item(k, rng, prior))
    return rng.choice(scen[1]), out


def _findings(rng: random.Random, items: list[Item], extra_topics: set[str] = frozenset(),
              item_text: dict[int, str] | None = None) -> str:
    blocked = set().union(*(it.spec["topics"] for it in items)) if items else set()
    sents: list[tuple[int, str]] = []
    for n, it in enumerate(items):
        txt = (item_text or {}).get(n) or it.f()
        sents.append((ORDER.get(it.key, 6 if it.spec.get("device") else 7) + (-7 if it.spec.get("device") and
                                                                             rng.random() < 0.5 else 0), txt))
    want = {"heart", "lung", "eff"} | set(extra_topics)
    for t in ("media", "cong", "ptx"):
        if rng.random() < (0.6 if t == "ptx" else 0.45):
            want.add(t)
    covered: set[str] = set()
    for text, topics, order in rng.sample(NORMALS, len(NORMALS)):
        if topics & blocked or not topics <= want or topics & covered:
            continue
        covered |= topics
        sents.append((order, text))
    sents.sort(key=lambda s: s[0])
    return "\n".join(s for _, s in sents) if rng.random() < 0.3 else " ".join(s for _, s in sents)


def _impression(rng: random.Random, phrases: list[str], blocked: set[str], any_items: bool) -> str:
    if not phrases:
        ok = [m for m, t in MACROS if not (t & blocked) and not ("all" in t and any_items)]
        return rng.choice(ok)
    if len(phrases) > 1 and rng.random() < 0.4:
        if rng.random() < 0.5:
            return "\n".join(f"{n}. {p}" for n, p in enumerate(phrases, 1))
        return "\n".join(f"- {p}" for p in phrases)
    return " ".join(phrases)


def _layout(rng: random.Random, title: str, indication: str, comparison: str, findings: str | None,
            impression: str | None, hdr: tuple[str, str]) -> str:
    fh, ih = hdr
    q = rng.choice(["Clinical question:", "Indication:", "Clinical information:", "Question:"])
    parts = [f"{title}.", f"{q} {indication}", f"Comparison: {comparison}"]
    for h, body in ((fh, findings), (ih, impression)):
        if body is None:
            continue
        if h.isupper() or "\n" in body:
            parts.append(f"{h}\n{body}".rstrip())
        else:
            parts.append(f"{h} {body}".rstrip())
    if rng.random() < 0.6:
        parts.append(rng.choice(READERS))
    return "\n\n".join(parts)


CHECK: dict = {}  # what the last generated case must show; verified in build()


def _side_words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\b(left|right)\b", text, re.I)}


def composed_case(rng: random.Random, kind: str | None, variant: int) -> tuple[str, str]:
    """Return (report, detail) for one composed case with the requested injected kind (or clean)."""
    for _ in range(200):
        prior = _date(rng) if rng.random() < 0.5 else None
        comparison = prior or rng.choice(["None.", "No previous images.", "No prior examinations available."])
        hdr = rng.choices(HEADERS, weights=HDR_W)[0]
        force = None
        if kind in ("laterality_conflict",):
            force = rng.choice(["pneumonia", "effusion_mod", "effusion_small", "ptx", "nodule", "plate_atel",
                                "collapse"])
        if kind == "impression_omits_finding":
            force = rng.choice(["pneumonia", "effusion_mod", "ptx", "congestion", "nodule", "collapse",
                                "effusion_inc"])
        if kind == "placeholder" and rng.random() < 0.5:
            force = rng.choice(["nodule", "ptx", "effusion_mod"])
        ind, items = _pick_items(rng, prior, force)
        title = rng.choice(BEDSIDE if re.search(r"ICU|CABG|CVC|drainage", ind) else TITLES)
        blocked = set().union(*(it.spec["topics"] for it in items)) if items else set()
        shown = [it for it in items if it.spec["sig"] or rng.random() < 0.45]

        def imp(phrases: list[str], blk: set[str] = blocked, any_items: bool = bool(items)) -> str:
            return _impression(rng, phrases, blk, any_items)

        if kind is None:
            fnd = _findings(rng, items)
            return _layout(rng, title, ind, comparison, fnd, imp([it.i() for it in shown]), hdr), ""
        if kind == "missing_section":
            fnd = _findings(rng, items)
            im = imp([it.i() for it in shown])
            v = variant % 4
            if v == 0:
                return _layout(rng, title, ind, comparison, fnd, None, hdr), "IMPRESSION section not written"
            if v == 1:
                return _layout(rng, title, ind, comparison, fnd, "", hdr), f"'{hdr[1]}' header left empty"
            if v == 2:
                return _layout(rng, title, ind, comparison, "", im, hdr), f"'{hdr[0]}' header left empty"
            bare = rng.choice(["No acute disease.", "Nothing acute.", "No acute findings."])
            return (_layout(rng, title, ind, comparison, None, bare, hdr),
                    "FINDINGS section absent; impression is a bare normal line")
        if kind == "laterality_conflict":
            x = items[0]
            if any(it.key == x.key or it.spec["syn"] == x.spec["syn"] for it in items[1:] if it.side != x.side):
                continue
            in_imp = rng.random() < 0.5
            ftxt = {0: x.f()} if in_imp else {0: x.f(side=OPP[x.side])}
            fnd = _findings(rng, items, item_text=ftxt)
            phr = [x.i(side=OPP[x.side]) if in_imp else x.i()] + [it.i() for it in shown if it is not x]
            where = "IMPRESSION" if in_imp else "FINDINGS"
            d = f"{x.key} side flipped in {where}: findings {'left' if (x.side == 'left') == in_imp else 'right'}"
            d += f", impression {'right' if (x.side == 'left') == in_imp else 'left'}"
            fside = x.side if in_imp else OPP[x.side]
            CHECK.update(f=x.f(side=fside), i=x.i(side=OPP[fside]), fside=fside)
            return _layout(rng, title, ind, comparison, fnd, imp(phr), hdr), d
        if kind == "negation_conflict":
            if variant % 2 == 0:  # findings affirm X, impression negates it (pasted normal line)
                cands = [it for it in items if it.spec["neg"]]
                if not cands:
                    continue
                x = rng.choice(cands)
                fnd = _findings(rng, items)
                phr = [it.i() for it in shown if it is not x] + [rng.choice(x.spec["neg"])]
                if rng.random() < 0.5:
                    phr = phr[-1:] + phr[:-1]
                CHECK.update(f=x.f(), i=[p for p in phr if p in x.spec["neg"]][0])
                return (_layout(rng, title, ind, comparison, fnd, imp(phr), hdr),
                        f"FINDINGS affirm {x.key} ({x.f()!r}); IMPRESSION says {phr!r}")
            # findings rule X out, impression affirms X
            cands = [it for it in items if it.spec["topics"] and it.spec["neg"]]
            if not cands:
                continue
            x = rng.choice(cands)
            rest = [it for it in items if not (it.spec["topics"] & x.spec["topics"])]
            fnd = _findings(rng, rest, extra_topics=x.spec["topics"])
            rest_shown = [it for it in shown if it in rest]
            phr = [x.i()] + [it.i() for it in rest_shown]
            if not any(n in fnd for n, t, _ in NORMALS if t & x.spec["topics"]):
                continue
            CHECK.update(f=[n for n, t, _ in NORMALS if t & x.spec["topics"] and n in fnd][0], i=x.i())
            return (_layout(rng, title, ind, comparison, fnd, imp(phr), hdr),
                    f"FINDINGS rule out {x.key}; IMPRESSION affirms {x.i()!r}")
        if kind == "impression_omits_finding":
            x = items[0]
            if not x.spec["sig"]:
                continue
            fnd = _findings(rng, items)
            others = [it.i() for it in items[1:] if it.i() and not re.search(x.spec["syn"], it.i(), re.I)]
            if variant % 2 == 0:
                ok = [m for m, t in MACROS if not t]
                im = rng.choice(ok)
                d = f"FINDINGS: {x.f()!r}; IMPRESSION is a normal macro"
            else:
                if not others:
                    continue
                im = imp(others)
                d = f"FINDINGS: {x.f()!r}; IMPRESSION lists only other findings"
            if re.search(x.spec["syn"], im, re.I):
                continue
            CHECK.update(f=x.f(), syn=x.spec["syn"])
            return _layout(rng, title, ind, comparison, fnd, im, hdr), d
        if kind == "placeholder":
            cands = [it for it in items if re.search(r"\{(side|Side|mm|cm|grade|Grade)\}", it.ft + it.it)]
            num = [it for it in cands if re.search(r"\{(mm|cm|grade|Grade)\}", it.ft + it.it)]
            cands = num if num and rng.random() < 0.75 else cands
            if not cands:
                continue
            x = rng.choice(cands)
            in_f = rng.random() < 0.6 or not re.search(r"\{(side|Side|mm|cm|grade|Grade)\}", x.it)
            tmpl = x.ft if in_f else x.it
            if not re.search(r"\{(side|Side|mm|cm|grade|Grade)\}", tmpl):
                tmpl, in_f = x.it, False
            fields = re.findall(r"\{(side|Side|mm|cm|grade|Grade)\}", tmpl)
            other = [x for x in fields if x.lower() != "side"]
            fld = rng.choice(other if other and rng.random() < 0.85 else fields)
            tok = rng.choice(PH_SIDE if fld.lower() == "side" else PH_GRADE if fld.lower() == "grade" else PH_NUM)
            low = fld.lower()
            # replace only the first occurrence of that field
            tmpl2 = tmpl.replace("{" + fld + "}", "\0", 1).format(
                **dict(x.vals, Side=x.vals["side"].capitalize(), Grade=x.vals["grade"].capitalize())
            ).replace("\0", tok)
            if in_f:
                fnd = _findings(rng, items, item_text={items.index(x): tmpl2})
                phr = [it.i() for it in shown]
            else:
                fnd = _findings(rng, items)
                phr = [tmpl2 if it is x else it.i() for it in shown]
                if x not in shown:
                    phr = [tmpl2] + phr
            where = "FINDINGS" if in_f else "IMPRESSION"
            return (_layout(rng, title, ind, comparison, fnd, imp(phr), hdr),
                    f"{low} left as template field {tok!r} in {where}: {tmpl2!r}")
    raise RuntimeError(f"could not compose {kind}")


# ------------------------------------------------------------------------------------------------- IU part
NEG_CUE = re.compile(r"\b(no|not|without|negative|clear|resolved|resolution|free of|removed|cannot|exclude|"
                     r"rather than|versus|vs|or)\b|\?", re.I)
GROUPS = {  # group: (findings affirm regex, impression synonym regex)
    "airspace": (r"consolidat|airspace disease|airspace opacit|infiltrat|pneumonia",
                 r"consolidat|air ?space|infiltrat|pneumon|opacit|densit|atelecta|scar|process"),
    "edema": (r"\bedema\b|pulmonary vascular congestion|vascular congestion",
              r"edema|oedema|congest|failure|chf|vascular|overload"),
    "pneumothorax": (r"pneumothorax", r"pneumothora"),
    "effusion": (r"(moderate|large)[\w\s-]{0,20}effusion", r"effusion|fluid|pleural"),
    "mass": (r"\bmass\b", r"mass|lesion|neoplas|tumor|malignan|nodul|opacit|ct\b"),
}
LAT_GROUPS = r"effusion|pneumothorax|consolidat|airspace|infiltrat|pneumonia|atelecta|opacit|nodul|granulom|mass"
REWORD = [
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary findings"),
    (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary findings"),
    (r"\bThe lungs are clear\b", "Lungs are clear"),
    (r"\bHeart size is normal\b", "Normal heart size"),
    (r"\bThe heart is normal in size\b", "The heart is not enlarged"),
    (r"\bNo pneumothorax or pleural effusion\b", "No pneumothorax or pleural fluid"),
    (r"\bThere is no focal consolidation\b", "No focal consolidation"),
    (r"\bNo focal airspace disease\b", "No infiltrates"),
    (r"\bwithin normal limits\b", "normal"),
    (r"\bpleural effusions?\b(?= or pneumothorax)", "pleural fluid"),
]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.])\s+", text.strip()) if s]


def load_iu(shared: Path, exclude: set[str]) -> list[dict]:
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tar:
        for m in tar.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tar.extractfile(m).read())
            uid = root.find("uId").get("id")
            if uid in exclude:
                continue
            d = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            f, i = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if len(f) < 40 or len(i) < 10 or len(f) > 900 or PH_RE.search(f + i + d.get("INDICATION", "")):
                continue
            out.append(dict(uid=uid, f=f, i=i, ind=d.get("INDICATION", ""), cmp=d.get("COMPARISON", "")))
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return out


SOFT = re.compile(r"atelecta|scar|granulom|chronic|stable|unchanged|discoid|subsegmental|linear|fibros|old", re.I)


def affirmed(text: str, pat: str, strict: bool = True) -> list[str]:
    return [s for s in sentences(text) if re.search(pat, s, re.I) and not NEG_CUE.search(s)
            and not (strict and SOFT.search(s))]


def reword(text: str, rng: random.Random) -> str:
    for pat, rep in REWORD:
        if rng.random() < 0.7:
            text = re.sub(pat, rep, text)
    return text


def iu_layout(rng: random.Random, r: dict, f: str | None, i: str | None) -> str:
    ind = r["ind"] or rng.choice(["Dyspnoea.", "Cough.", "Chest pain.", "Control."])
    cmp = r["cmp"] or rng.choice(["None.", "No previous images."])
    hdr = rng.choices(HEADERS, weights=HDR_W)[0]
    return _layout(rng, rng.choice(TITLES), ind, cmp, f, i, hdr)


def sig_groups(f: str, strict: bool = True) -> list[str]:
    return [g for g, (fp, _) in GROUPS.items() if affirmed(f, fp, strict)]


def iu_case(rng: random.Random, r: dict, kind: str | None, variant: int) -> tuple[str, str] | None:
    f, i = reword(r["f"], rng), reword(r["i"], rng)
    if kind is None:
        if any(not re.search(GROUPS[g][1], i, re.I) for g in sig_groups(f, strict=False)):
            return None
        return iu_layout(rng, r, f, i), ""
    if kind == "missing_section":
        v = variant % 3
        if v == 0:
            return iu_layout(rng, r, f, None), "IMPRESSION section absent"
        if v == 1:
            return iu_layout(rng, r, f, ""), "IMPRESSION header left empty"
        return iu_layout(rng, r, "", i), "FINDINGS header left empty"
    if kind == "laterality_conflict":
        sides = _side_words(r["f"] + " " + r["i"])
        if len(sides) != 1 or re.search(r"bilateral|both", r["f"] + r["i"], re.I):
            return None
        side = sides.pop()
        fs = [s for s in sentences(f) if re.search(rf"\b{side}\b", s, re.I) and re.search(LAT_GROUPS, s, re.I)
              and not NEG_CUE.search(s)]
        isents = sentences(i)
        ids = [n for n, s in enumerate(isents) if re.search(rf"\b{side}\b", s, re.I) and re.search(LAT_GROUPS, s, re.I)]
        if not fs or not ids:
            return None
        def stems(t: str) -> set[str]:
            alias = {"consolidat": "air", "airspace": "air", "infiltrat": "air", "pneumonia": "air", "opacit": "air",
                     "nodul": "nod", "granulom": "nod", "mass": "nod"}
            return {alias.get(k, k) for k in re.findall(LAT_GROUPS, t.lower())}
        pairs = [(a, n) for n in ids for a in fs if stems(a) & stems(isents[n])]
        if not pairs:
            return None
        fs, n = [pairs[0][0]], pairs[0][1]
        flipped = re.sub(r"\b(left|right|Left|Right|LEFT|RIGHT)\b", lambda m: OPP[m.group(1)], isents[n])
        isents[n] = flipped
        CHECK.update(f=fs[0], i=flipped, fside=side)
        return iu_layout(rng, r, f, " ".join(isents)), f"side flipped in IMPRESSION: {flipped!r} vs {fs[0]!r}"
    if kind == "negation_conflict":
        if sig_groups(f) or not re.search(r"no acute|normal|negative|clear", i, re.I):
            return None
        opts = []
        if re.search(r"\b(large|significant|sizable|substantial|residual|definite|new)\b", f, re.I):
            return None
        if re.search(r"\bno\b[^.]*effusion|costophrenic angles are (sharp|clear)", f, re.I):
            opts.append(("effusion", rng.choice(["Small pleural effusion on the left.",
                                                 "Small right-sided pleural effusion."]),
                         r"\bno\b[^.]*effusion|costophrenic angles are (sharp|clear)"))
        if re.search(r"\bno\b[^.]*pneumothorax", f, re.I):
            opts.append(("pneumothorax", rng.choice(["Small apical pneumothorax on the right.",
                                                     "Left-sided pneumothorax, 1 cm."]), r"\bno\b[^.]*pneumothorax"))
        if re.search(r"heart size (is )?normal|normal heart size|heart is not enlarged|heart size normal", f, re.I):
            opts.append(("heart", rng.choice(["Cardiomegaly.", "Enlarged heart.", "Mild cardiomegaly."]),
                         r"heart size (is )?normal|normal heart size|heart is not enlarged|heart size normal"))
        if re.search(r"lungs are clear|no (focal )?(consolidation|infiltrates|airspace)", f, re.I):
            opts.append(("lung", rng.choice(["Infiltrate in the right lower lobe, consistent with pneumonia.",
                                             "Pneumonia in the left lower lobe."]),
                         r"lungs are clear|no (focal )?(consolidation|infiltrates|airspace)"))
        if not opts:
            return None
        what, phrase, pat = rng.choice(opts)
        CHECK.update(f=[s for s in sentences(f) if re.search(pat, s, re.I)][0], i=phrase)
        new_i = phrase if rng.random() < 0.6 else phrase + " Otherwise no acute findings."
        return iu_layout(rng, r, f, new_i), f"FINDINGS rule out {what}; IMPRESSION replaced by {new_i!r}"
    if kind == "impression_omits_finding":
        gs = [g for g in sig_groups(f) if re.search(GROUPS[g][1], i, re.I)]
        if not gs:
            return None
        g = gs[0]
        syn = GROUPS[g][1] + "|" + GROUPS[g][0]
        keep = [s for s in sentences(i) if not re.search(syn, s, re.I) and not re.search(
            r"clear|normal|no acute|negative|^\d+\.$", s, re.I)]
        keep = [re.sub(r"^\d+\.\s*", "", s) for s in keep]
        keep = [s for s in keep if len(s.split()) >= 3]
        if variant % 2 == 1 and keep:
            new_i, how = " ".join(keep), "other findings only"
        else:
            new_i, how = rng.choice(["No acute cardiopulmonary findings.", "No acute changes.",
                                     "Nothing acute."]), "normal macro"
        if any(re.search(GROUPS[h][1], new_i, re.I) for h in sig_groups(f)):
            return None
        CHECK.update(f=affirmed(f, GROUPS[g][0])[0], syn=syn)
        return iu_layout(rng, r, f, new_i), f"{g} affirmed in FINDINGS ({affirmed(f, GROUPS[g][0])[0]!r}); " \
                                            f"IMPRESSION {how}"
    if kind == "placeholder":
        opts = []
        for m in re.finditer(r"\b(left|right)\b", f, re.I):
            opts.append((m, rng.choice(PH_SIDE)))
        for m in re.finditer(r"\b\d+(\.\d+)?(?= ?(mm|cm)\b)", f):
            opts.append((m, rng.choice(PH_NUM)))
        for m in re.finditer(r"\b(mild|moderate|small|large|minimal)\b(?= (left |right |bilateral )?(pleural "
                             r"effusion|effusion|pneumothorax|cardiomegaly|atelectasis))", f, re.I):
            if not re.search(r"\b(no|without|not)\b", f[max(0, f.rfind(".", 0, m.start())):m.start()], re.I):
                opts.append((m, rng.choice(PH_GRADE)))
        if not opts:
            return None
        m, tok = rng.choice(opts)
        nf = f[:m.start()] + tok + f[m.end():]
        return iu_layout(rng, r, nf, i), f"{m.group(0)!r} in FINDINGS replaced by template field {tok!r}"
    return None


# ------------------------------------------------------------------------------------------------ checks
PH_RE = re.compile(r"\[|\*\*\*|___|\bxx(?!xx)|\.\.\.", re.I)


def sections(report: str) -> tuple[str | None, str | None]:
    fh = {h for h, _ in HEADERS}
    ih = {h for _, h in HEADERS}
    f = i = None
    for block in report.split("\n\n"):
        for h in fh | ih:
            if block == h or block.startswith(h + " ") or block.startswith(h + "\n"):
                body = block[len(h):].strip()
                if h in fh:
                    f = body
                else:
                    i = body
    return f, i


def verify(kind: str | None, report: str, check: dict | None = None) -> None:
    f, i = sections(report)
    c = check or {}
    if kind == "missing_section":
        assert not f or not i, report
        if not f:
            assert not i or re.fullmatch(r"No acute (disease|findings)\.|Nothing acute\.", i) or f == "", report
    else:
        assert f and i, report
    if kind == "laterality_conflict":
        fs, is_ = c["f"], c["i"]
        assert fs in f and is_ in i, (fs, is_, report)
        assert _side_words(fs) == {c["fside"]} and _side_words(is_) == {OPP[c["fside"]]}, (fs, is_)
    if kind == "impression_omits_finding":
        assert c["f"] in f and not re.search(c["syn"], i, re.I), (c, report)
    if kind == "negation_conflict":
        assert c["f"] in f and c["i"] in i, (c, report)
    assert bool(PH_RE.search(report)) == (kind == "placeholder"), report


def build(seed: int, shared: Path) -> list[dict]:
    dev = shared / "eval" / "report_errors_dev.jsonl"
    exclude = {json.loads(line)["uid"] for line in dev.open()} if dev.exists() else set()
    iu = load_iu(shared, exclude)
    rng = random.Random(seed)
    pool = iu[:]
    rng.shuffle(pool)
    used: set[str] = set()
    cases = []
    for kind in [None, *KINDS]:
        n = N_CLEAN if kind is None else N_KIND
        for v in range(n // 2):
            CHECK.clear()
            rep, det = composed_case(rng, kind, v)
            verify(kind, rep, CHECK)
            cases.append(dict(injected=kind, detail=det or "composed, unmodified", report=rep, src="composed"))
        got, v = 0, 0
        for r in pool:
            if got >= n // 2:
                break
            if r["uid"] in used:
                continue
            CHECK.clear()
            res = iu_case(rng, r, kind, v)
            if res is None:
                continue
            rep, det = res
            verify(kind, rep, CHECK)
            used.add(r["uid"])
            cases.append(dict(injected=kind, detail=f"IU {r['uid']}: " + (det or "unmodified"), report=rep,
                              src="iu", uid=r["uid"]))
            got += 1
            v += 1
        if got < n // 2:
            raise RuntimeError(f"only {got} IU cases for {kind}")
    rng.shuffle(cases)
    out = []
    for n, c in enumerate(cases):
        cid = hashlib.sha256(f"56:{seed}:{n}:{c['report']}".encode()).hexdigest()[:16]
        out.append({"id": cid, "injected": c["injected"], "detail": c["detail"], "report": c["report"]})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if not (shared / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        print(f"shared data not found at {shared}: set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        return 2
    rows = build(a.seed, shared)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"=== {kind} | {r['detail']}\n{r['report']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
