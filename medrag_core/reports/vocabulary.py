"""The word lists behind ``mentions.extract_observations``.

- The finding vocabulary is data, in ``findings.toml`` (canonical findings with group, significance,
  side and which checks compare them; every wording as an ordered regular expression; anatomy that
  is a place, not a finding), loaded here with ``tomllib`` into ``FINDINGS``, ``TERMS``, ``LEXICON``
  (compiled into ``TARGET_RE`` / ``TARGET_INFO``), ``GROUP``, ``DEVICE_NAMES``, ``NON_LATERAL`` and
  ``groups_checked_by``. The normal statements are data in the same file (``[[normal]]``):
  ``STUDY_NORMAL`` ("Normal chest."), ``NO_ACUTE_DISEASE`` ("No acute disease."), ``VASC_NORMAL``
  (rules out ``VASC_RULES_OUT``); "the lungs are clear" is a term whose finding rules out ``CLEAR_IMPLIES``.
  ``[labels]`` gives ``NO_FINDING_LABEL``, ``DEVICE_LABEL`` and the search filters ``FILTER_LABELS``.
  ``load_vocabulary`` refuses a malformed or inconsistent file with a ``VocabularyError`` naming the entry.
- ConText rules are data too, in ``context_rules.toml`` (medspaCy's shape: literal, category,
  direction, pattern, with examples), loaded into ``CONTEXT_RULES`` and compiled per category and
  direction: negation, uncertainty and hypothetical triggers that look forward (``*_FWD``) or
  backward (``*_BWD``), pseudo-triggers (``PSEUDO``, ``UNC_PSEUDO_NEG``) and termination terms
  (``TERMINATE``). The words that qualify a negation or a hedge (``QUALIFIER``, ``RESOLVED``,
  ``PROBABLE``, ``OTHERWISE``) stay here.
- Qualifier words around a mention: sides and lung zones (``SIDE``, ``ZONE``, ``ZONE_LINK``,
  ``ABBR_ZONE``), location, severity, temporal terms (``CHRONIC``, ``NEW``), non-lung anatomy
  that carries a side (``NON_LUNG_SITE``, ``PLACED_AT``) and alternatives (``CHAIN``, ``CHAIN_NEXT``).

- How a blank (MIMIC's ``___``) is read, a de-identification mask or a field left to fill, is data in
  ``blanks.toml`` (``BLANK_RULES``: slot, mask and layout rules, each with example reports the tests run).

Adding a synonym is an edit of ``findings.toml`` (with an ``example`` the tests check); changing how
words are applied is an edit in ``mentions.py``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# --- the finding vocabulary (findings.toml) --------------------------------------------------------

VOCABULARY_FILE = Path(__file__).with_name("findings.toml")
SIGNIFICANCE_LEVELS = ("critical", "significant", "minor", "chronic", "device", "normal")
CHECK_NAMES = ("negation", "laterality", "omission", "contradiction", "size", "change")
#: the kinds of ``[[normal]]`` statement: the whole study is normal ("Normal chest."), free of acute disease
#: ("No acute cardiopulmonary process."), the pulmonary vessels are normal (no oedema)
NORMAL_KINDS = ("study_normal", "no_acute_disease", "vessels_normal")


@dataclass(frozen=True)
class Finding:
    """One canonical finding of ``findings.toml`` (see the file's header for the fields)."""

    name: str
    group: str | None
    significance: str
    lateral: bool
    checks: frozenset[str]
    implies: tuple[str, ...] = ()
    rules_out: tuple[str, ...] = ()
    side_family: str | None = None
    parenchymal: bool = False
    bone: bool = False


@dataclass(frozen=True)
class Term:
    """One wording of a finding: ``pattern`` (macros expanded), ``polarity`` when the wording fixes it."""

    finding: str
    pattern: str
    polarity: str | None = None
    example: str | None = None


@dataclass(frozen=True)
class NormalStatement:
    """One ``[[normal]]`` wording: ``kind`` (one of ``NORMAL_KINDS``), ``pattern`` (macros expanded), the
    findings it ``rules_out`` and the ``examples`` it must match (the tests run them)."""

    kind: str
    pattern: str
    rules_out: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Labels:
    """``[labels]``: the case label of a report with no finding, the one added for any device, and the labels
    offered as search filters, in order."""

    no_finding: str
    any_device: str
    search_filters: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """Everything ``findings.toml`` holds, checked for consistency."""

    findings: dict[str, Finding]
    terms: list[Term]
    anatomy: dict[str, list[str]]
    normal_statements: list[NormalStatement]
    labels: Labels
    spelling: frozenset[str] = frozenset()  # [spelling] words: a typing slip of one is read as the word


class VocabularyError(ValueError):
    """``findings.toml`` is malformed or inconsistent (a programming error in the data, caught by the tests);
    the message names the file and the entry."""


def _read_toml(path: Path, what: str) -> dict[str, Any]:
    """The parsed file; ``VocabularyError`` (file name, line and column) when it is unreadable or not TOML."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise VocabularyError(f"{path.name} is not valid TOML: {exc}") from exc
    except OSError as exc:
        raise VocabularyError(f"cannot read the {what} {path}: {exc.strerror or exc}") from exc


def _compiled(pattern: str, where: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise VocabularyError(f"{where} is not a valid regular expression: {exc}") from exc
    return pattern


def _branches(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression ("a(b|c)|d" -> ["a(b|c)", "d"]); a group that only sets
    flags or groups ("(?-i:...)", "(?:...)") and spans the whole pattern is looked into."""
    out, depth, start, i, in_class, first_close = [], 0, 0, 0, False, -1
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0 and first_close < 0:
                first_close = i
        elif c == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    opener = re.match(r"\(\?[a-zA-Z]*(?:-[a-zA-Z]+)?:", pattern)
    if len(out) == 1 and opener and first_close == len(pattern) - 1:
        return _branches(pattern[opener.end(): -1])
    return out


_LOOKBEHIND_OPEN = re.compile(r"\(\?<[!=](?:[^()\\]|\\.)*\)")


def _opens_on_a_word(pattern: str) -> bool:
    """Whether every alternative of a term opens with ``\\b`` (after any lookbehind): a term is tried only where a
    word starts (``TARGET_RE`` tests that boundary once for all terms, which keeps matching fast)."""
    for branch in _branches(pattern):
        while (m := _LOOKBEHIND_OPEN.match(branch)) is not None:
            branch = branch[m.end():]
        if not branch.startswith("\\b"):
            return False
    return True


def _required(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise VocabularyError(f"{where} has no {key!r} (a non-empty string)")
    return value


def _expand_macros(pattern: str, macros: dict[str, str], where: str) -> str:
    """``pattern`` with each ``%NAME%`` replaced by ``macros[NAME]``; ``VocabularyError`` names an unknown one."""
    try:
        return re.sub(r"%(\w+)%", lambda m: macros[m.group(1)], pattern)
    except KeyError as exc:
        raise VocabularyError(f"{where} uses the macro %{exc.args[0]}%, which [macros] does not define") from exc


def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """The vocabulary in ``path``; ``VocabularyError`` names the file, the entry and the field when the file is
    not valid TOML or is inconsistent (unknown finding, bad significance, bad regex, missing field)."""
    data = _read_toml(path, "finding vocabulary")
    macros: dict[str, str] = data.get("macros", {})

    def expand(pattern: str, where: str) -> str:
        return _expand_macros(pattern, macros, where)

    findings: dict[str, Finding] = {}
    for n, entry in enumerate(data.get("finding", []), 1):
        name = _required(entry, "name", f"{path.name}: finding {n}")
        if entry.get("significance") not in SIGNIFICANCE_LEVELS:
            raise VocabularyError(f"{path.name}: finding {name!r} has significance {entry.get('significance')!r}; "
                                  f"expected one of {', '.join(SIGNIFICANCE_LEVELS)}")
        checks = frozenset(entry.get("checks", []))
        if checks - set(CHECK_NAMES):
            unknown = sorted(checks - set(CHECK_NAMES))
            raise VocabularyError(f"{path.name}: finding {name!r} names unknown checks {unknown}")
        if (entry.get("side_family") or entry.get("parenchymal")) and not entry.get("group"):
            raise VocabularyError(f"{path.name}: finding {name!r} has a side_family or is parenchymal but has no group")
        findings[name] = Finding(name, entry.get("group"), entry["significance"], bool(entry.get("lateral", True)),
                                 checks, tuple(entry.get("implies", ())), tuple(entry.get("rules_out", ())),
                                 entry.get("side_family"), bool(entry.get("parenchymal", False)),
                                 bool(entry.get("bone", False)))
    terms: list[Term] = []
    for n, entry in enumerate(data.get("term", []), 1):
        name = entry.get("finding")
        if name not in findings:
            raise VocabularyError(f"{path.name}: term {n} names finding {name!r}, which has no [[finding]] entry")
        where = f"{path.name}: term {n} ({name})"
        pattern = _compiled(expand(_required(entry, "pattern", where), where), where)
        if not _opens_on_a_word(pattern):
            raise VocabularyError(f"{where} has an alternative that does not open with \\b: a term must start on a "
                                  f"word (anchor it on its first word)")
        terms.append(Term(name, pattern, entry.get("polarity"), entry.get("example")))
    for name, finding in findings.items():
        for field_name in ("implies", "rules_out"):
            unknown = [i for i in getattr(finding, field_name) if i not in findings]
            if unknown:
                raise VocabularyError(f"{path.name}: finding {name!r} {field_name.replace('_', ' ')} unknown "
                                      f"findings {unknown}")
    statements: list[NormalStatement] = []
    for n, entry in enumerate(data.get("normal", []), 1):
        where = f"{path.name}: normal statement {n}"
        kind = entry.get("kind")
        if kind not in NORMAL_KINDS:
            raise VocabularyError(f"{where} has kind {kind!r}; expected one of {', '.join(NORMAL_KINDS)}")
        pattern = _compiled(expand(_required(entry, "pattern", where), where), where)
        rules_out = tuple(entry.get("rules_out", ()))
        unknown = [r for r in rules_out if r not in findings]
        if unknown:
            raise VocabularyError(f"{where} rules out unknown findings {unknown}")
        statements.append(NormalStatement(kind, pattern, rules_out, tuple(entry.get("examples", ()))))
    raw_labels = data.get("labels", {})
    labels = Labels(_required(raw_labels, "no_finding", f"{path.name}: [labels]"),
                    _required(raw_labels, "any_device", f"{path.name}: [labels]"),
                    tuple(raw_labels.get("search_filters", ())))
    known = set(findings) | {labels.no_finding, labels.any_device}
    unknown = [x for x in labels.search_filters if x not in known]
    if unknown:
        raise VocabularyError(f"{path.name}: [labels] search_filters names unknown findings {unknown}")
    words = data.get("spelling", {}).get("words", [])
    if not all(isinstance(w, str) and w.isalpha() and w.islower() and len(w) >= 5 for w in words):
        raise VocabularyError(f"{path.name}: [spelling] words must be lower-case words of five letters or more")
    return Vocabulary(findings, terms, data.get("anatomy", {}), statements, labels, frozenset(words))


VOCABULARY = load_vocabulary()


# --- section headers (sections.toml) ----------------------------------------------------------------

SECTIONS_FILE = Path(__file__).with_name("sections.toml")
SECTION_KINDS = ("INDICATION", "COMPARISON", "TECHNIQUE", "FINDINGS", "IMPRESSION", "preamble")


@dataclass(frozen=True)
class SectionHeaders:
    """``sections.toml``: ``sections`` maps a lower-case header name to its section (None: preamble, no
    section); ``line_only`` and ``no_title_case_before_text`` are the names so marked; ``examples`` are
    (header line, section) pairs the tests run. ``conclusion_after_findings``: FINDINGS names that head the
    conclusion where a FINDINGS header came before them ("Report: ... Result: ..."); ``findings_before_conclusion``:
    IMPRESSION names that head the findings where none came before and another IMPRESSION name follows.
    ``sections`` also holds the one-letter slips of the names a section lists under ``typed_slips`` (a letter
    dropped, doubled or two swapped: "Impresion", "IMPRESSSION", "Findngs", "FINIDNGS"), where a slip is no other
    header's name. ``study_label``: names that head a clinician's read of the film only with a colon or dash, and
    may carry the study's name after it ("Imaging: CXR (portable) - ...", "CXR (my read), portable AP:").
    ``lead_in``: names that open a letter's concluding paragraph with a comma ("In summary, ...") as well as a colon."""

    sections: dict[str, str | None]
    line_only: frozenset[str]
    no_title_case_before_text: frozenset[str]
    examples: tuple[tuple[str, str], ...]
    conclusion_after_findings: frozenset[str] = frozenset()
    findings_before_conclusion: frozenset[str] = frozenset()
    capitals_only: frozenset[str] = frozenset()
    study_label: frozenset[str] = frozenset()
    lead_in: frozenset[str] = frozenset()


def load_section_headers(path: Path = SECTIONS_FILE) -> SectionHeaders:
    """The header names in ``path``; ``VocabularyError`` names the entry when one is malformed (an unknown
    section, a name given twice, a ``line_only`` name that is no header)."""
    data = _read_toml(path, "section headers")
    sections: dict[str, str | None] = {}
    line_only: set[str] = set()
    no_title: set[str] = set()
    after_findings: set[str] = set()
    before_conclusion: set[str] = set()
    capitals: set[str] = set()
    study_label: set[str] = set()
    lead_in: set[str] = set()
    slips: dict[str, str] = {}
    examples: list[tuple[str, str]] = []
    for n, entry in enumerate(data.get("section", []), 1):
        name = _required(entry, "name", f"{path.name}: section {n}")
        if name not in SECTION_KINDS:
            raise VocabularyError(f"{path.name}: section {n} has name {name!r}; expected one of "
                                  f"{', '.join(SECTION_KINDS)}")
        headers = [" ".join(str(h).lower().split()) for h in entry.get("headers", [])]
        if not headers or not all(headers):
            raise VocabularyError(f"{path.name}: section {name!r} has no headers (a list of non-empty names)")
        for header in headers:
            if header in sections:
                raise VocabularyError(f"{path.name}: header {header!r} is given twice")
            sections[header] = None if name == "preamble" else name
        for field_name, into in (("line_only", line_only), ("no_title_case_before_text", no_title),
                                 ("conclusion_after_findings", after_findings),
                                 ("findings_before_conclusion", before_conclusion), ("capitals_only", capitals),
                                 ("study_label", study_label), ("lead_in", lead_in)):
            marked = {" ".join(str(h).lower().split()) for h in entry.get(field_name, [])}
            stray = sorted(marked - set(headers))
            if stray:
                raise VocabularyError(f"{path.name}: section {name!r} {field_name} names {stray}, which are not "
                                      f"among its headers")
            into |= marked
        examples += [(str(e), name) for e in entry.get("examples", [])]
        for word in entry.get("typed_slips", []):
            if word not in headers:
                raise VocabularyError(f"{path.name}: section {name!r} typed_slips names {word!r}, which is not "
                                      f"among its headers")
            slips.update(dict.fromkeys(_one_letter_slips(word), name))
    if any(sections[h] != "FINDINGS" for h in after_findings):
        raise VocabularyError(f"{path.name}: conclusion_after_findings may name only FINDINGS headers")
    for slip, name in slips.items():
        sections.setdefault(slip, name)  # a real name wins over a slip of another ("finding" is FINDINGS' own)
    if any(sections[h] != "IMPRESSION" for h in before_conclusion):
        raise VocabularyError(f"{path.name}: findings_before_conclusion may name only IMPRESSION headers")
    return SectionHeaders(sections, frozenset(line_only), frozenset(no_title), tuple(examples),
                          frozenset(after_findings), frozenset(before_conclusion), frozenset(capitals),
                          frozenset(study_label), frozenset(lead_in))


def _one_letter_slips(word: str) -> set[str]:
    """``word`` typed with one slip: a letter dropped, a letter doubled, or two neighbours swapped."""
    dropped = {word[:i] + word[i + 1:] for i in range(len(word))}
    doubled = {word[:i] + word[i] + word[i:] for i in range(len(word))}
    swapped = {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
    return (dropped | doubled | swapped) - {word}


SECTION_HEADERS = load_section_headers()


# --- blanks: de-identification masks and template slots (blanks.toml) -------------------------------------

BLANKS_FILE = Path(__file__).with_name("blanks.toml")
#: the kinds of blank rule and where each may look
BLANK_RULE_PLACES = {"slot": ("before", "after"), "mask": ("before", "after"), "layout": ("line",)}


def _blank_regex(patterns: list[str], where: str) -> re.Pattern[str]:
    """One regex for rules of one place: "before" is searched for in the text before a blank on its line
    (it must end there), "after" is matched right after the blank, "line" at any line start."""
    body = "|".join(f"(?:{p})" for p in patterns)
    if where == "before":
        return re.compile(f"(?:{body})\\s*$", re.IGNORECASE)
    if where == "line":
        return re.compile(f"^(?:{body})", re.IGNORECASE | re.MULTILINE)
    return re.compile(f"(?:{body})", re.IGNORECASE)


@dataclass(frozen=True)
class BlankRule:
    """One ``[[rule]]`` of ``blanks.toml``: ``pattern`` as written, ``regex`` compiled for its place."""

    name: str
    kind: str
    where: str
    pattern: str
    regex: re.Pattern[str]
    examples: tuple[str, ...]


@dataclass(frozen=True)
class BlankRules:
    """``blanks.toml``: the ``blank`` pattern and the rules reading one as a mask or a slot."""

    blank: re.Pattern[str]
    rules: tuple[BlankRule, ...]

    def joined(self, kind: str, where: str) -> re.Pattern[str]:
        """All rules of ``kind`` at ``where`` as one regex (one that never matches when there are none)."""
        patterns = [r.pattern for r in self.rules if r.kind == kind and r.where == where]
        return _blank_regex(patterns, where) if patterns else re.compile(r"(?!)")


def load_blank_rules(path: Path = BLANKS_FILE) -> BlankRules:
    """The rules in ``path``; ``VocabularyError`` names the rule when one is malformed (an unknown kind, a place
    its kind does not use, a bad regex, no example)."""
    data = _read_toml(path, "blank rules")
    blank = re.compile(_compiled(_required(data, "blank", path.name), f"{path.name}: blank"))
    rules: list[BlankRule] = []
    for n, entry in enumerate(data.get("rule", []), 1):
        name = _required(entry, "name", f"{path.name}: rule {n}")
        where_desc = f"{path.name}: rule {n} ({name})"
        kind, where = entry.get("kind"), entry.get("where")
        if kind not in BLANK_RULE_PLACES:
            raise VocabularyError(f"{where_desc} has kind {kind!r}; expected one of {', '.join(BLANK_RULE_PLACES)}")
        if where not in BLANK_RULE_PLACES[kind]:
            raise VocabularyError(f"{where_desc} has where {where!r}; a {kind} rule looks "
                                  f"{' or '.join(BLANK_RULE_PLACES[kind])}")
        pattern = _compiled(_required(entry, "pattern", where_desc), where_desc)
        examples = tuple(str(e) for e in entry.get("examples", []))
        if not examples:
            raise VocabularyError(f"{where_desc} has no examples (reports the tests run)")
        rules.append(BlankRule(name, kind, where, pattern, _blank_regex([pattern], where), examples))
    return BlankRules(blank, tuple(rules))


BLANK_RULES = load_blank_rules()
FINDINGS, TERMS, ANATOMY = VOCABULARY.findings, VOCABULARY.terms, VOCABULARY.anatomy
#: (regex, canonical name, fixed polarity or None), in order: what the mention extractor compiles
LEXICON: list[tuple[str, str, str | None]] = [(t.pattern, t.finding, t.polarity) for t in TERMS]
GROUP: dict[str, str] = {name: f.group for name, f in FINDINGS.items() if f.group}
NO_FINDING_LABEL = VOCABULARY.labels.no_finding
DEVICE_LABEL = VOCABULARY.labels.any_device
#: labels offered as search filters (Browse): CheXpert's 14 observations plus findings listed separately
FILTER_LABELS: tuple[str, ...] = VOCABULARY.labels.search_filters
DEVICE_NAMES = frozenset({name for name, f in FINDINGS.items() if f.significance == "device"} | {DEVICE_LABEL})
NON_LATERAL = frozenset(name for name, f in FINDINGS.items() if not f.lateral)
CRITICAL_NAMES = frozenset(name for name, f in FINDINGS.items() if f.significance == "critical" and not f.implies)
#: groups whose sides are also compared as one family ("airspace disease", "atelectasis", "scarring": "lung opacity")
SIDE_FAMILY: dict[str, str] = {f.group: f.side_family for f in FINDINGS.values() if f.group and f.side_family}
#: groups of lung findings: what "lungs otherwise clear" may leave out
PARENCHYMAL_GROUPS = frozenset(f.group for f in FINDINGS.values() if f.group and f.parenchymal)
#: findings of bone, whose side may be given by bone anatomy ("right 5th rib fracture")
BONE_FINDINGS = frozenset(name for name, f in FINDINGS.items() if f.bone)


def groups_checked_by(check: str) -> frozenset[str]:
    """The finding groups a check compares ("negation", "laterality", "omission", "contradiction", "size",
    "change")."""
    return frozenset(f.group for f in FINDINGS.values() if f.group and check in f.checks)


def findings_checked_by(check: str) -> frozenset[str]:
    """The canonical finding names a check compares (the findings whose ``checks`` name it)."""
    return frozenset(name for name, f in FINDINGS.items() if check in f.checks)


try:  # the parser of Python's own re module (3.11+), read only to learn which characters a term may start with
    import re._constants as _sre
    import re._parser as _sre_parse
except ImportError:  # pragma: no cover - another Python: every term is then tried at every word start
    _sre = _sre_parse = None  # type: ignore[assignment]

_ZERO_WIDTH = (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT) if _sre else ()
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) if _sre else ()


def _can_be_empty(seq: Any) -> bool:
    """Whether a parsed regular expression may match the empty string (conservative: True when unsure)."""
    for op, av in seq:
        if op in _ZERO_WIDTH:
            continue
        if op is _sre.SUBPATTERN:
            if not _can_be_empty(av[3]):
                return False
        elif op is _sre.BRANCH:
            if not any(_can_be_empty(b) for b in av[1]):
                return False
        elif op in _REPEATS:
            if av[0] > 0 and not _can_be_empty(av[2]):
                return False
        elif op in (_sre.LITERAL, _sre.IN, _sre.NOT_LITERAL, _sre.ANY, _sre.CATEGORY):
            return False
    return True


def _first_chars(seq: Any) -> frozenset[str] | None:
    """The lower-case characters a parsed regular expression's match may start with; None when any may (a class
    such as \\w or \\d, a negated set, anything this does not read): a superset, never too few."""
    out: set[str] = set()
    for op, av in seq:
        if op in _ZERO_WIDTH:
            continue
        if op is _sre.LITERAL:
            return frozenset(out | {chr(av).lower()})
        if op is _sre.IN:
            for item, value in av:
                if item is _sre.LITERAL:
                    out.add(chr(value).lower())
                elif item is _sre.RANGE and value[1] - value[0] < 64:
                    out |= {chr(c).lower() for c in range(value[0], value[1] + 1)}
                else:
                    return None
            return frozenset(out)
        if op is _sre.SUBPATTERN:
            body = [av[3]]
        elif op is _sre.BRANCH:
            body = list(av[1])
        elif op in _REPEATS:
            body = [av[2]]
        else:
            return None
        for b in body:
            first = _first_chars(b)
            if first is None:
                return None
            out |= first
        if not _can_be_empty([(op, av)]):
            return frozenset(out)
    return None  # it may match the empty string: whatever follows could start it


# in a prefix from ``_prefixes``: a position that any character may hold
_ANY_CHAR = "\0"


def _prefixes(seq: Any, k: int) -> set[str] | None:
    """The first ``k`` characters (lower case) a parsed regular expression's match may open with, a shorter string
    where the match may end sooner and ``_ANY_CHAR`` at a position any character may hold; None for anything this
    does not read. A superset, never too few (zero-width tests are passed over)."""
    out = {""}
    for op, av in seq:
        if all(len(p) >= k for p in out):
            break
        if op in _ZERO_WIDTH:
            continue
        item = _item_prefixes(op, av, k)
        if item is None:
            return None
        out = {p if len(p) >= k else (p + q)[:k] for p in out for q in item}
    return out


def _lower_char(code: int) -> str:
    c = chr(code).lower()
    return c if len(c) == 1 else _ANY_CHAR


def _item_prefixes(op: Any, av: Any, k: int) -> set[str] | None:
    """``_prefixes`` of one parsed item."""
    if op is _sre.LITERAL:
        return {_lower_char(av)}
    if op in (_sre.ANY, _sre.NOT_LITERAL, _sre.CATEGORY):
        return {_ANY_CHAR}
    if op is _sre.IN:
        out: set[str] = set()
        for item, value in av:
            if item is _sre.LITERAL:
                out.add(_lower_char(value))
            elif item is _sre.RANGE and value[1] - value[0] < 64:
                out |= {_lower_char(c) for c in range(value[0], value[1] + 1)}
            else:  # a negated set, a class such as \w
                return {_ANY_CHAR}
        return out
    if op is _sre.SUBPATTERN:
        return _prefixes(av[3], k)
    if op is _sre.BRANCH:
        out = set()
        for branch in av[1]:
            found = _prefixes(branch, k)
            if found is None:
                return None
            out |= found
        return out
    if op in _REPEATS:
        low, high, body = av
        once = _prefixes(body, k)
        if once is None:
            return None

        def then(heads: set[str]) -> set[str]:
            return {p if len(p) >= k else (p + q)[:k] for p in heads for q in once}

        least = {""}
        for _ in range(low):
            least = then(least)
        # the prefixes of ``low`` to ``high`` repetitions: grown one repetition at a time until they stop growing
        found = least
        for _ in range(high - low):
            grown = least | then(found)
            if grown == found:
                break
            found = grown
        return found
    return None


_SUB_DISPATCH_MIN = 4  # a first character's terms are split again by their second where there are this many


def _dispatched(patterns: list[str]) -> tuple[re.Pattern[str], dict[str, int]]:
    """All terms as one case-insensitive pattern, tried only where a word starts (every term opens on \\b, which
    load_vocabulary checks) and only the terms that can start with the characters there: one alternation per first
    character, and within it (where it holds ``_SUB_DISPATCH_MIN`` terms or more) one per second character, each
    keeping file order ("Pleural effusion" finds the same term it would in one alternation of all). A term that may
    end after its first character, or whose second this does not read, is in every second character's alternation,
    and in one more tried where the second character is none of theirs.
    Returns the pattern and, for each of its named groups, the index of the term it is."""
    parsed = [_sre_parse.parse(p, re.IGNORECASE) if _sre_parse else None for p in patterns]
    firsts = [_first_chars(p) if p is not None else None for p in parsed]
    openings = [_prefixes(p, 2) if p is not None else None for p in parsed]
    chars = sorted(set().union(*(f for f in firsts if f is not None)))
    groups: list[str] = []
    term_of: dict[str, int] = {}

    def alternation(keep: list[int], tag: str) -> str:
        names = []
        for i in keep:
            term_of[f"t{i}_{tag}"] = i
            names.append(f"(?P<t{i}_{tag}>{patterns[i]})")
        return "|".join(names)

    for ch in chars:
        keep = [i for i, f in enumerate(firsts) if f is None or ch in f]
        tag = str(ord(ch))
        seconds: dict[int, set[str]] = {}  # each term's possible second characters after ``ch``
        any_second: list[int] = []  # terms that may end after ``ch`` or go on with any character
        for i in keep:
            opening = openings[i]
            if opening is None:
                any_second.append(i)
                continue
            after_ch = [p for p in opening if not p or p[0] in (ch, _ANY_CHAR)]
            if any(len(p) < 2 or p[1] == _ANY_CHAR for p in after_ch):
                any_second.append(i)
            seconds[i] = {p[1] for p in after_ch if len(p) == 2 and p[1] != _ANY_CHAR}
        every = sorted(set().union(*seconds.values()))
        if len(keep) < _SUB_DISPATCH_MIN or not every:
            groups.append(f"(?=[{re.escape(ch)}])(?:{alternation(keep, tag)})")
            continue
        # (the first character is ``ch``, never a line break, so "." passes over it)
        split = []
        for d in every:
            these = [i for i in keep if i in any_second or d in seconds[i]]
            split.append(f"(?=.[{re.escape(d)}])(?:{alternation(these, f'{tag}_{ord(d)}')})")
        if any_second:
            split.append(f"(?!.[{''.join(re.escape(d) for d in every)}])(?:{alternation(any_second, tag + '_')})")
        groups.append(f"(?=[{re.escape(ch)}])(?:{'|'.join(split)})")
    anywhere = [i for i, f in enumerate(firsts) if f is None]
    if anywhere:  # terms that may start with any character: also where no other term can
        groups.append(f"(?:{alternation(anywhere, 'any')})")
    return re.compile(r"\b(?:" + ("|".join(groups) or "(?!)") + ")", re.IGNORECASE), term_of


# most positions in a report are inside a word, and at a word's start only the terms that can begin with its first
# two letters are tried: several times faster than one alternation of every term, with the same matches
TARGET_RE, TARGET_TERM = _dispatched([p for p, _, _ in LEXICON])
#: the finding and fixed polarity of each named group of ``TARGET_RE`` (``m.lastgroup``)
TARGET_INFO = {group: LEXICON[i][1:] for group, i in TARGET_TERM.items()}


def normal_statements(kind: str) -> re.Pattern[str]:
    """The ``[[normal]]`` wordings of one kind as one case-insensitive pattern, alternatives in file order."""
    patterns = [s.pattern for s in VOCABULARY.normal_statements if s.kind == kind]
    return re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!x)x", re.IGNORECASE)


#: "Normal chest.", "Chest radiograph within normal limits.": the impression calls the whole study normal
STUDY_NORMAL = normal_statements("study_normal")
#: "No acute cardiopulmonary process.": normal but for what is chronic or minor
NO_ACUTE_DISEASE = normal_statements("no_acute_disease")
#: "The heart and lungs are normal.": a normal study named by its parts, each part (``rules_out``) read on its own,
#: since one lexicon phrase takes the words the other part's would ("heart and lungs are normal" as the heart's)
PARTS_NORMAL = [(re.compile(s.pattern, re.IGNORECASE), s.rules_out) for s in VOCABULARY.normal_statements
                if s.kind == "study_normal" and s.rules_out]
# "pulmonary vascularity is normal": no vascular congestion / oedema. Checked on its own, since a
# lexicon phrase ("heart size and pulmonary vascularity are normal") may already cover these words.
VASC_NORMAL = normal_statements("vessels_normal")
VASC_RULES_OUT = tuple(dict.fromkeys(r for s in VOCABULARY.normal_statements if s.kind == "vessels_normal"
                                     for r in s.rules_out))
# "Lung Clear" is not an observation of its own: it negates these (the lungs are clear = no
# airspace disease, no oedema), and only where no "otherwise"/"except" limits it.
CLEAR_IMPLIES = FINDINGS["Lung Clear"].rules_out

# --- ConText rules (context_rules.toml) -------------------------------------------------------------

CONTEXT_RULES_FILE = Path(__file__).with_name("context_rules.toml")
CATEGORIES = ("NEGATED_EXISTENCE", "POSSIBLE_EXISTENCE", "HYPOTHETICAL", "PSEUDO", "TERMINATE")
DIRECTIONS = ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "PSEUDO", "TERMINATE")


