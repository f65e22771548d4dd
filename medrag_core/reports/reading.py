"""A report as read: the same text with what wraps or garbles its words blanked or rewritten.

What a sending system or a drafting tool leaves in a report is not the report: RTF and HTML markup, Markdown marks,
tick boxes and table rules, decision-support lines (AI triage, CAD marks, score tables), banners, a checklist's
questions, and what speech-recognition dictation left in it (``dictation``: spoken punctuation, self-corrections,
misheard words, the system's sign-off). Typing slips of the vocabulary's words ("consolidaiton", "Hearrt",
"colapse") are read as the words.
Every reading here keeps the text's length, so an offset into the reading indexes the report as given, except a
dropped letter put back: ``read_slips`` says where each one is, and ``parse`` puts the same letters back into the
text as given so that one offset indexes both (the checks map their spans back with ``offset_as_given``).
``read_text`` is all of them in order, and ``parse`` reads sections and mentions from its result.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right

from medrag_core.reports.dictation import read_dictation
from medrag_core.reports.vocabulary import SECTION_HEADERS, VOCABULARY

__all__ = [
    "HTML_TAG_NAMES",
    "mask_layout",
    "mask_markup",
    "offset_as_given",
    "offset_as_read",
    "put_back_letters",
    "read_slips",
    "read_text",
]

# Reports pasted out of a RIS or EHR carry its markup: RTF ("{\\rtf1 ... \\b FINDINGS:\\b0 ...\\par}") or HTML
# ("<b>FINDINGS</b><br>", "&nbsp;"). The report is shown as the user gave it (markup as literal text, never rendered),
# so the markup is blanked for reading only, character for character, and every span still indexes the text as
# given. Only real markup is blanked: RTF where the text opens as an RTF document, HTML tags by their names, so a
# template field such as "<insert size>" or "<<DATE>>" stays for the placeholder check.
_RTF_SKIPPED_GROUP = re.compile(r"\{\\(?:\*|fonttbl|colortbl|stylesheet|info|pict|header|footer)"
                                r"[^{}]*(?:\{[^{}]*\}[^{}]*)*\}")
_RTF_PAR = re.compile(r"\\par\b")
_RTF_BREAK = re.compile(r"\\(?:par|line|row|cell|sect|page)\b ?")
_RTF_HEX = re.compile(r"\\'([0-9a-fA-F]{2})")
_RTF_ESCAPED = re.compile(r"\\([\\{}])")
_RTF_CONTROL = re.compile(r"\\(?:[a-zA-Z]+-?\d* ?|[^a-zA-Z\\{}])|[{}]")
# The one list of HTML tag names: blanked for reading here, and never an angle-bracket template field for the
# placeholder check (checks.structure).
HTML_TAG_NAMES = (r"a|br|p|b|i|u|s|em|strong|font|span|div|li|ul|ol|table|tbody|thead|tr|td|th|h[1-6]|html|head|"
                  r"body|center|pre|code|sub|sup|hr|small|big|blockquote|img|script|style|o:p")
_HTML_BREAK = re.compile(r"<(?:br|/p|/div|/li|/tr|/h[1-6]|hr)\b[^<>]*>", re.IGNORECASE)
_HTML_TAG = re.compile(rf"</?(?:{HTML_TAG_NAMES})\b[^<>]*>", re.IGNORECASE)
_HTML_ENTITY = re.compile(r"&(?:nbsp|amp|lt|gt|quot|apos|#\d{1,5}|#x[0-9a-fA-F]{1,4});", re.IGNORECASE)


def _blank(match: re.Match[str], keep: str = "") -> str:
    """``keep`` padded with spaces to the match's length (so offsets after it do not move)."""
    return keep + " " * (len(match.group()) - len(keep))


