"""Build a held-out-style report-error set from the IU reports that the dev set does not use.

usage: python -m bench.make_heldout [OUT.jsonl] [--seed N] [--v2]   (default /tmp/heldout.jsonl, seed 7)

``--v2`` renders every case as free text in layouts and wording v1 does not use (see ``render_v2``).

Same format as ``../shared/eval/report_errors_dev.jsonl`` (id, uid, injected, detail, and either
``findings``/``impression``/``indication``/``comparison`` or one free-text ``report``), with 200
unmodified reports and about 40 per kind, but injected with wording the dev set does not use:
other header styles ("Findings -", lower case, numbered impressions), other placeholder shapes,
other normal impressions, other ways of asserting and negating a finding, other laterality phrasings
("right-sided", "on the left", "left base"). Deterministic for a given seed.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
from pathlib import Path

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
ARCHIVE = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"
PER_KIND = 40
CLEAN = 200


def load_reports(path: Path = ARCHIVE) -> list[dict[str, str]]:
    """One dict per Open-i report: uid, findings, impression, indication, comparison (missing -> ""),
    read with the ETL's own reader; sorted by uid as a string (the order the seeds were drawn in)."""
    from etl import read_openi_reports

    out = [{"uid": r.uid, **r.sections} for r in read_openi_reports(path)]
    out.sort(key=lambda r: r["uid"])
    return out


# --- rendering -----------------------------------------------------------------------------------

_HEADER_STYLES = [
    lambda n: f"{n.upper()}:",
    lambda n: f"{n.capitalize()} -",
    lambda n: f"{n.lower()}:",
    lambda n: f"{n.capitalize()}:",
    lambda n: f"{n.upper()}",  # alone on its line
    lambda n: f"{n.upper()} --",
]


def _numbered(text: str) -> str:
    sents = [s for s in re.split(r"(?<=\.)\s+", text.strip()) if s.strip()]
    if len(sents) < 2 or re.search(r"(?:^|\s)\d[.)]", text):  # already numbered
        return text
    return "\n".join(f"{i}. {s}" for i, s in enumerate(sents, 1))


def render(rec: dict, rng: random.Random, *, drop: str | None = None, blank: str | None = None) -> dict:
    """A case dict: structured fields or one free-text report with a random header style."""
    case = {k: rec[k] for k in ("findings", "impression", "indication", "comparison")}
    if drop:
        case[drop] = ""
    if blank:
        case[blank] = rng.choice(["", " ", "\n", "  \n "])
    if rng.random() < 0.5:
        return {k: v for k, v in case.items() if v is not None}
    style = rng.choice(_HEADER_STYLES)
    parts = []
    for name, key in (("Indication", "indication"), ("Comparison", "comparison"),
                      ("Findings", "findings"), ("Impression", "impression")):
        body = case[key]
        if key == drop:
            continue  # the whole section (header too) is gone
        if key == "impression" and body and rng.random() < 0.3:
            body = _numbered(body)
        header = style(name)
        if key == blank:
            parts.append(header + body)  # header with nothing (or only whitespace) after it
            continue
        if not body and key in ("indication", "comparison"):
            continue
        sep = "\n" if style(name).isupper() and not header.endswith((":", "-")) else " "
        parts.append(f"{header}{sep}{body}")
    return {"report": "\n\n".join(parts)}


# --- injections ----------------------------------------------------------------------------------

_SENT = re.compile(r"(?<=[.!?])\s+")
_NEG_WORDS = re.compile(r"\b(?:no|not|without|negative|clear|cleared|resolved|resolution|free|normal|unremarkable|"
                        r"removed|removal)\b", re.I)
_ACUTE = re.compile(
    r"\b(?:effusions?|pneumothorax|consolidation|airspace\s+(?:disease|opacit\w+)|infiltrates?|pneumonia|"
    r"edema|cardiomegaly|enlarged|vascular\s+congestion)\b", re.I)
# finding families a laterality flip must share between the two sentences
_LAT_FAMILIES = [
    re.compile(r"\b(?:effusions?|pleural\s+fluid|costophrenic)\b", re.I),
    re.compile(r"\bpneumothora\w+", re.I),
    re.compile(r"\b(?:opacit\w+|atelecta\w+|pneumonia|infiltrates?|consolidation|airspace|scarring|density|"
               r"collapse|haziness)\b", re.I),
    re.compile(r"\b(?:nodul\w+|mass|granulomas?)\b", re.I),
]
_SIDE = re.compile(r"\b(left|right)\b", re.I)


