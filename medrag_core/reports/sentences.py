"""Report text into sentences: where a sentence ends in what radiologists, speech recognition and sending systems
produce (list markers and abbreviations kept with their words, soft-wrapped lines joined, sentences run together
without full stops split, stops typed in a hurry)."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["split_sentences"]

# (and the short forms typed for speed: "pl." pleural, "impr." impression)
# (a single letter is an initial or a list's letter, "J." or "a.", not a possessive's "s": "old healed Koch's.")
_ABBREV = re.compile(r"(?:\b(?:dr|vs|approx|e\.g|i\.e|st|mr|mrs|ms|no|fig|cf|etc|pl|impr)\.|(?<!['’])\b[A-Z]\.)$",
                     re.IGNORECASE)
# a side's short form ("Rt. lower zone", "Lt. pleural effusion") goes on with its place in lower case; "... on the Lt.
# No effusion." ends there
_SIDE_ABBREV = re.compile(r"\b(?:rt|lt)\.$", re.IGNORECASE)
# (speed: both match only at a chunk's end, "approx." the longest, 7 characters, and "$" may stand before a last "\n":
# they are searched for in the last 8 characters only; the words before still count for "\b" and the lookbehind)
_ABBREV_TAIL = 8
_GOES_ON_LOWER = re.compile(r"[ \t]+[a-z0-9]")
_LIST_MARKER = re.compile(r"^\(?\d{1,2}[.)]$")
# a "?" ends a sentence after a word ("Pneumothorax? No."), not where it stands alone as a hedge before a finding
# ("? small left pneumothorax", "right basal opacity ? consolidation")
# (a semicolon before a capital ends an item of a list run on one line: "Granuloma; Heart size normal")
# (and where a hurried hand left out the space: "Normal heart size.No effusion", "congestion.a 14 mm nodule",
# "pneumothorax., Visualized"; a comma typed with the stop goes on in lower case: "No consolidation, effusion,. or
# pneumothorax")
# (speed: every boundary opens on a space or right after a stop; the first test, cheap, spares the other positions the
# alternatives' lookbehinds)
_BOUNDARY = re.compile(r"(?:(?=\s)|(?<=\.))"
                       r"(?:(?<=[.!])(?<!,\.)\s+|(?<=,\.)\s+(?![\sa-z])|(?<=\S\?)\s+|(?<=;)[ \t]+(?=[A-Z])|\n+"
                       r"|(?<=[A-Za-z]{2}\.)(?=[A-Za-z]{2}|[aA][ \t])|(?<=\.,)\s+)")
# speech recognition run without full stops ("No pneumothorax Cardiac size is within normal limits"): a capitalised
# word right after a lower-case one opens a sentence, in a long chunk only, where it is a word reports open sentences
# with (a closed list: a brand, an eponym or a name mid-sentence, "Mediport", "Kerley", "Dr Smith", is not one)
_RUN_ON = re.compile(
    r"(?<=[a-z,])[ \t]+(?<!\bDr )(?=(?:The|There|These|This|Both|No|Normal|Heart|Cardiac|Cardiothoracic|Lungs?|Hila"
    r"|Hilar|Mediastin\w*|Pleural|Bony|Bones|Osseous|Visuali[sz]ed|Trachea|Aort\w*|Pulmonary|Costophrenic|Acute|Mild"
    r"|Moderate|Small|Large|Minor|Interval|Stable|Unchanged|Degenerative|Surgical|Status|Sternotomy|Left|Right"
    r"|Bilateral|Soft|Limited|Low|Lines|Tubes|Temporary|Otherwise|Cardiomegaly|Calcified|Focal|Patchy|Diffuse"
    r"|Increased|Decreased|New|Prior|Previous|Again|Hyperinflat\w*|Emphysema|Atelectasis|Consolidation|Opacit\w*"
    r"|Effusions?|Pneumothorax|Edema|Oedema|Endotracheal|Nasogastric|Interstitial|Unremarkable|Clear|Intact|Free"
    r"|Sutures?|Staples?|Clips?|Nodules?|Granulomas?|Scar(?:ring)?|Fractures?|Pneumonia|Pacemaker"
    # (an article, not a letter naming a type or grade: "type A dissection")
    r"|(?<!type )(?<!grade )(?<!class )(?<!group )(?<!hepatitis )(?<!vitamin )A(?=[ \t]+[a-z0-9]))\b)")
_RUN_ON_MIN = 60
# a report wrapped by the system that sent it (MIMIC's lines of about 70-80 characters, teletype output) breaks its
# sentences mid-line ("... No\npneumothorax."): such a line break is a space, not a sentence end. A break is a wrap
# where the line before ends without a sentence's or a label's end and either the next line goes on in lower case,
# or the line before is as long as wrapped lines are and the next line opens no list item or label
_WRAP_MIN = 45
_NEXT_CHARACTER = re.compile(r"[ \t]*(\S)")
_WRAPPED_LINE_END = re.compile(r"[^.!?:;\s]\s*$")
# a line that ends on a word no sentence ends on ("THERE IS NO FOCAL\nAIRSPACE OPACITY", "WITHOUT EVIDENCE OF\n")
_OPEN_LINE_END = re.compile(r"\b(?:the|a|an|of|and|or|nor|with|without|no|not|is|are|was|were|in|at|on|to|for|by|"
                            r"from|into|than|there|both|any|focal|pleural|airspace|evidence|signs)[ \t]*$",
                            re.IGNORECASE)
_NEXT_LINE_OPENS_ITEM = re.compile(r"\s*(?:[-*\u2022]\s|\(?\d{1,2}[.)]\s|[A-Z][A-Za-z /&-]{0,30}:)")


def _is_wrap(text: str, start: int, end: int) -> bool:
    """Whether the single line break in ``text[start:end]`` is a soft wrap (``_WRAP_MIN``)."""
    line = text[text.rfind("\n", 0, start) + 1: start]
    following = _NEXT_CHARACTER.match(text, end)
    if not _WRAPPED_LINE_END.search(line) or not following:
        return False
    if following.group(1).islower() or line.rstrip().endswith(","):
        return True
    open_end = _OPEN_LINE_END.search(line)
    if open_end and not (open_end.group().strip().lower() in ("no", "not") and ":" in line):
        return True  # (a row's answer, "Consolidation: Yes No", is no open end)
    return len(line.strip()) >= _WRAP_MIN and not _NEXT_LINE_OPENS_ITEM.match(text, end)


# a section is split several times per report (observations, status, placeholders, the impression's advice) and real
# archives repeat whole sections ("No acute cardiopulmonary process."): a text this short is split once and kept
_CACHED_TEXT_MAX = 4000


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; each sentence is ``text[offset:offset + len(sentence)]``.

    Splits at line breaks and after ``.``/``!``/``?`` followed by space, but keeps list markers
    ("1.") and abbreviations ("Dr.", "vs.") with the words that follow them.
    """
    if len(text) <= _CACHED_TEXT_MAX:
        return list(_split_kept(text))
    return _split(text)


