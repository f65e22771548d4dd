"""Reading a report through the plumbing that delivered it, character for character.

Reports reach the checker wrapped by integration systems: an HL7 v2 ORU message (the text in OBX-5, with
``\\.br\\`` and ``\\X0D\\\\X0A\\`` breaks, ``~`` repetitions and ``\\T\\ \\F\\ \\S\\ \\E\\ \\R\\`` escapes), a FHIR
DiagnosticReport as JSON (the impression in ``conclusion``, the text in ``presentedForm``) or flattened to key
paths (``DiagnosticReport.conclusion: ...``), a ``KEY=value`` export, an XML export (``<Findings>``,
``<Impression>``), an e-mail forward (headers, ``> `` quoting, signature), a secure-chat paste (``[10:42] Name:``),
PDF-extracted text (page furniture mid-section, words hyphenated across line ends), a fax run through OCR (stray
marks) and an order's coded diagnosis in brackets (``[Dx: J93.9 Pneumothorax, unspecified]``: an indication).

``unwrap_transport(text)`` returns the text as a radiologist reads it, the SAME LENGTH as ``text`` so that every
span still indexes the text as given: what is wrapping is blanked (spaces), a line break stands where the
wrapping broke a line, an escape is its character padded with spaces, and a wrapper that names a section
(``<Impression>``, ``"conclusion": "``, ``FINDINGS=``) is rewritten as that section's header in the same width.
Each transport is read only where the text shows its structure (segments, a JSON or XML document, key paths,
header blocks, page marks); a report with none of it is returned unchanged, after a few substring tests.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable

from medrag_core.reports.vocabulary import SECTION_HEADERS

__all__ = ["unwrap_transport"]

_HEADERS: dict[str, str | None] = SECTION_HEADERS.sections
# the section -> its header names, shortest first (for a wrapper too narrow to hold its own name)
_ALIASES: dict[str, list[str]] = {}
for _name, _section in _HEADERS.items():
    if _section is not None:
        _ALIASES.setdefault(_section, []).append(_name)
for _names in _ALIASES.values():
    _names.sort(key=len)


def _fit(new: str, width: int) -> str:
    """``new`` padded with spaces (or cut) to ``width`` characters."""
    return new[:width].ljust(width)


def _blank(piece: str) -> str:
    """``piece`` blanked, its line breaks kept."""
    return re.sub(r"[^\n]", " ", piece)


def _header(section: str, width: int, own: str = "", newline: bool = True) -> str:
    """A header line for ``section`` in ``width`` characters: a line break, the name and a colon, padded. The
    wrapper's own name is used where it is a header of that section and fits, else the section's name, else its
    shortest alias that fits ("IMP:"); where even that does not fit, the line break is dropped (the caller passes
    ``newline=False`` where the wrapper already opens its line), and where nothing fits the wrapper is blanked."""
    lead = "\n" if newline else ""
    names = [own.upper()] if own and _HEADERS.get(own.lower()) == section else []
    names += [section, *(a.upper() for a in _ALIASES.get(section, ()))]
    for name in names:
        if len(lead) + len(name) + 1 <= width:
            return _fit(f"{lead}{name}:", width)
    return _fit(lead, width) if newline else " " * width


def _words(key: str) -> str:
    """A field name as header words: "clinicalHistory" -> "clinical history", "SIGNED_BY" -> "signed by"."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", key).replace("_", " ").replace("-", " ").lower().strip()


# a wrapper's text that is itself headed ("FINDINGS: ... IMPRESSION: ..."): the wrapper is no section of its own
_HEADED = re.compile(r"(?:^|\n|&#10;|\\n|\\\.br\\)\s*(?i:findings|impressions?|conclusions?)\s*:?\s*(?:$|\n|&#10;|\\n)"
                     r"|(?:^|\n|&#10;|\\n)\s*(?i:findings|impressions?|conclusions?)\s*:")


# --- HL7 v2 ----------------------------------------------------------------------------------------------------

_SEGMENT = re.compile(r"^([A-Z][A-Z0-9]{2})(?=\|)", re.MULTILINE)
_HL7_TEXT_TYPES = {"TX", "FT", "ST", "CE", "CWE", ""}