@dataclass(frozen=True)
class ContextRule:
    """One ConText rule (medspaCy's shape): see ``context_rules.toml`` for the fields."""

    literal: str
    category: str
    direction: str
    pattern: str
    examples: tuple[tuple[str, str, str], ...] = ()  # (sentence, finding, polarity)
    hedges_pass: bool = False  # a TERMINATE rule that ends negation but not uncertainty ("may be secondary to")


# Every trigger opens where a word starts or on a punctuation mark ("no", "is not seen", ";", "?", ": none"), never
# inside a word or on a space: one test of that, before the alternatives, spares each of them the positions
# inside words (as TARGET_RE's one word-boundary test does for the terms); the loader refuses a rule whose pattern
# matches one of its examples anywhere else
_TRIGGER_START = r"(?:\b(?=\w)|(?=[^\w\s]))"


_TRIGGER_START_RE = re.compile(_TRIGGER_START)


def load_context_rules(path: Path = CONTEXT_RULES_FILE) -> list[ContextRule]:
    """The rules in file order; ``VocabularyError`` names a rule with an unknown category or direction, a
    pattern that does not compile, or one that matches an example inside a word or on a space."""
    data = _read_toml(path, "ConText rules")
    macros: dict[str, str] = data.get("macros", {})
    rules = []
    for n, entry in enumerate(data.get("rule", []), 1):
        literal = entry.get("literal", f"rule {n}")
        entry = {**entry, "pattern": _expand_macros(entry.get("pattern", ""), macros, f"{path.name}: rule {literal!r}")}
        if entry.get("category") not in CATEGORIES or entry.get("direction") not in DIRECTIONS:
            raise VocabularyError(f"{path.name}: rule {literal!r} has category {entry.get('category')!r} and "
                                  f"direction {entry.get('direction')!r}; expected one of {CATEGORIES} and "
                                  f"{DIRECTIONS}")
        try:
            re.compile(entry["pattern"])
        except re.error as exc:
            raise VocabularyError(f"{path.name}: rule {literal!r} is not a valid regular expression: {exc}") from exc
        examples = tuple((e["text"], e["finding"], e["polarity"]) for e in entry.get("examples", []))
        for text, _, _ in examples:
            for m in re.finditer(entry["pattern"], text, re.IGNORECASE):
                if not _TRIGGER_START_RE.match(text, m.start()):
                    raise VocabularyError(f"{path.name}: rule {literal!r} matches {m.group(0)!r} in {text!r} where no "
                                          "word or punctuation mark starts; open the pattern on its first word")
        rules.append(ContextRule(literal, entry["category"], entry["direction"], entry["pattern"], examples,
                                 bool(entry.get("hedges_pass", False))))
    return rules


