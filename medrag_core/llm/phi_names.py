"""Person names found by dictionary: philter-lite's name lists, its list of ordinary words, and a list
of medical eponyms that are never names on their own.

philter-lite (BSD-3, the maintained fork of UCSF's philter) ships three word lists built for clinical
notes: 97,000 first names, 161,000 last names and 195,000 words that are not names ("nonames":
English and medical vocabulary). Only these lists are used here, not philter's pipeline (which needs
NLTK's tagger data, not available offline, and removes eponyms such as Hodgkin).

A capitalised word is a *seed* when it is a listed first or last name and not an ordinary word; two
or three capitalised words in a row where a listed first name is followed by a listed last name are
a name even when both are ordinary words ("Mary White"). A name then grows over the capitalised
words and initials right beside it ("Nguyen Van Thanh", "Smith, John A."). Eponyms (Hodgkin,
Parkinson, Swan-Ganz, Kerley, ...) and the workbench's section words are never seeds.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

from medrag_core.errors import MissingDependency

EPONYMS = frozenset(
    w.lower()
    for w in """
    Addison Adamkiewicz Alzheimer Arnold Chiari Asperger Barrett Bochdalek Boerhaave Bornholm Bourneville
    Brock Budd Chiari Caplan Castleman Chagas Chilaiditi Churg Strauss Crohn Cushing Dandy Walker DeBakey
    Dobhoff Down Dressler Ebstein Eisenmenger Erb Ewing Fallot Fleischner Foley Gaucher Golden Goodpasture
    Graves Groshong Hamman Rich Hampton Harrington Hashimoto Heimlich Hickman Hirschsprung Hodgkin Horner
    Hounsfield Hurler Jatene Kaposi Kartagener Kawasaki Kerley Klebsiella Klippel Feil Kommerell Kussmaul
    Langerhans Legionella Lemierre Loeffler Luschka Lyme Mach Mallory Weiss Marfan Meigs Morgagni Mounier
    Kuhn Mustard Noonan Osler Pancoast Parkinson Pickwickian Pneumocystis Poland Port Cath Pott Raynaud
    Reid Rendu Weber Riedel Salem Sarcoid Scimitar Sengstaken Blakemore Sjogren Sjögren Swan Ganz Swyer
    James Takayasu Tietze Turner Valsalva Virchow Waldenstrom Wegener Westermark Whipple Williams Wilms
    Wilson Zenker Heller Nissen Belsey Ivor Lewis Mcewen Ludwig Trousseau
    """.split()
)
"""Eponyms of chest radiology and the diseases and devices its reports name: never names on their own."""

_SECTION_WORDS = frozenset(
    "findings impression indication comparison technique history clinical report exam examination views view "
    "pa ap lateral portable chest frontal upright supine final addendum note procedure reason".split()
)
UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u024f\u1e00-\u1eff"
"""Capital letters of the Latin scripts (the extended blocks hold both cases: good enough for names)."""
LETTER = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_CAP_WORD = re.compile(rf"(?<![{LETTER}])[{UPPER}][{LETTER}'\u2019]*(?:-[{UPPER}][{LETTER}'\u2019]*)*(?![{LETTER}])")
_INITIAL = re.compile(r"[A-Z]\.?")
_PARTICLES = "(?:de|del|della|der|den|di|da|du|dos|das|van|von|le|la|bin|ibn|auch|zu)"
_QUOTED = re.compile(r'"([^"\\]*)"')


@cache
def name_lists() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(first names, last names, ordinary words), lower case, from philter-lite's ``set.toml``.

    The file is three lines ``key = [ "word", ... ]``; reading them with a regular expression takes
    a fraction of a second where a TOML parser takes many.
    """
    try:
        path = resources.files("philter_lite").joinpath("filters", "set.toml")
        raw = path.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise MissingDependency("philter-lite", "Removing names before text goes to an external LLM") from exc
    lists: dict[str, frozenset[str]] = {}
    for line in raw.splitlines():
        key, _, rest = line.partition("=")
        lists[key.strip()] = frozenset(w.lower() for w in _QUOTED.findall(rest) if w)
    if not all(lists.get(k) for k in ("firstnames", "lastnames", "nonames")):
        raise MissingDependency("philter-lite", "Removing names before text goes to an external LLM")
    return lists["firstnames"], lists["lastnames"], lists["nonames"]