@lru_cache(maxsize=2048)
def _split_kept(text: str) -> tuple[tuple[int, str], ...]:
    return tuple(_split(text))


def _split(text: str) -> list[tuple[int, str]]:
    pieces: list[tuple[int, int]] = []
    pos = 0
    for m in _BOUNDARY.finditer(text):
        if m.group().count("\n") == 1 and _is_wrap(text, m.start(), m.end()):
            continue
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, len(text)))
    split: list[tuple[int, int]] = []
    for s, e in pieces:
        if e - s < _RUN_ON_MIN:
            split.append((s, e))
            continue
        at = s
        for m in _RUN_ON.finditer(text, s, e):
            split.append((at, m.start()))
            at = m.end()
        split.append((at, e))
    pieces = split
    out: list[tuple[int, str]] = []
    pending: int | None = None
    for s, e in pieces:
        chunk = text[s:e]
        if not chunk.strip():
            continue
        start = s if pending is None else pending
        tail = max(0, len(chunk) - _ABBREV_TAIL)
        if (_LIST_MARKER.match(chunk.strip()) or _ABBREV.search(chunk, tail)
                or (_SIDE_ABBREV.search(chunk, tail) and _GOES_ON_LOWER.match(text, e))) and "\n" not in text[e: e + 1]:
            pending = start
            continue
        pending = None
        out.append((start, text[start:e]))
    if pending is not None:
        out.append((pending, text[pending:].rstrip()))
    return out