def _hl7_escape(code: str, after: str) -> str:
    """What an HL7 escape ``\\code\\`` stands for (before padding); ``after`` is the text right after it."""
    if code == ".br" or code.startswith(".sp"):
        return "\n"
    hexa = re.fullmatch(r"X((?:[0-9A-Fa-f]{2})+)", code)
    if hexa:
        raw = bytes.fromhex(hexa.group(1)).decode("latin-1")
        if raw == "\r" and after.startswith("\\X0A\\"):
            return ""  # CR LF as two escapes: one line break
        return re.sub(r"\r\n?|\n", "\n", raw)
    return {"F": "|", "S": "^", "T": "&", "R": "~", "E": "\\"}.get(code, "")  # \H\ \N\ .in .ti .ce: formatting


def _hl7(text: str) -> str:
    if not re.search(r"^(?:MSH|OBX)\|", text, re.MULTILINE) or len(_SEGMENT.findall(text)) < 2:
        return text
    msh = re.search(r"^MSH(.)(.)(.)(.)(.)", text, re.MULTILINE)
    field, rep, esc = (msh.group(1), msh.group(3), msh.group(4)) if msh else ("|", "~", "\\")
    escape = re.compile(re.escape(esc) + r"([^" + re.escape(esc) + r"\n]{1,16})" + re.escape(esc))
    out: list[str] = []
    last_section: str | None = None
    for line in text.split("\n"):
        seg = _SEGMENT.match(line)
        if not seg:
            out.append(line)  # a continuation of the field above
            continue
        fields = line.split(field)
        keep = 5  # the report's text is OBX-5, the observation value
        if seg.group(1) != "OBX" or len(fields) <= keep or fields[2] not in _HL7_TEXT_TYPES:
            # MSH, PID, OBR, ...: the message's envelope; NTE: the interface's note on it, not the report's text
            out.append(" " * len(line))
            continue
        start = sum(len(f) + 1 for f in fields[:keep])
        # a repetition is a line; a coded value's components are words ("R05^Cough^I10"); then the escapes, whose
        # characters ("\\R\\" for a literal "~") are text
        value = fields[keep].replace(rep, "\n")
        if fields[2] in ("CE", "CWE"):
            value = value.replace("^", " ")

        def unescape(m: re.Match[str], value: str = value) -> str:
            return _fit(_hl7_escape(m.group(1), value[m.end():]), len(m.group()))
        value = escape.sub(unescape, value)
        # OBX-3 may name the section its text belongs to ("FINDINGS", "19005-8^Impression", "&IMP"): its header stands
        # in the envelope blanked before the text, once per run of segments of that section
        section = _obx_section(fields[3]) if len(fields) > 3 else None
        lead = " " * start
        if section and section != last_section and not _HEADED.search(value):
            lead = _header(section, start, newline=False)
        last_section = section or last_section
        out.append(lead + value + " " * (len(line) - start - len(value)))
    return "\n".join(out)


# codes for one section of a report in OBX-3: LOINC's and the &IMP of common RIS interfaces (not &GDT or 18782-3,
# which carry the whole report's text, headers and all)
_OBX_CODES = {"19005-8": "IMPRESSION", "&imp": "IMPRESSION", "59776-5": "FINDINGS", "18834-2": "COMPARISON",
              "55752-0": "INDICATION"}


def _obx_section(identifier: str) -> str | None:
    """The section an OBX-3 observation identifier names, by its code or by a header name among its components
    (not a name that is a prose word too, "Report")."""
    for part in identifier.split("^"):
        key = " ".join(part.lower().split())
        section = _OBX_CODES.get(key) or (None if key in SECTION_HEADERS.line_only else _HEADERS.get(key))
        if section:
            return section
    return None


# --- JSON (FHIR DiagnosticReport or any export) ----------------------------------------------------------------

_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_JSON_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))")
_JSON_CHARS = {"n": "\n", "t": "\t", "r": " ", "b": " ", "f": " ", '"': '"', "\\": "\\", "/": "/"}
# keys whose string is the report's text itself (FHIR Attachment.data, Narrative.div)
_JSON_TEXT_KEYS = {"data", "data(decoded)", "div", "value string"}