def mask_markup(text: str) -> str:
    """``text`` with the RTF or HTML markup a RIS or EHR left in it blanked, the same length (unchanged when it has
    none): a line break stands where the markup broke a line, a character where it coded one."""
    if text.lstrip().startswith("{\\rtf") or len(_RTF_PAR.findall(text)) >= 2:  # (or RTF whose header was cut)
        # RTF ignores the line breaks of its source: only its own \\par and \\line break lines
        text = _RTF_SKIPPED_GROUP.sub(_blank, text.replace("\n", " "))
        text = _RTF_BREAK.sub(lambda m: _blank(m, "\n"), text)
        text = _RTF_HEX.sub(lambda m: _blank(m, bytes([int(m.group(1), 16)]).decode("cp1252", "replace")), text)
        # an escaped brace or backslash is text: kept, with the control words and groups around it blanked
        pieces = _RTF_ESCAPED.split(text)
        text = "".join(" " + piece if i % 2 else _RTF_CONTROL.sub(_blank, piece) for i, piece in enumerate(pieces))
    if _HTML_TAG.search(text) or _HTML_ENTITY.search(text):
        text = _HTML_TAG.sub(_blank, _HTML_BREAK.sub(lambda m: _blank(m, "\n"), text))
        text = _HTML_ENTITY.sub(lambda m: _blank(m, html.unescape(m.group()).replace("\xa0", " ")), text)
    return text


# Layout that drafting tools and structured-reporting software add, read like the markup above: blanked or replaced
# character for character, so spans still index the text as given.
# Unicode spacing and punctuation from phones and word processors, read as their ASCII kin (each one character)
_PLAIN_CHARS = str.maketrans({
    "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ", "\u200b": " ",
    "\u200c": " ", "\u200d": " ", "\u2060": " ", "\ufeff": " ", "\uff1a": ":", "\uff1b": ";", "\uff0c": ",",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2212": "-", "\u2010": "-", "\u2011": "-",
})
# a tick box, ticked or not ("[x]", "[ ]", "☑", "☐")
_BOX = re.compile(r"\[[xX\u2713\u2714 ]\]|[\u2610\u2611\u2612]")
_TICKED = {"[x]", "[X]", "[\u2713]", "[\u2714]", "\u2611", "\u2612"}
# Markdown: a heading's marks, bold or italic marks around words, a rule, a table's rows
_MD_HEADING = re.compile(r"^[ \t]*#{1,6}(?=[ \t]+\S)", re.MULTILINE)
# (not "__bold__": underscores are de-identification masks and blanks too)
_MD_BOLD = re.compile(r"(?<![*\w])\*\*(?=[^\s*])[^*\n]*?[^\s*]\*\*(?![*\w])")
_MD_ITALIC = re.compile(r"(?<![*\w])\*(?=[^\s*])[^*\n]*?[^\s*]\*(?![*\w])")
_MD_RULE = re.compile(r"^[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$", re.MULTILINE)
_MD_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$")


# an organ's row in a template, its label and colon before a value ("Heart size: Normal", "Lungs: clear"), at a line's
# start or after a sentence's end ("... effusion. Heart: enlarged."): read as the phrase it stands for ("Heart size
# normal", "Lungs clear"), which the vocabulary knows
_ORGAN_ROW = re.compile(
    r"(?:^|(?<=[.;]))[ \t]*(?:[-*\u2022][ \t]+)?(?:(?:the|both)[ \t]+)?"
    r"(?:heart(?:[ \t]+size|[ \t]+and[ \t]+mediastinum(?=[ \t]*:[ \t]*(?:normal|unremarkable|within|enlarged)\b))?"
    r"|cardiac[ \t]+(?:size|silhouette|contours?)"
    r"|cardiomediastinal[ \t]+(?:silhouette|contours?)|lungs?(?:[ \t]+fields?)?|mediastinum|mediastinal[ \t]+contours?"
    r"|hila|pleura|pleural[ \t]+spaces?|(?:hemi)?diaphragms?|bones?|osseous[ \t]+structures|soft[ \t]+tissues?"
    r"|costophrenic[ \t]+angles?|pulmonary[ \t]+vascularity)[ \t]*(?P<colon>:)(?=[ \t]*[A-Za-z])",
    re.IGNORECASE | re.MULTILINE)