def sentences(text: str) -> list[str]:
    return [s for s in _SENT.split(text.strip()) if s.strip()]


def _match_case(word: str, new: str) -> str:
    if word.isupper():
        return new.upper()
    if word[0].isupper():
        return new[0].upper() + new[1:]
    return new


def _flip_side(sentence: str, rng: random.Random, v2: bool = False) -> str:
    """Flip every left/right of a sentence, the first sometimes in other words ("right-sided", "left base")."""
    style = rng.random()
    first = True

    def one(m: re.Match[str]) -> str:
        nonlocal first
        word = m.group(1)
        other = "right" if word.lower() == "left" else "left"
        after = m.group(2) or ""
        if first and after:
            first = False
            lobe = re.match(r"\s+(lower|upper)\s+lobe\b", after, re.I)
            if lobe and v2 and style < 0.5:  # v2: the flipped lobe as an abbreviation (RLL, LUL)
                return other[0].upper() + lobe.group(1)[0].upper() + "L"
            if lobe and style < 0.35:
                return _match_case(word, f"{other} {dict(lower='base', upper='apex')[lobe.group(1).lower()]}")
            noun = re.match(r"\s+(?:sided\s+)?(pleural\s+effusion|effusion|pneumothorax|pneumonia|infiltrate)\b",
                            after, re.I)
            if noun and style < 0.7:
                return _match_case(word, f"{other}-sided") + " " + noun.group(1)
        first = False
        return _match_case(word, other) + after

    return re.sub(r"\b(left|right)\b((?:\s+(?:lower|upper)\s+lobe\b|\s+(?:sided\s+)?(?:pleural\s+effusion|"
                  r"effusion|pneumothorax|pneumonia|infiltrate)\b))?", one, sentence, flags=re.I)


def inject_laterality(rec: dict, rng: random.Random, v2: bool = False) -> tuple[dict, str] | None:
    fs = sentences(rec["findings"])
    ims = sentences(rec["impression"])
    pairs = []
    for i, f in enumerate(fs):
        for j, s in enumerate(ims):
            fsides = {w.lower() for w in _SIDE.findall(f)}
            isides = {w.lower() for w in _SIDE.findall(s)}
            fams = [r for r in _LAT_FAMILIES if r.search(f) and r.search(s)]
            # "bibasilar ..., greater on the right": a flip of the comparison only conflicts where the other
            # section states it too, so both-sided sentences are left alone
            if not (len(fsides) == 1 and fsides == isides and fams
                    and not re.search(r"bilateral|both|bibasil|bibasal|biapical", f + s, re.I)):
                continue
            # a section that repeats the sentence (Open-i impressions that embed the whole report) would
            # keep the original side beside the flipped one: a self-contradiction, not a flip
            if rec["findings"].count(f) > 1 or rec["impression"].count(s) > 1 \
                    or re.search(r"\b(?:FINDINGS|IMPRESSION)\s*:", rec["impression"]):
                continue
            # the other side must not hold the same kind of finding anywhere, or the flip is no conflict
            opposite = "right" if fsides == {"left"} else "left"
            if any(re.search(rf"\b{opposite}\b", x, re.I) and any(r.search(x) for r in fams) for x in fs + ims):
                continue
            pairs.append((i, j))
    if not pairs:
        return None
    i, j = rng.choice(pairs)
    new = dict(rec)
    if rng.random() < 0.5:
        flipped = _flip_side(fs[i], rng, v2)
        fs[i], where, old = flipped, "findings", sentences(rec["findings"])[i]
        new["findings"] = " ".join(fs)
    else:
        flipped = _flip_side(ims[j], rng, v2)
        ims[j], where, old = flipped, "impression", sentences(rec["impression"])[j]
        new["impression"] = " ".join(ims)
    return new, f"{where}: {old!r} -> {flipped!r}"


