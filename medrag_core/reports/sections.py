"""Where a report's sections are: headers in any common layout, the preamble before them and the sign-off after.

``find_sections`` reads them from a report as read (``reading.read_text``); ``section_for_header`` names the
section a header names.

Section rules (the formats radiologists actually produce):

- A header is a known name (FINDINGS, IMPRESSION, CONCLUSION, COMPARISON, INDICATION, HISTORY,
  CLINICAL HISTORY, REASON FOR EXAM, TECHNIQUE, EXAMINATION, NOTIFICATION, RECOMMENDATION, ...) at the
  start of a line followed by ``:`` or a dash in any case (``Findings -``), or written in capitals
  with no punctuation (``FINDINGS The heart...``), or alone on its line. After a sentence end, a
  capitalised name with a colon also starts a section ("... normal. IMPRESSION: ..."). A number
  before it is allowed ("1. FINDINGS:").
- HISTORY and CLINICAL ... fold into INDICATION; CONCLUSION/SUMMARY, NOTIFICATION and
  RECOMMENDATION fold into IMPRESSION; EXAMINATION into TECHNIQUE. "FINAL REPORT" and text before
  the first header are kept as ``preamble``, not a section.
- A text with no header at all is treated as the IMPRESSION when it is short (at most three
  sentences or 400 characters: a pasted conclusion such as "No acute cardiopulmonary process.")
  and as FINDINGS otherwise; ``headerless`` is then True, so the checks can say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from medrag_core.reports.sentences import split_sentences
from medrag_core.reports.vocabulary import SECTION_HEADERS, TARGET_RE

__all__ = ["EXAM_TITLE", "IMAGING_WORDS", "SECTION_NAMES", "Layout", "find_sections", "section_for_header"]

SECTION_NAMES = ("INDICATION", "COMPARISON", "TECHNIQUE", "FINDINGS", "IMPRESSION")

# Header names are data (sections.toml): name -> section (None: preamble, no section).
_HEADER_MAP: dict[str, str | None] = SECTION_HEADERS.sections
# Names that make a header on their own at a line start only when written as one ("Report There is ...");
# as prose ("Report of ...", "Comment: ...") they are too common to take from a sentence end.
_LINE_ONLY = SECTION_HEADERS.line_only
# (a name's words stand on one line: "None. Clinical\nIMPRESSION:" is a word and a header, not "clinical impression";
# a real tab in the class, not "\t", which upper() below would make "\T")
_NAMES = "|".join(sorted((re.escape(k).replace(r"\ ", "[ \t]+") for k in _HEADER_MAP), key=len, reverse=True))
# (a joined name may carry one qualifying word: "IMPRESSION / RESPONSE ASSESSMENT", "Findings and clinical discussion")
_JOINED = (rf"(?:[a-z]+[ \t]+)?(?:{_NAMES}|plan|recommendations?|advice|discussion|views|comments?|history|changes?|"
           r"category|classification|score|grade)")
# who asked for the study
_REQUESTER = (r"ED|A&E|GP|ward|referr\w*|request\w*|clinicians?|physicians?|doctors?|"
              r"(?:clinical|medical|surgical)[ \t]+team|team|surgeons?|nurse|form|card")
# Markdown marks around a header ("## Findings", "**IMPRESSION:**", "__Comparison__:") are part of the header.
_HEADER_RE = re.compile(
    # (or the name in square brackets, as Korean and Japanese reporting systems head a section: "[Findings]")
    rf"(?P<lead>^|(?<=[.!?])[ \t]+)[ \t]*(?P<md>#{{1,6}}[ \t]+|\*\*|__)?(?:\d{{1,2}}[.)][ \t]*)?(?P<br>\[[ \t]*)?"
    rf"(?P<h>{_NAMES})"
    # two names joined ("Impression/Plan", "Findings/Discussion", "Conclusion and recommendation"): the first names it
    rf"(?:[ \t]*(?:/|&|\band\b)[ \t]*(?:{_JOINED})(?![\w/]))?"
    # a short note in brackets between the name and its colon ("IMPRESSION (summary):", "Addendum (date):")
    rf"(?:[ \t]*\([^()\n]{{1,40}}\)(?=[ \t]*(?::|-|–|—)))?"
    # who gave it, before the colon ("History per the ED physician:", "Clinical details from the request card:")
    rf"(?:[ \t]+(?:per|from|by|according[ \t]+to)[ \t]+(?:the[ \t]+)?(?:{_REQUESTER})(?:[ \t]+[\w-]+)?(?=[ \t]*:))?"
    # ("Impr. ⇒", "IMPRESSION →": an arrow typed for the colon; a full stop after a short form, "Impr.")
    # (a bracketed name closes its bracket: "[Findings]")
    rf"(?:(?:\*\*|__)(?!\w)|(?![\w/]))(?:(?<=impr)\.)?(?(br)[ \t]*\])"
    rf"[ \t]*(?P<p>:-|:|--?|–|—|⇒|→)?(?(md)(?:\*\*|__)?)",
    re.IGNORECASE | re.MULTILINE,
)
# A header run into the text with a colon ("... breath findings: the lungs are clear. impression: ..."): speech
# recognition output flattened to one paragraph. Read only where no FINDINGS/IMPRESSION header was found otherwise.
_RUN_ON_HEADER_RE = re.compile(
    rf"(?<![\w/-])(?:(?P<h>{_NAMES})[ \t]*(?P<p>:-|:)|(?-i:(?P<caps>{_NAMES.upper()}))(?=[ \t]+[a-z])"
    # ... or with no colon, typed in a hurry ("Comparison-none Findings-The heart ...", "Comparison None Findings The
    # lungs ...", "indication syncope. findings normal heart size"): taken only in the sections' usual order
    rf"|(?P<bare>{_NAMES})(?:(?P<dash>-|–)(?=[A-Za-z0-9])|(?=[ \t]+(?P<next>[A-Za-z0-9]))))",
    re.IGNORECASE,
)
# words that make a section's name prose ("no acute findings", "the impression of ...")
_NAME_AS_PROSE = re.compile(r"\b(?:no|acute|other|these|those|the|of|any|new|key|additional|cardiopulmonary|"
                            r"significant|similar|imaging|radiographic|my|an|overall|clinical|first|general)[ \t]*$",
                            re.IGNORECASE)
# a word or two and a colon after a generic name: the name begins a label of its own
_OWN_LABEL = re.compile(r"[ \t]*[A-Za-z]+(?:[ \t]+[A-Za-z]+)?[ \t]*:")
_SECTION_ORDER = {"INDICATION": 0, "COMPARISON": 1, "TECHNIQUE": 1, "FINDINGS": 2, "IMPRESSION": 3}

# An examination's name as a title ("Chest PA", "Chest AP (portable)", "CXR 2 views", "XR chest"): no choice left open
# ("PA/AP")
EXAM_TITLE = re.compile(r"(?:chest|cxr|xr|x-?ray|dx|cr)\b[\w ()&,+.-]{0,40}", re.IGNORECASE)

# Administrative lines before the first header that are not a report body (MIMIC's "FINAL REPORT" block,
# accession lines, dates, the examination name).
_PREAMBLE_ONLY = re.compile(
    r"^(?:(?:final\s+report|wet\s+read|addendum|examination|exam|procedure|accession|date|mrn|name|"
    r"chest\s+(?:x-?ray|radiograph|pa|ap)|pa\s+and\s+lateral|cxr|radiograph|"
    r"(?:xr|x-?ray|dx|cr|skiagram|radiographs?\s+of\s+the)\s+chest|"
    r"chest\s*[:,]\s*(?:pa|ap|frontal|portable|single|one|two|1|2)\b)\b[^\n]*(?:\n+|$))+$",
    re.IGNORECASE,
)
# the paragraphs a letter or an e-mail opens with: a greeting, the request thanked for or repeated, "I have reviewed
# the film" (each a paragraph of its own, up to a blank line)
_LETTER_OPENING = re.compile(
    r"(?:[ \t]*(?:dear\b|to\s+(?:the|my|dr)\b|hi\b|hello\b|subject\s*:|re\s*:|thank|many\s+thanks|thanks\b|"
    r"i\s+have\s+(?:had\s+a\s+look|reviewed|looked)|i[’']ve\s+(?:had\s+a\s+look|reviewed|looked)|had\s+a\s+look)"
    r"[^\n]*(?:\n(?![ \t]*\n)[^\n]*)*(?:\n[ \t]*\n|$))+",
    re.IGNORECASE)


def _preamble_only(preamble: str) -> bool:
    """True when the text before the first header is administrative lines only (``_PREAMBLE_ONLY``): not where a
    line goes on past its title to describe the image ("PA AND LATERAL CHEST: The cardiomediastinal silhouette
    ...", "Chest radiograph, PA and lateral. The heart is ...": an old-style report with only a final header)."""
    if not _PREAMBLE_ONLY.match(preamble):
        return False
    for line in preamble.splitlines():
        title_end = re.search(r"[:.]\s+(?=\S)", line)
        if title_end and _describes_image(line[title_end.end():], min_chars=40, min_anatomy=1):
            return False
    return True


def _describes_image(text: str, *, min_chars: int, min_anatomy: int) -> bool:
    """Whether the text after an examination title goes on to describe the image: long enough and naming anatomy."""
    return len(text) >= min_chars and len(_ANATOMY.findall(text)) >= min_anatomy


_TITLE_LABEL = re.compile(r"\s*([^:.\n]{3,60})[:.]\s+(?=\S)")


def _titled_findings(body: str) -> bool:
    """Whether a text with no headers opens with an examination title ("PA AND LATERAL CHEST:", "Chest radiograph,
    PA and lateral projections.") and then describes the image at some length: a findings body."""
    title = _TITLE_LABEL.match(body)
    if not title or not _PREAMBLE_ONLY.match(title.group(1).strip() + "\n"):
        return False
    return _describes_image(body[title.end():], min_chars=80, min_anatomy=2)


# An examination title in capitals ("PA/LATERAL CHEST", "PORTABLE AP SUPINE"): short, no sentence end, no finding.
_TITLE_LINE = re.compile(r"^[^a-z.!?;]{1,60}$")


# Anatomy a findings body describes; a text before the first header naming none of it (and no finding) is the
# examination's name and technique ("Semi-erect AP portable radiograph.", "Two views of the chest were obtained.")
_ANATOMY = re.compile(
    r"\b(?:lungs?|heart|cardiac|cardio\w*|pleura\w*|mediastin\w*|hil(?:um|ar|a)|diaphragm\w*|costophrenic|"
    r"silhouette|lobes?|zones?|bases?|apex|apices|bony|bones?|osseous|ribs?|spine|aort\w+|trachea|soft\s+tissues?)\b",
    re.IGNORECASE)


def _title_lines(preamble: str) -> bool:
    """True when the text before the first header is an examination title and technique, not a report body:
    each line a capitalised title ("PA/LATERAL CHEST": short, no sentence end), or the whole naming no
    finding and no anatomy."""
    if not TARGET_RE.search(preamble) and not _ANATOMY.search(preamble):
        return True
    return all(_TITLE_LINE.match(line.strip()) and len(line.split()) <= 8 and not TARGET_RE.search(line)
               for line in preamble.splitlines() if line.strip())


_UNDERLINE = re.compile(r"\n[ \t]*(?:-{3,}|={3,}|_{3,}|~{3,})[ \t]*(?=\n|$)")
# who reads and signs a chest film, by role and by the letters after a name
# (a trainee's grade too: "ST2 Radiology Registrar"; a radiographer's several words: "Consultant Reporting
# Radiographer", "Advanced Practitioner (Reporting Radiographer)")
# (and how the post is held: "Visiting Consultant Radiologist", "Locum Consultant Radiologist")
_READER_ROLE = (r"(?:(?:(?:consultant|attending|staff|thoracic|cardio-?thoracic|cardiac|chest|paediatric|"
                r"pediatric|visiting|locum|honorary|sessional)[ \t]+)*radiologist|"
                r"(?:(?:st\d|str|spr|radiology|specialist|specialty|senior)[ \t]+){0,2}(?:registrar|resident|fellow)|"
                # (a UK trainee's grade alone: "Dr J. Kaur, StR Radiology (on call)", "Dr T. Hussain, ST4")
                # (or after it: "Dr ___, Radiology SpR, on behalf of Dr ___ (Consultant)")
                r"(?:radiology[ \t]+)?(?-i:StR|SpR|STR|SPR|ST[1-8])(?:[ \t]+radiology)?|"
                r"(?:(?:reporting|advanced[ \t]+practitioner|consultant|senior|specialist)[ \t]+){1,2}radiographer|"
                r"advanced[ \t]+practitioner|(?:senior[ \t]+)?house[ \t]+officer|(?-i:SHO)|medical[ \t]+officer|"
                # (the Irish faculty's letters spaced too, after the degree: "Dr. J. Stewart MB FFR RCSI")
                r"FRCR|FRANZCR|(?:MB[ \t]+)?FFR[ \t]*RCSI|FRCPC|FCRad|DMRD|ABR|"
                # (an Indonesian radiologist's specialist title and degree: "Sp.Rad", "Sp.Rad(K)", "M.Ked.Klin")
                r"Sp\.?[ \t]?Rad(?:[ \t]*\(K\))?|M\.?[ \t]?Ked(?:\.?[ \t]?Klin)?|"
                # (and a physician's letters, as the Philippines, Malaysia and the US sign: "MD, DPBR", "MBBS, MMed")
                r"M\.?D\.?|(?-i:DO)|MBBS|MBChB|DPBR|FPCR|MMed|DNB|FCR|"
                # (and a military reader's corps and service: "MAJ D. Ortiz, MC, USA", "Capt R. Soto, USAF, MC")
                r"(?-i:MC|USAF|USN|USA)|"
                # (and in the languages of northern Europe: "radioloog", "Oberarzt", "overlege", "överläkare")
                r"radiolog(?:e|en|in)?|radioloog|oberarzt|oberärztin|chefarzt|facharzt|fachärztin|overlege|överläkare|"
                r"overlæge)")
# the small words inside a name ("bin", "binti", "a/l", "a/p" in Malaysia; "van", "de", "da" elsewhere)
_NAME_PARTICLE = r"(?:bin|binti|bte|bt|a/l|a/p|van|von|de|da|del|dos|der|la|le)"
# the mark of a glottal stop opening a Polynesian name ("'Ana", "ʻAkanesi")
_OKINA = "['’\u02bb]"
# a reader's registration with a medical or professional council, after the name ("GMC 5251656", "IMC No. 40123")
_REGISTRATION = r"(?:,?[ \t]+(?-i:GMC|IMC|HCPC|MCRN|NMC|AHPRA|MDCN)(?:[ \t]+(?:no\.?|number|reg\.?))?[ \t:#]*\d{4,8})"
# a military reader's rank before the name ("MAJ", "Lt Col", "LCDR", "Capt")
_MILITARY_RANK = r"(?-i:(?:MAJ|Maj|CPT|Capt|CAPT|LTC|Lt[ \t]+Col|COL|Col|LCDR|CDR|LT|Lt|LTJG)\.?)"
# A sign-off line: who signed, dictated or verified the report, and when, or the reader's attestation. It ends
# the report, so it and the lines after it are a footer, not the last section's text.
_SIGNATURE = re.compile(
    r"^[ \t]*[*_]*(?:(?:note|n\.b\.|disclaimer)\s*:\s*)?"
    r"(?:this\s+(?:report|study|examination|exam)\s+(?:was|has\s+been|is)\s+|(?:report|study)\s+)?"
    r"(?:(?:electronically\s+)?(?:signed|dictated|reported|verified|transcribed|typed|approved|finali[sz]ed|reviewed|"
    r"read|interpreted|authori[sz]ed|issued|revised|amended)(?:\s+(?:and\s+)?(?:signed|verified|electronically|finali[sz]ed|approved))*"
    r"\s*(?:by\b|on\b|:)|"
    # a drafting tool's note ("Drafted with AI assistance; reviewed by Dr ...")
    r"(?:drafted|generated|prepared|written)\s+(?:with|using|by)\s+(?:the\s+)?(?:help\s+of\s+|aid\s+of\s+)?"
    r"(?:an?\s+)?(?:ai|artificial\s+intelligence|large\s+language\s+model|llm)\b|"
    r"electronically\s+signed\b|signature\s*:|(?:attending|consultant|reporting)\s+radiologist\s*:|"
    # (an occupational B reader's too: "B Reader: ___, MD", "NIOSH-certified B Reader: Dr ___")
    r"(?:radiologist|(?:(?:niosh[- ]certified[ \t]+)?b[ -]?)?reader|radiographer|reporter)\s*:|"
    r"report\s+by\s*:|(?:(?:primary|secondary)\s+)?(?:reading|reporting|reviewing|referring|requesting|dictating|"
    r"interpreting|signing|panel)\s+(?:physician|radiologist|doctor|staff|clinician|consultant|practitioner|radiographer)"
    r"\s*:|(?:radiologist|reader)\s+(?:code|id|number)\b|"
    # a name and the reader's role, the line's whole ("Dr E. McCarthy, Radiology Registrar", "C. Hughes, Advanced
    # Practitioner Radiographer", "Dr P. Fitzgerald FFRRCSI")
    # (a middle initial too: "JOSE R. MENDOZA, MD, DPBR"; never a line that says whom the report was discussed with)
    rf"(?!(?:discussed|discuss|called|d/w|reviewed|communicated|telephoned|phoned|informed|paged|notified|results|"
    rf"findings|please|suggest\w*|recommend\w*|refer\w*|correlat\w*|advise\w*)\b)"
    # (five words too, as Filipino names run: "JOSE MARI C. DELA CRUZ, MD, DPBR", "Ma. Theresa G. Villanueva, MD")
    # (an initial without its stop, and a masked name: "H Tan, MD", "Dr G Morrison ST4 Radiology", "___, MD")
    rf"(?:dr\.?[ \t]+|{_MILITARY_RANK}[ \t]+)?(?:___|(?:[a-z]\.[ \t]*|(?-i:[A-Z])[ \t]+){{0,3}}[a-z][\w'’-]+\.?"
    rf"(?:[ \t]+(?:[a-z]\.|[a-z][\w'’-]+)){{0,4}})"
    # (a bare "consultant" or "specialist" only after a comma: "Mikko Virtanen, consultant", not "review by consultant")
    # (and the date after it on the line: "Michael P. Donnelly, MD  03 Jul 2026"; a second reader after a slash: "Dr D.
    # Patel, ST4 Radiology / verified by Dr D. Okafor, Consultant Radiologist")
    # (or a department after a dash: "M. Rowntree, MD - Pediatric Radiology")
    rf"(?:,?[ \t]+{_READER_ROLE}|,[ \t]+(?:senior[ \t]+)?(?:consultant|specialist))(?=[ \t]*(?:[.,;(/\-\u2013\u2014]|$|"
    rf"\d{{1,2}}\b))|"
    # a name alone on its line over the role on the next ("Lorna Sinclair\nAdvanced Practitioner Reporting
    # Radiographer, HCPC RA57480"): the name capitalised, the role line the whole line
    # (a title before it, and a name's own small words: "Dr. Kavitha a/p Subramaniam", "Dr. Nor Azlina binti Osman")
    # (an initial without its stop too: "Dr D Fraser MRCP FRCR\nConsultant Radiologist")
    # (a name that opens with a glottal stop's mark, as Tongan and Samoan names do: "Dr 'Ana Fifita"; a role line that
    # names the department after it: "Medical Officer Radiology")
    rf"(?-i:(?:Dr\.?[ \t]+)?(?:[A-Z][ \t]+)?{_OKINA}?[A-Z][\w'’-]+"
    rf"(?:[ \t]+(?:[A-Z]\.|{_OKINA}?[A-Z][\w'’-]+|{_NAME_PARTICLE})){{1,5}})[ \t]*\n"
    rf"[ \t]*{_READER_ROLE}(?:[ \t]+(?:radiology|radiodiagnosis|medical[ \t]+imaging))?(?:,[^\n]{{0,40}})?[ \t]*$|"
    # the reader's name alone, or the role alone, on the line ("Dr. Priya Menon", "Dr. ___", "Radiologist")
    # (an initial without its stop too: "Dr S Rowntree")
    rf"dr\.?(?:[ \t]+med\.)?[ \t]+(?:___|(?-i:(?:[A-Z](?:\.[ \t]*|[ \t]+)){{0,3}}{_OKINA}?[A-Z][\w'’-]+)"
    # (and the reader's registration number after it: "Dr M. Fernandes GMC 5251656")
    rf"(?:[ \t]+(?-i:{_OKINA}?[A-Z][\w'’-]+|[A-Z]\.)){{0,3}}){_REGISTRATION}?[ \t]*$|"
    r"(?:(?:consultant|attending|staff)[ \t]+)?radiologist[ \t]*$|"
    # (the VA's electronic signature mark: "/ES/ JOHN SMITH, MD")
    # (and the military CHCS screen's status code: "Result Code: NORMAL"; the PACS workstation it was read on)
    r"/es/|primary\s+diagnostic\s+code\s*:|report\s+indicator\s*:|result\s+code\s*:|"
    r"(?:reading\s+)?workstation\s*:|[-*=~ \t]*end\s+of\s+report\b|"
    r"this\s+(?:study|examination|exam|report)\s+was\s+(?:interpreted|read|reported)\s+remotely\b|"
    # how and where the report was made, not what the image shows ("Reported via teleradiology.", "Images reviewed on
    # a diagnostic workstation.", "This report is intended for the referring clinician.", "Preliminary overnight
    # report - the final report will be issued by the local department.")
    r"(?:reported|read|interpreted|issued)\s+(?:via|through|remotely|off-?site)\b|"
    # (the read's kind on a line before the signature: "Teleradiology read. Signed ___, MD, 04/16/2024")
    r"tele-?radiology\s+(?:read|report|interpretation)\b|"
    r"images?\s+(?:were\s+|was\s+)?(?:reviewed|viewed|read|interpreted)\s+(?:on|at|using|remotely)\b|"
    r"this\s+report\s+is\s+(?:intended|meant)\s+for\b|"
    r"preliminary\s+(?:[a-z]+\s+){0,2}report\b(?=[^\n]*\bfinal\s+report\s+will\b)|"
    # (a trainee's overnight report named as such before the name: "Provisional report: Dr L. Murphy, Registrar.", "Hot
    # report, Dr C. Hughes (ST2) at 04:52.")
    r"(?:provisional|preliminary|prelim|hot|on[ \t-]call)\s+report\s*[:,-]?\s*(?:by\s+)?dr\b|"
    # (and the consultant's agreement after it: "Agree with provisional report - Dr N. Whitfield")
    r"agree(?:d)?\s+with\s+(?:the\s+)?(?:provisional|preliminary|hot)\s+report\b|"
    # (and the courtesy line before the name: "Thank you for the referral.", "Thanks for referral.")
    r"(?:thank\s+you|thanks)\s+for\s+(?:(?:(?:the|this|your)\s+)?(?:kind\s+)?(?:referral|request|consultation)|"
    r"referring)\b|"
    # (or the courtesy alone on its line, as West African and Indian reports close: "Thanks.", "Thank you.")
    r"(?:(?:many|with)\s+)?thanks[ \t.!,]*$|thank\s+you(?:\s+(?:very\s+much|kindly))?[ \t.!,]*$|"
    r"(?:yours\s+)?sincerely\b|(?:with\s+)?(?:kind|best|warm)\s+regards\b|regards[ \t,.]*$|best\s+wishes\b|cheers\b|"
    r"happy\s+to\s+discuss\b|dr\.?[ \t]+\S+(?:[ \t]+\S+)?[ \t]*\((?:radiology|radiologist|consultant[^)\n]*)\)|"
    # (or the department after a comma, of one reader or two: "Dr Murray / Dr Walsh, Radiology")
    r"dr\.?[ \t]+[^\n,.;]{1,60}?,[ \t]*(?:radiology|radiodiagnosis|medical[ \t]+imaging)(?:[ \t]+department)?[ \t.]*$|"
    # (a role in brackets after a longer name: "Dr P. Ssempijja (Senior House Officer, Radiology)")
    # (or the letters after the name in brackets, and when it was verified: "Dr ___ (FRANZCR), verified ___")
    rf"dr\.?[ \t]+(?:\S+[ \t]+){{0,3}}\S+[ \t]*\([^()\n]{{0,40}}\b(?:radiolog\w*|consultant|registrar|resident|fellow|"
    # (a bracket of its own inside: "Dr H. Adams (MBChB, FC Rad Diag (SA))", "Dr. T. Mehmood (MBBS, FCPS (Diagnostic
    # Radiology))")
    rf"officer|radiographer|{_READER_ROLE})(?![\w-])[^()\n]{{0,30}}(?:\([^()\n]{{0,30}}\)[^()\n]{{0,12}})?\)"
    # (and a second reader after a slash: "Dr A (ST2 Radiology) / Dr B (Consultant Radiologist)")
    # (or the role after a dash: "Dr. Ali Hussein Al-Obaidi (MBChB, CABMS (Rad.)) - Consultant Radiologist")
    # (the second reader's verb first: "Dr H. Davies (StR Radiology) / verified Dr P. Venkatesan, Consultant")
    r"(?:[ \t]*,?[ \t]*(?:verified|signed|reported|authori[sz]ed|dictated)\b[^\n]{0,30}|"
    r"[ \t]*/[ \t]*(?:(?:verified|signed|authori[sz]ed|reported)(?:[ \t]+by)?[ \t]+)?dr\b[^\n]{0,60}"
    r"|[ \t]*[-\u2013\u2014][ \t]*(?:(?:consultant|specialist|senior)[ \t]+)?(?:radiologist|registrar|resident))?"
    r"[ \t]*$|"
    # a signature set off by dashes, as in e-mail ("-- ___ / RAD", "-- Dr. Lee, radiologist")
    r"--[ \t]+(?:___|dr\b|dictated\b|[^\n]{0,40}\b(?:rad|radiologist|md|m\.d\.|frcr|do)\b)|"
    # (a label before it too: "Attending addendum: I have reviewed the study and concur with the above.")
    r"(?:(?:attending|staff|consultant|radiologist)\s+(?:addendum|attestation|note)\s*:\s*)?"
    r"I\s+have\s+(?:personally\s+)?(?:reviewed|seen)\s+the\s+(?:images|study|examination)\b|"
    # an attestation, a second reader's or an attending's agreement ("Agree with above.", "Reader 2: concordant.")
    r"(?:(?:attending|physician|radiologist|staff)\s+)?attestation\s*:|"
    # who drafted and who signed ("Preliminary report by K. Tran, MD.", "Final report electronically signed by ...")
    r"(?:preliminary|prelim|final)\s+(?:report|read|interpretation)\s+(?:(?:electronically\s+)?signed\s+|"
    r"dictated\s+|issued\s+)?by\b|(?:preliminary|prelim)\s+(?:read|reader|report)\s*:|"
    # (the report's status, then who signed it: "Final report. D. Kim, MD, 08/28/2026 14:19")
    rf"(?:final|preliminary|prelim)\s+report[ \t]*[.:][ \t]+[^\n]{{0,60}}?,?[ \t]+{_READER_ROLE}(?![\w-])|"
    r"(?:resident|attending|fellow|trainee|registrar)\s*:|rep\s*:|"
    # (a medical officer's read, as Malaysian clinics sign it: "MO: Dr. S. Ramli", "Seen by Dr. P. Devi (MO, ...)")
    r"(?-i:MO)\s*:|(?:seen|read)\s+by\s+dr\b|"
    # a typist's initials alone on the last lines ("/jd")
    r"/[a-z]{2,4}[ \t]*$|"
    r"(?:i\s+)?agree(?:s|d)?\s+with\s+(?:the\s+)?(?:above|findings|report|reader|resident|preliminary|trainee)\b|"
    r"(?:second\s+)?reader\s*\d*\s*(?:\([^)\n]{0,40}\))?\s*:\s*(?:agree|concordant|concur|no\s+discrepancy)|"
    r"dr\.?\s+\S+(?:\s+\S+)?,?\s+(?:consultant\s+radiologist|radiologist|M\.?D\.?|FRCR|FRANZCR)\b|"
    # (the role after a dash, the name of several words: "Dr. Fatma Al Rawahi - Specialist Radiologist")
    r"dr\.?[ \t]+(?:\S+[ \t]+){0,3}?\S+[ \t]+[-\u2013\u2014][ \t]+(?:(?:consultant|specialist|senior)[ \t]+){0,2}"
    r"(?:radiologist|registrar|resident)[ \t]*$)",
    re.IGNORECASE | re.MULTILINE,
)
# A dictation disclaimer ("This report was generated with speech recognition software ...") ends the report
# wherever it stands, on its own line or run into the last sentence's.
_DISCLAIMER = re.compile(
    r"(?:^|(?<=[.!?;])[ \t]*|(?<=\s))(?=\S)(?:this\s+(?:report|document|study)\s+(?:was|has\s+been|is)\s+"
    r"(?:generated|dictated|transcribed|created|produced|prepared)\s+(?:with|using|by|via)\s+(?:the\s+(?:aid|help|use)"
    r"\s+of\s+)?(?:\w+\s+)?(?:speech|voice)[- ]recognition|(?:speech|voice)[- ]recognition\s+(?:software|technology|"
    r"system)\s+(?:was|has\s+been|is)\s+used|"
    # a phone's or a mobile reporting app's line ("Sent from my iPhone", "please excuse dictation errors")
    r"sent\s+from\s+(?:my\s+)?(?:mobile|iphone|ipad|android|phone|tablet)\b|"
    r"please\s+excuse\s+(?:any\s+)?(?:dictation|typographical|typing|voice[- ]recognition|transcription|spelling)\s+"
    r"(?:errors?|mistakes?))",
    re.IGNORECASE | re.MULTILINE,
)
# the study a clinician's read names before the read itself ("CXR (AP supine, 06:00) -", "Chest X-ray today:")
_STUDY_NAME = re.compile(r"[ \t]*(?:CXR|chest[ \t]+x-?ray|chest[ \t]+radiograph|chest[ \t]+film)\b", re.IGNORECASE)
_STUDY_NOTE = re.compile(r"(?:[ \t]*\([^()\n]{0,60}\))?(?:,?[ \t]*[\w ,]{0,30}?)?[ \t]*(?::|[-–—](?=[ \t]|$))",
                         re.MULTILINE)


_OWN_READ = re.compile(r"\b(?:read|reading|interpretation|today|this\s+morning)\b", re.IGNORECASE)


def _study_read_end(text: str, at: int, *, named: bool) -> int | None:
    """Where a clinician's read starts after a ``study_label`` header ending at ``at``: past the study's name and a
    note on it; None where no colon or dash sets the header off. ``named``: the header's own colon or dash came
    already, so the study's name and note are optional."""
    if named:
        study = _STUDY_NAME.match(text, at)
        if study is None:
            return at
        note = _STUDY_NOTE.match(text, study.end())
        return note.end() if note else study.end()
    note = _STUDY_NOTE.match(text, at)
    return note.end() if note else None


def _typed_in_lower_case(text: str) -> bool:
    """A report typed all in lower case (Open-i's "XXXX" masks aside)."""
    return not re.search(r"[A-Z]", re.sub(r"X{2,}", "", text))


def _find_headers(text: str) -> list[tuple[int, int, str | None]]:
    """(start, end, section) for each accepted header."""
    found: list[tuple[int, int, str | None]] = []
    keys: list[str] = []  # each header's name
    lower_case = _typed_in_lower_case(text)
    for m in _HEADER_RE.finditer(text):
        word = m.group("h")
        punct = m.group("p")
        key = re.sub(r"\s+", " ", word.lower())
        line_start = m.group("lead") == ""
        if key in SECTION_HEADERS.capitals_only and not word.isupper():
            continue  # "Additional findings: ..." labels a row of the section it stands in
        eol = text.find("\n", m.end())
        rest_of_line = text[m.end(): eol if eol >= 0 else len(text)]
        if key in SECTION_HEADERS.study_label:
            # a clinician's read: "Imaging: CXR (portable) - ...", "CXR (my read), portable AP:", "CXR today - ..."
            read = _study_read_end(text, m.end() if punct else m.end("h"), named=bool(punct))
            if key == "cxr" and read is not None and not _OWN_READ.search(text, m.end("h"), read):
                read = None  # "CXR - cough and fever", "CXR PA - Chest clinic": the study's title, no read
            if key == "imaging" and not punct:
                read = None  # "Imaging Department MRN: ...": a letterhead
            if line_start and read is not None:
                found.append((m.start(), read, _HEADER_MAP[key]))
                keys.append(key)
            continue
        if line_start:
            ok = bool(punct) or word.isupper() or not rest_of_line.strip()
            if m.group("md") and m.group("md").startswith("#"):
                ok = True  # a Markdown heading ("## Findings") is a header by its mark
            if m.group("br"):
                # "[Findings] CTR 42%.", "[Conclusion]" on its line: the two main sections headed by their brackets,
                # but not a template's field ("[reason for exam]", "IMPRESSION:\n[Impression]" under the header
                # it fills, or as the last item of its list: "IMPRESSION:\n1. Lungs clear.\n2. [Impression]")
                ok = (word[:1].isupper() and _HEADER_MAP[key] in ("FINDINGS", "IMPRESSION")
                      and _HEADER_MAP[key] not in {section for _, _, section in found})
            if (ok and not punct and not m.group("md") and rest_of_line.strip() and found
                    and text[found[-1][1]: m.start()].strip() == ""
                    and _HEADER_MAP[key] in {section for _, _, section in found}):
                # "IMPRESSION:\nFINDINGS CONCERNING FOR ...", "## History\nHISTORY OF SMOKING": a bare name
                # right under a header, naming a section already headed, is that header's text
                ok = False
            if not punct and word.isupper() and rest_of_line[:1].islower():
                ok = False  # "FINDINGS suggest ..." inside all-caps prose is not a header
            if key in SECTION_HEADERS.lead_in and not punct:
                # "In summary, ..." opens a letter's conclusion; "Overall heart size ..." is prose
                ok = text[m.end("h"): m.end("h") + 1] == ","
            if not ok and word[:1].isupper() and not word.isupper():
                # title case with no colon, the text on the same line: "Findings There is ..." is a
                # header when a capitalised sentence follows; "History of ..." is prose
                nxt = rest_of_line.lstrip()
                # ... or a numbered list ("Impression 1. No acute ...", "Opinion 1) ...")
                starts = nxt[:1].isupper() or nxt[:1].isdigit()
                ok = (text[m.end("h"): m.end("h") + 1] in (" ", "\t") and starts
                      and key not in SECTION_HEADERS.no_title_case_before_text)
            if (ok and not punct and not word.isupper() and found and found[-1][2] in _SECTION_ORDER
                    and text[found[-1][1]: m.start()].strip() == ""
                    and _SECTION_ORDER.get(_HEADER_MAP[key], 99) < _SECTION_ORDER[found[-1][2]]):
                # "Impression:\nBackground CF bronchiectasis, stable.": a title-case name right under a header, naming
                # a section that comes before that one, is the header's text
                ok = False
            if not ok and text[m.end("h"): m.end("h") + 1] == "\t" and rest_of_line.strip():
                ok = True  # a tab after the name sets a header off in any case ("Clinical notes<TAB>Cough")
            if (not ok and word.islower() and key not in _LINE_ONLY
                    and key not in SECTION_HEADERS.no_title_case_before_text):
                # typed in lower case with no colon: "impression No acute disease.", or any text after it in a report
                # typed all in lower case ("findings the heart is not enlarged ...")
                nxt = rest_of_line.lstrip()
                ok = text[m.end("h"): m.end("h") + 1] in (" ", "\t") and bool(nxt) and (
                    nxt[0].isupper() or nxt[0].isdigit() or (lower_case and nxt[0].isalpha()))
            if ok and not punct and key in _LINE_ONLY and _OWN_LABEL.match(rest_of_line):
                ok = False  # "Report Indicator: Minor", "Observation period: 2 h": a label of its own, not the name
        else:
            ok = punct == ":" and word[0].isupper() and key not in _LINE_ONLY
            if not ok and punct == "-" and m.end() < len(text) and text[m.end()].isupper() and key not in _LINE_ONLY:
                ok = True  # a dash set straight between name and text after a sentence end: "... None. findings-The"
            if ok and found and found[-1][2] in ("FINDINGS", "IMPRESSION") \
                    and _HEADER_MAP[key] in ("INDICATION", "COMPARISON", "TECHNIQUE"):
                # "... new since November. Technique: PA and lateral, adequate inspiration. No effusion ...": a label
                # run into the findings' paragraph, not the end of the findings
                ok = False
        if ok:
            end = m.end() + (text[m.end(): m.end() + 1] == "," and key in SECTION_HEADERS.lead_in)
            if line_start and not rest_of_line.strip():
                # a header alone on its line may be underlined ("FINDINGS\n--------"): the rule is part of it
                under = _UNDERLINE.match(text, eol) if eol >= 0 else None
                end = under.end() if under else end
            section = _HEADER_MAP[key]
            if key in SECTION_HEADERS.conclusion_after_findings and "FINDINGS" in {f[2] for f in found}:
                section = "IMPRESSION"
            if key == "discussion" and "IMPRESSION" in {f[2] for f in found}:
                section = None  # a discussion after the conclusion ("Discussion: the differential for ... includes")
            found.append((m.start("h") if not line_start else m.start(), end, section))
            keys.append(key)
    # a prose-like name of the conclusion ("Comment:") inside the findings, where an "Impression" or "Conclusion"
    # header comes further on ("FINDINGS:\nComment: The lungs ...\n\nIMPRESSION: ..."): a field's label inside the
    # findings
    kept: list[tuple[int, int, str | None]] = []
    for i, header in enumerate(found):
        if (keys[i] in SECTION_HEADERS.findings_before_conclusion and header[2] == "IMPRESSION"
                and "FINDINGS" not in {h[2] for h in found[:i]}
                and any(found[j][2] == "IMPRESSION" and keys[j] != keys[i] for j in range(i + 1, len(found)))):
            header = (header[0], header[1], "FINDINGS")  # "KEY FINDINGS: ... DIAGNOSIS: ...": the findings' name
        if (kept and keys[i] in _LINE_ONLY and kept[-1][2] == "FINDINGS" and header[2] == "IMPRESSION"
                and any(key.startswith(("impression", "conclusion")) for key in keys[i + 1:])):
            continue
        kept.append(header)
    return kept


def _find_run_on_headers(text: str) -> list[tuple[int, int, str | None]]:
    """Headers run into one paragraph with a colon ("History: cough comparison: none findings: the lungs ...");
    each name at most once, the first section a FINDINGS or IMPRESSION must come after."""
    found: list[tuple[int, int, str | None]] = []
    seen: set[str | None] = set()
    lower_case = _typed_in_lower_case(text)
    rank = -1  # the usual order's place of the last section taken
    for m in _RUN_ON_HEADER_RE.finditer(text):
        key = re.sub(r"\s+", " ", (m.group("h") or m.group("caps") or m.group("bare")).lower())
        section = _HEADER_MAP[key]
        if section in seen or key in _LINE_ONLY:
            continue
        if m.group("bare"):
            word, nxt = m.group("bare"), m.group("next")
            if (section not in _SECTION_ORDER or _SECTION_ORDER[section] <= rank
                    or _NAME_AS_PROSE.search(text, max(0, m.start() - 40), m.start())):
                continue
            if not m.group("dash") and not (nxt.isupper() or nxt.isdigit() or (lower_case and word.islower())):
                continue  # "Findings are consistent with ..." is prose; "Findings The lungs ..." a header
        rank = max(rank, _SECTION_ORDER.get(section, rank))
        seen.add(section)
        found.append((m.start(), m.end(), section))
    return found if {"FINDINGS", "IMPRESSION"} & seen else []


_SIGN_OFF_LINE_REST = 80
_FINAL_HEADER = re.compile(r"[ \t]*(?:#{1,6}[ \t]+|\*\*|__)?(?:final|revised|amended|corrected|updated)\b",
                           re.IGNORECASE)


def _cut_footer(text: str, start: int, stop: int) -> tuple[int, int]:
    """(stop of the section, start of the footer) for ``text[start:stop]``: a sign-off line and what follows
    it, where nothing after it describes the image, is cut from the section (stop == footer start when none)."""
    found = [m.span() for m in (*_SIGNATURE.finditer(text, start, stop), *_DISCLAIMER.finditer(text, start, stop))]
    first = start + len(text[start:stop]) - len(text[start:stop].lstrip(" \t"))
    if 0 < first < stop and text[first - 1] != "\n":
        # a sign-off on the header's own line ("Findings: Electronically signed: ___, MD"): the text after the
        # header is a line of its own (the pattern's "^" holds only at a line break)
        # (the whole line the signer's: "Findings: Reported by Dr Okafor: the lungs are clear" is a read)
        own = _SIGNATURE.match(text[first:stop])
        line_end = text.find("\n", first, stop) % (stop + 1)
        if own and not IMAGING_WORDS.search(text, first + own.end(), line_end):
            found.append((first + own.start(), first + own.end()))
    for m_start, m_end in sorted(found):
        # the rest of a short sign-off line is the signer's ("Electronically signed (chest imaging section).",
        # "Dr ___ (Consultant Thoracic Radiologist)"), not a description of the image
        line_end = text.find("\n", m_end, stop) % (stop + 1)  # the section's end where no line break follows
        after = line_end if 0 <= line_end - m_end <= _SIGN_OFF_LINE_REST else m_end
        if not IMAGING_WORDS.search(text, after, stop):
            return m_start, m_start
    return stop, stop


# Image-report wording: a sign-off line is cut only where none of it follows; a sentence with it is no clinical note's.
IMAGING_WORDS = re.compile(
    # (a radiographer is a reader, not an image: "Consultant Reporting Radiographer, on behalf of ...")
    r"\b(?:lungs?|heart|cardiac|cardio\w*|pleura\w*|mediastin\w*|hil(?:um|ar|a)|opacit\w+|radiograph(?!ers?\b)\w*|x-?ray|"
    r"chest|thora\w+|diaphragm\w*|costophrenic|silhouette|lobes?|zones?|bases?|apex|apices|consolidat\w+|"
    r"effusions?|bony|osseous|pneumothorax|atelecta\w+|infiltrat\w+|nodul\w+|aort\w+|osseous)\b"
    # (not a department's or a reader's name: "Michael Alvarez, MD, Cardiothoracic Imaging", "Chest Radiology")
    r"(?![ \t]+(?:imaging|radiolog\w*|section|division|department|service)\b)",
    re.IGNORECASE,
)


def _body(text: str, start: int, stop: int) -> tuple[int, str]:
    """(absolute offset, stripped text) of ``text[start:stop]``."""
    raw = text[start:stop]
    if not raw.strip():
        return start, ""  # an empty section "starts" right after its header
    lead = len(raw) - len(raw.lstrip())
    return start + lead, raw.strip()


def section_for_header(header: str) -> str | None:
    """The section a header names ("Impressions" -> "IMPRESSION"; a DICOM SR concept name too), else None."""
    return _HEADER_MAP.get(" ".join(header.lower().replace(":", " ").split()))


@dataclass
class Layout:
    """Where a report's parts are: ``sections`` (name -> stripped text) starting at ``offsets``; the text before
    the first header (``preamble``); sign-off lines cut from the sections (``footer``, at ``footer_spans``); each
    header's span (``header_spans``); ``headerless`` when no header was found and the text was filed under one
    section by rule."""

    sections: dict[str, str]
    offsets: dict[str, int]
    preamble: str = ""
    headerless: bool = False
    footer: str = ""
    footer_spans: list[tuple[int, int]] = field(default_factory=list)
    header_spans: list[tuple[int, int]] = field(default_factory=list)


# the findings' header joined to the conclusion's ("FINDINGS/IMPRESSION:", "Findings and impression:", "Report and
# impression:")
_BOTH_MAIN_SECTIONS = re.compile(r"(?:findings?|report)[ \t]*(?:/|&|\band\b)[ \t]*(?:impressions?|conclusions?|opinion)"
                                 r"\b", re.IGNORECASE)


def find_sections(text: str) -> Layout:
    """Where the sections, the preamble and the footer of ``text`` (a report as read) are (see the module docstring)."""
    headers = _find_headers(text)
    main = {"FINDINGS", "IMPRESSION"}
    if not main <= {h[2] for h in headers}:
        run_on = _find_run_on_headers(text)
        if main & {h[2] for h in headers} < main & {h[2] for h in run_on}:
            headers = run_on
    sections: dict[str, str] = {}
    offsets: dict[str, int] = {}
    if not headers:
        cut, _ = _cut_footer(text, 0, len(text))
        footers = [(cut, len(text))] if cut < len(text) else []
        off, body = _body(text, 0, cut)
        if _titled_findings(body):
            # "PA AND LATERAL CHEST: The heart ...": the examination's title heads a findings body, and no conclusion
            # follows it (an old-style report whose final header is missing)
            return Layout(sections={"FINDINGS": body}, offsets={"FINDINGS": off}, footer=text[cut:].strip(),
                          footer_spans=footers)
        opening = _LETTER_OPENING.match(body)
        if opening and opening.end() < len(body):
            # a letter with no headers: after its opening, its paragraphs are the read and its last one the
            # conclusion; a letter of one paragraph has written no conclusion
            paragraphs = list(re.finditer(r"\S[^\n]*(?:\n(?![ \t]*\n)[^\n]*)*", body[opening.end():]))
            base = off + opening.end()
            sections, offsets = {}, {}
            last = paragraphs[-1] if len(paragraphs) > 1 else None
            first_end = (paragraphs[-2] if last else paragraphs[-1]).end()
            offsets["FINDINGS"], sections["FINDINGS"] = _body(text, base + paragraphs[0].start(), base + first_end)
            if last:
                offsets["IMPRESSION"], sections["IMPRESSION"] = _body(text, base + last.start(), base + last.end())
            return Layout(sections=sections, offsets=offsets, preamble=body[:opening.end()].strip(),
                          footer=text[cut:].strip(), footer_spans=footers)
        short = len(split_sentences(body)) <= 3 or len(body) <= 400
        name = "IMPRESSION" if short else "FINDINGS"
        return Layout(sections={name: body}, offsets={name: off}, headerless=True, footer=text[cut:].strip(),
                      footer_spans=footers)
    off, preamble = _body(text, 0, headers[0][0])
    # a body pasted before the first header with no FINDINGS header of its own ("The heart ... IMPRESSION:")
    loose: tuple[int, str] | None = (off, preamble) if preamble and not _preamble_only(preamble) \
        and not _title_lines(preamble) else None
    pre_parts = [] if loose else [preamble]
    if loose:
        # a letter's opening paragraphs ("Dear colleague, thank you for asking me to look at this film (?infection).")
        # are no findings: the request they repeat is the preamble's
        opening = _LETTER_OPENING.match(loose[1])
        if opening and opening.end() < len(loose[1]):
            pre_parts.append(loose[1][:opening.end()].strip())
            loose = _body(text, loose[0] + opening.end(), loose[0] + len(loose[1]))
            loose = loose if loose[1] else None
    footers: list[tuple[int, int]] = []
    for i, (_, end, name) in enumerate(headers):
        stop = headers[i + 1][0] if i + 1 < len(headers) else len(text)
        cut, _ = _cut_footer(text, end, stop)
        if cut < stop:
            footers.append((cut, stop))
            stop = cut
        off, body = _body(text, end, stop)
        if name is None:
            pre_parts.append(body)
            continue
        if name in ("INDICATION", "COMPARISON", "TECHNIQUE") and "\n\n" in body:
            # "INDICATION: cough.\n\nThe heart is ...": the paragraphs after the first are the body
            cut = body.index("\n\n")
            rest_off, rest = _body(text, off + cut, off + len(body))
            if rest and loose is None:
                loose = (rest_off, rest)
                body = body[:cut].rstrip()
        if name in ("COMPARISON", "TECHNIQUE") and i > 0 and headers[i - 1][2] == "FINDINGS" \
                and sections.get("FINDINGS") == "" and body:
            # "Report:\nPrevious: 07/02/2023. Both lungs are clear. ...": the prior study named as the read's first
            # sentence; what follows it on the line is the read
            sentences = split_sentences(body)
            if len(sentences) > 1 and IMAGING_WORDS.search(body, sentences[1][0]):
                offsets["FINDINGS"], sections["FINDINGS"] = _body(text, off + sentences[1][0], off + len(body))
                body = body[:sentences[1][0]].rstrip()
        if name == "IMPRESSION" and sections.get(name) and _FINAL_HEADER.match(text, headers[i][0], end):
            # "FINAL IMPRESSION:" after a preliminary one (a resident's, before the attending's final report):
            # the final one is the report's conclusion
            sections[name], offsets[name] = body, off
        elif name in sections and sections[name]:
            sections[name] = f"{sections[name]}\n{body}" if body else sections[name]
        else:
            sections[name], offsets[name] = body, off
    if "IMPRESSION" not in sections and sections.get("FINDINGS") and any(
            name == "FINDINGS" and _BOTH_MAIN_SECTIONS.search(text, a, b) for a, b, name in headers):
        # "FINDINGS/IMPRESSION: Clear lungs. ... Negative chest.": one text headed as both, so it is both
        sections["IMPRESSION"], offsets["IMPRESSION"] = sections["FINDINGS"], offsets["FINDINGS"]
    if "FINDINGS" not in sections and loose is not None:
        offsets["FINDINGS"], sections["FINDINGS"] = loose
        sections = {k: sections[k] for k in (*SECTION_NAMES, *sections) if k in sections}
    elif loose is not None:
        pre_parts.insert(0, loose[1])
    preamble = "\n".join(p for p in pre_parts if p)
    return Layout(sections=sections, offsets=offsets, preamble=preamble,
                  footer="\n".join(text[a:b].strip() for a, b in footers), footer_spans=footers,
                  header_spans=[(a, b) for a, b, _ in headers])