CONTEXT_RULES = load_context_rules()
# pieces of pattern the ConText rules share with the vocabulary's own wordings (context_rules.toml [macros])
CONTEXT_MACROS: dict[str, str] = _read_toml(CONTEXT_RULES_FILE, "ConText rules").get("macros", {})


def _by_first_char(patterns: list[str]) -> str:
    """The patterns as one alternation for a case-insensitive pattern, split by the character each may open with:
    one alternation per first character, each keeping file order, so the first pattern to match is the one it is in
    a single alternation of all (``_first_chars``; a pattern that may open with any character is in every one, and in
    one more tried where no other applies)."""
    firsts = [_first_chars(_sre_parse.parse(p, re.IGNORECASE)) if _sre_parse else None for p in patterns]

    def alternation(keep: list[int]) -> str:
        return "|".join(f"(?:{patterns[i]})" for i in keep)

    chars = sorted(set().union(*(f for f in firsts if f is not None)))
    groups = [f"(?=[{re.escape(ch)}])(?:{alternation([i for i, f in enumerate(firsts) if f is None or ch in f])})"
              for ch in chars]
    anywhere = [i for i, f in enumerate(firsts) if f is None]
    if anywhere:
        groups.append(f"(?:{alternation(anywhere)})")
    return "|".join(groups)