_NEG_CUES = [  # (regex in FINDINGS that negates, sentences an impression could assert instead, what affirms it)
    (r"\bno\b[^.]{0,40}\beffusion|costophrenic\s+angles\s+are\s+(?:sharp|clear)",
     ["Small bilateral effusions.", "Trace right-sided pleural fluid.", "Moderate left effusion.",
      "Layering pleural fluid at the left base."], r"\beffusions?\b|pleural\s+fluid"),
    (r"\bno\b[^.]{0,40}\bpneumothorax",
     ["Tiny apical pneumothorax on the right.", "Small left-sided pneumothorax.",
      "Pneumothorax at the right apex, about 15%."], r"\bpneumothorax\b"),
    (r"lungs\s+are\s+(?:\w+\s+)?clear|\bno\b[^.]{0,30}\b(?:consolidation|airspace|infiltrate)",
     ["Patchy airspace opacity in the right lower lobe, concerning for pneumonia.",
      "Left lower lobe consolidation.", "Lingular pneumonia.", "Hazy bibasilar airspace opacities."],
     r"\b(?:airspace\s+(?:disease|opacit\w+)|infiltrates?|consolidation|pneumonia)\b"),
    (r"heart\s+(?:size\s+)?is\s+normal|normal\s+(?:heart|cardiac)|heart\s+size\s+(?:is\s+)?within\s+normal"
     r"|cardiomediastinal\s+silhouette\s+is\s+(?:normal|within)",
     ["The heart is enlarged.", "Moderate enlargement of the cardiac silhouette.", "Marked cardiomegaly."],
     r"cardiomegaly|enlarg"),
    (r"\bno\b[^.]{0,30}\bedema|normal\s+pulmonary\s+vascularity|vascularity\s+(?:is\s+)?(?:normal|within)",
     ["Mild pulmonary vascular congestion.", "Interstitial pulmonary edema.", "Findings of fluid overload."],
     r"\bedema\b|vascular\s+congestion"),
]
# "no large effusion" does not rule out a moderate one: such negations cannot be contradicted by adding one
_QUALIFIED = re.compile(r"\b(?:large|significant|sizable|substantial|new|acute|moderate|definite|gross|frank|"
                        r"other|additional|residual)\w*", re.I)
_AFFIRM_CUES = [  # (regex in FINDINGS that affirms, what the impression says instead)
    (r"\beffusions?\b", ["No evidence of effusion.", "No pleural fluid.", "Costophrenic angles are sharp."]),
    (r"cardiomegaly|heart\s+(?:size\s+)?is\s+(?:mildly\s+|moderately\s+)?enlarged|enlarged\s+(?:heart|cardiac)",
     ["Normal cardiac silhouette.", "Heart size within normal limits.", "The heart is not enlarged."]),
    (r"\b(?:airspace\s+(?:disease|opacit\w+)|infiltrate|consolidation|pneumonia)\b",
     ["Clear lungs.", "The lungs are clear.", "No focal airspace disease."]),
    (r"\bpneumothorax\b", ["No pneumothorax is identified.", "No evidence of pneumothorax."]),
    (r"\bedema\b|vascular\s+congestion", ["No pulmonary edema.", "No evidence of edema."]),
]


def _affirms(sentence: str, cue: str) -> bool:
    return bool(re.search(cue, sentence, re.I)) and not _NEG_WORDS.search(sentence) and not re.search(
        r"\b(?:may|possibl|cannot|could|versus|vs|or|stable|chronic|resolv|prior|previous|apparent|accentuat\w*|"
        r"exaggerat\w*|magnif\w*|low\s+lung\s+volumes)\b", sentence, re.I)


def _negates(findings: str, cue: str, family: str) -> bool:
    """FINDINGS rule the finding out, without a qualifier ("no large effusion"), and affirm it nowhere."""
    hits = [m.group(0) for m in re.finditer(cue, findings, re.I)]
    return any(not _QUALIFIED.search(h) for h in hits) and not any(_affirms(s, family) for s in sentences(findings))


