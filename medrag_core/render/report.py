"""Pure rendering helpers for a ``VerificationResult``: evidence spans, report diffs and exports.

No Streamlit here: the pages turn these plain values into widgets. Nothing in this module renders
HTML; ``escape_markdown`` makes user text inert for a Markdown renderer (Streamlit's included).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from medrag_core.models import SEVERITY_ORDER, Issue, VerificationResult

VERDICT_TEXT: dict[str, str] = {
    "consistent": "Consistent: no problems found that need a second look.",
    "needs_review": "Needs review: some statements deserve a second look.",
    "inconsistent": "Inconsistent: the report contradicts itself or the evidence.",
    "not_checked": "Not checked: the text is not a report with findings and impression the offline checks can "
                   "compare (see the notes).",
}


@dataclass(frozen=True)
class Span:
    """A run of the report: ``text`` verbatim; ``issues`` the 0-based indices of issues quoting it."""

    text: str
    issues: tuple[int, ...] = ()

    @property
    def highlighted(self) -> bool:
        return bool(self.issues)


def sort_issues(issues: Sequence[Issue]) -> list[Issue]:
    """Errors first, then warnings, then info; stable within a severity."""
    return sorted(issues, key=lambda i: SEVERITY_ORDER.get(i.severity, len(SEVERITY_ORDER)))


def find_evidence(report: str, evidence: str) -> tuple[int, int] | None:
    """Where ``evidence`` occurs in ``report`` as ``(start, end)`` character offsets, or None.

    Tries a verbatim match, then a case-insensitive one, then one that lets any run of whitespace
    in the evidence match any run in the report (line breaks differ between report and quote).
    """
    needle = evidence.strip()
    if not needle:
        return None
    pos = report.find(needle)
    if pos >= 0:
        return pos, pos + len(needle)
    pattern = r"\s+".join(re.escape(word) for word in needle.split())
    found = re.search(pattern, report, flags=re.IGNORECASE)
    return (found.start(), found.end()) if found else None


_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|\u2026)\s*")


def evidence_spans(report: str, evidence: str) -> list[tuple[int, int]]:
    """Every ``(start, end)`` that ``evidence`` quotes: the whole quote when found, else each part of
    a quote joined with an ellipsis ("left effusion. ... right effusion.") that is found."""
    whole = find_evidence(report, evidence)
    if whole is not None:
        return [whole]
    parts = [p for p in _ELLIPSIS.split(evidence) if p.strip()]
    if len(parts) < 2:
        return []
    return [where for part in parts if (where := find_evidence(report, part)) is not None]


def _issue_spans(report: str, item: Issue | str) -> list[tuple[int, int]]:
    """An issue's own ``spans`` (set by the checks) when it has valid ones; else where its evidence (or
    the string) is quoted, for issues that carry no spans (an LLM's)."""
    if isinstance(item, Issue):
        own = [(s, e) for s, e in item.spans if 0 <= s < e <= len(report)]
        return own or evidence_spans(report, item.evidence or "")
    return evidence_spans(report, item or "")


def highlight_spans(report: str, issues: Sequence[Issue | str]) -> list[Span]:
    """Split ``report`` into spans, marking each character an issue points at.

    ``issues[i]`` is issue ``i`` (its ``spans``, else its quoted evidence) or an evidence string;
    unfound evidence marks nothing. The spans' texts concatenate back to ``report`` exactly.
    """
    owners: list[set[int]] = [set() for _ in report]
    for index, item in enumerate(issues):
        for where in _issue_spans(report, item):
            for char in range(*where):
                owners[char].add(index)
    spans: list[Span] = []
    start = 0
    for pos in range(1, len(report) + 1):
        if pos == len(report) or owners[pos] != owners[start]:
            spans.append(Span(report[start:pos], tuple(sorted(owners[start]))))
            start = pos
    return spans


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&^=\"'@%;,/?])")


def escape_markdown(text: str) -> str:
    """``text`` as inert Markdown: every ASCII punctuation mark backslash-escaped, so no emphasis,
    link, HTML tag, entity, LaTeX (``$``) or Streamlit directive (``:red[...]``) is interpreted;
    line breaks become hard breaks and leading spaces survive (as no-break spaces)."""
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.lstrip(" \t")
        indent = len(line) - len(stripped)
        lines.append("\u00a0" * indent + _MD_SPECIAL.sub(r"\\\1", stripped))
    return "  \n".join(lines)


def highlighted_markdown(spans: Sequence[Span], colour: str = "orange") -> str:
    """Markdown for the report with quoted evidence on a coloured background (Streamlit directive
    syntax ``:orange-background[...]``) and each issue's number as a superscript-like tag."""
    parts = []
    for span in spans:
        text = escape_markdown(span.text)
        if span.highlighted and span.text.strip():
            tags = ",".join(str(i + 1) for i in span.issues)
            # A directive cannot span lines: highlight each line of the span on its own.
            pieces = [f":{colour}-background[{piece}]" if piece.strip() else piece for piece in text.split("  \n")]
            parts.append("  \n".join(pieces) + f" **\\[{tags}\\]**")
        else:
            parts.append(text)
    return "".join(parts)