def _read_ticks(line: str, *, checklist: bool = False) -> str:
    """A row of tick boxes read as the options ticked ("Pneumothorax: ☐ Present ☑ Absent" as "Pneumothorax: Absent"):
    the boxes, and the options not ticked, blanked. A row with no box ticked is left as it is: a choice not made.
    ``checklist``: a line next to it has boxes too."""
    boxes = list(_BOX.finditer(line))
    # a row of choices opens with its first box after its label's colon, or at the line's start (or a bullet) where
    # it offers two options or stands in a checklist; "No acute cardiopulmonary [x]." and a lone "[x] without acute
    # disease." are blanks in a sentence
    opening = line[:boxes[0].start()].rstrip()
    starts_row = opening in ("", "-", "*", "\u2022") and (len(boxes) > 1 or checklist)
    # (a section's header is no choice's label: "IMPRESSION: [x] without acute disease." is a blank)
    labelled = opening.endswith(":") and (
        len(boxes) > 1 or " ".join(opening[:-1].lower().split()) not in SECTION_HEADERS.sections)
    if not any(b.group() in _TICKED for b in boxes) or not (starts_row or labelled):
        return line
    out = list(line)
    for i, box in enumerate(boxes):
        end = boxes[i + 1].start() if i + 1 < len(boxes) else len(line)
        stop = box.end() if box.group() in _TICKED else end
        out[box.start():stop] = " " * (stop - box.start())
    return "".join(out)


def _read_table_row(line: str) -> str:
    """A Markdown table row read as a labelled line ("| Lungs | Clear |" as "  Lungs : Clear  "): the first cell
    labels the others."""
    pipes = [i for i, c in enumerate(line) if c == "|"]
    out = list(line)
    inner = [i for i in pipes if line[:i].strip() and line[i + 1:].strip()]
    for n, i in enumerate(inner):
        out[i] = ":" if n == 0 else ";"
    for i in set(pipes) - set(inner):
        out[i] = " "
    return "".join(out)


# a line of decision-support output pasted into a report ("AI triage: pneumothorax suspected (score 0.91) -
# radiologist reviewed: no pneumothorax", "[AI-assisted read] Algorithm flag: ...", "CAD marks reviewed"), and the
# score table under an "AI findings" line: the software's words, not the radiologist's
_DECISION_SUPPORT = re.compile(
    r"^[ \t]*\[?[ \t]*(?:AI|A\.I\.|CAD|computer[- ]aided\s+detection|algorithm|decision[- ]support"
    # a radiographer's or triage nurse's flag before (or after) the radiologist's report: a red dot, a preliminary
    # clinical evaluation (PCE), "Abnormality detected: ?", a triage line; the radiologist's report is what is checked
    r"|\(?[ \t]*(?:PCE|preliminary\s+clinical\s+evaluation|radiographer[’']?s?\s+(?:comment|flag|opinion|query)"
    r"|red[ \t-]dot|abnormality\s+(?:detected|seen|flagged)|triage|triaged\s+by))\b[^\n]*",
    re.IGNORECASE | re.MULTILINE)
_SCORE_ROW = re.compile(r"^[ \t]+[A-Za-z][A-Za-z /-]{2,40}[ \t]{2,}(?:0?\.\d+|1\.0+|\d{1,3}[ \t]*%)[ \t]*$")
# a banner around a title ("*** REVISED REPORT ***", "=== ADDENDUM ==="): the marks are decoration, not a blank
_BANNER = re.compile(r"^([ \t]*)(\*{2,}|={2,}|#{2,})([ \t]*[A-Za-z][^*=#\n]{0,60}?[ \t]*)(\*{2,}|={2,}|#{2,})[ \t]*$",
                     re.MULTILINE)


# a checklist's question and its answer ("Is there a pleural effusion? No."): read as the labelled answer
# ("pleural effusion: No."), the same length
_QUESTION_ANSWERED = re.compile(r"(?im)^([ \t]*(?:[-*\u2022][ \t]*)?)((?:is|are)[ \t]+there[ \t]+"
                                r"(?:(?:a|an|any)[ \t]+)?)([^?\n]{2,60}?)[ \t]*\?(?=[ \t]*(?:no|yes)\b)")