def _trigger_pattern(rules: Iterable[ContextRule]) -> re.Pattern[str]:
    """Rules as one pattern, alternatives in file order, tried only where a word or punctuation mark starts (speed:
    and there only the rules that may open with its character)."""
    patterns = [r.pattern for r in rules]
    if not patterns:
        return re.compile(r"(?!x)x")
    return re.compile(_TRIGGER_START + "(?:" + _by_first_char(patterns) + ")", re.IGNORECASE)


def _triggers(category: str, direction: str) -> re.Pattern[str]:
    """The rules of one category and direction as one pattern, alternatives in file order."""
    return _trigger_pattern(r for r in CONTEXT_RULES if r.category == category and r.direction == direction)


PSEUDO = _triggers("PSEUDO", "PSEUDO")
UNC_PSEUDO_NEG = _triggers("POSSIBLE_EXISTENCE", "BIDIRECTIONAL")  # "cannot be excluded": a hedge, not a negation
NEG_FWD = _triggers("NEGATED_EXISTENCE", "FORWARD")
NEG_BWD = _triggers("NEGATED_EXISTENCE", "BACKWARD")
UNC_FWD = _triggers("POSSIBLE_EXISTENCE", "FORWARD")
UNC_BWD = _triggers("POSSIBLE_EXISTENCE", "BACKWARD")
HYPO_FWD = _triggers("HYPOTHETICAL", "FORWARD")
HYPO_BWD = _triggers("HYPOTHETICAL", "BACKWARD")
TERMINATE = _triggers("TERMINATE", "TERMINATE")
#: the termination terms that also end an uncertainty trigger's scope (rules without ``hedges_pass``)
TERMINATE_NOT_HEDGES = _trigger_pattern(r for r in CONTEXT_RULES if r.category == "TERMINATE" and not r.hedges_pass)
# Negations limited by these words do not rule the finding out ("no large effusion").
QUALIFIER = re.compile(
    r"\b(?:large|larger|significant|sizable|sizeable|substantial|new|newly|developing|emerging|displaced|"
    r"other|additional|further|increas\w*|worsen\w*|overt|frank|gross|florid|acute|tension|loculated|subpulmonic|"
    r"moderate|severe|substantial|appreciable|pneumothorax\s+or\s+large)\b"
    # Open-i's mask in "No XXXX infiltrates" hides such a word ("new", "other"): the negation is limited too
    r"|(?-i:\bXXXX\b)",
    re.IGNORECASE,
)
RESOLVED = re.compile(r"resol|clear|no\s+longer|remov", re.IGNORECASE)
# uncertainty that leans to present ("probable", "likely", "concerning for"), unlike "possible" or "cannot exclude"
PROBABLE = re.compile(
    r"\b(?:probabl[ey]|(?:most\s+|more\s+)?likely|suspicious\s+for|concerning\s+for|worrisome\s+for|suggestive\s+of|"
    r"suspected|presumed|presumabl[ey]|(?:is|are)\s+(?:also\s+)?(?:likely|suspected)|"
    # (the film's appearances as what suggests it, a conclusion: "Appearances suggest aspiration into the right lower
    # lobe"; not a bare "suggesting", which hedges)
    r"(?<=appearances\s)suggest|(?<=features\s)suggest)\b",
    re.IGNORECASE,
)
# (and "the other lung clear", "the contralateral lung is clear": clear but for the side the sentence names)
OTHERWISE = re.compile(r"\b(?:otherwise|except|aside\s+from|apart\s+from|other\s+than|elsewhere|remainder|"
                       r"with\s+the\s+exception\s+of|(?:other|opposite|contralateral|remaining)\s+(?:lung|side|"
                       r"hemithorax|(?:costophrenic|cp)\s+(?:angle|sulcus|recess))|"
                       # (and "Rest of both lung fields are clear", as South Asian reports put it; "The other CP angle
                       # is clear": the side the section has not named)
                       r"rest\s+of\s+(?:the\s+|both\s+)?(?:lungs?|lung\s+(?:fields?|zones?|parenchyma)))\b",
                        re.IGNORECASE)