def inject_negation(rec: dict, rng: random.Random, v2: bool = False) -> tuple[dict, str] | None:
    neg_cues, affirm_cues = (_V2_NEG_CUES, _V2_AFFIRM_CUES) if v2 else (_NEG_CUES, _AFFIRM_CUES)
    new = dict(rec)
    fs = sentences(rec["findings"])
    if rng.random() < 0.55:  # impression asserts what FINDINGS rule out
        options = [(cue, adds) for cue, adds, family in neg_cues if _negates(rec["findings"], cue, family)]
        if not options:
            return None
        cue, adds = rng.choice(options)
        add = rng.choice(adds)
        # keep the old impression only where it does not itself rule the finding out (or it would
        # contradict itself rather than the findings)
        keep = rng.random() >= 0.5 and not re.search(cue, rec["impression"], re.I)
        new["impression"] = f"{add} {rec['impression']}".strip() if keep else add
        return new, f"findings negate ({cue[:30]}...); impression adds {add!r}"
    options = [(cue, negs) for cue, negs in affirm_cues if any(_affirms(s, cue) for s in fs)]
    if not options:
        return None
    cue, negs = rng.choice(options)
    neg = rng.choice(negs)
    new["impression"] = neg  # the old impression would name the finding too
    return new, f"findings affirm ({cue[:30]}...); impression -> {neg!r}"


_NORMALS = ["No active disease.", "Normal chest.", "No acute findings.", "Negative chest x-ray.",
            "No radiographic evidence of acute cardiopulmonary disease.", "Normal study.",
            "No acute intrathoracic abnormality.", "Unremarkable chest radiograph.",
            "No acute cardiopulmonary pathology identified.", "Negative study."]
_ACUTE_INSERTS = [
    "Moderate right pleural effusion.", "There is mild pulmonary edema.", "Pulmonary vascular congestion is present.",
    "Consolidation of the right middle lobe.", "Dense left lower lobe consolidation.",
    "Small right apical pneumothorax.", "The heart is enlarged.", "There is a moderate left-sided effusion.",
    "Patchy airspace opacities in both lower lobes.", "Enlarged cardiac silhouette.",
]


def inject_omission(rec: dict, rng: random.Random, v2: bool = False) -> tuple[dict, str] | None:
    normals, inserts = (_V2_NORMALS, _V2_ACUTE_INSERTS) if v2 else (_NORMALS, _ACUTE_INSERTS)
    new = dict(rec)
    fs = sentences(rec["findings"])
    real = [s for s in fs if _affirms(s, _ACUTE.pattern)]
    normal = rng.choice(normals)
    if real and rng.random() < 0.6:
        new["impression"] = normal
        return new, f"findings affirm {real[0]!r}; impression -> {normal!r}"
    if not fs:
        return None
    add = rng.choice(inserts)
    k = rng.randrange(len(fs) + 1)
    fs.insert(k, add)
    new["findings"] = " ".join(fs)
    new["impression"] = normal
    return new, f"findings += {add!r}; impression -> {normal!r}"


_PLACEHOLDERS = ["[ ]", "___", "[***]", "<>", "{ }", "XX mm", "***", "[DATE]", "____", "[  ]", "< >",
                 "[x]", "**", "x.x cm", "[***] cm", "__ mm", "{{ }}", "[...]", "[ INSERT ]", "<<>>"]


def inject_placeholder(rec: dict, rng: random.Random, v2: bool = False) -> tuple[dict, str] | None:
    key = rng.choice(["findings", "impression"])
    words = rec[key].split(" ")
    if len(words) < 2:
        return None
    k = rng.randrange(len(words))
    token = rng.choice(_V2_PLACEHOLDERS if v2 else _PLACEHOLDERS)
    old = words[k]
    trail = re.search(r"[.,;:]+$", old)
    words[k] = token + (trail.group(0) if trail else "")
    new = dict(rec)
    new[key] = " ".join(words)
    return new, f"{key}: word {k} {old!r} -> {token!r}"


def inject_missing(rec: dict, rng: random.Random) -> tuple[dict, str, str | None, str | None]:
    key = rng.choice(["findings", "impression"])
    mode = rng.choice(["drop", "blank"])
    return dict(rec), f"{key} {'removed' if mode == 'drop' else 'left empty'}", \
        (key if mode == "drop" else None), (key if mode == "blank" else None)



# --- v2: wording, layouts and spellings that neither the dev set nor v1 use ------------------------
# Written before the v2 rules were tuned, and scored once at the end (docs/report_checks.md).

_V2_NAMES = {"findings": ["Findings", "Report", "Description"], "impression": ["Impression", "Conclusion",
             "Opinion", "Interpretation"], "indication": ["Clinical details", "History"],
             "comparison": ["Comparison"]}
