"""A dictated report as meant: what speech-recognition software left in it, read as the radiologist meant it.

A report signed straight from a speech-recognition draft carries the dictation's own words: punctuation and commands
spoken and transcribed as words, some applied and some not ("Findings colon The lungs are clear period new
paragraph"), the radiologist's self-corrections ("in the right, sorry, left upper lobe"; "The heart is enlarged.
Scratch that."), repeated words ("No No effusion"), medical words heard as ordinary ones ("new Moe thorax") and the
system's standing lines ("Dictated but not read"). Read as written, a header dictated as "Impression colon" is no
header, a retracted side or sentence contradicts the one that replaced it, and a sign-off line fills an empty
IMPRESSION.

``read_dictation`` reads them as meant and, like every reading in ``reading``, keeps the text's length: a spoken mark
becomes its character padded with spaces; a line-break command a line break at the command's end (so a header
dictated after it starts its line); a retracted word or sentence and a sign-off sentence are blanked; a repeated
word's repeat is blanked; a misheard phrase becomes the word meant (``dictation.toml``), padded with spaces. A spoken
word is read as a mark only where it cannot be the word itself: "a period of observation", "the transverse colon",
"a new line" and "a right scratch" stay as written.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from medrag_core.reports.vocabulary import SECTION_HEADERS

__all__ = ["read_dictation"]

_DATA = tomllib.loads(Path(__file__).with_name("dictation.toml").read_text(encoding="utf-8"))
_W = r"(?<![\w-])"  # a whole word: no letter, digit or hyphen just before ...
_E = r"(?![\w-])"  # ... or just after

# --- what the software heard, and its standing lines (dictation.toml) ---------------------------------------------
_MISHEARD: dict[str, str] = _DATA["misheard"]
_SIGN_OFF = re.compile("|".join(_DATA["sign_off"]["phrases"]), re.IGNORECASE)
_SIGN_OFF_WORDS = tuple(_DATA["sign_off"]["words"])
# a disclaimer ``sections`` reads as ending the report ("This report was generated with voice recognition software;
# unintentional transcription errors may occur."): left whole, on its line, for its footer
_ENDING_DISCLAIMER = re.compile(
    r"this\s+(?:report|document|study)\s+(?:was|has\s+been|is)\s+\w+\s+(?:with|using|by|via)\b[^\n]*?recognition"
    r"|recognition\s+(?:software|technology|system)\s+(?:was|has\s+been|is)\s+used|please\s+excuse", re.IGNORECASE)


@lru_cache(maxsize=256)
def _misheard_pattern(heard: tuple[str, ...]) -> re.Pattern[str]:
    """The phrases ``heard`` as one pattern, each a whole word in any case with any spaces between its words."""
    return re.compile(_W + "(?:" + "|".join(r"[ \t]+".join(map(re.escape, h.split())) for h in heard) + ")" + _E,
                      re.IGNORECASE)


# --- spoken marks and commands ---------------------------------------------------------------------------------
# (a mark takes the spaces before it, so that it closes the word it follows: "clear period" reads "clear.      ";
# only from a run of spaces' start, so that a long blank is not tried again from each of its spaces)
_SPACED = r"(?:(?<![ \t])[ \t]+)?"
_PERIOD = re.compile(_SPACED + _W + r"(?:period|full[ \t]+stop)" + _E, re.IGNORECASE)
_COMMA = re.compile(_SPACED + _W + r"(?:comma|semi-?colon)" + _E, re.IGNORECASE)
_COLON = re.compile(_SPACED + _W + r"colon" + _E, re.IGNORECASE)
# a line-break command takes the spaces after it, so the line after it starts at its first word
_BREAK = re.compile(_W + r"(?:new[ \t]+paragraph|next[ \t]+line|new[ \t]+line|new[ \t]+para)" + _E + r"[ \t]*",
                    re.IGNORECASE)
_BRACKET = re.compile(_W + r"(open|close|end)[ \t]+(?:bracket|paren|parenthesis|parentheses)s?" + _E, re.IGNORECASE)
_HYPHEN = re.compile(r"\b([A-Za-z0-9]+)[ \t]+(?:hyphen|dash)[ \t]+([A-Za-z0-9]+)\b")
_NUMBERED = re.compile(_W + r"number[ \t]+(one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})" + _E,
                       re.IGNORECASE)
_NUMBERS = {w: str(i) for i, w in enumerate("one two three four five six seven eight nine ten".split(), 1)}
_QUESTION = re.compile(_SPACED + _W + r"question[ \t]+mark" + _E + r"[ \t]*", re.IGNORECASE)
# what a spoken command may be followed by: another command
_NEXT_COMMAND = re.compile(r"[ \t]*(?:new[ \t]+paragraph|next[ \t]+line|new[ \t]+line|new[ \t]+para|number[ \t]+\w)\b",
                           re.IGNORECASE)
_LAST_WORD = re.compile(r"([A-Za-z0-9'-]+)[^A-Za-z0-9\n]*$")
_NEXT_WORD = re.compile(r"[ \t]*([A-Za-z]+)")
# a word before "period" that makes it the noun ("a period of", "the postoperative period", "a two week period")
_PERIOD_NOUN_AFTER = frozenset(
    "a an the this that these each every any same short long brief prolonged extended interval time trial "
    "postoperative post-operative perioperative postpartum neonatal perinatal washout latent incubation refractory "
    "follow-up followup waiting observation recovery treatment study reporting review initial early late "
    "week weeks month months day days year years hour hours minute minutes".split())
# a word after "period" that continues the noun's phrase ("period of observation", "period during which")
_PERIOD_NOUN_BEFORE = frozenset(
    "of in during when which that was were is are has had have to for after before between since from until at on "
    "following post prior and or without with where while over".split())
# a word before a spoken mark or command that makes it a word of the sentence ("a comma", "the new line")
_ARTICLES = frozenset("a an the this that any one each another".split())
_RETRACTED = re.compile(r"(?:scratch|strike|delete)[ \t]+that$", re.IGNORECASE)
# labels that a dictated "colon" may follow: the section headers, and a template's organ rows ("Heart size colon")
_LABELS = frozenset(SECTION_HEADERS.sections) | frozenset(
    "heart|heart size|cardiac size|lungs|lung|lung fields|pleura|pleural spaces|mediastinum|hila|bones|"
    "osseous structures|soft tissues|lines and tubes|tubes and lines|support devices|devices|exam|examination|"
    "history|technique|comparison|indication|clinical|views".split("|"))
# what "colon" after a history's label still names ("Clinical history colon cancer")
_BOWEL = re.compile(r"[ \t]*(?:cancer|carcinoma|ca|polyps?|tumou?rs?|mass|resection|surgery|interposition)\b",
                    re.IGNORECASE)
_LABEL_START = re.compile(r"^[ \t]*(?:[-*\u2022][ \t]+|\d{1,2}[.)][ \t]+)?")
# a header dictated next ("... unchanged next line impression colon"): what a line-break command may lead to
_NEXT_HEADER = re.compile(r"[ \t]*([A-Za-z][A-Za-z /'-]{0,40}?)[ \t]*(?:colon\b|:)", re.IGNORECASE)
# a template's field left in a retracted sentence ("There is <grade> cardiomegaly. Scratch that.") is still in the
# report signed, so it is kept for the placeholder check
_FIELD = re.compile(r"<[^<>\n]{1,40}>|\[[^\[\]\n]{1,40}\]")

# --- self-corrections ------------------------------------------------------------------------------------------
# words a radiologist corrects in passing, by kind: a side corrects a side, a size a size ("moderate, correction:
# small"), so "the right scratch that left" is a correction and "a right scratch that ..." a word of the sentence
_KINDS = {**dict.fromkeys("right left bilateral both".split(), "side"),
          **dict.fromkeys("tiny small moderate moderate-sized large massive mild minimal marked severe trace subtle "
                          "extensive slight".split(), "size"),
          **dict.fromkeys("upper middle mid lower".split(), "level")}
_CORRECTED_WORD = re.compile(
    r"\b(?P<said>right|left|bilateral|both|tiny|small|moderate-sized|moderate|large|massive|mild|minimal|marked|"
    r"severe|trace|subtle|extensive|slight|upper|middle|mid|lower|\d+(?:\.\d+)?)"
    # (each run of spaces read by one repeat only: "[ \t]*,?[ \t]*" would try each way to split a long blank)
    r"(?P<cue>[ \t]*,[ \t]*no[ \t]*,[ \t]*"
    r"|[ \t]*(?:,[ \t]*)?(?:sorry|correction|i[ \t]+mean|(?:scratch|strike|delete)[ \t]+that|or[ \t]+rather"
    r"|make[ \t]+that)[ \t]*(?:[,:][ \t]*)?)"
    r"(?=(?P<meant>[A-Za-z]+(?:-sized)?|\d+(?:\.\d+)?)\b)",
    re.IGNORECASE)
# a sentence that retracts the one before it ("Scratch that.", "No, scratch that.", "Delete the last sentence.")
_RETRACTION = re.compile(
    r"\b(?:no[ \t]*(?:,[ \t]*)?)?(?:scratch|strike|delete|disregard|cancel|erase)[ \t]+"
    r"(?:that|this|the[ \t]+(?:last|previous)[ \t]+(?:sentence|line|statement))\b[ \t]*[.;]?",
    re.IGNORECASE)
_REPEATED = re.compile(r"\b([A-Za-z]+)([ \t]+)\1\b", re.IGNORECASE)
_REPEATS_ALLOWED = frozenset({"that", "had", "bye", "ha"})

# each reading's words, in lower case: a report with none of a reading's words is not searched for it, and one with
# none of them at all (nearly every report typed) is returned on a few substring tests
_MARK_WORDS = ("period", "full stop", "comma", "colon", "paragraph", "next line", "new line", "new para", "bracket",
               "open paren", "close paren", "end paren", "hyphen", "dash", "number ", "question mark")
_SPACES = re.compile(r"[ \t]+")
_CORRECTION_WORDS = ("scratch", "strike", "delete", "disregard", "cancel", "erase", "sorry", "correction", "i mean",
                     "rather", "make that", "no,", "no ,", "no comma")


def _last_word(text: str, at: int) -> str:
    """The word before ``at`` on its line, lower case ("" at the line's start)."""
    m = _LAST_WORD.search(text, max(0, at - 60), at)
    return m.group(1).lower() if m and "\n" not in text[m.start():at] else ""


def _mark_before(text: str | list[str], at: int) -> str:
    """The last character before ``at`` that is no space or tab, within 200 characters ("" where none: the text's
    start, or a long blank). Read in place, so that a reading per match stays linear."""
    i = at - 1
    while i >= max(0, at - 200) and text[i] in " \t":
        i -= 1
    return text[i] if i >= max(0, at - 200) else ""


def _after(text: str, at: int) -> str:
    """What follows ``at`` up to the line's end, at most 60 characters."""
    end = text.find("\n", at, at + 60)
    return text[at:end if end >= 0 else at + 60]


def _ends_here(rest: str) -> bool:
    """Whether ``rest`` (what follows a spoken mark) opens a new sentence, line, command or dictated header."""
    s = rest.lstrip(" \t")
    if not s or s[0] in ".,;:!?)" or s[0].isupper() or s[0].isdigit() or _NEXT_COMMAND.match(rest):
        return True
    header = _NEXT_HEADER.match(rest)
    return bool(header) and " ".join(header.group(1).lower().split()) in _LABELS


def _read_period(text: str) -> str:
    def read(m: re.Match[str]) -> str:
        before, rest = _last_word(text, m.start()), _after(text, m.end())
        if not before or (before in _ARTICLES and not _RETRACTED.search(text, max(0, m.start() - 20), m.start())):
            return m.group()  # "the period", "that period", a line's first word
        noun = before in _PERIOD_NOUN_AFTER or before.endswith(("-week", "-month", "-day", "-year"))
        if rest.lstrip(" \t")[:1] in (".", ",", ";", ":"):
            # a mark typed after it: the noun's own ("the postoperative period."), or the spoken mark applied
            # twice ("clear period.")
            return m.group() if noun else " " * len(m.group())
        if not _ends_here(rest):
            nxt = _NEXT_WORD.match(rest)
            if noun or not nxt or nxt.group(1).lower() in _PERIOD_NOUN_BEFORE:
                return m.group()  # "a period of observation", "the follow-up period was uneventful"
        # (read as a mark where a sentence follows: even a noun "period" there ended its sentence)
        return ".".ljust(len(m.group()))
    return _PERIOD.sub(read, text)


def _read_breaks(text: str) -> str:
    def read(m: re.Match[str]) -> str:
        if _last_word(text, m.start()) in _ARTICLES | {"no"}:
            return m.group()  # "a new line", "no new line"
        before = _mark_before(text, m.start())
        rest = _after(text, m.end())
        if rest[:1] in (".", ",", ";", ":") or (before and before not in ".:;,!?\n" and not _ends_here(rest)):
            return m.group()  # (a mark typed after it makes it the sentence's words: "Left PICC, new line.")
        return " " * (len(m.group()) - 1) + "\n"
    return _BREAK.sub(read, text)


def _read_colon(text: str) -> str:
    def read(m: re.Match[str]) -> str:
        floor = max(0, m.start() - 80)  # (a label is short: no search runs back further)
        start = max(text.rfind("\n", floor, m.start()), text.rfind(".", floor, m.start()),
                    text.rfind(";", floor, m.start()), floor - 1) + 1
        label = text[start:m.start()]
        label = " ".join(label[_LABEL_START.match(label).end():].lower().split())  # type: ignore[union-attr]
        # only after a header or a template's label: "the transverse colon" is the bowel
        return ":".ljust(len(m.group())) if label in _LABELS and not _BOWEL.match(text, m.end()) else m.group()
    return _COLON.sub(read, text)


def _read_marks(text: str) -> str:
    """Commas, semicolons, brackets, hyphens, numbered items and question marks spoken as words."""
    def comma(m: re.Match[str]) -> str:
        before = _last_word(text, m.start())
        if not before or before in _ARTICLES or text[m.start() - 1:m.start()] in "\"'" or \
                text[m.end():m.end() + 1] in ("\"", "'"):
            return m.group()  # the word itself ('a "comma"', "the comma")
        return (";" if m.group().lstrip().lower().startswith("semi") else ",").ljust(len(m.group()))

    text = _COMMA.sub(comma, text)
    text = _BRACKET.sub(lambda m: (" " * (len(m.group()) - 1) + "(") if m.group(1).lower() == "open"
                        else ")".ljust(len(m.group())), text)
    text = _HYPHEN.sub(lambda m: f"{m.group(1)}-{m.group(2)}".ljust(len(m.group())), text)

    def numbered(m: re.Match[str]) -> str:
        before = _mark_before(text, m.start())
        if before and before not in ".:;\n":
            return m.group()  # "a number one" is no list's item
        n = m.group(1).lower()
        return (_NUMBERS.get(n, n) + ".").ljust(len(m.group()))

    text = _NUMBERED.sub(numbered, text)

    def question(m: re.Match[str]) -> str:
        if _last_word(text, m.start()) in _ARTICLES:
            return m.group()
        before = _mark_before(text, m.start())
        if (not before or before in ".:;\n") and _after(text, m.end())[:1].isalpha():
            return " " * (len(m.group()) - 1) + "?"  # "question mark pneumonia": a query, "?pneumonia"
        return "?".ljust(len(m.group()))

    return _QUESTION.sub(question, text)


def _read_misheard(text: str, heard: tuple[str, ...]) -> str:
    def read(m: re.Match[str]) -> str:
        said = m.group()
        word = _MISHEARD[" ".join(said.lower().split())]
        if len(word) > len(said):
            return said
        if said.isupper() and len(said) > 1:
            word = word.upper()
        elif said[0].isupper():
            word = word[0].upper() + word[1:]
        return word.ljust(len(said))
    return _misheard_pattern(heard).sub(read, text)


def _blank_sign_offs(text: str) -> str:
    """A dictation system's standing phrase blanked to its sentence's end (its line's other sentences kept:
    "Electronically signed. Voice recognition was used." keeps the signature)."""
    spans = []
    for m in _SIGN_OFF.finditer(text):
        if _ENDING_DISCLAIMER.search(text, text.rfind("\n", 0, m.start()) + 1, m.end()):
            continue
        start = m.start()  # (its sentence's words before it may be the report's: "IMPRESSION normal chest This ...")
        ends = [i for i in (text.find("\n", m.end()), text.find(". ", m.end()), text.find(";", m.end())) if i >= 0]
        end = min(ends) if ends else len(text)
        if text[end:end + 1] in (".", ";"):
            end += 1
        elif end == len(text) and text.endswith("."):
            end = len(text)
        spans.append((start, end))
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _read_corrections(text: str) -> str:
    """A word corrected in passing ("left, I mean right") and a sentence retracted ("Scratch that.") blanked."""
    def word(m: re.Match[str]) -> str:
        said, meant = m.group("said").lower(), m.group("meant").lower().removesuffix("-sized")
        same = (said.replace(".", "").isdigit() and meant.replace(".", "").isdigit()) or \
            (_KINDS.get(said) is not None and _KINDS.get(said) == _KINDS.get(meant))
        return " " * len(m.group()) if same else m.group()

    text = _CORRECTED_WORD.sub(word, text)
    retractions = list(_RETRACTION.finditer(text))
    if not retractions:
        return text
    chars = list(text)  # (blanked in place, one retraction after another: each sees those before it blanked)
    for m in retractions:
        before = _mark_before(chars, m.start())
        if before and before not in ".;!?\n" and not m.group()[0].isupper():
            continue  # within a sentence: "... to delete that ..." is the sentence's own word
        start = m.start()
        if before and before in ".;!?":
            end = m.start() - 1
            while chars[end] in " \t":
                end -= 1
            start = _sentence_start(chars, end)
        kept = {i for f in _FIELD.finditer(text, start, m.end()) for i in range(f.start(), f.end())}
        for i in range(start, m.end()):
            if chars[i] != "\n" and i not in kept:
                chars[i] = " "
    return "".join(chars)


def _sentence_start(text: str | list[str], end: int) -> int:
    """Where the sentence ending at ``end`` (its closing mark) starts: after the sentence before it, a header's
    colon or its line's start ("1.5 cm" is no sentence's end)."""
    i = end - 1
    while i >= 0:
        c = text[i]
        if c == "\n" or c == ":" or (c in ".;!?" and (i + 1 >= len(text) or text[i + 1] in " \t\n")):
            return i + 1
        i -= 1
    return 0


def read_dictation(text: str) -> str:
    """``text`` with what speech-recognition dictation left in it read as meant (see the module docstring), the
    same length; unchanged when it has none."""
    low = text.lower()
    marks = [w for w in _MARK_WORDS if w in low]
    corrections = any(w in low for w in _CORRECTION_WORDS)
    sign_off = any(w in low for w in _SIGN_OFF_WORDS)
    # (a misheard phrase's words may stand with any spaces between them)
    spaced = _SPACES.sub(" ", low) if "  " in low or "\t" in low else low
    heard = tuple(h for h in _MISHEARD if h in spaced)
    if not (marks or corrections or sign_off or heard):
        return text
    if sign_off:
        text = _blank_sign_offs(text)
    if heard:
        text = _read_misheard(text, heard)
    if "period" in marks or "full stop" in marks:
        text = _read_period(text)
    if any(w in marks for w in ("paragraph", "next line", "new line", "new para")):
        text = _read_breaks(text)
    if "colon" in marks:
        text = _read_colon(text)
    if marks:
        text = _read_marks(text)
    # a word said twice is the software's only in a dictated report
    text = _REPEATED.sub(lambda m: m.group() if m.group(1).lower() in _REPEATS_ALLOWED
                         else m.group(1) + m.group(2) + " " * len(m.group(1)), text)
    return _read_corrections(text) if corrections else text
