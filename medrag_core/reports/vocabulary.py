"""The word lists behind ``observations.extract_observations``: data, no logic.

- ``LEXICON``: the clinical terms and synonyms for each canonical finding, as (regex, name, fixed
  polarity or None), compiled into ``TARGET_RE`` / ``TARGET_INFO``; ``VASC_NORMAL`` and
  ``CLEAR_IMPLIES`` for the normal statements that rule findings out.
- ConText triggers (NegEx-style lists): negation, uncertainty and hypothetical terms that look
  forward (``*_FWD``) or backward (``*_BWD``), pseudo-triggers (``PSEUDO``, ``UNC_PSEUDO_NEG``),
  termination terms (``TERMINATE``), and the words that qualify a negation or a hedge
  (``QUALIFIER``, ``RESOLVED``, ``PROBABLE``, ``OTHERWISE``).
- Qualifier words around a mention: sides and lung zones (``SIDE``, ``ZONE``, ``ZONE_LINK``,
  ``ABBR_ZONE``), location, severity, temporal terms (``CHRONIC``, ``NEW``), non-lung anatomy
  that carries a side (``NON_LUNG_SITE``, ``PLACED_AT``) and alternatives (``CHAIN``, ``CHAIN_NEXT``).

Changing a synonym or a trigger is an edit here; changing how they are applied is an edit in
``observations.py``.
"""

from __future__ import annotations

import re

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