# --- qualifiers -----------------------------------------------------------------------------------

# a capital R or L before a place or a pleural finding is a side in UK/Australian shorthand ("R basal
# consolidation", "L pleural effusion"); a lower-case one only before a lobe ("l lower lobe")
_ONE_LETTER_PLACE = (r"(?=[\s.]+(?:\d{1,2}(?:st|nd|rd|th)\s+)?(?:lower|upper|mid|middle|lung|lobe|base|basilar|basal|"
                     r"apex|apical|hemithorax|pl|cp|pulmonary|"
                     r"hemidiaphragm|pleural|effusion|pneumothorax|hilum|hilar|perihilar|costophrenic|chest|side|"
                     r"sided|mid-zone|midzone|zone|ptx|h(?:a)?emothorax|hydropneumothorax|collapse|consolidation|"
                     r"atelectasis|infiltrates?|opacit(?:y|ies)|nodules?|mass|ribs?|clavicle)\b)")
SIDE = re.compile(
    rf"\b(?:(?P<l>left|lt|l(?=[\s.]+(?:lower|upper|mid|middle)\s+(?:lobe|lung|zone))|(?-i:L){_ONE_LETTER_PLACE})"
    r"|(?P<lz>lll|lul)"
    rf"|(?P<r>right|rt|r(?=[\s.]+(?:lower|upper|mid|middle)\s+(?:lobe|lung|zone))|(?-i:R){_ONE_LETTER_PLACE})"
    r"|(?P<rz>rll|rul|rml)"
    # "free air on the R", "opacity on the L:": a capital letter alone after "on the" is a side; so is one in
    # brackets ("(R) apical pneumothorax", "small (L) pleural fluid") or heading a line's list ("R) lung: clear")
    r"|(?:(?<=on\sthe\s)|(?<=\()(?=[LR]\))|(?<![^\n])(?=[LR]\)[ \t]))(?:(?P<l1>(?-i:L))|(?P<r1>(?-i:R)))(?![\w-])"
    # "effusion and pneumothorax are both absent": "both" of two findings, not of two sides
    r"|(?P<b>bilateral(?:ly)?|bilat|b/l|bibasila?r|bibasal|biapical|both(?!\s+(?:absent|negative|normal|unremarkable|"
    r"excluded|removed|resolved|not)\b)|bilaterally))\b",
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
    r"\b(?:stable|unchanged|chronic|chronically|old|healed|healing|remote|"
    # (not "a 9 mm nodule that is not definitively calcified")
    r"(?<!non-)(?<!non\s)(?<!not\s)(?<!not\sdefinitively\s)(?<!not\sdefinitely\s)(?<!not\sclearly\s)calcified|"
    # (the prior study named as what a finding is compared with says nothing of its age: "widened compared with the
    # previous film", "new since the prior study")
    r"(?<!compared\swith\sthe\s)(?<!compared\sto\sthe\s)(?<!compared\swith\s)(?<!compared\sto\s)(?<!since\sthe\s)"
    r"(?<!since\s)(?<!than\sthe\s)(?:prior|previous)|again|"
    r"redemonstrat\w*|persistent|persistently|persists|longstanding|long-standing|postsurgical|post-surgical|sequela\w*|"
    r"known|similar|no\s+(?:significant\s+)?(?:interval\s+)?change|"
    # the space a lung or a lobe leaves after its resection fills as expected
    r"post[\s-]?(?:pneumonectomy|lobectomy))\b",
    re.IGNORECASE,
)
# a finding back again ("reaccumulated") or absent before ("not seen on the previous film"): a new one
SEEN_ANEW = (r"re-?accumulat\w*|not\s+(?:clearly\s+|definitely\s+)?"
             r"(?:(?:appear|seem)\s+to\s+(?:be\s+|have\s+been\s+)?)?"
             r"(?:seen|present|visible|evident|identified)\s+(?:on|in)\s+(?:the\s+)?(?:(?:most\s+)?recent\s+)?"
             rf"(?:{CONTEXT_MACROS['EARLIER_FILM']}|{CONTEXT_MACROS['DATED_FILM']})")