def unified_diff(original: str, suggested: str) -> str:
    """A line diff of the report against the suggested report (``-``/``+`` lines), or "" if equal."""
    if original.strip() == suggested.strip():
        return ""
    lines = difflib.unified_diff(
        original.splitlines(),
        suggested.splitlines(),
        fromfile="your report",
        tofile="suggested report",
        lineterm="",
        n=3,
    )
    return "\n".join(lines)


def word_diff(original: str, suggested: str) -> list[tuple[str, str]]:
    """Word-level edits: ``("equal" | "delete" | "insert", text)`` in reading order."""
    a, b = re.split(r"(\s+)", original), re.split(r"(\s+)", suggested)
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            ops.append(("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            ops.append(("insert", "".join(b[j1:j2])))
    return ops


def result_to_json(result: VerificationResult) -> str:
    """The whole result as indented JSON (the model's own schema)."""
    return result.model_dump_json(indent=2)


def _fence(text: str) -> str:
    """A fenced code block that ``text`` cannot close, whatever backticks it holds."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


# For the downloaded Markdown file: only what a Markdown viewer (GitHub, an editor preview) would turn
# into markup is escaped, so the file reads well as plain text too ("impression_omits_finding",
# "process."): emphasis stars, an underscore at a word's edge, backticks, brackets (links, images),
# angle brackets (HTML), pipes (table cells), dollar signs (math) and entity-like ampersands.
_MD_FILE_SPECIAL = re.compile(r"([\\`*\[\]<>|$])|(?<!\w)_|_(?!\w)|&(?=#?\w+;)")


def escape_markdown_file(text: str) -> str:
    """``text`` for a Markdown file: inert in a viewer, yet plain to read (see ``_MD_FILE_SPECIAL``)."""
    return _MD_FILE_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def _cell(text: str) -> str:
    """A table cell (or a line) of the downloaded Markdown: one line, markup escaped lightly."""
    return escape_markdown_file(" ".join(str(text).split()))


def result_to_markdown(result: VerificationResult, *, title: str = "Report verification") -> str:
    """A self-contained Markdown document of ``result``; report texts sit in code fences (inert)."""
    out = [
        f"# {title}",
        "",
        f"**Verdict:** {result.verdict.replace('_', ' ')}  ",
        f"**Verifier:** {_cell(result.verifier)}  ",
    ]
    if result.embed_model:
        out.append(f"**Embedding model:** {_cell(result.embed_model)}  ")
    for notice in result.notices:
        out.append(f"> {_cell(notice)}")
    out += ["", "## Issues", ""]
    issues = sort_issues(result.issues)
    if issues:
        out += ["| # | Severity | Kind | Message | Evidence | Suggestion |", "|---|---|---|---|---|---|"]
        for n, issue in enumerate(issues, 1):
            out.append(
                f"| {n} | {issue.severity} | {_cell(issue.kind)} | {_cell(issue.message)} | "
                f"{_cell(issue.evidence)} | {_cell(issue.suggestion)} |"
            )
    else:
        out.append("No issues found.")
    if result.check_status != "checked":
        out += ["", f"**Checks:** not run ({result.check_status.replace('_', ' ')})"]
    out += ["", "## Report", "", _fence(result.report), "", "## Suggested report", ""]
    diff = unified_diff(result.report, result.suggested_report)
    out.append(_fence(result.suggested_report) if diff else "Same as the report.")
    if diff:
        out += ["", "### Changes", "", _fence(diff)]
    if result.review_notes:
        out += ["", "## Review notes", ""] + [f"- {_cell(note)}" for note in result.review_notes]
    out += ["", "## Similar cases", ""]
    if result.matches:
        out += ["| Rank | Case | Image sim. | Text sim. | Fused | Impression |", "|---|---|---|---|---|---|"]
        for match in result.matches:
            out.append(
                f"| {match.fused_rank} | {_cell(match.case.case_id)} | {_fmt(match.image_score)} | "
                f"{_fmt(match.text_score)} | {match.fused_score:.4f} | {_cell(match.case.impression)} |"
            )
    else:
        out.append("None retrieved.")
    if result.timings_ms:
        out += ["", "## Stage timings", "", "| Stage | ms |", "|---|---|"]
        out += [f"| {_cell(stage)} | {ms:.0f} |" for stage, ms in result.timings_ms.items()]
    if result.llm_failures:
        out += ["", f"LLM failures: {result.llm_failures}"]
    return "\n".join(out) + "\n"


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