def _read_answers(text: str) -> str:
    if "?" not in text:
        return text
    return _QUESTION_ANSWERED.sub(lambda m: m.group(1) + " " * len(m.group(2)) + m.group(3)
                                  + m.group()[m.end(3) - m.start():-1] + ":", text)


def _mask_decision_support(text: str) -> str:
    """Decision-support lines (and an AI score table's rows after one) blanked, the same length."""
    if not _DECISION_SUPPORT.search(text):
        return text
    lines = text.split("\n")
    in_table = False
    for i, line in enumerate(lines):
        if _DECISION_SUPPORT.match(line):
            lines[i], in_table = " " * len(line), True
        elif in_table and _SCORE_ROW.match(line):
            lines[i] = " " * len(line)
        else:
            in_table = False
    return "\n".join(lines)


# a reviewer's edit written into the report in brackets ("Right pleural effusion. [Consultant edit: Left pleural
# effusion.]"): the bracket holds report text, not a template field, and an edit replaces the sentence just before it
_BRACKETED_EDIT = re.compile(
    r"(?im)(?P<before>[^\n\[\]]*?)(?P<open>\[[ \t]*(?:(?:consultant|attending|supervisor|senior|reporting|reviewing)"
    r"(?:[ \t]+radiologist)?(?:'s)?[ \t]+)?(?:(?P<edit>edit(?:ed)?|amend(?:ed|ment)|correct(?:ed|ion)|revis(?:ed|ion))"
    r"|addend(?:um|a)|comment|note)(?:[ \t]+by[ \t]+[^:\]\n]{1,40})?[ \t]*:[ \t]*)(?P<said>[^\[\]\n]{3,300})"
    r"(?P<close>\])")
_SENTENCE_END = re.compile(r"[.!?]\s+(?=\S)")


def _read_bracketed_edit(m: re.Match[str]) -> str:
    before = m.group("before")
    if m.group("edit"):  # the sentence the edit replaces is read no more
        start = max((e.end() for e in _SENTENCE_END.finditer(before.rstrip())), default=0)
        before = before[:start] + " " * (len(before) - start)
    return before + " " * len(m.group("open")) + m.group("said") + " "


# marks typed at a line's start to lead it ("→ Impression:", "» Findings", "✓ Lungs clear", "> Heart normal"): layout
# ("> 5 mm nodule" is a size, not a mark)
_LEAD_MARK = re.compile(r"^([ \t]*)([\u2192\u21d2\u00bb\u203a\u2794\u279c\u25b6\u25ba\u2713\u2714>]+)(?=[ \t]+[^\d\s])",
                        re.MULTILINE)
# "w/o" typed for "without", read as "no " (the same length)
_WITHOUT = re.compile(r"(?<![\w/])w/o(?![\w/])", re.IGNORECASE)


def _read_notation(text: str) -> str:
    """Compact notation read as words, the same length: a line's leading arrow or tick blanked, "w/o" as "no"."""
    if any(c in text for c in "\u2192\u21d2\u00bb\u203a\u2794\u279c\u25b6\u25ba\u2713\u2714>"):
        text = _LEAD_MARK.sub(lambda m: m.group(1) + " " * len(m.group(2)), text)
    if "/" in text:
        text = _WITHOUT.sub("no ", text)
    return text