NEW = re.compile(rf"\b(?:new|newly|acute|increas\w*|worsen\w*|developing|development|interval\s+development|"
                 rf"enlarged\s+since|{SEEN_ANEW})\b|\u2191", re.IGNORECASE)  # (an up arrow typed for "increased")
# places that name their lung, each group named by its side: the lingula is the left's, the middle lobe the right's
# the side a finding on both sides is worse on ("bilateral effusions, left greater than right", "R > L", "more on the
# left", "more extensive on the left", "predominantly right-sided"): the group named is the side it leans to
_R, _L = r"(?:right|rt|(?-i:R))", r"(?:left|lt|(?-i:L))"
_MORE = r"(?:>|greater\s+than|more\s+than|worse\s+than|larger\s+than|bigger\s+than|exceeding)"
LEANING = re.compile(
    rf"\b(?:(?P<left>{_L})\s*{_MORE}\s*(?:the\s+)?{_R}|(?P<right>{_R})\s*{_MORE}\s*(?:the\s+)?{_L})\b"
    r"|\b(?:(?:more|most)(?:\s+(?:extensive|marked|prominent|pronounced|severe|conspicuous|numerous|evident))?"
    r"|worse|greater|larger|bigger|predominantly|predominant|mainly|chiefly)\s+"
    r"(?:so\s+)?(?:(?:on|at|in)\s+the\s+)?(?:(?P<left2>left)|(?P<right2>right))\b(?![\s-]+(?:than|and)\b)"
    r"|\b(?:(?P<left3>left)|(?P<right3>right))[\s-](?:predominant|dominant|predominance|sided\s+predominance)\b"
    r"|\b(?:more|worse|greater)\s+(?:(?P<left4>left)|(?P<right4>right))\s+than\s+(?:the\s+)?(?:right|left)\b",
    re.IGNORECASE)