LEXICON: list[tuple[str, str, str | None]] = [
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

TARGET_RE = re.compile("|".join(f"(?P<t{i}>{p})" for i, (p, _, _) in enumerate(LEXICON)), re.IGNORECASE)
TARGET_INFO = {f"t{i}": (name, pol) for i, (_, name, pol) in enumerate(LEXICON)}

# "pulmonary vascularity is normal": no vascular congestion / oedema. Checked on its own, since a
# lexicon phrase ("heart size and pulmonary vascularity are normal") may already cover these words.
VASC_NORMAL = re.compile(
    r"\b(?:normal|unremarkable)\s+(?:pulmonary\s+)?vascula(?:rity|ture)\b"
    r"|\b(?:pulmonary\s+)?vascula(?:rity|ture)\s+(?:is\s+|are\s+|appears?\s+|remains?\s+)?(?:\w+\s+)?"
    r"(?:normal|unremarkable|within\s+(?:\w+\s+)?(?:normal\s+)?limits)\b",
    re.IGNORECASE,
)

# "Lung Clear" is not an observation of its own: it negates these (the lungs are clear = no
# airspace disease, no oedema), and only where no "otherwise"/"except" limits it.
CLEAR_IMPLIES = ("Lung Opacity", "Consolidation", "Pneumonia", "Edema")

# --- ConText modifiers ----------------------------------------------------------------------------

PSEUDO = re.compile(
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
UNC_PSEUDO_NEG = re.compile(
    r"\b(?:can\s*not|cannot|can't|could\s+not|not)\s+(?:be\s+)?(?:entirely\s+|completely\s+|totally\s+)?"
    r"(?:excluded?|ruled\s+out|rule\s+out|differentiated|distinguished)\b"
    r"|\bnot\s+(?:certain|sure|clear)\b|\bno\s+definite\s+\w+\s+(?:but|although)\b",
    re.IGNORECASE,
)
NEG_FWD = re.compile(
    r"\b(?:no|not|without|negative\s+for|free\s+of|absence\s+of|absent|resolution\s+of|resolved|"
    r"removal\s+of|clear\s+of|rather\s+than|rules?\s+out|ruled\s+out\s+for|never|neither|nor|"
    r"interval\s+removal\s+of|no\s+longer|clearing\s+of|cleared|clear(?=\s+(?:focal\s+)?(?:air|consol|infilt|opac)))\b",
    re.IGNORECASE,
)
NEG_BWD = re.compile(
    r"\b(?:(?:is|are|was|were|has\s+been|have\s+been)\s+(?:\w+\s+)?(?:not|no\s+longer)\s+"
    r"(?:\w+\s+)?(?:seen|identified|present|visuali[sz]ed|demonstrated|appreciated|evident|noted|detected|apparent|"
    r"visible|enlarged|definitely\s+seen)"
    r"|(?:has|have)\s+(?:\w+\s+)?resolved|resolved|(?:is|are)\s+absent|(?:has|have)\s+been\s+removed|removed"
    r"|(?:has|have)\s+cleared|not\s+(?:seen|identified|present|evident|appreciated|demonstrated)"
    r"|(?:is|are)\s+negative|free)\b",
    re.IGNORECASE,
)
UNC_FWD = re.compile(
    r"\b(?:possibl[ey]|probabl[ey]|may|might|could|questionabl[ey]|question\s+of|questioned|suspicious\s+for|"
    r"suspicion\s+for|concerning\s+for|concern\s+for|worrisome\s+for|suggestive\s+of|suggests?|suggesting|"
    r"likely|perhaps|equivocal|suspected|suspect|consider|considered|differential|r/o|"
    r"rule\s+out|presumabl[ey]|presumed|cannot\s+exclude|can\s+not\s+exclude|not\s+exclude|"
    r"vs\.?|versus|either|indeterminate|uncertain|borderline|apparent|apparently|would\s+be|"
    r"difficult\s+to\s+exclude|in\s+the\s+appropriate\s+clinical\s+setting)\b",
    re.IGNORECASE,
)
UNC_BWD = re.compile(
    r"\b(?:is|are)\s+(?:also\s+)?(?:possible|suspected|questioned|not\s+excluded|likely|considered)\b"
    r"|\b(?:versus|vs\.?)\b|\bor\s+(?:less\s+likely|possibly)\b|\bcannot\s+be\s+excluded\b",
    re.IGNORECASE,
)
HYPO_FWD = re.compile(
    r"\b(?:evaluat\w*\s+(?:for|of)|assess\w*\s+(?:for|of)|obscur\w*|to\s+exclude|exclude|r/o|rule\s+out|"
    r"limit\w*\s+(?:the\s+)?(?:evaluation|assessment|sensitivity)|if\s+there\s+is|in\s+case\s+of|"
    r"risk\s+of|history\s+of|follow[\s-]?up\s+of)\b",
    re.IGNORECASE,
)
HYPO_BWD = re.compile(r"\b(?:(?:is|are)\s+(?:\w+\s+)?limited|cannot\s+be\s+(?:evaluated|assessed))\b", re.IGNORECASE)
TERMINATE = re.compile(
    r"\b(?:but|however|although|though|which|whereas|except|aside\s+from|apart\s+from|otherwise|"
    r"other\s+than|with\s+the\s+exception|secondary\s+to|due\s+to|presumably\s+from|consistent\s+with|"
    r"compatible\s+with|representing|there\s+(?:is|are)|now|still|remains?)\b|;|:|,\s+(?=(?:there|stable|"
    r"persistent|again|with|the|a|an|likely|probably|possibly|may|which)\b)",
    re.IGNORECASE,
)
# Negations limited by these words do not rule the finding out ("no large effusion").
QUALIFIER = re.compile(
    r"\b(?:large|larger|significant|sizable|sizeable|substantial|new|newly|displaced|"
    r"other|additional|further|increas\w*|worsen\w*|overt|frank|obvious|gross|florid|residual|acute|"
    r"moderate|severe|substantial|appreciable|pneumothorax\s+or\s+large)\b",
    re.IGNORECASE,
)
RESOLVED = re.compile(r"resol|clear|no\s+longer|remov", re.IGNORECASE)
# uncertainty that leans to present ("probable", "likely", "concerning for"), unlike "possible" or "cannot exclude"
PROBABLE = re.compile(
    r"\b(?:probabl[ey]|(?:most\s+|more\s+)?likely|suspicious\s+for|concerning\s+for|worrisome\s+for|suggestive\s+of|"
    r"suspected|presumed|presumabl[ey]|(?:is|are)\s+(?:also\s+)?(?:likely|suspected))\b",
    re.IGNORECASE,
)
OTHERWISE = re.compile(r"\b(?:otherwise|except|aside\s+from|apart\s+from|other\s+than|elsewhere|remainder)\b",
                        re.IGNORECASE)

# --- qualifiers -----------------------------------------------------------------------------------

SIDE = re.compile(
    r"\b(?:(?P<l>left|lt|l(?=[\s.]+(?:lower|upper|mid|middle)\s+(?:lobe|lung|zone)))|(?P<lz>lll|lul)"
    r"|(?P<r>right|rt|r(?=[\s.]+(?:lower|upper|mid|middle)\s+(?:lobe|lung|zone)))|(?P<rz>rll|rul|rml)"
    r"|(?P<b>bilateral(?:ly)?|bibasila?r|bibasal|biapical|both|bilaterally))\b",
    re.IGNORECASE,
)
ABBR_ZONE = {"u": "upper", "m": "mid", "l": "lower"}
# "right mid to lower lung zone", "left upper and middle lobes": a range of zones after one side
ZONE_LINK = re.compile(r"\s*(?:to|and|through|into|/|-|or|and/or)\s*(?:the\s+)?", re.IGNORECASE)
_ZONE_WORDS = [
    ("upper", r"upper|apex|apical|apices|apicoposterior"),
    ("mid", r"middle|mid|midlung|mid-lung|lingula|lingular"),
    ("lower", r"lower|base|bases|basilar|basal|basilary|costophrenic|retrocardiac|infrahilar|bibasilar"),
    ("hilum", r"hilum|hilar|perihilar|hila"),
]
ZONE = re.compile("|".join(f"(?P<{z}>\\b(?:{w})\\b)" for z, w in _ZONE_WORDS), re.IGNORECASE)
LOCATION = re.compile(
    r"\b(?:(?:upper|middle|lower)\s+lobes?|lingula|apex|apices|apical|bases?|basilar|bibasilar|midlung|mid\s+lung|"
    r"perihilar|hilar|hilum|retrocardiac|costophrenic\s+angles?|lung\s+bases?|hemithorax|lateral|medial|"
    r"posterior|anterior)\b",
    re.IGNORECASE,
)
SEVERITY = re.compile(
    r"\b(?:tiny|trace|minimal|minor|small|mild|mildly|slight|slightly|moderate|moderately|large|severe|severely|"
    r"massive|extensive|marked|markedly|significant|huge)\b",
    re.IGNORECASE,
)
CHRONIC = re.compile(
    r"\b(?:stable|unchanged|chronic|chronically|old|healed|healing|remote|calcified|prior|previous|again|"
    r"redemonstrat\w*|persistent|persists|longstanding|long-standing|postsurgical|post-surgical|sequela\w*|"
    r"known|similar|no\s+(?:significant\s+)?(?:interval\s+)?change)\b",
    re.IGNORECASE,
)
NEW = re.compile(r"\b(?:new|newly|acute|increas\w*|worsen\w*|developing|development|interval\s+development)\b",
                  re.IGNORECASE)
NON_LUNG_SITE = re.compile(
    r"(?:left|right|lt|rt)(?:\s+|-)(?:(?:\w+|\d+(?:st|nd|rd|th))\s+){0,2}?(?:ribs?|clavic\w*|shoulder|humer\w*|"
    r"scapul\w*|breast|mastectomy|ventric\w*|atri(?:um|al)|axilla\w*|acromio\w*|glenohumeral|arm)\b",
    re.IGNORECASE,
)
PLACED_AT = re.compile(
    r"\b(?:over|overl\w*|project\w*|near|at|along|adjacent\s+to|beneath|below|above|behind|under\w*|level\s+of)"
    r"(?:\s+(?:the|anterior|posterior|lateral|medial|a))*\s*$",
    re.IGNORECASE,
)
CHAIN_NEXT = re.compile(r"^\s*(?:,\s*)?(?:or|and|and/or|/|versus|vs\.?)\s*(?:\w+\s+){0,2}$", re.IGNORECASE)
CHAIN = re.compile(r"^[\s,]*(?:or|and/or|versus|vs\.?|/|or\s+less\s+likely)\s*(?:\w+\s+){0,2}$", re.IGNORECASE)
