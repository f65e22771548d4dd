"""Observation mentions in report sentences, with ConText-style negation and uncertainty.

One sentence in, a list of ``Observation`` out. Each mention is found by a lexicon of clinical
synonyms (infiltrate / airspace disease / consolidation; "heart size is normal" / cardiomegaly;
"the lungs are clear"), then given a polarity by ConText rules: trigger terms (``no``,
``without``, ``is not seen``, ``may represent``, ...) whose scope runs forward or backward to a
termination term (``but``, ``which``, ``;``, ...), with pseudo-triggers (``no change``, ``cannot be
excluded``) that look like negations but are not. Laterality, location, severity and temporal
qualifiers ("stable", "new") come from the words around the mention.

Why not medspaCy's ConText: medspacy 1.3.1 pins spaCy 3.7, whose compiled thinc does not import
beside numpy 2, which the rest of the workbench needs; and a spaCy pipeline costs far more per
report than these precompiled regular expressions (the checks must run on every report, offline).
The rules follow ConText's design (Harkema et al. 2009; NegEx trigger lists) so they stay readable
and can be swapped for medspaCy's when its dependencies allow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Polarity = str  # "present" | "absent" | "uncertain"

#: Names that count as medical devices; ``observation_labels`` adds "Support Devices" for them.
DEVICE_NAMES = frozenset(
    {
        "Pacemaker",
        "Endotracheal Tube",
        "Nasogastric Tube",
        "Chest Tube",
        "Central Venous Catheter",
        "Sternotomy Wires",
        "Surgical Clips",
        "Support Devices",
    }
)


@dataclass(frozen=True, slots=True)
class Observation:
    """One mention of a finding in one sentence.

    ``name`` is canonical (the CheXpert observation names, plus "Nodule", "Mass", "Granuloma",
    device names and a few others); ``term`` is the report's own words for it and ``text`` the whole
    sentence, both verbatim so a UI can highlight them. ``sites`` pairs each side with a coarse lung
    zone ("upper", "mid", "lower", "hilum" or None) when several are stated. ``qualified`` marks a
    negation limited by a qualifier ("no *large* effusion", "no *new* infiltrate") that does not rule
    the finding out; ``implied`` marks a negation read from a normal statement ("the lungs are clear").
    """

    name: str
    polarity: Polarity
    section: str
    text: str
    term: str
    laterality: str | None = None
    location: str | None = None
    severity: str | None = None
    temporal: str | None = None  # "new" | "chronic" | None
    sites: tuple[tuple[str, str | None], ...] = ()
    qualified: bool = False
    implied: bool = False
    hypothetical: bool = False  # "evaluation for pneumothorax is limited", "could obscure a nodule"
    probable: bool = False  # uncertain but leaning to present: "probable effusion", "likely pneumonia"
    resolved: bool = False  # absent because it has gone: "resolution of", "has resolved", "no longer seen"
    start: int = 0  # offset of the sentence within its section text
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


# Findings that have no side: whatever left/right words share their sentence are not theirs.
NON_LATERAL = frozenset({"Cardiomegaly", "Enlarged Cardiomediastinum", "Pericardial Effusion", "Hiatal Hernia",
                         "Emphysema", "Pneumoperitoneum"})

# --- lexicon ------------------------------------------------------------------------------------
# Each entry: (regex, canonical name, fixed polarity or None). Order matters: earlier patterns win
# where matches overlap, so specific phrases ("pericardial effusion", "heart size is normal") come
# before the bare words they contain.

_HEART = r"(?:heart|cardiac\s+(?:silhouette|size|shadow|contours?|diameter)|heart\s+size|cardiac)"
_CMS = r"(?:cardio[\s-]?mediastinal|cardiomediastinal|mediastinal)\s+(?:silhouettes?|contours?|size|shadow)"
_NORMAL = r"(?:normal|unremarkable|within\s+normal\s+limits|not\s+enlarged|stable\s+and\s+normal|wnl)"
_BORDER = r"(?:upper\s+limits?\s+(?:of\s+)?normal|top\s*-?\s*normal|high\s*-?\s*normal|borderline|upper\s+normal)"
_GAP = r"(?:[\w/-]+\s+){0,5}?"  # a few words between subject and predicate, lazily
_CPA = r"(?:angles?|sulc[iu]s|sulci|recess(?:es)?|XXXX)"  # Open-i masks "angle" as XXXX in many reports

_LEXICON: list[tuple[str, str, str | None]] = [
    # heart: normal / borderline / enlarged statements before the bare word "cardiomegaly"
    (rf"\b{_HEART}\s+{_GAP}(?:is|are|appears?|remains?|was|measures?)?\s*{_BORDER}", "Cardiomegaly", "uncertain"),
    (rf"\b{_BORDER}\s+(?:{_HEART}|heart\s+size|cardiomegaly)", "Cardiomegaly", "uncertain"),
    (rf"\b(?:normal|unremarkable)\s+(?:sized?\s+)?{_HEART}(?:\s+size)?\b", "Cardiomegaly", "absent"),
    (rf"\b{_HEART}\s+{_GAP}(?:is|are|appears?|remains?|was|within)?\s*(?:grossly\s+)?{_NORMAL}",
     "Cardiomegaly", "absent"),
    (r"\bheart\s+(?:is\s+)?(?:of\s+)?normal\s+size\b", "Cardiomegaly", "absent"),
    (rf"\b(?:enlarged|enlargement\s+of\s+the)\s+(?:{_HEART}|heart)\b", "Cardiomegaly", None),
    (rf"\b{_HEART}\s+{_GAP}(?:is|are|appears?|remains?|was)?\s*(?:not\s+)?(?:\w+\s+)?(?:enlarged|large|increased)\b",
     "Cardiomegaly", None),
    (r"\bcardiac\s+enlargement\b|\bcardiomegaly\b|\bcardiomyopathy\b", "Cardiomegaly", None),
    # cardiomediastinum
    (rf"\b(?:normal|unremarkable)\s+{_CMS}", "Enlarged Cardiomediastinum", "absent"),
    (rf"\b{_CMS}\s+{_GAP}(?:is|are|appears?|remains?|was|within)?\s*(?:grossly\s+)?{_NORMAL}",
     "Enlarged Cardiomediastinum", "absent"),
    (rf"\b{_CMS}\s+{_GAP}(?:is|are|appears?|remains?)?\s*(?:\w+\s+)?(?:enlarged|widened|prominent)\b",
     "Enlarged Cardiomediastinum", None),
    (r"\b(?:widened|widening\s+of\s+the)\s+(?:superior\s+)?mediastinum\b|\bmediastinal\s+widening\b",
     "Enlarged Cardiomediastinum", None),
    # pleura
    (r"\bpericardial\s+effusions?\b", "Pericardial Effusion", None),
    (r"\bhydro-?pneumothorax\b", "Hydropneumothorax", None),
    (r"\bpneumothora(?:x|ces)\b|\bptx\b", "Pneumothorax", None),
    # costophrenic angle / sulcus ("XXXX" is how Open-i masks "angle" in many reports)
    (rf"\b(?:costophrenic|cp)\s+{_CPA}\s+(?:are|is|remain)?\s*(?:sharp|clear|preserved|normal)",
     "Pleural Effusion", "absent"),
    (rf"\bsharp\s+(?:costophrenic|cp)\s+{_CPA}", "Pleural Effusion", "absent"),
    (rf"\bblunting\s+of\s+(?:the\s+)?(?:\w+\s+){{0,3}}?(?:costophrenic|cp)\s+{_CPA}"
     rf"|\b(?:costophrenic|cp)\s+(?:{_CPA}\s+)?blunting\b|\bblunted\s+(?:\w+\s+){{0,2}}?(?:costophrenic|cp)\s+{_CPA}"
     rf"|\b(?:costophrenic|cp)\s+{_CPA}\s+(?:is|are|remains?|appears?)\s+(?:\w+\s+)?blunted\b",
     "Pleural Effusion", None),
    (r"\bpleural\s+(?:spaces?|surfaces?)\s+(?:are\s+|is\s+|appear\s+|remain\s+)?(?:clear|normal|unremarkable)\b",
     "Pleural Effusion", "absent"),
    (r"\b(?:pleural\s+)?effusions?\b|\bpleural\s+fluid\b|\bhydrothorax\b", "Pleural Effusion", None),
    (r"\bpleural\s+(?:thickening|plaques?|scarring|calcifications?)\b|\bfibrothorax\b|\bpleural\s+reaction\b",
     "Pleural Other", None),
    # lungs: normal statements read as negations of airspace disease and oedema
    (r"\b(?:lungs?(?:\s+(?:bases?|apices|apex|zones?))?|lung\s+fields?)\s+(?:are\s+|is\s+|appear\s+|remain\s+)?(?:(?:well|normally|fully|grossly|essentially|"
     r"now|hyper|expanded|inflated|aerated|and|but|otherwise)[\w-]*\s+){0,4}clear\b(?!\s+(?:of\b|(?:focal\s+)?(?:air|consol|infilt|opac)))"
     r"|\bclear\s+(?:\w+\s+)?lungs?\b"
     r"|\blungs?\s+(?:are\s+|is\s+|appear\s+|remain\s+)?(?:otherwise\s+)?(?:normal|unremarkable|within\s+normal\s+limits)\b"
     r"(?!\s+(?:in\s+)?(?:volume|size|expan|inflat|aerat))"
     r"|\b(?:normal|unremarkable)\s+lungs?\b(?!\s+(?:volume|expan|inflat|aerat|marking))", "Lung Clear", "absent"),
    (r"\bconsolidat(?:ion|ions|ive|ed)\b", "Consolidation", None),
    (r"\bpneumonias?\b|\bpneumonitis\b|\bbronchopneumonia\b", "Pneumonia", None),
    (r"\binfiltrat(?:e|es|ion|ive)\b|\bair[\s-]?space\s+(?:\w+\s+)?(?:disease|opacit(?:y|ies)|opacifications?|process)\b"
     r"|\balveolar\s+(?:opacit(?:y|ies)|disease|process)\b", "Lung Opacity", None),
    (r"\bnodul(?:e|es|ar)\b", "Nodule", None),
    (r"\bmass(?:es)?\b|\bneoplasms?\b|\btumou?rs?\b|\bmalignancy\b", "Mass", None),
    (r"\bgranulom(?:a|as|ata|atous)\b", "Granuloma", None),
    (r"\bopacit(?:y|ies)\b|\bopacification\b|\bdensit(?:y|ies)\b|\bhaziness\b|\bhazy\s+(?:\w+\s+)?(?:lungs?|bases?)\b",
     "Lung Opacity", None),
    (r"\blesions?\b|\bcavit(?:y|ies|ation|ary)\b", "Lung Lesion", None),
    (r"\b(?:laryngeal|soft[\s-]tissue|subcutaneous|airway|extremity|facial|chest\s+wall)\s+o?edema\b",
     "Other Edema", None),
    (r"\b(?:bony|osseous|lytic|sclerotic|blastic|skin|cutaneous|bone)\s+lesions?\b", "Bone Lesion", None),
    (r"\b(?:pulmonary\s+|interstitial\s+|alveolar\s+)?o?edema\b|\b(?:pulmonary\s+)?vascular\s+congestion\b"
     r"|\bfluid\s+overload\b|\bchf\b|\bcongestive\s+heart\s+failure\b", "Edema", None),
    (r"\batelecta(?:sis|tic|ses)\b|\b(?:lung|lobar|lobe)\s+collapse\b|\bcollapse\s+of\s+the\s+(?:\w+\s+){0,3}?(?:lung|lobe)\b",
     "Atelectasis", None),
    (r"\bfractur(?:e|es|ed)\b|\bfx\b", "Fracture", None),
    (r"\bemphysema(?:tous)?\b|\bcopd\b|\bhyperinflat(?:ion|ed)\b|\bhyperexpan(?:sion|ded)\b", "Emphysema", None),
    (r"\bpneumoperitoneum\b|\b(?:subdiaphragmatic\s+|intraperitoneal\s+)?free\s+(?:intraperitoneal\s+)?air\b",
     "Pneumoperitoneum", None),
    (r"\bscar(?:ring|s)?\b|\bfibros[ie]s\b|\bfibrotic\b", "Fibrosis", None),
    (r"\bhiatal\s+hernia\b", "Hiatal Hernia", None),
    # devices
    (r"\bpacemaker\b|\bpacer\b|\baicd\b|\bdefibrillator\b|\b(?:pacing|pacer)\s+(?:leads?|wires?)\b", "Pacemaker", None),
    (r"\bendotracheal\s+tube\b|\bet\s+tube\b|\bett\b|\btracheostomy\b", "Endotracheal Tube", None),
    (r"\b(?:nasogastric|orogastric|enteric|feeding|dobhoff)\s+tube\b|\b[no]g\s+tube\b", "Nasogastric Tube", None),
    (r"\bchest\s+tubes?\b|\bthoracostomy\s+tubes?\b|\bpigtail\s+catheter\b", "Chest Tube", None),
    (r"\bpicc\b|\bcentral\s+(?:venous\s+)?(?:line|catheter)s?\b|\b(?:ij|subclavian|jugular)\s+(?:\w+\s+)?(?:line|catheter)\b"
     r"|\bport-?a-?cath\b|\bswan[\s-]?ganz\b|\bdialysis\s+catheter\b", "Central Venous Catheter", None),
    (r"\bsternotomy\s+wires?\b|\bmedian\s+sternotomy\b|\bsternal\s+wires?\b|\bsternotomy\b", "Sternotomy Wires", None),
    (r"\bsurgical\s+clips?\b", "Surgical Clips", None),
]

_TARGET_RE = re.compile("|".join(f"(?P<t{i}>{p})" for i, (p, _, _) in enumerate(_LEXICON)), re.IGNORECASE)
_TARGET_INFO = {f"t{i}": (name, pol) for i, (_, name, pol) in enumerate(_LEXICON)}

# "pulmonary vascularity is normal": no vascular congestion / oedema. Checked on its own, since a
# lexicon phrase ("heart size and pulmonary vascularity are normal") may already cover these words.
_VASC_NORMAL = re.compile(
    r"\b(?:normal|unremarkable)\s+(?:pulmonary\s+)?vascula(?:rity|ture)\b"
    r"|\b(?:pulmonary\s+)?vascula(?:rity|ture)\s+(?:is\s+|are\s+|appears?\s+|remains?\s+)?(?:\w+\s+)?"
    r"(?:normal|unremarkable|within\s+(?:\w+\s+)?(?:normal\s+)?limits)\b",
    re.IGNORECASE,
)

# "Lung Clear" is not an observation of its own: it negates these (the lungs are clear = no
# airspace disease, no oedema), and only where no "otherwise"/"except" limits it.
_CLEAR_IMPLIES = ("Lung Opacity", "Consolidation", "Pneumonia", "Edema")

# --- ConText modifiers ----------------------------------------------------------------------------

_PSEUDO = re.compile(
    r"\b(?:no|without)\s+(?:significant\s+|substantial\s+|appreciable\s+|other\s+)?(?:interval\s+)?"
    r"(?:change|increase|decrease|enlargement\s+since|growth)\b"
    r"|\bnot\s+(?:only|necessarily|changed|significantly\s+changed)\b|\bno\s+longer\s+(?:enlarged)\b"
    r"|\b(?:near[\s-]?(?:complete|total)|nearly\s+complete|partial|incomplete)\s+resolution\b"
    r"|\b(?:partially|nearly|almost|incompletely)\s+resolved\b|\bresolving\b"
    r"|\bnot\s+(?:\w+\s+)?(?:seen|present|visible|identified|evident|apparent)\s+on\s+(?:the\s+)?"
    r"(?:prior|previous|earlier|old|outside|comparison)\b"
    r"|\bgram[\s-]negative\b|\bnot\s+been\s+(?:fully\s+)?(?:evaluated|assessed)\b",
    re.IGNORECASE,
)
_UNC_PSEUDO_NEG = re.compile(
    r"\b(?:can\s*not|cannot|can't|could\s+not|not)\s+(?:be\s+)?(?:entirely\s+|completely\s+|totally\s+)?"
    r"(?:excluded?|ruled\s+out|rule\s+out|differentiated|distinguished)\b"
    r"|\bnot\s+(?:certain|sure|clear)\b|\bno\s+definite\s+\w+\s+(?:but|although)\b",
    re.IGNORECASE,
)
_NEG_FWD = re.compile(
    r"\b(?:no|not|without|negative\s+for|free\s+of|absence\s+of|absent|resolution\s+of|resolved|"
    r"removal\s+of|clear\s+of|rather\s+than|rules?\s+out|ruled\s+out\s+for|never|neither|nor|"
    r"interval\s+removal\s+of|no\s+longer|clearing\s+of|cleared|clear(?=\s+(?:focal\s+)?(?:air|consol|infilt|opac)))\b",
    re.IGNORECASE,
)
_NEG_BWD = re.compile(
    r"\b(?:(?:is|are|was|were|has\s+been|have\s+been)\s+(?:\w+\s+)?(?:not|no\s+longer)\s+"
    r"(?:\w+\s+)?(?:seen|identified|present|visuali[sz]ed|demonstrated|appreciated|evident|noted|detected|apparent|"
    r"visible|enlarged|definitely\s+seen)"
    r"|(?:has|have)\s+(?:\w+\s+)?resolved|resolved|(?:is|are)\s+absent|(?:has|have)\s+been\s+removed|removed"
    r"|(?:has|have)\s+cleared|not\s+(?:seen|identified|present|evident|appreciated|demonstrated)"
    r"|(?:is|are)\s+negative|free)\b",
    re.IGNORECASE,
)
_UNC_FWD = re.compile(
    r"\b(?:possibl[ey]|probabl[ey]|may|might|could|questionabl[ey]|question\s+of|questioned|suspicious\s+for|"
    r"suspicion\s+for|concerning\s+for|concern\s+for|worrisome\s+for|suggestive\s+of|suggests?|suggesting|"
    r"likely|perhaps|equivocal|suspected|suspect|consider|considered|differential|r/o|"
    r"rule\s+out|presumabl[ey]|presumed|cannot\s+exclude|can\s+not\s+exclude|not\s+exclude|"
    r"vs\.?|versus|either|indeterminate|uncertain|borderline|apparent|apparently|would\s+be|"
    r"difficult\s+to\s+exclude|in\s+the\s+appropriate\s+clinical\s+setting)\b",
    re.IGNORECASE,
)
_UNC_BWD = re.compile(
    r"\b(?:is|are)\s+(?:also\s+)?(?:possible|suspected|questioned|not\s+excluded|likely|considered)\b"
    r"|\b(?:versus|vs\.?)\b|\bor\s+(?:less\s+likely|possibly)\b|\bcannot\s+be\s+excluded\b",
    re.IGNORECASE,
)
_HYPO_FWD = re.compile(
    r"\b(?:evaluat\w*\s+(?:for|of)|assess\w*\s+(?:for|of)|obscur\w*|to\s+exclude|exclude|r/o|rule\s+out|"
    r"limit\w*\s+(?:the\s+)?(?:evaluation|assessment|sensitivity)|if\s+there\s+is|in\s+case\s+of|"
    r"risk\s+of|history\s+of|follow[\s-]?up\s+of)\b",
    re.IGNORECASE,
)
_HYPO_BWD = re.compile(r"\b(?:(?:is|are)\s+(?:\w+\s+)?limited|cannot\s+be\s+(?:evaluated|assessed))\b", re.IGNORECASE)
_TERMINATE = re.compile(
    r"\b(?:but|however|although|though|which|whereas|except|aside\s+from|apart\s+from|otherwise|"
    r"other\s+than|with\s+the\s+exception|secondary\s+to|due\s+to|presumably\s+from|consistent\s+with|"
    r"compatible\s+with|representing|there\s+(?:is|are)|now|still|remains?)\b|;|:|,\s+(?=(?:there|stable|"
    r"persistent|again|with|the|a|an|likely|probably|possibly|may|which)\b)",
    re.IGNORECASE,
)
# Negations limited by these words do not rule the finding out ("no large effusion").
_QUALIFIER = re.compile(
    r"\b(?:large|larger|significant|sizable|sizeable|substantial|new|newly|displaced|"
    r"other|additional|further|increas\w*|worsen\w*|overt|frank|obvious|gross|florid|residual|acute|"
    r"moderate|severe|substantial|appreciable|pneumothorax\s+or\s+large)\b",
    re.IGNORECASE,
)
_RESOLVED = re.compile(r"resol|clear|no\s+longer|remov", re.IGNORECASE)
# uncertainty that leans to present ("probable", "likely", "concerning for"), unlike "possible" or "cannot exclude"
_PROBABLE = re.compile(
    r"\b(?:probabl[ey]|(?:most\s+|more\s+)?likely|suspicious\s+for|concerning\s+for|worrisome\s+for|suggestive\s+of|"
    r"suspected|presumed|presumabl[ey]|(?:is|are)\s+(?:also\s+)?(?:likely|suspected))\b",
    re.IGNORECASE,
)
_OTHERWISE = re.compile(r"\b(?:otherwise|except|aside\s+from|apart\s+from|other\s+than|elsewhere|remainder)\b",
                        re.IGNORECASE)

# --- qualifiers -----------------------------------------------------------------------------------

_SIDE = re.compile(
    r"\b(?:(?P<l>left|lt|l(?=[\s.]+(?:lower|upper|mid|middle)\s+(?:lobe|lung|zone)))|(?P<lz>lll|lul)"
    r"|(?P<r>right|rt|r(?=[\s.]+(?:lower|upper|mid|middle)\s+(?:lobe|lung|zone)))|(?P<rz>rll|rul|rml)"
    r"|(?P<b>bilateral(?:ly)?|bibasila?r|bibasal|biapical|both|bilaterally))\b",
    re.IGNORECASE,
)
_ABBR_ZONE = {"u": "upper", "m": "mid", "l": "lower"}
# "right mid to lower lung zone", "left upper and middle lobes": a range of zones after one side
_ZONE_LINK = re.compile(r"\s*(?:to|and|through|into|/|-|or|and/or)\s*(?:the\s+)?", re.IGNORECASE)
_ZONE_WORDS = [
    ("upper", r"upper|apex|apical|apices|apicoposterior"),
    ("mid", r"middle|mid|midlung|mid-lung|lingula|lingular"),
    ("lower", r"lower|base|bases|basilar|basal|basilary|costophrenic|retrocardiac|infrahilar|bibasilar"),
    ("hilum", r"hilum|hilar|perihilar|hila"),
]
_ZONE = re.compile("|".join(f"(?P<{z}>\\b(?:{w})\\b)" for z, w in _ZONE_WORDS), re.IGNORECASE)
_LOCATION = re.compile(
    r"\b(?:(?:upper|middle|lower)\s+lobes?|lingula|apex|apices|apical|bases?|basilar|bibasilar|midlung|mid\s+lung|"
    r"perihilar|hilar|hilum|retrocardiac|costophrenic\s+angles?|lung\s+bases?|hemithorax|lateral|medial|"
    r"posterior|anterior)\b",
    re.IGNORECASE,
)
_SEVERITY = re.compile(
    r"\b(?:tiny|trace|minimal|minor|small|mild|mildly|slight|slightly|moderate|moderately|large|severe|severely|"
    r"massive|extensive|marked|markedly|significant|huge)\b",
    re.IGNORECASE,
)
_CHRONIC = re.compile(
    r"\b(?:stable|unchanged|chronic|chronically|old|healed|healing|remote|calcified|prior|previous|again|"
    r"redemonstrat\w*|persistent|persists|longstanding|long-standing|postsurgical|post-surgical|sequela\w*|"
    r"known|similar|no\s+(?:significant\s+)?(?:interval\s+)?change)\b",
    re.IGNORECASE,
)
_NEW = re.compile(r"\b(?:new|newly|acute|increas\w*|worsen\w*|developing|development|interval\s+development)\b",
                  re.IGNORECASE)
_NON_LUNG_SITE = re.compile(
    r"(?:left|right|lt|rt)(?:\s+|-)(?:(?:\w+|\d+(?:st|nd|rd|th))\s+){0,2}?(?:ribs?|clavic\w*|shoulder|humer\w*|"
    r"scapul\w*|breast|mastectomy|ventric\w*|atri(?:um|al)|axilla\w*|acromio\w*|glenohumeral|arm)\b",
    re.IGNORECASE,
)
_PLACED_AT = re.compile(
    r"\b(?:over|overl\w*|project\w*|near|at|along|adjacent\s+to|beneath|below|above|behind|under\w*|level\s+of)"
    r"(?:\s+(?:the|anterior|posterior|lateral|medial|a))*\s*$",
    re.IGNORECASE,
)
_CHAIN_NEXT = re.compile(r"^\s*(?:,\s*)?(?:or|and|and/or|/|versus|vs\.?)\s*(?:\w+\s+){0,2}$", re.IGNORECASE)
_CHAIN = re.compile(r"^[\s,]*(?:or|and/or|versus|vs\.?|/|or\s+less\s+likely)\s*(?:\w+\s+){0,2}$", re.IGNORECASE)


def _sides_with_zones(text: str, base: int = 0) -> list[tuple[int, str, str | None]]:
    """(offset, side, zone) for each laterality word; the zone is read from the few words after it."""
    found: list[tuple[int, str, str | None]] = []
    for m in _SIDE.finditer(text):
        side = ("left" if m.group("l") or m.group("lz") else "right" if m.group("r") or m.group("rz")
                else "bilateral")
        word = m.group(0).lower()
        zones: list[str | None] = [None]
        if m.group("lz") or m.group("rz"):
            zones = [_ABBR_ZONE[word[1]]]
        elif word.startswith("bibasal") or word.startswith("bibasil"):
            zones = ["lower"]
        elif word.startswith("biapical"):
            zones = ["upper"]
        else:
            window = text[m.end(): m.end() + 28]
            z = _ZONE.search(window)
            if z is not None:
                zones = [z.lastgroup]
                # a range: "mid to lower", "upper and middle"
                while True:
                    link = _ZONE_LINK.match(window, z.end())
                    nz = _ZONE.match(window, link.end()) if link else None
                    if nz is None or nz.lastgroup in zones:
                        break
                    zones.append(nz.lastgroup)
                    z = nz
        found.extend((base + m.start(), side, zone) for zone in zones)
    return found


def _laterality(sites: tuple[tuple[str, str | None], ...]) -> str | None:
    sides = {s for s, _ in sites}
    if not sides:
        return None
    if "bilateral" in sides or {"left", "right"} <= sides:
        return "bilateral"
    return next(iter(sides))


def _spans(regex: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in regex.finditer(text)]


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in spans)


def extract_observations(sentence: str, section: str, start: int = 0) -> list[Observation]:
    """All observation mentions in one sentence (``sentence`` verbatim; ``start`` its offset)."""
    targets: list[tuple[int, int, str, str | None]] = []
    for m in _TARGET_RE.finditer(sentence):
        name, pol = _TARGET_INFO[m.lastgroup or ""]
        targets.append((m.start(), m.end(), name, pol))
    vasc = _VASC_NORMAL.search(sentence)
    if vasc is not None and not _OTHERWISE.search(sentence) and not any(n == "Edema" for _, _, n, _ in targets):
        targets.append((vasc.start(), vasc.end(), "Vascular Normal", "absent"))
        targets.sort(key=lambda t: t[0])
    if not targets:
        return []

    target_spans = [(s, e) for s, e, _, _ in targets]
    pseudo = _spans(_PSEUDO, sentence) + _spans(_UNC_PSEUDO_NEG, sentence)
    terms = _spans(_TERMINATE, sentence)

    def live(regex: re.Pattern[str]) -> list[tuple[int, int]]:
        return [sp for sp in _spans(regex, sentence) if not _overlaps(sp, pseudo) and not _overlaps(sp, target_spans)]

    neg_f, neg_b = live(_NEG_FWD), live(_NEG_BWD)
    unc_f, unc_b = live(_UNC_FWD), live(_UNC_BWD)
    unc_pseudo = _spans(_UNC_PSEUDO_NEG, sentence)
    unc_b += unc_pseudo
    unc_f = sorted(unc_f + unc_pseudo)  # "cannot exclude pneumonia" as well as "pneumonia cannot be excluded"
    hyp_f, hyp_b = live(_HYPO_FWD), live(_HYPO_BWD)  # "cannot be excluded" reads backwards as uncertainty

    def blocked(a: int, b: int) -> bool:
        """True when a termination term lies between offsets a and b."""
        return any(a <= s and e <= b for s, e in terms)

    def forward(triggers: list[tuple[int, int]], ts: int) -> tuple[int, int] | None:
        best = None
        for s, e in triggers:
            if e <= ts and not blocked(e, ts):
                best = (s, e)
        return best

    def backward(triggers: list[tuple[int, int]], te: int) -> tuple[int, int] | None:
        for s, e in triggers:
            if s >= te and not blocked(te, s):
                return (s, e)
        return None

    every_side = _sides_with_zones(sentence)
    # "right 5th rib", "left shoulder": a side that names bone or heart anatomy is not a lung finding's
    # unless the finding is placed there ("nodule overlying the right 5th rib", "near the left clavicle")
    bony = {off for off, _, _ in every_side
            if _NON_LUNG_SITE.match(sentence, off) and not _PLACED_AT.search(sentence[max(0, off - 30):off])}
    lung_sides = [x for x in every_side if x[0] not in bony]
    all_sides = lung_sides
    distinct = {(side, zone) for _, side, zone in all_sides}
    out: list[Observation] = []
    prev_end = 0
    prev_sites: tuple[tuple[str, str | None], ...] = ()
    prev_pol: str | None = None
    prev_te = -1
    for i, (ts, te, name, fixed) in enumerate(targets):
        term = sentence[ts:te]
        all_sides = every_side if name in ("Fracture", "Bone Lesion") else lung_sides
        next_start = targets[i + 1][0] if i + 1 < len(targets) else len(sentence)
        # polarity: fixed by the lexicon ("heart size is normal"), else ConText
        implied = name == "Lung Clear"
        qualified = False
        otherwise = False
        resolved = False
        probable = False
        if fixed is not None:
            polarity = fixed
            if re.search(r"\b(?:not|no)\b", term, re.IGNORECASE) and fixed == "present":
                polarity = "absent"
            if fixed == "absent" and _OTHERWISE.search(sentence):
                if name != "Lung Clear":
                    continue  # "heart otherwise normal" says nothing about the exception
                otherwise = True  # "lungs are otherwise clear": clear but for what the section names
        else:
            polarity = "present"
            if re.search(r"\bnot\b|\bno\b", term, re.IGNORECASE):
                polarity = "absent"
            nf = forward(neg_f, ts)
            nb = backward(neg_b, te)
            if nf is not None or nb is not None or polarity == "absent":
                polarity = "absent"
                resolved = any(t is not None and _RESOLVED.search(sentence, t[0], t[1]) for t in (nf, nb))
                # the qualifier must modify this noun: "no large effusion or pneumothorax" rules out
                # any pneumothorax, only a large effusion
                if nf is not None and _QUALIFIER.search(sentence[max(nf[1], prev_end):ts]):
                    qualified = True
            else:
                uf, ub = forward(unc_f, ts), backward(unc_b, te)
                if uf is not None or ub is not None:
                    polarity = "uncertain"
                    probable = all(t is None or _PROBABLE.fullmatch(sentence, t[0], t[1]) for t in (uf, ub))
        hypothetical = polarity != "absent" and (forward(hyp_f, ts) is not None or backward(hyp_b, te) is not None)
        if hypothetical:
            polarity = "uncertain"
        # "atelectasis or infiltrate": both members of an alternative are uncertain
        if polarity == "present" and prev_te >= 0 and _CHAIN.match(sentence[prev_te:ts]) and prev_pol != "absent":
            polarity = "uncertain"
            if out and out[-1].polarity == "present":
                out[-1] = _replace(out[-1], polarity="uncertain")

        # laterality: own modifiers before the mention (after the previous mention), else after it,
        # else the one site the whole sentence names, else the previous mention's
        pre = [(s, z) for off, s, z in all_sides if prev_end <= off < ts and not blocked(off, ts)]
        post = [(s, z) for off, s, z in all_sides if te <= off < next_start and not blocked(te, off)]
        own = pre or post
        if not own and i + 1 < len(targets) and _CHAIN_NEXT.match(sentence[te:next_start]):
            # "scarring or atelectasis in the right base": the side after the pair is both members'
            n_te = targets[i + 1][1]
            n_stop = targets[i + 2][0] if i + 2 < len(targets) else len(sentence)
            own = [(s, z) for off, s, z in all_sides if n_te <= off < n_stop and not blocked(n_te, off)]
        if own:
            sites = tuple(dict.fromkeys(own))
        elif len({s for s, _ in distinct}) == 1 and (polarity != "absent" or resolved):
            sites = tuple(sorted(distinct, key=lambda x: x[1] or ""))
        elif prev_sites and polarity != "absent" and not blocked(prev_end, ts):
            sites = prev_sites
        else:
            sites = ()
        if name in NON_LATERAL:
            sites = ()
        window = sentence[max(prev_end, ts - 40): te + 40]
        loc = _LOCATION.search(sentence[max(prev_end, ts - 40): next_start])
        sev = _SEVERITY.search(sentence[max(prev_end, ts - 30): ts])
        temporal = "new" if _NEW.search(window) else "chronic" if _CHRONIC.search(sentence) else None
        obs = Observation(
            name=name,
            polarity=polarity,
            section=section,
            text=sentence,
            term=term,
            laterality=_laterality(sites),
            location=loc.group(0).lower() if loc else None,
            severity=sev.group(0).lower() if sev else None,
            temporal=temporal,
            sites=sites,
            qualified=qualified,
            implied=implied,
            hypothetical=hypothetical,
            probable=probable and polarity == "uncertain",
            resolved=resolved,
            start=start,
        )
        if name == "Vascular Normal":
            out.append(_replace(obs, name="Edema", implied=True))
        elif name == "Hydropneumothorax":
            out.append(_replace(obs, name="Pneumothorax"))
            out.append(_replace(obs, name="Pleural Effusion"))
        elif name == "Enlarged Cardiomediastinum" and polarity == "absent" and "cardi" in term.lower():
            # a normal cardiomediastinal silhouette includes a normal heart size
            out.append(obs)
            out.append(_replace(obs, name="Cardiomegaly"))
        elif implied:
            if polarity == "absent":
                extra = {"otherwise": "1"} if otherwise else {}
                out.extend(_replace(obs, name=n, extra=extra) for n in _CLEAR_IMPLIES)
        else:
            out.append(obs)
        prev_end, prev_sites, prev_pol, prev_te = te, sites, polarity, te
    return out


def _replace(obs: Observation, **changes: object) -> Observation:
    from dataclasses import replace

    return replace(obs, **changes)  # type: ignore[arg-type]