SIDED_PLACE = re.compile(r"\b(?:(?P<left>lingul(?:a|ar))|(?P<right>middle\s+lobe))\b", re.IGNORECASE)
NON_LUNG_SITE = re.compile(
    r"(?:left|right|lt|rt)(?:\s+|-)(?:(?:\w+|\d+(?:st|nd|rd|th))\s+){0,2}?(?:"
    + "|".join(ANATOMY["non_lung_sites"]) + r")\b",
    re.IGNORECASE,
)
# "left lower lobe opacity seen behind the right hemidiaphragm": the landmark's side is not the finding's
LANDMARK_SITE = re.compile(
    r"(?:left|right|lt|rt)(?:\s+|-)(?:" + "|".join(ANATOMY["landmarks"]) + r")\b", re.IGNORECASE)
PLACED_AT = re.compile(
    r"\b(?:over|overl\w*|project\w*|near|at|along|adjacent\s+to|beneath|below|above|behind|under\w*|level\s+of)"
    r"(?:\s+(?:the|anterior|posterior|lateral|medial|a))*\s*$",
    re.IGNORECASE,
)
# what bounds the clause a finding's own words are read in: a semicolon, brackets, "while"/"whereas", a new "there is"
# ("an old rib fracture, which is unchanged, while there is a 17 mm nodule": the nodule is neither old nor a fracture's;
# "but" is no bound: "enlarged but unchanged" says it of one finding)
CLAUSE_BOUND = re.compile(r";|\(|\)|\b(?:while|whilst|whereas)\b|,\s*(?:and\s+|but\s+)?there\s+(?:is|are)\b",
                          re.IGNORECASE)