def _fold(word: str) -> str:
    """Without accents, as the lists are written ("Sébastien" -> "sebastien")."""
    if word.isascii():
        return word
    word = word.translate(_UNDECOMPOSED)
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


_UNDECOMPOSED = str.maketrans(
    {"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ı": "i", "ð": "d", "þ": "th"}
)


def _is_listed(word: str, names: frozenset[str]) -> bool:
    return word.lower() in names or all(part.lower() in names for part in word.split("-") if part)


def find_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of each person name found by dictionary in ``text``."""
    first, last, ordinary = name_lists()
    words = [(m.start(), m.end(), m.group()) for m in _CAP_WORD.finditer(text)]

    def plain(word: str) -> str:
        return _fold(word.lower().replace("\u2019", "'").removesuffix("'s"))

    def protected(word: str) -> bool:
        w = plain(word)
        return w in EPONYMS or w in _SECTION_WORDS or any(p in EPONYMS for p in w.split("-"))

    def seed(word: str) -> bool:
        w = plain(word)
        if protected(word) or len(w) < 2 or (word.isupper() and len(w) <= 3):
            return False
        listed = _is_listed(w, first) or _is_listed(w, last)
        return listed and not _is_listed(w, ordinary)

    hits = [i for i, (_, _, word) in enumerate(words) if seed(word)]
    for i in range(len(words) - 1):
        (_, e0, w0), (s1, _, w1) = words[i], words[i + 1]
        pair = text[e0:s1] == " "
        # a first name before a last name, even an eponym's ("Laura Williams"), unless the first is itself
        # an eponym or an ordinary word ("Ivor Lewis", "Golden S")
        first_ok = not protected(w0) and plain(w0) in first
        first_ok = first_ok and (not protected(w1) or not _is_listed(plain(w0), ordinary))
        if pair and first_ok and plain(w1) in last:
            if not (w0.isupper() and w1.isupper() and len(w0) <= 3):
                hits += [i, i + 1]
    def nameish(word: str) -> bool:
        """May belong to a name beside one: a listed name, or a word that is not ordinary."""
        w = plain(word)
        if protected(word) or w in _SECTION_WORDS:
            return False
        return _is_listed(w, first) or _is_listed(w, last) or not _is_listed(w, ordinary)

    starts = {s: (s, e, w) for s, e, w in words}
    ends = {e: (s, e, w) for s, e, w in words}
    grown: list[tuple[int, int]] = []
    for i in sorted(set(hits)):
        start, end, _ = words[i]
        while True:  # rightwards: "John Smith", "Smith, John", "John A. Smith"
            after = re.match(rf"(, | (?:{_PARTICLES} ){{0,2}})([{UPPER}][{LETTER}'\u2019-]*)(\.?)", text[end:])
            if not after:
                break
            at = end + after.start(2)
            comma_ok = not after.group(1).startswith(",") or not grown_has_comma(text, start, end)
            if at in starts and nameish(starts[at][2]) and comma_ok:
                end = starts[at][1]
            elif _INITIAL.fullmatch(after.group(2) + after.group(3)) and len(after.group(2)) == 1:
                end = end + after.end(3)
            else:
                break
        while True:  # leftwards
            before = re.search(rf"([{UPPER}][{LETTER}'\u2019-]*)(, | (?:{_PARTICLES} ){{0,2}})$", text[:start])
            if not before:
                break
            at = start - len(before.group(0))
            if at in starts and starts[at][1] in ends and nameish(starts[at][2]):
                start = at
            else:
                break
        grown.append((start, end))
    return grown


def grown_has_comma(text: str, start: int, end: int) -> bool:
    """A name already holding "Last, First" takes no second comma (a list of words is not a name)."""
    return "," in text[start:end]
