"""Held-out report-error set 157: rheumatology / connective-tissue disease clinic chest films.

Setting: UK and US rheumatology clinics (rheumatoid arthritis and RA-ILD / rheumatoid nodules,
systemic sclerosis, SLE with pleurisy and serositis, methotrexate baselines and pre-biologic TB
screening, ANCA vasculitis with cavitating nodules, sarcoidosis, ankylosing spondylitis with
apical fibrosis).  Written blind: nothing of the checker was read while writing this.

usage: python -m bench.make_heldout157 OUT.jsonl --seed S [--show N]

400 rows: 200 clean, 40 of each injected kind; in every group half the reports are composed
from the phrase bank below, half are real IU reports re-laid out in the setting's style.
Standard library only.
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40

# --------------------------------------------------------------------------------------------
# shared data
# --------------------------------------------------------------------------------------------


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


def archive_path() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


def dev_uids() -> list[str]:
    out = []
    with open(dev_path()) as fh:
        for line in fh:
            line = line.strip()
            if line:
                out.append(json.loads(line)["uid"])
    return out


_IU_CACHE: dict[str, list[dict]] = {}


def split_sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text or "").strip()
    text = re.sub(r"(^|\s)\d{1,2}\.\s+(?=[A-Za-z])", r"\1", text)
    out = []
    for part in re.split(r"(?<=[.!])\s+(?=[A-Z0-9])", text):
        part = part.strip()
        part = re.sub(r"(\s*\.)+$", ".", part)
        if not re.search(r"[A-Za-z]{2}", part) or re.match(r"end of (the )?report", part, re.I):
            continue
        if not part.endswith("."):
            part += "."
        out.append(part)
    return out


def load_iu() -> list[dict]:
    """All IU reports outside the dev set, sorted by number: uid, num, findings, impression, ..."""
    key = str(archive_path())
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    dev = set(dev_uids())
    rows = []
    with tarfile.open(archive_path()) as tar:
        for member in tar.getmembers():
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            xml = tar.extractfile(member).read().decode("utf-8", "replace")
            m = re.search(r'<uId id="([^"]+)"', xml)
            if not m or m.group(1) in dev:
                continue
            uid = m.group(1)
            sec = {}
            for label, txt in re.findall(r'<AbstractText Label="(\w+)">(.*?)</AbstractText>', xml, re.S):
                sec[label] = txt
            raw = " ".join(sec.values())
            if re.search(r"[\[\]<>&?*_;]", raw):
                continue  # escaped markup, questions, odd punctuation: keep the sources plain
            mesh = [html.unescape(x) for x in re.findall(r"<major>(.*?)</major>", xml)]
            rows.append(
                {
                    "uid": uid,
                    "num": int(re.sub(r"\D", "", uid) or 0),
                    "findings": split_sentences(sec.get("FINDINGS", "")),
                    "impression": split_sentences(sec.get("IMPRESSION", "")),
                    "indication": re.sub(r"\s+", " ", sec.get("INDICATION", "")).strip(),
                    "comparison": re.sub(r"\s+", " ", sec.get("COMPARISON", "")).strip(),
                    "mesh": mesh,
                }
            )
    rows.sort(key=lambda r: r["num"])
    _IU_CACHE[key] = rows
    return rows


# --------------------------------------------------------------------------------------------
# text analysis used to pick and check IU reports
# --------------------------------------------------------------------------------------------

SIDE_RE = re.compile(r"\b(left|right)\b", re.I)
NEG_CUE = re.compile(
    r"\b(no|not|without|negative|free of|clear of|resolved|resolution|absence|removed|rather than)\b", re.I
)
HEDGE = re.compile(
    r"\b(possible|possibly|may|might|could|questionable|question|suspect\w*|cannot|versus|vs|likely|"
    r"probabl\w*|suggest\w*|concern\w*|subtle|early|developing|differential|consider\w*|"
    r"atelectasis|scar\w*)\b",
    re.I,
)
CHRONIC = re.compile(
    r"\b(clearing|cleared|vague|stable|unchanged|chronic|old|healed|resolving|improv\w*|decreas\w*|residual|again|"
    r"persist\w*|redemonstrat\w*|similar|previously|prior|no change)\b",
    re.I,
)

TERMS = {
    "effusion": re.compile(r"\beffusions?\b", re.I),
    "pneumothorax": re.compile(r"\bpneumothora(x|ces)\b", re.I),
    "consolidation": re.compile(
        r"\b(consolidat\w*|air ?space (disease|opacit\w*|process)|infiltrat\w*|pneumonia)\b", re.I
    ),
    "edema": re.compile(r"(\bo?edema\b|\bcongesti\w*|\bCHF\b)", re.I),
    "cardiomegaly": re.compile(
        r"\b(cardiomegaly|(heart|cardiac (silhouette|shadow)|cardiomediastinal silhouette)"
        r" (is |are |remains |appears )*(mildly |moderately |markedly |)enlarged|"
        r"enlarged (heart|cardiac)|cardiac enlargement)\b",
        re.I,
    ),
    "mass": re.compile(r"\bmass(es)?\b", re.I),
}
RELATED = {
    "effusion": re.compile(r"effusion|pleural|costophrenic|blunting", re.I),
    "pneumothorax": re.compile(r"pneumothora|chest tube", re.I),
    "consolidation": re.compile(r"consolidat|air ?space|infiltrat|pneumonia|opacit|infect|atelecta|density|lobe", re.I),
    "edema": re.compile(r"edema|congest|CHF|failure|fluid|vascular", re.I),
    "cardiomegaly": re.compile(r"cardio|heart|cardiac|enlarg|failure|CHF|pericard", re.I),
    "mass": re.compile(r"mass|neoplas|malignan|tumou?r|lesion|CT\b", re.I),
}
FOLLOW_RE = re.compile(r"follow|recommend|repeat|treatment|these|this|finding|correlat|resolution", re.I)
MESH_FOR = {
    "effusion": ("Pleural Effusion",),
    "pneumothorax": ("Pneumothorax",),
    "consolidation": ("Consolidation", "Airspace Disease", "Infiltrate", "Pneumonia"),
    "edema": ("Edema", "Pulmonary Congestion"),
    "cardiomegaly": ("Cardiomegaly", "Cardiac Shadow/enlarged"),
    "mass": ("Mass",),
}
NORMAL_IMP = re.compile(
    r"^(no acute|no active|normal|negative|unremarkable|no evidence|no radiographic|"
    r"no significant|clear lungs|no cardiopulmonary|stable chest|no interval)",
    re.I,
)
LUNGS_CLEAR = re.compile(r"\blungs? (are |is |appear |remain )*(grossly )?clear\b", re.I)
MINOR_MESH = (
    "normal",
    "Thoracic Vertebrae/degenerative",
    "Spine/degenerative",
    "Spondylosis",
    "Calcified Granuloma",
    "Granulomatous Disease",
    "Granuloma",
    "Aorta/tortuous",
    "Aorta, Thoracic/tortuous",
    "Atherosclerosis",
    "Calcinosis/aorta",
    "Lung/hyperdistention",
    "Osteophyte",
    "Pulmonary Emphysema",
    "Aorta/ectatic",
)
MINOR_SENT = re.compile(
    r"degenerat|granuloma|tortuous|calcifi|hyperinfl|hyperexpan|emphysema|atheroscl|sternotomy|"
    r"clips|spondyl|scoliosis|osteopenia|ectatic|COPD|kyphosis",
    re.I,
)


def _first(regex, s):
    return regex.search(s)


def affirms(s: str, term: str) -> bool:
    m = _first(TERMS[term], s)
    if not m:
        return False
    return not NEG_CUE.search(s[: m.start()])


def negates(s: str, term: str) -> bool:
    m = _first(TERMS[term], s)
    if not m:
        return False
    return bool(NEG_CUE.search(s[: m.start()]))


def heart_normal(s: str) -> bool:
    return (
        bool(re.search(r"\b(heart|cardiac|cardiomediastinal)\b", s, re.I))
        and bool(re.search(r"\b(normal|within normal limits|not enlarged|unremarkable)\b", s, re.I))
        and not re.search(r"enlarg|cardiomegaly|borderline|upper limit|top|mild|large|prominent|tortuous", s, re.I)
    )


def lungs_clear(s: str) -> bool:
    return bool(LUNGS_CLEAR.search(s)) and not re.search(r"otherwise|except|apart|but|however", s, re.I)


def sides(sentences: list[str]) -> list[str]:
    found = []
    for s in sentences:
        for m in SIDE_RE.finditer(s):
            w = m.group(1).lower()
            if w not in found:
                found.append(w)
    return sorted(found)


def firm_affirm(s: str, term: str) -> bool:
    """Affirmed without any negation, hedge or masked word in front of the term."""
    m = TERMS[term].search(s)
    if not m or NEG_CUE.search(s) or HEDGE.search(s) or re.search(r"\bappear\w*|\bseem\w*", s, re.I):
        return False
    return "XXXX" not in s[: m.start()]


CONCEPTS = [
    r"effusion|pleural|costophrenic|blunt",
    r"opacit|air ?space|consolidat|infiltrat|pneumonia|atelecta|density|scar",
    r"nodul|granuloma|mass|lesion|calcifi",
    r"pneumothora",
    r"hil(ar|um)",
    r"paratracheal|mediastin",
    r"coronary|aort",
    r"fractur|rib|clavic",
    r"diaphragm",
    r"interstiti|fibros|marking",
]


def concept_pairs(findings: list[str], impression: list[str]) -> list[tuple[int, int]]:
    """(findings index, impression index) of sentences on the same side about the same kind of finding."""
    out = []
    for a, fs in enumerate(findings):
        for b, im in enumerate(impression):
            if not SIDE_RE.search(fs) or not SIDE_RE.search(im):
                continue
            if any(re.search(c, fs, re.I) and re.search(c, im, re.I) for c in CONCEPTS):
                out.append((a, b))
    return out


def conflicts(findings: list[str], impression: list[str]) -> list[str]:
    """Problems a consultant would see between the two sections (used to keep bases clean)."""
    probs = []
    si, sf = sides(impression), sides(findings)
    if si and si != sf:
        probs.append("sides")
    for term in TERMS:
        if any(affirms(s, term) for s in impression) and any(negates(s, term) for s in findings):
            probs.append("imp affirms " + term)
        if any(negates(s, term) for s in impression) and any(affirms(s, term) for s in findings):
            probs.append("imp negates " + term)
    f_any = lambda terms: any(affirms(s, t) for s in findings for t in terms)  # noqa: E731
    i_any = lambda terms: any(affirms(s, t) for s in impression for t in terms)  # noqa: E731
    if any(lungs_clear(s) for s in impression) and f_any(["consolidation", "edema", "mass"]):
        probs.append("imp lungs clear")
    if any(lungs_clear(s) for s in findings) and i_any(["consolidation", "edema", "mass"]):
        probs.append("find lungs clear")
    if any(heart_normal(s) for s in impression) and f_any(["cardiomegaly"]):
        probs.append("imp heart normal")
    if any(heart_normal(s) for s in findings) and i_any(["cardiomegaly"]):
        probs.append("find heart normal")
    if impression and all(NORMAL_IMP.search(s) for s in impression):
        for s in findings:
            for t in ("effusion", "pneumothorax", "consolidation", "edema", "mass", "cardiomegaly"):
                if affirms(s, t):
                    probs.append("normal imp beside " + t)
            if re.search(r"\bnodul|opacit|density|widen", s, re.I) and not NEG_CUE.search(s):
                probs.append("normal imp beside opacity")
    return probs


def minor_only(rep: dict) -> bool:
    if not rep["mesh"]:
        return False
    return all(any(m.startswith(p) for p in MINOR_MESH) for m in rep["mesh"])


def mesh_has(rep: dict, term: str) -> bool:
    return any(any(k.lower() in m.lower() for k in MESH_FOR[term]) for m in rep["mesh"])


def usable(rep: dict) -> bool:
    f, i = rep["findings"], rep["impression"]
    if not f or not i:
        return False
    if len(f) > 10 or len(i) > 5 or sum(map(len, f)) > 800 or sum(map(len, i)) > 450:
        return False
    if any(len(s) < 8 for s in f + i):
        return False
    if re.search(r"\b(shoulder|humer|abdomen|bowel|clavicle fracture|Chest\.)", " ".join(f), re.I):
        return False
    return not conflicts(f, i)


# --------------------------------------------------------------------------------------------
# the setting: headers, indications, sign-offs, spelling
# --------------------------------------------------------------------------------------------

UK_TO_US = [
    ("oedema", "edema"),
    ("Oedema", "Edema"),
    ("oesophag", "esophag"),
    ("Oesophag", "Esophag"),
    ("recognised", "recognized"),
    ("Visualised", "Visualized"),
    ("visualised", "visualized"),
    ("calibre", "caliber"),
    ("haem", "hem"),
    ("favour", "favor"),
    ("tumour", "tumor"),
    ("centre", "center"),
    ("anaemi", "anemi"),
    ("dyspnoea", "dyspnea"),
    ("2-week-wait ", ""),
]
US_TO_UK = [
    (r"\bedema", "oedema"),
    (r"\bEdema", "Oedema"),
    (r"\besophag", "oesophag"),
    (r"\bEsophag", "Oesophag"),
    (r"\bhemorrhag", "haemorrhag"),
    (r"\bischemi", "ischaemi"),
    (r"\bIschemi", "Ischaemi"),
    (r"recognized", "recognised"),
    (r"visualized", "visualised"),
    (r"\bcaliber", "calibre"),
    (r"\bcenter", "centre"),
    (r"\bbibasilar", "bibasal"),
    (r"\bbasilar", "basal"),
    (r"\bBibasilar", "Bibasal"),
]
COMMON_REWORD = [
    (r"\bchest x-XXXX", "chest radiograph"),
    (r"\bx-XXXX", "radiograph"),
    (r"^There (is|are) no ", "No "),
    (r"\bcardiopulmonary process\b", "cardiopulmonary abnormality"),
    (r"\bair space\b", "airspace"),
]

UK_EXAMS = ["XR CHEST PA", "XR Chest", "CHEST X-RAY (PA)", "Chest radiograph PA", "XR THORAX PA", "CXR PA erect"]
US_EXAMS = [
    "EXAM: XR CHEST PA AND LATERAL",
    "EXAMINATION: CHEST, 2 VIEWS",
    "EXAM: CHEST RADIOGRAPH, PA/LAT",
    "XR CHEST 2 VIEWS PA AND LATERAL",
    "EXAM: CHEST 1 VIEW (PA)",
]
SURNAMES = [
    "Okafor",
    "Patel",
    "Lindqvist",
    "Harrington",
    "Mensah",
    "Chaudhry",
    "O'Rourke",
    "Bellamy",
    "Nakamura",
    "Whitfield",
    "Adeyemi",
    "Kowalski",
    "Fraser",
    "Delgado",
    "Sutherland",
    "Iqbal",
    "Moreau",
    "Brennan",
]
INITIALS = ["A", "C", "D", "E", "H", "J", "K", "L", "M", "N", "P", "R", "S", "T"]

INDICATIONS = {
    "ra": {
        "uk": [
            "Rheumatoid arthritis. Baseline CXR prior to starting methotrexate.",
            "RA, seropositive. Pre-methotrexate baseline.",
            "RA with exertional breathlessness, ?ILD.",
            "Long-standing RA, crackles at both bases. ?RA-ILD.",
        ],
        "us": [
            "Rheumatoid arthritis, baseline prior to methotrexate.",
            "RA with dyspnea on exertion, evaluate for ILD.",
            "Seropositive rheumatoid arthritis, chronic cough.",
        ],
    },
    "mtx": {
        "uk": [
            "On methotrexate for RA. New dry cough and breathlessness, ?pneumonitis.",
            "Psoriatic arthritis on methotrexate, SOB.",
        ],
        "us": [
            "RA on methotrexate with new cough and dyspnea. Evaluate for pneumonitis.",
            "Methotrexate therapy, new hypoxia.",
        ],
    },
    "tnf": {
        "uk": [
            "Pre-biologic screening (anti-TNF). IGRA negative.",
            "TB screening prior to adalimumab.",
            "Axial SpA, pre-etanercept screening film.",
            "Pre-infliximab TB screen. Born overseas.",
        ],
        "us": [
            "TB screening prior to TNF inhibitor.",
            "Pre-biologic screening, QuantiFERON indeterminate.",
            "Screening prior to infliximab for rheumatoid arthritis.",
        ],
    },
    "ssc": {
        "uk": [
            "Systemic sclerosis, ?ILD. Increasing SOB.",
            "Diffuse cutaneous SSc, annual review.",
            "Limited scleroderma, falling DLCO.",
        ],
        "us": ["Systemic sclerosis with worsening dyspnea.", "Scleroderma, evaluate for interstitial lung disease."],
    },
    "sle": {
        "uk": [
            "SLE with pleuritic chest pain.",
            "Lupus, pleuritic pain and raised CRP, ?serositis.",
            "SLE, breathless, ?effusion.",
        ],
        "us": ["Systemic lupus erythematosus, pleuritic chest pain.", "SLE flare with chest pain and dyspnea."],
    },
    "vasc": {
        "uk": [
            "GPA (ANCA-associated vasculitis), follow-up of lung nodules.",
            "ANCA vasculitis on rituximab, haemoptysis.",
            "GPA, review of cavitating nodules.",
        ],
        "us": ["Granulomatosis with polyangiitis, follow-up pulmonary nodules.", "ANCA vasculitis with hemoptysis."],
    },
    "sarc": {
        "uk": [
            "Sarcoidosis, annual review.",
            "Known sarcoid, increasing cough.",
            "Erythema nodosum and arthralgia, ?sarcoid.",
        ],
        "us": ["Sarcoidosis, follow-up.", "Known sarcoidosis with cough."],
    },
    "as": {
        "uk": [
            "Ankylosing spondylitis, exertional dyspnoea.",
            "AS, chest wall pain and reduced expansion.",
            "Ankylosing spondylitis, pre-biologic screen.",
        ],
        "us": ["Ankylosing spondylitis with dyspnea.", "AS, evaluate for apical fibrosis."],
    },
    "inf": {
        "uk": [
            "RA on tocilizumab, fever and productive cough.",
            "On rituximab for vasculitis, pyrexial, ?chest sepsis.",
            "Lupus on mycophenolate, cough and fever.",
        ],
        "us": ["Immunosuppressed on rituximab, fever and cough.", "RA on tofacitinib, fever, evaluate for pneumonia."],
    },
}
COMPARE = {
    "uk": [
        "None.",
        "None available.",
        "No previous imaging.",
        "Previous CXR {d}.",
        "Chest radiograph {d}.",
        "Compared with the film of {d}.",
    ],
    "us": ["None.", "None available.", "{d}.", "Chest radiograph dated {d}.", "Prior PA and lateral chest {d}."],
}
NORMAL_IMPRESSIONS = {
    "uk": [
        "Normal chest radiograph.",
        "No active lung disease.",
        "No acute cardiopulmonary abnormality.",
        "Normal chest X-ray. No radiographic evidence of active or previous TB.",
        "Normal appearances; satisfactory baseline film prior to methotrexate.",
        "No radiographic evidence of interstitial lung disease.",
        "Normal study.",
    ],
    "us": [
        "No acute cardiopulmonary process.",
        "Normal chest radiographs.",
        "No acute cardiopulmonary abnormality.",
        "No radiographic evidence of active tuberculosis.",
        "No active disease in the chest.",
    ],
}


def date_str(rng: random.Random, style: str) -> str:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2019, 2024)
    return f"{d:02d}/{m:02d}/{y}" if style == "uk" else f"{m:02d}/{d:02d}/{y}"


def signoff(rng: random.Random, style: str) -> str:
    name = f"{rng.choice(INITIALS)} {rng.choice(SURNAMES)}"
    if style == "uk":
        return rng.choice(
            [
                f"Dr {name}, Consultant Radiologist",
                f"Reported by: Dr {name} FRCR\nConsultant Musculoskeletal Radiologist",
                f"Dr {name}\nConsultant Radiologist\nGMC {rng.randint(3000000, 7999999)}",
                f"Reported by Dr {name}, ST4 Radiology Registrar. Verified by Dr {rng.choice(INITIALS)} "
                f"{rng.choice(SURNAMES)}, Consultant Radiologist.",
                f"Dictated by Dr {name} (voice recognition); authorised {date_str(rng, 'uk')}.",
            ]
        )
    return rng.choice(
        [
            f"Electronically signed by: {name}, MD on {date_str(rng, 'us')} "
            f"{rng.randint(7, 18):02d}:{rng.randint(0, 59):02d}",
            f"{name}, M.D.\nAttending Radiologist",
            f"Dictated by: {name}, MD\nSigned: {date_str(rng, 'us')}",
            f"I have personally reviewed the images and agree with the findings. {name}, MD",
        ]
    )


def us_spell(s: str) -> str:
    for a, b in UK_TO_US:
        s = s.replace(a, b)
    return s


def restyle_iu(sentences: list[str], style: str, changes: list[str]) -> list[str]:
    out = []
    for s in sentences:
        new = s
        for pat, rep in COMMON_REWORD + (US_TO_UK if style == "uk" else []):
            new2 = re.sub(pat, rep, new)
            if new2 != new:
                tag = f"{pat.strip('^').replace(chr(92) + 'b', '')}->{rep.strip()}"
                if tag not in changes:
                    changes.append(tag)
                new = new2
        new = new[0].upper() + new[1:]
        out.append(new)
    return out


# --------------------------------------------------------------------------------------------
# phrase bank: one dict per finding, findings and impression wordings that agree
# --------------------------------------------------------------------------------------------

B = []


def item(
    key,
    dom,
    ctx,
    f,
    i,
    neg=(),
    sig=False,
    lat=False,
    grp=None,
    diffuse=False,
    omit_ok=False,
    prior=False,
    size=None,
    cm=None,
):
    B.append(
        dict(
            key=key,
            dom=dom,
            ctx=ctx,
            f=f,
            i=i,
            neg=list(neg),
            sig=sig,
            lat=lat,
            grp=grp or key,
            diffuse=diffuse,
            omit_ok=omit_ok,
            prior=prior,
            size=size,
            cm=cm,
        )
    )


item(
    "ild",
    "lungs",
    ["ra", "ssc"],
    [
        "Bilateral basal reticular shadowing with mild volume loss.",
        "Fine reticular opacities at both lung bases, in keeping with fibrosis.",
        "Subpleural reticulation in both lower zones.",
    ],
    [
        "Bibasal reticular change in keeping with interstitial lung disease; "
        "HRCT is recommended if not already performed.",
        "Basal fibrotic change, likely connective tissue disease-associated ILD. Suggest HRCT.",
        "Findings consistent with fibrotic interstitial lung disease.",
    ],
    neg=["No evidence of interstitial lung disease.", "The lungs are clear."],
    grp="ild",
    diffuse=True,
)
item(
    "ild_prog",
    "lungs",
    ["ra", "ssc"],
    [
        "Increasing bibasal reticular opacities compared with the previous film.",
        "The basal reticular shadowing has progressed since the prior radiograph and now extends into the mid zones.",
    ],
    [
        "Progression of basal interstitial change since the previous film; HRCT and lung function testing advised.",
        "Progressive fibrotic ILD compared with the prior radiograph.",
    ],
    neg=["No evidence of interstitial lung disease.", "The lungs are clear."],
    sig=True,
    grp="ild",
    diffuse=True,
    prior=True,
)
item(
    "nodule",
    "lungs",
    ["ra", "tnf"],
    [
        "There is a {size} mm well-defined nodule in the {side} {zone} zone.",
        "A {size} mm rounded opacity projects over the {side} {zone} zone.",
        "{Side} {zone} zone nodule measuring {size} mm.",
    ],
    [
        "{size} mm {side} {zone} zone nodule; a rheumatoid nodule is possible "
        "in this context but CT chest is recommended.",
        "Solitary pulmonary nodule in the {side} {zone} zone ({size} mm). Recommend CT chest.",
        "{Side} {zone} zone nodule, ?rheumatoid nodule. CT advised.",
    ],
    neg=["No pulmonary nodule.", "The lungs are clear."],
    sig=True,
    lat=True,
    grp="nod",
    size=(6, 22),
)
item(
    "small_nodule",
    "lungs",
    ["ra", "tnf"],
    ["Tiny {size} mm nodular opacity in the {side} lower zone, possibly a nipple shadow."],
    ["Possible tiny {side} lower zone nodule; a repeat PA film with nipple markers would clarify."],
    lat=True,
    grp="nod",
    omit_ok=True,
    size=(3, 5),
)
item(
    "cavitating",
    "lungs",
    ["vasc"],
    [
        "Multiple pulmonary nodules in both lungs, the largest in the {side} "
        "{zone} zone measuring {size} mm with central cavitation.",
        "Several nodules are present in both lungs; a {size} mm cavitating nodule is seen in the {side} {zone} zone.",
    ],
    [
        "Multiple pulmonary nodules including a {size} mm cavitating {side} "
        "{zone} zone lesion, in keeping with active GPA "
        "in this context; infection should also be considered.",
        "Cavitating {side} {zone} zone nodule on a background of multiple "
        "nodules - vasculitic involvement likely; suggest CT chest.",
    ],
    neg=["No pulmonary nodules.", "The lungs are clear."],
    sig=True,
    lat=True,
    grp="nod",
    size=(12, 35),
)
item(
    "cav_improving",
    "lungs",
    ["vasc"],
    ["The previously noted {side} {zone} zone cavitating nodule is smaller, now measuring {size} mm."],
    ["Interval reduction in size of the {side} {zone} zone cavitating nodule, in keeping with response to treatment."],
    lat=True,
    grp="nod",
    prior=True,
    size=(8, 15),
)
item(
    "bhl",
    "hila",
    ["sarc"],
    [
        "Bilateral hilar enlargement with lobulated contours, in keeping with lymphadenopathy.",
        "Both hila are bulky and lobulated.",
    ],
    [
        "Bilateral hilar lymphadenopathy, consistent with known sarcoidosis.",
        "Bulky hila, compatible with sarcoid lymphadenopathy.",
    ],
    neg=["No hilar lymphadenopathy.", "Normal hila."],
)
item(
    "sarc_fibrosis",
    "lungs",
    ["sarc"],
    [
        "Bilateral upper zone reticulonodular opacities with upward retraction of both hila.",
        "Perihilar and upper zone fibrotic change with elevation of the hila.",
    ],
    ["Upper zone fibrosis, consistent with stage IV pulmonary sarcoidosis.", "Fibrotic pulmonary sarcoidosis."],
    neg=["The lungs are clear."],
    grp="fib",
    diffuse=True,
)
item(
    "sarc_nodular",
    "lungs",
    ["sarc"],
    ["Fine perihilar nodularity in both mid zones."],
    ["Perihilar nodularity in keeping with pulmonary sarcoidosis."],
    neg=["The lungs are clear."],
    grp="fib",
    diffuse=True,
)
item(
    "apical_fibrosis",
    "lungs",
    ["as"],
    [
        "Bilateral apical fibrobullous change with upper lobe volume loss.",
        "Apical pleural thickening and fibrosis at both apices.",
    ],
    [
        "Bilateral apical fibrosis, a recognised pulmonary manifestation of ankylosing spondylitis.",
        "Apical fibrobullous disease in keeping with AS.",
    ],
    neg=["The lungs are clear."],
    grp="fib",
    diffuse=True,
)
item(
    "as_spine",
    "bones",
    ["as"],
    [
        "Thoracic syndesmophytes are seen on the lateral view, in keeping with known ankylosing spondylitis.",
        "Squaring of the vertebral bodies and marginal syndesmophytes in the thoracic spine.",
    ],
    ["Spinal changes of ankylosing spondylitis."],
    omit_ok=True,
)
item(
    "effusion_small",
    "effusion",
    ["sle", "ra"],
    ["Small {side} pleural effusion.", "Blunting of the {side} costophrenic angle, in keeping with a small effusion."],
    ["Small {side} pleural effusion; in the context of SLE this may represent serositis.", "Small {side} effusion."],
    neg=["No pleural effusion."],
    lat=True,
)
item(
    "effusion_mod",
    "effusion",
    ["sle", "ra", "inf"],
    [
        "Moderate {side} pleural effusion.",
        "There is a moderate-sized {side} pleural effusion with adjacent basal atelectasis.",
        "Large {side} pleural effusion occupying the lower third of the hemithorax.",
    ],
    [
        "Moderate {side} pleural effusion; diagnostic aspiration could be considered.",
        "{Side} pleural effusion, possibly serositis in this context; infection should be excluded.",
    ],
    neg=["No pleural effusion."],
    sig=True,
    lat=True,
)
item(
    "bilat_effusions",
    "effusion",
    ["sle"],
    ["Small bilateral pleural effusions."],
    ["Small bilateral effusions, ?lupus serositis."],
    neg=["No pleural effusions."],
)
item(
    "globular_heart",
    "heart",
    ["sle", "ssc"],
    ["The cardiac silhouette is enlarged with a globular configuration, new since the previous film."],
    [
        "New globular enlargement of the cardiac silhouette - pericardial "
        "effusion should be excluded; echocardiogram suggested."
    ],
    neg=["Heart size is normal.", "Normal cardiac silhouette."],
    sig=True,
    prior=True,
)
item(
    "mild_cm",
    "heart",
    ["ra", "sle", "ssc"],
    ["Mild cardiomegaly, unchanged from the prior study.", "The heart is mildly enlarged but stable."],
    ["Mild stable cardiomegaly.", "Stable mild cardiomegaly."],
    neg=["Normal heart size."],
    omit_ok=True,
    prior=True,
)
item(
    "pa_enlarged",
    "hila",
    ["ssc"],
    ["The central pulmonary arteries appear enlarged."],
    [
        "Enlarged central pulmonary arteries raising the possibility of "
        "pulmonary hypertension; echocardiography is suggested."
    ],
    neg=["Pulmonary arteries are normal in calibre."],
)
item(
    "oesophagus",
    "mediastinum",
    ["ssc"],
    ["Patulous air-filled oesophagus is seen through the mediastinum."],
    ["Dilated oesophagus, in keeping with oesophageal involvement by systemic sclerosis."],
    omit_ok=True,
)
item(
    "mtx_pneumonitis",
    "lungs",
    ["mtx"],
    [
        "New bilateral patchy airspace opacification, most marked in the mid and lower zones.",
        "There is new widespread bilateral ground-glass and airspace shadowing.",
    ],
    [
        "New bilateral airspace opacities. In a patient on methotrexate, drug-induced pneumonitis is a consideration "
        "alongside atypical infection; HRCT may help.",
        "Bilateral airspace change - ?methotrexate pneumonitis vs infection.",
    ],
    neg=["The lungs are clear.", "No airspace opacity."],
    sig=True,
    grp="air",
    diffuse=True,
    prior=True,
)
item(
    "consolidation",
    "lungs",
    ["inf"],
    [
        "Consolidation in the {side} {zone} zone with air bronchograms.",
        "Patchy airspace opacification in the {side} {zone} zone.",
        "There is {side} {zone} zone consolidation.",
    ],
    [
        "{Side} {zone} zone consolidation, in keeping with infection given "
        "immunosuppression; follow-up radiograph in 6 "
        "weeks after treatment is advised.",
        "Pneumonia in the {side} {zone} zone.",
    ],
    neg=["No consolidation.", "The lungs are clear."],
    sig=True,
    lat=True,
    grp="air",
)
item(
    "ptx",
    "ptx",
    ["as", "vasc"],
    [
        "There is a {side} apical pneumothorax with an apical rim of {cm} cm.",
        "{Side}-sided pneumothorax is present; no mediastinal shift.",
    ],
    [
        "{Side} pneumothorax; the clinical team has been informed.",
        "{Side} apical pneumothorax - findings discussed with the referring rheumatology team.",
    ],
    neg=["No pneumothorax."],
    sig=True,
    lat=True,
    cm=(1, 3),
)
item(
    "oedema",
    "lungs",
    ["sle"],
    [
        "Upper lobe venous diversion with bilateral perihilar haze and septal lines, in keeping with pulmonary oedema.",
        "Interstitial oedema with Kerley B lines at both bases.",
    ],
    [
        "Pulmonary oedema.",
        "Appearances in keeping with fluid overload/pulmonary oedema; correlate with renal function.",
    ],
    neg=["No pulmonary oedema.", "The lungs are clear."],
    sig=True,
    grp="air",
    diffuse=True,
)
item(
    "mass",
    "lungs",
    ["ra", "tnf"],
    [
        "There is a {cm} cm lobulated mass in the {side} {zone} zone.",
        "A {cm} cm soft tissue mass projects over the {side} {zone} zone.",
    ],
    [
        "{cm} cm {side} {zone} zone mass; urgent CT chest is recommended to exclude malignancy.",
        "{Side} {zone} zone mass ({cm} cm) - urgent CT chest, 2-week-wait referral suggested.",
    ],
    neg=["No lung mass.", "The lungs are clear."],
    sig=True,
    lat=True,
    grp="nod",
    cm=(3, 6),
)
item(
    "granuloma",
    "lungs",
    ["tnf"],
    [
        "Small calcified granuloma in the {side} {zone} zone.",
        "A {size} mm densely calcified nodule in the {side} {zone} zone, consistent with a healed granuloma.",
    ],
    [
        "Calcified granuloma {side} {zone} zone, in keeping with previous "
        "granulomatous infection. No evidence of active tuberculosis.",
        "Healed {side} {zone} zone granuloma; no features of active TB.",
    ],
    lat=True,
    grp="gran",
    omit_ok=True,
    size=(3, 5),
)
item(
    "apical_thickening",
    "apex",
    ["tnf", "as"],
    ["Minor {side} apical pleural thickening."],
    ["Minor {side} apical pleural thickening, likely old and of no current significance."],
    lat=True,
    omit_ok=True,
)
item(
    "atelectasis",
    "lungs",
    ["sle"],
    ["Linear atelectasis at the {side} base."],
    ["Linear {side} basal atelectasis."],
    lat=True,
    grp="atel",
    omit_ok=True,
)
item(
    "low_volumes",
    "volumes",
    ["sle"],
    ["Low lung volumes with elevation of both hemidiaphragms."],
    [
        "Low lung volumes with bilaterally elevated hemidiaphragms; in "
        "connective tissue disease, shrinking lung syndrome could be considered."
    ],
    omit_ok=True,
)
item(
    "erosions",
    "bones",
    ["ra"],
    [
        "Erosive change is noted at the {side} acromioclavicular joint.",
        "The partially imaged {side} shoulder shows erosive arthropathy.",
    ],
    ["Erosive change at the {side} shoulder girdle, consistent with rheumatoid arthritis."],
    lat=True,
    omit_ok=True,
)
item(
    "calcinosis",
    "soft",
    ["ssc"],
    ["Soft tissue calcinosis is noted in both axillae."],
    ["Soft tissue calcinosis, in keeping with systemic sclerosis."],
    omit_ok=True,
)
item(
    "bronchiectasis",
    "lungs",
    ["ra"],
    ["Bronchial wall thickening with tramlines in both lower zones, suggestive of bronchiectasis."],
    ["Features suggesting basal bronchiectasis, a recognised association of RA; HRCT would confirm."],
    grp="bronch",
    diffuse=True,
)
item(
    "free_air",
    "abdomen",
    ["ra", "sle"],
    ["Free gas is seen beneath the {side} hemidiaphragm."],
    [
        "Free subdiaphragmatic gas indicating a perforated viscus in a patient on high-dose steroids - urgent surgical "
        "review; findings telephoned to the ward."
    ],
    neg=["No free subdiaphragmatic gas."],
    sig=True,
    lat=True,
)

BANK = {b["key"]: b for b in B}
# background statements an item makes untrue even outside its own domain
BLOCKS = {
    "sarc_fibrosis": ["hila"],
    "apical_fibrosis": ["hila"],
    "effusion_mod": ["lungs"],
    "ptx": ["lungs"],
    "low_volumes": ["lungs"],
    "oedema": ["heart"],
    "globular_heart": ["mediastinum"],
}

BG = {
    "heart": [
        "Heart size is normal.",
        "The heart is not enlarged.",
        "Normal cardiac size.",
        "Cardiothoracic ratio is within normal limits.",
    ],
    "mediastinum": [
        "Mediastinal contours are normal.",
        "The mediastinum is not widened.",
        "Normal mediastinal outline.",
    ],
    "hila": [
        "Both hila are normal in size and position.",
        "No hilar lymphadenopathy.",
        "Hilar contours are unremarkable.",
    ],
    "lungs": [
        "The lungs are clear.",
        "Clear lungs.",
        "No focal lung lesion, consolidation or interstitial shadowing.",
        "Lung fields are clear.",
    ],
    "lungs_other": ["The lungs are otherwise clear.", "No other focal lung abnormality."],
    "effusion": ["No pleural effusion.", "Costophrenic angles are clear."],
    "ptx": ["No pneumothorax."],
    "effusion+ptx": ["No pleural effusion or pneumothorax.", "No effusion or pneumothorax."],
    "bones": ["No acute bony abnormality.", "Visualised bones are unremarkable.", "Bony structures are intact."],
}
BG_ORDER = ["heart", "mediastinum", "hila", "lungs", "effusion", "ptx", "bones"]
# explicit negations per domain (for negation_conflict of the first kind)
BG_EXPLICIT = {
    "heart": ["Heart size is normal.", "The heart is not enlarged."],
    "hila": ["No hilar lymphadenopathy."],
    "lungs": ["The lungs are clear.", "Lung fields are clear."],
    "effusion": ["No pleural effusion."],
    "ptx": ["No pneumothorax."],
}
ASSERT_FOR_DOM = {
    "heart": ["globular_heart", "mild_cm"],
    "hila": ["bhl"],
    "lungs": ["consolidation", "ild", "nodule", "mtx_pneumonitis", "oedema"],
    "effusion": ["effusion_small", "effusion_mod", "bilat_effusions"],
    "ptx": ["ptx"],
}
ZONES = ["upper", "mid", "lower"]


def fill(tpl: str, p: dict) -> str:
    s = tpl.format(**p)
    s = re.sub(r"\b([Aa]) (8|11|18)(?= mm)", r"\1n \2", s)
    return s[0].upper() + s[1:]


GENERIC = ["granuloma", "apical_thickening", "atelectasis", "mild_cm", "small_nodule"]
MISSING_DESC = {
    "i_empty": "IMPRESSION header left with nothing under it",
    "i_sig": "IMPRESSION header followed only by the signature",
    "i_removed": "IMPRESSION section removed",
    "f_empty": "FINDINGS header left with nothing under it",
}


def params(rng: random.Random, it: dict) -> dict:
    side = rng.choice(["left", "right"])
    p = {"side": side, "Side": side.capitalize(), "zone": rng.choice(ZONES), "size": "", "cm": ""}
    if it["size"]:
        p["size"] = str(rng.randint(*it["size"]))
    if it["cm"]:
        p["cm"] = str(rng.randint(*it["cm"])) + rng.choice(["", ".5"])
    return p


# --------------------------------------------------------------------------------------------
# rendering
# --------------------------------------------------------------------------------------------

LAYOUTS = ["uk_std", "uk_inline", "uk_list", "us_caps", "us_mixed"]


def new_frame(rng: random.Random, style_layout: str, ctx: str | None, need_prior: bool) -> dict:
    style = "uk" if style_layout.startswith("uk") else "us"
    ctx = ctx or rng.choice(sorted(INDICATIONS))
    comp_pool = [c for c in COMPARE[style] if "{d}" in c] if need_prior else COMPARE[style]
    fr = {
        "layout": style_layout,
        "style": style,
        "exam": rng.choice(UK_EXAMS if style == "uk" else US_EXAMS),
        "indication": rng.choice(INDICATIONS[ctx][style]),
        "comparison": rng.choice(comp_pool).format(d=date_str(rng, style)),
        "f_label": rng.choice(["Findings", "Report", "FINDINGS"])
        if style == "uk"
        else rng.choice(["FINDINGS", "Findings"]),
        "i_label": (
            rng.choice(["Conclusion", "Impression", "Opinion", "Comment", "Summary", "CONCLUSION"])
            if style == "uk"
            else rng.choice(["IMPRESSION", "Impression"])
        ),
        "signoff": signoff(rng, style),
        "f_mode": rng.choice(["prose", "prose", "lines"]) if style_layout != "uk_list" else "bullets",
        "i_mode": rng.choice(["prose", "numbered"]),
        "mask_line": rng.random() < 0.08,
        "missing": None,
    }
    if style_layout == "us_caps":
        fr["f_label"], fr["i_label"] = "FINDINGS", "IMPRESSION"
    return fr


def render(fr: dict, findings: list[str] | None, impression: list[str] | None) -> str:
    style, lay = fr["style"], fr["layout"]
    conv = (lambda s: s) if style == "uk" else us_spell
    findings = [conv(s) for s in findings] if findings is not None else None
    impression = [conv(s) for s in impression] if impression is not None else None
    lines: list[str] = []
    if lay == "us_caps":
        lines.append(fr["exam"] if fr["exam"].startswith("EXAM") else "EXAM: " + fr["exam"])
        lines.append("CLINICAL HISTORY: " + conv(fr["indication"]))
        lines.append("COMPARISON: " + fr["comparison"])
        lines.append(
            "TECHNIQUE: "
            + ("PA and lateral views of the chest." if "1 VIEW" not in fr["exam"] else "Single PA view of the chest.")
        )
    elif lay == "us_mixed":
        lines.append(fr["exam"])
        lines.append("Indication: " + conv(fr["indication"]))
        lines.append("Comparison: " + fr["comparison"])
    elif lay == "uk_inline":
        lines.append(fr["exam"])
        lines.append("Clinical information: " + fr["indication"])
    else:
        lines.append(fr["exam"])
        lines.append("Clinical details: " + fr["indication"])
        lines.append("Comparison: " + fr["comparison"])
    if fr["mask_line"]:
        lines.append("Referrer: Dr XXXX, Rheumatology" if style == "uk" else "Ordering provider: XXXX, MD")
    lines.append("")
    inline = lay == "uk_inline"
    miss = fr["missing"]

    def body(sents, mode):
        if mode == "numbered" and len(sents) > 1:
            return "\n".join(f"{k}. {s}" for k, s in enumerate(sents, 1))
        if mode == "bullets":
            return "\n".join("- " + s for s in sents)
        if mode == "lines":
            return "\n".join(sents)
        return " ".join(sents)

    if findings is not None or miss == "f_empty":
        if miss == "f_empty":
            lines.append(fr["f_label"] + ":")
        elif inline:
            lines.append(fr["f_label"] + ": " + body(findings, "prose"))
        else:
            lines.append(fr["f_label"] + ":")
            lines.append(body(findings, fr["f_mode"]))
        lines.append("")
    sig_done = False
    if miss == "i_removed":
        pass
    elif miss == "i_empty":
        lines.append(fr["i_label"] + ":")
        lines.append("")
    elif miss == "i_sig":
        lines.append(fr["i_label"] + ":")
        lines.append(fr["signoff"])
        sig_done = True
    else:
        if inline and len(impression) == 1:
            lines.append(fr["i_label"] + ": " + impression[0])
        else:
            lines.append(fr["i_label"] + ":")
            lines.append(body(impression, fr["i_mode"]))
        lines.append("")
    if not sig_done:
        if lines[-1] != "":
            lines.append("")
        lines.append(fr["signoff"])
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------------------------
# placeholders and small edits
# --------------------------------------------------------------------------------------------

SIDE_TOKENS = ["[left/right]", "[***]", "[ ]", "<<side>>", "[SIDE]", "{side}"]
GRADE_TOKENS = ["[small/moderate/large]", "[***]", "[ ]", "<<severity>>"]
SIZE_TOKENS = ["[***]", "XX", "<<size>>", "[ ]", "___", "[size]"]
WORD_TOKENS = ["[***]", "[ ]", "***", "[normal/abnormal]", "<<finding>>", "[select]"]


def flip_sentence(s: str) -> str:
    def sw(m):
        w = m.group(0)
        new = "right" if w.lower() == "left" else "left"
        return new.capitalize() if w[0].isupper() else new

    return SIDE_RE.sub(sw, s)


def place_token(rng: random.Random, s: str) -> tuple[str, str, str] | None:
    """Replace one word of s by a template field; returns (new sentence, old word, token)."""
    opts = []
    m = re.search(r"\b(\d+(?:\.\d+)?)(?= ?(mm|cm)\b)", s)
    if m:
        opts.append(("size", m))
    m = SIDE_RE.search(s)
    if m:
        opts.append(("side", m))
    m = re.search(r"\b(normal|clear|enlarged|unremarkable|small|moderate|mild|stable)\b", s, re.I)
    if m:
        opts.append(("word", m))
    if not opts:
        return None
    kind, m = rng.choice(opts)
    tokens = {"size": SIZE_TOKENS, "side": SIDE_TOKENS, "word": WORD_TOKENS}[kind]
    if kind == "word" and m.group(0).lower() in ("small", "moderate", "mild"):
        tokens = GRADE_TOKENS
    tok = rng.choice(tokens)
    return s[: m.start()] + tok + s[m.end() :], m.group(0), tok


# --------------------------------------------------------------------------------------------
# composed cases
# --------------------------------------------------------------------------------------------


def pick_items(
    rng: random.Random, n: int, must: dict | None = None, allow_lat=True, ctx: str | None = None
) -> list[dict]:
    chosen = [must] if must else []
    pool = [b for b in B if b is not must]
    if ctx:
        pool = [b for b in pool if ctx in b["ctx"]] + [b for b in pool if ctx not in b["ctx"] and b["key"] in GENERIC]
    rng.shuffle(pool)
    for b in pool:
        if len(chosen) >= n:
            break
        if not allow_lat and b["lat"]:
            continue
        if any(b["grp"] == c["grp"] for c in chosen):
            continue
        if b["dom"] != "lungs" and any(b["dom"] == c["dom"] for c in chosen):
            continue
        if b["dom"] == "lungs" and sum(c["dom"] == "lungs" for c in chosen) >= 2:
            continue
        chosen.append(b)
    return chosen


def compose_findings(rng: random.Random, items: list[tuple[dict, dict, int]], force_bg: str | None = None) -> list[str]:
    by_dom: dict[str, list[str]] = {}
    for it, p, k in items:
        by_dom.setdefault(it["dom"], []).append(fill(it["f"][k], p))
    lung_diffuse = any(it["dom"] == "lungs" and it["diffuse"] for it, _, _ in items)
    blocked = [d for it, _, _ in items for d in BLOCKS.get(it["key"], [])]
    out: list[str] = []
    combined = False
    for dom in BG_ORDER:
        if dom in blocked and dom not in by_dom and dom != force_bg:
            continue
        if dom in by_dom:
            out.extend(by_dom[dom])
            if dom == "lungs" and not lung_diffuse and rng.random() < 0.6:
                out.append(rng.choice(BG["lungs_other"]))
            continue
        if dom == "ptx" and combined:
            continue
        if force_bg == dom:
            out.append(rng.choice(BG_EXPLICIT[dom]))
            continue
        if dom == "effusion" and "ptx" not in by_dom and force_bg != "ptx" and rng.random() < 0.6:
            out.append(rng.choice(BG["effusion+ptx"]))
            combined = True
            continue
        if dom in ("mediastinum", "hila", "bones") and rng.random() < 0.35:
            continue
        out.append(rng.choice(BG[dom]))
    extras = [s for dom, lst in by_dom.items() if dom not in BG_ORDER for s in lst]
    for s in extras:
        out.insert(max(1, len(out) - 1), s)
    return out


def item_imp(it: dict, p: dict, k: int) -> str:
    return fill(it["i"][k % len(it["i"])], p)


def composed_case(rng: random.Random, kind: str | None, sub: int) -> dict:
    style_layout = rng.choice(LAYOUTS)
    style = "uk" if style_layout.startswith("uk") else "us"
    detail = []
    if (kind is None and sub % 5 in (0, 1)) or (kind == "missing_section" and sub % 4 == 0):
        # normal film
        ctx = rng.choice(["ra", "tnf", "ssc", "sle", "as", "sarc"])
        fr = new_frame(rng, style_layout, ctx, False)
        findings = compose_findings(rng, [])
        pool = NORMAL_IMPRESSIONS[style]
        imp = [rng.choice(pool)]
        detail = "composed: normal film, normal impression"
        if kind == "missing_section":
            fr["missing"] = rng.choice(["f_empty", "f_empty", "i_empty", "i_sig"])
            detail += "; " + MISSING_DESC[fr["missing"]]
            if fr["missing"] == "f_empty":
                findings = []
            else:
                imp = []
        return dict(frame=fr, findings=findings, impression=imp, detail=detail)
    # choose the key item by kind
    must = None
    if kind == "laterality_conflict":
        must = rng.choice([b for b in B if b["lat"]])
    elif kind == "impression_omits_finding":
        must = rng.choice([b for b in B if b["sig"]])
    elif kind == "negation_conflict" and sub % 2 == 1:
        must = rng.choice([b for b in B if b["neg"]])
    elif kind == "placeholder":
        must = rng.choice([b for b in B if b["lat"] or b["size"] or b["cm"]])
    n_items = rng.choice([1, 1, 2, 2, 3])
    if kind == "impression_omits_finding" and sub % 2 == 1:
        n_items = rng.choice([2, 3])
    ctx = rng.choice(must["ctx"]) if must else rng.choice(sorted(INDICATIONS))
    force_bg = None
    if kind == "negation_conflict" and sub % 2 == 0:
        force_bg = rng.choice(sorted(ASSERT_FOR_DOM))
    items = pick_items(rng, n_items, must=must, allow_lat=(kind != "laterality_conflict"), ctx=ctx)
    if force_bg:
        items = [b for b in items if b["dom"] != force_bg] or []
    if kind == "impression_omits_finding":
        items = [must] + [b for b in items[1:] if not b["sig"] and (b["omit_ok"] or sub % 2 == 1)]
    chosen = []
    used_sides = []
    for it in items:
        p = params(rng, it)
        if kind == "laterality_conflict" and it is not must and it["lat"]:
            continue
        chosen.append((it, p, rng.randrange(len(it["f"]))))
        used_sides.append(p["side"])
    need_prior = any(it["prior"] for it, _, _ in chosen)
    fr = new_frame(rng, style_layout, ctx, need_prior)
    findings = compose_findings(rng, chosen, force_bg=force_bg)
    imp_k = {id(it): rng.randrange(len(it["i"])) for it, _, _ in chosen}
    imp = []
    for it, p, _k in chosen:
        if kind is None and it["omit_ok"] and len(chosen) > 1 and rng.random() < 0.3:
            detail.append(f"minor {it['key']} left out of impression (not significant)")
            continue
        imp.append(item_imp(it, p, imp_k[id(it)]))
    if not imp and chosen:
        imp = [item_imp(*chosen[0][:2], imp_k[id(chosen[0][0])])]
    if kind is None and not any(it["sig"] for it, _, _ in chosen) and rng.random() < 0.25:
        imp.append(
            "No other significant abnormality." if style == "uk" else "No acute cardiopulmonary process otherwise."
        )
    keys = "+".join(it["key"] for it, _, _ in chosen) or "normal"
    detail.insert(0, f"composed: {keys}")

    if kind is None:
        pass
    elif kind == "missing_section":
        modes = ["i_empty", "i_empty", "i_sig", "i_removed"]
        fr["missing"] = rng.choice(modes)
        detail.append(
            {
                "i_empty": "IMPRESSION header left with nothing under it",
                "i_sig": "IMPRESSION header followed only by the signature",
                "i_removed": "IMPRESSION section removed",
                "f_empty": "FINDINGS header left with nothing under it",
            }[fr["missing"]]
        )
        if fr["missing"] == "f_empty":
            findings = []
        else:
            imp = []
    elif kind == "laterality_conflict":
        it, p, k = chosen[0]
        f_sent = fill(it["f"][k], p)
        i_sent = item_imp(it, p, imp_k[id(it)])
        if rng.random() < 0.5:
            new = flip_sentence(f_sent)
            findings = [new if s == f_sent else s for s in findings]
            detail.append(f"findings sentence flipped to '{new}'; impression keeps {p['side']}")
        else:
            new = flip_sentence(i_sent)
            imp = [new if s == i_sent else s for s in imp]
            detail.append(f"impression sentence flipped to '{new}'; findings keep {p['side']}")
    elif kind == "negation_conflict" and force_bg:
        cands = [BANK[k] for k in ASSERT_FOR_DOM[force_bg]]
        it = rng.choice(cands)
        p = params(rng, it)
        s = item_imp(it, p, rng.randrange(len(it["i"])))
        imp.insert(rng.randrange(len(imp) + 1), s)
        neg_s = [x for x in findings if x in BG_EXPLICIT[force_bg]]
        detail.append(f"impression asserts '{s}' although findings state '{neg_s[0] if neg_s else force_bg}'")
    elif kind == "negation_conflict":
        it, p, k = chosen[0]
        i_sent = item_imp(it, p, imp_k[id(it)])
        neg = rng.choice(it["neg"])
        imp = [s for s in imp if s != i_sent]
        if neg == "The lungs are clear." and any(c[0]["dom"] == "lungs" for c in chosen[1:]):
            neg = [n for n in it["neg"] if n != "The lungs are clear."][0] if len(it["neg"]) > 1 else neg
        imp.insert(rng.randrange(len(imp) + 1), neg)
        detail.append(f"impression says '{neg}' although findings affirm {it['key']}")
    elif kind == "impression_omits_finding":
        it, p, k = chosen[0]
        i_sent = item_imp(it, p, imp_k[id(it)])
        others = [s for s in imp if s != i_sent]
        if sub % 2 == 0 or not others:
            imp = [rng.choice(NORMAL_IMPRESSIONS[style][:3])]
            detail.append(f"impression replaced by a normal statement; findings affirm {it['key']}")
        else:
            imp = others
            detail.append(f"impression lists only the other findings; {it['key']} left out")
    elif kind == "placeholder":
        it, p, k = chosen[0]
        where = rng.random()
        if where < 0.5:
            target_list, s = findings, fill(it["f"][k], p)
            sec = "findings"
        else:
            target_list, s = imp, item_imp(it, p, imp_k[id(it)])
            sec = "impression"
        res = place_token(rng, s)
        if res is None or s not in target_list:
            target_list, sec = findings, "findings"
            s = next(x for x in findings if place_token(random.Random(0), x))
            res = place_token(rng, s)
        new, old, tok = res
        idx = target_list.index(s)
        target_list[idx] = new
        detail.append(f"'{old}' in {sec} replaced by placeholder '{tok}'")
    return dict(frame=fr, findings=findings, impression=imp, detail="; ".join(detail))


# --------------------------------------------------------------------------------------------
# IU-based cases
# --------------------------------------------------------------------------------------------


def iu_frame(rng: random.Random, rep: dict, changes: list[str]) -> dict:
    style_layout = rng.choice(LAYOUTS)
    fr = new_frame(rng, style_layout, None, False)
    if rep["indication"] and rng.random() < 0.5:
        fr["indication"] = rep["indication"][0].upper() + rep["indication"][1:]
        if not fr["indication"].endswith("."):
            fr["indication"] += "."
    else:
        changes.append("indication replaced by a clinic one")
    comp = rep["comparison"] or "None."
    fr["comparison"] = re.sub(r"\bx-XXXX", "radiograph", comp)
    if not fr["comparison"].endswith("."):
        fr["comparison"] += "."
    return fr


def iu_sig_terms(rep: dict) -> list[str]:
    out = []
    for t in ("effusion", "pneumothorax", "consolidation", "edema", "mass"):
        if not mesh_has(rep, t):
            continue
        for s in rep["findings"]:
            if not firm_affirm(s, t) or CHRONIC.search(s):
                continue
            if t != "pneumothorax" and re.search(
                r"\b(mild\w*|minimal|slight\w*|streaky|subsegmental|trace|small)\b", s, re.I
            ):
                continue
            if t == "edema" and not re.search(
                r"pulmonary o?edema|interstitial o?edema|alveolar o?edema|"
                r"vascular congestion|congestive|CHF|failure",
                s,
                re.I,
            ):
                continue
            k = rep["findings"].index(s)
            nxt = rep["findings"][k + 1] if k + 1 < len(rep["findings"]) else ""
            if re.match(r"(this|these|it|which)\b", nxt, re.I) and (
                HEDGE.search(nxt) or CHRONIC.search(nxt) or NEG_CUE.search(nxt)
            ):
                continue
            imp_aff = [x for x in rep["impression"] if affirms(x, t)]
            if any(re.search(r"mild|minimal|subtle|nonconsolidat|atelecta", x, re.I) for x in imp_aff):
                continue
            if t == "effusion" and not re.search(r"\b(moderate|large|sizable|sizeable|substantial)\b", s, re.I):
                continue
            if re.search(r"\b(small|trace|tiny|minimal)\b", s, re.I) and t != "pneumothorax":
                continue
            if any(affirms(x, t) for x in rep["impression"]):
                out.append(t)
                break
    return out


def iu_case(rng: random.Random, rep: dict, kind: str | None, sub: int, strict: bool = True) -> dict | None:
    changes: list[str] = []
    fr = iu_frame(rng, rep, changes)
    style = fr["style"]
    findings = restyle_iu(rep["findings"], style, changes) if rep["findings"] else None
    imp = restyle_iu(rep["impression"], style, changes)
    if findings is not None and conflicts(findings, imp):
        return None
    head = f"IU CXR{rep['num']}: re-laid out as {fr['layout']} ({fr['f_label'] if findings else '-'}/{fr['i_label']})"
    if changes:
        head += "; reworded " + ", ".join(changes)
    desc = ""
    if kind is None:
        desc = "unmodified content" + ("; no FINDINGS section, descriptive impression" if findings is None else "")
    elif kind == "missing_section":
        modes = ["i_empty", "i_sig", "i_removed", "i_empty"]
        if all(NORMAL_IMP.search(x) for x in imp) and len(imp) <= 2:
            modes += ["f_empty", "f_empty", "f_empty"]
        fr["missing"] = rng.choice(modes)
        desc = {
            "i_empty": "IMPRESSION header left with nothing under it",
            "i_sig": "IMPRESSION header followed only by the signature",
            "i_removed": "IMPRESSION section removed",
            "f_empty": "FINDINGS header left with nothing under it",
        }[fr["missing"]]
        if fr["missing"] == "f_empty":
            findings = []
        else:
            imp = []
    elif kind == "laterality_conflict":
        side = sides(findings)[0]
        pairs = concept_pairs(findings, imp)
        if not pairs:
            return None
        a, b = rng.choice(pairs)
        if rng.random() < 0.5:
            sec, lst, k = "findings", findings, a
        else:
            sec, lst, k = "impression", imp, b
        old = lst[k]
        lst[k] = flip_sentence(old)
        desc = f"{sec} sentence '{old}' flipped to '{lst[k]}'; the other section keeps {side}"
    elif kind == "negation_conflict":
        if sub % 2 == 0:
            # impression asserts what the findings negate
            opts = []
            for s in findings:
                if negates(s, "effusion") and not re.search(r"large|significant|sizable|sizeable", s, re.I):
                    opts.append(("effusion", s))
                if negates(s, "pneumothorax"):
                    opts.append(("pneumothorax", s))
                if lungs_clear(s) or (negates(s, "consolidation") and not re.search(r"focal|large|lobar", s, re.I)):
                    opts.append(("consolidation", s))
                if lungs_clear(s):
                    opts.append(("ild", s))
                if heart_normal(s) and re.search(r"\bheart|cardiac\b", s, re.I):
                    opts.append(("cardiomegaly", s))
                if negates(s, "edema") and re.search(r"edema", s, re.I):
                    opts.append(("edema", s))
            if not opts:
                return None
            t, src = rng.choice(opts)
            side = rng.choice(["left", "right"])
            new = {
                "effusion": rng.choice(
                    [
                        f"Small {side} pleural effusion, likely serositis in this context.",
                        f"Moderate {side} pleural effusion.",
                        "Bilateral pleural effusions.",
                    ]
                ),
                "pneumothorax": f"{side.capitalize()} apical pneumothorax.",
                "consolidation": rng.choice(
                    [
                        f"{side.capitalize()} lower zone consolidation, likely infective.",
                        f"Patchy {side} basal consolidation in keeping with pneumonia.",
                    ]
                ),
                "ild": "Bibasal reticular shadowing consistent with interstitial lung disease; HRCT advised.",
                "cardiomegaly": rng.choice(["Cardiomegaly.", "Enlarged cardiac silhouette; ?pericardial effusion."]),
                "edema": "Pulmonary oedema.",
            }[t]
            imp = [new]
            desc = f"impression replaced by '{new}' although findings state '{src}'"
        else:
            opts = []
            for t in ("cardiomegaly", "effusion", "consolidation", "pneumothorax", "edema"):
                if not mesh_has(rep, t):
                    continue
                for s in findings:
                    if t == "edema" and not re.search(r"edema", s, re.I):
                        continue
                    if firm_affirm(s, t) and not re.search(r"borderline|upper limits?|top", s, re.I):
                        opts.append((t, s))
                        break
            if not opts:
                return None
            t, src = rng.choice(opts)
            neg = rng.choice(
                {
                    "cardiomegaly": ["Heart size is normal.", "Normal cardiac size."],
                    "effusion": ["No pleural effusion."],
                    "consolidation": ["No focal consolidation.", "The lungs are clear."],
                    "pneumothorax": ["No pneumothorax."],
                    "edema": ["No pulmonary oedema.", "No evidence of pulmonary oedema."],
                }[t]
            )
            rest = [
                s
                for s in imp
                if not RELATED[t].search(s)
                and not FOLLOW_RE.search(s)
                and not (t == "consolidation" and lungs_clear(s))
            ]
            rest = [s for s in rest if not NORMAL_IMP.search(s)]
            imp = rest[:]
            imp.insert(rng.randrange(len(imp) + 1), neg)
            desc = f"impression now says '{neg}' although findings state '{src}'"
    elif kind == "impression_omits_finding":
        terms = iu_sig_terms(rep)
        if not terms:
            return None
        rest = [
            s
            for s in imp
            if not any(RELATED[t].search(s) for t in terms)
            and not FOLLOW_RE.search(s)
            and not any(TERMS[t].search(s) for t in TERMS if t in terms)
        ]
        rest = [s for s in rest if not NORMAL_IMP.search(s)]
        if not rest:
            rest = [
                s
                for s in findings
                if MINOR_SENT.search(s) and not NEG_CUE.search(s) and not any(RELATED[t].search(s) for t in terms)
            ][:2]
        if sub % 2 == 1 and not rest and strict:
            return None
        if sub % 2 == 0 or not rest:
            new = rng.choice(NORMAL_IMPRESSIONS[style][:3])
            imp = [new]
            desc = f"impression replaced by '{new}'; findings affirm {', '.join(terms)}"
        else:
            imp = rest
            desc = f"impression cut to the other findings ({' '.join(rest)}); {', '.join(terms)} left out"
    elif kind == "placeholder":
        cand = []
        for sec, lst in (("findings", findings), ("impression", imp)):
            for k, s in enumerate(lst):
                if place_token(random.Random(0), s):
                    cand.append((sec, lst, k))
        if not cand:
            return None
        sec, lst, k = rng.choice(cand)
        new, old, tok = place_token(rng, lst[k])
        lst[k] = new
        desc = f"'{old}' in {sec} replaced by placeholder '{tok}'"
    return dict(frame=fr, findings=findings, impression=imp, detail=f"{head}; {desc}")


def iu_pools(reps: list[dict]) -> dict[str, list[dict]]:
    good = [r for r in reps if usable(r)]
    pools = {}
    pools["clean"] = [r for r in good if minor_only(r)]
    pools["clean_imp_only"] = [
        r
        for r in reps
        if not r["findings"]
        and 3 <= len(r["impression"]) <= 6
        and minor_only(r)
        and "normal" not in r["mesh"]
        and not any(NEG_CUE.search(s) and TERMS["cardiomegaly"].search(s) for s in r["impression"])
        and sum(map(len, r["impression"])) < 500
    ]
    abn = []
    for r in good:
        if minor_only(r) or "No Indexing" in r["mesh"] or all(NORMAL_IMP.search(x) for x in r["impression"]):
            continue
        f_terms = [t for t in TERMS if any(affirms(x, t) for x in r["findings"])]
        if not f_terms or not all(any(affirms(x, t) for x in r["impression"]) for t in f_terms):
            continue
        if sides(r["findings"]) != sides(r["impression"]):
            continue
        if any(
            re.search(r"\bnodul|\bmass|widen|free air|pneumoperit", x, re.I) and not NEG_CUE.search(x)
            for x in r["findings"]
        ):
            continue
        abn.append(r)
    pools["clean_abn"] = abn
    lat = []
    for r in good:
        sf, si = sides(r["findings"]), sides(r["impression"])
        if (
            len(sf) == 1
            and sf == si
            and any(
                ("/" + sf[0]) in m
                and not re.match(
                    r"(Catheter|Implanted|Medical Device|Surgical|Tube|Pacemaker|Stent|Sutur|Shoulder|Clavicle|Humer)",
                    m,
                )
                for m in r["mesh"]
            )
        ):
            lat.append(r)
    pools["laterality_conflict"] = lat
    pools["negation_a"] = [r for r in good if r["mesh"] == ["normal"]]
    pools["negation_b"] = [
        r
        for r in good
        if any(mesh_has(r, t) for t in ("cardiomegaly", "effusion", "consolidation", "pneumothorax", "edema"))
    ]
    pools["impression_omits_finding"] = [r for r in good if iu_sig_terms(r)]
    pools["placeholder"] = good
    pools["missing_section"] = good
    return pools


# --------------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------------


def build(seed: int) -> list[dict]:
    rng = random.Random(f"heldout157-{seed}")
    reps = load_iu()
    pools = iu_pools(reps)
    used: list[str] = []
    used_set: dict[str, bool] = {}
    cases: list[tuple[str | None, dict]] = []

    def take(pool_name: str, kind: str | None, n: int, sub0: int = 0):
        pool = pools[pool_name][:]
        rng.shuffle(pool)
        got = 0
        for strict in (True, False):
            for rep in pool:
                if got >= n:
                    break
                if rep["uid"] in used_set:
                    continue
                c = iu_case(rng, rep, kind, sub0 + got, strict)
                if c is None:
                    continue
                used_set[rep["uid"]] = True
                used.append(rep["uid"])
                cases.append((kind, c))
                got += 1
        if got < n:
            raise RuntimeError(f"IU pool {pool_name} too small for {kind}: {got}/{n}")

    half = N_KIND // 2
    take("laterality_conflict", "laterality_conflict", half)
    take("impression_omits_finding", "impression_omits_finding", half)

    # negation: alternate sub-kinds by pool
    def take_neg(pool_name, n, sub):
        pool = pools[pool_name][:]
        rng.shuffle(pool)
        got = 0
        for rep in pool:
            if got >= n:
                break
            if rep["uid"] in used_set:
                continue
            c = iu_case(rng, rep, "negation_conflict", sub)
            if c is None:
                continue
            used_set[rep["uid"]] = True
            used.append(rep["uid"])
            cases.append(("negation_conflict", c))
            got += 1
        if got < n:
            raise RuntimeError(f"IU pool {pool_name} too small: {got}/{n}")

    take_neg("negation_b", half // 2, 1)
    take_neg("negation_a", half - half // 2, 0)
    take("placeholder", "placeholder", half)
    take("missing_section", "missing_section", half)
    n_imp_only = min(6, len(pools["clean_imp_only"]))
    take("clean_imp_only", None, n_imp_only)
    n_abn = min(24, len(pools["clean_abn"]))
    take("clean_abn", None, n_abn)
    take("clean", None, N_CLEAN // 2 - n_imp_only - n_abn)

    for kind in KINDS:
        for sub in range(half):
            cases.append((kind, composed_case(rng, kind, sub)))
    for sub in range(N_CLEAN // 2):
        cases.append((None, composed_case(rng, None, sub)))

    rng.shuffle(cases)
    rows = []
    for k, (kind, c) in enumerate(cases):
        text = render(c["frame"], c["findings"], c["impression"])
        rows.append({"id": f"h157-{seed}-{k}", "injected": kind, "detail": c["detail"], "report": text})
    return rows


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
        for kind in [None] + KINDS:
            shown = [r for r in rows if r["injected"] == kind][: a.show]
            for r in shown:
                print(f"===== {r['id']}  injected={kind}\n-- {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