CHAIN_NEXT = re.compile(r"^\s*(?:,\s*)?(?:or|and|and/or|/|versus|vs\.?)\s*(?:\w+\s+){0,2}$", re.IGNORECASE)
CHAIN = re.compile(r"^[\s,]*(?:or|and/or|versus|vs\.?|/|or\s+less\s+likely)\s*(?:\w+\s+){0,5}$", re.IGNORECASE)

# Size words as grades, smallest first: what ``Observation.size`` reports ("minimal" is "trace", "mild" is
# "small", "marked" is "large"). "significant" and "extensive" say how much matters or how far it spreads, not
# how large, so they are not sizes.
SIZE_GRADES = ("trace", "small", "moderate", "large")
_SIZE_WORDS = {
    "trace": r"tiny|trace|minimal|minimally|subtle",
    "small": r"small|mild|mildly|slight|slightly|minor",
    "moderate": r"moderate|moderately",
    "large": r"large|severe|severely|massive|marked|markedly|huge|sizable|sizeable|substantial|big",
}
SIZE_WORD = re.compile("|".join(f"(?P<{g}>\\b(?:{w})\\b)" for g, w in _SIZE_WORDS.items()), re.IGNORECASE)
# one size or a range: "small", "small to moderate", "mild-to-moderate", "moderate or large"
SIZE_PHRASE = re.compile(
    r"\b(?P<a>" + "|".join(_SIZE_WORDS.values()) + r")\b(?:\s*-?\s*(?:to|or|-|/)\s*-?\s*(?P<b>"
    + "|".join(_SIZE_WORDS.values()) + r")\b)?(?:[\s-]+sized?\b)?",
    re.IGNORECASE,
)