_V2_HEADER_STYLES = [
    lambda n: f"{n.title()} ",  # title case, no colon, text on the same line: "Findings There is ..."
    lambda n: f"{n.title()}\n",  # title case alone on its line
    lambda n: f"{n.upper()} :",
    lambda n: f"{n.upper()}:\n",
]
_MIMIC_PREAMBLE = ["FINAL REPORT\nEXAMINATION:  CHEST (PA AND LAT)", "FINAL REPORT\nEXAMINATION:  CHEST (PORTABLE AP)",
                   "WET READ: ___ ___ ___ 9:14 AM\n\nFINAL REPORT\nEXAMINATION:  CHEST (PA AND LAT)"]
_MIMIC_INDICATIONS = ["___ year old woman with cough, assess for pneumonia", "___-year-old man with chest pain.",
                      "History: ___F with shortness of breath"]
_UK = [(r"\bedema\b", "oedema"), (r"\bhemithorax\b", "haemithorax"), (r"\bhemidiaphragm", "haemidiaphragm"),
       (r"\bhemorrhage\b", "haemorrhage"), (r"\banemia\b", "anaemia"), (r"\bhemothorax\b", "haemothorax")]


def _uk(text: str) -> str:
    for pat, rep in _UK:
        text = re.sub(pat, lambda m, rep=rep: _match_case(m.group(0), rep), text, flags=re.I)
    return text


def render_v2(rec: dict, rng: random.Random, *, drop: str | None = None, blank: str | None = None) -> dict:
    """One free-text report in a layout v1 never writes: title-case headers without a colon, other names
    for the sections, a MIMIC preamble with ``___`` masks, a body with no FINDINGS header, UK spelling."""
    case = {k: rec[k] for k in ("findings", "impression", "indication", "comparison")}
    if rng.random() < 0.3:
        case = {k: _uk(v) for k, v in case.items()}
    layout = rng.choice(["plain", "plain", "mimic", "bodyless"] if not (drop or blank) else ["plain", "mimic"])
    style = rng.choice(_V2_HEADER_STYLES)
    parts = []
    if layout == "mimic":
        parts.append(rng.choice(_MIMIC_PREAMBLE))
        case["indication"] = rng.choice(_MIMIC_INDICATIONS)
        case["comparison"] = rng.choice(["___", "Chest radiograph from ___.", "None."])
        style = lambda n: f"{n.upper()}: "  # noqa: E731 - MIMIC's own header style
    for key in ("indication", "comparison", "findings", "impression"):
        body = case[key]
        if key == drop:
            continue
        name = rng.choice(_V2_NAMES[key]) if layout != "mimic" else {"indication": "INDICATION",
                                                                        "comparison": "COMPARISON"}.get(key, key)
        if key == "impression" and body and rng.random() < 0.3:
            sents = [s for s in re.split(r"(?<=\.)\s+", body.strip()) if s.strip()]
            if len(sents) > 1 and not re.search(r"(?:^|\s)\d[.)]", body):
                body = "\n".join(f"{i}) {s}" for i, s in enumerate(sents, 1))
        if key == blank:
            parts.append(style(name).rstrip() + rng.choice(["", " ", "\n"]))
            continue
        if not body and key in ("indication", "comparison"):
            continue
        if key == "findings" and layout == "bodyless":
            parts.append(body)  # pasted under no header, before IMPRESSION
            continue
        parts.append(f"{style(name)}{body}")
    return {"report": "\n\n".join(parts)}


_V2_NORMALS = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
               "Chest radiograph within normal limits.", "Normal appearances.", "No significant abnormality seen.",
               "Nothing acute.", "No acute chest pathology."]