def mask_layout(text: str) -> str:
    """``text`` read without the layout a drafting tool or structured-reporting software added, the same length:
    Markdown marks blanked and its tables read as labelled lines, tick-box rows read as the options ticked, Unicode
    spaces and punctuation as ASCII, decision-support lines and banner marks blanked, a reviewer's bracketed edit read
    in place of the sentence it replaces, compact notation read as words (``_read_notation``). Unchanged when it has
    none."""
    text = _read_notation(_read_answers(_mask_decision_support(text.translate(_PLAIN_CHARS))))
    text = _BANNER.sub(lambda m: m.group(1) + " " * len(m.group(2)) + m.group(3) + " " * len(m.group(4)), text)
    if "[" in text:
        text = _BRACKETED_EDIT.sub(_read_bracketed_edit, text)
    if "[" in text or any(c in text for c in "\u2610\u2611\u2612"):
        lines = text.split("\n")
        boxed = [bool(_BOX.search(line)) for line in lines]
        text = "\n".join(_read_ticks(line, checklist=(i > 0 and boxed[i - 1]) or (i + 1 < len(lines) and boxed[i + 1]))
                         if boxed[i] else line for i, line in enumerate(lines))
    text = _read_markdown(text)
    return _ORGAN_ROW.sub(lambda m: m.group()[:m.start("colon") - m.start()] + " ", text)


def _read_markdown(text: str) -> str:
    """Markdown's heading, emphasis and rule marks blanked and its table rows read as labelled lines, where the text
    is Markdown (a heading, bold words or a table)."""
    lines = text.split("\n")
    table_rule = [bool(_MD_TABLE_RULE.match(line)) and "|" in line for line in lines]
    if not (any(table_rule) or _MD_HEADING.search(text) or _MD_BOLD.search(text)):
        return text
    for i, line in enumerate(lines):
        if table_rule[i] or (i + 1 < len(lines) and table_rule[i + 1] and line.lstrip().startswith("|")):
            lines[i] = " " * len(line)  # the rule under a table's header row, and the header row itself
        elif line.lstrip().startswith("|") and line.count("|") >= 2:
            lines[i] = _read_table_row(line)
    text = _MD_RULE.sub(_blank, _MD_HEADING.sub(_blank, "\n".join(lines)))
    return _MD_ITALIC.sub(_unmark, _MD_BOLD.sub(_unmark, text))


def _unmark(m: re.Match[str]) -> str:
    """Bold or italic marks blanked, the words between them kept."""
    width = 2 if m.group().startswith("**") else 1
    return " " * width + m.group()[width:-width] + " " * width


_SPELLING = VOCABULARY.spelling
# each word with one letter mistyped, by the pattern of the slip ("effusi*n" -> "effusion"); long words only
_MISTYPED: dict[str, str | None] = {}
for _word in _SPELLING:
    if len(_word) >= 7:
        for _i in range(len(_word)):
            _key = _word[:_i] + "*" + _word[_i + 1:]
            _MISTYPED[_key] = None if _MISTYPED.get(_key, _word) != _word else _word  # None: two words share it
# each word with one letter dropped, neither its first nor its last ("colapse" -> "collapse"; "pleura" and "finding" are
# words of their own), five letters left at least
_DROPPED: dict[str, str | None] = {}
for _word in _SPELLING:
    if len(_word) >= 6:
        for _i in range(1, len(_word) - 1):
            _key = _word[:_i] + _word[_i + 1:]
            _DROPPED[_key] = None if _DROPPED.get(_key, _word) != _word else _word  # None: two words share it
# a mistyped letter is a neighbour of the one meant on the keyboard ("effusiom"); any other change is a word
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {c: {row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)} | {
    other[j] for other in _KEYBOARD_ROWS if other != row for j in (i - 1, i, i + 1) if 0 <= j < len(other)}
    for row in _KEYBOARD_ROWS for i, c in enumerate(row)}
_FIRST_TWO = {w[:2] for w in _SPELLING} | {w[1] + w[0] for w in _SPELLING}
_WORD = re.compile(r"[A-Za-z]{5,}")  # a slip is looked for in words of five letters or more
# what each word seen reads as (None: as typed); reports repeat their words, so this is mostly a lookup
_READ_AS: dict[str, str | None] = {}
_READ_AS_MAX = 50_000