def _json_value(raw: str) -> str:
    """A JSON string's content (quotes excluded) as read, the same length: escapes decoded and padded; base64
    (FHIR ``Attachment.data``) decoded where it is text (shorter than its code, so it fits)."""
    if re.fullmatch(r"[A-Za-z0-9+/]{16,}={0,2}", raw) and len(raw) % 4 == 0:
        try:
            decoded = base64.b64decode(raw, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        if decoded and all(ch.isprintable() or ch in "\n\r\t" for ch in decoded):
            return _fit(decoded.replace("\r\n", "\n").replace("\r", "\n"), len(raw))

    def one(m: re.Match[str]) -> str:
        char = chr(int(m.group(1), 16)) if m.group(1) else _JSON_CHARS.get(m.group(2), m.group(2))
        return _fit(char, len(m.group()))
    return _JSON_ESCAPE.sub(one, raw)


def _json(text: str) -> str:
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        return text
    try:
        json.loads(text)
    except ValueError:
        if '"resourceType"' not in stripped[:200]:
            return text  # JSON only where it parses, or clearly opens as a FHIR resource
    out = list(_blank(text))
    key: re.Match[str] | None = None
    for m in _JSON_STRING.finditer(text):
        after = text[m.end():m.end() + 40].lstrip()
        if after.startswith(":"):
            key = m
            continue
        if key is None or not re.fullmatch(r"\s*:\s*", text[key.end():m.start()]):
            continue  # an array element or a stray string: structure
        name = _words(key.group()[1:-1])
        value = text[m.start() + 1:m.end() - 1]
        section = None if name in _JSON_TEXT_KEYS else _HEADERS.get(name)
        if section is None and name not in _JSON_TEXT_KEYS:
            continue  # metadata: status, codes, references, titles
        if section and _HEADED.search(value):
            section = None  # {"report": "FINDINGS: ... IMPRESSION: ..."}: a wrapper of headed text, no section itself
        width = m.start() + 1 - key.start()
        lead = _header(section, width, name) if section else _fit("\n", width)
        out[key.start():m.start() + 1] = lead
        out[m.start() + 1:m.end() - 1] = _json_value(value)
        out[m.end() - 1] = "\n"
    return "".join(out)


# --- XML -------------------------------------------------------------------------------------------------------

_XML_TAG = re.compile(r"<(/?)([A-Za-z_][\w:.-]*)([^<>]*?)(/?)>|<\?[^<>]*\?>|<!--.*?-->|<!\[CDATA\[|\]\]>", re.DOTALL)
_ICD10 = r"[A-TV-Z]\d{2}(?:\.[0-9A-Z]{1,4})?"
_CODED = re.compile(rf"\bcode\s*=\s*[\"']{_ICD10}[\"']")
# the root elements of an HTML page (reading.HTML_TAG_NAMES lists every tag mask_markup blanks)
_HTML_ROOT = re.compile(r"(?i)html|body|div|p|span|font|table|pre|center|b|i|u|strong|em|h[1-6]")


def _xml(text: str) -> str:
    stripped = text.strip()
    root = re.match(r"<([A-Za-z_][\w:.-]*)", stripped)
    if not (stripped.startswith("<?xml") or (root and stripped.endswith(f"</{root.group(1)}>")
                                             and not _HTML_ROOT.fullmatch(root.group(1)))):
        return text  # (an HTML document is markup, which mask_markup reads)
    out = list(text)
    for m in _XML_TAG.finditer(text):
        closing, name, attrs, empty = m.group(1), m.group(2), m.group(3), m.group(4)
        width = len(m.group())
        if name is None or closing:
            # an element closed before the next one (a field of the export) ends its line; inline markup is blank
            ends_field = closing and re.match(r"[ \t]*(?:<|\n|$)", text[m.end():])
            out[m.start():m.end()] = _fit("\n", width) if ends_field else " " * width
            continue
        words = _words(name.split(":")[-1])
        section = _HEADERS.get(words)
        if section == "IMPRESSION" and "diagnos" in words and _CODED.search(attrs or ""):
            section = "INDICATION"  # a coded diagnosis (an ICD-10 code) is the order's reason, not a conclusion
        if section is not None and not empty:
            close = text.find(f"</{name}>", m.end())
            content = text[m.end(): close if close >= 0 else len(text)]
            if _HEADED.search(content) or any(_HEADERS.get(_words(child.split(":")[-1])) for child in
                                               re.findall(r"<([A-Za-z_][\w:.-]*)", content)):
                # <ReportText>FINDINGS: ... IMPRESSION: ...</ReportText>, <Report><Findings>...: a wrapper of
                # headed text or of sections, no section itself
                section = None
        # ("<Findings>" is 10 characters, "\nFINDINGS:" too: a tag always holds its own name as a header)
        out[m.start():m.end()] = _header(section, width, words) if section else " " * width
    return "".join(out)


# --- flattened FHIR key paths and KEY=value exports ---------------------------------------------------------------

_FHIR_PATH = re.compile(
    r"^(?:DiagnosticReport|ServiceRequest|Observation|ImagingStudy)(?:\.\w+(?:\[\d+\])?)+[ \t]*:[ \t]?", re.MULTILINE)


def _fhir_flat(text: str) -> str:
    paths = list(_FHIR_PATH.finditer(text))
    if len(paths) < 2:
        return text
    out = list(text)
    for m in paths:
        parts = [re.sub(r"\[\d+\]", "", p) for p in m.group().rstrip(": \t").split(".")]
        eol = text.find("\n", m.end())
        eol = len(text) if eol < 0 else eol
        if parts[-1] == "conclusion":
            out[m.start():m.end()] = _header("IMPRESSION", m.end() - m.start(), newline=False)
        elif parts[-1] in ("reasonCode", "reasonReference") or parts[-2:] == ["reasonCode", "text"]:
            out[m.start():m.end()] = _header("INDICATION", m.end() - m.start(), newline=False)
        elif {"presentedForm", "div"} & set(parts[1:]):
            out[m.start():m.end()] = " " * (m.end() - m.start())
        else:
            out[m.start():eol] = " " * (eol - m.start())  # status, codes, the interpreter: the record's metadata
    return "".join(out)


_KV_FIELD = re.compile(r"(?P<sep>^|; | \| )(?P<key>[A-Z][A-Z0-9_]{1,30})=", re.MULTILINE)
_KV_SIGNER = re.compile(r"(?:\w+ )?(?:by|radiologist|signature|reader)")


def _kv(text: str) -> str:
    fields = [m for m in _KV_FIELD.finditer(text) if m.group("sep") or m.start() == 0 or text[m.start() - 1] == "\n"]
    keys = {_HEADERS.get(_words(m.group("key"))) for m in fields}
    if len(fields) < 3 or not {"FINDINGS", "IMPRESSION"} & keys or not text.startswith(fields[0].group()):
        return text
    out = list(text)
    for m in fields:
        sep, key = m.group("sep"), m.group("key")
        if sep:
            out[m.start("sep"):m.end("sep")] = _fit("\n", len(sep))
        words = _words(key)
        if words in _HEADERS or _KV_SIGNER.fullmatch(words):
            out[m.start("key"):m.end()] = words.upper() + ":"  # "SIGNED_BY=" -> "SIGNED BY:", the same width
    return "".join(out)


# --- e-mail forwards and chat pastes -----------------------------------------------------------------------------

_MAIL_HEADER = re.compile(r"^(?:From|Sent|Date|To|Cc|Subject|Reply-To)[ \t]*:.*$", re.MULTILINE)
_MAIL_MARK = re.compile(r"^[ \t]*(?:-{3,}[ \t]*(?:Forwarded message|Original Message)[ \t]*-{3,}|On\b.{0,120}\bwrote:)"
                        r"[ \t]*$", re.MULTILINE | re.IGNORECASE)
_QUOTE = re.compile(r"^(?:>[ \t]?)+", re.MULTILINE)
_ADDRESS = re.compile(r"<[\w.+-]+@[\w-]+(?:\.[\w-]+)+>")
_SIGNATURE_MARK = re.compile(r"^--[ \t]?$", re.MULTILINE)


def _email(text: str) -> str:
    headers = list(_MAIL_HEADER.finditer(text))
    marks = list(_MAIL_MARK.finditer(text))
    if not marks and len({h.group().split(":")[0].strip().lower() for h in headers}) < 2:
        return text
    out = list(text)
    for m in (*headers, *marks):
        out[m.start():m.end()] = " " * (m.end() - m.start())
    if len(_QUOTE.findall(text)) >= 3:
        for m in _QUOTE.finditer(text):
            out[m.start():m.end()] = " " * (m.end() - m.start())
    for m in _ADDRESS.finditer(text):
        out[m.start():m.end()] = " " * (m.end() - m.start())
    sig = _SIGNATURE_MARK.search(text)
    if sig and not re.search(r"(?im)^[ \t>]*(?:findings|impression|conclusion)\b", text[sig.end():]):
        out[sig.start():] = _blank(text[sig.start():])  # "-- " and what follows: the sender's signature, a notice
    return "".join(out)


_CHAT_LINE = re.compile(r"^\[\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]?[AaPp][Mm])?\][ \t]*[^:\n]{1,60}:", re.MULTILINE)


def _chat(text: str) -> str:
    """Each message's time and sender are blanked; a one-line message naming no section is conversation, not
    the report, and is blanked too."""
    starts = list(_CHAT_LINE.finditer(text))
    if len(starts) < 2:
        return text
    out = list(text)
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        body = text[m.end():end]
        one_line = "\n" not in body.strip()
        if one_line and not re.search(r"(?i)\b(?:findings|impression|conclusion)\b", body):
            out[m.start():end] = _blank(text[m.start():end])
        else:
            out[m.start():m.end()] = " " * (m.end() - m.start())
    return "".join(out)


# --- PDF page furniture, OCR marks, hyphenation, coded diagnoses -----------------------------------------------------

_PAGE = re.compile(r"(?i)\bpage\s+\d+\s+of\s+\d+\b")
# a line a page break leaves: its number, print stamp, notice, repeated letterhead or patient line, "(continued)"
_FURNITURE = re.compile(
    r"(?i)^[ \t]*(?:.*\bpage\s+\d+\s+of\s+\d+\b.*|(?:printed|generated|print\s+date|run\s+date)\b.*"
    r"|.*\(continued\)[ \t]*|.*\bconfidential\b.*"
    r"|(?:patient|name|mrn|dob|accession)\b[^.\n]*:[^.\n]*|.*\|[ \t]*(?:final\s+)?report[ \t]*)$")


def _pdf_pages(text: str) -> str:
    if not _PAGE.search(text):
        return text
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    # the letterhead's first words, repeated at the top of each page
    head = re.split(r"\s{2,}|\|", lines[0].strip())[0] if lines[0].strip() else ""

    def furniture(line: str) -> bool:
        return bool(_FURNITURE.match(line)) or (len(head) >= 12 and line.strip().startswith(head))
    out = list(text)
    i = 0
    while i < len(lines):
        if not _PAGE.search(lines[i]) or not furniture(lines[i]):
            i += 1
            continue
        a = b = i
        while a > 0 and (furniture(lines[a - 1]) or not lines[a - 1].strip()):
            a -= 1
        while b + 1 < len(lines) and (furniture(lines[b + 1]) or not lines[b + 1].strip()):
            b += 1
        while a < i and not lines[a].strip():
            a += 1  # the blank lines around a page break part paragraphs: they stay
        while b > i and not lines[b].strip():
            b -= 1
        # a sentence the page broke goes on after the page's furniture: the furniture's line breaks go too, so the
        # two parts are one wrapped line
        broken = b + 1 < len(lines) and a > 0 and lines[a - 1].strip() and lines[b + 1].strip()
        stop = min(starts[b + 1] if broken else starts[b] + len(lines[b]), len(text))
        out[starts[a]:stop] = _blank(text[starts[a]:stop]) if not broken else " " * (stop - starts[a])
        i = b + 1
    return "".join(out)


_HYPHEN_WRAP = re.compile(r"\b([A-Za-z]{2,})-(\n[ \t]*)([a-z]+)")
_COMPOUND = {"left", "right", "well", "ill", "non", "post", "pre", "self", "mid", "semi", "co", "ex", "anti", "para",
             "peri", "sub", "supra", "intra", "inter", "infra", "x", "low", "high", "air", "fluid", "ground", "end",
             "rib", "long", "short", "small", "large", "upper", "lower", "apical", "basal", "multi", "bi", "de", "re"}


def _dehyphen(text: str) -> str:
    """A word broken across a line end ("cardio-\\nmegaly") is one word; the hyphen stays where its first part is a
    word that forms compounds ("left-\\nsided" -> "left-sided")."""
    def join(m: re.Match[str]) -> str:
        first, second = m.group(1), m.group(3)
        word = first + ("-" if first.lower() in _COMPOUND else "") + second
        return _fit(word, len(m.group()))
    return _HYPHEN_WRAP.sub(join, text)


_FAX = re.compile(r"\A\s*(?i:from)\b[^\n]*\bFAX\b[^\n]*")
# a mark OCR read into the spaces between words (" ' ", " ~ ", " , "; " . " before lower case)
_STRAY = re.compile(r"(?<= )(?:['~`,]|\.(?=[ \t]*\n?[ \t]*[a-z]))(?= |$)", re.MULTILINE)
# OCR's digit for a letter inside a lower-case word ("1eft", "effusi0n", "Smal1"): a word of three or more
# lower-case letters and one such digit. Only the same-width confusions are read back (0/o, 1/l, 5/s); "rn" for "m"
# or "cl" for "d" change a word's length and would need a speller, which this is not. "T1", "5mm", "1st" stay.
_DIGIT_IN_WORD = re.compile(r"(?<![\w.])(?=[A-Za-z015]?[a-z015]*[a-z]{3})[A-Za-z]?[a-z]*[015][a-z]*(?!\w|\.\d)")
_DIGIT_AS_LETTER = str.maketrans("015", "ols")


def _fax(text: str) -> str:
    """A fax run through OCR (its banner opens the text): stray marks blanked, a digit read inside a word read as
    its letter."""
    if not _FAX.match(text):
        return text
    text = _STRAY.sub(" ", text)
    return _DIGIT_IN_WORD.sub(lambda m: m.group().translate(_DIGIT_AS_LETTER) if m.group().count("0") + m.group()
                              .count("1") + m.group().count("5") == 1 else m.group(), text)


# "[Dx: J93.9 Pneumothorax, unspecified]": the order's coded diagnosis, an indication: its brackets are no template
_CODED_DX = re.compile(rf"\[(?=(?i:dx|icd[- ]?(?:10)?(?:-cm)?|diagnosis|reason)\s*:?\s*{_ICD10}\b)[^\[\]\n]{{1,120}}\]")


def _coded_dx(text: str) -> str:
    return _CODED_DX.sub(lambda m: " " + m.group()[1:-1] + " ", text)


# Each reader with its quick test: substrings its transport cannot lack (a plain report passes few of them, and those
# readers then find no structure and return it unchanged). Outer wrappers first (a message, a document), then what
# is inside them; each reader sees what the ones before it read.
_OPENS_DOCUMENT = re.compile(r"\s*[{<]")
_READERS: tuple[tuple[Callable[[str], str], Callable[[str], bool]], ...] = (
    (_hl7, lambda t: "MSH|" in t or "OBX|" in t),
    (_json, lambda t: t[:1] == "{" or bool(_OPENS_DOCUMENT.match(t)) and "{" in t[:64]),
    (_xml, lambda t: t[:1] == "<" or bool(_OPENS_DOCUMENT.match(t)) and "<" in t[:64]),
    (_fhir_flat, lambda t: "DiagnosticReport." in t or "ServiceRequest." in t),
    (_kv, lambda t: "=" in t),
    (_email, lambda t: "From:" in t or "Subject:" in t or "wrote:" in t or "Original Message" in t
     or "Forwarded message" in t),
    (_chat, lambda t: "[" in t),
    (_pdf_pages, lambda t: "Page " in t or "PAGE " in t or "page " in t),
    (_fax, lambda t: "FAX" in t),
    (_dehyphen, lambda t: "-\n" in t),
    (_coded_dx, lambda t: "[" in t),  # after the words a line end broke are joined ("[Dx: R06.02 Shortn-\ness ...]")
)


def unwrap_transport(text: str) -> str:
    """``text`` as read through the transport that delivered it (see the module docstring): the same length, with
    wrapping blanked, line breaks where it broke lines and section headers where it named sections; ``text``
    itself when it carries no transport."""
    for read, may_carry in _READERS:
        if may_carry(text):
            text = read(text)
    return text