_V2_ACUTE_INSERTS = [
    "Small right PTX.", "Mild interstitial oedema.", "Left haemothorax.", "RLL PNA.", "The mediastinum is widened.",
    "Free air under the right hemidiaphragm.", "A 2 cm mass in the left upper lobe.",
    "There is a 9 mm nodule in the right mid zone.", "Moderate-sized left pleural effusion.",
    "Upper lobe venous diversion in keeping with CHF.", "New consolidation at the left base.",
]
_V2_NEG_CUES = [
    (_NEG_CUES[0][0], ["Bilateral pleural effusions, larger on the left.", "Small R effusion.",
                       "Blunting of the left costophrenic angle from a small effusion."], _NEG_CUES[0][2]),
    (_NEG_CUES[1][0], ["Right PTX.", "Small apical pneumothorax on the left."], _NEG_CUES[1][2]),
    (_NEG_CUES[2][0], ["Airspace consolidation in the LLL.", "Right basal pneumonia.",
                       "Focal opacity in the right lower lobe, likely infection."], _NEG_CUES[2][2]),
    (_NEG_CUES[3][0], ["Cardiac enlargement.", "Cardiomegaly."], _NEG_CUES[3][2]),
    (_NEG_CUES[4][0], ["Alveolar oedema.", "Appearances of CHF."], _NEG_CUES[4][2]),
]
_V2_AFFIRM_CUES = [
    (_AFFIRM_CUES[0][0], ["No pleural fluid collection.", "Pleural spaces are clear."]),
    (_AFFIRM_CUES[1][0], ["Heart is not enlarged.", "Cardiac size normal."]),
    (_AFFIRM_CUES[2][0], ["Lungs are clear bilaterally.", "No consolidation."]),
    (_AFFIRM_CUES[3][0], ["No PTX.", "Pneumothorax is not seen."]),
    (_AFFIRM_CUES[4][0], ["No oedema.", "No evidence of CHF."]),
]
_V2_PLACEHOLDERS = ["[size]", "[*]", "<<size>>", "{{measurement}}", "?? cm", "xx mm", "[LOCATION]", "<fill in>",
                    "[ _ ]", "X.X cm"]


def build(seed: int = 7, variant: str = "v1") -> list[dict]:
    rng = random.Random(seed)
    dev_uids = {json.loads(line)["uid"] for line in DEV.open()} if DEV.exists() else set()
    pool = [r for r in load_reports() if r["uid"] not in dev_uids and r["findings"] and r["impression"]
            and "XXXX" not in r["impression"][:6]]
    rng.shuffle(pool)
    used: set[str] = set()
    cases: list[dict] = []

    def emit(rec: dict, kind: str | None, detail: str, *, drop=None, blank=None) -> None:
        used.add(rec["uid"])
        body = (render_v2 if variant == "v2" else render)(rec, rng, drop=drop, blank=blank)
        cid = f"{kind or 'clean'}-{rec['uid']}"
        cases.append({"id": cid, "injected": kind, "detail": detail, "uid": rec["uid"], **body})

    injectors = {
        "laterality_conflict": inject_laterality,
        "negation_conflict": inject_negation,
        "impression_omits_finding": inject_omission,
        "placeholder": inject_placeholder,
    }
    for kind, fn in injectors.items():
        n = 0
        for rec in pool:
            if n >= PER_KIND:
                break
            if rec["uid"] in used:
                continue
            got = fn(rec, rng, variant == "v2")
            if got is None:
                continue
            new, detail = got
            emit(new, kind, detail)
            n += 1
    n = 0
    for rec in pool:
        if n >= PER_KIND:
            break
        if rec["uid"] in used:
            continue
        new, detail, drop, blank = inject_missing(rec, rng)
        emit(new, "missing_section", detail, drop=drop, blank=blank)
        n += 1
    n = 0
    for rec in pool:
        if n >= CLEAN:
            break
        if rec["uid"] in used:
            continue
        emit(rec, None, "")
        n += 1
    rng.shuffle(cases)
    return cases


def main(argv: list[str]) -> int:
    seed = 7
    if "--seed" in argv:
        i = argv.index("--seed")
        seed = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    variant = "v2" if "--v2" in argv else "v1"
    argv = [a for a in argv if a != "--v2"]
    out = Path(argv[0]) if argv else Path("/tmp/heldout.jsonl")
    if not ARCHIVE.exists():
        print(f"not found: {ARCHIVE}", file=sys.stderr)
        return 2
    cases = build(seed, variant)
    with out.open("w") as fh:
        for c in cases:
            fh.write(json.dumps(c) + "\n")
    counts: dict[str, int] = {}
    for c in cases:
        counts[c["injected"] or "clean"] = counts.get(c["injected"] or "clean", 0) + 1
    print(f"wrote {len(cases)} cases to {out}: {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