def _corrected(token: str) -> str | None:
    """The vocabulary word ``token`` is a one-slip typing of (two neighbours swapped, a letter doubled or dropped
    or, in a longer word, one added or mistyped), or None: as long as ``token`` (a doubled letter's place a space
    after it), or one letter longer where a letter was dropped."""
    low = token.lower()
    if low in _SPELLING or low[:2] not in _FIRST_TWO:
        return None
    found = {low[:i] + low[i + 1] + low[i] + low[i + 2:] for i in range(len(low) - 1)} & _SPELLING
    # a letter added: doubled ("Hearrt"), or inside a longer word ("opacitiy"; not at its end: "silhouettes")
    found |= {low[:i] + low[i + 1:] for i in range(1, len(low) - 1)
              if low[i] == low[i - 1] or len(low) >= 6} & _SPELLING
    if len(low) >= 7:
        found |= {w for i in range(len(low)) if (w := _MISTYPED.get(low[:i] + "*" + low[i + 1:]))
                  and low[i] in _NEIGHBOURS.get(w[i], ())}
    if dropped := _DROPPED.get(low):
        found.add(dropped)
    if len(found) != 1:
        return None
    word = found.pop()
    if token.isupper():
        word = word.upper()
    elif token[0].isupper():
        word = word.capitalize()
    return word.ljust(len(token))  # a doubled letter's place becomes a space after the word


def read_slips(text: str) -> tuple[str, tuple[int, ...]]:
    """``text`` with each typing slip of a vocabulary word (``findings.toml`` [spelling]) read as the word, and
    where a dropped letter was put back (each an offset into the result, ascending; the result is as long as
    ``text`` when there are none). Unchanged when it has no slip."""
    parts: list[str] = []
    put_back: list[int] = []
    last = grown = 0
    for m in _WORD.finditer(text):
        word = m.group()
        if word not in _READ_AS:
            if len(_READ_AS) > _READ_AS_MAX:
                _READ_AS.clear()
            _READ_AS[word] = _corrected(word)
        fixed = _READ_AS[word]
        if fixed is not None:
            if len(fixed) > len(word):  # the dropped letter is where the slip first differs from the word
                at = next((i for i, (a, b) in enumerate(zip(word.lower(), fixed.lower(), strict=False)) if a != b),
                          len(word))
                put_back.append(m.start() + grown + at)
                grown += 1
            parts += [text[last:m.start()], fixed]
            last = m.end()
    return ("".join(parts) + text[last:] if parts else text), tuple(put_back)


def put_back_letters(given: str, reading: str, put_back: tuple[int, ...]) -> str:
    """``given`` with the letters ``read_slips`` put back (``put_back`` offsets into ``reading``) put back there
    too, so that it is as long as ``reading`` and each of its offsets indexes both."""
    parts: list[str] = []
    last = 0
    for k, at in enumerate(put_back):
        parts += [given[last:at - k], reading[at]]
        last = at - k
    return "".join(parts) + given[last:]


def offset_as_given(offset: int, put_back: tuple[int, ...]) -> int:
    """Where ``offset`` into a reading with letters put back at ``put_back`` lies in the text as given (a put-back
    letter's own offset is where the letter after it was given)."""
    return offset - bisect_left(put_back, offset)


def offset_as_read(offset: int, put_back: tuple[int, ...]) -> int:
    """Where the character at ``offset`` in the text as given lies in the reading (inverse of ``offset_as_given``
    at every given character)."""
    return offset + bisect_right([at - k for k, at in enumerate(put_back)], offset)


def read_text(text: str) -> tuple[str, tuple[int, ...]]:
    """``text`` as read: RTF/HTML markup blanked, dictation artefacts read as meant, drafting layout blanked or
    rewritten, typing slips of the vocabulary's words read as the words; and where letters a slip dropped were put
    back (``read_slips``). Without those it is as long as ``text``, so offsets into it index the text as given;
    with them, ``put_back_letters`` gives the text as given with the same letters put back, and ``offset_as_given``
    maps an offset back."""
    # dictation before layout: a template's organ row dictated as "Heart size colon normal" is then read as one
    return read_slips(mask_layout(read_dictation(mask_markup(text))))
